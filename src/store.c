/*
 * store.c - SQLite: schema, migrations, prepared statements, dedup, queries.
 *
 * Every statement is prepared once in store_open and bound; every write runs
 * in BEGIN IMMEDIATE; a feed's poll (entries and validators) is one
 * transaction.  The database runs in WAL mode with synchronous=FULL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "buf.h"
#include "store.h"

/*
 * The full-text index is an external-content FTS5 table over entries,
 * kept in step by triggers: the text lives once, in entries, and every
 * insert, update and delete reaches the index in the same transaction.
 * It indexes the title, the plain text of summary and content (markup
 * would otherwise be searchable: "href" would match every entry), the
 * author and the tags.  unicode61 with remove_diacritics folds case and
 * accents; the prefix indexes make "distill*" cheap.
 */
static const char *const migrations[] = {
	/* 1: the first schema. */
	"CREATE TABLE feeds ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  url TEXT NOT NULL, conf_title TEXT,"
	"  title TEXT, link TEXT, feed_id TEXT, updated INTEGER,"
	"  etag TEXT, last_modified TEXT,"
	"  http_status INTEGER, error TEXT,"
	"  consecutive_errors INTEGER NOT NULL DEFAULT 0,"
	"  last_attempt INTEGER, last_success INTEGER, next_poll INTEGER);"
	"CREATE TABLE entries ("
	"  id INTEGER PRIMARY KEY,"
	"  feed INTEGER NOT NULL REFERENCES feeds(id),"
	"  key TEXT NOT NULL,"
	"  uid TEXT NOT NULL UNIQUE,"
	"  version INTEGER NOT NULL DEFAULT 1,"
	"  guid TEXT, title TEXT, link TEXT, author TEXT,"
	"  summary TEXT, content TEXT, text TEXT, tags TEXT,"
	"  published INTEGER, updated INTEGER,"
	"  first_seen INTEGER NOT NULL, date INTEGER NOT NULL,"
	"  UNIQUE (feed, key));"
	"CREATE INDEX entries_date ON entries(date DESC, id DESC);"
	"CREATE VIRTUAL TABLE entries_fts USING fts5("
	"  title, text, author, tags, content='entries', content_rowid='id',"
	"  tokenize='unicode61 remove_diacritics 2', prefix='2 3');"
	"CREATE TRIGGER entries_ai AFTER INSERT ON entries BEGIN"
	"  INSERT INTO entries_fts(rowid, title, text, author, tags)"
	"  VALUES (new.id, new.title, new.text, new.author, new.tags);"
	"END;"
	"CREATE TRIGGER entries_ad AFTER DELETE ON entries BEGIN"
	"  INSERT INTO entries_fts(entries_fts, rowid, title, text, author,"
	"  tags) VALUES ('delete', old.id, old.title, old.text, old.author,"
	"  old.tags);"
	"END;"
	"CREATE TRIGGER entries_au AFTER UPDATE ON entries BEGIN"
	"  INSERT INTO entries_fts(entries_fts, rowid, title, text, author,"
	"  tags) VALUES ('delete', old.id, old.title, old.text, old.author,"
	"  old.tags);"
	"  INSERT INTO entries_fts(rowid, title, text, author, tags)"
	"  VALUES (new.id, new.title, new.text, new.author, new.tags);"
	"END;",
};
#define SCHEMA_VERSION	((int)(sizeof(migrations) / sizeof(migrations[0])))

enum stmt {
	ST_BEGIN, ST_COMMIT, ST_ROLLBACK,
	ST_FEED_ENSURE, ST_FEED_VALIDATORS, ST_FEED_OK, ST_FEED_UNCHANGED,
	ST_FEED_ERROR, ST_FEED_SCHEDULE, ST_FEED_NEXT, ST_ENTRY_PUT, ST_JSON_PUSH, ST_ITEMS, ST_PING,
	ST_COUNT
};

