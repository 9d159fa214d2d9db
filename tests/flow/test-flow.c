/*
 * test-flow.c: the despatch flow against a real hub (ipc://, SQLite file,
 * demo data): a three-department order from ticket to close-out and
 * tracking; then every refusal with its reason code and text; holds at
 * scan-out; undo; repeats that change nothing; two terminals at once;
 * the box types of pack.boxes, changed by a reload.
 */
#include "config.h"
#include "flowlib.h"

#include <czmq.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "text.h"
#include "util.h"

static struct testlib_hub hub;

static long long
sql_int (const char *sql)
{
	return testlib_sql_int (hub.database, sql);
}

/* Run the despatch tool on the hub's database; its exit status. */
static int
despatch (const char *args)
{
	const char *top = getenv ("top_builddir");
	char *cmd = xasprintf ("'%s/admin/despatch' --database '%s' %s >/dev/null 2>&1", top ? top : ".", hub.database, args);
	int st = system (cmd);
	free (cmd);
	return WIFEXITED (st) ? WEXITSTATUS (st) : -1;
}

static void
test_whole_flow (struct fl_term *porter, struct fl_term *packer, struct fl_term *sup)
{
	diag ("the whole flow: W1000005, Homeware + Toys + Menswear, two parcels, DPD");
	proto_msg_t *r = fl_expect (fl_scan (porter, "receive", "W1000005"), PROTO_OK, PR_OK, "3 lines from 3 departments",
	    "receive the ticket");
	is_str (fl_data (r, "next"), "locate", "next is locate");
	is_str (fl_data (r, "line"), "1", "first line to locate is 1");
	is_str (fl_data (r, "location"), "HW-R2-B07", "and where it is");
	is_str (fl_data (r, "lines"), "3", "three lines listed");
	ok (strstr (fl_data (r, "line.2"), "open|TY-TRN-0042|2|Toys|") == fl_data (r, "line.2"), "line.2 = %s",
	    fl_data (r, "line.2"));
	proto_msg_destroy (&r);

	static const struct {
		const char *line, *location, *sku;
	} lines[] = {
		{ "1", "HW-R2-B07", "HW-PAN-2400" },
		{ "2", "TY-STOCK-2", "TY-TRN-0042" },
		{ "3", "MW-R3-C02", "MW-KNT-1130" },
	};
	for (size_t i = 0; i < 3; i++) {
		r = fl_expect (fl_scan (porter, "locate", lines[i].location, "order", "W1000005", "line", lines[i].line,
		    NULL), PROTO_OK, PR_OK, "Now scan the item", "locate: location of line");
		is_str (fl_data (r, "next"), "item", "next is the item");
		proto_msg_destroy (&r);
		if (i == 1) {
			/* Two of them: one scan confirms one unit, not the line. */
			r = fl_expect (fl_scan (porter, "locate", lines[i].sku, "order", "W1000005", "line", lines[i].line, NULL),
			    PROTO_OK, PR_OK, "1 of 2 found", "locate: the first of two items");
			is_str (fl_data (r, "next"), "item", "the second item is asked for");
			is_str (fl_data (r, "found"), "1", "one found so far");
			proto_msg_destroy (&r);
			is_int (sql_int ("SELECT count(*) FROM order_lines WHERE order_ref = 'W1000005' AND line_no = 2"
			    " AND status = 'open' AND qty_found = 1"), 1, "the line is still open, one unit found");
		}
		r = fl_expect (fl_scan (porter, "locate", lines[i].sku, "order", "W1000005", "line", lines[i].line, NULL),
		    PROTO_OK, PR_OK, "found", "locate: item of line");
		if (i < 2)
			is_str (fl_data (r, "line"), lines[i + 1].line, "the next line is offered");
		else
			is_str (fl_data (r, "next"), "pack", "every line found: next is pack");
		proto_msg_destroy (&r);
	}
	is_int (sql_int ("SELECT count(*) FROM orders WHERE ref = 'W1000005' AND status = 'located'"), 1, "order located");

	r = fl_expect (fl_scan (packer, "pack", "W1000005", "parcels", "2", "parcel", "1", "box", "L", "weight", "5200",
	    NULL), PROTO_OK, PR_OK, "Parcel 1 of 2 labelled dpd", "pack parcel 1");
	is_str (fl_data (r, "carrier"), "dpd", "DPD chosen for GB next-day");
	is_str (fl_data (r, "next"), "verify", "next is verify");
	char sscc1[32], track1[48];
	snprintf (sscc1, sizeof sscc1, "%s", fl_data (r, "sscc"));
	snprintf (track1, sizeof track1, "%s", fl_data (r, "tracking"));
	is_int (strlen (sscc1), 18, "an 18-digit SSCC: %s", sscc1);
	is_int (strlen (track1), 14, "a 14-digit DPD parcel number: %s", track1);
	proto_msg_destroy (&r);
	r = fl_expect (fl_scan (packer, "pack", "W1000005", "parcels", "2", "box", "M", "weight", "2400", NULL),
	    PROTO_OK, PR_OK, "Parcel 2 of 2", "pack parcel 2 (number defaults to the next)");
	char track2[48];
	snprintf (track2, sizeof track2, "%s", fl_data (r, "tracking"));
	is_str (fl_data (r, "status"), "labelled", "order labelled once both parcels are");
	ok (strcmp (track1, track2) != 0, "parcels have their own tracking numbers");
	proto_msg_destroy (&r);
	is_int (sql_int ("SELECT count(*) FROM label_jobs j JOIN parcels p ON p.id = j.parcel_id"
	    " WHERE p.order_ref = 'W1000005' AND j.station = 'bench-1'"), 2,
	    "a print job per label, for the bench");

	char gs1[40];
	snprintf (gs1, sizeof gs1, "]C100%s", sscc1);
	r = fl_expect (fl_scan (packer, "verify", gs1, "order", "W1000005", NULL), PROTO_OK, PR_OK, "Label right",
	    "verify parcel 1 by its GS1-128 SSCC");
	is_str (fl_data (r, "next"), "verify", "one more label to check");
	proto_msg_destroy (&r);
	r = fl_expect (fl_scan (packer, "verify", track2, "order", "W1000005", NULL), PROTO_OK, PR_OK, "Label right",
	    "verify parcel 2 by its tracking number");
	is_str (fl_data (r, "next"), "scanout", "next is scan-out");
	proto_msg_destroy (&r);

	r = fl_expect (fl_scan (packer, "cage", "CAGE-DPD", NULL), PROTO_OK, PR_OK, "CAGE-DPD", "cage named");
	is_str (fl_data (r, "carrier"), "dpd", "the cage is DPD's");
	proto_msg_destroy (&r);
	r = fl_expect (fl_scan (packer, "scanout", sscc1, "cage", "CAGE-DPD", NULL), PROTO_OK, PR_OK, "on CAGE-DPD",
	    "scan out parcel 1");
	is_str (fl_data (r, "count"), "1", "one parcel on the cage");
	proto_msg_destroy (&r);
	r = fl_expect (fl_scan (packer, "scanout", track2, "cage", "CAGE-DPD", NULL), PROTO_OK, PR_OK, "on CAGE-DPD",
	    "scan out parcel 2");
	is_str (fl_data (r, "status"), "scanned_out", "order scanned out");
	is_str (fl_data (r, "next"), "closeout", "next is close-out");
	proto_msg_destroy (&r);

	r = fl_expect (fl_cmd (sup, "closeout-preview", "carrier", "dpd", NULL), PROTO_OK, PR_OK, "2 parcels ready",
	    "close-out preview");
	proto_msg_destroy (&r);
	r = fl_expect (fl_cmd (sup, "closeout", "carrier", "dpd", NULL), PROTO_OK, PR_OK, "closed out: manifest",
	    "close out DPD");
	is_str (fl_data (r, "count"), "2", "two parcels in the manifest");
	proto_msg_destroy (&r);
	is_int (sql_int ("SELECT count(*) FROM orders WHERE ref = 'W1000005' AND status = 'closed'"), 1, "order closed");
	fl_check (fl_scan (packer, "scanout", sscc1, "cage", "CAGE-DPD", NULL), PROTO_REFUSED, PR_CLOSED, "closed out",
	    "a closed parcel cannot be scanned out again");
	fl_check (fl_cmd (sup, "closeout", "carrier", "dpd", NULL), PROTO_REFUSED, PR_INCOMPLETE, "Nothing on",
	    "a second close-out with nothing scanned out");

	fl_check (fl_cmd (sup, "track", "code", track1, "event", "in_transit", "detail", "hub Hinckley", NULL), PROTO_OK,
	    PR_OK, "in_transit", "tracking: parcel 1 in transit");
	fl_check (fl_cmd (sup, "track", "code", track2, "event", "in_transit", NULL), PROTO_OK, PR_OK, "in_transit",
	    "tracking: parcel 2 in transit");
	is_int (sql_int ("SELECT count(*) FROM orders WHERE ref = 'W1000005' AND status = 'in_transit'"), 1,
	    "order in transit");
	fl_check (fl_cmd (sup, "track", "code", sscc1, "event", "delivered", NULL), PROTO_OK, PR_OK, "delivered",
	    "tracking: parcel 1 delivered (by SSCC)");
	fl_check (fl_cmd (sup, "track", "code", track2, "event", "lost-in-space", NULL), PROTO_REFUSED, PR_BAD_ARGUMENT,
	    "not in_transit", "unknown tracking event");

	fl_check (fl_cmd (porter, "note", "code", "W1000005", "text", "Customer asked for a gift receipt", NULL), PROTO_OK,
	    PR_OK, "Note added", "a porter adds a note");
	r = fl_expect (fl_scan (porter, "enquiry", gs1, NULL), PROTO_OK, PR_OK, "W1000005", "enquiry by GS1 SSCC");
	is_str (fl_data (r, "order"), "W1000005", "enquiry names the order");
	is_str (fl_data (r, "parcels"), "2", "and its two parcels");
	is_str (fl_data (r, "notes"), "1", "and the note");
	ok (atoi (fl_data (r, "events")) >= 10, "and its history (%s events)", fl_data (r, "events"));
	ok (atoi (fl_data (r, "tracks")) == 3, "and its tracking (%s events)", fl_data (r, "tracks"));
	ok (strstr (fl_data (r, "history.1"), "|B1001|despatch-in|receive|") != NULL, "history.1 = %s",
	    fl_data (r, "history.1"));
	proto_msg_destroy (&r);
	fl_check (fl_scan (porter, "enquiry", track1, NULL), PROTO_OK, PR_OK, "delivered", "enquiry by tracking number");

	/* Audit: who, when, terminal, station and the raw scan for every change. */
	is_int (sql_int ("SELECT count(*) FROM events WHERE order_ref = 'W1000005' AND (operator IS NULL OR terminal IS NULL"
	    " OR station IS NULL OR at IS NULL)"), 0, "every event says who, when, terminal and station");
	is_int (sql_int ("SELECT count(*) FROM events WHERE order_ref = 'W1000005' AND action = 'verify'"
	    " AND code LIKE ']C100%'"), 1, "the raw scan is kept with its symbology identifier");
}

