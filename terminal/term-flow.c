/* term-flow.c: login, the menu and the rejected list, and what every screen shares. */
#include "config.h"
#include "term-flow.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* How the hub's answer data reads on screen: known keys get a word a packer
 * knows; the next-line keys are left out of a side panel (the screen's body
 * shows that line); any other key is shown as it came, so nothing is lost. */
static const struct {
	const char *key, *label;
	bool side; /* shown in the side panel too */
	int attr;
} term_flow_data_keys[] = {
	{ "order", "Order", true, TA_NORMAL },
	{ "status", "Status", true, TA_NORMAL },
	{ "customer", "Customer", true, TA_NORMAL },
	{ "channel", "Channel", true, TA_NORMAL },
	{ "service", "Service", true, TA_NORMAL },
	{ "next", "Next step", true, TA_NORMAL },
	{ "hold", "HELD", true, TA_WARN },
	{ "held_by", "Held by", true, TA_WARN },
	{ "by", "By", true, TA_NORMAL },
	{ "parcels", "Parcels", true, TA_NORMAL },
	{ "parcel", "Parcel", true, TA_NORMAL },
	{ "parcel_no", "Parcel no.", true, TA_NORMAL },
	{ "parcel_status", "Parcel status", true, TA_NORMAL },
	{ "sscc", "SSCC", true, TA_NORMAL },
	{ "tracking", "Tracking", true, TA_NORMAL },
	{ "carrier", "Carrier", true, TA_NORMAL },
	{ "cage", "Cage", true, TA_NORMAL },
	{ "weight", "Weight g", true, TA_NORMAL },
	{ "tracking_status", "Carrier says", true, TA_NORMAL },
	{ "tracking_at", "At", true, TA_NORMAL },
	{ "tracking_location", "Where", true, TA_NORMAL },
	{ "lines", NULL, false, TA_NORMAL }, /* the rows show these */
	{ "events", NULL, false, TA_NORMAL },
	{ "notes", NULL, false, TA_NORMAL },
	{ "tracks", NULL, false, TA_NORMAL },
	{ "line", "Next line", false, TA_NORMAL },
	{ "sku", "SKU", false, TA_NORMAL },
	{ "description", "Item", false, TA_NORMAL },
	{ "department", "Department", false, TA_NORMAL },
	{ "qty", "Qty", false, TA_NORMAL },
	{ "location", "Go to", false, TA_NORMAL },
	{ "locations", "Locations", false, TA_NORMAL },
};

static void
term_flow_data_add (struct term *t, bool side, int attr, const char *fmt, ...) __attribute__ ((format (printf, 4, 5)));

static void
term_flow_data_add (struct term *t, bool side, int attr, const char *fmt, ...)
{
	char buf[TERM_LINE_MAX];
	va_list ap;
	va_start (ap, fmt);
	vsnprintf (buf, sizeof buf, fmt, ap);
	va_end (ap);
	if (side)
		term_side_add (t, attr, "%s", buf);
	else
		term_body_add (t, attr, "%s", buf);
}

void
term_flow_row_split (const char *v, term_flow_row_t f)
{
	for (int k = 0; k < TERM_FLOW_ROW_FIELDS; k++) {
		size_t len = strcspn (v, "|");
		snprintf (f[k], sizeof f[k], "%.*s", (int) len, v);
		v += len;
		if (*v == '|')
			v++;
	}
}

/* line.N = status|sku|qty|department|locations|description: "N SKU xQ
 * Department", with its state once it is no longer open. */
static void
term_flow_row_line (struct term *t, bool side, const char *n, term_flow_row_t f)
{
	bool open = strcmp (f[0], "open") == 0, found = strcmp (f[0], "found") == 0;
	term_flow_data_add (t, side, open ? TA_NORMAL : found ? TA_DIM : TA_WARN, "%s %s x%s %s%s%s", n, f[1], f[2], f[3],
	    open ? "" : " ", open ? "" : f[0]);
}

/* HH:MM of an ISO time as the hub sends it (2026-11-22T16:15:00Z). */
static const char *
term_flow_row_hhmm (const char *iso)
{
	return strlen (iso) > 11 ? iso + 11 : iso;
}

