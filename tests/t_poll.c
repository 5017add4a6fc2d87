/*
 * t_poll.c - the poller, end to end: each test writes a config of its own
 * (its own store) into a temporary folder, runs `sluice poll` against the
 * scripted origin on 127.0.0.1 (tests/origin.c), then reads `sluice feeds
 * --json` back with SQLite's JSON1 and checks it, with the origin's
 * request counts, the exit status of `sluice poll` and its summary line.
 * One behaviour per test.  Every poll uses timeout = 3s, so that no test
 * waits more than a few seconds; checks on times leave a few seconds of
 * slack.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <fcntl.h>

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sqlite3.h>

#include "buf.h"
#include "origin.h"
#include "tap.h"
#include "util.h"

#define ALLOW	"allow = 127.0.0.1:{P}, 127.0.0.1:{R}\n"
#define TIMEOUT	3	/* seconds, the polls' timeout */
#define RUN_LIMIT	15	/* seconds a run may last before it is killed */

static const char *sluice_bin;
static char tmpdir[] = "/tmp/sluice-poll-XXXXXX";
static char docroot[600];
static struct origin origin;
static sqlite3 *db;
static int run_limit = RUN_LIMIT;	/* seconds */
static int poll_timeout = TIMEOUT;	/* seconds, env_init's */

/* One run of the binary: status, stdout, stderr, peak RSS, duration. */
struct run {
	int		 rc;
	struct buf	 out, err;
	long		 maxrss_kb;
	int64_t		 ms;
};

static void
run_free(struct run *r)
{
	buf_free(&r->out);
	buf_free(&r->err);
	memset(r, 0, sizeof(*r));
}

/*
 * Runs argv to the end (wait4: the child's own rusage), killing it after
 * run_limit seconds (its status is then -2).
 */
static int
run(const char *const argv[], struct run *r)
{
	char opath[640], epath[640];
	struct rusage ru;
	int64_t start = tu_now_ms();
	pid_t pid;
	int status = 0;

	memset(r, 0, sizeof(*r));
	snprintf(opath, sizeof(opath), "%s/out", tmpdir);
	snprintf(epath, sizeof(epath), "%s/err", tmpdir);
	fflush(stdout);
	if ((pid = fork()) == 0) {
		if (freopen(opath, "w", stdout) == NULL ||
		    freopen(epath, "w", stderr) == NULL)
			_exit(126);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	memset(&ru, 0, sizeof(ru));
	r->rc = -1;
	while (pid > 0) {
		pid_t got = wait4(pid, &status, WNOHANG, &ru);

		if (got == pid) {
			r->rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
			break;
		}
		if (got == -1)
			break;
		if (tu_now_ms() - start > run_limit * 1000) {
			/* Never hang the test: -2 says it was killed. */
			kill(pid, SIGKILL);
			wait4(pid, &status, 0, &ru);
			r->rc = -2;
			break;
		}
		usleep(5 * 1000);
	}
	r->ms = tu_now_ms() - start;
	r->maxrss_kb = ru.ru_maxrss;
	tu_read_file(opath, &r->out);
	tu_read_file(epath, &r->err);
	return r->rc;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0)
		diag("cannot write %s", path);
}

/* An RSS 2.0 feed of n items (a <ttl> when ttl >= 0) in the docroot. */
static void
write_bytes(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(data, 1, len, f) != len)
		diag("cannot write %s", path);
	if (f != NULL)
		fclose(f);
}

static void
write_feed(const char *name, int n, int ttl)
{
	struct buf b = { 0 };
	char path[800];

	buf_printf(&b, "<?xml version=\"1.0\"?>\n<rss version=\"2.0\">"
	    "<channel><title>Feed %s</title><link>http://127.0.0.1/</link>"
	    "<description>for t_poll</description>\n", name);
	if (ttl >= 0)
		buf_printf(&b, "<ttl>%d</ttl>\n", ttl);
	for (int i = 1; i <= n; i++)
		buf_printf(&b, "<item><title>Entry %d of %s</title>"
		    "<guid>%s-%d</guid><link>http://127.0.0.1/%s/%d</link>"
		    "<description>Some words about entry %d, long enough to "
		    "take room.</description></item>\n", i, name, name, i,
		    name, i, i);
	buf_printf(&b, "</channel></rss>\n");
	snprintf(path, sizeof(path), "%s/%s", docroot, name);
	write_file(path, b.data);
	buf_free(&b);
}

/* A test's folder and config. */
struct env {
	char	dir[700];
	char	conf[800];
};

/*
 * Copies text to b, with {P} for the origin's port, {R} for its raw port,
 * {O} for http://127.0.0.1:{P} and {W} for http://127.0.0.1:{R}.
 */
static void
expand(struct buf *b, const char *text)
{
	for (const char *p = text; *p != '\0'; p++) {
		if (p[0] == '{' && p[1] != '\0' && p[2] == '}') {
			switch (p[1]) {
			case 'P':
				buf_printf(b, "%d", origin.port);
				break;
			case 'R':
				buf_printf(b, "%d", origin.raw_port);
				break;
			case 'O':
				buf_printf(b, "http://127.0.0.1:%d",
				    origin.port);
				break;
			case 'W':
				buf_printf(b, "http://127.0.0.1:%d",
				    origin.raw_port);
				break;
			default:
				buf_append(b, p, 3);
			}
			p += 2;
		} else
			buf_append(b, p, 1);
	}
}

/* [store] in the test's folder, [poll] defaults, then poll and feeds. */
static void
env_init(struct env *e, const char *name, const char *poll,
    const char *feeds)
{
	struct buf b = { 0 };

	snprintf(e->dir, sizeof(e->dir), "%s/%s", tmpdir, name);
	snprintf(e->conf, sizeof(e->conf), "%s/sluice.conf", e->dir);
	if (mkdir(e->dir, 0700) == -1)
		diag("cannot create %s", e->dir);
	buf_printf(&b, "[store]\npath = %s/sluice.db\n[poll]\ninterval = 1h\n"
	    "min_interval = 1s\ntimeout = %ds\n", e->dir, poll_timeout);
	expand(&b, poll);
	expand(&b, feeds);
	write_file(e->conf, b.data);
	buf_free(&b);
}

/* `sluice poll -c CONF [NAME]`; its status. */
static int
poll_feeds(const struct env *e, const char *name, struct run *r)
{
	const char *argv[] = { sluice_bin, "poll", "-c", e->conf, name, NULL };

	return run(argv, r);
}

static int
has(const struct buf *b, const char *needle)
{
	return b->data != NULL && strstr(b->data, needle) != NULL;
}

/* Checks the summary line; shows stderr when it is not there. */
static int
summary(const struct run *r, const char *want, const char *what)
{
	if (!ok(has(&r->err, want), "%s: the summary says \"%s\"", what,
	    want)) {
		diag("stderr: %s", r->err.data);
		return 0;
	}
	return 1;
}

/* One object of `sluice feeds --json`. */
struct fst {
	int		found;
	char		url[512], config_url[512], state[16], error[512];
	char		error_class[32], moved_to[512], next_poll_text[64];
	int		error_null, moved_to_null;
	long long	http_status, last_attempt, last_success, next_poll;
	long long	consecutive_errors, interval, bytes, nnew, updated;
	long long	entries;
};

static void
column_str(sqlite3_stmt *st, int i, char *out, size_t len, int *isnull)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	snprintf(out, len, "%s", t != NULL ? (const char *)t : "");
	if (isnull != NULL)
		*isnull = t == NULL;
}

static long long
column_ll(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? -1 :
	    sqlite3_column_int64(st, i);
}

#define J(f)	"json_extract(value, '$." f "')"
#define T(f)	"CAST(strftime('%s', " J(f) ") AS INTEGER)"

