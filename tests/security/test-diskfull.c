/*
 * test-diskfull.c: the hub's database on a tiny tmpfs (mounted here; root
 * only, skipped otherwise) is filled up while a terminal scans. The hub
 * refuses new work with a clear STORAGE error and no effect, goes on
 * answering, takes the same scan once space returns, and the database
 * passes PRAGMA integrity_check. An import meanwhile (despatch import, the
 * hub's inbox) says the disk is full and what to do, and the inbox file
 * is imported once there is room. An import whose scratch folder (TMPDIR,
 * a second tmpfs) is full says so once, naming it, and leaves the
 * database as it was.
 */
#include "config.h"
#include "client.h"
#include "tests/tap.h"
#include "tests/testlib.h"
#include "util.h"

#include <czmq.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

static struct testlib_hub hub;
static char mnt[sizeof hub.dir + 16], scratch[sizeof hub.dir + 16];

static void
unmount (void)
{
	testlib_hub_kill (&hub);
	umount2 (mnt, MNT_DETACH);
	umount2 (scratch, MNT_DETACH);
}

/* n one-line orders PREFIX0000001... into path. */
static void
orders_csv (const char *path, const char *prefix, int n)
{
	FILE *f = fopen (path, "w");
	fprintf (f, "order,channel,customer_name,address_1,town,postcode,country,service,order_value,line,sku,"
	    "description,department,quantity,locations,unit_weight_g,line_value\n");
	for (int i = 1; i <= n; i++)
		fprintf (f, "%s%07d,web,Customer %d,%d High Street,London,SW1A 1AA,GB,standard,25.00,1,SKU-%d,Item,Dept %d,1,"
		    "LOC-%d,500,25.00\n", prefix, i, i, i, i % 5000, i % 40, i % 900);
	fclose (f);
}

/* despatch ARGS with TMPDIR=tmp (NULL: as it is): its output, then "exit N" (caller frees). */
static char *
despatch_run (const char *tmp, const char *args)
{
	char *cmd = xasprintf ("%s%s%s'%s/admin/despatch' -d '%s' %s 2>&1; echo \"exit $?\"", tmp ? "TMPDIR='" : "",
	    tmp ? tmp : "", tmp ? "' " : "", getenv ("top_builddir"), hub.database, args);
	char *out = testlib_run (cmd);
	free (cmd);
	return out;
}

/* Wait up to 10 s for the hub's log to have a line with text. */
static bool
log_wait (const char *text)
{
	for (int i = 0; i < 100; i++) {
		if (testlib_hub_log_count (&hub, text) > 0)
			return true;
		usleep (100000);
	}
	return false;
}

