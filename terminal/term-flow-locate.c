/* term-flow-locate.c: locate: where to go next, then location and item confirmed. */
#include "config.h"
#include "term-flow.h"

#include <stdio.h>
#include <string.h>

enum { LOC_TICKET, LOC_LOCATION, LOC_ITEM, LOC_SHORT_QTY };

static void
term_flow_locate_line (struct term *t, const proto_msg_t *r)
{
	term_ctx_set (t, "order", term_data (r, "order"));
	term_ctx_set (t, "line", term_data (r, "line"));
	term_ctx_set (t, "location", term_data (r, "location"));
	term_ctx_set (t, "sku", term_data (r, "sku"));
	term_ctx_set (t, "description", term_data (r, "description"));
	term_ctx_set (t, "qty", term_data (r, "qty"));
	term_ctx_set (t, "outcome", "");
}

static void
term_flow_locate_body (struct term *t)
{
	term_body_clear (t);
	if (t->stage == LOC_TICKET)
		return;
	term_body_add (t, TA_NORMAL, "%s line %s", term_ctx_get (t, "order"), term_ctx_get (t, "line"));
	term_body_add (t, t->stage == LOC_LOCATION ? TA_SELECT : TA_NORMAL, "Go to %s", term_ctx_get (t, "location"));
	term_body_add (t, t->stage >= LOC_ITEM ? TA_SELECT : TA_NORMAL, "%s x%s", term_ctx_get (t, "sku"),
	    term_ctx_get (t, "qty"));
	term_body_add (t, TA_NORMAL, "%s", term_ctx_get (t, "description"));
	if (*term_ctx_get (t, "outcome"))
		term_body_add (t, TA_WARN, "Recording: %s %s", term_ctx_get (t, "outcome"), term_ctx_get (t, "found"));
}

static void
term_flow_locate_item (struct term *t, const struct term_input_event *ev)
{
	term_send_scan (t, "locate", ev, "order", term_ctx_get (t, "order"), "line", term_ctx_get (t, "line"), "outcome",
	    term_ctx_get (t, "outcome"), "qty", term_ctx_get (t, "found"), NULL);
}

static void
term_flow_locate_entry (struct term *t, const struct term_input_event *ev)
{
	switch (t->stage) {
	case LOC_TICKET:
		/* Receiving again is harmless (ALREADY_DONE) and answers with the line to find. */
		term_send_scan (t, "receive", ev, NULL);
		break;
	case LOC_LOCATION:
		term_send_scan (t, "locate", ev, "order", term_ctx_get (t, "order"), "line", term_ctx_get (t, "line"), NULL);
		break;
	case LOC_ITEM:
		term_flow_locate_item (t, ev);
		break;
	case LOC_SHORT_QTY: {
		term_ctx_set (t, "outcome", "short");
		term_ctx_set (t, "found", ev->code);
		if (strcmp (ev->code, "0") == 0) {
			/* Nothing there to scan: the line's own SKU, marked as typed. */
			struct term_input_event e = { .type = TI_SCAN, .manual = true };
			snprintf (e.code, sizeof e.code, "%s", term_ctx_get (t, "sku"));
			term_flow_locate_item (t, &e);
		} else {
			t->stage = LOC_ITEM;
			term_message (t, TM_INFO, "Short: %s found. Scan the item", ev->code);
		}
		term_flow_locate_body (t);
		break;
	}
	}
}

static void
term_flow_locate_reply (struct term *t, const proto_msg_t *req, const proto_msg_t *r)
{
	term_show_reply (t, r);
	if (proto_msg_id (r) != PROTO_REPLY || proto_get_num (r, PROTO_REPLY_STATUS) >= PROTO_REFUSED)
		return;
	const char *next = term_data (r, "next");
	bool receive = strcmp (proto_get_str (req, PROTO_SCAN_STEP), "receive") == 0;
	if (strcmp (next, "item") == 0) {
		t->stage = LOC_ITEM;
	} else if ((receive || strcmp (next, "locate") == 0) && *term_data (r, "line")) {
		term_flow_locate_line (t, r);
		t->stage = LOC_LOCATION;
	} else if (*next) {
		t->stage = LOC_TICKET;
		term_body_clear (t);
		term_body_add (t, TA_OK, "Order done here");
		term_body_add (t, TA_NORMAL, "Next: %s", next);
		return;
	}
	term_flow_locate_body (t);
}

static bool
term_flow_locate_key (struct term *t, int key)
{
	if (t->stage == LOC_ITEM && key == TK_F4) {
		t->stage = LOC_SHORT_QTY;
		return true;
	}
	if (t->stage == LOC_ITEM && key == TK_F2) {
		term_ctx_set (t, "outcome", "damaged");
		term_message (t, TM_INFO, "Damaged: scan the item");
		term_flow_locate_body (t);
		return true;
	}
	if (key == TK_F3 && t->stage > LOC_LOCATION) {
		t->stage = t->stage == LOC_SHORT_QTY ? LOC_ITEM : LOC_LOCATION;
		term_flow_locate_body (t);
		return true;
	}
	return false;
}

static void
term_flow_locate_enter (struct term *t)
{
	/* Coming from receive with an order: straight to its first line. */
	if (*term_ctx_get (t, "order") && *term_ctx_get (t, "location")) {
		t->stage = LOC_LOCATION;
		term_flow_locate_body (t);
	}
}

static void
term_flow_locate_view (struct term *t, struct term_view *v)
{
	static const char *const prompts[] = { "Scan ticket", "Scan location", "Scan item", "Qty found" };
	t->field = t->stage == LOC_SHORT_QTY ? TF_NUMBER : TF_CODE;
	v->prompt = prompts[t->stage];
	v->keys[2] = "Back";
	if (t->stage == LOC_ITEM) {
		v->keys[1] = "Dmgd";
		v->keys[3] = "Short";
	}
}

const struct term_flow term_flow_locate = {
	.name = "locate",
	.title = "LOCATE",
	.permission = "locate",
	.menu = "Locate",
	.enter = term_flow_locate_enter,
	.entry = term_flow_locate_entry,
	.key = term_flow_locate_key,
	.reply = term_flow_locate_reply,
	.view = term_flow_locate_view,
};
