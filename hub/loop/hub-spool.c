/* hub-spool.c: the print spooler: jobs to CUPS through the print worker after their commit (see hub-spool.h). */
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
#include <sys/random.h>
#include <unistd.h>

#define HUB_SPOOL_INFLIGHT 16       /* asks at the worker at once: a stopped cupsd queues no more */
#define HUB_SPOOL_SELECT 64
#define HUB_SPOOL_FIND_MARGIN_S 60  /* the print server's clock may be behind the hub's */
#define HUB_SPOOL_QUIET_MIN_MS 500  /* after CUPS failed: nothing new asked for this long, doubling */
#define HUB_SPOOL_QUIET_MAX_MS 8000

/* An ask at the worker: which job, and the state it was in when asked. */
struct hub_spool_flight {
	int64_t id;
	enum work_print_op op;
	enum hub_job_state sent;
};

/* An answer of the worker with the ask it answers. */
struct hub_spool_answer {
	struct work_print_job *w;
	struct hub_spool_flight f;
};

struct hub_spool {
	db_t *db;            /* the loop's connection: its own transactions, or a batch's (mark, answer) */
	conf_t *conf;        /* printer.server and the station printers (printers/print.h) */
	hub_after_t *after;  /* the loop's: EVENTs about jobs go out after each run */
	work_t *print;       /* the print worker (hub/work/work-print.h) */
	char run[16];        /* this start's identity in job names */
	struct hub_spool_flight flight[HUB_SPOOL_INFLIGHT];
	int nflight;
	struct hub_spool_job *marked; /* marked "submitting" in the open transaction: sent once it commits */
	int nmarked;
	struct hub_spool_job *unmapped; /* found with no printer in it: said once it commits */
	int nunmapped;
	bool recorded;                /* the open transaction records a job CUPS took */
	/* The worker's answers recorded in the open transaction, and those whose
	 * transaction did not commit: recorded again in the next one, never lost
	 * (a lost "CUPS took it" of a job redirected meanwhile would print twice). */
	struct hub_spool_answer *applied, *retry;
	int napplied, nretry, applied_max, retry_max;
	int64_t quiet_until; /* monotonic ms: CUPS failed, ask nothing new before this */
	int quiet_ms;
};

hub_spool_t *
hub_spool_new (db_t *db, conf_t *conf, hub_after_t *after, char **cause)
{
	hub_spool_t *self = xcalloc (1, sizeof *self);
	self->db = db;
	self->conf = conf;
	self->after = after;
	self->print = work_print_new (conf_get (conf, "printer.server", NULL), cause);
	if (self->print == NULL) {
		free (self);
		return NULL;
	}
	/* A new identity at each start: a job id used again after a backup is restored is still a new job. */
	uint8_t r[6];
	if (getrandom (r, sizeof r, 0) != (ssize_t) sizeof r) {
		/* No entropy to be had: the clock and the process are unique enough between two starts. */
		uint64_t t = (uint64_t) util_wall_ms () ^ ((uint64_t) getpid () << 40);
		memcpy (r, &t, sizeof r);
	}
	for (size_t i = 0; i < sizeof r; i++)
		snprintf (self->run + 2 * i, 3, "%02x", r[i]);
	log_info ("print jobs of this run are named dsp:%s:JOB in CUPS", self->run);
	return self;
}

void
hub_spool_destroy (hub_spool_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	hub_spool_t *self = *self_p;
	work_destroy (&self->print);
	for (int i = 0; i < self->napplied; i++)
		work_print_job_free (&self->applied[i].w);
	for (int i = 0; i < self->nretry; i++)
		work_print_job_free (&self->retry[i].w);
	free (self->applied);
	free (self->retry);
	free (self->marked);
	free (self->unmapped);
	free (self);
	*self_p = NULL;
}

int
hub_spool_fd (hub_spool_t *self)
{
	return work_fd (self->print);
}


struct hub_spool_job {
	int64_t id;
	char terminal[PROTO_MAX_TERMINAL + 1];  /* the one that queued it */
	char asker[PROTO_MAX_TERMINAL + 1];     /* the one that asked for its last redirect or cancel, else "" */
	char asked_by[PROTO_MAX_TERMINAL + 1];  /* and the operator's badge */
	char station[65];
	char printer[PRINT_NAME_MAX];
	char title[PRINT_TEXT_MAX];      /* what it is, for people */
	char ident[PRINT_IDENT_MAX];     /* dsp:RUN:JOB once marked submitting, else "" */
	enum hub_job_state state;
	char parcel[48];
	int cups_job;
	char format[8];     /* "zpl" (label printer) or "pdf" (document printer) */
	char kind[16];      /* label, ticket, receipt, customs...: what the terminal calls it */
	bool had_error;     /* an error is on record since it last went well */
	bool of_parcel;     /* a parcel's (its label, a customs paper), not an order's (a ticket) or a close-out's */
	int64_t updated_at;
};

/* Which printer of the station a job belongs on: documents (PDF) or labels (ZPL). */
static enum print_role
hub_spool_role (const struct hub_spool_job *j)
{
	return strcmp (j->format, "pdf") == 0 ? PRINT_ROLE_DOCUMENT : PRINT_ROLE_LABEL;
}

/* A parcel's label, not a paper: a customs paper or receipt (PDF) or a despatch ticket (an order's, no parcel). */
static bool
hub_spool_is_label (const struct hub_spool_job *j)
{
	return strcmp (j->format, "pdf") != 0 && j->of_parcel;
}

/* What is kept when its printer is out: "label", or a paper's title. */
static const char *
hub_spool_kept (const struct hub_spool_job *j)
{
	return hub_spool_is_label (j) ? "label" : j->title;
}

/* What the job is, for a sentence: "Label for K0007/1" (label, the words for a label), or a paper's title. */
static const char *
hub_spool_what (const struct hub_spool_job *j, const char *label, char *out, size_t n)
{
	if (!hub_spool_is_label (j)) {
		util_strlcpy (out, j->title, n);
		/* A title begins a sentence as the words for a label would ("despatch ticket ..." after "Label for"). */
		if (*label >= 'A' && *label <= 'Z' && *out >= 'a' && *out <= 'z')
			*out = (char) (*out - 'a' + 'A');
	}
	else
		snprintf (out, n, "%s %s", label, j->parcel);
	return out;
}