/* A note of n characters taken in turn from a sentence in Greek, Arabic and
 * Chinese with an emoji: two, three and four bytes a character. */
static char *
note_of (size_t n)
{
	static const char *const sentence[] = {
		"Π", "α", "ρ", "α", "κ", "α", "λ", "ώ", " ", "π", "α", "ρ", "α", "δ", "ώ", "σ", "τ", "ε", " ", "σ", "τ", "ο",
		"ν", " ", "γ", "ε", "ί", "τ", "ο", "ν", "α", ".", " ", "ي", "ر", "ج", "ى", " ", "ا", "ل", "ت", "س", "ل", "ي", "م",
		" ", "ل", "ل", "ج", "ا", "ر", ".", " ", "请", "把", "包", "裹", "交", "给", "邻", "居", "。", "📦", " ",
	};
	const size_t m = sizeof sentence / sizeof sentence[0];
	char *s = xstrdup ("");
	size_t chars = 0;
	for (size_t i = 0; chars < n; i++) {
		char *t = xasprintf ("%s%s", s, sentence[i % m]);
		free (s);
		s = t;
		chars++;
	}
	return s;
}

/* A note is limited in characters, not bytes: 400 characters of two to four
 * bytes each are kept whole; 501 are refused, saying how many, and nothing is
 * stored. */
static void
test_note_length (struct fl_term *porter)
{
	diag ("a note's length counts characters, in any script");
	long long notes = sql_int ("SELECT count(*) FROM notes WHERE order_ref = 'W1000005'");
	long long events = sql_int ("SELECT count(*) FROM events WHERE order_ref = 'W1000005' AND action = 'note'");
	char *long_ok = note_of (400);
	ok (strlen (long_ok) > 500, "the 400-character note is %zu bytes", strlen (long_ok));
	fl_check (fl_cmd (porter, "note", "code", "W1000005", "text", long_ok, NULL), PROTO_OK, PR_OK, "Note added",
	    "a 400-character note in Greek, Arabic and Chinese is accepted");
	char *stored = testlib_sql_text (hub.database,
	    "SELECT text FROM notes WHERE order_ref = 'W1000005' ORDER BY rowid DESC LIMIT 1");
	is_str (stored, long_ok, "and stored whole");
	is_int (sql_int ("SELECT length(text) FROM notes WHERE order_ref = 'W1000005' ORDER BY rowid DESC LIMIT 1"), 400,
	    "400 characters in the database");
	free (stored);
	stored = testlib_sql_text (hub.database,
	    "SELECT detail FROM events WHERE order_ref = 'W1000005' AND action = 'note' ORDER BY rowid DESC LIMIT 1");
	is_str (stored, long_ok, "and whole in the audit trail");
	free (stored);

	char *too_long = note_of (501);
	proto_msg_t *r = fl_expect (fl_cmd (porter, "note", "code", "W1000005", "text", too_long, NULL), PROTO_REFUSED,
	    PR_BAD_ARGUMENT, "at most 500 characters", "a 501-character note is refused");
	ok (strstr (testlib_text (r), "501 characters") != NULL, "the refusal says how long it was: %s", testlib_text (r));
	proto_msg_destroy (&r);
	is_int (sql_int ("SELECT count(*) FROM notes WHERE order_ref = 'W1000005'"), notes + 1, "nothing stored for it");
	is_int (sql_int ("SELECT count(*) FROM events WHERE order_ref = 'W1000005' AND action = 'note'"), events + 1,
	    "and no event for it");
	free (long_ok);
	free (too_long);
}

/* n copies of one character, or of a run of them taken in turn (caller frees). */
static char *
chars_of (const char *const *run, size_t m, size_t n)
{
	char *s = xstrdup ("");
	for (size_t i = 0; i < n; i++) {
		char *t = xasprintf ("%s%s", s, run[i % m]);
		free (s);
		s = t;
	}
	return s;
}

/* A name of 128 characters is what an import takes: in two-, three- and
 * four-byte characters it reaches the terminal whole, and so do the longest
 * address, town, description and department, and a note of 500 characters. */
