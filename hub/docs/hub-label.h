/*
 * hub-label.h: a parcel's shipment data from the database, and its label
 * drawn with its carrier's layout by the draw worker (hub/work/work-draw.h,
 * which keeps the layouts): nothing here draws on the loop.
 */
#ifndef DSP_HUB_LABEL_H
#define DSP_HUB_LABEL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "db.h"

/*
 * Parcel parcel_id's carrier label as ZPL at dpi, drawn and read back by
 * the draw worker (req/hub-ask.h): 1 with *data and *size (the request's
 * until it ends), 0 with *cause (caller frees) naming what is wrong with
 * the order or the carrier file, or -1: being drawn, the request runs
 * again once it is.
 */
struct hub_req;
int hub_label_draw (struct hub_req *req, int64_t parcel_id, int dpi, const uint8_t **data, size_t *size,
    char **cause);
/* What a draw worker needs for the document data shows: its JSON text,
 * canonical (keys sorted), so equal data asks once. Caller frees. */
char *hub_label_json (const json_t *data);
/*
 * The shipment JSON of a labelled parcel (doc/labels.md: sender, recipient,
 * carrier, service, tracking...; caller decrefs) and its carrier, or NULL
 * with *cause. Customs papers start from it too.
 */
struct carrier;
json_t *hub_label_shipment (db_t *db, conf_t *conf, int64_t parcel_id, const struct carrier **carrier_out,
    char **cause);

#endif
