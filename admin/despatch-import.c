/*
 * despatch-import.c: "despatch import FILE...": orders into the hub's
 * database (CSV or JSON, doc/orders.md). Each file is imported whole or not
 * at all; it is read as it goes (a file of any size, in the same memory)
 * and written in slices of its own transactions, each short, so a hub
 * running on the same database waits at most one slice for its own
 * commits. A refused file's problems are listed by line. What an import
 * cut short (a kill, a stop) wrote is taken back first, from its undo
 * records in the database. One import writes into a database at a time
 * (the import lock, hub-import.h): one that finds another writing waits
 * for it a few seconds (wait=SECONDS), then refuses the file, nothing of
 * it written.
 */
#include "config.h"
#include "despatch.h"
#include "hub/store/hub-import.h"
#include "text.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A slice's time: a hub on the same database waits at most about this for the write lock. */
#define DESPATCH_IMPORT_SLICE_MS 100
/* How long a file waits for another import writing into the database (the hub's, another despatch import's),
 * unless wait=SECONDS says. */
#define DESPATCH_IMPORT_WAIT_S 5
#define DESPATCH_IMPORT_WAIT_MAX_S 3600

static ssize_t
despatch_import_read (void *arg, char *buf, size_t size)
{
	FILE *f = arg;
	size_t n = fread (buf, 1, size, f);
	if (n == 0 && ferror (f))
		return -1;
	return (ssize_t) n;
}

/* What imports cut short (a kill, a stop) wrote, taken back before anything else imports (hub-import.h);
 * 0, or 2 when the database failed (then nothing may import). */
static int
despatch_import_recover (db_t *db, const hub_import_lock_t *lock)
{
	for (;;) {
		char *cause = NULL;
		hub_import_t *imp = hub_import_recover (db, lock, 0, &cause);
		if (imp == NULL) {
			if (cause == NULL)
				return 0;
			fprintf (stderr, "despatch import: %s; nothing imported\n", cause);
			free (cause);
			return 2;
		}
		char *shown = text_escape (hub_import_name (imp), strlen (hub_import_name (imp)));
		bool back = hub_import_taking_back (imp);
		if (back)
			fprintf (stderr, "%s: an import of it was cut short while it was written (process %ld stopped): taking "
			    "back what it wrote\n", shown, hub_import_owner (imp));
		while (hub_import_step (imp, db, DESPATCH_IMPORT_SLICE_MS))
			;
		const struct hub_import_report *rep = hub_import_report (imp);
		int rc = hub_import_outcome (imp);
		if (back || rc < 0)
			for (int e = 0; e < rep->nerrors; e++)
				fprintf (stderr, "%s: %s\n", shown, rep->errors[e]);
		if (back && rc >= 0)
			fprintf (stderr, "%s: %ld orders written before it was cut short were taken back%s\n", shown,
			    rep->undone - rep->kept, rep->kept ? " (those named above stay)" : "");
		hub_import_destroy (&imp);
		free (shown);
		if (rc < 0) {
			fprintf (stderr, "despatch import: what an import cut short wrote could not be taken back; nothing "
			    "imported, run it again\n");
			return 2;
		}
	}
}

/* The file at path, f opened (the callee closes it); 0 imported, 1 refused, 2 the database failed. */
static int
despatch_import_one (db_t *db, const char *path, FILE *f)
{
	char *shown = text_escape (path, strlen (path)); /* a file name is outside text too */
	const char *base = strrchr (path, '/');
	char *cause = NULL;
	hub_import_t *imp = hub_import_new (base ? base + 1 : path, util_wall_ms (), 0, &cause);
	if (imp == NULL) {
		fprintf (stderr, "%s: %s\n%s: nothing imported\n", shown, cause, shown);
		free (cause);
		free (shown);
		fclose (f);
		return 2;
	}
	hub_import_source (imp, despatch_import_read, f);
	while (hub_import_step (imp, db, DESPATCH_IMPORT_SLICE_MS))
		;
	fclose (f);
	const struct hub_import_report *rep = hub_import_report (imp);
	int rc = hub_import_outcome (imp);
	for (int i = 0; i < rep->nwarnings; i++)
		fprintf (stderr, "%s: warning: %s\n", shown, rep->warnings[i]);
	if (rep->more_warnings)
		fprintf (stderr, "%s: %ld more warnings\n", shown, rep->more_warnings);
	if (rc == 0) {
		printf ("%s: imported %ld orders (%ld new, %ld updated, %ld unchanged)\n", shown, rep->orders, rep->created,
		    rep->updated, rep->unchanged);
	} else {
		for (int e = 0; e < rep->nerrors; e++)
			fprintf (stderr, "%s: %s\n", shown, rep->errors[e]);
		if (rep->more_errors)
			fprintf (stderr, "%s: more than %d problems: the rest of the file was not read\n", shown,
			    HUB_IMPORT_MAX_ERRORS);
		if (rep->undone)
			fprintf (stderr, "%s: %ld orders written before the refusal were taken back%s\n", shown, rep->undone,
			    rep->kept ? " (those named above stay)" : "");
		fprintf (stderr, "%s: nothing imported\n", shown);
	}
	hub_import_destroy (&imp);
	free (shown);
	return rc < 0 ? 2 : rc;
}

