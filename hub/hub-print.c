/* hub-print.c: label jobs, CUPS submission and follow-up, print commands. */
#include "config.h"
#include "hub-print.h"
#include "flow.h"
#include "hub-customs.h"
#include "hub-label.h"
#include "hub-receipt.h"
#include "hub-server.h"
#include "hub-ticket.h"
#include "log.h"
#include "printers/print.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HUB_PRINT_POLL_MS 500
#define HUB_PRINT_BATCH 32

static print_t *hub_print_conn;
static char hub_print_server[256];
static int64_t hub_print_next_poll;

/* --- inside a request ---------------------------------------------------- */

int64_t
hub_print_label (struct hub_req *req, int64_t parcel_id, int64_t reprint_of, const char *printer)
{
	conf_t *conf = hub_opts (req->hub)->conf;
	char *cause = NULL;
	int dpi = print_map_dpi (conf, req->station, &cause);
	if (dpi < 0) {
		log_warn ("station %s: %s; printing at 203 dpi", req->station, cause);
		free (cause);
		cause = NULL;
		dpi = 203;
	}
	uint8_t *data = NULL;
	size_t size = 0;
	const char *status = "queued";
	if (reprint_of > 0) {
		/* A reprint is the same label, byte for byte. */
		db_stmt_t *st = db_prepare (req->db, "SELECT data FROM label_jobs WHERE id = ?1 AND data IS NOT NULL");
		db_bind_int (st, 1, reprint_of);
		if (db_step (st) == DB_ROW) {
			const void *p = db_col_blob (st, 0, &size);
			data = xmalloc (size);
			memcpy (data, p, size);
		}
		db_reset (st);
	}
	if (data == NULL && hub_label_render (req->db, conf, parcel_id, dpi, &data, &size, &cause) != 0) {
		log_error ("parcel %lld: label not drawn: %s", (long long) parcel_id, cause);
		status = "failed";
	}
	db_stmt_t *st = db_prepare (req->db,
	    "INSERT INTO label_jobs (parcel_id, order_ref, terminal, station, status, created_at, updated_at, printer,"
	    " error, kind, format, title, data, reprint_of, requested_by)"
	    " SELECT ?1, p.order_ref, ?2, ?3, ?4, ?5, ?5, ?6, ?7, 'label', 'zpl',"
	    "  'label ' || p.code || ' ' || coalesce(p.tracking, ''), ?8, ?9, ?10 FROM parcels p WHERE p.id = ?1");
	db_bind_int (st, 1, parcel_id);
	db_bind_text (st, 2, proto_msg_terminal (req->msg));
	db_bind_text (st, 3, req->station);
	db_bind_text (st, 4, status);
	db_bind_int (st, 5, req->now_ms);
	db_bind_text (st, 6, printer && *printer ? printer : NULL);
	db_bind_text (st, 7, cause);
	if (data)
		db_bind_blob (st, 8, data, size);
	else
		db_bind_null (st, 8);
	if (reprint_of > 0)
		db_bind_int (st, 9, reprint_of);
	else
		db_bind_null (st, 9);
	db_bind_text (st, 10, req->operator_badge);
	int rc = db_step (st);
	db_reset (st);
	free (data);
	free (cause);
	return rc == DB_DONE ? db_last_rowid (req->db) : -1;
}

/* --- after commit: the pump ---------------------------------------------- */

struct hub_print_job {
	int64_t id;
	char terminal[PROTO_MAX_TERMINAL + 1];
	char station[65];
	char printer[PRINT_NAME_MAX];
	char title[PRINT_TEXT_MAX];
	char status[16];
	char parcel[48];
	int cups_job;
	char format[8];     /* "zpl" (label printer) or "pdf" (document printer) */
};

/* Which printer of the station a job belongs on: documents (PDF) or labels (ZPL). */
static enum print_role
hub_print_role (const struct hub_print_job *j)
{
	return strcmp (j->format, "pdf") == 0 ? PRINT_ROLE_DOCUMENT : PRINT_ROLE_LABEL;
}

static void
hub_print_notify (hub_t *hub, const struct hub_print_job *j, const char *state, const char *fmt, ...)
	__attribute__ ((format (printf, 4, 5)));

