/* test-proto.c: the wire codec round-trips and refuses every malformed frame. */
#include "config.h"
#include "proto.h"
#include "tap.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static proto_msg_t *
roundtrip (proto_msg_t *m, size_t *size_out)
{
	size_t size;
	uint8_t *data = proto_encode (m, &size);
	if (data == NULL)
		return NULL;
	proto_msg_t *out = NULL;
	char err[160];
	int rc = proto_decode (data, size, &out, NULL, err, sizeof err);
	if (rc != 0)
		diag ("decode failed: %s", err);
	if (size_out)
		*size_out = size;
	free (data);
	return out;
}

static int
refused (const uint8_t *data, size_t size, const char *want_in_err)
{
	proto_msg_t *m = NULL;
	char err[160] = "";
	int rc = proto_decode (data, size, &m, NULL, err, sizeof err);
	int ok_ = rc == -1 && m == NULL && (want_in_err == NULL || strstr (err, want_in_err) != NULL);
	if (!ok_)
		diag ("rc=%d err='%s' wanted '%s'", rc, err, want_in_err ? want_in_err : "");
	proto_msg_destroy (&m);
	return ok_;
}

static uint8_t *
sample_scan (size_t *size)
{
	proto_msg_t *m = proto_msg_new (PROTO_SCAN);
	proto_msg_set_terminal (m, "hh-07");
	proto_msg_set_seq (m, 42);
	proto_set_str (m, PROTO_SCAN_STEP, "scanout");
	proto_set_str (m, PROTO_SCAN_CODE, "]C100395123451234567895\x1d" "4218261234");
	proto_set_num (m, PROTO_SCAN_MANUAL, 1);
	proto_hash_set (m, PROTO_SCAN_CONTEXT, "cage", "DPD-1");
	uint8_t *d = proto_encode (m, size);
	proto_msg_destroy (&m);
	return d;
}

