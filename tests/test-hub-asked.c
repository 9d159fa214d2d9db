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
 * not marked). A label nobody redirected or cancelled is told to its
 * bench alone, as before.
 */
#include "config.h"
#include "tests/hub-print.h"

/* The EVENTs "print" about code that reach t within ms, by state: how many in state (NULL: any). Bounded. */
static int
events_within (struct fl_term *t, const char *code, const char *state, int ms)
{
	int n = 0;
	for (int i = 0; i < ms / 100; i++) {
		proto_msg_t *m = client_recv (t->c, 100);
		if (m && proto_msg_id (m) == PROTO_EVENT && strcmp (proto_get_str (m, PROTO_EVENT_TOPIC), "print") == 0) {
			const char *s = proto_hash_get (m, PROTO_EVENT_DATA, "state");
			const char *p = proto_hash_get (m, PROTO_EVENT_DATA, "parcel");
			diag ("%s: event: %s %s: %s", t->name, p, s, proto_hash_get (m, PROTO_EVENT_DATA, "text"));
			n += p && strcmp (p, code) == 0 && (state == NULL || (s && strcmp (s, state) == 0));
		}
		proto_msg_destroy (&m);
	}
	return n;
}

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
	char *csv = hp_orders_csv ("A", 9);
	ok (hp_import (&hub, "asked.csv", csv) == 0, "orders A0001..A0009 imported");
	free (csv);
	struct fl_term packer = { 0 }, lead = { 0 }, bench2 = { 0 };
	fl_term_open (&packer, hub.endpoint, "bench-1-term", "bench-1", "B2001", "2222");
	fl_term_open (&lead, hub.endpoint, "office-term", "office", "B3001", "3333");
	fl_term_open (&bench2, hub.endpoint, "bench-2-term", "bench-2", "B9001", "9999");
	for (int i = 1; i <= 9; i++)
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
	is_int (events_within (&lead, "A0001/1", NULL, 1000), 0, "the supervisor's terminal is told nothing of it");

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
	is_int (events_within (&lead, "A0002/1", NULL, 1500), 0, "the supervisor heard each once");
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
	is_int (events_within (&packer, "A0003/1", NULL, 1500), 0, "  and nothing after: each outcome once");
	is_int (events_within (&lead, "A0003/1", NULL, 500), 0, "the supervisor's terminal is told nothing of it");

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

	/* 5. A second bench reprints a label kept at the first: the kept job is closed, and both hear it. */
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
	is_int (testlib_hub_stop (&hub), 0, "hub stopped to start again with DSP_HUB_CRASH_AT=submit-taken");
	setenv ("DSP_HUB_CRASH_AT", "submit-taken", 1);
	int started = testlib_hub_restart (&hub);
	unsetenv ("DSP_HUB_CRASH_AT");
	ok (started == 0, "hub started, to die at submit-taken");
	hp_send_pack (&packer, "A0005");
	ok (hp_hub_died (&hub), "A0005: the hub killed itself once CUPS had the label");
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

	is_int (testlib_hub_stop (&hub), 0, "hub stops cleanly");
	client_destroy (&packer.c);
	client_destroy (&lead.c);
	client_destroy (&bench2.c);
	free (server);
	return tap_done ();
}
