/*
 * server.c - the loop.  A timer wakes when the schedule may hand out a
 * feed; the feed is fetched; a finished transfer is parsed and stored in
 * the open transaction (see open_tx), and the schedule says when to come
 * back.  In serve mode the HTTP server shares the loop.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "decode.h"
#include "fetch.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "parse.h"
#include "query.h"
#include "sched.h"
#include "server.h"
#include "store.h"
#include "url.h"

#define MOVED_CONFIRM	3	/* polls that must see a permanent redirect */

struct feed_state {
	struct loop	*loop;
	size_t		 index;		/* into conf->feeds */
	int64_t		 id;		/* row in the store */
	struct feed_memory mem;		/* url, validators, redirect */
	int		 wanted;	/* one-shot mode: to be polled */
};

struct loop {
	const struct conf	*conf;
	struct event_base	*base;
	struct store		*store;
	struct fetcher		*fetcher;
	struct sched		*sched;
	struct event		*timer;
	struct event		*commit;	/* ends the open transaction */
	struct event		*indexer;	/* serve: the index's backlog */
	struct event		*pruner;	/* serve: retention, hourly */
	int			 in_tx;
	int64_t			 pruned;	/* this pass of retention */
	int64_t			 busy_until;	/* store locked: wait (mono ms) */
	int			 in_tick;
	struct feed_state	*feeds;
	int			 once;		/* exit when nothing is left */
	size_t			 pending;	/* one-shot: polls not done */
	size_t			 total;
	int			 progress;	/* a terminal to draw on */
	size_t			 ok, not_modified, failed;
	struct metrics		*metrics;	/* serve: shared with workers */
	int			 reload;	/* SIGHUP with a valid config */
};

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void tick(struct loop *);
static int config_valid(const char *);
static void close_tx(struct loop *);

/* Wakes the loop when the schedule may next hand out a feed. */
static void
arm(struct loop *l)
{
	int64_t now = mono_ms(), due = sched_wake(l->sched, now), wait;
	struct timeval tv;

	if (l->once && l->pending > 0 && sched_running(l->sched) == 0 &&
	    due > now) {
		/*
		 * One pass: every feed left is due now, so only a host
		 * blocked by Retry-After can hold it back.  Not waiting
		 * hours: those feeds are left for the next pass.
		 */
		log_warnx("poll: %zu feeds not polled: their host asked to "
		    "wait (Retry-After)", l->pending);
		l->failed += l->pending;
		l->pending = 0;
		close_tx(l);
		event_base_loopbreak(l->base);
		return;
	}
	if (due == SCHED_NEVER) {
		evtimer_del(l->timer);
		return;
	}
	wait = due > now ? due - now : 0;
	tv.tv_sec = wait / 1000;
	tv.tv_usec = (wait % 1000) * 1000;
	evtimer_add(l->timer, &tv);
}

static void
show_progress(struct loop *l)
{
	size_t done = l->total - l->pending;

	if (l->progress)
		fprintf(stderr, "\rpolling: %zu/%zu (%zu failed)", done,
		    l->total, l->failed);
}

/*
 * Writes go into one transaction that stays open for COMMIT_MS, so that a
 * pass over thousands of feeds costs a few fsyncs, not one per feed; each
 * feed's writes are a savepoint in it (its entries and validators commit
 * or fail together).  A crash loses at most that open transaction, whose
 * feeds are then fetched again: nothing that was committed is lost.
 */
#define COMMIT_MS	100

/*
 * Another process holding the write lock (a backup, a sqlite3 shell) makes
 * a BEGIN fail after the busy timeout.  Then, for BUSY_PAUSE_MS, nothing
 * is fetched and nothing tries to write: the loop serves requests instead
 * of waiting for the lock again at every poll.
 */
#define BUSY_PAUSE_MS	1000

/* 1 when a transaction is open (or was already). */
static int
open_tx(struct loop *l)
{
	struct timeval tv = { 0, COMMIT_MS * 1000 };
	int64_t now = mono_ms();

	if (l->in_tx)
		return 1;
	if (now < l->busy_until)
		return 0;
	l->in_tx = store_tx_begin(l->store) == 0;
	if (l->in_tx) {
		evtimer_add(l->commit, &tv);
		if (l->busy_until != 0)
			log_info("store: the write lock is free again");
		l->busy_until = 0;
	} else {
		if (l->busy_until == 0)
			log_warnx("store: another process holds the write "
			    "lock; polling waits for it");
		l->busy_until = mono_ms() + BUSY_PAUSE_MS;
	}
	return l->in_tx;
}