static const char *const sql[ST_COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_FEED_ENSURE] =
	    "INSERT INTO feeds(name, url, conf_title) VALUES (?1, ?2, ?3)"
	    " ON CONFLICT(name) DO UPDATE SET url = excluded.url,"
	    " conf_title = excluded.conf_title"
	    " RETURNING id",
	[ST_FEED_VALIDATORS] =
	    "SELECT etag, last_modified FROM feeds WHERE id = ?1",
	[ST_FEED_OK] =
	    "UPDATE feeds SET title = ?2, link = ?3, feed_id = ?4, etag = ?5,"
	    " last_modified = ?6, http_status = ?7, error = NULL,"
	    " consecutive_errors = 0, last_attempt = ?8, last_success = ?8,"
	    " updated = coalesce(?9, ?8)"
	    " WHERE id = ?1",
	[ST_FEED_UNCHANGED] =
	    "UPDATE feeds SET http_status = 304, error = NULL,"
	    " consecutive_errors = 0, last_attempt = ?2, last_success = ?2"
	    " WHERE id = ?1",
	[ST_FEED_ERROR] =
	    "UPDATE feeds SET http_status = ?2, error = ?3,"
	    " consecutive_errors = consecutive_errors + 1, last_attempt = ?4"
	    " WHERE id = ?1",
	[ST_FEED_SCHEDULE] = "UPDATE feeds SET next_poll = ?2 WHERE id = ?1",
	[ST_FEED_NEXT] = "SELECT next_poll FROM feeds WHERE id = ?1",
	/*
	 * New entries get a random UUID that never changes; a known one is
	 * rewritten only when something in it changed, and its version
	 * moves: RETURNING version tells new (1), updated (>1) and
	 * unchanged (no row) apart.
	 */
	[ST_ENTRY_PUT] =
	    "INSERT INTO entries(feed, key, uid, guid, title, link, author,"
	    " summary, content, text, tags, published, updated, first_seen,"
	    " date) VALUES (?1, ?2, 'urn:uuid:' || lower(hex(randomblob(4))"
	    " || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)),"
	    " 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) ||"
	    " substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))),"
	    " ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
	    " coalesce(?11, ?12, ?13))"
	    " ON CONFLICT(feed, key) DO UPDATE SET guid = excluded.guid,"
	    " title = excluded.title, link = excluded.link,"
	    " author = excluded.author, summary = excluded.summary,"
	    " content = excluded.content, text = excluded.text,"
	    " tags = excluded.tags, published = excluded.published,"
	    " updated = coalesce(excluded.updated, ?13),"
	    " date = coalesce(excluded.published, excluded.updated,"
	    " entries.first_seen), version = entries.version + 1"
	    " WHERE entries.title IS NOT excluded.title"
	    " OR entries.link IS NOT excluded.link"
	    " OR entries.author IS NOT excluded.author"
	    " OR entries.summary IS NOT excluded.summary"
	    " OR entries.content IS NOT excluded.content"
	    " OR entries.tags IS NOT excluded.tags"
	    " OR entries.published IS NOT excluded.published"
	    " OR (excluded.updated IS NOT NULL"
	    "     AND entries.updated IS NOT excluded.updated)"
	    " RETURNING version",
	[ST_JSON_PUSH] = "SELECT json_insert(coalesce(?1, '[]'), '$[#]', ?2)",
	[ST_ITEMS] =
	    "SELECT e.id, e.uid, f.name, coalesce(f.conf_title, f.title, f.name),"
	    " f.url, f.link, f.feed_id,"
	    " e.title, e.link, e.author, e.text,"
	    " (SELECT group_concat(value, char(31)) FROM json_each(e.tags)),"
	    " e.published,"
	    " e.updated, e.date, coalesce(f.updated, f.last_success, 0)"
	    " FROM entries e JOIN feeds f ON f.id = e.feed"
	    " WHERE (?1 IS NULL OR e.id IN (SELECT rowid FROM entries_fts"
	    "   WHERE entries_fts MATCH ?1))"
	    " AND (?2 IS NULL OR e.id NOT IN (SELECT rowid FROM entries_fts"
	    "   WHERE entries_fts MATCH ?2))"
	    " ORDER BY e.date DESC, e.id DESC LIMIT ?3",
	[ST_PING] = "SELECT count(*) FROM feeds",
};

struct store {
	sqlite3		*db;
	sqlite3_stmt	*st[ST_COUNT];
};

