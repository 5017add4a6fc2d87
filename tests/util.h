/*
 * util.h - what the test programs share.  Functions borrow their
 * arguments; what they append to a struct buf stays the caller's.
 */
#ifndef TESTS_UTIL_H
#define TESTS_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/*
 * Appends the whole file at path to b, which is NUL-terminated after it
 * even when the file cannot be read.  0, or -1 (with errno) when it cannot
 * be opened or read.
 */
int	tu_read_file(const char *path, struct buf *b);

/*
 * The file at dir/rel as a new NUL-terminated string and its length in
 * *len; NULL (and a diag) when it cannot be read.
 */
char	*tu_slurp(const char *dir, const char *rel, size_t *len);

/* A monotonic clock, in milliseconds. */
int64_t	tu_now_ms(void);

/*
 * The P3 oracle of HOSTILE.md on one piece of HTML, read by libxml2's HTML
 * parser: NULL when it holds (only the sanitizer's allowlisted elements and
 * attributes, no on*, links http(s) or mailto:, sources http(s) or
 * data:image/), else the reason (static).
 */
const char *tu_html_unsafe(const char *html);

#endif
