/*
 * flow-super.c: the supervisor's commands (see flow-super.h): what waits
 * for a part-shipment decision, badges to unlock, print jobs of any kind
 * to reprint, redirect or cancel, the printers, the close-outs that can be
 * reopened and the number ranges to top up. Print jobs are changed the way
 * flow-print.c changes a parcel's label, through docs/hub-print.h: in the
 * request's transaction, for the spooler to carry out after the commit.
 */
#include "config.h"
#include "flow-steps.h"
#include "flow-super.h"
#include "hub/docs/hub-print.h"
#include "hub/docs/hub-receipt.h"
#include "hub/req/flow.h"
#include "hub/store/hub-store.h"
#include "carriers/carrier.h"
#include "labels/ident.h"
#include "conf.h"
#include "log.h"
#include "screens.h"
#include "util.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FLOW_SUPER_MAX 50

static void
flow_super_iso (int64_t ms, char *out, size_t n)
{
	if (ms > 0)
		util_iso_time (ms, out, n);
	else if (n)
		*out = '\0';
}

/* --- part-shipments --------------------------------------------------------- */

int
flow_super_queue_part (struct hub_req *req)
{
	/* Waiting for a decision: received, nothing left open, something short
	 * or damaged, no part-shipment released yet (flow.c keeps it received). */
	db_stmt_t *st = db_prepare (req->db,
	    "SELECT o.ref, count(*) FILTER (WHERE l.status = 'found'), count(*) FILTER (WHERE l.status = 'short'),"
	    " count(*) FILTER (WHERE l.status = 'damaged'), o.promise, replace (o.customer_name, '|', '/'),"
	    " coalesce (o.received_at, 0), group_concat (CASE WHEN l.status IN ('short', 'damaged') THEN l.line_no || ' '"
	    "  || l.sku || ' ' || l.qty_found || '/' || l.quantity || ' ' || l.status END, '; ')"
	    " FROM orders o JOIN order_lines l ON l.order_ref = o.ref"
	    " WHERE o.status = 'received' AND o.part_release IS NULL"
	    " GROUP BY o.ref HAVING count(*) FILTER (WHERE l.status = 'open') = 0"
	    " AND count(*) FILTER (WHERE l.status IN ('short', 'damaged')) > 0"
	    " ORDER BY o.received_at, o.ref LIMIT ?1");
	db_bind_int (st, 1, FLOW_SUPER_MAX);
	int n = 0;
	while (db_step (st) == DB_ROW) {
		char key[24], at[32];
		flow_super_iso (db_col_int (st, 6), at, sizeof at);
		snprintf (key, sizeof key, "part.%d", ++n);
		hub_reply_data (req, key, "%s|%lld|%lld|%lld|%s|%s|%s|%s", db_col_text (st, 0), (long long) db_col_int (st, 1),
		    (long long) db_col_int (st, 2), (long long) db_col_int (st, 3), db_col_text (st, 4), db_col_text (st, 5),
		    at, db_col_text (st, 7));
	}
	db_reset (st);
	hub_reply_data (req, "queue", "%d", n);
	if (n)
		hub_reply (req, PROTO_OK, PR_OK, "%d order%s waiting for a part-shipment decision", n, n == 1 ? "" : "s");
	else
		hub_reply (req, PROTO_OK, PR_OK, "No order waits for a part-shipment decision");
	return 0;
}

/* --- badges ----------------------------------------------------------------- */

int
flow_super_locked (struct hub_req *req)
{
	db_stmt_t *st = db_prepare (req->db,
	    "SELECT badge, replace (name, '|', '/'), role, failures, locked_until FROM operators"
	    " WHERE active AND (locked_until > ?1 OR failures > 0) ORDER BY locked_until DESC, badge LIMIT ?2");
	db_bind_int (st, 1, req->now_ms);
	db_bind_int (st, 2, FLOW_SUPER_MAX);
	int n = 0, locked = 0;
	while (db_step (st) == DB_ROW) {
		int64_t until = db_col_int (st, 4);
		bool is = until > req->now_ms;
		char key[24], at[32] = "";
		if (is)
			flow_super_iso (until, at, sizeof at);
		snprintf (key, sizeof key, "badge.%d", ++n);
		hub_reply_data (req, key, "%s|%s|%s|%lld|%s|%lld", db_col_text (st, 0), db_col_text (st, 1),
		    db_col_text (st, 2), (long long) db_col_int (st, 3), at,
		    (long long) (is ? (until - req->now_ms + 59999) / 60000 : 0));
		locked += is;
	}
	db_reset (st);
	hub_reply_data (req, "badges", "%d", n);
	if (locked)
		hub_reply (req, PROTO_OK, PR_OK, "%d badge%s locked", locked, locked == 1 ? "" : "s");
	else
		hub_reply (req, PROTO_OK, PR_OK, n ? "No badge is locked; %d with wrong PINs counted" : "No badge is locked",
		    n);
	return 0;
}

