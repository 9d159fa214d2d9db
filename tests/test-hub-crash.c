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
 *
 * A redirect or cancel of a job CUPS has already printed while the hub did
 * not know (killed once CUPS took it, started again with cupsd stopped so
 * the job is still "submitting" when the command comes): the move or cancel
 * fails, the hub asks CUPS what became of the job, records it printed at
 * the first printer and says so in words, and sends nothing anew; killed
 * once it knows (finished-first) and started again, the same. A job CUPS
 * cancelled behind the hub's back (cancel(1)) is sent anew to the printer
 * it was redirected to, and prints there once.
 *
 * A pack's batch commits without its flush and leaves it to the flush
 * worker; its label goes to CUPS only once the flush is done. Killed 1.5
 * s into the flush of the commit that marked it (the rest of the hub
 * running meanwhile: time enough for CUPS to print what it was sent),
 * nothing has reached the printer; started again, that job is looked for,
 * sent, and prints once. With every flush a second long, a label
 * redirected while the commit that marked it is being flushed goes only to
 * the printer it was redirected to.
 */
#include "config.h"
#include "tests/hub-print.h"

static const char *const points[] = { "draw", "submit-marked", "submit-taken", "submit-recorded", "follow-poll" };
/* What the restarted hub's log says of a job caught submitting: looked for by its identity in CUPS. */
static const char *const looked_for[] = { NULL, "not in CUPS, sent again", "found in CUPS as job", NULL, NULL };

static bool
log_says (struct testlib_hub *hub, const char *what)
{
	return testlib_hub_log_count (hub, what) > 0;
}

/*
 * ref packed with the hub to die once CUPS has its label (submit-taken);
 * then, while no hub runs, the label printed at the bench printer (printed:
 * the fake printer has file `labels`, and CUPS has finished the job), or
 * the job cancelled in CUPS behind the hub's back; then cupsd stopped
 * (SIGSTOP, *cupsd) and the hub started again (to die at crash_at, if
 * given), the job still "submitting" to it.
 */
static void
taken_then_stopped (struct testlib_hub *hub, struct fl_term *packer, const char *ref, bool printed, int labels,
    const char *crash_at, pid_t *cupsd)
{
	hp_pack_killed_at_taken (hub, packer, ref);
	if (printed) {
		ok (print_test_wait_count ("label", labels), "  with no hub running, the label came out of the bench printer");
		ok (hp_cups_idle ("label"), "  and CUPS has finished the job");
	} else {
		ok (print_test_shell ("cancel -h \"$PRINT_TEST_SOCK\" -a label"), "  the job cancelled in CUPS (cancel -a label)");
		ok (hp_cups_idle ("label"), "  CUPS holds nothing unfinished for the bench printer");
	}
	*cupsd = hp_cupsd_pid ();
	ok (*cupsd > 0 && kill (*cupsd, SIGSTOP) == 0, "cupsd stopped with SIGSTOP");
	if (crash_at)
		setenv ("DSP_HUB_CRASH_AT", crash_at, 1);
	ok (testlib_hub_restart (hub) == 0, "the hub starts again%s%s", crash_at ? ", to die at " : "",
	    crash_at ? crash_at : "");
	unsetenv ("DSP_HUB_CRASH_AT");
	char *state = hp_sql_text (hub, "SELECT j.status FROM label_jobs j JOIN parcels p ON p.id = j.parcel_id"
	                                "  WHERE p.order_ref = '%s'", ref);
	is_str (state, "submitting", "  its job is still submitting (CUPS has not said)");
	free (state);
}

