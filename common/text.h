/*
 * text.h: the one place that says whether text from outside is acceptable,
 * used by every door (the wire codec, the configuration, imports, tracking
 * files) and by the log to escape what it writes.
 *
 * Acceptable text is valid UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF) holding no NUL and no other control
 * character (C0 U+0001-U+001F, DEL U+007F, C1 U+0080-U+009F), except those
 * a field allows with the TEXT_* bits below. A door refuses text that is
 * not acceptable, naming the field (text_check_field); it never repairs it.
 *
 * Pure functions: no I/O, no state. Strings returned belong to the caller.
 */
#ifndef DSP_TEXT_H
#define DSP_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Control characters a field may allow. */
enum text_allow {
	TEXT_TAB = 1 << 0,     /* U+0009 */
	TEXT_NEWLINE = 1 << 1, /* U+000A and U+000D: multi-line text */
	TEXT_GS = 1 << 2,      /* U+001D: GS1's FNC1 separator as scanners send it */
	TEXT_RS = 1 << 3,      /* U+001E: ISO/IEC 15434 record separator */
	TEXT_EOT = 1 << 4,     /* U+0004: ISO/IEC 15434 end of message */
};
/* A scanned code: GS1 data (GS) and the ISO/IEC 15434 envelope ([)> RS ...
 * GS ... RS EOT) that a UPS label's MaxiCode carries and a scanner sends. */
#define TEXT_SCAN (TEXT_GS | TEXT_RS | TEXT_EOT)

enum text_fault_kind {
	TEXT_FAULT_NONE = 0,
	TEXT_FAULT_UTF8,    /* not valid UTF-8; value is the first bad byte */
	TEXT_FAULT_NUL,     /* a NUL byte */
	TEXT_FAULT_CONTROL, /* a control character the field does not allow; value is the code point */
};

struct text_fault {
	enum text_fault_kind kind;
	size_t offset;  /* byte offset of the fault, from 0 (the words say offset + 1) */
	uint32_t value;
};

/* The n bytes at s: true when acceptable; else false and *fault (may be NULL). */
bool text_check (const char *s, size_t n, unsigned allow, struct text_fault *fault);
/* The same for a NUL-terminated string (which cannot hold a NUL; NULL is acceptable). */
bool text_ok (const char *s, unsigned allow);
/* The fault in words for a person, into buf, counting bytes from 1: "not
 * valid UTF-8 (byte 0xE9 at position 4)", "a NUL byte at position 3", "the
 * control character U+001B at position 5". Returns buf. */
const char *text_fault_describe (const struct text_fault *fault, char *buf, size_t n);
/* For a door: NULL when the text is acceptable, else a refusal that names
 * the field and says what to do (caller frees):
 *   "town: not valid UTF-8 (byte 0xE9 at position 4); send the text as UTF-8" */
char *text_check_field (const char *field, const char *s, size_t n, unsigned allow);

/* One UTF-8 character at s (n bytes left): its length (1-4) and *cp, or 0
 * when the bytes there are not valid UTF-8. */
size_t text_utf8_decode (const char *s, size_t n, uint32_t *cp);

/* Bytes that hold n characters of UTF-8 (up to 4 bytes each) and a NUL: the
 * size of a buffer for text whose limit is in characters. */
#define TEXT_BYTES(n) ((n) * 4 + 1)
/* The longest texts of an order, in characters, as an import takes them
 * (hub-import.c): every buffer on their way to a screen or a label holds
 * TEXT_BYTES of them. */
#define TEXT_ORDER_MAX 128   /* a customer's name, an address line, an e-mail, a line's description */
#define TEXT_TOWN_MAX 64     /* a town, a line's department */
#define TEXT_SKU_MAX 32      /* a line's SKU, a phone number */
#define TEXT_POSTCODE_MAX 16 /* a postcode, a loyalty tier */
/* A line's locations: up to TEXT_LOCATIONS_MAX codes of up to TEXT_LOCATION_MAX bytes, joined by ';'
 * (TEXT_LOCATIONS_BYTES with the NUL). */
#define TEXT_LOCATION_MAX 32
#define TEXT_LOCATIONS_MAX 8
#define TEXT_LOCATIONS_BYTES (TEXT_LOCATIONS_MAX * (TEXT_LOCATION_MAX + 1))

/* Of the first n bytes of UTF-8 text s, how many end on a character
 * boundary: n, or less by the bytes of the character that n would cut.
 * Reads only s[0..n), so it also mends text that snprintf cut. */
size_t text_utf8_whole (const char *s, size_t n);
/* util_strlcpy that never cuts a character: at most n - 1 bytes of src,
 * fewer when the last would be part of one; returns strlen (src). */
size_t text_strlcpy (char *dst, const char *src, size_t n);

/* For logs: a copy of n bytes of s on one line that shows what was there and
 * cannot pass for anything else: backslash as \\, \n \r \t, other control
 * characters and bytes that are not UTF-8 as \xNN, C1 controls, line and
 * paragraph separators and bidirectional overrides as \uNNNN; other valid
 * UTF-8 as it is. Caller frees. */
char *text_escape (const char *s, size_t n);
/* True when text_escape would change nothing (the common case, no copy needed). */
bool text_is_plain (const char *s, size_t n);

#endif
