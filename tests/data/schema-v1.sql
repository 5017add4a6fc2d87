-- The schema of version 1 (sluice 0.1.0 before polling state), as src/store.c
-- created it, with a feed and two entries: t_store upgrades it in place.
CREATE TABLE feeds (  id INTEGER PRIMARY KEY,  name TEXT NOT NULL UNIQUE,  url TEXT NOT NULL, conf_title TEXT,  title TEXT, link TEXT, feed_id TEXT, updated INTEGER,  etag TEXT, last_modified TEXT,  http_status INTEGER, error TEXT,  consecutive_errors INTEGER NOT NULL DEFAULT 0,  last_attempt INTEGER, last_success INTEGER, next_poll INTEGER);
CREATE TABLE entries (  id INTEGER PRIMARY KEY,  feed INTEGER NOT NULL REFERENCES feeds(id),  key TEXT NOT NULL,  uid TEXT NOT NULL UNIQUE,  version INTEGER NOT NULL DEFAULT 1,  guid TEXT, title TEXT, link TEXT, author TEXT,  summary TEXT, content TEXT, text TEXT, tags TEXT,  published INTEGER, updated INTEGER,  first_seen INTEGER NOT NULL, date INTEGER NOT NULL,  UNIQUE (feed, key));
CREATE INDEX entries_date ON entries(date DESC, id DESC);
CREATE VIRTUAL TABLE entries_fts USING fts5(  title, text, author, tags, content='entries', content_rowid='id',  tokenize='unicode61 remove_diacritics 2', prefix='2 3');
CREATE TRIGGER entries_ai AFTER INSERT ON entries BEGIN  INSERT INTO entries_fts(rowid, title, text, author, tags)  VALUES (new.id, new.title, new.text, new.author, new.tags);
END;
CREATE TRIGGER entries_ad AFTER DELETE ON entries BEGIN  INSERT INTO entries_fts(entries_fts, rowid, title, text, author,  tags) VALUES ('delete', old.id, old.title, old.text, old.author,  old.tags);
END;
CREATE TRIGGER entries_au AFTER UPDATE ON entries BEGIN  INSERT INTO entries_fts(entries_fts, rowid, title, text, author,  tags) VALUES ('delete', old.id, old.title, old.text, old.author,  old.tags);
  INSERT INTO entries_fts(rowid, title, text, author, tags)  VALUES (new.id, new.title, new.text, new.author, new.tags);
END;

INSERT INTO feeds(id, name, url, conf_title, title, etag, last_attempt, last_success, next_poll) VALUES (1, 'old', 'https://old.example/feed.xml', NULL, 'Old feed', '"v1"', 1000, 1000, 2000);
INSERT INTO entries(feed, key, uid, guid, title, link, summary, text, tags, published, first_seen, date) VALUES (1, 'g:a', 'urn:uuid:00000000-0000-4000-8000-000000000001', 'a', 'Old entry A', 'https://old.example/a', '<p>alpha text</p>', 'alpha text', NULL, 900, 1000, 900), (1, 'g:b', 'urn:uuid:00000000-0000-4000-8000-000000000002', 'b', 'Old entry B', 'https://old.example/b', 'beta text', 'beta text', NULL, 950, 1000, 950);
PRAGMA user_version = 1;
