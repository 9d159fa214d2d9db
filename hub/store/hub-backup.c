/* hub-backup.c: backups of the database and the keys, and where they are (see hub-backup.h). */
#include "config.h"
#include "hub-backup.h"
#include "util.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
