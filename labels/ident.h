/*
 * ident.h: carrier tracking-identifier schemes and their check characters.
 *
 * Pure functions: no I/O, no allocation other than the strings handed back.
 * The hub validates scanned or imported identifiers with ident_validate and
 * turns a serial taken from a carrier-issued range into a full identifier with
 * ident_make (or ident_range_take, which also says when the range runs low).
 * Range state itself (the next serial) lives in the hub's database.
 *
 * Scheme names: sscc, ups, dhl-express, dpd, s10, fedex-express, fedex-ground.
 * Strings returned through char ** belong to the caller, who frees them.
 */
#ifndef DSP_IDENT_H
#define DSP_IDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ident_scheme;

/* The scheme called name, or NULL. */
const struct ident_scheme *ident_find (const char *name);
/* Scheme names in table order, NULL-terminated; for usage messages. */
const char *const *ident_names (void);

/*
 * Normalise id (drop spaces, upper-case letters) and check it against the
 * scheme. Returns true if valid; otherwise false and *cause (if not NULL) says
 * why, for a person to read. For dpd the cause names the right check character.
 */
bool ident_validate (const char *scheme, const char *id, char **cause);

/*
 * The check character of data (the identifier without its check character,
 * already normalised; for dpd the 27 characters after '%'). Returns the
 * character, or 0 with *cause set if data cannot take one.
 */
char ident_check (const char *scheme, const char *data, char **cause);

/*
 * A full identifier from a carrier-issued prefix and serial:
 *   sscc           prefix = extension digit + GS1 company prefix; serial fills to 17 digits
 *   ups            prefix = 6-character shipper number + 2-character service; serial = 7 digits
 *   dhl-express    prefix = leading digits (may be empty); serial fills to 9 digits
 *   dpd            prefix = leading digits (depot); serial fills the 14-digit parcel number
 *                  (no check character: DPD's check covers the whole barcode, see ident_dpd_barcode)
 *   s10            prefix = 2-letter service indicator + 2-letter country, e.g. "RBGB"; serial = 8 digits
 *   fedex-express  prefix = leading digits; serial fills to 11 digits
 *   fedex-ground   prefix = leading digits; serial fills to 14 digits
 * Returns a new string, or NULL with *cause set (bad prefix, serial too large).
 */
char *ident_make (const char *scheme, const char *prefix, uint64_t serial, char **cause);

/* How many serials the scheme leaves after prefix (10^digits - 1 is the largest); 0 if prefix is bad. */
uint64_t ident_serial_max (const char *scheme, const char *prefix);

/*
 * A carrier-issued number range as the hub stores it: serials first..last
 * inclusive; warn when at most low_water serials are left after the one taken.
 */
struct ident_range {
	const char *scheme;
	const char *prefix;
	uint64_t first;
	uint64_t last;
	uint64_t low_water;
};

enum ident_take {
	IDENT_TAKE_OK,		/* *id made; plenty left */
	IDENT_TAKE_LOW,		/* *id made; the range is running low: tell someone */
	IDENT_TAKE_EXHAUSTED,	/* nothing made: next is past the range's end */
	IDENT_TAKE_BAD		/* nothing made: the range itself is wrong (see *cause) */
};

/*
 * Make the identifier for serial next from range. The hub stores next + 1 in
 * the same transaction that records the parcel, so a number is never reused.
 * *remaining (if not NULL) gets how many serials are left after this one.
 */
enum ident_take ident_range_take (const struct ident_range *range, uint64_t next,
    char **id, uint64_t *remaining, char **cause);

/*
 * DPD's 28-character Code 128 barcode data ("%" + postcode padded to 7 +
 * 14-digit parcel number + 3-digit service + 3-digit ISO numeric country),
 * and, if check is not NULL, its check character (human-readable only).
 */
char *ident_dpd_barcode (const char *postcode, const char *parcel, const char *service,
    const char *country, char *check, char **cause);

/* GS1 mod 10 check digit over a string of digits; -1 if any is not a digit. */
int ident_gs1_check (const char *digits);

#endif