static void
hub_print_notify (hub_t *hub, const struct hub_print_job *j, const char *state, const char *fmt, ...)
{
	va_list ap;
	va_start (ap, fmt);
	char *text = xvasprintf (fmt, ap);
	va_end (ap);
	proto_msg_t *ev = proto_msg_new (PROTO_EVENT);
	proto_set_str (ev, PROTO_EVENT_TOPIC, "print");
	proto_hash_setf (ev, PROTO_EVENT_DATA, "job", "%lld", (long long) j->id);
	proto_hash_set (ev, PROTO_EVENT_DATA, "parcel", j->parcel);
	proto_hash_set (ev, PROTO_EVENT_DATA, "state", state);
	proto_hash_set (ev, PROTO_EVENT_DATA, "printer", j->printer);
	proto_hash_set (ev, PROTO_EVENT_DATA, "text", text);
	const char *fb = print_map_fallback (hub_opts (hub)->conf, j->station, hub_print_role (j));
	if (fb)
		proto_hash_set (ev, PROTO_EVENT_DATA, "fallback", fb);
	log_info ("terminal %s: label job %lld (%s) %s: %s", j->terminal, (long long) j->id, j->parcel, state, text);
	hub_notify (hub, j->terminal, &ev);
	free (text);
}

static void
hub_print_set (db_t *db, int64_t id, const char *status, const char *printer, int cups_job, const char *error)
{
	db_stmt_t *st = db_prepare (db,
	    "UPDATE label_jobs SET status = ?2, printer = coalesce(?3, printer),"
	    " cups_job = CASE WHEN ?4 > 0 THEN ?4 ELSE cups_job END, error = ?5, updated_at = ?6,"
	    " printed_at = CASE WHEN ?2 = 'printed' THEN ?6 ELSE printed_at END WHERE id = ?1");
	db_bind_int (st, 1, id);
	db_bind_text (st, 2, status);
	db_bind_text (st, 3, printer);
	db_bind_int (st, 4, cups_job);
	db_bind_text (st, 5, error);
	db_bind_int (st, 6, util_wall_ms ());
	if (db_step (st) != DB_DONE)
		log_error ("label job %lld: cannot record '%s': %s", (long long) id, status, db_errmsg (db));
	db_reset (st);
}

static print_t *
hub_print_connect (hub_t *hub, char **cause)
{
	if (hub_print_conn)
		return hub_print_conn;
	const char *server = conf_get (hub_opts (hub)->conf, "printer.server", getenv ("CUPS_SERVER"));
	hub_print_conn = print_new (server, cause);
	if (hub_print_conn) {
		print_set_timeout (hub_print_conn, 3000);
		util_strlcpy (hub_print_server, print_server (hub_print_conn), sizeof hub_print_server);
	}
	return hub_print_conn;
}

/* Jobs in one of the given states (a SQL list), oldest first. */
static int
hub_print_select (db_t *db, const char *sql, struct hub_print_job *jobs, int max)
{
	db_stmt_t *st = db_prepare (db, sql);
	int n = 0;
	while (n < max && db_step (st) == DB_ROW) {
		struct hub_print_job *j = &jobs[n++];
		j->id = db_col_int (st, 0);
		util_strlcpy (j->terminal, db_col_text (st, 1), sizeof j->terminal);
		util_strlcpy (j->station, db_col_text (st, 2), sizeof j->station);
		util_strlcpy (j->printer, db_col_text (st, 3), sizeof j->printer);
		util_strlcpy (j->title, db_col_text (st, 4), sizeof j->title);
		util_strlcpy (j->status, db_col_text (st, 5), sizeof j->status);
		util_strlcpy (j->parcel, db_col_text (st, 6), sizeof j->parcel);
		j->cups_job = (int) db_col_int (st, 7);
		util_strlcpy (j->format, db_col_text (st, 8), sizeof j->format);
	}
	db_reset (st);
	return n;
}

/* A job's "parcel" is its parcel code, the order reference for an order's ticket, or "manifest N" for a
 * manifest's document. */
#define HUB_PRINT_COLS \
	"SELECT j.id, coalesce(j.terminal, ''), coalesce(j.station, ''), coalesce(j.printer, ''), j.title, j.status," \
	" coalesce(p.code, j.order_ref, 'manifest ' || j.manifest_id), coalesce(j.cups_job, 0), j.format" \
	" FROM label_jobs j LEFT JOIN parcels p ON p.id = j.parcel_id "

