/*
 * despatch-status.c: "despatch status", the hub's health for the people who
 * run it and for monitoring. It opens the hub's database read-only (never
 * changing it), asks CUPS about the configured printers, prints a report,
 * and lists everything that needs attention.
 *
 * Exit status (DESPATCH_STATUS_*): 0 all is well, 1 something needs
 * attention, 2 usage error or the configuration/database cannot be read,
 * 3 the hub is not running (no heartbeat, a stale one, or its process gone).
 *
 * Each part of the report is one check in a table; a check prints its lines
 * and adds what needs attention. What the hub writes for us is its heartbeat
 * row (table hub_status, hub-store.c); everything else is read from the
 * tables the hub keeps anyway, and a table this database does not have yet
 * (an older schema) is reported as absent, not as an error.
 */
#include "config.h"
#include "conf.h"
#include "db.h"
#include "despatch.h"
#include "hub/loop/hub-metrics.h"
#include "hub/store/hub-backup.h"
#include "hub/store/hub-store.h"
#include "printers/print.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
	DESPATCH_STATUS_OK = 0,
	DESPATCH_STATUS_ATTENTION = 1,
	DESPATCH_STATUS_USAGE = 2,
	DESPATCH_STATUS_DOWN = 3,
};

#define DESPATCH_STATUS_CONFIG DSP_SYSCONFDIR "/despatch/despatch.conf"
#define DESPATCH_STATUS_DATABASE "despatch.db"
/* A heartbeat older than this many beats (and at least the floor) is stale. */
#define DESPATCH_STATUS_STALE_BEATS 4
#define DESPATCH_STATUS_STALE_FLOOR_MS 15000

struct despatch_status {
	conf_t *conf;
	db_t *db;
	const char *database;
	int64_t now_ms;
	bool quiet;
	bool hub_down;
	char **attention;
	size_t nattention;
};

static void despatch_status_line (struct despatch_status *st, const char *what, const char *fmt, ...)
	__attribute__ ((format (printf, 3, 4)));
static void despatch_status_attend (struct despatch_status *st, const char *fmt, ...)
	__attribute__ ((format (printf, 2, 3)));

/* One line of the report: "what:" padded, then the text. */
static void
despatch_status_line (struct despatch_status *st, const char *what, const char *fmt, ...)
{
	if (st->quiet)
		return;
	va_list ap;
	va_start (ap, fmt);
	char *text = xvasprintf (fmt, ap);
	va_end (ap);
	printf ("%-10s %s\n", what, text);
	free (text);
}

/* Something needs attention: listed after the report, and the exit status is 1. */
static void
despatch_status_attend (struct despatch_status *st, const char *fmt, ...)
{
	va_list ap;
	va_start (ap, fmt);
	st->attention = xrealloc (st->attention, (st->nattention + 1) * sizeof *st->attention);
	st->attention[st->nattention++] = xvasprintf (fmt, ap);
	va_end (ap);
}

/* "3d 04h", "2h 03m", "4m 10s", "12s" into buf. */
static const char *
despatch_status_duration (int64_t ms, char *buf, size_t n)
{
	int64_t s = ms < 0 ? 0 : ms / 1000;
	if (s >= 86400)
		snprintf (buf, n, "%lldd %02lldh", (long long) (s / 86400), (long long) (s % 86400 / 3600));
	else if (s >= 3600)
		snprintf (buf, n, "%lldh %02lldm", (long long) (s / 3600), (long long) (s % 3600 / 60));
	else if (s >= 60)
		snprintf (buf, n, "%lldm %02llds", (long long) (s / 60), (long long) (s % 60));
	else
		snprintf (buf, n, "%llds", (long long) s);
	return buf;
}

static const char *
despatch_status_size (int64_t bytes, char *buf, size_t n)
{
	static const char *units[] = { "bytes", "KiB", "MiB", "GiB", "TiB" };
	double v = (double) bytes;
	size_t u = 0;
	while (v >= 1024 && u + 1 < nitems (units)) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf (buf, n, "%lld bytes", (long long) bytes);
	else
		snprintf (buf, n, "%.1f %s", v, units[u]);
	return buf;
}

