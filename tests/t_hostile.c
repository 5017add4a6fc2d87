/*
 * t_hostile.c - hostile clients against the real server (rows 19-27 and
 * 47-56 of ../shared/HOSTILE.md): a slowloris of 1,000 connections that
 * never finish their headers, a 1 MB request line, 64 KB of headers, a
 * body on a GET and a 1 GB one announced, malformed requests, abusive
 * query strings, clients that never read, and a flood of expensive
 * searches.  Each is sent over a raw socket to `sluice serve` on
 * 127.0.0.1; each must get its 4xx (or a closed connection), never a 5xx
 * but a search's 503, and a normal request on another connection must
 * still be answered at once.
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <sqlite3.h>

#include "buf.h"
#include "tap.h"
#include "util.h"

static char tmpdir[] = "/tmp/sluice-hostile-XXXXXX";
static int port;

static int
connect_to(void)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd == -1 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ==
	    -1) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

/* Writes all of s (a peer that closes early is no error here). */
static void
send_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL);

		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/*
 * Sends a raw request and reads the answer's status for at most ms: the
 * status, 0 when the server closed without answering, -1 on no answer.
 */
static int
raw_status(const char *req, size_t len, int ms)
{
	int fd = connect_to(), status = -1;
	char buf[4096];
	size_t got = 0;
	int64_t end = tu_now_ms() + ms;

	if (fd == -1)
		return -1;
	send_all(fd, req, len);
	while (tu_now_ms() < end && got < sizeof(buf) - 1) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t r;

		if (poll(&p, 1, 50) <= 0)
			continue;
		if ((r = recv(fd, buf + got, sizeof(buf) - 1 - got, 0)) <= 0) {
			if (got == 0)
				status = 0;
			break;
		}
		got += (size_t)r;
		buf[got] = '\0';
		if (strstr(buf, "\r\n") != NULL)
			break;
	}
	buf[got] = '\0';
	if (got > 0 && sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
		status = -1;
	close(fd);
	return status;
}

/* A normal GET: its status and how long it took. */
static int
normal(const char *path, int64_t *ms)
{
	char req[512];
	int64_t t0 = tu_now_ms();
	int st;

	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Connection: close\r\n\r\n", path);
	st = raw_status(req, strlen(req), 5000);
	if (ms != NULL)
		*ms = tu_now_ms() - t0;
	return st;
}

/* The resident set of process pid, in KB (VmRSS); -1 when unknown. */
static long
rss_kb(pid_t pid)
{
	char path[64];
	struct buf b = { 0 };
	const char *at;
	long kb = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (tu_read_file(path, &b) == 0 && b.data != NULL &&
	    (at = strstr(b.data, "VmRSS:")) != NULL)
		kb = atol(at + 6);
	buf_free(&b);
	return kb;
}

static void
slowloris(pid_t pid)
{
	struct rlimit rl;
	long before = rss_kb(pid), during;
	int *fds, n = 0;
	int64_t ms = 0;
	int st;

	/* Room for 1,000 sockets here (the server has its own limit). */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 1200) {
		rl.rlim_cur = rl.rlim_max < 1200 ? rl.rlim_max : 1200;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	fds = calloc(1000, sizeof(int));
	for (int i = 0; i < 1000; i++) {
		if ((fds[n] = connect_to()) == -1)
			break;
		/* Headers begun, never finished. */
		send_all(fds[n], "GET /feed.atom HTTP/1.1\r\nHost: x\r\nX-a: ", 39);
		n++;
	}
	ok(n >= 900, "row 47: %d connections trickling headers", n);
	usleep(300 * 1000);
	during = rss_kb(pid);
	ok(before > 0 && during - before < 10 * n, "  they cost the server "
	    "under 10 KB each: RSS %ld KB before, %ld KB with them", before,
	    during);
	st = normal("/feed.atom", &ms);
	is_int(200, st, "row 47: a normal request meanwhile answers 200");
	ok(ms < 500, "  within 500 ms (%lld ms)", (long long)ms);
	for (int i = 0; i < n; i++)
		send_all(fds[i], "b", 1);	/* one more byte each */
	st = normal("/healthz", &ms);
	ok(st == 200 && ms < 500, "  and again after they trickle on "
	    "(%lld ms)", (long long)ms);
	for (int i = 0; i < n; i++)
		close(fds[i]);
	free(fds);
}

static void
big_requests(void)
{
	struct buf b = { 0 };
	int st;

	buf_puts(&b, "GET /feed.atom?q=");
	for (int i = 0; i < (1 << 20); i += 8)
		buf_puts(&b, "aaaaaaaa");
	buf_puts(&b, " HTTP/1.1\r\nHost: x\r\n\r\n");
	st = raw_status(b.data, b.len, 5000);
	ok(st == 0 || (st >= 400 && st < 500), "row 48: a 1 MB request line: "
	    "refused (%d)", st);
	buf_reset(&b);
	buf_puts(&b, "GET /feed.atom HTTP/1.1\r\nHost: x\r\n");
	for (int i = 0; i < 1024; i++)
		buf_printf(&b, "X-Header-%04d: %052d\r\n", i, i);
	buf_puts(&b, "\r\n");
	st = raw_status(b.data, b.len, 5000);
	ok(st == 0 || (st >= 400 && st < 500), "row 48: 64 KB of headers: "
	    "refused (%d)", st);
	buf_free(&b);
	is_int(200, normal("/healthz", NULL), "  the server answers on");
}

