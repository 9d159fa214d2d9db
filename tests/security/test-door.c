/*
 * test-door.c: text is checked at the protocol's door. Every text field of
 * every request (HELLO station, profile, software; LOGIN badge, PIN; SCAN
 * step, code, context; COMMAND name, arguments) is sent to a real hub with
 * bytes that are not UTF-8, with an escape sequence, with a new line and
 * (by hand, the encoder takes C strings) with a NUL: each is refused
 * BAD_TEXT naming the field, echoing terminal and seq, and nothing is
 * stored: no terminal row, no stored reply, no scan, note or audit event,
 * and none of the bytes in the database file or its WAL. The hub's log
 * shows the refusals escaped, names the sender, and a flood of them costs
 * a few lines and a count. A good request is answered afterwards.
 */
#include "config.h"
#include "log.h"
#include "tests/security/seclib.h"
#include "text.h"
#include "tests/tap.h"
#include "tests/testlib.h"
#include "util.h"

#include <czmq.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct {
	const char *bytes;
	const char *what;
} bad[] = {
	{ "Zo\xc3\x28 Quix", "bytes that are not UTF-8" },
	{ "\x1b]0;pwned\x07Quix", "an escape sequence" },
	{ "Quix\nforged line", "a new line" },
	{ "Quix\xc2\x9b" "31m", "a C1 control" },
};

/* A request with one field set to text; the others good. */
static proto_msg_t *
with_field (int id, const char *field, const char *text)
{
	proto_msg_t *m = proto_msg_new (id);
	switch (id) {
	case PROTO_HELLO:
		proto_set_str (m, PROTO_HELLO_STATION, strcmp (field, "station") == 0 ? text : "desk");
		proto_set_str (m, PROTO_HELLO_PROFILE, strcmp (field, "profile") == 0 ? text : "handheld");
		proto_set_str (m, PROTO_HELLO_SOFTWARE, strcmp (field, "software") == 0 ? text : "tests");
		break;
	case PROTO_LOGIN:
		proto_set_str (m, PROTO_LOGIN_BADGE, strcmp (field, "badge") == 0 ? text : "B3001");
		proto_set_str (m, PROTO_LOGIN_PIN, strcmp (field, "pin") == 0 ? text : "3333");
		break;
	case PROTO_SCAN:
		proto_set_str (m, PROTO_SCAN_STEP, strcmp (field, "step") == 0 ? text : "enquiry");
		proto_set_str (m, PROTO_SCAN_CODE, strcmp (field, "code") == 0 ? text : "W1000001");
		proto_hash_set (m, PROTO_SCAN_CONTEXT, "cage", strcmp (field, "context") == 0 ? text : "CAGE-DPD");
		break;
	case PROTO_COMMAND:
		proto_set_str (m, PROTO_COMMAND_NAME, strcmp (field, "name") == 0 ? text : "note");
		proto_hash_set (m, PROTO_COMMAND_ARGS, "code", "W1000001");
		proto_hash_set (m, PROTO_COMMAND_ARGS, "text", strcmp (field, "args") == 0 ? text : "call first");
		break;
	}
	return m;
}

static const struct {
	int id;
	const char *field;
	const char *named; /* as the refusal names it */
} fields[] = {
	{ PROTO_HELLO, "station", "HELLO station" },
	{ PROTO_HELLO, "profile", "HELLO profile" },
	{ PROTO_HELLO, "software", "HELLO software" },
	{ PROTO_LOGIN, "badge", "LOGIN badge" },
	{ PROTO_LOGIN, "pin", "LOGIN pin" },
	{ PROTO_SCAN, "step", "SCAN step" },
	{ PROTO_SCAN, "code", "SCAN code" },
	{ PROTO_SCAN, "context", "SCAN context 'cage'" },
	{ PROTO_COMMAND, "name", "COMMAND name" },
	{ PROTO_COMMAND, "args", "COMMAND args 'text'" },
};

/* The output of a shell command as a number (the command is freed). */
static long
sh_num (char *cmd)
{
	char *out = testlib_run (cmd);
	long n = out ? atol (out) : -1;
	free (out);
	free (cmd);
	return n;
}

