/*
 * test-hub-crash.c: a hub killed at any step of printing a label, then
 * started again, prints that label exactly once.
 *
 * The hub kills itself with SIGKILL where DSP_HUB_CRASH_AT says (the test
 * seam of hub/work/work.h): while the label is being drawn, the pack's
 * reply not yet decided (the terminal's retry after the restart is
 * answered, and packs once); after the job is marked submitting and before
 * it is sent; after CUPS took it and before the hub recorded that; after
 * it recorded it; and while it follows the job. After each restart the
 * label prints, and when all is done the fake printer has every parcel's
 * label exactly once, each file decoded by zbarimg naming its parcel's
 * tracking number, and every job is recorded printed.
 */
#include "config.h"
#include "tests/hub-print.h"

static const char *const points[] = { "draw", "submit-marked", "submit-taken", "submit-recorded", "follow-poll" };
/* What the restarted hub's log says of a job caught submitting: looked for by its identity in CUPS. */
static const char *const looked_for[] = { NULL, "not in CUPS, sent again", "found in CUPS as job", NULL, NULL };

/* The pack of ref sent without waiting (the hub is to die meanwhile). */
static void
send_pack (struct fl_term *t, const char *ref)
{
	proto_msg_t *m = proto_msg_new (PROTO_SCAN);
	proto_set_str (m, PROTO_SCAN_STEP, "pack");
	proto_set_str (m, PROTO_SCAN_CODE, ref);
	proto_hash_set (m, PROTO_SCAN_CONTEXT, "box", "M");
	proto_hash_set (m, PROTO_SCAN_CONTEXT, "weight", "900");
	proto_hash_set (m, PROTO_SCAN_CONTEXT, "parcels", "1");
	proto_msg_set_seq (m, ++t->seq);
	client_writable (t->c, 2000);
	client_send (t->c, m);
	proto_msg_destroy (&m);
}

static bool
log_says (struct testlib_hub *hub, const char *what)
{
	char *path = xasprintf ("%s/hub.log", hub->dir);
	char *cmd = xasprintf ("grep -c -F -- '%s' '%s'", what, path);
	char *out = testlib_run (cmd);
	bool found = out && atoi (out) > 0;
	free (out);
	free (cmd);
	free (path);
	return found;
}

