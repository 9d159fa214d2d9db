/*
 * test-queue.c: the work queues and the supervisor's commands against a
 * real hub (ipc://, SQLite file, demo data): the locate queue oldest first
 * by department, the pack queue per bench and station group and the order
 * to take next, the consolidation of a three-department order with the
 * parcel each line went into, a part-shipment waiting for its decision and
 * released, a badge locked by wrong PINs and unlocked (audited), print jobs
 * of any kind listed, redirected, cancelled and reprinted by number, the
 * printers, the latest close-outs, and a number range topped up after a
 * parcel could not be labelled. Every refusal that sends someone to a
 * supervisor names a screen the supervisor's menu has.
 */
#include "config.h"
#include "flowlib.h"

#include <czmq.h>
#include <stdio.h>

#include "screens.h"
#include "util.h"

static struct testlib_hub hub;

static long long
sql_int (const char *sql)
{
	return testlib_sql_int (hub.database, sql);
}

/* The reply row KEY.N whose first field is first; "" when none. */
static const char *
row_of (const proto_msg_t *r, const char *key, const char *count, const char *first)
{
	static char want[80];
	snprintf (want, sizeof want, "%s|", first);
	int n = atoi (fl_data (r, count));
	for (int i = 1; i <= n; i++) {
		char k[32];
		snprintf (k, sizeof k, "%s.%d", key, i);
		if (strncmp (fl_data (r, k), want, strlen (want)) == 0)
			return fl_data (r, k);
	}
	return "";
}

/* Field i (from 0) of a row, into out. */
static const char *
field (const char *row, int i, char *out, size_t n)
{
	for (; i > 0 && row; i--) {
		row = strchr (row, '|');
		if (row)
			row++;
	}
	snprintf (out, n, "%.*s", row ? (int) strcspn (row, "|") : 0, row ? row : "");
	return out;
}

/* Location then item of one line; outcome NULL for found. */
static void
locate (struct fl_term *t, const char *order, const char *line, const char *loc, const char *sku, const char *outcome,
    const char *qty)
{
	proto_msg_t *r = fl_scan (t, "locate", loc, "order", order, "line", line, NULL);
	ok (testlib_status (r) == PROTO_OK, "%s line %s: location %s (%s)", order, line, loc, testlib_text (r));
	proto_msg_destroy (&r);
	if (outcome)
		r = fl_scan (t, "locate", sku, "order", order, "line", line, "outcome", outcome, "qty", qty, NULL);
	else
		r = fl_scan (t, "locate", sku, "order", order, "line", line, NULL);
	ok (testlib_status (r) <= PROTO_WARN, "%s line %s: %s %s (%s)", order, line, sku, outcome ? outcome : "found",
	    testlib_text (r));
	proto_msg_destroy (&r);
}

/* The printed label of a parcel scanned at verify (by its tracking number). */
static void
verify (struct fl_term *t, const char *parcel, const char *order)
{
	proto_msg_t *r = fl_scan (t, "enquiry", parcel, NULL);
	char track[48];
	snprintf (track, sizeof track, "%s", fl_data (r, "tracking"));
	proto_msg_destroy (&r);
	fl_check (fl_scan (t, "verify", track, "order", order, NULL), PROTO_OK, PR_OK, NULL, "its label checked");
}

/* The screen named after "Ask a supervisor: " in a reply's text is one the supervisor's menu has. */
static void
names_screen (const proto_msg_t *r, const char *screen, const char *what)
{
	const char *text = testlib_text (r);
	const char *p = strstr (text, SCREEN_ASK);
	ok (p && strncmp (p + strlen (SCREEN_ASK), screen, strlen (screen)) == 0, "%s names the screen %s: \"%s\"", what,
	    screen, text);
}

