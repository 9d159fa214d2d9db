/* flow.c: what every step of the despatch flow shares (see flow.h). */
#include "config.h"
#include "flow.h"
#include "log.h"
#include "pan.h"
#include "carriers/carrier.h"
#include "screens.h"
#include "util.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *
flow_ctx (struct hub_req *req, const char *key)
{
	const char *v = proto_hash_get (req->msg, PROTO_SCAN_CONTEXT, key);
	return v && *v ? v : NULL;
}

const char *
flow_arg (struct hub_req *req, const char *key)
{
	const char *v = proto_hash_get (req->msg, PROTO_COMMAND_ARGS, key);
	return v && *v ? v : NULL;
}

bool
flow_ctx_long (struct hub_req *req, const char *key, long dflt, long min, long max, long *out)
{
	const char *v = flow_ctx (req, key);
	if (v == NULL) {
		if (dflt < min) {
			hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT, "The %s is missing. Enter it and scan again", key);
			return false;
		}
		*out = dflt;
		return true;
	}
	if (!util_parse_long (v, min, max, out)) {
		hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT, "The %s '%.20s' is not a whole number from %ld to %ld. "
		    "Correct it and scan again", key, v, min, max);
		return false;
	}
	return true;
}

void
flow_hhmm (int64_t ms, char *buf, size_t n)
{
	char iso[32];
	util_iso_time (ms, iso, sizeof iso);
	snprintf (buf, n, "%.5s", iso + 11);
}

size_t
flow_chars (const char *s)
{
	size_t n = strlen (s), chars = 0;
	for (size_t i = 0; i < n; chars++) {
		uint32_t cp;
		size_t len = text_utf8_decode (s + i, n - i, &cp);
		i += len ? len : 1;
	}
	return chars;
}

/* Whether text (NULL: none) is within FLOW_REASON_CHARS; false after a reply that says so, of what. */
static bool
flow_fits (struct hub_req *req, const char *what, const char *text)
{
	size_t chars = text ? flow_chars (text) : 0;
	if (chars <= FLOW_REASON_CHARS)
		return true;
	hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT, "%s is at most %d characters; this one is %zu characters. "
	    "Shorten it (a note can say more)", what, FLOW_REASON_CHARS, chars);
	return false;
}

bool
flow_reason_fits (struct hub_req *req, const char *reason)
{
	return flow_fits (req, "A reason", reason);
}

bool
flow_detail_fits (struct hub_req *req, const char *detail)
{
	return flow_fits (req, "A tracking event's detail", detail);
}

void
flow_who (struct hub_req *req, const char *badge, char *buf, size_t n)
{
	db_stmt_t *st = db_prepare (req->db, "SELECT name FROM operators WHERE badge = ?1");
	db_bind_text (st, 1, badge);
	/* Never cut inside a character: the wire takes only whole UTF-8. */
	text_strlcpy (buf, db_step (st) == DB_ROW ? db_col_text (st, 0) : (badge ? badge : "someone"), n);
	db_reset (st);
}

/* --- rows ---------------------------------------------------------------- */

int
flow_order_get (struct hub_req *req, const char *ref, struct flow_order *o)
{
	db_stmt_t *st = db_prepare (req->db,
	    "SELECT ref, status, channel, customer_name, country, postcode, service, parcels_expected,"
	    " part_release IS NOT NULL, coalesce(received_at, 0), coalesce(received_by, '')"
	    " FROM orders WHERE ref = ?1");
	db_bind_text (st, 1, ref);
	int found = db_step (st) == DB_ROW;
	memset (o, 0, sizeof *o);
	if (found) {
		util_strlcpy (o->ref, db_col_text (st, 0), sizeof o->ref);
		o->state = hub_state_order_parse (db_col_text (st, 1));
		util_strlcpy (o->channel, db_col_text (st, 2), sizeof o->channel);
		text_strlcpy (o->customer, db_col_text (st, 3), sizeof o->customer);
		util_strlcpy (o->country, db_col_text (st, 4), sizeof o->country);
		text_strlcpy (o->postcode, db_col_text (st, 5), sizeof o->postcode);
		util_strlcpy (o->service, db_col_text (st, 6), sizeof o->service);
		o->parcels_expected = (int) db_col_int (st, 7);
		o->part_release = db_col_int (st, 8) != 0;
		o->received_at = db_col_int (st, 9);
		util_strlcpy (o->received_by, db_col_text (st, 10), sizeof o->received_by);
	}
	db_reset (st);
	return found ? 0 : 1;
}

