/*
 * despatch-track.c: "despatch track FILE...": carrier tracking files into
 * the hub's database, each whole or not at all (doc/carriers.md
 * "Tracking"). Unknown tracking numbers are kept and listed.
 * Exit 0 all taken and matched, 1 a file refused or a number unknown, 2 usage
 * or database.
 */
#include "config.h"
#include "despatch.h"
#include "despatch-carrier.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
despatch_track_exec (db_t *db, int argc, char **argv)
{
	argc--; /* the arguments after the command's name */
	argv++;
	if (argc < 1) {
		fprintf (stderr, "despatch track FILE...: carrier tracking CSV files (doc/carriers.md)\n");
		return 2;
	}
	int worst = 0;
	for (int i = 0; i < argc; i++) {
		struct carrier_track_report rep;
		if (db_begin (db) != DB_DONE) {
			fprintf (stderr, "despatch: cannot write the database: %s\n", db_errmsg (db));
			return 2;
		}
		int rc = carrier_track_file (db, argv[i], argv[i], util_wall_ms (), &rep);
		if (rc == 0 && db_commit (db) != DB_DONE)
			rc = -1;
		if (rc != 0)
			db_rollback (db);
		for (int e = 0; e < rep.nerrors; e++)
			fprintf (stderr, "%s\n", rep.errors[e]);
		for (int e = 0; e < rep.nwarnings; e++)
			fprintf (stderr, "warning: %s\n", rep.warnings[e]);
		if (rc == 0) {
			for (int e = 0; e < rep.nunknown; e++)
				fprintf (stderr, "%s\n", rep.unknown[e]);
			printf ("%s: %d events, %d matched, %d unknown\n", argv[i], rep.events, rep.matched, rep.nunknown);
			if (rep.nunknown)
				worst = worst > 1 ? worst : 1;
		} else {
			if (rc < 0)
				fprintf (stderr, "%s: the database failed: %s\n", argv[i], db_errmsg (db));
			fprintf (stderr, "%s: nothing taken\n", argv[i]);
			worst = rc < 0 ? 2 : (worst > 1 ? worst : 1);
		}
		carrier_track_report_free (&rep);
	}
	return worst;
}

const struct despatch_cmd_entry despatch_track_entry = {
	.name = "track",
	.usage = "FILE...",
	.help = "carrier tracking files (CSV); unknown tracking numbers are listed",
	.flags = DESPATCH_CMD_DATABASE,
	.exec = despatch_track_exec,
};
