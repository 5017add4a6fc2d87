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
	{ "NEAR(a b)", "\"NEAR\" AND (\"a\" AND \"b\")", NULL, NULL },
	{ "a or b", "\"a\" AND \"or\" AND \"b\"", NULL, NULL },
	{ "NOT x", "\"NOT\" AND \"x\"", NULL, NULL },
	{ "AND", "\"AND\"", NULL, NULL },
	{ "col:x", "\"col:x\"", NULL, NULL },
	/* OR, looser than AND, and groups. */
	{ "a OR b", "(\"a\" OR \"b\")", NULL, NULL },
	{ "diffusion OR flow video",
	    "(\"diffusion\" OR (\"flow\" AND \"video\"))", NULL, NULL },
	{ "a b OR c", "((\"a\" AND \"b\") OR \"c\")", NULL, NULL },
	{ "a OR b OR c", "(\"a\" OR \"b\" OR \"c\")", NULL, NULL },
	{ "(lora OR adapter)", "(\"lora\" OR \"adapter\")", NULL, NULL },
	{ "(lora OR adapter) -survey",
	    "((\"lora\" OR \"adapter\")) NOT (\"survey\")", NULL, NULL },
	{ "-(a OR b) c", "(\"c\") NOT ((\"a\" OR \"b\"))", NULL, NULL },
	{ "-(a OR b)", NULL, "(\"a\" OR \"b\")", NULL },
	{ "-(a b)", NULL, "(\"a\" AND \"b\")", NULL },
	{ "-(-a)", "\"a\"", NULL, NULL },
	{ "(a (b OR c)) d",
	    "(\"a\" AND (\"b\" OR \"c\")) AND \"d\"", NULL, NULL },
	{ "((x))", "\"x\"", NULL, NULL },
	{ "()", NULL, NULL, NULL },
	{ "( ) x", "\"x\"", NULL, NULL },
	{ "a OR ()", NULL, NULL, "needs a term on each side" },
	{ "a OR (x OR)", "(\"a\" OR (\"x\" AND \"OR\"))", NULL, NULL },
	/* OR not between two terms is the word. */
	{ "OR", "\"OR\"", NULL, NULL },
	{ "OR a", "\"OR\" AND \"a\"", NULL, NULL },
	{ "a OR", "\"a\" AND \"OR\"", NULL, NULL },
	{ "a OR OR b", "(\"a\" OR (\"OR\" AND \"b\"))", NULL, NULL },
	{ "' OR 1=1 --", "\"OR\" AND \"1=1\"", NULL, NULL },
	{ "a OR -b", NULL, NULL, "cannot be a side of OR" },
	{ "-a OR b", NULL, NULL, "cannot be a side of OR" },
	{ "(-a -b) c", NULL, NULL, "only excluded terms" },
	{ "(a b", NULL, NULL, "starts at character 1 is never closed" },
	{ "a b)", NULL, NULL, "')' at character 4 closes nothing" },
	{ "((((((((( x )))))))))", NULL, NULL, "nested too deep" },
	{ "(((((((( x ))))))))", "\"x\"", NULL, NULL },
	/* Fields. */
	{ "title:robot", "title : \"robot\"", NULL, NULL },
	{ "TITLE:Robot", "title : \"Robot\"", NULL, NULL },
	{ "author:ruby", "author : \"ruby\"", NULL, NULL },
	{ "tag:cs.LG", "tags : \"cs.LG\"", NULL, NULL },
	{ "title:\"rectified flow\"", "title : \"rectified flow\"", NULL,
	    NULL },
	{ "title:dist*", "title : \"dist\" *", NULL, NULL },
	{ "-title:survey x", "(\"x\") NOT (title : \"survey\")", NULL,
	    NULL },
	{ "title:a OR author:b", "(title : \"a\" OR author : \"b\")", NULL,
	    NULL },
	{ "title:", "\"title:\"", NULL, NULL },
	{ "title: x", "\"title:\" AND \"x\"", NULL, NULL },
	{ "feed:arxiv", NULL, NULL, NULL },
	{ "feed:arxiv diffusion", "\"diffusion\"", NULL, NULL },
	{ "-feed:blog -survey", NULL, "\"survey\"", NULL },
	{ "(feed:x OR y)", NULL, NULL, "top level only" },
	{ "a OR feed:x", NULL, NULL, "top level only" },
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
	{ "NEAR(flow matching)", 0 },	/* the word "near", and a group */
	{ "(flow matching)", 1 },
	{ "a or b", 0 },		/* "or" is a word, and no row has it */
	{ "espresso OR diffusion", 3 },
	{ "(lora OR adapter) -survey", 1 },
	{ "(continual OR diffusion) -survey -lora", 2 },
	{ "title:diffusion", 2 },
	{ "title:teacher", 0 },		/* in the text only */
	{ "author:ruby", 1 },
	{ "author:zoe", 1 },
	{ "tag:cs.LG", 3 },
	{ "tag:cs.LG -title:continual", 2 },
	{ "title:dist*", 1 },
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

