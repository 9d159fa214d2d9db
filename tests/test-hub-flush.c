/*
 * test-hub-flush.c: a batch's reply leaves the hub only once its commit is
 * on the disk. The hub commits a batch of scans without the flush and
 * leaves the flush to its flush worker (hub/loop/hub-flush.h); killed
 * there (DSP_HUB_CRASH_AT=flush: committed, not yet flushed), the terminal
 * has heard nothing, and its retry to the hub started again gets the
 * first answer, the scan recorded once. The events feed waits for the
 * flush too: the hub killed 1 s into it (the loop running meanwhile)
 * has exported nothing of the scan; started again, it exports it once.
 * Then a run of scans from two terminals, each answered in turn, every
 * one recorded once and exported once; and, with every flush a second
 * long (DSP_HUB_DRAW_FAULT=slow-flush), 12 scans sent in four bursts
 * without waiting, so that several batches commit behind one flush:
 * answered in the order they were sent.
 */
#include "config.h"
#include "client.h"
#include "tap.h"
#include "testlib.h"
#include "util.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Lines of the exported events (every events-*.jsonl of the folder) that hold both texts. */
static int
exported (const char *exports, const char *a, const char *b)
{
	char *cmd = xasprintf ("cat '%s'/events-*.jsonl 2>/dev/null | grep -F '%s' | grep -c -F '%s'", exports, a, b);
	char *out = testlib_run (cmd);
	int n = *out ? atoi (out) : -1; /* grep -c always prints a count */
	free (out);
	free (cmd);
	return n;
}

