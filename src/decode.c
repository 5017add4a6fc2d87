/*
 * decode.c - bytes to UTF-8: encoding sniffing, iconv, repair.
 */
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "decode.h"
#include "utf8.h"

#define SNIFF_MAX	1024	/* bytes looked at to choose the encoding */

enum mode { M_SNIFF, M_UTF8, M_ICONV, M_REFUSED };

struct decoder {
	enum mode	 mode;
	iconv_t		 cd;
	iconv_t		 cp1252;	/* for stray bytes in UTF-8 */
	char		 charset[64];	/* HTTP's, normalised, or "" */
	int		 force;
	char		 encoding[64];
	char		 problem[160];
	struct buf	 pending;	/* sniffed or incomplete input */
	int		 started;	/* output begun: a BOM may be dropped */
};

/* Names that mean windows-1252 in practice (feeds mislabel it). */
static const char *const cp1252_aliases[] = {
	"ansi_x3.4-1968", "ascii", "cp819", "ibm819", "iso-8859-1",
	"iso-ir-100", "iso8859-1", "iso_8859-1", "iso_8859-1:1987", "l1",
	"latin-1", "latin1", "us-ascii",
};

static void
normalise(const char *in, char *out, size_t len)
{
	size_t n = 0;

	while (*in != '\0' && (isspace((unsigned char)*in) || *in == '"' ||
	    *in == '\''))
		in++;
	for (; *in != '\0' && n + 1 < len; in++) {
		if (isspace((unsigned char)*in) || *in == '"' || *in == '\'' ||
		    *in == ';')
			break;
		out[n++] = (char)tolower((unsigned char)*in);
	}
	out[n] = '\0';
	if (strcmp(out, "utf8") == 0)
		snprintf(out, len, "utf-8");
	for (size_t i = 0; i < sizeof(cp1252_aliases) /
	    sizeof(cp1252_aliases[0]); i++)
		if (strcmp(out, cp1252_aliases[i]) == 0)
			snprintf(out, len, "windows-1252");
}

/*
 * Byte classes for the UTF-8 scan: 0 passes as it is, 1 is a control
 * character XML 1.0 forbids, 2 starts a multi-byte sequence (or is not
 * UTF-8 at all).
 */
static unsigned char byte_class[256];

static void
init_classes(void)
{
	if (byte_class[0x80] != 0)
		return;
	for (int c = 0; c < 256; c++)
		byte_class[c] = c >= 0x80 ? 2 : c < 0x20 && c != '\t' &&
		    c != '\n' && c != '\r' ? 1 : 0;
}

struct decoder *
decoder_new(const char *charset, int force)
{
	struct decoder *d = xcalloc(1, sizeof(*d));

	d->mode = M_SNIFF;
	d->cd = d->cp1252 = (iconv_t)-1;
	d->force = force;
	init_classes();
	if (charset != NULL)
		normalise(charset, d->charset, sizeof(d->charset));
	return d;
}

void
decoder_free(struct decoder *d)
{
	if (d == NULL)
		return;
	if (d->cd != (iconv_t)-1)
		iconv_close(d->cd);
	if (d->cp1252 != (iconv_t)-1)
		iconv_close(d->cp1252);
	buf_free(&d->pending);
	free(d);
}

const char *
decoder_encoding(const struct decoder *d)
{
	return d->mode == M_SNIFF ? NULL : d->encoding;
}

int
decoder_refused(const struct decoder *d)
{
	return d->mode == M_REFUSED;
}

const char *
decoder_problem(const struct decoder *d)
{
	return d->problem[0] != '\0' ? d->problem : NULL;
}

