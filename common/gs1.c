/* gs1.c: symbology identifiers, GS1 element strings and check digits. */
#include "config.h"
#include "gs1.h"
#include "util.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define GS1_GS '\x1d'

/* The AIs a despatch floor meets. fixed: the exact length, else 0 (max is the limit). */
static const struct gs1_ai_def {
	const char *ai;
	int fixed;
	int max;
	bool numeric;
	bool check;
	const char *name;
} gs1_ais[] = {
	{ "00", 18, 18, true, true, "SSCC" },
	{ "01", 14, 14, true, true, "GTIN" },
	{ "02", 14, 14, true, true, "GTIN of contents" },
	{ "10", 0, 20, false, false, "batch" },
	{ "21", 0, 20, false, false, "serial" },
	{ "37", 0, 8, true, false, "count" },
	{ "400", 0, 30, false, false, "order number" },
	{ "401", 0, 30, false, false, "consignment (GINC)" },
	{ "402", 17, 17, true, true, "shipment (GSIN)" },
	{ "403", 0, 30, false, false, "routing code" },
	{ "420", 0, 20, false, false, "ship-to postcode" },
	{ "421", 0, 12, false, false, "ship-to postcode with country" },
};

/* Symbology identifiers whose data is GS1 element strings. */
static const char *gs1_symbologies[] = { "]C1", "]d2", "]Q3", "]e0", "]J1" };

static int
gs1_fail (char *err, size_t errn, const char *fmt, ...)
{
	va_list ap;
	va_start (ap, fmt);
	if (err && errn)
		vsnprintf (err, errn, fmt, ap);
	va_end (ap);
	return -1;
}

int
gs1_check_digit (const char *digits, size_t n)
{
	int sum = 0;
	for (size_t i = 0; i < n; i++) {
		char c = digits[n - 1 - i];
		if (c < '0' || c > '9')
			return -1;
		sum += (c - '0') * (i % 2 == 0 ? 3 : 1);
	}
	return (10 - sum % 10) % 10;
}

bool
gs1_sscc_valid (const char *s)
{
	if (s == NULL || strlen (s) != 18)
		return false;
	int c = gs1_check_digit (s, 17);
	return c >= 0 && s[17] == '0' + c;
}

static const struct gs1_ai_def *
gs1_ai_find (const char *p, size_t avail)
{
	for (size_t i = 0; i < nitems (gs1_ais); i++) {
		size_t n = strlen (gs1_ais[i].ai);
		if (n <= avail && strncmp (p, gs1_ais[i].ai, n) == 0)
			return &gs1_ais[i];
	}
	return NULL;
}

/* Check one element's value against its AI's rules. */
static int
gs1_element_check (const struct gs1_ai_def *d, const char *v, size_t len, char *err, size_t errn)
{
	if (len == 0)
		return gs1_fail (err, errn, "(%s) %s is empty", d->ai, d->name);
	if (d->fixed && (int) len != d->fixed)
		return gs1_fail (err, errn, "(%s) %s must be %d digits, not %zu", d->ai, d->name, d->fixed, len);
	if ((int) len > d->max)
		return gs1_fail (err, errn, "(%s) %s is longer than %d characters", d->ai, d->name, d->max);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char) v[i];
		if (d->numeric ? !isdigit (c) : (c < 0x21 || c > 0x7e))
			return gs1_fail (err, errn, "(%s) %s holds a character it may not ('%c')", d->ai, d->name,
			    isprint (c) ? c : '?');
	}
	if (strcmp (d->ai, "421") == 0 && (len < 4 || !isdigit ((unsigned char) v[0])
	        || !isdigit ((unsigned char) v[1]) || !isdigit ((unsigned char) v[2])))
		return gs1_fail (err, errn, "(421) must be a 3-digit country code and a postcode");
	if (d->check) {
		int c = gs1_check_digit (v, len - 1);
		if (c < 0 || v[len - 1] != '0' + c)
			return gs1_fail (err, errn, "(%s) %s check digit is wrong (should be %d): the label is "
			    "misprinted or misread, scan again or type it", d->ai, d->name, c);
	}
	return 0;
}

