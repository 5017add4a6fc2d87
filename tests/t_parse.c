/*
 * t_parse.c - feed_parse() on golden fixtures (tests/data), on the sample
 * feeds (feeds/), and on broken and hostile documents.
 *
 * Fixtures are found through $SRCDIR (set by `make check` to the source
 * tree), else the current directory.  Every expectation below was written
 * from the fixture's text and the SPEC, not from the parser's output.
 */

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libxml/xmlstring.h>

#include "date.h"
#include "parse.h"
#include "tap.h"
#include "util.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

static const char *srcdir;

/* Parses a fixture; err gets the reason when NULL comes back. */
static struct feed_doc *
parse_file(const char *rel, const char *url, const char *charset, char *err,
    size_t errlen)
{
	size_t len = 0;
	char *data = tu_slurp(srcdir, rel, &len);
	struct feed_doc *d;

	if (data == NULL) {
		snprintf(err, errlen, "fixture missing");
		return NULL;
	}
	d = feed_parse(data, len, url, charset, err, errlen);
	free(data);
	return d;
}

/* A date as RFC 3339, or "none" for DATE_NONE, for is_str. */
static const char *
ds(int64_t t, char buf[DATE_BUFSZ])
{
	if (t == DATE_NONE)
		return "none";
	return date_format(t, buf);
}

/*
 * 1 when s is strictly valid UTF-8 (Unicode table 3-7: no overlong forms,
 * no surrogates, nothing above U+10FFFF), which xmlCheckUTF8 alone does not
 * check.
 */
static int
strict_utf8(const unsigned char *p)
{
	while (*p != '\0') {
		unsigned char c = *p;
		unsigned char lo = 0x80, hi = 0xbf;
		int n;

		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			if (c == 0xe0)
				lo = 0xa0;
			else if (c == 0xed)
				hi = 0x9f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			if (c == 0xf0)
				lo = 0x90;
			else if (c == 0xf4)
				hi = 0x8f;
		} else
			return 0;
		p++;
		if (*p < lo || *p > hi)
			return 0;
		for (p++, n--; n > 0; n--, p++)
			if ((*p & 0xc0) != 0x80)
				return 0;
	}
	return 1;
}

/* 1 when s is NULL or valid UTF-8 with no C0 control but tab/LF/CR. */
static int
clean_str(const char *s, int allow_space_ctl)
{
	if (s == NULL)
		return 1;
	if (!xmlCheckUTF8((const unsigned char *)s) ||
	    !strict_utf8((const unsigned char *)s))
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p >= 0x20)
			continue;
		if (allow_space_ctl && (*p == '\t' || *p == '\n' || *p == '\r'))
			continue;
		return 0;
	}
	return 1;
}

/* Every string of the document passes clean_str (titles: no \t\n\r). */
static int
doc_clean(const struct feed_doc *d)
{
	int good = clean_str(d->title, 0) && clean_str(d->link, 0) &&
	    clean_str(d->id, 0) && clean_str(d->subtitle, 1) &&
	    clean_str(d->language, 0) && clean_str(d->bozo_reason, 0);

	for (size_t i = 0; i < d->nentries; i++) {
		const struct entry *e = &d->entries[i];

		good = good && clean_str(e->id, 0) && clean_str(e->title, 0) &&
		    clean_str(e->link, 0) && clean_str(e->author, 0) &&
		    clean_str(e->summary, 1) && clean_str(e->content, 1);
		for (size_t j = 0; j < e->ncategories; j++)
			good = good && clean_str(e->categories[j], 0);
		for (size_t j = 0; j < e->nenclosures; j++)
			good = good && clean_str(e->enclosures[j].url, 0) &&
			    clean_str(e->enclosures[j].type, 0);
	}
	return good;
}

/* 1 when needle occurs in any string of d. */
static int
doc_contains(const struct feed_doc *d, const char *needle)
{
	const char *top[] = { d->title, d->link, d->id, d->subtitle,
	    d->language, d->bozo_reason };

	for (size_t i = 0; i < NITEMS(top); i++)
		if (top[i] != NULL && strstr(top[i], needle) != NULL)
			return 1;
	for (size_t i = 0; i < d->nentries; i++) {
		const struct entry *e = &d->entries[i];
		const char *f[] = { e->id, e->title, e->link, e->author,
		    e->summary, e->content };

		for (size_t j = 0; j < NITEMS(f); j++)
			if (f[j] != NULL && strstr(f[j], needle) != NULL)
				return 1;
		for (size_t j = 0; j < e->ncategories; j++)
			if (strstr(e->categories[j], needle) != NULL)
				return 1;
		for (size_t j = 0; j < e->nenclosures; j++)
			if (strstr(e->enclosures[j].url, needle) != NULL)
				return 1;
	}
	return 0;
}

