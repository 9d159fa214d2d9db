/*
 * flow-pack.c: steps "pack" and "verify", command "label". A parcel is
 * packed only when every line of every department is present (or a
 * supervisor released a part-shipment); packing labels it at once; the
 * packer then scans the printed label to prove it is on the right parcel.
 */
#include "config.h"
#include "conf.h"
#include "flow-steps.h"
#include "hub/req/flow.h"
#include "screens.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The box types of pack.boxes when the setting is not there (despatch.conf(5)). */
#define FLOW_PACK_BOXES "S M L XL"

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
			hub_reply (req, PROTO_REFUSED, PR_INCOMPLETE, "Not all here: line %lld (%s, %s) is %s. Wait for it. "
			    "Part-shipment? " SCREEN_ASK SCREEN_IN_SUPER (SCREEN_PART),
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

static void flow_pack_reply_data (struct hub_req *req, const char *ref, const struct flow_parcel *p);

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
	flow_pack_reply_data (req, p->order, p);
	/* As after any label: the bench checks it next (the terminal would ask for the box again). */
	if (lr == 0)
		hub_reply_data (req, "next", "verify");
	return 0;
}

/* Where an order's pack stands: its parcels, what is labelled, checked, left to do. */
struct flow_pack_state {
	int expected;            /* parcels the packer said (orders.parcels_expected) */
	int count;               /* parcels packed (not void) */
	int verified;            /* labels checked (verified or later) */
	int gone;                /* scanned out or later */
	int unlabelled_no;       /* the first packed but not labelled, or 0 */
	int unverified_no;       /* the first labelled but not checked, or 0 */
	char unverified[48], unverified_tracking[40], unverified_carrier[24];
	int next_no;             /* the first parcel number not packed yet (0: all are) */
	char gone_code[48], gone_cage[33];
};

/* Read the state and put it in the reply: parcel.N rows as enquiry gives them, and counts. */
static void
flow_pack_state (struct hub_req *req, const struct flow_order *o, struct flow_pack_state *s)
{
	memset (s, 0, sizeof *s);
	s->expected = o->parcels_expected;
	db_stmt_t *st = db_prepare (req->db,
	    "SELECT parcel_no, code, status, coalesce(carrier, ''), coalesce(tracking, ''), coalesce(sscc, ''),"
	    " coalesce(cage, '') FROM parcels WHERE order_ref = ?1 AND status <> 'void' ORDER BY parcel_no");
	db_bind_text (st, 1, o->ref);
	bool have[100] = { false };
	while (db_step (st) == DB_ROW) {
		int no = (int) db_col_int (st, 0);
		enum hub_parcel_state ps = hub_state_parcel_parse (db_col_text (st, 2));
		char k[24];
		snprintf (k, sizeof k, "parcel.%d", ++s->count);
		hub_reply_data (req, k, "%s|%s|%s|%s|%s|%s", db_col_text (st, 1), db_col_text (st, 2), db_col_text (st, 3),
		    db_col_text (st, 4), db_col_text (st, 5), db_col_text (st, 6));
		if (no > 0 && no < (int) nitems (have))
			have[no] = true;
		if (ps == PARCEL_PACKED && s->unlabelled_no == 0)
			s->unlabelled_no = no;
		if (ps == PARCEL_LABELLED && s->unverified_no == 0) {
			s->unverified_no = no;
			util_strlcpy (s->unverified, db_col_text (st, 1), sizeof s->unverified);
			util_strlcpy (s->unverified_tracking, db_col_text (st, 4), sizeof s->unverified_tracking);
			util_strlcpy (s->unverified_carrier, db_col_text (st, 3), sizeof s->unverified_carrier);
		}
		if (ps != PARCEL_PACKED && ps != PARCEL_LABELLED)
			s->verified++;
		if (ps != PARCEL_PACKED && ps != PARCEL_LABELLED && ps != PARCEL_VERIFIED) {
			s->gone++;
			if (*s->gone_code == '\0') {
				util_strlcpy (s->gone_code, db_col_text (st, 1), sizeof s->gone_code);
				util_strlcpy (s->gone_cage, db_col_text (st, 6), sizeof s->gone_cage);
			}
		}
	}
	db_reset (st);
	if (s->expected < s->count)
		s->expected = s->count;
	for (int no = 1; no <= s->expected && no < (int) nitems (have); no++)
		if (!have[no]) {
			s->next_no = no;
			break;
		}
	hub_reply_data (req, "parcels", "%d", s->expected);
	hub_reply_data (req, "packed", "%d", s->count);
	hub_reply_data (req, "verified", "%d", s->verified);
	if (s->unverified_no) {
		hub_reply_data (req, "verify", "%s", s->unverified);
		hub_reply_data (req, "verify_no", "%d", s->unverified_no);
		hub_reply_data (req, "verify_tracking", "%s", s->unverified_tracking);
		hub_reply_data (req, "verify_carrier", "%s", s->unverified_carrier);
	}
	if (s->next_no)
		hub_reply_data (req, "pack_no", "%d", s->next_no);
}

