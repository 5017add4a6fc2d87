/* http.c - evhttp routes: /, /feed.atom, /c/NAME.atom, /healthz. */
#include <sys/queue.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "buf.h"
#include "http.h"
#include "log.h"
#include "query.h"
#include "render.h"

struct http {
	struct evhttp		*evh;
	const struct conf	*conf;
	struct store		*store;
	char			 bound[128];
	const char		**channels;	/* names, NULL-ended */
};

enum format { FMT_ATOM, FMT_HTML };

static void
reply(struct evhttp_request *req, int code, const char *reason,
    const char *type, const char *body, size_t len)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct evbuffer *out = evbuffer_new();

	evhttp_add_header(h, "Content-Type", type);
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "Content-Security-Policy", strncmp(type,
	    "text/html", 9) == 0 ? "default-src 'none'; style-src "
	    "'unsafe-inline'; form-action 'self'; base-uri 'none'; "
	    "frame-ancestors 'none'" : "default-src 'none'; sandbox");
	evbuffer_add(out, body, len);
	evhttp_send_reply(req, code, reason, out);
	evbuffer_free(out);
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

/* The absolute URL of this request, for the feed's id and self link. */
static char *
self_url(struct http *h, const char *path, const char *rawq)
{
	struct buf b = { 0 };

	buf_puts(&b, h->conf->base_url);
	buf_puts(&b, path[0] == '/' ? path + 1 : path);
	if (rawq != NULL && *rawq != '\0')
		buf_printf(&b, "?%s", rawq);
	return buf_steal(&b);
}

