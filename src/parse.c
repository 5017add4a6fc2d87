/*
 * parse.c - RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 documents to entries,
 * streaming.
 *
 * Bytes go through decode (to UTF-8) into libxml2's SAX2 push parser in
 * recover mode: a document that is not well-formed still yields what can be
 * read of it, and is flagged "bozo" (feedparser's word).  An entry is handed
 * over when its end tag is read; one that the document never closes is
 * dropped.  The element-to-field mapping is the tables below.  Entities are
 * never expanded from the document's DTD beyond plain-text declarations, and
 * never loaded from outside; HTML's named entities, which feeds use without
 * declaring them, are read as the characters they name.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/entities.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "buf.h"
#include "date.h"
#include "decode.h"
#include "jsonfeed.h"
#include "parse.h"
#include "url.h"
#include "utf8.h"

#define TEXT_MAX	(1 << 20)	/* bytes kept of any one field */
#define ENTRIES_MAX	10000		/* entries feed_parse collects */
#define DEPTH_MAX	300		/* elements deeper are skipped */
#define JSON_MAX	(64 << 20)	/* bytes of a JSON Feed read whole */
#define DECLARED_MAX	64		/* plain-text entities declared */
#define EXPANSION_MAX	(1 << 20)	/* bytes of declared entities used */

enum field {
	F_ID, F_TITLE, F_LINK, F_AUTHOR, F_SUMMARY, F_CONTENT, F_PUBLISHED,
	F_UPDATED, F_CATEGORY, F_ENCLOSURE, F_LANGUAGE, F_TTL, F_SKIPHOURS,
	F_SKIPDAYS, F_COUNT
};

/* An element, by canonical name, and the field it fills; 0 beats 1 beats 2. */
struct tag {
	const char	*name;
	enum field	 field;
	int		 prio;
};

/* The children of an item or entry.  Sorted by name. */
static const struct tag entry_tags[] = {
	{ "atom:author", F_AUTHOR, 0 },
	{ "atom:category", F_CATEGORY, 0 },
	{ "atom:content", F_CONTENT, 0 },
	{ "atom:created", F_PUBLISHED, 2 },
	{ "atom:id", F_ID, 0 },
	{ "atom:issued", F_PUBLISHED, 1 },
	{ "atom:link", F_LINK, 1 },
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
	{ "dc:description", F_SUMMARY, 1 },
	{ "dc:subject", F_CATEGORY, 0 },
	{ "dc:title", F_TITLE, 1 },
	{ "dcterms:created", F_PUBLISHED, 2 },
	{ "dcterms:issued", F_PUBLISHED, 1 },
	{ "dcterms:modified", F_UPDATED, 1 },
	{ "description", F_SUMMARY, 0 },
	{ "enclosure", F_ENCLOSURE, 0 },
	{ "feedburner:origLink", F_LINK, -1 },	/* the real page */
	{ "guid", F_ID, 0 },
	{ "itunes:author", F_AUTHOR, 2 },
	{ "itunes:summary", F_SUMMARY, 2 },
	{ "link", F_LINK, 0 },
	{ "pubDate", F_PUBLISHED, 0 },
	{ "title", F_TITLE, 0 },
	{ "xhtml:body", F_CONTENT, 1 },
};

/* The children of an RSS channel or an Atom feed.  Sorted by name. */
static const struct tag feed_tags[] = {
	{ "atom:id", F_ID, 0 },
	{ "atom:link", F_LINK, 1 },
	{ "atom:modified", F_UPDATED, 1 },
	{ "atom:subtitle", F_SUMMARY, 0 },
	{ "atom:tagline", F_SUMMARY, 1 },
	{ "atom:title", F_TITLE, 0 },
	{ "atom:updated", F_UPDATED, 0 },
	{ "dc:date", F_UPDATED, 2 },
	{ "dc:description", F_SUMMARY, 1 },
	{ "dc:language", F_LANGUAGE, 1 },
	{ "dc:title", F_TITLE, 1 },
	{ "dcterms:modified", F_UPDATED, 2 },
	{ "description", F_SUMMARY, 0 },
	{ "itunes:subtitle", F_SUMMARY, 2 },
	{ "language", F_LANGUAGE, 0 },
	{ "lastBuildDate", F_UPDATED, 0 },
	{ "link", F_LINK, 0 },
	{ "pubDate", F_UPDATED, 1 },
	{ "skipDays", F_SKIPDAYS, 0 },
	{ "skipHours", F_SKIPHOURS, 0 },
	{ "title", F_TITLE, 0 },
	{ "ttl", F_TTL, 0 },
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
	{ "http://blogs.law.harvard.edu/tech/rss", "" },
	{ "http://purl.org/rss/1.0/modules/content/", "content" },
	{ "http://purl.org/dc/elements/1.1/", "dc" },
	{ "http://purl.org/dc/terms/", "dcterms" },
	{ "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdf" },
	{ "http://search.yahoo.com/mrss/", "media" },
	{ "http://search.yahoo.com/mrss", "media" },
	{ "http://www.itunes.com/dtds/podcast-1.0.dtd", "itunes" },
	{ "http://www.itunes.com/DTDs/Podcast-1.0.dtd", "itunes" },
	{ "http://www.w3.org/1999/xhtml", "xhtml" },
	{ "http://rssnamespace.org/feedburner/ext/1.0", "feedburner" },
};

#define NS_ATOM10	"http://www.w3.org/2005/Atom"
#define NS_ATOM03	"http://purl.org/atom/ns#"
#define NS_RSS090	"http://my.netscape.com/rdf/simple/0.9/"
#define NS_RDF		"http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define NS_XML		"http://www.w3.org/XML/1998/namespace"
#define NS_XHTML	"http://www.w3.org/1999/xhtml"

/* What an open element is to us. */
enum role { R_OTHER, R_FEED, R_ENTRY, R_FIELD, R_AUTHOR, R_AUTHOR_PART };

/* One open element. */
struct frame {
	enum role	 role;
	const char	*base;		/* xml:base in effect */
	char		*own_base;	/* set here, or NULL */
	const char	*lang;		/* xml:lang in effect */
	char		*own_lang;
};

/* The fields of one entry (or of the feed) and the priority that set each. */
struct fill {
	struct entry	 e;
	char		*language;
	char		*about;		/* RSS 1.0 rdf:about */
	char		*permalink;	/* a guid that is a link */
	int		 guid_is_link;	/* no isPermaLink="false" */
	int		 prio[F_COUNT];
};

/* How a captured field's content is written. */
enum mode {
	M_TEXT,		/* text only; nested markup dropped */
	M_RAW,		/* text as is (escaped HTML); nested markup kept */
	M_XML,		/* text escaped, nested markup kept (xhtml) */
};

/* The field being read. */
struct capture {
	int		 active;
	const struct tag *tag;
	struct fill	*into;
	int		 depth;
	enum mode	 mode;
	int		 markup;	/* the value is HTML (for titles) */
	int		 spaced;	/* a space between nested elements */
	int		 base64;	/* Atom 0.3 mode="base64" */
	int		 unwrap;	/* xhtml: leave out the wrapping div */
	int		 div_depth;	/* the div left out, or 0 */
	size_t		 last_open;	/* buffer length after a start tag */
	struct buf	 text;
	const char	*base;
};