int
main (void)
{
	char *server = hp_begin ();
	if (server == NULL)
		return tap_done ();
	const char *extra[] = { server, "printer.bench-1.label=label", NULL };
	struct testlib_hub hub;
	if (!ok (testlib_hub_start (&hub, extra) == 0, "hub starts with the bench's label printer"))
		return tap_done ();
	int n = (int) nitems (points);
	char *csv = hp_orders_csv ("K", n + 1);
	ok (hp_import (&hub, "crash.csv", csv) == 0, "%d orders imported", n + 1);
	free (csv);
	struct fl_term packer = { 0 };
	fl_term_open (&packer, hub.endpoint, "bench-1-term", "bench-1", "B2001", "2222");
	for (int i = 1; i <= n + 1; i++)
		ok (hp_ready (&packer, "K", i) == 0, "K%04d received and located", i);

	for (int i = 1; i <= n; i++) {
		const char *point = points[i - 1];
		char ref[16];
		snprintf (ref, sizeof ref, "K%04d", i);
		diag ("--- killed at %s", point);
		is_int (testlib_hub_stop (&hub), 0, "hub stopped to start again with DSP_HUB_CRASH_AT=%s", point);
		setenv ("DSP_HUB_CRASH_AT", point, 1);
		int started = testlib_hub_restart (&hub);
		unsetenv ("DSP_HUB_CRASH_AT");
		if (!ok (started == 0, "hub started, to die at %s", point))
			break;
		send_pack (&packer, ref);
		ok (hp_hub_died (&hub), "%s: the hub killed itself (SIGKILL) at %s", ref, point);
		ok (log_says (&hub, point), "and its log says where");
		ok (testlib_hub_restart (&hub) == 0, "the hub starts again");
		/* The retry a terminal makes: the same request, the same sequence number. */
		proto_msg_t *r = fl_scan_again (&packer, "pack", ref, "box", "M", "weight", "900", "parcels", "1", NULL);
		ok (testlib_status (r) == PROTO_OK && strstr (testlib_text (r), "labelled"),
		    "the terminal's retry is answered: %s", testlib_text (r));
		proto_msg_destroy (&r);
		is_int (hp_sql_int (&hub, "SELECT count(*) FROM parcels WHERE order_ref = '%s'", ref), 1,
		    "%s has one parcel", ref);
		is_int (hp_sql_int (&hub, "SELECT count(*) FROM label_jobs j JOIN parcels p ON p.id = j.parcel_id"
		                          " WHERE p.order_ref = '%s'", ref), 1, "and one label job");
		ok (print_test_wait_count ("label", i), "its label printed after the restart");
		if (looked_for[i - 1])
			ok (log_says (&hub, looked_for[i - 1]), "the job was looked for by its identity: %s", looked_for[i - 1]);
		for (int k = 0; k < 100 && hp_sql_int (&hub, "SELECT count(*) FROM label_jobs WHERE status = 'printed'"
		                                             " AND parcel_id IN (SELECT id FROM parcels WHERE order_ref = '%s')",
		                               ref) < 1; k++)
			usleep (100 * 1000);
		is_int (hp_sql_int (&hub, "SELECT count(*) FROM label_jobs WHERE status = 'printed' AND parcel_id IN"
		                          " (SELECT id FROM parcels WHERE order_ref = '%s')", ref), 1,
		    "and the hub records it printed");
	}
	/*
	 * CUPS took a label and the hub was killed before it knew; it starts
	 * again with cupsd stopped, so the job is still "submitting" when the
	 * packer redirects it to the fallback printer. The copy CUPS holds for
	 * the bench printer (switched off) must be moved there, not printed as
	 * well as a new one.
	 */
	char ref[16];
	snprintf (ref, sizeof ref, "K%04d", n + 1);
	diag ("--- killed at submit-taken, then redirected while cupsd is stopped");
	ok (print_test_printer ("label", false), "the bench printer is switched off");
	is_int (testlib_hub_stop (&hub), 0, "hub stopped to start again with DSP_HUB_CRASH_AT=submit-taken");
	setenv ("DSP_HUB_CRASH_AT", "submit-taken", 1);
	int started = testlib_hub_restart (&hub);
	unsetenv ("DSP_HUB_CRASH_AT");
	ok (started == 0, "hub started, to die at submit-taken");
	send_pack (&packer, ref);
	ok (hp_hub_died (&hub), "%s: the hub killed itself once CUPS had the label", ref);
	pid_t cupsd = hp_cupsd_pid ();
	ok (cupsd > 0 && kill (cupsd, SIGSTOP) == 0, "cupsd stopped with SIGSTOP");
	ok (testlib_hub_restart (&hub) == 0, "the hub starts again");
	char *state = hp_sql_text (&hub, "SELECT j.status FROM label_jobs j JOIN parcels p ON p.id = j.parcel_id"
	                                 " WHERE p.order_ref = '%s'", ref);
	is_str (state, "submitting", "  its job is still submitting (CUPS has not said)");
	free (state);
	char code[24];
	snprintf (code, sizeof code, "%s/1", ref);
	proto_msg_t *r = fl_cmd (&packer, "redirect", "parcel", code, "printer", "fallback", NULL);
	ok (testlib_status (r) == PROTO_OK, "redirected to the fallback printer: %s", testlib_text (r));
	proto_msg_destroy (&r);
	state = hp_sql_text (&hub, "SELECT j.status || ' ' || coalesce (j.cups_job, 0) FROM label_jobs j"
	                           " JOIN parcels p ON p.id = j.parcel_id WHERE p.order_ref = '%s'", ref);
	is_str (state, "redirect 0", "  kept to be looked for by its identity, not sent anew");
	free (state);
	ok (kill (cupsd, SIGCONT) == 0, "cupsd goes on (SIGCONT)");
	ok (print_test_wait_count ("fallback", 1), "the label came out of the fallback printer");
	ok (log_says (&hub, "), moved there"), "found in CUPS by its identity and moved");
	ok (print_test_printer ("label", true), "the bench printer is back");

	/* Time for a label sent twice to arrive, then every file read back. */
	usleep (2000 * 1000);
	is_int (print_test_count ("label"), n, "%d labels at the printer for %d parcels", print_test_count ("label"), n);
	ok (hp_labels_once (&hub, "label", "p.order_ref LIKE 'K%' AND p.order_ref <> 'K0006'"),
	    "each parcel's label exactly once, every file read back by zbarimg naming its tracking number");
	ok (hp_labels_once (&hub, "fallback", "p.order_ref = 'K0006'"),
	    "the redirected label exactly once, at the fallback printer, read back by zbarimg");
	for (int k = 0; k < 100 && hp_sql_int (&hub, "SELECT count(*) FROM label_jobs WHERE status <> 'printed'") > 0; k++)
		usleep (100 * 1000);
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM label_jobs WHERE status <> 'printed'"), 0,
	    "no job is left unfinished");
	is_int (testlib_hub_stop (&hub), 0, "hub stops cleanly");
	client_destroy (&packer.c);
	free (server);
	return tap_done ();
}
