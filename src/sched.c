/* sched.c - a binary min-heap of (deadline, feed) with a position index. */
#include <stdint.h>
#include <stdlib.h>

#include "buf.h"
#include "sched.h"

struct slot {
	int64_t	 due;
	size_t	 feed;
};

struct sched {
	struct slot	*heap;
	size_t		 len;
	size_t		*pos;	/* feed -> heap index, or SIZE_MAX */
	size_t		 nfeeds;
};

struct sched *
sched_new(size_t nfeeds)
{
	struct sched *s = xcalloc(1, sizeof(*s));

	s->heap = xcalloc(nfeeds, sizeof(*s->heap));
	s->pos = xcalloc(nfeeds, sizeof(*s->pos));
	s->nfeeds = nfeeds;
	for (size_t i = 0; i < nfeeds; i++)
		s->pos[i] = SIZE_MAX;
	return s;
}

void
sched_free(struct sched *s)
{
	if (s == NULL)
		return;
	free(s->heap);
	free(s->pos);
	free(s);
}

static void
place(struct sched *s, size_t i, struct slot v)
{
	s->heap[i] = v;
	s->pos[v.feed] = i;
}

static void
sift_up(struct sched *s, size_t i)
{
	struct slot v = s->heap[i];

	while (i > 0 && s->heap[(i - 1) / 2].due > v.due) {
		place(s, i, s->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	place(s, i, v);
}

static void
sift_down(struct sched *s, size_t i)
{
	struct slot v = s->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= s->len)
			break;
		if (c + 1 < s->len && s->heap[c + 1].due < s->heap[c].due)
			c++;
		if (s->heap[c].due >= v.due)
			break;
		place(s, i, s->heap[c]);
		i = c;
	}
	place(s, i, v);
}

void
sched_remove(struct sched *s, size_t feed)
{
	struct slot last;
	size_t i;

	if (feed >= s->nfeeds || (i = s->pos[feed]) == SIZE_MAX)
		return;
	s->pos[feed] = SIZE_MAX;
	if (--s->len == i)
		return;
	/* The last slot fills the hole, then finds its place either way. */
	last = s->heap[s->len];
	place(s, i, last);
	sift_down(s, i);
	sift_up(s, s->pos[last.feed]);
}

void
sched_set(struct sched *s, size_t feed, int64_t due)
{
	if (feed >= s->nfeeds)
		return;
	sched_remove(s, feed);
	place(s, s->len, (struct slot){ due, feed });
	s->len++;
	sift_up(s, s->len - 1);
}

int64_t
sched_next_due(const struct sched *s)
{
	return s->len > 0 ? s->heap[0].due : SCHED_NEVER;
}

int
sched_pop_due(struct sched *s, int64_t now, size_t *feed)
{
	if (s->len == 0 || s->heap[0].due > now)
		return 0;
	*feed = s->heap[0].feed;
	sched_remove(s, *feed);
	return 1;
}