/* The state and printer of ref's job, waited for (bounded) until it is want; caller frees. */
static char *
job_becomes (struct testlib_hub *hub, const char *ref, const char *want)
{
	char *got = NULL;
	for (int k = 0; k < 300; k++) {
		free (got);
		got = hp_sql_text (hub, "SELECT j.status || ' ' || coalesce (j.printer, '') FROM label_jobs j"
		                        " JOIN parcels p ON p.id = j.parcel_id WHERE p.order_ref = '%s'", ref);
		if (got && strcmp (got, want) == 0)
			break;
		usleep (100 * 1000);
	}
	return got;
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
	/* An order for each point, one redirected while submitting, three CUPS finished before a command, one
	 * killed in its flush, one redirected during its flush. */
	int orders = n + 6;
	char *csv = hp_orders_csv ("K", orders);
	ok (hp_import (&hub, "crash.csv", csv) == 0, "%d orders imported", orders);
	free (csv);
	struct fl_term packer = { 0 }, lead = { 0 };
	fl_term_open (&packer, hub.endpoint, "bench-1-term", "bench-1", "B2001", "2222");
	fl_term_open (&lead, hub.endpoint, "office-term", "office", "B3001", "3333");
	for (int i = 1; i <= orders; i++)
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
		hp_send_pack (&packer, ref);
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
	hp_send_pack (&packer, ref);
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

	/* K0007: printed by CUPS while no hub ran, then redirected: it printed once, at the bench printer. */
	diag ("--- printed while the hub was down, then redirected");
	taken_then_stopped (&hub, &packer, "K0007", true, n + 1, NULL, &cupsd);
	r = fl_cmd (&packer, "redirect", "parcel", "K0007/1", "printer", "fallback", NULL);
	ok (testlib_status (r) == PROTO_OK, "redirected to the fallback printer: %s", testlib_text (r));
	proto_msg_destroy (&r);
	ok (kill (cupsd, SIGCONT) == 0, "cupsd goes on (SIGCONT)");
	proto_msg_t *ev = hp_wait_event_for (&packer, "printed", "K0007/1");
	const char *text = ev ? proto_hash_get (ev, PROTO_EVENT_DATA, "text") : NULL;
	ok (text && strstr (text, "The label for K0007/1 had already printed at label; reprint it to send a copy to "
	                          "fallback"), "the terminal is told where it printed and what to do: %s", text ? text : "");
	is_str (ev ? proto_hash_get (ev, PROTO_EVENT_DATA, "printer") : NULL, "label", "  naming the printer it printed at");
	is_str (ev ? proto_hash_get (ev, PROTO_EVENT_DATA, "too_late") : NULL, "redirect",
	    "  marked too_late = redirect, so the terminal does not take it for the copy it asked for");
	is_str (ev ? proto_hash_get (ev, PROTO_EVENT_DATA, "asked_printer") : NULL, "fallback",
	    "  naming the printer the redirect asked for");
	proto_msg_destroy (&ev);
	state = job_becomes (&hub, "K0007", "printed label");
	is_str (state, "printed label", "  the job is recorded printed at the bench printer, where it printed");
	free (state);

	/* K0008: the same, cancelled by a supervisor; the hub is killed once it knows CUPS finished the job. */
	diag ("--- printed while the hub was down, then cancelled; killed at finished-first");
	taken_then_stopped (&hub, &packer, "K0008", true, n + 2, "finished-first", &cupsd);
	r = fl_cmd (&lead, "print-cancel", "parcel", "K0008/1", NULL);
	ok (testlib_status (r) == PROTO_OK, "a supervisor cancels it: %s", testlib_text (r));
	proto_msg_destroy (&r);
	ok (kill (cupsd, SIGCONT) == 0, "cupsd goes on (SIGCONT)");
	ok (hp_hub_died (&hub), "the hub killed itself (SIGKILL) once CUPS said the job had finished");
	ok (log_says (&hub, "finished-first"), "and its log says where");
	state = hp_sql_text (&hub, "SELECT j.status FROM label_jobs j JOIN parcels p ON p.id = j.parcel_id"
	                           " WHERE p.order_ref = 'K0008'");
	is_str (state, "cancelling", "  its job is still cancelling");
	free (state);
	ok (testlib_hub_restart (&hub) == 0, "the hub starts again");
	state = job_becomes (&hub, "K0008", "printed label");
	is_str (state, "printed label", "  the cancelled job is recorded printed (the label exists), at the bench printer");
	free (state);
	/* Told after the restart, before either terminal has spoken to the new hub: held for each until it does. */
	r = fl_cmd (&lead, "print-jobs", NULL);
	ok (testlib_status (r) == PROTO_OK, "the supervisor's terminal speaks to the new hub: %s", testlib_text (r));
	proto_msg_destroy (&r);
	ev = hp_wait_event_for (&lead, "printed", "K0008/1");
	text = ev ? proto_hash_get (ev, PROTO_EVENT_DATA, "text") : NULL;
	ok (text && strstr (text, "The label for K0008/1 had already printed at label, so it was not cancelled"),
	    "  and the supervisor who cancelled it is told so: %s", text ? text : "(nothing)");
	is_str (ev ? proto_hash_get (ev, PROTO_EVENT_DATA, "too_late") : NULL, "cancel", "  marked too_late = cancel");
	proto_msg_destroy (&ev);
	r = fl_cmd (&packer, "print-jobs", NULL);
	proto_msg_destroy (&r);
	ev = hp_wait_event_for (&packer, "printed", "K0008/1");
	text = ev ? proto_hash_get (ev, PROTO_EVENT_DATA, "text") : NULL;
	ok (text && strstr (text, "so it was not cancelled"), "  and so is the bench: %s", text ? text : "(nothing)");
	proto_msg_destroy (&ev);
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM label_jobs WHERE status = '%s'", "cancelled"), 0,
	    "  no job is recorded cancelled");

	/* K0009: cancelled in CUPS behind the hub's back, then redirected: sent anew, printed once at the fallback. */
	diag ("--- cancelled in CUPS while the hub was down, then redirected");
	ok (print_test_printer ("label", false), "the bench printer is switched off");
	taken_then_stopped (&hub, &packer, "K0009", false, 0, NULL, &cupsd);
	r = fl_cmd (&packer, "redirect", "parcel", "K0009/1", "printer", "fallback", NULL);
	ok (testlib_status (r) == PROTO_OK, "redirected to the fallback printer: %s", testlib_text (r));
	proto_msg_destroy (&r);
	ok (kill (cupsd, SIGCONT) == 0, "cupsd goes on (SIGCONT)");
	ok (print_test_wait_count ("fallback", 2), "the label came out of the fallback printer");
	state = job_becomes (&hub, "K0009", "printed fallback");
	is_str (state, "printed fallback", "  the job is recorded printed at the fallback printer");
	free (state);
	ok (log_says (&hub, ", sent anew to fallback"), "  sent anew once CUPS said it had cancelled it");
	ok (print_test_printer ("label", true), "the bench printer is back");

	/* K0010: killed in the flush of the commit that marked its label, 1.5 s after it began. */
	snprintf (ref, sizeof ref, "K%04d", n + 5);
	diag ("--- killed in the flush of the pack's commit");
	is_int (testlib_hub_stop (&hub), 0, "hub stopped to start again with DSP_HUB_CRASH_AT=flush-marked");
	setenv ("DSP_HUB_CRASH_AT", "flush-marked", 1);
	setenv ("DSP_HUB_CRASH_DELAY_MS", "1500", 1);
	started = testlib_hub_restart (&hub);
	unsetenv ("DSP_HUB_CRASH_AT");
	unsetenv ("DSP_HUB_CRASH_DELAY_MS");
	ok (started == 0, "hub started, to die 1.5 s into the flush of a commit that marks a label");
	hp_send_pack (&packer, ref);
	ok (hp_hub_died (&hub), "%s: the hub killed itself in the flush of the commit that marked its label", ref);
	ok (log_says (&hub, "killed at flush-marked"), "  and its log says where");
	long long job = hp_sql_int (&hub, "SELECT j.id FROM label_jobs j JOIN parcels p ON p.id = j.parcel_id"
	                                  " WHERE p.order_ref = '%s' AND j.status = 'submitting'", ref);
	ok (job > 0, "  its label job was marked submitting in that commit (job %lld)", job);
	is_int (print_test_count ("label"), n + 2, "  nothing reached the bench printer before the commit was on the disk");
	char looked_for_job[64];
	snprintf (looked_for_job, sizeof looked_for_job, "label job %lld: not in CUPS, sent again", job);
	ok (testlib_hub_restart (&hub) == 0, "the hub starts again");
	r = fl_scan_again (&packer, "pack", ref, "box", "M", "weight", "900", "parcels", "1", NULL);
	ok (testlib_status (r) == PROTO_OK && strstr (testlib_text (r), "labelled"),
	    "the terminal's retry is answered: %s", testlib_text (r));
	proto_msg_destroy (&r);
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM label_jobs j JOIN parcels p ON p.id = j.parcel_id"
	                          " WHERE p.order_ref = '%s'", ref), 1, "  one label job");
	ok (print_test_wait_count ("label", n + 3), "  its label printed after the restart");
	ok (testlib_hub_log_count (&hub, looked_for_job) > 0, "  that job was looked for, then sent: %s", looked_for_job);

	/* K0011: every flush a second long; redirected while the commit that marked its label is being flushed. */
	snprintf (ref, sizeof ref, "K%04d", n + 6);
	snprintf (code, sizeof code, "%s/1", ref);
	diag ("--- redirected while the commit that marked its label is being flushed");
	is_int (testlib_hub_stop (&hub), 0, "hub stopped to start again with every flush a second long");
	setenv ("DSP_HUB_DRAW_FAULT", "slow-flush", 1);
	started = testlib_hub_restart (&hub);
	unsetenv ("DSP_HUB_DRAW_FAULT");
	ok (started == 0, "hub started, its flushes a second long");
	int fallback_before = print_test_count ("fallback");
	hp_send_pack (&packer, ref);
	long long marked = 0;
	for (int k = 0; k < 300 && marked == 0; k++) {
		marked = hp_sql_int (&hub, "SELECT count(*) FROM label_jobs j JOIN parcels p ON p.id = j.parcel_id"
		                           " WHERE p.order_ref = '%s' AND j.status = 'submitting'", ref);
		if (marked == 0)
			usleep (10 * 1000);
	}
	ok (marked == 1, "  its label job is marked submitting, its commit being flushed");
	r = fl_cmd (&lead, "redirect", "parcel", code, "printer", "fallback", NULL);
	ok (testlib_status (r) == PROTO_OK, "  a supervisor redirects it to the fallback printer: %s", testlib_text (r));
	proto_msg_destroy (&r);
	r = fl_scan_again (&packer, "pack", ref, "box", "M", "weight", "900", "parcels", "1", NULL);
	ok (testlib_status (r) == PROTO_OK && strstr (testlib_text (r), "labelled"), "  the pack is answered: %s",
	    testlib_text (r));
	proto_msg_destroy (&r);
	ok (print_test_wait_count ("fallback", fallback_before + 1), "  the label came out of the fallback printer");
	state = job_becomes (&hub, ref, "printed fallback");
	is_str (state, "printed fallback", "  and is recorded printed there");
	free (state);
	ok (log_says (&hub, "CUPS was never sent it"), "  sent anew there: CUPS had never been sent it");
	is_int (testlib_hub_stop (&hub), 0, "hub stopped, to start again with flushes as usual");
	ok (testlib_hub_restart (&hub) == 0, "hub started again");

	/* Time for a label sent twice to arrive, then every file read back. */
	usleep (2000 * 1000);
	is_int (print_test_count ("label"), n + 3, "%d labels at the bench printer for %d parcels",
	    print_test_count ("label"), n + 3);
	ok (hp_labels_once (&hub, "label", "p.order_ref LIKE 'K%' AND p.order_ref NOT IN ('K0006', 'K0009', 'K0011')"),
	    "each parcel's label exactly once, every file read back by zbarimg naming its tracking number");
	is_int (print_test_count ("fallback"), 3, "3 labels at the fallback printer");
	is_int (print_test_count ("label") + print_test_count ("fallback"), orders,
	    "one file in all the fake printers for each of the %d parcels", orders);
	ok (hp_labels_once (&hub, "fallback", "p.order_ref IN ('K0006', 'K0009', 'K0011')"),
	    "the labels sent there exactly once, read back by zbarimg");
	for (int k = 0; k < 100 && hp_sql_int (&hub, "SELECT count(*) FROM label_jobs WHERE status <> 'printed'") > 0; k++)
		usleep (100 * 1000);
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM label_jobs WHERE status <> 'printed'"), 0,
	    "no job is left unfinished");
	is_int (testlib_hub_stop (&hub), 0, "hub stops cleanly");
	client_destroy (&packer.c);
	client_destroy (&lead.c);
	free (server);
	return tap_done ();
}
