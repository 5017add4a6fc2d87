/*
 * t_jsonfeed.c - jsonfeed_parse() on the fixtures tests/data/jsonfeed-*.json
 * and on documents built here: every field, JSON Feed 1.0, relative links,
 * fields of the wrong type, control characters and surrogates, the
 * rejections, and the limits.
 *
 * Fixtures are found through $SRCDIR (set by `make check` to the source
 * tree), else the current directory.  Every expectation below was written
 * from the fixture's text and the SPEC, not from the parser's output.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "date.h"
#include "jsonfeed.h"
#include "parse.h"
#include "tap.h"
#include "util.h"
#include "utf8.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))
#define DOC_URL		"https://example.org/blog/feed.json"

static char datadir[4096];	/* $SRCDIR/tests/data */

/* Parses a fixture; err gets the reason when NULL comes back. */
static struct feed_doc *
parse_file(const char *name, const char *url, char *err, size_t errlen)
{
	size_t len = 0;
	char *data = tu_slurp(datadir, name, &len);
	struct feed_doc *d;

	if (data == NULL) {
		snprintf(err, errlen, "fixture missing");
		return NULL;
	}
	d = jsonfeed_parse(data, len, url, err, errlen);
	free(data);
	return d;
}

static struct feed_doc *
parse_str(const char *s, const char *url, char *err, size_t errlen)
{
	return jsonfeed_parse(s, strlen(s), url, err, errlen);
}

/* A date as RFC 3339, or "none" for DATE_NONE, for is_str. */
static const char *
ds(int64_t t, char buf[DATE_BUFSZ])
{
	if (t == DATE_NONE)
		return "none";
	return date_format(t, buf);
}

/* 1 when s is NULL or valid UTF-8 with no C0 control but tab/LF/CR. */
static int
clean_str(const char *s)
{
	if (s == NULL)
		return 1;
	if (!utf8_valid(s))
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
			return 0;
	return 1;
}

static int
entry_sane(const struct entry *e)
{
	const char *s[] = { e->id, e->title, e->link, e->author, e->summary,
	    e->content };

	for (size_t i = 0; i < NITEMS(s); i++)
		if (!clean_str(s[i]))
			return 0;
	if ((e->categories == NULL) != (e->ncategories == 0) ||
	    (e->enclosures == NULL) != (e->nenclosures == 0))
		return 0;
	for (size_t i = 0; i < e->ncategories; i++)
		if (e->categories[i] == NULL || !clean_str(e->categories[i]))
			return 0;
	for (size_t i = 0; i < e->nenclosures; i++)
		if (e->enclosures[i].url == NULL ||
		    !clean_str(e->enclosures[i].url) ||
		    !clean_str(e->enclosures[i].type) ||
		    e->enclosures[i].length < -1)
			return 0;
	return 1;
}

/* The invariants of parse.h, for every document that parses. */
static void
doc_sane(const char *what, const struct feed_doc *d)
{
	const char *s[] = { d->title, d->link, d->id, d->subtitle,
	    d->language, d->bozo_reason };
	int good = strcmp(d->format, "jsonfeed") == 0 && d->id == NULL &&
	    d->updated == DATE_NONE &&
	    (d->entries == NULL) == (d->nentries == 0);

	for (size_t i = 0; i < NITEMS(s); i++)
		good = good && clean_str(s[i]);
	for (size_t i = 0; good && i < d->nentries; i++)
		good = entry_sane(&d->entries[i]);
	ok(good, "%s: clean strings, jsonfeed format, parse.h invariants",
	    what);
}

