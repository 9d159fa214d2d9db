/* term-words.c: the one table of what the terminal shows for keys, data keys and states (see term-words.h). */
#include "config.h"
#include "term-words.h"
#include "term-screen.h"
#include "text.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

static const struct term_word term_words[] = {
	/* Function keys, as the screens name them; the short form fits a key line of 20 columns. */
	{ TW_KEY, "Ack", "Ack", NULL, false, 0 },
	{ TW_KEY, "Add", "Add", NULL, false, 0 },
	{ TW_KEY, "All", "All", NULL, false, 0 },
	{ TW_KEY, "Back", "Back", NULL, false, 0 },
	{ TW_KEY, "Badge", "Badge", NULL, false, 0 },
	{ TW_KEY, "Cage", "Cage", NULL, false, 0 },
	{ TW_KEY, "Cancel", "Cancel", "Canc", false, 0 },
	{ TW_KEY, "Clear", "Clear", "Clr", false, 0 },
	{ TW_KEY, "Close", "Close", NULL, false, 0 },
	{ TW_KEY, "Count", "Count", "Cnt", false, 0 },
	{ TW_KEY, "Damaged", "Damaged", "Dmgd", false, 0 },
	{ TW_KEY, "Dept", "Dept", NULL, false, 0 },
	{ TW_KEY, "Dmgd", "Damaged", "Dmgd", false, 0 },
	{ TW_KEY, "Exit", "Exit", NULL, false, 0 },
	{ TW_KEY, "Jobs", "Jobs", NULL, false, 0 },
	{ TW_KEY, "Lines", "Lines", NULL, false, 0 },
	{ TW_KEY, "Locate", "Locate", "Loc", false, 0 },
	{ TW_KEY, "Logout", "Logout", "Out", false, 0 },
	{ TW_KEY, "Mine", "Mine", NULL, false, 0 },
	{ TW_KEY, "Next", "Next", NULL, false, 0 },
	{ TW_KEY, "No", "No", NULL, false, 0 },
	{ TW_KEY, "Pack", "Pack", NULL, false, 0 },
	{ TW_KEY, "Printer", "Printer", "Prntr", false, 0 },
	{ TW_KEY, "Redirect", "Redirect", "Redir", false, 0 },
	{ TW_KEY, "Refresh", "Refresh", "Rfrsh", false, 0 },
	{ TW_KEY, "Release", "Release", "Relse", false, 0 },
	{ TW_KEY, "Reopen", "Reopen", "Reopn", false, 0 },
	{ TW_KEY, "Reprint", "Reprint", "Reprt", false, 0 },
	{ TW_KEY, "Short", "Short", NULL, false, 0 },
	{ TW_KEY, "Stay", "Stay", NULL, false, 0 },
	{ TW_KEY, "Top up", "Top up", "Topup", false, 0 },
	{ TW_KEY, "Unlock", "Unlock", "Unlck", false, 0 },
	{ TW_KEY, "Yes", "Yes", NULL, false, 0 },

	/* The hub's answer data: known keys get a word a packer knows; the
	 * next-line keys stay out of a side panel (the screen's body shows that
	 * line); counts of rows are shown by the rows themselves. */
	{ TW_DATA, "order", "Order", NULL, true, TA_NORMAL },
	{ TW_DATA, "status", "Status", NULL, true, TA_NORMAL },
	{ TW_DATA, "customer", "Customer", NULL, true, TA_NORMAL },
	{ TW_DATA, "channel", "Channel", NULL, true, TA_NORMAL },
	{ TW_DATA, "service", "Service", NULL, true, TA_NORMAL },
	{ TW_DATA, "next", "Next step", NULL, true, TA_NORMAL },
	{ TW_DATA, "hold", "HELD", NULL, true, TA_WARN },
	{ TW_DATA, "held_by", "Held by", NULL, true, TA_WARN },
	{ TW_DATA, "by", "By", NULL, true, TA_NORMAL },
	{ TW_DATA, "at", "At", NULL, true, TA_NORMAL },
	{ TW_DATA, "parcels", "Parcels", NULL, true, TA_NORMAL },
	{ TW_DATA, "parcel", "Parcel", NULL, true, TA_NORMAL },
	{ TW_DATA, "parcel_no", "Parcel no.", NULL, true, TA_NORMAL },
	{ TW_DATA, "parcel_status", "Parcel status", NULL, true, TA_NORMAL },
	{ TW_DATA, "sscc", "SSCC", NULL, true, TA_NORMAL },
	{ TW_DATA, "tracking", "Tracking", NULL, true, TA_NORMAL },
	{ TW_DATA, "carrier", "Carrier", NULL, true, TA_NORMAL },
	{ TW_DATA, "cage", "Cage", NULL, true, TA_NORMAL },
	{ TW_DATA, "count", "On the cage", NULL, true, TA_NORMAL },
	{ TW_DATA, "weight", "Weight g", NULL, true, TA_NORMAL },
	{ TW_DATA, "price", "Delivery charge", NULL, true, TA_NORMAL },
	{ TW_DATA, "tracking_status", "Carrier says", NULL, true, TA_NORMAL },
	{ TW_DATA, "tracking_at", "At", NULL, true, TA_NORMAL },
	{ TW_DATA, "tracking_location", "Where", NULL, true, TA_NORMAL },
	{ TW_DATA, "pod_signed_by", "Signed by", NULL, true, TA_NORMAL },
	{ TW_DATA, "pod_at", "Delivered at", NULL, true, TA_NORMAL },
	{ TW_DATA, "pod_image", "Proof", NULL, true, TA_NORMAL },
	{ TW_DATA, "manifest", "Manifest", NULL, true, TA_NORMAL },
	{ TW_DATA, "receipt", "Receipt job", NULL, true, TA_NORMAL },
	{ TW_DATA, "file", NULL, NULL, false, TA_NORMAL },
	{ TW_DATA, "job", "Print job", NULL, true, TA_NORMAL },
	{ TW_DATA, "customs", "Customs paper job", NULL, true, TA_NORMAL },
	{ TW_DATA, "badge", "Badge", NULL, true, TA_NORMAL },
	{ TW_DATA, "range", "Range", NULL, true, TA_NORMAL },
	{ TW_DATA, "group", "Station group", NULL, true, TA_NORMAL },
	{ TW_DATA, "warning", "Warning", NULL, true, TA_WARN },
	{ TW_DATA, "missing", "Not on a cage", NULL, true, TA_WARN },
	{ TW_DATA, "scanned", "Ready", NULL, true, TA_OK },
	{ TW_DATA, "why", "Why", NULL, true, TA_WARN },
	{ TW_DATA, "line", "Next line", NULL, false, TA_NORMAL },
	{ TW_DATA, "sku", "SKU", NULL, false, TA_NORMAL },
	{ TW_DATA, "description", "Item", NULL, false, TA_NORMAL },
	{ TW_DATA, "department", "Department", NULL, false, TA_NORMAL },
	{ TW_DATA, "qty", "Qty", NULL, false, TA_NORMAL },
	{ TW_DATA, "location", "Go to", NULL, false, TA_NORMAL },
	{ TW_DATA, "locations", "Locations", NULL, false, TA_NORMAL },
	{ TW_DATA, "lines", NULL, NULL, false, TA_NORMAL },
	{ TW_DATA, "events", NULL, NULL, false, TA_NORMAL },
	{ TW_DATA, "notes", NULL, NULL, false, TA_NORMAL },
	{ TW_DATA, "tracks", NULL, NULL, false, TA_NORMAL },
	{ TW_DATA, "quotes", NULL, NULL, false, TA_NORMAL },
	{ TW_DATA, "jobs", NULL, NULL, false, TA_NORMAL },
	{ TW_DATA, "queue", NULL, NULL, false, TA_NORMAL },
	{ TW_DATA, "departments", NULL, NULL, false, TA_NORMAL },
	{ TW_DATA, "badges", NULL, NULL, false, TA_NORMAL },
	{ TW_DATA, "printers", NULL, NULL, false, TA_NORMAL },
	{ TW_DATA, "manifests", NULL, NULL, false, TA_NORMAL },
	{ TW_DATA, "ranges", NULL, NULL, false, TA_NORMAL },

	/* States, outcomes and kinds in the hub's rows and data. */
	{ TW_STATE, "new", "not yet in despatch", "new", false, TA_NORMAL },
	{ TW_STATE, "received", "received", "recvd", false, TA_NORMAL },
	{ TW_STATE, "located", "located", "loctd", false, TA_NORMAL },
	{ TW_STATE, "packing", "packing", "packg", false, TA_NORMAL },
	{ TW_STATE, "packed", "packed", NULL, false, TA_NORMAL },
	{ TW_STATE, "labelled", "labelled", "label", false, TA_NORMAL },
	{ TW_STATE, "verified", "label checked", "chkd", false, TA_NORMAL },
	{ TW_STATE, "scanned_out", "scanned out", "out", false, TA_NORMAL },
	{ TW_STATE, "closed", "closed out", "closd", false, TA_DIM },
	{ TW_STATE, "in_transit", "in transit", "trnst", false, TA_DIM },
	{ TW_STATE, "out_for_delivery", "out for delivery", "deliv", false, TA_DIM },
	{ TW_STATE, "delivered", "delivered", "dlvd", false, TA_DIM },
	{ TW_STATE, "exception", "carrier exception", "excp", false, TA_WARN },
	{ TW_STATE, "returned", "returned", "retd", false, TA_WARN },
	{ TW_STATE, "void", "void", NULL, false, TA_DIM },
	{ TW_STATE, "open", "to find", "open", false, TA_NORMAL },
	{ TW_STATE, "found", "found", NULL, false, TA_DIM },
	{ TW_STATE, "short", "SHORT", NULL, false, TA_WARN },
	{ TW_STATE, "damaged", "DAMAGED", "DMGD", false, TA_WARN },
	{ TW_STATE, "missing", "MISSING", "MISS", false, TA_WARN },
	{ TW_STATE, "queued", "waiting", "wait", false, TA_NORMAL },
	{ TW_STATE, "submitting", "being sent", "send", false, TA_NORMAL },
	{ TW_STATE, "submitted", "printing", "prntg", false, TA_NORMAL },
	{ TW_STATE, "printing", "printing", "prntg", false, TA_NORMAL },
	{ TW_STATE, "offline", "printer offline", "OFFLN", false, TA_WARN },
	{ TW_STATE, "no-printer", "no printer", "NOPRN", false, TA_WARN },
	{ TW_STATE, "redirect", "being moved", "move", false, TA_NORMAL },
	{ TW_STATE, "redirected", "moved", NULL, false, TA_NORMAL },
	{ TW_STATE, "cancelling", "being cancelled", "canc", false, TA_DIM },
	{ TW_STATE, "cancelled", "cancelled", "canc", false, TA_DIM },
	{ TW_STATE, "printed", "printed", "done", false, TA_DIM },
	{ TW_STATE, "failed", "FAILED", "FAIL", false, TA_ERROR },
	{ TW_STATE, "ok", "ok", NULL, false, TA_NORMAL },
	{ TW_STATE, "unused", "no jobs yet", "idle", false, TA_DIM },
	{ TW_STATE, "low", "LOW", NULL, false, TA_WARN },
	{ TW_STATE, "used-up", "USED UP", "USED", false, TA_ERROR },
	{ TW_STATE, "reopened", "reopened", "reopn", false, TA_DIM },
	{ TW_STATE, "late", "LATE", NULL, false, TA_WARN },
	{ TW_STATE, "today", "due today", "today", false, TA_WARN },
	{ TW_STATE, "held", "HELD", NULL, false, TA_WARN },
	{ TW_STATE, "part", "part-shipment", "part", false, TA_WARN },
	{ TW_STATE, "label", "label", NULL, false, TA_NORMAL },
	{ TW_STATE, "ticket", "despatch ticket", "tickt", false, TA_NORMAL },
	{ TW_STATE, "receipt", "collection receipt", "rcpt", false, TA_NORMAL },
	{ TW_STATE, "customs", "customs paper", "cstms", false, TA_NORMAL },
	{ TW_STATE, "document", "document", "doc", false, TA_NORMAL },
	{ TW_STATE, "porter", "porter", NULL, false, TA_NORMAL },
	{ TW_STATE, "packer", "packer", NULL, false, TA_NORMAL },
	{ TW_STATE, "supervisor", "supervisor", "supv", false, TA_NORMAL },
	{ TW_STATE, "admin", "admin", NULL, false, TA_NORMAL },
	/* The steps "next" names. */
	{ TW_STATE, "receive", "receive", NULL, false, TA_NORMAL },
	{ TW_STATE, "locate", "locate", NULL, false, TA_NORMAL },
	{ TW_STATE, "pack", "pack", NULL, false, TA_NORMAL },
	{ TW_STATE, "verify", "check the label", "check", false, TA_NORMAL },
	{ TW_STATE, "scanout", "scan-out", NULL, false, TA_NORMAL },
	{ TW_STATE, "closeout", "close-out", NULL, false, TA_NORMAL },
	{ TW_STATE, "release-part", "a supervisor's part-shipment decision", "part", false, TA_WARN },
	{ TW_STATE, "none", "nothing", NULL, false, TA_NORMAL },
};

