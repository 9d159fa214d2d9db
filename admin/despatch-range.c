/*
 * despatch-range.c: "despatch range list | add": the carriers' number
 * ranges, how many numbers each has left, and a new range from a carrier,
 * checked against the scheme and against every range held so that no
 * number is ever issued twice.
 */
#include "config.h"
#include "despatch.h"
#include "labels/ident.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
despatch_range_exec (db_t *db, int argc, char **argv)
{
	argc--; /* the arguments after the command's name */
	argv++;
	if (argc >= 1 && strcmp (argv[0], "list") == 0)
		return despatch_range_list (db);
	if (argc >= 1 && strcmp (argv[0], "add") == 0)
		return despatch_range_add (db, argc - 1, argv + 1);
	fprintf (stderr, "despatch range: list, or add CARRIER SCHEME PREFIX FIRST LAST [LOW_WATER]\n");
	return 2;
}

const struct despatch_cmd_entry despatch_range_entry = {
	.name = "range",
	.usage = "list\nadd CARRIER SCHEME PREFIX FIRST LAST [LOW_WATER]",
	.help = "carrier number ranges: next serial, how many left\nadd a carrier-issued range (never overlapping a range already held)",
	.flags = DESPATCH_CMD_DATABASE,
	.exec = despatch_range_exec,
};
