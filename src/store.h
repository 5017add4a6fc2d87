/*
 * store.h - the SQLite store: schema and migrations, one transaction per
 * feed poll, entries deduplicated within a feed, the FTS5 index, queries.
 * Only this module touches SQLite (but for render's JSON helper).
 *
 * Ownership: struct store is opaque, made by store_open, freed by
 * store_close.  Items returned by store_items are new; free them with
 * store_items_free.
 */
#ifndef STORE_H
#define STORE_H

#include <stddef.h>
#include <stdint.h>

#include "parse.h"
#include "query.h"

struct store;

/* An entry as stored, with the feed it came from: what render needs. */
struct item {
	int64_t	 id;
	char	*uid;		/* "urn:uuid:...", stable forever */
	char	*feed_name;
	char	*feed_title;	/* the configured or the feed's own title */
	char	*feed_url;
	char	*feed_link;
	char	*feed_id;	/* the feed's own id (Atom), or NULL */
	int64_t	 feed_updated;	/* the feed's own date, else its last poll */
	char	*title;
	char	*link;
	char	*author;
	char	*text;		/* plain text of summary and content */
	char	*html;		/* content, else summary, as the feed gave it:
				 * untrusted, for html_sanitize */
	char	*tags;		/* categories separated by \x1f, or NULL */
	int64_t	 published;	/* DATE_NONE when absent */
	int64_t	 updated;	/* DATE_NONE when absent */
	int64_t	 date;		/* published, else updated, else first seen */
	int64_t	 sort;		/* its place, newest first: a paging cursor */
};

/* Counts of one poll. */
struct poll_counts {
	int	 new;		/* new stories */
	int	 duplicate;	/* new sources of stories known from others */
	int	 updated;
	int	 unchanged;
	int	 churned;	/* known entries under a new guid */
};

/* The HTTP validators of the last successful fetch of a feed. */
struct validators {
	char	*etag;
	char	*last_modified;
};

/*
 * Opens (migrating) the database at path; NULL + err.  One that is not
 * there is made whole as PATH.new and linked into place; an existing file
 * that is empty, truncated or not SQLite is refused, never made anew, and
 * so is one that cannot be written or whose folder cannot (the -wal and
 * -shm files go there).
 */
struct store	*store_open(const char *path, char *err, size_t errlen);
void		 store_close(struct store *);

/*
 * Makes sure a row exists for a configured feed and returns its id in *id,
 * updating its URL and configured title (NULL: the feed's own).  0 or -1.
 */
int	store_feed_ensure(struct store *, const char *name, const char *url,
	    const char *title, int64_t *id);
void	validators_clear(struct validators *);

/*
 * Commits one successful poll atomically: the entries of doc (deduplicated
 * by the feed's own identity of each entry), the feed's title and link, and
 * the validators, in one transaction -- or in a savepoint of the caller's
 * transaction (store_tx_begin), so that several polls share one commit.
 * now is seconds since the epoch.
 */
int	store_feed_commit(struct store *, int64_t feed_id,
	    const struct feed_doc *, const struct validators *, int64_t now,
	    struct poll_counts *, char *err, size_t errlen);

/* What the poller remembers of a feed across restarts.  Strings new. */
struct feed_memory {
	char	*url;		/* the URL to poll */
	char	*etag, *last_modified;
	char	*moved_to;
	int	 moved_count;
	int64_t	 next_poll;	/* seconds since the epoch; 0: now */
	int	 consecutive_errors;
	int	 gone;
	int64_t	 ttl;		/* the last parsed document's hints */
	uint32_t skip_hours;
	uint8_t	 skip_days;
	uint64_t outcome;	/* a hash of the last outcome written; 0: none */
};

/* What one poll of a feed left, recorded in its row.  Strings borrowed. */
struct feed_status {
	int64_t		 id;
	const char	*state;		/* "ok", "error" or "gone" */
	int		 http_status;	/* 0: none */
	const char	*error;		/* NULL after a success */
	const char	*error_class;
	int64_t		 attempt;	/* when, seconds since the epoch */
	int		 success;	/* last_success = attempt */
	int64_t		 next_poll;	/* seconds since the epoch; 0: never */
	int		 consecutive_errors;
	int64_t		 bytes;
	int		 new_entries, updated_entries;
	int64_t		 interval;	/* seconds */
	const char	*moved_to;	/* a permanent redirect seen, or NULL */
	int		 moved_count;	/* on this many polls in a row */
	const char	*url;		/* the URL to poll from now on, or NULL */
	int64_t		 ttl;		/* the feed's scheduling hints, */
	uint32_t	 skip_hours;	/* kept for the 304s to come */
	uint8_t		 skip_days;
};
/*
 * Records a poll: its times always, the rest of the outcome only when it
 * differs from the last one written, as m remembers it (m->outcome is
 * updated; m may be NULL: always written).  0, or -1.
 */
