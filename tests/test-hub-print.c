/*
 * test-hub-print.c: the hub prints through a real private cupsd to a fake
 * AppSocket printer. Packing a parcel sends its label once, byte for byte
 * as the hub kept it; a printer that is off keeps the label and says so to
 * the terminal, which is told again when it prints; redirect, reprint and
 * cancel do what they say and are audited; a job CUPS no longer has (its
 * queue deleted behind the hub's back with lpadmin -x) is sent anew when it
 * is redirected, and prints once, at the printer it was redirected to.
 */
#include "config.h"
#include "tests/hub-print.h"

#include <czmq.h>
#include <stdarg.h>

/* Receive, locate and pack a one-line demo order; the pack reply is checked. */
static void
pack_order (struct fl_term *t, const char *ref, const char *location, const char *sku)
{
	proto_msg_t *r = fl_scan (t, "receive", ref, NULL);
	proto_msg_destroy (&r);
	r = fl_scan (t, "locate", location, "order", ref, "line", "1", NULL);
	proto_msg_destroy (&r);
	r = fl_scan (t, "locate", sku, "order", ref, "line", "1", "count", "3", NULL);
	proto_msg_destroy (&r);
	r = fl_scan (t, "pack", ref, "box", "M", "weight", "900", "parcels", "1", NULL);
	ok (testlib_status (r) == PROTO_OK || testlib_status (r) == PROTO_WARN, "%s packed and labelled: %s", ref,
	    testlib_text (r));
	proto_msg_destroy (&r);
}

