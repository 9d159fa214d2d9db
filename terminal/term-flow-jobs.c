/*
 * term-flow-jobs.c: the Print jobs screen: every print job the hub has not
 * printed (labels, despatch tickets, collection receipts, customs papers),
 * of this station, or of every station for a supervisor (F2 switches).
 * One chosen by its key: F1 prints it again (at the same printer, or one
 * chosen), F2 sends it to another printer, F4 cancels it (supervisors),
 * all by the job's number (COMMANDs job-reprint, job-redirect, job-cancel).
 * The printers offered are the hub's, of the kind the job needs; Enter
 * alone takes the same printer (reprint) or the group's fallback (a label
 * redirected, when the hub's print EVENTs named it). The list is asked
 * again after each action and when a print EVENT arrives.
 */
#include "config.h"
#include "term-flow.h"
#include "screens.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { JOBS_LIST, JOBS_CHOSEN, JOBS_PRINTER };

/* printjob.N = id|kind|what|status|printer|station|at|error|format */
enum { JOB_F_ID, JOB_F_KIND, JOB_F_WHAT, JOB_F_STATUS, JOB_F_PRINTER, JOB_F_STATION, JOB_F_AT, JOB_F_ERROR, JOB_F_FORMAT };

static void
term_flow_jobs_refresh (struct term *t, bool quiet)
{
	term_ctx_set (t, "quiet", quiet ? "1" : "");
	if (*term_ctx_get (t, "all"))
		term_send_command (t, "job-list", "station", "*", NULL);
	else
		term_send_command (t, "job-list", NULL);
}

static void
term_flow_jobs_enter (struct term *t)
{
	t->nlist = 0;
	/* A supervisor sees to every station's jobs; anyone else to this station's. */
	term_ctx_set (t, "all", term_may (t, "job-cancel") ? "1" : "");
	term_flow_jobs_refresh (t, false);
}

void
term_flow_jobs_changed (struct term *t)
{
	if (t->flow == &term_flow_printjobs && t->stage == JOBS_LIST && !term_busy (t))
		term_flow_jobs_refresh (t, true);
}

static void
term_flow_jobs_show (struct term *t)
{
	term_body_clear (t);
	char line[TERM_LINE_MAX], error[160];
	term_flow_row_text ("printjob.1", t->chosen, line, sizeof line);
	term_body_add (t, TA_SELECT, "%s", line);
	term_flow_row_t f;
	term_flow_row_split (t->chosen, f);
	util_strlcpy (error, f[JOB_F_ERROR], sizeof error);
	if (*error)
		term_body_add (t, TA_WARN, "%s", error);
	if (*t->fallback && strcmp (f[JOB_F_FORMAT], "pdf") != 0)
		term_body_add (t, TA_DIM, "Fallback %s", t->fallback);
}

static void
term_flow_jobs_reply (struct term *t, const proto_msg_t *req, const proto_msg_t *r)
{
	const char *name = proto_get_str (req, PROTO_COMMAND_NAME);
	bool ok = proto_msg_id (r) == PROTO_REPLY && proto_get_num (r, PROTO_REPLY_STATUS) < PROTO_REFUSED;
	if (strcmp (name, "job-list") == 0) {
		if (!*term_ctx_get (t, "quiet") || !ok)
			term_show_reply (t, r);
		if (t->stage == JOBS_LIST && ok)
			term_flow_list_show (t, r, "printjob", "jobs", "Nothing waiting");
		return;
	}
	if (strcmp (name, "printers") == 0) {
		if (!ok) {
			term_show_reply (t, r);
			return;
		}
		/* The printers of the kind the job needs, by key. */
		term_flow_row_t f;
		term_flow_row_split (t->chosen, f);
		const char *role = strcmp (f[JOB_F_FORMAT], "pdf") == 0 ? "document" : "label";
		term_body_clear (t);
		t->nlist = 0;
		long n = atol (term_data (r, "printers"));
		for (long i = 1; i <= n && t->nlist < TERM_LIST_MAX; i++) {
			char key[32], line[TERM_LINE_MAX];
			snprintf (key, sizeof key, "printer.%ld", i);
			term_flow_row_t p;
			term_flow_row_split (term_data (r, key), p);
			if (strcmp (p[1], role) != 0)
				continue;
			util_strlcpy (t->list[t->nlist], term_data (r, key), sizeof t->list[0]);
			int attr = term_flow_row_text (key, term_data (r, key), line, sizeof line);
			term_body_add (t, attr, "%c %s", term_flow_list_char (t->nlist), line);
			t->nlist++;
		}
		if (t->nlist == 0)
			term_body_add (t, TA_DIM, "No %s printer is set up", role);
		return;
	}
	/* job-reprint, job-redirect, job-cancel: say so, then the fresh list. */
	term_show_reply (t, r);
	t->stage = JOBS_LIST;
	term_flow_jobs_refresh (t, true);
}

