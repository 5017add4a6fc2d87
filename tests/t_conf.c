/*
 * t_conf.c - the config file: conf_parse(), conf_load() and their helpers.
 *
 * Good texts are checked key by key; bad texts must be refused with exactly
 * the expected "test.conf:LINE: reason" lines, every error and not only the
 * first.  Paths are checked in a real temporary folder, since relative
 * paths and file: URLs resolve against the config file's folder.
 */

#include <limits.h>
#include <stdint.h>
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "tap.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))
#define DAY		86400LL
#define N10		"a123456789"
#define N64		N10 N10 N10 N10 N10 N10 "abcd"
#define N65		N64 "e"

struct ecase {
	const char	*what;
	const char	*text;
	const char	*errs;		/* exactly, as "test.conf" */
};

struct dcase {
	const char	*in;
	int64_t		 want;		/* -1: refused */
};

static char tmpdir[PATH_MAX];

/* Parses text as path; checks that it is accepted without a word. */
static struct conf *
accept(const char *text, const char *path, const char *what)
{
	struct buf errs = { 0 };
	struct conf *c = conf_parse(text, path, &errs);

	ok(c != NULL && errs.len == 0, "%s: accepted", what);
	if (errs.len > 0)
		diag("  %s", errs.data);
	buf_free(&errs);
	return c;
}

/* Parses text as "test.conf"; checks that it is refused with want. */
static void
refuse(const char *text, const char *want, const char *what)
{
	struct buf errs = { 0 };
	struct conf *c = conf_parse(text, "test.conf", &errs);

	ok(c == NULL, "%s: refused", what);
	is_str(want, errs.data ? errs.data : "", "%s: the errors", what);
	conf_free(c);
	buf_free(&errs);
}

static const struct dcase durations[] = {
	{ "90s", 90 },
	{ "30m", 30 * 60 },
	{ "2h", 2 * 3600 },
	{ "7d", 7 * DAY },
	{ "1w", 7 * DAY },
	{ "2w", 14 * DAY },
	{ "45", 45 },
	{ "0", 0 },
	{ "0s", 0 },
	{ "3600s", 3600 },
	{ "007m", 7 * 60 },
	{ "", -1 },
	{ "5x", -1 },
	{ "-1m", -1 },
	{ "-5", -1 },
	{ "+5m", -1 },
	{ "1.5h", -1 },
	{ "m", -1 },
	{ "5 m", -1 },
	{ " 5m", -1 },
	{ "5mm", -1 },
	{ "5ms", -1 },
	{ "1h30m", -1 },
	{ "99999999999999999999", -1 },
	{ "9223372036854775807w", -1 },
	{ "9223372036854775807s", INT64_MAX },
};

/* conf_duration_ms: the same, in milliseconds, and "ms". */
static const struct dcase durations_ms[] = {
	{ "250ms", 250 },
	{ "10ms", 10 },
	{ "0ms", 0 },
	{ "2s", 2000 },
	{ "5", 5000 },
	{ "1m", 60000 },
	{ "ms", -1 },
	{ "-1ms", -1 },
	{ "1.5s", -1 },
	{ "10 ms", -1 },
	{ "5msx", -1 },
	{ "5mss", -1 },
	{ "x5ms", -1 },
	{ "99999999999999999999ms", -1 },
	{ "9223372036854775807s", -1 },
};

static const struct dcase sizes[] = {
	{ "512K", 512 * 1024 },
	{ "10M", 10 * 1024 * 1024 },
	{ "1G", 1024 * 1024 * 1024 },
	{ "512k", 512 * 1024 },
	{ "10m", 10 * 1024 * 1024 },
	{ "10MB", 10 * 1024 * 1024 },
	{ "2048", 2048 },
	{ "0", 0 },
	{ "", -1 },
	{ "10X", -1 },
	{ "-1K", -1 },
	{ "1.5M", -1 },
	{ "K", -1 },
	{ "10 M", -1 },
	{ "10KBB", -1 },
	{ "10T", -1 },
	{ "99999999999999999999", -1 },
	{ "9223372036854775807G", -1 },
};

static void
test_units(void)
{
	for (size_t i = 0; i < NITEMS(durations); i++) {
		int64_t v = -7;
		int rc = conf_duration(durations[i].in, &v);

		if (durations[i].want == -1)
			is_int(-1, rc, "duration \"%s\" is refused",
			    durations[i].in);
		else {
			is_int(0, rc, "duration \"%s\" is accepted",
			    durations[i].in);
			is_int(durations[i].want, v, "  as %lld seconds",
			    (long long)durations[i].want);
		}
	}
	for (size_t i = 0; i < NITEMS(durations_ms); i++) {
		int64_t v = -7;
		int rc = conf_duration_ms(durations_ms[i].in, &v);

		if (durations_ms[i].want == -1)
			is_int(-1, rc, "duration in ms \"%s\" is refused",
			    durations_ms[i].in);
		else {
			is_int(0, rc, "duration in ms \"%s\" is accepted",
			    durations_ms[i].in);
			is_int(durations_ms[i].want, v, "  as %lld ms",
			    (long long)durations_ms[i].want);
		}
	}
	for (size_t i = 0; i < NITEMS(sizes); i++) {
		int64_t v = -7;
		int rc = conf_size(sizes[i].in, &v);

		if (sizes[i].want == -1)
			is_int(-1, rc, "size \"%s\" is refused", sizes[i].in);
		else {
			is_int(0, rc, "size \"%s\" is accepted", sizes[i].in);
			is_int(sizes[i].want, v, "  as %lld bytes",
			    (long long)sizes[i].want);
		}
	}
}

