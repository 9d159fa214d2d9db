/*
 * hub-events.h: the shipment events feed (doc/protocol.md "Events feed").
 * Every shipment event of the audit trail (receive, pack, label, verify,
 * scanout, closeout, reopen, track, hold, release, undo) goes out as JSON:
 * on a PUB socket (setting hub.events; CURVE behind the allow-list like the
 * other sockets), topic frame = the event name, and appended to one JSON
 * lines file per day in the exports folder (setting hub.exports).
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
/* Send every committed event not sent yet. Call outside any transaction,
 * after each commit (cheap when nothing is new). */
void hub_events_flush (hub_events_t *self, db_t *db);
/* The export file name for an event time: DIR/events-YYYY-MM-DD.jsonl (caller frees). */
char *hub_events_file (const char *exports, int64_t at_ms);

#endif
