/*
 * hub-print.h: what the hub's printing tests share (test-hub-print.c and
 * the stall, crash, login and drawing tests): orders imported with despatch
 * import, taken through receive and locate and packed from a terminal,
 * EVENTs waited for, the private cupsd stopped and let go, the hub waited
 * for when it kills itself, and the labels the fake printer received
 * decoded with zbarimg. Waits are bounded in count; nothing asserts a time
 * except where a test says it bounds a wait on purpose.
 */
#ifndef DSP_HUB_PRINT_TEST_H
#define DSP_HUB_PRINT_TEST_H

#include "tests/flow/flowlib.h"
#include "tests/printers/print-test.h"

#include <czmq.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/wait.h>

static inline long long hp_sql_int (struct testlib_hub *hub, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

static inline long long
hp_sql_int (struct testlib_hub *hub, const char *fmt, ...)
{
	va_list ap;
	va_start (ap, fmt);
	char *sql = xvasprintf (fmt, ap);
	va_end (ap);
	long long v = testlib_sql_int (hub->database, sql);
	free (sql);
	return v;
}

static inline char *hp_sql_text (struct testlib_hub *hub, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

static inline char *
hp_sql_text (struct testlib_hub *hub, const char *fmt, ...)
{
	va_list ap;
	va_start (ap, fmt);
	char *sql = xvasprintf (fmt, ap);
	va_end (ap);
	char *v = testlib_sql_text (hub->database, sql);
	free (sql);
	return v;
}

/* Import csv (the import format of doc/orders.md) with despatch import; 0 when it was taken. */
static inline int
hp_import (struct testlib_hub *hub, const char *name, const char *csv)
{
	char *path = xasprintf ("%s/%s", hub->dir, name);
	FILE *f = fopen (path, "w");
	if (f == NULL) {
		free (path);
		return -1;
	}
	fputs (csv, f);
	fclose (f);
	char *cmd = xasprintf ("'%s/admin/despatch' --database '%s' import '%s' >>'%s/import.log' 2>&1",
	    getenv ("top_builddir") ? getenv ("top_builddir") : ".", hub->database, path, hub->dir);
	int rc = system (cmd);
	free (cmd);
	free (path);
	return rc == 0 ? 0 : -1;
}

#define HP_CSV_HEAD "order,channel,customer_name,address_1,address_2,town,postcode,country,phone,email,loyalty," \
	"service,promise,order_value,line,sku,description,department,quantity,locations,unit_weight_g,line_value\n"

/* n one-line orders PREFIX0001.. for customers in Leeds, each an item at its own bin; caller frees. */
static inline char *
hp_orders_csv (const char *prefix, int n)
{
	char *csv = xstrdup (HP_CSV_HEAD);
	for (int i = 1; i <= n; i++) {
		char *row = xasprintf ("%s%04d,web,Customer %d,%d Park Row,,Leeds,LS1 5AB,GB,,,,standard,,20.00,1,"
		    "SKU-%s-%d,Cotton towel,Home,1,BIN-%s-%d,400,20.00\n", prefix, i, i, i, prefix, i, prefix, i);
		char *both = xasprintf ("%s%s", csv, row);
		free (csv);
		free (row);
		csv = both;
	}
	return csv;
}

/* Receive and locate the one-line order PREFIXnnnn of hp_orders_csv; 0 when each step was taken. */
static inline int
hp_ready (struct fl_term *t, const char *prefix, int i)
{
	char ref[32], bin[48], sku[48];
	snprintf (ref, sizeof ref, "%s%04d", prefix, i);
	snprintf (bin, sizeof bin, "BIN-%s-%d", prefix, i);
	snprintf (sku, sizeof sku, "SKU-%s-%d", prefix, i);
	int bad = 0;
	proto_msg_t *r = fl_scan (t, "receive", ref, NULL);
	bad += testlib_status (r) != PROTO_OK;
	proto_msg_destroy (&r);
	r = fl_scan (t, "locate", bin, "order", ref, "line", "1", NULL);
	bad += testlib_status (r) > PROTO_WARN;
	proto_msg_destroy (&r);
	r = fl_scan (t, "locate", sku, "order", ref, "line", "1", NULL);
	bad += testlib_status (r) > PROTO_WARN;
	proto_msg_destroy (&r);
	return bad ? -1 : 0;
}

/* Pack order ref as parcel 1 of 1 (again, for a parcel packed and not labelled); the reply (caller destroys). */
static inline proto_msg_t *
hp_pack (struct fl_term *t, const char *ref)
{
	return fl_scan (t, "pack", ref, "box", "M", "weight", "900", "parcels", "1", "parcel", "1", NULL);
}

/* Pack ref (made ready; the reply is checked) and wait (bounded, 30 s) until its label's job waits in CUPS for
 * the bench printer "label": CUPS's job number, or 0. */
static inline long long
hp_pack_waiting (struct testlib_hub *h, struct fl_term *t, const char *ref)
{
	proto_msg_t *r = hp_pack (t, ref);
	ok (testlib_status (r) == PROTO_OK || testlib_status (r) == PROTO_WARN, "%s packed: %s", ref, testlib_text (r));
	proto_msg_destroy (&r);
	char *sql = xasprintf ("SELECT coalesce (j.cups_job, 0) FROM label_jobs j JOIN parcels p ON p.id = j.parcel_id"
	    " WHERE p.order_ref = '%s' AND j.status IN ('submitted', 'offline') AND j.printer = 'label'", ref);
	long long job = 0;
	for (int i = 0; i < 300 && (job = hp_sql_int (h, "%s", sql)) <= 0; i++)
		usleep (100 * 1000);
	free (sql);
	return job > 0 ? job : 0;
}

/* The pack of ref sent without waiting for its reply (the hub is to die meanwhile). */
static inline void
hp_send_pack (struct fl_term *t, const char *ref)
{
	proto_msg_t *m = proto_msg_new (PROTO_SCAN);
	proto_set_str (m, PROTO_SCAN_STEP, "pack");
	proto_set_str (m, PROTO_SCAN_CODE, ref);
	proto_hash_set (m, PROTO_SCAN_CONTEXT, "box", "M");
	proto_hash_set (m, PROTO_SCAN_CONTEXT, "weight", "900");
	proto_hash_set (m, PROTO_SCAN_CONTEXT, "parcels", "1");
	proto_msg_set_seq (m, ++t->seq);
	client_writable (t->c, 2000);
	client_send (t->c, m);
	proto_msg_destroy (&m);
}

/* A queue added to the private cupsd, stopped: a job moved there waits, never started, and CUPS deletes
 * such a job with its queue. */
static inline bool
hp_queue_stopped (const char *name)
{
	char *cmd = xasprintf ("lpadmin -h \"$PRINT_TEST_SOCK\" -p %s -E -v socket://127.0.0.1:1"
	                       " -o despatch-format-default=zpl && cupsdisable -h \"$PRINT_TEST_SOCK\" %s", name, name);
	bool done = print_test_shell (cmd);
	free (cmd);
	return done;
}

/* Wait (bounded, about 30 s) until CUPS holds no unfinished job on queue. */
static inline bool
hp_cups_idle (const char *queue)
{
	char *cmd = xasprintf ("test -z \"$(lpstat -h \"$PRINT_TEST_SOCK\" -o %s 2>&1)\"", queue);
	bool idle = false;
	for (int i = 0; i < 300 && !(idle = print_test_shell (cmd)); i++)
		usleep (100 * 1000);
	free (cmd);
	return idle;
}

/* Wait (bounded, about a minute) for an EVENT "print" in state want for this terminal, about parcel code
 * (NULL: any parcel); NULL if none came. */
static inline proto_msg_t *
hp_wait_event_for (struct fl_term *t, const char *want, const char *code)
{
	for (int i = 0; i < 600; i++) {
		proto_msg_t *m = client_recv (t->c, 100);
		if (m == NULL)
			continue;
		if (proto_msg_id (m) == PROTO_EVENT && strcmp (proto_get_str (m, PROTO_EVENT_TOPIC), "print") == 0) {
			const char *state = proto_hash_get (m, PROTO_EVENT_DATA, "state");
			const char *parcel = proto_hash_get (m, PROTO_EVENT_DATA, "parcel");
			diag ("event: %s %s: %s", parcel, state, proto_hash_get (m, PROTO_EVENT_DATA, "text"));
			if (state && strcmp (state, want) == 0 && (code == NULL || (parcel && strcmp (parcel, code) == 0)))
				return m;
		}
		proto_msg_destroy (&m);
	}
	return NULL;
}

static inline proto_msg_t *
hp_wait_event (struct fl_term *t, const char *want)
{
	return hp_wait_event_for (t, want, NULL);
}

/* The EVENTs "print" about code that reach t within ms, by state: how many in state (NULL: any). Bounded. */
static inline int
hp_events_within (struct fl_term *t, const char *code, const char *state, int ms)
{
	int n = 0;
	for (int i = 0; i < ms / 100; i++) {
		proto_msg_t *m = client_recv (t->c, 100);
		if (m && proto_msg_id (m) == PROTO_EVENT && strcmp (proto_get_str (m, PROTO_EVENT_TOPIC), "print") == 0) {
			const char *s = proto_hash_get (m, PROTO_EVENT_DATA, "state");
			const char *p = proto_hash_get (m, PROTO_EVENT_DATA, "parcel");
			diag ("%s: event: %s %s: %s", t->name, p, s, proto_hash_get (m, PROTO_EVENT_DATA, "text"));
			n += p && strcmp (p, code) == 0 && (state == NULL || (s && strcmp (s, state) == 0));
		}
		proto_msg_destroy (&m);
	}
	return n;
}

/* The private cupsd's process (cups-private keeps it in DIR/run/cupsd.pid); 0 if unknown. */
static inline pid_t
hp_cupsd_pid (void)
{
	char path[PATH_MAX + 32];
	snprintf (path, sizeof path, "%s/run/cupsd.pid", print_test_self.dir);
	FILE *f = fopen (path, "r");
	long pid = 0;
	if (f) {
		if (fscanf (f, "%ld", &pid) != 1)
			pid = 0;
		fclose (f);
	}
	return (pid_t) pid;
}

/* How every printing test begins: CZMQ quiet, the private cupsd with its
 * fake printers started (a TAP line says so); returns the hub's setting
 * "printer.server=SOCKET" (caller frees), NULL when cupsd did not start. */
static inline char *
hp_begin (void)
{
	zsys_init ();
	zsys_set_logsystem (false);
	/* The shared helpers a test may not need, used here once. */
	(void) print_test_script;
	(void) print_test_cups_tool;
	(void) print_test_read;
	(void) print_test_printer;
	if (!ok (print_test_start (), "a private cupsd with fake printers runs"))
		return NULL;
	return xasprintf ("printer.server=%s", print_test_self.socket);
}

/* Wait (bounded, about 20 s) for a hub that is to kill itself; true once it has died of SIGKILL. */
static inline bool
hp_hub_died (struct testlib_hub *hub)
{
	return testlib_hub_killed (hub, 20000);
}

/* The hub started again to die at submit-taken (once CUPS has the label, before it records CUPS's job
 * number), and the pack of ref sent to it: TAP points say each step; the hub has died when the last passes. */
static inline void
hp_pack_killed_at_taken (struct testlib_hub *hub, struct fl_term *packer, const char *ref)
{
	is_int (testlib_hub_stop (hub), 0, "hub stopped to start again with DSP_HUB_CRASH_AT=submit-taken");
	setenv ("DSP_HUB_CRASH_AT", "submit-taken", 1);
	int started = testlib_hub_restart (hub);
	unsetenv ("DSP_HUB_CRASH_AT");
	ok (started == 0, "hub started, to die at submit-taken");
	hp_send_pack (packer, ref);
	ok (hp_hub_died (hub), "%s: the hub killed itself once CUPS had the label", ref);
}

/* What zbarimg reads from job n the fake printer behind queue saved (every symbol, one a line); caller frees. */
static inline char *
hp_decode (const char *queue, int n)
{
	/* The bitmap beside the printer's folder, not in it: the printer's own files are counted. */
	char *job = xasprintf ("%s/out/%s/job-%04d.zpl", print_test_self.dir, queue, n);
	char *pbm = xasprintf ("%s/decoded-%s-%04d.pbm", print_test_self.dir, queue, n);
	char *cmd = xasprintf ("'%s/tests/labels/zpl-decode' '%s' '%s' && zbarimg -q --raw '%s' 2>/dev/null",
	    getenv ("top_builddir"), job, pbm, pbm);
	char *out = testlib_run (cmd);
	free (cmd);
	free (pbm);
	free (job);
	return out ? out : xstrdup ("");
}

/*
 * Each tracking number of the parcels given (a SQL WHERE on parcels p) read
 * from exactly one of the labels the fake printer behind queue received, and
 * every label read naming one of them: true when the labels printed are
 * those parcels', each once.
 */
static inline bool
hp_labels_once (struct testlib_hub *hub, const char *queue, const char *where)
{
	int jobs = print_test_count (queue);
	char **read = xcalloc ((size_t) (jobs > 0 ? jobs : 1), sizeof *read);
	for (int i = 0; i < jobs; i++)
		read[i] = hp_decode (queue, i + 1);
	char *sql = xasprintf ("SELECT group_concat(tracking, ' ') FROM parcels p WHERE %s", where);
	char *list = testlib_sql_text (hub->database, sql);
	free (sql);
	bool good = list != NULL;
	int parcels = 0;
	char *save = NULL;
	for (char *t = list ? strtok_r (list, " ", &save) : NULL; t; t = strtok_r (NULL, " ", &save)) {
		parcels++;
		int seen = 0;
		for (int i = 0; i < jobs; i++)
			seen += strstr (read[i], t) != NULL;
		if (seen != 1) {
			diag ("tracking %s read from %d labels, not 1", t, seen);
			good = false;
		}
	}
	if (parcels != jobs) {
		diag ("%d labels at %s for %d parcels", jobs, queue, parcels);
		good = false;
	}
	for (int i = 0; i < jobs; i++)
		free (read[i]);
	free (read);
	free (list);
	return good;
}

#endif