static void
test_defaults(void)
{
	struct conf *c;
	char *cwd = getcwd(NULL, 0), want[PATH_MAX + 32];

	c = accept("", "test.conf", "an empty file");
	if (c == NULL)
		return;
	is_str("127.0.0.1:8080", c->listen, "default listen");
	is_str("http://127.0.0.1:8080/", c->base_url,
	    "default base_url follows listen");
	is_str("sluice", c->title, "default title");
	is_int(50, c->page_size, "default page_size");
	is_int(1, c->workers, "default workers: 1");
	is_int(4096, c->max_connections, "default max_connections: 4096");
	is_int(10, c->request_timeout, "default request_timeout: 10s");
	is_int(30, c->idle_timeout, "default idle_timeout: 30s");
	is_int(2000, c->query_timeout, "default query_timeout: 2s");
	snprintf(want, sizeof(want), "%s/sluice.db", cwd);
	is_str(want, c->store_path,
	    "default store path: sluice.db beside the config, absolute");
	snprintf(want, sizeof(want), "%s/test.conf", cwd);
	is_str(want, c->path, "path made absolute");
	is_str(cwd, c->dir, "dir is the config's folder");
	is_int(90, c->keep_days, "default keep_days");
	is_int(1000, c->keep_per_feed, "default keep_per_feed");
	is_int(30 * 60, c->interval, "default interval 30m");
	is_int(5 * 60, c->min_interval, "default min_interval 5m");
	is_int(DAY, c->max_interval, "default max_interval 24h");
	is_int(32, c->concurrency, "default concurrency");
	is_int(2, c->per_host, "default per_host");
	is_int(30, c->timeout, "default timeout 30s");
	is_int(10LL << 20, c->max_size, "default max_size 10M");
	ok(c->user_agent != NULL && strncmp(c->user_agent, "sluice/", 7) == 0,
	    "default user_agent names sluice (%s)",
	    c->user_agent ? c->user_agent : "NULL");
	is_int(0, c->allow_private, "default allow_private no");
	is_int(0, (long long)c->nfeeds, "no feeds");
	is_int(0, (long long)c->nchannels, "no channels");
	ok(conf_feed(c, "x") == NULL, "conf_feed finds nothing");
	ok(conf_channel(c, "x") == NULL, "conf_channel finds nothing");
	conf_free(c);

	c = accept("; only comments\n# and blank lines\n\n   \n\t; indented\n",
	    "test.conf", "comments and blank lines");
	if (c != NULL)
		is_int(50, c->page_size, "  still the defaults");
	conf_free(c);

	/* A relative feed path in a config named relatively: still absolute. */
	c = accept("[feed a]\nurl = feeds/a.xml\n", "test.conf",
	    "relative config name");
	if (c != NULL && c->nfeeds == 1) {
		snprintf(want, sizeof(want), "file://%s/feeds/a.xml", cwd);
		is_str(want, c->feeds[0].url,
		    "  the feed's file: URL is under the working folder");
	}
	conf_free(c);
	free(cwd);
}

static const char full[] =
    "# A config with every key of every section.\n"		/* 1 */
    "[server]\n"						/* 2 */
    "listen = 0.0.0.0:9000\n"					/* 3 */
    "base_url = https://news.example.org/sluice\n"		/* 4 */
    "title = Papers we care about = the best\n"			/* 5 */
    "page_size = 100\n"						/* 6 */
    "\n"							/* 7 */
    "[store]\n"							/* 8 */
    "path = data/s.db\n"					/* 9 */
    "keep_days = 30\n"						/* 10 */
    "keep_per_feed = 500\n"					/* 11 */
    "\n"							/* 12 */
    "[poll]\n"							/* 13 */
    "interval = 1h\n"						/* 14 */
    "min_interval = 90s\n"					/* 15 */
    "max_interval = 2d\n"					/* 16 */
    "concurrency = 8\n"						/* 17 */
    "per_host = 1\n"						/* 18 */
    "timeout = 45s\n"						/* 19 */
    "max_size = 512K\n"						/* 20 */
    "user_agent = Test/1.0 (+https://example.org/bot)\n"	/* 21 */
    "allow_private = yes\n"					/* 22 */
    "\n"							/* 23 */
    "[feed arxiv-cs.LG]\n"					/* 24 */
    "url = https://export.arxiv.org/rss/cs.LG?x=1&y=2\n"	/* 25 */
    "interval = 2h\n"						/* 26 */
    "tags = papers, ml\n"					/* 27 */
    "title = arXiv cs.LG\n"					/* 28 */
    "[feed local_1]\n"						/* 29 */
    "  url   =   feeds/local.xml  \n"				/* 30 */
    "[feed abs]\n"						/* 31 */
    "url = file:///srv/x.xml\n"					/* 32 */
    "[ feed   rel ]\n"						/* 33 */
    "url = file:../feeds/other.xml\n"				/* 34 */
    "[channel diffusion]\n"					/* 35 */
    "query = diffusion -survey\n"				/* 36 */
    "title = Diffusion and flows\n"				/* 37 */
    "[channel bare]\n"						/* 38 */
    "query = x\n";						/* 39 */

