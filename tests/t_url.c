/*
 * t_url.c - url_resolve(), url_from_config(), url_is_http() and
 * url_linkable().
 *
 * The resolution table is RFC 3986 section 5.4 (base
 * "http://a/b/c/d;p?q"), less the cases a strict parser may refuse, plus
 * the xml:base chains a feed builds: document URL, then each enclosing
 * xml:base, then the link.  Config values resolve against a folder; only
 * http, https and file are accepted, anything else is refused with a reason.
 */

#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "url.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

struct rcase {
	const char	*base;
	const char	*ref;
	const char	*want;		/* NULL: no URL */
};

struct ccase {
	const char	*value;
	const char	*dir;
	const char	*want;		/* NULL: refused */
	const char	*reason;	/* a part of err when refused */
};

#define RFC	"http://a/b/c/d;p?q"
#define ETC	"/etc/sluice"

static const struct rcase rcases[] = {
	/* RFC 3986 5.4.1, normal examples. */
	{ RFC, "g", "http://a/b/c/g" },
	{ RFC, "./g", "http://a/b/c/g" },
	{ RFC, "g/", "http://a/b/c/g/" },
	{ RFC, "/g", "http://a/g" },
	{ RFC, "//g", "http://g/" },
	{ RFC, "?y", "http://a/b/c/d;p?y" },
	{ RFC, "g?y", "http://a/b/c/g?y" },
	{ RFC, "#s", "http://a/b/c/d;p?q#s" },
	{ RFC, "g#s", "http://a/b/c/g#s" },
	{ RFC, "g?y#s", "http://a/b/c/g?y#s" },
	{ RFC, ";x", "http://a/b/c/;x" },
	{ RFC, "g;x", "http://a/b/c/g;x" },
	{ RFC, "g;x?y#s", "http://a/b/c/g;x?y#s" },
	{ RFC, "", "http://a/b/c/d;p?q" },
	{ RFC, ".", "http://a/b/c/" },
	{ RFC, "./", "http://a/b/c/" },
	{ RFC, "..", "http://a/b/" },
	{ RFC, "../", "http://a/b/" },
	{ RFC, "../g", "http://a/b/g" },
	{ RFC, "../..", "http://a/" },
	{ RFC, "../../", "http://a/" },
	{ RFC, "../../g", "http://a/g" },
	/* 5.4.2, abnormal examples. */
	{ RFC, "../../../g", "http://a/g" },
	{ RFC, "../../../../g", "http://a/g" },
	{ RFC, "/./g", "http://a/g" },
	{ RFC, "/../g", "http://a/g" },
	{ RFC, "g.", "http://a/b/c/g." },
	{ RFC, ".g", "http://a/b/c/.g" },
	{ RFC, "g..", "http://a/b/c/g.." },
	{ RFC, "..g", "http://a/b/c/..g" },
	{ RFC, "./../g", "http://a/b/g" },
	{ RFC, "./g/.", "http://a/b/c/g/" },
	{ RFC, "g/./h", "http://a/b/c/g/h" },
	{ RFC, "g/../h", "http://a/b/c/h" },
	{ RFC, "g;x=1/./y", "http://a/b/c/g;x=1/y" },
	{ RFC, "g;x=1/../y", "http://a/b/c/y" },
	{ RFC, "g?y/./x", "http://a/b/c/g?y/./x" },
	{ RFC, "g?y/../x", "http://a/b/c/g?y/../x" },
	{ RFC, "g#s/./x", "http://a/b/c/g#s/./x" },
	{ RFC, "g#s/../x", "http://a/b/c/g#s/../x" },

	/* A fragment-only ref replaces the base's fragment, nothing else. */
	{ "http://ex.org/blog/post?id=7#top", "#comments",
	    "http://ex.org/blog/post?id=7#comments" },
	/* A query ref drops the base's fragment. */
	{ "http://ex.org/blog/post?id=7#top", "?id=8",
	    "http://ex.org/blog/post?id=8" },
	{ "http://ex.org/blog/post#top", "", "http://ex.org/blog/post" },
	/* Absolute refs win over any base. */
	{ RFC, "https://x.org/y", "https://x.org/y" },
	{ "https://a.org/p/q", "http://b.org/r?s#t", "http://b.org/r?s#t" },
	{ RFC, "HTTPS://x.org/y", "https://x.org/y" },
	{ "http://a.org/feed/", "//cdn.b.org/i.png", "http://cdn.b.org/i.png" },
	{ "https://a.org/feed/", "//cdn.b.org/i.png",
	    "https://cdn.b.org/i.png" },
	/* Ports and file: bases. */
	{ "https://a.org:8443/x/y", "z", "https://a.org:8443/x/z" },
	{ "file:///srv/feeds/a.xml", "b.xml", "file:///srv/feeds/b.xml" },
	{ "file:///srv/feeds/a.xml", "../img/c.png",
	    "file:///srv/img/c.png" },
	/* A space in a ref is encoded, not a failure. */
	{ "http://ex.org/a/", "my post.html",
	    "http://ex.org/a/my%20post.html" },
	/* A directory base and its file base differ by the last segment. */
	{ "http://ex.org/feed/", "posts/1", "http://ex.org/feed/posts/1" },
	{ "http://ex.org/feed", "posts/1", "http://ex.org/posts/1" },

	/* No base: absolute refs stand alone, relative ones have nothing. */
	{ NULL, "http://ex.org/a/../b", "http://ex.org/b" },
	{ NULL, "https://ex.org", "https://ex.org/" },
	{ NULL, "g", NULL },
	{ NULL, "/g", NULL },
	{ NULL, "", NULL },
	{ NULL, NULL, NULL },
	/* No ref: the base itself. */
	{ "http://ex.org/a/./b", NULL, "http://ex.org/a/b" },
	/* A base that is no URL counts as none. */
	{ "not a url", "g", NULL },
	{ "not a url", "http://x.org/y", "http://x.org/y" },
	{ "", "g", NULL },
};

