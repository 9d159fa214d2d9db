/*
 * carrier-int.h: the carrier set's insides, for the files that own them:
 * carrier-load.c fills a set from the files, carrier-set.c hands out what
 * it holds and frees it, carrier.c looks carriers up in it. Nothing outside
 * carriers/ includes this.
 */
#ifndef DSP_CARRIER_INT_H
#define DSP_CARRIER_INT_H

#include "carrier.h"

struct carrier_set {
	struct carrier *carriers;
	int ncarriers;
	struct carrier_rule *rules;
	int nrules;
	char **files;       /* names kept for carrier_where */
	int nfiles;
	char *file_list;
};

#endif
