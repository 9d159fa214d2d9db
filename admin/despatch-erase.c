/*
 * despatch-erase.c: "despatch erase", a customer's personal data out of
 * the hub's database and files in one step (hub-erase.h), safe while the
 * hub runs.
 *
 *   despatch erase customer NAME [config=FILE] [exports=DIR]...
 *   despatch erase order REF [config=FILE] [exports=DIR]...
 *
 * One transaction; then the files the hub writes are rewritten in place:
 * its events exports (hub.exports, once the hub has exported what was
 * committed before the erase), its outbox (carriers.outbox: manifests,
 * route exports, reopened manifests), any folder named with exports= and
 * the order inbox's kept copies (hub.inbox's done/ and failed/);
 * then VACUUM and a WAL checkpoint (TRUNCATE), so the old pages that held
 * the data are gone from the file and its -wal. Last, what it did not
 * change, and what to do about each: backups taken before (listed), the
 * feeds' kept files still holding the customer's data (listed: the
 * tracking inbox's, or a copy that could not be rewritten), proof-of-delivery images the
 * carrier keeps, labels already in CUPS's spool.
 *
 * The settings are the hub's: config=FILE, else the installed
 * despatch.conf when there is one, else the defaults (beside the database).
 */
#include "config.h"
#include "conf.h"
#include "despatch.h"
#include "hub/store/hub-erase.h"
#include "hub/store/hub-import.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DESPATCH_ERASE_CONFIG DSP_SYSCONFDIR "/despatch/despatch.conf"
/* Order references to a line of the report. */
#define DESPATCH_ERASE_REFS_LINE 10
/* How long to wait for the hub to export the events committed before the erase. */
#define DESPATCH_ERASE_FEED_WAIT_MS 5000

static int
despatch_erase_usage (void)
{
	fprintf (stderr, "usage: despatch erase customer NAME [config=FILE] [exports=DIR]...\n"
	    "       despatch erase order REF [config=FILE] [exports=DIR]...\n"
	    "  NAME is matched whole, in any case; every order of that customer is erased.\n"
	    "  config=FILE: the hub's settings (default " DESPATCH_ERASE_CONFIG " when it exists),\n"
	    "    for its events exports (hub.exports), outbox (carriers.outbox), backups (backup.dir)\n"
	    "    and order feeds (hub.inbox, hub.tracking_inbox).\n"
	    "  exports=DIR: also rewrite the files in DIR that hold the customer's data.\n");
	return 2;
}

/* A folder beside the database, as the hub and despatch backup place them by default. */
static char *
despatch_erase_beside (db_t *db, const char *name)
{
	const char *path = db_path (db);
	const char *slash = strrchr (path, '/');
	return slash ? xasprintf ("%.*s/%s", (int) (slash - path), path, name) : xstrdup (name);
}

struct despatch_erase_run {
	struct hub_erase_report rep;
	const char *database;
	int failed;   /* files that could not be rewritten */
};

/* Every regular file under dir (symbolic links are not followed), rewritten where it holds the customer's data. */
static void
despatch_erase_dir (struct despatch_erase_run *run, const char *dir, bool quiet_missing)
{
	DIR *d = opendir (dir);
	if (d == NULL) {
		if (!quiet_missing || errno != ENOENT)
			fprintf (stderr, "despatch erase: cannot read the folder %s: %s (skipped)\n", dir, strerror (errno));
		return;
	}
	for (struct dirent *e; (e = readdir (d)) != NULL;) {
		if (strcmp (e->d_name, ".") == 0 || strcmp (e->d_name, "..") == 0)
			continue;
		char *path = xasprintf ("%s/%s", dir, e->d_name);
		struct stat sb;
		if (lstat (path, &sb) == 0 && S_ISDIR (sb.st_mode))
			despatch_erase_dir (run, path, false);
		else if (S_ISREG (sb.st_mode) && strncmp (path, run->database, strlen (run->database)) != 0) {
			int rc = hub_erase_file (path, &run->rep);
			if (rc > 0)
				printf ("  file rewritten: %s\n", path);
			else if (rc < 0) {
				fprintf (stderr, "despatch erase: cannot rewrite %s: %s; it may still hold the customer's data: "
				    "check it by hand\n", path, strerror (errno));
				run->failed++;
			}
		}
		free (path);
	}
	closedir (d);
}

/* Wait (bounded) until the hub has exported every event up to last, so no line written after this pass holds old data. */
static bool
despatch_erase_feed_caught_up (db_t *db, int64_t last)
{
	int64_t until = util_mono_ms () + DESPATCH_ERASE_FEED_WAIT_MS;
	for (;;) {
		int64_t active = db_query_int (db, "SELECT active FROM events_feed WHERE id = 1", 0);
		int64_t sent = db_query_int (db, "SELECT sent FROM events_feed WHERE id = 1", 0);
		if (!active || sent >= last)
			return true;
		if (util_mono_ms () >= until)
			return false;
		usleep (100 * 1000);
	}
}