static void
test_full(void)
{
	char err[256] = "", b[DATE_BUFSZ];
	struct feed_doc *d;
	struct entry *e;

	d = parse_file("jsonfeed-full.json", DOC_URL, err, sizeof(err));
	if (!ok(d != NULL, "1.1 feed with every field parses")) {
		diag("%s", err);
		return;
	}
	doc_sane("full", d);
	is_str("The Full Feed", d->title, "feed title collapsed");
	is_str("https://example.org/", d->link, "feed link is home_page_url");
	is_str(NULL, d->id, "feed id stays NULL (feed_url is not an id)");
	is_str("Every field of <b>JSON Feed</b> 1.1", d->subtitle,
	    "feed subtitle is description, as given");
	is_str("en-GB", d->language, "feed language");
	is_int(DATE_NONE, d->updated, "feed updated is DATE_NONE");
	is_int(0, d->bozo, "not bozo");
	if (!is_int(2, (long long)d->nentries, "two items"))
		goto done;
	e = &d->entries[0];
	is_str("tag:example.org,2025:1", e->id, "item id");
	is_str("First post, with \"quotes\" & caf\xC3\xA9", e->title,
	    "item title collapsed, escapes decoded");
	is_str("https://example.org/2025/first", e->link,
	    "url beats external_url");
	is_str("<p>Hello, <em>world</em> &amp; all.</p>", e->content,
	    "content_html beats content_text");
	is_str("A <b>short</b> summary", e->summary, "summary as given");
	is_str("2025-03-11T08:00:00Z", ds(e->published, b), "date_published");
	is_str("2025-03-12T08:30:00Z", ds(e->updated, b),
	    "date_modified, offset applied");
	is_str("Ada Lovelace", e->author, "authors[0].name, collapsed");
	if (is_int(3, (long long)e->ncategories, "three tags")) {
		is_str("cs.LG", e->categories[0], "tag 1");
		is_str("machine learning", e->categories[1],
		    "tag 2 collapsed");
		is_str("cs.LG", e->categories[2], "tag 3 (kept as given)");
	}
	if (is_int(2, (long long)e->nenclosures, "two attachments")) {
		is_str("https://example.org/media/episode1.mp3",
		    e->enclosures[0].url, "attachment url");
		is_str("audio/mpeg", e->enclosures[0].type,
		    "attachment mime_type");
		is_int(12345678, e->enclosures[0].length,
		    "attachment size_in_bytes");
		is_str("application/pdf", e->enclosures[1].type,
		    "second attachment type");
		is_int(-1, e->enclosures[1].length, "no size: length -1");
	}
	e = &d->entries[1];
	is_str("2", e->id, "second item id");
	is_str("https://elsewhere.example.net/second", e->link,
	    "external_url when there is no url");
	is_str("Plain text only.\nTwo lines.", e->content,
	    "content_text as given");
	is_str("2025-03-11T09:00:00Z", ds(e->published, b),
	    "RFC 822 date_published read too");
	is_str("none", ds(e->updated, b), "no date_modified: DATE_NONE");
	ok(e->title == NULL && e->author == NULL && e->summary == NULL,
	    "absent title, author, summary are NULL");
	ok(e->categories == NULL && e->ncategories == 0 &&
	    e->enclosures == NULL && e->nenclosures == 0,
	    "no tags, no attachments");
done:
	feed_doc_free(d);
}

static void
test_v10(void)
{
	char err[256] = "", b[DATE_BUFSZ];
	struct feed_doc *d;

	d = parse_file("jsonfeed-1.0.json", NULL, err, sizeof(err));
	if (!ok(d != NULL, "1.0 feed parses")) {
		diag("%s", err);
		return;
	}
	doc_sane("1.0", d);
	is_str("A JSON Feed 1.0", d->title, "1.0 feed title");
	if (!is_int(3, (long long)d->nentries, "1.0: three items"))
		goto done;
	is_str("123", d->entries[0].id, "numeric id 123 -> \"123\"");
	is_str("Grace Hopper", d->entries[0].author,
	    "1.0 author.name, collapsed");
	is_str("2017-05-17T15:02:12Z", ds(d->entries[0].published, b),
	    "date with -07:00 offset");
	is_str("1.5e3", d->entries[1].id, "real id keeps its JSON text");
	is_str(NULL, d->entries[1].author,
	    "the feed-level author is not the item's");
	is_str(NULL, d->entries[1].content, "empty content_text is absent");
	is_str("Only a summary", d->entries[1].summary, "summary alone");
	is_str("-7", d->entries[2].id, "negative id");
	is_str("fallback text", d->entries[2].content,
	    "empty content_html: content_text");
	is_str("Used because authors is empty", d->entries[2].author,
	    "empty authors array: author.name");
done:
	feed_doc_free(d);
}

