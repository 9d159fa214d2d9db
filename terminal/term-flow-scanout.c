/*
 * term-flow-scanout.c: scan-out (the cage once, then parcel after parcel
 * with a running count) and close-out (a supervisor's per-carrier count of
 * what is labelled but not on a cage, the list to page through, then the
 * confirmation).
 */
#include "config.h"
#include "term-flow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void
term_flow_closeout_entry (struct term *t, const struct term_input_event *ev)
{
	term_ctx_set (t, "carrier", ev->code);
	term_send_command (t, "closeout-preview", "carrier", ev->code, NULL);
}

static void
term_flow_closeout_reply (struct term *t, const proto_msg_t *req, const proto_msg_t *r)
{
	term_show_reply (t, r);
	bool ok = proto_msg_id (r) == PROTO_REPLY && proto_get_num (r, PROTO_REPLY_STATUS) < PROTO_REFUSED;
	const char *name = proto_get_str (req, PROTO_COMMAND_NAME);
	term_body_clear (t);
	if (strcmp (name, "closeout-preview") == 0 && ok) {
		t->stage = 1;
		term_body_add (t, TA_SELECT, "%s", term_ctx_get (t, "carrier"));
		term_body_add (t, TA_OK, "Ready: %s", term_data (r, "scanned"));
		long missing = atol (term_data (r, "missing"));
		term_body_add (t, missing ? TA_WARN : TA_NORMAL, "Not on a cage: %ld", missing);
		/* The drill-down: every parcel left behind, paged with +/-. */
		for (long i = 1; i <= missing && t->nbody < TERM_BODY_MAX; i++) {
			char key[32];
			snprintf (key, sizeof key, "missing.%ld", i);
			term_body_add (t, TA_WARN, " %s", term_data (r, key));
		}
	} else if (strcmp (name, "closeout") == 0 && ok) {
		t->stage = 0;
		term_body_add (t, TA_OK, "Manifest %s", term_data (r, "manifest"));
		term_body_add (t, TA_NORMAL, "%s parcels", term_data (r, "count"));
	}
}

static bool
term_flow_closeout_key (struct term *t, int key)
{
	if (key == TK_F1 && t->stage == 1) {
		term_send_command (t, "closeout", "carrier", term_ctx_get (t, "carrier"), NULL);
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
	v->prompt = "Carrier";
	v->keys[2] = "Back";
	if (t->stage == 1) {
		t->field = TF_NONE;
		v->keys[0] = "Close";
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