static void
bodies(void)
{
	static const char post[] = "POST /feed.atom HTTP/1.1\r\nHost: x\r\n"
	    "Content-Length: 1073741824\r\n\r\nxxxxxxxx";
	static const char get_body[] = "GET /feed.atom HTTP/1.1\r\nHost: x\r\n"
	    "Content-Length: 5000000\r\n\r\nxxxx";
	static const char put[] = "PUT /feed.atom HTTP/1.1\r\nHost: x\r\n"
	    "Content-Length: 2\r\n\r\nab";
	int st;

	st = raw_status(post, sizeof(post) - 1, 5000);
	ok(st == 0 || st == 405 || st == 413, "row 49: a POST announcing 1 GB: "
	    "405 or 413 (%d)", st);
	st = raw_status(get_body, sizeof(get_body) - 1, 5000);
	ok(st == 0 || st == 413 || st == 400, "row 49: a GET with a 5 MB "
	    "body: refused (%d)", st);
	is_int(405, raw_status(put, sizeof(put) - 1, 5000), "row 49: PUT: "
	    "405");
	is_int(200, normal("/healthz", NULL), "  the server answers on");
}

static void
malformed(void)
{
	static const struct {
		const char *req, *what;
		int want;	/* the status, or 0: any but a 5xx */
	} bad[] = {
		{ "GET /feed.atom HTTP/4294967295.255\r\nHost: x\r\n\r\n",
		    "a version out of range", 400 },
		{ "GET /feed.atom HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
		    "chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n",
		    "Content-Length and Transfer-Encoding", 400 },
		{ "GET /feed.atom HTTP/1.1\r\nHost: x\r\nX-a: b\r\n c\r\n\r\n",
		    "obsolete line folding", 0 },
		{ "GET /feed.atom?q=%zz HTTP/1.1\r\nHost: x\r\n\r\n",
		    "bad percent-encoding", 400 },
		{ "GET /feed.atom?q=ab%2 HTTP/1.1\r\nHost: x\r\n\r\n",
		    "a cut percent-escape", 400 },
		{ "GET /feed.atom?q=a%00b HTTP/1.1\r\nHost: x\r\n\r\n",
		    "a NUL in the query", 400 },
		{ "GET /feed.atom?q=%ff%fe HTTP/1.1\r\nHost: x\r\n\r\n",
		    "invalid UTF-8 in the query", 400 },
		{ "GET\r\n\r\n", "no path, no version", 400 },
		{ "\x01\x02\x03\r\n\r\n", "binary garbage", 400 },
		{ "GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
		    "a path up the tree", 404 },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int st = raw_status(bad[i].req, strlen(bad[i].req), 2000);
		char name[200];

		snprintf(name, sizeof(name), "row 50: %s: %d, no 5xx",
		    bad[i].what, st);
		if (bad[i].want)
			ok(st == bad[i].want, "%s (%d wanted)", name,
			    bad[i].want);
		else
			ok(st == 0 || (st >= 200 && st < 500), "%s", name);
	}
	/*
	 * The request itself sent with a NUL in a header: evhttp reads the
	 * line up to it; either way no 5xx.
	 */
	{
		static const char nul[] = "GET /feed.atom HTTP/1.1\r\nHost: x"
		    "\0y\r\n\r\n";
		int st = raw_status(nul, sizeof(nul) - 1, 5000);

		ok(st == 0 || (st >= 200 && st < 500), "row 50: a NUL in a "
		    "header: %d, no 5xx", st);
	}
	/*
	 * Versions evhttp reads but sluice does not speak: a 400 in 1.1
	 * (before, HTTP/4294967295.255 got "HTTP/-1.-1 200 OK").
	 */
	{
		static const char *const versions[] = { "4294967295.255",
		    "2.0", "1.9", "0.9", "1.-1" };

		for (size_t i = 0; i < 5; i++) {
			char req[128];

			snprintf(req, sizeof(req), "GET /feed.atom HTTP/%s\r\n"
			    "Host: x\r\n\r\n", versions[i]);
			is_int(400, raw_status(req, strlen(req), 5000), "row 50: "
			    "HTTP/%s: a 400 in HTTP/1.x", versions[i]);
		}
	}
	is_int(200, normal("/healthz", NULL), "  the server answers on");
}

static void
queries(void)
{
	struct buf b = { 0 };
	int st;

	st = normal("/feed.atom?q=a&q=b&q=c", NULL);
	is_int(200, st, "row 55: q= repeated: the first one is used, 200");
	buf_puts(&b, "GET /feed.atom?");
	for (int i = 0; i < 10000; i++)
		buf_printf(&b, "%sp%d=1", i ? "&" : "", i);
	buf_puts(&b, " HTTP/1.1\r\nHost: x\r\n\r\n");
	st = raw_status(b.data, b.len, 5000);
	ok(st == 0 || st == 200 || (st >= 400 && st < 500), "row 55: 10,000 "
	    "parameters: %d, no 5xx", st);
	buf_free(&b);
	is_int(400, normal("/feed.atom?q=%22unbalanced", NULL), "row 54: an "
	    "unbalanced quote: 400");
	is_int(400, normal("/feed.atom?limit=100000", NULL), "row 55: a "
	    "limit past the cap: 400");
	{
		struct buf q = { 0 };

		buf_puts(&q, "/feed.atom?q=");
		for (int i = 0; i < 40; i++)
			buf_printf(&q, "w%d+", i);
		is_int(400, normal(q.data, NULL), "row 54: 40 terms: 400 (the "
		    "cap is 32)");
		buf_free(&q);
	}
	is_int(200, normal("/feed.atom?q=%27+OR+1%3D1+--", NULL), "row 53: "
	    "' OR 1=1 -- is text: 200");
	is_int(200, normal("/feed.atom?q=%22%3B+DROP+TABLE+entries%3B+--%22",
	    NULL), "row 53: \"; DROP TABLE entries; --\" is text: 200");
	is_int(200, normal("/healthz", NULL), "  the store is there after");
}

