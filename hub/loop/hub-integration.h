/*
 * hub-integration.h: the integration endpoint (setting hub.integration),
 * a REP socket other systems push to: one JSON document per request, the
 * import JSON of doc/orders.md or a tracking push of doc/carriers.md, and
 * one JSON answer.
 *
 * An order push is imported in slices between the loop's batches
 * (store/hub-import.h), so a push of 16 MiB delays no terminal; its answer
 * goes out when the import is done. Until then the REP socket takes no
 * other request (ZeroMQ's REP answers one at a time), and the next waits
 * in its queue. The loop owns the object and is its only caller.
 */
#ifndef DSP_HUB_INTEGRATION_H
#define DSP_HUB_INTEGRATION_H

#include <stdbool.h>

#include "db.h"
#include "hub-curve.h"

typedef struct hub_integration hub_integration_t;

/* Bind endpoint (curve NULL: a plain socket); NULL and *cause (caller frees) on failure. */
hub_integration_t *hub_integration_new (const char *endpoint, hub_curve_t *curve, char **cause);
void hub_integration_destroy (hub_integration_t **self_p);
/* The socket to poll (a zsock_t *). */
void *hub_integration_sock (hub_integration_t *self);
/* A request waits on the socket: a tracking push or a bad one is answered
 * now; an order push begins its import. */
void hub_integration_handle (hub_integration_t *self, db_t *db);
/* One slice of the push being imported (about budget_ms), then its answer
 * when it is done. True while there is more to do. */
bool hub_integration_step (hub_integration_t *self, db_t *db, int budget_ms);
bool hub_integration_busy (const hub_integration_t *self);

#endif
