/*
 * conf.c - the INI config file.  Every key of every section is one row of
 * the keys[] table: its section, its kind and where its value goes.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "addr.h"
#include "buf.h"
#include "conf.h"
#include "url.h"

enum section { S_NONE, S_SERVER, S_STORE, S_POLL, S_FEED, S_CHANNEL,
	S_INCLUDE };
enum kind { K_STR, K_DUR, K_MS, K_SIZE, K_INT, K_BOOL, K_LISTEN, K_PATH,
	K_BASE, K_URL, K_ALLOW, K_OPML };

struct key {
	enum section	 section;
	const char	*name;
	enum kind	 kind;
	size_t		 off;	/* into struct conf, feed_conf or channel_conf */
	int64_t		 min, max;
};

#define C(f)	offsetof(struct conf, f)
#define F(f)	offsetof(struct feed_conf, f)
#define H(f)	offsetof(struct channel_conf, f)
#define DAY	86400LL

static const struct key keys[] = {
	{ S_SERVER, "listen", K_LISTEN, C(listen), 0, 0 },
	{ S_SERVER, "base_url", K_BASE, C(base_url), 0, 0 },
	{ S_SERVER, "title", K_STR, C(title), 0, 0 },
	{ S_SERVER, "page_size", K_INT, C(page_size), 1, 500 },
	{ S_SERVER, "workers", K_INT, C(workers), 1, 64 },
	{ S_SERVER, "max_connections", K_INT, C(max_connections), 1, 1000000 },
	{ S_SERVER, "request_timeout", K_DUR, C(request_timeout), 1, 3600 },
	{ S_SERVER, "idle_timeout", K_DUR, C(idle_timeout), 1, 3600 },
	{ S_SERVER, "query_timeout", K_MS, C(query_timeout), 10, 60000 },
	{ S_STORE, "path", K_PATH, C(store_path), 0, 0 },
	{ S_STORE, "keep_days", K_INT, C(keep_days), 0, 100000 },
	{ S_STORE, "keep_per_feed", K_INT, C(keep_per_feed), 0, 100000000 },
	{ S_POLL, "interval", K_DUR, C(interval), 1, 365 * DAY },
	{ S_POLL, "min_interval", K_DUR, C(min_interval), 1, 365 * DAY },
	{ S_POLL, "max_interval", K_DUR, C(max_interval), 1, 365 * DAY },
	{ S_POLL, "concurrency", K_INT, C(concurrency), 1, 10000 },
	{ S_POLL, "per_host", K_INT, C(per_host), 1, 1000 },
	{ S_POLL, "timeout", K_DUR, C(timeout), 1, 3600 },
	{ S_POLL, "max_size", K_SIZE, C(max_size), 1024, 1LL << 30 },
	{ S_POLL, "user_agent", K_STR, C(user_agent), 0, 0 },
	{ S_POLL, "allow_private", K_BOOL, C(allow_private), 0, 0 },
	{ S_POLL, "allow", K_ALLOW, C(allow), 0, 0 },
	{ S_FEED, "url", K_URL, F(url), 0, 0 },
	{ S_FEED, "title", K_STR, F(title), 0, 0 },
	{ S_FEED, "tags", K_STR, F(tags), 0, 0 },
	{ S_FEED, "interval", K_DUR, F(interval), 1, 365 * DAY },
	{ S_CHANNEL, "query", K_STR, H(query), 0, 0 },
	{ S_CHANNEL, "title", K_STR, H(title), 0, 0 },
	{ S_INCLUDE, "opml", K_OPML, 0, 0, 0 },
};
#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

static const char *const section_names[] = {
	"", "server", "store", "poll", "feed", "channel", "include"
};

struct parser {
	struct conf	*conf;
	const char	*path;
	int		 line;
	struct buf	*errs;
	struct error {
		int	 line;
		int	 seq;	/* found in this order */
		char	*text;
	}		*err;
	int		 nerrs;
	enum section	 section;
	void		*object;	/* conf, or the current feed/channel */
	unsigned char	 seen[NKEYS];	/* keys set in the current object */
	unsigned char	 seen_global[NKEYS];
	int		 lines[NKEYS];	/* where each global key was set */
	int		 skipping;	/* under a bad section header */
};

