/*
 * log.h - one line per event to stderr, level first (journald-friendly):
 *   "warn: feed arxiv: HTTP 503"
 * The verbosity is the only global state besides signal flags.
 */
#ifndef LOG_H
#define LOG_H

void	log_init(int verbose);	/* 0: info and up; 1: debug too */
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
/* log_warn appends ": strerror(errno)". */
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Logs at error level and exits 1. */
void	fatalx(const char *, ...) __attribute__((format(printf, 1, 2),
	    noreturn));

#endif
