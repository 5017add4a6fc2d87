/*
 * t_render.c - render_atom, render_html and render_parse_json on items and
 * documents built by hand.  Output is never compared as text: the Atom is
 * parsed back with libxml2 and checked with XPath, the HTML with libxml2's
 * HTML parser, the JSON with SQLite's JSON1.
 */

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <sqlite3.h>

#include <libxml/entities.h>

#include "buf.h"
#include "date.h"
#include "parse.h"
#include "render.h"
#include "sanitize.h"
#include "store.h"
#include "tap.h"

#define ATOM_NS	"http://www.w3.org/2005/Atom"

/* Text that must survive every output exactly. */
static const char HOSTILE[] = "<script>alert(\"x\")</script> & 'q' ]]> "
    "&amp; <![CDATA[ \xe2\x82\xac";

/* The string value of an XPath expression (new, "" when nothing). */
static char *
xs(xmlXPathContextPtr ctx, const char *expr)
{
	xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, ctx);
	xmlChar *v;
	char *s;

	if (o == NULL) {
		diag("bad xpath %s", expr);
		return strdup("<xpath error>");
	}
	v = xmlXPathCastToString(o);
	s = strdup((const char *)v);
	xmlFree(v);
	xmlXPathFreeObject(o);
	return s;
}

static long
xn(xmlXPathContextPtr ctx, const char *expr)
{
	xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, ctx);
	long n;

	if (o == NULL) {
		diag("bad xpath %s", expr);
		return -1;
	}
	n = (long)xmlXPathCastToNumber(o);
	xmlXPathFreeObject(o);
	return n;
}

static void
is_xpath(xmlXPathContextPtr ctx, const char *expr, const char *want,
    const char *what)
{
	char *got = xs(ctx, expr);

	is_str(want, got, "%s", what);
	free(got);
}

/* YYYY-MM-DDTHH:MM:SSZ */
static int
is_rfc3339(const char *s)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:ddZ";

	if (s == NULL || strlen(s) != sizeof(pat) - 1)
		return 0;
	for (size_t i = 0; pat[i] != '\0'; i++)
		if (pat[i] == 'd' ? !isdigit((unsigned char)s[i]) :
		    pat[i] != s[i])
			return 0;
	return 1;
}

static void
items_clear(struct item *it, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(it[i].uid);
		free(it[i].feed_name);
		free(it[i].feed_title);
		free(it[i].feed_url);
		free(it[i].feed_link);
		free(it[i].feed_id);
		free(it[i].title);
		free(it[i].link);
		free(it[i].author);
		free(it[i].text);
		free(it[i].tags);
		free(it[i].html);
	}
}

/* Two items: one with every field, hostile text included; one bare. */
static void
make_items(struct item it[2])
{
	memset(it, 0, 2 * sizeof(*it));
	it[0].id = 1;
	it[0].uid = strdup("urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e");
	it[0].feed_name = strdup("arxiv");
	it[0].feed_title = strdup("arXiv cs & friends");
	it[0].feed_url = strdup("https://arxiv.example.org/rss/cs");
	it[0].feed_link = strdup("https://arxiv.example.org/");
	it[0].feed_id = strdup("urn:arxiv:cs");
	it[0].feed_updated = 1741680000;	/* 2025-03-11T08:00:00Z */
	it[0].title = strdup(HOSTILE);
	it[0].link = strdup("https://arxiv.example.org/abs/1?a=1&b=2");
	it[0].author = strdup("Ruby \"R\" <ruby@example.org>");
	it[0].text = strdup(HOSTILE);
	it[0].tags = strdup("cs.LG\x1f" "a & b\x1f<c>");
	it[0].published = 1741680000;	/* 2025-03-11T08:00:00Z */
	it[0].updated = 1741683600;	/* 2025-03-11T09:00:00Z */
	it[0].date = it[0].published;

	it[1].id = 2;
	it[1].uid = strdup("urn:uuid:7c9e6679-7425-40de-944b-e07fc1f90ae7");
	it[1].feed_name = strdup("blog");
	it[1].feed_title = strdup("Lab blog");
	it[1].feed_url = strdup("https://blog.example.org/feed.xml");
	it[1].title = strdup("Plain");
	it[1].published = DATE_NONE;
	it[1].updated = DATE_NONE;
	it[1].date = 1741500000;	/* 2025-03-09T06:00:00Z */
}