int
flow_super_unlock (struct hub_req *req)
{
	const char *badge = flow_arg (req, "badge"), *reason = flow_arg (req, "reason");
	if (!flow_reason_fits (req, reason))
		return 0;
	struct hub_operator op;
	if (hub_store_operator_get (req->db, badge, &op) != 0 || !op.active) {
		hub_reply (req, PROTO_REFUSED, PR_UNKNOWN_BARCODE, "No badge %.40s. Scan the badge, or choose it from the list",
		    badge);
		return 0;
	}
	hub_reply_data (req, "badge", "%s", op.badge);
	bool locked = op.locked_until_ms > req->now_ms;
	if (!locked && op.failures == 0) {
		hub_reply (req, PROTO_OK, PR_ALREADY_DONE, "%s (%s) is not locked", op.badge, op.name);
		return 0;
	}
	char until[16] = "";
	if (locked)
		flow_hhmm (op.locked_until_ms, until, sizeof until);
	if (hub_store_operator_failures (req->db, op.badge, 0, 0) != 0
	    || flow_event (req, "unlock", NULL, 0, 0, false, "badge %s (%s) unlocked: %s (%s%s%s)", op.badge, op.name,
	           reason, locked ? "locked until " : "", until, locked ? "" : "wrong PINs forgotten") != 0)
		return -1;
	log_info ("badge %s unlocked by %s", op.badge, req->operator_badge ? req->operator_badge : "-");
	hub_reply (req, PROTO_OK, PR_OK, "%s (%s) unlocked: they can log in now", op.badge, op.name);
	return 0;
}

/* --- print jobs of any kind ---------------------------------------------------- */

struct flow_super_job {
	int64_t id, parcel_id, manifest_id;
	char order[FLOW_REF_MAX + 1];
	char what[64];      /* the parcel code, the order, or "manifest N" */
	char kind[16], format[8], station[65], printer[65], title[160], error[256];
	enum hub_job_state state;
	bool has_data, void_parcel;
};

/* The job named by args "job": 0, 1 (refused: reply filled), -1. */
static int
flow_super_job_get (struct hub_req *req, struct flow_super_job *j)
{
	long id;
	const char *arg = flow_arg (req, "job");
	if (!util_parse_long (arg, 1, LONG_MAX, &id)) {
		hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT, "job must be a print job's number, not '%.20s'", arg);
		return 1;
	}
	db_stmt_t *st = db_prepare (req->db,
	    "SELECT j.id, coalesce (j.parcel_id, 0), coalesce (j.manifest_id, 0), coalesce (j.order_ref, p.order_ref, ''),"
	    " coalesce (substr (p.code, 1, instr (p.code || '~', '~') - 1), j.order_ref, 'manifest ' || j.manifest_id),"
	    " j.kind, j.format, coalesce (j.station, ''), coalesce (j.printer, ''), j.title, coalesce (j.error, ''),"
	    " j.status, EXISTS (SELECT 1 FROM label_docs d WHERE d.job = j.id), coalesce (p.status = 'void', 0)"
	    " FROM label_jobs j LEFT JOIN parcels p ON p.id = j.parcel_id WHERE j.id = ?1");
	db_bind_int (st, 1, id);
	int found = db_step (st) == DB_ROW;
	if (found) {
		j->id = db_col_int (st, 0);
		j->parcel_id = db_col_int (st, 1);
		j->manifest_id = db_col_int (st, 2);
		util_strlcpy (j->order, db_col_text (st, 3), sizeof j->order);
		util_strlcpy (j->what, db_col_text (st, 4), sizeof j->what);
		util_strlcpy (j->kind, db_col_text (st, 5), sizeof j->kind);
		util_strlcpy (j->format, db_col_text (st, 6), sizeof j->format);
		util_strlcpy (j->station, db_col_text (st, 7), sizeof j->station);
		util_strlcpy (j->printer, db_col_text (st, 8), sizeof j->printer);
		util_strlcpy (j->title, db_col_text (st, 9), sizeof j->title);
		util_strlcpy (j->error, db_col_text (st, 10), sizeof j->error);
		j->state = hub_state_job_parse (db_col_text (st, 11));
		j->has_data = db_col_int (st, 12) != 0;
		j->void_parcel = db_col_int (st, 13) != 0;
	}
	db_reset (st);
	if (!found) {
		hub_reply (req, PROTO_REFUSED, PR_UNKNOWN_BARCODE, "No print job %ld. Choose one from the list", id);
		return 1;
	}
	/* Only a supervisor acts on another station's jobs. */
	if (!(req->role & ROLE_LEAD) && strcmp (j->station, req->station ? req->station : "") != 0) {
		hub_reply (req, PROTO_REFUSED, PR_FORBIDDEN, "Job %ld is %s's. " SCREEN_ASK SCREEN_JOBS, id, j->station);
		return 1;
	}
	hub_reply_data (req, "job", "%lld", (long long) j->id);
	if (*j->order)
		hub_reply_data (req, "order", "%s", j->order);
	return 0;
}

