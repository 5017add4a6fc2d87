/* render.c - Atom 1.0, HTML and JSON documents into a buffer. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/entities.h>
#include <libxml/xmlwriter.h>
#include <sqlite3.h>

#include "date.h"
#include "render.h"
#include "sanitize.h"

#define ATOM_NS	"http://www.w3.org/2005/Atom"

/*
 * xmlTextWriter calls return -1 on failure; W() folds them into one flag so
 * that a document is written straight through and checked once at the end.
 */
#define W(call)	do { if ((call) < 0) failed = 1; } while (0)

static const char *
fmt_date(int64_t t, char buf[DATE_BUFSZ])
{
	return date_format(t, buf);
}

static int
finish(xmlTextWriterPtr w, xmlBufferPtr xb, int failed, struct buf *out)
{
	if (xmlTextWriterEndDocument(w) < 0)
		failed = 1;
	xmlFreeTextWriter(w);
	if (!failed)
		buf_append(out, xmlBufferContent(xb), (size_t)xmlBufferLength(xb));
	xmlBufferFree(xb);
	return failed ? -1 : 0;
}

static int
elem(xmlTextWriterPtr w, const char *name, const char *text)
{
	return xmlTextWriterWriteElement(w, BAD_CAST name, BAD_CAST text);
}

static int
link_elem(xmlTextWriterPtr w, const char *rel, const char *type,
    const char *href)
{
	int failed = 0;

	W(xmlTextWriterStartElement(w, BAD_CAST "link"));
	W(xmlTextWriterWriteAttribute(w, BAD_CAST "rel", BAD_CAST rel));
	if (type != NULL)
		W(xmlTextWriterWriteAttribute(w, BAD_CAST "type",
		    BAD_CAST type));
	W(xmlTextWriterWriteAttribute(w, BAD_CAST "href", BAD_CAST href));
	W(xmlTextWriterEndElement(w));
	return failed ? -1 : 0;
}

/*
 * The entry's HTML made safe (sanitize.h), its relative URLs against the
 * entry's link, else its feed's; NULL when nothing is left.
 */
static char *
clean_html(const struct item *it)
{
	char *h;

	if (it->html == NULL || *it->html == '\0')
		return NULL;
	h = html_sanitize(it->html, it->link ? it->link : it->feed_url);
	if (h != NULL && *h == '\0') {
		free(h);
		h = NULL;
	}
	return h;
}

static int
atom_entry(xmlTextWriterPtr w, const struct item *it)
{
	char d[DATE_BUFSZ], *html;
	int failed = 0;

	W(xmlTextWriterStartElement(w, BAD_CAST "entry"));
	W(elem(w, "id", it->uid));
	W(elem(w, "title", it->title ? it->title : ""));
	W(elem(w, "updated", fmt_date(it->updated != DATE_NONE ?
	    it->updated : it->date, d)));
	if (it->published != DATE_NONE)
		W(elem(w, "published", fmt_date(it->published, d)));
	if (it->author != NULL) {
		W(xmlTextWriterStartElement(w, BAD_CAST "author"));
		W(elem(w, "name", it->author));
		W(xmlTextWriterEndElement(w));
	}
	if (it->link != NULL)
		W(link_elem(w, "alternate", NULL, it->link));
	for (const char *t = it->tags; t != NULL && *t != '\0';) {
		size_t n = strcspn(t, "\x1f");
		char *term = xstrndup(t, n);	/* whole: never cut a character */

		W(xmlTextWriterStartElement(w, BAD_CAST "category"));
		W(xmlTextWriterWriteAttribute(w, BAD_CAST "term",
		    BAD_CAST term));
		W(xmlTextWriterEndElement(w));
		free(term);
		t += n + (t[n] != '\0');
	}
	/*
	 * The plain text as the summary; the HTML, sanitized, as content of
	 * type html: escaped markup, never inline XHTML (which a browser
	 * showing the XML would run).
	 */
	if (it->text != NULL && *it->text != '\0') {
		W(xmlTextWriterStartElement(w, BAD_CAST "summary"));
		W(xmlTextWriterWriteAttribute(w, BAD_CAST "type",
		    BAD_CAST "text"));
		W(xmlTextWriterWriteString(w, BAD_CAST it->text));
		W(xmlTextWriterEndElement(w));
	}
	if ((html = clean_html(it)) != NULL) {
		W(xmlTextWriterStartElement(w, BAD_CAST "content"));
		W(xmlTextWriterWriteAttribute(w, BAD_CAST "type",
		    BAD_CAST "html"));
		W(xmlTextWriterWriteString(w, BAD_CAST html));
		W(xmlTextWriterEndElement(w));
		free(html);
	}
	W(xmlTextWriterStartElement(w, BAD_CAST "source"));
	W(elem(w, "id", it->feed_id ? it->feed_id : it->feed_url));
	W(elem(w, "title", it->feed_title));
	W(elem(w, "updated", fmt_date(it->feed_updated, d)));
	if (it->feed_link != NULL)
		W(link_elem(w, "alternate", NULL, it->feed_link));
	W(link_elem(w, "self", NULL, it->feed_url));
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterEndElement(w));
	return failed ? -1 : 0;
}