static void
test_multibyte_text (struct fl_term *porter)
{
	diag ("the longest names and texts an import takes, in multibyte UTF-8, read back whole");
	static const char *const eth[] = { "\xc3\x90" }, *const han[] = { "王", "秀", "英", "張", "偉", "\xf0\xa0\x80\x80" },
	    *const greek[] = { "Ω", "μ", "έ", "γ", "α" };
	char *name1 = chars_of (eth, 1, 128), *name2 = chars_of (han, 6, 128), *addr = chars_of (greek, 5, 128),
	     *town = chars_of (han, 6, 64), *desc = chars_of (han, 6, 128), *dept = chars_of (greek, 5, 64);
	ok (strlen (name1) == 256 && strlen (name2) > 400, "names of 128 characters in %zu and %zu bytes", strlen (name1),
	    strlen (name2));
	/* As many locations as a line may have (8), each as long as one may be (32). */
	char locs[8 * 33] = "", last[33] = "";
	for (int i = 1; i <= 8; i++) {
		snprintf (last, sizeof last, "FLOOR-2-EAST-BAY-%02d-SHELF-LEVEL-", i);
		last[31] = (char) ('0' + i);
		snprintf (locs + strlen (locs), sizeof locs - strlen (locs), "%s%s", i > 1 ? ";" : "", last);
	}
	ok (strlen (last) == 32 && strlen (locs) == 8 * 32 + 7, "a line with 8 locations of 32 characters");
	char dir[256];
	testlib_tmpdir (dir, sizeof dir);
	char *path = xasprintf ("%s/long-names.csv", dir);
	FILE *f = fopen (path, "w");
	if (f) {
		fprintf (f, "order,channel,customer_name,address_1,town,postcode,country,service,order_value,line,sku,"
		    "description,department,quantity,locations,unit_weight_g,line_value\n"
		    "M1000001,web,%s,%s,%s,CB7 4AA,GB,standard,20.00,1,SK-M1,%s,%s,1,L-M1,700,20.00\n"
		    "M1000002,web,%s,1 Fen Rd,Ely,CB7 4AA,GB,standard,20.00,1,SK-M2,Mug,Kitchen,1,%s,700,20.00\n",
		    name1, addr, town, desc, dept, name2, locs);
		fclose (f);
	}
	char *args = xasprintf ("import '%s'", path);
	is_int (despatch (args), 0, "the import takes them");
	free (args);
	char *stored = testlib_sql_text (hub.database, "SELECT customer_name FROM orders WHERE ref = 'M1000001'");
	is_str (stored, name1, "stored whole");
	free (stored);

	proto_msg_t *r = fl_expect (fl_scan (porter, "enquiry", "M1000001"), PROTO_OK, PR_OK, "M1000001",
	    "enquiry of the order");
	is_str (fl_data (r, "customer"), name1, "128 x U+00D0: the enquiry gives the whole name");
	const char *line = fl_data (r, "line.1");
	size_t ll = strlen (line), dl = strlen (desc);
	ok (ll > dl && strcmp (line + ll - dl, desc) == 0 && strstr (line, dept), "and the line's whole description and "
	    "department");
	proto_msg_destroy (&r);
	r = fl_expect (fl_scan (porter, "enquiry", "M1000002"), PROTO_OK, PR_OK, "M1000002", "enquiry of the other");
	is_str (fl_data (r, "customer"), name2, "128 Chinese characters, one of four bytes: whole");
	proto_msg_destroy (&r);
	r = fl_expect (fl_scan (porter, "receive", "M1000002"), PROTO_OK, PR_OK, "received", "receive it");
	is_str (fl_data (r, "customer"), name2, "receive gives the whole name too");
	proto_msg_destroy (&r);
	fl_check (fl_scan (porter, "locate", last, "order", "M1000002", "line", "1", NULL), PROTO_OK, PR_OK, "right",
	    "its last location is one of where the line is");

	fl_check (fl_scan (porter, "receive", "M1000001"), PROTO_OK, PR_OK, "received", "receive the first");
	r = fl_expect (fl_cmd (porter, "consolidation", "order", "M1000001"), PROTO_OK, PR_OK, "1 line", "consolidation");
	line = fl_data (r, "cons.1");
	ll = strlen (line);
	ok (ll > dl && strcmp (line + ll - dl, desc) == 0 && strstr (line, dept), "its row has the whole description and "
	    "department");
	proto_msg_destroy (&r);
	r = fl_expect (fl_cmd (porter, "queue-locate", "department", dept), PROTO_OK, PR_OK, "1 to locate",
	    "queue-locate of the 64-character department");
	char *want = xasprintf ("M1000001|%s|L-M1|", dept);
	ok (strncmp (fl_data (r, "locate.1"), want, strlen (want)) == 0, "its row names the whole department");
	free (want);
	proto_msg_destroy (&r);

	static const char *const parcel[] = { "包" };
	char *note = chars_of (parcel, 1, 500);
	fl_check (fl_cmd (porter, "note", "code", "M1000001", "text", note, NULL), PROTO_OK, PR_OK, "Note added",
	    "a note of 500 Chinese characters (1500 bytes)");
	r = fl_expect (fl_scan (porter, "enquiry", "M1000001"), PROTO_OK, PR_OK, "M1000001", "enquiry with the note");
	line = fl_data (r, "note.1");
	ll = strlen (line);
	ok (ll > strlen (note) && strcmp (line + ll - strlen (note), note) == 0, "the enquiry's note is whole (%zu bytes)",
	    ll);
	proto_msg_destroy (&r);
	free (note);
	free (path);
	free (name1);
	free (name2);
	free (addr);
	free (town);
	free (desc);
	free (dept);
}

