/* origin.c - the scripted test origin (see origin.h). */
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <zlib.h>

#include "origin.h"

#define MAX_PATHS	256
#define RAW_LIMIT	30	/* seconds a raw connection may live */
#define BOMB_MIB	128	/* zeros in the gzip bomb */

struct stat_row {
	char	path[128];
	int	requests;
	int	notmodified;
};

struct state {
	const char	*docroot;
	struct event_base *base;
	int		 port;
	int		 growing;
	unsigned char	*bomb[2];	/* gzip, deflate: built when asked */
	size_t		 bomblen[2];
	struct stat_row	 rows[MAX_PATHS];
	int		 nrows;
	int		 inflight, max_inflight; /* /delayed/ */
};

static struct stat_row *
row(struct state *s, const char *path)
{
	for (int i = 0; i < s->nrows; i++)
		if (strcmp(s->rows[i].path, path) == 0)
			return &s->rows[i];
	if (s->nrows == MAX_PATHS)
		return &s->rows[MAX_PATHS - 1];
	snprintf(s->rows[s->nrows].path, sizeof(s->rows[0].path), "%s", path);
	return &s->rows[s->nrows++];
}

static void
send_body(struct evhttp_request *req, int code, const char *type,
    const char *body, size_t len)
{
	struct evbuffer *b = evbuffer_new();

	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", type);
	evbuffer_add(b, body, len);
	evhttp_send_reply(req, code, code == 200 ? "OK" : "Other", b);
	evbuffer_free(b);
}

/* With_etag 0: a Last-Modified only, and only If-Modified-Since counts. */
static void
serve_file(struct state *s, struct evhttp_request *req, const char *name,
    struct stat_row *r, int with_etag)
{
	char path[1024], etag[64], lm[64];
	struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	const char *inm = evhttp_find_header(in, "If-None-Match");
	const char *ims = evhttp_find_header(in, "If-Modified-Since");
	struct stat st;
	FILE *f;
	char *data;

	snprintf(path, sizeof(path), "%s/%s", s->docroot, name);
	if (strstr(name, "..") != NULL || stat(path, &st) == -1 ||
	    (f = fopen(path, "rb")) == NULL) {
		send_body(req, 404, "text/plain", "no\n", 3);
		return;
	}
	snprintf(etag, sizeof(etag), "\"%llx-%llx\"",
	    (unsigned long long)st.st_size, (unsigned long long)st.st_mtime);
	strftime(lm, sizeof(lm), "%a, %d %b %Y %H:%M:%S GMT",
	    gmtime(&st.st_mtime));
	if (!with_etag)
		inm = NULL;
	else
		evhttp_add_header(out, "ETag", etag);
	evhttp_add_header(out, "Last-Modified", lm);
	if ((inm != NULL && strcmp(inm, etag) == 0) || (inm == NULL &&
	    ims != NULL && curl_getdate(ims, NULL) >= st.st_mtime)) {
		r->notmodified++;
		fclose(f);
		evhttp_send_reply(req, 304, "Not Modified", NULL);
		return;
	}
	data = malloc((size_t)st.st_size + 1);
	if (data == NULL || fread(data, 1, (size_t)st.st_size, f) !=
	    (size_t)st.st_size) {
		send_body(req, 500, "text/plain", "read\n", 5);
	} else
		send_body(req, 200, "application/xml", data,
		    (size_t)st.st_size);
	free(data);
	fclose(f);
}

static void
serve_growing(struct state *s, struct evhttp_request *req)
{
	struct evbuffer *b = evbuffer_new();

	s->growing++;
	evbuffer_add_printf(b, "<?xml version=\"1.0\"?>\n<rss version=\"2.0\">"
	    "<channel><title>Growing</title><link>http://127.0.0.1/</link>"
	    "<description>one more item each time</description>\n");
	for (int i = s->growing; i >= 1; i--)
		evbuffer_add_printf(b, "<item><title>Sprout item %d</title>"
		    "<guid>growing-%d</guid><link>http://127.0.0.1/g/%d</link>"
		    "<pubDate>Mon, 01 Jan 2024 00:%02d:00 GMT</pubDate>"
		    "<description>Number %d of the sprouting feed.</description>"
		    "</item>\n", i, i, i, i % 60, i);
	evbuffer_add_printf(b, "</channel></rss>\n");
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "application/rss+xml");
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