/*
 * A batch rolled back: what the poller remembers goes back to what the
 * store holds.  Above all the validators: a document whose entries were
 * not stored must not be answered by a 304 next time.
 */
static void
forget_batch(struct loop *l)
{
	for (size_t i = 0; i < l->conf->nfeeds; i++) {
		struct feed_state *fs = &l->feeds[i];
		struct feed_memory m;

		if (store_feed_load(l->store, fs->id, &m) == 0) {
			feed_memory_clear(&fs->mem);
			fs->mem = m;
		} else {
			/* Unreadable too: no validators, a full fetch. */
			free(fs->mem.etag);
			free(fs->mem.last_modified);
			fs->mem.etag = fs->mem.last_modified = NULL;
			fs->mem.outcome = 0;
		}
	}
}

static void
close_tx(struct loop *l)
{
	if (!l->in_tx)
		return;
	l->in_tx = 0;
	evtimer_del(l->commit);
	if (store_tx_commit(l->store) == -1) {
		log_warnx("store: a batch of polls could not be committed; "
		    "its feeds will be fetched again");
		forget_batch(l);
	}
	if (l->indexer != NULL)
		event_active(l->indexer, EV_TIMEOUT, 0);
}

/*
 * Serve mode: the full-text index catches up with what was committed, a
 * step of INDEX_STEP entries (some tens of milliseconds) per turn of the
 * loop, so that requests and transfers are served in between.  It runs in
 * its own transaction, never inside a batch of polls.  One-shot polls
 * leave the backlog to whoever searches or serves next.
 */
#define INDEX_STEP	256

/*
 * Retention: at start, then every PRUNE_EVERY seconds, in steps of
 * PRUNE_STEP entries, each its own transaction and turn of the loop: a
 * store with 200,000 entries to prune held the loop for 15 s in one.
 */
#define PRUNE_EVERY	3600
#define PRUNE_STEP	500

/* One step; 1 when the pass has more to do, 0 when it is done. */
static int
prune(struct loop *l)
{
	char err[256];
	int n;

	if ((n = store_prune(l->store, time(NULL), PRUNE_STEP, err,
	    sizeof(err))) == -1) {
		log_warnx("store: %s", err);
		l->pruned = 0;
		return 0;
	}
	l->pruned += n;
	if (n == PRUNE_STEP)
		return 1;
	if (l->pruned > 0)
		log_info("store: %lld entries older than %lld days pruned",
		    (long long)l->pruned, (long long)l->conf->keep_days);
	l->pruned = 0;
	return 0;
}

static void
prune_fired(evutil_socket_t fd, short what, void *arg)
{
	struct loop *l = arg;
	struct timeval later = { PRUNE_EVERY, 0 }, soon = { 1, 0 };
	struct timeval now = { 0, 0 };

	(void)fd;
	(void)what;
	if (l->in_tx)	/* a batch of polls is open: after it */
		evtimer_add(l->pruner, &soon);
	else
		evtimer_add(l->pruner, prune(l) ? &now : &later);
}

static void
index_fired(evutil_socket_t fd, short what, void *arg)
{
	struct loop *l = arg;
	char err[256];
	int n;

	(void)fd;
	(void)what;
	if (l->in_tx)
		return;		/* close_tx will wake it again */
	if ((n = store_index(l->store, INDEX_STEP, err, sizeof(err))) == -1)
		log_warnx("store: %s", err);
	else if (n >= INDEX_STEP)
		event_active(l->indexer, EV_TIMEOUT, 0);
}