static bool
flow_super_job_done (enum hub_job_state s)
{
	return s == JOB_PRINTED || s == JOB_CANCELLED;
}

/* Being handed to CUPS or moved in it right now: not to be touched this instant. */
static bool
flow_super_job_moving (enum hub_job_state s)
{
	return s == JOB_SUBMITTING || s == JOB_REDIRECT || s == JOB_CANCELLING;
}

/* What a job is, in words: "label P1000003/1", "collection receipt manifest 4". */
static const char *
flow_super_kind_word (const char *kind)
{
	static const struct {
		const char *kind, *word;
	} words[] = {
		{ "label", "label" },
		{ "ticket", "despatch ticket" },
		{ "receipt", "collection receipt" },
		{ "customs", "customs paper" },
	};
	for (size_t i = 0; i < nitems (words); i++)
		if (strcmp (words[i].kind, kind) == 0)
			return words[i].word;
	return kind;
}

/* The printers the settings name: printer.STATION.label / .document and
 * printer.group.GROUP.fallback / .document-fallback. */
struct flow_super_printer {
	char name[65];
	char role[12];       /* "label" or "document" */
	char where[200];     /* the stations and groups it serves */
};

struct flow_super_printers {
	struct flow_super_printer p[FLOW_SUPER_MAX];
	int n;
};

static void
flow_super_printer_add (struct flow_super_printers *s, const char *name, const char *role, const char *where)
{
	int i;
	for (i = 0; i < s->n; i++)
		if (strcmp (s->p[i].name, name) == 0)
			break;
	if (i == s->n) {
		if (s->n == FLOW_SUPER_MAX)
			return;
		util_strlcpy (s->p[i].name, name, sizeof s->p[i].name);
		util_strlcpy (s->p[i].role, role, sizeof s->p[i].role);
		s->p[i].where[0] = '\0';
		s->n++;
	}
	size_t used = strlen (s->p[i].where);
	if (*where)
		snprintf (s->p[i].where + used, sizeof s->p[i].where - used, "%s%s", used ? " " : "", where);
}

static void
flow_super_printer_visit (const char *key, const char *value, void *arg)
{
	static const struct {
		const char *suffix, *role;
		bool group;
	} roles[] = {
		{ ".document-fallback", "document", true },
		{ ".fallback", "label", true },
		{ ".document", "document", false },
		{ ".label", "label", false },
	};
	if (strncmp (key, "printer.", 8) != 0 || *value == '\0')
		return;
	const char *rest = key + 8;
	bool group = strncmp (rest, "group.", 6) == 0;
	if (group)
		rest += 6;
	size_t rl = strlen (rest);
	for (size_t i = 0; i < nitems (roles); i++) {
		size_t sl = strlen (roles[i].suffix);
		if (roles[i].group != group || rl <= sl || strcmp (rest + rl - sl, roles[i].suffix) != 0)
			continue;
		char where[100];
		snprintf (where, sizeof where, "%s%.*s", group ? "group " : "", (int) (rl - sl), rest);
		flow_super_printer_add (arg, value, roles[i].role, where);
		return;
	}
}

static void
flow_super_printers_read (struct hub_req *req, struct flow_super_printers *s)
{
	s->n = 0;
	conf_each (req->opt->conf, flow_super_printer_visit, s);
}

/* A printer the settings name, of the role a job of format needs: true, or a refusal (reply filled). */
static bool
flow_super_printer_fits (struct hub_req *req, const char *printer, const char *format)
{
	struct flow_super_printers *s = xmalloc (sizeof *s);
	flow_super_printers_read (req, s);
	const char *want = strcmp (format, "pdf") == 0 ? "document" : "label";
	char known[400] = "";
	bool ok = false;
	const struct flow_super_printer *named = NULL;
	for (int i = 0; i < s->n; i++) {
		if (strcmp (s->p[i].name, printer) == 0)
			named = &s->p[i];
		if (strcmp (s->p[i].role, want) == 0 && strlen (known) < 300)
			snprintf (known + strlen (known), sizeof known - strlen (known), "%s%s", *known ? ", " : "", s->p[i].name);
	}
	if (named && strcmp (named->role, want) == 0)
		ok = true;
	else if (named)
		hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT, "%s is a %s printer: this job needs a %s printer (%s)",
		    printer, named->role, want, *known ? known : "none is set up");
	else
		hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT, "No printer %.40s is set up. %s printers: %s", printer,
		    strcmp (want, "document") == 0 ? "Document" : "Label", *known ? known : "none");
	free (s);
	return ok;
}

