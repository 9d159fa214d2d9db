/*
 * flow-print.c: commands "reprint", "redirect", "print-cancel", "print-jobs"
 * and "ticket". They change print jobs in the request's transaction (a new
 * job, another printer, a cancel asked for); the spooler (loop/hub-spool.c)
 * does what they ask once the request has committed. A redirect or cancel
 * records who asked (label_jobs.asked_terminal, asked_by): what the spooler
 * then makes of the job is told to that terminal too, by EVENT.
 */
#include "config.h"
#include "flow-steps.h"
#include "hub/docs/hub-print.h"
#include "hub/docs/hub-ticket.h"
#include "hub/req/flow.h"
#include "printers/print.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The parcel named by args "parcel", or a reply saying why not (returns 1). */
static int
flow_print_parcel (struct hub_req *req, struct flow_parcel *p)
{
	struct flow_target t;
	int rc = flow_resolve (req, proto_hash_get (req->msg, PROTO_COMMAND_ARGS, "parcel"), &t);
	if (rc != 0)
		return rc;
	if (t.kind != FLOW_PARCEL) {
		if (!flow_refuse_symbol (req, &t))
			hub_reply (req, PROTO_REFUSED, PR_UNKNOWN_BARCODE, "No parcel known by %.40s. Scan the parcel's label",
			    proto_hash_get (req->msg, PROTO_COMMAND_ARGS, "parcel"));
		return 1;
	}
	*p = t.parcel;
	if (p->state == PARCEL_PACKED || p->state == PARCEL_VOID) {
		hub_reply (req, PROTO_REFUSED, PR_NOT_LABELLED, "Parcel %s has no label yet", p->code);
		return 1;
	}
	return 0;
}

/* The parcel's latest job: id and state; 0 when none. */
static int64_t
flow_print_latest (struct hub_req *req, int64_t parcel_id, enum hub_job_state *state)
{
	db_stmt_t *st = db_prepare (req->db, "SELECT id, status FROM label_jobs WHERE parcel_id = ?1 ORDER BY id DESC LIMIT 1");
	db_bind_int (st, 1, parcel_id);
	int64_t id = 0;
	if (db_step (st) == DB_ROW) {
		id = db_col_int (st, 0);
		*state = hub_state_job_parse (db_col_text (st, 1));
	}
	db_reset (st);
	return id;
}

/* The parcel named by args "parcel" and its latest job (0 when none): 0, 1 (reply filled) or -1. */
static int
flow_print_parcel_job (struct hub_req *req, struct flow_parcel *p, int64_t *last, enum hub_job_state *state)
{
	int rc = flow_print_parcel (req, p);
	if (rc == 0)
		*last = flow_print_latest (req, p->id, state);
	return rc;
}

static bool
flow_print_unfinished (enum hub_job_state state)
{
	return state != JOB_PRINTED && state != JOB_CANCELLED;
}

void
flow_print_bind_asked (struct hub_req *req, db_stmt_t *st)
{
	db_bind_text (st, 8, proto_msg_terminal (req->msg));
	db_bind_text (st, 9, req->operator_badge);
}

/* A copy that replaces a job kept unprinted stays that job's terminal's, asked for by this one: the bench
 * whose kept label someone else reprints hears that the copy printed (and where), not only that its own job
 * was closed, and would otherwise print the label again. */
int
flow_print_copy_owner (struct hub_req *req, int64_t kept, int64_t copy)
{
	db_stmt_t *st = db_prepare (req->db,
	    "UPDATE label_jobs SET " FLOW_PRINT_ASKED "terminal = (SELECT k.terminal FROM label_jobs k WHERE k.id = ?1)"
	    " WHERE id = ?2 AND (SELECT coalesce (k.terminal, '') FROM label_jobs k WHERE k.id = ?1) NOT IN ('', ?8)");
	db_bind_int (st, 1, kept);
	db_bind_int (st, 2, copy);
	flow_print_bind_asked (req, st);
	int rc = db_step (st);
	db_reset (st);
	return rc == DB_DONE ? 0 : -1;
}

