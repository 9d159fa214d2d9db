/*
 * test-hub.c: a real hub on a temporary ipc:// endpoint and database:
 * log in, scan, find the row in SQLite, repeat the request and still find
 * one row; refusals; malformed frames from a raw socket; clean shutdown.
 */
#include "config.h"
#include "client.h"
#include "tap.h"
#include "testlib.h"

#include <czmq.h>
#include <stdlib.h>

int
main (void)
{
	struct testlib_hub hub;
	zsys_init ();
	zsys_set_logsystem (false);
	if (!ok (testlib_hub_start (&hub, NULL) == 0, "hub starts and answers")) {
		return tap_done ();
	}
	char *cause = NULL;
	client_t *c = client_new (hub.endpoint, "hh-01", &cause);
	ok (c != NULL, "terminal connects");

	proto_msg_t *r = testlib_hello (c, 1, "despatch-in");
	is_int (testlib_status (r), PROTO_OK, "HELLO answered");
	is_str (r ? proto_hash_get (r, PROTO_REPLY_DATA, "last_seq") : NULL, "0", "a new terminal starts at sequence 0");
	proto_msg_destroy (&r);

	r = testlib_scan (c, 2, "receive", "W1000001");
	is_int (testlib_reason (r), PR_NOT_LOGGED_IN, "a scan before login is refused: %s", testlib_text (r));
	proto_msg_destroy (&r);

	r = testlib_login (c, 3, "B1001", "9999");
	is_int (testlib_reason (r), PR_BAD_LOGIN, "wrong PIN refused: %s", testlib_text (r));
	proto_msg_destroy (&r);
	r = testlib_login (c, 4, "B1001", "1111");
	is_int (testlib_status (r), PROTO_OK, "right PIN logs in: %s", testlib_text (r));
	is_str (r ? proto_hash_get (r, PROTO_REPLY_DATA, "role") : NULL, "porter", "role told to the terminal");
	proto_msg_destroy (&r);

	r = testlib_scan (c, 5, "receive", "W1000001");
	is_int (testlib_status (r), PROTO_OK, "ticket received: %s", testlib_text (r));
	is_int (testlib_reason (r), PR_OK, "first receive is new");
	proto_msg_destroy (&r);
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM scans WHERE code = 'W1000001' AND step = 'receive'"), 1,
	    "the scan is in SQLite");
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM orders WHERE ref = 'W1000001' AND status = 'received'"), 1,
	    "the order is received in SQLite");

	/* The same request again (a retry after a lost reply): stored reply, no second effect. */
	for (int i = 0; i < 3; i++) {
		r = testlib_scan (c, 5, "receive", "W1000001");
		is_int (testlib_reason (r), PR_OK, "repeat %d gets the stored first reply", i + 1);
		proto_msg_destroy (&r);
	}
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM scans WHERE code = 'W1000001'"), 1,
	    "still one scan row after three repeats");

	r = testlib_scan (c, 6, "receive", "W1000001");
	is_int (testlib_reason (r), PR_ALREADY_DONE, "a new scan of the same ticket is harmless: %s", testlib_text (r));
	proto_msg_destroy (&r);

	r = testlib_scan (c, 7, "receive", "NOPE123");
	is_int (testlib_reason (r), PR_UNKNOWN_BARCODE, "unknown ticket refused: %s", testlib_text (r));
	proto_msg_destroy (&r);
	r = testlib_scan (c, 8, "teleport", "W1000001");
	is_int (testlib_reason (r), PR_BAD_ARGUMENT, "unknown step refused: %s", testlib_text (r));
	proto_msg_destroy (&r);

	/* Malformed frames from a raw socket, then a good request still works. */
	zsock_t *raw = zsock_new_dealer (hub.endpoint);
	static const char *junk[] = { "", "DS", "hello world", "DS\x01\x04\x05hh-01" };
	for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
		zstr_send (raw, junk[i]);
		zsock_set_rcvtimeo (raw, 3000);
		zframe_t *f = zframe_recv (raw);
		proto_msg_t *e = NULL;
		char err[160];
		int decoded = f && proto_decode (zframe_data (f), zframe_size (f), &e, NULL, err, sizeof err) == 0;
		ok (decoded && proto_msg_id (e) == PROTO_ERROR && proto_get_num (e, PROTO_ERROR_REASON) == PR_MALFORMED,
		    "junk %zu answered with MALFORMED: %s", i, e ? proto_get_str (e, PROTO_ERROR_TEXT) : "(none)");
		proto_msg_destroy (&e);
		zframe_destroy (&f);
	}
	static const uint8_t v2[] = { 'D', 'S', 2, PROTO_PING, 1, 'x', 0, 0, 0, 1 };
	zframe_t *f = zframe_new (v2, sizeof v2);
	zframe_send (&f, raw, 0);
	f = zframe_recv (raw);
	proto_msg_t *e = NULL;
	char err[160];
	ok (f && proto_decode (zframe_data (f), zframe_size (f), &e, NULL, err, sizeof err) == 0
	        && proto_get_num (e, PROTO_ERROR_REASON) == PR_BAD_VERSION,
	    "version 2 answered with BAD_VERSION: %s", e ? proto_get_str (e, PROTO_ERROR_TEXT) : "(none)");
	proto_msg_destroy (&e);
	zframe_destroy (&f);
	zsock_destroy (&raw);

	r = testlib_scan (c, 9, "receive", "T1000002");
	is_int (testlib_status (r), PROTO_OK, "the hub still answers a good scan after junk");
	proto_msg_destroy (&r);

	/* Another terminal: its HELLO learns nothing of ours; ours learns its last sequence. */
	client_t *c2 = client_new (hub.endpoint, "hh-02", &cause);
	r = testlib_hello (c2, 1, "despatch-in");
	is_str (r ? proto_hash_get (r, PROTO_REPLY_DATA, "last_seq") : NULL, "0", "other terminal starts at 0");
	proto_msg_destroy (&r);
	r = testlib_hello (c, 10, "despatch-in");
	is_str (r ? proto_hash_get (r, PROTO_REPLY_DATA, "last_seq") : NULL, "9", "HELLO tells a terminal its last stored sequence");
	is_str (r ? proto_hash_get (r, PROTO_REPLY_DATA, "operator") : NULL, "B1001", "and who is logged in there");
	proto_msg_destroy (&r);
	client_destroy (&c2);

	/* Survives a restart: the session and the stored replies are in the database. */
	is_int (testlib_hub_stop (&hub), 0, "SIGTERM stops the hub cleanly");
	ok (testlib_hub_restart (&hub) == 0, "hub restarts on the same database");
	r = testlib_scan (c, 5, "receive", "W1000001");
	is_int (testlib_reason (r), PR_OK, "after restart a repeat still gets the stored reply");
	proto_msg_destroy (&r);
	r = testlib_scan (c, 11, "receive", "P1000003");
	is_int (testlib_status (r), PROTO_OK, "after restart the terminal is still logged in");
	proto_msg_destroy (&r);
	char *integrity = testlib_sql_text (hub.database, "PRAGMA integrity_check");
	is_str (integrity, "ok", "PRAGMA integrity_check is ok");
	free (integrity);
	is_int (testlib_hub_stop (&hub), 0, "hub stops cleanly");
	client_destroy (&c);
	return tap_done ();
}
