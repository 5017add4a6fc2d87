/*
 * conf.h - the INI config file (SPEC section 2) as an immutable struct conf.
 *
 * conf_load() reads and checks the whole file and reports every error as
 * "FILE:LINE: reason" lines in errs, not only the first.  Paths and file:
 * URLs are resolved against the config file's folder, so every path and URL
 * in a struct conf is absolute.
 */
#ifndef CONF_H
#define CONF_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct feed_conf {
	char	*name;
	char	*url;		/* absolute http(s):// or file:// URL */
	char	*host;		/* url's host, "" for file: */
	char	*title;		/* NULL: the feed's own title */
	char	*tags;		/* "a, b" as written, or NULL */
	int64_t	 interval;	/* seconds; 0 means the [poll] interval */
	int	 line;		/* of its section, or of its [include] */
	char	*origin;	/* from OPML: "FILE:LINE" of its outline */
};

struct channel_conf {
	char	*name;
	char	*query;		/* the q language; checked by the caller */
	char	*title;		/* NULL: the name */
	int	 line;
};

struct conf {
	char	*path;		/* absolute path of the file read */
	char	*dir;		/* its folder */

	char	*listen;	/* "ADDR:PORT" */
	char	*base_url;	/* ends with '/' */
	char	*title;
	int64_t	 page_size;
	int64_t	 workers;	/* processes answering HTTP: 1 polls too */
	int64_t	 max_connections;	/* open at once, per process */
	int64_t	 request_timeout;	/* seconds for a request's head */
	int64_t	 idle_timeout;	/* seconds without a byte read or written */
	int64_t	 query_timeout;	/* ms one search may take */

	char	*store_path;	/* absolute */
	int64_t	 keep_days;
	int64_t	 keep_per_feed;

	int64_t	 interval, min_interval, max_interval;	/* seconds */
	int64_t	 concurrency, per_host;
	int64_t	 timeout;	/* seconds */
	int64_t	 max_size;	/* bytes */
	char	*user_agent;
	int	 allow_private;
	char	*allow;		/* "ADDR:PORT, ..." allowed though private */

	struct feed_conf	*feeds;
	size_t			 nfeeds;
	struct channel_conf	*channels;
	size_t			 nchannels;
};

/*
 * Reads and checks the file at path.  Returns new (free with conf_free), or
 * NULL with one "FILE:LINE: reason\n" line per error appended to errs.
 */
struct conf	*conf_load(const char *path, struct buf *errs);
/* The same over text already in memory; path names it in errors. */
struct conf	*conf_parse(const char *text, const char *path,
		    struct buf *errs);
void		 conf_free(struct conf *);

/* The feed's effective poll interval in seconds, clamped to min..max. */
int64_t		 conf_feed_interval(const struct conf *,
		    const struct feed_conf *);
const struct feed_conf		*conf_feed(const struct conf *, const char *);
const struct channel_conf	*conf_channel(const struct conf *,
				    const char *);

/* "90s", "30m", "2h", "7d", "1w" or bare seconds; 0 or -1. */
int		 conf_duration(const char *, int64_t *);
/* The same, or "250ms", in milliseconds. */
int		 conf_duration_ms(const char *, int64_t *);
/* "512K", "10M", "1G" (powers of 1024) or bare bytes; 0 or -1. */
int		 conf_size(const char *, int64_t *);

#endif