/* feed: terms: conditions on the source, not expressions. */
static void
test_feeds(void)
{
	static const struct {
		const char *in, *feeds, *not_feeds, *match;
	} cases[] = {
		{ "feed:arxiv", "arxiv", NULL, NULL },
		{ "feed:arxiv feed:blog", "arxiv\x1f" "blog", NULL, NULL },
		{ "feed:arxiv x -feed:blog", "arxiv", "blog", "\"x\"" },
		{ "FEED:\"lab notes\"", "lab notes", NULL, NULL },
		{ "-feed:a", NULL, "a", NULL },
		{ "feed:a.b-c_d", "a.b-c_d", NULL, NULL },
	};

	for (size_t i = 0; i < NITEMS(cases); i++) {
		struct query q;
		char err[256] = "";

		if (!is_int(0, query_parse(cases[i].in, &q, err, sizeof(err)),
		    "[%s] is accepted", cases[i].in))
			diag("  %s", err);
		is_str(cases[i].feeds, q.feeds, "  from");
		is_str(cases[i].not_feeds, q.not_feeds, "  not from");
		is_str(cases[i].match, q.match, "  match");
		query_clear(&q);
	}
}

/* The other parameters of a feed URL. */
static void
test_params(struct fts *f)
{
	struct query_params pp;
	struct query q;
	char err[256], cur[64];
	const int64_t now = 1800000000;

	memset(&pp, 0, sizeof(pp));
	is_int(0, query_params(&pp, 50, now, &q, err, sizeof(err)),
	    "no parameters at all");
	ok(q.limit == 50 && q.match == NULL && q.feeds == NULL &&
	    q.since == 0 && q.before == 0 && !q.relevance,
	    "  the page size, and no condition");
	query_clear(&q);

	pp.q = "feed:a feed:b x";
	pp.feed = " b , c ,";
	is_int(0, query_params(&pp, 50, now, &q, err, sizeof(err)),
	    "feed= narrows feed: terms");
	ok(q.feeds != NULL && strcmp(q.feeds, "b") == 0 && !q.no_feed,
	    "  to the names in both");
	query_clear(&q);
	pp.feed = "c";
	query_params(&pp, 50, now, &q, err, sizeof(err));
	ok(q.no_feed, "  none in both: no source at all");
	query_clear(&q);
	pp.q = NULL;
	pp.feed = "a,b";
	query_params(&pp, 50, now, &q, err, sizeof(err));
	is_str("a\x1f" "b", q.feeds, "feed= alone: its names");
	query_clear(&q);
	pp.feed = " , ";
	query_params(&pp, 50, now, &q, err, sizeof(err));
	ok(q.feeds == NULL && !q.no_feed, "an empty feed= is no condition");
	query_clear(&q);
	pp.feed = NULL;

	pp.tag = "cs.LG";
	is_int(0, query_params(&pp, 50, now, &q, err, sizeof(err)), "tag=");
	is_str("tags : \"cs.LG\"", q.match, "  a tags filter");
	ok(fts_count(f, f->match, q.match) == 3, "  that finds the 3 rows");
	query_clear(&q);
	pp.q = "-lora";
	query_params(&pp, 50, now, &q, err, sizeof(err));
	is_str("(tags : \"cs.LG\") NOT (\"lora\")", q.match,
	    "tag= with an exclusion-only q");
	ok(q.exclude == NULL && fts_count(f, f->match, q.match) == 2,
	    "  finds 2");
	query_clear(&q);
	pp.q = "flow";
	query_params(&pp, 50, now, &q, err, sizeof(err));
	is_str("(\"flow\") AND tags : \"cs.LG\"", q.match, "tag= and q");
	query_clear(&q);
	pp.q = NULL;
	pp.tag = "\" OR x";
	is_int(0, query_params(&pp, 50, now, &q, err, sizeof(err)),
	    "a tag with a quote");
	ok(q.match != NULL && fts_count(f, f->match, q.match) == 0,
	    "  stays text: %s", q.match ? q.match : "");
	query_clear(&q);
	pp.tag = NULL;

	pp.since = "7d";
	query_params(&pp, 50, now, &q, err, sizeof(err));
	is_int(now - 7 * 86400, q.since, "since=7d");
	query_clear(&q);
	pp.since = "2w";
	query_params(&pp, 50, now, &q, err, sizeof(err));
	is_int(now - 14 * 86400, q.since, "since=2w");
	query_clear(&q);
	pp.since = "2025-03-11T08:00:00Z";
	query_params(&pp, 50, now, &q, err, sizeof(err));
	is_int(1741680000, q.since, "since= an RFC 3339 date");
	query_clear(&q);
	{
		const char *bad[] = { "7", "d", "7x", "-7d", "7d ", "yesterday",
		    "99999999999999999999d", "" };

		for (size_t i = 0; i < NITEMS(bad); i++) {
			pp.since = bad[i];
			err[0] = '\0';
			is_int(-1, query_params(&pp, 50, now, &q, err,
			    sizeof(err)), "since=%s is refused", bad[i]);
			ok(strstr(err, "since:") != NULL, "  %s", err);
		}
	}
	pp.since = NULL;

	{
		const char *good[] = { "1", "500", "42" };
		const int want[] = { 1, 500, 42 };
		const char *bad[] = { "0", "501", "-1", "1e3", "", "ten",
		    "99999999999999999999" };

		for (size_t i = 0; i < NITEMS(good); i++) {
			pp.limit = good[i];
			query_params(&pp, 50, now, &q, err, sizeof(err));
			is_int(want[i], q.limit, "limit=%s", good[i]);
			query_clear(&q);
		}
		for (size_t i = 0; i < NITEMS(bad); i++) {
			pp.limit = bad[i];
			err[0] = '\0';
			is_int(-1, query_params(&pp, 50, now, &q, err,
			    sizeof(err)), "limit=%s is refused", bad[i]);
			ok(strstr(err, "limit:") != NULL, "  %s", err);
		}
	}
	pp.limit = NULL;

	pp.sort = "relevance";
	is_int(-1, query_params(&pp, 50, now, &q, err, sizeof(err)),
	    "sort=relevance without words is refused");
	ok(strstr(err, "needs words") != NULL, "  %s", err);
	pp.q = "diffusion";
	is_int(0, query_params(&pp, 50, now, &q, err, sizeof(err)),
	    "sort=relevance with words");
	ok(q.relevance, "  ranks");
	query_cursor(&q, 0, 20, cur, sizeof(cur));
	query_clear(&q);
	pp.cursor = cur;
	is_int(0, query_params(&pp, 50, now, &q, err, sizeof(err)),
	    "its cursor (%s) is taken back", cur);
	is_int(20, q.offset, "  as an offset");
	query_clear(&q);
	pp.sort = "date";
	is_int(-1, query_params(&pp, 50, now, &q, err, sizeof(err)),
	    "a relevance cursor with sort=date is refused");
	pp.cursor = NULL;
	pp.sort = "newest";
	is_int(-1, query_params(&pp, 50, now, &q, err, sizeof(err)),
	    "sort=newest is refused");
	ok(strstr(err, "sort:") != NULL, "  %s", err);
	pp.sort = NULL;

	memset(&q, 0, sizeof(q));
	query_cursor(&q, 0x1234abcdLL, 50, cur, sizeof(cur));
	pp.cursor = cur;
	is_int(0, query_params(&pp, 50, now, &q, err, sizeof(err)),
	    "a date cursor (%s) is taken back", cur);
	is_int(0x1234abcdLL, q.before, "  as the sort key to go below");
	query_clear(&q);
	{
		const char *bad[] = { "", "d", "dxyz", "d-1", "d0",
		    "d12345678901234567", "r5", "x", "d8000000000000000",
		    "d1 " };

		for (size_t i = 0; i < NITEMS(bad); i++) {
			pp.cursor = bad[i];
			err[0] = '\0';
			is_int(-1, query_params(&pp, 50, now, &q, err,
			    sizeof(err)), "cursor=%s is refused", bad[i]);
			ok(strstr(err, "cursor:") != NULL, "  %s", err);
		}
	}
	pp.cursor = NULL;
	pp.q = "\"open";
	is_int(-1, query_params(&pp, 50, now, &q, err, sizeof(err)),
	    "a bad q is refused by query_params too");
	ok(q.match == NULL && q.feeds == NULL, "  leaving nothing");
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
	test_feeds();
	test_params(&f);
	fts_close(&f);
	return done_testing();
}
