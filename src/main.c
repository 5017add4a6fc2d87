/*
 * main.c - subcommands, start-up and teardown.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <libxml/parser.h>
#include <sqlite3.h>

#include "buf.h"
#include "conf.h"
#include "date.h"
#include "decode.h"
#include "fetch.h"
#include "log.h"
#include "parse.h"
#include "query.h"
#include "render.h"
#include "server.h"
#include "store.h"
#include "url.h"

#define MAX_DOC	(64 << 20)	/* `sluice parse` fetches at most this */
#define CHUNK	(256 << 10)	/* and reads files in pieces this big */

static const char usage_text[] =
    "usage: sluice serve  [-v] [-c FILE] [-l ADDR:PORT]\n"
    "       sluice poll   [-v] [-c FILE] [NAME...]\n"
    "       sluice parse  [--json] FILE|URL|- ...\n"
    "       sluice query  [-c FILE] [-f atom|rss|json|text] [QUERY]\n"
    "       sluice check  [-s] [-c FILE]\n"
    "       sluice feeds  [-c FILE] [--json]\n"
    "       sluice export [-c FILE]\n"
    "       sluice --help | --version\n";

static int
usage(int status)
{
	fputs(usage_text, status ? stderr : stdout);
	return status;
}

static int
file_exists(const char *path)
{
	return access(path, R_OK) == 0;
}

/*
 * Without -c: $SLUICE_CONFIG, else sysconfdir/sluice.conf, else
 * etc/sluice.conf beside the build tree the binary was run from.
 */
static char *
find_config(const char *given)
{
	char exe[PATH_MAX], *slash;
	const char *env = getenv("SLUICE_CONFIG");
	struct buf b = { 0 };
	ssize_t n;

	if (given != NULL)
		return xstrdup(given);
	if (env != NULL && *env != '\0')
		return xstrdup(env);
	if (file_exists(SYSCONFDIR "/sluice.conf"))
		return xstrdup(SYSCONFDIR "/sluice.conf");
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL)
			*slash = '\0';
		buf_printf(&b, "%s/../etc/sluice.conf", exe);
		if (file_exists(b.data))
			return buf_steal(&b);
		buf_reset(&b);
		buf_printf(&b, "%s/etc/sluice.conf", exe);
		if (file_exists(b.data))
			return buf_steal(&b);
		buf_free(&b);
	}
	return xstrdup(SYSCONFDIR "/sluice.conf");
}

/* Loads the config and checks what conf cannot: the channel queries. */
static struct conf *
load_config(const char *given)
{
	char *path = find_config(given);
	struct buf errs = { 0 };
	struct conf *c = conf_load(path, &errs);
	struct query q;
	char err[256];

	if (c != NULL)
		for (size_t i = 0; i < c->nchannels; i++) {
			if (query_parse(c->channels[i].query, &q, err,
			    sizeof(err)) == -1)
				buf_printf(&errs, "%s:%d: channel %s: bad "
				    "query: %s\n", path, c->channels[i].line,
				    c->channels[i].name, err);
			query_clear(&q);
		}
	if (errs.len > 0) {
		for (char *line = errs.data; *line != '\0';) {
			size_t len = strcspn(line, "\n");

			fprintf(stderr, "sluice: %.*s\n", (int)len, line);
			line += len + (line[len] != '\0');
		}
		conf_free(c);
		c = NULL;
	}
	buf_free(&errs);
	free(path);
	return c;
}

static int
cmd_check(int argc, char **argv)
{
	const char *cfg = NULL;
	struct conf *c;
	struct store *s;
	char err[512] = "";
	int ch, store = 0, rc = 0;

	while ((ch = getopt(argc, argv, "c:s")) != -1)
		if (ch == 'c')
			cfg = optarg;
		else if (ch == 's')
			store = 1;
		else
			return usage(2);
	if (optind != argc)
		return usage(2);
	if ((c = load_config(cfg)) == NULL)
		return 1;
	printf("configuration OK\n");
	if (store) {
		/* Every page read: damage the open leaves unseen shows here. */
		if ((s = store_open(c->store_path, err, sizeof(err))) == NULL) {
			log_warnx("store: %s", err);
			rc = 1;
		} else if (store_check(s, err, sizeof(err)) == -1) {
			log_warnx("store: %s: %s", c->store_path, err);
			rc = 1;
		} else
			printf("store OK\n");
		store_close(s);
	}
	conf_free(c);
	return rc;
}