static void
commit_fired(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	close_tx(arg);
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/*
 * A permanent redirect is adopted once the same target was seen on
 * MOVED_CONFIRM polls in a row, never from https to http; anything else
 * forgets it.  Returns the URL to poll from now on, or NULL.
 */
static const char *
follow_move(struct loop *l, struct feed_state *fs,
    const struct fetch_result *d)
{
	struct feed_memory *m = &fs->mem;
	const char *name = l->conf->feeds[fs->index].name;

	if (d->moved_to == NULL || !d->ok) {
		free(m->moved_to);
		m->moved_to = NULL;
		m->moved_count = 0;
		return NULL;
	}
	if (m->moved_to != NULL && strcmp(m->moved_to, d->moved_to) == 0)
		m->moved_count++;
	else {
		free(m->moved_to);
		m->moved_to = xstrdup(d->moved_to);
		m->moved_count = 1;
	}
	if (m->moved_count < MOVED_CONFIRM)
		return NULL;
	if (strncasecmp(m->url, "https:", 6) == 0 &&
	    strncasecmp(m->moved_to, "http:", 5) == 0)
		return NULL;
	log_info("feed %s: moved permanently to %s (seen %d times)", name,
	    m->moved_to, m->moved_count);
	free(m->url);
	m->url = m->moved_to;
	m->moved_to = NULL;
	m->moved_count = 0;
	return m->url;
}

/* Parses and stores a 200; fills the counts; NULL or an error text. */
static const char *
take_body(struct loop *l, struct feed_state *fs, const struct fetch_result *d,
    struct sched_outcome *o, struct poll_counts *c, char *err, size_t errlen)
{
	const char *name = l->conf->feeds[fs->index].name;
	struct feed_doc *doc;
	struct validators v;
	int64_t now = time(NULL);
	char cs[64];

	if (decode_content_type_charset(d->content_type, cs, sizeof(cs)) == -1)
		cs[0] = '\0';
	doc = feed_parse(d->body.data ? d->body.data : "", d->body.len,
	    d->url, cs[0] ? cs : NULL, err, errlen);
	if (doc == NULL)
		return "not_a_feed";
	if (doc->bozo)
		log_warnx("feed %s: broken XML, entries recovered: %s", name,
		    doc->bozo_reason);
	v.etag = (char *)(uintptr_t)d->etag;
	v.last_modified = (char *)(uintptr_t)d->last_modified;
	if (store_feed_commit(l->store, fs->id, doc, &v, now, c, err,
	    errlen) == -1) {
		feed_doc_free(doc);
		return "store";
	}
	free(fs->mem.etag);
	free(fs->mem.last_modified);
	fs->mem.etag = dup_or_null(d->etag);
	fs->mem.last_modified = dup_or_null(d->last_modified);
	/* The hints stay for the 304s to come (sched.h). */
	fs->mem.ttl = o->ttl = doc->ttl;
	fs->mem.skip_hours = o->skip_hours = doc->skip_hours;
	fs->mem.skip_days = o->skip_days = doc->skip_days;
	feed_doc_free(doc);
	return NULL;
}

/*
 * The fetcher's callback, one finished transfer: parse, store, schedule,
 * record, log.
 */
static void
fetched(const struct fetch_result *d, void *arg)
{
	struct feed_state *fs = arg;
	struct loop *l = fs->loop;
	size_t i = fs->index;
	const char *name = l->conf->feeds[i].name;
	struct sched_outcome o;
	struct feed_status st;
	struct poll_counts c = { 0, 0, 0, 0, 0 };
	char err[256] = "";
	const char *class = NULL, *error = NULL;
	int64_t now = mono_ms(), wall = time(NULL), next;

	memset(&o, 0, sizeof(o));
	o.retry_after = d->retry_after;
	o.max_age = d->max_age;
	o.expires_in = d->expires_in;
	o.ttl = fs->mem.ttl;
	o.skip_hours = fs->mem.skip_hours;
	o.skip_days = fs->mem.skip_days;
	o.status = (int)d->status;
	o.wall_now = wall;
	/* Before take_body: its commit joins the batch. */
	if (!open_tx(l)) {
		/*
		 * Not stored, not recorded, not the feed's fault: polled
		 * again after the pause, its validators as they were.
		 */
		struct sched_outcome pause = { .ok = 1, .retry_after = -1,
		    .max_age = -1, .expires_in = -1, .ttl = -1,
		    .entries_per_week = -1, .wall_now = wall };

		sched_done(l->sched, i, now, &pause);
		if (l->once)
			sched_retire(l->sched, i);
		else
			sched_due(l->sched, i, now + BUSY_PAUSE_MS);
		log_warnx("feed %s: not stored: the store is locked by "
		    "another process", name);
		l->failed++;
		goto counted;
	}
	if (!d->ok) {
		class = d->error_class;
		error = d->error;
		o.gone = d->status == 410;
	} else if (d->status == 304 && fs->mem.etag == NULL &&
	    fs->mem.last_modified == NULL) {
		class = "http";
		error = "304 Not Modified to a request that was not conditional";
	} else if (d->status != 304 && (class = take_body(l, fs, d, &o, &c,
	    err, sizeof(err))) != NULL)
		error = err;
	o.ok = error == NULL;
	/* Only a new document can change the rate (a 304: the last one). */
	o.entries_per_week = error == NULL && d->status != 304 ?
	    store_feed_rate(l->store, fs->id, wall) : -1;
	memset(&st, 0, sizeof(st));
	st.url = follow_move(l, fs, d);
	next = sched_done(l->sched, i, now, &o);
	if (l->once)
		sched_retire(l->sched, i);	/* one pass only */
	st.id = fs->id;
	st.state = o.gone ? "gone" : error != NULL ? "error" : "ok";
	st.http_status = (int)d->status;
	st.error = error;
	st.error_class = class;
	st.attempt = wall;
	st.success = error == NULL;
	st.next_poll = next == SCHED_NEVER ? 0 : wall + (next - now + 999) /
	    1000;
	st.consecutive_errors = sched_errors(l->sched, i);
	st.bytes = (int64_t)d->body.len;
	st.new_entries = c.new + c.duplicate;
	st.updated_entries = c.updated;
	st.interval = sched_interval(l->sched, i);
	st.moved_to = fs->mem.moved_to;
	st.moved_count = fs->mem.moved_count;
	st.ttl = fs->mem.ttl;
	st.skip_hours = fs->mem.skip_hours;
	st.skip_days = fs->mem.skip_days;
	if (store_feed_status(l->store, &st, &fs->mem) == -1)
		log_warnx("feed %s: cannot record the poll", name);
	if (o.gone) {
		fs->mem.gone = 1;
		log_warnx("feed %s: 410 Gone; it will not be polled again",
		    name);
	} else if (error != NULL)
		log_warnx("feed %s: %s", name, error);
	else if (d->status == 304)
		log_debug("feed %s: not modified", name);
	else
		log_info("feed %s: %d new, %d already from other feeds, %d "
		    "updated, %d unchanged (%zu bytes)", name, c.new,
		    c.duplicate, c.updated, c.unchanged, d->body.len);
	if (c.churned > 0)
		log_warnx("feed %s: %d entries came back under new guids; "
		    "matched by link or title", name, c.churned);
	if (error != NULL)
		l->failed++;
	else if (d->status == 304)
		l->not_modified++;
	else
		l->ok++;
	metrics_poll(l->metrics, o.gone ? PO_GONE : error != NULL ? PO_ERROR :
	    d->status == 304 ? PO_NOT_MODIFIED : PO_OK, d->body.len, d->seconds,
	    c.new, c.updated, c.duplicate);
counted:
	if (l->once) {
		l->pending--;
		show_progress(l);
		if (l->pending == 0) {
			close_tx(l);
			event_base_loopbreak(l->base);
			return;
		}
	}
	tick(l);
}

static void
start(struct loop *l, size_t i)
{
	struct feed_state *fs = &l->feeds[i];
	struct fetch_result r;

	log_debug("feed %s: fetching %s", l->conf->feeds[i].name, fs->mem.url);
	if (fetch_start(l->fetcher, fs->mem.url, fs->mem.etag,
	    fs->mem.last_modified, fetched, fs) == 0)
		return;
	memset(&r, 0, sizeof(r));
	r.retry_after = r.max_age = r.expires_in = -1;
	snprintf(r.error, sizeof(r.error), "cannot start the transfer");
	r.error_class = "network";
	fetched(&r, fs);
}

/* Starts what the schedule hands out now, then re-arms. */
static void
tick(struct loop *l)
{
	size_t i;
	int64_t now = mono_ms();

	if (l->in_tick || l->fetcher == NULL)
		return;		/* a transfer that failed at once, in start(); */
				/* or stopping: no fetcher any more */
	if (now < l->busy_until) {
		/* The store is locked: fetch nothing until the pause ends. */
		int64_t wait = l->busy_until - now;
		struct timeval tv = { wait / 1000, (wait % 1000) * 1000 };

		evtimer_add(l->timer, &tv);
		return;
	}
	l->in_tick = 1;
	while (sched_take(l->sched, now, &i))
		start(l, i);
	l->in_tick = 0;
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
		/* Checked off to the side; a bad one changes nothing. */
		if (!config_valid(l->conf->path))
			return;
		log_info("SIGHUP: %s is valid; reloading", l->conf->path);
		l->reload = 1;
	} else
		log_info("signal %d: shutting down", (int)sig);
	event_base_loopbreak(l->base);
}

