/*
 * flow-closeout.c: commands "closeout-preview", "closeout", "closeout-reopen"
 * and "track", and the hub's own "autoclose". A close-out reconciles labelled against scanned-out parcels
 * of one carrier (or one cage: one collection), lists the missing ones with
 * where and when each was last seen, locks the rest into a manifest and
 * writes the manifest file into the outbox in the carrier's format
 * (carrier-manifest.c; a route export for the store's vans), under a
 * temporary name that req->after turns into its own after the commit.
 */
#include "config.h"
#include "flow-steps.h"
#include "hub/req/flow.h"
#include "carriers/carrier.h"
#include "hub/docs/hub-manifest.h"
#include "hub/docs/hub-receipt.h"
#include "log.h"
#include "util.h"

#include <libgen.h>
#include <limits.h>
#include <stdint.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool
flow_closeout_carrier (struct hub_req *req, const char *carrier)
{
	bool ok = carrier_find (carrier_current (), carrier) != NULL;
	if (!ok) {
		char known[400] = "";
		for (int i = 0; i < carrier_set_count (carrier_current ()) && strlen (known) < 300; i++)
			snprintf (known + strlen (known), sizeof known - strlen (known), "%s%s", i ? ", " : "",
			    carrier_set_at (carrier_current (), i)->code);
		hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT, "Carrier '%.24s' is not known (%s)", carrier, known);
	}
	return ok;
}

/* Where manifests go: carriers.outbox, else "outbox" beside the database. */
static char *
flow_closeout_outbox (struct hub_req *req)
{
	const char *o = conf_get (req->opt->conf, "carriers.outbox", NULL);
	if (o && *o)
		return xstrdup (o);
	char *copy = xstrdup (db_path (req->db));
	char *out = xasprintf ("%s/outbox", dirname (copy));
	free (copy);
	return out;
}

/* Orders the supervisor leaves out of this close-out ("exclude": references, by spaces or commas), as " A B ". */
static void
flow_closeout_exclude (struct hub_req *req, char *out, size_t n)
{
	const char *v = flow_arg (req, "exclude");
	size_t j = 0;
	if (n < 3)
		return;
	out[j++] = ' ';
	for (; v && *v && j + 2 < n; v++)
		out[j++] = *v == ',' ? ' ' : *v;
	out[j++] = ' ';
	out[j] = '\0';
}

/* A scanned-out parcel of this close-out: the carrier's, on the cage (if one), not held, not excluded. */
#define FLOW_CLOSEOUT_READY \
	"carrier = ?1 AND status = 'scanned_out' AND (?2 IS NULL OR cage = ?2)" \
	" AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.order_ref = parcels.order_ref AND h.released_at IS NULL" \
	" AND (h.parcel_id IS NULL OR h.parcel_id = parcels.id))" \
	" AND instr (?3, ' ' || parcels.order_ref || ' ') = 0"

/*
 * What the supervisor must know before committing, into the reply: orders
 * split between this close-out and parcels not scanned out yet (split.N =
 * ORDER|on this close-out|what is left: REF/N status, or parcels not
 * packed), and held parcels that are on the cage, which stay out of the
 * manifest and must come off it (held.N = CODE|cage|reason).
 */
