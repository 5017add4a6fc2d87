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
 * The full-text index is an external-content FTS5 table: the text lives
 * once, in entries.  It indexes the title, the plain text of summary and
 * content (markup would otherwise be searchable: "href" would match every
 * entry), the author and the tags.  unicode61 with remove_diacritics folds
 * case and accents; the prefix indexes make "distill*" cheap.
 *
 * Since schema 4 the index follows the table a little behind, not in the
 * same statement: indexing 20,000 abstracts costs several times what
 * storing them does, and a poll should not wait for it.  fts_done.upto is
 * the highest entry id indexed; ids only grow (AUTOINCREMENT), so what is
 * above it is the backlog.  store_index() indexes the backlog in bounded
 * steps (the server runs it when the loop is idle) and every search
 * indexes all of it first, so a search always sees every committed entry.
 * Updates and deletes of indexed rows still reach the index in the same
 * transaction, by triggers.  The plain text is not stored: the view
 * entries_doc computes it with sluice_text(), a function every connection
 * of store_open registers (so a bare sqlite3 shell cannot update or
 * delete entries; it can read them).
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
	/*
	 * 2: what the poller records of every poll.  url is the URL polled,
	 * conf_url the one configured: they differ once a permanent
	 * redirect has been confirmed.
	 */
	"ALTER TABLE feeds ADD COLUMN conf_url TEXT;"
	"UPDATE feeds SET conf_url = url;"
	"ALTER TABLE feeds ADD COLUMN state TEXT NOT NULL DEFAULT 'ok';"
	"ALTER TABLE feeds ADD COLUMN error_class TEXT;"
	"ALTER TABLE feeds ADD COLUMN bytes INTEGER;"
	"ALTER TABLE feeds ADD COLUMN new_entries INTEGER;"
	"ALTER TABLE feeds ADD COLUMN updated_entries INTEGER;"
	"ALTER TABLE feeds ADD COLUMN interval INTEGER;"
	"ALTER TABLE feeds ADD COLUMN moved_to TEXT;"
	"ALTER TABLE feeds ADD COLUMN moved_count INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN ttl INTEGER;"
	"ALTER TABLE feeds ADD COLUMN skip_hours INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN skip_days INTEGER NOT NULL DEFAULT 0;",
	/*
	 * 3: merge the index's segments 16 at a time, not 4: a cold pass
	 * over many feeds commits often, and FTS5's merging was most of
	 * its time (20,000 abstracts: 6.5 s -> 5.4 s).
	 */
	"INSERT INTO entries_fts(entries_fts, rank) VALUES ('automerge', 16);",
	/*
	 * 4: the index off the poll's path (see above); entry ids never
	 * reused; no stored plain text; uid needs no index of its own (it
	 * is random and never looked up).
	 */
	"DROP TRIGGER entries_ai;"
	"DROP TRIGGER entries_ad;"
	"DROP TRIGGER entries_au;"
	"DROP TABLE entries_fts;"
	"CREATE TABLE entries4 ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  feed INTEGER NOT NULL REFERENCES feeds(id),"
	"  key TEXT NOT NULL,"
	"  uid TEXT NOT NULL,"
	"  version INTEGER NOT NULL DEFAULT 1,"
	"  guid TEXT, title TEXT, link TEXT, author TEXT,"
	"  summary TEXT, content TEXT, tags TEXT,"
	"  published INTEGER, updated INTEGER,"
	"  first_seen INTEGER NOT NULL, date INTEGER NOT NULL,"
	"  UNIQUE (feed, key));"
	"INSERT INTO entries4(id, feed, key, uid, version, guid, title, link,"
	"  author, summary, content, tags, published, updated, first_seen,"
	"  date) SELECT id, feed, key, uid, version, guid, title, link,"
	"  author, summary, content, tags, published, updated, first_seen,"
	"  date FROM entries;"
	"DROP TABLE entries;"
	"ALTER TABLE entries4 RENAME TO entries;"
	"CREATE INDEX entries_date ON entries(date DESC, id DESC);"
	"CREATE VIEW entries_doc AS SELECT id, title,"
	"  sluice_text(summary, content) AS text, author, tags FROM entries;"
	"CREATE VIRTUAL TABLE entries_fts USING fts5("
	"  title, text, author, tags, content='entries_doc',"
	"  content_rowid='id',"
	"  tokenize='unicode61 remove_diacritics 2', prefix='2 3');"
	"INSERT INTO entries_fts(entries_fts, rank) VALUES ('automerge', 16);"
	"CREATE TABLE fts_done (one INTEGER PRIMARY KEY CHECK (one = 1),"
	"  upto INTEGER NOT NULL);"
	"INSERT INTO fts_done VALUES (1, 0);"
	"CREATE TRIGGER entries_ad AFTER DELETE ON entries"
	"  WHEN old.id <= (SELECT upto FROM fts_done) BEGIN"
	"  INSERT INTO entries_fts(entries_fts, rowid, title, text, author,"
	"  tags) VALUES ('delete', old.id, old.title,"
	"  sluice_text(old.summary, old.content), old.author, old.tags);"
	"END;"
	"CREATE TRIGGER entries_au AFTER UPDATE OF title, summary, content,"
	"  author, tags ON entries"
	"  WHEN old.id <= (SELECT upto FROM fts_done) BEGIN"
	"  INSERT INTO entries_fts(entries_fts, rowid, title, text, author,"
	"  tags) VALUES ('delete', old.id, old.title,"
	"  sluice_text(old.summary, old.content), old.author, old.tags);"
	"  INSERT INTO entries_fts(rowid, title, text, author, tags)"
	"  VALUES (new.id, new.title, sluice_text(new.summary, new.content),"
	"  new.author, new.tags);"
	"END;",
};
#define SCHEMA_VERSION	((int)(sizeof(migrations) / sizeof(migrations[0])))