/* A declared entity we agree to expand: plain text only. */
struct declared {
	xmlEntity	 ent;
	char		*name;
	char		*content;
};

/* A remembered table lookup (see find_tag). */
struct tag_memo {
	const char	*local, *prefix, *uri;
	const struct tag *tags;
	const struct tag *hit;
};
#define TAG_MEMO	256

struct feed_parser {
	xmlParserCtxtPtr	 ctxt;
	struct tag_memo		 memo[TAG_MEMO];
	const char		*atom_uri;	/* the Atom namespace, interned */
	const char		*other_uri;	/* the last that is not */
	struct decoder		*dec;
	const char		*url;
	entry_cb		*cb;
	void			*arg;

	int			 json;		/* 1: JSON Feed, 0: XML, -1: ? */
	struct buf		 raw;		/* a JSON Feed, whole */
	int			 failed;
	int			 not_feed;
	char			 root[64];	/* name of an unknown root */
	int			 stopped;

	const char		*format;
	int			 atom;		/* an Atom document */
	char			*feed_lang;	/* xml:lang at the feed */
	int			 depth;
	struct frame		 stack[DEPTH_MAX + 1];
	long			 too_deep;	/* open elements past the stack */
	int			 feed_depth;	/* 0 when not inside */
	int			 entry_depth;
	int			 author_depth;
	struct fill		 head;		/* the feed's own fields */
	struct fill		 item;		/* the entry being read */
	struct buf		 author_name, author_email;
	int			 author_part;	/* 1 name, 2 email */
	struct capture		 cap;

	struct declared		 declared[DECLARED_MAX];
	int			 ndeclared;
	size_t			 expanded;

	struct feed_doc		*doc;
	int64_t			 ttl;		/* schedule hints, see */
	uint32_t		 skip_hours;	/* schedule_hint */
	uint8_t			 skip_days;
	int			 bozo;
	char			 bozo_reason[256];
};

/* HTML 4's named entities, built once from libxml2's HTML tables. */
struct html_entity {
	char		 name[12];
	char		 utf8[8];
	xmlEntity	 ent;
};

static struct html_entity html_entities[300];
static size_t nhtml_entities;

static xmlParserInputPtr
deny_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	return NULL;
}

static int
html_entity_cmp(const void *a, const void *b)
{
	return strcmp(((const struct html_entity *)a)->name,
	    ((const struct html_entity *)b)->name);
}

/* A predefined-type entity: libxml2 inlines its content as text. */
static void
make_entity(xmlEntity *ent, const char *name, const char *content)
{
	memset(ent, 0, sizeof(*ent));
	ent->type = XML_ENTITY_DECL;
	ent->name = BAD_CAST name;
	ent->etype = XML_INTERNAL_PREDEFINED_ENTITY;
	ent->content = BAD_CAST content;
	ent->orig = BAD_CAST content;
	ent->length = (int)strlen(content);
}

void
parse_init(void)
{
	xmlInitParser();
	xmlSetExternalEntityLoader(deny_loader);
	if (nhtml_entities > 0)
		return;
	/* libxml2 looks entities up by value; walk HTML 4's range. */
	for (unsigned v = 1; v < 0x2700 && nhtml_entities <
	    sizeof(html_entities) / sizeof(html_entities[0]); v++) {
		const htmlEntityDesc *d = htmlEntityValueLookup(v);
		struct html_entity *h;

		if (d == NULL || d->value != v)
			continue;
		h = &html_entities[nhtml_entities++];
		snprintf(h->name, sizeof(h->name), "%s", d->name);
		xmlCopyCharMultiByte(BAD_CAST h->utf8, (int)v);
		h->utf8[xmlUTF8Size(BAD_CAST h->utf8)] = '\0';
	}
	qsort(html_entities, nhtml_entities, sizeof(html_entities[0]),
	    html_entity_cmp);
	for (size_t i = 0; i < nhtml_entities; i++)
		make_entity(&html_entities[i].ent, html_entities[i].name,
		    html_entities[i].utf8);
}