/* The chosen job to the printer (NULL: where it was). */
static void
term_flow_jobs_send (struct term *t, const char *printer)
{
	const char *action = term_ctx_get (t, "action");
	char id[32];
	term_flow_row_t f;
	term_flow_row_split (t->chosen, f);
	util_strlcpy (id, f[JOB_F_ID], sizeof id);
	if (printer && *printer)
		term_send_command (t, action, "job", id, "printer", printer, NULL);
	else
		term_send_command (t, action, "job", id, NULL);
}

static void
term_flow_jobs_entry (struct term *t, const struct term_input_event *ev)
{
	if (t->stage != JOBS_PRINTER)
		return;
	/* A printer's key from the list, or its name. */
	long n;
	if (util_parse_long (ev->code, 1, t->nlist, &n)) {
		char name[96];
		term_flow_list_field (t, (int) n - 1, 0, name, sizeof name);
		term_flow_jobs_send (t, name);
	} else {
		term_flow_jobs_send (t, ev->code);
	}
}

static void
term_flow_jobs_printer (struct term *t, const char *action)
{
	term_ctx_set (t, "action", action);
	t->stage = JOBS_PRINTER;
	term_send_command (t, "printers", NULL);
}

static bool
term_flow_jobs_key (struct term *t, int key)
{
	if (term_busy (t) && key != TK_F3)
		return true;
	switch (t->stage) {
	case JOBS_LIST: {
		int i = term_flow_list_pick (t, key);
		if (i >= 0) {
			util_strlcpy (t->chosen, t->list[i], sizeof t->chosen);
			t->stage = JOBS_CHOSEN;
			term_flow_jobs_show (t);
			return true;
		}
		if (key == TK_F1) {
			term_flow_jobs_refresh (t, false);
			return true;
		}
		if (key == TK_F2 && term_may (t, "job-cancel")) {
			term_ctx_set (t, "all", *term_ctx_get (t, "all") ? "" : "1");
			term_flow_jobs_refresh (t, false);
			return true;
		}
		return false;
	}
	case JOBS_CHOSEN:
		if (key == TK_F1) {
			term_flow_jobs_printer (t, "job-reprint");
			return true;
		}
		if (key == TK_F2) {
			term_flow_jobs_printer (t, "job-redirect");
			return true;
		}
		if (key == TK_F4 && term_may (t, "job-cancel")) {
			term_ctx_set (t, "action", "job-cancel");
			term_flow_jobs_send (t, NULL);
			return true;
		}
		if (key == TK_F3) {
			t->stage = JOBS_LIST;
			term_flow_jobs_refresh (t, true);
			return true;
		}
		return false;
	case JOBS_PRINTER:
		if (key == TK_ENTER) {
			/* Enter alone: a reprint where it was; a label redirected to the group's fallback. */
			if (strcmp (term_ctx_get (t, "action"), "job-reprint") == 0)
				term_flow_jobs_send (t, NULL);
			else if (*t->fallback)
				term_flow_jobs_send (t, t->fallback);
			else
				term_message (t, TM_REFUSED, "Which printer? Type its key or name");
			return true;
		}
		if (key == TK_F3) {
			t->stage = JOBS_CHOSEN;
			term_flow_jobs_show (t);
			return true;
		}
		return false;
	}
	return false;
}

static void
term_flow_jobs_view (struct term *t, struct term_view *v)
{
	switch (t->stage) {
	case JOBS_LIST:
		t->field = TF_NONE;
		v->title = *term_ctx_get (t, "all") ? "PRINT JOBS: ALL" : "PRINT JOBS";
		v->keys[0] = "Refresh";
		if (term_may (t, "job-cancel"))
			v->keys[1] = *term_ctx_get (t, "all") ? "Mine" : "All";
		break;
	case JOBS_CHOSEN:
		t->field = TF_NONE;
		v->keys[0] = "Reprint";
		v->keys[1] = "Redirect";
		if (term_may (t, "job-cancel"))
			v->keys[3] = "Cancel";
		break;
	case JOBS_PRINTER: {
		t->field = TF_TEXT;
		v->prompt = "Printer";
		bool reprint = strcmp (term_ctx_get (t, "action"), "job-reprint") == 0;
		term_flow_row_t f;
		term_flow_row_split (t->chosen, f);
		if (reprint)
			v->prompt_default = "same";
		else if (*t->fallback && strcmp (f[JOB_F_FORMAT], "pdf") != 0)
			v->prompt_default = t->fallback;
		break;
	}
	}
	v->keys[2] = "Back";
}

const struct term_flow term_flow_printjobs = {
	.name = "printjobs",
	.title = "PRINT JOBS",
	.permission = "reprint",
	.menu = SCREEN_JOBS,
	.enter = term_flow_jobs_enter,
	.entry = term_flow_jobs_entry,
	.key = term_flow_jobs_key,
	.reply = term_flow_jobs_reply,
	.view = term_flow_jobs_view,
};