static void
serve_stats(struct state *s, struct evhttp_request *req)
{
	struct evbuffer *b = evbuffer_new();

	for (int i = 0; i < s->nrows; i++)
		evbuffer_add_printf(b, "%s requests %d notmodified %d\n",
		    s->rows[i].path, s->rows[i].requests,
		    s->rows[i].notmodified);
	evbuffer_add_printf(b, "/_inflight requests %d notmodified 0\n",
	    s->max_inflight);
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

static const char truncated[] =
    "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel>"
    "<title>Truncated</title><link>http://127.0.0.1/t/</link>\n"
    "<item><title>Whole item one</title><guid>t1</guid></item>\n"
    "<item><title>Whole item two</title><guid>t2</guid></item>\n"
    "<item><title>Cut off in the mid";

static const char page[] =
    "<!DOCTYPE html><html><head><title>Not a feed</title></head>"
    "<body><p>Hello</p></body></html>\n";

/* A small valid RSS 2.0 feed, its items named after path. */
static void
small_rss(struct evbuffer *b, const char *path, int ttl)
{
	evbuffer_add_printf(b, "<?xml version=\"1.0\"?>\n<rss version=\"2.0\">"
	    "<channel><title>Small %s</title><link>http://127.0.0.1/</link>"
	    "<description>a small feed</description>\n", path);
	if (ttl >= 0)
		evbuffer_add_printf(b, "<ttl>%d</ttl>\n", ttl);
	for (int i = 1; i <= 2; i++)
		evbuffer_add_printf(b, "<item><title>Item %d of %s</title>"
		    "<guid>%s#%d</guid><link>http://127.0.0.1%s#%d</link>"
		    "<description>Number %d.</description></item>\n", i, path,
		    path, i, path, i, i);
	evbuffer_add_printf(b, "</channel></rss>\n");
}

static void
send_rss(struct evhttp_request *req, const char *path, int ttl)
{
	struct evbuffer *b = evbuffer_new();

	small_rss(b, path, ttl);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "application/rss+xml");
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

static void
http_date(time_t t, char *out, size_t len)
{
	strftime(out, len, "%a, %d %b %Y %H:%M:%S GMT", gmtime(&t));
}

/* /cache/maxage-N..., /cache/expires-N..., /cache/ttl-N..., /cache/... */
static void
serve_cache(struct evhttp_request *req, const char *path)
{
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	const char *name = path + 7;
	char v[64];
	int n;

	if (sscanf(name, "maxage-%d", &n) == 1) {
		snprintf(v, sizeof(v), "public, max-age=%d", n);
		evhttp_add_header(out, "Cache-Control", v);
	} else if (sscanf(name, "expires-%d", &n) == 1) {
		http_date(time(NULL), v, sizeof(v));
		evhttp_add_header(out, "Date", v);
		http_date(time(NULL) + n, v, sizeof(v));
		evhttp_add_header(out, "Expires", v);
	} else if (sscanf(name, "ttl-%d", &n) == 1) {
		send_rss(req, path, n);
		return;
	}
	send_rss(req, path, -1);
}

/* /status/CODE[/RA][/...] */
static void
serve_status(struct evhttp_request *req, const char *path)
{
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	struct evbuffer *b;
	const char *ra = NULL;
	char v[64];
	int code = 0, n = 0, at = 0;

	if (sscanf(path, "/status/%d%n", &code, &at) != 1 || code < 100 ||
	    code > 599) {
		send_body(req, 400, "text/plain", "bad status\n", 11);
		return;
	}
	ra = path + at;
	if (sscanf(ra, "/secs-%d", &n) == 1) {
		snprintf(v, sizeof(v), "%d", n);
		evhttp_add_header(out, "Retry-After", v);
	} else if (sscanf(ra, "/date-%d", &n) == 1) {
		http_date(time(NULL) + n, v, sizeof(v));
		evhttp_add_header(out, "Retry-After", v);
	} else if (strncmp(ra, "/junk", 5) == 0)
		evhttp_add_header(out, "Retry-After", "soon, maybe");
	else if (strncmp(ra, "/neg", 4) == 0)
		evhttp_add_header(out, "Retry-After", "-1");
	else if (strncmp(ra, "/huge", 5) == 0)
		evhttp_add_header(out, "Retry-After", "99999999999");
	if (code == 304 || code == 204 || code < 200) {
		evhttp_send_reply(req, code, "Status", NULL);
		return;
	}
	b = evbuffer_new();
	evbuffer_add_printf(b, "status %d\n", code);
	evhttp_add_header(out, "Content-Type", "text/plain");
	evhttp_send_reply(req, code, "Status", b);
	evbuffer_free(b);
}

static void
send_redirect(struct evhttp_request *req, int code, const char *location)
{
	evhttp_add_header(evhttp_request_get_output_headers(req), "Location",
	    location);
	send_body(req, code, "text/plain", "moved\n", 6);
}

/* /redirect/CODE/N/PATH, /loop/a|b/X, /self/X, /to-ftp/X, /to-private/X */
static int
serve_redirect(struct state *s, struct evhttp_request *req, const char *path)
{
	char loc[1024];
	int code, n, at = 0;

	if (sscanf(path, "/redirect/%d/%d/%n", &code, &n, &at) == 2 &&
	    at > 0) {
		if (n > 1)
			snprintf(loc, sizeof(loc), "http://127.0.0.1:%d"
			    "/redirect/%d/%d/%s", s->port, code, n - 1,
			    path + at);
		else
			snprintf(loc, sizeof(loc), "http://127.0.0.1:%d/%s",
			    s->port, path + at);
		send_redirect(req, code, loc);
	} else if (strncmp(path, "/loop/a/", 8) == 0) {
		snprintf(loc, sizeof(loc), "http://127.0.0.1:%d/loop/b/%s",
		    s->port, path + 8);
		send_redirect(req, 302, loc);
	} else if (strncmp(path, "/loop/b/", 8) == 0) {
		snprintf(loc, sizeof(loc), "http://127.0.0.1:%d/loop/a/%s",
		    s->port, path + 8);
		send_redirect(req, 302, loc);
	} else if (strncmp(path, "/self/", 6) == 0) {
		snprintf(loc, sizeof(loc), "http://127.0.0.1:%d%s", s->port,
		    path);
		send_redirect(req, 302, loc);
	} else if (strncmp(path, "/to-ftp/", 8) == 0) {
		snprintf(loc, sizeof(loc), "ftp://127.0.0.1:%d/feeds/%s",
		    s->port, path + 8);
		send_redirect(req, 301, loc);
	} else if (strncmp(path, "/to-private/", 12) == 0) {
		snprintf(loc, sizeof(loc), "http://127.0.0.2:%d/canary/%s",
		    s->port, path + 12);
		send_redirect(req, 302, loc);
	} else if (strncmp(path, "/to-file/", 9) == 0)
		send_redirect(req, 302, "file:///etc/passwd");
	else if (strncmp(path, "/to-host/", 9) == 0) {
		static const char *const hosts[][2] = {
			{ "v6loop", "[::1]" },
			{ "mapped", "[::ffff:127.0.0.2]" },
			{ "decimal", "2130706434" },
			{ "hex", "0x7f.0.0.2" },
			{ "octal", "0177.0.0.2" },
			{ "zero", "0.0.0.0" },
			{ "metadata", "169.254.169.254" },
			{ "ten", "10.0.0.1" },
		};
		const char *name = path + 9;

		for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++)
			if (strcmp(name, hosts[i][0]) == 0) {
				snprintf(loc, sizeof(loc), "http://%s:%d/canary/"
				    "%s", hosts[i][1], s->port, name);
				send_redirect(req, 302, loc);
				return 1;
			}
		send_body(req, 404, "text/plain", "no such host\n", 13);
	} else
		return 0;
	return 1;
}

