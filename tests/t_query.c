/*
 * t_query.c - the q= language: query_parse() compiles text into FTS5
 * expressions in which every user word is a quoted string.
 *
 * Each row gives an input and either the expected match and exclude
 * expressions or a part of the expected error.  Every accepted expression
 * is then run through a real FTS5 table shaped like the store's, so that
 * nothing a user types can make SQLite fail, and a few searches check what
 * is found: case and diacritics folded, prefixes, phrases, exclusions.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "query.h"
#include "tap.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

struct qcase {
	const char	*in;
	const char	*match;		/* NULL: none */
	const char	*exclude;	/* NULL: none */
	const char	*err;		/* refused: a part of err */
};

static const struct qcase qcases[] = {
	/* Words are AND-ed. */
	{ "diffusion", "\"diffusion\"", NULL, NULL },
	{ "diffusion video", "\"diffusion\" AND \"video\"", NULL, NULL },
	{ "  spaced\t\tout \n ", "\"spaced\" AND \"out\"", NULL, NULL },
	{ "Café", "\"Café\"", NULL, NULL },
	{ "日本語 テスト", "\"日本語\" AND \"テスト\"", NULL, NULL },
	{ "foo-bar", "\"foo-bar\"", NULL, NULL },
	{ "it's", "\"it's\"", NULL, NULL },
	{ "cs.LG", "\"cs.LG\"", NULL, NULL },
	/* Phrases. */
	{ "\"rectified flow\"", "\"rectified flow\"", NULL, NULL },
	{ "\"rectified flow\" video", "\"rectified flow\" AND \"video\"", NULL,
	    NULL },
	{ "a\"b c\"", "\"a\" AND \"b c\"", NULL, NULL },
	{ "\"a b\"*", "\"a b\"", NULL, NULL },
	{ "\"\"", NULL, NULL, NULL },
	{ "\"  \"", NULL, NULL, NULL },
	/* Prefixes. */
	{ "distill*", "\"distill\" *", NULL, NULL },
	{ "distill**", "\"distill*\" *", NULL, NULL },
	{ "x*y", "\"x*y\"", NULL, NULL },
	{ "*", NULL, NULL, NULL },
	{ "-distill*", NULL, "\"distill\" *", NULL },
	/* Exclusions. */
	{ "-survey", NULL, "\"survey\"", NULL },
	{ "-survey -\"reality check\"", NULL,
	    "\"survey\" OR \"reality check\"", NULL },
	{ "continual -survey", "(\"continual\") NOT (\"survey\")", NULL, NULL },
	{ "-survey continual learning",
	    "(\"continual\" AND \"learning\") NOT (\"survey\")", NULL, NULL },
	{ "diffusion -survey -\"reality check\"",
	    "(\"diffusion\") NOT (\"survey\" OR \"reality check\")", NULL,
	    NULL },
	{ "--x", NULL, "\"-x\"", NULL },
	/* Punctuation alone is nothing to find. */
	{ "a - b", "\"a\" AND \"b\"", NULL, NULL },
	{ "a , . ; ! b", "\"a\" AND \"b\"", NULL, NULL },
	{ "!!! ??? ... ---", NULL, NULL, NULL },
	{ "-", NULL, NULL, NULL },
	{ "- \"\"", NULL, NULL, NULL },
	{ "diffusion \xe2\x80\x94 survey", "\"diffusion\" AND \"survey\"",
	    NULL, NULL },			/* an em dash */
	{ "\xc2\xab a \xc2\xbb \xe2\x80\xa6", "\"a\"", NULL, NULL },
	{ "\xe2\x80\x9c \xe2\x80\x9d x \xc2\xa9", "\"x\"", NULL, NULL },
	{ "x \xc2\xa0 y", "\"x\" AND \"y\"", NULL, NULL },	/* NBSP */
	/* FTS5 and SQL syntax stays text. */
	{ "NEAR(a b)", "\"NEAR(a\" AND \"b)\"", NULL, NULL },
	{ "a OR b", "\"a\" AND \"OR\" AND \"b\"", NULL, NULL },
	{ "NOT x", "\"NOT\" AND \"x\"", NULL, NULL },
	{ "AND", "\"AND\"", NULL, NULL },
	{ "(lora OR adapter) -survey",
	    "(\"(lora\" AND \"OR\" AND \"adapter)\") NOT (\"survey\")", NULL,
	    NULL },
	{ "col:x", "\"col:x\"", NULL, NULL },
	{ "title:robot", "\"title:robot\"", NULL, NULL },
	{ "'; DROP TABLE entries; --",
	    "\"DROP\" AND \"TABLE\" AND \"entries;\"", NULL, NULL },
	{ "^x", "\"^x\"", NULL, NULL },
	{ "\"a\"\"b\"", "\"a\" AND \"b\"", NULL, NULL },
	{ "{title text}: x", "\"{title\" AND \"text}:\" AND \"x\"", NULL,
	    NULL },
	{ "a + b", "\"a\" AND \"b\"", NULL, NULL },
	{ "x\" OR \"y", "\"x\" AND \" OR \" AND \"y\"", NULL, NULL },
	/* Refused. */
	{ "\"unbalanced", NULL, NULL, "unbalanced quote" },
	{ "a \"b c", NULL, NULL, "character 3" },
	{ "-\"x", NULL, NULL, "unbalanced quote" },
	{ "a\"", NULL, NULL, "unbalanced quote" },
	{ "\"a\" \"b", NULL, NULL, "unbalanced quote" },
	{ "\xff", NULL, NULL, "UTF-8" },
	{ "caf\xc3", NULL, NULL, "UTF-8" },		/* cut short */
	{ "\x80x", NULL, NULL, "UTF-8" },		/* a lone tail byte */
	{ "\xc3(", NULL, NULL, "UTF-8" },
	{ "\xc0\xaf", NULL, NULL, "UTF-8" },		/* overlong '/' */
	{ "\xe0\x80\xa2", NULL, NULL, "UTF-8" },	/* overlong '"' */
	{ "\xed\xa0\x80", NULL, NULL, "UTF-8" },	/* a surrogate */
	{ "\xf4\x90\x80\x80", NULL, NULL, "UTF-8" },	/* past U+10FFFF */
	{ "\xf8\x88\x80\x80\x80", NULL, NULL, "UTF-8" },
	{ "ok \xfe", NULL, NULL, "UTF-8" },
	/* Nothing: no match and no exclude. */
	{ NULL, NULL, NULL, NULL },
	{ "", NULL, NULL, NULL },
	{ "   ", NULL, NULL, NULL },
};