enum stmt {
	ST_BEGIN, ST_COMMIT, ST_ROLLBACK, ST_SAVEPOINT, ST_RELEASE,
	ST_ROLLBACK_TO, ST_FEED_FIND, ST_FEED_SCAN, ST_FEED_ENSURE, ST_FEED_LOAD, ST_FEED_OK,
	ST_FEED_STATUS, ST_FEED_RATE, ST_FEEDS_JSON, ST_ENTRY_PUT,
	ST_JSON_PUSH, ST_ITEMS, ST_PING, ST_INDEX_MARK, ST_INDEX_ADD,
	ST_INDEX_DONE, ST_CHECK, ST_FTS_CHECK, ST_COUNT
};

static const char *const sql[ST_COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_SAVEPOINT] = "SAVEPOINT poll",
	[ST_RELEASE] = "RELEASE poll",
	[ST_ROLLBACK_TO] = "ROLLBACK TO poll",
	/*
	 * A configured feed as the config has it already: read, not written
	 * (a start with 10,000 feeds should not rewrite 10,000 rows).
	 */
	[ST_FEED_FIND] =
	    "SELECT id, url, etag, last_modified, moved_to, moved_count,"
	    " next_poll, consecutive_errors, state, coalesce(ttl, -1),"
	    " skip_hours, skip_days FROM feeds"
	    " WHERE name = ?1 AND conf_url IS ?2 AND conf_title IS ?3",
	/* All of them, in the order of strcmp (BINARY collation). */
	[ST_FEED_SCAN] =
	    "SELECT name, conf_url, conf_title,"
	    " id, url, etag, last_modified, moved_to, moved_count,"
	    " next_poll, consecutive_errors, state, coalesce(ttl, -1),"
	    " skip_hours, skip_days FROM feeds ORDER BY name",
	/*
	 * A configured feed: a new URL in the config (not a redirect) starts
	 * it afresh, a gone feed included.
	 */
	[ST_FEED_ENSURE] =
	    "INSERT INTO feeds(name, url, conf_url, conf_title)"
	    " VALUES (?1, ?2, ?2, ?3)"
	    " ON CONFLICT(name) DO UPDATE SET conf_title = excluded.conf_title,"
	    " url = iif(feeds.conf_url IS excluded.conf_url, feeds.url,"
	    "   excluded.url),"
	    " state = iif(feeds.conf_url IS excluded.conf_url, feeds.state,"
	    "   'ok'),"
	    " moved_to = iif(feeds.conf_url IS excluded.conf_url,"
	    "   feeds.moved_to, NULL),"
	    " moved_count = iif(feeds.conf_url IS excluded.conf_url,"
	    "   feeds.moved_count, 0),"
	    " conf_url = excluded.conf_url"
	    " RETURNING id, url, etag, last_modified, moved_to, moved_count,"
	    " next_poll, consecutive_errors, state, coalesce(ttl, -1),"
	    " skip_hours, skip_days",
	[ST_FEED_LOAD] =
	    "SELECT url, etag, last_modified, moved_to, moved_count,"
	    " next_poll, consecutive_errors, state, coalesce(ttl, -1),"
	    " skip_hours, skip_days FROM feeds WHERE id = ?1",
	[ST_FEED_OK] =
	    "UPDATE feeds SET title = ?2, link = ?3, feed_id = ?4, etag = ?5,"
	    " last_modified = ?6, updated = coalesce(?7, ?8)"
	    " WHERE id = ?1",
	[ST_FEED_STATUS] =
	    "UPDATE feeds SET state = ?2, http_status = ?3, error = ?4,"
	    " error_class = ?5, last_attempt = ?6,"
	    " last_success = iif(?7, ?6, last_success), next_poll = ?8,"
	    " consecutive_errors = ?9, bytes = ?10, new_entries = ?11,"
	    " updated_entries = ?12, interval = ?13, moved_to = ?14,"
	    " moved_count = ?15, url = coalesce(?16, url), ttl = ?17,"
	    " skip_hours = ?18, skip_days = ?19"
	    " WHERE id = ?1",
	/* How often it publishes: entries dated in the last four weeks. */
	[ST_FEED_RATE] =
	    "SELECT count(*) / 4.0 FROM entries WHERE feed = ?1"
	    " AND date > ?2 - 28 * 86400",
	[ST_FEEDS_JSON] =
	    "SELECT json_group_array(json(o)) FROM (SELECT"
	    " json_object('name', f.name, 'url', f.url,"
	    " 'config_url', f.conf_url, 'title', coalesce(f.conf_title,"
	    " f.title), 'state', f.state, 'http_status', f.http_status,"
	    " 'last_attempt', strftime('%Y-%m-%dT%H:%M:%SZ', f.last_attempt,"
	    " 'unixepoch'), 'last_success', strftime('%Y-%m-%dT%H:%M:%SZ',"
	    " f.last_success, 'unixepoch'), 'next_poll',"
	    " strftime('%Y-%m-%dT%H:%M:%SZ', f.next_poll, 'unixepoch'),"
	    " 'consecutive_errors', f.consecutive_errors, 'error', f.error,"
	    " 'error_class', f.error_class, 'interval', f.interval,"
	    " 'bytes', f.bytes, 'new', f.new_entries,"
	    " 'updated', f.updated_entries, 'moved_to', f.moved_to,"
	    " 'entries', (SELECT count(*) FROM entries e WHERE e.feed = f.id))"
	    " AS o FROM json_each(?1) AS n JOIN feeds f ON f.name = n.value"
	    " ORDER BY n.key)",
	/*
	 * New entries get a random UUID that never changes; a known one is
	 * rewritten only when something in it changed, and its version
	 * moves: RETURNING version tells new (1), updated (>1) and
	 * unchanged (no row) apart.
	 */
	[ST_ENTRY_PUT] =
	    "INSERT INTO entries(feed, key, uid, guid, title, link, author,"
	    " summary, content, tags, published, updated, first_seen,"
	    " date) VALUES (?1, ?2, 'urn:uuid:' || lower(hex(randomblob(4))"
	    " || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)),"
	    " 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) ||"
	    " substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))),"
	    " ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
	    " coalesce(?10, ?11, ?12))"
	    " ON CONFLICT(feed, key) DO UPDATE SET guid = excluded.guid,"
	    " title = excluded.title, link = excluded.link,"
	    " author = excluded.author, summary = excluded.summary,"
	    " content = excluded.content,"
	    " tags = excluded.tags, published = excluded.published,"
	    " updated = coalesce(excluded.updated, ?12),"
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
	    " e.title, e.link, e.author, sluice_text(e.summary, e.content),"
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
	/* The last id of the next ?1 entries of the backlog. */
	[ST_INDEX_MARK] =
	    "SELECT max(id) FROM (SELECT id FROM entries"
	    " WHERE id > (SELECT upto FROM fts_done) ORDER BY id LIMIT ?1)",
	[ST_INDEX_ADD] =
	    "INSERT INTO entries_fts(rowid, title, text, author, tags)"
	    " SELECT id, title, text, author, tags FROM entries_doc"
	    " WHERE id > (SELECT upto FROM fts_done) AND id <= ?1",
	[ST_INDEX_DONE] = "UPDATE fts_done SET upto = ?1",
	[ST_CHECK] = "PRAGMA integrity_check",
	[ST_FTS_CHECK] =
	    "INSERT INTO entries_fts(entries_fts) VALUES ('integrity-check')",
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