static void
test_locate_queue (struct fl_term *porter)
{
	diag ("the locate queue: oldest first, by department, with the promise");
	fl_check (fl_scan (porter, "receive", "P1000003", NULL), PROTO_OK, PR_OK, NULL, "receive P1000003");
	fl_check (fl_scan (porter, "receive", "T1000010", NULL), PROTO_OK, PR_OK, NULL, "receive T1000010");
	proto_msg_t *r = fl_expect (fl_cmd (porter, "queue-locate", NULL), PROTO_OK, PR_OK, "to locate", "queue-locate");
	is_str (fl_data (r, "queue"), "5", "one row per order and department: 3 for P1000003, 2 for T1000010");
	char f[64];
	ok (strncmp (fl_data (r, "locate.1"), "P1000003|", 9) == 0, "the oldest received first: %s", fl_data (r, "locate.1"));
	ok (strncmp (fl_data (r, "locate.4"), "T1000010|", 9) == 0, "then the next: %s", fl_data (r, "locate.4"));
	is_str (field (row_of (r, "locate", "queue", "P1000003"), 2, f, sizeof f), "FJ-SAFE-2", "where to go first");
	is_str (field (fl_data (r, "locate.1"), 6, f, sizeof f), "2026-11-25", "with the promise");
	is_str (field (fl_data (r, "locate.1"), 7, f, sizeof f), "late", "the promise has passed: late");
	ok (*field (fl_data (r, "locate.1"), 5, f, sizeof f) != '\0', "and when it was received: %s", f);
	proto_msg_destroy (&r);
	r = fl_expect (fl_cmd (porter, "queue-locate", "department", "sport"), PROTO_OK, PR_OK, "in sport",
	    "queue-locate for one department (any case)");
	is_str (fl_data (r, "queue"), "1", "one order has Sport lines");
	is_str (field (fl_data (r, "locate.1"), 3, f, sizeof f), "2", "two lines of it to find");
	is_str (field (fl_data (r, "locate.1"), 2, f, sizeof f), "SP-R1-A01", "the first of them at SP-R1-A01");
	proto_msg_destroy (&r);
	r = fl_expect (fl_cmd (porter, "queue-locate", "location", "SH-R2"), PROTO_OK, PR_OK, NULL,
	    "queue-locate by location");
	is_str (fl_data (r, "queue"), "1", "only P1000003's boots are on SH-R2");
	proto_msg_destroy (&r);
	/* Found lines leave the queue; a held order stays, marked. */
	locate (porter, "P1000003", "1", "FJ-SAFE-2", "FJ-RNG-0007", NULL, NULL);
	r = fl_cmd (porter, "queue-locate", NULL);
	is_str (fl_data (r, "queue"), "4", "Fine Jewellery is done: four rows left");
	proto_msg_destroy (&r);
}

static void
test_consolidation (struct fl_term *porter, struct fl_term *packer)
{
	diag ("consolidation of a three-department order");
	proto_msg_t *r = fl_expect (fl_cmd (porter, "consolidation", "order", "P1000003"), PROTO_OK, PR_OK,
	    "3 lines from 3 departments, 1 found, 2 missing", "consolidation while being located");
	is_str (fl_data (r, "departments"), "3", "three departments");
	ok (strncmp (fl_data (r, "cons.1"), "1|FJ-RNG-0007|1|1|Fine Jewellery|found|FJ-SAFE-2||", 48) == 0,
	    "line 1 found where it was scanned: %s", fl_data (r, "cons.1"));
	ok (strncmp (fl_data (r, "cons.2"), "2|SH-BOOT-3808|1|0|Shoes|missing|SH-STOCK-1||", 44) == 0,
	    "line 2 still missing, at its first location: %s", fl_data (r, "cons.2"));
	is_str (fl_data (r, "dept.2"), "Shoes|1|0|0|0|1", "Shoes: one line, missing");
	proto_msg_destroy (&r);
	locate (porter, "P1000003", "2", "SH-R2-C08", "SH-BOOT-3808", NULL, NULL);
	locate (porter, "P1000003", "3", "HB-R1-A02", "HB-TOTE-0110", NULL, NULL);
	fl_check (fl_scan (packer, "pack", "P1000003", "parcels", "1", "box", "L", "weight", "2300", NULL), PROTO_OK,
	    PR_OK, "labelled", "pack P1000003 in one parcel");
	r = fl_expect (fl_cmd (packer, "consolidation", "order", "P1000003/1"), PROTO_OK, PR_OK, "3 found",
	    "consolidation asked by the parcel's code");
	char f[64];
	is_str (field (fl_data (r, "cons.2"), 7, f, sizeof f), "P1000003/1", "one parcel: every line is in it");
	is_str (field (fl_data (r, "cons.3"), 8, f, sizeof f), "labelled", "and the parcel's state");
	proto_msg_destroy (&r);
	r = fl_cmd (packer, "queue-pack", NULL);
	is_str (fl_data (r, "next"), "P1000003", "its label not yet checked: the bench's next is P1000003");
	proto_msg_destroy (&r);
	verify (packer, "P1000003/1", "P1000003");
	fl_check (fl_cmd (packer, "consolidation", "order", "Z999"), PROTO_REFUSED, PR_UNKNOWN_BARCODE, "No order",
	    "consolidation of nothing known");
}

