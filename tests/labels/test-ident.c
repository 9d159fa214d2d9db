/* test-ident.c: every identifier scheme against published examples and made identifiers. */
#include "config.h"
#include "tests/tap.h"
#include "labels/ident.h"

#include <stdlib.h>
#include <string.h>

struct test_ident_case {
	const char *scheme;
	const char *id;
	int valid;
};

/* From the sources named in doc/labels.md (GS1 Gen Specs, UPU S10 annex, DPD spec, tracking_number_data). */
static const struct test_ident_case test_ident_cases[] = {
	{ "sscc", "395123451234567895", 1 },
	{ "sscc", "376104250021234569", 1 },
	{ "sscc", "376104250021234568", 0 },
	{ "sscc", "106141411234567897", 1 },
	{ "sscc", "00 3 9512345 123456789 4", 0 },
	{ "sscc", "39512345123456789", 0 },
	{ "sscc", "39512345123456789X", 0 },
	{ "ups", "1Z999AA10123456784", 1 },
	{ "ups", "1Z5R89390357567127", 1 },
	{ "ups", "1z5r89390357567127", 1 },
	{ "ups", "1Z 5R8 939 03 5756 712 7", 1 },
	{ "ups", "1Z879E930346834440", 1 },
	{ "ups", "1Z410E7W0392751591", 1 },
	{ "ups", "1Z8V92A70367203024", 1 },
	{ "ups", "2Z5R89390357567127", 0 },
	{ "ups", "1A5R89390357567127", 0 },
	{ "ups", "1Z1111111111111111", 0 },
	{ "ups", "1Z5R89390357567128", 0 },
	{ "dhl-express", "3318810025", 1 },
	{ "dhl-express", "8487135506", 1 },
	{ "dhl-express", "1099255990", 1 },
	{ "dhl-express", "3821724944", 1 },
	{ "dhl-express", "3318810036", 1 },
	{ "dhl-express", "3318810014", 1 },
	{ "dhl-express", "3318810010", 0 },
	{ "dhl-express", "3318810034", 0 },
	{ "dhl-express", "3318810011", 0 },
	{ "dhl-express", "1234567890", 0 },
	{ "dhl-express", "331881002", 0 },
	{ "dpd", "008182709980000020028101276B", 1 },
	{ "dpd", "%008182709980000020028101276B", 1 },
	{ "dpd", "0081827 0998 0000 0200 28 101 276 B", 1 },
	{ "dpd", "0003932062199123456781010409", 1 },
	{ "dpd", "008182709980000020028101276C", 0 },
	{ "dpd", "008182709980000020028101276", 0 },
	{ "s10", "RB123456785GB", 1 },
	{ "s10", "EE876543216CA", 1 },
	{ "s10", "RB123456785US", 1 },
	{ "s10", " R B 1 2 3 4 5 6 7 8 5 C F ", 1 },
	{ "s10", "RB123456786US", 0 },
	{ "s10", "R1123456785GB", 0 },
	{ "fedex-express", "986578788855", 1 },
	{ "fedex-express", "477179081230", 1 },
	{ "fedex-express", "799531274483", 1 },
	{ "fedex-express", "790535312317", 1 },
	{ "fedex-express", " 7 9 0 5 3 5 3 1 2 3 1 7 ", 1 },
	{ "fedex-express", "974367662710", 1 },
	{ "fedex-express", "996578788855", 0 },
	{ "fedex-ground", "041441760228964", 1 },
	{ "fedex-ground", "0414 4176 0228 964", 1 },
	{ "fedex-ground", "5682 8361 0012 000", 1 },
	{ "fedex-ground", "5682 8361 0012 734", 1 },
	{ "fedex-ground", "5682 8361 0012 732", 0 },
	{ "fedex-ground", "986578788855", 0 },
	{ "fedex-ground", "041441760228965", 0 },
};

static void
test_ident_validate (void)
{
	for (size_t i = 0; i < sizeof test_ident_cases / sizeof test_ident_cases[0]; i++) {
		const struct test_ident_case *c = &test_ident_cases[i];
		char *cause = NULL;
		bool v = ident_validate (c->scheme, c->id, &cause);
		ok (v == (c->valid != 0), "%s %s is %s%s%s", c->scheme, c->id, c->valid ? "valid" : "invalid",
		    cause ? ": " : "", cause ? cause : "");
		ok (v || cause != NULL, "%s %s: a reason comes with a refusal", c->scheme, c->id);
		free (cause);
	}
	char *cause = NULL;
	ok (!ident_validate ("royal-mail", "RB123456785GB", &cause) && cause && strstr (cause, "royal-mail"),
	    "unknown scheme is named in the refusal");
	free (cause);
	cause = NULL;
	ident_validate ("dpd", "008182709980000020028101276C", &cause);
	ok (cause && strchr (cause, 'B'), "dpd refusal names the right check character (%s)", cause ? cause : "");
	free (cause);
	cause = NULL;
	ident_validate ("dpd", "008182709980000020028101276", &cause);
	ok (cause && strstr (cause, "B"), "dpd without check character names it (%s)", cause ? cause : "");
	free (cause);
}

static void
test_ident_check (void)
{
	is_int (ident_check ("dpd", "008182709980000020028101276", NULL), 'B', "dpd check B (DPD spec)");
	is_int (ident_check ("dpd", "000393206219912345678101040", NULL), '9', "dpd check 9");
	is_int (ident_check ("sscc", "39512345123456789", NULL), '5', "sscc check 5");
	is_int (ident_check ("s10", "12345678", NULL), '5', "s10 check 5");
	is_int (ident_gs1_check ("950110153000"), 3, "gs1 check over a GTIN-13 data part");
	is_int (ident_gs1_check ("12a"), -1, "gs1 check refuses non-digits");
	char *cause = NULL;
	is_int (ident_check ("ups", "999AA1", &cause), 0, "short check data refused");
	ok (cause != NULL, "with a reason");
	free (cause);
}