static void
test_full(void)
{
	char path[PATH_MAX + 32], want[PATH_MAX + 64];
	const struct feed_conf *f;
	const struct channel_conf *h;
	struct conf *c;

	snprintf(path, sizeof(path), "%s/test.conf", tmpdir);
	c = accept(full, path, "every key of every section");
	if (c == NULL)
		return;
	is_str(path, c->path, "path");
	is_str(tmpdir, c->dir, "dir");
	is_str("0.0.0.0:9000", c->listen, "listen");
	is_str("https://news.example.org/sluice/", c->base_url,
	    "base_url gets its '/'");
	is_str("Papers we care about = the best", c->title,
	    "title, '=' in the value");
	is_int(100, c->page_size, "page_size");
	snprintf(want, sizeof(want), "%s/data/s.db", tmpdir);
	is_str(want, c->store_path, "store path against the config's folder");
	is_int(30, c->keep_days, "keep_days");
	is_int(500, c->keep_per_feed, "keep_per_feed");
	is_int(3600, c->interval, "interval");
	is_int(90, c->min_interval, "min_interval");
	is_int(2 * DAY, c->max_interval, "max_interval");
	is_int(8, c->concurrency, "concurrency");
	is_int(1, c->per_host, "per_host");
	is_int(45, c->timeout, "timeout");
	is_int(512 * 1024, c->max_size, "max_size");
	is_str("Test/1.0 (+https://example.org/bot)", c->user_agent,
	    "user_agent");
	is_int(1, c->allow_private, "allow_private");

	is_int(4, (long long)c->nfeeds, "four feeds");
	f = conf_feed(c, "arxiv-cs.LG");
	ok(f == &c->feeds[0], "feeds in file order, found by name");
	if (f != NULL) {
		is_str("https://export.arxiv.org/rss/cs.LG?x=1&y=2", f->url,
		    "  url");
		is_int(2 * 3600, f->interval, "  interval");
		is_str("papers, ml", f->tags, "  tags as written");
		is_str("arXiv cs.LG", f->title, "  title");
		is_int(24, f->line, "  line of its header");
	}
	f = conf_feed(c, "local_1");
	if (ok(f != NULL, "feed local_1")) {
		snprintf(want, sizeof(want), "file://%s/feeds/local.xml",
		    tmpdir);
		is_str(want, f->url, "  a plain path against the folder");
		ok(f->title == NULL, "  no title");
		ok(f->tags == NULL, "  no tags");
		is_int(0, f->interval, "  no interval of its own");
		is_int(29, f->line, "  line");
	}
	f = conf_feed(c, "abs");
	if (ok(f != NULL, "feed abs"))
		is_str("file:///srv/x.xml", f->url, "  file:/// as it is");
	f = conf_feed(c, "rel");
	if (ok(f != NULL, "feed rel, spaces in its header")) {
		char *up = strrchr(tmpdir, '/');

		snprintf(want, sizeof(want), "file://%.*s/feeds/other.xml",
		    (int)(up - tmpdir), tmpdir);
		is_str(want, f->url, "  file:../ against the folder");
	}
	ok(conf_feed(c, "ARXIV-CS.LG") == NULL, "feed names are exact");

	is_int(2, (long long)c->nchannels, "two channels");
	h = conf_channel(c, "diffusion");
	if (ok(h != NULL, "channel diffusion")) {
		is_str("diffusion -survey", h->query, "  query");
		is_str("Diffusion and flows", h->title, "  title");
		is_int(35, h->line, "  line");
	}
	h = conf_channel(c, "bare");
	if (ok(h != NULL, "channel bare")) {
		is_str("x", h->query, "  query");
		ok(h->title == NULL, "  no title");
	}
	ok(conf_channel(c, "arxiv-cs.LG") == NULL,
	    "channels and feeds are apart");
	conf_free(c);
}

static void
test_values(void)
{
	static const struct {
		const char	*v;
		int		 want;
	} bools[] = {
		{ "yes", 1 }, { "no", 0 }, { "true", 1 }, { "false", 0 },
		{ "on", 1 }, { "off", 0 }, { "1", 1 }, { "0", 0 },
		{ "YES", 1 }, { "No", 0 }, { "True", 1 }, { "OFF", 0 },
	};
	struct conf *c;
	char text[256];

	for (size_t i = 0; i < NITEMS(bools); i++) {
		snprintf(text, sizeof(text), "[poll]\nallow_private = %s\n",
		    bools[i].v);
		c = accept(text, "test.conf", bools[i].v);
		if (c != NULL)
			is_int(bools[i].want, c->allow_private,
			    "  allow_private = %s", bools[i].v);
		conf_free(c);
	}

	c = accept("[server]\r\nlisten = [::1]:8081\r\npage_size = 500\r\n"
	    "[store]\r\npath = /var/lib/sluice/s.db\r\n",
	    "test.conf", "CRLF lines");
	if (c != NULL) {
		is_str("[::1]:8081", c->listen, "  an IPv6 listen");
		is_str("http://[::1]:8081/", c->base_url, "  its base_url");
		is_int(500, c->page_size, "  page_size at its maximum");
		is_str("/var/lib/sluice/s.db", c->store_path,
		    "  an absolute store path as it is");
	}
	conf_free(c);

	c = accept("[server]\nlisten = 8090\n", "test.conf", "listen = PORT");
	if (c != NULL) {
		is_str("8090", c->listen, "  listen");
		is_str("http://127.0.0.1:8090/", c->base_url,
		    "  base_url names the address listened on");
	}
	conf_free(c);

	c = accept("[server]\nbase_url = http://example.org\ntitle =\n",
	    "test.conf", "base_url without a path, empty title");
	if (c != NULL) {
		is_str("http://example.org/", c->base_url, "  base_url");
		is_str("", c->title, "  an empty title");
	}
	conf_free(c);

	/* A section may come back, as long as no key is set twice. */
	c = accept("[poll]\ninterval = 1h\n[server]\n[poll]\ntimeout = 5s\n",
	    "test.conf", "a section twice");
	if (c != NULL) {
		is_int(3600, c->interval, "  its first half");
		is_int(5, c->timeout, "  its second half");
	}
	conf_free(c);

	/* The same key in two feeds is no duplicate. */
	c = accept("[feed a]\nurl = http://a.example/\ninterval = 1h\n"
	    "[feed b]\nurl = http://b.example/\ninterval = 2h\n",
	    "test.conf", "the same keys in two feeds");
	if (c != NULL && c->nfeeds == 2) {
		is_int(3600, c->feeds[0].interval, "  feed a");
		is_int(7200, c->feeds[1].interval, "  feed b");
	}
	conf_free(c);

	/* Names: 64 characters and the allowed punctuation. */
	c = accept("[feed " N64 "]\nurl = http://x.example/\n"
	    "[channel A.b_c-9]\nquery = x\n", "test.conf", "names");
	if (c != NULL) {
		is_int(64, (long long)strlen(c->feeds[0].name),
		    "  a 64-character name");
		ok(conf_channel(c, "A.b_c-9") != NULL, "  '.', '_', '-'");
	}
	conf_free(c);

	/* Ranges hold at both ends. */
	c = accept("[server]\npage_size = 1\nworkers = 64\n"
	    "max_connections = 1\nrequest_timeout = 1h\n"
	    "idle_timeout = 1s\nquery_timeout = 1m\n[store]\n"
	    "keep_days = 0\n"
	    "keep_per_feed = 0\n[poll]\ninterval = 1s\nmin_interval = 1\n"
	    "max_interval = 365d\nconcurrency = 10000\nper_host = 1000\n"
	    "timeout = 1h\nmax_size = 1K\n", "test.conf", "range ends");
	if (c != NULL) {
		is_int(1, c->page_size, "  page_size 1");
		is_int(64, c->workers, "  workers 64");
		is_int(1, c->max_connections, "  max_connections 1");
		is_int(3600, c->request_timeout, "  request_timeout 1h");
		is_int(1, c->idle_timeout, "  idle_timeout 1s");
		is_int(60000, c->query_timeout, "  query_timeout 1m");
		is_int(365 * DAY, c->max_interval, "  max_interval 365d");
		is_int(3600, c->timeout, "  timeout 1h");
		is_int(1024, c->max_size, "  max_size 1K");
	}
	conf_free(c);
}

