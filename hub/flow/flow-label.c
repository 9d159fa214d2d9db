/*
 * flow-label.c: the "labelled" step: choose carrier and service, take the
 * next numbers from the carrier's range (never reused: the range moves on in
 * the same transaction), and issue the label.
 *
 * Carrier and service come from the rule set of the carrier files
 * (carrier-rules.c), or from a supervisor's override of the order; either
 * way the reasons go into the audit trail as a "choice" event. Identifiers
 * and their check characters come from labels/ident.h.
 *
 * flow_label_issue is the one place where a label becomes a print job
 * (hub-print.c renders it, keeps it and sends it after the commit).
 */
#include "config.h"
#include "flow-steps.h"
#include "hub/req/flow.h"
#include "carriers/carrier.h"
#include "hub/docs/hub-customs.h"
#include "hub/docs/hub-print.h"
#include "labels/ident.h"
#include "printers/print.h"
#include "log.h"
#include "screens.h"
#include "util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { FLOW_TAKE_OK, FLOW_TAKE_LOW, FLOW_TAKE_NONE };

/* The next identifier from carrier's range into out. -1 database, else FLOW_TAKE_*. */
static int
flow_label_take (struct hub_req *req, const char *carrier, char *out, size_t n, char *why, size_t wn)
{
	db_stmt_t *st = db_prepare (req->db,
	    "SELECT id, scheme, prefix, first, next, last, low_water FROM ranges WHERE carrier = ?1 AND next <= last"
	    " ORDER BY id LIMIT 1");
	db_bind_text (st, 1, carrier);
	if (db_step (st) != DB_ROW) {
		db_reset (st);
		snprintf (why, wn, "no %s numbers left", carrier);
		return FLOW_TAKE_NONE;
	}
	int64_t id = db_col_int (st, 0);
	char scheme[24], prefix[24];
	util_strlcpy (scheme, db_col_text (st, 1), sizeof scheme);
	util_strlcpy (prefix, db_col_text (st, 2), sizeof prefix);
	struct ident_range r = { scheme, prefix, (uint64_t) db_col_int (st, 3), (uint64_t) db_col_int (st, 5),
		(uint64_t) db_col_int (st, 6) };
	uint64_t next = (uint64_t) db_col_int (st, 4), left = 0;
	db_reset (st);

	char *ident = NULL, *cause = NULL;
	enum ident_take took = ident_range_take (&r, next, &ident, &left, &cause);
	if (took == IDENT_TAKE_BAD || took == IDENT_TAKE_EXHAUSTED) {
		snprintf (why, wn, "%s", cause ? cause : "the number range is unusable");
		log_error ("range %lld (%s): %s", (long long) id, carrier, why);
		free (cause);
		return FLOW_TAKE_NONE;
	}
	free (cause);
	util_strlcpy (out, ident, n);
	free (ident);
	st = db_prepare (req->db, "UPDATE ranges SET next = next + 1 WHERE id = ?1");
	db_bind_int (st, 1, id);
	int rc = db_step (st);
	db_reset (st);
	if (rc != DB_DONE)
		return -1;
	if (took == IDENT_TAKE_LOW) {
		snprintf (why, wn, "%s numbers running low: %" PRIu64 " left", carrier, left);
		log_warn ("%s", why);
		return FLOW_TAKE_LOW;
	}
	return FLOW_TAKE_OK;
}

/*
 * Carrier and service for the parcel: the order's override, else the rules.
 * The reasons are recorded as a "choice" event. Leaves carrier empty (and
 * the reply filled) when nothing can take it. 0, or -1 database.
 */
