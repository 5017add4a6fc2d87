/*
 * t_golden.c - golden files for the feed parser: every document in
 * tests/golden is given to the real binary as `sluice parse --json FILE`,
 * and what it prints is compared with NAME.expected.  One test point per
 * document.  tests/golden/README describes the files.
 *
 * Environment: SLUICE (the binary), SRCDIR (the source tree, else "."),
 * GOLDEN_UPDATE=1 (rewrite the .expected files from what the binary
 * prints, instead of comparing), GOLDEN_ONLY=NAME (run one document).
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "buf.h"
#include "tap.h"
#include "util.h"

#define RUN_TIMEOUT	120	/* seconds one parse may take */
#define CONTEXT		40	/* bytes shown either side of a difference */

static const char *sluice_bin;
static char golden_dir[PATH_MAX];	/* absolute, no symbolic links */
static char gen_dir[PATH_MAX];		/* where .gen documents are written */
static int update;

/* What one run of the binary gave. */
struct result {
	int		 status;	/* exit status; 128 + signal; -1 timeout */
	struct buf	 out, err;
};

/* What NAME.expected asks for. */
struct expected {
	int		 status;
	char		**err;		/* stderr lines, "~" first: a prefix */
	size_t		 nerr;
	struct buf	 out;
	int		 by_hand;	/* has comments or @repeat lines */
	char		*todo;		/* a known bug: why, or NULL */
};

static int
write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL)
		return -1;
	fwrite(data, 1, len, f);
	return fclose(f);
}

/* Replaces every from in b by to. */
static void
replace_all(struct buf *b, const char *from, const char *to)
{
	struct buf r = { 0 };
	size_t flen = strlen(from);
	const char *p, *hit;

	if (b->data == NULL || flen == 0 || strstr(b->data, from) == NULL)
		return;
	for (p = b->data; (hit = strstr(p, from)) != NULL; p = hit + flen) {
		buf_append(&r, p, (size_t)(hit - p));
		buf_puts(&r, to);
	}
	buf_puts(&r, p);
	buf_free(b);
	*b = r;
}

/*
 * Expands a recipe (a .gen document, or an .expected file): "#" lines are
 * comments; "@repeat N TEXT" or "@repeat FIRST..LAST TEXT" is TEXT over
 * and over, "@i@" in it the count, and no newline; any other line is
 * itself and a newline, unless it ends in a backslash.  Returns 1 when
 * there was a comment or a @repeat: a file written by hand.
 */
static int
expand(const char *in, struct buf *out)
{
	const char *line = in, *end;
	int by_hand = 0;

	buf_append(out, "", 0);
	for (; *line != '\0'; line = *end ? end + 1 : end) {
		size_t len;
		long first, last;
		char *rest;

		end = strchr(line, '\n');
		if (end == NULL)
			end = line + strlen(line);
		len = (size_t)(end - line);
		if (line[0] == '#') {
			by_hand = 1;
			continue;
		}
		if (strncmp(line, "@repeat ", 8) == 0) {
			struct buf text = { 0 }, one = { 0 };

			first = 1;
			last = strtol(line + 8, &rest, 10);
			if (strncmp(rest, "..", 2) == 0) {
				first = last;
				last = strtol(rest + 2, &rest, 10);
			}
			if (*rest == ' ')
				rest++;
			buf_append(&text, rest, (size_t)(end - rest));
			for (long i = first; i <= last; i++) {
				char num[24];

				snprintf(num, sizeof(num), "%ld", i);
				buf_reset(&one);
				buf_append(&one, text.data, text.len);
				replace_all(&one, "@i@", num);
				buf_append(out, one.data, one.len);
			}
			buf_free(&text);
			buf_free(&one);
			by_hand = 1;
			continue;
		}
		if (len > 0 && line[len - 1] == '\\')
			buf_append(out, line, len - 1);
		else {
			buf_append(out, line, len);
			if (*end == '\n')
				buf_puts(out, "\n");
		}
	}
	return by_hand;
}

/* Whitespace outside strings removed (JSON's is insignificant). */
static void
minify(const char *s, struct buf *out)
{
	int in = 0, esc = 0;

	buf_append(out, "", 0);
	for (; *s != '\0'; s++) {
		if (in) {
			if (esc)
				esc = 0;
			else if (*s == '\\')
				esc = 1;
			else if (*s == '"')
				in = 0;
		} else if (*s == '"')
			in = 1;
		else if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			continue;
		buf_append(out, s, 1);
	}
}

