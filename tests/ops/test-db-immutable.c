/*
 * test-db-immutable.c: a database read without a lock, as db_open reads one
 * whose folder this user cannot write (SQLite's "immutable"), while a hub
 * writes and checkpoints into it. The backup taken then would hold pages
 * from before and after: it is refused, saying why, and leaves no file.
 * The reader knows it changed (db_changed_unlocked, for status and report).
 * Needs root (the reader is the user nobody); skipped otherwise.
 */
#include "config.h"
#include "db.h"
#include "tests/tap.h"
#include "tests/testlib.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* One byte from fd within ms milliseconds: a child that died early must not hang the test. */
static bool
read_within (int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char c;
	return poll (&p, 1, ms) == 1 && read (fd, &c, 1) == 1;
}

int
main (void)
{
	if (geteuid () != 0) {
		printf ("1..0 # SKIP needs root, to read as the user nobody\n");
		return 0;
	}
	char dir[256];
	testlib_tmpdir (dir, sizeof dir);
	char *folder = xasprintf ("%s/ro", dir), *path = xasprintf ("%s/ro/hub.db", dir), *out = xasprintf ("%s/out", dir);
	char *copy = xasprintf ("%s/out/backup.db", dir), *cause = NULL;
	/* nobody reaches the database from the test's folder, whatever the folders above it allow. */
	chmod (dir, 0755);
	mkdir (folder, 0755);
	mkdir (out, 0777);
	chmod (out, 0777);
	db_t *w = db_open (path, DB_READWRITE, &cause);
	if (!ok (w != NULL, "a database of 20,000 rows: %s", cause ? cause : "made"))
		return tap_done ();
	db_exec (w, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); BEGIN;"
	    " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)"
	    " INSERT INTO t (v) SELECT printf ('%.500c', 'x') FROM n; COMMIT; PRAGMA wal_checkpoint(TRUNCATE)");
	db_close (&w);
	chmod (path, 0644);
	char *wal = xasprintf ("%s-wal", path), *shm = xasprintf ("%s-shm", path);
	unlink (wal);
	unlink (shm);
	free (wal);
	free (shm);
	chmod (folder, 0555);
	int go[2], done[2];
	if (pipe (go) != 0 || pipe (done) != 0)
		return 99;
	pid_t pid = fork ();
	if (pid == 0) {
		/* The reader: nobody, who may not write the folder. */
		close (go[0]);
		close (done[1]);
		if (chdir (dir) != 0 || setgid (65534) != 0 || setuid (65534) != 0)
			_exit (3);
		char *why = NULL;
		db_t *r = db_open ("ro/hub.db", DB_READONLY, &why);
		if (r == NULL) {
			fprintf (stderr, "# nobody cannot open it: %s\n", why ? why : "?");
			_exit (4);
		}
		/* Unchanged meanwhile, its backup is whole and made. */
		if (db_changed_unlocked (r))
			_exit (9);
		if (db_backup (r, "out/before.db", &why) != 0) {
			fprintf (stderr, "# %s\n", why ? why : "?");
			_exit (8);
		}
		if (write (go[1], "o", 1) != 1 || !read_within (done[0], 60000))
			_exit (5);
		if (!db_changed_unlocked (r))
			_exit (9);
		int rc = db_backup (r, "out/backup.db", &why);
		fprintf (stderr, "# %s\n", why ? why : "backup made");
		_exit (rc == 0 ? 0 : why && strstr (why, "changed while it was read") ? 7 : 6);
	}
	close (go[1]);
	close (done[0]);
	if (!ok (read_within (go[0], 20000), "nobody opens it read-only (its folder not writable: read without a lock) and backs it up")) {
		kill (pid, SIGKILL);
		waitpid (pid, NULL, 0);
		chmod (folder, 0755);
		return tap_done ();
	}
	char *before = xasprintf ("%s/out/before.db", dir);
	db_t *b = db_open (before, DB_READONLY, &cause);
	is_int (b ? db_query_int (b, "SELECT count(*) FROM t", -1) : -1, 20000, "that backup, of the file unchanged, holds every row");
	db_close (&b);
	/* Meanwhile a hub writes and checkpoints into the file. */
	w = db_open (path, DB_READWRITE, &cause);
	ok (w && db_exec (w, "BEGIN; DELETE FROM t WHERE id % 2 = 0; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT"
	        " i + 1 FROM n WHERE i < 3000) INSERT INTO t (v) SELECT printf ('%.300c', 'y') FROM n; COMMIT;"
	        " PRAGMA wal_checkpoint(TRUNCATE)") == DB_DONE, "a writer deletes half, adds 3,000 and checkpoints");
	db_close (&w);
	if (write (done[1], "g", 1) != 1)
		return 99;
	is_int (testlib_child_wait (pid, 60000), 7, "the reader knows the file changed under it, and its backup is refused");
	ok (access (copy, F_OK) != 0, "and no backup file is left");
	chmod (folder, 0755);
	free (before);
	free (folder);
	free (path);
	free (out);
	free (copy);
	free (cause);
	return tap_done ();
}
