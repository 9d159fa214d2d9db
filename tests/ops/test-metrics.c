/*
 * test-metrics.c: the metrics file a real hub writes for node_exporter's
 * textfile collector, against what the test did. Scans at receive and at
 * locate, refused and taken, orders moved on, a printer queue stopped in
 * a private cupsd, a backup, a reload: each shows in the file with the
 * value it must have. The file is read by a parser of Prometheus's text
 * format in this test (names, labels and their escapes, values, a TYPE
 * and a HELP before each family's samples, no series twice) and, where
 * Debian's prometheus package is installed, by promtool check metrics
 * too. Read over and over while the hub rewrites it, it is always whole,
 * and inotify sees it only renamed into place, never written in place;
 * despatch status --prometheus prints the same figures from the database;
 * a metrics.path the hub cannot write is said once and the hub serves on.
 */
#include "config.h"
#include "tests/flow/flowlib.h"
#include "tests/printers/print-test.h"

#include <ctype.h>
#include <czmq.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/inotify.h>
#include <sys/stat.h>

/* --- a parser of the text format ------------------------------------------ */

struct prom_series {
	char key[512];   /* name{label="value",...} as written */
	double value;
};

struct prom {
	struct prom_series s[512];
	int n;
	char families[128][96], types[128][16];
	int nfam;
	char error[256];
};

static bool
prom_name_ok (const char *s, size_t n, bool metric)
{
	if (n == 0 || (!isalpha ((unsigned char) s[0]) && s[0] != '_' && !(metric && s[0] == ':')))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!isalnum ((unsigned char) s[i]) && s[i] != '_' && !(metric && s[i] == ':'))
			return false;
	return true;
}

static int
prom_family (struct prom *p, const char *name)
{
	for (int i = 0; i < p->nfam; i++)
		if (strcmp (p->families[i], name) == 0)
			return i;
	return -1;
}

static bool prom_fail (struct prom *p, int line, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));

static bool
prom_fail (struct prom *p, int line, const char *fmt, ...)
{
	va_list ap;
	va_start (ap, fmt);
	char why[200];
	vsnprintf (why, sizeof why, fmt, ap);
	va_end (ap);
	snprintf (p->error, sizeof p->error, "line %d: %s", line, why);
	return false;
}

/* One sample line: name, optional {labels}, a value; checked as the format says. */
static bool
prom_sample (struct prom *p, int lineno, const char *line, int *last_family)
{
	const char *s = line;
	size_t nl = strcspn (s, "{ ");
	if (!prom_name_ok (s, nl, true))
		return prom_fail (p, lineno, "bad metric name in '%s'", line);
	char name[96];
	snprintf (name, sizeof name, "%.*s", (int) nl, s);
	int fam = prom_family (p, name);
	if (fam < 0)
		return prom_fail (p, lineno, "%s has no TYPE line before it", name);
	if (*last_family != fam && *last_family >= 0 && p->n > 0) {
		/* A family's samples are together: once left, it may not come back. */
		for (int i = 0; i < p->n; i++)
			if (strncmp (p->s[i].key, name, nl) == 0 && (p->s[i].key[nl] == '{' || p->s[i].key[nl] == '\0'))
				return prom_fail (p, lineno, "%s's samples are not together", name);
	}
	*last_family = fam;
	s += nl;
	char key[512];
	size_t k = (size_t) snprintf (key, sizeof key, "%s", name);
	if (*s == '{') {
		key[k++] = *s++;
		while (*s != '}') {
			size_t ln = strcspn (s, "=");
			if (!prom_name_ok (s, ln, false) || s[ln] != '=' || s[ln + 1] != '"')
				return prom_fail (p, lineno, "bad label in '%s'", line);
			memcpy (key + k, s, ln + 2);
			k += ln + 2;
			s += ln + 2;
			while (*s != '"') {
				if (*s == '\0' || *s == '\n')
					return prom_fail (p, lineno, "label value not closed in '%s'", line);
				if (*s == '\\') {
					if (s[1] != '\\' && s[1] != '"' && s[1] != 'n')
						return prom_fail (p, lineno, "bad escape in '%s'", line);
					key[k++] = *s++;
				}
				key[k++] = *s++;
			}
			key[k++] = *s++;
			if (*s == ',') {
				key[k++] = *s++;
			} else if (*s != '}') {
				return prom_fail (p, lineno, "labels not closed in '%s'", line);
			}
			if (k > sizeof key - 100)
				return prom_fail (p, lineno, "labels too long");
		}
		key[k++] = *s++;
		key[k] = '\0';
	}
	if (*s != ' ')
		return prom_fail (p, lineno, "no space before the value in '%s'", line);
	char *end;
	double v = strtod (s + 1, &end);
	if (end == s + 1 || (*end != '\0' && *end != ' '))
		return prom_fail (p, lineno, "bad value in '%s'", line);
	for (int i = 0; i < p->n; i++)
		if (strcmp (p->s[i].key, key) == 0)
			return prom_fail (p, lineno, "%s given twice", key);
	if (p->n >= (int) nitems (p->s))
		return prom_fail (p, lineno, "too many series");
	util_strlcpy (p->s[p->n].key, key, sizeof p->s[p->n].key);
	p->s[p->n++].value = v;
	return true;
}

