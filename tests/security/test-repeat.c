/*
 * test-repeat.c: a repeat must be the same request, and sequence numbers
 * have a range. Against a real hub: a request resent under its (terminal,
 * seq) gets the stored reply byte for byte and no second effect; another
 * request under a used (terminal, seq), a SCAN of another ticket or a hold,
 * is refused SEQUENCE_REUSED, is not applied and never gets the old reply,
 * and the terminal can go on at a new number. The edges of section 7: seq 0
 * (the EVENTs') refused for every request, the last stored number taken and
 * reported by HELLO with seq_max, the numbers above it refused for a stored
 * request and free for HELLO and PING; what a refusal echoes.
 */
#include "config.h"
#include "tests/security/seclib.h"
#include "tests/tap.h"
#include "tests/testlib.h"
#include "util.h"

#include <czmq.h>
#include <stdlib.h>
#include <string.h>

/* The encoded frame of a request, for byte-for-byte comparisons of replies. */
static uint8_t *
raw_reply (zsock_t *s, proto_msg_t *m, const char *terminal, uint32_t seq, size_t *n)
{
	proto_msg_set_terminal (m, terminal);
	proto_msg_set_seq (m, seq);
	size_t len;
	uint8_t *d = proto_encode (m, &len);
	zframe_t *f = zframe_new (d, len);
	free (d);
	zframe_send (&f, s, 0);
	zframe_t *r = zframe_recv (s);
	uint8_t *out = NULL;
	if (r) {
		*n = zframe_size (r);
		out = xmalloc (*n);
		memcpy (out, zframe_data (r), *n);
	}
	zframe_destroy (&r);
	return out;
}

static proto_msg_t *
scan_msg (const char *step, const char *code)
{
	proto_msg_t *m = proto_msg_new (PROTO_SCAN);
	proto_set_str (m, PROTO_SCAN_STEP, step);
	proto_set_str (m, PROTO_SCAN_CODE, code);
	return m;
}

