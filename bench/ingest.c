/*
 * ingest.c - the store's side of bench/ingest: N entries through the real
 * store API (store_feed_commit, then store_index: the full-text index kept
 * up to date batch by batch), then keyword searches newest first
 * (store_items), timed.
 *
 *   ingest [-n N] [-b BATCH] [-i EVERY] [-q RUNS] DB FEEDDIR TSV
 *
 * FEEDDIR holds gen-corpus feeds (feed-*.xml).  They are parsed once; batch
 * b is the entries of feed (b mod feeds), made new for each pass over the
 * feeds: guid and link get "?c=PASS", the title its batch and place (so
 * that only the generator's shared entries, the same link in several
 * feeds, are one story), dates move back 200 days a pass.  Batch b goes to
 * feed (b mod 10000) of the store.  TSV gets the same rows as sfeed(1)
 * TSV, for ../shared/bench/sqlbench.c.  Each batch is one transaction;
 * the index's backlog is indexed in the transaction of every EVERY-th batch
 * (1: every batch, as sqlbench does with FTS5), or with -i 0 after the
 * last batch, IDLE_STEP stories a transaction, as the server's idle
 * indexer does after a burst.  Prints key=value lines.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "buf.h"
#include "parse.h"
#include "query.h"
#include "store.h"

#define STORE_FEEDS	10000
#define IDLE_STEP	256	/* the server's INDEX_STEP: one transaction */

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b = { 0 };
	char chunk[65536];
	size_t n;

	if (f == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	*len = b.len;
	return buf_steal(&b);
}

/* TSV field: tabs and newlines would break the row. */
static void
tsv(FILE *f, const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		fputc(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s, f);
}

struct orig {
	char	*id, *link, *title;
	int64_t	 published;
};

/* Searches q runs times after one warm-up: median and p99 in ms. */
static void
search(struct store *s, const char *q, int runs)
{
	double *lat = calloc((size_t)runs, sizeof(double));
	struct query qq;
	char err[256];
	size_t n = 0;

	if (query_parse(q, &qq, err, sizeof(err)) == -1) {
		fprintf(stderr, "ingest: %s: %s\n", q, err);
		exit(1);
	}
	qq.limit = 50;
	for (int r = -1; r < runs; r++) {
		struct item *it = NULL;
		double t0 = now();

		if (store_items(s, &qq, &it, &n, err, sizeof(err)) != 0) {
			fprintf(stderr, "ingest: search: %s\n", err);
			exit(1);
		}
		if (r >= 0)
			lat[r] = (now() - t0) * 1e3;
		store_items_free(it, n);
	}
	qsort(lat, (size_t)runs, sizeof(double), cmp_double);
	printf("query=\"%s\" rows=%zu runs=%d median_ms=%.2f p99_ms=%.2f "
	    "max_ms=%.2f\n", q, n, runs, lat[runs / 2],
	    lat[(runs * 99 + 99) / 100 - 1], lat[runs - 1]);
	query_clear(&qq);
	free(lat);
}

