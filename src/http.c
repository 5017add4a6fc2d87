/*
 * http.c - evhttp routes: /, /feed.{atom,rss,json}, /c/NAME.{atom,rss,json},
 * /feeds.opml, /api/feeds, /metrics, /healthz.
 */
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/util.h>
#include <event2/http.h>
#include <event2/http_struct.h>	/* a request's version: 2.1 has no getter */
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>

#include "buf.h"
#include "date.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "query.h"
#include "render.h"

/*
 * A rendered answer, kept until the store changes (store_generation): a
 * repeated request costs a lookup, not a query and a render.  The gzip
 * form is made the first time a client asks for it.
 */
struct cached {
	char		*key;		/* path?query, as the client sent it */
	uint64_t	 generation;
	int		 fmt;
	struct buf	 body, gz;
	struct evbuffer	*ev_body, *ev_gz;	/* the same, sent by reference */
	char		 etag[24];	/* "\"...\"", a hash of body */
	int64_t		 last_modified;
	uint64_t	 used;		/* for eviction: the oldest use goes */
};

#define CACHE_SIZE	64
#define OTHERS_MS	100	/* another process's commit shows within */
#define CACHE_MAX_BODY	(4 << 20)	/* larger answers are not kept */
#define GZIP_MIN	512		/* smaller ones are not compressed */

/*
 * Searches (a q= or a channel's query, not answered from the cache) are
 * not run in the request's callback but queued, and run one at a time by
 * search_ev, whose priority is the loop's last: it runs only in a pass
 * with nothing else to do.  So between two searches the loop reads,
 * answers and writes everything else that came meanwhile, and however many
 * searches come at once, another request waits for one search at most
 * (query_timeout) (row 56).  Once the oldest search waiting has waited
 * SEARCH_WAIT_MS, the queue is behind: a new search is refused at once
 * (503, Retry-After: 1), and the oldest runs in turn with everything else,
 * so that a steady stream of other requests cannot hold it for ever.
 */
#define SEARCH_WAIT_MS		1000
#define SEARCH_QUEUE_MAX	256	/* and never more waiting */

struct search {
	struct evhttp_request	*req;
	int			 fmt;		/* enum format */
	int			 route;		/* enum route */
	double			 t0;		/* when it came */
	const char		*title;		/* the conf's */
	char			*key;		/* the cache's: path?rawq */
	char			*path, *rawq, *q, *cursor;
	struct query		 query;
	STAILQ_ENTRY(search)	 next;
};

/*
 * A connection accepted.  evhttp 2.1 neither counts connections nor times
 * the head of a request (its timeout restarts with every byte read, so a
 * client trickling a header keeps its connection for ever), so sluice
 * does both.  A conn is made when evhttp asks for the connection's
 * bufferevent (conn_bev), completed in the same turn of the loop once
 * evhttp has built its connection around that bufferevent (conn_adopt),
 * and freed when evhttp closes the connection (conn_closed).  h->conns[fd]
 * finds it from a request.
 */
struct conn {
	struct http			*h;
	struct evhttp_connection	*evcon;
	struct event			*deadline;	/* for the next head */
	int				 fd;
};

struct http {
	struct evhttp		*evh;
	struct event_base	*base;
	const struct conf	*conf;
	struct store		*store;
	char			 bound[128];
	const char		**channels;	/* names, NULL-ended */
	char			*feed_names;	/* the feeds', a JSON array */
	struct cached		 cache[CACHE_SIZE];
	uint64_t		 uses;
	uint64_t		 generation;	/* the store's, last seen */
	int64_t			 changed;	/* when it was seen to change */
	int64_t			 next_poll;	/* the soonest, as of then */
	int64_t			 others_at;	/* when others' commits were */
						/* last looked for (ms) */
	STAILQ_HEAD(, search)	 searches;	/* queued, oldest first */
	int			 nsearches;
	struct event		*search_ev;	/* runs the first */
	struct metrics		*metrics;	/* or NULL: not counted */
	struct evhttp_bound_socket *bs;		/* NULL once it stops */
	int			 active;	/* requests not yet answered */

	struct conn		**conns;	/* by descriptor */
	size_t			 nslots;
	int64_t			 open;		/* connections, counted */
	int64_t			 max_open;	/* past it, stop accepting */
	struct timeval		 head_tv;	/* request_timeout */
	struct bufferevent	**pending;	/* made, not yet adopted */
	size_t			 npending, pending_cap;
	struct event		*adopt_ev;
	struct event		*resume_ev;	/* after accept() failed */
	int			 accept_failed;	/* and is paused for it */
	int			 listening;	/* the listener is enabled */
	int			 freeing;
	int64_t			 accept_logged;	/* ms */
	struct http		*next;		/* all of them: see https */
};

/* Every struct http of the process: the listener's error callback is
 * given the evhttp, not ours. */
static struct http *https;

enum format { FMT_ATOM, FMT_RSS, FMT_JSON, FMT_HTML };

static const struct {
	const char	*ext, *type;
} formats[] = {
	[FMT_ATOM] = { ".atom", "application/atom+xml; charset=utf-8" },
	[FMT_RSS] = { ".rss", "application/rss+xml; charset=utf-8" },
	[FMT_JSON] = { ".json", "application/feed+json; charset=utf-8" },
	[FMT_HTML] = { NULL, "text/html; charset=utf-8" },
};

/* The feed format a name ends with ("x.rss"); -1 for none. */
static int
format_of(const char *name, size_t *stem)
{
	const char *dot = strrchr(name, '.');

	for (int f = FMT_ATOM; dot != NULL && f <= FMT_JSON; f++)
		if (strcmp(dot, formats[f].ext) == 0) {
			*stem = (size_t)(dot - name);
			return f;
		}
	return -1;
}

/* The status of the answer being sent, for the metrics (one loop). */
static int answered;

/*
 * Sends an answer: body copied, or, when ref is not NULL, ref's content
 * by reference (libevent keeps it alive until it is written).
 */