static void
hub_print_submit (hub_t *hub, struct hub_print_job *j)
{
	db_t *db = hub_db (hub);
	conf_t *conf = hub_opts (hub)->conf;
	char *cause = NULL;
	/* PDF documents (the collection receipt) go to the station's document printer. */
	bool pdf = strcmp (j->format, "pdf") == 0;
	if (*j->printer == '\0') {
		const char *q = print_map_queue (conf, j->station, hub_print_role (j), &cause);
		if (q == NULL) {
			hub_print_set (db, j->id, "no-printer", NULL, 0, cause);
			hub_print_notify (hub, j, "no-printer", "No label printer for station %s: label kept. "
			    "Reprint at another printer", j->station);
			free (cause);
			return;
		}
		util_strlcpy (j->printer, q, sizeof j->printer);
	}
	/* Marked before the submit: after a crash here the job is looked for by title, not sent twice. */
	hub_print_set (db, j->id, "submitting", j->printer, 0, NULL);
	db_stmt_t *st = db_prepare (db, "SELECT data FROM label_jobs WHERE id = ?1");
	db_bind_int (st, 1, j->id);
	int job = -1;
	if (db_step (st) == DB_ROW && hub_print_connect (hub, &cause)) {
		size_t size;
		const void *data = db_col_blob (st, 0, &size);
		job = print_submit (hub_print_conn, j->printer, pdf ? PRINT_FORMAT_PDF : PRINT_FORMAT_ZPL, j->title, data,
		    size, &cause);
	}
	db_reset (st);
	if (job > 0) {
		hub_print_set (db, j->id, "submitted", NULL, job, NULL);
		return;
	}
	hub_print_set (db, j->id, "offline", NULL, 0, cause ? cause : "label data missing");
	const char *fb = print_map_fallback (conf, j->station, hub_print_role (j));
	hub_print_notify (hub, j, "offline", "Printer %s not taking jobs: label kept.%s%s%s", j->printer,
	    fb ? " Reprint at " : "", fb ? fb : "", fb ? "?" : " Ask a supervisor");
	free (cause);
}

/* Jobs with a CUPS id: follow them; move or cancel when asked. */
static void
hub_print_follow (hub_t *hub, struct hub_print_job *j)
{
	db_t *db = hub_db (hub);
	char *cause = NULL;
	if (hub_print_connect (hub, &cause) == NULL) {
		free (cause);
		return;
	}
	if (strcmp (j->status, "cancelling") == 0) {
		if (j->cups_job > 0 && print_cancel (hub_print_conn, j->cups_job, &cause) != 0)
			log_info ("label job %lld: CUPS cancel: %s", (long long) j->id, cause);
		hub_print_set (db, j->id, "cancelled", NULL, 0, NULL);
		hub_print_notify (hub, j, "cancelled", "Label job for %s cancelled", j->parcel);
		free (cause);
		return;
	}
	if (strcmp (j->status, "redirect") == 0) {
		if (print_move (hub_print_conn, j->cups_job, j->printer, &cause) == 0) {
			hub_print_set (db, j->id, "submitted", NULL, 0, NULL);
			hub_print_notify (hub, j, "redirected", "Label for %s sent to %s", j->parcel, j->printer);
		} else {
			/* Already finished or gone from CUPS: cancel what is left and send it anew. */
			print_cancel (hub_print_conn, j->cups_job, NULL);
			hub_print_set (db, j->id, "queued", NULL, 0, NULL);
			j->cups_job = 0;
			hub_print_submit (hub, j);
		}
		free (cause);
		return;
	}
	print_job_t pj;
	if (print_poll (hub_print_conn, j->cups_job, &pj, &cause) != 0) {
		log_warn ("label job %lld: %s", (long long) j->id, cause);
		free (cause);
		return;
	}
	if (pj.state == PRINT_JOB_COMPLETED) {
		hub_print_set (db, j->id, "printed", NULL, 0, NULL);
		/* A document (customs paper, receipt) printed needs nobody: only its troubles are told. */
		if (strcmp (j->format, "pdf") != 0)
			hub_print_notify (hub, j, "printed", "Label for %s printed on %s. Scan it onto the parcel", j->parcel,
			    j->printer);
	} else if (pj.state == PRINT_JOB_CANCELLED || pj.state == PRINT_JOB_ABORTED) {
		char *why = xasprintf ("CUPS %s the job", print_job_state_name (pj.state));
		hub_print_set (db, j->id, "failed", NULL, 0, why);
		hub_print_notify (hub, j, "failed", "Label for %s not printed (%s): label kept, reprint it", j->parcel,
		    print_job_state_name (pj.state));
		free (why);
	} else if (pj.printer.health != PRINT_OK) {
		if (strcmp (j->status, "offline") != 0) {
			char *why = xasprintf ("printer %s: %s", print_health_name (pj.printer.health), pj.printer.message);
			hub_print_set (db, j->id, "offline", NULL, 0, why);
			free (why);
			const char *fb = print_map_fallback (hub_opts (hub)->conf, j->station, hub_print_role (j));
			hub_print_notify (hub, j, "offline", "Printer %s %s: label kept.%s%s%s", j->printer,
			    print_health_name (pj.printer.health), fb ? " Reprint at " : "", fb ? fb : "",
			    fb ? "?" : " It prints when the printer is back");
		}
	} else if (strcmp (j->status, "offline") == 0) {
		hub_print_set (db, j->id, "submitted", NULL, 0, NULL);
		hub_print_notify (hub, j, "printing", "Printer %s is back: label for %s printing", j->printer, j->parcel);
	}
}

