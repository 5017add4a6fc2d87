/*
 * utf8.h - strict UTF-8 decoding (Unicode table 3-7): no overlong forms,
 * no surrogates, nothing above U+10FFFF.  libxml2's xmlCheckUTF8 lets all
 * three through, hence this.  Pure functions; they borrow their input.
 */
#ifndef UTF8_H
#define UTF8_H

#include <stddef.h>

/*
 * The length (1-4) of the one character at p, of at most n bytes, storing
 * its code point in *cp (may be NULL); 0 when p does not start with a valid
 * character.
 */
int	utf8_next(const unsigned char *p, size_t n, long *cp);
/* 1 when the NUL-terminated s is valid UTF-8 throughout. */
int	utf8_valid(const char *s);

#endif
