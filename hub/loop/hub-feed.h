/*
 * hub-feed.h: orders and tracking in: the inbox folders, and the
 * integration endpoint (hub-integration.h) the loop reaches through here.
 *
 * The inbox (setting hub.inbox): every few seconds the feed looks for a
 * *.csv or *.json file there and imports it in slices between the loop's
 * batches (store/hub-import.h), one file at a time, and only while it
 * holds the database's import lock (another process importing into it
 * keeps the file waiting in the inbox; the lock is only tried, never
 * waited for, on the loop); then the file leaves the inbox. What stays is its record, NAME.record in done/ or failed/
 * (the name, its SHA-1 and size, what came of it; for a refusal
 * NAME.errors beside it), and, only when hub.inbox_keep_days is set, a
 * copy with every card number masked, removed after that many days. A
 * file that could not be imported because the database failed stays in
 * the inbox for the next look.
 *
 * The tracking inbox (setting hub.tracking_inbox) takes carrier tracking
 * files (CSV or JSON, doc/carriers.md) the same way, each in one
 * transaction. The loop owns the feed and is its only caller.
 */
#ifndef DSP_HUB_FEED_H
#define DSP_HUB_FEED_H

#include <stdbool.h>

#include "conf.h"
#include "db.h"
#include "hub-curve.h"

typedef struct hub_feed hub_feed_t;

/* endpoint and inbox may be NULL or empty (off); curve NULL: a plain socket.
 * NULL and *cause on failure. */
hub_feed_t *hub_feed_new (const char *endpoint, const char *inbox, hub_curve_t *curve, char **cause);
void hub_feed_destroy (hub_feed_t **self_p);
/* The settings the feed reads for itself (hub.tracking_inbox, hub.inbox_keep_days);
 * 0, or -1 and *cause. conf may be NULL. */
int hub_feed_configure (hub_feed_t *self, conf_t *conf, char **cause);
/* The socket to poll (a zsock_t *), or NULL when there is no endpoint. */
void *hub_feed_sock (hub_feed_t *self);
/* A request waits on the integration socket. */
void hub_feed_handle (hub_feed_t *self, db_t *db);
/* Look at the inbox and the tracking inbox now; the loop calls it every
 * HUB_FEED_INBOX_EVERY_MS. */
#define HUB_FEED_INBOX_EVERY_MS 2000
void hub_feed_inbox (hub_feed_t *self, db_t *db);
/* One slice (about HUB_FEED_SLICE_MS) of each import under way; the loop
 * calls it between batches, every turn. */
#define HUB_FEED_SLICE_MS 2
void hub_feed_step (hub_feed_t *self, db_t *db);
/* An import is under way: the loop should not wait for a request before the next slice. */
bool hub_feed_busy (const hub_feed_t *self);

#endif