static int
exec(sqlite3 *db, const char *s, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(db, s, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s", msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int
migrate(sqlite3 *db, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int version = 0;
	char pragma[64];

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) !=
	    SQLITE_OK)
		goto fail;
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version > SCHEMA_VERSION) {
		snprintf(err, errlen, "database schema %d is newer than this "
		    "sluice knows (%d)", version, SCHEMA_VERSION);
		return -1;
	}
	for (; version < SCHEMA_VERSION; version++) {
		if (exec(db, "BEGIN IMMEDIATE", err, errlen) == -1)
			return -1;
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d",
		    version + 1);
		if (exec(db, migrations[version], err, errlen) == -1 ||
		    exec(db, pragma, err, errlen) == -1) {
			exec(db, "ROLLBACK", err + strlen(err), 0);
			return -1;
		}
		if (exec(db, "COMMIT", err, errlen) == -1)
			return -1;
	}
	return 0;
fail:
	snprintf(err, errlen, "%s", sqlite3_errmsg(db));
	return -1;
}

struct store *
store_open(const char *path, char *err, size_t errlen)
{
	struct store *s = xcalloc(1, sizeof(*s));
	int i;

	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, s->db ?
		    sqlite3_errmsg(s->db) : "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 5000);
	if (exec(s->db, "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = FULL;"
	    "PRAGMA foreign_keys = ON;", err, errlen) == -1 ||
	    migrate(s->db, err, errlen) == -1)
		goto fail;
	for (i = 0; i < ST_COUNT; i++)
		if (sqlite3_prepare_v3(s->db, sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL) != SQLITE_OK) {
			snprintf(err, errlen, "%s: %s", path,
			    sqlite3_errmsg(s->db));
			goto fail;
		}
	return s;
fail:
	store_close(s);
	return NULL;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close(s->db);
	free(s);
}