static int
flow_label_choose (struct hub_req *req, const struct flow_order *o, const struct flow_parcel *p, char *carrier,
    size_t cn, char *service, size_t sn)
{
	const carrier_set_t *set = carrier_current ();
	db_stmt_t *st = db_prepare (req->db,
	    "SELECT carrier_override, service_override, override_by, override_reason FROM orders WHERE ref = ?1"
	    " AND carrier_override IS NOT NULL");
	db_bind_text (st, 1, o->ref);
	if (db_step (st) == DB_ROW) {
		const struct carrier *c = carrier_find (set, db_col_text (st, 0));
		if (c && carrier_service_find (c, db_col_text (st, 1))) {
			util_strlcpy (carrier, db_col_text (st, 0), cn);
			util_strlcpy (service, db_col_text (st, 1), sn);
			char *why = xasprintf ("override by %s: %s", db_col_text (st, 2), db_col_text (st, 3));
			db_reset (st);
			int rc = flow_event (req, "choice", p->order, p->id, 0, false, "%s/%s: %s", carrier, service, why);
			free (why);
			return rc;
		}
		log_warn ("order %s: override %s/%s is no longer in the carrier files; the rules choose", o->ref,
		    db_col_text (st, 0), db_col_text (st, 1));
	}
	db_reset (st);
	struct carrier_order co;
	if (carrier_rules_order (req->db, o->ref, p->weight_g, req->now_ms, &co) != 0)
		return -1;
	struct carrier_choice *ch = xmalloc (sizeof *ch);
	carrier_rules_choose (set, &co, ch);
	int rc = 0;
	if (ch->carrier) {
		util_strlcpy (carrier, ch->carrier->code, cn);
		util_strlcpy (service, ch->service->code, sn);
		rc = flow_event (req, "choice", p->order, p->id, 0, false, "%s/%s: %s", carrier, service, ch->why);
	} else {
		*carrier = '\0';
		hub_reply (req, PROTO_REFUSED, PR_BAD_DATA, "No carrier takes a %d g parcel to %s for %s service. "
		    "Repack lighter, or a supervisor overrides the carrier. " SCREEN_ASK SCREEN_OVERRIDE, p->weight_g, o->country, o->service);
		hub_reply_data (req, "why", "%.900s", ch->why);
		rc = flow_event (req, "choice-refused", p->order, p->id, 0, false, "%s", ch->why);
	}
	free (ch);
	return rc;
}

void
flow_label_document (struct hub_req *req, int64_t job, const char *key)
{
	db_stmt_t *st = db_prepare (req->db,
	    "SELECT title, status, coalesce (printer, ''), coalesce (error, ''), station FROM label_jobs WHERE id = ?1");
	db_bind_int (st, 1, job);
	if (db_step (st) == DB_ROW) {
		char k[40];
		const char *printer = db_col_text (st, 2);
		char *cause = NULL;
		if (*printer == '\0')
			printer = print_map_queue (req->opt->conf, db_col_text (st, 4), PRINT_ROLE_DOCUMENT, &cause);
		snprintf (k, sizeof k, "%s_title", key);
		hub_reply_data (req, k, "%s", db_col_text (st, 0));
		snprintf (k, sizeof k, "%s_state", key);
		hub_reply_data (req, k, "%s", db_col_text (st, 1));
		snprintf (k, sizeof k, "%s_printer", key);
		hub_reply_data (req, k, "%s", printer ? printer : "");
		if (*db_col_text (st, 3)) {
			snprintf (k, sizeof k, "%s_error", key);
			hub_reply_data (req, k, "%s", db_col_text (st, 3));
		}
		free (cause);
	}
	db_reset (st);
}

/* Drawn and kept now; sent to the bench's printer once this commits. 1 issued, 0 it cannot be drawn
 * (the reply says why), -1 database. */
static int
flow_label_issue (struct hub_req *req, int64_t parcel_id)
{
	int64_t job = hub_print_label (req, parcel_id, 0, NULL);
	return job < 0 ? -1 : job > 0;
}

