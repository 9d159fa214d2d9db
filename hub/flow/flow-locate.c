/*
 * flow-locate.c: step "locate": per line, the operator scans the location
 * the terminal named, then the item. Found, short and damaged are outcomes
 * the hub records; a wrong item is refused and recorded too.
 */
#include "config.h"
#include "flow-steps.h"
#include "hub/req/flow.h"
#include "screens.h"
#include "util.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

struct flow_line {
	int no;
	char sku[TEXT_BYTES (TEXT_SKU_MAX)];
	char description[TEXT_BYTES (TEXT_ORDER_MAX)];
	char department[TEXT_BYTES (TEXT_TOWN_MAX)];
	int quantity;
	char locations[TEXT_LOCATIONS_BYTES];
	enum hub_line_state state;
	char location_ok[TEXT_LOCATION_MAX + 1];
	int qty_found;  /* units confirmed so far while the line is open */
};

static int
flow_locate_line (struct hub_req *req, const char *ref, long no, struct flow_line *l)
{
	db_stmt_t *st = db_prepare (req->db,
	    "SELECT line_no, sku, description, department, quantity, locations, status, coalesce(location_ok, ''),"
	    " qty_found FROM order_lines WHERE order_ref = ?1 AND line_no = ?2");
	db_bind_text (st, 1, ref);
	db_bind_int (st, 2, no);
	int found = db_step (st) == DB_ROW;
	if (found) {
		l->no = (int) db_col_int (st, 0);
		text_strlcpy (l->sku, db_col_text (st, 1), sizeof l->sku);
		text_strlcpy (l->description, db_col_text (st, 2), sizeof l->description);
		text_strlcpy (l->department, db_col_text (st, 3), sizeof l->department);
		l->quantity = (int) db_col_int (st, 4);
		util_strlcpy (l->locations, db_col_text (st, 5), sizeof l->locations);
		l->state = hub_state_line_parse (db_col_text (st, 6));
		util_strlcpy (l->location_ok, db_col_text (st, 7), sizeof l->location_ok);
		l->qty_found = (int) db_col_int (st, 8);
	}
	db_reset (st);
	return found ? 0 : 1;
}

/* The location named by code among "A;B;C" (case does not matter), into out. */
static bool
flow_locate_is_location (const struct flow_line *l, const char *code, char *out, size_t n)
{
	const char *p = l->locations;
	while (*p) {
		size_t len = strcspn (p, ";");
		if (len == strlen (code) && strncasecmp (p, code, len) == 0) {
			snprintf (out, n, "%.*s", (int) len, p);
			return true;
		}
		p += len;
		if (*p == ';')
			p++;
	}
	return false;
}

static int
flow_locate_settle (struct hub_req *req, const char *ref, const struct flow_line *l, enum hub_line_state outcome,
    long qty)
{
	db_stmt_t *st = db_prepare (req->db,
	    "UPDATE order_lines SET status = ?3, qty_found = ?4, located_at = ?5, located_by = ?6"
	    " WHERE order_ref = ?1 AND line_no = ?2");
	db_bind_text (st, 1, ref);
	db_bind_int (st, 2, l->no);
	db_bind_text (st, 3, hub_state_line_name (outcome));
	db_bind_int (st, 4, qty);
	db_bind_int (st, 5, req->now_ms);
	db_bind_text (st, 6, req->operator_badge);
	int rc = db_step (st);
	db_reset (st);
	if (rc != DB_DONE)
		return -1;
	return flow_event (req, "locate", ref, 0, l->no, true, "line %d %s (%ld of %d, was %s)", l->no,
	    hub_state_line_name (outcome), qty, l->quantity, hub_state_line_name (l->state));
}

/* What the operator may say of a line (context "outcome", default found), and the reply it gets. */
static const struct {
	enum hub_line_state outcome;
	int status;
	int reason;
} flow_locate_outcomes[] = {
	{ LINE_FOUND, PROTO_OK, PR_OK },
	{ LINE_SHORT, PROTO_WARN, PR_SHORT },
	{ LINE_DAMAGED, PROTO_WARN, PR_DAMAGED },
};

