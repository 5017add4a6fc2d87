/*
 * t_integration.c - the real binary, end to end: `sluice serve` on an
 * ephemeral port with a temporary database polls the sample feeds (through
 * file: URLs and through the scripted origin on 127.0.0.1), and its
 * answers are parsed as XML and checked.  Also the one-shot commands.
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <zlib.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <sqlite3.h>

#include "buf.h"
#include "date.h"
#include "origin.h"
#include "parse.h"
#include "query.h"
#include "tap.h"
#include "util.h"

#define ATOM	"http://www.w3.org/2005/Atom"

static const char *const samples[] = {
	"arxiv-cs.xml", "daily-papers.atom", "lab-notes.rdf", "lab-blog.xml"
};

static const char *sluice_bin, *srcdir;
static char tmpdir[] = "/tmp/sluice-it-XXXXXX";

struct proc {
	pid_t		 pid;
	int		 errfd;	/* the child's stderr, non-blocking */
	struct buf	 log;
};

static int
spawn(struct proc *p, const char *const argv[])
{
	int fds[2];

	memset(p, 0, sizeof(*p));
	if (pipe(fds) == -1 || (p->pid = fork()) == -1)
		return -1;
	if (p->pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(null, 1);
		dup2(fds[1], 2);
		close(fds[0]);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	p->errfd = fds[0];
	fcntl(p->errfd, F_SETFL, O_NONBLOCK);
	return 0;
}

/* Reads what the child wrote to stderr, waiting at most ms. */
static void
drain_log(struct proc *p, int ms)
{
	struct pollfd pfd = { p->errfd, POLLIN, 0 };
	char chunk[4096];
	ssize_t n;

	if (poll(&pfd, 1, ms) <= 0)
		return;
	while ((n = read(p->errfd, chunk, sizeof(chunk))) > 0)
		buf_append(&p->log, chunk, (size_t)n);
}

static int
wait_log(struct proc *p, const char *needle, int ms)
{
	int64_t end = tu_now_ms() + ms;

	while (p->log.data == NULL || strstr(p->log.data, needle) == NULL) {
		if (tu_now_ms() > end)
			return 0;
		drain_log(p, 100);
	}
	return 1;
}

/* Waits for the child to exit; its status, or -1 after ms. */
static int
wait_exit(struct proc *p, int ms)
{
	int64_t end = tu_now_ms() + ms;
	int status;

	while (tu_now_ms() < end) {
		if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
			drain_log(p, 0);
			close(p->errfd);
			p->pid = 0;
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
		}
		drain_log(p, 50);
	}
	return -1;
}

static size_t
collect(char *data, size_t size, size_t n, void *arg)
{
	buf_append(arg, data, size * n);
	return size * n;
}

struct response {
	long		 code;
	char		 type[128];
	struct buf	 body;		/* as it came: not decoded */
	struct buf	 headers;	/* the raw header lines */
};

/* The value of a response header (the first one), into out; or NULL. */
static const char *
header_of(const struct response *r, const char *name, char *out,
    size_t len)
{
	size_t n = strlen(name);

	for (const char *p = r->headers.data; p != NULL && *p != '\0'; ) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (l > n && strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;

			while (*v == ' ')
				v++;
			l -= (size_t)(v - p);
			while (l > 0 && (v[l - 1] == '\r' || v[l - 1] == ' '))
				l--;
			snprintf(out, len, "%.*s", (int)l, v);
			return out;
		}
		p = e ? e + 1 : NULL;
	}
	return NULL;
}

/* A request with extra header lines (NULL-ended, or NULL). */
static int
request(const char *url, const char *method, const char *const *hdrs,
    struct response *r)
{
	CURL *c = curl_easy_init();
	struct curl_slist *list = NULL;
	char *ct = NULL;
	CURLcode rc;

	memset(r, 0, sizeof(*r));
	for (size_t i = 0; hdrs != NULL && hdrs[i] != NULL; i++)
		list = curl_slist_append(list, hdrs[i]);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r->body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &r->headers);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	if (method != NULL && strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (method != NULL)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->code);
	curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
	snprintf(r->type, sizeof(r->type), "%s", ct ? ct : "");
	curl_easy_cleanup(c);
	curl_slist_free_all(list);
	buf_append(&r->body, "", 0);
	buf_append(&r->headers, "", 0);
	return rc == CURLE_OK ? 0 : -1;
}

static int
get(const char *url, const char *method, struct response *r)
{
	int rc = request(url, method, NULL, r);

	buf_free(&r->headers);
	return rc;
}

/* An Atom document, parsed, with an XPath context that knows "a:". */
struct atom {
	xmlDocPtr		 doc;
	xmlXPathContextPtr	 xp;
};

static int
atom_parse(struct atom *a, const struct response *r)
{
	a->doc = xmlReadMemory(r->body.data, (int)r->body.len, NULL, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (a->doc == NULL)
		return -1;
	a->xp = xmlXPathNewContext(a->doc);
	xmlXPathRegisterNs(a->xp, BAD_CAST "a", BAD_CAST ATOM);
	xmlXPathRegisterNs(a->xp, BAD_CAST "dc",
	    BAD_CAST "http://purl.org/dc/elements/1.1/");
	return 0;
}

static void
atom_free(struct atom *a)
{
	xmlXPathFreeContext(a->xp);
	xmlFreeDoc(a->doc);
	memset(a, 0, sizeof(*a));
}

static xmlNodeSetPtr
nodes(struct atom *a, const char *expr, xmlXPathObjectPtr *keep)
{
	*keep = xmlXPathEvalExpression(BAD_CAST expr, a->xp);
	return *keep && (*keep)->nodesetval ? (*keep)->nodesetval : NULL;
}

static int
count(struct atom *a, const char *expr)
{
	xmlXPathObjectPtr o;
	xmlNodeSetPtr ns = nodes(a, expr, &o);
	int n = ns ? ns->nodeNr : 0;

	xmlXPathFreeObject(o);
	return n;
}

/* The text of the first node matching expr under n (new, or NULL). */
static char *
text_at(struct atom *a, xmlNodePtr n, const char *expr)
{
	xmlXPathObjectPtr o;
	char *s = NULL;

	a->xp->node = n;
	o = xmlXPathEvalExpression(BAD_CAST expr, a->xp);
	if (o != NULL && o->nodesetval != NULL && o->nodesetval->nodeNr > 0) {
		xmlChar *c = xmlNodeGetContent(o->nodesetval->nodeTab[0]);

		s = xstrdup((const char *)c);
		xmlFree(c);
	}
	xmlXPathFreeObject(o);
	a->xp->node = NULL;
	return s;
}

/* 1 when text holds word as a whole token, any case (as FTS5 sees it). */
static int
has_word(const char *text, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = text; p != NULL && *p != '\0'; p++) {
		if (strncasecmp(p, word, n) != 0)
			continue;
		if ((p == text || !isalnum((unsigned char)p[-1])) &&
		    !isalnum((unsigned char)p[n]))
			return 1;
	}
	return 0;
}

/* Everything FTS indexes of a parsed entry, as one string. */
static char *
entry_haystack(const struct entry *e)
{
	struct buf b = { 0 };
	char *t;

	buf_printf(&b, "%s\n%s\n", e->title ? e->title : "",
	    e->author ? e->author : "");
	for (size_t i = 0; i < e->ncategories; i++)
		buf_printf(&b, "%s\n", e->categories[i]);
	if (e->summary != NULL) {
		t = html_to_text(e->summary);
		buf_printf(&b, "%s\n", t);
		free(t);
	}
	if (e->content != NULL) {
		t = html_to_text(e->content);
		buf_printf(&b, "%s\n", t);
		free(t);
	}
	return buf_steal(&b);
}

/*
 * Counts the stories of the sample feeds with word (and without `not`,
 * when given; every story when word is NULL), reading the samples with the
 * parser: the expected answer.  The samples carry some papers in several
 * feeds, always under the same title: one story each, counted once.
 */
static int
expected(const char *word, const char *not)
{
	char *seen[256];
	int total = 0, nseen = 0;

	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		char path[1024], err[256];
		struct buf data = { 0 };
		struct feed_doc *d;

		snprintf(path, sizeof(path), "%s/feeds/%s", srcdir, samples[i]);
		if (tu_read_file(path, &data) == -1) {
			buf_free(&data);
			return -1;
		}
		d = feed_parse(data.data, data.len, NULL, NULL, err,
		    sizeof(err));
		buf_free(&data);
		if (d == NULL)
			return -1;
		for (size_t k = 0; k < d->nentries; k++) {
			char *h = entry_haystack(&d->entries[k]);
			const char *t = d->entries[k].title;
			int known = 0;

			for (int j = 0; j < nseen && !known; j++)
				known = strcmp(seen[j], t) == 0;
			if (!known && nseen < 256 && (word == NULL ||
			    has_word(h, word)) && (not == NULL ||
			    !has_word(h, not))) {
				seen[nseen++] = xstrdup(t);
				total++;
			}
			free(h);
		}
		feed_doc_free(d);
	}
	while (nseen > 0)
		free(seen[--nseen]);
	return total;
}

/* Every entry of a holds word (and not `not`) in what FTS indexes. */
static int
all_entries_match(struct atom *a, const char *word, const char *not)
{
	xmlXPathObjectPtr o;
	xmlNodeSetPtr ns = nodes(a, "/a:feed/a:entry", &o);
	int good = ns != NULL;

	for (int i = 0; ns != NULL && i < ns->nodeNr; i++) {
		xmlChar *all = xmlNodeGetContent(ns->nodeTab[i]);
		char *src = text_at(a, ns->nodeTab[i], "a:source/a:title");
		char *text;

		/* The source's title is not searched: take it out. */
		text = xstrdup((const char *)all);
		if (src != NULL) {
			char *at = strstr(text, src);

			if (at != NULL)
				memset(at, ' ', strlen(src));
		}
		if (!has_word(text, word) || (not && has_word(text, not))) {
			diag("entry %d does not match: %.80s", i, text);
			good = 0;
		}
		free(text);
		free(src);
		xmlFree(all);
	}
	xmlXPathFreeObject(o);
	return good;
}

static void
write_config(const char *path, int origin_port)
{
	FILE *f = fopen(path, "w");

	fprintf(f,
	    "[server]\ntitle = Integration\npage_size = 500\n"
	    "base_url = http://sluice.test/\n"
	    "[store]\npath = %s/sluice.db\n"
	    "[poll]\ninterval = 1h\nmin_interval = 1s\ntimeout = 10s\n"
	    "allow = 127.0.0.1:%d\n"
	    "[feed arxiv]\nurl = http://127.0.0.1:%d/feeds/arxiv-cs.xml\n"
	    "[feed daily]\nurl = http://127.0.0.1:%d/feeds/daily-papers.atom\n"
	    "interval = 1s\n"
	    "[feed notes]\nurl = file:%s/feeds/lab-notes.rdf\n"
	    "[feed blog]\nurl = %s/feeds/lab-blog.xml\n"
	    "[feed growing]\nurl = http://127.0.0.1:%d/growing.xml\n"
	    "interval = 1s\n"
	    "[feed truncated]\nurl = http://127.0.0.1:%d/truncated.xml\n"
	    "[feed page]\nurl = http://127.0.0.1:%d/page.html\n"
	    "[feed missing]\nurl = http://127.0.0.1:%d/missing.xml\n"
	    "[feed private]\nurl = http://127.0.0.2:%d/feeds/lab-blog.xml\n"
	    "[channel cl]\nquery = continual -survey\ntitle = CL\n",
	    tmpdir, origin_port, origin_port, origin_port, srcdir, srcdir,
	    origin_port, origin_port, origin_port, origin_port, origin_port);
	fclose(f);
}

/* Fetches /feed.atom until it has at least n entries or time runs out. */
static int
wait_entries(const char *base, const char *query, int n, int ms)
{
	int64_t end = tu_now_ms() + ms;
	char url[512];
	int got = -1;

	snprintf(url, sizeof(url), "%sfeed.atom%s", base, query);
	while (tu_now_ms() < end) {
		struct response r;
		struct atom a;

		if (get(url, NULL, &r) == 0 && atom_parse(&a, &r) == 0) {
			got = count(&a, "/a:feed/a:entry");
			atom_free(&a);
		}
		buf_free(&r.body);
		if (got >= n)
			return got;
		usleep(200 * 1000);
	}
	return got;
}

static int
origin_count(int port, const char *path, const char *what)
{
	struct response r;
	char url[256], *line;
	int n = -1;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/_stats", port);
	if (get(url, NULL, &r) == 0 && (line = strstr(r.body.data, path)) !=
	    NULL && (line = strstr(line, what)) != NULL)
		n = atoi(line + strlen(what));
	buf_free(&r.body);
	return n;
}

