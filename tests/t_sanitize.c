/*
 * t_sanitize.c - html_sanitize: expected outputs for known inputs, then an
 * oracle (HOSTILE.md P3) over hostile inputs and every summary and content
 * of the sample feeds: the output, parsed again, holds only allowlisted
 * elements and attributes, no on* attribute, only http(s) and mailto
 * links and http(s) or data-image sources; and sanitising it again
 * changes nothing.
 */
#include <sys/resource.h>
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libxml/HTMLparser.h>

#include "buf.h"
#include "parse.h"
#include "sanitize.h"
#include "tap.h"
#include "util.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))
#define BASE		"https://base.example/dir/page.html"

static const struct {
	const char *in, *want;
} cases[] = {
	{ "plain text & more", "plain text &amp; more" },
	{ "a < b > c &amp; d", "a &lt; b &gt; c &amp; d" },
	{ "&lt;script&gt;alert(1)&lt;/script&gt;",
	    "&lt;script&gt;alert(1)&lt;/script&gt;" },
	{ "<p>Hello <b>world</b></p>", "<p>Hello <b>world</b></p>" },
	{ "<script>alert(1)</script>ok", "ok" },
	{ "<style>p{color:red}</style><p>s</p>", "<p>s</p>" },
	{ "<iframe src=\"https://x.example/\">f</iframe>i", "i" },
	{ "<svg><script>x</script></svg>t", "t" },
	{ "<math><mi>x</mi></math>m", "m" },
	{ "<form action=\"/x\"><input name=a>f</form>g", "g" },
	{ "<textarea><b>x</b></textarea>y", "y" },
	{ "<unknown>kept <i>text</i></unknown>", "kept <i>text</i>" },
	{ "<a href=\"javascript:alert(1)\">x</a>", "x" },
	{ "<a href=\"jav&#x09;ascript:alert(1)\">z</a>", "z" },
	{ "<a href=\" JaVaScRiPt:alert(1)\">j</a>", "j" },
	{ "<a href=\"data:text/html,<script>x</script>\">d</a>", "d" },
	{ "<a href=\"vbscript:x\">v</a>", "v" },
	{ "<a href=\"rel/link\">y</a>", "<a href=\"https://base.example/dir/"
	    "rel/link\" rel=\"nofollow noopener noreferrer\">y</a>" },
	{ "<a href=\"mailto:a@b.example\">m</a>", "<a href=\"mailto:a@b."
	    "example\" rel=\"nofollow noopener noreferrer\">m</a>" },
	{ "<a href=\"https://x.example/\" onclick=\"x()\" style=\"s\" "
	    "class=\"c\" id=\"i\" target=\"_blank\">a</a>",
	    "<a href=\"https://x.example/\" rel=\"nofollow noopener "
	    "noreferrer\">a</a>" },
	{ "<img src=x onerror=alert(1)>",
	    "<img src=\"https://base.example/dir/x\"/>" },
	{ "<img src=\"javascript:x\" alt=\"a\">", "" },
	{ "<img alt=\"no source\">", "" },
	{ "<img src=\"data:image/png;base64,iVBORw0KGgo=\" alt=\"d\">",
	    "<img src=\"data:image/png;base64,iVBORw0KGgo=\" alt=\"d\"/>" },
	{ "<img src=\"data:image/svg+xml;base64,PHN2Zz4=\">", "" },
	{ "<img src=\"/i.png\" width=\"10\" height=\"99999\" "
	    "srcset=\"x 2x\">", "<img src=\"https://base.example/i.png\" "
	    "width=\"10\"/>" },
	{ "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">"
	    "</noscript>", "" },
	{ "</body></html><script>x</script>after", "" },
	{ "<html><head><title>T</title></head><body>B</body></html>", "B" },
	{ "<!-- c -->c", "c" },
	{ "<![CDATA[ d ]]>e", "&lt;![CDATA[ d ]]&gt;e" },
	{ "x<br>y<hr>z", "x<br/>y<hr/>z" },
	{ "<table><tr><td colspan=2 rowspan=x>c</td></tr></table>",
	    "<table><tr><td colspan=\"2\">c</td></tr></table>" },
	{ "<blockquote cite=\"javascript:x\">q</blockquote>",
	    "<blockquote>q</blockquote>" },
	{ "<blockquote cite=\"/src\">q</blockquote>",
	    "<blockquote cite=\"https://base.example/src\">q</blockquote>" },
	{ "<p>a<div>b</div>c</p>", "<p>a</p><div>b</div>c" },
	/* Rows 21-22: more of the catalogue's obfuscations. */
	{ "<a href=\"javascript&colon;alert(1)\">c</a>",
	    "<a href=\"https://base.example/dir/javascript&amp;colon;alert(1)\""
	    " rel=\"nofollow noopener noreferrer\">c</a>" },
	{ "<a href=\"\x01javascript:alert(1)\">r</a>", "r" },
	{ "<a href=\"java\nscript:alert(1)\">n</a>", "n" },
	{ "<a href=\"&#x6A;avascript:alert(1)\">h</a>", "h" },
	{ "<a href=\"//evil.example/x\">p</a>", "<a href=\"https://evil."
	    "example/x\" rel=\"nofollow noopener noreferrer\">p</a>" },
	{ "<a href=\"file:///etc/passwd\">f</a>", "f" },
	{ "<img src=\"mailto:a@b.example\">", "" },
	{ "<blockquote cite=\"mailto:a@b.example\">q</blockquote>",
	    "<blockquote>q</blockquote>" },
	{ "<!--><img src=x onerror=alert(1)>-->", "" },
	{ "<a href=\"https://ok.example/\"\nonclick=alert(1)>w</a>",
	    "<a href=\"https://ok.example/\" rel=\"nofollow noopener "
	    "noreferrer\">w</a>" },
	{ "", "" },
};