static void
perr(struct parser *p, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static char *dir_of(const char *);

static void
perr(struct parser *p, int line, const char *fmt, ...)
{
	va_list ap;
	char msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->err = xrealloc(p->err, (size_t)(p->nerrs + 1) * sizeof(*p->err));
	p->err[p->nerrs].line = line;
	p->err[p->nerrs].seq = p->nerrs;
	p->err[p->nerrs].text = xstrdup(msg);
	p->nerrs++;
}

int
conf_duration(const char *s, int64_t *out)
{
	char *end;
	long long v;
	int64_t unit = 1;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0)
		return -1;
	switch (*end) {
	case '\0': case 's': unit = 1; break;
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	case 'd': unit = DAY; break;
	case 'w': unit = 7 * DAY; break;
	default: return -1;
	}
	if (*end != '\0' && end[1] != '\0')
		return -1;
	if (v > INT64_MAX / unit)
		return -1;
	*out = v * unit;
	return 0;
}

int
conf_duration_ms(const char *s, int64_t *out)
{
	size_t len = strlen(s);
	int64_t v;

	if (len > 2 && strcmp(s + len - 2, "ms") == 0) {
		char *end;
		long long n;

		if (!isdigit((unsigned char)*s))
			return -1;
		errno = 0;
		n = strtoll(s, &end, 10);
		if (errno != 0 || end != s + len - 2)
			return -1;
		*out = n;
		return 0;
	}
	if (conf_duration(s, &v) == -1 || v > INT64_MAX / 1000)
		return -1;
	*out = v * 1000;
	return 0;
}

int
conf_size(const char *s, int64_t *out)
{
	char *end;
	long long v;
	int64_t unit = 1;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0)
		return -1;
	switch (toupper((unsigned char)*end)) {
	case '\0': case 'B': unit = 1; break;
	case 'K': unit = 1LL << 10; break;
	case 'M': unit = 1LL << 20; break;
	case 'G': unit = 1LL << 30; break;
	default: return -1;
	}
	if (*end != '\0' && end[1] != '\0' && strcasecmp(end + 1, "B") != 0)
		return -1;
	if (v > INT64_MAX / unit)
		return -1;
	*out = v * unit;
	return 0;
}

/* Names of feeds and channels appear in URLs and logs: keep them plain. */
static int
error_cmp(const void *a, const void *b)
{
	const struct error *x = a, *y = b;

	return x->line != y->line ? x->line - y->line : x->seq - y->seq;
}

/* Every error, in the order of the file's lines. */
static void
report(struct parser *p)
{
	if (p->nerrs > 1)
		qsort(p->err, (size_t)p->nerrs, sizeof(*p->err), error_cmp);
	for (int i = 0; i < p->nerrs; i++) {
		buf_printf(p->errs, "%s:%d: %s\n", p->path, p->err[i].line,
		    p->err[i].text);
		free(p->err[i].text);
	}
	free(p->err);
}

static int
valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("._-", *s) == NULL)
			return 0;
	return 1;
}

