/*
 * util.c - what the test programs share.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libxml/HTMLparser.h>

#include "util.h"

int
tu_read_file(const char *path, struct buf *b)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t n;
	int rc = 0;

	if (f != NULL) {
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			buf_append(b, chunk, n);
		if (ferror(f))
			rc = -1;
		fclose(f);
	} else
		rc = -1;
	buf_append(b, "", 0);
	return rc;
}

char *
tu_slurp(const char *dir, const char *rel, size_t *len)
{
	struct buf path = { 0 }, b = { 0 };

	buf_printf(&path, "%s/%s", dir, rel);
	if (tu_read_file(path.data, &b) == -1) {
		printf("# cannot read %s\n", path.data);
		buf_free(&path);
		buf_free(&b);
		return NULL;
	}
	buf_free(&path);
	*len = b.len;
	return buf_steal(&b);
}

int64_t
tu_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
in_list(const char *name, const char *const *list)
{
	for (size_t i = 0; list[i] != NULL; i++)
		if (strcmp(list[i], name) == 0)
			return 1;
	return 0;
}

/* sanitize.c's allowlist, as SECURITY.md states it. */
static const char *const elements[] = {
	"a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd",
	"del", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2",
	"h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "ol",
	"p", "pre", "q", "s", "samp", "small", "span", "strong", "sub", "sup",
	"table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u",
	"ul", "var",
	/* what the parser itself puts around a document */
	"html", "body", NULL
};
static const char *const attributes[] = {
	"href", "title", "cite", "src", "alt", "width", "height", "start",
	"colspan", "rowspan", "datetime", "rel", NULL
};

static int
url_ok(const char *v, const char *third)
{
	return strncasecmp(v, "http://", 7) == 0 ||
	    strncasecmp(v, "https://", 8) == 0 ||
	    strncasecmp(v, third, strlen(third)) == 0;
}

static const char *
html_walk(xmlNodePtr n)
{
	for (; n != NULL; n = n->next) {
		const char *why;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (!in_list((const char *)n->name, elements))
			return "an element off the allowlist";
		for (xmlAttrPtr a = n->properties; a != NULL; a = a->next) {
			xmlChar *x = xmlGetProp(n, a->name);
			const char *an = (const char *)a->name;
			const char *v = x != NULL ? (const char *)x : "";
			int bad = 0;

			if (strncasecmp(an, "on", 2) == 0 ||
			    !in_list(an, attributes))
				bad = 1;
			else if (strcmp(an, "href") == 0 || strcmp(an, "cite") ==
			    0)
				bad = !url_ok(v, "mailto:");
			else if (strcmp(an, "src") == 0)
				bad = !url_ok(v, "data:image/");
			xmlFree(x);
			if (bad)
				return "an attribute off the allowlist or a bad "
				    "URL";
		}
		if ((why = html_walk(n->children)) != NULL)
			return why;
	}
	return NULL;
}

const char *
tu_html_unsafe(const char *html)
{
	htmlDocPtr doc;
	const char *why = NULL;

	if (html == NULL || *html == '\0')
		return NULL;
	doc = htmlReadMemory(html, (int)strlen(html), NULL, "UTF-8",
	    HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
	    HTML_PARSE_NOWARNING);
	if (doc != NULL)
		why = html_walk(doc->children);
	xmlFreeDoc(doc);
	return why;
}
