/*
 * despatch-rules.c: "despatch rules test ORDERS": run the rule set over a
 * file of orders (the import format, doc/orders.md) and print each choice
 * with its reasons, changing nothing: the orders are imported into a
 * scratch database in memory; the hub's is not opened (a --database given
 * is ignored), so none is made where there was none.
 *
 * Output, one line per order, tab-separated:
 *   ORDER  CARRIER/SERVICE (or -)  PRICE (or -)  RULE (file:line name, or -)  WHY
 */
#include "config.h"
#include "despatch.h"
#include "despatch-carrier.h"
#include "hub/store/hub-import.h"
#include "hub/store/hub-store.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int
despatch_rules_exec (db_t *db, int argc, char **argv)
{
	argc--; /* the arguments after the command's name */
	argv++;
	(void) db;  /* NULL: the orders go into a scratch database */
	if (argc < 2 || strcmp (argv[0], "test") != 0 || strchr (argv[1], '=')) {
		fprintf (stderr, "despatch rules test ORDERS [at=2026-11-23T10:00:00Z] [carriers=DIR:DIR]\n");
		return 2;
	}
	int64_t now;
	if (!despatch_carrier_at (despatch_carrier_arg (argc, argv, "at"), &now)) {
		fprintf (stderr, "despatch rules: at= must be a time like 2026-11-23T10:00:00Z\n");
		return 2;
	}
	carrier_set_t *set = despatch_carrier_load (argc, argv);
	if (set == NULL)
		return 2;
	char *cause = NULL;
	db_t *scratch = hub_store_open (":memory:", &cause);
	if (scratch == NULL) {
		fprintf (stderr, "despatch: %s\n", cause);
		free (cause);
		carrier_set_destroy (&set);
		return 2;
	}
	struct hub_import_report rep;
	int rc = db_begin (scratch) == DB_DONE ? hub_import_file (scratch, argv[1], now, &rep) : -1;
	if (rc != 0) {
		for (int e = 0; rc > 0 && e < rep.nerrors; e++)
			fprintf (stderr, "%s: %s\n", argv[1], rep.errors[e]);
		fprintf (stderr, "%s: not read%s%s\n", argv[1], rc < 0 ? ": " : "", rc < 0 ? db_errmsg (scratch) : "");
		if (rc > 0)
			hub_import_report_free (&rep);
		db_close (&scratch);
		carrier_set_destroy (&set);
		return 2;
	}
	hub_import_report_free (&rep);
	db_stmt_t *st = db_prepare (scratch, "SELECT ref FROM orders ORDER BY rowid");
	char **refs = NULL;
	size_t n = 0;
	while (db_step (st) == DB_ROW) {
		refs = xrealloc (refs, (n + 1) * sizeof *refs);
		refs[n++] = xstrdup (db_col_text (st, 0));
	}
	db_reset (st);
	int worst = 0;
	struct carrier_choice *ch = xmalloc (sizeof *ch);
	for (size_t i = 0; i < n; i++) {
		struct carrier_order o;
		if (carrier_rules_order (scratch, refs[i], 0, now, &o) == 0) {
			carrier_rules_choose (set, &o, ch);
			char price[24] = "-";
			if (ch->carrier && ch->pence >= 0)
				carrier_money (ch->pence, price, sizeof price);
			if (ch->carrier)
				printf ("%s\t%s/%s\t%s\t%s\t%s\n", refs[i], ch->carrier->code, ch->service->code, price, ch->rule,
				    ch->why);
			else {
				printf ("%s\t-\t-\t-\t%s\n", refs[i], ch->why);
				worst = 1;
			}
		}
		free (refs[i]);
	}
	free (ch);
	free (refs);
	db_rollback (scratch);
	db_close (&scratch);
	carrier_set_destroy (&set);
	return worst;
}

const struct despatch_cmd_entry despatch_rules_entry = {
	.name = "rules",
	.usage = "test ORDERS [at=ISO-TIME] [carriers=DIR]",
	.help = "the carrier each order would get, and why; changes nothing",
	/* No DESPATCH_CMD_DATABASE: a rules test reads no database of the hub,
	 * so none is opened, and none made where there was none. */
	.flags = 0,
	.exec = despatch_rules_exec,
};