static int
cmd_serve(int argc, char **argv)
{
	const char *cfg = NULL, *listen = NULL;
	struct conf *c;
	int ch, rc, verbose = 0;

	while ((ch = getopt(argc, argv, "c:l:v")) != -1)
		switch (ch) {
		case 'c': cfg = optarg; break;
		case 'l': listen = optarg; break;
		case 'v': verbose = 1; break;
		default: return usage(2);
		}
	if (optind != argc)
		return usage(2);
	hup_blocked(1);		/* until the loop handles it */
	log_init(verbose);
	if ((c = load_config(cfg)) == NULL)
		return 1;
	rc = server_serve(c, listen);
	conf_free(c);
	return rc;
}

static int
cmd_poll(int argc, char **argv)
{
	const char *cfg = NULL;
	struct conf *c;
	int ch, rc, verbose = 0;

	while ((ch = getopt(argc, argv, "c:v")) != -1)
		switch (ch) {
		case 'c': cfg = optarg; break;
		case 'v': verbose = 1; break;
		default: return usage(2);
		}
	log_init(verbose);
	if ((c = load_config(cfg)) == NULL)
		return 1;
	rc = server_poll(c, argv + optind, (size_t)(argc - optind));
	conf_free(c);
	return rc;
}

struct got {
	struct buf	 body;
	char		 error[256];
	char		*url;
	char		 charset[64];
	int		 ok;
};

static void
got_url(const struct fetch_result *r, void *arg)
{
	struct got *g = arg;

	g->ok = r->ok && r->status != 304;
	snprintf(g->error, sizeof(g->error), "%s", r->error);
	buf_append(&g->body, r->body.data ? r->body.data : "", r->body.len);
	free(g->url);
	g->url = r->url ? xstrdup(r->url) : NULL;
	if (decode_content_type_charset(r->content_type, g->charset,
	    sizeof(g->charset)) == -1)
		g->charset[0] = '\0';
}

/* Fetches one URL through the same fetcher as the daemon. */
static int
read_url(const char *url, struct got *g)
{
	struct event_base *base = event_base_new();
	/* The person at the terminal chose the URL: private is fine. */
	struct fetch_opts fo = { PACKAGE_NAME "/" PACKAGE_VERSION, 30,
	    MAX_DOC, 1, NULL };
	struct fetcher *f = fetcher_new(base, &fo);

	if (fetch_start(f, url, NULL, NULL, got_url, g) == 0)
		event_base_dispatch(base);
	else
		snprintf(g->error, sizeof(g->error), "cannot start transfer");
	fetcher_free(f);
	event_base_free(base);
	return g->ok ? 0 : -1;
}

/* What `sluice parse` prints, as the entries come. */
struct printer {
	struct feed_parser	*parser;
	struct json_out		*json;	/* NULL: one text line per entry */
	struct buf		 out;
	size_t			 n;
	int			 failed;
};

static void
flush_out(struct printer *pr, int force)
{
	if (pr->out.len > 0 && (force || pr->out.len > 65536)) {
		fwrite(pr->out.data, 1, pr->out.len, stdout);
		buf_reset(&pr->out);
	}
}

