/* test-pan.c: card numbers found and masked in text (common/pan.c). */
#include "config.h"
#include "pan.h"
#include "tests/tap.h"

#include <stdlib.h>
#include <string.h>

static const struct {
	const char *in, *out;
	int n;
} cases[] = {
	{ "4111111111111111", "************1111", 1 },                       /* Visa, 16 */
	{ "card 4111 1111 1111 1111 exp 12/29", "card **** **** **** 1111 exp 12/29", 1 },
	{ "4111-1111-1111-1111", "****-****-****-1111", 1 },
	{ "378282246310005", "***********0005", 1 },                          /* Amex, 15 */
	{ "5555555555554444 and 6011111111111117", "************4444 and ************1117", 2 },
	{ "4222222222222", "*********2222", 1 },                              /* Visa, 13 */
	{ "6759649826438453", "************8453", 1 },                        /* Maestro */
	{ "4111 1111 1111 1111 1225", "**** **** **** 1111 1225", 1 },        /* run with more after a space */
	{ "4111111111111112", "4111111111111112", 0 },                        /* Luhn fails */
	{ "411111111111", "411111111111", 0 },                                /* 12 digits */
	{ "41111111111111111111", "41111111111111111111", 0 },                /* 20 unbroken digits */
	{ "00050123450000000017", "00050123450000000017", 0 },                /* GS1 SSCC with AI */
	{ "15500001000009", "15500001000009", 0 },                            /* DPD-like, starts with 1 */
	{ "W1000001", "W1000001", 0 },
	{ "", "", 0 },
	{ "4111  1111 1111 1111", "4111  1111 1111 1111", 0 },                /* double space breaks the run */
	{ "x4111111111111111y", "x************1111y", 1 },
	/* Time stamps in file names pass Luhn one time in ten: no card starts 20. */
	{ "inbox/done/orders-20261201000019.csv", "inbox/done/orders-20261201000019.csv", 0 },
	{ "events-20261201120000001.jsonl", "events-20261201120000001.jsonl", 0 },
	{ "done 2026-12-01 20261201000027 taken", "done 2026-12-01 20261201000027 taken", 0 },
	/* Lengths a card of that start does not have. */
	{ "378282246310005 0", "***********0005 0", 1 },                     /* Amex is 15 ... */
	{ "3782822463100052", "3782822463100052", 0 },                        /* ... never 16 */
	{ "5555555555554", "5555555555554", 0 },                              /* Mastercard is 16 only */
	{ "30569309025904", "**********5904", 1 },                            /* Diners, 14 */
	{ "3530111333300000", "************0000", 1 },                        /* JCB */
	{ "6200000000000005", "************0005", 1 },                        /* UnionPay */
	{ "2200000000000004", "************0004", 1 },                        /* Mir */
	{ "2223000048410010", "************0010", 1 },                        /* Mastercard 2-series */
	{ "orders-4111111111111111.csv", "orders-************1111.csv", 1 },  /* a card is a card, even in a name */
};

int
main (void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *s = strdup (cases[i].in);
		int n = pan_mask (s);
		ok (n == cases[i].n && strcmp (s, cases[i].out) == 0 && pan_find (cases[i].in) == (cases[i].n > 0),
		    "'%s' -> '%s' (%d masked)", cases[i].in, s, n);
		free (s);
	}
	ok (pan_luhn ("79927398713", 11), "Luhn: the textbook number passes");
	ok (!pan_luhn ("79927398710", 11), "Luhn: one digit off fails");
	ok (!pan_find (NULL) && pan_mask (NULL) == 0, "NULL text: nothing found");
	return tap_done ();
}
