/*
 * fuzz_conf.c - bytes as a configuration: conf_parse must not crash.
 * [include] is skipped: it would read the file system.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct buf errs = { 0 };

	memcpy(text, data, size);
	text[size] = '\0';
	if (strstr(text, "include") == NULL)
		conf_free(conf_parse(text, "fuzz.conf", &errs));
	buf_free(&errs);
	free(text);
	return 0;
}
