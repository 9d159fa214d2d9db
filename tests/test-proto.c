/*
 * test-proto.c: the wire codec round-trips and refuses every frame it
 * does not fully understand, each case with its one reason code
 * (doc/protocol.md section 3): a frame broken in form is MALFORMED, another
 * version BAD_VERSION, a field over its limit TOO_LARGE, an unknown message
 * UNKNOWN_COMMAND, text that is not UTF-8 or holds a control character
 * BAD_TEXT naming the field; the header read so far comes back for the
 * refusal to echo. The sequence ranges of section 7.
 */
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

/* Refused with reason (0: any), and err holding want_in_err when given. */
static int
refused_as (const uint8_t *data, size_t size, int reason, const char *want_in_err)
{
	proto_msg_t *m = NULL;
	char err[200] = "";
	int rc = proto_decode (data, size, &m, NULL, err, sizeof err);
	int ok_ = rc != 0 && (reason == 0 || rc == reason) && m == NULL
	    && (want_in_err == NULL || strstr (err, want_in_err) != NULL);
	if (!ok_)
		diag ("rc=%d (%s) err='%s' wanted %s '%s'", rc, proto_reason_name (rc) ? proto_reason_name (rc) : "-", err,
		    reason ? proto_reason_name (reason) : "any", want_in_err ? want_in_err : "");
	proto_msg_destroy (&m);
	return ok_;
}

static int
refused (const uint8_t *data, size_t size, const char *want_in_err)
{
	return refused_as (data, size, 0, want_in_err);
}

