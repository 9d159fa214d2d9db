/*
 * test-migrate.c: upgrades. A database made by every older schema (with
 * the real migrations of that time, hub_store_open_at) is migrated in place
 * by the current hub_store_open and keeps every row; a database newer than
 * this hub knows is refused with a clear message and left untouched.
 *
 *   test-migrate                  the TAP test
 *   test-migrate make DB VERSION  a database at schema VERSION with rows (for migrate.sh)
 *   test-migrate bump DB VERSION  set DB's schema number to VERSION
 *   test-migrate rows DB          "schema N rows T" (T: rows of every table)
 */
#include "config.h"
#include "hub/store/hub-store.h"
#include "log.h"
#include "tests/tap.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char test_migrate_dir[] = "/tmp/dsp-migrate-XXXXXX";

/* Rows in the tables every schema since 1 has: operators, terminals, orders, scans. */
static int
test_migrate_fill (db_t *db)
{
	static const char *rows =
	    "INSERT INTO operators (badge, name, role, pin_hash) VALUES"
	    "  ('B1001', 'Porter One', 'porter', 'x'), ('B3001', 'Supervisor', 'supervisor', 'y');"
	    "INSERT INTO terminals (terminal, station, operator, first_seen, last_seen) VALUES"
	    "  ('hh-1', 'goods-in', 'B1001', 1000, 2000);"
	    "INSERT INTO orders (ref, created_at, status) VALUES ('ORD-1', 1000, 'received'), ('ORD-2', 1001, 'new');"
	    "INSERT INTO scans (at, terminal, seq, operator, station, step, code, status, reason, order_ref) VALUES"
	    "  (1500, 'hh-1', 1, 'B1001', 'goods-in', 'receive', 'ORD-1', 'ok', 0, 'ORD-1');";
	if (db_begin (db) != DB_DONE || db_exec (db, rows) != DB_DONE || db_commit (db) != DB_DONE) {
		db_rollback (db);
		return -1;
	}
	return 0;
}

/*
 * "table=rows table=rows ..." for every table of db (tables empty: all) or
 * for those named in tables, in name order: what must not change.
 */
static char *
test_migrate_rows (db_t *db, const char *tables)
{
	char *out = xstrdup ("");
	char **names = NULL;
	size_t n = 0;
	db_stmt_t *st = db_prepare (db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'hub_status'"
	    " ORDER BY name");
	while (st && db_step (st) == DB_ROW) {
		names = xrealloc (names, (n + 1) * sizeof *names);
		names[n++] = xstrdup (db_col_text (st, 0));
	}
	if (st)
		db_reset (st);
	for (size_t i = 0; i < n; i++) {
		char *word = xasprintf (" %s=", names[i]);
		char *padded = xasprintf (" %s", tables);
		if (*tables == '\0' || strstr (padded, word)) {
			char *sql = xasprintf ("SELECT count(*) FROM \"%s\"", names[i]);
			char *more = xasprintf ("%s%s%s=%lld", out, *out ? " " : "", names[i],
			    (long long) db_query_int (db, sql, -1));
			free (sql);
			free (out);
			out = more;
		}
		free (padded);
		free (word);
		free (names[i]);
	}
	free (names);
	return out;
}

static db_t *
test_migrate_make (const char *path, int version)
{
	char *cause = NULL;
	db_t *db = hub_store_open_at (path, version, &cause);
	if (db == NULL) {
		fprintf (stderr, "test-migrate: %s\n", cause);
		free (cause);
		return NULL;
	}
	if (version >= 1 && test_migrate_fill (db) != 0) {
		fprintf (stderr, "test-migrate: rows not added: %s\n", db_errmsg (db));
		db_close (&db);
	}
	return db;
}

/* A database named name at schema version with setup run in it (checked as what), then opened by the
 * hub, which migrates it to the newest: the database, or NULL. */
static db_t *
test_migrate_from (const char *name, int version, const char *setup, const char *what)
{
	char *path = xasprintf ("%s/%s", test_migrate_dir, name);
	db_t *d = test_migrate_make (path, version);
	ok (d != NULL && db_exec (d, setup) == DB_DONE, "schema %d: %s", version, what);
	db_close (&d);
	char *cause = NULL;
	d = hub_store_open (path, &cause);
	if (d == NULL)
		diag ("%s", cause ? cause : "(no message)");
	free (cause);
	free (path);
	return d;
}

