/*
 * term-flow-scanout.c: scan-out (the cage once, then parcel after parcel
 * with a running count) and close-out (a supervisor's per-carrier count of
 * what is labelled but not on a cage, the list to page through, then the
 * confirmation).
 */
#include "config.h"
#include "term-flow.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A typed carrier code is one short word; longer, or with a '/', it is a parcel's label. */
#define CARRIER_CODE_GUESS 16

static void
term_flow_scanout_body (struct term *t)
{
	term_body_clear (t);
	if (t->stage == 0)
		return;
	term_body_add (t, TA_SELECT, "Cage %s", term_ctx_get (t, "cage"));
	if (*term_ctx_get (t, "carrier"))
		term_body_add (t, TA_NORMAL, "Carrier %s", term_ctx_get (t, "carrier"));
	term_body_add (t, TA_SELECT, "On cage: %s", *term_ctx_get (t, "count") ? term_ctx_get (t, "count") : "?");
}

static void
term_flow_scanout_entry (struct term *t, const struct term_input_event *ev)
{
	if (t->stage == 0) {
		/* The cage is taken at once, so parcels can follow even while the hub is away. */
		term_ctx_set (t, "cage", ev->code);
		term_ctx_set (t, "carrier", "");
		term_ctx_set (t, "count", "");
		if (term_send_scan (t, "cage", ev, NULL) == 0)
			t->stage = 1;
	} else {
		term_send_scan (t, "scanout", ev, "cage", term_ctx_get (t, "cage"), NULL);
	}
	term_flow_scanout_body (t);
}

static void
term_flow_scanout_reply (struct term *t, const proto_msg_t *req, const proto_msg_t *r)
{
	term_show_reply (t, r);
	bool ok = proto_msg_id (r) == PROTO_REPLY && proto_get_num (r, PROTO_REPLY_STATUS) < PROTO_REFUSED;
	if (strcmp (proto_get_str (req, PROTO_SCAN_STEP), "cage") == 0) {
		if (!ok) {
			t->stage = 0;
		} else {
			term_ctx_set (t, "cage", term_data (r, "cage"));
			term_ctx_set (t, "carrier", term_data (r, "carrier"));
		}
	}
	if (*term_data (r, "count"))
		term_ctx_set (t, "count", term_data (r, "count"));
	term_flow_scanout_body (t);
}

static bool
term_flow_scanout_key (struct term *t, int key)
{
	if (key == TK_F3 && t->stage == 1) {
		t->stage = 0;
		term_flow_scanout_body (t);
		return true;
	}
	return false;
}

static void
term_flow_scanout_view (struct term *t, struct term_view *v)
{
	t->field = TF_CODE;
	v->prompt = t->stage == 0 ? "Scan cage" : "Scan parcel";
	v->keys[2] = t->stage == 0 ? "Back" : "Cage";
}

const struct term_flow term_flow_scanout = {
	.name = "scanout",
	.title = "SCAN-OUT",
	.permission = "scanout",
	.menu = "Scan-out",
	.offline_ok = true,
	.entry = term_flow_scanout_entry,
	.key = term_flow_scanout_key,
	.reply = term_flow_scanout_reply,
	.view = term_flow_scanout_view,
};

/* --- close-out ---------------------------------------------------------------- */

/* The lists a close-out warns with, kept under its result: parcels not on a cage, orders split with parcels
 * not scanned out, held parcels on the cage. */
static void
term_flow_closeout_lists (struct term *t, const proto_msg_t *r)
{
	long missing = atol (term_data (r, "missing")), split = atol (term_data (r, "split")),
	     held = atol (term_data (r, "held"));
	term_body_add (t, missing ? TA_WARN : TA_NORMAL, "Not on a cage: %ld", missing);
	/* The drill-down: every parcel left behind, paged with +/-. */
	for (long i = 1; i <= missing && t->nbody < TERM_BODY_MAX; i++) {
		char key[32];
		snprintf (key, sizeof key, "missing.%ld", i);
		term_flow_row_t f;
		term_flow_row_split (term_data (r, key), f);
		term_body_add (t, TA_WARN, " %s %s %s", f[0], f[1], f[2]);
	}
	if (split && t->nbody < TERM_BODY_MAX)
		term_body_add (t, TA_WARN, "Split orders: %ld", split);
	for (long i = 1; i <= split && t->nbody < TERM_BODY_MAX; i++) {
		char key[32];
		snprintf (key, sizeof key, "split.%ld", i);
		term_flow_row_t f;
		term_flow_row_split (term_data (r, key), f);
		term_body_add (t, TA_WARN, " %s: %s here; not out: %s%s%s%s", f[0], f[1], f[2], *f[3] ? " (" : "", f[3],
		    *f[3] ? ")" : "");
	}
	for (long i = 1; i <= held && t->nbody < TERM_BODY_MAX; i++) {
		char key[32];
		snprintf (key, sizeof key, "held.%ld", i);
		term_flow_row_t f;
		term_flow_row_split (term_data (r, key), f);
		term_body_add (t, TA_ERROR, "Take %s off %s: held (%s)", f[0], f[1], f[2]);
	}
}