static void
reply_body(struct evhttp_request *req, int code, const char *reason,
    const char *type, const char *body, size_t len, struct evbuffer *ref)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct evbuffer *out = evbuffer_new();

	evhttp_add_header(h, "Content-Type", type);
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "Content-Security-Policy", strncmp(type,
	    "text/html", 9) == 0 ? "default-src 'none'; style-src "
	    "'unsafe-inline'; form-action 'self'; base-uri 'none'; "
	    "frame-ancestors 'none'" : "default-src 'none'; sandbox");
	if (ref != NULL)
		evbuffer_add_buffer_reference(out, ref);
	else
		evbuffer_add(out, body, len);
	answered = code;
	evhttp_send_reply(req, code, reason, out);
	evbuffer_free(out);
}

static void
reply(struct evhttp_request *req, int code, const char *reason,
    const char *type, const char *body, size_t len)
{
	reply_body(req, code, reason, type, body, len, NULL);
}

static void
free_data(const void *data, size_t len, void *arg)
{
	(void)len;
	(void)arg;
	free((void *)(uintptr_t)data);
}

/*
 * An evbuffer that takes b's memory, to send by reference: libevent frees
 * it once the evbuffer and every answer still sending it are done, so an
 * answer evicted while in flight stays whole.  b's data stays readable
 * while the evbuffer lives.  NULL (b still owns its memory) on failure.
 */
static struct evbuffer *
ev_take(const struct buf *b)
{
	struct evbuffer *e = evbuffer_new();

	if (e != NULL && evbuffer_add_reference(e, b->data, b->len, free_data,
	    NULL) == -1) {
		evbuffer_free(e);
		e = NULL;
	}
	return e;
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* HTTP-date (RFC 9110 5.6.7), in English whatever the locale. */
static void
http_date(int64_t t, char *out, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	evutil_date_rfc1123(out, len, &tm);
}

/* body gzipped (RFC 1952) into out; 0, or -1 (out is then empty). */
static int
gzip_body(const struct buf *body, struct buf *out)
{
	z_stream z;
	unsigned char chunk[16384];
	int rc;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	z.next_in = (unsigned char *)body->data;
	z.avail_in = (uInt)body->len;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		rc = deflate(&z, Z_FINISH);
		buf_append(out, chunk, sizeof(chunk) - z.avail_out);
	} while (rc == Z_OK);
	deflateEnd(&z);
	if (rc != Z_STREAM_END) {
		buf_free(out);
		return -1;
	}
	return 0;
}

/*
 * Whether the client takes gzip: a "gzip" coding (or "*") in
 * Accept-Encoding without q=0.
 */
