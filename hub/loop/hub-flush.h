/*
 * hub-flush.h: the batches' flush, and what the loop sends held behind it.
 *
 * The hub's connection flushes its own commits (db_flush_own): a commit is
 * on the disk when db_commit returns. A batch that renames no file (a
 * rename follows its commit at once) commits unflushed instead, and the
 * flush worker (hub/work/work-flush.h) takes it to the disk while the loop
 * runs the next batch. Whatever the loop sends from then on (replies,
 * EVENTs) is held here, in the order it was sent, until a flush has taken
 * every commit made before it: nobody hears of a commit that a power cut
 * could still take back (another connection on the database, a report
 * or a backup, may read it a few milliseconds before it is on the disk,
 * as it would read any commit). The print jobs such a commit marked go to CUPS
 * only then too (the loop asks hub_flush_done), and the events feed reads
 * no event past hub_flush_events_upto. One flush at a time takes every
 * commit made before it starts, so the batches committed while one runs
 * share the next.
 *
 * The loop owns it: it is called on the loop's thread only. A flushed
 * commit (any other commit of the connection) takes the earlier ones to
 * the disk too: hub_flush_durable. A flush that fails stops the hub, as
 * db.c does for its own (the commit cannot be taken back).
 */
#ifndef DSP_HUB_FLUSH_H
#define DSP_HUB_FLUSH_H

#include <czmq.h>
#include <stdbool.h>

#include "db.h"
#include "proto.h"

typedef struct hub_flush hub_flush_t;

/* Sends an EVENT now (takes it): the loop's own sender, called for an EVENT once it may go. */
typedef void (hub_flush_event_fn) (void *arg, const char *terminal, proto_msg_t **event_p);

/* Replies go out on router. NULL and *cause when the worker cannot start. */
hub_flush_t *hub_flush_new (db_t *db, zsock_t *router, hub_flush_event_fn *event, void *arg, char **cause);
/* Flushes on this thread what is not flushed yet and sends what waits (the hub stopping), then stops the worker. */
void hub_flush_destroy (hub_flush_t **self_p);

/* The batch's commit was made unflushed (db_commit_unflushed): what is sent from now waits for its flush.
 * events: the last event (events.id) it holds, for hub_flush_events_upto; marked: it marked print jobs.
 * Returns the commit's number. */
uint64_t hub_flush_committed (hub_flush_t *self, int64_t events, bool marked);
/* Whether the commit numbered commit is on the disk. */
bool hub_flush_done (const hub_flush_t *self, uint64_t commit);
/* The last event on the disk that the events feed may send: INT64_MAX when every commit is. */
int64_t hub_flush_events_upto (const hub_flush_t *self);
/* A commit was flushed: every commit before it is on the disk too. */
void hub_flush_durable (hub_flush_t *self);

/* Flushes on this thread what is not flushed yet, and sends what waited for it. */
void hub_flush_now (hub_flush_t *self);

/* A reply (takes *out_p): sent now, or held until its turn. -1 when sent now and not delivered
 * (the terminal has gone); one held and not delivered later is logged then. */
int hub_flush_send (hub_flush_t *self, zmsg_t **out_p);
/* An EVENT: true when it was taken (*event_p NULL) to wait its turn; false when nothing waits and
 * the caller sends it now. */
bool hub_flush_event (hub_flush_t *self, const char *terminal, proto_msg_t **event_p);

/* The worker's fd, for the loop's poll, and its answers: what they took to the disk is sent. */
int hub_flush_fd (hub_flush_t *self);
void hub_flush_answer (hub_flush_t *self);
/* Commits made unflushed and not yet on the disk (for tests and the log). */
uint64_t hub_flush_waiting (const hub_flush_t *self);

#endif
