/*
 * date.c - parsing and formatting of feed dates.
 *
 * Two families of formats are recognised, told apart by the first token:
 * text that starts with four or more digits is ISO 8601 (RFC 3339, W3CDTF,
 * basic and ordinal forms); anything else is read as RFC 822 and its
 * descendants (RFC 1123, RFC 2822, RFC 850 with hyphens, asctime, and the
 * "Mar 11, 2025" order).  The parsers are plain cursor walks over the
 * string: every helper takes a pointer, returns the pointer past what it
 * consumed or NULL on failure, and only looks at a character after it has
 * seen that the previous one is not the terminating NUL.
 *
 * Instants are computed with the days-from-civil algorithm (proleptic
 * Gregorian calendar), so neither the C library's time zone machinery
 * nor the locale is involved.
 */

#include <stdlib.h>
#include <string.h>

#include "date.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

#define SECS_PER_DAY	86400
#define EPOCH_MIN	(-62135596800LL)	/* 0001-01-01T00:00:00Z */
#define EPOCH_MAX	253402300799LL		/* 9999-12-31T23:59:59Z */

/* A date being parsed; off is the zone offset in minutes east of UTC. */
struct dt {
	int	year;
	int	mon;
	int	day;
	int	hour;
	int	min;
	int	sec;
	int	off;
	int	zoned;
};

/* A run of letters inside the input, the key for zone lookups. */
struct word {
	const char	*p;
	size_t		 len;
};

struct zone {
	const char	*name;
	int		 off;		/* Minutes east of UTC. */
	int		 univ;		/* May be followed by "+hh:mm". */
};

/*
 * Zone names, sorted by strcmp() for bsearch().  The single letters are
 * the military zones with the signs of RFC 822 (A is -1, N is +1), which
 * is what feedparser does; RFC 1123 notes those signs are inverted with
 * respect to military usage.  Where an abbreviation is ambiguous the
 * North American or European meaning wins (CST is US Central).
 */
static const struct zone zones[] = {
	{ "A",		-60,	0 },
	{ "ADT",	-180,	0 },
	{ "AEDT",	660,	0 },
	{ "AEST",	600,	0 },
	{ "AKDT",	-480,	0 },
	{ "AKST",	-540,	0 },
	{ "AST",	-240,	0 },
	{ "AT",		-240,	0 },
	{ "B",		-120,	0 },
	{ "BST",	60,	0 },
	{ "C",		-180,	0 },
	{ "CDT",	-300,	0 },
	{ "CEST",	120,	0 },
	{ "CET",	60,	0 },
	{ "CST",	-360,	0 },
	{ "CT",		-360,	0 },
	{ "D",		-240,	0 },
	{ "E",		-300,	0 },
	{ "EDT",	-240,	0 },
	{ "EEST",	180,	0 },
	{ "EET",	120,	0 },
	{ "EST",	-300,	0 },
	{ "ET",		-300,	0 },
	{ "F",		-360,	0 },
	{ "G",		-420,	0 },
	{ "GMT",	0,	1 },
	{ "H",		-480,	0 },
	{ "HST",	-600,	0 },
	{ "I",		-540,	0 },
	{ "JST",	540,	0 },
	{ "K",		-600,	0 },
	{ "L",		-660,	0 },
	{ "M",		-720,	0 },
	{ "MDT",	-360,	0 },
	{ "MEST",	120,	0 },
	{ "MET",	60,	0 },
	{ "MST",	-420,	0 },
	{ "MT",		-420,	0 },
	{ "N",		60,	0 },
	{ "NZDT",	780,	0 },
	{ "NZST",	720,	0 },
	{ "O",		120,	0 },
	{ "P",		180,	0 },
	{ "PDT",	-420,	0 },
	{ "PST",	-480,	0 },
	{ "PT",		-480,	0 },
	{ "Q",		240,	0 },
	{ "R",		300,	0 },
	{ "S",		360,	0 },
	{ "T",		420,	0 },
	{ "U",		480,	0 },
	{ "UT",		0,	1 },
	{ "UTC",	0,	1 },
	{ "V",		540,	0 },
	{ "W",		600,	0 },
	{ "WEST",	60,	0 },
	{ "WET",	0,	0 },
	{ "X",		660,	0 },
	{ "Y",		720,	0 },
	{ "Z",		0,	0 },
};