/* What the bench does next for the order: check a label, pack a parcel, or nothing here. */
static const char *
flow_pack_next (struct hub_req *req, const struct flow_order *o, const struct flow_pack_state *s)
{
	if (s->unverified_no)
		return "verify";
	if (s->unlabelled_no || s->next_no || s->count == 0)
		return "pack";
	return flow_next (req, o->ref, o->state);
}

/* The reply after a parcel is labelled (or refused labelling). */
static void
flow_pack_reply_data (struct hub_req *req, const char *ref, const struct flow_parcel *p)
{
	struct flow_order o;
	struct flow_pack_state s;
	if (flow_order_get (req, ref, &o) == 0)
		flow_data_order (req, &o);
	flow_pack_state (req, &o, &s);
	flow_data_parcel (req, p);
	hub_reply_data (req, "service", "%s", p->service);
}

/*
 * A ticket scanned at the bench with no box or weight opens the order:
 * nothing changes; the reply says which parcels are labelled, checked and
 * left to do, and what the bench does next (next, verify, pack_no).
 */
static int
flow_pack_open (struct hub_req *req, struct flow_order *o)
{
	struct flow_pack_state s;
	if (o->state == ORDER_NEW) {
		hub_reply (req, PROTO_REFUSED, PR_WRONG_STEP, "%s is not received yet. Scan its ticket at receive, "
		    "then locate its lines", o->ref);
		return flow_scan_done (req, o->ref, 0);
	}
	flow_data_order (req, o);
	flow_data_lines (req, o->ref);
	/* The box types the bench chooses from (the terminal offers them as a list). */
	hub_reply_data (req, "boxes", "%s", conf_get (req->opt->conf, "pack.boxes", FLOW_PACK_BOXES));
	flow_pack_state (req, o, &s);
	const char *next = flow_pack_next (req, o, &s);
	hub_reply_data (req, "next", "%s", next);
	if (s.count == 0) {
		if (flow_pack_incomplete (req, o))
			return flow_scan_done (req, o->ref, 0);
		hub_reply (req, PROTO_OK, PR_OK, "%s: every line is here. How many parcels?", o->ref);
	} else if (s.unverified_no) {
		hub_reply (req, PROTO_OK, PR_OK, "%s: %d of %d parcels packed, %d checked. Scan the label of parcel %d "
		    "(%s %s)", o->ref, s.count, s.expected, s.verified, s.unverified_no, s.unverified_carrier,
		    s.unverified_tracking);
	} else if (s.unlabelled_no || s.next_no) {
		hub_reply (req, PROTO_OK, PR_OK, "%s: %d of %d parcels packed, %d checked. Pack parcel %d", o->ref, s.count,
		    s.expected, s.verified, s.unlabelled_no ? s.unlabelled_no : s.next_no);
		hub_reply_data (req, "pack_no", "%d", s.unlabelled_no ? s.unlabelled_no : s.next_no);
	} else {
		hub_reply (req, PROTO_OK, PR_ALREADY_DONE, "%s is packed: %d of %d parcels labelled and checked. To add a "
		    "parcel choose Add (every label is then reprinted as n of %d)", o->ref, s.count, s.expected,
		    s.expected + 1);
		hub_reply_data (req, "complete", "1");
	}
	return flow_scan_done (req, o->ref, 0);
}

