/*
 * origin.h - a scripted HTTP origin on 127.0.0.1 for the integration tests,
 * run in a child process (evhttp).  It serves:
 *   /feeds/NAME     the file NAME of the docroot, with an ETag and a
 *                   Last-Modified, answering 304 to a matching
 *                   If-None-Match or If-Modified-Since
 *   /growing.xml    an RSS 2.0 feed with one more item at every request
 *   /page.html      an HTML page: not a feed
 *   /truncated.xml  an RSS 2.0 feed cut off in its third item
 *   /_stats         "PATH requests N notmodified M" lines
 *   anything else   404
 */
#ifndef ORIGIN_H
#define ORIGIN_H

#include <sys/types.h>

struct origin {
	pid_t	pid;
	int	port;
};

/* Starts the origin serving docroot (borrowed); 0 or -1. */
int	origin_start(struct origin *, const char *docroot);
/* Stops it (SIGTERM, then waits for it). */
void	origin_stop(struct origin *);

#endif