static void
set_problem(struct decoder *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
set_problem(struct decoder *d, const char *fmt, ...)
{
	va_list ap;

	if (d->problem[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(d->problem, sizeof(d->problem), fmt, ap);
	va_end(ap);
}

/* A byte order mark or the "<?" pattern: the encoding, and the mark's size. */
static const char *
sniff_bom(const unsigned char *p, size_t n, size_t *skip)
{
	static const struct {
		const char	*bytes;
		size_t		 len, skip;
		const char	*name;
	} marks[] = {
		{ "\x00\x00\xFE\xFF", 4, 4, "utf-32be" },
		{ "\xFF\xFE\x00\x00", 4, 4, "utf-32le" },
		{ "\xEF\xBB\xBF", 3, 3, "utf-8" },
		{ "\xFE\xFF", 2, 2, "utf-16be" },
		{ "\xFF\xFE", 2, 2, "utf-16le" },
		{ "\x00\x00\x00\x3C", 4, 0, "utf-32be" },
		{ "\x3C\x00\x00\x00", 4, 0, "utf-32le" },
		{ "\x00\x3C\x00\x3F", 4, 0, "utf-16be" },
		{ "\x3C\x00\x3F\x00", 4, 0, "utf-16le" },
	};

	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		if (n >= marks[i].len && memcmp(p, marks[i].bytes,
		    marks[i].len) == 0) {
			*skip = marks[i].skip;
			return marks[i].name;
		}
	*skip = 0;
	return NULL;
}

/* The encoding named by an XML declaration at the start of p, or "". */
static void
sniff_decl(const char *p, size_t n, char *out, size_t len)
{
	char head[SNIFF_MAX + 1], *end, *enc, *eq;

	out[0] = '\0';
	if (n > SNIFF_MAX)
		n = SNIFF_MAX;
	memcpy(head, p, n);
	head[n] = '\0';
	if (strncmp(head, "<?xml", 5) != 0 || (end = strstr(head, "?>")) ==
	    NULL)
		return;
	*end = '\0';
	if ((enc = strstr(head, "encoding")) == NULL ||
	    (eq = strchr(enc, '=')) == NULL)
		return;
	normalise(eq + 1, out, len);
}

/* A converter from the chosen encoding, or UTF-8 when there is none. */
static void
open_iconv(struct decoder *d)
{
	d->cd = iconv_open("UTF-8", d->encoding);
	if (d->cd == (iconv_t)-1) {
		set_problem(d, "unknown encoding \"%s\", read as UTF-8",
		    d->encoding);
		snprintf(d->encoding, sizeof(d->encoding), "utf-8");
		d->mode = M_UTF8;
		return;
	}
	d->mode = M_ICONV;
}

/*
 * The precedence of decode.h: the encoding into out (normalised charset in,
 * may be ""), and the size of a byte order mark to skip.
 */
static size_t
sniff(const char *data, size_t n, const char *charset, int force, char *out,
    size_t len)
{
	size_t skip;
	const char *bom = sniff_bom((const unsigned char *)data, n, &skip);

	if (force && *charset != '\0')
		snprintf(out, len, "%s", charset);
	else if (bom != NULL)
		snprintf(out, len, "%s", bom);
	else if (*charset != '\0')
		snprintf(out, len, "%s", charset);
	else {
		sniff_decl(data, n, out, len);
		/* Bytes that read as ASCII cannot be UTF-16 or UTF-32. */
		if (out[0] == '\0' || strncmp(out, "utf-16", 6) == 0 ||
		    strncmp(out, "utf-32", 6) == 0 || strcmp(out, "ucs-2") ==
		    0 || strcmp(out, "ucs-4") == 0)
			snprintf(out, len, "utf-8");
	}
	return skip;	/* a mark is never content, whatever encoding won */
}

/* Chooses the encoding from what was sniffed; returns the bytes to skip. */
static size_t
choose(struct decoder *d)
{
	size_t skip = sniff(d->pending.data ? d->pending.data : "",
	    d->pending.len, d->charset, d->force, d->encoding,
	    sizeof(d->encoding));

	if (strstr(d->encoding, "utf-7") != NULL ||
	    strstr(d->encoding, "utf7") != NULL) {
		/* UTF-7 hides markup from filters that read bytes. */
		d->mode = M_REFUSED;
		snprintf(d->problem, sizeof(d->problem), "the %s encoding is "
		    "refused", d->encoding);
	} else if (strcmp(d->encoding, "utf-8") == 0)
		d->mode = M_UTF8;
	else
		open_iconv(d);
	return skip;
}

/*
 * Hands s on to the sink, dropping what XML 1.0 forbids: C0 controls,
 * U+FFFE and U+FFFF, and a byte order mark at the very start.
 */
static void
emit(struct decoder *d, const char *s, size_t n, decode_sink *sink,
    void *arg)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;

	if (!d->started && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		i = run = 3;	/* a mark left by a conversion */
	if (n > 0)
		d->started = 1;
	while (i < n) {
		while (i < n && byte_class[p[i]] == 0)
			i++;
		if (i == n)
			break;
		if (byte_class[p[i]] == 1) {
			if (i > run)
				sink(arg, s + run, i - run);
			set_problem(d, "%s", "control characters dropped");
			run = ++i;
		} else if (p[i] == 0xEF && n - i >= 3 && p[i + 1] == 0xBF &&
		    (p[i + 2] == 0xBE || p[i + 2] == 0xBF)) {
			if (i > run)
				sink(arg, s + run, i - run);
			set_problem(d, "%s", "U+FFFE or U+FFFF dropped");
			i += 3;
			run = i;
		} else
			i++;
	}
	if (n > run)
		sink(arg, s + run, n - run);
}

/*
 * One byte that is not UTF-8, read as windows-1252 (what such bytes are
 * in practice); U+FFFD for the five bytes that encoding leaves undefined.
 */
static void
emit_cp1252(struct decoder *d, unsigned char byte, decode_sink *sink,
    void *arg)
{
	char in = (char)byte, chunk[8], *ip = &in, *op = chunk;
	size_t left = 1, room = sizeof(chunk);

	if (d->cp1252 == (iconv_t)-1)
		d->cp1252 = iconv_open("UTF-8", "WINDOWS-1252");
	if (d->cp1252 == (iconv_t)-1 ||
	    iconv(d->cp1252, &ip, &left, &op, &room) == (size_t)-1)
		sink(arg, "\xEF\xBF\xBD", 3);
	else
		emit(d, chunk, sizeof(chunk) - room, sink, arg);
}

/*
 * UTF-8 in, one pass: valid sequences pass as they are, without a copy;
 * forbidden characters are dropped; a byte that starts no valid sequence is
 * read as windows-1252 on its own, so that one stray byte costs one
 * character, not the document.  Returns the bytes used: all but a sequence
 * cut by the end of a chunk that is not final.
 */
static size_t
push_utf8(struct decoder *d, const char *in, size_t len, int final,
    decode_sink *sink, void *arg)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t i = 0, run = 0;
	long c;
	int n;

	while (i < len) {
		uint64_t w;

		/* Eight plain ASCII bytes at a time (no byte >= 0x80 or
		 * < 0x20: subtracting 0x20 from such a byte borrows). */
		if (i + 8 <= len) {
			memcpy(&w, p + i, 8);
			if ((((w - 0x2020202020202020ULL) | w) &
			    0x8080808080808080ULL) == 0) {
				i += 8;
				continue;
			}
		}
		if (byte_class[p[i]] == 0) {
			i++;
			continue;
		}
		if (byte_class[p[i]] == 1) {
			if (i > run)
				sink(arg, in + run, i - run);
			set_problem(d, "%s", "control characters dropped");
			run = ++i;
			continue;
		}
		if ((n = utf8_next(p + i, len - i, &c)) > 0) {
			if (c == 0xFFFE || c == 0xFFFF || (c == 0xFEFF &&
			    i == 0 && !d->started)) {
				if (i > run)
					sink(arg, in + run, i - run);
				if (c != 0xFEFF)
					set_problem(d, "%s", "U+FFFE or U+FFFF "
					    "dropped");
				run = i + (size_t)n;
			}
			i += (size_t)n;
			continue;
		}
		/* Possibly a character cut by the chunk's end. */
		if (!final && len - i < 4 && (p[i] & 0xC0) == 0xC0) {
			size_t want = p[i] >= 0xF0 ? 4 : p[i] >= 0xE0 ? 3 : 2;
			int cont = 1;

			for (size_t k = i + 1; k < len; k++)
				cont &= (p[k] & 0xC0) == 0x80;
			if (cont && want > len - i)
				break;
		}
		if (i > run)
			sink(arg, in + run, i - run);
		set_problem(d, "%s", "bytes that are not UTF-8 read as "
		    "windows-1252");
		emit_cp1252(d, p[i], sink, arg);
		run = ++i;
	}
	if (i > run)
		sink(arg, in + run, i - run);
	if (i > 0)
		d->started = 1;
	return i;
}

/* Through iconv; an unconvertible byte becomes U+FFFD. */
static size_t
push_iconv(struct decoder *d, const char *in, size_t len, int final,
    decode_sink *sink, void *arg)
{
	char chunk[16384];
	char *ip = (char *)(uintptr_t)in;
	size_t left = len;

	while (left > 0) {
		char *op = chunk;
		size_t room = sizeof(chunk);
		size_t rc = iconv(d->cd, &ip, &left, &op, &room);

		emit(d, chunk, sizeof(chunk) - room, sink, arg);
		if (rc != (size_t)-1)
			break;
		if (errno == E2BIG)
			continue;
		if (errno == EINVAL && !final)
			break;		/* incomplete: wait for more */
		/* EILSEQ, or EINVAL at the end: one byte is lost. */
		set_problem(d, "bytes invalid in %s replaced", d->encoding);
		sink(arg, "\xEF\xBF\xBD", 3);
		ip++;
		left--;
	}
	return len - left;
}

static size_t
push_some(struct decoder *d, const char *in, size_t len, int final,
    decode_sink *sink, void *arg)
{
	if (d->mode == M_REFUSED)
		return len;
	if (d->mode == M_UTF8)
		return push_utf8(d, in, len, final, sink, arg);
	return push_iconv(d, in, len, final, sink, arg);
}

void
decoder_push(struct decoder *d, const char *in, size_t len, int final,
    decode_sink *sink, void *arg)
{
	size_t used, skip;

	if (d->mode == M_SNIFF) {
		buf_append(&d->pending, in, len);
		if (d->pending.len < SNIFF_MAX && !final)
			return;
		skip = choose(d);
		if (d->pending.data == NULL)
			return;
		/* The sniffed bytes, less the mark, go first. */
		used = push_some(d, d->pending.data + skip, d->pending.len -
		    skip, final, sink, arg);
		memmove(d->pending.data, d->pending.data + skip + used,
		    d->pending.len - skip - used);
		d->pending.len -= skip + used;
		return;
	}
	if (d->pending.len > 0) {
		/* Bytes cut from the last chunk go first, joined to this one. */
		struct buf joined = d->pending;

		memset(&d->pending, 0, sizeof(d->pending));
		buf_append(&joined, in, len);
		used = push_some(d, joined.data, joined.len, final, sink, arg);
		if (used < joined.len)
			buf_append(&d->pending, joined.data + used,
			    joined.len - used);
		buf_free(&joined);
		return;
	}
	used = push_some(d, in, len, final, sink, arg);
	if (used < len)
		buf_append(&d->pending, in + used, len - used);
}

int
decode_content_type_charset(const char *type, char *out, size_t len)
{
	const char *p;

	if (type == NULL)
		return -1;
	for (p = type; (p = strchr(p, ';')) != NULL; ) {
		p++;
		while (isspace((unsigned char)*p))
			p++;
		if (strncasecmp(p, "charset", 7) != 0)
			continue;
		p += 7;
		while (isspace((unsigned char)*p))
			p++;
		if (*p != '=')
			continue;
		normalise(p + 1, out, len);
		return out[0] != '\0' ? 0 : -1;
	}
	return -1;
}

int
decode_is_utf8(const char *data, size_t len)
{
	const unsigned char *p = (const unsigned char *)data;
	size_t i = 0;
	int n;

	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((n = utf8_next(p + i, len - i, NULL)) == 0)
			return 0;
		i += (size_t)n;
	}
	return 1;
}
