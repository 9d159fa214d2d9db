/*
 * term-flow-pack.c: pack at the bench, and verify from the menu. The ticket
 * opens the order (SCAN pack with no box or weight: the hub says which
 * parcels are labelled, checked and left to do, and what comes next), so a
 * pack left half done (F3, a wrong scan, a restarted terminal, another
 * bench) goes on at the first parcel whose label is not checked. Then
 * parcels, box and weight; the label prints at the bench printer and the
 * packer scans it to prove it is on the right parcel. A packed order shows
 * its parcels; adding one is a choice (F4 Add, F1 to confirm) after which
 * every label of the order is reprinted as n of N.
 */
#include "config.h"
#include "term-flow.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PACK_TICKET, PACK_PARCELS, PACK_BOX, PACK_WEIGHT, PACK_VERIFY, PACK_DONE, PACK_ADD_OK };

/* The order's parcels as the hub last gave them (parcel.N = code|status|carrier|tracking|sscc|cage). */
static void
term_flow_pack_parcels_keep (struct term *t, const proto_msg_t *r)
{
	long n = atol (term_data (r, "packed"));
	if (*term_data (r, "packed") == '\0')
		return;
	t->nlist = 0;
	for (long i = 1; i <= n && t->nlist < TERM_LIST_MAX; i++) {
		char key[32];
		snprintf (key, sizeof key, "parcel.%ld", i);
		util_strlcpy (t->list[t->nlist++], term_data (r, key), sizeof t->list[0]);
	}
}

/* What the screen keeps of one order, cleared when the next ticket comes. */
static const char *const term_flow_pack_order_keys[] = {
	"parcels", "parcel", "box", "weight", "add", "tracking", "carrier", "doc", "doc_printer", "replace",
};

/* The n-th (from 1) of the box types the hub offers (pack.boxes: spaces or commas between), or NULL. */
static const char *
term_flow_pack_box (struct term *t, long n, char *out, size_t len)
{
	const char *b = term_ctx_get (t, "boxes");
	for (long i = 1; *b; i++) {
		b += strspn (b, " ,");
		size_t w = strcspn (b, " ,");
		if (w == 0)
			break;
		if (i == n) {
			snprintf (out, len, "%.*s", (int) w, b);
			return out;
		}
		b += w;
	}
	return NULL;
}

static void
term_flow_pack_body (struct term *t)
{
	term_body_clear (t);
	if (t->stage == PACK_TICKET)
		return;
	const char *parcels = *term_ctx_get (t, "parcels") ? term_ctx_get (t, "parcels") : "1";
	/* The box types of the configuration, each with the number that chooses it: first, so a small screen shows them. */
	char line[TERM_LINE_MAX] = "", box[24];
	for (long i = 1; t->stage == PACK_BOX && i < 20 && term_flow_pack_box (t, i, box, sizeof box); i++) {
		size_t used = strlen (line);
		snprintf (line + used, sizeof line - used, "%s%ld %s", used ? "  " : "", i, box);
	}
	if (*line)
		term_body_add (t, TA_SELECT, "%s", line);
	term_body_add (t, TA_NORMAL, "Order %s", term_ctx_get (t, "order"));
	if (*term_ctx_get (t, "doc"))
		term_body_add (t, TA_NORMAL, "Papers: %s on %s", term_ctx_get (t, "doc"), term_ctx_get (t, "doc_printer"));
	if (*term_ctx_get (t, "replace"))
		term_body_add (t, TA_WARN, "Replace the old labels: %s", term_ctx_get (t, "replace"));
	if (t->stage == PACK_VERIFY) {
		term_body_add (t, TA_SELECT, "Check parcel %s of %s", term_ctx_get (t, "parcel"), parcels);
		term_body_add (t, TA_SELECT, "%s %s", term_ctx_get (t, "carrier"), term_ctx_get (t, "tracking"));
	} else if (t->stage == PACK_DONE || t->stage == PACK_ADD_OK) {
		term_body_add (t, TA_OK, "Packed: %d of %s", t->nlist, parcels);
	} else if (t->stage == PACK_PARCELS) {
		term_body_add (t, TA_NORMAL, "Parcel 1: how many in all?");
	} else {
		term_body_add (t, TA_NORMAL, "%sParcel %s of %s", *term_ctx_get (t, "add") ? "Add: " : "",
		    *term_ctx_get (t, "parcel") ? term_ctx_get (t, "parcel") : "1", parcels);
		if (*term_ctx_get (t, "box"))
			term_body_add (t, TA_NORMAL, "Box %s", term_ctx_get (t, "box"));
		if (*term_ctx_get (t, "weight"))
			term_body_add (t, TA_NORMAL, "Weight %s g", term_ctx_get (t, "weight"));
	}
	/* Which parcels are labelled, checked, left to do. */
	for (int i = 0; i < t->nlist; i++) {
		term_flow_row_t f;
		term_flow_row_split (t->list[i], f);
		bool checked = strcmp (f[1], "labelled") != 0 && strcmp (f[1], "packed") != 0;
		term_body_add (t, checked ? TA_DIM : TA_WARN, "%s %s %s %s", f[0], checked ? "checked" : f[1], f[2], f[3]);
	}
}

