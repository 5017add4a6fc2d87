/*
 * t_store.c - the SQLite store on temporary databases: schema, feeds,
 * commits and their counts, identity, validators, ordering, the FTS5
 * filter, uids, tags and the poll bookkeeping.
 *
 * Columns without a getter are read back with sqlite3 directly.
 */

#include <ctype.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "buf.h"
#include "parse.h"
#include "query.h"
#include "store.h"
#include "tap.h"
#include "util.h"

static char tmpdir[] = "/tmp/t_store.XXXXXX";

/* A path for a database file in the temporary directory. */
static const char *
dbpath(const char *name)
{
	static char path[sizeof(tmpdir) + 64];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

static void
remove_db(const char *name)
{
	char p[sizeof(tmpdir) + 80];

	snprintf(p, sizeof(p), "%s", dbpath(name));
	unlink(p);
	snprintf(p, sizeof(p), "%s-wal", dbpath(name));
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", dbpath(name));
	unlink(p);
	snprintf(p, sizeof(p), "%s-journal", dbpath(name));
	unlink(p);
}

/* Builds documents by hand; everything is heap so feed_doc_free works. */
static struct feed_doc *
doc_new(const char *title)
{
	struct feed_doc *d = xcalloc(1, sizeof(*d));

	d->format = "rss2.0";
	d->title = title ? xstrdup(title) : NULL;
	d->updated = DATE_NONE;
	return d;
}

static struct entry *
doc_add(struct feed_doc *d, const char *id, const char *title,
    const char *link, const char *summary, int64_t published, int64_t updated)
{
	struct entry *e;

	d->entries = xrealloc(d->entries, (d->nentries + 1) *
	    sizeof(*d->entries));
	e = &d->entries[d->nentries++];
	memset(e, 0, sizeof(*e));
	e->id = id ? xstrdup(id) : NULL;
	e->title = title ? xstrdup(title) : NULL;
	e->link = link ? xstrdup(link) : NULL;
	e->summary = summary ? xstrdup(summary) : NULL;
	e->published = published;
	e->updated = updated;
	return e;
}

static void
entry_set(char **slot, const char *v)
{
	free(*slot);
	*slot = v ? xstrdup(v) : NULL;
}

static void
entry_cat(struct entry *e, const char *cat)
{
	e->categories = xrealloc(e->categories, (e->ncategories + 1) *
	    sizeof(char *));
	e->categories[e->ncategories++] = xstrdup(cat);
}

/* One integer from a query on a separate connection; -999 on error. */
static long long
sql_int(const char *db, const char *q, long long arg)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	long long v = -999;

	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		sqlite3_close(h);
		return v;
	}
	if (sqlite3_prepare_v2(h, q, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_bind_parameter_count(st) > 0)
			sqlite3_bind_int64(st, 1, arg);
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_type(st, 0) == SQLITE_NULL ? -1 :
			    sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	} else
		diag("sql: %s", sqlite3_errmsg(h));
	sqlite3_close(h);
	return v;
}

/* One text value (new, or NULL); "<err>" on error. */
static char *
sql_text(const char *db, const char *q, long long arg)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	char *v = xstrdup("<err>");

	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		sqlite3_close(h);
		return v;
	}
	if (sqlite3_prepare_v2(h, q, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_bind_parameter_count(st) > 0)
			sqlite3_bind_int64(st, 1, arg);
		if (sqlite3_step(st) == SQLITE_ROW) {
			const unsigned char *t = sqlite3_column_text(st, 0);

			free(v);
			v = t ? xstrdup((const char *)t) : NULL;
		}
		sqlite3_finalize(st);
	} else
		diag("sql: %s", sqlite3_errmsg(h));
	sqlite3_close(h);
	return v;
}

/* Runs statements on a separate connection; 0 or -1 (and a diag). */
static int
sql_exec(const char *db, const char *q)
{
	sqlite3 *h;
	char *msg = NULL;
	int rc = -1;

	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
	    sqlite3_exec(h, q, NULL, NULL, &msg) == SQLITE_OK)
		rc = 0;
	else
		diag("sql: %s", msg ? msg : sqlite3_errmsg(h));
	sqlite3_free(msg);
	sqlite3_close(h);
	return rc;
}

static int
commit(struct store *s, int64_t feed, const struct feed_doc *d, int64_t now,
    struct poll_counts *c)
{
	char err[256] = "";
	int rc;

	rc = store_feed_commit(s, feed, d, NULL, now, c, err, sizeof(err));
	if (rc != 0)
		diag("commit: %s", err);
	return rc;
}

static int
counts_are(const struct poll_counts *c, int n, int u, int same)
{
	if (c->new == n && c->updated == u && c->unchanged == same)
		return 1;
	diag("  counts: new %d, updated %d, unchanged %d", c->new, c->updated,
	    c->unchanged);
	return 0;
}

/* The items matching q (all when q is NULL), as a new array. */
static struct item *
items(struct store *s, const char *q, int limit, size_t *n)
{
	struct query qq;
	struct item *it = NULL;
	char err[256] = "";

	*n = 0;
	if (query_parse(q, &qq, err, sizeof(err)) == -1) {
		diag("query_parse(%s): %s", q, err);
		return NULL;
	}
	qq.limit = limit;
	if (store_items(s, &qq, &it, n, err, sizeof(err)) == -1) {
		diag("store_items(%s): %s", q ? q : "NULL", err);
		*n = 0;
		it = NULL;
	}
	query_clear(&qq);
	return it;
}

/* The titles of the items matching q, sorted, joined by '|'. */
static char *
titles(struct store *s, const char *q)
{
	size_t n;
	struct item *it = items(s, q, 100, &n);
	struct buf b = { 0 };
	const char *t[100];

	for (size_t i = 0; i < n && i < 100; i++)
		t[i] = it[i].title ? it[i].title : "(null)";
	/* A tiny insertion sort: order is tested elsewhere. */
	for (size_t i = 1; i < n && i < 100; i++)
		for (size_t j = i; j > 0 && strcmp(t[j - 1], t[j]) > 0; j--) {
			const char *x = t[j];

			t[j] = t[j - 1];
			t[j - 1] = x;
		}
	buf_puts(&b, "");
	for (size_t i = 0; i < n && i < 100; i++) {
		if (i > 0)
			buf_puts(&b, "|");
		buf_puts(&b, t[i]);
	}
	store_items_free(it, n);
	return buf_steal(&b);
}

static void
is_titles(struct store *s, const char *q, const char *want)
{
	char *got = titles(s, q);

	is_str(want, got, "q=%s", q);
	free(got);
}

/* urn:uuid:xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx, lower-case hex. */
static int
is_uuid_urn(const char *u)
{
	static const char pat[] = "urn:uuid:hhhhhhhh-hhhh-4hhh-Vhhh-"
	    "hhhhhhhhhhhh";

	if (u == NULL || strlen(u) != sizeof(pat) - 1)
		return 0;
	for (size_t i = 0; pat[i] != '\0'; i++) {
		if (pat[i] == 'h') {
			if (!isxdigit((unsigned char)u[i]) ||
			    isupper((unsigned char)u[i]))
				return 0;
		} else if (pat[i] == 'V') {
			if (strchr("89ab", u[i]) == NULL)
				return 0;
		} else if (pat[i] != u[i])
			return 0;
	}
	return 1;
}

static void
test_open(void)
{
	char err[256] = "";
	struct store *s;
	const char *db = dbpath("open.db");

	s = store_open(db, err, sizeof(err));
	if (!ok(s != NULL, "store_open creates a database (%s)", err))
		return;
	ok(store_ping(s) == 0, "store_ping answers");
	is_int(8, sql_int(db, "PRAGMA user_version", 0),
	    "schema version is the newest (8)");
	is_int(16, sql_int(db, "SELECT v FROM entries_fts_config WHERE k = "
	    "'automerge'", 0), "the index merges 16 segments at a time");
	is_int(0, sql_int(db, "SELECT count(*) FROM sqlite_master WHERE name = "
	    "'entries_fts' AND sql LIKE '%prefix%'", 0),
	    "and has no prefix indexes (schema 6)");
	is_int(3, sql_int(db, "SELECT count(*) FROM sqlite_master WHERE name "
	    "IN ('feeds', 'entries', 'entries_fts')", 0),
	    "feeds, entries and the FTS index exist");
	store_close(s);
	s = store_open(db, err, sizeof(err));
	ok(s != NULL, "reopening works (%s)", err);
	is_int(8, sql_int(db, "PRAGMA user_version", 0),
	    "still version 8 after reopening");
	store_close(s);
	store_close(NULL);
	ok(1, "store_close(NULL) is a no-op");

	memset(err, 0, sizeof(err));
	s = store_open("/nonexistent-sluice-dir/sub/x.db", err, sizeof(err));
	ok(s == NULL, "a path in a missing directory fails");
	ok(*err != '\0', "with an error message (%s)", err);
	store_close(s);
	remove_db("open.db");
}

