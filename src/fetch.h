/*
 * fetch.h - transfers: curl's multi-socket API driven by the libevent loop
 * (the shape of curl's docs/examples/hiperfifo.c).  One connection cache is
 * shared by all transfers.  No thread, no blocking call.
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
};

struct fetch_result {
	int		 ok;		/* 1: a body (or a 304) arrived */
	long		 status;	/* HTTP status, 0 for file: */
	char		 error[256];	/* when !ok: why, one line */
	struct buf	 body;
	const char	*etag;		/* response validators, or NULL */
	const char	*last_modified;
	const char	*content_type;
	const char	*url;		/* the effective URL */
};

typedef void	fetch_cb(const struct fetch_result *, void *arg);

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
/* Transfers in flight. */
size_t		 fetcher_running(const struct fetcher *);

#endif
