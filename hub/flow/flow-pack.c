/*
 * flow-pack.c: steps "pack" and "verify", command "label". A parcel is
 * packed only when every line of every department is present (or a
 * supervisor released a part-shipment); packing labels it at once; the
 * packer then scans the printed label to prove it is on the right parcel.
 */
#include "config.h"
#include "flow-steps.h"
#include "hub/req/flow.h"
#include "screens.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

/* Refuse when a line is not found (and no part-shipment was released). */
static bool
flow_pack_incomplete (struct hub_req *req, const struct flow_order *o)
{
	db_stmt_t *st = db_prepare (req->db,
	    "SELECT line_no, status, department, sku FROM order_lines WHERE order_ref = ?1 AND status <> 'found'"
	    " ORDER BY status <> 'open', line_no LIMIT 1");
	db_bind_text (st, 1, o->ref);
	bool bad = false;
	if (db_step (st) == DB_ROW) {
		const char *status = db_col_text (st, 1);
		if (hub_state_line_parse (status) == LINE_OPEN) {
			bad = true;
			hub_reply (req, PROTO_REFUSED, PR_INCOMPLETE, "Not all here: line %lld (%s, %s) is not located yet. "
			    "Locate every line before packing", (long long) db_col_int (st, 0), db_col_text (st, 2),
			    db_col_text (st, 3));
		} else if (!o->part_release) {
			bad = true;
			hub_reply (req, PROTO_REFUSED, PR_INCOMPLETE, "Not all here: line %lld (%s, %s) is %s. Wait for it, "
			    "or a supervisor releases a part-shipment. " SCREEN_ASK SCREEN_IN_SUPER (SCREEN_PART),
			    (long long) db_col_int (st, 0), db_col_text (st, 2),
			    db_col_text (st, 3), status);
		}
	}
	db_reset (st);
	return bad;
}

static int
flow_pack_existing (struct hub_req *req, const char *ref, long no, struct flow_parcel *p)
{
	db_stmt_t *st = db_prepare (req->db,
	    "SELECT id FROM parcels WHERE order_ref = ?1 AND parcel_no = ?2 AND status <> 'void'");
	db_bind_text (st, 1, ref);
	db_bind_int (st, 2, no);
	int64_t id = db_step (st) == DB_ROW ? db_col_int (st, 0) : 0;
	db_reset (st);
	return id ? flow_parcel_get (req, id, p) : 1;
}

/* Label a parcel that was packed but never labelled (a range ran out, customs data was
 * missing): 0 with the reply filled, -1 on a database failure. */
static int
flow_pack_label_again (struct hub_req *req, struct flow_parcel *p)
{
	bool low = false;
	int lr = flow_label_parcel (req, p->id, &low);
	if (lr < 0 || flow_order_update (req, p->order, NULL) != 0 || flow_parcel_get (req, p->id, p) != 0)
		return -1;
	if (lr == 0)
		hub_reply (req, low ? PROTO_WARN : PROTO_OK, low ? PR_RANGE_LOW : PR_OK, "Parcel %s labelled %s %s%s",
		    p->code, p->carrier, p->tracking, low ? ". Numbers running low. " SCREEN_ASK SCREEN_IN_SUPER (SCREEN_RANGES) : "");
	flow_data_parcel (req, p);
	return 0;
}

/* The reply after a parcel is labelled (or refused labelling). */
static void
flow_pack_reply_data (struct hub_req *req, const char *ref, const struct flow_parcel *p)
{
	struct flow_order o;
	if (flow_order_get (req, ref, &o) == 0)
		flow_data_order (req, &o);
	flow_data_parcel (req, p);
	hub_reply_data (req, "parcels", "%d", o.parcels_expected);
	hub_reply_data (req, "service", "%s", p->service);
}

