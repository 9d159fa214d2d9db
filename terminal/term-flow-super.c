/*
 * term-flow-super.c: the supervisor's screens, listed in the Supervisor
 * menu (term-flow.c): every refusal that tells someone to ask a
 * supervisor names one of them (common/screens.h). Part-shipments: the
 * orders waiting for the decision, what is short, F1 releases with a
 * reason. Unlock badge: the locked badges (or one scanned), unlocked with
 * a reason. Reprint ticket: an order's despatch ticket at this station's
 * label printer or one chosen. Reopen close-out: the latest close-outs, one
 * reopened with a reason. Number ranges: each carrier's numbers left, one
 * topped up from the carrier's letter. Printers: what the hub last saw of
 * each. Print jobs of any kind are term-flow-jobs.c's.
 */
#include "config.h"
#include "term-flow.h"
#include "screens.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SUPER_LIST, SUPER_CHOSEN, SUPER_TEXT, SUPER_TEXT2 };

static bool
term_flow_super_ok (const proto_msg_t *r)
{
	return proto_msg_id (r) == PROTO_REPLY && proto_get_num (r, PROTO_REPLY_STATUS) < PROTO_REFUSED;
}

/* --- part-shipments ---------------------------------------------------------------- */

static void
term_flow_partship_enter (struct term *t)
{
	t->nlist = 0;
	t->stage = SUPER_LIST;
	term_send_command (t, "queue-part", NULL);
}

static void
term_flow_partship_reply (struct term *t, const proto_msg_t *req, const proto_msg_t *r)
{
	const char *name = proto_get_str (req, PROTO_COMMAND_NAME);
	if (strcmp (name, "queue-part") == 0) {
		/* After a release its answer stays on the message line. */
		if (!*term_ctx_get (t, "quiet") || !term_flow_super_ok (r))
			term_show_reply (t, r);
		term_ctx_set (t, "quiet", "");
		if (term_flow_super_ok (r))
			term_flow_list_show (t, r, "part", "queue", "No order waits for a part-shipment decision");
		return;
	}
	if (strcmp (name, "consolidation") == 0) {
		/* What is short, then every line of the order. */
		term_body_clear (t);
		term_body_add (t, TA_SELECT, "%s %s", term_ctx_get (t, "order"), term_data (r, "customer"));
		term_body_add (t, TA_WARN, "Short: %s", t->chosen);
		char line[TERM_LINE_MAX], key[32];
		long n = atol (term_data (r, "lines"));
		for (long i = 1; i <= n; i++) {
			snprintf (key, sizeof key, "cons.%ld", i);
			int attr = term_flow_row_text (key, term_data (r, key), line, sizeof line);
			term_body_add (t, attr, "%s", line);
		}
		if (!term_flow_super_ok (r))
			term_show_reply (t, r);
		else
			term_message (t, TM_INFO, "F1 sends what was found");
		return;
	}
	/* release-part: say so, then the list again. */
	term_show_reply (t, r);
	t->stage = SUPER_LIST;
	term_ctx_set (t, "quiet", "1");
	term_send_command (t, "queue-part", NULL);
}

static bool
term_flow_partship_key (struct term *t, int key)
{
	if (term_busy (t) && key != TK_F3)
		return true;
	if (t->stage == SUPER_LIST) {
		int i = term_flow_list_pick (t, key);
		if (i >= 0) {
			char ref[64], what[160];
			term_flow_list_field (t, i, 0, ref, sizeof ref);
			term_flow_list_field (t, i, 7, what, sizeof what);
			term_ctx_set (t, "order", ref);
			util_strlcpy (t->chosen, what, sizeof t->chosen);
			t->stage = SUPER_CHOSEN;
			term_send_command (t, "consolidation", "order", ref, NULL);
			return true;
		}
		if (key == TK_F4) {
			term_flow_partship_enter (t);
			return true;
		}
		return false;
	}
	if (t->stage == SUPER_CHOSEN && key == TK_F1) {
		t->stage = SUPER_TEXT;
		term_message (t, TM_INFO, "Why may %s go short? (customer agreed...)", term_ctx_get (t, "order"));
		return true;
	}
	if (key == TK_F3) {
		if (t->stage == SUPER_TEXT)
			t->stage = SUPER_CHOSEN;
		else
			term_flow_partship_enter (t);
		return true;
	}
	return false;
}