static int
gs1_add (struct gs1_scan *out, const struct gs1_ai_def *d, const char *v, size_t len, char *err, size_t errn)
{
	if (gs1_element_check (d, v, len, err, errn) != 0)
		return -1;
	if (out->n >= GS1_MAX_AIS)
		return gs1_fail (err, errn, "more than %d GS1 elements in one scan", GS1_MAX_AIS);
	if (gs1_get (out, d->ai))
		return gs1_fail (err, errn, "(%s) appears twice", d->ai);
	struct gs1_element *e = &out->el[out->n++];
	util_strlcpy (e->ai, d->ai, sizeof e->ai);
	memcpy (e->value, v, len);
	e->value[len] = '\0';
	return 0;
}

/* "(00)3951...(421)826SW1A1AA" */
static int
gs1_parse_brackets (const char *p, struct gs1_scan *out, char *err, size_t errn)
{
	while (*p) {
		if (*p != '(')
			return gs1_fail (err, errn, "expected '(' before an AI, found '%c'", *p);
		const char *close = strchr (p, ')');
		if (close == NULL)
			return gs1_fail (err, errn, "an AI's '(' has no ')'");
		size_t ailen = (size_t) (close - p - 1);
		const struct gs1_ai_def *d = gs1_ai_find (p + 1, ailen);
		if (d == NULL || strlen (d->ai) != ailen)
			return gs1_fail (err, errn, "(%.*s) is not an AI the hub knows", (int) (ailen < 8 ? ailen : 8), p + 1);
		const char *v = close + 1;
		size_t len = strcspn (v, "(");
		if (gs1_add (out, d, v, len, err, errn) != 0)
			return -1;
		p = v + len;
	}
	return 0;
}

/* Raw element strings: fixed-length AIs run on, variable ones end at GS or the end. */
static int
gs1_parse_raw (const char *p, struct gs1_scan *out, char *err, size_t errn)
{
	while (*p == GS1_GS)
		p++;
	if (*p == '\0')
		return gs1_fail (err, errn, "GS1 data is empty");
	while (*p) {
		size_t avail = strlen (p);
		const struct gs1_ai_def *d = gs1_ai_find (p, avail);
		if (d == NULL)
			return gs1_fail (err, errn, "'%.4s' does not start an AI the hub knows", p);
		p += strlen (d->ai);
		size_t len;
		if (d->fixed) {
			len = strnlen (p, (size_t) d->fixed);
			const char *gs = memchr (p, GS1_GS, len);
			if (gs)
				len = (size_t) (gs - p);
		} else {
			len = strcspn (p, "\x1d");
		}
		if (gs1_add (out, d, p, len, err, errn) != 0)
			return -1;
		p += len;
		while (*p == GS1_GS)
			p++;
	}
	return 0;
}

static bool
gs1_all_digits (const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit ((unsigned char) s[i]))
			return false;
	return s[n] == '\0';
}

int
gs1_parse (const char *raw, struct gs1_scan *out, char *err, size_t errn)
{
	memset (out, 0, sizeof *out);
	if (raw == NULL)
		raw = "";
	while (isspace ((unsigned char) *raw))
		raw++;
	if (raw[0] == ']' && raw[1] && raw[2] && isalnum ((unsigned char) raw[1])) {
		memcpy (out->symbology, raw, 3);
		raw += 3;
		for (size_t i = 0; i < nitems (gs1_symbologies); i++)
			if (strcmp (out->symbology, gs1_symbologies[i]) == 0)
				out->gs1 = true;
	}
	if (strlen (raw) > GS1_MAX_CODE)
		return gs1_fail (err, errn, "the scan is longer than %d characters", GS1_MAX_CODE);
	util_strlcpy (out->data, raw, sizeof out->data);
	/* Scanners end with CR/LF or Tab; people add spaces. */
	size_t len = strlen (out->data);
	while (len > 0 && (isspace ((unsigned char) out->data[len - 1])))
		out->data[--len] = '\0';
	const char *d = out->data;
	if (!out->gs1 && out->symbology[0] == '\0') {
		if ((d[0] == '(' && isdigit ((unsigned char) d[1])) || strchr (d, GS1_GS) != NULL
		    || (len == 20 && d[0] == '0' && d[1] == '0' && gs1_all_digits (d, 20)))
			out->gs1 = true;
	}
	if (!out->gs1)
		return 0;
	if (d[0] == '(')
		return gs1_parse_brackets (d, out, err, errn);
	return gs1_parse_raw (d, out, err, errn);
}

const char *
gs1_get (const struct gs1_scan *scan, const char *ai)
{
	for (int i = 0; i < scan->n; i++)
		if (strcmp (scan->el[i].ai, ai) == 0)
			return scan->el[i].value;
	return NULL;
}
