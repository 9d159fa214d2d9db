/*
 * carrier-manifest.h: manifests and route exports written into the outbox
 * in each carrier's format (doc/carriers.md "Manifests").
 */
#ifndef DSP_CARRIER_MANIFEST_H
#define DSP_CARRIER_MANIFEST_H

#include <stdbool.h>
#include <stdio.h>

#include "carrier.h"

/* Whether a manifest-fields entry is known ("tracking", or "tracking:20" when fixed); else why. */
bool carrier_manifest_field_ok (const char *field, bool fixed, char *why, size_t n);

/*
 * Write the parcels of manifest_id for OUTBOX/CARRIER/CARRIER-YYYYMMDD-NNNNNN.csv
 * (or .txt when fixed; -route.csv for a route export). The file is left as
 * *path + ".part": the caller has it renamed to *path once its transaction
 * commits (the hub renames it then). *path (caller frees) and *rows; 0, or -1
 * with *cause (and no file).
 */
int carrier_manifest_write (db_t *db, const struct carrier *c, int64_t manifest_id, const char *outbox, char **path,
    int *rows, char **cause);

/* The field table as Markdown rows (for doc/carriers.md). */
void carrier_manifest_doc (FILE *f);

#endif
