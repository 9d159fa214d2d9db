/*
 * despatch-backup.c: "despatch backup", a backup of the hub's database
 * and its keys while the hub runs, and "despatch restore", which brings
 * one back; both over hub/store/hub-backup.h, the one implementation (the
 * timer's despatch-backup runs despatch backup).
 *
 *   despatch backup [--config FILE] [--database DB] [--dir DIR] [--keys DIR] [--keep N]
 *   despatch restore BACKUP [--config FILE] [--database DB] [--keys DIR | --no-keys]
 *
 * Settings come from the configuration (default /etc/despatch/despatch.conf
 * when it is there): hub.database, backup.dir, backup.keep,
 * security.keys_dir; the options win. backup opens the database read-only
 * (it never migrates or changes it), copies it with SQLite's online backup,
 * checks the copy with PRAGMA integrity_check, copies the key folder with
 * its modes, names both only when whole and keeps the newest backup.keep.
 */
#include "config.h"
#include "conf.h"
#include "despatch.h"
#include "hub/store/hub-backup.h"
#include "hub/store/hub-store.h"
#include "util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DESPATCH_BACKUP_CONFIG DSP_SYSCONFDIR "/despatch/despatch.conf"

/* What both read: the settings, and the paths they give (owned by the conf or by keys_dflt). */
struct despatch_backup_opts {
	conf_t *conf;
	const char *config, *database, *dir, *keys;
	char *keys_dflt;
	long keep;
	bool no_keys;
};

static void
despatch_backup_opts_free (struct despatch_backup_opts *o)
{
	conf_destroy (&o->conf);
	free (o->keys_dflt);
}

/* The configuration read and the defaults filled in; 0, or 2 with the reason said. */
static int
despatch_backup_settings (struct despatch_backup_opts *o, const char *who)
{
	char *cause = NULL;
	o->conf = conf_new ();
	if (o->config == NULL && access (DESPATCH_BACKUP_CONFIG, F_OK) == 0)
		o->config = DESPATCH_BACKUP_CONFIG;
	if (o->config && conf_load (o->conf, o->config, &cause) != 0) {
		fprintf (stderr, "despatch %s: %s\n", who, cause);
		free (cause);
		return 2;
	}
	if (o->database == NULL)
		o->database = conf_get (o->conf, "hub.database", "despatch.db");
	/* The keys live beside the database unless told otherwise, as the hub has them. */
	const char *slash = strrchr (o->database, '/');
	o->keys_dflt = slash ? xasprintf ("%.*s/keys", (int) (slash - o->database), o->database) : xstrdup ("keys");
	if (o->keys == NULL && !o->no_keys)
		o->keys = conf_get (o->conf, "security.keys_dir", o->keys_dflt);
	if (o->keep < 0 && conf_get_long (o->conf, "backup.keep", 14, 0, 100000, &o->keep, &cause) != 0) {
		fprintf (stderr, "despatch %s: %s\n", who, cause);
		free (cause);
		return 2;
	}
	return 0;
}

static void
despatch_backup_usage (FILE *f)
{
	fprintf (f,
	    "usage: despatch backup [--config FILE] [--database DB] [--dir DIR] [--keys DIR] [--keep N]\n"
	    "  -c, --config FILE    settings (default " DESPATCH_BACKUP_CONFIG " if it exists)\n"
	    "  -d, --database DB    the database (default hub.database, else ./despatch.db)\n"
	    "      --dir DIR        where the backup goes (default backup.dir, else backups beside the database)\n"
	    "      --keys DIR       the key folder copied with it (default security.keys_dir, else keys beside the\n"
	    "                       database); --no-keys copies none\n"
	    "      --keep N         keep the newest N backups (default backup.keep, else 14; 0 keeps all)\n"
	    "Exit status: 0 made and checked, 1 it failed (the reason is said), 2 usage or configuration error.\n");
}