int
flow_print_reprint (struct hub_req *req)
{
	struct flow_parcel p;
	int64_t last = 0;
	enum hub_job_state state = JOB_UNKNOWN;
	int rc = flow_print_parcel_job (req, &p, &last, &state);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (last && flow_print_unfinished (state) && state != JOB_FAILED && state != JOB_NO_PRINTER
	    && state != JOB_OFFLINE) {
		hub_reply (req, PROTO_REFUSED, PR_CONFLICT, "The label for %s is still being printed (%s). Wait for it, "
		    "or redirect it", p.code, hub_state_job_name (state));
		return 0;
	}
	/* A kept job that never printed is closed by its reprint: it must not print as well. */
	if (last && flow_print_unfinished (state)) {
		db_stmt_t *st = db_prepare (req->db,
		    "UPDATE label_jobs SET " FLOW_PRINT_ASKED "status = CASE WHEN coalesce(cups_job, 0) > 0 THEN 'cancelling'"
		    " ELSE 'cancelled' END, error = 'replaced by a reprint', updated_at = ?2 WHERE id = ?1");
		db_bind_int (st, 1, last);
		db_bind_int (st, 2, req->now_ms);
		flow_print_bind_asked (req, st);
		int r = db_step (st);
		db_reset (st);
		if (r != DB_DONE)
			return -1;
	}
	const char *printer = proto_hash_get (req->msg, PROTO_COMMAND_ARGS, "printer");
	int64_t job = hub_print_label (req, p.id, last, printer);
	if (job == 0)
		return 0; /* it cannot be drawn: the reply says why */
	if (job > 0 && last && flow_print_unfinished (state) && flow_print_copy_owner (req, last, job) != 0)
		return -1;
	if (job < 0 || flow_event (req, "reprint", p.order, p.id, 0, false, "label job %lld%s%s", (long long) job,
	                   printer ? " to " : "", printer ? printer : "") != 0)
		return -1;
	hub_reply (req, PROTO_OK, PR_OK, "Reprinting the label for %s", p.code);
	hub_reply_data (req, "parcel", "%s", p.code);
	hub_reply_data (req, "job", "%lld", (long long) job);
	return 0;
}

int
flow_print_redirect (struct hub_req *req)
{
	struct flow_parcel p;
	int64_t last = 0;
	enum hub_job_state state = JOB_UNKNOWN;
	int rc = flow_print_parcel_job (req, &p, &last, &state);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	const char *printer = proto_hash_get (req->msg, PROTO_COMMAND_ARGS, "printer");
	if (!last || !flow_print_unfinished (state)) {
		hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT, "Nothing waiting to print for %s. Use reprint for a new copy",
		    p.code);
		return 0;
	}
	/* Being moved or cancelled in CUPS right now: sent anew from here it could print twice. */
	if (state == JOB_REDIRECT || state == JOB_CANCELLING) {
		hub_reply (req, PROTO_REFUSED, PR_CONFLICT, "The label for %s is being %s right now. Try again in a moment",
		    p.code, state == JOB_REDIRECT ? "moved to another printer" : "cancelled");
		return 0;
	}
	db_stmt_t *st = db_prepare (req->db,
	    "UPDATE label_jobs SET " FLOW_PRINT_ASKED "printer = ?2, error = NULL, updated_at = ?3,"
	    " status = " FLOW_PRINT_REDIRECT_STATUS " WHERE id = ?1");
	db_bind_int (st, 1, last);
	db_bind_text (st, 2, printer);
	db_bind_int (st, 3, req->now_ms);
	flow_print_bind_asked (req, st);
	int r = db_step (st);
	db_reset (st);
	if (r != DB_DONE || flow_event (req, "redirect", p.order, p.id, 0, false, "label job %lld to %s",
	                        (long long) last, printer) != 0)
		return -1;
	hub_reply (req, PROTO_OK, PR_OK, "Label for %s goes to %s", p.code, printer);
	hub_reply_data (req, "job", "%lld", (long long) last);
	return 0;
}