/* Writes len bytes of data to path (a new file). */
static void
put_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0)
		diag("cannot write %s", path);
}

/*
 * HOSTILE row 61: a store that is not whole is refused at open, never made
 * anew; damage inside its pages is found by store_check.
 */
static void
test_corrupt(void)
{
	char err[256] = "", path[sizeof(tmpdir) + 80];
	struct store *s;
	struct buf good = { 0 };
	sqlite3 *db = NULL;
	int64_t f = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "%s", dbpath("whole.db"));
	s = store_open(path, err, sizeof(err));
	if (!ok(s != NULL, "row 61: a store to damage (%s)", err))
		return;
	store_feed_ensure(s, "f", "https://f.example/feed", NULL, &f);
	for (int i = 0; i < 300; i++) {
		char name[16];

		snprintf(name, sizeof(name), "g%d", i);
		store_feed_ensure(s, name, "https://g.example/feed", NULL, &f);
	}
	ok(store_check(s, err, sizeof(err)) == 0, "  store_check: a whole "
	    "store passes (%s)", err);
	store_close(s);		/* checkpointed: no -wal left */
	tu_read_file(path, &good);

	put_file(dbpath("empty.db"), "", 0);
	s = store_open(dbpath("empty.db"), err, sizeof(err));
	ok(s == NULL && strstr(err, "an empty file, not a database") != NULL,
	    "  an empty file is refused, not made a store: %s", err);
	store_close(s);

	put_file(dbpath("text.db"), "hello, this is not a database at all, "
	    "but long enough to hold a header of one hundred bytes, which it "
	    "does not\n", 108);
	s = store_open(dbpath("text.db"), err, sizeof(err));
	ok(s == NULL && strstr(err, "not a SQLite database") != NULL,
	    "  a file that is not SQLite is refused: %s", err);
	store_close(s);

	put_file(dbpath("cut.db"), good.data, good.len / 2);
	s = store_open(dbpath("cut.db"), err, sizeof(err));
	ok(s == NULL && strstr(err, "truncated") != NULL, "  a store cut "
	    "to half its size is refused: %s", err);
	store_close(s);

	/* Bytes of a table's page overwritten: only a full read sees it. */
	err[0] = '\0';
	put_file(dbpath("flip.db"), good.data, good.len);
	if (sqlite3_open(dbpath("flip.db"), &db) == SQLITE_OK) {
		sqlite3_stmt *st = NULL;
		int page = 0;

		if (sqlite3_prepare_v2(db, "SELECT rootpage FROM sqlite_master "
		    "WHERE name = 'feeds'", -1, &st, NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW)
			page = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
		sqlite3_close(db);
		if ((fp = fopen(dbpath("flip.db"), "r+b")) != NULL) {
			char junk[512];

			/* The root of feeds: its cells are at the page's end. */
			memset(junk, 0xff, sizeof(junk));
			fseek(fp, (long)page * 4096 - (long)sizeof(junk),
			    SEEK_SET);
			fwrite(junk, 1, sizeof(junk), fp);
			fclose(fp);
		}
	}
	s = store_open(dbpath("flip.db"), err, sizeof(err));
	if (ok(s != NULL, "  a store with a damaged page opens (%s)", err)) {
		err[0] = '\0';
		ok(store_check(s, err, sizeof(err)) == -1 && *err != '\0',
		    "  and store_check finds the damage: %s", err);
	}
	store_close(s);
	buf_free(&good);
	remove_db("whole.db");
	remove_db("empty.db");
	remove_db("text.db");
	remove_db("cut.db");
	remove_db("flip.db");
}

static void
test_feeds_and_commits(void)
{
	char err[256] = "";
	const char *db = dbpath("commit.db");
	struct store *s = store_open(db, err, sizeof(err));
	struct feed_doc *d;
	struct poll_counts c;
	int64_t a = 0, a2 = 0, b = 0, other;
	char *uid1, *uid2, *v;

	if (!ok(s != NULL, "open commit.db (%s)", err))
		return;
	ok(store_feed_ensure(s, "alpha", "https://a.example/feed", NULL,
	    &a) == 0 && a > 0, "store_feed_ensure makes a feed");
	ok(store_feed_ensure(s, "alpha", "https://a.example/new", "Alpha!",
	    &a2) == 0, "store_feed_ensure again");
	is_int(a, a2, "same name, same id");
	v = sql_text(db, "SELECT url || ' ' || conf_title FROM feeds "
	    "WHERE id = ?1", a);
	is_str("https://a.example/new Alpha!", v,
	    "url and configured title updated in place");
	free(v);
	ok(store_feed_ensure(s, "beta", "https://b.example/feed", NULL,
	    &b) == 0 && b != a, "another name, another id");
	is_int(2, sql_int(db, "SELECT count(*) FROM feeds", 0),
	    "two feed rows");
	{
		/* data_version moves when another connection commits. */
		sqlite3 *h;
		sqlite3_stmt *dv;
		int before = -1, same = -2, changed = -3;

		sqlite3_open(db, &h);
		sqlite3_prepare_v2(h, "PRAGMA data_version", -1, &dv, NULL);
		if (sqlite3_step(dv) == SQLITE_ROW)
			before = sqlite3_column_int(dv, 0);
		sqlite3_reset(dv);
		store_feed_ensure(s, "beta", "https://b.example/feed", NULL,
		    &other);
		if (sqlite3_step(dv) == SQLITE_ROW)
			same = sqlite3_column_int(dv, 0);
		sqlite3_reset(dv);
		store_feed_ensure(s, "beta", "https://b.example/feed", "B",
		    &other);
		if (sqlite3_step(dv) == SQLITE_ROW)
			changed = sqlite3_column_int(dv, 0);
		sqlite3_finalize(dv);
		sqlite3_close(h);
		is_int(before, same, "a feed as configured before is read, "
		    "not written");
		ok(changed != same, "a changed title is written");
		store_feed_ensure(s, "beta", "https://b.example/feed", NULL,
		    &other);
	}

	/* guid; link only; neither (hash). */
	d = doc_new("Alpha feed");
	doc_add(d, "g1", "One", "https://a.example/1", "first", 1000,
	    DATE_NONE);
	doc_add(d, NULL, "Two", "https://a.example/2", "second", 2000,
	    DATE_NONE);
	doc_add(d, NULL, "Three", NULL, "third", 3000, DATE_NONE);
	ok(commit(s, a, d, 10000, &c) == 0, "first commit");
	ok(counts_are(&c, 3, 0, 0), "3 new");
	ok(commit(s, a, d, 10100, &c) == 0, "same document again");
	ok(counts_are(&c, 0, 0, 3), "3 unchanged");
	ok(commit(s, a, d, 10200, &c) == 0 && counts_are(&c, 0, 0, 3),
	    "and again: still 3 unchanged");

	uid1 = sql_text(db, "SELECT uid FROM entries WHERE guid = 'g1'", 0);
	entry_set(&d->entries[0].title, "One, edited");
	ok(commit(s, a, d, 10300, &c) == 0 && counts_are(&c, 0, 1, 2),
	    "edited title: 1 updated, 2 unchanged");
	is_int(3, sql_int(db, "SELECT count(*) FROM entries", 0),
	    "no entry added by the edit");
	v = sql_text(db, "SELECT title FROM entries WHERE guid = 'g1'", 0);
	is_str("One, edited", v, "title changed in place");
	free(v);
	uid2 = sql_text(db, "SELECT uid FROM entries WHERE guid = 'g1'", 0);
	is_str(uid1, uid2, "uid unchanged by the edit");
	free(uid1);
	free(uid2);
	is_int(10300, sql_int(db, "SELECT updated FROM entries WHERE guid = "
	    "'g1'", 0), "an edit without a feed date moves updated to now");
	ok(commit(s, a, d, 10400, &c) == 0 && counts_are(&c, 0, 0, 3),
	    "the edited document again: unchanged");

	/* Identity: guid wins over link, link over the hash. */
	entry_set(&d->entries[0].link, "https://a.example/1-moved");
	ok(commit(s, a, d, 10500, &c) == 0 && counts_are(&c, 0, 1, 2),
	    "same guid, new link: updated, not new");
	entry_set(&d->entries[1].title, "Two, edited");
	ok(commit(s, a, d, 10600, &c) == 0 && counts_are(&c, 0, 1, 2),
	    "no guid, same link, new title: updated");
	entry_set(&d->entries[2].summary, "third, edited");
	ok(commit(s, a, d, 10700, &c) == 0 && counts_are(&c, 1, 0, 2),
	    "neither guid nor link: a changed summary is a new entry (hash)");
	is_int(4, sql_int(db, "SELECT count(*) FROM entries", 0),
	    "4 rows now");
	feed_doc_free(d);

	/* Two entries with the same link but distinct guids are distinct. */
	d = doc_new(NULL);
	doc_add(d, "gx", "X", "https://b.example/same", NULL, 5000, DATE_NONE);
	doc_add(d, "gy", "Y", "https://b.example/same", NULL, 5001, DATE_NONE);
	ok(commit(s, b, d, 11000, &c) == 0 && counts_are(&c, 2, 0, 0),
	    "same link, different guids: two entries");
	/* The same links in another feed: sources of the same stories. */
	ok(commit(s, a, d, 11000, &c) == 0 && counts_are(&c, 0, 0, 0) &&
	    c.duplicate == 2, "the same links in another feed are new "
	    "sources of the same two stories");
	is_int(2, sql_int(db, "SELECT count(DISTINCT CASE story WHEN 0 "
	    "THEN id ELSE story END) FROM entries "
	    "WHERE guid IN ('gx', 'gy')", 0), "two stories, four rows");
	feed_doc_free(d);

	/* A duplicate guid inside one document. */
	ok(store_feed_ensure(s, "dup", "https://d.example/", NULL, &other) ==
	    0, "feed dup");
	d = doc_new(NULL);
	doc_add(d, "g5", "Five, first", "https://d.example/5", NULL, 7000,
	    DATE_NONE);
	doc_add(d, "g6", "Six", "https://d.example/6", NULL, 6000, DATE_NONE);
	doc_add(d, "g5", "Five, second", "https://d.example/5b", NULL, 5000,
	    DATE_NONE);
	ok(commit(s, other, d, 12000, &c) == 0,
	    "a duplicate guid does not abort the batch");
	is_int(2, sql_int(db, "SELECT count(*) FROM entries WHERE feed = ?1",
	    other), "two entries stored: g5 once, and g6");
	is_int(2, c.new, "2 new");
	v = sql_text(db, "SELECT title FROM entries WHERE guid = 'g5'", 0);
	is_str("Five, first", v, "the first occurrence in the document wins");
	free(v);
	ok(commit(s, other, d, 12100, &c) == 0 && counts_are(&c, 0, 0, 2),
	    "the same document again changes nothing");
	is_int(1, sql_int(db, "SELECT version FROM entries WHERE guid = 'g5'",
	    0), "the duplicate does not churn the entry");
	feed_doc_free(d);

	/* A document with no entries commits fine. */
	d = doc_new("Empty");
	ok(commit(s, b, d, 13000, &c) == 0 && counts_are(&c, 0, 0, 0),
	    "an empty document commits");
	feed_doc_free(d);

	/* A commit for a feed that does not exist fails and rolls back. */
	d = doc_new(NULL);
	doc_add(d, "orphan", "Orphan", NULL, NULL, 1, DATE_NONE);
	ok(store_feed_commit(s, 999999, d, NULL, 14000, &c, err,
	    sizeof(err)) == -1, "commit to an unknown feed fails (%s)", err);
	is_int(0, sql_int(db, "SELECT count(*) FROM entries WHERE guid = "
	    "'orphan'", 0), "and leaves nothing behind");
	feed_doc_free(d);
	ok(store_ping(s) == 0, "the store still answers");

	store_close(s);
	remove_db("commit.db");
}

