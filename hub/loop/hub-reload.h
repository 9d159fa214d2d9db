/*
 * hub-reload.h: the hub's settings, read at start and read again on
 * SIGHUP (systemctl reload despatch-hub).
 *
 * hub_reload_read builds the settings from the configuration file and the
 * command line's --set overrides (which win, at start and at every reload)
 * and checks all that the hub refuses at start: numbers out of range, the
 * log level, security.curve, the printer map (printers/print.h). Start and
 * reload check alike, so a running hub never takes a file that would not
 * start one.
 *
 * A reload runs on the loop between batches (hub_reload_asked, then
 * hub_reload_run), so every request is applied whole with one set of
 * settings and what is in flight keeps what it started with: a print job
 * keeps the queue it was sent to, a batch the settings it began with. The
 * file is read and checked, then the carrier files and rules (the
 * database's carriers brought into line, carriers/carrier.h); only when
 * all of it is good are the new settings swapped into the conf_t every
 * part of the hub reads (conf_swap), the numbers of struct hub_options
 * updated and the log level set. A reload that fails changes nothing and
 * says why. What changed is logged key by key; a key only a restart
 * applies (the endpoints, the database, the keys, the inboxes, CUPS's
 * server, syslog) is named as such. Each reload, taken or refused, is
 * recorded in the audit trail (events: action "reload", operator
 * "system", code "ok" or "refused", the summary in detail) for despatch
 * status and the metrics.
 *
 * Reading and checking a configuration file and the carrier files takes
 * a few milliseconds, on the loop, only when asked.
 */
#ifndef DSP_HUB_RELOAD_H
#define DSP_HUB_RELOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "db.h"
#include "hub/hub.h"
#include "log.h"

#define HUB_DEFAULT_ENDPOINT "tcp://127.0.0.1:5570"
#define HUB_DEFAULT_DATABASE "despatch.db"

typedef struct hub_reload hub_reload_t;

/* Where the settings come from: config (NULL: built-in defaults) and the
 * command line's overrides (taken; *overrides_p is nulled). verbose (-v)
 * keeps debug logging whatever log.level says. */
hub_reload_t *hub_reload_new (const char *config, conf_t **overrides_p, bool verbose);
void hub_reload_destroy (hub_reload_t **self_p);

/* The settings, read and checked: a new conf (caller destroys), or NULL
 * and *cause (caller frees), "FILE:LINE: reason" or "KEY = 'value': ...". */
conf_t *hub_reload_read (hub_reload_t *self, char **cause);
/* The log level conf asks for (checked by hub_reload_read). */
enum log_level hub_reload_level (const hub_reload_t *self, conf_t *conf);
/* Every number of opt from conf (checked by hub_reload_read); the strings
 * too when strings is set (they point into conf, so at start only). */
void hub_reload_options (conf_t *conf, struct hub_options *opt, bool strings);
/* Each key of conf no part of the suite reads, as a warning in the log;
 * how many. */
int hub_reload_warn_unknown (conf_t *conf);

/* SIGHUP is blocked in every thread and taken from a signalfd instead, so
 * that it interrupts no wait. Call before any thread starts; -1 and
 * *cause when the signalfd cannot be had. */
int hub_reload_catch (hub_reload_t *self, char **cause);
/* Whether a SIGHUP came since the last call (never waits). */
bool hub_reload_asked (hub_reload_t *self);

/*
 * Read everything again and, when all of it is good, apply it: conf (the
 * loop's, which every part holds) gets the new settings, opt its numbers,
 * the log its level. Outside any transaction (the carriers are synced in
 * one of their own). 0 applied, -1 refused (nothing changed, the reason
 * logged). Recorded in the audit trail either way.
 */
int hub_reload_run (hub_reload_t *self, db_t *db, conf_t *conf, struct hub_options *opt, int64_t now_ms);

#endif