static void
term_flow_partship_entry (struct term *t, const struct term_input_event *ev)
{
	if (t->stage == SUPER_TEXT)
		term_send_command (t, "release-part", "order", term_ctx_get (t, "order"), "reason", ev->code, NULL);
}

static void
term_flow_partship_view (struct term *t, struct term_view *v)
{
	t->field = t->stage == SUPER_TEXT ? TF_TEXT : TF_NONE;
	if (t->stage == SUPER_TEXT)
		v->prompt = "Reason";
	if (t->stage == SUPER_LIST)
		v->keys[3] = "Refresh";
	if (t->stage == SUPER_CHOSEN)
		v->keys[0] = "Release";
	v->keys[2] = "Back";
}

const struct term_flow term_flow_partship = {
	.name = "partship",
	.title = "PART-SHIPMENTS",
	.permission = "queue-part",
	.menu = SCREEN_PART,
	.within = "super",
	.enter = term_flow_partship_enter,
	.entry = term_flow_partship_entry,
	.key = term_flow_partship_key,
	.reply = term_flow_partship_reply,
	.view = term_flow_partship_view,
};

/* --- unlock badge ------------------------------------------------------------------- */

static void
term_flow_unlock_enter (struct term *t)
{
	t->nlist = 0;
	t->stage = SUPER_LIST;
	term_send_command (t, "locked", NULL);
}

static void
term_flow_unlock_reply (struct term *t, const proto_msg_t *req, const proto_msg_t *r)
{
	if (strcmp (proto_get_str (req, PROTO_COMMAND_NAME), "locked") == 0) {
		if (!*term_ctx_get (t, "quiet") || !term_flow_super_ok (r))
			term_show_reply (t, r);
		term_ctx_set (t, "quiet", "");
		if (term_flow_super_ok (r))
			term_flow_list_show (t, r, "badge", "badges", "No badge is locked");
		return;
	}
	term_show_reply (t, r);
	t->stage = SUPER_LIST;
	term_ctx_set (t, "quiet", "1");
	term_send_command (t, "locked", NULL);
}

static void
term_flow_unlock_choose (struct term *t, const char *badge)
{
	term_ctx_set (t, "badge", badge);
	t->stage = SUPER_TEXT;
	term_body_clear (t);
	term_body_add (t, TA_SELECT, "Unlock %s", badge);
	term_message (t, TM_INFO, "Why? (PIN reset, new badge...)");
}

static bool
term_flow_unlock_key (struct term *t, int key)
{
	if (term_busy (t) && key != TK_F3)
		return true;
	if (t->stage == SUPER_LIST) {
		int i = term_flow_list_pick (t, key);
		if (i >= 0) {
			char badge[64];
			term_flow_list_field (t, i, 0, badge, sizeof badge);
			term_flow_unlock_choose (t, badge);
			return true;
		}
		if (key == TK_F2) {
			t->stage = SUPER_CHOSEN; /* a badge scanned or typed */
			return true;
		}
		if (key == TK_F4) {
			term_flow_unlock_enter (t);
			return true;
		}
		return false;
	}
	if (key == TK_F3) {
		term_flow_unlock_enter (t);
		return true;
	}
	return false;
}

static void
term_flow_unlock_entry (struct term *t, const struct term_input_event *ev)
{
	if (t->stage == SUPER_CHOSEN)
		term_flow_unlock_choose (t, ev->code);
	else if (t->stage == SUPER_TEXT)
		term_send_command (t, "unlock", "badge", term_ctx_get (t, "badge"), "reason", ev->code, NULL);
}