/*
 * sluice_text(summary, content): the plain text of an entry, what the
 * index holds and what the outputs show until HTML is sanitised.
 */
static void
sql_text(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct buf b = { 0 };

	for (int i = 0; i < argc; i++) {
		const unsigned char *v = sqlite3_value_text(argv[i]);
		char *t;

		if (v == NULL)
			continue;
		t = html_to_text((const char *)v);
		if (b.len > 0)
			buf_puts(&b, "\n");
		buf_puts(&b, t);
		free(t);
	}
	if (b.data == NULL)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_text(ctx, b.data, (int)b.len, free);
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
	if (sqlite3_create_function_v2(s->db, "sluice_text", 2, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL, sql_text, NULL, NULL,
	    NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
		goto fail;
	}
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

/* A feed's memory from the columns of st, starting at column i. */
static void
read_memory(sqlite3_stmt *st, int i, struct feed_memory *m)
{
	m->url = column_text(st, i);
	m->etag = column_text(st, i + 1);
	m->last_modified = column_text(st, i + 2);
	m->moved_to = column_text(st, i + 3);
	m->moved_count = sqlite3_column_int(st, i + 4);
	m->next_poll = sqlite3_column_int64(st, i + 5);
	m->consecutive_errors = sqlite3_column_int(st, i + 6);
	m->gone = strcmp((const char *)sqlite3_column_text(st, i + 7),
	    "gone") == 0;
	m->ttl = sqlite3_column_int64(st, i + 8);
	m->skip_hours = (uint32_t)sqlite3_column_int64(st, i + 9);
	m->skip_days = (uint8_t)sqlite3_column_int(st, i + 10);
}

int
store_feed_ensure(struct store *s, const char *name, const char *url,
    const char *title, int64_t *id)
{
	return store_feed_open(s, name, url, title, id, NULL);
}

int
store_feed_open(struct store *s, const char *name, const char *url,
    const char *title, int64_t *id, struct feed_memory *m)
{
	sqlite3_stmt *st;
	int rc;

	if (m != NULL)
		memset(m, 0, sizeof(*m));
	/* Read it as it is; write it only when the config changed it. */
	for (int i = 0; i < 2; i++) {
		st = s->st[i == 0 ? ST_FEED_FIND : ST_FEED_ENSURE];
		bind_text(st, 1, name);
		bind_text(st, 2, url);
		bind_text(st, 3, title);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			*id = sqlite3_column_int64(st, 0);
			if (m != NULL)
				read_memory(st, 1, m);
		}
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		if (rc == SQLITE_ROW)
			return 0;
	}
	return -1;
}

static int
open_cmp(const void *a, const void *b)
{
	const struct feed_open *x = *(const struct feed_open *const *)a;
	const struct feed_open *y = *(const struct feed_open *const *)b;

	return strcmp(x->name, y->name);
}

static int
same_text(const unsigned char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == NULL && b == NULL;
	return strcmp((const char *)a, b) == 0;
}

int
store_feeds_open(struct store *s, struct feed_open *f, size_t n, char *err,
    size_t errlen)
{
	sqlite3_stmt *st = s->st[ST_FEED_SCAN];
	struct feed_open **by_name = xcalloc(n + 1, sizeof(*by_name));
	int rc, ok = 0;

	for (size_t i = 0; i < n; i++) {
		by_name[i] = &f[i];
		f[i].id = 0;
		memset(&f[i].mem, 0, sizeof(f[i].mem));
	}
	if (n > 1)
		qsort(by_name, n, sizeof(*by_name), open_cmp);
	/* One pass over the table, rather than a lookup per feed. */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct feed_open key, *kp = &key, **hit;

		key.name = (const char *)sqlite3_column_text(st, 0);
		hit = bsearch(&kp, by_name, n, sizeof(*by_name), open_cmp);
		if (hit == NULL || !same_text(sqlite3_column_text(st, 1),
		    (*hit)->url) || !same_text(sqlite3_column_text(st, 2),
		    (*hit)->title))
			continue;
		(*hit)->id = sqlite3_column_int64(st, 3);
		read_memory(st, 4, &(*hit)->mem);
	}
	sqlite3_reset(st);
	free(by_name);
	/* New feeds and changed ones: written. */
	for (size_t i = 0; i < n && rc == SQLITE_DONE && ok == 0; i++)
		if (f[i].id == 0)
			ok = store_feed_open(s, f[i].name, f[i].url,
			    f[i].title, &f[i].id, &f[i].mem);
	if (rc == SQLITE_DONE && ok == 0)
		return 0;
	snprintf(err, errlen, "%s", sqlite3_errmsg(s->db));
	return -1;
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
	int rc;

	sqlite3_bind_int64(st, 1, feed_id);
	bind_text(st, 2, key);
	bind_text(st, 3, e->id);
	bind_text(st, 4, e->title);
	bind_text(st, 5, e->link);
	bind_text(st, 6, e->author);
	bind_text(st, 7, e->summary);
	bind_text(st, 8, e->content);
	bind_text(st, 9, tags);
	bind_date(st, 10, e->published);
	bind_date(st, 11, e->updated);
	sqlite3_bind_int64(st, 12, now);
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
	return rc == SQLITE_DONE ? 0 : -1;
}