static const struct ecase ecases[] = {
	{ "unknown section",
	    "[server]\n[sevrer]\nlisten = 1.2.3.4:80\ntitle = x\n",
	    "test.conf:2: unknown section [sevrer]\n" },
	{ "a misspelt section",
	    "[includ]\n",
	    "test.conf:1: unknown section [includ]\n" },
	{ "unknown key",
	    "[server]\nport = 80\n",
	    "test.conf:2: unknown key \"port\" in [server]\n" },
	{ "a key of another section",
	    "[poll]\nlisten = 1.2.3.4:80\n",
	    "test.conf:2: unknown key \"listen\" in [poll]\n" },
	{ "a key in the wrong kind of feed section",
	    "[channel c]\nquery = x\nurl = http://x.example/\n",
	    "test.conf:3: unknown key \"url\" in [channel]\n" },
	{ "keys are case-sensitive",
	    "[server]\nListen = 1.2.3.4:80\n",
	    "test.conf:2: unknown key \"Listen\" in [server]\n" },
	{ "key outside a section",
	    "listen = 1.2.3.4:80\n[server]\n",
	    "test.conf:1: setting outside of a section\n" },
	{ "duplicate key",
	    "[poll]\ninterval = 1h\ninterval = 2h\n",
	    "test.conf:3: interval is set twice\n" },
	{ "duplicate key across a repeated section",
	    "[poll]\ninterval = 1h\n[server]\n[poll]\ninterval = 2h\n",
	    "test.conf:5: interval is set twice\n" },
	{ "duplicate key in a feed",
	    "[feed a]\nurl = http://x.example/\nurl = http://y.example/\n",
	    "test.conf:3: url is set twice\n" },
	{ "duplicate feed name",
	    "[feed a]\nurl = http://x.example/\n"
	    "[feed a]\nurl = http://y.example/\n",
	    "test.conf:3: duplicate feed name \"a\"\n" },
	{ "duplicate channel name",
	    "[channel c]\nquery = x\n[channel c]\nquery = y\n",
	    "test.conf:3: duplicate channel name \"c\"\n" },
	{ "bad name with a space",
	    "[feed my feed]\nurl = http://x.example/\n",
	    "test.conf:1: bad name \"my feed\" (letters, digits, '.', '_' "
	    "and '-', at most 64)\n" },
	{ "bad name with a slash",
	    "[channel a/b]\nquery = x\n",
	    "test.conf:1: bad name \"a/b\" (letters, digits, '.', '_' "
	    "and '-', at most 64)\n" },
	{ "bad name, 65 characters",
	    "[feed " N65 "]\nurl = http://x.example/\n",
	    "test.conf:1: bad name \"" N65 "\" (letters, digits, '.', '_' "
	    "and '-', at most 64)\n" },
	{ "an invalid url is not also a missing url",
	    "[feed a]\nurl = ftp://x.example/\n[feed b]\nurl = nope:x\n",
	    "test.conf:2: url: unsupported URL scheme (http, https and file "
	    "only): ftp://x.example/\n"
	    "test.conf:4: url: unsupported URL scheme (http, https and file "
	    "only): nope:x\n" },
	{ "a bad header does not make its keys errors",
	    "[feed bad name]\nurl = http://x.example/\ntitle = T\n"
	    "[feed ok]\nurl = http://x.example/\n",
	    "test.conf:1: bad name \"bad name\" (letters, digits, '.', '_' "
	    "and '-', at most 64)\n" },
	{ "feed without a name",
	    "[feed]\nurl = http://x.example/\n",
	    "test.conf:1: [feed] needs a name, like [feed NAME]\n" },
	{ "server with a name",
	    "[server main]\nlisten = 80\n",
	    "test.conf:1: [server] takes no name\n" },
	{ "feed without url",
	    "[feed a]\ntitle = A\n\n[feed b]\nurl = http://x.example/\n",
	    "test.conf:1: feed \"a\" has no url\n" },
	{ "channel without query",
	    "\n[channel c]\ntitle = C\n",
	    "test.conf:2: channel \"c\" has no query\n" },
	{ "min_interval > max_interval",
	    "[poll]\nmin_interval = 2h\nmax_interval = 1h\ntimeout = 5s\n",
	    "test.conf:3: min_interval is longer than max_interval\n" },
	{ "min_interval > max_interval, max first",
	    "[poll]\nmax_interval = 1h\nmin_interval = 2h\n\n\n",
	    "test.conf:3: min_interval is longer than max_interval\n" },
	{ "min_interval > the default max_interval",
	    "[poll]\nmin_interval = 2d\n[server]\ntitle = x\n",
	    "test.conf:2: min_interval is longer than max_interval\n" },
	{ "page_size 0",
	    "[server]\npage_size = 0\n",
	    "test.conf:2: page_size: 0 is out of range\n" },
	{ "page_size 501",
	    "[server]\npage_size = 501\n",
	    "test.conf:2: page_size: 501 is out of range\n" },
	{ "workers 0",
	    "[server]\nworkers = 0\n",
	    "test.conf:2: workers: 0 is out of range\n" },
	{ "max_connections 0",
	    "[server]\nmax_connections = 0\n",
	    "test.conf:2: max_connections: 0 is out of range\n" },
	{ "request_timeout 2h",
	    "[server]\nrequest_timeout = 2h\n",
	    "test.conf:2: request_timeout: 2h is out of range\n" },
	{ "query_timeout 9ms",
	    "[server]\nquery_timeout = 9ms\n",
	    "test.conf:2: query_timeout: 9ms is out of range\n" },
	{ "query_timeout 61s",
	    "[server]\nquery_timeout = 61s\n",
	    "test.conf:2: query_timeout: 61s is out of range\n" },
	{ "query_timeout 2x",
	    "[server]\nquery_timeout = 2x\n",
	    "test.conf:2: query_timeout: not a duration (like 250ms, 2s): "
	    "2x\n" },
	{ "workers 65",
	    "[server]\nworkers = 65\n",
	    "test.conf:2: workers: 65 is out of range\n" },
	{ "keep_days -1",
	    "[store]\nkeep_days = -1\n",
	    "test.conf:2: keep_days: -1 is out of range\n" },
	{ "concurrency 0",
	    "[poll]\nconcurrency = 0\n",
	    "test.conf:2: concurrency: 0 is out of range\n" },
	{ "per_host 1001",
	    "[poll]\nper_host = 1001\n",
	    "test.conf:2: per_host: 1001 is out of range\n" },
	{ "timeout 2h",
	    "[poll]\ntimeout = 2h\n",
	    "test.conf:2: timeout: 2h is out of range\n" },
	{ "interval 0",
	    "[poll]\ninterval = 0\n",
	    "test.conf:2: interval: 0 is out of range\n" },
	{ "a feed's interval past a year",
	    "[feed a]\nurl = http://x.example/\ninterval = 53w\n",
	    "test.conf:3: interval: 53w is out of range\n" },
	{ "max_size 512",
	    "[poll]\nmax_size = 512\n",
	    "test.conf:2: max_size: 512 is out of range\n" },
	{ "max_size 2G",
	    "[poll]\nmax_size = 2G\n",
	    "test.conf:2: max_size: 2G is out of range\n" },
	{ "not a number",
	    "[server]\npage_size = ten\n",
	    "test.conf:2: page_size: not a number: ten\n" },
	{ "a number with a unit",
	    "[store]\nkeep_days = 90d\n",
	    "test.conf:2: keep_days: not a number: 90d\n" },
	{ "a number past int64",
	    "[store]\nkeep_per_feed = 99999999999999999999\n",
	    "test.conf:2: keep_per_feed: not a number: "
	    "99999999999999999999\n" },
	{ "bad duration 5x",
	    "[poll]\ninterval = 5x\n",
	    "test.conf:2: interval: not a duration (like 90s, 30m, 2h, 7d): "
	    "5x\n" },
	{ "bad duration 1.5h",
	    "[poll]\ntimeout = 1.5h\n",
	    "test.conf:2: timeout: not a duration (like 90s, 30m, 2h, 7d): "
	    "1.5h\n" },
	{ "bad duration -1m",
	    "[feed a]\nurl = http://x.example/\ninterval = -1m\n",
	    "test.conf:3: interval: not a duration (like 90s, 30m, 2h, 7d): "
	    "-1m\n" },
	{ "empty duration",
	    "[poll]\ninterval =\n",
	    "test.conf:2: interval: empty value\n" },
	{ "bad size",
	    "[poll]\nmax_size = 10X\n",
	    "test.conf:2: max_size: not a size (like 512K, 10M): 10X\n" },
	{ "bad boolean",
	    "[poll]\nallow_private = maybe\n",
	    "test.conf:2: allow_private: not yes or no: maybe\n" },
	{ "bad listen, no port",
	    "[server]\nlisten = localhost\n",
	    "test.conf:2: listen: not ADDR:PORT: localhost\n" },
	{ "bad listen, no address",
	    "[server]\nlisten = :8080\n",
	    "test.conf:2: listen: not ADDR:PORT: :8080\n" },
	{ "bad listen, port past 65535",
	    "[server]\nlisten = 127.0.0.1:65536\n",
	    "test.conf:2: listen: not ADDR:PORT: 127.0.0.1:65536\n" },
	{ "bad listen, unclosed IPv6",
	    "[server]\nlisten = [::1:8080\n",
	    "test.conf:2: listen: not ADDR:PORT: [::1:8080\n" },
	{ "bad base_url",
	    "[server]\nbase_url = ftp://example.org/\n",
	    "test.conf:2: base_url: not an http(s) URL: ftp://example.org/\n" },
	{ "feed url with an unsupported scheme",
	    "[feed a]\nurl = ftp://example.org/feed.xml\n",
	    "test.conf:2: url: unsupported URL scheme (http, https and file "
	    "only): ftp://example.org/feed.xml\n" },
	{ "feed url javascript:",
	    "[feed a]\nurl = javascript:alert(1)\n",
	    "test.conf:2: url: unsupported URL scheme (http, https and file "
	    "only): javascript:alert(1)\n" },
	{ "empty feed url",
	    "[feed a]\nurl =\n",
	    "test.conf:2: url: empty value\n" },
	{ "malformed section header, no ']'",
	    "[server\nlisten = 80\n",
	    "test.conf:1: malformed section header\n" },
	{ "malformed section header, text after ']'",
	    "[server] x\n",
	    "test.conf:1: malformed section header\n" },
	{ "empty section header",
	    "[]\n",
	    "test.conf:1: unknown section []\n" },
	{ "missing '='",
	    "[server]\nlisten\n",
	    "test.conf:2: expected KEY = VALUE\n" },
	{ "missing '=' under a bad header is still reported",
	    "[nope]\ntitle = x\nbroken line\n",
	    "test.conf:1: unknown section [nope]\n"
	    "test.conf:3: expected KEY = VALUE\n" },
	{ "three distinct errors",
	    "[server]\n"			/* 1 */
	    "page_size = 0\n"			/* 2 */
	    "\n"				/* 3 */
	    "[poll]\n"				/* 4 */
	    "colour = red\n"			/* 5 */
	    "interval = 1h\n"			/* 6 */
	    "[feed x y]\n",			/* 7 */
	    "test.conf:2: page_size: 0 is out of range\n"
	    "test.conf:5: unknown key \"colour\" in [poll]\n"
	    "test.conf:7: bad name \"x y\" (letters, digits, '.', '_' and "
	    "'-', at most 64)\n" },
	{ "every error, in order",
	    "title = early\n"				/* 1 */
	    "[server]\n"				/* 2 */
	    "listen = nowhere\n"			/* 3 */
	    "listen = 1.2.3.4:80\n"			/* 4 */
	    "[poll]\n"					/* 5 */
	    "interval = soon\n"				/* 6 */
	    "min_interval = 2d\n"			/* 7 */
	    "max_interval = 1d\n"			/* 8 */
	    "[feed a]\n"				/* 9 */
	    "tags = x\n"				/* 10 */
	    "[feed a]\n"				/* 11 */
	    "url = gopher://x.example/\n"		/* 12 */
	    "[channel c]\n"				/* 13 */
	    "query\n"					/* 14 */
	    "[sever]\n"					/* 15 */
	    "listen = 1.2.3.4:80\n",			/* 16 */
	    "test.conf:1: setting outside of a section\n"
	    "test.conf:3: listen: not ADDR:PORT: nowhere\n"
	    "test.conf:4: listen is set twice\n"
	    "test.conf:6: interval: not a duration (like 90s, 30m, 2h, 7d): "
	    "soon\n"
	    "test.conf:8: min_interval is longer than max_interval\n"
	    "test.conf:9: feed \"a\" has no url\n"
	    "test.conf:11: duplicate feed name \"a\"\n"
	    "test.conf:12: url: unsupported URL scheme (http, https and file "
	    "only): gopher://x.example/\n"
	    "test.conf:13: channel \"c\" has no query\n"
	    "test.conf:14: expected KEY = VALUE\n"
	    "test.conf:15: unknown section [sever]\n" },
};