/* Month and weekday names; any prefix of three letters or more matches. */
static const char *const months[] = {
	"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december",
};

static const char *const weekdays[] = {
	"sunday", "monday", "tuesday", "wednesday", "thursday", "friday",
	"saturday",
};

static const unsigned char mdays[] = {
	31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
};

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\v' || c == '\f';
}

static int
to_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int
to_upper(int c)
{
	return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

static const char *
skip_ws(const char *p)
{
	while (is_space(*p))
		p++;
	return p;
}

static size_t
digit_run(const char *p)
{
	size_t n;

	for (n = 0; is_digit(p[n]); n++)
		continue;
	return n;
}

static size_t
word_len(const char *p)
{
	size_t n;

	for (n = 0; is_alpha(p[n]); n++)
		continue;
	return n;
}

/* Reads exactly n digits into *v. */
static const char *
scan_fixed(const char *p, size_t n, int *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (!is_digit(p[i]))
			return NULL;
		*v = *v * 10 + (p[i] - '0');
	}
	return p + n;
}

/* Reads a whole run of digits whose length must lie in [min, max]. */
static const char *
scan_run(const char *p, size_t min, size_t max, int *v, size_t *len)
{
	size_t n;

	n = digit_run(p);
	if (n < min || n > max)
		return NULL;
	if (len != NULL)
		*len = n;
	return scan_fixed(p, n, v);
}

/*
 * Looks the word of n letters at p up as an abbreviation of one of the
 * names; returns the index plus one, or 0 when nothing matches.
 */
static int
lookup_name(const char *p, size_t n, const char *const *names, size_t count)
{
	size_t i, j;

	if (n < 3)
		return 0;
	for (i = 0; i < count; i++) {
		if (n > strlen(names[i]))
			continue;
		for (j = 0; j < n && to_lower(p[j]) == names[i][j]; j++)
			continue;
		if (j == n)
			return (int)i + 1;
	}
	return 0;
}

static int
zone_cmp(const void *key, const void *elem)
{
	const struct word *w = key;
	const struct zone *z = elem;
	size_t i;
	int c;

	for (i = 0; i < w->len && z->name[i] != '\0'; i++) {
		c = to_upper(w->p[i]) - z->name[i];
		if (c != 0)
			return c;
	}
	if (i < w->len)
		return 1;
	return z->name[i] == '\0' ? 0 : -1;
}

static int
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(int y, int m)
{
	return m == 2 && is_leap(y) ? 29 : mdays[m - 1];
}

static int
check_date(const struct dt *t)
{
	if (t->year < 1 || t->year > 9999 || t->mon < 1 || t->mon > 12)
		return -1;
	if (t->day < 1 || t->day > month_days(t->year, t->mon))
		return -1;
	return 0;
}

/* Validates the time of day; 24:00:00 is the end of the day. */
static int
check_time(struct dt *t, int fraczero)
{
	if (t->min > 59 || t->sec > 60 || t->hour > 24)
		return -1;
	if (t->hour == 24 && (t->min != 0 || t->sec != 0 || !fraczero))
		return -1;
	if (t->sec == 60)
		t->sec = 59;
	return 0;
}

/* Turns a day of the year (1-based) into a month and day. */
static int
set_ordinal(struct dt *t, int yday)
{
	int m;

	if (t->year < 1 || yday < 1 || yday > (is_leap(t->year) ? 366 : 365))
		return -1;
	for (m = 1; yday > month_days(t->year, m); m++)
		yday -= month_days(t->year, m);
	t->mon = m;
	t->day = yday;
	return 0;
}

/* Skips a decimal fraction of a second, noting whether it is zero. */
static const char *
skip_fraction(const char *p, int *zero)
{
	*zero = 1;
	if ((*p != '.' && *p != ',') || !is_digit(p[1]))
		return p;
	for (p++; is_digit(*p); p++)
		if (*p != '0')
			*zero = 0;
	return p;
}

