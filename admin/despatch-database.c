/* despatch-database.c: what every command says of the database it was given (see despatch.h). */
#include "config.h"
#include "despatch.h"
#include "util.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool
despatch_database_folder (const char *who, const char *path)
{
	struct stat sb;
	if (stat (path, &sb) != 0 || !S_ISDIR (sb.st_mode))
		return false;
	/* Most often the hub's data folder was given for its database: name the file when it is in there. */
	size_t n = strlen (path);
	char *inside = xasprintf ("%s%s" DESPATCH_DEFAULT_DATABASE, path, n > 0 && path[n - 1] == '/' ? "" : "/");
	bool there = access (inside, F_OK) == 0;
	fprintf (stderr, "despatch %s: %s is a folder, not a database file: give the path of the hub's database "
	    "(the hub's -d, or hub.database in its configuration)%s%s%s; nothing done\n", who, path,
	    there ? ", such as " : "", there ? inside : "", there ? ", which is there" : "");
	free (inside);
	return true;
}