int
main (void)
{
	char *server = hp_begin ();
	if (server == NULL)
		return tap_done ();
	const char *extra[] = { server, "printer.bench-1.label=label", "station.bench-1.group=benches",
		"printer.group.benches.fallback=fallback", "printer.desk-1.label=fallback", NULL };
	struct testlib_hub hub;
	if (!ok (testlib_hub_start (&hub, extra) == 0, "hub starts with the bench's printers configured"))
		return tap_done ();
	struct fl_term packer = { 0 }, lead = { 0 };
	fl_term_open (&packer, hub.endpoint, "bench-1-term", "bench-1", "B2001", "2222");
	fl_term_open (&lead, hub.endpoint, "office-term", "office", "B3001", "3333");

	/* 1. A label goes out once, byte for byte, and the terminal hears "printed". */
	pack_order (&packer, "T1000002", "MW-R1-A04", "MW-SHT-2210");
	proto_msg_t *ev = hp_wait_event (&packer, "printed");
	ok (ev != NULL, "the packer's terminal is told the label printed");
	is_str (ev ? proto_hash_get (ev, PROTO_EVENT_DATA, "kind") : NULL, "label", "  its EVENT's kind: label");
	proto_msg_destroy (&ev);
	ok (print_test_wait_count ("label", 1), "the label arrived at the bench printer");
	size_t len = 0;
	char *got = print_test_read ("label", 1, "zpl", &len);
	char *cause = NULL;
	db_t *db = db_open (hub.database, DB_READONLY, &cause);
	db_stmt_t *st = db ? db_prepare (db, "SELECT d.data, j.status, j.printer FROM label_jobs j JOIN label_docs d ON d.job = j.id ORDER BY j.id LIMIT 1") : NULL;
	int same = 0;
	if (st && db_step (st) == DB_ROW) {
		size_t n;
		const void *kept = db_col_blob (st, 0, &n);
		same = got && n == len && memcmp (kept, got, n) == 0;
		is_str (db_col_text (st, 1), "printed", "the job is recorded as printed");
		is_str (db_col_text (st, 2), "label", "on the station's label printer");
	}
	ok (same, "the printer received exactly the label the hub kept (%zu bytes)", len);
	ok (got && len > 20 && memcmp (got, "^XA", 3) == 0, "it is a ZPL job");
	free (got);
	db_close (&db);

	/* 2. Printer off: the label is kept, the terminal is told, it prints once when back. */
	ok (print_test_printer ("label", false), "the bench printer is switched off");
	/* T1000010 has three lines, all found before the pack. */
	proto_msg_t *r = fl_scan (&packer, "receive", "T1000010", NULL);
	proto_msg_destroy (&r);
	r = fl_scan (&packer, "locate", "SH-R1-A10", "order", "T1000010", "line", "1", NULL);
	proto_msg_destroy (&r);
	r = fl_scan (&packer, "locate", "SH-TRN-4410", "order", "T1000010", "line", "1", NULL);
	proto_msg_destroy (&r);
	r = fl_scan (&packer, "locate", "SP-R1-A01", "order", "T1000010", "line", "2", NULL);
	proto_msg_destroy (&r);
	r = fl_scan (&packer, "locate", "SP-BTL-0750", "order", "T1000010", "line", "2", NULL);
	proto_msg_destroy (&r);
	r = fl_scan (&packer, "locate", "SP-R1-A02", "order", "T1000010", "line", "3", NULL);
	proto_msg_destroy (&r);
	r = fl_scan (&packer, "locate", "SP-SOCK-0003", "order", "T1000010", "line", "3", NULL);
	proto_msg_destroy (&r);
	r = fl_scan (&packer, "pack", "T1000010", "box", "L", "weight", "1400", "parcels", "1", NULL);
	ok (testlib_status (r) == PROTO_OK || testlib_status (r) == PROTO_WARN, "T1000010 packed: %s", testlib_text (r));
	proto_msg_destroy (&r);
	ev = hp_wait_event (&packer, "offline");
	ok (ev != NULL, "the terminal is told the printer is offline");
	is_str (ev ? proto_hash_get (ev, PROTO_EVENT_DATA, "fallback") : NULL, "fallback", "and offered the fallback printer");
	proto_msg_destroy (&ev);
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM label_jobs j JOIN parcels p ON p.id = j.parcel_id"
	                       " WHERE p.order_ref = '%s' AND j.status = 'offline' AND j.id IN (SELECT job FROM label_docs)", "T1000010"),
	    1, "the label is kept with its job");
	is_int (print_test_count ("label"), 1, "nothing more reached the printer");
	ok (print_test_printer ("label", true), "the bench printer is back");
	ev = hp_wait_event (&packer, "printed");
	ok (ev != NULL, "the terminal is told it printed");
	proto_msg_destroy (&ev);
	ok (print_test_wait_count ("label", 2), "the kept label arrived");
	is_int (print_test_count ("label"), 2, "exactly once");

	/* 3. Redirect a waiting label to the fallback printer. */
	ok (print_test_printer ("label", false), "the bench printer is off again");
	pack_order (&packer, "W1000009", "ST-R1-A03", "ST-NTB-0011");
	ev = hp_wait_event (&packer, "offline");
	proto_msg_destroy (&ev);
	r = fl_cmd (&packer, "redirect", "parcel", "W1000009/1", "printer", "fallback", NULL);
	is_int (testlib_status (r), PROTO_OK, "redirect accepted: %s", testlib_text (r));
	proto_msg_destroy (&r);
	ok (print_test_wait_count ("fallback", 1), "the label came out of the fallback printer");
	ok (print_test_printer ("label", true), "the bench printer is back");
	/* Follow-up on the label queue: the moved job must not print there as well. */
	r = fl_cmd (&packer, "reprint", "parcel", "T1000002/1", NULL);
	is_int (testlib_status (r), PROTO_OK, "reprint of the first label accepted: %s", testlib_text (r));
	proto_msg_destroy (&r);
	ok (print_test_wait_count ("label", 3), "the reprint arrived");
	is_int (print_test_count ("label"), 3, "and the redirected label did not print on the bench printer too");
	len = 0;
	got = print_test_read ("label", 3, "zpl", &len);
	size_t len1 = 0;
	char *first = print_test_read ("label", 1, "zpl", &len1);
	ok (got && first && len == len1 && memcmp (got, first, len) == 0, "a reprint is the same label, byte for byte");
	free (got);
	free (first);
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM events WHERE action = '%s'", "reprint"), 1, "the reprint is audited");
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM events WHERE action = '%s'", "redirect"), 1, "the redirect is audited");

	/* 3b. A job CUPS no longer has (its queue deleted behind the hub's back), then redirected: sent anew, once. */
	char *csv = hp_orders_csv ("G", 1);
	ok (hp_import (&hub, "gone.csv", csv) == 0, "an order G0001 imported");
	free (csv);
	ok (hp_ready (&packer, "G", 1) == 0, "G0001 received and located");
	ok (hp_queue_stopped ("spare"), "a queue 'spare' added, stopped");
	ok (print_test_printer ("label", false), "the bench printer is off again");
	int fallback_before = print_test_count ("fallback");
	long long g_cups = hp_pack_waiting (&hub, &packer, "G0001");
	ok (g_cups > 0, "its job waits in CUPS (job %lld)", g_cups);
