/* despatch-carrier.c: what the carrier commands of despatch share (despatch-carrier.h). */
#include "config.h"
#include "despatch-carrier.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *
despatch_carrier_arg (int argc, char **argv, const char *key)
{
	size_t n = strlen (key);
	for (int i = 0; i < argc; i++)
		if (strncmp (argv[i], key, n) == 0 && argv[i][n] == '=')
			return argv[i] + n + 1;
	return NULL;
}

bool
despatch_carrier_at (const char *v, int64_t *ms)
{
	if (v == NULL) {
		*ms = util_wall_ms ();
		return true;
	}
	struct tm tm = { 0 };
	int y, mo, d, h = 12, mi = 0, s = 0;
	int got = sscanf (v, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s);
	if (got != 3 && got != 5 && got != 6)
		return false;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	*ms = (int64_t) timegm (&tm) * 1000;
	return true;
}

carrier_set_t *
despatch_carrier_load (int argc, char **argv)
{
	char *cause = NULL;
	carrier_set_t *set = carrier_load (despatch_carrier_arg (argc, argv, "carriers"), &cause);
	if (set == NULL) {
		fprintf (stderr, "despatch: carrier definitions refused: %s\n", cause);
		free (cause);
	}
	return set;
}
