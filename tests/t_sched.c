/*
 * t_sched.c - the deadline heap: order, moves, removals and the clock.
 *
 * The scheduler keeps no clock of its own, so every time here is made up.
 * Random deadlines come from a fixed-seed LCG so that a failure repeats.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sched.h"
#include "tap.h"

#define NFEEDS	1000

static uint64_t lcg_state = 0x5eed;

/* Knuth's MMIX LCG; the high bits are the good ones. */
static uint32_t
lcg(void)
{
	lcg_state = lcg_state * 6364136223846793005ULL +
	    1442695040888963407ULL;
	return (uint32_t)(lcg_state >> 33);
}

/*
 * Pops everything due at now; checks nondecreasing deadlines against want
 * (the deadline of each feed) and that each feed comes out once.  Returns
 * the number popped, or -1 on the first disorder.
 */
static long
drain(struct sched *s, int64_t now, const int64_t *want, size_t n)
{
	unsigned char *seen = calloc(n, 1);
	int64_t last = INT64_MIN;
	long count = 0;
	size_t feed;

	while (sched_pop_due(s, now, &feed)) {
		if (feed >= n || seen[feed] || want[feed] < last ||
		    want[feed] > now) {
			diag("  feed %zu out of order", feed);
			count = -1;
			break;
		}
		seen[feed] = 1;
		last = want[feed];
		count++;
	}
	free(seen);
	return count;
}

static void
test_empty(void)
{
	struct sched *s = sched_new(4);
	size_t feed = 77;

	is_int(SCHED_NEVER, sched_next_due(s), "empty: SCHED_NEVER");
	is_int(0, sched_pop_due(s, INT64_MAX, &feed), "empty: nothing due");
	is_int(77, (long long)feed, "  and feed is left alone");
	sched_remove(s, 2);
	is_int(SCHED_NEVER, sched_next_due(s), "removing an absent feed");
	sched_free(s);
	sched_free(NULL);
	ok(1, "sched_free(NULL) is a no-op");

	s = sched_new(0);
	sched_set(s, 0, 5);
	is_int(SCHED_NEVER, sched_next_due(s), "no feeds: set is ignored");
	sched_free(s);
}

static void
test_order(void)
{
	struct sched *s = sched_new(NFEEDS);
	int64_t *due = calloc(NFEEDS, sizeof(*due)), min = INT64_MAX;

	for (size_t i = 0; i < NFEEDS; i++) {
		/* Few distinct values, so that there are ties. */
		due[i] = 1000 + lcg() % 5000;
		if (due[i] < min)
			min = due[i];
		sched_set(s, i, due[i]);
	}
	is_int(min, sched_next_due(s), "the earliest of %d deadlines", NFEEDS);
	is_int(NFEEDS, drain(s, INT64_MAX, due, NFEEDS),
	    "%d feeds pop in nondecreasing order, each once", NFEEDS);
	is_int(SCHED_NEVER, sched_next_due(s), "then it is empty");

	/* Again, after moving half of them and removing a tenth. */
	for (size_t i = 0; i < NFEEDS; i++)
		sched_set(s, i, due[i]);
	for (size_t i = 0; i < NFEEDS; i += 2) {
		due[i] = 1000 + lcg() % 5000;
		sched_set(s, i, due[i]);
	}
	for (size_t i = 0; i < NFEEDS; i += 10)
		sched_remove(s, i);
	is_int(NFEEDS - NFEEDS / 10, drain(s, INT64_MAX, due, NFEEDS),
	    "after moves and removals: still in order, removed ones gone");

	/* Large and negative deadlines. */
	for (size_t i = 0; i < NFEEDS; i++) {
		due[i] = (int64_t)lcg() * (int64_t)lcg() - (INT64_C(1) << 62);
		sched_set(s, i, due[i]);
	}
	is_int(NFEEDS, drain(s, INT64_MAX, due, NFEEDS),
	    "the full int64 range pops in order");
	free(due);
	sched_free(s);
}