static void
check_feed(const char *base)
{
	struct response r;
	struct atom a;
	char url[512], expr[512];
	xmlXPathObjectPtr o;
	xmlNodeSetPtr ns;
	int64_t prev = INT64_MAX;
	int ordered = 1, unique = 1;

	snprintf(url, sizeof(url), "%sfeed.atom", base);
	get(url, NULL, &r);
	is_int(200, r.code, "/feed.atom answers 200");
	ok(strncmp(r.type, "application/atom+xml", 20) == 0,
	    "/feed.atom is application/atom+xml (%s)", r.type);
	if (!ok(atom_parse(&a, &r) == 0, "/feed.atom is well-formed XML")) {
		buf_free(&r.body);
		return;
	}
	is_int(1, count(&a, "/a:feed"), "the root is atom:feed");
	is_int(1, count(&a, "/a:feed/a:id"), "the feed has an id");
	is_int(1, count(&a, "/a:feed/a:updated"), "the feed has updated");
	is_int(1, count(&a, "/a:feed/a:link[@rel='self']"),
	    "the feed has a self link");
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		snprintf(expr, sizeof(expr), "/a:feed/a:entry[a:source/"
		    "a:link[@rel='self' and contains(@href, '/feeds/%s')]]",
		    samples[i]);
		ok(count(&a, expr) > 0, "entries from sample %s, with "
		    "atom:source", samples[i]);
	}
	is_int(0, count(&a, "/a:feed/a:entry[not(a:id) or not(a:title) or "
	    "not(a:updated)]"), "every entry has id, title and updated");
	ns = nodes(&a, "/a:feed/a:entry", &o);
	for (int i = 0; ns != NULL && i < ns->nodeNr; i++) {
		char *p = text_at(&a, ns->nodeTab[i], "a:published");
		char *u = text_at(&a, ns->nodeTab[i], "a:updated");
		char *id = text_at(&a, ns->nodeTab[i], "a:id");
		int64_t t = INT64_MAX;
		xmlXPathObjectPtr same;

		date_parse(p ? p : u, &t);
		if (t > prev)
			ordered = 0;
		prev = t;
		snprintf(expr, sizeof(expr), "count(/a:feed/a:entry[a:id='%s'])",
		    id);
		same = xmlXPathEvalExpression(BAD_CAST expr, a.xp);
		if (xmlXPathCastToNumber(same) != 1)
			unique = 0;
		xmlXPathFreeObject(same);
		if (id == NULL || strncmp(id, "urn:uuid:", 9) != 0)
			unique = 0;
		free(p);
		free(u);
		free(id);
	}
	xmlXPathFreeObject(o);
	ok(ordered, "entries are newest first");
	ok(unique, "entry ids are unique urn:uuid ids");
	atom_free(&a);
	buf_free(&r.body);
}

static void
check_query(const char *base, const char *q, const char *word,
    const char *not)
{
	struct response r;
	struct atom a;
	char url[512];
	int want = expected(word, not);

	snprintf(url, sizeof(url), "%s%s", base, q);
	get(url, NULL, &r);
	if (!ok(r.code == 200 && atom_parse(&a, &r) == 0, "%s answers Atom",
	    q)) {
		buf_free(&r.body);
		return;
	}
	ok(want > 0, "the samples have entries with \"%s\" (%d)", word, want);
	is_int(want, count(&a, "/a:feed/a:entry"), "%s returns all of them",
	    q);
	ok(all_entries_match(&a, word, not), "%s returns only them", q);
	atom_free(&a);
	buf_free(&r.body);
}

static void
check_misc(const char *base)
{
	struct response r;
	char url[512];
	htmlDocPtr html;
	xmlXPathContextPtr xp;
	xmlXPathObjectPtr o;

	snprintf(url, sizeof(url), "%sfeed.atom?q=%%22unbalanced", base);
	get(url, NULL, &r);
	is_int(400, r.code, "an unbalanced quote is a 400");
	ok(strstr(r.body.data, "quote") != NULL && strchr(r.body.data, '\n') ==
	    r.body.data + r.body.len - 1, "with a one-line reason");
	diag("%s", r.body.data);
	buf_free(&r.body);

	snprintf(url, sizeof(url), "%sc/nope.atom", base);
	get(url, NULL, &r);
	is_int(404, r.code, "an unknown channel is a 404");
	buf_free(&r.body);

	snprintf(url, sizeof(url), "%shealthz", base);
	get(url, NULL, &r);
	is_int(200, r.code, "/healthz answers 200");
	buf_free(&r.body);

	snprintf(url, sizeof(url), "%sfeed.atom", base);
	get(url, "POST", &r);
	ok(r.code >= 400 && r.code < 500, "POST is refused with a 4xx (%ld)",
	    r.code);
	buf_free(&r.body);

	snprintf(url, sizeof(url), "%s?q=diffusion", base);
	get(url, NULL, &r);
	is_int(200, r.code, "/ answers 200");
	ok(strncmp(r.type, "text/html", 9) == 0, "/ is text/html");
	html = htmlReadMemory(r.body.data, (int)r.body.len, NULL, "UTF-8",
	    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
	xp = xmlXPathNewContext(html);
	o = xmlXPathEvalExpression(BAD_CAST
	    "//form//input[@name='q' and @value='diffusion']", xp);
	ok(o && o->nodesetval && o->nodesetval->nodeNr == 1,
	    "/ has a search box holding the query");
	xmlXPathFreeObject(o);
	o = xmlXPathEvalExpression(BAD_CAST "//ol/li", xp);
	ok(o && o->nodesetval && o->nodesetval->nodeNr == expected("diffusion",
	    NULL), "/?q=diffusion lists the matching entries");
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(xp);
	xmlFreeDoc(html);
	buf_free(&r.body);
}

/* The entry ids of one page of a feed, in order, and its next page. */
struct page {
	long	 code;
	int	 n;
	char	*ids[QUERY_MAX_LIMIT + 1];
	char	 next[1024];	/* "" on the last page */
	char	 body[200];	/* the start of a refusal */
};

static void
page_free(struct page *pg)
{
	for (int i = 0; i < pg->n; i++)
		free(pg->ids[i]);
	pg->n = 0;
}

/* The page's ids and next link from a JSON Feed, read with JSON1. */
static int
json_page(const struct buf *body, struct page *pg)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int ok = -1;

	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT json_extract(?1, '$.version'),"
	    " json_extract(?1, '$.next_url'), json_extract(value, '$.id')"
	    " FROM json_each(?1, '$.items') WHERE json_valid(?1)"
	    " UNION ALL SELECT json_extract(?1, '$.version'),"
	    " json_extract(?1, '$.next_url'), NULL WHERE json_valid(?1)"
	    " AND json_array_length(?1, '$.items') = 0", -1, &st, NULL) !=
	    SQLITE_OK) {
		sqlite3_close(db);
		return -1;
	}
	sqlite3_bind_text(st, 1, body->data, (int)body->len, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		const char *nx = (const char *)sqlite3_column_text(st, 1);
		const char *id = (const char *)sqlite3_column_text(st, 2);

		if (v == NULL || strcmp(v, "https://jsonfeed.org/version/1.1"))
			break;
		ok = 0;
		snprintf(pg->next, sizeof(pg->next), "%s", nx ? nx : "");
		if (id != NULL && pg->n < QUERY_MAX_LIMIT)
			pg->ids[pg->n++] = xstrdup(id);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return ok;
}

/*
 * GET base+pathq as fmt ("atom", "rss" or "json"): the ids in order and
 * the next page.  0 when it answered 200 with a document of that format.
 */
static int
fetch_page(const char *url, const char *fmt, struct page *pg)
{
	struct response r;
	struct atom a;
	xmlXPathObjectPtr o = NULL;
	xmlNodeSetPtr ns;
	const char *type, *ids, *next;
	int rc = -1;

	memset(pg, 0, sizeof(*pg));
	get(url, NULL, &r);
	pg->code = r.code;
	snprintf(pg->body, sizeof(pg->body), "%s", r.body.data ?
	    r.body.data : "");
	if (strcmp(fmt, "json") == 0) {
		type = "application/feed+json";
		if (r.code == 200 && strncmp(r.type, type, strlen(type)) == 0)
			rc = json_page(&r.body, pg);
		buf_free(&r.body);
		return rc;
	}
	if (strcmp(fmt, "rss") == 0) {
		type = "application/rss+xml";
		ids = "/rss[@version='2.0']/channel/item/guid";
		next = "string(/rss/channel/a:link[@rel='next']/@href)";
	} else {
		type = "application/atom+xml";
		ids = "/a:feed/a:entry/a:id";
		next = "string(/a:feed/a:link[@rel='next']/@href)";
	}
	if (r.code != 200 || strncmp(r.type, type, strlen(type)) != 0 ||
	    atom_parse(&a, &r) == -1) {
		buf_free(&r.body);
		return -1;
	}
	ns = nodes(&a, ids, &o);
	for (int i = 0; ns != NULL && i < ns->nodeNr &&
	    pg->n < QUERY_MAX_LIMIT; i++) {
		xmlChar *t = xmlNodeGetContent(ns->nodeTab[i]);

		pg->ids[pg->n++] = xstrdup((const char *)t);
		xmlFree(t);
	}
	xmlXPathFreeObject(o);
	o = xmlXPathEvalExpression(BAD_CAST next, a.xp);
	if (o != NULL && o->stringval != NULL)
		snprintf(pg->next, sizeof(pg->next), "%s",
		    (const char *)o->stringval);
	xmlXPathFreeObject(o);
	atom_free(&a);
	buf_free(&r.body);
	return 0;
}

/* The next link names base_url; the server is at base. */
static void
local_url(const char *base, const char *link, char *out, size_t len)
{
	const char *public = "http://sluice.test/";

	struct buf b = { 0 };

	if (strncmp(link, public, strlen(public)) == 0)
		buf_printf(&b, "%s%s", base, link + strlen(public));
	else
		buf_puts(&b, link);
	snprintf(out, len, "%s", b.data);
	buf_free(&b);
}

static int
same_ids(const struct page *a, const struct page *b)
{
	if (a->n != b->n)
		return 0;
	for (int i = 0; i < a->n; i++)
		if (strcmp(a->ids[i], b->ids[i]) != 0)
			return 0;
	return 1;
}

/* Atom, RSS and JSON Feed: the same entries, in the same order. */
static void
check_formats(const char *base)
{
	static const char *const paths[] = { "feed", "c/cl" };
	struct page atom, other;
	char url[600];
	struct response r;
	struct atom a;
	int want = expected(NULL, NULL) + 2 + 1, rc;

	for (size_t p = 0; p < 2; p++) {
		snprintf(url, sizeof(url), "%s%s.atom?limit=500", base,
		    paths[p]);
		if (!ok(fetch_page(url, "atom", &atom) == 0, "%s", url))
			continue;
		if (p == 0)
			ok(atom.n >= want, "/feed.atom?limit=500: every story "
			    "(%d of %d)", atom.n, want);
		else
			is_int(expected("continual", "survey"), atom.n,
			    "/c/cl.atom: the channel's stories");
		for (int f = 0; f < 2; f++) {
			const char *fmt = f ? "json" : "rss";

			snprintf(url, sizeof(url), "%s%s.%s?limit=500", base,
			    paths[p], fmt);
			rc = fetch_page(url, fmt, &other);
			ok(rc == 0 && same_ids(&atom, &other), "/%s.%s: the "
			    "same %d ids as Atom, in the same order (%d)",
			    paths[p], fmt, atom.n, other.n);
			page_free(&other);
		}
		page_free(&atom);
	}

	snprintf(url, sizeof(url), "%sfeed.rss?limit=500", base);
	get(url, NULL, &r);
	if (ok(atom_parse(&a, &r) == 0, "/feed.rss is well-formed XML")) {
		int n = count(&a, "/rss/channel/item");

		ok(n > 0 && count(&a, "/rss/channel/item[title and guid["
		    "@isPermaLink='false'] and pubDate and source[@url]]") == n,
		    "every RSS item has title, guid (not a permalink), pubDate "
		    "and source");
		is_int(1, count(&a, "/rss/channel[title and link and "
		    "description]/a:link[@rel='self']"), "the RSS channel has "
		    "title, link, description and atom:link self");
		is_int(0, count(&a, "//item/author[not(contains(., '@'))]"),
		    "RSS <author> only holds e-mail addresses");
		ok(count(&a, "//item/dc:creator") > 0, "other authors are "
		    "dc:creator");
		atom_free(&a);
	}
	buf_free(&r.body);

	{
		static const char *const missing[] = { "c/cl.txt", "c/cl",
		    "c/nope.rss", "c/nope.json", "feed.xml", "feed.",
		    "feed.atom.rss" };

		for (size_t i = 0; i < sizeof(missing) / sizeof(missing[0]);
		    i++) {
			snprintf(url, sizeof(url), "%s%s", base, missing[i]);
			get(url, NULL, &r);
			is_int(404, r.code, "/%s is a 404", missing[i]);
			buf_free(&r.body);
		}
	}
}

