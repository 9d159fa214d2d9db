/*
 * hub-receipt.h: the collection receipt, printed at close-out on the
 * station's document printer for the carrier's driver to sign: carrier,
 * date, parcel count, total weight, the manifest id as Code 128, lines for
 * the driver's name and signature (layout data/layouts/receipt.json, PDF).
 */
#ifndef DSP_HUB_RECEIPT_H
#define DSP_HUB_RECEIPT_H

#include <stddef.h>
#include <stdint.h>

#include "hub/req/hub-req.h"

/* The manifest's receipt as PDF, drawn by the draw worker: 1 with *data and *size
 * (the request's), 0 with *cause (caller frees), -1 while it is being drawn (hub-ask.h). */
int hub_receipt_draw (struct hub_req *req, int64_t manifest, const uint8_t **data, size_t *size, char **cause);
/* Queue the receipt for the requesting station's document printer (inside
 * the close-out's transaction; sent after commit by the spooler). A
 * receipt that cannot be drawn is kept as a failed job with the reason.
 * Returns the job id, or -1 on a database failure. */
int64_t hub_receipt_queue (struct hub_req *req, int64_t manifest);

#endif
