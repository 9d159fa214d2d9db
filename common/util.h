/*
 * util.h: small helpers shared by every program of the suite.
 *
 * Allocation failure is fatal (x* functions never return NULL): a despatch
 * terminal or hub that cannot allocate a few bytes cannot do anything useful.
 * Strings returned by xstrdup/xasprintf belong to the caller, who frees them.
 */
#ifndef DSP_UTIL_H
#define DSP_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define nitems(a) (sizeof (a) / sizeof (a)[0])

void *xmalloc (size_t size);
void *xcalloc (size_t n, size_t size);
void *xrealloc (void *p, size_t size);
char *xstrdup (const char *s);
char *xstrndup (const char *s, size_t n);
char *xasprintf (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
char *xvasprintf (const char *fmt, va_list ap);

/* Copy src into dst of size n, always terminated; returns strlen(src). */
size_t util_strlcpy (char *dst, const char *src, size_t n);

/* Milliseconds and microseconds on the monotonic clock; wall-clock seconds. */
int64_t util_mono_ms (void);
int64_t util_mono_us (void);
int64_t util_wall_ms (void);

/* ISO 8601 UTC time ("2026-11-22T12:00:00Z") into buf (at least 21 bytes). */
char *util_iso_time (int64_t wall_ms, char *buf, size_t n);

/* Parse a whole decimal string (digits, an optional leading '-'; no spaces
 * or '+') into *out; false on any junk, overflow or a value outside [min, max]. */
bool util_parse_long (const char *s, long min, long max, long *out);

/* Make every folder of path; returns 0 or -1 with errno set. */
int util_mkdirs (const char *path, int mode);

#endif
