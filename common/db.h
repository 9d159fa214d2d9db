/*
 * db.h: the suite's one door to SQLite. Hub store, terminal journal and
 * tools speak these terms; only db.c includes sqlite3.h.
 *
 * A db_t owns its connection and every statement prepared through it;
 * db_close finalises them. Statements are prepared once and reused
 * (db_prepare caches by SQL text), and values are always bound, never
 * pasted into SQL. Text returned by db_col_text lives until the next
 * step or reset of that statement.
 */
#ifndef DSP_DB_H
#define DSP_DB_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

typedef struct db db_t;
typedef struct db_stmt db_stmt_t;

enum db_mode {
	DB_READWRITE = 0, /* create if missing, WAL, synchronous=FULL */
	DB_READONLY = 1,
};

/* Results of db_step. */
enum { DB_ROW = 1, DB_DONE = 0, DB_ERROR = -1, DB_BUSY = -2, DB_FULL = -3, DB_CONSTRAINT = -4, DB_RO = -5 };

/* NULL and *cause (caller frees) on failure. A path of "" is a private
 * temporary database, in memory until it outgrows its cache, then in a
 * file (deleted) in db_temp_dir. */
db_t *db_open (const char *path, enum db_mode mode, char **cause);
/* The folder SQLite makes its temporary files in: the first of
 * SQLITE_TMPDIR, TMPDIR, /var/tmp, /usr/tmp, /tmp that can be written. */
const char *db_temp_dir (void);
/* The WAL's name for the database at path, as SQLite makes it: beside the file a symbolic link points at
 * (caller frees). */
char *db_wal_name (const char *path);
void db_close (db_t **self_p);
const char *db_path (db_t *self);
/* The last failure's text, for messages: kept from when it happened (a
 * reset or rollback since does not lose it), SQLite's own before any. */
const char *db_errmsg (db_t *self);
/* The last failure as a DB_* (DB_FULL: the disk is full or failed), 0 before any. */
int db_errcode (db_t *self);

/* Run SQL with no results (may hold several statements); 0 or a DB_* error. */
int db_exec (db_t *self, const char *sql);
int db_begin (db_t *self); /* BEGIN IMMEDIATE */
int db_commit (db_t *self);
void db_rollback (db_t *self);

int db_user_version (db_t *self);
int db_set_user_version (db_t *self, int version);

/* Cached prepared statement, reset and with bindings cleared; NULL on a bad SQL text. */
db_stmt_t *db_prepare (db_t *self, const char *sql);
void db_bind_text (db_stmt_t *st, int i, const char *value); /* NULL binds NULL */
void db_bind_blob (db_stmt_t *st, int i, const void *data, size_t n);
void db_bind_int (db_stmt_t *st, int i, int64_t value);
void db_bind_null (db_stmt_t *st, int i);
int db_step (db_stmt_t *st);
void db_reset (db_stmt_t *st);
const char *db_col_text (db_stmt_t *st, int i); /* "" for NULL */
const void *db_col_blob (db_stmt_t *st, int i, size_t *n);
int64_t db_col_int (db_stmt_t *st, int i);
bool db_col_is_null (db_stmt_t *st, int i);
int db_col_count (db_stmt_t *st);
const char *db_col_name (db_stmt_t *st, int i);
int64_t db_last_rowid (db_t *self);
int db_changes (db_t *self);

/* One-shot helpers for a single integer or text answer (text: caller frees). */
int64_t db_query_int (db_t *self, const char *sql, int64_t dflt);
char *db_query_text (db_t *self, const char *sql);

/* After each commit of this connection: fn (arg, frames now in the WAL,
 * whether the WAL was flushed after it: db_flush_own). It takes the place
 * of SQLite's automatic checkpoints on this connection. */
void db_on_wal_commit (db_t *self, void (*fn) (void *arg, int frames, bool flushed), void *arg);

/*
 * A connection that flushes its own commits (the hub's): it runs at
 * synchronous=NORMAL, and db.c flushes the WAL (fdatasync) after each of
 * its commits, as SQLite's FULL would, so a commit is on the disk when
 * db_commit returns. Unlike FULL, the commit is visible before the flush:
 * a flush that fails cannot be undone, so the process logs it and exits
 * (never telling anyone of that commit or of any after it).
 *
 * db_commit_unflushed commits without the flush: the caller makes it
 * durable later, with db_flush or a descriptor of its own on db_wal_path
 * (fdatasync of any descriptor of the file flushes it: db_wal_fd_flush,
 * on another thread), and tells no one of it before. The next flushed
 * commit takes it to the disk too.
 */
int db_flush_own (db_t *self, char **cause);
/* The WAL's name as SQLite keeps it (beside the file a link points at); NULL when the connection does not
 * flush its own (its journal is no WAL: SQLite's FULL syncs every commit). */
const char *db_wal_path (db_t *self);
/* *wrote: whether it wrote anything (a transaction that changed nothing has nothing to flush). */
int db_commit_unflushed (db_t *self, bool *wrote);
void db_flush (db_t *self);
/* fd (or -1) still on wal_path's file, else closed and the file opened again: the descriptor, -1 on failure. */
int db_wal_fd_open (const char *wal_path, int fd);
/* fdatasync of wal_path through *fd (opened or opened again); 0, or -1 and errno (a WAL that is not there too). */
int db_wal_fd_flush (const char *wal_path, int *fd);
/* A flush after a commit failed (err): logs what to do and ends the process, since the commit is visible. */
void db_flush_stop (const char *wal_path, int err) __attribute__ ((noreturn));
/* Commits that need not be on the disk one by one (the next flushed one takes them there): true until false.
 * On a connection of the usual kind, synchronous=NORMAL, then FULL again. */
void db_lazy_commits (db_t *self, bool lazy);
/* A PASSIVE checkpoint; true when every frame of the WAL is now in the
 * database, so that the next commit starts the WAL over from its beginning.
 * *copied (NULL: not wanted) takes how many of the WAL's frames are in the
 * database now, -1 on error. */
bool db_checkpoint_passive (db_t *self, int *copied);

/* A text function name(value, k) in this connection's own SQL (not in triggers or views): fn gets a
 * text value of n bytes (a NUL among them too) and returns its new text (malloc'd, taken; *len its bytes) or NULL
 * to leave it, and name() is then SQL NULL, as it is for any value that is not text. k is the caller's, an
 * integer. fn NULL removes the function. 0 or -1. */
typedef char *db_text_fn (void *arg, const char *text, size_t n, int64_t k, size_t *len);
int db_text_function (db_t *self, const char *name, db_text_fn *fn, void *arg);

/* Online copy into dest_path with the backup API; 0 or -1 and *cause. */
int db_backup (db_t *self, const char *dest_path, char **cause);
/* Whether a database read without a lock (its folder cannot be written: SQLite's immutable) changed since it was
 * opened: what was read from it then may mix before and after. Never, for one opened the usual way. */
bool db_changed_unlocked (db_t *self);

#endif
