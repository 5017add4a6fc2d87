/* origin.c - the scripted test origin (see origin.h). */
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "origin.h"

#define MAX_PATHS	64

struct stat_row {
	char	path[128];
	int	requests;
	int	notmodified;
};

struct state {
	const char	*docroot;
	int		 growing;
	struct stat_row	 rows[MAX_PATHS];
	int		 nrows;
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

static void
serve_file(struct state *s, struct evhttp_request *req, const char *name,
    struct stat_row *r)
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

static void
handle(struct evhttp_request *req, void *arg)
{
	struct state *s = arg;
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(
	    req));
	struct stat_row *r;

	if (path == NULL)
		path = "/";
	if (strcmp(path, "/_stats") == 0) {
		serve_stats(s, req);
		return;
	}
	r = row(s, path);
	r->requests++;
	if (strncmp(path, "/feeds/", 7) == 0)
		serve_file(s, req, path + 7, r);
	else if (strcmp(path, "/growing.xml") == 0)
		serve_growing(s, req);
	else if (strcmp(path, "/truncated.xml") == 0)
		send_body(req, 200, "application/rss+xml", truncated,
		    sizeof(truncated) - 1);
	else if (strcmp(path, "/page.html") == 0)
		send_body(req, 200, "text/html", page, sizeof(page) - 1);
	else
		send_body(req, 404, "text/plain", "not found\n", 10);
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
	int port = -1;

	memset(&s, 0, sizeof(s));
	s.docroot = docroot;
	event_add(term, NULL);
	evhttp_set_gencb(h, handle, &s);
	bs = evhttp_bind_socket_with_handle(h, "127.0.0.1", 0);
	if (bs != NULL && getsockname(evhttp_bound_socket_get_fd(bs),
	    (struct sockaddr *)&sin, &len) == 0)
		port = ntohs(sin.sin_port);
	if (write(fd, &port, sizeof(port)) != sizeof(port) || port < 0)
		_exit(1);
	close(fd);
	event_base_dispatch(base);
	event_free(term);
	evhttp_free(h);
	event_base_free(base);
	_exit(0);
}

int
origin_start(struct origin *o, const char *docroot)
{
	int fds[2];

	if (pipe(fds) == -1)
		return -1;
	if ((o->pid = fork()) == -1)
		return -1;
	if (o->pid == 0) {
		close(fds[0]);
		child(docroot, fds[1]);
	}
	close(fds[1]);
	if (read(fds[0], &o->port, sizeof(o->port)) != sizeof(o->port) ||
	    o->port <= 0) {
		close(fds[0]);
		origin_stop(o);
		return -1;
	}
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
