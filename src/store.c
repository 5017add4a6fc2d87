/*
 * store.c - SQLite: schema, migrations, prepared statements, dedup, queries.
 *
 * Every statement is prepared once in store_open and bound; every write runs
 * in BEGIN IMMEDIATE; a feed's poll (entries and validators) is one
 * transaction.  The database runs in WAL mode with synchronous=FULL.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "buf.h"
#include "ident.h"
#include "log.h"
#include "store.h"
#include "url.h"

/*
 * The full-text index is an external-content FTS5 table: the text lives
 * once, in entries.  It indexes the title, the plain text of summary and
 * content (markup would otherwise be searchable: "href" would match every
 * entry), the author and the tags.  unicode61 with remove_diacritics folds
 * case and accents.
 *
 * The index follows the table a little behind, not in the same statement
 * (since schema 4): indexing 20,000 abstracts costs several times what
 * storing them does, and a poll should not wait for it.  Each new story's
 * id goes into the queue fts_todo; store_index() indexes the queue in
 * bounded steps (the server runs it when the loop is idle), and every
 * search indexes all of it first, so a search always sees every committed
 * entry.  Updates and deletes of indexed stories reach the index in the
 * same transaction, by triggers.  Only the first entry of each story is
 * indexed (schema 5), under its sort key, so that the index's own order is
 * newest first.  The plain text is not stored: the view entries_doc
 * computes it with sluice_text(), a function every connection of
 * store_open registers (so a bare sqlite3 shell cannot update or delete
 * entries; it can read them).
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
	/*
	 * 5: stories.  An entry's sort key follows its date (ID_SHIFT),
	 * and it is the rowid of the full-text index: newest first is the
	 * index's own order, so a search walks it from the top and stops at
	 * the page size.  The table itself stays in insertion order (a back
	 * catalogue inserted in date order would rewrite pages all over a
	 * table of 2 KB rows; the sort index's rows are small).  story is 0
	 * for the first entry of a story, which is the one shown and
	 * indexed, and that entry's id for the story's other sources.  canon and tnorm are the
	 * cross-feed keys (ident.h); gone marks a tombstone: an entry pruned
	 * by retention, kept without its text so that a feed still listing
	 * it does not bring it back.  The index's backlog is a queue of entry
	 * ids, which entry_put fills itself: an AFTER INSERT trigger (or a
	 * RETURNING) would cost every insert a statement journal (15% of a
	 * cold pass).
	 */
	"DROP TRIGGER entries_ad;"
	"DROP TRIGGER entries_au;"
	"DROP VIEW entries_doc;"
	"DROP TABLE entries_fts;"
	"DROP TABLE fts_done;"
	"CREATE TABLE entries5 ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  sort INTEGER NOT NULL UNIQUE,"
	"  feed INTEGER NOT NULL REFERENCES feeds(id),"
	"  key TEXT NOT NULL,"
	"  story INTEGER NOT NULL DEFAULT 0,"
	"  uid TEXT NOT NULL,"
	"  version INTEGER NOT NULL DEFAULT 1,"
	"  guid TEXT, title TEXT, link TEXT, author TEXT,"
	"  summary TEXT, content TEXT, tags TEXT,"
	"  published INTEGER, updated INTEGER,"
	"  first_seen INTEGER NOT NULL, date INTEGER NOT NULL,"
	"  link_key INTEGER, title_key INTEGER, gone INTEGER,"
	"  UNIQUE (feed, key));"
	"INSERT INTO entries5(id, sort, feed, key, story, uid, version, guid,"
	"  title, link, author, summary, content, tags, published, updated,"
	"  first_seen, date, link_key, title_key)"
	"  SELECT id, n, feed, key, 0, uid, version, guid, title, link, author,"
	"  summary, content, (SELECT group_concat(value, char(31))"
	"  FROM json_each(tags)), published, updated, first_seen, date,"
	"  sluice_link(link), sluice_title(title) FROM (SELECT *,"
	"  (max(min(date, first_seen), 0) << 20) + row_number() OVER"
	"  (PARTITION BY max(min(date, first_seen), 0) ORDER BY id) - 1 AS n"
	"  FROM entries);"
	"DROP TABLE entries;"
	"ALTER TABLE entries5 RENAME TO entries;"
	"CREATE INDEX entries_link ON entries(link_key)"
	"  WHERE link_key IS NOT NULL;"
	"CREATE INDEX entries_title ON entries(title_key, sort)"
	"  WHERE title_key IS NOT NULL;"
	"CREATE INDEX entries_gone ON entries(gone) WHERE gone IS NOT NULL;"
	"ALTER TABLE feeds ADD COLUMN churn INTEGER NOT NULL DEFAULT 0;"
	"CREATE VIEW entries_doc AS SELECT id, sort, title,"
	"  sluice_text(summary, content) AS text, author, tags FROM entries"
	"  WHERE story = 0 AND gone IS NULL;"
	"CREATE VIRTUAL TABLE entries_fts USING fts5("
	"  title, text, author, tags, content='entries_doc',"
	"  content_rowid='sort',"
	"  tokenize='unicode61 remove_diacritics 2', prefix='2 3');"
	"INSERT INTO entries_fts(entries_fts, rank) VALUES ('automerge', 16);"
	"CREATE TABLE fts_todo (id INTEGER PRIMARY KEY);"
	"INSERT INTO fts_todo SELECT id FROM entries;"
	/* An indexed story: shown, and not waiting in the queue. */
	"CREATE TRIGGER entries_au AFTER UPDATE OF title, summary, content,"
	"  author, tags, gone ON entries"
	"  WHEN old.story = 0 AND old.gone IS NULL"
	"  AND NOT EXISTS (SELECT 1 FROM fts_todo WHERE id = old.id) BEGIN"
	"  INSERT INTO entries_fts(entries_fts, rowid, title, text, author,"
	"  tags) VALUES ('delete', old.sort, old.title,"
	"  sluice_text(old.summary, old.content), old.author, old.tags);"
	"  INSERT INTO entries_fts(rowid, title, text, author, tags)"
	"  SELECT new.sort, new.title, sluice_text(new.summary, new.content),"
	"  new.author, new.tags WHERE new.gone IS NULL;"
	"END;"
	"CREATE TRIGGER entries_ad AFTER DELETE ON entries"
	"  WHEN old.story = 0 BEGIN"
	"  INSERT INTO entries_fts(entries_fts, rowid, title, text, author,"
	"  tags) SELECT 'delete', old.sort, old.title,"
	"  sluice_text(old.summary, old.content), old.author, old.tags"
	"  WHERE old.gone IS NULL"
	"  AND NOT EXISTS (SELECT 1 FROM fts_todo WHERE id = old.id);"
	"  DELETE FROM fts_todo WHERE id = old.id;"
	"END;",
	/*
	 * 6: no prefix indexes.  They cost 40% of indexing and serve only
	 * prefixes of exactly 2 or 3 characters ("distill*" scans the terms
	 * either way).  The index is rebuilt from the queue.
	 */
	"DROP TABLE entries_fts;"
	"CREATE VIRTUAL TABLE entries_fts USING fts5("
	"  title, text, author, tags, content='entries_doc',"
	"  content_rowid='sort',"
	"  tokenize='unicode61 remove_diacritics 2');"
	"INSERT INTO entries_fts(entries_fts, rank) VALUES ('automerge', 16);"
	"DELETE FROM fts_todo;"
	"INSERT INTO fts_todo SELECT id FROM entries"
	"  WHERE story = 0 AND gone IS NULL;",
	/*
	 * 7: what changes on every poll, in a narrow table of its own.  A
	 * pass of 10,000 304s rewrites 10,000 rows of 24 bytes here, where
	 * it rewrote 10,000 rows of 200 in feeds: an eighth of the pages to
	 * read, log and checkpoint.  feeds itself is written only when the
	 * rest of the outcome changed: feeds.outcome holds a hash of the
	 * last one written, which the poller remembers (store_feed_status).
	 */
	"CREATE TABLE polls ("
	"  feed INTEGER PRIMARY KEY,"
	"  last_attempt INTEGER, last_success INTEGER, next_poll INTEGER);"
	"INSERT INTO polls SELECT id, last_attempt, last_success, next_poll"
	"  FROM feeds WHERE coalesce(last_attempt, last_success, next_poll)"
	"  IS NOT NULL;"
	"ALTER TABLE feeds DROP COLUMN last_attempt;"
	"ALTER TABLE feeds DROP COLUMN last_success;"
	"ALTER TABLE feeds DROP COLUMN next_poll;"
	"ALTER TABLE feeds ADD COLUMN outcome INTEGER;",
	/*
	 * 8: sort keys of 4 bits a second, not 20, and the queue in their
	 * order.  FTS5 stores a doclist's rowids as varint deltas, so keys
	 * 2^20 apart cost 3 or 4 bytes where keys 16 apart cost one; and
	 * it indexes a batch far faster when the batch's rowids follow
	 * those before it than when they fall among them, so the backlog
	 * is indexed in key order (fts_todo holds keys, not ids).  Measured
	 * on 200,000 FTS5 rows: 8.7 s with 20-bit keys, 7.1 s with 4-bit
	 * ones, 6.6 s with 1, 2, 3...; 10-13 s whenever each batch's keys
	 * are spread over the whole range.  A second with more than 16
	 * entries spills into the next ones (ST_ENTRY_INSERT).  The keys
	 * are repacked in their order (each the larger of its new second's
	 * first key and the one before it plus one), and the index is
	 * rebuilt from the queue.
	 */
	"DROP TRIGGER entries_au;"
	"DROP TRIGGER entries_ad;"
	"CREATE TEMP TABLE rekey AS SELECT id, i + max(base - i) OVER"
	"  (ORDER BY old ROWS UNBOUNDED PRECEDING) AS new FROM (SELECT id,"
	"  sort AS old, (sort >> 20) << 4 AS base, row_number() OVER"
	"  (ORDER BY sort) AS i FROM entries);"
	"UPDATE entries SET sort = -id;"
	"UPDATE entries SET sort = (SELECT new FROM temp.rekey r"
	"  WHERE r.id = entries.id);"
	"DROP TABLE temp.rekey;"
	"INSERT INTO entries_fts(entries_fts) VALUES ('delete-all');"
	"DROP TABLE fts_todo;"
	"CREATE TABLE fts_todo (sort INTEGER PRIMARY KEY);"
	"INSERT INTO fts_todo SELECT sort FROM entries"
	"  WHERE story = 0 AND gone IS NULL;"
	"CREATE TRIGGER entries_au AFTER UPDATE OF title, summary, content,"
	"  author, tags, gone ON entries"
	"  WHEN old.story = 0 AND old.gone IS NULL"
	"  AND NOT EXISTS (SELECT 1 FROM fts_todo WHERE sort = old.sort) BEGIN"
	"  INSERT INTO entries_fts(entries_fts, rowid, title, text, author,"
	"  tags) VALUES ('delete', old.sort, old.title,"
	"  sluice_text(old.summary, old.content), old.author, old.tags);"
	"  INSERT INTO entries_fts(rowid, title, text, author, tags)"
	"  SELECT new.sort, new.title, sluice_text(new.summary, new.content),"
	"  new.author, new.tags WHERE new.gone IS NULL;"
	"END;"
	"CREATE TRIGGER entries_ad AFTER DELETE ON entries"
	"  WHEN old.story = 0 BEGIN"
	"  INSERT INTO entries_fts(entries_fts, rowid, title, text, author,"
	"  tags) SELECT 'delete', old.sort, old.title,"
	"  sluice_text(old.summary, old.content), old.author, old.tags"
	"  WHERE old.gone IS NULL"
	"  AND NOT EXISTS (SELECT 1 FROM fts_todo WHERE sort = old.sort);"
	"  DELETE FROM fts_todo WHERE sort = old.sort;"
	"END;",
};
#define SCHEMA_VERSION	((int)(sizeof(migrations) / sizeof(migrations[0])))