/* body, gunzipped into out; 0 or -1. */
static int
gunzip(const struct buf *body, struct buf *out)
{
	z_stream z;
	unsigned char chunk[16384];
	int rc;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return -1;
	z.next_in = (unsigned char *)body->data;
	z.avail_in = (uInt)body->len;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		rc = inflate(&z, Z_NO_FLUSH);
		buf_append(out, chunk, sizeof(chunk) - z.avail_out);
	} while (rc == Z_OK);
	inflateEnd(&z);
	return rc == Z_STREAM_END ? 0 : -1;
}

/* /api/feeds: the status of every feed, SPEC section 3's fields. */
static void
check_api_feeds(const char *base)
{
	char url[300];
	struct response r;
	sqlite3 *db;
	sqlite3_stmt *st;

	snprintf(url, sizeof(url), "%sapi/feeds", base);
	get(url, NULL, &r);
	is_int(200, r.code, "/api/feeds answers 200");
	ok(strncmp(r.type, "application/json", 16) == 0, "  as JSON (%s)",
	    r.type);
	sqlite3_open(":memory:", &db);
	if (sqlite3_prepare_v2(db, "SELECT json_valid(?1),"
	    " json_array_length(?1),"
	    " (SELECT group_concat(json_extract(value, '$.name'), ',')"
	    "  FROM json_each(?1)),"
	    " (SELECT count(*) FROM json_each(?1) WHERE"
	    "  json_type(value, '$.url') = 'text' AND"
	    "  json_type(value, '$.state') = 'text' AND"
	    "  json_type(value, '$.http_status') IN ('integer', 'null') AND"
	    "  json_type(value, '$.last_attempt') = 'text' AND"
	    "  json_type(value, '$.next_poll') IN ('text', 'null') AND"
	    "  json_type(value, '$.consecutive_errors') = 'integer' AND"
	    "  json_type(value, '$.error') IN ('text', 'null') AND"
	    "  json_type(value, '$.entries') = 'integer'),"
	    " (SELECT json_extract(value, '$.state') || ' ' ||"
	    "  json_extract(value, '$.http_status') FROM json_each(?1)"
	    "  WHERE json_extract(value, '$.name') = 'missing'),"
	    " (SELECT json_extract(value, '$.entries') > 0 FROM json_each(?1)"
	    "  WHERE json_extract(value, '$.name') = 'arxiv')", -1, &st,
	    NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, r.body.data ? r.body.data : "", -1,
		    SQLITE_STATIC);
		if (ok(sqlite3_step(st) == SQLITE_ROW, "  read with JSON1")) {
			is_int(1, sqlite3_column_int(st, 0), "  valid JSON");
			is_int(9, sqlite3_column_int(st, 1), "  9 feeds");
			is_str("arxiv,daily,notes,blog,growing,truncated,page,"
			    "missing,private", (const char *)
			    sqlite3_column_text(st, 2), "  in the config's "
			    "order");
			is_int(9, sqlite3_column_int(st, 3), "  each with the "
			    "fields of SPEC 3");
			is_str("error 404", (const char *)sqlite3_column_text(st,
			    4), "  the missing one: error, 404");
			is_int(1, sqlite3_column_int(st, 5), "  arxiv has "
			    "entries");
		}
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	buf_free(&r.body);
}

/* A parsed Prometheus text exposition: samples, and the TYPEs seen. */
struct sample {
	char	 key[400];	/* name{labels} as written */
	double	 value;
};
struct exposition {
	struct sample	 s[400];
	int		 n, typed, untyped, bad;
};

/*
 * Parses the text format: "# HELP" and "# TYPE" comments, then samples
 * "name{labels} value"; a sample whose family had no TYPE before it is
 * counted as untyped, a line that is neither as bad.
 */
static void
parse_exposition(const char *text, struct exposition *e)
{
	char family[200] = "";

	memset(e, 0, sizeof(*e));
	for (const char *p = text; p != NULL && *p != '\0'; ) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[400], name[200], *sp;

		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		p = nl ? nl + 1 : NULL;
		if (line[0] == '\0')
			continue;
		if (strncmp(line, "# TYPE ", 7) == 0) {
			if (sscanf(line + 7, "%199s", family) != 1)
				e->bad++;
			continue;
		}
		if (strncmp(line, "# HELP ", 7) == 0)
			continue;
		if ((sp = strrchr(line, ' ')) == NULL || e->n == 400) {
			e->bad++;
			continue;
		}
		*sp = '\0';
		snprintf(e->s[e->n].key, sizeof(e->s[e->n].key), "%s", line);
		e->s[e->n].value = strtod(sp + 1, NULL);
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(line, "{"),
		    line);
		/* A histogram's samples are its family's _bucket, _sum, _count. */
		if (strncmp(name, family, strlen(family)) == 0 && family[0])
			e->typed++;
		else
			e->untyped++;
		e->n++;
	}
}

static double
sample(const struct exposition *e, const char *key)
{
	for (int i = 0; i < e->n; i++)
		if (strcmp(e->s[i].key, key) == 0)
			return e->s[i].value;
	return -1;
}

/* /metrics, parsed: what the polls and requests so far must show. */
static void
check_metrics(const char *base)
{
	static const char *const les[] = { "0.05", "0.1", "0.25", "0.5", "1",
	    "2.5", "5", "10", "30", "+Inf" };
	struct exposition *e = xcalloc(1, sizeof(*e));
	struct response r;
	char url[300], key[200];
	double prev = 0, polls = 0, v;
	int monotonic = 1;

	snprintf(url, sizeof(url), "%smetrics", base);
	get(url, NULL, &r);
	is_int(200, r.code, "/metrics answers 200");
	ok(strncmp(r.type, "text/plain; version=0.0.4", 25) == 0,
	    "  in the Prometheus text format (%s)", r.type);
	parse_exposition(r.body.data, e);
	ok(e->n > 30 && e->bad == 0 && e->untyped == 0, "  %d samples, each "
	    "under its TYPE (%d untyped, %d bad lines)", e->n, e->untyped,
	    e->bad);
	ok(sample(e, "sluice_polls_total{outcome=\"ok\"}") > 0,
	    "  polls that succeeded");
	ok(sample(e, "sluice_polls_total{outcome=\"error\"}") >= 3,
	    "  polls that failed (the 404, the page, the blocked address)");
	for (int i = 0; i < 4; i++) {
		static const char *const o[] = { "ok", "not_modified", "error",
		    "gone" };

		snprintf(key, sizeof(key), "sluice_polls_total{outcome=\"%s\"}",
		    o[i]);
		polls += sample(e, key);
	}
	for (size_t i = 0; i < sizeof(les) / sizeof(les[0]); i++) {
		snprintf(key, sizeof(key), "sluice_fetch_seconds_bucket{le="
		    "\"%s\"}", les[i]);
		v = sample(e, key);
		monotonic &= v >= prev;
		prev = v;
	}
	ok(monotonic && prev == polls && sample(e,
	    "sluice_fetch_seconds_count") == polls, "  the fetch histogram: "
	    "cumulative buckets, +Inf = count = polls (%g)", polls);
	ok(sample(e, "sluice_entries_total{kind=\"new\"}") >= 42,
	    "  entries stored");
	ok(sample(e, "sluice_http_requests_total{route=\"feed\",code=\"200\"}")
	    > 10, "  requests for feeds answered 200");
	ok(sample(e, "sluice_http_requests_total{route=\"feed\",code=\"400\"}")
	    >= 5, "  and 400s");
	ok(sample(e, "sluice_http_requests_total{route=\"channel\",code="
	    "\"404\"}") >= 1, "  an unknown channel's 404");
	ok(sample(e, "sluice_http_response_seconds_count") >= sample(e,
	    "sluice_http_requests_total{route=\"feed\",code=\"200\"}"),
	    "  every answer timed");
	ok(sample(e, "sluice_feed_consecutive_errors{feed=\"missing\"}") >= 1,
	    "  the missing feed's error streak");
	is_int(0, (long long)sample(e,
	    "sluice_feed_consecutive_errors{feed=\"arxiv\"}"),
	    "  arxiv's: none");
	ok(sample(e, "sluice_store_bytes") > 100000, "  the store's size");
	buf_free(&r.body);
	free(e);
}

/* The HTML page links to its feeds, the channels', the sources, the next. */
static void
check_html_links(const char *base)
{
	static const char *const want[] = {
		"//a[@href='http://sluice.test/feed.atom?q=diffusion&limit=3']",
		"//a[@href='http://sluice.test/feed.rss?q=diffusion&limit=3']",
		"//a[@href='http://sluice.test/feed.json?q=diffusion&limit=3']",
		"//a[@href='c/cl.atom']", "//a[@href='c/cl.rss']",
		"//a[@href='c/cl.json']", "//a[@href='feeds.opml']",
		"//a[@rel='next' and starts-with(@href, "
		    "'http://sluice.test/?q=diffusion&limit=3&cursor=d')]",
	};
	char url[600];
	struct response r;
	htmlDocPtr html;
	xmlXPathContextPtr xp;
	struct atom a;

	snprintf(url, sizeof(url), "%s?q=diffusion&limit=3", base);
	get(url, NULL, &r);
	html = htmlReadMemory(r.body.data, (int)r.body.len, NULL, "UTF-8",
	    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
	xp = xmlXPathNewContext(html);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST want[i],
		    xp);

		ok(o && o->nodesetval && o->nodesetval->nodeNr == 1,
		    "the page has %s", want[i]);
		xmlXPathFreeObject(o);
	}
	xmlXPathFreeContext(xp);
	xmlFreeDoc(html);
	buf_free(&r.body);

	snprintf(url, sizeof(url), "%sfeeds.opml", base);
	get(url, NULL, &r);
	is_int(200, r.code, "/feeds.opml answers 200");
	ok(strncmp(r.type, "text/x-opml", 11) == 0, "  as text/x-opml (%s)",
	    r.type);
	if (ok(atom_parse(&a, &r) == 0, "  well-formed")) {
		is_int(9, count(&a, "/opml[@version='2.0']/body/outline[@type="
		    "'rss' and @text and @xmlUrl]"), "  an outline with its "
		    "xmlUrl for each of the 9 feeds");
		is_int(1, count(&a, "/opml/body/outline[contains(@xmlUrl, "
		    "'/feeds/arxiv-cs.xml')]"), "  arxiv's URL among them");
		atom_free(&a);
	}
	buf_free(&r.body);
}

/*
 * Re-polling costs almost nothing: a strong ETag and a Last-Modified,
 * 304s for both (the ETag wins), gzip when asked, a max-age, HEAD.
 */