static void
test_errors(void)
{
	struct buf errs = { 0 };
	struct conf *c;

	for (size_t i = 0; i < NITEMS(ecases); i++)
		refuse(ecases[i].text, ecases[i].errs, ecases[i].what);

	/* Errors are appended to what errs already holds. */
	buf_puts(&errs, "before\n");
	c = conf_parse("[x]\n", "other.conf", &errs);
	ok(c == NULL, "errors appended: refused");
	is_str("before\nother.conf:1: unknown section [x]\n", errs.data,
	    "errors appended, named by the given path");
	buf_free(&errs);
}

static void
test_interval(void)
{
	struct conf *c;

	c = accept("[poll]\ninterval = 1h\nmin_interval = 10m\n"
	    "max_interval = 6h\n"
	    "[feed dflt]\nurl = http://x.example/\n"
	    "[feed own]\nurl = http://x.example/\ninterval = 2h\n"
	    "[feed fast]\nurl = http://x.example/\ninterval = 30s\n"
	    "[feed slow]\nurl = http://x.example/\ninterval = 1w\n"
	    "[feed low]\nurl = http://x.example/\ninterval = 10m\n"
	    "[feed high]\nurl = http://x.example/\ninterval = 6h\n",
	    "test.conf", "feed intervals");
	if (c == NULL)
		return;
	is_int(3600, conf_feed_interval(c, conf_feed(c, "dflt")),
	    "no interval of its own: [poll] interval");
	is_int(7200, conf_feed_interval(c, conf_feed(c, "own")),
	    "its own interval");
	is_int(600, conf_feed_interval(c, conf_feed(c, "fast")),
	    "too fast: min_interval");
	is_int(6 * 3600, conf_feed_interval(c, conf_feed(c, "slow")),
	    "too slow: max_interval");
	is_int(600, conf_feed_interval(c, conf_feed(c, "low")),
	    "at min_interval");
	is_int(6 * 3600, conf_feed_interval(c, conf_feed(c, "high")),
	    "at max_interval");
	conf_free(c);

	c = accept("[poll]\ninterval = 1m\n[feed a]\nurl = http://x.example/\n",
	    "test.conf", "[poll] interval below min_interval");
	if (c != NULL)
		is_int(300, conf_feed_interval(c, &c->feeds[0]),
		    "  clamped to the default min_interval");
	conf_free(c);

	c = accept("[poll]\ninterval = 3d\n[feed a]\nurl = http://x.example/\n",
	    "test.conf", "[poll] interval above max_interval");
	if (c != NULL)
		is_int(DAY, conf_feed_interval(c, &c->feeds[0]),
		    "  clamped to the default max_interval");
	conf_free(c);
}