/* xml:base chains: document URL, then each xml:base outwards in, then ref. */
struct chain {
	const char	*steps[5];	/* step 0 the document; NULL ends */
	const char	*want;
};

static const struct chain chains[] = {
	{ { "http://example.org/feeds/atom.xml", "/blog/", "2025/03/",
	    "post.html?x=1#c", NULL },
	    "http://example.org/blog/2025/03/post.html?x=1#c" },
	{ { "http://example.org/feeds/atom.xml", "https://cdn.example.net/a/",
	    "../img/", "x.png", NULL },
	    "https://cdn.example.net/img/x.png" },
	{ { "http://example.org/feeds/atom.xml", "./", "../", "about", NULL },
	    "http://example.org/about" },
	{ { "http://example.org/a/b/c.xml", "?page=2", "#e1", NULL },
	    "http://example.org/a/b/c.xml?page=2#e1" },
	{ { "http://example.org/a/b/c.xml", "d/", "//other.org/x/", "y", NULL },
	    "http://other.org/x/y" },
};

static const struct ccase ccases[] = {
	/* Plain relative paths against the config's folder. */
	{ "feeds/x.xml", ETC, "file:///etc/sluice/feeds/x.xml", NULL },
	{ "x.xml", ETC, "file:///etc/sluice/x.xml", NULL },
	{ "./feeds/x.xml", ETC, "file:///etc/sluice/feeds/x.xml", NULL },
	{ "../shared/x.xml", ETC, "file:///etc/shared/x.xml", NULL },
	{ "a/./b/../c.xml", ETC, "file:///etc/sluice/a/c.xml", NULL },
	{ "x.xml", "/", "file:///x.xml", NULL },
	/* "file:" with a relative path is the same. */
	{ "file:feeds/x.xml", ETC, "file:///etc/sluice/feeds/x.xml", NULL },
	{ "file:../feeds/x.xml", ETC, "file:///etc/feeds/x.xml", NULL },
	{ "FILE:x.xml", ETC, "file:///etc/sluice/x.xml", NULL },
	/* Absolute: the folder does not matter. */
	{ "file:///srv/feeds/x.xml", ETC, "file:///srv/feeds/x.xml", NULL },
	{ "file:/srv/feeds/x.xml", ETC, "file:///srv/feeds/x.xml", NULL },
	{ "/srv/feeds/x.xml", ETC, "file:///srv/feeds/x.xml", NULL },
	{ "/srv/a/../x.xml", ETC, "file:///srv/x.xml", NULL },
	/* Spaces in the path or in the folder. */
	{ "my feeds/a b.xml", "/etc/sluice",
	    "file:///etc/sluice/my%20feeds/a%20b.xml", NULL },
	{ "x.xml", "/srv/my conf", "file:///srv/my%20conf/x.xml", NULL },
	{ "/srv/my feeds/x.xml", "/etc/sluice",
	    "file:///srv/my%20feeds/x.xml", NULL },
	/* In a plain path, '#', '?' and '%' belong to the file's name. */
	{ "c#.xml", ETC, "file:///etc/sluice/c%23.xml", NULL },
	{ "what?.xml", ETC, "file:///etc/sluice/what%3F.xml", NULL },
	{ "100%.xml", ETC, "file:///etc/sluice/100%25.xml", NULL },
	/* http(s) URLs are kept as they are. */
	{ "http://example.org/feed.xml", "/etc/sluice",
	    "http://example.org/feed.xml", NULL },
	{ "https://example.org/feed?x=1&y=2", "/etc/sluice",
	    "https://example.org/feed?x=1&y=2", NULL },
	{ "HTTPS://example.org/a", ETC, "https://example.org/a", NULL },
	/* Refused, with a reason. */
	{ "ftp://example.org/feed.xml", ETC, NULL, "unsupported" },
	{ "javascript:alert(1)", ETC, NULL, "unsupported" },
	{ "mailto:a@example.org", ETC, NULL, "unsupported" },
	{ "gopher://example.org/1", ETC, NULL, "unsupported" },
	{ "data:text/xml,<rss/>", ETC, NULL, "unsupported" },
	{ "http://", ETC, NULL, "not a valid URL" },
	{ "file://otherhost/x.xml", ETC, NULL, "not a valid URL" },
	{ "", ETC, NULL, "empty" },
	{ "file:", ETC, NULL, "empty" },
};

