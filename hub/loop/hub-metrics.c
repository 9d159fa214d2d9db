/* hub-metrics.c: the Prometheus text and the hub's metrics file (see hub-metrics.h). */
#include "config.h"
#include "hub-metrics.h"
#include "hub/cmd/hub-scan.h"
#include "hub/store/hub-backup.h"
#include "hub/store/hub-state.h"
#include "log.h"
#include "printers/print.h"
#include "proto.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A heartbeat older than this many beats (and at least the floor) is stale, as despatch status says. */
#define HUB_METRICS_STALE_BEATS 4
#define HUB_METRICS_STALE_FLOOR_MS 15000
#define HUB_METRICS_NAMES 64

/* --- the settings it needs ------------------------------------------------ */

/* Queues are named by keys ending in one of these (printers/print.h). */
static const char *const hub_metrics_printer_roles[] = { ".label", ".document", ".fallback", ".document-fallback" };

static void
hub_metrics_printer_key (const char *key, const char *value, void *arg)
{
	struct hub_metrics_src *src = arg;
	if (strncmp (key, "printer.", 8) != 0 || *value == '\0')
		return;
	size_t kl = strlen (key);
	bool queue = false;
	for (size_t i = 0; i < nitems (hub_metrics_printer_roles); i++) {
		size_t rl = strlen (hub_metrics_printer_roles[i]);
		queue |= kl > rl && strcmp (key + kl - rl, hub_metrics_printer_roles[i]) == 0;
	}
	for (size_t i = 0; queue && i < src->nprinters; i++)
		if (strcmp (src->printers[i], value) == 0)
			return;
	if (!queue)
		return;
	src->printers = xrealloc (src->printers, (src->nprinters + 1) * sizeof *src->printers);
	src->printers[src->nprinters++] = xstrdup (value);
}

void
hub_metrics_src_read (struct hub_metrics_src *src, conf_t *conf, const char *database)
{
	memset (src, 0, sizeof *src);
	src->database = xstrdup (database);
	src->backup_dir = hub_backup_dir (conf, database);
	const char *server = conf_get (conf, "printer.server", NULL);
	src->server = server && *server ? xstrdup (server) : NULL;
	long expiry = 30000;
	char *cause = NULL;
	if (conf_get_long (conf, "hub.expiry_ms", 30000, 100, 3600000, &expiry, &cause) != 0)
		free (cause);
	src->expiry_ms = (int) expiry;
	conf_each (conf, hub_metrics_printer_key, src);
}

void
hub_metrics_src_free (struct hub_metrics_src *src)
{
	free (src->database);
	free (src->backup_dir);
	free (src->server);
	for (size_t i = 0; i < src->nprinters; i++)
		free (src->printers[i]);
	free (src->printers);
	memset (src, 0, sizeof *src);
}

/* --- counters carried between texts --------------------------------------- */

struct hub_metrics_count {
	char name[48];
	int64_t n;
};

struct hub_metrics_counts {
	int64_t last_scan;    /* scans counted up to this id */
	struct hub_metrics_count steps[HUB_METRICS_NAMES], reasons[HUB_METRICS_NAMES];
	size_t nsteps, nreasons;
};

void
hub_metrics_counts_free (struct hub_metrics_counts **counts_p)
{
	if (counts_p == NULL || *counts_p == NULL)
		return;
	free (*counts_p);
	*counts_p = NULL;
}

static void
hub_metrics_count_add (struct hub_metrics_count *v, size_t *n, const char *name, int64_t by)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp (v[i].name, name) == 0) {
			v[i].n += by;
			return;
		}
	if (*n >= HUB_METRICS_NAMES)
		return; /* names come from the hub's own tables: more than this is not a real step or reason */
	util_strlcpy (v[*n].name, name, sizeof v[*n].name);
	v[(*n)++].n = by;
}

/* --- writing the text ----------------------------------------------------- */

struct hub_metrics_ctx {
	FILE *f;
	db_t *db;
	const struct hub_metrics_src *src;
	int64_t now_ms;
	struct hub_metrics_counts *counts;
};

