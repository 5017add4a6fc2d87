/*
 * decode.h - the bytes of a feed document to UTF-8, before the XML parser
 * sees them, so that everything after this point is UTF-8 only.
 *
 * The document's encoding is chosen once, from its first bytes, in this
 * order of precedence:
 *   1. a byte order mark (UTF-8, UTF-16, UTF-32), or the UTF-16/32 byte
 *      pattern of "<?" when there is no mark;
 *   2. the charset of the HTTP Content-Type, when the document was fetched;
 *   3. the encoding of the XML declaration; in a document that starts
 *      "<?xm" in EBCDIC, its declaration read through code page 37, and
 *      IBM037 when it names no EBCDIC page;
 *   4. UTF-8.
 * ISO-8859-1 and US-ASCII are read as windows-1252, their superset (what
 * real feeds so labelled contain).  In a document read as UTF-8, a byte
 * that starts no valid sequence is read as windows-1252 on its own.  Control
 * characters XML 1.0 forbids are dropped.  UTF-7 is refused (it smuggles
 * markup past filters that look at bytes).  Whatever was repaired is told by
 * decoder_problem(), and makes the feed "bozo".
 *
 * Ownership: struct decoder is opaque; decoder_new returns new,
 * decoder_free frees (NULL is a no-op).  Output is appended to a struct buf
 * owned by the caller.
 */
#ifndef DECODE_H
#define DECODE_H

#include <stddef.h>

#include "buf.h"

struct decoder;

/*
 * charset (may be NULL) is the HTTP charset; when force is set it wins over
 * a byte order mark too.  Borrows charset.
 */
struct decoder	*decoder_new(const char *charset, int force);
void		 decoder_free(struct decoder *);
/* Receives converted UTF-8, in pieces; arg is decoder_push's. */
typedef void	 decode_sink(void *arg, const char *utf8, size_t len);
/*
 * Converts len bytes and hands the UTF-8 to sink, as much as can be
 * converted now (a character cut by the end of in waits for the next call);
 * final marks the last call.  Valid UTF-8 reaches the sink without a copy.
 */
void		 decoder_push(struct decoder *, const char *in, size_t len,
		    int final, decode_sink *sink, void *arg);
/* 1 when the encoding is refused (UTF-7): nothing is converted. */
int		 decoder_refused(const struct decoder *);
/* Why bytes were repaired (or refused), or NULL when nothing was. */
const char	*decoder_problem(const struct decoder *);

/* The charset parameter of a Content-Type value into out; 0 or -1. */
int		 decode_content_type_charset(const char *type, char *out,
		    size_t len);

#endif
