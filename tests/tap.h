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

#define is_str(got, want, ...) \
	(ok (tap_str_eq ((got), (want)), __VA_ARGS__) \
	    || (printf ("#   got:  '%s'\n#   want: '%s'\n", (got) ? (got) : "(null)", (want)), 0))
#define is_int(got, want, ...) \
	(ok ((long long) (got) == (long long) (want), __VA_ARGS__) \
	    || (printf ("#   got:  %lld\n#   want: %lld\n", (long long) (got), (long long) (want)), 0))

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
