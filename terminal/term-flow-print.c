/*
 * term-flow-print.c: labels and the bench printer. The hub prints after a
 * pack commits and tells the terminal that asked by EVENT (topic "print");
 * those events land here: the message line says what happened, a label
 * kept for an offline printer offers F4 to send it to the group's fallback
 * (COMMAND redirect), a failed one offers F4 reprint. The "Print jobs"
 * screen lists what the hub has not printed for this station (print-jobs)
 * and reprints, redirects or (supervisors) cancels one.
 *
 * An EVENT is never an answer: the request out keeps waiting for its own
 * reply, matched by sequence number in term-app.c.
 */
#include "config.h"
#include "term-flow.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { JOBS_LIST, JOBS_CHOSEN, JOBS_PRINTER };

static const char *
term_flow_print_data (const proto_msg_t *ev, const char *key)
{
	const char *v = proto_hash_get (ev, PROTO_EVENT_DATA, key);
	return v ? v : "";
}

/* The parcels whose label waits, for the P count on the status line. */
static void
term_flow_print_watch (struct term *t, const char *parcel, bool waiting)
{
	int i;
	for (i = 0; i < t->nunprinted; i++)
		if (strcmp (t->unprinted[i], parcel) == 0)
			break;
	if (waiting && i == t->nunprinted && i < TERM_PRINT_WATCH)
		util_strlcpy (t->unprinted[t->nunprinted++], parcel, sizeof t->unprinted[0]);
	else if (!waiting && i < t->nunprinted) {
		memmove (&t->unprinted[i], &t->unprinted[i + 1], sizeof t->unprinted[0] * (size_t) (t->nunprinted - i - 1));
		t->nunprinted--;
	}
}

static void
term_flow_print_offer (struct term *t, const char *command, const char *parcel, const char *printer)
{
	util_strlcpy (t->offer.command, command, sizeof t->offer.command);
	util_strlcpy (t->offer.parcel, parcel, sizeof t->offer.parcel);
	util_strlcpy (t->offer.printer, printer ? printer : "", sizeof t->offer.printer);
}

static void term_flow_printjobs_refresh (struct term *t, bool quiet);

void
term_flow_print_doc (struct term *t, const proto_msg_t *r, const char *key)
{
	char k[40];
	if (*term_data (r, key) == '\0')
		return;
	snprintf (k, sizeof k, "%s_title", key);
	const char *title = *term_data (r, k) ? term_data (r, k) : key;
	snprintf (k, sizeof k, "%s_state", key);
	bool failed = strcmp (term_data (r, k), "failed") == 0;
	snprintf (k, sizeof k, "%s_printer", key);
	const char *printer = term_data (r, k);
	snprintf (k, sizeof k, "%s_error", key);
	const char *error = term_data (r, k);
	char line[256];
	if (failed)
		snprintf (line, sizeof line, "%s NOT drawn: %s. Correct the order, then reprint", title, error);
	else
		snprintf (line, sizeof line, "%s: to printer %s", title, *printer ? printer : "(none set)");
	term_history_add (t, failed ? TM_REFUSED : TM_INFO, line);
}

/* A document's EVENT: which document, on which printer; no label offers. */
static void
term_flow_print_doc_event (struct term *t, const proto_msg_t *ev)
{
	const char *what = term_flow_print_data (ev, "title");
	const char *state = term_flow_print_data (ev, "state"), *printer = term_flow_print_data (ev, "printer");
	enum term_msg kind = TM_INFO;
	char line[512];
	if (strcmp (state, "printed") == 0) {
		kind = TM_OK;
		snprintf (line, sizeof line, "%s printed on %s", what, printer);
	} else if (strcmp (state, "offline") == 0 || strcmp (state, "no-printer") == 0) {
		kind = TM_WARN;
		snprintf (line, sizeof line, "%s kept: printer %s %s", what, *printer ? printer : "(none)",
		    *state == 'o' ? "offline" : "not set for this station");
	} else if (strcmp (state, "failed") == 0) {
		kind = TM_REFUSED;
		snprintf (line, sizeof line, "%s NOT printed on %s: %s", what, printer, term_flow_print_data (ev, "text"));
	} else {
		snprintf (line, sizeof line, "%s: %s %s", what, state, printer);
	}
	term_history_add (t, kind, line);
	/* A paper's good news never hides a standing trouble (a label kept, a refusal): the recent list has it. */
	bool trouble = t->msg == TM_WARN || t->msg == TM_REFUSED || t->msg == TM_ALARM;
	if (!t->blocked && (kind != TM_OK || !trouble))
		term_message (t, kind, "%s", line);
	t->dirty = true;
}