/* A transaction of its own, or a savepoint within the caller's. */
static int
poll_begin(struct store *s, int *nested)
{
	*nested = !sqlite3_get_autocommit(s->db);
	return run(s, *nested ? ST_SAVEPOINT : ST_BEGIN);
}

static int
poll_end(struct store *s, int nested, int ok)
{
	if (ok)
		return run(s, nested ? ST_RELEASE : ST_COMMIT);
	if (nested) {
		run(s, ST_ROLLBACK_TO);
		run(s, ST_RELEASE);
	} else
		run(s, ST_ROLLBACK);
	return -1;
}

int
store_feed_commit(struct store *s, int64_t feed_id, const struct feed_doc *d,
    const struct validators *v, int64_t now, struct poll_counts *c,
    char *err, size_t errlen)
{
	sqlite3_stmt *st = s->st[ST_FEED_OK];
	char **keys;
	int nested, ok = 1;

	memset(c, 0, sizeof(*c));
	if (poll_begin(s, &nested) == -1) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(s->db));
		return -1;
	}
	keys = entry_keys(d);
	/* Oldest first, so that first_seen follows the feed's own order. */
	for (size_t i = d->nentries; i > 0 && ok; i--)
		if (keys[i - 1] != NULL && entry_put(s, feed_id,
		    &d->entries[i - 1], keys[i - 1], now, c) == -1)
			ok = 0;
	keys_free(keys, d->nentries);
	if (ok) {
		sqlite3_bind_int64(st, 1, feed_id);
		bind_text(st, 2, d->title);
		bind_text(st, 3, d->link);
		bind_text(st, 4, d->id);
		bind_text(st, 5, v ? v->etag : NULL);
		bind_text(st, 6, v ? v->last_modified : NULL);
		bind_date(st, 7, d->updated);
		sqlite3_bind_int64(st, 8, now);
		ok = run(s, ST_FEED_OK) == 0;
	}
	if (!ok)
		snprintf(err, errlen, "%s", sqlite3_errmsg(s->db));
	return poll_end(s, nested, ok);
}

