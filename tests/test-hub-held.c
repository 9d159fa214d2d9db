/*
 * test-hub-held.c: EVENTs for a terminal the hub cannot reach are held
 * until it speaks again. A label waits at the bench (its printer off)
 * when the hub stops; the printer comes back, CUPS prints the label with
 * no hub running, and the hub started again learns it printed before the
 * bench has said a word to it: nothing reaches the bench until it speaks
 * with anything but a HELLO (a HELLO alone may be on a connection it leaves),
 * then it hears once that the label printed; another bench hears nothing.
 * Then the holding itself (hub/loop/hub-held.h): each terminal's events
 * come back oldest first and only to it, a terminal keeps its newest 32,
 * none is kept past its age, and one held again while it is being sent
 * waits for the next time.
 */
#include "config.h"
#include "hub/loop/hub-held.h"
#include "tests/hub-print.h"

static void
test_restart (void)
{
	char *server = hp_begin ();
	if (server == NULL)
		return;
	const char *extra[] = { server, "printer.bench-1.label=label", "printer.bench-2.label=fallback", NULL };
	struct testlib_hub hub;
	if (!ok (testlib_hub_start (&hub, extra) == 0, "hub starts with the bench's printer configured")) {
		free (server);
		return;
	}
	char *csv = hp_orders_csv ("E", 1);
	ok (hp_import (&hub, "held.csv", csv) == 0, "order E0001 imported");
	free (csv);
	struct fl_term packer = { 0 }, other = { 0 };
	fl_term_open (&packer, hub.endpoint, "bench-1-term", "bench-1", "B2001", "2222");
	fl_term_open (&other, hub.endpoint, "bench-2-term", "bench-2", "B9001", "9999");
	ok (hp_ready (&packer, "E", 1) == 0, "E0001 received and located");
	ok (print_test_printer ("label", false), "the bench printer is switched off");
	int before = print_test_count ("label");
	ok (hp_pack_waiting (&hub, &packer, "E0001") > 0, "E0001's label waits in CUPS for the bench printer");
	hp_events_within (&packer, "E0001/1", "printed", 500); /* what it was told so far */

	is_int (testlib_hub_stop (&hub), 0, "the hub stops");
	ok (print_test_printer ("label", true), "the bench printer is switched on, no hub running");
	ok (print_test_wait_count ("label", before + 1), "CUPS prints the label");
	ok (testlib_hub_restart (&hub) == 0, "the hub starts again");
	long long printed = 0;
	for (int i = 0; i < 300 && printed == 0; i++) { /* bounded: 30 s */
		printed = hp_sql_int (&hub, "SELECT count(*) FROM label_jobs j JOIN parcels p ON p.id = j.parcel_id"
		                            " WHERE p.order_ref = '%s' AND j.status = 'printed'", "E0001");
		if (printed == 0)
			usleep (100 * 1000);
	}
	is_int (printed, 1, "the new hub finds it printed, before the bench has spoken to it");
	is_int (hp_events_within (&packer, "E0001/1", "printed", 1000), 0, "nothing reaches the bench before it speaks");
	/* A HELLO alone does not take them: a terminal coming back says HELLO on a fresh connection each time
	 * one goes unanswered, and may already have left the one the hub answers on. */
	proto_msg_t *h = testlib_hello (packer.c, ++packer.seq, "bench-1");
	is_int (testlib_status (h), PROTO_OK, "the bench says HELLO to the new hub: %s", testlib_text (h));
	proto_msg_destroy (&h);
	is_int (hp_events_within (&packer, "E0001/1", "printed", 1000), 0, "a HELLO alone takes no held EVENT");
	proto_msg_t *r = fl_cmd (&packer, "print-jobs", NULL);
	is_int (testlib_status (r), PROTO_OK, "the bench speaks (its print jobs): %s", testlib_text (r));
	proto_msg_destroy (&r);
	proto_msg_t *ev = hp_wait_event_for (&packer, "printed", "E0001/1");
	const char *text = ev ? proto_hash_get (ev, PROTO_EVENT_DATA, "text") : NULL;
	ok (text && strstr (text, "E0001/1"), "then it hears the label printed: %s", text ? text : "(nothing)");
	proto_msg_destroy (&ev);
	is_int (hp_events_within (&packer, "E0001/1", "printed", 1500), 0, "once");
	r = fl_cmd (&other, "print-jobs", NULL);
	is_int (testlib_status (r), PROTO_OK, "the other bench speaks: %s", testlib_text (r));
	proto_msg_destroy (&r);
	is_int (hp_events_within (&other, "E0001/1", "printed", 1500), 0, "and hears nothing of the first bench's label");
	is_int (print_test_count ("label"), before + 1, "one label printed in all");
	ok (testlib_hub_log_count (&hub, "terminal bench-1-term: 1 events held for it sent") == 1,
	    "the hub's log says the held event was sent");
	client_destroy (&packer.c);
	client_destroy (&other.c);
	is_int (testlib_hub_stop (&hub), 0, "hub stops cleanly");
	free (server);
}

