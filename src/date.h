/*
 * date.h - parsing and formatting of feed dates.
 *
 * date_parse() accepts the date formats found in RSS and Atom feeds:
 * RFC 822/1123/2822 (and RFC 850 and asctime variants) and ISO 8601 /
 * RFC 3339 / W3CDTF.  date_format() writes an instant as RFC 3339 UTC.
 * Neither function allocates memory, consults the locale or the TZ
 * environment, or keeps any state; both are safe to call from any thread.
 *
 * Ownership: date_parse() borrows s for the duration of the call only.
 * date_format() writes into the caller's buffer of DATE_BUFSZ bytes and
 * returns that same buffer.
 */
#ifndef DATE_H
#define DATE_H

#include <stddef.h>
#include <stdint.h>

#define DATE_BUFSZ 32

/* Parses a feed date in any format seen in the wild; on success stores the
 * instant as seconds since the epoch (UTC) in *out and returns 0; returns -1
 * when the text is not a date (leaves *out untouched).  Borrows s. */
int date_parse(const char *s, int64_t *out);

/* Writes t as RFC 3339 UTC ("2025-03-11T08:00:00Z") into buf, returns buf. */
char *date_format(int64_t t, char buf[DATE_BUFSZ]);

#endif
