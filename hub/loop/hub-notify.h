/*
 * hub-notify.h: what the hub tells its service manager, through
 * libsystemd's sd_notify (hub-notify.c is the only file that includes
 * sd-daemon.h). With no NOTIFY_SOCKET in its environment (the hub run by
 * hand, by the tests, under another init) every call does nothing.
 *
 *   READY=1       once the ROUTER socket is bound and the database open
 *   STATUS=...    a line for systemctl status ("serving 14 terminals, ...")
 *   RELOADING=1   when a reload (SIGHUP) begins, READY=1 when it is over,
 *                 taken or refused
 *   STOPPING=1    when the hub stops
 *   WATCHDOG=1    from the loop's own turns, at half the unit's
 *                 WatchdogSec=: a loop that stops turning (stuck in a
 *                 call, a lock, a busy database) stops the pings, and
 *                 systemd restarts the hub. No thread pings for it.
 *
 * The state is the process's, as the service manager's socket is.
 */
#ifndef DSP_HUB_NOTIFY_H
#define DSP_HUB_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"

/* Reads NOTIFY_SOCKET and WATCHDOG_USEC (and WATCHDOG_PID) once. */
void hub_notify_init (void);
/* Whether a service manager listens (NOTIFY_SOCKET is set). */
bool hub_notify_enabled (void);
/* READY=1, with a first STATUS line. */
void hub_notify_ready (const char *status);
void hub_notify_reloading (void);
void hub_notify_stopping (void);
void hub_notify_status (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
/* STATUS=serving N terminals, M print jobs waiting: from the loop's connection (the heartbeat's pace). */
void hub_notify_serving (db_t *db, int expiry_ms, int64_t now_ms);
/* WATCHDOG=1 when half the watchdog's interval has passed since the last
 * (now: monotonic ms); call on every turn of the loop. */
void hub_notify_watchdog (int64_t now_ms);

#endif
