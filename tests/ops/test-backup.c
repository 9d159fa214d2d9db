/*
 * test-backup.c: a backup of a live hub, keys included, brought back on a
 * machine that lost its disk. A real hub with CURVE serves a terminal that
 * keeps scanning while despatch backup copies the database and the key
 * folder: the copy is one file (no -wal, no -shm, no .part left), passes
 * its integrity check, and the keys come with every file's bytes and mode.
 * despatch restore refuses while the hub runs and refuses a damaged
 * backup, changing nothing; with the database and keys gone, it brings
 * them back, and the hub started on them serves the same orders and
 * accepts the same terminals by their keys, and not one enrolled after the
 * backup. The timer's despatch-backup makes the same backups and keeps
 * the newest backup.keep.
 */
#include "config.h"
#include "tests/flow/flowlib.h"
#include "util.h"

#include <czmq.h>
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/wait.h>

static struct testlib_hub hub;
static char scratch[256];

static int sh (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

static int
sh (const char *fmt, ...)
{
	va_list ap;
	va_start (ap, fmt);
	char *cmd = xvasprintf (fmt, ap);
	va_end (ap);
	int rc = system (cmd);
	free (cmd);
	return WIFEXITED (rc) ? WEXITSTATUS (rc) : -1;
}

static char *run (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

/* A command's output with its exit status as a last line "exit N" (caller frees). */
static char *
run (const char *fmt, ...)
{
	va_list ap;
	va_start (ap, fmt);
	char *cmd = xvasprintf (fmt, ap);
	va_end (ap);
	char *full = xasprintf ("%s 2>&1; echo \"exit $?\"", cmd);
	char *out = testlib_run (full);
	free (full);
	free (cmd);
	return out;
}

/* The first line of a command's output, for a message (the output itself is left whole). */
static const char *
line1 (const char *out)
{
	static char buf[512];
	snprintf (buf, sizeof buf, "%.*s", out ? (int) strcspn (out, "\n") : 0, out ? out : "");
	return buf;
}

/* Whether a client with these keys gets an answer to a PING. */
static bool
answers (const char *name, const char *keys)
{
	client_t *c = client_new_secure (hub.endpoint, name, keys, NULL);
	proto_msg_t *ping = proto_msg_new (PROTO_PING);
	proto_msg_set_seq (ping, 1);
	proto_msg_t *r = c ? client_call (c, ping, 1500, 1) : NULL;
	bool yes = r != NULL;
	proto_msg_destroy (&r);
	proto_msg_destroy (&ping);
	client_destroy (&c);
	return yes;
}

/* The names in a folder, sorted, one per line (caller frees). */
static char *
listing (const char *dir)
{
	char *cmd = xasprintf ("ls -A '%s' | sort", dir);
	char *out = testlib_run (cmd);
	free (cmd);
	return out ? out : xstrdup ("");
}

/* Every file and folder under a and b: the same names, bytes and modes. */
static bool
same_tree (const char *a, const char *b)
{
	return sh ("cd '%s' && find . -printf '%%p %%m %%y\\n' | sort > '%s/tree-a' && cd '%s' && "
	           "find . -printf '%%p %%m %%y\\n' | sort > '%s/tree-b' && cmp -s '%s/tree-a' '%s/tree-b' && "
	           "diff -r '%s' '%s' >/dev/null",
	           a, scratch, b, scratch, scratch, scratch, a, b)
	    == 0;
}

/* A terminal that scans (on a thread of its own, with its own socket) from once it is logged in until told
 * to stop, at most 60 s; scanning says when its first scan is answered, so a slow login on a loaded machine
 * cannot leave the backup's window without scans. */
static atomic_bool scanning, stop_scanning;

static void *
keep_scanning (void *keys)
{
	client_t *c = client_new_secure (hub.endpoint, "bench-8", keys, NULL);
	proto_msg_t *m = testlib_hello (c, 1, "bench-8");
	proto_msg_destroy (&m);
	m = testlib_login (c, 2, "B2001", "2222");
	proto_msg_destroy (&m);
	uint32_t seq = 3;
	for (int64_t until = util_mono_ms () + 60000; util_mono_ms () < until && !atomic_load (&stop_scanning);) {
		m = testlib_scan (c, seq++, "enquiry", "W1000009");
		if (m)
			atomic_store (&scanning, true);
		proto_msg_destroy (&m);
	}
	client_destroy (&c);
	return NULL;
}

int
main (void)
{
	zsys_init ();
	zsys_set_logsystem (false);
	const char *top = getenv ("top_builddir");
	testlib_tmpdir (scratch, sizeof scratch);
	if (!ok (testlib_hub_start_curve (&hub, NULL) == 0, "a hub with CURVE and an allow-list"))
		return tap_done ();
	is_int (testlib_keys (&hub, "enrol", "bench-7"), 0, "terminal bench-7 enrolled");
	is_int (testlib_keys (&hub, "enrol", "bench-8"), 0, "terminal bench-8 enrolled");
	/* What each terminal keeps on its own disk, as despatch keys enrol handed it over. */
	is_int (sh ("cp -Rp '%s/terminals/bench-7' '%s/terminals/bench-8' '%s'", hub.keys, hub.keys, scratch), 0,
	    "the terminals' own copies of their keys");
	char *k7 = xasprintf ("%s/bench-7", scratch), *k8 = xasprintf ("%s/bench-8", scratch);
	struct fl_term t = { .name = "bench-7" };
	t.c = client_new_secure (hub.endpoint, "bench-7", k7, NULL);
	proto_msg_t *r = testlib_hello (t.c, ++t.seq, "bench-7");
	proto_msg_destroy (&r);
	r = testlib_login (t.c, ++t.seq, "B2001", "2222");
	is_int (testlib_status (r), PROTO_OK, "bench-7 logs in over CURVE");
	proto_msg_destroy (&r);
	const char *refs[] = { "T1000002", "W1000006" };
	for (size_t i = 0; i < nitems (refs); i++) {
		r = fl_scan (&t, "receive", refs[i], NULL);
		is_int (testlib_status (r), PROTO_OK, "%s received", refs[i]);
		proto_msg_destroy (&r);
	}

	/* 1. The backup, while a second terminal keeps scanning. */
	pthread_t writer;
	ok (pthread_create (&writer, NULL, keep_scanning, k8) == 0, "bench-8 keeps scanning meanwhile");
	for (int i = 0; i < 600 && !atomic_load (&scanning); i++)
		usleep (50 * 1000);
	ok (atomic_load (&scanning), "its scans are answered");
	char *bdir = xasprintf ("%s/backups", scratch);
	long long scans_before = testlib_sql_int (hub.database, "SELECT count(*) FROM scans");
	char *out = run ("'%s/admin/despatch' --database '%s' backup --dir '%s' --keys '%s'", top, hub.database, bdir,
	    hub.keys);
	long long scans_after = testlib_sql_int (hub.database, "SELECT count(*) FROM scans");
	atomic_store (&stop_scanning, true);
	pthread_join (writer, NULL);
	ok (out && strstr (out, "integrity ok") && strstr (out, "modes kept") && strstr (out, "exit 0"),
	    "despatch backup of the live hub: %s", line1 (out));
	diag ("scans while it ran: %lld before, %lld after", scans_before, scans_after);
	ok (scans_after > scans_before, "the other terminal's scans went on meanwhile");
	free (out);
	char *names = listing (bdir);
	char *bname = NULL;
	{
		char *nl = strchr (names, '\n');
		if (nl && strlen (nl + 1) > 0 && strstr (names, ".db\n") && strstr (names, ".keys\n"))
			bname = xstrndup (names, (size_t) (strstr (names, ".db\n") - names));
	}
	ok (bname && !strstr (names, ".part") && !strstr (names, "-wal") && !strstr (names, "-shm")
	        && !strstr (names, "journal"),
	    "the backup folder holds the copy and its keys, nothing else");
	diag ("%s", names);
	free (names);
	char *bdb = xasprintf ("%s/%s.db", bdir, bname ? bname : "none");
	char *bkeys = xasprintf ("%s/%s.keys", bdir, bname ? bname : "none");
	ok (same_tree (hub.keys, bkeys), "the keys copy has every file with its bytes and mode");
	struct stat sb;
	char *secret = xasprintf ("%s/hub.cert_secret", bkeys);
	ok (stat (secret, &sb) == 0 && (sb.st_mode & 0777) == 0600, "the hub's secret key is still 600 in the backup");
	free (secret);
	ok (stat (bdb, &sb) == 0 && (sb.st_mode & 0007) == 0, "the copy is not for others to read (mode %o)",
	    (unsigned) (sb.st_mode & 0777));
	char *mode = testlib_sql_text (bdb, "PRAGMA journal_mode");
	is_str (mode, "delete", "the copy is a database of its own, without a write-ahead log");
	free (mode);
	names = listing (bdir);
	ok (!strstr (names, "-wal") && !strstr (names, "-shm"), "and reading it leaves nothing beside it");
	free (names);
	long long orders = testlib_sql_int (bdb, "SELECT count(*) FROM orders");
	long long received = testlib_sql_int (bdb, "SELECT count(*) FROM orders WHERE status = 'received'");
	is_int (received, 2, "the copy has the two orders received before it");

	/* A terminal enrolled after the backup: the restored hub must not know it. */
	is_int (testlib_keys (&hub, "enrol", "late-9"), 0, "late-9 enrolled after the backup");
	is_int (sh ("cp -Rp '%s/terminals/late-9' '%s'", hub.keys, scratch), 0, "its own copy of its keys");
	char *k9 = xasprintf ("%s/late-9", scratch);
	ok (answers ("late-9", k9), "late-9 is answered now");

	/* 2. Refusals that change nothing. */
	char *cmp_before = xasprintf ("cmp -s '%s' '%s/db-before'", hub.database, scratch);
	out = run ("'%s/admin/despatch' restore '%s' --database '%s' --keys '%s'", top, bdb, hub.database, hub.keys);
	ok (out && strstr (out, "a hub is running on") && strstr (out, "exit 1"), "restore while the hub runs: refused (%s)",
	    line1 (out));
	free (out);
	ok (testlib_sql_int (hub.database, "SELECT count(*) FROM orders WHERE status = 'received'") == 2,
	    "and the database serves on");
	client_destroy (&t.c);
	is_int (testlib_hub_stop (&hub), 0, "the hub stops");
	sh ("cp '%s' '%s/db-before'", hub.database, scratch);
	char *bad = xasprintf ("%s/damaged.db", scratch);
	sh ("cp '%s' '%s' && printf 'not a page of a database' | dd of='%s' bs=1 seek=8192 conv=notrunc 2>/dev/null", bdb,
	    bad, bad);
	out = run ("'%s/admin/despatch' restore '%s' --database '%s' --keys '%s'", top, bad, hub.database, hub.keys);
	ok (out && strstr (out, "exit 1") && (strstr (out, "integrity") || strstr (out, "malformed")),
	    "a damaged backup is refused: %s", line1 (out));
	free (out);
	ok (sh ("%s", cmp_before) == 0, "and the database is untouched");
	free (cmp_before);

	/* 3. The disk is lost: database, write-ahead log and keys. */
	sh ("rm -rf '%s' '%s-wal' '%s-shm' '%s'", hub.database, hub.database, hub.database, hub.keys);
	ok (access (hub.database, F_OK) != 0 && access (hub.keys, F_OK) != 0, "the database and the keys are gone");
	out = run ("'%s/admin/despatch' restore '%s' --database '%s' --keys '%s'", top, bdb, hub.database, hub.keys);
	ok (out && strstr (out, "restored from") && strstr (out, "keys (") && strstr (out, "exit 0"),
	    "despatch restore brings them back: %s", line1 (out));
	free (out);
	ok (same_tree (bkeys, hub.keys), "the keys are back with every file's bytes and mode");
	ok (testlib_hub_restart (&hub) == 0, "the hub starts on the restored database and keys");
	ok (answers ("bench-7", k7), "bench-7, with the keys it has always had, is accepted");
	ok (!answers ("late-9", k9), "late-9, enrolled after the backup, is not");
	t.c = client_new_secure (hub.endpoint, "bench-7", k7, NULL);
	t.seq = 1000;
	r = testlib_hello (t.c, ++t.seq, "bench-7");
	proto_msg_destroy (&r);
	r = testlib_login (t.c, ++t.seq, "B2001", "2222");
	is_int (testlib_status (r), PROTO_OK, "bench-7 logs in again");
	proto_msg_destroy (&r);
	r = fl_scan (&t, "enquiry", "T1000002", NULL);
	ok (testlib_text (r) && strstr (testlib_text (r), "T1000002"), "the hub knows T1000002: %s", testlib_text (r));
	proto_msg_destroy (&r);
	r = fl_scan (&t, "receive", "W1000006", NULL);
	is_int (testlib_reason (r), PR_ALREADY_DONE, "and that W1000006 was received already: %s", testlib_text (r));
	proto_msg_destroy (&r);
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM orders"), orders, "every order is there (%lld)", orders);

	/* 4. The timer's despatch-backup: the same backups, the newest backup.keep kept. */
	char *conf = xasprintf ("%s/despatch.conf", scratch);
	FILE *f = fopen (conf, "w");
	fprintf (f, "[hub]\ndatabase = %s\n[security]\nkeys_dir = %s\n[backup]\ndir = %s/nightly\nkeep = 2\n", hub.database,
	    hub.keys, scratch);
	fclose (f);
	bool all = true;
	for (int i = 0; i < 3; i++) {
		out = run ("PATH='%s/admin':\"$PATH\" '%s/data/despatch-backup' --config '%s'", top, top, conf);
		all &= out && strstr (out, "integrity ok") && strstr (out, "exit 0");
		free (out);
	}
	ok (all, "despatch-backup three times");
	char *nightly = xasprintf ("%s/nightly", scratch);
	names = listing (nightly);
	int dbs = 0, keyss = 0, others = 0;
	for (char *save = NULL, *l = strtok_r (names, "\n", &save); l; l = strtok_r (NULL, "\n", &save)) {
		size_t n = strlen (l);
		if (n > 3 && strcmp (l + n - 3, ".db") == 0)
			dbs++;
		else if (n > 5 && strcmp (l + n - 5, ".keys") == 0)
			keyss++;
		else
			others++;
	}
	ok (dbs == 2 && keyss == 2 && others == 0, "the newest two kept, each with its keys, nothing else (%d, %d, %d)", dbs,
	    keyss, others);
	free (names);

	is_int (testlib_hub_stop (&hub), 0, "the hub stops cleanly");
	client_destroy (&t.c);
	free (nightly);
	free (conf);
	free (bad);
	free (k9);
	free (bdb);
	free (bkeys);
	free (bname);
	free (bdir);
	free (k7);
	free (k8);
	return tap_done ();
}
