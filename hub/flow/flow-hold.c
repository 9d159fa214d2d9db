/*
 * flow-hold.c: commands "hold", "release", "ack", "note", "price" and
 * "release-part": a supervisor's decisions and anyone's notes.
 */
#include "config.h"
#include "flow-steps.h"
#include "hub/req/flow.h"
#include "pan.h"
#include "screens.h"
#include "text.h"
#include "util.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The order or parcel named by args.code: 0 with t filled, 1 refused (reply filled), -1 database. */
static int
flow_hold_target (struct hub_req *req, const char *arg, struct flow_target *t)
{
	int r = flow_resolve (req, flow_arg (req, arg), t);
	if (r != 0)
		return r;
	if (t->kind != FLOW_ORDER && t->kind != FLOW_PARCEL) {
		if (!flow_refuse_symbol (req, t))
			hub_reply (req, PROTO_REFUSED, PR_UNKNOWN_BARCODE, "No order or parcel %.40s. Scan its ticket or label",
			    t->code);
		return 1;
	}
	return 0;
}

/* The open hold exactly on this order (parcel 0) or parcel: its id, or 0. */
static int64_t
flow_hold_open (struct hub_req *req, const char *order, int64_t parcel_id, char *by, size_t bn)
{
	db_stmt_t *st = db_prepare (req->db,
	    "SELECT id, held_by FROM holds WHERE order_ref = ?1 AND coalesce(parcel_id, 0) = ?2 AND released_at IS NULL");
	db_bind_text (st, 1, order);
	db_bind_int (st, 2, parcel_id);
	int64_t id = 0;
	if (db_step (st) == DB_ROW) {
		id = db_col_int (st, 0);
		if (by)
			util_strlcpy (by, db_col_text (st, 1), bn);
	}
	db_reset (st);
	return id;
}

int
flow_hold (struct hub_req *req)
{
	struct flow_target t;
	int r = flow_hold_target (req, "code", &t);
	if (r != 0)
		return r < 0 ? -1 : 0;
	const char *reason = flow_arg (req, "reason");
	if (!flow_reason_fits (req, reason))
		return 0;
	int64_t pid = t.kind == FLOW_PARCEL ? t.parcel.id : 0;
	const char *what = t.kind == FLOW_PARCEL ? t.parcel.code : t.order.ref;
	char by[65];
	hub_reply_data (req, "order", "%s", t.order.ref);
	if (flow_hold_open (req, t.order.ref, pid, by, sizeof by)) {
		char who[129];
		flow_who (req, by, who, sizeof who);
		hub_reply (req, PROTO_OK, PR_ALREADY_DONE, "%s is already on hold (by %s)", what, who);
		return 0;
	}
	db_stmt_t *st = db_prepare (req->db,
	    "INSERT INTO holds (order_ref, parcel_id, reason, held_by, held_at) VALUES (?1, ?2, ?3, ?4, ?5)");
	db_bind_text (st, 1, t.order.ref);
	if (pid)
		db_bind_int (st, 2, pid);
	db_bind_text (st, 3, reason);
	db_bind_text (st, 4, req->operator_badge);
	db_bind_int (st, 5, req->now_ms);
	int rc = db_step (st);
	db_reset (st);
	if (rc != DB_DONE || flow_event (req, "hold", t.order.ref, pid, 0, false, "%s", reason) != 0)
		return -1;
	hub_reply (req, PROTO_OK, PR_OK, "%s is on hold: %s", what, reason);
	hub_reply_data (req, "hold", "%s", reason);
	return 0;
}

int
flow_hold_release (struct hub_req *req)
{
	struct flow_target t;
	int r = flow_hold_target (req, "code", &t);
	if (r != 0)
		return r < 0 ? -1 : 0;
	const char *reason = flow_arg (req, "reason");
	if (!flow_reason_fits (req, reason))
		return 0;
	int64_t pid = t.kind == FLOW_PARCEL ? t.parcel.id : 0;
	const char *what = t.kind == FLOW_PARCEL ? t.parcel.code : t.order.ref;
	hub_reply_data (req, "order", "%s", t.order.ref);
	int64_t id = flow_hold_open (req, t.order.ref, pid, NULL, 0);
	if (id == 0) {
		if (pid && flow_hold_open (req, t.order.ref, 0, NULL, 0))
			hub_reply (req, PROTO_REFUSED, PR_ON_HOLD, "Parcel %s is held with its whole order %s: release the "
			    "order", what, t.order.ref);
		else
			hub_reply (req, PROTO_OK, PR_ALREADY_DONE, "%s is not on hold", what);
		return 0;
	}
	db_stmt_t *st = db_prepare (req->db,
	    "UPDATE holds SET released_at = ?2, released_by = ?3, release_reason = ?4 WHERE id = ?1");
	db_bind_int (st, 1, id);
	db_bind_int (st, 2, req->now_ms);
	db_bind_text (st, 3, req->operator_badge);
	db_bind_text (st, 4, reason);
	int rc = db_step (st);
	db_reset (st);
	if (rc != DB_DONE || flow_event (req, "release", t.order.ref, pid, 0, false, "%s", reason) != 0)
		return -1;
	hub_reply (req, PROTO_OK, PR_OK, "%s released: %s", what, reason);
	return 0;
}

