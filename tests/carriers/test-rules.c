/*
 * test-rules.c: the rule set over 50 varied orders (orders-50.csv), at a
 * fixed time so that cut-offs and promises do not depend on the clock:
 * every order's carrier, service, the rule that fired and a piece of the
 * reasons must be as rules-50.expected says; no database is made, not the
 * one named with --database nor ./despatch.db when none is named (run in
 * an empty folder, which stays empty). Also "despatch quote" for a parcel
 * and an order.
 */
#include "config.h"
#include "tests/tap.h"
#include "tests/testlib.h"
#include "util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define AT "at=2026-11-23T10:00:00Z"

static char *
slurp_cmd (const char *cmd, int *status)
{
	FILE *p = popen (cmd, "r");
	size_t cap = 1 << 16, len = 0, got;
	char *buf = xmalloc (cap);
	while (p && (got = fread (buf + len, 1, cap - len - 1, p)) > 0)
		if ((len += got) + 1 >= cap)
			buf = xrealloc (buf, cap *= 2);
	buf[len] = '\0';
	int st = p ? pclose (p) : -1;
	*status = st != -1 && WIFEXITED (st) ? WEXITSTATUS (st) : -1;
	return buf;
}

/* The line of out that starts with "ref\t", or NULL. */
static const char *
find_line (const char *out, const char *ref, char *line, size_t n)
{
	size_t rl = strlen (ref);
	for (const char *s = out; s && *s; s = strchr (s, '\n') ? strchr (s, '\n') + 1 : NULL)
		if (strncmp (s, ref, rl) == 0 && s[rl] == '\t') {
			size_t len = strcspn (s, "\n");
			snprintf (line, n, "%.*s", (int) len, s);
			return line;
		}
	return NULL;
}

