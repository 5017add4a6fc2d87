/* sanitize.c - an allowlist over libxml2's HTML parser, our own writer. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/entities.h>
#include <libxml/xmlwriter.h>

#include "buf.h"
#include "sanitize.h"
#include "url.h"
#include "utf8.h"

enum policy { KEEP, DROP, UNWRAP };

/* Kept, with the attributes each may carry (NULL-ended). */
static const struct allowed {
	const char	*name;
	const char	*attrs[6];
	int		 is_void;
} keep[] = {
	{ "a", { "href", "title" }, 0 },
	{ "abbr", { "title" }, 0 },
	{ "b", { NULL }, 0 }, { "blockquote", { "cite" }, 0 },
	{ "br", { NULL }, 1 }, { "caption", { NULL }, 0 },
	{ "cite", { NULL }, 0 }, { "code", { NULL }, 0 },
	{ "dd", { NULL }, 0 }, { "del", { "cite" }, 0 },
	{ "div", { NULL }, 0 }, { "dl", { NULL }, 0 }, { "dt", { NULL }, 0 },
	{ "em", { NULL }, 0 }, { "figcaption", { NULL }, 0 },
	{ "figure", { NULL }, 0 },
	{ "h1", { NULL }, 0 }, { "h2", { NULL }, 0 }, { "h3", { NULL }, 0 },
	{ "h4", { NULL }, 0 }, { "h5", { NULL }, 0 }, { "h6", { NULL }, 0 },
	{ "hr", { NULL }, 1 }, { "i", { NULL }, 0 },
	{ "img", { "src", "alt", "title", "width", "height" }, 1 },
	{ "ins", { "cite" }, 0 }, { "kbd", { NULL }, 0 },
	{ "li", { NULL }, 0 }, { "ol", { "start" }, 0 }, { "p", { NULL }, 0 },
	{ "pre", { NULL }, 0 }, { "q", { "cite" }, 0 }, { "s", { NULL }, 0 },
	{ "samp", { NULL }, 0 }, { "small", { NULL }, 0 },
	{ "span", { NULL }, 0 }, { "strong", { NULL }, 0 },
	{ "sub", { NULL }, 0 }, { "sup", { NULL }, 0 },
	{ "table", { NULL }, 0 }, { "tbody", { NULL }, 0 },
	{ "td", { "colspan", "rowspan" }, 0 }, { "tfoot", { NULL }, 0 },
	{ "th", { "colspan", "rowspan" }, 0 }, { "thead", { NULL }, 0 },
	{ "time", { "datetime" }, 0 }, { "tr", { NULL }, 0 },
	{ "u", { NULL }, 0 }, { "ul", { NULL }, 0 }, { "var", { NULL }, 0 },
};

/* Dropped with everything in them. */
static const char *const drop[] = {
	"applet", "audio", "base", "button", "embed", "form", "frame",
	"frameset", "head", "iframe", "input", "link", "math", "meta",
	"noembed", "noframes", "noscript", "object", "option", "plaintext",
	"script", "select", "style", "svg", "template", "textarea", "title",
	"video", "xmp",
};

static const struct allowed *
find_keep(const char *name)
{
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if (strcmp(keep[i].name, name) == 0)
			return &keep[i];
	return NULL;
}

static enum policy
policy_of(const char *name, const struct allowed **k)
{
	if ((*k = find_keep(name)) != NULL)
		return KEEP;
	for (size_t i = 0; i < sizeof(drop) / sizeof(drop[0]); i++)
		if (strcmp(drop[i], name) == 0)
			return DROP;
	return UNWRAP;
}

static int
is_number(const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n > 4)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)v[i]))
			return 0;
	return atoi(v) > 0;
}

/* A data: URL of a raster image, in base64; whitespace-free. */
static int
is_data_image(const char *v)
{
	static const char *const types[] = { "png", "gif", "jpeg", "webp" };

	if (strncasecmp(v, "data:image/", 11) != 0)
		return 0;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t n = strlen(types[i]);

		if (strncasecmp(v + 11, types[i], n) == 0 &&
		    strncasecmp(v + 11 + n, ";base64,", 8) == 0)
			return strpbrk(v, " \t\r\n\"'<>") == NULL;
	}
	return 0;
}