int
main(int argc, char **argv)
{
	long n = 1000000, batch_size = 100, every = 1;
	int runs = 101, i;
	const char *db, *dir, *tsvpath;
	char **names = NULL, err[512];
	size_t nnames = 0, ndocs = 0;
	struct feed_doc **docs;
	struct orig **orig;
	struct store *s;
	int64_t *feeds;
	DIR *d;
	struct dirent *de;
	FILE *tf;
	long batches, stored = 0, dups = 0, stories = 0;
	double t0, t1, commit_s = 0, index_s = 0;
	struct stat st;

	for (i = 1; i < argc - 3; i++) {
		if (strcmp(argv[i], "-n") == 0)
			n = atol(argv[++i]);
		else if (strcmp(argv[i], "-b") == 0)
			batch_size = atol(argv[++i]);
		else if (strcmp(argv[i], "-q") == 0)
			runs = atoi(argv[++i]);
		else if (strcmp(argv[i], "-i") == 0)
			every = atol(argv[++i]);
		else
			break;
	}
	if (argc - i != 3 || n < 1 || batch_size < 1 || runs < 1 ||
	    every < 0) {
		fprintf(stderr, "usage: ingest [-n N] [-b BATCH] [-i EVERY] "
		    "[-q RUNS] DB FEEDDIR TSV\n");
		return 2;
	}
	db = argv[i];
	dir = argv[i + 1];
	tsvpath = argv[i + 2];
	parse_init();

	if ((d = opendir(dir)) == NULL) {
		perror(dir);
		return 1;
	}
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, "feed-", 5) == 0) {
			names = realloc(names, (nnames + 1) * sizeof(*names));
			names[nnames++] = strdup(de->d_name);
		}
	closedir(d);
	if (nnames == 0) {
		fprintf(stderr, "ingest: no feed-*.xml in %s\n", dir);
		return 1;
	}
	qsort(names, nnames, sizeof(*names), cmp_str);
	docs = calloc(nnames, sizeof(*docs));
	orig = calloc(nnames, sizeof(*orig));
	if ((tf = fopen(tsvpath, "w")) == NULL) {
		perror(tsvpath);
		return 1;
	}
	for (size_t k = 0; k < nnames; k++) {
		char path[4096];
		size_t len;
		char *data;

		snprintf(path, sizeof(path), "%s/%s", dir, names[k]);
		if ((data = slurp(path, &len)) == NULL ||
		    (docs[ndocs] = feed_parse(data, len, NULL, NULL, err,
		    sizeof(err))) == NULL) {
			fprintf(stderr, "ingest: %s: %s\n", path, err);
			return 1;
		}
		free(data);
		orig[ndocs] = calloc(docs[ndocs]->nentries + 1,
		    sizeof(**orig));
		for (size_t j = 0; j < docs[ndocs]->nentries; j++) {
			struct entry *e = &docs[ndocs]->entries[j];
			struct orig *o = &orig[ndocs][j];

			o->id = e->id ? strdup(e->id) : NULL;
			o->link = e->link ? strdup(e->link) : NULL;
			o->title = e->title ? strdup(e->title) : NULL;
			o->published = e->published;
			fprintf(tf, "%lld\t", (long long)e->published);
			tsv(tf, e->title);
			fputc('\t', tf);
			tsv(tf, e->link);
			fputc('\t', tf);
			tsv(tf, e->summary);
			fputs("\thtml\t", tf);
			tsv(tf, e->id);
			fputc('\t', tf);
			tsv(tf, e->author);
			fputc('\n', tf);
		}
		ndocs++;
	}
	fclose(tf);

	if ((s = store_open(db, err, sizeof(err))) == NULL) {
		fprintf(stderr, "ingest: %s\n", err);
		return 1;
	}
	store_retention(s, 0, 0);
	feeds = calloc(STORE_FEEDS, sizeof(*feeds));
	for (int f = 0; f < STORE_FEEDS; f++) {
		char name[32];

		snprintf(name, sizeof(name), "f%05d", f);
		store_feed_ensure(s, name, "https://bench.example/", NULL,
		    &feeds[f]);
	}

	batches = (n + batch_size - 1) / batch_size;
	t0 = now();
	for (long b = 0, left = n; b < batches; b++) {
		size_t k = (size_t)b % ndocs;
		long pass = b / (long)ndocs;
		struct feed_doc *doc = docs[k];
		size_t keep = doc->nentries;
		struct poll_counts c;
		double a, z;

		/* The last batch may be short. */
		if ((long)doc->nentries > left)
			doc->nentries = (size_t)left;
		for (size_t j = 0; j < doc->nentries; j++) {
			struct entry *e = &doc->entries[j];
			struct orig *o = &orig[k][j];
			struct buf x = { 0 };

			free(e->id);
			buf_printf(&x, "%s?c=%ld", o->id ? o->id : "", pass);
			e->id = buf_steal(&x);
			free(e->link);
			buf_printf(&x, "%s?c=%ld", o->link ? o->link : "", pass);
			e->link = buf_steal(&x);
			free(e->title);
			buf_printf(&x, "%s [%ld.%zu]", o->title ? o->title : "",
			    b, j);
			e->title = buf_steal(&x);
			e->published = o->published - pass * 200 * 86400;
		}
		a = now();
		/* One transaction a batch: its entries, then their index. */
		store_tx_begin(s);
		if (store_feed_commit(s, feeds[b % STORE_FEEDS], doc, NULL,
		    1800000000, &c, err, sizeof(err)) == -1) {
			fprintf(stderr, "ingest: batch %ld: %s\n", b, err);
			return 1;
		}
		z = now();
		if ((every > 0 && ((b + 1) % every == 0 || b == batches - 1) ?
		    store_index(s, 0, err, sizeof(err)) : 0) == -1 ||
		    store_tx_commit(s) == -1) {
			fprintf(stderr, "ingest: index: %s\n", err);
			return 1;
		}
		commit_s += z - a;
		index_s += now() - z;
		stored += c.new + c.duplicate;
		stories += c.new;
		dups += c.duplicate;
		left -= (long)doc->nentries;
		doc->nentries = keep;
	}
	/* -i 0: the backlog after the last batch, as the idle server does. */
	for (int k; every == 0; ) {
		double z = now();

		k = store_index(s, IDLE_STEP, err, sizeof(err));
		index_s += now() - z;
		if (k == -1) {
			fprintf(stderr, "ingest: index: %s\n", err);
			return 1;
		}
		if (k == 0)
			break;
	}
	t1 = now();
	store_close(s);		/* checkpoints the WAL into the file */
	stat(db, &st);
	printf("ingest n=%ld batches=%ld index_every=%ld stored=%ld stories=%ld "
	    "duplicates=%ld seconds=%.2f entries/s=%.0f commit_s=%.2f "
	    "index_s=%.2f db_mb=%.1f\n", n, batches, every, stored, stories,
	    dups, t1 - t0,
	    (double)n / (t1 - t0), commit_s, index_s, (double)st.st_size / 1e6);
	fflush(stdout);

	if ((s = store_open(db, err, sizeof(err))) == NULL) {
		fprintf(stderr, "ingest: %s\n", err);
		return 1;
	}
	search(s, "continual learning", runs);
	search(s, "\"continual learning\"", runs);
	search(s, "seismic", runs);
	search(s, "diffusion -survey", runs);
	search(s, "distill*", runs);
	store_close(s);
	for (size_t k = 0; k < ndocs; k++) {
		for (size_t j = 0; j < docs[k]->nentries; j++) {
			free(orig[k][j].id);
			free(orig[k][j].link);
			free(orig[k][j].title);
		}
		free(orig[k]);
		feed_doc_free(docs[k]);
	}
	for (size_t k = 0; k < nnames; k++)
		free(names[k]);
	free(names);
	free(docs);
	free(orig);
	free(feeds);
	return 0;
}
