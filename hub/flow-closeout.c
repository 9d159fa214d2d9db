/*
 * flow-closeout.c: commands "closeout-preview", "closeout" and "track".
 * A close-out reconciles labelled against scanned-out parcels of one
 * carrier (or one cage), writes a manifest and locks those parcels.
 */
#include "config.h"
#include "flow.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool
flow_closeout_carrier (struct hub_req *req, const char *carrier)
{
	db_stmt_t *st = db_prepare (req->db, "SELECT 1 FROM carriers WHERE code = ?1");
	db_bind_text (st, 1, carrier);
	bool ok = db_step (st) == DB_ROW;
	db_reset (st);
	if (!ok)
		hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT, "Carrier '%.24s' is not known (e.g. dpd, royal-mail, "
		    "dhl-express, ups, fedex, parcelforce, store-van)", carrier);
	return ok;
}

/* Counts and the missing parcels (labelled but not on a cage) into the reply. */
static void
flow_closeout_counts (struct hub_req *req, const char *carrier, const char *cage, int64_t *ready, int64_t *missing)
{
	db_stmt_t *st = db_prepare (req->db,
	    "SELECT count(*) FROM parcels p WHERE carrier = ?1 AND status = 'scanned_out' AND (?2 IS NULL OR cage = ?2)"
	    " AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.order_ref = p.order_ref AND h.released_at IS NULL"
	    " AND (h.parcel_id IS NULL OR h.parcel_id = p.id))");
	db_bind_text (st, 1, carrier);
	db_bind_text (st, 2, cage);
	*ready = db_step (st) == DB_ROW ? db_col_int (st, 0) : 0;
	db_reset (st);
	st = db_prepare (req->db,
	    "SELECT code FROM parcels WHERE carrier = ?1 AND status IN ('labelled', 'verified') ORDER BY id LIMIT 50");
	db_bind_text (st, 1, carrier);
	*missing = 0;
	while (db_step (st) == DB_ROW) {
		char key[40];
		snprintf (key, sizeof key, "missing.%lld", (long long) ++*missing);
		hub_reply_data (req, key, "%s", db_col_text (st, 0));
	}
	db_reset (st);
	hub_reply_data (req, "carrier", "%s", carrier);
	hub_reply_data (req, "scanned", "%lld", (long long) *ready);
	hub_reply_data (req, "missing", "%lld", (long long) *missing);
}

int
flow_cmd_closeout_preview (struct hub_req *req)
{
	const char *carrier = flow_arg (req, "carrier"), *cage = flow_arg (req, "cage");
	if (!flow_closeout_carrier (req, carrier))
		return 0;
	int64_t ready, missing;
	flow_closeout_counts (req, carrier, cage, &ready, &missing);
	hub_reply (req, missing ? PROTO_WARN : PROTO_OK, missing ? PR_INCOMPLETE : PR_OK,
	    "%s: %lld parcels ready to close, %lld labelled but not on a cage", carrier, (long long) ready,
	    (long long) missing);
	return 0;
}