/*
 * GET path with Connection: close: the status, the body in *body (reset
 * first); -1 when no answer came in 5 s.
 */
static int
get_body(const char *path, struct buf *body)
{
	char req[512], chunk[65536];
	struct buf all = { 0 };
	int fd = connect_to(), status = -1;
	int64_t end = tu_now_ms() + 5000;
	const char *sep;

	buf_reset(body);
	if (fd == -1)
		return -1;
	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Connection: close\r\n\r\n", path);
	send_all(fd, req, strlen(req));
	while (tu_now_ms() < end) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t r;

		if (poll(&p, 1, 100) <= 0)
			continue;
		if ((r = recv(fd, chunk, sizeof(chunk), 0)) <= 0)
			break;
		buf_append(&all, chunk, (size_t)r);
	}
	close(fd);
	buf_append(&all, "", 0);
	if (all.len > 0 && sscanf(all.data, "HTTP/1.%*d %d", &status) == 1 &&
	    (sep = strstr(all.data, "\r\n\r\n")) != NULL)
		buf_append(body, sep + 4, all.len - (size_t)(sep + 4 - all.data));
	buf_append(body, "", 0);
	buf_free(&all);
	return status;
}

/* 1 when url may be in an output: http(s), or none. */
static int
safe_link(const char *url)
{
	return url == NULL || strncasecmp(url, "http://", 7) == 0 ||
	    strncasecmp(url, "https://", 8) == 0;
}

/*
 * Counts what breaks rows 19-27 in the nodes expr finds in doc:
 * with kind 't', an element child (markup where text belongs); 'u', a
 * value that is not an http(s) URL; 'h', HTML that fails the P3 oracle.
 */
static int
bad_nodes(xmlDocPtr doc, const char *expr, int kind, int *seen)
{
	xmlXPathContextPtr x = xmlXPathNewContext(doc);
	xmlXPathObjectPtr o;
	int bad = 0;

	xmlXPathRegisterNs(x, BAD_CAST "a", BAD_CAST "http://www.w3.org/2005/"
	    "Atom");
	o = xmlXPathEvalExpression(BAD_CAST expr, x);
	for (int i = 0; o != NULL && o->nodesetval != NULL &&
	    i < o->nodesetval->nodeNr; i++) {
		xmlNodePtr n = o->nodesetval->nodeTab[i];
		xmlChar *v = xmlNodeGetContent(n);
		const char *why = NULL;

		(*seen)++;
		if (kind == 't') {
			for (xmlNodePtr c = n->children; c != NULL; c = c->next)
				if (c->type == XML_ELEMENT_NODE)
					why = "markup in a text field";
		} else if (kind == 'u' && !safe_link((const char *)v))
			why = "a link that is not http(s)";
		else if (kind == 'h')
			why = tu_html_unsafe((const char *)v);
		if (why != NULL) {
			diag("%s: %s: %.120s", expr, why, v);
			bad++;
		}
		xmlFree(v);
	}
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(x);
	return bad;
}

/*
 * Rows 19-27 end to end: the feed of tests/data/hostile.atom (script and
 * handlers in its HTML, markup in its titles, author and category,
 * javascript: links and an xml:base of javascript:) as the server
 * answers it in Atom, RSS, JSON Feed and HTML.  Each document is read by
 * a strict parser (P11), and each piece of it checked.
 */
