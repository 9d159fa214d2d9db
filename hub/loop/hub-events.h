/*
 * hub-events.h: the shipment events feed (doc/protocol.md "Events feed").
 * Every shipment event of the audit trail (receive, pack, label, verify,
 * scanout, closeout, reopen, track, hold, release, undo) goes out as JSON:
 * on a PUB socket (setting hub.events; CURVE behind the allow-list like the
 * other sockets), topic frame = the event name, and appended to one JSON
 * lines file per day in the exports folder (setting hub.exports), written
 * and synced by a file worker of its own (hub/work/work-file.h).
 *
 * Events are read back from the events table after the transaction that
 * wrote them committed, so a rolled-back event never goes out; the last one
 * sent is kept in events_feed, so a restart resumes after it (at least
 * once: a crash between sending and recording may send a few again, with
 * the same id).
 */
#ifndef DSP_HUB_EVENTS_H
#define DSP_HUB_EVENTS_H

#include "db.h"
#include "hub-curve.h"

typedef struct hub_events hub_events_t;

/* endpoint and exports may be NULL or empty (off; then nothing is sent and
 * a later start begins at the newest event). curve NULL: a plain socket.
 * NULL and *cause (caller frees) when the socket or folder cannot be had. */
hub_events_t *hub_events_new (db_t *db, const char *endpoint, const char *exports, hub_curve_t *curve, char **cause);
void hub_events_destroy (hub_events_t **self_p);
/* Send every committed event not sent yet, up to the event upto (INT64_MAX:
 * all; the later ones are not on the disk yet). Call outside any transaction,
 * after each commit (cheap when nothing is new). With exports, a chunk of
 * events goes to the file worker to be appended and synced, and is
 * recorded sent and published only once it answers (hub_events_answer);
 * meanwhile nothing more is read. */
void hub_events_flush (hub_events_t *self, db_t *db, int64_t upto);
/* Whether events go anywhere (a PUB socket or export files). */
bool hub_events_enabled (const hub_events_t *self);
/* Readable when the file worker has answered; -1 without exports. */
int hub_events_fd (hub_events_t *self);
/* The file worker's answers: a chunk written is recorded and published; one
 * that failed is read again a little later (nothing is lost). */
void hub_events_answer (hub_events_t *self, db_t *db);
/* At stop: wait (at most timeout_ms) for the chunk at the file worker. */
void hub_events_drain (hub_events_t *self, db_t *db, int timeout_ms);
/* The export file name for an event time: DIR/events-YYYY-MM-DD.jsonl (caller frees). */
char *hub_events_file (const char *exports, int64_t at_ms);

#endif