int
flow_cmd_closeout (struct hub_req *req)
{
	const char *carrier = flow_arg (req, "carrier"), *cage = flow_arg (req, "cage");
	if (!flow_closeout_carrier (req, carrier))
		return 0;
	int64_t ready, missing;
	flow_closeout_counts (req, carrier, cage, &ready, &missing);
	if (ready == 0) {
		hub_reply (req, PROTO_REFUSED, PR_INCOMPLETE, "Nothing on %s's cages to close out. Scan parcels out first",
		    carrier);
		return 0;
	}
	db_stmt_t *st = db_prepare (req->db,
	    "INSERT INTO manifests (carrier, cage, closed_at, closed_by, parcels) VALUES (?1, ?2, ?3, ?4, ?5)");
	db_bind_text (st, 1, carrier);
	db_bind_text (st, 2, cage);
	db_bind_int (st, 3, req->now_ms);
	db_bind_text (st, 4, req->operator_badge);
	db_bind_int (st, 5, ready);
	int rc = db_step (st);
	db_reset (st);
	if (rc != DB_DONE)
		return -1;
	int64_t manifest = db_last_rowid (req->db);
	st = db_prepare (req->db,
	    "UPDATE parcels SET status = 'closed', closed_at = ?3, manifest_id = ?4 WHERE carrier = ?1"
	    " AND status = 'scanned_out' AND (?2 IS NULL OR cage = ?2) AND NOT EXISTS (SELECT 1 FROM holds h"
	    " WHERE h.order_ref = parcels.order_ref AND h.released_at IS NULL"
	    " AND (h.parcel_id IS NULL OR h.parcel_id = parcels.id))");
	db_bind_text (st, 1, carrier);
	db_bind_text (st, 2, cage);
	db_bind_int (st, 3, req->now_ms);
	db_bind_int (st, 4, manifest);
	if (db_step (st) != DB_DONE)
		return -1;
	db_reset (st);
	/* Every order touched moves on; collect refs first (one statement at a time). */
	st = db_prepare (req->db, "SELECT DISTINCT order_ref FROM parcels WHERE manifest_id = ?1");
	db_bind_int (st, 1, manifest);
	char **refs = NULL;
	size_t n = 0;
	while (db_step (st) == DB_ROW) {
		refs = xrealloc (refs, (n + 1) * sizeof *refs);
		refs[n++] = xstrdup (db_col_text (st, 0));
	}
	db_reset (st);
	rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (rc == 0 && (flow_order_update (req, refs[i], NULL, 0) != 0
		        || flow_event (req, "closeout", refs[i], 0, 0, false, "manifest %lld (%s)", (long long) manifest,
		            carrier) != 0))
			rc = -1;
		free (refs[i]);
	}
	free (refs);
	if (rc != 0)
		return -1;
	hub_reply (req, missing ? PROTO_WARN : PROTO_OK, missing ? PR_INCOMPLETE : PR_OK,
	    "%s closed out: manifest %lld, %lld parcels%s", carrier, (long long) manifest, (long long) ready,
	    missing ? ". Some labelled parcels are NOT on a cage: see the list" : "");
	hub_reply_data (req, "manifest", "%lld", (long long) manifest);
	hub_reply_data (req, "count", "%lld", (long long) ready);
	return 0;
}

int
flow_cmd_track (struct hub_req *req)
{
	static const char *const events[] = { "in_transit", "delivered", "exception" };
	const char *event = flow_arg (req, "event"), *detail = flow_arg (req, "detail");
	size_t i;
	for (i = 0; i < nitems (events); i++)
		if (strcmp (events[i], event) == 0)
			break;
	if (i == nitems (events)) {
		hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT, "Event '%.20s' is not in_transit, delivered or exception",
		    event);
		return 0;
	}
	struct flow_target t;
	int r = flow_resolve (req, flow_arg (req, "code"), &t);
	if (r != 0)
		return r < 0 ? -1 : 0;
	if (t.kind != FLOW_PARCEL) {
		hub_reply (req, PROTO_REFUSED, PR_UNKNOWN_BARCODE, "No parcel %.40s. Give its tracking number or SSCC",
		    t.code);
		return 0;
	}
	struct flow_parcel *p = &t.parcel;
	if (strcmp (p->status, "closed") != 0 && strcmp (p->status, "in_transit") != 0
	    && strcmp (p->status, "delivered") != 0) {
		hub_reply (req, PROTO_REFUSED, PR_WRONG_STEP, "Parcel %s is %s: it has not been handed over yet",
		    p->code, p->status);
		return 0;
	}
	db_stmt_t *st = db_prepare (req->db,
	    "INSERT INTO tracking (parcel_id, at, event, detail, source) VALUES (?1, ?2, ?3, ?4, ?5)");
	db_bind_int (st, 1, p->id);
	db_bind_int (st, 2, req->now_ms);
	db_bind_text (st, 3, event);
	db_bind_text (st, 4, detail ? detail : "");
	db_bind_text (st, 5, req->operator_badge);
	int rc = db_step (st);
	db_reset (st);
	if (rc != DB_DONE)
		return -1;
	if (i < 2 && strcmp (p->status, "delivered") != 0) {
		st = db_prepare (req->db, "UPDATE parcels SET status = ?2 WHERE id = ?1");
		db_bind_int (st, 1, p->id);
		db_bind_text (st, 2, event);
		rc = db_step (st);
		db_reset (st);
		if (rc != DB_DONE || flow_order_update (req, p->order, NULL, 0) != 0)
			return -1;
	}
	if (flow_event (req, "track", p->order, p->id, 0, false, "%s %s", event, detail ? detail : "") != 0
	    || flow_parcel_get (req, p->id, p) != 0)
		return -1;
	hub_reply (req, PROTO_OK, PR_OK, "%s: %s", p->code, event);
	flow_data_parcel (req, p);
	return 0;
}
