/*
 * test-hub-undrawn-undo.c: a correction of an undrawn order's label fields
 * inside a file the hub takes from its inbox, when the file is refused
 * while it is written and when the hub is killed while it writes it.
 *
 * Three received orders, for recipients whose names (Greek, Cyrillic,
 * Arabic) are longer than the Royal Mail label's name box, are packed and
 * their labels refused as they cannot be drawn. A big file then corrects
 * their names and addresses in its first rows, brings 40,000 new orders,
 * and changes in its last row an order that despatch receives once the
 * file is being written: the file is refused there, at its last row, and
 * everything it wrote is taken back: the three orders' fields exactly as
 * before, no "corrected" event, none of its orders or lines, no import
 * recorded, no scratch store left open, and, once the hub's checkpoint
 * has run, nothing of it in the database or its WAL read as bytes.
 * The same corrections in a file the hub is killed (SIGKILL) while writing
 * are taken again, whole, when it starts again: each field corrected once,
 * one "corrected" event each. A further correction with despatch import
 * still changes the fields, with one event more each.
 */
#include "config.h"
#include "tests/hub-print.h"
#include "util.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#define NBIG 40000

/* The names as the orders come in (each longer than the 35 characters the name box takes), and as they are put
 * right at their source. */
static const char *const names[3] = {
	"Αικατερίνη-Ευαγγελία Παπαδοπούλου-Χατζηγεωργίου",
	"Александра Владимировна Кузнецова-Преображенская",
	"فاطمة الزهراء بنت عبد الرحمن الهاشمي القرشي",
};
static const char *const fixed[3] = { "Αικατερίνη Παπαδοπούλου", "Александра Кузнецова", "فاطمة الهاشمي" };
static const char *const fixed2[3] = { "Κ. Παπαδοπούλου", "А. В. Кузнецова", "ف. الهاشمي" };
static const char *const addresses[3] = {
	"Flat 4, 17 Leofóros Vasilíssis Sofías", "Kvartira 12, dom 5, ulitsa Bolshaya Morskaya",
	"Apartment 9, Al Wasl Tower, Sheikh Zayed Road",
};
static const char *const fixed_addr[3] = { "Vasilíssis Sofías 17, Kolonaki", "5 Bolshaya Morskaya",
	"Al Wasl Tower, Sheikh Zayed Rd" };

static struct testlib_hub hub;
static char inbox[300];

/* Order U000n of hp_ready's shape (BIN-U-n, SKU-U-n), for name at address. */
static char *
u_row (int n, const char *name, const char *address)
{
	return xasprintf ("U%04d,web,\"%s\",\"%s\",Chapel Allerton,Leeds,LS7 3AB,GB,0113 496 0%03d,,,standard,,20.00,1,"
	    "SKU-U-%d,Cotton towel,Home,1,BIN-U-%d,400,20.00\n", n, name, address, n, n, n);
}

/* The three corrections first, then NBIG new orders PREFIX0000001.., then tail; caller frees, length in *len. */
static char *
big_file (const char *const *to, const char *const *addr, const char *prefix, const char *tail, size_t *len)
{
	size_t cap = (size_t) NBIG * 200 + 4096;
	char *t = xmalloc (cap);
	size_t k = (size_t) snprintf (t, cap, "%s", HP_CSV_HEAD);
	for (int i = 0; i < 3; i++) {
		char *row = u_row (i + 1, to[i], addr[i]);
		k += (size_t) snprintf (t + k, cap - k, "%s", row);
		free (row);
	}
	for (int i = 1; i <= NBIG; i++)
		k += (size_t) snprintf (t + k, cap - k, "%s%07d,web,Customer %d,%d High Street,,London,SW1A 1AA,GB,,,,standard,,"
		    "25.00,1,SKU-%d,Item,Dept %d,1,LOC-%d,500,25.00\n", prefix, i, i, i, i % 5000, i % 40, i % 900);
	k += (size_t) snprintf (t + k, cap - k, "%s", tail ? tail : "");
	*len = k;
	return t;
}

/* Drop a file into the inbox under a name it ignores, then rename it: the hub never sees half of it. */
static void
drop (const char *name, const char *text, size_t n)
{
	char *tmp = xasprintf ("%s/.part-%d", inbox, (int) getpid ());
	char *final = xasprintf ("%s/%s", inbox, name);
	FILE *f = fopen (tmp, "wb");
	fwrite (text, 1, n, f);
	fclose (f);
	rename (tmp, final);
	free (tmp);
	free (final);
}