static void
test_validators_and_status(void)
{
	char err[256] = "";
	const char *db = dbpath("status.db");
	struct store *s = store_open(db, err, sizeof(err));
	struct validators v = { 0 };
	struct feed_memory m;
	struct feed_status st;
	struct feed_doc *d;
	struct poll_counts c;
	int64_t f = 0, g = 0;
	char *t;

	if (!ok(s != NULL, "open status.db (%s)", err))
		return;
	store_feed_ensure(s, "f", "https://f.example/feed.xml", NULL, &f);
	ok(store_feed_load(s, f, &m) == 0 && m.etag == NULL &&
	    m.last_modified == NULL && m.next_poll == 0 && !m.gone &&
	    strcmp(m.url, "https://f.example/feed.xml") == 0,
	    "a new feed: its URL, no validators, due now");
	feed_memory_clear(&m);

	d = doc_new("F's own title");
	d->link = xstrdup("https://f.example/");
	doc_add(d, "x", "X", NULL, NULL, 100, DATE_NONE);
	v.etag = xstrdup("W/\"abc\"");
	v.last_modified = xstrdup("Tue, 11 Mar 2025 08:00:00 GMT");
	ok(store_feed_commit(s, f, d, &v, 5000, &c, err, sizeof(err)) == 0,
	    "commit with validators");
	ok(store_feed_load(s, f, &m) == 0, "load");
	is_str("W/\"abc\"", m.etag, "etag saved");
	is_str("Tue, 11 Mar 2025 08:00:00 GMT", m.last_modified,
	    "last_modified saved");
	feed_memory_clear(&m);
	ok(m.etag == NULL && m.url == NULL, "feed_memory_clear empties");
	t = sql_text(db, "SELECT title || ' ' || link FROM feeds WHERE id = ?1",
	    f);
	is_str("F's own title https://f.example/", t, "the feed's title, link");
	free(t);

	/* A poll's status, as the poller records it. */
	memset(&st, 0, sizeof(st));
	st.id = f;
	st.state = "error";
	st.http_status = 503;
	st.error = "HTTP 503";
	st.error_class = "http";
	st.attempt = 6000;
	st.next_poll = 6600;
	st.consecutive_errors = 1;
	st.bytes = 12;
	st.interval = 1800;
	st.moved_to = "https://g.example/feed.xml";
	st.moved_count = 2;
	ok(store_feed_status(s, &st, NULL) == 0, "store_feed_status");
	t = sql_text(db, "SELECT state || ' ' || http_status || ' ' || error ||"
	    " ' ' || error_class || ' ' || last_attempt || ' ' || "
	    "coalesce(last_success, 'NULL') || ' ' || next_poll || ' ' || "
	    "consecutive_errors || ' ' || bytes || ' ' || interval || ' ' || "
	    "moved_to || ' ' || moved_count FROM feeds JOIN polls ON feed = id"
	    " WHERE id = ?1", f);
	is_str("error 503 HTTP 503 http 6000 NULL 6600 1 12 1800 "
	    "https://g.example/feed.xml 2", t, "every column recorded");
	free(t);
	ok(store_feed_load(s, f, &m) == 0 && m.next_poll == 6600 &&
	    m.consecutive_errors == 1 && m.moved_count == 2 &&
	    strcmp(m.moved_to, "https://g.example/feed.xml") == 0,
	    "and read back by the poller");
	feed_memory_clear(&m);
	ok(store_feed_open(s, "f", "https://f.example/feed.xml", NULL, &g,
	    &m) == 0 && g == f && m.next_poll == 6600 && m.consecutive_errors ==
	    1 && strcmp(m.url, "https://f.example/feed.xml") == 0,
	    "store_feed_open: the row and its memory in one statement");
	feed_memory_clear(&m);

	memset(&st, 0, sizeof(st));
	st.id = f;
	st.state = "ok";
	st.http_status = 301;
	st.attempt = 7000;
	st.success = 1;
	st.next_poll = 8800;
	st.new_entries = 3;
	st.url = "https://g.example/feed.xml";
	ok(store_feed_status(s, &st, NULL) == 0, "a success that moves the feed");
	t = sql_text(db, "SELECT url || ' ' || conf_url || ' ' || "
	    "last_success || ' ' || coalesce(error, 'NULL') || ' ' || "
	    "new_entries FROM feeds JOIN polls ON feed = id WHERE id = ?1", f);
	is_str("https://g.example/feed.xml https://f.example/feed.xml 7000 "
	    "NULL 3", t, "the URL moves, the configured one stays");
	free(t);
	/*
	 * The same outcome again (a 304 after a 304): the times move, the
	 * feeds row is not rewritten.  The memory that tells comes from the
	 * store (a restart does not rewrite every row either).
	 */
	sql_exec(db, "CREATE TABLE writes (n INTEGER);"
	    "INSERT INTO writes VALUES (0);"
	    "CREATE TRIGGER feeds_written AFTER UPDATE ON feeds BEGIN"
	    " UPDATE writes SET n = n + 1; END;");
	ok(store_feed_load(s, f, &m) == 0 && m.outcome != 0,
	    "the memory knows the last outcome written");
	st.attempt = 7100;
	st.next_poll = 8900;
	ok(store_feed_status(s, &st, &m) == 0, "the same outcome again");
	is_int(0, sql_int(db, "SELECT n FROM writes", 0),
	    "does not rewrite the feed's row");
	st.http_status = 304;
	ok(store_feed_status(s, &st, &m) == 0, "a new status");
	is_int(1, sql_int(db, "SELECT n FROM writes", 0), "rewrites it");
	st.attempt = 7200;
	ok(store_feed_status(s, &st, &m) == 0 && sql_int(db,
	    "SELECT n FROM writes", 0) == 1, "and then not again");
	feed_memory_clear(&m);
	ok(store_feed_load(s, f, &m) == 0 && store_feed_status(s, &st, &m) ==
	    0 && sql_int(db, "SELECT n FROM writes", 0) == 1,
	    "nor after a restart");
	feed_memory_clear(&m);
	sql_exec(db, "DROP TRIGGER feeds_written; DROP TABLE writes;");
	t = sql_text(db, "SELECT last_attempt || ' ' || last_success || ' ' ||"
	    " next_poll FROM polls WHERE feed = ?1", f);
	is_str("7200 7200 8900", t, "its times recorded");
	free(t);
	store_feed_ensure(s, "f", "https://f.example/feed.xml", NULL, &g);
	ok(g == f && store_feed_load(s, f, &m) == 0 && strcmp(m.url,
	    "https://g.example/feed.xml") == 0, "the same config keeps the "
	    "moved URL");
	feed_memory_clear(&m);
	st.state = "gone";
	ok(store_feed_status(s, &st, NULL) == 0 &&
	    store_feed_load(s, f, &m) == 0 && m.gone, "gone");
	feed_memory_clear(&m);
	store_feed_ensure(s, "f", "https://h.example/new.xml", NULL, &g);
	ok(store_feed_load(s, f, &m) == 0 && strcmp(m.url,
	    "https://h.example/new.xml") == 0 && !m.gone && m.moved_to ==
	    NULL && m.outcome == 0, "a new URL in the config starts the feed "
	    "afresh (its last outcome forgotten)");
	feed_memory_clear(&m);

	/* Several polls in one transaction. */
	ok(store_tx_begin(s) == 0, "store_tx_begin");
	ok(store_feed_commit(s, f, d, NULL, 8000, &c, err, sizeof(err)) == 0,
	    "a commit inside the caller's transaction");
	ok(store_tx_commit(s) == 0, "store_tx_commit");
	ok(store_feed_load(s, f, &m) == 0 && m.etag == NULL,
	    "a 200 without validators drops the old ones");
	feed_memory_clear(&m);

	validators_clear(&v);
	feed_doc_free(d);
	store_close(s);
	remove_db("status.db");
}