static void
hub_spool_notify (hub_spool_t *self, const struct hub_spool_job *j, const char *state, const char *fmt, ...)
	__attribute__ ((format (printf, 4, 5)));

/*
 * What an EVENT says besides the job's own keys: set when a redirect or
 * cancel came after CUPS had printed the job ("too_late" = "redirect" or
 * "cancel", and for a redirect the printer it asked for), so a terminal
 * tells that label from one that printed as it should.
 */
struct hub_spool_late {
	const char *too_late;
	const char *asked_printer;
};

/* The EVENT "print" about job j (caller owns it); late may be NULL. */
static proto_msg_t *
hub_spool_event (hub_spool_t *self, const struct hub_spool_job *j, const char *state, const char *text,
    const struct hub_spool_late *late)
{
	proto_msg_t *ev = proto_msg_new (PROTO_EVENT);
	proto_set_str (ev, PROTO_EVENT_TOPIC, "print");
	proto_hash_setf (ev, PROTO_EVENT_DATA, "job", "%lld", (long long) j->id);
	proto_hash_set (ev, PROTO_EVENT_DATA, "parcel", j->parcel);
	proto_hash_set (ev, PROTO_EVENT_DATA, "state", state);
	proto_hash_set (ev, PROTO_EVENT_DATA, "printer", j->printer);
	proto_hash_set (ev, PROTO_EVENT_DATA, "text", text);
	/* Which document: a label (zpl) or a paper (pdf), by its title. */
	proto_hash_set (ev, PROTO_EVENT_DATA, "format", j->format);
	/* A despatch ticket is ZPL too: without its kind a terminal would call it a label and offer a label's keys. */
	proto_hash_set (ev, PROTO_EVENT_DATA, "kind", j->kind);
	proto_hash_set (ev, PROTO_EVENT_DATA, "title", j->title);
	const char *fb = print_map_fallback (self->conf, j->station, hub_spool_role (j));
	if (fb)
		proto_hash_set (ev, PROTO_EVENT_DATA, "fallback", fb);
	if (*j->asked_by)
		proto_hash_set (ev, PROTO_EVENT_DATA, "asked_by", j->asked_by);
	if (late && late->too_late)
		proto_hash_set (ev, PROTO_EVENT_DATA, "too_late", late->too_late);
	if (late && late->asked_printer && *late->asked_printer)
		proto_hash_set (ev, PROTO_EVENT_DATA, "asked_printer", late->asked_printer);
	return ev;
}

/*
 * Tell the job's terminal, after the commit, and the terminal that asked
 * for its last redirect or cancel when that is another: what becomes of the
 * job from then on is the answer to what it asked, which its reply could
 * only say was asked for. Each hears it once.
 */
static void
hub_spool_tell (hub_spool_t *self, const struct hub_spool_job *j, const char *state, const struct hub_spool_late *late,
    const char *text)
{
	bool asker = *j->asker && strcmp (j->asker, j->terminal) != 0;
	log_info ("terminal %s%s%s: label job %lld (%s) %s: %s", j->terminal, asker ? " and " : "", asker ? j->asker : "",
	    (long long) j->id, j->parcel, state, text);
	proto_msg_t *ev = hub_spool_event (self, j, state, text, late);
	hub_after_event (self->after, j->terminal, &ev);
	if (asker) {
		ev = hub_spool_event (self, j, state, text, late);
		hub_after_event (self->after, j->asker, &ev);
	}
}

static void
hub_spool_notify (hub_spool_t *self, const struct hub_spool_job *j, const char *state, const char *fmt, ...)
{
	va_list ap;
	va_start (ap, fmt);
	char *text = xvasprintf (fmt, ap);
	va_end (ap);
	hub_spool_tell (self, j, state, NULL, text);
	free (text);
}

/*
 * The job's new state, printer (NULL: kept), CUPS job (0: kept) and error
 * (NULL clears it); only while the job is still in state guard (JOB_UNKNOWN:
 * whatever its state), as a print command may have changed it meanwhile.
 * Whether it changed.
 */
static bool
hub_spool_set (db_t *db, int64_t id, enum hub_job_state state, const char *printer, int cups_job, const char *error,
    enum hub_job_state guard)
{
	db_stmt_t *st = db_prepare (db,
	    "UPDATE label_jobs SET status = ?2, printer = coalesce(?3, printer),"
	    " cups_job = CASE WHEN ?4 > 0 THEN ?4 WHEN ?4 < 0 THEN NULL ELSE cups_job END, error = ?5, updated_at = ?6,"
	    " printed_at = CASE WHEN ?2 = 'printed' THEN ?6 ELSE printed_at END"
	    " WHERE id = ?1 AND (?7 IS NULL OR status = ?7)");
	db_bind_int (st, 1, id);
	db_bind_text (st, 2, hub_state_job_name (state));
	db_bind_text (st, 3, printer);
	db_bind_int (st, 4, cups_job);
	db_bind_text (st, 5, error);
	db_bind_int (st, 6, util_wall_ms ());
	db_bind_text (st, 7, guard == JOB_UNKNOWN ? NULL : hub_state_job_name (guard));
	int rc = db_step (st);
	db_reset (st);
	if (rc != DB_DONE)
		log_error ("label job %lld: cannot record '%s': %s", (long long) id, hub_state_job_name (state), db_errmsg (db));
	return rc == DB_DONE && db_changes (db) > 0;
}

/* A job's "parcel" is its parcel code, the order reference for an order's ticket, or "manifest N" for a
 * manifest's document. */
#define HUB_SPOOL_COLS \
	"SELECT j.id, coalesce(j.terminal, ''), coalesce(j.station, ''), coalesce(j.printer, ''), j.title, j.status," \
	" coalesce(p.code, j.order_ref, 'manifest ' || j.manifest_id), coalesce(j.cups_job, 0), j.format," \
	" j.error IS NOT NULL, coalesce(j.updated_at, j.created_at), coalesce(j.ident, '')," \
	" coalesce(j.asked_terminal, ''), coalesce(j.asked_by, ''), j.parcel_id IS NOT NULL, j.kind" \
	" FROM label_jobs j LEFT JOIN parcels p ON p.id = j.parcel_id "