static void
test_refusals (struct fl_term *porter, struct fl_term *packer, struct fl_term *sup, struct fl_term *admin)
{
	diag ("refusals, each with its reason");
	fl_check (fl_scan (porter, "receive", "Z9999999", NULL), PROTO_REFUSED, PR_UNKNOWN_BARCODE, "Unknown ticket",
	    "unknown barcode");
	fl_check (fl_scan (porter, "receive", "]C100376104250021234568", NULL), PROTO_REFUSED, PR_BAD_DATA,
	    "check digit", "garbled SSCC");
	fl_check (fl_scan (porter, "receive", "W1000005", NULL), PROTO_OK, PR_ALREADY_DONE, "already received",
	    "receive twice is harmless");
	fl_check (fl_scan (porter, "locate", "SH-R1-A10", "order", "T1000010", "line", "1", NULL), PROTO_REFUSED,
	    PR_WRONG_STEP, "not received yet", "locate before receive");
	fl_check (fl_scan (porter, "receive", "]C1400T1000010", NULL), PROTO_OK, PR_OK, "received",
	    "receive a GS1 ticket with (400)");
	fl_check (fl_scan (porter, "locate", "SH-R1-A10", "order", "T1000010", NULL), PROTO_REFUSED, PR_BAD_ARGUMENT,
	    "line is missing", "locate without a line number");
	fl_check (fl_scan (porter, "locate", "SP-R1-A01", "order", "T1000010", "line", "1", NULL), PROTO_REFUSED,
	    PR_WRONG_LOCATION, "not where line 1 is", "wrong location");
	fl_check (fl_scan (porter, "locate", "SH-TRN-4410", "order", "T1000010", "line", "1", NULL), PROTO_REFUSED,
	    PR_WRONG_STEP, "location first", "item before its location");
	fl_check (fl_scan (porter, "locate", "SH-R1-A10", "order", "T1000010", "line", "1", NULL), PROTO_OK, PR_OK,
	    "right", "right location");
	fl_check (fl_scan (porter, "locate", "SP-BTL-0750", "order", "T1000010", "line", "1", NULL), PROTO_REFUSED,
	    PR_WRONG_ITEM, "Wrong item", "wrong item");
	is_int (sql_int ("SELECT wrong_scans FROM order_lines WHERE order_ref = 'T1000010' AND line_no = 1"), 1,
	    "the wrong item is recorded");
	fl_check (fl_scan (porter, "locate", "SH-TRN-4410", "order", "T1000010", "line", "1", NULL), PROTO_OK, PR_OK,
	    "found", "right item");
	fl_check (fl_scan (packer, "pack", "T1000010", "box", "M", "weight", "1500", NULL), PROTO_REFUSED, PR_INCOMPLETE,
	    "not located yet", "pack with lines not located");
	fl_check (fl_scan (porter, "locate", "SP-R1-A01", "order", "T1000010", "line", "2", NULL), PROTO_OK, PR_OK,
	    "right", "location of line 2");
	fl_check (fl_scan (porter, "locate", "SP-BTL-0750", "order", "T1000010", "line", "2", "outcome", "damaged", NULL),
	    PROTO_WARN, PR_DAMAGED, "damaged", "line 2 damaged");
	fl_check (fl_scan (porter, "locate", "SP-R1-A02", "order", "T1000010", "line", "3", "outcome", "short", "qty", "0",
	    NULL), PROTO_WARN, PR_SHORT, "short", "line 3 short, nothing at the location");
	fl_check (fl_scan (packer, "pack", "T1000010", "box", "M", "weight", "1500", NULL), PROTO_REFUSED, PR_INCOMPLETE,
	    "Part-shipment? Ask a supervisor: Supervisor > Part-shipments", "pack with a damaged line");
	fl_check (fl_scan (porter, "pack", "T1000010", "box", "M", "weight", "1500", NULL), PROTO_REFUSED, PR_FORBIDDEN,
	    "may not pack", "a porter may not pack");
	fl_check (fl_cmd (packer, "release-part", "order", "T1000010", "reason", "customer agreed", NULL), PROTO_REFUSED,
	    PR_FORBIDDEN, "may not release-part", "a packer may not release a part-shipment");
	fl_check (fl_cmd (sup, "release-part", "order", "T1000010", NULL), PROTO_REFUSED, PR_BAD_ARGUMENT,
	    "needs 'reason'", "release-part needs a reason");
	fl_check (fl_cmd (sup, "release-part", "order", "T1000010", "reason", "customer agreed by phone", NULL), PROTO_OK,
	    PR_OK, "part-shipment", "supervisor releases a part-shipment");
	fl_check (fl_scan (packer, "pack", "T1000010", "box", "M", NULL), PROTO_REFUSED, PR_BAD_ARGUMENT,
	    "weight is missing", "pack without a weight");
	fl_check (fl_scan (packer, "pack", "T1000010", "weight", "1500", NULL), PROTO_REFUSED, PR_BAD_ARGUMENT,
	    "Which box", "pack without a box");
	fl_check (fl_scan (packer, "pack", "T1000010", "box", "M", "weight", "heavy", NULL), PROTO_REFUSED,
	    PR_BAD_ARGUMENT, "not a whole number", "pack with a weight that is not a number");
	fl_check (fl_scan (packer, "pack", "T1000010", "box", "B2", "weight", "1500", NULL), PROTO_REFUSED, PR_BAD_ARGUMENT,
	    "Box 'B2' is not one of this hub's boxes (S M L XL): choose one, or ask a supervisor to add it to pack.boxes",
	    "a box type not in the default pack.boxes is refused, naming the list and what to do");
	is_int (sql_int ("SELECT count(*) FROM parcels WHERE order_ref = 'T1000010'"), 0, "and no parcel is made");
	proto_msg_t *r = fl_expect (fl_scan (packer, "pack", "T1000010", "box", "M", "weight", "1500", NULL), PROTO_OK,
	    PR_OK, "labelled", "part-shipment packed");
	char track[48], sscc[32];
	snprintf (track, sizeof track, "%s", fl_data (r, "tracking"));
	snprintf (sscc, sizeof sscc, "%s", fl_data (r, "sscc"));
	proto_msg_destroy (&r);
	fl_check (fl_scan (packer, "pack", "T1000010", "box", "M", "weight", "1500", "parcel", "1", NULL), PROTO_OK,
	    PR_ALREADY_DONE, "already packed", "packing parcel 1 again is harmless");
	is_int (sql_int ("SELECT count(*) FROM parcels WHERE order_ref = 'T1000010'"), 1, "still one parcel");

	fl_check (fl_scan (packer, "verify", "T1000010", NULL), PROTO_REFUSED, PR_WRONG_STEP, "despatch ticket",
	    "verify the ticket instead of the label");
	fl_check (fl_scan (packer, "verify", track, "order", "W1000001", NULL), PROTO_ALARM, PR_WRONG_LABEL,
	    "WRONG LABEL", "a label of another order on the bench");
	fl_check (fl_scan (packer, "scanout", track, "cage", "CAGE-DPD", NULL), PROTO_REFUSED, PR_WRONG_STEP,
	    "not checked", "scan-out before the label is checked");
	fl_check (fl_scan (packer, "verify", track, "order", "T1000010", NULL), PROTO_OK, PR_OK, "Label right",
	    "label checked");
	fl_check (fl_scan (packer, "verify", track, "order", "T1000010", NULL), PROTO_OK, PR_ALREADY_DONE,
	    "already checked", "label checked twice is harmless");
	fl_check (fl_scan (packer, "scanout", track, "cage", "CAGE-UPS", NULL), PROTO_ALARM, PR_WRONG_CARRIER,
	    "Put it on CAGE-DPD", "wrong carrier's cage");
	fl_check (fl_scan (packer, "scanout", track, NULL), PROTO_REFUSED, PR_BAD_ARGUMENT, "Which cage",
	    "scan-out without a cage");
	fl_check (fl_scan (packer, "scanout", track, "cage", "CAGE-MOON", NULL), PROTO_REFUSED, PR_BAD_ARGUMENT,
	    "not known", "scan-out onto an unknown cage");
	fl_check (fl_scan (packer, "scanout", "T1000010", "cage", "CAGE-DPD", NULL), PROTO_REFUSED, PR_WRONG_STEP,
	    "despatch ticket", "scan-out of a ticket");
	fl_check (fl_scan (packer, "scanout", "1Z999AA10123456784", "cage", "CAGE-DPD", NULL), PROTO_REFUSED,
	    PR_UNKNOWN_BARCODE, "no parcel of this hub has that number", "scan-out of a UPS label this hub did not make");
	fl_check (fl_scan (packer, "scanout", "ZZ-NOTHING-1", "cage", "CAGE-DPD", NULL), PROTO_REFUSED,
	    PR_UNKNOWN_BARCODE, "Unknown label", "scan-out of an unknown label");
	fl_check (fl_scan (packer, "scanout", "]C02LFR75009+P", "cage", "CAGE-DPD", NULL), PROTO_REFUSED,
	    PR_WRONG_LABEL, "routing barcode (2L..., under the waybill): it names no parcel. Scan the WAYBILL barcode",
	    "DHL's routing barcode: which barcode to scan instead");
	fl_check (fl_scan (packer, "verify", "421826SW1A1AA", NULL), PROTO_REFUSED, PR_WRONG_LABEL,
	    "names no parcel. Scan the tracking barcode", "a ship-to postcode barcode (421) at verify: scan the tracking one");

	/* A hold scanned at scan-out: alarm, acknowledged, released, then it goes. */
	fl_check (fl_cmd (packer, "hold", "code", "T1000010", "reason", "fraud check", NULL), PROTO_REFUSED, PR_FORBIDDEN,
	    "may not hold", "a packer may not hold");
	/* A reason's limit is in characters: 200 of three bytes each (600 bytes) reach the alarm whole, 201 are refused. */
	static const char *const ask[] = { "查" };
	char *more = chars_of (ask, 1, 200 - strlen ("Payment queried by the card issuer: "));
	char *reason = xasprintf ("Payment queried by the card issuer: %s", more), *over = xasprintf ("%s查", reason);
	fl_check (fl_cmd (sup, "hold", "code", "T1000010", "reason", over, NULL), PROTO_REFUSED, PR_BAD_ARGUMENT,
	    "A reason is at most 200 characters; this one is 201 characters", "a reason of 201 characters is refused, saying so");
	is_int (sql_int ("SELECT count(*) FROM holds WHERE order_ref = 'T1000010'"), 0, "and the order is not held");
	fl_check (fl_cmd (sup, "track", "code", track, "event", "exception", "detail", over, NULL), PROTO_REFUSED,
	    PR_BAD_ARGUMENT, "A tracking event's detail is at most 200 characters; this one is 201 characters",
	    "a tracking detail of 201 characters is refused the same way");
	ok (strlen (reason) == 36 + 164 * 3, "a reason of 200 characters in %zu bytes", strlen (reason));
	fl_check (fl_cmd (sup, "hold", "code", "T1000010", "reason", reason, NULL), PROTO_OK, PR_OK, "on hold",
	    "supervisor holds the order with it");
	fl_check (fl_cmd (sup, "hold", "code", "T1000010", "reason", "again", NULL), PROTO_OK, PR_ALREADY_DONE,
	    "already on hold", "holding twice is harmless");
	r = fl_expect (fl_scan (packer, "scanout", sscc, "cage", "CAGE-DPD", NULL), PROTO_ALARM, PR_ON_HOLD,
	    "Payment queried", "a held parcel scanned at scan-out raises the alarm");
	is_str (fl_data (r, "hold"), reason, "the alarm carries the whole reason");
	proto_msg_destroy (&r);
	fl_check (fl_cmd (packer, "ack", "code", sscc, NULL), PROTO_OK, PR_OK, "acknowledged", "the operator acknowledges");
	is_int (sql_int ("SELECT count(*) FROM events WHERE action = 'ack' AND order_ref = 'T1000010' AND operator = 'B2001'"),
	    1, "the acknowledgement is recorded");
	r = fl_expect (fl_scan (porter, "enquiry", "T1000010", NULL), PROTO_WARN, PR_ON_HOLD, "ON HOLD",
	    "enquiry shows the hold without an alarm");
	is_str (fl_data (r, "hold"), reason, "and the whole reason");
	proto_msg_destroy (&r);
	free (more);
	free (reason);
	free (over);
	fl_check (fl_cmd (sup, "release", "code", "T1000010", "reason", "Issuer confirmed", NULL), PROTO_OK, PR_OK,
	    "released", "supervisor releases");
	fl_check (fl_cmd (sup, "release", "code", "T1000010", "reason", "again", NULL), PROTO_OK, PR_ALREADY_DONE,
	    "not on hold", "releasing twice is harmless");
	/* The longest alarm there is: 200 characters of four bytes, held by a supervisor whose name is 32 of them.
	 * It comes, within the wire's 1,024 bytes (a reply's text past them is cut: test-hub-reply), the reason
	 * whole in its data. */
	static const char *const wide[] = { "\xf0\x9d\x94\xb8" }; /* U+1D538, four bytes */
	char *long_reason = chars_of (wide, 1, 200), *long_name = chars_of (wide, 1, 32);
	char *rename = xasprintf ("CREATE TABLE test_name AS SELECT name FROM operators WHERE badge = 'B3001';"
	    " UPDATE operators SET name = '%s' WHERE badge = 'B3001'", long_name);
	ok (fl_sql_exec (hub.database, rename) == 0, "the supervisor's name: 32 characters in %zu bytes", strlen (long_name));
	fl_check (fl_cmd (sup, "hold", "code", "T1000010", "reason", long_reason, NULL), PROTO_OK, PR_OK, "on hold",
	    "held with 200 characters of four bytes");
	r = fl_expect (fl_scan (packer, "scanout", sscc, "cage", "CAGE-DPD", NULL), PROTO_ALARM, PR_ON_HOLD, "ON HOLD",
	    "the held parcel's alarm still comes");
	const char *alarm = r ? proto_get_str (r, PROTO_REPLY_TEXT) : "";
	size_t alen = strlen (alarm);
	ok (alen <= PROTO_MAX_TEXT && alen > 900 && text_utf8_whole (alarm, alen) == alen && strstr (alarm, long_name),
	    "its text, %zu bytes, names who held it", alen);
	is_str (fl_data (r, "hold"), long_reason, "the reason whole in its data");
	proto_msg_destroy (&r);
	fl_check (fl_cmd (sup, "release", "code", "T1000010", "reason", "Issuer confirmed", NULL), PROTO_OK, PR_OK,
	    "released", "released again");
	ok (fl_sql_exec (hub.database, "UPDATE operators SET name = (SELECT name FROM test_name) WHERE badge = 'B3001';"
	        " DROP TABLE test_name") == 0, "the supervisor's name as it was");
	free (long_reason);
	free (long_name);
	free (rename);
	fl_check (fl_scan (packer, "scanout", sscc, "cage", "CAGE-DPD", NULL), PROTO_OK, PR_OK, "on CAGE-DPD",
	    "after release it scans out");
	/* A hold on a parcel only. */
	fl_check (fl_cmd (sup, "hold", "code", track, "reason", "Box crushed", NULL), PROTO_OK, PR_OK, "on hold",
	    "hold one parcel");
	r = fl_expect (fl_cmd (sup, "closeout-preview", "carrier", "dpd", NULL), PROTO_WARN, PR_INCOMPLETE,
	    "0 parcels ready to close, 0 labelled but not on a cage; 1 held parcel on the cage: take it off",
	    "a held parcel is not ready for close-out, and must come off the cage");
	ok (strncmp (fl_data (r, "held.1"), "T1000010/1|CAGE-DPD|", 20) == 0, "held.1 = %s", fl_data (r, "held.1"));
	proto_msg_destroy (&r);
	fl_check (fl_cmd (sup, "release", "code", track, "reason", "Reboxed", NULL), PROTO_OK, PR_OK, "released",
	    "release the parcel");

	/* Pricing. */
	fl_check (fl_cmd (sup, "price", "order", "T1000010", "amount", "12.5", NULL), PROTO_OK, PR_OK, "12.50",
	    "supervisor sets the delivery charge");
	fl_check (fl_cmd (sup, "price", "order", "T1000010", "amount", "12.50", NULL), PROTO_OK, PR_ALREADY_DONE,
	    "already 12.50", "the same price again is harmless");
	fl_check (fl_cmd (sup, "price", "order", "T1000010", "amount", "twelve", NULL), PROTO_REFUSED, PR_BAD_ARGUMENT,
	    "like 12.50", "a price that is not one");
	fl_check (fl_cmd (packer, "price", "order", "T1000010", "amount", "1.00", NULL), PROTO_REFUSED, PR_FORBIDDEN,
	    "may not price", "a packer may not set prices");
	is_int (sql_int ("SELECT price_pence FROM orders WHERE ref = 'T1000010'"), 1250, "stored in pence");

	/* Undo: own last step only, while nothing later depends on it. */
	fl_check (fl_cmd (packer, "undo", "reason", "wrong cage", NULL), PROTO_OK, PR_OK, "Undone: scanout",
	    "undo my scan-out");
	is_int (sql_int ("SELECT count(*) FROM parcels WHERE order_ref = 'T1000010' AND status = 'verified' AND cage IS NULL"),
	    1, "the parcel is back to verified");
	fl_check (fl_cmd (packer, "undo", "reason", "label on upside down", NULL), PROTO_OK, PR_OK, "Undone: verify",
	    "undo my label check");
	fl_check (fl_scan (admin, "verify", track, "order", "T1000010", NULL), PROTO_OK, PR_OK, "Label right",
	    "another packer checks the label again");
	fl_check (fl_cmd (packer, "undo", "reason", "repack", NULL), PROTO_REFUSED, PR_CONFLICT, "verified since",
	    "undo refused: someone has built on it");
	fl_check (fl_cmd (sup, "undo", "reason", "nothing", NULL), PROTO_REFUSED, PR_WRONG_STEP, "Nothing of yours",
	    "nothing of the supervisor's to undo");
	fl_check (fl_cmd (porter, "undo", NULL), PROTO_REFUSED, PR_BAD_ARGUMENT, "needs 'reason'", "undo needs a reason");

	/* Unknown things. */
	fl_check (fl_cmd (sup, "hold", "code", "NOPE", "reason", "x", NULL), PROTO_REFUSED, PR_UNKNOWN_BARCODE,
	    "No order or parcel", "hold of an unknown code");
	fl_check (fl_scan (porter, "enquiry", "NOPE", NULL), PROTO_REFUSED, PR_UNKNOWN_BARCODE, "Nothing known",
	    "enquiry of an unknown code");
	fl_check (fl_cmd (sup, "closeout", "carrier", "pigeon-post", NULL), PROTO_REFUSED, PR_BAD_ARGUMENT, "not known",
	    "close-out of an unknown carrier");
}

