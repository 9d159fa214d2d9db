/*
 * tap.h: a tiny TAP producer for the C unit tests, read by Automake's
 * tap-driver.sh. Each ok() is one test point; tap_done() prints the plan and
 * returns the exit status.
 */
#ifndef DSP_TAP_H
#define DSP_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

__attribute__ ((format (printf, 2, 3))) static inline int
ok (int cond, const char *fmt, ...)
{
	va_list ap;
	tap_count++;
	if (!cond)
		tap_failed++;
	printf ("%sok %d - ", cond ? "" : "not ", tap_count);
	va_start (ap, fmt);
	vprintf (fmt, ap);
	va_end (ap);
	printf ("\n");
	fflush (stdout);
	return cond;
}

static inline int
tap_str_eq (const char *got, const char *want)
{
	return got != NULL && want != NULL && strcmp (got, want) == 0;
}

/* got and want are evaluated once, before the message's arguments (GNU statement expressions). */
#define is_str(got, want, ...) __extension__ ({ \
	const char *tap_got_ = (got), *tap_want_ = (want); \
	ok (tap_str_eq (tap_got_, tap_want_), __VA_ARGS__) \
	    || (printf ("#   got:  '%s'\n#   want: '%s'\n", tap_got_ ? tap_got_ : "(null)", \
	        tap_want_ ? tap_want_ : "(null)"), 0); })
#define is_int(got, want, ...) __extension__ ({ \
	long long tap_got_ = (long long) (got), tap_want_ = (long long) (want); \
	ok (tap_got_ == tap_want_, __VA_ARGS__) \
	    || (printf ("#   got:  %lld\n#   want: %lld\n", tap_got_, tap_want_), 0); })

static inline void
diag (const char *fmt, ...)
{
	va_list ap;
	printf ("# ");
	va_start (ap, fmt);
	vprintf (fmt, ap);
	va_end (ap);
	printf ("\n");
}

static inline int
tap_done (void)
{
	printf ("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif
