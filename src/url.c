/* url.c - URL resolution through curl_url. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "buf.h"
#include "url.h"

char *
url_resolve(const char *base, const char *ref)
{
	CURLU *u;
	char *out = NULL, *s = NULL;
	unsigned flags = CURLU_NON_SUPPORT_SCHEME;

	if (ref == NULL && base == NULL)
		return NULL;
	if ((u = curl_url()) == NULL)
		return NULL;
	if (base != NULL && curl_url_set(u, CURLUPART_URL, base, flags) != 0)
		base = NULL;
	if (ref != NULL) {
		/* With a base set, a relative ref is resolved against it. */
		if (curl_url_set(u, CURLUPART_URL, ref,
		    flags | CURLU_URLENCODE) != 0)
			goto done;
	} else if (base == NULL)
		goto done;
	if (curl_url_get(u, CURLUPART_URL, &s, 0) == 0)
		out = xstrdup(s);
done:
	curl_free(s);
	curl_url_cleanup(u);
	return out;
}

int
url_is_http(const char *url)
{
	return strncasecmp(url, "http://", 7) == 0 ||
	    strncasecmp(url, "https://", 8) == 0;
}

/*
 * A path (absolute, or relative to dir) as a file:// URL: dir becomes the
 * base URL's path and curl resolves the path against it, dot segments and
 * all.
 */
static char *
path_to_url(const char *path, const char *dir)
{
	struct buf d = { 0 };
	char *s = NULL, *url = NULL;
	CURLU *u;

	if ((u = curl_url()) == NULL)
		return NULL;
	buf_printf(&d, "%s/", dir);
	if (curl_url_set(u, CURLUPART_URL, "file:///", 0) == 0 &&
	    curl_url_set(u, CURLUPART_PATH, d.data, CURLU_URLENCODE) == 0 &&
	    curl_url_set(u, CURLUPART_URL, path, CURLU_URLENCODE) == 0 &&
	    curl_url_get(u, CURLUPART_URL, &s, 0) == 0)
		url = xstrdup(s);
	curl_free(s);
	curl_url_cleanup(u);
	buf_free(&d);
	return url;
}

char *
url_from_config(const char *value, const char *dir, char *err, size_t errlen)
{
	const char *colon = strchr(value, ':');
	const char *slash = strchr(value, '/');
	char *url;

	if (url_is_http(value)) {
		if ((url = url_resolve(NULL, value)) == NULL)
			snprintf(err, errlen, "not a valid URL: %s", value);
		return url;
	}
	if (strncasecmp(value, "file:", 5) == 0) {
		if (strncmp(value + 5, "//", 2) == 0) {
			if ((url = url_resolve(NULL, value)) == NULL)
				snprintf(err, errlen, "not a valid URL: %s",
				    value);
			return url;
		}
		value += 5;	/* "file:feeds/x.xml": a relative path */
	} else if (colon != NULL && (slash == NULL || colon < slash)) {
		snprintf(err, errlen, "unsupported URL scheme "
		    "(http, https and file only): %s", value);
		return NULL;
	}
	if (*value == '\0') {
		snprintf(err, errlen, "empty path");
		return NULL;
	}
	if ((url = path_to_url(value, dir)) == NULL)
		snprintf(err, errlen, "not a valid path: %s", value);
	return url;
}