static void
outputs_safe(void)
{
	struct buf b = { 0 };
	xmlDocPtr doc;
	int seen = 0, bad = 0, n;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;

	is_int(200, get_body("/feed.atom?feed=hostile", &b), "rows 19-27: "
	    "/feed.atom?feed=hostile answers 200");
	doc = xmlReadMemory(b.data, (int)b.len - 1, NULL, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (ok(doc != NULL, "  well-formed XML")) {
		bad += bad_nodes(doc, "//a:entry/a:title | //a:author/a:name | "
		    "//a:source/a:title", 't', &seen);
		/* (The source's self link is the configured URL.) */
		bad += bad_nodes(doc, "//a:entry/a:link/@href | "
		    "//a:source/a:link[@rel = 'alternate']/@href", 'u', &seen);
		bad += bad_nodes(doc, "//a:entry/a:content | //a:entry/a:summary",
		    'h', &seen);
		n = seen;
		bad_nodes(doc, "//a:entry", 0, &seen);
		is_int(2, seen - n, "  both entries are there");
		ok(bad == 0 && seen > 2, "  Atom: titles, names and categories "
		    "are text, links http(s), HTML sanitized (%d checked)",
		    seen);
	}
	xmlFreeDoc(doc);

	seen = bad = 0;
	is_int(200, get_body("/feed.rss?feed=hostile", &b), "  "
	    "/feed.rss?feed=hostile answers 200");
	doc = xmlReadMemory(b.data, (int)b.len - 1, NULL, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (ok(doc != NULL, "  well-formed XML")) {
		bad += bad_nodes(doc, "//item/title | //item/category | "
		    "//item/source", 't', &seen);
		bad += bad_nodes(doc, "//item/link", 'u', &seen);
		bad += bad_nodes(doc, "//item/description", 'h', &seen);
		ok(bad == 0 && seen > 2, "  RSS: the same (%d checked)", seen);
	}
	xmlFreeDoc(doc);

	bad = 0;
	is_int(200, get_body("/feed.json?feed=hostile", &b), "  "
	    "/feed.json?feed=hostile answers 200");
	if (sqlite3_open(":memory:", &db) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT value ->> 'content_html', "
	    "value ->> 'url' FROM json_each(?1, '$.items')", -1, &st, NULL) ==
	    SQLITE_OK) {
		n = 0;
		sqlite3_bind_text(st, 1, b.data, -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *h = (const char *)sqlite3_column_text(st, 0);
			const char *u = (const char *)sqlite3_column_text(st, 1);

			n++;
			if (tu_html_unsafe(h) != NULL || !safe_link(u)) {
				diag("JSON: %.120s | %s", h, u ? u : "");
				bad++;
			}
		}
		ok(n == 2 && bad == 0, "  JSON Feed: 2 items, content_html "
		    "sanitized, urls http(s)");
	} else
		ok(0, "  JSON Feed: read by SQLite's JSON functions");
	sqlite3_finalize(st);
	sqlite3_close(db);

	is_int(200, get_body("/?feed=hostile", &b), "  /?feed=hostile answers "
	    "200");
	doc = htmlReadMemory(b.data, (int)b.len - 1, NULL, "UTF-8",
	    HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
	    HTML_PARSE_NOWARNING);
	bad = seen = 0;
	if (ok(doc != NULL, "  the HTML page parses")) {
		xmlXPathContextPtr x = xmlXPathNewContext(doc);
		xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST
		    "//script | //iframe | //object | //embed | //svg | //math | "
		    "//@*[starts-with(translate(name(), 'ON', 'on'), 'on')]", x);

		bad = o && o->nodesetval ? o->nodesetval->nodeNr : 0;
		xmlXPathFreeObject(o);
		xmlXPathFreeContext(x);
		bad += bad_nodes(doc, "//a[starts-with(@href, 'http') or "
		    "contains(@href, ':')]/@href", 'u', &seen);
		ok(bad == 0, "  HTML page: no script, frame, object, svg or "
		    "handler, no link but http(s) and its own (%d links)", seen);
	}
	xmlFreeDoc(doc);
	buf_free(&b);
}

/* Descriptors open in process pid. */
static int
count_fds(pid_t pid)
{
	char path[64];
	DIR *d;
	struct dirent *de;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* CPU time process pid has used, in clock ticks (utime + stime). */
static long long
cpu_ticks(pid_t pid)
{
	char path[64];
	struct buf b = { 0 };
	const char *p;
	long long ut = -1, st = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (tu_read_file(path, &b) == 0 && b.data != NULL &&
	    (p = strrchr(b.data, ')')) != NULL)
		sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
		    "%lld %lld", &ut, &st);
	buf_free(&b);
	return ut < 0 ? -1 : ut + st;
}

/*
 * Row 47: a request head trickled a byte at a time.  evhttp's own timeout
 * starts again with every byte read, so without a deadline of its own the
 * server would hold this connection for as long as the bytes come.
 */
static void
head_deadline(void)
{
	int fd = connect_to();
	int64_t t0 = tu_now_ms(), closed = -1;

	send_all(fd, "GET /feed.atom HTTP/1.1\r\n", 25);
	while (fd != -1 && tu_now_ms() - t0 < 8000) {
		struct pollfd p = { fd, POLLIN, 0 };
		char c[256];

		if (poll(&p, 1, 250) > 0 && recv(fd, c, sizeof(c), 0) <= 0) {
			closed = tu_now_ms() - t0;
			break;
		}
		send_all(fd, "X", 1);
	}
	if (fd != -1)
		close(fd);
	ok(closed >= 1500 && closed <= 4000, "row 47: a head trickled a byte "
	    "every 250 ms is cut at request_timeout = 2s (after %lld ms)",
	    (long long)closed);
}

/*
 * tmpdir/big.xml: 500 entries of 8 KB, an answer of about 8 MB, more than
 * the socket buffers on both ends hold (Linux grows a sender's to 4 MB).
 */
