/*
 * despatch-import.c: "despatch import FILE...": orders into the hub's
 * database (CSV or JSON, doc/orders.md). Each file is imported whole or not
 * at all, in its own transaction (safe while the hub runs: SQLite
 * serialises writers); a refused file's problems are listed by line.
 */
#include "config.h"
#include "despatch.h"
#include "hub/store/hub-import.h"
#include "util.h"

#include <stdio.h>

static int
despatch_import_exec (db_t *db, int argc, char **argv)
{
	argc--; /* the arguments after the command's name */
	argv++;
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

const struct despatch_cmd_entry despatch_import_entry = {
	.name = "import",
	.usage = "FILE...",
	.help = "import orders (CSV or JSON, see doc/orders.md); each file whole or not at all",
	.flags = DESPATCH_CMD_DATABASE,
	.exec = despatch_import_exec,
};
