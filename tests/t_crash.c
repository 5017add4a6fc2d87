/*
 * t_crash.c - the store under kill -9, a full disk and a second writer
 * (SPEC section 5: a commit is never lost, the file never corrupt).
 *
 * Kill: a child commits generated polls in a loop through the store API
 * and reports each commit it completed on a pipe; the parent kills it with
 * SIGKILL at a random moment, KILLS times (SLUICE_CRASH_KILLS, 1000 by
 * default; more for a longer run), starting a new child each time.  Then
 * the database must pass PRAGMA integrity_check and FTS5's integrity-check,
 * and every reported commit must be there, whole.
 *
 * Kill while made: children making a new store are killed at random
 * moments; the store's name is then either absent or a whole store, never
 * an empty or half-made file.
 *
 * Disk full: a child under RLIMIT_FSIZE commits until the disk "fills";
 * the failed commits fail cleanly, the reported ones stay.
 *
 * Busy: another process holds the write lock past the busy timeout; a
 * commit fails with a reason and writes nothing, reads and searches go on,
 * and once the lock is gone commits work again.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "buf.h"
#include "parse.h"
#include "query.h"
#include "store.h"
#include "tap.h"

#define ENTRIES	5	/* per commit */
#define FEEDS	4

static char tmpdir[] = "/tmp/t_crash.XXXXXX";

static const char *
path_of(const char *name)
{
	static char p[sizeof(tmpdir) + 64];

	snprintf(p, sizeof(p), "%s/%s", tmpdir, name);
	return p;
}

/* Poll number i: ENTRIES entries with guids "c<i>-<j>". */
static struct feed_doc *
make_doc(long i)
{
	struct feed_doc *d = xcalloc(1, sizeof(*d));
	struct buf b = { 0 };

	d->format = "rss2.0";
	d->title = xstrdup("Crash feed");
	d->updated = DATE_NONE;
	d->entries = xcalloc(ENTRIES, sizeof(*d->entries));
	d->nentries = ENTRIES;
	for (int j = 0; j < ENTRIES; j++) {
		struct entry *e = &d->entries[j];

		buf_reset(&b);
		buf_printf(&b, "c%ld-%d", i, j);
		e->id = xstrdup(b.data);
		buf_reset(&b);
		buf_printf(&b, "https://crash.example/%ld/%d", i, j);
		e->link = xstrdup(b.data);
		buf_reset(&b);
		buf_printf(&b, "Crash test story %ld, part %d of the run", i, j);
		e->title = xstrdup(b.data);
		buf_reset(&b);
		for (int k = 0; k < 40; k++)
			buf_printf(&b, "word%ld ", (i * 7 + j * 13 + k) % 997);
		e->summary = xstrdup(b.data);
		e->published = 1700000000 + i * 60 + j;
		e->updated = DATE_NONE;
	}
	buf_free(&b);
	return d;
}

/*
 * The child: commits polls from start on, each in its own transaction,
 * and writes each i it committed to fd.  Indexes now and then, too.
 * Stops after max commits or at the first failure (status 3).
 */
static void
writer(const char *db, long start, long max, int fd)
{
	char err[256];
	struct store *s = store_open(db, err, sizeof(err));
	int64_t feeds[FEEDS];

	if (s == NULL)
		_exit(2);
	for (int f = 0; f < FEEDS; f++) {
		char name[16];

		snprintf(name, sizeof(name), "f%d", f);
		if (store_feed_ensure(s, name, "https://crash.example/",
		    NULL, &feeds[f]) == -1)
			_exit(2);
	}
	for (long i = start; i < start + max; i++) {
		struct feed_doc *d = make_doc(i);
		struct validators v = { NULL, NULL };
		struct poll_counts c;
		int rc;

		rc = store_feed_commit(s, feeds[i % FEEDS], d, &v,
		    1700000000 + i, &c, err, sizeof(err));
		feed_doc_free(d);
		if (rc == -1)
			_exit(3);
		if (write(fd, &i, sizeof(i)) != (ssize_t)sizeof(i))
			_exit(4);
		if (i % 7 == 0 && store_index(s, 20, err, sizeof(err)) == -1)
			_exit(3);
	}
	store_close(s);
	_exit(0);
}

