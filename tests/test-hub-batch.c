/*
 * test-hub-batch.c: one request of a batch fails in the database, and the
 * others are kept. The hub runs the scans that never wait for its workers
 * without a savepoint of their own; when one of them fails half-way, what
 * it wrote cannot be undone alone, so the hub undoes the batch and runs it
 * again, each request in a savepoint. Here the database itself refuses:
 * a trigger (set up by the test, as a damaged or foreign schema would)
 * aborts the audit event of one order's receive, after the order's row was
 * already changed. Four terminals send their receives while the hub is
 * stopped (SIGSTOP), so that they arrive together. The three others are
 * received, once each, with their events, scans and stored replies; the
 * refused one has nothing anywhere (its order still new, no event, no
 * scan, no stored reply), its terminal is told STORAGE, and once the
 * trigger is gone the same request (same number) is taken, once. A repeat
 * of a kept one gets its stored reply, and the database passes
 * integrity_check.
 */
#include "config.h"
#include "tests/flow/flowlib.h"
#include "util.h"

#include <czmq.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#define TERMS 4

static const char *const orders[TERMS] = { "W1000001", "T1000002", "H1000004", "W1000005" };
static const char *const badges[TERMS][2] = { { "B1001", "1111" }, { "B2001", "2222" }, { "B3001", "3333" },
	{ "B1001", "1111" } };
#define REFUSED 2 /* the index of the order whose receive the database refuses */

static proto_msg_t *
receive_msg (struct fl_term *t, const char *code)
{
	proto_msg_t *m = proto_msg_new (PROTO_SCAN);
	proto_set_str (m, PROTO_SCAN_STEP, "receive");
	proto_set_str (m, PROTO_SCAN_CODE, code);
	proto_msg_set_seq (m, t->seq);
	return m;
}

static long long
count (const char *database, const char *fmt, const char *ref)
{
	char sql[300];
	snprintf (sql, sizeof sql, fmt, ref);
	return testlib_sql_int (database, sql);
}

int
main (void)
{
	zsys_init ();
	zsys_set_logsystem (false);
	struct testlib_hub hub;
	if (!ok (testlib_hub_start (&hub, NULL) == 0, "hub starts with the demo data"))
		return tap_done ();
	struct fl_term t[TERMS] = { { 0 } };
	char names[TERMS][16];
	for (int i = 0; i < TERMS; i++) {
		snprintf (names[i], sizeof names[i], "batch-%d", i + 1);
		fl_term_open (&t[i], hub.endpoint, names[i], "goods-in", badges[i][0], badges[i][1]);
	}
	ok (fl_sql_exec (hub.database, "CREATE TRIGGER test_refuse BEFORE INSERT ON events"
	        " WHEN NEW.order_ref = 'H1000004' AND NEW.action = 'receive'"
	        " BEGIN SELECT RAISE (ABORT, 'refused by the test'); END") == DB_DONE,
	    "a trigger refuses the audit event of H1000004's receive");

	/* Together: sent while the hub is stopped, read at once when it goes on. */
	ok (kill (hub.pid, SIGSTOP) == 0, "hub stopped");
	proto_msg_t *sent[TERMS];
	for (int i = 0; i < TERMS; i++) {
		t[i].seq++;
		sent[i] = receive_msg (&t[i], orders[i]);
		ok (client_send (t[i].c, sent[i]) == 0, "%s sends the receive of %s", names[i], orders[i]);
	}
	zclock_sleep (300); /* the frames reach the hub's socket buffers */
	ok (kill (hub.pid, SIGCONT) == 0, "hub goes on");
	proto_msg_t *got[TERMS];
	for (int i = 0; i < TERMS; i++) {
		got[i] = client_recv (t[i].c, 5000);
		if (i == REFUSED) {
			ok (got[i] && proto_msg_id (got[i]) == PROTO_ERROR && testlib_reason (got[i]) == PR_STORAGE,
			    "%s: refused as STORAGE: %s", orders[i], testlib_text (got[i]));
			ok (strstr (testlib_text (got[i]), "nothing was changed") != NULL, "the message says nothing changed");
		} else {
			is_int (testlib_status (got[i]), PROTO_OK, "%s received: %s", orders[i], testlib_text (got[i]));
		}
	}

	/* Every place the receives live: the order, the audit trail, the scans, the stored replies. */
	for (int i = 0; i < TERMS; i++) {
		const char *ref = orders[i];
		long long want = i == REFUSED ? 0 : 1;
		is_int (count (hub.database, "SELECT count(*) FROM orders WHERE ref = '%s' AND status <> 'new'", ref), want,
		    "%s %s", ref, want ? "is received" : "is still new");
		is_int (count (hub.database, "SELECT count(*) FROM events WHERE order_ref = '%s' AND action = 'receive'", ref),
		    want, "%s: %lld receive event%s", ref, want, want ? "" : "s");
		is_int (count (hub.database, "SELECT count(*) FROM scans WHERE code = '%s'", ref), want, "%s: %lld scan row%s",
		    ref, want, want ? "" : "s");
	}
	for (int i = 0; i < TERMS; i++) {
		char sql[200];
		snprintf (sql, sizeof sql, "SELECT count(*) FROM requests WHERE terminal = '%s' AND seq = %u", names[i],
		    t[i].seq);
		is_int (testlib_sql_int (hub.database, sql), i == REFUSED ? 0 : 1, "%s: %s", names[i],
		    i == REFUSED ? "no stored reply" : "its reply is stored");
	}
	ok (testlib_hub_log_count (&hub, "its batch is undone") > 0, "the hub's log says the batch was undone and run again");

	/* A repeat of a kept one: its stored reply, nothing applied twice. */
	proto_msg_t *r = client_call (t[0].c, sent[0], 3000, 1);
	ok (r && testlib_status (r) == PROTO_OK && strcmp (testlib_text (r), testlib_text (got[0])) == 0,
	    "a repeat of %s's receive gets its stored reply", orders[0]);
	proto_msg_destroy (&r);
	is_int (count (hub.database, "SELECT count(*) FROM events WHERE order_ref = '%s' AND action = 'receive'",
	            orders[0]), 1, "and is not applied twice");

	/* The database takes it again: the refused request, under its number, is taken once. */
	ok (fl_sql_exec (hub.database, "DROP TRIGGER test_refuse") == DB_DONE, "the trigger is dropped");
	r = client_call (t[REFUSED].c, sent[REFUSED], 3000, 1);
	is_int (testlib_status (r), PROTO_OK, "the same request of %s is taken now: %s", orders[REFUSED], testlib_text (r));
	proto_msg_destroy (&r);
	is_int (count (hub.database, "SELECT count(*) FROM events WHERE order_ref = '%s' AND action = 'receive'",
	            orders[REFUSED]), 1, "%s received once", orders[REFUSED]);
	char *check = testlib_sql_text (hub.database, "PRAGMA integrity_check");
	is_str (check, "ok", "integrity_check ok");
	free (check);

	for (int i = 0; i < TERMS; i++) {
		proto_msg_destroy (&sent[i]);
		proto_msg_destroy (&got[i]);
		client_destroy (&t[i].c);
	}
	is_int (testlib_hub_stop (&hub), 0, "the hub stops cleanly");
	return tap_done ();
}
