/* db.c: SQLite adapter (the only file that includes sqlite3.h). */
#include "config.h"
#include "db.h"
#include "log.h"
#include "util.h"

#include <sqlite3.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

struct db_stmt {
	char *sql;
	uint32_t hash; /* of sql, so a lookup compares text only on a likely match */
	sqlite3_stmt *st;
	db_t *db;
	struct db_stmt *next;
};

/* Prepared statements by hash of their text: the hub prepares the same few
 * dozen statements for every request, so a lookup must not walk them all. */
#define DB_STMT_BUCKETS 256

struct db {
	sqlite3 *conn;
	char *path;
	struct db_stmt *stmts[DB_STMT_BUCKETS];
	void (*on_wal) (void *arg, int frames, bool flushed);
	void *on_wal_arg;
	/* The last failure, kept when it happens: a reset, a rollback or the next statement after it
	 * leaves SQLite's own message at "not an error". */
	int fail_code;          /* DB_*, 0 none yet */
	char fail_msg[256];
	/* Opened immutable (db_unwritable_folder): SQLite then takes no lock and reads no WAL, so a hub that
	 * starts and checkpoints meanwhile writes the file under the reader. The file as it was at the open,
	 * to tell whether it changed since (db_backup). */
	bool immutable;
	struct stat opened;
	/* db_flush_own: the WAL is flushed here after each commit (own_flush), through wal_fd, except for a
	 * commit made unflushed (its caller flushes) or while commits are lazy (db_lazy_commits). */
	bool own_flush, unflushed, lazy;
	bool wrote; /* the last commit wrote to the WAL (its hook ran) */
	int wal_fd;
	char *wal_path;
};

char *
db_wal_name (const char *path)
{
	/* SQLite opens the file a symbolic link points at, and keeps its WAL and -shm beside it. */
	char *real = realpath (path, NULL);
	char *wal = xasprintf ("%s-wal", real ? real : path);
	free (real);
	return wal;
}

/* Whether path is still the file as sb saw it: same file, size and times (the change time too: a write within
 * the tick of a coarse clock leaves the modification time as it was, and a rename or chmod moves the change
 * time), and no WAL beside it holds changes (a hub that started writes there first). */
static bool
db_same_file (const char *path, const struct stat *sb)
{
	struct stat now, wal;
	char *walpath = db_wal_name (path);
	bool no_wal = stat (walpath, &wal) != 0 || wal.st_size == 0;
	free (walpath);
	return no_wal && stat (path, &now) == 0 && now.st_dev == sb->st_dev && now.st_ino == sb->st_ino
	    && now.st_size == sb->st_size && now.st_mtim.tv_sec == sb->st_mtim.tv_sec
	    && now.st_mtim.tv_nsec == sb->st_mtim.tv_nsec && now.st_ctim.tv_sec == sb->st_ctim.tv_sec
	    && now.st_ctim.tv_nsec == sb->st_ctim.tv_nsec;
}

bool
db_changed_unlocked (db_t *self)
{
	return self->immutable && !db_same_file (self->path, &self->opened);
}

static int
db_code (int rc)
{
	switch (rc & 0xff) {
	case SQLITE_ROW:
		return DB_ROW;
	case SQLITE_DONE:
	case SQLITE_OK:
		return DB_DONE;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return DB_BUSY;
	case SQLITE_FULL:
	case SQLITE_IOERR:
		return DB_FULL;
	case SQLITE_CONSTRAINT:
		return DB_CONSTRAINT;
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
		return DB_RO;
	default:
		return DB_ERROR;
	}
}

/* The failure of a call that returned rc, kept for db_errmsg and db_errcode. */
static void
db_failed (db_t *self, int rc)
{
	self->fail_code = db_code (rc);
	snprintf (self->fail_msg, sizeof self->fail_msg, "%s", sqlite3_errmsg (self->conn));
}

/* FNV-1a over the statement text. */
static uint32_t
db_hash (const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (uint8_t) *s) * 16777619u;
	return h;
}

/* The folder path is in ("." for a bare name). */
static char *
db_folder (const char *path)
{
	const char *slash = strrchr (path, '/');
	if (slash == NULL)
		return xstrdup (".");
	return slash == path ? xstrdup ("/") : xasprintf ("%.*s", (int) (slash - path), path);
}