/* Parses "+hhmm", "+hh:mm" or "+hh" (or with '-'). */
static const char *
parse_numzone(const char *p, int *off)
{
	int sign, hh, mm = 0;

	sign = *p == '-' ? -1 : 1;
	if ((p = scan_fixed(p + 1, 2, &hh)) == NULL)
		return NULL;
	if (*p == ':')
		p = scan_fixed(p + 1, 2, &mm);
	else if (is_digit(*p))
		p = scan_fixed(p, 2, &mm);
	if (p == NULL || hh > 23 || mm > 59)
		return NULL;
	*off = sign * (hh * 60 + mm);
	return p;
}

/* Parses a numeric zone, a zone name, or a name such as "GMT+01:00". */
static const char *
parse_zone(const char *p, struct dt *t)
{
	const struct zone *z;
	struct word w;

	t->zoned = 1;
	if (*p == '+' || *p == '-')
		return parse_numzone(p, &t->off);
	w.p = p;
	if ((w.len = word_len(p)) == 0)
		return NULL;
	z = bsearch(&w, zones, NITEMS(zones), sizeof(zones[0]), zone_cmp);
	if (z == NULL)
		return NULL;
	p += w.len;
	t->off = z->off;
	if (z->univ && (*p == '+' || *p == '-'))
		return parse_numzone(p, &t->off);
	return p;
}

/* Parses a zone after optional white space, if one is there. */
static const char *
opt_zone(const char *p, struct dt *t)
{
	const char *q;

	q = skip_ws(p);
	if (*q == '+' || *q == '-' || is_alpha(*q))
		return parse_zone(q, t);
	return p;
}

/* Skips one parenthesised comment, which may nest and hold \-escapes. */
static const char *
skip_comment(const char *p)
{
	int depth = 0;

	for (; *p != '\0'; p++) {
		if (*p == '\\') {
			if (p[1] == '\0')
				return NULL;
			p++;
		} else if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0)
			return p + 1;
	}
	return NULL;
}

/* Only white space and comments may follow a date. */
static int
at_end(const char *p)
{
	for (;;) {
		p = skip_ws(p);
		if (*p == '\0')
			return 1;
		if (*p != '(' || (p = skip_comment(p)) == NULL)
			return 0;
	}
}

/* ISO 8601: "hh:mm[:ss[.f]]" or "hhmm[ss[.f]]". */
static const char *
iso_time(const char *p, struct dt *t)
{
	int ext, zero = 1;

	if ((p = scan_fixed(p, 2, &t->hour)) == NULL)
		return NULL;
	ext = *p == ':';
	if ((p = scan_fixed(p + ext, 2, &t->min)) == NULL)
		return NULL;
	if (ext ? *p == ':' : is_digit(*p)) {
		if ((p = scan_fixed(p + ext, 2, &t->sec)) == NULL)
			return NULL;
		p = skip_fraction(p, &zero);
	}
	return check_time(t, zero) == 0 ? p : NULL;
}

/* ISO 8601 zone: attached "Z" or offset, or a zone after white space. */
static const char *
iso_zone(const char *p, struct dt *t)
{
	const char *q;

	if (*p == 'Z' || *p == 'z') {
		t->zoned = 1;
		return p + 1;
	}
	if (*p == '+' || *p == '-')
		return parse_zone(p, t);
	q = skip_ws(p);
	if (q != p && (*q == '+' || *q == '-' || is_alpha(*q)))
		return parse_zone(q, t);
	return p;
}

/*
 * ISO 8601 calendar or ordinal date: "yyyy", "yyyy-mm", "yyyy-mm-dd",
 * "yyyy-ddd", "yyyymmdd", "yyyyddd".  *full tells whether a day was given,
 * that is whether a time may follow.
 */