int
flow_pack (struct hub_req *req)
{
	struct flow_target t;
	int r = flow_resolve (req, proto_get_str (req->msg, PROTO_SCAN_CODE), &t);
	if (r != 0)
		return flow_scan_done (req, NULL, r < 0 ? -1 : 0);
	if (t.kind != FLOW_ORDER) {
		if (t.kind == FLOW_PARCEL)
			hub_reply (req, PROTO_REFUSED, PR_WRONG_STEP, "That is a parcel label. To pack, scan the despatch "
			    "ticket of order %s", t.parcel.order);
		else
			hub_reply (req, PROTO_REFUSED, PR_UNKNOWN_BARCODE, "Unknown ticket %.40s. Scan the despatch ticket",
			    t.code);
		return flow_scan_done (req, NULL, 0);
	}
	struct flow_order *o = &t.order;
	if (flow_on_hold_alarm (req, o->ref, 0, o->ref))
		return flow_scan_done (req, o->ref, 0);
	long total, no, weight;
	const char *box = flow_ctx (req, "box");
	if (!flow_ctx_long (req, "parcels", o->parcels_expected > 0 ? o->parcels_expected : 1, 1, 99, &total)
	    || !flow_ctx_long (req, "weight", -1, 1, 100000, &weight))
		return flow_scan_done (req, o->ref, 0);
	if (box == NULL || strlen (box) > 16) {
		hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT, "Which box? Choose the box type (up to 16 characters) "
		    "and scan again");
		return flow_scan_done (req, o->ref, 0);
	}
	db_stmt_t *st = db_prepare (req->db,
	    "SELECT coalesce(max(parcel_no), 0) + 1 FROM parcels WHERE order_ref = ?1 AND status <> 'void'");
	db_bind_text (st, 1, o->ref);
	long next = db_step (st) == DB_ROW ? (long) db_col_int (st, 0) : 1;
	db_reset (st);
	if (!flow_ctx_long (req, "parcel", next, 1, total, &no))
		return flow_scan_done (req, o->ref, 0);

	struct flow_parcel p;
	if (flow_pack_existing (req, o->ref, no, &p) == 0 && p.state == PARCEL_PACKED) {
		/* Packed before but never labelled: packing it again is how the packer asks for the label. */
		if (flow_pack_label_again (req, &p) != 0)
			return -1;
		return flow_scan_done (req, o->ref, 0);
	}
	if (flow_pack_existing (req, o->ref, no, &p) == 0) {
		char who[129], when[8];
		flow_who (req, p.last_by, who, sizeof who);
		flow_hhmm (p.last_at, when, sizeof when);
		hub_reply (req, PROTO_OK, PR_ALREADY_DONE, "Parcel %ld of %s already packed (%s %s by %s)", no, o->ref,
		    hub_state_parcel_name (p.state), when, who);
		flow_pack_reply_data (req, o->ref, &p);
		hub_reply_data (req, "by", "%s", p.last_by);
		return flow_scan_done (req, o->ref, 0);
	}
	if (o->state == ORDER_NEW) {
		hub_reply (req, PROTO_REFUSED, PR_WRONG_STEP, "%s is not received yet. Scan its ticket at receive, "
		    "then locate its lines", o->ref);
		return flow_scan_done (req, o->ref, 0);
	}
	static const enum hub_order_state after[] = { ORDER_SCANNED_OUT, ORDER_CLOSED, ORDER_IN_TRANSIT, ORDER_DELIVERED };
	for (size_t i = 0; i < nitems (after); i++)
		if (o->state == after[i]) {
			hub_reply (req, PROTO_REFUSED, PR_CLOSED, "%s is already %s: no more parcels can be added", o->ref,
			    hub_state_order_name (o->state));
			return flow_scan_done (req, o->ref, 0);
		}
	if (flow_pack_incomplete (req, o))
		return flow_scan_done (req, o->ref, 0);

	char code[48];
	snprintf (code, sizeof code, "%s/%ld", o->ref, no);
	st = db_prepare (req->db,
	    "INSERT INTO parcels (order_ref, parcel_no, code, box, weight_g, status, packed_at, packed_by)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, 'packed', ?6, ?7)");
	db_bind_text (st, 1, o->ref);
	db_bind_int (st, 2, no);
	db_bind_text (st, 3, code);
	db_bind_text (st, 4, box);
	db_bind_int (st, 5, weight);
	db_bind_int (st, 6, req->now_ms);
	db_bind_text (st, 7, req->operator_badge);
	int rc = db_step (st);
	db_reset (st);
	if (rc != DB_DONE)
		return -1;
	st = db_prepare (req->db, "UPDATE orders SET parcels_expected = ?2 WHERE ref = ?1");
	db_bind_text (st, 1, o->ref);
	db_bind_int (st, 2, total);
	rc = db_step (st);
	db_reset (st);
	if (rc != DB_DONE || flow_parcel_by_code (req, code, &p) != 0)
		return -1;
	if (flow_event (req, "pack", o->ref, p.id, 0, true, "parcel %ld of %ld, box %s, %ld g", no, total, box,
	        weight) != 0)
		return -1;
	bool low = false;
	int lr = flow_label_parcel (req, p.id, &low);
	if (lr < 0 || flow_order_update (req, o->ref, NULL) != 0 || flow_parcel_get (req, p.id, &p) != 0)
		return -1;
	if (lr == 0) {
		if (low)
			hub_reply (req, PROTO_WARN, PR_RANGE_LOW, "Parcel %ld of %ld labelled %s %s. The carrier's numbers are running "
			    "low. " SCREEN_ASK SCREEN_IN_SUPER (SCREEN_RANGES), no, total, p.carrier, p.tracking);
		else
			hub_reply (req, PROTO_OK, PR_OK, "Parcel %ld of %ld labelled %s %s. Put the label on, then scan it",
			    no, total, p.carrier, p.tracking);
	}
	flow_pack_reply_data (req, o->ref, &p);
	if (lr == 0)
		hub_reply_data (req, "next", "verify");
	return flow_scan_done (req, o->ref, 0);
}