int
main (void)
{
	zsys_init ();
	zsys_set_logsystem (false);
	memset (&hub, 0, sizeof hub);
	testlib_tmpdir (hub.dir, sizeof hub.dir);
	snprintf (mnt, sizeof mnt, "%s/small", hub.dir);
	util_mkdirs (mnt, 0755);
	if (mount ("tmpfs", mnt, "tmpfs", 0, "size=6m") != 0) {
		printf ("1..0 # SKIP cannot mount a small tmpfs (needs root): %s\n", strerror (errno));
		return 0;
	}
	atexit (unmount);
	snprintf (hub.endpoint, sizeof hub.endpoint, "ipc://%s/hub.sock", hub.dir);
	snprintf (hub.database, sizeof hub.database, "%s/despatch.db", mnt);
	char *inbox = xasprintf ("%s/inbox", hub.dir), *set_inbox = xasprintf ("hub.inbox=%s", inbox);
	util_mkdirs (inbox, 0755);
	const char *extra[] = { set_inbox, NULL };
	if (!ok (testlib_hub_start_at (&hub, extra) == 0, "hub starts with its database on a 6 MB tmpfs"))
		return tap_done ();
	client_t *c = client_new (hub.endpoint, "hh-full", NULL);
	proto_msg_t *r = testlib_hello (c, 1, "desk");
	proto_msg_destroy (&r);
	r = testlib_login (c, 2, "B1001", "1111");
	is_int (testlib_status (r), PROTO_OK, "logged in");
	proto_msg_destroy (&r);

	/* Fill the disk. */
	char *fill = xasprintf ("dd if=/dev/zero of='%s/filler' bs=64k >/dev/null 2>&1", mnt);
	if (system (fill) == -1)
		diag ("dd did not run");
	free (fill);
	r = testlib_scan (c, 3, "receive", "W1000001");
	int reason = testlib_reason (r);
	ok (r && proto_msg_id (r) == PROTO_ERROR && reason == PR_STORAGE, "disk full: the scan is refused as STORAGE: %s",
	    testlib_text (r));
	ok (r && strstr (testlib_text (r), "nothing was recorded") != NULL, "the message says nothing was recorded");
	proto_msg_destroy (&r);
	proto_msg_t *ping = proto_msg_new (PROTO_PING);
	proto_msg_set_seq (ping, 4);
	r = client_call (c, ping, 2000, 2);
	ok (r != NULL, "the hub still answers a PING while full");
	proto_msg_destroy (&r);
	proto_msg_destroy (&ping);

	/* Imports while full: the cause (SQLite's message, lost once the statement was reset) and what to do. */
	char *csv = xasprintf ("%s/full.csv", hub.dir), *args = xasprintf ("import '%s' wait=30", csv);
	orders_csv (csv, "FT", 3000);
	char *out = despatch_run (NULL, args);
	ok (strstr (out, "the hub could not write its database") && strstr (out, "(database or disk is full)")
	        && strstr (out, "free space on the disk that holds it") && strstr (out, "exit 2"),
	    "despatch import: the disk is full, and what to do: %s", out);
	ok (strstr (out, "not an error") == NULL, "not 'not an error'");
	free (out);
	char *part = xasprintf ("%s/.part-full", inbox), *final = xasprintf ("%s/full-inbox.csv", inbox);
	orders_csv (part, "FI", 3000);
	rename (part, final);
	ok (log_wait ("inbox full-inbox.csv: not imported, taken again shortly: the hub could not write its database"),
	    "the hub's inbox: the file stays");
	ok (testlib_hub_log_count (&hub, "(database or disk is full); nothing was imported: free space on the disk") > 0
	        && testlib_hub_log_count (&hub, "not an error") == 0, "and the log says the disk is full");
	/* The inbox takes the file again every few seconds while the disk stays full: the log says so once. */
	sleep (6);
	is_int (testlib_hub_log_count (&hub, "inbox full-inbox.csv: not imported"), 1,
	    "6 s later the log has said it once, not at every try");

	/* Space returns: the same request (same sequence) is taken, once. */
	char *rm = xasprintf ("%s/filler", mnt);
	unlink (rm);
	free (rm);
	r = testlib_scan (c, 3, "receive", "W1000001");
	is_int (testlib_status (r), PROTO_OK, "space back: the same scan is taken: %s", testlib_text (r));
	ok (log_wait ("inbox full-inbox.csv: 3000 orders (3000 new"), "and the inbox file, kept, is imported");
	char *tries = testlib_hub_log_line (&hub, "inbox full-inbox.csv: taken at try ");
	int at = tries ? atoi (strstr (tries, "taken at try ") + strlen ("taken at try ")) : 0;
	ok (at >= 3, "the log says at which try, and after what: %s", tries ? tries : "(no such line)");
	free (tries);
	out = despatch_run (NULL, args);
	ok (strstr (out, "imported 3000 orders (3000 new") && strstr (out, "exit 0"), "so is the tool's: %s", out);
	free (out);
	proto_msg_destroy (&r);
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM scans WHERE code = 'W1000001'"), 1,
	    "stored exactly once");
	char *check = testlib_sql_text (hub.database, "PRAGMA integrity_check");
	is_str (check, "ok", "integrity_check ok");
	free (check);

	/* The scratch store (in TMPDIR) full: said once, naming the folder; the database as it was. */
	snprintf (scratch, sizeof scratch, "%s/scratch", hub.dir);
	util_mkdirs (scratch, 0755);
	if (mount ("tmpfs", scratch, "tmpfs", 0, "size=1m") != 0) {
		ok (0, "a second tmpfs for the scratch store: %s", strerror (errno));
	} else {
		fill = xasprintf ("dd if=/dev/zero of='%s/filler' bs=64k >/dev/null 2>&1", scratch);
		if (system (fill) == -1)
			diag ("dd did not run");
		free (fill);
		char *big = xasprintf ("%s/big.csv", hub.dir), *big_args = xasprintf ("import '%s'", big);
		orders_csv (big, "FS", 40000); /* a scratch store of several MB: past its cache, onto the full folder */
		long long orders = testlib_sql_int (hub.database, "SELECT count(*) FROM orders");
		out = despatch_run (scratch, big_args);
		char *said = xasprintf ("the import's scratch store in %s failed (database or disk is full); nothing was "
		    "imported and the database is untouched: free space in %s", scratch, scratch);
		ok (strstr (out, said) && strstr (out, "exit 2"), "one clear message: %.600s", out);
		int lines = 0;
		for (const char *p = out; (p = strstr (p, "scratch store")) != NULL; p++)
			lines++;
		ok (lines == 1 && strstr (out, "malformed") == NULL, "once, and nothing after it (%d)", lines);
		is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM orders"), orders, "no order of it imported");
		check = testlib_sql_text (hub.database, "PRAGMA integrity_check");
		is_str (check, "ok", "the database is fine");
		free (check);
		free (said);
		free (out);
		free (big);
		free (big_args);
	}
	free (csv);
	free (args);
	free (part);
	free (final);
	free (inbox);
	free (set_inbox);
	client_destroy (&c);
	is_int (testlib_hub_stop (&hub), 0, "the hub stops cleanly");
	return tap_done ();
}