static void
flow_closeout_warnings (struct hub_req *req, const char *carrier, const char *cage, const char *exclude,
    int64_t *split, int64_t *held)
{
	db_stmt_t *st = db_prepare (req->db,
	    "SELECT parcels.order_ref, count(*), coalesce ((SELECT group_concat (q.code || ' ' || q.status, ', ') FROM parcels q"
	    "  WHERE q.order_ref = parcels.order_ref AND q.status IN ('packed', 'labelled', 'verified')), ''),"
	    " max (0, (SELECT parcels_expected FROM orders WHERE ref = parcels.order_ref) - (SELECT count(*) FROM parcels q WHERE q.order_ref = parcels.order_ref"
	    "  AND q.status <> 'void'))"
	    " FROM parcels WHERE " FLOW_CLOSEOUT_READY
	    " GROUP BY parcels.order_ref HAVING (EXISTS (SELECT 1 FROM parcels q"
	    "  WHERE q.order_ref = parcels.order_ref AND q.status IN ('packed', 'labelled', 'verified'))"
	    "  OR (SELECT parcels_expected FROM orders WHERE ref = parcels.order_ref) > (SELECT count(*) FROM parcels q WHERE q.order_ref = parcels.order_ref"
	    "  AND q.status <> 'void')) ORDER BY parcels.order_ref LIMIT 50");
	db_bind_text (st, 1, carrier);
	db_bind_text (st, 2, cage);
	db_bind_text (st, 3, " ");  /* listed whether left out or not: the row says which */
	*split = 0;
	int64_t rows = 0;
	while (db_step (st) == DB_ROW) {
		char key[32], pad[FLOW_REF_MAX + 3];
		snprintf (key, sizeof key, "split.%lld", (long long) ++rows);
		snprintf (pad, sizeof pad, " %s ", db_col_text (st, 0));
		bool out = strstr (exclude, pad) != NULL;
		if (!out)
			++*split;
		int64_t unpacked = db_col_int (st, 3);
		const char *left = db_col_text (st, 2);
		hub_reply_data (req, key, "%s|%lld|%s%s%s|%s", db_col_text (st, 0), (long long) db_col_int (st, 1), left,
		    *left && unpacked ? ", " : "", unpacked ? (unpacked == 1 ? "1 parcel not packed" : "parcels not packed") : "",
		    out ? "left out" : "");
	}
	db_reset (st);
	hub_reply_data (req, "split", "%lld", (long long) rows);
	st = db_prepare (req->db,
	    "SELECT p.code, coalesce (p.cage, ''), min (h.reason) FROM parcels p JOIN holds h ON h.order_ref = p.order_ref"
	    " AND h.released_at IS NULL AND (h.parcel_id IS NULL OR h.parcel_id = p.id)"
	    " WHERE p.carrier = ?1 AND p.status = 'scanned_out' AND (?2 IS NULL OR p.cage = ?2)"
	    " GROUP BY p.id ORDER BY p.id LIMIT 50");
	db_bind_text (st, 1, carrier);
	db_bind_text (st, 2, cage);
	*held = 0;
	while (db_step (st) == DB_ROW) {
		char key[32];
		snprintf (key, sizeof key, "held.%lld", (long long) ++*held);
		hub_reply_data (req, key, "%s|%s|%s", db_col_text (st, 0), db_col_text (st, 1), db_col_text (st, 2));
	}
	db_reset (st);
	hub_reply_data (req, "held", "%lld", (long long) *held);
}

/* Counts and the missing parcels (labelled but not on a cage) into the reply. */
static void
flow_closeout_counts (struct hub_req *req, const char *carrier, const char *cage, const char *exclude, int64_t *ready,
    int64_t *missing)
{
	db_stmt_t *st = db_prepare (req->db, "SELECT count(*) FROM parcels WHERE " FLOW_CLOSEOUT_READY);
	db_bind_text (st, 1, carrier);
	db_bind_text (st, 2, cage);
	db_bind_text (st, 3, exclude);
	*ready = db_step (st) == DB_ROW ? db_col_int (st, 0) : 0;
	db_reset (st);
	/* Missing: labelled but never scanned out; where and when each was last seen (its last audit event). */
	st = db_prepare (req->db,
	    "SELECT p.code, p.status, coalesce (e.action, ''), coalesce (e.station, ''), coalesce (e.at, 0),"
	    " coalesce (e.operator, '') FROM parcels p LEFT JOIN events e ON e.id = (SELECT max (id) FROM events"
	    " WHERE parcel_id = p.id AND undone_at IS NULL)"
	    " WHERE p.carrier = ?1 AND p.status IN ('labelled', 'verified') ORDER BY p.id LIMIT 50");
	db_bind_text (st, 1, carrier);
	*missing = 0;
	struct { char code[48], status[16], action[24], station[65], by[65]; int64_t at; } *rows = NULL;
	while (db_step (st) == DB_ROW) {
		rows = xrealloc (rows, (size_t) (*missing + 1) * sizeof *rows);
		util_strlcpy (rows[*missing].code, db_col_text (st, 0), sizeof rows->code);
		util_strlcpy (rows[*missing].status, db_col_text (st, 1), sizeof rows->status);
		util_strlcpy (rows[*missing].action, db_col_text (st, 2), sizeof rows->action);
		util_strlcpy (rows[*missing].station, db_col_text (st, 3), sizeof rows->station);
		rows[*missing].at = db_col_int (st, 4);
		util_strlcpy (rows[*missing].by, db_col_text (st, 5), sizeof rows->by);
		++*missing;
	}
	db_reset (st);
	for (int64_t i = 0; i < *missing; i++) {
		char key[40], hhmm[16], who[80], iso[32];
		flow_hhmm (rows[i].at, hhmm, sizeof hhmm);
		flow_who (req, rows[i].by, who, sizeof who);
		util_iso_time (rows[i].at, iso, sizeof iso);
		snprintf (key, sizeof key, "missing.%lld", (long long) i + 1);
		hub_reply_data (req, key, "%s|%s|last seen %s at %s %s by %s|%s", rows[i].code, rows[i].status,
		    rows[i].action, *rows[i].station ? rows[i].station : "?", hhmm, who, iso);
	}
	free (rows);
	hub_reply_data (req, "carrier", "%s", carrier);
	hub_reply_data (req, "scanned", "%lld", (long long) *ready);
	hub_reply_data (req, "missing", "%lld", (long long) *missing);
}

