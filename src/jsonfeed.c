/*
 * jsonfeed.c - JSON Feed 1.0 / 1.1 (https://jsonfeed.org/version/1.1) to a
 * struct feed_doc.  Every JSON value is read through SQLite's JSON1
 * functions (json_valid, json_type, json_extract, json_each) on a private
 * in-memory connection; nothing here parses JSON.
 *
 * Each object (the feed, an item, an attachment) is read through a table
 * of JSON paths, in priority order: the first path that gives a value of
 * the right type fills its slot ("url" beats "external_url").
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "buf.h"
#include "date.h"
#include "jsonfeed.h"
#include "parse.h"
#include "url.h"
#include "utf8.h"

#define TEXT_MAX	(1 << 20)	/* bytes kept of any one string */
#define ENTRIES_MAX	10000		/* entries kept of one document */
#define VERSION_PREFIX	"https://jsonfeed.org/version/"
#define REPLACEMENT	"\xEF\xBF\xBD"	/* U+FFFD */
#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

/* The prepared statements; ?1 is always a JSON text, ?2 a JSON path. */
enum { S_TOP, S_FIELD, S_ITEMS, S_EACH, S_COUNT };

static const char *const sqls[S_COUNT] = {
	/* The type of the top-level value; NULL when the text is not JSON. */
	[S_TOP] = "SELECT CASE WHEN json_valid(?1) THEN json_type(?1) END",
	/* The type, the SQL value and the JSON text of the value at ?2. */
	[S_FIELD] = "SELECT json_type(?1, ?2), json_extract(?1, ?2), ?1 -> ?2",
	/* The elements of the items array (iterated while S_EACH is used). */
	[S_ITEMS] = "SELECT type, value FROM json_each(?1, '$.items')",
	/* The elements of the array at ?2. */
	[S_EACH] = "SELECT type, value FROM json_each(?1, ?2)",
};

enum kind {
	K_TEXT,		/* a string as the source gave it */
	K_PLAIN,	/* a string, whitespace collapsed */
	K_URL,		/* a string resolved against the document URL */
	K_DATE,		/* a string through date_parse() */
	K_ID		/* a string, or the JSON text of a number */
};

struct field {
	const char	*path;
	enum kind	 kind;
	size_t		 off;	/* of the char * slot (int64_t for K_DATE) */
};

static const struct field feed_fields[] = {
	{ "$.title", K_PLAIN, offsetof(struct feed_doc, title) },
	{ "$.home_page_url", K_URL, offsetof(struct feed_doc, link) },
	{ "$.description", K_TEXT, offsetof(struct feed_doc, subtitle) },
	{ "$.language", K_PLAIN, offsetof(struct feed_doc, language) },
};

static const struct field item_fields[] = {
	{ "$.id", K_ID, offsetof(struct entry, id) },
	{ "$.title", K_PLAIN, offsetof(struct entry, title) },
	{ "$.url", K_URL, offsetof(struct entry, link) },
	{ "$.external_url", K_URL, offsetof(struct entry, link) },
	{ "$.date_published", K_DATE, offsetof(struct entry, published) },
	{ "$.date_modified", K_DATE, offsetof(struct entry, updated) },
	{ "$.authors[0].name", K_PLAIN, offsetof(struct entry, author) },
	{ "$.author.name", K_PLAIN, offsetof(struct entry, author) },
	{ "$.summary", K_TEXT, offsetof(struct entry, summary) },
	{ "$.content_html", K_TEXT, offsetof(struct entry, content) },
	{ "$.content_text", K_TEXT, offsetof(struct entry, content) },
};

static const struct field attachment_fields[] = {
	{ "$.url", K_URL, offsetof(struct enclosure, url) },
	{ "$.mime_type", K_PLAIN, offsetof(struct enclosure, type) },
};

/* One call's SQLite connection and statements. */
struct jf {
	sqlite3		*db;
	sqlite3_stmt	*st[S_COUNT];
	const char	*base;		/* the document URL, or NULL */
	char		 sqlerr[160];	/* the first SQLite failure, or "" */
};

