/*
 * render.h - documents out of query results: Atom 1.0, RSS 2.0, JSON Feed
 * 1.1, the HTML page, and the JSON of `sluice parse --json`.  No I/O: everything is appended to a
 * struct buf.  XML is written with xmlTextWriter, JSON with SQLite's JSON1;
 * nothing is escaped by hand.
 */
#ifndef RENDER_H
#define RENDER_H

#include <stddef.h>

#include "buf.h"
#include "parse.h"
#include "store.h"

/* What a rendered feed says about itself.  All borrowed. */
struct render_ctx {
	const char	*title;		/* the feed's title */
	const char	*self;		/* its absolute URL */
	const char	*id;		/* its id, the same on every page; NULL: self */
	const char	*next;		/* the next page's URL (RFC 5005), or NULL */
	const char	*alt_rss;	/* the HTML page: its query as RSS, */
	const char	*alt_json;	/* and as JSON Feed (self: as Atom) */
	const char	*home;		/* the HTML page (base_url) */
	const char	*query;		/* q as given, for the HTML page */
	const char	*error;		/* a message for the HTML page, or NULL */
	const char	*const *channels;	/* channel names, NULL-ended */
};

/* Each returns 0, or -1 when the writer failed (out is then undefined). */
int	render_atom(const struct render_ctx *, const struct item *, size_t,
	    struct buf *out);
int	render_html(const struct render_ctx *, const struct item *, size_t,
	    struct buf *out);
int	render_text(const struct item *, size_t, struct buf *out);
/*
 * RSS 2.0, each item with its guid (isPermaLink="false"), its source, an
 * <author> only when the author is an e-mail address (dc:creator
 * otherwise); atom:link for self and next.
 */
int	render_rss(const struct render_ctx *, const struct item *, size_t,
	    struct buf *out);
/* A source for render_opml.  All borrowed. */
struct opml_source {
	const char	*name;
	const char	*title;		/* NULL: the name */
	const char	*url;		/* the feed's own URL */
	const char	*tags;		/* "a, b", or NULL */
};
/*
 * OPML 2.0 of the sources: an outline each, type "rss", its text the
 * feed's name, its title the configured one, its xmlUrl, its tags as the
 * category: what [include] opml reads back into the same feeds.
 */
int	render_opml(const char *title, const struct opml_source *, size_t,
	    struct buf *out);
/* JSON Feed 1.1, written with SQLite's JSON1. */
int	render_json(const struct render_ctx *, const struct item *, size_t,
	    struct buf *out);

/*
 * `sluice parse --json`, written as the entries come: json_out_open, then
 * each entry (comma-separated by the caller), then json_out_close.  The
 * object is {"format", "entries": [...], "feed": {...}, "bozo",
 * "bozo_reason"}.  struct json_out is opaque: json_out_new returns new,
 * json_out_free frees (NULL is a no-op).  Each returns 0 or -1.
 */
struct json_out;
struct json_out	*json_out_new(void);
void		 json_out_free(struct json_out *);
int		 json_out_open(struct json_out *, const char *format,
		    struct buf *out);
int		 json_out_entry(struct json_out *, const struct entry *,
		    struct buf *out);
int		 json_out_close(struct json_out *, const struct feed_doc *,
		    struct buf *out);
/* A JSON array of the n strings of v. */
int		 json_out_strings(struct json_out *, char *const *v, size_t n,
		    struct buf *out);
/*
 * `sluice feeds` as a table (aligned, or tab-separated when tsv) from the
 * JSON array store_feeds_json gives.
 */
int		 render_feeds_table(struct json_out *, const char *feeds,
		    int tsv, struct buf *out);
/* The whole document at once. */
int		 render_parse_json(const struct feed_doc *, struct buf *out);

#endif