static int
write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	if (fwrite(text, 1, len, f) != len) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

static void
test_load(void)
{
	char path[PATH_MAX + 32], want[PATH_MAX + 128];
	static const char text[] = "[store]\npath = s.db\n"
	    "[feed a]\nurl = file:feeds/a.xml\n";
	static const char bad[] = "[store]\npath = s.db\n\n[poll]\nx = 1\n";
	struct buf errs = { 0 };
	struct conf *c;

	/* A missing file. */
	snprintf(path, sizeof(path), "%s/missing.conf", tmpdir);
	c = conf_load(path, &errs);
	ok(c == NULL, "a missing file is refused");
	snprintf(want, sizeof(want),
	    "%s:0: cannot open: No such file or directory\n", path);
	is_str(want, errs.data, "  with one line");
	buf_free(&errs);

	/* A folder. */
	c = conf_load(tmpdir, &errs);
	ok(c == NULL, "a folder is refused");
	snprintf(want, sizeof(want), "%s:0: cannot read: Is a directory\n",
	    tmpdir);
	is_str(want, errs.data, "  with one line");
	buf_free(&errs);

	/* A real file: paths against its folder. */
	snprintf(path, sizeof(path), "%s/sluice.conf", tmpdir);
	if (!ok(write_file(path, text, strlen(text)) == 0, "write %s", path))
		return;
	c = conf_load(path, &errs);
	ok(c != NULL && errs.len == 0, "conf_load of a good file");
	if (c != NULL) {
		is_str(path, c->path, "  its path");
		is_str(tmpdir, c->dir, "  its folder");
		snprintf(want, sizeof(want), "%s/s.db", tmpdir);
		is_str(want, c->store_path, "  the store beside it");
		snprintf(want, sizeof(want), "file://%s/feeds/a.xml", tmpdir);
		is_str(want, c->feeds[0].url, "  file: URL beside it");
	}
	conf_free(c);
	buf_free(&errs);

	/* A bad file: errors name the path as given. */
	if (write_file(path, bad, strlen(bad)) != 0)
		diag("cannot write %s", path);
	c = conf_load(path, &errs);
	ok(c == NULL, "conf_load of a bad file");
	snprintf(want, sizeof(want), "%s:5: unknown key \"x\" in [poll]\n",
	    path);
	is_str(want, errs.data, "  its error names file and line");
	buf_free(&errs);

	/* A NUL byte. */
	if (write_file(path, "[poll]\0x", 8) != 0)
		diag("cannot write %s", path);
	c = conf_load(path, &errs);
	ok(c == NULL, "a file with a NUL byte is refused");
	snprintf(want, sizeof(want), "%s:0: file contains a NUL byte\n", path);
	is_str(want, errs.data, "  with one line");
	buf_free(&errs);
	unlink(path);
}

