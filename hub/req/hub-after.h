/*
 * hub-after.h: what waits for a commit. Some things may happen only once
 * the transaction that decided them is durable: a file for the outside
 * world takes its name (a carrier's manifest), an EVENT reaches a terminal.
 * A request asks for them here (through req->after); the loop owns the one
 * list, marks it before each request, drops what a rolled-back request
 * asked for, and after the batch's commit renames the files and sends the
 * events, or drops them all when the commit failed. The loop's own timed
 * jobs that write outside a batch (the print spooler) queue their EVENTs
 * here too, and the loop sends them after its turn.
 */
#ifndef DSP_HUB_AFTER_H
#define DSP_HUB_AFTER_H

#include <stdbool.h>
#include <stddef.h>

#include "proto.h"

typedef struct hub_after hub_after_t;

/* How much was asked for so far (hub_after_mark), to drop what came after. */
struct hub_after_mark {
	size_t files, events;
};

hub_after_t *hub_after_new (void);
/* Drops whatever still waits (files as if rolled back). */
void hub_after_destroy (hub_after_t **self_p);

/* After the commit, rename from to to. When it is rolled back instead, from
 * is removed (discard: a file written for this transaction) or left where
 * it is (a file only set aside, still valid). Strings are copied. */
void hub_after_file (hub_after_t *self, const char *from, const char *to, bool discard);
/* After the commit, send the EVENT to terminal (takes the message). */
void hub_after_event (hub_after_t *self, const char *terminal, proto_msg_t **event_p);

struct hub_after_mark hub_after_mark (hub_after_t *self);
/* Whether a file waits for the commit (its rename must not come before the commit is on the disk). */
bool hub_after_has_files (const hub_after_t *self);
/* What was asked for since mark will never commit: forget it. */
void hub_after_drop (hub_after_t *self, struct hub_after_mark mark);
/* The same for a run that waits for the workers and will be made again
 * (req/hub-ask.h): its files are left where they are, for that run. */
void hub_after_forget (hub_after_t *self, struct hub_after_mark mark);

/* Hands one EVENT to whoever sends it (takes the message). */
typedef void (hub_after_send_fn) (void *arg, const char *terminal, proto_msg_t **event_p);
/* The transaction ended: committed, every file renamed (a failure is logged;
 * the loop renames it at its next start) and every event given to send;
 * else everything dropped. The list is empty afterwards. */
void hub_after_settle (hub_after_t *self, bool committed, hub_after_send_fn *send, void *arg);

#endif
