/*
 * server.h - the daemon and the one-shot poller: the event loop that ties
 * conf, sched, fetch, parse, store and http together.  Borrows conf.
 */
#ifndef SERVER_H
#define SERVER_H

#include <stddef.h>

#include "conf.h"

/*
 * `sluice serve`: runs until SIGINT/SIGTERM; returns the exit status.
 * SIGHUP reloads: the config is checked, and if it is clean the process
 * runs itself again with it, handing over its listening socket.
 */
int	server_serve(const struct conf *, const char *listen);
/*
 * Blocks (1) or unblocks (0) SIGHUP: blocked from the start of `serve`
 * until its handler is in place, so that a SIGHUP while starting (a
 * reload's own start included) waits instead of killing the process.
 */
void	hup_blocked(int block);
/*
 * `sluice poll`: polls the due feeds, or the named ones due or not, once;
 * returns the exit status (1 when a named feed does not exist or any poll
 * failed).
 */
int	server_poll(const struct conf *, char *const *names, size_t nnames);

#endif
