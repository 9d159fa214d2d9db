/*
 * test-track-in.c: tracking into a running hub (doc/carriers.md "Tracking
 * and proof of delivery"): a JSON file dropped in the tracking inbox is
 * taken (normalised, the parcel moves on), leaving its record in done/
 * and not itself, its unknown number kept and listed beside it; a CSV file
 * with a bad status is refused whole into failed/ with the reason; text
 * that is not UTF-8 or holds a NUL or a control character is refused at
 * the inbox, at despatch track and on the integration endpoint, naming
 * the line; a tracking push takes POD and answers the unknown numbers.
 */
#include "config.h"
#include "tests/flow/flowlib.h"
#include "util.h"

#include <czmq.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct testlib_hub hub;

static const char orders[] =
    "order,channel,customer_name,address_1,address_2,town,postcode,country,phone,service,order_value,line,sku,"
    "description,department,quantity,locations,unit_weight_g,line_value\n"
    "K1,web,Ann Able,1 Acre Lane,,Leeds,LS1 1AA,GB,,next-day,20.00,1,SK-K1,Mug,Kitchen,1,L-K1,1250,20.00\n";

static bool
wait_file (const char *path)
{
	for (int i = 0; i < 200; i++) {
		if (access (path, F_OK) == 0)
			return true;
		usleep (50 * 1000);
	}
	return false;
}

static char *
slurp (const char *path)
{
	FILE *f = fopen (path, "rb");
	char *buf = xcalloc (1, 1 << 14);
	if (f) {
		size_t n = fread (buf, 1, (1 << 14) - 1, f);
		buf[n] = '\0';
		fclose (f);
	}
	return buf;
}

/* Write n bytes through a temporary name and rename, as a carrier's drop should. */
static void
drop_n (const char *dir, const char *name, const char *text, size_t n)
{
	char *tmp = xasprintf ("%s/.%s.part", dir, name), *dst = xasprintf ("%s/%s", dir, name);
	FILE *f = fopen (tmp, "wb");
	fwrite (text, 1, n, f);
	fclose (f);
	rename (tmp, dst);
	free (tmp);
	free (dst);
}

static void
drop (const char *dir, const char *name, const char *text)
{
	drop_n (dir, name, text, strlen (text));
}