/* "ADDR:PORT", "[V6]:PORT" or "PORT". */
static int
valid_listen(const char *s)
{
	const char *colon = strrchr(s, ':');
	const char *port = colon ? colon + 1 : s;
	char *end;
	long v;

	if (*port == '\0')
		return 0;
	v = strtol(port, &end, 10);
	if (*end != '\0' || v < 0 || v > 65535)
		return 0;
	if (colon != NULL && colon == s)
		return 0;
	if (s[0] == '[' && (colon == NULL || colon[-1] != ']'))
		return 0;
	return 1;
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static void
set_string(char **slot, const char *v)
{
	free(*slot);
	*slot = xstrdup(v);
}

/*
 * A feed's name from an outline's text: the characters a name may hold
 * kept, every run of others one '-', at most 64.  New, or NULL when
 * nothing is left.
 */
static char *
slug(const char *text)
{
	struct buf b = { 0 };
	int dash = 0;

	for (const char *t = text; *t != '\0' && b.len < 64; t++) {
		if (isalnum((unsigned char)*t) || strchr("._-", *t) != NULL) {
			if (dash && b.len > 0)
				buf_puts(&b, "-");
			dash = 0;
			buf_append(&b, t, 1);
		} else
			dash = 1;
	}
	if (b.len > 64)
		b.data[64] = '\0';
	return b.len > 0 ? buf_steal(&b) : NULL;
}

/* OPML categories ("/a/b, c") as tags ("a/b, c"); new, or NULL. */
static char *
opml_tags(const char *category)
{
	struct buf b = { 0 };

	for (const char *p = category; *p != '\0'; ) {
		size_t n = strcspn(p, ",");
		const char *s = p, *e = p + n;

		while (s < e && (isspace((unsigned char)*s) || *s == '/'))
			s++;
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		if (e > s)
			buf_printf(&b, "%s%.*s", b.len ? ", " : "",
			    (int)(e - s), s);
		p += n + (p[n] == ',');
	}
	return b.len > 0 ? buf_steal(&b) : NULL;
}

static char *
attr(xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetProp(n, BAD_CAST name);
	char *s = NULL;

	if (v != NULL && *v != '\0')
		s = xstrdup((const char *)v);
	xmlFree(v);
	return s;
}

/* Every outline under n with an xmlUrl, as a feed of the config. */
static void
opml_outlines(struct parser *p, xmlNodePtr n, const char *file,
    const char *dir)
{
	struct conf *c = p->conf;

	for (; n != NULL; n = n->next) {
		char *url, *text, *title, *name, *abs, *host, err[256];
		struct feed_conf *f;
		struct buf where = { 0 };

		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (xmlStrcmp(n->name, BAD_CAST "outline") == 0 &&
		    (url = attr(n, "xmlUrl")) != NULL) {
			buf_printf(&where, "%s:%ld", file, xmlGetLineNo(n));
			text = attr(n, "text");
			title = attr(n, "title");
			name = slug(text ? text : title ? title : "");
			abs = name ? url_from_config(url, dir, &host, err,
			    sizeof(err)) : NULL;
			if (name == NULL)
				perr(p, p->line, "%s: an outline with no text or "
				    "title to name its feed", where.data);
			else if (abs == NULL)
				perr(p, p->line, "%s: outline \"%s\": xmlUrl: %s",
				    where.data, name, err);
			else {
				c->feeds = xrealloc(c->feeds, (c->nfeeds + 1) *
				    sizeof(*c->feeds));
				f = &c->feeds[c->nfeeds++];
				memset(f, 0, sizeof(*f));
				f->name = name;
				f->url = abs;
				f->host = host;
				/*
				 * The title: the title attribute; else the text
				 * when the name had to change it (an export of
				 * sluice's, text = the name, keeps none).
				 */
				f->title = title ? title : text &&
				    strcmp(text, name) != 0 ? text : NULL;
				free(url);
				if ((url = attr(n, "category")) != NULL)
					f->tags = opml_tags(url);
				f->line = p->line;
				f->origin = buf_steal(&where);
				if (f->title == text)
					text = NULL;
				else if (f->title == title)
					title = NULL;
				name = NULL;
			}
			free(name);
			free(text);
			free(title);
			free(url);
			buf_free(&where);
		}
		opml_outlines(p, n->children, file, dir);
	}
}

/* A file of at most 16 MiB into b; 0 or -1. */
static int
read_small(const char *path, struct buf *b)
{
	FILE *f = fopen(path, "r");
	char chunk[8192];
	size_t n;

	if (f == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 &&
	    b->len <= (16 << 20))
		buf_append(b, chunk, n);
	n = ferror(f) || b->len > (16 << 20);
	fclose(f);
	return n ? -1 : 0;
}

/*
 * [include] opml = GLOB: every file the pattern matches (against the
 * config's folder) is read as OPML, and each outline with an xmlUrl
 * becomes a feed, named from its text (or title); a pattern that matches
 * nothing, a file that is not OPML and a bad outline are errors.
 */
static void
include_opml(struct parser *p, const char *pattern)
{
	struct buf full = { 0 };
	glob_t g;
	int rc;

	if (pattern[0] == '/')
		buf_puts(&full, pattern);
	else
		buf_printf(&full, "%s/%s", p->conf->dir, pattern);
	memset(&g, 0, sizeof(g));
	rc = glob(full.data, 0, NULL, &g);
	if (rc == GLOB_NOMATCH)
		perr(p, p->line, "opml: no file matches %s", pattern);
	else if (rc != 0)
		perr(p, p->line, "opml: cannot read %s", pattern);
	for (size_t i = 0; rc == 0 && i < g.gl_pathc; i++) {
		const char *file = g.gl_pathv[i];
		struct buf text = { 0 };
		xmlDocPtr doc = NULL;
		xmlNodePtr root;
		char *dir = dir_of(file);

		/*
		 * Read here and parsed from memory: libxml2 loads nothing
		 * itself (the parser's entity loader refuses every file).
		 */
		if (read_small(file, &text) == 0)
			doc = xmlReadMemory(text.data, (int)text.len, file,
			    NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
			    XML_PARSE_NOWARNING);
		buf_free(&text);
		root = doc ? xmlDocGetRootElement(doc) : NULL;

		if (root == NULL || xmlStrcmp(root->name, BAD_CAST "opml") != 0)
			perr(p, p->line, "opml: %s is not an OPML document",
			    file);
		else
			opml_outlines(p, root->children, file, dir);
		free(dir);
		xmlFreeDoc(doc);
	}
	globfree(&g);
	buf_free(&full);
}

static void
set_value(struct parser *p, const struct key *k, const char *v)
{
	char *base = p->object;
	int64_t n = 0;
	char err[256], *s, *end;

	switch (k->kind) {
	case K_STR:
		set_string((char **)(base + k->off), v);
		return;
	case K_DUR:
		if (conf_duration(v, &n) == -1) {
			perr(p, p->line, "%s: not a duration (like 90s, 30m, "
			    "2h, 7d): %s", k->name, v);
			return;
		}
		break;
	case K_MS:
		if (conf_duration_ms(v, &n) == -1) {
			perr(p, p->line, "%s: not a duration (like 250ms, 2s): "
			    "%s", k->name, v);
			return;
		}
		break;
	case K_SIZE:
		if (conf_size(v, &n) == -1) {
			perr(p, p->line, "%s: not a size (like 512K, 10M): %s",
			    k->name, v);
			return;
		}
		break;
	case K_INT:
		errno = 0;
		n = strtoll(v, &end, 10);
		if (errno != 0 || end == v || *end != '\0') {
			perr(p, p->line, "%s: not a number: %s", k->name, v);
			return;
		}
		break;
	case K_BOOL:
		if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0 ||
		    strcmp(v, "1") == 0 || strcasecmp(v, "on") == 0)
			*(int *)(void *)(base + k->off) = 1;
		else if (strcasecmp(v, "no") == 0 ||
		    strcasecmp(v, "false") == 0 || strcmp(v, "0") == 0 ||
		    strcasecmp(v, "off") == 0)
			*(int *)(void *)(base + k->off) = 0;
		else
			perr(p, p->line, "%s: not yes or no: %s", k->name, v);
		return;
	case K_LISTEN:
		if (!valid_listen(v))
			perr(p, p->line, "%s: not ADDR:PORT: %s", k->name, v);
		else
			set_string((char **)(base + k->off), v);
		return;
	case K_PATH:
		s = NULL;
		if (v[0] == '/')
			s = xstrdup(v);
		else {
			struct buf b = { 0 };

			buf_printf(&b, "%s/%s", p->conf->dir, v);
			s = buf_steal(&b);
		}
		free(*(char **)(base + k->off));
		*(char **)(base + k->off) = s;
		return;
	case K_BASE:
		if (!url_is_http(v) || (s = url_resolve(NULL, v)) == NULL) {
			perr(p, p->line, "%s: not an http(s) URL: %s",
			    k->name, v);
			return;
		}
		free(*(char **)(base + k->off));
		*(char **)(base + k->off) = s;
		return;
	case K_OPML:
		include_opml(p, v);
		return;
	case K_ALLOW: {
		struct addr_allow *list;
		size_t count;

		if (addr_allow_parse(v, &list, &count, err, sizeof(err)) == -1) {
			perr(p, p->line, "%s: %s", k->name, err);
			return;
		}
		free(list);
		set_string((char **)(base + k->off), v);
		return;
	}
	case K_URL: {
		/* A feed's (the one key of this kind): its host as well. */
		struct feed_conf *fc = (struct feed_conf *)(void *)base;
		char *host;

		if ((s = url_from_config(v, p->conf->dir, &host, err,
		    sizeof(err))) == NULL) {
			perr(p, p->line, "%s: %s", k->name, err);
			return;
		}
		free(fc->url);
		free(fc->host);
		fc->url = s;
		fc->host = host;
		return;
	}
	}
	if (n < k->min || n > k->max) {
		perr(p, p->line, "%s: %s is out of range", k->name, v);
		return;
	}
	*(int64_t *)(void *)(base + k->off) = n;
}