void
hub_print_pump (hub_t *hub)
{
	db_t *db = hub_db (hub);
	struct hub_print_job jobs[HUB_PRINT_BATCH];
	int n = hub_print_select (db, HUB_PRINT_COLS "WHERE j.status = 'queued' ORDER BY j.id LIMIT 32", jobs,
	    HUB_PRINT_BATCH);
	for (int i = 0; i < n; i++)
		hub_print_submit (hub, &jobs[i]);
	int64_t now = util_mono_ms ();
	if (now < hub_print_next_poll)
		return;
	hub_print_next_poll = now + HUB_PRINT_POLL_MS;
	n = hub_print_select (db,
	    HUB_PRINT_COLS "WHERE j.status IN ('submitted', 'offline', 'redirect', 'cancelling') AND j.cups_job > 0"
	                   " ORDER BY j.id LIMIT 32",
	    jobs, HUB_PRINT_BATCH);
	for (int i = 0; i < n; i++)
		hub_print_follow (hub, &jobs[i]);
	/* An offline job that never reached CUPS is offered to CUPS again. */
	db_exec (db, "UPDATE label_jobs SET status = 'queued' WHERE status = 'offline' AND coalesce(cups_job, 0) = 0"
	             " AND updated_at < strftime('%s', 'now') * 1000 - 5000");
}

void
hub_print_recover (hub_t *hub)
{
	db_t *db = hub_db (hub);
	struct hub_print_job jobs[HUB_PRINT_BATCH];
	int n = hub_print_select (db, HUB_PRINT_COLS "WHERE j.status = 'submitting' LIMIT 32", jobs, HUB_PRINT_BATCH);
	char *cause = NULL;
	if (n == 0 || hub_print_connect (hub, &cause) == NULL) {
		free (cause);
		return;
	}
	print_job_t *list = NULL;
	size_t count = 0;
	if (print_jobs (hub_print_conn, NULL, true, &list, &count, &cause) != 0) {
		log_warn ("cannot list CUPS jobs to recover interrupted submissions: %s", cause);
		free (cause);
		return;
	}
	for (int i = 0; i < n; i++) {
		int found = 0;
		for (size_t k = 0; k < count && !found; k++)
			if (strcmp (list[k].title, jobs[i].title) == 0)
				found = list[k].id;
		hub_print_set (db, jobs[i].id, found ? "submitted" : "queued", NULL, found, NULL);
		log_info ("label job %lld: interrupted submission %s", (long long) jobs[i].id,
		    found ? "found in CUPS" : "not in CUPS, sending again");
	}
	free (list);
}

void
hub_print_shutdown (hub_t *hub)
{
	(void) hub;
	print_destroy (&hub_print_conn);
	hub_label_shutdown ();
	hub_ticket_shutdown ();
	hub_receipt_shutdown ();
	hub_customs_shutdown ();
}

