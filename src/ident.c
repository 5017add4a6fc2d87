/*
 * ident.c - entry identity: keys within a feed, canonical links (on curl's
 * URL API) and normalised titles.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "buf.h"
#include "ident.h"
#include "utf8.h"

/* FNV-1a, 64 bits, over several strings (a NULL one counts as empty). */
static uint64_t
fnv(uint64_t h, const char *const *parts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (const char *p = parts[i]; p != NULL && *p != '\0'; p++) {
			h ^= (unsigned char)*p;
			h *= 0x100000001b3ULL;
		}
		h ^= 0xff;	/* a separator: ("ab", "c") is not ("a", "bc") */
		h *= 0x100000001b3ULL;
	}
	return h;
}

static int
space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

char *
ident_key(const struct entry *e)
{
	struct buf b = { 0 };
	const char *g = e->id, *end;

	if (g != NULL) {
		while (space((unsigned char)*g))
			g++;
		end = g + strlen(g);
		while (end > g && space((unsigned char)end[-1]))
			end--;
		if (end - g > IDENT_GUID_MAX) {
			const char *p[1] = { g };

			buf_printf(&b, "G:%016llx%016llx", (unsigned long long)
			    fnv(0xcbf29ce484222325ULL, p, 1), (unsigned long long)
			    fnv(0x84222325cbf29ce4ULL, p, 1));
			return buf_steal(&b);
		}
		if (end > g) {
			buf_puts(&b, "g:");
			buf_append(&b, g, (size_t)(end - g));
			return buf_steal(&b);
		}
	}
	if (e->link != NULL && *e->link != '\0') {
		buf_printf(&b, "l:%s", e->link);
		return buf_steal(&b);
	} else {
		char date[32];
		const char *p[4] = { e->title, date, e->summary, e->content };

		snprintf(date, sizeof(date), "%lld", (long long)(e->published !=
		    DATE_NONE ? e->published : e->updated));
		buf_printf(&b, "h:%016llx", (unsigned long long)
		    fnv(0xcbf29ce484222325ULL, p, 4));
		return buf_steal(&b);
	}
}

/* Query parameters that only say where a click came from. */
static int
tracking(const char *name, size_t len)
{
	static const char *const names[] = {
		"fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid",
		"yclid", "igshid", "mc_cid", "mc_eid", "_hsenc", "_hsmi",
		"mkt_tok", "oly_anon_id", "oly_enc_id", "vero_id", "_ga",
		"twclid", "ttclid", "li_fat_id", "s_cid",
	};

	if (len >= 4 && strncasecmp(name, "utm_", 4) == 0)
		return 1;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == len && strncasecmp(name, names[i],
		    len) == 0)
			return 1;
	return 0;
}

char *
ident_link(const char *link)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
	char *query = NULL, *out = NULL;
	struct buf b = { 0 };
	size_t n;

	if (link == NULL || *link == '\0' || (u = curl_url()) == NULL)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, link, CURLU_URLENCODE) != 0 ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != 0 ||
	    (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != 0 || *host == '\0')
		goto done;
	/* No port when it is the scheme's own (CURLUE_NO_PORT). */
	curl_url_get(u, CURLUPART_PORT, &port, CURLU_NO_DEFAULT_PORT);
	curl_url_get(u, CURLUPART_PATH, &path, 0);
	curl_url_get(u, CURLUPART_QUERY, &query, 0);

	buf_puts(&b, "//");
	for (const char *p = host; *p != '\0'; p++) {
		char c = (char)tolower((unsigned char)*p);

		buf_append(&b, &c, 1);
	}
	if (port != NULL) {
		/* http and https are one: each one's default port goes. */
		if (!((strcmp(scheme, "http") == 0 && strcmp(port, "443") ==
		    0) || (strcmp(scheme, "https") == 0 && strcmp(port,
		    "80") == 0)))
			buf_printf(&b, ":%s", port);
	}
	if (path != NULL) {
		n = strlen(path);
		while (n > 0 && path[n - 1] == '/')
			n--;
		buf_append(&b, path, n);
	}
	if (query != NULL) {
		int first = 1;

		for (const char *p = query; *p != '\0';) {
			size_t len = strcspn(p, "&"), name = strcspn(p, "=");

			if (name > len)
				name = len;
			if (len > 0 && !tracking(p, name)) {
				buf_puts(&b, first ? "?" : "&");
				buf_append(&b, p, len);
				first = 0;
			}
			p += len;
			if (*p == '&')
				p++;
		}
	}
	out = buf_steal(&b);
done:
	buf_free(&b);
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(query);
	curl_url_cleanup(u);
	return out;
}

/* Code points that separate words: punctuation, symbols, spaces. */
static int
separator(long cp)
{
	if (cp < 0x80)
		return !isalnum((int)cp);
	return (cp >= 0x80 && cp <= 0xbf) ||	/* C1, Latin-1 punctuation */
	    cp == 0xd7 || cp == 0xf7 ||		/* x and division signs */
	    (cp >= 0x2000 && cp <= 0x2bff) ||	/* punctuation, symbols */
	    (cp >= 0x3000 && cp <= 0x303f) ||	/* CJK punctuation */
	    (cp >= 0xfe30 && cp <= 0xfe4f) ||	/* CJK compatibility forms */
	    (cp >= 0xff00 && cp <= 0xff0f) ||	/* fullwidth punctuation */
	    (cp >= 0xff1a && cp <= 0xff20) || (cp >= 0xff3b && cp <= 0xff40) ||
	    (cp >= 0xff5b && cp <= 0xff65) || cp == 0xfeff;
}

char *
ident_title(const char *title)
{
	const unsigned char *p = (const unsigned char *)title;
	size_t left;
	struct buf b = { 0 };
	int gap = 0;

	if (title == NULL)
		return NULL;
	left = strlen(title);
	while (left > 0) {
		long cp;
		int len = utf8_next(p, left, &cp);

		if (len == 0) {		/* not UTF-8: a separator */
			cp = ' ';
			len = 1;
		}
		p += len;
		left -= (size_t)len;
		if (separator(cp)) {
			gap = b.len > 0;
			continue;
		}
		if (gap)
			buf_puts(&b, " ");
		gap = 0;
		if (cp < 0x80) {
			char c = (char)tolower((int)cp);

			buf_append(&b, &c, 1);
			continue;
		}
		if (cp >= 0xc0 && cp <= 0xde)	/* Latin-1 capitals */
			cp += 0x20;
		{
			char u[4];
			size_t n;

			if (cp < 0x800) {
				u[0] = (char)(0xc0 | (cp >> 6));
				u[1] = (char)(0x80 | (cp & 0x3f));
				n = 2;
			} else if (cp < 0x10000) {
				u[0] = (char)(0xe0 | (cp >> 12));
				u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
				u[2] = (char)(0x80 | (cp & 0x3f));
				n = 3;
			} else {
				u[0] = (char)(0xf0 | (cp >> 18));
				u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
				u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
				u[3] = (char)(0x80 | (cp & 0x3f));
				n = 4;
			}
			buf_append(&b, u, n);
		}
	}
	if (b.len < IDENT_TITLE_MIN) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

uint64_t
ident_hash(const char *key)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (const char *p = key; *p != '\0'; p++) {
		h ^= (unsigned char)*p;
		h *= 0x100000001b3ULL;
	}
	return h;
}