int
main (void)
{
	struct testlib_hub hub;
	zsys_init ();
	zsys_set_logsystem (false);
	if (!ok (testlib_hub_start (&hub, NULL) == 0, "a hub"))
		return tap_done ();
	zsock_t *t = sec_peer (hub.endpoint, NULL);
	proto_msg_t *r = sec_hello (t, "t1", 0xF0000001u, "desk");
	proto_msg_destroy (&r);
	r = sec_login (t, "t1", 1, "B3001", "3333");
	is_int (testlib_status (r), PROTO_OK, "t1 logged in (seq 1)");
	proto_msg_destroy (&r);

	/* receive W1000001 as (t1, 2); the same again; then other requests under 2. */
	proto_msg_t *rx1 = scan_msg ("receive", "W1000001");
	size_t n1, n2;
	uint8_t *first = raw_reply (t, rx1, "t1", 2, &n1);
	proto_msg_t *dec = NULL;
	char err[200];
	ok (first && proto_decode (first, n1, &dec, NULL, err, sizeof err) == 0 && testlib_status (dec) == PROTO_OK,
	    "receive W1000001 as (t1, 2): %s", testlib_text (dec));
	proto_msg_destroy (&dec);
	uint8_t *again = raw_reply (t, rx1, "t1", 2, &n2);
	ok (again && n1 == n2 && memcmp (first, again, n1) == 0, "the same request again: the stored reply, byte for byte");
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM scans WHERE step = 'receive'"), 1,
	    "  and no second effect (one receive scan)");
	long long events = testlib_sql_int (hub.database, "SELECT count(*) FROM events");

	r = sec_scan (t, "t1", 2, "receive", "T1000002");
	is_int (sec_error (r), PR_SEQUENCE_REUSED, "receive T1000002 under (t1, 2): ERROR SEQUENCE_REUSED: %s", sec_text (r));
	ok (r && strstr (sec_text (r), "W1000001") == NULL && strstr (sec_text (r), "received") == NULL,
	    "  not the old reply");
	ok (r && strcmp (proto_msg_terminal (r), "t1") == 0 && proto_msg_seq (r) == 2, "  echoing terminal and seq");
	ok (r && strstr (sec_text (r), "above 2") != NULL, "  saying which numbers are free");
	proto_msg_destroy (&r);
	char *status = testlib_sql_text (hub.database, "SELECT status FROM orders WHERE ref = 'T1000002'");
	is_str (status, "new", "  T1000002 is not received");
	free (status);
	r = sec_command (t, "t1", 2, "hold", "code", "W1000001", "reason", "test", NULL);
	is_int (sec_error (r), PR_SEQUENCE_REUSED, "a hold under (t1, 2): SEQUENCE_REUSED");
	proto_msg_destroy (&r);
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM holds"), 0, "  no hold set");
	proto_msg_t *manual = scan_msg ("receive", "W1000001");
	proto_set_num (manual, PROTO_SCAN_MANUAL, 1);
	r = sec_call (t, manual, "t1", 2);
	is_int (sec_error (r), PR_SEQUENCE_REUSED, "the same code typed (manual = 1) under (t1, 2): another request");
	proto_msg_destroy (&r);
	proto_msg_destroy (&manual);
	r = sec_scan (t, "t1", 1, "receive", "W1000001");
	is_int (sec_error (r), PR_SEQUENCE_REUSED, "a SCAN under the LOGIN's number: SEQUENCE_REUSED");
	proto_msg_destroy (&r);
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM events"), events, "  nothing reached the audit trail");
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM scans"), 1, "  nor the scans");
	again = (free (again), raw_reply (t, rx1, "t1", 2, &n2));
	ok (again && n1 == n2 && memcmp (first, again, n1) == 0, "the first request is still answered as before");
	r = sec_scan (t, "t1", 3, "receive", "T1000002");
	is_int (testlib_status (r), PROTO_OK, "T1000002 at a new number (3): received");
	proto_msg_destroy (&r);
	/* Another terminal may use the same number: (terminal, seq) is the key. */
	r = sec_hello (t, "t2", 0xF0000001u, "desk");
	proto_msg_destroy (&r);
	r = sec_login (t, "t2", 2, "B1001", "1111");
	is_int (testlib_status (r), PROTO_OK, "t2's LOGIN under 2: its own number, applied");
	proto_msg_destroy (&r);

	/* Sequence number edges. */
	long long rows = testlib_sql_int (hub.database, "SELECT count(*) FROM requests");
	r = sec_scan (t, "t1", 0, "enquiry", "W1000001");
	is_int (sec_error (r), PR_BAD_SEQUENCE, "a SCAN with seq 0 (the EVENTs'): BAD_SEQUENCE: %s", sec_text (r));
	proto_msg_destroy (&r);
	r = sec_bare (t, PROTO_PING, "t1", 0);
	is_int (sec_error (r), PR_BAD_SEQUENCE, "a PING with seq 0: BAD_SEQUENCE");
	proto_msg_destroy (&r);
	r = sec_hello (t, "t1", 0, "desk");
	is_int (sec_error (r), PR_BAD_SEQUENCE, "a HELLO with seq 0: BAD_SEQUENCE");
	proto_msg_destroy (&r);
	r = sec_scan (t, "t1", 4294967295u, "enquiry", "W1000001");
	is_int (sec_error (r), PR_BAD_SEQUENCE, "a SCAN with seq 4294967295: BAD_SEQUENCE");
	ok (r && proto_msg_seq (r) == 4294967295u, "  echoed");
	proto_msg_destroy (&r);
	r = sec_scan (t, "t1", PROTO_SEQ_MAX + 1, "enquiry", "W1000001");
	is_int (sec_error (r), PR_BAD_SEQUENCE, "a SCAN with seq %u (one past the last): BAD_SEQUENCE", PROTO_SEQ_MAX + 1);
	proto_msg_destroy (&r);
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM requests"), rows, "  none of them stored");
	r = sec_hello (t, "t1", 4294967295u, "desk");
	ok (testlib_status (r) == PROTO_OK && proto_msg_seq (r) == 4294967295u, "a HELLO with seq 4294967295: answered");
	is_str (r ? proto_hash_get (r, PROTO_REPLY_DATA, "last_seq") : NULL, "3", "  last_seq still 3 (HELLO is not stored)");
	char *max = xasprintf ("%u", PROTO_SEQ_MAX);
	is_str (r ? proto_hash_get (r, PROTO_REPLY_DATA, "seq_max") : NULL, max, "  seq_max %s", max);
	proto_msg_destroy (&r);
	r = sec_scan (t, "t1", PROTO_SEQ_MAX, "enquiry", "W1000001");
	is_int (testlib_status (r), PROTO_OK, "a SCAN with the last number, %u: taken", PROTO_SEQ_MAX);
	proto_msg_destroy (&r);
	r = sec_hello (t, "t1", 0xFFFFFFF0u, "desk");
	is_str (r ? proto_hash_get (r, PROTO_REPLY_DATA, "last_seq") : NULL, max, "  HELLO: last_seq is the last number");
	proto_msg_destroy (&r);
	r = sec_scan (t, "t1", 4, "enquiry", "W1000001");
	is_int (testlib_status (r), PROTO_OK, "a number below last_seq never used (4): taken as new");
	proto_msg_destroy (&r);
	r = sec_bare (t, PROTO_PING, "t1", 0xF0000005u);
	ok (testlib_status (r) == PROTO_OK && proto_msg_seq (r) == 0xF0000005u, "PING above the stored range: answered, echoed");
	proto_msg_destroy (&r);
	free (max);

	/* What a refusal echoes: terminal and seq whenever the header could be read. */
	static const uint8_t bad_field[] = { 'D', 'S', 1, PROTO_SCAN, 2, 't', '1', 0, 0, 0, 9, 1, 'r', 0, 0, 0, 1, 0xff,
		0, 0, 0 };
	r = sec_call_raw (t, bad_field, sizeof bad_field);
	ok (sec_error (r) == PR_BAD_TEXT && r && strcmp (proto_msg_terminal (r), "t1") == 0 && proto_msg_seq (r) == 9,
	    "a SCAN broken in a field: ERROR echoing t1 and 9: %s", sec_text (r));
	proto_msg_destroy (&r);
	static const uint8_t unknown[] = { 'D', 'S', 1, 77, 2, 't', '1', 0, 0, 0, 10 };
	r = sec_call_raw (t, unknown, sizeof unknown);
	ok (sec_error (r) == PR_UNKNOWN_COMMAND && r && strcmp (proto_msg_terminal (r), "t1") == 0 && proto_msg_seq (r) == 10,
	    "an unknown message: UNKNOWN_COMMAND echoing t1 and 10");
	proto_msg_destroy (&r);
	static const uint8_t reply_sent[] = { 'D', 'S', 1, PROTO_EVENT, 2, 't', '1', 0, 0, 0, 11, 0, 0, 0 };
	r = sec_call_raw (t, reply_sent, sizeof reply_sent);
	ok (sec_error (r) == PR_UNKNOWN_COMMAND && r && proto_msg_seq (r) == 11, "an EVENT sent to the hub: UNKNOWN_COMMAND, echoed");
	proto_msg_destroy (&r);
	static const uint8_t v0[] = { 'D', 'S', 0, PROTO_PING, 2, 't', '1', 0, 0, 0, 12 };
	r = sec_call_raw (t, v0, sizeof v0);
	ok (sec_error (r) == PR_BAD_VERSION && r && proto_msg_seq (r) == 0 && *proto_msg_terminal (r) == '\0',
	    "version 0: BAD_VERSION, nothing echoed (another version's header is its own)");
	proto_msg_destroy (&r);
	static const uint8_t cut[] = { 'D', 'S', 1, PROTO_PING, 2, 't', '1', 0, 0 };
	r = sec_call_raw (t, cut, sizeof cut);
	ok (sec_error (r) == PR_MALFORMED && r && strcmp (proto_msg_terminal (r), "t1") == 0 && proto_msg_seq (r) == 0,
	    "a frame cut inside seq: MALFORMED, the terminal echoed, seq 0 (unread)");
	proto_msg_destroy (&r);
	static const uint8_t noterm[] = { 'D', 'S', 1, PROTO_PING, 0, 0, 0, 0, 13 };
	r = sec_call_raw (t, noterm, sizeof noterm);
	ok (sec_error (r) == PR_MALFORMED && r && proto_msg_seq (r) == 13, "no terminal id: MALFORMED, seq echoed");
	proto_msg_destroy (&r);
	r = sec_bare (t, PROTO_PING, "t1", 0xF0000006u);
	is_int (testlib_status (r), PROTO_OK, "the hub answers the next good request");
	proto_msg_destroy (&r);

	/* A terminal the hub has no row for (it never said HELLO): its refusal is
	 * stored all the same, and found again although its last_seq is unknown. */
	size_t n3, n4;
	uint8_t *cold = raw_reply (t, rx1, "t-unknown", 7, &n3);
	int decoded = cold ? proto_decode (cold, n3, &dec, NULL, err, sizeof err) : -1;
	ok (decoded == 0 && testlib_status (dec) == PROTO_REFUSED, "a scan from a terminal never seen: refused: %s",
	    testlib_text (dec));
	proto_msg_destroy (&dec);
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM terminals WHERE terminal = 't-unknown'"), 0,
	    "  the hub has no row for it");
	uint8_t *cold2 = raw_reply (t, rx1, "t-unknown", 7, &n4);
	ok (cold2 && n3 == n4 && memcmp (cold, cold2, n3) == 0, "  the same again: the stored refusal, byte for byte");
	r = sec_scan (t, "t-unknown", 7, "receive", "T1000003");
	is_int (sec_error (r), PR_SEQUENCE_REUSED, "  another request under its number: SEQUENCE_REUSED");
	proto_msg_destroy (&r);
	/* Its HELLO makes its row now: the number already stored is not forgotten. */
	r = sec_hello (t, "t-unknown", 0xF0000010u, "desk");
	is_str (r ? proto_hash_get (r, PROTO_REPLY_DATA, "last_seq") : NULL, "7", "  its HELLO: last_seq 7, the refusal's");
	proto_msg_destroy (&r);
	uint8_t *cold3 = raw_reply (t, rx1, "t-unknown", 7, &n4);
	ok (cold3 && n3 == n4 && memcmp (cold, cold3, n3) == 0, "  the same again after its HELLO: still the stored refusal");
	free (cold3);
	r = sec_login (t, "t-cold", 3, "B3001", "3333");
	proto_msg_destroy (&r);
	r = sec_hello (t, "t-cold", 0xF0000011u, "desk");
	is_str (r ? proto_hash_get (r, PROTO_REPLY_DATA, "last_seq") : NULL, "3", "a LOGIN before any HELLO: last_seq 3");
	proto_msg_destroy (&r);
	free (cold);
	free (cold2);

	free (first);
	free (again);
	proto_msg_destroy (&rx1);
	zsock_destroy (&t);
	is_int (testlib_hub_stop (&hub), 0, "hub stops cleanly");
	return tap_done ();
}
