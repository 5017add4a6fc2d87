/*
 * parse.c - RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 documents to entries.
 *
 * The document is parsed whole from memory by libxml2: strictly first, then,
 * if that fails, once more in recover mode (the feed is then "bozo", as
 * feedparser calls it).  Child elements are mapped to fields through the
 * tables below; text is taken only from text and CDATA nodes, never by
 * expanding entity references, and is capped per field.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "buf.h"
#include "date.h"
#include "parse.h"
#include "url.h"
#include "utf8.h"

#define TEXT_MAX	(1 << 20)	/* bytes kept of any one field */
#define ENTRIES_MAX	10000		/* entries kept of one document */

enum field {
	F_ID, F_TITLE, F_LINK, F_AUTHOR, F_SUMMARY, F_CONTENT, F_PUBLISHED,
	F_UPDATED, F_CATEGORY, F_ENCLOSURE, F_LANGUAGE, F_COUNT
};

/* An element, by canonical name, and the field it fills; 0 beats 1 beats 2. */
struct tag {
	const char	*name;
	enum field	 field;
	int		 prio;
};

static const struct tag entry_tags[] = {
	{ "atom:author", F_AUTHOR, 0 },
	{ "atom:category", F_CATEGORY, 0 },
	{ "atom:content", F_CONTENT, 0 },
	{ "atom:id", F_ID, 0 },
	{ "atom:issued", F_PUBLISHED, 1 },
	{ "atom:link", F_LINK, 0 },
	{ "atom:modified", F_UPDATED, 1 },
	{ "atom:published", F_PUBLISHED, 0 },
	{ "atom:summary", F_SUMMARY, 0 },
	{ "atom:title", F_TITLE, 0 },
	{ "atom:updated", F_UPDATED, 0 },
	{ "author", F_AUTHOR, 0 },
	{ "category", F_CATEGORY, 0 },
	{ "content:encoded", F_CONTENT, 0 },
	{ "dc:creator", F_AUTHOR, 1 },
	{ "dc:date", F_UPDATED, 1 },
	{ "dc:subject", F_CATEGORY, 0 },
	{ "dc:title", F_TITLE, 1 },
	{ "dcterms:issued", F_PUBLISHED, 1 },
	{ "dcterms:modified", F_UPDATED, 1 },
	{ "description", F_SUMMARY, 0 },
	{ "enclosure", F_ENCLOSURE, 0 },
	{ "guid", F_ID, 0 },
	{ "link", F_LINK, 0 },
	{ "pubDate", F_PUBLISHED, 0 },
	{ "title", F_TITLE, 0 },
};

static const struct tag feed_tags[] = {
	{ "atom:id", F_ID, 0 },
	{ "atom:link", F_LINK, 1 },
	{ "atom:modified", F_UPDATED, 1 },
	{ "atom:subtitle", F_SUMMARY, 0 },
	{ "atom:tagline", F_SUMMARY, 1 },
	{ "atom:title", F_TITLE, 0 },
	{ "atom:updated", F_UPDATED, 0 },
	{ "dc:date", F_UPDATED, 2 },
	{ "dc:language", F_LANGUAGE, 1 },
	{ "dc:title", F_TITLE, 1 },
	{ "description", F_SUMMARY, 0 },
	{ "language", F_LANGUAGE, 0 },
	{ "lastBuildDate", F_UPDATED, 0 },
	{ "link", F_LINK, 0 },
	{ "pubDate", F_UPDATED, 1 },
	{ "title", F_TITLE, 0 },
};

/* Namespace URI to the prefix used in the tables; "" is plain RSS. */
static const struct {
	const char	*uri;
	const char	*prefix;
} namespaces[] = {
	{ "http://www.w3.org/2005/Atom", "atom" },
	{ "http://purl.org/atom/ns#", "atom" },
	{ "http://purl.org/rss/1.0/", "" },
	{ "http://my.netscape.com/rdf/simple/0.9/", "" },
	{ "http://backend.userland.com/rss2", "" },
	{ "http://purl.org/rss/1.0/modules/content/", "content" },
	{ "http://purl.org/dc/elements/1.1/", "dc" },
	{ "http://purl.org/dc/terms/", "dcterms" },
	{ "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdf" },
	{ "http://search.yahoo.com/mrss/", "media" },
	{ "http://www.itunes.com/dtds/podcast-1.0.dtd", "itunes" },
};