static void
jf_close(struct jf *jf)
{
	for (size_t i = 0; i < S_COUNT; i++)
		sqlite3_finalize(jf->st[i]);
	sqlite3_close(jf->db);
}

static int
jf_open(struct jf *jf, const char *base, char *err, size_t errlen)
{
	memset(jf, 0, sizeof(*jf));
	jf->base = base;
	if (sqlite3_open_v2(":memory:", &jf->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
		goto fail;
	for (size_t i = 0; i < S_COUNT; i++)
		if (sqlite3_prepare_v2(jf->db, sqls[i], -1, &jf->st[i],
		    NULL) != SQLITE_OK)
			goto fail;
	return 0;
fail:
	snprintf(err, errlen, "SQLite: %s", sqlite3_errmsg(jf->db));
	jf_close(jf);
	return -1;
}

/* Remembers the first SQLite failure; the parse fails with it. */
static void
jf_error(struct jf *jf)
{
	if (jf->sqlerr[0] == '\0')
		snprintf(jf->sqlerr, sizeof(jf->sqlerr), "%s",
		    sqlite3_errmsg(jf->db));
}

/* Resets st and binds json (and path unless NULL); borrows both. */
static int
st_bind(struct jf *jf, sqlite3_stmt *st, const char *json, const char *path)
{
	sqlite3_reset(st);
	if (sqlite3_bind_text(st, 1, json, -1, SQLITE_STATIC) != SQLITE_OK ||
	    (path != NULL && sqlite3_bind_text(st, 2, path, -1,
	    SQLITE_STATIC) != SQLITE_OK)) {
		jf_error(jf);
		return -1;
	}
	return 0;
}

/* 1 when st has a row, 0 when it is done or failed. */
static int
st_step(struct jf *jf, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		jf_error(jf);
	return rc == SQLITE_ROW;
}

/* 1 when column i of st's row is the text s. */
static int
col_is(sqlite3_stmt *st, int i, const char *s)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t != NULL && strcmp((const char *)t, s) == 0;
}

/* Collapses runs of whitespace to one space and trims, in place. */
static void
collapse(char *s)
{
	char *w = s;
	int space = 0;

	for (char *r = s; *r != '\0'; r++) {
		if (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r' ||
		    *r == '\f' || *r == '\v') {
			space = w != s;
			continue;
		}
		if (space)
			*w++ = ' ';
		space = 0;
		*w++ = *r;
	}
	*w = '\0';
}

/*
 * The bytes at p that make one invalid sequence: the three of a surrogate
 * (SQLite decodes a lone "\ud800" to ED A0 80), else one.
 */
static int
bad_len(const unsigned char *p, const unsigned char *end)
{
	if (end - p >= 3 && p[0] == 0xED && p[1] >= 0xA0 && p[1] <= 0xBF &&
	    p[2] >= 0x80 && p[2] <= 0xBF)
		return 3;
	return 1;
}

/*
 * s (n bytes) as valid UTF-8 of at most max bytes, cut at a character
 * boundary: an invalid sequence becomes U+FFFD, C0 controls but tab,
 * newline and carriage return are dropped; whitespace collapsed when plain.
 * Returns new, or NULL when nothing is left.
 */
static char *
clean(const char *s, size_t n, size_t max, int plain)
{
	struct buf b = { 0 };
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	const char *add;
	size_t addlen;
	int len;

	while (p < end) {
		add = (const char *)p;
		addlen = (size_t)(len = utf8_next(p, (size_t)(end - p), NULL));
		if (len == 0) {
			add = REPLACEMENT;
			addlen = sizeof(REPLACEMENT) - 1;
			len = bad_len(p, end);
		} else if (*p < 0x20 && *p != '\t' && *p != '\n' &&
		    *p != '\r') {
			p++;
			continue;
		}
		if (b.len + addlen > max)
			break;
		buf_append(&b, add, addlen);
		p += len;
	}
	if (b.data != NULL && plain)
		collapse(b.data);
	if (b.data == NULL || b.data[0] == '\0') {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

/* Copies the JSON type of the value at path into type ("" if none). */
static void
type_at(struct jf *jf, const char *json, const char *path, char *type,
    size_t len)
{
	sqlite3_stmt *st = jf->st[S_FIELD];
	const unsigned char *t;

	type[0] = '\0';
	if (st_bind(jf, st, json, path) == 0 && st_step(jf, st) &&
	    (t = sqlite3_column_text(st, 0)) != NULL)
		snprintf(type, len, "%s", (const char *)t);
	sqlite3_reset(st);
}

/*
 * The string at path in json as kind k, cleaned; for K_ID a number gives
 * its JSON text.  Any other type gives NULL.  Returns new or NULL.
 */
static char *
text_at(struct jf *jf, const char *json, const char *path, enum kind k)
{
	sqlite3_stmt *st = jf->st[S_FIELD];
	const char *s;
	char *out = NULL;
	int col;

	if (st_bind(jf, st, json, path) == -1 || !st_step(jf, st))
		goto done;
	if (col_is(st, 0, "text"))
		col = 1;
	else if (k == K_ID && (col_is(st, 0, "integer") ||
	    col_is(st, 0, "real")))
		col = 2;
	else
		goto done;
	if ((s = (const char *)sqlite3_column_text(st, col)) != NULL)
		out = clean(s, (size_t)sqlite3_column_bytes(st, col), TEXT_MAX,
		    k != K_TEXT && k != K_ID);
done:
	sqlite3_reset(st);
	return out;
}

/*
 * s resolved against the document URL when that fits, and kept only when
 * url_linkable (no javascript:, data: or relative URL goes out); takes s,
 * new or NULL.
 */
static char *
resolve(struct jf *jf, char *s)
{
	char *abs = url_resolve(jf->base, s);

	if (abs == NULL || strlen(abs) > TEXT_MAX || !utf8_valid(abs)) {
		free(abs);
		abs = s;
	} else
		free(s);
	if (!url_linkable(abs, jf->base)) {
		free(abs);
		return NULL;
	}
	return abs;
}

/* Fills f's slot in obj from json unless a higher priority filled it. */
static void
fill_field(struct jf *jf, void *obj, const struct field *f, const char *json)
{
	char **slot = (char **)(void *)((char *)obj + f->off);
	int64_t *date = (int64_t *)(void *)((char *)obj + f->off);
	char *s;

	if (f->kind == K_DATE ? *date != DATE_NONE : *slot != NULL)
		return;
	if ((s = text_at(jf, json, f->path, f->kind)) == NULL)
		return;
	if (f->kind == K_DATE) {
		(void)date_parse(s, date);	/* DATE_NONE stays if not */
		free(s);
	} else if (f->kind == K_URL)
		*slot = resolve(jf, s);
	else
		*slot = s;
}

static void
fill(struct jf *jf, void *obj, const char *json, const struct field *f,
    size_t n)
{
	for (size_t i = 0; i < n; i++)
		fill_field(jf, obj, &f[i], json);
}

/* Makes room in *p for element n (of size size), doubling *cap. */
static void *
grow(void *p, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap == 0 ? 4 : *cap * 2;
	return xrealloc(p, *cap * size);
}

/* An attachment's size_in_bytes, -1 unless a non-negative integer. */
static int64_t
length_at(struct jf *jf, const char *json)
{
	sqlite3_stmt *st = jf->st[S_FIELD];
	int64_t n = -1;

	if (st_bind(jf, st, json, "$.size_in_bytes") == 0 &&
	    st_step(jf, st) && col_is(st, 0, "integer") &&
	    sqlite3_column_type(st, 1) == SQLITE_INTEGER &&
	    sqlite3_column_int64(st, 1) >= 0)
		n = sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	return n;
}

/* One attachment object; skipped when it has no url. */
static void
add_enclosure(struct jf *jf, struct entry *e, size_t *cap, const char *json)
{
	struct enclosure x = { NULL, NULL, -1 };

	fill(jf, &x, json, attachment_fields, NITEMS(attachment_fields));
	if (x.url == NULL) {
		free(x.type);
		return;
	}
	x.length = length_at(jf, json);
	e->enclosures = grow(e->enclosures, e->nenclosures, cap,
	    sizeof(*e->enclosures));
	e->enclosures[e->nenclosures++] = x;
}

/*
 * Calls fn for each element of type type in the array at path in json;
 * nothing when the value there is not an array.
 */
static void
each(struct jf *jf, struct entry *e, const char *json, const char *path,
    const char *type,
    void (*fn)(struct jf *, struct entry *, size_t *, const char *))
{
	sqlite3_stmt *st = jf->st[S_EACH];
	const char *v;
	char t[16];
	size_t cap = 0;

	type_at(jf, json, path, t, sizeof(t));
	if (strcmp(t, "array") != 0 || st_bind(jf, st, json, path) == -1)
		return;
	while (st_step(jf, st))
		if (col_is(st, 0, type) &&
		    (v = (const char *)sqlite3_column_text(st, 1)) != NULL)
			fn(jf, e, &cap, v);
	sqlite3_reset(st);
}

/* One tag: a string of the tags array (v is its decoded text). */
static void
add_tag(struct jf *jf, struct entry *e, size_t *cap, const char *v)
{
	char *s;

	(void)jf;
	if ((s = clean(v, strlen(v), TEXT_MAX, 1)) == NULL)
		return;
	e->categories = grow(e->categories, e->ncategories, cap,
	    sizeof(*e->categories));
	e->categories[e->ncategories++] = s;
}

static void
add_item(struct jf *jf, struct feed_doc *d, size_t *cap, const char *json)
{
	struct entry *e;

	d->entries = grow(d->entries, d->nentries, cap, sizeof(*d->entries));
	e = &d->entries[d->nentries++];
	memset(e, 0, sizeof(*e));
	e->published = e->updated = DATE_NONE;
	fill(jf, e, json, item_fields, NITEMS(item_fields));
	each(jf, e, json, "$.tags", "text", add_tag);
	each(jf, e, json, "$.attachments", "object", add_enclosure);
}

/* The objects of the items array, at most ENTRIES_MAX of them. */
static void
read_items(struct jf *jf, struct feed_doc *d, const char *doc)
{
	sqlite3_stmt *st = jf->st[S_ITEMS];
	const char *v;
	size_t cap = 0;

	if (st_bind(jf, st, doc, NULL) == -1)
		return;
	while (d->nentries < ENTRIES_MAX && st_step(jf, st))
		if (col_is(st, 0, "object") &&
		    (v = (const char *)sqlite3_column_text(st, 1)) != NULL)
			add_item(jf, d, &cap, v);
	sqlite3_reset(st);
}

/* A json_type() name as JSON calls it, with its article. */
static const char *
type_name(const char *type)
{
	static const char *const names[][2] = {
		{ "array", "an array" }, { "false", "a boolean" },
		{ "integer", "a number" }, { "null", "null" },
		{ "real", "a number" }, { "text", "a string" },
		{ "true", "a boolean" },
	};

	for (size_t i = 0; i < NITEMS(names); i++)
		if (strcmp(type, names[i][0]) == 0)
			return names[i][1];
	return type;
}

/* Checks "version"; 0 when it names JSON Feed, else -1 and a reason. */
static int
check_version(struct jf *jf, const char *doc, char *err, size_t errlen)
{
	char type[16], *v;
	int rc = -1;

	type_at(jf, doc, "$.version", type, sizeof(type));
	if (type[0] == '\0' || strcmp(type, "null") == 0) {
		snprintf(err, errlen, "not a JSON Feed: no \"version\"");
		return -1;
	}
	if (strcmp(type, "text") != 0) {
		snprintf(err, errlen, "not a JSON Feed: \"version\" is not a "
		    "string");
		return -1;
	}
	v = text_at(jf, doc, "$.version", K_TEXT);
	if (v != NULL && strncmp(v, VERSION_PREFIX,
	    sizeof(VERSION_PREFIX) - 1) == 0)
		rc = 0;
	else
		snprintf(err, errlen, "not a JSON Feed: unknown \"version\" "
		    "\"%.100s\"", v != NULL ? v : "");
	free(v);
	return rc;
}

/*
 * Checks the document: valid JSON, an object, a JSON Feed version, items.
 * Returns 1 when "items" is an array, 0 when it is absent or null, -1
 * with a reason in err when the document is refused.
 */
static int
check_doc(struct jf *jf, const char *doc, char *err, size_t errlen)
{
	sqlite3_stmt *st = jf->st[S_TOP];
	char type[16];

	type[0] = '\0';
	if (st_bind(jf, st, doc, NULL) == 0 && st_step(jf, st) &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		snprintf(type, sizeof(type), "%s",
		    (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (jf->sqlerr[0] != '\0') {
		snprintf(err, errlen, "SQLite: %s", jf->sqlerr);
		return -1;
	}
	if (type[0] == '\0') {
		snprintf(err, errlen, "not valid JSON");
		return -1;
	}
	if (strcmp(type, "object") != 0) {
		snprintf(err, errlen, "not a JSON Feed: the top-level value is "
		    "%s, not an object", type_name(type));
		return -1;
	}
	if (check_version(jf, doc, err, errlen) == -1)
		return -1;
	type_at(jf, doc, "$.items", type, sizeof(type));
	if (strcmp(type, "array") == 0)
		return 1;
	if (type[0] == '\0' || strcmp(type, "null") == 0)
		return 0;
	snprintf(err, errlen, "not a JSON Feed: \"items\" is not an array");
	return -1;
}

/*
 * The document as a NUL-terminated copy without its byte order mark.
 * Returns new, or NULL when the data holds a NUL byte (never valid JSON,
 * and SQLite would read the text only up to it).
 */
static char *
doc_copy(const char *data, size_t len)
{
	char *s;

	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
		data += 3;
		len -= 3;
	}
	if (memchr(data, '\0', len) != NULL)
		return NULL;
	s = xmalloc(len + 1);
	memcpy(s, data, len);
	s[len] = '\0';
	return s;
}

/*
 * Removes every "\u0000" escape from valid JSON, in place: json_extract()
 * would end the string there, and NUL is dropped from every string anyway.
 * In valid JSON a backslash only ever starts an escape inside a string;
 * taking each escape's backslash and next byte as a pair keeps "\\u0000"
 * (a backslash, then "u0000") intact.
 */
static void
drop_nul_escapes(char *s)
{
	char *w = s;

	while (*s != '\0') {
		if (strncmp(s, "\\u0000", 6) == 0) {
			s += 6;
			continue;
		}
		if (*s == '\\' && s[1] != '\0')
			*w++ = *s++;
		*w++ = *s++;
	}
	*w = '\0';
}

static void
set_bozo(struct feed_doc *d, const char *why)
{
	if (d->bozo)
		return;
	d->bozo = 1;
	d->bozo_reason = xstrdup(why);
}

struct feed_doc *
jsonfeed_parse(const char *data, size_t len, const char *url, char *err,
    size_t errlen)
{
	struct jf jf;
	struct feed_doc *d = NULL;
	char *doc;
	int items;

	if (jf_open(&jf, url, err, errlen) == -1)
		return NULL;
	if ((doc = doc_copy(data, len)) == NULL) {
		snprintf(err, errlen, "not valid JSON: a NUL byte");
		goto done;
	}
	if ((items = check_doc(&jf, doc, err, errlen)) == -1)
		goto done;
	drop_nul_escapes(doc);
	d = xcalloc(1, sizeof(*d));
	d->format = "jsonfeed";
	d->updated = DATE_NONE;
	d->ttl = -1;
	if (!utf8_valid(doc))
		set_bozo(d, "invalid UTF-8, replaced with U+FFFD");
	if (!items)
		set_bozo(d, "no \"items\" array");
	fill(&jf, d, doc, feed_fields, NITEMS(feed_fields));
	if (items)
		read_items(&jf, d, doc);
	if (jf.sqlerr[0] != '\0') {
		snprintf(err, errlen, "SQLite: %s", jf.sqlerr);
		feed_doc_free(d);
		d = NULL;
	}
done:
	free(doc);
	jf_close(&jf);
	return d;
}
