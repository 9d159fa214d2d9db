/* term-flow-admin.c: hold, release, note and reprint: a code, then (for some) words. */
#include "config.h"
#include "term-flow.h"

#include <string.h>

/* One table row per screen: the command, its second argument (NULL: none) and prompts. */
static const struct term_flow_admin {
	const char *flow;
	const char *command;
	const char *code_arg;
	const char *text_arg;
	const char *code_prompt;
	const char *text_prompt;
} term_flow_admins[] = {
	{ "hold", "hold", "code", "reason", "Scan to hold", "Reason" },
	{ "release", "release", "code", "reason", "Scan to release", "Reason" },
	{ "note", "note", "code", "text", "Scan for note", "Note" },
	{ "reprint", "reprint", "parcel", NULL, "Scan parcel", NULL },
};

static const struct term_flow_admin *
term_flow_admin_find (struct term *t)
{
	for (size_t i = 0; i < sizeof term_flow_admins / sizeof term_flow_admins[0]; i++)
		if (strcmp (term_flow_admins[i].flow, t->flow->name) == 0)
			return &term_flow_admins[i];
	return &term_flow_admins[0];
}

static void
term_flow_admin_entry (struct term *t, const struct term_input_event *ev)
{
	const struct term_flow_admin *a = term_flow_admin_find (t);
	if (t->stage == 0 && a->text_arg) {
		term_ctx_set (t, "code", ev->code);
		t->stage = 1;
		term_body_clear (t);
		term_body_add (t, TA_SELECT, "%s", ev->code);
		return;
	}
	if (a->text_arg)
		term_send_command (t, a->command, a->code_arg, term_ctx_get (t, "code"), a->text_arg, ev->code, NULL);
	else
		term_send_command (t, a->command, a->code_arg, ev->code, NULL);
}

static void
term_flow_admin_reply (struct term *t, const proto_msg_t *req, const proto_msg_t *r)
{
	(void) req;
	term_show_reply (t, r);
	t->stage = 0;
	term_body_clear (t);
}

static bool
term_flow_admin_key (struct term *t, int key)
{
	if (key == TK_F3 && t->stage == 1) {
		t->stage = 0;
		term_body_clear (t);
		return true;
	}
	return false;
}

static void
term_flow_admin_view (struct term *t, struct term_view *v)
{
	const struct term_flow_admin *a = term_flow_admin_find (t);
	t->field = t->stage == 0 ? TF_CODE : TF_TEXT;
	v->prompt = t->stage == 0 ? a->code_prompt : a->text_prompt;
	v->keys[2] = "Back";
}

#define TERM_FLOW_ADMIN(id, ttl, perm, label) \
	const struct term_flow term_flow_##id = { \
		.name = #id, \
		.title = ttl, \
		.permission = perm, \
		.menu = label, \
		.entry = term_flow_admin_entry, \
		.key = term_flow_admin_key, \
		.reply = term_flow_admin_reply, \
		.view = term_flow_admin_view, \
	}

TERM_FLOW_ADMIN (hold, "HOLD", "hold", "Hold");
TERM_FLOW_ADMIN (release, "RELEASE", "release", "Release");
TERM_FLOW_ADMIN (note, "NOTE", "note", "Note");
TERM_FLOW_ADMIN (reprint, "REPRINT", "reprint", "Reprint label");
