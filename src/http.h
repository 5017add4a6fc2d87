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

/* Listens on listen ("ADDR:PORT"; port 0 picks one).  NULL + err. */
struct http	*http_new(struct event_base *, const struct conf *,
		    struct store *, const char *listen, char *err,
		    size_t errlen);
void		 http_free(struct http *);
/* The address actually bound, "ADDR:PORT". */
const char	*http_bound(const struct http *);

#endif
