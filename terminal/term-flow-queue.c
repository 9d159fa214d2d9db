/*
 * term-flow-queue.c: the work queues. Locate queue: the orders waiting to
 * be located, oldest first, one row per department (F2 keeps to one);
 * its key, or F1 for the oldest, opens Locate on that order. Pack queue:
 * the orders ready at this bench or its station group; F1 starts the one
 * the hub names next at Pack, a row's key starts that one. Consolidation:
 * an order's lines from every department, where each is and the parcel it
 * went into.
 */
#include "config.h"
#include "term-flow.h"
#include "screens.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { QUEUE_LIST, QUEUE_FILTER };

/* --- locate queue --------------------------------------------------------------- */

static void
term_flow_locateq_refresh (struct term *t)
{
	term_send_command (t, "queue-locate", "department", term_ctx_get (t, "department"), NULL);
}

static void
term_flow_locateq_enter (struct term *t)
{
	t->nlist = 0;
	term_flow_locateq_refresh (t);
}

static void
term_flow_locateq_reply (struct term *t, const proto_msg_t *req, const proto_msg_t *r)
{
	(void) req;
	term_show_reply (t, r);
	if (proto_msg_id (r) == PROTO_REPLY && proto_get_num (r, PROTO_REPLY_STATUS) < PROTO_REFUSED)
		term_flow_list_show (t, r, "locate", "queue", "Nothing to locate");
}

/* Locate, on the row's order: the first of its lines still to find. */
static void
term_flow_locateq_take (struct term *t, int i)
{
	char ref[64];
	term_flow_list_field (t, i, 0, ref, sizeof ref);
	term_flow_start (t, "locate", ref);
}

static bool
term_flow_locateq_key (struct term *t, int key)
{
	if (term_busy (t) && key != TK_F3)
		return true;
	if (t->stage == QUEUE_FILTER) {
		if (key == TK_ENTER) {
			term_ctx_set (t, "department", "");
			t->stage = QUEUE_LIST;
			term_flow_locateq_refresh (t);
			return true;
		}
		if (key == TK_F3) {
			t->stage = QUEUE_LIST;
			return true;
		}
		return false;
	}
	int i = term_flow_list_pick (t, key);
	if (i >= 0) {
		term_flow_locateq_take (t, i);
		return true;
	}
	if (key == TK_F1) {
		/* The oldest that is not held. */
		for (i = 0; i < t->nlist; i++) {
			char flag[16];
			term_flow_list_field (t, i, 7, flag, sizeof flag);
			if (strcmp (flag, "held") != 0)
				break;
		}
		if (i < t->nlist)
			term_flow_locateq_take (t, i);
		else
			term_message (t, TM_INFO, "Nothing to locate%s", t->nlist ? " that is not held" : "");
		return true;
	}
	if (key == TK_F2) {
		t->stage = QUEUE_FILTER;
		return true;
	}
	if (key == TK_F4) {
		term_flow_locateq_refresh (t);
		return true;
	}
	return false;
}

static void
term_flow_locateq_entry (struct term *t, const struct term_input_event *ev)
{
	if (t->stage != QUEUE_FILTER)
		return;
	term_ctx_set (t, "department", ev->code);
	t->stage = QUEUE_LIST;
	term_flow_locateq_refresh (t);
}

static void
term_flow_locateq_view (struct term *t, struct term_view *v)
{
	static char title[TEXT_BYTES (TEXT_TOWN_MAX) + 16];
	const char *dept = term_ctx_get (t, "department");
	snprintf (title, sizeof title, "TO LOCATE%s%s", *dept ? ": " : "", dept); /* the title bar cuts it */
	v->title = title;
	if (t->stage == QUEUE_FILTER) {
		t->field = TF_TEXT;
		v->prompt = "Department";
		v->prompt_default = "all";
		v->keys[2] = "Back";
		return;
	}
	t->field = TF_NONE;
	v->keys[0] = "Next";
	v->keys[1] = "Dept";
	v->keys[2] = "Back";
	v->keys[3] = "Refresh";
}

const struct term_flow term_flow_locateq = {
	.name = "locateq",
	.title = "TO LOCATE",
	.permission = "queue-locate",
	.menu = SCREEN_LOCATE_QUEUE,
	.enter = term_flow_locateq_enter,
	.entry = term_flow_locateq_entry,
	.key = term_flow_locateq_key,
	.reply = term_flow_locateq_reply,
	.view = term_flow_locateq_view,
};

/* --- pack queue ------------------------------------------------------------------ */

static void
term_flow_packq_refresh (struct term *t)
{
	term_send_command (t, "queue-pack", "all", term_ctx_get (t, "all"), NULL);
}

static void
term_flow_packq_enter (struct term *t)
{
	t->nlist = 0;
	term_flow_packq_refresh (t);
}

static void
term_flow_packq_reply (struct term *t, const proto_msg_t *req, const proto_msg_t *r)
{
	(void) req;
	term_show_reply (t, r);
	if (proto_msg_id (r) != PROTO_REPLY || proto_get_num (r, PROTO_REPLY_STATUS) >= PROTO_REFUSED)
		return;
	term_ctx_set (t, "next", term_data (r, "next"));
	term_flow_list_show (t, r, "pack", "queue", "Nothing ready to pack");
}

