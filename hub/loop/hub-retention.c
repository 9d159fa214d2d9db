/* hub-retention.c: old exports, manifests, inbox files and reports pruned on the chore thread (see hub-retention.h). */
#include "config.h"
#include "hub-retention.h"
#include "log.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HUB_RETENTION_DAY_MS ((int64_t) 24 * 60 * 60 * 1000)

/*
 * Where the hub leaves files, and which of them may go. sub: NULL for the
 * folder itself, "*" for each folder in it (the outbox's carriers), else
 * the named folders in it. A name must start with prefix and end with
 * suffix when they are given.
 */
static const struct hub_retention_place {
	const char *what;
	const char *days_key;
	long days_dflt;
	const char *dir_key;
	const char *sub;
	const char *prefix, *suffix;
} hub_retention_places[] = {
	{ "exports", "retention.exports_days", 90, "hub.exports", NULL, "events-", ".jsonl" },
	{ "outbox", "retention.outbox_days", 400, "carriers.outbox", "*", NULL, NULL },
	{ "order inbox", "retention.inbox_days", 30, "hub.inbox", "done failed", NULL, NULL },
	{ "tracking inbox", "retention.inbox_days", 30, "hub.tracking_inbox", "done failed", NULL, NULL },
	{ "reports", "retention.reports_days", 90, "retention.reports", NULL, NULL, NULL },
};

#define HUB_RETENTION_NPLACES (sizeof hub_retention_places / sizeof hub_retention_places[0])

struct hub_retention {
	hub_chores_t *chores;
	db_t *db;
	bool busy;
};

/* One place's folder for a run, and what became of it. */
struct hub_retention_dir {
	const struct hub_retention_place *place;
	char *dir;           /* NULL: not configured, or kept forever */
	long days;
	int64_t before_ms;   /* files last changed before this go */
	int removed;
	int64_t bytes;
	char *error;         /* the first failure, if any */
};

struct hub_retention_chore {
	struct hub_chore chore;
	hub_retention_t *owner;
	struct hub_retention_dir dirs[HUB_RETENTION_NPLACES];
};

static bool
hub_retention_name_ok (const struct hub_retention_place *pl, const char *name)
{
	size_t len = strlen (name);
	if (name[0] == '.' || (len > 5 && strcmp (name + len - 5, ".part") == 0))
		return false;
	if (pl->prefix && strncmp (name, pl->prefix, strlen (pl->prefix)) != 0)
		return false;
	if (pl->suffix && (len < strlen (pl->suffix) || strcmp (name + len - strlen (pl->suffix), pl->suffix) != 0))
		return false;
	return true;
}

