/*
 * flow-undo.c: command "undo": the operator's own last step, with a reason,
 * while nothing later depends on it. Each undoable action has a check
 * (is the state still what that step left?) and a reversal.
 */
#include "config.h"
#include "flow-steps.h"
#include "hub/req/flow.h"
#include "screens.h"
#include "util.h"

#include <string.h>

struct flow_undo_ev {
	int64_t id;
	char action[24];
	char order[FLOW_REF_MAX + 1];
	int64_t parcel_id;
	int line_no;
};

/* Returns 0 undone, 1 refused (reply filled), -1 database. */
typedef int (flow_undo_fn) (struct hub_req *req, const struct flow_undo_ev *ev);

static int
flow_undo_exec (struct hub_req *req, const char *sql, const char *ref, int64_t num)
{
	db_stmt_t *st = db_prepare (req->db, sql);
	db_bind_text (st, 1, ref);
	db_bind_int (st, 2, num);
	int rc = db_step (st);
	db_reset (st);
	return rc == DB_DONE ? 0 : -1;
}

static int
flow_undo_receive (struct hub_req *req, const struct flow_undo_ev *ev)
{
	db_stmt_t *st = db_prepare (req->db,
	    "SELECT (SELECT status FROM orders WHERE ref = ?1), (SELECT count(*) FROM order_lines WHERE order_ref = ?1"
	    " AND (status <> 'open' OR location_ok IS NOT NULL))");
	db_bind_text (st, 1, ev->order);
	bool ok = db_step (st) == DB_ROW && hub_state_order_parse (db_col_text (st, 0)) == ORDER_RECEIVED
	    && db_col_int (st, 1) == 0;
	db_reset (st);
	if (!ok) {
		hub_reply (req, PROTO_REFUSED, PR_CONFLICT, "Cannot undo receiving %s: its lines are being located. "
		    "Finish locating it, or a supervisor holds it. " SCREEN_ASK SCREEN_HOLD, ev->order);
		return 1;
	}
	return flow_undo_exec (req, "UPDATE orders SET status = 'new', received_at = NULL, received_by = NULL"
	    " WHERE ref = ?1 AND ?2 = ?2", ev->order, 0);
}

static int
flow_undo_locate (struct hub_req *req, const struct flow_undo_ev *ev)
{
	db_stmt_t *st = db_prepare (req->db,
	    "SELECT count(*) FROM parcels WHERE order_ref = ?1 AND status <> 'void'");
	db_bind_text (st, 1, ev->order);
	int64_t parcels = db_step (st) == DB_ROW ? db_col_int (st, 0) : 1;
	db_reset (st);
	if (parcels > 0) {
		hub_reply (req, PROTO_REFUSED, PR_CONFLICT, "Cannot undo line %d of %s: the order is being packed",
		    ev->line_no, ev->order);
		return 1;
	}
	return flow_undo_exec (req, "UPDATE order_lines SET status = 'open', qty_found = 0, location_ok = NULL,"
	    " located_at = NULL, located_by = NULL WHERE order_ref = ?1 AND line_no = ?2", ev->order, ev->line_no);
}

/* Parcel steps: the parcel must still be in a state the step left (states ends with PARCEL_UNKNOWN). */
static int
flow_undo_parcel (struct hub_req *req, const struct flow_undo_ev *ev, const enum hub_parcel_state *states,
    const char *sql)
{
	struct flow_parcel p;
	if (flow_parcel_get (req, ev->parcel_id, &p) != 0)
		return -1;
	for (int i = 0; states[i] != PARCEL_UNKNOWN; i++)
		if (p.state == states[i])
			return flow_undo_exec (req, sql, p.code, p.id);
	char who[129];
	flow_who (req, p.last_by, who, sizeof who);
	hub_reply (req, PROTO_REFUSED, PR_CONFLICT, "Cannot undo: parcel %s is %s since (by %s)", p.code,
	    hub_state_parcel_name (p.state), who);
	return 1;
}

