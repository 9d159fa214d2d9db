/*
 * test-privacy.c: personal data against a real hub and its database file.
 * Card numbers are masked in scans, notes and imports (with a warning);
 * despatch erase customer, run while the hub serves, leaves no byte of the
 * customer's name, address, phone or email in the database file, its -wal
 * or the export folder, keeps the order for accounting, and the hub goes on
 * answering; retention erases a delivered order after privacy.retention_days;
 * a packer's close-out is refused by the hub itself; retention while a
 * reader holds the database leaves the hub answering and, once the reader
 * lets go, no byte of the erased name in the database file or its WAL.
 */
#include "config.h"
#include "client.h"
#include "db.h"
#include "tests/tap.h"
#include "tests/testlib.h"
#include "util.h"

#include <czmq.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* How many times needle occurs in the file, any case, byte by byte. */
static long
file_count (const char *path, const char *needle)
{
	FILE *f = fopen (path, "rb");
	if (f == NULL)
		return 0;
	size_t cap = 1 << 20, n = 0, got;
	char *buf = malloc (cap);
	while ((got = fread (buf + n, 1, cap - n, f)) > 0)
		if ((n += got) == cap)
			buf = realloc (buf, cap *= 2);
	fclose (f);
	long hits = 0;
	size_t k = strlen (needle);
	for (size_t i = 0; i + k <= n; i++)
		if (strncasecmp (buf + i, needle, k) == 0)
			hits++;
	free (buf);
	return hits;
}

static int
run (const char *cmd, char **out)
{
	FILE *p = popen (cmd, "r");
	char buf[8192];
	size_t n = p ? fread (buf, 1, sizeof buf - 1, p) : 0;
	buf[n] = '\0';
	int rc = p ? pclose (p) : -1;
	if (out)
		*out = strdup (buf);
	return WIFEXITED (rc) ? WEXITSTATUS (rc) : -1;
}

static void
sql (const char *database, const char *text)
{
	char *cause = NULL;
	db_t *db = db_open (database, DB_READWRITE, &cause);
	if (db == NULL || db_exec (db, text) != DB_DONE)
		diag ("sql failed: %s", db ? db_errmsg (db) : cause);
	db_close (&db);
	free (cause);
}

static const char *const pii[] = { "Margaret Ellis", "Elm Grove", "m.ellis@example.org", "1225 555 014", "BA1 5AB" };

/* How many of n PINGs the hub answers, each given timeout_ms (a count in a bounded window, not a time). */
static int
pings_answered (client_t *c, int n, int timeout_ms, uint32_t *seq)
{
	int answered = 0;
	for (int i = 0; i < n; i++) {
		proto_msg_t *m = proto_msg_new (PROTO_PING);
		proto_msg_set_seq (m, ++*seq);
		proto_msg_t *r = client_call (c, m, timeout_ms, 1);
		answered += testlib_status (r) == PROTO_OK;
		proto_msg_destroy (&m);
		proto_msg_destroy (&r);
	}
	return answered;
}

static long long
wal_size (const char *path)
{
	struct stat sb;
	return stat (path, &sb) == 0 ? (long long) sb.st_size : -1;
}

/* How many lines of the file hold text. */
static int
log_lines (const char *path, const char *text)
{
	FILE *f = fopen (path, "r");
	char line[4096];
	int n = 0;
	while (f && fgets (line, sizeof line, f))
		n += strstr (line, text) != NULL;
	if (f)
		fclose (f);
	return n;
}

/*
 * Retention while a reader (a report, a backup) holds a read transaction
 * open on the database: the WAL cannot be truncated until it lets go, and
 * the hub must go on answering meanwhile (truncating waits for readers;
 * on the loop it held every terminal for the busy timeout). Once the
 * reader lets go, the WAL file is truncated and the erased name is in
 * neither the database file nor the WAL.
 */