#define NS_ATOM10	"http://www.w3.org/2005/Atom"
#define NS_ATOM03	"http://purl.org/atom/ns#"
#define NS_RSS090	"http://my.netscape.com/rdf/simple/0.9/"
#define NS_XHTML	"http://www.w3.org/1999/xhtml"

/* The fields of one entry (or of the feed) and the priority that set each. */
struct fill {
	struct entry	*e;
	char		*language;
	int		 prio[F_COUNT];
};

static xmlParserInputPtr
deny_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	return NULL;
}

void
parse_init(void)
{
	xmlInitParser();
	xmlSetExternalEntityLoader(deny_loader);
}

/*
 * Copies s as valid UTF-8: invalid bytes become U+FFFD, control characters
 * that XML 1.0 forbids are dropped.  Returns new.
 */
static char *
clean_utf8(const char *s, size_t n)
{
	struct buf b = { 0 };
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	buf_append(&b, "", 0);
	while (p < end) {
		long c;
		int len = utf8_next(p, (size_t)(end - p), &c);

		if (len == 0 || c == 0xFFFE || c == 0xFFFF) {
			buf_puts(&b, "\xEF\xBF\xBD");
			p++;
			continue;
		}
		if (len == 1 && *p < 0x20 && *p != '\t' && *p != '\n' &&
		    *p != '\r') {
			p++;
			continue;
		}
		buf_append(&b, p, (size_t)len);
		p += len;
	}
	return buf_steal(&b);
}

/* Collapses runs of whitespace to one space and trims, in place. */
static void
collapse(char *s)
{
	char *w = s;
	int space = 0;

	for (char *r = s; *r != '\0'; r++) {
		if (isspace((unsigned char)*r)) {
			space = w != s;
			continue;
		}
		if (space)
			*w++ = ' ';
		space = 0;
		*w++ = *r;
	}
	*w = '\0';
}

/* HTML elements that do not break a word when markup is dropped. */
#define INLINE	"a abbr b bdi bdo cite code data del dfn em font i ins kbd " \
		"mark q s samp small span strong sub sup time tt u var"

/* 1 when n's name (lower case, as the HTML parser makes it) is in list. */
static int
is_named_in(xmlNode *n, const char *list)
{
	size_t len = strlen((const char *)n->name);
	const char *p = list;

	while ((p = strstr(p, (const char *)n->name)) != NULL) {
		if ((p == list || p[-1] == ' ') && (p[len] == ' ' ||
		    p[len] == '\0'))
			return 1;
		p += len;
	}
	return 0;
}

/*
 * The text of a node: its text and CDATA descendants in document order,
 * walked without recursion, entity references not followed, capped.
 */
static void
node_text_buf(xmlNode *top, struct buf *b, int html)
{
	xmlNode *n = top->children;

	while (n != NULL && b->len < TEXT_MAX) {
		if (n->type == XML_TEXT_NODE ||
		    n->type == XML_CDATA_SECTION_NODE) {
			size_t len = strlen((const char *)n->content);

			if (len > TEXT_MAX - b->len)
				len = TEXT_MAX - b->len;
			buf_append(b, n->content, len);
		} else if (n->type == XML_ELEMENT_NODE && html &&
		    is_named_in(n, "br img hr")) {
			buf_puts(b, " ");
		} else if (n->type == XML_ELEMENT_NODE && n->children != NULL &&
		    !(html && is_named_in(n, "script style"))) {
			if (html && !is_named_in(n, INLINE))
				buf_puts(b, " ");
			n = n->children;
			continue;
		}
		while (n != NULL && n->next == NULL) {
			n = n->parent;
			if (n == top)
				n = NULL;
			else if (html && !is_named_in(n, INLINE))
				buf_puts(b, " ");
		}
		if (n != NULL)
			n = n->next;
	}
}

static char *
node_text(xmlNode *n)
{
	struct buf b = { 0 };
	char *s;

	node_text_buf(n, &b, 0);
	s = clean_utf8(b.data ? b.data : "", b.len);
	buf_free(&b);
	return s;
}

