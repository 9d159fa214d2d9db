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
 * are taken again, whole, when it starts again: what the killed run wrote
 * is taken back first, then each field is corrected once, one "corrected"
 * event each. A further correction with despatch import still changes the
 * fields, with one event more each.
 *
 * Then an import cut short is taken back from its undo records, which are
 * the hub database's: the hub killed (SIGKILL) while it writes a file
 * correcting the three and bringing 40,000 orders, an order of it changed
 * in its last row received by a terminal before the kill; at the restart
 * the take-back comes first and the file taken again is refused: nothing
 * of it is left (no order, no line, the fields as before, no "corrected"
 * event, no undo record), the log and the audit trail say so, and the
 * hub serves terminals. The same with despatch import killed and run
 * again on the file, the order received meanwhile. An order of a killed
 * import that the floor received stays, named in what the next despatch
 * import says and in the audit trail. Once the hub has checkpointed,
 * neither the database nor its WAL holds any order taken back.
 *
 * Last, despatch import killed while it writes a file correcting an
 * order not yet received (Chinese name and address) and a packed one's
 * label fields (Cyrillic), then both orders erased (despatch erase)
 * before the take-back: the undo records keep the records but no name or
 * address, old or new; the take-back leaves the erased orders as they
 * are, saying so; and after the checkpoint neither the database nor its
 * WAL holds any of those names or addresses.
 */
#include "config.h"
#include "tests/hub-print.h"
#include "util.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

static char *u_fields (void);

/* despatch import of path against the hub's database, in the background, its output into out; its pid. */
static pid_t
import_spawn (const char *path, const char *out)
{
	char *tool = xasprintf ("%s/admin/despatch", getenv ("top_builddir") ? getenv ("top_builddir") : ".");
	pid_t pid = fork ();
	if (pid == 0) {
		int fd = open (out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0) {
			dup2 (fd, 1);
			dup2 (fd, 2);
		}
		execl (tool, tool, "--database", hub.database, "import", path, (char *) NULL);
		_exit (127);
	}
	free (tool);
	return pid;
}

/* The same to its end (bounded: 120 s); its exit status, -1 if it had to be killed. */
static int
import_run (const char *path, const char *out)
{
	return testlib_child_wait (import_spawn (path, out), 120 * 1000);
}

static void
put_file (const char *path, const char *text, size_t n)
{
	FILE *f = fopen (path, "wb");
	fwrite (text, 1, n, f);
	fclose (f);
}

/* Where needle first is in the text at path, or -1. */
static long
offset_in (const char *path, const char *needle)
{
	size_t len;
	char *text = slurp (path, &len);
	const char *at = strstr (text, needle);
	long off = at ? (long) (at - text) : -1;
	free (text);
	return off;
}

/* The orders the hub's database holds undo records of for imports of source: one a record, but for a record of the
 * orders a slice made, which names each by its reference (8 characters here) and hash (16), each ended by a NUL. */
static long long
undo_rows (const char *source)
{
	return hp_sql_int (&hub, "SELECT coalesce (sum (CASE u.kind WHEN 5 THEN length (u.old) / 26 ELSE 1 END), 0)"
	    " FROM import_undo u JOIN import_runs r ON r.id = u.run WHERE r.source = '%s'", source);
}

/* The one-line order ref as hp_import takes it, quantity qty. */
static char *
r_file (const char *ref, int qty)
{
	return xasprintf (HP_CSV_HEAD "%s,web,Rae Dunn,2 Road,,Bath,BA1 1AA,GB,,,,standard,,5.00,1,SK-%s,Sock,Hosiery,%d,"
	    "HS-%s,50,5.00\n", ref, ref, qty, ref);
}

/* What the database holds before a file: to compare with after it is taken back. */
struct before {
	char *fields;
	long long orders, lines, events, last, corrected;
};