/* data gzipped n times (new, *outlen), or NULL. */
static unsigned char *
gzip_times(const unsigned char *data, size_t len, int n, size_t *outlen)
{
	unsigned char *cur = malloc(len), *next;

	if (cur == NULL)
		return NULL;
	memcpy(cur, data, len);
	for (int i = 0; i < n; i++) {
		z_stream z;
		size_t cap = len + len / 2 + 256;

		memset(&z, 0, sizeof(z));
		if ((next = malloc(cap)) == NULL || deflateInit2(&z, 9,
		    Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
			free(next);
			free(cur);
			return NULL;
		}
		z.next_in = cur;
		z.avail_in = (uInt)len;
		z.next_out = next;
		z.avail_out = (uInt)cap;
		if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
			deflateEnd(&z);
			free(next);
			free(cur);
			return NULL;
		}
		len = z.total_out;
		deflateEnd(&z);
		free(cur);
		cur = next;
	}
	*outlen = len;
	return cur;
}

/* /gzip-N/...: a small feed gzipped N times, each encoding declared. */
static void
serve_gzip(struct evhttp_request *req, const char *path, int n)
{
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	struct evbuffer *feed = evbuffer_new(), *b;
	char enc[256] = "";
	unsigned char *z;
	size_t len;

	small_rss(feed, path, -1);
	z = gzip_times(evbuffer_pullup(feed, -1), evbuffer_get_length(feed),
	    n, &len);
	evbuffer_free(feed);
	if (z == NULL || n < 1 || n > 20) {
		free(z);
		send_body(req, 500, "text/plain", "gzip\n", 5);
		return;
	}
	for (int i = 0; i < n; i++)
		strcat(enc, i == 0 ? "gzip" : ", gzip");
	b = evbuffer_new();
	evbuffer_add(b, z, len);
	free(z);
	evhttp_add_header(out, "Content-Type", "application/rss+xml");
	evhttp_add_header(out, "Content-Encoding", enc);
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

/*
 * Chunked replies on a timer: the drip (1 byte a tick) and the endless
 * body (64 KiB a tick).  When the client goes away, libevent detaches the
 * request from its connection and calls the close callback; the next tick
 * then frees the request (evhttp_send_reply_end on a detached request).
 */
struct stream {
	struct evhttp_request	*req;
	struct event		*timer;
	struct timeval		 every;
	int			 closed;
	int			 drip;
	int			 ticks;		/* left */
	size_t			 at;		/* drip: bytes sent */
};

static const char drip_body[] =
    "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>Drip";

static void
stream_closed(struct evhttp_connection *evcon, void *arg)
{
	struct stream *st = arg;

	(void)evcon;
	st->closed = 1;
}

static void
stream_end(struct stream *st)
{
	if (!st->closed)
		evhttp_connection_set_closecb(evhttp_request_get_connection(
		    st->req), NULL, NULL);
	evhttp_send_reply_end(st->req);
	event_free(st->timer);
	free(st);
}

static void
stream_tick(evutil_socket_t fd, short what, void *arg)
{
	struct stream *st = arg;
	struct evhttp_connection *evcon;
	struct evbuffer *b;

	(void)fd;
	(void)what;
	if (st->closed || st->ticks-- <= 0 || (st->drip && st->at ==
	    sizeof(drip_body) - 1)) {
		stream_end(st);
		return;
	}
	evcon = evhttp_request_get_connection(st->req);
	b = evbuffer_new();
	if (st->drip)
		evbuffer_add(b, drip_body + st->at++, 1);
	else if (evbuffer_get_length(bufferevent_get_output(
	    evhttp_connection_get_bufferevent(evcon))) < (1u << 20)) {
		static char chunk[65536];

		if (chunk[0] == '\0')
			memset(chunk, 'A', sizeof(chunk));
		evbuffer_add(b, chunk, sizeof(chunk));
	}
	if (evbuffer_get_length(b) > 0)
		evhttp_send_reply_chunk(st->req, b);
	evbuffer_free(b);
	evtimer_add(st->timer, &st->every);
}

static void
serve_stream(struct state *s, struct evhttp_request *req, int drip)
{
	struct stream *st = calloc(1, sizeof(*st));
	struct evbuffer *b;

	if (st == NULL) {
		send_body(req, 500, "text/plain", "oom\n", 4);
		return;
	}
	st->req = req;
	st->drip = drip != 0;
	if (drip == 2) {		/* slow: a byte every 2 s, 60 s */
		st->every.tv_sec = 2;
		st->ticks = 30;
	} else {
		st->every.tv_usec = drip ? 500 * 1000 : 10 * 1000;
		st->ticks = drip ? 40 : 2000;	/* 20 s either way */
	}
	st->timer = evtimer_new(s->base, stream_tick, st);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "application/rss+xml");
	evhttp_send_reply_start(req, 200, "OK");
	evhttp_connection_set_closecb(evhttp_request_get_connection(req),
	    stream_closed, st);
	if (!drip) {
		b = evbuffer_new();
		evbuffer_add_printf(b, "<?xml version=\"1.0\"?>\n<rss version="
		    "\"2.0\"><channel><title>Endless</title><description>");
		evhttp_send_reply_chunk(req, b);
		evbuffer_free(b);
	}
	evtimer_add(st->timer, &st->every);
}