/*
 * Whether the config at path loads without an error (its channels' queries
 * included); every error is logged, one line each.
 */
static int
config_valid(const char *path)
{
	struct buf errs = { 0 };
	struct conf *c = conf_load(path, &errs);
	struct query q;
	char err[256];

	for (size_t i = 0; c != NULL && i < c->nchannels; i++) {
		if (query_parse(c->channels[i].query, &q, err, sizeof(err)) ==
		    -1)
			buf_printf(&errs, "%s:%d: channel %s: bad query: %s\n",
			    path, c->channels[i].line, c->channels[i].name,
			    err);
		query_clear(&q);
	}
	for (char *line = errs.data; line != NULL && *line != '\0';) {
		size_t len = strcspn(line, "\n");

		log_warnx("SIGHUP: %.*s", (int)len, line);
		line += len + (line[len] != '\0');
	}
	if (errs.len > 0)
		log_warnx("SIGHUP: the configuration has errors; the running "
		    "one stays");
	conf_free(c);
	buf_free(&errs);
	return errs.len == 0 && c != NULL;
}

/*
 * The reload: this process runs itself again with the same arguments
 * and the listening socket (kept open, its number in SLUICE_LISTEN_FD),
 * so the new config starts from the store like any start, with no
 * connection refused in between: connections wait in the socket's
 * backlog.  Only returns on failure.
 */
