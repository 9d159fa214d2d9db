/*
 * hub-import.h: orders in, from till and ERP exports (CSV or JSON, see
 * doc/orders.md), the inbox folder and the integration endpoint.
 *
 * A file is imported whole or not at all: every row is checked first and
 * each bad one reported with its line number; then, inside a savepoint of
 * the caller's transaction, new orders are added, unchanged ones left
 * alone, changed ones updated while still "new", and a change to an order
 * already received in despatch refuses the file.
 */
#ifndef DSP_HUB_IMPORT_H
#define DSP_HUB_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

struct hub_import_report {
	int orders, created, updated, unchanged;
	int nerrors;
	char **errors;  /* "line 7: quantity must be a whole number from 1 to 999" */
};

/*
 * Import text (CSV, or JSON when it starts with '{' or '['); name is for
 * messages and the audit. Must run inside a transaction the caller owns.
 * Returns 0 imported, 1 refused (rep->errors says why; nothing changed),
 * -1 the database failed (nothing changed).
 */
int hub_import_text (db_t *db, const char *name, const char *text, size_t len, int64_t now_ms,
    struct hub_import_report *rep);
/* The same for a file; a file that cannot be read is refused with the reason. */
int hub_import_file (db_t *db, const char *path, int64_t now_ms, struct hub_import_report *rep);
void hub_import_report_free (struct hub_import_report *rep);

/*
 * The inbox: import every *.csv and *.json file in dir, each in its own
 * transaction, then move it to dir/done/ or dir/failed/ (with NAME.errors
 * beside it). Returns how many files were taken.
 */
int hub_import_inbox (db_t *db, const char *dir);

#endif