/* Collapses runs of whitespace to one space and trims, in place. */
static void
collapse(char *s)
{
	char *w, *r;
	int space = 0;

	/* Most ids, links and dates have no whitespace at all. */
	for (r = s; *r != '\0' && *r != ' ' && (*r < '\t' || *r > '\r');
	    r++)
		;
	if (*r == '\0')
		return;
	w = s;
	for (r = s; *r != '\0'; r++) {
		if (*r == ' ' || (*r >= '\t' && *r <= '\r')) {
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

/*
 * Copies s as valid UTF-8 without the control characters XML 1.0 forbids;
 * invalid bytes become U+FFFD.  For bytes that did not come through the XML
 * parser (base64 content).  Returns new.
 */
static char *
clean_utf8(const char *s, size_t n)
{
	struct buf b = { 0 };
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	buf_append(&b, "", 0);
	while (p < end) {
		const unsigned char *run = p;
		long c;
		int len;

		/* A run of what needs no change goes in at once. */
		while (p < end && ((*p >= 0x20 && *p < 0x80) || *p == '\t' ||
		    *p == '\n' || *p == '\r'))
			p++;
		while (p < end && *p >= 0x80 && (len = utf8_next(p,
		    (size_t)(end - p), &c)) > 0 && c != 0xFFFE && c != 0xFFFF)
			p += len;
		if (p > run) {
			buf_append(&b, run, (size_t)(p - run));
			continue;
		}
		len = utf8_next(p, (size_t)(end - p), &c);
		if (len == 0 || c == 0xFFFE || c == 0xFFFF) {
			buf_puts(&b, "\xEF\xBF\xBD");
			p += len > 0 ? len : 1;
		} else
			p++;	/* a control character XML 1.0 forbids */
	}
	return buf_steal(&b);
}

/* HTML elements that do not break a word when markup is dropped. */
#define INLINE	"a abbr b bdi bdo cite code data del dfn em font i ins kbd " \
		"mark q s samp small span strong sub sup time tt u var"

/* 1 when name (lower case, as the HTML parser makes it) is in list. */
static int
name_in(const char *name, const char *list)
{
	size_t len = strlen(name);
	const char *p = list;

	while ((p = strstr(p, name)) != NULL) {
		if ((p == list || p[-1] == ' ') && (p[len] == ' ' ||
		    p[len] == '\0'))
			return 1;
		p += len;
	}
	return 0;
}

/* The text of an HTML tree, walked without recursion, capped. */
static void
html_text_buf(xmlNode *top, struct buf *b)
{
	xmlNode *n = top->children;

	while (n != NULL && b->len < TEXT_MAX) {
		const char *name = (const char *)n->name;

		if ((n->type == XML_TEXT_NODE ||
		    n->type == XML_CDATA_SECTION_NODE) && !(n->parent != NULL &&
		    n->parent->type == XML_ELEMENT_NODE &&
		    name_in((const char *)n->parent->name, "script style"))) {
			size_t len = strlen((const char *)n->content);

			if (len > TEXT_MAX - b->len)
				len = TEXT_MAX - b->len;
			buf_append(b, n->content, len);
		} else if (n->type == XML_ELEMENT_NODE &&
		    name_in(name, "br img hr")) {
			buf_puts(b, " ");
		} else if (n->type == XML_ELEMENT_NODE && n->children != NULL) {
			/* A script's or style's own text is dropped below; what
			 * libxml2 sometimes nests in them is not theirs. */
			if (!name_in(name, INLINE))
				buf_puts(b, " ");
			n = n->children;
			continue;
		}
		while (n != NULL && n->next == NULL) {
			n = n->parent;
			if (n == top)
				n = NULL;
			else if (!name_in((const char *)n->name, INLINE))
				buf_puts(b, " ");
		}
		if (n != NULL)
			n = n->next;
	}
}

char *
html_to_text(const char *html)
{
	htmlDocPtr doc;
	struct buf b = { 0 };
	char *s;

	if (strchr(html, '<') == NULL && strchr(html, '&') == NULL) {
		s = xstrdup(html);
		collapse(s);
		return s;
	}
	doc = htmlReadMemory(html, (int)strlen(html), NULL, "UTF-8",
	    HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	    HTML_PARSE_NONET | HTML_PARSE_NOIMPLIED);
	if (doc == NULL)
		return xstrdup("");
	for (xmlNode *n = doc->children; n != NULL; n = n->next) {
		if (n->type == XML_TEXT_NODE)
			buf_puts(&b, (const char *)n->content);
		else if (n->type == XML_ELEMENT_NODE)
			html_text_buf(n, &b);
	}
	xmlFreeDoc(doc);
	s = clean_utf8(b.data ? b.data : "", b.len);
	buf_free(&b);
	collapse(s);
	return s;
}

/* Base64 (Atom 0.3 mode="base64"); whitespace skipped, garbage stops. */
static char *
base64_decode(const char *s)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	struct buf b = { 0 };
	unsigned long acc = 0;
	int bits = 0;
	char *out;

	for (; *s != '\0' && *s != '='; s++) {
		const char *p;

		if (isspace((unsigned char)*s))
			continue;
		if ((p = strchr(alphabet, *s)) == NULL)
			break;
		acc = (acc << 6) | (unsigned long)(p - alphabet);
		if ((bits += 6) >= 8) {
			char c = (char)((acc >> (bits - 8)) & 0xFF);

			buf_append(&b, &c, 1);
			bits -= 8;
		}
	}
	out = clean_utf8(b.data ? b.data : "", b.len);
	buf_free(&b);
	return out;
}

/* The value of the attribute (uri may be NULL) of a SAX2 start tag, new. */
static char *
attr(const xmlChar **attrs, int n, const char *local, const char *uri)
{
	for (int i = 0; i < n; i++) {
		const xmlChar **a = &attrs[i * 5];

		if ((uri == NULL) != (a[2] == NULL))
			continue;
		if (strcmp((const char *)a[0], local) != 0)
			continue;
		if (uri != NULL && strcmp((const char *)a[2], uri) != 0)
			continue;
		return xstrndup((const char *)a[3], (size_t)(a[4] - a[3]));
	}
	return NULL;
}

static const char *
prefix_of(const char *uri)
{
	if (uri == NULL)
		return "";
	for (size_t i = 0; i < sizeof(namespaces) / sizeof(namespaces[0]);
	    i++)
		if (strcmp(uri, namespaces[i].uri) == 0)
			return namespaces[i].prefix;
	return NULL;
}

/*
 * A prefix used without its declaration (libxml2 reports no URI for it):
 * when it is one of the usual ones, it means what it usually means.
 */
static const char *
usual_prefix(const char *prefix)
{
	static const char *const usual[] = {
		"atom", "content", "dc", "dcterms", "feedburner", "itunes",
		"media",
	};

	for (size_t i = 0; i < sizeof(usual) / sizeof(usual[0]); i++)
		if (strcmp(prefix, usual[i]) == 0)
			return usual[i];
	return NULL;
}

static const struct tag *
lookup_tag(const struct tag *tags, size_t ntags, const char *local,
    const char *qprefix, const char *uri)
{
	const char *prefix = uri == NULL && qprefix != NULL ?
	    usual_prefix(qprefix) : prefix_of(uri);
	char name[160];

	if (prefix == NULL)
		return NULL;
	snprintf(name, sizeof(name), "%s%s%s", prefix, *prefix ? ":" : "",
	    local);
	for (size_t i = 0; i < ntags; i++)
		if (strcmp(tags[i].name, name) == 0)
			return &tags[i];
	return NULL;
}

/*
 * The table row of an element.  libxml2 interns names and namespace URIs
 * in its dictionary, so the same element comes with the same pointers:
 * the answer is remembered by pointer.
 */
static const struct tag *
find_tag(struct feed_parser *p, const struct tag *tags, size_t ntags,
    const char *local, const char *prefix, const char *uri)
{
	uintptr_t h = ((uintptr_t)local ^ ((uintptr_t)uri << 1) ^
	    ((uintptr_t)tags << 2) ^ ((uintptr_t)prefix << 3)) *
	    (uintptr_t)0x9E3779B97F4A7C15ULL;
	struct tag_memo *m = &p->memo[(h >> 24) % TAG_MEMO];

	if (m->local != local || m->uri != uri || m->tags != tags ||
	    m->prefix != prefix) {
		m->local = local;
		m->prefix = prefix;
		m->uri = uri;
		m->tags = tags;
		m->hit = lookup_tag(tags, ntags, local, prefix, uri);
	}
	return m->hit;
}

static int
is_atom_ns(const char *uri)
{
	return uri != NULL && (strcmp(uri, NS_ATOM10) == 0 ||
	    strcmp(uri, NS_ATOM03) == 0);
}

/* is_atom_ns, remembered by pointer (URIs are interned, see find_tag). */
static int
in_atom(struct feed_parser *p, const char *uri)
{
	if (uri == NULL)
		return 0;
	if (uri != p->atom_uri && uri != p->other_uri) {
		if (is_atom_ns(uri))
			p->atom_uri = uri;
		else
			p->other_uri = uri;
	}
	return uri == p->atom_uri;
}

static void
fill_init(struct fill *f)
{
	memset(f, 0, sizeof(*f));
	f->e.published = f->e.updated = DATE_NONE;
	for (int i = 0; i < F_COUNT; i++)
		f->prio[i] = 1000;
}

void
entry_clear(struct entry *e)
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
	memset(e, 0, sizeof(*e));
}

static void
fill_clear(struct fill *f)
{
	entry_clear(&f->e);
	free(f->language);
	free(f->about);
	free(f->permalink);
	fill_init(f);
}

/* Takes v into *slot if it is not empty; frees it otherwise. */
static void
set_text(char **slot, char *v)
{
	if (v == NULL)
		return;
	if (*v == '\0') {
		free(v);
		return;
	}
	free(*slot);
	*slot = v;
}

static void
add_category(struct entry *e, char *term)
{
	collapse(term);
	if (*term == '\0') {
		free(term);
		return;
	}
	e->categories = xrealloc(e->categories, (e->ncategories + 1) *
	    sizeof(char *));
	e->categories[e->ncategories++] = term;
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
	enc->type = type;
	if (type != NULL && *type == '\0') {
		free(type);
		enc->type = NULL;
	}
	enc->length = -1;
	if (length != NULL && isdigit((unsigned char)*length))
		enc->length = strtoll(length, NULL, 10);
	free(length);
}

/*
 * 1 when s is already an absolute http(s) URL that resolving would leave
 * as it is: nothing to escape, no dot segments.
 */
static int
plain_absolute(const char *s)
{
	if (!url_is_http(s))
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7F ||
		    *s == '\\' || *s == '%' || (*s == '/' && s[1] == '.'))
			return 0;
	return 1;
}