static void
reexec(int listen_fd)
{
	char raw[8192], *argv[64], num[16];
	ssize_t n;
	int fd, argc = 0;

	if ((fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC)) == -1)
		return;
	n = read(fd, raw, sizeof(raw) - 1);
	close(fd);
	if (n <= 0)
		return;
	raw[n] = '\0';
	for (char *p = raw; p < raw + n && argc < 63; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	snprintf(num, sizeof(num), "%d", listen_fd);
	setenv("SLUICE_LISTEN_FD", num, 1);
	fflush(stderr);
	execv("/proc/self/exe", argv);
	log_warnx("reload: cannot run again: %s", strerror(errno));
	unsetenv("SLUICE_LISTEN_FD");
}

/*
 * The listening socket a reload handed over (SLUICE_LISTEN_FD), taken
 * back under close-on-exec; or -1.
 */
static int
inherited_listener(void)
{
	const char *v = getenv("SLUICE_LISTEN_FD");
	int fd, yes = 0;
	socklen_t len = sizeof(yes);

	if (v == NULL)
		return -1;
	fd = atoi(v);
	unsetenv("SLUICE_LISTEN_FD");
	if (fd < 3 || getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &yes,
	    &len) == -1 || !yes)
		return -1;
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

static int
loop_init(struct loop *l, const struct conf *conf)
{
	struct fetch_opts fo;
	struct sched_conf sc;
	struct feed_open *opens;
	char err[512];

	memset(l, 0, sizeof(*l));
	l->conf = conf;
	if ((l->store = store_open(conf->store_path, err, sizeof(err))) ==
	    NULL) {
		log_warnx("store: %s", err);
		return -1;
	}
	store_retention(l->store, conf->keep_days, conf->keep_per_feed);
	if ((l->base = event_base_new()) == NULL ||
	    event_base_priority_init(l->base, HTTP_PRIORITIES) == -1)
		return -1;
	fo.user_agent = conf->user_agent;
	fo.timeout = conf->timeout;
	fo.max_size = conf->max_size;
	fo.allow_private = conf->allow_private;
	fo.allow = conf->allow;
	if ((l->fetcher = fetcher_new(l->base, &fo)) == NULL)
		return -1;
	sc.interval = conf->interval;
	sc.min_interval = conf->min_interval;
	sc.max_interval = conf->max_interval;
	sc.concurrency = (int)conf->concurrency;
	sc.per_host = (int)conf->per_host;
	sc.jitter = 0.1;
	sc.seed = (uint64_t)time(NULL) ^ (uint64_t)getpid();
	l->sched = sched_new(&sc, conf->nfeeds);
	l->timer = evtimer_new(l->base, timer_fired, l);
	l->commit = evtimer_new(l->base, commit_fired, l);
	l->feeds = xcalloc(conf->nfeeds + 1, sizeof(*l->feeds));
	opens = xcalloc(conf->nfeeds + 1, sizeof(*opens));
	for (size_t i = 0; i < conf->nfeeds; i++) {
		opens[i].name = conf->feeds[i].name;
		opens[i].url = conf->feeds[i].url;
		opens[i].title = conf->feeds[i].title;
	}
	store_tx_begin(l->store);	/* one commit for every feed's row */
	if (store_feeds_open(l->store, opens, conf->nfeeds, err,
	    sizeof(err)) == -1) {
		log_warnx("store: cannot record the feeds: %s", err);
		store_tx_commit(l->store);
		for (size_t i = 0; i < conf->nfeeds; i++)
			feed_memory_clear(&opens[i].mem);
		free(opens);
		return -1;
	}
	for (size_t i = 0; i < conf->nfeeds; i++) {
		struct feed_state *fs = &l->feeds[i];
		char *host;

		fs->loop = l;
		fs->index = i;
		fs->id = opens[i].id;
		fs->mem = opens[i].mem;		/* moved */
		/* The config's URL parsed once, unless the feed has moved. */
		host = conf->feeds[i].host != NULL && strcmp(fs->mem.url,
		    conf->feeds[i].url) == 0 ? NULL : url_host(fs->mem.url);
		sched_feed(l->sched, i, host != NULL ? host :
		    conf->feeds[i].host, conf->feeds[i].interval);
		sched_set_errors(l->sched, i, fs->mem.consecutive_errors);
		free(host);
	}
	free(opens);
	if (store_tx_commit(l->store) == -1)
		return -1;
	return 0;
}