/* "N orders split, M held on the cage" for the reply's text ("" when none). */
static void
flow_closeout_say (char *out, size_t n, int64_t split, int64_t held)
{
	*out = '\0';
	if (split)
		snprintf (out, n, "; %lld order%s split with parcels not scanned out (list: close them with the rest, or "
		    "exclude them)", (long long) split, split == 1 ? "" : "s");
	if (held) {
		size_t used = strlen (out);
		snprintf (out + used, n - used, "; %lld held parcel%s on the cage: take %s off (list)", (long long) held,
		    held == 1 ? "" : "s", held == 1 ? "it" : "them");
	}
}

/* The parcel of a label scanned at close-out (args code), for the drill-down: 0 none or found, -1 database. */
static int
flow_closeout_drill (struct hub_req *req, struct flow_target *t)
{
	const char *code = flow_arg (req, "code");
	memset (t, 0, sizeof *t);
	if (code == NULL)
		return 0;
	int r = flow_resolve (req, code, t);
	return r < 0 ? -1 : 0;
}

int
flow_closeout_preview (struct hub_req *req)
{
	struct flow_target t;
	const char *carrier = flow_arg (req, "carrier"), *cage = flow_arg (req, "cage");
	if (!flow_closeout_carrier (req, carrier))
		return 0;
	if (flow_closeout_drill (req, &t) != 0)
		return -1;
	char exclude[512], said[300];
	flow_closeout_exclude (req, exclude, sizeof exclude);
	int64_t ready, missing, split, held;
	flow_closeout_counts (req, carrier, cage, exclude, &ready, &missing);
	flow_closeout_warnings (req, carrier, cage, exclude, &split, &held);
	flow_closeout_say (said, sizeof said, split, held);
	bool warn = missing || split || held;
	hub_reply (req, warn ? PROTO_WARN : PROTO_OK, warn ? PR_INCOMPLETE : PR_OK,
	    "%s: %lld parcel%s ready to close, %lld labelled but not on a cage%s", carrier, (long long) ready,
	    ready == 1 ? "" : "s", (long long) missing, said);
	if (t.kind == FLOW_PARCEL) {
		/* The drill-down from a scanned label: where that parcel stands in this close-out. */
		flow_data_parcel (req, &t.parcel);
		hub_reply_data (req, "order", "%s", t.parcel.order);
	}
	return 0;
}