static void
indent(struct buf *b, int depth)
{
	buf_puts(b, "\n");
	for (int i = 0; i < depth; i++)
		buf_puts(b, "  ");
}

/* Minified JSON, one member or element a line, for people to read. */
static void
pretty(const char *s, struct buf *out)
{
	int in = 0, esc = 0, depth = 0;

	for (; *s != '\0'; s++) {
		if (in) {
			if (esc)
				esc = 0;
			else if (*s == '\\')
				esc = 1;
			else if (*s == '"')
				in = 0;
			buf_append(out, s, 1);
			continue;
		}
		switch (*s) {
		case '"':
			in = 1;
			buf_append(out, s, 1);
			break;
		case '{':
		case '[':
			buf_append(out, s, 1);
			if (s[1] == (*s == '{' ? '}' : ']'))
				buf_append(out, ++s, 1);
			else
				indent(out, ++depth);
			break;
		case '}':
		case ']':
			indent(out, --depth);
			buf_append(out, s, 1);
			break;
		case ',':
			buf_puts(out, ",");
			indent(out, depth);
			break;
		case ':':
			buf_puts(out, ": ");
			break;
		default:
			buf_append(out, s, 1);
			break;
		}
	}
	buf_puts(out, "\n");
}

/* 1 when s is valid UTF-8 (no overlongs, surrogates or > U+10FFFF). */
static int
valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i];
		size_t len;
		unsigned long cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			len = 2, cp = c & 0x1F;
		else if (c >= 0xE0 && c <= 0xEF)
			len = 3, cp = c & 0x0F;
		else if (c >= 0xF0 && c <= 0xF4)
			len = 4, cp = c & 0x07;
		else
			return 0;
		if (i + len > n)
			return 0;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 &&
		    cp <= 0xDFFF))) || (len == 4 && (cp < 0x10000 ||
		    cp > 0x10FFFF)))
			return 0;
		i += len;
	}
	return 1;
}

static int
json_valid(const char *s)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int valid = 0;

	if (sqlite3_open(":memory:", &db) != SQLITE_OK)
		return 0;
	if (sqlite3_prepare_v2(db, "SELECT json_valid(?1)", -1, &st,
	    NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, s, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			valid = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return valid;
}

/*
 * A file served once over HTTP with a chosen charset, by a child process
 * on 127.0.0.1, so that the binary sees an HTTP Content-Type.
 */
struct server {
	pid_t	pid;
	int	port;
};

static void
serve_one(int fd, const char *body, size_t len, const char *charset)
{
	char req[8192], head[512];
	size_t got = 0;
	ssize_t n;
	int c;

	while ((c = accept(fd, NULL, NULL)) >= 0) {
		got = 0;
		while (got < sizeof(req) - 1 && (n = read(c, req + got,
		    sizeof(req) - 1 - got)) > 0) {
			got += (size_t)n;
			req[got] = '\0';
			if (strstr(req, "\r\n\r\n") != NULL)
				break;
		}
		snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\n"
		    "Content-Type: application/rss+xml; charset=%s\r\n"
		    "Content-Length: %zu\r\nConnection: close\r\n\r\n",
		    charset, len);
		if (write(c, head, strlen(head)) < 0 ||
		    write(c, body, len) < 0)
			_exit(1);
		close(c);
	}
	_exit(0);
}

static int
server_start(struct server *s, const char *path, const char *charset)
{
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	struct buf body = { 0 };
	int fd;

	memset(s, 0, sizeof(*s));
	if (tu_read_file(path, &body) == -1) {
		buf_free(&body);
		return -1;
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd == -1 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) ==
	    -1 || listen(fd, 4) == -1 || getsockname(fd,
	    (struct sockaddr *)&sin, &slen) == -1 || (s->pid = fork()) ==
	    -1) {
		if (fd != -1)
			close(fd);
		buf_free(&body);
		return -1;
	}
	if (s->pid == 0)
		serve_one(fd, body.data, body.len, charset);
	close(fd);
	buf_free(&body);
	s->port = ntohs(sin.sin_port);
	return 0;
}

