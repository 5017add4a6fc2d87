/*
 * parse.h - feed documents (bytes) to entries, streaming.  Knows nothing of
 * curl, libevent or SQLite, so it is tested on files.
 *
 * The document goes through decode (bytes to UTF-8) and then libxml2's SAX2
 * push parser; an entry is handed over as soon as its end tag is read, so
 * memory does not grow with the document.  JSON Feed documents are told
 * apart by their first byte and read whole (jsonfeed.c).
 *
 * Every string in a struct feed_doc or struct entry is valid UTF-8 without
 * control characters; titles and authors are plain text with whitespace
 * collapsed; links are absolute.  Absent values are NULL, absent dates
 * DATE_NONE.
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
	struct entry	*entries;	/* when collected (feed_parse) */
	size_t		 nentries;
	int64_t		 ttl;		/* RSS <ttl> in seconds, or -1 */
	uint32_t	 skip_hours;	/* RSS <skipHours>: bit h = UTC hour h */
	uint8_t		 skip_days;	/* RSS <skipDays>: bit 0 = Sunday */
	int		 bozo;		/* not well-formed; recovered */
	char		*bozo_reason;	/* why, or NULL */
};

/*
 * Called with each entry as it is complete; the entry is borrowed for the
 * call.  Returns 0 to go on, -1 to stop parsing.
 */
typedef int	entry_cb(const struct entry *, void *arg);

struct feed_parser;

/* Once per process: the deny-all entity loader, the HTML entity table. */
void		 parse_init(void);

/*
 * A streaming parser.  url (may be NULL) is the document's address, the
 * base for relative links; charset (may be NULL) the HTTP charset (see
 * decode.h for the precedence).  cb receives each entry; with cb NULL the
 * entries are collected into the feed_doc that feed_parser_finish returns.
 * Borrows its arguments for its lifetime.  Returns new.
 */
struct feed_parser	*feed_parser_new(const char *url, const char *charset,
			    entry_cb *cb, void *arg);
/* Feeds len more bytes; 0, or -1 once the parse has failed or stopped. */
int			 feed_parser_push(struct feed_parser *, const char *,
			    size_t);
/* The format, once the root element has been read; else NULL. */
const char		*feed_parser_format(const struct feed_parser *);
/*
 * Ends the document and frees the parser.  Returns the feed (new: free with
 * feed_doc_free), or NULL with a one-line reason in err when the bytes were
 * not a feed.
 */
struct feed_doc		*feed_parser_finish(struct feed_parser *, char *err,
			    size_t errlen);
void			 feed_parser_free(struct feed_parser *);

/* The whole document at once, entries collected (at most 10000). */
struct feed_doc	*feed_parse(const char *data, size_t len, const char *url,
		    const char *charset, char *err, size_t errlen);
void		 feed_doc_free(struct feed_doc *);
/* Frees what an entry holds (not the entry itself). */
void		 entry_clear(struct entry *);
/*
 * The text of an HTML fragment, markup dropped (libxml2's HTML parser),
 * whitespace collapsed.  Borrows html; returns new.
 */
char		*html_to_text(const char *html);

#endif