/* Files a folder of the order feed keeps (FOLDER/done, FOLDER/failed): the feed's, listed when they hold the customer's data. */
static int
despatch_erase_kept (struct despatch_erase_run *run, const char *folder, const char *setting)
{
	static const char *const subs[] = { "done", "failed" };
	int listed = 0;
	for (size_t i = 0; i < nitems (subs); i++) {
		char *dir = xasprintf ("%s/%s", folder, subs[i]);
		DIR *d = opendir (dir);
		for (struct dirent *e; d && (e = readdir (d)) != NULL;) {
			if (e->d_name[0] == '.')
				continue;
			char *path = xasprintf ("%s/%s", dir, e->d_name);
			struct stat sb;
			if (lstat (path, &sb) == 0 && S_ISREG (sb.st_mode) && hub_erase_file_holds (path, &run->rep) > 0) {
				if (listed++ == 0)
					printf ("  %s (%s) keeps files that still hold the customer's data and "
					    "were NOT changed: remove them, or the customer's rows in them, by hand:\n", folder, setting);
				printf ("    %s\n", path);
			}
			free (path);
		}
		if (d)
			closedir (d);
		free (dir);
	}
	return listed;
}

/*
 * The order inbox's kept copies (done/, failed/): the customer's rows and
 * orders taken out of them by the import's own reader, so a copy kept for
 * its retention no longer holds them. The tracking inbox is only listed
 * (below): its files name parcels, not orders, and are the carrier's.
 */
static void
despatch_erase_inbox (struct despatch_erase_run *run, const char *folder, char **refs, int n)
{
	if (folder == NULL || *folder == '\0')
		return;
	int files = 0;
	char *cause = NULL;
	long rows = hub_import_kept_erase (folder, refs, n, &files, &cause);
	if (rows < 0) {
		fprintf (stderr, "despatch erase: the inbox's kept files (%s): %s; run this erase again once that is "
		    "put right, or remove the files listed below by hand\n", folder, cause);
		free (cause);
		run->failed++;
	} else if (files > 0) {
		printf ("  inbox %s: %ld row%s taken out of %d kept file%s\n", folder, rows, rows == 1 ? "" : "s", files,
		    files == 1 ? "" : "s");
		run->rep.files += files;
	}
}

/* Backups taken before now: listed with what to do. */
static void
despatch_erase_backups (const char *dir, const char *keep)
{
	DIR *d = opendir (dir);
	int n = 0;
	for (struct dirent *e; d && (e = readdir (d)) != NULL;) {
		size_t len = strlen (e->d_name);
		if (len < 4 || strcmp (e->d_name + len - 3, ".db") != 0 || strstr (e->d_name, "despatch") == NULL)
			continue;
		char *path = xasprintf ("%s/%s", dir, e->d_name);
		struct stat sb;
		if (stat (path, &sb) == 0 && S_ISREG (sb.st_mode)) {
			if (n++ == 0)
				printf ("  backups taken before this erase still hold the customer's data (a backup is a "
				    "copy of the past, never rewritten):\n");
			char when[32];
			strftime (when, sizeof when, "%Y-%m-%d %H:%M", gmtime (&sb.st_mtime));
			printf ("    %s (%s UTC)\n", path, when);
		}
		free (path);
	}
	if (d)
		closedir (d);
	if (n == 0)
		printf ("  backups: none in %s\n", dir);
	else
		printf ("    delete them now if the customer's request requires it (rm), or let them age out "
		    "(backup.keep = %s days); after restoring any of them, run this erase again\n", keep);
}

/* What this erase left alone, and what to do about each. */
static void
despatch_erase_not_covered (struct despatch_erase_run *run, conf_t *conf, db_t *db)
{
	printf ("not changed by this erase:\n");
	char *backups = despatch_erase_beside (db, "backups");
	despatch_erase_backups (conf_get (conf, "backup.dir", backups), conf_get (conf, "backup.keep", "14"));
	free (backups);
	static const char *const feeds[] = { "hub.inbox", "hub.tracking_inbox" };
	for (size_t i = 0; i < nitems (feeds); i++) {
		const char *folder = conf_get (conf, feeds[i], NULL);
		if (folder && *folder && despatch_erase_kept (run, folder, feeds[i]) == 0)
			printf ("  %s (%s): no kept file holds the customer's data\n", folder, feeds[i]);
	}
	for (int i = 0; i < run->rep.npod_images; i++)
		printf ("  proof-of-delivery image %s: the reference is gone from the hub; the image is the carrier's: "
		    "ask the carrier to erase it\n", run->rep.pod_images[i]);
	for (int i = 0; i < run->rep.nprinting; i++)
		printf ("  %s: the label is in CUPS's spool until it prints; cancel it there (cancel, lprm) if it "
		    "should not\n", run->rep.printing[i]);
	printf ("  terminals: their journals hold only scans not yet answered (codes, never customer data)\n");
	printf ("  logs: the hub names orders by reference only\n");
}

