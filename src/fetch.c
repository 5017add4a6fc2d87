/*
 * fetch.c - curl multi-socket on libevent.  curl tells us which sockets to
 * watch (sock_cb) and when to wake it (timer_cb); libevent tells curl what
 * happened (event_cb, timeout_cb); after every action the finished
 * transfers are drained (drain).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "fetch.h"
#include "log.h"
#include "url.h"

struct fetcher {
	struct event_base	*base;
	CURLM			*multi;
	struct event		*timer;
	struct fetch_opts	 opts;
	size_t			 running;
	struct job		*jobs;	/* every transfer in flight */
};

struct job {
	struct fetcher		*f;
	CURL			*easy;
	struct curl_slist	*headers;
	struct buf		 body;
	int			 too_big;
	char			 error[CURL_ERROR_SIZE];
	fetch_cb		*cb;
	void			*arg;
	struct job		*prev, *next;
};

/* One per socket curl asked us to watch. */
struct sock {
	struct event	*ev;
};

static void drain(struct fetcher *);

static size_t
write_cb(char *data, size_t size, size_t n, void *userp)
{
	struct job *j = userp;
	size_t len = size * n;

	/* Decoded bytes, counted here: MAXFILESIZE sees neither. */
	if (j->body.len + len > (size_t)j->f->opts.max_size) {
		j->too_big = 1;
		return 0;
	}
	buf_append(&j->body, data, len);
	return len;
}

static void
event_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fetcher *f = arg;
	int action = (what & EV_READ ? CURL_CSELECT_IN : 0) |
	    (what & EV_WRITE ? CURL_CSELECT_OUT : 0);
	int running;

	curl_multi_socket_action(f->multi, fd, action, &running);
	drain(f);
}

static void
timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fetcher *f = arg;
	int running;

	(void)fd;
	(void)what;
	curl_multi_socket_action(f->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	drain(f);
}

/* CURLMOPT_TIMERFUNCTION: only (re)arms the timer, never calls curl. */
static int
timer_cb(CURLM *multi, long ms, void *userp)
{
	struct fetcher *f = userp;
	struct timeval tv;

	(void)multi;
	if (ms < 0) {
		evtimer_del(f->timer);
		return 0;
	}
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(f->timer, &tv);
	return 0;
}

/* CURLMOPT_SOCKETFUNCTION: one persistent event per socket. */
static int
sock_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *sockp)
{
	struct fetcher *f = userp;
	struct sock *sk = sockp;
	short kind;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (sk != NULL) {
			event_free(sk->ev);
			free(sk);
		}
		curl_multi_assign(f->multi, s, NULL);
		return 0;
	}
	kind = EV_PERSIST | (what & CURL_POLL_IN ? EV_READ : 0) |
	    (what & CURL_POLL_OUT ? EV_WRITE : 0);
	if (sk == NULL) {
		sk = xcalloc(1, sizeof(*sk));
		curl_multi_assign(f->multi, s, sk);
	} else
		event_free(sk->ev);
	sk->ev = event_new(f->base, s, kind, event_cb, f);
	event_add(sk->ev, NULL);
	return 0;
}

struct fetcher *
fetcher_new(struct event_base *base, const struct fetch_opts *opts)
{
	struct fetcher *f = xcalloc(1, sizeof(*f));

	f->base = base;
	f->opts = *opts;
	f->multi = curl_multi_init();
	f->timer = evtimer_new(base, timeout_cb, f);
	curl_multi_setopt(f->multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
	curl_multi_setopt(f->multi, CURLMOPT_SOCKETDATA, f);
	curl_multi_setopt(f->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(f->multi, CURLMOPT_TIMERDATA, f);
	return f;
}

static void
job_free(struct job *j)
{
	struct fetcher *f = j->f;

	if (j->prev != NULL)
		j->prev->next = j->next;
	else
		f->jobs = j->next;
	if (j->next != NULL)
		j->next->prev = j->prev;
	curl_multi_remove_handle(f->multi, j->easy);
	curl_easy_cleanup(j->easy);
	curl_slist_free_all(j->headers);
	buf_free(&j->body);
	free(j);
	f->running--;
}

void
fetcher_free(struct fetcher *f)
{
	if (f == NULL)
		return;
	while (f->jobs != NULL)
		job_free(f->jobs);
	curl_multi_cleanup(f->multi);
	event_free(f->timer);
	free(f);
}

size_t
fetcher_running(const struct fetcher *f)
{
	return f->running;
}

static const char *
header(CURL *easy, const char *name)
{
	struct curl_header *h;

	if (curl_easy_header(easy, name, 0, CURLH_HEADER, -1, &h) !=
	    CURLHE_OK)
		return NULL;
	return h->value;
}

static void
finish(struct job *j, CURLcode rc)
{
	struct fetch_result r;
	char *ct = NULL, *url = NULL;

	memset(&r, 0, sizeof(r));
	curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &r.status);
	curl_easy_getinfo(j->easy, CURLINFO_CONTENT_TYPE, &ct);
	curl_easy_getinfo(j->easy, CURLINFO_EFFECTIVE_URL, &url);
	r.content_type = ct;
	r.url = url;
	if (rc == CURLE_OK && (r.status == 0 || r.status == 200 ||
	    r.status == 304)) {
		r.ok = 1;
		r.etag = header(j->easy, "ETag");
		r.last_modified = header(j->easy, "Last-Modified");
	} else if (rc == CURLE_OK)
		snprintf(r.error, sizeof(r.error), "HTTP %ld", r.status);
	else if (j->too_big)
		snprintf(r.error, sizeof(r.error), "larger than max_size (%lld "
		    "bytes)", (long long)j->f->opts.max_size);
	else
		snprintf(r.error, sizeof(r.error), "%s", *j->error ? j->error :
		    curl_easy_strerror(rc));
	r.body = j->body;
	j->cb(&r, j->arg);
}

/* Hands every finished transfer to its callback. */
static void
drain(struct fetcher *f)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(f->multi, &left)) != NULL) {
		struct job *j;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&j);
		finish(j, m->data.result);
		job_free(j);
	}
}

int
fetch_start(struct fetcher *f, const char *url, const char *etag,
    const char *last_modified, fetch_cb *cb, void *arg)
{
	struct job *j = xcalloc(1, sizeof(*j));
	const char *protos = url_is_http(url) ? "http,https" : "file";
	char line[1024];
	CURL *e;

	if ((e = j->easy = curl_easy_init()) == NULL) {
		free(j);
		return -1;
	}
	j->f = f;
	j->cb = cb;
	j->arg = arg;
	if (etag != NULL) {
		snprintf(line, sizeof(line), "If-None-Match: %s", etag);
		j->headers = curl_slist_append(j->headers, line);
	}
	if (last_modified != NULL) {
		snprintf(line, sizeof(line), "If-Modified-Since: %s",
		    last_modified);
		j->headers = curl_slist_append(j->headers, line);
	}
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, j);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, j->error);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, j);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, j->headers);
	curl_easy_setopt(e, CURLOPT_USERAGENT, f->opts.user_agent);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, protos);
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_TIMEOUT, (long)f->opts.timeout);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 16L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, 20L);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)f->opts.max_size);
	j->next = f->jobs;
	if (f->jobs != NULL)
		f->jobs->prev = j;
	f->jobs = j;
	f->running++;
	if (curl_multi_add_handle(f->multi, e) != CURLM_OK) {
		job_free(j);
		return -1;
	}
	return 0;
}
