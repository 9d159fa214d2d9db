/*
 * hub-feed.h: orders pushed by other systems, and the inbox folders.
 * A REP socket (setting hub.integration) takes one JSON document per
 * request (the import JSON of doc/orders.md) and answers one JSON result;
 * the inbox folder (setting hub.inbox) is looked at every few seconds.
 * Both run from the hub's loop between batches, each import in its own
 * transaction.
 */
#ifndef DSP_HUB_FEED_H
#define DSP_HUB_FEED_H

#include "db.h"
#include "hub-curve.h"

typedef struct hub_feed hub_feed_t;

/* endpoint and inbox may be NULL or empty (off); curve NULL: a plain socket.
 * NULL and *cause on failure. */
hub_feed_t *hub_feed_new (const char *endpoint, const char *inbox, hub_curve_t *curve, char **cause);
void hub_feed_destroy (hub_feed_t **self_p);
/* Also watch dir (setting hub.tracking_inbox) for carrier tracking files, CSV
 * or JSON (doc/carriers.md); 0, or -1 and *cause. NULL or empty: off. */
int hub_feed_set_tracking (hub_feed_t *self, const char *dir, char **cause);
/* The socket to poll (a zsock_t *), or NULL when there is no endpoint. */
void *hub_feed_sock (hub_feed_t *self);
/* Answer one waiting integration request. */
void hub_feed_handle (hub_feed_t *self, db_t *db);
/* Take what waits in the inbox and the tracking inbox now; the loop calls
 * it every HUB_FEED_INBOX_EVERY_MS. */
#define HUB_FEED_INBOX_EVERY_MS 2000
void hub_feed_inbox (hub_feed_t *self, db_t *db);

#endif