/* Runs `sluice feeds --json -c CONF`, fills f for the feed called name. */
static int
feed_status(const struct env *e, const char *name, struct fst *f)
{
	const char *argv[] = { sluice_bin, "feeds", "--json", "-c", e->conf,
	    NULL };
	static const char sql[] = "SELECT " J("url") ", " J("config_url") ", "
	    J("state") ", " J("http_status") ", " T("last_attempt") ", "
	    T("last_success") ", " T("next_poll") ", " J("next_poll") ", "
	    J("consecutive_errors") ", " J("error") ", " J("error_class") ", "
	    J("interval") ", " J("bytes") ", " J("new") ", " J("updated") ", "
	    J("moved_to") ", " J("entries") " FROM json_each(?1) WHERE "
	    J("name") " = ?2";
	struct run r;
	sqlite3_stmt *st = NULL;

	memset(f, 0, sizeof(*f));
	if (run(argv, &r) != 0 || sqlite3_prepare_v2(db, sql, -1, &st,
	    NULL) != SQLITE_OK) {
		diag("sluice feeds --json: status %d: %s%s", r.rc, r.err.data,
		    sqlite3_errmsg(db));
		run_free(&r);
		return -1;
	}
	sqlite3_bind_text(st, 1, r.out.data, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		f->found = 1;
		column_str(st, 0, f->url, sizeof(f->url), NULL);
		column_str(st, 1, f->config_url, sizeof(f->config_url), NULL);
		column_str(st, 2, f->state, sizeof(f->state), NULL);
		f->http_status = column_ll(st, 3);
		f->last_attempt = column_ll(st, 4);
		f->last_success = column_ll(st, 5);
		f->next_poll = column_ll(st, 6);
		column_str(st, 7, f->next_poll_text, sizeof(f->next_poll_text),
		    NULL);
		f->consecutive_errors = column_ll(st, 8);
		column_str(st, 9, f->error, sizeof(f->error), &f->error_null);
		column_str(st, 10, f->error_class, sizeof(f->error_class),
		    NULL);
		f->interval = column_ll(st, 11);
		f->bytes = column_ll(st, 12);
		f->nnew = column_ll(st, 13);
		f->updated = column_ll(st, 14);
		column_str(st, 15, f->moved_to, sizeof(f->moved_to),
		    &f->moved_to_null);
		f->entries = column_ll(st, 16);
	} else
		diag("feed %s is not in: %s", name, r.out.data);
	sqlite3_finalize(st);
	run_free(&r);
	return f->found ? 0 : -1;
}

static void
show(const char *name, const struct fst *f)
{
	diag("%s: state %s http %lld class \"%s\" error \"%s\" errors %lld "
	    "entries %lld next_poll-last_attempt %lld url %s moved_to %s",
	    name, f->state, f->http_status, f->error_class, f->error,
	    f->consecutive_errors, f->entries, f->next_poll - f->last_attempt,
	    f->url, f->moved_to_null ? "null" : f->moved_to);
}

static size_t
collect(char *data, size_t size, size_t n, void *arg)
{
	buf_append(arg, data, size * n);
	return size * n;
}

/* The origin's count of what ("requests", "notmodified") for path. */
static int
origin_count(const char *path, const char *what)
{
	struct buf b = { 0 };
	char url[128];
	size_t len = strlen(path);
	CURL *c = curl_easy_init();
	CURLcode rc;
	int n = 0;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/_stats", origin.port);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	rc = curl_easy_perform(c);
	curl_easy_cleanup(c);
	buf_append(&b, "", 0);
	if (rc != CURLE_OK)
		n = -1;
	for (const char *l = b.data; rc == CURLE_OK && l != NULL && *l;
	    l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *w;

		if (strncmp(l, path, len) != 0 || l[len] != ' ')
			continue;
		if ((w = strstr(l, what)) != NULL)
			n = atoi(w + strlen(what) + 1);
		break;
	}
	buf_free(&b);
	return n;
}

static int
requests(const char *path)
{
	return origin_count(path, "requests");
}

/* next_poll - last_attempt, in seconds; -1000000 when either is null. */
static long long
delay(const struct fst *f)
{
	if (f->next_poll < 0 || f->last_attempt < 0)
		return -1000000;
	return f->next_poll - f->last_attempt;
}