static void
before_take (struct before *b)
{
	b->fields = u_fields ();
	b->orders = hp_sql_int (&hub, "SELECT count(*) FROM orders");
	b->lines = hp_sql_int (&hub, "SELECT count(*) FROM order_lines");
	b->events = hp_sql_int (&hub, "SELECT count(*) FROM events");
	b->last = hp_sql_int (&hub, "SELECT max(id) FROM events");
	b->corrected = hp_sql_int (&hub, "SELECT count(*) FROM events WHERE action = 'corrected'");
}

/* Nothing of the file with orders PREFIX..., named source, that changed ref is left: b as it was, but for ref's
 * receive and one record of the take-back, of undone orders (and the hub's record of its file retention, which
 * runs at each start). */
static void
nothing_left (const struct before *b, const char *prefix, const char *source, const char *ref, long long undone)
{
	char *now = u_fields ();
	is_str (now, b->fields, "%s: the three orders' label fields are exactly as before the file", source);
	free (now);
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM events WHERE action = 'corrected'"), b->corrected,
	    "%s: no 'corrected' event of it", source);
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM orders WHERE ref LIKE '%s%%'", prefix), 0, "%s: none of its orders",
	    source);
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM order_lines WHERE order_ref LIKE '%s%%'", prefix), 0,
	    "%s: nor their lines", source);
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM orders"), b->orders, "%s: as many orders as before", source);
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM order_lines"), b->lines, "%s: and lines", source);
	is_int (hp_sql_int (&hub, "SELECT quantity FROM order_lines WHERE order_ref = '%s'", ref), 1, "%s: %s as despatch "
	    "has it", source, ref);
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM imports WHERE source = '%s'", source), 0, "%s: no import recorded",
	    source);
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM events WHERE id <= %lld", b->last), b->events,
	    "%s: every event that was there before is there", source);
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM events WHERE id > %lld AND order_ref IS NOT '%s'"
	    " AND NOT (action = 'import-taken-back' AND operator = 'system' AND code = '%s' AND detail LIKE"
	    " '%lld orders written before the import was cut short (process %% stopped) taken back')"
	    " AND NOT (action = 'retention' AND operator = 'system')", b->last, ref, source, undone), 0,
	    "%s: none since but %s's receive, the take-back's record (and a start's file retention)", source, ref);
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM events WHERE id > %lld AND action = 'import-taken-back'"
	    " AND code = '%s'", b->last, source), 1, "%s: the take-back recorded once in the audit trail", source);
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM import_undo"), 0, "%s: no undo record left", source);
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM import_runs"), 0, "%s: no run left", source);
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

	/* 4. Killed while it writes, then refused when taken again. */
	diag ("a file correcting the three and bringing %d orders: the hub killed while it writes it, refused when "
	    "taken again", NBIG);
	char *r2 = r_file ("R0000002", 1);
	ok (hp_import (&hub, "r2.csv", r2) == 0, "R0000002 is imported");
	free (r2);
	struct fl_term desk = { 0 };
	fl_term_open (&desk, hub.endpoint, "desk-4", "bench-1", "B2001", "2222");
	struct before b4;
	before_take (&b4);
	t = big_file (fixed, fixed_addr, "Z", "R0000002,web,Rae Dunn,2 Road,,Bath,BA1 1AA,GB,,,,standard,,5.00,1,"
	    "SK-R0000002,Sock,Hosiery,7,HS-R0000002,50,5.00\n", &len);
	drop ("kill2.csv", t, len);
	free (t);
	char *sql = xasprintf ("SELECT count(*) FROM events WHERE action = 'corrected' AND id > %lld", b4.last);
	ok (wait_count (sql, 3), "its first slice corrects the three");
	free (sql);
	fl_check (fl_scan (&desk, "receive", "R0000002", NULL), PROTO_OK, PR_OK, NULL,
	    "despatch receives R0000002 while the file is written");
	testlib_hub_kill (&hub);
	client_destroy (&desk.c);
	part = hp_sql_int (&hub, "SELECT count(*) FROM orders WHERE ref LIKE 'Z%%'");
	ok (part > 0 && part < NBIG, "then the hub is killed with %lld of its %d orders written", part, NBIG);
	epath = xasprintf ("%s/failed/kill2.csv.errors", inbox);
	rpath = xasprintf ("%s/done/kill2.csv.record", inbox);
	struct stat sb;
	ok (stat (epath, &sb) != 0 && stat (rpath, &sb) != 0, "before it refused or finished the file");
	is_int (undo_rows ("kill2.csv"), part + 3, "undo records of each order it wrote are in the database (%lld)",
	    part + 3);
	ok (testlib_hub_restart (&hub) == 0, "the hub starts again");
	ok (wait_file (epath), "the file taken again is refused");
	errors = slurp (epath, &elen);
	snprintf (want, sizeof want, "line %d: R0000002 has changed, but despatch already has it (received): the change is "
	    "refused. Tell despatch", NBIG + 5);
	ok (strstr (errors, want) != NULL, "the refusal names the row: %.300s", errors);
	free (errors);
	ok (stat (rpath, &sb) != 0, "and no record of it as done");
	free (epath);
	free (rpath);
	nothing_left (&b4, "Z", "kill2.csv", "R0000002", part + 3);
	char *logpath = xasprintf ("%s/hub.log", hub.dir);
	char *said = xasprintf ("what it wrote before it was cut short was taken back (%lld orders, 0 kept)", part + 3);
	long cut = offset_in (logpath, "import kill2.csv: cut short while it was written (process ");
	long back = offset_in (logpath, said);
	long retake = -1;
	{
		/* the file taken again: the second "taking it" of kill2.csv */
		size_t loglen;
		char *log = slurp (logpath, &loglen);
		const char *first = strstr (log, "inbox kill2.csv: taking it");
		const char *second = first ? strstr (first + 1, "inbox kill2.csv: taking it") : NULL;
		retake = second ? (long) (second - log) : -1;
		free (log);
	}
	ok (cut >= 0 && back > cut, "the log says the import was cut short and what it wrote taken back (%s)", said);
	ok (retake > back, "before the file is taken again");
	ok (log_has ("inbox kill2.csv: refused, nothing imported"), "and then that the file is refused");
	free (said);
	struct fl_term desk2 = { 0 };
	fl_term_open (&desk2, hub.endpoint, "desk-5", "bench-1", "B2001", "2222");
	char *s1 = r_file ("S0000001", 1);
	ok (hp_import (&hub, "s1.csv", s1) == 0, "another file is imported");
	free (s1);
	fl_check (fl_scan (&desk2, "receive", "S0000001", NULL), PROTO_OK, PR_OK, NULL,
	    "and the hub serves terminals: its order is received");

	/* 5. despatch import killed while it writes, then run again. */
	diag ("despatch import killed while it writes the same kind of file, an order of it received, then run again");
	char *r3 = r_file ("R0000003", 1);
	ok (hp_import (&hub, "r3.csv", r3) == 0, "R0000003 is imported");
	free (r3);
	struct before b5;
	before_take (&b5);
	t = big_file (fixed, fixed_addr, "D", "R0000003,web,Rae Dunn,2 Road,,Bath,BA1 1AA,GB,,,,standard,,5.00,1,"
	    "SK-R0000003,Sock,Hosiery,7,HS-R0000003,50,5.00\n", &len);
	char *dpath = xasprintf ("%s/d.csv", hub.dir);
	char *out1 = xasprintf ("%s/d-1.out", hub.dir), *out2 = xasprintf ("%s/d-2.out", hub.dir);
	put_file (dpath, t, len);
	free (t);
	pid_t tool = import_spawn (dpath, out1);
	sql = xasprintf ("SELECT count(*) FROM events WHERE action = 'corrected' AND id > %lld", b5.last);
	bool begun = wait_count (sql, 3);
	free (sql);
	kill (tool, SIGKILL);
	int status = 0;
	waitpid (tool, &status, 0);
	ok (begun && WIFSIGNALED (status), "its first slices are written, then it is killed");
	part = hp_sql_int (&hub, "SELECT count(*) FROM orders WHERE ref LIKE 'D%%'");
	ok (part > 0 && part < NBIG, "with %lld of its %d orders written", part, NBIG);
	is_int (undo_rows ("d.csv"), part + 3, "undo records of each are in the database");
	fl_check (fl_scan (&desk2, "receive", "R0000003", NULL), PROTO_OK, PR_OK, NULL,
	    "then despatch receives R0000003, which the file changes in its last row");
	is_int (import_run (dpath, out2), 1, "despatch import run again on the file refuses it");
	char *said1 = xasprintf ("d.csv: an import of it was cut short while it was written (process %d stopped): taking "
	    "back what it wrote", (int) tool);
	char *said2 = xasprintf ("d.csv: %lld orders written before it was cut short were taken back\n", part + 3);
	snprintf (want, sizeof want, "d.csv: line %d: R0000003 has changed, but despatch already has it (received): the "
	    "change is refused", NBIG + 5);
	long o1 = offset_in (out2, said1), o2 = offset_in (out2, said2), o3 = offset_in (out2, want);
	long o4 = offset_in (out2, "d.csv: nothing imported");
	char *out2text = slurp (out2, &elen);
	ok (o1 >= 0 && o2 > o1 && o3 > o2 && o4 > o3, "it says what it took back, then why the file is refused: %.600s",
	    out2text);
	free (out2text);
	free (said1);
	free (said2);
	nothing_left (&b5, "D", "d.csv", "R0000003", part + 3);

	/* 6. An order the floor began after the kill stays, named. */
	diag ("despatch import killed while it writes, an order of it received, then another file imported");
	t = big_file (fixed2, fixed_addr, "E", NULL, &len); /* the three as they are: unchanged */
	char *epath2 = xasprintf ("%s/e.csv", hub.dir);
	char *out3 = xasprintf ("%s/e-1.out", hub.dir), *out4 = xasprintf ("%s/e-2.out", hub.dir);
	put_file (epath2, t, len);
	free (t);
	long long last6 = hp_sql_int (&hub, "SELECT max(id) FROM events");
	tool = import_spawn (epath2, out3);
	begun = wait_count ("SELECT count(*) FROM orders WHERE ref = 'E0000001'", 1);
	kill (tool, SIGKILL);
	waitpid (tool, &status, 0);
	ok (begun && WIFSIGNALED (status), "its first slice is written, then it is killed");
	part = hp_sql_int (&hub, "SELECT count(*) FROM orders WHERE ref LIKE 'E%%'");
	ok (part > 1 && part < NBIG, "with %lld of its %d orders written", part, NBIG);
	fl_check (fl_scan (&desk2, "receive", "E0000001", NULL), PROTO_OK, PR_OK, NULL, "then despatch receives E0000001");
	char *s2 = r_file ("S0000002", 1);
	char *s2path = xasprintf ("%s/s2.csv", hub.dir);
	put_file (s2path, s2, strlen (s2));
	free (s2);
	is_int (import_run (s2path, out4), 0, "despatch import of another file");
	char *out4text = slurp (out4, &elen);
	snprintf (want, sizeof want, "e.csv: %lld orders written before it was cut short were taken back (those named "
	    "above stay)", part - 1);
	ok (strstr (out4text, "e.csv: E0000001 stays as this file wrote it: despatch began it before the file could be "
	        "taken back") && strstr (out4text, want) && strstr (out4text, "s2.csv: imported 1 orders"),
	    "first takes back the killed one's, naming the order kept: %.600s", out4text);
	free (out4text);
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM orders WHERE ref LIKE 'E%%'"), 1, "of its orders only E0000001 is left");
	char *st = hp_sql_text (&hub, "SELECT status FROM orders WHERE ref = 'E0000001'");
	is_str (st, "received", "as despatch has it");
	free (st);
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM events WHERE id > %lld AND action = 'import-taken-back'"
	    " AND code = 'e.csv' AND detail LIKE '%% taken back; kept, as despatch began them: E0000001'", last6), 1,
	    "the audit trail records the take-back and names it");
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM import_undo"), 0, "no undo record left");
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM import_runs"), 0, "no run left");
	fl_check (fl_scan (&desk2, "receive", "S0000002", NULL), PROTO_OK, PR_OK, NULL, "the other file's order is received");

	/* 7. The erase of a customer while an import of a correction of the order is unfinished. */
	diag ("an erase of two orders a killed import corrected, before it is taken back");
	static const char *const v_name = "张伟明", *const v_addr = "朝阳区建国路88号", *const v_new = "張偉明",
	    *const v_new_addr = "海淀区中关村大街1号";
	char *v1 = xasprintf (HP_CSV_HEAD "V0001,web,%s,%s,,Leeds,LS1 4AP,GB,,,,standard,,5.00,1,SK-V-1,Tea,Grocery,1,"
	    "BIN-V-1,50,5.00\n", v_name, v_addr);
	ok (hp_import (&hub, "v1.csv", v1) == 0, "an order for %s, not yet received", v_name);
	free (v1);
	char *was_u2 = hp_sql_text (&hub, "SELECT customer_name || '|' || address1 FROM orders WHERE ref = 'U0002'");
	is_str (was_u2, "А. В. Кузнецова|5 Bolshaya Morskaya", "U0002 (packed) as the hub has it");
	free (was_u2);
	char *vrow = xasprintf ("V0001,web,%s,%s,,Leeds,LS1 4AP,GB,,,,standard,,5.00,1,SK-V-1,Tea,Grocery,1,BIN-V-1,50,"
	    "5.00\n", v_new, v_new_addr);
	const char *u2new[3] = { fixed2[0], "Александра Кузнецова-Орлова", fixed2[2] };
	const char *u2addr[3] = { fixed_addr[0], "Nevsky Prospekt 28", fixed_addr[2] };
	t = big_file (u2new, u2addr, "Y", NULL, &len);
	/* V0001's correction first, before the three */
	char *head_end = strchr (t, '\n') + 1;
	char *vt = xasprintf ("%.*s%s%s", (int) (head_end - t), t, vrow, head_end);
	free (t);
	free (vrow);
	char *ypath = xasprintf ("%s/y.csv", hub.dir), *out5 = xasprintf ("%s/y-1.out", hub.dir);
	put_file (ypath, vt, strlen (vt));
	free (vt);
	long long last7 = hp_sql_int (&hub, "SELECT max(id) FROM events");
	tool = import_spawn (ypath, out5);
	sql = xasprintf ("SELECT count(*) FROM events WHERE action = 'corrected' AND order_ref = 'U0002' AND id > %lld",
	    last7);
	begun = wait_count (sql, 1);
	free (sql);
	kill (tool, SIGKILL);
	waitpid (tool, &status, 0);
	ok (begun && WIFSIGNALED (status), "its first slice corrects V0001 and U0002, then it is killed");
	char *now7 = hp_sql_text (&hub, "SELECT group_concat (customer_name || '|' || address1, ';') FROM orders WHERE ref"
	    " IN ('U0002', 'V0001') ORDER BY ref");
	diag ("as the killed import left them: %s", now7);
	free (now7);
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM import_undo WHERE ref IN ('U0002', 'V0001') AND instr (old,"
	    " CAST ('%s' AS BLOB)) > 0", v_name) + hp_sql_int (&hub, "SELECT count(*) FROM import_undo WHERE ref ="
	    " 'U0002' AND instr (old, CAST ('А. В. Кузнецова' AS BLOB)) > 0"), 2,
	    "its undo records hold the names the orders had");
	const char *top = getenv ("top_builddir") ? getenv ("top_builddir") : ".";
	for (int i = 0; i < 2; i++) {
		char *cmd = xasprintf ("'%s/admin/despatch' --database '%s' erase order %s >>'%s/erase.log' 2>&1", top,
		    hub.database, i ? "U0002" : "V0001", hub.dir);
		is_int (system (cmd), 0, "despatch erase order %s", i ? "U0002" : "V0001");
		free (cmd);
	}
	const char *olds[] = { v_name, v_addr, v_new, v_new_addr, "А. В. Кузнецова", "5 Bolshaya Morskaya",
		"Александра Кузнецова-Орлова", "Nevsky Prospekt 28" };
	int in_undo = 0;
	for (size_t i = 0; i < nitems (olds); i++)
		in_undo += (int) hp_sql_int (&hub, "SELECT count(*) FROM import_undo WHERE instr (old, CAST ('%s' AS BLOB)) > 0",
		    olds[i]);
	is_int (in_undo, 0, "no undo record holds the customers' names or addresses, old or new");
	{
		/* despatch erase ends with VACUUM and wal_checkpoint(TRUNCATE): the files as bytes, now. */
		char *walp = xasprintf ("%s-wal", hub.database);
		size_t wl, dl;
		char *wb = slurp (walp, &wl), *db = slurp (hub.database, &dl);
		int found = 0;
		for (size_t i = 0; i < nitems (olds); i++)
			if (holds (wb, wl, olds[i]) || holds (db, dl, olds[i])) {
				diag ("still there: %s", olds[i]);
				found++;
			}
		is_int (found, 0, "nor does the database file (%zu bytes) or its WAL (%zu bytes) after the erase", dl, wl);
		free (wb);
		free (db);
		free (walp);
	}
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM import_undo WHERE ref IN ('U0002', 'V0001')"), 2,
	    "the records are there still, for the take-back");
	char *z = xasprintf ("%s/z.csv", hub.dir), *out6 = xasprintf ("%s/z-1.out", hub.dir);
	char *z1 = r_file ("S0000003", 1);
	put_file (z, z1, strlen (z1));
	free (z1);
	is_int (import_run (z, out6), 0, "despatch import of another file takes the killed one back first");
	char *out6text = slurp (out6, &elen);
	ok (strstr (out6text, "y.csv: V0001 stays as it is: its customer's personal data was erased after this file "
	        "wrote it") && strstr (out6text, "y.csv: U0002 stays as it is"),
	    "saying the erased orders stay as they are: %.600s", out6text);
	free (out6text);
	for (int i = 0; i < 2; i++) {
		char *got = hp_sql_text (&hub, "SELECT customer_name || '|' || address1 || '|' || town || '|' || postcode FROM"
		    " orders WHERE ref = '%s'", i ? "U0002" : "V0001");
		is_str (got, "(erased)|||", "%s stays erased", i ? "U0002" : "V0001");
		free (got);
	}
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM orders WHERE ref LIKE 'Y%%'"), 0, "none of the killed file's orders");
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM import_undo"), 0, "no undo record left");

	/* After the hub's checkpoint, nothing of what was taken back is in the database or its WAL. */
	is_int (testlib_hub_stop (&hub), 0, "hub stops cleanly (a checkpoint)");
	wal = xasprintf ("%s-wal", hub.database);
	wbytes = slurp (wal, &wlen);
	dbytes = slurp (hub.database, &dlen);
	left = false;
	const char *gone[] = { "Z0000001", "Z0020000", "Z0040000", "D0000001", "D0020000", "D0040000", "E0000002",
		"E0020000", "E0040000", "Y0000001", "Y0040000", olds[0], olds[1], olds[2], olds[3], olds[4], olds[5], olds[6],
		olds[7] };
	for (size_t i = 0; i < nitems (gone); i++)
		if (holds (wbytes, wlen, gone[i]) || holds (dbytes, dlen, gone[i])) {
			diag ("left: %s", gone[i]);
			left = true;
		}
	ok (dlen > 0 && !left, "neither the database (%zu bytes) nor the WAL (%zu bytes) holds an order taken back nor "
	    "an erased customer's name or address", dlen, wlen);
	free (wbytes);
	free (dbytes);
	free (wal);
	client_destroy (&desk2.c);
	free (logpath);
	free (dpath);
	free (out1);
	free (out2);
	free (epath2);
	free (out3);
	free (out4);
	free (s2path);
	free (ypath);
	free (out5);
	free (z);
	free (out6);
	free (b4.fields);
	free (b5.fields);
	free (before);
	free (server);
	free (set_inbox);
	client_destroy (&packer.c);
	return tap_done ();
}
