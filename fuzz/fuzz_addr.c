/*
 * fuzz_addr.c - bytes as an allow list and a socket address: the policy
 * must not crash, and an address in 127/8, 10/8, 192.168/16, 169.254/16
 * or ::1 is never let through with an empty allow list.
 */
#include <netinet/in.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct addr_allow *list = NULL;
	size_t n = 0;
	char err[256], why[256], *text;

	if (size < 17)
		return 0;
	/* 1 byte of family, 16 of address, the rest an allow list. */
	text = malloc(size - 17 + 1);
	memcpy(text, data + 17, size - 17);
	text[size - 17] = '\0';
	if (addr_allow_parse(text, &list, &n, err, sizeof(err)) == -1)
		n = 0;
	if (data[0] & 1) {
		struct sockaddr_in6 s6;

		memset(&s6, 0, sizeof(s6));
		s6.sin6_family = AF_INET6;
		memcpy(&s6.sin6_addr, data + 1, 16);
		s6.sin6_port = htons(80);
		addr_blocked((struct sockaddr *)&s6, list, n, why, sizeof(why));
		if (IN6_IS_ADDR_LOOPBACK(&s6.sin6_addr) &&
		    !addr_blocked((struct sockaddr *)&s6, NULL, 0, why,
		    sizeof(why)))
			abort();
	} else {
		struct sockaddr_in s4;
		const uint8_t *a = data + 1;

		memset(&s4, 0, sizeof(s4));
		s4.sin_family = AF_INET;
		memcpy(&s4.sin_addr, a, 4);
		s4.sin_port = htons(80);
		addr_blocked((struct sockaddr *)&s4, list, n, why, sizeof(why));
		if ((a[0] == 127 || a[0] == 10 || (a[0] == 192 && a[1] == 168) ||
		    (a[0] == 169 && a[1] == 254)) &&
		    !addr_blocked((struct sockaddr *)&s4, NULL, 0, why,
		    sizeof(why)))
			abort();
	}
	free(list);
	free(text);
	return 0;
}