/* Hostile inputs whose exact output does not matter, only the oracle. */
static const char *const hostile[] = {
	"<a href=\"&#106;avascript:alert(1)\">x</a>",
	"<a href=\"java&#0000013;script:alert(1)\">x</a>",
	"<a href=\"  javascript:alert(1)\">x</a>",
	"<a href=\"\\x01javascript:alert(1)\">x</a>",
	"<a href=\"//evil.example/x\">protocol-relative</a>",
	"<img src=\"x\" onload=\"alert(1)\" ONERROR=\"alert(2)\">",
	"<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
	"<div style=\"background:url(javascript:alert(1))\">s</div>",
	"<object data=\"x\"><param name=a value=b></object>o",
	"<embed src=\"x.swf\">e",
	"<base href=\"javascript:/\">b",
	"<meta http-equiv=\"refresh\" content=\"0;url=javascript:x\">m",
	"<svg><a xlink:href=\"javascript:alert(1)\"><text>t</text></a></svg>",
	"<math><maction actiontype=\"statusline\" xlink:href=\"javascript:x\">"
	    "c</maction></math>",
	"<xmp><script>alert(1)</script></xmp>",
	"<!--<img src=x onerror=alert(1)>-->",
	"<p title=\"--><script>alert(1)</script>\">p</p>",
	"<<script>script>alert(1)<</script>/script>",
	"<scr<script>ipt>alert(1)</script>",
	"<a href=\"https://x.example/\"<img src=y onerror=z>>l</a>",
	"<details open ontoggle=alert(1)>d</details>",
	"<table background=\"javascript:x\"><td>t</td></table>",
	"<a href=\"https://ok.example/\"><a href=\"javascript:x\">n</a></a>",
	"<select><option><script>x</script></option></select>s",
	"<template><img src=x onerror=alert(1)></template>t",
	"<frameset><frame src=\"javascript:x\"></frameset>",
	"<p>\xe2\x80\xae reversed \xe2\x80\xac</p>",
	"&#0;&#xD800;&#x110000;",
	"<a href=\"http://[::1]:80/\">ipv6</a>",
	"<a href=\"https://x.example/a b<c>\">spaces</a>",
	"<div><div><div><div><div><div><div><div><div><div><div><div><div>"
	    "<div><div><div><div><div><div><div><div><div><div><div>deep"
	    "</div></div></div></div></div></div></div></div></div></div>",
	/* found by fuzz_sanitize: one pass was not idempotent */
	"<h1>Welceo<m/h1>\n<p>This is a web page.<br>\n"
	    "<a href=/feed.xml\">Subscribe</a></p>",
};

/* P3 for in: sound output, and idempotent; the reason when not. */
static const char *
oracle(const char *in)
{
	char *out = html_sanitize(in, BASE), *again;
	const char *why = NULL;

	if (out == NULL)
		return "no output";
	why = tu_html_unsafe(out);
	again = html_sanitize(out, BASE);
	if (why == NULL && strcmp(again, out) != 0)
		why = "not idempotent";
	if (why != NULL)
		diag("  in:  %.200s\n  out: %.200s\n  again: %.200s", in, out,
		    again);
	free(out);
	free(again);
	return why;
}

static void
test_cases(void)
{
	for (size_t i = 0; i < NITEMS(cases); i++) {
		char *got = html_sanitize(cases[i].in, BASE);

		is_str(cases[i].want, got, "sanitize [%.60s]", cases[i].in);
		free(got);
	}
	{
		char *got = html_sanitize(NULL, BASE);

		is_str("", got, "NULL: empty");
		free(got);
		got = html_sanitize("<a href=\"rel\">r</a>", NULL);
		is_str("r", got, "no base: a relative link is unwrapped");
		free(got);
	}
}