static void
term_flow_closeout_entry (struct term *t, const struct term_input_event *ev)
{
	/* A carrier's code, or a parcel's label: its carrier, and where that parcel stands. */
	term_ctx_set (t, "exclude", "");
	term_ctx_set (t, "split_orders", "");
	term_ctx_set (t, "carrier", ev->code);
	term_ctx_set (t, "label", "");
	if (strchr (ev->code, '/') || strlen (ev->code) > CARRIER_CODE_GUESS) {
		/* A label: enquiry says whose parcel it is, then that carrier's preview shows where it stands. */
		term_ctx_set (t, "label", ev->code);
		term_send_scan (t, "enquiry", ev, NULL);
	} else {
		term_send_command (t, "closeout-preview", "carrier", ev->code, NULL);
	}
}

static void
term_flow_closeout_reply (struct term *t, const proto_msg_t *req, const proto_msg_t *r)
{
	term_show_reply (t, r);
	bool ok = proto_msg_id (r) == PROTO_REPLY && proto_get_num (r, PROTO_REPLY_STATUS) < PROTO_REFUSED;
	if (proto_msg_id (req) == PROTO_SCAN) {
		/* The enquiry of a label scanned here: its carrier's close-out, with that parcel. */
		if (ok && *term_data (r, "carrier"))
			term_send_command (t, "closeout-preview", "carrier", term_data (r, "carrier"), "code",
			    term_ctx_get (t, "label"), NULL);
		return;
	}
	const char *name = proto_get_str (req, PROTO_COMMAND_NAME);
	if (!ok)
		return;
	term_body_clear (t);
	if (strcmp (name, "closeout-preview") == 0) {
		t->stage = 1;
		term_ctx_set (t, "carrier", term_data (r, "carrier"));
		term_body_add (t, TA_SELECT, "%s", term_ctx_get (t, "carrier"));
		if (*term_data (r, "parcel"))
			term_body_add (t, TA_SELECT, "%s: %s", term_data (r, "parcel"), term_data (r, "parcel_status"));
		term_body_add (t, TA_OK, "Ready: %s", term_data (r, "scanned"));
		/* The split orders, for F2 (leave them out). */
		char orders[96] = "";
		for (long i = 1; i <= atol (term_data (r, "split")); i++) {
			char key[32];
			snprintf (key, sizeof key, "split.%ld", i);
			size_t used = strlen (orders), len = strcspn (term_data (r, key), "|");
			if (used + len + 2 < sizeof orders)
				snprintf (orders + used, sizeof orders - used, "%s%.*s", used ? " " : "", (int) len, term_data (r, key));
		}
		term_ctx_set (t, "split_orders", orders);
		term_flow_closeout_lists (t, r);
	} else if (strcmp (name, "closeout") == 0) {
		t->stage = 2;
		term_flow_print_doc (t, r, "receipt");
		if (*term_data (r, "receipt_title"))
			term_body_add (t, TA_NORMAL, "Receipt to %s", term_data (r, "receipt_printer"));
		term_body_add (t, TA_OK, "Manifest %s", term_data (r, "manifest"));
		term_body_add (t, TA_NORMAL, "%s parcel%s", term_data (r, "count"), strcmp (term_data (r, "count"), "1") ? "s" : "");
		term_flow_closeout_lists (t, r);
	}
}

static bool
term_flow_closeout_key (struct term *t, int key)
{
	if (key == TK_F1 && t->stage == 1) {
		if (*term_ctx_get (t, "exclude"))
			term_send_command (t, "closeout", "carrier", term_ctx_get (t, "carrier"), "exclude",
			    term_ctx_get (t, "exclude"), NULL);
		else
			term_send_command (t, "closeout", "carrier", term_ctx_get (t, "carrier"), NULL);
		return true;
	}
	if (key == TK_F2 && t->stage == 1 && *term_ctx_get (t, "split_orders")) {
		/* Leave the split orders out (whole orders), or take them back in; the preview is asked again. */
		bool out = *term_ctx_get (t, "exclude") == '\0';
		char orders[96];
		util_strlcpy (orders, term_ctx_get (t, "split_orders"), sizeof orders);
		term_ctx_set (t, "exclude", out ? orders : "");
		term_message (t, TM_WARN, out ? "Leaving out %s: F1 closes without them" : "%s back in: F1 closes with them",
		    orders);
		if (out)
			term_send_command (t, "closeout-preview", "carrier", term_ctx_get (t, "carrier"), "exclude",
			    term_ctx_get (t, "exclude"), NULL);
		else
			term_send_command (t, "closeout-preview", "carrier", term_ctx_get (t, "carrier"), NULL);
		return true;
	}
	if (key == TK_F3 && t->stage == 1) {
		t->stage = 0;
		term_body_clear (t);
		return true;
	}
	return false;
}

static void
term_flow_closeout_view (struct term *t, struct term_view *v)
{
	t->field = TF_TEXT;
	v->prompt = t->stage == 2 ? "Next carrier" : "Carrier or label";
	v->keys[2] = "Back";
	if (t->stage == 1) {
		t->field = TF_NONE;
		v->keys[0] = "Close";
		if (*term_ctx_get (t, "split_orders"))
			v->keys[1] = *term_ctx_get (t, "exclude") ? "Keep" : "Excl";
	}
}

const struct term_flow term_flow_closeout = {
	.name = "closeout",
	.title = "CLOSE-OUT",
	.permission = "closeout",
	.menu = "Close-out",
	.entry = term_flow_closeout_entry,
	.key = term_flow_closeout_key,
	.reply = term_flow_closeout_reply,
	.view = term_flow_closeout_view,
};