int
render_atom(const struct render_ctx *ctx, const struct item *items, size_t n,
    struct buf *out)
{
	xmlBufferPtr xb = xmlBufferCreate();
	xmlTextWriterPtr w = xmlNewTextWriterMemory(xb, 0);
	char d[DATE_BUFSZ];
	int64_t newest = 0;
	int failed = 0;

	for (size_t i = 0; i < n; i++) {
		int64_t u = items[i].updated != DATE_NONE ? items[i].updated :
		    items[i].date;

		if (u > newest)
			newest = u;
	}
	W(xmlTextWriterSetIndent(w, 1));
	W(xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL));
	W(xmlTextWriterStartElement(w, BAD_CAST "feed"));
	W(xmlTextWriterWriteAttribute(w, BAD_CAST "xmlns", BAD_CAST ATOM_NS));
	W(elem(w, "id", ctx->id != NULL ? ctx->id : ctx->self));
	W(elem(w, "title", ctx->title));
	W(elem(w, "updated", fmt_date(newest, d)));
	W(link_elem(w, "self", "application/atom+xml", ctx->self));
	if (ctx->next != NULL)
		W(link_elem(w, "next", "application/atom+xml", ctx->next));
	W(link_elem(w, "alternate", "text/html", ctx->home));
	W(xmlTextWriterStartElement(w, BAD_CAST "author"));
	W(elem(w, "name", ctx->title));
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterStartElement(w, BAD_CAST "generator"));
	W(xmlTextWriterWriteAttribute(w, BAD_CAST "version",
	    BAD_CAST PACKAGE_VERSION));
	W(xmlTextWriterWriteString(w, BAD_CAST PACKAGE_NAME));
	W(xmlTextWriterEndElement(w));
	for (size_t i = 0; i < n; i++)
		W(atom_entry(w, &items[i]));
	W(xmlTextWriterEndElement(w));
	return finish(w, xb, failed, out);
}

static int
html_head(xmlTextWriterPtr w, const struct render_ctx *ctx)
{
	int failed = 0;
	static const char style[] =
	    "body{font-family:sans-serif;max-width:46em;margin:auto;"
	    "padding:0 1em;line-height:1.4}"
	    "li{margin:1em 0}.meta{color:#555;font-size:.9em}"
	    "input[type=search]{width:70%}.error{color:#a00}";

	W(xmlTextWriterWriteDTD(w, BAD_CAST "html", NULL, NULL, NULL));
	W(xmlTextWriterStartElement(w, BAD_CAST "html"));
	W(xmlTextWriterWriteAttribute(w, BAD_CAST "lang", BAD_CAST "en"));
	W(xmlTextWriterStartElement(w, BAD_CAST "head"));
	W(xmlTextWriterStartElement(w, BAD_CAST "meta"));
	W(xmlTextWriterWriteAttribute(w, BAD_CAST "charset", BAD_CAST "utf-8"));
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterStartElement(w, BAD_CAST "meta"));
	W(xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST "viewport"));
	W(xmlTextWriterWriteAttribute(w, BAD_CAST "content",
	    BAD_CAST "width=device-width, initial-scale=1"));
	W(xmlTextWriterEndElement(w));
	W(elem(w, "title", ctx->title));
	W(xmlTextWriterStartElement(w, BAD_CAST "link"));
	W(xmlTextWriterWriteAttribute(w, BAD_CAST "rel", BAD_CAST "alternate"));
	W(xmlTextWriterWriteAttribute(w, BAD_CAST "type",
	    BAD_CAST "application/atom+xml"));
	W(xmlTextWriterWriteAttribute(w, BAD_CAST "href", BAD_CAST ctx->self));
	W(xmlTextWriterEndElement(w));
	W(elem(w, "style", style));
	W(xmlTextWriterEndElement(w));
	return failed ? -1 : 0;
}