/* The index of a key in keys[], or NKEYS. */
static size_t
key_index(enum section sec, const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (keys[i].section == sec && strcmp(keys[i].name, name) == 0)
			break;
	return i;
}

/*
 * At the end of a [feed] or [channel]: its required key.  One set to a bad
 * value was reported already.
 */
static void
end_section(struct parser *p)
{
	const struct feed_conf *f = p->object;
	const struct channel_conf *h = p->object;

	if (p->section == S_FEED && !p->seen[key_index(S_FEED, "url")])
		perr(p, f->line, "feed \"%s\" has no url", f->name);
	else if (p->section == S_CHANNEL &&
	    !p->seen[key_index(S_CHANNEL, "query")])
		perr(p, h->line, "channel \"%s\" has no query", h->name);
}

static void
parse_section(struct parser *p, char *s)
{
	char *end = strchr(s, ']'), *arg;
	struct conf *c = p->conf;
	enum section sec;

	end_section(p);
	memset(p->seen, 0, sizeof(p->seen));
	p->section = S_NONE;
	p->skipping = 1;
	if (end == NULL || *trim(end + 1) != '\0') {
		perr(p, p->line, "malformed section header");
		return;
	}
	*end = '\0';
	s = trim(s + 1);
	arg = s + strcspn(s, " \t");
	if (*arg != '\0')
		*arg++ = '\0';
	arg = trim(arg);
	for (sec = S_SERVER; sec <= S_INCLUDE; sec++)
		if (strcmp(s, section_names[sec]) == 0)
			break;
	if (sec > S_INCLUDE) {
		perr(p, p->line, "unknown section [%s]", s);
		return;
	}
	if ((sec == S_FEED || sec == S_CHANNEL) != (*arg != '\0')) {
		perr(p, p->line, *arg ? "[%s] takes no name" :
		    "[%s] needs a name, like [%s NAME]", s, s);
		return;
	}
	if (*arg != '\0' && !valid_name(arg)) {
		perr(p, p->line, "bad name \"%s\" (letters, digits, '.', '_' "
		    "and '-', at most 64)", arg);
		return;
	}
	p->section = sec;
	p->skipping = 0;
	p->object = c;
	if (sec == S_FEED) {
		c->feeds = xrealloc(c->feeds, (c->nfeeds + 1) *
		    sizeof(*c->feeds));
		p->object = &c->feeds[c->nfeeds++];
		memset(p->object, 0, sizeof(struct feed_conf));
		c->feeds[c->nfeeds - 1].name = xstrdup(arg);
		c->feeds[c->nfeeds - 1].line = p->line;
	} else if (sec == S_CHANNEL) {
		c->channels = xrealloc(c->channels, (c->nchannels + 1) *
		    sizeof(*c->channels));
		p->object = &c->channels[c->nchannels++];
		memset(p->object, 0, sizeof(struct channel_conf));
		c->channels[c->nchannels - 1].name = xstrdup(arg);
		c->channels[c->nchannels - 1].line = p->line;
	}
}

