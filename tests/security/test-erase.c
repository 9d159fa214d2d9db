/*
 * test-erase.c: an erase leaves nothing. A customer is imported and taken
 * through the whole flow on a real hub that exports its events and writes
 * manifests into its outbox: received, located, packed and labelled,
 * verified, scanned out, closed out (a manifest), held and released, a
 * note with a phone number, tracking with the town and a proof of
 * delivery signed by the customer, an enquiry whose reply is stored, and a
 * backup. Then "despatch erase customer", run as root while the hub runs
 * with the exports file owned by another user. A second order of hers
 * came through the inbox in a file with another customer's: its kept copy
 * loses her row and keeps the other. Afterwards every file the hub wrote (the database and its WAL as bytes, the exports, the outbox,
 * the hub's log, the key folder) is searched for each of the customer's
 * strings: none is found, outside the backup the erase names (which still
 * holds them, so the search can find them). The exports file keeps its
 * inode, owner and mode and the hub goes on appending to it; the order
 * stays for accounting. When the hub cannot write its events export,
 * despatch status says so.
 */
#include "config.h"
#include "tests/flow/flowlib.h"
#include "tests/security/seclib.h"
#include "util.h"

#include <czmq.h>
#include <dirent.h>
#include <pwd.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct testlib_hub hub;
static const char *top;

/* The customer's strings: each must be gone from every file after the erase. */
static const char *const pii[] = {
	"Zephyrine Quixhartley", "Quixhartley", "Zephyrine", "27 Wimbourne Crescent", "Wimbourne Crescent",
	"Quarrington Hill", "DH6 4QZ", "+44 191 496 0734", "z.quixhartley@example.net", "LOY-88812077",
	"07700 900461", "Z Quixhartley", "quixhartley.png",
};

static int
run (const char *cmd, char **out)
{
	FILE *p = popen (cmd, "r");
	size_t cap = 1 << 16, n = 0, got;
	char *buf = xmalloc (cap);
	while (p && (got = fread (buf + n, 1, cap - n - 1, p)) > 0)
		if ((n += got) + 1 >= cap)
			buf = xrealloc (buf, cap *= 2);
	buf[n] = '\0';
	int rc = p ? pclose (p) : -1;
	if (out)
		*out = buf;
	else
		free (buf);
	return WIFEXITED (rc) ? WEXITSTATUS (rc) : -1;
}

/* Every regular file under dir, into a list (caller frees). */
static void
walk (const char *dir, char ***files, int *n)
{
	DIR *d = opendir (dir);
	for (struct dirent *e; d && (e = readdir (d)) != NULL;) {
		if (strcmp (e->d_name, ".") == 0 || strcmp (e->d_name, "..") == 0)
			continue;
		char *path = xasprintf ("%s/%s", dir, e->d_name);
		struct stat sb;
		if (lstat (path, &sb) == 0 && S_ISDIR (sb.st_mode)) {
			walk (path, files, n);
			free (path);
		} else if (S_ISREG (sb.st_mode)) {
			*files = xrealloc (*files, (size_t) (*n + 1) * sizeof **files);
			(*files)[(*n)++] = path;
		} else {
			free (path);
		}
	}
	if (d)
		closedir (d);
}

/* Wait (bounded) until path holds needle. */
static bool
wait_for (const char *path, const char *needle)
{
	for (int i = 0; i < 100; i++) {
		if (sec_file_count (path, needle, false) > 0)
			return true;
		usleep (100 * 1000);
	}
	return false;
}

static char *
events_file (const char *exports)
{
	char day[16];
	time_t t = time (NULL);
	strftime (day, sizeof day, "%Y-%m-%d", gmtime (&t));
	return xasprintf ("%s/events-%s.jsonl", exports, day);
}

