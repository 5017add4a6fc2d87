/*
 * fetch.h - transfers: curl's multi-socket API driven by the libevent loop
 * (the shape of curl's docs/examples/hiperfifo.c).  One connection cache is
 * shared by all transfers.  No thread, no blocking call.
 *
 * Redirects are followed here, not by curl, so that each hop is judged:
 * at most 5, http(s) only, never from https to http; a chain of permanent
 * ones (301, 308) from the start is reported as moved_to, for the caller to
 * store once it has seen the same target often enough.  Every connection
 * goes through the address policy of addr.h.
 *
 * Ownership: struct fetcher is opaque, fetcher_new returns new,
 * fetcher_free drops every transfer still running (their callbacks are not
 * called) and frees.  A struct fetch_result is borrowed by the callback for
 * the duration of the call.
 */
#ifndef FETCH_H
#define FETCH_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "buf.h"

struct fetcher;

struct fetch_opts {
	const char	*user_agent;
	int64_t		 timeout;	/* seconds, whole transfer */
	int64_t		 max_size;	/* bytes after decoding */
	int		 allow_private;	/* connect to private addresses */
	const char	*allow;		/* "ADDR:PORT, ..." allowed anyway */
};

struct fetch_result {
	int		 ok;		/* 1: a body, or a 304 */
	long		 status;	/* HTTP status, 0 for file: */
	char		 error[256];	/* when !ok: why, one line */
	const char	*error_class;	/* when !ok: "dns", "connect",
					 * "blocked", "timeout", "tls", "http",
					 * "too_large", "redirect", "network" */
	struct buf	 body;
	const char	*etag;		/* response validators, or NULL */
	const char	*last_modified;
	const char	*content_type;
	const char	*url;		/* the URL that answered */
	const char	*moved_to;	/* a permanent redirect's target, or NULL */
	int		 redirects;	/* hops followed */
	int64_t		 retry_after;	/* seconds, or -1 (none or garbage) */
	int64_t		 max_age;	/* Cache-Control max-age, or -1 */
	int64_t		 expires_in;	/* Expires - Date, seconds, or -1 */
	double		 seconds;	/* the transfer's, redirects included */
};

typedef void	fetch_cb(const struct fetch_result *, void *arg);

/* Borrows opts' strings for its lifetime.  NULL when allow is malformed. */
struct fetcher	*fetcher_new(struct event_base *, const struct fetch_opts *);
void		 fetcher_free(struct fetcher *);
/*
 * Starts fetching url; etag and last_modified (may be NULL) make it a
 * conditional GET.  cb is called once from the loop when it ends.  Borrows
 * its arguments.  0, or -1 when the transfer could not start.
 */
int		 fetch_start(struct fetcher *, const char *url,
		    const char *etag, const char *last_modified,
		    fetch_cb *cb, void *arg);

#endif
