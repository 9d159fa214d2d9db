/* hub-backup.c: backups of the database and the keys, and restores (see hub-backup.h). */
#include "config.h"
#include "hub-backup.h"
#include "log.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A heartbeat this fresh, with its process alive, is a running hub (as despatch status says). */
#define HUB_BACKUP_STALE_FLOOR_MS 15000
#define HUB_BACKUP_STALE_BEATS 4

static char *hub_backup_migration_dir;

char *
hub_backup_dir (conf_t *conf, const char *database)
{
	const char *dir = conf ? conf_get (conf, "backup.dir", NULL) : NULL;
	if (dir && *dir)
		return xstrdup (dir);
	const char *slash = strrchr (database, '/');
	return slash ? xasprintf ("%.*s/backups", (int) (slash - database), database) : xstrdup ("backups");
}

/* A backup's name: despatch-*.db. */
static bool
hub_backup_is_copy (const char *name)
{
	size_t len = strlen (name);
	return strncmp (name, "despatch-", 9) == 0 && len >= 12 && strcmp (name + len - 3, ".db") == 0;
}

/* A nightly backup's name exactly: despatch-YYYYMMDDTHHMMSSZ.db (the ones rotation keeps by number). */
static bool
hub_backup_is_nightly (const char *name)
{
	static const char form[] = "despatch-DDDDDDDDTDDDDDDZ.db";
	if (strlen (name) != sizeof form - 1)
		return false;
	for (size_t i = 0; form[i]; i++)
		if (form[i] == 'D' ? name[i] < '0' || name[i] > '9' : name[i] != form[i])
			return false;
	return true;
}

char *
hub_backup_newest (const char *dir, int64_t *mtime_ms, int64_t *size)
{
	DIR *d = opendir (dir);
	char *newest = NULL;
	*mtime_ms = 0;
	*size = 0;
	for (struct dirent *e; d && (e = readdir (d)) != NULL;) {
		if (!hub_backup_is_copy (e->d_name))
			continue;
		char *path = xasprintf ("%s/%s", dir, e->d_name);
		struct stat sb;
		if (stat (path, &sb) == 0 && S_ISREG (sb.st_mode)) {
			int64_t ms = (int64_t) sb.st_mtim.tv_sec * 1000 + sb.st_mtim.tv_nsec / 1000000;
			if (newest == NULL || ms > *mtime_ms) {
				free (newest);
				newest = xstrdup (e->d_name);
				*mtime_ms = ms;
				*size = (int64_t) sb.st_size;
			}
		}
		free (path);
	}
	if (d)
		closedir (d);
	return newest;
}

void
hub_backup_made_free (struct hub_backup_made *made)
{
	free (made->db);
	free (made->keys);
	memset (made, 0, sizeof *made);
}

static void hub_backup_cause (char **cause, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

static void
hub_backup_cause (char **cause, const char *fmt, ...)
{
	va_list ap;
	va_start (ap, fmt);
	*cause = xvasprintf (fmt, ap);
	va_end (ap);
}

/* A folder's entries made durable (a rename in it survives a power cut). */
static void
hub_backup_sync_dir (const char *dir)
{
	int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync (fd);
		close (fd);
	}
}

static char *
hub_backup_parent (const char *path)
{
	const char *slash = strrchr (path, '/');
	return slash ? xstrndup (path, slash == path ? 1 : (size_t) (slash - path)) : xstrdup (".");
}

/* path and its -wal, -shm and -journal (none of them ever part of a finished copy). */
static void
hub_backup_unlink_db (const char *path)
{
	static const char *const sides[] = { "", "-wal", "-shm", "-journal" };
	for (size_t i = 0; i < nitems (sides); i++) {
		char *p = xasprintf ("%s%s", path, sides[i]);
		unlink (p);
		free (p);
	}
}