static void
hub_spool_row (db_stmt_t *st, struct hub_spool_job *j)
{
	j->id = db_col_int (st, 0);
	util_strlcpy (j->terminal, db_col_text (st, 1), sizeof j->terminal);
	util_strlcpy (j->station, db_col_text (st, 2), sizeof j->station);
	util_strlcpy (j->printer, db_col_text (st, 3), sizeof j->printer);
	util_strlcpy (j->title, db_col_text (st, 4), sizeof j->title);
	j->state = hub_state_job_parse (db_col_text (st, 5));
	util_strlcpy (j->parcel, db_col_text (st, 6), sizeof j->parcel);
	j->cups_job = (int) db_col_int (st, 7);
	util_strlcpy (j->format, db_col_text (st, 8), sizeof j->format);
	j->had_error = db_col_int (st, 9) != 0;
	j->updated_at = db_col_int (st, 10);
	util_strlcpy (j->ident, db_col_text (st, 11), sizeof j->ident);
	util_strlcpy (j->asker, db_col_text (st, 12), sizeof j->asker);
	util_strlcpy (j->asked_by, db_col_text (st, 13), sizeof j->asked_by);
	j->of_parcel = db_col_int (st, 14) != 0;
	util_strlcpy (j->kind, db_col_text (st, 15), sizeof j->kind);
}

/* At the worker, or marked to go to it once the mark's commit is on the disk (hub_spool_committed): either way
 * it is being sent, and nothing else may send it or look for it. */
static bool
hub_spool_flying (const hub_spool_t *self, int64_t id)
{
	for (int i = 0; i < self->nflight; i++)
		if (self->flight[i].id == id)
			return true;
	for (int i = 0; i < self->nmarked; i++)
		if (self->marked[i].id == id)
			return true;
	return false;
}

/* How many more asks may go to the worker: the marked jobs and those without a printer have their places kept
 * (the marked go once their commit is on the disk, whatever was sent meanwhile). */
static int
hub_spool_room (const hub_spool_t *self)
{
	return HUB_SPOOL_INFLIGHT - self->nflight - self->nmarked - self->nunmapped;
}

/* Jobs selected by sql that have no ask at the worker, at most max. */
static int
hub_spool_select (hub_spool_t *self, const char *sql, struct hub_spool_job *jobs, int max)
{
	db_stmt_t *st = db_prepare (self->db, sql);
	int n = 0;
	while (st && n < max && db_step (st) == DB_ROW) {
		if (hub_spool_flying (self, db_col_int (st, 0)))
			continue;
		hub_spool_row (st, &jobs[n++]);
	}
	if (st)
		db_reset (st);
	return n;
}

static bool
hub_spool_get (hub_spool_t *self, int64_t id, struct hub_spool_job *j)
{
	db_stmt_t *st = db_prepare (self->db, HUB_SPOOL_COLS "WHERE j.id = ?1");
	db_bind_int (st, 1, id);
	bool found = db_step (st) == DB_ROW;
	if (found)
		hub_spool_row (st, j);
	db_reset (st);
	return found;
}

/* Whether CUPS failed lately: then nothing new is asked of it for a while. */
static bool
hub_spool_quiet (const hub_spool_t *self)
{
	return util_mono_ms () < self->quiet_until;
}

static void
hub_spool_cups_failed (hub_spool_t *self)
{
	self->quiet_ms = self->quiet_ms ? self->quiet_ms * 2 : HUB_SPOOL_QUIET_MIN_MS;
	if (self->quiet_ms > HUB_SPOOL_QUIET_MAX_MS)
		self->quiet_ms = HUB_SPOOL_QUIET_MAX_MS;
	self->quiet_until = util_mono_ms () + self->quiet_ms;
}

/* Hand an ask to the worker (takes it) and remember it. */
static void
hub_spool_send (hub_spool_t *self, struct work_print_job *w, enum hub_job_state sent)
{
	/* Every sender keeps to hub_spool_room: a flight past the array would overwrite the spooler. */
	if (self->nflight >= HUB_SPOOL_INFLIGHT) {
		log_error ("label job %lld: not asked of the print worker now (%d asks at it already); asked again later",
		    (long long) w->job, self->nflight);
		work_print_job_free (&w);
		return;
	}
	self->flight[self->nflight++] = (struct hub_spool_flight) { w->job, w->op, sent };
	work_send (self->print, &w->base);
}

static struct work_print_job *
hub_spool_ask (enum work_print_op op, const struct hub_spool_job *j)
{
	struct work_print_job *w = work_print_job_new (op, j->id, NULL, 0);
	w->cups_job = j->cups_job;
	util_strlcpy (w->printer, j->printer, sizeof w->printer);
	util_strlcpy (w->title, j->title, sizeof w->title);
	return w;
}

/* --- submit ---------------------------------------------------------------- */

/* The job's identity in CUPS for this run: dsp:RUN:JOB. */
static void
hub_spool_ident (const hub_spool_t *self, struct hub_spool_job *j)
{
	if (print_job_ident (j->ident, self->run, j->id, NULL) != 0)
		snprintf (j->ident, sizeof j->ident, "dsp:%s:%lld", self->run, (long long) j->id);
}

/* The CUPS job-name: the identity first (a name is cut at 255 octets), then what it is. */
static void
hub_spool_cups_name (const struct hub_spool_job *j, char *out, size_t n)
{
	size_t used = util_strlcpy (out, j->ident, n);
	if (used + 1 < n) {
		out[used++] = ' ';
		util_strlcpy (out + used, j->title, n - used);
	}
}

/* The job's document, copied into a submit ask; NULL when it has none. */
static struct work_print_job *
hub_spool_document (hub_spool_t *self, const struct hub_spool_job *j)
{
	db_stmt_t *st = db_prepare (self->db, "SELECT data FROM label_docs WHERE job = ?1");
	db_bind_int (st, 1, j->id);
	struct work_print_job *w = NULL;
	if (db_step (st) == DB_ROW) {
		size_t size;
		const void *data = db_col_blob (st, 0, &size);
		w = work_print_job_new (WORK_PRINT_SUBMIT, j->id, data, size);
		w->format = strcmp (j->format, "pdf") == 0 ? PRINT_FORMAT_PDF : PRINT_FORMAT_ZPL;
		util_strlcpy (w->printer, j->printer, sizeof w->printer);
		hub_spool_cups_name (j, w->title, sizeof w->title);
	}
	db_reset (st);
	return w;
}

static void hub_spool_answers_settle (hub_spool_t *self, bool committed);