int
main (void)
{
	zsys_init ();
	zsys_set_logsystem (false);
	char dir[256];
	testlib_tmpdir (dir, sizeof dir);
	char *inbox = xasprintf ("%s/track-in", dir), *ep = xasprintf ("ipc://%s/integration.sock", dir);
	char *set_inbox = xasprintf ("hub.tracking_inbox=%s", inbox), *set_ep = xasprintf ("hub.integration=%s", ep);
	const char *extra[] = { set_inbox, set_ep, NULL };
	if (!ok (testlib_hub_start (&hub, extra) == 0, "hub starts with a tracking inbox and an integration endpoint"))
		return tap_done ();
	char *path = xasprintf ("%s/k.csv", hub.dir);
	FILE *f = fopen (path, "w");
	fputs (orders, f);
	fclose (f);
	char *cmd = xasprintf ("%s/admin/despatch -d '%s' import '%s' >/dev/null", getenv ("top_builddir"), hub.database,
	    path);
	ok (system (cmd) == 0, "an order imported");
	free (cmd);
	free (path);
	struct fl_term t;
	fl_term_open (&t, hub.endpoint, "hh-sup", "office", "B3001", "3333");
	fl_check (fl_scan (&t, "receive", "K1"), PROTO_OK, PR_OK, NULL, "receive");
	fl_check (fl_scan (&t, "locate", "L-K1", "order", "K1", "line", "1"), PROTO_OK, PR_OK, NULL, "location");
	fl_check (fl_scan (&t, "locate", "SK-K1", "order", "K1", "line", "1"), PROTO_OK, PR_OK, NULL, "item");
	proto_msg_t *r = fl_expect (fl_scan (&t, "pack", "K1", "parcels", "1", "parcel", "1", "box", "S", "weight",
	    "1250"), PROTO_OK, PR_OK, "labelled", "pack");
	char tracking[48];
	snprintf (tracking, sizeof tracking, "%s", fl_data (r, "tracking"));
	proto_msg_destroy (&r);
	fl_check (fl_scan (&t, "verify", tracking, "order", "K1"), PROTO_OK, PR_OK, NULL, "verify");
	fl_check (fl_scan (&t, "scanout", tracking, "cage", "CAGE-DPD"), PROTO_OK, PR_OK, NULL, "scan out");
	fl_check (fl_cmd (&t, "closeout", "carrier", "dpd"), PROTO_OK, PR_OK, NULL, "close out");

	diag ("a JSON file in the tracking inbox");
	char *json = xasprintf ("{\"events\": [{\"tracking\": \"%s\", \"time\": \"2026-11-24T06:10:00Z\","
	    " \"status\": \"Collected\", \"location\": \"Hub Leeds\"}, {\"tracking\": \"1550 9999 9999 99\","
	    " \"time\": \"2026-11-24T06:11:00Z\", \"status\": \"at hub\"}]}", tracking);
	drop (inbox, "dpd-0610.json", json);
	free (json);
	char *done = xasprintf ("%s/done/dpd-0610.json", inbox), *unknown = xasprintf ("%s.unknown", done);
	char *record = xasprintf ("%s.record", done);
	ok (wait_file (record), "taken, its record in done/");
	ok (access (done, F_OK) != 0, "and no copy of it (hub.inbox_keep_days is 0)");
	char *rec = slurp (record);
	ok (strstr (rec, "outcome: taken") && strstr (rec, "events: 2 (1 matched, 1 unknown)"), "%s", rec);
	free (rec);
	free (record);
	ok (wait_file (unknown), "its unknown number listed beside it");
	char *u = slurp (unknown);
	ok (strstr (u, "dpd-0610.json:2: tracking number 15509999999999 matches no parcel") != NULL,
	    "the second event, named: %s", u);
	free (u);
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM tracking_unknown WHERE tracking = '15509999999999'"
	    " AND source = 'dpd-0610.json:2'"), 1, "and kept");
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM tracking WHERE status = 'in_transit' AND"
	    " location = 'Hub Leeds' AND source = 'dpd-0610.json:1'"), 1, "'Collected' normalised to in_transit");
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM parcels WHERE code = 'K1/1' AND status = 'in_transit'"),
	    1, "the parcel is in transit");

	diag ("a CSV file with a bad status is refused whole");
	char *csv = xasprintf ("tracking,time,status\n%s,2026-11-24T08:00:00Z,teleported\n", tracking);
	drop (inbox, "bad.csv", csv);
	free (csv);
	char *errors = xasprintf ("%s/failed/bad.csv.errors", inbox);
	ok (wait_file (errors), "moved to failed/ with its reasons");
	char *why = slurp (errors);
	ok (strstr (why, "bad.csv:2: status is not a known carrier status") != NULL, "the line and why: %s", why);
	free (why);

	diag ("text at the tracking doors: a NUL, bytes that are not UTF-8, a control character");
	char *nul = xasprintf ("tracking,time,status,location\n%s,2026-11-24T08:00:00Z,at hub,Le%ceds\n", tracking, 0);
	size_t nul_len = strlen (nul) + 1 + strlen (nul + strlen (nul) + 1);
	drop_n (inbox, "nul.csv", nul, nul_len);
	free (nul);
	free (errors);
	errors = xasprintf ("%s/failed/nul.csv.errors", inbox);
	ok (wait_file (errors), "a NUL refuses the file");
	why = slurp (errors);
	ok (strstr (why, "nul.csv:2: a NUL byte at position") != NULL, "naming the line: %s", why);
	free (why);
	free (errors);
	char *latin = xasprintf ("tracking,time,status,location\n%s,2026-11-24T08:00:00Z,at hub,K\xf6ln\n", tracking);
	char *lpath = xasprintf ("%s/latin.csv", hub.dir);
	FILE *lf = fopen (lpath, "w");
	fputs (latin, lf);
	fclose (lf);
	free (latin);
	char *tcmd = xasprintf ("%s/admin/despatch -d '%s' track '%s' 2>&1", getenv ("top_builddir"), hub.database, lpath);
	char *out = testlib_run (tcmd);
	ok (strstr (out, "latin.csv:2: not valid UTF-8 (byte 0xF6 at position") != NULL && strstr (out, "nothing taken"),
	    "despatch track refuses a file that is not UTF-8: %s", out);
	free (out);
	free (tcmd);
	free (lpath);
	char *ctl = xasprintf ("tracking,time,status,location\n%s,2026-11-24T08:00:00Z,at hub,Hub\x1b[2J\n", tracking);
	drop (inbox, "ctl.csv", ctl);
	free (ctl);
	errors = xasprintf ("%s/failed/ctl.csv.errors", inbox);
	ok (wait_file (errors), "an escape sequence refuses the file");
	why = slurp (errors);
	ok (strstr (why, "ctl.csv:2: location: the control character U+001B at position 4") != NULL, "%s", why);
	free (why);
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM tracking WHERE source LIKE 'nul.csv%' OR source LIKE "
	    "'ctl.csv%' OR source LIKE '%latin.csv%'"), 0, "none of their events is stored");

	diag ("entries of the tracking inbox that are not files: a link, a FIFO, a folder");
	char *outside = xasprintf ("%s/outside.csv", hub.dir), *link = xasprintf ("%s/link.csv", inbox);
	char *ev = xasprintf ("tracking,time,status,location\n%s,2026-11-24T09:00:00Z,at hub,Outside\n", tracking);
	FILE *of = fopen (outside, "w");
	fputs (ev, of);
	fclose (of);
	ok (symlink (outside, link) == 0, "a link link.csv -> a tracking file outside the inbox");
	char *fifo = xasprintf ("%s/pipe.csv", inbox), *folder = xasprintf ("%s/folder.json", inbox);
	ok (mkfifo (fifo, 0644) == 0 && mkdir (folder, 0755) == 0, "a FIFO pipe.csv and a folder folder.json");
	static const struct { const char *name, *says; } odd[] = {
		{ "link.csv", "link.csv: it is a symbolic link, not a file" },
		{ "pipe.csv", "pipe.csv: it is a FIFO" },
		{ "folder.json", "folder.json: it is a folder" },
	};
	for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
		free (errors);
		errors = xasprintf ("%s/failed/%s.errors", inbox, odd[i].name);
		ok (wait_file (errors), "%s is set aside in failed/, unread", odd[i].name);
		why = slurp (errors);
		ok (strstr (why, odd[i].says) != NULL, "saying what it is: %s", why);
		free (why);
	}
	struct stat lsb;
	char *moved = xasprintf ("%s/failed/link.csv", inbox);
	ok (lstat (moved, &lsb) == 0 && S_ISLNK (lsb.st_mode), "the link itself moved, not a copy of what it names");
	char *still = slurp (outside);
	is_str (still, ev, "the file it names is as it was");
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM tracking WHERE location = 'Outside'"), 0,
	    "and nothing of it is taken");
	r = fl_expect (fl_scan (&t, "enquiry", "K1"), PROTO_OK, PR_OK, "K1", "the hub answers meanwhile");
	proto_msg_destroy (&r);
	free (still);
	free (moved);
	free (fifo);
	free (folder);
	free (ev);
	free (link);
	free (outside);

	diag ("a tracking push on the integration endpoint");
	zsock_t *req = zsock_new_req (ep);
	zsock_set_rcvtimeo (req, 10000);
	char *push = xasprintf ("{\"type\": \"tracking\", \"events\": [{\"tracking\": \"%s\", \"time\": "
	    "\"2026-11-24T11:32:00Z\", \"status\": \"Delivered\", \"location\": \"Front door\", \"signed_by\": "
	    "\"A. ABLE\", \"pod_image\": \"pod/k1.jpg\"}, {\"tracking\": \"XX123\", \"time\": \"2026-11-24T11:33:00Z\","
	    " \"status\": \"delivered\", \"signed_by\": \"B\"}]}", tracking);
	zstr_send (req, push);
	free (push);
	char *answer = zstr_recv (req);
	json_t *a = answer ? json_loads (answer, 0, NULL) : NULL;
	ok (a && json_is_true (json_object_get (a, "ok")), "taken: %s", answer ? answer : "(no answer)");
	is_int (json_integer_value (json_object_get (a, "matched")), 1, "one matched");
	json_t *un = json_object_get (a, "unknown");
	ok (json_array_size (un) == 1 && strstr (json_string_value (json_array_get (un, 0)), "integration:2: tracking "
	    "number XX123 matches no parcel"), "the unknown number is in the answer");
	json_decref (a);
	zstr_free (&answer);
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM tracking WHERE status = 'delivered' AND"
	    " signed_by = 'A. ABLE' AND pod_image = 'pod/k1.jpg'"), 1, "POD kept: who signed, the image");
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM orders WHERE ref = 'K1' AND status = 'delivered'"), 1,
	    "the order is delivered");
	zstr_send (req, "{\"type\": \"tracking\", \"events\": [{\"tracking\": \"X\", \"time\": \"t\", \"status\": "
	    "\"delivered\", \"signed_by\": \"A\\u0007B\"}]}");
	answer = zstr_recv (req);
	ok (answer && strstr (answer, "\"ok\":false") && strstr (answer, "integration:1: signed_by: the control character "
	    "U+0007 at position 2"), "a control character in a push is refused: %s", answer ? answer : "(no answer)");
	zstr_free (&answer);
	zstr_send (req, "{\"type\": \"tracking\", \"events\": [{\"tracking\": \"X\", \"time\": \"t\", \"status\": 5}]}");
	answer = zstr_recv (req);
	ok (answer && strstr (answer, "\"ok\":false") && strstr (answer, "integration:1: status must be text"),
	    "a malformed push is refused, naming the event: %s", answer ? answer : "(no answer)");
	zstr_free (&answer);
	zsock_destroy (&req);
	is_int (testlib_hub_stop (&hub), 0, "hub stops cleanly");
	client_destroy (&t.c);
	free (done);
	free (unknown);
	free (errors);
	free (inbox);
	free (ep);
	free (set_inbox);
	free (set_ep);
	return tap_done ();
}