/* Remove a folder this file made and all in it (links removed, never followed). */
static void
hub_backup_remove_tree (const char *path)
{
	struct stat sb;
	if (lstat (path, &sb) != 0)
		return;
	if (!S_ISDIR (sb.st_mode)) {
		unlink (path);
		return;
	}
	DIR *d = opendir (path);
	for (struct dirent *e; d && (e = readdir (d)) != NULL;) {
		if (strcmp (e->d_name, ".") == 0 || strcmp (e->d_name, "..") == 0)
			continue;
		char *child = xasprintf ("%s/%s", path, e->d_name);
		hub_backup_remove_tree (child);
		free (child);
	}
	if (d)
		closedir (d);
	rmdir (path);
}

/*
 * The database copy: the online backup into dest, then made a database of
 * its own (journal_mode DELETE: no -wal or -shm beside it, now or when it
 * is opened later), checked whole. 0, or -1 and *cause with dest removed.
 */
static int
hub_backup_copy (db_t *db, const char *dest, int64_t *orders, char **cause)
{
	hub_backup_unlink_db (dest);
	if (db_backup (db, dest, cause) != 0) {
		hub_backup_unlink_db (dest);
		return -1;
	}
	char *why = NULL;
	db_t *copy = db_open (dest, DB_READWRITE, &why);
	char *mode = copy ? db_query_text (copy, "PRAGMA journal_mode=DELETE") : NULL;
	char *check = copy ? db_query_text (copy, "PRAGMA integrity_check") : NULL;
	*orders = copy ? db_query_int (copy, "SELECT count(*) FROM orders", -1) : -1;
	db_close (&copy);
	int rc = 0;
	if (why || mode == NULL || strcmp (mode, "delete") != 0) {
		hub_backup_cause (cause, "%s: the copy cannot be made a database of its own: %s", dest,
		    why ? why : mode ? mode : "journal_mode unchanged");
		rc = -1;
	} else if (check == NULL || strcmp (check, "ok") != 0) {
		hub_backup_cause (cause, "%s: the copy failed its integrity check (%s); nothing kept", dest,
		    check ? check : "unreadable");
		rc = -1;
	}
	/* As private as the database, and never anyone else's to read (it holds customers' addresses). */
	struct stat sb;
	mode_t keep = stat (db_path (db), &sb) == 0 ? (sb.st_mode & 0660) : 0600;
	if (rc == 0 && chmod (dest, keep | 0600) != 0) {
		hub_backup_cause (cause, "%s: cannot set its mode: %s", dest, strerror (errno));
		rc = -1;
	}
	free (why);
	free (mode);
	free (check);
	/* A finished copy is one file: whatever SQLite left beside it goes. */
	static const char *const sides[] = { "-wal", "-shm", "-journal" };
	for (size_t i = 0; i < nitems (sides); i++) {
		char *p = xasprintf ("%s%s", dest, sides[i]);
		unlink (p);
		free (p);
	}
	if (rc != 0)
		hub_backup_unlink_db (dest);
	return rc;
}

