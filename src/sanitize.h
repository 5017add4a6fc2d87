/*
 * sanitize.h - untrusted HTML made safe to republish.
 *
 * libxml2's HTML parser reads the fragment (no network, no implied
 * html/body, recovering from anything); a walk of the tree keeps only
 * allowlisted elements and attributes, drops script, style and their kind
 * with their content, and unwraps every other element; URL attributes are
 * resolved against base and kept only for http and https (and mailto on
 * a link, data: images on an img).  Our own writer emits the result:
 * element and attribute names from our tables, text and values escaped by
 * xmlTextWriter, void elements closed.  sanitize(sanitize(x)) is
 * sanitize(x).
 *
 * Ownership: html_sanitize borrows its arguments and returns a new string
 * (free()), "" when nothing is left; NULL only when memory runs out.
 */
#ifndef SANITIZE_H
#define SANITIZE_H

#include <stddef.h>

#define SANITIZE_MAX_IN		(4 << 20)	/* bytes read; the rest dropped */
#define SANITIZE_MAX_DEPTH	64		/* deeper elements: unwrapped */

char	*html_sanitize(const char *html, const char *base);

#endif