static void
test_relative(void)
{
	static const char *want[2][5] = {
		{ "https://example.org/", "https://example.org/blog/posts/"
		    "one.html", "https://example.org/media/one.ogg",
		    "https://absolute.example.net/two",
		    "https://cdn.example.net/three" },
		{ "../", "posts/one.html", "/media/one.ogg",
		    "https://absolute.example.net/two",
		    "//cdn.example.net/three" },
	};
	static const char *base[2] = { DOC_URL, NULL };
	char err[256] = "";

	for (int i = 0; i < 2; i++) {
		struct feed_doc *d = parse_file("jsonfeed-relative.json",
		    base[i], err, sizeof(err));
		const char *how = base[i] ? "with a base" : "without a base";

		if (!ok(d != NULL && d->nentries == 3, "relative: parses %s",
		    how)) {
			feed_doc_free(d);
			continue;
		}
		doc_sane(how, d);
		is_str(want[i][0], d->link, "home_page_url %s", how);
		is_str(want[i][1], d->entries[0].link, "item url %s", how);
		ok(d->entries[0].nenclosures == 1, "attachment %s", how);
		if (d->entries[0].nenclosures == 1) {
			is_str(want[i][2], d->entries[0].enclosures[0].url,
			    "attachment url %s", how);
			is_int(0, d->entries[0].enclosures[0].length,
			    "size_in_bytes 0 is a length");
		}
		is_str(want[i][3], d->entries[1].link, "absolute url %s", how);
		is_str(want[i][4], d->entries[2].link,
		    "scheme-relative external_url %s", how);
		feed_doc_free(d);
	}
}

static void
types_item1(const struct entry *e)
{
	char b[DATE_BUFSZ];

	ok(e->id == NULL && e->title == NULL && e->summary == NULL &&
	    e->author == NULL, "id true, title 5, summary [], authors/author "
	    "strings: all absent");
	is_str("https://example.org/external", e->link,
	    "url 7 ignored, external_url used");
	is_str("none", ds(e->published, b), "numeric date ignored");
	is_str("none", ds(e->updated, b), "unparseable date: DATE_NONE");
	is_str("the text", e->content, "content_html 5: content_text");
	ok(e->ncategories == 0 && e->nenclosures == 0,
	    "tags \"x\" and attachments {} ignored");
}

static void
types_item2(const struct entry *e)
{
	static const char *urls[] = { "https://example.org/a",
	    "https://example.org/b", "https://example.org/c",
	    "https://example.org/d" };

	ok(e->id == NULL && e->title == NULL, "null id and title: absent");
	is_str("fallback", e->author, "authors[0] is 5: author.name");
	if (is_int(2, (long long)e->ncategories, "only string tags kept")) {
		is_str("ok", e->categories[0], "tag ok");
		is_str("spaced tag", e->categories[1], "tag collapsed");
	}
	if (!is_int(4, (long long)e->nenclosures,
	    "attachments without a string url skipped"))
		return;
	for (size_t i = 0; i < NITEMS(urls); i++) {
		is_str(urls[i], e->enclosures[i].url, "attachment %zu url", i);
		is_int(-1, e->enclosures[i].length,
		    "attachment %zu: bad size_in_bytes is -1", i);
	}
	is_str(NULL, e->enclosures[0].type, "mime_type 5 ignored");
}

