/*
 * hub-backup.h: backups of the hub's database and its keys, and where
 * they are kept; one implementation for despatch backup, the timer's
 * despatch-backup (which runs despatch backup), despatch restore, the copy
 * taken before a database is migrated (hub-store.c), despatch status and
 * the metrics.
 *
 * A backup is DIR/despatch-YYYYMMDDTHHMMSSZ.db and, beside it,
 * DIR/despatch-YYYYMMDDTHHMMSSZ.keys/, the key folder with every file's
 * and folder's mode. The database copy is made with SQLite's online
 * backup (consistent while the hub writes), turned into a database without
 * a write-ahead log, so it is one file and leaves no -wal or -shm beside
 * it, and checked with PRAGMA integrity_check before it takes its name;
 * both are written under hidden names (.despatch-...part) and renamed
 * when whole, the keys first, so a reader never sees half of one. The copy
 * taken before a migration is DIR/despatch-YYYYMMDDTHHMMSSZ-schema-N.db
 * (the schema it was at; no keys: a migration does not touch them).
 * despatch status and the metrics look for the newest despatch-*.db.
 */
#ifndef DSP_HUB_BACKUP_H
#define DSP_HUB_BACKUP_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "db.h"

/* The folder backups go to: backup.dir, else "backups" beside database (caller frees). */
char *hub_backup_dir (conf_t *conf, const char *database);
/* The newest despatch-*.db in dir: its name (caller frees), its modification
 * time and size; NULL when there is none (or dir cannot be read). */
char *hub_backup_newest (const char *dir, int64_t *mtime_ms, int64_t *size);

/* What a backup made. */
struct hub_backup_made {
	char *db;        /* DIR/despatch-STAMP.db */
	char *keys;      /* DIR/despatch-STAMP.keys, or NULL when there was no key folder */
	int64_t bytes;   /* the database copy's */
	int64_t orders;  /* orders in the copy */
	int files;       /* files in the keys copy */
};
void hub_backup_made_free (struct hub_backup_made *made);

/*
 * A whole backup of db (a connection of the caller's, read-only is
 * enough) and of the key folder keys (NULL, or a folder that is not
 * there: none) into dir, made when missing (mode 750). suffix is added to
 * the name ("-schema-9"; NULL none). 0 and *made (caller frees), or -1 and
 * *cause (caller frees); on failure nothing is left in dir.
 */
int hub_backup_take (db_t *db, const char *dir, const char *keys, const char *suffix, struct hub_backup_made *made,
    char **cause);
/* Keep the newest keep backups of the form despatch-YYYYMMDDTHHMMSSZ.db in
 * dir (each with its keys); keep 0 keeps all. How many went, or -1 and *cause. */
int hub_backup_rotate (const char *dir, int keep, char **cause);

/*
 * Before hub-store.c migrates the database at path from schema from: a
 * backup into the folder hub_backup_set_migration_dir named (else backups
 * beside the database), logged. 0, or -1 and *cause: then the database is
 * not migrated (a migration is not run without its backup).
 */
int hub_backup_before_migration (db_t *db, const char *path, int from, char **cause);
/* Where this process's copies before a migration go (copied; NULL: beside the database). */
void hub_backup_set_migration_dir (const char *dir);

/*
 * Bring a backup back: the database file backup (checked first: whole,
 * integrity ok, a schema from 1 to max_schema) becomes database, and its keys
 * folder beside it (if any) becomes keys (NULL: the keys are not
 * restored). What was there is kept, renamed NAME.before-restore-STAMP
 * (the database with its -wal). Owner and mode follow what was there (or
 * the folder's owner) when run as root. Refused while a hub runs on
 * database (its heartbeat fresh, its process alive). 0 and a report of
 * what was done in *said (caller frees), or -1 and *cause.
 */
int hub_backup_restore (const char *backup, const char *database, const char *keys, int max_schema, char **said,
    char **cause);

#endif