/* A SCAN whose code is n bytes of code, encoded by hand (the encoder takes C strings). */
static uint8_t *
scan_with_code (const char *code, size_t n, size_t *size)
{
	uint8_t *b = xmalloc (64 + n);
	size_t o = 0;
	static const uint8_t head[] = { 'D', 'S', 1, PROTO_SCAN, 5, 'h', 'h', '-', '0', '7', 0, 0, 0, 42, 7, 'r', 'e',
		'c', 'e', 'i', 'v', 'e' };
	memcpy (b, head, sizeof head);
	o = sizeof head;
	b[o++] = (uint8_t) (n >> 24);
	b[o++] = (uint8_t) (n >> 16);
	b[o++] = (uint8_t) (n >> 8);
	b[o++] = (uint8_t) n;
	memcpy (b + o, code, n);
	o += n;
	b[o++] = 0; /* manual */
	b[o++] = 0; /* context: no pairs */
	b[o++] = 0;
	*size = o;
	return b;
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
	proto_msg_t *sample = NULL;
	char serr[200];
	ok (proto_decode (good, size, &sample, NULL, serr, sizeof serr) == 0, "the sample frame decodes");
	proto_msg_destroy (&sample);
	int all_truncations = 1;
	for (size_t n = 0; n < size; n++)
		if (!refused (good, n, NULL))
			all_truncations = 0;
	ok (all_truncations, "every truncation of a SCAN (%zu of them) is malformed", size);

	uint8_t *buf = xmalloc (size + 8);
	memcpy (buf, good, size);
	buf[size] = 0;
	ok (refused_as (buf, size + 1, PR_MALFORMED, "trailing garbage"), "trailing byte: MALFORMED");
	memcpy (buf, good, size);
	buf[0] = 'X';
	ok (refused_as (buf, size, PR_MALFORMED, "not a despatch message"), "bad signature: MALFORMED");
	struct proto_head head;
	proto_msg_t *none = NULL;
	char err[200];
	for (int v = 0; v < 256; v += 255) {
		memcpy (buf, good, size);
		buf[2] = (uint8_t) v;
		int rc = proto_decode (buf, size, &none, &head, err, sizeof err);
		ok (rc == PR_BAD_VERSION && head.version == v && !head.has_ids, "version %d: BAD_VERSION, reported (%s)", v,
		    err);
	}
	memcpy (buf, good, size);
	buf[2] = 2;
	ok (refused_as (buf, size, PR_BAD_VERSION, "version 2"), "version 2: BAD_VERSION");
	memcpy (buf, good, size);
	buf[3] = 77;
	ok (proto_decode (buf, size, &none, &head, err, sizeof err) == PR_UNKNOWN_COMMAND && head.has_ids
	        && strcmp (head.terminal, "hh-07") == 0 && head.seq == 42 && head.id == 77,
	    "unknown message id: UNKNOWN_COMMAND, with the terminal and seq read for the refusal (%s)", err);
	memcpy (buf, good, size);
	buf[5] = '!'; /* inside the terminal id "hh-07" */
	ok (refused_as (buf, size, PR_MALFORMED, "terminal"), "terminal id with a forbidden character: MALFORMED");
	ok (proto_decode (buf, size, &none, &head, err, sizeof err) != 0 && !head.has_ids && head.version == 1
	        && head.id == PROTO_SCAN, "and the header says what it could (version, id; no terminal)");
	memcpy (buf, good, size);
	buf[5] = 0;
	ok (refused_as (buf, size, PR_BAD_TEXT, "terminal"), "NUL inside the terminal id: BAD_TEXT");
	/* A field broken after the header: the refusal still knows terminal and seq. */
	memcpy (buf, good, size);
	buf[size - 3] = '\xff';
	ok (proto_decode (buf, size, &none, &head, err, sizeof err) != 0 && head.has_ids
	        && strcmp (head.terminal, "hh-07") == 0 && head.seq == 42,
	    "a field broken after the header: terminal and seq still read (%s)", err);

	/* Hand-built frames for the typed checks. */
	static const uint8_t manual_out_of_range[] = { 'D', 'S', 1, PROTO_SCAN, 1, 't', 0, 0, 0, 1, 1, 'r', 0, 0, 0,
		1, 'x', 2, 0, 0 };
	ok (refused_as (manual_out_of_range, sizeof manual_out_of_range, PR_TOO_LARGE, "SCAN manual: 2 is above its limit of 1"),
	    "manual flag 2: TOO_LARGE, the field named");
	static const uint8_t dup_key[] = { 'D', 'S', 1, PROTO_COMMAND, 1, 't', 0, 0, 0, 1, 1, 'n', 0, 2, 1, 'k', 0,
		0, 0, 1, 'a', 1, 'k', 0, 0, 0, 1, 'b' };
	ok (refused_as (dup_key, sizeof dup_key, PR_MALFORMED, "repeated"), "repeated hash key: MALFORMED");
	static const uint8_t empty_key[] = { 'D', 'S', 1, PROTO_COMMAND, 1, 't', 0, 0, 0, 1, 1, 'n', 0, 1, 0, 0, 0,
		0, 1, 'a' };
	ok (refused_as (empty_key, sizeof empty_key, PR_MALFORMED, "empty key"), "empty hash key: MALFORMED");
	static const uint8_t huge_len[] = { 'D', 'S', 1, PROTO_SCAN, 1, 't', 0, 0, 0, 1, 1, 'r', 0xff, 0xff, 0xff,
		0xff, 'x' };
	ok (refused_as (huge_len, sizeof huge_len, PR_TOO_LARGE, "SCAN code: 4294967295 bytes, more than its limit of 4096"),
	    "a 4 GiB code length: TOO_LARGE, the field named, nothing allocated");
	static const uint8_t too_many_pairs[] = { 'D', 'S', 1, PROTO_COMMAND, 1, 't', 0, 0, 0, 1, 1, 'n', 0xff, 0xff };
	ok (refused_as (too_many_pairs, sizeof too_many_pairs, PR_TOO_LARGE, "pairs, more than its limit of 64"),
	    "65535 hash pairs: TOO_LARGE");
	static const uint8_t pairs_past_end[] = { 'D', 'S', 1, PROTO_COMMAND, 1, 't', 0, 0, 0, 1, 1, 'n', 0, 60 };
	ok (refused_as (pairs_past_end, sizeof pairs_past_end, PR_MALFORMED, "frame ends first"),
	    "60 pairs in a frame with no room for them: MALFORMED before allocating");
	static const uint8_t long_step[] = { 'D', 'S', 1, PROTO_SCAN, 1, 't', 0, 0, 0, 1, 33, 'r' };
	ok (refused_as (long_step, sizeof long_step, PR_TOO_LARGE, "SCAN step: 33 bytes, more than its limit of 32"),
	    "a step of 33 bytes: TOO_LARGE");
	static const uint8_t reply_from_terminal[] = { 'D', 'S', 1, PROTO_PING, 0, 0, 0, 0, 1 };
	proto_msg_t *ping = NULL;
	ok (proto_decode (reply_from_terminal, sizeof reply_from_terminal, &ping, NULL, err, sizeof err) == 0
	        && *proto_msg_terminal (ping) == '\0',
	    "an empty terminal id decodes (the hub refuses it with a message)");
	proto_msg_destroy (&ping);
	uint8_t *big = xcalloc (1, PROTO_MAX_MESSAGE + 1);
	memcpy (big, good, size);
	ok (refused_as (big, PROTO_MAX_MESSAGE + 1, PR_TOO_LARGE, "larger than"), "a frame over the size limit: TOO_LARGE");
	free (big);
	free (buf);
	free (good);

	/* Text at the door: every request field, BAD_TEXT naming the field. */
	static const struct {
		const char *code;
		size_t n;
		int reason;
		const char *why;
	} codes[] = {
		{ "W1000001", 8, 0, "a plain ticket" },
		{ "]C1" "00395123451234567895\x1d" "4218261234", 32, 0, "GS1 with a GS separator" },
		{ "[)>\x1e" "01\x1d" "961Z12345E0205271688\x1dUPSN\x1d\x1e\x04", 35, 0, "a MaxiCode's RS, GS and EOT" },
		{ "Ærøskøbing", 13, 0, "UTF-8 letters" },
		{ "W10\xff" "0001", 8, PR_BAD_TEXT, "a byte that is not UTF-8" },
		{ "W1\xc3", 3, PR_BAD_TEXT, "a cut UTF-8 sequence" },
		{ "\xed\xa0\x80", 3, PR_BAD_TEXT, "a surrogate" },
		{ "W1\0" "001", 6, PR_BAD_TEXT, "a NUL" },
		{ "W1\n0001", 7, PR_BAD_TEXT, "a new line" },
		{ "W1\x1b[2J", 7, PR_BAD_TEXT, "an escape sequence" },
		{ "W1\xc2\x9b" "0", 5, PR_BAD_TEXT, "a C1 control (CSI)" },
		{ "W1\x7f", 3, PR_BAD_TEXT, "DEL" },
	};
	for (size_t i = 0; i < nitems (codes); i++) {
		size_t n;
		uint8_t *f = scan_with_code (codes[i].code, codes[i].n, &n);
		if (codes[i].reason == 0) {
			proto_msg_t *got = NULL;
			int rc = proto_decode (f, n, &got, NULL, err, sizeof err);
			ok (rc == 0 && got && memcmp (proto_get_str (got, PROTO_SCAN_CODE), codes[i].code, codes[i].n) == 0,
			    "SCAN code with %s: taken as it came", codes[i].why);
			proto_msg_destroy (&got);
		} else {
			ok (refused_as (f, n, codes[i].reason, "SCAN code: "), "SCAN code with %s: BAD_TEXT naming the field",
			    codes[i].why);
		}
		free (f);
	}
	/* A GS is a scanned code's only: anywhere else it is a control character. */
	static const uint8_t gs_in_step[] = { 'D', 'S', 1, PROTO_SCAN, 1, 't', 0, 0, 0, 1, 2, 'r', 0x1d, 0, 0, 0, 1,
		'x', 0, 0, 0 };
	ok (refused_as (gs_in_step, sizeof gs_in_step, PR_BAD_TEXT, "SCAN step: the control character U+001D"),
	    "GS in the step: BAD_TEXT");
	static const uint8_t badge_latin1[] = { 'D', 'S', 1, PROTO_LOGIN, 1, 't', 0, 0, 0, 1, 2, 'B', 0xe9, 4, '1',
		'1', '1', '1' };
	ok (refused_as (badge_latin1, sizeof badge_latin1, PR_BAD_TEXT, "LOGIN badge: not valid UTF-8 (byte 0xE9 at position 2)"),
	    "a Latin-1 badge: BAD_TEXT, byte and position named");
	static const uint8_t hello_esc[] = { 'D', 'S', 1, PROTO_HELLO, 1, 't', 0, 0, 0, 1, 2, 'D', 0x1b, 0, 0 };
	ok (refused_as (hello_esc, sizeof hello_esc, PR_BAD_TEXT, "HELLO station"), "an escape in HELLO's station: BAD_TEXT");
	static const uint8_t arg_nl[] = { 'D', 'S', 1, PROTO_COMMAND, 1, 't', 0, 0, 0, 1, 4, 'n', 'o', 't', 'e', 0, 1,
		4, 't', 'e', 'x', 't', 0, 0, 0, 3, 'a', '\n', 'b' };
	ok (refused_as (arg_nl, sizeof arg_nl, PR_BAD_TEXT, "COMMAND args 'text': the control character U+000A"),
	    "a new line in a command argument: BAD_TEXT naming the argument");
	static const uint8_t ctx_bad[] = { 'D', 'S', 1, PROTO_SCAN, 1, 't', 0, 0, 0, 1, 1, 'r', 0, 0, 0, 1, 'x', 0, 0,
		1, 4, 'c', 'a', 'g', 'e', 0, 0, 0, 2, 0xc0, 0xaf };
	ok (refused_as (ctx_bad, sizeof ctx_bad, PR_BAD_TEXT, "SCAN context 'cage': not valid UTF-8"),
	    "an overlong form in a context value: BAD_TEXT");
	/* Replies are the hub's: a terminal still reads one stored before text was checked. */
	static const uint8_t old_reply[] = { 'D', 'S', 1, PROTO_REPLY, 1, 't', 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 2, 'o',
		0xe9, 0, 0 };
	proto_msg_t *rep = NULL;
	ok (proto_decode (old_reply, sizeof old_reply, &rep, NULL, err, sizeof err) == 0,
	    "a REPLY with a Latin-1 byte still decodes (only NUL is refused in replies)");
	proto_msg_destroy (&rep);

	/* Sequence numbers (section 7). */
	ok (proto_seq_check (PROTO_SCAN, 0) == PR_BAD_SEQUENCE, "seq 0 (the EVENTs') for a SCAN: BAD_SEQUENCE");
	ok (proto_seq_check (PROTO_HELLO, 0) == PR_BAD_SEQUENCE && proto_seq_check (PROTO_PING, 0) == PR_BAD_SEQUENCE,
	    "seq 0 for HELLO or PING: BAD_SEQUENCE");
	ok (proto_seq_check (PROTO_SCAN, 1) == 0 && proto_seq_check (PROTO_COMMAND, PROTO_SEQ_MAX) == 0,
	    "1 and %u are a stored request's first and last", PROTO_SEQ_MAX);
	ok (proto_seq_check (PROTO_LOGIN, PROTO_SEQ_MAX + 1) == PR_BAD_SEQUENCE
	        && proto_seq_check (PROTO_SCAN, 4294967295u) == PR_BAD_SEQUENCE,
	    "%u and 4294967295 for a stored request: BAD_SEQUENCE", PROTO_SEQ_MAX + 1);
	ok (proto_seq_check (PROTO_PING, 4294967295u) == 0 && proto_seq_check (PROTO_HELLO, PROTO_SEQ_MAX + 1) == 0,
	    "HELLO and PING may use the numbers above (not stored)");
	ok (proto_seq_check (PROTO_EVENT, 0) == 0, "an EVENT carries 0");
	ok (proto_is_stored (PROTO_SCAN) && proto_is_stored (PROTO_LOGIN) && !proto_is_stored (PROTO_HELLO)
	        && !proto_is_stored (PROTO_PING) && !proto_is_stored (PROTO_REPLY),
	    "stored requests: LOGIN, LOGOUT, SCAN, COMMAND");
	is_str (proto_reason_name (PR_WRONG_TERMINAL), "WRONG_TERMINAL", "the new reasons have names");
	ok (proto_reason_name (PR_SEQUENCE_REUSED) && proto_reason_name (PR_BAD_TEXT) && proto_reason_name (PR_BAD_SEQUENCE),
	    "SEQUENCE_REUSED, BAD_TEXT, BAD_SEQUENCE");
	return tap_done ();
}