static void
test_types(void)
{
	char err[256] = "";
	struct feed_doc *d;
	const struct entry *e;

	d = parse_file("jsonfeed-types.json", DOC_URL, err, sizeof(err));
	if (!ok(d != NULL, "wrong types: parses")) {
		diag("%s", err);
		return;
	}
	doc_sane("types", d);
	ok(d->title == NULL && d->link == NULL && d->subtitle == NULL &&
	    d->language == NULL, "feed fields of the wrong type are absent");
	if (!is_int(3, (long long)d->nentries, "only object items count"))
		goto done;
	types_item1(&d->entries[0]);
	types_item2(&d->entries[1]);
	e = &d->entries[2];
	ok(e->id == NULL && e->author == NULL && e->ncategories == 0 &&
	    e->nenclosures == 0, "id {}, tags {}, attachments \"...\", "
	    "authors {}: all absent");
done:
	feed_doc_free(d);
}

static void
test_controls(void)
{
	char err[256] = "";
	struct feed_doc *d;
	const struct entry *e;

	d = parse_file("jsonfeed-controls.json", NULL, err, sizeof(err));
	if (!ok(d != NULL, "control characters: parses")) {
		diag("%s", err);
		return;
	}
	doc_sane("controls", d);
	is_str("Nul and control", d->title,
	    "\\u0000, \\u0001, \\u001f dropped (not the text after them)");
	is_int(0, d->bozo, "escapes are not bozo");
	if (!is_int(1, (long long)d->nentries, "one item"))
		goto done;
	e = &d->entries[0];
	is_str("ab", e->id, "\\u0000 inside an id dropped");
	is_str("lone \xEF\xBF\xBD surrogate", e->title,
	    "lone \\ud800: one U+FFFD");
	is_str("pair \xF0\x9F\x98\x80, low \xEF\xBF\xBD" " alone, escaped "
	    "\\u0000 stays", e->summary,
	    "surrogate pair decoded, lone \\udc00 replaced, \\\\u0000 kept");
	is_str("tab\there\r\nnewlinebell", e->content,
	    "tab, CR, LF kept in text; BEL dropped");
	is_str(NULL, e->author, "a name of NULs only is absent");
done:
	feed_doc_free(d);
}

static void
test_bom_and_empty(void)
{
	char err[256] = "";
	struct feed_doc *d;

	d = parse_file("jsonfeed-bom.json", NULL, err, sizeof(err));
	if (ok(d != NULL, "a UTF-8 BOM is skipped")) {
		doc_sane("BOM", d);
		is_str("BOM", d->title, "BOM: title");
		ok(d->nentries == 1 && strcmp(d->entries[0].title,
		    "After a BOM") == 0, "BOM: the item");
	} else
		diag("%s", err);
	feed_doc_free(d);
	d = parse_file("jsonfeed-empty.json", NULL, err, sizeof(err));
	if (ok(d != NULL, "an empty items array parses")) {
		doc_sane("empty", d);
		is_str("Nothing yet", d->title, "empty: title");
		ok(d->nentries == 0 && d->entries == NULL, "empty: no entries");
		is_int(0, d->bozo, "empty: not bozo");
	} else
		diag("%s", err);
	feed_doc_free(d);
}

/* One refused document: NULL, and a one-line reason containing want. */
static void
refused(const char *what, struct feed_doc *d, const char *err,
    const char *want)
{
	ok(d == NULL && strstr(err, want) != NULL &&
	    strchr(err, '\n') == NULL, "refused: %s (\"%s\")", what, err);
	if (d != NULL || strstr(err, want) == NULL)
		diag("  want a reason with \"%s\"", want);
	feed_doc_free(d);
}

