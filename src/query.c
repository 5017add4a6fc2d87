/* query.c - the q= language: a tokenizer, terms, and FTS5 compilation. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlunicode.h>

#include "buf.h"
#include "query.h"
#include "utf8.h"

struct term {
	const char	*text;	/* into the query string, not NUL-terminated */
	size_t		 len;
	int		 negated;
	int		 prefix;
};

/*
 * A term is searchable when the FTS5 tokenizer would find a token in it:
 * unicode61 splits on spaces, punctuation and symbols, ASCII or not.
 */
static int
has_token(const char *s, size_t n)
{
	long c;
	int len;

	for (size_t i = 0; i < n; i += (size_t)len) {
		len = utf8_next((const unsigned char *)s + i, n - i, &c);
		if (len == 0)
			return 0;
		if (c < 0x80 ? isalnum((int)c) : !(xmlUCSIsCatP((int)c) ||
		    xmlUCSIsCatS((int)c) || xmlUCSIsCatZ((int)c) ||
		    xmlUCSIsCatCc((int)c) || xmlUCSIsCatCf((int)c)))
			return 1;
	}
	return 0;
}

/* Appends the term as one FTS5 string: double quotes doubled. */
static void
quote_term(struct buf *b, const struct term *t)
{
	buf_puts(b, "\"");
	for (size_t i = 0; i < t->len; i++) {
		if (t->text[i] == '"')
			buf_puts(b, "\"");
		buf_append(b, &t->text[i], 1);
	}
	buf_puts(b, "\"");
	if (t->prefix)
		buf_puts(b, " *");
}

static int
tokenize(const char *q, struct term *terms, size_t *nterms, char *err,
    size_t errlen)
{
	const char *p = q;
	size_t n = 0;

	while (*p != '\0') {
		struct term t = { 0 };

		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		if (*p == '-') {
			t.negated = 1;
			p++;
		}
		if (*p == '"') {
			const char *end = strchr(p + 1, '"');

			if (end == NULL) {
				snprintf(err, errlen, "unbalanced quote: a "
				    "phrase starts at character %zu and never "
				    "ends", (size_t)(p - q) + 1);
				return -1;
			}
			t.text = p + 1;
			t.len = (size_t)(end - p - 1);
			p = end + 1;
		} else {
			t.text = p;
			while (*p != '\0' && !isspace((unsigned char)*p) &&
			    *p != '"')
				p++;
			t.len = (size_t)(p - t.text);
			if (t.len > 0 && t.text[t.len - 1] == '*') {
				t.prefix = 1;
				t.len--;
			}
		}
		if (!has_token(t.text, t.len))
			continue;	/* punctuation alone: nothing to find */
		if (n == QUERY_MAX_TERMS) {
			snprintf(err, errlen, "too many terms (at most %d)",
			    QUERY_MAX_TERMS);
			return -1;
		}
		terms[n++] = t;
	}
	*nterms = n;
	return 0;
}

int
query_parse(const char *q, struct query *out, char *err, size_t errlen)
{
	struct term terms[QUERY_MAX_TERMS];
	struct buf pos = { 0 }, neg = { 0 };
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	if (q == NULL)
		return 0;
	if (strlen(q) > QUERY_MAX_LEN) {
		snprintf(err, errlen, "query too long (at most %d bytes)",
		    QUERY_MAX_LEN);
		return -1;
	}
	if (!utf8_valid(q)) {
		snprintf(err, errlen, "query is not valid UTF-8");
		return -1;
	}
	if (tokenize(q, terms, &n, err, errlen) == -1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct buf *b = terms[i].negated ? &neg : &pos;

		if (b->len > 0)
			buf_puts(b, terms[i].negated ? " OR " : " AND ");
		quote_term(b, &terms[i]);
	}
	if (pos.len > 0 && neg.len > 0) {
		struct buf m = { 0 };

		buf_printf(&m, "(%s) NOT (%s)", pos.data, neg.data);
		out->match = buf_steal(&m);
		buf_free(&pos);
		buf_free(&neg);
	} else if (pos.len > 0)
		out->match = buf_steal(&pos);
	else if (neg.len > 0)
		out->exclude = buf_steal(&neg);
	return 0;
}

void
query_clear(struct query *q)
{
	free(q->match);
	free(q->exclude);
	q->match = q->exclude = NULL;
}
