/*
 * tap.h - a minimal TAP producer for the test programs, in the vocabulary of
 * c-tap-harness: plan, ok, is_int, is_str, diag, skip, done_testing.
 * Header-only; every function is static inline.  Results go to stdout for
 * automake's tap-driver.sh; diagnostics go to stdout as "# ..." lines.
 */
#ifndef TAP_H
#define TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_run, tap_failed;

static inline void
tap_vresult(int pass, const char *fmt, va_list ap)
{
	tap_run++;
	if (!pass)
		tap_failed++;
	printf("%sok %d - ", pass ? "" : "not ", tap_run);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
}

static inline void
plan(int n)
{
	printf("1..%d\n", n);
	fflush(stdout);
}

/* Prints a diagnostic; every line of it gets the "# " prefix. */
static inline void
diag(const char *fmt, ...)
{
	va_list ap;
	char msg[8192], *line, *next;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (line = msg; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (*line != '\0' || next != NULL)
			printf("# %s\n", line);
	}
	fflush(stdout);
}

static inline int
ok(int pass, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vresult(pass, fmt, ap);
	va_end(ap);
	return pass;
}

static inline int
is_int(long long want, long long got, const char *fmt, ...)
{
	va_list ap;
	int pass = want == got;

	va_start(ap, fmt);
	tap_vresult(pass, fmt, ap);
	va_end(ap);
	if (!pass)
		diag("  want %lld, got %lld", want, got);
	return pass;
}

static inline int
is_str(const char *want, const char *got, const char *fmt, ...)
{
	va_list ap;
	int pass;

	if (want == NULL || got == NULL)
		pass = want == got;
	else
		pass = strcmp(want, got) == 0;
	va_start(ap, fmt);
	tap_vresult(pass, fmt, ap);
	va_end(ap);
	if (!pass)
		diag("  want \"%s\", got \"%s\"", want ? want : "(null)",
		    got ? got : "(null)");
	return pass;
}

/*
 * A known bug, written down as a test: "# TODO why" after the result, so
 * that a failure is expected (XFAIL) and a pass is news (XPASS).
 */
static inline int
ok_todo(int pass, const char *why, const char *name)
{
	tap_run++;
	printf("%sok %d - %s # TODO %s\n", pass ? "" : "not ", tap_run, name,
	    why);
	fflush(stdout);
	return pass;
}

static inline void
skip(const char *why)
{
	tap_run++;
	printf("ok %d # skip %s\n", tap_run, why);
	fflush(stdout);
}

/* Prints the plan at the end; returns the exit status for main. */
static inline int
done_testing(void)
{
	printf("1..%d\n", tap_run);
	fflush(stdout);
	return tap_failed != 0;
}

#endif