/* Answers a feed or the HTML page for the query text q. */
static void
serve_items(struct http *h, struct evhttp_request *req, enum format fmt,
    const char *title, const char *q, const char *path, const char *rawq,
    const char *shown_q)
{
	struct query query;
	struct item *items = NULL;
	size_t n = 0;
	char err[256];
	struct buf out = { 0 }, msg = { 0 };
	struct render_ctx ctx;
	char *self = self_url(h, path, rawq);
	int rc;

	if (query_parse(q, &query, err, sizeof(err)) == -1) {
		buf_printf(&msg, "bad q: %s", err);
		reply_text(req, 400, "Bad Request", msg.data);
		goto done;
	}
	query.limit = (int)h->conf->page_size;
	rc = store_items(h->store, &query, &items, &n, err, sizeof(err));
	query_clear(&query);
	if (rc == 1)
		log_warnx("search answered without the newest entries: %s",
		    err);
	if (rc == -1) {
		log_warnx("query failed: %s", err);
		reply_text(req, 503, "Service Unavailable",
		    "the store is busy; try again");
		goto done;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.title = title;
	ctx.self = self;
	ctx.home = h->conf->base_url;
	ctx.query = shown_q;
	ctx.channels = h->channels;
	if (fmt == FMT_HTML) {
		/* The page links to the Atom feed of the same query. */
		free(self);
		self = self_url(h, "feed.atom", rawq);
		ctx.self = self;
		rc = render_html(&ctx, items, n, &out);
	} else
		rc = render_atom(&ctx, items, n, &out);
	if (rc == -1)
		reply_text(req, 503, "Service Unavailable", "rendering failed");
	else
		reply(req, 200, "OK", fmt == FMT_HTML ?
		    "text/html; charset=utf-8" :
		    "application/atom+xml; charset=utf-8", out.data, out.len);
done:
	store_items_free(items, n);
	buf_free(&out);
	buf_free(&msg);
	free(self);
}

static void
route_channel(struct http *h, struct evhttp_request *req, const char *path,
    const char *rawq, const char *q)
{
	const char *name = path + 3;	/* after "/c/" */
	const char *dot = strrchr(name, '.');
	const struct channel_conf *ch;
	char cname[80];
	struct buf combined = { 0 };

	if (dot == NULL || strcmp(dot, ".atom") != 0 ||
	    (size_t)(dot - name) >= sizeof(cname)) {
		reply_text(req, 404, "Not Found", "no such channel");
		return;
	}
	snprintf(cname, sizeof(cname), "%.*s", (int)(dot - name), name);
	if ((ch = conf_channel(h->conf, cname)) == NULL) {
		reply_text(req, 404, "Not Found", "no such channel");
		return;
	}
	/* The channel's query AND the reader's own. */
	buf_puts(&combined, ch->query);
	if (q != NULL)
		buf_printf(&combined, " %s", q);
	serve_items(h, req, FMT_ATOM, ch->title ? ch->title : ch->name,
	    combined.data, path, rawq, q);
	buf_free(&combined);
}

static void
handle(struct evhttp_request *req, void *arg)
{
	struct http *h = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = evhttp_uri_get_path(uri);
	const char *rawq = evhttp_uri_get_query(uri);
	struct evkeyvalq params;
	const char *q;

	TAILQ_INIT(&params);
	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET &&
	    evhttp_request_get_command(req) != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", "GET, HEAD");
		reply_text(req, 405, "Method Not Allowed", "only GET and HEAD");
		return;
	}
	if (path == NULL || *path == '\0')
		path = "/";
	if (rawq != NULL && evhttp_parse_query_str(rawq, &params) == -1) {
		reply_text(req, 400, "Bad Request", "malformed query string");
		return;
	}
	q = evhttp_find_header(&params, "q");
	if (strcmp(path, "/") == 0)
		serve_items(h, req, FMT_HTML, h->conf->title, q, path, rawq, q);
	else if (strcmp(path, "/feed.atom") == 0)
		serve_items(h, req, FMT_ATOM, h->conf->title, q, path, rawq, q);
	else if (strncmp(path, "/c/", 3) == 0)
		route_channel(h, req, path, rawq, q);
	else if (strcmp(path, "/healthz") == 0) {
		if (store_ping(h->store) == 0)
			reply_text(req, 200, "OK", "ok");
		else
			reply_text(req, 503, "Service Unavailable",
			    "store not answering");
	} else
		reply_text(req, 404, "Not Found", "not found");
	evhttp_clear_headers(&params);
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

static void
describe_bound(struct http *h, struct evhttp_bound_socket *bs)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[64];
	int port = 0;

	if (getsockname(evhttp_bound_socket_get_fd(bs), (struct sockaddr *)&ss,
	    &sl) == -1)
		return;
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		port = ntohs(s6->sin6_port);
		snprintf(h->bound, sizeof(h->bound), "[%s]:%d", host, port);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
		port = ntohs(s4->sin_port);
		snprintf(h->bound, sizeof(h->bound), "%s:%d", host, port);
	}
}

struct http *
http_new(struct event_base *base, const struct conf *conf,
    struct store *store, const char *listen, char *err, size_t errlen)
{
	struct http *h = xcalloc(1, sizeof(*h));
	struct evhttp_bound_socket *bs;
	char addr[64];
	int port;

	h->conf = conf;
	h->store = store;
	h->channels = xcalloc(conf->nchannels + 1, sizeof(char *));
	for (size_t i = 0; i < conf->nchannels; i++)
		h->channels[i] = conf->channels[i].name;
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
	evhttp_set_timeout(h->evh, 30);
	evhttp_set_gencb(h->evh, handle, h);
	if (split_listen(listen, addr, sizeof(addr), &port) == -1 ||
	    port < 0 || port > 65535) {
		snprintf(err, errlen, "bad listen address: %s", listen);
		goto fail;
	}
	if ((bs = evhttp_bind_socket_with_handle(h->evh, addr,
	    (unsigned short)port)) == NULL) {
		snprintf(err, errlen, "cannot listen on %s", listen);
		goto fail;
	}
	describe_bound(h, bs);
	return h;
fail:
	http_free(h);
	return NULL;
}

void
http_free(struct http *h)
{
	if (h == NULL)
		return;
	if (h->evh != NULL)
		evhttp_free(h->evh);
	free(h->channels);
	free(h);
}

const char *
http_bound(const struct http *h)
{
	return h->bound;
}