static void
test_part_shipment (struct fl_term *porter, struct fl_term *packer, struct fl_term *sup)
{
	diag ("a part-shipment waits for a supervisor, is released, then packed");
	fl_check (fl_scan (porter, "receive", "W1000001", NULL), PROTO_OK, PR_OK, NULL, "receive W1000001");
	locate (porter, "W1000001", "1", "WW-R3-B12", "WW-DRS-1042", NULL, NULL);
	proto_msg_t *r = fl_scan (porter, "locate", "BT-HOLD-1", "order", "W1000001", "line", "2", NULL);
	proto_msg_destroy (&r);
	r = fl_expect (fl_scan (porter, "locate", "BT-EDP-0050", "order", "W1000001", "line", "2", "outcome", "short",
	    "qty", "0", NULL), PROTO_WARN, PR_SHORT, "Part-shipment?", "line 2 short, none found");
	names_screen (r, SCREEN_IN_SUPER (SCREEN_PART), "the short at locate");
	proto_msg_destroy (&r);
	r = fl_expect (fl_scan (packer, "pack", "W1000001", "parcels", "1", "box", "M", "weight", "500", NULL),
	    PROTO_REFUSED, PR_INCOMPLETE, NULL, "pack before the decision");
	names_screen (r, SCREEN_IN_SUPER (SCREEN_PART), "the INCOMPLETE refusal at pack");
	proto_msg_destroy (&r);
	fl_check (fl_cmd (packer, "queue-part", NULL), PROTO_REFUSED, PR_FORBIDDEN, "Supervisor > Part-shipments",
	    "a packer may not see the part-shipment queue, and is told where a supervisor does");
	r = fl_expect (fl_cmd (sup, "queue-part", NULL), PROTO_OK, PR_OK, "1 order waiting", "queue-part");
	ok (strncmp (fl_data (r, "part.1"), "W1000001|1|1|0|2026-11-24|Margaret Ellis|", 41) == 0, "the row: %s",
	    fl_data (r, "part.1"));
	char f[80];
	is_str (field (fl_data (r, "part.1"), 7, f, sizeof f), "2 BT-EDP-0050 0/1 short", "what is short");
	proto_msg_destroy (&r);
	r = fl_cmd (sup, "queue-pack", "all", "1");
	is_str (row_of (r, "pack", "queue", "W1000001"), "", "not ready to pack before the release");
	proto_msg_destroy (&r);
	fl_check (fl_cmd (sup, "release-part", "order", "W1000001", "reason", "customer agreed by phone"), PROTO_OK, PR_OK,
	    "released", "release the part-shipment");
	r = fl_cmd (sup, "queue-part", NULL);
	is_str (fl_data (r, "queue"), "0", "no longer waiting");
	proto_msg_destroy (&r);
	r = fl_cmd (packer, "queue-pack", NULL);
	is_str (field (row_of (r, "pack", "queue", "W1000001"), 9, f, sizeof f), "part", "ready to pack, as a part-shipment");
	proto_msg_destroy (&r);
	fl_check (fl_scan (packer, "pack", "W1000001", "parcels", "1", "box", "M", "weight", "500", NULL), PROTO_OK, PR_OK,
	    "labelled", "packed once released");
	verify (packer, "W1000001/1", "W1000001");
}

