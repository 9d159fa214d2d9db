/* hub-notify.c: sd_notify for readiness, status, reloads and the watchdog (see hub-notify.h). */
#include "config.h"
#include "hub-notify.h"
#include "log.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <systemd/sd-daemon.h>
#include <time.h>

static struct {
	bool on;             /* NOTIFY_SOCKET is set */
	int64_t every_ms;    /* between WATCHDOG=1 pings; 0: no watchdog */
	int64_t last_ms;     /* the last ping (monotonic) */
	bool failed;         /* a send failed: said once */
} hub_notify_self;

/* One message; a failure is logged once (the manager may have gone), never fatal. */
static void
hub_notify_send (const char *text)
{
	if (!hub_notify_self.on)
		return;
	int rc = sd_notify (0, text);
	if (rc < 0 && !hub_notify_self.failed) {
		hub_notify_self.failed = true;
		log_warn ("cannot tell the service manager (NOTIFY_SOCKET): error %d", -rc);
	}
}

void
hub_notify_init (void)
{
	const char *sock = getenv ("NOTIFY_SOCKET");
	hub_notify_self.on = sock && *sock;
	uint64_t usec = 0;
	/* > 0 only when WATCHDOG_USEC is set (and WATCHDOG_PID, if set, is this process). */
	if (hub_notify_self.on && sd_watchdog_enabled (0, &usec) > 0 && usec > 0) {
		hub_notify_self.every_ms = (int64_t) (usec / 2000);
		if (hub_notify_self.every_ms < 1)
			hub_notify_self.every_ms = 1;
		log_info ("watchdog: the loop pings the service manager every %lld ms",
		    (long long) hub_notify_self.every_ms);
	}
}

bool
hub_notify_enabled (void)
{
	return hub_notify_self.on;
}

void
hub_notify_ready (const char *status)
{
	char *text = xasprintf ("READY=1\nSTATUS=%s", status);
	hub_notify_send (text);
	free (text);
}

void
hub_notify_reloading (void)
{
	/* MONOTONIC_USEC lets a newer systemd (Type=notify-reload) tell this reload from an older one. */
	struct timespec ts;
	clock_gettime (CLOCK_MONOTONIC, &ts);
	char text[96];
	snprintf (text, sizeof text, "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long) ts.tv_sec * 1000000ULL + (unsigned long long) ts.tv_nsec / 1000ULL);
	hub_notify_send (text);
}

void
hub_notify_stopping (void)
{
	hub_notify_send ("STOPPING=1");
}

void
hub_notify_status (const char *fmt, ...)
{
	if (!hub_notify_self.on)
		return;
	va_list ap;
	va_start (ap, fmt);
	char *status = xvasprintf (fmt, ap);
	va_end (ap);
	char *text = xasprintf ("STATUS=%s", status);
	hub_notify_send (text);
	free (text);
	free (status);
}

void
hub_notify_serving (db_t *db, int expiry_ms, int64_t now_ms)
{
	if (!hub_notify_self.on)
		return;
	/* Two counts on indexed or small tables: well under a millisecond on the loop. */
	db_stmt_t *st = db_prepare (db, "SELECT (SELECT count(*) FROM terminals WHERE last_seen >= ?1),"
	    " (SELECT count(*) FROM label_jobs WHERE status IN ('queued', 'submitting', 'submitted', 'offline',"
	    " 'no-printer', 'redirect'))");
	if (st == NULL)
		return;
	db_bind_int (st, 1, now_ms - expiry_ms);
	if (db_step (st) == DB_ROW)
		hub_notify_status ("serving %lld terminals, %lld print jobs waiting", (long long) db_col_int (st, 0),
		    (long long) db_col_int (st, 1));
	db_reset (st);
}

void
hub_notify_watchdog (int64_t now_ms)
{
	if (hub_notify_self.every_ms <= 0 || now_ms - hub_notify_self.last_ms < hub_notify_self.every_ms)
		return;
	hub_notify_self.last_ms = now_ms;
	hub_notify_send ("WATCHDOG=1");
}