static void
test_atom(void)
{
	static const char *const channels[] = { "papers", NULL };
	struct render_ctx ctx = {
		.title = "Merged <feed> & co",
		.self = "http://localhost:8080/feed.atom?q=a%20b&limit=2",
		.home = "http://localhost:8080/",
		.query = "a b",
		.channels = channels,
	};
	struct item it[2];
	struct buf out = { 0 };
	xmlDocPtr doc;
	xmlXPathContextPtr x;
	char *s;

	make_items(it);
	if (!ok(render_atom(&ctx, it, 2, &out) == 0, "render_atom returns 0"))
		goto done;
	doc = xmlReadMemory(out.data, (int)out.len, "feed.atom", NULL,
	    XML_PARSE_NONET);
	if (!ok(doc != NULL, "the Atom output is well-formed XML")) {
		diag("%s", out.data ? out.data : "(nothing)");
		goto done;
	}
	x = xmlXPathNewContext(doc);
	xmlXPathRegisterNs(x, BAD_CAST "a", BAD_CAST ATOM_NS);

	is_int(1, xn(x, "count(/a:feed)"), "root is atom:feed");
	is_xpath(x, "/a:feed/a:id", ctx.self, "feed id is the self URL");
	is_xpath(x, "/a:feed/a:title", ctx.title, "feed title as text");
	is_xpath(x, "/a:feed/a:updated", "2025-03-11T09:00:00Z",
	    "feed updated is the newest entry's");
	is_xpath(x, "/a:feed/a:link[@rel='self']/@href", ctx.self,
	    "self link");
	is_xpath(x, "/a:feed/a:link[@rel='alternate']/@href", ctx.home,
	    "alternate link to the HTML page");
	ok(xn(x, "count(/a:feed/a:author/a:name)") == 1,
	    "a feed-level author (RFC 4287 needs one)");
	is_int(2, xn(x, "count(/a:feed/a:entry)"), "one entry per item");

	is_xpath(x, "/a:feed/a:entry[1]/a:id", it[0].uid, "entry 1 id = uid");
	is_xpath(x, "/a:feed/a:entry[2]/a:id", it[1].uid,
	    "entry 2 id = uid, in order");
	is_xpath(x, "/a:feed/a:entry[1]/a:title", HOSTILE,
	    "hostile title round-trips exactly");
	is_xpath(x, "/a:feed/a:entry[1]/a:updated", "2025-03-11T09:00:00Z",
	    "entry updated");
	is_xpath(x, "/a:feed/a:entry[1]/a:published", "2025-03-11T08:00:00Z",
	    "entry published");
	is_int(1, xn(x, "count(/a:feed/a:entry[1]/a:author)"),
	    "author when present");
	is_xpath(x, "/a:feed/a:entry[1]/a:author/a:name", it[0].author,
	    "author name");
	is_xpath(x, "/a:feed/a:entry[1]/a:link[@rel='alternate']/@href",
	    it[0].link, "alternate link (& in the URL)");
	is_int(3, xn(x, "count(/a:feed/a:entry[1]/a:category)"),
	    "three categories from the tags");
	is_xpath(x, "/a:feed/a:entry[1]/a:category[1]/@term", "cs.LG",
	    "category 1");
	is_xpath(x, "/a:feed/a:entry[1]/a:category[2]/@term", "a & b",
	    "category 2");
	is_xpath(x, "/a:feed/a:entry[1]/a:category[3]/@term", "<c>",
	    "category 3");
	is_xpath(x, "/a:feed/a:entry[1]/a:summary/@type", "text",
	    "summary type=text");
	is_xpath(x, "/a:feed/a:entry[1]/a:summary", HOSTILE,
	    "hostile summary round-trips exactly");
	is_xpath(x, "/a:feed/a:entry[1]/a:source/a:id", "urn:arxiv:cs",
	    "source id is the feed's own id");
	is_xpath(x, "/a:feed/a:entry[1]/a:source/a:title", it[0].feed_title,
	    "source title");
	is_xpath(x, "/a:feed/a:entry[1]/a:source/a:updated",
	    "2025-03-11T08:00:00Z", "source updated (the validator wants it)");
	is_xpath(x, "/a:feed/a:entry[1]/a:source/a:link[@rel='self']/@href",
	    it[0].feed_url, "source self link");
	is_xpath(x, "/a:feed/a:entry[1]/a:source/a:link[@rel='alternate']"
	    "/@href", it[0].feed_link, "source alternate link");

	is_xpath(x, "/a:feed/a:entry[2]/a:updated", "2025-03-09T06:00:00Z",
	    "no updated: the item's date");
	is_int(0, xn(x, "count(/a:feed/a:entry[2]/a:published)"),
	    "no published when absent");
	is_int(0, xn(x, "count(/a:feed/a:entry[2]/a:author)"),
	    "no author when absent");
	is_int(0, xn(x, "count(/a:feed/a:entry[2]/a:link)"),
	    "no link when absent");
	is_int(0, xn(x, "count(/a:feed/a:entry[2]/a:category)"),
	    "no categories without tags");
	is_int(0, xn(x, "count(/a:feed/a:entry[2]/a:summary)"),
	    "no summary without text");
	is_xpath(x, "/a:feed/a:entry[2]/a:source/a:id", it[1].feed_url,
	    "source id falls back to the feed URL");
	is_int(0, xn(x, "count(/a:feed/a:entry[2]/a:source/a:link[@rel="
	    "'alternate'])"), "no source alternate link without one");
	is_int(0, xn(x, "count(//*[namespace-uri() != '" ATOM_NS "'])"),
	    "every element is in the Atom namespace");
	s = xs(x, "/a:feed/a:entry[1]/a:published");
	ok(is_rfc3339(s), "dates are RFC 3339 UTC (%s)", s);
	free(s);
	xmlXPathFreeContext(x);
	xmlFreeDoc(doc);

	/* A long tag of multi-byte characters is never cut mid-character. */
	{
		struct item one = it[1];
		struct buf t = { 0 }, tags = { 0 };

		for (int i = 0; i < 300; i++)
			buf_puts(&t, "\xc3\xa9");	/* é: 600 bytes */
		buf_printf(&tags, "x\x1f%s\x1fy", t.data);
		one.tags = tags.data;
		buf_reset(&out);
		ok(render_atom(&ctx, &one, 1, &out) == 0,
		    "render_atom, a 600-byte tag");
		doc = xmlReadMemory(out.data, (int)out.len, "feed.atom", NULL,
		    XML_PARSE_NONET);
		if (ok(doc != NULL, "long tag: still well-formed UTF-8 XML")) {
			x = xmlXPathNewContext(doc);
			xmlXPathRegisterNs(x, BAD_CAST "a", BAD_CAST ATOM_NS);
			is_int(3, xn(x, "count(//a:entry/a:category)"),
			    "long tag: three categories");
			is_xpath(x, "//a:entry/a:category[2]/@term", t.data,
			    "long tag: the term comes back whole");
			xmlXPathFreeContext(x);
			xmlFreeDoc(doc);
		}
		buf_free(&t);
		buf_free(&tags);
	}

	/* No items at all: still a feed. */
	buf_reset(&out);
	ok(render_atom(&ctx, NULL, 0, &out) == 0, "render_atom, no items");
	doc = xmlReadMemory(out.data, (int)out.len, "feed.atom", NULL,
	    XML_PARSE_NONET);
	if (ok(doc != NULL, "empty feed is well-formed")) {
		x = xmlXPathNewContext(doc);
		xmlXPathRegisterNs(x, BAD_CAST "a", BAD_CAST ATOM_NS);
		is_int(0, xn(x, "count(/a:feed/a:entry)"), "no entries");
		s = xs(x, "/a:feed/a:updated");
		ok(is_rfc3339(s), "feed updated still a date (%s)", s);
		free(s);
		xmlXPathFreeContext(x);
		xmlFreeDoc(doc);
	}
done:
	buf_free(&out);
	items_clear(it, 2);
}

