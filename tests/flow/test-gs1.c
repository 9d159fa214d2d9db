/* test-gs1.c: the scan parser: symbology identifiers, GS separators, AIs, check digits. */
#include "config.h"
#include "gs1.h"

#include <stdio.h>
#include <string.h>
#include "tests/tap.h"

int
main (void)
{
	struct gs1_scan s;
	char err[160];

	ok (gs1_sscc_valid ("395123451234567895"), "SSCC of GS1 Gen Spec fig 5.4.2-1 is valid");
	ok (!gs1_sscc_valid ("376104250021234568"), "SSCC with a wrong check digit is not");
	is_int (gs1_check_digit ("37610425002123456", 17), 9, "its right check digit is 9");
	is_int (gs1_check_digit ("12a", 3), -1, "a non-digit has no check digit");

	is_int (gs1_parse ("W1000001", &s, err, sizeof err), 0, "a plain ticket parses");
	ok (!s.gs1 && tap_str_eq (s.data, "W1000001"), "and is not GS1");
	is_int (gs1_parse ("]C0W1000001\r\n", &s, err, sizeof err), 0, "]C0 plain Code 128 with CR LF");
	ok (!s.gs1 && tap_str_eq (s.data, "W1000001") && tap_str_eq (s.symbology, "]C0"), "identifier and line end dropped");

	is_int (gs1_parse ("]C100395123451234567895", &s, err, sizeof err), 0, "]C1 (00) parses");
	is_str (gs1_get (&s, "00"), "395123451234567895", "SSCC read after ]C1");
	is_int (gs1_parse ("00395123451234567895", &s, err, sizeof err), 0, "(00) without identifier");
	is_str (gs1_get (&s, "00"), "395123451234567895", "SSCC read without identifier");
	is_int (gs1_parse ("(00)395123451234567895(421)826BS14QA", &s, err, sizeof err), 0, "bracketed form");
	is_str (gs1_get (&s, "421"), "826BS14QA", "(421) read in bracketed form");

	is_int (gs1_parse ("]d2400W1000005\x1d" "00395123451234567895", &s, err, sizeof err), 0,
	    "]d2 with a GS after variable (400)");
	is_str (gs1_get (&s, "400"), "W1000005", "(400) order number");
	is_str (gs1_get (&s, "00"), "395123451234567895", "then (00)");
	is_int (gs1_parse ("]C1401GBSTORE12345\x1d" "42082620", &s, err, sizeof err), 0, "(401) then (420)");
	is_str (gs1_get (&s, "401"), "GBSTORE12345", "(401) GINC");
	is_str (gs1_get (&s, "420"), "82620", "(420) postcode");
	is_int (gs1_parse ("\x1d" "00395123451234567895", &s, err, sizeof err), 0, "a leading GS (FNC1) is skipped");

	/* 402 GSIN: 17 digits with check digit: 1234567890123456 + check. */
	char gsin[40] = "]C1402";
	const char *body = "1234567890123456";
	snprintf (gsin + 6, sizeof gsin - 6, "%s%d", body, gs1_check_digit (body, 16));
	is_int (gs1_parse (gsin, &s, err, sizeof err), 0, "(402) with its check digit");
	gsin[22] = gsin[22] == '9' ? '0' : gsin[22] + 1;
	is_int (gs1_parse (gsin, &s, err, sizeof err), -1, "(402) with a wrong check digit: %s", err);

	is_int (gs1_parse ("]C100376104250021234568", &s, err, sizeof err), -1, "bad SSCC check digit refused: %s", err);
	ok (strstr (err, "check digit") != NULL && strstr (err, "(00)") != NULL, "the reason names (00) and the check digit");
	is_int (gs1_parse ("]C10039512345", &s, err, sizeof err), -1, "short SSCC refused: %s", err);
	is_int (gs1_parse ("]C1990123", &s, err, sizeof err), -1, "unknown AI refused: %s", err);
	is_int (gs1_parse ("(00)395123451234567895(999)1", &s, err, sizeof err), -1, "unknown bracketed AI: %s", err);
	is_int (gs1_parse ("(00395123451234567895", &s, err, sizeof err), -1, "unclosed bracket: %s", err);
	is_int (gs1_parse ("]C1421X1", &s, err, sizeof err), -1, "(421) without a country: %s", err);
	is_int (gs1_parse ("]C1", &s, err, sizeof err), -1, "]C1 with no data: %s", err);
	is_int (gs1_parse ("]C100395123451234567895" "00395123451234567895", &s, err, sizeof err), -1,
	    "the same AI twice: %s", err);
	is_int (gs1_parse ("", &s, err, sizeof err), 0, "an empty scan is plain and empty");
	return tap_done ();
}
