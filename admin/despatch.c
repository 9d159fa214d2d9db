/*
 * despatch.c: "despatch", the despatch administrator's tool: the table of
 * commands (despatch.h), the help written from it, the options every
 * command shares (--database), and dispatch.
 *
 *   despatch [--database DB] COMMAND [ARGUMENTS]
 *   despatch [--database DB] status|keys|report|backup|restore [OPTIONS]   (options of their own)
 *
 * despatch's own options come before the command's name; every word after
 * it is the command's (a file named -dash.csv is a file, not -d ash.csv).
 */
#include "config.h"
#include "despatch.h"
#include "hub/store/hub-store.h"
#include "log.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DESPATCH_HELP_COLUMN 26

/* Help order. */
static const struct despatch_cmd_entry *const despatch_table[] = {
	&despatch_import_entry,
	&despatch_range_entry,
	&despatch_rules_entry,
	&despatch_quote_entry,
	&despatch_track_entry,
	&despatch_status_entry,
	&despatch_keys_entry,
	&despatch_erase_entry,
	&despatch_report_entry,
	&despatch_backup_entry,
	&despatch_restore_entry,
};

static const struct despatch_cmd_entry *
despatch_find (const char *name)
{
	for (size_t i = 0; i < nitems (despatch_table); i++)
		if (strcmp (despatch_table[i]->name, name) == 0)
			return despatch_table[i];
	return NULL;
}

/* One command's lines: each synopsis with its line of help beside it (or under it when long). */
static void
despatch_usage_entry (FILE *f, const struct despatch_cmd_entry *e)
{
	const char *u = e->usage, *h = e->help;
	while (*u || *h) {
		int ul = (int) strcspn (u, "\n"), hl = (int) strcspn (h, "\n");
		int w = 0;
		if (*u)
			w = fprintf (f, "  %s %.*s", e->name, ul, u);
		if (hl > 0 && w > DESPATCH_HELP_COLUMN - 2) {
			fprintf (f, "\n");
			w = 0;
		}
		if (hl > 0)
			fprintf (f, "%*s%.*s", DESPATCH_HELP_COLUMN - w, "", hl, h);
		fprintf (f, "\n");
		u += ul + (u[ul] == '\n');
		h += hl + (h[hl] == '\n');
	}
}

static void
despatch_usage (FILE *f)
{
	fprintf (f, "usage: despatch [--database DB] COMMAND [ARGUMENTS]\n");
	for (size_t i = 0; i < nitems (despatch_table); i++)
		despatch_usage_entry (f, despatch_table[i]);
	fprintf (f,
	    "  -d, --database DB       the hub's SQLite database (default ./" DESPATCH_DEFAULT_DATABASE "), given before\n"
	    "                          the command; every word after the command is its own (-- before a file named -d)\n"
	    "  -h, --help              print this help and exit\n"
	    "  -V, --version           print the version and exit\n"
	    "Exit status: 0 done, 1 refused or something needs attention (the reason is said), 2 usage or\n"
	    "database error; each command's in despatch(8).\n");
}

/*
 * An own-options command (status, keys, report) gets what was given before
 * its name as its own: "despatch --database DB status -q" is "despatch
 * status --database DB -q". A command that works on no database (keys)
 * does without it. The new vector is the caller's to free (not its strings).
 */
static char **
despatch_own_args (const struct despatch_cmd_entry *e, const char *database, int argc, char **argv, int *n)
{
	char **v = xcalloc ((size_t) argc + 3, sizeof *v);
	int k = 0;
	v[k++] = argv[0];
	if (database && !(e->flags & DESPATCH_CMD_NO_DATABASE)) {
		v[k++] = (char *) "--database";
		v[k++] = (char *) database;
	}
	for (int i = 1; i < argc; i++)
		v[k++] = argv[i];
	*n = k;
	return v;
}