static void
test_pack_queue (struct fl_term *porter, struct fl_term *packer, struct fl_term *bench2)
{
	diag ("the pack queue per bench and station group");
	locate (porter, "T1000010", "1", "SH-R1-A10", "SH-TRN-4410", NULL, NULL);
	locate (porter, "T1000010", "2", "SP-R1-A01", "SP-BTL-0750", NULL, NULL);
	locate (porter, "T1000010", "3", "SP-R1-A02", "SP-SOCK-0003", NULL, NULL);
	proto_msg_t *r = fl_expect (fl_cmd (packer, "queue-pack", NULL), PROTO_OK, PR_OK, "ready to pack. Next: T1000010",
	    "queue-pack at bench-1");
	char f[64];
	const char *row = row_of (r, "pack", "queue", "T1000010");
	is_str (field (row, 1, f, sizeof f), "located", "T1000010 located");
	is_str (field (row, 3, f, sizeof f), "2", "two departments");
	is_str (field (row, 6, f, sizeof f), "", "no bench has it yet");
	is_str (fl_data (r, "group"), "benches", "bench-1's group");
	proto_msg_destroy (&r);
	/* Parcel 1 of 2 at bench-2: it is bench-2's now. */
	r = fl_expect (fl_scan (bench2, "pack", "T1000010", "parcels", "2", "box", "M", "weight", "1000", NULL), PROTO_OK,
	    PR_OK, "Parcel 1 of 2", "bench-2 packs parcel 1 of 2");
	proto_msg_destroy (&r);
	r = fl_cmd (bench2, "queue-pack", NULL);
	is_str (fl_data (r, "next"), "T1000010", "bench-2's next is the order it has open");
	is_str (field (row_of (r, "pack", "queue", "T1000010"), 4, f, sizeof f), "1", "one parcel packed");
	is_str (field (row_of (r, "pack", "queue", "T1000010"), 5, f, sizeof f), "2", "of two");
	proto_msg_destroy (&r);
	r = fl_cmd (packer, "queue-pack", NULL);
	is_str (field (row_of (r, "pack", "queue", "T1000010"), 6, f, sizeof f), "bench-2",
	    "bench-1 (same group) sees it at bench-2");
	ok (strcmp (fl_data (r, "next"), "T1000010") != 0, "and is not told to take it (next: '%s')", fl_data (r, "next"));
	proto_msg_destroy (&r);
	r = fl_cmd (packer, "queue-pack", "station", "bench-9");
	is_str (row_of (r, "pack", "queue", "T1000010"), "", "a bench of no group does not see bench-2's order");
	proto_msg_destroy (&r);

	diag ("which parcel each line went into");
	r = fl_expect (fl_cmd (bench2, "pack-lines", "parcel", "T1000010/1", "lines", "1"), PROTO_OK, PR_OK,
	    "Line 1 in T1000010/1", "line 1 in parcel 1");
	proto_msg_destroy (&r);
	fl_check (fl_cmd (bench2, "pack-lines", "parcel", "T1000010/1", "lines", "7"), PROTO_REFUSED, PR_BAD_ARGUMENT,
	    "no line 7", "a line the order does not have");
	fl_check (fl_cmd (bench2, "pack-lines", "parcel", "T1000010/1", "lines", "one"), PROTO_REFUSED, PR_BAD_ARGUMENT,
	    "not a line number", "a word for a line");
	r = fl_cmd (bench2, "consolidation", "order", "T1000010");
	is_str (field (fl_data (r, "cons.1"), 7, f, sizeof f), "T1000010/1", "line 1: in parcel 1");
	is_str (field (fl_data (r, "cons.2"), 7, f, sizeof f), "", "line 2: in no parcel yet (parcel 1's lines were said)");
	proto_msg_destroy (&r);
	fl_check (fl_scan (bench2, "pack", "T1000010", "parcels", "2", "box", "M", "weight", "600", NULL), PROTO_OK, PR_OK,
	    "Parcel 2 of 2", "parcel 2");
	fl_check (fl_cmd (bench2, "pack-lines", "parcel", "T1000010/2", "lines", "2, 3"), PROTO_OK, PR_OK,
	    "Lines 2, 3 in T1000010/2", "lines 2 and 3 in parcel 2");
	r = fl_cmd (bench2, "consolidation", "order", "T1000010");
	is_str (field (fl_data (r, "cons.3"), 7, f, sizeof f), "T1000010/2", "line 3: in parcel 2");
	is_str (field (fl_data (r, "cons.1"), 7, f, sizeof f), "T1000010/1", "line 1 still in parcel 1");
	proto_msg_destroy (&r);
	is_int (sql_int ("SELECT count(*) FROM events WHERE action = 'pack-line' AND order_ref = 'T1000010'"), 3,
	    "each line's parcel is in the audit trail");
}