/* Runs a statement that returns no row (or whose rows are not wanted). */
static int
run(struct store *s, enum stmt i)
{
	sqlite3_stmt *st = s->st[i];
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void
bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

static void
bind_date(sqlite3_stmt *st, int i, int64_t v)
{
	if (v == DATE_NONE)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}

static char *
column_text(sqlite3_stmt *st, int i)
{
	const unsigned char *v = sqlite3_column_text(st, i);

	return v ? xstrdup((const char *)v) : NULL;
}

static int64_t
column_date(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return DATE_NONE;
	return sqlite3_column_int64(st, i);
}

int
store_feed_ensure(struct store *s, const char *name, const char *url,
    const char *title, int64_t *id)
{
	sqlite3_stmt *st = s->st[ST_FEED_ENSURE];
	int rc;

	bind_text(st, 1, name);
	bind_text(st, 2, url);
	bind_text(st, 3, title);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
store_feed_validators(struct store *s, int64_t feed_id, struct validators *v)
{
	sqlite3_stmt *st = s->st[ST_FEED_VALIDATORS];
	int rc;

	memset(v, 0, sizeof(*v));
	sqlite3_bind_int64(st, 1, feed_id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v->etag = column_text(st, 0);
		v->last_modified = column_text(st, 1);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

void
validators_clear(struct validators *v)
{
	free(v->etag);
	free(v->last_modified);
	v->etag = v->last_modified = NULL;
}

/* FNV-1a, 64 bits: a short stable key for entries with no guid or link. */
static void
hash_key(const struct entry *e, char *out, size_t len)
{
	const char *parts[3] = { e->title, e->summary, e->content };
	uint64_t h = 0xcbf29ce484222325ULL;
	char date[32];

	snprintf(date, sizeof(date), "%lld", (long long)(e->published !=
	    DATE_NONE ? e->published : e->updated));
	for (int i = 0; i < 4; i++) {
		const char *p = i < 3 ? parts[i] : date;

		for (; p != NULL && *p != '\0'; p++) {
			h ^= (unsigned char)*p;
			h *= 0x100000001b3ULL;
		}
		h ^= 0xff;
		h *= 0x100000001b3ULL;
	}
	snprintf(out, len, "h:%016llx", (unsigned long long)h);
}

/* An entry's identity within its feed: guid, else link, else a hash. */
static char *
entry_key(const struct entry *e)
{
	struct buf b = { 0 };
	char h[32];

	if (e->id != NULL && *e->id != '\0' && strlen(e->id) <= 2048)
		buf_printf(&b, "g:%s", e->id);
	else if (e->link != NULL && *e->link != '\0')
		buf_printf(&b, "l:%s", e->link);
	else {
		hash_key(e, h, sizeof(h));
		buf_puts(&b, h);
	}
	return buf_steal(&b);
}

/* The categories as a JSON array, built by SQLite's JSON1. */
static char *
tags_json(struct store *s, const struct entry *e)
{
	sqlite3_stmt *st = s->st[ST_JSON_PUSH];
	char *json = NULL;

	for (size_t i = 0; i < e->ncategories; i++) {
		bind_text(st, 1, json);
		bind_text(st, 2, e->categories[i]);
		if (sqlite3_step(st) == SQLITE_ROW) {
			char *next = column_text(st, 0);

			free(json);
			json = next;
		}
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
	return json;
}

static char *
entry_text(const struct entry *e)
{
	struct buf b = { 0 };
	char *t;

	if (e->summary != NULL) {
		t = html_to_text(e->summary);
		buf_puts(&b, t);
		free(t);
	}
	if (e->content != NULL) {
		t = html_to_text(e->content);
		if (b.len > 0)
			buf_puts(&b, "\n");
		buf_puts(&b, t);
		free(t);
	}
	return b.data ? buf_steal(&b) : NULL;
}

/* An entry's key and its place in the document, for finding repeats. */
struct keyed {
	char	*key;
	size_t	 i;
	int	 dup;
};

static int
keyed_cmp(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c != 0)
		return c;
	return x->i < y->i ? -1 : x->i > y->i;
}

/*
 * The keys of d's entries, NULL where an earlier entry of the document has
 * the same key: feeds do repeat a guid, and the first one wins (else the
 * two would overwrite each other on every poll).  Returns new.
 */
static char **
entry_keys(const struct feed_doc *d)
{
	char **keys = xcalloc(d->nentries + 1, sizeof(*keys));
	struct keyed *k = xcalloc(d->nentries + 1, sizeof(*k));

	for (size_t i = 0; i < d->nentries; i++) {
		keys[i] = k[i].key = entry_key(&d->entries[i]);
		k[i].i = i;
	}
	qsort(k, d->nentries, sizeof(*k), keyed_cmp);
	for (size_t j = 1; j < d->nentries; j++)
		k[j].dup = strcmp(k[j].key, k[j - 1].key) == 0;
	for (size_t j = 1; j < d->nentries; j++)
		if (k[j].dup) {
			free(keys[k[j].i]);
			keys[k[j].i] = NULL;
		}
	free(k);
	return keys;
}

static void
keys_free(char **keys, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
}

static int
entry_put(struct store *s, int64_t feed_id, const struct entry *e,
    const char *key, int64_t now, struct poll_counts *c)
{
	sqlite3_stmt *st = s->st[ST_ENTRY_PUT];
	char *tags = tags_json(s, e);
	char *text = entry_text(e);
	int rc;

	sqlite3_bind_int64(st, 1, feed_id);
	bind_text(st, 2, key);
	bind_text(st, 3, e->id);
	bind_text(st, 4, e->title);
	bind_text(st, 5, e->link);
	bind_text(st, 6, e->author);
	bind_text(st, 7, e->summary);
	bind_text(st, 8, e->content);
	bind_text(st, 9, text);
	bind_text(st, 10, tags);
	bind_date(st, 11, e->published);
	bind_date(st, 12, e->updated);
	sqlite3_bind_int64(st, 13, now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_int64(st, 0) == 1)
			c->new++;
		else
			c->updated++;
		rc = sqlite3_step(st);
	} else if (rc == SQLITE_DONE)
		c->unchanged++;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	free(tags);
	free(text);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
store_feed_commit(struct store *s, int64_t feed_id, const struct feed_doc *d,
    const struct validators *v, int http_status, int64_t now,
    struct poll_counts *c, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->st[ST_FEED_OK];
	char **keys;

	memset(c, 0, sizeof(*c));
	if (run(s, ST_BEGIN) == -1)
		goto fail;
	keys = entry_keys(d);
	/* Oldest first, so that first_seen follows the feed's own order. */
	for (size_t i = d->nentries; i > 0; i--)
		if (keys[i - 1] != NULL && entry_put(s, feed_id,
		    &d->entries[i - 1], keys[i - 1], now, c) == -1) {
			keys_free(keys, d->nentries);
			goto rollback;
		}
	keys_free(keys, d->nentries);
	sqlite3_bind_int64(st, 1, feed_id);
	bind_text(st, 2, d->title);
	bind_text(st, 3, d->link);
	bind_text(st, 4, d->id);
	bind_text(st, 5, v ? v->etag : NULL);
	bind_text(st, 6, v ? v->last_modified : NULL);
	sqlite3_bind_int(st, 7, http_status);
	sqlite3_bind_int64(st, 8, now);
	bind_date(st, 9, d->updated);
	if (run(s, ST_FEED_OK) == -1 || run(s, ST_COMMIT) == -1)
		goto rollback;
	return 0;
rollback:
	snprintf(err, errlen, "%s", sqlite3_errmsg(s->db));
	run(s, ST_ROLLBACK);
	return -1;
fail:
	snprintf(err, errlen, "%s", sqlite3_errmsg(s->db));
	return -1;
}

int
store_feed_unchanged(struct store *s, int64_t feed_id, int64_t now)
{
	sqlite3_stmt *st = s->st[ST_FEED_UNCHANGED];

	sqlite3_bind_int64(st, 1, feed_id);
	sqlite3_bind_int64(st, 2, now);
	return run(s, ST_FEED_UNCHANGED);
}

int
store_feed_error(struct store *s, int64_t feed_id, int http_status,
    const char *error, int64_t now)
{
	sqlite3_stmt *st = s->st[ST_FEED_ERROR];

	sqlite3_bind_int64(st, 1, feed_id);
	if (http_status > 0)
		sqlite3_bind_int(st, 2, http_status);
	bind_text(st, 3, error);
	sqlite3_bind_int64(st, 4, now);
	return run(s, ST_FEED_ERROR);
}

int
store_feed_schedule(struct store *s, int64_t feed_id, int64_t next_poll)
{
	sqlite3_stmt *st = s->st[ST_FEED_SCHEDULE];

	sqlite3_bind_int64(st, 1, feed_id);
	sqlite3_bind_int64(st, 2, next_poll);
	return run(s, ST_FEED_SCHEDULE);
}

int64_t
store_feed_next_poll(struct store *s, int64_t feed_id)
{
	sqlite3_stmt *st = s->st[ST_FEED_NEXT];
	int64_t next = 0;

	sqlite3_bind_int64(st, 1, feed_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		next = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return next;
}

int
store_items(struct store *s, const struct query *q, struct item **out,
    size_t *n, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->st[ST_ITEMS];
	struct item *items = NULL;
	size_t count = 0;
	int rc;

	bind_text(st, 1, q->match);
	bind_text(st, 2, q->exclude);
	sqlite3_bind_int(st, 3, q->limit > 0 ? q->limit : 50);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct item *it;

		items = xrealloc(items, (count + 1) * sizeof(*items));
		it = &items[count++];
		it->id = sqlite3_column_int64(st, 0);
		it->uid = column_text(st, 1);
		it->feed_name = column_text(st, 2);
		it->feed_title = column_text(st, 3);
		it->feed_url = column_text(st, 4);
		it->feed_link = column_text(st, 5);
		it->feed_id = column_text(st, 6);
		it->title = column_text(st, 7);
		it->link = column_text(st, 8);
		it->author = column_text(st, 9);
		it->text = column_text(st, 10);
		it->tags = column_text(st, 11);
		it->published = column_date(st, 12);
		it->updated = column_date(st, 13);
		it->date = sqlite3_column_int64(st, 14);
		it->feed_updated = sqlite3_column_int64(st, 15);
	}
	if (rc != SQLITE_DONE)
		snprintf(err, errlen, "%s", sqlite3_errmsg(s->db));
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		store_items_free(items, count);
		return -1;
	}
	*out = items;
	*n = count;
	return 0;
}

void
store_items_free(struct item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(items[i].uid);
		free(items[i].feed_name);
		free(items[i].feed_title);
		free(items[i].feed_url);
		free(items[i].feed_link);
		free(items[i].feed_id);
		free(items[i].title);
		free(items[i].link);
		free(items[i].author);
		free(items[i].text);
		free(items[i].tags);
	}
	free(items);
}

int
store_ping(struct store *s)
{
	return run(s, ST_PING);
}