int
main (void)
{
	/* Round trips for every message. */
	proto_msg_t *m = proto_msg_new (PROTO_SCAN);
	proto_msg_set_terminal (m, "bench-3");
	proto_msg_set_seq (m, 4000000000u);
	proto_set_str (m, PROTO_SCAN_STEP, "receive");
	proto_set_str (m, PROTO_SCAN_CODE, "]C1\x1d" "00395123451234567895");
	proto_set_num (m, PROTO_SCAN_MANUAL, 1);
	proto_hash_set (m, PROTO_SCAN_CONTEXT, "cage", "UPS-2");
	proto_hash_set (m, PROTO_SCAN_CONTEXT, "order", "W1");
	proto_hash_set (m, PROTO_SCAN_CONTEXT, "order", "W2");
	proto_msg_t *r = roundtrip (m, NULL);
	ok (r != NULL, "SCAN round-trips");
	if (r) {
		is_int (proto_msg_id (r), PROTO_SCAN, "id kept");
		is_str (proto_msg_terminal (r), "bench-3", "terminal kept");
		is_int (proto_msg_seq (r), 4000000000u, "32-bit sequence kept");
		is_str (proto_get_str (r, PROTO_SCAN_STEP), "receive", "step kept");
		is_str (proto_get_str (r, PROTO_SCAN_CODE), "]C1\x1d" "00395123451234567895", "GS and symbology id kept");
		is_int (proto_get_num (r, PROTO_SCAN_MANUAL), 1, "manual flag kept");
		is_int (proto_hash_size (r, PROTO_SCAN_CONTEXT), 2, "hash set replaces a repeated key");
		is_str (proto_hash_get (r, PROTO_SCAN_CONTEXT, "order"), "W2", "hash value kept");
		is_str (proto_hash_key (r, PROTO_SCAN_CONTEXT, 0), "cage", "hash order kept");
	}
	proto_msg_destroy (&r);
	proto_msg_destroy (&m);

	static const int ids[] = { PROTO_HELLO, PROTO_LOGIN, PROTO_LOGOUT, PROTO_SCAN, PROTO_COMMAND, PROTO_PING,
		PROTO_REPLY, PROTO_ERROR, PROTO_EVENT };
	for (size_t i = 0; i < nitems (ids); i++) {
		m = proto_msg_new (ids[i]);
		proto_msg_set_terminal (m, "t1");
		proto_msg_set_seq (m, (uint32_t) i);
		r = roundtrip (m, NULL);
		ok (r && proto_msg_id (r) == ids[i] && proto_msg_seq (r) == i, "%s with empty fields round-trips",
		    proto_id_name (ids[i]));
		proto_msg_destroy (&r);
		proto_msg_destroy (&m);
	}
	ok (proto_msg_new (99) == NULL, "unknown id cannot be built");
	ok (proto_is_request (PROTO_SCAN) && !proto_is_request (PROTO_REPLY), "requests and replies told apart");
	is_str (proto_reason_name (PR_ON_HOLD), "ON_HOLD", "reason names come from the table");
	ok (proto_reason_name (999) == NULL, "unknown reason has no name");

	m = proto_msg_new (PROTO_REPLY);
	proto_msg_set_terminal (m, "t1");
	proto_set_num (m, PROTO_REPLY_STATUS, PROTO_ALARM);
	proto_set_num (m, PROTO_REPLY_REASON, PR_ON_HOLD);
	proto_set_str (m, PROTO_REPLY_TEXT, "On hold: do not load");
	proto_hash_setf (m, PROTO_REPLY_DATA, "count", "%d", 7);
	r = roundtrip (m, NULL);
	ok (r && proto_get_num (r, PROTO_REPLY_STATUS) == PROTO_ALARM && proto_get_num (r, PROTO_REPLY_REASON) == PR_ON_HOLD,
	    "REPLY status and reason kept");
	is_str (r ? proto_hash_get (r, PROTO_REPLY_DATA, "count") : NULL, "7", "REPLY data kept");
	proto_msg_destroy (&r);
	proto_msg_destroy (&m);

	/* The encoder refuses what the decoder would refuse. */
	m = proto_msg_new (PROTO_LOGIN);
	char longbadge[300];
	memset (longbadge, 'x', sizeof longbadge - 1);
	longbadge[sizeof longbadge - 1] = '\0';
	proto_set_str (m, PROTO_LOGIN_BADGE, longbadge);
	size_t sz;
	uint8_t *d = proto_encode (m, &sz);
	ok (d == NULL, "encoder refuses a field longer than its limit");
	free (d);
	proto_msg_destroy (&m);
	m = proto_msg_new (PROTO_REPLY);
	proto_set_num (m, PROTO_REPLY_STATUS, 9);
	d = proto_encode (m, &sz);
	ok (d == NULL, "encoder refuses a status out of range");
	free (d);
	proto_msg_destroy (&m);
	m = proto_msg_new (PROTO_COMMAND);
	proto_hash_set (m, PROTO_COMMAND_ARGS, "bad key", "v");
	d = proto_encode (m, &sz);
	ok (d == NULL, "encoder refuses a hash key with a space");
	free (d);
	proto_msg_destroy (&m);

	/* Malformed frames. */
	size_t size;
	uint8_t *good = sample_scan (&size);
	ok (!refused (good, size, NULL), "the sample frame decodes");
	int all_truncations = 1;
	for (size_t n = 0; n < size; n++)
		if (!refused (good, n, NULL))
			all_truncations = 0;
	ok (all_truncations, "every truncation of a SCAN (%zu of them) is malformed", size);

	uint8_t *buf = xmalloc (size + 8);
	memcpy (buf, good, size);
	buf[size] = 0;
	ok (refused (buf, size + 1, "trailing garbage"), "trailing byte refused");
	memcpy (buf, good, size);
	buf[0] = 'X';
	ok (refused (buf, size, "signature"), "bad signature refused");
	memcpy (buf, good, size);
	buf[2] = 2;
	int version = 0;
	proto_msg_t *none = NULL;
	char err[160];
	ok (proto_decode (buf, size, &none, &version, err, sizeof err) == -1 && version == 2,
	    "another version refused and reported (%s)", err);
	memcpy (buf, good, size);
	buf[3] = 77;
	ok (refused (buf, size, "unknown message id"), "unknown message id refused");
	memcpy (buf, good, size);
	buf[5] = '!'; /* inside the terminal id "hh-07" */
	ok (refused (buf, size, "terminal"), "terminal id with a forbidden character refused");
	memcpy (buf, good, size);
	buf[5] = 0;
	ok (refused (buf, size, "terminal"), "NUL inside the terminal id refused");

	/* Hand-built frames for the typed checks. */
	static const uint8_t manual_out_of_range[] = { 'D', 'S', 1, PROTO_SCAN, 1, 't', 0, 0, 0, 1, 1, 'r', 0, 0, 0,
		1, 'x', 2, 0, 0 };
	ok (refused (manual_out_of_range, sizeof manual_out_of_range, "manual"), "manual flag 2 refused");
	static const uint8_t dup_key[] = { 'D', 'S', 1, PROTO_COMMAND, 1, 't', 0, 0, 0, 1, 1, 'n', 0, 2, 1, 'k', 0,
		0, 0, 1, 'a', 1, 'k', 0, 0, 0, 1, 'b' };
	ok (refused (dup_key, sizeof dup_key, "repeated"), "repeated hash key refused");
	static const uint8_t empty_key[] = { 'D', 'S', 1, PROTO_COMMAND, 1, 't', 0, 0, 0, 1, 1, 'n', 0, 1, 0, 0, 0,
		0, 1, 'a' };
	ok (refused (empty_key, sizeof empty_key, "empty key"), "empty hash key refused");
	static const uint8_t huge_len[] = { 'D', 'S', 1, PROTO_SCAN, 1, 't', 0, 0, 0, 1, 1, 'r', 0xff, 0xff, 0xff,
		0xff, 'x' };
	ok (refused (huge_len, sizeof huge_len, "longer than"), "a 4 GiB length is refused without allocating");
	static const uint8_t too_many_pairs[] = { 'D', 'S', 1, PROTO_COMMAND, 1, 't', 0, 0, 0, 1, 1, 'n', 0xff, 0xff };
	ok (refused (too_many_pairs, sizeof too_many_pairs, "pairs"), "65535 hash pairs refused");
	static const uint8_t reply_from_terminal[] = { 'D', 'S', 1, PROTO_PING, 0, 0, 0, 0, 1 };
	proto_msg_t *ping = NULL;
	ok (proto_decode (reply_from_terminal, sizeof reply_from_terminal, &ping, NULL, err, sizeof err) == 0
	        && *proto_msg_terminal (ping) == '\0',
	    "an empty terminal id decodes (the hub refuses it with a message)");
	proto_msg_destroy (&ping);
	uint8_t *big = xcalloc (1, PROTO_MAX_MESSAGE + 1);
	memcpy (big, good, size);
	ok (refused (big, PROTO_MAX_MESSAGE + 1, "larger than"), "a frame over the size limit is refused");
	free (big);
	free (buf);
	free (good);
	return tap_done ();
}