/* Parse text; false with p->error when it breaks the format. */
static bool
prom_parse (struct prom *p, const char *text)
{
	memset (p, 0, sizeof *p);
	if (text == NULL || *text == '\0')
		return prom_fail (p, 0, "empty");
	if (text[strlen (text) - 1] != '\n')
		return prom_fail (p, 0, "the last line does not end");
	char *copy = xstrdup (text);
	int lineno = 0, last_family = -1;
	bool good = true;
	char helped[128][96];
	int nhelp = 0;
	for (char *save = NULL, *l = strtok_r (copy, "\n", &save); l && good; l = strtok_r (NULL, "\n", &save)) {
		lineno++;
		if (strncmp (l, "# TYPE ", 7) == 0 || strncmp (l, "# HELP ", 7) == 0) {
			bool type = l[2] == 'T';
			const char *name = l + 7;
			size_t nl = strcspn (name, " ");
			if (!prom_name_ok (name, nl, true) || name[nl] != ' ')
				good = prom_fail (p, lineno, "bad %s line", type ? "TYPE" : "HELP");
			else if (type) {
				const char *t = name + nl + 1;
				if (strcmp (t, "counter") && strcmp (t, "gauge") && strcmp (t, "histogram") && strcmp (t, "summary")
				    && strcmp (t, "untyped"))
					good = prom_fail (p, lineno, "unknown type '%s'", t);
				else if (p->nfam >= 128)
					good = prom_fail (p, lineno, "too many families");
				else {
					snprintf (p->families[p->nfam], sizeof p->families[0], "%.*s", (int) nl, name);
					if (prom_family (p, p->families[p->nfam]) >= 0)
						good = prom_fail (p, lineno, "TYPE of %s given twice", p->families[p->nfam]);
					util_strlcpy (p->types[p->nfam++], t, sizeof p->types[0]);
				}
			} else if (nhelp < 128) {
				snprintf (helped[nhelp++], sizeof helped[0], "%.*s", (int) nl, name);
			}
		} else if (l[0] == '#') {
			continue;
		} else {
			good = prom_sample (p, lineno, l, &last_family);
		}
	}
	/* The suite's own rules: every family has its HELP; counters end in _total, nothing else does. */
	for (int i = 0; good && i < p->nfam; i++) {
		bool help = false;
		for (int h = 0; h < nhelp; h++)
			help |= strcmp (helped[h], p->families[i]) == 0;
		size_t len = strlen (p->families[i]);
		bool total = len > 6 && strcmp (p->families[i] + len - 6, "_total") == 0;
		if (!help)
			good = prom_fail (p, 0, "%s has no HELP", p->families[i]);
		else if (total != (strcmp (p->types[i], "counter") == 0))
			good = prom_fail (p, 0, "%s: a counter's name ends in _total, and only a counter's", p->families[i]);
		else if (strncmp (p->families[i], "despatch_", 9) != 0)
			good = prom_fail (p, 0, "%s does not start with despatch_", p->families[i]);
	}
	free (copy);
	return good;
}

/* A series' value, or NAN when the text has none. */
static double
prom_get (const struct prom *p, const char *key)
{
	for (int i = 0; i < p->n; i++)
		if (strcmp (p->s[i].key, key) == 0)
			return p->s[i].value;
	return NAN;
}

/* --- the hub ----------------------------------------------------------------- */

static struct testlib_hub hub;
static char scratch[256], prom_path[300], conf_path[300];

static char *
read_text (const char *path)
{
	FILE *f = fopen (path, "r");
	if (f == NULL)
		return NULL;
	size_t cap = 65536, len = 0;
	char *buf = xmalloc (cap);
	size_t r;
	while ((r = fread (buf + len, 1, cap - len - 1, f)) > 0) {
		len += r;
		if (cap - len < 2)
			buf = xrealloc (buf, cap *= 2);
	}
	buf[len] = '\0';
	fclose (f);
	return buf;
}