static void
parse_pair(struct parser *p, char *s)
{
	char *eq = strchr(s, '='), *name, *value;
	size_t i;

	if (p->section == S_NONE && !p->skipping) {
		perr(p, p->line, "setting outside of a section");
		return;
	}
	if (eq == NULL) {
		perr(p, p->line, "expected KEY = VALUE");
		return;
	}
	if (p->section == S_NONE)
		return;		/* its section header was reported */
	*eq = '\0';
	name = trim(s);
	value = trim(eq + 1);
	if ((i = key_index(p->section, name)) == NKEYS) {
		perr(p, p->line, "unknown key \"%s\" in [%s]", name,
		    section_names[p->section]);
		return;
	}
	if (p->seen[i] || (p->object == p->conf && p->seen_global[i])) {
		perr(p, p->line, "%s is set twice", name);
		return;
	}
	p->seen[i] = p->seen_global[i] = 1;
	if (p->object == p->conf)
		p->lines[i] = p->line;
	if (*value == '\0' && keys[i].kind != K_STR) {
		perr(p, p->line, "%s: empty value", name);
		return;
	}
	set_value(p, &keys[i], value);
}

static void
set_defaults(struct conf *c)
{
	struct buf b = { 0 };

	c->listen = xstrdup("127.0.0.1:8080");
	c->title = xstrdup("sluice");
	c->page_size = 50;
	c->workers = 1;
	c->max_connections = 4096;
	c->request_timeout = 10;
	c->idle_timeout = 30;
	c->query_timeout = 2000;
	buf_printf(&b, "%s/sluice.db", c->dir);
	c->store_path = buf_steal(&b);
	c->keep_days = 90;
	c->keep_per_feed = 1000;
	c->interval = 30 * 60;
	c->min_interval = 5 * 60;
	c->max_interval = DAY;
	c->concurrency = 32;
	c->per_host = 2;
	c->timeout = 30;
	c->max_size = 10LL << 20;
	c->user_agent = xstrdup(PACKAGE_NAME "/" PACKAGE_VERSION);
}