static int
print_entry(const struct entry *e, void *arg)
{
	struct printer *pr = arg;
	char date[DATE_BUFSZ];
	int64_t t = e->published != DATE_NONE ? e->published : e->updated;

	if (pr->json != NULL) {
		if (pr->n == 0 ? json_out_open(pr->json,
		    feed_parser_format(pr->parser), &pr->out) : 0)
			pr->failed = 1;
		if (pr->n > 0)
			buf_puts(&pr->out, ",");
		if (json_out_entry(pr->json, e, &pr->out) == -1)
			pr->failed = 1;
	} else {
		buf_puts(&pr->out, t != DATE_NONE ? date_format(t, date) : "-");
		buf_puts(&pr->out, "\t");
		buf_puts(&pr->out, e->title ? e->title : "");
		buf_puts(&pr->out, "\t");
		buf_puts(&pr->out, e->link ? e->link : "");
		buf_puts(&pr->out, "\n");
	}
	pr->n++;
	flush_out(pr, 0);
	return pr->failed ? -1 : 0;
}

/* Streams a local file (or stdin) into the parser. */
static int
push_file(const char *path, struct feed_parser *p, char *err, size_t errlen)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char *chunk = xmalloc(CHUNK);
	size_t n;
	int rc = 0;

	if (f == NULL) {
		snprintf(err, errlen, "%s", strerror(errno));
		free(chunk);
		return -1;
	}
	while ((n = fread(chunk, 1, CHUNK, f)) > 0)
		if (feed_parser_push(p, chunk, n) == -1)
			break;
	free(chunk);
	if (ferror(f)) {
		snprintf(err, errlen, "%s", strerror(errno));
		rc = -1;
	}
	if (f != stdin)
		fclose(f);
	return rc;
}

static int
finish_print(struct printer *pr, const struct feed_doc *d, const char *src)
{
	if (d->bozo)
		fprintf(stderr, "sluice: %s: warning: %s\n", src,
		    d->bozo_reason);
	if (pr->json != NULL) {
		if ((pr->n == 0 && json_out_open(pr->json, d->format,
		    &pr->out) == -1) || json_out_close(pr->json, d,
		    &pr->out) == -1)
			return -1;
		buf_puts(&pr->out, "\n");
	} else
		buf_printf(&pr->out, "# format %s, %zu entries, title: %s\n",
		    d->format, pr->n, d->title ? d->title : "");
	flush_out(pr, 1);
	return 0;
}

/* Parses one document (file, URL or "-") and prints it; 0 or -1. */
static int
parse_one(const char *src, struct printer *pr)
{
	struct got g = { 0 };
	struct feed_doc *d = NULL;
	char err[256] = "", cwd[PATH_MAX];
	int rc = -1;

	pr->n = 0;
	pr->failed = 0;
	if (url_is_http(src) || strncmp(src, "file:", 5) == 0) {
		if (read_url(src, &g) == -1) {
			fprintf(stderr, "sluice: %s: %s\n", src, g.error);
			goto done;
		}
	} else if (strcmp(src, "-") != 0 && getcwd(cwd, sizeof(cwd)) != NULL)
		/* A local file's own URL is the base of its relative links. */
		g.url = url_from_config(src, cwd, NULL, err, sizeof(err));
	pr->parser = feed_parser_new(g.url, g.charset[0] ? g.charset : NULL,
	    print_entry, pr);
	if (g.ok)
		feed_parser_push(pr->parser, g.body.data ? g.body.data : "",
		    g.body.len);
	else if (push_file(src, pr->parser, err, sizeof(err)) == -1) {
		fprintf(stderr, "sluice: %s: %s\n", src, err);
		feed_parser_free(pr->parser);
		goto done;
	}
	if ((d = feed_parser_finish(pr->parser, err, sizeof(err))) == NULL) {
		flush_out(pr, 1);
		fprintf(stderr, "sluice: %s: %s\n", src, err);
		goto done;
	}
	if (pr->failed || finish_print(pr, d, src) == -1) {
		fprintf(stderr, "sluice: %s: cannot write JSON\n", src);
		goto done;
	}
	rc = 0;
done:
	pr->parser = NULL;
	feed_doc_free(d);
	buf_free(&g.body);
	free(g.url);
	return rc;
}