static void
retention_with_reader (const char *top, struct testlib_hub *hub, const char *wal)
{
	static const char *const her[] = { "Ingrid Larsen", "ingrid@example.dk", "33 55 55 06" };
	int64_t old = util_wall_ms () - 40LL * 86400 * 1000;
	char *cause = NULL;
	db_t *w = db_open (hub->database, DB_READWRITE, &cause);
	char *seed = xasprintf ("INSERT INTO parcels (order_ref, parcel_no, code, box, weight_g, status, packed_at, packed_by)"
	    " VALUES ('W1000006', 1, 'W1000006/1', 'S', 300, 'delivered', %lld, 'B2001');"
	    "INSERT INTO tracking (parcel_id, at, event, detail) SELECT id, %lld, 'delivered', 'Ingrid Larsen signed'"
	    " FROM parcels WHERE code = 'W1000006/1';", (long long) old, (long long) old);
	ok (w != NULL && db_exec (w, seed) == DB_DONE, "W1000006 (Ingrid Larsen) delivered 40 days ago");
	free (seed);
	/* The reader's snapshot has frames of the WAL (the seed's): it holds the WAL, as a report's query would. */
	db_t *reader = db_open (hub->database, DB_READONLY, &cause);
	ok (reader != NULL && db_exec (reader, "BEGIN") == DB_DONE
	        && db_query_int (reader, "SELECT count(*) FROM tracking WHERE detail = 'Ingrid Larsen signed'", -1) == 1,
	    "a reader holds a read transaction open that still sees her name");
	db_close (&w);
	long before = 0;
	for (size_t i = 0; i < nitems (her); i++)
		before += file_count (hub->database, her[i]) + file_count (wal, her[i]);
	ok (before > 0, "before: her data is in the database or its WAL (%ld hits)", before);

	char *log = xasprintf ("%s/hub-reader.log", hub->dir);
	char *cmd = xasprintf ("exec '%s/hub/despatch-hub' -e '%s' -d '%s' --set security.curve=no --set "
	    "privacy.retention_days=30 2>>'%s'", top, hub->endpoint, hub->database, log);
	fflush (NULL);
	pid_t pid = fork ();
	if (pid == 0) {
		execl ("/bin/sh", "sh", "-c", cmd, (char *) NULL);
		_exit (127);
	}
	free (cmd);
	client_t *c = client_new (hub->endpoint, "hh-ret", NULL);
	uint32_t seq = 0;
	/* The hub erases as it starts: wait until the erase is committed (bounded). */
	char *g = NULL;
	for (int i = 0; i < 300 && pid > 0 && (g == NULL || strcmp (g, "(erased)") != 0); i++) {
		free (g);
		usleep (50000);
		g = testlib_sql_text (hub->database, "SELECT customer_name FROM orders WHERE ref = 'W1000006'");
	}
	is_str (g, "(erased)", "retention erased W1000006 while the reader holds its transaction");
	free (g);
	/* Meanwhile the truncation waits for the reader: 8 PINGs, half a second each at most, all answered. */
	int answered = pings_answered (c, 8, 500, &seq);
	ok (answered >= 7, "the hub answers %d of 8 PINGs meanwhile (the truncation waits off the loop)", answered);
	is_int (log_lines (log, "the WAL truncated"), 0, "the WAL is not truncated while the reader holds it");
	long long held = wal_size (wal);

	db_exec (reader, "COMMIT");
	db_close (&reader);
	int done = 0;
	for (int i = 0; i < 200 && done == 0; i++) {
		usleep (50000);
		done = log_lines (log, "the WAL truncated");
	}
	ok (done > 0, "once the reader let go the hub says the WAL was truncated");
	/* Started over, the WAL would keep its length (and the old frames past the new ones). */
	long long size = wal_size (wal);
	ok (size >= 0 && size < held, "the WAL file is shorter than while the reader held it: %lld bytes, %lld before",
	    size, held);
	for (size_t i = 0; i < nitems (her); i++) {
		is_int (file_count (hub->database, her[i]), 0, "no '%s' in the database file after retention", her[i]);
		is_int (file_count (wal, her[i]), 0, "no '%s' in its WAL", her[i]);
	}
	ok (pings_answered (c, 3, 2000, &seq) == 3, "and the hub still answers");
	client_destroy (&c);
	if (pid > 0) {
		kill (pid, SIGTERM);
		waitpid (pid, NULL, 0);
	}
	free (log);
	free (cause);
}

