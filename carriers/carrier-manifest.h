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
 * The parcels of manifest_id in the carrier's format, as the text of
 * OUTBOX/CARRIER/CARRIER-YYYYMMDD-NNNNNN.csv (or .txt when fixed; -route.csv
 * for a route export; the folder is made). Nothing is written: the caller
 * writes *text as *path + ".part" and has it renamed to *path once its
 * transaction commits (the hub's file worker and after-commit list). *path
 * and *text (*len bytes; caller frees both) and *rows; 0, or -1 with *cause.
 */
int carrier_manifest_text (db_t *db, const struct carrier *c, int64_t manifest_id, const char *outbox, char **path,
    char **text, size_t *len, int *rows, char **cause);

/* The field table as Markdown rows (for doc/carriers.md). */
void carrier_manifest_doc (FILE *f);

#endif