static void
loop_free(struct loop *l)
{
	fetcher_free(l->fetcher);	/* drops transfers in flight */
	close_tx(l);			/* finishes the open transaction */
	if (l->timer != NULL)
		event_free(l->timer);
	if (l->commit != NULL)
		event_free(l->commit);
	if (l->indexer != NULL)
		event_free(l->indexer);
	if (l->pruner != NULL)
		event_free(l->pruner);
	sched_free(l->sched);
	for (size_t i = 0; l->feeds != NULL && i < l->conf->nfeeds; i++)
		feed_memory_clear(&l->feeds[i].mem);
	free(l->feeds);
	store_close(l->store);
	if (l->base != NULL)
		event_base_free(l->base);
}

/*
 * Seconds until a feed's next poll as the store has it (wall clock).  No
 * delay sluice sets is longer than max_interval, so a longer one was
 * written under a clock that has since been set back, or was ahead then
 * (HOSTILE row 65): it is cut to max_interval, not waited out.  `sluice
 * poll` takes such a feed as due (a minute past max_interval, for the
 * rounding of seconds).
 */
static int64_t
stored_wait(const struct conf *conf, const struct feed_memory *m,
    int64_t now)
{
	int64_t wait = m->next_poll > now ? m->next_poll - now : 0;

	return wait > conf->max_interval ? conf->max_interval : wait;
}

/* Every feed on the schedule at its stored next poll time. */
static void
schedule_all(struct loop *l)
{
	int64_t now = time(NULL), mono = mono_ms();

	for (size_t i = 0; i < l->conf->nfeeds; i++) {
		struct feed_memory *m = &l->feeds[i].mem;
		int64_t wait = stored_wait(l->conf, m, now);

		if (m->gone)
			sched_retire(l->sched, i);
		else
			sched_due(l->sched, i, mono + wait * 1000);
	}
}

void
hup_blocked(int block)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigprocmask(block ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

#define DRAIN_MS	2000	/* the longest a stop waits for answers */
#define GRACE_MS	50	/* and the shortest */

static void
drain_tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
}

/*
 * Runs the loop until h has answered what it received, or DRAIN_MS; and
 * for GRACE_MS at least, so that the connections accepted just before it
 * stopped accepting can send their requests and have them answered.
 */
static void
drain(struct event_base *base, struct http *h)
{
	int64_t start = mono_ms(), end = start + DRAIN_MS;
	struct timeval tv = { 0, 20 * 1000 };
	struct event *t;

	if (h == NULL || (t = event_new(base, -1, EV_PERSIST, drain_tick,
	    NULL)) == NULL)
		return;
	event_add(t, &tv);
	while ((http_active(h) > 0 || mono_ms() < start + GRACE_MS) &&
	    mono_ms() < end)
		event_base_loop(base, EVLOOP_ONCE);
	event_free(t);
}

/* A worker's signals: SIGTERM and SIGINT stop it, SIGHUP is the parent's. */
static void
worker_signal(evutil_socket_t sig, short what, void *arg)
{
	if (sig != SIGHUP)
		event_base_loopbreak(arg);
}

/*
 * A worker process: answers HTTP on the parent's address, from a
 * listening socket and a store connection of its own, and nothing else
 * (the parent polls).  It sees the parent's commits through PRAGMA
 * data_version.  Returns the exit status.
 */
static int
worker_main(const struct conf *conf, int parent_fd, pid_t parent,
    struct metrics *metrics)
{
	struct event_base *base;
	struct store *store;
	struct http *h;
	struct event *sigs[3];
	const int signos[3] = { SIGINT, SIGTERM, SIGHUP };
	char err[256], where[128];
	int fd;

