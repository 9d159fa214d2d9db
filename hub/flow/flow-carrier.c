/*
 * flow-carrier.c: the hub's carrier commands (registered in hub-scan.c):
 * "override" (a supervisor sets an order's carrier and service, audited)
 * and "quote" (every service's price for an order, for the terminal).
 */
#include "config.h"
#include "flow-steps.h"
#include "carriers/carrier.h"
#include "hub/req/flow.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The heaviest parcel packed so far, or the whole order's weight (0 = the order's). */
static int
flow_carrier_weight (struct hub_req *req, const char *ref)
{
	db_stmt_t *st = db_prepare (req->db, "SELECT coalesce (max (weight_g), 0) FROM parcels WHERE order_ref = ?1"
	    " AND status != 'void'");
	db_bind_text (st, 1, ref);
	int w = db_step (st) == DB_ROW ? (int) db_col_int (st, 0) : 0;
	db_reset (st);
	return w;
}

int
flow_carrier_override (struct hub_req *req)
{
	const char *ref = flow_arg (req, "order"), *code = flow_arg (req, "carrier"), *svc = flow_arg (req, "service"),
		   *reason = flow_arg (req, "reason");
	if (!flow_reason_fits (req, reason))
		return 0;
	struct flow_order o;
	if (flow_order_get (req, ref, &o) != 0) {
		hub_reply (req, PROTO_REFUSED, PR_UNKNOWN_BARCODE, "No order %.32s", ref);
		return 0;
	}
	if (o.state == ORDER_CLOSED || o.state == ORDER_IN_TRANSIT || o.state == ORDER_DELIVERED) {
		hub_reply (req, PROTO_REFUSED, PR_CLOSED, "Order %s is %s: too late to change its carrier", o.ref,
		    hub_state_order_name (o.state));
		return 0;
	}
	const carrier_set_t *set = carrier_current ();
	bool clear = strcmp (code, "rules") == 0;
	const struct carrier *c = clear ? NULL : carrier_find (set, code);
	const struct carrier_service *s = carrier_service_find (c, svc);
	if (!clear && s == NULL) {
		hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT, "%s/%s is not in the carrier files. Give a carrier and one "
		    "of its services (despatch quote lists them), or carrier 'rules' to go back to the rules",
		    code, svc ? svc : "?");
		return 0;
	}
	if (!clear) {
		struct carrier_order co;
		char why[200];
		if (carrier_rules_order (req->db, o.ref, flow_carrier_weight (req, o.ref), req->now_ms, &co) != 0)
			return -1;
		if (!carrier_rules_eligible (c, s, &co, false, why, sizeof why)) {
			hub_reply (req, PROTO_REFUSED, PR_BAD_DATA, "%s/%s cannot take order %s: %s", c->code, s->code, o.ref,
			    why);
			return 0;
		}
	}
	db_stmt_t *st = db_prepare (req->db,
	    "UPDATE orders SET carrier_override = ?2, service_override = ?3, override_by = ?4, override_reason = ?5,"
	    " override_at = ?6 WHERE ref = ?1");
	db_bind_text (st, 1, o.ref);
	db_bind_text (st, 2, clear ? NULL : c->code);
	db_bind_text (st, 3, clear ? NULL : s->code);
	db_bind_text (st, 4, clear ? NULL : req->operator_badge);
	db_bind_text (st, 5, clear ? NULL : reason);
	if (clear)
		db_bind_null (st, 6);
	else
		db_bind_int (st, 6, req->now_ms);
	int rc = db_step (st);
	db_reset (st);
	if (rc != DB_DONE || flow_event (req, "override", o.ref, 0, 0, false, "%s%s%s: %s", clear ? "back to the rules"
	        : c->code, clear ? "" : "/", clear ? "" : s->code, reason) != 0)
		return -1;
	if (clear)
		hub_reply (req, PROTO_OK, PR_OK, "Order %s: the rules choose its carrier again", o.ref);
	else
		hub_reply (req, PROTO_OK, PR_OK, "Order %s goes by %s from its next label", o.ref, s->name);
	hub_reply_data (req, "order", "%s", o.ref);
	hub_reply_data (req, "carrier", "%s", clear ? "" : c->code);
	hub_reply_data (req, "service", "%s", clear ? "" : s->code);
	return 0;
}

int
flow_carrier_quote (struct hub_req *req)
{
	const char *ref = flow_arg (req, "order"), *w = flow_arg (req, "weight");
	long weight = 0;
	/* A parcel's label stands for its order (the terminal scans either). */
	struct flow_target t;
	int r = ref ? flow_resolve (req, ref, &t) : 0;
	if (r != 0)
		return r < 0 ? -1 : 0;
	if (ref && (t.kind == FLOW_ORDER || t.kind == FLOW_PARCEL))
		ref = t.order.ref;
	if (w && !util_parse_long (w, 1, 1000000, &weight)) {
		hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT, "weight must be grams from 1 to 1000000, not '%.20s'", w);
		return 0;
	}
	struct carrier_order co;
	if (carrier_rules_order (req->db, ref, weight ? (int) weight : flow_carrier_weight (req, ref), req->now_ms, &co)
	    != 0) {
		hub_reply (req, PROTO_REFUSED, PR_UNKNOWN_BARCODE, "No order %.32s", ref);
		return 0;
	}
	struct carrier_quote *q = NULL;
	int n = carrier_rules_quote_all (carrier_current (), &co, &q), shown = 0;
	for (int i = 0; i < n; i++) {
		char key[24], price[24] = "-";
		if (q[i].pence >= 0)
			carrier_money (q[i].pence, price, sizeof price);
		snprintf (key, sizeof key, "quote.%d", i + 1);
		if (q[i].eligible)
			hub_reply_data (req, key, "%s/%s|%s|%s|%s", q[i].c->code, q[i].s->code, price, q[i].date, q[i].s->name);
		else
			hub_reply_data (req, key, "%s/%s|-|-|cannot: %s", q[i].c->code, q[i].s->code, q[i].note);
		shown++;
	}
	int eligible = 0;
	for (int i = 0; i < n; i++)
		eligible += q[i].eligible;
	hub_reply (req, PROTO_OK, PR_OK, "%s: %d g to %s %s: %d services can take it%s%s", co.ref, co.weight_g, co.country,
	    co.postcode, eligible, eligible ? ", cheapest " : "", eligible ? q[0].s->name : "");
	hub_reply_data (req, "quotes", "%d", shown);
	hub_reply_data (req, "order", "%s", co.ref);
	free (q);
	return 0;
}