#define FLOW_PARCEL_SELECT \
	"SELECT id, order_ref, parcel_no, code, status, coalesce(carrier, ''), coalesce(service, ''),"      \
	" coalesce(tracking, ''), coalesce(sscc, ''), coalesce(cage, ''), weight_g, box,"                   \
	" coalesce(scanned_out_by, verified_by, packed_by),"                                                 \
	" coalesce(scanned_out_at, verified_at, labelled_at, packed_at) FROM parcels "

/* One row into p, the statement left open (the caller resets it): 0 found, 1 not. */
static int
flow_parcel_row_keep (db_stmt_t *st, struct flow_parcel *p)
{
	int found = db_step (st) == DB_ROW;
	memset (p, 0, sizeof *p);
	if (found) {
		p->id = db_col_int (st, 0);
		util_strlcpy (p->order, db_col_text (st, 1), sizeof p->order);
		p->no = (int) db_col_int (st, 2);
		util_strlcpy (p->code, db_col_text (st, 3), sizeof p->code);
		p->state = hub_state_parcel_parse (db_col_text (st, 4));
		util_strlcpy (p->carrier, db_col_text (st, 5), sizeof p->carrier);
		util_strlcpy (p->service, db_col_text (st, 6), sizeof p->service);
		util_strlcpy (p->tracking, db_col_text (st, 7), sizeof p->tracking);
		util_strlcpy (p->sscc, db_col_text (st, 8), sizeof p->sscc);
		util_strlcpy (p->cage, db_col_text (st, 9), sizeof p->cage);
		p->weight_g = (int) db_col_int (st, 10);
		util_strlcpy (p->box, db_col_text (st, 11), sizeof p->box);
		util_strlcpy (p->last_by, db_col_text (st, 12), sizeof p->last_by);
		p->last_at = db_col_int (st, 13);
	}
	return found ? 0 : 1;
}

static int
flow_parcel_row (db_stmt_t *st, struct flow_parcel *p)
{
	int found = flow_parcel_row_keep (st, p);
	db_reset (st);
	return found;
}

int
flow_parcel_get (struct hub_req *req, int64_t id, struct flow_parcel *p)
{
	db_stmt_t *st = db_prepare (req->db, FLOW_PARCEL_SELECT "WHERE id = ?1");
	db_bind_int (st, 1, id);
	return flow_parcel_row (st, p);
}

int
flow_parcel_by_code (struct hub_req *req, const char *code, struct flow_parcel *p)
{
	db_stmt_t *st = db_prepare (req->db,
	    FLOW_PARCEL_SELECT "WHERE sscc = ?1 OR tracking = ?1 OR code = ?1 ORDER BY id LIMIT 1");
	db_bind_text (st, 1, code);
	return flow_parcel_row (st, p);
}

static int
flow_cage_get (struct hub_req *req, const char *code, struct flow_target *t)
{
	db_stmt_t *st = db_prepare (req->db, "SELECT code, carrier, name FROM cages WHERE code = ?1 COLLATE NOCASE");
	db_bind_text (st, 1, code);
	int found = db_step (st) == DB_ROW;
	if (found) {
		util_strlcpy (t->cage, db_col_text (st, 0), sizeof t->cage);
		util_strlcpy (t->cage_carrier, db_col_text (st, 1), sizeof t->cage_carrier);
		util_strlcpy (t->cage_name, db_col_text (st, 2), sizeof t->cage_name);
	}
	db_reset (st);
	return found ? 0 : 1;
}