	prctl(PR_SET_PDEATHSIG, SIGTERM);	/* not outliving the parent */
	if (getppid() != parent)
		return 0;
	/* A socket of its own on the parent's address (SO_REUSEPORT). */
	http_socket_name(parent_fd, where, sizeof(where));
	close(parent_fd);
	if ((fd = http_listen(where, 1, err, sizeof(err))) == -1) {
		log_warnx("worker: %s", err);
		return 1;
	}
	if ((base = event_base_new()) == NULL ||
	    event_base_priority_init(base, HTTP_PRIORITIES) == -1)
		return 1;
	if ((store = store_open(conf->store_path, err, sizeof(err))) == NULL) {
		log_warnx("worker: store: %s", err);
		return 1;
	}
	store_busy_timeout(store, 250);
	store_query_budget(store, (int)conf->query_timeout);
	if ((h = http_new_fd(base, conf, store, fd, err, sizeof(err))) ==
	    NULL) {
		log_warnx("worker: %s", err);
		return 1;
	}
	http_set_metrics(h, metrics);
	for (int i = 0; i < 3; i++) {
		sigs[i] = evsignal_new(base, signos[i], worker_signal, base);
		event_add(sigs[i], NULL);
	}
	hup_blocked(0);
	event_base_dispatch(base);
	http_stop_accepting(h);		/* and answer what came in */
	drain(base, h);
	for (int i = 0; i < 3; i++)
		event_free(sigs[i]);
	http_free(h);
	store_close(store);
	event_base_free(base);
	return 0;
}

/*
 * workers - 1 processes forked to answer HTTP beside this one, before
 * this one opens anything it could not share: the store is migrated first
 * and closed.  Their PIDs go into kids; the count started.
 */
static size_t
start_workers(const struct conf *conf, int fd, pid_t *kids, size_t n,
    struct metrics *metrics)
{
	struct store *s;
	char err[256];
	size_t started = 0;
	pid_t parent = getpid();

	if (n == 0)
		return 0;
	if ((s = store_open(conf->store_path, err, sizeof(err))) == NULL) {
		log_warnx("store: %s", err);
		return 0;
	}
	store_close(s);
	fflush(stderr);
	for (size_t i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(worker_main(conf, fd, parent, metrics));
		if (pid == -1) {
			log_warnx("cannot start a worker: %s", strerror(errno));
			break;
		}
		kids[started++] = pid;
	}
	return started;
}

/* Stops the workers: SIGTERM, then SIGKILL to any left after 5 s. */
static void
stop_workers(pid_t *kids, size_t n)
{
	int64_t end = mono_ms() + 5000;
	size_t left = n;

	for (size_t i = 0; i < n; i++)
		kill(kids[i], SIGTERM);
	while (left > 0 && mono_ms() < end) {
		for (size_t i = 0; i < n; i++)
			if (kids[i] > 0 && waitpid(kids[i], NULL, WNOHANG) ==
			    kids[i]) {
				kids[i] = 0;
				left--;
			}
		if (left > 0)
			usleep(20 * 1000);
	}
	for (size_t i = 0; i < n; i++)
		if (kids[i] > 0) {
			kill(kids[i], SIGKILL);
			waitpid(kids[i], NULL, 0);
		}
}