void
term_flow_print_event (struct term *t, const proto_msg_t *ev)
{
	if (strcmp (term_flow_print_data (ev, "format"), "pdf") == 0) {
		term_flow_print_doc_event (t, ev);
		return;
	}
	const char *state = term_flow_print_data (ev, "state");
	const char *parcel = term_flow_print_data (ev, "parcel");
	const char *printer = term_flow_print_data (ev, "printer");
	const char *text = term_flow_print_data (ev, "text");
	const char *fallback = term_flow_print_data (ev, "fallback");
	if (*fallback)
		util_strlcpy (t->fallback, fallback, sizeof t->fallback);
	/* The fallback is no way out when the label is already going there. */
	if (strcmp (fallback, printer) == 0)
		fallback = "";

	enum term_msg kind = TM_INFO;
	char line[512];
	const char *offer = NULL, *offer_printer = NULL;
	if (strcmp (state, "printed") == 0) {
		kind = TM_OK;
		snprintf (line, sizeof line, "Label printed: %s", parcel);
		term_flow_print_watch (t, parcel, false);
	} else if (strcmp (state, "offline") == 0 || strcmp (state, "no-printer") == 0) {
		kind = TM_WARN;
		const char *what = *state == 'o' ? "Printer offline" : "No printer here";
		if (*fallback) {
			snprintf (line, sizeof line, "%s: label kept \xe2\x80\x94" " F4 reprint at %s", what, fallback);
			offer = "redirect", offer_printer = fallback;
		} else {
			snprintf (line, sizeof line, "%s: label kept; it prints when the printer is back", what);
		}
		term_flow_print_watch (t, parcel, true);
	} else if (strcmp (state, "failed") == 0) {
		kind = TM_REFUSED;
		snprintf (line, sizeof line, "%s \xe2\x80\x94" " F4 reprint", *text ? text : "Label not printed");
		offer = "reprint";
		term_flow_print_watch (t, parcel, true);
	} else if (strcmp (state, "cancelled") == 0) {
		snprintf (line, sizeof line, "%s", *text ? text : "Label job cancelled");
		term_flow_print_watch (t, parcel, false);
	} else {
		/* printing, redirected: on its way; the result follows. */
		snprintf (line, sizeof line, "%s", *text ? text : state);
	}
	term_history_add (t, kind, line);
	/* An alarm keeps the message line until it is acknowledged. */
	if (!t->blocked) {
		term_message (t, kind, "%s", line);
		if (offer && term_may (t, offer))
			term_flow_print_offer (t, offer, parcel, offer_printer);
	}
	if (t->flow == &term_flow_printjobs && t->stage == JOBS_LIST && !term_busy (t))
		term_flow_printjobs_refresh (t, true);
	t->dirty = true;
}

bool
term_flow_print_offer_take (struct term *t)
{
	struct term_print_offer o = t->offer;
	t->offer.command[0] = '\0';
	if (o.command[0] == '\0')
		return false;
	/* The answer goes to the message line, whatever screen is up. */
	t->detached = true;
	int rc;
	if (o.printer[0])
		rc = term_send_command (t, o.command, "parcel", o.parcel, "printer", o.printer, NULL);
	else
		rc = term_send_command (t, o.command, "parcel", o.parcel, NULL);
	t->detached = false;
	return rc == 0;
}

/* --- the Print jobs screen ------------------------------------------------ */

static char
term_flow_printjobs_char (int i)
{
	return (char) (i < 9 ? '1' + i : 'a' + (i - 9));
}

static void
term_flow_printjobs_refresh (struct term *t, bool quiet)
{
	term_ctx_set (t, "quiet", quiet ? "1" : "");
	term_send_command (t, "print-jobs", NULL);
}

static void
term_flow_printjobs_enter (struct term *t)
{
	t->nlist = 0;
	term_flow_printjobs_refresh (t, false);
}

/* job.N = id|parcel|status|printer|error */
static void
term_flow_printjobs_split (const char *job, char f[5][96])
{
	for (int k = 0; k < 5; k++)
		f[k][0] = '\0';
	for (int k = 0; k < 5 && *job; k++) {
		const char *bar = k < 4 ? strchr (job, '|') : NULL;
		size_t len = bar ? (size_t) (bar - job) : strlen (job);
		snprintf (f[k], 96, "%.*s", (int) len, job);
		job = bar ? bar + 1 : job + len;
	}
}

static void
term_flow_printjobs_list (struct term *t, const proto_msg_t *r)
{
	term_body_clear (t);
	t->nlist = 0;
	long n = atol (term_data (r, "jobs"));
	for (long i = 1; i <= n && t->nlist < TERM_LIST_MAX; i++) {
		char key[32], f[5][96];
		snprintf (key, sizeof key, "job.%ld", i);
		term_flow_printjobs_split (term_data (r, key), f);
		util_strlcpy (t->list[t->nlist], f[1], sizeof t->list[0]);
		int attr = strcmp (f[2], "failed") == 0 ? TA_ERROR : strcmp (f[2], "offline") == 0 ? TA_WARN : TA_NORMAL;
		term_body_add (t, attr, "%c %s %s %s", term_flow_printjobs_char (t->nlist), f[1], f[2], f[3]);
		t->nlist++;
	}
	if (t->nlist == 0)
		term_body_add (t, TA_DIM, "Nothing waiting");
}

