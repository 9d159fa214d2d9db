/*
 * hub-retention.h: the files the hub leaves behind, pruned after their
 * days: the events feed's exports (events-*.jsonl in hub.exports,
 * retention.exports_days), the manifests in the outbox (carriers.outbox,
 * one folder per carrier, retention.outbox_days), the order and tracking
 * files already taken or refused (done/ and failed/ of hub.inbox and
 * hub.tracking_inbox, retention.inbox_days) and a folder of reports
 * (retention.reports, retention.reports_days). 0 days keeps them all.
 *
 * A file goes when it was last changed longer ago than its days: the
 * later of its modification time and its status change time, so a file
 * copied into an inbox with an old time (cp -p, rsync -t) counts from when
 * the hub moved it to done/. retention.clock_offset_s moves the clock it
 * reads, for tests only. Only regular files named as the hub names them:
 * never a folder, a link, a hidden file, a file still being written
 * (*.part), nor anything in an inbox that has not been taken yet.
 *
 * Every retention.every_s (an hour) the loop hands the folders and their
 * days to the chore thread (hub-chore.h), which lists and removes; back on
 * the loop, what was removed is logged per folder and the run is recorded
 * in the audit trail (events: action "retention", operator "system", code
 * "ok" or "failed", the summary in detail) for despatch status and the
 * metrics. Personal data in the database has a retention of its own
 * (privacy.retention_days, store/hub-erase.h).
 */
#ifndef DSP_HUB_RETENTION_H
#define DSP_HUB_RETENTION_H

#include "conf.h"
#include "db.h"
#include "hub-chore.h"

typedef struct hub_retention hub_retention_t;

/* Chores go to chores (destroyed first); runs are recorded in db (the loop's). */
hub_retention_t *hub_retention_new (hub_chores_t *chores, db_t *db);
void hub_retention_destroy (hub_retention_t **self_p);
/* The loop's tick: the folders from conf, handed to the thread unless a run is on its way. Never waits. */
void hub_retention_tick (hub_retention_t *self, conf_t *conf);

#endif