int
flow_pack_verify (struct hub_req *req)
{
	struct flow_target t;
	int r = flow_resolve (req, proto_get_str (req->msg, PROTO_SCAN_CODE), &t);
	if (r != 0)
		return flow_scan_done (req, NULL, r < 0 ? -1 : 0);
	if (t.kind != FLOW_PARCEL) {
		if (t.kind == FLOW_ORDER)
			hub_reply (req, PROTO_REFUSED, PR_WRONG_STEP, "That is the despatch ticket. Scan the parcel's "
			    "printed label");
		else
			hub_reply (req, PROTO_REFUSED, PR_UNKNOWN_BARCODE, "Unknown label %.40s. Scan the carrier label "
			    "printed for this parcel", t.code);
		return flow_scan_done (req, t.kind == FLOW_ORDER ? t.order.ref : NULL, 0);
	}
	struct flow_parcel *p = &t.parcel;
	const char *bench = flow_ctx (req, "order");
	if (flow_on_hold_alarm (req, p->order, p->id, p->code))
		return flow_scan_done (req, p->order, 0);
	if (bench && strcmp (bench, p->order) != 0) {
		hub_reply (req, PROTO_ALARM, PR_WRONG_LABEL, "WRONG LABEL: this label is for order %s, not %.32s. "
		    "Take it off and find the right one", p->order, bench);
		flow_data_parcel (req, p);
		if (flow_event (req, "wrong-label", p->order, p->id, 0, false, "label of %s scanned on the bench of %.32s",
		        p->code, bench) != 0)
			return -1;
		return flow_scan_done (req, p->order, 0);
	}
	if (p->state == PARCEL_VOID) {
		hub_reply (req, PROTO_ALARM, PR_WRONG_LABEL, "CANCELLED LABEL: parcel %s was undone. Take this label off",
		    p->code);
		return flow_scan_done (req, p->order, 0);
	}
	if (p->state == PARCEL_PACKED) {
		hub_reply (req, PROTO_REFUSED, PR_NOT_LABELLED, "Parcel %s has no label yet. Label it first", p->code);
		flow_data_parcel (req, p);
		return flow_scan_done (req, p->order, 0);
	}
	if (p->state != PARCEL_LABELLED) {
		char who[129], when[8];
		flow_who (req, p->last_by, who, sizeof who);
		flow_hhmm (p->last_at, when, sizeof when);
		hub_reply (req, PROTO_OK, PR_ALREADY_DONE, "Label of %s already checked (%s %s by %s)", p->code,
		    hub_state_parcel_name (p->state), when, who);
	} else {
		db_stmt_t *st = db_prepare (req->db,
		    "UPDATE parcels SET status = 'verified', verified_at = ?2, verified_by = ?3 WHERE id = ?1");
		db_bind_int (st, 1, p->id);
		db_bind_int (st, 2, req->now_ms);
		db_bind_text (st, 3, req->operator_badge);
		int rc = db_step (st);
		db_reset (st);
		if (rc != DB_DONE || flow_event (req, "verify", p->order, p->id, 0, true, "label %s checked",
		        p->tracking) != 0 || flow_order_update (req, p->order, NULL) != 0
		    || flow_parcel_get (req, p->id, p) != 0)
			return -1;
		hub_reply (req, PROTO_OK, PR_OK, "Label right: parcel %s, %s %s", p->code, p->carrier, p->tracking);
	}
	flow_order_get (req, p->order, &t.order);
	flow_data_order (req, &t.order);
	flow_data_parcel (req, p);
	return flow_scan_done (req, p->order, 0);
}

int
flow_pack_label (struct hub_req *req)
{
	struct flow_parcel p;
	const char *code = flow_arg (req, "parcel");
	if (flow_parcel_by_code (req, code, &p) != 0) {
		hub_reply (req, PROTO_REFUSED, PR_UNKNOWN_BARCODE, "No parcel %.40s. Check the parcel code", code);
		return 0;
	}
	if (flow_on_hold_alarm (req, p.order, p.id, p.code))
		return 0;
	if (p.state != PARCEL_PACKED) {
		hub_reply (req, PROTO_OK, PR_ALREADY_DONE, "Parcel %s is already labelled (%s %s)", p.code, p.carrier,
		    p.tracking);
		flow_data_parcel (req, &p);
		return 0;
	}
	return flow_pack_label_again (req, &p);
}