/* Tracking numbers are printed in groups and read in either case. */
static void
flow_normalise (const char *in, char *out, size_t n)
{
	size_t j = 0;
	for (; *in && j + 1 < n; in++)
		if (!isspace ((unsigned char) *in))
			out[j++] = (char) toupper ((unsigned char) *in);
	out[j] = '\0';
}

/*
 * What scanners really send, made plain: the GS separator typed as "^]" by
 * a keyboard wedge becomes 0x1D; a trailing degree sign (some scanners add
 * one to DPD's barcode, in UTF-8 or Latin-1) and line ends are dropped.
 */
static void
flow_clean (const char *raw, char *out, size_t n)
{
	size_t j = 0;
	for (const char *p = raw ? raw : ""; *p && j + 1 < n; p++) {
		if (p[0] == '^' && p[1] == ']') {
			out[j++] = '\x1d';
			p++;
		} else {
			out[j++] = *p;
		}
	}
	out[j] = '\0';
	for (;;) {
		while (j > 0 && isspace ((unsigned char) out[j - 1]))
			out[--j] = '\0';
		if (j >= 2 && (unsigned char) out[j - 2] == 0xc2 && (unsigned char) out[j - 1] == 0xb0)
			out[j -= 2] = '\0';
		else if (j >= 1 && (unsigned char) out[j - 1] == 0xb0)
			out[--j] = '\0';
		else
			break;
	}
}

/* The parcel of carrier c whose tracking number or SSCC is key ('?' any one character): 0 found (only one). */
static int
flow_parcel_by_key (struct hub_req *req, const struct carrier *c, enum carrier_symbol_reads reads, const char *key,
    struct flow_parcel *p)
{
	bool glob = strchr (key, '?') != NULL;
	static const char *const sql[2][2] = {
		{ FLOW_PARCEL_SELECT "WHERE carrier = ?1 AND tracking = ?2 ORDER BY id LIMIT 2",
		  FLOW_PARCEL_SELECT "WHERE carrier = ?1 AND tracking GLOB ?2 ORDER BY id LIMIT 2" },
		{ FLOW_PARCEL_SELECT "WHERE carrier = ?1 AND sscc = ?2 ORDER BY id LIMIT 2",
		  FLOW_PARCEL_SELECT "WHERE carrier = ?1 AND sscc GLOB ?2 ORDER BY id LIMIT 2" },
	};
	db_stmt_t *st = db_prepare (req->db, sql[reads == CARRIER_READS_SSCC][glob]);
	db_bind_text (st, 1, c->code);
	db_bind_text (st, 2, key);
	if (flow_parcel_row_keep (st, p) != 0) {
		db_reset (st);
		return 1;
	}
	/* A number with a character the symbol does not carry must still name one parcel. */
	bool two = db_step (st) == DB_ROW;
	db_reset (st);
	return two ? 1 : 0;
}

/*
 * The scan as a symbol of some carrier's label. 1 when t is filled (a
 * parcel, or FLOW_SYMBOL), 0 when no symbol names a parcel here (t->symbol
 * may still say whose number it was), -1 database.
 */
static int
flow_resolve_symbol (struct hub_req *req, const char *data, char aim, const struct gs1_scan *gs1,
    struct flow_target *t)
{
	const carrier_set_t *set = carrier_current ();
	const struct carrier *nothing_c = NULL, *unknown_c = NULL;
	const struct carrier_symbol *nothing = NULL, *unknown = NULL;
	char unknown_key[sizeof t->key] = "";
	for (int i = 0; i < carrier_set_count (set); i++) {
		const struct carrier *c = carrier_set_at (set, i);
		for (int k = 0; k < c->nsymbols; k++) {
			const struct carrier_symbol *s = &c->symbols[k];
			char key[sizeof t->key];
			enum carrier_symbol_result r = carrier_symbol_read (s, data, aim, gs1, key, sizeof key);
			if (r == CARRIER_SYMBOL_NOTHING && nothing == NULL) {
				nothing = s;
				nothing_c = c;
			} else if (r == CARRIER_SYMBOL_KEY) {
				if (flow_parcel_by_key (req, c, s->reads, key, &t->parcel) == 0) {
					t->kind = FLOW_PARCEL;
					t->carrier = c;
					t->symbol = s;
					util_strlcpy (t->key, key, sizeof t->key);
					return 1;
				}
				if (unknown == NULL) {
					unknown = s;
					unknown_c = c;
					util_strlcpy (unknown_key, key, sizeof unknown_key);
				}
			}
		}
	}
	if (nothing) {
		t->kind = FLOW_SYMBOL;
		t->carrier = nothing_c;
		t->symbol = nothing;
		return 1;
	}
	if (unknown) {
		t->carrier = unknown_c;
		t->symbol = unknown;
		util_strlcpy (t->key, unknown_key, sizeof t->key);
	}
	return 0;
}

