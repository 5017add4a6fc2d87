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
	char	*tags;		/* categories separated by \x1f, or NULL */
	int64_t	 published;	/* DATE_NONE when absent */
	int64_t	 updated;	/* DATE_NONE when absent */
	int64_t	 date;		/* published, else updated, else first seen */
};

/* Counts of one poll. */
struct poll_counts {
	int	 new;
	int	 updated;
	int	 unchanged;
};

/* The HTTP validators of the last successful fetch of a feed. */
struct validators {
	char	*etag;
	char	*last_modified;
};

/* Opens (creating or migrating) the database at path; NULL + err. */
struct store	*store_open(const char *path, char *err, size_t errlen);
void		 store_close(struct store *);

/*
 * Makes sure a row exists for a configured feed and returns its id in *id,
 * updating its URL and configured title (NULL: the feed's own).  0 or -1.
 */
int	store_feed_ensure(struct store *, const char *name, const char *url,
	    const char *title, int64_t *id);
/* The saved validators of a feed (fills new strings, maybe NULL). */
int	store_feed_validators(struct store *, int64_t feed_id,
	    struct validators *);
void	validators_clear(struct validators *);

/*
 * Commits one successful poll atomically: the entries of doc (deduplicated
 * by the feed's own identity of each entry), the feed's title and link, and
 * the validators, in one transaction.  now is seconds since the epoch.
 */
int	store_feed_commit(struct store *, int64_t feed_id,
	    const struct feed_doc *, const struct validators *, int http_status,
	    int64_t now, struct poll_counts *, char *err, size_t errlen);
/* Records a 304: nothing but the poll time. */
int	store_feed_unchanged(struct store *, int64_t feed_id, int64_t now);
/* Records a failed poll. */
int	store_feed_error(struct store *, int64_t feed_id, int http_status,
	    const char *error, int64_t now);

/* When the feed is next due (seconds since the epoch; 0: now). */
int	store_feed_schedule(struct store *, int64_t feed_id, int64_t next_poll);
int64_t	store_feed_next_poll(struct store *, int64_t feed_id);

/*
 * The entries matching q (restricted to the feeds named in the
 * comma-separated feeds when not NULL), newest first.  Returns 0 and an
 * array of *n items, or -1 with a reason in err.
 */
int	store_items(struct store *, const struct query *q, struct item **out,
	    size_t *n, char *err, size_t errlen);
void	store_items_free(struct item *, size_t);

/* 0 when the database answers. */
int	store_ping(struct store *);

#endif
