/* term-flow.c: login, the menus and the rejected list, and what every screen shares: the hub's rows in words, lists. */
#include "config.h"
#include "term-flow.h"
#include "term-words.h"
#include "screens.h"
#include "text.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- the hub's answer data in words ---------------------------------------- */

void
term_flow_row_split (const char *v, term_flow_row_t f)
{
	for (int k = 0; k < TERM_FLOW_ROW_FIELDS; k++) {
		size_t len = strcspn (v, "|");
		char raw[TERM_FLOW_FIELD_MAX];
		snprintf (raw, sizeof raw, "%.*s", (int) text_utf8_whole (v, len < sizeof raw ? len : sizeof raw - 1), v);
		term_word_text (raw, f[k], sizeof f[k]); /* a void parcel's code as people read it */
		v += len;
		if (*v == '|')
			v++;
	}
}

/* HH:MM of an ISO time as the hub sends it (2026-11-22T16:15:00Z). */
static const char *
term_flow_hhmm (const char *iso)
{
	static char hhmm[8];
	snprintf (hhmm, sizeof hhmm, "%.5s", strlen (iso) > 11 ? iso + 11 : iso);
	return hhmm;
}

/* " 2 lines", " 1 parcel": a count and its noun, in the number it takes. */
static const char *
term_flow_count (const char *n, const char *one, const char *many)
{
	static char buf[2][48];
	static int k;
	k = !k;
	snprintf (buf[k], sizeof buf[k], "%s %s", n, strcmp (n, "1") == 0 ? one : many);
	return buf[k];
}

/* The attribute of a state's word, or dflt. */
static int
term_flow_state_attr (const char *state, int dflt)
{
	const struct term_word *w = term_word_find (TW_STATE, state);
	return w ? w->attr : dflt;
}

/* Each row kind: fields into words (out), and the line's attribute. */
typedef int (term_flow_row_fn) (const char *n, term_flow_row_t f, char *out, size_t len);

/* line.N = status|sku|qty|department|locations|description */
static int
term_flow_row_line (const char *n, term_flow_row_t f, char *out, size_t len)
{
	bool open = strcmp (f[0], "open") == 0;
	snprintf (out, len, "%s %s x%s %s%s%s", n, f[1], f[2], f[3], open ? "" : " ", open ? "" : term_word (TW_STATE, f[0]));
	return open ? TA_NORMAL : term_flow_state_attr (f[0], TA_WARN);
}

/* history.N = ISO time|operator|station|action|detail */
static int
term_flow_row_history (const char *n, term_flow_row_t f, char *out, size_t len)
{
	(void) n;
	snprintf (out, len, "%s %s %s (%s)", term_flow_hhmm (f[0]), f[3], f[4], f[1]);
	return TA_NORMAL;
}

/* note.N = ISO time|by|text */
static int
term_flow_row_note (const char *n, term_flow_row_t f, char *out, size_t len)
{
	(void) n;
	snprintf (out, len, "Note %s %s: %s", term_flow_hhmm (f[0]), f[1], f[2]);
	return TA_WARN;
}

/* track.N = ISO time|parcel|event|detail|status|carrier's time|location */
static int
term_flow_row_track (const char *n, term_flow_row_t f, char *out, size_t len)
{
	(void) n;
	snprintf (out, len, "%s %s %s%s%s", term_flow_hhmm (f[0]), f[1], term_word (TW_STATE, *f[4] ? f[4] : f[2]),
	    *f[6] ? " " : "", f[6]);
	return TA_NORMAL;
}

/* parcel.N = code|status|carrier|tracking|sscc|cage */
static int
term_flow_row_parcel (const char *n, term_flow_row_t f, char *out, size_t len)
{
	(void) n;
	snprintf (out, len, "%s %s%s%s%s%s%s%s", f[0], term_word (TW_STATE, f[1]), *f[2] ? " " : "", f[2], *f[3] ? " " : "",
	    f[3], *f[5] ? " on " : "", f[5]);
	return term_flow_state_attr (f[1], TA_NORMAL) == TA_DIM ? TA_DIM : TA_NORMAL;
}

/* missing.N = code|status|where it was last seen|ISO time */
static int
term_flow_row_missing (const char *n, term_flow_row_t f, char *out, size_t len)
{
	(void) n;
	snprintf (out, len, "%s %s: %s", f[0], term_word (TW_STATE, f[1]), f[2]);
	return TA_WARN;
}