int
server_serve(const struct conf *conf, const char *listen)
{
	struct loop l;
	struct http *h = NULL;
	struct event *sigs[3] = { NULL, NULL, NULL };
	const int signos[3] = { SIGINT, SIGTERM, SIGHUP };
	pid_t kids[64];
	size_t nkids = 0;
	struct metrics *metrics = NULL;
	char err[256];
	int rc = 1, fd, keep = -1;

	memset(&l, 0, sizeof(l));
	if ((fd = inherited_listener()) == -1 &&
	    (fd = http_listen(listen ? listen : conf->listen, conf->workers > 1,
	    err, sizeof(err))) == -1) {
		log_warnx("%s", err);
		return 1;
	}
	metrics = metrics_new();	/* before the workers: shared */
	nkids = start_workers(conf, fd, kids, (size_t)conf->workers - 1,
	    metrics);
	if (loop_init(&l, conf) == -1) {
		close(fd);
		goto done;
	}
	l.metrics = metrics;
	if ((h = http_new_fd(l.base, conf, l.store, fd, err, sizeof(err))) ==
	    NULL) {
		close(fd);
		log_warnx("%s", err);
		goto done;
	}
	http_set_metrics(h, metrics);
	for (int i = 0; i < 3; i++) {
		sigs[i] = evsignal_new(l.base, signos[i], on_signal, &l);
		event_add(sigs[i], NULL);
	}
	hup_blocked(0);		/* a SIGHUP that came while starting: now */
	/*
	 * Another process's write lock (a backup, a sqlite3 shell) holds up
	 * the loop, and with it every request, for at most this long per
	 * write; the poll that could not be stored is tried again later.
	 */
	store_busy_timeout(l.store, 250);
	store_query_budget(l.store, (int)conf->query_timeout);
	log_info("listening on %s, %zu feeds, store %s, %zu workers",
	    http_bound(h), conf->nfeeds, conf->store_path, nkids + 1);
	l.indexer = event_new(l.base, -1, 0, index_fired, &l);
	event_active(l.indexer, EV_TIMEOUT, 0);	/* a backlog from before */
	l.pruner = evtimer_new(l.base, prune_fired, &l);
	event_active(l.pruner, EV_TIMEOUT, 0);
	schedule_all(&l);
	tick(&l);
	event_base_dispatch(l.base);
	/*
	 * From here on a SIGHUP waits: freeing the signal events below puts
	 * back its default action, which would kill the process (a storm of
	 * them found it); blocked, one is carried over the exec.
	 */
	hup_blocked(1);
	rc = 0;
	if (l.reload)
		keep = dup(fd);		/* survives http_free, for the exec */
	/*
	 * Stopping (or reloading): no new connection, no new transfer (those
	 * in flight are dropped: their feeds were not stored, and are polled
	 * again); the requests being answered are finished, for at most
	 * DRAIN_MS.
	 */
	http_stop_accepting(h);
	fetcher_free(l.fetcher);
	l.fetcher = NULL;
	drain(l.base, h);
done:
	for (int i = 0; i < 3; i++)
		if (sigs[i] != NULL)
			event_free(sigs[i]);
	http_free(h);
	stop_workers(kids, nkids);
	loop_free(&l);
	metrics_free(metrics);
	if (keep != -1) {
		reexec(keep);	/* returns only on failure */
		close(keep);
		rc = 1;
	}
	return rc;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
server_poll(const struct conf *conf, char *const *names, size_t nnames)
{
	struct loop l;
	char **sorted, **known;
	int64_t now = time(NULL), mono = mono_ms();
	int rc = 1;

	sorted = xcalloc(nnames + 1, sizeof(char *));
	if (nnames > 0)
		memcpy(sorted, names, nnames * sizeof(char *));
	if (nnames > 1)
		qsort(sorted, nnames, sizeof(char *), name_cmp);
	known = xcalloc(conf->nfeeds + 1, sizeof(char *));
	for (size_t i = 0; i < conf->nfeeds; i++)
		known[i] = conf->feeds[i].name;
	if (conf->nfeeds > 1)
		qsort(known, conf->nfeeds, sizeof(char *), name_cmp);
	for (size_t i = 0; i < nnames; i++)
		if (bsearch(&names[i], known, conf->nfeeds, sizeof(char *),
		    name_cmp) == NULL) {
			log_warnx("no feed named \"%s\" in %s", names[i],
			    conf->path);
			free(known);
			free(sorted);
			return 1;
		}
	free(known);
	if (loop_init(&l, conf) == -1)
		goto done;
	l.once = 1;
	l.progress = isatty(STDERR_FILENO);
	for (size_t i = 0; i < conf->nfeeds; i++) {
		struct feed_memory *m = &l.feeds[i].mem;
		int due = 0;

		if (nnames == 0)
			due = !m->gone && (m->next_poll <= now ||
			    m->next_poll - now > conf->max_interval + 60);
		else
			due = bsearch(&conf->feeds[i].name, sorted, nnames,
			    sizeof(char *), name_cmp) != NULL;
		if (due) {
			sched_due(l.sched, i, mono);
			l.pending++;
		}
	}
	l.total = l.pending;
	if (l.pending > 0) {
		tick(&l);
		event_base_dispatch(l.base);
	}
	close_tx(&l);
	while (prune(&l))
		;
	if (l.progress && l.total > 0)
		fputc('\n', stderr);
	fprintf(stderr, "poll: %zu feeds: %zu ok, %zu not modified, %zu "
	    "failed\n", l.total, l.ok, l.not_modified, l.failed);
	rc = l.failed > 0;
done:
	loop_free(&l);
	free(sorted);
	return rc;
}