static int
in_range(long long v, long long lo, long long hi, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
in_range(long long v, long long lo, long long hi, const char *fmt, ...)
{
	char name[512];
	va_list ap;
	int pass = v >= lo && v <= hi;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	ok(pass, "%s", name);
	if (!pass)
		diag("  want %lld..%lld, got %lld", lo, hi, v);
	return pass;
}


/* Conditional GET: the second poll sends the validators and gets a 304. */
static void
test_conditional(void)
{
	struct env e;
	struct run r;
	struct fst f, g;

	write_feed("cond.xml", 3, -1);
	env_init(&e, "cond", ALLOW, "[feed cond]\nurl = {O}/feeds/cond.xml\n");
	is_int(0, poll_feeds(&e, NULL, &r), "conditional: the first poll "
	    "exits 0");
	summary(&r, "poll: 1 feeds: 1 ok, 0 not modified, 0 failed",
	    "conditional");
	run_free(&r);
	feed_status(&e, "cond", &f);
	ok(strcmp(f.state, "ok") == 0 && f.http_status == 200 &&
	    f.entries == 3 && f.nnew == 3 && f.error_null,
	    "conditional: the first poll is a 200 with 3 new entries");
	if (!ok(f.next_poll_text[10] == 'T' && f.next_poll_text[19] == 'Z' &&
	    strlen(f.next_poll_text) == 20, "next_poll is RFC 3339 UTC"))
		diag("next_poll: %s", f.next_poll_text);
	is_int(0, poll_feeds(&e, "cond", &r), "conditional: a forced second "
	    "poll exits 0");
	summary(&r, "poll: 1 feeds: 0 ok, 1 not modified, 0 failed",
	    "conditional: the 304");
	run_free(&r);
	is_int(1, origin_count("/feeds/cond.xml", "notmodified"),
	    "conditional: the second request matched the ETag (a 304)");
	is_int(2, requests("/feeds/cond.xml"), "conditional: two requests");
	feed_status(&e, "cond", &g);
	is_str("ok", g.state, "conditional: after the 304 the state is ok");
	is_int(304, g.http_status, "conditional: http_status 304");
	is_int(3, g.entries, "conditional: the entries are unchanged");
	ok(g.nnew == 0 && g.error_null && g.last_success >= f.last_success,
	    "conditional: no new entry, no error, last_success moves");
	if (g.http_status != 304)
		show("cond", &g);

	/* The feed changes (its size, so its ETag): no longer a match. */
	write_feed("cond.xml", 4, -1);
	poll_feeds(&e, "cond", &r);
	run_free(&r);
	feed_status(&e, "cond", &g);
	ok(g.http_status == 200 && g.entries == 4 && g.nnew == 1,
	    "conditional: a changed feed is a 200 with its new entry");
}

/* Conditional GET with a Last-Modified only: If-Modified-Since. */
static void
test_last_modified(void)
{
	struct env e;
	struct run r;
	struct fst f;

	write_feed("lm.xml", 2, -1);
	env_init(&e, "lm", ALLOW, "[feed lm]\nurl = {O}/lm/lm.xml\n");
	poll_feeds(&e, NULL, &r);
	run_free(&r);
	is_int(0, poll_feeds(&e, "lm", &r), "Last-Modified only: a forced "
	    "second poll exits 0");
	summary(&r, "poll: 1 feeds: 0 ok, 1 not modified, 0 failed",
	    "Last-Modified only");
	run_free(&r);
	is_int(1, origin_count("/lm/lm.xml", "notmodified"), "Last-Modified "
	    "only: the second request sent If-Modified-Since and got a 304");
	feed_status(&e, "lm", &f);
	ok(strcmp(f.state, "ok") == 0 && f.http_status == 304 &&
	    f.entries == 2, "Last-Modified only: ok, 304, entries unchanged");
}

/*
 * A feed with its own interval of 30 minutes and perhaps a caching hint:
 * next_poll - last_attempt in [lo, hi].
 */
static void
check_floor(const char *name, const char *path, long long lo, long long hi,
    const char *what)
{
	struct env e;
	struct run r;
	struct fst f;
	char feeds[512];

	snprintf(feeds, sizeof(feeds), "[feed %s]\nurl = {O}%s\n"
	    "interval = 30m\n", name, path);
	env_init(&e, name, ALLOW, feeds);
	is_int(0, poll_feeds(&e, NULL, &r), "%s: the poll exits 0", what);
	run_free(&r);
	feed_status(&e, name, &f);
	is_str("ok", f.state, "%s: ok", what);
	if (!in_range(delay(&f), lo, hi, "%s: next_poll - last_attempt", what))
		show(name, &f);
}

static void
test_cache(void)
{
	/* Jitter is +-10% of the interval, and only adds to a floor. */
	check_floor("plain", "/cache/plain.xml", 1620 - 2, 1980 + 2,
	    "no hint: the feed's interval = 30m, +-10%");
	check_floor("maxage", "/cache/maxage-7200.xml", 7200 - 2, 7920 + 2,
	    "Cache-Control: max-age=7200 lifts it to 2 h");
	check_floor("expires", "/cache/expires-7200.xml", 7200 - 3, 7920 + 3,
	    "Expires two hours ahead lifts it to 2 h");
	check_floor("ttl", "/cache/ttl-120.xml", 7200 - 2, 7920 + 2,
	    "<ttl>120</ttl> lifts it to 2 h");
}

/* A 304 keeps the <ttl> of the document it confirms (sched.h). */
static void
test_ttl_304(void)
{
	struct env e;
	struct run r;
	struct fst f;

	write_feed("ttl304.xml", 2, 120);
	env_init(&e, "ttl304", ALLOW, "[feed ttl304]\n"
	    "url = {O}/feeds/ttl304.xml\ninterval = 30m\n");
	poll_feeds(&e, NULL, &r);
	run_free(&r);
	poll_feeds(&e, "ttl304", &r);
	run_free(&r);
	feed_status(&e, "ttl304", &f);
	is_int(304, f.http_status, "ttl after a 304: the second poll is a "
	    "304");
	if (!ok(delay(&f) >= 7200 - 2 && delay(&f) <= 7920 + 2,
	    "ttl after a 304: next_poll is still 2 h ahead (<ttl>120</ttl>; "
	    "got %lld s)", delay(&f)))
		show("ttl304", &f);
}

/* A refusal: status code with a Retry-After; next_poll in [lo, hi]. */
static void
check_refusal(const char *name, const char *path, int code, long long lo,
    long long hi, const char *what)
{
	struct env e;
	struct run r;
	struct fst f;
	char feeds[512];

	snprintf(feeds, sizeof(feeds), "[feed %s]\nurl = {O}%s\n", name,
	    path);
	env_init(&e, name, ALLOW, feeds);
	is_int(1, poll_feeds(&e, NULL, &r), "%s: the poll exits 1", what);
	summary(&r, "poll: 1 feeds: 0 ok, 0 not modified, 1 failed", what);
	run_free(&r);
	feed_status(&e, name, &f);
	ok(strcmp(f.state, "error") == 0 && strcmp(f.error_class, "http") ==
	    0 && f.http_status == code && f.consecutive_errors == 1,
	    "%s: error, class http, status %d, 1 error", what, code);
	if (!in_range(delay(&f), lo, hi, "%s: next_poll - last_attempt", what))
		show(name, &f);
}

static void
test_retry_after(void)
{
	check_refusal("r429s", "/status/429/secs-3600", 429, 3600,
	    3960 + 2, "429, Retry-After: 3600");
	check_refusal("r429d", "/status/429/date-7200", 429, 7200 - 3,
	    7920 + 3, "429, Retry-After: an HTTP date 2 h ahead");
	check_refusal("r429j", "/status/429/junk", 429, 0, 3,
	    "429, Retry-After: garbage (ignored: the 1 s backoff)");
	check_refusal("r429n", "/status/429/neg", 429, 0, 3,
	    "429, Retry-After: -1 (ignored)");
	check_refusal("r429h", "/status/429/huge", 429, 86400 - 2, 86400 + 2,
	    "429, Retry-After: 99999999999 (capped at max_interval 24h)");
	check_refusal("r503s", "/status/503/secs-3600", 503, 3600,
	    3960 + 2, "503, Retry-After: 3600");
	check_refusal("r503d", "/status/503/date-7200", 503, 7200 - 3,
	    7920 + 3, "503, Retry-After: an HTTP date 2 h ahead");
	check_refusal("r503j", "/status/503/junk", 503, 0, 3,
	    "503, Retry-After: garbage (ignored)");
}

/* Errors count up across polls (one process each); a success resets. */
static void
test_errors(void)
{
	struct env e;
	struct run r;
	struct fst f;

	env_init(&e, "flaky", ALLOW, "[feed flaky]\n"
	    "url = {O}/flaky/3/errors.xml\n");
	for (int i = 1; i <= 3; i++) {
		poll_feeds(&e, i == 1 ? NULL : "flaky", &r);
		run_free(&r);
		feed_status(&e, "flaky", &f);
		if (i == 1)
			is_int(1, f.consecutive_errors, "errors: after failed "
			    "poll 1, consecutive_errors is 1");
		else if (!ok(f.consecutive_errors == i,
		    "errors: after failed poll %d, consecutive_errors is %d "
		    "(got %lld)", i, i, f.consecutive_errors))
			show("flaky", &f);
	}
	/* min_interval 1s: the third error backs off 4 s, +-10%. */
	ok(delay(&f) >= 4 && delay(&f) <= 5, "errors: the "
	    "backoff doubles per error (4..5 s after the third; got %lld s)",
	    delay(&f));
	is_int(0, poll_feeds(&e, "flaky", &r), "errors: the fourth poll "
	    "succeeds");
	run_free(&r);
	feed_status(&e, "flaky", &f);
	ok(f.consecutive_errors == 0 && strcmp(f.state, "ok") == 0 &&
	    f.error_null && f.entries == 2, "errors: a success resets the "
	    "count to 0, state ok, error null");
	is_int(4, requests("/flaky/3/errors.xml"), "errors: 4 requests");
}

/* A temporary redirect is followed, never stored. */
static void
check_temporary(int code)
{
	struct env e;
	struct run r;
	struct fst f;
	char name[32], feeds[512], target[64], conf_url[256];

	snprintf(name, sizeof(name), "t%d", code);
	snprintf(target, sizeof(target), "t%d.xml", code);
	write_feed(target, 2, -1);
	snprintf(feeds, sizeof(feeds), "[feed %s]\n"
	    "url = {O}/redirect/%d/1/feeds/%s\n", name, code, target);
	snprintf(conf_url, sizeof(conf_url), "http://127.0.0.1:%d/redirect/"
	    "%d/1/feeds/%s", origin.port, code, target);
	env_init(&e, name, ALLOW, feeds);
	for (int i = 0; i < 3; i++) {
		poll_feeds(&e, i == 0 ? NULL : name, &r);
		run_free(&r);
	}
	feed_status(&e, name, &f);
	ok(strcmp(f.state, "ok") == 0 && f.entries == 2,
	    "%d: followed, the entries stored", code);
	ok(strcmp(f.url, conf_url) == 0 && strcmp(f.config_url, conf_url) ==
	    0 && f.moved_to_null, "%d: after 3 polls url unchanged, moved_to "
	    "null", code);
	if (f.entries != 2 || !f.moved_to_null)
		show(name, &f);
}

/* A permanent redirect (chain of hops) is adopted on the third poll. */
static void
check_permanent(int code, int hops)
{
	struct env e;
	struct run r;
	struct fst f;
	char name[32], feeds[512], target[64], conf_url[256], to[256];
	char first[256];

	snprintf(name, sizeof(name), "p%d-%d", code, hops);
	snprintf(target, sizeof(target), "p%d-%d.xml", code, hops);
	write_feed(target, 2, -1);
	snprintf(feeds, sizeof(feeds), "[feed %s]\n"
	    "url = {O}/redirect/%d/%d/feeds/%s\n", name, code, hops, target);
	snprintf(conf_url, sizeof(conf_url), "http://127.0.0.1:%d/redirect/"
	    "%d/%d/feeds/%s", origin.port, code, hops, target);
	snprintf(first, sizeof(first), "/redirect/%d/%d/feeds/%s", code, hops,
	    target);
	snprintf(to, sizeof(to), "http://127.0.0.1:%d/feeds/%s", origin.port,
	    target);
	env_init(&e, name, ALLOW, feeds);
	for (int i = 1; i <= 2; i++) {
		poll_feeds(&e, i == 1 ? NULL : name, &r);
		run_free(&r);
		feed_status(&e, name, &f);
		if (!ok(strcmp(f.state, "ok") == 0 && f.entries == 2 &&
		    strcmp(f.url, conf_url) == 0 && strcmp(f.moved_to, to) ==
		    0, "%d x%d: poll %d: followed, url unchanged, moved_to the "
		    "final target", code, hops, i))
			show(name, &f);
	}
	poll_feeds(&e, name, &r);
	run_free(&r);
	feed_status(&e, name, &f);
	if (!is_str(to, f.url, "%d x%d: the third poll adopts the target as "
	    "url", code, hops))
		show(name, &f);
	ok(strcmp(f.config_url, conf_url) == 0 && f.moved_to_null,
	    "%d x%d: config_url stays, moved_to is null again", code, hops);
	poll_feeds(&e, name, &r);
	run_free(&r);
	snprintf(to, sizeof(to), "/feeds/%s", target);
	ok(requests(first) == 3 && requests(to) == 4, "%d x%d: the fourth "
	    "poll goes straight to the target", code, hops);
}

/* A redirect that must fail: error_class class, error mentioning word. */
static void
check_bad_redirect(const char *name, const char *path, const char *class,
    const char *word, const char *what)
{
	struct env e;
	struct run r;
	struct fst f;
	char feeds[512];

	snprintf(feeds, sizeof(feeds), "[feed %s]\nurl = {O}%s\n", name,
	    path);
	env_init(&e, name, ALLOW, feeds);
	is_int(1, poll_feeds(&e, NULL, &r), "%s: the poll exits 1", what);
	run_free(&r);
	feed_status(&e, name, &f);
	if (!ok(strcmp(f.state, "error") == 0 && strcmp(f.error_class,
	    class) == 0 && strstr(f.error, word) != NULL && f.entries == 0,
	    "%s: error_class %s, the error mentions \"%s\"", what, class,
	    word))
		show(name, &f);
}

static void
test_redirects(void)
{
	struct env e;
	struct run r;
	struct fst f;

	check_temporary(302);
	check_temporary(307);
	check_permanent(301, 1);
	check_permanent(308, 3);

	write_feed("hop5.xml", 2, -1);
	env_init(&e, "hop5", ALLOW, "[feed hop5]\n"
	    "url = {O}/redirect/302/5/feeds/hop5.xml\n");
	is_int(0, poll_feeds(&e, NULL, &r), "5 redirects: the poll exits 0");
	run_free(&r);
	feed_status(&e, "hop5", &f);
	if (!ok(strcmp(f.state, "ok") == 0 && f.entries == 2,
	    "5 redirects are followed (the limit)"))
		show("hop5", &f);

	write_feed("hop6.xml", 2, -1);
	check_bad_redirect("hop6", "/redirect/302/6/feeds/hop6.xml",
	    "redirect", "5", "6 redirects");
	is_int(0, requests("/feeds/hop6.xml"), "6 redirects: the target is "
	    "never requested");
	check_bad_redirect("loop", "/loop/a/x.xml", "redirect", "5",
	    "a redirect loop A->B->A");
	check_bad_redirect("self", "/self/x.xml", "redirect", "5",
	    "a redirect to itself");
	check_bad_redirect("ftp", "/to-ftp/x.xml", "redirect", "ftp",
	    "a redirect to ftp://");
	check_bad_redirect("private", "/to-private/x.xml", "blocked",
	    "127.0.0.2", "a redirect to 127.0.0.2 (not in allow)");
	is_int(0, requests("/canary/x.xml"), "a redirect to 127.0.0.2: "
	    "nothing reached it");
	check_bad_redirect("file", "/to-file/x.xml", "redirect", "file:",
	    "a redirect to file:///etc/passwd");
}

/* Redirects to private addresses in their many spellings (HOSTILE 29). */
static void
test_redirect_hosts(void)
{
	static const char *const names[] = { "v6loop", "mapped", "decimal",
	    "hex", "octal", "zero", "metadata", "ten" };
	char path[128], feed[32];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct env e;
		struct run r;
		struct fst f;
		char feeds[512];

		snprintf(feed, sizeof(feed), "host-%s", names[i]);
		snprintf(feeds, sizeof(feeds), "[feed %s]\n"
		    "url = {O}/to-host/%s\n", feed, names[i]);
		env_init(&e, feed, ALLOW, feeds);
		poll_feeds(&e, NULL, &r);
		feed_status(&e, feed, &f);
		snprintf(path, sizeof(path), "/canary/%s", names[i]);
		if (!ok(strcmp(f.state, "error") == 0 && strcmp(f.error_class,
		    "blocked") == 0 && requests(path) == 0 && r.ms < TIMEOUT *
		    1000, "a redirect to %s: blocked at once, nothing reached",
		    names[i])) {
			show(feed, &f);
			diag("%lld ms, canary %d", (long long)r.ms,
			    requests(path));
		}
		run_free(&r);
	}
}