static int
despatch_erase_exec (db_t *db, int argc, char **argv)
{
	argc--; /* the arguments after the command's name */
	argv++;
	if (argc < 2 || (strcmp (argv[0], "customer") != 0 && strcmp (argv[0], "order") != 0))
		return despatch_erase_usage ();
	const char *config = NULL;
	for (int i = 2; i < argc; i++) {
		if (strncmp (argv[i], "config=", 7) == 0 && argv[i][7])
			config = argv[i] + 7;
		else if (strncmp (argv[i], "exports=", 8) != 0 || argv[i][8] == '\0')
			return despatch_erase_usage ();
	}
	conf_t *conf = conf_new ();
	char *cause = NULL;
	if (config == NULL && access (DESPATCH_ERASE_CONFIG, R_OK) == 0)
		config = DESPATCH_ERASE_CONFIG;
	if (config && conf_load (conf, config, &cause) != 0) {
		fprintf (stderr, "despatch erase: %s; nothing was changed\n", cause);
		free (cause);
		conf_destroy (&conf);
		return 2;
	}
	int by_ref = strcmp (argv[0], "order") == 0;
	struct despatch_erase_run run = { .database = db_path (db) };
	char **refs = NULL;
	if (db_begin (db) != DB_DONE) {
		fprintf (stderr, "despatch erase: cannot write the database: %s\n", db_errmsg (db));
		conf_destroy (&conf);
		return 2;
	}
	int n = hub_erase_find (db, argv[1], by_ref, &run.rep, &refs);
	int64_t last_event = db_query_int (db, "SELECT coalesce (max (id), 0) FROM events", 0);
	int rc = 0;
	if (n == 0) {
		db_rollback (db);
		fprintf (stderr, "despatch erase: no %s '%s' (nothing changed)\n", by_ref ? "order" : "customer", argv[1]);
		rc = 1;
	} else if (n < 0 || hub_erase_orders (db, refs, n, &run.rep) != 0 || db_commit (db) != DB_DONE) {
		fprintf (stderr, "despatch erase: the database failed: %s; nothing was changed\n", db_errmsg (db));
		db_rollback (db);
		rc = 2;
	} else {
		/* Every order named, for the record; a customer with hundreds, ten to a line. */
		printf ("erased %d order%s:", n, n == 1 ? "" : "s");
		for (int i = 0; i < n; i++)
			printf ("%s%s", n > DESPATCH_ERASE_REFS_LINE && i % DESPATCH_ERASE_REFS_LINE == 0 ? "\n  " : " ", refs[i]);
		printf ("\n%s", run.rep.changes ? run.rep.changes : "");
		/* The files the hub writes: its outbox (and any manifest it recorded elsewhere), its exports, those named. */
		char *outbox = despatch_erase_beside (db, "outbox");
		despatch_erase_dir (&run, conf_get (conf, "carriers.outbox", outbox), true);
		free (outbox);
		db_stmt_t *st = db_prepare (db, "SELECT DISTINCT file FROM manifests WHERE file IS NOT NULL AND file != ''");
		while (st && db_step (st) == DB_ROW) {
			const char *f = db_col_text (st, 0);
			if (hub_erase_file (f, &run.rep) > 0)
				printf ("  file rewritten: %s\n", f);
		}
		if (st)
			db_reset (st);
		const char *exports = conf_get (conf, "hub.exports", NULL);
		if (exports && *exports) {
			if (!despatch_erase_feed_caught_up (db, last_event))
				fprintf (stderr, "despatch erase: the hub has not yet exported the events committed before this "
				    "erase; run this erase again when it has, for the lines it writes then\n");
			despatch_erase_dir (&run, exports, true);
		}
		for (int i = 2; i < argc; i++)
			if (strncmp (argv[i], "exports=", 8) == 0)
				despatch_erase_dir (&run, argv[i] + 8, false);
		despatch_erase_inbox (&run, conf_get (conf, "hub.inbox", NULL), refs, n);
		/* Old pages with the data: out of the file and out of the WAL. */
		if (db_exec (db, "VACUUM") != DB_DONE)
			fprintf (stderr, "despatch erase: VACUUM failed (%s): free pages may still hold the data; "
			    "run despatch erase again when the hub is quiet\n", db_errmsg (db));
		else if (db_exec (db, "PRAGMA wal_checkpoint(TRUNCATE)") != DB_DONE)
			fprintf (stderr, "despatch erase: the WAL could not be emptied now (%s); the hub's next "
			    "checkpoint will\n", db_errmsg (db));
		else
			printf ("database compacted (VACUUM) and its WAL emptied\n");
		printf ("done: %d orders, %d other rows, %d stored replies, %d labels, %d files\n", run.rep.orders,
		    run.rep.rows, run.rep.replies, run.rep.labels, run.rep.files);
		despatch_erase_not_covered (&run, conf, db);
		if (run.failed > 0)
			rc = 1;
	}
	for (int i = 0; i < (n > 0 ? n : 0); i++)
		free (refs[i]);
	free (refs);
	hub_erase_report_free (&run.rep);
	conf_destroy (&conf);
	return rc;
}

const struct despatch_cmd_entry despatch_erase_entry = {
	.name = "erase",
	.usage = "customer NAME | erase order REF [config=FILE] [exports=DIR]...",
	.help = "remove a customer's personal data everywhere the hub keeps it (keeps what accounting needs)",
	.flags = DESPATCH_CMD_DATABASE,
	.exec = despatch_erase_exec,
};