/* A /delayed/ answer, sent DELAY_MS after its request came. */
#define DELAY_MS	300

struct delayed {
	struct state		*s;
	struct evhttp_request	*req;
	char			 path[128];
};

static void
delayed_fire(evutil_socket_t fd, short what, void *arg)
{
	struct delayed *d = arg;

	(void)fd;
	(void)what;
	d->s->inflight--;
	send_rss(d->req, d->path, -1);
	free(d);
}

/*
 * A small feed, answered after DELAY_MS; the most answers pending at once
 * is kept for /_stats ("/_inflight"), to see the poller's limits.
 */
static void
serve_delayed(struct state *s, struct evhttp_request *req, const char *path)
{
	struct delayed *d = calloc(1, sizeof(*d));
	struct timeval tv = { 0, DELAY_MS * 1000 };

	if (d == NULL) {
		send_body(req, 500, "text/plain", "no memory\n", 10);
		return;
	}
	d->s = s;
	d->req = req;
	snprintf(d->path, sizeof(d->path), "%s", path);
	if (++s->inflight > s->max_inflight)
		s->max_inflight = s->inflight;
	event_base_once(s->base, -1, EV_TIMEOUT, delayed_fire, d, &tv);
}

/* BOMB_MIB MiB of zeros as one gzip member (kind 0) or zlib stream (1). */
static int
build_bomb(struct state *s, int kind)
{
	static unsigned char zero[65536];
	size_t cap = (size_t)BOMB_MIB << 11;	/* 1/512 of it: room enough */
	z_stream z;
	int rc = Z_OK;

	if (s->bomb[kind] != NULL)
		return 0;
	memset(&z, 0, sizeof(z));
	if ((s->bomb[kind] = malloc(cap)) == NULL || deflateInit2(&z, 9,
	    Z_DEFLATED, kind == 0 ? 15 + 16 : 15, 9, Z_RLE) != Z_OK)
		return -1;
	z.next_out = s->bomb[kind];
	z.avail_out = (uInt)cap;
	for (int i = 0; i < BOMB_MIB * 16 && rc == Z_OK; i++) {
		z.next_in = zero;
		z.avail_in = sizeof(zero);
		rc = deflate(&z, i == BOMB_MIB * 16 - 1 ? Z_FINISH : Z_NO_FLUSH);
	}
	s->bomblen[kind] = z.total_out;
	deflateEnd(&z);
	if (rc != Z_STREAM_END) {
		free(s->bomb[kind]);
		s->bomb[kind] = NULL;
		return -1;
	}
	return 0;
}

