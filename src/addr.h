/*
 * addr.h - which addresses the poller may connect to.  Unless the sysadmin
 * says allow_private = yes, every address that is not public is refused:
 * loopback, RFC 1918, link-local (169.254/16, the cloud metadata address
 * among them), CGNAT, multicast, reserved, unique-local and link-local
 * IPv6, and IPv4 hidden in IPv6 (mapped, compatible, NAT64, 6to4).  The
 * check is made on the socket address curl is about to connect to, so
 * redirects and DNS rebinding are covered.  `allow` names exact
 * ADDRESS:PORT pairs that may be connected to all the same (a local
 * RSS-Bridge, the tests' own origin).
 *
 * Pure functions over plain data; they borrow their arguments.
 */
#ifndef ADDR_H
#define ADDR_H

#include <sys/socket.h>

#include <stddef.h>

struct addr_allow {
	int		 family;	/* AF_INET or AF_INET6 */
	unsigned char	 bytes[16];	/* the address, network order */
	unsigned short	 port;		/* host order */
};

/*
 * Parses "ADDR:PORT, [V6]:PORT, ..." (numeric addresses only) into a new
 * array (free()) of *n entries.  Returns 0, or -1 with a reason in err.
 */
int	addr_allow_parse(const char *list, struct addr_allow **out, size_t *n,
	    char *err, size_t errlen);
/*
 * 1 when sa may not be connected to, with the reason in why (e.g.
 * "10.1.2.3 is private"); 0 when it may.
 */
int	addr_blocked(const struct sockaddr *sa, const struct addr_allow *,
	    size_t nallow, char *why, size_t whylen);

#endif
