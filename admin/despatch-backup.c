/*
 * despatch-backup.c: "despatch backup [dir=DIR]", a consistent copy of the
 * hub's database taken while the hub runs (SQLite's backup API, db_backup),
 * named as despatch status looks for it: DIR/despatch-YYYYMMDDTHHMMSSZ.db,
 * DIR defaulting to "backups" next to the database. The copy is written under
 * a temporary name, checked (PRAGMA integrity_check) and only then renamed.
 */
#include "config.h"
#include "despatch.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int
despatch_backup_exec (db_t *db, int argc, char **argv)
{
	argc--; /* the arguments after the command's name */
	argv++;
	const char *path = db_path (db);
	char *dir = NULL;
	if (argc == 1 && strncmp (argv[0], "dir=", 4) == 0 && argv[0][4])
		dir = xstrdup (argv[0] + 4);
	else if (argc != 0) {
		fprintf (stderr, "usage: despatch backup [dir=DIR]   (default: backups next to the database)\n");
		return 2;
	}
	if (dir == NULL) {
		const char *slash = strrchr (path, '/');
		dir = slash ? xasprintf ("%.*s/backups", (int) (slash - path), path) : xstrdup ("backups");
	}
	if (util_mkdirs (dir, 0750) != 0) {
		fprintf (stderr, "despatch backup: cannot make the folder %s\n", dir);
		free (dir);
		return 1;
	}
	char stamp[32];
	time_t now = time (NULL);
	strftime (stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", gmtime (&now));
	char *tmp = xasprintf ("%s/.despatch-%s.db.part", dir, stamp);
	char *out = xasprintf ("%s/despatch-%s.db", dir, stamp);
	char *cause = NULL;
	int rc = 0;
	unlink (tmp);
	if (db_backup (db, tmp, &cause) != 0) {
		fprintf (stderr, "despatch backup: %s\n", cause);
		rc = 1;
	} else {
		db_t *copy = db_open (tmp, DB_READONLY, &cause);
		char *check = copy ? db_query_text (copy, "PRAGMA integrity_check") : NULL;
		int64_t orders = copy ? db_query_int (copy, "SELECT count(*) FROM orders", -1) : -1;
		db_close (&copy);
		if (check == NULL || strcmp (check, "ok") != 0) {
			fprintf (stderr, "despatch backup: the copy failed its check (%s); kept as %s\n",
			    check ? check : (cause ? cause : "unreadable"), tmp);
			rc = 1;
		} else if (rename (tmp, out) != 0) {
			fprintf (stderr, "despatch backup: cannot name the copy %s\n", out);
			rc = 1;
		} else {
			struct stat sb;
			printf ("despatch backup: %s copied to %s (%lld bytes, %lld orders, integrity ok)\n", path, out,
			    stat (out, &sb) == 0 ? (long long) sb.st_size : -1LL, (long long) orders);
		}
		free (check);
	}
	if (rc != 0)
		unlink (tmp);
	free (cause);
	free (tmp);
	free (out);
	free (dir);
	return rc;
}

const struct despatch_cmd_entry despatch_backup_entry = {
	.name = "backup",
	.usage = "[dir=DIR]",
	.help = "a consistent copy of the database while the hub runs (default DIR: backups\n"
	    "next to the database), as despatch status expects it",
	.flags = DESPATCH_CMD_DATABASE,
	.exec = despatch_backup_exec,
};
