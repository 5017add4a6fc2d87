/* utf8.c - strict UTF-8 decoding. */
#include <string.h>

#include "utf8.h"

int
utf8_next(const unsigned char *p, size_t n, long *cp)
{
	unsigned char lo = 0x80, hi = 0xBF;
	int len;
	long c;

	if (n == 0)
		return 0;
	if (*p < 0x80) {
		c = *p;
		len = 1;
		goto done;
	}
	if (*p >= 0xC2 && *p <= 0xDF) {
		len = 2;
		c = *p & 0x1F;
	} else if (*p >= 0xE0 && *p <= 0xEF) {
		len = 3;
		c = *p & 0x0F;
		if (*p == 0xE0)
			lo = 0xA0;	/* else overlong */
		else if (*p == 0xED)
			hi = 0x9F;	/* else a surrogate */
	} else if (*p >= 0xF0 && *p <= 0xF4) {
		len = 4;
		c = *p & 0x07;
		if (*p == 0xF0)
			lo = 0x90;	/* else overlong */
		else if (*p == 0xF4)
			hi = 0x8F;	/* else past U+10FFFF */
	} else
		return 0;
	if (n < (size_t)len || p[1] < lo || p[1] > hi)
		return 0;
	c = c << 6 | (p[1] & 0x3F);
	for (int i = 2; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3F);
	}
done:
	if (cp != NULL)
		*cp = c;
	return len;
}

int
utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	int len;

	for (size_t i = 0; i < n; i += (size_t)len)
		if ((len = utf8_next(p + i, n - i, NULL)) == 0)
			return 0;
	return 1;
}
