/*
 * fuzz_sanitize.c - bytes as HTML through html_sanitize, with the P3
 * oracle of HOSTILE.md: the output, parsed again, has only allowlisted
 * elements and attributes, no on*, only http(s)/mailto links and
 * http(s)/data-image sources; sanitising it again changes nothing.  A
 * violation aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>

#include "sanitize.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const elements[] = {
	"a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd",
	"del", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2",
	"h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "ol",
	"p", "pre", "q", "s", "samp", "small", "span", "strong", "sub", "sup",
	"table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u",
	"ul", "var", "html", "body", NULL
};
static const char *const attributes[] = {
	"href", "title", "cite", "src", "alt", "width", "height", "start",
	"colspan", "rowspan", "datetime", "rel", NULL
};

static int
listed(const char *s, const char *const *list)
{
	for (size_t i = 0; list[i] != NULL; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

static void
check(xmlNodePtr n)
{
	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (!listed((const char *)n->name, elements))
			abort();
		for (xmlAttrPtr a = n->properties; a != NULL; a = a->next) {
			const char *an = (const char *)a->name;
			xmlChar *v = xmlGetProp(n, a->name);
			const char *s = v ? (const char *)v : "";
			int bad = strncasecmp(an, "on", 2) == 0 ||
			    !listed(an, attributes);

			if (!bad && (strcmp(an, "href") == 0 ||
			    strcmp(an, "cite") == 0))
				bad = strncasecmp(s, "http://", 7) &&
				    strncasecmp(s, "https://", 8) &&
				    strncasecmp(s, "mailto:", 7);
			if (!bad && strcmp(an, "src") == 0)
				bad = strncasecmp(s, "http://", 7) &&
				    strncasecmp(s, "https://", 8) &&
				    strncasecmp(s, "data:image/", 11);
			xmlFree(v);
			if (bad)
				abort();
		}
		check(n->children);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1), *out, *again;
	htmlDocPtr doc;

	memcpy(in, data, size);
	in[size] = '\0';
	if (!utf8_valid(in)) {		/* the store holds only valid UTF-8 */
		free(in);
		return 0;
	}
	out = html_sanitize(in, "https://fuzz.example/dir/page.html");
	if (*out != '\0') {
		doc = htmlReadMemory(out, (int)strlen(out), NULL, "UTF-8",
		    HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
		    HTML_PARSE_NOWARNING);
		if (doc != NULL)
			check(doc->children);
		xmlFreeDoc(doc);
	}
	again = html_sanitize(out, "https://fuzz.example/dir/page.html");
	if (strcmp(again, out) != 0)
		abort();		/* not idempotent */
	free(again);
	free(out);
	free(in);
	return 0;
}