/* 410 Gone: retired for good, its entries kept. */
static void
test_gone(void)
{
	struct env e;
	struct run r;
	struct fst f;

	env_init(&e, "gone", ALLOW, "[feed gone]\n"
	    "url = {O}/gone-after/1/gone.xml\n");
	poll_feeds(&e, NULL, &r);
	run_free(&r);
	poll_feeds(&e, "gone", &r);
	run_free(&r);
	feed_status(&e, "gone", &f);
	is_str("gone", f.state, "410: state gone");
	ok(f.http_status == 410 && f.next_poll == -1, "410: http_status 410, "
	    "next_poll null");
	is_int(2, f.entries, "410: the entries are kept");
	is_int(0, poll_feeds(&e, NULL, &r), "410: a later poll of the due "
	    "feeds exits 0");
	summary(&r, "poll: 0 feeds:", "410: a later poll");
	run_free(&r);
	is_int(2, requests("/gone-after/1/gone.xml"), "410: it does not fetch "
	    "the gone feed again");
	feed_status(&e, "gone", &f);
	is_str("gone", f.state, "410: still gone");
}

/* A failure of class class with nothing stored; the run in *r. */
static void
check_failure(const char *name, const char *poll, const char *url,
    const char *class, struct run *r, struct fst *f, const char *what)
{
	struct env e;
	char feeds[512];

	snprintf(feeds, sizeof(feeds), "[feed %s]\nurl = %s\n", name, url);
	env_init(&e, name, poll, feeds);
	is_int(1, poll_feeds(&e, NULL, r), "%s: the poll exits 1", what);
	feed_status(&e, name, f);
	if (!ok(strcmp(f->state, "error") == 0 && strcmp(f->error_class,
	    class) == 0 && f->entries == 0, "%s: error_class %s, nothing "
	    "stored", what, class)) {
		show(name, f);
		diag("stderr: %s", r->err.data);
	}
}

