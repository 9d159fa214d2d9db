/*
 * despatch-erase.c: "despatch erase", a customer's personal data out of
 * the hub's database and exports in one step (hub-erase.h), safe while the
 * hub runs.
 *
 *   despatch erase customer NAME [exports=DIR]...
 *   despatch erase order REF [exports=DIR]...
 *
 * One transaction; then VACUUM and a WAL checkpoint (TRUNCATE), so the old
 * pages that held the name are gone from the file and its -wal. Backups
 * taken before keep the data until they age out (backup.keep).
 */
#include "config.h"
#include "despatch.h"
#include "hub/store/hub-erase.h"
#include "util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int
despatch_erase_usage (void)
{
	fprintf (stderr, "usage: despatch erase customer NAME [exports=DIR]... | despatch erase order REF [exports=DIR]...\n"
	    "  NAME is matched whole, in any case; every order of that customer is erased.\n"
	    "  exports=DIR: also rewrite files in DIR (manifests, outbox) that hold the customer's data.\n");
	return 2;
}

static void
despatch_erase_dir (const char *dir, struct hub_erase_report *rep)
{
	DIR *d = opendir (dir);
	if (d == NULL) {
		fprintf (stderr, "despatch erase: cannot read the folder %s (skipped)\n", dir);
		return;
	}
	for (struct dirent *e; (e = readdir (d)) != NULL;) {
		if (e->d_name[0] == '.')
			continue;
		char *path = xasprintf ("%s/%s", dir, e->d_name);
		struct stat sb;
		if (stat (path, &sb) == 0 && S_ISDIR (sb.st_mode))
			despatch_erase_dir (path, rep);
		else if (S_ISREG (sb.st_mode)) {
			int rc = hub_erase_file (path, rep);
			if (rc > 0)
				printf ("  file rewritten: %s\n", path);
			else if (rc < 0)
				fprintf (stderr, "despatch erase: cannot rewrite %s: check it by hand\n", path);
		}
		free (path);
	}
	closedir (d);
}

static int
despatch_erase_exec (db_t *db, int argc, char **argv)
{
	argc--; /* the arguments after the command's name */
	argv++;
	if (argc < 2 || (strcmp (argv[0], "customer") != 0 && strcmp (argv[0], "order") != 0))
		return despatch_erase_usage ();
	for (int i = 2; i < argc; i++)
		if (strncmp (argv[i], "exports=", 8) != 0 || argv[i][8] == '\0')
			return despatch_erase_usage ();
	int by_ref = strcmp (argv[0], "order") == 0;
	struct hub_erase_report rep = { 0 };
	char **refs = NULL;
	if (db_begin (db) != DB_DONE) {
		fprintf (stderr, "despatch erase: cannot write the database: %s\n", db_errmsg (db));
		return 2;
	}
	int n = hub_erase_find (db, argv[1], by_ref, &rep, &refs);
	int rc = 0;
	if (n == 0) {
		db_rollback (db);
		fprintf (stderr, "despatch erase: no %s '%s' (nothing changed)\n", by_ref ? "order" : "customer", argv[1]);
		rc = 1;
	} else if (n < 0 || hub_erase_orders (db, refs, n, &rep) != 0 || db_commit (db) != DB_DONE) {
		fprintf (stderr, "despatch erase: the database failed: %s; nothing was changed\n", db_errmsg (db));
		db_rollback (db);
		rc = 2;
	} else {
		printf ("erased %d order%s:", n, n == 1 ? "" : "s");
		for (int i = 0; i < n; i++)
			printf (" %s", refs[i]);
		printf ("\n%s", rep.changes ? rep.changes : "");
		/* Manifest files the carriers' code wrote, and any folder named. */
		db_stmt_t *st = db_prepare (db, "SELECT DISTINCT file FROM manifests WHERE file IS NOT NULL AND file != ''");
		while (st && db_step (st) == DB_ROW) {
			const char *f = db_col_text (st, 0);
			if (hub_erase_file (f, &rep) > 0)
				printf ("  file rewritten: %s\n", f);
		}
		if (st)
			db_reset (st);
		for (int i = 2; i < argc; i++)
			despatch_erase_dir (argv[i] + 8, &rep);
		/* Old pages with the data: out of the file and out of the WAL. */
		if (db_exec (db, "VACUUM") != DB_DONE)
			fprintf (stderr, "despatch erase: VACUUM failed (%s): free pages may still hold the data; "
			    "run despatch erase again when the hub is quiet\n", db_errmsg (db));
		else if (db_exec (db, "PRAGMA wal_checkpoint(TRUNCATE)") != DB_DONE)
			fprintf (stderr, "despatch erase: the WAL could not be emptied now (%s); the hub's next "
			    "checkpoint will\n", db_errmsg (db));
		else
			printf ("database compacted (VACUUM) and its WAL emptied\n");
		printf ("done: %d orders, %d other rows, %d stored replies, %d labels, %d files; "
		    "backups older than now still hold the data until they are removed\n",
		    rep.orders, rep.rows, rep.replies, rep.labels, rep.files);
	}
	for (int i = 0; i < (n > 0 ? n : 0); i++)
		free (refs[i]);
	free (refs);
	hub_erase_report_free (&rep);
	return rc;
}

const struct despatch_cmd_entry despatch_erase_entry = {
	.name = "erase",
	.usage = "customer NAME | erase order REF [exports=DIR]...",
	.help = "remove a customer's personal data everywhere (keeps what accounting needs)",
	.flags = DESPATCH_CMD_DATABASE,
	.exec = despatch_erase_exec,
};
