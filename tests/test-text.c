/*
 * test-text.c: the text checks every door uses and the log's escapes
 * (common/text.c): real text in many scripts passes; each kind of bad UTF-8
 * (RFC 3629's own examples: overlong forms, surrogates, above U+10FFFF,
 * lone continuation bytes, cut sequences), NUL and each control character
 * is refused at the right byte unless the field allows it; the escaped form
 * is one line that cannot pass for another.
 */
#include "config.h"
#include "tap.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

static const char *const good[] = {
	"",
	"14 Elm Grove, Bath",
	"Zoë Ærøskøbing-Ñúñez",                  /* Latin with diacritics */
	"Дмитрий Шостакович, ул. Садовая 5",     /* Cyrillic */
	"東京都千代田区丸の内1-9-1",              /* CJK */
	"שלום עליכם",                           /* Hebrew */
	"مكتبة الإسكندرية",                     /* Arabic */
	"महात्मा गांधी मार्ग",                       /* Devanagari */
	"😀 U+1F600 and 𝄞 U+1D11E",              /* four-byte forms */
	"\xef\xbb\xbf" "BOM first",               /* U+FEFF is text, not a control */
	"\xf4\x8f\xbf\xbf",                       /* U+10FFFF, the last code point */
	"\xed\x9f\xbf",                           /* U+D7FF, just below the surrogates */
	"\xee\x80\x80",                           /* U+E000, just above them */
	"\xc2\xa0 no-break space (U+00A0, after C1)",
};

static const struct {
	const char *s;
	size_t n; /* 0: strlen */
	size_t at;
	unsigned byte;
	const char *why;
} bad_utf8[] = {
	{ "caf\xe9", 0, 3, 0xe9, "Latin-1 e-acute" },
	{ "\xc0\xaf", 0, 0, 0xc0, "overlong '/' (two bytes)" },
	{ "\xe0\x80\xaf", 0, 0, 0xe0, "overlong '/' (three bytes)" },
	{ "\xf0\x80\x80\xaf", 0, 0, 0xf0, "overlong '/' (four bytes)" },
	{ "\xc1\xbf", 0, 0, 0xc1, "overlong DEL" },
	{ "ab\xed\xa0\x80", 0, 2, 0xed, "a high surrogate U+D800" },
	{ "\xed\xbf\xbf", 0, 0, 0xed, "a low surrogate U+DFFF" },
	{ "\xf4\x90\x80\x80", 0, 0, 0xf4, "U+110000, above the last code point" },
	{ "\xf5\x80\x80\x80", 0, 0, 0xf5, "an F5 lead byte" },
	{ "\xff", 0, 0, 0xff, "FF" },
	{ "x\x80y", 0, 1, 0x80, "a lone continuation byte" },
	{ "Zo\xc3", 0, 2, 0xc3, "a sequence cut by the end" },
	{ "\xe6\x9d", 0, 0, 0xe6, "a three-byte sequence cut after two" },
	{ "\xe6\x9dx", 0, 0, 0xe6, "a three-byte sequence broken by ASCII" },
};

static const struct {
	const char *s;
	size_t n;
	enum text_fault_kind kind;
	size_t at;
	unsigned allow;
} bad_ctl[] = {
	{ "ab\0cd", 5, TEXT_FAULT_NUL, 2, TEXT_SCAN | TEXT_TAB | TEXT_NEWLINE },
	{ "line\nnext", 0, TEXT_FAULT_CONTROL, 4, TEXT_SCAN },
	{ "cr\r", 0, TEXT_FAULT_CONTROL, 2, 0 },
	{ "tab\there", 0, TEXT_FAULT_CONTROL, 3, TEXT_NEWLINE },
	{ "\x1b[31mred", 0, TEXT_FAULT_CONTROL, 0, TEXT_SCAN },
	{ "bell\a", 0, TEXT_FAULT_CONTROL, 4, 0 },
	{ "del\x7f", 0, TEXT_FAULT_CONTROL, 3, TEXT_SCAN },
	{ "c1 \xc2\x85 NEL", 0, TEXT_FAULT_CONTROL, 3, TEXT_NEWLINE },
	{ "c1 \xc2\x9b CSI", 0, TEXT_FAULT_CONTROL, 3, 0 },
	{ "gs \x1d", 0, TEXT_FAULT_CONTROL, 3, 0 },
	{ "rs \x1e", 0, TEXT_FAULT_CONTROL, 3, TEXT_GS },
	{ "fs \x1c", 0, TEXT_FAULT_CONTROL, 3, TEXT_SCAN },
};