static void
term_flow_unlock_view (struct term *t, struct term_view *v)
{
	t->field = t->stage == SUPER_LIST ? TF_NONE : t->stage == SUPER_CHOSEN ? TF_CODE : TF_TEXT;
	if (t->stage == SUPER_CHOSEN)
		v->prompt = "Scan badge";
	if (t->stage == SUPER_TEXT)
		v->prompt = "Reason";
	if (t->stage == SUPER_LIST) {
		v->keys[1] = "Badge";
		v->keys[3] = "Refresh";
	}
	v->keys[2] = "Back";
}

const struct term_flow term_flow_unlock = {
	.name = "unlock",
	.title = "UNLOCK BADGE",
	.permission = "unlock",
	.menu = SCREEN_UNLOCK,
	.within = "super",
	.enter = term_flow_unlock_enter,
	.entry = term_flow_unlock_entry,
	.key = term_flow_unlock_key,
	.reply = term_flow_unlock_reply,
	.view = term_flow_unlock_view,
};

/* --- printers: shared by the ticket's printer and the Printers screen ----------------- */

/* The printers list (printers.N), of one role or every role (role NULL). */
static void
term_flow_super_printers_show (struct term *t, const proto_msg_t *r, const char *role)
{
	term_body_clear (t);
	t->nlist = 0;
	long n = atol (term_data (r, "printers"));
	for (long i = 1; i <= n && t->nlist < TERM_LIST_MAX; i++) {
		char key[32], line[TERM_LINE_MAX];
		snprintf (key, sizeof key, "printer.%ld", i);
		const char *v = term_data (r, key);
		term_flow_row_t f;
		term_flow_row_split (v, f);
		if (role && strcmp (f[1], role) != 0)
			continue;
		util_strlcpy (t->list[t->nlist], v, sizeof t->list[0]);
		int attr = term_flow_row_text (key, v, line, sizeof line);
		term_body_add (t, attr, "%c %s", term_flow_list_char (t->nlist), line);
		t->nlist++;
	}
	if (t->nlist == 0)
		term_body_add (t, TA_DIM, "No %s printer is set up", role ? role : "");
}

/* --- reprint a despatch ticket --------------------------------------------------------- */

static void
term_flow_ticketre_body (struct term *t)
{
	term_body_clear (t);
	t->nlist = 0;
	const char *p = term_ctx_get (t, "printer");
	term_body_add (t, TA_NORMAL, "Printer: %s", *p ? p : "this station's");
}

static void
term_flow_ticketre_enter (struct term *t)
{
	term_flow_ticketre_body (t);
}

static void
term_flow_ticketre_reply (struct term *t, const proto_msg_t *req, const proto_msg_t *r)
{
	if (strcmp (proto_get_str (req, PROTO_COMMAND_NAME), "printers") == 0) {
		if (!term_flow_super_ok (r)) {
			term_show_reply (t, r);
			t->stage = SUPER_LIST;
			return;
		}
		term_flow_super_printers_show (t, r, "label");
		term_message (t, TM_INFO, "Which printer? Its key");
		return;
	}
	term_show_reply (t, r);
	if (term_flow_super_ok (r))
		term_body_add (t, TA_OK, "Ticket %s: print job %s", term_data (r, "order"), term_data (r, "job"));
}

static bool
term_flow_ticketre_key (struct term *t, int key)
{
	if (term_busy (t) && key != TK_F3)
		return true;
	if (t->stage == SUPER_CHOSEN) {
		int i = term_flow_list_pick (t, key);
		if (i >= 0 || key == TK_F3) {
			char name[64] = "";
			if (i >= 0)
				term_flow_list_field (t, i, 0, name, sizeof name);
			term_ctx_set (t, "printer", name);
			t->stage = SUPER_LIST;
			term_flow_ticketre_body (t);
			return true;
		}
		return false;
	}
	if (key == TK_F2) {
		t->stage = SUPER_CHOSEN;
		term_send_command (t, "printers", NULL);
		return true;
	}
	return false;
}

