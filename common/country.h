/*
 * country.h: ISO 3166-1 countries by alpha-2 code: every code the standard
 * assigns (249, as Debian's iso-codes lists them), with its numeric code
 * (DPD and UPS barcodes, GS1 AI 421) and an English name for labels.
 *
 * Codes from outside are read with country_canonical: capitals only, an
 * assigned code as it is, and "UK" (which ISO reserves for the United
 * Kingdom but never assigned, and which senders and carriers write) as
 * "GB", saying it was an alias. Anything else ("QQ", "XX", "gb") is not a
 * country.
 */
#ifndef DSP_COUNTRY_H
#define DSP_COUNTRY_H

#include <stdbool.h>

/* NULL when the code is not an assigned alpha-2 code (any case). */
const char *country_numeric (const char *alpha2);
const char *country_name (const char *alpha2);
/* The assigned code that code stands for ("GB" for "GB" and for "UK"), or
 * NULL; *alias (may be NULL) is set when code was an alias, not the code. */
const char *country_canonical (const char *code, bool *alias);

#endif
