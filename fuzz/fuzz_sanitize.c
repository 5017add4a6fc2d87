/*
 * fuzz_sanitize.c - bytes as HTML through html_sanitize, with the P3
 * oracle of HOSTILE.md: the output, parsed again, has only allowlisted
 * elements and attributes, no on*, only http(s)/mailto links and
 * http(s)/data-image sources; sanitising it again changes nothing.  A
 * violation aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"
#include "utf8.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1), *out, *again;

	memcpy(in, data, size);
	in[size] = '\0';
	if (!utf8_valid(in)) {		/* the store holds only valid UTF-8 */
		free(in);
		return 0;
	}
	out = html_sanitize(in, "https://fuzz.example/dir/page.html");
	if (tu_html_unsafe(out) != NULL)
		abort();		/* the P3 oracle of tests/util.c */
	again = html_sanitize(out, "https://fuzz.example/dir/page.html");
	if (strcmp(again, out) != 0)
		abort();		/* not idempotent */
	free(again);
	free(out);
	free(in);
	return 0;
}
