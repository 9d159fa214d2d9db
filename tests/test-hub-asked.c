/*
 * test-hub-asked.c: what becomes of a label someone else moved or cancelled
 * is told to them too. A supervisor's terminal redirects a label waiting at
 * the bench (its printer off) and hears by EVENT that it was moved and then
 * that it printed at the fallback; the bench hears the same, each once. The
 * bench redirecting its own label hears each outcome once, the supervisor
 * nothing. A supervisor's cancel is heard by both, and so is the close of a
 * label kept at the bench that a second bench reprints. A label the
 * supervisor moved to a queue deleted behind the hub's back, then moved
 * again: CUPS has no such job, it is sent anew, and both are told so. A
 * label CUPS printed while no hub ran (the hub killed once CUPS took it,
 * cupsd stopped when it starts again) and then redirected by the
 * supervisor: both are told it had already printed, where, and how to have
 * the copy asked for, in an EVENT marked too_late (an ordinary print is
 * not marked). The supervisor reprints a label kept at the bench from the
 * print queue (job-reprint): both hear once that the kept job is closed,
 * and that the copy, still the bench's label, printed; the bench
 * reprinting its own kept label hears each once, the supervisor nothing.
 * Rows an older hub left (a redirect and a cancel with no CUPS job and no
 * identity), written beside the running hub: both hear what became of
 * each, once. A label cancelled, and one moved, from the print queue
 * while CUPS holds it under a name the hub has not yet matched to a CUPS
 * job: each is looked for and cancelled or moved in CUPS, and prints only
 * where it was sent. A label nobody redirected or cancelled is told to its
 * bench alone, as before.
 */
#include "config.h"
#include "tests/hub-print.h"

/*
 * The EVENTs "print" about code that reach t until one in state final
 * (bounded, about a minute): how many were in state counted, that one
 * included; -1 when final never came.
 */
static int
events_until (struct fl_term *t, const char *code, const char *final, const char *counted)
{
	int n = 0;
	for (int i = 0; i < 600; i++) {
		proto_msg_t *m = client_recv (t->c, 100);
		const char *s = NULL, *p = NULL;
		if (m && proto_msg_id (m) == PROTO_EVENT && strcmp (proto_get_str (m, PROTO_EVENT_TOPIC), "print") == 0) {
			s = proto_hash_get (m, PROTO_EVENT_DATA, "state");
			p = proto_hash_get (m, PROTO_EVENT_DATA, "parcel");
			diag ("%s: event: %s %s: %s", t->name, p, s, proto_hash_get (m, PROTO_EVENT_DATA, "text"));
		}
		bool ours = p && s && strcmp (p, code) == 0;
		n += ours && strcmp (s, counted) == 0;
		bool done = ours && strcmp (s, final) == 0;
		proto_msg_destroy (&m);
		if (done)
			return n;
	}
	return -1;
}

/* The states heard_by counts; any other goes in the last slot. */
enum { HEARD_REDIRECTED, HEARD_CANCELLED, HEARD_PRINTED, HEARD_OTHER, HEARD_N };
static const char *const heard_state[HEARD_N] = { "redirected", "cancelled", "printed", NULL };

/*
 * The EVENTs "print" about each of n (at most 4) parcels codes[i] that reach t, counted
 * by state into count[i]: read until one in each state of until[i]
 * (HEARD_* bits) has come for each (bounded, about a minute), then 1.5 s
 * more, so that a repeat is counted too.
 */
static void
heard_by (struct fl_term *t, int n, const char *const *codes, const unsigned *until, int (*count)[HEARD_N])
{
	unsigned seen[4] = { 0 };
	if (n > 4)
		n = 4;
	memset (count, 0, (size_t) n * sizeof *count);
	int settle = 15;
	for (int i = 0; i < 600 && settle > 0; i++) {
		bool all = true;
		for (int c = 0; c < n; c++)
			all = all && (seen[c] & until[c]) == until[c];
		settle -= all;
		proto_msg_t *m = client_recv (t->c, 100);
		if (m && proto_msg_id (m) == PROTO_EVENT && strcmp (proto_get_str (m, PROTO_EVENT_TOPIC), "print") == 0) {
			const char *s = proto_hash_get (m, PROTO_EVENT_DATA, "state");
			const char *p = proto_hash_get (m, PROTO_EVENT_DATA, "parcel");
			diag ("%s: event: %s %s: %s", t->name, p, s, proto_hash_get (m, PROTO_EVENT_DATA, "text"));
			for (int c = 0; c < n && p && s; c++) {
				if (strcmp (p, codes[c]) != 0)
					continue;
				int k = 0;
				while (k < HEARD_OTHER && strcmp (heard_state[k], s) != 0)
					k++;
				count[c][k]++;
				seen[c] |= 1u << k;
			}
		}
		proto_msg_destroy (&m);
	}
}

