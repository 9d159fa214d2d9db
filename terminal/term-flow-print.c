/*
 * term-flow-print.c: labels and the bench printer. The hub prints after a
 * pack commits and tells the terminal that asked by EVENT (topic "print");
 * those events land here: the message line says what happened, a label
 * kept for an offline printer offers F4 to send it to the group's fallback
 * (COMMAND redirect), a failed one offers F4 reprint. One that CUPS had
 * printed before a redirect or cancel reached it (data too_late) is a
 * warning in the hub's words, and after a redirect F4 reprints it at the
 * printer the redirect asked for. The Print jobs
 * screen (term-flow-jobs.c) is asked again when one arrives.
 *
 * An EVENT is never an answer: the request out keeps waiting for its own
 * reply, matched by sequence number in term-app.c.
 */
#include "config.h"
#include "term-flow.h"
#include "term-words.h"
#include "screens.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	const char *text = term_flow_print_data (ev, "text");
	enum term_msg kind = TM_INFO;
	char line[512];
	if (strcmp (state, "printed") == 0 && *term_flow_print_data (ev, "too_late")) {
		/* Printed before a redirect or cancel reached it: the hub's words say where, and what to do. */
		kind = TM_WARN;
		snprintf (line, sizeof line, "%s", *text ? text : what);
	} else if (strcmp (state, "printed") == 0) {
		kind = TM_OK;
		snprintf (line, sizeof line, "%s printed on %s", what, printer);
	} else if (strcmp (state, "offline") == 0 || strcmp (state, "no-printer") == 0) {
		kind = TM_WARN;
		/* Kept, and where it can be sent on: no printer here will ever take it. */
		if (*state == 'o')
			snprintf (line, sizeof line, "%s kept: printer %s offline. It prints when the printer is back, or "
			    "send it to another: %s%s", what, printer, term_may (t, "job-redirect") ? "" : SCREEN_ASK, SCREEN_JOBS);
		else
			snprintf (line, sizeof line, "%s kept: no printer here. Send it on: %s%s", what,
			    term_may (t, "job-redirect") ? "" : SCREEN_ASK, SCREEN_JOBS);
	} else if (strcmp (state, "failed") == 0) {
		kind = TM_REFUSED;
		snprintf (line, sizeof line, "%s NOT printed on %s: %s", what, printer, text);
	} else if (*text) {
		/* printing, redirected, cancelled: the hub's words name the paper and say where it went and why. */
		snprintf (line, sizeof line, "%s", text);
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
	/* Printed before a redirect or cancel reached it: not the news that was asked for. */
	const char *too_late = term_flow_print_data (ev, "too_late");
	if (*fallback)
		util_strlcpy (t->fallback, fallback, sizeof t->fallback);
	/* The fallback is no way out when the label is already going there. */
	if (strcmp (fallback, printer) == 0)
		fallback = "";

	/* A document (collection receipt, customs paper, ticket) is not a label. */
	const char *kindname = term_flow_print_data (ev, "kind");
	bool doc = (*kindname && strcmp (kindname, "label") != 0) || strncmp (parcel, "manifest ", 9) == 0;
	const char *item = *kindname ? term_word (TW_STATE, kindname) : strncmp (parcel, "manifest ", 9) == 0
	    ? term_word (TW_STATE, "receipt") : "label";
	enum term_msg kind = TM_INFO;
	char line[512];
	const char *offer = NULL, *offer_printer = NULL;
	if (strcmp (state, "printed") == 0 && *too_late) {
		/* The copy asked for was not made, or an unwanted label lies at the printer: the hub's words say
		 * where and what to do; after a redirect, F4 makes the copy at the printer it asked for. */
		kind = TM_WARN;
		const char *asked = term_flow_print_data (ev, "asked_printer");
		bool copy = strcmp (too_late, "redirect") == 0 && *asked && !doc && term_may (t, "reprint");
		snprintf (line, sizeof line, "%s%s", *text ? text : "Label printed before the move or cancel reached it",
		    copy ? " \xe2\x80\x94" " F4 reprint" : "");
		if (copy)
			offer = "reprint", offer_printer = asked;
		term_flow_print_watch (t, parcel, false);
	} else if (strcmp (state, "printed") == 0) {
		kind = TM_OK;
		if (doc)
			snprintf (line, sizeof line, "Printed: %s %s%s%s", item, parcel, *printer ? " on " : "", printer);
		else
			snprintf (line, sizeof line, "Label printed: %s", parcel);
		term_flow_print_watch (t, parcel, false);
	} else if (strcmp (state, "offline") == 0 || strcmp (state, "no-printer") == 0) {
		kind = TM_WARN;
		bool offline = *state == 'o';
		const char *what = offline ? "Printer offline" : "No printer here";
		if (*fallback && !doc) {
			snprintf (line, sizeof line, "%s: label kept \xe2\x80\x94" " F4 reprint at %s", what, fallback);
			offer = "redirect", offer_printer = fallback;
		} else if (offline) {
			snprintf (line, sizeof line, "%s: %s kept; it prints when the printer is back, or send it to another: "
			    SCREEN_JOBS, what, item);
		} else {
			/* No printer will come back here: it has to go to another. */
			snprintf (line, sizeof line, "%s for the %s: kept. Send it to another printer: %s%s", what, item,
			    term_may (t, "job-redirect") ? "" : SCREEN_ASK, SCREEN_JOBS);
		}
		term_flow_print_watch (t, parcel, true);
	} else if (strcmp (state, "failed") == 0) {
		kind = TM_REFUSED;
		if (doc) {
			snprintf (line, sizeof line, "%s. Reprint it: " SCREEN_JOBS, *text ? text : "Not printed");
		} else {
			snprintf (line, sizeof line, "%s \xe2\x80\x94" " F4 reprint", *text ? text : "Label not printed");
			offer = "reprint";
		}
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
	term_flow_jobs_changed (t);
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