char *
html_to_text(const char *html)
{
	htmlDocPtr doc;
	xmlNode *root;
	struct buf b = { 0 };
	char *s;

	doc = htmlReadMemory(html, (int)strlen(html), NULL, "UTF-8",
	    HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	    HTML_PARSE_NONET | HTML_PARSE_NOIMPLIED);
	if (doc == NULL)
		return xstrdup(html);
	for (root = doc->children; root != NULL; root = root->next) {
		if (root->type == XML_TEXT_NODE)
			buf_puts(&b, (const char *)root->content);
		else if (root->type == XML_ELEMENT_NODE)
			node_text_buf(root, &b, 1);
	}
	xmlFreeDoc(doc);
	s = clean_utf8(b.data ? b.data : "", b.len);
	buf_free(&b);
	collapse(s);
	return s;
}

static char *
attr(xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetProp(n, BAD_CAST name);
	char *s;

	if (v == NULL)
		return NULL;
	s = clean_utf8((const char *)v, strlen((const char *)v));
	xmlFree(v);
	return s;
}

/* A link found at n, made absolute against n's xml:base and the document. */
static char *
resolve(xmlNode *n, const char *ref)
{
	xmlChar *base = xmlNodeGetBase(n->doc, n);
	char *abs;
	char *copy = xstrdup(ref);

	collapse(copy);
	abs = url_resolve((const char *)base, copy);
	xmlFree(base);
	if (abs == NULL)
		return copy;
	free(copy);
	return abs;
}

/* An Atom text construct (or RSS text) as the source gave it. */
static char *
text_construct(xmlNode *n, int atom)
{
	xmlChar *type;
	xmlBufferPtr xb;
	char *s;

	if (!atom || (type = xmlGetProp(n, BAD_CAST "type")) == NULL)
		return node_text(n);
	if (xmlStrcmp(type, BAD_CAST "xhtml") != 0) {
		xmlFree(type);
		return node_text(n);
	}
	xmlFree(type);
	/* xhtml: the markup inside the wrapping div, serialised. */
	xb = xmlBufferCreate();
	for (xmlNode *c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		for (xmlNode *d = c->children; d != NULL; d = d->next)
			xmlNodeDump(xb, n->doc, d, 0, 0);
		break;
	}
	s = clean_utf8((const char *)xmlBufferContent(xb),
	    (size_t)xmlBufferLength(xb));
	xmlBufferFree(xb);
	return s;
}

/* Titles and names are plain text. */
static char *
plain_text(xmlNode *n, int atom)
{
	char *s = text_construct(n, atom), *t;
	xmlChar *type = atom ? xmlGetProp(n, BAD_CAST "type") : NULL;
	int markup;

	if (atom)
		markup = type != NULL && (xmlStrcmp(type, BAD_CAST "html") ==
		    0 || xmlStrcmp(type, BAD_CAST "xhtml") == 0);
	else
		markup = strchr(s, '<') != NULL || strchr(s, '&') != NULL;
	xmlFree(type);
	if (markup) {
		t = html_to_text(s);
		free(s);
		s = t;
	}
	collapse(s);
	return s;
}

static const char *
canonical_name(xmlNode *n, char *buf, size_t len)
{
	const char *prefix = "?";

	if (n->ns == NULL || n->ns->href == NULL)
		prefix = "";
	else
		for (size_t i = 0; i < sizeof(namespaces) /
		    sizeof(namespaces[0]); i++)
			if (strcmp((const char *)n->ns->href,
			    namespaces[i].uri) == 0) {
				prefix = namespaces[i].prefix;
				break;
			}
	snprintf(buf, len, "%s%s%s", prefix, *prefix ? ":" : "",
	    (const char *)n->name);
	return buf;
}

static const struct tag *
find_tag(const struct tag *tags, size_t ntags, xmlNode *n)
{
	char name[128];

	canonical_name(n, name, sizeof(name));
	for (size_t i = 0; i < ntags; i++)
		if (strcmp(tags[i].name, name) == 0)
			return &tags[i];
	return NULL;
}

static int
is_atom(xmlNode *n)
{
	return n->ns != NULL && n->ns->href != NULL &&
	    (strcmp((const char *)n->ns->href, NS_ATOM10) == 0 ||
	    strcmp((const char *)n->ns->href, NS_ATOM03) == 0);
}

