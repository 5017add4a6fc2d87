/*
 * parse.h - feed documents (bytes) to entries.  Knows nothing of curl,
 * libevent or SQLite, so it is tested on files.
 *
 * Every string in a struct feed_doc is valid UTF-8 without control
 * characters; titles and authors are plain text with whitespace collapsed;
 * links are absolute.  Absent values are NULL, absent dates DATE_NONE.
 */
#ifndef PARSE_H
#define PARSE_H

#include <stddef.h>
#include <stdint.h>

#define DATE_NONE	INT64_MIN

struct enclosure {
	char	*url;
	char	*type;
	int64_t	 length;	/* -1 when unknown */
};

struct entry {
	char	*id;
	char	*title;
	char	*link;
	char	*author;
	char	*summary;	/* HTML or text as the source gave it */
	char	*content;
	int64_t	 published;
	int64_t	 updated;
	char	**categories;
	size_t	 ncategories;
	struct enclosure *enclosures;
	size_t	 nenclosures;
};

struct feed_doc {
	const char	*format;	/* static: "rss2.0", "atom1.0", ... */
	char		*title;
	char		*link;
	char		*id;
	char		*subtitle;
	char		*language;
	int64_t		 updated;
	struct entry	*entries;
	size_t		 nentries;
	int		 bozo;		/* not well-formed; recovered */
	char		*bozo_reason;	/* why, or NULL */
};

/* Once per process: installs the deny-all external entity loader. */
void		 parse_init(void);
/*
 * Parses a feed document.  url (may be NULL) is the document's address, the
 * base for relative links; charset (may be NULL) the HTTP charset, which
 * wins over the document's own declaration.  Borrows its arguments.
 * Returns new (free with feed_doc_free), or NULL with a one-line reason in
 * err.
 */
struct feed_doc	*feed_parse(const char *data, size_t len, const char *url,
		    const char *charset, char *err, size_t errlen);
void		 feed_doc_free(struct feed_doc *);
/*
 * The text of an HTML fragment, markup dropped (libxml2's HTML parser),
 * whitespace collapsed.  Borrows html; returns new.
 */
char		*html_to_text(const char *html);

#endif
