/*
 * test-erase-many.c: erasing a customer with many orders, in a database
 * that holds other customers' too. 600 orders of one customer (each with
 * its own phone number, forty house numbers on one street) among 300 of
 * others in the same town.
 * Each order has a parcel, a packing event that names the customer and
 * the address, a tracking event signed by the customer, a stored reply and
 * a line in an events export; every third a note with the phone number;
 * a fixed-width manifest line cuts the street. Afterwards none of the
 * customer's strings is in any column of any table, in any reply or in
 * the file, in any case; the erase made what it says (a name in the same
 * case replaced, one in another case the whole value, a cut street
 * starred in a line of hers); and the other customers' rows and lines are
 * byte for byte what they were, their town too. Retention then erases
 * five delivered orders of others in one pass and keeps a recent one;
 * then, as the hub runs it, in steps of 100 rows: cut short after three
 * (the orders keep their data), then begun again and run to its end; and
 * cut short later, once the orders' signer and note were passed, begun
 * again while the hub writes replies naming them.
 */
#include "config.h"
#include "db.h"
#include "hub/store/hub-erase.h"
#include "hub/store/hub-store.h"
#include "tests/tap.h"
#include "tests/testlib.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MANY 600
#define OTHERS 300

/* What is hers and must go, any case. Every one of her phone numbers starts with the first. */
static const char *const hers[] = { "0191 496 0", "Ann Example", "Quayside Terrace", "NE1 3DX", "ann.example@example.com" };

static void
exec_ok (db_t *db, const char *sql)
{
	if (db_exec (db, sql) != DB_DONE) {
		diag ("%s: %s", sql, db_errmsg (db));
		exit (99);
	}
}

