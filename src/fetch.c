/*
 * fetch.c - curl multi-socket on libevent.  curl tells us which sockets to
 * watch (sock_cb) and when to wake it (timer_cb); libevent tells curl what
 * happened (event_cb, timeout_cb); after every action the finished
 * transfers are drained (drain), and a redirect starts the next hop on the
 * same easy handle.
 */
#include "config.h"

#include <sys/socket.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "addr.h"
#include "fetch.h"
#include "log.h"
#include "url.h"

#define MAX_REDIRECTS	5

struct fetcher {
	struct event_base	*base;
	CURLM			*multi;
	struct event		*timer;
	struct fetch_opts	 opts;
	struct addr_allow	*allow;
	size_t			 nallow;
	size_t			 running;
	struct job		*jobs;	/* every transfer in flight */
	CURL			*idle[64];	/* easy handles to reuse */
	size_t			 nidle;
};

struct job {
	struct fetcher		*f;
	CURL			*easy;
	struct curl_slist	*headers;
	struct buf		 body;
	int			 too_big;
	int			 blocked;	/* refused by the address policy */
	char			 why[160];	/* and why */
	char			 error[CURL_ERROR_SIZE];
	char			*url;		/* of the current hop */
	int			 hops;
	int			 permanent;	/* every hop so far 301/308 */
	char			*moved_to;
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

/* CURLOPT_OPENSOCKETFUNCTION: the address policy, at connect time. */
static curl_socket_t
open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct job *j = clientp;
	struct fetcher *f = j->f;

	(void)purpose;
	if (!f->opts.allow_private && addr_blocked(&a->addr, f->allow,
	    f->nallow, j->why, sizeof(j->why))) {
		j->blocked = 1;
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype, a->protocol);
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
		sk->ev = event_new(f->base, s, kind, event_cb, f);
		curl_multi_assign(f->multi, s, sk);
	} else {
		/* The same event, told what to watch now. */
		event_del(sk->ev);
		event_assign(sk->ev, f->base, s, kind, event_cb, f);
	}
	event_add(sk->ev, NULL);
	return 0;
}

struct fetcher *
fetcher_new(struct event_base *base, const struct fetch_opts *opts)
{
	struct fetcher *f = xcalloc(1, sizeof(*f));
	char err[160];

	f->base = base;
	f->opts = *opts;
	if (opts->allow != NULL && addr_allow_parse(opts->allow, &f->allow,
	    &f->nallow, err, sizeof(err)) == -1) {
		log_warnx("allow: %s", err);
		free(f);
		return NULL;
	}
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
	/*
	 * A handle kept for the next transfer saves curl setting one up.
	 * fetch_start sets every option again, so no curl_easy_reset (it
	 * cost 2% of a pass of 304s); only what points into j goes now.
	 */
	if (f->nidle < sizeof(f->idle) / sizeof(f->idle[0])) {
		curl_easy_setopt(j->easy, CURLOPT_HTTPHEADER, NULL);
		curl_easy_setopt(j->easy, CURLOPT_ERRORBUFFER, NULL);
		curl_easy_setopt(j->easy, CURLOPT_PRIVATE, NULL);
		curl_easy_setopt(j->easy, CURLOPT_WRITEDATA, NULL);
		curl_easy_setopt(j->easy, CURLOPT_OPENSOCKETDATA, NULL);
		f->idle[f->nidle++] = j->easy;
	} else
		curl_easy_cleanup(j->easy);
	curl_slist_free_all(j->headers);
	buf_free(&j->body);
	free(j->url);
	free(j->moved_to);
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
	while (f->nidle > 0)
		curl_easy_cleanup(f->idle[--f->nidle]);
	curl_multi_cleanup(f->multi);
	event_free(f->timer);
	free(f->allow);
	free(f);
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

/* Retry-After: seconds or an HTTP date; -1 for anything else. */
static int64_t
fetch_retry_after(const char *v, int64_t now)
{
	char *end;
	long long secs;
	time_t t;

	if (v == NULL)
		return -1;
	while (isspace((unsigned char)*v))
		v++;
	if (isdigit((unsigned char)*v)) {
		errno = 0;
		secs = strtoll(v, &end, 10);
		while (isspace((unsigned char)*end))
			end++;
		return errno == 0 && *end == '\0' ? secs : -1;
	}
	if ((t = curl_getdate(v, NULL)) == -1)
		return -1;
	return t > now ? (int64_t)t - now : 0;
}

/* Cache-Control's max-age, or -1. */
static int64_t
max_age(const char *cc)
{
	const char *p;

	for (p = cc; p != NULL && (p = strcasestr(p, "max-age")) != NULL;
	    p += 7) {
		const char *q = p + 7;

		if (p != cc && (isalnum((unsigned char)p[-1]) || p[-1] == '-'))
			continue;	/* s-maxage and the like */
		while (*q == ' ')
			q++;
		if (*q++ != '=')
			continue;
		while (*q == ' ' || *q == '"')
			q++;
		if (isdigit((unsigned char)*q))
			return strtoll(q, NULL, 10);
	}
	return -1;
}

/* What the final response says about when to come back. */
static void
read_timing(CURL *easy, struct fetch_result *r)
{
	const char *v;
	time_t now = time(NULL), date = -1, exp;

	r->retry_after = fetch_retry_after(header(easy, "Retry-After"), now);
	r->max_age = max_age(header(easy, "Cache-Control"));
	r->expires_in = -1;
	if ((v = header(easy, "Expires")) == NULL ||
	    (exp = curl_getdate(v, NULL)) == -1)
		return;
	/* Against the origin's clock when it gives one. */
	if ((v = header(easy, "Date")) != NULL)
		date = curl_getdate(v, NULL);
	if (date == -1)
		date = now;
	r->expires_in = exp > date ? exp - date : 0;
}

static const char *
error_class(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return "dns";
	case CURLE_COULDNT_CONNECT:
		return "connect";
	case CURLE_OPERATION_TIMEDOUT:
		return "timeout";
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
		return "tls";
	case CURLE_FILESIZE_EXCEEDED:
		return "too_large";
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_TOO_MANY_REDIRECTS:
		return "redirect";
	case CURLE_FILE_COULDNT_READ_FILE:
		return "file";
	default:
		return "network";
	}
}

