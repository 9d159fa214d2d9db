/*
 * hub-server.h: the hub's event loop, the top layer of hub/ (hub.h lists
 * them all). It owns the ROUTER socket, the database connection, the
 * after-commit list and the timed jobs. It reads every request waiting
 * (up to batch_max), applies them in one transaction, each in a savepoint
 * of its own through the dispatcher (cmd/hub-cmd.h), commits, settles what
 * waited for the commit (req/hub-after.h), and only then replies: each
 * acknowledgement is durable, and the commit's cost is shared (group
 * commit). Between batches it runs its table of timed jobs (ticks): the
 * print spooler, the order feed, automatic close-outs (as its own
 * requests, through the same dispatch, savepoint, commit and settle as a
 * terminal's), the events feed, key revocation, WAL checkpoints, the
 * heartbeat row, stored-reply pruning and retention; a reload on SIGHUP
 * (hub-reload.h), the service manager's watchdog and status
 * (hub-notify.h), and the chores it hands to its chore thread: the
 * metrics file and file retention (hub-chore.h).
 */
#ifndef DSP_HUB_SERVER_H
#define DSP_HUB_SERVER_H

#include "db.h"
#include "hub/hub.h"

typedef struct hub_server hub_server_t;

/* NULL and *cause (caller frees) when a socket, the database or the carrier files cannot be had.
 * opt is copied; the strings and opt->conf it points to must outlive the server. */
hub_server_t *hub_server_new (const struct hub_options *opt, char **cause);
void hub_server_destroy (hub_server_t **self_p);
/* Serve until SIGINT/SIGTERM (SIGHUP reloads); 0 on a clean stop. */
int hub_server_run (hub_server_t *self);
/* The loop's connection, for start-up work before hub_server_run (demo data). */
db_t *hub_server_db (hub_server_t *self);

#endif