/*
 * A new parcel's box must be one of pack.boxes (spaces or commas between,
 * as the terminal splits them): the floor's box types decide dimensions
 * and carrier prices, and a typo would reach the carrier. A packer types
 * or scans it, so case does not count ("m" is M) nor spaces around it;
 * the parcel keeps the setting's spelling, into canon. A name with a space
 * inside can never match (the space separates two types). False with the
 * refusal in the reply, which names the types and what to do.
 */
static bool
flow_pack_box (struct hub_req *req, const char *box, char *canon, size_t len)
{
	const char *list = conf_get (req->opt->conf, "pack.boxes", FLOW_PACK_BOXES);
	box += strspn (box, " ");
	size_t n = strlen (box);
	while (n > 0 && box[n - 1] == ' ')
		n--;
	char shown[200] = "";
	size_t used = 0;
	for (const char *b = list; *b;) {
		b += strspn (b, " ,");
		size_t w = strcspn (b, " ,");
		if (w == 0)
			break;
		if (w == n && w < len && strncasecmp (b, box, w) == 0) {
			snprintf (canon, len, "%.*s", (int) w, b);
			return true;
		}
		if (used < sizeof shown)
			used += (size_t) snprintf (shown + used, sizeof shown - used, "%s%.*s", used ? " " : "", (int) w, b);
		b += w;
	}
	if (used >= sizeof shown)
		memcpy (shown + sizeof shown - 4, "...", 4);
	if (used == 0)
		hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT, "This hub has no box types (pack.boxes is empty): ask a "
		    "supervisor to set them in pack.boxes");
	else
		hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT, "Box '%.*s' is not one of this hub's boxes (%s): choose one, "
		    "or ask a supervisor to add it to pack.boxes", (int) n, box, shown);
	return false;
}

/* Insert parcel no of the order as packed; its id into *id. 0, or -1 database. */
static int
flow_pack_insert (struct hub_req *req, const char *ref, long no, const char *box, long weight, int64_t *id)
{
	char code[48];
	snprintf (code, sizeof code, "%s/%ld", ref, no);
	db_stmt_t *st = db_prepare (req->db,
	    "INSERT INTO parcels (order_ref, parcel_no, code, box, weight_g, status, packed_at, packed_by)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, 'packed', ?6, ?7)");
	db_bind_text (st, 1, ref);
	db_bind_int (st, 2, no);
	db_bind_text (st, 3, code);
	db_bind_text (st, 4, box);
	db_bind_int (st, 5, weight);
	db_bind_int (st, 6, req->now_ms);
	db_bind_text (st, 7, req->operator_badge);
	int rc = db_step (st);
	db_reset (st);
	*id = db_last_rowid (req->db);
	return rc == DB_DONE ? 0 : -1;
}

static int
flow_pack_set_expected (struct hub_req *req, const char *ref, long total)
{
	db_stmt_t *st = db_prepare (req->db, "UPDATE orders SET parcels_expected = ?2 WHERE ref = ?1");
	db_bind_text (st, 1, ref);
	db_bind_int (st, 2, total);
	int rc = db_step (st);
	db_reset (st);
	return rc == DB_DONE ? 0 : -1;
}

/*
 * Add a parcel to an order whose parcels are all packed: every label must
 * carry the true "n of N", so each earlier parcel's label is voided (its
 * numbers stay used; a scan of it says it was replaced) and the parcel
 * labelled again, then the new one packed. All or nothing: a refusal on
 * the way undoes what was done (a savepoint of its own). 0 with the reply
 * filled, -1 database.
 */
