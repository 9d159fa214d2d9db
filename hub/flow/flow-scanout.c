/* flow-scanout.c: steps "cage" and "scanout": parcels onto a carrier's cage or van. */
#include "config.h"
#include "flow-steps.h"
#include "hub/req/flow.h"
#include "util.h"

#include <string.h>

static int64_t
flow_scanout_count (struct hub_req *req, const char *cage)
{
	db_stmt_t *st = db_prepare (req->db, "SELECT count(*) FROM parcels WHERE cage = ?1 AND status = 'scanned_out'");
	db_bind_text (st, 1, cage);
	int64_t n = db_step (st) == DB_ROW ? db_col_int (st, 0) : 0;
	db_reset (st);
	return n;
}

int
flow_scanout_cage (struct hub_req *req)
{
	struct flow_target t;
	int r = flow_resolve (req, proto_get_str (req->msg, PROTO_SCAN_CODE), &t);
	if (r != 0)
		return flow_scan_done (req, NULL, r < 0 ? -1 : 0);
	if (t.kind != FLOW_CAGE) {
		hub_reply (req, PROTO_REFUSED, t.kind == FLOW_NONE ? PR_UNKNOWN_BARCODE : PR_WRONG_STEP,
		    "%.40s is not a cage or van. Scan the label on the cage", t.code);
		return flow_scan_done (req, NULL, 0);
	}
	int64_t on = flow_scanout_count (req, t.cage);
	hub_reply (req, PROTO_OK, PR_OK, "%s (%s): %lld parcel%s on it. Scan parcels onto it", t.cage, t.cage_name,
	    (long long) on, on == 1 ? "" : "s");
	hub_reply_data (req, "cage", "%s", t.cage);
	hub_reply_data (req, "carrier", "%s", t.cage_carrier);
	hub_reply_data (req, "count", "%lld", (long long) flow_scanout_count (req, t.cage));
	return flow_scan_done (req, NULL, 0);
}

