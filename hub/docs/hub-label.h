/*
 * hub-label.h: the hub's use of the labels library: a parcel's shipment
 * data from the database, rendered with its carrier's layout. Layouts are
 * loaded once and kept for the life of the hub.
 */
#ifndef DSP_HUB_LABEL_H
#define DSP_HUB_LABEL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "db.h"

/*
 * Render parcel_id's carrier label as ZPL at dpi into *data and *size
 * (the caller frees data). Returns 0, or -1 with *cause (caller frees) naming what is wrong.
 */
int hub_label_render (db_t *db, conf_t *conf, int64_t parcel_id, int dpi, uint8_t **data, size_t *size, char **cause);
/*
 * The shipment JSON of a labelled parcel (doc/labels.md: sender, recipient,
 * carrier, service, tracking...; caller decrefs) and its carrier, or NULL
 * with *cause. Customs papers start from it too.
 */
struct carrier;
json_t *hub_label_shipment (db_t *db, conf_t *conf, int64_t parcel_id, const struct carrier **carrier_out,
    char **cause);
/* Free this module's cached layouts (at exit; the loop calls each module's). */
void hub_label_shutdown (void);

#endif