#define G_JOB "SELECT coalesce (j.cups_job, 0) FROM label_jobs j JOIN parcels p ON p.id = j.parcel_id" \
	" WHERE p.order_ref = 'G0001' AND j.status IN ('submitted', 'offline') AND j.printer = '%s'"
	r = fl_cmd (&packer, "redirect", "parcel", "G0001/1", "printer", "spare", NULL);
	is_int (testlib_status (r), PROTO_OK, "redirected to 'spare': %s", testlib_text (r));
	proto_msg_destroy (&r);
	for (int i = 0; i < 300 && hp_sql_int (&hub, G_JOB, "spare") != g_cups; i++)
		usleep (100 * 1000);
	is_int (hp_sql_int (&hub, G_JOB, "spare"), g_cups, "moved there in CUPS, the same job");
	char *gone = xasprintf ("lpadmin -h \"$PRINT_TEST_SOCK\" -x spare && for i in $(seq 50); do"
	                        " lpstat -h \"$PRINT_TEST_SOCK\" -W all -o | grep -q -- '-%lld ' || exit 0; sleep 0.1; done;"
	                        " exit 1", g_cups);
	ok (print_test_shell (gone), "queue 'spare' deleted behind the hub's back: CUPS has job %lld no more", g_cups);
	free (gone);
	r = fl_cmd (&packer, "redirect", "parcel", "G0001/1", "printer", "fallback", NULL);
	is_int (testlib_status (r), PROTO_OK, "redirected to the fallback printer: %s", testlib_text (r));
	proto_msg_destroy (&r);
	ok (print_test_wait_count ("fallback", fallback_before + 1), "the label came out of the fallback printer");
	for (int i = 0; i < 300 && hp_sql_int (&hub, "SELECT count(*) FROM label_jobs j JOIN parcels p ON p.id = j.parcel_id"
	                                            " WHERE p.order_ref = 'G0001' AND j.status = 'printed'"
	                                            " AND j.printer = '%s'", "fallback") < 1; i++)
		usleep (100 * 1000);
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM label_jobs j JOIN parcels p ON p.id = j.parcel_id"
	                          " WHERE p.order_ref = 'G0001' AND j.status = 'printed' AND j.printer = '%s'", "fallback"),
	    1, "its job is recorded printed at the fallback printer");
	char *grep = xasprintf ("grep -c -F 'not in CUPS, sent anew to fallback' '%s/hub.log'", hub.dir);
	char *said = testlib_run (grep);
	ok (said && atoi (said) == 1, "sent anew because CUPS had no such job (the hub's log says so)");
	free (said);
	free (grep);
	ok (print_test_printer ("label", true), "the bench printer is back");
	usleep (1000 * 1000);
	is_int (print_test_count ("fallback"), fallback_before + 1, "one label at the fallback printer");
	is_int (print_test_count ("label"), 3, "none at the bench printer");

	/* 3c. A job CUPS forgets while it waits (moved to a queue that is then deleted, behind the hub's back):
	 * recorded failed for a person to look at, never sent again, and no backing off for the other labels. */
	csv = hp_orders_csv ("H", 1);
	ok (hp_import (&hub, "forgot.csv", csv) == 0, "an order H0001 imported");
	free (csv);
	ok (hp_ready (&packer, "H", 1) == 0, "H0001 received and located");
	ok (hp_queue_stopped ("spare2"), "a queue 'spare2' added, stopped");
	ok (print_test_printer ("label", false), "the bench printer is off");
	int label_before = print_test_count ("label"), fallback_was = print_test_count ("fallback");
	long long h_cups = hp_pack_waiting (&hub, &packer, "H0001");
	ok (h_cups > 0, "its job waits in CUPS (job %lld)", h_cups);
	char *forget = xasprintf ("lpmove -h \"$PRINT_TEST_SOCK\" %lld spare2 && lpadmin -h \"$PRINT_TEST_SOCK\" -x spare2"
	                          " && for i in $(seq 50); do lpstat -h \"$PRINT_TEST_SOCK\" -W all -o | grep -q -- '-%lld '"
	                          " || exit 0; sleep 0.1; done; exit 1", h_cups, h_cups);
	ok (print_test_shell (forget), "moved to 'spare2' and the queue deleted behind the hub's back: CUPS has job %lld"
	    " no more", h_cups);
	free (forget);