static void
write_big_feed(void)
{
	char path[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/big.xml", tmpdir);
	if ((f = fopen(path, "w")) == NULL)
		return;
	fputs("<rss version='2.0'><channel><title>big</title>\n", f);
	for (int i = 0; i < 500; i++) {
		fprintf(f, "<item><guid>big-%d</guid><title>Big %d</title>"
		    "<pubDate>Mon, 02 Nov 2026 10:%02d:%02d GMT</pubDate>"
		    "<description>", i, i, i / 60, i % 60);
		for (int j = 0; j < 160; j++)
			fputs("Fifty bytes of words, again and again, to fill. ",
			    f);
		fputs("</description></item>\n", f);
	}
	fputs("</channel></rss>\n", f);
	fclose(f);
}

/* A connection whose receive buffer is 4 KB; -1 when it fails. */
static int
connect_small(void)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0), small = 4096;

	if (fd == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Row 52: a client asks for a large answer and never reads it.  The
 * server's writes stall once the socket buffers are full; idle_timeout
 * (2 s here) closes the connection rather than hold the answer for ever.
 * Read 4 s after the answer began, the connection gives part of the
 * answer, then its end.
 */
static void
never_reads(void)
{
	static const char req[] = "GET /feed.atom?limit=500 HTTP/1.1\r\n"
	    "Host: x\r\n\r\n";
	int fd = connect_small(), closed = 0;
	long long got = 0, length = -1;
	char buf[65536];
	int64_t ms = 0;

	if (!ok(fd != -1, "row 52: a client with a 4 KB receive buffer "
	    "connects"))
		return;
	send_all(fd, req, sizeof(req) - 1);
	{
		/* The answer begins (the sanitizer build renders slowly). */
		struct pollfd p = { fd, POLLIN, 0 };

		poll(&p, 1, 30000);
	}
	usleep(4000 * 1000);
	is_int(200, normal("/healthz", &ms), "  meanwhile others are answered");
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t r;

		if (poll(&p, 1, 2000) <= 0)
			break;		/* open, and nothing more: not closed */
		if ((r = recv(fd, buf, sizeof(buf) - 1, 0)) <= 0) {
			closed = 1;
			break;
		}
		if (length == -1) {
			const char *cl;

			buf[r] = '\0';
			if ((cl = strstr(buf, "Content-Length: ")) != NULL)
				length = atoll(cl + 16);
		}
		got += r;
	}
	close(fd);
	ok(closed && length > 6000000 && got < length, "  after 4 s unread, "
	    "the connection is closed: %lld bytes of a %lld-byte answer came",
	    got, length);
}

/*
 * The other side of row 52: a client that reads the same 8 MB answer
 * slowly but steadily (about 1.5 MB/s, longer than idle_timeout = 2s in
 * all) gets all of it.  Only a write that makes no progress ends it.
 */
static void
slow_reader(void)
{
	static const char req[] = "GET /feed.atom?limit=500 HTTP/1.1\r\n"
	    "Host: x\r\nConnection: close\r\n\r\n";
	int fd = connect_to();
	long long got = 0, length = -1, head = -1;
	int64_t t0 = tu_now_ms();
	struct buf first = { 0 };
	char buf[65536];

	if (!ok(fd != -1, "row 52: a slow reader connects"))
		return;
	send_all(fd, req, sizeof(req) - 1);
	while (tu_now_ms() - t0 < 60000) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t r;

		if (poll(&p, 1, 10000) <= 0)
			break;
		if ((r = recv(fd, buf, sizeof(buf), 0)) <= 0)
			break;
		got += r;
		if (head == -1) {
			const char *cl, *end;

			buf_append(&first, buf, (size_t)r);
			buf_append(&first, "", 0);
			first.len--;
			if ((end = strstr(first.data, "\r\n\r\n")) != NULL) {
				head = end + 4 - first.data;
				if ((cl = strstr(first.data, "Content-Length: ")) !=
				    NULL)
					length = atoll(cl + 16);
			}
		}
		usleep(40 * 1000);
	}
	close(fd);
	buf_free(&first);
	ok(length > 6000000 && got - head == length, "  reading it slowly "
	    "over %lld ms, it gets the whole answer (%lld of %lld bytes)",
	    (long long)(tu_now_ms() - t0), got - head, length);
}

/*
 * Row 47's connection cap: 30 idle connections to a server that takes 20
 * at once.  The others wait in the kernel's backlog, holding none of its
 * descriptors, and a normal request is answered once request_timeout has
 * closed the idle ones.
 */
/*
 * A cached answer evicted while it is still being sent: a client with a
 * 4 KB receive buffer asks for a large page, and before it reads on, 70
 * other pages push it out of the cache (64 answers are kept).  The
 * answer's memory belongs to libevent until it is written, so the client
 * still gets it whole, the same bytes as the page asked again.
 */
static void
evicted_in_flight(void)
{
	static const char req[] = "GET /feed.atom?limit=200 HTTP/1.1\r\n"
	    "Host: x\r\nConnection: close\r\n\r\n";
	int fd = connect_small();
	struct buf all = { 0 }, again = { 0 };
	char chunk[65536], path[64];
	const char *sep = NULL;

	if (!ok(fd != -1, "a cached answer evicted while sent: the client "
	    "connects"))
		return;
	send_all(fd, req, sizeof(req) - 1);
	{
		struct pollfd p = { fd, POLLIN, 0 };

		poll(&p, 1, 30000);	/* the answer began */
	}
	for (int i = 0; i < 70; i++) {
		snprintf(path, sizeof(path), "/feed.atom?limit=1&evict=%d", i);
		normal(path, NULL);
	}
	for (int64_t end = tu_now_ms() + 30000; tu_now_ms() < end; ) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t r;

		if (poll(&p, 1, 2000) <= 0 || (r = recv(fd, chunk,
		    sizeof(chunk), 0)) <= 0)
			break;
		buf_append(&all, chunk, (size_t)r);
	}
	close(fd);
	buf_append(&all, "", 0);
	if (all.data != NULL)
		sep = strstr(all.data, "\r\n\r\n");
	get_body("/feed.atom?limit=200", &again);
	ok(sep != NULL && again.len > 1000000 && again.len < (4 << 20) &&
	    all.len - (size_t)(sep + 4 - all.data) == again.len &&
	    memcmp(sep + 4, again.data, again.len) == 0, "  it gets the "
	    "whole answer, the same %zu bytes as asked again (a cached size)",
	    again.len);
	buf_free(&all);
	buf_free(&again);
}