/* A database of schema 1, made by the SQL that made it, is upgraded. */
static void
test_migration(void)
{
	char err[256] = "", path[1024], *sqltext;
	const char *db = dbpath("v1.db");
	const char *srcdir = getenv("SRCDIR");
	struct store *s;
	struct feed_memory m;
	struct item *it;
	size_t n;
	struct buf b = { 0 };

	snprintf(path, sizeof(path), "%s/tests/data/schema-v1.sql",
	    srcdir ? srcdir : ".");
	if (!ok(tu_read_file(path, &b) == 0, "read %s", path)) {
		buf_free(&b);
		return;
	}
	sqltext = buf_steal(&b);
	{
		sqlite3 *h;

		sqlite3_open(db, &h);
		ok(sqlite3_exec(h, sqltext, NULL, NULL, NULL) == SQLITE_OK,
		    "a schema-1 database made");
		sqlite3_close(h);
	}
	free(sqltext);
	{
		/* What it logs meanwhile: stderr to a file for the open. */
		char logpath[1100];
		int saved, fd;

		snprintf(logpath, sizeof(logpath), "%s.log", db);
		fflush(stderr);
		saved = dup(2);
		fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd != -1) {
			dup2(fd, 2);
			close(fd);
		}
		s = store_open(db, err, sizeof(err));
		fflush(stderr);
		dup2(saved, 2);
		close(saved);
		buf_reset(&b);
		tu_read_file(logpath, &b);
		ok(b.data != NULL && strstr(b.data, "upgrading from schema 1 "
		    "to 8") != NULL && strstr(b.data, "upgraded to schema 8 "
		    "in ") != NULL, "the upgrade is logged, start and end: %s",
		    b.data ? b.data : "");
		buf_free(&b);
		unlink(logpath);
	}
	if (!ok(s != NULL, "store_open upgrades it (%s)", err))
		return;
	is_int(8, sql_int(db, "PRAGMA user_version", 0), "now schema 8");
	ok(store_feed_load(s, 1, &m) == 0 && strcmp(m.url,
	    "https://old.example/feed.xml") == 0 && m.etag != NULL &&
	    strcmp(m.etag, "\"v1\"") == 0 && m.next_poll == 2000 && !m.gone,
	    "the old feed keeps its URL, validators and schedule");
	feed_memory_clear(&m);
	is_int(1, sql_int(db, "SELECT conf_url = url FROM feeds WHERE id = ?1",
	    1), "its configured URL is its URL");
	it = items(s, "alpha", 10, &n);
	ok(n == 1 && strcmp(it[0].title, "Old entry A") == 0,
	    "old entries are still found by the full-text index");
	store_items_free(it, n);
	it = items(s, NULL, 10, &n);
	is_int(2, (long long)n, "both old entries are there");
	store_items_free(it, n);
	store_close(s);
	remove_db("v1.db");
}

/*
 * A search past its budget is interrupted (store_query_budget): 20,000
 * entries, an exclusion that keeps none of them (every row looked at),
 * a budget of 1 ms; then without a budget the same query answers.
 */
static void
test_query_budget(void)
{
	char err[256] = "", id[32], title[64];
	const char *db = dbpath("budget.db");
	struct store *s = store_open(db, err, sizeof(err));
	struct query q;
	struct item *it = NULL;
	size_t n = 0;
	int64_t f = 0, t0;
	int rc;

	if (!ok(s != NULL, "open budget.db (%s)", err))
		return;
	store_feed_ensure(s, "f", "https://f.example/feed", NULL, &f);
	for (int b = 0; b < 100; b++) {
		struct feed_doc *d = doc_new("F");
		struct poll_counts c;

		for (int i = 0; i < 200; i++) {
			snprintf(id, sizeof(id), "e%d-%d", b, i);
			snprintf(title, sizeof(title), "common word %d %d", b, i);
			doc_add(d, id, title, NULL, NULL, 1700000000 + b * 1000 +
			    i, DATE_NONE);
		}
		commit(s, f, d, 1800000000, &c);
		feed_doc_free(d);
	}
	query_parse("-common", &q, err, sizeof(err));
	q.limit = 50;
	store_items(s, &q, &it, &n, err, sizeof(err));	/* index it all */
	store_items_free(it, n);
	store_query_budget(s, 1);
	t0 = tu_now_ms();
	rc = store_items(s, &q, &it, &n, err, sizeof(err));
	is_int(-2, rc, "a search over 20,000 entries with a 1 ms budget is "
	    "stopped (%lld ms)", (long long)(tu_now_ms() - t0));
	ok(strstr(err, "took longer than 1 ms") != NULL, "  saying so: %s",
	    err);
	store_query_budget(s, 0);
	rc = store_items(s, &q, &it, &n, err, sizeof(err));
	ok(rc == 0 && n == 0, "without a budget it answers (%zu)", n);
	store_items_free(it, n);
	query_clear(&q);
	store_close(s);
	remove_db("budget.db");
}