static void
put(const char *path, const char *text)
{
	if (write_file(path, text, strlen(text)) != 0)
		diag("cannot write %s", path);
}

/* [include] opml: feeds from OPML files, their errors at FILE:LINE. */
static void
test_opml(void)
{
	static const char a[] =
	    "<?xml version=\"1.0\"?>\n"
	    "<opml version=\"2.0\"><head><title>Mine</title></head><body>\n"
	    "<outline text=\"Tech\">\n"
	    "  <outline type=\"rss\" text=\"Hacker News\" "
	    "title=\"Hacker News!\" xmlUrl=\"https://hn.example/rss\" "
	    "category=\"/tech, /news/daily\"/>\n"
	    "  <outline type=\"rss\" text=\"blog\" "
	    "xmlUrl=\"feeds/blog.xml\"/>\n"
	    "</outline>\n"
	    "<outline text=\"a folder, no feed\"/>\n"
	    "</body></opml>\n";
	static const char b[] =
	    "<opml version=\"1.0\"><body>\n"
	    "<outline text=\"Überblick: Papers\" "
	    "xmlUrl=\"http://papers.example/atom\"/>\n"
	    "</body></opml>\n";
	char dir[PATH_MAX + 16], path[PATH_MAX + 64], want[PATH_MAX * 5];
	struct buf errs = { 0 };
	struct conf *c;

	snprintf(dir, sizeof(dir), "%s/opml", tmpdir);
	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/a.opml", dir);
	put(path, a);
	snprintf(path, sizeof(path), "%s/b.opml", dir);
	put(path, b);
	snprintf(path, sizeof(path), "%s/sluice.conf", tmpdir);
	put(path, "[include]\nopml = opml/*.opml\n"
	    "[feed own]\nurl = https://own.example/feed\n");
	c = conf_load(path, &errs);
	if (ok(c != NULL && c->nfeeds == 4, "[include] opml = opml/*.opml: "
	    "4 feeds (%s)", errs.data ? errs.data : "")) {
		is_str("Hacker-News", c->feeds[0].name, "  named from the "
		    "outline's text");
		is_str("Hacker News!", c->feeds[0].title, "  titled from its "
		    "title");
		is_str("https://hn.example/rss", c->feeds[0].url, "  its "
		    "xmlUrl");
		is_str("tech, news/daily", c->feeds[0].tags, "  its categories "
		    "as tags");
		is_str("blog", c->feeds[1].name, "  a text that is a name");
		ok(c->feeds[1].title == NULL, "  keeps no title");
		snprintf(want, sizeof(want), "file://%s/feeds/blog.xml", dir);
		is_str(want, c->feeds[1].url, "  a relative xmlUrl against "
		    "the OPML file's folder");
		is_str("berblick-Papers", c->feeds[2].name, "  a second file, "
		    "matched by the glob");
		is_str("Überblick: Papers", c->feeds[2].title, "  its text "
		    "as the title");
		is_str("own", c->feeds[3].name, "  and the config's own feed");
	}
	conf_free(c);
	buf_free(&errs);

	/* Nothing matches; a file that is not OPML; bad outlines; clashes. */
	put(path, "[include]\nopml = nothing/*.opml\n");
	c = conf_load(path, &errs);
	snprintf(want, sizeof(want), "%s:2: opml: no file matches "
	    "nothing/*.opml\n", path);
	ok(c == NULL, "an include that matches nothing is refused");
	is_str(want, errs.data, "  saying so");
	buf_free(&errs);
	snprintf(want, sizeof(want), "%s/c.opml", dir);
	put(want, "<rss/>");
	put(path, "[include]\nopml = opml/c.opml\n");
	c = conf_load(path, &errs);
	snprintf(want, sizeof(want), "%s:2: opml: %s/c.opml is not an OPML "
	    "document\n", path, dir);
	ok(c == NULL, "a file that is not OPML is refused");
	is_str(want, errs.data, "  saying which");
	buf_free(&errs);
	snprintf(want, sizeof(want), "%s/c.opml", dir);
	put(want, "<opml><body>\n<outline text=\"x\" xmlUrl=\"ftp://"
	    "x.example/\"/>\n<outline xmlUrl=\"https://y.example/\"/>\n"
	    "<outline text=\"blog\" xmlUrl=\"https://z.example/\"/>\n"
	    "</body></opml>\n");
	put(path, "[include]\nopml = opml/c.opml\n[feed blog]\n"
	    "url = https://b.example/\n");
	c = conf_load(path, &errs);
	{
		struct buf w = { 0 };

		buf_printf(&w, "%s:2: %s/c.opml:2: outline \"x\": xmlUrl: "
		    "unsupported URL scheme (http, https and file only): "
		    "ftp://x.example/\n"
		    "%s:2: %s/c.opml:3: an outline with no text or title to "
		    "name its feed\n"
		    "%s:3: duplicate feed name \"blog\"\n", path, dir, path,
		    dir, path);
		ok(c == NULL, "bad outlines and a clash are refused");
		is_str(w.data, errs.data, "  every one, with the OPML file "
		    "and line");
		buf_free(&w);
	}
	buf_free(&errs);
	unlink(path);
}

