/* hub-spool.c: the print spooler: jobs to CUPS after their commit, followed to their end (see hub-spool.h). */
#include "config.h"
#include "hub-spool.h"
#include "hub/store/hub-state.h"
#include "hub/work/work-print.h"
#include "log.h"
#include "printers/print.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HUB_SPOOL_BATCH 32

struct hub_spool {
	db_t *db;            /* the loop's connection, never inside a batch when the spooler runs */
	conf_t *conf;        /* printer.server and the station printers (printers/print.h) */
	hub_after_t *after;  /* the loop's: EVENTs about jobs go out after each run */
	work_print_t *cups;  /* what is asked of CUPS (hub/work/work-print.h) */
};

hub_spool_t *
hub_spool_new (db_t *db, conf_t *conf, hub_after_t *after)
{
	hub_spool_t *self = xcalloc (1, sizeof *self);
	self->db = db;
	self->conf = conf;
	self->after = after;
	self->cups = work_print_new (conf_get (conf, "printer.server", NULL));
	return self;
}

void
hub_spool_destroy (hub_spool_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	hub_spool_t *self = *self_p;
	work_print_destroy (&self->cups);
	free (self);
	*self_p = NULL;
}

struct hub_spool_job {
	int64_t id;
	char terminal[PROTO_MAX_TERMINAL + 1];
	char station[65];
	char printer[PRINT_NAME_MAX];
	char title[PRINT_TEXT_MAX];
	enum hub_job_state state;
	char parcel[48];
	int cups_job;
	char format[8];     /* "zpl" (label printer) or "pdf" (document printer) */
};

/* Which printer of the station a job belongs on: documents (PDF) or labels (ZPL). */
static enum print_role
hub_spool_role (const struct hub_spool_job *j)
{
	return strcmp (j->format, "pdf") == 0 ? PRINT_ROLE_DOCUMENT : PRINT_ROLE_LABEL;
}

static void
hub_spool_notify (hub_spool_t *self, const struct hub_spool_job *j, const char *state, const char *fmt, ...)
	__attribute__ ((format (printf, 4, 5)));

static void
hub_spool_notify (hub_spool_t *self, const struct hub_spool_job *j, const char *state, const char *fmt, ...)
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
	/* Which document: a label (zpl) or a paper (pdf), by its title. */
	proto_hash_set (ev, PROTO_EVENT_DATA, "format", j->format);
	proto_hash_set (ev, PROTO_EVENT_DATA, "title", j->title);
	const char *fb = print_map_fallback (self->conf, j->station, hub_spool_role (j));
	if (fb)
		proto_hash_set (ev, PROTO_EVENT_DATA, "fallback", fb);
	log_info ("terminal %s: label job %lld (%s) %s: %s", j->terminal, (long long) j->id, j->parcel, state, text);
	hub_after_event (self->after, j->terminal, &ev);
	free (text);
}

static void
hub_spool_set (db_t *db, int64_t id, enum hub_job_state state, const char *printer, int cups_job, const char *error)
{
	db_stmt_t *st = db_prepare (db,
	    "UPDATE label_jobs SET status = ?2, printer = coalesce(?3, printer),"
	    " cups_job = CASE WHEN ?4 > 0 THEN ?4 ELSE cups_job END, error = ?5, updated_at = ?6,"
	    " printed_at = CASE WHEN ?2 = 'printed' THEN ?6 ELSE printed_at END WHERE id = ?1");
	db_bind_int (st, 1, id);
	db_bind_text (st, 2, hub_state_job_name (state));
	db_bind_text (st, 3, printer);
	db_bind_int (st, 4, cups_job);
	db_bind_text (st, 5, error);
	db_bind_int (st, 6, util_wall_ms ());
	if (db_step (st) != DB_DONE)
		log_error ("label job %lld: cannot record '%s': %s", (long long) id, hub_state_job_name (state), db_errmsg (db));
	db_reset (st);
}

/* Ask CUPS (through the print worker's messages) and wait for the answer. */
static void
hub_spool_ask (hub_spool_t *self, const struct work_print_msg *m, struct work_print_reply *r)
{
	work_print_do (self->cups, m, r);
}

/* Jobs in one of the given states (a SQL list), oldest first. */
static int
hub_spool_select (db_t *db, const char *sql, struct hub_spool_job *jobs, int max)
{
	db_stmt_t *st = db_prepare (db, sql);
	int n = 0;
	while (n < max && db_step (st) == DB_ROW) {
		struct hub_spool_job *j = &jobs[n++];
		j->id = db_col_int (st, 0);
		util_strlcpy (j->terminal, db_col_text (st, 1), sizeof j->terminal);
		util_strlcpy (j->station, db_col_text (st, 2), sizeof j->station);
		util_strlcpy (j->printer, db_col_text (st, 3), sizeof j->printer);
		util_strlcpy (j->title, db_col_text (st, 4), sizeof j->title);
		j->state = hub_state_job_parse (db_col_text (st, 5));
		util_strlcpy (j->parcel, db_col_text (st, 6), sizeof j->parcel);
		j->cups_job = (int) db_col_int (st, 7);
		util_strlcpy (j->format, db_col_text (st, 8), sizeof j->format);
	}
	db_reset (st);
	return n;
}

