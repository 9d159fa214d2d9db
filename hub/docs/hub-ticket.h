/*
 * hub-ticket.h: the despatch ticket: the order label printed at the sales
 * desk, carried to despatch with the goods. Its Code 128 is the order
 * reference, which the receive step reads (layout data/layouts/ticket.json).
 */
#ifndef DSP_HUB_TICKET_H
#define DSP_HUB_TICKET_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "db.h"

/* Render the ticket of order_ref as ZPL at dpi (caller frees *data); 0, or -1 and *cause. */
int hub_ticket_render (db_t *db, const char *order_ref, int dpi, uint8_t **data, size_t *size, char **cause);

/* Free the cached layout (at exit). */
void hub_ticket_shutdown (void);

#endif