/*
 * Row 64: a config of 10,000 feeds loads, every one of them, with its
 * name and URL; one more of them twice by name is refused by name.
 */
static void
test_many(void)
{
	struct buf b = { 0 }, errs = { 0 };
	struct conf *c;

	for (int i = 0; i < 10000; i++)
		buf_printf(&b, "[feed f%05d]\nurl = https://host%d.example/"
		    "feed/%d.xml\ninterval = 0s\n", i, i % 97, i);
	/* interval 0 is an error: the same 10,000 without it load. */
	c = conf_parse(b.data, "many.conf", &errs);
	ok(c == NULL, "row 64: 10,000 feeds of interval 0 are refused");
	conf_free(c);
	buf_reset(&b);
	for (int i = 0; i < 10000; i++)
		buf_printf(&b, "[feed f%05d]\nurl = https://host%d.example/"
		    "feed/%d.xml\n", i, i % 97, i);
	c = accept(b.data, "many.conf", "row 64: 10,000 feeds");
	if (c != NULL) {
		is_int(10000, (long long)c->nfeeds, "  all 10,000 of them");
		is_str("f09999", c->feeds[9999].name, "  the last by its name");
		is_str("https://host8.example/feed/9999.xml",
		    c->feeds[9999].url, "  and URL");
	}
	conf_free(c);
	buf_printf(&b, "[feed f04321]\nurl = https://again.example/\n");
	buf_reset(&errs);
	c = conf_parse(b.data, "many.conf", &errs);
	ok(c == NULL && errs.data != NULL && strstr(errs.data, "f04321") !=
	    NULL, "  a 10,001st named as the 4,322nd is refused, by name");
	conf_free(c);
	buf_free(&b);
	buf_free(&errs);
}

int
main(void)
{
	char tmpl[] = "/tmp/t_conf.XXXXXX", *real;

	if (mkdtemp(tmpl) == NULL || (real = realpath(tmpl, NULL)) == NULL) {
		diag("mkdtemp failed");
		return 1;
	}
	snprintf(tmpdir, sizeof(tmpdir), "%s", real);
	free(real);

	test_units();
	test_defaults();
	test_full();
	test_values();
	test_errors();
	test_interval();
	test_load();
	test_opml();
	test_many();
	{
		char cmd[PATH_MAX + 16];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			diag("could not remove %s", tmpdir);
	}
	return done_testing();
}
