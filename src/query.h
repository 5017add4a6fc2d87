/*
 * query.h - the q= filter language (SPEC section 7) to a checked query.
 *
 * The text is parsed by our own small parser into a tree and compiled into
 * an FTS5 MATCH expression in which every user word is a quoted FTS5
 * string, so FTS5 or SQL syntax in the input is only ever text to search
 * for, plus conditions the store binds (sources, dates, a cursor):
 *
 *   word  "a phrase"  prefix*  -excluded  a OR b  (grouped terms)
 *   title:w  author:w  tag:w  feed:NAME
 *
 * Words are AND-ed; OR (in capitals) binds looser than AND; parentheses
 * group.  feed: is a condition on the source, not on the text, so it
 * stands at the top level only (feed:a feed:b: from either).
 *
 * Ownership: query_parse and query_params fill a struct query whose
 * strings are new; query_clear frees them.
 */
#ifndef QUERY_H
#define QUERY_H

#include <stddef.h>
#include <stdint.h>

#define QUERY_MAX_LEN	1024	/* bytes of q */
#define QUERY_MAX_TERMS	32
#define QUERY_MAX_DEPTH	8	/* nested parentheses */
#define QUERY_MAX_LIMIT	500	/* entries per page */

struct query {
	char	*match;		/* FTS5 expression entries must match, or NULL */
	char	*exclude;	/* FTS5 expression entries must not match, or NULL */
	char	*feeds;		/* source names joined by \x1f: from one of them */
	char	*not_feeds;	/* the same: from none of them */
	int	 no_feed;	/* the source conditions leave no source at all */
	int64_t	 since;		/* seconds since the epoch; 0: no bound */
	int64_t	 before;	/* a date cursor: sort keys below it; 0: none */
	int	 offset;	/* a relevance cursor: rows to skip */
	int	 relevance;	/* bm25 order (only with a match) */
	int	 limit;		/* entries per page; 0: the caller's default */
};

/*
 * Parses q (NULL or "" matches everything).  Returns 0 and fills *out (free
 * its strings with query_clear), or -1 with a one-line reason in err and
 * *out empty.  Borrows q.
 */
int	query_parse(const char *q, struct query *out, char *err, size_t errlen);

/* The parameters of a feed URL besides q (SPEC section 6); NULL: absent. */
struct query_params {
	const char	*q, *feed, *tag, *since, *limit, *sort, *cursor;
	const char	*base;	/* a channel's own q, AND-ed with q */
};
/*
 * q and the other parameters into *out: feed (names, comma-separated) and
 * tag narrow what q finds; since is an RFC 3339 date or a duration back
 * from now ("7d", "12h", "30m", "2w"); limit is 1 to QUERY_MAX_LIMIT
 * (default page_size); sort is "date" or "relevance"; cursor is what
 * query_cursor made.  0, or -1 with a one-line reason in err.
 */
int	query_params(const struct query_params *, int page_size, int64_t now,
	    struct query *out, char *err, size_t errlen);
/*
 * The cursor of the page after one whose last entry has sort key last
 * (date order) or that showed shown entries from q->offset (relevance),
 * written into out.
 */
void	query_cursor(const struct query *q, int64_t last, int shown,
	    char *out, size_t len);
void	query_clear(struct query *);

#endif