static int
takes_gzip(struct evhttp_request *req)
{
	const char *ae = evhttp_find_header(evhttp_request_get_input_headers(
	    req), "Accept-Encoding");

	for (const char *p = ae; p != NULL && *p != '\0'; ) {
		size_t n = strcspn(p, ",");
		const char *q = memchr(p, ';', n), *e = q ? q : p + n;
		const char *b = p;

		while (b < e && (*b == ' ' || *b == '\t'))
			b++;
		while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (((size_t)(e - b) == 4 && strncasecmp(b, "gzip", 4) == 0) ||
		    ((size_t)(e - b) == 1 && *b == '*')) {
			/* q=0 (or 0.0, 0.00, 0.000): not acceptable. */
			const char *v = q ? strstr(q, "q=") : NULL;

			if (v == NULL || v > p + n || strtod(v + 2, NULL) > 0)
				return 1;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* An If-None-Match list holds the tag (weak comparison, or "*"). */
static int
etag_matches(const char *inm, const char *etag)
{
	size_t n = strlen(etag);

	for (const char *p = inm; *p != '\0'; ) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '*')
			return 1;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		if (strncmp(p, etag, n) == 0 && (p[n] == '\0' || p[n] == ',' ||
		    p[n] == ' ' || p[n] == '\t'))
			return 1;
		p += strcspn(p, ",");
	}
	return 0;
}

/*
 * Answers a cached 200: 304 when the client has it (If-None-Match first,
 * If-Modified-Since only without it), gzip when asked, with the headers
 * that let a reader poll it cheaply.
 */
static void
reply_cached(struct http *h, struct evhttp_request *req, struct cached *c)
{
	struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	struct evkeyvalq *hd = evhttp_request_get_output_headers(req);
	const char *inm = evhttp_find_header(in, "If-None-Match");
	const char *ims = evhttp_find_header(in, "If-Modified-Since");
	char date[128], cc[32];
	int64_t now = time(NULL), next = h->next_poll, since;
	int64_t age = next > now ? next - now : 10;

	if (age < 10)
		age = 10;	/* a poll is due: soon */
	if (age > 3600)
		age = 3600;
	http_date(c->last_modified, date, sizeof(date));
	snprintf(cc, sizeof(cc), "max-age=%lld", (long long)age);
	evhttp_add_header(hd, "ETag", c->etag);
	evhttp_add_header(hd, "Last-Modified", date);
	evhttp_add_header(hd, "Cache-Control", cc);
	evhttp_add_header(hd, "Vary", "Accept-Encoding");
	if (inm != NULL ? etag_matches(inm, c->etag) : ims != NULL &&
	    date_parse(ims, &since) == 0 && c->last_modified <= since) {
		answered = 304;
		evhttp_send_reply(req, 304, "Not Modified", NULL);
		return;
	}
	if (c->body.len >= GZIP_MIN && takes_gzip(req)) {
		if (c->gz.len == 0 && gzip_body(&c->body, &c->gz) == 0 &&
		    c->key != NULL)
			c->ev_gz = ev_take(&c->gz);
		if (c->gz.len > 0) {
			evhttp_add_header(hd, "Content-Encoding", "gzip");
			reply_body(req, 200, "OK", formats[c->fmt].type,
			    c->gz.data, c->gz.len, c->ev_gz);
			return;
		}
	}
	reply_body(req, 200, "OK", formats[c->fmt].type, c->body.data,
	    c->body.len, c->ev_body);
}

/* The cached answer to key if the store has not changed since; or NULL. */
static struct cached *
cache_find(struct http *h, const char *key, uint64_t generation)
{
	for (size_t i = 0; i < CACHE_SIZE; i++) {
		struct cached *c = &h->cache[i];

		if (c->key != NULL && c->generation == generation &&
		    strcmp(c->key, key) == 0) {
			c->used = ++h->uses;
			return c;
		}
	}
	return NULL;
}

/* The memory of body and gz is their evbuffers' when they have one. */
static void
cached_clear(struct cached *c)
{
	free(c->key);
	if (c->ev_body != NULL)
		evbuffer_free(c->ev_body);	/* what is in flight stays */
	else
		buf_free(&c->body);
	if (c->ev_gz != NULL)
		evbuffer_free(c->ev_gz);
	else
		buf_free(&c->gz);
	memset(c, 0, sizeof(*c));
}

/* Keeps body (moved) as the answer to key: the slot of the oldest use. */
static struct cached *
cache_put(struct http *h, const char *key, uint64_t generation, int fmt,
    struct buf *body)
{
	struct cached *c = &h->cache[0];
	uint64_t hash = 0xcbf29ce484222325ULL;

	for (size_t i = 1; i < CACHE_SIZE; i++)
		if (h->cache[i].used < c->used)
			c = &h->cache[i];
	cached_clear(c);
	c->key = xstrdup(key);
	c->generation = generation;
	c->fmt = fmt;
	c->body = *body;
	memset(body, 0, sizeof(*body));
	c->ev_body = ev_take(&c->body);
	for (size_t i = 0; i < c->body.len; i++) {
		hash ^= (unsigned char)c->body.data[i];
		hash *= 0x100000001b3ULL;
	}
	snprintf(c->etag, sizeof(c->etag), "\"%016llx\"",
	    (unsigned long long)hash);
	c->last_modified = h->changed;
	c->used = ++h->uses;
	return c;
}

static void
reply_text(struct evhttp_request *req, int code, const char *reason,
    const char *text)
{
	struct buf b = { 0 };

	buf_printf(&b, "%s\n", text);
	reply(req, code, reason, "text/plain; charset=utf-8", b.data, b.len);
	buf_free(&b);
}

/*
 * This page's URL with the cursor set to cursor (NULL: without one), from
 * the raw query string: the reader's other parameters as they sent them.
 */
static char *
page_url(struct http *h, const char *path, const char *rawq,
    const char *cursor)
{
	struct buf b = { 0 };
	char sep = '?';

	buf_puts(&b, h->conf->base_url);
	buf_puts(&b, path[0] == '/' ? path + 1 : path);
	for (const char *p = rawq; p != NULL && *p != '\0'; ) {
		size_t n = strcspn(p, "&");

		if (n > 0 && strncmp(p, "cursor=", 7) != 0) {
			buf_printf(&b, "%c%.*s", sep, (int)n, p);
			sep = '&';
		}
		p += n;
		if (*p == '&')
			p++;
	}
	if (cursor != NULL)
		buf_printf(&b, "%ccursor=%s", sep, cursor);
	return buf_steal(&b);
}

/*
 * The store's generation, its changes (and other writers' commits, at most
 * every OTHERS_MS) taken into account.
 */
static uint64_t
store_seen(struct http *h)
{
	int64_t now_ms = mono_ms();
	uint64_t generation;

	generation = store_generation(h->store, now_ms - h->others_at >=
	    OTHERS_MS);
	if (now_ms - h->others_at >= OTHERS_MS)
		h->others_at = now_ms;
	if (generation != h->generation || h->changed == 0) {
		h->generation = generation;
		h->changed = time(NULL);
		h->next_poll = store_next_poll(h->store);
	}
	return generation;
}

/*
 * Runs query (which it clears) and answers req with its page: key is
 * the cache's, q and cursor the reader's parameters.
 */
static void
answer_items(struct http *h, struct evhttp_request *req, enum format fmt,
    const char *title, const char *path, const char *rawq, const char *key,
    const char *q, const char *cursor_in, struct query *query)
{
	struct item *items = NULL;
	size_t n = 0;
	char err[256], cursor[40];
	struct buf out = { 0 };
	struct render_ctx ctx;
	char *self = NULL, *id = NULL, *next = NULL;
	char *alt_rss = NULL, *alt_json = NULL;
	uint64_t generation = store_seen(h);
	int rc;

	rc = store_items(h->store, query, &items, &n, err, sizeof(err));
	if (rc == 1)
		log_warnx("search answered without the newest entries: %s",
		    err);
	if (rc == -2) {
		query_clear(query);
		log_warnx("query stopped: %s: %s", err, rawq ? rawq : "");
		reply_text(req, 503, "Service Unavailable", "the query took "
		    "too long; narrow it");
		goto done;
	}
	if (rc == -1) {
		query_clear(query);
		log_warnx("query failed: %s", err);
		reply_text(req, 503, "Service Unavailable",
		    "the store is busy; try again");
		goto done;
	}
	/* A full page: there may be more (RFC 5005). */
	if (n > 0 && n == (size_t)query->limit) {
		query_cursor(query, items[n - 1].sort, (int)n, cursor,
		    sizeof(cursor));
		next = page_url(h, path, rawq, cursor);
	}
	query_clear(query);
	self = page_url(h, path, rawq, cursor_in);
	id = page_url(h, path, rawq, NULL);
	memset(&ctx, 0, sizeof(ctx));
	ctx.title = title;
	ctx.self = self;
	ctx.id = id;
	ctx.next = next;
	ctx.home = h->conf->base_url;
	ctx.query = q;
	ctx.channels = h->channels;
	switch (fmt) {
	case FMT_HTML:
		/* The page links to the feeds of the same query. */
		free(self);
		self = page_url(h, "feed.atom", rawq, NULL);
		alt_rss = page_url(h, "feed.rss", rawq, NULL);
		alt_json = page_url(h, "feed.json", rawq, NULL);
		ctx.self = self;
		ctx.alt_rss = alt_rss;
		ctx.alt_json = alt_json;
		rc = render_html(&ctx, items, n, &out);
		break;
	case FMT_RSS:
		rc = render_rss(&ctx, items, n, &out);
		break;
	case FMT_JSON:
		rc = render_json(&ctx, items, n, &out);
		break;
	default:
		rc = render_atom(&ctx, items, n, &out);
		break;
	}
	if (rc == -1)
		reply_text(req, 503, "Service Unavailable", "rendering failed");
	else if (out.len > CACHE_MAX_BODY) {
		struct cached once;

		/* Too large to keep: answered the same way, then dropped. */
		memset(&once, 0, sizeof(once));
		once.fmt = fmt;
		once.body = out;
		memset(&out, 0, sizeof(out));
		snprintf(once.etag, sizeof(once.etag), "\"n%015llx\"",
		    (unsigned long long)generation);
		once.last_modified = h->changed;
		reply_cached(h, req, &once);
		buf_free(&once.body);
		buf_free(&once.gz);
	} else
		reply_cached(h, req, cache_put(h, key, generation, fmt, &out));
done:
	store_items_free(items, n);
	buf_free(&out);
	free(self);
	free(id);
	free(next);
	free(alt_rss);
	free(alt_json);
}

static double	now_seconds(void);

/* Whether the oldest search waiting has waited SEARCH_WAIT_MS. */
static int
search_behind(const struct http *h)
{
	const struct search *s = STAILQ_FIRST(&h->searches);

	return s != NULL && now_seconds() - s->t0 > SEARCH_WAIT_MS / 1000.0;
}

/*
 * Runs the first queued search in a later pass of the loop: a timer of
 * 0 s, not event_active, which would run it in this pass, and every one
 * queued after it too, before the loop looked for anything else.
 */
static void
search_later(struct http *h)
{
	static const struct timeval now = { 0, 0 };

	if (evtimer_pending(h->search_ev, NULL) || STAILQ_EMPTY(&h->searches))
		return;
	event_priority_set(h->search_ev, search_behind(h) ?
	    HTTP_PRIORITIES / 2 : HTTP_PRIORITIES - 1);
	evtimer_add(h->search_ev, &now);
}

/* When the request being handled came (handle), for a queued search. */
static double request_t0;
/* Whether it was queued rather than answered (serve_items). */
static int deferred;

static void
search_free(struct search *s)
{
	query_clear(&s->query);
	free(s->key);
	free(s->path);
	free(s->rawq);
	free(s->q);
	free(s->cursor);
	free(s);
}

/*
 * Answers a feed or the HTML page: the parameters in params, the channel's
 * own query in base (or NULL); route is for the metrics.  A search is
 * queued (see SEARCH_QUEUE_MAX) and answered later.
 */
static void
serve_items(struct http *h, struct evhttp_request *req, enum format fmt,
    enum route route, const char *title, const char *base, const char *path,
    const char *rawq, struct evkeyvalq *params)
{
	struct query_params pp;
	struct query query;
	struct search *s;
	char err[256];
	struct buf key = { 0 }, msg = { 0 };
	struct cached *hit;

	/* The same request as one answered since the store last changed. */
	buf_printf(&key, "%s?%s", path, rawq != NULL ? rawq : "");
	if ((hit = cache_find(h, key.data, store_seen(h))) != NULL) {
		reply_cached(h, req, hit);
		goto done;
	}
	memset(&pp, 0, sizeof(pp));
	pp.q = evhttp_find_header(params, "q");
	pp.feed = evhttp_find_header(params, "feed");
	pp.tag = evhttp_find_header(params, "tag");
	pp.since = evhttp_find_header(params, "since");
	pp.limit = evhttp_find_header(params, "limit");
	pp.sort = evhttp_find_header(params, "sort");
	pp.cursor = evhttp_find_header(params, "cursor");
	pp.base = base;
	if (query_params(&pp, (int)h->conf->page_size, time(NULL), &query, err,
	    sizeof(err)) == -1) {
		buf_printf(&msg, "bad request: %s", err);
		reply_text(req, 400, "Bad Request", msg.data);
		goto done;
	}
	if ((pp.q == NULL || *pp.q == '\0') && (base == NULL || *base ==
	    '\0')) {
		/* Newest first, no search: a page of the index, at once. */
		answer_items(h, req, fmt, title, path, rawq, key.data, pp.q,
		    pp.cursor, &query);
		goto done;
	}
	if (h->nsearches >= SEARCH_QUEUE_MAX || search_behind(h)) {
		query_clear(&query);
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Retry-After", "1");
		reply_text(req, 503, "Service Unavailable", "too many searches "
		    "at once; try again in a second");
		goto done;
	}
	s = xcalloc(1, sizeof(*s));
	s->req = req;
	s->fmt = fmt;
	s->route = route;
	s->t0 = request_t0;
	s->title = title;
	s->key = buf_steal(&key);
	s->path = xstrdup(path);
	s->rawq = rawq != NULL ? xstrdup(rawq) : NULL;
	s->q = pp.q != NULL ? xstrdup(pp.q) : NULL;
	s->cursor = pp.cursor != NULL ? xstrdup(pp.cursor) : NULL;
	s->query = query;
	STAILQ_INSERT_TAIL(&h->searches, s, next);
	h->nsearches++;
	search_later(h);
	deferred = 1;
done:
	buf_free(&key);
	buf_free(&msg);
}

/* The names of the configured feeds as a JSON array (new), or NULL. */
static char *
feed_names_json(const struct conf *c)
{
	char **names = xcalloc(c->nfeeds + 1, sizeof(char *));
	struct json_out *j = json_out_new();
	struct buf list = { 0 };
	char *out = NULL;

	for (size_t i = 0; i < c->nfeeds; i++)
		names[i] = c->feeds[i].name;
	if (j != NULL && json_out_strings(j, names, c->nfeeds, &list) == 0)
		out = buf_steal(&list);
	buf_free(&list);
	json_out_free(j);
	free(names);
	return out;
}

static void
feed_errors_line(const char *name, int errors, void *arg)
{
	buf_printf(arg, "sluice_feed_consecutive_errors{feed=\"%s\"} %d\n",
	    name, errors);
}

/*
 * GET /metrics: the shared counters, then what the store says now: each
 * feed's error streak (names are letters, digits and ._-: no escaping
 * needed) and the size of the database and its log.
 */
static void
serve_metrics(struct http *h, struct evhttp_request *req)
{
	const struct conf *c = h->conf;
	struct buf out = { 0 }, wal = { 0 };
	struct stat st;
	long long size = 0;

	if (h->metrics != NULL)
		metrics_render(h->metrics, &out);
	buf_puts(&out, "# HELP sluice_feed_consecutive_errors Polls in a row "
	    "that failed, by feed.\n"
	    "# TYPE sluice_feed_consecutive_errors gauge\n");
	if (h->feed_names != NULL)
		store_feed_errors(h->store, h->feed_names, feed_errors_line,
		    &out);
	if (stat(c->store_path, &st) == 0)
		size += (long long)st.st_size;
	buf_printf(&wal, "%s-wal", c->store_path);
	if (stat(wal.data, &st) == 0)
		size += (long long)st.st_size;
	buf_printf(&out, "# HELP sluice_store_bytes The store on disk, its "
	    "write-ahead log included.\n# TYPE sluice_store_bytes gauge\n"
	    "sluice_store_bytes %lld\n", size);
	reply(req, 200, "OK", "text/plain; version=0.0.4; charset=utf-8",
	    out.data, out.len);
	buf_free(&out);
	buf_free(&wal);
}

/*
 * The status of every configured feed, as `sluice feeds --json` prints it
 * (SPEC section 3): an array of objects in the config's order.
 */
static void
serve_api_feeds(struct http *h, struct evhttp_request *req)
{
	char *feeds = NULL;

	if (h->feed_names == NULL ||
	    (feeds = store_feeds_json(h->store, h->feed_names)) == NULL)
		reply_text(req, 503, "Service Unavailable",
		    "the store is busy; try again");
	else {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Cache-Control", "no-cache");
		reply(req, 200, "OK", "application/json; charset=utf-8", feeds,
		    strlen(feeds));
	}
	free(feeds);
}

/* The sources as OPML 2.0, from the config. */
static void
serve_opml(struct http *h, struct evhttp_request *req)
{
	const struct conf *c = h->conf;
	struct opml_source *src = xcalloc(c->nfeeds + 1, sizeof(*src));
	struct buf out = { 0 };

	for (size_t i = 0; i < c->nfeeds; i++) {
		src[i].name = c->feeds[i].name;
		src[i].title = c->feeds[i].title;
		src[i].url = c->feeds[i].url;
		src[i].tags = c->feeds[i].tags;
	}
	if (render_opml(c->title, src, c->nfeeds, &out) == -1)
		reply_text(req, 503, "Service Unavailable", "rendering failed");
	else
		reply(req, 200, "OK", "text/x-opml; charset=utf-8", out.data,
		    out.len);
	buf_free(&out);
	free(src);
}

static void
route_channel(struct http *h, struct evhttp_request *req, const char *path,
    const char *rawq, struct evkeyvalq *params)
{
	const char *name = path + 3;	/* after "/c/" */
	const struct channel_conf *ch;
	char cname[80];
	size_t stem;
	int fmt = format_of(name, &stem);

	if (fmt == -1 || stem >= sizeof(cname)) {
		reply_text(req, 404, "Not Found", "no such channel");
		return;
	}
	snprintf(cname, sizeof(cname), "%.*s", (int)stem, name);
	if ((ch = conf_channel(h->conf, cname)) == NULL) {
		reply_text(req, 404, "Not Found", "no such channel");
		return;
	}
	serve_items(h, req, (enum format)fmt, R_CHANNEL, ch->title ?
	    ch->title : ch->name, ch->query, path, rawq, params);
}

/*
 * 1 when every '%' of a query string starts an escape of two hex digits
 * and none is %00: evhttp keeps "%zz" as it is and cuts a value at a
 * decoded NUL, so either would search for something not asked (rows 50,
 * 55).
 */
static int
percent_ok(const char *q)
{
	for (; (q = strchr(q, '%')) != NULL; q++) {
		if (!isxdigit((unsigned char)q[1]) ||
		    !isxdigit((unsigned char)q[2]) ||
		    (q[1] == '0' && q[2] == '0'))
			return 0;
		q += 2;
	}
	return 1;
}

/* Answers one request; the route it took. */
static enum route
route_request(struct http *h, struct evhttp_request *req)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = evhttp_uri_get_path(uri);
	const char *rawq = evhttp_uri_get_query(uri);
	struct evkeyvalq params;
	enum route r = R_OTHER;
	size_t stem;
	int fmt;

	TAILQ_INIT(&params);
	/*
	 * evhttp 2.1 takes any "HTTP/%d.%d" (HTTP/4294967295.255 reads as
	 * -1.-1) and answers in the version it read.  Only 1.0 and 1.1 are
	 * served; anything else gets a 400 in 1.1, and the connection closes
	 * (row 50).
	 */
	if (req->major != 1 || (req->minor != 0 && req->minor != 1)) {
		req->major = 1;
		req->minor = 1;
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Connection", "close");
		reply_text(req, 400, "Bad Request", "unsupported HTTP version");
		return R_OTHER;
	}
	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET &&
	    evhttp_request_get_command(req) != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", "GET, HEAD");
		reply_text(req, 405, "Method Not Allowed", "only GET and HEAD");
		return R_OTHER;
	}
	if (path == NULL || *path == '\0')
		path = "/";
	if (rawq != NULL && (!percent_ok(rawq) ||
	    evhttp_parse_query_str(rawq, &params) == -1)) {
		reply_text(req, 400, "Bad Request", "malformed query string "
		    "(a bad %-escape, or %00)");
		return R_OTHER;
	}
	if (strcmp(path, "/") == 0) {
		serve_items(h, req, FMT_HTML, R_PAGE, h->conf->title, NULL,
		    path, rawq, &params);
		r = R_PAGE;
	} else if (strncmp(path, "/feed.", 6) == 0 &&
	    (fmt = format_of(path, &stem)) != -1 && stem == 5) {
		serve_items(h, req, (enum format)fmt, R_FEED, h->conf->title,
		    NULL, path, rawq, &params);
		r = R_FEED;
	} else if (strncmp(path, "/c/", 3) == 0) {
		route_channel(h, req, path, rawq, &params);
		r = R_CHANNEL;
	} else if (strcmp(path, "/feeds.opml") == 0) {
		serve_opml(h, req);
		r = R_OPML;
	} else if (strcmp(path, "/api/feeds") == 0) {
		serve_api_feeds(h, req);
		r = R_API;
	} else if (strcmp(path, "/metrics") == 0) {
		serve_metrics(h, req);
		r = R_METRICS;
	} else if (strcmp(path, "/healthz") == 0) {
		if (store_ping(h->store) == 0)
			reply_text(req, 200, "OK", "ok");
		else
			reply_text(req, 503, "Service Unavailable",
			    "store not answering");
		r = R_HEALTHZ;
	} else
		reply_text(req, 404, "Not Found", "not found");
	evhttp_clear_headers(&params);
	return r;
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Accepts while there is room: fewer connections than max_open, and no
 * accept() failure in the last ACCEPT_PAUSE_MS.  Connections past the cap
 * wait in the kernel's backlog, holding no descriptor of ours.
 */