/* Reads the commits reported on fd into *seen (a growing array). */
static void
collect(int fd, long **seen, size_t *n, long *last)
{
	long i;

	while (read(fd, &i, sizeof(i)) == (ssize_t)sizeof(i)) {
		*seen = xrealloc(*seen, (*n + 1) * sizeof(**seen));
		(*seen)[(*n)++] = i;
		if (i > *last)
			*last = i;
	}
}

/* How many of the reported commits are missing or partial. */
static size_t
missing(const char *db, const long *seen, size_t n)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	size_t bad = 0;
	char guid[64];

	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return n;
	/* By the (feed, key) index: key is "g:" and the guid. */
	sqlite3_prepare_v2(h, "SELECT count(*) FROM entries WHERE feed = "
	    "(SELECT id FROM feeds WHERE name = 'f' || ?2) AND key BETWEEN "
	    "?1 AND ?1 || '~'", -1, &st, NULL);
	for (size_t k = 0; k < n; k++) {
		snprintf(guid, sizeof(guid), "g:c%ld-", seen[k]);
		sqlite3_bind_text(st, 1, guid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, seen[k] % FEEDS);
		if (sqlite3_step(st) != SQLITE_ROW ||
		    sqlite3_column_int(st, 0) != ENTRIES) {
			if (bad < 5)
				diag("commit %ld: %d entries", seen[k],
				    sqlite3_column_int(st, 0));
			bad++;
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	sqlite3_close(h);
	return bad;
}

static int
check_store(const char *db, const char *what)
{
	char err[256] = "";
	struct store *s = store_open(db, err, sizeof(err));
	int rc;

	if (!ok(s != NULL, "%s: the store opens (%s)", what, err))
		return -1;
	rc = store_check(s, err, sizeof(err));
	ok(rc == 0, "%s: integrity_check and the FTS5 integrity-check pass "
	    "(%s)", what, err);
	store_close(s);
	return rc;
}

static void
test_kill(void)
{
	const char *db = xstrdup(path_of("kill.db"));
	const char *env = getenv("SLUICE_CRASH_KILLS");
	long kills = env ? atol(env) : 1000, last = -1;
	long *seen = NULL;
	size_t n = 0, early = 0;

	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	{
		/* Made first: killed while it is made is test_kill_new's. */
		char err[256] = "";
		struct store *s = store_open(db, err, sizeof(err));

		if (s == NULL)
			diag("store_open: %s", err);
		store_close(s);
	}
	for (long k = 0; k < kills; k++) {
		int p[2];
		pid_t pid;
		int status;
		struct timespec ts = { 0, (1 + rand() % 30) * 1000000L };

		if (pipe(p) == -1)
			break;
		if ((pid = fork()) == 0) {
			close(p[0]);
			writer(db, last + 1, 1000000, p[1]);
		}
		close(p[1]);
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		if (!WIFSIGNALED(status))
			early++;	/* it ended before the kill */
		collect(p[0], &seen, &n, &last);
		close(p[0]);
	}
	diag("%ld kills, %zu commits reported", kills, n);
	is_int(0, (long long)early, "every child was killed, none failed "
	    "on its own");
	ok(n > 0, "commits were made between the kills (%zu)", n);
	if (check_store(db, "after the kills") == 0)
		is_int(0, (long long)missing(db, seen, n), "every reported "
		    "commit is there, with all its entries");
	free(seen);
	free((char *)db);
}

/*
 * Children make a new store and are killed 1 to 100 ms after they start,
 * 40 times: after each kill the store's name is absent or a whole store,
 * never an empty or half-made file (which store_open would refuse).
 */
/* Removes db and what SQLite and store_open keep beside it. */
static void
remove_db(const char *db)
{
	static const char *const ext[] = { "", "-wal", "-shm", "-journal",
	    ".new", NULL };
	char p[4096];

	for (size_t i = 0; ext[i] != NULL; i++) {
		snprintf(p, sizeof(p), "%s%s", db, ext[i]);
		unlink(p);
	}
}

static void
test_kill_new(void)
{
	const char *db = xstrdup(path_of("new.db"));
	int bad = 0, made = 0, absent = 0;

	for (int k = 0; k < 40; k++) {
		struct timespec ts = { 0, (1 + rand() % 100) * 1000000L };
		char err[256] = "";
		struct stat sb;
		struct store *s;
		pid_t pid;

		if ((pid = fork()) == 0) {
			s = store_open(db, err, sizeof(err));
			store_close(s);
			_exit(s != NULL ? 0 : 1);
		}
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		if (stat(db, &sb) == -1) {
			absent++;
			continue;
		}
		made++;
		if ((s = store_open(db, err, sizeof(err))) == NULL) {
			diag("after kill %d: %s", k, err);
			bad++;
		}
		store_close(s);
		remove_db(db);
	}
	diag("killed while made: %d times absent, %d times whole", absent,
	    made);
	is_int(0, bad, "a store killed while it is made is absent or whole, "
	    "40 times");
	free((char *)db);
}

/*
 * Row 60: a reader holding a snapshot keeps checkpoints from starting the
 * write-ahead log over, and it grows past 64 MiB; once the reader is gone
 * and the log starts over, it is cut back to the store's limit (64 MiB)
 * instead of keeping its largest size for good.
 */
static void
test_wal_bound(void)
{
	const char *db = xstrdup(path_of("wal.db"));
	char err[256] = "", wal[600];
	struct store *s = store_open(db, err, sizeof(err));
	sqlite3 *rd = NULL;
	struct stat sb;
	int64_t feed = 0;
	off_t peak = 0;
	struct buf big = { 0 };

	if (!ok(s != NULL, "row 60: a store (%s)", err))
		return;
	snprintf(wal, sizeof(wal), "%s-wal", db);
	store_feed_ensure(s, "w", "https://wal.example/", NULL, &feed);
	for (int k = 0; k < 20000; k++)
		buf_printf(&big, "w%d ", k);	/* about 120 KB of words */
	if (sqlite3_open(db, &rd) != SQLITE_OK || sqlite3_exec(rd, "BEGIN; "
	    "SELECT count(*) FROM entries;", NULL, NULL, NULL) != SQLITE_OK)
		diag("the reader: %s", sqlite3_errmsg(rd));
	for (long i = 0; i < 400 && peak <= (80 << 20); i++) {
		struct feed_doc *d = make_doc(i);
		struct poll_counts c;

		for (int j = 0; j < ENTRIES; j++) {
			free(d->entries[j].summary);
			d->entries[j].summary = xstrdup(big.data);
		}
		if (store_feed_commit(s, feed, d, NULL, 1700000000 + i, &c, err,
		    sizeof(err)) == -1)
			diag("commit %ld: %s", i, err);
		feed_doc_free(d);
		if (stat(wal, &sb) == 0 && sb.st_size > peak)
			peak = sb.st_size;
	}
	ok(peak > (64 << 20), "  with a reader holding its snapshot, the log "
	    "grows to %lld MiB", (long long)(peak >> 20));
	sqlite3_exec(rd, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(rd);
	for (long i = 400; i < 403; i++) {	/* checkpoint, then start over */
		struct feed_doc *d = make_doc(i);
		struct poll_counts c;

		store_feed_commit(s, feed, d, NULL, 1700000000 + i, &c, err,
		    sizeof(err));
		feed_doc_free(d);
	}
	if (stat(wal, &sb) == -1)
		sb.st_size = -1;
	ok(sb.st_size >= 0 && sb.st_size <= (64 << 20), "  the reader gone, "
	    "it is cut back to 64 MiB at most (%lld MiB)",
	    (long long)(sb.st_size >> 20));
	store_close(s);
	buf_free(&big);
	remove_db(db);
	free((char *)db);
}

static void
test_disk_full(void)
{
	const char *db = xstrdup(path_of("full.db"));
	long *seen = NULL, last = -1;
	size_t n = 0;
	int p[2], status;
	pid_t pid;

	/* A database with something in it, then a disk with little room. */
	if (pipe(p) == -1)
		return;
	if ((pid = fork()) == 0) {
		close(p[0]);
		writer(db, 0, 20, p[1]);
	}
	close(p[1]);
	waitpid(pid, &status, 0);
	collect(p[0], &seen, &n, &last);
	close(p[0]);
	is_int(20, (long long)n, "20 commits before the disk fills");

	if (pipe(p) == -1)
		return;
	if ((pid = fork()) == 0) {
		struct stat sb;
		struct rlimit rl;

		close(p[0]);
		signal(SIGXFSZ, SIG_IGN);	/* write() fails with EFBIG */
		stat(db, &sb);
		rl.rlim_cur = rl.rlim_max = (rlim_t)sb.st_size + 256 * 1024;
		setrlimit(RLIMIT_FSIZE, &rl);
		writer(db, 20, 100000, p[1]);
	}
	close(p[1]);
	waitpid(pid, &status, 0);
	collect(p[0], &seen, &n, &last);
	close(p[0]);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 3,
	    "the writer stops at a failed commit, not a crash (status %d)",
	    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	ok(n > 20 && n < 100020, "some commits fit, then the disk was full "
	    "(%zu)", n);
	if (check_store(db, "after the disk filled") == 0)
		is_int(0, (long long)missing(db, seen, n), "every reported "
		    "commit is there");
	free(seen);
	free((char *)db);
}

static void
test_busy(void)
{
	const char *db = xstrdup(path_of("busy.db"));
	char err[256] = "";
	struct store *s = store_open(db, err, sizeof(err));
	struct feed_doc *d;
	struct poll_counts c;
	struct query q;
	struct item *it = NULL;
	size_t n = 0;
	int64_t f = 0;
	int p[2], rc;
	pid_t pid;
	char go;
	time_t t0;

	if (!ok(s != NULL, "open busy.db (%s)", err))
		return;
	store_feed_ensure(s, "b", "https://busy.example/", NULL, &f);
	d = make_doc(1);
	ok(store_feed_commit(s, f, d, NULL, 1700000000, &c, err,
	    sizeof(err)) == 0, "a first commit");
	feed_doc_free(d);
	if (pipe(p) == -1)
		return;
	if ((pid = fork()) == 0) {
		sqlite3 *h;

		close(p[0]);
		if (sqlite3_open(db, &h) != SQLITE_OK ||
		    sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
		    SQLITE_OK)
			_exit(2);
		if (write(p[1], "x", 1) != 1)
			_exit(2);
		sleep(7);	/* past the store's 5 s busy timeout */
		sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close(h);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &go, 1) != 1)
		diag("the lock holder did not start");

	d = make_doc(2);
	t0 = time(NULL);
	rc = store_feed_commit(s, f, d, NULL, 1700000100, &c, err,
	    sizeof(err));
	ok(rc == -1 && strstr(err, "locked") != NULL, "a commit while "
	    "another process holds the write lock fails with a reason (%s)",
	    err);
	ok(time(NULL) - t0 >= 4, "after waiting for the lock");
	memset(&q, 0, sizeof(q));
	q.limit = 50;
	t0 = time(NULL);
	rc = store_items(s, &q, &it, &n, err, sizeof(err));
	ok(rc == 0 && n == ENTRIES, "reads go on meanwhile (%zu stories)",
	    n);
	store_items_free(it, n);
	if (query_parse("word1", &q, err, sizeof(err)) == 0) {
		q.limit = 50;
		rc = store_items(s, &q, &it, &n, err, sizeof(err));
		ok(rc >= 0, "and searches too (%d: %s)", rc, err);
		store_items_free(it, n);
		query_clear(&q);
	}
	ok(time(NULL) - t0 <= 1, "without waiting for the lock");
	waitpid(pid, NULL, 0);
	close(p[0]);
	ok(store_feed_commit(s, f, d, NULL, 1700000200, &c, err,
	    sizeof(err)) == 0 && c.new == ENTRIES, "once the lock is gone the "
	    "same poll commits (%s)", err);
	feed_doc_free(d);
	ok(store_check(s, err, sizeof(err)) == 0, "and the store is sound "
	    "(%s)", err);
	store_close(s);
	free((char *)db);
}

int
main(void)
{
	char cmd[128];

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	parse_init();
	test_kill();
	test_kill_new();
	test_wal_bound();
	test_disk_full();
	test_busy();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		diag("could not remove %s", tmpdir);
	return done_testing();
}