int
flow_locate (struct hub_req *req)
{
	const char *ref = flow_ctx (req, "order");
	long line_no;
	if (ref == NULL) {
		hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT, "Which order? Scan the ticket at receive first");
		return flow_scan_done (req, NULL, 0);
	}
	if (!flow_ctx_long (req, "line", -1, 1, 9999, &line_no))
		return flow_scan_done (req, NULL, 0);
	const char *said = flow_ctx (req, "outcome");
	size_t oi = 0;
	if (said) {
		enum hub_line_state s = hub_state_line_parse (said);
		for (oi = 0; oi < nitems (flow_locate_outcomes); oi++)
			if (flow_locate_outcomes[oi].outcome == s)
				break;
		if (oi == nitems (flow_locate_outcomes)) {
			hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT, "Outcome '%.20s' is not found, short or damaged",
			    said);
			return flow_scan_done (req, NULL, 0);
		}
	}
	enum hub_line_state outcome = flow_locate_outcomes[oi].outcome;

	struct flow_order o;
	if (flow_order_get (req, ref, &o) != 0) {
		hub_reply (req, PROTO_REFUSED, PR_UNKNOWN_BARCODE, "Order %.40s is not known. Scan its ticket again", ref);
		return flow_scan_done (req, NULL, 0);
	}
	if (flow_on_hold_alarm (req, o.ref, 0, o.ref))
		return flow_scan_done (req, o.ref, 0);
	if (o.state == ORDER_NEW) {
		hub_reply (req, PROTO_REFUSED, PR_WRONG_STEP, "%s is not received yet. Scan its ticket at receive first",
		    o.ref);
		return flow_scan_done (req, o.ref, 0);
	}
	if (o.state != ORDER_RECEIVED && o.state != ORDER_LOCATED) {
		hub_reply (req, PROTO_REFUSED, PR_WRONG_STEP, "%s is %s: its goods are already packed. "
		    "Nothing to locate", o.ref, hub_state_order_name (o.state));
		flow_data_order (req, &o);
		return flow_scan_done (req, o.ref, 0);
	}
	struct flow_line l;
	if (flow_locate_line (req, o.ref, line_no, &l) != 0) {
		hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT, "%s has no line %ld", o.ref, line_no);
		return flow_scan_done (req, o.ref, 0);
	}

	struct gs1_scan scan;
	char err[160], where[33];
	if (gs1_parse (proto_get_str (req->msg, PROTO_SCAN_CODE), &scan, err, sizeof err) != 0) {
		hub_reply (req, PROTO_REFUSED, PR_BAD_DATA, "Barcode not readable as GS1: %s", err);
		return flow_scan_done (req, o.ref, 0);
	}
	/* An item may carry its SKU plainly or as a GS1 GTIN (01). */
	const char *code = scan.gs1 && gs1_get (&scan, "01") ? gs1_get (&scan, "01") : scan.data;
	bool is_location = flow_locate_is_location (&l, code, where, sizeof where);
	bool is_item = strcasecmp (code, l.sku) == 0;

	if (is_location && !(is_item) && outcome == LINE_FOUND) {
		if (l.state == LINE_FOUND) {
			hub_reply (req, PROTO_OK, PR_ALREADY_DONE, "Line %d is already found", l.no);
		} else {
			db_stmt_t *st = db_prepare (req->db,
			    "UPDATE order_lines SET location_ok = ?3 WHERE order_ref = ?1 AND line_no = ?2");
			db_bind_text (st, 1, o.ref);
			db_bind_int (st, 2, l.no);
			db_bind_text (st, 3, where);
			int rc = db_step (st);
			db_reset (st);
			if (rc != DB_DONE)
				return -1;
			hub_reply (req, PROTO_OK, PR_OK, "%s right. Now scan the item %s", where, l.sku);
		}
		flow_data_order (req, &o);
		hub_reply_data (req, "next", "item");
		hub_reply_data (req, "line", "%d", l.no);
		hub_reply_data (req, "sku", "%s", l.sku);
		hub_reply_data (req, "location", "%s", where);
		return flow_scan_done (req, o.ref, 0);
	}
	if (!is_item && !is_location) {
		if (*l.location_ok == '\0') {
			hub_reply (req, PROTO_REFUSED, PR_WRONG_LOCATION, "That is not where line %d is. Go to %s and scan "
			    "the location label", l.no, l.locations);
			hub_reply_data (req, "location", "%s", l.locations);
			return flow_scan_done (req, o.ref, 0);
		}
		db_stmt_t *st = db_prepare (req->db,
		    "UPDATE order_lines SET wrong_scans = wrong_scans + 1 WHERE order_ref = ?1 AND line_no = ?2");
		db_bind_text (st, 1, o.ref);
		db_bind_int (st, 2, l.no);
		int rc = db_step (st);
		db_reset (st);
		if (rc != DB_DONE || flow_event (req, "wrong-item", o.ref, 0, l.no, false, "scanned %.40s, line wants %s",
		        code, l.sku) != 0)
			return -1;
		hub_reply (req, PROTO_REFUSED, PR_WRONG_ITEM, "Wrong item: %.30s is not %s (%s). Put it back and find "
		    "the right one", code, l.sku, l.description);
		hub_reply_data (req, "line", "%d", l.no);
		hub_reply_data (req, "sku", "%s", l.sku);
		return flow_scan_done (req, o.ref, 0);
	}
	/* The item (or, for short or damaged, its location): settle the line. */
	if (is_item && !is_location && *l.location_ok == '\0' && l.state == LINE_OPEN) {
		hub_reply (req, PROTO_REFUSED, PR_WRONG_STEP, "Scan the location first: line %d is at %s", l.no,
		    l.locations);
		hub_reply_data (req, "location", "%s", l.locations);
		return flow_scan_done (req, o.ref, 0);
	}
	long qty = l.quantity;
	if (outcome != LINE_FOUND && !flow_ctx_long (req, "qty", 0, 0, l.quantity, &qty))
		return flow_scan_done (req, o.ref, 0);
	if (outcome == LINE_FOUND && l.state == LINE_OPEN && l.quantity > 1) {
		/* Every unit is confirmed: one item scan each, or a count the operator typed and confirmed. */
		long count = 0;
		if (!flow_ctx_long (req, "count", 0, 0, l.quantity, &count))
			return flow_scan_done (req, o.ref, 0);
		long now = count > 0 ? count : l.qty_found + 1;
		if (now < l.quantity) {
			db_stmt_t *st = db_prepare (req->db,
			    "UPDATE order_lines SET qty_found = ?3 WHERE order_ref = ?1 AND line_no = ?2");
			db_bind_text (st, 1, o.ref);
			db_bind_int (st, 2, l.no);
			db_bind_int (st, 3, now);
			int rc = db_step (st);
			db_reset (st);
			if (rc != DB_DONE || flow_event (req, count > 0 ? "locate-count" : "locate-unit", o.ref, 0, l.no, false,
			        "line %d: %ld of %d %s found%s", l.no, now, l.quantity, l.sku, count > 0 ? " (counted)" : "") != 0)
				return -1;
			hub_reply (req, PROTO_OK, PR_OK, "%ld of %d found (%s). Scan the next one, or count them", now,
			    l.quantity, l.sku);
			flow_data_order (req, &o);
			hub_reply_data (req, "next", "item");
			hub_reply_data (req, "line", "%d", l.no);
			hub_reply_data (req, "sku", "%s", l.sku);
			hub_reply_data (req, "qty", "%d", l.quantity);
			hub_reply_data (req, "found", "%ld", now);
			return flow_scan_done (req, o.ref, 0);
		}
	}
	if (l.state == outcome) {
		hub_reply (req, PROTO_OK, PR_ALREADY_DONE, "Line %d is already %s", l.no, hub_state_line_name (outcome));
	} else {
		if (flow_locate_settle (req, o.ref, &l, outcome, qty) != 0
		    || flow_order_update (req, o.ref, &o.state) != 0)
			return -1;
		if (outcome == LINE_FOUND && l.quantity > 1)
			hub_reply (req, PROTO_OK, PR_OK, "Line %d found: %d of %d x %s", l.no, l.quantity, l.quantity, l.sku);
		else if (outcome == LINE_FOUND)
			hub_reply (req, PROTO_OK, PR_OK, "Line %d found: %d x %s", l.no, l.quantity, l.sku);
		else
			hub_reply (req, flow_locate_outcomes[oi].status, flow_locate_outcomes[oi].reason,
			    "Line %d recorded %s (%ld of %d). Part-shipment? " SCREEN_ASK
			    SCREEN_IN_SUPER (SCREEN_PART), l.no,
			    hub_state_line_name (outcome), qty, l.quantity);
	}
	flow_data_order (req, &o);
	if (!flow_data_next_line (req, o.ref))
		hub_reply_data (req, "line", "0");
	return flow_scan_done (req, o.ref, 0);
}