static void
test_limits(void)
{
	struct run r;
	struct fst f;

	write_feed("big.xml", 40, -1);
	check_failure("big", ALLOW "max_size = 2K\n", "{O}/feeds/big.xml",
	    "too_large", &r, &f, "a 5 KB feed, max_size = 2K");
	ok(strstr(f.error, "max_size") != NULL || strstr(f.error, "size") !=
	    NULL, "the error says it is too large: %s", f.error);
	run_free(&r);

	check_failure("endless", ALLOW "max_size = 1M\n", "{O}/endless.xml",
	    "too_large", &r, &f, "an endless chunked body");
	ok(r.ms < TIMEOUT * 1000, "an endless body is cut at max_size, "
	    "before the timeout (%lld ms)", (long long)r.ms);
	run_free(&r);

	check_failure("bomb", ALLOW "max_size = 1M\n", "{O}/bomb.xml",
	    "too_large", &r, &f, "a gzip bomb (128 MiB of zeros)");
	if (!ok(r.maxrss_kb < 64 * 1024, "a gzip bomb: the poll's peak RSS "
	    "stays under 64 MB (%ld KB)", r.maxrss_kb))
		diag("stderr: %s", r.err.data);
	run_free(&r);

	check_failure("bomb-deflate", ALLOW "max_size = 1M\n",
	    "{O}/bomb-deflate.xml", "too_large", &r, &f, "row 35: a deflate "
	    "bomb (128 MiB of zeros)");
	ok(r.maxrss_kb < 64 * 1024, "  the poll's peak RSS stays under 64 MB "
	    "(%ld KB)", r.maxrss_kb);
	run_free(&r);

	/*
	 * Row 35's other encodings libcurl decodes: 128 MiB of zeros as
	 * Brotli (106 bytes) and Zstandard (4 KB), made once with
	 * `head -c 134217728 /dev/zero | brotli -q 11` and `| zstd -19`.
	 */
	for (int i = 0; i < 2; i++) {
		static const char *const kind[][2] = { { "br", "br" },
		    { "zst", "zstd" } };
		char from[900], url[128], name[32];
		struct buf b = { 0 };

		snprintf(from, sizeof(from), "%s/tests/data/bomb-128m.%s",
		    getenv("SRCDIR") ? getenv("SRCDIR") : ".", kind[i][0]);
		snprintf(name, sizeof(name), "bomb.%s", kind[i][0]);
		if (tu_read_file(from, &b) == -1) {
			skip("the bomb fixture is missing");
			buf_free(&b);
			continue;
		}
		snprintf(from, sizeof(from), "%s/%s", docroot, name);
		write_bytes(from, b.data, b.len);
		buf_free(&b);
		snprintf(url, sizeof(url), "{O}/encoded/%s/%s", kind[i][1],
		    name);
		check_failure(name, ALLOW "max_size = 1M\n", url, "too_large",
		    &r, &f, i == 0 ? "row 35: a Brotli bomb (128 MiB of "
		    "zeros)" : "row 35: a Zstandard bomb (128 MiB of zeros)");
		ok(r.maxrss_kb < 64 * 1024, "  the poll's peak RSS stays under "
		    "64 MB (%ld KB)", r.maxrss_kb);
		run_free(&r);
	}

	check_failure("huge", ALLOW "max_size = 1M\n", "{W}/raw/huge.xml",
	    "too_large", &r, &f, "Content-Length: 10^12");
	run_free(&r);
}

/* Content-Encoding: a gzipped feed is read; 6 stacked gzips are not. */
static void
test_encodings(void)
{
	struct env e;
	struct run r;
	struct fst f;

	env_init(&e, "gzip1", ALLOW, "[feed gzip1]\nurl = {O}/gzip-1/a.xml\n");
	is_int(0, poll_feeds(&e, NULL, &r), "Content-Encoding: gzip: the poll "
	    "exits 0");
	run_free(&r);
	feed_status(&e, "gzip1", &f);
	if (!ok(strcmp(f.state, "ok") == 0 && f.entries == 2,
	    "Content-Encoding: gzip: decoded, its 2 entries stored"))
		show("gzip1", &f);
	check_failure("gzip6", ALLOW, "{O}/gzip-6/a.xml", "network", &r, &f,
	    "Content-Encoding: gzip x6 (libcurl stops at 5)");
	run_free(&r);
}

/* A flood of response headers: refused by libcurl, memory flat. */
static void
test_header_flood(void)
{
	struct env e;
	struct run r;
	struct fst f;

	env_init(&e, "headers", ALLOW, "[feed headers]\n"
	    "url = {W}/raw/headers\n");
	is_int(1, poll_feeds(&e, NULL, &r), "16 MiB of response headers: the "
	    "poll exits 1");
	feed_status(&e, "headers", &f);
	if (!ok(strcmp(f.state, "error") == 0 && f.entries == 0 &&
	    r.ms < TIMEOUT * 1000, "16 MiB of response headers: an error "
	    "before the timeout (%lld ms)", (long long)r.ms))
		show("headers", &f);
	/* Row 37: libcurl's cap on headers (CVE-2023-38039), not a timeout. */
	ok(strcmp(f.error_class, "network") == 0 &&
	    strstr(f.error, "header") != NULL, "row 37: libcurl's header "
	    "limit stops it: %s: %s", f.error_class, f.error);
	ok(r.maxrss_kb < 64 * 1024, "16 MiB of response headers: peak RSS "
	    "under 64 MB (%ld KB)", r.maxrss_kb);
	run_free(&r);
}

/*
 * Two feeds of one host refused with Retry-After block the host (sched.c);
 * a one-shot `sluice poll` must still end at once, not wait out the block
 * for the host's other due feeds.
 */
static void
test_refusing_host(void)
{
	struct env e;
	struct run r;
	struct fst f;

	env_init(&e, "hostblock", ALLOW "per_host = 1\n",
	    "[feed a]\nurl = {O}/status/429/secs-3600/hostblock-a\n"
	    "[feed b]\nurl = {O}/status/429/secs-3600/hostblock-b\n"
	    "[feed c]\nurl = {O}/cache/hostblock-c.xml\n");
	run_limit = 5;		/* long enough to tell */
	poll_feeds(&e, NULL, &r);
	run_limit = RUN_LIMIT;
	if (!ok(r.rc != -2 && r.ms < 3000, "a host refusing "
	    "two feeds: a one-shot poll of its 3 due feeds still ends at once "
	    "(%lld ms%s)", (long long)r.ms, r.rc == -2 ? ", killed" : ""))
		diag("stderr: %s", r.err.data);
	run_free(&r);
	feed_status(&e, "c", &f);
	diag("the third feed: state %s, last_attempt %lld, %d requests",
	    f.state, f.last_attempt, requests("/cache/hostblock-c.xml"));
}

