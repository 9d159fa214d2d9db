/*
 * bench-import.c: the import benchmark's baseline (bench/import.sh): the
 * rows of an order file inserted by a minimal sqlite3 program into the
 * hub's own schema, in one transaction, WAL and synchronous=FULL as the
 * hub writes. No checks, no comparison with what is there, no scratch
 * store, no undo: the floor of what SQLite itself costs for those rows.
 * It talks to SQLite directly, being the measure of the adapter's users,
 * not one of them.
 *
 *   bench-import DB FILE    FILE: the one-line-per-order CSV bench/import.sh
 *                           writes (no quoted fields); prints "orders=N seconds=T"
 */
#include "config.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BENCH_FIELDS 17

static double
bench_now (void)
{
	struct timespec ts;
	clock_gettime (CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static long
bench_pence (const char *s)
{
	return (long) (strtod (s, NULL) * 100 + 0.5);
}

int
main (int argc, char **argv)
{
	if (argc != 3) {
		fprintf (stderr, "usage: bench-import DB FILE\n");
		return 2;
	}
	sqlite3 *db;
	if (sqlite3_open (argv[1], &db) != SQLITE_OK) {
		fprintf (stderr, "bench-import: %s: %s\n", argv[1], sqlite3_errmsg (db));
		return 1;
	}
	FILE *f = fopen (argv[2], "r");
	if (f == NULL) {
		perror (argv[2]);
		return 1;
	}
	sqlite3_exec (db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-8192", NULL, NULL, NULL);
	sqlite3_stmt *order, *line;
	if (sqlite3_prepare_v2 (db, "INSERT INTO orders (ref, channel, customer_name, address1, town, postcode, country,"
	        " service, value_pence, content_hash, source, created_at, updated_at)"
	        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, '', 'bench', ?10, ?10)", -1, &order, NULL) != SQLITE_OK
	    || sqlite3_prepare_v2 (db, "INSERT INTO order_lines (order_ref, line_no, sku, description, department,"
	        " quantity, locations, unit_weight_g, value_pence) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", -1, &line,
	        NULL) != SQLITE_OK) {
		fprintf (stderr, "bench-import: %s\n", sqlite3_errmsg (db));
		return 1;
	}
	double start = bench_now ();
	sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	char buf[4096];
	long n = 0;
	bool header = true;
	while (fgets (buf, sizeof buf, f)) {
		if (header) {
			header = false;
			continue;
		}
		buf[strcspn (buf, "\r\n")] = '\0';
		char *v[BENCH_FIELDS], *s = buf;
		int nf;
		for (nf = 0; nf < BENCH_FIELDS && s; nf++)
			v[nf] = strsep (&s, ",");
		if (nf != BENCH_FIELDS)
			continue;
		/* order,channel,customer_name,address_1,town,postcode,country,service,order_value,
		 * line,sku,description,department,quantity,locations,unit_weight_g,line_value */
		static const int ocol[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
		for (int i = 0; i < 8; i++)
			sqlite3_bind_text (order, i + 1, v[ocol[i]], -1, SQLITE_STATIC);
		sqlite3_bind_int64 (order, 9, bench_pence (v[8]));
		sqlite3_bind_int64 (order, 10, (sqlite3_int64) time (NULL) * 1000);
		sqlite3_bind_text (line, 1, v[0], -1, SQLITE_STATIC);
		sqlite3_bind_int (line, 2, atoi (v[9]));
		sqlite3_bind_text (line, 3, v[10], -1, SQLITE_STATIC);
		sqlite3_bind_text (line, 4, v[11], -1, SQLITE_STATIC);
		sqlite3_bind_text (line, 5, v[12], -1, SQLITE_STATIC);
		sqlite3_bind_int (line, 6, atoi (v[13]));
		sqlite3_bind_text (line, 7, v[14], -1, SQLITE_STATIC);
		sqlite3_bind_int (line, 8, atoi (v[15]));
		sqlite3_bind_int64 (line, 9, bench_pence (v[16]));
		if (sqlite3_step (order) != SQLITE_DONE || sqlite3_step (line) != SQLITE_DONE) {
			fprintf (stderr, "bench-import: %s\n", sqlite3_errmsg (db));
			return 1;
		}
		sqlite3_reset (order);
		sqlite3_reset (line);
		n++;
	}
	if (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		fprintf (stderr, "bench-import: %s\n", sqlite3_errmsg (db));
		return 1;
	}
	double took = bench_now () - start;
	sqlite3_finalize (order);
	sqlite3_finalize (line);
	sqlite3_close (db);
	fclose (f);
	printf ("orders=%ld seconds=%.3f\n", n, took);
	return 0;
}