int
flow_hold_ack (struct hub_req *req)
{
	struct flow_target t;
	int r = flow_hold_target (req, "code", &t);
	if (r != 0)
		return r < 0 ? -1 : 0;
	int64_t pid = t.kind == FLOW_PARCEL ? t.parcel.id : 0;
	char reason[FLOW_REASON_BYTES] = "";
	bool held = flow_on_hold (req, t.order.ref, pid, reason, sizeof reason, NULL, 0);
	if (flow_event (req, "ack", t.order.ref, pid, 0, false, "alarm acknowledged%s%s", held ? ": held: " : "",
	        reason) != 0)
		return -1;
	hub_reply (req, PROTO_OK, PR_OK, "Alarm acknowledged. Set %s aside%s", t.kind == FLOW_PARCEL ? t.parcel.code
	    : t.order.ref, held ? " for a supervisor: " SCREEN_RELEASE : "");
	hub_reply_data (req, "order", "%s", t.order.ref);
	return 0;
}

/* A note's limit is in characters, so that every script gets the same room;
 * at four bytes a character at most, the stored text stays within
 * FLOW_HOLD_NOTE_BYTES. */
enum { FLOW_HOLD_NOTE_CHARS = 500, FLOW_HOLD_NOTE_BYTES = FLOW_HOLD_NOTE_CHARS * 4 };

int
flow_hold_note (struct hub_req *req)
{
	struct flow_target t;
	int r = flow_hold_target (req, "code", &t);
	if (r != 0)
		return r < 0 ? -1 : 0;
	const char *text = flow_arg (req, "text");
	size_t chars = flow_chars (text);
	if (chars > FLOW_HOLD_NOTE_CHARS) {
		hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT, "A note is at most %d characters; this one is %zu characters. "
		    "Shorten it", FLOW_HOLD_NOTE_CHARS, chars);
		return 0;
	}
	/* A card number in a note is kept masked, and the operator told (pan.h). */
	char masked[FLOW_HOLD_NOTE_BYTES + 1];
	util_strlcpy (masked, text, sizeof masked);
	int cards = pan_mask (masked);
	text = masked;
	int64_t pid = t.kind == FLOW_PARCEL ? t.parcel.id : 0;
	db_stmt_t *st = db_prepare (req->db,
	    "INSERT INTO notes (order_ref, parcel_id, text, by, at, terminal, station) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
	db_bind_text (st, 1, t.order.ref);
	if (pid)
		db_bind_int (st, 2, pid);
	db_bind_text (st, 3, text);
	db_bind_text (st, 4, req->operator_badge);
	db_bind_int (st, 5, req->now_ms);
	db_bind_text (st, 6, proto_msg_terminal (req->msg));
	db_bind_text (st, 7, req->station);
	int rc = db_step (st);
	db_reset (st);
	if (rc != DB_DONE || flow_event (req, "note", t.order.ref, pid, 0, false, "%s", text) != 0)
		return -1;
	if (cards > 0) {
		hub_reply (req, PROTO_WARN, PR_OK, "Note added to %s, with the card number masked: never write card numbers in "
		    "notes", t.kind == FLOW_PARCEL ? t.parcel.code : t.order.ref);
		hub_reply_data (req, "warning", "card-number");
	} else
		hub_reply (req, PROTO_OK, PR_OK, "Note added to %s", t.kind == FLOW_PARCEL ? t.parcel.code : t.order.ref);
	hub_reply_data (req, "order", "%s", t.order.ref);
	return 0;
}

/* "12.50", "12.5", "12" pounds into pence; false on anything else. */
static bool
flow_hold_money (const char *s, int64_t *pence)
{
	int64_t whole = 0, frac = 0;
	int digits = 0, fdigits = 0;
	const char *p = s;
	for (; isdigit ((unsigned char) *p) && digits < 7; p++, digits++)
		whole = whole * 10 + (*p - '0');
	if (digits == 0)
		return false;
	if (*p == '.') {
		for (p++; isdigit ((unsigned char) *p) && fdigits < 2; p++, fdigits++)
			frac = frac * 10 + (*p - '0');
		if (fdigits == 0)
			return false;
		if (fdigits == 1)
			frac *= 10;
	}
	if (*p != '\0')
		return false;
	*pence = whole * 100 + frac;
	return true;
}

