/*
 * hub-metrics.h: the hub's figures in Prometheus's text format, for
 * node_exporter's textfile collector (doc/operations.md, Metrics).
 *
 * hub_metrics_text makes the text from the database (a connection of the
 * caller's; read-only is enough), the files beside it and CUPS; the hub
 * writes it to metrics.path every metrics.every_s, and despatch status
 * --prometheus prints the same. Every name starts with despatch_, counters
 * end in _total, times are seconds (timestamps Unix seconds), sizes bytes;
 * each family has its HELP and TYPE lines, and every state a family knows
 * is written, 0 when nothing is in it. Counters come from rows the hub
 * keeps (scans, the audit trail), so they do not start again at a restart.
 *
 * In the hub, the text is made and the file written on the chore thread
 * (hub-chore.h), with a read-only connection of its own, never on the
 * loop: the queries, CUPS's answers and the write take what they take,
 * and the loop only hands over a copy of the settings. The file is written
 * whole under a temporary name (PATH.tmp, which the collector does not
 * read) and renamed, so a reader never sees half of it. A write that fails
 * is logged once (and once more when it works again).
 */
#ifndef DSP_HUB_METRICS_H
#define DSP_HUB_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "db.h"
#include "hub-chore.h"

/* What the text needs besides the database, copied from the settings (owned). */
struct hub_metrics_src {
	char *database;       /* the database's file, for its size and its WAL's */
	char *backup_dir;     /* where the newest backup is looked for */
	char *server;         /* CUPS (printer.server), NULL for the default */
	char **printers;      /* every queue named in [printer] */
	size_t nprinters;
	int expiry_ms;        /* a terminal heard from within this is connected */
};

/* From the settings (hub.expiry_ms, backup.dir, printer.*) and the database's path. */
void hub_metrics_src_read (struct hub_metrics_src *src, conf_t *conf, const char *database);
void hub_metrics_src_free (struct hub_metrics_src *src);

/* Counts carried from one text to the next, so that a counter of rows reads only the new ones. */
struct hub_metrics_counts;
void hub_metrics_counts_free (struct hub_metrics_counts **counts_p);

/* The text (caller frees). counts may be NULL (every row counted); *counts_p
 * is made on first use and kept up to date. */
char *hub_metrics_text (db_t *db, const struct hub_metrics_src *src, int64_t now_ms,
    struct hub_metrics_counts **counts_p);

typedef struct hub_metrics hub_metrics_t;

/* The hub's writer: its chores go to chores (which must be destroyed first). */
hub_metrics_t *hub_metrics_new (hub_chores_t *chores, const char *database);
void hub_metrics_destroy (hub_metrics_t **self_p);
/* The loop's tick: with metrics.path set and no write on its way, hand one to the thread. Never waits. */
void hub_metrics_tick (hub_metrics_t *self, conf_t *conf);

#endif