int	store_feed_status(struct store *, const struct feed_status *,
	    struct feed_memory *m);
int	store_feed_load(struct store *, int64_t feed_id, struct feed_memory *);
/* store_feed_ensure, and the feed's memory in the same statement. */
int	store_feed_open(struct store *, const char *name, const char *url,
	    const char *title, int64_t *id, struct feed_memory *);
void	feed_memory_clear(struct feed_memory *);

/* A configured feed to open: name, url and title in; id and memory out. */
struct feed_open {
	const char		*name, *url, *title;	/* borrowed */
	int64_t			 id;
	struct feed_memory	 mem;			/* new */
};
/*
 * store_feed_open for each of n feeds, reading the table once: what is as
 * configured is read, the rest written.  0, or -1 with a reason in err
 * (the memories filled so far are the caller's to clear).
 */
int	store_feeds_open(struct store *, struct feed_open *, size_t n,
	    char *err, size_t errlen);
/* Entries per week over the last four weeks. */
double	store_feed_rate(struct store *, int64_t feed_id, int64_t now);
/*
 * The status of the feeds named in names (a JSON array of strings), as a
 * JSON array of objects in that order (SPEC section 3).  Returns new.
 */
char	*store_feeds_json(struct store *, const char *names);

/* One transaction around several polls' writes (one fsync for all). */
int	store_tx_begin(struct store *);
int	store_tx_commit(struct store *);	/* rolls back on failure */

/*
 * The stories matching q, newest first.  Returns 0 and an array of *n
 * items; 1 and the same when a search could not index the backlog first
 * (another process holds the write lock, the disk is full: the newest
 * entries may be missing; err says why); or -1 with a reason in err, -2
 * when the query ran past its budget (store_query_budget).
 */
int	store_items(struct store *, const struct query *q, struct item **out,
	    size_t *n, char *err, size_t errlen);
/*
 * The longest store_items may run, in milliseconds (0: no limit, the
 * default); past it the query is interrupted and store_items returns -2
 * with a reason in err.
 */
void	store_query_budget(struct store *, int ms);
void	store_items_free(struct item *, size_t);

/*
 * Brings the full-text index up to date with at most max entries of its
 * backlog (0: all of it), in the caller's transaction or one of its own.
 * Returns how many entries it indexed (0: none were waiting), or -1 with a
 * reason in err.  store_items does it before every search.
 */
int	store_index(struct store *, int max, char *err, size_t errlen);

/*
 * How long a write waits for another process's write lock before it fails
 * with "database is locked" (5 s unless set).  The server sets less: its
 * loop must not stop for long.
 */
void	store_busy_timeout(struct store *, int ms);

/*
 * Retention (SPEC section 5), 0 meaning no limit: store_feed_commit keeps
 * the newest keep_per_feed entries of the feed it commits, store_prune
 * those of the last keep_days.  The others become tombstones: out of every
 * output and of the index, their identity kept so that a feed still
 * listing one does not bring it back; tombstones go after 180 days
 * without being listed.  store_prune makes at most max of them (0: no
 * limit), oldest first, going on from where its last call stopped, so a
 * large pass can be made in steps that each hold the loop briefly; it
 * returns how many it made (fewer than max: the pass is done, and old
 * tombstones are dropped), or -1 with a reason in err.
 */
void	store_retention(struct store *, int64_t keep_days,
	    int64_t keep_per_feed);
int	store_prune(struct store *, int64_t now, int max, char *err,
	    size_t errlen);

/*
 * Checks the database file and the full-text index against the entries
 * (indexing the backlog first).  0, or -1 with the first problem in err.
 */
int	store_check(struct store *, char *err, size_t errlen);

/* 0 when the database answers. */
int	store_ping(struct store *);
/*
 * A number that changes whenever what a read of this connection sees may
 * have changed: a transaction of its own ended (committed or rolled back),
 * or, when others is set, another connection committed (a read of PRAGMA
 * data_version; without others, the last one read counts).  For caches of
 * rendered results.
 */
uint64_t store_generation(struct store *, int others);
/*
 * cb for each feed named in names (a JSON array of strings), in that
 * order, with its count of consecutive errors.  0, or -1.
 */
int	store_feed_errors(struct store *, const char *names,
	    void (*cb)(const char *name, int errors, void *arg), void *arg);
/* The soonest next poll of the feeds still polled (seconds); 0: none. */
int64_t	store_next_poll(struct store *);

#endif