int
store_feed_status(struct store *s, const struct feed_status *f)
{
	sqlite3_stmt *st = s->st[ST_FEED_STATUS];

	sqlite3_bind_int64(st, 1, f->id);
	bind_text(st, 2, f->state);
	if (f->http_status > 0)
		sqlite3_bind_int(st, 3, f->http_status);
	bind_text(st, 4, f->error);
	bind_text(st, 5, f->error_class);
	sqlite3_bind_int64(st, 6, f->attempt);
	sqlite3_bind_int(st, 7, f->success);
	if (f->next_poll > 0)
		sqlite3_bind_int64(st, 8, f->next_poll);
	sqlite3_bind_int(st, 9, f->consecutive_errors);
	sqlite3_bind_int64(st, 10, f->bytes);
	sqlite3_bind_int(st, 11, f->new_entries);
	sqlite3_bind_int(st, 12, f->updated_entries);
	sqlite3_bind_int64(st, 13, f->interval);
	bind_text(st, 14, f->moved_to);
	sqlite3_bind_int(st, 15, f->moved_count);
	bind_text(st, 16, f->url);
	if (f->ttl >= 0)
		sqlite3_bind_int64(st, 17, f->ttl);
	sqlite3_bind_int64(st, 18, f->skip_hours);
	sqlite3_bind_int(st, 19, f->skip_days);
	return run(s, ST_FEED_STATUS);
}