static void hub_retention_fail (struct hub_retention_dir *d, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

static void
hub_retention_fail (struct hub_retention_dir *d, const char *fmt, ...)
{
	if (d->error)
		return; /* the first says what to look at */
	va_list ap;
	va_start (ap, fmt);
	d->error = xvasprintf (fmt, ap);
	va_end (ap);
}

/* The old files of one folder (not below it). A folder that is not there has nothing to prune. */
static void
hub_retention_prune_dir (struct hub_retention_dir *d, const char *dir)
{
	DIR *dh = opendir (dir);
	if (dh == NULL) {
		if (errno != ENOENT)
			hub_retention_fail (d, "%s: cannot list it: %s", dir, strerror (errno));
		return;
	}
	for (struct dirent *e; (e = readdir (dh)) != NULL;) {
		if (!hub_retention_name_ok (d->place, e->d_name))
			continue;
		char *path = xasprintf ("%s/%s", dir, e->d_name);
		struct stat sb;
		/* lstat: a link is never followed, nor removed. */
		if (lstat (path, &sb) == 0 && S_ISREG (sb.st_mode)) {
			/* The later of its last write and its last change (a rename into done/ is one), so that a
			 * file copied in with an old time keeps its days from when the hub took it. */
			int64_t mtime = (int64_t) sb.st_mtim.tv_sec * 1000 + sb.st_mtim.tv_nsec / 1000000;
			int64_t ctime = (int64_t) sb.st_ctim.tv_sec * 1000 + sb.st_ctim.tv_nsec / 1000000;
			if ((mtime > ctime ? mtime : ctime) < d->before_ms) {
				if (unlink (path) == 0) {
					d->removed++;
					d->bytes += (int64_t) sb.st_size;
				} else {
					hub_retention_fail (d, "%s: cannot remove it: %s", path, strerror (errno));
				}
			}
		}
		free (path);
	}
	closedir (dh);
}

/* The folders a place names under its folder. */
static void
hub_retention_prune (struct hub_retention_dir *d)
{
	const char *sub = d->place->sub;
	if (sub == NULL) {
		hub_retention_prune_dir (d, d->dir);
		return;
	}
	if (strcmp (sub, "*") == 0) {
		DIR *dh = opendir (d->dir);
		if (dh == NULL) {
			if (errno != ENOENT)
				hub_retention_fail (d, "%s: cannot list it: %s", d->dir, strerror (errno));
			return;
		}
		for (struct dirent *e; (e = readdir (dh)) != NULL;) {
			if (e->d_name[0] == '.')
				continue;
			char *path = xasprintf ("%s/%s", d->dir, e->d_name);
			struct stat sb;
			if (lstat (path, &sb) == 0 && S_ISDIR (sb.st_mode))
				hub_retention_prune_dir (d, path);
			free (path);
		}
		closedir (dh);
		return;
	}
	char *names = xstrdup (sub);
	for (char *save = NULL, *w = strtok_r (names, " ", &save); w; w = strtok_r (NULL, " ", &save)) {
		char *path = xasprintf ("%s/%s", d->dir, w);
		hub_retention_prune_dir (d, path);
		free (path);
	}
	free (names);
}

/* On the thread. */
static void
hub_retention_run (struct hub_chore *chore)
{
	struct hub_retention_chore *r = (struct hub_retention_chore *) chore;
	for (size_t i = 0; i < HUB_RETENTION_NPLACES; i++)
		if (r->dirs[i].dir)
			hub_retention_prune (&r->dirs[i]);
}

static void
hub_retention_record (db_t *db, bool ok, const char *detail)
{
	db_stmt_t *st = db_prepare (db, "INSERT INTO events (at, operator, action, code, detail)"
	                                " VALUES (?1, 'system', 'retention', ?2, ?3)");
	if (st == NULL)
		return;
	db_bind_int (st, 1, util_wall_ms ());
	db_bind_text (st, 2, ok ? "ok" : "failed");
	db_bind_text (st, 3, detail);
	if (db_step (st) != DB_DONE)
		log_warn ("retention: the run is not recorded in the database: %s", db_errmsg (db));
	db_reset (st);
}

/* On the loop: each folder's removals logged, the run recorded. */
static void
hub_retention_done (struct hub_chore *chore, bool ran)
{
	struct hub_retention_chore *r = (struct hub_retention_chore *) chore;
	hub_retention_t *self = r->owner;
	self->busy = false;
	char *summary = xstrdup ("");
	bool ok = true;
	int removed = 0;
	for (size_t i = 0; ran && i < HUB_RETENTION_NPLACES; i++) {
		struct hub_retention_dir *d = &r->dirs[i];
		if (d->dir == NULL)
			continue;
		if (d->removed > 0)
			log_info ("retention: removed %d file%s (%lld bytes) last changed more than %ld days ago from %s (%s)",
			    d->removed, d->removed == 1 ? "" : "s", (long long) d->bytes, d->days, d->dir, d->place->what);
		if (d->error) {
			log_warn ("retention: %s", d->error);
			ok = false;
		}
		removed += d->removed;
		char *more = xasprintf ("%s%s%s %d (%ld days)%s%s", summary, *summary ? ", " : "", d->place->what, d->removed,
		    d->days, d->error ? ": " : "", d->error ? d->error : "");
		free (summary);
		summary = more;
	}
	if (ran) {
		char *detail = xasprintf ("removed %d file%s: %s", removed, removed == 1 ? "" : "s",
		    *summary ? summary : "no folder to prune");
		hub_retention_record (self->db, ok, detail);
		free (detail);
	}
	free (summary);
	for (size_t i = 0; i < HUB_RETENTION_NPLACES; i++) {
		free (r->dirs[i].dir);
		free (r->dirs[i].error);
	}
	free (r);
}

hub_retention_t *
hub_retention_new (hub_chores_t *chores, db_t *db)
{
	hub_retention_t *self = xcalloc (1, sizeof *self);
	self->chores = chores;
	self->db = db;
	return self;
}

void
hub_retention_destroy (hub_retention_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	free (*self_p);
	*self_p = NULL;
}

/* A place's folder from the settings; the outbox defaults to one beside the database. Caller frees. */
static char *
hub_retention_folder (hub_retention_t *self, conf_t *conf, const struct hub_retention_place *pl)
{
	const char *dir = conf_get (conf, pl->dir_key, NULL);
	if (dir && *dir)
		return xstrdup (dir);
	if (strcmp (pl->dir_key, "carriers.outbox") != 0)
		return NULL;
	const char *db = db_path (self->db), *slash = strrchr (db, '/');
	return slash ? xasprintf ("%.*s/outbox", (int) (slash - db), db) : xstrdup ("outbox");
}

void
hub_retention_tick (hub_retention_t *self, conf_t *conf)
{
	if (self->busy)
		return;
	struct hub_retention_chore *r = xcalloc (1, sizeof *r);
	r->chore.run = hub_retention_run;
	r->chore.done = hub_retention_done;
	r->owner = self;
	long offset_s = 0;
	char *why = NULL;
	if (conf_get_long (conf, "retention.clock_offset_s", 0, 0, 3650L * 86400, &offset_s, &why) != 0)
		free (why); /* checked at start and at each reload */
	int64_t now = util_wall_ms () + (int64_t) offset_s * 1000;
	for (size_t i = 0; i < HUB_RETENTION_NPLACES; i++) {
		const struct hub_retention_place *pl = &hub_retention_places[i];
		struct hub_retention_dir *d = &r->dirs[i];
		char *cause = NULL;
		d->place = pl;
		if (conf_get_long (conf, pl->days_key, pl->days_dflt, 0, 36500, &d->days, &cause) != 0) {
			free (cause); /* checked at start and at each reload (hub-reload.c) */
			d->days = pl->days_dflt;
		}
		if (d->days > 0)
			d->dir = hub_retention_folder (self, conf, pl);
		d->before_ms = now - d->days * HUB_RETENTION_DAY_MS;
	}
	self->busy = true;
	hub_chores_post (self->chores, &r->chore);
}
