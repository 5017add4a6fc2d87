/* fuzz_parse.c - bytes as a feed document: feed_parse must not crash. */
#include <stddef.h>
#include <stdint.h>

#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	char err[256];
	struct feed_doc *d;

	if (!ready) {
		parse_init();
		ready = 1;
	}
	d = feed_parse((const char *)data, size, "https://fuzz.example/feed",
	    NULL, err, sizeof(err));
	feed_doc_free(d);
	return 0;
}
