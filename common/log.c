/* log.c: levels, stderr or syslog, escaped lines, warnings per peer rate-limited (see log.h). */
#include "config.h"
#include "log.h"
#include "text.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#define LOG_PEER_SLOTS 64
#define LOG_PEER_NAME 96

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
static int log_peer_burst = LOG_PEER_BURST;
static int log_peer_window_ms = LOG_PEER_WINDOW_MS;

/* One peer's window: lines written in it, lines counted and not written. */
static struct log_peer_slot {
	char peer[LOG_PEER_NAME];
	int64_t since_ms;
	int written;
	long dropped;
} log_peers[LOG_PEER_SLOTS];

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

/* The one place a line is written: escaped, then out in one call (threads never interleave inside a line). */
static void
log_line (enum log_level level, const char *msg)
{
	size_t n = strlen (msg);
	char *escaped = text_is_plain (msg, n) ? NULL : text_escape (msg, n);
	const char *line = escaped ? escaped : msg;
	if (log_syslog) {
		syslog (log_levels[level].priority, "%s", line);
	} else {
		char when[32];
		util_iso_time (util_wall_ms (), when, sizeof when);
		fprintf (stderr, "%s %s[%s] %s\n", when, log_ident, log_levels[level].name, line);
	}
	free (escaped);
}

static void
log_vwrite (enum log_level level, const char *fmt, va_list ap)
{
	if (level > log_current)
		return;
	char *msg = xvasprintf (fmt, ap);
	log_line (level, msg);
	free (msg);
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

/* The count of a slot whose window is over, said once; the slot starts again. */
static void
log_peer_close (struct log_peer_slot *s, log_peer_fn *fn, void *arg)
{
	if (s->dropped > 0) {
		char *msg = xasprintf ("%s: %ld more warnings were not logged (at most %d are written every %g s)",
		    s->peer, s->dropped, log_peer_burst, log_peer_window_ms / 1000.0);
		log_line (LOG_LVL_WARN, msg);
		free (msg);
		if (fn)
			fn (s->peer, s->dropped, arg);
	}
	s->dropped = 0;
	s->written = 0;
}

void
log_peer_limits (int burst, int window_ms)
{
	log_peer_burst = burst > 0 ? burst : LOG_PEER_BURST;
	log_peer_window_ms = window_ms > 0 ? window_ms : LOG_PEER_WINDOW_MS;
}

void
log_peer_flush (log_peer_fn *fn, void *arg)
{
	int64_t now = util_mono_ms ();
	for (size_t i = 0; i < nitems (log_peers); i++) {
		struct log_peer_slot *s = &log_peers[i];
		if (s->peer[0] && now - s->since_ms >= log_peer_window_ms) {
			log_peer_close (s, fn, arg);
			s->peer[0] = '\0';
		}
	}
}

void
log_peer_flush_all (void)
{
	for (size_t i = 0; i < nitems (log_peers); i++)
		if (log_peers[i].peer[0]) {
			log_peer_close (&log_peers[i], NULL, NULL);
			log_peers[i].peer[0] = '\0';
		}
}

/* The slot of peer: its own, a free one, or the one whose window started longest ago. */
static struct log_peer_slot *
log_peer_slot (const char *peer, int64_t now)
{
	struct log_peer_slot *oldest = &log_peers[0], *empty = NULL;
	for (size_t i = 0; i < nitems (log_peers); i++) {
		struct log_peer_slot *s = &log_peers[i];
		if (s->peer[0] == '\0') {
			if (empty == NULL)
				empty = s;
			continue;
		}
		if (strncmp (s->peer, peer, sizeof s->peer - 1) == 0)
			return s;
		if (s->since_ms < oldest->since_ms)
			oldest = s;
	}
	struct log_peer_slot *s = empty ? empty : oldest;
	if (s->peer[0])
		log_peer_close (s, NULL, NULL);
	util_strlcpy (s->peer, peer, sizeof s->peer);
	s->since_ms = now;
	s->written = 0;
	s->dropped = 0;
	return s;
}

int
log_peer (enum log_level level, const char *peer, const char *fmt, ...)
{
	int64_t now = util_mono_ms ();
	struct log_peer_slot *s = log_peer_slot (peer && *peer ? peer : "unknown peer", now);
	long before = 0;
	if (now - s->since_ms >= log_peer_window_ms) {
		/* A new window: this line carries the last one's count. */
		before = s->dropped;
		s->dropped = 0;
		s->written = 0;
		s->since_ms = now;
	}
	if (s->written >= log_peer_burst) {
		s->dropped++;
		return -1;
	}
	s->written++;
	if (level <= log_current) {
		va_list ap;
		va_start (ap, fmt);
		char *msg = xvasprintf (fmt, ap);
		va_end (ap);
		char *line = before > 0 ? xasprintf ("%s: %s (and %ld more like it before, not logged)", s->peer, msg, before)
		                        : xasprintf ("%s: %s", s->peer, msg);
		log_line (level, line);
		free (line);
		free (msg);
	}
	return (int) (before > 0x7fffffff ? 0x7fffffff : before);
}
