/*
 * url.h - URL resolution on curl's URL API (curl_url), never by hand.
 * Every function borrows its arguments and returns new strings (free()).
 */
#ifndef URL_H
#define URL_H

#include <stddef.h>

/* ref resolved against base (either may be NULL); returns new or NULL. */
char	*url_resolve(const char *base, const char *ref);
/*
 * A configured feed location: an http(s) URL as it is, or a file: URL or a
 * plain path resolved against dir.  Returns a new absolute URL, or NULL with
 * a reason in err.  With a URL returned and host not NULL, *host is set to
 * the URL's host from the same parse (new; "" for file:).
 */
char	*url_from_config(const char *value, const char *dir, char **host,
	    char *err, size_t errlen);
/* The host of an http(s) URL, "" for any other or a bad one; new. */
char	*url_host(const char *url);
/* 1 when url's scheme is http or https. */
int	 url_is_http(const char *url);
/*
 * 1 when url may go out as an entry's link or enclosure: an absolute http
 * or https URL; a file: URL when the document (doc, may be NULL) is itself
 * one, a local feed the sysadmin configured; a relative reference in which
 * no reader could find a scheme.  Not javascript:, data: or any other
 * scheme.
 */
int	 url_linkable(const char *url, const char *doc);

#endif