int
main (void)
{
	struct testlib_hub hub;
	zsys_init ();
	zsys_set_logsystem (false);
	testlib_hub_folder (&hub);
	char exports[300];
	snprintf (exports, sizeof exports, "%s/exports", hub.dir);
	char *set_ex = xasprintf ("hub.exports=%s", exports);
	const char *const extra[] = { set_ex, NULL };
	if (!ok (testlib_hub_start_at (&hub, extra) == 0, "hub starts and answers, exporting its events"))
		return tap_done ();
	char *cause = NULL;
	client_t *c = client_new (hub.endpoint, "hh-01", &cause);
	ok (c != NULL, "terminal connects");
	proto_msg_t *r = testlib_hello (c, 1, "despatch-in");
	is_int (testlib_status (r), PROTO_OK, "HELLO answered");
	proto_msg_destroy (&r);
	r = testlib_login (c, 2, "B1001", "1111");
	is_int (testlib_status (r), PROTO_OK, "logged in: %s", testlib_text (r));
	proto_msg_destroy (&r);
	is_int (testlib_hub_stop (&hub), 0, "hub stopped, to start again to die at its next flush");

	setenv ("DSP_HUB_CRASH_AT", "flush", 1);
	setenv ("DSP_HUB_CRASH_DELAY_MS", "1000", 1);
	int started = testlib_hub_restart (&hub);
	unsetenv ("DSP_HUB_CRASH_AT");
	unsetenv ("DSP_HUB_CRASH_DELAY_MS");
	ok (started == 0, "the hub starts again (its readiness PING writes nothing, so asks no flush)");
	client_reconnect (c);
	ok (client_writable (c, 5000), "the terminal is connected to it");
	proto_msg_t *m = proto_msg_new (PROTO_SCAN);
	proto_set_str (m, PROTO_SCAN_STEP, "receive");
	proto_set_str (m, PROTO_SCAN_CODE, "W1000001");
	proto_msg_set_seq (m, 3);
	ok (client_send (c, m) == 0, "a receive scan sent");
	r = client_recv (c, 3000);
	ok (r == NULL, "no reply: the hub died committed but not flushed, and said nothing");
	proto_msg_destroy (&r);
	ok (testlib_hub_killed (&hub, 5000), "the hub killed itself at the flush (SIGKILL)");
	/* A SIGKILL keeps what the kernel had: the commit is in the WAL. A power cut might not have; the reply
	 * was never sent either way, so the terminal's retry is what decides. */
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM scans WHERE code = 'W1000001'"), 1,
	    "  the scan is in the WAL");
	is_int (exported (exports, "\"receive\"", "\"W1000001\""), 0,
	    "  and its event was not exported in the second the flush took");

	ok (testlib_hub_restart (&hub) == 0, "the hub starts again");
	client_reconnect (c);
	r = client_call (c, m, 2000, 3);
	is_int (testlib_status (r), PROTO_OK, "the terminal's retry is answered: %s", testlib_text (r));
	is_int (testlib_reason (r), PR_OK, "  with the first answer (received), not 'already received'");
	proto_msg_destroy (&r);
	proto_msg_destroy (&m);
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM scans WHERE code = 'W1000001'"), 1,
	    "  the scan recorded once");
	int seen = 0;
	for (int i = 0; i < 50 && (seen = exported (exports, "\"receive\"", "\"W1000001\"")) == 0; i++)
		usleep (100000);
	is_int (seen, 1, "  and exported once, by the hub started again");

	/* Two terminals, scans as fast as each is answered: every reply in its turn, each scan once. */
	client_t *d = client_new (hub.endpoint, "hh-02", &cause);
	r = testlib_hello (d, 1, "despatch-in");
	proto_msg_destroy (&r);
	r = testlib_login (d, 2, "B1001", "1111");
	is_int (testlib_status (r), PROTO_OK, "a second terminal logs in");
	proto_msg_destroy (&r);
	static const char *const refs[] = { "W1000005", "W1000006", "W1000008", "W1000009" };
	int answered = 0;
	for (int i = 0; i < 40; i++) {
		client_t *t = i % 2 ? d : c;
		uint32_t seq = (uint32_t) (4 + i / 2);
		r = testlib_scan (t, seq, "receive", refs[i % 4]);
		if (r && testlib_status (r) == PROTO_OK && proto_msg_seq (r) == seq)
			answered++;
		else
			diag ("scan %d (seq %u): %s", i, seq, r ? testlib_text (r) : "no reply");
		proto_msg_destroy (&r);
	}
	is_int (answered, 40, "40 scans of two terminals, each answered under its own number");
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM scans WHERE code IN ('W1000005', 'W1000006',"
	                                       " 'W1000008', 'W1000009')"), 40, "  and 40 scan rows");
	/* Every flush a second long; four bursts of three, 100 ms apart: the batches they fall into commit while
	 * the first is still being flushed, and the replies held behind it go in the order the requests came. */
	is_int (testlib_hub_stop (&hub), 0, "hub stopped, to start again with every flush a second long");
	setenv ("DSP_HUB_DRAW_FAULT", "slow-flush", 1);
	started = testlib_hub_restart (&hub);
	unsetenv ("DSP_HUB_DRAW_FAULT");
	ok (started == 0, "  started");
	client_reconnect (c);
	ok (client_writable (c, 5000), "  the terminal is connected to it");
	int sent = 0;
	for (int i = 0; i < 12; i++) {
		if (i > 0 && i % 3 == 0)
			usleep (100 * 1000);
		proto_msg_t *q = proto_msg_new (PROTO_SCAN);
		proto_set_str (q, PROTO_SCAN_STEP, "receive");
		proto_set_str (q, PROTO_SCAN_CODE, refs[i % 4]);
		proto_msg_set_seq (q, (uint32_t) (100 + i));
		sent += client_send (c, q) == 0;
		proto_msg_destroy (&q);
	}
	is_int (sent, 12, "12 scans sent by one terminal in four bursts, without waiting");
	int in_order = 0;
	uint32_t last = 99;
	for (int i = 0; i < 12; i++) {
		r = client_recv (c, 5000);
		if (r && testlib_status (r) == PROTO_OK && proto_msg_seq (r) == last + 1)
			in_order++;
		else
			diag ("reply %d: %s (seq %u after %u)", i, r ? testlib_text (r) : "none", r ? proto_msg_seq (r) : 0, last);
		if (r)
			last = proto_msg_seq (r);
		proto_msg_destroy (&r);
	}
	is_int (in_order, 12, "  each answered, in the order sent (100 to 111)");
	is_int (testlib_hub_log_count (&hub, "cannot flush"), 0, "  no flush failed");
	is_int (testlib_hub_stop (&hub), 0, "hub stops cleanly");
	/* Stopped, it has sent every event: one for each order received (a scan again is not an event). */
	int events = (int) testlib_sql_int (hub.database, "SELECT count(*) FROM events WHERE action = 'receive'");
	ok (events == 5, "5 orders received, 5 receive events in the audit trail (%d)", events);
	is_int (exported (exports, "\"receive\"", "\"W100000"), events, "  each exported once");
	client_destroy (&c);
	client_destroy (&d);
	free (set_ex);
	return tap_done ();
}
