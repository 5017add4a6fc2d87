/*
 * sched.h - when each feed is due: a min-heap of deadlines over feed
 * indexes 0..n-1.  Pure logic, no clock of its own: every time is passed in
 * (milliseconds on a monotonic clock), so it is tested with a fake clock.
 *
 * Ownership: struct sched is opaque; sched_new returns new, sched_free
 * frees (NULL is a no-op).
 */
#ifndef SCHED_H
#define SCHED_H

#include <stddef.h>
#include <stdint.h>

#define SCHED_NEVER	INT64_MAX

struct sched;

struct sched	*sched_new(size_t nfeeds);
void		 sched_free(struct sched *);
/* Sets (or moves) feed's deadline. */
void		 sched_set(struct sched *, size_t feed, int64_t due);
/* Takes feed out of the schedule (while it is being polled, say). */
void		 sched_remove(struct sched *, size_t feed);
/* The earliest deadline, or SCHED_NEVER when nothing is scheduled. */
int64_t		 sched_next_due(const struct sched *);
/* Pops a feed due at now: 1 and *feed set, or 0 when none is due. */
int		 sched_pop_due(struct sched *, int64_t now, size_t *feed);

#endif