static int
html_form(xmlTextWriterPtr w, const struct render_ctx *ctx)
{
	int failed = 0;

	W(xmlTextWriterStartElement(w, BAD_CAST "form"));
	W(xmlTextWriterWriteAttribute(w, BAD_CAST "method", BAD_CAST "get"));
	W(xmlTextWriterWriteAttribute(w, BAD_CAST "action", BAD_CAST "./"));
	W(xmlTextWriterStartElement(w, BAD_CAST "input"));
	W(xmlTextWriterWriteAttribute(w, BAD_CAST "type", BAD_CAST "search"));
	W(xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST "q"));
	W(xmlTextWriterWriteAttribute(w, BAD_CAST "value",
	    BAD_CAST (ctx->query ? ctx->query : "")));
	W(xmlTextWriterWriteAttribute(w, BAD_CAST "placeholder",
	    BAD_CAST "\"continual learning\" -survey"));
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterStartElement(w, BAD_CAST "button"));
	W(xmlTextWriterWriteString(w, BAD_CAST "Search"));
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterEndElement(w));
	if (ctx->error != NULL) {
		W(xmlTextWriterStartElement(w, BAD_CAST "p"));
		W(xmlTextWriterWriteAttribute(w, BAD_CAST "class",
		    BAD_CAST "error"));
		W(xmlTextWriterWriteString(w, BAD_CAST ctx->error));
		W(xmlTextWriterEndElement(w));
	}
	return failed ? -1 : 0;
}

static int
html_link(xmlTextWriterPtr w, const char *href, const char *text)
{
	int failed = 0;

	W(xmlTextWriterStartElement(w, BAD_CAST "a"));
	W(xmlTextWriterWriteAttribute(w, BAD_CAST "href", BAD_CAST href));
	W(xmlTextWriterWriteString(w, BAD_CAST text));
	W(xmlTextWriterEndElement(w));
	return failed ? -1 : 0;
}

/* Subscribe: this query in each format, the channels, the sources. */
static int
html_feeds_line(xmlTextWriterPtr w, const struct render_ctx *ctx)
{
	static const char *const ext[] = { "atom", "rss", "json" };
	static const char *const label[] = { "Atom", "RSS", "JSON Feed" };
	int failed = 0;
	char href[300];

	W(xmlTextWriterStartElement(w, BAD_CAST "p"));
	W(xmlTextWriterWriteString(w, BAD_CAST "Subscribe to this page: "));
	W(html_link(w, ctx->self, "Atom"));
	if (ctx->alt_rss != NULL) {
		W(xmlTextWriterWriteString(w, BAD_CAST " · "));
		W(html_link(w, ctx->alt_rss, "RSS"));
	}
	if (ctx->alt_json != NULL) {
		W(xmlTextWriterWriteString(w, BAD_CAST " · "));
		W(html_link(w, ctx->alt_json, "JSON Feed"));
	}
	W(xmlTextWriterEndElement(w));
	if (ctx->channels != NULL && ctx->channels[0] != NULL) {
		W(xmlTextWriterStartElement(w, BAD_CAST "p"));
		W(xmlTextWriterWriteString(w, BAD_CAST "Channels:"));
		for (size_t i = 0; ctx->channels[i] != NULL; i++) {
			W(xmlTextWriterWriteFormatString(w, "%s %s (", i ? ";" :
			    "", ctx->channels[i]));
			for (int f = 0; f < 3; f++) {
				snprintf(href, sizeof(href), "c/%s.%s",
				    ctx->channels[i], ext[f]);
				if (f > 0)
					W(xmlTextWriterWriteString(w,
					    BAD_CAST " · "));
				W(html_link(w, href, label[f]));
			}
			W(xmlTextWriterWriteString(w, BAD_CAST ")"));
		}
		W(xmlTextWriterEndElement(w));
	}
	W(xmlTextWriterStartElement(w, BAD_CAST "p"));
	W(html_link(w, "feeds.opml", "The sources (OPML)"));
	W(xmlTextWriterEndElement(w));
	return failed ? -1 : 0;
}

static int
html_item(xmlTextWriterPtr w, const struct item *it)
{
	int failed = 0;
	char d[DATE_BUFSZ], snippet[400];
	size_t n;

	W(xmlTextWriterStartElement(w, BAD_CAST "li"));
	if (it->link != NULL) {
		W(xmlTextWriterStartElement(w, BAD_CAST "a"));
		W(xmlTextWriterWriteAttribute(w, BAD_CAST "href",
		    BAD_CAST it->link));
		W(xmlTextWriterWriteString(w, BAD_CAST (it->title ?
		    it->title : it->link)));
		W(xmlTextWriterEndElement(w));
	} else
		W(elem(w, "strong", it->title ? it->title : "(untitled)"));
	W(xmlTextWriterStartElement(w, BAD_CAST "div"));
	W(xmlTextWriterWriteAttribute(w, BAD_CAST "class", BAD_CAST "meta"));
	W(xmlTextWriterWriteFormatString(w, "%s · %s", it->feed_title,
	    fmt_date(it->date, d)));
	W(xmlTextWriterEndElement(w));
	if (it->text != NULL) {
		/* A snippet cut at a character boundary. */
		n = strlen(it->text);
		if (n > sizeof(snippet) - 4) {
			n = sizeof(snippet) - 4;
			while (n > 0 && ((unsigned char)it->text[n] & 0xC0) ==
			    0x80)
				n--;
		}
		snprintf(snippet, sizeof(snippet), "%.*s%s", (int)n, it->text,
		    n < strlen(it->text) ? "…" : "");
		W(elem(w, "p", snippet));
	}
	W(xmlTextWriterEndElement(w));
	return failed ? -1 : 0;
}