static int
flow_undo_pack (struct hub_req *req, const struct flow_undo_ev *ev)
{
	/* The parcel is voided, not deleted: its numbers stay used. Its code and
	 * number are freed so the parcel can be packed again. */
	static const enum hub_parcel_state states[] = { PARCEL_PACKED, PARCEL_LABELLED, PARCEL_UNKNOWN };
	return flow_undo_parcel (req, ev, states,
	    "UPDATE parcels SET status = 'void', parcel_no = -id, code = code || '~void' || id WHERE code = ?1 AND id = ?2");
}

static int
flow_undo_verify (struct hub_req *req, const struct flow_undo_ev *ev)
{
	static const enum hub_parcel_state states[] = { PARCEL_VERIFIED, PARCEL_UNKNOWN };
	return flow_undo_parcel (req, ev, states,
	    "UPDATE parcels SET status = 'labelled', verified_at = NULL, verified_by = NULL WHERE code = ?1 AND id = ?2");
}

static int
flow_undo_scanout (struct hub_req *req, const struct flow_undo_ev *ev)
{
	static const enum hub_parcel_state states[] = { PARCEL_SCANNED_OUT, PARCEL_UNKNOWN };
	return flow_undo_parcel (req, ev, states,
	    "UPDATE parcels SET status = 'verified', cage = NULL, scanned_out_at = NULL, scanned_out_by = NULL"
	    " WHERE code = ?1 AND id = ?2");
}

static const struct {
	const char *action;
	flow_undo_fn *undo;
} flow_undo_table[] = {
	{ "receive", flow_undo_receive },
	{ "locate", flow_undo_locate },
	{ "pack", flow_undo_pack },
	{ "verify", flow_undo_verify },
	{ "scanout", flow_undo_scanout },
};

int
flow_undo (struct hub_req *req)
{
	const char *reason = flow_arg (req, "reason");
	if (!flow_reason_fits (req, reason))
		return 0;
	struct flow_undo_ev ev = { 0 };
	db_stmt_t *st = db_prepare (req->db,
	    "SELECT id, action, coalesce(order_ref, ''), coalesce(parcel_id, 0), coalesce(line_no, 0) FROM events"
	    " WHERE operator = ?1 AND undoable = 1 AND undone_at IS NULL ORDER BY id DESC LIMIT 1");
	db_bind_text (st, 1, req->operator_badge);
	bool found = db_step (st) == DB_ROW;
	if (found) {
		ev.id = db_col_int (st, 0);
		util_strlcpy (ev.action, db_col_text (st, 1), sizeof ev.action);
		util_strlcpy (ev.order, db_col_text (st, 2), sizeof ev.order);
		ev.parcel_id = db_col_int (st, 3);
		ev.line_no = (int) db_col_int (st, 4);
	}
	db_reset (st);
	if (!found) {
		hub_reply (req, PROTO_REFUSED, PR_WRONG_STEP, "Nothing of yours to undo");
		return 0;
	}
	hub_reply_data (req, "order", "%s", ev.order);
	hub_reply_data (req, "undone", "%s", ev.action);
	if (flow_on_hold_alarm (req, ev.order, ev.parcel_id, ev.order))
		return 0;
	for (size_t i = 0; i < nitems (flow_undo_table); i++) {
		if (strcmp (flow_undo_table[i].action, ev.action) != 0)
			continue;
		int r = flow_undo_table[i].undo (req, &ev);
		if (r != 0)
			return r < 0 ? -1 : 0;
		st = db_prepare (req->db, "UPDATE events SET undone_at = ?2 WHERE id = ?1");
		db_bind_int (st, 1, ev.id);
		db_bind_int (st, 2, req->now_ms);
		int rc = db_step (st);
		db_reset (st);
		enum hub_order_state state;
		if (rc != DB_DONE || flow_event (req, "undo", ev.order, ev.parcel_id, ev.line_no, false, "undid %s (event "
		        "%lld): %s", ev.action, (long long) ev.id, reason) != 0
		    || flow_order_update (req, ev.order, &state) != 0)
			return -1;
		hub_reply (req, PROTO_OK, PR_OK, "Undone: %s of %s", ev.action, ev.order);
		hub_reply_data (req, "status", "%s", hub_state_order_name (state));
		hub_reply_data (req, "next", "%s", flow_next (req, ev.order, state));
		return 0;
	}
	hub_reply (req, PROTO_REFUSED, PR_WRONG_STEP, "Your last step (%s) cannot be undone", ev.action);
	return 0;
}