/* The longest string in d, in bytes. */
static size_t
doc_longest(const struct feed_doc *d)
{
	size_t max = 0;
	const char *top[] = { d->title, d->link, d->id, d->subtitle };

	for (size_t i = 0; i < NITEMS(top); i++)
		if (top[i] != NULL && strlen(top[i]) > max)
			max = strlen(top[i]);
	for (size_t i = 0; i < d->nentries; i++) {
		const struct entry *e = &d->entries[i];
		const char *f[] = { e->id, e->title, e->link, e->author,
		    e->summary, e->content };

		for (size_t j = 0; j < NITEMS(f); j++)
			if (f[j] != NULL && strlen(f[j]) > max)
				max = strlen(f[j]);
	}
	return max;
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
test_rss2(void)
{
	char err[256] = "", d1[DATE_BUFSZ];
	struct feed_doc *d;
	const struct entry *e;

	d = parse_file("tests/data/rss2-basic.xml",
	    "https://news.example.com/feeds/rss.xml", NULL, err, sizeof(err));
	if (!ok(d != NULL, "rss2-basic parses")) {
		diag("error: %s", err);
		return;
	}
	is_str("rss2.0", d->format, "rss2: format");
	is_int(0, d->bozo, "rss2: well-formed, not bozo");
	ok(d->bozo_reason == NULL, "rss2: no bozo_reason");
	is_str("Example & Co. News", d->title,
	    "rss2: feed title decoded, collapsed");
	is_str("https://news.example.com/", d->link, "rss2: feed link");
	ok(d->id == NULL, "rss2: no feed id");
	is_str("All the news that fits.", d->subtitle,
	    "rss2: description is the subtitle");
	is_str("en-us", d->language, "rss2: language");
	is_str("2025-03-11T09:30:00Z", ds(d->updated, d1),
	    "rss2: lastBuildDate is the feed's updated");
	if (!is_int(3, (long long)d->nentries, "rss2: three entries"))
		goto done;

	e = &d->entries[0];
	is_str("post-1", e->id, "rss2: guid, trimmed");
	is_str("Caf\xc3\xa9 menus & prices", e->title,
	    "rss2: title: character reference and &amp; decoded, collapsed");
	is_str("https://news.example.com/posts/1", e->link, "rss2: link");
	is_str("Ed Itor", e->author,
	    "rss2: <author> beats dc:creator; \"mail (Name)\" gives the name");
	is_str("Short <b>summary</b> one.", e->summary,
	    "rss2: description -> summary, unescaped");
	is_str("<p>Full <em>content</em> one &amp; more.</p>", e->content,
	    "rss2: content:encoded -> content, CDATA as given");
	is_str("2025-03-11T08:00:00Z", ds(e->published, d1),
	    "rss2: pubDate -> published");
	is_str("2025-03-11T10:00:00Z", ds(e->updated, d1),
	    "rss2: dc:date -> updated");
	if (is_int(2, (long long)e->ncategories, "rss2: two categories")) {
		is_str("news", e->categories[0], "rss2: category 1");
		is_str("food & drink", e->categories[1],
		    "rss2: category 2 decoded");
	}
	if (is_int(1, (long long)e->nenclosures, "rss2: one enclosure")) {
		is_str("https://cdn.example.com/a.mp3", e->enclosures[0].url,
		    "rss2: enclosure url");
		is_str("audio/mpeg", e->enclosures[0].type,
		    "rss2: enclosure type");
		is_int(12345, e->enclosures[0].length,
		    "rss2: enclosure length");
	}

	e = &d->entries[1];
	ok(e->id == NULL, "rss2: item without guid has no id");
	is_str("A bold title", e->title,
	    "rss2: CDATA title with markup: stripped, collapsed");
	is_str("https://news.example.com/posts/2?a=1&b=2", e->link,
	    "rss2: relative link resolved against the document URL");
	is_str("Jane Roe", e->author, "rss2: dc:creator is the author");
	is_str("<p>Second <a href=\"/x\">summary</a></p>", e->summary,
	    "rss2: CDATA description kept as given");
	ok(e->content == NULL, "rss2: no content:encoded, no content");
	is_str("none", ds(e->published, d1), "rss2: no pubDate, no published");
	is_str("2025-03-10T11:00:00Z", ds(e->updated, d1),
	    "rss2: dc:date with offset -> updated (UTC)");
	if (is_int(1, (long long)e->ncategories, "rss2: dc:subject"))
		is_str("science", e->categories[0], "rss2: dc:subject text");
	if (is_int(1, (long long)e->nenclosures, "rss2: enclosure 2")) {
		is_str("https://news.example.com/feeds/media/b.ogg",
		    e->enclosures[0].url, "rss2: relative enclosure resolved");
		is_int(-1, e->enclosures[0].length,
		    "rss2: missing length is -1");
	}

	e = &d->entries[2];
	is_str("No date here", e->title,
	    "rss2: escaped markup in an RSS title stripped");
	is_str("none", ds(e->published, d1),
	    "rss2: unparseable pubDate -> DATE_NONE");
	is_str("none", ds(e->updated, d1), "rss2: and no updated either");
	is_str("https://news.example.com/posts/3", e->id,
	    "rss2: entry with a bad date is kept");
	is_int(0, (long long)e->ncategories, "rss2: no categories");
	is_int(0, (long long)e->nenclosures, "rss2: no enclosures");
done:
	feed_doc_free(d);
}

static void
test_rss09x(void)
{
	char err[256] = "";
	struct feed_doc *d;

	d = parse_file("tests/data/rss091.xml", NULL, NULL, err, sizeof(err));
	if (ok(d != NULL, "rss 0.91 parses (external DTD not fetched)")) {
		is_str("rss0.9x", d->format, "rss091: format rss0.9x");
		is_str("Old School", d->title, "rss091: title");
		is_str("en", d->language, "rss091: language");
		if (is_int(2, (long long)d->nentries, "rss091: two items")) {
			is_str("Caf\xc3\xa9 society", d->entries[0].title,
			    "rss091: ISO-8859-1 document converted to UTF-8");
			is_str("http://old.example.com/2", d->entries[1].link,
			    "rss091: link");
		}
	} else
		diag("error: %s", err);
	feed_doc_free(d);

	d = parse_file("tests/data/rss092.xml", NULL, NULL, err, sizeof(err));
	if (ok(d != NULL, "rss 0.92 parses")) {
		is_str("rss0.9x", d->format, "rss092: format rss0.9x");
		if (is_int(1, (long long)d->nentries,
		    "rss092: untitled item kept")) {
			ok(d->entries[0].title == NULL, "rss092: no title");
			is_str("An item with no title, only a description.",
			    d->entries[0].summary, "rss092: description");
			if (is_int(1, (long long)d->entries[0].nenclosures,
			    "rss092: enclosure"))
				is_int(0, d->entries[0].enclosures[0].length,
				    "rss092: length 0 is a length, not -1");
		}
	} else
		diag("error: %s", err);
	feed_doc_free(d);
}

static void
test_rss1(void)
{
	char err[256] = "", d1[DATE_BUFSZ];
	struct feed_doc *d;
	const struct entry *e;

	d = parse_file("tests/data/rss1.rdf", NULL, NULL, err, sizeof(err));
	if (!ok(d != NULL, "rss1.rdf parses")) {
		diag("error: %s", err);
		return;
	}
	is_str("rss1.0", d->format, "rss1: format");
	is_str("RDF Site", d->title, "rss1: title");
	is_str("http://rdf.example.org/", d->link, "rss1: link");
	is_str("de", d->language, "rss1: dc:language");
	is_str("2025-03-09T09:00:00Z", ds(d->updated, d1),
	    "rss1: channel dc:date -> updated");
	if (is_int(2, (long long)d->nentries, "rss1: items beside channel")) {
		e = &d->entries[0];
		is_str("http://rdf.example.org/a", e->id,
		    "rss1: rdf:about is the id");
		is_str("Item A", e->title, "rss1: title");
		is_str("http://rdf.example.org/a.html", e->link, "rss1: link");
		is_str("Anna", e->author, "rss1: dc:creator");
		is_str("About A", e->summary, "rss1: description");
		is_str("2025-03-09T09:00:00Z", ds(e->updated, d1),
		    "rss1: dc:date -> updated");
		is_str("none", ds(e->published, d1), "rss1: no published");
		if (is_int(2, (long long)e->ncategories, "rss1: dc:subject x2"))
			is_str("beta", e->categories[1], "rss1: subject 2");
		is_str("http://rdf.example.org/b", d->entries[1].id,
		    "rss1: second rdf:about");
	}
	feed_doc_free(d);
}

static void
test_atom10(void)
{
	char err[256] = "", d1[DATE_BUFSZ];
	struct feed_doc *d;
	const struct entry *e;

	d = parse_file("tests/data/atom10.atom",
	    "https://ignored.example.net/feed", NULL, err, sizeof(err));
	if (!ok(d != NULL, "atom10 parses")) {
		diag("error: %s", err);
		return;
	}
	is_str("atom1.0", d->format, "atom: format");
	is_str("Atom <Blog>", d->title,
	    "atom: type=html feed title: entities decoded as text");
	is_str("https://atom.example.org/blog/", d->link,
	    "atom: feed link: rel=self ignored, alternate via xml:base");
	is_str("urn:uuid:60a76c80-d399-11d9-b93c-0003939e0af6", d->id,
	    "atom: feed id");
	is_str("Notes & things", d->subtitle, "atom: subtitle");
	is_str("en-GB", d->language, "atom: xml:lang is the language");
	is_str("2025-03-12T08:00:00Z", ds(d->updated, d1),
	    "atom: feed updated in UTC");
	if (!is_int(3, (long long)d->nentries, "atom: three entries"))
		goto done;

	e = &d->entries[0];
	is_str("tag:atom.example.org,2025:1", e->id, "atom: id");
	is_str("Hello & world", e->title,
	    "atom: type=html title: markup stripped, entities decoded");
	is_str("https://atom.example.org/blog/entries/1", e->link,
	    "atom: rel=self/related ignored, alternate resolved (xml:base)");
	is_str("someone@example.org", e->author,
	    "atom: author without name falls back to email");
	is_str("Plain summary & more", e->summary, "atom: summary");
	is_str("<p>Hello <b>world</b></p>", e->content,
	    "atom: xhtml content is the div's inner markup");
	is_str("2025-03-11T08:00:00Z", ds(e->published, d1),
	    "atom: published");
	is_str("2025-03-11T09:15:30Z", ds(e->updated, d1), "atom: updated");
	if (is_int(2, (long long)e->ncategories, "atom: categories")) {
		is_str("tech", e->categories[0], "atom: category term 1");
		is_str("c", e->categories[1], "atom: category term 2");
	}
	if (is_int(1, (long long)e->nenclosures,
	    "atom: rel=enclosure link becomes an enclosure")) {
		is_str("https://atom.example.org/blog/media/1.mp4",
		    e->enclosures[0].url, "atom: enclosure href resolved");
		is_str("video/mp4", e->enclosures[0].type,
		    "atom: enclosure type");
		is_int(999, e->enclosures[0].length, "atom: enclosure length");
	}

	e = &d->entries[1];
	is_str("Second <entry>", e->title,
	    "atom: type=text title keeps literal '<' (no markup in text)");
	is_str("https://other.example.com/x/two.html", e->link,
	    "atom: entry-level absolute xml:base");
	is_str("Bob", e->author, "atom: author name beats email");
	is_str("<p>Escaped &amp; html</p>", e->content,
	    "atom: type=html content unescaped once");
	ok(e->summary == NULL, "atom: no summary");
	is_str("none", ds(e->published, d1), "atom: no published");

	e = &d->entries[2];
	is_str("Bold and plain", e->title,
	    "atom: type=xhtml title: markup stripped, collapsed");
	is_str("https://atom.example.org/blog/archive/3.html", e->link,
	    "atom: relative entry xml:base on top of the feed's");
	is_str("none", ds(e->updated, d1), "atom: bad updated -> DATE_NONE");
	is_str("<p>kept</p>", e->summary, "atom: entry with bad date kept");
done:
	feed_doc_free(d);
}

static void
test_atom03(void)
{
	char err[256] = "", d1[DATE_BUFSZ];
	struct feed_doc *d;
	const struct entry *e;

	d = parse_file("tests/data/atom03.atom", NULL, NULL, err, sizeof(err));
	if (!ok(d != NULL, "atom 0.3 parses")) {
		diag("error: %s", err);
		return;
	}
	is_str("atom0.3", d->format, "atom03: format from the namespace");
	is_str("Old Atom", d->title, "atom03: title");
	is_str("http://atom03.example.org/", d->link, "atom03: link");
	is_str("The past", d->subtitle, "atom03: tagline is the subtitle");
	is_str("nl", d->language, "atom03: xml:lang");
	is_str("2004-12-01T12:00:00Z", ds(d->updated, d1),
	    "atom03: modified -> updated");
	if (is_int(1, (long long)d->nentries, "atom03: one entry")) {
		e = &d->entries[0];
		is_str("tag:atom03.example.org,2004:1", e->id, "atom03: id");
		is_str("http://atom03.example.org/1", e->link, "atom03: link");
		is_str("2004-11-30T15:00:00Z", ds(e->published, d1),
		    "atom03: issued -> published");
		is_str("2004-12-01T12:00:00Z", ds(e->updated, d1),
		    "atom03: modified -> updated");
		is_str("Old Timer", e->author, "atom03: author");
		is_str("<p>x</p>", e->content, "atom03: escaped content");
	}
	feed_doc_free(d);
}

static void
test_truncated(void)
{
	char err[256] = "";
	struct feed_doc *d;

	d = parse_file("tests/data/truncated.xml", NULL, NULL, err,
	    sizeof(err));
	if (!ok(d != NULL, "truncated feed is recovered")) {
		diag("error: %s", err);
		return;
	}
	is_int(1, d->bozo, "truncated: bozo is set");
	ok(d->bozo_reason != NULL && *d->bozo_reason != '\0' &&
	    strchr(d->bozo_reason, '\n') == NULL,
	    "truncated: bozo_reason is one line (%s)",
	    d->bozo_reason ? d->bozo_reason : "NULL");
	is_str("Cut short", d->title, "truncated: header kept");
	if (ok(d->nentries >= 2, "truncated: complete entries kept")) {
		is_str("cut-1", d->entries[0].id, "truncated: entry 1");
		is_str("Complete two", d->entries[1].title,
		    "truncated: entry 2");
	}
	feed_doc_free(d);
}

/* Not feeds at all: NULL and a one-line reason. */
static void
not_a_feed(const char *what, const char *data, size_t len)
{
	char err[256];
	struct feed_doc *d;

	memset(err, 0, sizeof(err));
	d = feed_parse(data, len, NULL, NULL, err, sizeof(err));
	ok(d == NULL, "%s: not a feed", what);
	ok(*err != '\0' && strchr(err, '\n') == NULL,
	    "%s: one-line error (%s)", what, err);
	feed_doc_free(d);
}

static void
test_not_feeds(void)
{
	static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10"
	    "\0\0\0\x10\x08\x06\0\0\0\x1f\xf3\xff" "a\0\0\0\x01sRGB\0\xae\xce"
	    "\x1c\xe9\0\0\0\x0cIDATx\x9c" "c\xf8\xff\xff?\0\x05\xfe\x02\xfe";
	char *data;
	size_t len = 0;

	if ((data = tu_slurp(srcdir, "tests/data/html-page.html", &len)) != NULL)
		not_a_feed("HTML page", data, len);
	else
		ok(0, "HTML page fixture");
	free(data);
	if ((data = tu_slurp(srcdir, "tests/data/not-a-feed.json", &len)) != NULL)
		not_a_feed("JSON document", data, len);
	else
		ok(0, "JSON fixture");
	free(data);
	not_a_feed("PNG bytes", png, sizeof(png) - 1);
	not_a_feed("empty buffer", "", 0);
	not_a_feed("whitespace only", " \n\t\n", 4);
}

static void
test_xxe(void)
{
	char err[256] = "", dir[] = "/tmp/t_parse.XXXXXX", path[300];
	char doc[1024];
	struct feed_doc *d;
	FILE *f;
	int n;

	d = parse_file("tests/data/xxe.xml", NULL, NULL, err, sizeof(err));
	if (d != NULL) {
		ok(!doc_contains(d, "root:") && !doc_contains(d, "/bin/"),
		    "xxe: /etc/passwd never appears in any field");
		if (d->nentries == 1)
			is_str("Item title", d->entries[0].title,
			    "xxe: the reference is dropped, the text kept");
		else
			ok(0, "xxe: the item is kept");
	} else {
		ok(1, "xxe: refused (%s)", err);
		ok(1, "xxe: nothing to leak");
	}
	feed_doc_free(d);

	/* The same with a secret of our own, in case /etc/passwd is odd. */
	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/secret", dir);
	if ((f = fopen(path, "w")) != NULL) {
		fputs("SLUICE-SECRET-7f3a", f);
		fclose(f);
	}
	n = snprintf(doc, sizeof(doc), "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE feed [<!ENTITY s SYSTEM \"file://%s\">]>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>&s;</title>"
	    "<entry><id>x&s;</id><title>t &s;</title>"
	    "<link href=\"http://e.example/&s;\"/>"
	    "<summary>&s;</summary></entry></feed>", path);
	d = feed_parse(doc, (size_t)n, NULL, NULL, err, sizeof(err));
	ok(d == NULL || !doc_contains(d, "SLUICE-SECRET"),
	    "xxe: a file: external entity is never read");
	feed_doc_free(d);

	/* A parameter entity that would pull in a DTD defining the secret. */
	snprintf(path, sizeof(path), "%s/evil.dtd", dir);
	if ((f = fopen(path, "w")) != NULL) {
		fputs("<!ENTITY leak \"SLUICE-SECRET-9c1e\">\n", f);
		fclose(f);
	}
	n = snprintf(doc, sizeof(doc), "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE rss [<!ENTITY %% p SYSTEM \"file://%s\"> %%p;]>\n"
	    "<rss version=\"2.0\"><channel><title>&leak;</title>"
	    "<item><title>t &leak;</title><link>http://e.example/1</link>"
	    "</item></channel></rss>", path);
	d = feed_parse(doc, (size_t)n, NULL, NULL, err, sizeof(err));
	ok(d == NULL || !doc_contains(d, "SLUICE-SECRET"),
	    "xxe: an external parameter entity is never read");
	feed_doc_free(d);
	unlink(path);
	snprintf(path, sizeof(path), "%s/secret", dir);
	unlink(path);
	rmdir(dir);
}

static void
test_billion_laughs(void)
{
	char err[256] = "";
	struct feed_doc *d;
	double t0 = now_seconds(), dt;

	d = parse_file("tests/data/billion-laughs.xml", NULL, NULL, err,
	    sizeof(err));
	dt = now_seconds() - t0;
	ok(dt < 2.0, "billion laughs: returns quickly (%.3fs)", dt);
	if (d != NULL) {
		ok(doc_longest(d) < 65536, "billion laughs: no field expanded "
		    "(longest %zu bytes)", doc_longest(d));
		ok(!doc_contains(d, "lollollol"),
		    "billion laughs: entities not expanded");
	} else {
		ok(*err != '\0', "billion laughs: refused (%s)", err);
		ok(1, "billion laughs: nothing expanded");
	}
	feed_doc_free(d);
}

static void
test_bad_bytes(void)
{
	/* Declared UTF-8, with invalid sequences and C0 controls. */
	static const char doc[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<rss version=\"2.0\"><channel>"
	    "<title>Caf\xc3\xa9 \xc3\x28 ok</title>"
	    "<link>http://bad.example/</link>"
	    "<item><title>a\x01" "b &#x1; c \xff\xfe d\x0b" "e\x1b" "f</title>"
	    "<link>http://bad.example/1</link>"
	    "<guid>id-\x80\x81-\x02</guid>"
	    "<description>x \xed\xa0\x80 y \xf8\x88\x80\x80\x80 z &#xFFFE;"
	    " \x7f\x1f \xc0\xaf \xe0\x80\xaf \xf4\x90\x80\x80 \xf0\x82\x82\xac"
	    " end</description>"
	    "<category>\x1f" "c\x0c" "at</category>"
	    "<enclosure url=\"http://bad.example/\x01\xff.mp3\" type=\"a\x02"
	    "\"/>"
	    "</item></channel></rss>";
	char err[256] = "";
	struct feed_doc *d;

	d = feed_parse(doc, sizeof(doc) - 1, NULL, NULL, err, sizeof(err));
	if (!ok(d != NULL, "bad bytes: recovered (%s)", err))
		return;
	ok(doc_clean(d), "bad bytes: every string is valid UTF-8 without "
	    "control characters");
	ok(d->title != NULL && strncmp(d->title, "Caf\xc3\xa9 ", 6) == 0,
	    "bad bytes: a valid character before a bad one survives (%s)",
	    d->title ? d->title : "NULL");
	if (is_int(1, (long long)d->nentries, "bad bytes: the item is kept")) {
		ok(d->entries[0].title != NULL &&
		    strstr(d->entries[0].title, "a") != NULL &&
		    strstr(d->entries[0].title, "f") != NULL,
		    "bad bytes: the valid text around is kept (%s)",
		    d->entries[0].title ? d->entries[0].title : "NULL");
		is_str("http://bad.example/1", d->entries[0].link,
		    "bad bytes: link intact");
	}
	feed_doc_free(d);
}

static void
test_charset(void)
{
	/* No declaration, Latin-1 bytes: the HTTP charset says so. */
	static const char doc[] = "<rss version=\"2.0\"><channel>"
	    "<title>Cr\xe8me br\xfbl\xe9" "e</title><item><title>\xc0 la "
	    "carte</title><link>http://l1.example/1</link></item>"
	    "</channel></rss>";
	char err[256] = "";
	struct feed_doc *d;

	d = feed_parse(doc, sizeof(doc) - 1, NULL, "ISO-8859-1", err,
	    sizeof(err));
	if (ok(d != NULL, "charset: parses (%s)", err)) {
		is_str("Cr\xc3\xa8me br\xc3\xbbl\xc3\xa9" "e", d->title,
		    "charset: HTTP charset ISO-8859-1 applied");
		if (d->nentries == 1)
			is_str("\xc3\x80 la carte", d->entries[0].title,
			    "charset: entry title converted");
		else
			ok(0, "charset: one entry");
		ok(doc_clean(d), "charset: clean UTF-8");
	}
	feed_doc_free(d);
}

static void
test_samples(void)
{
	static const struct {
		const char	*file;
		const char	*format;
		size_t		 n;
	} samples[] = {
		{ "feeds/arxiv-cs.xml", "rss2.0", 25 },
		{ "feeds/daily-papers.atom", "atom1.0", 20 },
		{ "feeds/lab-notes.rdf", "rss1.0", 12 },
		{ "feeds/lab-blog.xml", "rss2.0", 10 },
	};
	char err[256];

	for (size_t i = 0; i < NITEMS(samples); i++) {
		struct feed_doc *d;
		size_t complete = 0;

		err[0] = '\0';
		d = parse_file(samples[i].file, NULL, NULL, err, sizeof(err));
		if (!ok(d != NULL, "%s parses", samples[i].file)) {
			diag("error: %s", err);
			continue;
		}
		is_str(samples[i].format, d->format, "%s: format",
		    samples[i].file);
		is_int(0, d->bozo, "%s: well-formed", samples[i].file);
		is_int((long long)samples[i].n, (long long)d->nentries,
		    "%s: entry count", samples[i].file);
		for (size_t j = 0; j < d->nentries; j++) {
			const struct entry *e = &d->entries[j];

			if (e->id && *e->id && e->title && *e->title &&
			    e->link && strncmp(e->link, "http", 4) == 0 &&
			    (e->published != DATE_NONE ||
			    e->updated != DATE_NONE))
				complete++;
			else
				diag("%s: entry %zu lacks a field",
				    samples[i].file, j);
		}
		is_int((long long)d->nentries, (long long)complete,
		    "%s: every entry has id, title, absolute link and date",
		    samples[i].file);
		ok(d->title != NULL && doc_clean(d), "%s: title, clean strings",
		    samples[i].file);
		feed_doc_free(d);
	}
}

static void
test_html_to_text(void)
{
	char *s;

	s = html_to_text("<p>One</p><p>two &amp; <b>th</b>ree<br>four"
	    "<script>alert(1)</script></p>");
	is_str("One two & three four", s,
	    "html_to_text: blocks break words, inline do not, no script");
	free(s);
	s = html_to_text("");
	is_str("", s, "html_to_text: empty");
	free(s);
}

/*
 * HOSTILE rows 26 and 27: links that are not http(s) are dropped, also
 * when an xml:base of javascript: or data: is what makes them so; the
 * entries stay, by their ids.
 */
static void
test_link_schemes(void)
{
	static const char atom[] =
	    "<feed xmlns='http://www.w3.org/2005/Atom'>"
	    "<title>t</title>"
	    "<entry><id>urn:1</id><title>js link</title>"
	    "<link href='javascript:alert(1)'/></entry>"
	    "<entry xml:base='javascript:alert(1)//'><id>urn:2</id>"
	    "<title>js base</title><link href='x'/>"
	    "<link rel='enclosure' href='y.mp3'/></entry>"
	    "<entry xml:base='data:text/html,a'><id>urn:3</id>"
	    "<title>data base</title><link href='b'/></entry>"
	    "<entry><id>urn:4</id><title>data enclosure</title>"
	    "<link href='https://ok.example/4'/>"
	    "<link rel='enclosure' href='data:text/html,&lt;script&gt;x'/>"
	    "<link rel='enclosure' href='ok.mp3'/></entry>"
	    "</feed>";
	static const char rss[] =
	    "<rss version='2.0'><channel><title>t</title>"
	    "<link>javascript:alert(1)</link>"
	    "<item><guid>g1</guid><title>a</title>"
	    "<link>  JaVaScRiPt:alert(1)</link>"
	    "<enclosure url='vbscript:x' type='audio/mpeg' length='1'/>"
	    "</item>"
	    "<item><guid isPermaLink='true'>javascript:alert(2)</guid>"
	    "<title>b</title></item>"
	    "</channel></rss>";
	char err[256] = "";
	struct feed_doc *d = feed_parse(atom, sizeof(atom) - 1,
	    "https://site.example/feed.xml", NULL, err, sizeof(err));

	if (ok(d != NULL && d->nentries == 4, "rows 26-27: the Atom feed "
	    "keeps its 4 entries (%s)", err)) {
		is_str(NULL, d->entries[0].link, "  a javascript: link is "
		    "dropped");
		is_str("https://site.example/x", d->entries[1].link, "  an "
		    "xml:base of javascript: is no base: the link resolves "
		    "against the document");
		if (ok(d->entries[1].nenclosures == 1, "  and so does its "
		    "enclosure"))
			is_str("https://site.example/y.mp3",
			    d->entries[1].enclosures[0].url, "  (%s)",
			    d->entries[1].enclosures[0].url);
		is_str("https://site.example/b", d->entries[2].link, "  so is "
		    "an xml:base of data:");
		is_str("https://ok.example/4", d->entries[3].link, "  an "
		    "https link stays");
		if (ok(d->entries[3].nenclosures == 1, "  a data: enclosure "
		    "is dropped, the other stays"))
			is_str("https://site.example/ok.mp3",
			    d->entries[3].enclosures[0].url, "  resolved");
	}
	feed_doc_free(d);
	d = feed_parse(rss, sizeof(rss) - 1, "https://site.example/rss.xml",
	    NULL, err, sizeof(err));
	if (ok(d != NULL && d->nentries == 2, "rows 26-27: the RSS feed keeps "
	    "its 2 entries (%s)", err)) {
		is_str(NULL, d->link, "  the channel's javascript: link is "
		    "dropped");
		is_str(NULL, d->entries[0].link, "  an item's JaVaScRiPt: link "
		    "is dropped");
		is_int(0, (long long)d->entries[0].nenclosures, "  a vbscript: "
		    "enclosure is dropped");
		is_str(NULL, d->entries[1].link, "  a javascript: permalink "
		    "guid gives no link");
	}
	feed_doc_free(d);
}

/*
 * Row 9: a document of more entries than feed_parse collects (10,000)
 * gives the first 10,000 in document order, in linear time.
 */
static void
test_entry_cap(void)
{
	struct buf b = { 0 };
	struct feed_doc *d;
	char err[256] = "";

	buf_puts(&b, "<rss version='2.0'><channel><title>many</title>");
	for (int i = 0; i < 12000; i++)
		buf_printf(&b, "<item><guid>g%d</guid><title>t%d</title>"
		    "</item>", i, i);
	buf_puts(&b, "</channel></rss>");
	d = feed_parse(b.data, b.len, "https://many.example/", NULL, err,
	    sizeof(err));
	if (ok(d != NULL && d->nentries == 10000, "row 9: 12,000 items: "
	    "10,000 kept (%zu)", d ? d->nentries : 0)) {
		is_str("g0", d->entries[0].id, "  the first in the document "
		    "first");
		is_str("g9999", d->entries[9999].id, "  the 10,000th last");
	}
	feed_doc_free(d);
	buf_free(&b);
}

/*
 * Rows 3 and 4 with a canary: a socket on 127.0.0.1 that every network
 * reference of the documents names (an external entity, an external DTD,
 * an external parameter entity, an XInclude).  After parsing them all,
 * not one connection is waiting on it.
 */
static void
test_canary(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int lfd = socket(AF_INET, SOCK_STREAM, 0), port, cfd, n;
	char doc[2048], err[256];
	/* Each document is pre, the canary's port, post. */
	static const struct {
		const char *pre, *post;
	} docs[] = {
		{ "<?xml version='1.0'?>\n<!DOCTYPE rss [<!ENTITY x SYSTEM "
		    "'http://127.0.0.1:", "/entity'>]>\n<rss version='2.0'>"
		    "<channel><title>&x;</title><item><title>&x;</title>"
		    "</item></channel></rss>" },
		{ "<?xml version='1.0'?>\n<!DOCTYPE rss SYSTEM "
		    "'http://127.0.0.1:", "/d.dtd'>\n<rss version='2.0'>"
		    "<channel><title>t</title><item><title>i</title></item>"
		    "</channel></rss>" },
		{ "<?xml version='1.0'?>\n<!DOCTYPE feed [<!ENTITY % pe SYSTEM "
		    "'http://127.0.0.1:", "/pe.dtd'> %pe;]>\n<feed "
		    "xmlns='http://www.w3.org/2005/Atom'><title>t</title>"
		    "<entry><id>1</id><title>i</title></entry></feed>" },
		{ "<?xml version='1.0'?>\n<feed xmlns='http://www.w3.org/2005/"
		    "Atom' xmlns:xi='http://www.w3.org/2001/XInclude'><title>t"
		    "</title><entry><id>1</id><title>i</title><xi:include "
		    "href='http://127.0.0.1:", "/inc.xml' parse='text'/>"
		    "</entry></feed>" },
	};

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (!ok(lfd != -1 && bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) ==
	    0 && listen(lfd, 16) == 0 && getsockname(lfd, (struct sockaddr *)
	    &sa, &len) == 0, "rows 3-4: a canary listens on 127.0.0.1")) {
		if (lfd != -1)
			close(lfd);
		return;
	}
	port = ntohs(sa.sin_port);
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct feed_doc *d;

		n = snprintf(doc, sizeof(doc), "%s%d%s", docs[i].pre, port,
		    docs[i].post);
		err[0] = '\0';
		d = feed_parse(doc, (size_t)n, "https://feed.example/",
		    NULL, err, sizeof(err));
		ok(d != NULL, "  network reference %zu: the document parses "
		    "(%s)", i + 1, err);
		feed_doc_free(d);
	}
	fcntl(lfd, F_SETFL, O_NONBLOCK);
	cfd = accept(lfd, NULL, NULL);
	ok(cfd == -1 && (errno == EAGAIN || errno == EWOULDBLOCK), "  the "
	    "canary was never reached");
	if (cfd != -1)
		close(cfd);
	close(lfd);
}