/*
 * A URL attribute as it may be written, or NULL: resolved against base,
 * then http or https only (mailto on a link, data: images on an img).
 */
static char *
safe_url(const char *v, const char *element, const char *base)
{
	char *abs;

	while (isspace((unsigned char)*v))
		v++;
	if (strcmp(element, "a") == 0 && strncasecmp(v, "mailto:", 7) == 0)
		return strpbrk(v, " \t\r\n\"'<>") == NULL && v[7] != '\0' ?
		    xstrdup(v) : NULL;
	if (strcmp(element, "img") == 0 && is_data_image(v))
		return xstrdup(v);
	if ((abs = url_resolve(base, v)) == NULL)
		return NULL;
	if (strncasecmp(abs, "http://", 7) == 0 ||
	    strncasecmp(abs, "https://", 8) == 0)
		return abs;
	free(abs);
	return NULL;
}

#define W(call)	do { if ((call) < 0) *failed = 1; } while (0)

static void walk(xmlTextWriterPtr, xmlNodePtr, const char *, int, int *);

/* An element of the keep list, its attributes filtered. */
static void
write_element(xmlTextWriterPtr w, xmlNodePtr n, const struct allowed *k,
    const char *base, int depth, int *failed)
{
	char *url_attr = NULL;
	int has_url = 0;

	/* A link needs its href, an image its src. */
	if (strcmp(k->name, "a") == 0 || strcmp(k->name, "img") == 0) {
		xmlChar *v = xmlGetProp(n, BAD_CAST (strcmp(k->name, "a") == 0 ?
		    "href" : "src"));

		url_attr = v ? safe_url((const char *)v, k->name, base) : NULL;
		xmlFree(v);
		if (url_attr == NULL) {
			if (strcmp(k->name, "a") == 0)
				walk(w, n->children, base, depth + 1, failed);
			return;		/* a link unwrapped, an image dropped */
		}
		has_url = 1;
	}
	W(xmlTextWriterStartElement(w, BAD_CAST k->name));
	for (size_t i = 0; i < 6 && k->attrs[i] != NULL; i++) {
		const char *a = k->attrs[i];
		xmlChar *v;
		char *safe = NULL;

		if (has_url && (strcmp(a, "href") == 0 || strcmp(a, "src") ==
		    0)) {
			W(xmlTextWriterWriteAttribute(w, BAD_CAST a,
			    BAD_CAST url_attr));
			continue;
		}
		if ((v = xmlGetProp(n, BAD_CAST a)) == NULL)
			continue;
		if (strcmp(a, "cite") == 0)
			safe = safe_url((const char *)v, k->name, base);
		else if (strcmp(a, "width") == 0 || strcmp(a, "height") == 0 ||
		    strcmp(a, "colspan") == 0 || strcmp(a, "rowspan") == 0 ||
		    strcmp(a, "start") == 0)
			safe = is_number((const char *)v) ?
			    xstrdup((const char *)v) : NULL;
		else
			safe = xstrdup((const char *)v);
		if (safe != NULL)
			W(xmlTextWriterWriteAttribute(w, BAD_CAST a,
			    BAD_CAST safe));
		free(safe);
		xmlFree(v);
	}
	if (strcmp(k->name, "a") == 0)
		W(xmlTextWriterWriteAttribute(w, BAD_CAST "rel",
		    BAD_CAST "nofollow noopener noreferrer"));
	free(url_attr);
	if (k->is_void) {
		W(xmlTextWriterEndElement(w));
		return;
	}
	walk(w, n->children, base, depth + 1, failed);
	W(xmlTextWriterFullEndElement(w));
}