static void
server_stop(struct server *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, NULL, 0);
	}
	s->pid = 0;
}

/* Runs argv, collecting its stdout and stderr, for RUN_TIMEOUT at most. */
static void
run(const char *const argv[], struct result *r)
{
	int out[2], err[2], status, open_fds = 2;
	int64_t deadline = tu_now_ms() + RUN_TIMEOUT * 1000;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->status = -1;
	buf_append(&r->out, "", 0);
	buf_append(&r->err, "", 0);
	if (pipe(out) == -1 || pipe(err) == -1 || (pid = fork()) == -1) {
		r->status = -2;
		return;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		dup2(null, 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(err[0]);
		execv(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	while (open_fds > 0 && tu_now_ms() < deadline) {
		struct pollfd pfd[2] = { { out[0], POLLIN, 0 },
		    { err[0], POLLIN, 0 } };
		char chunk[65536];

		if (poll(pfd, 2, 1000) <= 0)
			continue;
		for (int i = 0; i < 2; i++) {
			ssize_t n;

			if (pfd[i].fd < 0 || !(pfd[i].revents &
			    (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(pfd[i].fd, chunk, sizeof(chunk));
			if (n > 0)
				buf_append(i == 0 ? &r->out : &r->err, chunk,
				    (size_t)n);
			else if (n == 0 || errno != EINTR) {
				close(pfd[i].fd);
				if (i == 0)
					out[0] = -1;
				else
					err[0] = -1;
				open_fds--;
			}
		}
	}
	if (open_fds > 0) {
		kill(pid, SIGKILL);
		if (out[0] >= 0)
			close(out[0]);
		if (err[0] >= 0)
			close(err[0]);
	}
	waitpid(pid, &status, 0);
	if (open_fds == 0)
		r->status = WIFEXITED(status) ? WEXITSTATUS(status) :
		    128 + WTERMSIG(status);
}

static void
result_free(struct result *r)
{
	buf_free(&r->out);
	buf_free(&r->err);
}

static void
expected_free(struct expected *e)
{
	for (size_t i = 0; i < e->nerr; i++)
		free(e->err[i]);
	free(e->err);
	free(e->todo);
	buf_free(&e->out);
	memset(e, 0, sizeof(*e));
}

/*
 * NAME.expected: "todo WHY" (a known bug: the test is expected to fail),
 * "exit N" (else 0), then "stderr LINE" (exact) or "stderr~ LINE" (a
 * prefix), one for each line the binary writes to stderr; the rest is what
 * it writes to stdout.
 */
static int
expected_load(const char *path, struct expected *e)
{
	struct buf raw = { 0 }, text = { 0 };
	const char *line;

	memset(e, 0, sizeof(*e));
	if (tu_read_file(path, &raw) == -1) {
		buf_free(&raw);
		return -1;
	}
	e->by_hand = expand(raw.data, &text);
	buf_free(&raw);
	for (line = text.data; *line != '\0';) {
		size_t len = strcspn(line, "\n");
		const char *next = line + len + (line[len] == '\n');

		if (strncmp(line, "todo ", 5) == 0) {
			free(e->todo);
			e->todo = xstrndup(line + 5, len - 5);
		} else if (strncmp(line, "exit ", 5) == 0)
			e->status = atoi(line + 5);
		else if (strncmp(line, "stderr ", 7) == 0 ||
		    strncmp(line, "stderr~ ", 8) == 0) {
			int prefix = line[6] == '~';
			const char *v = line + 7 + prefix;

			e->err = xrealloc(e->err, (e->nerr + 1) *
			    sizeof(char *));
			e->err[e->nerr] = xmalloc(len + 2);
			snprintf(e->err[e->nerr++], len + 2, "%s%.*s",
			    prefix ? "~" : "", (int)(len - (size_t)(v - line)),
			    v);
		} else
			break;
		line = next;
	}
	buf_puts(&e->out, line);
	buf_free(&text);
	return 0;
}

/* The placeholders of an expected file, for this checkout. */
struct places {
	char	dir[PATH_MAX * 2];	/* the document's folder, no "/" */
	char	dir_url[PATH_MAX * 6];	/* the same, percent-encoded */
	char	origin[64];		/* http://127.0.0.1:PORT, or "" */
};

static void
places_init(struct places *pl, const char *docdir, int port)
{
	static const char keep[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/";
	char *w = pl->dir_url;

	snprintf(pl->dir, sizeof(pl->dir), "%s", docdir + 1);
	for (const char *p = pl->dir; *p != '\0'; p++)
		if (strchr(keep, *p) != NULL)
			*w++ = *p;
		else
			w += sprintf(w, "%%%02X", (unsigned char)*p);
	*w = '\0';
	pl->origin[0] = '\0';
	if (port > 0)
		snprintf(pl->origin, sizeof(pl->origin),
		    "http://127.0.0.1:%d", port);
}

/* Where two minified JSON texts part, "@ANY@" in want matching a string. */
static int
json_differ(const char *want, const char *got, size_t *wi, size_t *gi)
{
	size_t i = 0, j = 0;

	for (;;) {
		if (strncmp(want + i, "\"@ANY@\"", 7) == 0 && got[j] == '"') {
			for (j++; got[j] != '\0' && got[j] != '"'; j++)
				if (got[j] == '\\' && got[j + 1] != '\0')
					j++;
			if (got[j] == '"')
				j++;
			i += 7;
			continue;
		}
		if (want[i] != got[j])
			break;
		if (want[i] == '\0') {
			*wi = i;
			*gi = j;
			return 0;
		}
		i++;
		j++;
	}
	*wi = i;
	*gi = j;
	return 1;
}

static void
show_around(const char *label, const char *s, size_t at)
{
	size_t len = strlen(s);
	size_t from = at > CONTEXT ? at - CONTEXT : 0;
	size_t to = at + CONTEXT < len ? at + CONTEXT : len;

	/* Do not start or end in the middle of a character. */
	while (from > 0 && ((unsigned char)s[from] & 0xC0) == 0x80)
		from--;
	while (to < len && ((unsigned char)s[to] & 0xC0) == 0x80)
		to++;
	diag("  %s %s%.*s%s", label, from > 0 ? "..." : "",
	    (int)(to - from), s + from, to < len ? "..." : "");
	diag("  %*s %*s^", (int)strlen(label), "", (int)(at - from +
	    (from > 0 ? 3 : 0)), "");
}

/* The stderr lines of a run, as a list. */
static char **
split_lines(const char *s, size_t *n)
{
	char **v = NULL;

	*n = 0;
	while (*s != '\0') {
		size_t len = strcspn(s, "\n");

		v = xrealloc(v, (*n + 1) * sizeof(char *));
		v[(*n)++] = xstrndup(s, len);
		s += len + (s[len] == '\n');
	}
	return v;
}

static void
free_lines(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Compares a run with its expected file; 1 when they agree. */
static int
compare(struct expected *e, struct result *r, const struct places *pl)
{
	struct buf want = { 0 }, got = { 0 };
	char **lines;
	size_t nlines, wi, gi;
	int pass = 1;

	if (e->status != r->status) {
		diag("  exit status: want %d, got %d", e->status, r->status);
		pass = 0;
	}
	lines = split_lines(r->err.data, &nlines);
	for (size_t i = 0; i < e->nerr || i < nlines; i++) {
		struct buf w = { 0 };
		int prefix = i < e->nerr && e->err[i][0] == '~';
		int same;

		if (i < e->nerr) {
			buf_puts(&w, e->err[i] + prefix);
			replace_all(&w, "@DIR@", pl->dir);
			replace_all(&w, "@ORIGIN@", pl->origin);
		}
		same = i < e->nerr && i < nlines && (prefix ?
		    strncmp(lines[i], w.data, w.len) == 0 :
		    strcmp(lines[i], w.data) == 0);
		if (!same) {
			diag("  stderr line %zu: want %s%s", i + 1,
			    prefix ? "a line starting " : "",
			    i < e->nerr ? w.data : "(none)");
			diag("  stderr line %zu:  got %s", i + 1,
			    i < nlines ? lines[i] : "(none)");
			pass = 0;
		}
		buf_free(&w);
	}
	free_lines(lines, nlines);
	if (!valid_utf8((const unsigned char *)r->out.data, r->out.len)) {
		diag("  stdout is not valid UTF-8");
		pass = 0;
	}
	if (r->out.len > 0 && !json_valid(r->out.data)) {
		diag("  stdout is not valid JSON");
		pass = 0;
	}
	replace_all(&e->out, "@DIR@", pl->dir_url);
	replace_all(&e->out, "@ORIGIN@", pl->origin);
	minify(e->out.data, &want);
	minify(r->out.data, &got);
	if (json_differ(want.data, got.data, &wi, &gi)) {
		diag("  stdout differs at byte %zu (want) / %zu (got) of the "
		    "minified JSON:", wi, gi);
		show_around("want", want.data, wi);
		show_around("got ", got.data, gi);
		pass = 0;
	}
	buf_free(&want);
	buf_free(&got);
	return pass;
}

/* Writes what the run gave as NAME.expected, placeholders put back. */
static int
rewrite(const char *path, struct expected *old, struct result *r,
    const struct places *pl)
{
	struct buf b = { 0 }, min = { 0 }, out = { 0 }, err = { 0 };
	char **lines, place[sizeof(pl->dir_url) + 8];
	size_t nlines;
	int rc;

	if (r->status != 0)
		buf_printf(&b, "exit %d\n", r->status);
	buf_puts(&err, r->err.data);
	snprintf(place, sizeof(place), "/%s/", pl->dir);
	replace_all(&err, place, "/@DIR@/");
	if (pl->origin[0] != '\0')
		replace_all(&err, pl->origin, "@ORIGIN@");
	lines = split_lines(err.data ? err.data : "", &nlines);
	for (size_t i = 0; i < nlines; i++) {
		/* A prefix that still holds is kept as a prefix. */
		int keep = i < old->nerr && old->err[i][0] == '~' &&
		    strncmp(lines[i], old->err[i] + 1,
		    strlen(old->err[i] + 1)) == 0;

		buf_printf(&b, "stderr%s %s\n", keep ? "~" : "",
		    keep ? old->err[i] + 1 : lines[i]);
	}
	free_lines(lines, nlines);
	buf_puts(&out, r->out.data);
	snprintf(place, sizeof(place), "/%s/", pl->dir_url);
	replace_all(&out, place, "/@DIR@/");
	if (pl->origin[0] != '\0')
		replace_all(&out, pl->origin, "@ORIGIN@");
	minify(out.data, &min);
	if (min.len > 0 && json_valid(min.data))
		pretty(min.data, &b);
	else
		buf_puts(&b, out.data);
	rc = write_file(path, b.data, b.len);
	buf_free(&b);
	buf_free(&min);
	buf_free(&out);
	buf_free(&err);
	return rc;
}

/* A .gen document written out to gen_dir; its path into path. */
static int
generate(const char *src, const char *docname, char *path, size_t len)
{
	struct buf raw = { 0 }, doc = { 0 };
	int rc;

	if (gen_dir[0] == '\0') {
		snprintf(gen_dir, sizeof(gen_dir), "/tmp/sluice-golden-XXXXXX");
		if (mkdtemp(gen_dir) == NULL) {
			gen_dir[0] = '\0';
			return -1;
		}
	}
	if (tu_read_file(src, &raw) == -1) {
		buf_free(&raw);
		return -1;
	}
	expand(raw.data, &doc);
	snprintf(path, len, "%s/%s", gen_dir, docname);
	rc = write_file(path, doc.data, doc.len);
	buf_free(&raw);
	buf_free(&doc);
	return rc;
}

/* Reads a one-line file into out; 0 or -1. */
static int
read_line(const char *path, char *out, size_t len)
{
	struct buf b = { 0 };

	if (tu_read_file(path, &b) == -1) {
		buf_free(&b);
		return -1;
	}
	snprintf(out, len, "%.*s", (int)strcspn(b.data, "\r\n"), b.data);
	buf_free(&b);
	return 0;
}

static void
check_one(const char *file)
{
	char name[NAME_MAX + 1], src[PATH_MAX * 2], doc[PATH_MAX * 2];
	char exp[PATH_MAX * 2], cs[PATH_MAX * 2], charset[64];
	char url[PATH_MAX * 2 + 64], docdir[PATH_MAX * 2];
	const char *argv[] = { sluice_bin, "parse", "--json", doc, NULL };
	struct server srv = { 0 };
	struct expected e;
	struct result r;
	struct places pl;
	size_t namelen = strcspn(file, ".");
	int64_t t0;
	char *slash;

	snprintf(name, sizeof(name), "%.*s", (int)namelen, file);
	snprintf(src, sizeof(src), "%s/%s", golden_dir, file);
	snprintf(exp, sizeof(exp), "%s/%s.expected", golden_dir, name);
	snprintf(cs, sizeof(cs), "%s/%s.charset", golden_dir, name);
	snprintf(doc, sizeof(doc), "%s", src);
	if (strlen(file) > 4 && strcmp(file + strlen(file) - 4, ".gen") ==
	    0) {
		char docname[NAME_MAX + 1];

		snprintf(docname, sizeof(docname), "%.*s",
		    (int)(strlen(file) - 4), file);
		if (generate(src, docname, doc, sizeof(doc)) == -1) {
			ok(0, "%s: cannot generate the document", file);
			return;
		}
	}
	snprintf(docdir, sizeof(docdir), "%s", doc);
	if ((slash = strrchr(docdir, '/')) != NULL)
		*slash = '\0';
	if (read_line(cs, charset, sizeof(charset)) == 0) {
		if (server_start(&srv, doc, charset) == -1) {
			ok(0, "%s: cannot serve it over HTTP", file);
			return;
		}
		snprintf(url, sizeof(url), "http://127.0.0.1:%d/%s", srv.port,
		    strrchr(doc, '/') + 1);
		argv[3] = url;
	}
	places_init(&pl, docdir, srv.port);
	if (expected_load(exp, &e) == -1 && !update) {
		server_stop(&srv);
		ok(0, "%s: no %s.expected", file, name);
		return;
	}
	t0 = tu_now_ms();
	run(argv, &r);
	server_stop(&srv);
	if (update) {
		if (e.by_hand)
			diag("not updated %s: its expected file is written by "
			    "hand (comments or @repeat)", name);
		else if (rewrite(exp, &e, &r, &pl) == 0)
			diag("updated %s", name);
		else
			diag("cannot write %s", exp);
		ok(1, "%s (updated)", file);
	} else if (e.todo != NULL)
		ok_todo(compare(&e, &r, &pl), e.todo, file);
	else if (!ok(compare(&e, &r, &pl), "%s", file))
		diag("  (%s.expected; %lld ms)", name,
		    (long long)(tu_now_ms() - t0));
	if (strncmp(doc, gen_dir, strlen(gen_dir)) == 0 && gen_dir[0] != '\0')
		unlink(doc);
	expected_free(&e);
	result_free(&r);
}

/* The documents: every file but .expected, .charset and README. */
static int
is_document(const char *f)
{
	const char *dot = strrchr(f, '.');

	if (f[0] == '.' || strncmp(f, "README", 6) == 0)
		return 0;
	return dot == NULL || (strcmp(dot, ".expected") != 0 &&
	    strcmp(dot, ".charset") != 0);
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(void)
{
	const char *srcdir = getenv("SRCDIR");
	const char *only = getenv("GOLDEN_ONLY");
	char path[PATH_MAX];
	char **files = NULL;
	size_t nfiles = 0;
	struct dirent *de;
	DIR *d;

	signal(SIGPIPE, SIG_IGN);
	sluice_bin = getenv("SLUICE");
	update = getenv("GOLDEN_UPDATE") != NULL &&
	    strcmp(getenv("GOLDEN_UPDATE"), "1") == 0;
	if (sluice_bin == NULL || access(sluice_bin, X_OK) == -1) {
		printf("1..0 # SKIP no $SLUICE binary to run\n");
		return 0;
	}
	snprintf(path, sizeof(path), "%s/tests/golden",
	    srcdir != NULL && *srcdir != '\0' ? srcdir : ".");
	if (realpath(path, golden_dir) == NULL ||
	    (d = opendir(golden_dir)) == NULL) {
		printf("1..0 # SKIP no %s\n", path);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		if (!is_document(de->d_name) || (only != NULL &&
		    strncmp(de->d_name, only, strlen(only)) != 0))
			continue;
		files = xrealloc(files, (nfiles + 1) * sizeof(char *));
		files[nfiles++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(files, nfiles, sizeof(char *), cmp_names);
	for (size_t i = 0; i < nfiles; i++) {
		check_one(files[i]);
		free(files[i]);
	}
	free(files);
	if (gen_dir[0] != '\0')
		rmdir(gen_dir);
	return done_testing();
}