static void
check_caching(const char *base)
{
	char url[600], etag[64], etag2[64], lm[64], v[128], line[200];
	struct response r, g;
	struct buf plain = { 0 };
	long age;

	snprintf(url, sizeof(url), "%sfeed.atom?q=continual", base);
	request(url, NULL, NULL, &r);
	is_int(200, r.code, "caching: a feed answers 200");
	if (!ok(header_of(&r, "ETag", etag, sizeof(etag)) != NULL &&
	    etag[0] == '"' && etag[strlen(etag) - 1] == '"',
	    "  with a strong ETag (%s)", etag)) {
		buf_free(&r.body);
		buf_free(&r.headers);
		return;
	}
	ok(header_of(&r, "Last-Modified", lm, sizeof(lm)) != NULL,
	    "  and a Last-Modified (%s)", lm);
	ok(header_of(&r, "Cache-Control", v, sizeof(v)) != NULL &&
	    sscanf(v, "max-age=%ld", &age) == 1 && age >= 10 && age <= 3600,
	    "  and a max-age from 10 s to an hour (%s)", v);
	ok(header_of(&r, "Vary", v, sizeof(v)) != NULL &&
	    strcmp(v, "Accept-Encoding") == 0, "  varying by Accept-Encoding");
	ok(header_of(&r, "X-Content-Type-Options", v, sizeof(v)) != NULL &&
	    strcmp(v, "nosniff") == 0, "  nosniff");
	ok(header_of(&r, "Content-Encoding", v, sizeof(v)) == NULL,
	    "  not compressed when not asked");
	buf_append(&plain, r.body.data, r.body.len);
	buf_free(&r.body);
	buf_free(&r.headers);

	request(url, NULL, NULL, &r);
	ok(r.code == 200 && header_of(&r, "ETag", etag2, sizeof(etag2)) &&
	    strcmp(etag, etag2) == 0 && r.body.len == plain.len &&
	    memcmp(r.body.data, plain.data, plain.len) == 0,
	    "the same request again: the same body and ETag");
	buf_free(&r.body);
	buf_free(&r.headers);

	{
		const char *h1[] = { line, NULL };

		snprintf(line, sizeof(line), "If-None-Match: %s", etag);
		request(url, NULL, h1, &r);
		is_int(304, r.code, "If-None-Match with it: 304");
		ok(r.body.len == 0 && header_of(&r, "ETag", etag2,
		    sizeof(etag2)) && strcmp(etag, etag2) == 0,
		    "  no body, the ETag again");
		buf_free(&r.body);
		buf_free(&r.headers);
		snprintf(line, sizeof(line), "If-None-Match: \"x\", W/%s",
		    etag);
		request(url, NULL, h1, &r);
		is_int(304, r.code, "  in a list, weak: 304");
		buf_free(&r.body);
		buf_free(&r.headers);
		snprintf(line, sizeof(line), "If-None-Match: \"other\"");
		request(url, NULL, h1, &r);
		is_int(200, r.code, "another ETag: 200");
		buf_free(&r.body);
		buf_free(&r.headers);
		snprintf(line, sizeof(line), "If-Modified-Since: %s", lm);
		request(url, NULL, h1, &r);
		is_int(304, r.code, "If-Modified-Since its Last-Modified: 304");
		buf_free(&r.body);
		buf_free(&r.headers);
	}
	{
		char l1[200], l2[200];
		const char *h2[] = { l1, l2, NULL };

		snprintf(l1, sizeof(l1), "If-None-Match: \"other\"");
		snprintf(l2, sizeof(l2), "If-Modified-Since: %s", lm);
		request(url, NULL, h2, &r);
		is_int(200, r.code, "a stale ETag and a fresh date: 200 (the "
		    "ETag wins)");
		buf_free(&r.body);
		buf_free(&r.headers);
	}
	{
		const char *gz[] = { "Accept-Encoding: gzip, deflate", NULL };
		const char *no[] = { "Accept-Encoding: gzip;q=0, identity",
		    NULL };
		struct buf un = { 0 };

		request(url, NULL, gz, &g);
		ok(g.code == 200 && header_of(&g, "Content-Encoding", v,
		    sizeof(v)) && strcmp(v, "gzip") == 0, "Accept-Encoding: "
		    "gzip: a gzip body");
		ok(gunzip(&g.body, &un) == 0 && un.len == plain.len &&
		    memcmp(un.data, plain.data, plain.len) == 0 &&
		    g.body.len < plain.len, "  that inflates to the same "
		    "document (%zu bytes from %zu)", g.body.len, plain.len);
		ok(header_of(&g, "ETag", etag2, sizeof(etag2)) &&
		    strcmp(etag, etag2) == 0, "  under the same ETag");
		buf_free(&un);
		buf_free(&g.body);
		buf_free(&g.headers);
		request(url, NULL, no, &g);
		ok(g.code == 200 && header_of(&g, "Content-Encoding", v,
		    sizeof(v)) == NULL && g.body.len == plain.len,
		    "gzip;q=0: not compressed");
		buf_free(&g.body);
		buf_free(&g.headers);
	}
	request(url, "HEAD", NULL, &r);
	ok(r.code == 200 && r.body.len == 0 && header_of(&r, "ETag", etag2,
	    sizeof(etag2)) && strcmp(etag, etag2) == 0, "HEAD: 200, the "
	    "ETag, no body");
	buf_free(&r.body);
	buf_free(&r.headers);

	/* Another query, and a page of a different size: other ETags. */
	snprintf(url, sizeof(url), "%sfeed.atom?q=continual&limit=2", base);
	request(url, NULL, NULL, &r);
	ok(r.code == 200 && header_of(&r, "ETag", etag2, sizeof(etag2)) &&
	    strcmp(etag, etag2) != 0, "another page: another ETag");
	buf_free(&r.body);
	buf_free(&r.headers);
	snprintf(url, sizeof(url), "%s", base);
	request(url, NULL, NULL, &r);
	ok(r.code == 200 && header_of(&r, "Content-Security-Policy", v,
	    sizeof(v)) && strstr(v, "default-src 'none'") != NULL &&
	    header_of(&r, "ETag", etag2, sizeof(etag2)) != NULL,
	    "the HTML page: a strict CSP, and an ETag");
	buf_free(&r.body);
	buf_free(&r.headers);
	buf_free(&plain);
}

/* The growing feed's next poll changes the store: the ETag changes. */
static void
check_etag_moves(const char *base)
{
	char url[600], e1[64] = "", e2[64] = "";
	struct response r;
	int64_t end = tu_now_ms() + 15000;

	snprintf(url, sizeof(url), "%sfeed.atom?q=sprout", base);
	request(url, NULL, NULL, &r);
	header_of(&r, "ETag", e1, sizeof(e1));
	buf_free(&r.body);
	buf_free(&r.headers);
	do {
		usleep(300 * 1000);
		request(url, NULL, NULL, &r);
		header_of(&r, "ETag", e2, sizeof(e2));
		buf_free(&r.body);
		buf_free(&r.headers);
	} while (strcmp(e1, e2) == 0 && tu_now_ms() < end);
	ok(e1[0] != '\0' && strcmp(e1, e2) != 0, "a new entry in the store: "
	    "a new ETag (%s, then %s)", e1, e2);
}

/* Pages of limit entries, each next link followed: the whole list. */
static void
check_paging(const char *base, const char *fmt, const char *query,
    int limit)
{
	struct page all, pg;
	char url[1400];
	int pages = 0, got = 0, in_order = 1, small = 1, rc;

	snprintf(url, sizeof(url), "%sfeed.%s?limit=500%s", base, fmt,
	    query);
	rc = fetch_page(url, fmt, &all);
	if (!ok(rc == 0 && all.n > limit, "paging %s%s: more than %d entries "
	    "in all (%d)", fmt, query, limit, all.n))
		return;
	ok(all.next[0] == '\0', "  the whole list has no next page");
	snprintf(url, sizeof(url), "%sfeed.%s?limit=%d%s", base, fmt, limit,
	    query);
	while (pages < 200 && fetch_page(url, fmt, &pg) == 0) {
		pages++;
		small &= pg.n <= limit;
		for (int i = 0; i < pg.n; i++, got++)
			if (got >= all.n || strcmp(pg.ids[i], all.ids[got]))
				in_order = 0;
		page_free(&pg);
		if (pg.next[0] == '\0')
			break;
		if (strstr(pg.next, "limit=") == NULL)
			small = 0;	/* the next page must keep the limit */
		local_url(base, pg.next, url, sizeof(url));
	}
	ok(small, "  every page holds at most %d", limit);
	ok(in_order && got == all.n, "  the pages, followed by their next "
	    "links, give the whole list in order (%d of %d, %d pages)", got,
	    all.n, pages);
	page_free(&all);
}

/*
 * A cursor stays right while new entries arrive: the growing feed's next
 * item (the newest sprout) comes between page 1 and page 2 of q=sprout,
 * and page 2 still starts where page 1 ended.
 */
static void
check_cursor_stable(const char *base)
{
	struct page all, p1, p2, now;
	char url[1400];
	int64_t end = tu_now_ms() + 15000;
	int rc;

	snprintf(url, sizeof(url), "%sfeed.atom?q=sprout&limit=500", base);
	rc = fetch_page(url, "atom", &all);
	if (!ok(rc == 0 && all.n >= 4, "cursor: %d sprouts to page through",
	    all.n))
		return;
	snprintf(url, sizeof(url), "%sfeed.atom?q=sprout&limit=2", base);
	rc = fetch_page(url, "atom", &p1);
	ok(rc == 0 && p1.n == 2 && strcmp(p1.ids[0], all.ids[0]) == 0 &&
	    strcmp(p1.ids[1], all.ids[1]) == 0 && p1.next[0] != '\0',
	    "cursor: page 1 is the two newest, with a next link");
	do {		/* the next poll brings one more */
		usleep(300 * 1000);
		snprintf(url, sizeof(url), "%sfeed.atom?q=sprout&limit=500",
		    base);
		fetch_page(url, "atom", &now);
		rc = now.n;
		page_free(&now);
	} while (rc <= all.n && tu_now_ms() < end);
	ok(rc > all.n, "cursor: a new sprout arrived (%d, was %d)", rc,
	    all.n);
	local_url(base, p1.next, url, sizeof(url));
	rc = fetch_page(url, "atom", &p2);
	ok(rc == 0 && p2.n == 2 && strcmp(p2.ids[0], all.ids[2]) == 0 &&
	    strcmp(p2.ids[1], all.ids[3]) == 0, "cursor: page 2 goes on "
	    "where page 1 ended, none again and none skipped");
	page_free(&all);
	page_free(&p1);
	page_free(&p2);
}

/* A page's ids all have the word (or either word); the count. *//* A page's ids all have the word (or either word); the count. */
static int
check_filter(const char *base, const char *pathq, const char *what,
    int (*want)(const char *, const char *), const char *arg)
{
	struct page pg;
	char url[800];
	int n = -1;

	snprintf(url, sizeof(url), "%s%s", base, pathq);
	if (!ok(fetch_page(url, "atom", &pg) == 0, "%s answers", pathq)) {
		diag("%ld %s", pg.code, pg.body);
		return -1;
	}
	n = pg.n;
	if (want != NULL)
		ok(want(url, arg), "  %s", what);
	page_free(&pg);
	return n;
}

/* Every entry of the Atom document at url satisfies the XPath test arg. */
static int
every_entry(const char *url, const char *test)
{
	struct response r;
	struct atom a;
	char expr[600];
	int good = 0;

	get(url, NULL, &r);
	if (atom_parse(&a, &r) == 0) {
		snprintf(expr, sizeof(expr), "/a:feed/a:entry[not(%s)]", test);
		good = count(&a, "/a:feed/a:entry") > 0 && count(&a, expr) == 0;
		atom_free(&a);
	}
	buf_free(&r.body);
	return good;
}

static void
check_params(const char *base)
{
	static const struct {
		const char *pathq, *says;
	} bad[] = {
		{ "feed.atom?limit=0", "limit:" },
		{ "feed.atom?limit=501", "limit:" },
		{ "feed.rss?limit=ten", "limit:" },
		{ "feed.json?since=yesterday", "since:" },
		{ "feed.atom?sort=newest", "sort:" },
		{ "feed.atom?sort=relevance", "needs words" },
		{ "feed.atom?cursor=zz", "cursor:" },
		{ "feed.atom?q=x&sort=relevance&cursor=d12", "cursor:" },
		{ "feed.atom?q=(a+b", "never closed" },
		{ "feed.atom?q=a+OR+()", "OR" },
		{ "feed.atom?q=(feed:notes+OR+x)", "top level" },
		{ "c/cl.rss?limit=-3", "limit:" },
		{ "?q=a)", "closes nothing" },
	};
	char url[600];
	const char *reason;
	int n, m, both;
	struct response r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(url, sizeof(url), "%s%s", base, bad[i].pathq);
		get(url, NULL, &r);
		reason = r.body.data ? r.body.data : "";
		is_int(400, r.code, "/%s is a 400", bad[i].pathq);
		ok(strstr(reason, bad[i].says) != NULL && strchr(reason,
		    '\n') == reason + strlen(reason) - 1, "  saying why in "
		    "one line: %s", reason);
		buf_free(&r.body);
	}
	n = check_filter(base, "feed.atom?feed=notes&limit=500", "all from "
	    "the feed notes", every_entry, "a:source/a:link[@rel='self' and "
	    "contains(@href, 'lab-notes.rdf')]");
	ok(n > 0, "  feed=notes: %d entries", n);
	is_int(n, check_filter(base, "feed.atom?q=feed:notes&limit=500",
	    "feed:notes: the same", every_entry, "a:source/a:link["
	    "@rel='self' and contains(@href, 'lab-notes.rdf')]"),
	    "q=feed:notes finds as many");
	m = check_filter(base, "feed.atom?q=-feed:notes&limit=500", "none "
	    "from notes", every_entry, "not(a:source/a:link[@rel='self' and "
	    "contains(@href, 'lab-notes.rdf')])");
	is_int(check_filter(base, "feed.atom?limit=500", NULL, NULL, NULL),
	    n + m, "feed:notes and -feed:notes split the whole list");
	is_int(0, check_filter(base, "feed.atom?q=feed:notes&feed=blog", NULL,
	    NULL, NULL), "feed:notes with feed=blog: nothing");
	n = check_filter(base, "feed.atom?tag=cs.LG&limit=500", "each "
	    "with the category cs.LG", every_entry,
	    "a:category[@term='cs.LG']");
	ok(n > 0, "  tag=cs.LG: %d entries", n);
	n = check_filter(base, "feed.atom?q=title:continual&limit=500",
	    "title:continual: the word in each title", every_entry,
	    "contains(translate(a:title, 'C', 'c'), 'continual')");
	ok(n > 0 && n <= expected("continual", NULL), "  %d, no more than "
	    "q=continual finds", n);
	n = expected("continual", NULL);
	m = expected("survey", NULL);
	both = check_filter(base, "feed.atom?q=continual+OR+survey&limit=500",
	    NULL, NULL, NULL);
	ok(both >= n && both >= m && both <= n + m, "continual OR survey: "
	    "%d, between max(%d, %d) and their sum", both, n, m);
	is_int(expected("continual", "survey"), check_filter(base,
	    "feed.atom?q=(continual+OR+survey)+-survey&limit=500", NULL,
	    NULL, NULL), "(continual OR survey) -survey: continual without "
	    "survey");
	n = check_filter(base, "feed.atom?since=2000-01-01T00:00:00Z&"
	    "limit=500", NULL, NULL, NULL);
	is_int(check_filter(base, "feed.atom?limit=500", NULL, NULL, NULL), n,
	    "since=2000-01-01: everything");
	ok(check_filter(base, "feed.atom?since=1d&limit=500", "only entries "
	    "of the last day", NULL, NULL) < n, "since=1d: fewer (the "
	    "samples are from 2025)");
	n = check_filter(base, "feed.atom?q=continual&sort=relevance&limit=500",
	    NULL, NULL, NULL);
	is_int(expected("continual", NULL), n, "sort=relevance: the same "
	    "matches, ranked");
}