static void
serve_bomb(struct state *s, struct evhttp_request *req, int kind)
{
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	struct evbuffer *b;

	if (build_bomb(s, kind) == -1) {
		send_body(req, 500, "text/plain", "no bomb\n", 8);
		return;
	}
	b = evbuffer_new();
	evbuffer_add(b, s->bomb[kind], s->bomblen[kind]);
	evhttp_add_header(out, "Content-Type", "application/rss+xml");
	evhttp_add_header(out, "Content-Encoding", kind == 0 ? "gzip" :
	    "deflate");
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

static void
handle(struct evhttp_request *req, void *arg)
{
	struct state *s = arg;
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(
	    req));
	struct stat_row *r;
	char enc[16];
	int n, at = 0;

	if (path == NULL)
		path = "/";
	if (strcmp(path, "/_stats") == 0) {
		serve_stats(s, req);
		return;
	}
	r = row(s, path);
	r->requests++;
	if (strncmp(path, "/feeds/", 7) == 0)
		serve_file(s, req, path + 7, r, 1);
	else if (strncmp(path, "/lm/", 4) == 0)
		serve_file(s, req, path + 4, r, 0);
	else if (strcmp(path, "/growing.xml") == 0)
		serve_growing(s, req);
	else if (strcmp(path, "/truncated.xml") == 0)
		send_body(req, 200, "application/rss+xml", truncated,
		    sizeof(truncated) - 1);
	else if (strcmp(path, "/page.html") == 0)
		send_body(req, 200, "text/html", page, sizeof(page) - 1);
	else if (strncmp(path, "/cache/", 7) == 0)
		serve_cache(req, path);
	else if (strncmp(path, "/status/", 8) == 0)
		serve_status(req, path);
	else if (sscanf(path, "/flaky/%d/%n", &n, &at) == 1 && at > 0) {
		if (r->requests <= n)
			send_body(req, 500, "text/plain", "flaky\n", 6);
		else
			send_rss(req, path, -1);
	} else if (sscanf(path, "/gone-after/%d/%n", &n, &at) == 1 &&
	    at > 0) {
		if (r->requests <= n)
			send_rss(req, path, -1);
		else
			send_body(req, 410, "text/plain", "gone\n", 5);
	} else if (sscanf(path, "/gzip-%d/%n", &n, &at) == 1 && at > 0)
		serve_gzip(req, path, n);
	else if (serve_redirect(s, req, path))
		;
	else if (strcmp(path, "/drip.xml") == 0)
		serve_stream(s, req, 1);
	else if (strcmp(path, "/slow.xml") == 0)
		serve_stream(s, req, 2);
	else if (strcmp(path, "/endless.xml") == 0)
		serve_stream(s, req, 0);
	else if (sscanf(path, "/encoded/%15[a-z]/%n", enc, &at) == 1 &&
	    at > 0) {
		/* A file already encoded, sent with its Content-Encoding. */
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Content-Encoding", enc);
		serve_file(s, req, path + at, r, 1);
	} else if (strncmp(path, "/delayed/", 9) == 0)
		serve_delayed(s, req, path);
	else if (strcmp(path, "/bomb.xml") == 0)
		serve_bomb(s, req, 0);
	else if (strcmp(path, "/bomb-deflate.xml") == 0)
		serve_bomb(s, req, 1);
	else
		send_body(req, 404, "text/plain", "not found\n", 10);
}