static void
test_ranges_and_cages (struct fl_term *porter, struct fl_term *packer, struct fl_term *admin)
{
	diag ("number ranges, unlabelled parcels, two cages of one carrier");
	/* T1000002 goes by store van; exhaust the van range first. */
	ok (fl_sql_exec (hub.database, "UPDATE ranges SET next = last + 1 WHERE carrier = 'store-van'") == 0,
	    "set-up: the store-van range is used up");
	fl_check (fl_scan (porter, "receive", "T1000002", NULL), PROTO_OK, PR_OK, "received", "receive T1000002");
	fl_check (fl_scan (porter, "locate", "MW-R1-A04", "order", "T1000002", "line", "1", NULL), PROTO_OK, PR_OK, "right",
	    "location");
	fl_check (fl_scan (porter, "locate", "MW-SHT-2210", "order", "T1000002", "line", "1", NULL), PROTO_OK, PR_OK,
	    "found", "item");
	fl_check (fl_scan (packer, "pack", "T1000002", "box", "S", "weight", "400", NULL), PROTO_REFUSED,
	    PR_RANGE_EXHAUSTED, "NOT labelled", "range exhausted: packed, not labelled");
	fl_check (fl_scan (packer, "scanout", "T1000002/1", "cage", "VAN-1", NULL), PROTO_ALARM, PR_NOT_LABELLED,
	    "NOT LABELLED", "an unlabelled parcel at scan-out");
	fl_check (fl_scan (packer, "verify", "T1000002/1", NULL), PROTO_REFUSED, PR_NOT_LABELLED, "no label",
	    "an unlabelled parcel at verify");
	is_int (despatch ("range add store-van sscc 15012346 1 500 100"), 0, "despatch range add: a new store-van range");
	is_int (despatch ("range add store-van sscc 15012346 400 900"), 1, "an overlapping range is refused");
	proto_msg_t *r = fl_expect (fl_cmd (packer, "label", "parcel", "T1000002/1", NULL), PROTO_OK, PR_OK, "labelled",
	    "label it again");
	char sscc[32];
	snprintf (sscc, sizeof sscc, "%s", fl_data (r, "sscc"));
	is_str (fl_data (r, "carrier"), "store-van", "same-day in GB goes by store van");
	ok (strncmp (sscc, "15012346", 8) == 0, "numbered from the new range: %s", sscc);
	proto_msg_destroy (&r);
	is_int (sql_int ("SELECT count(*) FROM ranges WHERE carrier = 'store-van' AND next > last"), 1,
	    "the used-up range stays used up: nothing reused");
	fl_check (fl_scan (packer, "verify", sscc, NULL), PROTO_OK, PR_OK, "Label right", "verify");

	/* Two terminals scan the same parcel at once onto the same cage: one wins. */
	proto_msg_t *m1 = proto_msg_new (PROTO_SCAN), *m2 = proto_msg_new (PROTO_SCAN);
	proto_set_str (m1, PROTO_SCAN_STEP, "scanout");
	proto_set_str (m1, PROTO_SCAN_CODE, sscc);
	proto_hash_set (m1, PROTO_SCAN_CONTEXT, "cage", "VAN-1");
	proto_set_str (m2, PROTO_SCAN_STEP, "scanout");
	proto_set_str (m2, PROTO_SCAN_CODE, sscc);
	proto_hash_set (m2, PROTO_SCAN_CONTEXT, "cage", "VAN-1");
	proto_msg_set_seq (m1, ++packer->seq);
	proto_msg_set_seq (m2, ++admin->seq);
	client_send (packer->c, m1);
	client_send (admin->c, m2);
	proto_msg_t *r1 = client_recv (packer->c, 3000), *r2 = client_recv (admin->c, 3000);
	int okays = (testlib_reason (r1) == PR_OK) + (testlib_reason (r2) == PR_OK);
	int already = (testlib_reason (r1) == PR_ALREADY_DONE) + (testlib_reason (r2) == PR_ALREADY_DONE);
	ok (okays == 1 && already == 1, "two terminals at once: one wins, the other is told (%s / %s)", testlib_text (r1),
	    testlib_text (r2));
	ok (strstr (testlib_reason (r1) == PR_ALREADY_DONE ? testlib_text (r1) : testlib_text (r2), "already on VAN-1") != NULL,
	    "the loser is told where and by whom");
	proto_msg_destroy (&r1);
	proto_msg_destroy (&r2);
	proto_msg_destroy (&m1);
	proto_msg_destroy (&m2);
	is_int (sql_int ("SELECT count(*) FROM events WHERE action = 'scanout' AND order_ref = 'T1000002'"), 1,
	    "one scan-out recorded");
	fl_check (fl_scan (packer, "scanout", sscc, "cage", "VAN-2", NULL), PROTO_REFUSED, PR_CONFLICT, "already on VAN-1",
	    "the same parcel onto another van of the same carrier");

	/* Duplicates: the same request replayed three times changes nothing. */
	long long events = sql_int ("SELECT count(*) FROM events"), scans = sql_int ("SELECT count(*) FROM scans");
	fl_check (fl_scan (porter, "receive", "W1000009", NULL), PROTO_OK, PR_OK, "received", "receive W1000009");
	for (int i = 0; i < 3; i++)
		fl_check (fl_scan_again (porter, "receive", "W1000009", NULL), PROTO_OK, PR_OK, "received",
		    "replay gets the stored first reply");
	is_int (sql_int ("SELECT count(*) FROM events"), events + 1, "one event after three replays");
	is_int (sql_int ("SELECT count(*) FROM scans"), scans + 1, "one scan row after three replays");

	/* A range running low warns. */
	ok (fl_sql_exec (hub.database, "UPDATE ranges SET next = last - 10 WHERE carrier = 'royal-mail'") == 0,
	    "set-up: the Royal Mail range is nearly used");
	fl_check (fl_scan (porter, "locate", "ST-R1-A03", "order", "W1000009", "line", "1", NULL), PROTO_OK, PR_OK, "right",
	    "location");
	r = fl_expect (fl_scan (porter, "locate", "ST-NTB-0011", "order", "W1000009", "line", "1", NULL), PROTO_OK, PR_OK,
	    "1 of 3 found", "one item of three: the line stays open");
	is_str (fl_data (r, "next"), "item", "the next item is asked for");
	proto_msg_destroy (&r);
	fl_check (fl_scan (porter, "locate", "ST-NTB-0011", "order", "W1000009", "line", "1", "count", "9", NULL),
	    PROTO_REFUSED, PR_BAD_ARGUMENT, "from 0 to 3", "a count over the line's quantity is refused");
	fl_check (fl_scan (porter, "locate", "ST-NTB-0011", "order", "W1000009", "line", "1", "count", "3", NULL),
	    PROTO_OK, PR_OK, "found: 3 of 3", "the rest counted: the line is found");
	r = fl_expect (fl_scan (packer, "pack", "W1000009", "box", "S", "weight", "650", NULL), PROTO_WARN, PR_RANGE_LOW,
	    "running low", "packed and labelled, but numbers run low");
	is_str (fl_data (r, "carrier"), "royal-mail", "a light GB standard parcel goes by Royal Mail");
	ok (strlen (fl_data (r, "tracking")) == 13 && strncmp (fl_data (r, "tracking"), "RB", 2) == 0,
	    "an S10 tracking number: %s", fl_data (r, "tracking"));
	proto_msg_destroy (&r);
}