int
flow_hold_price (struct hub_req *req)
{
	const char *ref = flow_arg (req, "order"), *amount = flow_arg (req, "amount");
	struct flow_order o;
	int64_t pence;
	if (flow_order_get (req, ref, &o) != 0) {
		hub_reply (req, PROTO_REFUSED, PR_UNKNOWN_BARCODE, "Order %.40s is not known", ref);
		return 0;
	}
	if (!flow_hold_money (amount, &pence)) {
		hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT, "Amount '%.20s' is not a price in pounds like 12.50",
		    amount);
		return 0;
	}
	db_stmt_t *st = db_prepare (req->db, "SELECT coalesce(price_pence, -1) FROM orders WHERE ref = ?1");
	db_bind_text (st, 1, o.ref);
	int64_t old = db_step (st) == DB_ROW ? db_col_int (st, 0) : -1;
	db_reset (st);
	hub_reply_data (req, "order", "%s", o.ref);
	hub_reply_data (req, "price", "%lld.%02lld", (long long) (pence / 100), (long long) (pence % 100));
	if (old == pence) {
		hub_reply (req, PROTO_OK, PR_ALREADY_DONE, "Delivery charge of %s is already %lld.%02lld", o.ref,
		    (long long) (pence / 100), (long long) (pence % 100));
		return 0;
	}
	st = db_prepare (req->db, "UPDATE orders SET price_pence = ?2, updated_at = ?3 WHERE ref = ?1");
	db_bind_text (st, 1, o.ref);
	db_bind_int (st, 2, pence);
	db_bind_int (st, 3, req->now_ms);
	int rc = db_step (st);
	db_reset (st);
	if (rc != DB_DONE || flow_event (req, "price", o.ref, 0, 0, false, "delivery charge %lld.%02lld (was %s%lld)",
	        (long long) (pence / 100), (long long) (pence % 100), old < 0 ? "none " : "", (long long) old) != 0)
		return -1;
	hub_reply (req, PROTO_OK, PR_OK, "Delivery charge of %s set to %lld.%02lld", o.ref, (long long) (pence / 100),
	    (long long) (pence % 100));
	return 0;
}

int
flow_hold_release_part (struct hub_req *req)
{
	const char *ref = flow_arg (req, "order"), *reason = flow_arg (req, "reason");
	if (!flow_reason_fits (req, reason))
		return 0;
	struct flow_order o;
	if (flow_order_get (req, ref, &o) != 0) {
		hub_reply (req, PROTO_REFUSED, PR_UNKNOWN_BARCODE, "Order %.40s is not known", ref);
		return 0;
	}
	hub_reply_data (req, "order", "%s", o.ref);
	if (o.part_release) {
		hub_reply (req, PROTO_OK, PR_ALREADY_DONE, "%s is already released for part-shipment", o.ref);
		return 0;
	}
	if (o.state != ORDER_RECEIVED) {
		hub_reply (req, PROTO_REFUSED, PR_WRONG_STEP, "%s is %s: a part-shipment is released while its lines are "
		    "being located", o.ref, hub_state_order_name (o.state));
		return 0;
	}
	db_stmt_t *st = db_prepare (req->db,
	    "SELECT count(*) FILTER (WHERE status = 'open'), count(*) FILTER (WHERE status = 'found')"
	    " FROM order_lines WHERE order_ref = ?1");
	db_bind_text (st, 1, o.ref);
	int64_t open = 0, found = 0;
	if (db_step (st) == DB_ROW) {
		open = db_col_int (st, 0);
		found = db_col_int (st, 1);
	}
	db_reset (st);
	if (open > 0 || found == 0) {
		hub_reply (req, PROTO_REFUSED, PR_INCOMPLETE, open ? "%s has %lld lines not located yet: locate them (or "
		    "record them short) first" : "%s has nothing found to send", o.ref, (long long) open);
		return 0;
	}
	st = db_prepare (req->db, "UPDATE orders SET part_release = ?2, updated_at = ?3 WHERE ref = ?1");
	db_bind_text (st, 1, o.ref);
	db_bind_text (st, 2, reason);
	db_bind_int (st, 3, req->now_ms);
	int rc = db_step (st);
	db_reset (st);
	if (rc != DB_DONE || flow_event (req, "release-part", o.ref, 0, 0, false, "%s", reason) != 0
	    || flow_order_update (req, o.ref, &o.state) != 0)
		return -1;
	hub_reply (req, PROTO_OK, PR_OK, "%s released for part-shipment: pack what is found", o.ref);
	hub_reply_data (req, "status", "%s", hub_state_order_name (o.state));
	hub_reply_data (req, "next", "pack");
	return 0;
}
