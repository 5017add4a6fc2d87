/*
 * jsonfeed.h - JSON Feed 1.0 / 1.1 documents to entries.
 *
 * The JSON is read only through SQLite's JSON1 functions on a private
 * in-memory connection, opened and closed within each call: no state is
 * kept between calls, so the function may be called any number of times
 * (and from several threads at once, each with its own arguments).
 *
 * The result obeys parse.h: every string is valid UTF-8 without C0 control
 * characters but tab, newline and carriage return; titles and author names
 * have their whitespace collapsed; links are resolved against the document
 * URL; absent values are NULL, absent dates DATE_NONE, unknown enclosure
 * lengths -1.  A field of the wrong JSON type is treated as absent.
 *
 * Ownership: jsonfeed_parse() borrows its arguments and returns new (free
 * with feed_doc_free() from parse.h).
 */
#ifndef JSONFEED_H
#define JSONFEED_H

#include <stddef.h>

#include "parse.h"

/*
 * Parses a JSON Feed document (UTF-8, optional BOM).  url (may be NULL) is
 * the document's address, the base for relative URLs.  Returns a new
 * struct feed_doc (format "jsonfeed"; free with feed_doc_free) or NULL with
 * a one-line reason in err.  Borrows its arguments.
 */
struct feed_doc	*jsonfeed_parse(const char *data, size_t len, const char *url,
		    char *err, size_t errlen);

#endif