/* The order's lines, as the hub gives them (line.N = status|sku|qty|department|location|description). */
static void
term_flow_pack_lines (struct term *t, const proto_msg_t *r)
{
	if (*term_data (r, "lines") == '\0')
		return;
	term_side_clear (t);
	long n = atol (term_data (r, "lines"));
	for (long i = 1; i <= n && i < TERM_BODY_MAX; i++) {
		char key[32];
		snprintf (key, sizeof key, "line.%ld", i);
		term_flow_row_t f;
		term_flow_row_split (term_data (r, key), f);
		term_side_add (t, strcmp (f[0], "found") == 0 ? TA_NORMAL : TA_WARN, "%-7s %s x%s %s %s", f[0], f[1], f[2],
		    f[3], f[5]);
	}
}

/* Go where the hub says the bench goes next for this order. */
static void
term_flow_pack_next (struct term *t, const proto_msg_t *r)
{
	const char *next = term_data (r, "next");
	/* An order with no parcel yet says 0: the count is then the packer's to give. */
	if (atol (term_data (r, "parcels")) > 0)
		term_ctx_set (t, "parcels", term_data (r, "parcels"));
	term_ctx_set (t, "box", "");
	term_ctx_set (t, "weight", "");
	term_ctx_set (t, "add", "");
	if (strcmp (next, "verify") == 0 && *term_data (r, "verify_no")) {
		term_ctx_set (t, "parcel", term_data (r, "verify_no"));
		term_ctx_set (t, "tracking", term_data (r, "verify_tracking"));
		term_ctx_set (t, "carrier", term_data (r, "verify_carrier"));
		t->stage = PACK_VERIFY;
	} else if (strcmp (next, "pack") == 0) {
		term_ctx_set (t, "tracking", "");
		if (atol (term_data (r, "packed")) == 0) {
			term_ctx_set (t, "parcel", "1");
			t->stage = PACK_PARCELS;
		} else {
			term_ctx_set (t, "parcel", term_data (r, "pack_no"));
			t->stage = PACK_BOX;
		}
	} else if (*term_data (r, "complete") || t->nlist > 0) {
		t->stage = PACK_DONE;
	} else {
		t->stage = PACK_TICKET;
	}
}

static void
term_flow_pack_open (struct term *t, const char *ticket)
{
	struct term_input_event e = { .type = TI_SCAN, .manual = false };
	snprintf (e.code, sizeof e.code, "%s", ticket);
	term_send_scan (t, "pack", &e, NULL);
}

static void
term_flow_pack_entry (struct term *t, const struct term_input_event *ev)
{
	switch (t->stage) {
	case PACK_TICKET:
		/* A new order: nothing of the last one (its count, box, weight, label, papers) shows on it. */
		for (size_t i = 0; i < nitems (term_flow_pack_order_keys); i++)
			term_ctx_set (t, term_flow_pack_order_keys[i], "");
		term_ctx_set (t, "order", ev->code);
		term_ctx_set (t, "ticket", ev->code);
		t->nlist = 0;
		term_side_clear (t);
		term_flow_pack_open (t, ev->code);
		break;
	case PACK_PARCELS:
		term_ctx_set (t, "parcels", ev->code);
		t->stage = PACK_BOX;
		break;
	case PACK_BOX: {
		/* A number from the list chooses that box; anything else is the box type as typed or scanned. */
		char box[24];
		long n;
		const char *chosen = util_parse_long (ev->code, 1, 99, &n) ? term_flow_pack_box (t, n, box, sizeof box) : NULL;
		term_ctx_set (t, "box", chosen ? chosen : ev->code);
		t->stage = PACK_WEIGHT;
		break;
	}
	case PACK_WEIGHT: {
		term_ctx_set (t, "weight", ev->code);
		struct term_input_event e = { .type = TI_SCAN, .manual = false };
		snprintf (e.code, sizeof e.code, "%s", term_ctx_get (t, "ticket"));
		if (*term_ctx_get (t, "add"))
			term_send_scan (t, "pack", &e, "add", "1", "box", term_ctx_get (t, "box"), "weight",
			    term_ctx_get (t, "weight"), NULL);
		else
			term_send_scan (t, "pack", &e, "parcels", term_ctx_get (t, "parcels"), "parcel", term_ctx_get (t, "parcel"),
			    "box", term_ctx_get (t, "box"), "weight", term_ctx_get (t, "weight"), NULL);
		break;
	}
	case PACK_VERIFY:
		term_send_scan (t, "verify", ev, "order", term_ctx_get (t, "order"), NULL);
		break;
	case PACK_DONE:
	case PACK_ADD_OK:
		/* Another ticket: the next order. */
		t->stage = PACK_TICKET;
		term_flow_pack_entry (t, ev);
		return;
	}
	term_flow_pack_body (t);
}