static void
add_enclosure(struct entry *e, char *url, char *type, char *length)
{
	struct enclosure *enc;

	if (url == NULL || *url == '\0') {
		free(url);
		free(type);
		free(length);
		return;
	}
	e->enclosures = xrealloc(e->enclosures, (e->nenclosures + 1) *
	    sizeof(*e->enclosures));
	enc = &e->enclosures[e->nenclosures++];
	enc->url = url;
	enc->type = type != NULL && *type != '\0' ? type : NULL;
	if (enc->type == NULL)
		free(type);
	enc->length = -1;
	if (length != NULL && isdigit((unsigned char)*length))
		enc->length = strtoll(length, NULL, 10);
	free(length);
}

/* Atom <link>: rel="alternate" (the default) or rel="enclosure". */
static char *
atom_link(struct fill *f, xmlNode *n)
{
	char *rel = attr(n, "rel"), *href = attr(n, "href"), *abs;

	if (href == NULL) {
		free(rel);
		return NULL;
	}
	abs = resolve(n, href);
	free(href);
	if (rel != NULL && strcmp(rel, "enclosure") == 0 && f->e != NULL) {
		add_enclosure(f->e, abs, attr(n, "type"), attr(n, "length"));
		abs = NULL;
	} else if (rel != NULL && strcmp(rel, "alternate") != 0) {
		free(abs);
		abs = NULL;
	}
	free(rel);
	return abs;
}

static char *
author_name(xmlNode *n, int atom)
{
	char *name = NULL, *email = NULL;

	if (!atom)
		return plain_text(n, 0);
	for (xmlNode *c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (xmlStrcmp(c->name, BAD_CAST "name") == 0 && name == NULL)
			name = plain_text(c, 0);
		else if (xmlStrcmp(c->name, BAD_CAST "email") == 0 &&
		    email == NULL)
			email = plain_text(c, 0);
	}
	if (name != NULL && *name != '\0') {
		free(email);
		return name;
	}
	free(name);
	return email;
}

static void
set_text(char **slot, char *v)
{
	if (v != NULL && *v == '\0') {
		free(v);
		v = NULL;
	}
	if (v == NULL)
		return;
	free(*slot);
	*slot = v;
}

/* One child element of an entry or of the feed header. */
static void
fill_field(struct fill *f, const struct tag *t, xmlNode *n)
{
	struct entry *e = f->e;
	int atom = is_atom(n);
	char *s, *slot_text = NULL;
	int64_t when;

	if (t->field == F_CATEGORY) {
		s = atom ? attr(n, "term") : plain_text(n, 0);
		if (s != NULL && *s != '\0') {
			e->categories = xrealloc(e->categories,
			    (e->ncategories + 1) * sizeof(char *));
			e->categories[e->ncategories++] = s;
		} else
			free(s);
		return;
	}
	if (t->field == F_ENCLOSURE) {
		s = attr(n, "url");
		add_enclosure(e, s ? resolve(n, s) : NULL, attr(n, "type"),
		    attr(n, "length"));
		free(s);
		return;
	}
	if (t->field == F_LINK && atom && f->prio[F_LINK] <= t->prio) {
		/* The link is set, but rel="enclosure" still counts. */
		free(atom_link(f, n));
		return;
	}
	if (f->prio[t->field] <= t->prio)
		return;		/* already set by a better element */
	switch (t->field) {
	case F_ID:
		slot_text = node_text(n);
		collapse(slot_text);
		break;
	case F_TITLE:
		slot_text = plain_text(n, atom);
		break;
	case F_LINK:
		if (atom)
			slot_text = atom_link(f, n);
		else {
			s = node_text(n);
			collapse(s);
			slot_text = *s ? resolve(n, s) : NULL;
			free(s);
		}
		break;
	case F_AUTHOR:
		slot_text = author_name(n, atom);
		break;
	case F_SUMMARY:
	case F_CONTENT:
	case F_LANGUAGE:
		slot_text = text_construct(n, atom);
		if (t->field == F_LANGUAGE)
			collapse(slot_text);
		break;
	case F_PUBLISHED:
	case F_UPDATED:
		s = node_text(n);
		if (date_parse(s, &when) == 0) {
			if (t->field == F_PUBLISHED)
				e->published = when;
			else
				e->updated = when;
			f->prio[t->field] = t->prio;
		}
		free(s);
		return;
	default:
		return;
	}
	if (slot_text == NULL || *slot_text == '\0') {
		free(slot_text);
		return;
	}
	f->prio[t->field] = t->prio;
	switch (t->field) {
	case F_ID: set_text(&e->id, slot_text); break;
	case F_TITLE: set_text(&e->title, slot_text); break;
	case F_LINK: set_text(&e->link, slot_text); break;
	case F_AUTHOR: set_text(&e->author, slot_text); break;
	case F_SUMMARY: set_text(&e->summary, slot_text); break;
	case F_CONTENT: set_text(&e->content, slot_text); break;
	case F_LANGUAGE: set_text(&f->language, slot_text); break;
	default: free(slot_text); break;
	}
}

