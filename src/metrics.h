/*
 * metrics.h - the counters behind GET /metrics (Prometheus text format).
 *
 * They live in memory shared by the server and the workers it forks
 * (metrics_new maps it before the fork), and every update is an atomic
 * add, so each process counts what it does and /metrics, whichever
 * process answers, shows the sum.
 *
 * Ownership: metrics_new returns new; metrics_free unmaps it (NULL is a
 * no-op).  metrics_render appends to the caller's buffer.
 */
#ifndef METRICS_H
#define METRICS_H

#include <stdint.h>

#include "buf.h"

enum poll_outcome { PO_OK, PO_NOT_MODIFIED, PO_ERROR, PO_GONE, PO_COUNT };
enum route { R_PAGE, R_FEED, R_CHANNEL, R_OPML, R_API, R_HEALTHZ,
	R_METRICS, R_OTHER, R_COUNT };

#define METRICS_CODES	8	/* 200 304 400 404 405 500 503, other */
#define METRICS_BUCKETS	10	/* histogram buckets, +Inf included */

struct metrics {
	uint64_t	polls[PO_COUNT];
	uint64_t	fetch_bytes;
	uint64_t	fetch_le[METRICS_BUCKETS];	/* not cumulative */
	uint64_t	fetch_us;			/* sum, microseconds */
	uint64_t	entries_new, entries_updated, entries_duplicate;
	uint64_t	requests[R_COUNT][METRICS_CODES];
	uint64_t	response_le[METRICS_BUCKETS];
	uint64_t	response_us;
};

struct metrics	*metrics_new(void);
void		 metrics_free(struct metrics *);
/* One finished poll: its outcome, bytes, duration and entry counts. */
void		 metrics_poll(struct metrics *, enum poll_outcome,
		    uint64_t bytes, double seconds, int new_entries,
		    int updated, int duplicate);
/* One answered request. */
void		 metrics_request(struct metrics *, enum route, int code,
		    double seconds);
/* The counters and histograms, as Prometheus text. */
void		 metrics_render(const struct metrics *, struct buf *out);

#endif