static void
term_flow_pack_reply (struct term *t, const proto_msg_t *req, const proto_msg_t *r)
{
	const char *step = proto_get_str (req, PROTO_SCAN_STEP);
	bool ok = proto_msg_id (r) == PROTO_REPLY && proto_get_num (r, PROTO_REPLY_STATUS) < PROTO_REFUSED;
	bool open = strcmp (step, "pack") == 0 && proto_hash_get (req, PROTO_SCAN_CONTEXT, "box") == NULL;
	term_show_reply (t, r);
	term_flow_print_doc (t, r, "customs");
	if (*term_data (r, "customs_title")) {
		term_ctx_set (t, "doc", term_data (r, "customs_title"));
		term_ctx_set (t, "doc_printer", term_data (r, "customs_printer"));
	} else if (strcmp (step, "pack") == 0 && !open) {
		term_ctx_set (t, "doc", "");
	}
	term_flow_pack_parcels_keep (t, r);
	if (*term_data (r, "replaced")) {
		/* The labels to change stay on the screen while the new ones print (their EVENTs take the message line). */
		char list[96] = "";
		for (long i = 1; i <= atol (term_data (r, "replaced")); i++) {
			char key[32];
			snprintf (key, sizeof key, "replace.%ld", i);
			const char *v = term_data (r, key), *slash = strchr (v, '/');
			size_t used = strlen (list);
			snprintf (list + used, sizeof list - used, "%s%.*s", used ? ", " : "",
			    slash ? (int) strcspn (slash + 1, "|") : 0, slash ? slash + 1 : "");
		}
		term_ctx_set (t, "replace", list);
	} else if (!ok || strcmp (step, "verify") != 0) {
		term_ctx_set (t, "replace", "");
	}
	if (*term_data (r, "boxes"))
		term_ctx_set (t, "boxes", term_data (r, "boxes"));
	if (open) {
		if (!ok) {
			t->stage = PACK_TICKET;
			t->nlist = 0;
		} else {
			term_ctx_set (t, "order", term_data (r, "order"));
			term_flow_pack_lines (t, r);
			term_flow_pack_next (t, r);
		}
	} else if (strcmp (step, "pack") == 0) {
		if (ok && strcmp (term_data (r, "next"), "verify") == 0) {
			if (*term_data (r, "verify_no")) {
				term_flow_pack_next (t, r);
			} else {
				term_ctx_set (t, "parcel", term_data (r, "parcel_no"));
				term_ctx_set (t, "tracking", term_data (r, "tracking"));
				term_ctx_set (t, "carrier", term_data (r, "carrier"));
				term_ctx_set (t, "parcels", term_data (r, "parcels"));
				t->stage = PACK_VERIFY;
			}
		} else if (ok && *term_data (r, "next")) {
			term_flow_pack_next (t, r);
		} else {
			t->stage = PACK_BOX;
		}
	} else if (strcmp (step, "verify") == 0 && ok) {
		term_flow_pack_next (t, r);
		if (t->stage == PACK_DONE || t->stage == PACK_TICKET) {
			/* Every label of the order checked: the next ticket. */
			t->stage = PACK_TICKET;
			t->nlist = 0;
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
	if (key == TK_F4 && t->stage == PACK_DONE) {
		t->stage = PACK_ADD_OK;
		term_message (t, TM_WARN, "Add parcel %d? Every label of %s is then reprinted as n of %d. F1 adds",
		    t->nlist + 1, term_ctx_get (t, "order"), t->nlist + 1);
		term_flow_pack_body (t);
		return true;
	}
	if (key == TK_F1 && t->stage == PACK_ADD_OK) {
		char no[16];
		snprintf (no, sizeof no, "%d", t->nlist + 1);
		term_ctx_set (t, "add", "1");
		term_ctx_set (t, "parcel", no);
		term_ctx_set (t, "parcels", no);
		t->stage = PACK_BOX;
		term_flow_pack_body (t);
		return true;
	}
	if (key == TK_F3 && (t->stage == PACK_VERIFY || t->stage == PACK_DONE || t->stage == PACK_ADD_OK)) {
		/* Nothing is lost: the ticket opens the order where it stands. */
		if (t->stage == PACK_VERIFY)
			term_message (t, TM_WARN, "Parcel %s of %s not checked yet: scan the ticket again to go on, or Verify "
			    "label from the menu", term_ctx_get (t, "parcel"), term_ctx_get (t, "order"));
		t->stage = t->stage == PACK_ADD_OK ? PACK_DONE : PACK_TICKET;
		if (t->stage == PACK_TICKET) {
			t->nlist = 0;
			term_side_clear (t);
		}
		term_flow_pack_body (t);
		return true;
	}
	if (key == TK_F3 && t->stage > PACK_TICKET && t->stage < PACK_VERIFY) {
		t->stage = t->stage == PACK_BOX && (*term_ctx_get (t, "add") || t->nlist > 0) ? PACK_TICKET : t->stage - 1;
		if (t->stage == PACK_TICKET) {
			t->nlist = 0;
			term_side_clear (t);
		}
		term_flow_pack_body (t);
		return true;
	}
	return false;
}

static void
term_flow_pack_enter (struct term *t)
{
	t->nlist = 0;
}

static void
term_flow_pack_view (struct term *t, struct term_view *v)
{
	static const struct {
		const char *prompt;
		enum term_field field;
	} stages[] = {
		[PACK_TICKET] = { "Scan ticket", TF_CODE },
		[PACK_PARCELS] = { "Parcels", TF_NUMBER },
		[PACK_BOX] = { "Box type", TF_TEXT },
		[PACK_WEIGHT] = { "Weight g", TF_NUMBER },
		[PACK_VERIFY] = { "Scan printed label", TF_CODE },
		[PACK_DONE] = { "Scan next ticket", TF_CODE },
		[PACK_ADD_OK] = { "F1 adds a parcel", TF_NONE },
	};
	t->field = stages[t->stage].field;
	v->prompt = stages[t->stage].prompt;
	if (t->stage == PACK_PARCELS)
		v->prompt_default = "1"; /* Enter alone: one parcel */
	v->keys[2] = "Back";
	if (t->stage == PACK_DONE)
		v->keys[3] = "Add";
	if (t->stage == PACK_ADD_OK)
		v->keys[0] = "Add";
	v->side_title = "Order lines";
	/* No side panel on a handheld: the lines follow the parcel, paged, and the key line says so. */
	v->side_narrow = true;
	v->page_key = "Lines";
}

const struct term_flow term_flow_pack = {
	.name = "pack",
	.title = "PACK",
	.permission = "pack",
	.menu = "Pack",
	.enter = term_flow_pack_enter,
	.entry = term_flow_pack_entry,
	.key = term_flow_pack_key,
	.reply = term_flow_pack_reply,
	.view = term_flow_pack_view,
};

/* --- verify from the menu: any labelled parcel's label, whatever order ---- */

static void
term_flow_verify_entry (struct term *t, const struct term_input_event *ev)
{
	term_send_scan (t, "verify", ev, NULL);
}

static void
term_flow_verify_reply (struct term *t, const proto_msg_t *req, const proto_msg_t *r)
{
	(void) req;
	term_show_reply (t, r);
	term_body_clear (t);
	if (*term_data (r, "parcel"))
		term_body_add (t, TA_SELECT, "Parcel %s", term_data (r, "parcel"));
	if (*term_data (r, "tracking"))
		term_body_add (t, TA_NORMAL, "%s %s", term_data (r, "carrier"), term_data (r, "tracking"));
	term_flow_pack_parcels_keep (t, r);
	for (int i = 0; i < t->nlist; i++) {
		term_flow_row_t f;
		term_flow_row_split (t->list[i], f);
		bool checked = strcmp (f[1], "labelled") != 0 && strcmp (f[1], "packed") != 0;
		term_body_add (t, checked ? TA_DIM : TA_WARN, "%s %s", f[0], checked ? "checked" : f[1]);
	}
}

static void
term_flow_verify_view (struct term *t, struct term_view *v)
{
	t->field = TF_CODE;
	v->prompt = "Scan printed label";
	v->keys[2] = "Back";
}

const struct term_flow term_flow_verify = {
	.name = "verify",
	.title = "VERIFY LABEL",
	.permission = "verify",
	.menu = "Verify label",
	.enter = term_flow_pack_enter,
	.entry = term_flow_verify_entry,
	.reply = term_flow_verify_reply,
	.view = term_flow_verify_view,
};
