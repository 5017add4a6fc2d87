/*
 * t_ident.c - entry identity: keys within a feed (guid, else link, else a
 * hash), canonical links and normalised titles, table-driven.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ident.h"
#include "tap.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

struct scase {
	const char	*in;
	const char	*want;		/* NULL: no key of this kind */
};

static const struct scase links[] = {
	{ "https://Example.COM/a/b/", "//example.com/a/b" },
	{ "http://example.com/a/b", "//example.com/a/b" },
	{ "HTTPS://EXAMPLE.com/x", "//example.com/x" },
	{ "http://example.com:80/x", "//example.com/x" },
	{ "https://example.com:443/x", "//example.com/x" },
	{ "http://example.com:443/x", "//example.com/x" },
	{ "https://example.com:80/x", "//example.com/x" },
	{ "http://example.com:8080/x", "//example.com:8080/x" },
	{ "https://example.com/x#section-2", "//example.com/x" },
	{ "https://example.com/x?utm_source=rss&utm_medium=feed",
	    "//example.com/x" },
	{ "https://example.com/x?id=3&utm_source=rss", "//example.com/x?id=3" },
	{ "https://example.com/x?utm_source=a&id=3", "//example.com/x?id=3" },
	{ "https://example.com/x?UTM_Campaign=a", "//example.com/x" },
	{ "https://example.com/x?fbclid=IwAR0abc", "//example.com/x" },
	{ "https://example.com/x?gclid=1&b=2&a=1", "//example.com/x?b=2&a=1" },
	{ "https://example.com/x?mc_cid=1&mc_eid=2", "//example.com/x" },
	{ "https://example.com/x?msclkid=9", "//example.com/x" },
	{ "https://example.com/x?utm=1", "//example.com/x?utm=1" },
	{ "https://example.com/x?fbclidx=1", "//example.com/x?fbclidx=1" },
	{ "https://example.com/x?", "//example.com/x" },
	{ "https://example.com/x?a=1&&b=2", "//example.com/x?a=1&b=2" },
	{ "https://example.com/", "//example.com" },
	{ "https://example.com", "//example.com" },
	{ "https://example.com/a//", "//example.com/a" },
	{ "https://example.com/Path/CASE", "//example.com/Path/CASE" },
	{ "https://arxiv.org/abs/2503.29863v1",
	    "//arxiv.org/abs/2503.29863v1" },
	{ "https://user:secret@example.com/x", "//example.com/x" },
	{ "http://[::1]:8080/x", "//[::1]:8080/x" },
	{ "https://example.com/a b", "//example.com/a%20b" },
	{ "mailto:someone@example.com", NULL },
	{ "ftp://example.com/x", NULL },
	{ "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a", NULL },
	{ "not a url", NULL },
	{ "/relative/path", NULL },
	{ "", NULL },
	{ NULL, NULL },
};

static const struct scase titles[] = {
	{ "Hello, World: A Study of Things", "hello world a study of things" },
	{ "  Hello   World \xe2\x80\x94 a study of things!! ",
	    "hello world a study of things" },
	{ "HELLO WORLD A STUDY OF THINGS", "hello world a study of things" },
	{ "Hello world: a study of things.", "hello world a study of things" },
	{ "Towards Scalable Exact Machine-Unlearning",
	    "towards scalable exact machine unlearning" },
	{ "\xe2\x80\x9cQuoted\xe2\x80\x9d title with \xe2\x80\x98smart\xe2\x80"
	    "\x99 quotes", "quoted title with smart quotes" },
	{ "C++ for Rust programmers (2nd ed.)", "c for rust programmers 2nd ed" },
	{ "D\xc3\xa9j\xc3\xa0 Vu: \xc3\x89tudes R\xc3\xa9" "centes",
	    "d\xc3\xa9j\xc3\xa0 vu \xc3\xa9tudes r\xc3\xa9" "centes" },
	{ "\xc3\x9cN\xc3\x8f" "CODE \xc3\x87" "APITALS in Latin-1 text",
	    "\xc3\xbcn\xc3\xaf" "code \xc3\xa7" "apitals in latin 1 text" },
	{ "Invalid \xff byte in this long title",
	    "invalid byte in this long title" },
	{ "Tab\tand\nnewline separated words",
	    "tab and newline separated words" },
	{ "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe3\x82\xbf\xe3\x82"
	    "\xa4\xe3\x83\x88\xe3\x83\xab\xe3\x80\x81\xe3\x83\x86\xe3\x82\xb9"
	    "\xe3\x83\x88",
	    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe3\x82\xbf\xe3\x82"
	    "\xa4\xe3\x83\x88\xe3\x83\xab \xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88" },
	{ "50% of 1,000 \xc2\xbd-measures \xc3\x97 2", "50 of 1 000 measures 2" },
	{ "Weekly update", NULL },
	{ "News", NULL },
	{ "!!! ??? ...", NULL },
	{ "", NULL },
	{ NULL, NULL },
};

