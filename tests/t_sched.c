/*
 * t_sched.c - the scheduler: heap order, limits, host queues and blocks,
 * every rule of its policy, and a property test over 100,000 polls.
 *
 * The scheduler keeps no clock of its own, so every time here is made up.
 * Randomness comes from a fixed-seed splitmix64 so that a failure repeats.
 * Exact delays use jitter 0; jittered ones are checked against bounds.
 */

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sched.h"
#include "tap.h"

#define NFEEDS	1000
#define MIN_S	300
#define MAX_S	86400
#define DEF_S	1800
#define MONDAY	INT64_C(1704067200)	/* 2024-01-01 00:00:00 UTC */
#define BIG	(INT64_MAX / 4)

static uint64_t rng_state = 0x5eed;

static uint64_t
rng(void)
{
	uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* A uniform integer in [0, n). */
static int64_t
rnd(int64_t n)
{
	return (int64_t)(rng() % (uint64_t)n);
}

/* min 300 s, max 24 h, default 30 min, jitter 0, limits out of the way. */
static struct sched_conf
exact_conf(void)
{
	struct sched_conf c = {
		.interval = DEF_S, .min_interval = MIN_S,
		.max_interval = MAX_S, .concurrency = INT_MAX,
		.per_host = INT_MAX, .jitter = 0, .seed = 1,
	};

	return c;
}

/* A plain 200: no hints, frequency unknown, on a Monday at midnight. */
static struct sched_outcome
ok200(void)
{
	struct sched_outcome o = {
		.ok = 1, .status = 200, .retry_after = -1, .max_age = -1,
		.expires_in = -1, .ttl = -1, .entries_per_week = -1,
		.wall_now = MONDAY,
	};

	return o;
}

static struct sched_outcome
failed(int status, int64_t retry_after)
{
	struct sched_outcome o = ok200();

	o.ok = 0;
	o.status = status;
	o.retry_after = retry_after;
	return o;
}

/*
 * Puts feed i due at now, takes it and finishes it with o: the delay in
 * ms, SCHED_NEVER if retired, or -1 if it was not handed out.
 */
static int64_t
poll(struct sched *s, size_t i, int64_t now, const struct sched_outcome *o)
{
	size_t got = SIZE_MAX;
	int64_t due;

	sched_due(s, i, now);
	if (!sched_take(s, now, &got) || got != i)
		return -1;
	due = sched_done(s, i, now, o);
	return due == SCHED_NEVER ? SCHED_NEVER : due - now;
}

/* The heap. */

static struct sched *
plain(size_t n)
{
	struct sched_conf c = exact_conf();

	return sched_new(&c, n);
}

/*
 * Takes everything due at now; checks nondecreasing deadlines against want
 * (ties in index order) and that each feed comes out once.  Returns the
 * number taken, or -1 on the first disorder.
 */
static long
drain(struct sched *s, int64_t now, const int64_t *want, size_t n)
{
	unsigned char *seen = calloc(n, 1);
	int64_t last = INT64_MIN;
	size_t feed, prev = 0;
	long count = 0;

	while (sched_take(s, now, &feed)) {
		if (feed >= n || seen[feed] || want[feed] < last ||
		    (want[feed] == last && feed < prev) || want[feed] > now) {
			diag("  feed %zu out of order", feed);
			count = -1;
			break;
		}
		seen[feed] = 1;
		last = want[feed];
		prev = feed;
		count++;
	}
	free(seen);
	return count;
}

static void
test_empty(void)
{
	struct sched *s = plain(4);
	size_t feed = 77;

	is_int(SCHED_NEVER, sched_wake(s, 0), "empty: SCHED_NEVER");
	is_int(0, sched_take(s, INT64_MAX, &feed), "empty: nothing due, "
	    "even at the end of time");
	is_int(77, (long long)feed, "  and feed is left alone");
	sched_retire(s, 2);
	is_int(SCHED_NEVER, sched_wake(s, 0), "retiring an idle feed");
	is_int(0, (long long)sched_running(s), "  none running");
	sched_free(s);
	sched_free(NULL);
	ok(1, "sched_free(NULL) is a no-op");

	s = plain(0);
	sched_due(s, 0, 5);
	sched_feed(s, 0, "a", 0);
	is_int(SCHED_NEVER, sched_wake(s, 0), "no feeds: due is ignored");
	is_int(SCHED_NEVER, sched_done(s, 0, 0, NULL), "  and done");
	sched_free(s);
}

static void
test_order(void)
{
	struct sched *s = plain(NFEEDS);
	int64_t *due = calloc(NFEEDS, sizeof(*due)), min = INT64_MAX;

	for (size_t i = 0; i < NFEEDS; i++) {
		/* Few distinct values, so that there are ties. */
		due[i] = 1000 + rnd(5000);
		if (due[i] < min)
			min = due[i];
		sched_due(s, i, due[i]);
	}
	is_int(min, sched_wake(s, 0), "the earliest of %d deadlines", NFEEDS);
	is_int(NFEEDS, drain(s, BIG, due, NFEEDS),
	    "%d feeds come out in order (ties by index), each once", NFEEDS);
	is_int(NFEEDS, (long long)sched_running(s), "  all running");
	is_int(SCHED_NEVER, sched_wake(s, BIG), "  none scheduled");
	sched_free(s);

	/* Again, after moving half of them and retiring a tenth. */
	s = plain(NFEEDS);
	for (size_t i = 0; i < NFEEDS; i++)
		sched_due(s, i, due[i]);
	for (size_t i = 0; i < NFEEDS; i += 2) {
		due[i] = 1000 + rnd(5000);
		sched_due(s, i, due[i]);
	}
	for (size_t i = 0; i < NFEEDS; i += 10)
		sched_retire(s, i);
	is_int(NFEEDS - NFEEDS / 10, drain(s, BIG, due, NFEEDS),
	    "after moves and retirements: in order, retired ones gone");
	sched_free(s);

	/* Large and negative deadlines. */
	s = plain(NFEEDS);
	for (size_t i = 0; i < NFEEDS; i++) {
		due[i] = (int64_t)(rng() >> 2) - (INT64_C(1) << 61);
		sched_due(s, i, due[i]);
	}
	is_int(NFEEDS, drain(s, INT64_MAX, due, NFEEDS),
	    "the int64 range comes out in order");
	free(due);
	sched_free(s);
}

static void
test_moves(void)
{
	struct sched *s = plain(6);
	size_t feed = 99;

	sched_due(s, 0, 100);
	sched_due(s, 1, 200);
	sched_due(s, 2, 300);
	sched_due(s, 3, 400);
	is_int(100, sched_wake(s, 0), "four feeds: 100 first");
	is_int(300, sched_next(s, 2), "  feed 2 due at 300");

	sched_due(s, 3, 50);
	is_int(50, sched_wake(s, 0), "a deadline moved earlier comes first");
	ok(sched_take(s, 50, &feed) && feed == 3, "  and is taken first");
	sched_due(s, 3, 400);
	is_int(SCHED_NEVER, sched_next(s, 3), "sched_due of a running feed: "
	    "ignored");
	sched_done(s, 3, 60, NULL);
	sched_due(s, 3, 400);

	sched_due(s, 0, 1000);
	is_int(200, sched_wake(s, 0), "the first moved later: the next one");
	ok(sched_take(s, 200, &feed) && feed == 1, "  feed 1 at 200");
	ok(sched_take(s, 300, &feed) && feed == 2, "  feed 2 at 300");
	ok(sched_take(s, 400, &feed) && feed == 3, "  feed 3 at 400");
	ok(!sched_take(s, 999, &feed), "  feed 0 not due at 999");
	ok(sched_take(s, 1000, &feed) && feed == 0, "  feed 0 at 1000");
	is_int(SCHED_NEVER, sched_wake(s, 1000), "  then nothing scheduled");

	/* Setting thrice keeps one entry. */
	sched_due(s, 4, 10);
	sched_due(s, 4, 10);
	sched_due(s, 4, 20);
	ok(sched_take(s, 100, &feed) && feed == 4, "set thrice: taken");
	ok(!sched_take(s, 100, &feed), "  once");

	/* Out-of-range feeds are ignored. */
	sched_due(s, 6, 1);
	sched_due(s, SIZE_MAX, 1);
	is_int(SCHED_NEVER, sched_wake(s, 0), "due of feed 6 of 6 ignored");
	sched_due(s, 5, 7);
	sched_retire(s, 6);
	sched_retire(s, SIZE_MAX);
	sched_feed(s, 6, "x", 1);
	is_int(7, sched_wake(s, 0), "retire of feed 6 of 6 ignored");
	is_int(0, sched_errors(s, 6), "  errors of feed 6: 0");
	is_int(SCHED_NEVER, sched_next(s, 6), "  next of feed 6: never");
	sched_free(s);
}

static void
test_now(void)
{
	struct sched *s = plain(3);
	size_t feed = 42;

	sched_due(s, 0, 1000);
	sched_due(s, 1, 2000);
	sched_due(s, 2, 3000);
	is_int(0, sched_take(s, 999, &feed), "nothing due before 1000");
	is_int(42, (long long)feed, "  feed untouched");
	is_int(1000, sched_wake(s, 999), "  wake at 1000");
	is_int(1, sched_take(s, 1000, &feed), "due exactly at its time");
	is_int(0, (long long)feed, "  feed 0");
	is_int(2000, sched_wake(s, 1000), "  off the schedule");
	is_int(1, sched_take(s, 5000, &feed), "late: still due");
	is_int(1, (long long)feed, "  feed 1 first");
	is_int(1, sched_take(s, 5000, &feed), "  then");
	is_int(2, (long long)feed, "  feed 2");
	is_int(0, sched_take(s, 5000, &feed), "  then none");
	is_int(3, (long long)sched_running(s), "  3 running");
	sched_free(s);
}

/* The base interval. */

static void
test_base_interval(void)
{
	static const struct {
		int64_t	 own;	/* the feed's own interval */
		double	 epw;	/* entries per week */
		int64_t	 want;	/* seconds */
		const char *what;
	} t[] = {
		{ 3600, -1, 3600, "own interval" },
		{ 60, -1, MIN_S, "own interval below min: min" },
		{ 200000, -1, MAX_S, "own interval above max: max" },
		{ 3600, 672, 3600, "own interval beats the frequency" },
		{ 0, -1, DEF_S, "adaptive, frequency unknown: default" },
		{ 0, 0, MAX_S, "adaptive, never publishes: max" },
		{ 0, 7, 86400, "adaptive, daily: a day" },
		{ 0, 14, 43200, "adaptive, twice a day: 12 h" },
		{ 0, 168, 3600, "adaptive, hourly: an hour" },
		{ 0, 1000, 605, "adaptive, 1000 a week: 605 s" },
		{ 0, 10000, MIN_S, "adaptive, 10000 a week: min" },
		{ 0, 0.5, MAX_S, "adaptive, every other week: max" },
		{ 0, 1e-300, MAX_S, "adaptive, next to never: max" },
		{ 0, 1e300, MIN_S, "adaptive, absurdly often: min" },
	};
	struct sched_conf c = exact_conf();

	for (size_t k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
		struct sched *s = sched_new(&c, 1);
		struct sched_outcome o = ok200();

		sched_feed(s, 0, "a.example", t[k].own);
		o.entries_per_week = t[k].epw;
		is_int(t[k].want * 1000, poll(s, 0, 1000, &o), "%s", t[k].what);
		is_int(t[k].want, sched_interval(s, 0), "  interval %lld s",
		    (long long)t[k].want);
		sched_free(s);
	}
}

static void
test_adaptive_memory(void)
{
	struct sched_conf c = exact_conf();
	struct sched *s = sched_new(&c, 1);
	struct sched_outcome o = ok200();

	is_int(DEF_S, sched_interval(s, 0), "before any poll: the default");
	sched_feed(s, 0, NULL, 7200);
	is_int(7200, sched_interval(s, 0), "  its own, once described");
	sched_feed(s, 0, NULL, 0);
	o.entries_per_week = 168;
	is_int(3600000, poll(s, 0, 0, &o), "hourly: an hour");
	o.entries_per_week = -1;
	o.status = 304;
	is_int(3600000, poll(s, 0, 0, &o), "a 304, frequency unknown: the "
	    "last known one stands");
	o.entries_per_week = 0;
	is_int(MAX_S * 1000, poll(s, 0, 0, &o), "then it stops publishing: "
	    "max");
	o.entries_per_week = NAN;
	is_int(MAX_S * 1000, poll(s, 0, 0, &o), "NaN frequency: ignored");
	sched_free(s);

	c.interval = 10;
	s = sched_new(&c, 1);
	o = ok200();
	is_int(MIN_S * 1000, poll(s, 0, 0, &o), "a default below min: min");
	sched_free(s);
}

/* Floors on success. */

static void
test_floors(void)
{
	static const struct {
		int	 ok;
		int64_t	 ttl, max_age, expires_in;
		int64_t	 want;	/* seconds */
		const char *what;
	} t[] = {
		{ 1, -1, -1, -1, DEF_S, "no floors: the interval" },
		{ 1, 3600, -1, -1, 3600, "ttl 1 h" },
		{ 1, -1, 7200, -1, 7200, "max-age 2 h" },
		{ 1, -1, -1, 5400, 5400, "Expires in 90 min" },
		{ 1, -1, -1, 600, DEF_S, "Expires before the interval: none" },
		{ 1, 0, 0, 0, DEF_S, "all 0: the interval" },
		{ 1, 3600, 7200, 5400, 7200, "all three: the latest" },
		{ 1, -1, 10000000, -1, MAX_S, "max-age of months: max" },
		{ 1, 200000, -1, -1, MAX_S, "ttl above max: max" },
		{ 0, -1, 7200, -1, MIN_S, "on an error: no floors" },
		{ 0, 3600, -1, -1, MIN_S, "  nor ttl" },
	};
	struct sched_conf c = exact_conf();

	for (size_t k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
		struct sched *s = sched_new(&c, 1);
		struct sched_outcome o = t[k].ok ? ok200() : failed(500, -1);

		o.ttl = t[k].ttl;
		o.max_age = t[k].max_age;
		o.expires_in = t[k].expires_in;
		is_int(t[k].want * 1000, poll(s, 0, 0, &o), "%s", t[k].what);
		sched_free(s);
	}
}

/* Skipped hours and days. */

static void
test_skip(void)
{
	static const struct {
		uint32_t hours;
		uint8_t	 days;
		int64_t	 own;	/* interval */
		int64_t	 wall;	/* seconds after Monday 00:00 UTC */
		int64_t	 max;	/* max_interval */
		int64_t	 want;	/* seconds */
		const char *what;
	} t[] = {
		{ 0, 0, 0, 0, MAX_S, 1800, "no hints" },
		{ 1u << 0, 0, 0, 0, MAX_S, 3600, "skip hour 0: 01:00" },
		{ 0x3f, 0, 0, 0, MAX_S, 21600, "skip hours 0-5: 06:00" },
		{ 1u << 1, 0, 0, 0, MAX_S, 1800, "skip hour 1: not hit" },
		{ 1u << 0, 0, 0, 600, MAX_S, 3000,
		    "from 00:10, skip hour 0: 01:00" },
		{ 1u << 1, 0, 3600, 0, MAX_S, 7200,
		    "due 01:00 sharp, skip hour 1: 02:00" },
		{ 0x7fffff, 0, 0, 0, MAX_S, 82800, "skip 0-22: 23:00" },
		{ 0xffffff, 0, 0, 0, MAX_S, 1800, "every hour skipped: ignored" },
		{ 0, 1u << 1, 0, 0, MAX_S, 86400, "skip Monday: Tuesday" },
		{ 0, 1u << 0, 0, 0, MAX_S, 1800, "skip Sunday: not hit" },
		{ 0, 0x06, 0, 0, 3 * MAX_S, 2 * 86400,
		    "skip Mon, Tue: Wednesday" },
		{ 0, 0x06, 0, 0, MAX_S, MAX_S, "  but never past max" },
		{ 0, 0x7f, 0, 0, MAX_S, 1800, "every day skipped: ignored" },
		{ 0, 1u << 2, 82800, 0, MAX_S, 82800, "skip Tuesday: not hit" },
		{ 0xff000000u, 0, 0, 0, MAX_S, 1800, "bits above 23: ignored" },
		{ 0, 0x80, 0, 0, MAX_S, 1800, "day bit 7: ignored" },
		{ 1u << 23, 1u << 2, 0, 82800, 3 * MAX_S, 90000,
		    "from Mon 23:00, skip 23 and Tuesday: Wed 00:00" },
		{ 1u << 0, 0, 0, -86400 * 365 * 60, MAX_S, 3600,
		    "before the epoch: still UTC hours" },
	};
	struct sched_conf c = exact_conf();

	for (size_t k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
		struct sched *s;
		struct sched_outcome o = ok200();

		c.max_interval = t[k].max;
		s = sched_new(&c, 1);
		sched_feed(s, 0, "a.example", t[k].own);
		o.skip_hours = t[k].hours;
		o.skip_days = t[k].days;
		o.wall_now = MONDAY + t[k].wall;
		is_int(t[k].want * 1000, poll(s, 0, 0, &o), "%s", t[k].what);
		sched_free(s);
	}
}

/* Errors and backoff. */

static void
test_backoff(void)
{
	static const int64_t want[] = {
		300, 600, 1200, 2400, 4800, 9600, 19200, 38400, 76800,
		MAX_S, MAX_S, MAX_S,
	};
	struct sched_conf c = exact_conf();
	struct sched *s = sched_new(&c, 1);
	struct sched_outcome err = failed(0, -1), good = ok200();
	int64_t d = 0;
	size_t k;

	for (k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
		is_int(want[k] * 1000, poll(s, 0, 0, &err),
		    "error %zu: %lld s", k + 1, (long long)want[k]);
		is_int((long long)k + 1, sched_errors(s, 0), "  %zu errors",
		    k + 1);
		is_int(want[k], sched_interval(s, 0), "  base %lld s",
		    (long long)want[k]);
	}
	is_int(DEF_S * 1000, poll(s, 0, 0, &good), "a success: the interval");
	is_int(0, sched_errors(s, 0), "  and 0 errors");
	is_int(MIN_S * 1000, poll(s, 0, 0, &err), "a new error: min again");
	for (k = 0; k < 1000; k++)
		d = poll(s, 0, 0, &err);
	is_int(MAX_S * 1000, d, "after 1001 errors: still polled, at max");
	is_int(1001, sched_errors(s, 0), "  1001 errors");
	err.status = 404;
	is_int(MAX_S * 1000, poll(s, 0, 0, &err), "a 404: not retired");
	err.status = 401;
	is_int(MAX_S * 1000, poll(s, 0, 0, &err), "a 401: not retired");
	err.status = 410;
	is_int(MAX_S * 1000, poll(s, 0, 0, &err),
	    "status 410 without gone: not retired either");
	sched_free(s);
}

/* Retry-After. */

static void
test_retry_after(void)
{
	static const struct {
		int	 status;
		int64_t	 ra;
		int	 before;	/* plain errors before */
		int64_t	 want;		/* seconds */
		const char *what;
	} t[] = {
		{ 429, 3600, 0, 3600, "429, Retry-After 1 h" },
		{ 503, 7200, 0, 7200, "503, Retry-After 2 h" },
		{ 429, 120, 0, MIN_S, "429, Retry-After 2 min: backoff (min)" },
		{ 429, 0, 0, MIN_S, "429, Retry-After 0: backoff (min)" },
		{ 429, 99999999999, 0, MAX_S, "429, Retry-After huge: max" },
		{ 503, MAX_S + 1, 0, MAX_S, "503, Retry-After max + 1: max" },
		{ 429, -1, 0, MIN_S, "429 without: backoff" },
		{ 503, -1, 3, 2400, "503 without, 4th error: backoff 2400" },
		{ 429, 600, 3, 2400, "429, Retry-After 10 min, 4th error: "
		    "backoff 2400" },
		{ 429, 7200, 3, 7200, "429, Retry-After 2 h, 4th error: 2 h" },
		{ 500, 3600, 0, 3600, "500 with Retry-After 1 h: honoured" },
	};
	struct sched_conf c = exact_conf();

	for (size_t k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
		struct sched *s = sched_new(&c, 1);
		struct sched_outcome err = failed(0, -1);
		struct sched_outcome o = failed(t[k].status, t[k].ra);

		sched_feed(s, 0, "a.example", 0);
		for (int n = 0; n < t[k].before; n++)
			poll(s, 0, 0, &err);
		is_int(t[k].want * 1000, poll(s, 0, 0, &o), "%s", t[k].what);
		is_int(t[k].before + 1, sched_errors(s, 0), "  %d errors",
		    t[k].before + 1);
		sched_free(s);
	}
}

/* Jitter. */

struct range {
	int64_t	 lo, hi;
};

/* n delays of feed 0 for outcome o; the range they fell in. */
static struct range
delays(struct sched *s, const struct sched_outcome *o, int n)
{
	struct range r = { INT64_MAX, INT64_MIN };

	for (int k = 0; k < n; k++) {
		int64_t d = poll(s, 0, 0, o);

		if (d < r.lo)
			r.lo = d;
		if (d > r.hi)
			r.hi = d;
	}
	return r;
}

/*
 * The delay after `before` errors and then o, for 1000 seeds: within
 * [lo, hi] seconds and, unless lo == hi, spread over more than half of it.
 */
static void
jitter_row(double jitter, const struct sched_outcome *o, int64_t own,
    int before, int64_t lo, int64_t hi, const char *what)
{
	struct sched_conf c = exact_conf();
	struct sched_outcome err = failed(0, -1);
	struct range r = { INT64_MAX, INT64_MIN };

	c.jitter = jitter;
	for (int k = 0; k < 1000; k++) {
		struct sched *s;
		int64_t d;

		c.seed = 42 + (uint64_t)k;
		s = sched_new(&c, 1);
		sched_feed(s, 0, NULL, own);
		for (int n = 0; n < before; n++)
			poll(s, 0, 0, &err);
		d = poll(s, 0, 0, o);
		r.lo = d < r.lo ? d : r.lo;
		r.hi = d > r.hi ? d : r.hi;
		sched_free(s);
	}
	ok(r.lo >= lo * 1000 && r.hi <= hi * 1000, "%s: within [%lld, %lld] s",
	    what, (long long)lo, (long long)hi);
	if (r.lo < lo * 1000 || r.hi > hi * 1000)
		diag("  got [%lld, %lld] ms", (long long)r.lo,
		    (long long)r.hi);
	if (lo != hi)
		ok(r.hi - r.lo > (hi - lo) * 1000 / 2, "  and spread out");
}

static void
test_jitter(void)
{
	struct sched_outcome o = ok200();
	struct sched_conf c = exact_conf();
	struct sched *a, *b;
	int same = 1, differ = 0;

	jitter_row(0.1, &o, 0, 0, 1620, 1980, "success, 30 min +-10%");
	jitter_row(0.1, &o, MAX_S, 0, 77760, MAX_S,
	    "success at max: never above");
	jitter_row(0.5, &o, MIN_S, 0, MIN_S, 450, "success at min: never below");
	o.ttl = 3600;
	jitter_row(0.1, &o, 0, 0, 3600, 3960, "ttl 1 h: never undercut");
	o.ttl = -1;
	o.max_age = 80000;
	jitter_row(0.1, &o, 0, 0, 80000, MAX_S, "max-age near max: capped");
	o = failed(429, 7200);
	jitter_row(0.1, &o, 0, 0, 7200, 7920, "Retry-After 2 h: never undercut");
	o = failed(503, 99999999);
	jitter_row(0.1, &o, 0, 0, MAX_S, MAX_S, "Retry-After huge: max exactly");
	o = failed(0, -1);
	jitter_row(0.1, &o, 0, 0, MIN_S, 330, "first error: [min, min + 10%]");
	jitter_row(0.1, &o, 0, 4, 4320, 5280, "fifth error: 4800 s +-10%");
	jitter_row(0.1, &o, 0, 20, 77760, MAX_S, "21st error: at most max");

	/* The same seed repeats; another one does not. */
	o = ok200();
	c.jitter = 0.2;
	c.seed = 7;
	a = sched_new(&c, 1);
	b = sched_new(&c, 1);
	for (int k = 0; k < 100; k++)
		same &= poll(a, 0, 0, &o) == poll(b, 0, 0, &o);
	sched_free(b);
	c.seed = 8;
	b = sched_new(&c, 1);
	for (int k = 0; k < 100; k++)
		differ |= poll(a, 0, 0, &o) != poll(b, 0, 0, &o);
	ok(same, "the same seed: the same delays");
	ok(differ, "another seed: other delays");
	sched_free(a);
	sched_free(b);

	c.jitter = 5;
	a = sched_new(&c, 1);
	is_int(1, delays(a, &o, 200).lo >= MIN_S * 1000, "jitter 5: taken "
	    "as 1, delays still >= min");
	sched_free(a);
}

/* Limits. */

/* Takes all that may start at now into got[]; returns how many. */
static size_t
take_all(struct sched *s, int64_t now, size_t *got, size_t max)
{
	size_t n = 0, i;

	while (n < max && sched_take(s, now, &i))
		got[n++] = i;
	return n;
}

static void
test_per_host(void)
{
	struct sched_conf c = exact_conf();
	struct sched *s;
	size_t got[16], n, i;

	c.per_host = 2;
	s = sched_new(&c, 7);
	for (i = 0; i < 5; i++)
		sched_feed(s, i, i % 2 ? "A.Example" : "a.example", 0);
	sched_feed(s, 5, "b.example", 0);
	for (i = 0; i < 6; i++)
		sched_due(s, i, (int64_t)i);
	n = take_all(s, 10, got, 16);
	ok(n == 3 && got[0] == 0 && got[1] == 1 && got[2] == 5,
	    "per_host 2: feeds 0, 1 of a (any case) and 5 of b start");
	is_int(3, (long long)sched_running(s), "  3 running");
	is_int(2, sched_next(s, 2), "  feed 2 set aside, still due at 2");
	is_int(SCHED_NEVER, sched_wake(s, 10), "  wake: only a done helps");

	sched_done(s, 5, 20, NULL);
	ok(!sched_take(s, 20, &i), "b done: nothing of a starts");
	sched_done(s, 1, 30, NULL);
	ok(sched_take(s, 30, &i) && i == 2, "a done: feed 2 comes back");
	ok(!sched_take(s, 30, &i), "  only it");
	sched_due(s, 3, 5000);
	is_int(5000, sched_next(s, 3), "feed 3 moved out of the queue");
	sched_done(s, 0, 40, NULL);
	ok(sched_take(s, 40, &i) && i == 4, "a done: feed 4 (3 was moved)");
	ok(!sched_take(s, 4999, &i), "  3 waits for its time");
	sched_done(s, 2, 50, NULL);
	ok(sched_take(s, 5000, &i) && i == 3, "  and starts at 5000");
	is_int(2, (long long)sched_running(s), "2 running");

	/* A hostless feed has no per-host limit. */
	sched_due(s, 6, 60);
	sched_feed(s, 6, "", 0);
	ok(sched_take(s, 60, &i) && i == 6, "a hostless feed starts");
	sched_free(s);

	c.per_host = 1;
	s = sched_new(&c, 5);
	for (i = 0; i < 5; i++)
		sched_feed(s, i, NULL, 0);
	for (i = 0; i < 5; i++)
		sched_due(s, i, 0);
	is_int(5, (long long)take_all(s, 0, got, 16),
	    "per_host 1: 5 hostless feeds start at once");
	sched_free(s);
}

static void
test_queue(void)
{
	struct sched_conf c = exact_conf();
	struct sched *s;
	size_t i;

	c.per_host = 1;
	s = sched_new(&c, 6);
	for (i = 0; i < 6; i++)
		sched_feed(s, i, "a", 0);
	sched_due(s, 0, 0);
	ok(sched_take(s, 0, &i) && i == 0, "per_host 1: feed 0 starts");
	/* Set aside in this order: 3, 1, 4, 2 (by due time). */
	sched_due(s, 3, 10);
	sched_due(s, 1, 20);
	sched_due(s, 4, 30);
	sched_due(s, 2, 40);
	ok(!sched_take(s, 100, &i), "  the others are set aside");
	sched_done(s, 0, 100, NULL);
	ok(sched_take(s, 100, &i) && i == 3, "done: the first set aside, 3");
	sched_done(s, 3, 110, NULL);
	is_int(20, sched_wake(s, 110), "  done: feed 1 is back, due at 20");
	sched_retire(s, 1);
	ok(sched_take(s, 110, &i) && i == 4,
	    "the one back is retired: the next one (4) comes back");
	sched_feed(s, 2, "b", 0);
	ok(sched_take(s, 110, &i) && i == 2,
	    "feed 2 moved to host b: starts there");
	sched_retire(s, 4);
	sched_done(s, 4, 120, NULL);
	is_int(1, (long long)sched_running(s), "retired while running: done");
	sched_free(s);

	/* A feed back from the queue keeps its slot from later comers. */
	s = sched_new(&c, 3);
	for (i = 0; i < 3; i++)
		sched_feed(s, i, "a", 0);
	sched_due(s, 0, 0);
	sched_due(s, 1, 10);
	ok(sched_take(s, 10, &i) && i == 0 && !sched_take(s, 10, &i),
	    "per_host 1: 0 runs, 1 is set aside");
	sched_done(s, 0, 20, NULL);
	sched_due(s, 2, 5);
	ok(sched_take(s, 20, &i) && i == 1,
	    "  0 done: 1 starts, before 2 that is due earlier");
	ok(!sched_take(s, 20, &i), "  and 2 waits");
	sched_free(s);
}

static void
test_global(void)
{
	struct sched_conf c = exact_conf();
	struct sched *s;
	size_t got[16], i;

	c.per_host = INT_MAX;
	c.concurrency = 3;
	s = sched_new(&c, 6);
	for (i = 0; i < 6; i++) {
		char name[8];

		snprintf(name, sizeof(name), "h%zu", i);
		sched_feed(s, i, name, 0);
		sched_due(s, i, (int64_t)i);
	}
	ok(take_all(s, 10, got, 16) == 3 && got[0] == 0 && got[2] == 2,
	    "concurrency 3: feeds 0, 1, 2");
	is_int(SCHED_NEVER, sched_wake(s, 10), "  wake: only a done helps");
	ok(!sched_take(s, 10, &i), "  no fourth");
	sched_done(s, 1, 20, NULL);
	is_int(3, sched_wake(s, 20), "done: wake at once (3 is due at 3)");
	ok(take_all(s, 20, got, 16) == 1 && got[0] == 3, "  3 starts, alone");
	sched_free(s);
}

/* Retry-After across a host. */

static struct sched *
block_sched(void)
{
	struct sched_conf c = exact_conf();
	struct sched *s;

	c.per_host = 2;
	s = sched_new(&c, 6);
	for (size_t i = 0; i < 4; i++)
		sched_feed(s, i, "a.example", 0);
	sched_feed(s, 4, "b.example", 0);
	sched_feed(s, 5, NULL, 0);
	return s;
}

/* Feed i is due at now, starts and is refused for ra seconds. */
static int64_t
refuse(struct sched *s, size_t i, int64_t now, int64_t ra)
{
	struct sched_outcome o = failed(429, ra);

	return poll(s, i, now, &o);
}

/* One feed refused, once or twice: its host is not blocked. */
static void
test_block_one(void)
{
	struct sched *s = block_sched();
	size_t i;

	is_int(3600000, refuse(s, 0, 1000, 3600), "one refusal: 1 h");
	sched_due(s, 2, 2000);
	ok(sched_take(s, 2000, &i) && i == 2,
	    "  another feed of the host still starts");
	sched_done(s, 2, 2000, NULL);
	is_int(7200000, refuse(s, 0, 3000, 7200), "the same feed again: 2 h");
	sched_due(s, 2, 4000);
	ok(sched_take(s, 4000, &i) && i == 2, "  the host is not blocked");
	sched_free(s);
}

/* Two distinct feeds: the host is blocked until the later time. */
static void
test_block_two(void)
{
	struct sched *s = block_sched();
	size_t i;

	refuse(s, 0, 1000, 3600);
	is_int(7200000, refuse(s, 1, 2000, 7200),
	    "a second feed refused while the first is in force: 2 h");
	sched_due(s, 2, 3000);
	sched_due(s, 4, 5000);
	sched_due(s, 5, 5000);
	ok(!sched_take(s, 3000, &i), "  the host is blocked: 2 waits");
	is_int(5000, sched_wake(s, 3000), "  wake for b at 5000");
	ok(sched_take(s, 5000, &i) && i == 4, "  host b is not blocked");
	ok(sched_take(s, 5000, &i) && i == 5, "  nor a hostless feed");
	sched_retire(s, 4);
	sched_retire(s, 5);
	sched_done(s, 4, 6000, NULL);
	sched_done(s, 5, 6000, NULL);
	is_int(3601000, sched_wake(s, 6000), "  wake when feed 0 is due");
	ok(!sched_take(s, 3601000, &i), "  but it is blocked too");
	is_int(7202000, sched_wake(s, 3601000), "  wake at the end of the "
	    "block");
	ok(!sched_take(s, 7201999, &i), "  nothing of a before it");
	ok(sched_take(s, 7202000, &i) && i == 2, "  then 2 (set aside first)");
	ok(sched_take(s, 7202000, &i) && i == 0, "  then 0");
	ok(!sched_take(s, 7202000, &i), "  then per_host holds (1 is due)");
	sched_free(s);

	/* A later refusal with a shorter Retry-After: the later end. */
	s = block_sched();
	refuse(s, 0, 1000, 7200);
	is_int(MIN_S * 1000, refuse(s, 1, 2000, 60), "refusal of 60 s: min");
	sched_due(s, 2, 3000);
	ok(!sched_take(s, 3000 + MIN_S * 1000, &i),
	    "  the host is blocked until the first one's end");
	ok(sched_take(s, 7201000, &i) && i == 2, "  2 starts at 7201000");
	sched_free(s);

	/* The first refusal is over: no block. */
	s = block_sched();
	refuse(s, 0, 1000, 60);
	refuse(s, 1, 61000, 3600);
	sched_due(s, 2, 61000);
	ok(sched_take(s, 61000, &i) && i == 2,
	    "a refusal after the first one ended: no block");
	sched_free(s);
}

/*
 * Blocked while feeds are set aside for per_host, or back from the queue:
 * they wait for the end of the block.
 */
static void
test_block_queue(void)
{
	struct sched *s = block_sched();
	struct sched_outcome o;
	size_t i, got[8];

	for (i = 0; i < 4; i++)
		sched_due(s, i, 0);
	ok(take_all(s, 0, got, 8) == 2 && got[0] == 0 && got[1] == 1,
	    "0 and 1 run, 2 and 3 are set aside");
	o = failed(503, 600);
	sched_done(s, 0, 1000, &o);
	is_int(0, sched_wake(s, 1000), "0 refused: 2 is back, due at once");
	o = failed(503, 3600);
	sched_done(s, 1, 2000, &o);
	ok(!sched_take(s, 2000, &i), "1 refused too: the host is blocked");
	is_int(601000, sched_wake(s, 2000), "  wake for 0 at 601000");
	ok(!sched_take(s, 601000, &i), "  nothing starts at 601000");
	is_int(3602000, sched_wake(s, 601000), "  wake at the block's end");
	ok(take_all(s, 3602000, got, 8) == 2 && got[0] == 2 && got[1] == 3,
	    "  then 2 and 3, in turn");
	sched_free(s);

	/*
	 * Blocked while a feed waits for per_host, with nothing else due:
	 * the end of the block wakes it.
	 */
	s = block_sched();
	refuse(s, 3, 1000, 7200);
	sched_retire(s, 3);
	for (i = 0; i < 3; i++)
		sched_due(s, i, 2000);
	ok(take_all(s, 2000, got, 8) == 2, "0 and 1 run, 2 is set aside");
	o = failed(429, 3600);
	sched_done(s, 1, 3000, &o);
	sched_retire(s, 1);
	sched_retire(s, 0);
	sched_done(s, 0, 4000, NULL);
	is_int(7201000, sched_wake(s, 4000), "1 refused, 3 still refused: "
	    "wake at the block's end");
	ok(sched_take(s, 7201000, &i) && i == 2, "  and 2 starts then");
	sched_free(s);

	/* Hostless feeds refused: never a block. */
	s = block_sched();
	sched_feed(s, 0, NULL, 0);
	sched_feed(s, 1, NULL, 0);
	refuse(s, 0, 1000, 3600);
	refuse(s, 1, 2000, 3600);
	sched_due(s, 2, 3000);
	ok(sched_take(s, 3000, &i) && i == 2,
	    "hostless feeds refused: no block");
	sched_free(s);
}

/* Retirement. */

static void
test_retire(void)
{
	struct sched *s = plain(4);
	struct sched_outcome o = failed(410, -1), good = ok200();
	size_t i;

	o.gone = 1;
	is_int(SCHED_NEVER, poll(s, 0, 0, &o), "410 gone: retired");
	is_int(0, (long long)sched_running(s), "  not running");
	sched_due(s, 0, 10);
	is_int(SCHED_NEVER, sched_next(s, 0), "  sched_due cannot bring it "
	    "back");
	ok(!sched_take(s, BIG, &i), "  never taken");
	is_int(SCHED_NEVER, sched_done(s, 0, 20, &good), "  done: never");

	sched_due(s, 1, 0);
	ok(sched_take(s, 0, &i) && i == 1, "feed 1 runs");
	sched_retire(s, 1);
	is_int(SCHED_NEVER, sched_done(s, 1, 5, &good),
	    "  retired while running: done says never");
	is_int(0, (long long)sched_running(s), "  not running");

	sched_due(s, 2, 0);
	sched_retire(s, 2);
	ok(!sched_take(s, BIG, &i), "retired while scheduled: never taken");

	/* Done for a feed that was not running: scheduled all the same. */
	sched_due(s, 3, 100);
	is_int(50 + DEF_S * 1000, sched_done(s, 3, 50, &good),
	    "done without a take: scheduled");
	is_int(50 + DEF_S * 1000, sched_next(s, 3), "  once");
	is_int(0, (long long)sched_running(s), "  running untouched");
	sched_free(s);
}

/* Property test: P13 over 100,000 simulated polls. */

#define P_FEEDS		200
#define P_HOSTS		20
#define P_POLLS		100000
#define P_XFER		20000		/* ms, longest transfer */
#define P_QUEUE		(300 * 1000)	/* ms, slack for queues */

struct sim {
	struct sched	*s;
	struct sched_conf c;
	int64_t		 now;
	int64_t		 due[P_FEEDS], last[P_FEEDS], end[P_FEEDS];
	int64_t		 refused[P_FEEDS];	/* ms, Retry-After end */
	int		 errors[P_FEEDS];
	int		 host[P_FEEDS];		/* -1: none */
	unsigned char	 running[P_FEEDS], retired[P_FEEDS];
	int64_t		 blocked[P_HOSTS];	/* ms */
	int		 on_host[P_HOSTS];
	size_t		 nrunning;
	long		 polls, starts, refusals, blocks, gone;
	long		 bad_limit, bad_early, bad_blocked, bad_delay,
			 bad_starve, bad_retired, bad_wake, bad_count;
	int64_t		 worst_late;
};

/* The oracle of host blocking: another feed's refusal in force. */
static void
sim_refused(struct sim *m, size_t i, int64_t until)
{
	int h = m->host[i], other = 0;
	int64_t latest = until;

	if (h >= 0) {
		for (size_t j = 0; j < P_FEEDS; j++) {
			if (m->host[j] != h || m->refused[j] <= m->now)
				continue;
			if (j != i)
				other = 1;
			if (m->refused[j] > latest)
				latest = m->refused[j];
		}
	}
	if (until > m->refused[i])
		m->refused[i] = until;
	m->refusals++;
	if (other && latest > m->blocked[h]) {
		m->blocks += m->blocked[h] <= m->now;
		m->blocked[h] = latest;
	}
}

static struct sched_outcome
sim_outcome(size_t i)
{
	struct sched_outcome o = ok200();
	int64_t r = rnd(1000);

	if (i < 3 && r < 5) {
		o.ok = 0;
		o.status = 410;
		o.gone = 1;
	} else if (r < 550) {
		int64_t e = rnd(10);

		o.entries_per_week = e < 3 ? -1 : e < 4 ? 0 :
		    (double)rnd(2000) / 10;
		if (rnd(10) == 0)
			o.ttl = rnd(7200);
		if (rnd(10) == 0)
			o.max_age = rnd(5000);
		if (rnd(20) == 0)
			o.expires_in = rnd(100000) - 1000;
		if (rnd(20) == 0)
			o.skip_hours = (uint32_t)rng();
		if (rnd(40) == 0)
			o.skip_days = (uint8_t)rng();
		if (rnd(100) == 0)
			o.skip_hours = 0xffffff;
	} else if (r < 700)
		o.status = 304;
	else if (r < 800)
		o = failed(500, rnd(100) == 0 ? rnd(3000) : -1);
	else if (r < 830)
		o = failed(429, rnd(10) == 0 ? 99999999999 : rnd(7200));
	else if (r < 850)
		o = failed(503, rnd(5000));
	else if (r < 900)
		o = failed(rnd(2) ? 429 : 503, -1);
	else
		o = failed(0, -1);
	return o;
}

/* Whether the wall time (ms) falls in a skipped hour or day, by gmtime. */
static int
skipped_at(int64_t wall_ms, const struct sched_outcome *o)
{
	time_t t = (time_t)(wall_ms / 1000);
	struct tm tm;

	if ((o->skip_hours & 0xffffff) == 0xffffff ||
	    (o->skip_days & 0x7f) == 0x7f || gmtime_r(&t, &tm) == NULL)
		return 0;
	return (o->skip_hours >> tm.tm_hour & 1) ||
	    (o->skip_days >> tm.tm_wday & 1);
}

/* The bounds a delay must keep; counts what it broke. */
static void
sim_check_delay(struct sim *m, size_t i, const struct sched_outcome *o,
    int64_t d)
{
	int64_t min = m->c.min_interval * 1000, max = m->c.max_interval * 1000;
	int64_t fl = -1, lo = min;
	int bad = d < min || d > max;

	if (o->ok) {
		fl = o->ttl > o->max_age ? o->ttl : o->max_age;
		fl = o->expires_in > fl ? o->expires_in : fl;
		if (fl * 1000 > lo)
			lo = fl * 1000 < max ? fl * 1000 : max;
		if (sched_errors(m->s, i) != 0)
			bad = 1;
		if (d < max && skipped_at(o->wall_now * 1000 + d, o))
			bad = 1;
	} else {
		int64_t b = m->c.min_interval;

		for (int k = 1; k < m->errors[i] && b < m->c.max_interval; k++)
			b *= 2;
		b = b < m->c.max_interval ? b : m->c.max_interval;
		if ((int64_t)((double)b * 1000 * (1 - m->c.jitter)) > lo)
			lo = (int64_t)((double)b * 1000 * (1 - m->c.jitter));
		if (o->retry_after >= 0 && o->retry_after * 1000 > lo)
			lo = o->retry_after * 1000 < max ?
			    o->retry_after * 1000 : max;
		if (sched_errors(m->s, i) != m->errors[i])
			bad = 1;
	}
	if (d < lo - 1)
		bad = 1;
	if (bad && m->bad_delay++ < 5)
		diag("  feed %zu: delay %lld ms, want >= %lld, status %d",
		    i, (long long)d, (long long)lo, o->status);
}

static void
sim_done(struct sim *m, size_t i)
{
	struct sched_outcome o = sim_outcome(i);
	int64_t due, cap = m->c.max_interval * 1000;

	o.wall_now = MONDAY + m->now / 1000;
	if (!o.ok && o.retry_after >= 0)
		sim_refused(m, i, m->now + (o.retry_after * 1000 < cap ?
		    o.retry_after * 1000 : cap));
	m->errors[i] = o.ok ? 0 : m->errors[i] + 1;
	m->running[i] = 0;
	m->nrunning--;
	if (m->host[i] >= 0)
		m->on_host[m->host[i]]--;
	m->polls++;
	due = sched_done(m->s, i, m->now, &o);
	if (o.gone) {
		m->retired[i] = 1;
		m->gone++;
		if (due != SCHED_NEVER)
			m->bad_retired++;
		return;
	}
	sim_check_delay(m, i, &o, due - m->now);
	m->due[i] = due;
}

/* How late a start may be: queues, and the host's last block. */
static int64_t
sim_allowed(const struct sim *m, size_t i)
{
	int64_t allowed = P_QUEUE;
	int h = m->host[i];

	if (h >= 0 && m->blocked[h] > m->due[i])
		allowed += m->blocked[h] - m->due[i];
	return allowed;
}

static void
sim_start(struct sim *m, size_t i)
{
	int64_t late;
	int h;

	m->starts++;
	if (i >= P_FEEDS || m->retired[i] || m->running[i]) {
		m->bad_retired++;
		return;
	}
	h = m->host[i];
	late = m->now - m->due[i];
	if (late < 0)
		m->bad_early++;
	if (h >= 0 && m->blocked[h] > m->now)
		m->bad_blocked++;
	if (late > sim_allowed(m, i) || (m->last[i] >= 0 && m->now -
	    m->last[i] > P_XFER + m->c.max_interval * 1000 +
	    sim_allowed(m, i))) {
		if (m->bad_starve++ < 5)
			diag("  feed %zu started %lld ms late", i,
			    (long long)late);
	}
	if (late - (sim_allowed(m, i) - P_QUEUE) > m->worst_late)
		m->worst_late = late - (sim_allowed(m, i) - P_QUEUE);
	m->running[i] = 1;
	m->nrunning++;
	if (h >= 0 && ++m->on_host[h] > m->c.per_host)
		m->bad_limit++;
	if (m->nrunning > (size_t)m->c.concurrency)
		m->bad_limit++;
	m->last[i] = m->now;
	m->end[i] = m->now + (rnd(4) == 0 ? 0 : rnd(P_XFER + 1));
}

/* One round: start what may start, then go to the next event. */
static int
sim_step(struct sim *m)
{
	int64_t next, wake;
	size_t i;

	while (sched_take(m->s, m->now, &i))
		sim_start(m, i);
	if (sched_running(m->s) != m->nrunning)
		m->bad_count++;
	wake = sched_wake(m->s, m->now);
	if (wake <= m->now)
		m->bad_wake++;
	next = wake;
	for (i = 0; i < P_FEEDS; i++)
		if (m->running[i] && m->end[i] < next)
			next = m->end[i];
	if (next == SCHED_NEVER)
		return 0;
	if (next > m->now)
		m->now = next;
	for (i = 0; i < P_FEEDS; i++)
		if (m->running[i] && m->end[i] <= m->now)
			sim_done(m, i);
	return 1;
}

static void
test_property(void)
{
	struct sim *m = calloc(1, sizeof(*m));
	long overdue = 0;
	size_t i;

	m->c = (struct sched_conf){ .interval = 600, .min_interval = 60,
	    .max_interval = 3600, .concurrency = 8, .per_host = 2,
	    .jitter = 0.2, .seed = 7 };
	m->s = sched_new(&m->c, P_FEEDS);
	for (i = 0; i < P_HOSTS; i++)
		m->blocked[i] = INT64_MIN;
	for (i = 0; i < P_FEEDS; i++) {
		char name[32];

		m->host[i] = i % 50 == 49 ? -1 : (int)(i % P_HOSTS);
		snprintf(name, sizeof(name), "H%d.example", m->host[i]);
		sched_feed(m->s, i, m->host[i] < 0 ? NULL : name,
		    i % 5 == 0 ? (int64_t)(i % 7) * 300 : 0);
		m->due[i] = rnd(600000);
		m->last[i] = -1;
		m->refused[i] = INT64_MIN;
		sched_due(m->s, i, m->due[i]);
	}
	while (m->polls < P_POLLS && sim_step(m))
		;
	for (i = 0; i < P_FEEDS; i++)
		if (!m->retired[i] && !m->running[i] &&
		    m->now - m->due[i] > sim_allowed(m, i))
			overdue++;
	diag("%ld polls, %ld starts in %lld simulated hours; %ld refusals, "
	    "%ld host blocks, %ld feeds gone; latest start %lld s after due "
	    "(or after its host's block)", m->polls, m->starts,
	    (long long)(m->now / 3600000), m->refusals, m->blocks, m->gone,
	    (long long)(m->worst_late / 1000));
	is_int(P_POLLS, m->polls, "property: %d polls simulated", P_POLLS);
	is_int(0, m->bad_limit, "  concurrency and per_host always hold");
	is_int(0, m->bad_count, "  sched_running agrees");
	is_int(0, m->bad_early, "  no feed starts before it is due");
	is_int(0, m->bad_blocked, "  no feed of a blocked host starts");
	is_int(0, m->bad_delay, "  every delay within [min, max], floors, "
	    "Retry-After and backoff kept");
	is_int(0, m->bad_retired, "  no retired or running feed starts");
	is_int(0, m->bad_wake, "  no busy loop: wake is later than now");
	is_int(0, m->bad_starve, "  no feed starved");
	is_int(0, overdue, "  none overdue at the end");
	sched_free(m->s);
	free(m);
}

/* 100,000 feeds: every operation must stay cheap. */
static void
test_scale(void)
{
	enum { N = 100000, HOSTS = 5000, POLLS = 300000, CONC = 100 };
	struct sched_conf c = { .interval = 3600, .min_interval = 60,
	    .max_interval = 86400, .concurrency = CONC, .per_host = 2,
	    .jitter = 0.1, .seed = 3 };
	struct sched *s = sched_new(&c, N);
	struct sched_outcome o = ok200();
	size_t *ring = calloc(CONC, sizeof(*ring)), head = 0, len = 0, i;
	unsigned char *seen = calloc(N, 1);
	int64_t now = 0, wake;
	long polls = 0, distinct = 0;
	clock_t t0 = clock();
	char name[32];

	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "host%zu.example", i % HOSTS);
		sched_feed(s, i, name, 0);
		sched_due(s, i, rnd(3600000));
	}
	while (polls < POLLS) {
		while (sched_take(s, now, &i)) {
			ring[(head + len++) % CONC] = i;
			distinct += !seen[i];
			seen[i] = 1;
		}
		/* Transfers take 1 s each, so they end in order. */
		wake = sched_wake(s, now);
		if (len > 0 && wake > now + 1000)
			wake = now + 1000;
		if (wake == SCHED_NEVER)
			break;
		now = wake > now ? wake : now + 1;
		while (len > 0) {
			sched_done(s, ring[head], now, &o);
			head = (head + 1) % CONC;
			len--;
			polls++;
		}
	}
	diag("%ld polls of %d feeds in %.2f s of CPU", polls, N,
	    (double)(clock() - t0) / CLOCKS_PER_SEC);
	is_int(POLLS, polls, "100,000 feeds: %d polls", POLLS);
	is_int(N, distinct, "  every feed polled");
	free(ring);
	free(seen);
	sched_free(s);
}

int
main(void)
{
	test_empty();
	test_order();
	test_moves();
	test_now();
	test_base_interval();
	test_adaptive_memory();
	test_floors();
	test_skip();
	test_backoff();
	test_retry_after();
	test_jitter();
	test_per_host();
	test_queue();
	test_global();
	test_block_one();
	test_block_two();
	test_block_queue();
	test_retire();
	test_property();
	test_scale();
	return done_testing();
}