static void
connection_cap(pid_t pid)
{
	int fds[30], base = count_fds(pid), during, st;
	int64_t ms = 0;

	for (int i = 0; i < 30; i++)
		fds[i] = connect_to();
	usleep(500 * 1000);
	during = count_fds(pid);
	ok(base > 0 && during - base >= 15 && during - base <= 20, "row 47: "
	    "30 idle connections take %d descriptors of the server "
	    "(max_connections = 20)", during - base);
	st = normal("/healthz", &ms);
	ok(st == 200, "  a normal request waits its turn, and is answered "
	    "(%d after %lld ms)", st, (long long)ms);
	for (int i = 0; i < 30; i++)
		if (fds[i] != -1)
			close(fds[i]);
}

/*
 * Row 51: out of descriptors.  The running server's soft RLIMIT_NOFILE is
 * lowered to what it has open plus 4, and 40 connections arrive: accept()
 * fails.  The listener stays readable, so a server that only logged the
 * error would spin on it; sluice pauses accepting for 100 ms at a time.
 * Then the limit is put back, the connections closed, and a normal request
 * is answered.
 */
static void
descriptors_out(pid_t pid)
{
	struct rlimit old, low;
	int fds[40], st;
	long long t0, t1;
	char path[600];
	struct buf log = { 0 };
	int lines = 0;

	usleep(2500 * 1000);	/* the cap test's connections are gone */
	if (!ok(prlimit(pid, RLIMIT_NOFILE, NULL, &old) == 0, "row 51: "
	    "prlimit reads the server's RLIMIT_NOFILE"))
		return;
	low = old;
	low.rlim_cur = (rlim_t)count_fds(pid) + 4;
	prlimit(pid, RLIMIT_NOFILE, &low, NULL);
	for (int i = 0; i < 40; i++)
		fds[i] = connect_to();
	usleep(200 * 1000);
	t0 = cpu_ticks(pid);
	usleep(1000 * 1000);
	t1 = cpu_ticks(pid);
	ok(t0 >= 0 && t1 - t0 <= 20, "row 51: out of descriptors, the server "
	    "does not spin: %lld ticks of CPU in 1 s", t1 - t0);
	prlimit(pid, RLIMIT_NOFILE, &old, NULL);
	for (int i = 0; i < 40; i++)
		if (fds[i] != -1)
			close(fds[i]);
	st = normal("/healthz", NULL);
	is_int(200, st, "  with descriptors back, it answers");
	snprintf(path, sizeof(path), "%s/capped.log", tmpdir);
	if (tu_read_file(path, &log) == 0 && log.data != NULL)
		for (const char *p = log.data; (p = strstr(p, "accept")) != NULL;
		    p++)
			lines++;
	ok(lines >= 1 && lines <= 2, "  it said so, once (%d lines)", lines);
	buf_free(&log);
}


/*
 * tmpdir/words-N.xml: 10,000 items of 40 made-up words each, drawn from
 * about 8,000 (two or three of 24 syllables), so that a prefix such as
 * "ka*" stands for hundreds of terms: searches with several of them are
 * expensive at any size.
 */
