/*
 * sched.c - when each feed is due: a heap of deadlines, per-host queues,
 * backoff, jitter and the adaptive interval.
 *
 * Policy.
 *
 * Order: one min-heap of (due, feed) over all feeds, ties broken by the
 * feed index.  sched_take pops due feeds; one whose host is at its per_host
 * limit, or blocked, is set aside in that host's FIFO queue.  When the host
 * has a free slot again (a transfer of it is done, its block is over), the
 * head of its queue goes back on the heap at its old due time, with the
 * slot held for it; so a set-aside feed is never lost and never spun on.
 * A second heap holds blocked hosts with a queue, keyed by the end of their
 * block.  Every operation is O(log n) but for host lookup (a hash).
 *
 * Base interval: the feed's own interval when set; else adaptive, as in
 * Miniflux's entry-frequency scheduler: 7 days / entries per week when that
 * is known and > 0, max_interval when it is known to be 0, else the default
 * interval.  The last known frequency stands in for an unknown one (a 304
 * says nothing).  Always clamped to [min_interval, max_interval].
 *
 * Success: the delay is the base interval times a uniform factor in
 * [1 - jitter, 1 + jitter], clamped to [min_interval, max_interval]; it is
 * no shorter than ttl, max-age and Expires (each capped at max_interval;
 * jitter only adds to them); then it moves forward, an hour at a time, out
 * of skipped UTC hours and days (unless all are skipped), never past
 * max_interval.  The error count goes back to 0.
 *
 * Failure: errors + 1; the base is min_interval * 2^(errors - 1), capped
 * at max_interval, jittered and clamped as above.  There is no permanent
 * stop: only gone (410) retires a feed.  A failure with Retry-After (a 429
 * or 503; any failure that carries one) is a refusal: the delay is no
 * shorter than Retry-After capped at max_interval (jitter only adds).
 * Refusals apply to their feed only, unless a refusal comes while one of
 * another feed of the same host is still in force: then the whole host is
 * blocked until the latest of the refusal times in force, and sched_take
 * hands out none of its feeds before then.
 *
 * Jitter comes from splitmix64 seeded by the configuration; one draw per
 * sched_done, so a run repeats given the seed and the calls.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "sched.h"

#define NONE		SIZE_MAX
#define WEEK		(7.0 * 86400)	/* seconds */
#define HOUR_MS		INT64_C(3600000)
#define WALL_MAX	INT64_C(1000000000000)	/* seconds, either way */
#define ALL_HOURS	UINT32_C(0xffffff)
#define ALL_DAYS	0x7f

enum state { IDLE, QUEUED, ASIDE, RUNNING, RETIRED };

struct slot {
	int64_t	 key;
	size_t	 id;
};

/* A binary min-heap of (key, id) with an index id -> position. */
struct heap {
	struct slot	*v;
	size_t		 len;
	size_t		*pos;	/* id -> index in v, or NONE */
	size_t		 cap;	/* ids are 0..cap-1 */
};

struct feed {
	int64_t		 due;		/* ms, while QUEUED or ASIDE */
	int64_t		 interval;	/* its own, seconds; 0 = adaptive */
	int64_t		 base;		/* seconds, of the last delay */
	double		 epw;		/* entries per week, < 0 unknown */
	size_t		 host;		/* index in hosts, or NONE */
	size_t		 run_host;	/* its host when it was taken */
	size_t		 prev, next;	/* in its host's queue, while ASIDE */
	int		 errors;
	unsigned char	 state;
	unsigned char	 returned;	/* back from the queue, slot held */
	unsigned char	 retiring;	/* retire once done */
};

/* A Retry-After refusal: the feed and when it stops being in force. */
struct refusal {
	size_t	 feed;
	int64_t	 until;		/* ms */
};

struct host {
	char		*name;
	int		 running;
	int		 returned;	/* feeds back on the heap, slot held */
	int64_t		 blocked_until;	/* ms */
	size_t		 head, tail;	/* the queue of set-aside feeds */
	struct refusal	 top[2];	/* latest refusals of 2 distinct feeds */
};