int
render_html(const struct render_ctx *ctx, const struct item *items, size_t n,
    struct buf *out)
{
	xmlBufferPtr xb = xmlBufferCreate();
	xmlTextWriterPtr w = xmlNewTextWriterMemory(xb, 0);
	int failed = 0;

	W(html_head(w, ctx));
	W(xmlTextWriterStartElement(w, BAD_CAST "body"));
	W(elem(w, "h1", ctx->title));
	W(html_form(w, ctx));
	W(html_feeds_line(w, ctx));
	if (n > 0) {
		W(xmlTextWriterStartElement(w, BAD_CAST "ol"));
		for (size_t i = 0; i < n; i++)
			W(html_item(w, &items[i]));
		W(xmlTextWriterEndElement(w));
	} else
		W(elem(w, "p", "No entries."));
	if (ctx->next != NULL) {
		W(xmlTextWriterStartElement(w, BAD_CAST "p"));
		W(xmlTextWriterStartElement(w, BAD_CAST "a"));
		W(xmlTextWriterWriteAttribute(w, BAD_CAST "rel",
		    BAD_CAST "next"));
		W(xmlTextWriterWriteAttribute(w, BAD_CAST "href",
		    BAD_CAST ctx->next));
		W(xmlTextWriterWriteString(w, BAD_CAST "Older entries"));
		W(xmlTextWriterEndElement(w));
		W(xmlTextWriterEndElement(w));
	}
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterEndElement(w));
	return finish(w, xb, failed, out);
}

/* RFC 822 as RSS wants it, in English whatever the locale. */
#define RFC822_BUFSZ	128	/* room for any int the compiler imagines */
static const char *
rfc822(int64_t t, char buf[RFC822_BUFSZ])
{
	static const char days[][4] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char months[][4] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	snprintf(buf, RFC822_BUFSZ, "%s, %02d %s %04d %02d:%02d:%02d +0000",
	    days[(unsigned)tm.tm_wday % 7], tm.tm_mday,
	    months[(unsigned)tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour,
	    tm.tm_min, tm.tm_sec);
	return buf;
}

/* An author RSS's <author> can hold: an e-mail address, maybe named. */
static int
is_email(const char *s)
{
	const char *at = strchr(s, '@');

	return at != NULL && at > s && strchr(at + 1, '.') != NULL &&
	    strpbrk(s, " <>\"") == NULL;
}

static int
rss_item(xmlTextWriterPtr w, const struct item *it)
{
	char d[RFC822_BUFSZ], *clean;
	int failed = 0;

	W(xmlTextWriterStartElement(w, BAD_CAST "item"));
	W(elem(w, "title", it->title != NULL && *it->title != '\0' ?
	    it->title : "(untitled)"));
	if (it->link != NULL)
		W(elem(w, "link", it->link));
	W(xmlTextWriterStartElement(w, BAD_CAST "guid"));
	W(xmlTextWriterWriteAttribute(w, BAD_CAST "isPermaLink",
	    BAD_CAST "false"));
	W(xmlTextWriterWriteString(w, BAD_CAST it->uid));
	W(xmlTextWriterEndElement(w));
	W(elem(w, "pubDate", rfc822(it->published != DATE_NONE ?
	    it->published : it->date, d)));
	/*
	 * Readers take an RSS description as HTML: the sanitized HTML, else
	 * the plain text escaped as HTML (libxml2); then escaped as XML by
	 * the writer.
	 */
	if ((clean = clean_html(it)) != NULL) {
		W(elem(w, "description", clean));
		free(clean);
	} else if (it->text != NULL && *it->text != '\0') {
		xmlChar *html = xmlEncodeSpecialChars(NULL, BAD_CAST it->text);

		W(elem(w, "description", html != NULL ? (const char *)html :
		    ""));
		xmlFree(html);
	}
	if (it->author != NULL && is_email(it->author))
		W(elem(w, "author", it->author));
	else if (it->author != NULL)
		W(xmlTextWriterWriteElementNS(w, BAD_CAST "dc",
		    BAD_CAST "creator", NULL, BAD_CAST it->author));
	for (const char *t = it->tags; t != NULL && *t != '\0';) {
		size_t n = strcspn(t, "\x1f");
		char *term = xstrndup(t, n);

		W(elem(w, "category", term));
		free(term);
		t += n + (t[n] != '\0');
	}
	W(xmlTextWriterStartElement(w, BAD_CAST "source"));
	W(xmlTextWriterWriteAttribute(w, BAD_CAST "url",
	    BAD_CAST it->feed_url));
	W(xmlTextWriterWriteString(w, BAD_CAST it->feed_title));
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterEndElement(w));
	return failed ? -1 : 0;
}