#define ACCEPT_PAUSE_MS	100

static void
listener_update(struct http *h)
{
	struct evconnlistener *l;
	int want;

	if (h->bs == NULL || h->freeing)
		return;
	l = evhttp_bound_socket_get_listener(h->bs);
	want = h->open < h->max_open && !h->accept_failed;
	if (want && !h->listening)
		evconnlistener_enable(l);
	else if (!want && h->listening)
		evconnlistener_disable(l);
	h->listening = want;
}

/* The conn of the connection a request came on, or NULL. */
static struct conn *
conn_of(struct http *h, struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct bufferevent *bev;
	int fd;

	if (evcon == NULL ||
	    (bev = evhttp_connection_get_bufferevent(evcon)) == NULL)
		return NULL;
	fd = (int)bufferevent_getfd(bev);
	if (fd < 0 || (size_t)fd >= h->nslots || h->conns[fd] == NULL ||
	    h->conns[fd]->evcon != evcon)
		return NULL;
	return h->conns[fd];
}

static void
conn_free(struct conn *c)
{
	struct http *h = c->h;

	if ((size_t)c->fd < h->nslots && h->conns[c->fd] == c)
		h->conns[c->fd] = NULL;
	event_free(c->deadline);
	free(c);
	h->open--;
	listener_update(h);
}