/*
 * Sort keys follow dates: the date's second (never in the future, never
 * before 1970) shifted left by ID_SHIFT bits, plus the next free number in
 * that second's range (ST_ENTRY_INSERT, ?1 to ?18); a full range spills
 * into the next free key after it.  Newest first is then the order of the
 * keys, but for a spill: more than 16 entries of one second (a feed with
 * no dates, seen all at once) run on into the next seconds' keys, and an
 * entry of those seconds stored after them is listed after them.  The
 * shift is one of seconds, as many as the spill covers.  Migrations 5 and
 * 8 spell 20 and 4 out: they are frozen.
 */
#define ID_SHIFT	4
#define TITLE_WINDOW	(7 * 86400)	/* seconds either side */
#define TOMBSTONE_KEEP	(180 * 86400)	/* horizon of a tombstone */

enum stmt {
	ST_BEGIN, ST_COMMIT, ST_ROLLBACK, ST_SAVEPOINT, ST_RELEASE,
	ST_ROLLBACK_TO, ST_FEED_FIND, ST_FEED_SCAN, ST_FEED_ENSURE, ST_FEED_LOAD, ST_FEED_OK,
	ST_POLL_RECORD, ST_FEED_STATUS, ST_FEED_RATE, ST_FEEDS_JSON,
	ST_ENTRY_TOUCH, ST_ENTRY_UPDATE, ST_ENTRY_LOOKUP,
	ST_ENTRY_REKEY, ST_FEED_CHURN, ST_ENTRY_INSERT, ST_INDEX_QUEUE,
	ST_INDEX_ANY,
	ST_KEEP_PER_FEED, ST_KEEP_DAYS, ST_TOMBSTONES_DROP,
	ST_ITEMS, ST_ITEMS_MATCH, ST_ITEMS_RANK, ST_PING, ST_DATA_VERSION,
	ST_FEED_ERRORS,
	ST_NEXT_POLL, ST_INDEX_ADD,
	ST_INDEX_DONE, ST_CHECK, ST_FTS_CHECK, ST_COUNT
};

/* What store_items reads of each entry, and its source conditions. */
#define ITEM_COLUMNS \
	"SELECT e.id, e.uid, f.name, coalesce(f.conf_title, f.title, f.name)," \
	" f.url, f.link, f.feed_id," \
	" e.title, e.link, e.author, sluice_text(e.summary, e.content)," \
	" e.tags, e.published, e.updated, e.date, coalesce(f.updated," \
	"   (SELECT last_success FROM polls WHERE feed = f.id), 0), e.sort," \
	" coalesce(e.content, e.summary)"
