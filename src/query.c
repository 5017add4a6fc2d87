/*
 * query.c - the q= language: a lexer, a recursive-descent parser into a
 * small tree, and its compilation into FTS5 and the store's conditions.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/xmlunicode.h>

#include "buf.h"
#include "date.h"
#include "query.h"
#include "utf8.h"

enum field { F_ANY, F_TITLE, F_AUTHOR, F_TAG, F_FEED };

/* The FTS5 columns the fields search ("" for all of them). */
static const char *const field_column[] = {
	[F_ANY] = "", [F_TITLE] = "title", [F_AUTHOR] = "author",
	[F_TAG] = "tags", [F_FEED] = NULL,
};

enum tok { T_END, T_WORD, T_OPEN, T_CLOSE, T_OR };

struct token {
	enum tok	 kind;
	const char	*text;	/* T_WORD: into q, not NUL-terminated */
	size_t		 len;
	size_t		 at;	/* where it starts, for errors */
	int		 negated, prefix;
	enum field	 field;
};

enum kind { N_TERM, N_AND, N_OR };

/* A node of the tree; children are a list through next. */
struct node {
	enum kind	 kind;
	int		 negated;
	const struct token *term;	/* N_TERM */
	struct node	*first, *next;
};

#define MAX_NODES	(2 * QUERY_MAX_TERMS + 8)

struct parser {
	const char	*q;
	struct token	 tok;		/* the lookahead */
	size_t		 pos;
	struct token	 terms[QUERY_MAX_TERMS];
	size_t		 nterms;
	struct node	 nodes[MAX_NODES];
	size_t		 nnodes;
	int		 depth;
	char		*err;
	size_t		 errlen;
	int		 failed;
};

static void
fail(struct parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return;
	p->failed = 1;
	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
}

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

/* "title:" and the like at s: the field and the prefix's length. */
static enum field
field_prefix(const char *s, size_t *len)
{
	static const struct {
		const char	*name;
		enum field	 field;
	} names[] = {
		{ "title:", F_TITLE }, { "author:", F_AUTHOR },
		{ "tag:", F_TAG }, { "feed:", F_FEED },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t n = strlen(names[i].name);

		if (strncasecmp(s, names[i].name, n) == 0 && s[n] != '\0' &&
		    !isspace((unsigned char)s[n]) && s[n] != ')') {
			*len = n;
			return names[i].field;
		}
	}
	*len = 0;
	return F_ANY;
}

static int
word_end(char c)
{
	return c == '\0' || isspace((unsigned char)c) || c == '"' ||
	    c == '(' || c == ')';
}

/* Whether a term (a word, a phrase or a group) starts in s. */
static int
term_follows(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return *s != '\0' && *s != ')';
}

/* Reads the next token into p->tok; words with nothing to find are skipped. */
static void
next(struct parser *p)
{
	const char *q = p->q;
	enum tok prev = p->tok.kind;
	struct token t;

	for (;;) {
		size_t flen;

		memset(&t, 0, sizeof(t));
		while (isspace((unsigned char)q[p->pos]))
			p->pos++;
		t.at = p->pos;
		if (q[p->pos] == '\0') {
			t.kind = T_END;
			break;
		}
		if (q[p->pos] == '-') {
			t.negated = 1;
			p->pos++;
		}
		if (q[p->pos] == '(') {
			t.kind = T_OPEN;
			p->pos++;
			break;
		}
		if (q[p->pos] == ')') {
			if (t.negated)
				continue;	/* "-)": a lone dash */
			t.kind = T_CLOSE;
			p->pos++;
			break;
		}
		t.kind = T_WORD;
		t.field = field_prefix(q + p->pos, &flen);
		p->pos += flen;
		if (q[p->pos] == '"') {
			const char *end = strchr(q + p->pos + 1, '"');

			if (end == NULL) {
				fail(p, "unbalanced quote: a phrase starts at "
				    "character %zu and never ends", p->pos + 1);
				t.kind = T_END;
				break;
			}
			t.text = q + p->pos + 1;
			t.len = (size_t)(end - t.text);
			p->pos = (size_t)(end - q) + 1;
		} else {
			t.text = q + p->pos;
			while (!word_end(q[p->pos]))
				p->pos++;
			t.len = (size_t)(q + p->pos - t.text);
			if (t.len > 0 && t.text[t.len - 1] == '*') {
				t.prefix = 1;
				t.len--;
			}
			/*
			 * OR between two terms is the operator; anywhere
			 * else (first, last, after another OR or before a
			 * ')') it is the word, so that "' OR 1=1 --" is
			 * searched for, not refused.
			 */
			if (!t.negated && t.field == F_ANY && t.len == 2 &&
			    !t.prefix && memcmp(t.text, "OR", 2) == 0 &&
			    (prev == T_WORD || prev == T_CLOSE) &&
			    term_follows(q + p->pos)) {
				t.kind = T_OR;
				break;
			}
		}
		/* A feed's name is matched whole, whatever it holds. */
		if (t.field == F_FEED ? t.len > 0 : has_token(t.text, t.len))
			break;
	}
	p->tok = t;
}

