/* flow-enquiry.c: step "enquiry": anything scanned gives status, history, notes and tracking. */
#include "config.h"
#include "flow-steps.h"
#include "hub/req/flow.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows of sql (bound to ref) as key.N = col0|col1|..., newest last; at most max. */
static void
flow_enquiry_rows (struct hub_req *req, const char *key, const char *count, const char *sql, const char *ref, int cols)
{
	db_stmt_t *st = db_prepare (req->db, sql);
	db_bind_text (st, 1, ref);
	int n = 0;
	while (db_step (st) == DB_ROW) {
		char k[32], iso[32];
		snprintf (k, sizeof k, "%s.%d", key, ++n);
		util_iso_time (db_col_int (st, 0), iso, sizeof iso);
		/* Built to its length: a note of 500 characters may be 2000 bytes. */
		char *row = xstrdup (iso);
		for (int i = 1; i < cols; i++) {
			char *more = xasprintf ("%s|%s", row, db_col_text (st, i));
			free (row);
			row = more;
		}
		hub_reply_data (req, k, "%s", row);
		free (row);
	}
	db_reset (st);
	hub_reply_data (req, count, "%d", n);
}

/* The order's one parcel that is not void (0 when none). */
static int64_t
flow_enquiry_only_parcel (struct hub_req *req, const char *ref)
{
	db_stmt_t *st = db_prepare (req->db, "SELECT id FROM parcels WHERE order_ref = ?1 AND status <> 'void'");
	db_bind_text (st, 1, ref);
	int64_t id = db_step (st) == DB_ROW ? db_col_int (st, 0) : 0;
	db_reset (st);
	return id;
}

/* One tracking row's fields into the reply as prefix_status, prefix_at...; the carrier's time when it gave one. */
static const struct {
	const char *key, *sql;
} flow_enquiry_track_sql[] = {
	{ "tracking", "SELECT coalesce(status, event), coalesce(carrier_at, ''), at, coalesce(location, ''),"
	    " coalesce(signed_by, ''), coalesce(pod_image, '') FROM tracking WHERE parcel_id = ?1 ORDER BY id DESC LIMIT 1" },
	{ "pod", "SELECT coalesce(status, event), coalesce(carrier_at, ''), at, coalesce(location, ''), signed_by,"
	    " coalesce(pod_image, '') FROM tracking WHERE parcel_id = ?1 AND coalesce(signed_by, '') <> ''"
	    " ORDER BY id DESC LIMIT 1" },
};

/* The parcel's latest carrier status (tracking_status, tracking_at, tracking_location) and its proof of
 * delivery (pod_signed_by, pod_at, pod_image). */
static void
flow_enquiry_tracking (struct hub_req *req, int64_t parcel)
{
	for (size_t i = 0; i < nitems (flow_enquiry_track_sql); i++) {
		const char *key = flow_enquiry_track_sql[i].key;
		bool pod = strcmp (key, "pod") == 0;
		db_stmt_t *st = db_prepare (req->db, flow_enquiry_track_sql[i].sql);
		db_bind_int (st, 1, parcel);
		if (db_step (st) == DB_ROW) {
			char k[32], iso[32];
			util_iso_time (db_col_int (st, 2), iso, sizeof iso);
			const char *when = *db_col_text (st, 1) ? db_col_text (st, 1) : iso;
			if (!pod) {
				hub_reply_data (req, "tracking_status", "%s", db_col_text (st, 0));
				hub_reply_data (req, "tracking_at", "%s", when);
				if (*db_col_text (st, 3))
					hub_reply_data (req, "tracking_location", "%s", db_col_text (st, 3));
			} else {
				snprintf (k, sizeof k, "%s_signed_by", key);
				hub_reply_data (req, k, "%s", db_col_text (st, 4));
				snprintf (k, sizeof k, "%s_at", key);
				hub_reply_data (req, k, "%s", when);
				if (*db_col_text (st, 5)) {
					snprintf (k, sizeof k, "%s_image", key);
					hub_reply_data (req, k, "%s", db_col_text (st, 5));
				}
			}
		}
		db_reset (st);
	}
}