static void
test_timeouts(void)
{
	struct run r;
	struct fst f;

	check_failure("hang", ALLOW, "{W}/raw/hang", "timeout", &r, &f,
	    "a server that accepts and never answers");
	in_range(r.ms, TIMEOUT * 1000 - 500, TIMEOUT * 1000 + 3000,
	    "accept-and-hang: the poll ends after the %d s timeout (ms)",
	    TIMEOUT);
	run_free(&r);
	is_int(1, requests("/raw/hang"), "accept-and-hang: one request");

	check_failure("drip", ALLOW, "{O}/drip.xml", "timeout", &r, &f,
	    "a slow drip (1 byte every 500 ms)");
	in_range(r.ms, TIMEOUT * 1000 - 500, TIMEOUT * 1000 + 3000,
	    "slow drip: the poll ends after the %d s timeout (ms)", TIMEOUT);
	run_free(&r);

	/*
	 * Row 34: under 16 bytes a second for 20 s ends a transfer long
	 * before its timeout (60 s here).
	 */
	run_limit = 40;
	poll_timeout = 60;
	check_failure("slow", ALLOW, "{O}/slow.xml",
	    "timeout", &r, &f, "row 34: 1 byte every 2 s, timeout = 60s");
	in_range(r.ms, 19000, 26000, "  the poll ends after the 20 s of the "
	    "low-speed limit (ms)");
	ok(strstr(f.error, "slow") != NULL, "  the error says so: %s",
	    f.error);
	run_free(&r);
	run_limit = RUN_LIMIT;
	poll_timeout = TIMEOUT;
}

/* A body cut short: curl's error, and nothing of it stored. */
static void
test_short(void)
{
	struct env e;
	struct run r;
	struct fst f;

	check_failure("badchunk", ALLOW, "{W}/raw/badchunk.xml", "network", &r,
	    &f, "row 36: a chunk size that is not hex, after a whole feed");
	run_free(&r);
	check_failure("short", ALLOW, "{W}/raw/short.xml", "network", &r, &f,
	    "a Content-Length longer than the body");
	run_free(&r);
	is_int(1, requests("/raw/short.xml"), "short body: one request");
	check_failure("cut", ALLOW, "{W}/raw/cut.xml", "network", &r, &f,
	    "a chunked body without its last chunk");
	run_free(&r);

	/*
	 * A Content-Length shorter than the body: the bytes past it are not
	 * read, and what came is a truncated document (row 10): the item it
	 * holds whole is stored, the cut one is not.
	 */
	env_init(&e, "long", ALLOW, "[feed long]\nurl = {W}/raw/long.xml\n");
	is_int(0, poll_feeds(&e, NULL, &r), "row 36: a Content-Length shorter "
	    "than the body: the poll exits 0");
	feed_status(&e, "long", &f);
	if (!ok(strcmp(f.state, "ok") == 0 && f.entries == 1, "row 36: the "
	    "document is read up to the Content-Length: the first item "
	    "stored, not the second")) {
		show("long", &f);
		diag("stderr: %s", r.err.data);
	}
	run_free(&r);
}

/* "mount --bind CERT CA-BUNDLE && " while the TLS test runs, else "". */
static char ca_mount[900];

/*
 * `sluice poll -c CONF NAME` in a mount namespace of its own whose
 * /etc/hosts is hosts (util-linux's unshare; the host's file is untouched).
 */
static int
poll_with_hosts(const struct env *e, const char *name, const char *hosts,
    struct run *r)
{
	char script[4096];
	const char *argv[] = { "/usr/bin/unshare", "-m", "/bin/sh", "-c",
	    script, NULL };

	snprintf(script, sizeof(script), "mount --bind '%s' /etc/hosts && "
	    "%sexec '%s' poll -c '%s' '%s'", hosts, ca_mount, sluice_bin,
	    e->conf, name);
	return run(argv, r);
}

/*
 * Row 30, DNS rebinding: a name that resolved to an allowed address on
 * one poll and to a private one on the next.  The guard judges the
 * address each connection is made to, so the second poll is refused
 * whatever the name once meant.
 */
static void
test_rebind(void)
{
	char hosts[600], probe[800];
	struct env e;
	struct run r;
	struct fst f;

	snprintf(hosts, sizeof(hosts), "%s/hosts", tmpdir);
	write_file(hosts, "127.0.0.1 feeds.rebind.test\n");
	snprintf(probe, sizeof(probe), "/usr/bin/unshare -m /bin/sh -c "
	    "\"mount --bind '%s' /etc/hosts && getent hosts feeds.rebind.test"
	    "\" >/dev/null 2>&1", hosts);
	if (system(probe) != 0) {
		skip("row 30 rebinding: no mount namespace here (unshare -m)");
		return;
	}
	write_feed("rebind.xml", 2, -1);
	env_init(&e, "rebind", ALLOW, "[feed rebind]\n"
	    "url = http://feeds.rebind.test:{P}/feeds/rebind.xml\n");
	is_int(0, poll_with_hosts(&e, "rebind", hosts, &r), "row 30: "
	    "feeds.rebind.test is 127.0.0.1 (allowed): the poll exits 0");
	run_free(&r);
	feed_status(&e, "rebind", &f);
	if (!ok(strcmp(f.state, "ok") == 0 && f.entries == 2 &&
	    requests("/feeds/rebind.xml") == 1, "  fetched, its 2 entries "
	    "stored"))
		show("rebind", &f);

	write_file(hosts, "127.0.0.2 feeds.rebind.test\n");
	is_int(1, poll_with_hosts(&e, "rebind", hosts, &r), "row 30: then "
	    "the name is 127.0.0.2 (not allowed): the poll exits 1");
	run_free(&r);
	feed_status(&e, "rebind", &f);
	if (!ok(strcmp(f.error_class, "blocked") == 0 && strstr(f.error,
	    "127.0.0.2") != NULL, "  error_class blocked, naming 127.0.0.2"))
		show("rebind", &f);
	is_int(1, requests("/feeds/rebind.xml"), "  nothing reached "
	    "127.0.0.2 (the origin listens there too)");
	is_int(2, (int)f.entries, "  the 2 entries are kept");
}

/* A port nothing listens on now, on 127.0.0.1; 0 when there is none. */
static int
free_port(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = 0;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd != -1 && bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &len) == 0)
		port = ntohs(sin.sin_port);
	if (fd != -1)
		close(fd);
	return port;
}

/* 1 once something accepts on 127.0.0.1:port, within about 5 s. */
static int
await_port(int port)
{
	for (int i = 0; i < 100; i++) {
		struct sockaddr_in sin;
		int fd = socket(AF_INET, SOCK_STREAM, 0), up;

		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons((uint16_t)port);
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		up = fd != -1 && connect(fd, (struct sockaddr *)&sin,
		    sizeof(sin)) == 0;
		if (fd != -1)
			close(fd);
		if (up)
			return 1;
		usleep(50 * 1000);
	}
	return 0;
}

/*
 * Writes NAME in dir: a whole HTTP/1.0 response, as `openssl s_server
 * -HTTP` sends files.
 */
static void
write_response(const char *dir, const char *name, const char *head,
    const char *body)
{
	char path[800];
	struct buf b = { 0 };

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	buf_printf(&b, "%s\r\n\r\n%s", head, body);
	write_file(path, b.data);
	buf_free(&b);
}

/*
 * Row 32's other half: a redirect from https to http is refused, the
 * plain URL never requested, and a permanent one never adopted.  The TLS
 * origin is `openssl s_server` on 127.0.0.1 with a certificate made for
 * the run; sluice trusts it because, in its mount namespace, the
 * certificate is bind-mounted over libcurl's CA bundle and /etc/hosts
 * names feeds.tls.test.  A first poll of a feed over the same TLS origin
 * shows that the trust works, so the refusal is the rule's, not a TLS
 * error.
 */