/* history.N = ISO time|operator|station|action|detail: "HH:MM action detail". */
static void
term_flow_row_history (struct term *t, bool side, const char *n, term_flow_row_t f)
{
	(void) n;
	term_flow_data_add (t, side, TA_NORMAL, "%.5s %s %s (%s)", term_flow_row_hhmm (f[0]), f[3], f[4], f[1]);
}

/* note.N = ISO time|by|text. */
static void
term_flow_row_note (struct term *t, bool side, const char *n, term_flow_row_t f)
{
	(void) n;
	term_flow_data_add (t, side, TA_WARN, "Note %.5s %s: %s", term_flow_row_hhmm (f[0]), f[1], f[2]);
}

/* track.N = ISO time|parcel|event|detail|status|carrier's time|location. */
static void
term_flow_row_track (struct term *t, bool side, const char *n, term_flow_row_t f)
{
	(void) n;
	term_flow_data_add (t, side, TA_NORMAL, "%.5s %s %s %s", term_flow_row_hhmm (f[0]), f[1], f[4],
	    f[6]);
}

static const struct {
	const char *prefix;
	void (*show) (struct term *, bool, const char *, term_flow_row_t);
} term_flow_data_rows[] = {
	{ "line.", term_flow_row_line },
	{ "history.", term_flow_row_history },
	{ "note.", term_flow_row_note },
	{ "track.", term_flow_row_track },
};

void
term_flow_data_lines (struct term *t, const proto_msg_t *reply, bool side)
{
	size_t n = proto_msg_id (reply) == PROTO_REPLY ? proto_hash_size (reply, PROTO_REPLY_DATA) : 0;
	for (size_t i = 0; i < n; i++) {
		const char *k = proto_hash_key (reply, PROTO_REPLY_DATA, i);
		const char *v = proto_hash_value (reply, PROTO_REPLY_DATA, i);
		size_t r = 0;
		while (r < nitems (term_flow_data_rows) && (strncmp (k, term_flow_data_rows[r].prefix,
		        strlen (term_flow_data_rows[r].prefix)) != 0 || k[strlen (term_flow_data_rows[r].prefix)] == '\0'))
			r++;
		if (r < nitems (term_flow_data_rows)) {
			term_flow_row_t f;
			term_flow_row_split (v, f);
			term_flow_data_rows[r].show (t, side, k + strlen (term_flow_data_rows[r].prefix), f);
			continue;
		}
		size_t j = 0;
		while (j < nitems (term_flow_data_keys) && strcmp (term_flow_data_keys[j].key, k) != 0)
			j++;
		if (j == nitems (term_flow_data_keys))
			term_flow_data_add (t, side, TA_NORMAL, "%s: %s", k, v);
		else if (term_flow_data_keys[j].label && (!side || term_flow_data_keys[j].side))
			term_flow_data_add (t, side, term_flow_data_keys[j].attr, "%s: %s", term_flow_data_keys[j].label, v);
	}
}

/* --- login: badge, then PIN ---------------------------------------------- */

static void
term_flow_login_entry (struct term *t, const struct term_input_event *ev)
{
	if (t->stage == 0) {
		term_ctx_set (t, "badge", ev->code);
		t->stage = 1;
		term_message (t, TM_INFO, "Badge %.20s: now your PIN", ev->code);
		return;
	}
	term_send_login (t, term_ctx_get (t, "badge"), ev->code);
}

static bool
term_flow_login_key (struct term *t, int key)
{
	if (key == TK_F3 && t->stage == 1) {
		t->stage = 0;
		return true;
	}
	if (key == TK_F3) {
		/* Nobody logged in: leaving is safe, unsent scans stay in the journal. */
		t->quit = true;
		return true;
	}
	return false;
}

static void
term_flow_login_reply (struct term *t, const proto_msg_t *req, const proto_msg_t *r)
{
	(void) req;
	if (proto_msg_id (r) == PROTO_REPLY && proto_get_num (r, PROTO_REPLY_STATUS) == PROTO_OK) {
		term_goto (t, "menu");
		term_show_reply (t, r);
		return;
	}
	t->stage = 0;
	term_show_reply (t, r);
}