/*
 * Waits for the server's idle indexer to index every stored entry with no
 * search asking for it; 1 when it did within ms.
 */
static int
index_caught_up(int ms)
{
	int64_t end = tu_now_ms() + ms;
	char path[600];
	int done = 0;

	snprintf(path, sizeof(path), "%s/sluice.db", tmpdir);
	while (!done && tu_now_ms() < end) {
		sqlite3 *db;
		sqlite3_stmt *st;

		if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) ==
		    SQLITE_OK && sqlite3_prepare_v2(db, "SELECT count(*) = 0 "
		    "FROM fts_todo", -1, &st, NULL) == SQLITE_OK) {
			done = sqlite3_step(st) == SQLITE_ROW &&
			    sqlite3_column_int(st, 0) == 1;
			sqlite3_finalize(st);
		}
		sqlite3_close(db);
		if (!done)
			usleep(100 * 1000);
	}
	return done;
}

/*
 * Another process holds the store's write lock: the server answers reads
 * and searches all the same, and quickly.
 */
static void
check_locked(const char *base)
{
	char path[600], url[512];
	const char *paths[] = { "feed.atom", "feed.atom?q=continual", "" };
	sqlite3 *db;
	struct response r;

	snprintf(path, sizeof(path), "%s/sluice.db", tmpdir);
	if (!ok(sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_busy_timeout(db, 5000) == SQLITE_OK && sqlite3_exec(db,
	    "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK,
	    "another process takes the write lock")) {
		sqlite3_close(db);
		return;
	}
	/* Held for 2 s: feeds polled every second come and fail to store. */
	for (int round = 0; round < 4; round++) {
		for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
			int64_t t0 = tu_now_ms();

			snprintf(url, sizeof(url), "%s%s", base, paths[i]);
			get(url, NULL, &r);
			is_int(200, r.code, "/%s answers 200 while it is held",
			    paths[i]);
			ok(tu_now_ms() - t0 < 2000, "within 2 s (%lld ms)",
			    (long long)(tu_now_ms() - t0));
			buf_free(&r.body);
		}
		usleep(500 * 1000);
	}
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(db);
}

static void
check_serve(int origin_port)
{
	char conf[600], base[128];
	const char *argv[] = { sluice_bin, "serve", "-c", conf, "-l",
	    "127.0.0.1:0", NULL };
	struct proc p;
	char *at;
	int want;

	snprintf(conf, sizeof(conf), "%s/sluice.conf", tmpdir);
	write_config(conf, origin_port);
	if (!ok(spawn(&p, argv) == 0 && wait_log(&p, "listening on ", 10000),
	    "sluice serve starts and says where it listens")) {
		diag("log: %s", p.log.data ? p.log.data : "");
		return;
	}
	at = strstr(p.log.data, "listening on ") + 13;
	snprintf(base, sizeof(base), "http://%.*s/", (int)strcspn(at, ", \n"),
	    at);
	/*
	 * The stories of the samples (67 entries, 42 papers), 2 truncated
	 * ones, the growing feed's.
	 */
	want = expected(NULL, NULL) + 2 + 1;
	is_int(42, want - 3, "the samples hold 42 stories");
	ok(wait_entries(base, "", want, 20000) >= want,
	    "the first poll brings every feed's entries");
	ok(index_caught_up(5000), "the full-text index catches up by itself "
	    "when the loop is idle");
	check_feed(base);
	check_query(base, "feed.atom?q=continual", "continual", NULL);
	check_query(base, "feed.atom?q=Continual+-survey", "continual",
	    "survey");
	check_query(base, "c/cl.atom", "continual", "survey");
	check_misc(base);
	check_formats(base);
	check_paging(base, "atom", "", 7);
	check_paging(base, "rss", "&q=continual", 3);
	check_paging(base, "json", "&q=continual+OR+learning", 5);
	check_paging(base, "atom", "&q=continual&sort=relevance", 4);
	check_params(base);
	check_caching(base);
	check_html_links(base);
	check_api_feeds(base);
	check_metrics(base);
	check_etag_moves(base);
	check_locked(base);
	ok(wait_log(&p, "another process holds the write lock", 1000),
	    "the server saw the lock and paused its polls");
	ok(wait_log(&p, "feed page: not a feed", 1000),
	    "an HTML page is logged as not a feed");
	ok(wait_log(&p, "feed missing: HTTP 404", 1000),
	    "a 404 is logged as such");
	ok(wait_log(&p, "feed truncated: broken XML", 1000),
	    "a truncated feed is logged as broken, its entries kept");
	ok(wait_log(&p, "feed private: blocked address: 127.0.0.2 is "
	    "loopback", 1000), "a private address is refused (allow names "
	    "only 127.0.0.1:PORT)");
	ok(wait_entries(base, "?q=sprout", 3, 15000) >= 3,
	    "a feed is polled again on its interval and its new entries "
	    "appear");
	ok(wait_entries(base, "?q=sprout", 4, 15000) >= 4, "four sprouts");
	check_cursor_stable(base);
	/* (arxiv-cs.xml asks for <ttl>1440</ttl>: it is not polled again.) */
	if (!ok(origin_count(origin_port, "/feeds/daily-papers.atom",
	    "notmodified ") > 0, "re-polls are conditional GETs answered 304"))
		diag("log:\n%s", p.log.data);
	is_int(1, origin_count(origin_port, "/feeds/arxiv-cs.xml",
	    "requests "), "a feed whose <ttl> is a day is not polled again");
	kill(p.pid, SIGTERM);
	is_int(0, wait_exit(&p, 5000), "SIGTERM stops it with status 0 "
	    "within 5 s");
	if (p.pid > 0) {
		kill(p.pid, SIGKILL);
		wait_exit(&p, 1000);
	}
	buf_free(&p.log);
}

/* An RSS 2.0 feed of n items at path. */
static void
write_items(const char *path, int n)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		diag("cannot write %s", path);
		return;
	}
	fprintf(f, "<rss version=\"2.0\"><channel><title>Full</title>"
	    "<link>http://full.test/</link>\n");
	for (int i = 1; i <= n; i++)
		fprintf(f, "<item><guid>full-%d</guid><title>Item %d</title>"
		    "<link>http://full.test/%d</link></item>\n", i, i, i);
	fprintf(f, "</channel></rss>\n");
	fclose(f);
}

/* How many entries the store at path holds, as another process sees it. */
static int
committed(const char *path)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	int n = -1;

	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL) ==
	    SQLITE_OK && sqlite3_prepare_v2(h, "SELECT count(*) FROM entries",
	    -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(h);
	return n;
}

static int
set_fsize(pid_t pid, rlim_t limit)
{
	struct rlimit rl;

	if (prlimit(pid, RLIMIT_FSIZE, NULL, &rl) == -1)
		return -1;
	rl.rlim_cur = limit;
	return prlimit(pid, RLIMIT_FSIZE, &rl, NULL);
}

/*
 * The disk fills while the server runs (its file size limit drops to the
 * size its files have): a batch of polls that cannot be committed is lost
 * whole, and the poller forgets the validators of what it lost.  The changed feed is
 * fetched again once the disk has room, rather than answered by a 304 for
 * entries that were never stored.
 */
static void
check_disk_full(void)
{
	char dir[600], docs[700], feed[800], conf[700], wal[700], base[128];
	char *at;
	const char *argv[] = { sluice_bin, "serve", "-c", conf, "-l",
	    "127.0.0.1:0", "-v", NULL };
	struct origin o;
	struct proc p;
	struct stat sb;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/full", tmpdir);
	snprintf(docs, sizeof(docs), "%s/docs", dir);
	snprintf(feed, sizeof(feed), "%s/x.xml", docs);
	snprintf(conf, sizeof(conf), "%s/sluice.conf", dir);
	if (mkdir(dir, 0700) == -1 || mkdir(docs, 0700) == -1)
		diag("cannot create %s", docs);
	write_items(feed, 2);
	if (!ok(origin_start(&o, docs) == 0, "disk full: an origin of its own"))
		return;
	if ((f = fopen(conf, "w")) != NULL) {
		fprintf(f, "[store]\npath = %s/sluice.db\n[poll]\n"
		    "interval = 1s\nmin_interval = 1s\ntimeout = 5s\n"
		    "allow = 127.0.0.1:%d\n"
		    "[feed x]\nurl = http://127.0.0.1:%d/feeds/x.xml\n"
		    "interval = 1s\n", dir,
		    o.port, o.port);
		fclose(f);
	}
	if (!ok(spawn(&p, argv) == 0 && wait_log(&p, "listening on ", 10000),
	    "disk full: sluice serve starts")) {
		origin_stop(&o);
		return;
	}
	at = strstr(p.log.data, "listening on ") + 13;
	snprintf(base, sizeof(base), "http://%.*s/", (int)strcspn(at, ", \n"),
	    at);
	ok(wait_entries(base, "", 2, 10000) == 2, "disk full: 2 entries "
	    "shown first");
	/* (The server's own reads see its batch before it is committed.) */
	snprintf(wal, sizeof(wal), "%s/sluice.db", dir);
	for (int64_t end = tu_now_ms() + 10000; tu_now_ms() < end &&
	    committed(wal) < 2; )
		usleep(100 * 1000);
	is_int(2, committed(wal), "disk full: and committed");
	/*
	 * The write-ahead log grows by every commit (no checkpoint resets it
	 * this early): at its present size, the next commit fails.
	 */
	snprintf(wal, sizeof(wal), "%s/sluice.db-wal", dir);
	ok(stat(wal, &sb) == 0 && sb.st_size > 0 && set_fsize(p.pid,
	    (rlim_t)sb.st_size) == 0, "disk full: the server's file size "
	    "limit drops to the log's size");
	write_items(feed, 3);	/* a new size: a new ETag */
	/* Its 200 served, then a batch lost after it. */
	for (int64_t end = tu_now_ms() + 10000; tu_now_ms() < end &&
	    origin_count(o.port, "/feeds/x.xml", "requests ") -
	    origin_count(o.port, "/feeds/x.xml", "notmodified ") < 2; )
		usleep(100 * 1000);
	buf_reset(&p.log);
	ok(wait_log(&p, "a batch of polls could not be committed", 10000),
	    "disk full: the batch that held the new entry is lost, and "
	    "logged");
	ok(p.pid > 0 && kill(p.pid, 0) == 0, "disk full: the server runs on");
	ok(set_fsize(p.pid, RLIM_INFINITY) == 0, "disk full: room again");
	if (!is_int(3, wait_entries(base, "", 3, 10000), "disk full: the "
	    "lost entry is fetched again and stored, not answered by a 304")) {
		drain_log(&p, 100);
		diag("log: %s", p.log.data);
	}
	kill(p.pid, SIGTERM);
	is_int(0, wait_exit(&p, 5000), "disk full: SIGTERM stops it");
	if (p.pid > 0) {
		kill(p.pid, SIGKILL);
		wait_exit(&p, 1000);
	}
	buf_free(&p.log);
	origin_stop(&o);
}

/*
 * Rows 63 and 65, on `sluice serve`.  A next poll the store has a day
 * ahead (the wall clock was ahead when it was written, or has been set
 * back since) waits max_interval at most, not the day.  SIGTERM while a
 * transfer hangs (the origin reads the request and never answers) stops
 * the server within 5 s, with its store whole and its log gone.
 */