static int
atom_link(xmlTextWriterPtr w, const char *rel, const char *type,
    const char *href)
{
	int failed = 0;

	W(xmlTextWriterStartElementNS(w, BAD_CAST "atom", BAD_CAST "link",
	    NULL));
	W(xmlTextWriterWriteAttribute(w, BAD_CAST "href", BAD_CAST href));
	W(xmlTextWriterWriteAttribute(w, BAD_CAST "rel", BAD_CAST rel));
	W(xmlTextWriterWriteAttribute(w, BAD_CAST "type", BAD_CAST type));
	W(xmlTextWriterEndElement(w));
	return failed ? -1 : 0;
}

int
render_rss(const struct render_ctx *ctx, const struct item *items, size_t n,
    struct buf *out)
{
	xmlBufferPtr xb = xmlBufferCreate();
	xmlTextWriterPtr w = xmlNewTextWriterMemory(xb, 0);
	char d[RFC822_BUFSZ];
	int64_t newest = 0;
	int failed = 0;

	for (size_t i = 0; i < n; i++)
		if (items[i].date > newest)
			newest = items[i].date;
	W(xmlTextWriterSetIndent(w, 1));
	W(xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL));
	W(xmlTextWriterStartElement(w, BAD_CAST "rss"));
	W(xmlTextWriterWriteAttribute(w, BAD_CAST "version", BAD_CAST "2.0"));
	W(xmlTextWriterWriteAttribute(w, BAD_CAST "xmlns:atom",
	    BAD_CAST ATOM_NS));
	W(xmlTextWriterWriteAttribute(w, BAD_CAST "xmlns:dc",
	    BAD_CAST "http://purl.org/dc/elements/1.1/"));
	W(xmlTextWriterStartElement(w, BAD_CAST "channel"));
	W(elem(w, "title", ctx->title));
	W(elem(w, "link", ctx->home));
	W(elem(w, "description", ctx->title));
	W(atom_link(w, "self", "application/rss+xml", ctx->self));
	if (ctx->next != NULL)
		W(atom_link(w, "next", "application/rss+xml", ctx->next));
	if (newest > 0)
		W(elem(w, "lastBuildDate", rfc822(newest, d)));
	W(xmlTextWriterStartElement(w, BAD_CAST "generator"));
	W(xmlTextWriterWriteFormatString(w, "%s %s", PACKAGE_NAME,
	    PACKAGE_VERSION));
	W(xmlTextWriterEndElement(w));
	for (size_t i = 0; i < n; i++)
		W(rss_item(w, &items[i]));
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterEndElement(w));
	return finish(w, xb, failed, out);
}

int
render_opml(const char *title, const struct opml_source *src, size_t n,
    struct buf *out)
{
	xmlBufferPtr xb = xmlBufferCreate();
	xmlTextWriterPtr w = xmlNewTextWriterMemory(xb, 0);
	int failed = 0;

	W(xmlTextWriterSetIndent(w, 1));
	W(xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL));
	W(xmlTextWriterStartElement(w, BAD_CAST "opml"));
	W(xmlTextWriterWriteAttribute(w, BAD_CAST "version", BAD_CAST "2.0"));
	W(xmlTextWriterStartElement(w, BAD_CAST "head"));
	W(elem(w, "title", title));
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterStartElement(w, BAD_CAST "body"));
	for (size_t i = 0; i < n; i++) {
		/* text: the name, as [include] opml names a feed from it. */
		W(xmlTextWriterStartElement(w, BAD_CAST "outline"));
		W(xmlTextWriterWriteAttribute(w, BAD_CAST "type",
		    BAD_CAST "rss"));
		W(xmlTextWriterWriteAttribute(w, BAD_CAST "text",
		    BAD_CAST src[i].name));
		if (src[i].title != NULL)
			W(xmlTextWriterWriteAttribute(w, BAD_CAST "title",
			    BAD_CAST src[i].title));
		W(xmlTextWriterWriteAttribute(w, BAD_CAST "xmlUrl",
		    BAD_CAST src[i].url));
		if (src[i].tags != NULL)
			W(xmlTextWriterWriteAttribute(w, BAD_CAST "category",
			    BAD_CAST src[i].tags));
		W(xmlTextWriterEndElement(w));
	}
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterEndElement(w));
	return finish(w, xb, failed, out);
}

