/*
 * test-hub-stall.c: a print server that stops answering holds nobody up.
 * The private cupsd is stopped with SIGSTOP (as a print server behind a
 * dead link, or swapped out, behaves: connections are taken and never
 * answered) while labels are queued for it. Another terminal's PINGs and
 * scans are answered at once all along (each bounded generously, at 1 s:
 * before the print worker the hub took 4 to 12 s), the packer's packs too,
 * and once cupsd goes on (SIGCONT) every label prints, each exactly once,
 * as the fake printer's files decoded show.
 */
#include "config.h"
#include "tests/hub-print.h"

#define STALL_ORDERS 4
#define STALL_SECONDS 8     /* more than two of the print worker's 3 s timeouts */
#define PROMPT_MS 1000

/* A request's round trip in ms (the reply in *r, caller destroys). */
static int64_t
timed_scan (struct fl_term *t, const char *step, const char *code, proto_msg_t **r)
{
	int64_t t0 = util_mono_ms ();
	*r = fl_scan (t, step, code, NULL);
	return util_mono_ms () - t0;
}

static int64_t
timed_ping (struct fl_term *t)
{
	proto_msg_t *m = proto_msg_new (PROTO_PING);
	proto_msg_set_seq (m, ++t->seq);
	int64_t t0 = util_mono_ms ();
	proto_msg_t *r = client_call (t->c, m, 3000, 1);
	int64_t took = util_mono_ms () - t0;
	int status = testlib_status (r);
	proto_msg_destroy (&m);
	proto_msg_destroy (&r);
	return status == PROTO_OK ? took : 99999;
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
	char *csv = hp_orders_csv ("S", STALL_ORDERS + 1);
	ok (hp_import (&hub, "stall.csv", csv) == 0, "%d orders imported", STALL_ORDERS + 1);
	free (csv);
	struct fl_term packer = { 0 }, porter = { 0 };
	fl_term_open (&packer, hub.endpoint, "bench-1-term", "bench-1", "B2001", "2222");
	fl_term_open (&porter, hub.endpoint, "porter-term", "goods-in", "B1001", "1111");
	for (int i = 1; i <= STALL_ORDERS + 1; i++)
		ok (hp_ready (&packer, "S", i) == 0, "S%04d received and located", i);

	/* With cupsd answering, a label prints. */
	proto_msg_t *r = hp_pack (&packer, "S0001");
	ok (testlib_status (r) == PROTO_OK, "S0001 packed: %s", testlib_text (r));
	proto_msg_destroy (&r);
	ok (print_test_wait_count ("label", 1), "its label printed");
	for (int i = 0; i < 100 && hp_sql_int (&hub, "SELECT count(*) FROM label_jobs WHERE status = '%s'", "printed") < 1;
	     i++)
		usleep (100 * 1000);

	pid_t cupsd = hp_cupsd_pid ();
	if (!ok (cupsd > 0 && kill (cupsd, SIGSTOP) == 0, "cupsd stopped with SIGSTOP"))
		return tap_done ();
	/* Labels for the stopped cupsd: each pack answered at once all the same. */
	int64_t worst_pack = 0;
	for (int i = 2; i <= STALL_ORDERS + 1; i++) {
		char ref[16];
		snprintf (ref, sizeof ref, "S%04d", i);
		int64_t t0 = util_mono_ms ();
		r = hp_pack (&packer, ref);
		int64_t took = util_mono_ms () - t0;
		worst_pack = took > worst_pack ? took : worst_pack;
		ok (testlib_status (r) == PROTO_OK && strstr (testlib_text (r), "labelled"), "%s packed: %s", ref,
		    testlib_text (r));
		proto_msg_destroy (&r);
	}
	ok (worst_pack < PROMPT_MS, "every pack answered within %d ms while cupsd is stopped (worst %lld ms)",
	    PROMPT_MS, (long long) worst_pack);

	/* Meanwhile another terminal: PINGs and scans, answered promptly the whole time. */
	int64_t worst_ping = 0, worst_scan = 0, end = util_mono_ms () + STALL_SECONDS * 1000;
	int pings = 0, scans = 0, answered = 0;
	const char *codes[] = { "S0001", "W1000001", "NOT-A-CODE" };
	while (util_mono_ms () < end) {
		int64_t p = timed_ping (&porter);
		worst_ping = p > worst_ping ? p : worst_ping;
		pings++;
		r = NULL;
		int64_t s = timed_scan (&porter, "enquiry", codes[scans % nitems (codes)], &r);
		answered += r != NULL && proto_msg_id (r) == PROTO_REPLY;
		proto_msg_destroy (&r);
		worst_scan = s > worst_scan ? s : worst_scan;
		scans++;
		usleep (100 * 1000);
	}
	ok (worst_ping < PROMPT_MS, "%d PINGs in %d s, each answered within %d ms (worst %lld ms)", pings,
	    STALL_SECONDS, PROMPT_MS, (long long) worst_ping);
	ok (answered == scans && worst_scan < PROMPT_MS, "%d of %d enquiries answered, each within %d ms (worst %lld ms)",
	    answered, scans, PROMPT_MS, (long long) worst_scan);
	r = fl_scan (&porter, "receive", "W1000001", NULL);
	ok (testlib_status (r) == PROTO_OK, "a receive scan is taken: %s", testlib_text (r));
	proto_msg_destroy (&r);
	is_int (print_test_count ("label"), 1, "nothing printed while cupsd was stopped");
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM label_jobs WHERE status = '%s'", "printed"), 1,
	    "and the hub says so: one job printed");
	ok (hp_sql_int (&hub, "SELECT count(*) FROM label_jobs JOIN label_docs ON job = id WHERE parcel_id IN"
	                      " (SELECT id FROM parcels WHERE order_ref LIKE '%s')", "S%") == STALL_ORDERS + 1,
	    "every label is kept with its job");

	/* The last label redirected to the fallback printer while it is being sent (CUPS may have it or not),
	 * then the hub killed before it knows: found by its identity after the restart and printed once, there. */
	char *was = hp_sql_text (&hub, "SELECT j.status FROM label_jobs j JOIN parcels p ON p.id = j.parcel_id"
	                               " WHERE p.order_ref = '%s'", "S0005");
	r = fl_cmd (&packer, "redirect", "parcel", "S0005/1", "printer", "fallback", NULL);
	ok (testlib_status (r) == PROTO_OK, "S0005's label (%s) redirected to the fallback printer: %s", was,
	    testlib_text (r));
	proto_msg_destroy (&r);
	free (was);
	char *now = hp_sql_text (&hub, "SELECT j.status || ' ' || coalesce (j.cups_job, 0) || ' ' || (j.ident <> '')"
	                               " FROM label_jobs j JOIN parcels p ON p.id = j.parcel_id WHERE p.order_ref = '%s'",
	    "S0005");
	ok (now && (strcmp (now, "redirect 0 1") == 0 || strncmp (now, "queued ", 7) == 0),
	    "  kept findable by its identity while CUPS may have it (%s)", now ? now : "?");
	/* Redirected again while it is being looked for in CUPS: refused, else it is sent anew and may print twice. */
	bool moving = now && strcmp (now, "redirect 0 1") == 0;
	free (now);
	r = fl_cmd (&packer, "redirect", "parcel", "S0005/1", "printer", "fallback", NULL);
	if (moving)
		ok (testlib_status (r) == PROTO_REFUSED && strstr (testlib_text (r), "being moved to another printer"),
		    "  redirected again meanwhile: refused, %s", testlib_text (r));
	else
		ok (testlib_status (r) == PROTO_OK, "  redirected again while still queued: taken, %s", testlib_text (r));
	proto_msg_destroy (&r);
	now = hp_sql_text (&hub, "SELECT j.status || ' ' || coalesce (j.cups_job, 0) || ' ' || (j.ident <> '')"
	                         " FROM label_jobs j JOIN parcels p ON p.id = j.parcel_id WHERE p.order_ref = '%s'",
	    "S0005");
	ok (now && (moving ? strcmp (now, "redirect 0 1") == 0 : strncmp (now, "queued ", 7) == 0),
	    "  and its state is as it was (%s)", now ? now : "?");
	free (now);
	/* The bench printer off: a copy CUPS took for it stays there, to be moved, not printed. */
	ok (print_test_printer ("label", false), "the bench printer is switched off");
	testlib_hub_kill (&hub);
	ok (kill (cupsd, SIGCONT) == 0, "the hub killed (SIGKILL); cupsd goes on (SIGCONT)");
	ok (testlib_hub_restart (&hub) == 0, "the hub starts again");
	ok (print_test_wait_count ("fallback", 1), "S0005's label came out of the fallback printer");
	ok (print_test_printer ("label", true), "the bench printer is back");

	ok (print_test_wait_count ("label", STALL_ORDERS), "the %d labels kept print", STALL_ORDERS - 1);
	for (int i = 0; i < 100 && hp_sql_int (&hub, "SELECT count(*) FROM label_jobs WHERE status = '%s'", "printed")
	                < STALL_ORDERS + 1; i++)
		usleep (100 * 1000);
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM label_jobs WHERE status = '%s'", "printed"), STALL_ORDERS + 1,
	    "every job is recorded printed");
	usleep (1500 * 1000); /* a second label of one of them would have come by now */
	ok (hp_labels_once (&hub, "label", "p.order_ref LIKE 'S%' AND p.order_ref <> 'S0005'"),
	    "the bench printer has each other parcel's label exactly once, read back by zbarimg");
	ok (hp_labels_once (&hub, "fallback", "p.order_ref = 'S0005'"),
	    "the fallback printer has S0005's label exactly once, read back by zbarimg");

	is_int (testlib_hub_stop (&hub), 0, "hub stops cleanly");
	client_destroy (&packer.c);
	client_destroy (&porter.c);
	free (server);
	return tap_done ();
}