int
main (void)
{
	struct testlib_hub hub;
	zsys_init ();
	zsys_set_logsystem (false);
	const char *top = getenv ("top_builddir") ? getenv ("top_builddir") : ".";
	if (!ok (testlib_hub_start (&hub, NULL) == 0, "hub starts with the demo data"))
		return tap_done ();
	client_t *c = client_new (hub.endpoint, "hh-priv", NULL);
	proto_msg_t *r = testlib_hello (c, 1, "desk");
	proto_msg_destroy (&r);

	/* A packer may not close out: the hub says no, whatever the menu shows. */
	r = testlib_login (c, 2, "B2001", "2222");
	is_int (testlib_status (r), PROTO_OK, "packer logged in");
	proto_msg_destroy (&r);
	r = testlib_command (c, 3, "closeout", "carrier", "dpd", NULL);
	is_int (testlib_reason (r), PR_FORBIDDEN, "packer's close-out refused by the hub: %s", testlib_text (r));
	proto_msg_destroy (&r);
	r = testlib_command (c, 4, "logout", NULL);
	proto_msg_destroy (&r);
	proto_msg_t *lo = proto_msg_new (PROTO_LOGOUT);
	proto_msg_set_seq (lo, 5);
	r = client_call (c, lo, 2000, 3);
	proto_msg_destroy (&lo);
	proto_msg_destroy (&r);

	r = testlib_login (c, 6, "B1001", "1111");
	is_int (testlib_status (r), PROTO_OK, "porter logged in");
	proto_msg_destroy (&r);
	r = testlib_scan (c, 7, "receive", "W1000001");
	is_int (testlib_status (r), PROTO_OK, "W1000001 (Margaret Ellis) received: %s", testlib_text (r));
	proto_msg_destroy (&r);

	/* Card numbers. */
	r = testlib_scan (c, 8, "receive", "4111 1111 1111 1111");
	is_int (testlib_status (r), PROTO_REFUSED, "a scanned card number is refused: %s", testlib_text (r));
	is_str (r ? proto_hash_get (r, PROTO_REPLY_DATA, "warning") : NULL, "card-number", "with a card-number warning");
	proto_msg_destroy (&r);
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM scans WHERE code = '**** **** **** 1111'"), 1,
	    "the scan is kept masked");
	r = testlib_command (c, 9, "note", "code", "W1000001", "text",
	    "Margaret Ellis phoned from Elm Grove, paid with 5555-5555-5555-4444", NULL);
	is_int (testlib_status (r), PROTO_WARN, "a note with a card number is taken with a warning: %s", testlib_text (r));
	proto_msg_destroy (&r);
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM notes WHERE text LIKE '%****-****-****-4444'"), 1,
	    "the note is kept masked");
	/* An import carrying a card number in an address line. */
	char *csv = xasprintf ("%s/card.csv", hub.dir);
	FILE *f = fopen (csv, "w");
	fprintf (f, "order,channel,customer_name,address_1,address_2,town,postcode,country,line,sku,department,quantity,"
	    "locations,unit_weight_g\nX9000001,phone,Ivor Card,1 Bank Street,card 378282246310005,Leeds,LS1 1AA,GB,1,"
	    "SKU-1,Menswear,1,MW-1,500\n");
	fclose (f);
	char *out = NULL;
	char *cmd = xasprintf ("'%s/admin/despatch' -d '%s' import '%s' 2>&1", top, hub.database, csv);
	is_int (run (cmd, &out), 0, "an import with a card number in it is taken");
	ok (out && strstr (out, "card number") && strstr (out, "line 2"), "and the operator is warned, with the line: %s",
	    out ? out : "");
	ok (out && strstr (out, "0005") == NULL && strstr (out, "Bank Street") == NULL && strstr (out, "Ivor") == NULL,
	    "the warning holds neither the masked number nor the rest of the address");
	free (out);
	free (cmd);
	char *a2 = testlib_sql_text (hub.database, "SELECT address2 FROM orders WHERE ref = 'X9000001'");
	is_str (a2, "card ***********0005", "the imported card number is masked");
	free (a2);
	long cards = file_count (hub.database, "4111111111111111") + file_count (hub.database, "5555-5555-5555-4444")
	    + file_count (hub.database, "378282246310005");
	is_int (cards, 0, "no card number anywhere in the database file");

	/* Erase, while the hub runs. */
	char *exports = xasprintf ("%s/exports", hub.dir);
	char *exfile = xasprintf ("%s/manifest-dpd.csv", exports);
	util_mkdirs (exports, 0755);
	f = fopen (exfile, "w");
	fprintf (f, "parcel,name,street\nW1000001/1,MARGARET ELLIS,14 Elm Grove\nW1000005/1,James Okafor,7 Mill Street\n");
	fclose (f);
	long before = 0;
	for (size_t i = 0; i < nitems (pii); i++)
		before += file_count (hub.database, pii[i]);
	char *wal = xasprintf ("%s-wal", hub.database);
	before += file_count (wal, pii[0]);
	ok (before > 0, "before: the database holds the customer's data (%ld hits)", before);
	ok (testlib_sql_int (hub.database, "SELECT count(*) FROM requests WHERE instr(reply, CAST('Margaret' AS BLOB))") >= 0,
	    "stored replies looked at");
	cmd = xasprintf ("'%s/admin/despatch' -d '%s' erase customer 'margaret ellis' exports='%s' 2>&1", top,
	    hub.database, exports);
	is_int (run (cmd, &out), 0, "despatch erase customer, with the hub running");
	ok (out && strstr (out, "erased 1 order: W1000001"), "it reports what it changed:\n%s", out ? out : "");
	ok (out && strstr (out, "notes.text") && strstr (out, "file rewritten"), "notes and the export file named");
	free (out);
	free (cmd);
	for (size_t i = 0; i < nitems (pii); i++) {
		is_int (file_count (hub.database, pii[i]), 0, "no '%s' in the database file (byte search)", pii[i]);
		is_int (file_count (wal, pii[i]), 0, "no '%s' in its -wal", pii[i]);
	}
	is_int (file_count (exfile, "Margaret Ellis") + file_count (exfile, "Elm Grove"), 0, "none in the export file");
	is_int (file_count (exfile, "James Okafor"), 1, "other customers' lines in the export are untouched");
	is_int (testlib_sql_int (hub.database, "SELECT value_pence FROM orders WHERE ref = 'W1000001'"), 21400,
	    "the order stays for accounting (value kept)");
	char *name = testlib_sql_text (hub.database, "SELECT customer_name || '|' || country FROM orders WHERE ref = 'W1000001'");
	is_str (name, "(erased)|GB", "name erased, country kept");
	free (name);
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM orders WHERE customer_name = 'James Okafor'"), 1,
	    "other customers untouched");
	char *check = testlib_sql_text (hub.database, "PRAGMA integrity_check");
	is_str (check, "ok", "integrity_check ok after the erase");
	free (check);
	r = testlib_scan (c, 10, "enquiry", "W1000001");
	is_int (testlib_status (r) >= 0, 1, "the hub still answers about W1000001: %s", testlib_text (r));
	ok (r && strstr (testlib_text (r), "Ellis") == NULL, "and the answer holds no name");
	proto_msg_destroy (&r);
	r = testlib_scan (c, 7, "receive", "W1000001");
	ok (r && strstr (testlib_text (r), "Margaret") == NULL, "the stored reply replayed holds no name: %s",
	    testlib_text (r));
	proto_msg_destroy (&r);
	cmd = xasprintf ("'%s/admin/despatch' -d '%s' erase customer 'Nobody Here' 2>&1", top, hub.database);
	int unknown = run (cmd, &out); /* not inside is_int: its arguments would read out before run sets it */
	is_int (unknown, 1, "erasing an unknown customer: exit 1, nothing changed (%s)", out ? out : "");
	free (out);
	free (cmd);

	/* Retention: T1000010 (George Miller) delivered 40 days ago; a hub with 30 days erases it. */
	client_destroy (&c);
	testlib_hub_stop (&hub);
	int64_t old = util_wall_ms () - 40LL * 86400 * 1000;
	char *seed = xasprintf ("INSERT INTO parcels (order_ref, parcel_no, code, box, weight_g, status, packed_at, packed_by)"
	    " VALUES ('T1000010', 1, 'T1000010/1', 'B2', 900, 'delivered', %lld, 'B2001');"
	    "INSERT INTO tracking (parcel_id, at, event, detail) SELECT id, %lld, 'delivered', 'George Miller signed'"
	    " FROM parcels WHERE code = 'T1000010/1';", (long long) old, (long long) old);
	sql (hub.database, seed);
	free (seed);
	const char *keep30[] = { "privacy.retention_days=30", NULL };
	hub.keys[0] = '\0';
	/* restart with the new setting: start anew on the same files */
	struct testlib_hub h2 = hub;
	char *ret = xasprintf ("exec '%s/hub/despatch-hub' -e '%s' -d '%s' --set security.curve=no --set "
	    "privacy.retention_days=30 2>>'%s/hub.log'", top, h2.endpoint, h2.database, h2.dir);
	(void) keep30;
	fflush (NULL);
	pid_t pid = fork ();
	if (pid == 0) {
		execl ("/bin/sh", "sh", "-c", ret, (char *) NULL);
		_exit (127);
	}
	free (ret);
	/* The hub erases when it starts: wait until it has (bounded, not timed), then stop it. */
	char *g = NULL;
	for (int i = 0; i < 600 && pid > 0 && (g == NULL || strcmp (g, "(erased)") != 0); i++) {
		free (g);
		usleep (100000);
		g = testlib_sql_text (hub.database, "SELECT customer_name FROM orders WHERE ref = 'T1000010'");
	}
	if (pid > 0) {
		kill (pid, SIGTERM);
		waitpid (pid, NULL, 0);
	}
	is_str (g, "(erased)", "retention: a delivery 40 days old with privacy.retention_days=30 is erased");
	free (g);
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM tracking WHERE detail LIKE '%George Miller%'"), 0,
	    "its name is gone from the tracking detail too");
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM orders WHERE customer_name = 'James Okafor'"), 1,
	    "an order not delivered is kept");

	retention_with_reader (top, &hub, wal);

	free (csv);
	free (exports);
	free (exfile);
	free (wal);
	return tap_done ();
}