static void
write_word_feed(int n)
{
	static const char *const syl[] = { "ka", "lo", "mi", "nu", "pe", "ra",
	    "si", "to", "ve", "za", "bo", "de", "fu", "gi", "ha", "ji", "ke",
	    "li", "mo", "ne", "pa", "ru", "so", "ti" };
	unsigned int seed = (unsigned int)n * 2654435761u;
	char path[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/words-%d.xml", tmpdir, n);
	if ((f = fopen(path, "w")) == NULL)
		return;
	fputs("<rss version='2.0'><channel><title>words</title>\n", f);
	for (int i = 0; i < 10000; i++) {
		fprintf(f, "<item><guid>w%d-%d</guid><title>Item %d</title>"
		    "<pubDate>Mon, 02 Nov 2026 %02d:%02d:%02d GMT</pubDate>"
		    "<description>", n, i, i, i / 3600 % 24, i / 60 % 60,
		    i % 60);
		for (int w = 0; w < 40; w++) {
			int len = 2 + (int)((seed >> 7) % 2);

			for (int k = 0; k < len; k++) {
				seed = seed * 1103515245u + 12345u;
				fputs(syl[(seed >> 16) % 24], f);
			}
			fputc(' ', f);
		}
		fputs("</description></item>\n", f);
	}
	fputs("</channel></rss>\n", f);
	fclose(f);
}

/*
 * Row 56: CONNS clients each ask for a search never asked before (its
 * cache key differs), read the answer and ask again, for ms; the
 * statuses are counted into counts[0] (200), counts[1] (503), counts[2]
 * (anything else, or no answer); counts[3] has the 503s that refuse a
 * search because the queue is behind, with Retry-After.  Run in a child
 * process, so that the parent's probes do not hold the flood up.
 */
#define FLOOD_CONNS	32

static void
search_flood(int ms, int conns, const char *query, long counts[4])
{
	struct pollfd p[FLOOD_CONNS];
	char got[FLOOD_CONNS][512];
	size_t len[FLOOD_CONNS];
	int64_t end = tu_now_ms() + ms;
	int seq = 0, open_ = 0;

	for (int i = 0; i < FLOOD_CONNS; i++)
		p[i].fd = -1;
	for (;;) {
		int64_t now = tu_now_ms();

		for (int i = 0; i < conns && now < end && seq < 200000; i++) {
			char req[256];

			if (p[i].fd != -1 || (p[i].fd = connect_to()) == -1)
				continue;
			snprintf(req, sizeof(req), "GET /feed.atom?q=%s&n=%d "
			    "HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
			    "\r\n", query, seq++);
			send_all(p[i].fd, req, strlen(req));
			p[i].events = POLLIN;
			len[i] = 0;
			open_++;
		}
		if (open_ == 0)
			break;
		if (poll(p, FLOOD_CONNS, 100) < 0)
			break;
		for (int i = 0; i < FLOOD_CONNS; i++) {
			ssize_t r;
			int st;

			if (p[i].fd == -1 || !(p[i].revents & (POLLIN |
			    POLLHUP | POLLERR)))
				continue;
			if (len[i] < sizeof(got[i]) - 1 && (r = recv(p[i].fd,
			    got[i] + len[i], sizeof(got[i]) - 1 - len[i],
			    0)) > 0) {
				len[i] += (size_t)r;
				continue;	/* the rest: until it closes */
			}
			got[i][len[i]] = '\0';
			if (sscanf(got[i], "HTTP/1.1 %d", &st) != 1)
				st = -1;
			counts[st == 200 ? 0 : st == 503 ? 1 : 2]++;
			if (st == 503 && strstr(got[i], "too many searches") !=
			    NULL && strstr(got[i], "\r\nRetry-After: 1\r\n") !=
			    NULL)
				counts[3]++;
			close(p[i].fd);
			p[i].fd = -1;
			open_--;
		}
		if (tu_now_ms() > end + 10000)
			break;	/* answers overdue: counted as missing */
	}
	for (int i = 0; i < FLOOD_CONNS; i++)
		if (p[i].fd != -1) {
			counts[2]++;
			close(p[i].fd);
		}
}

/*
 * Row 56: while FLOOD_CONNS clients keep expensive searches coming (each
 * stopped at query_timeout = 50ms, the 32 of them could hold the loop for
 * 1.6 s), /healthz and a cached /feed.atom keep answering within 500 ms:
 * searches are queued and run one at a time after everything else, and
 * once the queue is a second behind they are refused at once with a 503
 * and Retry-After.
 */
static void
search_flood_latency(void)
{
	long counts[4] = { 0, 0, 0, 0 };
	int64_t worst = 0, ms = 0;
	int fd[2], bad = 0, probes = 0;
	char query[200] = "";
	pid_t kid;

	/* 31 prefixes that each stand for thousands of postings, and a NOT. */
	for (int i = 0; i < 31; i++)
		strcat(query, "k*+");
	strcat(query, "-k*");

	if (!ok(normal("/feed.atom", NULL) == 200 && pipe(fd) == 0, "row 56: "
	    "the server answers before the flood"))
		return;
	/* Searches whose clients leave before their answer. */
	for (int i = 0; i < 8; i++) {
		int c = connect_to();
		char req[128];

		snprintf(req, sizeof(req), "GET /feed.atom?q=lo*+-lo*&gone=%d "
		    "HTTP/1.1\r\nHost: x\r\n\r\n", i);
		if (c != -1) {
			send_all(c, req, strlen(req));
			close(c);
		}
	}
	fflush(NULL);
	if ((kid = fork()) == 0) {
		close(fd[0]);
		search_flood(4000, FLOOD_CONNS, query, counts);
		if (write(fd[1], counts, sizeof(counts)) != sizeof(counts))
			_exit(1);
		_exit(0);
	}
	close(fd[1]);
	usleep(500 * 1000);
	for (int i = 0; i < 25; i++, probes++) {
		const char *path = i % 2 ? "/healthz" : "/feed.atom";

		if (normal(path, &ms) != 200)
			bad++;
		if (ms > worst)
			worst = ms;
		usleep(100 * 1000);
	}
	if (kid > 0 && read(fd[0], counts, sizeof(counts)) != sizeof(counts))
		counts[2] = -1;
	close(fd[0]);
	if (kid > 0)
		waitpid(kid, NULL, 0);
	ok(counts[0] + counts[1] > FLOOD_CONNS && counts[2] == 0, "row 56: "
	    "%d clients of expensive searches for 4 s: %ld answered, %ld "
	    "refused with a 503, %ld other", FLOOD_CONNS, counts[0],
	    counts[1], counts[2]);
	ok(counts[0] + counts[1] - counts[3] > 0, "  searches still run: %ld "
	    "answered or stopped at query_timeout", counts[0] + counts[1] -
	    counts[3]);
	ok(counts[3] > 0, "  refused ones say Retry-After: 1 (%ld)",
	    counts[3]);
	is_int(0, bad, "row 56: meanwhile %d requests for /healthz and the "
	    "cached /feed.atom: all 200", probes);
	ok(worst < 500, "  each within 500 ms (the slowest: %lld ms)",
	    (long long)worst);

	/*
	 * 16 clients of ordinary searches at once, for 2 s: they wait their
	 * turn in the queue, none is refused.
	 */
	memset(counts, 0, sizeof(counts));
	search_flood(2000, 16, "item", counts);
	ok(counts[0] > 16 && counts[1] == 0 && counts[2] == 0, "row 56: 16 "
	    "clients of ordinary searches at once for 2 s: %ld answered, "
	    "%ld refused, %ld other", counts[0], counts[1], counts[2]);
}
/* Whether NAME.log in tmpdir has needle in it within 30 s. */
static int
log_has(const char *name, const char *needle)
{
	char log[600];
	struct buf b = { 0 };
	int found = 0;

	snprintf(log, sizeof(log), "%s/%s.log", tmpdir, name);
	for (int64_t end = tu_now_ms() + 30000; !found && tu_now_ms() < end;
	    usleep(100 * 1000)) {
		buf_reset(&b);
		found = tu_read_file(log, &b) == 0 && b.data != NULL &&
		    strstr(b.data, needle) != NULL;
	}
	if (!found)
		diag("%s.log: no \"%s\" in: %s", name, needle, b.data);
	buf_free(&b);
	return found;
}

/*
 * Starts `sluice serve` on a config of its own, NAME.conf in tmpdir, with
 * server_lines in its [server] section and feed_lines after its one feed;
 * nofile > 0 is its RLIMIT_NOFILE.
 * Sets port; the process, or -1.
 */
static pid_t
start_server(const char *name, const char *server_lines,
    const char *feed_lines, int nofile)
{
	const char *sluice = getenv("SLUICE"), *srcdir = getenv("SRCDIR");
	char conf[600], log[600];
	struct buf out = { 0 };
	pid_t pid;
	FILE *f;

	snprintf(conf, sizeof(conf), "%s/%s.conf", tmpdir, name);
	snprintf(log, sizeof(log), "%s/%s.log", tmpdir, name);
	if ((f = fopen(conf, "w")) == NULL)
		return -1;
	fprintf(f, "[server]\n%s[store]\npath = %s/%s.db\nkeep_days = 100000\n"
	    "[feed arxiv]\nurl = %s/feeds/arxiv-cs.xml\n%s", server_lines,
	    tmpdir, name, srcdir, feed_lines);
	fclose(f);
	/* Its log to a file: nothing it writes can block it. */
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		struct rlimit rl = { (rlim_t)nofile, (rlim_t)nofile };

		if (fd == -1)
			_exit(126);
		dup2(fd, 2);
		if (nofile > 0)
			setrlimit(RLIMIT_NOFILE, &rl);
		execl(sluice, sluice, "serve", "-c", conf, "-l", "127.0.0.1:0",
		    (char *)NULL);
		_exit(127);
	}
	port = 0;
	for (int64_t end = tu_now_ms() + 10000; port == 0 &&
	    tu_now_ms() < end; usleep(50 * 1000)) {
		const char *at;

		buf_reset(&out);
		if (tu_read_file(log, &out) == 0 && out.data != NULL &&
		    (at = strstr(out.data, "listening on 127.0.0.1:")) != NULL)
			port = atoi(at + 23);
	}
	buf_free(&out);
	if (port == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	for (int i = 0; i < 100 && normal("/feed.atom", NULL) != 200; i++)
		usleep(100 * 1000);
	return pid;
}

/* SIGTERM, and whether it exits 0. */
static int
stop_server(pid_t pid)
{
	int status = 0;

	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int
main(void)
{
	char text[256];
	pid_t pid;

	if (getenv("SLUICE") == NULL || getenv("SRCDIR") == NULL) {
		printf("1..0 # SKIP SLUICE and SRCDIR are not set\n");
		return 0;
	}
	signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	snprintf(text, sizeof(text), "[feed hostile]\nurl = %s/tests/data/"
	    "hostile.atom\n", getenv("SRCDIR"));
	pid = start_server("main", "", text, 0);
	if (!ok(pid > 0, "sluice serve starts"))
		return done_testing();
	outputs_safe();
	slowloris(pid);
	big_requests();
	bodies();
	malformed();
	queries();
	ok(stop_server(pid), "SIGTERM: the server exits 0 after all that");

	snprintf(text, sizeof(text), "[feed big]\nurl = %s/big.xml\n", tmpdir);
	write_big_feed();
	pid = start_server("capped", "max_connections = 20\n"
	    "request_timeout = 2s\nidle_timeout = 2s\n", text, 0);
	if (ok(pid > 0, "sluice serve starts with max_connections = 20, "
	    "request_timeout = 2s, idle_timeout = 2s")) {
		head_deadline();
		never_reads();
		slow_reader();
		evicted_in_flight();
		connection_cap(pid);
		descriptors_out(pid);
		ok(stop_server(pid), "SIGTERM: it exits 0");
	}
	write_word_feed(1);
	write_word_feed(2);
	snprintf(text, sizeof(text), "[feed words1]\nurl = %s/words-1.xml\n"
	    "[feed words2]\nurl = %s/words-2.xml\n", tmpdir, tmpdir);
	pid = start_server("searches", "query_timeout = 50ms\n", text, 0);
	if (ok(pid > 0 && log_has("searches", "feed words1: 10000 new") &&
	    log_has("searches", "feed words2: 10000 new"), "sluice serve "
	    "starts with query_timeout = 50ms and 20,000 entries to search")) {
		search_flood_latency();
		ok(stop_server(pid), "SIGTERM: it exits 0");
	}
	snprintf(text, sizeof(text), "rm -rf '%s'", tmpdir);
	if (system(text) != 0)
		diag("could not remove %s", tmpdir);
	return done_testing();
}