static void
hub_metrics_family (FILE *f, const char *name, const char *type, const char *help)
{
	fprintf (f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label's value, escaped as the format wants (backslash, quote, new line). */
static void
hub_metrics_label (FILE *f, const char *value)
{
	for (const char *p = value; *p; p++) {
		if (*p == '\\' || *p == '"')
			fprintf (f, "\\%c", *p);
		else if (*p == '\n')
			fputs ("\\n", f);
		else
			fputc (*p, f);
	}
}

static void
hub_metrics_sample (FILE *f, const char *name, const char *label, const char *value, double v)
{
	fputs (name, f);
	if (label) {
		fprintf (f, "{%s=\"", label);
		hub_metrics_label (f, value);
		fputs ("\"}", f);
	}
	/* Whole numbers as they are; times to the millisecond they are kept in. */
	if (v == (double) (int64_t) v)
		fprintf (f, " %lld\n", (long long) v);
	else
		fprintf (f, " %.3f\n", v);
}

static bool
hub_metrics_has_table (db_t *db, const char *table)
{
	db_stmt_t *q = db_prepare (db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
	if (q == NULL)
		return false;
	db_bind_text (q, 1, table);
	bool found = db_step (q) == DB_ROW;
	db_reset (q);
	return found;
}

static void
hub_metrics_hub (struct hub_metrics_ctx *c)
{
	int64_t started = 0, updated = 0, stopped = 0, beat = HUB_METRICS_STALE_FLOOR_MS, pid = 0;
	db_stmt_t *q = hub_metrics_has_table (c->db, "hub_status")
	    ? db_prepare (c->db, "SELECT started_at, updated_at, coalesce(stopped_at, 0), beat_ms, pid FROM hub_status"
	                         " WHERE id = 1")
	    : NULL;
	if (q && db_step (q) == DB_ROW) {
		started = db_col_int (q, 0);
		updated = db_col_int (q, 1);
		stopped = db_col_int (q, 2);
		beat = db_col_int (q, 3);
		pid = db_col_int (q, 4);
	}
	if (q)
		db_reset (q);
	int64_t stale = beat * HUB_METRICS_STALE_BEATS;
	if (stale < HUB_METRICS_STALE_FLOOR_MS)
		stale = HUB_METRICS_STALE_FLOOR_MS;
	bool alive = pid > 0 && (kill ((pid_t) pid, 0) == 0 || errno == EPERM);
	bool up = updated > 0 && stopped == 0 && c->now_ms - updated <= stale && alive;
	hub_metrics_family (c->f, "despatch_up", "gauge",
	    "Whether the hub runs: 1 while its heartbeat is fresh and its process alive, else 0.");
	hub_metrics_sample (c->f, "despatch_up", NULL, NULL, up);
	hub_metrics_family (c->f, "despatch_start_timestamp_seconds", "gauge",
	    "When the hub that wrote the last heartbeat started (Unix time).");
	hub_metrics_sample (c->f, "despatch_start_timestamp_seconds", NULL, NULL, (double) started / 1000.0);
}

static void
hub_metrics_scans (struct hub_metrics_ctx *c)
{
	if (!hub_metrics_has_table (c->db, "scans"))
		return;
	struct hub_metrics_counts fresh = { 0 }, *n = c->counts ? c->counts : &fresh;
	/* Every step the hub knows, 0 until scanned; the replies' reasons as they come. */
	for (int i = 0; i < hub_scan_nsteps; i++)
		hub_metrics_count_add (n->steps, &n->nsteps, hub_scan_steps[i].name, 0);
	hub_metrics_count_add (n->reasons, &n->nreasons, proto_reason_name (PR_OK), 0);
	/* Up to the newest row now, so the counts and last_scan agree whatever is written meanwhile. */
	int64_t upto = db_query_int (c->db, "SELECT coalesce(max(id), 0) FROM scans", 0);
	db_stmt_t *q = db_prepare (c->db, "SELECT step, reason, count(*) FROM scans WHERE id > ?1 AND id <= ?2"
	                                  " GROUP BY step, reason");
	if (q == NULL)
		return;
	db_bind_int (q, 1, n->last_scan);
	db_bind_int (q, 2, upto);
	int rc;
	while ((rc = db_step (q)) == DB_ROW) {
		int reason = (int) db_col_int (q, 1);
		char other[16];
		snprintf (other, sizeof other, "%d", reason);
		const char *rname = proto_reason_name (reason);
		hub_metrics_count_add (n->steps, &n->nsteps, db_col_text (q, 0), db_col_int (q, 2));
		hub_metrics_count_add (n->reasons, &n->nreasons, rname ? rname : other, db_col_int (q, 2));
	}
	db_reset (q);
	if (rc == DB_DONE)
		n->last_scan = upto;
	hub_metrics_family (c->f, "despatch_scans_total", "counter", "Scans the hub has recorded, by step.");
	for (size_t i = 0; i < n->nsteps; i++)
		hub_metrics_sample (c->f, "despatch_scans_total", "step", n->steps[i].name, (double) n->steps[i].n);
	hub_metrics_family (c->f, "despatch_scan_replies_total", "counter",
	    "The hub's replies to scans, by reason (OK, or why it was refused or warned).");
	for (size_t i = 0; i < n->nreasons; i++)
		hub_metrics_sample (c->f, "despatch_scan_replies_total", "reason", n->reasons[i].name,
		    (double) n->reasons[i].n);
}

/* Rows of table by status, every state of a kind written (0 when none). */
static void
hub_metrics_states (struct hub_metrics_ctx *c, const char *table, const char *name, const char *help,
    const char *(*state_name) (int state), int first, int last)
{
	if (!hub_metrics_has_table (c->db, table))
		return;
	char *sql = xasprintf ("SELECT status, count(*) FROM %s GROUP BY status", table);
	db_stmt_t *q = db_prepare (c->db, sql);
	free (sql);
	if (q == NULL)
		return;
	struct hub_metrics_count seen[HUB_METRICS_NAMES];
	size_t nseen = 0;
	for (int s = first; s <= last; s++)
		hub_metrics_count_add (seen, &nseen, state_name (s), 0);
	while (db_step (q) == DB_ROW)
		hub_metrics_count_add (seen, &nseen, db_col_text (q, 0), db_col_int (q, 1));
	db_reset (q);
	hub_metrics_family (c->f, name, "gauge", help);
	for (size_t i = 0; i < nseen; i++)
		hub_metrics_sample (c->f, name, "state", seen[i].name, (double) seen[i].n);
}

static const char *
hub_metrics_order_name (int s)
{
	return hub_state_order_name ((enum hub_order_state) s);
}

static const char *
hub_metrics_job_name (int s)
{
	return hub_state_job_name ((enum hub_job_state) s);
}

static void
hub_metrics_orders (struct hub_metrics_ctx *c)
{
	hub_metrics_states (c, "orders", "despatch_orders", "Orders by state: those waiting for each step of despatch.",
	    hub_metrics_order_name, ORDER_NEW, ORDER_DELIVERED);
}

static void
hub_metrics_jobs (struct hub_metrics_ctx *c)
{
	hub_metrics_states (c, "label_jobs", "despatch_print_jobs", "Print jobs (labels and documents) by state.",
	    hub_metrics_job_name, JOB_QUEUED, JOB_FAILED);
}

/* Each queue named in [printer], as CUPS sees it now. */
static void
hub_metrics_printers (struct hub_metrics_ctx *c)
{
	const struct hub_metrics_src *src = c->src;
	if (src->nprinters == 0)
		return;
	char *cause = NULL;
	print_t *p = print_new (src->server, &cause);
	free (cause);
	cause = NULL;
	hub_metrics_family (c->f, "despatch_cups_up", "gauge", "Whether CUPS (printer.server) answers: 1 or 0.");
	hub_metrics_sample (c->f, "despatch_cups_up", NULL, NULL, p != NULL);
	print_queue_t *qs = xcalloc (src->nprinters, sizeof *qs);
	bool *known = xcalloc (src->nprinters, sizeof *known);
	for (size_t i = 0; p && i < src->nprinters; i++) {
		known[i] = print_queue (p, src->printers[i], &qs[i], &cause) == 0;
		free (cause);
		cause = NULL;
	}
	print_destroy (&p);
	hub_metrics_family (c->f, "despatch_printer_up", "gauge",
	    "Whether a printer queue of the configuration takes and prints jobs (CUPS says ok): 1 or 0.");
	for (size_t i = 0; i < src->nprinters; i++)
		hub_metrics_sample (c->f, "despatch_printer_up", "printer", src->printers[i],
		    known[i] && qs[i].health == PRINT_OK);
	hub_metrics_family (c->f, "despatch_printer_queued_jobs", "gauge", "Jobs CUPS holds for a printer queue.");
	for (size_t i = 0; i < src->nprinters; i++)
		if (known[i])
			hub_metrics_sample (c->f, "despatch_printer_queued_jobs", "printer", src->printers[i], qs[i].queued);
	free (qs);
	free (known);
}

static void
hub_metrics_terminals (struct hub_metrics_ctx *c)
{
	if (!hub_metrics_has_table (c->db, "terminals"))
		return;
	db_stmt_t *q = db_prepare (c->db,
	    "SELECT count(*) FILTER (WHERE last_seen >= ?1),"
	    " count(*) FILTER (WHERE last_seen < ?1 AND coalesce(operator, '') <> ''),"
	    " count(*) FILTER (WHERE last_seen < ?1 AND coalesce(operator, '') = '') FROM terminals");
	if (q == NULL)
		return;
	db_bind_int (q, 1, c->now_ms - c->src->expiry_ms);
	int64_t v[3] = { 0, 0, 0 };
	if (db_step (q) == DB_ROW)
		for (int i = 0; i < 3; i++)
			v[i] = db_col_int (q, i);
	db_reset (q);
	static const char *const states[] = { "connected", "quiet", "off" };
	hub_metrics_family (c->f, "despatch_terminals", "gauge",
	    "Terminals: connected (heard from within hub.expiry_ms), quiet (silent with an operator logged in), off.");
	for (int i = 0; i < 3; i++)
		hub_metrics_sample (c->f, "despatch_terminals", "state", states[i], (double) v[i]);
}

static double
hub_metrics_file_size (const char *path)
{
	struct stat sb;
	return stat (path, &sb) == 0 ? (double) sb.st_size : 0;
}

static void
hub_metrics_files (struct hub_metrics_ctx *c)
{
	char *wal = db_wal_name (c->src->database);
	hub_metrics_family (c->f, "despatch_database_size_bytes", "gauge", "The database file's size.");
	hub_metrics_sample (c->f, "despatch_database_size_bytes", NULL, NULL, hub_metrics_file_size (c->src->database));
	hub_metrics_family (c->f, "despatch_wal_size_bytes", "gauge", "The database's write-ahead log's size.");
	hub_metrics_sample (c->f, "despatch_wal_size_bytes", NULL, NULL, hub_metrics_file_size (wal));
	free (wal);
	int64_t at = 0, size = 0;
	char *newest = hub_backup_newest (c->src->backup_dir, &at, &size);
	free (newest);
	hub_metrics_family (c->f, "despatch_backup_last_timestamp_seconds", "gauge",
	    "When the newest backup in backup.dir was made (Unix time); 0 when there is none.");
	hub_metrics_sample (c->f, "despatch_backup_last_timestamp_seconds", NULL, NULL, (double) at / 1000.0);
	hub_metrics_family (c->f, "despatch_backup_age_seconds", "gauge",
	    "How old the newest backup is (since 1970 when there is none).");
	hub_metrics_sample (c->f, "despatch_backup_age_seconds", NULL, NULL, (double) (c->now_ms - at) / 1000.0);
	hub_metrics_family (c->f, "despatch_backup_size_bytes", "gauge", "The newest backup's size.");
	hub_metrics_sample (c->f, "despatch_backup_size_bytes", NULL, NULL, (double) size);
}

/* The loop's own records in the audit trail: reloads and retention runs. */
static void
hub_metrics_audit (struct hub_metrics_ctx *c)
{
	if (!hub_metrics_has_table (c->db, "events"))
		return;
	db_stmt_t *q = db_prepare (c->db, "SELECT count(*) FILTER (WHERE code = 'ok'), count(*) FILTER (WHERE code <> 'ok'),"
	                                  " (SELECT at FROM events WHERE operator = 'system' AND action = 'reload'"
	                                  "  ORDER BY id DESC LIMIT 1),"
	                                  " (SELECT code = 'ok' FROM events WHERE operator = 'system' AND action = 'reload'"
	                                  "  ORDER BY id DESC LIMIT 1)"
	                                  " FROM events WHERE operator = 'system' AND action = 'reload'");
	if (q && db_step (q) == DB_ROW) {
		hub_metrics_family (c->f, "despatch_reloads_total", "counter",
		    "Reloads of the settings (SIGHUP), by result: ok (taken) or refused.");
		hub_metrics_sample (c->f, "despatch_reloads_total", "result", "ok", (double) db_col_int (q, 0));
		hub_metrics_sample (c->f, "despatch_reloads_total", "result", "refused", (double) db_col_int (q, 1));
		hub_metrics_family (c->f, "despatch_reload_last_timestamp_seconds", "gauge",
		    "When the settings were last reloaded (Unix time); 0 never.");
		hub_metrics_sample (c->f, "despatch_reload_last_timestamp_seconds", NULL, NULL,
		    (double) db_col_int (q, 2) / 1000.0);
		hub_metrics_family (c->f, "despatch_reload_last_success", "gauge",
		    "1 when the last reload was taken (or none was asked for), 0 when it was refused.");
		hub_metrics_sample (c->f, "despatch_reload_last_success", NULL, NULL,
		    db_col_is_null (q, 3) || db_col_int (q, 3) != 0);
	}
	if (q)
		db_reset (q);
	int64_t pruned = db_query_int (c->db, "SELECT coalesce(max(at), 0) FROM events WHERE operator = 'system'"
	                                      " AND action = 'retention'", 0);
	hub_metrics_family (c->f, "despatch_retention_last_timestamp_seconds", "gauge",
	    "When old files were last pruned (retention.*_days; Unix time); 0 never.");
	hub_metrics_sample (c->f, "despatch_retention_last_timestamp_seconds", NULL, NULL, (double) pruned / 1000.0);
}

/* The families, in order. */
static void (*const hub_metrics_parts[]) (struct hub_metrics_ctx *c) = {
	hub_metrics_hub,
	hub_metrics_scans,
	hub_metrics_orders,
	hub_metrics_jobs,
	hub_metrics_printers,
	hub_metrics_terminals,
	hub_metrics_files,
	hub_metrics_audit,
};

char *
hub_metrics_text (db_t *db, const struct hub_metrics_src *src, int64_t now_ms, struct hub_metrics_counts **counts_p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream (&buf, &len);
	if (f == NULL)
		return NULL;
	if (counts_p && *counts_p == NULL)
		*counts_p = xcalloc (1, sizeof **counts_p);
	struct hub_metrics_ctx c = { .f = f, .db = db, .src = src, .now_ms = now_ms,
		.counts = counts_p ? *counts_p : NULL };
	for (size_t i = 0; i < nitems (hub_metrics_parts); i++)
		hub_metrics_parts[i] (&c);
	fclose (f);
	return buf;
}

/* --- the hub's file ------------------------------------------------------- */

struct hub_metrics {
	hub_chores_t *chores;
	char *database;
	bool busy;                         /* a write is on its way (one at a time) */
	char *last_error;                  /* what was logged last, so a failure is said once */
	struct hub_metrics_counts *counts; /* the thread's only, one write at a time */
};

struct hub_metrics_chore {
	struct hub_chore chore;
	hub_metrics_t *owner;
	struct hub_metrics_src src;
	char *path;
	char *error;    /* set by the thread when the write failed */
};

/* On the thread: the text, written whole under a temporary name, then renamed. */
static void
hub_metrics_write (struct hub_chore *chore)
{
	struct hub_metrics_chore *m = (struct hub_metrics_chore *) chore;
	char *cause = NULL;
	db_t *db = db_open (m->src.database, DB_READONLY, &cause);
	if (db == NULL) {
		m->error = cause;
		return;
	}
	char *text = hub_metrics_text (db, &m->src, util_wall_ms (), &m->owner->counts);
	db_close (&db);
	char *tmp = xasprintf ("%s.tmp", m->path);
	FILE *f = text ? fopen (tmp, "w") : NULL;
	bool ok = f && fputs (text, f) >= 0;
	ok = f && fclose (f) == 0 && ok;
	if (!ok || rename (tmp, m->path) != 0) {
		m->error = xasprintf ("cannot write %s: %s; check metrics.path and that the despatch user may write there",
		    text ? tmp : m->path, strerror (errno));
		unlink (tmp);
	}
	free (tmp);
	free (text);
}

/* On the loop: a failure said once, and once more when it works again. */
static void
hub_metrics_done (struct hub_chore *chore, bool ran)
{
	struct hub_metrics_chore *m = (struct hub_metrics_chore *) chore;
	hub_metrics_t *self = m->owner;
	self->busy = false;
	if (ran && m->error && (self->last_error == NULL || strcmp (self->last_error, m->error) != 0)) {
		log_warn ("metrics: %s", m->error);
		free (self->last_error);
		self->last_error = xstrdup (m->error);
	} else if (ran && m->error == NULL && self->last_error) {
		log_info ("metrics: written to %s again", m->path);
		free (self->last_error);
		self->last_error = NULL;
	}
	hub_metrics_src_free (&m->src);
	free (m->path);
	free (m->error);
	free (m);
}

hub_metrics_t *
hub_metrics_new (hub_chores_t *chores, const char *database)
{
	hub_metrics_t *self = xcalloc (1, sizeof *self);
	self->chores = chores;
	self->database = xstrdup (database);
	return self;
}

void
hub_metrics_destroy (hub_metrics_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	hub_metrics_t *self = *self_p;
	hub_metrics_counts_free (&self->counts);
	free (self->last_error);
	free (self->database);
	free (self);
	*self_p = NULL;
}

void
hub_metrics_tick (hub_metrics_t *self, conf_t *conf)
{
	const char *path = conf_get (conf, "metrics.path", NULL);
	if (path == NULL || *path == '\0' || self->busy)
		return;
	struct hub_metrics_chore *m = xcalloc (1, sizeof *m);
	m->chore.run = hub_metrics_write;
	m->chore.done = hub_metrics_done;
	m->owner = self;
	m->path = xstrdup (path);
	hub_metrics_src_read (&m->src, conf, self->database);
	self->busy = true;
	hub_chores_post (self->chores, &m->chore);
}