int
hub_spool_mark (hub_spool_t *self)
{
	int room = hub_spool_room (self);
	if (room <= 0 || hub_spool_quiet (self))
		return 0;
	struct hub_spool_job jobs[HUB_SPOOL_INFLIGHT];
	int n = hub_spool_select (self, HUB_SPOOL_COLS "WHERE j.status = 'queued' ORDER BY j.id LIMIT 64", jobs, room);
	if (n > 0 && self->marked == NULL) {
		self->marked = xcalloc (HUB_SPOOL_INFLIGHT, sizeof *self->marked);
		self->unmapped = xcalloc (HUB_SPOOL_INFLIGHT, sizeof *self->unmapped);
	}
	db_t *db = self->db;
	int go = 0;
	for (int i = 0; i < n; i++) {
		struct hub_spool_job *j = &jobs[i];
		if (*j->printer == '\0') {
			char *cause = NULL;
			const char *q = print_map_queue (self->conf, j->station, hub_spool_role (j), &cause);
			if (q == NULL) {
				/* Said once committed (hub_spool_committed), after the reply of the request that queued it. */
				if (hub_spool_set (db, j->id, JOB_NO_PRINTER, NULL, 0, cause, JOB_QUEUED))
					self->unmapped[self->nunmapped++] = *j;
				free (cause);
				continue;
			}
			util_strlcpy (j->printer, q, sizeof j->printer);
		}
		hub_spool_ident (self, j);
		/* A CUPS id kept from an earlier, failed send names a job that is not this one: a move or cancel
		 * asked before the answer comes must not touch it. */
		db_stmt_t *st = db_prepare (db, "UPDATE label_jobs SET status = 'submitting', printer = ?2, ident = ?3, cups_job = NULL,"
		    " updated_at = ?4 WHERE id = ?1 AND status = 'queued'");
		db_bind_int (st, 1, j->id);
		db_bind_text (st, 2, j->printer);
		db_bind_text (st, 3, j->ident);
		db_bind_int (st, 4, util_wall_ms ());
		if (db_step (st) == DB_DONE && db_changes (db) > 0) {
			self->marked[self->nmarked++] = *j;
			go++;
		}
		db_reset (st);
	}
	return go;
}

bool
hub_spool_settles_nothing (const hub_spool_t *self)
{
	return self->nmarked == 0 && self->nunmapped == 0 && !self->recorded && self->napplied == 0;
}

static void hub_spool_unsent (hub_spool_t *self, struct hub_spool_job *j, const char *why);

/* Before a marked job is sent: true when it is still as marked. A redirect or cancel since (the job under the
 * same identity) is done here, since CUPS was never sent it; anything else, it is left as it now is. */
static bool
hub_spool_still_marked (hub_spool_t *self, const struct hub_spool_job *j)
{
	db_stmt_t *st = db_prepare (self->db, HUB_SPOOL_COLS "WHERE j.id = ?1");
	if (st == NULL)
		return true; /* cannot tell: as marked */
	db_bind_int (st, 1, j->id);
	struct hub_spool_job now;
	bool found = db_step (st) == DB_ROW;
	if (found)
		hub_spool_row (st, &now);
	db_reset (st);
	if (!found || strcmp (now.ident, j->ident) != 0)
		return false;
	if (now.state == JOB_SUBMITTING)
		return true;
	if (now.state == JOB_REDIRECT || now.state == JOB_CANCELLING)
		hub_spool_unsent (self, &now, "CUPS was never sent it");
	return false;
}

void
hub_spool_committed (hub_spool_t *self, bool committed)
{
	int n = self->nmarked, unmapped = self->nunmapped;
	bool recorded = self->recorded;
	self->nmarked = 0;
	self->nunmapped = 0;
	self->recorded = false;
	hub_spool_answers_settle (self, committed);
	for (int i = 0; committed && i < unmapped; i++) {
		struct hub_spool_job *j = &self->unmapped[i];
		hub_spool_notify (self, j, "no-printer", "No %s printer for station %s: %s kept. Reprint at another printer",
		    hub_spool_role (j) == PRINT_ROLE_LABEL ? "label" : "document", j->station, hub_spool_kept (j));
	}
	/* Not committed: the marks are gone with the transaction (the jobs are still queued), the answers wait to be recorded again. */
	if (!committed)
		return;
	if (recorded)
		work_crash_point ("submit-recorded");
	/* The mark is durable before anything goes: after a crash from here on, the job is looked for, not sent twice. */
	if (n > 0)
		work_crash_point ("submit-marked");
	for (int i = 0; i < n; i++) {
		struct hub_spool_job *j = &self->marked[i];
		/* A redirect or cancel committed since the mark (the loop went on while the mark's commit was
		 * flushed): CUPS never had it, so it goes anew to the printer asked for, or is cancelled here. */
		if (!hub_spool_still_marked (self, j))
			continue;
		struct work_print_job *w = hub_spool_document (self, j);
		if (w == NULL) {
			char what[PRINT_TEXT_MAX + 64];
			hub_spool_set (self->db, j->id, JOB_FAILED, NULL, 0, "nothing was drawn for this job", JOB_SUBMITTING);
			hub_spool_notify (self, j, "failed", "Nothing was drawn for %s: reprint it",
			    hub_spool_what (j, "the label for", what, sizeof what));
			continue;
		}
		hub_spool_send (self, w, JOB_SUBMITTING);
	}
}

void
hub_spool_submit (hub_spool_t *self)
{
	if (hub_spool_room (self) <= 0 || hub_spool_quiet (self))
		return;
	/* Cheap when nothing waits (each turn): a transaction only for jobs to mark. */
	struct hub_spool_job probe[1];
	if (hub_spool_select (self, HUB_SPOOL_COLS "WHERE j.status = 'queued' ORDER BY j.id LIMIT 64", probe, 1) == 0)
		return;
	db_t *db = self->db;
	struct hub_after_mark mark = hub_after_mark (self->after);
	if (db_begin (db) != DB_DONE) {
		log_error ("print jobs not sent now: %s", db_errmsg (db));
		return;
	}
	hub_spool_mark (self);
	bool committed = db_commit (db) == DB_DONE;
	if (!committed) {
		/* Nor is anything said of them (a "no printer" EVENT). */
		log_error ("print jobs not sent now: %s", db_errmsg (db));
		db_rollback (db);
		hub_after_drop (self->after, mark);
	}
	hub_spool_committed (self, committed);
}