int
flow_super_job_list (struct hub_req *req)
{
	const char *station = flow_arg (req, "station"), *done = flow_arg (req, "done");
	bool all = station && strcmp (station, "*") == 0;
	bool finished = done && strcmp (done, "1") == 0;
	if (station == NULL)
		station = req->station ? req->station : "";
	if ((all || strcmp (station, req->station ? req->station : "") != 0) && !(req->role & ROLE_LEAD)) {
		hub_reply (req, PROTO_REFUSED, PR_FORBIDDEN, "Only a supervisor sees other stations' jobs. "
		    SCREEN_ASK SCREEN_JOBS);
		return 0;
	}
	/* Waiting jobs oldest first (the one to see to); with done, the latest of every state first. */
	db_stmt_t *st = db_prepare (req->db,
	    "SELECT j.id, j.kind, coalesce (substr (p.code, 1, instr (p.code || '~', '~') - 1), j.order_ref,"
	    " 'manifest ' || j.manifest_id), j.status, coalesce (j.printer, ''), coalesce (j.station, ''),"
	    " coalesce (j.updated_at, j.created_at), replace (coalesce (j.error, ''), '|', '/'), j.format"
	    " FROM label_jobs j LEFT JOIN parcels p ON p.id = j.parcel_id"
	    " WHERE (?1 OR j.station = ?2) AND (?3 OR j.status NOT IN ('printed', 'cancelled'))"
	    " ORDER BY CASE WHEN ?3 THEN -j.id ELSE j.id END LIMIT ?4");
	db_bind_int (st, 1, all);
	db_bind_text (st, 2, station);
	db_bind_int (st, 3, finished);
	db_bind_int (st, 4, FLOW_SUPER_MAX);
	int n = 0;
	while (db_step (st) == DB_ROW) {
		char key[24], at[32];
		flow_super_iso (db_col_int (st, 6), at, sizeof at);
		snprintf (key, sizeof key, "printjob.%d", ++n);
		hub_reply_data (req, key, "%lld|%s|%s|%s|%s|%s|%s|%s|%s", (long long) db_col_int (st, 0), db_col_text (st, 1),
		    db_col_text (st, 2), db_col_text (st, 3), db_col_text (st, 4), db_col_text (st, 5), at,
		    db_col_text (st, 7), db_col_text (st, 8));
	}
	db_reset (st);
	hub_reply_data (req, "jobs", "%d", n);
	const char *where = all ? "any station" : station;
	if (n == 0)
		hub_reply (req, PROTO_OK, PR_OK, finished ? "No print jobs at %s" : "Nothing waiting to print at %s", where);
	else
		hub_reply (req, PROTO_OK, PR_OK, finished ? "%d latest print job%s at %s" : "%d print job%s not printed at %s",
		    n, n == 1 ? "" : "s", where);
	return 0;
}

/* A kept job that a reprint replaces must not print as well. */
static int
flow_super_job_close (struct hub_req *req, int64_t id, const char *why)
{
	db_stmt_t *st = db_prepare (req->db,
	    "UPDATE label_jobs SET " FLOW_PRINT_ASKED "status = CASE WHEN coalesce (cups_job, 0) > 0 THEN 'cancelling'"
	    " ELSE 'cancelled' END, error = ?3, updated_at = ?2 WHERE id = ?1 AND status NOT IN ('printed', 'cancelled')");
	db_bind_int (st, 1, id);
	db_bind_int (st, 2, req->now_ms);
	db_bind_text (st, 3, why);
	flow_print_bind_asked (req, st);
	int rc = db_step (st);
	db_reset (st);
	return rc == DB_DONE ? 0 : -1;
}

