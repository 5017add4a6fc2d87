/*
 * decode.c - bytes to UTF-8: encoding sniffing, iconv, repair.
 */
#include "config.h"

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

	/* The markup filter (see filter_span), after the conversion. */
	decode_sink	*sink;
	void		*arg;
	int		 final;
	int		 section;	/* S_MARKUP, S_CDATA or S_COMMENT */
	struct buf	 carry;		/* a reference or marker cut in two */
};

enum { S_MARKUP, S_CDATA, S_COMMENT };

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
	buf_free(&d->carry);
	free(d);
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

/*
 * A document that starts "<?xm" in EBCDIC (XML 1.0 appendix F): the
 * encoding its declaration names, read through code page 37, whose
 * letters and punctuation the EBCDIC pages share; IBM037 when it names
 * none, or a Unicode form, which EBCDIC bytes cannot be.
 */
static void
sniff_ebcdic(const char *p, size_t n, char *out, size_t len)
{
	char head[2 * SNIFF_MAX + 1], *in = (char *)(uintptr_t)p, *o = head;
	size_t inleft = n < SNIFF_MAX ? n : SNIFF_MAX, oleft = sizeof(head) - 1;
	iconv_t cd = iconv_open("UTF-8", "IBM037");

	out[0] = '\0';
	if (cd != (iconv_t)-1) {
		(void)iconv(cd, &in, &inleft, &o, &oleft);
		iconv_close(cd);
		sniff_decl(head, (size_t)(o - head), out, len);
	}
	if (out[0] == '\0' || strncmp(out, "utf", 3) == 0 ||
	    strncmp(out, "ucs", 3) == 0 || strcmp(out, "windows-1252") == 0)
		snprintf(out, len, "ibm037");
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
	else if (n >= 4 && memcmp(data, "\x4C\x6F\xA7\x94", 4) == 0)
		sniff_ebcdic(data, n, out, len);
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
 * The markup filter: what libxml2's recover mode would lose, mended in the
 * UTF-8 stream, as feedparser reads it.  A bare '&' (not the start of a
 * reference: "?a=1&b=2", "Q&A") becomes "&amp;"; a character reference to
 * U+0080..U+009F means the windows-1252 character of that byte ("&#147;"
 * is a quotation mark); "&#X41;" is read as "&#x41;"; references to
 * characters XML forbids are dropped.  CDATA sections and comments pass
 * untouched.
 */

/* The length of the reference at s ('&' first), 0 when it is none, or
 * (size_t)-1 when n bytes do not tell yet. */
static size_t
ref_length(const char *s, size_t n, long *value, int *upper)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 1;

	*value = -1;
	*upper = 0;
	if (i < n && p[i] == '#') {
		int hex = 0;
		size_t start;

		if (++i < n && (p[i] == 'x' || p[i] == 'X')) {
			hex = 1;
			*upper = p[i] == 'X';
			i++;
		}
		start = i;
		*value = 0;
		for (; i < n && i - start < 9 && (hex ? isxdigit(p[i]) :
		    isdigit(p[i])); i++)
			*value = *value * (hex ? 16 : 10) + (isdigit(p[i]) ?
			    p[i] - '0' : (tolower(p[i]) - 'a' + 10));
		if (i == n)
			return (size_t)-1;
		return i > start && p[i] == ';' ? i + 1 : 0;
	}
	if (i < n && !(isalpha(p[i]) || p[i] == '_' || p[i] == ':' ||
	    p[i] >= 0x80))
		return 0;
	for (; i < n && i < 64 && (isalnum(p[i]) || p[i] >= 0x80 ||
	    strchr("._:-", p[i]) != NULL); i++)
		;
	if (i == n)
		return (size_t)-1;
	return i > 1 && p[i] == ';' ? i + 1 : 0;
}

/* A character XML 1.0 allows. */
static int
xml_char(long c)
{
	return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 &&
	    c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 &&
	    c <= 0x10FFFF);
}

/* The code point windows-1252 gives byte, or -1. */
static long
cp1252_char(struct decoder *d, unsigned char byte)
{
	char in = (char)byte, out[8], *ip = &in, *op = out;
	size_t left = 1, room = sizeof(out);
	long c;

	if (d->cp1252 == (iconv_t)-1)
		d->cp1252 = iconv_open("UTF-8", "WINDOWS-1252");
	if (d->cp1252 == (iconv_t)-1 ||
	    iconv(d->cp1252, &ip, &left, &op, &room) == (size_t)-1 ||
	    utf8_next((const unsigned char *)out, sizeof(out) - room, &c) == 0)
		return -1;
	return c;
}

/* Rewrites the reference at s (of len bytes) when it needs it; 1 if so. */
static int
mend_reference(struct decoder *d, const char *s, size_t len)
{
	long c, w;
	int upper;
	char fixed[24];

	ref_length(s, len, &c, &upper);
	if (c < 0)
		return 0;
	if (c >= 0x80 && c <= 0x9F) {
		/* Five bytes windows-1252 leaves undefined: U+FFFD. */
		if ((w = cp1252_char(d, (unsigned char)c)) <= 0)
			w = 0xFFFD;
		snprintf(fixed, sizeof(fixed), "&#%ld;", w);
		d->sink(d->arg, fixed, strlen(fixed));
		return 1;
	}
	if (!xml_char(c)) {
		set_problem(d, "%s", "references to forbidden characters "
		    "dropped");
		return 1;
	}
	if (upper) {
		snprintf(fixed, sizeof(fixed), "&#x%lX;", c);
		d->sink(d->arg, fixed, strlen(fixed));
		return 1;
	}
	return 0;
}