static void
test_moves(void)
{
	struct sched *s = sched_new(5);
	size_t feed = 99;

	sched_set(s, 0, 100);
	sched_set(s, 1, 200);
	sched_set(s, 2, 300);
	sched_set(s, 3, 400);
	is_int(100, sched_next_due(s), "four feeds: 100 first");

	sched_set(s, 3, 50);
	is_int(50, sched_next_due(s), "a deadline moved earlier comes first");
	ok(sched_pop_due(s, 50, &feed) && feed == 3, "  and pops first");
	sched_set(s, 3, 400);

	sched_set(s, 0, 1000);
	is_int(200, sched_next_due(s), "the first moved later: the next one");
	ok(sched_pop_due(s, 200, &feed) && feed == 1, "  feed 1 at 200");
	ok(sched_pop_due(s, 300, &feed) && feed == 2, "  feed 2 at 300");
	ok(sched_pop_due(s, 400, &feed) && feed == 3, "  feed 3 at 400");
	ok(!sched_pop_due(s, 999, &feed), "  feed 0 not due at 999");
	ok(sched_pop_due(s, 1000, &feed) && feed == 0, "  feed 0 at 1000");
	is_int(SCHED_NEVER, sched_next_due(s), "  then empty");

	/* Setting twice keeps one entry. */
	sched_set(s, 4, 10);
	sched_set(s, 4, 10);
	sched_set(s, 4, 20);
	ok(sched_pop_due(s, 100, &feed) && feed == 4, "set thrice: popped");
	ok(!sched_pop_due(s, 100, &feed), "  once");

	/* Out-of-range feeds are ignored. */
	sched_set(s, 5, 1);
	sched_set(s, SIZE_MAX, 1);
	is_int(SCHED_NEVER, sched_next_due(s), "set of feed 5 of 5 ignored");
	sched_set(s, 2, 7);
	sched_remove(s, 5);
	sched_remove(s, SIZE_MAX);
	is_int(7, sched_next_due(s), "remove of feed 5 of 5 ignored");
	sched_free(s);
}

static void
test_remove(void)
{
	struct sched *s = sched_new(8);
	int64_t due[8] = { 10, 20, 30, 40, 50, 60, 70, 80 };
	size_t feed;

	for (size_t i = 0; i < 8; i++)
		sched_set(s, i, due[i]);
	sched_remove(s, 0);
	is_int(20, sched_next_due(s), "removing the root: the next is first");
	sched_remove(s, 3);
	sched_remove(s, 5);
	sched_remove(s, 7);
	sched_remove(s, 7);
	sched_remove(s, 0);
	is_int(4, drain(s, INT64_MAX, due, 8),
	    "removing middle, last and absent ones: 4 left, in order");

	/* Remove what was last placed, then what fills its hole moves up. */
	for (size_t i = 0; i < 8; i++)
		sched_set(s, i, 80 - (int64_t)i * 10);
	sched_remove(s, 7);
	is_int(20, sched_next_due(s), "removing the latest-set earliest");
	sched_remove(s, 6);
	sched_remove(s, 1);
	ok(sched_pop_due(s, 100, &feed) && feed == 5, "  then feed 5 at 30");
	ok(sched_pop_due(s, 100, &feed) && feed == 4, "  feed 4 at 40");
	ok(sched_pop_due(s, 100, &feed) && feed == 3, "  feed 3 at 50");
	ok(sched_pop_due(s, 100, &feed) && feed == 2, "  feed 2 at 60");
	ok(sched_pop_due(s, 100, &feed) && feed == 0, "  feed 0 at 80");
	ok(!sched_pop_due(s, 100, &feed), "  nothing else");

	/* A removed feed can come back. */
	sched_set(s, 6, 5);
	sched_remove(s, 6);
	sched_set(s, 6, 6);
	ok(sched_pop_due(s, 6, &feed) && feed == 6, "a removed feed returns");
	sched_free(s);
}

static void
test_now(void)
{
	struct sched *s = sched_new(3);
	size_t feed = 42;

	sched_set(s, 0, 1000);
	sched_set(s, 1, 2000);
	sched_set(s, 2, 3000);
	is_int(0, sched_pop_due(s, 999, &feed), "nothing due before 1000");
	is_int(42, (long long)feed, "  feed untouched");
	is_int(1000, sched_next_due(s), "  still scheduled");
	is_int(1, sched_pop_due(s, 1000, &feed), "due exactly at its time");
	is_int(0, (long long)feed, "  feed 0");
	is_int(2000, sched_next_due(s), "  gone from the schedule");
	is_int(1, sched_pop_due(s, 5000, &feed), "late: still due");
	is_int(1, (long long)feed, "  feed 1 first");
	is_int(1, sched_pop_due(s, 5000, &feed), "  then");
	is_int(2, (long long)feed, "  feed 2");
	is_int(0, sched_pop_due(s, 5000, &feed), "  then none");
	sched_free(s);
}

int
main(void)
{
	test_empty();
	test_order();
	test_moves();
	test_remove();
	test_now();
	return done_testing();
}