/*
 * The raw-socket routes: each connection reads its request line and
 * headers, then is answered by hand (or not at all).  Every connection is
 * closed after RAW_LIMIT seconds whatever happens.
 */
struct rawconn {
	struct state	*s;
	int		 fd;
	int		 hanging;
	struct event	*rd, *wr, *limit;
	size_t		 left;		/* /raw/headers: bytes to go */
	size_t		 len;
	char		 req[4096];
};

#define FLOOD_BYTES	((size_t)16 << 20)

static void
raw_close(struct rawconn *c)
{
	event_free(c->rd);
	if (c->wr != NULL)
		event_free(c->wr);
	event_free(c->limit);
	close(c->fd);
	free(c);
}

/* /raw/headers: header lines, as fast as the client reads them. */
static void
raw_flood(evutil_socket_t fd, short what, void *arg)
{
	static char block[65536];
	static size_t blocklen;
	struct rawconn *c = arg;
	ssize_t n;

	(void)what;
	if (blocklen == 0) {
		for (int i = 0; blocklen + 100 < sizeof(block); i++) {
			int k = snprintf(block + blocklen, sizeof(block) -
			    blocklen, "X-Junk-%05d: ", i);

			blocklen += (size_t)k;
			memset(block + blocklen, 'a', 80);
			blocklen += 80;
			memcpy(block + blocklen, "\r\n", 2);
			blocklen += 2;
		}
	}
	n = send(fd, block, c->left < blocklen ? c->left : blocklen,
	    MSG_NOSIGNAL);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0 || (c->left -= (size_t)n) == 0)
		raw_close(c);
}