/* job.N = id|parcel|status|printer|error (print-jobs) */
static int
term_flow_row_job (const char *n, term_flow_row_t f, char *out, size_t len)
{
	(void) n;
	snprintf (out, len, "%s %s%s%s", f[1], term_word (TW_STATE, f[2]), *f[3] ? " at " : "", f[3]);
	return term_flow_state_attr (f[2], TA_NORMAL);
}

/* quote.N = carrier/service|price|delivery date|name */
static int
term_flow_row_quote (const char *n, term_flow_row_t f, char *out, size_t len)
{
	(void) n;
	if (strcmp (f[1], "-") == 0)
		snprintf (out, len, "%s %s", f[0], f[3]);
	else
		snprintf (out, len, "%s %s %s%s%s", f[1], f[0], f[3], *f[2] ? " by " : "", f[2]);
	return strcmp (f[1], "-") == 0 ? TA_DIM : TA_NORMAL;
}

/* replace.N = parcel|old tracking|new tracking (a parcel added: every label again) */
static int
term_flow_row_replace (const char *n, term_flow_row_t f, char *out, size_t len)
{
	(void) n;
	snprintf (out, len, "%s: label %s replaced by %s", f[0], f[1], f[2]);
	return TA_WARN;
}

/* locate.N = ref|department|location|lines|units|received|promise|flag */
static int
term_flow_row_locate (const char *n, term_flow_row_t f, char *out, size_t len)
{
	(void) n;
	snprintf (out, len, "%s %s: %s, %s%s%s", f[0], f[1], f[2], term_flow_count (f[3], "line", "lines"), *f[7] ? " " : "",
	    term_word (TW_STATE, f[7]));
	return *f[7] ? term_flow_state_attr (f[7], TA_NORMAL) : TA_NORMAL;
}

/* pack.N = ref|status|lines|departments|packed|expected|bench|ready|promise|flag */
static int
term_flow_row_pack (const char *n, term_flow_row_t f, char *out, size_t len)
{
	(void) n;
	char parcels[64] = "";
	if (strcmp (f[4], "0") != 0)
		snprintf (parcels, sizeof parcels, ", %s of %s parcels", f[4], strcmp (f[5], "0") ? f[5] : f[4]);
	snprintf (out, len, "%s %s, %s%s%s%s%s%s", f[0], term_flow_count (f[2], "line", "lines"),
	    term_flow_count (f[3], "dept", "depts"), parcels, *f[6] ? " at " : "", f[6], *f[9] ? " " : "",
	    term_word (TW_STATE, f[9]));
	return strcmp (f[9], "held") == 0 ? TA_DIM : TA_NORMAL;
}

/* part.N = ref|found|short|damaged|promise|customer|received|what is short */
static int
term_flow_row_part (const char *n, term_flow_row_t f, char *out, size_t len)
{
	(void) n;
	char tail[48] = "";
	if (strcmp (f[3], "0") != 0)
		snprintf (tail, sizeof tail, ", %s damaged", f[3]);
	snprintf (out, len, "%s %s: %s found, %s short%s", f[0], f[5], f[1], f[2], tail);
	return TA_WARN;
}

/* cons.N = line|sku|qty|found|department|state|where|parcel|parcel state|description */
static int
term_flow_row_cons (const char *n, term_flow_row_t f, char *out, size_t len)
{
	(void) n;
	char got[48] = "";
	if (strcmp (f[5], "found") != 0 && strcmp (f[3], "0") != 0)
		snprintf (got, sizeof got, " %s of %s", f[3], f[2]);
	char in[96] = "";
	if (strcmp (f[7], "?") == 0)
		snprintf (in, sizeof in, ", packed (parcel not said)");
	else if (*f[7])
		snprintf (in, sizeof in, ", in %s %s", f[7], term_word (TW_STATE, f[8]));
	snprintf (out, len, "%s %s x%s %s %s%s at %s%s", f[0], f[1], f[2], f[4], term_word (TW_STATE, f[5]), got, f[6], in);
	return *f[7] ? TA_DIM : term_flow_state_attr (f[5], TA_NORMAL);
}