/* A name and where it was set, for finding duplicates. */
struct named {
	const char	*name;
	int		 line;
	const char	*origin;	/* an OPML outline's FILE:LINE, or NULL */
};

static int
named_cmp(const void *a, const void *b)
{
	const struct named *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c != 0 ? c : x->line - y->line;
}

/*
 * Every name given twice, reported at its later line: sorted, so that a
 * config of 10,000 feeds is checked in n log n, not n^2.
 */
static void
check_duplicates(struct parser *p, const char *what, struct named *v,
    size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), named_cmp);
	for (size_t i = 1; i < n; i++)
		if (strcmp(v[i].name, v[i - 1].name) == 0 && v[i].origin)
			perr(p, v[i].line, "%s: duplicate %s name \"%s\"",
			    v[i].origin, what, v[i].name);
		else if (strcmp(v[i].name, v[i - 1].name) == 0)
			perr(p, v[i].line, "duplicate %s name \"%s\"", what,
			    v[i].name);
}

static void
check_names(struct parser *p)
{
	struct conf *c = p->conf;
	size_t n = c->nfeeds > c->nchannels ? c->nfeeds : c->nchannels;
	struct named *v = xcalloc(n + 1, sizeof(*v));

	for (size_t i = 0; i < c->nfeeds; i++)
		v[i] = (struct named){ c->feeds[i].name, c->feeds[i].line,
		    c->feeds[i].origin };
	check_duplicates(p, "feed", v, c->nfeeds);
	for (size_t i = 0; i < c->nchannels; i++)
		v[i] = (struct named){ c->channels[i].name,
		    c->channels[i].line, NULL };
	check_duplicates(p, "channel", v, c->nchannels);
	free(v);
}

/* Checks that need the whole file: ranges across keys, defaults. */
static void
check_conf(struct parser *p)
{
	struct conf *c = p->conf;
	int a, b;

	check_names(p);

	if (c->min_interval > c->max_interval) {
		/* The later of the two lines that set them. */
		a = p->lines[key_index(S_POLL, "min_interval")];
		b = p->lines[key_index(S_POLL, "max_interval")];
		perr(p, a > b ? a : b,
		    "min_interval is longer than max_interval");
	}
	if (c->base_url == NULL) {
		struct buf u = { 0 };

		/* A bare "PORT" listens on 127.0.0.1 (http.c). */
		buf_printf(&u, "http://%s%s/", strchr(c->listen, ':') ? "" :
		    "127.0.0.1:", c->listen);
		c->base_url = buf_steal(&u);
	} else if (c->base_url[strlen(c->base_url) - 1] != '/') {
		struct buf u = { 0 };

		buf_printf(&u, "%s/", c->base_url);
		free(c->base_url);
		c->base_url = buf_steal(&u);
	}
}

/*
 * path made absolute: the real path of the file, or when there is no such
 * file (conf_parse over text), path against the working folder.
 */
