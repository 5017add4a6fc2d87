/*
 * ident.h - the identity of an entry (SPEC section 5): its key within its
 * feed, and the two keys that make entries of different feeds one story,
 * the canonical link and the normalised title.  Pure functions; they borrow
 * their arguments and return new strings (free()) or NULL.
 */
#ifndef IDENT_H
#define IDENT_H

#include <stdint.h>

#include "parse.h"

/* Longer guids are kept as a hash of themselves ("G:" + 32 hex digits). */
#define IDENT_GUID_MAX	1024

/*
 * An entry's identity within its feed: "g:" and its guid, trimmed; a guid
 * that is empty or only whitespace counts as missing, one longer than
 * IDENT_GUID_MAX is hashed ("G:..."); else "l:" and its link; else "h:" and
 * a hash of title, date, summary and content.  Never NULL.
 */
char	*ident_key(const struct entry *);

/*
 * The link as the same story has it in every feed: scheme (http and https
 * alike) and host case, default port, fragment, trailing slash and
 * tracking parameters (utm_*, fbclid, gclid and their kind) gone.  The
 * form is "//host[:port]/path[?query]".  NULL for a link that is not an
 * http(s) URL.
 */
char	*ident_link(const char *link);

/*
 * The title folded for comparison: lower case (ASCII and Latin-1),
 * punctuation and symbols made spaces, whitespace collapsed.  NULL when
 * what is left is shorter than IDENT_TITLE_MIN bytes: a title like "News"
 * or "Update" says nothing about which story it is.
 */
#define IDENT_TITLE_MIN	16
char	*ident_title(const char *title);

/* A 64-bit hash of a key (FNV-1a), for indexes. */
uint64_t	ident_hash(const char *key);

#endif