int
flow_print_cancel (struct hub_req *req)
{
	struct flow_parcel p;
	int64_t last = 0;
	enum hub_job_state state = JOB_UNKNOWN;
	int rc = flow_print_parcel_job (req, &p, &last, &state);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (!last || !flow_print_unfinished (state)) {
		hub_reply (req, PROTO_OK, PR_ALREADY_DONE, "No label job of %s is waiting", p.code);
		return 0;
	}
	db_stmt_t *st = db_prepare (req->db,
	    "UPDATE label_jobs SET " FLOW_PRINT_ASKED "updated_at = ?2, error = 'cancelled by ' || ?3,"
	    " status = " FLOW_PRINT_CANCEL_STATUS " WHERE id = ?1");
	db_bind_int (st, 1, last);
	db_bind_int (st, 2, req->now_ms);
	db_bind_text (st, 3, req->operator_badge);
	flow_print_bind_asked (req, st);
	int r = db_step (st);
	db_reset (st);
	if (r != DB_DONE || flow_event (req, "print-cancel", p.order, p.id, 0, false, "label job %lld", (long long) last) != 0)
		return -1;
	hub_reply (req, PROTO_OK, PR_OK, "Label job for %s cancelled", p.code);
	return 0;
}

int
flow_print_jobs (struct hub_req *req)
{
	db_stmt_t *st = db_prepare (req->db,
	    "SELECT j.id, coalesce(p.code, j.order_ref), j.status, coalesce(j.printer, ''), coalesce(j.error, '')"
	    " FROM label_jobs j LEFT JOIN parcels p ON p.id = j.parcel_id"
	    " WHERE j.station = ?1 AND j.status NOT IN ('printed', 'cancelled')"
	    " ORDER BY j.id LIMIT 50");
	db_bind_text (st, 1, req->station);
	int n = 0;
	while (db_step (st) == DB_ROW) {
		char key[16];
		snprintf (key, sizeof key, "job.%d", ++n);
		proto_hash_setf (req->reply, PROTO_REPLY_DATA, key, "%lld|%s|%s|%s|%s", (long long) db_col_int (st, 0),
		    db_col_text (st, 1), db_col_text (st, 2), db_col_text (st, 3), db_col_text (st, 4));
	}
	db_reset (st);
	if (n)
		hub_reply (req, PROTO_OK, PR_OK, "%d label job(s) not printed at %s", n, req->station);
	else
		hub_reply (req, PROTO_OK, PR_OK, "Nothing waiting to print at %s", req->station);
	hub_reply_data (req, "jobs", "%d", n);
	return 0;
}

/* The despatch ticket of an order, at a sales desk's label printer. */
int
flow_print_ticket (struct hub_req *req)
{
	const char *ref = proto_hash_get (req->msg, PROTO_COMMAND_ARGS, "order");
	const char *station = proto_hash_get (req->msg, PROTO_COMMAND_ARGS, "station");
	const char *printer = proto_hash_get (req->msg, PROTO_COMMAND_ARGS, "printer");
	if (station == NULL || *station == '\0')
		station = req->station;
	struct flow_order o;
	int rc = flow_order_get (req, ref, &o);
	if (rc < 0)
		return -1;
	if (rc != 0) {
		hub_reply (req, PROTO_REFUSED, PR_UNKNOWN_BARCODE, "No order %.32s. Check the reference on the till slip", ref);
		return 0;
	}
	conf_t *conf = req->opt->conf;
	char *cause = NULL;
	int dpi = print_map_dpi (conf, station, &cause);
	free (cause);
	cause = NULL;
	uint8_t *data = NULL;
	size_t size = 0;
	if (hub_ticket_render (req, o.ref, dpi > 0 ? dpi : 203, &data, &size, &cause) != 0) {
		hub_reply (req, PROTO_REFUSED, PR_BAD_DATA, "The ticket for %s cannot be drawn: %s", o.ref, cause);
		free (cause);
		return 0;
	}
	char *title = xasprintf ("despatch ticket %s", o.ref);
	struct hub_print_doc doc = { .order_ref = o.ref, .kind = "ticket", .format = "zpl", .title = title,
		.station = station, .printer = printer, .data = data, .size = size };
	int64_t job = hub_print_document (req, &doc);
	free (title);
	free (data);
	if (job < 0)
		return -1;
	if (flow_event (req, "ticket", o.ref, 0, 0, false, "despatch ticket job %lld at %s", (long long) job, station) != 0)
		return -1;
	hub_reply (req, PROTO_OK, PR_OK, "Despatch ticket for %s printing at %s", o.ref, station);
	hub_reply_data (req, "order", "%s", o.ref);
	hub_reply_data (req, "job", "%lld", (long long) job);
	return 0;
}