int
main (void)
{
	const char *src = getenv ("top_srcdir"), *build = getenv ("top_builddir");
	char dir[256];
	testlib_tmpdir (dir, sizeof dir);
	int status;
	char *cmd = xasprintf ("%s/admin/despatch -d '%s/hub.db' rules test '%s/tests/carriers/orders-50.csv' " AT " 2>&1",
	    build, dir, src);
	char *out = slurp_cmd (cmd, &status);
	free (cmd);
	is_int (status, 1, "despatch rules test exits 1: some orders have no service");

	char *path = xasprintf ("%s/tests/carriers/rules-50.expected", src);
	FILE *f = fopen (path, "r");
	ok (f != NULL, "expected choices at %s", path);
	char want[1024], got[8192];
	int n = 0;
	while (f && fgets (want, sizeof want, f)) {
		want[strcspn (want, "\n")] = '\0';
		if (*want == '#' || *want == '\0')
			continue;
		char *ref = strtok (want, "\t"), *choice = strtok (NULL, "\t"), *rule = strtok (NULL, "\t"),
		     *reason = strtok (NULL, "\t");
		n++;
		if (!ok (find_line (out, ref, got, sizeof got) != NULL, "%s: a line of output", ref))
			continue;
		char *g_choice = strchr (got, '\t') + 1, *g_price = strchr (g_choice, '\t') + 1,
		     *g_rule = strchr (g_price, '\t') + 1, *g_why = strchr (g_rule, '\t') + 1;
		g_choice[strcspn (g_choice, "\t")] = '\0';
		g_rule[strcspn (g_rule, "\t")] = '\0';
		const char *g_name = strrchr (g_rule, ' ') ? strrchr (g_rule, ' ') + 1 : g_rule;
		bool good = strcmp (g_choice, choice) == 0 && strcmp (g_name, rule) == 0 && strstr (g_why, reason);
		ok (good, "%s: %s by rule %s", ref, choice, rule);
		if (!good)
			diag ("got %s by %s: %s\n# wanted reason: %s", g_choice, g_rule, g_why, reason);
	}
	if (f)
		fclose (f);
	is_int (n, 50, "fifty orders checked");
	free (path);
	char *db = xasprintf ("%s/hub.db", dir);
	ok (access (db, F_OK) != 0, "the database named was not made: a rules test needs none");

	diag ("despatch rules test without --database, in an empty folder");
	char *abs_src = realpath (src, NULL), *abs_build = realpath (build, NULL);
	char *empty = xasprintf ("%s/empty", dir);
	ok (abs_src && abs_build && mkdir (empty, 0700) == 0, "an empty folder %s", empty);
	cmd = xasprintf ("cd '%s' && '%s/admin/despatch' rules test '%s/tests/carriers/orders-50.csv' carriers='%s/data/carriers' "
	    AT " 2>&1", empty, abs_build ? abs_build : ".", abs_src ? abs_src : ".", abs_src ? abs_src : ".");
	char *again = slurp_cmd (cmd, &status);
	free (cmd);
	is_int (status, 1, "it runs as before (exit 1: some orders have no service)");
	ok (find_line (again, "R003", got, sizeof got) && strstr (got, "\tparcelforce/express-48\t"),
	    "and prints the chosen carrier/service: %s", find_line (again, "R003", got, sizeof got) ? got : again);
	is_str (again, out, "the same choices as with a database named");
	DIR *d = opendir (empty);
	int left = 0;
	struct dirent *e;
	while (d && (e = readdir (d)) != NULL)
		if (strcmp (e->d_name, ".") != 0 && strcmp (e->d_name, "..") != 0) {
			diag ("left in the folder: %s", e->d_name);
			left++;
		}
	if (d)
		closedir (d);
	ok (d != NULL && left == 0, "the folder is still empty: no despatch.db, nothing else");
	rmdir (empty);
	free (empty);
	free (abs_src);
	free (abs_build);
	free (again);
	free (out);

	diag ("despatch quote");
	cmd = xasprintf ("%s/admin/despatch -d '%s/hub.db' quote country=GB postcode='IV1 1AA' weight=1200 " AT " 2>&1",
	    build, dir);
	out = slurp_cmd (cmd, &status);
	free (cmd);
	is_int (status, 0, "a quote for a parcel");
	const char *rm = strstr (out, "royal-mail/tracked-48"), *dpd = strstr (out, "dpd/next-day");
	ok (rm && dpd && rm < dpd, "cheapest first: Royal Mail before DPD");
	ok (strstr (out, "10.71  delivers 2026-11-24  zone highlands") != NULL, "DPD: highlands rate plus 5%% fuel, "
	    "delivers next day");
	ok (strstr (out, "ups/standard") && strstr (out, "cannot: does not go to GB"), "UPS says why it cannot");
	if (!rm || !dpd)
		diag ("%s", out);
	free (out);
	cmd = xasprintf ("%s/admin/despatch -d '%s/hub.db' quote weight=abc country=GB 2>&1", build, dir);
	out = slurp_cmd (cmd, &status);
	free (cmd);
	ok (status == 2 && strstr (out, "weight= must be grams"), "a bad weight is refused: %s", out);
	free (out);
	ok (access (db, F_OK) != 0, "a quote for a parcel made no database");
	cmd = xasprintf ("%s/admin/despatch -d '%s/hub.db' quote NOSUCH 2>&1", build, dir);
	out = slurp_cmd (cmd, &status);
	free (cmd);
	ok (status == 1 && strstr (out, "no database here") && strstr (out, "-d PATH"),
	    "an order to quote with no database there is refused, saying what to give: %s", out);
	free (out);
	ok (access (db, F_OK) != 0, "  and none is made");
	FILE *empty_db = fopen (db, "w"); /* an empty file is an empty database: the hub's tables are made in it */
	if (empty_db)
		fclose (empty_db);
	cmd = xasprintf ("%s/admin/despatch -d '%s/hub.db' quote NOSUCH 2>&1", build, dir);
	out = slurp_cmd (cmd, &status);
	free (cmd);
	ok (status == 1 && strstr (out, "no order NOSUCH"), "with a database, an unknown order is refused: %s", out);
	free (out);
	free (db);
	return tap_done ();
}