struct sched {
	struct sched_conf conf;
	struct feed	*feeds;
	size_t		 nfeeds;
	struct host	*hosts;
	size_t		 nhosts, hostcap;
	size_t		*table;		/* host index + 1, or 0 when free */
	size_t		 tablecap;	/* a power of 2, > 2 * nhosts */
	struct heap	 due;		/* feeds, by due time */
	struct heap	 timers;	/* blocked hosts, by end of block */
	size_t		 running;
	int64_t		 now;		/* the latest now_ms seen */
	uint64_t	 rng;
};

/* Integer helpers. */

static int64_t
clampi(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static int64_t
addsat(int64_t a, int64_t b)
{
	if (b > 0 && a > INT64_MAX - b)
		return INT64_MAX - 1;
	if (b < 0 && a < INT64_MIN - b)
		return INT64_MIN;
	return a + b;
}

static int64_t
floordiv(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* The heap. */

static void
heap_grow(struct heap *h, size_t cap)
{
	if (cap <= h->cap)
		return;
	h->v = xrealloc(h->v, cap * sizeof(*h->v));
	h->pos = xrealloc(h->pos, cap * sizeof(*h->pos));
	while (h->cap < cap)
		h->pos[h->cap++] = NONE;
}

static int
slot_less(struct slot a, struct slot b)
{
	return a.key < b.key || (a.key == b.key && a.id < b.id);
}

static void
heap_place(struct heap *h, size_t at, struct slot v)
{
	h->v[at] = v;
	h->pos[v.id] = at;
}

static void
heap_up(struct heap *h, size_t at)
{
	struct slot v = h->v[at];

	while (at > 0 && slot_less(v, h->v[(at - 1) / 2])) {
		heap_place(h, at, h->v[(at - 1) / 2]);
		at = (at - 1) / 2;
	}
	heap_place(h, at, v);
}

static void
heap_down(struct heap *h, size_t at)
{
	struct slot v = h->v[at];
	size_t c;

	while ((c = 2 * at + 1) < h->len) {
		if (c + 1 < h->len && slot_less(h->v[c + 1], h->v[c]))
			c++;
		if (!slot_less(h->v[c], v))
			break;
		heap_place(h, at, h->v[c]);
		at = c;
	}
	heap_place(h, at, v);
}

static void
heap_del(struct heap *h, size_t id)
{
	struct slot last;
	size_t at = h->pos[id];

	if (at == NONE)
		return;
	h->pos[id] = NONE;
	if (--h->len == at)
		return;
	/* The last slot fills the hole, then finds its place either way. */
	last = h->v[h->len];
	heap_place(h, at, last);
	heap_down(h, at);
	heap_up(h, h->pos[last.id]);
}

/* Inserts id at key, or moves it there. */
static void
heap_set(struct heap *h, size_t id, int64_t key)
{
	heap_del(h, id);
	heap_place(h, h->len, (struct slot){ key, id });
	h->len++;
	heap_up(h, h->len - 1);
}

static int64_t
heap_top(const struct heap *h)
{
	return h->len > 0 ? h->v[0].key : SCHED_NEVER;
}

static void
heap_free(struct heap *h)
{
	free(h->v);
	free(h->pos);
}

/* Hosts: a table of names, compared without (ASCII) case. */

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int
host_eq(const char *a, const char *b)
{
	while (*a != '\0' && lower((unsigned char)*a) ==
	    lower((unsigned char)*b)) {
		a++;
		b++;
	}
	return *a == '\0' && *b == '\0';
}

/* FNV-1a over the lowercased name. */
static size_t
host_hash(const char *name)
{
	uint64_t h = UINT64_C(14695981039346656037);

	for (; *name != '\0'; name++)
		h = (h ^ (uint64_t)lower((unsigned char)*name)) *
		    UINT64_C(1099511628211);
	return (size_t)h;
}

static void
table_put(size_t *table, size_t cap, const char *name, size_t idx)
{
	size_t at = host_hash(name) & (cap - 1);

	while (table[at] != 0)
		at = (at + 1) & (cap - 1);
	table[at] = idx + 1;
}

static void
hosts_grow(struct sched *s)
{
	size_t cap = s->hostcap ? s->hostcap * 2 : 16;

	s->hosts = xrealloc(s->hosts, cap * sizeof(*s->hosts));
	s->hostcap = cap;
	heap_grow(&s->timers, cap);
	free(s->table);
	s->tablecap = cap * 4;
	s->table = xcalloc(s->tablecap, sizeof(*s->table));
	for (size_t i = 0; i < s->nhosts; i++)
		table_put(s->table, s->tablecap, s->hosts[i].name, i);
}

/* The index of the host called name, added if it is new. */
static size_t
host_find(struct sched *s, const char *name)
{
	struct host *hp;
	size_t at;

	if (s->table != NULL) {
		at = host_hash(name) & (s->tablecap - 1);
		for (; s->table[at] != 0; at = (at + 1) & (s->tablecap - 1))
			if (host_eq(s->hosts[s->table[at] - 1].name, name))
				return s->table[at] - 1;
	}
	if (s->nhosts == s->hostcap)
		hosts_grow(s);
	hp = &s->hosts[s->nhosts];
	memset(hp, 0, sizeof(*hp));
	hp->name = xstrdup(name);
	hp->blocked_until = INT64_MIN;
	hp->head = hp->tail = NONE;
	hp->top[0] = hp->top[1] = (struct refusal){ NONE, INT64_MIN };
	table_put(s->table, s->tablecap, name, s->nhosts);
	return s->nhosts++;
}

/* A host's queue of set-aside feeds. */

static void
queue_push(struct sched *s, size_t i, int front)
{
	struct feed *f = &s->feeds[i];
	struct host *hp = &s->hosts[f->host];

	f->state = ASIDE;
	if (hp->head == NONE) {
		f->prev = f->next = NONE;
		hp->head = hp->tail = i;
	} else if (front) {
		f->prev = NONE;
		f->next = hp->head;
		s->feeds[hp->head].prev = i;
		hp->head = i;
	} else {
		f->prev = hp->tail;
		f->next = NONE;
		s->feeds[hp->tail].next = i;
		hp->tail = i;
	}
}

static void
queue_unlink(struct sched *s, size_t i)
{
	struct feed *f = &s->feeds[i];
	struct host *hp = &s->hosts[f->host];

	if (f->prev == NONE)
		hp->head = f->next;
	else
		s->feeds[f->prev].next = f->next;
	if (f->next == NONE)
		hp->tail = f->prev;
	else
		s->feeds[f->next].prev = f->prev;
	f->prev = f->next = NONE;
}

/*
 * Puts the head of host h's queue back on the heap while the host has a
 * slot for it and is not blocked; a blocked host with a queue gets a timer
 * for the end of its block instead.
 */
static void
host_release(struct sched *s, size_t h)
{
	struct host *hp;
	struct feed *f;
	size_t i;

	if (h == NONE)
		return;
	hp = &s->hosts[h];
	if (hp->head != NONE && hp->blocked_until > s->now) {
		heap_set(&s->timers, h, hp->blocked_until);
		return;
	}
	while (hp->head != NONE &&
	    hp->running + hp->returned < s->conf.per_host) {
		i = hp->head;
		f = &s->feeds[i];
		queue_unlink(s, i);
		f->state = QUEUED;
		f->returned = 1;
		hp->returned++;
		heap_set(&s->due, i, f->due);
	}
}

/* Takes feed i off the heap or out of its queue: it is then idle. */
static void
unschedule(struct sched *s, size_t i)
{
	struct feed *f = &s->feeds[i];

	if (f->state == QUEUED)
		heap_del(&s->due, i);
	else if (f->state == ASIDE)
		queue_unlink(s, i);
	f->state = IDLE;
	if (f->returned) {
		f->returned = 0;
		s->hosts[f->host].returned--;
		host_release(s, f->host);
	}
}

static void
schedule(struct sched *s, size_t i, int64_t due)
{
	s->feeds[i].due = due;
	s->feeds[i].state = QUEUED;
	heap_set(&s->due, i, due);
}

/* Delays. */

/* A uniform double in [0, 1) from splitmix64. */
static double
uniform(struct sched *s)
{
	uint64_t z = (s->rng += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	z ^= z >> 31;
	return (double)(z >> 11) * 0x1p-53;
}

/* secs times factor, in ms, clamped to [min_interval, max_interval]. */
static int64_t
spread(const struct sched *s, int64_t secs, double factor)
{
	double ms = (double)secs * 1000.0 * factor;
	int64_t lo = s->conf.min_interval * 1000;
	int64_t hi = s->conf.max_interval * 1000;

	if (!(ms > (double)lo))
		return lo;
	if (ms >= (double)hi)
		return hi;
	return clampi((int64_t)(ms + 0.5), lo, hi);
}

static int64_t
base_interval(const struct sched *s, const struct feed *f)
{
	const struct sched_conf *c = &s->conf;
	double secs;

	if (f->interval > 0)
		return clampi(f->interval, c->min_interval, c->max_interval);
	if (f->epw > 0) {
		secs = WEEK / f->epw;
		if (secs >= (double)c->max_interval)
			return c->max_interval;
		if (secs <= (double)c->min_interval)
			return c->min_interval;
		return (int64_t)(secs + 0.5);
	}
	if (f->epw == 0)
		return c->max_interval;
	return c->interval;
}

static int64_t
backoff(const struct sched *s, int errors)
{
	int64_t b = s->conf.min_interval, max = s->conf.max_interval;

	for (int k = 1; k < errors && b < max; k++)
		b = b > max / 2 ? max : b * 2;
	return b < max ? b : max;
}

/* The largest of ttl, max-age and Expires, or -1 when none is given. */
static int64_t
floor_secs(const struct sched_outcome *o)
{
	int64_t fl = o->ttl;

	if (o->max_age > fl)
		fl = o->max_age;
	if (o->expires_in > fl)
		fl = o->expires_in;
	return fl >= 0 ? fl : -1;
}

static int
skipped(int64_t wall_ms, uint32_t hours, unsigned days)
{
	int64_t hour = floordiv(wall_ms, HOUR_MS);
	int64_t day = floordiv(hour, 24);
	int h = (int)(hour - day * 24);
	int d = (int)((day % 7 + 7 + 4) % 7);	/* 1970-01-01: Thursday */

	return (hours >> h & 1) || (days >> d & 1);
}

/* Moves a delay out of skipped hours and days, up to max_interval. */
static int64_t
skip_delay(const struct sched *s, const struct sched_outcome *o, int64_t d)
{
	uint32_t hours = o->skip_hours & ALL_HOURS;
	unsigned days = o->skip_days & ALL_DAYS;
	int64_t wall, at;

	if ((hours == 0 && days == 0) || hours == ALL_HOURS ||
	    days == ALL_DAYS)
		return d;
	wall = clampi(o->wall_now, -WALL_MAX, WALL_MAX) * 1000;
	at = wall + d;
	/* An hour of the week is free, so 168 steps reach it. */
	for (int n = 0; n < 7 * 24 && skipped(at, hours, days); n++)
		at = (floordiv(at, HOUR_MS) + 1) * HOUR_MS;
	return at - wall < s->conf.max_interval * 1000 ? at - wall :
	    s->conf.max_interval * 1000;
}

static int64_t
success_delay(struct sched *s, struct feed *f, const struct sched_outcome *o,
    double u)
{
	double j = s->conf.jitter;
	int64_t d, fl, lift;

	f->errors = 0;
	if (o->entries_per_week >= 0)
		f->epw = o->entries_per_week;
	f->base = base_interval(s, f);
	d = spread(s, f->base, 1 - j + 2 * j * u);
	if ((fl = floor_secs(o)) > 0) {
		if (fl > s->conf.max_interval)
			fl = s->conf.max_interval;
		if ((lift = spread(s, fl, 1 + j * u)) > d)
			d = lift;
	}
	return skip_delay(s, o, d);
}

/*
 * Notes a refusal of feed i until `until`; blocks the host when another
 * feed's refusal is still in force at now.
 */
static void
refused(struct sched *s, size_t i, int64_t now, int64_t until)
{
	struct host *hp;
	struct refusal *t;
	int other;

	if (s->feeds[i].host == NONE)
		return;
	hp = &s->hosts[s->feeds[i].host];
	t = hp->top;
	other = t[0].feed != i ? t[0].until > now : t[1].until > now;
	/* Keep the latest refusal of the two latest distinct feeds. */
	if (t[0].feed == i) {
		if (until > t[0].until)
			t[0].until = until;
	} else if (until > t[0].until) {
		t[1] = t[0];
		t[0] = (struct refusal){ i, until };
	} else if (t[1].feed == i) {
		if (until > t[1].until)
			t[1].until = until;
	} else if (until > t[1].until)
		t[1] = (struct refusal){ i, until };
	if (other && t[0].until > hp->blocked_until)
		hp->blocked_until = t[0].until;
}

static int64_t
failure_delay(struct sched *s, size_t i, int64_t now,
    const struct sched_outcome *o, double u)
{
	struct feed *f = &s->feeds[i];
	double j = s->conf.jitter;
	int64_t d, ra, lift;

	if (f->errors < INT_MAX)
		f->errors++;
	f->base = backoff(s, f->errors);
	d = spread(s, f->base, 1 - j + 2 * j * u);
	if (o != NULL && o->retry_after >= 0) {
		ra = o->retry_after < s->conf.max_interval ? o->retry_after :
		    s->conf.max_interval;
		refused(s, i, now, addsat(now, ra * 1000));
		if ((lift = spread(s, ra, 1 + j * u)) > d)
			d = lift;
	}
	return d;
}

/* The API. */

static void
conf_sanitise(struct sched_conf *c)
{
	c->min_interval = clampi(c->min_interval, 1, SCHED_MAX_INTERVAL);
	c->max_interval = clampi(c->max_interval, c->min_interval,
	    SCHED_MAX_INTERVAL);
	c->interval = clampi(c->interval, c->min_interval, c->max_interval);
	if (c->concurrency < 1)
		c->concurrency = 1;
	if (c->per_host < 1)
		c->per_host = 1;
	if (!(c->jitter >= 0))
		c->jitter = 0;
	if (c->jitter > 1)
		c->jitter = 1;
}

struct sched *
sched_new(const struct sched_conf *conf, size_t nfeeds)
{
	struct sched *s = xcalloc(1, sizeof(*s));

	s->conf = *conf;
	conf_sanitise(&s->conf);
	s->rng = conf->seed;
	s->now = INT64_MIN;
	s->nfeeds = nfeeds;
	s->feeds = xcalloc(nfeeds, sizeof(*s->feeds));
	for (size_t i = 0; i < nfeeds; i++) {
		struct feed *f = &s->feeds[i];

		f->epw = -1;
		f->host = f->run_host = f->prev = f->next = NONE;
		f->state = IDLE;
		f->base = s->conf.interval;
	}
	heap_grow(&s->due, nfeeds);
	return s;
}

void
sched_free(struct sched *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nhosts; i++)
		free(s->hosts[i].name);
	free(s->hosts);
	free(s->table);
	heap_free(&s->due);
	heap_free(&s->timers);
	free(s->feeds);
	free(s);
}

void
sched_feed(struct sched *s, size_t i, const char *host, int64_t interval)
{
	struct feed *f;
	size_t h = NONE;
	int64_t due;

	if (i >= s->nfeeds)
		return;
	f = &s->feeds[i];
	if (host != NULL && *host != '\0')
		h = host_find(s, host);
	f->interval = interval > 0 ? interval : 0;
	f->base = base_interval(s, f);
	if (h == f->host)
		return;
	if (f->state == QUEUED || f->state == ASIDE) {
		due = f->due;
		unschedule(s, i);
		f->host = h;
		schedule(s, i, due);
	} else
		f->host = h;
}

void
sched_due(struct sched *s, size_t i, int64_t due_ms)
{
	if (i >= s->nfeeds || s->feeds[i].state == RUNNING ||
	    s->feeds[i].state == RETIRED)
		return;
	unschedule(s, i);
	schedule(s, i, due_ms);
}

void
sched_retire(struct sched *s, size_t i)
{
	if (i >= s->nfeeds || s->feeds[i].state == RETIRED)
		return;
	if (s->feeds[i].state == RUNNING) {
		s->feeds[i].retiring = 1;
		return;
	}
	unschedule(s, i);
	s->feeds[i].state = RETIRED;
}

/* Whether popped feed i may start at now, its host permitting. */
static int
may_start(const struct sched *s, size_t i, int64_t now)
{
	const struct feed *f = &s->feeds[i];
	const struct host *hp;

	if (f->host == NONE)
		return 1;
	hp = &s->hosts[f->host];
	if (hp->blocked_until > now)
		return 0;
	if (f->returned)
		return hp->running < s->conf.per_host;
	return hp->running + hp->returned < s->conf.per_host;
}

static void
start(struct sched *s, size_t i)
{
	struct feed *f = &s->feeds[i];

	f->state = RUNNING;
	f->run_host = f->host;
	s->running++;
	if (f->host == NONE)
		return;
	s->hosts[f->host].running++;
	if (f->returned) {
		f->returned = 0;
		s->hosts[f->host].returned--;
	}
}

/*
 * Sets popped feed i aside in its host's queue: at the tail, or at the
 * head if it had come back from there (its host got blocked meanwhile).
 */
static void
set_aside(struct sched *s, size_t i, int64_t now)
{
	struct feed *f = &s->feeds[i];
	struct host *hp = &s->hosts[f->host];
	int front = f->returned;

	if (f->returned) {
		f->returned = 0;
		hp->returned--;
	}
	queue_push(s, i, front);
	if (hp->blocked_until > now)
		heap_set(&s->timers, f->host, hp->blocked_until);
}

int
sched_take(struct sched *s, int64_t now_ms, size_t *ip)
{
	size_t i, h;

	if (now_ms > s->now)
		s->now = now_ms;
	if (s->running >= (size_t)s->conf.concurrency)
		return 0;
	while (s->timers.len > 0 && s->timers.v[0].key <= now_ms) {
		h = s->timers.v[0].id;
		heap_del(&s->timers, h);
		host_release(s, h);
	}
	while (s->due.len > 0 && s->due.v[0].key <= now_ms) {
		i = s->due.v[0].id;
		heap_del(&s->due, i);
		if (may_start(s, i, now_ms)) {
			start(s, i);
			*ip = i;
			return 1;
		}
		set_aside(s, i, now_ms);
	}
	return 0;
}

int64_t
sched_wake(const struct sched *s, int64_t now_ms)
{
	int64_t a, b;

	(void)now_ms;
	if (s->running >= (size_t)s->conf.concurrency)
		return SCHED_NEVER;
	a = heap_top(&s->due);
	b = heap_top(&s->timers);
	return a < b ? a : b;
}

int64_t
sched_done(struct sched *s, size_t i, int64_t now_ms,
    const struct sched_outcome *o)
{
	struct feed *f;
	size_t was = NONE;
	int64_t d;
	double u;

	if (i >= s->nfeeds || s->feeds[i].state == RETIRED)
		return SCHED_NEVER;
	if (now_ms > s->now)
		s->now = now_ms;
	f = &s->feeds[i];
	if (f->state == RUNNING) {
		was = f->run_host;
		s->running--;
		if (was != NONE)
			s->hosts[was].running--;
		f->state = IDLE;
	} else
		unschedule(s, i);
	u = uniform(s);
	if (f->retiring || (o != NULL && o->gone)) {
		f->state = RETIRED;
		d = SCHED_NEVER;
	} else {
		if (o != NULL && o->ok)
			d = success_delay(s, f, o, u);
		else
			d = failure_delay(s, i, now_ms, o, u);
		d = addsat(now_ms, d);
		schedule(s, i, d);
	}
	host_release(s, was);
	if (f->host != was)
		host_release(s, f->host);
	return d;
}

void
sched_set_errors(struct sched *s, size_t i, int errors)
{
	if (i < s->nfeeds && errors >= 0)
		s->feeds[i].errors = errors;
}

int
sched_errors(const struct sched *s, size_t i)
{
	return i < s->nfeeds ? s->feeds[i].errors : 0;
}

int64_t
sched_interval(const struct sched *s, size_t i)
{
	return i < s->nfeeds ? s->feeds[i].base : 0;
}

size_t
sched_running(const struct sched *s)
{
	return s->running;
}

int64_t
sched_next(const struct sched *s, size_t i)
{
	if (i >= s->nfeeds || (s->feeds[i].state != QUEUED &&
	    s->feeds[i].state != ASIDE))
		return SCHED_NEVER;
	return s->feeds[i].due;
}