/* ref (trimmed) made absolute against base; takes ref, returns new. */
static char *
absolute(const char *base, char *ref)
{
	char *abs;

	if (plain_absolute(ref))
		return ref;
	if ((abs = url_resolve(base, ref)) == NULL)
		return ref;
	free(ref);
	return abs;
}

/*
 * ref made absolute for an entry's link or enclosure, and kept only when
 * url_linkable: a javascript: link, or one an xml:base of javascript: or
 * data: made, is dropped here (HOSTILE rows 26, 27).  Takes ref; new or
 * NULL.
 */
static char *
link_url(const struct feed_parser *p, const char *base, char *ref)
{
	char *abs = absolute(base, ref);

	if (abs != NULL && !url_linkable(abs, p->url)) {
		free(abs);
		return NULL;
	}
	return abs;
}

/*
 * An author as RSS writes it: "jo@example.org (Jo Smith)" or
 * "Jo Smith <jo@example.org>" give the name; else the text itself.
 */
static char *
author_text(char *s)
{
	char *open, *close, *name = NULL;

	collapse(s);
	if ((open = strchr(s, '(')) != NULL && (close = strrchr(s,
	    ')')) != NULL && close > open && strchr(s, '@') != NULL &&
	    strchr(s, '@') < open)
		name = xstrndup(open + 1, (size_t)(close - open - 1));
	else if ((open = strchr(s, '<')) != NULL && open > s &&
	    strchr(open, '@') != NULL)
		name = xstrndup(s, (size_t)(open - s));
	if (name != NULL) {
		collapse(name);
		if (*name != '\0') {
			free(s);
			return name;
		}
		free(name);
	}
	return s;
}

static struct frame *
top(struct feed_parser *p)
{
	return &p->stack[p->depth];
}