struct fts {
	sqlite3		*db;
	sqlite3_stmt	*match;		/* rows matching ?1 */
	sqlite3_stmt	*keep;		/* rows not matching ?1 */
};

static const char *const rows[][4] = {
	{ "Café culture in Paris", "Notes on espresso", "Zoë", "food" },
	{ "Knowledge distillation for diffusion models",
	    "A teacher and a student", "Ruby", "cs.LG" },
	{ "A survey of diffusion models", "We survey the field", "Ann",
	    "cs.CV" },
	{ "Rectified flow matching", "Straight paths", "Bo", "cs.LG" },
	{ "Reality check: continual learning", "Benchmarks", "Cy", "cs.AI" },
	{ "Continual learning with LoRA", "An adapter per task", "Di",
	    "cs.LG" },
};

static int
fts_open(struct fts *f)
{
	sqlite3_stmt *ins;
	int rc;

	memset(f, 0, sizeof(*f));
	if (sqlite3_open(":memory:", &f->db) != SQLITE_OK ||
	    sqlite3_exec(f->db, "CREATE VIRTUAL TABLE t USING fts5(title, "
	    "text, author, tags, tokenize='unicode61 remove_diacritics 2', "
	    "prefix='2 3')", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(f->db, "INSERT INTO t VALUES (?, ?, ?, ?)", -1,
	    &ins, NULL) != SQLITE_OK)
		return -1;
	for (size_t i = 0; i < NITEMS(rows); i++) {
		for (int j = 0; j < 4; j++)
			sqlite3_bind_text(ins, j + 1, rows[i][j], -1,
			    SQLITE_STATIC);
		rc = sqlite3_step(ins);
		sqlite3_reset(ins);
		if (rc != SQLITE_DONE)
			break;
	}
	sqlite3_finalize(ins);
	if (rc != SQLITE_DONE ||
	    sqlite3_prepare_v2(f->db, "SELECT count(*) FROM t WHERE t MATCH ?",
	    -1, &f->match, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(f->db, "SELECT count(*) FROM t WHERE rowid NOT "
	    "IN (SELECT rowid FROM t WHERE t MATCH ?)", -1, &f->keep,
	    NULL) != SQLITE_OK)
		return -1;
	return 0;
}

static void
fts_close(struct fts *f)
{
	sqlite3_finalize(f->match);
	sqlite3_finalize(f->keep);
	sqlite3_close(f->db);
}

/* Runs st with expr bound: the count, or -1 with the error in diag. */
static int
fts_count(struct fts *f, sqlite3_stmt *st, const char *expr)
{
	int n = -1;

	sqlite3_bind_text(st, 1, expr, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	else
		diag("  %s: %s", expr, sqlite3_errmsg(f->db));
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return n;
}

/* s for a test's name: controls and non-ASCII bytes as \xNN. */
static const char *
printable(const char *s, char *out, size_t len)
{
	size_t n = 0;

	if (s == NULL)
		return "(null)";
	for (; *s != '\0' && n + 5 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c >= 0x7f)
			n += (size_t)snprintf(out + n, len - n, "\\x%02x", c);
		else
			out[n++] = (char)c;
	}
	out[n] = '\0';
	return out;
}

static void
test_table(struct fts *f)
{
	for (size_t i = 0; i < NITEMS(qcases); i++) {
		const struct qcase *c = &qcases[i];
		struct query q;
		char err[256] = "", buf[256];
		const char *name = printable(c->in, buf, sizeof(buf));
		int rc = query_parse(c->in, &q, err, sizeof(err));

		if (c->err != NULL) {
			is_int(-1, rc, "[%s] is refused", name);
			ok(strstr(err, c->err) != NULL,
			    "  saying why (%s): %s", c->err, err);
			ok(q.match == NULL && q.exclude == NULL,
			    "  with no expressions");
			query_clear(&q);
			continue;
		}
		if (!is_int(0, rc, "[%s] is accepted", name))
			diag("  %s", err);
		is_str(c->match, q.match, "  match");
		is_str(c->exclude, q.exclude, "  exclude");
		if (q.match != NULL)
			ok(fts_count(f, f->match, q.match) >= 0,
			    "  FTS5 runs the match");
		if (q.exclude != NULL)
			ok(fts_count(f, f->keep, q.exclude) >= 0,
			    "  FTS5 runs the exclude");
		query_clear(&q);
		ok(q.match == NULL && q.exclude == NULL, "  query_clear");
	}
}

static void
test_limits(struct fts *f)
{
	char *s = malloc(QUERY_MAX_LEN + 2), err[256];
	struct query q;
	size_t len;
	int rc;

	/* One long word, exactly at the limit, then one byte past it. */
	memset(s, 'a', QUERY_MAX_LEN);
	s[QUERY_MAX_LEN] = '\0';
	rc = query_parse(s, &q, err, sizeof(err));
	is_int(0, rc, "a query of QUERY_MAX_LEN bytes is accepted");
	ok(q.match != NULL && strlen(q.match) == QUERY_MAX_LEN + 2,
	    "  as one quoted word");
	if (q.match != NULL)
		ok(fts_count(f, f->match, q.match) == 0, "  FTS5 runs it");
	query_clear(&q);
	strcat(s, "a");
	err[0] = '\0';
	rc = query_parse(s, &q, err, sizeof(err));
	is_int(-1, rc, "QUERY_MAX_LEN + 1 bytes are refused");
	ok(strstr(err, "too long") != NULL, "  too long: %s", err);
	ok(q.match == NULL && q.exclude == NULL, "  with no expressions");

	/* Spaces count too, though they make no term. */
	memset(s, ' ', QUERY_MAX_LEN + 1);
	s[0] = 'x';
	s[QUERY_MAX_LEN + 1] = '\0';
	is_int(-1, query_parse(s, &q, err, sizeof(err)),
	    "a short word and many spaces are too long");

	/* QUERY_MAX_TERMS terms, then one more. */
	s[0] = '\0';
	for (int i = 0; i < QUERY_MAX_TERMS; i++) {
		len = strlen(s);
		snprintf(s + len, QUERY_MAX_LEN + 2 - len, "%sw%d",
		    i % 2 ? " -" : " ", i);
	}
	rc = query_parse(s, &q, err, sizeof(err));
	is_int(0, rc, "%d terms are accepted", QUERY_MAX_TERMS);
	if (q.match != NULL)
		ok(fts_count(f, f->match, q.match) == 0, "  FTS5 runs them");
	query_clear(&q);
	/* Punctuation makes no term, so it does not count. */
	strcat(s, " - ... ! \"\"");
	is_int(0, query_parse(s, &q, err, sizeof(err)),
	    "  and with punctuation besides");
	query_clear(&q);
	strcat(s, " one-more");
	err[0] = '\0';
	rc = query_parse(s, &q, err, sizeof(err));
	is_int(-1, rc, "%d terms are refused", QUERY_MAX_TERMS + 1);
	ok(strstr(err, "too many terms") != NULL, "  too many terms: %s", err);
	ok(q.match == NULL && q.exclude == NULL, "  with no expressions");
	free(s);

	/* The error names where the phrase starts. */
	query_parse("ab \"cd", &q, err, sizeof(err));
	is_str("unbalanced quote: a phrase starts at character 4 and never "
	    "ends", err, "the unbalanced quote error in full");
	/* A short errbuf is cut, not overrun. */
	memset(err, 'z', sizeof(err));
	query_parse("\"x", &q, err, 8);
	is_int(7, (long long)strlen(err), "a short errbuf is NUL-terminated");
	ok(err[8] == 'z', "  and not written past");
}

struct search {
	const char	*q;
	int		 want;		/* rows found, or kept: exclusions */
};

static const struct search searches[] = {
	{ "cafe", 1 },			/* diacritics */
	{ "CAFÉ", 1 },			/* and case */
	{ "café culture", 1 },
	{ "zoe", 1 },			/* author */
	{ "espresso", 1 },		/* text */
	{ "distill", 0 },
	{ "distill*", 1 },		/* prefix: "distillation" */
	{ "di*", 3 },			/* diffusion, distillation, Di */
	{ "diffusion", 2 },
	{ "diffusion -survey", 1 },
	{ "diffusion \xe2\x80\x94 survey", 1 },
	{ "\"diffusion models\"", 2 },
	{ "\"models diffusion\"", 0 },
	{ "\"rectified flow\"", 1 },
	{ "\"flow rectified\"", 0 },
	{ "continual", 2 },
	{ "continual -\"reality check\"", 1 },
	{ "continual learning -lora", 1 },
	{ "cs.LG", 3 },			/* tags, as the phrase "cs lg" */
	{ "lg", 3 },
	{ "'; DROP TABLE t; --", 0 },
	{ "NEAR(flow matching)", 0 },	/* the phrase "near flow" */
	{ "flow matching)", 1 },
	{ "a OR b", 0 },		/* "or" is a word, and no row has it */
	{ "-survey", 5 },		/* kept: all but one */
	{ "-cs.LG", 3 },
	{ "-survey -lora -\"reality check\"", 3 },
};

static void
test_search(struct fts *f)
{
	for (size_t i = 0; i < NITEMS(searches); i++) {
		struct query q;
		char err[256], buf[256];
		int n = -2;

		if (query_parse(searches[i].q, &q, err, sizeof(err)) == -1)
			diag("  %s", err);
		else if (q.match != NULL)
			n = fts_count(f, f->match, q.match);
		else if (q.exclude != NULL)
			n = fts_count(f, f->keep, q.exclude);
		is_int(searches[i].want, n, "[%s] finds %d", printable(
		    searches[i].q, buf, sizeof(buf)), searches[i].want);
		query_clear(&q);
	}
	ok(sqlite3_exec(f->db, "SELECT count(*) FROM t", NULL, NULL, NULL) ==
	    SQLITE_OK, "the table is still there");
}

int
main(void)
{
	struct fts f;

	if (!ok(fts_open(&f) == 0, "an FTS5 table like the store's")) {
		diag("%s", f.db ? sqlite3_errmsg(f.db) : "no db");
		return done_testing();
	}
	test_table(&f);
	test_limits(&f);
	test_search(&f);
	fts_close(&f);
	return done_testing();
}