static void
test_resolve(void)
{
	for (size_t i = 0; i < NITEMS(rcases); i++) {
		const struct rcase *c = &rcases[i];
		char *got = url_resolve(c->base, c->ref);

		is_str(c->want, got, "url_resolve(%s, %s)",
		    c->base ? c->base : "NULL", c->ref ? c->ref : "NULL");
		free(got);
	}
}

static void
test_chains(void)
{
	for (size_t i = 0; i < NITEMS(chains); i++) {
		const struct chain *c = &chains[i];
		char *url = url_resolve(NULL, c->steps[0]);

		for (size_t j = 1; c->steps[j] != NULL && url != NULL; j++) {
			char *next = url_resolve(url, c->steps[j]);

			free(url);
			url = next;
		}
		is_str(c->want, url, "xml:base chain %zu", i);
		free(url);
	}
}

static void
test_from_config(void)
{
	for (size_t i = 0; i < NITEMS(ccases); i++) {
		const struct ccase *c = &ccases[i];
		char err[256] = "";
		char *host = NULL, *again;
		char *got = url_from_config(c->value, c->dir, NULL, err,
		    sizeof(err));

		is_str(c->want, got, "url_from_config(\"%s\", \"%s\")",
		    c->value, c->dir);
		/* With the host from the same parse: the same URL. */
		again = url_from_config(c->value, c->dir, &host, err,
		    sizeof(err));
		ok(again == NULL ? got == NULL && host == NULL : got != NULL &&
		    strcmp(again, got) == 0 && host != NULL,
		    "  and with its host: the same");
		if (again != NULL && host != NULL) {
			char *want = url_host(again);

			is_str(want, host, "  its host, as url_host has it");
			free(want);
		}
		free(again);
		free(host);
		if (c->want == NULL) {
			ok(strstr(err, c->reason) != NULL,
			    "  refused with a reason: %s", err);
			/* The reason names the value, so it can be found. */
			if (*c->value != '\0' && strcmp(c->value, "file:") != 0)
				ok(strstr(err, c->value) != NULL,
				    "  the reason quotes the value");
		}
		free(got);
	}
}

