/*
 * server.c - the loop.  A timer wakes at the earliest deadline of the
 * schedule; due feeds are fetched (at most `concurrency` at a time); each
 * finished transfer is parsed and committed, and the feed is scheduled
 * again.  In serve mode the HTTP server shares the loop.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "decode.h"
#include "fetch.h"
#include "http.h"
#include "log.h"
#include "parse.h"
#include "sched.h"
#include "server.h"
#include "store.h"

struct feed_state {
	struct loop	*loop;
	size_t		 index;	/* into conf->feeds */
	int64_t		 id;	/* row in the store */
};

struct loop {
	const struct conf	*conf;
	struct event_base	*base;
	struct store		*store;
	struct fetcher		*fetcher;
	struct sched		*sched;
	struct event		*timer;
	struct feed_state	*feeds;
	size_t			 active;
	int			 once;		/* exit when nothing is left */
	size_t			 pending;	/* one-shot: polls not done */
	int			 failures;
};

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void tick(struct loop *);

static void
arm(struct loop *l)
{
	int64_t due = sched_next_due(l->sched), wait;
	struct timeval tv;

	if (due == SCHED_NEVER) {
		evtimer_del(l->timer);
		return;
	}
	wait = due - mono_ms();
	if (wait < 0)
		wait = 0;
	tv.tv_sec = wait / 1000;
	tv.tv_usec = (wait % 1000) * 1000;
	evtimer_add(l->timer, &tv);
}

/* Schedules feed i `secs` seconds from now, in the store and the heap. */
static void
reschedule(struct loop *l, size_t i, int64_t secs)
{
	store_feed_schedule(l->store, l->feeds[i].id, time(NULL) + secs);
	if (!l->once)
		sched_set(l->sched, i, mono_ms() + secs * 1000);
}

static void
one_done(struct loop *l)
{
	if (l->once && --l->pending == 0)
		event_base_loopbreak(l->base);
}

static void
record(struct loop *l, size_t i, const struct fetch_result *r)
{
	const struct feed_conf *fc = &l->conf->feeds[i];
	struct feed_doc *doc;
	struct validators v;
	struct poll_counts c;
	char err[256], charset[64];
	int64_t now = time(NULL);

	if (!r->ok) {
		log_warnx("feed %s: %s", fc->name, r->error);
		store_feed_error(l->store, l->feeds[i].id, (int)r->status,
		    r->error, now);
		l->failures++;
		return;
	}
	if (r->status == 304) {
		log_debug("feed %s: not modified", fc->name);
		store_feed_unchanged(l->store, l->feeds[i].id, now);
		return;
	}
	if (decode_content_type_charset(r->content_type, charset,
	    sizeof(charset)) == -1)
		charset[0] = '\0';
	doc = feed_parse(r->body.data, r->body.len, r->url, charset[0] ?
	    charset : NULL, err, sizeof(err));
	if (doc == NULL) {
		log_warnx("feed %s: %s", fc->name, err);
		store_feed_error(l->store, l->feeds[i].id, (int)r->status, err,
		    now);
		l->failures++;
		return;
	}
	if (doc->bozo)
		log_warnx("feed %s: broken XML, entries recovered: %s",
		    fc->name, doc->bozo_reason);
	v.etag = (char *)r->etag;
	v.last_modified = (char *)r->last_modified;
	if (store_feed_commit(l->store, l->feeds[i].id, doc, &v,
	    (int)r->status, now, &c, err, sizeof(err)) == -1) {
		log_warnx("feed %s: store: %s", fc->name, err);
		l->failures++;
	} else
		log_info("feed %s: %d new, %d updated, %d unchanged (%zu "
		    "bytes)", fc->name, c.new, c.updated, c.unchanged,
		    r->body.len);
	feed_doc_free(doc);
}

static void
fetched(const struct fetch_result *r, void *arg)
{
	struct feed_state *fs = arg;
	struct loop *l = fs->loop;
	size_t i = fs->index;

	l->active--;
	record(l, i, r);
	reschedule(l, i, conf_feed_interval(l->conf, &l->conf->feeds[i]));
	one_done(l);
	tick(l);
}

static void
start(struct loop *l, size_t i)
{
	const struct feed_conf *fc = &l->conf->feeds[i];
	struct validators v;

	store_feed_validators(l->store, l->feeds[i].id, &v);
	log_debug("feed %s: fetching %s", fc->name, fc->url);
	if (fetch_start(l->fetcher, fc->url, v.etag, v.last_modified, fetched,
	    &l->feeds[i]) == -1) {
		log_warnx("feed %s: cannot start the transfer", fc->name);
		store_feed_error(l->store, l->feeds[i].id, 0,
		    "cannot start the transfer", time(NULL));
		reschedule(l, i, conf_feed_interval(l->conf, fc));
		l->failures++;
		one_done(l);
	} else
		l->active++;
	validators_clear(&v);
}