/* Refusals the log accounts for: lines written, plus the counts it gave of those it did not write. */
static long
log_accounted (const char *path)
{
	FILE *f = fopen (path, "r");
	char line[2048];
	long n = 0;
	while (f && fgets (line, sizeof line, f)) {
		const char *p;
		if (strstr (line, "message refused (BAD_TEXT)"))
			n++;
		if ((p = strstr (line, "(and ")) && strstr (p, "more like it before, not logged)"))
			n += atol (p + 5);
		if ((p = strstr (line, ": ")) && strstr (line, "more warnings were not logged")) {
			const char *q = strstr (line, " more warnings were not logged");
			while (q > line && q[-1] >= '0' && q[-1] <= '9')
				q--;
			n += atol (q);
		}
	}
	if (f)
		fclose (f);
	return n;
}

/* Rows of the tables a request could have written. */
static long long
stored_rows (const char *db)
{
	return testlib_sql_int (db, "SELECT (SELECT count(*) FROM terminals) + (SELECT count(*) FROM requests)"
	    " + (SELECT count(*) FROM scans) + (SELECT count(*) FROM notes) + (SELECT count(*) FROM events)"
	    " + (SELECT count(*) FROM holds)");
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
	/* A logged-in terminal, so SCAN and COMMAND would reach their handlers. */
	proto_msg_t *r = sec_hello (t, "hh-door", 0xF0000001u, "desk");
	proto_msg_destroy (&r);
	r = sec_login (t, "hh-door", 1, "B3001", "3333");
	is_int (testlib_status (r), PROTO_OK, "hh-door logged in");
	proto_msg_destroy (&r);
	long long before = stored_rows (hub.database);
	char *station = testlib_sql_text (hub.database, "SELECT station || software FROM terminals WHERE terminal = 'hh-door'");

	uint32_t seq = 10;
	for (size_t f = 0; f < nitems (fields); f++)
		for (size_t b = 0; b < nitems (bad); b++) {
			proto_msg_t *m = with_field (fields[f].id, fields[f].field, bad[b].bytes);
			uint32_t s = fields[f].id == PROTO_HELLO ? 0xF0000100u + seq : seq;
			r = sec_call (t, m, "hh-door", s);
			ok (sec_error (r) == PR_BAD_TEXT && strstr (sec_text (r), fields[f].named) != NULL
			        && proto_msg_seq (r) == s && strcmp (proto_msg_terminal (r), "hh-door") == 0,
			    "%s with %s: BAD_TEXT naming it, echoed: %s", fields[f].named, bad[b].what, sec_text (r));
			ok (r && text_ok (sec_text (r), 0), "  the refusal itself is clean text");
			proto_msg_destroy (&r);
			proto_msg_destroy (&m);
			seq++;
		}
	/* NUL: by hand, in a SCAN code and in a COMMAND argument. */
	static const uint8_t nul_code[] = { 'D', 'S', 1, PROTO_SCAN, 7, 'h', 'h', '-', 'd', 'o', 'o', 'r', 0, 0, 0, 90, 7,
		'e', 'n', 'q', 'u', 'i', 'r', 'y', 0, 0, 0, 9, 'W', '1', '0', 0, '0', '0', '0', '0', '1', 0, 0, 0 };
	r = sec_call_raw (t, nul_code, sizeof nul_code);
	ok (sec_error (r) == PR_BAD_TEXT && strstr (sec_text (r), "SCAN code: a NUL byte at position 4"),
	    "a NUL inside a SCAN code: BAD_TEXT, not a code cut short: %s", sec_text (r));
	proto_msg_destroy (&r);
	static const uint8_t nul_arg[] = { 'D', 'S', 1, PROTO_COMMAND, 7, 'h', 'h', '-', 'd', 'o', 'o', 'r', 0, 0, 0, 91,
		4, 'n', 'o', 't', 'e', 0, 2, 4, 'c', 'o', 'd', 'e', 0, 0, 0, 8, 'W', '1', '0', '0', '0', '0', '0', '1', 4,
		't', 'e', 'x', 't', 0, 0, 0, 4, 'o', 'k', 0, '!' };
	r = sec_call_raw (t, nul_arg, sizeof nul_arg);
	ok (sec_error (r) == PR_BAD_TEXT && strstr (sec_text (r), "COMMAND args 'text': a NUL byte"),
	    "a NUL inside a note's text: BAD_TEXT: %s", sec_text (r));
	proto_msg_destroy (&r);

	/* Nothing of it stored. */
	is_int (stored_rows (hub.database), before, "no row written by any of them (terminals, requests, scans, notes, events)");
	char *now = testlib_sql_text (hub.database, "SELECT station || software FROM terminals WHERE terminal = 'hh-door'");
	is_str (now, station, "hh-door's station and software unchanged by the refused HELLOs");
	free (now);
	free (station);
	char *wal = xasprintf ("%s-wal", hub.database);
	long found = 0;
	for (size_t b = 0; b < nitems (bad); b++)
		found += sec_file_count (hub.database, bad[b].bytes, false) + sec_file_count (wal, bad[b].bytes, false);
	is_int (found, 0, "none of the bytes in the database file or its WAL");
	is_int (sec_file_count (hub.database, "pwned", false) + sec_file_count (wal, "pwned", false), 0, "  not even the text inside the escape");

	/* Numbers in arguments are decimal text: digits only. */
	static const char *const weights[] = { "+500", " 500", "500 ", "0x1f4", "5e2" };
	for (size_t i = 0; i < nitems (weights); i++) {
		r = sec_command (t, "hh-door", 200 + (uint32_t) i, "quote", "order", "W1000001", "weight", weights[i], NULL);
		ok (testlib_status (r) == PROTO_REFUSED && testlib_reason (r) == PR_BAD_ARGUMENT,
		    "quote weight '%s': refused BAD_ARGUMENT: %s", weights[i], testlib_text (r));
		proto_msg_destroy (&r);
	}
	r = sec_command (t, "hh-door", 210, "quote", "order", "W1000001", "weight", "500", NULL);
	is_int (testlib_status (r), PROTO_OK, "quote weight '500': taken");
	proto_msg_destroy (&r);

	/* The log: escaped, naming the sender. */
	char *logf = xasprintf ("%s/hub.log", hub.dir);
	is_int (sec_file_count (logf, "\x1b", false) + sec_file_count (logf, "\nforged line", false), 0,
	    "no escape byte and no forged line in the hub's log");
	ok (sec_file_count (logf, "message refused (BAD_TEXT): HELLO station: not valid UTF-8", false) == 1,
	    "the refusal is logged with the field and the fault");
	long logged = sh_num (xasprintf ("grep -c 'message refused (BAD_TEXT)' '%s'", logf));
	ok (logged >= 1 && logged <= LOG_PEER_BURST * 2, "%d refusals in a burst: %ld lines (at most %d a window)",
	    (int) (seq - 10) + 2, logged, LOG_PEER_BURST);

	/* A flood of bad frames from one device. */
	for (int i = 0; i < 2000; i++) {
		zframe_t *fr = zframe_new (nul_code, sizeof nul_code);
		zframe_send (&fr, t, 0);
	}
	int answered = 0;
	for (int i = 0; i < 2000; i++) {
		zframe_t *fr = zframe_recv (t);
		if (fr == NULL)
			break;
		answered++;
		zframe_destroy (&fr);
	}
	is_int (answered, 2000, "2,000 bad frames: each answered with an ERROR");
	r = sec_bare (t, PROTO_PING, "hh-door", 0xF0000001u);
	is_int (testlib_status (r), PROTO_OK, "and the next good request answered");
	proto_msg_destroy (&r);
	long lines = sh_num (xasprintf ("wc -l < '%s'", logf));
	ok (lines > 0 && lines < 60, "the hub's log holds %ld lines after them", lines);

	zsock_destroy (&t);
	is_int (testlib_hub_stop (&hub), 0, "hub stops cleanly");
	long total = (long) (seq - 10) + 2 + 2000;
	is_int (log_accounted (logf), total, "every one of the %ld refusals is in the log, as a line or in a count", total);
	ok (sh_num (xasprintf ("grep -c ': [0-9]* more warnings were not logged' '%s'", logf)) >= 1,
	    "the count is said on a line of its own, naming the sender");
	free (wal);
	free (logf);
	return tap_done ();
}
