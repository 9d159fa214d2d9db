/*
 * ident.c: tracking-identifier schemes, one table row per scheme.
 *
 * Each scheme has a shape check (length and character classes), a check
 * character function over the data part, and a maker that builds the data part
 * from a range prefix and serial. The rules and their sources are in
 * doc/labels.md.
 */
#include "config.h"
#include "ident.h"
#include "util.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ident_scheme {
	const char *name;
	const char *title;
	/* shape of the whole identifier: 'd' digit, 'A' letter, 'X' digit or letter, literal otherwise */
	const char *shape;
	/* where the check character sits (index into the normalised id), and the data span it covers */
	size_t check_at;
	size_t data_from, data_len;
	char (*check) (const char *data, size_t len);
	/* prefix shape for ident_make (same letters as shape), or NULL for "digits, any length" */
	const char *prefix_shape;
	/* serial width; 0 means "fills the data part after the prefix" */
	size_t serial_digits;
};

static const char ident_alnum36[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

static int
ident_digit (char c)
{
	return c - '0';
}

/* GS1 mod 10: weights 3,1,3,... from the rightmost data digit. */
static char
ident_check_gs1 (const char *data, size_t len)
{
	int sum = 0;
	for (size_t i = 0; i < len; i++)
		sum += ident_digit (data[len - 1 - i]) * (i % 2 == 0 ? 3 : 1);
	return (char) ('0' + (10 - sum % 10) % 10);
}

/* UPS: digits are their value, letters (ASCII - 3) mod 10; odd positions doubled. */
static char
ident_check_ups (const char *data, size_t len)
{
	int sum = 0;
	for (size_t i = 0; i < len; i++) {
		int v = isdigit ((unsigned char) data[i]) ? ident_digit (data[i]) : (data[i] - 3) % 10;
		sum += v * (i % 2 ? 2 : 1);
	}
	return (char) ('0' + (10 - sum % 10) % 10);
}

/* DHL Express: the serial modulo 7. */
static char
ident_check_dhl (const char *data, size_t len)
{
	uint64_t n = 0;
	for (size_t i = 0; i < len; i++)
		n = n * 10 + (uint64_t) ident_digit (data[i]);
	return (char) ('0' + n % 7);
}

/* ISO 7064 Mod 37,36 (hybrid system), as DPD uses over the barcode data. */
static char
ident_check_dpd (const char *data, size_t len)
{
	int p = 36;
	for (size_t i = 0; i < len; i++) {
		int c = isdigit ((unsigned char) data[i]) ? ident_digit (data[i]) : data[i] - 'A' + 10;
		p += c;
		if (p > 36)
			p -= 36;
		p *= 2;
		if (p > 36)
			p -= 37;
	}
	int d = 37 - p;
	if (d == 36)
		d = 0;
	return ident_alnum36[d];
}

/* UPU S10: weights 8,6,4,2,3,5,9,7; 10 becomes 0 and 11 becomes 5. */
static char
ident_check_s10 (const char *data, size_t len)
{
	static const int w[] = { 8, 6, 4, 2, 3, 5, 9, 7 };
	int sum = 0;
	for (size_t i = 0; i < len && i < nitems (w); i++)
		sum += ident_digit (data[i]) * w[i];
	int c = 11 - sum % 11;
	if (c == 10)
		c = 0;
	else if (c == 11)
		c = 5;
	return (char) ('0' + c);
}

/* FedEx Express: weights 3,1,7 repeating, mod 11, mod 10. */
static char
ident_check_fedex_express (const char *data, size_t len)
{
	static const int w[] = { 3, 1, 7 };
	int sum = 0;
	for (size_t i = 0; i < len; i++)
		sum += ident_digit (data[i]) * w[i % 3];
	return (char) ('0' + sum % 11 % 10);
}

/* FedEx Ground: odd positions (from 0) tripled, mod 10 complement. */
static char
ident_check_fedex_ground (const char *data, size_t len)
{
	int sum = 0;
	for (size_t i = 0; i < len; i++)
		sum += ident_digit (data[i]) * (i % 2 ? 3 : 1);
	return (char) ('0' + (10 - sum % 10) % 10);
}

static const struct ident_scheme ident_schemes[] = {
	{ .name = "sscc", .title = "GS1 SSCC-18", .shape = "dddddddddddddddddd",
	  .check_at = 17, .data_from = 0, .data_len = 17, .check = ident_check_gs1 },
	{ .name = "ups", .title = "UPS 1Z", .shape = "1ZXXXXXXXXdddddddd",
	  .check_at = 17, .data_from = 2, .data_len = 15, .check = ident_check_ups,
	  .prefix_shape = "XXXXXXXX", .serial_digits = 7 },
	{ .name = "dhl-express", .title = "DHL Express waybill", .shape = "dddddddddd",
	  .check_at = 9, .data_from = 0, .data_len = 9, .check = ident_check_dhl },
	{ .name = "dpd", .title = "DPD parcel barcode", .shape = "XXXXXXXddddddddddddddddddddX",
	  .check_at = 27, .data_from = 0, .data_len = 27, .check = ident_check_dpd },
	{ .name = "s10", .title = "UPU S10", .shape = "AAdddddddddAA",
	  .check_at = 10, .data_from = 2, .data_len = 8, .check = ident_check_s10,
	  .prefix_shape = "AAAA", .serial_digits = 8 },
	{ .name = "fedex-express", .title = "FedEx Express", .shape = "dddddddddddd",
	  .check_at = 11, .data_from = 0, .data_len = 11, .check = ident_check_fedex_express },
	{ .name = "fedex-ground", .title = "FedEx Ground", .shape = "ddddddddddddddd",
	  .check_at = 14, .data_from = 0, .data_len = 14, .check = ident_check_fedex_ground },
};

static size_t
ident_shape_len (const struct ident_scheme *s)
{
	return strlen (s->shape);
}

static char
ident_shape_at (const struct ident_scheme *s, size_t i)
{
	return i < strlen (s->shape) ? s->shape[i] : 0;
}

static bool
ident_shape_ok (char shape, char c)
{
	switch (shape) {
	case 'd':
		return isdigit ((unsigned char) c);
	case 'A':
		return isupper ((unsigned char) c);
	case 'X':
		return isdigit ((unsigned char) c) || isupper ((unsigned char) c);
	default:
		return c == shape;
	}
}

static const char *
ident_shape_word (char shape)
{
	switch (shape) {
	case 'd':
		return "a digit";
	case 'A':
		return "a letter";
	case 'X':
		return "a digit or letter";
	default:
		return NULL;
	}
}

const struct ident_scheme *
ident_find (const char *name)
{
	for (size_t i = 0; i < nitems (ident_schemes); i++)
		if (strcmp (ident_schemes[i].name, name) == 0)
			return &ident_schemes[i];
	return NULL;
}

const char *const *
ident_names (void)
{
	static const char *names[nitems (ident_schemes) + 1];
	for (size_t i = 0; i < nitems (ident_schemes); i++)
		names[i] = ident_schemes[i].name;
	return names;
}

static void
ident_cause (char **cause, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

static void
ident_cause (char **cause, const char *fmt, ...)
{
	va_list ap;
	if (cause == NULL)
		return;
	va_start (ap, fmt);
	*cause = xvasprintf (fmt, ap);
	va_end (ap);
}

/* Spaces dropped, letters upper-cased; DPD's leading '%' (the Code 128 data's) dropped too. */
static char *
ident_normalise (const struct ident_scheme *s, const char *id)
{
	char *out = xmalloc (strlen (id) + 1), *q = out;
	for (const char *p = id; *p; p++)
		if (*p != ' ')
			*q++ = (char) toupper ((unsigned char) *p);
	*q = '\0';
	if (strcmp (s->name, "dpd") == 0 && out[0] == '%')
		memmove (out, out + 1, strlen (out));
	return out;
}

static const struct ident_scheme *
ident_scheme_or_cause (const char *scheme, char **cause)
{
	const struct ident_scheme *s = ident_find (scheme);
	if (s == NULL)
		ident_cause (cause, "unknown identifier scheme '%s'", scheme);
	return s;
}

/* Check data against the shape from offset 'from'; returns false with *cause. */
static bool
ident_shape_check (const struct ident_scheme *s, const char *id, size_t from, size_t len, char **cause)
{
	for (size_t i = from; i < from + len; i++) {
		char want = ident_shape_at (s, i);
		if (!ident_shape_ok (want, id[i])) {
			const char *word = ident_shape_word (want);
			if (word != NULL)
				ident_cause (cause, "character %zu ('%c') should be %s", i + 1, id[i], word);
			else
				ident_cause (cause, "character %zu ('%c') should be '%c'", i + 1, id[i], want);
			return false;
		}
	}
	return true;
}

bool
ident_validate (const char *scheme, const char *id, char **cause)
{
	const struct ident_scheme *s = ident_scheme_or_cause (scheme, cause);
	if (s == NULL)
		return false;
	char *n = ident_normalise (s, id);
	size_t len = strlen (n), want = ident_shape_len (s);
	bool ok = false;

	if (strcmp (s->name, "dpd") == 0 && len == want - 1
	    && ident_shape_check (s, n, 0, len, NULL)) {
		/* The 27 barcode characters without the human-readable check character. */
		ident_cause (cause, "no check character: it should end in %c",
		    s->check (n, len));
		goto out;
	}
	if (len != want) {
		ident_cause (cause, "%s is %zu characters long, not %zu", s->title, want, len);
		goto out;
	}
	if (!ident_shape_check (s, n, 0, len, cause))
		goto out;
	char c = s->check (n + s->data_from, s->data_len);
	if (n[s->check_at] != c) {
		if (strcmp (s->name, "dpd") == 0)
			ident_cause (cause, "check character is %c, should be %c", n[s->check_at], c);
		else
			ident_cause (cause, "check digit is %c, should be %c", n[s->check_at], c);
		goto out;
	}
	ok = true;
out:
	free (n);
	return ok;
}

char
ident_check (const char *scheme, const char *data, char **cause)
{
	const struct ident_scheme *s = ident_scheme_or_cause (scheme, cause);
	if (s == NULL)
		return 0;
	if (strlen (data) != s->data_len) {
		ident_cause (cause, "%s check data is %zu characters, not %zu", s->title,
		    s->data_len, strlen (data));
		return 0;
	}
	for (size_t i = 0; i < s->data_len; i++) {
		char want = ident_shape_at (s, s->data_from + i);
		if (!ident_shape_ok (want, data[i])) {
			ident_cause (cause, "character %zu ('%c') of the check data is not allowed", i + 1, data[i]);
			return 0;
		}
	}
	return s->check (data, s->data_len);
}

static bool
ident_all_digits (const char *s)
{
	for (; *s; s++)
		if (!isdigit ((unsigned char) *s))
			return false;
	return true;
}

/* Digits the serial has after prefix, or 0 if prefix does not fit the scheme. */
static size_t
ident_serial_width (const struct ident_scheme *s, const char *prefix, char **cause)
{
	size_t plen = strlen (prefix);
	if (s->prefix_shape != NULL) {
		size_t want = strlen (s->prefix_shape);
		if (plen != want) {
			ident_cause (cause, "%s range prefix must be %zu characters, not %zu", s->title, want, plen);
			return 0;
		}
		for (size_t i = 0; i < plen; i++)
			if (!ident_shape_ok (s->prefix_shape[i], prefix[i])) {
				ident_cause (cause, "%s range prefix character %zu ('%c') should be %s",
				    s->title, i + 1, prefix[i], ident_shape_word (s->prefix_shape[i]));
				return 0;
			}
		return s->serial_digits;
	}
	if (!ident_all_digits (prefix)) {
		ident_cause (cause, "%s range prefix '%s' must be digits", s->title, prefix);
		return 0;
	}
	/* DPD: the 14-digit parcel number sits at offset 7 of the barcode data. */
	size_t room = strcmp (s->name, "dpd") == 0 ? 14 : s->data_len;
	if (plen >= room || room - plen > 19) {
		ident_cause (cause, "%s range prefix '%s' leaves no room for a serial", s->title, prefix);
		return 0;
	}
	return room - plen;
}

static uint64_t
ident_pow10 (size_t n)
{
	uint64_t p = 1;
	while (n--)
		p *= 10;
	return p;
}

uint64_t
ident_serial_max (const char *scheme, const char *prefix)
{
	const struct ident_scheme *s = ident_find (scheme);
	size_t w;
	if (s == NULL || (w = ident_serial_width (s, prefix, NULL)) == 0)
		return 0;
	return ident_pow10 (w) - 1;
}

char *
ident_make (const char *scheme, const char *prefix, uint64_t serial, char **cause)
{
	const struct ident_scheme *s = ident_scheme_or_cause (scheme, cause);
	if (s == NULL)
		return NULL;
	size_t w = ident_serial_width (s, prefix, cause);
	if (w == 0)
		return NULL;
	if (serial > ident_pow10 (w) - 1) {
		ident_cause (cause, "serial %" PRIu64 " does not fit in %zu digits after prefix '%s'",
		    serial, w, prefix);
		return NULL;
	}
	char serial_s[24];
	snprintf (serial_s, sizeof serial_s, "%0*" PRIu64, (int) w, serial);

	if (strcmp (s->name, "ups") == 0) {
		char *data = xasprintf ("%s%s", prefix, serial_s);
		char *id = xasprintf ("1Z%s%c", data, s->check (data, s->data_len));
		free (data);
		return id;
	}
	if (strcmp (s->name, "s10") == 0)
		return xasprintf ("%.2s%s%c%.2s", prefix, serial_s, s->check (serial_s, 8), prefix + 2);
	if (strcmp (s->name, "dpd") == 0)
		return xasprintf ("%s%s", prefix, serial_s);
	char *data = xasprintf ("%s%s", prefix, serial_s);
	char *id = xasprintf ("%s%c", data, s->check (data, s->data_len));
	free (data);
	return id;
}

enum ident_take
ident_range_take (const struct ident_range *r, uint64_t next, char **id, uint64_t *remaining,
    char **cause)
{
	*id = NULL;
	if (r->first > r->last) {
		ident_cause (cause, "range %" PRIu64 "-%" PRIu64 " is empty", r->first, r->last);
		return IDENT_TAKE_BAD;
	}
	if (next < r->first) {
		ident_cause (cause, "next serial %" PRIu64 " is before the range start %" PRIu64, next, r->first);
		return IDENT_TAKE_BAD;
	}
	if (next > r->last) {
		ident_cause (cause, "%s range %s %" PRIu64 "-%" PRIu64 " is used up: ask the carrier for a new range",
		    r->scheme, r->prefix, r->first, r->last);
		if (remaining)
			*remaining = 0;
		return IDENT_TAKE_EXHAUSTED;
	}
	/* The whole range must fit, or the end of it would fail at the bench. */
	char *last = ident_make (r->scheme, r->prefix, r->last, cause);
	if (last == NULL)
		return IDENT_TAKE_BAD;
	free (last);
	*id = ident_make (r->scheme, r->prefix, next, cause);
	if (*id == NULL)
		return IDENT_TAKE_BAD;
	uint64_t left = r->last - next;
	if (remaining)
		*remaining = left;
	return left <= r->low_water ? IDENT_TAKE_LOW : IDENT_TAKE_OK;
}

char *
ident_dpd_barcode (const char *postcode, const char *parcel, const char *service,
    const char *country, char *check, char **cause)
{
	char pc[8];
	size_t n = 0;
	for (const char *p = postcode; *p; p++) {
		if (*p == ' ')
			continue;
		if (!isalnum ((unsigned char) *p)) {
			ident_cause (cause, "postcode '%s' has a character DPD cannot carry ('%c')", postcode, *p);
			return NULL;
		}
		if (n == 7) {
			ident_cause (cause, "postcode '%s' is longer than 7 characters", postcode);
			return NULL;
		}
		pc[n++] = (char) toupper ((unsigned char) *p);
	}
	pc[n] = '\0';
	if (n == 0) {
		ident_cause (cause, "postcode is empty");
		return NULL;
	}
	if (strlen (parcel) != 14 || !ident_all_digits (parcel)) {
		ident_cause (cause, "parcel number '%s' must be 14 digits", parcel);
		return NULL;
	}
	if (strlen (service) != 3 || !ident_all_digits (service)) {
		ident_cause (cause, "service code '%s' must be 3 digits", service);
		return NULL;
	}
	if (strlen (country) != 3 || !ident_all_digits (country)) {
		ident_cause (cause, "country '%s' must be the 3-digit ISO 3166 numeric code", country);
		return NULL;
	}
	/* Short postcodes are padded on the left with zeros, as DPD's own examples are. */
	char padded[8];
	memset (padded, '0', 7 - n);
	memcpy (padded + 7 - n, pc, n + 1);
	char *data = xasprintf ("%s%s%s%s", padded, parcel, service, country);
	char *out = xasprintf ("%%%s", data);
	if (check != NULL)
		*check = ident_check_dpd (data, strlen (data));
	free (data);
	return out;
}

int
ident_gs1_check (const char *digits)
{
	if (*digits == '\0' || !ident_all_digits (digits))
		return -1;
	return ident_check_gs1 (digits, strlen (digits)) - '0';
}