static void
test_unlock (struct fl_term *sup, struct fl_term *porter)
{
	diag ("a badge locked after wrong PINs, unlocked by a supervisor");
	client_t *c = client_new (hub.endpoint, "hh-locked", NULL);
	uint32_t seq = 0;
	proto_msg_t *r = testlib_hello (c, ++seq, "despatch-in");
	proto_msg_destroy (&r);
	for (int i = 0; i < 5; i++) {
		r = testlib_login (c, ++seq, "B1001", "0000");
		if (i == 4) {
			ok (testlib_reason (r) == PR_LOCKED_OUT, "the fifth wrong PIN locks the badge: %s", testlib_text (r));
			names_screen (r, SCREEN_IN_SUPER (SCREEN_UNLOCK), "the lockout");
		}
		proto_msg_destroy (&r);
	}
	r = testlib_login (c, ++seq, "B1001", "1111");
	ok (testlib_reason (r) == PR_LOCKED_OUT, "the right PIN is refused while locked");
	names_screen (r, SCREEN_IN_SUPER (SCREEN_UNLOCK), "the refusal while locked");
	proto_msg_destroy (&r);
	r = fl_expect (fl_cmd (sup, "locked", NULL), PROTO_OK, PR_OK, "1 badge locked", "locked");
	char f[64];
	is_str (field (fl_data (r, "badge.1"), 0, f, sizeof f), "B1001", "B1001 is listed");
	is_str (field (fl_data (r, "badge.1"), 1, f, sizeof f), "Ada Porter", "with the name");
	ok (atoi (field (fl_data (r, "badge.1"), 5, f, sizeof f)) >= 14, "and the minutes left (%s)", f);
	proto_msg_destroy (&r);
	r = fl_expect (fl_cmd (porter, "unlock", "badge", "B1001", "reason", "x"), PROTO_REFUSED, PR_FORBIDDEN, NULL,
	    "a porter may not unlock");
	names_screen (r, SCREEN_IN_SUPER (SCREEN_UNLOCK), "the porter's refusal");
	proto_msg_destroy (&r);
	fl_check (fl_cmd (sup, "unlock", "badge", "B1001", "reason", "new PIN card issued"), PROTO_OK, PR_OK, "unlocked",
	    "unlock B1001");
	is_int (sql_int ("SELECT count(*) FROM events WHERE action = 'unlock' AND operator = 'B3001' AND detail LIKE"
	    " 'badge B1001 (Ada Porter) unlocked: new PIN card issued (locked until %'"), 1, "audited: who, whose, why");
	r = testlib_login (c, ++seq, "B1001", "1111");
	ok (testlib_status (r) == PROTO_OK, "B1001 logs in: %s", testlib_text (r));
	proto_msg_destroy (&r);
	fl_check (fl_cmd (sup, "unlock", "badge", "B1001", "reason", "again"), PROTO_OK, PR_ALREADY_DONE, "not locked",
	    "unlocking a free badge changes nothing");
	fl_check (fl_cmd (sup, "unlock", "badge", "B7777", "reason", "x"), PROTO_REFUSED, PR_UNKNOWN_BARCODE, "No badge",
	    "an unknown badge");
	client_destroy (&c);
}

