/*
 * conf-keys.c: print the table of known configuration keys (common/conf.c),
 * one "NAME<TAB>DEFAULT" a line, for tests/ops/manual.sh to hold against
 * the code's readers and despatch.conf(5).
 */
#include "config.h"
#include "conf.h"

#include <stdio.h>

int
main (void)
{
	size_t n = 0;
	const struct conf_key *keys = conf_keys (&n);
	for (size_t i = 0; i < n; i++)
		printf ("%s\t%s\n", keys[i].name, keys[i].dflt);
	return n > 0 ? 0 : 1;
}