int
main (void)
{
	zsys_init ();
	zsys_set_logsystem (false);
	top = getenv ("top_builddir") ? getenv ("top_builddir") : ".";
	char dir[256];
	testlib_tmpdir (dir, sizeof dir);
	char *exports = xasprintf ("%s/exports", dir), *outbox = xasprintf ("%s/outbox", dir);
	char *backups = xasprintf ("%s/backups", dir);
	char *set_exports = xasprintf ("hub.exports=%s", exports), *set_outbox = xasprintf ("carriers.outbox=%s", outbox);
	char *inbox = xasprintf ("%s/inbox", dir), *set_inbox = xasprintf ("hub.inbox=%s", inbox);
	const char *extra[] = { set_exports, set_outbox, set_inbox, "hub.inbox_keep_days=7", NULL };
	if (!ok (testlib_hub_start (&hub, extra) == 0, "a hub exporting events to %s, manifests to %s", exports, outbox))
		return tap_done ();
	char *conf = xasprintf ("%s/despatch.conf", hub.dir);
	FILE *f = fopen (conf, "w");
	fprintf (f, "[hub]\nexports = %s\ninbox = %s\ninbox_keep_days = 7\n[carriers]\noutbox = %s\n[backup]\ndir = %s\nkeep = 14\n",
	    exports, inbox, outbox, backups);
	fclose (f);

	/* A second order of hers comes through the inbox in one file with another customer's; the hub keeps a copy. */
	char *part = xasprintf ("%s/.part-erase", inbox), *feed = xasprintf ("%s/web-orders.csv", inbox);
	f = fopen (part, "w");
	fprintf (f, "order,channel,customer_name,address_1,town,postcode,country,phone,email,service,order_value,"
	    "line,sku,description,department,quantity,locations,unit_weight_g,line_value\n"
	    "E7000002,web,Zephyrine Quixhartley,27 Wimbourne Crescent,Quarrington Hill,DH6 4QZ,GB,+44 191 496 0734,"
	    "z.quixhartley@example.net,standard,12.00,1,HW-CUP-0002,Espresso cup,Homeware,1,HW-R1-A02,150,12.00\n"
	    "E7000003,web,Orlanda Vexbury,4 Tanner Row,York,YO1 6JB,GB,+44 1904 496 118,o.vexbury@example.org,"
	    "standard,12.00,1,HW-CUP-0002,Espresso cup,Homeware,1,HW-R1-A02,150,12.00\n");
	fclose (f);
	ok (rename (part, feed) == 0, "a file of two orders, one hers, dropped into the inbox");
	char *copy = xasprintf ("%s/done/web-orders.csv", inbox);
	bool taken = false;
	for (int i = 0; i < 100 && !taken; i++) {
		taken = access (copy, F_OK) == 0;
		if (!taken)
			usleep (100 * 1000);
	}
	ok (taken && sec_file_count (copy, "Quixhartley", false) > 0, "the hub took it and keeps a copy holding her name");

	/* The customer, imported. */
	char *csv = xasprintf ("%s/order.csv", dir);
	f = fopen (csv, "w");
	fprintf (f, "order,channel,customer_name,address_1,town,postcode,country,phone,email,loyalty,service,order_value,"
	    "line,sku,description,department,quantity,locations,unit_weight_g,line_value\n"
	    "E7000001,phone,Zephyrine Quixhartley,27 Wimbourne Crescent,Quarrington Hill,DH6 4QZ,GB,+44 191 496 0734,"
	    "z.quixhartley@example.net,LOY-88812077,standard,64.00,1,HW-MUG-0007,Stoneware mug,Homeware,1,HW-R1-A01,"
	    "400,64.00\n");
	fclose (f);
	char *cmd = xasprintf ("'%s/admin/despatch' -d '%s' import '%s' 2>&1", top, hub.database, csv), *out = NULL;
	is_int (run (cmd, &out), 0, "the customer's order imported: %s", out);
	free (out);
	free (cmd);
	unlink (csv); /* the test's own file, not the hub's */

	struct fl_term t;
	fl_term_open (&t, hub.endpoint, "hh-erase", "bench-1", "B3001", "3333");
	proto_msg_t *r = fl_expect (fl_scan (&t, "receive", "E7000001"), PROTO_OK, PR_OK, "", "received");
	proto_msg_destroy (&r);
	r = fl_expect (fl_scan (&t, "locate", "HW-R1-A01", "order", "E7000001", "line", "1", NULL), PROTO_OK, PR_OK, "",
	    "location");
	proto_msg_destroy (&r);
	r = fl_expect (fl_scan (&t, "locate", "HW-MUG-0007", "order", "E7000001", "line", "1", NULL), PROTO_OK, PR_OK, "",
	    "item found");
	proto_msg_destroy (&r);
	r = fl_expect (fl_scan (&t, "pack", "E7000001", "box", "M", "weight", "900", NULL), PROTO_OK, PR_OK, "labelled",
	    "packed and labelled");
	char tracking[48], carrier[32];
	snprintf (tracking, sizeof tracking, "%s", fl_data (r, "tracking"));
	snprintf (carrier, sizeof carrier, "%s", fl_data (r, "carrier"));
	proto_msg_destroy (&r);
	ok (testlib_sql_int (hub.database, "SELECT count(*) FROM label_docs") >= 1,
	    "a label drawn and kept (tracking %s, %s)", tracking, carrier);
	r = fl_expect (fl_scan (&t, "verify", tracking, "order", "E7000001", NULL), PROTO_OK, PR_OK, "", "verified");
	proto_msg_destroy (&r);
	char *q = xasprintf ("SELECT code FROM cages WHERE carrier = '%s' LIMIT 1", carrier);
	char *cage = testlib_sql_text (hub.database, q);
	free (q);
	r = fl_expect (fl_scan (&t, "cage", cage ? cage : "CAGE-DPD", NULL), PROTO_OK, PR_OK, "", "cage named");
	proto_msg_destroy (&r);
	r = fl_expect (fl_scan (&t, "scanout", tracking, "cage", cage ? cage : "CAGE-DPD", NULL), PROTO_OK, PR_OK, "",
	    "scanned out");
	proto_msg_destroy (&r);
	r = fl_cmd (&t, "hold", "code", "E7000001", "reason", "Ms Quixhartley asked us to wait", NULL);
	is_int (testlib_status (r), PROTO_OK, "held, the reason naming her");
	proto_msg_destroy (&r);
	r = fl_cmd (&t, "release", "code", "E7000001", "reason", "Zephyrine says go ahead", NULL);
	is_int (testlib_status (r), PROTO_OK, "released");
	proto_msg_destroy (&r);
	r = fl_cmd (&t, "note", "code", "E7000001", "text", "Rang from 07700 900461 about the Wimbourne Crescent drop", NULL);
	is_int (testlib_status (r), PROTO_OK, "a note with her phone number and street");
	proto_msg_destroy (&r);
	r = fl_cmd (&t, "closeout", "carrier", carrier, NULL);
	is_int (testlib_status (r), PROTO_OK, "closed out: %s", testlib_text (r));
	char *manifest = r ? xstrdup (fl_data (r, "file")) : xstrdup ("");
	proto_msg_destroy (&r);
	ok (sec_file_count (manifest, "Quixhartley", true) > 0, "the manifest %s holds her name", manifest);
	char *track = xasprintf ("%s/track.csv", dir);
	f = fopen (track, "w");
	fprintf (f, "tracking,time,status,location,detail,signed_by,pod_image\n"
	    "%s,2026-11-25T10:04:00Z,delivered,Quarrington Hill Delivery Office,left at the porch,Z Quixhartley,"
	    "https://pod.example/quixhartley.png\n", tracking);
	fclose (f);
	cmd = xasprintf ("'%s/admin/despatch' -d '%s' track '%s' 2>&1", top, hub.database, track);
	is_int (run (cmd, &out), 0, "delivered, signed by her: %s", out);
	free (out);
	free (cmd);
	unlink (track);
	r = fl_scan (&t, "enquiry", "E7000001", NULL);
	ok (r && strstr (fl_data (r, "pod_signed_by"), "Quixhartley"), "an enquiry, stored with the signer: %s",
	    r ? fl_data (r, "pod_signed_by") : "");
	proto_msg_destroy (&r);
	char *exfile = events_file (exports);
	ok (wait_for (exfile, "signed by Z Quixhartley"), "the events export has the delivery, signed by her");

	/* A backup before the erase. */
	cmd = xasprintf ("'%s/admin/despatch' backup dir='%s' -d '%s' 2>&1", top, backups, hub.database);
	is_int (run (cmd, &out), 0, "a backup taken: %s", out);
	free (out);
	free (cmd);

	/* The exports file belongs to the hub's user, not to root who erases. */
	struct passwd *nobody = getpwnam ("nobody");
	bool root = geteuid () == 0 && nobody;
	if (root)
		ok (chown (exfile, nobody->pw_uid, nobody->pw_gid) == 0, "the exports file given to nobody");
	chmod (exfile, 0640);
	struct stat before;
	stat (exfile, &before);

	long hits = 0;
	char **files = NULL;
	int nfiles = 0;
	walk (hub.dir, &files, &nfiles);
	walk (dir, &files, &nfiles);
	for (int i = 0; i < nfiles; i++)
		for (size_t k = 0; k < nitems (pii); k++)
			hits += sec_file_count (files[i], pii[k], true);
	ok (hits > 0, "before the erase: %ld copies of her strings in %d files", hits, nfiles);
	for (int i = 0; i < nfiles; i++)
		free (files[i]);
	free (files);

	/* The erase, as root, while the hub runs. */
	cmd = xasprintf ("'%s/admin/despatch' -d '%s' erase customer 'zephyrine quixhartley' config='%s' 2>&1", top,
	    hub.database, conf);
	int erc = run (cmd, &out);
	is_int (erc, 0, "despatch erase customer:\n%s", out);
	free (cmd);
	ok (strstr (out, "file rewritten: ") && strstr (out, exfile), "it rewrote the events export");
	ok (strstr (out, manifest) != NULL, "and the manifest");
	ok (strstr (out, "backups taken before this erase still hold") && strstr (out, backups), "it names the backups");
	ok (strstr (out, "quixhartley.png") && strstr (out, "ask the carrier"), "and the proof-of-delivery image");
	ok (strstr (out, "row taken out of 1 kept file") != NULL, "it took her row out of the inbox's kept copy");
	ok (sec_file_count (copy, "E7000003,web,Orlanda Vexbury", false) == 1 && sec_file_count (copy, "E7000002", false) == 0,
	    "the other customer's order stays in the copy, hers is gone");

	/* Every file: none of her strings, outside the backups it named. */
	files = NULL;
	nfiles = 0;
	walk (hub.dir, &files, &nfiles);
	walk (dir, &files, &nfiles);
	int searched = 0, in_backup = 0;
	for (int i = 0; i < nfiles; i++) {
		bool backup = strncmp (files[i], backups, strlen (backups)) == 0;
		if (backup && strstr (out, files[i]) != NULL) {
			for (size_t k = 0; k < nitems (pii); k++)
				in_backup += sec_file_count (files[i], pii[k], true) > 0;
			continue;
		}
		searched++;
		for (size_t k = 0; k < nitems (pii); k++) {
			long n = sec_file_count (files[i], pii[k], true);
			if (n > 0)
				ok (0, "'%s' still in %s (%ld times)", pii[k], files[i], n);
		}
	}
	ok (searched >= 5, "%d files searched byte by byte (database, WAL, exports, outbox, log...)", searched);
	is_int (in_backup, (long) nitems (pii), "the backup the erase named still holds each of them (the search finds them)");
	char *wal = xasprintf ("%s-wal", hub.database);
	ok (access (wal, F_OK) != 0 || sec_file_count (wal, "Quixhartley", true) == 0, "the WAL holds none");
	free (out);
	out = NULL;

	/* The exports file: same file, same owner and mode, and the hub writes on. */
	struct stat after;
	stat (exfile, &after);
	ok (after.st_ino == before.st_ino && after.st_uid == before.st_uid && after.st_gid == before.st_gid
	        && (after.st_mode & 07777) == (before.st_mode & 07777),
	    "the exports file kept its inode, owner (%d:%d) and mode (%o)", (int) after.st_uid, (int) after.st_gid,
	    (unsigned) (after.st_mode & 07777));
	r = fl_expect (fl_scan (&t, "receive", "T1000002"), PROTO_OK, PR_OK, "", "another order received after the erase");
	proto_msg_destroy (&r);
	ok (wait_for (exfile, "\"order\":\"T1000002\""), "the hub appends its event to the same file");

	/* Kept for accounting. */
	char *kept = testlib_sql_text (hub.database, "SELECT customer_name || '|' || country || '|' || value_pence || '|'"
	    " || (SELECT tracking FROM parcels WHERE order_ref = 'E7000001') FROM orders WHERE ref = 'E7000001'");
	char *want = xasprintf ("(erased)|GB|6400|%s", tracking);
	is_str (kept, want, "the order stays: reference, country, value, tracking number");
	free (kept);
	free (want);
	r = fl_scan (&t, "enquiry", "E7000001", NULL);
	ok (r && testlib_status (r) == PROTO_OK && strstr (fl_data (r, "pod_signed_by"), "Quix") == NULL,
	    "an enquiry now: answered, no signer (%s)", r ? fl_data (r, "pod_signed_by") : "");
	proto_msg_destroy (&r);

	/* The hub cannot write its export: despatch status says so. */
	char *aside = xasprintf ("%s.aside", exfile);
	rename (exfile, aside);
	mkdir (exfile, 0755);
	r = fl_expect (fl_scan (&t, "receive", "W1000005"), PROTO_OK, PR_OK, "", "an order received while the export fails");
	proto_msg_destroy (&r);
	cmd = xasprintf ("'%s/admin/despatch' status -d '%s' --set hub.exports='%s' --set status.backup_max_age_h=0 2>&1",
	    top, hub.database, exports);
	int src = -1;
	for (int i = 0; i < 50; i++) {
		free (out);
		src = run (cmd, &out);
		if (strstr (out, "export failing"))
			break;
		usleep (100 * 1000);
	}
	ok (strstr (out, "events:    export failing") && strstr (out, "cannot write its events export") && src == 1,
	    "despatch status: the export failing, named, and needing attention (exit %d):\n%s", src, out);
	rmdir (exfile);
	rename (aside, exfile);
	for (int i = 0; i < 100; i++) {
		free (out);
		run (cmd, &out);
		if (strstr (out, "export failing") == NULL)
			break;
		usleep (100 * 1000);
	}
	ok (strstr (out, "export failing") == NULL && sec_file_count (exfile, "\"order\":\"W1000005\"", false) == 1,
	    "once it can write again: the event exported and status clear");
	free (out);
	free (cmd);

	client_destroy (&t.c);
	is_int (testlib_hub_stop (&hub), 0, "hub stops cleanly");
	for (int i = 0; i < nfiles; i++)
		free (files[i]);
	free (files);
	free (aside);
	free (wal);
	free (exfile);
	free (manifest);
	free (cage);
	free (track);
	free (csv);
	free (conf);
	free (exports);
	free (inbox);
	free (set_inbox);
	free (part);
	free (feed);
	free (copy);
	free (outbox);
	free (backups);
	free (set_exports);
	free (set_outbox);
	return tap_done ();
}
