/*
 * hub-ticket.h: the despatch ticket: the order label printed at the sales
 * desk, carried to despatch with the goods. Its Code 128 is the order
 * reference, which the receive step reads (layout data/layouts/ticket.json).
 */
#ifndef DSP_HUB_TICKET_H
#define DSP_HUB_TICKET_H

#include <stddef.h>
#include <stdint.h>

struct hub_req;

/* The ticket of order_ref as ZPL at dpi, drawn by the draw worker (caller
 * frees *data); 0, or -1 and *cause (caller frees): it cannot be drawn, or
 * it is being drawn (req/hub-ask.h: then the request runs again and this
 * run is not kept). */
int hub_ticket_render (struct hub_req *req, const char *order_ref, int dpi, uint8_t **data, size_t *size,
    char **cause);

#endif
