/*
 * hub-customs.h: customs papers for parcels leaving the UK.
 *
 * When a parcel is labelled for a destination outside GB (and outside the
 * service's customs-free list), its service's "customs" setting in the
 * carrier file says which paper goes with it: cn22 (a CN23 instead when the
 * contents are worth more than HUB_CUSTOMS_CN22_LIMIT), cn23, or invoice (a
 * commercial invoice, for couriers). Every line of the order must then
 * carry description, HS code, country of origin, value, currency and
 * weight; the paper is drawn from data/layouts/cn22.json, cn23.json or
 * invoice.json as a PDF (by the draw worker) and queued as the order's
 * document job on the station's document printer.
 */
#ifndef DSP_HUB_CUSTOMS_H
#define DSP_HUB_CUSTOMS_H

#include <stddef.h>
#include <stdint.h>

#include "hub/req/hub-req.h"

/* Above this (pence) a CN22 becomes a CN23 (Royal Mail's limit). */
#define HUB_CUSTOMS_CN22_LIMIT 27000

/*
 * Before numbers are taken: which paper the parcel of order ref to country
 * by carrier/service needs. Returns 0 with *paper the layout name ("cn22",
 * "cn23", "invoice") or NULL when none; 1 when a line lacks customs data
 * (the reply is filled: REFUSED BAD_DATA naming the line and the field);
 * -1 on a database failure.
 */
int hub_customs_check (struct hub_req *req, const char *ref, const char *country, const char *carrier,
    const char *service, const char **paper);

/* Paper for the labelled parcel as PDF, drawn by the draw worker: 1 with *data and *size
 * (the request's), 0 with *cause (caller frees), -1 while it is being drawn (hub-ask.h). */
int hub_customs_draw (struct hub_req *req, int64_t parcel_id, const char *paper, const uint8_t **data, size_t *size,
    char **cause);

/*
 * Queue paper for the parcel's order on the requesting station's document
 * printer (inside the label's transaction; sent after commit by the spooler).
 * A paper that cannot be drawn is kept as a failed job with the reason.
 * Returns the job id, or -1 on a database failure.
 */
int64_t hub_customs_queue (struct hub_req *req, int64_t parcel_id, const char *paper);


#endif