/* A pack left half done goes on at another bench; a parcel added relabels every parcel; one on a cage stops it. */
static void
test_pack_resume (struct fl_term *porter, struct fl_term *packer, struct fl_term *other)
{
	static const struct {
		const char *line, *location, *sku;
	} lines[] = { { "1", "FJ-SAFE-2", "FJ-RNG-0007" }, { "2", "SH-R2-C08", "SH-BOOT-3808" }, { "3", "HB-R1-A02", "HB-TOTE-0110" } };
	fl_check (fl_scan (porter, "receive", "P1000003", NULL), PROTO_OK, PR_OK, "received", "receive P1000003");
	for (size_t i = 0; i < nitems (lines); i++) {
		fl_check (fl_scan (porter, "locate", lines[i].location, "order", "P1000003", "line", lines[i].line, NULL),
		    PROTO_OK, PR_OK, "right", "location");
		fl_check (fl_scan (porter, "locate", lines[i].sku, "order", "P1000003", "line", lines[i].line, NULL), PROTO_OK,
		    PR_OK, "found", "item");
	}
	proto_msg_t *r = fl_expect (fl_scan (packer, "pack", "P1000003", NULL), PROTO_OK, PR_OK, "How many parcels",
	    "the ticket opens the order at the bench: nothing packed yet");
	is_str (fl_data (r, "next"), "pack", "next is pack");
	is_str (fl_data (r, "lines"), "3", "with its lines");
	proto_msg_destroy (&r);
	is_int (sql_int ("SELECT count(*) FROM parcels WHERE order_ref = 'P1000003'"), 0, "opening made nothing");
	fl_check (fl_scan (packer, "pack", "P1000003", "parcels", "2", "box", "M", "weight", "1200", NULL), PROTO_OK, PR_OK,
	    "Parcel 1 of 2 labelled", "parcel 1 of 2 packed at bench 1");
	r = fl_expect (fl_scan (other, "pack", "P1000003", NULL), PROTO_OK, PR_OK, "Scan the label of parcel 1",
	    "the order opened at another bench: its first label to check");
	is_str (fl_data (r, "next"), "verify", "next is verify");
	is_str (fl_data (r, "verify"), "P1000003/1", "of parcel 1");
	is_str (fl_data (r, "packed"), "1", "one packed");
	is_str (fl_data (r, "parcels"), "2", "of two");
	ok (strncmp (fl_data (r, "parcel.1"), "P1000003/1|labelled|dpd|", 24) == 0, "parcel.1 = %s", fl_data (r, "parcel.1"));
	char *tracking = testlib_sql_text (hub.database, "SELECT tracking FROM parcels WHERE code = 'P1000003/1'");
	proto_msg_destroy (&r);
	r = fl_expect (fl_scan (other, "verify", tracking, "order", "P1000003", NULL), PROTO_OK, PR_OK, "Now pack parcel 2 of 2",
	    "its label checked at the other bench: parcel 2 next");
	is_str (fl_data (r, "next"), "pack", "next is pack");
	is_str (fl_data (r, "pack_no"), "2", "parcel 2");
	proto_msg_destroy (&r);
	fl_check (fl_scan (other, "pack", "P1000003", "parcels", "5", "box", "M", "weight", "900", NULL), PROTO_OK, PR_OK,
	    "Parcel 2 of 2 labelled", "parcel 2: the count said first stands (5 now is no way to add parcels)");
	char *tracking2 = testlib_sql_text (hub.database, "SELECT tracking FROM parcels WHERE code = 'P1000003/2'");
	fl_check (fl_scan (other, "verify", tracking2, NULL), PROTO_OK, PR_OK, "All 2 parcels of P1000003 checked",
	    "parcel 2's label checked");
	r = fl_expect (fl_scan (packer, "pack", "P1000003", "box", "M", "weight", "500", NULL), PROTO_OK, PR_ALREADY_DONE,
	    "already has its 2 parcels", "packing again without add makes no parcel");
	proto_msg_destroy (&r);
	is_int (sql_int ("SELECT count(*) FROM parcels WHERE order_ref = 'P1000003'"), 2, "still two parcels");
	r = fl_expect (fl_scan (packer, "pack", "P1000003", NULL), PROTO_OK, PR_ALREADY_DONE, "is packed: 2 of 2",
	    "the ticket of the packed order shows its parcels");
	is_str (fl_data (r, "complete"), "1", "complete");
	proto_msg_destroy (&r);
	r = fl_expect (fl_scan (packer, "pack", "P1000003", "add", "1", "box", "S", "weight", "300", NULL), PROTO_WARN, PR_OK,
	    "Parcel 3 of 3 added", "a parcel added, explicitly");
	is_str (fl_data (r, "replaced"), "2", "two labels replaced");
	char want[120];
	snprintf (want, sizeof want, "P1000003/1|%s|", tracking);
	ok (strncmp (fl_data (r, "replace.1"), want, strlen (want)) == 0, "replace.1 = %s", fl_data (r, "replace.1"));
	proto_msg_destroy (&r);
	is_int (sql_int ("SELECT count(*) FROM parcels WHERE order_ref = 'P1000003' AND status = 'labelled'"), 3,
	    "three parcels labelled, each to be checked again");
	is_int (sql_int ("SELECT count(*) FROM parcels WHERE order_ref = 'P1000003' AND status = 'void'"), 2,
	    "the two old labels voided, their numbers kept used");
	is_int (sql_int ("SELECT count(*) FROM orders WHERE ref = 'P1000003' AND parcels_expected = 3"), 1, "N is 3");
	fl_check (fl_scan (packer, "verify", tracking, "order", "P1000003", NULL), PROTO_ALARM, PR_WRONG_LABEL,
	    "CANCELLED LABEL: parcel P1000003/1's label", "the old label of parcel 1 is refused");
	/* Parcel 1 on a cage: its label cannot change, so no parcel can be added. */
	char *t1 = testlib_sql_text (hub.database, "SELECT tracking FROM parcels WHERE code = 'P1000003/1'");
	fl_check (fl_scan (packer, "verify", t1, NULL), PROTO_OK, PR_OK, "Label right", "new label 1 checked");
	fl_check (fl_scan (packer, "cage", "CAGE-DPD", NULL), PROTO_OK, PR_OK, NULL, "cage");
	fl_check (fl_scan (packer, "scanout", t1, "cage", "CAGE-DPD", NULL), PROTO_OK, PR_OK, "on CAGE-DPD", "parcel 1 out");
	for (int k = 2; k <= 3; k++) {
		char sql[120];
		snprintf (sql, sizeof sql, "SELECT tracking FROM parcels WHERE code = 'P1000003/%d'", k);
		char *tk = testlib_sql_text (hub.database, sql);
		fl_check (fl_scan (packer, "verify", tk, NULL), PROTO_OK, PR_OK, "Label right", "new label checked");
		free (tk);
	}
	fl_check (fl_scan (packer, "pack", "P1000003", "add", "1", "box", "S", "weight", "300", NULL), PROTO_REFUSED,
	    PR_CONFLICT, "P1000003/1 is on CAGE-DPD", "adding while a parcel is on the cage is refused, with what to do");
	is_int (sql_int ("SELECT count(*) FROM parcels WHERE order_ref = 'P1000003' AND status <> 'void'"), 3,
	    "nothing changed");
	free (tracking);
	free (tracking2);
	free (t1);
}

