/*
 * hub.h: the despatch hub's settings. hub-main.c reads them from the
 * configuration; the loop (loop/hub-server.c) keeps its own copy; every
 * request carries a pointer to that copy (req/hub-req.h), so a handler
 * reads a setting from its request and never asks the loop.
 *
 * The hub's folders are its layers, each using only those below it:
 *   loop/   the event loop: sockets, batches, commits, timed jobs, the
 *           print spooler, orders in and events out (despatch-hub itself)
 *   cmd/    the dispatcher: messages, sessions, the step and command tables
 *   flow/   the handlers: one file per step or family of commands
 *   docs/   print jobs and the documents drawn for them (labels, tickets,
 *           collection receipts, customs papers)
 *   req/    the request layer: what a handler may use (hub-req.h, flow.h)
 *   work/   what will run on worker threads, as messages from the loop
 *   store/  the database: schema, sessions, states, roles, import, erase
 * doc/architecture.md draws the whole.
 */
#ifndef DSP_HUB_H
#define DSP_HUB_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"

#define HUB_VERSION PACKAGE_VERSION

struct hub_options {
	const char *endpoint;   /* ROUTER bind */
	const char *database;   /* SQLite file */
	int heartbeat_ms;       /* how often terminals should PING */
	int expiry_ms;          /* a terminal silent this long is "quiet" */
	int batch_max;          /* requests applied in one transaction */
	int max_failures;       /* PIN failures before lockout */
	int lockout_s;          /* lockout length */
	int idle_logout_s;      /* session idle limit; 0 = never */
	const char *integration; /* REP endpoint for order pushes; NULL = off */
	const char *inbox;      /* folder of order files to import; NULL = off */
	bool curve;             /* CURVE + ZAP on every socket, each admitting its kind of key (loop/hub-curve.c) */
	const char *keys_dir;   /* hub certificate, allowed/ terminals' and systems/ systems' certificates */
	int retention_days;     /* erase personal data this long after delivery; 0 = keep (store/hub-erase.h) */
	conf_t *conf;           /* every setting, for the parts that read their own (printers, carriers) */
	struct work_pin_helpers *pin_helpers; /* PIN checking processes, forked at start (work/work-pin.h) */
	struct hub_reload *reload; /* where the settings are read again on SIGHUP (loop/hub-reload.h); NULL: never */
	int64_t started_ms;     /* when this hub started (wall clock, set by hub_server_new): told in every HELLO and
	                         * PING reply, so a terminal whose PING a hub started since answers HELLOs again */
};

#endif
