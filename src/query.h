/*
 * query.h - the q= filter language (SPEC section 7) to a checked query.
 *
 * The text is parsed by our own small parser into terms and compiled into
 * FTS5 MATCH expressions in which every user word is a quoted FTS5 string,
 * so FTS5 or SQL syntax in the input is only ever text to search for.
 * Today: words (AND-ed), "phrases", prefix*, and -exclusions.
 */
#ifndef QUERY_H
#define QUERY_H

#include <stddef.h>

#define QUERY_MAX_LEN	1024	/* bytes of q */
#define QUERY_MAX_TERMS	32

struct query {
	char	*match;		/* FTS5 expression entries must match, or NULL */
	char	*exclude;	/* FTS5 expression entries must not match, or NULL */
	int	 limit;		/* entries per page */
};

/*
 * Parses q (NULL or "" matches everything).  Returns 0 and fills *out (free
 * its strings with query_clear), or -1 with a one-line reason in err.
 * Borrows q.
 */
int	query_parse(const char *q, struct query *out, char *err, size_t errlen);
void	query_clear(struct query *);

#endif