/* A job's "parcel" is its parcel code, the order reference for an order's ticket, or "manifest N" for a
 * manifest's document. */
#define HUB_SPOOL_COLS \
	"SELECT j.id, coalesce(j.terminal, ''), coalesce(j.station, ''), coalesce(j.printer, ''), j.title, j.status," \
	" coalesce(p.code, j.order_ref, 'manifest ' || j.manifest_id), coalesce(j.cups_job, 0), j.format" \
	" FROM label_jobs j LEFT JOIN parcels p ON p.id = j.parcel_id "

static void
hub_spool_submit_one (hub_spool_t *self, struct hub_spool_job *j)
{
	db_t *db = self->db;
	conf_t *conf = self->conf;
	char *cause = NULL;
	/* PDF documents (the collection receipt) go to the station's document printer. */
	bool pdf = strcmp (j->format, "pdf") == 0;
	if (*j->printer == '\0') {
		const char *q = print_map_queue (conf, j->station, hub_spool_role (j), &cause);
		if (q == NULL) {
			hub_spool_set (db, j->id, JOB_NO_PRINTER, NULL, 0, cause);
			hub_spool_notify (self, j, "no-printer", "No label printer for station %s: label kept. "
			    "Reprint at another printer", j->station);
			free (cause);
			return;
		}
		util_strlcpy (j->printer, q, sizeof j->printer);
	}
	/* Marked before the submit: after a crash here the job is looked for by title, not sent twice. */
	hub_spool_set (db, j->id, JOB_SUBMITTING, j->printer, 0, NULL);
	db_stmt_t *st = db_prepare (db, "SELECT data FROM label_jobs WHERE id = ?1");
	db_bind_int (st, 1, j->id);
	int job = -1;
	if (db_step (st) == DB_ROW) {
		struct work_print_msg m = { .op = WORK_PRINT_SUBMIT, .job = j->id, .printer = j->printer,
			.format = pdf ? PRINT_FORMAT_PDF : PRINT_FORMAT_ZPL, .title = j->title };
		m.data = db_col_blob (st, 0, &m.size);
		struct work_print_reply r;
		hub_spool_ask (self, &m, &r);
		job = r.rc == 0 ? r.cups_job : -1;
		cause = r.cause;
		r.cause = NULL;
		work_print_reply_free (&r);
	}
	db_reset (st);
	if (job > 0) {
		hub_spool_set (db, j->id, JOB_SUBMITTED, NULL, job, NULL);
		return;
	}
	hub_spool_set (db, j->id, JOB_OFFLINE, NULL, 0, cause ? cause : "label data missing");
	const char *fb = print_map_fallback (conf, j->station, hub_spool_role (j));
	hub_spool_notify (self, j, "offline", "Printer %s not taking jobs: label kept.%s%s%s", j->printer,
	    fb ? " Reprint at " : "", fb ? fb : "", fb ? "?" : " Ask a supervisor");
	free (cause);
}

