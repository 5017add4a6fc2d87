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
 * a reason in err.
 */
char	*url_from_config(const char *value, const char *dir, char *err,
	    size_t errlen);
/* 1 when url's scheme is http or https. */
int	 url_is_http(const char *url);

#endif