static void
raw_write(int fd, const char *data, size_t len)
{
	ssize_t n;

	while (len > 0 && (n = send(fd, data, len, MSG_NOSIGNAL)) > 0) {
		data += n;
		len -= (size_t)n;
	}
}

static void
raw_answer(struct rawconn *c, const char *path)
{
	struct evbuffer *feed = evbuffer_new();
	char head[512], *body;
	size_t len;

	small_rss(feed, path, -1);
	len = evbuffer_get_length(feed);
	body = (char *)evbuffer_pullup(feed, -1);
	if (strcmp(path, "/raw/short.xml") == 0 ||
	    strcmp(path, "/raw/huge.xml") == 0) {
		snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\n"
		    "Content-Type: application/rss+xml\r\n"
		    "Content-Length: %s\r\nConnection: close\r\n\r\n",
		    path[5] == 's' ? "100000" : "1000000000000");
		raw_write(c->fd, head, strlen(head));
		raw_write(c->fd, body, len);
	} else if (strcmp(path, "/raw/long.xml") == 0) {
		/* A Content-Length that ends after the first item. */
		const char *end = strstr(body, "</item>");

		snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\n"
		    "Content-Type: application/rss+xml\r\n"
		    "Content-Length: %zu\r\nConnection: close\r\n\r\n",
		    end != NULL ? (size_t)(end - body) + 7 : len);
		raw_write(c->fd, head, strlen(head));
		raw_write(c->fd, body, len);
	} else if (strcmp(path, "/raw/cut.xml") == 0) {
		snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\n"
		    "Content-Type: application/rss+xml\r\n"
		    "Transfer-Encoding: chunked\r\n\r\n%zx\r\n", len);
		raw_write(c->fd, head, strlen(head));
		raw_write(c->fd, body, len);
		raw_write(c->fd, "\r\n", 2);
	} else if (strcmp(path, "/raw/badchunk.xml") == 0) {
		/* The whole feed in one chunk, then a size that is no number. */
		static const char bad[] = "\r\nzz\r\nxx\r\n0\r\n\r\n";

		snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\n"
		    "Content-Type: application/rss+xml\r\n"
		    "Transfer-Encoding: chunked\r\n\r\n%zx\r\n", len);
		raw_write(c->fd, head, strlen(head));
		raw_write(c->fd, body, len);
		raw_write(c->fd, bad, sizeof(bad) - 1);
	} else {
		snprintf(head, sizeof(head), "HTTP/1.1 404 Not Found\r\n"
		    "Content-Length: 0\r\nConnection: close\r\n\r\n");
		raw_write(c->fd, head, strlen(head));
	}
	evbuffer_free(feed);
}

static void
raw_read(evutil_socket_t fd, short what, void *arg)
{
	struct rawconn *c = arg;
	char path[256];
	ssize_t n;

	(void)what;
	n = read(fd, c->req + c->len, sizeof(c->req) - 1 - c->len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0 || c->hanging) {	/* gone, or talking past a hang */
		raw_close(c);
		return;
	}
	c->len += (size_t)n;
	c->req[c->len] = '\0';
	if (strstr(c->req, "\r\n\r\n") == NULL) {
		if (c->len == sizeof(c->req) - 1)
			raw_close(c);
		return;
	}
	if (sscanf(c->req, "%*s %255s", path) != 1)
		snprintf(path, sizeof(path), "/");
	path[strcspn(path, "?")] = '\0';
	row(c->s, path)->requests++;
	if (strcmp(path, "/raw/hang") == 0) {
		c->hanging = 1;	/* never answered; closed on EOF or limit */
		return;
	}
	if (strcmp(path, "/raw/headers") == 0) {
		raw_write(c->fd, "HTTP/1.1 200 OK\r\n", 17);
		event_del(c->rd);
		c->left = FLOOD_BYTES;
		c->wr = event_new(c->s->base, c->fd, EV_WRITE | EV_PERSIST,
		    raw_flood, c);
		event_add(c->wr, NULL);
		return;
	}
	raw_answer(c, path);
	raw_close(c);
}