static void
conn_closed(struct evhttp_connection *evcon, void *arg)
{
	evhttp_connection_set_closecb(evcon, NULL, NULL);
	conn_free(arg);
}

/* No request head within request_timeout: the connection is closed. */
static void
conn_expired(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	(void)fd;
	(void)what;
	evhttp_connection_free(c->evcon);	/* conn_closed frees c */
}

static struct bufferevent *
conn_bev(struct event_base *base, void *arg)
{
	struct http *h = arg;
	struct bufferevent *bev;

	/* NULL: evhttp makes one itself, and that one is not counted. */
	if (h->freeing || (bev = bufferevent_socket_new(base, -1,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL)
		return NULL;
	if (h->npending == h->pending_cap) {
		h->pending_cap = h->pending_cap ? 2 * h->pending_cap : 16;
		h->pending = xrealloc(h->pending,
		    h->pending_cap * sizeof(*h->pending));
	}
	h->pending[h->npending++] = bev;
	h->open++;
	listener_update(h);	/* accept() stops at once at the cap */
	event_active(h->adopt_ev, EV_TIMEOUT, 1);
	return bev;
}

/*
 * The connections whose bufferevents conn_bev made.  evhttp has set itself
 * as the callback of each, with the connection as the argument; that is
 * checked against evhttp_connection_get_bufferevent before it is relied
 * on.  This runs in the turn of the loop that accepted them, before any of
 * them is read from, so none can have been closed yet.
 */
static void
conn_adopt(evutil_socket_t unused, short what, void *arg)
{
	struct http *h = arg;

	(void)unused;
	(void)what;
	for (size_t i = 0; i < h->npending; i++) {
		struct bufferevent *bev = h->pending[i];
		struct evhttp_connection *evcon;
		void *cbarg = NULL;
		struct conn *c;
		int fd = (int)bufferevent_getfd(bev);

		bufferevent_getcb(bev, NULL, NULL, NULL, &cbarg);
		evcon = cbarg;
		if (evcon == NULL || fd < 0 ||
		    evhttp_connection_get_bufferevent(evcon) != bev) {
			log_warnx("http: a connection evhttp did not build as "
			    "expected is not counted");
			h->open--;
			continue;
		}
		if ((size_t)fd >= h->nslots) {
			size_t n = h->nslots ? h->nslots : 64;

			while (n <= (size_t)fd)
				n *= 2;
			h->conns = xrealloc(h->conns, n * sizeof(*h->conns));
			memset(h->conns + h->nslots, 0,
			    (n - h->nslots) * sizeof(*h->conns));
			h->nslots = n;
		}
		c = xcalloc(1, sizeof(*c));
		c->h = h;
		c->evcon = evcon;
		c->fd = fd;
		c->deadline = evtimer_new(h->base, conn_expired, c);
		h->conns[fd] = c;
		evhttp_connection_set_closecb(evcon, conn_closed, c);
		evtimer_add(c->deadline, &h->head_tv);
	}
	h->npending = 0;
	listener_update(h);
}

static void
accept_resume(evutil_socket_t fd, short what, void *arg)
{
	struct http *h = arg;

	(void)fd;
	(void)what;
	h->accept_failed = 0;
	listener_update(h);
}

/*
 * accept() failed for a reason other than "try again": out of descriptors,
 * mostly.  The listener would stay readable and the loop spin on it, so
 * accepting pauses for ACCEPT_PAUSE_MS; the connections wait in the
 * backlog.  Logged once a minute at most.
 */
static void
accept_error(struct evconnlistener *l, void *arg)
{
	int err = EVUTIL_SOCKET_ERROR();
	struct http *h;
	struct timeval tv = { 0, ACCEPT_PAUSE_MS * 1000 };

	(void)arg;
	for (h = https; h != NULL; h = h->next)
		if (h->bs != NULL && evhttp_bound_socket_get_listener(h->bs) ==
		    l)
			break;
	if (h == NULL) {
		evconnlistener_disable(l);
		return;
	}
	if (mono_ms() - h->accept_logged >= 60000 || h->accept_logged == 0) {
		log_warnx("http: accept: %s; pausing %d ms (%lld connections "
		    "open)", evutil_socket_error_to_string(err),
		    ACCEPT_PAUSE_MS, (long long)h->open);
		h->accept_logged = mono_ms();
	}
	h->accept_failed = 1;
	listener_update(h);
	evtimer_add(h->resume_ev, &tv);
}

/* A request's answer is written whole (or its connection failed). */
static void
request_done(struct evhttp_request *req, void *arg)
{
	struct http *h = arg;
	struct conn *c = conn_of(h, req);

	if (h->active > 0)
		h->active--;
	if (c != NULL) {	/* the next request's head, on keep-alive */
		struct timeval idle = { (time_t)h->conf->idle_timeout, 0 };

		bufferevent_set_timeouts(evhttp_connection_get_bufferevent(
		    c->evcon), &idle, &idle);
		evtimer_add(c->deadline, &h->head_tv);
	}
}

/*
 * Two things would cut an answer off before its end.  libevent dates the
 * write timeout evhttp set for it by the time cached when the loop turned,
 * and making it may have taken longer than that timeout: it expired before
 * a byte was written.  And evhttp keeps reading while it writes (to see
 * the client go), the idle timeout counting from the last byte read, so a
 * large answer taken slowly was cut mid-way.  So the clock is read again,
 * and while the answer is written only its progress counts: a write that
 * makes none for idle_timeout ends it (row 52).  request_done puts the
 * read timeout back.  A search waiting in the queue has the same timeouts:
 * nothing to write, so nothing times out.
 */
static void
answer_timeouts(struct http *h, struct conn *c)
{
	struct timeval idle = { (time_t)h->conf->idle_timeout, 0 };

	if (c == NULL)
		return;
	event_base_update_cache_time(h->base);
	bufferevent_set_timeouts(evhttp_connection_get_bufferevent(c->evcon),
	    NULL, &idle);
}

/* search_ev: answers the first search of the queue, and goes on later. */
static void
run_search(evutil_socket_t fd, short what, void *arg)
{
	struct http *h = arg;
	struct search *s = STAILQ_FIRST(&h->searches);

	(void)fd;
	(void)what;
	if (s == NULL)
		return;
	STAILQ_REMOVE_HEAD(&h->searches, next);
	h->nsearches--;
	search_later(h);	/* the next, after what else is ready */
	answered = 0;
	if (evhttp_request_get_connection(s->req) == NULL) {
		/* The client left: the reply only frees the request. */
		if (h->active > 0)
			h->active--;
		evhttp_send_reply(s->req, 503, "Service Unavailable", NULL);
	} else {
		struct conn *c = conn_of(h, s->req);
		struct cached *hit;

		/* The same search, queued twice, runs once. */
		if ((hit = cache_find(h, s->key, store_seen(h))) != NULL)
			reply_cached(h, s->req, hit);
		else
			answer_items(h, s->req, (enum format)s->fmt, s->title,
			    s->path, s->rawq, s->key, s->q, s->cursor,
			    &s->query);
		metrics_request(h->metrics, (enum route)s->route, answered,
		    now_seconds() - s->t0);
		answer_timeouts(h, c);
	}
	search_free(s);
}

static void
handle(struct evhttp_request *req, void *arg)
{
	struct http *h = arg;
	struct conn *c = conn_of(h, req);
	double t0 = now_seconds();
	enum route r;

	if (c != NULL)
		evtimer_del(c->deadline);
	h->active++;
	evhttp_request_set_on_complete_cb(req, request_done, h);
	answered = 0;
	deferred = 0;
	request_t0 = t0;
	r = route_request(h, req);
	if (!deferred)
		metrics_request(h->metrics, r, answered, now_seconds() - t0);
	answer_timeouts(h, c);
}

/* "ADDR:PORT", "[V6]:PORT" or "PORT" into address and port. */
static int
split_listen(const char *listen, char *addr, size_t len, int *port)
{
	const char *colon = strrchr(listen, ':');

	if (colon == NULL) {
		snprintf(addr, len, "127.0.0.1");
		*port = atoi(listen);
		return 0;
	}
	if (listen[0] == '[')
		snprintf(addr, len, "%.*s", (int)(colon - listen - 2),
		    listen + 1);
	else
		snprintf(addr, len, "%.*s", (int)(colon - listen), listen);
	*port = atoi(colon + 1);
	return *addr == '\0' ? -1 : 0;
}

void
http_socket_name(int fd, char *out, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[64];

	*out = '\0';
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == -1)
		return;
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		snprintf(out, len, "[%s]:%d", host, ntohs(s6->sin6_port));
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
		snprintf(out, len, "%s:%d", host, ntohs(s4->sin_port));
	}
}