/* What hub_held_release gave back, in order. */
static char got[64][32];
static int ngot;
static hub_held_t *again; /* when set, each event given back is held again for "later" */

static void
collect (void *arg, const char *terminal, proto_msg_t **event_p)
{
	(void) arg;
	const char *n = proto_hash_get (*event_p, PROTO_EVENT_DATA, "n");
	if (ngot < 64)
		snprintf (got[ngot++], sizeof got[0], "%s:%s", terminal, n ? n : "?");
	if (again)
		hub_held_keep (again, "later", event_p, 5000); /* held again later than it was first */
	proto_msg_destroy (event_p);
}

static proto_msg_t *
event_n (int n)
{
	proto_msg_t *ev = proto_msg_new (PROTO_EVENT);
	proto_set_str (ev, PROTO_EVENT_TOPIC, "print");
	proto_hash_setf (ev, PROTO_EVENT_DATA, "n", "%d", n);
	return ev;
}

static void
test_bounds (void)
{
	diag ("the holding: oldest first, each to its terminal, the newest 32 a terminal, not past its age");
	hub_held_t *h = hub_held_new ();
	int taken = 0;
	for (int i = 1; i <= 40; i++) {
		proto_msg_t *ev = event_n (i);
		hub_held_keep (h, i % 8 == 0 ? "b" : "a", &ev, 1000 + i);
		taken += ev == NULL;
	}
	is_int (taken, 40, "each event is taken");
	/* a: 35 kept (1..39 but the 5 multiples of 8 that are b's), of which the newest 32; b: 8, 16, 24, 32, 40. */
	is_int ((int) hub_held_count (h), 32 + 5, "32 for the terminal with 35, 5 for the other");
	ngot = 0;
	hub_held_release (h, "b", 2000, collect, NULL);
	is_int (ngot, 5, "the other's five, given back to it");
	ok (ngot == 5 && strcmp (got[0], "b:8") == 0 && strcmp (got[4], "b:40") == 0, "oldest first (%s .. %s)",
	    ngot ? got[0] : "-", ngot ? got[ngot - 1] : "-");
	is_int ((int) hub_held_count (h), 32, "the first terminal's are still held");
	ngot = 0;
	hub_held_release (h, "a", 2000, collect, NULL);
	is_int (ngot, 32, "the first terminal's 32");
	ok (ngot == 32 && strcmp (got[0], "a:4") == 0 && strcmp (got[31], "a:39") == 0,
	    "its newest: the three oldest (1, 2, 3) went first (%s .. %s)", ngot ? got[0] : "-", ngot ? got[ngot - 1] : "-");
	is_int ((int) hub_held_count (h), 0, "nothing left");
	ngot = 0;
	hub_held_release (h, "a", 2000, collect, NULL);
	is_int (ngot, 0, "a second release gives nothing again");

	proto_msg_t *ev = event_n (100);
	hub_held_keep (h, "c", &ev, 10000);
	ev = event_n (101);
	hub_held_keep (h, "c", &ev, 10000 + HUB_HELD_MAX_AGE_MS);
	ngot = 0;
	hub_held_release (h, "c", 10001 + HUB_HELD_MAX_AGE_MS, collect, NULL);
	ok (ngot == 1 && strcmp (got[0], "c:101") == 0, "an event past its age is not given back (%d, %s)", ngot,
	    ngot ? got[0] : "-");

	ev = event_n (200);
	hub_held_keep (h, "later", &ev, 0);
	again = h;
	ngot = 0;
	hub_held_release (h, "later", 0, collect, NULL);
	again = NULL;
	is_int (ngot, 1, "one held again while it is given back is given once");
	is_int ((int) hub_held_count (h), 1, "and waits for the next time");
	ngot = 0;
	hub_held_release (h, "later", HUB_HELD_MAX_AGE_MS + 2, collect, NULL);
	is_int (ngot, 0, "its age counted from when it was first held");
	for (int i = 0; i < HUB_HELD_MAX + 10; i++) {
		ev = event_n (i);
		char who[16];
		snprintf (who, sizeof who, "t%d", i);
		hub_held_keep (h, who, &ev, 0);
	}
	is_int ((int) hub_held_count (h), HUB_HELD_MAX, "at most %d in all", HUB_HELD_MAX);
	hub_held_destroy (&h);
	ok (h == NULL, "destroy clears the pointer");
}

int
main (void)
{
	test_bounds ();
	test_restart ();
	return tap_done ();
}