static void
test_rejections(void)
{
	static const struct {
		const char *file, *want;
	} files[] = {
		{ "jsonfeed-invalid.json", "not valid JSON" },
		{ "jsonfeed-array.json", "not an object" },
		{ "jsonfeed-noversion.json", "no \"version\"" },
		{ "jsonfeed-badversion.json", "unknown \"version\"" },
		{ "jsonfeed-items-object.json", "\"items\" is not an array" },
	};
	static const struct {
		const char *what, *doc, *want;
	} docs[] = {
		{ "empty text", "", "not valid JSON" },
		{ "whitespace", " \n\t", "not valid JSON" },
		{ "a BOM alone", "\xEF\xBB\xBF", "not valid JSON" },
		{ "trailing garbage", "{\"version\": \"https://jsonfeed.org/"
		    "version/1\", \"items\": []} x", "not valid JSON" },
		{ "a raw control in a string", "{\"version\": \"https://json"
		    "feed.org/version/1\", \"title\": \"a\001\", \"items\": []}",
		    "not valid JSON" },
		{ "NaN", "{\"version\": \"https://jsonfeed.org/version/1\", "
		    "\"x\": NaN, \"items\": []}", "not valid JSON" },
		{ "a string", "\"https://jsonfeed.org/version/1\"",
		    "not an object" },
		{ "null", "null", "not an object" },
		{ "version 1.1 as a number", "{\"version\": 1.1, \"items\": []}",
		    "\"version\" is not a string" },
		{ "version null", "{\"version\": null, \"items\": []}",
		    "no \"version\"" },
		{ "items a string", "{\"version\": \"https://jsonfeed.org/"
		    "version/1.1\", \"items\": \"x\"}", "not an array" },
		{ "RSS", "<rss version=\"2.0\"><channel/></rss>",
		    "not valid JSON" },
	};
	static const char nul[] = "{\"version\": \"https://jsonfeed.org/"
	    "version/1\", \"items\": []}\0{}";
	char err[256];

	for (size_t i = 0; i < NITEMS(files); i++) {
		err[0] = '\0';
		refused(files[i].file, parse_file(files[i].file, NULL, err,
		    sizeof(err)), err, files[i].want);
	}
	for (size_t i = 0; i < NITEMS(docs); i++) {
		err[0] = '\0';
		refused(docs[i].what, parse_str(docs[i].doc, NULL, err,
		    sizeof(err)), err, docs[i].want);
	}
	err[0] = '\0';
	refused("a NUL byte", jsonfeed_parse(nul, sizeof(nul) - 1, NULL, err,
	    sizeof(err)), err, "not valid JSON");
	ok(jsonfeed_parse("[]", 2, NULL, NULL, 0) == NULL,
	    "refused with no error buffer");
}

static void
test_lenient(void)
{
	char err[256] = "";
	struct feed_doc *d;

	d = parse_str("{\"version\": \"https://jsonfeed.org/version/1.1\", "
	    "\"title\": \"No items\"}", NULL, err, sizeof(err));
	ok(d != NULL && d->nentries == 0 && d->bozo && d->bozo_reason != NULL,
	    "no items member: zero entries, bozo");
	feed_doc_free(d);
	d = parse_str("{\"version\": \"https://jsonfeed.org/version/1.1\", "
	    "\"items\": null}", NULL, err, sizeof(err));
	ok(d != NULL && d->nentries == 0 && d->bozo, "items null: bozo");
	feed_doc_free(d);
	d = parse_str("{\"version\": \"https://jsonfeed.org/version/1.1\", "
	    "\"title\": \"caf\xE9 \xC3\xA9\", \"items\": [{\"id\": \"\xFF\"}]}",
	    NULL, err, sizeof(err));
	if (ok(d != NULL, "raw invalid UTF-8: parses")) {
		doc_sane("raw invalid UTF-8", d);
		is_str("caf\xEF\xBF\xBD \xC3\xA9", d->title,
		    "invalid byte -> U+FFFD");
		ok(d->nentries == 1 && strcmp(d->entries[0].id,
		    "\xEF\xBF\xBD") == 0, "invalid id byte -> U+FFFD");
		ok(d->bozo && d->bozo_reason != NULL, "raw invalid UTF-8: bozo");
	}
	feed_doc_free(d);
}