static void
test_jobs (struct fl_term *sup, struct fl_term *packer)
{
	diag ("print jobs of any kind, by number: the stuck receipt");
	/* T1000002 through to a close-out at the office, whose station has no printer. */
	struct fl_term *porter = packer;
	fl_check (fl_scan (porter, "receive", "T1000002", NULL), PROTO_OK, PR_OK, NULL, "receive T1000002");
	locate (porter, "T1000002", "1", "MW-R1-A04", "MW-SHT-2210", NULL, NULL);
	proto_msg_t *r = fl_scan (packer, "pack", "T1000002", "parcels", "1", "box", "S", "weight", "400", NULL);
	char track[48], carrier[24];
	snprintf (track, sizeof track, "%s", fl_data (r, "tracking"));
	snprintf (carrier, sizeof carrier, "%s", fl_data (r, "carrier"));
	ok (testlib_status (r) == PROTO_OK, "T1000002 packed: %s %s", carrier, track);
	proto_msg_destroy (&r);
	fl_check (fl_scan (packer, "verify", track, "order", "T1000002", NULL), PROTO_OK, PR_OK, NULL, "verified");
	r = fl_scan (packer, "cage", "VAN-1", NULL);
	proto_msg_destroy (&r);
	fl_check (fl_scan (packer, "scanout", track, "cage", "VAN-1", NULL), PROTO_OK, PR_OK, NULL, "on the van");
	r = fl_expect (fl_cmd (sup, "closeout", "carrier", carrier), PROTO_OK, PR_OK, "closed out", "close-out");
	char receipt[16], manifest[16];
	snprintf (receipt, sizeof receipt, "%s", fl_data (r, "receipt"));
	snprintf (manifest, sizeof manifest, "%s", fl_data (r, "manifest"));
	proto_msg_destroy (&r);
	/* The spooler finds no document printer for the office. */
	for (int i = 0; i < 100 && sql_int ("SELECT count(*) FROM label_jobs WHERE kind = 'receipt' AND status = 'no-printer'")
	        == 0; i++)
		zclock_sleep (50);
	is_int (sql_int ("SELECT count(*) FROM label_jobs WHERE kind = 'receipt' AND status = 'no-printer'"), 1,
	    "the receipt is kept: no printer at the office");

	r = fl_expect (fl_cmd (packer, "job-list", NULL), PROTO_OK, PR_OK, NULL, "a packer's job list: this station");
	is_str (row_of (r, "printjob", "jobs", receipt), "", "the office's receipt is not the bench's");
	proto_msg_destroy (&r);
	fl_check (fl_cmd (packer, "job-list", "station", "*"), PROTO_REFUSED, PR_FORBIDDEN, "Print jobs",
	    "only a supervisor sees every station");
	r = fl_expect (fl_cmd (sup, "job-list", "station", "*"), PROTO_OK, PR_OK, "not printed at any station",
	    "a supervisor's job list of every station");
	char f[80];
	const char *row = row_of (r, "printjob", "jobs", receipt);
	is_str (field (row, 1, f, sizeof f), "receipt", "the receipt is listed, of its kind");
	snprintf (f, sizeof f, "manifest %s", manifest);
	char g[80];
	is_str (field (row, 2, g, sizeof g), f, "for its manifest");
	is_str (field (row, 3, g, sizeof g), "no-printer", "kept: no printer");
	is_str (field (row, 5, g, sizeof g), "office", "at the office");
	is_str (field (row, 8, g, sizeof g), "pdf", "a PDF");
	proto_msg_destroy (&r);

	fl_check (fl_cmd (sup, "job-redirect", "job", receipt, "printer", "nowhere"), PROTO_REFUSED, PR_BAD_ARGUMENT,
	    "Document printers: docs", "redirect to a printer not set up: the ones that are");
	fl_check (fl_cmd (sup, "job-redirect", "job", receipt, "printer", "zebra-9"), PROTO_REFUSED, PR_BAD_ARGUMENT,
	    "zebra-9 is a label printer", "a receipt to a label printer");
	fl_check (fl_cmd (sup, "job-redirect", "job", receipt, "printer", "docs"), PROTO_OK, PR_OK,
	    "collection receipt for manifest", "the receipt to the document printer");
	r = fl_cmd (sup, "job-list", "station", "*", "done", "1");
	is_str (field (row_of (r, "printjob", "jobs", receipt), 4, g, sizeof g), "docs", "it goes to docs now");
	proto_msg_destroy (&r);
	is_int (sql_int ("SELECT count(*) FROM events WHERE action = 'redirect' AND detail LIKE 'receipt job % to docs'"), 1,
	    "audited");
	fl_check (fl_cmd (sup, "job-cancel", "job", receipt), PROTO_OK, PR_OK, "is cancelled", "cancel it");
	for (int i = 0; i < 100 && sql_int ("SELECT count(*) FROM label_jobs WHERE kind = 'receipt' AND status = 'cancelled'")
	        == 0; i++)
		zclock_sleep (50);
	fl_check (fl_cmd (sup, "job-cancel", "job", receipt), PROTO_OK, PR_ALREADY_DONE, "already cancelled",
	    "cancel twice");
	fl_check (fl_cmd (sup, "job-redirect", "job", receipt, "printer", "docs"), PROTO_REFUSED, PR_BAD_ARGUMENT,
	    "Reprint it", "a cancelled job cannot be redirected");
	r = fl_expect (fl_cmd (sup, "job-reprint", "job", receipt, "printer", "docs"), PROTO_OK, PR_OK,
	    "Reprinting the collection receipt", "reprint the cancelled receipt at docs");
	char again[16];
	snprintf (again, sizeof again, "%s", fl_data (r, "job"));
	proto_msg_destroy (&r);
	char *sql = xasprintf ("SELECT count(*) FROM label_docs a JOIN label_docs b ON b.job = %s JOIN label_jobs j ON j.id = b.job"
	    " WHERE a.job = %s AND a.data = b.data AND j.kind = 'receipt' AND j.printer = 'docs'", again, receipt);
	is_int (sql_int (sql), 1, "a new job, byte for byte the same receipt, for docs");
	free (sql);
	fl_check (fl_cmd (sup, "job-reprint", "job", "999999"), PROTO_REFUSED, PR_UNKNOWN_BARCODE, "No print job",
	    "an unknown job");
	fl_check (fl_cmd (sup, "job-reprint", "job", "x1"), PROTO_REFUSED, PR_BAD_ARGUMENT, "job must be",
	    "a job that is not a number");

	diag ("the printers");
	/* The print worker tries the new job on its own time: its state is the hub's once it has answered. */
	sql = xasprintf ("SELECT count(*) FROM label_jobs WHERE id = %s AND status = 'offline'", again);
	for (int i = 0; i < 200 && sql_int (sql) == 0; i++)
		zclock_sleep (50);
	free (sql);
	r = fl_cmd (sup, "printers", NULL);
	ok (testlib_status (r) == PROTO_WARN && strstr (testlib_text (r), "offline"), "printers: docs offline (no CUPS "
	    "here): %s", testlib_text (r));
	row = row_of (r, "printer", "printers", "docs");
	is_str (field (row, 1, g, sizeof g), "document", "docs: a document printer");
	is_str (field (row, 2, g, sizeof g), "bench-9", "of bench-9");
	row = row_of (r, "printer", "printers", "zebra-9");
	is_str (field (row, 1, g, sizeof g), "label", "zebra-9: a label printer");
	row = row_of (r, "printer", "printers", "spare");
	is_str (field (row, 2, g, sizeof g), "group benches", "spare: the benches' fallback");
	proto_msg_destroy (&r);

	diag ("the latest close-outs");
	r = fl_expect (fl_cmd (sup, "manifests", NULL), PROTO_OK, PR_OK, "latest close-out", "manifests");
	ok (strncmp (fl_data (r, "manifest.1"), manifest, strlen (manifest)) == 0, "the newest first: %s",
	    fl_data (r, "manifest.1"));
	is_str (field (fl_data (r, "manifest.1"), 5, g, sizeof g), "closed", "closed");
	is_str (field (fl_data (r, "manifest.1"), 6, g, sizeof g), "Jo Supervisor", "by whom");
	proto_msg_destroy (&r);
	fl_check (fl_cmd (sup, "closeout-reopen", "manifest", manifest, "reason", "driver left it behind"), PROTO_OK, PR_OK,
	    "reopened", "reopen it");
	r = fl_cmd (sup, "manifests", NULL);
	is_str (field (fl_data (r, "manifest.1"), 5, g, sizeof g), "reopened", "listed as reopened");
	proto_msg_destroy (&r);
	fl_check (fl_cmd (sup, "closeout", "carrier", carrier), PROTO_OK, PR_OK, "closed out", "closed out again");
}

