/*
 * gs1.h: what a scanner sends, read as the hub and terminals need it.
 *
 * A scan may start with a symbology identifier ("]C1" GS1-128, "]d2" GS1
 * DataMatrix, "]Q3" GS1 QR, "]e0" GS1 DataBar; "]C0" plain Code 128...).
 * GS1 data carries application identifiers (AIs); variable-length ones end
 * at a GS (0x1D) separator unless last. The human-readable form with the
 * AIs in brackets, "(00)395123451234567895", is accepted as well, so a code
 * typed from the label works.
 *
 * gs1_parse fills a gs1_scan the caller owns (no allocation). Pure: no I/O.
 */
#ifndef DSP_GS1_H
#define DSP_GS1_H

#include <stdbool.h>
#include <stddef.h>

#define GS1_MAX_AIS 8
#define GS1_MAX_VALUE 90
#define GS1_MAX_CODE 512

struct gs1_element {
	char ai[5];
	char value[GS1_MAX_VALUE + 1];
};

struct gs1_scan {
	char symbology[4];          /* "]C1", or "" when the scan had none */
	bool gs1;                   /* the data is GS1 element strings */
	char data[GS1_MAX_CODE + 1];/* the code less identifier and surrounding spaces (plain scans) */
	int n;                      /* GS1 elements, in scanned order */
	struct gs1_element el[GS1_MAX_AIS];
};

/*
 * Read raw (as the scanner sent it). Returns 0, or -1 when the data is GS1
 * but broken (unknown AI, wrong length, bad check digit, junk): err then
 * says which AI and why, for a person to read.
 */
int gs1_parse (const char *raw, struct gs1_scan *out, char *err, size_t errn);

/* The value of ai ("00", "400"...), or NULL when the scan has none. */
const char *gs1_get (const struct gs1_scan *scan, const char *ai);

/* The GS1 mod 10 check digit over n digits, or -1 if one is not a digit. */
int gs1_check_digit (const char *digits, size_t n);

/* An 18-digit SSCC with a right check digit. */
bool gs1_sscc_valid (const char *sscc);

#endif