/*
 * The words after a command's name (argv[0]) are the command's: despatch
 * reads no option there, for getopt would take a file named -dash.csv as
 * "-d ash.csv" and import into a database of that name. It looks only up
 * to a first "--", which it drops (so a file may be named -d): --help is
 * the help, and --database (-d) is refused, for an older script that gives
 * it after the files would otherwise import them into ./despatch.db.
 * -1 to go on, else the exit status.
 */
static int
despatch_words (const struct despatch_cmd_entry *e, int *argc, char **argv)
{
	for (int i = 1; i < *argc; i++) {
		const char *a = argv[i];
		if (strcmp (a, "--") == 0) {
			memmove (argv + i, argv + i + 1, (size_t) (*argc - i) * sizeof *argv); /* with its NULL */
			(*argc)--;
			return -1;
		}
		if (strcmp (a, "-h") == 0 || strcmp (a, "--help") == 0) {
			despatch_usage (stdout);
			return 0;
		}
		if (strcmp (a, "-d") == 0 || strcmp (a, "--database") == 0 || strncmp (a, "--database=", 11) == 0) {
			fprintf (stderr, "despatch %s: %s goes before the command's name (despatch --database DB %s ...); "
			    "nothing done. A file named %s: put -- before it\n", e->name, a, e->name, a);
			return 2;
		}
	}
	return -1;
}

int
main (int argc, char **argv)
{
	const char *database = NULL;
	/* The options before the command's name, read by hand: getopt keeps state between calls, and the
	 * commands that read their own options start it afresh with optind = 1. */
	optind = 1;
	while (optind < argc && argv[optind][0] == '-') {
		const char *a = argv[optind];
		if (strcmp (a, "-h") == 0 || strcmp (a, "--help") == 0) {
			despatch_usage (stdout);
			return 0;
		} else if (strcmp (a, "-V") == 0 || strcmp (a, "--version") == 0) {
			printf ("despatch %s\n", PACKAGE_VERSION);
			return 0;
		} else if ((strcmp (a, "-d") == 0 || strcmp (a, "--database") == 0) && optind + 1 < argc) {
			database = argv[++optind];
		} else if (strncmp (a, "--database=", 11) == 0) {
			database = a + 11;
		} else if (strncmp (a, "-d", 2) == 0 && a[2]) {
			database = a + 2;
		} else if (strcmp (a, "--") == 0) {
			optind++;
			break;
		} else {
			fprintf (stderr, "despatch: unknown option '%s' before the command\n", a);
			despatch_usage (stderr);
			return 2;
		}
		optind++;
	}
	if (optind >= argc) {
		despatch_usage (stderr);
		return 2;
	}
	const struct despatch_cmd_entry *e = despatch_find (argv[optind]);
	if (e == NULL) {
		fprintf (stderr, "despatch: unknown command '%s'\n", argv[optind]);
		despatch_usage (stderr);
		return 2;
	}
	int sub_argc = argc - optind;
	char **sub = argv + optind;
	if (e->flags & DESPATCH_CMD_OPTIONS) {
		int n;
		char **v = despatch_own_args (e, database, sub_argc, sub, &n);
		int rc = e->exec (NULL, n, v);
		free (v);
		return rc;
	}
	int said = despatch_words (e, &sub_argc, sub);
	if (said >= 0)
		return said;
	log_open ("despatch", LOG_LVL_WARN, 0);
	db_t *db = NULL;
	const char *path = database ? database : DESPATCH_DEFAULT_DATABASE;
	bool wanted = (e->flags & DESPATCH_CMD_DATABASE)
	    && (!(e->flags & DESPATCH_CMD_DATABASE_IF_THERE) || access (path, F_OK) == 0);
	if (wanted && despatch_database_folder (e->name, path))
		return 2;
	if (wanted) {
		char *cause = NULL;
		if ((db = hub_store_open (path, &cause)) == NULL) {
			fprintf (stderr, "despatch: %s\n", cause);
			free (cause);
			return 2;
		}
	}
	int rc = e->exec (db, sub_argc, sub);
	db_close (&db);
	log_close ();
	return rc;
}