int
flow_super_job_reprint (struct hub_req *req)
{
	struct flow_super_job j;
	int rc = flow_super_job_get (req, &j);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	const char *printer = flow_arg (req, "printer");
	if (printer && !flow_super_printer_fits (req, printer, j.format))
		return 0;
	if (flow_super_job_moving (j.state) || j.state == JOB_SUBMITTED) {
		hub_reply (req, PROTO_REFUSED, PR_CONFLICT, "Job %lld (%s %s) is %s right now. Wait for it, or redirect it",
		    (long long) j.id, flow_super_kind_word (j.kind), j.what, hub_state_job_name (j.state));
		return 0;
	}
	int64_t job;
	if (strcmp (j.kind, "label") == 0 && j.parcel_id > 0) {
		if (j.void_parcel) {
			hub_reply (req, PROTO_REFUSED, PR_WRONG_LABEL, "Job %lld is a label that was replaced or undone: it must "
			    "not print again. Reprint the parcel's label now in use", (long long) j.id);
			return 0;
		}
		/* The parcel's label as a new job: the same bytes (hub_print_label copies the job it repeats). */
		if (!flow_super_job_done (j.state) && flow_super_job_close (req, j.id, "replaced by a reprint") != 0)
			return -1;
		job = hub_print_label (req, j.parcel_id, j.id, printer ? printer : *j.printer ? j.printer : NULL);
		if (job == 0)
			return 0; /* it cannot be drawn: the reply says why */
	} else if (j.has_data) {
		db_stmt_t *st = db_prepare (req->db, "SELECT data FROM label_docs WHERE job = ?1");
		db_bind_int (st, 1, j.id);
		uint8_t *data = NULL;
		size_t size = 0;
		if (db_step (st) == DB_ROW) {
			const void *p = db_col_blob (st, 0, &size);
			data = xmalloc (size ? size : 1);
			memcpy (data, p, size);
		}
		db_reset (st);
		if (!flow_super_job_done (j.state) && flow_super_job_close (req, j.id, "replaced by a reprint") != 0) {
			free (data);
			return -1;
		}
		struct hub_print_doc doc = { .order_ref = *j.order ? j.order : NULL, .manifest_id = j.manifest_id,
			.kind = j.kind, .format = j.format, .title = j.title, .station = j.station, .printer = printer,
			.data = data, .size = size };
		job = hub_print_document (req, &doc);
		free (data);
	} else if (strcmp (j.kind, "receipt") == 0 && j.manifest_id > 0) {
		/* Never drawn: drawn again now, for this station's document printer. */
		if (!flow_super_job_done (j.state) && flow_super_job_close (req, j.id, "replaced by a reprint") != 0)
			return -1;
		job = hub_receipt_queue (req, j.manifest_id);
	} else {
		hub_reply (req, PROTO_REFUSED, PR_BAD_DATA, "Job %lld (%s %s) was never drawn: %s. %s", (long long) j.id,
		    flow_super_kind_word (j.kind), j.what, *j.error ? j.error : "no reason kept",
		    strcmp (j.kind, "ticket") == 0 ? "Print a new one: " SCREEN_IN_SUPER (SCREEN_TICKET)
		    : "Correct the order, then reprint its label");
		return 0;
	}
	if (job > 0 && !flow_super_job_done (j.state) && flow_print_copy_owner (req, j.id, job) != 0)
		return -1;
	if (job < 0 || flow_event (req, "reprint", *j.order ? j.order : NULL, j.parcel_id, 0, false,
	                   "%s job %lld again as job %lld%s%s", j.kind, (long long) j.id, (long long) job,
	                   printer ? " to " : "", printer ? printer : "") != 0)
		return -1;
	hub_reply (req, PROTO_OK, PR_OK, "Reprinting the %s for %s%s%s", flow_super_kind_word (j.kind), j.what,
	    printer ? " at " : "", printer ? printer : "");
	hub_reply_data (req, "job", "%lld", (long long) job);
	return 0;
}

int
flow_super_job_redirect (struct hub_req *req)
{
	struct flow_super_job j;
	int rc = flow_super_job_get (req, &j);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	const char *printer = flow_arg (req, "printer");
	if (flow_super_job_done (j.state)) {
		hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT, "Job %lld (%s %s) is %s: nothing waits. Reprint it for a new "
		    "copy", (long long) j.id, flow_super_kind_word (j.kind), j.what, hub_state_job_name (j.state));
		return 0;
	}
	if (j.void_parcel) {
		hub_reply (req, PROTO_REFUSED, PR_WRONG_LABEL, "Job %lld is a label that was replaced or undone: cancel it",
		    (long long) j.id);
		return 0;
	}
	/* Being moved or cancelled in CUPS right now: sent anew from here it could print twice. Being sent is no
	 * reason to wait (after a restart with CUPS out of reach it may last): the spooler looks for it by name. */
	if (j.state == JOB_REDIRECT || j.state == JOB_CANCELLING) {
		hub_reply (req, PROTO_REFUSED, PR_CONFLICT, "Job %lld is %s right now. Try again in a moment", (long long) j.id,
		    hub_state_job_name (j.state));
		return 0;
	}
	if (!flow_super_printer_fits (req, printer, j.format))
		return 0;
	/* In CUPS already, or perhaps: moved there by the spooler; else sent anew to the printer. */
	db_stmt_t *st = db_prepare (req->db,
	    "UPDATE label_jobs SET " FLOW_PRINT_ASKED "printer = ?2, error = NULL, updated_at = ?3,"
	    " status = " FLOW_PRINT_REDIRECT_STATUS " WHERE id = ?1");
	db_bind_int (st, 1, j.id);
	db_bind_text (st, 2, printer);
	db_bind_int (st, 3, req->now_ms);
	flow_print_bind_asked (req, st);
	int r = db_step (st);
	db_reset (st);
	if (r != DB_DONE || flow_event (req, "redirect", *j.order ? j.order : NULL, j.parcel_id, 0, false,
	                        "%s job %lld to %s", j.kind, (long long) j.id, printer) != 0)
		return -1;
	hub_reply (req, PROTO_OK, PR_OK, "The %s for %s goes to %s", flow_super_kind_word (j.kind), j.what, printer);
	return 0;
}