/* --- commands ------------------------------------------------------------ */

/* The parcel named by args "parcel", or a reply saying why not (returns 1). */
static int
hub_print_parcel (struct hub_req *req, struct flow_parcel *p)
{
	struct flow_target t;
	int rc = flow_resolve (req, proto_hash_get (req->msg, PROTO_COMMAND_ARGS, "parcel"), &t);
	if (rc != 0)
		return rc;
	if (t.kind != FLOW_PARCEL) {
		hub_reply (req, PROTO_REFUSED, PR_UNKNOWN_BARCODE, "No parcel known by %.40s. Scan the parcel's label",
		    proto_hash_get (req->msg, PROTO_COMMAND_ARGS, "parcel"));
		return 1;
	}
	*p = t.parcel;
	if (strcmp (p->status, "packed") == 0 || strcmp (p->status, "void") == 0) {
		hub_reply (req, PROTO_REFUSED, PR_NOT_LABELLED, "Parcel %s has no label yet", p->code);
		return 1;
	}
	return 0;
}

/* The parcel's latest job: id and status; 0 when none. */
static int64_t
hub_print_latest (struct hub_req *req, int64_t parcel_id, char *status, size_t n)
{
	db_stmt_t *st = db_prepare (req->db, "SELECT id, status FROM label_jobs WHERE parcel_id = ?1 ORDER BY id DESC LIMIT 1");
	db_bind_int (st, 1, parcel_id);
	int64_t id = 0;
	if (db_step (st) == DB_ROW) {
		id = db_col_int (st, 0);
		util_strlcpy (status, db_col_text (st, 1), n);
	}
	db_reset (st);
	return id;
}

/* The parcel named by args "parcel" and its latest job (0 when none): 0, 1 (reply filled) or -1. */
static int
hub_print_parcel_job (struct hub_req *req, struct flow_parcel *p, int64_t *last, char *status, size_t n)
{
	int rc = hub_print_parcel (req, p);
	if (rc == 0)
		*last = hub_print_latest (req, p->id, status, n);
	return rc;
}

static bool
hub_print_unfinished (const char *status)
{
	static const char *const done[] = { "printed", "cancelled" };
	for (size_t i = 0; i < nitems (done); i++)
		if (strcmp (status, done[i]) == 0)
			return false;
	return true;
}

int
hub_print_cmd_reprint (struct hub_req *req)
{
	struct flow_parcel p;
	int64_t last = 0;
	char status[16] = "";
	int rc = hub_print_parcel_job (req, &p, &last, status, sizeof status);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (last && hub_print_unfinished (status) && strcmp (status, "failed") != 0
	    && strcmp (status, "no-printer") != 0 && strcmp (status, "offline") != 0) {
		hub_reply (req, PROTO_REFUSED, PR_CONFLICT, "The label for %s is still being printed (%s). Wait for it, "
		    "or redirect it", p.code, status);
		return 0;
	}
	/* A kept job that never printed is closed by its reprint: it must not print as well. */
	if (last && hub_print_unfinished (status)) {
		db_stmt_t *st = db_prepare (req->db,
		    "UPDATE label_jobs SET status = CASE WHEN coalesce(cups_job, 0) > 0 THEN 'cancelling' ELSE 'cancelled' END,"
		    " error = 'replaced by a reprint', updated_at = ?2 WHERE id = ?1");
		db_bind_int (st, 1, last);
		db_bind_int (st, 2, req->now_ms);
		int r = db_step (st);
		db_reset (st);
		if (r != DB_DONE)
			return -1;
	}
	const char *printer = proto_hash_get (req->msg, PROTO_COMMAND_ARGS, "printer");
	int64_t job = hub_print_label (req, p.id, last, printer);
	if (job < 0 || flow_event (req, "reprint", p.order, p.id, 0, false, "label job %lld%s%s", (long long) job,
	                   printer ? " to " : "", printer ? printer : "") != 0)
		return -1;
	hub_reply (req, PROTO_OK, PR_OK, "Reprinting the label for %s", p.code);
	hub_reply_data (req, "parcel", "%s", p.code);
	hub_reply_data (req, "job", "%lld", (long long) job);
	return 0;
}