int
flow_label_parcel (struct hub_req *req, int64_t parcel_id, bool *low)
{
	struct flow_parcel p;
	struct flow_order o;
	if (flow_parcel_get (req, parcel_id, &p) != 0 || flow_order_get (req, p.order, &o) != 0)
		return -1;
	char carrier[24] = "", service[40] = "", scheme[24] = "";
	if (flow_label_choose (req, &o, &p, carrier, sizeof carrier, service, sizeof service) != 0)
		return -1;
	if (*carrier == '\0')
		return 1;
	/* Customs data is checked before a number is taken: a refused parcel wastes none. */
	const char *paper = NULL;
	int crc = hub_customs_check (req, o.ref, o.country, carrier, service, &paper);
	if (crc < 0)
		return -1;
	if (crc > 0) {
		hub_reply_data (req, "parcel", "%s", p.code);
		hub_reply_data (req, "carrier", "%s", carrier);
		return flow_event (req, "label-refused", p.order, p.id, 0, false, "%s", proto_get_str (req->reply,
		    PROTO_REPLY_TEXT)) ? -1 : 1;
	}
	util_strlcpy (scheme, carrier_find (carrier_current (), carrier)->scheme, sizeof scheme);
	/* The numbers are taken in a savepoint of their own: a label that cannot be drawn takes none. */
	if (db_exec (req->db, "SAVEPOINT label") != DB_DONE)
		return -1;
	db_stmt_t *st;
	char tracking[48], sscc[24], why[200] = "", why2[200] = "";
	int t1 = flow_label_take (req, carrier, tracking, sizeof tracking, why, sizeof why);
	if (t1 < 0)
		return -1;
	int t2 = FLOW_TAKE_OK;
	if (t1 != FLOW_TAKE_NONE && strcmp (scheme, "sscc") == 0)
		util_strlcpy (sscc, tracking, sizeof sscc);
	else if (t1 != FLOW_TAKE_NONE && (t2 = flow_label_take (req, "sscc", sscc, sizeof sscc, why2, sizeof why2)) < 0)
		return -1;
	if (t1 == FLOW_TAKE_NONE || t2 == FLOW_TAKE_NONE) {
		hub_reply (req, PROTO_REFUSED, PR_RANGE_EXHAUSTED, "%s packed, NOT labelled: %s. " SCREEN_ASK
		    SCREEN_IN_SUPER (SCREEN_RANGES) ", then label it again", p.code, t1 == FLOW_TAKE_NONE ? why : why2);
		hub_reply_data (req, "parcel", "%s", p.code);
		hub_reply_data (req, "carrier", "%s", carrier);
		return flow_event (req, "label-refused", p.order, p.id, 0, false, "%s", t1 == FLOW_TAKE_NONE ? why : why2)
		    ? -1 : 1;
	}
	*low = t1 == FLOW_TAKE_LOW || t2 == FLOW_TAKE_LOW;
	st = db_prepare (req->db,
	    "UPDATE parcels SET carrier = ?2, service = ?3, tracking = ?4, sscc = ?5, status = 'labelled',"
	    " labelled_at = ?6 WHERE id = ?1");
	db_bind_int (st, 1, p.id);
	db_bind_text (st, 2, carrier);
	db_bind_text (st, 3, service);
	db_bind_text (st, 4, tracking);
	db_bind_text (st, 5, sscc);
	db_bind_int (st, 6, req->now_ms);
	int rc = db_step (st);
	db_reset (st);
	int issued = rc == DB_DONE ? flow_label_issue (req, p.id) : -1;
	if (issued == 0) {
		/* Not drawn: the parcel stays packed, no number is used, and the reply says what to put right. */
		if (db_exec (req->db, "ROLLBACK TO label") != DB_DONE)
			return -1;
		hub_reply_data (req, "carrier", "%s", carrier);
		return flow_event (req, "label-refused", p.order, p.id, 0, false, "%s", proto_get_str (req->reply,
		    PROTO_REPLY_TEXT)) ? -1 : 1;
	}
	if (issued < 0
	    || flow_event (req, "label", p.order, p.id, 0, false, "%s %s tracking %s SSCC %s%s%s", carrier, service,
	        tracking, sscc, *low ? "; " : "", *low ? (t1 == FLOW_TAKE_LOW ? why : why2) : "") != 0)
		return -1;
	if (paper) {
		int64_t job = hub_customs_queue (req, p.id, paper);
		if (job < 0)
			return -1;
		hub_reply_data (req, "customs", "%lld", (long long) job);
		/* Which paper, for which parcel, on which printer: the bench says so (and again when it prints). */
		flow_label_document (req, job, "customs");
	}
	if (*low)
		hub_reply_data (req, "warning", "%s", t1 == FLOW_TAKE_LOW ? why : why2);
	return 0;
}
