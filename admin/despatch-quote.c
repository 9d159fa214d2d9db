/*
 * despatch-quote.c: "despatch quote": the price of every service for an
 * order in the database (one parcel of its whole weight, or weight=G), or
 * for a parcel described on the command line, from the carriers' rate
 * tables. Eligible services come first, cheapest first; the others say why
 * they cannot take it. Nothing is changed.
 */
#include "config.h"
#include "despatch.h"
#include "despatch-carrier.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
despatch_quote_exec (db_t *db, int argc, char **argv)
{
	argc--; /* the arguments after the command's name */
	argv++;
	static const char usage[] = "despatch quote ORDER [weight=G] [at=ISO-TIME]\n"
	    "despatch quote country=CC [postcode=P] weight=G [service=standard] [value=PENCE] [length=MM] [at=ISO-TIME]\n";
	struct carrier_order o = { 0 };
	int64_t now;
	long v;
	if (!despatch_carrier_at (despatch_carrier_arg (argc, argv, "at"), &now)) {
		fprintf (stderr, "despatch quote: at= must be a time like 2026-11-23T10:00:00Z\n");
		return 2;
	}
	const char *w = despatch_carrier_arg (argc, argv, "weight");
	long weight = 0;
	if (w && !util_parse_long (w, 1, 1000000, &weight)) {
		fprintf (stderr, "despatch quote: weight= must be grams from 1 to 1000000, not '%s'\n", w);
		return 2;
	}
	if (argc >= 1 && strchr (argv[0], '=') == NULL) {
		if (db == NULL) {
			fprintf (stderr, "despatch quote: %s: no database here to find the order in. Give the hub's before the "
			    "command (despatch -d PATH quote ORDER), or describe the parcel: country=CC weight=G\n", argv[0]);
			return 1;
		}
		if (carrier_rules_order (db, argv[0], (int) weight, now, &o) != 0) {
			fprintf (stderr, "despatch quote: no order %s in %s\n", argv[0], db_path (db));
			return 1;
		}
	} else {
		const char *c = despatch_carrier_arg (argc, argv, "country");
		if (c == NULL || strlen (c) != 2 || weight == 0) {
			fprintf (stderr, "%s", usage);
			return 2;
		}
		util_strlcpy (o.country, c, sizeof o.country);
		const char *pc = despatch_carrier_arg (argc, argv, "postcode");
		util_strlcpy (o.postcode, pc ? pc : "", sizeof o.postcode);
		const char *sv = despatch_carrier_arg (argc, argv, "service");
		util_strlcpy (o.service, sv ? sv : "standard", sizeof o.service);
		const char *val = despatch_carrier_arg (argc, argv, "value"), *len = despatch_carrier_arg (argc, argv, "length");
		if ((val && !util_parse_long (val, 0, 100000000, &v)) || (val && (o.value_pence = v, false))
		    || (len && !util_parse_long (len, 0, 10000, &v)) || (len && (o.length_mm = (int) v, false))) {
			fprintf (stderr, "despatch quote: value= is pence and length= is mm, whole numbers\n");
			return 2;
		}
		o.weight_g = (int) weight;
		o.now_ms = now;
	}
	carrier_set_t *set = despatch_carrier_load (argc, argv);
	if (set == NULL)
		return 2;
	struct carrier_quote *q = NULL;
	int n = carrier_rules_quote_all (set, &o, &q);
	char value[24];
	carrier_money (o.value_pence, value, sizeof value);
	printf ("%s%s%d g to %s %s, %s service, value %s%s%s\n", *o.ref ? o.ref : "", *o.ref ? ": " : "", o.weight_g,
	    o.country, o.postcode, o.service, value, *o.promise ? ", promised " : "", o.promise);
	for (int i = 0; i < n; i++) {
		char svc[80], price[24] = "-";
		snprintf (svc, sizeof svc, "%s/%s", q[i].c->code, q[i].s->code);
		if (q[i].pence >= 0)
			carrier_money (q[i].pence, price, sizeof price);
		if (q[i].eligible)
			printf ("  %-42s %9s  delivers %s  %s\n", svc, price, q[i].date, q[i].note);
		else
			printf ("  %-42s %9s  cannot: %s\n", svc, "-", q[i].note);
	}
	free (q);
	carrier_set_destroy (&set);
	return 0;
}

const struct despatch_cmd_entry despatch_quote_entry = {
	.name = "quote",
	.usage = "ORDER [weight=G] | quote country=CC [postcode=P] weight=G [service=S] [value=PENCE]",
	.help = "the price of every service from the carriers' rate tables",
	/* A parcel on the command line needs no database: none is made for it. */
	.flags = DESPATCH_CMD_DATABASE | DESPATCH_CMD_DATABASE_IF_THERE,
	.exec = despatch_quote_exec,
};