static const char *
iso_date(const char *p, struct dt *t, int *full)
{
	size_t n;
	int ext, yday;

	if ((p = scan_fixed(p, 4, &t->year)) == NULL)
		return NULL;
	t->mon = t->day = 1;
	*full = 0;
	ext = *p == '-';
	n = digit_run(p + ext);
	if (n == 3 || (n == 4 && !ext)) {
		*full = 1;
		if (n == 3)
			p = scan_fixed(p + ext, 3, &yday);
		else if ((p = scan_fixed(p, 2, &t->mon)) != NULL)
			p = scan_fixed(p, 2, &t->day);
		if (p == NULL || (n == 3 && set_ordinal(t, yday) != 0))
			return NULL;
	} else if (n == 2 && ext) {
		if ((p = scan_fixed(p + 1, 2, &t->mon)) != NULL && *p == '-') {
			*full = 1;
			p = scan_run(p + 1, 2, 2, &t->day, NULL);
		}
	} else if (ext || n != 0)
		return NULL;
	return p != NULL && check_date(t) == 0 ? p : NULL;
}

/* What may follow a full ISO date: a time after 'T' or space, a zone. */
static const char *
iso_rest(const char *p, struct dt *t)
{
	const char *q;

	q = skip_ws(p);
	if (*p == 'T' || *p == 't')
		q = p + 1;
	else if (q == p || !is_digit(*q))
		return iso_zone(p, t);
	if ((p = iso_time(q, t)) == NULL)
		return NULL;
	return iso_zone(p, t);
}

static const char *
parse_iso(const char *p, struct dt *t)
{
	int full;

	if ((p = iso_date(p, t, &full)) == NULL)
		return NULL;
	return full ? iso_rest(p, t) : p;
}

/* Skips the white space or hyphen between day, month and year. */
static const char *
skip_sep(const char *p)
{
	const char *q;

	q = skip_ws(p);
	if (*q == '-')
		q = skip_ws(q + 1);
	return q == p ? NULL : q;
}

/* Skips an optional weekday with its comma; NULL if glued to the date. */
static const char *
skip_weekday(const char *p)
{
	const char *q;
	size_t n;

	n = word_len(p);
	if (lookup_name(p, n, weekdays, NITEMS(weekdays)) == 0)
		return p;
	p += n;
	q = *p == '.' ? p + 1 : p;
	q = skip_ws(q);
	if (*q == ',')
		q = skip_ws(q + 1);
	return q == p ? NULL : q;
}

static const char *
rfc_month(const char *p, struct dt *t)
{
	size_t n;

	n = word_len(p);
	t->mon = lookup_name(p, n, months, NITEMS(months));
	if (t->mon == 0)
		return NULL;
	p += n;
	return *p == '.' ? p + 1 : p;
}

/* Years of two digits follow RFC 2822: 00-49 are 20xx, 50-99 are 19xx. */
static const char *
rfc_year(const char *p, struct dt *t)
{
	size_t n;

	if ((p = scan_run(p, 2, 4, &t->year, &n)) == NULL)
		return NULL;
	if (n == 2)
		t->year += t->year < 50 ? 2000 : 1900;
	else if (n == 3)
		t->year += 1900;
	return p;
}

/* RFC 822 time: "h:mm", "hh:mm:ss", with an optional fraction. */
static const char *
rfc_time(const char *p, struct dt *t)
{
	int zero = 1;

	if ((p = scan_run(p, 1, 2, &t->hour, NULL)) == NULL || *p != ':')
		return NULL;
	if ((p = scan_fixed(p + 1, 2, &t->min)) == NULL)
		return NULL;
	if (*p == ':') {
		if ((p = scan_fixed(p + 1, 2, &t->sec)) == NULL)
			return NULL;
		p = skip_fraction(p, &zero);
	}
	return check_time(t, zero) == 0 ? p : NULL;
}

/* The optional time and zone after the year. */
static const char *
rfc_tail(const char *p, struct dt *t)
{
	const char *q;

	q = skip_ws(p);
	if (*q == ',')
		q = skip_ws(q + 1);
	if (!is_digit(*q))
		return p;
	if ((q = rfc_time(q, t)) == NULL)
		return NULL;
	return opt_zone(q, t);
}

