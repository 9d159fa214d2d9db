/* log.c: levels, stderr or syslog. */
#include "config.h"
#include "log.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

static const struct {
	const char *name;
	int priority;
} log_levels[] = {
	[LOG_LVL_ERROR] = { "error", LOG_ERR },
	[LOG_LVL_WARN] = { "warn", LOG_WARNING },
	[LOG_LVL_INFO] = { "info", LOG_INFO },
	[LOG_LVL_DEBUG] = { "debug", LOG_DEBUG },
};

static enum log_level log_current = LOG_LVL_INFO;
static int log_syslog;
static char log_ident[32] = "despatch";

void
log_open (const char *ident, enum log_level level, int use_syslog)
{
	util_strlcpy (log_ident, ident, sizeof log_ident);
	log_current = level;
	log_syslog = use_syslog;
	if (use_syslog)
		openlog (log_ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_close (void)
{
	if (log_syslog)
		closelog ();
	log_syslog = 0;
}

void
log_set_level (enum log_level level)
{
	log_current = level;
}

int
log_level_parse (const char *name)
{
	for (size_t i = 0; i < nitems (log_levels); i++)
		if (strcmp (name, log_levels[i].name) == 0)
			return (int) i;
	return -1;
}

static void
log_vwrite (enum log_level level, const char *fmt, va_list ap)
{
	if (level > log_current)
		return;
	if (log_syslog) {
		vsyslog (log_levels[level].priority, fmt, ap);
		return;
	}
	char when[32];
	util_iso_time (util_wall_ms (), when, sizeof when);
	fprintf (stderr, "%s %s[%s] ", when, log_ident, log_levels[level].name);
	vfprintf (stderr, fmt, ap);
	fputc ('\n', stderr);
}

#define LOG_FN(fn, lvl) \
	void fn (const char *fmt, ...) \
	{ \
		va_list ap; \
		va_start (ap, fmt); \
		log_vwrite (lvl, fmt, ap); \
		va_end (ap); \
	}
LOG_FN (log_error, LOG_LVL_ERROR)
LOG_FN (log_warn, LOG_LVL_WARN)
LOG_FN (log_info, LOG_LVL_INFO)
LOG_FN (log_debug, LOG_LVL_DEBUG)