/* Plain codes: a ticket, a parcel code or number as printed or typed, a cage. */
static void
flow_resolve_plain (struct hub_req *req, const char *data, struct flow_target *t)
{
	char norm[GS1_MAX_CODE + 1];
	flow_normalise (data, norm, sizeof norm);
	if (*data == '\0')
		;
	else if (flow_order_get (req, data, &t->order) == 0 || flow_order_get (req, norm, &t->order) == 0)
		t->kind = FLOW_ORDER;
	else if (flow_parcel_by_code (req, data, &t->parcel) == 0 || flow_parcel_by_code (req, norm, &t->parcel) == 0)
		t->kind = FLOW_PARCEL;
	else if (flow_cage_get (req, data, t) == 0)
		t->kind = FLOW_CAGE;
}

int
flow_resolve (struct hub_req *req, const char *raw, struct flow_target *t)
{
	struct gs1_scan scan;
	char err[160], clean[GS1_MAX_CODE + 1];
	memset (t, 0, sizeof *t);
	flow_clean (raw, clean, sizeof clean);
	int garbled = gs1_parse (clean, &scan, err, sizeof err);
	char aim = scan.symbology[0] == ']' ? scan.symbology[1] : 0;
	util_strlcpy (t->code, scan.data, sizeof t->code);
	if (garbled != 0) {
		/* Not GS1 at all, perhaps: a carrier's symbol with GS in it (a PDF417, a MaxiCode). */
		int s = flow_resolve_symbol (req, scan.data, aim, NULL, t);
		if (s < 0)
			return -1;
		if (s == 0) {
			hub_reply (req, PROTO_REFUSED, PR_BAD_DATA, "Barcode not readable as GS1: %s", err);
			return 1;
		}
	} else if (scan.gs1) {
		const char *sscc = gs1_get (&scan, "00"), *order = gs1_get (&scan, "400");
		util_strlcpy (t->code, sscc ? sscc : order ? order : scan.n ? scan.el[0].value : "", sizeof t->code);
		if (sscc && flow_parcel_by_code (req, sscc, &t->parcel) == 0)
			t->kind = FLOW_PARCEL;
		else if (!sscc && order && flow_order_get (req, order, &t->order) == 0)
			t->kind = FLOW_ORDER;
		else if (flow_resolve_symbol (req, scan.data, aim, &scan, t) < 0)
			return -1;
	} else {
		flow_resolve_plain (req, scan.data, t);
		if (t->kind == FLOW_NONE && flow_resolve_symbol (req, scan.data, aim, NULL, t) < 0)
			return -1;
		if (t->kind == FLOW_NONE && aim == 0 && isdigit ((unsigned char) *scan.data)) {
			/* GS1 data from a reader that sent no identifier and no GS (an SSCC and a
			 * fixed-length AI run on): read as GS1-128, it may still be a symbol. */
			char *as = xasprintf ("]C1%s", scan.data);
			struct gs1_scan g;
			if (gs1_parse (as, &g, err, sizeof err) == 0 && g.gs1) {
				const char *sscc = gs1_get (&g, "00");
				if (sscc && flow_parcel_by_code (req, sscc, &t->parcel) == 0)
					t->kind = FLOW_PARCEL;
				else if (flow_resolve_symbol (req, g.data, 0, &g, t) < 0) {
					free (as);
					return -1;
				}
			}
			free (as);
		}
	}
	if (t->kind == FLOW_PARCEL)
		flow_order_get (req, t->parcel.order, &t->order);
	return 0;
}