static void
term_flow_ticketre_entry (struct term *t, const struct term_input_event *ev)
{
	if (t->stage != SUPER_LIST)
		return;
	term_flow_ticketre_body (t);
	term_send_command (t, "ticket", "order", ev->code, "printer", term_ctx_get (t, "printer"), NULL);
}

static void
term_flow_ticketre_view (struct term *t, struct term_view *v)
{
	t->field = t->stage == SUPER_LIST ? TF_CODE : TF_NONE;
	if (t->stage == SUPER_LIST) {
		v->prompt = "Order";
		v->keys[1] = "Printer";
	}
	v->keys[2] = "Back";
}

const struct term_flow term_flow_ticketre = {
	.name = "ticketre",
	.title = "REPRINT TICKET",
	.permission = "ticket",
	.menu = SCREEN_TICKET,
	.within = "super",
	.enter = term_flow_ticketre_enter,
	.entry = term_flow_ticketre_entry,
	.key = term_flow_ticketre_key,
	.reply = term_flow_ticketre_reply,
	.view = term_flow_ticketre_view,
};

/* --- reopen a close-out ------------------------------------------------------------------ */

static void
term_flow_reopen_enter (struct term *t)
{
	t->nlist = 0;
	t->stage = SUPER_LIST;
	term_send_command (t, "manifests", NULL);
}

static void
term_flow_reopen_reply (struct term *t, const proto_msg_t *req, const proto_msg_t *r)
{
	if (strcmp (proto_get_str (req, PROTO_COMMAND_NAME), "manifests") == 0) {
		if (!*term_ctx_get (t, "quiet") || !term_flow_super_ok (r))
			term_show_reply (t, r);
		term_ctx_set (t, "quiet", "");
		if (term_flow_super_ok (r))
			term_flow_list_show (t, r, "manifest", "manifests", "No close-out yet");
		return;
	}
	term_show_reply (t, r);
	t->stage = SUPER_LIST;
	term_ctx_set (t, "quiet", "1");
	term_send_command (t, "manifests", NULL);
}

static bool
term_flow_reopen_key (struct term *t, int key)
{
	if (term_busy (t) && key != TK_F3)
		return true;
	if (t->stage == SUPER_LIST) {
		int i = term_flow_list_pick (t, key);
		if (i >= 0) {
			char id[32], state[32], carrier[40];
			term_flow_list_field (t, i, 0, id, sizeof id);
			term_flow_list_field (t, i, 1, carrier, sizeof carrier);
			term_flow_list_field (t, i, 5, state, sizeof state);
			if (strcmp (state, "closed") != 0) {
				term_message (t, TM_REFUSED, "Manifest %s is %s already", id, state);
				return true;
			}
			term_ctx_set (t, "manifest", id);
			t->stage = SUPER_TEXT;
			term_body_clear (t);
			term_body_add (t, TA_SELECT, "Reopen manifest %s (%s)", id, carrier);
			term_body_add (t, TA_NORMAL, "Its parcels go back on the cage; close out again after");
			term_message (t, TM_INFO, "Why? (driver left parcels...)");
			return true;
		}
		if (key == TK_F4) {
			term_flow_reopen_enter (t);
			return true;
		}
		return false;
	}
	if (key == TK_F3) {
		term_flow_reopen_enter (t);
		return true;
	}
	return false;
}

static void
term_flow_reopen_entry (struct term *t, const struct term_input_event *ev)
{
	if (t->stage == SUPER_TEXT)
		term_send_command (t, "closeout-reopen", "manifest", term_ctx_get (t, "manifest"), "reason", ev->code, NULL);
}