static void
hub_spool_on_submit (hub_spool_t *self, struct work_print_job *w, struct hub_spool_job *j)
{
	db_t *db = self->db;
	if (w->rc == WORK_PRINT_DONE) {
		/* The CUPS job is never lost: whatever a print command did meanwhile, it is kept and followed. */
		db_stmt_t *st = db_prepare (db, "UPDATE label_jobs SET cups_job = ?2, error = NULL, updated_at = ?3,"
		    " status = CASE status WHEN 'submitting' THEN 'submitted' WHEN 'cancelled' THEN 'cancelling'"
		    " WHEN 'queued' THEN 'redirect' ELSE status END WHERE id = ?1");
		db_bind_int (st, 1, j->id);
		db_bind_int (st, 2, w->cups_job);
		db_bind_int (st, 3, util_wall_ms ());
		if (db_step (st) != DB_DONE)
			log_error ("label job %lld: CUPS job %d not recorded: %s", (long long) j->id, w->cups_job, db_errmsg (db));
		db_reset (st);
		char what[PRINT_TEXT_MAX + 64];
		if (j->had_error)
			hub_spool_notify (self, j, "printing", "Printer %s took %s", j->printer,
			    hub_spool_what (j, "the label for", what, sizeof what));
		return;
	}
	const char *fb = print_map_fallback (self->conf, j->station, hub_spool_role (j));
	if (w->rc == WORK_PRINT_REFUSED) {
		/* Never sent, and sending it again would not help: kept for a reprint once it is put right. */
		hub_spool_set (db, j->id, JOB_FAILED, NULL, 0, w->cause, JOB_SUBMITTING);
		char what[PRINT_TEXT_MAX + 64];
		hub_spool_notify (self, j, "failed", "%s not sent to %s: %s. Reprint it once that is put right",
		    hub_spool_what (j, "Label for", what, sizeof what), j->printer, w->cause);
		return;
	}
	bool told = j->had_error;
	if (w->rc == WORK_PRINT_UNREACHED) {
		/* Not sent: it goes again when CUPS is back. */
		hub_spool_set (db, j->id, JOB_OFFLINE, NULL, -1, w->cause, JOB_SUBMITTING);
	} else {
		/* CUPS may have taken it: it stays "submitting" and is looked for before it is sent again. */
		db_stmt_t *st = db_prepare (db, "UPDATE label_jobs SET error = ?2, updated_at = ?3,"
		    " status = CASE WHEN status IN ('submitting', 'queued') THEN 'submitting' ELSE status END WHERE id = ?1");
		db_bind_int (st, 1, j->id);
		db_bind_text (st, 2, w->cause ? w->cause : "CUPS did not answer");
		db_bind_int (st, 3, util_wall_ms ());
		db_step (st);
		db_reset (st);
	}
	hub_spool_cups_failed (self);
	if (!told)
		hub_spool_notify (self, j, "offline", "Printer %s not taking jobs: %s kept.%s%s%s", j->printer,
		    hub_spool_kept (j), fb ? " Reprint at " : "", fb ? fb : "",
		    fb ? "?" : " It prints when the printer is back");
}

/* --- find again -------------------------------------------------------------- */

/*
 * A job in REDIRECT or CANCELLING with no job in CUPS to move or cancel
 * (why says how that is known): a redirect goes anew to its printer, a
 * cancel is done here, and whoever waits for it is told so, as when CUPS
 * answers; only if it was still in that state (a command may have come).
 */
static void
hub_spool_unsent (hub_spool_t *self, struct hub_spool_job *j, const char *why)
{
	char what[PRINT_TEXT_MAX + 64];
	bool redirect = j->state == JOB_REDIRECT;
	if (!hub_spool_set (self->db, j->id, redirect ? JOB_QUEUED : JOB_CANCELLED, NULL, -1, NULL, j->state))
		return;
	if (redirect)
		hub_spool_notify (self, j, "redirected", "%s sent anew to %s (%s)", hub_spool_what (j, "Label for", what,
		    sizeof what), *j->printer ? j->printer : "its station's printer", why);
	else
		hub_spool_notify (self, j, "cancelled", "%s cancelled", hub_spool_what (j, "Label job for", what, sizeof what));
}

/* A job redirected or cancelled while it was being sent, looked for by identity: found, it is moved or
 * cancelled in CUPS (the next follow); absent, it goes anew to its printer, or is cancelled here. */
static void
hub_spool_on_find_moved (hub_spool_t *self, struct work_print_job *w, struct hub_spool_job *j)
{
	bool redirect = j->state == JOB_REDIRECT;
	switch (w->found) {
	case WORK_PRINT_FIND_FOUND:
		hub_spool_set (self->db, j->id, j->state, NULL, w->cups_job, NULL, j->state);
		log_info ("label job %lld: found in CUPS as job %d (%s), %s there", (long long) j->id, w->cups_job, j->ident,
		    redirect ? "moved" : "cancelled");
		break;
	case WORK_PRINT_FIND_ABSENT:
		hub_spool_unsent (self, j, "CUPS never had it");
		break;
	case WORK_PRINT_FIND_FORGOTTEN:
	default: {
		char *why = xasprintf ("it may have printed on its first printer: %s",
		    w->cause ? w->cause : "CUPS has forgotten jobs since");
		hub_spool_set (self->db, j->id, redirect ? JOB_FAILED : JOB_CANCELLED, NULL, 0, why, j->state);
		char what[PRINT_TEXT_MAX + 64];
		hub_spool_notify (self, j, redirect ? "failed" : "cancelled", "Cannot tell whether %s printed (%s)."
		    " Check the printers; reprint it if it did not", hub_spool_what (j, "the label for", what, sizeof what), why);
		free (why);
		break;
	}
	}
}