int
flow_super_job_cancel (struct hub_req *req)
{
	struct flow_super_job j;
	int rc = flow_super_job_get (req, &j);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (flow_super_job_done (j.state)) {
		hub_reply (req, PROTO_OK, PR_ALREADY_DONE, "Job %lld (%s %s) is already %s", (long long) j.id,
		    flow_super_kind_word (j.kind), j.what, hub_state_job_name (j.state));
		return 0;
	}
	db_stmt_t *st = db_prepare (req->db,
	    "UPDATE label_jobs SET " FLOW_PRINT_ASKED "updated_at = ?2, error = 'cancelled by ' || ?3,"
	    " status = " FLOW_PRINT_CANCEL_STATUS " WHERE id = ?1");
	db_bind_int (st, 1, j.id);
	db_bind_int (st, 2, req->now_ms);
	db_bind_text (st, 3, req->operator_badge);
	flow_print_bind_asked (req, st);
	int r = db_step (st);
	db_reset (st);
	if (r != DB_DONE || flow_event (req, "print-cancel", *j.order ? j.order : NULL, j.parcel_id, 0, false,
	                        "%s job %lld", j.kind, (long long) j.id) != 0)
		return -1;
	hub_reply (req, PROTO_OK, PR_OK, "The %s for %s is cancelled", flow_super_kind_word (j.kind), j.what);
	return 0;
}

/* --- printers ------------------------------------------------------------------ */

int
flow_super_printers (struct hub_req *req)
{
	struct flow_super_printers *s = xmalloc (sizeof *s);
	flow_super_printers_read (req, s);
	/* A printer a job was sent to by hand, not in the settings, is shown too. */
	db_stmt_t *st = db_prepare (req->db,
	    "SELECT DISTINCT printer, format FROM label_jobs WHERE printer IS NOT NULL AND printer <> ''"
	    " ORDER BY id DESC LIMIT 200");
	while (db_step (st) == DB_ROW)
		flow_super_printer_add (s, db_col_text (st, 0), strcmp (db_col_text (st, 1), "pdf") == 0 ? "document" : "label",
		    "");
	db_reset (st);
	/* What the hub last saw of each, from its jobs: the spooler asks CUPS, a handler never does. */
	st = db_prepare (req->db,
	    "SELECT count(*) FILTER (WHERE status NOT IN ('printed', 'cancelled', 'failed')),"
	    " count(*) FILTER (WHERE status = 'offline'), count(*) FILTER (WHERE status = 'failed'),"
	    " count(*) FILTER (WHERE status IN ('submitted', 'submitting', 'redirect')),"
	    " coalesce (max (printed_at), 0),"
	    " (SELECT replace (error, '|', '/') FROM label_jobs WHERE printer = ?1 AND error IS NOT NULL ORDER BY id DESC LIMIT 1),"
	    " (SELECT status FROM label_jobs WHERE printer = ?1 ORDER BY coalesce (updated_at, created_at) DESC LIMIT 1)"
	    " FROM label_jobs WHERE printer = ?1");
	int down = 0;
	for (int i = 0; i < s->n; i++) {
		db_bind_text (st, 1, s->p[i].name);
		long long waiting = 0, offline = 0, failed = 0, sending = 0, printed = 0;
		char error[200] = "", last[24] = "";
		if (db_step (st) == DB_ROW) {
			waiting = db_col_int (st, 0);
			offline = db_col_int (st, 1);
			failed = db_col_int (st, 2);
			sending = db_col_int (st, 3);
			printed = db_col_int (st, 4);
			util_strlcpy (error, db_col_text (st, 5), sizeof error);
			util_strlcpy (last, db_col_text (st, 6), sizeof last);
		}
		db_reset (st);
		const char *state = offline ? "offline" : sending ? "printing" : strcmp (last, "printed") == 0 ? "ok"
		    : failed && strcmp (last, "failed") == 0 ? "failed" : *last ? "ok" : "unused";
		down += offline > 0;
		char key[24], at[32];
		flow_super_iso (printed, at, sizeof at);
		snprintf (key, sizeof key, "printer.%d", i + 1);
		hub_reply_data (req, key, "%s|%s|%s|%s|%lld|%lld|%s|%s", s->p[i].name, s->p[i].role, s->p[i].where, state,
		    waiting, failed, at, strcmp (state, "ok") == 0 ? "" : error);
	}
	hub_reply_data (req, "printers", "%d", s->n);
	if (s->n == 0)
		hub_reply (req, PROTO_WARN, PR_OK, "No printer is set up: see printer.* in despatch.conf(5)");
	else if (down)
		hub_reply (req, PROTO_WARN, PR_PRINTER, "%d of %d printers offline: their jobs are kept. Redirect them on "
		    SCREEN_JOBS, down, s->n);
	else
		hub_reply (req, PROTO_OK, PR_OK, "%d printer%s; none offline", s->n, s->n == 1 ? "" : "s");
	free (s);
	return 0;
}