int
flow_enquiry (struct hub_req *req)
{
	struct flow_target t;
	int r = flow_resolve (req, proto_get_str (req->msg, PROTO_SCAN_CODE), &t);
	if (r != 0)
		return flow_scan_done (req, NULL, r < 0 ? -1 : 0);
	if (t.kind == FLOW_CAGE) {
		hub_reply (req, PROTO_OK, PR_OK, "%s: %s cage", t.cage, t.cage_carrier);
		hub_reply_data (req, "cage", "%s", t.cage);
		hub_reply_data (req, "carrier", "%s", t.cage_carrier);
		return flow_scan_done (req, NULL, 0);
	}
	if (t.kind == FLOW_NONE || t.kind == FLOW_SYMBOL) {
		if (!flow_refuse_symbol (req, &t))
			hub_reply (req, PROTO_REFUSED, PR_UNKNOWN_BARCODE, "Nothing known by %.40s", t.code);
		return flow_scan_done (req, NULL, 0);
	}
	struct flow_order *o = &t.order;
	char reason[FLOW_REASON_BYTES], by[65];
	bool held = flow_on_hold (req, o->ref, t.kind == FLOW_PARCEL ? t.parcel.id : 0, reason, sizeof reason, by,
	    sizeof by);
	flow_data_order (req, o);
	flow_data_lines (req, o->ref);
	if (held) {
		hub_reply_data (req, "hold", "%s", reason);
		hub_reply_data (req, "held_by", "%s", by);
	}
	db_stmt_t *st = db_prepare (req->db,
	    "SELECT code, status, coalesce(carrier, ''), coalesce(tracking, ''), coalesce(sscc, ''), coalesce(cage, '')"
	    " FROM parcels WHERE order_ref = ?1 AND status <> 'void' ORDER BY parcel_no");
	db_bind_text (st, 1, o->ref);
	int n = 0;
	while (db_step (st) == DB_ROW) {
		char k[24];
		snprintf (k, sizeof k, "parcel.%d", ++n);
		hub_reply_data (req, k, "%s|%s|%s|%s|%s|%s", db_col_text (st, 0), db_col_text (st, 1), db_col_text (st, 2),
		    db_col_text (st, 3), db_col_text (st, 4), db_col_text (st, 5));
	}
	db_reset (st);
	hub_reply_data (req, "parcels", "%d", n);
	if (t.kind == FLOW_PARCEL)
		flow_data_parcel (req, &t.parcel);
	flow_enquiry_rows (req, "history", "events", "SELECT at, coalesce(operator, ''), coalesce(station, ''), action, detail"
	    " FROM (SELECT * FROM events WHERE order_ref = ?1 ORDER BY id DESC LIMIT 40) ORDER BY id", o->ref, 5);
	flow_enquiry_rows (req, "note", "notes", "SELECT at, by, text FROM (SELECT * FROM notes WHERE order_ref = ?1"
	    " ORDER BY id DESC LIMIT 20) ORDER BY id", o->ref, 3);
	flow_enquiry_rows (req, "track", "tracks", "SELECT t.at, p.code, t.event, t.detail, coalesce(t.status, t.event),"
	    " coalesce(t.carrier_at, ''), coalesce(t.location, '') FROM tracking t JOIN parcels p"
	    " ON p.id = t.parcel_id WHERE p.order_ref = ?1 ORDER BY t.id DESC LIMIT 20", o->ref, 7);
	int64_t parcel = t.kind == FLOW_PARCEL ? t.parcel.id : n == 1 ? flow_enquiry_only_parcel (req, o->ref) : 0;
	if (parcel > 0)
		flow_enquiry_tracking (req, parcel);
	if (t.kind == FLOW_PARCEL)
		hub_reply (req, held ? PROTO_WARN : PROTO_OK, held ? PR_ON_HOLD : PR_OK, "Parcel %s: %s%s (order %s)",
		    t.parcel.code, hub_state_parcel_name (t.parcel.state), held ? ", ON HOLD" : "", o->ref);
	else
		hub_reply (req, held ? PROTO_WARN : PROTO_OK, held ? PR_ON_HOLD : PR_OK, "%s: %s%s", o->ref,
		    hub_state_order_name (o->state), held ? ", ON HOLD" : "");
	return flow_scan_done (req, o->ref, 0);
}
