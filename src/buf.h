/*
 * buf.h - a growable byte buffer, always NUL-terminated.
 *
 * Ownership: a struct buf is plain data owned by whoever declared it; its
 * data is freed by buf_free().  Appending never fails: allocation failure
 * aborts the process (there is no sensible recovery from OOM here).
 */
#ifndef BUF_H
#define BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char	*data;	/* NUL-terminated; NULL until the first append */
	size_t	 len;
	size_t	 cap;
};

void	 buf_append(struct buf *, const void *, size_t);	/* borrows */
void	 buf_puts(struct buf *, const char *);			/* borrows */
void	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_reset(struct buf *);	/* len = 0, keeps the memory */
void	 buf_free(struct buf *);	/* frees data; the buf is empty after */
char	*buf_steal(struct buf *);	/* returns the data (caller frees) */

/* Allocation helpers that abort on failure; returns new. */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);

#endif