/* ?4, ?5: names joined by \x1f the source must be one of, none of. */
#define ITEM_SOURCES \
	" AND (?4 IS NULL OR instr(char(31) || ?4 || char(31)," \
	"   char(31) || f.name || char(31)) > 0)" \
	" AND (?5 IS NULL OR instr(char(31) || ?5 || char(31)," \
	"   char(31) || f.name || char(31)) = 0)"

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
	    " p.next_poll, consecutive_errors, state, coalesce(ttl, -1),"
	    " skip_hours, skip_days, outcome"
	    " FROM feeds LEFT JOIN polls p ON p.feed = id"
	    " WHERE name = ?1 AND conf_url IS ?2 AND conf_title IS ?3",
	/* All of them, in the order of strcmp (BINARY collation). */
	[ST_FEED_SCAN] =
	    "SELECT name, conf_url, conf_title,"
	    " id, url, etag, last_modified, moved_to, moved_count,"
	    " p.next_poll, consecutive_errors, state, coalesce(ttl, -1),"
	    " skip_hours, skip_days, outcome"
	    " FROM feeds LEFT JOIN polls p ON p.feed = id"
	    " ORDER BY name",
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
	    " outcome = iif(feeds.conf_url IS excluded.conf_url,"
	    "   feeds.outcome, NULL),"
	    " conf_url = excluded.conf_url"
	    " RETURNING id, url, etag, last_modified, moved_to, moved_count,"
	    " (SELECT next_poll FROM polls WHERE feed = id),"
	    " consecutive_errors, state, coalesce(ttl, -1),"
	    " skip_hours, skip_days, outcome",
	[ST_FEED_LOAD] =
	    "SELECT url, etag, last_modified, moved_to, moved_count,"
	    " p.next_poll, consecutive_errors, state, coalesce(ttl, -1),"
	    " skip_hours, skip_days, outcome"
	    " FROM feeds LEFT JOIN polls p ON p.feed = id"
	    " WHERE id = ?1",
	[ST_FEED_OK] =
	    "UPDATE feeds SET title = ?2, link = ?3, feed_id = ?4, etag = ?5,"
	    " last_modified = ?6, updated = coalesce(?7, ?8)"
	    " WHERE id = ?1",
	/* Every poll: when, and when next. */
	[ST_POLL_RECORD] =
	    "INSERT INTO polls(feed, last_attempt, last_success, next_poll)"
	    " VALUES (?1, ?2, iif(?3, ?2, NULL), ?4)"
	    " ON CONFLICT(feed) DO UPDATE SET last_attempt = ?2,"
	    " last_success = iif(?3, ?2, last_success), next_poll = ?4",
	/* The rest of the outcome, and its hash. */
	[ST_FEED_STATUS] =
	    "UPDATE feeds SET state = ?2, http_status = ?3, error = ?4,"
	    " error_class = ?5, outcome = ?6,"
	    " consecutive_errors = ?9, bytes = ?10, new_entries = ?11,"
	    " updated_entries = ?12, interval = ?13, moved_to = ?14,"
	    " moved_count = ?15, url = coalesce(?16, url), ttl = ?17,"
	    " skip_hours = ?18, skip_days = ?19"
	    " WHERE id = ?1",
	/* How often it publishes: entries dated in the last four weeks. */
	[ST_FEED_RATE] =
	    "SELECT count(*) / 4.0 FROM entries WHERE feed = ?1"
	    " AND sort >= ?2",
	[ST_FEEDS_JSON] =
	    "SELECT json_group_array(json(o)) FROM (SELECT"
	    " json_object('name', f.name, 'url', f.url,"
	    " 'config_url', f.conf_url, 'title', coalesce(f.conf_title,"
	    " f.title), 'state', f.state, 'http_status', f.http_status,"
	    " 'last_attempt', strftime('%Y-%m-%dT%H:%M:%SZ', p.last_attempt,"
	    " 'unixepoch'), 'last_success', strftime('%Y-%m-%dT%H:%M:%SZ',"
	    " p.last_success, 'unixepoch'), 'next_poll',"
	    " strftime('%Y-%m-%dT%H:%M:%SZ', p.next_poll, 'unixepoch'),"
	    " 'consecutive_errors', f.consecutive_errors, 'error', f.error,"
	    " 'error_class', f.error_class, 'interval', f.interval,"
	    " 'bytes', f.bytes, 'new', f.new_entries,"
	    " 'updated', f.updated_entries, 'moved_to', f.moved_to,"
	    " 'guid_churn', f.churn,"
	    " 'entries', (SELECT count(*) FROM entries e WHERE e.feed = f.id"
	    "   AND e.gone IS NULL))"
	    " AS o FROM json_each(?1) AS n JOIN feeds f ON f.name = n.value"
	    " LEFT JOIN polls p ON p.feed = f.id"
	    " ORDER BY n.key)",
	/* A tombstone the feed still lists is kept for another horizon. */
	[ST_ENTRY_TOUCH] = "UPDATE entries SET gone = ?2 WHERE id = ?1",
	/*
	 * A known entry is rewritten only when something in it changed, and
	 * its version moves: RETURNING tells updated from unchanged (no
	 * row).  Its id, story and uid never change.
	 */
	[ST_ENTRY_UPDATE] =
	    "UPDATE entries SET guid = ?2, title = ?3, link = ?4,"
	    " author = ?5, summary = ?6, content = ?7, tags = ?8,"
	    " published = ?9, updated = coalesce(?10, ?11),"
	    " date = coalesce(?9, ?10, first_seen),"
	    " link_key = sluice_link(?4), title_key = sluice_title(?3),"
	    " version = version + 1"
	    " WHERE id = ?1 AND (title IS NOT ?3 OR link IS NOT ?4"
	    " OR author IS NOT ?5 OR summary IS NOT ?6 OR content IS NOT ?7"
	    " OR tags IS NOT ?8 OR published IS NOT ?9"
	    " OR (?10 IS NOT NULL AND updated IS NOT ?10))"
	    " RETURNING version",
	/*
	 * What an entry of a document is: first the feed's own entry with
	 * the same key (?5, ?6), if known; else the entries it may belong
	 * with: those with the same canonical link (?1), then those with the
	 * same normalised title (?2) dated within ?3..?4 (sort keys), in any
	 * feed.  The caller stops at the first row that fits, so what
	 * follows it is never computed.
	 */
	[ST_ENTRY_LOOKUP] =
	    "SELECT 0, id, 0, NULL, feed, key, gone FROM entries"
	    " WHERE feed = ?5 AND key = ?6"
	    " UNION ALL SELECT 1, id, story, uid, feed, key, gone FROM entries"
	    " WHERE link_key = ?1"
	    " UNION ALL SELECT 2, id, story, uid, feed, key, gone FROM entries"
	    " WHERE title_key = ?2 AND sort BETWEEN ?3 AND ?4"
	    " LIMIT 33",
	[ST_ENTRY_REKEY] = "UPDATE entries SET key = ?2 WHERE id = ?1",
	[ST_FEED_CHURN] = "UPDATE feeds SET churn = churn + ?2 WHERE id = ?1",
	/* A new entry: a new story with a random UUID, or a source of ?16. */
	[ST_ENTRY_INSERT] =
	    "INSERT INTO entries(sort, feed, key, story, uid, guid, title, link,"
	    " author, summary, content, tags, published, updated, first_seen,"
	    " date, link_key, title_key)"
	    " VALUES ((SELECT CASE WHEN m IS NULL THEN ?1"
	    "   WHEN m < ?18 THEN m + 1"
	    "   ELSE (SELECT s.sort + 1 FROM entries s WHERE s.sort >= ?18"
	    "     AND NOT EXISTS (SELECT 1 FROM entries t"
	    "     WHERE t.sort = s.sort + 1) ORDER BY s.sort LIMIT 1) END"
	    "   FROM (SELECT max(sort) AS m FROM entries"
	    "   WHERE sort BETWEEN ?1 AND ?18)), ?2, ?3,"
	    " coalesce(?16, 0), coalesce(?17, 'urn:uuid:'"
	    " || lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4'"
	    " || substr(hex(randomblob(2)), 2) || '-' || substr('89ab',"
	    " 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2)"
	    " || '-' || hex(randomblob(6)))),"
	    " ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
	    " coalesce(?11, ?12, ?13), ?14, ?15)",
	[ST_INDEX_QUEUE] =
	    "INSERT INTO fts_todo SELECT sort FROM entries WHERE id = ?1",
	[ST_INDEX_ANY] = "SELECT EXISTS (SELECT 1 FROM fts_todo)",
	/*
	 * Retention makes tombstones: the identity stays (feed, key, canon,
	 * tnorm), the text goes.  gone is when.
	 */
	[ST_KEEP_PER_FEED] =
	    "UPDATE entries SET gone = ?3, title = NULL, summary = NULL,"
	    " content = NULL, author = NULL, tags = NULL"
	    " WHERE feed = ?1 AND gone IS NULL AND sort < (SELECT sort"
	    " FROM entries WHERE feed = ?1 AND gone IS NULL ORDER BY sort DESC"
	    " LIMIT 1 OFFSET ?2 - 1)",
	[ST_KEEP_DAYS] =
	    "UPDATE entries SET gone = ?2, title = NULL, summary = NULL,"
	    " content = NULL, author = NULL, tags = NULL"
	    " WHERE sort IN (SELECT sort FROM entries WHERE sort >= ?3"
	    " AND sort < ?1 AND gone IS NULL ORDER BY sort LIMIT ?4)"
	    " RETURNING sort",
	[ST_TOMBSTONES_DROP] = "DELETE FROM entries WHERE gone < ?1",
	[ST_ITEMS] =
	    ITEM_COLUMNS
	    " FROM entries e JOIN feeds f ON f.id = e.feed"
	    " WHERE e.story = 0 AND e.gone IS NULL"
	    " AND (?2 IS NULL OR e.sort NOT IN (SELECT rowid FROM entries_fts"
	    "   WHERE entries_fts MATCH ?2))"
	    " AND e.sort >= coalesce(?6, 0)"
	    " AND e.sort < coalesce(?7, 9223372036854775807)"
	    ITEM_SOURCES
	    " ORDER BY e.sort DESC LIMIT ?3",
	/* A search: the index walked newest first, stopping at the page. */
	[ST_ITEMS_MATCH] =
	    ITEM_COLUMNS
	    " FROM entries_fts i JOIN entries e ON e.sort = i.rowid"
	    " JOIN feeds f ON f.id = e.feed"
	    " WHERE entries_fts MATCH ?1"
	    " AND i.rowid >= coalesce(?6, 0)"
	    " AND i.rowid < coalesce(?7, 9223372036854775807)"
	    ITEM_SOURCES
	    " ORDER BY i.rowid DESC LIMIT ?3",
	/* The same by bm25, a page at an offset. */
	[ST_ITEMS_RANK] =
	    ITEM_COLUMNS
	    " FROM entries_fts i JOIN entries e ON e.sort = i.rowid"
	    " JOIN feeds f ON f.id = e.feed"
	    " WHERE entries_fts MATCH ?1"
	    " AND i.rowid >= coalesce(?6, 0)"
	    ITEM_SOURCES
	    " ORDER BY i.rank LIMIT ?3 OFFSET ?8",
	[ST_PING] = "SELECT count(*) FROM feeds",
	[ST_DATA_VERSION] = "PRAGMA data_version",
	/* The feeds named in ?1 (a JSON array), their error streaks. */
	[ST_FEED_ERRORS] =
	    "SELECT f.name, f.consecutive_errors FROM json_each(?1) n"
	    " JOIN feeds f ON f.name = n.value ORDER BY n.key",
	/* The soonest poll of a feed still polled. */
	[ST_NEXT_POLL] =
	    "SELECT min(p.next_poll) FROM polls p JOIN feeds f ON f.id = p.feed"
	    " WHERE f.state != 'gone'",
	/*
	 * The next ?1 stories of the backlog, then out of the queue: the
	 * lowest keys first, in ascending rowid, so that one step follows
	 * the last.  FTS5 flushes what it holds in memory whenever a rowid
	 * is not above the last one (in queue order, a segment per story
	 * and 2.2 times the work), and indexes rowids that fall among those
	 * it holds far slower than ones above them (schema 8).
	 */
	[ST_INDEX_ADD] =
	    "INSERT INTO entries_fts(rowid, title, text, author, tags)"
	    " SELECT d.sort, d.title, d.text, d.author, d.tags"
	    " FROM (SELECT sort FROM fts_todo ORDER BY sort LIMIT ?1) q"
	    " JOIN entries_doc d ON d.sort = q.sort ORDER BY q.sort",
	[ST_INDEX_DONE] =
	    "DELETE FROM fts_todo WHERE sort IN"
	    " (SELECT sort FROM fts_todo ORDER BY sort LIMIT ?1)",
	[ST_CHECK] = "PRAGMA integrity_check",
	[ST_FTS_CHECK] =
	    "INSERT INTO entries_fts(entries_fts) VALUES ('integrity-check')",
};