/* Receive a one-line order and find its line. */
static void
receive_one (struct fl_term *porter, const char *ref, const char *location, const char *sku)
{
	fl_check (fl_scan (porter, "receive", ref, NULL), PROTO_OK, PR_OK, "received", "receive");
	fl_check (fl_scan (porter, "locate", location, "order", ref, "line", "1", NULL), PROTO_OK, PR_OK, "right",
	    "location");
	fl_check (fl_scan (porter, "locate", sku, "order", ref, "line", "1", NULL), PROTO_OK, PR_OK, "found", "item");
}

static void
write_boxes (const char *path, const char *boxes)
{
	char *tmp = xasprintf ("%s.new", path);
	FILE *f = fopen (tmp, "w");
	if (f) {
		fprintf (f, "[pack]\nboxes = %s\n", boxes);
		fclose (f);
		rename (tmp, path);
	}
	free (tmp);
}

/* The box of a parcel by its code, as stored (caller frees). */
static char *
box_of (struct testlib_hub *h, const char *code)
{
	char *q = xasprintf ("SELECT box FROM parcels WHERE code = '%s'", code);
	char *box = testlib_sql_text (h->database, q);
	free (q);
	return box;
}

/*
 * pack.boxes decides which box a new parcel may have: a hub of its own
 * with a configuration file, the list changed by SIGHUP. Case does not
 * count and the list's spelling is stored; a parcel packed before keeps
 * its box when the list no longer has it, also when it is relabelled.
 */