/* Jobs with a CUPS id: follow them; move or cancel when asked. */
static void
hub_spool_follow_one (hub_spool_t *self, struct hub_spool_job *j)
{
	db_t *db = self->db;
	struct work_print_reply r;
	if (j->state == JOB_CANCELLING) {
		hub_spool_ask (self, &(struct work_print_msg) { .op = WORK_PRINT_CANCEL, .job = j->id, .cups_job = j->cups_job }, &r);
		if (r.rc == -2) { /* CUPS out of reach: asked again at the next turn */
			work_print_reply_free (&r);
			return;
		}
		if (r.rc != 0)
			log_info ("label job %lld: CUPS cancel: %s", (long long) j->id, r.cause);
		work_print_reply_free (&r);
		hub_spool_set (db, j->id, JOB_CANCELLED, NULL, 0, NULL);
		hub_spool_notify (self, j, "cancelled", "Label job for %s cancelled", j->parcel);
		return;
	}
	if (j->state == JOB_REDIRECT) {
		hub_spool_ask (self, &(struct work_print_msg) { .op = WORK_PRINT_MOVE, .job = j->id, .cups_job = j->cups_job,
		    .printer = j->printer }, &r);
		int rc = r.rc;
		work_print_reply_free (&r);
		if (rc == -2)
			return;
		if (rc == 0) {
			hub_spool_set (db, j->id, JOB_SUBMITTED, NULL, 0, NULL);
			hub_spool_notify (self, j, "redirected", "Label for %s sent to %s", j->parcel, j->printer);
		} else {
			/* Already finished or gone from CUPS: cancel what is left and send it anew. */
			hub_spool_ask (self, &(struct work_print_msg) { .op = WORK_PRINT_CANCEL, .job = j->id,
			    .cups_job = j->cups_job }, &r);
			work_print_reply_free (&r);
			hub_spool_set (db, j->id, JOB_QUEUED, NULL, 0, NULL);
			j->cups_job = 0;
			hub_spool_submit_one (self, j);
		}
		return;
	}
	hub_spool_ask (self, &(struct work_print_msg) { .op = WORK_PRINT_POLL, .job = j->id, .cups_job = j->cups_job }, &r);
	if (r.rc != 0) {
		if (r.rc == -1)
			log_warn ("label job %lld: %s", (long long) j->id, r.cause);
		work_print_reply_free (&r);
		return;
	}
	print_job_t pj = r.state;
	work_print_reply_free (&r);
	if (pj.state == PRINT_JOB_COMPLETED) {
		hub_spool_set (db, j->id, JOB_PRINTED, NULL, 0, NULL);
		/* A document (customs paper, receipt) is told too: the bench knows which paper went where. */
		if (strcmp (j->format, "pdf") == 0)
			hub_spool_notify (self, j, "printed", "%s printed on %s", j->title, j->printer);
		else
			hub_spool_notify (self, j, "printed", "Label for %s printed on %s. Scan it onto the parcel", j->parcel,
			    j->printer);
	} else if (pj.state == PRINT_JOB_CANCELLED || pj.state == PRINT_JOB_ABORTED) {
		char *why = xasprintf ("CUPS %s the job", print_job_state_name (pj.state));
		hub_spool_set (db, j->id, JOB_FAILED, NULL, 0, why);
		hub_spool_notify (self, j, "failed", "Label for %s not printed (%s): label kept, reprint it", j->parcel,
		    print_job_state_name (pj.state));
		free (why);
	} else if (pj.printer.health != PRINT_OK) {
		if (j->state != JOB_OFFLINE) {
			char *why = xasprintf ("printer %s: %s", print_health_name (pj.printer.health), pj.printer.message);
			hub_spool_set (db, j->id, JOB_OFFLINE, NULL, 0, why);
			free (why);
			const char *fb = print_map_fallback (self->conf, j->station, hub_spool_role (j));
			hub_spool_notify (self, j, "offline", "Printer %s %s: label kept.%s%s%s", j->printer,
			    print_health_name (pj.printer.health), fb ? " Reprint at " : "", fb ? fb : "",
			    fb ? "?" : " It prints when the printer is back");
		}
	} else if (j->state == JOB_OFFLINE) {
		hub_spool_set (db, j->id, JOB_SUBMITTED, NULL, 0, NULL);
		hub_spool_notify (self, j, "printing", "Printer %s is back: label for %s printing", j->printer, j->parcel);
	}
}

void
hub_spool_submit (hub_spool_t *self)
{
	struct hub_spool_job jobs[HUB_SPOOL_BATCH];
	int n = hub_spool_select (self->db, HUB_SPOOL_COLS "WHERE j.status = 'queued' ORDER BY j.id LIMIT 32", jobs,
	    HUB_SPOOL_BATCH);
	for (int i = 0; i < n; i++)
		hub_spool_submit_one (self, &jobs[i]);
}

void
hub_spool_follow (hub_spool_t *self)
{
	struct hub_spool_job jobs[HUB_SPOOL_BATCH];
	int n = hub_spool_select (self->db,
	    HUB_SPOOL_COLS "WHERE j.status IN ('submitted', 'offline', 'redirect', 'cancelling') AND j.cups_job > 0"
	                   " ORDER BY j.id LIMIT 32",
	    jobs, HUB_SPOOL_BATCH);
	for (int i = 0; i < n; i++)
		hub_spool_follow_one (self, &jobs[i]);
	/* An offline job that never reached CUPS is offered to CUPS again. */
	db_exec (self->db, "UPDATE label_jobs SET status = 'queued' WHERE status = 'offline' AND coalesce(cups_job, 0) = 0"
	             " AND updated_at < strftime('%s', 'now') * 1000 - 5000");
}

void
hub_spool_recover (hub_spool_t *self)
{
	db_t *db = self->db;
	struct hub_spool_job jobs[HUB_SPOOL_BATCH];
	int n = hub_spool_select (db, HUB_SPOOL_COLS "WHERE j.status = 'submitting' LIMIT 32", jobs, HUB_SPOOL_BATCH);
	if (n == 0)
		return;
	struct work_print_reply r;
	hub_spool_ask (self, &(struct work_print_msg) { .op = WORK_PRINT_LIST }, &r);
	if (r.rc != 0) {
		if (r.rc == -1)
			log_warn ("cannot list CUPS jobs to recover interrupted submissions: %s", r.cause);
		work_print_reply_free (&r);
		return;
	}
	print_job_t *list = r.list;
	size_t count = r.count;
	for (int i = 0; i < n; i++) {
		int found = 0;
		for (size_t k = 0; k < count && !found; k++)
			if (strcmp (list[k].title, jobs[i].title) == 0)
				found = list[k].id;
		hub_spool_set (db, jobs[i].id, found ? JOB_SUBMITTED : JOB_QUEUED, NULL, found, NULL);
		log_info ("label job %lld: interrupted submission %s", (long long) jobs[i].id,
		    found ? "found in CUPS" : "not in CUPS, sending again");
	}
	work_print_reply_free (&r);
}