int
store_feed_load(struct store *s, int64_t feed_id, struct feed_memory *m)
{
	sqlite3_stmt *st = s->st[ST_FEED_LOAD];
	int rc;

	memset(m, 0, sizeof(*m));
	sqlite3_bind_int64(st, 1, feed_id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		read_memory(st, 0, m);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

void
feed_memory_clear(struct feed_memory *m)
{
	free(m->url);
	free(m->etag);
	free(m->last_modified);
	free(m->moved_to);
	memset(m, 0, sizeof(*m));
}

double
store_feed_rate(struct store *s, int64_t feed_id, int64_t now)
{
	sqlite3_stmt *st = s->st[ST_FEED_RATE];
	double rate = -1;

	sqlite3_bind_int64(st, 1, feed_id);
	sqlite3_bind_int64(st, 2, now);
	if (sqlite3_step(st) == SQLITE_ROW)
		rate = sqlite3_column_double(st, 0);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rate;
}

char *
store_feeds_json(struct store *s, const char *names)
{
	sqlite3_stmt *st = s->st[ST_FEEDS_JSON];
	char *out = NULL;

	bind_text(st, 1, names);
	if (sqlite3_step(st) == SQLITE_ROW)
		out = column_text(st, 0);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return out;
}

int
store_tx_begin(struct store *s)
{
	return run(s, ST_BEGIN);
}

int
store_tx_commit(struct store *s)
{
	if (run(s, ST_COMMIT) == 0)
		return 0;
	run(s, ST_ROLLBACK);
	return -1;
}





/* Indexes the next at most max entries of the backlog: how many, or -1. */
static int
index_step(struct store *s, int max)
{
	sqlite3_stmt *st = s->st[ST_INDEX_MARK];
	int64_t last = 0;
	int rc, n = 0;

	sqlite3_bind_int(st, 1, max);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		last = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_ROW)
		return -1;
	if (last == 0)
		return 0;
	sqlite3_bind_int64(s->st[ST_INDEX_ADD], 1, last);
	if (run(s, ST_INDEX_ADD) == -1)
		return -1;
	n = sqlite3_changes(s->db);
	sqlite3_bind_int64(s->st[ST_INDEX_DONE], 1, last);
	if (run(s, ST_INDEX_DONE) == -1)
		return -1;
	return n > 0 ? n : 1;
}

int
store_index(struct store *s, int max, char *err, size_t errlen)
{
	int own = sqlite3_get_autocommit(s->db), done = 0, n = 0;

	if (own && run(s, ST_BEGIN) == -1)
		goto fail;
	while ((max <= 0 || done < max) &&
	    (n = index_step(s, max <= 0 ? 1000 : max - done)) > 0)
		done += n;
	if (n == -1) {
		if (own)
			run(s, ST_ROLLBACK);
		goto fail;
	}
	if (own && store_tx_commit(s) == -1)
		goto fail;
	return done;
fail:
	snprintf(err, errlen, "full-text index: %s", sqlite3_errmsg(s->db));
	return -1;
}

int
store_items(struct store *s, const struct query *q, struct item **out,
    size_t *n, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->st[ST_ITEMS];
	struct item *items = NULL;
	size_t count = 0;
	int rc;

	/* A search sees every entry committed: the backlog first. */
	if ((q->match != NULL || q->exclude != NULL) &&
	    store_index(s, 0, err, errlen) == -1)
		return -1;
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
store_check(struct store *s, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->st[ST_CHECK];
	int rc, bad = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (strcmp((const char *)sqlite3_column_text(st, 0), "ok")) {
			if (!bad)
				snprintf(err, errlen, "%s",
				    sqlite3_column_text(st, 0));
			bad = 1;
		}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(s->db));
		return -1;
	}
	if (bad)
		return -1;
	/* The index is checked against the table: no backlog then. */
	if (store_index(s, 0, err, errlen) == -1)
		return -1;
	if (run(s, ST_FTS_CHECK) == -1) {
		snprintf(err, errlen, "full-text index: %s",
		    sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

int
store_ping(struct store *s)
{
	return run(s, ST_PING);
}
