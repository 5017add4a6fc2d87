/*
 * util.c - what the test programs share.
 */
#include <stdio.h>
#include <time.h>

#include "util.h"

int
tu_read_file(const char *path, struct buf *b)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t n;
	int rc = 0;

	if (f != NULL) {
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			buf_append(b, chunk, n);
		if (ferror(f))
			rc = -1;
		fclose(f);
	} else
		rc = -1;
	buf_append(b, "", 0);
	return rc;
}

char *
tu_slurp(const char *dir, const char *rel, size_t *len)
{
	struct buf path = { 0 }, b = { 0 };

	buf_printf(&path, "%s/%s", dir, rel);
	if (tu_read_file(path.data, &b) == -1) {
		printf("# cannot read %s\n", path.data);
		buf_free(&path);
		buf_free(&b);
		return NULL;
	}
	buf_free(&path);
	*len = b.len;
	return buf_steal(&b);
}

int64_t
tu_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
