/*
 * despatch-carrier.h: what "despatch rules", "despatch quote" and "despatch
 * track" share (despatch-carrier.c): key=value arguments, a time given as
 * at=, and the carrier files read as the hub would read them.
 */
#ifndef DSP_DESPATCH_CARRIER_H
#define DSP_DESPATCH_CARRIER_H

#include <stdbool.h>
#include <stdint.h>

#include "carriers/carrier.h"

/* "key=value" arguments; the value of key or NULL. */
const char *despatch_carrier_arg (int argc, char **argv, const char *key);
/* at=2026-11-23T10:00:00Z (or a date) into ms; now when absent; false on a bad value. */
bool despatch_carrier_at (const char *v, int64_t *ms);
/* Load the carrier files (carriers= or the default path); NULL after printing why (caller destroys). */
carrier_set_t *despatch_carrier_load (int argc, char **argv);

#endif
