/*
 * origin.h - a scripted HTTP origin on 127.0.0.1 for the integration tests,
 * run in a child process (evhttp).  It serves:
 *   /feeds/NAME     the file NAME of the docroot, with an ETag and a
 *                   Last-Modified, answering 304 to a matching
 *                   If-None-Match or If-Modified-Since
 *   /lm/NAME        the same with a Last-Modified only
 *   /growing.xml    an RSS 2.0 feed with one more item at every request
 *   /page.html      an HTML page: not a feed
 *   /truncated.xml  an RSS 2.0 feed cut off in its third item
 *   /cache/maxage-N[...]   a small RSS 2.0 feed with Cache-Control:
 *                   max-age=N; /cache/expires-N[...] with a Date and an
 *                   Expires N seconds ahead; /cache/ttl-N[...] with
 *                   <ttl>N</ttl>; any other /cache/... with no hint
 *   /status/CODE[/RA][/...]  an empty answer with that status; RA sets a
 *                   Retry-After: secs-N ("N"), date-N (an HTTP date N
 *                   seconds ahead), junk ("soon, maybe"), neg ("-1"),
 *                   huge ("99999999999")
 *   /flaky/N/...    500 to the first N requests, then a small feed
 *   /gone-after/N/...  a small feed to the first N requests, then 410
 *   /redirect/CODE/N/PATH  a redirect with that status to
 *                   /redirect/CODE/N-1/PATH, or to /PATH when N is 1
 *                   (absolute Locations)
 *   /loop/a/X, /loop/b/X   302 to each other
 *   /self/X         302 to itself
 *   /to-ftp/X       301 to ftp://127.0.0.1:PORT/feeds/X
 *   /to-private/X   302 to http://127.0.0.2:PORT/canary/X (the origin
 *                   also listens on 127.0.0.2:PORT and [::1]:PORT when it
 *                   can, so that a request that got through is counted)
 *   /to-host/NAME   302 to http://HOST:PORT/canary/NAME, HOST one of
 *                   v6loop [::1], mapped [::ffff:127.0.0.2], decimal
 *                   2130706434, hex 0x7f.0.0.2, octal 0177.0.0.2, zero
 *                   0.0.0.0, metadata 169.254.169.254, ten 10.0.0.1
 *   /to-file/X      302 to file:///etc/passwd
 *   /gzip-N/...     a small feed gzipped N times, served with
 *                   Content-Encoding: gzip, gzip, ... (N of them)
 *   /drip.xml       a chunked body of 1 byte every 500 ms (40 at most)
 *   /slow.xml       the same, 1 byte every 2 s (30 at most)
 *   /endless.xml    a chunked body of 64 KiB chunks every 10 ms until the
 *                   client goes away (or 20 s pass)
 *   /bomb.xml       128 MiB of zeros, gzipped (about 130 KB), served with
 *                   Content-Encoding: gzip
 *   /bomb-deflate.xml  the same as a zlib stream, Content-Encoding:
 *                   deflate
 *   /_stats         "PATH requests N notmodified M" lines
 *   anything else   404
 * and, on a second port (raw_port), raw-socket answers:
 *   /raw/hang       the request is read, never answered (the connection is
 *                   closed when the client closes it, or after 30 s)
 *   /raw/short.xml  Content-Length: 100000, then a whole small RSS feed of
 *                   a few hundred bytes, then the connection closes
 *   /raw/huge.xml   Content-Length: 10^12, a small feed, then closes
 *   /raw/badchunk.xml  chunked: one chunk holding a whole small feed,
 *                   then a chunk size that is not hex
 *   /raw/cut.xml    chunked: one chunk holding a whole small feed, then
 *                   the connection closes without the last chunk
 *   /raw/headers    a status line, then 16 MiB of header lines (~100
 *                   bytes each) as fast as they are read, then closes
 * Every request but /_stats is counted by path, on either port.
 */
#ifndef ORIGIN_H
#define ORIGIN_H

#include <sys/types.h>

struct origin {
	pid_t	pid;
	int	port;		/* evhttp, on 127.0.0.1 (and 127.0.0.2) */
	int	raw_port;	/* the raw-socket routes, 127.0.0.1 */
};

/* Starts the origin serving docroot (borrowed); 0 or -1. */
int	origin_start(struct origin *, const char *docroot);
/* Stops it (SIGTERM, then waits for it). */
void	origin_stop(struct origin *);

#endif
