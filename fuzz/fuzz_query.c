/*
 * fuzz_query.c - bytes as q=: what query_parse accepts, FTS5 must accept
 * too (an expression it refuses would be a 500); a violation aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "query.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static sqlite3 *db;
static sqlite3_stmt *st;

static void
run(const char *expr)
{
	sqlite3_bind_text(st, 1, expr, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		abort();
	sqlite3_reset(st);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *q = malloc(size + 1), err[256];
	struct query qq;

	if (db == NULL) {
		sqlite3_open(":memory:", &db);
		sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING fts5(title, text,"
		    " author, tags, tokenize='unicode61 remove_diacritics 2');"
		    "INSERT INTO t VALUES ('a title', 'some text', 'ann', "
		    "'cs.LG')", NULL, NULL, NULL);
		sqlite3_prepare_v2(db, "SELECT count(*) FROM t WHERE t MATCH ?1",
		    -1, &st, NULL);
	}
	memcpy(q, data, size);
	q[size] = '\0';
	if (query_parse(q, &qq, err, sizeof(err)) == 0) {
		if (qq.match != NULL)
			run(qq.match);
		if (qq.exclude != NULL)
			run(qq.exclude);
		query_clear(&qq);
	}
	free(q);
	return 0;
}