int
render_text(const struct item *items, size_t n, struct buf *out)
{
	char d[DATE_BUFSZ];

	for (size_t i = 0; i < n; i++)
		buf_printf(out, "%s\t%s\t%s\t%s\n", fmt_date(items[i].date, d),
		    items[i].feed_name, items[i].title ? items[i].title : "",
		    items[i].link ? items[i].link : "");
	return 0;
}

/*
 * JSON through SQLite's JSON1 on an in-memory database: each value is
 * bound, json_object() and json_array() do the quoting.  The statements
 * are prepared once per struct json_out.
 */
enum { J_PUSH, J_PUSHJ, J_ENTRY, J_ENCLOSURE, J_FEED, J_QUOTE, J_FEEDS,
	J_JF_ITEM, J_JF_FEED, J_COUNT };

static const char *const json_sql[J_COUNT] = {
	[J_PUSH] = "SELECT json_insert(?1, '$[#]', ?2)",
	[J_PUSHJ] = "SELECT json_insert(?1, '$[#]', json(?2))",
	[J_ENTRY] =
	    "SELECT json_object('id', ?1, 'title', ?2, 'link', ?3,"
	    " 'published', ?4, 'updated', ?5, 'author', ?6, 'summary', ?7,"
	    " 'content', ?8, 'categories', json(?9), 'enclosures', json(?10))",
	[J_ENCLOSURE] =
	    "SELECT json_object('url', ?1, 'type', ?2, 'length', ?3)",
	[J_FEED] =
	    "SELECT json_object('title', ?1, 'link', ?2, 'id', ?3,"
	    " 'subtitle', ?4, 'updated', ?5, 'language', ?6)",
	[J_QUOTE] = "SELECT json_quote(?1)",
	/* The columns of `sluice feeds`, from store_feeds_json's array. */
	[J_FEEDS] =
	    "SELECT json_extract(value, '$.name'),"
	    " json_extract(value, '$.state'),"
	    " coalesce(json_extract(value, '$.http_status'), '-'),"
	    " coalesce(json_extract(value, '$.last_success'), '-'),"
	    " coalesce(json_extract(value, '$.next_poll'), '-'),"
	    " json_extract(value, '$.consecutive_errors'),"
	    " json_extract(value, '$.entries'),"
	    " coalesce(json_extract(value, '$.error'), '')"
	    " FROM json_each(?1)",
	/*
	 * JSON Feed 1.1: an item, its absent members left out (the spec
	 * has no nulls), where it came from in the extension "_source".
	 */
	[J_JF_ITEM] =
	    "SELECT json_group_object(key, json(CASE WHEN type IN ('object',"
	    " 'array') THEN value ELSE json_quote(value) END)) FROM json_each("
	    "json_object('id', ?1, 'url', ?2, 'title', ?3,"
	    " 'content_text', coalesce(?4, ''), 'content_html', ?13,"
	    " 'date_published', ?5,"
	    " 'date_modified', ?6, 'authors', CASE WHEN ?7 IS NOT NULL"
	    " THEN json_array(json_object('name', ?7)) END,"
	    " 'tags', json(?8), '_source', (SELECT json_group_object(key,"
	    " value) FROM json_each(json_object('title', ?9,"
	    " 'home_page_url', ?10, 'feed_url', ?11, 'id', ?12))"
	    " WHERE type != 'null'))) WHERE type != 'null'",
	/* Without the members that are null (next_url on the last page). */
	[J_JF_FEED] =
	    "SELECT json_group_object(key, json(CASE WHEN type IN ('object',"
	    " 'array') THEN value ELSE json_quote(value) END)) FROM json_each("
	    "json_object('version', 'https://jsonfeed.org/version/1.1',"
	    " 'title', ?1, 'home_page_url', ?2, 'feed_url', ?3,"
	    " 'next_url', ?5, 'items', json(?4))) WHERE type != 'null'",
};

struct json_out {
	sqlite3		*db;
	sqlite3_stmt	*st[J_COUNT];
	struct buf	 a, b, c;	/* scratch */
};

struct json_out *
json_out_new(void)
{
	struct json_out *j = xcalloc(1, sizeof(*j));

	if (sqlite3_open(":memory:", &j->db) != SQLITE_OK)
		goto fail;
	for (int i = 0; i < J_COUNT; i++)
		if (sqlite3_prepare_v2(j->db, json_sql[i], -1, &j->st[i],
		    NULL) != SQLITE_OK)
			goto fail;
	return j;
fail:
	json_out_free(j);
	return NULL;
}