/* "11 Mar 2025 ...", "11-Mar-25 ...". */
static const char *
rfc_dmy(const char *p, struct dt *t)
{
	if ((p = scan_run(p, 1, 2, &t->day, NULL)) == NULL ||
	    (p = skip_sep(p)) == NULL ||
	    (p = rfc_month(p, t)) == NULL ||
	    (p = skip_sep(p)) == NULL ||
	    (p = rfc_year(p, t)) == NULL)
		return NULL;
	return rfc_tail(p, t);
}

/* The asctime() order after the day: "08:00:00 [zone] 2025 [zone]". */
static const char *
rfc_asctime(const char *p, struct dt *t)
{
	const char *q;

	if ((p = rfc_time(p, t)) == NULL || (p = opt_zone(p, t)) == NULL)
		return NULL;
	q = skip_ws(p);
	if (q == p || (p = rfc_year(q, t)) == NULL)
		return NULL;
	return t->zoned ? p : opt_zone(p, t);
}

/* "Mar 11, 2025 ..." and asctime's "Mar 11 08:00:00 2025". */
static const char *
rfc_mdy(const char *p, struct dt *t)
{
	const char *q;

	if ((p = rfc_month(p, t)) == NULL ||
	    (p = skip_sep(p)) == NULL ||
	    (p = scan_run(p, 1, 2, &t->day, NULL)) == NULL)
		return NULL;
	q = skip_ws(p);
	if (*q == ',')
		q = skip_ws(q + 1);
	if (q == p)
		return NULL;
	if (is_digit(*q) && q[digit_run(q)] == ':')
		return rfc_asctime(q, t);
	if ((q = rfc_year(q, t)) == NULL)
		return NULL;
	return rfc_tail(q, t);
}

static const char *
parse_rfc(const char *p, struct dt *t)
{
	if ((p = skip_weekday(p)) == NULL)
		return NULL;
	if (is_digit(*p))
		p = rfc_dmy(p, t);
	else
		p = rfc_mdy(p, t);
	return p != NULL && check_date(t) == 0 ? p : NULL;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The inverse of days_from_civil(). */
static void
civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int64_t
to_epoch(const struct dt *t)
{
	return days_from_civil(t->year, t->mon, t->day) * SECS_PER_DAY +
	    t->hour * 3600 + t->min * 60 + t->sec - (int64_t)t->off * 60;
}

int
date_parse(const char *s, int64_t *out)
{
	struct dt t;
	const char *p;

	if (s == NULL || out == NULL)
		return -1;
	memset(&t, 0, sizeof(t));
	p = skip_ws(s);
	if (digit_run(p) >= 4)
		p = parse_iso(p, &t);
	else
		p = parse_rfc(p, &t);
	if (p == NULL || !at_end(p))
		return -1;
	*out = to_epoch(&t);
	return 0;
}

/* Writes v as exactly w decimal digits, zero-padded. */
static char *
put_num(char *p, int64_t v, int w)
{
	int i;

	for (i = w - 1; i >= 0; i--, v /= 10)
		p[i] = (char)('0' + v % 10);
	return p + w;
}

char *
date_format(int64_t t, char buf[DATE_BUFSZ])
{
	int64_t days, secs;
	int y, m, d;
	char *p;

	if (t < EPOCH_MIN)
		t = EPOCH_MIN;
	else if (t > EPOCH_MAX)
		t = EPOCH_MAX;
	days = t / SECS_PER_DAY;
	secs = t % SECS_PER_DAY;
	if (secs < 0) {
		secs += SECS_PER_DAY;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	p = put_num(buf, y, 4);
	*p++ = '-';
	p = put_num(p, m, 2);
	*p++ = '-';
	p = put_num(p, d, 2);
	*p++ = 'T';
	p = put_num(p, secs / 3600, 2);
	*p++ = ':';
	p = put_num(p, secs / 60 % 60, 2);
	*p++ = ':';
	p = put_num(p, secs % 60, 2);
	*p++ = 'Z';
	*p = '\0';
	return buf;
}