#define H_STATE "SELECT j.status || ' ' || coalesce (j.error, '') FROM label_jobs j JOIN parcels p ON p.id = j.parcel_id" \
	" WHERE p.order_ref = '%s'"
	char *h_state = NULL;
	for (int i = 0; i < 300; i++) {
		free (h_state);
		h_state = hp_sql_text (&hub, H_STATE, "H0001");
		if (h_state && strncmp (h_state, "failed ", 7) == 0)
			break;
		usleep (100 * 1000);
	}
	ok (h_state && strncmp (h_state, "failed ", 7) == 0 && strstr (h_state, "no job") && strstr (h_state, "may have printed"),
	    "recorded failed, saying CUPS lost it and it may have printed: %s", h_state ? h_state : "?");
	free (h_state);
	ev = hp_wait_event (&packer, "failed");
	const char *ev_text = ev ? proto_hash_get (ev, PROTO_EVENT_DATA, "text") : NULL;
	ok (ev_text && strstr (ev_text, "CUPS no longer has its job") && strstr (ev_text, "reprint"),
	    "the bench is told to look and reprint: %s", ev_text ? ev_text : "(no event)");
	proto_msg_destroy (&ev);
	ok (print_test_printer ("label", true), "the bench printer is back");
	r = fl_cmd (&packer, "reprint", "parcel", "H0001/1", NULL);
	is_int (testlib_status (r), PROTO_OK, "reprinted by the packer: %s", testlib_text (r));
	proto_msg_destroy (&r);
	ok (print_test_wait_count ("label", label_before + 1), "the reprint came out at once (no backing off)");
	usleep (1000 * 1000);
	is_int (print_test_count ("label") + print_test_count ("fallback"), label_before + fallback_was + 1,
	    "one label for H0001 in all, the reprint: the forgotten job was not sent again");

	/* 4. Cancel: only a supervisor; the cancelled label never prints. */
	ok (print_test_printer ("label", false), "the bench printer is off once more");
	pack_order (&packer, "W1000006", "WW-R1-A01", "WW-SCF-0900");
	/* Its customs paper has no document printer at the bench (told at the pack's commit, before the label's
	 * offline, which takes a turn of the print worker): the paper is named, not called a label. */
	ev = hp_wait_event_for (&packer, "no-printer", "W1000006");
	const char *paper = ev ? proto_hash_get (ev, PROTO_EVENT_DATA, "text") : NULL;
	ok (paper && strstr (paper, "No document printer for station bench-1: ") && !strstr (paper, "label"),
	    "the paper with no printer at the bench is named, not called a label: %s", paper ? paper : "(none)");
	is_str (ev ? proto_hash_get (ev, PROTO_EVENT_DATA, "kind") : NULL, "customs", "  its EVENT's kind: customs");
	proto_msg_destroy (&ev);
	ev = hp_wait_event (&packer, "offline");
	proto_msg_destroy (&ev);
	r = fl_cmd (&packer, "print-cancel", "parcel", "W1000006/1", NULL);
	is_int (testlib_reason (r), PR_FORBIDDEN, "a packer may not cancel a label job: %s", testlib_text (r));
	proto_msg_destroy (&r);
	r = fl_cmd (&lead, "print-cancel", "parcel", "W1000006/1", NULL);
	is_int (testlib_status (r), PROTO_OK, "a supervisor cancels it: %s", testlib_text (r));
	proto_msg_destroy (&r);
	for (int i = 0; i < 100 && hp_sql_int (&hub, "SELECT count(*) FROM label_jobs WHERE status = '%s'", "cancelled") < 1; i++)
		usleep (100 * 1000);
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM label_jobs WHERE status = '%s'", "cancelled"), 1, "the job is cancelled");
	ok (print_test_printer ("label", true), "the bench printer is back");
	r = fl_cmd (&packer, "reprint", "parcel", "T1000002/1", NULL);
	proto_msg_destroy (&r);
	ok (print_test_wait_count ("label", 4), "a later label still prints");
	is_int (print_test_count ("label"), 4, "and the cancelled one never did");

	/* 5. The despatch ticket at a sales desk: its barcode is the order reference. */
	int before = print_test_count ("fallback");
	r = fl_cmd (&lead, "ticket", "order", "P1000003", "station", "desk-1", NULL);
	is_int (testlib_status (r), PROTO_OK, "a despatch ticket is asked for at desk-1: %s", testlib_text (r));
	proto_msg_destroy (&r);
	ok (print_test_wait_count ("fallback", before + 1), "the ticket came out of the desk's printer");
	/* Its EVENT names the paper: a ticket has no parcel, and no label to scan onto one. */
	ev = hp_wait_event_for (&lead, "printed", "P1000003");
	const char *told = ev ? proto_hash_get (ev, PROTO_EVENT_DATA, "text") : NULL;
	ok (told && strstr (told, "Despatch ticket P1000003 printed on fallback") && !strstr (told, "Label for")
	    && !strstr (told, "Scan it"), "the desk hears the ticket printed, by its name: %s", told ? told : "(none)");
	is_str (ev ? proto_hash_get (ev, PROTO_EVENT_DATA, "kind") : NULL, "ticket",
	    "  its EVENT says it is a despatch ticket (ZPL like a label, but no parcel's)");
	proto_msg_destroy (&ev);
	/* Read back beside the printer's folder (hp_decode), so that the printer's own count stays its jobs. */
	char *symbols = hp_decode ("fallback", before + 1);
	char decoded[128] = "";
	util_strlcpy (decoded, symbols ? symbols : "", sizeof decoded);
	decoded[strcspn (decoded, "\n")] = '\0';
	free (symbols);
	is_str (decoded, "P1000003", "the ticket's barcode reads back as the order reference");
	r = fl_scan (&packer, "receive", decoded, NULL);
	is_int (testlib_status (r), PROTO_OK, "and receiving it in despatch takes the order in: %s", testlib_text (r));
	proto_msg_destroy (&r);
	/* 5b. A ticket asked for while cupsd does not answer: kept, and told to be, by its name; once cupsd
	 * answers again it prints once and is told printed, by its name. */
	int had = print_test_count ("fallback");
	is_int (had, before + 1, "the desk's printer holds the first ticket and nothing else");
	pid_t cupsd = hp_cupsd_pid ();
	ok (cupsd > 0 && kill (cupsd, SIGSTOP) == 0, "cupsd is stopped (SIGSTOP)");
	r = fl_cmd (&lead, "ticket", "order", "P1000003", "station", "desk-1", NULL);
	is_int (testlib_status (r), PROTO_OK, "a second ticket is asked for: %s", testlib_text (r));
	proto_msg_destroy (&r);
	ev = hp_wait_event_for (&lead, "offline", "P1000003");
	told = ev ? proto_hash_get (ev, PROTO_EVENT_DATA, "text") : NULL;
	ok (told && strstr (told, "despatch ticket P1000003 kept") && !strstr (told, "label"),
	    "the desk hears the ticket is kept, by its name: %s", told ? told : "(none)");
	proto_msg_destroy (&ev);
	ok (cupsd > 0 && kill (cupsd, SIGCONT) == 0, "cupsd goes on (SIGCONT)");
	ev = hp_wait_event_for (&lead, "printed", "P1000003");
	told = ev ? proto_hash_get (ev, PROTO_EVENT_DATA, "text") : NULL;
	ok (told && strstr (told, "Despatch ticket P1000003 printed on fallback") && !strstr (told, "Label for"),
	    "and then that it printed, by its name: %s", told ? told : "(none)");
	proto_msg_destroy (&ev);
	ok (print_test_wait_count ("fallback", had + 1), "the second ticket came out of the desk's printer");
	is_int (print_test_count ("fallback"), had + 1, "once");
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM label_jobs WHERE kind = '%s' AND status = 'printed'", "ticket"), 2,
	    "both tickets are recorded printed");

	r = fl_cmd (&lead, "ticket", "order", "NOPE-1", NULL);
	is_int (testlib_reason (r), PR_UNKNOWN_BARCODE, "a ticket for an unknown order refused: %s", testlib_text (r));
	proto_msg_destroy (&r);
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM events WHERE action = '%s' AND order_ref = 'P1000003'", "ticket"), 2,
	    "each ticket is audited");

	r = fl_cmd (&packer, "redirect", "parcel", "NO-SUCH/1", "printer", "fallback", NULL);
	is_int (testlib_reason (r), PR_UNKNOWN_BARCODE, "redirect of an unknown parcel refused: %s", testlib_text (r));
	proto_msg_destroy (&r);

	is_int (testlib_hub_stop (&hub), 0, "hub stops cleanly");
	client_destroy (&packer.c);
	client_destroy (&lead.c);
	free (server);
	return tap_done ();
}