const struct term_word *
term_word_find (enum term_word_kind kind, const char *id)
{
	if (id == NULL)
		return NULL;
	for (size_t i = 0; i < nitems (term_words); i++)
		if (term_words[i].kind == kind && strcmp (term_words[i].id, id) == 0)
			return &term_words[i];
	return NULL;
}

const char *
term_word (enum term_word_kind kind, const char *id)
{
	const struct term_word *w = term_word_find (kind, id);
	if (w)
		return w->label ? w->label : "";
	return id ? id : "";
}

const char *
term_word_brief (enum term_word_kind kind, const char *id)
{
	const struct term_word *w = term_word_find (kind, id);
	if (w)
		return w->brief ? w->brief : w->label ? w->label : "";
	return id ? id : "";
}

void
term_word_code (const char *in, char *out, size_t n)
{
	term_word_text (in, out, n);
}

void
term_word_text (const char *in, char *out, size_t n)
{
	size_t o = 0;
	if (n == 0)
		return;
	for (const char *s = in ? in : ""; *s && o + 1 < n;) {
		if (strncmp (s, "~void", 5) == 0) {
			/* "~void" and the digits after it read " (void)". */
			s += 5;
			while (*s >= '0' && *s <= '9')
				s++;
			o += (size_t) snprintf (out + o, n - o, " (void)");
			if (o >= n)
				o = n - 1;
			continue;
		}
		out[o++] = *s++;
	}
	out[text_utf8_whole (out, o)] = '\0'; /* cut by n: at a whole character */
}