int
main (void)
{
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		struct text_fault f;
		ok (text_check (good[i], strlen (good[i]), 0, &f) && f.kind == TEXT_FAULT_NONE && text_ok (good[i], 0),
		    "acceptable: '%s'", good[i]);
	}
	for (size_t i = 0; i < sizeof bad_utf8 / sizeof bad_utf8[0]; i++) {
		struct text_fault f;
		size_t n = bad_utf8[i].n ? bad_utf8[i].n : strlen (bad_utf8[i].s);
		bool accepted = text_check (bad_utf8[i].s, n, TEXT_SCAN | TEXT_TAB | TEXT_NEWLINE, &f);
		ok (!accepted && f.kind == TEXT_FAULT_UTF8 && f.offset == bad_utf8[i].at && f.value == bad_utf8[i].byte,
		    "refused as not UTF-8 at byte %zu (0x%02X): %s", bad_utf8[i].at, bad_utf8[i].byte, bad_utf8[i].why);
	}
	for (size_t i = 0; i < sizeof bad_ctl / sizeof bad_ctl[0]; i++) {
		struct text_fault f;
		size_t n = bad_ctl[i].n ? bad_ctl[i].n : strlen (bad_ctl[i].s);
		bool accepted = text_check (bad_ctl[i].s, n, bad_ctl[i].allow, &f);
		ok (!accepted && f.kind == bad_ctl[i].kind && f.offset == bad_ctl[i].at,
		    "control refused at byte %zu (case %zu, allow 0x%x)", bad_ctl[i].at, i, bad_ctl[i].allow);
	}

	/* What each field may allow. */
	const char *ups = "[)>\x1e" "01\x1d" "961Z12345E0205271688\x1dUPSN\x1d\x1e\x04";
	ok (text_ok (ups, TEXT_SCAN), "a UPS MaxiCode's ISO/IEC 15434 message is a scanned code");
	ok (!text_ok (ups, 0), "but not text of a field that allows nothing");
	ok (text_ok ("(00)3951234512345678\x1d" "400ORD1", TEXT_GS), "GS in GS1 data where GS is allowed");
	ok (text_ok ("a\tb", TEXT_TAB) && text_ok ("a\r\nb", TEXT_NEWLINE), "tab and new lines where allowed");

	/* In words, naming the field. */
	char *why = text_check_field ("town", "Bogot\xe1", 6, 0);
	is_str (why, "town: not valid UTF-8 (byte 0xE1 at position 6); send the text as UTF-8", "the refusal names the field");
	free (why);
	why = text_check_field ("code", "A\x1b" "B", 3, TEXT_SCAN);
	is_str (why, "code: the control character U+001B at position 2; remove it and send again", "a control character");
	free (why);
	why = text_check_field ("name", "a\0b", 3, 0);
	is_str (why, "name: a NUL byte at position 2; remove it and send again", "a NUL");
	free (why);
	ok (text_check_field ("name", "Zoë", strlen ("Zoë"), 0) == NULL, "good text: no refusal");

	uint32_t cp = 0;
	ok (text_utf8_decode ("\xf0\x9f\x98\x80", 4, &cp) == 4 && cp == 0x1f600, "decode: U+1F600 in four bytes");
	ok (text_utf8_decode ("\xc3\xa9", 1, &cp) == 0, "decode: a sequence longer than what is left is refused");

	/* Cutting keeps whole characters: of "aé東😀" (1 + 2 + 3 + 4 bytes). */
	static const char mixed[] = "a\xc3\xa9\xe6\x9d\xb1\xf0\x9f\x98\x80";
	static const size_t whole[] = { 0, 1, 1, 3, 3, 3, 6, 6, 6, 6, 10 };
	for (size_t n = 0; n < sizeof whole / sizeof whole[0]; n++)
		is_int (text_utf8_whole (mixed, n), whole[n], "of %zu bytes, %zu make whole characters", n, whole[n]);
	char cut[8];
	is_int (text_strlcpy (cut, mixed, sizeof cut), 10, "text_strlcpy gives the length of the source");
	is_str (cut, "a\xc3\xa9\xe6\x9d\xb1", "and keeps the characters that fit in 7 bytes, never part of one");
	text_strlcpy (cut, "ab", sizeof cut);
	is_str (cut, "ab", "a short source is copied whole");

	/* The log's escapes. */
	static const struct {
		const char *in;
		size_t n;
		const char *out;
	} esc[] = {
		{ "plain line", 0, "plain line" },
		{ "evil\n2026-12-01T00:00:00Z despatch-hub[error] forged.csv", 0,
		  "evil\\n2026-12-01T00:00:00Z despatch-hub[error] forged.csv" },
		{ "a\\nb", 0, "a\\\\nb" },
		{ "\x1b[2J\r\t", 0, "\\x1B[2J\\r\\t" },
		{ "nul\0x", 5, "nul\\x00x" },
		{ "caf\xe9", 0, "caf\\xE9" },
		{ "Zoë 東京", 0, "Zoë 東京" },
		{ "ls\xe2\x80\xa8" "ps\xe2\x80\xa9", 0, "ls\\u2028ps\\u2029" },
		{ "rlo\xe2\x80\xae" "txt.exe", 0, "rlo\\u202Etxt.exe" },
		{ "nel\xc2\x85", 0, "nel\\u0085" },
		{ "del\x7f", 0, "del\\x7F" },
	};
	for (size_t i = 0; i < sizeof esc / sizeof esc[0]; i++) {
		size_t n = esc[i].n ? esc[i].n : strlen (esc[i].in);
		char *e = text_escape (esc[i].in, n);
		is_str (e, esc[i].out, "escaped for the log: '%s'", esc[i].out);
		ok (strchr (e, '\n') == NULL && text_ok (e, 0), "one line, acceptable text");
		ok (text_is_plain (esc[i].in, n) == (strcmp (e, esc[i].in) == 0 && n == strlen (esc[i].in)),
		    "text_is_plain agrees");
		free (e);
	}
	return tap_done ();
}