static void
test_html(void)
{
	static const char *const channels[] = { "papers", "robots", NULL };
	struct render_ctx ctx = {
		.title = "Sluice <river>",
		.self = "http://localhost:8080/feed.atom",
		.home = "http://localhost:8080/",
		.query = "\"rectified flow\" -survey <b>&",
		.error = NULL,
		.channels = channels,
	};
	struct item it[2];
	struct buf out = { 0 };
	htmlDocPtr doc;
	xmlXPathContextPtr x;

	make_items(it);
	if (!ok(render_html(&ctx, it, 2, &out) == 0, "render_html returns 0"))
		goto done;
	doc = htmlReadMemory(out.data, (int)out.len, NULL, "UTF-8",
	    HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
	if (!ok(doc != NULL, "the HTML parses"))
		goto done;
	x = xmlXPathNewContext(doc);
	is_xpath(x, "/html/head/title", ctx.title, "page title");
	is_int(1, xn(x, "count(//form//input[@name='q'])"),
	    "a form with an input named q");
	is_xpath(x, "//form//input[@name='q']/@value", ctx.query,
	    "its value is the query, exactly");
	is_int(2, xn(x, "count(//li)"), "one li per item");
	is_xpath(x, "//li[1]//a/@href", it[0].link, "item 1 links out");
	is_xpath(x, "//li[1]//a", HOSTILE, "item 1 title as text");
	is_int(0, xn(x, "count(//script)"), "no script element from titles");
	is_xpath(x, "//li[2]//strong", "Plain",
	    "item 2 without a link: title in strong");
	is_int(1, xn(x, "count(//a[@href='c/papers.atom'])"),
	    "link to channel papers");
	is_int(1, xn(x, "count(//a[@href='c/robots.atom'])"),
	    "link to channel robots");
	is_int(1, xn(x, "count(//a[@href='http://localhost:8080/feed.atom'])"),
	    "link to the Atom feed");
	is_int(0, xn(x, "count(//*[@class='error'])"), "no error paragraph");
	xmlXPathFreeContext(x);
	xmlFreeDoc(doc);

	/* An error message, and no items. */
	ctx.error = "unbalanced quote: a phrase <never> ends";
	buf_reset(&out);
	ok(render_html(&ctx, NULL, 0, &out) == 0, "render_html, no items");
	doc = htmlReadMemory(out.data, (int)out.len, NULL, "UTF-8",
	    HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
	if (ok(doc != NULL, "the error page parses")) {
		x = xmlXPathNewContext(doc);
		is_xpath(x, "//*[@class='error']", ctx.error,
		    "the error is shown as text");
		is_int(0, xn(x, "count(//li)"), "no li");
		is_int(1, xn(x, "count(//p[. = 'No entries.'])"),
		    "says there are no entries");
		xmlXPathFreeContext(x);
		xmlFreeDoc(doc);
	}
done:
	buf_free(&out);
	items_clear(it, 2);
}

/* JSON checks on an in-memory SQLite database. */
static sqlite3 *jdb;

static char *
jq(const char *json, const char *expr)
{
	sqlite3_stmt *st;
	char q[512];
	char *v = NULL;

	snprintf(q, sizeof(q), "SELECT %s", expr);
	if (sqlite3_prepare_v2(jdb, q, -1, &st, NULL) != SQLITE_OK) {
		diag("sql %s: %s", q, sqlite3_errmsg(jdb));
		return strdup("<sql error>");
	}
	sqlite3_bind_text(st, 1, json, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);

		v = strdup(t ? (const char *)t : "<NULL>");
	}
	sqlite3_finalize(st);
	return v ? v : strdup("<no row>");
}

static void
is_jq(const char *json, const char *expr, const char *want)
{
	char *got = jq(json, expr);

	is_str(want, got, "%s", expr);
	free(got);
}

static struct feed_doc *
make_doc(void)
{
	struct feed_doc *d = calloc(1, sizeof(*d));
	struct entry *e;

	d->format = "atom1.0";
	d->title = strdup("Feed \"title\" \\ </script>");
	d->id = strdup("urn:feed");
	d->language = strdup("en");
	d->updated = 1741683600;
	d->nentries = 2;
	d->entries = calloc(2, sizeof(*d->entries));
	e = &d->entries[0];
	e->id = strdup("tag:x,2025:1");
	e->title = strdup(HOSTILE);
	e->link = strdup("https://x.example/1");
	e->summary = strdup("line 1\nline 2\t\"quoted\" \\ <b>bold</b>");
	e->content = strdup("<p>Caf\xc3\xa9</p>");
	e->published = 1741680000;
	e->updated = DATE_NONE;
	e->ncategories = 2;
	e->categories = calloc(2, sizeof(char *));
	e->categories[0] = strdup("cs.LG");
	e->categories[1] = strdup("a \"b\"");
	e->nenclosures = 2;
	e->enclosures = calloc(2, sizeof(*e->enclosures));
	e->enclosures[0].url = strdup("https://x.example/a.mp3");
	e->enclosures[0].type = strdup("audio/mpeg");
	e->enclosures[0].length = 12345;
	e->enclosures[1].url = strdup("https://x.example/b");
	e->enclosures[1].length = -1;
	e = &d->entries[1];
	e->title = strdup("Bare");
	e->published = e->updated = DATE_NONE;
	return d;
}

static void
test_json(void)
{
	struct feed_doc *d = make_doc();
	struct buf out = { 0 };
	const char *j;

	if (sqlite3_open(":memory:", &jdb) != SQLITE_OK) {
		ok(0, "sqlite in memory");
		return;
	}
	if (!ok(render_parse_json(d, &out) == 0, "render_parse_json returns 0"))
		goto done;
	j = out.data;
	is_jq(j, "json_valid(?1)", "1");
	is_jq(j, "json_type(?1)", "object");
	is_jq(j, "json_extract(?1, '$.format')", "atom1.0");
	is_jq(j, "json_extract(?1, '$.feed.title')", d->title);
	is_jq(j, "json_type(?1, '$.feed.link')", "null");
	is_jq(j, "json_type(?1, '$.feed.subtitle')", "null");
	is_jq(j, "json_extract(?1, '$.feed.id')", "urn:feed");
	is_jq(j, "json_extract(?1, '$.feed.updated')", "2025-03-11T09:00:00Z");
	is_jq(j, "json_extract(?1, '$.feed.language')", "en");
	is_jq(j, "json_array_length(?1, '$.entries')", "2");
	is_jq(j, "json_extract(?1, '$.entries[0].id')", "tag:x,2025:1");
	is_jq(j, "json_extract(?1, '$.entries[0].title')", HOSTILE);
	is_jq(j, "json_extract(?1, '$.entries[0].link')",
	    "https://x.example/1");
	is_jq(j, "json_extract(?1, '$.entries[0].published')",
	    "2025-03-11T08:00:00Z");
	is_jq(j, "json_type(?1, '$.entries[0].updated')", "null");
	is_jq(j, "json_type(?1, '$.entries[0].author')", "null");
	is_jq(j, "json_extract(?1, '$.entries[0].summary')", d->entries[0].
	    summary);
	is_jq(j, "json_extract(?1, '$.entries[0].content')",
	    "<p>Caf\xc3\xa9</p>");
	is_jq(j, "json_type(?1, '$.entries[0].categories')", "array");
	is_jq(j, "json_array_length(?1, '$.entries[0].categories')", "2");
	is_jq(j, "json_extract(?1, '$.entries[0].categories[1]')", "a \"b\"");
	is_jq(j, "json_type(?1, '$.entries[0].enclosures')", "array");
	is_jq(j, "json_array_length(?1, '$.entries[0].enclosures')", "2");
	is_jq(j, "json_extract(?1, '$.entries[0].enclosures[0].url')",
	    "https://x.example/a.mp3");
	is_jq(j, "json_extract(?1, '$.entries[0].enclosures[0].type')",
	    "audio/mpeg");
	is_jq(j, "json_type(?1, '$.entries[0].enclosures[0].length')",
	    "integer");
	is_jq(j, "json_extract(?1, '$.entries[0].enclosures[0].length')",
	    "12345");
	is_jq(j, "json_type(?1, '$.entries[0].enclosures[1].type')", "null");
	is_jq(j, "json_type(?1, '$.entries[0].enclosures[1].length')", "null");
	/* Every key of the SPEC shape is present in the bare entry. */
	is_jq(j, "(SELECT group_concat(key || ':' || type, ',') FROM "
	    "json_each(?1, '$.entries[1]'))",
	    "id:null,title:text,link:null,published:null,updated:null,"
	    "author:null,summary:null,content:null,categories:array,"
	    "enclosures:array");
	is_jq(j, "(SELECT group_concat(key, ',') FROM json_each(?1, '$.feed'))",
	    "title,link,id,subtitle,updated,language");
	is_jq(j, "json_array_length(?1, '$.entries[1].categories')", "0");

	/* No entries. */
	d->nentries = 0;
	buf_reset(&out);
	if (ok(render_parse_json(d, &out) == 0, "no entries")) {
		is_jq(out.data, "json_valid(?1)", "1");
		is_jq(out.data, "json_type(?1, '$.entries')", "array");
		is_jq(out.data, "json_array_length(?1, '$.entries')", "0");
	}
done:
	d->nentries = 2;
	feed_doc_free(d);
	buf_free(&out);
	sqlite3_close(jdb);
}

/* The RSS description as HTML would show it: HOSTILE, escaped once. */
static char *
html_text(const char *s)
{
	xmlChar *e = xmlEncodeSpecialChars(NULL, BAD_CAST s);
	char *r = strdup((const char *)e);

	xmlFree(e);
	return r;
}

static void
test_rss(void)
{
	struct render_ctx ctx = {
		.title = "Merged <feed> & co",
		.self = "http://localhost:8080/feed.rss?q=a%20b&limit=2",
		.next = "http://localhost:8080/feed.rss?q=a%20b&limit=2&cursor=d1",
		.home = "http://localhost:8080/",
	};
	struct item it[2];
	struct buf out = { 0 };
	xmlDocPtr doc;
	xmlXPathContextPtr x;
	char *want;

	make_items(it);
	free(it[1].author);
	it[1].author = strdup("ann@example.org");
	if (!ok(render_rss(&ctx, it, 2, &out) == 0, "render_rss returns 0"))
		return;
	doc = xmlReadMemory(out.data, (int)out.len, NULL, NULL,
	    XML_PARSE_NONET);
	if (!ok(doc != NULL, "the RSS is well-formed XML")) {
		buf_free(&out);
		items_clear(it, 2);
		return;
	}
	x = xmlXPathNewContext(doc);
	xmlXPathRegisterNs(x, BAD_CAST "atom", BAD_CAST ATOM_NS);
	xmlXPathRegisterNs(x, BAD_CAST "dc",
	    BAD_CAST "http://purl.org/dc/elements/1.1/");
	is_xpath(x, "string(/rss/@version)", "2.0", "rss version 2.0");
	is_xpath(x, "string(/rss/channel/title)", ctx.title, "channel title");
	is_xpath(x, "string(/rss/channel/atom:link[@rel='self']/@href)",
	    ctx.self, "atom:link self");
	is_xpath(x, "string(/rss/channel/atom:link[@rel='next']/@href)",
	    ctx.next, "atom:link next");
	is_int(2, xn(x, "count(/rss/channel/item)"), "two items");
	is_xpath(x, "string(//item[1]/title)", HOSTILE, "the title as text");
	want = html_text(HOSTILE);
	is_xpath(x, "string(//item[1]/description)", want, "the description "
	    "escaped as HTML, for readers that take it as HTML");
	free(want);
	is_xpath(x, "string(//item[1]/guid)", it[0].uid, "guid: the uid");
	is_xpath(x, "string(//item[1]/guid/@isPermaLink)", "false",
	    "  not a permalink");
	is_xpath(x, "string(//item[1]/pubDate)",
	    "Tue, 11 Mar 2025 08:00:00 +0000", "pubDate in RFC 822");
	is_int(0, xn(x, "count(//item[1]/author)"), "a named author is no "
	    "<author> (which wants an e-mail address)");
	is_xpath(x, "string(//item[1]/dc:creator)", it[0].author,
	    "  but dc:creator");
	is_xpath(x, "string(//item[2]/author)", "ann@example.org",
	    "an e-mail address is <author>");
	is_int(3, xn(x, "count(//item[1]/category)"), "a category per tag");
	is_xpath(x, "string(//item[1]/category[2])", "a & b", "  as text");
	is_xpath(x, "string(//item[1]/source/@url)", it[0].feed_url,
	    "source url: the feed's");
	is_xpath(x, "string(//item[1]/source)", it[0].feed_title,
	    "  its title");
	is_xpath(x, "string(//item[2]/pubDate)",
	    "Sun, 09 Mar 2025 06:00:00 +0000", "no date: the date it has");
	xmlXPathFreeContext(x);
	xmlFreeDoc(doc);
	buf_free(&out);
	items_clear(it, 2);
}

static void
test_opml(void)
{
	struct opml_source src[] = {
		{ "arxiv", NULL, "https://arxiv.example.org/rss?a=1&b=2", NULL },
		{ "blog", "Lab <blog>", "https://blog.example.org/feed.xml",
		    "ml, lab" },
	};
	struct buf out = { 0 };
	xmlDocPtr doc;
	xmlXPathContextPtr x;

	ok(render_opml("Sources & co", src, 2, &out) == 0, "render_opml");
	doc = xmlReadMemory(out.data, (int)out.len, NULL, NULL,
	    XML_PARSE_NONET);
	if (!ok(doc != NULL, "the OPML is well-formed")) {
		buf_free(&out);
		return;
	}
	x = xmlXPathNewContext(doc);
	is_xpath(x, "string(/opml/@version)", "2.0", "OPML 2.0");
	is_xpath(x, "string(/opml/head/title)", "Sources & co", "its title");
	is_int(2, xn(x, "count(/opml/body/outline[@type='rss'])"),
	    "an outline per source");
	is_xpath(x, "string(//outline[1]/@xmlUrl)", src[0].url,
	    "  with its xmlUrl");
	is_xpath(x, "string(//outline[1]/@text)", "arxiv", "  its text: the "
	    "name");
	is_int(0, xn(x, "count(//outline[1]/@title)"), "  no title "
	    "configured: none");
	is_xpath(x, "string(//outline[2]/@text)", "blog", "  the other's "
	    "name");
	is_xpath(x, "string(//outline[2]/@title)", "Lab <blog>",
	    "  and its title, as text");
	is_xpath(x, "string(//outline[2]/@category)", "ml, lab",
	    "  its tags as the category");
	xmlXPathFreeContext(x);
	xmlFreeDoc(doc);
	buf_free(&out);
}

/* HTML content: sanitized in every format, never passed through. */
static void
test_html_content(void)
{
	static const char hostile[] = "<p onclick=\"x()\">Hi <script>"
	    "alert(1)</script><a href=\"javascript:x\">j</a> <a href=\"rel\">"
	    "r</a><img src=x onerror=y></p>";
	struct render_ctx ctx = {
		.title = "T", .self = "http://localhost/feed.atom",
		.home = "http://localhost/",
	};
	struct item it[2];
	struct buf out = { 0 };
	xmlDocPtr doc;
	xmlXPathContextPtr x;
	char *want;

	make_items(it);
	it[0].html = strdup(hostile);
	want = html_sanitize(hostile, it[0].link);
	ok(want != NULL && strstr(want, "script") == NULL &&
	    strstr(want, "onclick") == NULL && strstr(want, "onerror") ==
	    NULL && strstr(want, "javascript") == NULL, "the sanitized HTML "
	    "has no script, no on*, no javascript: (%s)", want);
	ok(render_atom(&ctx, it, 2, &out) == 0 && (doc = xmlReadMemory(out.data,
	    (int)out.len, NULL, NULL, XML_PARSE_NONET)) != NULL,
	    "Atom with HTML content");
	x = xmlXPathNewContext(doc);
	xmlXPathRegisterNs(x, BAD_CAST "a", BAD_CAST ATOM_NS);
	is_xpath(x, "string(//a:entry[1]/a:content[@type='html'])", want,
	    "  its content type=html is the sanitized HTML");
	is_int(0, xn(x, "count(//a:entry[2]/a:content)"), "  no HTML, no "
	    "content");
	xmlXPathFreeContext(x);
	xmlFreeDoc(doc);
	buf_reset(&out);
	ok(render_rss(&ctx, it, 2, &out) == 0 && (doc = xmlReadMemory(out.data,
	    (int)out.len, NULL, NULL, XML_PARSE_NONET)) != NULL,
	    "RSS with HTML content");
	x = xmlXPathNewContext(doc);
	is_xpath(x, "string(//item[1]/description)", want,
	    "  its description is the sanitized HTML");
	xmlXPathFreeContext(x);
	xmlFreeDoc(doc);
	buf_reset(&out);
	ok(render_json(&ctx, it, 2, &out) == 0, "JSON Feed with HTML content");
	{
		sqlite3 *db;
		sqlite3_stmt *st;
		const char *got = NULL;

		sqlite3_open(":memory:", &db);
		if (sqlite3_prepare_v2(db, "SELECT json_extract(?1, "
		    "'$.items[0].content_html'), json_type(?1, "
		    "'$.items[1].content_html')", -1, &st, NULL) ==
		    SQLITE_OK) {
			sqlite3_bind_text(st, 1, out.data ? out.data : "", -1,
			    SQLITE_STATIC);
			if (sqlite3_step(st) == SQLITE_ROW) {
				got = (const char *)sqlite3_column_text(st, 0);
				is_str(want, got, "  its content_html is the "
				    "sanitized HTML");
				ok(sqlite3_column_type(st, 1) == SQLITE_NULL,
				    "  no HTML, no content_html");
			}
			sqlite3_finalize(st);
		}
		sqlite3_close(db);
	}
	buf_free(&out);
	free(want);
	items_clear(it, 2);
}

int
main(void)
{
	xmlInitParser();
	test_atom();
	test_html();
	test_json();
	test_rss();
	test_opml();
	test_html_content();
	xmlCleanupParser();
	return done_testing();
}
