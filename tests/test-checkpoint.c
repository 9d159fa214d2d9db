/*
 * test-checkpoint.c: the WAL under a writer that never pauses. The
 * checkpoint thread (hub-checkpoint.c) copies the WAL back with its own
 * connection and never catches up; the writer then copies the few frames
 * left itself, and SQLite starts the WAL over from its beginning. The WAL
 * file must stay small, and every row must be there after. Some commits
 * are large (a label's worth and more): the writer is never left a long
 * tail to copy, the thread goes again instead.
 *
 * Then an erase while a reader holds a transaction open: the truncation
 * the writer asks for waits for the reader on the thread, the writer's
 * commits go on meanwhile, and once the reader lets go the WAL file is
 * emptied and the erased value is in neither file.
 *
 * Last, a connection that flushes its own commits (the hub's) opened
 * through a symbolic link: SQLite keeps the WAL beside the file the link
 * points at, and that is the file the connection flushes, found and open
 * from the start, and the name the tools look at; a WAL removed behind
 * its back is a failed flush.
 */
#include "config.h"
#include "db.h"
#include "hub/loop/hub-checkpoint.h"
#include "tests/tap.h"
#include "tests/testlib.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define COMMITS 1500
#define FRAMES 64 /* a checkpoint every 64 frames (256 KiB) */

static void
on_wal (void *arg, int frames, bool flushed)
{
	(void) flushed;
	hub_checkpoint_wal (arg, frames);
}

/* How many times needle is in the file, byte by byte. */
static int
file_count (const char *path, const char *needle)
{
	FILE *f = fopen (path, "rb");
	if (f == NULL)
		return 0;
	size_t k = strlen (needle), n;
	static char buf[1 << 16];
	int hits = 0;
	size_t keep = 0;
	while ((n = fread (buf + keep, 1, sizeof buf - keep, f)) > 0) {
		n += keep;
		for (size_t i = 0; i + k <= n; i++)
			hits += memcmp (buf + i, needle, k) == 0;
		keep = n >= k ? k - 1 : n;
		memmove (buf, buf + n - keep, keep);
	}
	fclose (f);
	return hits;
}

/* One small commit and what the loop does after it; false when the commit failed. */
static bool
commit_one (db_t *db, hub_checkpoint_t *ck, int i)
{
	db_begin (db);
	db_stmt_t *st = db_prepare (db, "UPDATE hot SET n = n + 1 WHERE id = ?1");
	db_bind_int (st, 1, 1 + (i * 7919) % 2000);
	db_step (st);
	if (db_commit (db) != DB_DONE)
		return false;
	if (hub_checkpoint_done (ck))
		db_checkpoint_passive (db, NULL);
	return true;
}

static long long
file_size (const char *path)
{
	struct stat sb;
	return stat (path, &sb) == 0 ? (long long) sb.st_size : -1;
}