static char *
slurp (const char *path, size_t *len)
{
	FILE *f = fopen (path, "rb");
	if (f == NULL) {
		*len = 0;
		return xstrdup ("");
	}
	fseek (f, 0, SEEK_END);
	long size = ftell (f);
	rewind (f);
	char *buf = xmalloc ((size_t) size + 1);
	*len = fread (buf, 1, (size_t) size, f);
	buf[*len] = '\0';
	fclose (f);
	return buf;
}

static bool
holds (const char *buf, size_t len, const char *needle)
{
	size_t n = strlen (needle);
	for (size_t i = 0; i + n <= len; i++)
		if (memcmp (buf + i, needle, n) == 0)
			return true;
	return false;
}

static bool
log_has (const char *needle)
{
	char *path = xasprintf ("%s/hub.log", hub.dir);
	size_t len;
	char *log = slurp (path, &len);
	bool has = strstr (log, needle) != NULL;
	free (log);
	free (path);
	return has;
}

/* Wait (bounded: 60 s) for path to exist. */
static bool
wait_file (const char *path)
{
	struct stat sb;
	for (int i = 0; i < 600; i++) {
		if (stat (path, &sb) == 0)
			return true;
		usleep (100000);
	}
	return false;
}

/* Wait (bounded: 60 s) until the hub's database counts want for sql. */
static bool
wait_count (const char *sql, long long want)
{
	for (int i = 0; i < 6000; i++) {
		if (testlib_sql_int (hub.database, sql) == want)
			return true;
		usleep (10000);
	}
	return false;
}

/* Files the hub holds open that are gone from their folder: SQLite's temporary files, the scratch store's among
 * them (its inbox file is unlinked only once it is done with). */
static int
hub_deleted_fds (void)
{
	char *fds = xasprintf ("/proc/%d/fd", (int) hub.pid);
	DIR *d = opendir (fds);
	struct dirent *e;
	int n = 0;
	while (d && (e = readdir (d)) != NULL) {
		char *p = xasprintf ("%s/%s", fds, e->d_name), target[600];
		ssize_t got = readlink (p, target, sizeof target - 1);
		free (p);
		if (got > 0) {
			target[got] = '\0';
			n += strstr (target, " (deleted)") != NULL && strstr (target, "etilqs_") != NULL;
		}
	}
	if (d)
		closedir (d);
	free (fds);
	return n;
}

/* The label fields of U0001..U0003, one line each. */
static char *
u_fields (void)
{
	return testlib_sql_text (hub.database, "SELECT group_concat (ref || '|' || customer_name || '|' || address1 || '|'"
	    " || coalesce (address2, '') || '|' || coalesce (address3, '') || '|' || town || '|' || postcode || '|'"
	    " || coalesce (phone, '') || '|' || content_hash, char(10)) FROM (SELECT * FROM orders WHERE ref LIKE 'U000%'"
	    " ORDER BY ref)");
}