static const struct option despatch_backup_longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "database", required_argument, NULL, 'd' },
	{ "dir", required_argument, NULL, 'D' },
	{ "keys", required_argument, NULL, 'k' },
	{ "no-keys", no_argument, NULL, 'K' },
	{ "keep", required_argument, NULL, 'n' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* The options both take; -1 to go on, else the exit status. */
static int
despatch_backup_parse (struct despatch_backup_opts *o, int argc, char **argv, void (*usage) (FILE *))
{
	int c;
	optind = 0;
	while ((c = getopt_long (argc, argv, "c:d:h", despatch_backup_longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o->config = optarg; break;
		case 'd': o->database = optarg; break;
		case 'D': o->dir = optarg; break;
		case 'k': o->keys = optarg; break;
		case 'K': o->no_keys = true; break;
		case 'n':
			if (!util_parse_long (optarg, 0, 100000, &o->keep)) {
				fprintf (stderr, "despatch: --keep %s: expected a whole number of backups (0 keeps all)\n", optarg);
				return 2;
			}
			break;
		case 'h': usage (stdout); return 0;
		default: usage (stderr); return 2;
		}
	}
	return -1;
}

static int
despatch_backup_exec (db_t *none, int argc, char **argv)
{
	(void) none; /* it opens its own, read-only */
	struct despatch_backup_opts o = { .keep = -1 };
	int rc = despatch_backup_parse (&o, argc, argv, despatch_backup_usage);
	/* The older form: despatch backup dir=DIR. */
	for (; rc < 0 && optind < argc; optind++) {
		if (strncmp (argv[optind], "dir=", 4) == 0 && argv[optind][4]) {
			o.dir = argv[optind] + 4;
		} else {
			fprintf (stderr, "despatch backup: unexpected argument '%s'\n", argv[optind]);
			despatch_backup_usage (stderr);
			rc = 2;
		}
	}
	if (rc >= 0 || (rc = despatch_backup_settings (&o, "backup")) != 0) {
		despatch_backup_opts_free (&o);
		return rc;
	}
	char *cause = NULL;
	if (access (o.database, F_OK) != 0) {
		fprintf (stderr, "despatch backup: no database at %s: is hub.database (or --database) right?\n", o.database);
		despatch_backup_opts_free (&o);
		return 1;
	}
	if (despatch_database_folder ("backup", o.database)) {
		despatch_backup_opts_free (&o);
		return 2;
	}
	db_t *db = db_open (o.database, DB_READONLY, &cause);
	if (db == NULL) {
		/* Another user is the way out only of a file this one may not read; db_open says what else to do. */
		fprintf (stderr, "despatch backup: %s%s\n", cause,
		    access (o.database, R_OK) != 0 ? "; run it as root or as the despatch user" : "");
		free (cause);
		despatch_backup_opts_free (&o);
		return 2;
	}
	char *dir = o.dir ? xstrdup (o.dir) : hub_backup_dir (o.conf, o.database);
	struct hub_backup_made made;
	rc = hub_backup_take (db, dir, o.no_keys ? NULL : o.keys, NULL, &made, &cause);
	db_close (&db);
	if (rc != 0) {
		fprintf (stderr, "despatch backup: %s%s; no backup made\n", cause, access (dir, W_OK | X_OK) != 0
		    ? ": give --dir (or backup.dir) a folder this user may write" : "");
		free (cause);
		rc = 1;
	} else {
		printf ("despatch backup: %s copied to %s (%lld bytes, %lld orders, integrity ok)", o.database, made.db,
		    (long long) made.bytes, (long long) made.orders);
		if (made.keys)
			printf ("; keys %s copied to %s (%d files, modes kept)", o.keys, made.keys, made.files);
		else if (!o.no_keys)
			printf ("; no key folder at %s", o.keys);
		printf ("\n");
		int gone = hub_backup_rotate (dir, (int) o.keep, &cause);
		if (gone < 0) {
			fprintf (stderr, "despatch backup: the old backups are not pruned: %s\n", cause);
			free (cause);
		} else if (gone > 0) {
			printf ("despatch backup: removed %d older backup%s (keeping the newest %ld)\n", gone, gone == 1 ? "" : "s",
			    o.keep);
		}
		hub_backup_made_free (&made);
	}
	free (dir);
	despatch_backup_opts_free (&o);
	return rc;
}

const struct despatch_cmd_entry despatch_backup_entry = {
	.name = "backup",
	.usage = "[--config FILE] [--dir DIR] [--keys DIR] [--keep N]",
	.help = "a backup of the database and its keys while the hub runs, checked, as despatch\n"
	    "status expects it; the newest backup.keep kept (despatch backup --help)",
	.flags = DESPATCH_CMD_OPTIONS,
	.exec = despatch_backup_exec,
};

static void
despatch_restore_usage (FILE *f)
{
	fprintf (f,
	    "usage: despatch restore BACKUP [--config FILE] [--database DB] [--keys DIR | --no-keys]\n"
	    "  BACKUP               a backup's despatch-*.db; its despatch-*.keys beside it is restored too\n"
	    "  -c, --config FILE    settings (default " DESPATCH_BACKUP_CONFIG " if it exists)\n"
	    "  -d, --database DB    the database to bring back (default hub.database, else ./despatch.db)\n"
	    "      --keys DIR       the key folder to bring back (default security.keys_dir, else keys beside the\n"
	    "                       database); --no-keys leaves the keys as they are\n"
	    "Stop the hub first. What is there is kept aside as NAME.before-restore-TIME.\n"
	    "Exit status: 0 restored, 1 refused (the reason is said; nothing changed), 2 usage error.\n");
}

static int
despatch_restore_exec (db_t *none, int argc, char **argv)
{
	(void) none;
	struct despatch_backup_opts o = { .keep = 0 };
	int rc = despatch_backup_parse (&o, argc, argv, despatch_restore_usage);
	if (rc < 0 && optind + 1 != argc) {
		fprintf (stderr, "despatch restore: name one backup (a despatch-*.db file)\n");
		despatch_restore_usage (stderr);
		rc = 2;
	}
	if (rc >= 0 || (rc = despatch_backup_settings (&o, "restore")) != 0) {
		despatch_backup_opts_free (&o);
		return rc;
	}
	/* A folder would be moved aside and the backup put in its place: surely not what was meant. */
	if (despatch_database_folder ("restore", o.database)) {
		despatch_backup_opts_free (&o);
		return 2;
	}
	char *said = NULL, *cause = NULL;
	if (hub_backup_restore (argv[optind], o.database, o.no_keys ? NULL : o.keys, HUB_STORE_SCHEMA, &said, &cause)
	    != 0) {
		fprintf (stderr, "despatch restore: %s\n", cause);
		free (cause);
		rc = 1;
	} else {
		printf ("despatch restore: %s\ndespatch restore: start the hub now (systemctl start despatch-hub)\n", said);
		free (said);
		rc = 0;
	}
	despatch_backup_opts_free (&o);
	return rc;
}

const struct despatch_cmd_entry despatch_restore_entry = {
	.name = "restore",
	.usage = "BACKUP [--config FILE] [--database DB] [--keys DIR]",
	.help = "bring a backup (its database and keys) back, the hub stopped (despatch restore --help)",
	.flags = DESPATCH_CMD_OPTIONS,
	.exec = despatch_restore_exec,
};
