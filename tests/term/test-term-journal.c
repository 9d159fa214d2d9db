/*
 * test-term-journal.c: what the terminal's journal keeps, read back from
 * its files' bytes. A kept scan is in the file or its WAL (so the search
 * can see); once answered (removed), neither the file, the WAL nor the
 * shared-memory index holds its code or its context; the same for a scan
 * the hub refused later, once the list is cleared; anything but a scan
 * (a COMMAND with a note's text, a LOGIN with a PIN) is refused and leaves
 * nothing; a terminal killed between an answer and its scrub, and a
 * version-1 journal, which deleted without overwriting, are wiped when
 * the journal is next opened. What is still waiting survives a restart.
 */
#include "config.h"
#include "db.h"
#include "proto.h"
#include "tests/tap.h"
#include "tests/testlib.h"
#include "terminal/term-journal.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[256];
static char *path;

/* True when text occurs in the journal file, its -wal or its -shm, byte for byte. */
static bool
on_disk (const char *text)
{
	static const char *suffix[] = { "", "-wal", "-shm" };
	bool found = false;
	for (size_t i = 0; i < nitems (suffix) && !found; i++) {
		char *p = xasprintf ("%s%s", path, suffix[i]);
		FILE *f = fopen (p, "rb");
		free (p);
		if (f == NULL)
			continue;
		size_t cap = 1 << 16, n = 0, r;
		char *buf = malloc (cap);
		while ((r = fread (buf + n, 1, cap - n, f)) > 0) {
			n += r;
			if (n == cap)
				buf = realloc (buf, cap *= 2);
		}
		fclose (f);
		found = memmem (buf, n, text, strlen (text)) != NULL;
		free (buf);
	}
	return found;
}

static proto_msg_t *
scan (const char *step, const char *code, const char *ctx_value)
{
	proto_msg_t *m = proto_msg_new (PROTO_SCAN);
	proto_msg_set_terminal (m, "hh-j");
	proto_set_str (m, PROTO_SCAN_STEP, step);
	proto_set_str (m, PROTO_SCAN_CODE, code);
	proto_set_num (m, PROTO_SCAN_MANUAL, 0);
	if (ctx_value)
		proto_hash_set (m, PROTO_SCAN_CONTEXT, "cage", ctx_value);
	return m;
}

