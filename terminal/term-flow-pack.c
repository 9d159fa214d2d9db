/*
 * term-flow-pack.c: pack at the bench: the ticket (all lines of all
 * departments shown), parcels, box and weight, then the label prints at the
 * bench printer and the packer scans it to prove it is on the right parcel.
 */
#include "config.h"
#include "term-flow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PACK_TICKET, PACK_PARCELS, PACK_BOX, PACK_WEIGHT, PACK_VERIFY };

static void
term_flow_pack_body (struct term *t)
{
	term_body_clear (t);
	if (t->stage == PACK_TICKET)
		return;
	term_body_add (t, TA_NORMAL, "Order %s", term_ctx_get (t, "order"));
	term_body_add (t, TA_NORMAL, "Parcel %s of %s", *term_ctx_get (t, "parcel") ? term_ctx_get (t, "parcel") : "1",
	    *term_ctx_get (t, "parcels") ? term_ctx_get (t, "parcels") : "1");
	if (*term_ctx_get (t, "box"))
		term_body_add (t, TA_NORMAL, "Box %s", term_ctx_get (t, "box"));
	if (*term_ctx_get (t, "weight"))
		term_body_add (t, TA_NORMAL, "Weight %s g", term_ctx_get (t, "weight"));
	if (*term_ctx_get (t, "tracking"))
		term_body_add (t, TA_SELECT, "%s %s", term_ctx_get (t, "carrier"), term_ctx_get (t, "tracking"));
}

/* The order's lines, as enquiry gives them (line.N = status|sku|qty|department|location|description). */
static void
term_flow_pack_lines (struct term *t, const proto_msg_t *r)
{
	term_side_clear (t);
	long n = atol (term_data (r, "lines"));
	for (long i = 1; i <= n && i < TERM_BODY_MAX; i++) {
		char key[32];
		snprintf (key, sizeof key, "line.%ld", i);
		char f[6][64] = { "" };
		const char *p = term_data (r, key);
		for (int k = 0; k < 6 && *p; k++) {
			const char *bar = strchr (p, '|');
			size_t len = bar ? (size_t) (bar - p) : strlen (p);
			snprintf (f[k], sizeof f[k], "%.*s", (int) len, p);
			p = bar ? bar + 1 : p + len;
		}
		term_side_add (t, strcmp (f[0], "found") == 0 ? TA_NORMAL : TA_WARN, "%-7s %s x%s %s %s", f[0], f[1], f[2],
		    f[3], f[5]);
	}
}

static void
term_flow_pack_entry (struct term *t, const struct term_input_event *ev)
{
	switch (t->stage) {
	case PACK_TICKET:
		term_ctx_set (t, "order", ev->code);
		term_ctx_set (t, "ticket", ev->code);
		term_send_scan (t, "enquiry", ev, NULL); /* the lines, for the bench panel */
		t->stage = PACK_PARCELS;
		break;
	case PACK_PARCELS:
		term_ctx_set (t, "parcels", ev->code);
		t->stage = PACK_BOX;
		break;
	case PACK_BOX:
		term_ctx_set (t, "box", ev->code);
		t->stage = PACK_WEIGHT;
		break;
	case PACK_WEIGHT: {
		term_ctx_set (t, "weight", ev->code);
		struct term_input_event e = { .type = TI_SCAN, .manual = false };
		snprintf (e.code, sizeof e.code, "%s", term_ctx_get (t, "ticket"));
		term_send_scan (t, "pack", &e, "parcels", term_ctx_get (t, "parcels"), "box", term_ctx_get (t, "box"),
		    "weight", term_ctx_get (t, "weight"), NULL);
		break;
	}
	case PACK_VERIFY:
		term_send_scan (t, "verify", ev, "order", term_ctx_get (t, "order"), NULL);
		break;
	}
	term_flow_pack_body (t);
}

static void
term_flow_pack_reply (struct term *t, const proto_msg_t *req, const proto_msg_t *r)
{
	const char *step = proto_get_str (req, PROTO_SCAN_STEP);
	bool ok = proto_msg_id (r) == PROTO_REPLY && proto_get_num (r, PROTO_REPLY_STATUS) < PROTO_REFUSED;
	term_show_reply (t, r);
	if (strcmp (step, "enquiry") == 0) {
		if (!ok) {
			t->stage = PACK_TICKET;
		} else {
			term_ctx_set (t, "order", term_data (r, "order"));
			term_flow_pack_lines (t, r);
		}
	} else if (strcmp (step, "pack") == 0) {
		if (ok) {
			term_ctx_set (t, "parcel", term_data (r, "parcel_no"));
			term_ctx_set (t, "parcels", term_data (r, "parcels"));
			term_ctx_set (t, "tracking", term_data (r, "tracking"));
			term_ctx_set (t, "carrier", term_data (r, "carrier"));
			t->stage = PACK_VERIFY;
		} else {
			t->stage = PACK_BOX;
		}
	} else if (strcmp (step, "verify") == 0 && ok) {
		long no = atol (term_ctx_get (t, "parcel")), all = atol (term_ctx_get (t, "parcels"));
		if (no < all) {
			term_ctx_set (t, "box", "");
			term_ctx_set (t, "weight", "");
			term_ctx_set (t, "tracking", "");
			t->stage = PACK_BOX;
			term_message (t, TM_OK, "Label right. Now parcel %ld of %ld", no + 1, all);
		} else {
			t->stage = PACK_TICKET;
			term_side_clear (t);
		}
	}
	term_flow_pack_body (t);
}

static bool
term_flow_pack_key (struct term *t, int key)
{
	/* Enter on an empty field takes the default: one parcel. */
	if (key == TK_ENTER && t->stage == PACK_PARCELS) {
		term_ctx_set (t, "parcels", "1");
		t->stage = PACK_BOX;
		term_flow_pack_body (t);
		return true;
	}
	if (key == TK_F3 && t->stage > PACK_TICKET && t->stage < PACK_VERIFY) {
		t->stage--;
		term_flow_pack_body (t);
		return true;
	}
	return false;
}

static void
term_flow_pack_view (struct term *t, struct term_view *v)
{
	static const struct {
		const char *prompt;
		enum term_field field;
	} stages[] = {
		[PACK_TICKET] = { "Scan ticket", TF_CODE },
		[PACK_PARCELS] = { "Parcels (1)", TF_NUMBER },
		[PACK_BOX] = { "Box type", TF_TEXT },
		[PACK_WEIGHT] = { "Weight g", TF_NUMBER },
		[PACK_VERIFY] = { "Scan printed label", TF_CODE },
	};
	t->field = stages[t->stage].field;
	v->prompt = stages[t->stage].prompt;
	v->keys[2] = "Back";
	v->side_title = "Order lines";
}

const struct term_flow term_flow_pack = {
	.name = "pack",
	.title = "PACK",
	.permission = "pack",
	.menu = "Pack",
	.entry = term_flow_pack_entry,
	.key = term_flow_pack_key,
	.reply = term_flow_pack_reply,
	.view = term_flow_pack_view,
};
