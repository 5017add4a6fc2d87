/* addr.c - the private-address policy of the poller. */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "buf.h"

/* IPv4 ranges that are not public, as (network, prefix length, name). */
static const struct {
	unsigned long	 net;
	int		 bits;
	const char	*what;
} v4_ranges[] = {
	{ 0x00000000UL, 8, "\"this network\"" },
	{ 0x0A000000UL, 8, "private" },
	{ 0x64400000UL, 10, "shared (CGNAT)" },
	{ 0x7F000000UL, 8, "loopback" },
	{ 0xA9FE0000UL, 16, "link-local" },
	{ 0xAC100000UL, 12, "private" },
	{ 0xC0000000UL, 24, "IETF-reserved" },
	{ 0xC0000200UL, 24, "documentation" },
	{ 0xC0A80000UL, 16, "private" },
	{ 0xC6120000UL, 15, "benchmarking" },
	{ 0xC6336400UL, 24, "documentation" },
	{ 0xCB007100UL, 24, "documentation" },
	{ 0xE0000000UL, 4, "multicast" },
	{ 0xF0000000UL, 4, "reserved" },
};

static const char *
v4_blocked(const unsigned char b[4])
{
	unsigned long a = (unsigned long)b[0] << 24 | (unsigned long)b[1] <<
	    16 | (unsigned long)b[2] << 8 | b[3];

	for (size_t i = 0; i < sizeof(v4_ranges) / sizeof(v4_ranges[0]); i++) {
		unsigned long mask = 0xFFFFFFFFUL << (32 - v4_ranges[i].bits);

		if ((a & mask & 0xFFFFFFFFUL) == v4_ranges[i].net)
			return v4_ranges[i].what;
	}
	return NULL;
}

static int
prefix_is(const unsigned char *b, const unsigned char *p, int bits)
{
	int i;

	for (i = 0; bits >= 8; i++, bits -= 8)
		if (b[i] != p[i])
			return 0;
	return bits == 0 || (b[i] >> (8 - bits)) == (p[i] >> (8 - bits));
}

/* What is wrong with an IPv6 address, or NULL when it is public. */
static const char *
v6_blocked(const unsigned char b[16], const unsigned char **v4)
{
	static const unsigned char zero[16], mapped[12] = { [10] = 0xFF,
	    [11] = 0xFF }, nat64[12] = { 0x00, 0x64, 0xFF, 0x9B },
	    six2four[2] = { 0x20, 0x02 }, ula[1] = { 0xFC },
	    linklocal[2] = { 0xFE, 0x80 }, sitelocal[2] = { 0xFE, 0xC0 },
	    multicast[1] = { 0xFF }, doc[4] = { 0x20, 0x01, 0x0D, 0xB8 };

	*v4 = NULL;
	if (memcmp(b, zero, 15) == 0)
		return b[15] == 1 ? "loopback" : "unspecified";
	if (memcmp(b, mapped, 12) == 0 || memcmp(b, zero, 12) == 0 ||
	    memcmp(b, nat64, 12) == 0) {
		*v4 = b + 12;	/* IPv4 inside: judged as IPv4 */
		return NULL;
	}
	if (prefix_is(b, six2four, 16)) {
		*v4 = b + 2;
		return NULL;
	}
	if (prefix_is(b, ula, 7))
		return "unique-local";
	if (prefix_is(b, linklocal, 10))
		return "link-local";
	if (prefix_is(b, sitelocal, 10))
		return "site-local";
	if (prefix_is(b, multicast, 8))
		return "multicast";
	if (prefix_is(b, doc, 32))
		return "documentation";
	return NULL;
}

static int
allowed(const struct addr_allow *allow, size_t n, int family,
    const unsigned char *bytes, unsigned short port)
{
	size_t len = family == AF_INET ? 4 : 16;

	for (size_t i = 0; i < n; i++)
		if (allow[i].family == family && allow[i].port == port &&
		    memcmp(allow[i].bytes, bytes, len) == 0)
			return 1;
	return 0;
}

int
addr_blocked(const struct sockaddr *sa, const struct addr_allow *allow,
    size_t nallow, char *why, size_t whylen)
{
	char text[INET6_ADDRSTRLEN] = "?";
	const unsigned char *bytes, *v4 = NULL;
	const char *what = NULL;
	unsigned short port;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;

		bytes = (const unsigned char *)&s4->sin_addr;
		port = ntohs(s4->sin_port);
		inet_ntop(AF_INET, &s4->sin_addr, text, sizeof(text));
		what = v4_blocked(bytes);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		bytes = (const unsigned char *)&s6->sin6_addr;
		port = ntohs(s6->sin6_port);
		inet_ntop(AF_INET6, &s6->sin6_addr, text, sizeof(text));
		if ((what = v6_blocked(bytes, &v4)) == NULL && v4 != NULL)
			what = v4_blocked(v4);
	} else {
		snprintf(why, whylen, "address family %d refused",
		    sa->sa_family);
		return 1;
	}
	if (what == NULL || allowed(allow, nallow, sa->sa_family, bytes, port))
		return 0;
	snprintf(why, whylen, "%s is %s (allow_private = no)", text, what);
	return 1;
}

static int
parse_one(const char *s, size_t len, struct addr_allow *a)
{
	char item[80], *colon, *host, *end;
	long port;

	if (len == 0 || len >= sizeof(item))
		return -1;
	memcpy(item, s, len);
	item[len] = '\0';
	if ((colon = strrchr(item, ':')) == NULL)
		return -1;
	*colon = '\0';
	port = strtol(colon + 1, &end, 10);
	if (*end != '\0' || colon[1] == '\0' || port < 1 || port > 65535)
		return -1;
	host = item;
	if (host[0] == '[') {
		size_t hl = strlen(host);

		if (hl < 2 || host[hl - 1] != ']')
			return -1;
		host[hl - 1] = '\0';
		host++;
		a->family = AF_INET6;
	} else
		a->family = AF_INET;
	memset(a->bytes, 0, sizeof(a->bytes));
	if (inet_pton(a->family, host, a->bytes) != 1)
		return -1;
	a->port = (unsigned short)port;
	return 0;
}

int
addr_allow_parse(const char *list, struct addr_allow **out, size_t *n,
    char *err, size_t errlen)
{
	struct addr_allow *v = NULL;
	size_t count = 0;
	const char *p = list;

	while (*p != '\0') {
		size_t len;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		len = strcspn(p, ", \t");
		v = xrealloc(v, (count + 1) * sizeof(*v));
		if (parse_one(p, len, &v[count]) == -1) {
			snprintf(err, errlen, "not ADDRESS:PORT (numeric, IPv6 "
			    "in brackets): %.*s", (int)len, p);
			free(v);
			return -1;
		}
		count++;
		p += len;
	}
	*out = v;
	*n = count;
	return 0;
}