static void
bozo(struct feed_parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
bozo(struct feed_parser *p, const char *fmt, ...)
{
	va_list ap;

	p->bozo = 1;
	if (p->bozo_reason[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(p->bozo_reason, sizeof(p->bozo_reason), fmt, ap);
	va_end(ap);
}

/* Atom <link>: rel="alternate" (the default), or rel="enclosure". */
static void
atom_link(struct feed_parser *p, struct fill *f, int prio,
    const xmlChar **attrs, int nattrs)
{
	char *rel = attr(attrs, nattrs, "rel", NULL);
	char *href = attr(attrs, nattrs, "href", NULL);
	char *type;

	if (href == NULL) {
		free(rel);
		return;
	}
	collapse(href);
	if ((href = link_url(p, top(p)->base, href)) == NULL) {
		free(rel);
		return;
	}
	if (rel != NULL && strcmp(rel, "enclosure") == 0 && f == &p->item) {
		add_enclosure(&f->e, href, attr(attrs, nattrs, "type", NULL),
		    attr(attrs, nattrs, "length", NULL));
		href = NULL;
	} else if ((rel == NULL || strcmp(rel, "alternate") == 0) &&
	    f->prio[F_LINK] > prio) {
		/* The first alternate wins, unless it is not HTML. */
		type = attr(attrs, nattrs, "type", NULL);
		if (type == NULL || strstr(type, "html") != NULL ||
		    f->e.link == NULL) {
			set_text(&f->e.link, href);
			href = NULL;
			if (type == NULL || strstr(type, "html") != NULL)
				f->prio[F_LINK] = prio;
		}
		free(type);
	}
	free(href);
	free(rel);
}

/* How an Atom text construct (or an RSS element) is to be read. */
static void
set_mode(struct capture *c, int atom, const xmlChar **attrs, int nattrs)
{
	char *type, *mode;

	c->mode = M_RAW;
	c->markup = !atom;
	if (!atom)
		return;
	type = attr(attrs, nattrs, "type", NULL);
	mode = attr(attrs, nattrs, "mode", NULL);
	c->mode = M_TEXT;
	c->markup = 0;
	if (type != NULL && (strcmp(type, "html") == 0 ||
	    strcmp(type, "text/html") == 0)) {
		c->mode = M_RAW;
		c->markup = 1;
	} else if (type != NULL && (strcmp(type, "xhtml") == 0 ||
	    strstr(type, "xml") != NULL)) {
		c->mode = M_XML;
		c->markup = 1;
		c->unwrap = strcmp(type, "xhtml") == 0;
	}
	if (mode != NULL && strcmp(mode, "escaped") == 0) {
		c->mode = M_RAW;
		c->markup = 1;
	} else if (mode != NULL && strcmp(mode, "base64") == 0) {
		c->mode = M_RAW;
		c->base64 = 1;
	} else if (mode != NULL && strcmp(mode, "xml") == 0 &&
	    c->mode == M_TEXT) {
		c->mode = M_XML;
	}
	free(type);
	free(mode);
}

static void
capture_start(struct feed_parser *p, struct fill *f, const struct tag *t,
    int atom, const xmlChar **attrs, int nattrs)
{
	struct capture *c = &p->cap;

	buf_reset(&c->text);
	c->active = 1;
	c->tag = t;
	c->into = f;
	c->depth = p->depth;
	c->base = top(p)->base;
	c->base64 = c->unwrap = 0;
	c->spaced = t->field == F_SKIPHOURS || t->field == F_SKIPDAYS;
	c->div_depth = 0;
	c->last_open = (size_t)-1;
	if (t->field == F_TITLE || t->field == F_SUMMARY ||
	    t->field == F_CONTENT)
		set_mode(c, atom, attrs, nattrs);
	else {
		c->mode = M_TEXT;
		c->markup = 0;
	}
}

/* A child element of the feed or of an entry. */
static void
field_start(struct feed_parser *p, struct fill *f, const struct tag *t,
    const char *uri, const xmlChar **attrs, int nattrs)
{
	int atom = in_atom(p, uri);
	char *s;

	top(p)->role = R_FIELD;
	switch (t->field) {
	case F_LINK:
		if (atom) {
			atom_link(p, f, t->prio, attrs, nattrs);
			return;
		}
		break;
	case F_CATEGORY:
		if (atom) {
			if ((s = attr(attrs, nattrs, "term", NULL)) != NULL)
				add_category(&f->e, s);
			return;
		}
		break;
	case F_ENCLOSURE:
		if ((s = attr(attrs, nattrs, "url", NULL)) != NULL) {
			collapse(s);
			if (*s != '\0')
				s = link_url(p, top(p)->base, s);
		}
		add_enclosure(&f->e, s, attr(attrs, nattrs, "type", NULL),
		    attr(attrs, nattrs, "length", NULL));
		return;
	case F_AUTHOR:
		if (atom) {
			top(p)->role = R_AUTHOR;
			p->author_depth = p->depth;
			buf_reset(&p->author_name);
			buf_reset(&p->author_email);
			return;
		}
		break;
	case F_ID:
		if (f == &p->item && !atom) {
			/* An RSS guid is a link unless it says it is not. */
			s = attr(attrs, nattrs, "isPermaLink", NULL);
			p->item.guid_is_link = s == NULL ||
			    strcasecmp(s, "false") != 0;
			free(s);
		}
		break;
	default:
		break;
	}
	capture_start(p, f, t, atom, attrs, nattrs);
}

static void
append_text(struct capture *c, const char *s, size_t n)
{
	if (c->text.len + n > TEXT_MAX) {
		n = TEXT_MAX - c->text.len;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;	/* never cut a character */
	}
	buf_append(&c->text, s, n);
}

static void
append_escaped(struct capture *c, const char *s, size_t n)
{
	xmlChar *raw = xmlStrndup(BAD_CAST s, (int)n);
	xmlChar *esc = xmlEncodeSpecialChars(NULL, raw);

	if (esc != NULL)
		append_text(c, (const char *)esc, strlen((const char *)esc));
	xmlFree(esc);
	xmlFree(raw);
}

/* A start tag inside a captured field, written back as markup. */
static void
markup_start(struct feed_parser *p, const char *local, const char *prefix,
    const char *uri, const xmlChar **attrs, int nattrs)
{
	struct capture *c = &p->cap;

	if (c->mode == M_TEXT) {
		if (c->spaced)
			append_text(c, " ", 1);
		return;
	}
	if (c->unwrap && c->div_depth == 0 && p->depth == c->depth + 1 &&
	    strcmp(local, "div") == 0 && uri != NULL && strcmp(uri,
	    NS_XHTML) == 0) {
		c->div_depth = p->depth;
		buf_reset(&c->text);	/* whitespace before the div */
		return;
	}
	append_text(c, "<", 1);
	if (prefix != NULL && (uri == NULL || strcmp(uri, NS_XHTML) != 0)) {
		append_text(c, prefix, strlen(prefix));
		append_text(c, ":", 1);
	}
	append_text(c, local, strlen(local));
	for (int i = 0; i < nattrs; i++) {
		const xmlChar **a = &attrs[i * 5];

		append_text(c, " ", 1);
		if (a[1] != NULL) {
			append_text(c, (const char *)a[1],
			    strlen((const char *)a[1]));
			append_text(c, ":", 1);
		}
		append_text(c, (const char *)a[0], strlen((const char *)a[0]));
		append_text(c, "=\"", 2);
		append_escaped(c, (const char *)a[3], (size_t)(a[4] - a[3]));
		append_text(c, "\"", 1);
	}
	append_text(c, ">", 1);
	c->last_open = c->text.len;
}

static void
markup_end(struct feed_parser *p, const char *local, const char *prefix,
    const char *uri)
{
	struct capture *c = &p->cap;

	if (c->mode == M_TEXT)
		return;
	if (c->div_depth == p->depth) {
		c->div_depth = -1;	/* after the div: nothing more */
		return;
	}
	if (c->text.len == c->last_open && c->last_open > 0) {
		c->text.len--;		/* "<br>" becomes "<br/>" */
		append_text(c, "/>", 2);
		c->last_open = (size_t)-1;
		return;
	}
	append_text(c, "</", 2);
	if (prefix != NULL && (uri == NULL || strcmp(uri, NS_XHTML) != 0)) {
		append_text(c, prefix, strlen(prefix));
		append_text(c, ":", 1);
	}
	append_text(c, local, strlen(local));
	append_text(c, ">", 1);
}

/* The captured text of a field, as the field wants it; returns new. */
static char *
capture_value(struct capture *c)
{
	char *s = c->text.data != NULL ? buf_steal(&c->text) : xstrdup("");
	char *t;

	if (c->base64) {
		t = base64_decode(s);
		free(s);
		s = t;
	}
	switch (c->tag->field) {
	case F_TITLE:
		if (c->markup) {
			t = html_to_text(s);	/* collapsed */
			free(s);
			s = t;
		} else
			collapse(s);
		break;
	case F_SUMMARY:
	case F_CONTENT:
		if (c->mode == M_XML) {
			/* Trim what surrounded the markup. */
			t = s;
			while (isspace((unsigned char)*t))
				t++;
			memmove(s, t, strlen(t) + 1);
			for (t = s + strlen(s); t > s &&
			    isspace((unsigned char)t[-1]); t--)
				*--t = '\0';
		}
		break;
	case F_PUBLISHED:
	case F_UPDATED:
		break;		/* date_parse skips whitespace itself */
	default:
		collapse(s);
		break;
	}
	return s;
}

/*
 * RSS's hints for pollers: <ttl> minutes, <skipHours> (0-23, 24 read as
 * 0) and <skipDays> (Monday, ...).
 */
static void
schedule_hint(struct feed_parser *p, enum field f, const char *s)
{
	static const char *const days[] = { "sunday", "monday", "tuesday",
	    "wednesday", "thursday", "friday", "saturday" };
	char word[16];
	long v;

	if (f == F_TTL) {
		if (isdigit((unsigned char)*s) && (v = strtol(s, NULL, 10)) > 0 &&
		    v < 525600)
			p->ttl = (int64_t)v * 60;
		return;
	}
	while (*s != '\0') {
		size_t n = strcspn(s, " \t\r\n");

		snprintf(word, sizeof(word), "%.*s", (int)n, s);
		if (f == F_SKIPHOURS && isdigit((unsigned char)word[0]) &&
		    (v = strtol(word, NULL, 10)) >= 0 && v <= 24)
			p->skip_hours |= 1U << (v % 24);
		for (int d = 0; f == F_SKIPDAYS && d < 7; d++)
			if (strcasecmp(word, days[d]) == 0)
				p->skip_days |= (uint8_t)(1U << d);
		s += n;
		while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
			s++;
	}
}

static void
capture_end(struct feed_parser *p)
{
	struct capture *c = &p->cap;
	struct fill *f = c->into;
	const struct tag *t = c->tag;
	char *s = capture_value(c);
	int64_t when;

	c->active = 0;
	if (t->field == F_CATEGORY) {
		add_category(&f->e, s);
		return;
	}
	if (t->field == F_ID && f == &p->item && t->prio == 0 &&
	    f->guid_is_link && url_is_http(s)) {
		free(f->permalink);
		f->permalink = link_url(p, c->base, xstrdup(s));
	}
	if (*s == '\0' || f->prio[t->field] <= t->prio) {
		free(s);
		return;
	}
	switch (t->field) {
	case F_TTL:
	case F_SKIPHOURS:
	case F_SKIPDAYS:
		schedule_hint(p, t->field, s);
		free(s);
		return;
	case F_PUBLISHED:
	case F_UPDATED:
		if (date_parse(s, &when) == 0) {
			*(t->field == F_PUBLISHED ? &f->e.published :
			    &f->e.updated) = when;
			f->prio[t->field] = t->prio;
		}
		free(s);
		return;
	case F_LINK:
		if ((s = link_url(p, c->base, s)) == NULL)
			return;
		break;
	case F_AUTHOR:
		s = author_text(s);
		break;
	default:
		break;
	}
	f->prio[t->field] = t->prio;
	switch (t->field) {
	case F_ID: set_text(&f->e.id, s); break;
	case F_TITLE: set_text(&f->e.title, s); break;
	case F_LINK: set_text(&f->e.link, s); break;
	case F_AUTHOR: set_text(&f->e.author, s); break;
	case F_SUMMARY: set_text(&f->e.summary, s); break;
	case F_CONTENT: set_text(&f->e.content, s); break;
	case F_LANGUAGE: set_text(&f->language, s); break;
	default: free(s); break;
	}
}

/* The end of an Atom <author>: its name, else its email. */
static void
author_end(struct feed_parser *p)
{
	struct fill *f = p->entry_depth > 0 ? &p->item : &p->head;
	struct buf *b = p->author_name.len > 0 ? &p->author_name :
	    &p->author_email;
	char *s;

	p->author_depth = 0;
	if (b->len == 0 || f->prio[F_AUTHOR] <= 0)
		return;
	s = xstrdup(b->data);
	collapse(s);
	if (*s == '\0') {
		free(s);
		return;
	}
	set_text(&f->e.author, s);
	f->prio[F_AUTHOR] = 0;
}

static void
entry_done(struct feed_parser *p)
{
	struct fill *f = &p->item;
	struct feed_doc *d = p->doc;

	if (f->e.id == NULL && f->about != NULL) {
		f->e.id = f->about;
		f->about = NULL;
	}
	if (f->e.link == NULL && f->permalink != NULL) {
		f->e.link = f->permalink;
		f->permalink = NULL;
	}
	if (p->cb != NULL) {
		if (p->cb(&f->e, p->arg) == -1) {
			p->stopped = 1;
			xmlStopParser(p->ctxt);
		}
	} else if (d->nentries < ENTRIES_MAX) {
		d->entries = xrealloc(d->entries, (d->nentries + 1) *
		    sizeof(*d->entries));
		d->entries[d->nentries++] = f->e;
		memset(&f->e, 0, sizeof(f->e));
	}
	fill_clear(f);
}

/* Names the format from the root element; NULL when it is not a feed. */
static const char *
detect(const char *local, const char *uri, const xmlChar **attrs, int nattrs)
{
	char *version;
	const char *fmt = NULL;

	if (strcmp(local, "feed") == 0)
		fmt = uri == NULL ? NULL : strcmp(uri, NS_ATOM10) == 0 ?
		    "atom1.0" : strcmp(uri, NS_ATOM03) == 0 ? "atom0.3" : NULL;
	else if (strcmp(local, "RDF") == 0)
		fmt = "rss1.0";
	else if (strcmp(local, "rss") == 0) {
		version = attr(attrs, nattrs, "version", NULL);
		fmt = version != NULL && strncmp(version, "0.9", 3) == 0 ?
		    "rss0.9x" : "rss2.0";
		free(version);
	}
	return fmt;
}

/* xml:base and xml:lang: what this element sets for itself and below. */
static void
push_frame(struct feed_parser *p, const xmlChar **attrs, int nattrs)
{
	struct frame *parent = top(p), *f;
	char *base, *lang;

	p->depth++;
	f = top(p);
	memset(f, 0, sizeof(*f));
	f->base = parent->base;
	f->lang = parent->lang;
	if ((base = attr(attrs, nattrs, "base", NS_XML)) != NULL) {
		/* A base no link could come from (javascript:) is none. */
		collapse(base);
		f->own_base = link_url(p, parent->base, base);
		if (f->own_base != NULL)
			f->base = f->own_base;
	}
	if ((lang = attr(attrs, nattrs, "lang", NS_XML)) != NULL) {
		collapse(lang);
		f->own_lang = lang;
		f->lang = lang;
	}
}

static void
pop_frame(struct feed_parser *p)
{
	struct frame *f = top(p);

	free(f->own_base);
	free(f->own_lang);
	memset(f, 0, sizeof(*f));
	p->depth--;
}

/*
 * After an error in recover mode, libxml2 drops every entity reference,
 * even &amp;, for the rest of the document (xmlParseReference returns when
 * the context is not well-formed).  The error is ours to remember (the
 * document is bozo); the context is told to go on as if well-formed.
 */
static void
keep_references(struct feed_parser *p)
{
	if (!p->ctxt->wellFormed) {
		p->bozo = 1;
		p->ctxt->wellFormed = 1;
	}
}

static void
root_start(struct feed_parser *p, const char *local, const char *uri,
    const xmlChar **attrs, int nattrs)
{
	if ((p->format = detect(local, uri, attrs, nattrs)) == NULL) {
		p->not_feed = 1;
		snprintf(p->root, sizeof(p->root), "%s", local);
		xmlStopParser(p->ctxt);
		return;
	}
	if (top(p)->lang != NULL)
		p->feed_lang = xstrdup(top(p)->lang);
	if (strncmp(p->format, "atom", 4) == 0) {
		p->atom = 1;
		p->feed_depth = 1;
		top(p)->role = R_FEED;
	}
}

/* A container (channel, item, entry) or a field of the one we are in. */
static void
element_start(struct feed_parser *p, const char *local, const char *prefix,
    const char *uri, const xmlChar **attrs, int nattrs)
{
	int atom = p->atom;
	const struct tag *t;
	struct fill *f;

	if (!atom && p->depth == 2 && strcmp(local, "channel") == 0) {
		p->feed_depth = 2;
		top(p)->role = R_FEED;
		if (top(p)->lang != NULL) {
			free(p->feed_lang);
			p->feed_lang = xstrdup(top(p)->lang);
		}
		if (uri != NULL && strcmp(uri, NS_RSS090) == 0)
			p->format = "rss0.9x";
		return;
	}
	if (p->entry_depth == 0 && ((atom && p->depth == 2 &&
	    strcmp(local, "entry") == 0 && in_atom(p, uri)) || (!atom &&
	    strcmp(local, "item") == 0 && (p->depth == 2 || (p->depth == 3 &&
	    p->feed_depth == 2))))) {
		p->entry_depth = p->depth;
		top(p)->role = R_ENTRY;
		fill_clear(&p->item);
		p->item.about = attr(attrs, nattrs, "about", NS_RDF);
		if (uri != NULL && strcmp(uri, NS_RSS090) == 0)
			p->format = "rss0.9x";
		return;
	}
	if (p->entry_depth > 0 && p->depth == p->entry_depth + 1) {
		f = &p->item;
		t = find_tag(p, entry_tags, sizeof(entry_tags) /
		    sizeof(entry_tags[0]), local, prefix, uri);
	} else if (p->entry_depth == 0 && p->feed_depth > 0 &&
	    p->depth == p->feed_depth + 1) {
		f = &p->head;
		t = find_tag(p, feed_tags, sizeof(feed_tags) /
		    sizeof(feed_tags[0]), local, prefix, uri);
	} else
		return;
	if (t != NULL)
		field_start(p, f, t, uri, attrs, nattrs);
}

static void
on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *URI, int nb_namespaces, const xmlChar **namespaces_,
    int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
	struct feed_parser *p = ctx;
	const char *local = (const char *)localname;
	const char *uri = (const char *)URI;

	(void)nb_namespaces;
	(void)namespaces_;
	(void)nb_defaulted;
	keep_references(p);
	if (p->depth >= DEPTH_MAX || p->too_deep > 0) {
		/* Nothing of a feed is this deep: skip it, say so. */
		p->too_deep++;
		bozo(p, "elements nested deeper than %d skipped", DEPTH_MAX);
		return;
	}
	push_frame(p, attributes, nb_attributes);
	if (p->cap.active) {
		markup_start(p, local, (const char *)prefix, uri, attributes,
		    nb_attributes);
		return;
	}
	if (p->author_depth > 0) {
		if (p->depth == p->author_depth + 1 && in_atom(p, uri))
			p->author_part = strcmp(local, "name") == 0 ? 1 :
			    strcmp(local, "email") == 0 ? 2 : 0;
		return;
	}
	if (p->depth == 1)
		root_start(p, local, uri, attributes, nb_attributes);
	else if (p->format != NULL)
		element_start(p, local, (const char *)prefix, uri, attributes,
		    nb_attributes);
}

static void
on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *URI)
{
	struct feed_parser *p = ctx;

	keep_references(p);
	if (p->too_deep > 0) {
		p->too_deep--;
		return;
	}
	if (p->depth == 0)
		return;
	if (p->cap.active && p->depth > p->cap.depth)
		markup_end(p, (const char *)localname, (const char *)prefix,
		    (const char *)URI);
	else if (p->cap.active && p->depth == p->cap.depth)
		capture_end(p);
	else if (p->author_depth > 0 && p->depth == p->author_depth + 1)
		p->author_part = 0;
	else if (p->author_depth == p->depth)
		author_end(p);
	else if (p->entry_depth == p->depth) {
		entry_done(p);
		p->entry_depth = 0;
	} else if (p->feed_depth == p->depth)
		p->feed_depth = 0;
	pop_frame(p);
}

static void
on_chars(void *ctx, const xmlChar *ch, int len)
{
	struct feed_parser *p = ctx;
	struct capture *c = &p->cap;

	keep_references(p);
	if (p->too_deep > 0)
		return;
	if (c->active) {
		if (c->div_depth == -1 || (c->mode == M_TEXT &&
		    p->depth > c->depth + 8))
			return;
		if (c->mode == M_XML)
			append_escaped(c, (const char *)ch, (size_t)len);
		else
			append_text(c, (const char *)ch, (size_t)len);
	} else if (p->author_part == 1 && p->author_name.len < TEXT_MAX)
		buf_append(&p->author_name, ch, (size_t)len);
	else if (p->author_part == 2 && p->author_email.len < TEXT_MAX)
		buf_append(&p->author_email, ch, (size_t)len);
}

/*
 * Entities: HTML's names (undeclared, so the document is bozo, but read as
 * their characters), and plain-text entities the document declared itself.
 * Nothing else is ever expanded, and nothing is ever loaded.
 */
static xmlEntityPtr
on_get_entity(void *ctx, const xmlChar *name)
{
	struct feed_parser *p = ctx;
	struct html_entity key, *h;

	for (int i = 0; i < p->ndeclared; i++)
		if (strcmp(p->declared[i].name, (const char *)name) == 0) {
			p->expanded += (size_t)p->declared[i].ent.length;
			return p->expanded <= EXPANSION_MAX ?
			    &p->declared[i].ent : NULL;
		}
	snprintf(key.name, sizeof(key.name), "%s", (const char *)name);
	h = bsearch(&key, html_entities, nhtml_entities, sizeof(key),
	    html_entity_cmp);
	if (h == NULL)
		return NULL;
	bozo(p, "undeclared entity &%s;", h->name);
	return &h->ent;
}

static void
on_entity_decl(void *ctx, const xmlChar *name, int type,
    const xmlChar *publicId, const xmlChar *systemId, xmlChar *content)
{
	struct feed_parser *p = ctx;
	struct declared *d;

	(void)publicId;
	(void)systemId;
	if (type != XML_INTERNAL_GENERAL_ENTITY || content == NULL ||
	    p->ndeclared == DECLARED_MAX || xmlStrlen(content) > 1024 ||
	    xmlStrchr(content, '&') != NULL || xmlStrchr(content, '<') !=
	    NULL)
		return;
	d = &p->declared[p->ndeclared++];
	d->name = xstrdup((const char *)name);
	d->content = xstrdup((const char *)content);
	make_entity(&d->ent, d->name, d->content);
}

static void
on_error(void *ctx, xmlErrorPtr e)
{
	struct feed_parser *p = ctx;
	char msg[200];

	if (e == NULL || e->level == XML_ERR_WARNING)
		return;
	p->bozo = 1;
	if (p->bozo_reason[0] != '\0')
		return;
	snprintf(msg, sizeof(msg), "%s", e->message ? e->message :
	    "not well-formed");
	collapse(msg);
	snprintf(p->bozo_reason, sizeof(p->bozo_reason),
	    "XML error at line %d: %s", e->line, msg);
}

static void
sax_init(xmlSAXHandler *sax)
{
	memset(sax, 0, sizeof(*sax));
	sax->initialized = XML_SAX2_MAGIC;
	sax->startElementNs = on_start;
	sax->endElementNs = on_end;
	sax->characters = on_chars;
	sax->cdataBlock = on_chars;
	sax->getEntity = on_get_entity;
	sax->entityDecl = on_entity_decl;
	sax->serror = on_error;
}

struct feed_parser *
feed_parser_new(const char *url, const char *charset, entry_cb *cb,
    void *arg)
{
	struct feed_parser *p = xcalloc(1, sizeof(*p));

	p->url = url;
	p->cb = cb;
	p->arg = arg;
	p->json = -1;
	p->dec = decoder_new(charset, 0);
	p->doc = xcalloc(1, sizeof(*p->doc));
	p->doc->updated = DATE_NONE;
	p->stack[0].base = url;
	p->ttl = -1;
	fill_init(&p->head);
	fill_init(&p->item);
	return p;
}

/* Sets up the XML parser on the first decoded bytes. */
static int
xml_begin(struct feed_parser *p)
{
	static xmlSAXHandler sax;

	if (sax.initialized == 0)
		sax_init(&sax);
	p->ctxt = xmlCreatePushParserCtxt(&sax, p, NULL, 0, p->url);
	if (p->ctxt == NULL)
		return -1;
	xmlCtxtUseOptions(p->ctxt, XML_PARSE_RECOVER | XML_PARSE_NONET |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_IGNORE_ENC);
	xmlSwitchEncoding(p->ctxt, XML_CHAR_ENCODING_UTF8);
	return 0;
}

/* Decoded bytes to libxml2 (the decoder's sink). */
static void
xml_sink(void *arg, const char *utf8, size_t len)
{
	struct feed_parser *p = arg;

	if (p->ctxt == NULL && xml_begin(p) == -1) {
		p->failed = 1;
		return;
	}
	if (!p->not_feed && !p->stopped && len > 0)
		xmlParseChunk(p->ctxt, utf8, (int)len, 0);
}

static int
xml_push(struct feed_parser *p, const char *data, size_t len, int final)
{
	decoder_push(p->dec, data, len, final, xml_sink, p);
	if (decoder_refused(p->dec)) {
		p->failed = 1;
		return -1;
	}
	if (final && p->ctxt == NULL && !p->failed)
		xml_sink(p, "", 0);
	if (final && p->ctxt != NULL && !p->not_feed && !p->stopped)
		xmlParseChunk(p->ctxt, NULL, 0, 1);
	return p->not_feed || p->stopped || p->failed ? -1 : 0;
}

/* JSON or XML: the first byte that is not a mark or whitespace tells. */
static void
sniff_json(struct feed_parser *p)
{
	const unsigned char *s = (const unsigned char *)p->raw.data;
	size_t i = 0, n = p->raw.len;

	if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' ||
	    s[i] == '\n'))
		i++;
	if (i < n)
		p->json = s[i] == '{';
}