static void
test_ident_make (void)
{
	struct {
		const char *scheme, *prefix;
		uint64_t serial;
		const char *want;
	} cases[] = {
		{ "sscc", "39512345", 123456789, "395123451234567895" },
		{ "ups", "999AA101", 2345678, "1Z999AA10123456784" },
		{ "dhl-express", "", 331881002, "3318810025" },
		{ "dhl-express", "33", 1881002, "3318810025" },
		{ "s10", "RBGB", 12345678, "RB123456785GB" },
		{ "s10", "EECA", 87654321, "EE876543216CA" },
		{ "fedex-express", "9865", 7878885, "986578788855" },
		{ "fedex-ground", "0414", 4176022896, "041441760228964" },
		{ "dpd", "0998", 20028, "09980000020028" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *cause = NULL;
		char *id = ident_make (cases[i].scheme, cases[i].prefix, cases[i].serial, &cause);
		is_str (id, cases[i].want, "make %s from %s + %llu", cases[i].scheme, cases[i].prefix,
		    (unsigned long long) cases[i].serial);
		if (id && strcmp (cases[i].scheme, "dpd") != 0)
			ok (ident_validate (cases[i].scheme, id, NULL), "made %s validates", id);
		free (id);
		free (cause);
	}
	char *cause = NULL;
	ok (ident_make ("ups", "999AA101", 10000000, &cause) == NULL && cause != NULL,
	    "serial too wide refused: %s", cause ? cause : "");
	free (cause);
	cause = NULL;
	ok (ident_make ("s10", "R1GB", 1, &cause) == NULL && cause != NULL, "bad s10 prefix refused: %s", cause ? cause : "");
	free (cause);
	cause = NULL;
	char *one = ident_make ("sscc", "3951234512345678", 1, &cause);
	ok (one != NULL, "sscc prefix leaving one digit works");
	free (one);
	free (cause);
	cause = NULL;
	ok (ident_make ("sscc", "39512345123456789", 1, &cause) == NULL, "sscc prefix leaving no digit refused");
	free (cause);
	is_int (ident_serial_max ("ups", "999AA101"), 9999999, "ups serial max");
	is_int (ident_serial_max ("ups", "999"), 0, "ups bad prefix has no serials");
}

static void
test_ident_range (void)
{
	struct ident_range r = { .scheme = "ups", .prefix = "999AA101", .first = 100, .last = 110, .low_water = 3 };
	char *id = NULL, *cause = NULL;
	uint64_t left = 0;
	is_int (ident_range_take (&r, 100, &id, &left, &cause), IDENT_TAKE_OK, "first serial taken");
	ok (id && ident_validate ("ups", id, NULL), "taken id %s validates", id ? id : "");
	is_int (left, 10, "ten left");
	free (id);
	is_int (ident_range_take (&r, 107, &id, &left, &cause), IDENT_TAKE_LOW, "low water reached");
	is_int (left, 3, "three left");
	free (id);
	is_int (ident_range_take (&r, 110, &id, &left, &cause), IDENT_TAKE_LOW, "last serial still taken");
	ok (id != NULL, "last id made");
	free (id);
	is_int (ident_range_take (&r, 111, &id, &left, &cause), IDENT_TAKE_EXHAUSTED, "exhausted range refuses");
	ok (id == NULL && cause && strstr (cause, "used up"), "with a reason: %s", cause ? cause : "");
	free (cause);
	cause = NULL;
	struct ident_range wide = { .scheme = "ups", .prefix = "999AA101", .first = 1, .last = 10000000 };
	is_int (ident_range_take (&wide, 1, &id, NULL, &cause), IDENT_TAKE_BAD, "range wider than the scheme refused");
	ok (cause != NULL, "with a reason: %s", cause ? cause : "");
	free (cause);
	cause = NULL;
	struct ident_range back = { .scheme = "ups", .prefix = "999AA101", .first = 5, .last = 10 };
	is_int (ident_range_take (&back, 4, &id, NULL, &cause), IDENT_TAKE_BAD, "serial before the range refused");
	free (cause);
}

static void
test_ident_dpd_barcode (void)
{
	char check = 0, *cause = NULL;
	char *b = ident_dpd_barcode ("81827", "09980000020028", "101", "276", &check, &cause);
	is_str (b, "%008182709980000020028101276", "dpd barcode data padded");
	is_int (check, 'B', "dpd barcode check character");
	free (b);
	b = ident_dpd_barcode ("sw1a 1aa", "15501234567890", "011", "826", &check, NULL);
	ok (b && strlen (b) == 28 && strncmp (b, "%SW1A1AA", 8) == 0, "UK postcode fills the field: %s", b ? b : "");
	free (b);
	ok (ident_dpd_barcode ("SW1A-1AA", "15501234567890", "011", "826", NULL, &cause) == NULL && cause,
	    "bad postcode refused: %s", cause ? cause : "");
	free (cause);
	cause = NULL;
	ok (ident_dpd_barcode ("SW1A1AA", "1550123456789", "011", "826", NULL, &cause) == NULL && cause,
	    "short parcel number refused: %s", cause ? cause : "");
	free (cause);
}

int
main (void)
{
	test_ident_validate ();
	test_ident_check ();
	test_ident_make ();
	test_ident_range ();
	test_ident_dpd_barcode ();
	return tap_done ();
}
