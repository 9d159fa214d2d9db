/*
 * term-flow-locate.c: locate: where to go next, then location and item
 * confirmed. Short or damaged is recorded on the line the hub names; F1
 * (Lines) lists every line of the order so a short can be recorded on any
 * of them, with the quantity found typed and the line's location scanned.
 */
#include "config.h"
#include "term-flow.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { LOC_TICKET, LOC_LOCATION, LOC_ITEM, LOC_SHORT_QTY, LOC_PICK, LOC_PICK_QTY, LOC_PICK_SCAN, LOC_COUNT_OK };

/* A line of the order as enquiry gives it: line.N = status|sku|qty|department|locations|description. */
enum { LOC_F_STATUS, LOC_F_SKU, LOC_F_QTY, LOC_F_DEPARTMENT, LOC_F_LOCATIONS, LOC_F_DESCRIPTION };

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
	term_ctx_set (t, "found_n", "");
}

/* The order's lines to choose from: t->list[i] keeps line i+1 as enquiry gave it. */
static void
term_flow_locate_pick_body (struct term *t)
{
	for (int i = 0; i < t->nlist; i++) {
		term_flow_row_t f;
		term_flow_row_split (t->list[i], f);
		bool open = strcmp (f[LOC_F_STATUS], "open") == 0;
		term_body_add (t, open ? TA_NORMAL : TA_DIM, "%d %s x%s%s%s", i + 1, f[LOC_F_SKU], f[LOC_F_QTY],
		    open ? "" : " ", open ? "" : f[LOC_F_STATUS]);
	}
}

