/* t_addr.c - the private-address policy, address by address. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "tap.h"

static const struct {
	const char	*addr;
	int		 blocked;
} cases[] = {
	/* IPv4: not public. */
	{ "0.0.0.0", 1 }, { "0.1.2.3", 1 }, { "10.0.0.1", 1 },
	{ "10.255.255.255", 1 }, { "100.64.0.1", 1 }, { "100.127.255.254", 1 },
	{ "127.0.0.1", 1 }, { "127.0.0.2", 1 }, { "127.255.255.255", 1 },
	{ "169.254.169.254", 1 }, { "169.254.0.1", 1 }, { "172.16.0.1", 1 },
	{ "172.31.255.255", 1 }, { "192.0.0.8", 1 }, { "192.0.2.1", 1 },
	{ "192.168.1.1", 1 }, { "198.18.0.1", 1 }, { "198.19.255.255", 1 },
	{ "198.51.100.7", 1 }, { "203.0.113.9", 1 }, { "224.0.0.1", 1 },
	{ "239.255.255.250", 1 }, { "240.0.0.1", 1 },
	{ "255.255.255.255", 1 },
	/* IPv4: public, next to the ranges. */
	{ "1.1.1.1", 0 }, { "9.255.255.255", 0 }, { "11.0.0.0", 0 },
	{ "100.63.255.255", 0 }, { "100.128.0.0", 0 }, { "126.255.255.255", 0 },
	{ "128.0.0.0", 0 }, { "169.253.255.255", 0 }, { "169.255.0.0", 0 },
	{ "172.15.255.255", 0 }, { "172.32.0.0", 0 }, { "192.167.255.255", 0 },
	{ "192.169.0.0", 0 }, { "198.17.255.255", 0 }, { "198.20.0.0", 0 },
	{ "223.255.255.255", 0 }, { "93.184.216.34", 0 },
	/* IPv6: not public, IPv4 hidden inside included. */
	{ "::", 1 }, { "::1", 1 }, { "::ffff:127.0.0.1", 1 },
	{ "::ffff:10.0.0.1", 1 }, { "::ffff:169.254.169.254", 1 },
	{ "::127.0.0.1", 1 }, { "64:ff9b::10.0.0.1", 1 },
	{ "64:ff9b::a9fe:a9fe", 1 }, { "2002:7f00:1::", 1 },
	{ "2002:c0a8:101::1", 1 }, { "fc00::1", 1 }, { "fd12:3456::1", 1 },
	{ "fe80::1", 1 }, { "febf::1", 1 }, { "fec0::1", 1 }, { "ff02::1", 1 },
	{ "2001:db8::1", 1 },
	/* IPv6: public. */
	{ "2001:4860:4860::8888", 0 }, { "2606:4700::1111", 0 },
	{ "::ffff:8.8.8.8", 0 }, { "64:ff9b::808:808", 0 },
	{ "2002:808:808::1", 0 }, { "fbff::1", 0 }, { "fe00::1", 0 },
};

static void
sockaddr_of(const char *text, unsigned short port,
    struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(text, ':') != NULL) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		inet_pton(AF_INET6, text, &s6->sin6_addr);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		inet_pton(AF_INET, text, &s4->sin_addr);
	}
}

static int
blocked(const char *text, unsigned short port, const struct addr_allow *a,
    size_t n, char *why, size_t whylen)
{
	struct sockaddr_storage ss;

	sockaddr_of(text, port, &ss);
	return addr_blocked((struct sockaddr *)&ss, a, n, why, whylen);
}

static void
test_table(void)
{
	char why[160];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why[0] = '\0';
		ok(blocked(cases[i].addr, 80, NULL, 0, why, sizeof(why)) ==
		    cases[i].blocked, "%s is %s%s%s", cases[i].addr,
		    cases[i].blocked ? "refused" : "allowed",
		    why[0] ? ": " : "", why);
	}
}

static void
test_allow(void)
{
	struct addr_allow *a = NULL;
	size_t n = 0;
	char err[160] = "", why[160];

	ok(addr_allow_parse("127.0.0.1:8080, [::1]:9000 10.0.0.5:443", &a, &n,
	    err, sizeof(err)) == 0 && n == 3, "allow list of three parses");
	ok(!blocked("127.0.0.1", 8080, a, n, why, sizeof(why)),
	    "an allowed ADDRESS:PORT passes");
	ok(blocked("127.0.0.1", 8081, a, n, why, sizeof(why)),
	    "the same address on another port does not");
	ok(blocked("127.0.0.2", 8080, a, n, why, sizeof(why)),
	    "another address on the same port does not");
	ok(!blocked("::1", 9000, a, n, why, sizeof(why)), "[::1]:9000 passes");
	ok(blocked("::ffff:127.0.0.1", 8080, a, n, why, sizeof(why)),
	    "127.0.0.1 mapped into IPv6 is not the allowed IPv4 pair");
	ok(!blocked("10.0.0.5", 443, a, n, why, sizeof(why)),
	    "10.0.0.5:443 passes");
	free(a);
	a = NULL;
	ok(addr_allow_parse("", &a, &n, err, sizeof(err)) == 0 && n == 0,
	    "an empty list is fine");
	free(a);
	a = NULL;
	ok(addr_allow_parse("localhost:80", &a, &n, err, sizeof(err)) == -1 &&
	    strstr(err, "localhost:80") != NULL, "names are refused: %s", err);
	ok(addr_allow_parse("127.0.0.1", &a, &n, err, sizeof(err)) == -1,
	    "a missing port is refused");
	ok(addr_allow_parse("127.0.0.1:0", &a, &n, err, sizeof(err)) == -1,
	    "port 0 is refused");
	ok(addr_allow_parse("127.0.0.1:65536", &a, &n, err, sizeof(err)) == -1,
	    "port 65536 is refused");
	ok(addr_allow_parse("::1:80", &a, &n, err, sizeof(err)) == -1,
	    "IPv6 without brackets is refused");
	ok(addr_allow_parse("[::1:80", &a, &n, err, sizeof(err)) == -1,
	    "an unclosed bracket is refused");
	ok(addr_allow_parse("999.0.0.1:80", &a, &n, err, sizeof(err)) == -1,
	    "a bad IPv4 is refused");
}

static void
test_family(void)
{
	struct sockaddr_storage ss;
	char why[160] = "";

	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_UNIX;
	ok(addr_blocked((struct sockaddr *)&ss, NULL, 0, why, sizeof(why)) &&
	    strstr(why, "family") != NULL, "other families are refused");
}

int
main(void)
{
	test_table();
	test_allow();
	test_family();
	return done_testing();
}