int
feed_parser_push(struct feed_parser *p, const char *data, size_t len)
{
	if (p->failed || p->not_feed || p->stopped)
		return -1;
	if (p->json == -1) {
		buf_append(&p->raw, data, len);
		sniff_json(p);
		if (p->json == 0) {
			int rc = xml_push(p, p->raw.data, p->raw.len, 0);

			buf_free(&p->raw);
			return rc;
		}
		return 0;
	}
	if (p->json == 1) {
		if (p->raw.len + len > JSON_MAX) {
			p->failed = 1;
			return -1;
		}
		buf_append(&p->raw, data, len);
		return 0;
	}
	return xml_push(p, data, len, 0);
}

const char *
feed_parser_format(const struct feed_parser *p)
{
	return p->format;
}

/* The feed's own fields into the document. */
static void
finish_head(struct feed_parser *p)
{
	struct feed_doc *d = p->doc;
	struct fill *h = &p->head;

	d->format = p->format;
	d->ttl = p->ttl;
	d->skip_hours = p->skip_hours;
	d->skip_days = p->skip_days;
	d->title = h->e.title;
	d->link = h->e.link;
	d->id = h->e.id;
	d->subtitle = h->e.summary;
	d->updated = h->e.updated != DATE_NONE ? h->e.updated :
	    h->e.published;
	d->language = h->language;
	if (d->language == NULL) {
		d->language = p->feed_lang;
		p->feed_lang = NULL;
	}
	h->e.title = h->e.link = h->e.id = h->e.summary = NULL;
	h->language = NULL;
	if (p->bozo || decoder_problem(p->dec) != NULL) {
		d->bozo = 1;
		d->bozo_reason = xstrdup(p->bozo_reason[0] ? p->bozo_reason :
		    decoder_problem(p->dec));
	}
}