void
json_out_free(struct json_out *j)
{
	if (j == NULL)
		return;
	for (int i = 0; i < J_COUNT; i++)
		sqlite3_finalize(j->st[i]);
	sqlite3_close(j->db);
	buf_free(&j->a);
	buf_free(&j->b);
	buf_free(&j->c);
	free(j);
}

static void
bind_opt(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

static void
bind_date_opt(sqlite3_stmt *st, int i, int64_t t, char d[DATE_BUFSZ])
{
	if (t == DATE_NONE)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, date_format(t, d), -1, SQLITE_STATIC);
}

/* Steps st and puts its first column into out (replacing it). */
static int
json_step(sqlite3_stmt *st, struct buf *out)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW) {
		const unsigned char *v = sqlite3_column_text(st, 0);

		buf_reset(out);
		buf_append(out, v, (size_t)sqlite3_column_bytes(st, 0));
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* arr (a JSON array) with v appended, as text or as JSON. */
static int
json_push(struct json_out *j, int as_json, struct buf *arr, const char *v)
{
	sqlite3_stmt *st = j->st[as_json ? J_PUSHJ : J_PUSH];
	struct buf tmp = { 0 };
	int rc;

	bind_opt(st, 1, arr->data);
	bind_opt(st, 2, v);
	rc = json_step(st, &tmp);
	if (rc == 0) {
		buf_free(arr);
		*arr = tmp;
	} else
		buf_free(&tmp);
	return rc;
}

int
json_out_entry(struct json_out *j, const struct entry *e, struct buf *out)
{
	sqlite3_stmt *st = j->st[J_ENTRY], *est = j->st[J_ENCLOSURE];
	char d1[DATE_BUFSZ], d2[DATE_BUFSZ];

	buf_reset(&j->a);
	buf_reset(&j->b);
	buf_puts(&j->a, "[]");
	buf_puts(&j->b, "[]");
	for (size_t i = 0; i < e->ncategories; i++)
		if (json_push(j, 0, &j->a, e->categories[i]) == -1)
			return -1;
	for (size_t i = 0; i < e->nenclosures; i++) {
		bind_opt(est, 1, e->enclosures[i].url);
		bind_opt(est, 2, e->enclosures[i].type);
		if (e->enclosures[i].length >= 0)
			sqlite3_bind_int64(est, 3, e->enclosures[i].length);
		if (json_step(est, &j->c) == -1 ||
		    json_push(j, 1, &j->b, j->c.data) == -1)
			return -1;
	}
	bind_opt(st, 1, e->id);
	bind_opt(st, 2, e->title);
	bind_opt(st, 3, e->link);
	bind_date_opt(st, 4, e->published, d1);
	bind_date_opt(st, 5, e->updated, d2);
	bind_opt(st, 6, e->author);
	bind_opt(st, 7, e->summary);
	bind_opt(st, 8, e->content);
	bind_opt(st, 9, j->a.data);
	bind_opt(st, 10, j->b.data);
	if (json_step(st, &j->c) == -1)
		return -1;
	buf_append(out, j->c.data, j->c.len);
	return 0;
}

static int
json_out_feed(struct json_out *j, const struct feed_doc *d, struct buf *out)
{
	sqlite3_stmt *st = j->st[J_FEED];
	char d1[DATE_BUFSZ];

	bind_opt(st, 1, d->title);
	bind_opt(st, 2, d->link);
	bind_opt(st, 3, d->id);
	bind_opt(st, 4, d->subtitle);
	bind_date_opt(st, 5, d->updated, d1);
	bind_opt(st, 6, d->language);
	if (json_step(st, &j->c) == -1)
		return -1;
	buf_append(out, j->c.data, j->c.len);
	return 0;
}

static int
json_out_quote(struct json_out *j, const char *s, struct buf *out)
{
	sqlite3_stmt *st = j->st[J_QUOTE];

	bind_opt(st, 1, s);
	if (json_step(st, &j->c) == -1)
		return -1;
	buf_append(out, j->c.data, j->c.len);
	return 0;
}

int
json_out_open(struct json_out *j, const char *format, struct buf *out)
{
	buf_puts(out, "{\"format\":");
	if (json_out_quote(j, format, out) == -1)
		return -1;
	buf_puts(out, ",\"entries\":[");
	return 0;
}

int
json_out_close(struct json_out *j, const struct feed_doc *d, struct buf *out)
{
	buf_puts(out, "],\"feed\":");
	if (json_out_feed(j, d, out) == -1)
		return -1;
	buf_printf(out, ",\"bozo\":%s,\"bozo_reason\":", d->bozo ? "true" :
	    "false");
	if (json_out_quote(j, d->bozo_reason, out) == -1)
		return -1;
	buf_puts(out, "}");
	return 0;
}

int
json_out_strings(struct json_out *j, char *const *v, size_t n,
    struct buf *out)
{
	struct buf arr = { 0 };

	buf_puts(&arr, "[]");
	for (size_t i = 0; i < n; i++)
		if (json_push(j, 0, &arr, v[i]) == -1) {
			buf_free(&arr);
			return -1;
		}
	buf_append(out, arr.data, arr.len);
	buf_free(&arr);
	return 0;
}

int
render_feeds_table(struct json_out *j, const char *feeds, int tsv,
    struct buf *out)
{
	static const char *const head[] = { "NAME", "STATE", "HTTP",
	    "LAST SUCCESS", "NEXT POLL", "ERRORS", "ENTRIES", "ERROR" };
	static const int width[] = { 16, 6, 5, 21, 21, 7, 8, 0 };
	sqlite3_stmt *st = j->st[J_FEEDS];
	int rc;

	for (int c = 0; c < 8; c++)
		buf_printf(out, "%s%-*s", c ? (tsv ? "\t" : " ") : "",
		    tsv ? 0 : width[c], head[c]);
	buf_puts(out, "\n");
	bind_opt(st, 1, feeds);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int c = 0; c < 8; c++) {
			const char *v = (const char *)sqlite3_column_text(st,
			    c);

			buf_printf(out, "%s%-*s", c ? (tsv ? "\t" : " ") :
			    "", tsv ? 0 : width[c], v ? v : "");
		}
		buf_puts(out, "\n");
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
render_parse_json(const struct feed_doc *d, struct buf *out)
{
	struct json_out *j = json_out_new();
	int rc = -1;

	if (j == NULL || json_out_open(j, d->format, out) == -1)
		goto done;
	for (size_t i = 0; i < d->nentries; i++) {
		if (i > 0)
			buf_puts(out, ",");
		if (json_out_entry(j, &d->entries[i], out) == -1)
			goto done;
	}
	rc = json_out_close(j, d, out);
done:
	json_out_free(j);
	return rc;
}

int
render_json(const struct render_ctx *ctx, const struct item *items,
    size_t n, struct buf *out)
{
	struct json_out *j = json_out_new();
	sqlite3_stmt *st;
	struct buf arr = { 0 }, item = { 0 }, tags = { 0 };
	char d1[DATE_BUFSZ], d2[DATE_BUFSZ], *clean = NULL;
	int rc = -1;

	if (j == NULL)
		return -1;
	st = j->st[J_JF_ITEM];
	buf_puts(&arr, "[]");
	for (size_t i = 0; i < n; i++) {
		const struct item *it = &items[i];

		buf_reset(&tags);
		buf_puts(&tags, "[]");
		for (const char *t = it->tags; t != NULL && *t != '\0';) {
			size_t len = strcspn(t, "\x1f");
			char *one = xstrndup(t, len);
			int bad = json_push(j, 0, &tags, one);

			free(one);
			if (bad)
				goto done;
			t += len;
			if (*t == '\x1f')
				t++;
		}
		bind_opt(st, 1, it->uid);
		bind_opt(st, 2, it->link);
		bind_opt(st, 3, it->title);
		bind_opt(st, 4, it->text);
		bind_date_opt(st, 5, it->published != DATE_NONE ? it->published :
		    it->date, d1);
		bind_date_opt(st, 6, it->updated, d2);
		bind_opt(st, 7, it->author);
		if (it->tags != NULL)
			bind_opt(st, 8, tags.data);
		bind_opt(st, 9, it->feed_title);
		bind_opt(st, 10, it->feed_link);
		bind_opt(st, 11, it->feed_url);
		bind_opt(st, 12, it->feed_id);
		free(clean);
		clean = clean_html(it);
		bind_opt(st, 13, clean);
		if (json_step(st, &item) == -1 ||
		    json_push(j, 1, &arr, item.data) == -1)
			goto done;
	}
	st = j->st[J_JF_FEED];
	bind_opt(st, 1, ctx->title);
	bind_opt(st, 2, ctx->home);
	bind_opt(st, 3, ctx->self);
	bind_opt(st, 4, arr.data);
	bind_opt(st, 5, ctx->next);
	if (json_step(st, &item) == -1)
		goto done;
	buf_append(out, item.data, item.len);
	buf_puts(out, "\n");
	rc = 0;
done:
	free(clean);
	buf_free(&arr);
	buf_free(&item);
	buf_free(&tags);
	json_out_free(j);
	return rc;
}
