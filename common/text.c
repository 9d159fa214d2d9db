/* text.c: UTF-8 and control characters: checks for the doors, escapes for the log (see text.h). */
#include "config.h"
#include "text.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

size_t
text_utf8_decode (const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *) s;
	if (n == 0)
		return 0;
	unsigned char c = p[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t len;
	uint32_t v;
	unsigned char lo = 0x80, hi = 0xbf; /* the second byte's range (RFC 3629's table) */
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		v = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0; /* overlong */
		else if (c == 0xed)
			hi = 0x9f; /* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		v = c & 0x07;
		if (c == 0xf0)
			lo = 0x90; /* overlong */
		else if (c == 0xf4)
			hi = 0x8f; /* above U+10FFFF */
	} else {
		return 0; /* a continuation byte, C0/C1 (overlong) or F5-FF */
	}
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	v = (v << 6) | (p[1] & 0x3f);
	for (size_t i = 2; i < len; i++) {
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
		v = (v << 6) | (p[i] & 0x3f);
	}
	*cp = v;
	return len;
}

size_t
text_utf8_whole (const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *) s;
	size_t i = n, back = 0;
	while (i > 0 && back < 4 && (p[i - 1] & 0xc0) == 0x80) {
		i--;
		back++;
	}
	if (i == 0)
		return n; /* nothing but continuation bytes: not UTF-8, nothing to keep whole */
	unsigned char c = p[i - 1];
	size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
	return back + 1 >= len ? n : i - 1;
}

size_t
text_strlcpy (char *dst, const char *src, size_t n)
{
	size_t len = strlen (src);
	if (n > 0) {
		size_t c = len < n - 1 ? len : text_utf8_whole (src, n - 1);
		memcpy (dst, src, c);
		dst[c] = '\0';
	}
	return len;
}

/* Control characters a field may allow, and the bit that allows each. */
static const struct {
	uint32_t cp;
	unsigned bit;
} text_allowed[] = {
	{ 0x09, TEXT_TAB }, { 0x0a, TEXT_NEWLINE }, { 0x0d, TEXT_NEWLINE },
	{ 0x1d, TEXT_GS }, { 0x1e, TEXT_RS }, { 0x04, TEXT_EOT },
};

static bool
text_is_control (uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f);
}

static bool
text_control_allowed (uint32_t cp, unsigned allow)
{
	for (size_t i = 0; i < nitems (text_allowed); i++)
		if (text_allowed[i].cp == cp)
			return (allow & text_allowed[i].bit) != 0;
	return false;
}

bool
text_check (const char *s, size_t n, unsigned allow, struct text_fault *fault)
{
	struct text_fault f = { TEXT_FAULT_NONE, 0, 0 };
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = text_utf8_decode (s + i, n - i, &cp);
		if (len == 0) {
			f = (struct text_fault) { TEXT_FAULT_UTF8, i, (unsigned char) s[i] };
			break;
		}
		if (cp == 0) {
			f = (struct text_fault) { TEXT_FAULT_NUL, i, 0 };
			break;
		}
		if (text_is_control (cp) && !text_control_allowed (cp, allow)) {
			f = (struct text_fault) { TEXT_FAULT_CONTROL, i, cp };
			break;
		}
		i += len;
	}
	if (fault)
		*fault = f;
	return f.kind == TEXT_FAULT_NONE;
}

bool
text_ok (const char *s, unsigned allow)
{
	return s == NULL || text_check (s, strlen (s), allow, NULL);
}

const char *
text_fault_describe (const struct text_fault *fault, char *buf, size_t n)
{
	switch (fault->kind) {
	case TEXT_FAULT_UTF8:
		snprintf (buf, n, "not valid UTF-8 (byte 0x%02X at position %zu)", (unsigned) fault->value, fault->offset + 1);
		break;
	case TEXT_FAULT_NUL:
		snprintf (buf, n, "a NUL byte at position %zu", fault->offset + 1);
		break;
	case TEXT_FAULT_CONTROL:
		snprintf (buf, n, "the control character U+%04X at position %zu", (unsigned) fault->value,
		    fault->offset + 1);
		break;
	default:
		snprintf (buf, n, "acceptable text");
		break;
	}
	return buf;
}

char *
text_check_field (const char *field, const char *s, size_t n, unsigned allow)
{
	struct text_fault f;
	if (text_check (s, n, allow, &f))
		return NULL;
	char what[96];
	text_fault_describe (&f, what, sizeof what);
	return xasprintf ("%s: %s; %s", field, what,
	    f.kind == TEXT_FAULT_UTF8 ? "send the text as UTF-8" : "remove it and send again");
}

/* Valid code points the log shows as \uNNNN: line and paragraph separators
 * (a new line to some readers) and the bidirectional controls that can make
 * a line read other than it is. */
static bool
text_escape_cp (uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e)
	    || (cp >= 0x2066 && cp <= 0x2069);
}

bool
text_is_plain (const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char) s[i];
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			i++;
			continue;
		}
		uint32_t cp;
		size_t len = text_utf8_decode (s + i, n - i, &cp);
		if (len < 2 || text_escape_cp (cp))
			return false;
		i += len;
	}
	return true;
}

char *
text_escape (const char *s, size_t n)
{
	/* At most 6 bytes out per byte in (\u2028 for three, \xNN for one). */
	char *out = xmalloc (n * 6 + 1);
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char) s[i];
		uint32_t cp;
		size_t len;
		if (c == '\\') {
			out[o++] = '\\';
			out[o++] = '\\';
			i++;
		} else if (c == '\n' || c == '\r' || c == '\t') {
			out[o++] = '\\';
			out[o++] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			o += (size_t) snprintf (out + o, 5, "\\x%02X", c);
			i++;
		} else if (c < 0x80) {
			out[o++] = (char) c;
			i++;
		} else if ((len = text_utf8_decode (s + i, n - i, &cp)) == 0) {
			o += (size_t) snprintf (out + o, 5, "\\x%02X", c);
			i++;
		} else if (text_escape_cp (cp)) {
			o += (size_t) snprintf (out + o, 7, "\\u%04X", (unsigned) cp);
			i += len;
		} else {
			memcpy (out + o, s + i, len);
			o += len;
			i += len;
		}
	}
	out[o] = '\0';
	return out;
}