static void
raw_limit(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	raw_close(arg);
}

static void
raw_accept(evutil_socket_t lfd, short what, void *arg)
{
	struct state *s = arg;
	struct timeval limit = { RAW_LIMIT, 0 };
	struct rawconn *c;
	int fd;

	(void)what;
	if ((fd = accept(lfd, NULL, NULL)) == -1)
		return;
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	c->s = s;
	c->fd = fd;
	c->rd = event_new(s->base, fd, EV_READ | EV_PERSIST, raw_read, c);
	c->limit = evtimer_new(s->base, raw_limit, c);
	event_add(c->rd, NULL);
	evtimer_add(c->limit, &limit);
}

/* A listening socket on 127.0.0.1, any port; its fd and *port, or -1. */
static int
raw_listen(int *port)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd == -1 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) == -1 || bind(fd, (struct sockaddr *)&sin,
	    sizeof(sin)) == -1 || listen(fd, 64) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	*port = ntohs(sin.sin_port);
	return fd;
}

static void
on_term(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	event_base_loopbreak(arg);
}

static void
child(const char *docroot, int fd)
{
	struct state s;
	struct event_base *base = event_base_new();
	struct evhttp *h = evhttp_new(base);
	struct evhttp_bound_socket *bs;
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	struct event *term = evsignal_new(base, SIGTERM, on_term, base);
	struct event *raw = NULL;
	int ports[2] = { -1, -1 }, rawfd;

	signal(SIGPIPE, SIG_IGN);
	memset(&s, 0, sizeof(s));
	s.docroot = docroot;
	s.base = base;
	event_add(term, NULL);
	evhttp_set_gencb(h, handle, &s);
	bs = evhttp_bind_socket_with_handle(h, "127.0.0.1", 0);
	if (bs != NULL && getsockname(evhttp_bound_socket_get_fd(bs),
	    (struct sockaddr *)&sin, &len) == 0)
		ports[0] = s.port = ntohs(sin.sin_port);
	/* The canary for redirects to private addresses; best effort. */
	if (ports[0] > 0) {
		(void)evhttp_bind_socket(h, "127.0.0.2", (ev_uint16_t)ports[0]);
		(void)evhttp_bind_socket(h, "::1", (ev_uint16_t)ports[0]);
	}
	if ((rawfd = raw_listen(&ports[1])) != -1) {
		raw = event_new(base, rawfd, EV_READ | EV_PERSIST, raw_accept,
		    &s);
		event_add(raw, NULL);
	}
	if (write(fd, ports, sizeof(ports)) != sizeof(ports) || ports[0] < 0 ||
	    ports[1] < 0)
		_exit(1);
	close(fd);
	event_base_dispatch(base);
	if (raw != NULL)
		event_free(raw);
	event_free(term);
	evhttp_free(h);
	event_base_free(base);
	free(s.bomb[0]);
	free(s.bomb[1]);
	_exit(0);
}

int
origin_start(struct origin *o, const char *docroot)
{
	int fds[2], ports[2];

	if (pipe(fds) == -1)
		return -1;
	if ((o->pid = fork()) == -1)
		return -1;
	if (o->pid == 0) {
		close(fds[0]);
		child(docroot, fds[1]);
	}
	close(fds[1]);
	if (read(fds[0], ports, sizeof(ports)) != sizeof(ports) ||
	    ports[0] <= 0 || ports[1] <= 0) {
		close(fds[0]);
		origin_stop(o);
		return -1;
	}
	o->port = ports[0];
	o->raw_port = ports[1];
	close(fds[0]);
	return 0;
}

void
origin_stop(struct origin *o)
{
	int status;

	if (o->pid <= 0)
		return;
	kill(o->pid, SIGTERM);
	waitpid(o->pid, &status, 0);
	o->pid = 0;
}
