/* util.c: allocation, strings, clocks. */
#include "config.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static void
util_oom (size_t size)
{
	fprintf (stderr, "out of memory (%zu bytes)\n", size);
	abort ();
}

void *
xmalloc (size_t size)
{
	void *p = malloc (size ? size : 1);
	if (p == NULL)
		util_oom (size);
	return p;
}

void *
xcalloc (size_t n, size_t size)
{
	void *p = calloc (n ? n : 1, size ? size : 1);
	if (p == NULL)
		util_oom (n * size);
	return p;
}

void *
xrealloc (void *p, size_t size)
{
	void *q = realloc (p, size ? size : 1);
	if (q == NULL)
		util_oom (size);
	return q;
}

char *
xstrdup (const char *s)
{
	return xstrndup (s, strlen (s));
}

char *
xstrndup (const char *s, size_t n)
{
	size_t len = strnlen (s, n);
	char *p = xmalloc (len + 1);
	memcpy (p, s, len);
	p[len] = '\0';
	return p;
}

char *
xvasprintf (const char *fmt, va_list ap)
{
	char *s;
	if (vasprintf (&s, fmt, ap) < 0)
		util_oom (strlen (fmt));
	return s;
}

char *
xasprintf (const char *fmt, ...)
{
	va_list ap;
	va_start (ap, fmt);
	char *s = xvasprintf (fmt, ap);
	va_end (ap);
	return s;
}

size_t
util_strlcpy (char *dst, const char *src, size_t n)
{
	size_t len = strlen (src);
	if (n > 0) {
		size_t c = len < n - 1 ? len : n - 1;
		memcpy (dst, src, c);
		dst[c] = '\0';
	}
	return len;
}

int64_t
util_mono_us (void)
{
	struct timespec ts;
	clock_gettime (CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t
util_mono_ms (void)
{
	return util_mono_us () / 1000;
}

int64_t
util_wall_ms (void)
{
	struct timespec ts;
	clock_gettime (CLOCK_REALTIME, &ts);
	return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *
util_iso_time (int64_t wall_ms, char *buf, size_t n)
{
	time_t t = (time_t) (wall_ms / 1000);
	struct tm tm;
	gmtime_r (&t, &tm);
	strftime (buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

bool
util_parse_long (const char *s, long min, long max, long *out)
{
	/* Decimal text only: digits after an optional '-' (strtol would also take spaces and '+'). */
	if (s == NULL || !((*s >= '0' && *s <= '9') || (*s == '-' && s[1] >= '0' && s[1] <= '9')))
		return false;
	errno = 0;
	char *end;
	long v = strtol (s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

int
util_mkdirs (const char *path, int mode)
{
	char tmp[PATH_MAX];
	if (util_strlcpy (tmp, path, sizeof tmp) >= sizeof tmp) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir (tmp, mode) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir (tmp, mode) != 0 && errno != EEXIST)
		return -1;
	return 0;
}