/* The summary of d's first entry, or NULL. */
static const char *
first_summary(const struct feed_doc *d)
{
	return d != NULL && d->nentries > 0 ? d->entries[0].summary : NULL;
}

/*
 * Rows 2, 8, 15 and 17, each on a document made here: a small entity
 * referenced 20,000 times (expansion stops at 1 MiB), a 60 KB element
 * name and a 20 MB attribute (libxml2's limits: an error, no crash), a
 * UTF-8 BOM before a declaration of ISO-8859-1 (the BOM wins), and a raw
 * NUL in a title (dropped, the text after it and the next item kept).
 */
static void
test_big_and_odd(void)
{
	struct buf b = { 0 };
	struct feed_doc *d;
	char err[256] = "";
	const char *sum;

	buf_puts(&b, "<?xml version='1.0'?><!DOCTYPE rss [<!ENTITY a '");
	for (int i = 0; i < 1000; i++)
		buf_puts(&b, "x");
	buf_puts(&b, "'>]><rss version='2.0'><channel><title>t</title><item>"
	    "<guid>1</guid><title>t</title><description>");
	for (int i = 0; i < 20000; i++)
		buf_puts(&b, "&a;");
	buf_puts(&b, "</description></item></channel></rss>");
	d = feed_parse(b.data, b.len, NULL, NULL, err, sizeof(err));
	sum = first_summary(d);
	ok(sum != NULL && strlen(sum) >= 1000000 && strlen(sum) <= 1048576,
	    "row 2: 20,000 references to a 1 KB entity: expanded to 1 MiB at "
	    "most (%zu bytes), not 20 MB", sum ? strlen(sum) : 0);
	feed_doc_free(d);

	buf_reset(&b);
	buf_puts(&b, "<rss version='2.0'><channel><title>t</title><item><guid>1"
	    "</guid><title>ok</title><");
	for (int i = 0; i < 60000; i++)
		buf_puts(&b, "n");
	buf_puts(&b, ">v</n></item></channel></rss>");
	d = feed_parse(b.data, b.len, NULL, NULL, err, sizeof(err));
	ok(d != NULL && d->bozo && strstr(d->bozo_reason, "Name too long") !=
	    NULL, "row 8: a 60 KB element name: libxml2's error (%s)",
	    d && d->bozo_reason ? d->bozo_reason : err);
	feed_doc_free(d);

	buf_reset(&b);
	buf_puts(&b, "<feed xmlns='http://www.w3.org/2005/Atom'><title>t</title>"
	    "<entry><id>1</id><title>ok</title><link href='http://a.example/");
	for (int i = 0; i < (20 << 20) / 64; i++)
		buf_puts(&b, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaa");
	buf_puts(&b, "'/></entry></feed>");
	d = feed_parse(b.data, b.len, NULL, NULL, err, sizeof(err));
	ok(d == NULL || (d->bozo && (d->nentries == 0 ||
	    d->entries[0].link == NULL ||
	    strlen(d->entries[0].link) <= 1048576)), "row 8: a 20 MB "
	    "attribute: an error or a capped link, no crash (%s)",
	    d && d->bozo_reason ? d->bozo_reason : err);
	feed_doc_free(d);

	d = feed_parse("\xef\xbb\xbf<?xml version='1.0' encoding='ISO-8859-1'?>"
	    "<rss version='2.0'><channel><title>t</title><item><guid>1</guid>"
	    "<title>caf\xc3\xa9</title></item></channel></rss>", 134, NULL,
	    NULL, err, sizeof(err));
	ok(d != NULL && d->nentries == 1 && strcmp(d->entries[0].title,
	    "caf\xc3\xa9") == 0, "row 15: a UTF-8 BOM wins over a declared "
	    "ISO-8859-1 (%s)", d && d->nentries ? d->entries[0].title : err);
	feed_doc_free(d);

	{
		static const char nul[] = "<rss version='2.0'><channel><title>t"
		    "</title><item><guid>1</guid><title>before\0after</title>"
		    "</item><item><guid>2</guid><title>second</title></item>"
		    "</channel></rss>";

		d = feed_parse(nul, sizeof(nul) - 1, NULL, NULL, err,
		    sizeof(err));
		ok(d != NULL && d->nentries == 2 && strcmp(d->entries[0].title,
		    "beforeafter") == 0 && strcmp(d->entries[1].title,
		    "second") == 0, "row 17: a raw NUL in a title is dropped, "
		    "the text after it and the next item kept");
		feed_doc_free(d);
	}
	buf_free(&b);
}

/*
 * Row 6's worst case: 10^6 nested elements between two items, parsed in a
 * child whose stack is capped at 1 MiB (ulimit -s 1024).  The parser keeps
 * its own depth stack, so nothing recurses per level; a crash here is a
 * signal, not an exit status.
 */
static void
test_deep_million(void)
{
	struct buf b = { 0 };
	pid_t pid;
	int st = 0;

	buf_puts(&b, "<rss version='2.0'><channel><title>t</title><item>"
	    "<guid>1</guid><title>before</title></item><item><guid>2</guid>"
	    "<title>deep</title><description>");
	for (int i = 0; i < 1000000; i++)
		buf_puts(&b, "<x>");
	buf_puts(&b, "z");
	for (int i = 0; i < 1000000; i++)
		buf_puts(&b, "</x>");
	buf_puts(&b, "</description></item><item><guid>3</guid><title>after"
	    "</title></item></channel></rss>");
	fflush(NULL);
	if ((pid = fork()) == 0) {
		struct rlimit rl = { 1 << 20, 1 << 20 };
		struct feed_doc *d;
		char err[256] = "";

		if (setrlimit(RLIMIT_STACK, &rl) != 0)
			_exit(10);
		d = feed_parse(b.data, b.len, NULL, NULL, err, sizeof(err));
		if (d == NULL)
			_exit(11);
		if (!d->bozo)
			_exit(12);
		if (d->nentries != 3 || strcmp(d->entries[0].title,
		    "before") != 0 || strcmp(d->entries[2].title, "after") != 0)
			_exit(13);
		_exit(0);
	}
	if (!ok(pid > 0, "row 6: fork"))
		return;
	waitpid(pid, &st, 0);
	ok(WIFEXITED(st), "row 6: 10^6 levels under a 1 MiB stack: no crash "
	    "(%s %d)", WIFSIGNALED(st) ? "signal" : "status",
	    WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	is_int(0, WIFEXITED(st) ? WEXITSTATUS(st) : -1, "row 6: all three "
	    "items kept, the feed flagged bozo (10 rlimit, 11 no doc, 12 not "
	    "bozo, 13 items)");
	buf_free(&b);
}

int
main(void)
{
	if ((srcdir = getenv("SRCDIR")) == NULL || *srcdir == '\0')
		srcdir = ".";
	parse_init();
	test_rss2();
	test_rss09x();
	test_rss1();
	test_atom10();
	test_atom03();
	test_truncated();
	test_not_feeds();
	test_xxe();
	test_billion_laughs();
	test_bad_bytes();
	test_charset();
	test_samples();
	test_html_to_text();
	test_link_schemes();
	test_entry_cap();
	test_canary();
	test_big_and_odd();
	test_deep_million();
	return done_testing();
}