/* The nodes from n on: text written, elements by their policy. */
static void
walk(xmlTextWriterPtr w, xmlNodePtr n, const char *base, int depth,
    int *failed)
{
	for (; n != NULL; n = n->next) {
		const struct allowed *k;

		if (n->type == XML_TEXT_NODE ||
		    n->type == XML_CDATA_SECTION_NODE) {
			/*
			 * Escaped by libxml2, then written as is: the writer
			 * escapes text only inside an element, and a fragment
			 * has text outside any.
			 */
			xmlChar *e = n->content ? xmlEncodeSpecialChars(NULL,
			    n->content) : NULL;

			if (e != NULL)
				W(xmlTextWriterWriteRaw(w, e));
			xmlFree(e);
			continue;
		}
		if (n->type != XML_ELEMENT_NODE)
			continue;	/* comments, PIs, doctypes */
		switch (policy_of((const char *)n->name, &k)) {
		case DROP:
			break;
		case KEEP:
			if (depth < SANITIZE_MAX_DEPTH)
				write_element(w, n, k, base, depth, failed);
			else	/* too deep: unwrapped */
				walk(w, n->children, base, depth + 1, failed);
			break;
		case UNWRAP:
			walk(w, n->children, base, depth + 1, failed);
			break;
		}
	}
}

/* The document's <body>. */
static xmlNodePtr
body_of(htmlDocPtr doc)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);

	for (xmlNodePtr n = root ? root->children : NULL; n != NULL;
	    n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    xmlStrcmp(n->name, BAD_CAST "body") == 0)
			return n;
	return NULL;
}

/* One pass: parse, walk, write. */
static char *
sanitize_once(const char *html, const char *base)
{
	size_t len = html ? strlen(html) : 0;
	struct buf in = { 0 };
	htmlDocPtr doc;
	xmlNodePtr body;
	xmlBufferPtr xb;
	xmlTextWriterPtr w;
	char *out = NULL;
	int failed = 0;

	if (len > SANITIZE_MAX_IN) {
		len = SANITIZE_MAX_IN;
		while (len > 0 && ((unsigned char)html[len] & 0xC0) == 0x80)
			len--;		/* not inside a character */
	}
	if (len == 0)
		return xstrdup("");
	/*
	 * The fragment as the body of a document: text at its top stays
	 * text (a fragment parsed alone gets its loose text wrapped in <p>,
	 * and sanitising would not be idempotent).  What a fragment puts
	 * after its own </body></html> is dropped.
	 */
	buf_puts(&in, "<html><body>");
	buf_append(&in, html, len);
	doc = htmlReadMemory(in.data, (int)in.len, NULL, "UTF-8",
	    HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
	    HTML_PARSE_NOWARNING | HTML_PARSE_NODEFDTD);
	buf_free(&in);
	if (doc == NULL || (body = body_of(doc)) == NULL) {
		xmlFreeDoc(doc);
		return xstrdup("");
	}
	xb = xmlBufferCreate();
	w = xmlNewTextWriterMemory(xb, 0);
	walk(w, body->children, base, 0, &failed);
	if (xmlTextWriterFlush(w) < 0)
		failed = 1;
	xmlFreeTextWriter(w);
	xmlFreeDoc(doc);
	/* Fail closed: nothing rather than something unchecked. */
	if (!failed && xmlCheckUTF8(xmlBufferContent(xb)))
		out = xstrdup((const char *)xmlBufferContent(xb));
	xmlBufferFree(xb);
	return out != NULL ? out : xstrdup("");
}

/*
 * The parser does not read back every nesting it accepted (a <p> inside
 * an <h1>, say: it closes the h1 first), so one pass is not always
 * idempotent.  Passes are repeated until the output reads back as itself,
 * four at most; an input that never settles gives nothing (fail closed).
 */
char *
html_sanitize(const char *html, const char *base)
{
	char *cur = sanitize_once(html, base);

	for (int pass = 1; pass < 4; pass++) {
		char *next = sanitize_once(cur, base);

		if (strcmp(next, cur) == 0) {
			free(next);
			return cur;
		}
		free(cur);
		cur = next;
	}
	free(cur);
	return xstrdup("");
}