static void
term_flow_locate_body (struct term *t)
{
	term_body_clear (t);
	if (t->stage == LOC_TICKET)
		return;
	if (t->stage == LOC_PICK) {
		term_flow_locate_pick_body (t);
		return;
	}
	if (t->stage == LOC_PICK_QTY || t->stage == LOC_PICK_SCAN) {
		term_body_add (t, TA_WARN, "Short line %s", term_ctx_get (t, "pick"));
		term_body_add (t, TA_NORMAL, "%s x%s", term_ctx_get (t, "pick_sku"), term_ctx_get (t, "pick_qty"));
		if (t->stage == LOC_PICK_SCAN) {
			term_body_add (t, TA_WARN, "Found %s of %s", term_ctx_get (t, "pick_found"), term_ctx_get (t, "pick_qty"));
			term_body_add (t, TA_SELECT, "Go to %s", term_ctx_get (t, "pick_location"));
		}
		return;
	}
	term_body_add (t, TA_NORMAL, "%s line %s", term_ctx_get (t, "order"), term_ctx_get (t, "line"));
	term_body_add (t, t->stage == LOC_LOCATION ? TA_SELECT : TA_NORMAL, "Go to %s", term_ctx_get (t, "location"));
	term_body_add (t, t->stage >= LOC_ITEM ? TA_SELECT : TA_NORMAL, "%s x%s", term_ctx_get (t, "sku"),
	    term_ctx_get (t, "qty"));
	term_body_add (t, TA_NORMAL, "%s", term_ctx_get (t, "description"));
	if (*term_ctx_get (t, "found_n"))
		term_body_add (t, TA_SELECT, "%s of %s found", term_ctx_get (t, "found_n"), term_ctx_get (t, "qty"));
	if (t->stage == LOC_COUNT_OK)
		term_body_add (t, TA_SELECT, "Counted %s of %s", term_ctx_get (t, "found"), term_ctx_get (t, "qty"));
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
	case LOC_PICK: {
		long n;
		if (!util_parse_long (ev->code, 1, t->nlist, &n)) {
			term_message (t, TM_REFUSED, "Type a line number from the list (1-%d)", t->nlist);
			break;
		}
		term_flow_row_t f;
		term_flow_row_split (t->list[n - 1], f);
		term_ctx_set (t, "pick", ev->code);
		term_ctx_set (t, "pick_sku", f[LOC_F_SKU]);
		term_ctx_set (t, "pick_qty", f[LOC_F_QTY]);
		/* The first of the line's locations ("A;B"), as the hub names it; any of them is taken. */
		f[LOC_F_LOCATIONS][strcspn (f[LOC_F_LOCATIONS], ";")] = '\0';
		term_ctx_set (t, "pick_location", f[LOC_F_LOCATIONS]);
		t->stage = LOC_PICK_QTY;
		term_message (t, TM_INFO, "Line %ld: type the quantity found", n);
		term_flow_locate_body (t);
		break;
	}
	case LOC_PICK_QTY: {
		long q;
		/* The hub takes 0 up to the line's quantity: say so here, before anything is sent. */
		if (!util_parse_long (ev->code, 0, atol (term_ctx_get (t, "pick_qty")), &q)) {
			term_message (t, TM_REFUSED, "Quantity found: 0 to %s", term_ctx_get (t, "pick_qty"));
			break;
		}
		char qty[16];
		snprintf (qty, sizeof qty, "%ld", q);
		term_ctx_set (t, "pick_found", qty);
		t->stage = LOC_PICK_SCAN;
		term_message (t, TM_INFO, "Short %ld: scan the line's location", q);
		term_flow_locate_body (t);
		break;
	}
	case LOC_COUNT_OK:
		break;
	case LOC_PICK_SCAN:
		term_send_scan (t, "locate", ev, "order", term_ctx_get (t, "order"), "line", term_ctx_get (t, "pick"),
		    "outcome", "short", "qty", term_ctx_get (t, "pick_found"), NULL);
		break;
	case LOC_SHORT_QTY: {
		long q;
		if (atol (term_ctx_get (t, "qty")) > 1 && util_parse_long (ev->code, 1, atol (term_ctx_get (t, "qty")), &q)
		    && q == atol (term_ctx_get (t, "qty"))) {
			/* Every unit counted: the operator confirms the count before it stands for the scans. */
			term_ctx_set (t, "found", ev->code);
			t->stage = LOC_COUNT_OK;
			term_message (t, TM_INFO, "Counted %s of %s: F1 confirms", ev->code, term_ctx_get (t, "qty"));
			term_flow_locate_body (t);
			break;
		}
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
	bool ok = proto_msg_id (r) == PROTO_REPLY && proto_get_num (r, PROTO_REPLY_STATUS) < PROTO_REFUSED;
	const char *step = proto_get_str (req, PROTO_SCAN_STEP);
	if (strcmp (step, "enquiry") == 0) {
		/* The list for F1 (Lines): every line of the order, to pick the short one. */
		if (!ok) {
			term_show_reply (t, r);
			t->stage = LOC_LOCATION;
			term_flow_locate_body (t);
			return;
		}
		t->nlist = 0;
		long n = atol (term_data (r, "lines"));
		for (long i = 1; i <= n && t->nlist < TERM_LIST_MAX; i++) {
			char key[32];
			snprintf (key, sizeof key, "line.%ld", i);
			util_strlcpy (t->list[t->nlist++], term_data (r, key), sizeof t->list[0]);
		}
		t->stage = LOC_PICK;
		term_message (t, TM_INFO, "Which line is short? Type its number");
		term_flow_locate_body (t);
		return;
	}
	term_show_reply (t, r);
	if (!ok)
		return;
	const char *next = term_data (r, "next");
	bool receive = strcmp (step, "receive") == 0;
	if (strcmp (next, "item") == 0) {
		t->stage = LOC_ITEM;
		term_ctx_set (t, "found_n", term_data (r, "found"));
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
	if ((t->stage == LOC_LOCATION || t->stage == LOC_ITEM) && key == TK_F1) {
		/* The lines come from enquiry: looking is always allowed and changes nothing. */
		struct term_input_event e = { .type = TI_SCAN, .manual = false };
		snprintf (e.code, sizeof e.code, "%s", term_ctx_get (t, "order"));
		term_send_scan (t, "enquiry", &e, NULL);
		return true;
	}
	if (t->stage >= LOC_PICK && key == TK_F3) {
		/* Back one step of the pick; from the list, back to the line the hub named. */
		t->stage = t->stage == LOC_PICK ? LOC_LOCATION : t->stage - 1;
		term_flow_locate_body (t);
		return true;
	}
	if (t->stage == LOC_COUNT_OK && key == TK_F1) {
		/* The count stands for the item scans: sent with the line's SKU, marked as typed. */
		struct term_input_event e = { .type = TI_SCAN, .manual = true };
		snprintf (e.code, sizeof e.code, "%s", term_ctx_get (t, "sku"));
		term_send_scan (t, "locate", &e, "order", term_ctx_get (t, "order"), "line", term_ctx_get (t, "line"),
		    "count", term_ctx_get (t, "found"), NULL);
		t->stage = LOC_ITEM;
		return true;
	}
	if (t->stage == LOC_COUNT_OK && key == TK_F3) {
		t->stage = LOC_ITEM;
		term_flow_locate_body (t);
		return true;
	}
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
	static const char *const prompts[] = {
		[LOC_TICKET] = "Scan ticket",
		[LOC_LOCATION] = "Scan location",
		[LOC_ITEM] = "Scan item",
		[LOC_SHORT_QTY] = "Qty found",
		[LOC_PICK] = "Line no.",
		[LOC_PICK_QTY] = "Qty found",
		[LOC_PICK_SCAN] = "Scan location",
		[LOC_COUNT_OK] = "F1 confirms",
	};
	bool number = t->stage == LOC_SHORT_QTY || t->stage == LOC_PICK || t->stage == LOC_PICK_QTY;
	t->field = number ? TF_NUMBER : TF_CODE;
	v->prompt = prompts[t->stage];
	v->keys[2] = "Back";
	if (t->stage == LOC_COUNT_OK) {
		t->field = TF_NONE;
		v->keys[0] = "Confirm";
		return;
	}
	if (t->stage == LOC_LOCATION || t->stage == LOC_ITEM)
		v->keys[0] = "Lines";
	if (t->stage == LOC_ITEM) {
		v->keys[1] = "Dmgd";
		v->keys[3] = atol (term_ctx_get (t, "qty")) > 1 ? "Count" : "Short";
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
