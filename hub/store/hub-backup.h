/*
 * hub-backup.h: backups of the hub's database and its keys, and where
 * they are kept; one implementation for despatch backup, despatch-backup
 * (the timer's), despatch restore, the copy the hub takes before it
 * migrates a database, despatch status and the metrics.
 *
 * A backup is DIR/despatch-YYYYMMDDTHHMMSSZ.db (despatch status and the
 * metrics look for the newest despatch-*.db in DIR by modification time)
 * and, beside it, DIR/despatch-YYYYMMDDTHHMMSSZ.keys/ (the key folder).
 */
#ifndef DSP_HUB_BACKUP_H
#define DSP_HUB_BACKUP_H

#include <stdint.h>

#include "conf.h"

/* The folder backups go to: backup.dir, else "backups" beside database (caller frees). */
char *hub_backup_dir (conf_t *conf, const char *database);
/* The newest despatch-*.db in dir: its name (caller frees), its modification
 * time and size; NULL when there is none (or dir cannot be read). */
char *hub_backup_newest (const char *dir, int64_t *mtime_ms, int64_t *size);

#endif