/* dept.N = department|lines|found|short|damaged|missing */
static int
term_flow_row_dept (const char *n, term_flow_row_t f, char *out, size_t len)
{
	(void) n;
	size_t o = (size_t) snprintf (out, len, "%s: %s found of %s", f[0], f[2], f[1]);
	static const char *const what[] = { "short", "damaged", "missing" };
	for (int k = 0; k < 3 && o < len; k++)
		if (strcmp (f[3 + k], "0") != 0)
			o += (size_t) snprintf (out + o, len - o, ", %s %s", f[3 + k], what[k]);
	return strcmp (f[2], f[1]) == 0 ? TA_OK : TA_WARN;
}

/* printjob.N = id|kind|what|status|printer|station|at|error|format */
static int
term_flow_row_printjob (const char *n, term_flow_row_t f, char *out, size_t len)
{
	(void) n;
	snprintf (out, len, "%s %s %s: %s%s%s, %s %s", f[0], term_word (TW_STATE, f[1]), f[2], term_word (TW_STATE, f[3]),
	    *f[4] ? " at " : "", f[4], f[5], term_flow_hhmm (f[6]));
	return term_flow_state_attr (f[3], TA_NORMAL);
}

/* printer.N = name|role|where|state|waiting|failed|last printed|last error */
static int
term_flow_row_printer (const char *n, term_flow_row_t f, char *out, size_t len)
{
	(void) n;
	snprintf (out, len, "%s (%s%s%s): %s, %s waiting%s%s", f[0], term_word (TW_STATE, f[1]), *f[2] ? ", " : "", f[2],
	    term_word (TW_STATE, f[3]), f[4], *f[7] ? ". " : "", f[7]);
	return term_flow_state_attr (f[3], TA_NORMAL);
}

/* manifest.N = id|carrier|cage|closed at|parcels|status|by */
static int
term_flow_row_manifest (const char *n, term_flow_row_t f, char *out, size_t len)
{
	(void) n;
	snprintf (out, len, "%s %s%s%s %s, %s, %s by %s", f[0], f[1], *f[2] ? " " : "", f[2], term_flow_hhmm (f[3]),
	    term_flow_count (f[4], "parcel", "parcels"), term_word (TW_STATE, f[5]), f[6]);
	return strcmp (f[5], "closed") == 0 ? TA_NORMAL : TA_DIM;
}

/* range.N = id|carrier|scheme|prefix|first|next|last|left|low water|state */
static int
term_flow_row_range (const char *n, term_flow_row_t f, char *out, size_t len)
{
	(void) n;
	snprintf (out, len, "%s%s%s: %s left%s%s", f[1], *f[3] ? " " : "", f[3], f[7], strcmp (f[9], "ok") ? " " : "",
	    strcmp (f[9], "ok") ? term_word (TW_STATE, f[9]) : "");
	return term_flow_state_attr (f[9], TA_NORMAL);
}

/* badge.N = badge|name|role|wrong PINs|locked until|minutes left */
static int
term_flow_row_badge (const char *n, term_flow_row_t f, char *out, size_t len)
{
	(void) n;
	if (*f[4])
		snprintf (out, len, "%s %s: locked, %s min left", f[0], f[1], f[5]);
	else
		snprintf (out, len, "%s %s: %s wrong", f[0], f[1], term_flow_count (f[3], "PIN", "PINs"));
	return *f[4] ? TA_WARN : TA_NORMAL;
}

static const struct {
	const char *prefix;
	term_flow_row_fn *show;
} term_flow_rows[] = {
	{ "line.", term_flow_row_line },
	{ "history.", term_flow_row_history },
	{ "note.", term_flow_row_note },
	{ "track.", term_flow_row_track },
	{ "parcel.", term_flow_row_parcel },
	{ "missing.", term_flow_row_missing },
	{ "job.", term_flow_row_job },
	{ "quote.", term_flow_row_quote },
	{ "replace.", term_flow_row_replace },
	{ "locate.", term_flow_row_locate },
	{ "pack.", term_flow_row_pack },
	{ "part.", term_flow_row_part },
	{ "cons.", term_flow_row_cons },
	{ "dept.", term_flow_row_dept },
	{ "printjob.", term_flow_row_printjob },
	{ "printer.", term_flow_row_printer },
	{ "manifest.", term_flow_row_manifest },
	{ "range.", term_flow_row_range },
	{ "badge.", term_flow_row_badge },
};