int
main (void)
{
	testlib_tmpdir (dir, sizeof dir);
	path = xasprintf ("%s/journal.db", dir);
	char *cause = NULL;
	term_journal_t *j = term_journal_open (path, &cause);
	if (!ok (j != NULL, "journal opens%s%s", cause ? ": " : "", cause ? cause : ""))
		return tap_done ();

	/* A scan kept, then answered. */
	proto_msg_t *m = scan ("receive", "ZQJ0000001", "CAGE-ZQJ-77");
	is_int (term_journal_add (j, m, false, util_wall_ms ()), 0, "a scan is kept");
	uint32_t seq = proto_msg_seq (m);
	proto_msg_destroy (&m);
	ok (on_disk ("ZQJ0000001") && on_disk ("CAGE-ZQJ-77"), "kept: its code and context are on disk (the search sees them)");
	is_int (term_journal_remove (j, seq), 0, "answered: removed");
	ok (term_journal_scrub_due (j), "a scrub is due");
	is_int (term_journal_scrub (j), 0, "the scrub (what the terminal runs once the answer is shown)");
	ok (!term_journal_scrub_due (j), "and none is due after it");
	ok (!on_disk ("ZQJ0000001"), "answered: its code is in neither the file, the WAL nor the index");
	ok (!on_disk ("CAGE-ZQJ-77"), "nor its context");
	char *wal = xasprintf ("%s-wal", path);
	FILE *f = fopen (wal, "rb");
	long wal_size = -1;
	if (f) {
		fseek (f, 0, SEEK_END);
		wal_size = ftell (f);
		fclose (f);
	}
	is_int (wal_size, 0, "and the WAL is empty");

	/* Many scans through, as a shift's worth of answered scans: none left behind. */
	char code[32];
	bool all_kept = true;
	for (int i = 0; i < 200; i++) {
		snprintf (code, sizeof code, "ZQJ1%06d", i);
		m = scan ("scanout", code, NULL);
		all_kept &= term_journal_add (j, m, i % 3 == 0, util_wall_ms ()) == 0;
		uint32_t s = proto_msg_seq (m);
		proto_msg_destroy (&m);
		if (i % 10 != 9)
			continue;
		/* Answered ten at a time, oldest first, as after a reconnect. */
		for (uint32_t k = s - 9; k <= s; k++)
			all_kept &= term_journal_remove (j, k) == 0;
		all_kept &= term_journal_scrub (j) == 0;
	}
	ok (all_kept, "200 scans kept and answered");
	bool any = false;
	for (int i = 0; i < 200 && !any; i++) {
		snprintf (code, sizeof code, "ZQJ1%06d", i);
		any = on_disk (code);
	}
	ok (!any, "none of their codes left on disk");
	is_int (term_journal_count (j), 0, "the journal is empty");

	/* Not a scan: refused, nothing written. */
	m = proto_msg_new (PROTO_COMMAND);
	proto_set_str (m, PROTO_COMMAND_NAME, "note");
	proto_hash_set (m, PROTO_COMMAND_ARGS, "code", "W1000001");
	proto_hash_set (m, PROTO_COMMAND_ARGS, "text", "ring 07700 900461 after six");
	is_int (term_journal_add (j, m, false, util_wall_ms ()), -1, "a COMMAND is not journalled");
	proto_msg_destroy (&m);
	m = proto_msg_new (PROTO_LOGIN);
	proto_set_str (m, PROTO_LOGIN_BADGE, "B1001");
	proto_set_str (m, PROTO_LOGIN_PIN, "8642");
	is_int (term_journal_add (j, m, false, util_wall_ms ()), -1, "a LOGIN is not journalled");
	proto_msg_destroy (&m);
	ok (!on_disk ("07700 900461") && !on_disk ("8642"), "neither the note's text nor the PIN is on disk");

	/* Refused later: on the list until cleared, then gone. */
	m = scan ("receive", "ZQJ0000002", NULL);
	term_journal_add (j, m, true, util_wall_ms ());
	seq = proto_msg_seq (m);
	proto_msg_destroy (&m);
	is_int (term_journal_reject (j, seq, "ZQJ0000002 unknown: hub says ZQJ-REFUSAL-5", util_wall_ms ()), 0,
	    "a kept scan the hub refused goes to the list");
	ok (on_disk ("ZQJ0000002") && on_disk ("ZQJ-REFUSAL-5"), "the list keeps its code and the hub's words");
	is_int (term_journal_rejected_clear (j), 0, "the operator clears the list");
	term_journal_scrub (j);
	ok (!on_disk ("ZQJ0000002") && !on_disk ("ZQJ-REFUSAL-5"), "cleared: neither left on disk");

	/* What waits survives a restart, whole. */
	m = scan ("receive", "ZQJ0000003", NULL);
	term_journal_add (j, m, true, util_wall_ms ());
	seq = proto_msg_seq (m);
	proto_msg_destroy (&m);
	term_journal_close (&j);
	j = term_journal_open (path, &cause);
	bool provisional = false;
	m = j ? term_journal_head (j, &provisional) : NULL;
	ok (m && proto_msg_seq (m) == seq && strcmp (proto_get_str (m, PROTO_SCAN_CODE), "ZQJ0000003") == 0 && provisional,
	    "reopened: the waiting scan is there, with its number, still provisional");
	proto_msg_destroy (&m);
	term_journal_remove (j, seq);
	term_journal_close (&j);
	ok (!on_disk ("ZQJ0000003"), "answered and closed (no scrub of its own): gone");

	/* Killed between an answer and its scrub: the next start wipes it. */
	pid_t pid = fork ();
	if (pid == 0) {
		term_journal_t *k = term_journal_open (path, NULL);
		proto_msg_t *km = scan ("receive", "ZQJ0000004", NULL);
		term_journal_add (k, km, false, 0);
		term_journal_remove (k, proto_msg_seq (km));
		_exit (0); /* no close, no scrub: as a pulled battery */
	}
	int status = 0;
	waitpid (pid, &status, 0);
	ok (WIFEXITED (status) && on_disk ("ZQJ0000004"), "killed after an answer, before its scrub: the code is still on disk");
	j = term_journal_open (path, &cause);
	ok (j && !on_disk ("ZQJ0000004"), "the next start wipes it");
	term_journal_close (&j);

	/* A version-1 journal deleted without overwriting: wiped when opened. */
	char *old = xasprintf ("%s/old.journal", dir);
	db_t *db = db_open (old, DB_READWRITE, &cause);
	db_exec (db, "PRAGMA secure_delete=OFF; CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
	             "CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, seq INTEGER NOT NULL UNIQUE, at INTEGER NOT NULL,"
	             " provisional INTEGER NOT NULL DEFAULT 0, step TEXT NOT NULL, code TEXT NOT NULL, request BLOB NOT NULL);"
	             "INSERT INTO meta VALUES ('next_seq', 5);"
	             "INSERT INTO outbox (seq, at, step, code, request) VALUES (4, 0, 'note', '', 'call 07700 900462 first');"
	             "DELETE FROM outbox; PRAGMA wal_checkpoint(TRUNCATE); PRAGMA user_version = 1");
	db_close (&db);
	free (path);
	path = old;
	ok (on_disk ("07700 900462"), "version 1: a deleted note's text is still in the file");
	j = term_journal_open (path, &cause);
	ok (j != NULL && term_journal_next_seq (j) == 5, "opened by this terminal: its numbers go on");
	ok (!on_disk ("07700 900462"), "and the old text is wiped");
	term_journal_close (&j);
	free (cause);
	free (wal);
	free (path);
	return tap_done ();
}