int
http_listen(const char *where, int reuseport, char *err, size_t errlen)
{
	struct evutil_addrinfo hints, *ai = NULL;
	char addr[64], port_s[16];
	int port, fd = -1, one = 1;

	if (split_listen(where, addr, sizeof(addr), &port) == -1 ||
	    port < 0 || port > 65535) {
		snprintf(err, errlen, "bad listen address: %s", where);
		return -1;
	}
	snprintf(port_s, sizeof(port_s), "%d", port);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = EVUTIL_AI_PASSIVE | EVUTIL_AI_ADDRCONFIG;
	if (evutil_getaddrinfo(addr, port_s, &hints, &ai) != 0 || ai == NULL) {
		snprintf(err, errlen, "cannot listen on %s: no such address",
		    where);
		return -1;
	}
	if ((fd = socket(ai->ai_family, SOCK_STREAM, 0)) == -1 ||
	    evutil_make_listen_socket_reuseable(fd) == -1 ||
	    evutil_make_socket_nonblocking(fd) == -1 ||
	    evutil_make_socket_closeonexec(fd) == -1 ||
	    (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one,
	    sizeof(one)) == -1) ||
	    bind(fd, ai->ai_addr, (socklen_t)ai->ai_addrlen) == -1 ||
	    listen(fd, 1024) == -1) {
		snprintf(err, errlen, "cannot listen on %s: %s", where,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		evutil_freeaddrinfo(ai);
		return -1;
	}
	evutil_freeaddrinfo(ai);
	/*
	 * Answers go out as soon as they are written: with Nagle's
	 * algorithm a body that follows its headers waits for the client's
	 * delayed ACK (40 ms a request).  Accepted sockets inherit the
	 * option from the listener (Linux, the BSDs).
	 */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/*
 * max_connections, within the descriptors the process may open: the soft
 * limit is raised towards the hard one for it, and the cap lowered (and
 * said so) when that is not enough.  Each transfer of the poller and the
 * store take descriptors too.
 */
static int64_t
open_cap(const struct conf *conf)
{
	int64_t cap = conf->max_connections;
	int64_t reserve = conf->concurrency + 64;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur == RLIM_INFINITY)
		return cap;
	if ((int64_t)rl.rlim_cur < cap + reserve && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ||
		    (int64_t)rl.rlim_max > cap + reserve ?
		    (rlim_t)(cap + reserve) : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	if ((int64_t)rl.rlim_cur < cap + reserve) {
		int64_t was = cap;

		cap = (int64_t)rl.rlim_cur - reserve;
		if (cap < 8)
			cap = 8;
		log_warnx("http: max_connections %lld lowered to %lld: the "
		    "process may open %lld files", (long long)was,
		    (long long)cap, (long long)rl.rlim_cur);
	}
	return cap;
}

struct http *
http_new_fd(struct event_base *base, const struct conf *conf,
    struct store *store, int fd, char *err, size_t errlen)
{
	struct http *h = xcalloc(1, sizeof(*h));
	struct evhttp_bound_socket *bs;

	h->conf = conf;
	h->store = store;
	h->base = base;
	h->next = https;
	https = h;
	h->max_open = open_cap(conf);
	h->head_tv.tv_sec = (time_t)conf->request_timeout;
	h->adopt_ev = event_new(base, -1, 0, conn_adopt, h);
	h->resume_ev = evtimer_new(base, accept_resume, h);
	STAILQ_INIT(&h->searches);
	h->search_ev = evtimer_new(base, run_search, h);
	/* The last priority: searches wait for everything else. */
	event_priority_set(h->search_ev, HTTP_PRIORITIES - 1);
	h->channels = xcalloc(conf->nchannels + 1, sizeof(char *));
	for (size_t i = 0; i < conf->nchannels; i++)
		h->channels[i] = conf->channels[i].name;
	h->feed_names = feed_names_json(conf);
	if ((h->evh = evhttp_new(base)) == NULL) {
		snprintf(err, errlen, "cannot start the HTTP server");
		goto fail;
	}
	/* Other methods reach the handler, which answers 405. */
	evhttp_set_allowed_methods(h->evh, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
	evhttp_set_max_headers_size(h->evh, 16384);
	evhttp_set_max_body_size(h->evh, 4096);
	/* Also a client that stops reading its answer (row 52). */
	evhttp_set_timeout(h->evh, (int)conf->idle_timeout);
	evhttp_set_gencb(h->evh, handle, h);
	evhttp_set_bevcb(h->evh, conn_bev, h);
	if ((bs = evhttp_accept_socket_with_handle(h->evh, fd)) == NULL) {
		snprintf(err, errlen, "cannot accept on the listening socket");
		goto fail;
	}
	h->bs = bs;
	h->listening = 1;
	evconnlistener_set_error_cb(evhttp_bound_socket_get_listener(bs),
	    accept_error);
	http_socket_name(evhttp_bound_socket_get_fd(bs), h->bound,
	    sizeof(h->bound));
	return h;
fail:
	http_free(h);
	return NULL;
}

struct http *
http_new(struct event_base *base, const struct conf *conf,
    struct store *store, const char *listen, char *err, size_t errlen)
{
	int fd = http_listen(listen, 0, err, errlen);
	struct http *h;

	if (fd == -1)
		return NULL;
	if ((h = http_new_fd(base, conf, store, fd, err, errlen)) == NULL)
		close(fd);
	return h;
}

void
http_free(struct http *h)
{
	if (h == NULL)
		return;
	for (struct http **p = &https; *p != NULL; p = &(*p)->next)
		if (*p == h) {
			*p = h->next;
			break;
		}
	h->freeing = 1;
	/*
	 * Searches still queued: evhttp frees the requests of connections
	 * still open, and those whose client left are ours to free.
	 */
	while (!STAILQ_EMPTY(&h->searches)) {
		struct search *s = STAILQ_FIRST(&h->searches);

		STAILQ_REMOVE_HEAD(&h->searches, next);
		if (evhttp_request_get_connection(s->req) == NULL)
			evhttp_request_free(s->req);
		search_free(s);
	}
	if (h->evh != NULL)
		evhttp_free(h->evh);	/* closes its connections: conn_closed */
	for (size_t i = 0; i < h->nslots; i++)
		if (h->conns[i] != NULL)
			conn_free(h->conns[i]);
	free(h->conns);
	free(h->pending);
	if (h->adopt_ev != NULL)
		event_free(h->adopt_ev);
	if (h->resume_ev != NULL)
		event_free(h->resume_ev);
	if (h->search_ev != NULL)
		event_free(h->search_ev);
	for (size_t i = 0; i < CACHE_SIZE; i++)
		cached_clear(&h->cache[i]);
	free(h->channels);
	free(h->feed_names);
	free(h);
}

void
http_stop_accepting(struct http *h)
{
	if (h->bs != NULL)
		evhttp_del_accept_socket(h->evh, h->bs);
	h->bs = NULL;
}

int
http_active(const struct http *h)
{
	return h->active;
}

void
http_set_metrics(struct http *h, struct metrics *m)
{
	h->metrics = m;
}

const char *
http_bound(const struct http *h)
{
	return h->bound;
}