static void
exec_fmt (db_t *db, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

static void
exec_fmt (db_t *db, const char *fmt, ...)
{
	va_list ap;
	va_start (ap, fmt);
	char *sql = NULL;
	if (vasprintf (&sql, fmt, ap) < 0)
		exit (99);
	va_end (ap);
	exec_ok (db, sql);
	free (sql);
}

/* An order and what a day's work leaves of it. */
static void
order (db_t *db, FILE *exports, const char *ref, const char *name, const char *street, const char *phone, int i)
{
	exec_fmt (db, "INSERT INTO orders (ref, channel, customer_name, created_at, address1, town, postcode, phone, email)"
	    " VALUES ('%s', 'web', '%s', 0, '%s', 'Newcastle', '%s', '%s', '%s')", ref, name, street,
	    strcmp (name, "Ann Example") == 0 ? "NE1 3DX" : "NE2 1AA", phone,
	    strcmp (name, "Ann Example") == 0 ? "ann.example@example.com" : "");
	exec_fmt (db, "INSERT INTO parcels (order_ref, parcel_no, code, box, weight_g, tracking, packed_at, packed_by)"
	    " VALUES ('%s', 1, '%s/1', 'M', 500, 'JD%010d', 0, 'P1001')", ref, ref, i);
	exec_fmt (db, "INSERT INTO events (at, operator, action, order_ref, parcel_id, detail) VALUES (0, 'P1001', 'pack',"
	    " '%s', last_insert_rowid (), 'packed for %s, %s, Newcastle')", ref, name, street);
	exec_fmt (db, "INSERT INTO tracking (parcel_id, at, event, location, signed_by) SELECT id, 0, 'delivered',"
	    " 'Newcastle depot', '%s' FROM parcels WHERE order_ref = '%s'", name, ref);
	if (i % 3 == 0)
		exec_fmt (db, "INSERT INTO notes (order_ref, text, by, at) VALUES ('%s', 'rang %s', 'S3001', 0)", ref, phone);
	exec_fmt (db, "INSERT INTO requests (terminal, seq, at, reply) VALUES ('bench-1', %d, 0,"
	    " CAST ('ok %s %s %s Newcastle' AS BLOB))", i, ref, name, street);
	fprintf (exports, "%s,pack,packed for %s, %s, Newcastle\n", ref, name, street);
	fprintf (exports, "JD%010d %-12.12s %-12.12s Newcastle\n", i, name, street);
}

/* Every value of every table, and of the file, that holds s in any case: how many. */
static int
holds (db_t *db, const char *file, const char *s)
{
	int found = 0;
	db_stmt_t *t = db_prepare (db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
	char **tabs = NULL;
	int ntabs = 0;
	while (db_step (t) == DB_ROW) {
		tabs = xrealloc (tabs, (size_t) (ntabs + 1) * sizeof *tabs);
		tabs[ntabs++] = xstrdup (db_col_text (t, 0));
	}
	db_reset (t);
	for (int k = 0; k < ntabs; k++) {
		/* A name with a double quote in it, doubled. */
		char *name = xmalloc (2 * strlen (tabs[k]) + 1), *o = name;
		for (const char *c = tabs[k]; *c; c++)
			if ((*o++ = *c) == '"')
				*o++ = '"';
		*o = '\0';
		char *sql = xasprintf ("SELECT * FROM \"%s\"", name);
		free (name);
		db_stmt_t *st = db_prepare (db, sql);
		free (sql);
		while (st && db_step (st) == DB_ROW)
			for (int c = 0; c < db_col_count (st); c++) {
				size_t n;
				const char *v = db_col_blob (st, c, &n);
				/* All n bytes: past a NUL in a value too. */
				bool in = false;
				for (size_t at = 0; v && !in && at + strlen (s) <= n; at++)
					in = strncasecmp (v + at, s, strlen (s)) == 0;
				if (in && found++ < 3) {
					char *z = xstrndup (v, n);
					diag ("%s.%s still holds \"%s\": %s", tabs[k], db_col_name (st, c), s, z);
					free (z);
				}
			}
		if (st)
			db_reset (st);
		free (tabs[k]);
	}
	free (tabs);
	FILE *f = fopen (file, "r");
	char line[512];
	while (f && fgets (line, sizeof line, f))
		if (strcasestr (line, s) && found++ < 3)
			diag ("the export still holds \"%s\": %s", s, line);
	if (f)
		fclose (f);
	return found;
}

/* The other customers' rows and lines, as one text to compare. */
static char *
others (db_t *db, const char *file)
{
	static const char *const q[] = {
		"SELECT group_concat (ref || customer_name || address1 || town || postcode || phone, '|') FROM"
		" (SELECT * FROM orders WHERE ref LIKE 'O%' ORDER BY ref)",
		"SELECT group_concat (order_ref || detail, '|') FROM (SELECT * FROM events WHERE order_ref LIKE 'O%' ORDER BY id)",
		"SELECT group_concat (text, '|') FROM (SELECT * FROM notes WHERE order_ref LIKE 'O%' ORDER BY id)",
		"SELECT group_concat (coalesce (t.location, '-') || coalesce (t.signed_by, '-'), '|') FROM tracking t"
		" JOIN parcels p ON p.id = t.parcel_id WHERE p.order_ref LIKE 'O%'",
		"SELECT group_concat (CAST (reply AS TEXT), '|') FROM (SELECT * FROM requests WHERE CAST (reply AS TEXT)"
		" LIKE 'ok O%' ORDER BY id)",
	};
	char *all = xstrdup ("");
	for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
		char *v = db_query_text (db, q[i]);
		char *n = xasprintf ("%s\n%s", all, v ? v : "(none)");
		free (v);
		free (all);
		all = n;
	}
	FILE *f = fopen (file, "r");
	char line[512];
	while (f && fgets (line, sizeof line, f))
		if (strstr (line, "Customer ")) {
			char *n = xasprintf ("%s%s", all, line);
			free (all);
			all = n;
		}
	if (f)
		fclose (f);
	return all;
}

static char *
text_of (db_t *db, const char *fmt, const char *arg)
{
	char *sql = xasprintf (fmt, arg);
	char *v = db_query_text (db, sql);
	free (sql);
	return v ? v : xstrdup ("(none)");
}

/* Steps of a sweep, each its own transaction, until done (0), an error (-1), or stop says so (1); then is, after
 * each step, given the step's number. At most 5,000 steps. */
static int
steps_until (db_t *db, hub_erase_sweep_t *sweep, const char *stop, void (*then) (db_t *, int), int *steps)
{
	int rc = 1;
	for (*steps = 0; rc > 0 && *steps < 5000; (*steps)++) {
		exec_ok (db, "BEGIN");
		rc = hub_erase_sweep_step (sweep);
		exec_ok (db, rc < 0 ? "ROLLBACK" : "COMMIT");
		if (rc > 0 && then)
			then (db, *steps);
		if (rc > 0 && stop && db_query_int (db, stop, 0) != 0)
			break;
	}
	return rc;
}

/* What the hub writes while a sweep is under way: an enquiry's reply naming an order being erased, and a line
 * of an unknown tracking file naming its customer; and a parcel of another of them comes back. */
static void
meanwhile (db_t *db, int step)
{
	exec_fmt (db, "INSERT INTO requests (terminal, seq, at, reply) VALUES ('bench-9', %d, 0,"
	    " CAST ('ok O00042 Customer 42 Unit 42 Tyne Works Newcastle' AS BLOB))", 10000 + step);
	exec_ok (db, "INSERT INTO tracking_unknown (at, source, tracking, detail) VALUES (0, 'dpd.csv:9', 'JX1',"
	    " 'asked for Customer 42 at Unit 42 Tyne Works')");
	if (step == 0)
		exec_ok (db, "UPDATE parcels SET status = 'returned' WHERE order_ref = 'O00044'");
	/* Of the order that came back: its data stays. */
	exec_fmt (db, "INSERT INTO events (at, action, order_ref, detail) VALUES (0, 'note', 'O00044',"
	    " 'Customer 44 rang about the return, step %d')", step);
	exec_fmt (db, "INSERT INTO requests (terminal, seq, at, reply) VALUES ('bench-9', %d, 0,"
	    " CAST ('ok O00044 returned Customer 44 Unit 44 Tyne Works' AS BLOB))", 20000 + step);
}

/*
 * A sweep cut short once the tables its orders' strings are taken from
 * were passed (who signed, a note): begun again, it finds the same
 * strings, for those rows kept their data. Then what the hub writes while
 * it runs is erased too, and an order whose parcel came back meanwhile
 * keeps its data.
 */
static void
cut_short_and_meanwhile (db_t *db, const char *path, int64_t now)
{
	exec_ok (db, "UPDATE parcels SET status = 'delivered' WHERE order_ref BETWEEN 'O00040' AND 'O00044'");
	exec_ok (db, "UPDATE tracking SET signed_by = 'Mr Featherstonehaugh-Quill' WHERE parcel_id ="
	    " (SELECT id FROM parcels WHERE order_ref = 'O00040')");
	exec_ok (db, "INSERT INTO notes (order_ref, text, by, at) VALUES ('O00041',"
	    " 'Customer 41 asked us to ring 0191 222 0041 before the van comes', 'S3001', 0)");
	exec_ok (db, "INSERT INTO requests (terminal, seq, at, reply) VALUES ('bench-9', 1, 0,"
	    " CAST ('ok O00041 note: Customer 41 asked us to ring 0191 222 0041 before the van comes' AS BLOB))");
	exec_ok (db, "INSERT INTO requests (terminal, seq, at, reply) VALUES ('bench-9', 2, 0,"
	    " CAST ('ok JX1 signed by Mr Featherstonehaugh-Quill' AS BLOB))");
	/* An audit event of no order; her name between quotes past ASCII, and beside a no-break space; a reply the
	 * hub cut at the wire's limit, her street with it. */
	exec_ok (db, "INSERT INTO events (at, action, detail) VALUES (0, 'lookup', 'looked up Customer 43 of Unit 43 Tyne Works')");
	exec_ok (db, "INSERT INTO notes (order_ref, text, by, at) VALUES ('O00200', 'neighbour of\xc2\xa0" "Customer 43\xe2\x80\x99s"
	    " flat', 'S3001', 0)");
	exec_ok (db, "INSERT INTO requests (terminal, seq, at, reply) VALUES ('bench-9', 3, 0,"
	    " CAST ('ok X1 ask \xe2\x80\x9c" "Customer 42\xe2\x80\x9d at Unit 42 Tyne Wo\xe2\x80\xa6' AS BLOB))");
	/* Sorted after tracking: once this is starred, the tracking was passed. */
	exec_ok (db, "INSERT INTO tracking_unknown (at, source, tracking, detail) VALUES (0, 'dpd.csv:1', 'JX1',"
	    " 'signed Mr Featherstonehaugh-Quill')");
	int due, steps;
	hub_erase_sweep_t *sweep = hub_erase_sweep_new (db, 30, now, 100, &due);
	is_int (due, 5, "a sweep of five more");
	int rc = sweep ? steps_until (db, sweep, "SELECT count(*) FROM tracking_unknown WHERE source = 'dpd.csv:1'"
	    " AND detail NOT LIKE '%Featherstonehaugh%'", NULL, &steps) : -1;
	is_int (rc, 1, "cut short after %d steps, the tracking and notes passed", steps);
	hub_erase_sweep_destroy (&sweep);
	char *v = db_query_text (db, "SELECT signed_by FROM tracking t JOIN parcels p ON p.id = t.parcel_id"
	    " WHERE p.order_ref = 'O00040'");
	is_str (v ? v : "(none)", "Mr Featherstonehaugh-Quill", "who signed is as it was: an order's own rows wait for the end");
	free (v);
	v = db_query_text (db, "SELECT text FROM notes WHERE order_ref = 'O00041'");
	ok (v && strstr (v, "Customer 41 asked us"), "and so is its note: %s", v ? v : "(none)");
	free (v);

	sweep = hub_erase_sweep_new (db, 30, now, 100, &due);
	is_int (due, 5, "begun again: the same five");
	rc = sweep ? steps_until (db, sweep, NULL, meanwhile, &steps) : -1;
	is_int (rc, 0, "to the end, in %d steps, while the hub wrote replies and lines naming one of them", steps);
	is_int (sweep ? hub_erase_sweep_orders (sweep) : -1, 4, "four erased: one came back meanwhile");
	hub_erase_sweep_destroy (&sweep);
	/* No file: the tables and replies alone. */
	char *none = xasprintf ("%s.none", path);
	is_int (holds (db, none, "Featherstonehaugh"), 0, "who signed is in no table or reply");
	is_int (holds (db, none, "asked us to ring"), 0, "nor the note, in the reply that quoted it");
	is_int (holds (db, none, "Customer 42"), 0, "nor her name in what the hub wrote during the sweep");
	is_int (holds (db, none, "Unit 42 Tyne"), 0, "nor her street, cut by the hub in a reply too");
	is_int (holds (db, none, "Customer 43"), 0, "nor another's name in an event of no order, or beside a quote past ASCII");
	is_int (holds (db, none, "Unit 43 Tyne"), 0, "nor his street there");
	v = db_query_text (db, "SELECT group_concat (detail, '|') FROM events WHERE order_ref = 'O00044' AND action = 'note'");
	ok (v && strstr (v, "Customer 44 rang about the return, step 0") && strstr (v, "step 3"),
	    "what was written of the order that came back keeps its data: %.60s", v ? v : "(none)");
	free (v);
	/* Its replies the sweep had passed before it came back lost its strings (doc/security.md); not the later. */
	ok (db_query_int (db, "SELECT count(*) FROM requests WHERE CAST (reply AS TEXT)"
	        " = 'ok O00044 returned Customer 44 Unit 44 Tyne Works'", -1) >= 1,
	    "and so does its reply written after the replies were passed");
	free (none);
	v = db_query_text (db, "SELECT customer_name || '|' || address1 FROM orders WHERE ref = 'O00044'");
	is_str (v ? v : "(none)", "Customer 44|Unit 44 Tyne Works", "the order whose parcel came back keeps its data");
	free (v);
}

/* The search for the orders due, rows orders a step, stepped to its end (at most 1,000 steps): the search, *rc
 * its last step's answer (0 done), *steps how many. */
static hub_erase_due_t *
due_search (db_t *db, int64_t now, int rows, int *rc, int *steps)
{
	hub_erase_due_t *due = hub_erase_due_new (db, 30, now, rows);
	*rc = due ? 1 : -1;
	for (*steps = 0; due && *rc > 0 && *steps < 1000; (*steps)++)
		*rc = hub_erase_due_step (due, db);
	return due;
}

/* The orders due found as the hub finds them, 37 orders a step: the same as in one search, and then erased. */
static void
due_in_slices (db_t *db, int64_t now)
{
	exec_ok (db, "UPDATE parcels SET status = 'delivered' WHERE order_ref BETWEEN 'O00050' AND 'O00054'"
	    " OR order_ref = 'M00100'");
	int all;
	hub_erase_sweep_t *sweep = hub_erase_sweep_new (db, 30, now, 100, &all);
	hub_erase_sweep_destroy (&sweep);
	int steps, rc;
	hub_erase_due_t *due = due_search (db, now, 37, &rc, &steps);
	int orders = (int) db_query_int (db, "SELECT count(*) FROM orders", 0);
	ok (rc == 0 && steps >= orders / 37, "the %d orders searched in %d steps of 37", orders, steps);
	int n;
	exec_ok (db, "BEGIN");
	sweep = hub_erase_sweep_new_due (db, &due, 100, &n);
	exec_ok (db, "COMMIT");
	ok (due == NULL, "the search handed to the sweep");
	is_int (n, all, "the orders due found so are those one search finds (%d: five of others, none of hers, erased)", all);
	rc = sweep ? steps_until (db, sweep, NULL, NULL, &steps) : -1;
	is_int (rc, 0, "their sweep runs to its end");
	hub_erase_sweep_destroy (&sweep);
	char *v = db_query_text (db, "SELECT group_concat (customer_name, '|') FROM orders WHERE ref BETWEEN 'O00050' AND 'O00054'");
	is_str (v ? v : "(none)", HUB_ERASED_NAME "|" HUB_ERASED_NAME "|" HUB_ERASED_NAME "|" HUB_ERASED_NAME "|" HUB_ERASED_NAME,
	    "and the five are erased");
	free (v);
	hub_erase_due_t *none = due_search (db, now, 1000, &rc, &steps);
	exec_ok (db, "BEGIN");
	sweep = hub_erase_sweep_new_due (db, &none, 100, &n);
	exec_ok (db, "COMMIT");
	ok (rc == 0 && sweep == NULL && n == 0, "searched again: none due, no sweep");
	/* An order far past the others in rowid: the search goes by the rows there are, not by the gap. */
	exec_ok (db, "INSERT INTO orders (rowid, ref, channel, customer_name, created_at) VALUES (9223372036854775000,"
	    " 'Z00001', 'web', 'Far Away', 0)");
	none = due_search (db, now, 1000, &rc, &steps);
	ok (rc == 0 && steps <= 2, "an order at rowid 9223372036854775000: searched in %d steps", steps);
	hub_erase_due_destroy (&none);
	exec_ok (db, "DELETE FROM orders WHERE ref = 'Z00001'");
}

int
main (void)
{
	char dir[256];
	testlib_tmpdir (dir, sizeof dir);
	char *path = xasprintf ("%s/hub.db", dir), *file = xasprintf ("%s/events.csv", dir), *cause = NULL;
	db_t *db = hub_store_open (path, &cause);
	if (!ok (db != NULL, "a hub database: %s", cause ? cause : "made"))
		return tap_done ();
	FILE *exports = fopen (file, "w");
	exec_ok (db, "BEGIN");
	for (int i = 1; i <= MANY; i++) {
		char ref[16], street[48], phone[24];
		snprintf (ref, sizeof ref, "M%05d", i);
		snprintf (street, sizeof street, "%d Quayside Terrace", i % 40 + 1);
		snprintf (phone, sizeof phone, "0191 496 0%03d", i);
		order (db, exports, ref, "Ann Example", street, phone, i);
	}
	for (int i = 1; i <= OTHERS; i++) {
		char ref[16], name[32], street[48], phone[24];
		snprintf (ref, sizeof ref, "O%05d", i);
		snprintf (name, sizeof name, "Customer %d", i);
		snprintf (street, sizeof street, "Unit %d Tyne Works", i);
		snprintf (phone, sizeof phone, "0191 222 %04d", i);
		order (db, exports, ref, name, street, phone, MANY + i);
	}
	/* A table an extension of the hub's made, its names quoted: searched all the same. */
	exec_ok (db, "CREATE TABLE \"a \"\"quoted\"\" table\" (id INTEGER PRIMARY KEY, \"its \"\"note\"\"\" TEXT)");
	exec_ok (db, "INSERT INTO \"a \"\"quoted\"\" table\" (\"its \"\"note\"\"\") VALUES ('mailed ann.example@example.com')");
	/* Her name in capitals, in an event of hers: a case apart is all of it. */
	exec_ok (db, "INSERT INTO events (at, action, order_ref, detail) VALUES (0, 'call', 'M00007', 'ANN EXAMPLE called back')");
	/* A NUL in a value (an import of old may have let one through): the value comes back whole past it. */
	exec_ok (db, "INSERT INTO events (at, action, order_ref, detail) VALUES (0, 'label', 'M00008',"
	    " 'for Ann Example' || char (0) || ' at the desk')");
	exec_ok (db, "COMMIT");
	fclose (exports);
	char *before = others (db, file);
	ok (strstr (before, "Customer 300") && strstr (before, "Newcastle"), "%d orders of hers among %d of others in her town",
	    MANY, OTHERS);

	struct hub_erase_report rep = { 0 };
	char **refs = NULL;
	exec_ok (db, "BEGIN");
	int n = hub_erase_find (db, "ann EXAMPLE", 0, &rep, &refs);
	is_int (n, MANY, "every order of hers found, by her name in another case");
	is_int (hub_erase_orders (db, refs, n, &rep), 0, "erased: %d rows elsewhere, %d stored replies", rep.rows, rep.replies);
	exec_ok (db, "COMMIT");
	is_int (hub_erase_file (file, &rep), 1, "the export rewritten");
	is_int (rep.orders, MANY, "the report counts the orders");

	for (size_t i = 0; i < sizeof hers / sizeof hers[0]; i++)
		is_int (holds (db, file, hers[i]), 0, "\"%s\" is in no table, reply or line, in any case", hers[i]);
	char *after = others (db, file);
	ok (strcmp (before, after) == 0, "the other customers' rows, replies and lines are as they were");

	char *v = text_of (db, "SELECT detail FROM events WHERE order_ref = '%s' AND action = 'pack'", "M00013");
	is_str (v, "packed for [erased], [erased], [erased]", "her packing event: name, street and her town replaced");
	free (v);
	v = text_of (db, "SELECT detail FROM events WHERE order_ref = '%s' AND action = 'call'", "M00007");
	is_str (v, "[erased]", "her name in capitals: the whole detail");
	free (v);
	v = text_of (db, "SELECT hex (CAST (detail AS BLOB)) FROM events WHERE order_ref = '%s' AND action = 'label'", "M00008");
	char *want = db_query_text (db, "SELECT hex (CAST ('for [erased]' || char (0) || ' at the desk' AS BLOB))");
	is_str (v, want, "a value with a NUL in it: her name erased, the value whole past the NUL");
	free (want);
	free (v);
	v = text_of (db, "SELECT CAST (reply AS TEXT) FROM requests WHERE CAST (reply AS TEXT) LIKE 'ok %s %%'", "M00013");
	is_str (v, "ok M00013 *********** ******************* *********",
	    "a reply that names her order: every string of hers starred, her town too");
	free (v);
	v = text_of (db, "SELECT CAST (reply AS TEXT) FROM requests WHERE CAST (reply AS TEXT) LIKE 'ok %s %%'", "O00001");
	is_str (v, "ok O00001 Customer 1 Unit 1 Tyne Works Newcastle", "another's reply in her town keeps the town");
	free (v);
	FILE *f = fopen (file, "r");
	char line[512], *cut = NULL;
	while (f && fgets (line, sizeof line, f))
		if (strncmp (line, "JD0000000013 ", 13) == 0)
			cut = xstrdup (line);
	if (f)
		fclose (f);
	is_str (cut ? cut : "(none)", "JD0000000013 ***********  ************ *********\n",
	    "her manifest line: the name and the street cut to 12 starred, and her town");
	free (cut);

	/* Retention: five orders of others delivered long ago, one days ago, in one pass. */
	exec_ok (db, "UPDATE parcels SET status = 'delivered' WHERE order_ref BETWEEN 'O00001' AND 'O00006'");
	int64_t now = 400LL * 86400 * 1000;
	exec_fmt (db, "UPDATE tracking SET at = %lld WHERE parcel_id = (SELECT id FROM parcels WHERE order_ref = 'O00006')",
	    (long long) (now - 86400 * 1000));
	exec_ok (db, "BEGIN");
	is_int (hub_erase_retention (db, 30, now), 5, "retention erases the five delivered more than 30 days ago");
	exec_ok (db, "COMMIT");
	v = text_of (db, "SELECT customer_name || '|' || address1 || '|' || postcode FROM orders WHERE ref = '%s'", "O00003");
	is_str (v, HUB_ERASED_NAME "||", "one of them keeps no name, address or postcode");
	free (v);
	v = text_of (db, "SELECT detail FROM events WHERE order_ref = '%s'", "O00005");
	is_str (v, "packed for [erased], [erased], [erased]", "its event: name, street and town");
	free (v);
	v = text_of (db, "SELECT detail FROM events WHERE order_ref = '%s'", "O00006");
	is_str (v, "packed for Customer 6, Unit 6 Tyne Works, Newcastle", "the one delivered yesterday keeps everything");
	free (v);
	is_int (hub_erase_retention (db, 30, now), 0, "and a second run finds nothing more to do");
	/* "Customer 1" went: "Customer 13" and "Customer 100" are other people. */
	v = text_of (db, "SELECT group_concat (detail, '|') FROM events WHERE order_ref IN ('O00013', 'O00100')%s", "");
	is_str (v, "packed for Customer 13, Unit 13 Tyne Works, Newcastle|packed for Customer 100, Unit 100 Tyne Works,"
	    " Newcastle", "the events of Customer 13 and 100 keep their names: \"Customer 1\" is not inside a longer word");
	free (v);
	v = text_of (db, "SELECT group_concat (signed_by, '|') FROM tracking t JOIN parcels p ON p.id = t.parcel_id"
	    " WHERE p.order_ref IN ('O00013', 'O00100')%s", "");
	is_str (v, "Customer 13|Customer 100", "and so do their signatures");
	free (v);
	v = text_of (db, "SELECT CAST (reply AS TEXT) FROM requests WHERE CAST (reply AS TEXT) LIKE 'ok %s %%'", "O00013");
	is_str (v, "ok O00013 Customer 13 Unit 13 Tyne Works Newcastle", "and their stored replies");
	free (v);

	/* As the hub runs it: a slice of 100 rows a step, each step its own transaction. Cut short first. */
	exec_ok (db, "UPDATE parcels SET status = 'delivered' WHERE order_ref BETWEEN 'O00010' AND 'O00020'");
	int due;
	hub_erase_sweep_t *sweep = hub_erase_sweep_new (db, 30, now, 100, &due);
	is_int (due, 11, "a sweep of the eleven delivered since");
	for (int i = 0; i < 3 && sweep; i++) {
		exec_ok (db, "BEGIN");
		is_int (hub_erase_sweep_step (sweep), 1, "step %d: more to do", i + 1);
		exec_ok (db, "COMMIT");
	}
	hub_erase_sweep_destroy (&sweep);
	v = text_of (db, "SELECT customer_name FROM orders WHERE ref = '%s'", "O00015");
	is_str (v, "Customer 15", "cut short (a stop, an error): the orders keep their data, to be swept again");
	free (v);
	sweep = hub_erase_sweep_new (db, 30, now, 100, &due);
	int steps = 0, rc = 1;
	while (sweep && rc > 0 && steps < 1000) {
		exec_ok (db, "BEGIN");
		rc = hub_erase_sweep_step (sweep);
		exec_ok (db, rc < 0 ? "ROLLBACK" : "COMMIT");
		steps++;
	}
	is_int (rc, 0, "swept again from the start, to the end");
	ok (steps > 10, "in %d steps of 100 rows or fewer (the events alone are %d rows)", steps,
	    (int) testlib_sql_int (path, "SELECT count(*) FROM events"));
	hub_erase_sweep_destroy (&sweep);
	v = text_of (db, "SELECT customer_name || '|' || address1 FROM orders WHERE ref = '%s'", "O00015");
	is_str (v, HUB_ERASED_NAME "|", "then the orders are erased");
	free (v);
	v = text_of (db, "SELECT detail FROM events WHERE order_ref = '%s'", "O00020");
	is_str (v, "packed for [erased], [erased], [erased]", "and what their events said of them");
	free (v);
	v = text_of (db, "SELECT CAST (reply AS TEXT) FROM requests WHERE CAST (reply AS TEXT) LIKE 'ok %s %%'", "O00012");
	ok (strncmp (v, "ok O00012 ", 10) == 0 && !strstr (v, "Customer 12") && !strstr (v, "Tyne Works")
	        && !strstr (v, "Newcastle"), "and their stored replies: %s", v);
	free (v);
	v = text_of (db, "SELECT customer_name FROM orders WHERE ref = '%s'", "O00021");
	is_str (v, "Customer 21", "an order not delivered keeps its data");
	free (v);
	cut_short_and_meanwhile (db, path, now);
	due_in_slices (db, now);

	for (int i = 0; i < n; i++)
		free (refs[i]);
	free (refs);
	free (before);
	free (after);
	hub_erase_report_free (&rep);
	db_close (&db);
	free (path);
	free (file);
	return tap_done ();
}