/* Passes a CDATA section or comment on, up to its end marker; the bytes
 * used. */
static size_t
pass_section(struct decoder *d, const char *s, size_t n)
{
	const char *marker = d->section == S_CDATA ? "]]>" : "-->";
	const char *end = memmem(s, n, marker, 3);
	size_t used;

	if (end != NULL) {
		used = (size_t)(end - s) + 3;
		d->section = S_MARKUP;
	} else
		used = n > 2 && !d->final ? n - 2 : n;	/* a marker may be cut */
	d->sink(d->arg, s, used);
	return used;
}

/*
 * The next "<!" in s from from on.  '!' is rare in XML and memchr is
 * fast, where '<' is everywhere and memmem is slow for a short needle.
 */
static const char *
find_bang(const char *s, size_t from, size_t n)
{
	const char *p = s + from;

	while ((p = memchr(p, '!', (size_t)(s + n - p))) != NULL) {
		if (p > s + from && p[-1] == '<')
			return p - 1;
		p++;
	}
	return NULL;
}

static void
filter_span(struct decoder *d, const char *s, size_t n)
{
	size_t i = 0, run = 0;
	const char *bang = NULL;
	int bang_known = 0, cut = 0;

	while (i < n && !cut) {
		const char *amp;
		size_t a, b, len;
		long c;
		int upper;

		if (d->section != S_MARKUP) {
			i += pass_section(d, s + i, n - i);
			run = i;
			bang_known = 0;
			cut = d->section != S_MARKUP && i < n;
			continue;
		}
		if (!bang_known) {
			bang = find_bang(s, i, n);
			bang_known = 1;
		}
		amp = memchr(s + i, '&', n - i);
		a = amp ? (size_t)(amp - s) : n;
		b = bang ? (size_t)(bang - s) : n;
		if (a == n && b == n)
			break;
		if (b < a) {
			if (n - b < 9 && !d->final) {
				i = b;		/* "<![CDATA[" may be cut */
				cut = 1;
				continue;
			}
			if (n - b >= 9 && memcmp(s + b, "<![CDATA[", 9) == 0) {
				d->section = S_CDATA;
				i = b + 9;
			} else if (n - b >= 4 && memcmp(s + b, "<!--", 4) == 0) {
				d->section = S_COMMENT;
				i = b + 4;
			} else
				i = b + 2;
			if (d->section != S_MARKUP) {
				d->sink(d->arg, s + run, i - run);
				run = i;
			}
			bang_known = 0;
			continue;
		}
		len = ref_length(s + a, n - a, &c, &upper);
		if (len == (size_t)-1 && !d->final) {
			i = a;			/* wait for the rest */
			cut = 1;
			continue;
		}
		if (len == (size_t)-1 || len == 0) {
			if (a > run)
				d->sink(d->arg, s + run, a - run);
			d->sink(d->arg, "&amp;", 5);
			set_problem(d, "%s", "bare & read as &amp;");
			run = i = a + 1;
			continue;
		}
		if (c >= 0 && (c >= 0x80 || !xml_char(c) || upper)) {
			if (a > run)
				d->sink(d->arg, s + run, a - run);
			if (!mend_reference(d, s + a, len))
				d->sink(d->arg, s + a, len);
			run = a + len;
		}
		i = a + len;
	}
	if (!cut && !d->final && n > run && s[n - 1] == '<' &&
	    d->section == S_MARKUP) {
		i = n - 1;		/* "<!" may be cut after its '<' */
		cut = 1;
	}
	if (cut) {
		/* Something cut by the end of the span waits for the next. */
		if (i > run)
			d->sink(d->arg, s + run, i - run);
		buf_append(&d->carry, s + i, n - i);
	} else if (n > run)
		d->sink(d->arg, s + run, n - run);
}

/* The converted UTF-8 through the markup filter to the caller's sink. */
static void
filter(void *arg, const char *s, size_t n)
{
	struct decoder *d = arg;

	if (d->carry.len > 0) {
		struct buf joined = d->carry;

		memset(&d->carry, 0, sizeof(d->carry));
		buf_append(&joined, s, n);
		filter_span(d, joined.data, joined.len);
		buf_free(&joined);
	} else if (n > 0)
		filter_span(d, s, n);
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
			if (c >= 0x80 && c <= 0x9F) {
				/* C1 controls: what windows-1252 meant. */
				if (i > run)
					sink(arg, in + run, i - run);
				set_problem(d, "%s", "C1 control characters "
				    "read as windows-1252");
				emit_cp1252(d, (unsigned char)c, sink, arg);
				run = i + (size_t)n;
			} else if (c == 0xFFFE || c == 0xFFFF || (c == 0xFEFF &&
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

/* The bytes to UTF-8, handed to the markup filter. */
static void
convert(struct decoder *d, const char *in, size_t len, int final)
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
		    skip, final, filter, d);
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
		used = push_some(d, joined.data, joined.len, final, filter, d);
		if (used < joined.len)
			buf_append(&d->pending, joined.data + used,
			    joined.len - used);
		buf_free(&joined);
		return;
	}
	used = push_some(d, in, len, final, filter, d);
	if (used < len)
		buf_append(&d->pending, in + used, len - used);
}

void
decoder_push(struct decoder *d, const char *in, size_t len, int final,
    decode_sink *sink, void *arg)
{
	d->sink = sink;
	d->arg = arg;
	d->final = final;
	convert(d, in, len, final);
	if (final && d->carry.len > 0)
		filter(d, "", 0);	/* what waited for more: there is none */
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