static void
test_tls_downgrade(void)
{
	static const char bundle[] = "/etc/ssl/certs/ca-certificates.crt";
	char dir[700], cmd[2400], hosts[800], head[600], feeds[1200];
	struct buf feed = { 0 };
	struct env e;
	struct run r;
	struct fst f;
	pid_t pid;
	int port = free_port();

	snprintf(dir, sizeof(dir), "%s/tls-origin", tmpdir);
	mkdir(dir, 0700);
	snprintf(hosts, sizeof(hosts), "%s/hosts", dir);
	write_file(hosts, "127.0.0.1 feeds.tls.test\n");
	snprintf(cmd, sizeof(cmd), "cd '%s' && openssl req -x509 -newkey ec "
	    "-pkeyopt ec_paramgen_curve:P-256 -nodes -keyout key.pem -out "
	    "cert.pem -days 2 -subj /CN=feeds.tls.test -addext "
	    "subjectAltName=DNS:feeds.tls.test >/dev/null 2>&1 && test -f "
	    "'%s' && /usr/bin/unshare -m /bin/sh -c \"mount --bind cert.pem "
	    "'%s'\" >/dev/null 2>&1", dir, bundle, bundle);
	if (port == 0 || system(cmd) != 0) {
		skip("row 32 https->http: no openssl, CA bundle or mount "
		    "namespace here");
		return;
	}
	snprintf(ca_mount, sizeof(ca_mount), "mount --bind '%s/cert.pem' "
	    "'%s' && ", dir, bundle);

	write_feed("down.xml", 2, -1);
	buf_printf(&feed, "<rss version=\"2.0\"><channel><title>Over TLS"
	    "</title><item><guid>tls-1</guid><title>One</title></item><item>"
	    "<guid>tls-2</guid><title>Two</title></item></channel></rss>\n");
	write_response(dir, "feed.xml", "HTTP/1.0 200 OK\r\nContent-Type: "
	    "application/rss+xml", feed.data);
	buf_free(&feed);
	snprintf(head, sizeof(head), "HTTP/1.0 302 Found\r\nLocation: "
	    "http://feeds.tls.test:%d/feeds/down.xml", origin.port);
	write_response(dir, "302.xml", head, "");
	snprintf(head, sizeof(head), "HTTP/1.0 301 Moved Permanently\r\n"
	    "Location: http://feeds.tls.test:%d/feeds/down.xml", origin.port);
	write_response(dir, "301.xml", head, "");

	fflush(NULL);
	if ((pid = fork()) == 0) {
		char accept[64];
		int null = open("/dev/null", O_RDWR);

		snprintf(accept, sizeof(accept), "127.0.0.1:%d", port);
		if (chdir(dir) != 0 || null == -1)
			_exit(126);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		execlp("openssl", "openssl", "s_server", "-accept", accept,
		    "-cert", "cert.pem", "-key", "key.pem", "-HTTP", "-quiet",
		    (char *)NULL);
		_exit(127);
	}
	if (!ok(pid > 0 && await_port(port), "row 32: the TLS origin "
	    "(openssl s_server) listens on 127.0.0.1:%d", port))
		goto out;

	snprintf(feeds, sizeof(feeds), "[feed tls]\n"
	    "url = https://feeds.tls.test:%d/feed.xml\n[feed down]\n"
	    "url = https://feeds.tls.test:%d/302.xml\n[feed down301]\n"
	    "url = https://feeds.tls.test:%d/301.xml\n", port, port, port);
	{
		char poll[300];

		snprintf(poll, sizeof(poll), "allow = 127.0.0.1:{P}, "
		    "127.0.0.1:%d\n", port);
		env_init(&e, "tls", poll, feeds);
	}
	is_int(0, poll_with_hosts(&e, "tls", hosts, &r), "row 32: a feed "
	    "over https from the test's TLS origin: the poll exits 0");
	run_free(&r);
	feed_status(&e, "tls", &f);
	if (!ok(strcmp(f.state, "ok") == 0 && f.entries == 2, "  its 2 "
	    "entries stored: the certificate is trusted"))
		show("tls", &f);

	is_int(1, poll_with_hosts(&e, "down", hosts, &r), "row 32: a 302 "
	    "from https to http: the poll exits 1");
	run_free(&r);
	feed_status(&e, "down", &f);
	if (!ok(strcmp(f.error_class, "redirect") == 0 && strstr(f.error,
	    "https to http") != NULL && f.entries == 0, "  error_class "
	    "redirect, the error says https to http"))
		show("down", &f);
	for (int i = 0; i < 4; i++) {
		poll_with_hosts(&e, "down301", hosts, &r);
		run_free(&r);
	}
	feed_status(&e, "down301", &f);
	if (!ok(strcmp(f.error_class, "redirect") == 0 && f.moved_to_null &&
	    strncmp(f.url, "https:", 6) == 0 && f.entries == 0, "row 32: a "
	    "301 from https to http, 4 polls: refused each time, never "
	    "adopted (url %s)", f.url))
		show("down301", &f);
	is_int(0, requests("/feeds/down.xml"), "  the http URL was never "
	    "requested");
out:
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
	ca_mount[0] = '\0';
}

/* The private-address guard, and allow_private = yes. */
static void
test_guard(void)
{
	struct env e;
	struct run r;
	struct fst f;

	write_feed("guard.xml", 2, -1);
	check_failure("guard", "", "{O}/feeds/guard.xml", "blocked", &r, &f,
	    "127.0.0.1 without allow");
	run_free(&r);
	ok(strstr(f.error, "127.0.0.1") != NULL, "the error names the "
	    "address: %s", f.error);
	is_int(0, requests("/feeds/guard.xml"), "the guard: the origin saw "
	    "no request");
	/* Row 30: a name is checked by the address it resolves to. */
	check_failure("guard-name", "", "http://localhost:{P}/feeds/guard.xml",
	    "blocked", &r, &f, "row 30: localhost without allow");
	run_free(&r);
	is_int(0, requests("/feeds/guard.xml"), "  the origin saw no request");
	env_init(&e, "guard-yes", "allow_private = yes\n",
	    "[feed guard]\nurl = {O}/feeds/guard.xml\n");
	is_int(0, poll_feeds(&e, NULL, &r), "allow_private = yes: the poll "
	    "exits 0");
	run_free(&r);
	feed_status(&e, "guard", &f);
	ok(strcmp(f.state, "ok") == 0 && f.entries == 2 &&
	    requests("/feeds/guard.xml") == 1, "allow_private = yes: fetched");

	/*
	 * Row 30: a proxy from the environment would be the only address
	 * the guard saw, and would go where it likes; sluice uses none.
	 */
	setenv("http_proxy", "http://127.0.0.1:9/", 1);
	setenv("HTTPS_PROXY", "http://127.0.0.1:9/", 1);
	setenv("ALL_PROXY", "http://127.0.0.1:9/", 1);
	env_init(&e, "proxy-env", ALLOW,
	    "[feed guard]\nurl = {O}/feeds/guard.xml\n");
	is_int(0, poll_feeds(&e, NULL, &r), "row 30: with http_proxy, "
	    "HTTPS_PROXY and ALL_PROXY set, the poll exits 0");
	run_free(&r);
	unsetenv("http_proxy");		/* the origin is asked over HTTP */
	unsetenv("HTTPS_PROXY");
	unsetenv("ALL_PROXY");
	feed_status(&e, "guard", &f);
	ok(strcmp(f.state, "ok") == 0 && requests("/feeds/guard.xml") == 2,
	    "  the feed is fetched directly, not through the proxy (%s)",
	    f.state);
}

