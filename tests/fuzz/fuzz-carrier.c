/*
 * fuzz-carrier.c: the carrier definition parser must refuse or take any
 * file without crashing. The first byte says which file the rest is read
 * as (odd: rules.conf, the rule set; even: a carrier file); a set it takes
 * then quotes and chooses for a fixed parcel, so what it parsed is used.
 */
#include "config.h"
#include "fuzz.h"
#include "carriers/carrier.h"

#include <stdlib.h>
#include <string.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	const char *name = (data[0] & 1) ? "rules.conf" : "fuzz.conf";
	char *text = malloc (size);
	memcpy (text, data + 1, size - 1);
	text[size - 1] = '\0';
	char *cause = NULL;
	carrier_set_t *set = carrier_load_text (name, text, &cause);
	if (set == NULL) {
		if (cause == NULL)
			abort ();
		free (cause);
		free (text);
		return 0;
	}
	struct carrier_order o = {
		.ref = "SO-1001", .country = "GB", .postcode = "LS1 4AP", .service = "standard",
		.tier = "gold", .promise = "", .departments = " garden ", .value_pence = 4999,
		.weight_g = 2500, .length_mm = 600, .now_ms = 1700000000000,
	};
	struct carrier_quote *q = NULL;
	int n = carrier_rules_quote_all (set, &o, &q);
	if (n < 0)
		abort ();
	free (q);
	struct carrier_choice *choice = malloc (sizeof *choice);
	carrier_rules_choose (set, &o, choice);
	free (choice);
	carrier_set_destroy (&set);
	free (text);
	return 0;
}
