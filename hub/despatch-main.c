/*
 * despatch-main.c: "despatch", the despatch administrator's tool.
 *
 *   despatch import FILE... [--database DB]
 *
 * Each file is imported whole or not at all, in its own transaction, into
 * the hub's database (safe while the hub runs: SQLite serialises writers).
 * Subcommands are a table so later ones (ranges, carriers...) slot in.
 */
#include "config.h"
#include "despatch-status.h"
#include "hub-import.h"
#include "hub-store.h"
#include "log.h"
#include "util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DESPATCH_DEFAULT_DATABASE "despatch.db"

static void
despatch_usage (FILE *f)
{
	fprintf (f,
	    "usage: despatch import FILE... [--database DB]\n"
	    "  import FILE...          import orders (CSV or JSON, see doc/orders.md); each file whole or not at all\n"
	    "  status [--config FILE]  the hub's health; exit 1 when something needs attention (despatch status --help)\n"
	    "  -d, --database DB       the hub's SQLite database (default ./" DESPATCH_DEFAULT_DATABASE ")\n"
	    "  -h, --help              print this help and exit\n"
	    "  -V, --version           print the version and exit\n"
	    "Exit status: 0 all imported, 1 a file was refused (its problems are listed), 2 usage or database error.\n");
}

static int
despatch_import (db_t *db, int argc, char **argv)
{
	int worst = 0;
	if (argc < 1) {
		fprintf (stderr, "despatch import: name at least one file\n");
		return 2;
	}
	for (int i = 0; i < argc; i++) {
		struct hub_import_report rep;
		if (db_begin (db) != DB_DONE) {
			fprintf (stderr, "despatch: %s: cannot write the database: %s\n", argv[i], db_errmsg (db));
			return 2;
		}
		int rc = hub_import_file (db, argv[i], util_wall_ms (), &rep);
		if (rc == 0 && db_commit (db) != DB_DONE)
			rc = -1;
		if (rc != 0)
			db_rollback (db);
		if (rc == 0) {
			printf ("%s: imported %d orders (%d new, %d updated, %d unchanged)\n", argv[i], rep.orders,
			    rep.created, rep.updated, rep.unchanged);
		} else {
			for (int e = 0; e < rep.nerrors; e++)
				fprintf (stderr, "%s: %s\n", argv[i], rep.errors[e]);
			if (rc < 0)
				fprintf (stderr, "%s: the database failed: %s\n", argv[i], db_errmsg (db));
			fprintf (stderr, "%s: nothing imported\n", argv[i]);
			worst = rc < 0 ? 2 : (worst > 1 ? worst : 1);
		}
		hub_import_report_free (&rep);
	}
	return worst;
}

static const struct {
	const char *name;
	int (*run) (db_t *db, int argc, char **argv);
} despatch_commands[] = {
	{ "import", despatch_import },
};

int
main (int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "database", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *database = DESPATCH_DEFAULT_DATABASE;
	int c;
	/* status opens the database read-only and has options of its own (despatch-status.c). */
	if (argc > 1 && strcmp (argv[1], "status") == 0)
		return despatch_status_main (argc - 1, argv + 1);
	/* Options may come anywhere (GNU getopt permutes). */
	while ((c = getopt_long (argc, argv, "d:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': database = optarg; break;
		case 'h': despatch_usage (stdout); return 0;
		case 'V': printf ("despatch %s\n", PACKAGE_VERSION); return 0;
		default: despatch_usage (stderr); return 2;
		}
	}
	if (optind >= argc) {
		despatch_usage (stderr);
		return 2;
	}
	log_open ("despatch", LOG_LVL_WARN, 0);
	for (size_t i = 0; i < nitems (despatch_commands); i++) {
		if (strcmp (argv[optind], despatch_commands[i].name) != 0)
			continue;
		char *cause = NULL;
		db_t *db = hub_store_open (database, &cause);
		if (db == NULL) {
			fprintf (stderr, "despatch: %s\n", cause);
			free (cause);
			return 2;
		}
		int rc = despatch_commands[i].run (db, argc - optind - 1, argv + optind + 1);
		db_close (&db);
		log_close ();
		return rc;
	}
	fprintf (stderr, "despatch: unknown command '%s'\n", argv[optind]);
	despatch_usage (stderr);
	return 2;
}