static void
check_clock_and_term(void)
{
	char dir[600], docs[700], feed[800], conf[700], dbp[700], wal[720];
	const char *argv[] = { sluice_bin, "serve", "-c", conf, "-l",
	    "127.0.0.1:0", NULL };
	struct origin o;
	struct proc p;
	struct stat sb;
	sqlite3 *db = NULL;
	int64_t t0;
	int got = 0, rc;
	FILE *f;

	memset(&p, 0, sizeof(p));
	p.pid = -1;
	snprintf(dir, sizeof(dir), "%s/clock", tmpdir);
	snprintf(docs, sizeof(docs), "%s/docs", dir);
	snprintf(feed, sizeof(feed), "%s/x.xml", docs);
	snprintf(conf, sizeof(conf), "%s/sluice.conf", dir);
	snprintf(dbp, sizeof(dbp), "%s/sluice.db", dir);
	snprintf(wal, sizeof(wal), "%s-wal", dbp);
	if (mkdir(dir, 0700) == -1 || mkdir(docs, 0700) == -1)
		diag("cannot create %s", docs);
	write_items(feed, 2);
	if (!ok(origin_start(&o, docs) == 0, "rows 63, 65: an origin of its "
	    "own"))
		return;
	if ((f = fopen(conf, "w")) != NULL) {
		fprintf(f, "[store]\npath = %s\n[poll]\nmin_interval = 1s\n"
		    "max_interval = 2s\ntimeout = 30s\nallow = 127.0.0.1:%d\n"
		    "[feed x]\nurl = http://127.0.0.1:%d/feeds/x.xml\n"
		    "[feed hang]\nurl = http://127.0.0.1:%d/raw/hang\n", dbp,
		    o.port, o.port, o.port);
		fclose(f);
	}
	/* One poll of x, then a stop, and its next poll moved a day on. */
	if (!ok(spawn(&p, argv) == 0 && wait_log(&p, "listening on ", 10000),
	    "rows 63, 65: sluice serve starts"))
		goto out;
	for (t0 = tu_now_ms(); tu_now_ms() - t0 < 10000 && origin_count(o.port,
	    "/feeds/x.xml", "requests ") < 1; )
		usleep(50 * 1000);
	usleep(300 * 1000);	/* its batch committed */
	kill(p.pid, SIGINT);
	is_int(0, wait_exit(&p, 5000), "  row 63: SIGINT stops it with "
	    "status 0");
	buf_free(&p.log);
	if (sqlite3_open(dbp, &db) != SQLITE_OK || sqlite3_exec(db,
	    "UPDATE polls SET next_poll = CAST(strftime('%s', 'now') AS "
	    "INTEGER) + 86400", NULL, NULL, NULL) != SQLITE_OK)
		diag("cannot move next_poll: %s", sqlite3_errmsg(db));
	sqlite3_close(db);
	got = origin_count(o.port, "/feeds/x.xml", "requests ");

	if (!ok(spawn(&p, argv) == 0 && wait_log(&p, "listening on ", 10000),
	    "row 65: it starts again with next_poll a day ahead"))
		goto out;
	t0 = tu_now_ms();
	while (tu_now_ms() - t0 < 6000 && origin_count(o.port, "/feeds/x.xml",
	    "requests ") == got)
		usleep(50 * 1000);
	ok(origin_count(o.port, "/feeds/x.xml", "requests ") > got, "row 65: "
	    "the feed is polled within max_interval = 2s, not a day on "
	    "(%lld ms)", (long long)(tu_now_ms() - t0));

	/* By now the hanging feed has a transfer open, for 30 s. */
	ok(origin_count(o.port, "/raw/hang", "requests ") >= 1, "row 63: a "
	    "transfer hangs");
	t0 = tu_now_ms();
	kill(p.pid, SIGTERM);
	rc = wait_exit(&p, 5000);
	is_int(0, rc, "row 63: SIGTERM mid-transfer: it exits 0");
	ok(tu_now_ms() - t0 < 5000, "  within 5 s (%lld ms)",
	    (long long)(tu_now_ms() - t0));
	ok(stat(wal, &sb) == -1, "  its write-ahead log checkpointed and "
	    "removed");
	db = NULL;
	{
		sqlite3_stmt *st = NULL;
		const char *v = NULL;

		if (sqlite3_open(dbp, &db) == SQLITE_OK &&
		    sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st,
		    NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
			v = (const char *)sqlite3_column_text(st, 0);
		is_str("ok", v, "  integrity_check: ok");
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
out:
	if (p.pid > 0) {
		kill(p.pid, SIGKILL);
		wait_exit(&p, 1000);
	}
	buf_free(&p.log);
	origin_stop(&o);
}

/*
 * Row 58: killed after the origin answered 200 and before the batch that
 * held it was committed (sluice commits every 100 ms): at the next start
 * the feed is fetched again, unconditionally, and its entries stored,
 * validators being committed with the entries or not at all.  The kill
 * goes the moment the origin has counted the request; when the commit
 * wins that race (the entries are there), the run says so and the refetch
 * check has nothing to look at.
 */
static void
check_kill_after_200(void)
{
	char dir[600], docs[700], feed[800], conf[700], dbp[700], base[128];
	const char *argv[] = { sluice_bin, "serve", "-c", conf, "-l",
	    "127.0.0.1:0", NULL };
	struct origin o;
	struct proc p;
	int64_t t0;
	int before;
	char *at;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/kill200", tmpdir);
	snprintf(docs, sizeof(docs), "%s/docs", dir);
	snprintf(feed, sizeof(feed), "%s/x.xml", docs);
	snprintf(conf, sizeof(conf), "%s/sluice.conf", dir);
	snprintf(dbp, sizeof(dbp), "%s/sluice.db", dir);
	if (mkdir(dir, 0700) == -1 || mkdir(docs, 0700) == -1)
		diag("cannot create %s", docs);
	write_items(feed, 3);
	if (!ok(origin_start(&o, docs) == 0, "row 58: an origin of its own"))
		return;
	if ((f = fopen(conf, "w")) != NULL) {
		fprintf(f, "[store]\npath = %s\n[poll]\nallow = 127.0.0.1:%d\n"
		    "[feed x]\nurl = http://127.0.0.1:%d/feeds/x.xml\n", dbp,
		    o.port, o.port);
		fclose(f);
	}
	if (!ok(spawn(&p, argv) == 0 && wait_log(&p, "listening on ", 10000),
	    "row 58: sluice serve starts")) {
		origin_stop(&o);
		return;
	}
	for (t0 = tu_now_ms(); tu_now_ms() - t0 < 10000 && origin_count(o.port,
	    "/feeds/x.xml", "requests ") < 1; )
		usleep(500);
	kill(p.pid, SIGKILL);
	wait_exit(&p, 5000);
	buf_free(&p.log);
	before = committed(dbp);
	diag("row 58: killed with %d entries committed", before);
	if (!ok(spawn(&p, argv) == 0 && wait_log(&p, "listening on ", 10000),
	    "  it starts again"))
		goto out;
	at = strstr(p.log.data, "listening on ") + 13;
	snprintf(base, sizeof(base), "http://%.*s/", (int)strcspn(at, ", \n"),
	    at);
	is_int(3, wait_entries(base, "", 3, 10000), "  the feed's 3 entries "
	    "are stored");
	if (before == 0)
		ok(origin_count(o.port, "/feeds/x.xml", "requests ") == 2 &&
		    origin_count(o.port, "/feeds/x.xml", "notmodified ") == 0,
		    "  the lost answer was fetched again with a 200, not "
		    "answered by a 304");
	else
		skip("the commit came before the kill this time");
	kill(p.pid, SIGTERM);
	wait_exit(&p, 5000);
out:
	if (p.pid > 0) {
		kill(p.pid, SIGKILL);
		wait_exit(&p, 1000);
	}
	buf_free(&p.log);
	origin_stop(&o);
}

/* The PIDs of pid's children, from /proc; how many (at most max). */
static int
children_of(pid_t pid, pid_t *kids, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;

	while (d != NULL && (de = readdir(d)) != NULL && n < max) {
		char path[300], stat[512], *p;
		FILE *f;
		long ppid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		if (fgets(stat, sizeof(stat), f) != NULL &&
		    (p = strrchr(stat, ')')) != NULL &&
		    sscanf(p + 1, " %*c %ld", &ppid) == 1 && ppid == pid)
			kids[n++] = (pid_t)atol(de->d_name);
		fclose(f);
	}
	if (d != NULL)
		closedir(d);
	return n;
}

/*
 * workers = 3: two more processes answer on the same address from their
 * own sockets and store connections; every answer is the same document;
 * SIGTERM to the server stops them all.
 */
static void
check_workers(void)
{
	char dir[600], conf[700], base[128], url[300], etag[64], e2[64];
	const char *argv[] = { sluice_bin, "serve", "-c", conf, "-l",
	    "127.0.0.1:0", NULL };
	struct proc p;
	struct response r;
	pid_t kids[8];
	int nk, same = 1, full = 1;
	char *at;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/workers", tmpdir);
	snprintf(conf, sizeof(conf), "%s/sluice.conf", dir);
	if (mkdir(dir, 0700) == -1 || (f = fopen(conf, "w")) == NULL) {
		ok(0, "workers: a config");
		return;
	}
	fprintf(f, "[server]\nworkers = 3\nbase_url = http://sluice.test/\n"
	    "[store]\npath = %s/sluice.db\nkeep_days = 100000\n"
	    "[feed notes]\nurl = %s/feeds/lab-notes.rdf\n", dir, srcdir);
	fclose(f);
	if (!ok(spawn(&p, argv) == 0 && wait_log(&p, "listening on ", 10000),
	    "workers: sluice serve starts")) {
		diag("log: %s", p.log.data ? p.log.data : "");
		return;
	}
	ok(strstr(p.log.data, "3 workers") != NULL, "  and says 3 workers");
	at = strstr(p.log.data, "listening on ") + 13;
	snprintf(base, sizeof(base), "http://%.*s/", (int)strcspn(at, ", \n"),
	    at);
	nk = children_of(p.pid, kids, 8);
	is_int(2, nk, "workers: two worker processes beside the server");
	ok(wait_entries(base, "", 12, 10000) == 12, "workers: the entries "
	    "are served");
	usleep(300 * 1000);	/* every worker has seen the commit */
	snprintf(url, sizeof(url), "%sfeed.atom", base);
	etag[0] = '\0';
	for (int i = 0; i < 40; i++) {
		struct atom a;

		request(url, NULL, NULL, &r);
		if (r.code != 200 || header_of(&r, "ETag", e2,
		    sizeof(e2)) == NULL)
			full = 0;
		else if (etag[0] == '\0')
			snprintf(etag, sizeof(etag), "%s", e2);
		else if (strcmp(etag, e2) != 0)
			same = 0;
		if (atom_parse(&a, &r) == 0) {
			full &= count(&a, "/a:feed/a:entry") == 12;
			atom_free(&a);
		} else
			full = 0;
		buf_free(&r.body);
		buf_free(&r.headers);
	}
	ok(full, "workers: 40 requests (new connections), each a 200 with "
	    "the 12 entries");
	ok(same, "  and the same ETag, whichever process answered");
	{
		struct exposition *e = xcalloc(1, sizeof(*e));

		snprintf(url, sizeof(url), "%smetrics", base);
		get(url, NULL, &r);
		parse_exposition(r.body.data, e);
		ok(sample(e, "sluice_http_requests_total{route=\"feed\","
		    "code=\"200\"}") >= 40, "workers: /metrics counts the "
		    "answers of every process (%g)", sample(e,
		    "sluice_http_requests_total{route=\"feed\",code=\"200\"}"));
		buf_free(&r.body);
		free(e);
	}
	kill(p.pid, SIGTERM);
	is_int(0, wait_exit(&p, 6000), "workers: SIGTERM stops the server "
	    "with status 0");
	{
		int gone = 1;

		for (int i = 0; i < nk; i++)
			gone &= kill(kids[i], 0) == -1 && errno == ESRCH;
		ok(gone, "  and its workers");
	}
	if (p.pid > 0) {
		kill(p.pid, SIGKILL);
		wait_exit(&p, 1000);
	}
	buf_free(&p.log);
}

/* The names /api/feeds lists, comma-joined, into out ("" on failure). */
static void
api_names(const char *base, char *out, size_t len)
{
	char url[300];
	struct response r;
	sqlite3 *db;
	sqlite3_stmt *st;

	*out = '\0';
	snprintf(url, sizeof(url), "%sapi/feeds", base);
	if (get(url, NULL, &r) == 0 && r.code == 200 &&
	    sqlite3_open(":memory:", &db) == SQLITE_OK) {
		if (sqlite3_prepare_v2(db, "SELECT group_concat(json_extract("
		    "value, '$.name'), ',') FROM json_each(?1)", -1, &st,
		    NULL) == SQLITE_OK) {
			sqlite3_bind_text(st, 1, r.body.data, -1,
			    SQLITE_STATIC);
			if (sqlite3_step(st) == SQLITE_ROW &&
			    sqlite3_column_text(st, 0) != NULL)
				snprintf(out, len, "%s",
				    sqlite3_column_text(st, 0));
			sqlite3_finalize(st);
		}
		sqlite3_close(db);
	}
	buf_free(&r.body);
}

static int
count_of(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; p != NULL && (p = strstr(p, needle)) != NULL;
	    p++)
		n++;
	return n;
}

/*
 * SIGHUP: a clean new config is taken (a feed added starts polling, on
 * the same address); a broken one is refused with its errors and the
 * running one stays; a storm of SIGHUPs (every 10 ms for 10 s) leaves the
 * server healthy, with every entry; SIGTERM still stops it.
 */
/*
 * The reload test's config, written whole under another name and renamed
 * over it (a reload never reads half a file): notes and blog, and with
 * port, a feed dripping from the origin and, with hang, one hanging.
 */
static void
write_reload_conf(const char *conf, const char *db, int port, int hang)
{
	char tmp[800];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", conf);
	if ((f = fopen(tmp, "w")) == NULL)
		return;
	fprintf(f, "[server]\nbase_url = http://sluice.test/\n"
	    "[store]\npath = %s\nkeep_days = 100000\n", db);
	if (port > 0)
		fprintf(f, "[poll]\nallow = 127.0.0.1:%d\ntimeout = 60s\n",
		    port);
	fprintf(f, "[feed notes]\nurl = %s/feeds/lab-notes.rdf\n"
	    "[feed blog]\nurl = %s/feeds/lab-blog.xml\n", srcdir, srcdir);
	if (port > 0)
		fprintf(f, "[feed drip]\nurl = http://127.0.0.1:%d/drip.xml\n",
		    port);
	if (hang)
		fprintf(f, "[feed hang]\nurl = http://127.0.0.1:%d/raw/hang\n",
		    port);
	fclose(f);
	rename(tmp, conf);
}

static void
check_reload(void)
{
	char dir[600], conf[700], db[700], base[128], names[256];
	const char *argv[] = { sluice_bin, "serve", "-c", conf, "-l",
	    "127.0.0.1:0", NULL };
	struct proc p;
	struct response r;
	FILE *f;
	char *at;
	int before, failed = 0, asked = 0;
	pid_t storm;
	struct origin o;

	memset(&o, 0, sizeof(o));
	snprintf(dir, sizeof(dir), "%s/reload", tmpdir);
	snprintf(conf, sizeof(conf), "%s/sluice.conf", dir);
	snprintf(db, sizeof(db), "%s/sluice.db", dir);
	if (mkdir(dir, 0700) == -1 || (f = fopen(conf, "w")) == NULL) {
		ok(0, "reload: a config");
		return;
	}
	fprintf(f, "[server]\nbase_url = http://sluice.test/\n"
	    "[store]\npath = %s\nkeep_days = 100000\n"
	    "[feed notes]\nurl = %s/feeds/lab-notes.rdf\n", db, srcdir);
	fclose(f);
	if (!ok(spawn(&p, argv) == 0 && wait_log(&p, "listening on ", 10000),
	    "reload: sluice serve starts")) {
		diag("log: %s", p.log.data ? p.log.data : "");
		return;
	}
	at = strstr(p.log.data, "listening on ") + 13;
	snprintf(base, sizeof(base), "http://%.*s/", (int)strcspn(at, ", \n"),
	    at);
	ok(wait_entries(base, "", 12, 10000) == 12, "reload: notes' 12 "
	    "entries");

	/* A feed added. */
	if ((f = fopen(conf, "a")) != NULL) {
		fprintf(f, "[feed blog]\nurl = %s/feeds/lab-blog.xml\n",
		    srcdir);
		fclose(f);
	}
	kill(p.pid, SIGHUP);
	ok(wait_log(&p, "reloading", 5000), "reload: SIGHUP with a clean "
	    "config is taken");
	for (int64_t end = tu_now_ms() + 10000; count_of(p.log.data,
	    "listening on ") < 2 && tu_now_ms() < end; )
		drain_log(&p, 100);
	{
		char addr[80];
		const char *again = strstr(p.log.data, "reloading");

		snprintf(addr, sizeof(addr), "listening on %.*s,",
		    (int)strlen(base) - 8, base + 7);
		ok(again != NULL && strstr(again, addr) != NULL, "reload: it "
		    "listens again, on the same address (%s)", addr + 13);
	}
	api_names(base, names, sizeof(names));
	is_str("notes,blog", names, "reload: the added feed is configured");
	ok(wait_entries(base, "", 12 + 7, 10000) == 12 + 7, "reload: and "
	    "polled: its 7 new stories arrive");
	before = committed(db);

	/* A broken config. */
	if ((f = fopen(conf, "a")) != NULL) {
		fprintf(f, "[feed bad name]\nurl = x\n");
		fclose(f);
	}
	buf_reset(&p.log);
	kill(p.pid, SIGHUP);
	ok(wait_log(&p, "the running one stays", 5000), "reload: a broken "
	    "config is refused");
	ok(p.log.data != NULL && strstr(p.log.data, conf) != NULL &&
	    strstr(p.log.data, ":10:") != NULL, "  with FILE:LINE errors in "
	    "the log");
	api_names(base, names, sizeof(names));
	is_str("notes,blog", names, "  the running config stays");

	/*
	 * Repaired, then a storm (row 62).  Every 100th signal the config
	 * changes and the storm pauses 500 ms, long enough for a poll to
	 * start: a feed that drips over HTTP and one that hangs come and go,
	 * so that a reload finds their transfers in flight.  The last config
	 * written is the repaired one.
	 */
	if (origin_start(&o, dir) != 0)
		diag("reload: no origin");
	write_reload_conf(conf, db, 0, 0);
	if ((storm = fork()) == 0) {
		for (int i = 0; i < 1000; i++) {	/* 15 s */
			if (i % 100 == 99)
				write_reload_conf(conf, db, i == 999 ? 0 :
				    o.port, i % 200 == 99);
			kill(p.pid, SIGHUP);
			usleep((i % 100 == 99 ? 500 : 10) * 1000);
		}
		_exit(0);
	}
	{
		char url[300];

		snprintf(url, sizeof(url), "%shealthz", base);
		while (waitpid(storm, NULL, WNOHANG) == 0) {
			drain_log(&p, 0);
			asked++;
			if (get(url, NULL, &r) != 0 || r.code != 200)
				failed++;
			buf_free(&r.body);
			usleep(20 * 1000);
		}
	}
	ok(asked > 50 && failed == 0, "reload: during the storm, every "
	    "request answered 200 (%d failed of %d)", failed, asked);
	ok(p.pid > 0 && kill(p.pid, 0) == 0, "reload: a SIGHUP storm (every "
	    "10 ms for 15 s): the server lives");
	{
		char url[300];
		int healthy = 0;

		snprintf(url, sizeof(url), "%shealthz", base);
		for (int64_t end = tu_now_ms() + 10000; !healthy &&
		    tu_now_ms() < end; usleep(100 * 1000)) {
			drain_log(&p, 0);
			healthy = get(url, NULL, &r) == 0 && r.code == 200;
			buf_free(&r.body);
		}
		ok(healthy, "  and answers /healthz");
	}
	api_names(base, names, sizeof(names));
	is_str("notes,blog", names, "  with its config");
	ok(committed(db) >= before && wait_entries(base, "", 12 + 7, 10000) ==
	    12 + 7, "  and every entry (%d stored)", committed(db));
	ok(origin_count(o.port, "/drip.xml", "requests ") > 0, "  transfers "
	    "were in flight during it (%d of the drip)",
	    origin_count(o.port, "/drip.xml", "requests "));
	kill(p.pid, SIGTERM);
	is_int(0, wait_exit(&p, 10000), "reload: then SIGTERM stops it with "
	    "status 0");
	if (p.pid > 0) {
		kill(p.pid, SIGKILL);
		wait_exit(&p, 1000);
	}
	origin_stop(&o);
	buf_free(&p.log);
}

/* Runs the binary to the end; its status, stdout and stderr. */
static int
run(const char *const argv[], struct buf *out, struct buf *err)
{
	char opath[640], epath[640];
	pid_t pid;
	int status;

	snprintf(opath, sizeof(opath), "%s/out", tmpdir);
	snprintf(epath, sizeof(epath), "%s/err", tmpdir);
	if ((pid = fork()) == 0) {
		freopen(opath, "w", stdout);
		freopen(epath, "w", stderr);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	tu_read_file(opath, out);
	tu_read_file(epath, err);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* `sluice parse --json` output, read back with SQLite's JSON1. */
static void
check_parse_json(const char *name, const char *format, int entries)
{
	char path[600];
	const char *argv[] = { sluice_bin, "parse", "--json", path, NULL };
	struct buf out = { 0 }, err = { 0 };
	sqlite3 *db;
	sqlite3_stmt *st;
	int rc;

	snprintf(path, sizeof(path), "%s/feeds/%s", srcdir, name);
	rc = run(argv, &out, &err);
	is_int(0, rc, "sluice parse --json %s exits 0", name);
	sqlite3_open(":memory:", &db);
	sqlite3_prepare_v2(db, "SELECT json_valid(?1), json_extract(?1, "
	    "'$.format'), json_array_length(?1, '$.entries'), "
	    "json_type(?1, '$.entries[0].title'), json_type(?1, "
	    "'$.feed.language'), json_extract(?1, '$.entries[0].published') "
	    "|| json_extract(?1, '$.entries[0].updated')", -1, &st, NULL);
	sqlite3_bind_text(st, 1, out.data, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *f = (const char *)sqlite3_column_text(st, 1);

		ok(sqlite3_column_int(st, 0) == 1 && f && strcmp(f, format) ==
		    0 && sqlite3_column_int(st, 2) == entries &&
		    strcmp((const char *)sqlite3_column_text(st, 3), "text") == 0,
		    "%s: JSON with format %s, %d entries, titles", name, format,
		    entries);
	} else
		ok(0, "%s: JSON could not be read", name);
	sqlite3_finalize(st);
	sqlite3_close(db);
	buf_free(&out);
	buf_free(&err);
}

/* Several documents: one JSON object per line; status 1 if one failed. */
static void
check_parse_many(void)
{
	char a[600], b[600];
	const char *argv[] = { sluice_bin, "parse", "--json", a, b, NULL };
	const char *bad[] = { sluice_bin, "parse", a, "/nonexistent/x.xml",
	    NULL };
	struct buf out = { 0 }, err = { 0 };
	size_t lines = 0;

	snprintf(a, sizeof(a), "%s/feeds/lab-blog.xml", srcdir);
	snprintf(b, sizeof(b), "%s/feeds/daily-papers.atom", srcdir);
	is_int(0, run(argv, &out, &err), "sluice parse --json A B exits 0");
	for (const char *p = out.data; (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	ok(lines == 2 && strncmp(out.data, "{\"format\":\"rss2.0\",", 19) == 0
	    && strstr(out.data, "\n{\"format\":\"atom1.0\"") != NULL,
	    "one JSON object per document, per line");
	buf_reset(&out);
	buf_reset(&err);
	is_int(1, run(bad, &out, &err), "a missing document makes it exit 1");
	ok(strstr(err.data, "/nonexistent/x.xml: No such file") != NULL &&
	    strstr(out.data, "# format rss2.0, 10 entries") != NULL,
	    "after printing the others");
	buf_free(&out);
	buf_free(&err);
}

/* `sluice parse` on a local file resolves links against the file's URL. */
static void
check_parse_relative(void)
{
	char path[600];
	const char *argv[] = { sluice_bin, "parse", "--json", path, NULL };
	struct buf out = { 0 }, err = { 0 };
	sqlite3 *db;
	sqlite3_stmt *st;

	snprintf(path, sizeof(path), "%s/tests/data/rss2-basic.xml", srcdir);
	run(argv, &out, &err);
	sqlite3_open(":memory:", &db);
	sqlite3_prepare_v2(db, "SELECT count(*) FROM json_each(?1, "
	    "'$.entries') WHERE json_extract(value, '$.link') NOT LIKE "
	    "'%://%'", -1, &st, NULL);
	sqlite3_bind_text(st, 1, out.data, -1, SQLITE_STATIC);
	ok(sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 0,
	    "sluice parse FILE makes every link absolute");
	sqlite3_finalize(st);
	sqlite3_close(db);
	buf_free(&out);
	buf_free(&err);
}

/*
 * `sluice query` on the store the server filled: JSON Feed 1.1, Atom and
 * text agree with each other and with the samples.
 */
static void
check_query_cli(void)
{
	char conf[600];
	const char *json[] = { sluice_bin, "query", "-c", conf, "-f", "json",
	    "continual", NULL };
	const char *atom[] = { sluice_bin, "query", "-c", conf, "-f", "atom",
	    "continual", NULL };
	const char *rss[] = { sluice_bin, "query", "-c", conf, "-f", "rss",
	    "continual", NULL };
	const char *text[] = { sluice_bin, "query", "-c", conf, "continual",
	    NULL };
	const char *bad[] = { sluice_bin, "query", "-c", conf, "-f", "xml",
	    NULL };
	struct buf out = { 0 }, err = { 0 }, aout = { 0 };
	struct response r;
	struct atom a;
	sqlite3 *db;
	sqlite3_stmt *st;
	int want = expected("continual", NULL), lines = 0;

	snprintf(conf, sizeof(conf), "%s/sluice.conf", tmpdir);
	is_int(0, run(json, &out, &err), "sluice query -f json exits 0");
	sqlite3_open(":memory:", &db);
	sqlite3_prepare_v2(db, "SELECT json_valid(?1),"
	    " json_extract(?1, '$.version'),"
	    " json_array_length(?1, '$.items'),"
	    " (SELECT count(DISTINCT json_extract(value, '$.id'))"
	    "  FROM json_each(?1, '$.items')"
	    "  WHERE json_extract(value, '$.id') LIKE 'urn:uuid:%'"
	    "  AND json_type(value, '$.content_text') = 'text'"
	    "  AND json_type(value, '$._source.title') = 'text'"
	    "  AND json_type(value, '$.date_published') = 'text'),"
	    " (SELECT group_concat(json_extract(value, '$.id'), ' ')"
	    "  FROM json_each(?1, '$.items'))", -1, &st, NULL);
	sqlite3_bind_text(st, 1, out.data ? out.data : "", -1, SQLITE_STATIC);
	if (ok(sqlite3_step(st) == SQLITE_ROW, "the output can be read")) {
		const char *ids = (const char *)sqlite3_column_text(st, 4);

		is_int(1, sqlite3_column_int(st, 0), "it is JSON");
		is_str("https://jsonfeed.org/version/1.1",
		    (const char *)sqlite3_column_text(st, 1),
		    "a JSON Feed 1.1 document");
		is_int(want, sqlite3_column_int(st, 2), "one item per story "
		    "with \"continual\" (%d)", want);
		is_int(want, sqlite3_column_int(st, 3), "each with its own "
		    "urn:uuid id, content_text, date and _source");
		/* Atom from the same code: the same ids in the same order. */
		if (run(atom, &aout, &err) == 0) {
			memset(&r, 0, sizeof(r));
			r.body = aout;
			if (atom_parse(&a, &r) == 0) {
				xmlXPathObjectPtr o;
				xmlNodeSetPtr ns = nodes(&a, "/a:feed/a:entry/"
				    "a:id", &o);
				struct buf aids = { 0 };

				for (int i = 0; ns && i < ns->nodeNr; i++) {
					xmlChar *t = xmlNodeGetContent(
					    ns->nodeTab[i]);

					buf_printf(&aids, "%s%s", i ? " " : "",
					    (const char *)t);
					xmlFree(t);
				}
				xmlXPathFreeObject(o);
				is_str(ids, aids.data, "-f atom lists the same "
				    "stories in the same order");
				buf_free(&aids);
				atom_free(&a);
			} else
				ok(0, "-f atom is well-formed");
		} else
			ok(0, "sluice query -f atom exits 0");
		buf_reset(&aout);
		if (run(rss, &aout, &err) == 0) {
			memset(&r, 0, sizeof(r));
			r.body = aout;
			if (atom_parse(&a, &r) == 0) {
				xmlXPathObjectPtr o;
				xmlNodeSetPtr ns = nodes(&a, "/rss/channel/"
				    "item/guid", &o);
				struct buf rids = { 0 };

				for (int i = 0; ns && i < ns->nodeNr; i++) {
					xmlChar *t = xmlNodeGetContent(
					    ns->nodeTab[i]);

					buf_printf(&rids, "%s%s", i ? " " : "",
					    (const char *)t);
					xmlFree(t);
				}
				xmlXPathFreeObject(o);
				is_str(ids, rids.data, "-f rss lists the same "
				    "stories in the same order");
				ok(count(&a, "/rss/channel/a:link[@rel='self' "
				    "and @href='http://sluice.test/feed.rss?"
				    "q=continual']") == 1, "its self link is the "
				    "server's URL for the same query");
				buf_free(&rids);
				atom_free(&a);
			} else
				ok(0, "-f rss is well-formed");
		} else
			ok(0, "sluice query -f rss exits 0");
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	buf_reset(&out);
	is_int(0, run(text, &out, &err), "sluice query (text) exits 0");
	for (const char *p = out.data; p && (p = strchr(p, '\n')); p++)
		lines++;
	is_int(want, lines, "one line per story");
	buf_reset(&out);
	buf_reset(&err);
	is_int(2, run(bad, &out, &err), "an unknown format is refused");
	ok(err.data && strstr(err.data, "unknown format \"xml\"") != NULL,
	    "saying which");
	buf_free(&out);
	buf_free(&err);
	buf_free(&aout);
}

/*
 * sluice export: the configured feeds as OPML, which [include] opml reads
 * back into the same feeds: exported again, the same document.
 */
static void
check_export(void)
{
	char conf[1100], opml[600], rt[600];
	const char *ex1[] = { sluice_bin, "export", "-c", conf, NULL };
	const char *ex2[] = { sluice_bin, "export", "-c", rt, NULL };
	struct buf out1 = { 0 }, out2 = { 0 }, err = { 0 };
	struct response r;
	struct atom a;
	FILE *f;

	snprintf(conf, sizeof(conf), "%s/etc/sluice.conf", srcdir);
	snprintf(opml, sizeof(opml), "%s/export.opml", tmpdir);
	snprintf(rt, sizeof(rt), "%s/roundtrip.conf", tmpdir);
	is_int(0, run(ex1, &out1, &err), "sluice export exits 0");
	memset(&r, 0, sizeof(r));
	r.body = out1;
	if (ok(atom_parse(&a, &r) == 0, "  OPML, well-formed")) {
		is_int(4, count(&a, "/opml[@version='2.0']/body/outline["
		    "@type='rss' and @text and @xmlUrl]"), "  the 4 feeds of "
		    "etc/sluice.conf");
		is_int(1, count(&a, "//outline[@text='arxiv-cs' and "
		    "@title='arXiv cs (sample)' and @category='arxiv, papers']"),
		    "  names, titles and tags");
		atom_free(&a);
	}
	if ((f = fopen(opml, "w")) != NULL) {
		fwrite(out1.data, 1, out1.len, f);
		fclose(f);
	}
	if ((f = fopen(rt, "w")) != NULL) {
		fprintf(f, "[server]\ntitle = Papers we care about\n"
		    "[store]\npath = %s/roundtrip.db\n"
		    "[include]\nopml = export.opml\n", tmpdir);
		fclose(f);
	}
	buf_reset(&err);
	is_int(0, run(ex2, &out2, &err), "a config that includes it: export "
	    "again (%s)", err.data ? err.data : "");
	ok(out1.len > 0 && out2.len == out1.len && memcmp(out1.data,
	    out2.data, out1.len) == 0, "  the same document: OPML round-trips "
	    "through [include] opml");
	buf_free(&out1);
	buf_free(&out2);
	buf_free(&err);
}

static void
check_bad_config(void)
{
	char path[600];
	const char *argv[] = { sluice_bin, "check", "-c", path, NULL };
	const char *serve[] = { sluice_bin, "serve", "-c", path, NULL };
	struct buf out = { 0 }, err = { 0 };
	FILE *f;

	snprintf(path, sizeof(path), "%s/bad.conf", tmpdir);
	f = fopen(path, "w");
	fputs("[server]\nlisten = nowhere\n[feed x]\ntitle = no url\n"
	    "[bogus]\n", f);
	fclose(f);
	is_int(1, run(argv, &out, &err), "sluice check on a bad config "
	    "exits 1");
	ok(strstr(err.data, "bad.conf:2: ") && strstr(err.data, "bad.conf:3: ")
	    && strstr(err.data, "bad.conf:5: "), "and names file and line of "
	    "every error");
	diag("%s", err.data);
	buf_reset(&out);
	buf_reset(&err);
	is_int(1, run(serve, &out, &err), "sluice serve refuses to start on "
	    "it");
	buf_free(&out);
	buf_free(&err);
}

/*
 * Row 61 from the command line: `sluice serve` refuses a truncated store
 * with a line that says so and exits 1, leaving the file as it was;
 * `sluice check -s` passes a whole store and finds a damaged one.
 */
static void
check_bad_store(void)
{
	char dir[600], conf[700], dbp[700];
	const char *check[] = { sluice_bin, "check", "-s", "-c", conf, NULL };
	const char *serve[] = { sluice_bin, "serve", "-c", conf, "-l",
	    "127.0.0.1:0", NULL };
	struct buf out = { 0 }, err = { 0 }, good = { 0 }, after = { 0 };
	struct stat sb;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/badstore", tmpdir);
	snprintf(conf, sizeof(conf), "%s/sluice.conf", dir);
	snprintf(dbp, sizeof(dbp), "%s/sluice.db", dir);
	mkdir(dir, 0700);
	if ((f = fopen(conf, "w")) != NULL) {
		fprintf(f, "[store]\npath = %s\n[feed a]\nurl = %s/feeds/"
		    "arxiv-cs.xml\n", dbp, srcdir);
		fclose(f);
	}
	is_int(0, run(check, &out, &err), "row 61: sluice check -s on a new "
	    "store exits 0");
	ok(out.data != NULL && strstr(out.data, "store OK") != NULL,
	    "  and says store OK");
	tu_read_file(dbp, &good);
	if ((f = fopen(dbp, "wb")) != NULL) {
		fwrite(good.data, 1, good.len / 2, f);
		fclose(f);
	}
	buf_reset(&out);
	buf_reset(&err);
	is_int(1, run(serve, &out, &err), "row 61: sluice serve on a store "
	    "cut in half exits 1");
	ok(err.data != NULL && strstr(err.data, "truncated") != NULL &&
	    strchr(err.data, '\n') == strrchr(err.data, '\n'), "  with one "
	    "line that says so: %s", err.data ? err.data : "");
	tu_read_file(dbp, &after);
	ok(stat(dbp, &sb) == 0 && after.len == good.len / 2 &&
	    memcmp(after.data, good.data, after.len) == 0, "  the file is "
	    "left as it was");
	buf_reset(&out);
	buf_reset(&err);
	is_int(1, run(check, &out, &err), "  sluice check -s exits 1 on it");

	/*
	 * A read-only store folder: the whole store put back, then `sluice
	 * serve` in a mount namespace where the folder is mounted read-only
	 * (util-linux's unshare; nothing outside it changes).
	 */
	if ((f = fopen(dbp, "wb")) != NULL) {
		fwrite(good.data, 1, good.len, f);
		fclose(f);
	}
	{
		char script[4096];
		const char *ro[] = { "/usr/bin/unshare", "-m", "/bin/sh", "-c",
		    script, NULL };
		const char *probe[] = { "/usr/bin/unshare", "-m", "/bin/sh",
		    "-c", script, NULL };

		snprintf(script, sizeof(script), "mount --bind '%s' '%s' && "
		    "mount -o remount,ro,bind '%s' && ! touch '%s/x' "
		    "2>/dev/null",
		    dir, dir, dir, dir);
		buf_reset(&out);
		buf_reset(&err);
		if (run(probe, &out, &err) != 0) {
			skip("row 61 read-only folder: no mount namespace");
			goto out;
		}
		snprintf(script, sizeof(script), "mount --bind '%s' '%s' && "
		    "mount -o remount,ro,bind '%s' && exec '%s' serve -c '%s' "
		    "-l 127.0.0.1:0", dir, dir, dir, sluice_bin, conf);
		buf_reset(&out);
		buf_reset(&err);
		is_int(1, run(ro, &out, &err), "row 61: sluice serve with its "
		    "store on a read-only folder exits 1");
		ok(err.data != NULL && strstr(err.data, "not writable") !=
		    NULL && strstr(err.data, "Read-only") != NULL &&
		    strchr(err.data, '\n') == strrchr(err.data, '\n'),
		    "  with one line that says so: %s", err.data ? err.data :
		    "");
		buf_reset(&after);
		tu_read_file(dbp, &after);
		ok(after.len == good.len && memcmp(after.data, good.data,
		    after.len) == 0, "  the store is left as it was");

		unlink(dbp);
		buf_reset(&out);
		buf_reset(&err);
		is_int(1, run(ro, &out, &err), "row 61: no store yet, on a "
		    "read-only folder: exits 1");
		ok(err.data != NULL && strstr(err.data, "cannot create") !=
		    NULL && strchr(err.data, '\n') == strrchr(err.data, '\n'),
		    "  with one line that says so: %s", err.data ? err.data :
		    "");
		ok(stat(dbp, &sb) == -1 && errno == ENOENT, "  and no store "
		    "made");
	}
out:
	buf_free(&out);
	buf_free(&err);
	buf_free(&good);
	buf_free(&after);
}

int
main(void)
{
	struct origin o;
	char feeds[512];

	sluice_bin = getenv("SLUICE");
	srcdir = getenv("SRCDIR");
	if (sluice_bin == NULL || srcdir == NULL) {
		printf("1..0 # SKIP SLUICE and SRCDIR are not set\n");
		return 0;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	parse_init();
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(feeds, sizeof(feeds), "%s/feeds", srcdir);
	if (!ok(origin_start(&o, feeds) == 0, "the test origin starts"))
		return done_testing();
	check_serve(o.port);
	origin_stop(&o);
	check_disk_full();
	check_clock_and_term();
	check_kill_after_200();
	check_workers();
	check_reload();
	check_parse_json("arxiv-cs.xml", "rss2.0", 25);
	check_parse_json("daily-papers.atom", "atom1.0", 20);
	check_parse_json("lab-notes.rdf", "rss1.0", 12);
	check_parse_relative();
	check_parse_many();
	check_query_cli();
	check_export();
	check_bad_config();
	check_bad_store();
	{
		char cmd[700];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			diag("could not remove %s", tmpdir);
	}
	xmlCleanupParser();
	curl_global_cleanup();
	return done_testing();
}