static int
flow_pack_add (struct hub_req *req, struct flow_order *o, const struct flow_pack_state *s, const char *box,
    long weight)
{
	if (s->gone) {
		hub_reply (req, PROTO_REFUSED, PR_CONFLICT, "Cannot add a parcel to %s: %s is %s%s%s, so its label cannot "
		    "be replaced. Bring it back and undo its scan-out, or pack the extra goods as an order of their own",
		    o->ref, s->gone_code, *s->gone_cage ? "on " : "handed over", s->gone_cage, "");
		return flow_scan_done (req, o->ref, 0);
	}
	if (s->unlabelled_no) {
		hub_reply (req, PROTO_REFUSED, PR_WRONG_STEP, "Parcel %d of %s has no label yet. Label it first, then add",
		    s->unlabelled_no, o->ref);
		return flow_scan_done (req, o->ref, 0);
	}
	if (s->count >= 99) {
		hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT, "%s has 99 parcels: no more can be added", o->ref);
		return flow_scan_done (req, o->ref, 0);
	}
	int total = s->count + 1;
	if (db_exec (req->db, "SAVEPOINT pack_add") != DB_DONE)
		return -1;
	struct { int64_t old; int no; char box[17]; int weight; char tracking[40]; } *was = xcalloc ((size_t) s->count,
	    sizeof *was);
	int n = 0, rc = 0;
	db_stmt_t *st = db_prepare (req->db, "SELECT id, parcel_no, box, weight_g, coalesce(tracking, '') FROM parcels"
	    " WHERE order_ref = ?1 AND status <> 'void' ORDER BY parcel_no");
	db_bind_text (st, 1, o->ref);
	while (n < s->count && db_step (st) == DB_ROW) {
		was[n].old = db_col_int (st, 0);
		was[n].no = (int) db_col_int (st, 1);
		util_strlcpy (was[n].box, db_col_text (st, 2), sizeof was[n].box);
		was[n].weight = (int) db_col_int (st, 3);
		util_strlcpy (was[n].tracking, db_col_text (st, 4), sizeof was[n].tracking);
		n++;
	}
	db_reset (st);
	if (flow_pack_set_expected (req, o->ref, total) != 0)
		rc = -1;
	char replaced[600] = "";
	bool refused = false;
	for (int i = 0; rc == 0 && !refused && i <= n; i++) {
		int64_t id;
		bool fresh = i == n;
		if (!fresh) {
			st = db_prepare (req->db, "UPDATE parcels SET status = 'void', parcel_no = -id, code = code || '~void' || id"
			    " WHERE id = ?1");
			db_bind_int (st, 1, was[i].old);
			rc = db_step (st) == DB_DONE ? 0 : -1;
			db_reset (st);
		}
		if (rc == 0)
			rc = flow_pack_insert (req, o->ref, fresh ? total : was[i].no, fresh ? box : was[i].box,
			    fresh ? weight : was[i].weight, &id);
		if (rc == 0)
			rc = flow_event (req, "pack", o->ref, id, 0, false, fresh ? "parcel %d of %d, box %s, %ld g, added"
			    : "parcel %d of %d relabelled (was %s)", fresh ? total : was[i].no, total, fresh ? box : was[i].tracking,
			    (long) weight);
		bool low = false;
		int lr = rc == 0 ? flow_label_parcel (req, id, &low) : -1;
		if (lr < 0)
			rc = -1;
		else if (lr > 0)
			refused = true;
		else if (!fresh) {
			struct flow_parcel np;
			if (flow_parcel_get (req, id, &np) != 0)
				rc = -1;
			size_t used = strlen (replaced);
			snprintf (replaced + used, sizeof replaced - used, "%s%d (%s -> %s)", used ? ", " : "", was[i].no,
			    was[i].tracking, np.tracking);
			char k[24];
			snprintf (k, sizeof k, "replace.%d", i + 1);
			hub_reply_data (req, k, "%s/%d|%s|%s", o->ref, was[i].no, was[i].tracking, np.tracking);
		}
	}
	free (was);
	if (rc != 0)
		return -1;
	if (refused) {
		/* Nothing of the addition stays: the labels on the parcels are still the right ones. */
		if (db_exec (req->db, "ROLLBACK TO pack_add") != DB_DONE || db_exec (req->db, "RELEASE pack_add") != DB_DONE)
			return -1;
		char *why = xstrdup (proto_get_str (req->reply, PROTO_REPLY_TEXT));
		int reason = (int) proto_get_num (req->reply, PROTO_REPLY_REASON);
		hub_reply (req, PROTO_REFUSED, reason, "Parcel not added to %s, nothing changed: %s", o->ref, why);
		free (why);
		return flow_scan_done (req, o->ref, 0);
	}
	if (db_exec (req->db, "RELEASE pack_add") != DB_DONE || flow_order_update (req, o->ref, NULL) != 0)
		return -1;
	struct flow_parcel p;
	char code[48];
	snprintf (code, sizeof code, "%s/%d", o->ref, total);
	if (flow_parcel_by_code (req, code, &p) != 0)
		return -1;
	hub_reply (req, PROTO_WARN, PR_OK, "Parcel %d of %d added and labelled %s %s. Labels reprinted as n of %d: "
	    "take off the old label of parcel %s and put the new one on; then scan every label", total, total, p.carrier,
	    p.tracking, total, replaced);
	hub_reply_data (req, "replaced", "%d", n);
	flow_pack_reply_data (req, o->ref, &p);
	hub_reply_data (req, "next", "verify");
	return flow_scan_done (req, o->ref, 0);
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
		else if (t.kind == FLOW_SYMBOL)
			hub_reply (req, PROTO_REFUSED, PR_WRONG_STEP, "That is a barcode of a carrier label. To pack, scan the "
			    "despatch ticket");
		else
			hub_reply (req, PROTO_REFUSED, PR_UNKNOWN_BARCODE, "Unknown ticket %.40s. Scan the despatch ticket",
			    t.code);
		return flow_scan_done (req, NULL, 0);
	}
	struct flow_order *o = &t.order;
	if (flow_on_hold_alarm (req, o->ref, 0, o->ref))
		return flow_scan_done (req, o->ref, 0);
	const char *box = flow_ctx (req, "box");
	if (box == NULL && flow_ctx (req, "weight") == NULL)
		return flow_pack_open (req, o);
	long total, no, weight, add;
	if (!flow_ctx_long (req, "parcels", o->parcels_expected > 0 ? o->parcels_expected : 1, 1, 99, &total)
	    || !flow_ctx_long (req, "weight", -1, 1, 100000, &weight) || !flow_ctx_long (req, "add", 0, 0, 1, &add))
		return flow_scan_done (req, o->ref, 0);
	if (box == NULL || strlen (box) > 16) {
		hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT, "Which box? Choose the box type (up to 16 characters) "
		    "and scan again");
		return flow_scan_done (req, o->ref, 0);
	}
	struct flow_pack_state s;
	/* The state goes in the reply whatever the answer; computed before anything changes. */
	flow_pack_state (req, o, &s);
	if (s.count > 0) {
		/* Parcels exist: the number said first stands; a different one is no way to add a parcel. */
		total = s.expected;
		if (add) {
			static const enum hub_order_state after[] = { ORDER_CLOSED, ORDER_IN_TRANSIT, ORDER_DELIVERED };
			for (size_t i = 0; i < nitems (after); i++)
				if (o->state == after[i]) {
					hub_reply (req, PROTO_REFUSED, PR_CLOSED, "%s is already %s: no parcel can be added. Pack the "
					    "extra goods as an order of their own", o->ref, hub_state_order_name (o->state));
					return flow_scan_done (req, o->ref, 0);
				}
			if (s.next_no) {
				hub_reply (req, PROTO_REFUSED, PR_WRONG_STEP, "%s still has parcel %d of %d to pack: pack it before "
				    "adding one", o->ref, s.next_no, s.expected);
				return flow_scan_done (req, o->ref, 0);
			}
			char canon[17];
			if (!flow_pack_box (req, box, canon, sizeof canon))
				return flow_scan_done (req, o->ref, 0);
			return flow_pack_add (req, o, &s, canon, weight);
		}
	}
	long next = s.unlabelled_no ? s.unlabelled_no : s.next_no ? s.next_no : s.count + 1;
	if (!flow_ctx_long (req, "parcel", next, 1, 99, &no))
		return flow_scan_done (req, o->ref, 0);

	struct flow_parcel p;
	if (flow_pack_existing (req, o->ref, no, &p) == 0 && p.state == PARCEL_PACKED) {
		/* Packed before but never labelled: packing it again is how the packer asks for the label. */
		if (flow_pack_label_again (req, &p) != 0)
			return -1;
		return flow_scan_done (req, o->ref, 0);
	}
	if (flow_pack_existing (req, o->ref, no, &p) == 0 || no > total) {
		if (no > total && s.count > 0)
			hub_reply (req, PROTO_OK, PR_ALREADY_DONE, "%s already has its %d parcels. To add one, choose Add (every "
			    "label is then reprinted as n of %d)", o->ref, s.expected, s.expected + 1);
		else if (no > total)
			hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT, "Parcel %ld of %ld? The parcel number must be from 1 to "
			    "%ld", no, total, total);
		else {
			char who[129], when[8];
			flow_who (req, p.last_by, who, sizeof who);
			flow_hhmm (p.last_at, when, sizeof when);
			hub_reply (req, PROTO_OK, PR_ALREADY_DONE, "Parcel %ld of %s already packed (%s %s by %s)", no, o->ref,
			    hub_state_parcel_name (p.state), when, who);
			hub_reply_data (req, "by", "%s", p.last_by);
		}
		flow_data_order (req, o);
		if (no <= total)
			flow_data_parcel (req, &p);
		hub_reply_data (req, "next", "%s", flow_pack_next (req, o, &s));
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
	/* Checked only for a parcel made now: one packed before keeps its box, listed or no longer. */
	char canon[17];
	if (!flow_pack_box (req, box, canon, sizeof canon))
		return flow_scan_done (req, o->ref, 0);
	box = canon;

	int64_t id;
	if (flow_pack_insert (req, o->ref, no, box, weight, &id) != 0 || flow_pack_set_expected (req, o->ref, total) != 0
	    || flow_parcel_get (req, id, &p) != 0)
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
		else if (!flow_refuse_symbol (req, &t))
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
		hub_reply (req, PROTO_ALARM, PR_WRONG_LABEL, "CANCELLED LABEL: parcel %.*s's label %s was replaced or undone. "
		    "Take this label off", (int) strcspn (p->code, "~"), p->code, p->tracking);
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
	/* What the bench does next for this order: the next label to check, or the next parcel to pack. */
	struct flow_pack_state s;
	flow_pack_state (req, &t.order, &s);
	hub_reply_data (req, "next", "%s", flow_pack_next (req, &t.order, &s));
	const char *text = proto_get_str (req->reply, PROTO_REPLY_TEXT);
	char *said = xstrdup (text ? text : "");
	int status = (int) proto_get_num (req->reply, PROTO_REPLY_STATUS), reason = (int) proto_get_num (req->reply,
	    PROTO_REPLY_REASON);
	if (s.unverified_no)
		hub_reply (req, status, reason, "%s. Now scan the label of parcel %d of %d (%s %s)", said, s.unverified_no,
		    s.expected, s.unverified_carrier, s.unverified_tracking);
	else if (s.unlabelled_no || s.next_no)
		hub_reply (req, status, reason, "%s. Now pack parcel %d of %d", said,
		    s.unlabelled_no ? s.unlabelled_no : s.next_no, s.expected);
	else
		hub_reply (req, status, reason, "%s. All %d parcel%s of %s checked", said, s.count, s.count == 1 ? "" : "s",
		    t.order.ref);
	free (said);
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