/* The same for one parcel. */
static void
heard_of (struct fl_term *t, const char *code, unsigned until, int count[HEARD_N])
{
	int one[1][HEARD_N];
	heard_by (t, 1, &code, &until, one);
	memcpy (count, one[0], sizeof one[0]);
}

/* The newest print job of order ref (its label's, for these one-parcel orders). */
static long long
job_of (struct testlib_hub *hub, const char *ref)
{
	return hp_sql_int (hub, "SELECT max (j.id) FROM label_jobs j JOIN parcels p ON p.id = j.parcel_id"
	                        " WHERE p.order_ref = '%s'", ref);
}

/* The EVENT in state want about code at t, waited for; its text ("" when none came) into text. */
static proto_msg_t *
told (struct fl_term *t, const char *want, const char *code, const char **text)
{
	proto_msg_t *ev = hp_wait_event_for (t, want, code);
	const char *s = ev ? proto_hash_get (ev, PROTO_EVENT_DATA, "text") : NULL;
	*text = s ? s : "";
	return ev;
}

/* The EVENT in state want about code at t whose text holds needle, waited for (bounded); NULL if none came. */
static proto_msg_t *
told_saying (struct fl_term *t, const char *want, const char *code, const char *needle)
{
	for (int i = 0; i < 5; i++) {
		const char *text;
		proto_msg_t *ev = told (t, want, code, &text);
		if (ev == NULL || strstr (text, needle))
			return ev;
		proto_msg_destroy (&ev);
	}
	return NULL;
}

/*
 * The label of ref cancelled (or moved to the fallback) from the print queue while CUPS holds it and the hub
 * does not yet know its CUPS number: the hub killed once CUPS took it (the bench printer off), cupsd stopped
 * while the hub starts again. The spooler looks for it by name and cancels or moves it in CUPS; marked
 * cancelled outright it would print once the printer is back, and a redirect refused until the job is
 * "submitted" would wait as long as CUPS is out of reach.
 */
static void
held_in_cups (struct testlib_hub *hub, struct fl_term *packer, struct fl_term *lead, const char *ref, bool redirect)
{
	char code[32];
	snprintf (code, sizeof code, "%s/1", ref);
	ok (print_test_printer ("label", false), "the bench printer is switched off");
	int labels = print_test_count ("label"), fallback = print_test_count ("fallback");
	hp_pack_killed_at_taken (hub, packer, ref);
	pid_t cupsd = hp_cupsd_pid ();
	ok (cupsd > 0 && kill (cupsd, SIGSTOP) == 0, "cupsd stopped with SIGSTOP");
	ok (testlib_hub_restart (hub) == 0, "the hub starts again");
	long long held = job_of (hub, ref);
	is_int (hp_sql_int (hub, "SELECT count(*) FROM label_jobs WHERE id = %lld AND status = 'submitting'"
	                         " AND coalesce (cups_job, 0) = 0 AND coalesce (ident, '') <> ''", held),
	    1, "its job is submitting under a name, with no CUPS number");
	proto_msg_t *r = fl_cmd (packer, "print-jobs", NULL);
	is_int (testlib_status (r), PROTO_OK, "the bench lists its print jobs: %s", testlib_text (r));
	proto_msg_destroy (&r);
	char *job = xasprintf ("%lld", held);
	r = redirect ? fl_cmd (lead, "job-redirect", "job", job, "printer", "fallback", NULL)
	             : fl_cmd (lead, "job-cancel", "job", job, NULL);
	is_int (testlib_status (r), PROTO_OK, "the supervisor %s job %s from the queue: %s",
	    redirect ? "moves" : "cancels", job, testlib_text (r));
	proto_msg_destroy (&r);
	free (job);
	is_int (hp_sql_int (hub, "SELECT count(*) FROM label_jobs WHERE id = %lld AND status = '%s'", held,
	            redirect ? "redirect" : "cancelling"),
	    1, "  it is being %s (CUPS may hold it), %s", redirect ? "moved" : "cancelled",
	    redirect ? "not sent anew" : "not cancelled outright");
	ok (kill (cupsd, SIGCONT) == 0, "cupsd goes on (SIGCONT)");
	const char *final = redirect ? "printed" : "cancelled", *text;
	proto_msg_t *ev = told (lead, final, code, &text);
	ok (ev != NULL, "the supervisor is told it is %s: %s", final, text);
	proto_msg_destroy (&ev);
	ev = told (packer, final, code, &text);
	ok (ev != NULL, "and the bench: %s", text);
	proto_msg_destroy (&ev);
	is_int (hp_sql_int (hub, "SELECT count(*) FROM label_jobs WHERE id = %lld AND status = '%s'"
	                         " AND coalesce (cups_job, 0) > 0 AND printer = '%s'", held, final,
	            redirect ? "fallback" : "label"),
	    1, "the job is %s, with the CUPS job it was found as", final);
	ok (hp_cups_idle ("label"), "CUPS holds no job for the bench printer");
	if (redirect)
		ok (print_test_wait_count ("fallback", fallback + 1), "the label came out of the fallback printer");
	ok (print_test_printer ("label", true), "the bench printer is switched on");
	usleep (1500 * 1000);
	is_int (print_test_count ("label"), labels, "nothing came out of it: the label did not print there");
	is_int (print_test_count ("fallback"), fallback + redirect, "  and the fallback printed it %s", redirect ? "once"
	    : "not at all");
}

