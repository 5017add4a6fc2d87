/*
 * http.h - the HTTP server (evhttp): routes, parameters, replies.  Each
 * handler parses the request, asks the store, renders, replies; no SQL here.
 *
 * Ownership: struct http is opaque; http_new returns new and borrows conf
 * and store, which must outlive it; http_free(NULL) is a no-op.
 */
#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>

#include <event2/event.h>

#include "conf.h"
#include "store.h"

struct http;

/*
 * The priorities the loop's base should have (event_base_priority_init,
 * right after event_base_new): searches run at the last (http.c,
 * SEARCH_QUEUE_MAX), after everything else, which has the default.  With
 * one, they run in turn with the rest.
 */
#define HTTP_PRIORITIES	3

/* Listens on listen ("ADDR:PORT"; port 0 picks one).  NULL + err. */
struct http	*http_new(struct event_base *, const struct conf *,
		    struct store *, const char *listen, char *err,
		    size_t errlen);
/*
 * A listening socket for listen (non-blocking, close-on-exec, with
 * TCP_NODELAY for the connections it accepts), for http_new_fd; with
 * reuseport, SO_REUSEPORT, so that worker processes listen on the same
 * address with sockets of their own and the kernel spreads connections
 * over them.  The descriptor, or -1 + err.
 */
int		 http_listen(const char *listen, int reuseport, char *err,
		    size_t errlen);
/* The address a socket is bound to, "ADDR:PORT" or "[V6]:PORT". */
void		 http_socket_name(int fd, char *out, size_t len);
/* Serves the connections fd accepts; the struct http owns fd. */
struct http	*http_new_fd(struct event_base *, const struct conf *,
		    struct store *, int fd, char *err, size_t errlen);
void		 http_free(struct http *);
/*
 * Stops accepting connections (closing h's listening socket: dup it first
 * to keep it); the connections open are answered as before.
 */
void		 http_stop_accepting(struct http *);
/* Requests received and not yet answered in full. */
int		 http_active(const struct http *);
struct metrics;
/* Counts requests in m (metrics.h), which must outlive h; NULL: not. */
void		 http_set_metrics(struct http *, struct metrics *m);
/* The address actually bound, "ADDR:PORT". */
const char	*http_bound(const struct http *);

#endif