int
flow_closeout (struct hub_req *req)
{
	const char *carrier = flow_arg (req, "carrier"), *cage = flow_arg (req, "cage");
	if (!flow_closeout_carrier (req, carrier))
		return 0;
	char exclude[512], said[300];
	flow_closeout_exclude (req, exclude, sizeof exclude);
	int64_t ready, missing, split, held;
	flow_closeout_counts (req, carrier, cage, exclude, &ready, &missing);
	/* Listed again with the result, so what the message refers to stays on the screen. */
	flow_closeout_warnings (req, carrier, cage, exclude, &split, &held);
	flow_closeout_say (said, sizeof said, split, held);
	if (ready == 0) {
		hub_reply (req, PROTO_REFUSED, PR_INCOMPLETE, "Nothing on %s's cages to close out. Scan parcels out first",
		    carrier);
		return 0;
	}
	db_stmt_t *st = db_prepare (req->db,
	    "INSERT INTO manifests (carrier, cage, closed_at, closed_by, parcels) VALUES (?1, ?2, ?3, ?4, ?5)");
	db_bind_text (st, 1, carrier);
	db_bind_text (st, 2, cage);
	db_bind_int (st, 3, req->now_ms);
	db_bind_text (st, 4, req->operator_badge);
	db_bind_int (st, 5, ready);
	int rc = db_step (st);
	db_reset (st);
	if (rc != DB_DONE)
		return -1;
	int64_t manifest = db_last_rowid (req->db);
	st = db_prepare (req->db,
	    "UPDATE parcels SET status = 'closed', closed_at = ?4, manifest_id = ?5 WHERE " FLOW_CLOSEOUT_READY);
	db_bind_text (st, 1, carrier);
	db_bind_text (st, 2, cage);
	db_bind_text (st, 3, exclude);
	db_bind_int (st, 4, req->now_ms);
	db_bind_int (st, 5, manifest);
	if (db_step (st) != DB_DONE)
		return -1;
	db_reset (st);
	/* The manifest file, in the carrier's format, into the outbox. */
	char *outbox = flow_closeout_outbox (req), *path = NULL, *cause = NULL;
	int rows = 0;
	rc = hub_manifest_write (req, carrier_find (carrier_current (), carrier), manifest, outbox, &path, &rows, &cause);
	free (outbox);
	if (rc != 0) {
		log_error ("manifest %lld (%s) not written: %s", (long long) manifest, carrier, cause);
		free (cause);
		return -1;
	}
	st = db_prepare (req->db, "UPDATE manifests SET file = ?2, weight_g = (SELECT coalesce (sum (weight_g), 0)"
	    " FROM parcels WHERE manifest_id = ?1) WHERE id = ?1");
	db_bind_int (st, 1, manifest);
	db_bind_text (st, 2, path);
	rc = db_step (st);
	db_reset (st);
	if (rc != DB_DONE || flow_event (req, "manifest", NULL, 0, 0, false, "manifest %lld %s%s%s: %d parcels, file %s",
	        (long long) manifest, carrier, cage ? " cage " : "", cage ? cage : "", rows, path) != 0) {
		free (path);
		return -1;
	}
	hub_reply_data (req, "file", "%s", path);
	free (path);
	/* The collection receipt the driver signs, on this station's document printer after the commit. */
	int64_t receipt = hub_receipt_queue (req, manifest);
	if (receipt < 0)
		return -1;
	hub_reply_data (req, "receipt", "%lld", (long long) receipt);
	flow_label_document (req, receipt, "receipt");
	/* Every order touched moves on; collect refs first (one statement at a time). */
	st = db_prepare (req->db, "SELECT DISTINCT order_ref FROM parcels WHERE manifest_id = ?1");
	db_bind_int (st, 1, manifest);
	char **refs = NULL;
	size_t n = 0;
	while (db_step (st) == DB_ROW) {
		refs = xrealloc (refs, (n + 1) * sizeof *refs);
		refs[n++] = xstrdup (db_col_text (st, 0));
	}
	db_reset (st);
	rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (rc == 0 && (flow_order_update (req, refs[i], NULL) != 0
		        || flow_event (req, "closeout", refs[i], 0, 0, false, "manifest %lld (%s)", (long long) manifest,
		            carrier) != 0))
			rc = -1;
		free (refs[i]);
	}
	free (refs);
	if (rc != 0)
		return -1;
	/* Orders left out by the supervisor's choice are audited. */
	for (const char *w = exclude; *w; ) {
		while (*w == ' ')
			w++;
		size_t len = strcspn (w, " ");
		if (len == 0)
			break;
		char ref[FLOW_REF_MAX + 1];
		snprintf (ref, sizeof ref, "%.*s", (int) (len < sizeof ref ? len : sizeof ref - 1), w);
		if (flow_event (req, "closeout-exclude", ref, 0, 0, false, "left out of manifest %lld (%s) by the supervisor",
		        (long long) manifest, carrier) != 0)
			return -1;
		w += len;
	}
	bool warn = missing || split || held;
	hub_reply (req, warn ? PROTO_WARN : PROTO_OK, warn ? PR_INCOMPLETE : PR_OK,
	    "%s closed out: manifest %lld, %lld parcel%s%s%s", carrier, (long long) manifest, (long long) ready,
	    ready == 1 ? "" : "s", missing ? ". Some labelled parcels are NOT on a cage: see the list" : "", said);
	hub_reply_data (req, "manifest", "%lld", (long long) manifest);
	hub_reply_data (req, "count", "%lld", (long long) ready);
	return 0;
}