/* Loads a database made by an older schema from tests/data/NAME. *//* Loads a database made by an older schema from tests/data/NAME. */
static int
load_sql(const char *db, const char *name)
{
	char path[1024];
	const char *srcdir = getenv("SRCDIR");
	struct buf b = { 0 };
	sqlite3 *h;
	int rc;

	snprintf(path, sizeof(path), "%s/tests/data/%s", srcdir ? srcdir :
	    ".", name);
	if (tu_read_file(path, &b) == -1) {
		buf_free(&b);
		return -1;
	}
	sqlite3_open(db, &h);
	rc = sqlite3_exec(h, b.data, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
	if (rc == -1)
		diag("%s: %s", name, sqlite3_errmsg(h));
	sqlite3_close(h);
	buf_free(&b);
	return rc;
}

/* Newest first, ties in any order: each date no later than the last. */
static int
newest_first(const struct item *it, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (it[i].date > it[i - 1].date || it[i].sort >= it[i - 1].sort)
			return 0;
	return 1;
}

/*
 * Schema 7 to 8: keys of 20 bits a second repacked into 4, a second of
 * 20 entries spilling into the next, the order kept, the index rebuilt.
 */
static void
test_migration_v7(void)
{
	char err[256] = "";
	const char *db = dbpath("v7.db");
	struct store *s;
	struct item *it;
	size_t n;

	if (!ok(load_sql(db, "schema-v7.sql") == 0, "a schema-7 database "
	    "made"))
		return;
	is_int(7, sql_int(db, "PRAGMA user_version", 0), "  of version 7");
	s = store_open(db, err, sizeof(err));
	if (!ok(s != NULL, "store_open upgrades it (%s)", err))
		return;
	is_int(8, sql_int(db, "PRAGMA user_version", 0), "now schema 8");
	is_int(25, sql_int(db, "SELECT count(DISTINCT sort) FROM entries", 0),
	    "25 entries, 25 keys");
	is_int(0, sql_int(db, "SELECT count(*) FROM entries WHERE sort < "
	    "date << 4", 0), "no key below its second's first");
	is_int(4, sql_int(db, "SELECT count(*) FROM entries WHERE date = "
	    "1741680000 AND sort >= (1741680000 + 1) << 4", 0),
	    "the 20 entries of one second: 4 spill into the next");
	is_int(1, sql_int(db, "SELECT count(*) FROM entries WHERE date = "
	    "1741680001 AND sort = ((1741680000 + 1) << 4) + 4", 0),
	    "  and the next second's entry comes after them");
	it = items(s, NULL, 50, &n);
	is_int(25, (long long)n, "every entry listed");
	ok(n > 0 && newest_first(it, n) && strcmp(it[0].title,
	    "Late seismic news") == 0 && strcmp(it[n - 1].title,
	    "A day earlier") == 0, "newest first, as before");
	store_items_free(it, n);
	it = items(s, "seismic", 50, &n);
	is_int(22, (long long)n, "the rebuilt index finds the 22 with "
	    "\"seismic\", the queued one too");
	ok(newest_first(it, n), "  newest first");
	store_items_free(it, n);
	is_int(0, sql_int(db, "SELECT count(*) FROM fts_todo", 0),
	    "  and the queue is empty");
	ok(store_check(s, err, sizeof(err)) == 0, "integrity and the index "
	    "check (%s)", err);
	store_close(s);
	remove_db("v7.db");
}

/* Forty entries dated the same second, and more around them, later. */
static void
test_crowded_second(void)
{
	char err[256] = "", id[32];
	const char *db = dbpath("crowd.db");
	struct store *s = store_open(db, err, sizeof(err));
	struct feed_doc *d;
	struct poll_counts c;
	struct item *it;
	size_t n;
	int64_t f = 0;
	const int64_t t = 1741680000;

	if (!ok(s != NULL, "open crowd.db (%s)", err))
		return;
	store_feed_ensure(s, "f", "https://f.example/feed", NULL, &f);
	d = doc_new("F");
	for (int i = 0; i < 40; i++) {
		snprintf(id, sizeof(id), "same-%02d", i);
		doc_add(d, id, id, NULL, NULL, t, DATE_NONE);
	}
	ok(commit(s, f, d, t + 86400, &c) == 0 && c.new == 40, "40 entries "
	    "of one second stored");
	feed_doc_free(d);
	d = doc_new("F");
	doc_add(d, "next", "next", NULL, NULL, t + 1, DATE_NONE);
	doc_add(d, "two", "two", NULL, NULL, t + 2, DATE_NONE);
	doc_add(d, "far", "far", NULL, NULL, t + 10, DATE_NONE);
	doc_add(d, "before", "before", NULL, NULL, t - 1, DATE_NONE);
	for (int i = 40; i < 45; i++) {
		snprintf(id, sizeof(id), "same-%02d", i);
		doc_add(d, id, id, NULL, NULL, t, DATE_NONE);
	}
	ok(commit(s, f, d, t + 86400, &c) == 0 && c.new == 9, "then the "
	    "seconds around it, and 5 more of it (%s)", err);
	feed_doc_free(d);
	is_int(49, sql_int(db, "SELECT count(DISTINCT sort) FROM entries", 0),
	    "49 entries, 49 keys");
	it = items(s, NULL, 100, &n);
	is_int(49, (long long)n, "every one listed");
	/*
	 * 45 keys of one second fill it and the next two: "next" (t + 1)
	 * and "two" (t + 2) come after them, in the order they came.  A
	 * spill shifts entries by the seconds it covers, never more.
	 */
	{
		int close = 1;

		for (size_t i = 1; i < n; i++)
			close &= it[i].sort < it[i - 1].sort &&
			    it[i].date <= it[i - 1].date + 2;
		ok(close, "newest first but for the spill's two seconds");
	}
	is_int(45, sql_int(db, "SELECT count(*) FROM entries WHERE date = "
	    "1741680000 AND sort BETWEEN 1741680000 << 4 AND "
	    "(1741680000 << 4) + 44", 0), "the crowded second's 45 keys in a "
	    "run");
	ok(n == 49 && strcmp(it[0].title, "far") == 0 && strcmp(it[n -
	    1].title, "before") == 0, "  from \"far\" to \"before\"");
	store_items_free(it, n);
	ok(store_check(s, err, sizeof(err)) == 0, "integrity (%s)", err);
	store_close(s);
	remove_db("crowd.db");
}

static void
test_order_and_limit(void)
{
	char err[256] = "";
	const char *db = dbpath("order.db");
	struct store *s = store_open(db, err, sizeof(err));
	struct feed_doc *d;
	struct poll_counts c;
	struct item *it;
	size_t n;
	int64_t f = 0, g = 0;

	if (!ok(s != NULL, "open order.db (%s)", err))
		return;
	store_feed_ensure(s, "f", "https://f.example/feed", "Configured F",
	    &f);
	store_feed_ensure(s, "g", "https://g.example/feed", NULL, &g);
	d = doc_new("F itself");
	doc_add(d, "A", "A", NULL, NULL, 1000, DATE_NONE);
	doc_add(d, "B", "B", NULL, NULL, DATE_NONE, 3000);
	doc_add(d, "C", "C", NULL, NULL, DATE_NONE, DATE_NONE);
	doc_add(d, "D", "D", NULL, NULL, 4000, 500);
	ok(commit(s, f, d, 5000, &c) == 0, "commit f");
	feed_doc_free(d);
	d = doc_new("G itself");
	d->link = xstrdup("https://g.example/");
	d->id = xstrdup("urn:g");
	d->updated = 1900;
	doc_add(d, "E", "E", "https://g.example/e", NULL, 2500, DATE_NONE);
	/* From the future: shown as of when it was first seen. */
	doc_add(d, "F", "F", NULL, NULL, 999999, DATE_NONE);
	ok(commit(s, g, d, 6000, &c) == 0, "commit g");
	feed_doc_free(d);

	it = items(s, NULL, 50, &n);
	if (is_int(6, (long long)n, "all six items")) {
		is_str("F", it[0].title, "1st: published in the future, "
		    "first seen 6000");
		is_str("C", it[1].title, "2nd: no dates, first seen 5000");
		is_str("D", it[2].title, "3rd: published 4000");
		is_str("B", it[3].title, "4th: no published, updated 3000");
		is_str("E", it[4].title, "5th: published 2500 (other feed)");
		is_str("A", it[5].title, "6th: published 1000");
		is_int(4000, it[2].date, "date = published");
		is_int(3000, it[3].date, "date = updated without published");
		is_int(5000, it[1].date, "date = first seen without either");
		is_int(999999, it[0].published, "a date from the future is "
		    "kept as the feed gave it");
		is_int(DATE_NONE, it[3].published, "absent published");
		is_int(500, it[2].updated, "updated kept");
		is_int(DATE_NONE, it[5].updated, "absent updated");
		is_str("Configured F", it[2].feed_title,
		    "configured title wins");
		is_str("G itself", it[4].feed_title,
		    "else the feed's own title");
		is_str("f", it[2].feed_name, "feed name");
		is_str("https://g.example/feed", it[4].feed_url, "feed url");
		is_str("https://g.example/", it[4].feed_link, "feed link");
		is_str("urn:g", it[4].feed_id, "feed id");
		ok(it[2].feed_id == NULL, "no feed id");
		is_int(1900, it[4].feed_updated, "feed updated: its own");
		is_int(5000, it[2].feed_updated, "else the poll's time");
		is_str("https://g.example/e", it[4].link, "item link");
		ok(it[2].link == NULL, "no link");
		ok(it[2].tags == NULL, "no categories, no tags");
		ok(it[2].text == NULL, "no summary or content, no text");
	}
	store_items_free(it, n);

	it = items(s, NULL, 2, &n);
	if (is_int(2, (long long)n, "limit 2"))
		ok(strcmp(it[0].title, "F") == 0 && strcmp(it[1].title,
		    "C") == 0, "limit keeps the newest");
	store_items_free(it, n);

	/*
	 * Row 41: the future entry ranks by when it was first seen, so an
	 * entry published after that goes above it, not below for ever.
	 */
	d = doc_new("F itself");
	doc_add(d, "H", "H", NULL, NULL, 6500, DATE_NONE);
	ok(commit(s, f, d, 7000, &c) == 0, "row 41: commit f at 7000, "
	    "an entry published 6500");
	feed_doc_free(d);
	it = items(s, NULL, 2, &n);
	if (is_int(2, (long long)n, "  two items asked for"))
		ok(strcmp(it[0].title, "H") == 0 && strcmp(it[1].title, "F") ==
		    0, "  it goes above the one dated 999999, first seen 6000 "
		    "(%s, %s)", it[0].title, it[1].title);
	store_items_free(it, n);
	store_items_free(NULL, 0);
	store_close(s);
	remove_db("order.db");
}

/*
 * HOSTILE row 27, in depth: a javascript: link a store holds (written
 * before the parser dropped them) does not leave it.
 */
static void
test_stored_links(void)
{
	char err[256] = "";
	const char *db = dbpath("links.db");
	struct store *s = store_open(db, err, sizeof(err));
	struct feed_doc *d;
	struct poll_counts c;
	struct item *it;
	size_t n;
	int64_t f = 0;

	if (!ok(s != NULL, "open links.db (%s)", err))
		return;
	store_feed_ensure(s, "f", "https://f.example/feed", NULL, &f);
	d = doc_new("F");
	doc_add(d, "A", "A", "javascript:alert(1)", NULL, 1000, DATE_NONE);
	doc_add(d, "B", "B", "https://f.example/b", NULL, 2000, DATE_NONE);
	ok(commit(s, f, d, 5000, &c) == 0, "row 27: a javascript: link "
	    "stored");
	it = items(s, NULL, 10, &n);
	if (ok(n == 2, "  both entries come out")) {
		is_str("https://f.example/b", it[0].link, "  the https link "
		    "with its entry");
		is_str(NULL, it[1].link, "  the javascript: one without it");
	}
	store_items_free(it, n);
	feed_doc_free(d);
	store_close(s);
	remove_db("links.db");
}

static void
test_search(void)
{
	char err[256] = "";
	const char *db = dbpath("search.db");
	struct store *s = store_open(db, err, sizeof(err));
	struct feed_doc *d;
	struct poll_counts c;
	struct entry *e;
	struct item *it;
	size_t n;
	int64_t f = 0;
	int distinct = 1, shaped = 1;

	if (!ok(s != NULL, "open search.db (%s)", err))
		return;
	store_feed_ensure(s, "papers", "https://p.example/", NULL, &f);
	d = doc_new("Papers");
	e = doc_add(d, "s1", "Diffusion models for video",
	    "https://p.example/1", "A survey of rectified flow methods", 100,
	    DATE_NONE);
	entry_set(&e->author, "Ruby Rhod");
	entry_cat(e, "cs.LG");
	entry_cat(e, "stat.ML");
	entry_cat(e, "deep learning");
	doc_add(d, "s2", "Caf\xc3\xa9 culture", "https://p.example/2",
	    "<p><a href='x'>hello</a></p>", 200, DATE_NONE);
	e = doc_add(d, "s3", "Distillation tricks", "https://p.example/3",
	    NULL, 300, DATE_NONE);
	entry_set(&e->content, "<div>knowledge <em>transfer</em> in "
	    "practice</div>");
	doc_add(d, "s4", "Continual learning", "https://p.example/4",
	    "catastrophic forgetting and rectified linear units", 400,
	    DATE_NONE);
	ok(commit(s, f, d, 1000, &c) == 0 && counts_are(&c, 4, 0, 0),
	    "four entries");

	is_titles(s, "diffusion", "Diffusion models for video");
	is_titles(s, "DIFFUSION Video", "Diffusion models for video");
	is_titles(s, "diffusion banana", "");
	is_titles(s, "rectified",
	    "Continual learning|Diffusion models for video");
	is_titles(s, "\"rectified flow\"", "Diffusion models for video");
	is_titles(s, "\"flow rectified\"", "");
	is_titles(s, "rectified -survey", "Continual learning");
	is_titles(s, "-survey",
	    "Caf\xc3\xa9 culture|Continual learning|Distillation tricks");
	is_titles(s, "-survey -hello", "Continual learning|Distillation tricks");
	is_titles(s, "distill*", "Distillation tricks");
	is_titles(s, "distill", "");
	is_titles(s, "cafe", "Caf\xc3\xa9 culture");
	is_titles(s, "CAF\xc3\x89", "Caf\xc3\xa9 culture");
	is_titles(s, "hello", "Caf\xc3\xa9 culture");
	is_titles(s, "href", "");
	is_titles(s, "transfer", "Distillation tricks");
	is_titles(s, "div", "");
	is_titles(s, "ruby", "Diffusion models for video");
	is_titles(s, "stat", "Diffusion models for video");
	is_titles(s, NULL, "Caf\xc3\xa9 culture|Continual learning|"
	    "Diffusion models for video|Distillation tricks");

	it = items(s, "hello", 50, &n);
	if (n == 1)
		is_str("hello", it[0].text, "text is the plain text of summary");
	else
		ok(0, "hello: one item");
	store_items_free(it, n);

	it = items(s, NULL, 50, &n);
	for (size_t i = 0; i < n; i++) {
		if (!is_uuid_urn(it[i].uid)) {
			shaped = 0;
			diag("bad uid %s", it[i].uid ? it[i].uid : "NULL");
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(it[i].uid, it[j].uid) == 0)
				distinct = 0;
	}
	ok(n == 4 && shaped, "uids are urn:uuid: version 4");
	ok(n == 4 && distinct, "uids are distinct");
	for (size_t i = 0; i < n; i++)
		if (strcmp(it[i].title, "Diffusion models for video") == 0)
			is_str("cs.LG\x1fstat.ML\x1f" "deep learning",
			    it[i].tags, "tags come back \\x1f-separated");
	store_items_free(it, n);

	/* The index follows updates. */
	entry_set(&d->entries[0].title, "Flow matching for video");
	entry_set(&d->entries[2].content, "<div>pruning</div>");
	ok(commit(s, f, d, 2000, &c) == 0 && counts_are(&c, 0, 2, 2),
	    "edit two entries");
	is_titles(s, "diffusion", "");
	is_titles(s, "matching", "Flow matching for video");
	is_titles(s, "transfer", "");
	is_titles(s, "pruning", "Distillation tricks");
	is_titles(s, "-matching",
	    "Caf\xc3\xa9 culture|Continual learning|Distillation tricks");

	/* External-content FTS5 consistent with its table. */
	ok(store_check(s, err, sizeof(err)) == 0,
	    "integrity and FTS integrity-check pass (%s)", err);
	feed_doc_free(d);
	store_close(s);
	remove_db("search.db");
}

/*
 * The index follows the table a little behind (schema 4): a commit leaves
 * a backlog, a search indexes it first, and an edit of an entry reaches
 * the index whether or not the entry had been indexed.
 */
static void
test_index_backlog(void)
{
	char err[256] = "";
	const char *db = dbpath("backlog.db");
	struct store *s = store_open(db, err, sizeof(err));
	struct feed_doc *d;
	struct poll_counts c;
	int64_t f = 0;

	if (!ok(s != NULL, "open backlog.db (%s)", err))
		return;
	store_feed_ensure(s, "b", "https://b.example/", NULL, &f);
	d = doc_new("B");
	doc_add(d, "a", "First", NULL, "<p>alpha words</p>", 100, DATE_NONE);
	doc_add(d, "b", "Second", NULL, "beta words", 200, DATE_NONE);
	ok(commit(s, f, d, 1000, &c) == 0 && counts_are(&c, 2, 0, 0),
	    "two entries");
	is_int(2, sql_int(db, "SELECT count(*) FROM fts_todo", 0),
	    "a commit leaves them to the index's backlog");
	is_int(0, sql_int(db, "SELECT count(*) FROM entries_fts_docsize", 0),
	    "nothing indexed yet");

	/* Edited before it was ever indexed: indexed once, as it is now. */
	entry_set(&d->entries[0].summary, "gamma words");
	ok(commit(s, f, d, 2000, &c) == 0 && counts_are(&c, 0, 1, 1),
	    "edit the unindexed entry");
	is_titles(s, "alpha", "");
	is_titles(s, "gamma", "First");
	is_int(2, sql_int(db, "SELECT count(*) FROM entries_fts_docsize", 0),
	    "a search indexed the backlog");
	is_int(0, sql_int(db, "SELECT count(*) FROM fts_todo", 0),
	    "and emptied the queue");

	/* Edited after: the trigger replaces its terms at once. */
	entry_set(&d->entries[1].summary, "epsilon words");
	doc_add(d, "c", "Third", NULL, "delta words", 300, DATE_NONE);
	ok(commit(s, f, d, 3000, &c) == 0 && counts_are(&c, 1, 1, 1),
	    "edit an indexed entry, add one");
	is_int(2, sql_int(db, "SELECT count(*) FROM entries_fts_docsize", 0),
	    "the new one waits");
	is_int(1, store_index(s, 10, err, sizeof(err)),
	    "store_index indexes the one waiting");
	is_int(0, store_index(s, 10, err, sizeof(err)),
	    "and then has nothing to do");
	is_titles(s, "beta", "");
	is_titles(s, "epsilon", "Second");
	is_titles(s, "words", "First|Second|Third");
	ok(store_check(s, err, sizeof(err)) == 0,
	    "the index agrees with the table (%s)", err);
	ok(sql_exec(db, "DELETE FROM entries") == -1,
	    "a connection without sluice_text() cannot delete entries "
	    "behind the index's back");
	feed_doc_free(d);
	store_close(s);
	remove_db("backlog.db");
}

/* store_feeds_open: the whole config in one read of the table. */
static void
test_feeds_open(void)
{
	char err[256] = "";
	const char *db = dbpath("open-many.db");
	struct store *s = store_open(db, err, sizeof(err));
	struct feed_open f[3];
	struct feed_status st;
	int64_t a = 0, b = 0;

	if (!ok(s != NULL, "open open-many.db (%s)", err))
		return;
	store_feed_ensure(s, "a", "https://a.example/", NULL, &a);
	store_feed_ensure(s, "b", "https://b.example/", "B", &b);
	memset(&st, 0, sizeof(st));
	st.id = a;
	st.state = "ok";
	st.next_poll = 4242;
	st.ttl = -1;
	store_feed_status(s, &st, NULL);
	memset(f, 0, sizeof(f));
	f[0].name = "c";
	f[0].url = "https://c.example/";
	f[1].name = "b";
	f[1].url = "https://b.example/moved-in-config";
	f[1].title = "B";
	f[2].name = "a";
	f[2].url = "https://a.example/";
	ok(store_feeds_open(s, f, 3, err, sizeof(err)) == 0,
	    "store_feeds_open (%s)", err);
	is_int(a, f[2].id, "an unchanged feed keeps its id");
	is_int(4242, f[2].mem.next_poll, "and its memory");
	is_int(b, f[1].id, "a feed with a new URL keeps its id");
	is_str("https://b.example/moved-in-config", f[1].mem.url,
	    "and polls the new URL");
	ok(f[0].id > 0 && f[0].id != a && f[0].id != b, "a new feed is made");
	is_int(3, sql_int(db, "SELECT count(*) FROM feeds", 0),
	    "three rows");
	for (int i = 0; i < 3; i++)
		feed_memory_clear(&f[i].mem);
	store_close(s);
	remove_db("open-many.db");
}

/* Across feeds: one story, several sources (SPEC section 5). */
static void
test_stories(void)
{
	char err[256] = "";
	const char *db = dbpath("stories.db");
	struct store *s = store_open(db, err, sizeof(err));
	struct feed_doc *d;
	struct poll_counts c;
	struct item *it;
	size_t n;
	int64_t a = 0, b = 0, x = 0;
	const int64_t day = 86400, t0 = 1700000000;
	char *u1, *u2;

	if (!ok(s != NULL, "open stories.db (%s)", err))
		return;
	store_feed_ensure(s, "a", "https://a.example/", NULL, &a);
	store_feed_ensure(s, "b", "https://b.example/", NULL, &b);
	store_feed_ensure(s, "x", "https://x.example/", NULL, &x);

	d = doc_new("A");
	doc_add(d, "a1", "Diffusion models beat GANs again",
	    "https://news.example/p/1?utm_source=a&utm_medium=rss",
	    "from a", t0, DATE_NONE);
	doc_add(d, "a2", "Rectified flow for protein design, revisited",
	    NULL, "from a, no link", t0 + 10, DATE_NONE);
	doc_add(d, "a3", "Continual learning in the wild: a field study",
	    "https://a.example/3", "from a", t0 + 20, DATE_NONE);
	ok(commit(s, a, d, t0 + 100, &c) == 0 && c.new == 3, "feed a: 3 new");
	feed_doc_free(d);

	d = doc_new("B");
	doc_add(d, "urn:b:1", "Diffusion Models Beat GANs, Again!",
	    "http://NEWS.example:80/p/1/#comments", "from b", t0 + 5,
	    DATE_NONE);
	doc_add(d, "urn:b:2", "Rectified Flow for Protein Design -- Revisited",
	    "https://b.example/2", "from b", t0 + 2 * day, DATE_NONE);
	doc_add(d, "urn:b:3", "Continual learning in the wild: a field study",
	    "https://b.example/3", "from b, ten days later", t0 + 10 * day,
	    DATE_NONE);
	ok(commit(s, b, d, t0 + 11 * day, &c) == 0,
	    "feed b: the same stories and one more");
	ok(c.new == 1 && c.duplicate == 2, "1 new story, 2 new sources "
	    "(new %d, duplicate %d)", c.new, c.duplicate);
	feed_doc_free(d);

	is_int(1, sql_int(db, "SELECT count(DISTINCT CASE story WHEN 0 "
	    "THEN id ELSE story END) FROM entries "
	    "WHERE guid IN ('a1', 'urn:b:1')", 0),
	    "the same canonical link is one story");
	is_int(1, sql_int(db, "SELECT count(DISTINCT CASE story WHEN 0 "
	    "THEN id ELSE story END) FROM entries "
	    "WHERE guid IN ('a2', 'urn:b:2')", 0),
	    "the same normalised title within the window is one story");
	is_int(2, sql_int(db, "SELECT count(DISTINCT CASE story WHEN 0 "
	    "THEN id ELSE story END) FROM entries "
	    "WHERE guid IN ('a3', 'urn:b:3')", 0),
	    "the same title ten days apart is two stories");
	u1 = sql_text(db, "SELECT uid FROM entries WHERE guid = 'a1'", 0);
	u2 = sql_text(db, "SELECT uid FROM entries WHERE guid = 'urn:b:1'", 0);
	is_str(u1, u2, "a story has one uid whichever source");
	free(u1);
	free(u2);
	it = items(s, NULL, 50, &n);
	is_int(4, (long long)n, "the river shows each story once (4)");
	store_items_free(it, n);
	is_titles(s, "diffusion", "Diffusion models beat GANs again");
	is_titles(s, "rectified", "Rectified flow for protein design, "
	    "revisited");
	is_titles(s, "continual", "Continual learning in the wild: a field "
	    "study|Continual learning in the wild: a field study");

	/* Within one feed, the same title and distinct guids: distinct. */
	d = doc_new("X");
	doc_add(d, "x1", "Weekly digest of machine learning", NULL, "one",
	    t0, DATE_NONE);
	doc_add(d, "x2", "Weekly digest of machine learning", NULL, "two",
	    t0 + day, DATE_NONE);
	ok(commit(s, x, d, t0 + 12 * day, &c) == 0 && c.new == 2,
	    "the same title twice in one feed: two entries");
	feed_doc_free(d);
	ok(store_check(s, err, sizeof(err)) == 0, "store_check (%s)", err);
	store_close(s);
	remove_db("stories.db");
}

/* A feed that changes every guid on every poll does not multiply. */
static void
test_guid_churn(void)
{
	char err[256] = "";
	const char *db = dbpath("churn.db");
	struct store *s = store_open(db, err, sizeof(err));
	struct feed_doc *d;
	struct poll_counts c;
	int64_t f = 0;
	char guid[64], *v;

	if (!ok(s != NULL, "open churn.db (%s)", err))
		return;
	store_feed_ensure(s, "churn", "https://c.example/", NULL, &f);
	for (int poll = 0; poll < 5; poll++) {
		d = doc_new("C");
		snprintf(guid, sizeof(guid), "urn:random:%d:1", poll * 7919);
		doc_add(d, guid, "First story of the churning feed",
		    "https://c.example/1", "one", 1000, DATE_NONE);
		snprintf(guid, sizeof(guid), "urn:random:%d:2", poll * 7919);
		doc_add(d, guid, "Second story of the churning feed, no link",
		    NULL, "two", 2000, DATE_NONE);
		ok(commit(s, f, d, 5000 + poll, &c) == 0, "poll %d", poll);
		if (poll == 0)
			ok(c.new == 2 && c.churned == 0, "first poll: 2 new");
		else
			ok(c.new == 0 && c.churned == 2 && c.unchanged == 2,
			    "poll %d: new guids, matched by link and title "
			    "(new %d, churned %d)", poll, c.new, c.churned);
		feed_doc_free(d);
	}
	is_int(2, sql_int(db, "SELECT count(*) FROM entries", 0),
	    "still two entries after five polls");
	is_int(8, sql_int(db, "SELECT churn FROM feeds WHERE id = ?1", f),
	    "the feed is flagged: 8 entries came back under new guids");
	v = store_feeds_json(s, "[\"churn\"]");
	ok(v != NULL && strstr(v, "\"guid_churn\":8") != NULL,
	    "sluice feeds --json shows guid_churn");
	free(v);
	store_close(s);
	remove_db("churn.db");
}

/* Retention makes tombstones that a feed cannot bring back. */
static void
test_retention(void)
{
	char err[256] = "";
	const char *db = dbpath("keep.db");
	struct store *s = store_open(db, err, sizeof(err));
	struct feed_doc *d;
	struct poll_counts c;
	struct item *it;
	size_t n;
	int64_t f = 0;
	const int64_t day = 86400, now = 1700000000;

	if (!ok(s != NULL, "open keep.db (%s)", err))
		return;
	store_retention(s, 30, 3);
	store_feed_ensure(s, "k", "https://k.example/", NULL, &f);
	d = doc_new("K");
	doc_add(d, "k1", "Old one", NULL, "alpha", now - 40 * day, DATE_NONE);
	doc_add(d, "k2", "Two", NULL, "bravo", now - 4 * day, DATE_NONE);
	doc_add(d, "k3", "Three", NULL, "charlie", now - 3 * day - 100,
	    DATE_NONE);
	doc_add(d, "k4", "Four", NULL, "delta", now - 2 * day, DATE_NONE);
	doc_add(d, "k5", "Five", NULL, "echo", now - 1 * day, DATE_NONE);
	ok(commit(s, f, d, now, &c) == 0 && c.new == 5, "five entries");
	it = items(s, NULL, 50, &n);
	is_int(3, (long long)n, "keep_per_feed 3: the newest three shown");
	store_items_free(it, n);
	is_int(5, sql_int(db, "SELECT count(*) FROM entries", 0),
	    "the other two kept as tombstones");
	ok(sql_int(db, "SELECT count(*) FROM entries WHERE gone IS NOT NULL "
	    "AND summary IS NULL AND title IS NULL", 0) == 2,
	    "without their text");
	ok(commit(s, f, d, now + 60, &c) == 0 && c.new == 0 &&
	    c.updated == 0, "the feed lists them again: nothing new");
	it = items(s, NULL, 50, &n);
	is_int(3, (long long)n, "and they stay gone");
	store_items_free(it, n);
	is_titles(s, "bravo", "");
	is_titles(s, "charlie", "Three");

	/* keep_days at its maximum: a horizon before 1970, nothing goes. */
	store_retention(s, 100000, 0);
	is_int(0, store_prune(s, now, 0, err, sizeof(err)),
	    "store_prune, keep_days = 100000: nothing (%s)", err);
	/* keep_days: what is older than 30 days goes. */
	store_retention(s, 3, 0);
	is_int(1, store_prune(s, now, 0, err, sizeof(err)),
	    "store_prune: one more older than 3 days");
	is_titles(s, "charlie", "");
	is_titles(s, "delta", "Four");
	ok(store_check(s, err, sizeof(err)) == 0,
	    "the index agrees after pruning (%s)", err);
	/* A tombstone not listed for 180 days goes too. */
	is_int(0, store_prune(s, now + 200 * day, 0, err, sizeof(err)) ==
	    -1, "store_prune, 200 days later");
	is_int(0, sql_int(db, "SELECT count(*) FROM entries WHERE guid IN "
	    "('k1', 'k2', 'k3')", 0), "old tombstones are dropped");
	feed_doc_free(d);
	store_close(s);
	remove_db("keep.db");
}

/* A tombstone that comes back under a new guid stays a tombstone. */
static void
test_churn_tombstone(void)
{
	char err[256] = "";
	const char *db = dbpath("churn-gone.db");
	struct store *s = store_open(db, err, sizeof(err));
	struct feed_doc *d;
	struct poll_counts c;
	struct item *it;
	size_t n;
	int64_t f = 0;

	if (!ok(s != NULL, "open churn-gone.db (%s)", err))
		return;
	store_retention(s, 0, 1);
	store_feed_ensure(s, "cg", "https://cg.example/", NULL, &f);
	d = doc_new("CG");
	doc_add(d, "new-1", "Newer", "https://cg.example/new", "newer text",
	    2000, DATE_NONE);
	doc_add(d, "old-1", "Older", "https://cg.example/old", "older text",
	    1000, DATE_NONE);
	ok(commit(s, f, d, 5000, &c) == 0 && c.new == 2, "two entries, one "
	    "kept (keep_per_feed 1)");
	entry_set(&d->entries[1].id, "old-2");
	ok(commit(s, f, d, 5100, &c) == 0 && c.churned == 1 && c.new == 0,
	    "the pruned one comes back under a new guid: re-keyed");
	it = items(s, NULL, 50, &n);
	is_int(1, (long long)n, "and it stays gone");
	store_items_free(it, n);
	is_int(1, sql_int(db, "SELECT count(*) FROM entries WHERE key = "
	    "'g:old-2' AND gone IS NOT NULL AND summary IS NULL", 0),
	    "a tombstone under its new key, without its text");
	feed_doc_free(d);
	store_close(s);
	remove_db("churn-gone.db");
}

/*
 * Row 46: an entry pruned by keep_per_feed that its feed goes on listing
 * stays a tombstone as long as it is listed: at 200 days (past the 180 of
 * an unlisted tombstone) it is not let back in as new.
 */
static void
test_tombstone_listed(void)
{
	char err[256] = "";
	const char *db = dbpath("listed.db");
	struct store *s = store_open(db, err, sizeof(err));
	struct feed_doc *d;
	struct poll_counts c;
	struct item *it;
	size_t n;
	int64_t f = 0, t0 = 1700000000, day = 86400;
	int rc;

	if (!ok(s != NULL, "open listed.db (%s)", err))
		return;
	store_retention(s, 0, 1);
	store_feed_ensure(s, "l", "https://l.example/", NULL, &f);
	d = doc_new("L");
	doc_add(d, "new", "Newer", "https://l.example/new", "n", t0 - 10,
	    DATE_NONE);
	doc_add(d, "old", "Older", "https://l.example/old", "o", t0 - 20,
	    DATE_NONE);
	ok(commit(s, f, d, t0, &c) == 0 && c.new == 2, "row 46: two entries, "
	    "one kept (keep_per_feed 1)");
	ok(commit(s, f, d, t0 + 100 * day, &c) == 0 && c.new == 0,
	    "  listed again at 100 days: nothing new");
	ok(store_prune(s, t0 + 200 * day, 0, err, sizeof(err)) >= 0,
	    "  a prune at 200 days (%s)", err);
	rc = commit(s, f, d, t0 + 200 * day + 1, &c);
	ok(rc == 0 && c.new == 0, "  listed again after it: the pruned one "
	    "is not new (%d new)", c.new);
	it = items(s, NULL, 50, &n);
	is_int(1, (long long)n, "  and one entry shows");
	store_items_free(it, n);
	feed_doc_free(d);
	store_close(s);
	remove_db("listed.db");
}

/*
 * store_prune in steps: 50 entries past keep_days, 20 at most a call,
 * oldest first; each step leaves the store sound, and the newer entries
 * are never touched.
 */
static void
test_prune_steps(void)
{
	char err[256] = "", id[16], title[32];
	const char *db = dbpath("steps.db");
	struct store *s = store_open(db, err, sizeof(err));
	struct feed_doc *d;
	struct poll_counts c;
	int64_t f = 0;
	const int64_t day = 86400, now = 1700000000;
	int got[4];

	if (!ok(s != NULL, "open steps.db (%s)", err))
		return;
	store_feed_ensure(s, "p", "https://p.example/", NULL, &f);
	d = doc_new("P");
	for (int i = 0; i < 55; i++) {
		snprintf(id, sizeof(id), "p%d", i);
		snprintf(title, sizeof(title), "Entry %d", i);
		/* 0-49 are 10 to 59 days old, 50-54 a day old. */
		doc_add(d, id, title, NULL, "words", now - (i < 50 ? (59 - i) *
		    day : day), DATE_NONE);
	}
	ok(commit(s, f, d, now, &c) == 0 && c.new == 55, "55 entries");
	store_retention(s, 7, 0);
	for (int k = 0; k < 4; k++)
		got[k] = store_prune(s, now, 20, err, sizeof(err));
	ok(got[0] == 20 && got[1] == 20 && got[2] == 10 && got[3] == 0,
	    "store_prune, 20 a step: 20, 20, 10, then 0 (%d %d %d %d)",
	    got[0], got[1], got[2], got[3]);
	is_int(50, sql_int(db, "SELECT count(*) FROM entries WHERE gone IS "
	    "NOT NULL", 0), "the 50 old ones are tombstones");
	is_int(5, sql_int(db, "SELECT count(*) FROM entries WHERE gone IS "
	    "NULL", 0), "the 5 new ones are not");
	ok(store_check(s, err, sizeof(err)) == 0, "the index agrees (%s)",
	    err);
	store_retention(s, 0, 0);
	feed_doc_free(d);
	store_close(s);
	remove_db("steps.db");
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		ok(0, "mkdtemp");
		return done_testing();
	}
	test_open();
	test_corrupt();
	test_feeds_and_commits();
	test_validators_and_status();
	test_migration();
	test_migration_v7();
	test_crowded_second();
	test_query_budget();
	test_order_and_limit();
	test_stored_links();
	test_search();
	test_index_backlog();
	test_feeds_open();
	test_stories();
	test_guid_churn();
	test_retention();
	test_prune_steps();
	test_churn_tombstone();
	test_tombstone_listed();
	if (rmdir(tmpdir) != 0)
		diag("leftover files in %s", tmpdir);
	return done_testing();
}