bool
flow_refuse_symbol (struct hub_req *req, const struct flow_target *t)
{
	if (t->symbol == NULL || t->carrier == NULL || t->kind == FLOW_PARCEL)
		return false;
	if (t->kind == FLOW_SYMBOL) {
		const struct carrier_symbol *to = carrier_symbol_find (t->carrier, t->symbol->instead);
		hub_reply (req, PROTO_REFUSED, PR_WRONG_LABEL, "That is %s's %s: it names no parcel. Scan the %s instead",
		    t->carrier->name, t->symbol->name, to ? to->name : t->symbol->instead);
		hub_reply_data (req, "barcode", "%s", t->symbol->element);
		hub_reply_data (req, "instead", "%s", t->symbol->instead);
		hub_reply_data (req, "carrier", "%s", t->carrier->code);
		return true;
	}
	hub_reply (req, PROTO_REFUSED, PR_UNKNOWN_BARCODE, "%s's %s reads %s, but no parcel of this hub has that "
	    "number (a label from elsewhere, or one replaced). Set the parcel aside and enquire", t->carrier->name,
	    t->symbol->name, t->key);
	hub_reply_data (req, "barcode", "%s", t->symbol->element);
	hub_reply_data (req, "carrier", "%s", t->carrier->code);
	return true;
}

/* --- holds and audit ----------------------------------------------------- */

bool
flow_on_hold (struct hub_req *req, const char *order, int64_t parcel_id, char *reason, size_t rn, char *by, size_t bn)
{
	db_stmt_t *st = db_prepare (req->db,
	    "SELECT reason, held_by FROM holds WHERE order_ref = ?1 AND released_at IS NULL"
	    " AND (parcel_id IS NULL OR parcel_id = ?2) ORDER BY id LIMIT 1");
	db_bind_text (st, 1, order);
	db_bind_int (st, 2, parcel_id);
	bool held = db_step (st) == DB_ROW;
	if (held) {
		if (reason)
			text_strlcpy (reason, db_col_text (st, 0), rn);
		if (by)
			text_strlcpy (by, db_col_text (st, 1), bn);
	}
	db_reset (st);
	return held;
}

bool
flow_on_hold_alarm (struct hub_req *req, const char *order, int64_t parcel_id, const char *what)
{
	char reason[FLOW_REASON_BYTES], by[65], name[129];
	if (!flow_on_hold (req, order, parcel_id, reason, sizeof reason, by, sizeof by))
		return false;
	flow_who (req, by, name, sizeof name);
	hub_reply (req, PROTO_ALARM, PR_ON_HOLD, "ON HOLD: %s. Set it aside (held by %s: %s). " SCREEN_ASK SCREEN_RELEASE,
	    what, name, reason);
	hub_reply_data (req, "order", "%s", order);
	hub_reply_data (req, "hold", "%s", reason);
	hub_reply_data (req, "held_by", "%s", by);
	return true;
}