static int
test_migrate_tool (int argc, char **argv)
{
	long v = 0;
	if (argc == 4 && strcmp (argv[1], "make") == 0 && util_parse_long (argv[3], 0, HUB_STORE_SCHEMA, &v)) {
		db_t *db = test_migrate_make (argv[2], (int) v);
		int rc = db ? 0 : 1;
		db_close (&db);
		return rc;
	}
	if (argc == 4 && strcmp (argv[1], "bump") == 0 && util_parse_long (argv[3], 0, 1000000, &v)) {
		char *cause = NULL;
		db_t *db = db_open (argv[2], DB_READWRITE, &cause);
		int rc = db && db_set_user_version (db, (int) v) == DB_DONE ? 0 : 1;
		if (db == NULL)
			fprintf (stderr, "test-migrate: %s\n", cause);
		free (cause);
		db_close (&db);
		return rc;
	}
	if (argc == 3 && strcmp (argv[1], "rows") == 0) {
		char *cause = NULL;
		db_t *db = db_open (argv[2], DB_READONLY, &cause);
		if (db == NULL) {
			fprintf (stderr, "test-migrate: %s\n", cause);
			free (cause);
			return 1;
		}
		char *rows = test_migrate_rows (db, "");
		printf ("schema %d rows %s\n", db_user_version (db), rows);
		free (rows);
		db_close (&db);
		return 0;
	}
	fprintf (stderr, "usage: test-migrate [make DB VERSION | bump DB VERSION | rows DB]\n");
	return 2;
}