int
main (void)
{
	char dir[256];
	testlib_tmpdir (dir, sizeof dir);
	char *path = xasprintf ("%s/wal.db", dir), *wal = xasprintf ("%s/wal.db-wal", dir);
	char *cause = NULL;
	db_t *db = db_open (path, DB_READWRITE, &cause);
	if (!ok (db != NULL, "a database in WAL mode%s%s", cause ? ": " : "", cause ? cause : ""))
		return tap_done ();
	db_exec (db, "CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB); CREATE TABLE hot (id INTEGER PRIMARY KEY, n INTEGER)");
	db_exec (db, "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 2000) "
	             "INSERT INTO hot (id, n) SELECT i, 0 FROM k");
	hub_checkpoint_t *ck = hub_checkpoint_new (path, 20, FRAMES, &cause);
	ok (ck != NULL, "the checkpoint thread starts");
	db_on_wal_commit (db, on_wal, ck);

	/* Each commit: a new row of 3 KB and two scattered updates, about 4 pages;
	 * every 15th a row of 1.2 MB (300 pages, more than the writer may be left), as imports write. */
	static uint8_t body[1200 * 1024];
	memset (body, 'w', sizeof body);
	int longest = 0, forced = 0;
	long long biggest = 0;
	int tails = 0, restarts = 0, done = 0, updates = 0;
	int64_t end = util_mono_ms () + 20000;
	for (int i = 0; i < COMMITS && util_mono_ms () < end; i++) {
		db_begin (db);
		db_stmt_t *st = db_prepare (db, "INSERT INTO t (body) VALUES (?1)");
		db_bind_blob (st, 1, body, i % 15 == 14 ? sizeof body : 3000);
		db_step (st);
		st = db_prepare (db, "UPDATE hot SET n = n + 1 WHERE id IN (?1, ?2)");
		int a = 1 + (i * 7919) % 2000, b = 1 + (i * 104729) % 2000;
		db_bind_int (st, 1, a);
		db_bind_int (st, 2, b);
		db_step (st);
		if (db_commit (db) != DB_DONE)
			break;
		done++;
		updates += a == b ? 1 : 2;
		long long sz = file_size (wal);
		if (sz > biggest)
			biggest = sz;
		/* What the hub's loop does between batches. */
		if (hub_checkpoint_done (ck)) {
			tails++;
			if (hub_checkpoint_left (ck) > HUB_CHECKPOINT_TAIL)
				forced++;
			else if (hub_checkpoint_left (ck) > longest)
				longest = hub_checkpoint_left (ck);
			restarts += db_checkpoint_passive (db, NULL);
		}
	}
	is_int (done, COMMITS, "%d commits, none refused", COMMITS);
	ok (tails > 0 && restarts > 0, "the thread checkpointed and the writer followed it %d times (%d left nothing behind)",
	    tails, restarts);
	/* Without the writer's own checkpoint the WAL took every frame: about 12,000
	 * frames, 48 MB. With it, the WAL starts over each time. */
	ok (biggest < 32 * 1024 * 1024, "the WAL file stayed small: at most %lld bytes", biggest);
	ok (longest <= HUB_CHECKPOINT_TAIL, "the writer never had more than %d frames to copy itself (at most %d)",
	    HUB_CHECKPOINT_TAIL, longest);
	ok (hub_checkpoint_refusals (ck) >= 8L * forced, "but after 8 longer tails refused in a row (%d such; %ld refused)",
	    forced, hub_checkpoint_refusals (ck));
	is_int ((int) db_query_int (db, "SELECT count(*) FROM t", -1), COMMITS, "every row is there");
	is_int ((int) db_query_int (db, "SELECT sum(n) FROM hot", -1), updates, "and every update");

	/* An erase while a reader holds a snapshot that still has the value. */
	static const char secret[] = "Winifred Quennell-Abernathy";
	db_t *reader = db_open (path, DB_READONLY, &cause);
	ok (reader != NULL, "a reader opens the database");
	db_begin (db);
	db_stmt_t *st = db_prepare (db, "INSERT INTO t (id, body) VALUES (-1, ?1)");
	db_bind_text (st, 1, secret);
	db_step (st);
	db_commit (db);
	db_exec (reader, "BEGIN");
	is_int ((int) db_query_int (reader, "SELECT count(*) FROM t WHERE id = -1", -1), 1,
	    "the reader's transaction sees the value, and holds the WAL");
	db_exec (db, "PRAGMA secure_delete = ON");
	db_begin (db);
	db_exec (db, "UPDATE t SET body = 'erased' WHERE id = -1");
	db_commit (db);
	long long before = file_size (wal);
	hub_checkpoint_truncate (ck);
	int held = 0, refused = 0;
	for (int i = 0; i < 150; i++) {
		if (commit_one (db, ck, i))
			held++;
		else
			refused++;
		usleep (10 * 1000);
	}
	ok (held == 150 && refused == 0, "while the reader holds it, the writer's commits go on: %d of 150 (%d refused)",
	    held, refused);
	ok (!hub_checkpoint_truncated (ck), "and the WAL is not truncated yet");
	ok (file_count (wal, secret) + file_count (path, secret) > 0, "the value is still in a file (the reader needs it)");
	db_exec (reader, "COMMIT");
	db_close (&reader);
	bool truncated = false;
	long long after = -1;
	for (int i = 0; i < 500 && !truncated; i++) {
		usleep (10 * 1000);
		truncated = hub_checkpoint_truncated (ck);
		if (truncated)
			after = file_size (wal);
		else
			commit_one (db, ck, i);
	}
	ok (truncated, "once the reader let go the thread truncated the WAL");
	ok (after >= 0 && after < 64 * 4096 && after < before, "the WAL file is emptied, not only started over (%lld bytes, "
	    "%lld before)", after, before);
	is_int (file_count (wal, secret), 0, "the erased value is not in the WAL");
	is_int (file_count (path, secret), 0, "nor in the database file");
	is_int ((int) db_query_int (db, "SELECT count(*) FROM t WHERE body = 'erased'", -1), 1, "the erase is kept");

	db_on_wal_commit (db, NULL, NULL);
	hub_checkpoint_destroy (&ck);
	ok (file_size (wal) <= 0, "a clean stop leaves the WAL empty (%lld bytes)", file_size (wal));
	db_close (&db);

	char *real = xasprintf ("%s/real", dir), *links = xasprintf ("%s/links", dir);
	char *target = xasprintf ("%s/own.db", real), *link = xasprintf ("%s/own.db", links);
	char *real_wal = xasprintf ("%s-wal", target), *link_wal = xasprintf ("%s-wal", link);
	ok (mkdir (real, 0700) == 0 && mkdir (links, 0700) == 0 && symlink (target, link) == 0,
	    "a database reached through a symbolic link in another folder");
	db_t *own = db_open (link, DB_READWRITE, &cause);
	ok (own != NULL && db_flush_own (own, &cause) == 0, "it flushes its own commits%s%s", cause ? ": " : "",
	    cause ? cause : "");
	is_str (own ? db_wal_path (own) : NULL, real_wal, "  its WAL is the one beside the file the link points at");
	char *named = db_wal_name (link);
	is_str (named, real_wal, "  and so is the name db_wal_name gives the tools for it (status, report, backup)");
	free (named);
	ok (own && db_exec (own, "CREATE TABLE x (n INTEGER); INSERT INTO x VALUES (1)") == 0, "  a commit, flushed");
	struct stat sb;
	ok (stat (real_wal, &sb) == 0 && sb.st_size > 0 && lstat (link_wal, &sb) != 0,
	    "  went to that WAL (%s), none beside the link", real_wal);
	int fd = -1;
	is_int (db_wal_fd_flush (real_wal, &fd), 0, "  another descriptor on it flushes it too");
	ok (unlink (real_wal) == 0 && db_wal_fd_flush (real_wal, &fd) == -1,
	    "  a WAL removed behind the connection's back is a failed flush, not nothing to flush");
	if (fd >= 0)
		close (fd);
	db_close (&own);
	free (real);
	free (links);
	free (target);
	free (link);
	free (real_wal);
	free (link_wal);
	free (path);
	free (wal);
	return tap_done ();
}