int
main (void)
{
	char *server = hp_begin ();
	if (server == NULL)
		return tap_done ();
	const char *extra[] = { server, "printer.bench-1.label=label", "station.bench-1.group=benches",
		"printer.group.benches.fallback=fallback", "printer.bench-2.label=fallback", NULL };
	struct testlib_hub hub;
	if (!ok (testlib_hub_start (&hub, extra) == 0, "hub starts with the bench's printers configured"))
		return tap_done ();
	char *csv = hp_orders_csv ("A", 16);
	ok (hp_import (&hub, "asked.csv", csv) == 0, "orders A0001..A0016 imported");
	free (csv);
	struct fl_term packer = { 0 }, lead = { 0 }, bench2 = { 0 };
	fl_term_open (&packer, hub.endpoint, "bench-1-term", "bench-1", "B2001", "2222");
	fl_term_open (&lead, hub.endpoint, "office-term", "office", "B3001", "3333");
	fl_term_open (&bench2, hub.endpoint, "bench-2-term", "bench-2", "B9001", "9999");
	for (int i = 1; i <= 16; i++)
		ok (hp_ready (&packer, "A", i) == 0, "A%04d received and located", i);
	const char *text;
	proto_msg_t *ev, *r;

	/* 1. Nobody else asked: the bench alone hears of its label. */
	r = hp_pack (&packer, "A0001");
	ok (testlib_status (r) == PROTO_OK || testlib_status (r) == PROTO_WARN, "A0001 packed: %s", testlib_text (r));
	proto_msg_destroy (&r);
	ok ((ev = hp_wait_event_for (&packer, "printed", "A0001/1")) != NULL, "the bench is told it printed");
	ok (ev && proto_hash_get (ev, PROTO_EVENT_DATA, "too_late") == NULL, "  an ordinary print: no too_late");
	proto_msg_destroy (&ev);
	is_int (hp_events_within (&lead, "A0001/1", NULL, 1000), 0, "the supervisor's terminal is told nothing of it");

	/* 2. The supervisor moves a waiting label: both hear it moved, then printed at the fallback. */
	ok (print_test_printer ("label", false), "the bench printer is switched off");
	ok (hp_pack_waiting (&hub, &packer, "A0002"), "A0002's label waits in CUPS for the bench printer");
	r = fl_cmd (&lead, "redirect", "parcel", "A0002/1", "printer", "fallback", NULL);
	is_int (testlib_status (r), PROTO_OK, "the supervisor redirects it to the fallback printer: %s", testlib_text (r));
	proto_msg_destroy (&r);
	ev = told (&lead, "redirected", "A0002/1", &text);
	ok (ev && strstr (text, "A0002/1") && strstr (text, "fallback"), "the supervisor is told it was moved: %s", text);
	is_str (ev ? proto_hash_get (ev, PROTO_EVENT_DATA, "asked_by") : NULL, "B3001", "  naming who asked");
	proto_msg_destroy (&ev);
	ev = told (&lead, "printed", "A0002/1", &text);
	ok (ev && strstr (text, "printed on fallback"), "and then that it printed there: %s", text);
	ok (ev && proto_hash_get (ev, PROTO_EVENT_DATA, "too_late") == NULL
	        && proto_hash_get (ev, PROTO_EVENT_DATA, "asked_printer") == NULL,
	    "  printed where the redirect sent it: no too_late, no asked_printer");
	proto_msg_destroy (&ev);
	ev = told (&packer, "redirected", "A0002/1", &text);
	ok (ev != NULL, "the bench hears it was moved too: %s", text);
	proto_msg_destroy (&ev);
	ev = told (&packer, "printed", "A0002/1", &text);
	ok (ev && strstr (text, "printed on fallback"), "and that it printed at the fallback: %s", text);
	proto_msg_destroy (&ev);
	is_int (hp_events_within (&lead, "A0002/1", NULL, 1500), 0, "the supervisor heard each once");
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM label_jobs j JOIN parcels p ON p.id = j.parcel_id"
	                          " WHERE p.order_ref = '%s' AND j.asked_terminal = 'office-term' AND j.asked_by = 'B3001'",
	            "A0002"),
	    1, "the job keeps who asked for the redirect");

	/* 3. The bench moves its own label: it hears each outcome once, the supervisor nothing. */
	ok (hp_pack_waiting (&hub, &packer, "A0003"), "A0003's label waits in CUPS for the bench printer");
	r = fl_cmd (&packer, "redirect", "parcel", "A0003/1", "printer", "fallback", NULL);
	is_int (testlib_status (r), PROTO_OK, "the bench redirects it itself: %s", testlib_text (r));
	proto_msg_destroy (&r);
	is_int (events_until (&packer, "A0003/1", "printed", "redirected"), 1,
	    "the bench is told once it was moved, then that it printed");
	is_int (hp_events_within (&packer, "A0003/1", NULL, 1500), 0, "  and nothing after: each outcome once");
	is_int (hp_events_within (&lead, "A0003/1", NULL, 500), 0, "the supervisor's terminal is told nothing of it");

	/* 4. The supervisor cancels a waiting label: both hear it is cancelled. */
	ok (hp_pack_waiting (&hub, &packer, "A0004"), "A0004's label waits in CUPS for the bench printer");
	r = fl_cmd (&lead, "print-cancel", "parcel", "A0004/1", NULL);
	is_int (testlib_status (r), PROTO_OK, "the supervisor cancels it: %s", testlib_text (r));
	proto_msg_destroy (&r);
	ev = told (&lead, "cancelled", "A0004/1", &text);
	ok (ev != NULL, "the supervisor is told it is cancelled: %s", text);
	proto_msg_destroy (&ev);
	ev = told (&packer, "cancelled", "A0004/1", &text);
	ok (ev != NULL, "and the bench: %s", text);
	proto_msg_destroy (&ev);
	/* 4b. The same from the supervisor's print queue (job-redirect, job-cancel, by job number). */
	ok (hp_pack_waiting (&hub, &packer, "A0008"), "A0008's label waits in CUPS for the bench printer");
	char *job = xasprintf ("%lld", hp_sql_int (&hub, "SELECT j.id FROM label_jobs j JOIN parcels p ON p.id = j.parcel_id"
	                                                " WHERE p.order_ref = '%s'", "A0008"));
	r = fl_cmd (&lead, "job-redirect", "job", job, "printer", "fallback", NULL);
	is_int (testlib_status (r), PROTO_OK, "the supervisor moves job %s from the queue: %s", job, testlib_text (r));
	proto_msg_destroy (&r);
	free (job);
	ev = told (&lead, "printed", "A0008/1", &text);
	ok (ev && strstr (text, "printed on fallback"), "the supervisor is told it printed at the fallback: %s", text);
	is_str (ev ? proto_hash_get (ev, PROTO_EVENT_DATA, "asked_by") : NULL, "B3001", "  naming who asked");
	proto_msg_destroy (&ev);
	ev = told (&packer, "printed", "A0008/1", &text);
	ok (ev != NULL, "and the bench: %s", text);
	proto_msg_destroy (&ev);
	ok (hp_pack_waiting (&hub, &packer, "A0009"), "A0009's label waits in CUPS for the bench printer");
	job = xasprintf ("%lld", hp_sql_int (&hub, "SELECT j.id FROM label_jobs j JOIN parcels p ON p.id = j.parcel_id"
	                                     " WHERE p.order_ref = '%s'", "A0009"));
	r = fl_cmd (&lead, "job-cancel", "job", job, NULL);
	is_int (testlib_status (r), PROTO_OK, "the supervisor cancels job %s from the queue: %s", job, testlib_text (r));
	proto_msg_destroy (&r);
	free (job);
	ev = told (&lead, "cancelled", "A0009/1", &text);
	ok (ev != NULL, "the supervisor is told it is cancelled: %s", text);
	proto_msg_destroy (&ev);
	ev = told (&packer, "cancelled", "A0009/1", &text);
	ok (ev != NULL, "and the bench: %s", text);
	proto_msg_destroy (&ev);

	/* 5. A second bench reprints a label kept at the first: the kept job is closed, and both hear it, and where the
	 * copy printed. */
	int fallback = print_test_count ("fallback");
	r = hp_pack (&packer, "A0006");
	ok (testlib_status (r) == PROTO_OK || testlib_status (r) == PROTO_WARN, "A0006 packed: %s", testlib_text (r));
	proto_msg_destroy (&r);
	ok ((ev = hp_wait_event_for (&packer, "offline", "A0006/1")) != NULL, "the bench is told its label is kept");
	proto_msg_destroy (&ev);
	r = fl_cmd (&bench2, "reprint", "parcel", "A0006/1", NULL);
	is_int (testlib_status (r), PROTO_OK, "a second bench reprints it: %s", testlib_text (r));
	proto_msg_destroy (&r);
	ev = told (&bench2, "cancelled", "A0006/1", &text);
	ok (ev != NULL, "the second bench is told the kept job is closed: %s", text);
	proto_msg_destroy (&ev);
	ev = told (&packer, "cancelled", "A0006/1", &text);
	ok (ev != NULL, "and the first bench: %s", text);
	proto_msg_destroy (&ev);
	ok (print_test_wait_count ("fallback", fallback + 1), "the reprint came out of the second bench's printer");
	ev = told (&packer, "printed", "A0006/1", &text);
	ok (ev != NULL && strstr (text, "printed on fallback"), "the first bench is told where the copy printed: %s", text);
	proto_msg_destroy (&ev);
	ev = told (&bench2, "printed", "A0006/1", &text);
	ok (ev != NULL, "and so is the second: %s", text);
	proto_msg_destroy (&ev);
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM label_jobs j JOIN parcels p ON p.id = j.parcel_id"
	                          " WHERE p.code = 'A0006/1' AND j.reprint_of IS NOT NULL AND j.terminal = 'bench-1-term'"
	                          " AND j.asked_terminal = 'bench-2-term' AND j.asked_by = 'B9001' AND j.station = 'bench-2'"),
	    1, "the copy is the first bench's label, asked for by the second, printed at the second's printer");

	/* 6. Moved by the supervisor to a queue then deleted behind the hub's back, then moved again: CUPS has no
	 * such job, so it is sent anew, and both hear that. */
	ok (hp_queue_stopped ("spare"), "a queue 'spare' added, stopped");
	ok (hp_pack_waiting (&hub, &packer, "A0007"), "A0007's label waits in CUPS for the bench printer");
	long long cups = hp_sql_int (&hub, "SELECT j.cups_job FROM label_jobs j JOIN parcels p ON p.id = j.parcel_id"
	                                   " WHERE p.order_ref = '%s'", "A0007");
	r = fl_cmd (&lead, "redirect", "parcel", "A0007/1", "printer", "spare", NULL);
	is_int (testlib_status (r), PROTO_OK, "the supervisor redirects it to 'spare': %s", testlib_text (r));
	proto_msg_destroy (&r);
	ok ((ev = told_saying (&lead, "redirected", "A0007/1", "sent to spare")) != NULL, "the supervisor is told it moved");
	proto_msg_destroy (&ev);
	char *gone = xasprintf ("lpadmin -h \"$PRINT_TEST_SOCK\" -x spare && for i in $(seq 50); do"
	                        " lpstat -h \"$PRINT_TEST_SOCK\" -W all -o | grep -q -- '-%lld ' || exit 0; sleep 0.1; done;"
	                        " exit 1", cups);
	ok (print_test_shell (gone), "queue 'spare' deleted behind the hub's back: CUPS has job %lld no more", cups);
	free (gone);
	r = fl_cmd (&lead, "redirect", "parcel", "A0007/1", "printer", "fallback", NULL);
	is_int (testlib_status (r), PROTO_OK, "the supervisor redirects it to the fallback printer: %s", testlib_text (r));
	proto_msg_destroy (&r);
	ev = told_saying (&lead, "redirected", "A0007/1", "sent anew to fallback");
	text = ev ? proto_hash_get (ev, PROTO_EVENT_DATA, "text") : "";
	ok (ev != NULL, "the supervisor is told it was sent anew: %s", text);
	proto_msg_destroy (&ev);
	ev = told (&lead, "printed", "A0007/1", &text);
	ok (ev && strstr (text, "printed on fallback"), "and that it printed there: %s", text);
	proto_msg_destroy (&ev);
	ok ((ev = told_saying (&packer, "redirected", "A0007/1", "sent anew to fallback")) != NULL,
	    "the bench is told it was sent anew too");
	proto_msg_destroy (&ev);
	ok (print_test_wait_count ("fallback", fallback + 2), "the label came out of the fallback printer");
	ok (print_test_printer ("label", true), "the bench printer is back");
	usleep (1000 * 1000);
	is_int (print_test_count ("label"), 1, "the kept label never printed at the first bench (only A0001's did)");

	/* 7. Printed by CUPS while no hub ran, then moved by the supervisor: both are told it had already printed. */
	int labels = print_test_count ("label");
	fallback = print_test_count ("fallback");
	hp_pack_killed_at_taken (&hub, &packer, "A0005");
	ok (print_test_wait_count ("label", labels + 1), "with no hub running, the label came out of the bench printer");
	ok (hp_cups_idle ("label"), "and CUPS has finished the job");
	pid_t cupsd = hp_cupsd_pid ();
	ok (cupsd > 0 && kill (cupsd, SIGSTOP) == 0, "cupsd stopped with SIGSTOP");
	ok (testlib_hub_restart (&hub) == 0, "the hub starts again");
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM label_jobs j JOIN parcels p ON p.id = j.parcel_id"
	                          " WHERE p.order_ref = '%s' AND j.status = 'submitting'", "A0005"),
	    1, "its job is still submitting (CUPS has not said)");
	/* The bench speaks to the new hub, which then knows where it is. */
	r = fl_cmd (&packer, "print-jobs", NULL);
	is_int (testlib_status (r), PROTO_OK, "the bench lists its print jobs: %s", testlib_text (r));
	proto_msg_destroy (&r);
	r = fl_cmd (&lead, "redirect", "parcel", "A0005/1", "printer", "fallback", NULL);
	is_int (testlib_status (r), PROTO_OK, "the supervisor redirects it to the fallback printer: %s", testlib_text (r));
	proto_msg_destroy (&r);
	ok (kill (cupsd, SIGCONT) == 0, "cupsd goes on (SIGCONT)");
	ev = told (&lead, "printed", "A0005/1", &text);
	ok (strstr (text, "The label for A0005/1 had already printed at label; reprint it to send a copy to fallback") != NULL,
	    "the supervisor is told where it printed and what to do: %s", text);
	is_str (ev ? proto_hash_get (ev, PROTO_EVENT_DATA, "printer") : NULL, "label", "  naming the printer it printed at");
	is_str (ev ? proto_hash_get (ev, PROTO_EVENT_DATA, "too_late") : NULL, "redirect",
	    "  marked too_late = redirect: not a label printed as asked");
	is_str (ev ? proto_hash_get (ev, PROTO_EVENT_DATA, "asked_printer") : NULL, "fallback",
	    "  naming the printer the redirect asked for");
	proto_msg_destroy (&ev);
	ev = told (&packer, "printed", "A0005/1", &text);
	ok (strstr (text, "had already printed at label") != NULL, "the bench is told the same: %s", text);
	is_str (ev ? proto_hash_get (ev, PROTO_EVENT_DATA, "too_late") : NULL, "redirect", "  marked too_late too");
	proto_msg_destroy (&ev);
	usleep (1000 * 1000);
	is_int (print_test_count ("fallback"), fallback, "nothing was sent to the fallback printer: it printed once");

	/* 8. The supervisor reprints a label kept at the bench from the print queue (job-reprint): the kept job is
	 * closed, and both hear that once; the copy prints at the fallback, and both hear that once. */
	int count[HEARD_N];
	ok (print_test_printer ("label", false), "the bench printer is switched off again");
	fallback = print_test_count ("fallback");
	r = hp_pack (&packer, "A0010");
	ok (testlib_status (r) == PROTO_OK || testlib_status (r) == PROTO_WARN, "A0010 packed: %s", testlib_text (r));
	proto_msg_destroy (&r);
	ok ((ev = hp_wait_event_for (&packer, "offline", "A0010/1")) != NULL, "the bench is told its label is kept");
	proto_msg_destroy (&ev);
	long long kept = job_of (&hub, "A0010");
	job = xasprintf ("%lld", kept);
	r = fl_cmd (&lead, "job-reprint", "job", job, "printer", "fallback", NULL);
	is_int (testlib_status (r), PROTO_OK, "the supervisor reprints job %s from the queue at the fallback: %s", job,
	    testlib_text (r));
	long long copy = strtoll (fl_data (r, "job") ? fl_data (r, "job") : "0", NULL, 10);
	proto_msg_destroy (&r);
	free (job);
	heard_of (&lead, "A0010/1", 1u << HEARD_CANCELLED | 1u << HEARD_PRINTED, count);
	is_int (count[HEARD_CANCELLED], 1, "the supervisor is told once the kept job is closed");
	is_int (count[HEARD_PRINTED], 1, "  and once that the copy printed");
	is_int (count[HEARD_OTHER] + count[HEARD_REDIRECTED], 0, "  and nothing else");
	/* The copy stays the bench's label, asked for by the supervisor: the bench hears where it printed, or its
	 * packer, told only that the kept job was closed, would print it again. */
	heard_of (&packer, "A0010/1", 1u << HEARD_CANCELLED | 1u << HEARD_PRINTED, count);
	is_int (count[HEARD_CANCELLED], 1, "the bench is told once its kept job is closed");
	is_int (count[HEARD_PRINTED], 1, "  and once that the copy printed");
	is_int (count[HEARD_OTHER] + count[HEARD_REDIRECTED], 0, "  and nothing else");
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM label_jobs WHERE id = %lld AND status = 'cancelled'"
	                          " AND asked_terminal = 'office-term' AND asked_by = 'B3001'", kept),
	    1, "the kept job is cancelled, and keeps who asked for the reprint that closed it");
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM label_jobs WHERE id = %lld AND reprint_of = %lld"
	                          " AND terminal = 'bench-1-term' AND asked_terminal = 'office-term' AND asked_by = 'B3001'"
	                          " AND requested_by = 'B3001' AND status = 'printed' AND printer = 'fallback'", copy, kept),
	    1, "the copy is the bench's, asked for by the supervisor, printed at the fallback");
	ok (print_test_wait_count ("fallback", fallback + 1), "the copy came out of the fallback printer");

	/* 8b. The bench reprints its own kept label from the queue: it hears each outcome once, the supervisor
	 * nothing. */
	r = hp_pack (&packer, "A0011");
	ok (testlib_status (r) == PROTO_OK || testlib_status (r) == PROTO_WARN, "A0011 packed: %s", testlib_text (r));
	proto_msg_destroy (&r);
	ok ((ev = hp_wait_event_for (&packer, "offline", "A0011/1")) != NULL, "the bench is told its label is kept");
	proto_msg_destroy (&ev);
	kept = job_of (&hub, "A0011");
	job = xasprintf ("%lld", kept);
	r = fl_cmd (&packer, "job-reprint", "job", job, "printer", "fallback", NULL);
	is_int (testlib_status (r), PROTO_OK, "the bench reprints job %s itself at the fallback: %s", job,
	    testlib_text (r));
	proto_msg_destroy (&r);
	free (job);
	heard_of (&packer, "A0011/1", 1u << HEARD_CANCELLED | 1u << HEARD_PRINTED, count);
	is_int (count[HEARD_CANCELLED], 1, "the bench is told once its kept job is closed");
	is_int (count[HEARD_PRINTED], 1, "  and once that the copy printed");
	is_int (count[HEARD_OTHER] + count[HEARD_REDIRECTED], 0, "  and nothing else");
	is_int (hp_events_within (&lead, "A0011/1", NULL, 500), 0, "the supervisor's terminal is told nothing of it");
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM label_jobs WHERE id = %lld AND status = 'cancelled'"
	                          " AND asked_terminal = 'bench-1-term' AND asked_by = 'B2001'", kept),
	    1, "the kept job keeps the bench as who asked");
	ok (print_test_wait_count ("fallback", fallback + 2), "the copy came out of the fallback printer");
	ok (print_test_printer ("label", true), "the bench printer is back");

	/* 9. Rows an older hub left: a reprint moved, and one cancelled, before either was sent under a name (no
	 * CUPS job, no identity). At a start the spooler settles such rows at its first turn, before any terminal
	 * has spoken to the new hub, so here they are written while it runs: it settles them at its next turn,
	 * and both the bench and the supervisor hear what became of each, once. */
	for (int i = 12; i <= 13; i++) {
		char ref[8];
		snprintf (ref, sizeof ref, "A%04d", i);
		r = hp_pack (&packer, ref);
		ok (testlib_status (r) == PROTO_OK || testlib_status (r) == PROTO_WARN, "%s packed: %s", ref,
		    testlib_text (r));
		proto_msg_destroy (&r);
		char code[16];
		snprintf (code, sizeof code, "%s/1", ref);
		ok ((ev = hp_wait_event_for (&packer, "printed", code)) != NULL, "%s's label printed at the bench", ref);
		proto_msg_destroy (&ev);
	}
	labels = print_test_count ("label");
	fallback = print_test_count ("fallback");
	char *cause = NULL;
	db_t *db = db_open (hub.database, DB_READWRITE, &cause);
	ok (db != NULL, "the hub's database opened beside it: %s", db ? "" : cause);
	free (cause);
	char *old = xasprintf (
	    "INSERT INTO label_jobs (parcel_id, order_ref, terminal, station, status, created_at, updated_at, printer,"
	    " kind, format, title, reprint_of, requested_by, asked_terminal, asked_by)"
	    " SELECT parcel_id, order_ref, terminal, station, 'redirect', created_at, updated_at, 'fallback', kind, format,"
	    "  title, id, requested_by, 'office-term', 'B3001' FROM label_jobs WHERE id = %lld;"
	    "INSERT INTO label_docs (job, data) SELECT last_insert_rowid (), data FROM label_docs WHERE job = %lld;"
	    "INSERT INTO label_jobs (parcel_id, order_ref, terminal, station, status, created_at, updated_at, printer,"
	    " kind, format, title, reprint_of, requested_by, asked_terminal, asked_by, error)"
	    " SELECT parcel_id, order_ref, terminal, station, 'cancelling', created_at, updated_at, printer, kind, format,"
	    "  title, id, requested_by, 'office-term', 'B3001', 'cancelled by B3001' FROM label_jobs WHERE id = %lld;",
	    job_of (&hub, "A0012"), job_of (&hub, "A0012"), job_of (&hub, "A0013"));
	ok (db && db_exec (db, "BEGIN IMMEDIATE") == DB_DONE && db_exec (db, old) == DB_DONE
	        && db_exec (db, "COMMIT") == DB_DONE,
	    "a reprint of A0012 left in 'redirect' to the fallback and one of A0013 in 'cancelling', neither in CUPS");
	free (old);
	db_close (&db);
	long long moved = job_of (&hub, "A0012"), cancelled = job_of (&hub, "A0013");
	struct fl_term *both[] = { &packer, &lead };
	const char *const codes[] = { "A0012/1", "A0013/1" };
	const unsigned until[] = { 1u << HEARD_REDIRECTED | 1u << HEARD_PRINTED, 1u << HEARD_CANCELLED };
	for (int i = 0; i < 2; i++) {
		int each[2][HEARD_N];
		heard_by (both[i], 2, codes, until, each);
		is_int (each[0][HEARD_REDIRECTED], 1, "%s is told once the moved reprint was sent anew", both[i]->name);
		is_int (each[0][HEARD_PRINTED], 1, "  and once that it printed");
		is_int (each[0][HEARD_OTHER] + each[0][HEARD_CANCELLED], 0, "  and nothing else");
		is_int (each[1][HEARD_CANCELLED], 1, "%s is told once the other is cancelled", both[i]->name);
		is_int (each[1][HEARD_OTHER] + each[1][HEARD_REDIRECTED] + each[1][HEARD_PRINTED], 0, "  and nothing else");
	}
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM label_jobs WHERE id = %lld AND status = 'printed'"
	                          " AND printer = 'fallback' AND coalesce (ident, '') <> ''", moved),
	    1, "the moved reprint was sent anew under a name of this run, and printed at the fallback");
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM label_jobs WHERE id = %lld AND status = 'cancelled'"
	                          " AND cups_job IS NULL AND coalesce (ident, '') = ''", cancelled),
	    1, "the cancelled one is cancelled, never sent");
	ok (print_test_wait_count ("fallback", fallback + 1), "the moved reprint came out of the fallback printer");
	usleep (1000 * 1000);
	is_int (print_test_count ("label"), labels, "and nothing more came out of the bench printer");
	is_int (print_test_count ("fallback"), fallback + 1, "  nor a second copy at the fallback");

	/* 10. Cancelled, then another moved, from the print queue while CUPS holds it and the hub does not yet know
	 * its CUPS number. */
	held_in_cups (&hub, &packer, &lead, "A0015", false);
	held_in_cups (&hub, &packer, &lead, "A0016", true);

	is_int (testlib_hub_stop (&hub), 0, "hub stops cleanly");
	client_destroy (&packer.c);
	client_destroy (&lead.c);
	client_destroy (&bench2.c);
	free (server);
	return tap_done ();
}