static void
test_host(void)
{
	static const struct {
		const char *url, *want;
	} cases[] = {
		{ "http://example.org/feed", "example.org" },
		{ "https://example.org:8443/a?b#c", "example.org" },
		{ "http://user:pw@example.org/", "example.org" },
		{ "http://[::1]:8080/x", "[::1]" },
		{ "http://127.0.0.1:18080/feed.xml", "127.0.0.1" },
		{ "file:///etc/feed.xml", "" },
		{ "ftp://example.org/", "" },
		{ "http://", "" },
	};

	for (size_t i = 0; i < NITEMS(cases); i++) {
		char *h = url_host(cases[i].url);

		is_str(cases[i].want, h, "url_host(\"%s\")", cases[i].url);
		free(h);
	}
}

static void
test_is_http(void)
{
	is_int(1, url_is_http("http://example.org/"), "http is http");
	is_int(1, url_is_http("https://example.org/"), "https is http");
	is_int(1, url_is_http("HTTP://EXAMPLE.ORG/"), "HTTP is http");
	is_int(1, url_is_http("HttpS://example.org/"), "HttpS is http");
	is_int(0, url_is_http("file:///etc/passwd"), "file is not http");
	is_int(0, url_is_http("ftp://example.org/"), "ftp is not http");
	is_int(0, url_is_http("httpx://example.org/"), "httpx is not http");
	is_int(0, url_is_http("http:/example.org/"), "http:/ is not http");
	is_int(0, url_is_http("http"), "a bare http is not a URL");
	is_int(0, url_is_http(""), "empty is not http");
	is_int(0, url_is_http("feeds/http://x"), "a path is not http");
}

/* HOSTILE rows 21, 26 and 27: what may go out as an entry's link. */
static void
test_linkable(void)
{
	static const struct {
		const char *url, *doc;
		int want;
	} cases[] = {
		{ "https://example.org/a", "https://example.org/feed", 1 },
		{ "HTTP://example.org/a", NULL, 1 },
		{ "javascript:alert(1)", "https://example.org/feed", 0 },
		{ "JaVaScRiPt:alert(1)", NULL, 0 },
		{ "javascript:alert(1)//x", NULL, 0 },
		{ "vbscript:msgbox(1)", NULL, 0 },
		{ "data:text/html,<script>alert(1)</script>", NULL, 0 },
		{ "java\tscript:alert(1)", NULL, 0 },
		{ "java\nscript:alert(1)", NULL, 0 },
		{ " javascript:alert(1)", NULL, 0 },
		{ "\x01javascript:alert(1)", NULL, 0 },
		{ "\\\\evil.example\\x", NULL, 0 },
		{ "mailto:jo@example.org", NULL, 0 },
		{ "ftp://example.org/x", NULL, 0 },
		{ "file:///etc/passwd", "https://example.org/feed", 0 },
		{ "file:///etc/passwd", NULL, 0 },
		{ "file:///srv/feeds/a.html", "file:///srv/feeds/a.xml", 1 },
		{ "posts/one.html", NULL, 1 },
		{ "/media/one.ogg", NULL, 1 },
		{ "//cdn.example.net/three", NULL, 1 },
		{ "?page=2#top", NULL, 1 },
		{ "a:b/c", NULL, 0 },
		{ "", NULL, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_int(cases[i].want, url_linkable(cases[i].url, cases[i].doc),
		    "linkable: [%s] in a document at %s", cases[i].url,
		    cases[i].doc ? cases[i].doc : "(none)");
}

int
main(void)
{
	test_resolve();
	test_chains();
	test_from_config();
	test_host();
	test_is_http();
	test_linkable();
	return done_testing();
}