static void
hub_spool_on_find (hub_spool_t *self, struct work_print_job *w, struct hub_spool_job *j)
{
	db_t *db = self->db;
	if (w->rc != WORK_PRINT_DONE) {
		hub_spool_cups_failed (self);
		log_warn ("label job %lld: cannot tell yet whether CUPS has it: %s", (long long) j->id,
		    w->cause ? w->cause : "no answer");
		return;
	}
	if (j->state == JOB_REDIRECT || j->state == JOB_CANCELLING) {
		hub_spool_on_find_moved (self, w, j);
		return;
	}
	switch (w->found) {
	case WORK_PRINT_FIND_FOUND:
		hub_spool_set (db, j->id, JOB_SUBMITTED, NULL, w->cups_job, NULL, JOB_SUBMITTING);
		log_info ("label job %lld: found in CUPS as job %d (%s), followed from here", (long long) j->id,
		    w->cups_job, j->ident);
		break;
	case WORK_PRINT_FIND_ABSENT: {
		/* Interrupted before CUPS had it: sent now; after a refusal, again a little later. */
		db_stmt_t *st = db_prepare (db, "UPDATE label_jobs SET cups_job = NULL, updated_at = ?2,"
		    " status = CASE WHEN error IS NULL THEN 'queued' ELSE 'offline' END WHERE id = ?1 AND status = 'submitting'");
		db_bind_int (st, 1, j->id);
		db_bind_int (st, 2, util_wall_ms ());
		db_step (st);
		db_reset (st);
		log_info ("label job %lld: not in CUPS, sent again", (long long) j->id);
		break;
	}
	case WORK_PRINT_FIND_FORGOTTEN:
	default: {
		char *why = xasprintf ("it may have printed: %s", w->cause ? w->cause : "CUPS has forgotten jobs since");
		hub_spool_set (db, j->id, JOB_FAILED, NULL, 0, why, JOB_SUBMITTING);
		char what[PRINT_TEXT_MAX + 64];
		hub_spool_notify (self, j, "failed", "Cannot tell whether %s printed on %s (%s). Check the "
		    "printer; reprint it if it did not", hub_spool_what (j, "the label for", what, sizeof what), j->printer, why);
		free (why);
		break;
	}
	}
}

/* --- follow ------------------------------------------------------------------ */

/*
 * CUPS printed the job before a move or cancel reached it: the label
 * exists, so the job is printed, at the queue CUPS sent it to (a redirect
 * has already written the new printer), and whoever waits for it is told
 * where it is and how to have the copy they asked for. Nothing is sent again.
 */
static void
hub_spool_printed_first (hub_spool_t *self, struct work_print_job *w, struct hub_spool_job *j)
{
	/* The job's state now (a cancel may have followed the redirect): it printed all the same. */
	if (j->state != JOB_REDIRECT && j->state != JOB_CANCELLING)
		return;
	bool redirect = j->state == JOB_REDIRECT;
	const char *at = *w->state.queue ? w->state.queue : NULL;
	char asked[PRINT_NAME_MAX];
	util_strlcpy (asked, j->printer, sizeof asked);
	if (!hub_spool_set (self->db, j->id, JOB_PRINTED, at, 0, NULL, j->state))
		return;
	if (at)
		util_strlcpy (j->printer, at, sizeof j->printer);
	const char *where = at ? at : redirect ? "its first printer" : j->printer;
	char what[PRINT_TEXT_MAX + 64];
	hub_spool_what (j, "The label for", what, sizeof what);
	char *text;
	if (redirect)
		text = xasprintf ("%s had already printed at %s; reprint it to send a copy to %s", what, where, asked);
	else
		text = xasprintf ("%s had already printed at %s, so it was not cancelled: take it from there, or destroy it "
		    "if it is not wanted", what, where);
	/* Marked, so that it is not shown as a label that printed as asked. */
	struct hub_spool_late late = { redirect ? "redirect" : "cancel", redirect ? asked : NULL };
	hub_spool_tell (self, j, "printed", &late, text);
	free (text);
}

/*
 * A move (sent REDIRECT) or cancel (sent CANCELLING) CUPS refused, by what
 * CUPS holds of the job now (the worker read it back). Completed: printed
 * where it was. Cancelled, aborted or gone: a redirect goes anew, a cancel
 * is done. Still waiting: a redirect is cancelled there first (sent anew
 * once that is done), a cancel is asked again. Not known: asked again.
 */
static void
hub_spool_refused (hub_spool_t *self, struct work_print_job *w, struct hub_spool_job *j, enum hub_job_state sent)
{
	char what[PRINT_TEXT_MAX + 64];
	bool redirect = sent == JOB_REDIRECT;
	bool finished = w->left == WORK_PRINT_LEFT_FINISHED;
	if (finished && w->state.state == PRINT_JOB_COMPLETED) {
		hub_spool_printed_first (self, w, j);
		return;
	}
	if (finished || w->left == WORK_PRINT_LEFT_GONE) {
		const char *why = finished ? print_job_state_name (w->state.state) : "not in CUPS";
		if (redirect && hub_spool_set (self->db, j->id, JOB_QUEUED, NULL, -1, NULL, JOB_REDIRECT)) {
			log_info ("label job %lld: CUPS job %d %s, sent anew to %s", (long long) j->id, j->cups_job, why,
			    j->printer);
			hub_spool_notify (self, j, "redirected", "%s sent anew to %s (%s where it was)",
			    hub_spool_what (j, "Label for", what, sizeof what), j->printer, why);
		}
		if (!redirect && hub_spool_set (self->db, j->id, JOB_CANCELLED, NULL, 0, NULL, JOB_CANCELLING))
			hub_spool_notify (self, j, "cancelled", "%s cancelled",
			    hub_spool_what (j, "Label job for", what, sizeof what));
		return;
	}
	log_warn ("label job %lld: CUPS job %d %s: %s; asked again", (long long) j->id, j->cups_job,
	    w->left == WORK_PRINT_LEFT_LIVE ? "still waits in CUPS" : "in a state CUPS did not say",
	    w->cause ? w->cause : "refused");
	hub_spool_cups_failed (self);
}

static void
hub_spool_on_cancel (hub_spool_t *self, struct work_print_job *w, struct hub_spool_job *j, enum hub_job_state sent)
{
	char what[PRINT_TEXT_MAX + 64];
	if (w->rc == WORK_PRINT_UNREACHED) { /* CUPS out of reach: asked again at the next turn */
		hub_spool_cups_failed (self);
		return;
	}
	if (w->rc == WORK_PRINT_DONE && sent == JOB_REDIRECT) {
		/* The job that could not be moved is cancelled where it was: now it goes anew. */
		if (hub_spool_set (self->db, j->id, JOB_QUEUED, NULL, -1, NULL, JOB_REDIRECT)) {
			log_info ("label job %lld: CUPS job %d cancelled where it was, sent anew to %s", (long long) j->id,
			    j->cups_job, j->printer);
			hub_spool_notify (self, j, "redirected", "%s sent anew to %s (it could not be moved, so it "
			    "was cancelled where it was)", hub_spool_what (j, "Label for", what, sizeof what), j->printer);
		}
		return;
	}
	if (w->rc == WORK_PRINT_DONE) {
		if (hub_spool_set (self->db, j->id, JOB_CANCELLED, NULL, 0, NULL, JOB_CANCELLING))
			hub_spool_notify (self, j, "cancelled", "%s cancelled",
			    hub_spool_what (j, "Label job for", what, sizeof what));
		return;
	}
	log_info ("label job %lld: CUPS cancel: %s", (long long) j->id, w->cause);
	hub_spool_refused (self, w, j, sent);
}