int
main (int argc, char **argv)
{
	if (argc > 1)
		return test_migrate_tool (argc, argv);
	log_open ("test-migrate", LOG_LVL_WARN, 0);
	if (mkdtemp (test_migrate_dir) == NULL) {
		perror ("mkdtemp");
		return 1;
	}
	char *cause = NULL;

	/* From every older schema, the previous one first (the upgrade people make). */
	for (int v = HUB_STORE_SCHEMA - 1; v >= 0; v--) {
		char *path = xasprintf ("%s/v%d.db", test_migrate_dir, v);
		db_t *db = test_migrate_make (path, v);
		ok (db != NULL, "a database at schema %d", v);
		if (db == NULL) {
			free (path);
			continue;
		}
		is_int (db_user_version (db), v, "it says schema %d", v);
		char *rows = test_migrate_rows (db, "");
		db_close (&db);

		db = hub_store_open (path, &cause);
		ok (db != NULL, "schema %d migrates in place to %d%s%s", v, HUB_STORE_SCHEMA, db ? "" : ": ",
		    db ? "" : cause);
		free (cause);
		cause = NULL;
		if (db) {
			is_int (db_user_version (db), HUB_STORE_SCHEMA, "schema %d: now at schema %d", v, HUB_STORE_SCHEMA);
			if (*rows) {
				char *now = test_migrate_rows (db, rows);
				is_str (now, rows, "schema %d: every row of every table kept (%s)", v, rows);
				free (now);
			}
			if (v >= 1) {
				char *status = db_query_text (db, "SELECT status FROM orders WHERE ref = 'ORD-1'");
				is_str (status, "received", "schema %d: an order's state survives", v);
				free (status);
			}
			ok (db_query_int (db, "SELECT count(*) FROM sqlite_master WHERE name IN ('hub_status', 'scans_at')", 0)
			        == 2, "schema %d: the heartbeat table and the scans index exist", v);
			ok (hub_store_status_beat (db, "ipc://x", 30000, 1000, 2000, false) == 0,
			    "schema %d: the heartbeat can be written", v);
			/* An import's undo records under its run (schema 12), as hub-import.c writes and reads them. */
			ok (db_exec (db, "INSERT INTO import_runs (source, at, owner) VALUES ('a.csv', 1, 'b 1 1');"
			        "INSERT INTO import_undo (run, seq, ref, kind, hash, old) VALUES (last_insert_rowid (), 1, 'ORD-2',"
			        " 0, 'h', NULL)") == DB_DONE
			        && db_query_int (db, "SELECT count(*) FROM import_undo u JOIN import_runs r ON r.id = u.run"
			            " WHERE r.source = 'a.csv' AND r.import_id IS NULL", 0) == 1
			        && db_exec (db, "DELETE FROM import_undo; DELETE FROM import_runs") == DB_DONE,
			    "schema %d: an import's run and undo record can be written and read", v);
			db_close (&db);
		}
		/* Opening again is a no-op. */
		db = hub_store_open (path, &cause);
		ok (db != NULL && db_user_version (db) == HUB_STORE_SCHEMA, "schema %d: a second open changes nothing", v);
		free (cause);
		cause = NULL;
		db_close (&db);
		free (rows);
		unlink (path);
		char *side = xasprintf ("%s-wal", path);
		unlink (side);
		free (side);
		side = xasprintf ("%s-shm", path);
		unlink (side);
		free (side);
		free (path);
	}

	/* Schema 12's print jobs kept their documents in their rows; at 13 each is in label_docs, byte for byte. */
	{
		db_t *d = test_migrate_from ("docs12.db", 12,
		    "INSERT INTO label_jobs (order_ref, status, created_at, kind, format, title, data)"
		        " VALUES ('ORD-1', 'printed', 1, 'receipt', 'pdf', 'receipt ORD-1', zeroblob (25000)),"
		        " ('ORD-1', 'failed', 2, 'receipt', 'pdf', 'not drawn', NULL)",
		    "a print job with its document and one without");
		ok (d != NULL && db_query_int (d, "SELECT count(*) FROM label_docs d JOIN label_jobs j ON j.id = d.job"
		        " WHERE j.title = 'receipt ORD-1' AND typeof (d.data) = 'blob' AND d.data = zeroblob (25000)",
		        0) == 1 && db_query_int (d, "SELECT count(*) FROM label_docs", 0) == 1,
		    "schema 13: the document moved to label_docs unchanged, and no row for the job that had none");
		ok (d != NULL && db_query_int (d, "SELECT count(*) FROM pragma_table_info ('label_jobs') WHERE name = 'data'",
		        -1) == 0 && db_query_int (d, "SELECT count(*) FROM label_jobs", 0) == 2,
		    "schema 13: label_jobs keeps both jobs, without the document column");
		db_close (&d);
	}

	/* Schema 13's stored replies were keyed by (terminal, seq); at 14 they are in a rowid table, every
	 * one kept byte for byte with its digest, found by (terminal, seq), which stays unique. */
	{
		db_t *d = test_migrate_from ("replies13.db", 13,
		    "INSERT INTO requests (terminal, seq, at, reply, digest) VALUES"
		        " ('hh-2', 7, 50, x'0102', x'aa'), ('hh-1', 9, 100, zeroblob (400), NULL), ('hh-1', 10, 200, x'03', x'bb')",
		    "three stored replies of two terminals");
		ok (d != NULL && db_query_int (d, "SELECT count(*) FROM requests WHERE (terminal, seq, at, reply, digest) IN"
		        " (VALUES ('hh-2', 7, 50, x'0102', x'aa'), ('hh-1', 10, 200, x'03', x'bb'))", 0) == 2
		        && db_query_int (d, "SELECT count(*) FROM requests WHERE terminal = 'hh-1' AND seq = 9"
		            " AND reply = zeroblob (400) AND digest IS NULL", 0) == 1,
		    "schema 14: every stored reply kept, with its digest or none");
		char *order = d ? db_query_text (d, "SELECT group_concat (terminal || ':' || seq, ' ') FROM (SELECT terminal, seq"
		    " FROM requests ORDER BY id)") : NULL;
		is_str (order, "hh-2:7 hh-1:9 hh-1:10", "schema 14: in the order they were stored");
		free (order);
		ok (d != NULL && db_query_int (d, "SELECT count(*) FROM pragma_index_list ('requests') WHERE name = 'requests_key'"
		        " AND \"unique\" = 1", 0) == 1 && db_query_int (d, "SELECT count(*) FROM pragma_index_list ('requests')"
		        " WHERE name = 'requests_at'", 0) == 1, "schema 14: a unique index on (terminal, seq), and one on the time");
		ok (d != NULL && db_exec (d, "INSERT INTO requests (terminal, seq, at, reply) VALUES ('hh-2', 7, 400, x'00')")
		        != DB_DONE, "schema 14: a second reply under the same terminal and number is refused");
		db_close (&d);
	}

	/* Schema 14's print jobs had nobody recorded as having redirected or cancelled them; at 15 each has the
	 * place for it, empty for the jobs from before, and it can be written. */
	{
		db_t *d = test_migrate_from ("asked14.db", 14,
		    "INSERT INTO label_jobs (order_ref, terminal, status, created_at, kind, format,"
		        " title) VALUES ('ORD-1', 'bench-1-term', 'offline', 1, 'ticket', 'zpl', 'despatch ticket ORD-1')",
		    "a print job waiting");
		ok (d != NULL && db_query_int (d, "SELECT count(*) FROM label_jobs WHERE terminal = 'bench-1-term'"
		        " AND asked_terminal IS NULL AND asked_by IS NULL", 0) == 1,
		    "schema 15: the job kept, nobody recorded as having redirected or cancelled it");
		ok (d != NULL && db_exec (d, "UPDATE label_jobs SET asked_terminal = 'office-term', asked_by = 'B3001'")
		        == DB_DONE && db_query_int (d, "SELECT count(*) FROM label_jobs WHERE asked_terminal = 'office-term'"
		            " AND asked_by = 'B3001'", 0) == 1,
		    "schema 15: the terminal and operator that asked can be recorded with the job");
		db_close (&d);
	}

	/* Schema 15's imports had no file recorded; at 16 each has the place for the file and its digest, empty for
	 * the imports from before (never taken for an inbox file), and they can be written. */
	{
		db_t *d = test_migrate_from ("imports15.db", 15,
		    "INSERT INTO imports (at, source, orders, created, updated, unchanged) VALUES (1, 'till.csv', 2, 2, 0, 0)",
		    "an import recorded");
		ok (d != NULL && db_query_int (d, "SELECT count(*) FROM imports WHERE source = 'till.csv' AND orders = 2"
		        " AND file IS NULL AND sha1 IS NULL", 0) == 1,
		    "schema 16: the import kept, with no file or digest");
		ok (d != NULL && db_exec (d, "INSERT INTO imports (at, source, orders, created, updated, unchanged, file, sha1)"
		        " VALUES (2, 'web.csv', 1, 1, 0, 0, '1:2:3:4.0:5.0', 'da39a3ee5e6b4b0d3255bfef95601890afd80709')")
		        == DB_DONE, "schema 16: an import can record its file and digest");
		db_close (&d);
	}

	/* At 17 the audit events of a parcel with no order are found by parcel (the erase's index); the events
	 * from before stay, and an event of an order is not in it. */
	{
		db_t *d = test_migrate_from ("events16.db", 16,
		    "INSERT INTO events (at, action, order_ref, parcel_id, detail) VALUES (1, 'pack', 'W1', 7, 'packed');"
		    "INSERT INTO events (at, action, parcel_id, detail) VALUES (2, 'track', 8, 'at depot')",
		    "two events, one of a parcel with no order");
		ok (d != NULL && db_query_int (d, "SELECT count(*) FROM events", 0) == 2, "schema 17: the events kept");
		ok (d != NULL && db_query_int (d, "SELECT count(*) FROM events INDEXED BY events_parcel_alone"
		        " WHERE order_ref IS NULL AND parcel_id IS NOT NULL AND parcel_id = 8", 0) == 1,
		    "schema 17: the parcel's event with no order is found by its index");
		db_close (&d);
	}

	/* At 18 a terminal's jobs that wait unprinted are found by terminal (for its HELLO); the jobs stay. */
	{
		db_t *d = test_migrate_from ("jobs17.db", 17,
		    "INSERT INTO label_jobs (order_ref, terminal, status, created_at, kind, format, title) VALUES"
		    " ('ORD-1', 'bench-1', 'offline', 1, 'ticket', 'zpl', 'ticket ORD-1'),"
		    " ('ORD-2', 'bench-1', 'printed', 2, 'ticket', 'zpl', 'ticket ORD-2'),"
		    " ('ORD-2', 'bench-2', 'failed', 3, 'ticket', 'zpl', 'ticket ORD-2')",
		    "three print jobs of two terminals, one printed");
		char codes[4][HUB_STORE_CODE_MAX];
		ok (d != NULL && db_query_int (d, "SELECT count(*) FROM label_jobs", 0) == 3, "schema 18: the jobs kept");
		int n = d ? hub_store_terminal_unprinted (d, "bench-1", codes, 4) : -1;
		ok (n == 1 && strcmp (codes[0], "ORD-1") == 0, "schema 18: bench-1's job waiting is found by its index (%d)", n);
		db_close (&d);
	}

	/* A database from a newer hub: refused, with the versions named, and untouched. */
	char *path = xasprintf ("%s/newer.db", test_migrate_dir);
	db_t *db = test_migrate_make (path, HUB_STORE_SCHEMA);
	ok (db != NULL && db_set_user_version (db, HUB_STORE_SCHEMA + 1) == DB_DONE, "a database at schema %d",
	    HUB_STORE_SCHEMA + 1);
	char *rows = db ? test_migrate_rows (db, "") : xstrdup ("?");
	db_close (&db);
	db = hub_store_open (path, &cause);
	ok (db == NULL, "a newer schema is refused");
	char *want = xasprintf ("schema version %d is newer than this hub knows (%d)", HUB_STORE_SCHEMA + 1,
	    HUB_STORE_SCHEMA);
	ok (cause && strstr (cause, want) && strstr (cause, "run a newer despatch-hub or restore a backup"),
	    "the message names both versions and what to do");
	diag ("%s", cause ? cause : "(no message)");
	free (want);
	free (cause);
	cause = NULL;
	db_close (&db);
	db = db_open (path, DB_READONLY, &cause);
	char *now = db ? test_migrate_rows (db, "") : NULL;
	ok (db && db_user_version (db) == HUB_STORE_SCHEMA + 1 && tap_str_eq (now, rows),
	    "the newer database is left as it was");
	free (now);
	free (rows);
	free (cause);
	db_close (&db);
	free (path);

	char *rm = xasprintf ("rm -rf '%s'", test_migrate_dir);
	if (system (rm) != 0)
		diag ("could not remove %s", test_migrate_dir);
	free (rm);
	log_close ();
	return tap_done ();
}