/* One file's bytes and mode (owner too, as root, when uid is not -1). */
static int
hub_backup_copy_file (const char *src, const char *dst, mode_t mode, uid_t uid, gid_t gid, char **cause)
{
	int in = open (src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (in < 0) {
		hub_backup_cause (cause, "%s: cannot read it: %s", src, strerror (errno));
		return -1;
	}
	int out = open (dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (out < 0) {
		hub_backup_cause (cause, "%s: cannot write it: %s", dst, strerror (errno));
		close (in);
		return -1;
	}
	char buf[65536];
	ssize_t n;
	int rc = 0;
	while ((n = read (in, buf, sizeof buf)) > 0)
		if (write (out, buf, (size_t) n) != n) {
			rc = -1;
			break;
		}
	if (n < 0)
		rc = -1;
	if (rc == 0 && uid != (uid_t) -1 && fchown (out, uid, gid) != 0)
		rc = -1;
	if (rc == 0 && (fchmod (out, mode & 07777) != 0 || fsync (out) != 0))
		rc = -1;
	if (rc != 0)
		hub_backup_cause (cause, "%s: cannot copy it to %s: %s", src, dst, strerror (errno));
	close (out);
	close (in);
	return rc;
}

/*
 * A folder copied with every file and folder's mode (and, with uid not -1,
 * owner); links and other kinds are left out. How many files, or -1.
 */
static int
hub_backup_copy_tree (const char *src, const char *dst, uid_t uid, gid_t gid, char **cause)
{
	struct stat sb;
	if (lstat (src, &sb) != 0 || !S_ISDIR (sb.st_mode)) {
		hub_backup_cause (cause, "%s: not a folder", src);
		return -1;
	}
	if (mkdir (dst, 0700) != 0) {
		hub_backup_cause (cause, "%s: cannot make it: %s", dst, strerror (errno));
		return -1;
	}
	int files = 0;
	DIR *d = opendir (src);
	if (d == NULL) {
		hub_backup_cause (cause, "%s: cannot list it: %s", src, strerror (errno));
		return -1;
	}
	for (struct dirent *e; files >= 0 && (e = readdir (d)) != NULL;) {
		if (strcmp (e->d_name, ".") == 0 || strcmp (e->d_name, "..") == 0)
			continue;
		char *from = xasprintf ("%s/%s", src, e->d_name), *to = xasprintf ("%s/%s", dst, e->d_name);
		struct stat eb;
		if (lstat (from, &eb) == 0 && S_ISDIR (eb.st_mode)) {
			int n = hub_backup_copy_tree (from, to, uid, gid, cause);
			files = n < 0 ? -1 : files + n;
		} else if (lstat (from, &eb) == 0 && S_ISREG (eb.st_mode)) {
			files = hub_backup_copy_file (from, to, eb.st_mode, uid, gid, cause) == 0 ? files + 1 : -1;
		}
		free (from);
		free (to);
	}
	closedir (d);
	/* The folder's own mode last: a folder of mode 500 would refuse the files written into it. */
	if (files >= 0 && ((uid != (uid_t) -1 && chown (dst, uid, gid) != 0) || chmod (dst, sb.st_mode & 07777) != 0)) {
		hub_backup_cause (cause, "%s: cannot set its owner or mode: %s", dst, strerror (errno));
		files = -1;
	}
	return files;
}

int
hub_backup_take (db_t *db, const char *dir, const char *keys, const char *suffix, struct hub_backup_made *made,
    char **cause)
{
	memset (made, 0, sizeof *made);
	if (util_mkdirs (dir, 0750) != 0) {
		hub_backup_cause (cause, "%s: cannot make the backup folder: %s", dir, strerror (errno));
		return -1;
	}
	/* Said of the folder, before the copy: SQLite would say only "unable to open database file" of the part file. */
	if (access (dir, W_OK | X_OK) != 0) {
		hub_backup_cause (cause, "cannot write the backup into %s: %s", dir, strerror (errno));
		return -1;
	}
	const char *sfx = suffix ? suffix : "";
	char *db_out = NULL;
	/* Names are to the second: a second backup within one waits for its own (never overwrites). */
	for (int tries = 0; tries < 25; tries++) {
		char stamp[32];
		time_t now = time (NULL);
		struct tm tm;
		gmtime_r (&now, &tm);
		strftime (stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
		free (db_out);
		db_out = xasprintf ("%s/despatch-%s%s.db", dir, stamp, sfx);
		if (access (db_out, F_OK) != 0)
			break;
		usleep (100 * 1000);
	}
	size_t base = strlen (dir) + 1, stem = strlen (db_out) - base - 3; /* "despatch-STAMP-SFX" */
	char *db_tmp = xasprintf ("%s/.%.*s.db.part", dir, (int) stem, db_out + base);
	char *keys_tmp = xasprintf ("%s/.%.*s.keys.part", dir, (int) stem, db_out + base);
	char *keys_out = xasprintf ("%s/%.*s.keys", dir, (int) stem, db_out + base);
	struct stat sb;
	bool with_keys = keys && stat (keys, &sb) == 0 && S_ISDIR (sb.st_mode);
	int rc = -1;
	if (access (db_out, F_OK) == 0) {
		hub_backup_cause (cause, "%s is there already, and stays: try again in a second", db_out);
		goto out;
	}
	hub_backup_remove_tree (keys_tmp);
	if (hub_backup_copy (db, db_tmp, &made->orders, cause) != 0)
		goto out;
	if (with_keys && (made->files = hub_backup_copy_tree (keys, keys_tmp, (uid_t) -1, (gid_t) -1, cause)) < 0) {
		hub_backup_remove_tree (keys_tmp);
		hub_backup_unlink_db (db_tmp);
		goto out;
	}
	/* The keys take their name first: a backup that despatch status can see is whole. */
	hub_backup_remove_tree (keys_out);
	if ((with_keys && rename (keys_tmp, keys_out) != 0) || rename (db_tmp, db_out) != 0) {
		hub_backup_cause (cause, "%s: cannot name the copy: %s", db_out, strerror (errno));
		hub_backup_remove_tree (keys_tmp);
		hub_backup_remove_tree (keys_out);
		hub_backup_unlink_db (db_tmp);
		goto out;
	}
	hub_backup_sync_dir (dir);
	made->db = db_out;
	made->keys = with_keys ? keys_out : NULL;
	made->bytes = stat (db_out, &sb) == 0 ? (int64_t) sb.st_size : 0;
	db_out = NULL;
	if (with_keys)
		keys_out = NULL;
	rc = 0;
out:
	free (db_tmp);
	free (db_out);
	free (keys_tmp);
	free (keys_out);
	return rc;
}

static int
hub_backup_cmp_desc (const void *a, const void *b)
{
	return -strcmp (*(char *const *) a, *(char *const *) b);
}

int
hub_backup_rotate (const char *dir, int keep, char **cause)
{
	if (keep <= 0)
		return 0;
	DIR *d = opendir (dir);
	if (d == NULL) {
		hub_backup_cause (cause, "%s: cannot list it: %s", dir, strerror (errno));
		return -1;
	}
	char **names = NULL;
	size_t n = 0;
	for (struct dirent *e; (e = readdir (d)) != NULL;)
		if (hub_backup_is_nightly (e->d_name)) {
			names = xrealloc (names, (n + 1) * sizeof *names);
			names[n++] = xstrdup (e->d_name);
		}
	closedir (d);
	/* The names sort by time: the newest first. */
	qsort (names, n, sizeof *names, hub_backup_cmp_desc);
	int gone = 0;
	for (size_t i = 0; i < n; i++) {
		if (i >= (size_t) keep) {
			char *db = xasprintf ("%s/%s", dir, names[i]);
			char *keys = xasprintf ("%s/%.*s.keys", dir, (int) strlen (names[i]) - 3, names[i]);
			if (unlink (db) == 0)
				gone++;
			hub_backup_remove_tree (keys);
			free (db);
			free (keys);
		}
		free (names[i]);
	}
	free (names);
	return gone;
}

void
hub_backup_set_migration_dir (const char *dir)
{
	free (hub_backup_migration_dir);
	hub_backup_migration_dir = dir && *dir ? xstrdup (dir) : NULL;
}

int
hub_backup_before_migration (db_t *db, const char *path, int from, char **cause)
{
	char *dir = hub_backup_migration_dir ? xstrdup (hub_backup_migration_dir) : hub_backup_dir (NULL, path);
	char *suffix = xasprintf ("-schema-%d", from);
	struct hub_backup_made made;
	char *why = NULL;
	int rc = hub_backup_take (db, dir, NULL, suffix, &made, &why);
	if (rc == 0) {
		log_info ("database %s at schema %d: backed up to %s (%lld bytes, integrity ok) before it is migrated", path,
		    from, made.db, (long long) made.bytes);
		hub_backup_made_free (&made);
	} else {
		hub_backup_cause (cause, "%s: not migrated, as no backup could be taken first: %s (free some space, or "
		    "set backup.dir to a folder the hub may write)", path, why);
		free (why);
	}
	free (suffix);
	free (dir);
	return rc;
}

/* Whether a hub runs on the database at path: its heartbeat fresh, its process alive. */
static bool
hub_backup_hub_running (const char *path, long long *pid)
{
	char *cause = NULL;
	/* Read-write, though it only reads: a read-only connection to a stopped hub's database would leave
	 * a -wal and -shm beside it, which the last read-write connection to close removes. */
	db_t *db = db_open (path, DB_READWRITE, &cause);
	free (cause);
	if (db == NULL)
		return false;
	bool running = false;
	db_stmt_t *q = db_prepare (db, "SELECT pid, updated_at, coalesce(stopped_at, 0), beat_ms FROM hub_status WHERE id = 1");
	if (q && db_step (q) == DB_ROW) {
		*pid = (long long) db_col_int (q, 0);
		int64_t updated = db_col_int (q, 1), stopped = db_col_int (q, 2), beat = db_col_int (q, 3);
		int64_t stale = beat * HUB_BACKUP_STALE_BEATS;
		if (stale < HUB_BACKUP_STALE_FLOOR_MS)
			stale = HUB_BACKUP_STALE_FLOOR_MS;
		bool alive = *pid > 0 && (kill ((pid_t) *pid, 0) == 0 || errno == EPERM);
		running = stopped == 0 && util_wall_ms () - updated <= stale && alive;
	}
	if (q)
		db_reset (q);
	db_close (&db);
	return running;
}

/* Move path (and its -wal, -shm) aside to path.before-restore-STAMP; the new name, or NULL when there was nothing. */
static char *
hub_backup_aside (const char *path, const char *stamp, char **cause)
{
	struct stat sb;
	if (lstat (path, &sb) != 0)
		return NULL;
	char *aside = xasprintf ("%s.before-restore-%s", path, stamp);
	if (rename (path, aside) != 0) {
		hub_backup_cause (cause, "%s: cannot move it aside to %s: %s", path, aside, strerror (errno));
		free (aside);
		return NULL;
	}
	static const char *const sides[] = { "-wal", "-shm" };
	for (size_t i = 0; i < nitems (sides); i++) {
		char *from = xasprintf ("%s%s", path, sides[i]), *to = xasprintf ("%s%s", aside, sides[i]);
		rename (from, to);
		free (from);
		free (to);
	}
	return aside;
}

/* A restore that failed half way: what was moved aside goes back (aside NULL: nothing was there). */
static void
hub_backup_back (const char *aside, const char *path)
{
	if (aside == NULL || path == NULL)
		return;
	hub_backup_remove_tree (path);
	rename (aside, path);
	static const char *const sides[] = { "-wal", "-shm" };
	for (size_t i = 0; i < nitems (sides); i++) {
		char *from = xasprintf ("%s%s", aside, sides[i]), *to = xasprintf ("%s%s", path, sides[i]);
		rename (from, to);
		free (from);
		free (to);
	}
}

int
hub_backup_restore (const char *backup, const char *database, const char *keys, int max_schema, char **said,
    char **cause)
{
	*said = NULL;
	long long pid = 0;
	if (access (database, F_OK) == 0 && hub_backup_hub_running (database, &pid)) {
		hub_backup_cause (cause, "a hub is running on %s (pid %lld): stop it first (systemctl stop despatch-hub)",
		    database, pid);
		return -1;
	}
	/* The backup, checked before anything is touched. */
	char *why = NULL;
	db_t *b = db_open (backup, DB_READONLY, &why);
	if (b == NULL) {
		hub_backup_cause (cause, "%s: not a backup this can restore: %s", backup, why);
		free (why);
		return -1;
	}
	char *check = db_query_text (b, "PRAGMA integrity_check");
	int schema = db_user_version (b);
	int64_t orders = db_query_int (b, "SELECT count(*) FROM orders", -1);
	db_close (&b);
	bool good = check && strcmp (check, "ok") == 0;
	if (!good || schema < 1 || schema > max_schema) {
		if (!good)
			hub_backup_cause (cause, "%s: the backup fails its integrity check (%s): restore another", backup,
			    check ? check : "unreadable");
		else
			hub_backup_cause (cause, "%s: schema %d, which this despatch does not know (it knows 1 to %d): "
			    "restore it with a newer despatch", backup, schema, max_schema);
		free (check);
		return -1;
	}
	free (check);
	struct stat sb;
	char *bkeys = NULL;
	size_t bl = strlen (backup);
	if (bl > 3 && strcmp (backup + bl - 3, ".db") == 0)
		bkeys = xasprintf ("%.*s.keys", (int) bl - 3, backup);
	bool with_keys = keys && bkeys && stat (bkeys, &sb) == 0 && S_ISDIR (sb.st_mode);

	/* Owner and mode as what was there, else as the folder's (as root; others own what they write). */
	char *parent = hub_backup_parent (database);
	uid_t uid = (uid_t) -1;
	gid_t gid = (gid_t) -1;
	mode_t mode = 0640;
	if (stat (database, &sb) == 0) {
		mode = sb.st_mode & 0777;
		if (geteuid () == 0) {
			uid = sb.st_uid;
			gid = sb.st_gid;
		}
	} else if (geteuid () == 0 && stat (parent, &sb) == 0) {
		uid = sb.st_uid;
		gid = sb.st_gid;
	}
	char stamp[32];
	time_t now = time (NULL);
	struct tm tm;
	gmtime_r (&now, &tm);
	strftime (stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	char *tmp = xasprintf ("%s.restore-part", database);
	char *keys_tmp = keys ? xasprintf ("%s.restore-part", keys) : NULL;
	char *db_aside = NULL, *keys_aside = NULL;
	int rc = -1, files = 0;
	hub_backup_unlink_db (tmp);
	if (keys_tmp)
		hub_backup_remove_tree (keys_tmp);
	if (hub_backup_copy_file (backup, tmp, mode, uid, gid, cause) != 0)
		goto fail;
	if (with_keys && (files = hub_backup_copy_tree (bkeys, keys_tmp, uid, gid, cause)) < 0)
		goto fail;
	/* What was there goes aside (never removed), then the copies take its names; a failure puts it back. */
	why = NULL;
	db_aside = hub_backup_aside (database, stamp, &why);
	if (why == NULL && with_keys)
		keys_aside = hub_backup_aside (keys, stamp, &why);
	if (why == NULL && rename (tmp, database) != 0)
		why = xasprintf ("cannot put the restored database in place at %s: %s", database, strerror (errno));
	if (why == NULL && with_keys && rename (keys_tmp, keys) != 0) {
		why = xasprintf ("cannot put the restored keys in place at %s: %s", keys, strerror (errno));
		hub_backup_unlink_db (database);
	}
	if (why) {
		hub_backup_back (db_aside, database);
		hub_backup_back (keys_aside, keys);
		*cause = xasprintf ("%s; what was there is back in its place", why);
		free (why);
		goto fail;
	}
	hub_backup_sync_dir (parent);
	char *k = with_keys ? xasprintf ("; keys (%d files) restored into %s", files, keys)
	                    : xstrdup (keys ? "; the backup has no keys: the key folder is left as it is" : "");
	char *d = db_aside ? xasprintf ("; what was there is kept as %s%s%s", db_aside, keys_aside ? " and " : "",
	                         keys_aside ? keys_aside : "")
	                   : xstrdup ("");
	*said = xasprintf ("%s restored from %s (schema %d, %lld orders)%s%s", database, backup, schema,
	    (long long) orders, k, d);
	free (k);
	free (d);
	rc = 0;
	goto out;
fail:
	hub_backup_unlink_db (tmp);
	if (keys_tmp)
		hub_backup_remove_tree (keys_tmp);
out:
	free (tmp);
	free (keys_tmp);
	free (db_aside);
	free (keys_aside);
	free (bkeys);
	free (parent);
	return rc;
}