static void
fill_init(struct fill *f, struct entry *e)
{
	memset(f, 0, sizeof(*f));
	memset(e, 0, sizeof(*e));
	e->published = e->updated = DATE_NONE;
	f->e = e;
	for (int i = 0; i < F_COUNT; i++)
		f->prio[i] = 1000;
}

static void
fill_children(struct fill *f, xmlNode *parent, const struct tag *tags,
    size_t ntags)
{
	for (xmlNode *n = parent->children; n != NULL; n = n->next) {
		const struct tag *t;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		if ((t = find_tag(tags, ntags, n)) != NULL)
			fill_field(f, t, n);
	}
}

static void
entry_free_fields(struct entry *e)
{
	free(e->id);
	free(e->title);
	free(e->link);
	free(e->author);
	free(e->summary);
	free(e->content);
	for (size_t i = 0; i < e->ncategories; i++)
		free(e->categories[i]);
	free(e->categories);
	for (size_t i = 0; i < e->nenclosures; i++) {
		free(e->enclosures[i].url);
		free(e->enclosures[i].type);
	}
	free(e->enclosures);
}

static void
add_entry(struct feed_doc *d, xmlNode *n)
{
	struct fill f;
	struct entry e;
	char *about;

	if (d->nentries >= ENTRIES_MAX)
		return;
	fill_init(&f, &e);
	fill_children(&f, n, entry_tags, sizeof(entry_tags) /
	    sizeof(entry_tags[0]));
	/* RSS 1.0 items are identified by rdf:about. */
	if (e.id == NULL && (about = (char *)xmlGetNsProp(n, BAD_CAST "about",
	    BAD_CAST "http://www.w3.org/1999/02/22-rdf-syntax-ns#")) != NULL) {
		e.id = clean_utf8(about, strlen(about));
		xmlFree(about);
	}
	free(f.language);
	if (e.title == NULL && e.link == NULL && e.id == NULL &&
	    e.summary == NULL && e.content == NULL) {
		entry_free_fields(&e);
		return;
	}
	d->entries = xrealloc(d->entries, (d->nentries + 1) *
	    sizeof(*d->entries));
	d->entries[d->nentries++] = e;
}

static int
is_named(xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	    xmlStrcmp(n->name, BAD_CAST name) == 0;
}

static void
fill_header(struct feed_doc *d, xmlNode *channel)
{
	struct fill f;
	struct entry e;

	fill_init(&f, &e);
	fill_children(&f, channel, feed_tags, sizeof(feed_tags) /
	    sizeof(feed_tags[0]));
	d->title = e.title;
	d->link = e.link;
	d->id = e.id;
	d->subtitle = e.summary;
	d->updated = e.updated != DATE_NONE ? e.updated : e.published;
	d->language = f.language;
	e.title = e.link = e.id = e.summary = NULL;
	entry_free_fields(&e);
}

/* Names the format from the root element; NULL when it is not a feed. */
static const char *
detect(xmlNode *root)
{
	const char *ns = root->ns && root->ns->href ?
	    (const char *)root->ns->href : "";
	xmlChar *version;
	const char *fmt = NULL;

	if (is_named(root, "feed"))
		fmt = strcmp(ns, NS_ATOM10) == 0 ? "atom1.0" :
		    strcmp(ns, NS_ATOM03) == 0 ? "atom0.3" : NULL;
	else if (is_named(root, "RDF"))
		fmt = root->children && strstr(ns, "rdf-syntax") != NULL ?
		    "rss1.0" : NULL;
	else if (is_named(root, "rss")) {
		version = xmlGetProp(root, BAD_CAST "version");
		fmt = version != NULL && xmlStrncmp(version, BAD_CAST "0.9",
		    3) == 0 ? "rss0.9x" : "rss2.0";
		xmlFree(version);
	}
	return fmt;
}