static void
hub_spool_on_move (hub_spool_t *self, struct work_print_job *w, struct hub_spool_job *j)
{
	char what[PRINT_TEXT_MAX + 64];
	if (w->rc == WORK_PRINT_UNREACHED) {
		hub_spool_cups_failed (self);
		return;
	}
	if (w->rc == WORK_PRINT_DONE) {
		if (hub_spool_set (self->db, j->id, JOB_SUBMITTED, NULL, 0, NULL, JOB_REDIRECT))
			hub_spool_notify (self, j, "redirected", "%s sent to %s", hub_spool_what (j, "Label for", what, sizeof what),
			    j->printer);
		return;
	}
	log_info ("label job %lld: CUPS move: %s", (long long) j->id, w->cause);
	/* Still waiting where it was, and it cannot be moved: cancelled there first, never sent while it may print. */
	if (w->left == WORK_PRINT_LEFT_LIVE && j->state == JOB_REDIRECT && hub_spool_room (self) > 0
	    && !hub_spool_flying (self, j->id)) {
		hub_spool_send (self, hub_spool_ask (WORK_PRINT_CANCEL, j), JOB_REDIRECT);
		return;
	}
	hub_spool_refused (self, w, j, JOB_REDIRECT);
}

static void
hub_spool_on_poll (hub_spool_t *self, struct work_print_job *w, struct hub_spool_job *j, enum hub_job_state sent)
{
	db_t *db = self->db;
	char what[PRINT_TEXT_MAX + 64];
	if (w->rc == WORK_PRINT_NO && w->left == WORK_PRINT_LEFT_GONE) {
		/* Not a CUPS that fails (no backing off): one that forgot the job, its queue deleted or its history
		 * cleared. Whether it printed cannot be told, so it is not sent again: a person looks and reprints. */
		char *why = xasprintf ("CUPS has no job %lld any more (its queue deleted or its history cleared): it may "
		    "have printed", (long long) j->cups_job);
		log_warn ("label job %lld: %s", (long long) j->id, why);
		if (hub_spool_set (db, j->id, JOB_FAILED, NULL, 0, why, sent))
			hub_spool_notify (self, j, "failed", "%s: CUPS no longer has its job. Look at %s, and reprint "
			    "it if it did not come out", hub_spool_what (j, "Label for", what, sizeof what), j->printer);
		free (why);
		return;
	}
	if (w->rc != WORK_PRINT_DONE) {
		if (w->rc == WORK_PRINT_NO)
			log_warn ("label job %lld: %s", (long long) j->id, w->cause);
		hub_spool_cups_failed (self);
		return;
	}
	print_job_t pj = w->state;
	if (pj.state == PRINT_JOB_COMPLETED) {
		/* A document (customs paper, receipt) is told too: the bench knows which paper went where. */
		bool printed = hub_spool_set (db, j->id, JOB_PRINTED, NULL, 0, NULL, sent);
		if (printed && !hub_spool_is_label (j))
			hub_spool_notify (self, j, "printed", "%s printed on %s", hub_spool_what (j, "Label for", what, sizeof what),
			    j->printer);
		else if (printed)
			hub_spool_notify (self, j, "printed", "Label for %s printed on %s. Scan it onto the parcel", j->parcel,
			    j->printer);
	} else if (pj.state == PRINT_JOB_CANCELLED || pj.state == PRINT_JOB_ABORTED) {
		char *why = xasprintf ("CUPS %s the job", print_job_state_name (pj.state));
		if (hub_spool_set (db, j->id, JOB_FAILED, NULL, 0, why, sent))
			hub_spool_notify (self, j, "failed", "%s not printed (%s): kept, reprint it",
			    hub_spool_what (j, "Label for", what, sizeof what), print_job_state_name (pj.state));
		free (why);
	} else if (pj.printer.health != PRINT_OK) {
		if (sent != JOB_OFFLINE) {
			char *why = xasprintf ("printer %s: %s", print_health_name (pj.printer.health), pj.printer.message);
			bool changed = hub_spool_set (db, j->id, JOB_OFFLINE, NULL, 0, why, sent);
			free (why);
			const char *fb = print_map_fallback (self->conf, j->station, hub_spool_role (j));
			if (changed)
				hub_spool_notify (self, j, "offline", "Printer %s %s: %s kept.%s%s%s", j->printer,
				    print_health_name (pj.printer.health), hub_spool_kept (j),
				    fb ? " Reprint at " : "", fb ? fb : "",
				    fb ? "?" : " It prints when the printer is back");
		}
	} else if (sent == JOB_OFFLINE) {
		if (hub_spool_set (db, j->id, JOB_SUBMITTED, NULL, 0, NULL, JOB_OFFLINE))
			hub_spool_notify (self, j, "printing", "Printer %s is back: %s printing", j->printer,
			    hub_spool_what (j, "the label for", what, sizeof what));
	}
}

