/* flow-receive.c: step "receive": the despatch ticket arrives in despatch. */
#include "config.h"
#include "flow-steps.h"
#include "hub/req/flow.h"
#include "util.h"

#include <string.h>

/* Refusals shared by steps that want an order ticket and got something else. */
static void
flow_receive_not_ticket (struct hub_req *req, const struct flow_target *t)
{
	if (t->kind == FLOW_PARCEL)
		hub_reply (req, PROTO_REFUSED, PR_WRONG_STEP,
		    "That is a parcel label (order %s). Here, scan the despatch ticket", t->parcel.order);
	else if (t->kind == FLOW_CAGE)
		hub_reply (req, PROTO_REFUSED, PR_WRONG_STEP, "That is cage %s. Here, scan the despatch ticket", t->cage);
	else
		hub_reply (req, PROTO_REFUSED, PR_UNKNOWN_BARCODE,
		    "Unknown ticket %.40s. Check it is a despatch ticket, or enquire at the desk", t->code);
}

int
flow_receive (struct hub_req *req)
{
	struct flow_target t;
	int r = flow_resolve (req, proto_get_str (req->msg, PROTO_SCAN_CODE), &t);
	if (r != 0)
		return flow_scan_done (req, NULL, r < 0 ? -1 : 0);
	if (t.kind != FLOW_ORDER) {
		flow_receive_not_ticket (req, &t);
		return flow_scan_done (req, t.kind == FLOW_PARCEL ? t.parcel.order : NULL, 0);
	}
	struct flow_order *o = &t.order;
	if (flow_on_hold_alarm (req, o->ref, 0, o->ref))
		return flow_scan_done (req, o->ref, 0);
	if (o->state != ORDER_NEW) {
		char when[8], who[129];
		flow_hhmm (o->received_at, when, sizeof when);
		flow_who (req, o->received_by, who, sizeof who);
		hub_reply (req, PROTO_OK, PR_ALREADY_DONE, "%s already received %s by %s", o->ref, when, who);
		flow_data_order (req, o);
		hub_reply_data (req, "by", "%s", o->received_by);
		flow_data_next_line (req, o->ref);
		return flow_scan_done (req, o->ref, 0);
	}
	/* The lines decide the new status (as flow_order_update would: a new
	 * order has no parcels) and the answer, from one read. */
	db_stmt_t *st = db_prepare (req->db,
	    "SELECT count(*), count(DISTINCT department), count(*) FILTER (WHERE status = 'open'),"
	    " count(*) FILTER (WHERE status <> 'found') FROM order_lines WHERE order_ref = ?1");
	db_bind_text (st, 1, o->ref);
	long long lines = 0, depts = 0, open = 0, unfound = 0;
	if (db_step (st) == DB_ROW) {
		lines = db_col_int (st, 0);
		depts = db_col_int (st, 1);
		open = db_col_int (st, 2);
		unfound = db_col_int (st, 3);
	}
	db_reset (st);
	enum hub_order_state state = open == 0 && (unfound == 0 || o->part_release) ? ORDER_LOCATED : ORDER_RECEIVED;
	st = db_prepare (req->db,
	    "UPDATE orders SET status = ?4, received_at = ?2, received_by = ?3, updated_at = ?2 WHERE ref = ?1");
	db_bind_text (st, 1, o->ref);
	db_bind_int (st, 2, req->now_ms);
	db_bind_text (st, 3, req->operator_badge);
	db_bind_text (st, 4, hub_state_order_name (state));
	int rc = db_step (st);
	db_reset (st);
	if (rc != DB_DONE || flow_event (req, "receive", o->ref, 0, 0, true, "received") != 0)
		return -1;
	o->state = state;
	hub_reply (req, PROTO_OK, PR_OK, "%s received: %lld line%s from %lld department%s", o->ref, lines,
	    lines == 1 ? "" : "s", depts, depts == 1 ? "" : "s");
	flow_data_order_next (req, o, open > 0 ? "locate" : flow_next (req, o->ref, state));
	flow_data_lines_next (req, o->ref);
	return flow_scan_done (req, o->ref, 0);
}
