/* url.c - URL resolution through curl_url. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "buf.h"
#include "url.h"

/*
 * A same-document ref ("" or "#frag") keeps the base's path and query (RFC
 * 3986 5.2.2), where curl would resolve it against the base's folder: the
 * base without its fragment, then ref.  Returns new or NULL.
 */
static char *
same_document(CURLU *u, const char *ref)
{
	struct buf b = { 0 };
	char *s = NULL;

	if (curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0) != 0 ||
	    curl_url_get(u, CURLUPART_URL, &s, 0) != 0)
		return NULL;
	buf_printf(&b, "%s%s", s, ref);
	curl_free(s);
	return buf_steal(&b);
}

char *
url_resolve(const char *base, const char *ref)
{
	CURLU *u;
	char *out = NULL, *s = NULL, *joined = NULL;
	unsigned flags = CURLU_NON_SUPPORT_SCHEME;
	int rc;

	if (ref == NULL && base == NULL)
		return NULL;
	if ((u = curl_url()) == NULL)
		return NULL;
	if (base != NULL && curl_url_set(u, CURLUPART_URL, base, flags) != 0)
		base = NULL;
	if (ref != NULL) {
		if (base != NULL && (*ref == '\0' || *ref == '#')) {
			if ((joined = same_document(u, ref)) == NULL)
				goto done;
			ref = joined;
		}
		/* With a base set, a relative ref is resolved against it. */
		rc = curl_url_set(u, CURLUPART_URL, ref,
		    flags | CURLU_URLENCODE);
		free(joined);
		if (rc != 0)
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

int
url_linkable(const char *url, const char *doc)
{
	if (url_is_http(url) || (doc != NULL &&
	    strncasecmp(doc, "file:", 5) == 0 &&
	    strncasecmp(url, "file:", 5) == 0))
		return 1;
	/*
	 * A relative reference, left so for want of a base: kept when no
	 * reader can find a scheme in it.  Browsers drop tabs and newlines
	 * inside URLs and read '\' as '/', so "java<TAB>script:" is refused
	 * with the rest: printable ASCII only, and no ':' before the first
	 * '/', '?' or '#'.
	 */
	for (const char *s = url; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7F ||
		    *s == '\\')
			return 0;
	return *url != '\0' && url[strcspn(url, ":/?#")] != ':';
}

/*
 * A path (absolute, or relative to dir) as a file:// URL: dir becomes the
 * base URL's path and curl resolves the path against it, dot segments and
 * all.  In a literal path (not one from a file: URL) '%', '?' and '#' are
 * part of the file's name, so they are escaped first.
 */
static char *
path_to_url(const char *path, const char *dir, int literal)
{
	struct buf d = { 0 }, p = { 0 };
	char *s = NULL, *url = NULL;
	CURLU *u;

	if ((u = curl_url()) == NULL)
		return NULL;
	buf_printf(&d, "%s/", dir);
	for (; *path != '\0'; path++)
		if (literal && strchr("%?#", *path) != NULL)
			buf_printf(&p, "%%%02X", (unsigned char)*path);
		else
			buf_append(&p, path, 1);
	if (curl_url_set(u, CURLUPART_URL, "file:///", 0) == 0 &&
	    curl_url_set(u, CURLUPART_PATH, d.data, CURLU_URLENCODE) == 0 &&
	    curl_url_set(u, CURLUPART_URL, p.data, CURLU_URLENCODE) == 0 &&
	    curl_url_get(u, CURLUPART_URL, &s, 0) == 0)
		url = xstrdup(s);
	curl_free(s);
	curl_url_cleanup(u);
	buf_free(&d);
	buf_free(&p);
	return url;
}

/*
 * An absolute http(s) URL as url_resolve(NULL, value) has it, and its host
 * from the same parse when host is not NULL.
 */
static char *
http_url(const char *value, char **host)
{
	CURLU *u;
	char *s = NULL, *h = NULL, *out = NULL;

	if ((u = curl_url()) == NULL)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, value, CURLU_NON_SUPPORT_SCHEME |
	    CURLU_URLENCODE) == 0 && curl_url_get(u, CURLUPART_URL, &s,
	    0) == 0 && (host == NULL || curl_url_get(u, CURLUPART_HOST, &h,
	    0) == 0)) {
		out = xstrdup(s);
		if (host != NULL)
			*host = xstrdup(h);
	}
	curl_free(s);
	curl_free(h);
	curl_url_cleanup(u);
	return out;
}

char *
url_host(const char *url)
{
	char *host = NULL, *s;

	if (!url_is_http(url) || (s = http_url(url, &host)) == NULL)
		return xstrdup("");
	free(s);
	return host;
}

/* url_from_config, *host set for an http(s) URL only. */
static char *
config_url(const char *value, const char *dir, char **host, char *err,
    size_t errlen)
{
	const char *colon = strchr(value, ':');
	const char *slash = strchr(value, '/');
	char *url;
	int literal = 0;

	if (url_is_http(value)) {
		if ((url = http_url(value, host)) == NULL)
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
	} else
		literal = 1;
	if (*value == '\0') {
		snprintf(err, errlen, "empty path");
		return NULL;
	}
	if ((url = path_to_url(value, dir, literal)) == NULL)
		snprintf(err, errlen, "not a valid path: %s", value);
	return url;
}

char *
url_from_config(const char *value, const char *dir, char **host, char *err,
    size_t errlen)
{
	char *h = NULL, *url = config_url(value, dir, &h, err, errlen);

	if (url != NULL && host != NULL)
		*host = h != NULL ? h : xstrdup("");	/* "": file: */
	else
		free(h);
	return url;
}