#define BUSY_MS		5000	/* how long a write waits for another */
#define SEARCH_BUSY_MS	100	/* a search's catch-up of the index */

struct store {
	sqlite3		*db;
	uint64_t	 ends;		/* transactions ended here (generation) */
	uint64_t	 data_version;	/* PRAGMA data_version, last read */
	int		 query_ms;	/* store_items' budget; 0: none */
	int64_t		 deadline;	/* of the query running (mono ms) */
	sqlite3_stmt	*st[ST_COUNT];
	int		 busy_ms;	/* store_busy_timeout */
	int64_t		 keep_days;	/* 0: no limit */
	int64_t		 keep_per_feed;	/* 0: no limit */
	int64_t		 prune_from;	/* sort key a pass of store_prune */
					/* goes on from; 0: a new pass */
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

/*
 * sluice_link(link), sluice_title(title): the cross-feed keys (ident.h) as
 * the table keeps them, hashed to 64 bits (small index rows; two different
 * keys collide once in 2^64).
 */
static void
sql_result_key(sqlite3_context *ctx, char *v)
{
	if (v == NULL)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_int64(ctx, (int64_t)ident_hash(v));
	free(v);
}

static void
sql_link(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	sql_result_key(ctx, ident_link((const char *)
	    sqlite3_value_text(argv[0])));
}

static void
sql_title(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	sql_result_key(ctx, ident_title((const char *)
	    sqlite3_value_text(argv[0])));
}

static int
migrate(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int version = 0, from;
	char pragma[64];
	struct timespec t0, t1;

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
	/*
	 * An existing store rebuilds tables and its index on the way: a big
	 * one takes minutes, which the log says rather than look hung.
	 */
	from = version;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (from > 0 && from < SCHEMA_VERSION)
		log_info("store: %s: upgrading from schema %d to %d; a large "
		    "store takes minutes", path, from, SCHEMA_VERSION);
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
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (from > 0 && from < SCHEMA_VERSION)
		log_info("store: %s: upgraded to schema %d in %.1f s", path,
		    SCHEMA_VERSION, (double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
fail:
	snprintf(err, errlen, "%s", sqlite3_errmsg(db));
	return -1;
}

/* Big-endian integers of the database header. */
static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/*
 * What can be told of a database file before SQLite opens it (HOSTILE row
 * 61: a corrupt store is refused, never made anew).  A file that is not
 * there is a new store; an empty one, or one whose header is not SQLite's,
 * is refused.  With no write-ahead log beside it (the store was closed
 * cleanly, and no other process has it open), a file shorter than its
 * header says is truncated.  Damage inside the pages is for `sluice check
 * -s` (store_check) to find.
 */
static int
file_check(const char *path, char *err, size_t errlen)
{
	unsigned char h[100];
	char wal[4096];
	struct stat sb, wb;
	int64_t page, pages;
	int fd;
	ssize_t n;

	if (stat(path, &sb) == -1)
		return 0;	/* SQLite says why if it cannot make it */
	if (!S_ISREG(sb.st_mode))
		return 0;
	if (sb.st_size == 0) {
		snprintf(err, errlen, "%s: an empty file, not a database "
		    "(truncated?); remove it to start a new one", path);
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, h, sizeof(h));
	close(fd);
	if (n != (ssize_t)sizeof(h) || memcmp(h, "SQLite format 3", 16) != 0) {
		snprintf(err, errlen, "%s: not a SQLite database (its header "
		    "is wrong)", path);
		return -1;
	}
	page = (int64_t)h[16] << 8 | h[17];
	if (page == 1)
		page = 65536;
	pages = be32(h + 28);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	if ((stat(wal, &wb) == -1 || wb.st_size == 0) && pages > 0 &&
	    be32(h + 24) == be32(h + 92) && sb.st_size < page * pages) {
		snprintf(err, errlen, "%s: truncated: its header says %lld "
		    "bytes, the file has %lld", path, (long long)(page * pages),
		    (long long)sb.st_size);
		return -1;
	}
	return 0;
}

#define WAL_LIMIT	"67108864"	/* bytes of write-ahead log kept */

static int	 create_store(const char *, char *, size_t);
static struct store *open_at(const char *, int, char *, size_t);

/*
 * The store is written, and its write-ahead log and shared-memory index are
 * made beside it: a file or folder that cannot be written is said so, not
 * left to SQLite's "unable to open database file" (row 61).
 */
/* The folder path is in, into dir ("." for a bare name). */
static void
folder_of(const char *path, char *dir, size_t len)
{
	char *slash;

	snprintf(dir, len, "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL)
		snprintf(dir, len, ".");
	else
		*(slash == dir ? slash + 1 : slash) = '\0';
}

static int
writable(const char *path, char *err, size_t errlen)
{
	char dir[4096];

	if (access(path, W_OK) == -1) {
		snprintf(err, errlen, "%s: not writable: %s", path,
		    strerror(errno));
		return -1;
	}
	folder_of(path, dir, sizeof(dir));
	if (access(dir, W_OK) == -1) {
		snprintf(err, errlen, "%s: its folder %s is not writable (%s); "
		    "the store makes its -wal and -shm files there", path, dir,
		    strerror(errno));
		return -1;
	}
	return 0;
}

struct store *
store_open(const char *path, char *err, size_t errlen)
{
	struct stat sb;

	if (stat(path, &sb) == -1 && errno == ENOENT &&
	    create_store(path, err, errlen) == -1)
		return NULL;
	if (file_check(path, err, errlen) == -1 ||
	    writable(path, err, errlen) == -1)
		return NULL;
	return open_at(path, 0, err, errlen);
}

/*
 * A new store is made whole under another name, PATH.new, and linked into
 * place: a kill while it is made leaves that name, never an empty or half
 * made PATH, so an empty PATH is damage (file_check).  An flock on PATH.new
 * keeps two processes from making it at once; the second finds PATH made.
 * What a killed one left in PATH.new is started over.  The making itself
 * needs no journal and no fsync but one, of the whole file, before the
 * link.
 */
static int
create_store(const char *path, char *err, size_t errlen)
{
	char tmp[4096], side[4200], why[256], dir[4096];
	struct store *s;
	struct stat sb;
	int fd, dfd, rc = -1;

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	if ((fd = open(tmp, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) == -1) {
		snprintf(err, errlen, "%s: cannot create: %s", path,
		    strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX) == -1) {
		snprintf(err, errlen, "%s: cannot lock: %s", tmp,
		    strerror(errno));
		goto out;
	}
	if (stat(path, &sb) == 0) {	/* another process made it */
		rc = 0;
		goto out;
	}
	for (const char *const *x = (const char *const[]){ "-wal", "-shm",
	    "-journal", NULL }; *x != NULL; x++) {
		snprintf(side, sizeof(side), "%s%s", tmp, *x);
		unlink(side);
	}
	if (ftruncate(fd, 0) == -1 ||
	    (s = open_at(tmp, 1, why, sizeof(why))) == NULL) {
		snprintf(err, errlen, "%s: cannot create: %s", path,
		    strncmp(why, tmp, strlen(tmp)) == 0 ? why + strlen(tmp) +
		    2 : why);
		goto out;
	}
	store_close(s);
	if (fsync(fd) == -1 || (link(tmp, path) == -1 && errno != EEXIST)) {
		snprintf(err, errlen, "%s: cannot create: %s", path,
		    strerror(errno));
		goto out;
	}
	folder_of(path, dir, sizeof(dir));
	if ((dfd = open(dir, O_RDONLY | O_CLOEXEC)) != -1) {
		fsync(dfd);	/* the new name, durable */
		close(dfd);
	}
	rc = 0;
out:
	if (rc == 0 || stat(path, &sb) == 0)
		unlink(tmp);
	close(fd);
	return rc;
}

/* Opens the store at path (creating the file when create). */
static struct store *
open_at(const char *path, int create, char *err, size_t errlen)
{
	struct store *s;
	int i;

	s = xcalloc(1, sizeof(*s));
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
	    (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, s->db ?
		    sqlite3_errmsg(s->db) : "cannot open");
		goto fail;
	}
	s->busy_ms = BUSY_MS;
	sqlite3_busy_timeout(s->db, BUSY_MS);
	if (sqlite3_create_function_v2(s->db, "sluice_text", 2, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL, sql_text, NULL, NULL,
	    NULL) != SQLITE_OK ||
	    sqlite3_create_function_v2(s->db, "sluice_link", 1, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL, sql_link, NULL,
	    NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function_v2(s->db, "sluice_title", 1, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL, sql_title, NULL,
	    NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
		goto fail;
	}
	/* Made (create_store): no journal, no fsync, WAL once it is whole. */
	if (exec(s->db, create ? "PRAGMA journal_mode = MEMORY;"
	    "PRAGMA synchronous = OFF;" : "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = FULL;", err, errlen) == -1 ||
	    exec(s->db, "PRAGMA temp_store = MEMORY;"
	    "PRAGMA foreign_keys = ON;"
	    /*
	     * A reader that holds a snapshot (a backup, the sqlite3 shell)
	     * keeps checkpoints from starting the log over, and it grows;
	     * once one does, the log is cut back to this (row 60).
	     */
	    "PRAGMA journal_size_limit = " WAL_LIMIT ";", err, errlen) == -1 ||
	    migrate(s->db, path, err, errlen) == -1 ||
	    (create && exec(s->db, "PRAGMA journal_mode = WAL;", err,
	    errlen) == -1)) {
		char why[256];

		snprintf(why, sizeof(why), "%s", err);
		snprintf(err, errlen, "%s: %s", path, why);
		goto fail;
	}
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
	/* A transaction ended: what readers of this connection see changed. */
	if (i == ST_COMMIT || i == ST_ROLLBACK)
		s->ends++;
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

/* A cross-feed key as the table keeps it: its 64-bit hash (ident.h). */
static void
bind_key(sqlite3_stmt *st, int i, const char *key)
{
	if (key == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, (int64_t)ident_hash(key));
}

static char *
column_text(sqlite3_stmt *st, int i)
{
	const unsigned char *v = sqlite3_column_text(st, i);

	return v ? xstrdup((const char *)v) : NULL;
}

/*
 * A link column as column_text, or NULL when it is not url_linkable: a
 * javascript: link a store written before the parser dropped them may
 * still hold never goes out.
 */
static char *
column_link(sqlite3_stmt *st, int col)
{
	char *s = column_text(st, col);

	if (s != NULL && !url_linkable(s, s)) {
		free(s);
		return NULL;
	}
	return s;
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
	m->outcome = (uint64_t)sqlite3_column_int64(st, i + 11);
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

/*
 * The categories, separated by \x1f (a control character: the parser
 * never lets one into a category), or NULL.
 */
static char *
tags_text(const struct entry *e)
{
	struct buf b = { 0 };

	for (size_t i = 0; i < e->ncategories; i++) {
		if (i > 0)
			buf_puts(&b, "\x1f");
		buf_puts(&b, e->categories[i]);
	}
	return b.data != NULL ? buf_steal(&b) : NULL;
}

/* An entry's key and its place in the document, for finding repeats. */
struct keyed {
	char	*key;
	size_t	 i;
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

/* The keys of one document: by place, and sorted to look them up. */
struct doc_keys {
	char		**at;		/* NULL where a repeat */
	struct keyed	 *sorted;
	size_t		  n;
};

/*
 * The keys of d's entries; feeds do repeat a guid, and the first one wins
 * (else the two would overwrite each other on every poll).
 */
static void
doc_keys(const struct feed_doc *d, struct doc_keys *k)
{
	k->n = d->nentries;
	k->at = xcalloc(d->nentries + 1, sizeof(*k->at));
	k->sorted = xcalloc(d->nentries + 1, sizeof(*k->sorted));
	for (size_t i = 0; i < d->nentries; i++) {
		k->at[i] = k->sorted[i].key = ident_key(&d->entries[i]);
		k->sorted[i].i = i;
	}
	qsort(k->sorted, d->nentries, sizeof(*k->sorted), keyed_cmp);
	/* Equal keys are together, the first in the document first. */
	for (size_t j = 1; j < d->nentries; j++)
		if (strcmp(k->sorted[j].key, k->sorted[j - 1].key) == 0)
			k->at[k->sorted[j].i] = NULL;	/* still in sorted */
}

static int
key_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct keyed *)elem)->key);
}

/* 1 when the document has an entry with this key. */
static int
doc_has(const struct doc_keys *k, const char *key)
{
	return bsearch(key, k->sorted, k->n, sizeof(*k->sorted),
	    key_cmp) != NULL;
}

static void
doc_keys_free(struct doc_keys *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->sorted[i].key);
	free(k->sorted);
	free(k->at);
}


/*
 * An entry's fields in the order ST_ENTRY_UPDATE (from ?2) and
 * ST_ENTRY_INSERT (from ?4) take them: guid, title, link, author, summary,
 * content, tags, published, updated, now.
 */
static void
bind_entry(sqlite3_stmt *st, int i, const struct entry *e, const char *tags,
    int64_t now)
{
	bind_text(st, i, e->id);
	bind_text(st, i + 1, e->title);
	bind_text(st, i + 2, e->link);
	bind_text(st, i + 3, e->author);
	bind_text(st, i + 4, e->summary);
	bind_text(st, i + 5, e->content);
	bind_text(st, i + 6, tags);
	bind_date(st, i + 7, e->published);
	bind_date(st, i + 8, e->updated);
	sqlite3_bind_int64(st, i + 9, now);
}

/* Rewrites entry id with e when e differs: 1 updated, 0 not, -1 error. */
static int
entry_update(struct store *s, int64_t id, const struct entry *e,
    const char *tags, int64_t now)
{
	sqlite3_stmt *st = s->st[ST_ENTRY_UPDATE];
	int rc;

	sqlite3_bind_int64(st, 1, id);
	bind_entry(st, 2, e, tags, now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = sqlite3_step(st) == SQLITE_DONE ? 1 : -1;
	else
		rc = rc == SQLITE_DONE ? 0 : -1;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

/* What an entry of a document is, by ST_ENTRY_LOOKUP. */
struct match {
	int	 known;		/* id is this entry (gone: a tombstone) */
	int	 churn;		/* id is this entry under an old key */
	int64_t	 id;		/* else: another source of story, or 0 */
	int64_t	 story;
	int64_t	 gone;
	char	*uid;
};

/*
 * Looks up an entry with key in the feed, canonical link canon and
 * normalised title tnorm, dated date.  Known: the feed's entry with that
 * key.  Else the first entry of another feed with either key (the same
 * story); or an entry of this feed whose key is no longer in the document
 * (the feed changed the entry's guid: it is that entry), found by its link
 * or, when the new entry has no link, by its title.  Other entries of this
 * feed are other entries ("Weekly digest" is a new one each week).
 */
static int
lookup(struct store *s, int64_t feed_id, const char *key,
    const struct doc_keys *k, const char *canon, const char *tnorm,
    int64_t date, int64_t now, struct match *m)
{
	sqlite3_stmt *st = s->st[ST_ENTRY_LOOKUP];
	int64_t lo = date - TITLE_WINDOW, hi = date + TITLE_WINDOW;
	int rc;

	bind_key(st, 1, canon);
	bind_key(st, 2, tnorm);
	sqlite3_bind_int64(st, 3, (lo < 0 ? 0 : lo) << ID_SHIFT);
	sqlite3_bind_int64(st, 4, (hi > now ? now : hi) << ID_SHIFT |
	    ((1 << ID_SHIFT) - 1));
	sqlite3_bind_int64(st, 5, feed_id);
	bind_text(st, 6, key);
	while (m->id == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int kind = sqlite3_column_int(st, 0);
		int64_t feed = sqlite3_column_int64(st, 4);
		const char *other = (const char *)sqlite3_column_text(st, 5);

		if (kind == 0)
			m->known = 1;
		else if (feed == feed_id) {
			if ((kind == 2 && canon != NULL) || doc_has(k, other))
				continue;
			m->churn = 1;
		}
		m->id = sqlite3_column_int64(st, 1);
		m->story = sqlite3_column_int64(st, 2);
		if (m->story == 0)
			m->story = m->id;	/* the story's first entry */
		m->gone = sqlite3_column_int64(st, 6);
		m->uid = column_text(st, 3);
	}
	if (m->id != 0)
		rc = SQLITE_DONE;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/*
 * One entry of a poll, with its key in the feed.  Known: updated in place
 * if it changed (a tombstone stays one).  New: an entry of this feed under
 * an old guid (re-keyed), a new source of a story another feed has, or a
 * new story.
 */
static int
entry_put(struct store *s, int64_t feed_id, const struct entry *e,
    const char *key, const struct doc_keys *k, int64_t now,
    struct poll_counts *c)
{
	sqlite3_stmt *st;
	struct match m = { 0, 0, 0, 0, 0, NULL };
	char *tags = NULL, *canon = ident_link(e->link);
	char *tnorm = ident_title(e->title);
	int64_t date = e->published != DATE_NONE ? e->published :
	    e->updated != DATE_NONE ? e->updated : now, sort;
	int rc, ret = -1;

	if (lookup(s, feed_id, key, k, canon, tnorm, date, now, &m) == -1)
		goto done;
	if (m.known && m.gone != 0) {
		/* A tombstone stays one, kept while the feed lists it. */
		c->unchanged++;
		ret = 0;
		if (m.gone >= now - TOMBSTONE_KEEP / 2)
			goto done;
		sqlite3_bind_int64(s->st[ST_ENTRY_TOUCH], 1, m.id);
		sqlite3_bind_int64(s->st[ST_ENTRY_TOUCH], 2, now);
		ret = run(s, ST_ENTRY_TOUCH);
		goto done;
	}
	tags = tags_text(e);
	if (m.known) {
		if ((rc = entry_update(s, m.id, e, tags, now)) == 1)
			c->updated++;
		else if (rc == 0)
			c->unchanged++;
		ret = rc == -1 ? -1 : 0;
		goto done;
	}
	if (m.churn) {
		/* The feed's own entry under a new guid: the same entry. */
		sqlite3_bind_int64(s->st[ST_ENTRY_REKEY], 1, m.id);
		bind_text(s->st[ST_ENTRY_REKEY], 2, key);
		if (run(s, ST_ENTRY_REKEY) == -1)
			goto done;
		/* A tombstone gets its new key, not its text back. */
		rc = m.gone != 0 ? 0 : entry_update(s, m.id, e, tags, now);
		if (rc == -1)
			goto done;
		c->churned++;
		if (rc == 1)
			c->updated++;
		else
			c->unchanged++;
		ret = 0;
		goto done;
	}
	st = s->st[ST_ENTRY_INSERT];
	sort = (date > now ? now : date < 0 ? 0 : date) << ID_SHIFT;
	sqlite3_bind_int64(st, 1, sort);
	sqlite3_bind_int64(st, 18, sort + (1 << ID_SHIFT) - 1);
	sqlite3_bind_int64(st, 2, feed_id);
	bind_text(st, 3, key);
	bind_entry(st, 4, e, tags, now);
	bind_key(st, 14, canon);
	bind_key(st, 15, tnorm);
	if (m.id != 0) {
		sqlite3_bind_int64(st, 16, m.story);
		bind_text(st, 17, m.uid);
	}
	if (run(s, ST_ENTRY_INSERT) == -1)
		goto done;
	if (m.id != 0)
		c->duplicate++;
	else {
		/* A new story: into the index's backlog. */
		sqlite3_bind_int64(s->st[ST_INDEX_QUEUE], 1,
		    sqlite3_last_insert_rowid(s->db));
		if (run(s, ST_INDEX_QUEUE) == -1)
			goto done;
		c->new++;
	}
	ret = 0;
done:
	free(m.uid);
	free(tags);
	free(canon);
	free(tnorm);
	return ret;
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
	struct doc_keys k;
	int nested, ok = 1;

	memset(c, 0, sizeof(*c));
	if (poll_begin(s, &nested) == -1) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(s->db));
		return -1;
	}
	doc_keys(d, &k);
	/* Oldest first, so that first_seen follows the feed's own order. */
	for (size_t i = d->nentries; i > 0 && ok; i--)
		if (k.at[i - 1] != NULL && entry_put(s, feed_id,
		    &d->entries[i - 1], k.at[i - 1], &k, now, c) == -1)
			ok = 0;
	doc_keys_free(&k);
	if (ok && c->churned > 0) {
		sqlite3_bind_int64(s->st[ST_FEED_CHURN], 1, feed_id);
		sqlite3_bind_int(s->st[ST_FEED_CHURN], 2, c->churned);
		ok = run(s, ST_FEED_CHURN) == 0;
	}
	if (ok && s->keep_per_feed > 0 && c->new + c->duplicate > 0) {
		sqlite3_bind_int64(s->st[ST_KEEP_PER_FEED], 1, feed_id);
		sqlite3_bind_int64(s->st[ST_KEEP_PER_FEED], 2,
		    s->keep_per_feed);
		sqlite3_bind_int64(s->st[ST_KEEP_PER_FEED], 3, now);
		ok = run(s, ST_KEEP_PER_FEED) == 0;
	}
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

/*
 * A hash of what ST_FEED_STATUS writes, to tell when it would change:
 * FNV-1a over the fields, each string with its terminator (a NULL one as
 * a lone 0xff) and each number's 8 bytes.
 */
static uint64_t
mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++) {
		h ^= c[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t
mix_str(uint64_t h, const char *s)
{
	return s == NULL ? mix(h, "\xff", 1) : mix(h, s, strlen(s) + 1);
}

static uint64_t
mix_int(uint64_t h, int64_t v)
{
	return mix(h, &v, sizeof(v));
}

static uint64_t
outcome_hash(const struct feed_status *f)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	h = mix_str(h, f->state);
	h = mix_int(h, f->http_status);
	h = mix_str(h, f->error);
	h = mix_str(h, f->error_class);
	h = mix_int(h, f->consecutive_errors);
	h = mix_int(h, f->bytes);
	h = mix_int(h, f->new_entries);
	h = mix_int(h, f->updated_entries);
	h = mix_int(h, f->interval);
	h = mix_str(h, f->moved_to);
	h = mix_int(h, f->moved_count);
	h = mix_str(h, f->url);
	h = mix_int(h, f->ttl);
	h = mix_int(h, f->skip_hours);
	h = mix_int(h, f->skip_days);
	return h == 0 ? 1 : h;		/* 0: not known */
}

int
store_feed_status(struct store *s, const struct feed_status *f,
    struct feed_memory *m)
{
	sqlite3_stmt *st = s->st[ST_POLL_RECORD];
	uint64_t h = outcome_hash(f);

	sqlite3_bind_int64(st, 1, f->id);
	sqlite3_bind_int64(st, 2, f->attempt);
	sqlite3_bind_int(st, 3, f->success);
	if (f->next_poll > 0)
		sqlite3_bind_int64(st, 4, f->next_poll);
	if (run(s, ST_POLL_RECORD) == -1)
		return -1;
	if (m != NULL && m->outcome == h)
		return 0;	/* as written last time: one 304 after another */
	st = s->st[ST_FEED_STATUS];
	sqlite3_bind_int64(st, 1, f->id);
	bind_text(st, 2, f->state);
	if (f->http_status > 0)
		sqlite3_bind_int(st, 3, f->http_status);
	bind_text(st, 4, f->error);
	bind_text(st, 5, f->error_class);
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
	sqlite3_bind_int64(st, 6, (int64_t)h);
	if (run(s, ST_FEED_STATUS) == -1)
		return -1;
	if (m != NULL)
		m->outcome = h;
	return 0;
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
	sqlite3_bind_int64(st, 2, (now - 28 * 86400) << ID_SHIFT);
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





/* Indexes the next at most max stories of the backlog: how many, or -1. */
static int
index_step(struct store *s, int max)
{
	sqlite3_bind_int(s->st[ST_INDEX_ADD], 1, max);
	if (run(s, ST_INDEX_ADD) == -1)
		return -1;
	sqlite3_bind_int(s->st[ST_INDEX_DONE], 1, max);
	if (run(s, ST_INDEX_DONE) == -1)
		return -1;
	/* Those dequeued: a tombstone leaves the queue unindexed. */
	return sqlite3_changes(s->db);
}

int
store_index(struct store *s, int max, char *err, size_t errlen)
{
	int own = sqlite3_get_autocommit(s->db), done = 0, n = 0, rc;

	/* Nothing waiting: no write lock taken (another writer may hold it). */
	rc = sqlite3_step(s->st[ST_INDEX_ANY]);
	n = rc == SQLITE_ROW && sqlite3_column_int(s->st[ST_INDEX_ANY], 0);
	sqlite3_reset(s->st[ST_INDEX_ANY]);
	if (rc != SQLITE_ROW)
		goto fail;
	if (n == 0)
		return 0;
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

static int64_t
mono_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* SQLite's progress handler: non-zero interrupts the statement. */
static int
past_deadline(void *arg)
{
	struct store *s = arg;

	return mono_now_ms() > s->deadline;
}

int
store_items(struct store *s, const struct query *q, struct item **out,
    size_t *n, char *err, size_t errlen)
{
	sqlite3_stmt *st = s->st[q->match == NULL ? ST_ITEMS : q->relevance ?
	    ST_ITEMS_RANK : ST_ITEMS_MATCH];
	struct item *items = NULL;
	size_t count = 0;
	int rc, stale = 0;

	if (q->no_feed) {
		*out = NULL;
		*n = 0;
		return 0;	/* the source conditions leave none */
	}

	/*
	 * A search sees every entry committed: the backlog first.  When that
	 * cannot be written (another process holds the write lock past the
	 * busy timeout, a full disk), the search answers from the index as
	 * it is, which may miss the newest entries, rather than not at all.
	 */
	if (q->match != NULL || q->exclude != NULL) {
		/* Waiting for another writer: briefly. */
		sqlite3_busy_timeout(s->db, SEARCH_BUSY_MS);
		stale = store_index(s, 0, err, errlen) == -1;
		sqlite3_busy_timeout(s->db, s->busy_ms);
	}
	bind_text(st, 1, q->match);
	bind_text(st, 2, q->exclude);
	sqlite3_bind_int(st, 3, q->limit > 0 ? q->limit : 50);
	bind_text(st, 4, q->feeds);
	bind_text(st, 5, q->not_feeds);
	if (q->since > 0)
		sqlite3_bind_int64(st, 6, q->since << ID_SHIFT);
	if (q->before > 0)
		sqlite3_bind_int64(st, 7, q->before);
	sqlite3_bind_int(st, 8, q->offset);
	/* A query that runs past its budget is interrupted (row 56). */
	if (s->query_ms > 0) {
		s->deadline = mono_now_ms() + s->query_ms;
		sqlite3_progress_handler(s->db, 1000, past_deadline, s);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct item *it;

		items = xrealloc(items, (count + 1) * sizeof(*items));
		it = &items[count++];
		it->id = sqlite3_column_int64(st, 0);
		it->uid = column_text(st, 1);
		it->feed_name = column_text(st, 2);
		it->feed_title = column_text(st, 3);
		it->feed_url = column_text(st, 4);
		it->feed_link = column_link(st, 5);
		it->feed_id = column_text(st, 6);
		it->title = column_text(st, 7);
		it->link = column_link(st, 8);
		it->author = column_text(st, 9);
		it->text = column_text(st, 10);
		it->tags = column_text(st, 11);
		it->published = column_date(st, 12);
		it->updated = column_date(st, 13);
		it->date = sqlite3_column_int64(st, 14);
		it->feed_updated = sqlite3_column_int64(st, 15);
		it->sort = sqlite3_column_int64(st, 16);
		it->html = column_text(st, 17);
	}
	sqlite3_progress_handler(s->db, 0, NULL, NULL);
	if (rc == SQLITE_INTERRUPT)
		snprintf(err, errlen, "the query took longer than %d ms",
		    s->query_ms);
	else if (rc != SQLITE_DONE)
		snprintf(err, errlen, "%s", sqlite3_errmsg(s->db));
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		store_items_free(items, count);
		return rc == SQLITE_INTERRUPT ? -2 : -1;
	}
	*out = items;
	*n = count;
	return stale;
}

void
store_query_budget(struct store *s, int ms)
{
	s->query_ms = ms;
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
		free(items[i].html);
	}
	free(items);
}

void
store_busy_timeout(struct store *s, int ms)
{
	s->busy_ms = ms;
	sqlite3_busy_timeout(s->db, ms);
}

void
store_retention(struct store *s, int64_t keep_days, int64_t keep_per_feed)
{
	s->keep_days = keep_days;
	s->keep_per_feed = keep_per_feed;
}

int
store_prune(struct store *s, int64_t now, int max, char *err,
    size_t errlen)
{
	sqlite3_stmt *st = s->st[ST_KEEP_DAYS];
	int own = sqlite3_get_autocommit(s->db), n = 0, rc = SQLITE_DONE;
	int64_t last = 0;

	if (own && run(s, ST_BEGIN) == -1)
		goto fail;
	/* A horizon before 1970 (keep_days = 100000) keeps everything. */
	if (s->keep_days > 0 && now - s->keep_days * 86400 > 0) {
		sqlite3_bind_int64(st, 1, (now - s->keep_days * 86400) <<
		    ID_SHIFT);
		sqlite3_bind_int64(st, 2, now);
		sqlite3_bind_int64(st, 3, s->prune_from);
		sqlite3_bind_int(st, 4, max > 0 ? max : -1);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			n++;
			if (sqlite3_column_int64(st, 0) > last)
				last = sqlite3_column_int64(st, 0);
		}
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			goto undo;
	}
	if (max > 0 && n == max)
		s->prune_from = last + 1;	/* the next step from there */
	else {
		/* The pass is done: the old tombstones go too. */
		s->prune_from = 0;
		sqlite3_bind_int64(s->st[ST_TOMBSTONES_DROP], 1, now -
		    TOMBSTONE_KEEP);
		if (run(s, ST_TOMBSTONES_DROP) == -1)
			goto undo;
	}
	if (own && store_tx_commit(s) == -1)
		goto fail;
	return n;
undo:
	if (own)
		run(s, ST_ROLLBACK);
fail:
	snprintf(err, errlen, "retention: %s", sqlite3_errmsg(s->db));
	return -1;
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

uint64_t
store_generation(struct store *s, int others)
{
	sqlite3_stmt *st = s->st[ST_DATA_VERSION];

	if (others) {
		if (sqlite3_step(st) == SQLITE_ROW)
			s->data_version = (uint64_t)sqlite3_column_int64(st,
			    0);
		sqlite3_reset(st);
	}
	/* Another connection's commits, then this one's. */
	return s->data_version << 40 ^ s->ends;
}

int
store_feed_errors(struct store *s, const char *names,
    void (*cb)(const char *name, int errors, void *arg), void *arg)
{
	sqlite3_stmt *st = s->st[ST_FEED_ERRORS];
	int rc;

	bind_text(st, 1, names);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		cb((const char *)sqlite3_column_text(st, 0),
		    sqlite3_column_int(st, 1), arg);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int64_t
store_next_poll(struct store *s)
{
	sqlite3_stmt *st = s->st[ST_NEXT_POLL];
	int64_t t = 0;

	if (sqlite3_step(st) == SQLITE_ROW)
		t = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return t;
}