static void
test_ranges (struct fl_term *porter, struct fl_term *packer, struct fl_term *sup)
{
	diag ("a carrier's numbers run out; a supervisor tops the range up");
	/* DPD's range down to its last number, which the next label takes. */
	fl_sql_exec (hub.database, "UPDATE ranges SET next = last WHERE carrier = 'dpd'");
	fl_check (fl_scan (porter, "receive", "W1000005", NULL), PROTO_OK, PR_OK, NULL, "receive W1000005");
	locate (porter, "W1000005", "1", "HW-R2-B07", "HW-PAN-2400", NULL, NULL);
	locate (porter, "W1000005", "2", "TY-R1-A11", "TY-TRN-0042", NULL, NULL);
	proto_msg_t *r = fl_scan (porter, "locate", "TY-TRN-0042", "order", "W1000005", "line", "2", NULL);
	proto_msg_destroy (&r); /* a second unit, where a line of two needs two scans */
	locate (porter, "W1000005", "3", "MW-R3-C02", "MW-KNT-1130", NULL, NULL);
	r = fl_expect (fl_scan (packer, "pack", "W1000005", "parcels", "2", "box", "L", "weight", "5200", NULL), PROTO_WARN,
	    PR_RANGE_LOW, NULL, "parcel 1 takes DPD's last number");
	names_screen (r, SCREEN_IN_SUPER (SCREEN_RANGES), "RANGE_LOW");
	proto_msg_destroy (&r);
	r = fl_expect (fl_scan (packer, "pack", "W1000005", "parcels", "2", "box", "M", "weight", "2400", NULL),
	    PROTO_REFUSED, PR_RANGE_EXHAUSTED, NULL, "parcel 2: no number left");
	names_screen (r, SCREEN_IN_SUPER (SCREEN_RANGES), "RANGE_EXHAUSTED");
	proto_msg_destroy (&r);
	r = fl_expect (fl_cmd (sup, "ranges", "carrier", "dpd"), PROTO_WARN, PR_RANGE_LOW, "used up", "ranges of DPD");
	char f[64];
	is_str (field (fl_data (r, "range.1"), 9, f, sizeof f), "used-up", "DPD's range is used up");
	is_str (field (fl_data (r, "range.1"), 3, f, sizeof f), "1550", "its prefix");
	proto_msg_destroy (&r);
	fl_check (fl_cmd (sup, "range-add", "carrier", "dpd", "first", "1500000", "last", "2500000"), PROTO_REFUSED,
	    PR_CONFLICT, "overlaps", "a range overlapping the one held");
	fl_check (fl_cmd (sup, "range-add", "carrier", "dpd", "first", "3000000", "last", "2000000"), PROTO_REFUSED,
	    PR_BAD_ARGUMENT, "first not above last", "first above last");
	fl_check (fl_cmd (sup, "range-add", "carrier", "dpd", "first", "2000000", "last", "99999999999"), PROTO_REFUSED,
	    PR_BAD_ARGUMENT, "cannot number up to", "more than DPD's numbers can hold");
	fl_check (fl_cmd (sup, "range-add", "carrier", "dpd", "first", "2000000", "last", "2999999", "scheme", "s10"),
	    PROTO_REFUSED, PR_BAD_ARGUMENT, "scheme dpd", "another carrier's scheme");
	fl_check (fl_cmd (sup, "range-add", "carrier", "hovercraft", "first", "1", "last", "2"), PROTO_REFUSED,
	    PR_BAD_ARGUMENT, "not known", "an unknown carrier");
	fl_check (fl_cmd (packer, "range-add", "carrier", "dpd", "first", "2000000", "last", "2999999"), PROTO_REFUSED,
	    PR_FORBIDDEN, "Supervisor > Number ranges", "a packer may not");
	fl_check (fl_cmd (sup, "range-add", "carrier", "dpd", "first", "2000000", "last", "2999999"), PROTO_OK, PR_OK,
	    "1000000 numbers added", "top up DPD");
	is_int (sql_int ("SELECT count(*) FROM ranges WHERE carrier = 'dpd' AND prefix = '1550' AND first = 2000000"
	    " AND next = 2000000 AND last = 2999999 AND low_water = 1000"), 1, "the new range, with the old prefix and low water");
	is_int (sql_int ("SELECT count(*) FROM events WHERE action = 'range-add' AND operator = 'B3001'"), 1, "audited");
	r = fl_expect (fl_scan (packer, "pack", "W1000005", "parcels", "2", "parcel", "2", "box", "M", "weight", "2400",
	    NULL), PROTO_OK, PR_OK, NULL, "parcel 2 is labelled from the new range");
	ok (strstr (fl_data (r, "tracking"), "2000000") != NULL, "its number is the new range's first: %s",
	    fl_data (r, "tracking"));
	proto_msg_destroy (&r);
}