static void
walk_rss(struct feed_doc *d, xmlNode *root)
{
	xmlNode *channel = NULL;

	for (xmlNode *n = root->children; n != NULL; n = n->next)
		if (is_named(n, "channel")) {
			channel = n;
			break;
		}
	if (channel != NULL) {
		fill_header(d, channel);
		for (xmlNode *n = channel->children; n != NULL; n = n->next)
			if (is_named(n, "item"))
				add_entry(d, n);
	}
	/* RSS 0.90 and 1.0 keep the items beside the channel. */
	for (xmlNode *n = root->children; n != NULL; n = n->next) {
		if (!is_named(n, "item"))
			continue;
		add_entry(d, n);
		if (n->ns != NULL && strcmp((const char *)n->ns->href,
		    NS_RSS090) == 0)
			d->format = "rss0.9x";
	}
}

static void
walk_atom(struct feed_doc *d, xmlNode *root)
{
	fill_header(d, root);
	if (d->language == NULL) {
		xmlChar *lang = xmlNodeGetLang(root);

		if (lang != NULL)
			d->language = clean_utf8((const char *)lang,
			    strlen((const char *)lang));
		xmlFree(lang);
	}
	for (xmlNode *n = root->children; n != NULL; n = n->next)
		if (is_named(n, "entry") && is_atom(n))
			add_entry(d, n);
}

static void
error_text(xmlParserCtxtPtr ctxt, char *err, size_t errlen)
{
	const xmlError *e = xmlCtxtGetLastError(ctxt);
	char msg[200];

	if (e == NULL || e->message == NULL) {
		snprintf(err, errlen, "not well-formed XML");
		return;
	}
	snprintf(msg, sizeof(msg), "%s", e->message);
	collapse(msg);
	snprintf(err, errlen, "XML error at line %d: %s", e->line, msg);
}

static xmlDocPtr
read_doc(xmlParserCtxtPtr ctxt, const char *data, size_t len,
    const char *url, const char *charset, int recover)
{
	int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
	    XML_PARSE_NOCDATA;

	if (recover)
		opts |= XML_PARSE_RECOVER;
	return xmlCtxtReadMemory(ctxt, data, (int)len, url, charset, opts);
}

struct feed_doc *
feed_parse(const char *data, size_t len, const char *url, const char *charset,
    char *err, size_t errlen)
{
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc;
	xmlNode *root;
	struct feed_doc *d = NULL;
	char why[256] = "";
	const char *fmt;

	if (len == 0) {
		snprintf(err, errlen, "empty document");
		return NULL;
	}
	if (len > INT32_MAX) {
		snprintf(err, errlen, "document too large");
		return NULL;
	}
	if ((ctxt = xmlNewParserCtxt()) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	doc = read_doc(ctxt, data, len, url, charset, 0);
	if (doc == NULL || !ctxt->wellFormed) {
		error_text(ctxt, why, sizeof(why));
		xmlFreeDoc(doc);
		xmlCtxtReset(ctxt);
		doc = read_doc(ctxt, data, len, url, charset, 1);
	}
	if (doc == NULL || (root = xmlDocGetRootElement(doc)) == NULL) {
		snprintf(err, errlen, "not a feed: %s", *why ? why :
		    "no XML document");
		goto done;
	}
	if ((fmt = detect(root)) == NULL) {
		snprintf(err, errlen, "not a feed: the root element is <%s>",
		    (const char *)root->name);
		goto done;
	}
	d = xcalloc(1, sizeof(*d));
	d->format = fmt;
	d->updated = DATE_NONE;
	if (*why != '\0') {
		d->bozo = 1;
		d->bozo_reason = xstrdup(why);
	}
	if (strncmp(fmt, "atom", 4) == 0)
		walk_atom(d, root);
	else
		walk_rss(d, root);
done:
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	return d;
}

void
feed_doc_free(struct feed_doc *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->nentries; i++)
		entry_free_fields(&d->entries[i]);
	free(d->entries);
	free(d->title);
	free(d->link);
	free(d->id);
	free(d->subtitle);
	free(d->language);
	free(d->bozo_reason);
	free(d);
}
