/* hub-demo.c: seed a fresh database with the demo data set. */
#include "config.h"
#include "hub-demo.h"
#include "hub-import.h"
#include "hub-auth.h"
#include "hub-store.h"
#include "hub-role.h"
#include "log.h"
#include "secret.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Split a CSV line of plain fields (no quotes in the demo files) in place. */
static int
hub_demo_split (char *line, char **f, int max)
{
	int n = 0;
	line[strcspn (line, "\r\n")] = '\0';
	for (char *p = line; n < max;) {
		f[n++] = p;
		char *c = strchr (p, ',');
		if (c == NULL)
			break;
		*c = '\0';
		p = c + 1;
	}
	return n;
}

typedef int (hub_demo_row_fn) (db_t *db, char **f, int n, const char **why);

static int
hub_demo_operator (db_t *db, char **f, int n, const char **why)
{
	int role;
	if (n != 4) {
		*why = "expected badge,name,role,pin";
		return -1;
	}
	if ((role = hub_role_parse (f[2])) == 0) {
		*why = "role must be porter, packer, supervisor or admin";
		return -1;
	}
	if (!hub_auth_pin_ok (f[3])) {
		*why = "a PIN is 4 to 12 digits";
		return -1;
	}
	char *hash = secret_pin_hash (f[3]);
	if (hash == NULL) {
		*why = "cannot hash the PIN";
		return -1;
	}
	int rc = hub_store_operator_put (db, f[0], f[1], role, hash);
	free (hash);
	if (rc != 0)
		*why = db_errmsg (db);
	return rc;
}

static int
hub_demo_file (db_t *db, const char *dir, const char *name, hub_demo_row_fn *fn, char **cause)
{
	char *path = xasprintf ("%s/%s", dir, name);
	FILE *f = fopen (path, "r");
	if (f == NULL) {
		*cause = xasprintf ("%s: %s", path, strerror (errno));
		free (path);
		return -1;
	}
	char line[1024];
	int lineno = 0, rc = 0;
	while (rc == 0 && fgets (line, sizeof line, f)) {
		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		char *fields[8];
		int n = hub_demo_split (line, fields, 8);
		const char *why = NULL;
		if (fn (db, fields, n, &why) != 0) {
			*cause = xasprintf ("%s:%d: %s", path, lineno, why ? why : "bad row");
			rc = -1;
		}
	}
	fclose (f);
	free (path);
	return rc;
}

int
hub_demo_load (db_t *db, const char *dir, char **cause)
{
	if (db_query_int (db, "SELECT count(*) FROM operators", 0) > 0)
		return 0;
	if (db_begin (db) != DB_DONE) {
		*cause = xasprintf ("cannot write the database: %s", db_errmsg (db));
		return -1;
	}
	if (hub_demo_file (db, dir, "operators.csv", hub_demo_operator, cause) != 0) {
		db_rollback (db);
		return -1;
	}
	/* Demo orders go through the importer, in the import format of doc/orders.md. */
	char *orders = xasprintf ("%s/orders.csv", dir);
	struct hub_import_report rep;
	if (hub_import_file (db, orders, util_wall_ms (), &rep) != 0) {
		*cause = xasprintf ("%s: %s%s", orders, rep.nerrors ? rep.errors[0] : "cannot write the database",
		    rep.nerrors > 1 ? " (and more)" : "");
		hub_import_report_free (&rep);
		free (orders);
		db_rollback (db);
		return -1;
	}
	hub_import_report_free (&rep);
	free (orders);
	if (db_commit (db) != DB_DONE) {
		*cause = xasprintf ("cannot write the database: %s", db_errmsg (db));
		db_rollback (db);
		return -1;
	}
	log_info ("demo data loaded from %s", dir);
	return 0;
}