/* --- close-outs ---------------------------------------------------------------- */

int
flow_super_manifests (struct hub_req *req)
{
	const char *carrier = flow_arg (req, "carrier");
	db_stmt_t *st = db_prepare (req->db,
	    "SELECT m.id, m.carrier, coalesce (m.cage, ''), m.closed_at, m.parcels, m.status,"
	    " coalesce ((SELECT name FROM operators WHERE badge = m.closed_by), m.closed_by)"
	    " FROM manifests m WHERE ?1 IS NULL OR m.carrier = ?1 ORDER BY m.id DESC LIMIT ?2");
	db_bind_text (st, 1, carrier);
	db_bind_int (st, 2, FLOW_SUPER_MAX / 2);
	int n = 0;
	while (db_step (st) == DB_ROW) {
		char key[24], at[32];
		flow_super_iso (db_col_int (st, 3), at, sizeof at);
		snprintf (key, sizeof key, "manifest.%d", ++n);
		hub_reply_data (req, key, "%lld|%s|%s|%s|%lld|%s|%s", (long long) db_col_int (st, 0), db_col_text (st, 1),
		    db_col_text (st, 2), at, (long long) db_col_int (st, 4), db_col_text (st, 5), db_col_text (st, 6));
	}
	db_reset (st);
	hub_reply_data (req, "manifests", "%d", n);
	if (n)
		hub_reply (req, PROTO_OK, PR_OK, "%d latest close-out%s%s%s", n, n == 1 ? "" : "s", carrier ? " of " : "",
		    carrier ? carrier : "");
	else
		hub_reply (req, PROTO_OK, PR_OK, "No close-out yet%s%s", carrier ? " of " : "", carrier ? carrier : "");
	return 0;
}

/* --- number ranges ----------------------------------------------------------------- */

int
flow_super_ranges (struct hub_req *req)
{
	const char *carrier = flow_arg (req, "carrier");
	db_stmt_t *st = db_prepare (req->db,
	    "SELECT id, carrier, scheme, prefix, first, next, last, low_water FROM ranges"
	    " WHERE ?1 IS NULL OR carrier = ?1 ORDER BY carrier, id LIMIT ?2");
	db_bind_text (st, 1, carrier);
	db_bind_int (st, 2, FLOW_SUPER_MAX);
	int n = 0, low = 0;
	while (db_step (st) == DB_ROW) {
		long long next = db_col_int (st, 5), last = db_col_int (st, 6), water = db_col_int (st, 7);
		long long left = next > last ? 0 : last - next + 1;
		const char *state = left == 0 ? "used-up" : left <= water ? "low" : "ok";
		low += left <= water;
		char key[24];
		snprintf (key, sizeof key, "range.%d", ++n);
		hub_reply_data (req, key, "%lld|%s|%s|%s|%lld|%lld|%lld|%lld|%lld|%s", (long long) db_col_int (st, 0),
		    db_col_text (st, 1), db_col_text (st, 2), db_col_text (st, 3), (long long) db_col_int (st, 4), next, last,
		    left, water, state);
	}
	db_reset (st);
	hub_reply_data (req, "ranges", "%d", n);
	if (low)
		hub_reply (req, PROTO_WARN, PR_RANGE_LOW, "%d range%s low or used up: top up from the carrier's numbers",
		    low, low == 1 ? "" : "s");
	else
		hub_reply (req, PROTO_OK, PR_OK, "%d range%s, none low", n, n == 1 ? "" : "s");
	return 0;
}