int
term_flow_row_text (const char *key, const char *value, char *out, size_t len)
{
	const char *dot = strrchr (key, '.');
	if (dot == NULL || dot[1] < '0' || dot[1] > '9')
		return -1;
	term_flow_row_t f;
	term_flow_row_split (value, f);
	int attr = -1;
	for (size_t r = 0; r < nitems (term_flow_rows) && attr < 0; r++) {
		size_t pl = strlen (term_flow_rows[r].prefix);
		if ((size_t) (dot + 1 - key) == pl && strncmp (key, term_flow_rows[r].prefix, pl) == 0)
			attr = term_flow_rows[r].show (dot + 1, f, out, len);
	}
	if (attr < 0) {
		/* A row no table knows: its fields in words, so nothing the hub says is lost. */
		size_t o = (size_t) snprintf (out, len, "%.*s %s:", (int) (dot - key), key, dot + 1);
		for (int k = 0; k < TERM_FLOW_ROW_FIELDS && o < len; k++)
			if (*f[k])
				o += (size_t) snprintf (out + o, len - o, " %s", f[k]);
		attr = TA_NORMAL;
	}
	/* A row longer than out ends on a whole character. */
	out[text_utf8_whole (out, strlen (out))] = '\0';
	return attr;
}

void
term_flow_data_lines (struct term *t, const proto_msg_t *reply, bool side)
{
	size_t n = proto_msg_id (reply) == PROTO_REPLY ? proto_hash_size (reply, PROTO_REPLY_DATA) : 0;
	for (size_t i = 0; i < n; i++) {
		const char *k = proto_hash_key (reply, PROTO_REPLY_DATA, i);
		const char *v = proto_hash_value (reply, PROTO_REPLY_DATA, i);
		char line[TERM_LINE_MAX + 80]; /* room for a label before a whole value; the body keeps TERM_LINE_MAX */
		int attr = term_flow_row_text (k, v, line, sizeof line);
		if (attr < 0) {
			const struct term_word *w = term_word_find (TW_DATA, k);
			if (w && (w->label == NULL || (side && !w->side)))
				continue;
			char words[TERM_LINE_MAX];
			term_word_text (v, words, sizeof words);
			for (char *bar = words; (bar = strchr (bar, '|')) != NULL;)
				*bar = ' '; /* never the wire's separators on a screen */
			/* A value the table's key takes in words (a state) reads as such. */
			const char *shown = w && term_word_find (TW_STATE, v) ? term_word (TW_STATE, v) : words;
			snprintf (line, sizeof line, "%s: %s", w ? w->label : k, shown);
			line[text_utf8_whole (line, strlen (line))] = '\0';
			attr = w ? w->attr : TA_NORMAL;
		}
		if (side)
			term_side_add (t, attr, "%s", line);
		else
			term_body_add (t, attr, "%s", line);
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

/* --- lists: rows of the hub's answer, one key each ---------------------------- */

char
term_flow_list_char (int i)
{
	return (char) (i < 9 ? '1' + i : 'a' + (i - 9));
}

int
term_flow_list_pick (struct term *t, int key)
{
	for (int i = 0; i < t->nlist; i++)
		if (key == term_flow_list_char (i) || (i >= 9 && key == term_flow_list_char (i) - 'a' + 'A'))
			return i;
	return -1;
}

int
term_flow_list_show (struct term *t, const proto_msg_t *r, const char *key, const char *count, const char *empty)
{
	term_body_clear (t);
	t->nlist = 0;
	long n = atol (term_data (r, count));
	for (long i = 1; i <= n && t->nlist < TERM_LIST_MAX; i++) {
		char k[40], line[TERM_LINE_MAX];
		snprintf (k, sizeof k, "%s.%ld", key, i);
		const char *v = term_data (r, k);
		util_strlcpy (t->list[t->nlist], v, sizeof t->list[0]);
		int attr = term_flow_row_text (k, v, line, sizeof line);
		term_body_add (t, attr < 0 ? TA_NORMAL : attr, "%c %s", term_flow_list_char (t->nlist), line);
		t->nlist++;
	}
	if (t->nlist == 0 && empty)
		term_body_add (t, TA_DIM, "%s", empty);
	return t->nlist;
}

void
term_flow_list_field (struct term *t, int i, int field, char *out, size_t n)
{
	if (i < 0 || i >= t->nlist || field < 0 || field >= TERM_FLOW_ROW_FIELDS) {
		if (n)
			*out = '\0';
		return;
	}
	/* The raw field: a code goes back to the hub as it came. */
	const char *v = t->list[i];
	for (int k = 0; k < field && v; k++) {
		v = strchr (v, '|');
		if (v)
			v++;
	}
	snprintf (out, n, "%.*s", v ? (int) strcspn (v, "|") : 0, v ? v : "");
	out[text_utf8_whole (out, strlen (out))] = '\0';
}

void
term_flow_start (struct term *t, const char *name, const char *code)
{
	term_goto (t, name);
	if (t->flow == NULL || strcmp (t->flow->name, name) != 0 || t->flow->entry == NULL)
		return;
	/* As if the ticket were scanned there: the screen takes it from its first question. */
	struct term_input_event ev = { .type = TI_SCAN, .manual = false };
	util_strlcpy (ev.code, code, sizeof ev.code);
	t->flow->entry (t, &ev);
}

/* --- menus: what this role may do --------------------------------------------- */

/* The items of the menu screen up now: the main menu lists the screens
 * within no other menu; a menu screen such as "super" lists its own. */
static int
term_flow_menu_items (struct term *t, const struct term_flow **out, int max)
{
	int n = 0;
	const struct term_flow_set *s = t->opt.flows;
	bool main = strcmp (t->flow->name, "menu") == 0;
	for (int i = 0; i < s->nflows && n < max; i++) {
		const struct term_flow *f = s->flows[i];
		bool here = main ? f->within == NULL : f->within && strcmp (f->within, t->flow->name) == 0;
		if (f->menu && here && term_may (t, f->permission))
			out[n++] = f;
	}
	return n;
}

static void
term_flow_menu_enter (struct term *t)
{
	const struct term_flow *items[TERM_BODY_MAX];
	int n = term_flow_menu_items (t, items, TERM_BODY_MAX);
	for (int i = 0; i < n; i++)
		term_body_add (t, TA_NORMAL, "%c %s", term_flow_list_char (i), items[i]->menu);
	if (n == 0)
		term_body_add (t, TA_NORMAL, "Nothing allowed");
}

static bool
term_flow_menu_key (struct term *t, int key)
{
	const struct term_flow *items[TERM_BODY_MAX];
	int n = term_flow_menu_items (t, items, TERM_BODY_MAX);
	bool main = strcmp (t->flow->name, "menu") == 0;
	if (t->stage == 1) {
		/* Asked before logging out: F1 (or y) logs out, anything else stays. */
		t->stage = 0;
		if (key == TK_F1 || key == 'y' || key == 'Y') {
			term_send_logout (t);
			term_message (t, TM_INFO, "Logged out");
		} else {
			term_message (t, TM_INFO, "Still logged in");
		}
		return true;
	}
	for (int i = 0; i < n; i++) {
		if (key == term_flow_list_char (i) || (i >= 9 && key == term_flow_list_char (i) - 'a' + 'A')) {
			term_goto (t, items[i]->name);
			return true;
		}
	}
	if (key == TK_F3 || key == TK_ESC || key == 'q' || key == 'Q') {
		if (!main) {
			term_goto (t, t->flow->within ? t->flow->within : "menu");
			return true;
		}
		t->stage = 1;
		term_message (t, TM_WARN, "Log out %s? F1 yes, F3 no", t->operator);
		return true;
	}
	return false;
}

static void
term_flow_menu_view (struct term *t, struct term_view *v)
{
	t->field = TF_NONE;
	v->title = t->flow->title;
	if (t->stage == 1) {
		v->keys[0] = "Logout";
		v->keys[2] = "Stay";
	} else {
		v->keys[2] = strcmp (t->flow->name, "menu") == 0 ? "Logout" : "Back";
	}
}

const struct term_flow term_flow_menu = {
	.name = "menu",
	.title = "MENU",
	.enter = term_flow_menu_enter,
	.key = term_flow_menu_key,
	.view = term_flow_menu_view,
};

/* The supervisor's screens, a menu of their own within the main menu. */
const struct term_flow term_flow_super = {
	.name = "super",
	.title = "SUPERVISOR",
	.permission = "unlock",
	.menu = SCREEN_SUPER,
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