static void
finish(struct job *j, CURLcode rc)
{
	struct fetch_result r;
	char *ct = NULL;

	memset(&r, 0, sizeof(r));
	r.retry_after = r.max_age = r.expires_in = -1;
	curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &r.status);
	curl_easy_getinfo(j->easy, CURLINFO_CONTENT_TYPE, &ct);
	{
		curl_off_t us = 0;

		curl_easy_getinfo(j->easy, CURLINFO_TOTAL_TIME_T, &us);
		r.seconds = (double)us / 1e6;
	}
	r.content_type = ct;
	r.url = j->url;
	r.moved_to = j->moved_to;
	r.redirects = j->hops;
	if (rc == CURLE_OK)
		read_timing(j->easy, &r);
	if (rc == CURLE_OK && (r.status == 0 || r.status == 200 ||
	    r.status == 304)) {
		r.ok = 1;
		r.etag = header(j->easy, "ETag");
		r.last_modified = header(j->easy, "Last-Modified");
	} else if (rc == CURLE_OK) {
		snprintf(r.error, sizeof(r.error), "HTTP %ld", r.status);
		r.error_class = "http";
	} else if (j->too_big) {
		snprintf(r.error, sizeof(r.error), "larger than max_size (%lld "
		    "bytes)", (long long)j->f->opts.max_size);
		r.error_class = "too_large";
	} else if (j->blocked) {
		snprintf(r.error, sizeof(r.error), "blocked address: %s",
		    j->why);
		r.error_class = "blocked";
	} else {
		snprintf(r.error, sizeof(r.error), "%s", *j->error ? j->error :
		    curl_easy_strerror(rc));
		r.error_class = error_class(rc);
	}
	r.body = j->body;
	j->cb(&r, j->arg);
}

/* Fails the job with a redirect error of our own. */
static void
refuse(struct job *j, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
refuse(struct job *j, const char *fmt, ...)
{
	struct fetch_result r;
	va_list ap;

	memset(&r, 0, sizeof(r));
	r.retry_after = r.max_age = r.expires_in = -1;
	curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &r.status);
	va_start(ap, fmt);
	vsnprintf(r.error, sizeof(r.error), fmt, ap);
	va_end(ap);
	r.error_class = "redirect";
	r.url = j->url;
	r.redirects = j->hops;
	j->cb(&r, j->arg);
}

/*
 * A 3xx with a Location: the next hop on the same handle, or a refusal.
 * Returns 1 when the transfer goes on.
 */
static int
redirect(struct job *j, long status)
{
	char *target = NULL;
	struct fetcher *f = j->f;

	curl_easy_getinfo(j->easy, CURLINFO_REDIRECT_URL, &target);
	if (target == NULL)
		return 0;	/* no Location: an HTTP error */
	if (j->hops == MAX_REDIRECTS) {
		refuse(j, "more than %d redirects", MAX_REDIRECTS);
		return -1;
	}
	if (!url_is_http(target)) {
		refuse(j, "redirect to a URL that is not http(s): %.100s",
		    target);
		return -1;
	}
	if (strncasecmp(j->url, "https:", 6) == 0 &&
	    strncasecmp(target, "http:", 5) == 0) {
		refuse(j, "redirect from https to http refused: %.100s",
		    target);
		return -1;
	}
	j->permanent = j->permanent && (status == 301 || status == 308);
	if (j->permanent) {
		free(j->moved_to);
		j->moved_to = xstrdup(target);
	}
	free(j->url);
	j->url = xstrdup(target);	/* before the handle forgets it */
	j->hops++;
	buf_reset(&j->body);
	curl_multi_remove_handle(f->multi, j->easy);
	curl_easy_setopt(j->easy, CURLOPT_URL, j->url);
	if (curl_multi_add_handle(f->multi, j->easy) != CURLM_OK) {
		refuse(j, "%s", "cannot follow the redirect");
		return -1;
	}
	return 1;
}

/* Hands every finished transfer to its callback. */
static void
drain(struct fetcher *f)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(f->multi, &left)) != NULL) {
		struct job *j;
		CURLcode rc;
		long status = 0;

		if (m->msg != CURLMSG_DONE)
			continue;
		rc = m->data.result;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&j);
		curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &status);
		if (rc == CURLE_OK && (status == 301 || status == 302 ||
		    status == 303 || status == 307 || status == 308)) {
			int go = redirect(j, status);

			if (go == 1)
				continue;
			if (go == -1) {
				job_free(j);
				continue;
			}
		}
		finish(j, rc);
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

	if (f->nidle > 0)
		e = j->easy = f->idle[--f->nidle];
	else if ((e = j->easy = curl_easy_init()) == NULL) {
		free(j);
		return -1;
	}
	j->f = f;
	j->cb = cb;
	j->arg = arg;
	j->url = xstrdup(url);
	j->permanent = 1;
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
	curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_socket);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, j);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, j->headers);
	curl_easy_setopt(e, CURLOPT_USERAGENT, f->opts.user_agent);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, protos);
	/* No proxy, not even http_proxy's: the guard sees the real peer. */
	curl_easy_setopt(e, CURLOPT_PROXY, "");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
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