static void
test_pack_boxes (void)
{
	char dir[256];
	testlib_tmpdir (dir, sizeof dir);
	char *conf = xasprintf ("%s/despatch.conf", dir), *arg = xasprintf ("--config=%s", conf);
	write_boxes (conf, "S, M, L, Tube");
	/* Static: testlib keeps the hub and its settings to stop it at exit. */
	static const char *extra[2];
	extra[0] = arg;
	static struct testlib_hub h;
	if (!ok (testlib_hub_start (&h, extra) == 0, "a hub with pack.boxes = S, M, L, Tube in its file")) {
		free (conf);
		free (arg);
		return;
	}
	struct fl_term porter, packer;
	fl_term_open (&porter, h.endpoint, "hh-box", "despatch-in", "B1001", "1111");
	fl_term_open (&packer, h.endpoint, "bench-box", "bench-1", "B2001", "2222");
	receive_one (&porter, "T1000002", "MW-R1-A04", "MW-SHT-2210");
	proto_msg_t *r = fl_expect (fl_scan (&packer, "pack", "T1000002", NULL), PROTO_OK, PR_OK, "How many parcels",
	    "the ticket opens the order");
	is_str (fl_data (r, "boxes"), "S, M, L, Tube", "the bench is offered the list of the file");
	proto_msg_destroy (&r);
	fl_check (fl_scan (&packer, "pack", "T1000002", "box", "Q", "weight", "900", NULL), PROTO_REFUSED, PR_BAD_ARGUMENT,
	    "Box 'Q' is not one of this hub's boxes (S M L Tube): choose one, or ask a supervisor to add it to pack.boxes",
	    "an unknown box is refused, with the hub's boxes and what to do");
	fl_check (fl_scan (&packer, "pack", "T1000002", "box", "M L", "weight", "900", NULL), PROTO_REFUSED,
	    PR_BAD_ARGUMENT, "Box 'M L' is not one of", "two types with a space between are not a box");
	fl_check (fl_scan (&packer, "pack", "T1000002", "box", "Tub", "weight", "900", NULL), PROTO_REFUSED,
	    PR_BAD_ARGUMENT, "Box 'Tub' is not one of", "nor is the start of one");
	is_int (testlib_sql_int (h.database, "SELECT count(*) FROM parcels WHERE order_ref = 'T1000002'"), 0,
	    "refused boxes made no parcel");
	fl_check (fl_scan (&packer, "pack", "T1000002", "box", "tube", "weight", "900", NULL), PROTO_OK, PR_OK, "labelled",
	    "a listed box typed in lower case is taken");
	char *b = box_of (&h, "T1000002/1");
	is_str (b, "Tube", "and stored as the list spells it");
	free (b);
	receive_one (&porter, "S1000013", "SP-STOCK-9", "SP-ROW-0100");
	r = fl_scan (&packer, "pack", "S1000013", "box", " m ", "weight", "650", NULL);
	ok (testlib_status (r) == PROTO_OK || testlib_status (r) == PROTO_WARN, "' m ' is box M: %s", testlib_text (r));
	proto_msg_destroy (&r);
	b = box_of (&h, "S1000013/1");
	is_str (b, "M", "stored as M");
	free (b);

	/* The list changes: Tube is no longer a box of this hub; XL is. */
	write_boxes (conf, "S M L XL");
	long long reloads = testlib_sql_int (h.database, "SELECT count(*) FROM events WHERE action = 'reload'");
	kill (h.pid, SIGHUP);
	for (int i = 0; i < 200 && testlib_sql_int (h.database, "SELECT count(*) FROM events WHERE action = 'reload'")
	         <= reloads; i++)
		usleep (50 * 1000);
	receive_one (&porter, "T1000007", "FU-WH-BAY3", "FU-CHR-5511");
	fl_check (fl_scan (&packer, "pack", "T1000007", "box", "Tube", "weight", "900", NULL), PROTO_REFUSED,
	    PR_BAD_ARGUMENT, "Box 'Tube' is not one of this hub's boxes (S M L XL)",
	    "after SIGHUP a box taken off the list is refused, the new list named");
	r = fl_scan (&packer, "pack", "T1000007", "box", "xl", "weight", "900", NULL);
	ok (testlib_status (r) == PROTO_OK || testlib_status (r) == PROTO_WARN, "and one added is taken: %s",
	    testlib_text (r));
	proto_msg_destroy (&r);
	b = box_of (&h, "T1000007/1");
	is_str (b, "XL", "stored as XL");
	free (b);
	/* T1000002's parcel 1 is in a Tube: adding a parcel relabels it, and it stays a Tube. */
	fl_check (fl_scan (&packer, "pack", "T1000002", "add", "1", "box", "Tube", "weight", "300", NULL), PROTO_REFUSED,
	    PR_BAD_ARGUMENT, "Box 'Tube' is not one of", "the added parcel's box must be listed");
	is_int (testlib_sql_int (h.database, "SELECT count(*) FROM parcels WHERE order_ref = 'T1000002'"), 1,
	    "that refusal changed nothing");
	fl_check (fl_scan (&packer, "pack", "T1000002", "add", "1", "box", "S", "weight", "300", NULL), PROTO_WARN, PR_OK,
	    "Parcel 2 of 2 added", "a parcel added to an order whose first box is no longer listed");
	b = box_of (&h, "T1000002/1");
	is_str (b, "Tube", "the relabelled parcel 1 keeps its box, Tube");
	free (b);
	b = box_of (&h, "T1000002/2");
	is_str (b, "S", "the new parcel 2 is an S");
	free (b);
	is_int (testlib_sql_int (h.database, "SELECT count(*) FROM parcels WHERE order_ref = 'T1000002' AND status = 'labelled'"),
	    2, "both labelled");
	client_destroy (&porter.c);
	client_destroy (&packer.c);
	is_int (testlib_hub_stop (&h), 0, "that hub stops cleanly");
	extra[0] = NULL;
	free (conf);
	free (arg);
}

int
main (void)
{
	zsys_init ();
	zsys_set_logsystem (false);
	if (!ok (testlib_hub_start (&hub, NULL) == 0, "hub starts with the demo data"))
		return tap_done ();
	struct fl_term porter, packer, sup, admin;
	fl_term_open (&porter, hub.endpoint, "hh-01", "despatch-in", "B1001", "1111");
	fl_term_open (&packer, hub.endpoint, "bench-01", "bench-1", "B2001", "2222");
	fl_term_open (&sup, hub.endpoint, "hh-sup", "office", "B3001", "3333");
	fl_term_open (&admin, hub.endpoint, "bench-02", "bench-2", "B9001", "9999");

	test_whole_flow (&porter, &packer, &sup);
	test_note_length (&porter);
	test_multibyte_text (&porter);
	test_refusals (&porter, &packer, &sup, &admin);
	test_ranges_and_cages (&porter, &packer, &admin);
	test_pack_resume (&porter, &packer, &admin);

	test_pack_boxes ();

	char *integrity = testlib_sql_text (hub.database, "PRAGMA integrity_check");
	is_str (integrity, "ok", "PRAGMA integrity_check is ok");
	free (integrity);
	is_int (testlib_hub_stop (&hub), 0, "hub stops cleanly");
	client_destroy (&porter.c);
	client_destroy (&packer.c);
	client_destroy (&sup.c);
	client_destroy (&admin.c);
	return tap_done ();
}
