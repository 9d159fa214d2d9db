/*
 * despatch-carrier.h: "despatch rules" and "despatch quote" (issue 7), the
 * administrator's view of the carrier files and the rule set.
 */
#ifndef DSP_DESPATCH_CARRIER_H
#define DSP_DESPATCH_CARRIER_H

#include <stdint.h>

#include "carriers/carrier.h"
#include "db.h"

/* despatch rules test ORDERS [at=ISO-TIME] [carriers=DIRS]: 0 every order got a service, 1 some did not, 2 usage. */
int despatch_rules (db_t *db, int argc, char **argv);
/* despatch quote ORDER [weight=G] | quote country=CC [postcode=P] weight=G [service=S] [value=PENCE] [at=ISO]. */
int despatch_quote (db_t *db, int argc, char **argv);

/* despatch track FILE...: tracking files in; 0 all matched, 1 refused or unknown numbers, 2 usage/database. */
int despatch_track (db_t *db, int argc, char **argv);

/* Shared: "key=value" arguments; the value of key or NULL. */
const char *despatch_carrier_arg (int argc, char **argv, const char *key);
/* at=2026-11-23T10:00:00Z (or a date) into ms; now when absent; false on a bad value. */
bool despatch_carrier_at (const char *v, int64_t *ms);
/* Load the carrier files (carriers= or the default path); NULL after printing why. */
carrier_set_t *despatch_carrier_load (int argc, char **argv);

#endif