int
flow_super_range_add (struct hub_req *req)
{
	const char *carrier = flow_arg (req, "carrier"), *scheme = flow_arg (req, "scheme"), *prefix = flow_arg (req, "prefix");
	long first, last, water = -1;
	const struct carrier *c = carrier_find (carrier_current (), carrier);
	bool sscc = strcmp (carrier, "sscc") == 0;
	if (c == NULL && !sscc) {
		hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT, "Carrier '%.24s' is not known (or sscc for the store's own "
		    "SSCCs)", carrier);
		return 0;
	}
	if (!util_parse_long (flow_arg (req, "first"), 0, 999999999999L, &first)
	    || !util_parse_long (flow_arg (req, "last"), 0, 999999999999L, &last) || first > last) {
		hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT, "First and last are the carrier's serial numbers, first not "
		    "above last (as the carrier's letter gives them)");
		return 0;
	}
	if (flow_arg (req, "low_water") && !util_parse_long (flow_arg (req, "low_water"), 0, 999999999999L, &water)) {
		hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT, "low_water is how many numbers left count as low: a whole "
		    "number");
		return 0;
	}
	/* Scheme, prefix and low water of the carrier's latest range, unless given. */
	char dscheme[24] = "", dprefix[24] = "";
	long long dwater = 1000;
	db_stmt_t *st = db_prepare (req->db,
	    "SELECT scheme, prefix, low_water FROM ranges WHERE carrier = ?1 ORDER BY id DESC LIMIT 1");
	db_bind_text (st, 1, carrier);
	bool had = db_step (st) == DB_ROW;
	if (had) {
		util_strlcpy (dscheme, db_col_text (st, 0), sizeof dscheme);
		util_strlcpy (dprefix, db_col_text (st, 1), sizeof dprefix);
		dwater = db_col_int (st, 2);
	}
	db_reset (st);
	if (scheme == NULL)
		scheme = had ? dscheme : c ? c->scheme : "sscc";
	if (prefix == NULL)
		prefix = dprefix;
	if (water < 0)
		water = (long) dwater;
	if (ident_find (scheme) == NULL || (c && !sscc && strcmp (scheme, c->scheme) != 0)) {
		hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT, "%s numbers are scheme %s, not '%.24s'", carrier,
		    c && !sscc ? c->scheme : "sscc", scheme);
		return 0;
	}
	char *cause = NULL, *id = ident_make (scheme, prefix, (uint64_t) last, &cause);
	if (id == NULL) {
		hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT, "%s %s cannot number up to %ld: %s", scheme, prefix, last,
		    cause ? cause : "out of its range");
		free (cause);
		return 0;
	}
	free (id);
	st = db_prepare (req->db, "SELECT id, carrier, first, last FROM ranges WHERE scheme = ?1 AND prefix = ?2"
	    " AND NOT (last < ?3 OR first > ?4) LIMIT 1");
	db_bind_text (st, 1, scheme);
	db_bind_text (st, 2, prefix);
	db_bind_int (st, 3, first);
	db_bind_int (st, 4, last);
	if (db_step (st) == DB_ROW) {
		hub_reply (req, PROTO_REFUSED, PR_CONFLICT, "%ld-%ld overlaps %s's range %lld (%lld-%lld): numbers would be "
		    "issued twice. Check the carrier's letter", first, last, db_col_text (st, 1), (long long) db_col_int (st, 0),
		    (long long) db_col_int (st, 2), (long long) db_col_int (st, 3));
		db_reset (st);
		return 0;
	}
	db_reset (st);
	st = db_prepare (req->db, "INSERT INTO ranges (carrier, scheme, prefix, first, next, last, low_water)"
	    " VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6)");
	db_bind_text (st, 1, carrier);
	db_bind_text (st, 2, scheme);
	db_bind_text (st, 3, prefix);
	db_bind_int (st, 4, first);
	db_bind_int (st, 5, last);
	db_bind_int (st, 6, water);
	int rc = db_step (st);
	db_reset (st);
	if (rc != DB_DONE)
		return -1;
	int64_t range = db_last_rowid (req->db);
	if (flow_event (req, "range-add", NULL, 0, 0, false, "%s range %lld: %s %s %ld-%ld (%ld numbers)", carrier,
	        (long long) range, scheme, prefix, first, last, last - first + 1) != 0)
		return -1;
	hub_reply (req, PROTO_OK, PR_OK, "%s: %ld numbers added (%ld-%ld). Parcels waiting for a number: label them "
	    "again at " SCREEN_PACK, carrier, last - first + 1, first, last);
	hub_reply_data (req, "range", "%lld", (long long) range);
	hub_reply_data (req, "carrier", "%s", carrier);
	return 0;
}