int
flow_scanout (struct hub_req *req)
{
	const char *cage_code = flow_ctx (req, "cage");
	struct flow_target cage, t;
	if (cage_code == NULL) {
		hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT, "Which cage? Scan the cage label first");
		return flow_scan_done (req, NULL, 0);
	}
	int r = flow_resolve (req, cage_code, &cage);
	if (r < 0)
		return -1;
	if (r > 0 || cage.kind != FLOW_CAGE) {
		hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT, "Cage %.32s is not known. Scan the cage label again",
		    cage_code);
		return flow_scan_done (req, NULL, 0);
	}
	r = flow_resolve (req, proto_get_str (req->msg, PROTO_SCAN_CODE), &t);
	if (r != 0)
		return flow_scan_done (req, NULL, r < 0 ? -1 : 0);
	if (t.kind != FLOW_PARCEL) {
		if (t.kind == FLOW_ORDER)
			hub_reply (req, PROTO_REFUSED, PR_WRONG_STEP, "That is the despatch ticket of %s. Scan the parcel's "
			    "carrier label", t.order.ref);
		else if (!flow_refuse_symbol (req, &t))
			hub_reply (req, PROTO_REFUSED, PR_UNKNOWN_BARCODE, "Unknown label %.40s. Set the parcel aside and "
			    "enquire", t.code);
		return flow_scan_done (req, t.kind == FLOW_ORDER ? t.order.ref : NULL, 0);
	}
	struct flow_parcel *p = &t.parcel;
	hub_reply_data (req, "cage", "%s", cage.cage);
	if (flow_on_hold_alarm (req, p->order, p->id, p->code))
		return flow_scan_done (req, p->order, 0);
	static const enum hub_parcel_state closed[] = { PARCEL_CLOSED, PARCEL_IN_TRANSIT, PARCEL_DELIVERED };
	for (size_t i = 0; i < nitems (closed); i++)
		if (p->state == closed[i]) {
			hub_reply (req, PROTO_REFUSED, PR_CLOSED, "Parcel %s is closed out (%s): it has left. Enquire",
			    p->code, hub_state_parcel_name (p->state));
			return flow_scan_done (req, p->order, 0);
		}
	if (p->state == PARCEL_VOID) {
		hub_reply (req, PROTO_ALARM, PR_WRONG_LABEL, "CANCELLED LABEL on %s. Take the parcel back to packing",
		    p->code);
		return flow_scan_done (req, p->order, 0);
	}
	if (p->state == PARCEL_PACKED) {
		hub_reply (req, PROTO_ALARM, PR_NOT_LABELLED, "NOT LABELLED: parcel %s has no carrier label. Take it "
		    "back to packing", p->code);
		return flow_scan_done (req, p->order, 0);
	}
	if (strcmp (p->carrier, cage.cage_carrier) != 0) {
		db_stmt_t *st = db_prepare (req->db, "SELECT code FROM cages WHERE carrier = ?1 ORDER BY code LIMIT 1");
		db_bind_text (st, 1, p->carrier);
		char right[33] = "";
		if (db_step (st) == DB_ROW)
			util_strlcpy (right, db_col_text (st, 0), sizeof right);
		db_reset (st);
		hub_reply (req, PROTO_ALARM, PR_WRONG_CARRIER, "WRONG CAGE: parcel %s goes by %s, this is %s's cage. "
		    "Put it on %s", p->code, p->carrier, cage.cage_carrier, *right ? right : "its carrier's cage");
		hub_reply_data (req, "carrier", "%s", p->carrier);
		hub_reply_data (req, "right_cage", "%s", right);
		return flow_scan_done (req, p->order, 0);
	}
	if (p->state == PARCEL_LABELLED) {
		hub_reply (req, PROTO_REFUSED, PR_WRONG_STEP, "Label of %s was not checked at the bench. Scan it at "
		    "verify first", p->code);
		return flow_scan_done (req, p->order, 0);
	}
	if (p->state == PARCEL_SCANNED_OUT) {
		char who[129], when[8];
		flow_who (req, p->last_by, who, sizeof who);
		flow_hhmm (p->last_at, when, sizeof when);
		hub_reply_data (req, "by", "%s", p->last_by);
		if (strcmp (p->cage, cage.cage) == 0) {
			hub_reply (req, PROTO_OK, PR_ALREADY_DONE, "%s already on %s (%s by %s)", p->code, p->cage, when, who);
		} else {
			hub_reply (req, PROTO_REFUSED, PR_CONFLICT, "%s is already on %s (%s by %s). Leave it there, or undo "
			    "that scan first", p->code, p->cage, when, who);
			flow_data_parcel (req, p);
			return flow_scan_done (req, p->order, 0);
		}
	} else {
		db_stmt_t *st = db_prepare (req->db,
		    "UPDATE parcels SET status = 'scanned_out', cage = ?2, scanned_out_at = ?3, scanned_out_by = ?4"
		    " WHERE id = ?1");
		db_bind_int (st, 1, p->id);
		db_bind_text (st, 2, cage.cage);
		db_bind_int (st, 3, req->now_ms);
		db_bind_text (st, 4, req->operator_badge);
		int rc = db_step (st);
		db_reset (st);
		if (rc != DB_DONE || flow_event (req, "scanout", p->order, p->id, 0, true, "onto %s", cage.cage) != 0
		    || flow_order_update (req, p->order, NULL) != 0 || flow_parcel_get (req, p->id, p) != 0)
			return -1;
		hub_reply (req, PROTO_OK, PR_OK, "%s on %s", p->code, cage.cage);
	}
	struct flow_order o;
	if (flow_order_get (req, p->order, &o) == 0)
		flow_data_order (req, &o);
	flow_data_parcel (req, p);
	hub_reply_data (req, "count", "%lld", (long long) flow_scanout_count (req, cage.cage));
	return flow_scan_done (req, p->order, 0);
}