static bool
despatch_status_has_table (struct despatch_status *st, const char *table)
{
	db_stmt_t *q = db_prepare (st->db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
	if (q == NULL)
		return false;
	db_bind_text (q, 1, table);
	bool found = db_step (q) == DB_ROW;
	db_reset (q);
	return found;
}

static long
despatch_status_setting (struct despatch_status *st, const char *key, long dflt, long min, long max)
{
	long v = dflt;
	char *cause = NULL;
	if (conf_get_long (st->conf, key, dflt, min, max, &v, &cause) != 0) {
		despatch_status_attend (st, "configuration: %s (using %ld)", cause, dflt);
		free (cause);
		v = dflt;
	}
	return v;
}

/* The hub's heartbeat row: running, since when, fresh or stale. */
static void
despatch_status_hub (struct despatch_status *st)
{
	char d1[32], d2[32];
	int schema = db_user_version (st->db);
	if (!despatch_status_has_table (st, "hub_status")) {
		despatch_status_line (st, "hub:", "no heartbeat recorded (database schema %d)", schema);
		despatch_status_attend (st, "hub: no heartbeat in %s: start despatch-hub (a hub older than "
		    "this tool writes none)", st->database);
		st->hub_down = true;
		return;
	}
	db_stmt_t *q = db_prepare (st->db,
	    "SELECT version, pid, endpoint, started_at, updated_at, coalesce(stopped_at, 0), beat_ms FROM hub_status"
	    " WHERE id = 1");
	if (q == NULL || db_step (q) != DB_ROW) {
		if (q)
			db_reset (q);
		despatch_status_line (st, "hub:", "no heartbeat recorded");
		despatch_status_attend (st, "hub: no heartbeat in %s: start despatch-hub", st->database);
		st->hub_down = true;
		return;
	}
	char *version = xstrdup (db_col_text (q, 0));
	long long pid = (long long) db_col_int (q, 1);
	char *endpoint = xstrdup (db_col_text (q, 2));
	int64_t started = db_col_int (q, 3), updated = db_col_int (q, 4), stopped = db_col_int (q, 5);
	int64_t beat = db_col_int (q, 6);
	db_reset (q);

	int64_t stale = beat * DESPATCH_STATUS_STALE_BEATS;
	if (stale < DESPATCH_STATUS_STALE_FLOOR_MS)
		stale = DESPATCH_STATUS_STALE_FLOOR_MS;
	/* kill 0 tells whether the pid lives; EPERM: it does, as another user. */
	bool alive = pid > 0 && (kill ((pid_t) pid, 0) == 0 || errno == EPERM);
	if (stopped > 0) {
		despatch_status_line (st, "hub:", "despatch-hub %s stopped %s ago (was up %s)", version,
		    despatch_status_duration (st->now_ms - stopped, d1, sizeof d1),
		    despatch_status_duration (stopped - started, d2, sizeof d2));
		despatch_status_attend (st, "hub: not running (stopped cleanly %s ago); start it with "
		    "systemctl start despatch-hub", despatch_status_duration (st->now_ms - stopped, d1, sizeof d1));
		st->hub_down = true;
	} else if (st->now_ms - updated > stale || !alive) {
		despatch_status_line (st, "hub:", "despatch-hub %s, pid %lld, last heartbeat %s ago%s", version, pid,
		    despatch_status_duration (st->now_ms - updated, d1, sizeof d1), alive ? "" : " (process gone)");
		despatch_status_attend (st, "hub: not running: %s; see journalctl -u despatch-hub",
		    alive ? "its heartbeat is stale (hung, or its database is locked?)" : "its process is gone");
		st->hub_down = true;
	} else {
		despatch_status_line (st, "hub:", "despatch-hub %s, pid %lld, up %s, on %s, heartbeat %s ago", version,
		    pid, despatch_status_duration (st->now_ms - started, d1, sizeof d1), endpoint,
		    despatch_status_duration (st->now_ms - updated, d2, sizeof d2));
	}
	free (version);
	free (endpoint);
}

/* The hub's last reload (SIGHUP), from the audit trail (hub/loop/hub-reload.h). */
static void
despatch_status_reload (struct despatch_status *st)
{
	char d1[32];
	if (!despatch_status_has_table (st, "events") || !despatch_status_has_table (st, "hub_status"))
		return;
	int64_t started = db_query_int (st->db, "SELECT started_at FROM hub_status WHERE id = 1", 0);
	db_stmt_t *q = db_prepare (st->db, "SELECT at, code, detail FROM events WHERE operator = 'system'"
	                                   " AND action = 'reload' ORDER BY id DESC LIMIT 1");
	if (q == NULL || db_step (q) != DB_ROW) {
		if (q)
			db_reset (q);
		despatch_status_line (st, "reload:", "none since the hub started (systemctl reload despatch-hub)");
		return;
	}
	int64_t at = db_col_int (q, 0);
	bool ok = strcmp (db_col_text (q, 1), "ok") == 0;
	char *detail = xstrdup (db_col_text (q, 2));
	db_reset (q);
	bool since = at >= started;
	despatch_status_line (st, "reload:", "%s %s ago: %s (%s)%s", since ? "last" : "before this start, last",
	    despatch_status_duration (st->now_ms - at, d1, sizeof d1), ok ? "ok" : "refused", detail,
	    ok || !since ? "" : "; the hub runs with its previous settings");
	if (!ok && since)
		despatch_status_attend (st, "reload: the configuration was refused %s ago (%s): mend it; "
		    "the hub runs with its previous settings, and would not start with this file",
		    despatch_status_duration (st->now_ms - at, d1, sizeof d1), detail);
	free (detail);
}

/* The last run of file retention (hub/loop/hub-retention.h), from the audit trail. */
static void
despatch_status_retention (struct despatch_status *st)
{
	char d1[32];
	if (!despatch_status_has_table (st, "events"))
		return;
	db_stmt_t *q = db_prepare (st->db, "SELECT at, code, detail FROM events WHERE operator = 'system'"
	                                   " AND action = 'retention' ORDER BY id DESC LIMIT 1");
	if (q == NULL || db_step (q) != DB_ROW) {
		if (q)
			db_reset (q);
		despatch_status_line (st, "retention:", "no run of file retention recorded yet");
		return;
	}
	int64_t at = db_col_int (q, 0);
	bool ok = strcmp (db_col_text (q, 1), "ok") == 0;
	char *detail = xstrdup (db_col_text (q, 2));
	db_reset (q);
	despatch_status_line (st, "retention:", "last run %s ago: %s", despatch_status_duration (st->now_ms - at, d1,
	    sizeof d1), detail);
	if (!ok)
		despatch_status_attend (st, "retention: old files could not all be removed %s ago: %s",
		    despatch_status_duration (st->now_ms - at, d1, sizeof d1), detail);
	free (detail);
}

/* File size of path, 0 when absent. */
static int64_t
despatch_status_file_size (const char *path)
{
	struct stat sb;
	return stat (path, &sb) == 0 ? (int64_t) sb.st_size : 0;
}

static void
despatch_status_database (struct despatch_status *st)
{
	char s1[32], s2[32];
	char *wal = db_wal_name (st->database);
	int64_t main_size = despatch_status_file_size (st->database), wal_size = despatch_status_file_size (wal);
	free (wal);
	int schema = db_user_version (st->db);
	despatch_status_line (st, "database:", "%s, schema %d, %s (+ %s write-ahead log)", st->database, schema,
	    despatch_status_size (main_size, s1, sizeof s1), despatch_status_size (wal_size, s2, sizeof s2));
	if (schema > HUB_STORE_SCHEMA)
		despatch_status_attend (st, "database: schema %d is newer than this despatch tool knows (%d): "
		    "upgrade the despatch package on this machine", schema, HUB_STORE_SCHEMA);
}

/* Connected terminals, and those with an operator logged in that went quiet. */
static void
despatch_status_terminals (struct despatch_status *st)
{
	char d1[32];
	if (!despatch_status_has_table (st, "terminals")) {
		despatch_status_line (st, "terminals:", "none (no terminals table)");
		return;
	}
	/* The hub's own expiry when it wrote one, else the configuration's. */
	long dflt = 30000;
	if (despatch_status_has_table (st, "hub_status"))
		dflt = (long) db_query_int (st->db, "SELECT expiry_ms FROM hub_status WHERE id = 1", dflt);
	long expiry = despatch_status_setting (st, "hub.expiry_ms", dflt, 100, 3600000);
	long quiet_max = despatch_status_setting (st, "status.quiet_max", 0, 0, 100000);
	db_stmt_t *q = db_prepare (st->db,
	    "SELECT terminal, station, coalesce(operator, ''), last_seen FROM terminals ORDER BY terminal");
	if (q == NULL) {
		despatch_status_line (st, "terminals:", "cannot be read: %s", db_errmsg (st->db));
		return;
	}
	int connected = 0, idle = 0, quiet = 0;
	char *names = xstrdup ("");
	while (db_step (q) == DB_ROW) {
		int64_t silent = st->now_ms - db_col_int (q, 3);
		const char *op = db_col_text (q, 2);
		if (silent <= expiry) {
			connected++;
		} else if (*op != '\0') {
			quiet++;
			char *more = xasprintf ("%s%s%s (station %s, operator %s, silent %s)", names, *names ? ", " : "",
			    db_col_text (q, 0), db_col_text (q, 1), op,
			    despatch_status_duration (silent, d1, sizeof d1));
			free (names);
			names = more;
		} else {
			idle++;
		}
	}
	db_reset (q);
	despatch_status_line (st, "terminals:", "%d connected, %d quiet, %d off (nobody logged in)", connected, quiet,
	    idle);
	if (quiet > 0)
		despatch_status_line (st, "", "quiet: %s", names);
	if (quiet > quiet_max)
		despatch_status_attend (st, "terminals: %d gone quiet with an operator logged in: %s", quiet, names);
	free (names);
}

static void
despatch_status_scans (struct despatch_status *st)
{
	if (!despatch_status_has_table (st, "scans")) {
		despatch_status_line (st, "scans:", "none (no scans table)");
		return;
	}
	db_stmt_t *q = db_prepare (st->db,
	    "SELECT count(*) FILTER (WHERE at >= ?1), count(*) FROM scans WHERE at >= ?2");
	if (q == NULL) {
		despatch_status_line (st, "scans:", "cannot be read: %s", db_errmsg (st->db));
		return;
	}
	db_bind_int (q, 1, st->now_ms - 60 * 1000);
	db_bind_int (q, 2, st->now_ms - 15 * 60 * 1000);
	int64_t minute = 0, quarter = 0;
	if (db_step (q) == DB_ROW) {
		minute = db_col_int (q, 0);
		quarter = db_col_int (q, 1);
	}
	db_reset (q);
	despatch_status_line (st, "scans:", "%lld in the last minute, %.1f per minute over 15 minutes",
	    (long long) minute, (double) quarter / 15.0);
}

/*
 * Outgoing queues the hub keeps in its database: a row is unsent while
 * `pending` holds; `failed` rows need a person. A queue whose table this
 * database lacks is skipped.
 */
static const struct despatch_status_queue {
	const char *table;
	const char *what;
	const char *pending;
	const char *failed;
} despatch_status_queues[] = {
	{ "label_jobs", "print jobs", "status NOT IN ('printed', 'cancelled')", "status = 'failed'" },
};

static void
despatch_status_unsent (struct despatch_status *st)
{
	char d1[32];
	long max_age = despatch_status_setting (st, "status.queue_max_age_s", 600, 1, 86400 * 30);
	int shown = 0;
	for (size_t i = 0; i < nitems (despatch_status_queues); i++) {
		const struct despatch_status_queue *qd = &despatch_status_queues[i];
		if (!despatch_status_has_table (st, qd->table))
			continue;
		char *sql = xasprintf ("SELECT count(*), coalesce(min(created_at), 0), count(*) FILTER (WHERE %s)"
		    " FROM %s WHERE %s", qd->failed, qd->table, qd->pending);
		db_stmt_t *q = db_prepare (st->db, sql);
		free (sql);
		shown++;
		if (q == NULL || db_step (q) != DB_ROW) {
			if (q)
				db_reset (q);
			despatch_status_line (st, "queues:", "%s: cannot be read: %s", qd->what, db_errmsg (st->db));
			continue;
		}
		int64_t n = db_col_int (q, 0), oldest = db_col_int (q, 1), failed = db_col_int (q, 2);
		db_reset (q);
		if (n == 0) {
			despatch_status_line (st, "queues:", "%s: none unsent", qd->what);
			continue;
		}
		despatch_status_line (st, "queues:", "%s: %lld unsent (%lld failed), oldest %s", qd->what, (long long) n,
		    (long long) failed, despatch_status_duration (st->now_ms - oldest, d1, sizeof d1));
		if (failed > 0)
			despatch_status_attend (st, "queues: %lld %s failed: reprint, redirect or cancel them", (long long) failed,
			    qd->what);
		if (st->now_ms - oldest > (int64_t) max_age * 1000)
			despatch_status_attend (st, "queues: %s unsent for %s (more than %lds)", qd->what,
			    despatch_status_duration (st->now_ms - oldest, d1, sizeof d1), max_age);
	}
	if (shown == 0)
		despatch_status_line (st, "queues:", "none in this database");
}

/*
 * The events feed: how many shipment events wait to be exported, and the
 * hub's last export error (events_feed.error, kept by hub-events.c until an
 * export works again), so a folder the hub can no longer write shows here
 * and not only in its log.
 */
static void
despatch_status_events (struct despatch_status *st)
{
	const char *exports = conf_get (st->conf, "hub.exports", NULL);
	bool has_error = false;
	db_stmt_t *q = despatch_status_has_table (st, "events_feed") ? db_prepare (st->db,
	    "SELECT f.active, (SELECT count(*) FROM events e WHERE e.id > f.sent AND e.action IN ('receive', 'pack',"
	    " 'label', 'verify', 'scanout', 'closeout', 'reopen', 'track', 'hold', 'release', 'undo')),"
	    " f.error, coalesce (f.error_at, 0) FROM events_feed f WHERE f.id = 1") : NULL;
	if (q == NULL) {
		/* An older schema has no error column: the count alone. */
		despatch_status_line (st, "events:", "%s", exports ? exports : "no export folder set (hub.exports)");
		return;
	}
	if (db_step (q) != DB_ROW) {
		db_reset (q);
		despatch_status_line (st, "events:", "no feed recorded yet");
		return;
	}
	bool active = db_col_int (q, 0) != 0;
	int64_t waiting = db_col_int (q, 1), at = db_col_int (q, 3);
	char *error = db_col_is_null (q, 2) ? NULL : xstrdup (db_col_text (q, 2));
	db_reset (q);
	has_error = error != NULL;
	if (!active)
		despatch_status_line (st, "events:", "feed off (neither hub.events nor hub.exports set)");
	else if (!has_error)
		despatch_status_line (st, "events:", "%s%s, %lld waiting", exports ? "exported to " : "published",
		    exports ? exports : "", (long long) waiting);
	else {
		char d1[32];
		despatch_status_line (st, "events:", "export failing for %s, %lld waiting: %s",
		    despatch_status_duration (st->now_ms - at, d1, sizeof d1), (long long) waiting, error);
		despatch_status_attend (st, "events: the hub cannot write its events export (%s); nothing is lost, it "
		    "tries again: give the folder and its files back to the hub's user (chown) and check the disk", error);
	}
	free (error);
}

/* The queues named in [printer]: keys ending in one of these, and what each role's queue must print. */
static const struct {
	const char *suffix;
	enum print_format format;
} despatch_status_printer_roles[] = {
	{ ".label", PRINT_FORMAT_ZPL },
	{ ".fallback", PRINT_FORMAT_ZPL },
	{ ".document", PRINT_FORMAT_PDF },
	{ ".document-fallback", PRINT_FORMAT_PDF },
};

/* A queue, the first key that names it, and the formats its roles need (bit per format). */
struct despatch_status_queue_use {
	char *name;
	char *key;
	unsigned formats;
};

struct despatch_status_names {
	struct despatch_status_queue_use *v;
	size_t n;
};

static void
despatch_status_printer_key (const char *key, const char *value, void *arg)
{
	struct despatch_status_names *names = arg;
	if (strncmp (key, "printer.", 8) != 0 || *value == '\0')
		return;
	size_t kl = strlen (key);
	int role = -1;
	for (size_t i = 0; i < nitems (despatch_status_printer_roles); i++) {
		size_t rl = strlen (despatch_status_printer_roles[i].suffix);
		if (kl > rl && strcmp (key + kl - rl, despatch_status_printer_roles[i].suffix) == 0)
			role = (int) i;
	}
	if (role < 0)
		return;
	unsigned bit = 1u << despatch_status_printer_roles[role].format;
	for (size_t i = 0; i < names->n; i++)
		if (strcmp (names->v[i].name, value) == 0) {
			names->v[i].formats |= bit;
			return;
		}
	names->v = xrealloc (names->v, (names->n + 1) * sizeof *names->v);
	names->v[names->n++] = (struct despatch_status_queue_use) { xstrdup (value), xstrdup (key), bit };
}

/* Whether a queue is marked for what its roles send it (doc/printing.md): said and attended to when not. */
static void
despatch_status_printer_format (struct despatch_status *st, const struct despatch_status_queue_use *u,
    const print_queue_t *q)
{
	for (int f = PRINT_FORMAT_ZPL; f <= PRINT_FORMAT_PDF; f++) {
		if (!(u->formats & (1u << f)) || q->format == f)
			continue;
		const char *want = print_format_name ((enum print_format) f);
		if (q->format < 0) {
			despatch_status_line (st, "", "%s does not say what it prints (no despatch-format)", q->name);
			despatch_status_attend (st, "printer %s (%s) does not say what it prints, so every job sent to it is "
			    "refused: mark it with despatch-print format %s %s", q->name, u->key + strlen ("printer."), q->name,
			    want);
		} else {
			despatch_status_line (st, "", "%s prints %s, not %s", q->name,
			    print_format_name ((enum print_format) q->format), want);
			despatch_status_attend (st, "printer %s (%s) is marked for %s, but %s is sent to it: name a %s queue "
			    "there, or mark it with despatch-print format %s %s", q->name, u->key + strlen ("printer."),
			    print_format_name ((enum print_format) q->format), want, want, q->name, want);
		}
	}
}

static void
despatch_status_printers (struct despatch_status *st)
{
	struct despatch_status_names names = { NULL, 0 };
	conf_each (st->conf, despatch_status_printer_key, &names);
	if (names.n == 0) {
		despatch_status_line (st, "printers:", "none configured");
		return;
	}
	char *cause = NULL;
	const char *server = conf_get (st->conf, "printer.server", NULL);
	print_t *p = print_new (server, &cause);
	if (p == NULL) {
		despatch_status_line (st, "printers:", "%s", cause);
		despatch_status_attend (st, "printers: %s", cause);
		free (cause);
	}
	for (size_t i = 0; i < names.n && p; i++) {
		print_queue_t q;
		if (print_queue (p, names.v[i].name, &q, &cause) != 0) {
			despatch_status_line (st, "printer:", "%s: %s", names.v[i].name, cause);
			despatch_status_attend (st, "printer %s: %s", names.v[i].name, cause);
			free (cause);
			cause = NULL;
			continue;
		}
		despatch_status_line (st, "printer:", "%s: %s (%s, %d job%s waiting%s%s)", q.name,
		    print_health_name (q.health), print_queue_state_name (q.state), q.queued, q.queued == 1 ? "" : "s",
		    *q.message ? ", " : "", q.message);
		if (q.health != PRINT_OK)
			despatch_status_attend (st, "printer %s is %s%s%s", q.name, print_health_name (q.health),
			    *q.message ? ": " : "", q.message);
		despatch_status_printer_format (st, &names.v[i], &q);
	}
	print_destroy (&p);
	for (size_t i = 0; i < names.n; i++) {
		free (names.v[i].name);
		free (names.v[i].key);
	}
	free (names.v);
}

/* The newest despatch-*.db in the backup folder (despatch backup and despatch-backup(8) write them). */
static void
despatch_status_backup (struct despatch_status *st)
{
	char d1[32], s1[32];
	char *dir = hub_backup_dir (st->conf, st->database);
	long max_h = despatch_status_setting (st, "status.backup_max_age_h", 26, 0, 24 * 365);
	int64_t newest_ms = 0, newest_size = 0;
	char *newest = hub_backup_newest (dir, &newest_ms, &newest_size);
	if (newest == NULL) {
		despatch_status_line (st, "backup:", "none in %s", dir);
		if (max_h > 0)
			despatch_status_attend (st, "backup: no backup in %s; run despatch-backup (or enable "
			    "despatch-backup.timer)", dir);
	} else {
		despatch_status_line (st, "backup:", "%s/%s, %s, %s ago", dir, newest,
		    despatch_status_size (newest_size, s1, sizeof s1),
		    despatch_status_duration (st->now_ms - newest_ms, d1, sizeof d1));
		if (max_h > 0 && st->now_ms - newest_ms > (int64_t) max_h * 3600 * 1000)
			despatch_status_attend (st, "backup: the last backup is %s old (more than %ld hours)",
			    despatch_status_duration (st->now_ms - newest_ms, d1, sizeof d1), max_h);
	}
	free (newest);
	free (dir);
}

/* The report, in order; each part prints its lines and adds what needs attention. */
static const struct {
	const char *name;
	void (*run) (struct despatch_status *st);
} despatch_status_checks[] = {
	{ "hub", despatch_status_hub },
	{ "reload", despatch_status_reload },
	{ "database", despatch_status_database },
	{ "terminals", despatch_status_terminals },
	{ "scans", despatch_status_scans },
	{ "queues", despatch_status_unsent },
	{ "events", despatch_status_events },
	{ "printers", despatch_status_printers },
	{ "backup", despatch_status_backup },
	{ "retention", despatch_status_retention },
};

/* --prometheus: the metrics the hub writes to metrics.path, made the same way from the database (hub-metrics.h). */
static int
despatch_status_prometheus (struct despatch_status *st)
{
	struct hub_metrics_src src;
	hub_metrics_src_read (&src, st->conf, st->database);
	/* The hub's own expiry when it wrote one and the configuration says none, as the report counts. */
	if (conf_get (st->conf, "hub.expiry_ms", NULL) == NULL && despatch_status_has_table (st, "hub_status"))
		src.expiry_ms = (int) db_query_int (st->db, "SELECT expiry_ms FROM hub_status WHERE id = 1", src.expiry_ms);
	char *text = hub_metrics_text (st->db, &src, st->now_ms, NULL);
	hub_metrics_src_free (&src);
	if (text == NULL) {
		fprintf (stderr, "despatch status: out of memory for the metrics\n");
		return DESPATCH_STATUS_USAGE;
	}
	fputs (text, stdout);
	free (text);
	return DESPATCH_STATUS_OK;
}

static void
despatch_status_usage (FILE *f)
{
	fprintf (f,
	    "usage: despatch status [--config FILE] [--database DB] [--set SECTION.KEY=VALUE]... [--quiet | --prometheus]\n"
	    "  -c, --config FILE       settings (default " DESPATCH_STATUS_CONFIG " if it exists)\n"
	    "  -d, --database DB       the hub's database (default hub.database, else ./" DESPATCH_STATUS_DATABASE ")\n"
	    "  -s, --set SECTION.KEY=VALUE  override one setting\n"
	    "  -q, --quiet             print only what needs attention\n"
	    "  -p, --prometheus        print the metrics the hub writes (Prometheus's text format) instead\n"
	    "  -h, --help              print this help and exit\n"
	    "Exit status: 0 all is well (with --prometheus: printed), 1 something needs attention (listed),\n"
	    "2 usage or unreadable configuration or database, 3 the hub is not running.\n");
}

static void
despatch_status_override (const char *key, const char *value, void *arg)
{
	conf_set ((conf_t *) arg, key, value);
}

static int
despatch_status_exec (db_t *none, int argc, char **argv)
{
	(void) none; /* it opens its own, read-only, from its options */
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "database", required_argument, NULL, 'd' },
		{ "set", required_argument, NULL, 's' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "prometheus", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct despatch_status st = { .conf = conf_new () };
	conf_t *overrides = conf_new ();
	const char *config = NULL, *database = NULL;
	char *cause = NULL;
	int c, rc = DESPATCH_STATUS_USAGE;
	bool prometheus = false;

	optind = 1;
	while ((c = getopt_long (argc, argv, "c:d:s:qph", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'd': database = optarg; break;
		case 's':
			if (conf_set_arg (overrides, optarg, &cause) != 0)
				goto usage_cause;
			break;
		case 'q': st.quiet = true; break;
		case 'p': prometheus = true; break;
		case 'h': despatch_status_usage (stdout); rc = DESPATCH_STATUS_OK; goto out;
		default: despatch_status_usage (stderr); goto out;
		}
	}
	if (optind != argc) {
		fprintf (stderr, "despatch status: unexpected argument '%s'\n", argv[optind]);
		despatch_status_usage (stderr);
		goto out;
	}
	if (config == NULL && access (DESPATCH_STATUS_CONFIG, F_OK) == 0)
		config = DESPATCH_STATUS_CONFIG;
	if (config && conf_load (st.conf, config, &cause) != 0)
		goto usage_cause;
	/* Overrides after the file: later settings win. */
	conf_each (overrides, despatch_status_override, st.conf);
	st.database = database ? database : conf_get (st.conf, "hub.database", DESPATCH_STATUS_DATABASE);

	struct stat sb;
	if (stat (st.database, &sb) != 0) {
		/* Never made here, or not where it was said to be: nothing to read (opening it would make one). */
		fprintf (stderr, "despatch status: no database at %s (%s): is hub.database (or --database) right? "
		    "A hub that has run with this configuration has made it\n", st.database, strerror (errno));
		goto out;
	}
	if (despatch_database_folder ("status", st.database))
		goto out;
	st.db = db_open (st.database, DB_READONLY, &cause);
	if (st.db == NULL || db_user_version (st.db) < 0) {
		if (st.db) {
			cause = xasprintf ("%s: cannot be read: %s", st.database, db_errmsg (st.db));
			db_close (&st.db);
		}
		/* Another user is the way out only of a file this one may not read; db_open says what else to do. */
		fprintf (stderr, "despatch status: %s%s\n", cause,
		    access (st.database, R_OK) != 0 ? "; run it as root or as the despatch user" : "");
		free (cause);
		goto out;
	}
	st.now_ms = util_wall_ms ();
	if (prometheus) {
		rc = despatch_status_prometheus (&st);
		goto out;
	}
	for (size_t i = 0; i < nitems (despatch_status_checks); i++)
		despatch_status_checks[i].run (&st);
	if (db_changed_unlocked (st.db))
		despatch_status_attend (&st, "%s changed while it was read (a hub is writing it): it was read without a "
		    "lock, as its folder cannot be written, so these figures may be wrong: run it as root or the hub's user",
		    st.database);
	for (size_t i = 0; i < st.nattention; i++)
		printf ("attention: %s\n", st.attention[i]);
	if (st.hub_down)
		rc = DESPATCH_STATUS_DOWN;
	else if (st.nattention > 0)
		rc = DESPATCH_STATUS_ATTENTION;
	else {
		rc = DESPATCH_STATUS_OK;
		if (!st.quiet)
			printf ("all is well\n");
	}
	goto out;

usage_cause:
	fprintf (stderr, "despatch status: %s\n", cause);
	free (cause);
out:
	for (size_t i = 0; i < st.nattention; i++)
		free (st.attention[i]);
	free (st.attention);
	db_close (&st.db);
	conf_destroy (&overrides);
	conf_destroy (&st.conf);
	return rc;
}

const struct despatch_cmd_entry despatch_status_entry = {
	.name = "status",
	.usage = "[--config FILE]",
	.help = "the hub's health; exit 1 when something needs attention (despatch status --help)",
	.flags = DESPATCH_CMD_OPTIONS,
	.exec = despatch_status_exec,
};
