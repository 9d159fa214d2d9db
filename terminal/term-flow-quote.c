/*
 * term-flow-quote.c: quote (every service that can take an order, with its
 * price) and override (a supervisor picks the order's carrier and service
 * from that list, or types them, and gives a reason).
 */
#include "config.h"
#include "term-flow.h"
#include "screens.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { QUOTE_CODE, QUOTE_PICK, QUOTE_REASON };

/*
 * The reply's eligible services as body lines ("6.20 dpd/next Next day"),
 * numbered when picking; t->list keeps each line's carrier/service.
 */
static int
term_flow_quote_list (struct term *t, const proto_msg_t *r, bool numbered)
{
	long n = 0;
	t->nlist = 0;
	if (!util_parse_long (term_data (r, "quotes"), 0, 1000, &n))
		n = 0;
	for (long i = 1; i <= n; i++) {
		char key[32], v[TERM_LINE_MAX];
		snprintf (key, sizeof key, "quote.%ld", i);
		util_strlcpy (v, term_data (r, key), sizeof v);
		/* carrier/service|price|date|name; "-" for the price: cannot take it. */
		char *f[4] = { v, NULL, NULL, NULL };
		for (int j = 1; j < 4; j++) {
			f[j] = f[j - 1] ? strchr (f[j - 1], '|') : NULL;
			if (f[j])
				*f[j]++ = '\0';
		}
		if (f[3] == NULL || strcmp (f[1], "-") == 0 || t->nlist >= TERM_LIST_MAX)
			continue;
		util_strlcpy (t->list[t->nlist++], f[0], sizeof t->list[0]);
		if (numbered)
			term_body_add (t, TA_NORMAL | TA_NOWRAP, "%d %s %s %s", t->nlist, f[1], f[0], f[3]);
		else
			term_body_add (t, TA_NORMAL | TA_NOWRAP, "%s %s %s", f[1], f[0], f[3]);
	}
	if (t->nlist == 0)
		term_body_add (t, TA_ERROR, "No service can take it");
	return t->nlist;
}

static void
term_flow_quote_start (struct term *t)
{
	t->stage = QUOTE_CODE;
	t->nlist = 0;
	term_body_clear (t);
}

static void
term_flow_quote_entry (struct term *t, const struct term_input_event *ev)
{
	if (t->stage == QUOTE_CODE) {
		term_ctx_set (t, "code", ev->code);
		term_send_command (t, "quote", "order", ev->code, NULL);
		return;
	}
	if (t->stage == QUOTE_PICK) {
		/* A number off the list, or carrier/service (or carrier service) typed. */
		char carrier[64], *svc;
		long pick;
		if (util_parse_long (ev->code, 1, t->nlist, &pick))
			util_strlcpy (carrier, t->list[pick - 1], sizeof carrier);
		else
			util_strlcpy (carrier, ev->code, sizeof carrier);
		svc = strpbrk (carrier, "/ ");
		if (svc == NULL || svc == carrier || svc[1] == '\0') {
			term_message (t, TM_REFUSED, "A number from the list, or carrier/service");
			return;
		}
		*svc++ = '\0';
		term_ctx_set (t, "carrier", carrier);
		term_ctx_set (t, "service", svc);
		t->stage = QUOTE_REASON;
		term_body_clear (t);
		term_body_add (t, TA_NORMAL, "Order %s", term_ctx_get (t, "order"));
		term_body_add (t, TA_SELECT, "%s/%s", carrier, svc);
		return;
	}
	term_send_command (t, "override", "order", term_ctx_get (t, "order"), "carrier", term_ctx_get (t, "carrier"),
	    "service", term_ctx_get (t, "service"), "reason", ev->code, NULL);
}

static void
term_flow_quote_reply (struct term *t, const proto_msg_t *req, const proto_msg_t *r)
{
	(void) req;
	bool ok = proto_msg_id (r) == PROTO_REPLY && proto_get_num (r, PROTO_REPLY_STATUS) < PROTO_REFUSED;
	bool override = strcmp (t->flow->name, "override") == 0;
	term_show_reply (t, r);
	if (t->stage == QUOTE_REASON) {
		/* The hub's answer to the override stays on the screen. */
		term_flow_quote_start (t);
		if (ok)
			term_body_add (t, TA_SELECT, "%s: %s/%s", term_data (r, "order"), term_data (r, "carrier"),
			    term_data (r, "service"));
		return;
	}
	term_body_clear (t);
	if (!ok)
		return;
	term_ctx_set (t, "order", term_data (r, "order"));
	term_body_add (t, TA_NORMAL, "Order %s", term_data (r, "order"));
	if (term_flow_quote_list (t, r, override) > 0 || override)
		t->stage = override ? QUOTE_PICK : QUOTE_CODE;
}

static bool
term_flow_quote_key (struct term *t, int key)
{
	if (key == TK_F3 && t->stage != QUOTE_CODE) {
		term_flow_quote_start (t);
		return true;
	}
	return false;
}

static void
term_flow_quote_view (struct term *t, struct term_view *v)
{
	static const char *const prompts[] = { "Scan ticket/label", "No. or carrier/svc", "Reason" };
	t->field = t->stage == QUOTE_CODE ? TF_CODE : TF_TEXT;
	v->prompt = strcmp (t->flow->name, "override") == 0 && t->stage == QUOTE_CODE ? "Scan ticket"
		: prompts[t->stage];
	v->keys[2] = "Back";
}

const struct term_flow term_flow_quote = {
	.name = "quote",
	.title = "QUOTE",
	.permission = "quote",
	.menu = "Quote",
	.enter = term_flow_quote_start,
	.entry = term_flow_quote_entry,
	.key = term_flow_quote_key,
	.reply = term_flow_quote_reply,
	.view = term_flow_quote_view,
};

const struct term_flow term_flow_override = {
	.name = "override",
	.title = "OVERRIDE",
	.permission = "override",
	.menu = SCREEN_OVERRIDE,
	.enter = term_flow_quote_start,
	.entry = term_flow_quote_entry,
	.key = term_flow_quote_key,
	.reply = term_flow_quote_reply,
	.view = term_flow_quote_view,
};
