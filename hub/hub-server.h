/*
 * hub-server.h: the hub's event loop. It owns the ROUTER socket and the
 * database connection, reads every request waiting (up to batch_max),
 * applies them in one transaction, commits, and only then replies: each
 * acknowledgement is durable, and the commit's cost is shared (group commit).
 */
#ifndef DSP_HUB_SERVER_H
#define DSP_HUB_SERVER_H

#include "hub.h"

/* NULL and *cause (caller frees) when the socket or database cannot open. */
hub_t *hub_new (const struct hub_options *opt, char **cause);
void hub_destroy (hub_t **self_p);
/* Serve until SIGINT/SIGTERM; 0 on a clean stop. */
int hub_run (hub_t *self);
db_t *hub_db (hub_t *self);
const struct hub_options *hub_opts (hub_t *self);
int64_t hub_started_ms (hub_t *self);
/* Send an EVENT to a terminal that has spoken to this hub (takes the message);
 * dropped when the terminal is not connected. */
void hub_notify (hub_t *self, const char *terminal, proto_msg_t **event_p);

/* A file for the outside world (a carrier's manifest) must appear only once
 * the transaction that made it has committed: a request writes it under a
 * temporary name and asks for from -> to here. The loop renames it after its
 * commit; if the request or the whole batch is rolled back instead, from is
 * removed (discard) or left where it is (a file set aside, still valid). */
void hub_file_after_commit (hub_t *self, const char *from, const char *to, bool discard);
/* For a transaction outside the loop's batch (autoclose): rename the files
 * asked for (committed) or drop them (rolled back). */
void hub_files_settle (hub_t *self, bool committed);

/* hub-autoclose.c: the loop's automatic close-outs (cheap every turn). */
void hub_autoclose_tick (hub_t *hub);

#endif
