/*
 * fuzz-import.c: the order import parser (CSV, or JSON when the text starts
 * with '{' or '[': the parser chooses, so one harness covers both) must
 * refuse or take any file without crashing. Each input is imported into an
 * in-memory hub database inside a transaction that is then rolled back, so
 * every input meets the same empty store and the checks against it run too.
 */
#include "config.h"
#include "fuzz.h"
#include "hub/store/hub-import.h"
#include "hub/store/hub-store.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static db_t *fuzz_db;

static void
fuzz_import_close (void)
{
	db_close (&fuzz_db);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	if (fuzz_db == NULL) {
		char *cause = NULL;
		fuzz_db = hub_store_open (":memory:", &cause);
		if (fuzz_db == NULL) {
			fprintf (stderr, "fuzz-import: %s\n", cause);
			abort ();
		}
		atexit (fuzz_import_close);
	}
	if (db_begin (fuzz_db) != DB_DONE)
		abort ();
	struct hub_import_report rep;
	int rc = hub_import_text (fuzz_db, "fuzz", (const char *) data, size, 1700000000000, &rep);
	if (rc < 0 || (rc == 1) != (rep.nerrors > 0) || rep.created + rep.updated + rep.unchanged > rep.orders)
		abort ();
	for (int i = 0; i < rep.nerrors; i++)
		if (rep.errors[i] == NULL)
			abort ();
	hub_import_report_free (&rep);
	db_rollback (fuzz_db);
	return 0;
}
