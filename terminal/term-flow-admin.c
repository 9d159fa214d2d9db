/*
 * term-flow-admin.c: hold, release, note, reprint, price and undo: a code,
 * then (for some) words or an amount; undo takes only a reason.
 */
#include "config.h"
#include "term-flow.h"
#include "screens.h"

#include <ctype.h>
#include <string.h>

enum { ADMIN_CODE, ADMIN_TEXT };

/* One table row per screen: the command, its arguments (NULL: none) and prompts. */
static const struct term_flow_admin {
	const char *flow;
	const char *command;
	const char *code_arg;
	const char *text_arg;
	const char *code_prompt;
	const char *text_prompt;
	const char *help;        /* a body line while the code is asked (NULL: none) */
	bool money;              /* the text is an amount in pounds (12.50) */
} term_flow_admins[] = {
	{ "hold", "hold", "code", "reason", "Scan to hold", "Reason", NULL, false },
	{ "release", "release", "code", "reason", "Scan to release", "Reason", NULL, false },
	{ "note", "note", "code", "text", "Scan for note", "Note", NULL, false },
	{ "reprint", "reprint", "parcel", NULL, "Scan parcel", NULL, NULL, false },
	{ "price", "price", "order", "amount", "Scan ticket", "Amount", "Delivery charge", true },
	{ "undo", "undo", NULL, "reason", NULL, "Reason", "Undo your last step", false },
};

static const struct term_flow_admin *
term_flow_admin_find (struct term *t)
{
	for (size_t i = 0; i < sizeof term_flow_admins / sizeof term_flow_admins[0]; i++)
		if (strcmp (term_flow_admins[i].flow, t->flow->name) == 0)
			return &term_flow_admins[i];
	return &term_flow_admins[0];
}

/* Pounds and pence as the hub takes them: 12, 12.5, 12.50. */
static bool
term_flow_admin_money (const char *s)
{
	size_t i = 0, d = 0;
	while (isdigit ((unsigned char) s[i]))
		i++;
	if (i == 0)
		return false;
	if (s[i] == '.')
		for (i++; isdigit ((unsigned char) s[i]); i++)
			d++;
	return s[i] == '\0' && d <= 2 && (s[i - 1] != '.');
}

/* Back to the first question, with the screen's help line. */
static void
term_flow_admin_start (struct term *t)
{
	const struct term_flow_admin *a = term_flow_admin_find (t);
	t->stage = a->code_arg ? ADMIN_CODE : ADMIN_TEXT;
	term_body_clear (t);
	if (a->help)
		term_body_add (t, TA_NORMAL, "%s", a->help);
}

static void
term_flow_admin_entry (struct term *t, const struct term_input_event *ev)
{
	const struct term_flow_admin *a = term_flow_admin_find (t);
	if (t->stage == ADMIN_CODE && a->text_arg) {
		term_ctx_set (t, "code", ev->code);
		t->stage = ADMIN_TEXT;
		term_body_clear (t);
		if (a->help)
			term_body_add (t, TA_NORMAL, "%s", a->help);
		term_body_add (t, TA_SELECT, "%s", ev->code);
		return;
	}
	if (a->money && !term_flow_admin_money (ev->code)) {
		term_message (t, TM_REFUSED, "Amount in pounds and pence, like 12.50");
		return;
	}
	if (a->code_arg == NULL)
		term_send_command (t, a->command, a->text_arg, ev->code, NULL);
	else if (a->text_arg)
		term_send_command (t, a->command, a->code_arg, term_ctx_get (t, "code"), a->text_arg, ev->code, NULL);
	else
		term_send_command (t, a->command, a->code_arg, ev->code, NULL);
}

static void
term_flow_admin_reply (struct term *t, const proto_msg_t *req, const proto_msg_t *r)
{
	(void) req;
	term_flow_admin_start (t);
	term_show_reply (t, r);
}

static bool
term_flow_admin_key (struct term *t, int key)
{
	const struct term_flow_admin *a = term_flow_admin_find (t);
	if (key == TK_F3 && t->stage == ADMIN_TEXT && a->code_arg) {
		term_flow_admin_start (t);
		return true;
	}
	return false;
}

static void
term_flow_admin_view (struct term *t, struct term_view *v)
{
	const struct term_flow_admin *a = term_flow_admin_find (t);
	t->field = t->stage == ADMIN_CODE ? TF_CODE : a->money ? TF_NUMBER : TF_TEXT;
	v->prompt = t->stage == ADMIN_CODE ? a->code_prompt : a->text_prompt;
	if (t->stage == ADMIN_TEXT && a->money)
		v->prompt_example = "12.50"; /* pounds and pence: an example, not a default */
	v->keys[2] = "Back";
}

#define TERM_FLOW_ADMIN(id, ttl, perm, label) \
	const struct term_flow term_flow_##id = { \
		.name = #id, \
		.title = ttl, \
		.permission = perm, \
		.menu = label, \
		.enter = term_flow_admin_start, \
		.entry = term_flow_admin_entry, \
		.key = term_flow_admin_key, \
		.reply = term_flow_admin_reply, \
		.view = term_flow_admin_view, \
	}

TERM_FLOW_ADMIN (hold, "HOLD", "hold", SCREEN_HOLD);
TERM_FLOW_ADMIN (release, "RELEASE", "release", SCREEN_RELEASE);
TERM_FLOW_ADMIN (note, "NOTE", "note", "Note");
TERM_FLOW_ADMIN (reprint, "REPRINT", "reprint", SCREEN_REPRINT);
TERM_FLOW_ADMIN (price, "PRICE", "price", SCREEN_PRICE);
TERM_FLOW_ADMIN (undo, "UNDO", "undo", "Undo last step");
