/*
 * test-reload.c: SIGHUP makes a running hub read its settings again,
 * through a real private cupsd and its fake printers. A changed printer
 * map sends the next label to the new printer (read back by zbarimg and
 * scanned at verify), while a label already with its printer stays there;
 * a changed rule set chooses another carrier; the log level and a
 * restart-only key are named in the log. A file with a syntax error, a
 * bad value or a broken carrier file is refused: the hub keeps every
 * setting it had, says why, and despatch status says so too.
 */
#include "config.h"
#include "tests/flow/flowlib.h"
#include "tests/printers/print-test.h"

#include <czmq.h>
#include <signal.h>
#include <stdarg.h>

static struct testlib_hub hub;
static char scratch[256], conf_path[400], carriers[400];

static long long sql_int (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

static long long
sql_int (const char *fmt, ...)
{
	va_list ap;
	va_start (ap, fmt);
	char *sql = xvasprintf (fmt, ap);
	va_end (ap);
	long long v = testlib_sql_int (hub.database, sql);
	free (sql);
	return v;
}

/* The configuration file, written whole each time (as an administrator's editor does). */
static void write_conf (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

static void
write_conf (const char *fmt, ...)
{
	va_list ap;
	va_start (ap, fmt);
	char *text = xvasprintf (fmt, ap);
	va_end (ap);
	char *tmp = xasprintf ("%s.new", conf_path);
	FILE *f = fopen (tmp, "w");
	if (f) {
		fputs (text, f);
		fclose (f);
		rename (tmp, conf_path);
	}
	free (tmp);
	free (text);
}

/* SIGHUP, then wait (bounded) until the hub has recorded one more reload; its result ("ok", "refused"). */
static char *
reload (void)
{
	long long before = sql_int ("SELECT count(*) FROM events WHERE action = '%s'", "reload");
	kill (hub.pid, SIGHUP);
	for (int i = 0; i < 200 && sql_int ("SELECT count(*) FROM events WHERE action = '%s'", "reload") <= before; i++)
		usleep (50 * 1000);
	return testlib_sql_text (hub.database, "SELECT code || ': ' || detail FROM events WHERE action = 'reload'"
	                                       " ORDER BY id DESC LIMIT 1");
}

/* A file's text (caller frees; NULL when it cannot be read). */
static char *
read_file (const char *path)
{
	char *cmd = xasprintf ("cat '%s'", path);
	char *text = testlib_run (cmd);
	free (cmd);
	return text;
}

/* How many lines of the hub's log hold text (the whole log, read again). */
static int
log_count (const char *text)
{
	char *path = xasprintf ("%s/hub.log", hub.dir);
	char *cmd = xasprintf ("grep -cF -- '%s' '%s'", text, path);
	char *out = testlib_run (cmd);
	int n = out ? atoi (out) : 0;
	free (out);
	free (cmd);
	free (path);
	return n;
}

static bool
log_has (const char *text)
{
	return log_count (text) > 0;
}

/* A misspelt key in both files: warned of at start, and again at the reload. */
#define MISSPELT "[status]\nquiet_mx = 2\n"
#define MISSPELT_WARNING "unknown key status.quiet_mx; did you mean status.quiet_max?"

/* Receive, locate (each line's location, then its SKU for every unit: count) and pack a
 * demo order; lines is n rows of location, SKU and count. */
static void
pack_order_lines (struct fl_term *t, const char *ref, const char *const (*lines)[3], int n, const char *weight)
{
	proto_msg_t *r = fl_scan (t, "receive", ref, NULL);
	proto_msg_destroy (&r);
	for (int i = 0; i < n; i++) {
		char line_no[8];
		snprintf (line_no, sizeof line_no, "%d", i + 1);
		r = fl_scan (t, "locate", lines[i][0], "order", ref, "line", line_no, NULL);
		proto_msg_destroy (&r);
		r = fl_scan (t, "locate", lines[i][1], "order", ref, "line", line_no, "count", lines[i][2], NULL);
		proto_msg_destroy (&r);
	}
	r = fl_scan (t, "pack", ref, "box", "M", "weight", weight, "parcels", "1", NULL);
	ok (testlib_status (r) == PROTO_OK || testlib_status (r) == PROTO_WARN, "%s packed and labelled: %s", ref,
	    testlib_text (r));
	proto_msg_destroy (&r);
}

/* The same for a one-line order. */
static void
pack_order (struct fl_term *t, const char *ref, const char *location, const char *sku, const char *count,
    const char *weight)
{
	const char *const line[1][3] = { { location, sku, count } };
	pack_order_lines (t, ref, line, 1, weight);
}

/* What zbarimg reads from job n of a queue's fake printer, one symbol a line (caller frees). */
static char *
decode_job (const char *queue, int n)
{
	char *job = xasprintf ("%s/out/%s/job-%04d.zpl", print_test_self.dir, queue, n);
	/* The picture goes beside the settings: the printer's folder holds only what it received. */
	char *pbm = xasprintf ("%s/%s-%d.pbm", scratch, queue, n);
	char *cmd = xasprintf ("'%s/tests/labels/zpl-decode' '%s' '%s' && zbarimg -q --raw '%s' 2>/dev/null",
	    getenv ("top_builddir"), job, pbm, pbm);
	char *out = testlib_run (cmd);
	free (cmd);
	free (pbm);
	free (job);
	return out;
}

static const char *const conf_v1 = "[printer]\n"
                                   "server = %s\n"
                                   "bench-1.label = label\n"
                                   "group.benches.fallback = fallback\n"
                                   "[station]\n"
                                   "bench-1.group = benches\n"
                                   "[carriers]\n"
                                   "path = %s\n" MISSPELT;

/* v1 with the bench's printer moved, debug logging and a key only a restart applies. */
static const char *const conf_v2 = "[printer]\n"
                                   "server = %s\n"
                                   "bench-1.label = fallback\n"
                                   "group.benches.fallback = fallback\n"
                                   "[station]\n"
                                   "bench-1.group = benches\n"
                                   "[carriers]\n"
                                   "path = %s\n"
                                   "[log]\n"
                                   "level = debug\n"
                                   "[hub]\n"
                                   "events = ipc://%s/events.sock\n" MISSPELT;

int
main (void)
{
	zsys_init ();
	zsys_set_logsystem (false);
	(void) print_test_script;
	(void) print_test_cups_tool;
	if (!ok (print_test_start (), "a private cupsd with fake printers runs"))
		return tap_done ();
	char *dir = scratch;
	testlib_tmpdir (scratch, sizeof scratch);
	snprintf (conf_path, sizeof conf_path, "%s/despatch.conf", dir);
	snprintf (carriers, sizeof carriers, "%s/carriers", dir);
	char *cmd = xasprintf ("cp -R '%s/data/carriers' '%s'", getenv ("top_srcdir"), carriers);
	ok (system (cmd) == 0, "a carriers folder of the site's own");
	free (cmd);
	write_conf (conf_v1, print_test_self.socket, carriers);
	char *config_arg = xasprintf ("--config=%s", conf_path);
	const char *extra[] = { config_arg, NULL };
	if (!ok (testlib_hub_start (&hub, extra) == 0, "a hub starts with the configuration file"))
		return tap_done ();
	is_int (log_count (MISSPELT_WARNING), 1, "an unknown key is warned of at start, with the nearest known one");
	struct fl_term packer = { 0 };
	fl_term_open (&packer, hub.endpoint, "bench-1-term", "bench-1", "B2001", "2222");

	/* 1. Before: the bench's labels go to its printer. */
	pack_order (&packer, "T1000002", "MW-R1-A04", "MW-SHT-2210", "1", "900");
	ok (print_test_wait_count ("label", 1), "the label came out of the bench printer");
	char *carrier_before = testlib_sql_text (hub.database, "SELECT carrier FROM parcels WHERE order_ref = 'T1000002'");
	diag ("T1000002 went by %s", carrier_before ? carrier_before : "?");

	/* A label in flight: its printer is off, so the job waits there with its queue. */
	ok (print_test_printer ("label", false), "the bench printer is switched off");
	pack_order (&packer, "W1000009", "ST-R1-A03", "ST-NTB-0011", "3", "900");
	for (int i = 0; i < 200 && sql_int ("SELECT count(*) FROM label_jobs WHERE status = '%s'", "offline") < 1; i++)
		usleep (50 * 1000);
	is_int (sql_int ("SELECT count(*) FROM label_jobs WHERE status = 'offline' AND printer = '%s'", "label"), 1,
	    "W1000009's label waits for the bench printer");

	/* 2. A good reload: the printer map, the rules, the log level, a restart-only key. */
	write_conf (conf_v2, print_test_self.socket, carriers, dir);
	char *rules = xasprintf ("%s/rules.conf", carriers);
	char *old_rules = read_file (rules);
	FILE *f = fopen (rules, "w");
	/* First, so it decides for every parcel in Great Britain. */
	fprintf (f, "[rule everything-by-parcelforce]\ncountry = GB\nchoose = parcelforce/express-48\n\n%s",
	    old_rules ? old_rules : "");
	fclose (f);
	char *result = reload ();
	ok (result && strncmp (result, "ok: ", 4) == 0, "the reload is taken: %s", result ? result : "(none recorded)");
	ok (kill (hub.pid, 0) == 0, "the hub is still running (SIGHUP does not stop it)");
	ok (log_has ("reload: printer.bench-1.label = fallback (was label)"), "the log names the printer that moved");
	ok (log_has ("reload: log.level = debug (was the default, info)"), "and the log level");
	char *events_line = xasprintf ("reload: hub.events = ipc://%s/events.sock (was the default, unset): takes effect "
	                               "at the next restart", dir);
	ok (log_has (events_line), "a key only a restart applies is named as such");
	free (events_line);
	is_int (log_count (MISSPELT_WARNING), 2, "and the reload warns of it again");
	int rules_now = -1, rules_were = -1;
	const char *counts = result ? strstr (result, " rules (were ") : NULL;
	while (counts && counts > result && counts[-1] >= '0' && counts[-1] <= '9')
		counts--;
	if (counts)
		sscanf (counts, "%d rules (were %d)", &rules_now, &rules_were);
	ok (rules_now > 0 && rules_now == rules_were + 1, "the rule set is read again, one rule more (%d, were %d)",
	    rules_now, rules_were);
	free (result);

	/* Without the new rule T1000010 goes by DPD (next-day-gb); no carrier file's own rule,
	 * which comes before rules.conf's, takes it. */
	static const char *const t10[3][3] = { { "SH-R1-A10", "SH-TRN-4410", "1" }, { "SP-R1-A01", "SP-BTL-0750", "1" },
		{ "SP-R1-A02", "SP-SOCK-0003", "1" } };
	pack_order_lines (&packer, "T1000010", t10, 3, "1600");
	ok (print_test_wait_count ("fallback", 1), "the next label comes out of the printer the new map names");
	is_int (print_test_count ("label"), 1, "and nothing more at the old one");
	char *carrier_after = testlib_sql_text (hub.database, "SELECT carrier FROM parcels WHERE order_ref = 'T1000010'");
	is_str (carrier_after, "parcelforce", "the new rule chose the carrier");
	free (carrier_after);
	char *tracking = testlib_sql_text (hub.database, "SELECT tracking FROM parcels WHERE order_ref = 'T1000010'");
	char *decoded = decode_job ("fallback", 1);
	char *line = NULL;
	for (char *save = NULL, *l = decoded ? strtok_r (decoded, "\n", &save) : NULL; l; l = strtok_r (NULL, "\n", &save))
		if (tracking && strcmp (l, tracking) == 0)
			line = l;
	ok (line != NULL, "zbarimg reads the parcel's tracking number %s off the label the new printer received",
	    tracking ? tracking : "?");
	char verify_code[64];
	util_strlcpy (verify_code, line ? line : "none", sizeof verify_code);
	proto_msg_t *r = fl_scan (&packer, "verify", verify_code, "order", "T1000010", NULL);
	is_int (testlib_status (r), PROTO_OK, "and the label scanned at verify is the right one: %s", testlib_text (r));
	proto_msg_destroy (&r);
	free (decoded);
	free (tracking);

	/* What was in flight keeps what it started with. */
	ok (print_test_printer ("label", true), "the bench printer is back");
	ok (print_test_wait_count ("label", 2), "W1000009's waiting label prints where it was sent");
	is_int (print_test_count ("fallback"), 1, "not at the printer the new map names");

	/* Debug logging now: a repeated request is logged at debug. */
	r = fl_scan_again (&packer, "verify", verify_code, "order", "T1000010", NULL);
	proto_msg_destroy (&r);
	for (int i = 0; i < 40 && !log_has ("repeat, stored reply sent"); i++)
		usleep (50 * 1000);
	ok (log_has ("repeat, stored reply sent"), "debug lines are logged after the reload");

	/* 3. Refused: a syntax error, a bad value, a broken carrier file. Nothing changes. */
	write_conf ("%s[printer\n", "");
	result = reload ();
	char *want = xasprintf ("refused: %s:1: a section header must look like [name]", conf_path);
	is_str (result, want, "a syntax error is refused, naming the file and line");
	free (want);
	free (result);
	ok (log_has ("reload refused, the hub keeps its settings"), "the log says the settings are kept");

	write_conf ("[printer]\nserver = %s\nbench-1.label = label\nbench-1.dpi = 250\n", print_test_self.socket);
	result = reload ();
	ok (result && strstr (result, "refused: the printer map: printer.bench-1.dpi = 250"), "a bad dpi is refused: %s",
	    result ? result : "(none)");
	free (result);

	write_conf (conf_v2, print_test_self.socket, carriers, dir);
	char *dpd = xasprintf ("%s/dpd.conf", carriers);
	f = fopen (dpd, "a");
	fprintf (f, "\nthis is not a setting\n");
	fclose (f);
	result = reload ();
	ok (result && strstr (result, "refused: carrier definitions refused: ") && strstr (result, "dpd.conf:"),
	    "a broken carrier file is refused, naming it: %s", result ? result : "(none)");
	free (result);

	/* The hub still runs with the settings of the last good reload. */
	r = fl_cmd (&packer, "reprint", "parcel", "T1000010/1", NULL);
	is_int (testlib_status (r), PROTO_OK, "a reprint after the refusals: %s", testlib_text (r));
	proto_msg_destroy (&r);
	ok (print_test_wait_count ("fallback", 2), "it goes to the printer of the last good reload");
	is_int (print_test_count ("label"), 2, "not to the one the refused file named");

	char *status = xasprintf ("'%s/admin/despatch' status --database '%s' --set status.backup_max_age_h=0"
	                          " --set printer.server=%s 2>&1; echo \"exit $?\"",
	    getenv ("top_builddir"), hub.database, print_test_self.socket);
	char *out = testlib_run (status);
	ok (out && strstr (out, "attention: reload: the configuration was refused") && strstr (out, "dpd.conf:")
	        && strstr (out, "exit 1"),
	    "despatch status asks for attention and says why");
	diag ("%s", out ? out : "");
	free (out);

	/* Mended: taken again. */
	f = fopen (dpd, "w");
	char *orig_path = xasprintf ("%s/data/carriers/dpd.conf", getenv ("top_srcdir"));
	char *orig = read_file (orig_path);
	free (orig_path);
	fputs (orig ? orig : "", f);
	fclose (f);
	free (orig);
	result = reload ();
	ok (result && strncmp (result, "ok: 0 settings changed", 22) == 0, "the mended file is taken: %s",
	    result ? result : "(none)");
	free (result);
	out = testlib_run (status);
	ok (out && strstr (out, "reload:    last ") && strstr (out, ": ok (") && !strstr (out, "attention: reload"),
	    "despatch status shows the last reload, ok");
	free (out);
	free (status);

	is_int (testlib_hub_stop (&hub), 0, "the hub stops cleanly");
	client_destroy (&packer.c);
	free (dpd);
	free (rules);
	free (old_rules);
	free (carrier_before);
	free (config_arg);
	return tap_done ();
}