int
main (void)
{
	zsys_init ();
	zsys_set_logsystem (false);
	const char *const extra[] = { "station.bench-1.group=benches", "station.bench-2.group=benches",
		"printer.bench-9.document=docs", "printer.bench-9.label=zebra-9", "printer.group.benches.fallback=spare",
		"printer.server=/nonexistent/cups.sock", NULL };
	if (!ok (testlib_hub_start (&hub, extra) == 0, "hub starts with the demo data"))
		return tap_done ();
	struct fl_term porter, packer, bench2, sup;
	fl_term_open (&porter, hub.endpoint, "hh-01", "despatch-in", "B1001", "1111");
	fl_term_open (&packer, hub.endpoint, "bench-01", "bench-1", "B2001", "2222");
	fl_term_open (&bench2, hub.endpoint, "bench-02", "bench-2", "B9001", "9999");
	fl_term_open (&sup, hub.endpoint, "hh-sup", "office", "B3001", "3333");

	test_locate_queue (&porter);
	test_consolidation (&porter, &packer);
	test_part_shipment (&porter, &packer, &sup);
	test_pack_queue (&porter, &packer, &bench2);
	test_unlock (&sup, &porter);
	test_jobs (&sup, &packer);
	test_ranges (&porter, &packer, &sup);

	char *integrity = testlib_sql_text (hub.database, "PRAGMA integrity_check");
	is_str (integrity, "ok", "PRAGMA integrity_check is ok");
	free (integrity);
	is_int (testlib_hub_stop (&hub), 0, "hub stops cleanly");
	client_destroy (&porter.c);
	client_destroy (&packer.c);
	client_destroy (&bench2.c);
	client_destroy (&sup.c);
	return tap_done ();
}
