/*
 * country.h: ISO 3166 countries the store ships to, by alpha-2 code:
 * the numeric code (DPD and UPS barcodes, GS1 AI 421) and the English name.
 */
#ifndef DSP_COUNTRY_H
#define DSP_COUNTRY_H

/* NULL when the code is not in the table. */
const char *country_numeric (const char *alpha2);
const char *country_name (const char *alpha2);

#endif