static struct feed_doc *
finish_json(struct feed_parser *p, char *err, size_t errlen)
{
	struct feed_doc *d = jsonfeed_parse(p->raw.data, p->raw.len, p->url,
	    err, errlen);

	p->format = "jsonfeed";
	if (d != NULL && p->cb != NULL) {
		for (size_t i = 0; i < d->nentries; i++) {
			if (p->cb(&d->entries[i], p->arg) == -1)
				break;
		}
		for (size_t i = 0; i < d->nentries; i++)
			entry_clear(&d->entries[i]);
		free(d->entries);
		d->entries = NULL;
		d->nentries = 0;
	}
	feed_parser_free(p);
	return d;
}

struct feed_doc *
feed_parser_finish(struct feed_parser *p, char *err, size_t errlen)
{
	struct feed_doc *d = NULL;

	if (p->json == 1)
		return finish_json(p, err, errlen);
	if (p->json == -1 && p->raw.len > 0) {
		/* Only whitespace: XML's to complain about. */
		p->json = 0;
		xml_push(p, p->raw.data, p->raw.len, 0);
		buf_free(&p->raw);
	}
	if (p->json == 0 && !p->failed)
		xml_push(p, "", 0, 1);
	if (p->json == -1)
		snprintf(err, errlen, "empty document");
	else if (p->failed)
		snprintf(err, errlen, "%s", decoder_refused(p->dec) ?
		    decoder_problem(p->dec) : "document too large");
	else if (p->not_feed)
		snprintf(err, errlen, "not a feed: the root element is <%s>",
		    p->root);
	else if (p->format == NULL)
		snprintf(err, errlen, "not a feed: %s", p->bozo_reason[0] ?
		    p->bozo_reason : "no XML document");
	else {
		finish_head(p);
		d = p->doc;
		p->doc = NULL;
	}
	feed_parser_free(p);
	return d;
}