static void
test_oracle(void)
{
	int bad = 0;

	for (size_t i = 0; i < NITEMS(cases); i++)
		if (oracle(cases[i].in) != NULL)
			bad++;
	for (size_t i = 0; i < NITEMS(hostile); i++) {
		const char *why = oracle(hostile[i]);

		ok(why == NULL, "P3 holds for [%.50s]%s%s", hostile[i],
		    why ? ": " : "", why ? why : "");
	}
	is_int(0, bad, "P3 holds for every case above");
}

/* Every summary and content of the sample feeds. */
static void
test_samples(void)
{
	static const char *const files[] = { "arxiv-cs.xml",
	    "daily-papers.atom", "lab-notes.rdf", "lab-blog.xml" };
	const char *srcdir = getenv("SRCDIR");
	int n = 0, bad = 0;

	for (size_t i = 0; i < NITEMS(files); i++) {
		char path[1024], err[256];
		struct buf b = { 0 };
		struct feed_doc *d;

		snprintf(path, sizeof(path), "%s/feeds/%s", srcdir ? srcdir :
		    ".", files[i]);
		if (tu_read_file(path, &b) == -1) {
			buf_free(&b);
			continue;
		}
		d = feed_parse(b.data, b.len, NULL, NULL, err, sizeof(err));
		buf_free(&b);
		for (size_t k = 0; d != NULL && k < d->nentries; k++) {
			const char *v[2] = { d->entries[k].summary,
			    d->entries[k].content };

			for (int j = 0; j < 2; j++)
				if (v[j] != NULL) {
					n++;
					bad += oracle(v[j]) != NULL;
				}
		}
		feed_doc_free(d);
	}
	ok(n > 50, "the samples give %d summaries and contents", n);
	is_int(0, bad, "P3 holds for every one");
}

/* The greatest element depth of sanitized output (well-formed by then). */
static int
max_depth(const char *s)
{
	static const char *const voids[] = { "br", "hr", "img", "wbr" };
	int d = 0, max = 0;

	for (const char *p = s; (p = strchr(p, '<')) != NULL; p++) {
		int is_void = 0;

		if (p[1] == '/') {
			d--;
			continue;
		}
		for (size_t i = 0; i < NITEMS(voids); i++)
			if (strncmp(p + 1, voids[i], strlen(voids[i])) == 0 &&
			    strchr(" />", p[1 + strlen(voids[i])]) != NULL)
				is_void = 1;
		if (!is_void && ++d > max)
			max = d;
	}
	return max;
}

/*
 * Row 6 for the sanitizer: 100,000 nested elements, in a child whose stack
 * is capped at 1 MiB.  The sanitizer walks libxml2's tree recursively, so
 * this is the test that its depth is bounded.
 */
static void
test_deep(void)
{
	static const char *const tags[] = { "div", "b", "blockquote" };

	for (size_t t = 0; t < NITEMS(tags); t++) {
		struct buf b = { 0 };
		pid_t pid;
		int fd[2], st = 0, depth = -1;

		buf_puts(&b, "<p>before</p>");
		for (int i = 0; i < 100000; i++)
			buf_printf(&b, "<%s>", tags[t]);
		buf_puts(&b, "deep");
		for (int i = 0; i < 100000; i++)
			buf_printf(&b, "</%s>", tags[t]);
		if (pipe(fd) != 0)
			continue;
		fflush(NULL);
		if ((pid = fork()) == 0) {
			struct rlimit rl = { 1 << 20, 1 << 20 };
			char *out;

			close(fd[0]);
			if (setrlimit(RLIMIT_STACK, &rl) != 0)
				_exit(10);
			if ((out = html_sanitize(b.data, BASE)) == NULL)
				_exit(11);
			if (oracle(out) != NULL)
				_exit(12);
			if (strstr(out, "before") == NULL)
				_exit(13);
			depth = max_depth(out);
			if (write(fd[1], &depth, sizeof(depth)) !=
			    (ssize_t)sizeof(depth))
				_exit(14);
			free(out);
			_exit(0);
		}
		close(fd[1]);
		if (pid > 0 && read(fd[0], &depth, sizeof(depth)) !=
		    (ssize_t)sizeof(depth))
			depth = -1;
		close(fd[0]);
		if (pid > 0)
			waitpid(pid, &st, 0);
		ok(pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		    "row 6: 100,000 nested <%s> under a 1 MiB stack: P3 holds, "
		    "the text before kept (%s %d)", tags[t], WIFSIGNALED(st) ?
		    "signal" : "status", WIFSIGNALED(st) ? WTERMSIG(st) :
		    WEXITSTATUS(st));
		ok(depth >= 1 && depth <= 64, "row 6: <%s>: the output nests "
		    "%d deep, at most 64", tags[t], depth);
		buf_free(&b);
	}
}

int
main(void)
{
	parse_init();
	test_cases();
	test_oracle();
	test_samples();
	test_deep();
	xmlCleanupParser();
	return done_testing();
}