/* The import lock for the file at path, waiting up to wait_s for another import to finish: 0 taken, 2 not (said). */
static int
despatch_import_lock (hub_import_lock_t *lock, const char *path, int wait_s)
{
	const char *base = strrchr (path, '/');
	char *holder = NULL, *cause = NULL;
	int rc = hub_import_lock_take (lock, base ? base + 1 : path, 0, &holder, &cause);
	if (rc == 1 && wait_s > 0) {
		char *shown = text_escape (path, strlen (path));
		fprintf (stderr, "%s: another import is writing into this database (%s): waiting up to %d s for it\n", shown,
		    holder ? holder : "it does not say whose", wait_s);
		free (shown);
		free (holder);
		rc = hub_import_lock_take (lock, base ? base + 1 : path, wait_s * 1000, &holder, &cause);
	}
	if (rc == 0)
		return 0;
	char *shown = text_escape (path, strlen (path));
	if (rc < 0)
		fprintf (stderr, "%s: %s\n%s: nothing imported\n", shown, cause, shown);
	else
		fprintf (stderr, "%s: another import is still writing into this database after %d s (%s). Nothing of this "
		    "file was written: run despatch import again once it is done, or give it longer with wait=SECONDS\n"
		    "%s: nothing imported\n", shown, wait_s, holder ? holder : "it does not say whose", shown);
	free (shown);
	free (holder);
	free (cause);
	return 2;
}

static int
despatch_import_exec (db_t *db, int argc, char **argv)
{
	argc--; /* the arguments after the command's name */
	argv++;
	int worst = 0, wait_s = DESPATCH_IMPORT_WAIT_S, nfiles = 0;
	for (int i = 0; i < argc; i++) {
		if (strncmp (argv[i], "wait=", 5) != 0)
			continue;
		char *end;
		long v = strtol (argv[i] + 5, &end, 10);
		if (argv[i][5] == '\0' || *end != '\0' || v < 0 || v > DESPATCH_IMPORT_WAIT_MAX_S) {
			fprintf (stderr, "despatch import: %s: wait= takes the seconds to wait for another import, 0 to %d\n",
			    argv[i], DESPATCH_IMPORT_WAIT_MAX_S);
			return 2;
		}
		wait_s = (int) v;
	}
	for (int i = 0; i < argc; i++)
		nfiles += strncmp (argv[i], "wait=", 5) != 0;
	if (nfiles < 1) {
		fprintf (stderr, "despatch import: name at least one file\n");
		return 2;
	}
	char *cause = NULL;
	hub_import_lock_t *lock = hub_import_lock_new (db, "despatch import", &cause);
	if (lock == NULL) {
		fprintf (stderr, "despatch import: %s; nothing imported\n", cause);
		free (cause);
		return 2;
	}
	/* Big imports pass every page once: a small cache and no mapping keep the tool's memory the same
	 * whatever the file's size. */
	db_exec (db, "PRAGMA mmap_size=0; PRAGMA cache_size=-8192");
	for (int i = 0; i < argc; i++) {
		if (strncmp (argv[i], "wait=", 5) == 0)
			continue;
		/* Opened before the lock, so that what cannot be read (a FIFO waiting for its writer) holds up no
		 * other import. */
		char *why = NULL;
		FILE *f = hub_import_open (argv[i], &why);
		if (f == NULL) {
			char *shown = text_escape (argv[i], strlen (argv[i]));
			fprintf (stderr, "%s: %s\n%s: nothing imported\n", shown, why, shown);
			free (shown);
			free (why);
			if (worst < 1)
				worst = 1;
			continue;
		}
		/* The lock for each file; under it first what imports cut short wrote is taken back (one before this
		 * whose take-back failed is left for the next). */
		int rc = despatch_import_lock (lock, argv[i], wait_s);
		if (rc == 0)
			rc = despatch_import_recover (db, lock);
		if (rc == 0)
			rc = despatch_import_one (db, argv[i], f);
		else
			fclose (f);
		hub_import_lock_drop (lock);
		if (rc > worst)
			worst = rc;
	}
	hub_import_lock_destroy (&lock);
	return worst;
}

const struct despatch_cmd_entry despatch_import_entry = {
	.name = "import",
	.usage = "FILE... [wait=SECONDS]",
	.help = "import orders (CSV or JSON, see doc/orders.md); each file whole or not at all, one import at a time",
	.flags = DESPATCH_CMD_DATABASE,
	.exec = despatch_import_exec,
};