int
flow_event (struct hub_req *req, const char *action, const char *order, int64_t parcel_id, int line_no,
    bool undoable, const char *fmt, ...)
{
	va_list ap;
	va_start (ap, fmt);
	char *detail = xvasprintf (fmt, ap);
	va_end (ap);
	const char *code = NULL;
	int manual = 0;
	if (proto_msg_id (req->msg) == PROTO_SCAN) {
		code = proto_get_str (req->msg, PROTO_SCAN_CODE);
		manual = (int) proto_get_num (req->msg, PROTO_SCAN_MANUAL);
	} else if (proto_msg_id (req->msg) == PROTO_COMMAND) {
		code = flow_arg (req, "code");
		if (code == NULL)
			code = flow_arg (req, "order");
		if (code == NULL)
			code = flow_arg (req, "parcel");
	}
	db_stmt_t *st = db_prepare (req->db,
	    "INSERT INTO events (at, terminal, seq, operator, station, action, order_ref, parcel_id, line_no,"
	    " code, manual, detail, undoable) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
	db_bind_int (st, 1, req->now_ms);
	db_bind_text (st, 2, proto_msg_terminal (req->msg));
	db_bind_int (st, 3, proto_msg_seq (req->msg));
	db_bind_text (st, 4, req->operator_badge);
	db_bind_text (st, 5, req->station);
	db_bind_text (st, 6, action);
	db_bind_text (st, 7, order);
	if (parcel_id > 0)
		db_bind_int (st, 8, parcel_id);
	if (line_no > 0)
		db_bind_int (st, 9, line_no);
	/* Card numbers never reach the audit trail (pan.h). */
	char *masked = code ? xstrdup (code) : NULL;
	pan_mask (masked);
	pan_mask (detail);
	db_bind_text (st, 10, masked);
	db_bind_int (st, 11, manual);
	db_bind_text (st, 12, detail);
	db_bind_int (st, 13, undoable);
	int rc = db_step (st);
	db_reset (st);
	free (masked);
	free (detail);
	return rc == DB_DONE ? 0 : -1;
}

int
flow_scan_done (struct hub_req *req, const char *order_ref, int rc)
{
	if (rc != 0)
		return rc;
	db_stmt_t *st = db_prepare (req->db,
	    "INSERT INTO scans (at, terminal, seq, operator, station, step, code, manual, status, reason, order_ref)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
	db_bind_int (st, 1, req->now_ms);
	db_bind_text (st, 2, proto_msg_terminal (req->msg));
	db_bind_int (st, 3, proto_msg_seq (req->msg));
	db_bind_text (st, 4, req->operator_badge);
	db_bind_text (st, 5, req->station);
	db_bind_text (st, 6, proto_get_str (req->msg, PROTO_SCAN_STEP));
	char *code = xstrdup (proto_get_str (req->msg, PROTO_SCAN_CODE));
	pan_mask (code); /* a card number is kept only masked (pan.h) */
	db_bind_text (st, 7, code);
	db_bind_int (st, 8, (int64_t) proto_get_num (req->msg, PROTO_SCAN_MANUAL));
	db_bind_text (st, 9, proto_status_name ((int) proto_get_num (req->reply, PROTO_REPLY_STATUS)));
	db_bind_int (st, 10, (int64_t) proto_get_num (req->reply, PROTO_REPLY_REASON));
	db_bind_text (st, 11, order_ref && *order_ref ? order_ref : NULL);
	int r = db_step (st);
	db_reset (st);
	free (code);
	return r == DB_DONE ? 0 : -1;
}

/* --- order status -------------------------------------------------------- */

int
flow_order_update (struct hub_req *req, const char *ref, enum hub_order_state *out)
{
	struct flow_order o;
	if (flow_order_get (req, ref, &o) != 0)
		return -1;
	enum hub_order_state state = o.state;
	if (o.state != ORDER_NEW) {
		db_stmt_t *st = db_prepare (req->db,
		    "SELECT count(*), min(CASE status WHEN 'packed' THEN 1 WHEN 'labelled' THEN 2 WHEN 'verified' THEN 2"
		    " WHEN 'scanned_out' THEN 3 WHEN 'closed' THEN 4 WHEN 'in_transit' THEN 5 ELSE 6 END)"
		    " FROM parcels WHERE order_ref = ?1 AND status <> 'void'");
		db_bind_text (st, 1, ref);
		int64_t parcels = 0, rank = 0;
		if (db_step (st) == DB_ROW) {
			parcels = db_col_int (st, 0);
			rank = db_col_int (st, 1);
		}
		db_reset (st);
		static const enum hub_order_state by_rank[] = { ORDER_PACKED, ORDER_PACKED, ORDER_LABELLED,
			ORDER_SCANNED_OUT, ORDER_CLOSED, ORDER_IN_TRANSIT, ORDER_DELIVERED };
		if (parcels == 0) {
			st = db_prepare (req->db,
			    "SELECT count(*) FILTER (WHERE status = 'open'), count(*) FILTER (WHERE status <> 'found')"
			    " FROM order_lines WHERE order_ref = ?1");
			db_bind_text (st, 1, ref);
			int64_t open = 0, unfound = 0;
			if (db_step (st) == DB_ROW) {
				open = db_col_int (st, 0);
				unfound = db_col_int (st, 1);
			}
			db_reset (st);
			state = open == 0 && (unfound == 0 || o.part_release) ? ORDER_LOCATED : ORDER_RECEIVED;
		} else if (parcels < o.parcels_expected) {
			state = ORDER_PACKING;
		} else {
			state = by_rank[rank >= 0 && rank <= 6 ? rank : 0];
		}
		if (state != o.state) {
			st = db_prepare (req->db, "UPDATE orders SET status = ?2, updated_at = ?3 WHERE ref = ?1");
			db_bind_text (st, 1, ref);
			db_bind_text (st, 2, hub_state_order_name (state));
			db_bind_int (st, 3, req->now_ms);
			int rc = db_step (st);
			db_reset (st);
			if (rc != DB_DONE)
				return -1;
		}
	}
	if (out)
		*out = state;
	return 0;
}

static int64_t
flow_count (struct hub_req *req, const char *sql, const char *ref)
{
	db_stmt_t *st = db_prepare (req->db, sql);
	db_bind_text (st, 1, ref);
	int64_t v = db_step (st) == DB_ROW ? db_col_int (st, 0) : 0;
	db_reset (st);
	return v;
}

const char *
flow_next (struct hub_req *req, const char *ref, enum hub_order_state state)
{
	static const struct {
		enum hub_order_state state;
		const char *next;
	} simple[] = {
		{ ORDER_NEW, "receive" }, { ORDER_LOCATED, "pack" }, { ORDER_PACKING, "pack" }, { ORDER_PACKED, "label" },
		{ ORDER_SCANNED_OUT, "closeout" }, { ORDER_CLOSED, "none" }, { ORDER_IN_TRANSIT, "none" },
		{ ORDER_DELIVERED, "none" },
	};
	if (state == ORDER_RECEIVED) {
		if (flow_count (req, "SELECT count(*) FROM order_lines WHERE order_ref = ?1 AND status = 'open'", ref) > 0)
			return "locate";
		return "release-part";
	}
	if (state == ORDER_LABELLED) {
		if (flow_count (req, "SELECT count(*) FROM parcels WHERE order_ref = ?1 AND status = 'labelled'", ref) > 0)
			return "verify";
		return "scanout";
	}
	for (size_t i = 0; i < nitems (simple); i++)
		if (simple[i].state == state)
			return simple[i].next;
	return "none";
}

/* --- reply data ---------------------------------------------------------- */

void
flow_data_order_next (struct hub_req *req, const struct flow_order *o, const char *next)
{
	hub_reply_data (req, "order", "%s", o->ref);
	hub_reply_data (req, "status", "%s", hub_state_order_name (o->state));
	hub_reply_data (req, "customer", "%s", o->customer);
	hub_reply_data (req, "channel", "%s", o->channel);
	hub_reply_data (req, "service", "%s", o->service);
	hub_reply_data (req, "next", "%s", next);
}

void
flow_data_order (struct hub_req *req, const struct flow_order *o)
{
	flow_data_order_next (req, o, flow_next (req, o->ref, o->state));
}

void
flow_data_parcel (struct hub_req *req, const struct flow_parcel *p)
{
	hub_reply_data (req, "parcel", "%s", p->code);
	hub_reply_data (req, "parcel_no", "%d", p->no);
	hub_reply_data (req, "parcel_status", "%s", hub_state_parcel_name (p->state));
	if (*p->sscc)
		hub_reply_data (req, "sscc", "%s", p->sscc);
	if (*p->tracking)
		hub_reply_data (req, "tracking", "%s", p->tracking);
	if (*p->carrier)
		hub_reply_data (req, "carrier", "%s", p->carrier);
	if (*p->cage)
		hub_reply_data (req, "cage", "%s", p->cage);
	hub_reply_data (req, "weight", "%d", p->weight_g);
}

/* The order's lines as line.N rows and "lines"; with next, the first open
 * line is kept aside (caller frees its fields) so one read serves both. */
struct flow_next_line {
	long long no, qty;
	char *f[4]; /* sku, description, department, locations */
};

static int
flow_data_line_rows (struct hub_req *req, const char *ref, struct flow_next_line *next)
{
	db_stmt_t *st = db_prepare (req->db,
	    "SELECT line_no, status, sku, quantity, department, locations, description FROM order_lines"
	    " WHERE order_ref = ?1 ORDER BY line_no LIMIT 100");
	db_bind_text (st, 1, ref);
	int n = 0;
	while (db_step (st) == DB_ROW) {
		char key[24];
		snprintf (key, sizeof key, "line.%d", ++n);
		hub_reply_data (req, key, "%s|%s|%lld|%s|%s|%s", db_col_text (st, 1), db_col_text (st, 2),
		    (long long) db_col_int (st, 3), db_col_text (st, 4), db_col_text (st, 5), db_col_text (st, 6));
		if (next && next->f[0] == NULL && hub_state_line_parse (db_col_text (st, 1)) == LINE_OPEN) {
			next->no = db_col_int (st, 0);
			next->qty = db_col_int (st, 3);
			next->f[0] = xstrdup (db_col_text (st, 2));
			next->f[1] = xstrdup (db_col_text (st, 6));
			next->f[2] = xstrdup (db_col_text (st, 4));
			next->f[3] = xstrdup (db_col_text (st, 5));
		}
	}
	db_reset (st);
	hub_reply_data (req, "lines", "%d", n);
	return n;
}

void
flow_data_lines (struct hub_req *req, const char *ref)
{
	flow_data_line_rows (req, ref, NULL);
}

/* The next-line keys (line, sku, description, department, qty, location, locations). */
static void
flow_data_line_keys (struct hub_req *req, long long line_no, const char *sku, const char *description,
    const char *department, long long qty, const char *locs)
{
	hub_reply_data (req, "line", "%lld", line_no);
	hub_reply_data (req, "sku", "%s", sku);
	hub_reply_data (req, "description", "%s", description);
	hub_reply_data (req, "department", "%s", department);
	hub_reply_data (req, "qty", "%lld", qty);
	hub_reply_data (req, "location", "%.*s", (int) strcspn (locs, ";"), locs);
	hub_reply_data (req, "locations", "%s", locs);
}

bool
flow_data_lines_next (struct hub_req *req, const char *ref)
{
	/* One read gives both on the receive path, the busiest there is; the
	 * first open line is kept aside so the keys come in the usual order. */
	struct flow_next_line next = { 0 };
	int n = flow_data_line_rows (req, ref, &next);
	if (next.f[0] == NULL)
		return n == 100 && flow_data_next_line (req, ref); /* an open line past the hundredth */
	flow_data_line_keys (req, next.no, next.f[0], next.f[1], next.f[2], next.qty, next.f[3]);
	for (size_t i = 0; i < nitems (next.f); i++)
		free (next.f[i]);
	return true;
}

bool
flow_data_next_line (struct hub_req *req, const char *ref)
{
	db_stmt_t *st = db_prepare (req->db,
	    "SELECT line_no, sku, description, department, quantity, locations FROM order_lines"
	    " WHERE order_ref = ?1 AND status = 'open' ORDER BY line_no LIMIT 1");
	db_bind_text (st, 1, ref);
	bool found = db_step (st) == DB_ROW;
	if (found)
		flow_data_line_keys (req, (long long) db_col_int (st, 0), db_col_text (st, 1), db_col_text (st, 2),
		    db_col_text (st, 3), (long long) db_col_int (st, 4), db_col_text (st, 5));
	db_reset (st);
	return found;
}
