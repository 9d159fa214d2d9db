/* pan.c: find and mask payment card numbers in text (see pan.h). */
#include "config.h"
#include "pan.h"

#include <string.h>

#define PAN_MIN 13
#define PAN_MAX 19

bool
pan_luhn (const char *digits, size_t n)
{
	int sum = 0;
	for (size_t i = 0; i < n; i++) {
		int d = digits[n - 1 - i] - '0';
		if (i % 2 == 1) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return n > 0 && sum % 10 == 0;
}

static bool
pan_digit (char c)
{
	return c >= '0' && c <= '9';
}

/*
 * The card schemes by the first digits of the number (the issuer
 * identification number's ranges) and the lengths each issues, so a run of
 * digits is taken for a card only where a card of that length can start so:
 * a file name's time stamp (20261201120000, 14 digits) starts as no card
 * does. Ranges are compared on the first 6 digits.
 */
static const struct {
	long from, to; /* first six digits, inclusive */
	int min, max;  /* lengths */
} pan_schemes[] = {
	{ 220000, 220499, 16, 19 }, /* Mir */
	{ 222100, 272099, 16, 16 }, /* Mastercard 2-series */
	{ 300000, 305999, 14, 19 }, /* Diners Club */
	{ 309500, 309599, 14, 19 },
	{ 340000, 349999, 15, 15 }, /* American Express */
	{ 352800, 358999, 16, 19 }, /* JCB */
	{ 360000, 369999, 14, 19 }, /* Diners Club International */
	{ 370000, 379999, 15, 15 }, /* American Express */
	{ 380000, 399999, 16, 19 }, /* Diners Club */
	{ 400000, 499999, 13, 19 }, /* Visa (13, 16, 19; Electron 16) */
	{ 500000, 509999, 12, 19 }, /* Maestro */
	{ 510000, 559999, 16, 16 }, /* Mastercard */
	{ 560000, 699999, 12, 19 }, /* Maestro, Discover, UnionPay, RuPay, Troy */
};

/* Whether n digits starting so could be a card number. */
static bool
pan_scheme_fits (const char *digits, size_t n)
{
	long iin = 0;
	for (int i = 0; i < 6; i++)
		iin = iin * 10 + (digits[i] - '0');
	for (size_t i = 0; i < sizeof pan_schemes / sizeof pan_schemes[0]; i++)
		if (iin >= pan_schemes[i].from && iin <= pan_schemes[i].to && (int) n >= pan_schemes[i].min
		    && (int) n <= pan_schemes[i].max)
			return true;
	return false;
}

/* From s (a digit not preceded by a digit), the longest card number: its
 * length in characters through its last digit, or 0 when none. A card is
 * the whole run of digits (single spaces or dashes between them) or the run
 * up to a separator ("4111 1111 1111 1111 1225"), never cut out of a longer
 * unbroken number such as a 20-digit barcode, and only of a length a card
 * starting with those digits has. */
static size_t
pan_at (const char *s)
{
	char digits[64];
	size_t ends[64];
	bool group_end[64];
	size_t nd = 0, i = 0;
	while (pan_digit (s[i]) && nd < sizeof digits) {
		digits[nd] = s[i];
		ends[nd] = i + 1;
		i++;
		group_end[nd] = !pan_digit (s[i]);
		nd++;
		if ((s[i] == ' ' || s[i] == '-') && pan_digit (s[i + 1]))
			i++;
	}
	if (nd < PAN_MIN || digits[0] < '2' || digits[0] > '6')
		return 0;
	for (size_t k = nd < PAN_MAX ? nd : PAN_MAX; k >= PAN_MIN; k--)
		if (group_end[k - 1] && pan_scheme_fits (digits, k) && pan_luhn (digits, k))
			return ends[k - 1];
	return 0;
}

bool
pan_find (const char *text)
{
	for (size_t i = 0; text && text[i]; i++)
		if (pan_digit (text[i]) && (i == 0 || !pan_digit (text[i - 1])) && pan_at (text + i) > 0)
			return true;
	return false;
}

int
pan_mask (char *text)
{
	int found = 0;
	for (size_t i = 0; text && text[i]; i++) {
		if (!pan_digit (text[i]) || (i > 0 && pan_digit (text[i - 1])))
			continue;
		size_t n = pan_at (text + i);
		if (n == 0)
			continue;
		size_t ndig = 0;
		for (size_t j = 0; j < n; j++)
			ndig += pan_digit (text[i + j]);
		size_t seen = 0;
		for (size_t j = 0; j < n; j++)
			if (pan_digit (text[i + j]) && ++seen <= ndig - 4)
				text[i + j] = '*';
		found++;
		i += n - 1;
	}
	return found;
}