int
main (void)
{
	char *server = hp_begin ();
	if (server == NULL)
		return tap_done ();
	char dir[256];
	testlib_tmpdir (dir, sizeof dir);
	snprintf (inbox, sizeof inbox, "%s/inbox", dir);
	char *set_inbox = xasprintf ("hub.inbox=%s", inbox);
	const char *extra[] = { server, "printer.bench-1.label=label", set_inbox, NULL };
	if (!ok (testlib_hub_start (&hub, extra) == 0, "hub starts with the bench's label printer and an inbox"))
		return tap_done ();

	char *csv = xstrdup (HP_CSV_HEAD);
	for (int i = 0; i < 3; i++) {
		char *row = u_row (i + 1, names[i], addresses[i]);
		char *both = xasprintf ("%s%s", csv, row);
		free (csv);
		free (row);
		csv = both;
	}
	char *all = xasprintf ("%sR0000001,web,Rae Dunn,1 Road,,Bath,BA1 1AA,GB,,,,standard,,5.00,1,SK-R-1,Sock,Hosiery,1,"
	    "HS-R-1,50,5.00\n", csv);
	free (csv);
	ok (hp_import (&hub, "orders.csv", all) == 0, "three orders for names longer than the label's box, and R0000001");
	free (all);
	struct fl_term packer = { 0 };
	fl_term_open (&packer, hub.endpoint, "bench-1-term", "bench-1", "B2001", "2222");
	for (int i = 1; i <= 3; i++) {
		char ref[16];
		snprintf (ref, sizeof ref, "U%04d", i);
		ok (hp_ready (&packer, "U", i) == 0, "%s received and located", ref);
		proto_msg_t *r = hp_pack (&packer, ref);
		char what[48];
		snprintf (what, sizeof what, "%s: its label is refused", ref);
		fl_expect (r, PROTO_REFUSED, PR_BAD_DATA, "NOT labelled", what);
		proto_msg_destroy (&r);
	}
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM events WHERE action = 'label-refused' AND order_ref LIKE 'U000%%'"
	    " AND detail LIKE '%%cannot be drawn%%'"), 3, "three labels refused as they cannot be drawn");
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM parcels WHERE order_ref LIKE 'U000%%' AND status = 'packed'"
	    " AND labelled_at IS NULL"), 3, "their parcels stay packed, unlabelled");
	char *before = u_fields ();
	long long orders0 = hp_sql_int (&hub, "SELECT count(*) FROM orders");
	long long lines0 = hp_sql_int (&hub, "SELECT count(*) FROM order_lines");
	long long events0 = hp_sql_int (&hub, "SELECT count(*) FROM events");
	long long last0 = hp_sql_int (&hub, "SELECT max(id) FROM events");

	/* 1. Refused while it is written: R0000001 changed in the last row, received once the file is written. */
	diag ("a file correcting the three, refused at its last row while it is written");
	size_t len;
	char *t = big_file (fixed, fixed_addr, "W", "R0000001,web,Rae Dunn,1 Road,,Bath,BA1 1AA,GB,,,,standard,,5.00,1,"
	    "SK-R-1,Sock,Hosiery,7,HS-R-1,50,5.00\n", &len);
	drop ("race.csv", t, len);
	free (t);
	ok (wait_count ("SELECT count(*) FROM events WHERE action = 'corrected' AND order_ref LIKE 'U000%'", 3),
	    "its first slice corrects the three (one 'corrected' event each)");
	char *mid = u_fields ();
	ok (strstr (mid, fixed[0]) && strstr (mid, fixed[1]) && strstr (mid, fixed[2]) && strstr (mid, fixed_addr[0])
	        && strstr (mid, fixed_addr[1]) && strstr (mid, fixed_addr[2]),
	    "the corrected names and addresses are in the hub while the file is written");
	free (mid);
	int open_mid = hub_deleted_fds ();
	ok (open_mid > 0, "the import's scratch store is open meanwhile (%d temporary files)", open_mid);
	ok (log_has ("inbox race.csv: writing"), "the hub is writing the file");
	ok (!log_has ("inbox race.csv: refused"), "and has not refused it yet");
	fl_check (fl_scan (&packer, "receive", "R0000001", NULL), PROTO_OK, PR_OK, NULL, "then despatch receives R0000001");
	char *epath = xasprintf ("%s/failed/race.csv.errors", inbox);
	ok (wait_file (epath), "the file is refused");
	size_t elen;
	char *errors = slurp (epath, &elen);
	char want[200];
	snprintf (want, sizeof want, "line %d: R0000001 has changed, but despatch already has it (received), since the "
	    "file was checked: the change is refused. Tell despatch", NBIG + 5);
	ok (strstr (errors, want) != NULL, "the refusal names the row and what to do: %.300s", errors);
	free (errors);
	free (epath);
	char *after = u_fields ();
	is_str (after, before, "the three orders' label fields are exactly as before the file");
	free (after);
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM events WHERE action = 'corrected'"), 0, "no 'corrected' event");
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM orders WHERE ref LIKE 'W00%%'"), 0, "none of its orders");
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM order_lines WHERE order_ref LIKE 'W00%%'"), 0, "nor their lines");
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM orders"), orders0, "as many orders as before");
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM order_lines"), lines0, "and lines");
	is_int (hp_sql_int (&hub, "SELECT quantity FROM order_lines WHERE order_ref = 'R0000001'"), 1,
	    "R0000001 as despatch has it");
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM imports WHERE source = 'race.csv'"), 0, "no import recorded");
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM events WHERE id <= %lld", last0), events0,
	    "every event that was there before is there");
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM events WHERE id > %lld AND order_ref IS NOT 'R0000001'", last0), 0,
	    "and none since but R0000001's receive");
	ok (log_has ("what it wrote was taken back"), "the log says it was taken back");
	int open_after = hub_deleted_fds ();
	is_int (open_after, 0, "no scratch store is left open");
	/* Until a checkpoint the WAL keeps the pages the file's slices wrote, as SQLite's WAL does: the hub's own
	 * checkpoint as it stops takes the pages as they are now into the database. Then neither the database nor
	 * the WAL, as bytes, holds anything of the refused file. */
	is_int (testlib_hub_stop (&hub), 0, "the hub stops (a checkpoint)");
	char *wal = xasprintf ("%s-wal", hub.database);
	size_t wlen, dlen;
	char *wbytes = slurp (wal, &wlen), *dbytes = slurp (hub.database, &dlen);
	bool left = false;
	const char *marks[] = { "W0000001", "W0020000", "W0040000", fixed[0], fixed[1], fixed[2], fixed_addr[0],
		fixed_addr[1], fixed_addr[2] };
	for (size_t i = 0; i < nitems (marks); i++)
		if (holds (wbytes, wlen, marks[i]) || holds (dbytes, dlen, marks[i])) {
			diag ("left: %s", marks[i]);
			left = true;
		}
	ok (dlen > 0 && !left, "neither the database (%zu bytes) nor the WAL (%zu bytes) holds its orders or corrections",
	    dlen, wlen);
	free (wbytes);
	free (dbytes);
	free (wal);
	ok (testlib_hub_restart (&hub) == 0, "the hub starts again");

	/* 2. Killed while it writes: taken again whole at the next start. */
	diag ("the same corrections in a file the hub is killed while writing");
	t = big_file (fixed, fixed_addr, "K", NULL, &len);
	drop ("kill.csv", t, len);
	free (t);
	ok (wait_count ("SELECT count(*) FROM events WHERE action = 'corrected' AND order_ref LIKE 'U000%'", 3),
	    "its first slice corrects the three");
	testlib_hub_kill (&hub);
	long long part = hp_sql_int (&hub, "SELECT count(*) FROM orders WHERE ref LIKE 'K00%%'");
	ok (part < NBIG, "killed with %lld of its %d orders written", part, NBIG);
	ok (testlib_hub_restart (&hub) == 0, "the hub starts again");
	char *rpath = xasprintf ("%s/done/kill.csv.record", inbox);
	ok (wait_file (rpath), "the file is taken again");
	free (rpath);
	for (int i = 0; i < 3; i++) {
		char *name = hp_sql_text (&hub, "SELECT customer_name || '|' || address1 FROM orders WHERE ref = 'U%04d'", i + 1);
		char *want2 = xasprintf ("%s|%s", fixed[i], fixed_addr[i]);
		is_str (name, want2, "U%04d corrected", i + 1);
		free (want2);
		free (name);
	}
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM events WHERE action = 'corrected' AND order_ref LIKE 'U000%%'"
	    " AND detail = 'customer_name, address_1'"), 3, "once each, the event naming the fields");
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM orders WHERE ref LIKE 'K00%%'"), NBIG, "every order of it once");
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM order_lines WHERE order_ref LIKE 'K00%%'"), NBIG, "with its line");
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM imports WHERE source = 'kill.csv'"), 1, "one import recorded");
	is_int (hub_deleted_fds (), 0, "no scratch store is left open");

	/* 3. A correction that is taken. */
	diag ("a correction taken with despatch import");
	csv = xstrdup (HP_CSV_HEAD);
	for (int i = 0; i < 3; i++) {
		char *row = u_row (i + 1, fixed2[i], fixed_addr[i]);
		char *both = xasprintf ("%s%s", csv, row);
		free (csv);
		free (row);
		csv = both;
	}
	ok (hp_import (&hub, "orders-fixed.csv", csv) == 0, "another correction of the three names is imported");
	free (csv);
	for (int i = 0; i < 3; i++) {
		char *name = hp_sql_text (&hub, "SELECT customer_name FROM orders WHERE ref = 'U%04d'", i + 1);
		is_str (name, fixed2[i], "U%04d has its name", i + 1);
		free (name);
		is_int (hp_sql_int (&hub, "SELECT count(*) FROM events WHERE action = 'corrected' AND order_ref = 'U%04d'"
		    " AND detail = 'customer_name' AND code = 'orders-fixed.csv'", i + 1), 1, "one 'corrected' event for it");
	}
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM parcels WHERE order_ref LIKE 'U000%%' AND status = 'packed'"
	    " AND labelled_at IS NULL"), 3, "the parcels stay packed");

	is_int (testlib_hub_stop (&hub), 0, "hub stops cleanly");
	free (before);
	free (server);
	free (set_inbox);
	client_destroy (&packer.c);
	return tap_done ();
}