void
feed_parser_free(struct feed_parser *p)
{
	if (p == NULL)
		return;
	if (p->ctxt != NULL) {
		/* libxml2 may build a document to hold declared entities. */
		xmlFreeDoc(p->ctxt->myDoc);
		xmlFreeParserCtxt(p->ctxt);
	}
	decoder_free(p->dec);
	buf_free(&p->raw);
	buf_free(&p->cap.text);
	buf_free(&p->author_name);
	buf_free(&p->author_email);
	while (p->depth > 0)
		pop_frame(p);
	fill_clear(&p->head);
	fill_clear(&p->item);
	free(p->feed_lang);
	for (int i = 0; i < p->ndeclared; i++) {
		free(p->declared[i].name);
		free(p->declared[i].content);
	}
	feed_doc_free(p->doc);
	free(p);
}

struct feed_doc *
feed_parse(const char *data, size_t len, const char *url, const char *charset,
    char *err, size_t errlen)
{
	struct feed_parser *p = feed_parser_new(url, charset, NULL, NULL);

	feed_parser_push(p, data, len);
	return feed_parser_finish(p, err, errlen);
}

void
feed_doc_free(struct feed_doc *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->nentries; i++)
		entry_clear(&d->entries[i]);
	free(d->entries);
	free(d->title);
	free(d->link);
	free(d->id);
	free(d->subtitle);
	free(d->language);
	free(d->bozo_reason);
	free(d);
}