/*
 * sluice parse [--json] FILE|URL|- ...: each document in turn; with
 * --json, one JSON object per line per document.
 */
static int
cmd_parse(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct printer pr;
	int ch, json = 0, rc = 0;

	while ((ch = getopt_long(argc, argv, "j", longopts, NULL)) != -1)
		if (ch == 'j')
			json = 1;
		else
			return usage(2);
	if (optind == argc)
		return usage(2);
	memset(&pr, 0, sizeof(pr));
	if (json && (pr.json = json_out_new()) == NULL)
		return 1;
	for (int i = optind; i < argc; i++)
		if (parse_one(argv[i], &pr) == -1)
			rc = 1;
	flush_out(&pr, 1);
	json_out_free(pr.json);
	buf_free(&pr.out);
	return rc;
}

static int
cmd_query(int argc, char **argv)
{
	const char *cfg = NULL, *fmt = "text";
	struct conf *c = NULL;
	struct store *s = NULL;
	struct query q;
	struct item *items = NULL;
	size_t n = 0;
	struct buf out = { 0 }, self = { 0 };
	struct render_ctx ctx;
	char err[512];
	int ch, rc = 1;

	while ((ch = getopt(argc, argv, "c:f:")) != -1)
		switch (ch) {
		case 'c': cfg = optarg; break;
		case 'f': fmt = optarg; break;
		default: return usage(2);
		}
	if (optind + 1 < argc || (strcmp(fmt, "text") != 0 &&
	    strcmp(fmt, "atom") != 0 && strcmp(fmt, "json") != 0 &&
	    strcmp(fmt, "rss") != 0)) {
		if (optind + 1 >= argc)
			fprintf(stderr, "sluice: query: unknown format \"%s\" "
			    "(atom, rss, json or text)\n", fmt);
		return usage(2);
	}
	if (query_parse(optind < argc ? argv[optind] : NULL, &q, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "sluice: bad query: %s\n", err);
		return 1;
	}
	if ((c = load_config(cfg)) == NULL)
		goto done;
	q.limit = (int)c->page_size;
	if ((s = store_open(c->store_path, err, sizeof(err))) == NULL ||
	    (rc = store_items(s, &q, &items, &n, err, sizeof(err))) < 0) {
		fprintf(stderr, "sluice: %s\n", err);
		rc = 1;
		goto done;
	}
	if (rc == 1)
		fprintf(stderr, "sluice: warning: the newest entries may be "
		    "missing: %s\n", err);
	rc = 1;
	/* The same document as the server's /feed.FMT?q=QUERY. */
	buf_printf(&self, "%sfeed.%s", c->base_url, fmt);
	if (optind < argc && *argv[optind] != '\0') {
		char *enc = evhttp_uriencode(argv[optind], -1, 1);

		buf_printf(&self, "?q=%s", enc ? enc : "");
		free(enc);
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.title = c->title;
	ctx.self = self.data;
	ctx.home = c->base_url;
	if (strcmp(fmt, "atom") == 0 ? render_atom(&ctx, items, n, &out) :
	    strcmp(fmt, "rss") == 0 ? render_rss(&ctx, items, n, &out) :
	    strcmp(fmt, "json") == 0 ? render_json(&ctx, items, n, &out) :
	    render_text(items, n, &out)) {
		fprintf(stderr, "sluice: cannot render\n");
		goto done;
	}
	fwrite(out.data ? out.data : "", 1, out.len, stdout);
	rc = 0;
done:
	query_clear(&q);
	store_items_free(items, n);
	store_close(s);
	conf_free(c);
	buf_free(&out);
	buf_free(&self);
	return rc;
}

/* sluice export [-c FILE]: the configured feeds as OPML 2.0. */
static int
cmd_export(int argc, char **argv)
{
	const char *cfg = NULL;
	struct conf *c;
	struct opml_source *src;
	struct buf out = { 0 };
	int ch, rc = 1;

	while ((ch = getopt(argc, argv, "c:")) != -1)
		switch (ch) {
		case 'c': cfg = optarg; break;
		default: return usage(2);
		}
	if (optind != argc)
		return usage(2);
	if ((c = load_config(cfg)) == NULL)
		return 1;
	src = xcalloc(c->nfeeds + 1, sizeof(*src));
	for (size_t i = 0; i < c->nfeeds; i++) {
		src[i].name = c->feeds[i].name;
		src[i].title = c->feeds[i].title;
		src[i].url = c->feeds[i].url;
		src[i].tags = c->feeds[i].tags;
	}
	if (render_opml(c->title, src, c->nfeeds, &out) == 0) {
		fwrite(out.data, 1, out.len, stdout);
		rc = 0;
	} else
		fprintf(stderr, "sluice: export: cannot render\n");
	buf_free(&out);
	free(src);
	conf_free(c);
	return rc;
}

/* sluice feeds [-c FILE] [--json]: the status of every configured feed. */
static int
cmd_feeds(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	const char *cfg = NULL;
	struct conf *c = NULL;
	struct store *s = NULL;
	struct json_out *j = NULL;
	struct buf names = { 0 }, out = { 0 };
	char **v = NULL, err[512], *feeds = NULL;
	int ch, json = 0, rc = 1;
	int64_t id;

	while ((ch = getopt_long(argc, argv, "c:", longopts, NULL)) != -1)
		switch (ch) {
		case 'c': cfg = optarg; break;
		case 'j': json = 1; break;
		default: return usage(2);
		}
	if (optind != argc)
		return usage(2);
	if ((c = load_config(cfg)) == NULL)
		goto done;
	if ((s = store_open(c->store_path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "sluice: %s\n", err);
		goto done;
	}
	v = xcalloc(c->nfeeds + 1, sizeof(char *));
	for (size_t i = 0; i < c->nfeeds; i++) {
		v[i] = c->feeds[i].name;
		store_feed_ensure(s, c->feeds[i].name, c->feeds[i].url,
		    c->feeds[i].title, &id);
	}
	if ((j = json_out_new()) == NULL ||
	    json_out_strings(j, v, c->nfeeds, &names) == -1 ||
	    (feeds = store_feeds_json(s, names.data)) == NULL) {
		fprintf(stderr, "sluice: cannot read the feeds' status\n");
		goto done;
	}
	if (json)
		buf_printf(&out, "%s\n", feeds);
	else if (render_feeds_table(j, feeds, !isatty(STDOUT_FILENO),
	    &out) == -1)
		goto done;
	fwrite(out.data ? out.data : "", 1, out.len, stdout);
	rc = 0;
done:
	free(feeds);
	free(v);
	json_out_free(j);
	buf_free(&names);
	buf_free(&out);
	store_close(s);
	conf_free(c);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct {
		const char	*name;
		int		(*fn)(int, char **);
	} cmds[] = {
		{ "serve", cmd_serve },
		{ "poll", cmd_poll },
		{ "parse", cmd_parse },
		{ "query", cmd_query },
		{ "check", cmd_check },
		{ "feeds", cmd_feeds },
		{ "export", cmd_export },
	};
	int rc = -1;

	if (argc < 2)
		return usage(2);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return usage(0);
	if (strcmp(argv[1], "--version") == 0) {
		printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
		return 0;
	}
	signal(SIGPIPE, SIG_IGN);
	/* A file size limit (a full quota) fails the write, not the process. */
	signal(SIGXFSZ, SIG_IGN);
	/*
	 * One thread uses SQLite (the loop's): no mutexes, and no allocation
	 * statistics (a count on every malloc).
	 */
	sqlite3_config(SQLITE_CONFIG_SINGLETHREAD);
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	parse_init();
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			rc = cmds[i].fn(argc - 1, argv + 1);
	if (rc == -1) {
		fprintf(stderr, "sluice: unknown command \"%s\"\n", argv[1]);
		rc = usage(2);
	}
	xmlCleanupParser();
	curl_global_cleanup();
	return rc;
}