static void
term_flow_login_view (struct term *t, struct term_view *v)
{
	v->title = "LOG IN";
	t->field = t->stage == 0 ? TF_CODE : TF_PIN;
	v->prompt = t->stage == 0 ? "Scan badge" : "PIN";
	v->keys[2] = t->stage == 1 ? "Back" : "Exit";
}

const struct term_flow term_flow_login = {
	.name = "login",
	.title = "LOG IN",
	.entry = term_flow_login_entry,
	.key = term_flow_login_key,
	.reply = term_flow_login_reply,
	.view = term_flow_login_view,
};

/* --- menu: what this role may do ----------------------------------------- */

static int
term_flow_menu_items (struct term *t, const struct term_flow **out, int max)
{
	int n = 0;
	const struct term_flow_set *s = t->opt.flows;
	for (int i = 0; i < s->nflows && n < max; i++)
		if (s->flows[i]->menu && term_may (t, s->flows[i]->permission))
			out[n++] = s->flows[i];
	return n;
}

static char
term_flow_menu_char (int i)
{
	return (char) (i < 9 ? '1' + i : 'a' + (i - 9));
}

static void
term_flow_menu_enter (struct term *t)
{
	const struct term_flow *items[TERM_BODY_MAX];
	int n = term_flow_menu_items (t, items, TERM_BODY_MAX);
	for (int i = 0; i < n; i++)
		term_body_add (t, TA_NORMAL, "%c %s", term_flow_menu_char (i), items[i]->menu);
	if (n == 0)
		term_body_add (t, TA_NORMAL, "Nothing allowed");
}

static bool
term_flow_menu_key (struct term *t, int key)
{
	const struct term_flow *items[TERM_BODY_MAX];
	int n = term_flow_menu_items (t, items, TERM_BODY_MAX);
	for (int i = 0; i < n; i++) {
		if (key == term_flow_menu_char (i) || (i >= 9 && key == term_flow_menu_char (i) - 'a' + 'A')) {
			term_goto (t, items[i]->name);
			return true;
		}
	}
	if (key == TK_F3 || key == TK_ESC || key == 'q' || key == 'Q') {
		term_send_logout (t);
		term_message (t, TM_INFO, "Logged out");
		return true;
	}
	return false;
}

static void
term_flow_menu_view (struct term *t, struct term_view *v)
{
	t->field = TF_NONE;
	v->title = "MENU";
	v->keys[2] = "Logout";
}

const struct term_flow term_flow_menu = {
	.name = "menu",
	.title = "MENU",
	.enter = term_flow_menu_enter,
	.key = term_flow_menu_key,
	.view = term_flow_menu_view,
};

/* --- rejected: kept scans the hub refused later; cleared by the operator --- */

static void
term_flow_rejected_enter (struct term *t)
{
	struct term_journal_rejected list[TERM_BODY_MAX / 2];
	unsigned n = term_journal_rejected_list (t->journal, list, nitems (list));
	for (unsigned i = 0; i < n; i++) {
		char when[32];
		util_iso_time (list[i].at, when, sizeof when);
		term_body_add (t, TA_ERROR, "XX %.5s %s %s", when + 11, list[i].step, list[i].code);
		term_body_add (t, TA_NORMAL, "   %s", list[i].text);
	}
}

static bool
term_flow_rejected_key (struct term *t, int key)
{
	if (key == TK_F1) {
		term_journal_rejected_clear (t->journal);
		term_goto (t, "menu");
		term_message (t, TM_INFO, "Rejected list cleared");
		return true;
	}
	return key == TK_F3; /* the list must be cleared, not left */
}

static void
term_flow_rejected_view (struct term *t, struct term_view *v)
{
	t->field = TF_NONE;
	v->title = "REJECTED LATER";
	v->keys[0] = "Clear";
}

const struct term_flow term_flow_rejected = {
	.name = "rejected",
	.title = "REJECTED LATER",
	.enter = term_flow_rejected_enter,
	.key = term_flow_rejected_key,
	.view = term_flow_rejected_view,
};