/* The chosen job's lines (kept in the body from the list, found by parcel). */
static void
term_flow_printjobs_show (struct term *t)
{
	term_body_clear (t);
	term_body_add (t, TA_SELECT, "%s", term_ctx_get (t, "parcel"));
	term_body_add (t, TA_NORMAL, "%s", term_ctx_get (t, "state"));
	if (*t->fallback)
		term_body_add (t, TA_DIM, "Fallback %s", t->fallback);
}

static void
term_flow_printjobs_reply (struct term *t, const proto_msg_t *req, const proto_msg_t *r)
{
	const char *name = proto_get_str (req, PROTO_COMMAND_NAME);
	if (strcmp (name, "print-jobs") == 0) {
		if (!*term_ctx_get (t, "quiet") || proto_msg_id (r) != PROTO_REPLY)
			term_show_reply (t, r);
		if (t->stage == JOBS_LIST)
			term_flow_printjobs_list (t, r);
		return;
	}
	/* reprint, redirect, print-cancel: say so, then the fresh list. */
	term_show_reply (t, r);
	t->stage = JOBS_LIST;
	term_flow_printjobs_refresh (t, true);
}

static void
term_flow_printjobs_choose (struct term *t, int i)
{
	/* Body line i reads "c PARCEL STATUS PRINTER". */
	term_ctx_set (t, "parcel", t->list[i]);
	const char *line = t->body[i];
	const char *rest = strchr (line + 2, ' ');
	term_ctx_set (t, "state", rest ? rest + 1 : "");
	t->stage = JOBS_CHOSEN;
	term_flow_printjobs_show (t);
}

static void
term_flow_printjobs_entry (struct term *t, const struct term_input_event *ev)
{
	if (t->stage != JOBS_PRINTER)
		return;
	term_send_command (t, "redirect", "parcel", term_ctx_get (t, "parcel"), "printer", ev->code, NULL);
}

static bool
term_flow_printjobs_key (struct term *t, int key)
{
	if (term_busy (t) && key != TK_F3)
		return true;
	switch (t->stage) {
	case JOBS_LIST:
		for (int i = 0; i < t->nlist; i++)
			if (key == term_flow_printjobs_char (i)) {
				term_flow_printjobs_choose (t, i);
				return true;
			}
		if (key == TK_F1) {
			term_flow_printjobs_refresh (t, false);
			return true;
		}
		return false;
	case JOBS_CHOSEN:
		if (key == TK_F1) {
			term_send_command (t, "reprint", "parcel", term_ctx_get (t, "parcel"), NULL);
			return true;
		}
		if (key == TK_F2) {
			t->stage = JOBS_PRINTER;
			return true;
		}
		if (key == TK_F4 && term_may (t, "print-cancel")) {
			term_send_command (t, "print-cancel", "parcel", term_ctx_get (t, "parcel"), NULL);
			return true;
		}
		if (key == TK_F3) {
			t->stage = JOBS_LIST;
			term_flow_printjobs_refresh (t, true);
			return true;
		}
		return false;
	case JOBS_PRINTER:
		/* Enter on an empty field: the group's fallback. */
		if (key == TK_ENTER && *t->fallback) {
			term_send_command (t, "redirect", "parcel", term_ctx_get (t, "parcel"), "printer", t->fallback, NULL);
			return true;
		}
		if (key == TK_F3) {
			t->stage = JOBS_CHOSEN;
			return true;
		}
		return false;
	}
	return false;
}

static void
term_flow_printjobs_view (struct term *t, struct term_view *v)
{
	static char prompt[96];
	switch (t->stage) {
	case JOBS_LIST:
		t->field = TF_NONE;
		v->keys[0] = "Refresh";
		break;
	case JOBS_CHOSEN:
		t->field = TF_NONE;
		v->keys[0] = "Reprint";
		v->keys[1] = "Redirect";
		if (term_may (t, "print-cancel"))
			v->keys[3] = "Cancel";
		break;
	case JOBS_PRINTER:
		t->field = TF_TEXT;
		if (*t->fallback)
			snprintf (prompt, sizeof prompt, "Printer (%s)", t->fallback);
		else
			snprintf (prompt, sizeof prompt, "Printer");
		v->prompt = prompt;
		break;
	}
	v->keys[2] = "Back";
}

const struct term_flow term_flow_printjobs = {
	.name = "printjobs",
	.title = "PRINT JOBS",
	.permission = "reprint",
	.menu = "Print jobs",
	.enter = term_flow_printjobs_enter,
	.entry = term_flow_printjobs_entry,
	.key = term_flow_printjobs_key,
	.reply = term_flow_printjobs_reply,
	.view = term_flow_printjobs_view,
};
