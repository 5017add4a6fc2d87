/*
 * sched.h - when each feed is due, and which feed may start now.
 *
 * Pure logic: no clock, no I/O, no event loop.  Every time is passed in,
 * so the scheduler is tested with a fake clock and is deterministic given
 * the seed in its configuration.  Feeds are the indexes 0..nfeeds-1.
 *
 * Units: schedule times (due_ms, now_ms and the results of sched_done and
 * sched_wake) are milliseconds on one monotonic clock, the caller's;
 * intervals and the durations in struct sched_outcome are seconds;
 * sched_outcome.wall_now is seconds since the epoch (UTC).
 *
 * A feed is in one of these states: idle (not scheduled), scheduled (due
 * at some time), set aside (due, but its host is at its per_host limit or
 * blocked; it waits its turn in that host's queue), running (handed out by
 * sched_take, until sched_done) or retired (for good).
 *
 * The loop: after a sched_done, and when the time of sched_wake comes, call
 * sched_take until it returns 0 and start what it hands out; then wait
 * until sched_wake.  After sched_take has returned 0 at now_ms, sched_wake
 * at the same now_ms is later than now_ms (or SCHED_NEVER): no busy loop.
 * sched_wake may be early (sched_take then finds that the due feed has to
 * wait for its host), never late.
 *
 * Ownership: struct sched is opaque; sched_new returns new, sched_free
 * frees (NULL is a no-op); every other function borrows its arguments.
 * Out-of-range feed indexes are ignored (0, SCHED_NEVER).
 */
#ifndef SCHED_H
#define SCHED_H

#include <stddef.h>
#include <stdint.h>

#define SCHED_NEVER	INT64_MAX

/*
 * Sanitised by sched_new: min_interval is at least 1, max_interval at
 * least min_interval and at most SCHED_MAX_INTERVAL, interval is clamped
 * to them, concurrency and per_host are at least 1, jitter is in [0, 1].
 */
struct sched_conf {
	int64_t	 interval, min_interval, max_interval; /* seconds: default, clamps */
	int	 concurrency;	/* transfers at once, all hosts */
	int	 per_host;	/* transfers at once per host */
	double	 jitter;	/* fraction of the delay, e.g. 0.1 = +-10% */
	uint64_t seed;		/* for the jitter PRNG (splitmix64) */
};

#define SCHED_MAX_INTERVAL	(INT64_C(10) * 366 * 86400)	/* seconds */

/*
 * What one poll came to.  A 304 is ok; for it the caller passes the hints
 * (ttl, skip_hours, skip_days) of the last parsed document.  Durations are
 * seconds, -1 when absent; garbage (an unparsable Retry-After, say) is the
 * caller's to drop.
 */
struct sched_outcome {
	int	 ok;		/* the poll succeeded (200 parsed, or 304) */
	int	 status;	/* HTTP status, 0 if none (network error, file:) */
	int	 gone;		/* 410: retire the feed for good */
	int64_t	 retry_after;	/* seconds from now (429/503), or -1 */
	int64_t	 max_age;	/* Cache-Control max-age, seconds, or -1 */
	int64_t	 expires_in;	/* Expires minus now, seconds, or -1 */
	int64_t	 ttl;		/* RSS <ttl>, in seconds, or -1 */
	uint32_t skip_hours;	/* RSS skipHours: bit h set = skip UTC hour h */
	uint8_t	 skip_days;	/* RSS skipDays: bit d set = skip day d, 0 = Sunday */
	double	 entries_per_week; /* how often it publishes, < 0 unknown */
	int64_t	 wall_now;	/* wall clock, seconds since the epoch */
};

struct sched;

/* Returns new: nfeeds feeds, all idle, adaptive, of no host. */
struct sched	*sched_new(const struct sched_conf *, size_t nfeeds);
void		 sched_free(struct sched *);	/* NULL ok */

/*
 * Describes feed i: its host (borrowed, copied; compared without case;
 * NULL or "" means no host: only the global limit applies, as for file:
 * feeds) and its own interval in seconds (0 = adaptive).  Keeps the feed's
 * state; a feed set aside on its old host is rescheduled at its due time.
 */
void		 sched_feed(struct sched *, size_t i, const char *host,
		    int64_t interval);

/*
 * Puts (or moves) feed i on the schedule at due_ms, out of its host's
 * queue if it was set aside.  A running or retired feed is left alone:
 * sched_done schedules the one, nothing the other.
 */
void		 sched_due(struct sched *, size_t i, int64_t due_ms);

/* Takes feed i off the schedule for good; if running, once it is done. */
void		 sched_retire(struct sched *, size_t i);

/*
 * 1 and *i: a due feed that may start now (the concurrency, per_host and
 * host-blocking limits hold); it is then running.  0: none (*i untouched).
 */
int		 sched_take(struct sched *, int64_t now_ms, size_t *i);

/*
 * When sched_take may next return 1 (ms; at or before now_ms if at once),
 * or SCHED_NEVER if only a sched_done can change that.
 */
int64_t		 sched_wake(const struct sched *, int64_t now_ms);

/*
 * Running feed i finished with the outcome (borrowed; NULL is an error
 * with no hints): returns its next due time (ms), where it now is on the
 * schedule, or SCHED_NEVER if it is retired (gone, or sched_retire).
 * A failure with retry_after >= 0 is a refusal whatever its status: it
 * counts as an error and may block the host (see sched.c).  A feed that
 * was not running (polled by the caller on its own) is scheduled all the
 * same.
 */
int64_t		 sched_done(struct sched *, size_t i, int64_t now_ms,
		    const struct sched_outcome *);

int		 sched_errors(const struct sched *, size_t i);	/* consecutive */
/* Restores the count of consecutive errors (from the store, at start). */
void		 sched_set_errors(struct sched *, size_t i, int errors);
/* The base interval (seconds) of its last delay: poll interval or backoff. */
int64_t		 sched_interval(const struct sched *, size_t i);
size_t		 sched_running(const struct sched *);	/* feeds running */

/* Feed i's due time (ms), or SCHED_NEVER when idle, running or retired. */
int64_t		 sched_next(const struct sched *, size_t i);

#endif