static void
term_flow_reopen_view (struct term *t, struct term_view *v)
{
	t->field = t->stage == SUPER_TEXT ? TF_TEXT : TF_NONE;
	if (t->stage == SUPER_TEXT)
		v->prompt = "Reason";
	else
		v->keys[3] = "Refresh";
	v->keys[2] = "Back";
}

const struct term_flow term_flow_reopen = {
	.name = "reopen",
	.title = "REOPEN CLOSE-OUT",
	.permission = "closeout-reopen",
	.menu = SCREEN_REOPEN,
	.within = "super",
	.enter = term_flow_reopen_enter,
	.entry = term_flow_reopen_entry,
	.key = term_flow_reopen_key,
	.reply = term_flow_reopen_reply,
	.view = term_flow_reopen_view,
};

/* --- number ranges ---------------------------------------------------------------------- */

enum { RANGE_F_ID, RANGE_F_CARRIER, RANGE_F_SCHEME, RANGE_F_PREFIX, RANGE_F_FIRST, RANGE_F_NEXT, RANGE_F_LAST };

static void
term_flow_ranges_enter (struct term *t)
{
	t->nlist = 0;
	t->stage = SUPER_LIST;
	term_send_command (t, "ranges", NULL);
}

static void
term_flow_ranges_reply (struct term *t, const proto_msg_t *req, const proto_msg_t *r)
{
	if (strcmp (proto_get_str (req, PROTO_COMMAND_NAME), "ranges") == 0) {
		if (!*term_ctx_get (t, "quiet") || !term_flow_super_ok (r))
			term_show_reply (t, r);
		term_ctx_set (t, "quiet", "");
		if (term_flow_super_ok (r))
			term_flow_list_show (t, r, "range", "ranges", "No number range");
		return;
	}
	term_show_reply (t, r);
	if (!term_flow_super_ok (r)) {
		t->stage = SUPER_TEXT; /* the numbers again, as the carrier's letter has them */
		return;
	}
	t->stage = SUPER_LIST;
	term_ctx_set (t, "quiet", "1");
	term_send_command (t, "ranges", NULL);
}

static bool
term_flow_ranges_key (struct term *t, int key)
{
	if (term_busy (t) && key != TK_F3)
		return true;
	if (t->stage == SUPER_LIST) {
		int i = term_flow_list_pick (t, key);
		if (i >= 0) {
			char carrier[40], prefix[40], scheme[40], last[32];
			term_flow_list_field (t, i, RANGE_F_CARRIER, carrier, sizeof carrier);
			term_flow_list_field (t, i, RANGE_F_PREFIX, prefix, sizeof prefix);
			term_flow_list_field (t, i, RANGE_F_SCHEME, scheme, sizeof scheme);
			/* The new range follows the highest held of that carrier and prefix. */
			long long high = 0;
			for (int k = 0; k < t->nlist; k++) {
				char c[40], p[40];
				term_flow_list_field (t, k, RANGE_F_CARRIER, c, sizeof c);
				term_flow_list_field (t, k, RANGE_F_PREFIX, p, sizeof p);
				term_flow_list_field (t, k, RANGE_F_LAST, last, sizeof last);
				if (strcmp (c, carrier) == 0 && strcmp (p, prefix) == 0 && atoll (last) > high)
					high = atoll (last);
			}
			char first[32];
			snprintf (first, sizeof first, "%lld", high + 1);
			term_ctx_set (t, "carrier", carrier);
			term_ctx_set (t, "prefix", prefix);
			term_ctx_set (t, "scheme", scheme);
			term_ctx_set (t, "suggest", first);
			t->stage = SUPER_TEXT;
			term_body_clear (t);
			char from[32], to[32];
			term_flow_list_field (t, i, RANGE_F_FIRST, from, sizeof from);
			term_flow_list_field (t, i, RANGE_F_LAST, to, sizeof to);
			term_body_add (t, TA_SELECT, "Top up %s %s", carrier, prefix);
			term_body_add (t, TA_NORMAL, "Held: %s to %s", from, to);
			term_message (t, TM_INFO, "The first and last numbers, from the carrier");
			return true;
		}
		if (key == TK_F4) {
			term_flow_ranges_enter (t);
			return true;
		}
		return false;
	}
	if (t->stage == SUPER_TEXT && key == TK_ENTER && *term_ctx_get (t, "suggest")) {
		term_ctx_set (t, "first", term_ctx_get (t, "suggest"));
		t->stage = SUPER_TEXT2;
		term_body_add (t, TA_NORMAL, "First %s", term_ctx_get (t, "first"));
		return true;
	}
	if (key == TK_F3) {
		if (t->stage == SUPER_TEXT2)
			t->stage = SUPER_TEXT;
		else
			term_flow_ranges_enter (t);
		return true;
	}
	return false;
}