/* A document of n items {"id": "i"} and a title of t bytes of '\u20ac'. */
static char *
big_doc(int n, size_t t)
{
	struct buf b = { 0 };

	buf_puts(&b, "{\"version\": \"https://jsonfeed.org/version/1.1\", "
	    "\"title\": \"");
	for (size_t i = 0; i < t; i += 3)
		buf_puts(&b, "\xE2\x82\xAC");
	buf_puts(&b, "\", \"description\": \"");
	for (size_t i = 0; i < t; i++)
		buf_puts(&b, "x");
	buf_puts(&b, "\", \"items\": [");
	for (int i = 0; i < n; i++)
		buf_printf(&b, "%s{\"id\": \"%d\"}", i ? ", " : "", i);
	buf_puts(&b, "]}");
	return buf_steal(&b);
}

static void
test_limits(void)
{
	char err[256] = "", *doc = big_doc(10001, 2 << 20);
	struct feed_doc *d = parse_str(doc, NULL, err, sizeof(err));

	free(doc);
	if (!ok(d != NULL, "10001 items, 2 MiB strings: parses")) {
		diag("%s", err);
		return;
	}
	if (is_int(10000, (long long)d->nentries, "at most 10000 entries"))
		is_str("9999", d->entries[9999].id, "the first 10000 kept");
	is_int(1048575, d->title ? (long long)strlen(d->title) : -1,
	    "a 2 MiB title of 3-byte characters cut at a character boundary");
	ok(d->title && utf8_valid(d->title), "cut title is valid UTF-8");
	is_int(1 << 20, d->subtitle ? (long long)strlen(d->subtitle) : -1,
	    "an ASCII string keeps exactly 1 MiB");
	feed_doc_free(d);
}

static void
test_repeat(void)
{
	char err[256] = "";
	size_t len = 0;
	char *data = tu_slurp(datadir, "jsonfeed-full.json", &len);
	int good = data != NULL;

	for (int i = 0; good && i < 500; i++) {
		struct feed_doc *d = jsonfeed_parse(data, len, DOC_URL, err,
		    sizeof(err));

		good = d != NULL && d->nentries == 2;
		feed_doc_free(d);
	}
	ok(good, "500 calls in a row");
	free(data);
}

/* HOSTILE row 27: only http(s) links go out. */
static void
test_link_schemes(void)
{
	char err[256] = "";
	struct feed_doc *d = parse_str("{\"version\": "
	    "\"https://jsonfeed.org/version/1.1\", \"title\": \"t\", "
	    "\"home_page_url\": \"javascript:alert(1)\", \"items\": ["
	    "{\"id\": \"1\", \"url\": \"javascript:alert(1)\", "
	    "\"attachments\": [{\"url\": \"data:text/html,x\", "
	    "\"mime_type\": \"text/html\"}]}, "
	    "{\"id\": \"2\", \"url\": \"/ok\", \"external_url\": "
	    "\"vbscript:x\"}]}", "https://site.example/feed.json", err,
	    sizeof(err));

	if (ok(d != NULL && d->nentries == 2, "row 27: both items stay (%s)",
	    err)) {
		is_str(NULL, d->link, "  a javascript: home_page_url is dropped");
		is_str(NULL, d->entries[0].link, "  a javascript: url is "
		    "dropped");
		is_int(0, (long long)d->entries[0].nenclosures, "  a data: "
		    "attachment is dropped");
		is_str("https://site.example/ok", d->entries[1].link, "  a "
		    "relative url resolves");
	}
	feed_doc_free(d);
}

int
main(void)
{
	const char *srcdir = getenv("SRCDIR");

	snprintf(datadir, sizeof(datadir), "%s/tests/data",
	    srcdir != NULL ? srcdir : ".");
	test_full();
	test_v10();
	test_relative();
	test_types();
	test_controls();
	test_bom_and_empty();
	test_rejections();
	test_lenient();
	test_limits();
	test_repeat();
	test_link_schemes();
	return done_testing();
}