/* Wait (bounded) until the file holds key = want; the last parse in *p. */
static bool
wait_value (struct prom *p, const char *key, double want)
{
	for (int i = 0; i < 200; i++) {
		char *text = read_text (prom_path);
		bool parsed = text && prom_parse (p, text);
		free (text);
		if (parsed && prom_get (p, key) == want)
			return true;
		usleep (50 * 1000);
	}
	diag ("%s: last seen %g (%s)", key, prom_get (p, key), p->error);
	return false;
}

static void
write_conf (const char *path_line)
{
	FILE *f = fopen (conf_path, "w");
	fprintf (f, "[printer]\nserver = %s\nbench-1.label = label\nbench-1.document = docs\n[metrics]\n%s\nevery_s = 1\n"
	            "[backup]\ndir = %s/backups\n",
	    print_test_self.socket, path_line, scratch);
	fclose (f);
}

static int
count_log (const char *text)
{
	char *cmd = xasprintf ("grep -cF -- '%s' '%s/hub.log'", text, hub.dir);
	char *out = testlib_run (cmd);
	int n = out ? atoi (out) : -1;
	free (out);
	free (cmd);
	return n;
}

int
main (void)
{
	zsys_init ();
	zsys_set_logsystem (false);
	(void) print_test_script;
	(void) print_test_shell;
	if (!ok (print_test_start (), "a private cupsd with fake printers runs"))
		return tap_done ();
	testlib_tmpdir (scratch, sizeof scratch);
	snprintf (prom_path, sizeof prom_path, "%s/despatch.prom", scratch);
	snprintf (conf_path, sizeof conf_path, "%s/despatch.conf", scratch);
	char *path_line = xasprintf ("path = %s", prom_path);
	write_conf (path_line);
	char *config_arg = xasprintf ("--config=%s", conf_path);
	const char *extra[] = { config_arg, NULL };
	if (!ok (testlib_hub_start (&hub, extra) == 0, "a hub with metrics.path set starts"))
		return tap_done ();
	struct prom p;
	ok (wait_value (&p, "despatch_up", 1), "the file is written and parses: despatch_up 1");
	double orders_new = prom_get (&p, "despatch_orders{state=\"new\"}");
	ok (orders_new >= 5, "the demo orders are new (%g)", orders_new);
	is_int ((int) prom_get (&p, "despatch_scans_total{step=\"receive\"}"), 0, "no scan at receive yet");
	is_int ((int) prom_get (&p, "despatch_printer_up{printer=\"label\"}"), 1, "the bench's label printer is up");
	is_int ((int) prom_get (&p, "despatch_backup_last_timestamp_seconds"), 0, "no backup yet");

	/* What the test does: 4 scans at receive (one of a code nobody knows), 2 at locate. */
	struct fl_term t = { 0 };
	fl_term_open (&t, hub.endpoint, "bench-1-term", "bench-1", "B2001", "2222");
	const char *refs[] = { "T1000002", "W1000009", "W1000006" };
	for (size_t i = 0; i < nitems (refs); i++) {
		proto_msg_t *r = fl_scan (&t, "receive", refs[i], NULL);
		proto_msg_destroy (&r);
	}
	proto_msg_t *r = fl_scan (&t, "receive", "NOBODY-KNOWS-ME", NULL);
	is_int (testlib_reason (r), PR_UNKNOWN_BARCODE, "an unknown code is refused at receive");
	proto_msg_destroy (&r);
	r = fl_scan (&t, "locate", "ST-R1-A03", "order", "W1000009", "line", "1", NULL);
	proto_msg_destroy (&r);
	r = fl_scan (&t, "locate", "ST-NTB-0011", "order", "W1000009", "line", "1", "count", "3", NULL);
	proto_msg_destroy (&r);
	char *w9 = testlib_sql_text (hub.database, "SELECT status FROM orders WHERE ref = 'W1000009'");
	diag ("W1000009 is %s", w9 ? w9 : "?");

	ok (wait_value (&p, "despatch_scans_total{step=\"receive\"}", 4), "despatch_scans_total{step=\"receive\"} 4");
	is_int ((int) prom_get (&p, "despatch_scans_total{step=\"locate\"}"), 2, "despatch_scans_total{step=\"locate\"} 2");
	is_int ((int) prom_get (&p, "despatch_scan_replies_total{reason=\"UNKNOWN_BARCODE\"}"), 1,
	    "one reply refused the unknown code");
	is_int ((int) prom_get (&p, "despatch_scan_replies_total{reason=\"OK\"}"), 5, "five were taken");
	char *key = xasprintf ("despatch_orders{state=\"%s\"}", w9 ? w9 : "?");
	is_int ((int) prom_get (&p, key), 1, "W1000009 is the one order %s", w9 ? w9 : "?");
	free (key);
	is_int ((int) prom_get (&p, "despatch_orders{state=\"received\"}"), 2, "two orders wait at received");
	is_int ((int) prom_get (&p, "despatch_orders{state=\"new\"}"), (int) orders_new - 3, "three fewer are new");
	ok (prom_get (&p, "despatch_terminals{state=\"connected\"}") >= 1, "the terminal is connected (%g)",
	    prom_get (&p, "despatch_terminals{state=\"connected\"}"));
	struct stat sb;
	char *wal = xasprintf ("%s-wal", hub.database);
	ok (stat (wal, &sb) == 0 && prom_get (&p, "despatch_wal_size_bytes") > 0, "the WAL's size is there (%g)",
	    prom_get (&p, "despatch_wal_size_bytes"));
	free (wal);
	free (w9);

	/* A stopped printer queue; a backup; a reload. */
	ok (print_test_cups_tool ("cupsdisable", "label"), "the label queue is stopped");
	ok (wait_value (&p, "despatch_printer_up{printer=\"label\"}", 0), "despatch_printer_up{printer=\"label\"} 0");
	is_int ((int) prom_get (&p, "despatch_printer_up{printer=\"docs\"}"), 1, "the document printer is still up");
	char *backup = xasprintf ("'%s/admin/despatch' --database '%s' backup dir='%s/backups' >/dev/null",
	    getenv ("top_builddir"), hub.database, scratch);
	ok (system (backup) == 0, "a backup is taken");
	free (backup);
	char *bdir = xasprintf ("%s/backups", scratch);
	int64_t at = 0, size = 0;
	char *newest = NULL;
	{
		/* The newest despatch-*.db there, by its own clock. */
		char *cmd = xasprintf ("ls -t '%s' | grep '^despatch-.*\\.db$' | head -1", bdir);
		newest = testlib_run (cmd);
		free (cmd);
		if (newest)
			newest[strcspn (newest, "\n")] = '\0';
		char *bpath = xasprintf ("%s/%s", bdir, newest ? newest : "");
		if (stat (bpath, &sb) == 0) {
			at = (int64_t) sb.st_mtim.tv_sec * 1000 + sb.st_mtim.tv_nsec / 1000000;
			size = sb.st_size;
		}
		free (bpath);
	}
	ok (wait_value (&p, "despatch_backup_last_timestamp_seconds", (double) at / 1000.0),
	    "despatch_backup_last_timestamp_seconds is the backup's time (%s)", newest ? newest : "?");
	is_int ((long long) prom_get (&p, "despatch_backup_size_bytes"), size, "and its size");
	ok (prom_get (&p, "despatch_backup_age_seconds") >= 0 && prom_get (&p, "despatch_backup_age_seconds") < 60,
	    "its age is seconds");
	free (newest);
	free (bdir);
	kill (hub.pid, SIGHUP);
	ok (wait_value (&p, "despatch_reloads_total{result=\"ok\"}", 1), "a reload: despatch_reloads_total{result=\"ok\"} 1");
	is_int ((int) prom_get (&p, "despatch_reload_last_success"), 1, "and it was taken");

	/* promtool, where installed, says the same of the file. */
	if (system ("command -v promtool >/dev/null 2>&1") == 0) {
		char *cmd = xasprintf ("promtool check metrics < '%s' 2>&1; echo \"exit $?\"", prom_path);
		char *out = testlib_run (cmd);
		is_str (out, "exit 0\n", "promtool check metrics finds nothing to say");
		free (out);
		free (cmd);
	} else {
		printf ("ok %d - promtool check metrics # SKIP promtool is not installed (Debian package prometheus)\n",
		    ++tap_count);
	}

	/* Read over and over while the hub rewrites it every second: always whole. */
	int reads = 0, whole = 0;
	char seen_error[256] = "";
	for (int64_t until = util_mono_ms () + 3000; util_mono_ms () < until; reads++) {
		char *text = read_text (prom_path);
		struct prom q;
		if (text && prom_parse (&q, text) && !isnan (prom_get (&q, "despatch_retention_last_timestamp_seconds")))
			whole++;
		else if (!*seen_error)
			util_strlcpy (seen_error, q.error, sizeof seen_error);
		free (text);
		usleep (2000);
	}
	is_int (whole, reads, "read %d times while it is rewritten, it was whole every time %s", reads, seen_error);
	/* Written beside and renamed over, never in place: what the folder sees of the name for 3 s. */
	int in = inotify_init1 (IN_NONBLOCK | IN_CLOEXEC);
	int wd = in >= 0 ? inotify_add_watch (in, scratch, IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE) : -1;
	int moved = 0, in_place = 0;
	for (int64_t until = util_mono_ms () + 3000; wd >= 0 && util_mono_ms () < until;) {
		char buf[4096] __attribute__ ((aligned (__alignof__ (struct inotify_event))));
		ssize_t n = read (in, buf, sizeof buf);
		for (char *e = buf; n > 0 && e < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *) e;
			if (ev->len && strcmp (ev->name, "despatch.prom") == 0) {
				if (ev->mask & IN_MOVED_TO)
					moved++;
				else
					in_place++;
			}
			e += sizeof *ev + ev->len;
		}
		usleep (20 * 1000);
	}
	if (in >= 0)
		close (in);
	ok (wd >= 0 && moved >= 2 && in_place == 0, "the file is only ever renamed into place (%d times), never written "
	    "where it is read (%d)", moved, in_place);
	char *tmp = xasprintf ("%s.tmp", prom_path);
	ok (stat (tmp, &sb) != 0, "no temporary file is left beside it");
	free (tmp);

	/* despatch status --prometheus: the same figures, from the database. */
	char *cmd = xasprintf ("'%s/admin/despatch' status --config '%s' --database '%s' --prometheus", getenv ("top_builddir"),
	    conf_path, hub.database);
	char *out = testlib_run (cmd);
	struct prom s;
	bool parsed = prom_parse (&s, out ? out : "");
	ok (parsed, "despatch status --prometheus prints the format (%s)", s.error);
	char *text = read_text (prom_path);
	prom_parse (&p, text ? text : "");
	free (text);
	bool same = parsed && p.n == s.n;
	static const char *const stable[] = { "despatch_scans_total{step=\"receive\"}", "despatch_scans_total{step=\"locate\"}",
		"despatch_scan_replies_total{reason=\"OK\"}", "despatch_orders{state=\"received\"}",
		"despatch_print_jobs{state=\"queued\"}", "despatch_printer_up{printer=\"label\"}",
		"despatch_backup_last_timestamp_seconds", "despatch_reloads_total{result=\"ok\"}", "despatch_up" };
	for (size_t i = 0; i < nitems (stable); i++)
		if (prom_get (&p, stable[i]) != prom_get (&s, stable[i])) {
			diag ("%s: file %g, status %g", stable[i], prom_get (&p, stable[i]), prom_get (&s, stable[i]));
			same = false;
		}
	ok (same, "the same series (%d and %d) and the same values as the hub's file", p.n, s.n);
	free (out);
	free (cmd);

	/* A path the hub cannot write: said once, then once more when it can again; the hub serves on. */
	char *bad = xasprintf ("path = %s/no-such-folder/despatch.prom", scratch);
	write_conf (bad);
	kill (hub.pid, SIGHUP);
	for (int i = 0; i < 100 && count_log ("metrics: cannot write") < 1; i++)
		usleep (50 * 1000);
	usleep (2500 * 1000); /* two more periods */
	is_int (count_log ("metrics: cannot write"), 1, "a path it cannot write is logged once");
	r = fl_scan (&t, "receive", "T1000002", NULL);
	ok (r != NULL, "the hub serves on");
	proto_msg_destroy (&r);
	write_conf (path_line);
	kill (hub.pid, SIGHUP);
	ok (wait_value (&p, "despatch_scans_total{step=\"receive\"}", 5), "the right path again: written, with the new scan");
	for (int i = 0; i < 100 && count_log ("metrics: written to") < 1; i++)
		usleep (50 * 1000); /* the loop logs it at its next turn after the thread wrote the file */
	is_int (count_log ("metrics: written to"), 1, "and the log says it is written again");
	free (bad);

	is_int (testlib_hub_stop (&hub), 0, "the hub stops cleanly");
	client_destroy (&t.c);
	free (config_arg);
	free (path_line);
	return tap_done ();
}
