/*
 * test-closeout.c: close-out per carrier against a real hub: two labelled
 * parcels never scanned out are listed with where and when they were last
 * seen; the DPD manifest (CSV) and the Royal Mail one (fixed width) are read
 * back field by field against doc/carriers.md and the database; the store
 * van gets a route export; a supervisor reopens a manifest (audited), its
 * file is set aside and a new close-out takes the parcels again.
 */
#include "config.h"
#include "tests/flow/flowlib.h"
#include "util.h"

#include <czmq.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct testlib_hub hub;
static char t1[48], t2[48];  /* DPD tracking numbers of C1 and C2, closed out */
static char rm_file[512];    /* the Royal Mail manifest file */

static long long
sql_int (const char *sql)
{
	return testlib_sql_int (hub.database, sql);
}

static char *
sql_text (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

static char *
sql_text (const char *fmt, ...)
{
	va_list ap;
	va_start (ap, fmt);
	char *sql = xvasprintf (fmt, ap);
	va_end (ap);
	char *v = testlib_sql_text (hub.database, sql);
	free (sql);
	return v ? v : xstrdup ("");
}

static char *
slurp (const char *path)
{
	FILE *f = fopen (path, "rb");
	if (f == NULL)
		return NULL;
	char *buf = xcalloc (1, 1 << 16);
	size_t n = fread (buf, 1, (1 << 16) - 1, f);
	buf[n] = '\0';
	fclose (f);
	return buf;
}

/* Entries of a folder (0 when it does not exist). */
static int
files_in (const char *dir)
{
	DIR *d = opendir (dir);
	int n = 0;
	if (d == NULL)
		return 0;
	for (struct dirent *e; (e = readdir (d)) != NULL; )
		if (strcmp (e->d_name, ".") != 0 && strcmp (e->d_name, "..") != 0)
			n++;
	closedir (d);
	return n;
}

static const char orders[] =
    "order,channel,customer_name,address_1,address_2,town,postcode,country,phone,service,order_value,line,sku,"
    "description,department,quantity,locations,unit_weight_g,line_value\n"
    "C1,web,Ann Able,1 Acre Lane,Flat 2,Leeds,LS1 1AA,GB,+44 113 555 0001,next-day,20.00,1,SK-C1,Mug,Kitchen,1,L-C1,1250,20.00\n"
    "C2,web,\"Bob Baker, Jr\",2 Bank St,,York,YO1 7AA,GB,+44 1904 555 002,next-day,20.00,1,SK-C2,Mug,Kitchen,1,L-C2,800,20.00\n"
    "C3,web,Cat Cole,3 Cole Rd,,Hull,HU1 1AA,GB,,next-day,20.00,1,SK-C3,Mug,Kitchen,1,L-C3,900,20.00\n"
    "C4,web,Dan Dee,4 Dee St,,Bath,BA1 1AA,GB,,next-day,20.00,1,SK-C4,Mug,Kitchen,1,L-C4,900,20.00\n"
    "C5,web,Eve Eden,5 Eden Way,,Derby,DE1 1AA,GB,,standard,8.00,1,SK-C5,Card,Stationery,1,L-C5,300,8.00\n"
    "C6,till,Fay Fox,6 Fox Lane,,London,W1A 1AA,GB,+44 20 5555 0006,same-day,40.00,1,SK-C6,Scarf,Accessories,1,L-C6,400,40.00\n";

/* Receive, locate, pack one parcel of weight g; returns the tracking number (static). */
static const char *
flow_to_label (struct fl_term *porter, struct fl_term *packer, const char *ref, const char *weight)
{
	static char tracking[48];
	char loc[16], sku[16];
	snprintf (loc, sizeof loc, "L-%s", ref);
	snprintf (sku, sizeof sku, "SK-%s", ref);
	fl_check (fl_scan (porter, "receive", ref), PROTO_OK, PR_OK, "received", ref);
	fl_check (fl_scan (porter, "locate", loc, "order", ref, "line", "1"), PROTO_OK, PR_OK, "Now scan", "location");
	fl_check (fl_scan (porter, "locate", sku, "order", ref, "line", "1"), PROTO_OK, PR_OK, "found", "item");
	proto_msg_t *r = fl_expect (fl_scan (packer, "pack", ref, "parcels", "1", "parcel", "1", "box", "S", "weight",
	    weight), PROTO_OK, PR_OK, "labelled", "pack and label");
	snprintf (tracking, sizeof tracking, "%s", fl_data (r, "tracking"));
	proto_msg_destroy (&r);
	return tracking;
}

static void
scan_out (struct fl_term *packer, const char *ref, const char *tracking, const char *cage)
{
	fl_check (fl_scan (packer, "verify", tracking, "order", ref), PROTO_OK, PR_OK, "Label right", "verify");
	fl_check (fl_scan (packer, "cage", cage), PROTO_OK, PR_OK, cage, "cage");
	fl_check (fl_scan (packer, "scanout", tracking, "cage", cage), PROTO_OK, PR_OK, "on ", "scan out");
}

/* Split a CSV line (no quotes needed except where a field holds a comma). */
static int
csv_split (char *line, char **f, int max)
{
	int n = 0;
	char *s = line;
	while (n < max) {
		if (*s == '"') {
			char *w = ++s, *o = s;
			while (*s && !(*s == '"' && s[1] != '"')) {
				if (*s == '"')
					s++;
				*o++ = *s++;
			}
			if (*s)
				s++;
			*o = '\0';
			f[n++] = w;
		} else {
			f[n++] = s;
			s += strcspn (s, ",");
		}
		if (*s != ',')
			break;
		*s++ = '\0';
	}
	return n;
}

static void
test_dpd (struct fl_term *porter, struct fl_term *packer, struct fl_term *sup)
{
	diag ("DPD: four parcels labelled, two scanned out, two missing");
	char t4[48];
	snprintf (t1, sizeof t1, "%s", flow_to_label (porter, packer, "C1", "1250"));
	snprintf (t2, sizeof t2, "%s", flow_to_label (porter, packer, "C2", "800"));
	flow_to_label (porter, packer, "C3", "900");
	snprintf (t4, sizeof t4, "%s", flow_to_label (porter, packer, "C4", "900"));
	scan_out (packer, "C1", t1, "CAGE-DPD");
	scan_out (packer, "C2", t2, "CAGE-DPD");
	fl_check (fl_scan (packer, "verify", t4, "order", "C4"), PROTO_OK, PR_OK, "Label right", "C4 verified, not loaded");

	proto_msg_t *r = fl_expect (fl_cmd (sup, "closeout-preview", "carrier", "dpd"), PROTO_WARN, PR_INCOMPLETE,
	    "2 parcels ready to close, 2 labelled but not on a cage", "preview: two missing");
	proto_msg_destroy (&r);
	r = fl_expect (fl_cmd (sup, "closeout", "carrier", "dpd"), PROTO_WARN, PR_INCOMPLETE, "NOT on a cage",
	    "close out DPD with two missing");
	is_str (fl_data (r, "missing"), "2", "two missing");
	ok (strncmp (fl_data (r, "missing.1"), "C3/1|labelled|last seen label at bench-1 ", 41) == 0,
	    "C3/1: last seen labelled at bench-1: %s", fl_data (r, "missing.1"));
	ok (strncmp (fl_data (r, "missing.2"), "C4/1|verified|last seen verify at bench-1 ", 42) == 0,
	    "C4/1: last seen verified at bench-1: %s", fl_data (r, "missing.2"));
	ok (strstr (fl_data (r, "missing.2"), "by Sam Packer|20") != NULL, "with who and when (ISO time)");
	is_str (fl_data (r, "count"), "2", "two parcels in the manifest");
	char manifest[24], file[512];
	snprintf (manifest, sizeof manifest, "%s", fl_data (r, "manifest"));
	snprintf (file, sizeof file, "%s", fl_data (r, "file"));
	proto_msg_destroy (&r);
	char want_dir[400];
	snprintf (want_dir, sizeof want_dir, "%s/outbox/dpd/dpd-", hub.dir);
	ok (strncmp (file, want_dir, strlen (want_dir)) == 0 && strstr (file, ".csv"), "manifest file in the outbox: %s",
	    file);
	is_int (sql_int ("SELECT count(*) FROM parcels WHERE status = 'closed' AND carrier = 'dpd'"), 2,
	    "the two are locked");

	diag ("the DPD manifest, field by field (doc/carriers.md: dpd)");
	char *text = slurp (file);
	if (!ok (text != NULL, "manifest readable"))
		return;
	char *save = NULL, *line = strtok_r (text, "\n", &save);
	line[strcspn (line, "\r")] = '\0';
	is_str (line, "manifest,date,tracking,service_code,order,name,address1,address2,town,postcode,country,weight_kg,"
	    "phone", "header names the fields in the documented order");
	time_t now = time (NULL);
	struct tm tm;
	gmtime_r (&now, &tm);
	char today[16];
	strftime (today, sizeof today, "%Y-%m-%d", &tm);
	static const struct {
		const char *ref, *name, *a1, *a2, *town, *pc, *kg, *phone;
	} rows[] = {
		{ "C1", "Ann Able", "1 Acre Lane", "Flat 2", "Leeds", "LS1 1AA", "1.250", "+44 113 555 0001" },
		{ "C2", "Bob Baker, Jr", "2 Bank St", "", "York", "YO1 7AA", "0.800", "+44 1904 555 002" },
	};
	const char *tracks[] = { t1, t2 };
	int nrows = 0;
	while ((line = strtok_r (NULL, "\n", &save)) != NULL) {
		line[strcspn (line, "\r")] = '\0';
		char *f[20];
		int nf = csv_split (line, f, 20);
		if (nrows >= 2) {
			nrows++;
			continue;
		}
		int i = nrows++;
		is_int (nf, 13, "%s: 13 fields", rows[i].ref);
		if (nf != 13)
			continue;
		is_str (f[0], manifest, "%s manifest", rows[i].ref);
		is_str (f[1], today, "%s date", rows[i].ref);
		is_str (f[2], tracks[i], "%s tracking", rows[i].ref);
		is_str (f[3], "101", "%s service_code (DPD Next Day)", rows[i].ref);
		is_str (f[4], rows[i].ref, "%s order", rows[i].ref);
		is_str (f[5], rows[i].name, "%s name (quoted when it holds a comma)", rows[i].ref);
		is_str (f[6], rows[i].a1, "%s address1", rows[i].ref);
		is_str (f[7], rows[i].a2, "%s address2", rows[i].ref);
		is_str (f[8], rows[i].town, "%s town", rows[i].ref);
		is_str (f[9], rows[i].pc, "%s postcode", rows[i].ref);
		is_str (f[10], "GB", "%s country", rows[i].ref);
		is_str (f[11], rows[i].kg, "%s weight_kg", rows[i].ref);
		is_str (f[12], rows[i].phone, "%s phone", rows[i].ref);
	}
	is_int (nrows, 2, "two rows: the missing parcels are not in it");
	free (text);

	diag ("reopening needs a supervisor and is audited");
	fl_check (fl_cmd (packer, "closeout-reopen", "manifest", manifest, "reason", "x"), PROTO_REFUSED, PR_FORBIDDEN,
	    NULL, "a packer may not reopen");
	fl_check (fl_cmd (sup, "closeout-reopen", "manifest", "99999", "reason", "x"), PROTO_REFUSED, PR_BAD_ARGUMENT,
	    "No manifest 99999", "an unknown manifest");
	fl_check (fl_cmd (sup, "closeout-reopen", "manifest", manifest, "reason", "C3 found behind the bench"), PROTO_OK,
	    PR_OK, "reopened", "the supervisor reopens it");
	fl_check (fl_cmd (sup, "closeout-reopen", "manifest", manifest, "reason", "again"), PROTO_REFUSED,
	    PR_ALREADY_DONE, "already reopened", "a second reopen is refused");
	char *ev = sql_text ("SELECT operator || ' ' || detail FROM events WHERE action = 'manifest-reopen'");
	ok (strstr (ev, "B3001 manifest ") && strstr (ev, "C3 found behind the bench"), "audited: %s", ev);
	free (ev);
	is_int (sql_int ("SELECT count(*) FROM parcels WHERE status = 'scanned_out' AND carrier = 'dpd'"), 2,
	    "its parcels are back on the cage");
	char *aside = xasprintf ("%s.reopened", file);
	FILE *fa = fopen (aside, "r"), *fo = fopen (file, "r");
	ok (fa != NULL && fo == NULL, "its file is set aside as .reopened");
	if (fa)
		fclose (fa);
	if (fo)
		fclose (fo);
	free (aside);
	r = fl_expect (fl_cmd (sup, "closeout", "carrier", "dpd"), PROTO_WARN, PR_INCOMPLETE, "closed out",
	    "close out again");
	is_str (fl_data (r, "count"), "2", "the same two parcels, in a new manifest");
	ok (strcmp (fl_data (r, "manifest"), manifest) != 0, "manifest %s, not %s", fl_data (r, "manifest"), manifest);
	proto_msg_destroy (&r);
}

static void
test_royal_mail_fixed (struct fl_term *porter, struct fl_term *packer, struct fl_term *sup)
{
	diag ("Royal Mail: a fixed-width manifest, field by field");
	char t5[48];
	snprintf (t5, sizeof t5, "%s", flow_to_label (porter, packer, "C5", "300"));
	ok (strlen (t5) == 13 && strncmp (t5, "RB", 2) == 0, "a Royal Mail S10 number: %s", t5);
	scan_out (packer, "C5", t5, "CAGE-RM");

	/* A close-out that fails after its manifest is written (a failure made
	 * here by a trigger) leaves no file a carrier could collect. */
	ok (fl_sql_exec (hub.database, "CREATE TRIGGER test_fail BEFORE INSERT ON events WHEN NEW.action = 'closeout'"
	    " BEGIN SELECT RAISE (ABORT, 'made to fail by the test'); END") == 0, "set-up: the close-out will fail late");
	proto_msg_t *r = fl_cmd (sup, "closeout", "carrier", "royal-mail");
	ok (r && proto_msg_id (r) == PROTO_ERROR && testlib_reason (r) == PR_STORAGE, "close-out refused: %s",
	    testlib_text (r));
	proto_msg_destroy (&r);
	char *outbox = xasprintf ("%s/outbox/royal-mail", hub.dir);
	is_int (files_in (outbox), 0, "no manifest file (nor a part of one) in the outbox");
	is_int (sql_int ("SELECT count(*) FROM manifests WHERE carrier = 'royal-mail'"), 0, "no manifest recorded");
	is_int (sql_int ("SELECT count(*) FROM parcels WHERE order_ref = 'C5' AND status = 'scanned_out'"), 1,
	    "the parcel is still on the cage");
	fl_sql_exec (hub.database, "DROP TRIGGER test_fail");

	r = fl_expect (fl_cmd (sup, "closeout", "carrier", "royal-mail"), PROTO_OK, PR_OK, "closed out",
	    "close out Royal Mail");
	is_int (files_in (outbox), 1, "now the manifest file, and nothing else, is in the outbox");
	free (outbox);
	char *text = slurp (fl_data (r, "file"));
	ok (text && strstr (fl_data (r, "file"), ".txt"), "a .txt manifest: %s", fl_data (r, "file"));
	snprintf (rm_file, sizeof rm_file, "%s", fl_data (r, "file"));
	proto_msg_destroy (&r);
	if (text == NULL)
		return;
	/* tracking:13 date:10 service_code:3 postcode:8 country:2 weight_g:6 parcel_no:3 name:30 */
	is_int ((int) strcspn (text, "\r\n"), 75, "one record of 75 characters");
	time_t now = time (NULL);
	struct tm tm;
	gmtime_r (&now, &tm);
	char today[16];
	strftime (today, sizeof today, "%Y-%m-%d", &tm);
	is_int (strncmp (text, t5, 13), 0, "tracking at 1-13");
	is_int (strncmp (text + 13, today, 10), 0, "date at 14-23");
	is_int (strncmp (text + 23, "TPS", 3), 0, "service code at 24-26");
	is_int (strncmp (text + 26, "DE1 1AA ", 8), 0, "postcode at 27-34, space-padded");
	is_int (strncmp (text + 34, "GB", 2), 0, "country at 35-36");
	is_int (strncmp (text + 36, "000300", 6), 0, "weight in grams at 37-42, zero-filled");
	is_int (strncmp (text + 42, "001", 3), 0, "parcel number at 43-45, zero-filled");
	is_int (strncmp (text + 45, "Eve Eden                      ", 30), 0, "name at 46-75, space-padded");
	ok (strcmp (text + 75, "\r\n") == 0, "CRLF ends the record, nothing follows");
	free (text);
}

static void
test_van_route (struct fl_term *porter, struct fl_term *packer, struct fl_term *sup)
{
	diag ("the store's vans: a route export instead of a manifest");
	char t6[48];
	snprintf (t6, sizeof t6, "%s", flow_to_label (porter, packer, "C6", "400"));
	scan_out (packer, "C6", t6, "VAN-1");
	proto_msg_t *r = fl_expect (fl_cmd (sup, "closeout", "carrier", "store-van", "cage", "VAN-1"), PROTO_OK, PR_OK,
	    "closed out", "close out van 1");
	char *text = slurp (fl_data (r, "file"));
	ok (text && strstr (fl_data (r, "file"), "-route.csv"), "a route export: %s", fl_data (r, "file"));
	proto_msg_destroy (&r);
	ok (text && strncmp (text, "drop,order,name,address1,address2,town,postcode,phone,parcel,weight_kg,cage\r\n"
	    "1,C6,Fay Fox,6 Fox Lane,,London,W1A 1AA,+44 20 5555 0006,C6/1,0.400,VAN-1\r\n", 200) == 0,
	    "drop 1: C6 to W1A 1AA on VAN-1");
	if (text)
		diag ("%s", text);
	free (text);
}

static int
run_track (const char *file, char *out, size_t n)
{
	char *cmd = xasprintf ("%s/admin/despatch -d '%s' track '%s' 2>&1", getenv ("top_builddir"), hub.database, file);
	FILE *p = popen (cmd, "r");
	size_t got = p ? fread (out, 1, n - 1, p) : 0;
	out[got] = '\0';
	int st = p ? pclose (p) : -1;
	free (cmd);
	return st != -1 && WIFEXITED (st) ? WEXITSTATUS (st) : -1;
}

static void
test_tracking (void)
{
	diag ("tracking files: matched by number, normalised, POD kept, an unknown number reported");
	char *bad = xasprintf ("%s/bad-track.csv", hub.dir), *good = xasprintf ("%s/dpd-track.csv", hub.dir), out[4096];
	FILE *f = fopen (bad, "w");
	fprintf (f, "tracking,time,status\n%s,2026-11-24T08:00:00Z,teleported\n", t1);
	fclose (f);
	int rc = run_track (bad, out, sizeof out);
	ok (rc == 1 && strstr (out, "bad-track.csv:2: status is not a known carrier status") && strstr (out, "nothing taken"),
	    "a file with an unknown status is refused, line named: %s", out);
	is_int (sql_int ("SELECT count(*) FROM tracking"), 0, "nothing taken from it");
	f = fopen (good, "w");
	fprintf (f, "tracking,time,status,location,detail,signed_by,pod_image\n"
	    "%s,2026-11-24T06:10:00Z,Collected,Hub Leeds,,,\n"
	    "%s,2026-11-24T09:00:00Z,OUT FOR DELIVERY,Leeds,\"van 12, driver J\",,\n"
	    "15509999999999,2026-11-24T09:05:00Z,in transit,Hinckley,,,\n"
	    "%s,2026-11-24T11:32:00Z,Delivered,Front door,,A. ABLE,pod/%s.jpg\n", t1, t2, t1, t1);
	fclose (f);
	rc = run_track (good, out, sizeof out);
	is_int (rc, 1, "exit 1: a number is unknown");
	ok (strstr (out, "dpd-track.csv:4: tracking number 15509999999999 matches no parcel") != NULL,
	    "the unknown number is reported with file and line: %s", out);
	ok (strstr (out, "4 events, 3 matched, 1 unknown") != NULL, "counts");
	is_int (sql_int ("SELECT count(*) FROM tracking_unknown WHERE tracking = '15509999999999'"), 1,
	    "and kept, not dropped");
	char *v = sql_text ("SELECT t.status || '|' || t.carrier_at || '|' || t.location || '|' || t.signed_by || '|' || t.pod_image"
	    " FROM tracking t JOIN parcels p ON p.id = t.parcel_id WHERE p.tracking = '%s' AND t.status = 'delivered'", t1);
	char *want = xasprintf ("delivered|2026-11-24T11:32:00Z|Front door|A. ABLE|pod/%s.jpg", t1);
	is_str (v, want, "POD: who signed, when, where the image is");
	free (v);
	free (want);
	v = sql_text ("SELECT group_concat (t.status, ',') FROM tracking t JOIN parcels p ON p.id = t.parcel_id"
	    " WHERE p.tracking = '%s'", t2);
	is_str (v, "out_for_delivery", "C2: 'OUT FOR DELIVERY' normalised");
	free (v);
	is_int (sql_int ("SELECT count(*) FROM parcels WHERE code = 'C1/1' AND status = 'delivered'"), 1, "C1 delivered");
	is_int (sql_int ("SELECT count(*) FROM orders WHERE ref = 'C1' AND status = 'delivered'"), 1,
	    "its order delivered");
	is_int (sql_int ("SELECT count(*) FROM orders WHERE ref = 'C2' AND status = 'in_transit'"), 1, "C2 in transit");
	free (bad);
	free (good);
}

int
main (void)
{
	zsys_init ();
	zsys_set_logsystem (false);
	if (!ok (testlib_hub_start (&hub, NULL) == 0, "hub starts"))
		return tap_done ();
	char *path = xasprintf ("%s/closeout.csv", hub.dir), *cmd;
	FILE *f = fopen (path, "w");
	fputs (orders, f);
	fclose (f);
	cmd = xasprintf ("%s/admin/despatch -d '%s' import '%s' >/dev/null", getenv ("top_builddir"), hub.database, path);
	ok (system (cmd) == 0, "six orders imported");
	free (cmd);
	free (path);
	struct fl_term porter, packer, sup;
	fl_term_open (&porter, hub.endpoint, "hh-01", "despatch-in", "B1001", "1111");
	fl_term_open (&packer, hub.endpoint, "bench-01", "bench-1", "B2001", "2222");
	fl_term_open (&sup, hub.endpoint, "hh-sup", "office", "B3001", "3333");
	test_dpd (&porter, &packer, &sup);
	test_royal_mail_fixed (&porter, &packer, &sup);
	test_van_route (&porter, &packer, &sup);
	test_tracking ();

	diag ("a stop between a close-out's commit and its file's rename");
	is_int (testlib_hub_stop (&hub), 0, "hub stops");
	char *part = xasprintf ("%s.part", rm_file);
	ok (*rm_file && rename (rm_file, part) == 0, "set-up: the manifest left as it is before the rename");
	ok (testlib_hub_restart (&hub) == 0, "hub starts again");
	ok (access (rm_file, F_OK) == 0 && access (part, F_OK) != 0, "the committed manifest has its name: %s", rm_file);
	free (part);
	is_int (testlib_hub_stop (&hub), 0, "hub stops cleanly");
	client_destroy (&porter.c);
	client_destroy (&packer.c);
	client_destroy (&sup.c);
	return tap_done ();
}