/* Starts due feeds while the concurrency limit allows, then re-arms. */
static void
tick(struct loop *l)
{
	size_t i;
	int64_t now = mono_ms();

	while (l->active < (size_t)l->conf->concurrency &&
	    sched_pop_due(l->sched, now, &i))
		start(l, i);
	arm(l);
}

static void
timer_fired(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	tick(arg);
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct loop *l = arg;

	(void)what;
	if (sig == SIGHUP) {
		log_warnx("SIGHUP: configuration reload is not supported yet; "
		    "restart to apply changes");
		return;
	}
	log_info("signal %d: shutting down", (int)sig);
	event_base_loopbreak(l->base);
}

static int
loop_init(struct loop *l, const struct conf *conf)
{
	struct fetch_opts fo;
	char err[512];

	memset(l, 0, sizeof(*l));
	l->conf = conf;
	if ((l->store = store_open(conf->store_path, err, sizeof(err))) ==
	    NULL) {
		log_warnx("store: %s", err);
		return -1;
	}
	l->base = event_base_new();
	fo.user_agent = conf->user_agent;
	fo.timeout = conf->timeout;
	fo.max_size = conf->max_size;
	fo.allow_private = conf->allow_private;
	fo.allow = conf->allow;
	if ((l->fetcher = fetcher_new(l->base, &fo)) == NULL)
		return -1;
	l->sched = sched_new(conf->nfeeds);
	l->timer = evtimer_new(l->base, timer_fired, l);
	l->feeds = xcalloc(conf->nfeeds + 1, sizeof(*l->feeds));
	for (size_t i = 0; i < conf->nfeeds; i++) {
		l->feeds[i].loop = l;
		l->feeds[i].index = i;
		if (store_feed_ensure(l->store, conf->feeds[i].name,
		    conf->feeds[i].url, conf->feeds[i].title,
		    &l->feeds[i].id) == -1) {
			log_warnx("store: cannot record feed %s",
			    conf->feeds[i].name);
			return -1;
		}
	}
	return 0;
}

static void
loop_free(struct loop *l)
{
	fetcher_free(l->fetcher);	/* drops transfers in flight */
	if (l->timer != NULL)
		event_free(l->timer);
	sched_free(l->sched);
	free(l->feeds);
	store_close(l->store);
	if (l->base != NULL)
		event_base_free(l->base);
}

/* Puts every feed on the schedule at its stored next poll time. */
static void
schedule_all(struct loop *l)
{
	int64_t now = time(NULL), mono = mono_ms();

	for (size_t i = 0; i < l->conf->nfeeds; i++) {
		int64_t next = store_feed_next_poll(l->store, l->feeds[i].id);
		int64_t wait = next > now ? next - now : 0;

		sched_set(l->sched, i, mono + wait * 1000);
	}
}

int
server_serve(const struct conf *conf, const char *listen)
{
	struct loop l;
	struct http *h = NULL;
	struct event *sigs[3] = { NULL, NULL, NULL };
	const int signos[3] = { SIGINT, SIGTERM, SIGHUP };
	char err[256];
	int rc = 1;

	if (loop_init(&l, conf) == -1)
		goto done;
	if ((h = http_new(l.base, conf, l.store, listen ? listen :
	    conf->listen, err, sizeof(err))) == NULL) {
		log_warnx("%s", err);
		goto done;
	}
	for (int i = 0; i < 3; i++) {
		sigs[i] = evsignal_new(l.base, signos[i], on_signal, &l);
		event_add(sigs[i], NULL);
	}
	log_info("listening on %s, %zu feeds, store %s", http_bound(h),
	    conf->nfeeds, conf->store_path);
	schedule_all(&l);
	tick(&l);
	event_base_dispatch(l.base);
	rc = 0;
done:
	for (int i = 0; i < 3; i++)
		if (sigs[i] != NULL)
			event_free(sigs[i]);
	http_free(h);
	loop_free(&l);
	return rc;
}

int
server_poll(const struct conf *conf, char *const *names, size_t nnames)
{
	struct loop l;
	int64_t now = time(NULL), mono = mono_ms();
	int rc = 1;

	for (size_t i = 0; i < nnames; i++)
		if (conf_feed(conf, names[i]) == NULL) {
			log_warnx("no feed named \"%s\" in %s", names[i],
			    conf->path);
			return 1;
		}
	if (loop_init(&l, conf) == -1)
		goto done;
	l.once = 1;
	for (size_t i = 0; i < conf->nfeeds; i++) {
		int due = 0;

		if (nnames == 0)
			due = store_feed_next_poll(l.store, l.feeds[i].id) <=
			    now;
		for (size_t k = 0; k < nnames; k++)
			if (strcmp(names[k], conf->feeds[i].name) == 0)
				due = 1;
		if (due) {
			sched_set(l.sched, i, mono);
			l.pending++;
		}
	}
	if (l.pending > 0) {
		tick(&l);
		event_base_dispatch(l.base);
	}
	rc = l.failures > 0;
done:
	loop_free(&l);
	return rc;
}