int
hub_print_cmd_redirect (struct hub_req *req)
{
	struct flow_parcel p;
	int64_t last = 0;
	char status[16] = "";
	int rc = hub_print_parcel_job (req, &p, &last, status, sizeof status);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	const char *printer = proto_hash_get (req->msg, PROTO_COMMAND_ARGS, "printer");
	if (!last || !hub_print_unfinished (status)) {
		hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT, "Nothing waiting to print for %s. Use reprint for a new copy",
		    p.code);
		return 0;
	}
	db_stmt_t *st = db_prepare (req->db,
	    "UPDATE label_jobs SET printer = ?2, error = NULL, updated_at = ?3,"
	    " status = CASE WHEN coalesce(cups_job, 0) > 0 AND status IN ('submitted', 'offline') THEN 'redirect'"
	    "  ELSE 'queued' END WHERE id = ?1");
	db_bind_int (st, 1, last);
	db_bind_text (st, 2, printer);
	db_bind_int (st, 3, req->now_ms);
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
hub_print_cmd_cancel (struct hub_req *req)
{
	struct flow_parcel p;
	int64_t last = 0;
	char status[16] = "";
	int rc = hub_print_parcel_job (req, &p, &last, status, sizeof status);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (!last || !hub_print_unfinished (status)) {
		hub_reply (req, PROTO_OK, PR_ALREADY_DONE, "No label job of %s is waiting", p.code);
		return 0;
	}
	db_stmt_t *st = db_prepare (req->db,
	    "UPDATE label_jobs SET updated_at = ?2, error = 'cancelled by ' || ?3,"
	    " status = CASE WHEN coalesce(cups_job, 0) > 0 AND status NOT IN ('failed') THEN 'cancelling' ELSE 'cancelled' END"
	    " WHERE id = ?1");
	db_bind_int (st, 1, last);
	db_bind_int (st, 2, req->now_ms);
	db_bind_text (st, 3, req->operator_badge);
	int r = db_step (st);
	db_reset (st);
	if (r != DB_DONE || flow_event (req, "print-cancel", p.order, p.id, 0, false, "label job %lld", (long long) last) != 0)
		return -1;
	hub_reply (req, PROTO_OK, PR_OK, "Label job for %s cancelled", p.code);
	return 0;
}

int
hub_print_cmd_jobs (struct hub_req *req)
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

int64_t
hub_print_document (struct hub_req *req, const struct hub_print_doc *doc)
{
	db_stmt_t *st = db_prepare (req->db,
	    "INSERT INTO label_jobs (order_ref, manifest_id, terminal, station, status, created_at, updated_at, printer,"
	    " error, kind, format, title, data, requested_by)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
	db_bind_text (st, 1, doc->order_ref);
	if (doc->manifest_id > 0)
		db_bind_int (st, 2, doc->manifest_id);
	else
		db_bind_null (st, 2);
	db_bind_text (st, 3, proto_msg_terminal (req->msg));
	db_bind_text (st, 4, doc->station && *doc->station ? doc->station : req->station);
	db_bind_text (st, 5, doc->data ? "queued" : "failed");
	db_bind_int (st, 6, req->now_ms);
	db_bind_text (st, 7, doc->printer && *doc->printer ? doc->printer : NULL);
	db_bind_text (st, 8, doc->cause);
	db_bind_text (st, 9, doc->kind);
	db_bind_text (st, 10, doc->format);
	db_bind_text (st, 11, doc->title);
	if (doc->data)
		db_bind_blob (st, 12, doc->data, doc->size);
	else
		db_bind_null (st, 12);
	db_bind_text (st, 13, req->operator_badge);
	int rc = db_step (st);
	db_reset (st);
	return rc == DB_DONE ? db_last_rowid (req->db) : -1;
}

/* The despatch ticket of an order, at a sales desk's label printer. */
int
hub_print_cmd_ticket (struct hub_req *req)
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
	conf_t *conf = hub_opts (req->hub)->conf;
	char *cause = NULL;
	int dpi = print_map_dpi (conf, station, &cause);
	free (cause);
	cause = NULL;
	uint8_t *data = NULL;
	size_t size = 0;
	if (hub_ticket_render (req->db, o.ref, dpi > 0 ? dpi : 203, &data, &size, &cause) != 0) {
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