int
flow_closeout_auto (struct hub_req *req)
{
	const char *carrier = flow_arg (req, "carrier");
	int rc = flow_closeout (req);
	const char *manifest = proto_hash_get (req->reply, PROTO_REPLY_DATA, "manifest");
	if (rc != 0 || manifest == NULL)
		return rc;
	/* The event says the carrier is done for the day (carrier_autoclose_due looks for it). */
	const struct carrier *c = carrier_find (carrier_current (), carrier);
	const char *text = proto_get_str (req->reply, PROTO_REPLY_TEXT);
	return flow_event (req, "autoclose", NULL, 0, 0, false, "%s closed out at its cut-off %02d:%02d: %s", carrier,
	    c ? c->cutoff_min / 60 : 0, c ? c->cutoff_min % 60 : 0, text ? text : "");
}

/* A supervisor reopens a closed manifest: its parcels go back on the cage, its file is set aside. */
int
flow_closeout_reopen (struct hub_req *req)
{
	long id;
	const char *arg = flow_arg (req, "manifest"), *reason = flow_arg (req, "reason");
	if (!flow_reason_fits (req, reason))
		return 0;
	if (!util_parse_long (arg, 1, LONG_MAX, &id)) {
		hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT, "manifest must be a manifest number, not '%.20s'", arg);
		return 0;
	}
	db_stmt_t *st = db_prepare (req->db, "SELECT carrier, status, coalesce (file, ''), (SELECT count (*) FROM parcels"
	    " WHERE manifest_id = ?1 AND status != 'closed') FROM manifests WHERE id = ?1");
	db_bind_int (st, 1, id);
	if (db_step (st) != DB_ROW) {
		db_reset (st);
		hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT, "No manifest %ld", id);
		return 0;
	}
	char carrier[24], file[512];
	util_strlcpy (carrier, db_col_text (st, 0), sizeof carrier);
	enum hub_manifest_state state = hub_state_manifest_parse (db_col_text (st, 1));
	util_strlcpy (file, db_col_text (st, 2), sizeof file);
	int64_t moved = db_col_int (st, 3);
	db_reset (st);
	if (state != MANIFEST_CLOSED) {
		hub_reply (req, PROTO_REFUSED, PR_ALREADY_DONE, "Manifest %ld is already %s", id,
		    hub_state_manifest_name (state));
		return 0;
	}
	if (moved > 0) {
		hub_reply (req, PROTO_REFUSED, PR_CLOSED, "Manifest %ld: %lld parcels are already with %s; it cannot be "
		    "reopened", id, (long long) moved, carrier);
		return 0;
	}
	st = db_prepare (req->db, "SELECT DISTINCT order_ref FROM parcels WHERE manifest_id = ?1");
	db_bind_int (st, 1, id);
	char **refs = NULL;
	size_t n = 0;
	while (db_step (st) == DB_ROW) {
		refs = xrealloc (refs, (n + 1) * sizeof *refs);
		refs[n++] = xstrdup (db_col_text (st, 0));
	}
	db_reset (st);
	st = db_prepare (req->db, "UPDATE parcels SET status = 'scanned_out', closed_at = NULL, manifest_id = NULL"
	    " WHERE manifest_id = ?1");
	db_bind_int (st, 1, id);
	int rc = db_step (st) == DB_DONE ? 0 : -1;
	db_reset (st);
	st = db_prepare (req->db, "UPDATE manifests SET status = 'reopened', reopened_by = ?2, reopened_at = ?3,"
	    " reopen_reason = ?4 WHERE id = ?1");
	db_bind_int (st, 1, id);
	db_bind_text (st, 2, req->operator_badge);
	db_bind_int (st, 3, req->now_ms);
	db_bind_text (st, 4, reason);
	if (rc == 0 && db_step (st) != DB_DONE)
		rc = -1;
	db_reset (st);
	for (size_t i = 0; i < n; i++) {
		if (rc == 0 && (flow_order_update (req, refs[i], NULL) != 0 || flow_event (req, "reopen", refs[i], 0, 0,
		        false, "manifest %ld (%s) reopened: %s", id, carrier, reason) != 0))
			rc = -1;
		free (refs[i]);
	}
	free (refs);
	if (rc != 0 || flow_event (req, "manifest-reopen", NULL, 0, 0, false, "manifest %ld %s: %s", id, carrier,
	        reason) != 0)
		return -1;
	/* The file must not reach the carrier now: set aside beside it (kept for
	 * the record) once the reopening commits. */
	if (*file) {
		char *aside = xasprintf ("%s.reopened", file);
		hub_after_file (req->after, file, aside, false);
		free (aside);
	}
	hub_reply (req, PROTO_OK, PR_OK, "Manifest %ld (%s) reopened: %zu orders back on the cage; close out again",
	    id, carrier, n);
	hub_reply_data (req, "manifest", "%ld", id);
	return 0;
}

