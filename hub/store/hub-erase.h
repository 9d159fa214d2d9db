/*
 * hub-erase.h: a customer's personal data out of the hub, in one step.
 *
 * For each order erased: the order keeps what accounting needs (reference,
 * channel, country, service, values, price, carrier, dates) and loses name,
 * address, postcode, phone, email and loyalty number; those strings are
 * then replaced wherever else they occur in any text column of any table
 * except orders themselves (notes, audit events, scans, holds, tracking,
 * label titles...: a neighbour at the same address keeps hers), stored
 * replies are rewritten byte for byte (same length, so they still decode),
 * rendered labels (label_jobs.data) are dropped, and proof-of-delivery
 * names cleared. Runs inside the caller's transaction with secure_delete on;
 * the caller VACUUMs afterwards (despatch erase) so no free page keeps a copy.
 */
#ifndef DSP_HUB_ERASE_H
#define DSP_HUB_ERASE_H

#include <stdint.h>

#include "db.h"

#define HUB_ERASED_NAME "(erased)"

struct hub_erase_report {
	int orders;          /* orders erased */
	int rows;            /* rows changed elsewhere (notes, events, scans...) */
	int replies;         /* stored replies rewritten */
	int labels;          /* rendered labels dropped */
	int files;           /* export files rewritten */
	char *changes;       /* "table.column: N" lines (caller frees) */
	char **strings;      /* the personal strings found (caller frees with the report) */
	int nstrings;
};

/* Orders whose customer_name is name (any case), or the one order ref when
 * by_ref; adds their personal strings to rep. Returns the count or -1. */
int hub_erase_find (db_t *db, const char *name, int by_ref, struct hub_erase_report *rep, char ***refs);
/* Erase those orders (inside a transaction); 0 or -1 (database error). */
int hub_erase_orders (db_t *db, char **refs, int nrefs, struct hub_erase_report *rep);
/* Rewrite a text file in place (same length) when it holds a string; 1 changed, 0 not, -1 error. */
int hub_erase_file (const char *path, struct hub_erase_report *rep);
/* Retention: orders delivered more than days ago and not yet erased; returns how many were erased. */
int hub_erase_retention (db_t *db, int days, int64_t now_ms);
void hub_erase_report_free (struct hub_erase_report *rep);

#endif