static struct node *
node_new(struct parser *p, enum kind kind)
{
	struct node *n;

	if (p->nnodes == MAX_NODES) {
		fail(p, "too many terms (at most %d)", QUERY_MAX_TERMS);
		return NULL;
	}
	n = &p->nodes[p->nnodes++];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	return n;
}

static struct node *parse_or(struct parser *);

static struct node *
parse_unary(struct parser *p)
{
	struct node *n;
	struct token t = p->tok;

	if (t.kind == T_WORD) {
		if (p->nterms == QUERY_MAX_TERMS) {
			fail(p, "too many terms (at most %d)",
			    QUERY_MAX_TERMS);
			return NULL;
		}
		p->terms[p->nterms] = t;
		if ((n = node_new(p, N_TERM)) == NULL)
			return NULL;
		n->term = &p->terms[p->nterms++];
		n->negated = t.negated;
		next(p);
		return n;
	}
	/* T_OPEN */
	if (++p->depth > QUERY_MAX_DEPTH) {
		fail(p, "parentheses nested too deep (at most %d)",
		    QUERY_MAX_DEPTH);
		return NULL;
	}
	next(p);
	n = parse_or(p);
	if (p->failed)
		return NULL;
	if (p->tok.kind != T_CLOSE) {
		fail(p, "unbalanced parenthesis: the group that starts at "
		    "character %zu is never closed", t.at + 1);
		return NULL;
	}
	p->depth--;
	next(p);
	if (n != NULL)
		n->negated ^= t.negated;
	return n;
}

/* Terms side by side until OR, ')' or the end: an AND (or one term). */
static struct node *
parse_and(struct parser *p)
{
	struct node *and, *last = NULL, *n;
	size_t count = 0;

	if ((and = node_new(p, N_AND)) == NULL)
		return NULL;
	while (!p->failed && (p->tok.kind == T_WORD ||
	    p->tok.kind == T_OPEN)) {
		if ((n = parse_unary(p)) == NULL)
			continue;	/* an empty group, or failed */
		if (last == NULL)
			and->first = n;
		else
			last->next = n;
		last = n;
		count++;
	}
	if (count == 0)
		return NULL;
	if (count == 1)
		return and->first;	/* negated or not */
	return and;
}

static struct node *
parse_or(struct parser *p)
{
	struct node *or = NULL, *left = parse_and(p), *right;

	while (!p->failed && p->tok.kind == T_OR) {
		size_t at = p->tok.at;

		next(p);
		right = parse_and(p);
		if (p->failed)
			return NULL;
		if (left == NULL || right == NULL) {
			fail(p, "OR at character %zu needs a term on each side",
			    at + 1);
			return NULL;
		}
		if (or == NULL) {
			if ((or = node_new(p, N_OR)) == NULL)
				return NULL;
			or->first = left;
		}
		/* Append right to or's children. */
		{
			struct node *k = or->first;

			while (k->next != NULL)
				k = k->next;
			k->next = right;
		}
		left = or;
	}
	return p->failed ? NULL : left;
}