static void
term_flow_ranges_entry (struct term *t, const struct term_input_event *ev)
{
	long v;
	if (!util_parse_long (ev->code, 0, 999999999999L, &v)) {
		term_message (t, TM_REFUSED, "A number, as the carrier's letter gives it");
		return;
	}
	if (t->stage == SUPER_TEXT) {
		term_ctx_set (t, "first", ev->code);
		t->stage = SUPER_TEXT2;
		term_body_add (t, TA_NORMAL, "First %s", ev->code);
	} else if (t->stage == SUPER_TEXT2) {
		term_send_command (t, "range-add", "carrier", term_ctx_get (t, "carrier"), "scheme", term_ctx_get (t, "scheme"),
		    "prefix", term_ctx_get (t, "prefix"), "first", term_ctx_get (t, "first"), "last", ev->code, NULL);
	}
}

static void
term_flow_ranges_view (struct term *t, struct term_view *v)
{
	t->field = t->stage == SUPER_TEXT || t->stage == SUPER_TEXT2 ? TF_NUMBER : TF_NONE;
	if (t->stage == SUPER_TEXT) {
		v->prompt = "First";
		v->prompt_default = term_ctx_get (t, "suggest");
	} else if (t->stage == SUPER_TEXT2) {
		v->prompt = "Last";
	} else {
		v->keys[3] = "Refresh";
	}
	v->keys[2] = "Back";
}

const struct term_flow term_flow_ranges = {
	.name = "ranges",
	.title = "NUMBER RANGES",
	.permission = "range-add",
	.menu = SCREEN_RANGES,
	.within = "super",
	.enter = term_flow_ranges_enter,
	.entry = term_flow_ranges_entry,
	.key = term_flow_ranges_key,
	.reply = term_flow_ranges_reply,
	.view = term_flow_ranges_view,
};

/* --- printers ---------------------------------------------------------------------------- */

static void
term_flow_printers_enter (struct term *t)
{
	t->nlist = 0;
	term_send_command (t, "printers", NULL);
}

static void
term_flow_printers_reply (struct term *t, const proto_msg_t *req, const proto_msg_t *r)
{
	(void) req;
	term_show_reply (t, r);
	if (term_flow_super_ok (r))
		term_flow_super_printers_show (t, r, NULL);
}

static bool
term_flow_printers_key (struct term *t, int key)
{
	if (key == TK_F1) {
		term_flow_printers_enter (t);
		return true;
	}
	if (key == TK_F4 && term_flow_find (t, "printjobs")) {
		term_goto (t, "printjobs");
		return true;
	}
	return false;
}

static void
term_flow_printers_view (struct term *t, struct term_view *v)
{
	t->field = TF_NONE;
	v->keys[0] = "Refresh";
	v->keys[2] = "Back";
	v->keys[3] = "Jobs";
}

const struct term_flow term_flow_printers = {
	.name = "printers",
	.title = "PRINTERS",
	.permission = "printers",
	.menu = SCREEN_PRINTERS,
	.within = "super",
	.enter = term_flow_printers_enter,
	.key = term_flow_printers_key,
	.reply = term_flow_printers_reply,
	.view = term_flow_printers_view,
};
