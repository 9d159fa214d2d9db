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

/* Render manifest's receipt as PDF (caller frees *data); 0, or -1 and *cause. */
int hub_receipt_render (db_t *db, int64_t manifest, uint8_t **data, size_t *size, char **cause);
/* Queue the receipt for the requesting station's document printer (inside
 * the close-out's transaction; sent after commit by the spooler). A
 * receipt that cannot be drawn is kept as a failed job with the reason.
 * Returns the job id, or -1 on a database failure. */
int64_t hub_receipt_queue (struct hub_req *req, int64_t manifest);
/* Free the cached layout (at exit). */
void hub_receipt_shutdown (void);

#endif