static bool
term_flow_packq_key (struct term *t, int key)
{
	if (term_busy (t) && key != TK_F3)
		return true;
	int i = term_flow_list_pick (t, key);
	if (i >= 0) {
		char ref[64];
		term_flow_list_field (t, i, 0, ref, sizeof ref);
		term_flow_start (t, "pack", ref);
		return true;
	}
	if (key == TK_F1) {
		/* One key: the order the hub says this bench takes next. */
		char next[64];
		util_strlcpy (next, term_ctx_get (t, "next"), sizeof next);
		if (*next)
			term_flow_start (t, "pack", next);
		else
			term_message (t, TM_INFO, "Nothing free to pack here");
		return true;
	}
	if (key == TK_F2) {
		term_ctx_set (t, "all", *term_ctx_get (t, "all") ? "" : "1");
		term_flow_packq_refresh (t);
		return true;
	}
	if (key == TK_F4) {
		term_flow_packq_refresh (t);
		return true;
	}
	return false;
}

static void
term_flow_packq_view (struct term *t, struct term_view *v)
{
	t->field = TF_NONE;
	v->title = *term_ctx_get (t, "all") ? "TO PACK: ALL" : "TO PACK";
	if (*term_ctx_get (t, "next"))
		v->keys[0] = "Next";
	v->keys[1] = *term_ctx_get (t, "all") ? "Mine" : "All";
	v->keys[2] = "Back";
	v->keys[3] = "Refresh";
}

const struct term_flow term_flow_packq = {
	.name = "packq",
	.title = "TO PACK",
	.permission = "pack",
	.menu = SCREEN_PACK_QUEUE,
	.enter = term_flow_packq_enter,
	.key = term_flow_packq_key,
	.reply = term_flow_packq_reply,
	.view = term_flow_packq_view,
};

/* --- consolidation --------------------------------------------------------------- */

static void
term_flow_consol_entry (struct term *t, const struct term_input_event *ev)
{
	term_send_command (t, "consolidation", "order", ev->code, NULL);
}

/* The order, its departments, then each line: department, state, where, parcel. */
static void
term_flow_consol_show (struct term *t, const proto_msg_t *r)
{
	term_body_clear (t);
	term_side_clear (t);
	t->nlist = 0;
	long parcels = atol (term_data (r, "parcels"));
	term_body_add (t, TA_SELECT, "%s %s, %ld parcel%s", term_data (r, "order"), term_data (r, "customer"), parcels,
	    parcels == 1 ? "" : "s");
	char line[TERM_LINE_MAX], key[32];
	long n = atol (term_data (r, "departments"));
	for (long i = 1; i <= n; i++) {
		snprintf (key, sizeof key, "dept.%ld", i);
		int attr = term_flow_row_text (key, term_data (r, key), line, sizeof line);
		term_body_add (t, attr, "%s", line);
	}
	n = atol (term_data (r, "lines"));
	for (long i = 1; i <= n; i++) {
		snprintf (key, sizeof key, "cons.%ld", i);
		int attr = term_flow_row_text (key, term_data (r, key), line, sizeof line);
		term_body_add (t, attr, "%s", line);
	}
	term_ctx_set (t, "order", term_data (r, "order"));
	term_ctx_set (t, "next", term_data (r, "next"));
}

static void
term_flow_consol_reply (struct term *t, const proto_msg_t *req, const proto_msg_t *r)
{
	(void) req;
	term_show_reply (t, r);
	if (proto_msg_id (r) == PROTO_REPLY && proto_get_num (r, PROTO_REPLY_STATUS) < PROTO_REFUSED) {
		term_flow_consol_show (t, r);
		t->stage = 1;
	}
}

static bool
term_flow_consol_key (struct term *t, int key)
{
	if (key == TK_F4 && strcmp (term_ctx_get (t, "next"), "pack") == 0) {
		char ref[64];
		util_strlcpy (ref, term_ctx_get (t, "order"), sizeof ref);
		term_flow_start (t, "pack", ref);
		return true;
	}
	if (key == TK_F3 && t->stage == 1) {
		t->stage = 0;
		term_body_clear (t);
		term_ctx_set (t, "next", "");
		return true;
	}
	return false;
}

static void
term_flow_consol_view (struct term *t, struct term_view *v)
{
	t->field = TF_CODE;
	v->prompt = "Scan ticket";
	v->keys[2] = "Back";
	if (strcmp (term_ctx_get (t, "next"), "pack") == 0 && term_may (t, "pack"))
		v->keys[3] = "Pack";
}

const struct term_flow term_flow_consol = {
	.name = "consol",
	.title = "CONSOLIDATION",
	.permission = "consolidation",
	.menu = SCREEN_CONSOLIDATION,
	.entry = term_flow_consol_entry,
	.key = term_flow_consol_key,
	.reply = term_flow_consol_reply,
	.view = term_flow_consol_view,
};
