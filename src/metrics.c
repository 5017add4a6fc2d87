/* metrics.c - counters in shared memory, written as Prometheus text. */
#include <sys/mman.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

/* Upper bounds of the histogram buckets, seconds (the last is +Inf). */
static const double fetch_bounds[METRICS_BUCKETS - 1] = {
	0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30
};
static const double response_bounds[METRICS_BUCKETS - 1] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5
};
static const int codes[METRICS_CODES - 1] = {
	200, 304, 400, 404, 405, 500, 503
};
static const char *const routes[R_COUNT] = {
	[R_PAGE] = "page", [R_FEED] = "feed", [R_CHANNEL] = "channel",
	[R_OPML] = "opml", [R_API] = "api", [R_HEALTHZ] = "healthz",
	[R_METRICS] = "metrics", [R_OTHER] = "other",
};
static const char *const outcomes[PO_COUNT] = {
	[PO_OK] = "ok", [PO_NOT_MODIFIED] = "not_modified",
	[PO_ERROR] = "error", [PO_GONE] = "gone",
};

struct metrics *
metrics_new(void)
{
	void *p = mmap(NULL, sizeof(struct metrics), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;	/* zero-filled */
}

void
metrics_free(struct metrics *m)
{
	if (m != NULL)
		munmap(m, sizeof(*m));
}

static void
add(uint64_t *v, uint64_t n)
{
	__atomic_fetch_add(v, n, __ATOMIC_RELAXED);
}

static uint64_t
get(const uint64_t *v)
{
	return __atomic_load_n(v, __ATOMIC_RELAXED);
}

static int
bucket(const double *bounds, double seconds)
{
	int i = 0;

	while (i < METRICS_BUCKETS - 1 && seconds > bounds[i])
		i++;
	return i;
}

void
metrics_poll(struct metrics *m, enum poll_outcome o, uint64_t bytes,
    double seconds, int new_entries, int updated, int duplicate)
{
	if (m == NULL)
		return;
	add(&m->polls[o], 1);
	add(&m->fetch_bytes, bytes);
	add(&m->fetch_le[bucket(fetch_bounds, seconds)], 1);
	add(&m->fetch_us, (uint64_t)(seconds * 1e6));
	add(&m->entries_new, (uint64_t)new_entries);
	add(&m->entries_updated, (uint64_t)updated);
	add(&m->entries_duplicate, (uint64_t)duplicate);
}

void
metrics_request(struct metrics *m, enum route r, int code, double seconds)
{
	int c = METRICS_CODES - 1;

	if (m == NULL)
		return;
	for (int i = 0; i < METRICS_CODES - 1; i++)
		if (codes[i] == code)
			c = i;
	add(&m->requests[r][c], 1);
	add(&m->response_le[bucket(response_bounds, seconds)], 1);
	add(&m->response_us, (uint64_t)(seconds * 1e6));
}

/* A histogram: cumulative buckets, +Inf, sum and count. */
static void
histogram(struct buf *out, const char *name, const double *bounds,
    const uint64_t *le, const uint64_t *us)
{
	uint64_t total = 0;

	for (int i = 0; i < METRICS_BUCKETS; i++) {
		total += get(&le[i]);
		if (i < METRICS_BUCKETS - 1)
			buf_printf(out, "%s_bucket{le=\"%g\"} %llu\n", name,
			    bounds[i], (unsigned long long)total);
		else
			buf_printf(out, "%s_bucket{le=\"+Inf\"} %llu\n", name,
			    (unsigned long long)total);
	}
	buf_printf(out, "%s_sum %.6f\n%s_count %llu\n", name,
	    (double)get(us) / 1e6, name, (unsigned long long)total);
}

void
metrics_render(const struct metrics *m, struct buf *out)
{
	uint64_t ok, nm;

	buf_puts(out, "# HELP sluice_polls_total Feed polls, by outcome.\n"
	    "# TYPE sluice_polls_total counter\n");
	for (int i = 0; i < PO_COUNT; i++)
		buf_printf(out, "sluice_polls_total{outcome=\"%s\"} %llu\n",
		    outcomes[i], (unsigned long long)get(&m->polls[i]));
	ok = get(&m->polls[PO_OK]);
	nm = get(&m->polls[PO_NOT_MODIFIED]);
	buf_printf(out, "# HELP sluice_poll_not_modified_ratio Successful "
	    "polls answered 304.\n"
	    "# TYPE sluice_poll_not_modified_ratio gauge\n"
	    "sluice_poll_not_modified_ratio %.4f\n", ok + nm > 0 ?
	    (double)nm / (double)(ok + nm) : 0.0);
	buf_printf(out, "# HELP sluice_fetch_bytes_total Bytes of feed "
	    "documents fetched, decoded.\n"
	    "# TYPE sluice_fetch_bytes_total counter\n"
	    "sluice_fetch_bytes_total %llu\n",
	    (unsigned long long)get(&m->fetch_bytes));
	buf_puts(out, "# HELP sluice_fetch_seconds How long a poll's "
	    "transfer took.\n# TYPE sluice_fetch_seconds histogram\n");
	histogram(out, "sluice_fetch_seconds", fetch_bounds, m->fetch_le,
	    &m->fetch_us);
	buf_printf(out, "# HELP sluice_entries_total Entries stored, by "
	    "kind.\n# TYPE sluice_entries_total counter\n"
	    "sluice_entries_total{kind=\"new\"} %llu\n"
	    "sluice_entries_total{kind=\"updated\"} %llu\n"
	    "sluice_entries_total{kind=\"duplicate\"} %llu\n",
	    (unsigned long long)get(&m->entries_new),
	    (unsigned long long)get(&m->entries_updated),
	    (unsigned long long)get(&m->entries_duplicate));
	buf_puts(out, "# HELP sluice_http_requests_total HTTP requests, by "
	    "route and status.\n# TYPE sluice_http_requests_total counter\n");
	for (int r = 0; r < R_COUNT; r++)
		for (int c = 0; c < METRICS_CODES; c++) {
			uint64_t v = get(&m->requests[r][c]);

			if (v == 0)
				continue;
			if (c < METRICS_CODES - 1)
				buf_printf(out, "sluice_http_requests_total{"
				    "route=\"%s\",code=\"%d\"} %llu\n",
				    routes[r], codes[c], (unsigned long long)v);
			else
				buf_printf(out, "sluice_http_requests_total{"
				    "route=\"%s\",code=\"other\"} %llu\n",
				    routes[r], (unsigned long long)v);
		}
	buf_puts(out, "# HELP sluice_http_response_seconds How long an "
	    "answer took.\n# TYPE sluice_http_response_seconds histogram\n");
	histogram(out, "sluice_http_response_seconds", response_bounds,
	    m->response_le, &m->response_us);
}
