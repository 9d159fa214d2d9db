/* term-flow-scan.c: receive (tickets arriving) and enquiry (scan anything). */
#include "config.h"
#include "term-flow.h"

#include <stdio.h>
#include <string.h>

/* The line to locate next, as the hub gives it after receive and locate. */
static void
term_flow_scan_next_line (struct term *t, const proto_msg_t *r)
{
	if (*term_data (r, "customer"))
		term_body_add (t, TA_NORMAL, "%s", term_data (r, "customer"));
	if (*term_data (r, "next"))
		term_body_add (t, TA_NORMAL, "Next: %s", term_data (r, "next"));
	if (*term_data (r, "location"))
		term_body_add (t, TA_SELECT, "Go to %s", term_data (r, "location"));
	if (*term_data (r, "sku"))
		term_body_add (t, TA_NORMAL, "%s x%s %s", term_data (r, "sku"), term_data (r, "qty"),
		    term_data (r, "description"));
}

static void
term_flow_receive_entry (struct term *t, const struct term_input_event *ev)
{
	term_send_scan (t, "receive", ev, NULL);
}

static void
term_flow_receive_reply (struct term *t, const proto_msg_t *req, const proto_msg_t *r)
{
	(void) req;
	term_show_reply (t, r);
	term_body_clear (t);
	term_side_clear (t);
	if (proto_msg_id (r) != PROTO_REPLY || proto_get_num (r, PROTO_REPLY_STATUS) >= PROTO_REFUSED)
		return;
	term_ctx_set (t, "order", term_data (r, "order"));
	term_ctx_set (t, "line", term_data (r, "line"));
	term_ctx_set (t, "location", term_data (r, "location"));
	term_ctx_set (t, "sku", term_data (r, "sku"));
	term_ctx_set (t, "description", term_data (r, "description"));
	term_ctx_set (t, "qty", term_data (r, "qty"));
	term_flow_scan_next_line (t, r);
	term_flow_data_lines (t, r, true);
}

static bool
term_flow_receive_key (struct term *t, int key)
{
	/* F4: go and locate the order just received. */
	if (key == TK_F4 && *term_ctx_get (t, "order")) {
		char saved[TERM_CTX_MAX][2][96];
		memcpy (saved, t->ctx, sizeof saved);
		/* The locate screen starts from this order's line: hand the context over. */
		const struct term_flow *f = term_flow_find (t, "locate");
		memcpy (t->ctx, saved, sizeof saved);
		t->flow = f;
		t->stage = 0;
		term_body_clear (t);
		term_side_clear (t);
		f->enter (t);
		return true;
	}
	return false;
}

static void
term_flow_receive_view (struct term *t, struct term_view *v)
{
	t->field = TF_CODE;
	v->prompt = "Scan ticket";
	v->keys[2] = "Back";
	if (*term_ctx_get (t, "order") && term_flow_find (t, "locate"))
		v->keys[3] = "Locate";
}

const struct term_flow term_flow_receive = {
	.name = "receive",
	.title = "RECEIVE",
	.permission = "receive",
	.menu = "Receive",
	.offline_ok = true,
	.entry = term_flow_receive_entry,
	.key = term_flow_receive_key,
	.reply = term_flow_receive_reply,
	.view = term_flow_receive_view,
};

/* --- enquiry ---------------------------------------------------------------- */

static void
term_flow_enquiry_entry (struct term *t, const struct term_input_event *ev)
{
	term_send_scan (t, "enquiry", ev, NULL);
}

static void
term_flow_enquiry_reply (struct term *t, const proto_msg_t *req, const proto_msg_t *r)
{
	(void) req;
	term_show_reply (t, r);
	term_body_clear (t);
	term_side_clear (t);
	term_flow_data_lines (t, r, false);
}

static void
term_flow_enquiry_view (struct term *t, struct term_view *v)
{
	t->field = TF_CODE;
	v->prompt = "Scan anything";
	v->keys[2] = "Back";
}

const struct term_flow term_flow_enquiry = {
	.name = "enquiry",
	.title = "ENQUIRY",
	.permission = "enquiry",
	.menu = "Enquiry",
	.entry = term_flow_enquiry_entry,
	.reply = term_flow_enquiry_reply,
	.view = term_flow_enquiry_view,
};