int
hub_spool_follow (hub_spool_t *self, bool moves)
{
	/* An offline job that never reached CUPS is offered to CUPS again. */
	db_exec (self->db, "UPDATE label_jobs SET status = 'queued' WHERE status = 'offline' AND coalesce(cups_job, 0) = 0"
	             " AND updated_at < strftime('%s', 'now') * 1000 - 5000");
	int room = hub_spool_room (self), left = 0;
	if (room <= 0 || hub_spool_quiet (self))
		return -1; /* not looked: what was left before is left still */
	struct hub_spool_job jobs[HUB_SPOOL_INFLIGHT];
	int n = hub_spool_select (self,
	    HUB_SPOOL_COLS "WHERE j.status IN ('submitted', 'offline', 'redirect', 'cancelling') AND j.cups_job > 0"
	                   " ORDER BY j.id LIMIT 64",
	    jobs, room);
	for (int i = 0; i < n; i++) {
		enum work_print_op op = jobs[i].state == JOB_CANCELLING ? WORK_PRINT_CANCEL
		    : jobs[i].state == JOB_REDIRECT ? WORK_PRINT_MOVE : WORK_PRINT_POLL;
		if (op != WORK_PRINT_POLL && !moves) {
			left++;
			continue;
		}
		hub_spool_send (self, hub_spool_ask (op, &jobs[i]), jobs[i].state);
	}
	/* Caught between "submitting" and a CUPS job id, and not being sent, or redirected or cancelled
	 * then (CUPS may have it all the same): looked for by identity. */
	room = hub_spool_room (self);
	n = hub_spool_select (self, HUB_SPOOL_COLS "WHERE j.status = 'submitting' OR (j.status IN ('redirect', 'cancelling')"
	    " AND coalesce(j.cups_job, 0) = 0) ORDER BY j.id LIMIT 64", jobs, room);
	for (int i = 0; i < n; i++) {
		if (*jobs[i].ident == '\0' && jobs[i].state != JOB_SUBMITTING) {
			/* Never sent under a name (an older hub's): nothing to look for, and no CUPS job to move or cancel. */
			hub_spool_unsent (self, &jobs[i], "no job in CUPS to move");
			continue;
		}
		if (*jobs[i].ident == '\0') {
			/* Sent by a hub that did not name its jobs: nothing to look for. */
			const char *why = "interrupted while being sent, and it carries no identity to look for";
			char what[PRINT_TEXT_MAX + 64];
			/* Told only by the run that marks it: a job another path closed meanwhile is not told again. */
			if (hub_spool_set (self->db, jobs[i].id, JOB_FAILED, NULL, 0, why, JOB_SUBMITTING))
				hub_spool_notify (self, &jobs[i], "failed", "Cannot tell whether %s printed (%s). "
				    "Check the printer; reprint it if it did not",
				    hub_spool_what (&jobs[i], "the label for", what, sizeof what), why);
			continue;
		}
		struct work_print_job *w = hub_spool_ask (WORK_PRINT_FIND, &jobs[i]);
		util_strlcpy (w->title, jobs[i].ident, sizeof w->title);
		w->since = jobs[i].updated_at / 1000 - HUB_SPOOL_FIND_MARGIN_S;
		hub_spool_send (self, w, JOB_SUBMITTING);
	}
	return left;
}

/* --- answers ----------------------------------------------------------------- */

static bool
hub_spool_land (hub_spool_t *self, int64_t id, struct hub_spool_flight *out)
{
	for (int i = 0; i < self->nflight; i++)
		if (self->flight[i].id == id) {
			*out = self->flight[i];
			self->flight[i] = self->flight[--self->nflight];
			return true;
		}
	return false;
}

static void
hub_spool_answers_push (struct hub_spool_answer **list, int *n, int *max, struct hub_spool_answer a)
{
	if (*n == *max) {
		*max = *max ? *max * 2 : HUB_SPOOL_INFLIGHT;
		*list = xrealloc (*list, (size_t) *max * sizeof **list);
	}
	(*list)[(*n)++] = a;
}

/* The transaction the answers were recorded in ended: committed, they are done; not, they are recorded again next time. */
static void
hub_spool_answers_settle (hub_spool_t *self, bool committed)
{
	for (int i = 0; i < self->napplied; i++) {
		if (committed)
			work_print_job_free (&self->applied[i].w);
		else
			hub_spool_answers_push (&self->retry, &self->nretry, &self->retry_max, self->applied[i]);
	}
	self->napplied = 0;
}

bool
hub_spool_answer_waits (const hub_spool_t *self)
{
	return self->nretry > 0;
}

/* One answer into its job's state, in the open transaction. */
static void
hub_spool_answer_one (hub_spool_t *self, struct hub_spool_answer a)
{
	struct work_print_job *w = a.w;
	struct hub_spool_job j;
	if (!hub_spool_get (self, w->job, &j)) {
		work_print_job_free (&w);
		return;
	}
	if (w->rc == WORK_PRINT_DONE)
		self->quiet_ms = 0;
	switch (a.f.op) {
	case WORK_PRINT_SUBMIT:
		hub_spool_on_submit (self, w, &j);
		self->recorded = self->recorded || w->rc == WORK_PRINT_DONE;
		break;
	case WORK_PRINT_FIND: hub_spool_on_find (self, w, &j); break;
	case WORK_PRINT_POLL: hub_spool_on_poll (self, w, &j, a.f.sent); break;
	case WORK_PRINT_MOVE: hub_spool_on_move (self, w, &j); break;
	case WORK_PRINT_CANCEL: hub_spool_on_cancel (self, w, &j, a.f.sent); break;
	}
	hub_spool_answers_push (&self->applied, &self->napplied, &self->applied_max, a);
}

bool
hub_spool_answer (hub_spool_t *self, bool in_tx)
{
	db_t *db = self->db;
	/* What the worker answered, after what earlier transactions did not keep. */
	struct work_job *wj;
	while ((wj = work_take (self->print)) != NULL) {
		struct work_print_job *w = (struct work_print_job *) wj;
		struct hub_spool_answer a = { w, { 0 } };
		if (!hub_spool_land (self, w->job, &a.f)) {
			work_print_job_free (&w);
			continue;
		}
		hub_spool_answers_push (&self->retry, &self->nretry, &self->retry_max, a);
	}
	if (self->nretry == 0)
		return false;
	struct hub_after_mark mark = hub_after_mark (self->after);
	if (!in_tx && db_begin (db) != DB_DONE) {
		log_error ("print answers not recorded now: %s", db_errmsg (db));
		return true; /* they wait, none is lost */
	}
	/* Recording an answer never adds to the retry list (only a commit that fails does), so it is read in place. */
	int n = self->nretry;
	self->nretry = 0;
	for (int i = 0; i < n; i++)
		hub_spool_answer_one (self, self->retry[i]);
	if (in_tx)
		return true;
	/* Their EVENTs go with their commit, or not at all. */
	bool committed = db_commit (db) == DB_DONE;
	if (!committed) {
		log_error ("print answers not recorded now: %s", db_errmsg (db));
		db_rollback (db);
		hub_after_drop (self->after, mark);
	}
	hub_spool_committed (self, committed);
	return true;
}
