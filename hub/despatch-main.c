/*
 * despatch-main.c: "despatch", the despatch administrator's tool.
 *
 *   despatch import FILE... [--database DB]
 *   despatch range list | range add CARRIER SCHEME PREFIX FIRST LAST [LOW_WATER]
 *
 * Each file is imported whole or not at all, in its own transaction, into
 * the hub's database (safe while the hub runs: SQLite serialises writers).
 * Subcommands are a table so later ones (ranges, carriers...) slot in.
 */
#include "config.h"
#include "despatch-backup.h"
#include "despatch-erase.h"
#include "despatch-keys.h"
#include "despatch-report.h"
#include "despatch-carrier.h"
#include "despatch-status.h"
#include "hub-import.h"
#include "hub-store.h"
#include "labels/ident.h"
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
	    "  range list              carrier number ranges: next serial, how many left\n"
	    "  range add CARRIER SCHEME PREFIX FIRST LAST [LOW_WATER]\n"
	    "                          add a carrier-issued range (never overlapping a range already held)\n"
	    "  rules test ORDERS [at=ISO-TIME] [carriers=DIR]\n"
	    "                          the carrier each order would get, and why; changes nothing\n"
	    "  quote ORDER [weight=G] | quote country=CC [postcode=P] weight=G [service=S] [value=PENCE]\n"
	    "                          the price of every service from the carriers' rate tables\n"
	    "  track FILE...           carrier tracking files (CSV); unknown tracking numbers are listed\n"
	    "  status [--config FILE]  the hub's health; exit 1 when something needs attention (despatch status --help)\n"
	    "  keys init|enrol|revoke|list DIR [NAME]  the hub's CURVE keys and terminal allow-list (despatch keys --help)\n"
	    "  erase customer NAME | erase order REF [exports=DIR]...\n"
	    "                          remove a customer's personal data everywhere (keeps what accounting needs)\n"
	    "  report carriers|exceptions|benches [--date YYYY-MM-DD] [--format csv|pdf] [-o FILE] [-d DB]\n"
	    "                          a day's parcels per carrier, exceptions, or throughput per bench per hour\n"
	    "  backup [dir=DIR]        a consistent copy of the database while the hub runs (default DIR: backups\n"
	    "                          next to the database), as despatch status expects it\n"
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

static int
despatch_range_list (db_t *db)
{
	db_stmt_t *st = db_prepare (db,
	    "SELECT id, carrier, scheme, prefix, first, next, last, low_water FROM ranges ORDER BY carrier, id");
	printf ("%-4s %-12s %-14s %-10s %12s %12s %12s %10s\n", "id", "carrier", "scheme", "prefix", "first", "next",
	    "last", "left");
	while (db_step (st) == DB_ROW) {
		long long next = db_col_int (st, 5), last = db_col_int (st, 6), left = next > last ? 0 : last - next + 1;
		printf ("%-4lld %-12s %-14s %-10s %12lld %12lld %12lld %10lld%s\n", (long long) db_col_int (st, 0),
		    db_col_text (st, 1), db_col_text (st, 2), db_col_text (st, 3), (long long) db_col_int (st, 4), next,
		    last, left, left == 0 ? "  USED UP" : left <= db_col_int (st, 7) ? "  LOW" : "");
	}
	db_reset (st);
	return 0;
}