int
flow_closeout_track (struct hub_req *req)
{
	/* A tracking event and the state it moves the parcel to (an exception moves nothing). */
	static const struct {
		const char *event;
		enum hub_parcel_state state;
	} events[] = {
		{ "in_transit", PARCEL_IN_TRANSIT },
		{ "delivered", PARCEL_DELIVERED },
		{ "exception", PARCEL_UNKNOWN },
	};
	const char *event = flow_arg (req, "event"), *detail = flow_arg (req, "detail");
	size_t i;
	for (i = 0; i < nitems (events); i++)
		if (strcmp (events[i].event, event) == 0)
			break;
	if (i == nitems (events)) {
		hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT, "Event '%.20s' is not in_transit, delivered or exception",
		    event);
		return 0;
	}
	if (!flow_detail_fits (req, detail))
		return 0;
	struct flow_target t;
	int r = flow_resolve (req, flow_arg (req, "code"), &t);
	if (r != 0)
		return r < 0 ? -1 : 0;
	if (t.kind != FLOW_PARCEL) {
		if (!flow_refuse_symbol (req, &t))
			hub_reply (req, PROTO_REFUSED, PR_UNKNOWN_BARCODE, "No parcel %.40s. Give its tracking number or SSCC",
			    t.code);
		return 0;
	}
	struct flow_parcel *p = &t.parcel;
	if (p->state != PARCEL_CLOSED && p->state != PARCEL_IN_TRANSIT && p->state != PARCEL_DELIVERED) {
		hub_reply (req, PROTO_REFUSED, PR_WRONG_STEP, "Parcel %s is %s: it has not been handed over yet",
		    p->code, hub_state_parcel_name (p->state));
		return 0;
	}
	db_stmt_t *st = db_prepare (req->db,
	    "INSERT INTO tracking (parcel_id, at, event, detail, source) VALUES (?1, ?2, ?3, ?4, ?5)");
	db_bind_int (st, 1, p->id);
	db_bind_int (st, 2, req->now_ms);
	db_bind_text (st, 3, event);
	db_bind_text (st, 4, detail ? detail : "");
	db_bind_text (st, 5, req->operator_badge);
	int rc = db_step (st);
	db_reset (st);
	if (rc != DB_DONE)
		return -1;
	if (events[i].state != PARCEL_UNKNOWN && p->state != PARCEL_DELIVERED) {
		st = db_prepare (req->db, "UPDATE parcels SET status = ?2 WHERE id = ?1");
		db_bind_int (st, 1, p->id);
		db_bind_text (st, 2, hub_state_parcel_name (events[i].state));
		rc = db_step (st);
		db_reset (st);
		if (rc != DB_DONE || flow_order_update (req, p->order, NULL) != 0)
			return -1;
	}
	if (flow_event (req, "track", p->order, p->id, 0, false, "%s %s", event, detail ? detail : "") != 0
	    || flow_parcel_get (req, p->id, p) != 0)
		return -1;
	hub_reply (req, PROTO_OK, PR_OK, "%s: %s", p->code, event);
	flow_data_parcel (req, p);
	return 0;
}