static char *
absolute(const char *path)
{
	struct buf b = { 0 };
	char *abs, *cwd;

	if ((abs = realpath(path, NULL)) != NULL)
		return abs;
	if (path[0] == '/' || (cwd = getcwd(NULL, 0)) == NULL)
		return xstrdup(path);
	buf_printf(&b, "%s/%s", cwd, path);
	free(cwd);
	return buf_steal(&b);
}

static char *
dir_of(const char *path)
{
	char *abs, *slash;

	abs = absolute(path);
	if ((slash = strrchr(abs, '/')) == NULL) {
		free(abs);
		return xstrdup(".");
	}
	if (slash == abs)
		slash[1] = '\0';
	else
		*slash = '\0';
	return abs;
}

struct conf *
conf_parse(const char *text, const char *path, struct buf *errs)
{
	struct parser p;
	struct conf *c = xcalloc(1, sizeof(*c));
	char *copy = xstrdup(text), *line, *next;

	memset(&p, 0, sizeof(p));
	p.conf = c;
	p.path = path;
	p.errs = errs;
	c->path = absolute(path);
	c->dir = dir_of(path);
	set_defaults(c);
	for (line = copy; line != NULL; line = next) {
		char *s;

		p.line++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		s = trim(line);
		if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		if (*s == '[')
			parse_section(&p, s);
		else
			parse_pair(&p, s);
	}
	end_section(&p);
	check_conf(&p);
	free(copy);
	report(&p);
	if (p.nerrs > 0) {
		conf_free(c);
		return NULL;
	}
	return c;
}

struct conf *
conf_load(const char *path, struct buf *errs)
{
	FILE *f;
	struct buf text = { 0 };
	char chunk[8192];
	size_t n;
	struct conf *c;

	if ((f = fopen(path, "r")) == NULL) {
		buf_printf(errs, "%s:0: cannot open: %s\n", path,
		    strerror(errno));
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		buf_append(&text, chunk, n);
		if (text.len > (1 << 24)) {
			buf_printf(errs, "%s:0: file is larger than 16M\n",
			    path);
			fclose(f);
			buf_free(&text);
			return NULL;
		}
	}
	if (ferror(f)) {
		buf_printf(errs, "%s:0: cannot read: %s\n", path,
		    strerror(errno));
		fclose(f);
		buf_free(&text);
		return NULL;
	}
	fclose(f);
	if (text.len > 0 && memchr(text.data, '\0', text.len) != NULL) {
		buf_printf(errs, "%s:0: file contains a NUL byte\n", path);
		buf_free(&text);
		return NULL;
	}
	c = conf_parse(text.data ? text.data : "", path, errs);
	buf_free(&text);
	return c;
}

void
conf_free(struct conf *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nfeeds; i++) {
		free(c->feeds[i].name);
		free(c->feeds[i].url);
		free(c->feeds[i].host);
		free(c->feeds[i].title);
		free(c->feeds[i].tags);
		free(c->feeds[i].origin);
	}
	for (i = 0; i < c->nchannels; i++) {
		free(c->channels[i].name);
		free(c->channels[i].query);
		free(c->channels[i].title);
	}
	free(c->feeds);
	free(c->channels);
	free(c->path);
	free(c->dir);
	free(c->listen);
	free(c->base_url);
	free(c->title);
	free(c->store_path);
	free(c->user_agent);
	free(c->allow);
	free(c);
}

int64_t
conf_feed_interval(const struct conf *c, const struct feed_conf *f)
{
	int64_t v = f->interval > 0 ? f->interval : c->interval;

	if (v < c->min_interval)
		v = c->min_interval;
	if (v > c->max_interval)
		v = c->max_interval;
	return v;
}

const struct feed_conf *
conf_feed(const struct conf *c, const char *name)
{
	for (size_t i = 0; i < c->nfeeds; i++)
		if (strcmp(c->feeds[i].name, name) == 0)
			return &c->feeds[i];
	return NULL;
}

const struct channel_conf *
conf_channel(const struct conf *c, const char *name)
{
	for (size_t i = 0; i < c->nchannels; i++)
		if (strcmp(c->channels[i].name, name) == 0)
			return &c->channels[i];
	return NULL;
}