static void
test_not_a_feed(void)
{
	struct run r;
	struct fst f;

	check_failure("page", ALLOW, "{O}/page.html", "not_a_feed", &r, &f,
	    "an HTML page answered 200");
	run_free(&r);
	is_int(200, f.http_status, "an HTML page: http_status 200");
	check_failure("nm304", ALLOW, "{O}/status/304/uncond", "http", &r, &f,
	    "a 304 to a request that was not conditional");
	run_free(&r);

	/* Row 11: a feed that turns into a page keeps what it had. */
	{
		struct env e;
		char path[800];

		write_feed("turns.xml", 3, -1);
		env_init(&e, "turns", ALLOW, "[feed turns]\nurl = "
		    "{O}/feeds/turns.xml\n");
		is_int(0, poll_feeds(&e, NULL, &r), "row 11: a feed of 3 "
		    "entries polled");
		run_free(&r);
		snprintf(path, sizeof(path), "%s/turns.xml", docroot);
		write_file(path, "<!DOCTYPE html><html><head><title>Oops"
		    "</title></head><body><p>Maintenance</p></body></html>\n");
		is_int(1, poll_feeds(&e, "turns", &r), "  then it answers an "
		    "HTML page: the poll exits 1");
		run_free(&r);
		feed_status(&e, "turns", &f);
		ok(strcmp(f.error_class, "not_a_feed") == 0 && f.entries == 3,
		    "  not_a_feed, and its 3 entries are kept (%s, %d)",
		    f.error_class, f.entries);
	}
}

static void
test_exit_status(void)
{
	struct env e;
	struct run r;

	env_init(&e, "mixed", ALLOW, "[feed good]\nurl = {O}/cache/mixed.xml\n"
	    "[feed bad]\nurl = {O}/status/404/mixed\n");
	is_int(1, poll_feeds(&e, NULL, &r), "exit status 1 when one feed "
	    "fails");
	summary(&r, "poll: 2 feeds: 1 ok, 0 not modified, 1 failed",
	    "one fails");
	run_free(&r);

	env_init(&e, "allgood", ALLOW, "[feed a]\nurl = {O}/cache/good-a.xml\n"
	    "[feed b]\nurl = {O}/cache/good-b.xml\n");
	is_int(0, poll_feeds(&e, NULL, &r), "exit status 0 when all succeed");
	summary(&r, "poll: 2 feeds: 2 ok, 0 not modified, 0 failed",
	    "all succeed");
	run_free(&r);

	is_int(1, poll_feeds(&e, "nosuchfeed", &r), "poll nosuchfeed exits 1");
	if (!ok(has(&r.err, "nosuchfeed"), "with a message naming the feed"))
		diag("stderr: %s", r.err.data);
	run_free(&r);
	ok(requests("/cache/good-a.xml") == 1 && requests("/cache/good-b.xml")
	    == 1, "poll nosuchfeed fetches nothing");
}

static void
timed(void (*fn)(void), const char *name)
{
	int64_t start = tu_now_ms();

	fn();
	diag("%s: %lld ms", name, (long long)(tu_now_ms() - start));
}

/*
 * Row 65: a next poll far ahead in the store (written under a clock that
 * was ahead, or has been set back since) is not waited out: no delay is
 * longer than max_interval, so `sluice poll` takes the feed as due.
 */
/* Every feed's stored next_poll set to now + secs, as a clock jump does. */
static void
move_next_poll(const struct env *e, int secs)
{
	char path[800], *sql;
	sqlite3 *d = NULL;

	snprintf(path, sizeof(path), "%s/sluice.db", e->dir);
	sql = sqlite3_mprintf("UPDATE polls SET next_poll = "
	    "CAST(strftime('%%s', 'now') AS INTEGER) + %d", secs);
	if (sqlite3_open(path, &d) != SQLITE_OK || sqlite3_exec(d, sql, NULL,
	    NULL, NULL) != SQLITE_OK)
		diag("cannot move next_poll: %s", sqlite3_errmsg(d));
	sqlite3_free(sql);
	sqlite3_close(d);
}

static void
test_clock_jump(void)
{
	struct env e;
	struct run r;

	write_feed("jump.xml", 2, -1);
	env_init(&e, "jump", ALLOW "max_interval = 1h\n",
	    "[feed jump]\nurl = {O}/feeds/jump.xml\n");
	is_int(0, poll_feeds(&e, NULL, &r), "row 65: the first poll exits 0");
	run_free(&r);
	is_int(0, poll_feeds(&e, NULL, &r), "  a second at once");
	run_free(&r);
	is_int(1, requests("/feeds/jump.xml"), "  polls nothing: not due");
	move_next_poll(&e, 86400);
	is_int(0, poll_feeds(&e, NULL, &r), "  with next_poll a day ahead, "
	    "past max_interval = 1h: the poll exits 0");
	run_free(&r);
	is_int(2, requests("/feeds/jump.xml"), "  and polls the feed");

	/*
	 * Row 65, forward: the clock jumped a day ahead while sluice was
	 * stopped (every next_poll a day behind), so all of 12 feeds on one
	 * host are due at once.  No storm: per_host = 2 still holds (the
	 * origin answers each after 300 ms and counts how many wait at once),
	 * and no stall: every feed is polled.
	 */
	{
		struct buf feeds = { 0 };
		int polled = 0;

		for (int i = 1; i <= 12; i++)
			buf_printf(&feeds, "[feed ahead%d]\nurl = {O}/delayed/"
			    "a%d.xml\n", i, i);
		env_init(&e, "ahead", ALLOW "per_host = 2\n", feeds.data);
		buf_free(&feeds);
		is_int(0, poll_feeds(&e, NULL, &r), "row 65 forward: 12 feeds "
		    "on one host, the first poll exits 0");
		run_free(&r);
		move_next_poll(&e, -86400);
		is_int(0, poll_feeds(&e, NULL, &r), "  the clock a day ahead: "
		    "all due, the poll exits 0");
		run_free(&r);
		for (int i = 1; i <= 12; i++) {
			char p[64];

			snprintf(p, sizeof(p), "/delayed/a%d.xml", i);
			polled += requests(p) == 2;
		}
		is_int(12, polled, "  every feed polled again");
		is_int(2, origin_count("/_inflight", "requests"), "  never "
		    "more than per_host = 2 at once");
	}
}

int
main(void)
{
	char cmd[700];

	sluice_bin = getenv("SLUICE");
	if (sluice_bin == NULL) {
		printf("1..0 # SKIP SLUICE is not set\n");
		return 0;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(docroot, sizeof(docroot), "%s/docroot", tmpdir);
	mkdir(docroot, 0700);
	sqlite3_open(":memory:", &db);
	if (!ok(origin_start(&origin, docroot) == 0, "the test origin starts"))
		return done_testing();
	timed(test_conditional, "conditional GET");
	timed(test_last_modified, "If-Modified-Since");
	timed(test_cache, "caching hints");
	timed(test_ttl_304, "ttl after a 304");
	timed(test_retry_after, "Retry-After");
	timed(test_errors, "consecutive errors");
	timed(test_redirects, "redirects");
	timed(test_redirect_hosts, "redirects to private hosts");
	timed(test_gone, "410 Gone");
	timed(test_limits, "size limits");
	timed(test_encodings, "content encodings");
	timed(test_timeouts, "timeouts");
	timed(test_header_flood, "header flood");
	timed(test_refusing_host, "a refusing host");
	timed(test_short, "short bodies");
	timed(test_guard, "address guard");
	timed(test_rebind, "DNS rebinding");
	timed(test_tls_downgrade, "https to http");
	timed(test_not_a_feed, "not a feed");
	timed(test_exit_status, "exit status");
	timed(test_clock_jump, "wall clock set back");
	origin_stop(&origin);
	sqlite3_close(db);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		diag("could not remove %s", tmpdir);
	curl_global_cleanup();
	return done_testing();
}