/* The term as one FTS5 string (double quotes doubled), column first. */
static void
quote_term(struct buf *b, const struct token *t)
{
	if (*field_column[t->field] != '\0')
		buf_printf(b, "%s : ", field_column[t->field]);
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

static int compile(struct parser *, const struct node *, struct buf *);

/*
 * An AND: its terms, then NOT what it excludes.  exclude gets the
 * exclusions instead when the AND has nothing else (the top level only).
 */
static int
compile_and(struct parser *p, const struct node *n, struct buf *out,
    struct buf *exclude)
{
	struct buf pos = { 0 }, neg = { 0 };
	int rc = -1;

	for (const struct node *k = n->first; k != NULL; k = k->next) {
		struct buf *b = k->negated ? &neg : &pos;

		if (exclude != NULL && k->kind == N_TERM &&
		    k->term->field == F_FEED)
			continue;	/* the top level's, done by the caller */
		if (b->len > 0)
			buf_puts(b, k->negated ? " OR " : " AND ");
		if (k->kind != N_TERM)
			buf_puts(b, "(");
		if (compile(p, k, b) == -1)
			goto done;
		if (k->kind != N_TERM)
			buf_puts(b, ")");
	}
	if (pos.len > 0 && neg.len > 0)
		buf_printf(out, "(%s) NOT (%s)", pos.data, neg.data);
	else if (pos.len > 0)
		buf_puts(out, pos.data);
	else if (neg.len > 0 && exclude != NULL)
		buf_puts(exclude, neg.data);
	else if (neg.len > 0) {
		fail(p, "a group of only excluded terms finds nothing to "
		    "exclude them from; add a term to search for");
		goto done;
	}
	rc = 0;
done:
	buf_free(&pos);
	buf_free(&neg);
	return rc;
}

static int
compile(struct parser *p, const struct node *n, struct buf *out)
{
	switch (n->kind) {
	case N_TERM:
		if (n->term->field == F_FEED) {
			fail(p, "feed: works at the top level only, not inside "
			    "parentheses or OR");
			return -1;
		}
		quote_term(out, n->term);
		return 0;
	case N_AND:
		return compile_and(p, n, out, NULL);
	case N_OR:
		for (const struct node *k = n->first; k != NULL; k = k->next) {
			if (k->negated) {
				fail(p, "an excluded term cannot be a side of "
				    "OR");
				return -1;
			}
			if (k != n->first)
				buf_puts(out, " OR ");
			if (k->kind != N_TERM)
				buf_puts(out, "(");
			if (compile(p, k, out) == -1)
				return -1;
			if (k->kind != N_TERM)
				buf_puts(out, ")");
		}
		return 0;
	}
	return -1;
}

/* Adds a name to a \x1f-joined list. */
static void
add_name(char **list, const char *name, size_t len)
{
	struct buf b = { 0 };

	if (*list != NULL)
		buf_printf(&b, "%s\x1f", *list);
	buf_append(&b, name, len);
	free(*list);
	*list = buf_steal(&b);
}

int
query_parse(const char *q, struct query *out, char *err, size_t errlen)
{
	struct parser *p;
	struct node *root;
	struct buf match = { 0 }, exclude = { 0 };
	int rc = -1;

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
	p = xcalloc(1, sizeof(*p));
	p->q = q;
	p->err = err;
	p->errlen = errlen;
	next(p);
	root = parse_or(p);
	if (!p->failed && p->tok.kind == T_CLOSE)
		fail(p, "unbalanced parenthesis: ')' at character %zu closes "
		    "nothing", p->tok.at + 1);
	if (p->failed)
		goto done;
	if (root != NULL && (root->kind != N_AND || root->negated)) {
		/* An AND of one: feed: terms and exclusions as below. */
		struct node *and = node_new(p, N_AND);

		if (and == NULL)
			goto done;
		and->first = root;
		root = and;
	}
	if (root != NULL && root->kind == N_AND) {
		for (const struct node *k = root->first; k != NULL;
		    k = k->next)
			if (k->kind == N_TERM && k->term->field == F_FEED)
				add_name(k->negated ? &out->not_feeds :
				    &out->feeds, k->term->text, k->term->len);
		if (compile_and(p, root, &match, &exclude) == -1)
			goto done;
	} else if (root != NULL && compile(p, root, &match) == -1)
		goto done;
	if (match.len > 0)
		out->match = buf_steal(&match);
	if (exclude.len > 0)
		out->exclude = buf_steal(&exclude);
	rc = 0;
done:
	if (rc == -1)
		query_clear(out);
	buf_free(&match);
	buf_free(&exclude);
	free(p);
	return rc;
}

/* expr AND-ed into what q must match. */
static void
add_match(struct query *q, const char *expr)
{
	struct buf b = { 0 };

	if (q->match != NULL)
		buf_printf(&b, "(%s) AND %s", q->match, expr);
	else if (q->exclude != NULL) {
		buf_printf(&b, "(%s) NOT (%s)", expr, q->exclude);
		free(q->exclude);
		q->exclude = NULL;
	} else
		buf_puts(&b, expr);
	free(q->match);
	q->match = buf_steal(&b);
}

/* 1 when name is one of the \x1f-joined list. */
static int
listed(const char *list, const char *name, size_t len)
{
	for (const char *s = list; s != NULL; ) {
		const char *e = strchr(s, '\x1f');
		size_t n = e ? (size_t)(e - s) : strlen(s);

		if (n == len && memcmp(s, name, len) == 0)
			return 1;
		s = e ? e + 1 : NULL;
	}
	return 0;
}

/*
 * The feed parameter: names, narrowing q's own feed: terms if it has some.
 * No name at all: no condition; no name left: no source.
 */
static void
param_feeds(struct query *q, const char *param)
{
	char *names = NULL;
	int given = 0;

	for (const char *p = param; *p != '\0'; ) {
		size_t n = strcspn(p, ",");
		const char *s = p, *e = p + n;

		while (s < e && isspace((unsigned char)*s))
			s++;
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		if (e > s) {
			given = 1;
			if (q->feeds == NULL || listed(q->feeds, s,
			    (size_t)(e - s)))
				add_name(&names, s, (size_t)(e - s));
		}
		p += n;
		if (*p == ',')
			p++;
	}
	if (!given)
		return;
	if (names == NULL)
		q->no_feed = 1;
	free(q->feeds);
	q->feeds = names;
}

/* "7d" and the like: seconds, or -1. */
static int64_t
duration(const char *s)
{
	char *end;
	unsigned long long n;
	int64_t unit;

	if (!isdigit((unsigned char)*s))
		return -1;
	n = strtoull(s, &end, 10);
	switch (*end) {
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	case 'd': unit = 86400; break;
	case 'w': unit = 7 * 86400; break;
	default: return -1;
	}
	if (end[1] != '\0' || n > 100ULL * 365 * 86400 / (uint64_t)unit)
		return -1;
	return (int64_t)n * unit;
}

static int
param_cursor(struct query *q, const char *c, char *err, size_t errlen)
{
	char *end;

	if (q->relevance && c[0] == 'r' && isdigit((unsigned char)c[1])) {
		long v = strtol(c + 1, &end, 10);

		if (*end == '\0' && v >= 0 && v <= 100000) {
			q->offset = (int)v;
			return 0;
		}
	} else if (!q->relevance && c[0] == 'd' && isxdigit((unsigned char)
	    c[1]) && strlen(c) <= 17) {
		unsigned long long v = strtoull(c + 1, &end, 16);

		if (*end == '\0' && v > 0 && v <= INT64_MAX) {
			q->before = (int64_t)v;
			return 0;
		}
	}
	snprintf(err, errlen, "cursor: not one this server made for this "
	    "sort order: %.40s", c);
	return -1;
}

/* b's conditions AND-ed into a's. */
static void
query_and(struct query *a, const struct query *b)
{
	struct buf pos = { 0 }, neg = { 0 };

	if (a->match != NULL && b->match != NULL)
		buf_printf(&pos, "(%s) AND (%s)", a->match, b->match);
	else if (a->match != NULL || b->match != NULL)
		buf_puts(&pos, a->match != NULL ? a->match : b->match);
	if (a->exclude != NULL && b->exclude != NULL)
		buf_printf(&neg, "(%s) OR (%s)", a->exclude, b->exclude);
	else if (a->exclude != NULL || b->exclude != NULL)
		buf_puts(&neg, a->exclude != NULL ? a->exclude : b->exclude);
	free(a->match);
	free(a->exclude);
	a->match = a->exclude = NULL;
	if (pos.len > 0 && neg.len > 0) {
		struct buf m = { 0 };

		buf_printf(&m, "(%s) NOT (%s)", pos.data, neg.data);
		a->match = buf_steal(&m);
	} else if (pos.len > 0)
		a->match = buf_steal(&pos);
	else if (neg.len > 0)
		a->exclude = buf_steal(&neg);
	buf_free(&pos);
	buf_free(&neg);
	if (b->feeds != NULL) {
		if (a->feeds == NULL)
			a->feeds = xstrdup(b->feeds);
		else {
			char *both = NULL;

			for (const char *s = b->feeds; s != NULL; ) {
				const char *e = strchr(s, '\x1f');
				size_t n = e ? (size_t)(e - s) : strlen(s);

				if (listed(a->feeds, s, n))
					add_name(&both, s, n);
				s = e ? e + 1 : NULL;
			}
			free(a->feeds);
			a->feeds = both;
			a->no_feed |= both == NULL;
		}
	}
	if (b->not_feeds != NULL) {
		const char *s = b->not_feeds;

		add_name(&a->not_feeds, s, strlen(s));
	}
	a->no_feed |= b->no_feed;
}

int
query_params(const struct query_params *pp, int page_size, int64_t now,
    struct query *out, char *err, size_t errlen)
{
	struct buf tag = { 0 };
	char *end;

	if (query_parse(pp->q, out, err, errlen) == -1)
		return -1;
	if (pp->base != NULL) {
		struct query b;

		if (query_parse(pp->base, &b, err, errlen) == -1)
			goto fail;
		query_and(out, &b);
		query_clear(&b);
	}
	out->limit = page_size;
	if (pp->feed != NULL)
		param_feeds(out, pp->feed);
	if (pp->tag != NULL && *pp->tag != '\0') {
		struct token t = { .kind = T_WORD, .text = pp->tag,
		    .len = strlen(pp->tag), .field = F_TAG };

		if (strlen(pp->tag) > 200 || !utf8_valid(pp->tag)) {
			snprintf(err, errlen, "tag: too long or not UTF-8");
			goto fail;
		}
		quote_term(&tag, &t);
		add_match(out, tag.data);
		buf_free(&tag);
	}
	if (pp->since != NULL) {
		int64_t d = duration(pp->since), t;

		if (d >= 0)
			out->since = now - d;
		else if (date_parse(pp->since, &t) == 0)
			out->since = t;
		else {
			snprintf(err, errlen, "since: neither a date (RFC 3339) "
			    "nor a duration like 7d, 12h, 30m or 2w: %.40s",
			    pp->since);
			goto fail;
		}
		if (out->since <= 0)
			out->since = 1;
	}
	if (pp->limit != NULL) {
		long v = strtol(pp->limit, &end, 10);

		if (!isdigit((unsigned char)*pp->limit) || *end != '\0' ||
		    v < 1 || v > QUERY_MAX_LIMIT) {
			snprintf(err, errlen, "limit: a number from 1 to %d: "
			    "%.40s", QUERY_MAX_LIMIT, pp->limit);
			goto fail;
		}
		out->limit = (int)v;
	}
	if (pp->sort != NULL) {
		if (strcmp(pp->sort, "relevance") == 0)
			out->relevance = 1;
		else if (strcmp(pp->sort, "date") != 0) {
			snprintf(err, errlen, "sort: date or relevance: %.40s",
			    pp->sort);
			goto fail;
		}
		if (out->relevance && out->match == NULL) {
			snprintf(err, errlen, "sort=relevance needs words to "
			    "search for");
			goto fail;
		}
	}
	if (pp->cursor != NULL && param_cursor(out, pp->cursor, err,
	    errlen) == -1)
		goto fail;
	return 0;
fail:
	query_clear(out);
	return -1;
}

void
query_cursor(const struct query *q, int64_t last, int shown, char *out,
    size_t len)
{
	if (q->relevance)
		snprintf(out, len, "r%d", q->offset + shown);
	else
		snprintf(out, len, "d%" PRIx64, (uint64_t)last);
}

void
query_clear(struct query *q)
{
	free(q->match);
	free(q->exclude);
	free(q->feeds);
	free(q->not_feeds);
	memset(q, 0, sizeof(*q));
}