/* A range from the carrier: checked against the scheme and every range held, so no number is issued twice. */
static int
despatch_range_add (db_t *db, int argc, char **argv)
{
	long first, last, low = 1000;
	if (argc < 5 || argc > 6 || !util_parse_long (argv[3], 0, 999999999999L, &first)
	    || !util_parse_long (argv[4], 0, 999999999999L, &last) || first > last
	    || (argc == 6 && !util_parse_long (argv[5], 0, 999999999999L, &low))) {
		fprintf (stderr, "despatch range add: CARRIER SCHEME PREFIX FIRST LAST [LOW_WATER], FIRST <= LAST\n");
		return 2;
	}
	const char *carrier = argv[0], *scheme = argv[1], *prefix = argv[2];
	if (ident_find (scheme) == NULL) {
		fprintf (stderr, "despatch: scheme '%s' is not one of:", scheme);
		for (const char *const *n = ident_names (); *n; n++)
			fprintf (stderr, " %s", *n);
		fprintf (stderr, "\n");
		return 2;
	}
	db_stmt_t *st = db_prepare (db, "SELECT count(*) FROM carriers WHERE code = ?1");
	db_bind_text (st, 1, carrier);
	bool known = strcmp (carrier, "sscc") == 0 || (db_step (st) == DB_ROW && db_col_int (st, 0) > 0);
	db_reset (st);
	if (!known) {
		fprintf (stderr, "despatch: carrier '%s' is not known (or 'sscc' for the store's own SSCCs)\n", carrier);
		return 2;
	}
	char *cause = NULL, *id = ident_make (scheme, prefix, (uint64_t) last, &cause);
	if (id == NULL) {
		fprintf (stderr, "despatch: %s %s cannot number up to %ld: %s\n", scheme, prefix, last, cause);
		free (cause);
		return 2;
	}
	free (id);
	if (db_begin (db) != DB_DONE) {
		fprintf (stderr, "despatch: cannot write the database: %s\n", db_errmsg (db));
		return 2;
	}
	st = db_prepare (db, "SELECT id, first, last FROM ranges WHERE scheme = ?1 AND prefix = ?2"
	    " AND NOT (last < ?3 OR first > ?4)");
	db_bind_text (st, 1, scheme);
	db_bind_text (st, 2, prefix);
	db_bind_int (st, 3, first);
	db_bind_int (st, 4, last);
	if (db_step (st) == DB_ROW) {
		fprintf (stderr, "despatch: %s %s %ld-%ld overlaps range %lld (%lld-%lld): numbers would be issued twice\n",
		    scheme, prefix, first, last, (long long) db_col_int (st, 0), (long long) db_col_int (st, 1),
		    (long long) db_col_int (st, 2));
		db_reset (st);
		db_rollback (db);
		return 1;
	}
	db_reset (st);
	st = db_prepare (db, "INSERT INTO ranges (carrier, scheme, prefix, first, next, last, low_water)"
	    " VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6)");
	db_bind_text (st, 1, carrier);
	db_bind_text (st, 2, scheme);
	db_bind_text (st, 3, prefix);
	db_bind_int (st, 4, first);
	db_bind_int (st, 5, last);
	db_bind_int (st, 6, low);
	int rc = db_step (st);
	db_reset (st);
	if (rc != DB_DONE || db_commit (db) != DB_DONE) {
		fprintf (stderr, "despatch: cannot write the database: %s\n", db_errmsg (db));
		db_rollback (db);
		return 2;
	}
	printf ("%s: range %s %s %ld-%ld added (%ld numbers)\n", carrier, scheme, prefix, first, last, last - first + 1);
	return 0;
}

static int
despatch_range (db_t *db, int argc, char **argv)
{
	if (argc >= 1 && strcmp (argv[0], "list") == 0)
		return despatch_range_list (db);
	if (argc >= 1 && strcmp (argv[0], "add") == 0)
		return despatch_range_add (db, argc - 1, argv + 1);
	fprintf (stderr, "despatch range: list, or add CARRIER SCHEME PREFIX FIRST LAST [LOW_WATER]\n");
	return 2;
}

static const struct {
	const char *name;
	int (*run) (db_t *db, int argc, char **argv);
} despatch_commands[] = {
	{ "import", despatch_import },
	{ "range", despatch_range },
	{ "rules", despatch_rules },
	{ "quote", despatch_quote },
	{ "track", despatch_track },
	{ "erase", despatch_erase },
	{ "backup", despatch_backup },
};

/* Commands with options of their own, given first: each opens what it needs itself. */
static const struct {
	const char *name;
	int (*main) (int argc, char **argv);
} despatch_mains[] = {
	{ "status", despatch_status_main },  /* the database read-only (despatch-status.c) */
	{ "keys", despatch_keys_main },      /* the key folder, not the database (despatch-keys.c) */
	{ "report", despatch_report_main },  /* the database read-only; --date, --format, -o (despatch-report.c) */
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
	for (size_t i = 0; argc > 1 && i < nitems (despatch_mains); i++)
		if (strcmp (argv[1], despatch_mains[i].name) == 0)
			return despatch_mains[i].main (argc - 1, argv + 1);
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