/* "file:" URI of path, immutable: every byte but the unreserved ones and '/' escaped. */
static char *
db_immutable_uri (const char *path)
{
	char *uri = xcalloc (1, 5 + 3 * strlen (path) + sizeof "?immutable=1"), *o = uri;
	o += sprintf (o, "file:");
	for (const unsigned char *p = (const unsigned char *) path; *p; p++)
		if (strchr ("-._~/", *p) || (*p >= '0' && *p <= '9') || ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z'))
			*o++ = (char) *p;
		else
			o += sprintf (o, "%%%02X", *p);
	strcpy (o, "?immutable=1");
	return uri;
}

/*
 * A read-only open of a WAL database whose folder cannot be written: SQLite
 * makes the -shm index beside it even to read, and says only "unable to open
 * database file" or "attempt to write a readonly database". With no WAL (or
 * an empty one) the file alone is the whole database and can be read as
 * immutable (a hub that starts meanwhile writes to a WAL of its own, not to
 * the file, until a checkpoint): *uri takes the name to open, NULL back. A
 * WAL with changes in it cannot be read past: NULL back and *cause says so.
 * NULL and no *cause: not that (the folder can be written).
 */
static char *
db_unwritable_folder (const char *path, char **cause)
{
	/* The -shm goes beside the file itself (and its WAL), wherever a link to it is. */
	char *wal = db_wal_name (path);
	char *dir = db_folder (wal);
	if (access (dir, W_OK | X_OK) == 0) {
		free (wal);
		free (dir);
		return NULL;
	}
	int err = errno;
	struct stat sb;
	char *uri = NULL;
	if (stat (wal, &sb) != 0 || sb.st_size == 0)
		uri = db_immutable_uri (path);
	else if (err == EROFS)
		*cause = xasprintf ("%s: its WAL %s holds changes not yet in it, and %s is on a read-only filesystem, where "
		    "SQLite cannot make the -shm index it reads a WAL with: mount it read-write, or copy the database with "
		    "its -wal to a folder that can be written and read the copy", path, wal, dir);
	else
		*cause = xasprintf ("%s: its WAL %s holds changes not yet in it, and %s cannot be written by this user (%s), "
		    "as SQLite must to make the -shm index it reads a WAL with: run it as a user who may write %s (root or "
		    "the hub's user)", path, wal, dir, strerror (err), dir);
	free (wal);
	free (dir);
	return uri;
}

/* The connection set up for mode, and the schema read (which proves the file is a database); SQLITE_OK, or
 * the failure and *msg (sqlite3_free). */
static int
db_setup (sqlite3 *conn, enum db_mode mode, char **msg)
{
	sqlite3_extended_result_codes (conn, 0);
	sqlite3_busy_timeout (conn, 5000);
	/* Durability first: an acknowledged scan must survive power loss. */
	/* A larger page cache and mmap reads keep the hot B-tree pages out of read() calls. */
	const char *setup = mode == DB_READONLY ? "PRAGMA foreign_keys=ON;"
	    : "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
	      " PRAGMA cache_size=-32768; PRAGMA mmap_size=268435456;";
	int rc = sqlite3_exec (conn, setup, NULL, NULL, msg);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec (conn, "SELECT count(*) FROM sqlite_master", NULL, NULL, msg);
	return rc;
}

db_t *
db_open (const char *path, enum db_mode mode, char **cause)
{
	/* No global allocation statistics: they take a mutex on every malloc. */
	static int configured;
	if (!configured) {
		sqlite3_config (SQLITE_CONFIG_MEMSTATUS, 0);
		configured = 1;
	}
	/* SQLite says only "disk I/O error" or "unable to open database file" of a folder. */
	struct stat sb;
	if (*path && stat (path, &sb) == 0 && S_ISDIR (sb.st_mode)) {
		*cause = xasprintf ("%s is a folder, not a database file", path);
		return NULL;
	}
	int flags = mode == DB_READONLY ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	sqlite3 *conn = NULL;
	int rc = sqlite3_open_v2 (path, &conn, flags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		int err = conn ? sqlite3_system_errno (conn) : 0;
		*cause = xasprintf ("%s: cannot open database: %s%s%s", path,
		    conn ? sqlite3_errmsg (conn) : sqlite3_errstr (rc), err ? ": " : "", err ? strerror (err) : "");
		sqlite3_close (conn);
		return NULL;
	}
	char *msg = NULL;
	bool immutable = false;
	struct stat opened;
	memset (&opened, 0, sizeof opened);
	rc = db_setup (conn, mode, &msg);
	if ((rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_READONLY) {
		char *why = NULL, *uri = mode == DB_READONLY && *path ? db_unwritable_folder (path, &why) : NULL;
		if (why) {
			*cause = why;
			sqlite3_free (msg);
			sqlite3_close (conn);
			return NULL;
		}
		if (uri) {
			sqlite3_free (msg);
			msg = NULL;
			sqlite3_close (conn);
			conn = NULL;
			immutable = stat (path, &opened) == 0;
			rc = sqlite3_open_v2 (uri, &conn, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
			if (rc == SQLITE_OK)
				rc = db_setup (conn, mode, &msg);
			free (uri);
		}
	}
	if (rc != SQLITE_OK) {
		/* Which open failed is SQLite's to say, why (no such file, no permission) the system's. */
		int err = conn && (rc & 0xff) == SQLITE_CANTOPEN ? sqlite3_system_errno (conn) : 0;
		*cause = xasprintf ("%s: %s%s%s", path, msg ? msg : conn ? sqlite3_errmsg (conn) : sqlite3_errstr (rc),
		    err ? ": " : "", err ? strerror (err) : "");
		sqlite3_free (msg);
		sqlite3_close (conn);
		return NULL;
	}
	db_t *self = xcalloc (1, sizeof *self);
	self->conn = conn;
	self->path = xstrdup (path);
	self->immutable = immutable;
	self->opened = opened;
	self->wal_fd = -1;
	return self;
}

void
db_close (db_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	db_t *self = *self_p;
	for (size_t b = 0; b < DB_STMT_BUCKETS; b++) {
		struct db_stmt *s = self->stmts[b];
		while (s) {
			struct db_stmt *next = s->next;
			sqlite3_finalize (s->st);
			free (s->sql);
			free (s);
			s = next;
		}
	}
	sqlite3_close (self->conn);
	if (self->wal_fd >= 0)
		close (self->wal_fd);
	free (self->wal_path);
	free (self->path);
	free (self);
	*self_p = NULL;
}

const char *
db_path (db_t *self)
{
	return self->path;
}

const char *
db_errmsg (db_t *self)
{
	return self->fail_code ? self->fail_msg : sqlite3_errmsg (self->conn);
}

int
db_errcode (db_t *self)
{
	return self->fail_code;
}

const char *
db_temp_dir (void)
{
	/* The order of SQLite's unix VFS (unixTempFileDir). */
	const char *dirs[] = { sqlite3_temp_directory, getenv ("SQLITE_TMPDIR"), getenv ("TMPDIR"), "/var/tmp", "/usr/tmp",
		"/tmp" };
	struct stat sb;
	for (size_t i = 0; i < nitems (dirs); i++)
		if (dirs[i] && stat (dirs[i], &sb) == 0 && S_ISDIR (sb.st_mode) && access (dirs[i], W_OK | X_OK) == 0)
			return dirs[i];
	return ".";
}

int
db_exec (db_t *self, const char *sql)
{
	/* One statement (BEGIN, SAVEPOINT, COMMIT... on every request) is prepared
	 * once and reused; a script of several goes through sqlite3_exec. */
	if (strchr (sql, ';') == NULL) {
		db_stmt_t *st = db_prepare (self, sql);
		if (st == NULL)
			return self->fail_code;
		int rc;
		while ((rc = db_step (st)) == DB_ROW)
			;
		db_reset (st);
		return rc;
	}
	int rc = sqlite3_exec (self->conn, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		db_failed (self, rc);
	return db_code (rc);
}

int
db_begin (db_t *self)
{
	return db_exec (self, "BEGIN IMMEDIATE");
}

int
db_commit (db_t *self)
{
	return db_exec (self, "COMMIT");
}

void
db_rollback (db_t *self)
{
	if (!sqlite3_get_autocommit (self->conn))
		sqlite3_exec (self->conn, "ROLLBACK", NULL, NULL, NULL);
}

int
db_user_version (db_t *self)
{
	return (int) db_query_int (self, "PRAGMA user_version", -1);
}

int
db_set_user_version (db_t *self, int version)
{
	char sql[64];
	snprintf (sql, sizeof sql, "PRAGMA user_version=%d", version);
	return db_exec (self, sql);
}

db_stmt_t *
db_prepare (db_t *self, const char *sql)
{
	uint32_t h = db_hash (sql);
	struct db_stmt **bucket = &self->stmts[h % DB_STMT_BUCKETS];
	for (struct db_stmt *s = *bucket; s; s = s->next)
		if (s->hash == h && strcmp (s->sql, sql) == 0) {
			sqlite3_reset (s->st);
			sqlite3_clear_bindings (s->st);
			return s;
		}
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2 (self->conn, sql, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		db_failed (self, rc);
		return NULL;
	}
	struct db_stmt *s = xcalloc (1, sizeof *s);
	s->sql = xstrdup (sql);
	s->hash = h;
	s->st = st;
	s->db = self;
	s->next = *bucket;
	*bucket = s;
	return s;
}

void
db_bind_text (db_stmt_t *s, int i, const char *value)
{
	if (value == NULL)
		sqlite3_bind_null (s->st, i);
	else
		sqlite3_bind_text (s->st, i, value, -1, SQLITE_TRANSIENT);
}

void
db_bind_blob (db_stmt_t *s, int i, const void *data, size_t n)
{
	sqlite3_bind_blob64 (s->st, i, data, n, SQLITE_TRANSIENT);
}

void
db_bind_int (db_stmt_t *s, int i, int64_t value)
{
	sqlite3_bind_int64 (s->st, i, value);
}

void
db_bind_null (db_stmt_t *s, int i)
{
	sqlite3_bind_null (s->st, i);
}

int
db_step (db_stmt_t *s)
{
	int raw = sqlite3_step (s->st);
	int rc = db_code (raw);
	if (rc < 0) {
		db_failed (s->db, raw);
		sqlite3_reset (s->st);
	}
	return rc;
}

void
db_reset (db_stmt_t *s)
{
	sqlite3_reset (s->st);
}

const char *
db_col_text (db_stmt_t *s, int i)
{
	const unsigned char *t = sqlite3_column_text (s->st, i);
	return t ? (const char *) t : "";
}

const void *
db_col_blob (db_stmt_t *s, int i, size_t *n)
{
	const void *p = sqlite3_column_blob (s->st, i);
	*n = (size_t) sqlite3_column_bytes (s->st, i);
	return p;
}

int64_t
db_col_int (db_stmt_t *s, int i)
{
	return sqlite3_column_int64 (s->st, i);
}

bool
db_col_is_null (db_stmt_t *s, int i)
{
	return sqlite3_column_type (s->st, i) == SQLITE_NULL;
}

int
db_col_count (db_stmt_t *s)
{
	return sqlite3_column_count (s->st);
}

const char *
db_col_name (db_stmt_t *s, int i)
{
	return sqlite3_column_name (s->st, i);
}

int64_t
db_last_rowid (db_t *self)
{
	return sqlite3_last_insert_rowid (self->conn);
}

int
db_changes (db_t *self)
{
	return sqlite3_changes (self->conn);
}

int64_t
db_query_int (db_t *self, const char *sql, int64_t dflt)
{
	db_stmt_t *s = db_prepare (self, sql);
	if (s == NULL)
		return dflt;
	int64_t v = db_step (s) == DB_ROW ? db_col_int (s, 0) : dflt;
	db_reset (s);
	return v;
}

char *
db_query_text (db_t *self, const char *sql)
{
	db_stmt_t *s = db_prepare (self, sql);
	if (s == NULL)
		return NULL;
	char *v = db_step (s) == DB_ROW ? xstrdup (db_col_text (s, 0)) : NULL;
	db_reset (s);
	return v;
}

struct db_text_call {
	db_text_fn *fn;
	void *arg;
};

static void
db_text_call (sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct db_text_call *call = sqlite3_user_data (ctx);
	if (argc != 2 || sqlite3_value_type (argv[0]) != SQLITE_TEXT) {
		sqlite3_result_null (ctx);
		return;
	}
	const char *text = (const char *) sqlite3_value_text (argv[0]);
	size_t len = 0;
	char *now = text ? call->fn (call->arg, text, (size_t) sqlite3_value_bytes (argv[0]),
	    sqlite3_value_int64 (argv[1]), &len) : NULL;
	/* By its length: a value with a NUL in it comes back whole. */
	if (now)
		sqlite3_result_text64 (ctx, now, len, free, SQLITE_UTF8);
	else
		sqlite3_result_null (ctx);
}

int
db_text_function (db_t *self, const char *name, db_text_fn *fn, void *arg)
{
	struct db_text_call *call = NULL;
	if (fn) {
		call = xmalloc (sizeof *call);
		*call = (struct db_text_call) { fn, arg };
	}
	/* SQLite frees call when the function is replaced or removed, or the connection closes. */
	int rc = sqlite3_create_function_v2 (self->conn, name, 2, SQLITE_UTF8 | SQLITE_DIRECTONLY, call,
	    fn ? db_text_call : NULL, NULL, NULL, fn ? free : NULL);
	return rc == SQLITE_OK ? 0 : -1;
}

int
db_backup (db_t *self, const char *dest_path, char **cause)
{
	sqlite3 *dest = NULL;
	if (sqlite3_open (dest_path, &dest) != SQLITE_OK) {
		int err = dest ? sqlite3_system_errno (dest) : 0;
		*cause = xasprintf ("%s: cannot create: %s%s%s", dest_path, dest ? sqlite3_errmsg (dest) : "out of memory",
		    err ? ": " : "", err ? strerror (err) : "");
		sqlite3_close (dest);
		return -1;
	}
	sqlite3_backup *b = sqlite3_backup_init (dest, "main", self->conn, "main");
	if (b == NULL) {
		*cause = xasprintf ("%s: %s", dest_path, sqlite3_errmsg (dest));
		sqlite3_close (dest);
		return -1;
	}
	int rc;
	/* All pages in one step: one read transaction, so a hub writing all the
	 * while cannot make it start over (a step-wise copy restarts after every
	 * write by another connection). In WAL mode the writer is not held up. */
	int tries = 0;
	while (((rc = sqlite3_backup_step (b, -1)) == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
	    && tries++ < 2000)
		sqlite3_sleep (5);
	sqlite3_backup_finish (b);
	if (rc != SQLITE_DONE) {
		*cause = xasprintf ("%s: backup failed: %s", dest_path, sqlite3_errstr (rc));
		sqlite3_close (dest);
		return -1;
	}
	/* Read without a lock (immutable): a hub that wrote the file meanwhile leaves a copy of pages from before
	 * and after, which must not pass for a backup. Checked by the file's identity, and the copy's own check. */
	bool whole = true;
	if (self->immutable) {
		char *ok = NULL;
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2 (dest, "PRAGMA quick_check", -1, &st, NULL) == SQLITE_OK && sqlite3_step (st) == SQLITE_ROW)
			ok = xstrdup ((const char *) sqlite3_column_text (st, 0));
		sqlite3_finalize (st);
		whole = !db_changed_unlocked (self) && ok && strcmp (ok, "ok") == 0;
		free (ok);
	}
	sqlite3_close (dest);
	if (!whole) {
		unlink (dest_path);
		*cause = xasprintf ("%s changed while it was read (a hub started and wrote it?): it was read without a lock, "
		    "as its folder cannot be written, so no backup made: run it again as a user who may write the folder "
		    "(root or the hub's user), or while the hub is stopped", self->path);
		return -1;
	}
	return 0;
}

int
db_wal_fd_open (const char *wal_path, int fd)
{
	struct stat sb;
	/* The file may have been removed and made again since (the last connection's close deletes it). */
	if (fd >= 0 && fstat (fd, &sb) == 0 && sb.st_nlink > 0)
		return fd;
	if (fd >= 0)
		close (fd);
	return open (wal_path, O_RDONLY | O_CLOEXEC);
}

int
db_wal_fd_flush (const char *wal_path, int *fd)
{
	/* A WAL gone while the connection is open (removed behind its back) is a failure too: what it held is not
	 * known to be anywhere. */
	*fd = db_wal_fd_open (wal_path, *fd);
	if (*fd < 0)
		return -1;
	return fdatasync (*fd);
}

void
db_flush_stop (const char *wal_path, int err)
{
	/* The commit is already seen by this connection and others: it cannot be taken back, so nothing may be
	 * told of it, nor of anything after it. Stopping leaves the terminals to try again with the hub restarted. */
	log_error ("cannot flush %s to the disk after a commit: %s. The hub stops: what it took last may not be on the "
	    "disk; check the disk, then start the hub again (the terminals send again what was not answered)",
	    wal_path, strerror (err));
	_exit (EXIT_FAILURE);
}

static void
db_flush_or_stop (db_t *self)
{
	if (db_wal_fd_flush (self->wal_path, &self->wal_fd) != 0)
		db_flush_stop (self->wal_path, errno);
}

static int
db_wal_hook (void *arg, sqlite3 *conn, const char *name, int frames)
{
	(void) conn;
	(void) name;
	db_t *self = arg;
	bool flushed = false;
	self->wrote = true;
	if (self->own_flush && !self->unflushed && !self->lazy) {
		db_flush_or_stop (self);
		flushed = true;
	}
	if (self->on_wal)
		self->on_wal (self->on_wal_arg, frames, flushed);
	return SQLITE_OK;
}

void
db_on_wal_commit (db_t *self, void (*fn) (void *arg, int frames, bool flushed), void *arg)
{
	self->on_wal = fn;
	self->on_wal_arg = arg;
	sqlite3_wal_hook (self->conn, fn || self->own_flush ? db_wal_hook : NULL, self);
}

int
db_flush_own (db_t *self, char **cause)
{
	/* Only a WAL can be flushed this way; in another journal mode SQLite's own FULL stays (every commit synced). */
	char *mode = db_query_text (self, "PRAGMA journal_mode");
	bool wal = mode && strcmp (mode, "wal") == 0;
	free (mode);
	if (!wal)
		return 0;
	/* The WAL's name as SQLite has it: beside the file a symbolic link points at, not beside the link. */
	const char *wal_name = sqlite3_filename_wal (sqlite3_db_filename (self->conn, "main"));
	if (wal_name == NULL || *wal_name == '\0') {
		*cause = xasprintf ("cannot tell where the WAL of %s is", self->path);
		return -1;
	}
	/* It is there once the connection has read the database, and stays while it is open. */
	int fd = open (wal_name, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*cause = xasprintf ("cannot open the WAL %s to flush it: %s", wal_name, strerror (errno));
		return -1;
	}
	if (sqlite3_exec (self->conn, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL) != SQLITE_OK) {
		*cause = xasprintf ("cannot set %s to flush its own commits: %s", self->path, sqlite3_errmsg (self->conn));
		close (fd);
		return -1;
	}
	self->wal_fd = fd;
	self->wal_path = xstrdup (wal_name);
	self->own_flush = true;
	sqlite3_wal_hook (self->conn, db_wal_hook, self);
	return 0;
}

const char *
db_wal_path (db_t *self)
{
	return self->wal_path;
}

int
db_commit_unflushed (db_t *self, bool *wrote)
{
	self->unflushed = self->own_flush;
	self->wrote = false;
	int rc = db_exec (self, "COMMIT");
	self->unflushed = false;
	*wrote = self->wrote;
	return rc;
}

void
db_flush (db_t *self)
{
	if (self->own_flush)
		db_flush_or_stop (self);
}

void
db_lazy_commits (db_t *self, bool lazy)
{
	if (self->own_flush)
		self->lazy = lazy;
	else
		db_exec (self, lazy ? "PRAGMA synchronous=NORMAL" : "PRAGMA synchronous=FULL");
}

bool
db_checkpoint_passive (db_t *self, int *copied)
{
	int log = -1, done = -1;
	int rc = sqlite3_wal_checkpoint_v2 (self->conn, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
	if (copied)
		*copied = rc == SQLITE_OK ? done : -1;
	return rc == SQLITE_OK && log == done;
}
