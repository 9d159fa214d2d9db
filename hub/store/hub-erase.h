/*
 * hub-erase.h: a customer's personal data out of the hub, in one step.
 *
 * For each order erased: the order keeps what accounting needs (reference,
 * channel, country, service, values, price, carrier, dates) and loses name,
 * address, town, postcode, phone, email and loyalty number. Its parcels'
 * tracking loses where it was (location), who signed and the image of the
 * signature; rendered labels and despatch tickets (label_jobs.data) are
 * dropped and a job still waiting is cancelled.
 *
 * The customer's strings are then found wherever a copy went, in two ways:
 *
 *   - distinctive strings (the name, each address line, the street without
 *     its house number, postcode, phone, email, a loyalty number, a POD
 *     signer: 4 bytes or more) are erased everywhere: every text column of
 *     every table but the orders themselves (a neighbour at the same
 *     address keeps hers), every stored reply, every line of a file;
 *   - every personal string, the short and common ones too (the town, the
 *     tracking locations, the words of the name, a loyalty tier), is erased
 *     where it is bound to the customer: rows of the order (its audit
 *     events, notes, holds, tracking, print jobs), stored replies that name
 *     the order, and lines of a file that hold one of its keys (order
 *     reference, parcel code, tracking number, SSCC). In such a line a
 *     prefix of 8 bytes or more is erased too (a fixed-width manifest cuts
 *     long fields).
 *
 * Columns are rewritten with "[erased]"; stored replies and files byte for
 * byte with '*' (same length: a reply still decodes, a file keeps its
 * layout), files in place, so they keep their inode, owner and mode and a
 * line the hub appends meanwhile is not lost. hub_erase_orders runs inside
 * the caller's transaction with secure_delete on; the caller VACUUMs
 * afterwards (despatch erase) so no free page keeps a copy.
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
	int labels;          /* rendered labels and tickets dropped */
	int files;           /* files rewritten */
	char *changes;       /* "table.column: N" lines (caller frees) */
	char **strings;      /* distinctive strings, erased everywhere */
	int nstrings;
	char **bound;        /* every personal string, erased where bound to the customer */
	int nbound;
	char **keys;         /* what binds a row, line or reply to the customer */
	int nkeys;
	char **pod_images;   /* proof-of-delivery images the tracking named (the reference is cleared) */
	int npod_images;
	char **printing;     /* print jobs already with CUPS ("job 12: CUPS job 40 on zebra-1"), their data there */
	int nprinting;
	struct hub_erase_index *index; /* the lists above filed for the search, once complete (hub-erase.c's) */
};

/* Orders whose customer_name is name (any case), or the one order ref when
 * by_ref; adds their personal strings and keys to rep. Returns the count or -1. */
int hub_erase_find (db_t *db, const char *name, int by_ref, struct hub_erase_report *rep, char ***refs);
/* Erase those orders (inside a transaction); 0 or -1 (database error). */
int hub_erase_orders (db_t *db, char **refs, int nrefs, struct hub_erase_report *rep);
/* Rewrite a file in place (same length) where it holds the customer's
 * strings; 1 changed, 0 not, -1 error (errno set). */
int hub_erase_file (const char *path, struct hub_erase_report *rep);
/* How many of the customer's strings a file holds (read only: the files the
 * erase leaves to their owners); -1 when it cannot be read. */
int hub_erase_file_holds (const char *path, struct hub_erase_report *rep);
/* Retention: orders delivered more than days ago and not yet erased (up to 100, in one erase); returns how many
 * were erased, or -1 on a database error (the caller rolls back). All of it in the caller's transaction. */
int hub_erase_retention (db_t *db, int days, int64_t now_ms);

/*
 * Retention in steps, for the hub's loop: a search of every table of a
 * large database is seconds, so a step searches slice_rows rows of one
 * table (or of the stored replies), each in the caller's transaction, and
 * the last erases the orders themselves, their own rows (notes, holds,
 * tracking, events, parcels) and what was written meanwhile. The orders
 * and their own rows keep their data until then: a sweep cut short is
 * begun again, and loses nothing.
 */
#define HUB_ERASE_SLICE_ROWS 2000
typedef struct hub_erase_sweep hub_erase_sweep_t;
/* The orders due (n: how many, or -1 on a database error) and their strings; NULL when none is due. The sweep
 * works on db until it is destroyed. */
hub_erase_sweep_t *hub_erase_sweep_new (db_t *db, int days, int64_t now_ms, int slice_rows, int *n);
/*
 * The orders due found as the hub's loop finds them, slice_rows orders a
 * step (in a year's database the search of every order is a second): new
 * reads how many orders there are (NULL: retention off, or a database
 * error); a step 1 more to search, 0 done (all searched, or a pass's 100
 * found), -1 a database error. Then hub_erase_sweep_new_due.
 */
#define HUB_ERASE_DUE_SLICE_ORDERS 500 /* 2.5 ms a step on average, 9 ms at worst, in 200,000 orders */
typedef struct hub_erase_due hub_erase_due_t;
hub_erase_due_t *hub_erase_due_new (db_t *db, int days, int64_t now_ms, int slice_rows);
int hub_erase_due_step (hub_erase_due_t *self, db_t *db);
int hub_erase_due_steps (const hub_erase_due_t *self);
void hub_erase_due_destroy (hub_erase_due_t **self_p);
/* The sweep of the orders *due_p found (as hub_erase_sweep_new), which it destroys. */
hub_erase_sweep_t *hub_erase_sweep_new_due (db_t *db, hub_erase_due_t **due_p, int slice_rows, int *n);
/* One step: 1 more to do, 0 done (the orders erased), -1 a database error (roll back, destroy it). */
int hub_erase_sweep_step (hub_erase_sweep_t *self);
/* The steps taken so far. */
int hub_erase_sweep_steps (const hub_erase_sweep_t *self);
/* The orders it erases: those due at its start, less any no longer due at its end (a parcel came back). */
int hub_erase_sweep_orders (const hub_erase_sweep_t *self);
void hub_erase_sweep_destroy (hub_erase_sweep_t **self_p);
void hub_erase_report_free (struct hub_erase_report *rep);

#endif