static struct entry
entry(const char *id, const char *link, const char *title,
    const char *summary, int64_t published)
{
	struct entry e;

	memset(&e, 0, sizeof(e));
	e.id = (char *)(uintptr_t)id;
	e.link = (char *)(uintptr_t)link;
	e.title = (char *)(uintptr_t)title;
	e.summary = (char *)(uintptr_t)summary;
	e.published = published;
	e.updated = DATE_NONE;
	return e;
}

static void
is_key(const char *want, struct entry e, const char *name)
{
	char *k = ident_key(&e);

	is_str(want, k, "key: %s", name);
	free(k);
}

/* 1 when the keys of a and b are equal. */
static int
same_key(struct entry a, struct entry b)
{
	char *x = ident_key(&a), *y = ident_key(&b);
	int same = strcmp(x, y) == 0;

	free(x);
	free(y);
	return same;
}

static void
test_keys(void)
{
	char *longid = malloc(IDENT_GUID_MAX + 2), *k;

	is_key("g:abc", entry("abc", "https://x/1", NULL, NULL, 0),
	    "a guid wins over the link");
	is_key("g:abc", entry("  abc\n", NULL, NULL, NULL, 0),
	    "a guid is trimmed");
	is_key("g:a b", entry("a b", NULL, NULL, NULL, 0),
	    "inner whitespace stays");
	is_key("l:https://x/1", entry("   ", "https://x/1", NULL, NULL, 0),
	    "a whitespace-only guid counts as missing");
	is_key("l:https://x/1", entry("", "https://x/1", NULL, NULL, 0),
	    "an empty guid counts as missing");
	is_key("l:https://x/1", entry(NULL, "https://x/1", NULL, NULL, 0),
	    "no guid: the link");
	k = ident_key(&(struct entry){ .title = (char *)(uintptr_t)"T",
	    .published = 5 });
	ok(strncmp(k, "h:", 2) == 0 && strlen(k) == 18,
	    "neither: a hash (%s)", k);
	free(k);
	ok(same_key(entry(NULL, NULL, "T", "s", 5), entry("\t", "", "T", "s",
	    5)), "the hash ignores a blank guid and an empty link");
	ok(!same_key(entry(NULL, NULL, "T", "s", 5), entry(NULL, NULL, "T2",
	    "s", 5)), "the hash covers the title");
	ok(!same_key(entry(NULL, NULL, "T", "s", 5), entry(NULL, NULL, "T",
	    "s", 6)), "and the date");
	ok(!same_key(entry(NULL, NULL, "T", "s", 5), entry(NULL, NULL, "T",
	    "s2", 5)), "and the summary");
	ok(!same_key(entry(NULL, NULL, "Ts", NULL, 5), entry(NULL, NULL, "T",
	    "s", 5)), "with the fields kept apart");

	memset(longid, 'a', IDENT_GUID_MAX);
	longid[IDENT_GUID_MAX] = '\0';
	k = ident_key(&(struct entry){ .id = longid });
	ok(strncmp(k, "g:", 2) == 0 && strlen(k) == IDENT_GUID_MAX + 2,
	    "a guid of %d bytes is kept as it is", IDENT_GUID_MAX);
	free(k);
	longid[IDENT_GUID_MAX] = 'a';
	longid[IDENT_GUID_MAX + 1] = '\0';
	k = ident_key(&(struct entry){ .id = longid });
	ok(strncmp(k, "G:", 2) == 0 && strlen(k) == 34,
	    "a longer guid is hashed (%s)", k);
	free(k);
	ok(same_key((struct entry){ .id = longid }, (struct entry){
	    .id = longid, .link = (char *)(uintptr_t)"https://x/" }),
	    "the same long guid, the "
	    "same hash");
	{
		struct entry e = { .id = longid };
		char *before = ident_key(&e);

		longid[IDENT_GUID_MAX] = 'b';
		k = ident_key(&e);
		ok(strcmp(before, k) != 0, "a different long guid, a "
		    "different hash");
		free(before);
		free(k);
	}
	free(longid);
}

/* The input as a test name: on one line. */
static const char *
printable(const char *s)
{
	static char out[128];
	size_t i;

	if (s == NULL)
		return "(null)";
	for (i = 0; s[i] != '\0' && i < sizeof(out) - 1; i++)
		out[i] = (unsigned char)s[i] < 0x20 ? '?' : s[i];
	out[i] = '\0';
	return out;
}

int
main(void)
{
	for (size_t i = 0; i < NITEMS(links); i++) {
		char *got = ident_link(links[i].in);

		is_str(links[i].want, got, "link %s", printable(links[i].in));
		free(got);
	}
	for (size_t i = 0; i < NITEMS(titles); i++) {
		char *got = ident_title(titles[i].in);

		is_str(titles[i].want, got, "title %s",
		    printable(titles[i].in));
		free(got);
	}
	test_keys();
	ok(ident_hash("//example.com/x") == ident_hash("//example.com/x"),
	    "ident_hash is stable");
	ok(ident_hash("//example.com/x") != ident_hash("//example.com/y"),
	    "and tells keys apart");
	ok(ident_hash("") == 0xcbf29ce484222325ULL, "FNV-1a's offset basis "
	    "for the empty key");
	return done_testing();
}
