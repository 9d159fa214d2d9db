/*
 * print-check.c: is a document whole, and is it for this queue? (print.h,
 * print_check). Pure functions over the bytes: no CUPS, no I/O, no state
 * outside the call, so a worker thread may call it at any time.
 *
 * ZPL is read the way a Zebra printer reads it: every ^ or ~ starts a
 * command of two characters, the rest is parameters and field data. The
 * ^GF graphic is decoded as far as counting its bytes (labels/label-zpl.c
 * writes ASCII hex with Zebra's compression): a graphic cut short or padded
 * is a damaged label even when ^XZ survives.
 */
#include "config.h"
#include "print.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A ^GF field larger than this (bytes of bitmap) is no label. */
#define PRINT_CHECK_GF_MAX (64L * 1024 * 1024)

/* What each format is, for messages, and where it belongs. */
static const struct {
	enum print_format format;
	const char *what;   /* "ZPL labels" */
	const char *where;  /* what to do with it instead */
} print_check_kinds[] = {
	{ PRINT_FORMAT_ZPL, "ZPL labels", "send labels to a label printer (the station's printer.STATION.label)" },
	{ PRINT_FORMAT_PDF, "PDF documents", "send documents to a document printer (the station's printer.STATION.document)" },
};

/* One check in progress: the bytes, the label being read, the first error. */
struct print_check_state {
	const unsigned char *start, *p, *end;
	int label;      /* 1-based number of the label being read */
	bool utf8;      /* ^CI28 in effect: UTF-8 field data allowed */
	char *cause;
};

static void
print_check_fail (struct print_check_state *c, const char *fmt, ...)
{
	if (c->cause)
		return;
	va_list ap;
	va_start (ap, fmt);
	c->cause = xvasprintf (fmt, ap);
	va_end (ap);
}

/* Up to 16 bytes at p, quoted for a message (non-printable bytes as \xNN). */
static void
print_check_quote (const unsigned char *p, const unsigned char *end, char *out, size_t n)
{
	size_t len = 0;
	out[0] = '\0';
	for (int i = 0; i < 16 && p < end && len + 5 < n; i++, p++) {
		if (*p >= 0x20 && *p < 0x7f && *p != '\'' && *p != '\\')
			out[len++] = (char) *p;
		else
			len += (size_t) snprintf (out + len, n - len, "\\x%02X", *p);
	}
	out[len] = '\0';
}

static long
print_check_offset (const struct print_check_state *c)
{
	return (long) (c->p - c->start);
}

static bool
print_check_ws (unsigned char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static void
print_check_skip_ws (struct print_check_state *c)
{
	while (c->p < c->end && print_check_ws (*c->p))
		c->p++;
}

static bool
print_check_at (const struct print_check_state *c, const char *s)
{
	size_t n = strlen (s);
	return (size_t) (c->end - c->p) >= n && memcmp (c->p, s, n) == 0;
}

/* A decimal parameter followed by a comma; false (and a message) if not. */
static bool
print_check_number (struct print_check_state *c, const char *name, long max, long *out)
{
	long v = 0;
	const unsigned char *from = c->p;
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		v = v * 10 + (*c->p++ - '0');
		if (v > max) {
			print_check_fail (c, "label %d: the ^GF graphic's %s is over %ld; the label is damaged: "
			    "render it again", c->label, name, max);
			return false;
		}
	}
	if (c->p == from || c->p >= c->end || *c->p != ',') {
		print_check_fail (c, "label %d: the ^GF graphic at byte %ld has no %s; the label is damaged "
		    "or cut short: render it again", c->label, print_check_offset (c), name);
		return false;
	}
	c->p++;
	*out = v;
	return true;
}

/* Zebra's repeat counts: G..Y are 1..19, g..z are 20..400 in twenties. */
static int
print_check_zpl_count (unsigned char ch)
{
	if (ch >= 'G' && ch <= 'Y')
		return ch - 'G' + 1;
	if (ch >= 'g' && ch <= 'z')
		return (ch - 'g' + 1) * 20;
	return 0;
}

static bool
print_check_hex (unsigned char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'F') || (ch >= 'a' && ch <= 'f');
}

/*
 * ASCII hex graphic data with Zebra's compression, up to the next command:
 * count the nibbles it stands for; they must fill exactly bytes / row_bytes
 * rows. "," and "!" end a row (a whole row at a row's start), ":" repeats
 * the row above.
 */
static void
print_check_gf_hex (struct print_check_state *c, long bytes, long row_bytes)
{
	long row_nibbles = 2 * row_bytes, rows_want = bytes / row_bytes;
	long rows = 0, col = 0, repeat = 0;
	for (; c->p < c->end && *c->p != '^' && *c->p != '~'; c->p++) {
		unsigned char ch = *c->p;
		int count = print_check_zpl_count (ch);
		if (count) {
			repeat += count;
			continue;
		}
		if (ch == '\r' || ch == '\n')
			continue;
		if (repeat && !print_check_hex (ch))
			break;
		if (print_check_hex (ch)) {
			col += repeat ? repeat : 1;
			repeat = 0;
		} else if (ch == ',' || ch == '!') {
			col = row_nibbles;
		} else if (ch == ':' && col == 0 && rows > 0) {
			col = row_nibbles;
		} else
			break;
		if (col > row_nibbles) {
			print_check_fail (c, "label %d: a row of the ^GF graphic at byte %ld is longer than its %ld "
			    "bytes; the label is damaged: render it again", c->label, print_check_offset (c), row_bytes);
			return;
		}
		if (col == row_nibbles) {
			rows++;
			col = 0;
		}
		if (rows > rows_want) {
			print_check_fail (c, "label %d: the ^GF graphic holds more than the %ld rows its header "
			    "says; the label is damaged: render it again", c->label, rows_want);
			return;
		}
	}
	/* The file ends inside the graphic: the label loop says the ZPL is cut short. */
	if (c->p >= c->end)
		return;
	if (*c->p != '^' && *c->p != '~') {
		char q[96];
		print_check_quote (c->p, c->end, q, sizeof q);
		print_check_fail (c, "label %d: '%s' at byte %ld is not ZPL graphic data (hex digits and "
		    "Zebra's compression); the label is damaged: render it again", c->label, q, print_check_offset (c));
		return;
	}
	if (rows != rows_want || col != 0 || repeat != 0)
		print_check_fail (c, "label %d: the ^GF graphic holds %ld of the %ld rows its header says; "
		    "the label is cut short or damaged: render it again and send the whole of it",
		    c->label, rows, rows_want);
}

/* ^GFa,b,c,d,data (c->p after "^GF"). */
static void
print_check_gf (struct print_check_state *c)
{
	if (c->p >= c->end || (*c->p != 'A' && *c->p != 'B' && *c->p != 'C') || c->p + 1 >= c->end
	    || c->p[1] != ',') {
		print_check_fail (c, "label %d: the ^GF graphic at byte %ld does not say whether it is A "
		    "(hex), B or C (binary); the label is damaged: render it again", c->label, print_check_offset (c));
		return;
	}
	unsigned char kind = *c->p;
	c->p += 2;
	long sent, bytes, row_bytes;
	if (!print_check_number (c, "byte count", PRINT_CHECK_GF_MAX, &sent)
	    || !print_check_number (c, "field size", PRINT_CHECK_GF_MAX, &bytes)
	    || !print_check_number (c, "row size", PRINT_CHECK_GF_MAX, &row_bytes))
		return;
	if (row_bytes == 0 || bytes % row_bytes != 0) {
		print_check_fail (c, "label %d: the ^GF graphic's field size %ld is not whole rows of %ld bytes; "
		    "the label is damaged: render it again", c->label, bytes, row_bytes);
		return;
	}
	if (kind != 'C' && sent != bytes) {
		print_check_fail (c, "label %d: the ^GF graphic says it sends %ld bytes of a %ld-byte field; "
		    "the label is damaged: render it again", c->label, sent, bytes);
		return;
	}
	if (kind == 'B' || kind == 'C') {
		if (c->end - c->p < sent) {
			print_check_fail (c, "label %d: the ^GF graphic wants %ld bytes but only %ld follow; "
			    "the label is cut short: send the whole file", c->label, sent, (long) (c->end - c->p));
			return;
		}
		c->p += sent;
		return;
	}
	if (print_check_at (c, ":Z64:") || print_check_at (c, ":B64:")) {
		/* Base 64 and a CRC: printable, checked as any parameter text. */
		return;
	}
	print_check_gf_hex (c, bytes, row_bytes);
}

/* The length of the well-formed UTF-8 sequence at p, or 0. */
static int
print_check_utf8 (const unsigned char *p, const unsigned char *end)
{
	int n;
	unsigned int cp;
	if (*p >= 0xC2 && *p <= 0xDF)
		n = 2, cp = *p & 0x1F;
	else if (*p >= 0xE0 && *p <= 0xEF)
		n = 3, cp = *p & 0x0F;
	else if (*p >= 0xF0 && *p <= 0xF4)
		n = 4, cp = *p & 0x07;
	else
		return 0;
	if (end - p < n)
		return 0;
	for (int i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

/* ^CIn: does it select UTF-8 (28)? c->p after "^CI". */
static void
print_check_ci (struct print_check_state *c)
{
	long v = 0;
	const unsigned char *q = c->p;
	while (q < c->end && *q >= '0' && *q <= '9' && v < 1000)
		v = v * 10 + (*q++ - '0');
	c->utf8 = q > c->p && v == 28;
}

/* One label from just after its ^XA to just after its ^XZ. */
static void
print_check_zpl_label (struct print_check_state *c)
{
	const unsigned char *begin = c->p - 3;
	while (c->cause == NULL) {
		if (c->p >= c->end) {
			print_check_fail (c, "label %d (from byte %ld) has no ^XZ: the ZPL is cut short or is not a "
			    "finished label; render it again and send the whole file", c->label, (long) (begin - c->start));
			return;
		}
		unsigned char ch = *c->p;
		if (ch == '^' || ch == '~') {
			if (c->end - c->p < 3) {
				c->p = c->end;
				continue;
			}
			char cmd[3] = { (char) c->p[1], (char) c->p[2], '\0' };
			bool letter = (cmd[0] >= 'A' && cmd[0] <= 'Z') || (cmd[0] >= 'a' && cmd[0] <= 'z');
			bool second = (cmd[1] >= 'A' && cmd[1] <= 'Z') || (cmd[1] >= 'a' && cmd[1] <= 'z')
			    || (cmd[1] >= '0' && cmd[1] <= '9') || cmd[1] == '@';
			if (!letter || !second) {
				char q[96];
				print_check_quote (c->p, c->end, q, sizeof q);
				print_check_fail (c, "label %d: '%s' at byte %ld is not a ZPL command (%c and two "
				    "letters or digits); the file is not ZPL as despatch-label writes it", c->label, q,
				    print_check_offset (c), (char) ch);
				return;
			}
			c->p += 3;
			if (ch == '^' && strcmp (cmd, "XZ") == 0)
				return;
			if (ch == '^' && strcmp (cmd, "XA") == 0) {
				print_check_fail (c, "label %d (from byte %ld) has no ^XZ before the next ^XA at byte %ld: "
				    "the ZPL is damaged (a label cut short, then another); render it again", c->label,
				    (long) (begin - c->start), print_check_offset (c) - 3);
				return;
			}
			if (ch == '^' && strcmp (cmd, "GF") == 0)
				print_check_gf (c);
			else if (ch == '^' && strcmp (cmd, "CI") == 0)
				print_check_ci (c);
			continue;
		}
		if ((ch >= 0x20 && ch < 0x7f) || ch == '\t' || ch == '\r' || ch == '\n') {
			c->p++;
			continue;
		}
		int n = ch >= 0x80 && c->utf8 ? print_check_utf8 (c->p, c->end) : 0;
		if (n > 0) {
			c->p += n;
			continue;
		}
		print_check_fail (c, "label %d: byte 0x%02X at byte %ld is not ZPL text (printable ASCII, or "
		    "UTF-8 after ^CI28); the file is damaged or not a label: render it again with despatch-label",
		    c->label, ch, print_check_offset (c));
	}
}

static char *
print_check_zpl (const unsigned char *data, size_t size)
{
	struct print_check_state c = { .start = data, .p = data, .end = data + size };
	print_check_skip_ws (&c);
	if (c.p == c.end)
		return xstrdup ("the ZPL is empty (only whitespace): nothing to print");
	while (c.cause == NULL && c.p < c.end) {
		if (!print_check_at (&c, "^XA")) {
			char q[96];
			print_check_quote (c.p, c.end, q, sizeof q);
			if (c.label == 0)
				print_check_fail (&c, "not a ZPL label: it starts with '%s', not ^XA; send a label "
				    "despatch-label rendered (or --format pdf for a PDF)", q);
			else
				print_check_fail (&c, "'%s' at byte %ld after label %d is outside any ^XA ... ^XZ; the "
				    "file is damaged or two files were joined: render it again", q, print_check_offset (&c), c.label);
			break;
		}
		c.p += 3;
		c.label++;
		print_check_zpl_label (&c);
		print_check_skip_ws (&c);
	}
	return c.cause;
}

/* The last non-whitespace byte before end, plus one. */
static const unsigned char *
print_check_trim (const unsigned char *start, const unsigned char *end)
{
	while (end > start && (print_check_ws (end[-1]) || end[-1] == '\0'))
		end--;
	return end;
}

static char *
print_check_pdf (const unsigned char *data, size_t size)
{
	if (size < 8 || memcmp (data, "%PDF-", 5) != 0 || data[5] < '1' || data[5] > '9' || data[6] != '.'
	    || data[7] < '0' || data[7] > '9') {
		char q[96];
		print_check_quote (data, data + size, q, sizeof q);
		return xasprintf ("not a PDF: it starts with '%s', not %%PDF-1.x; send the PDF file itself "
		    "(or --format zpl for a label)", q);
	}
	const unsigned char *end = print_check_trim (data, data + size);
	if (end - data < 5 + 8 || memcmp (end - 5, "%%EOF", 5) != 0)
		return xstrdup ("the PDF does not end with %%EOF: it is cut short (a copy or download that "
		                "stopped?); make or copy it again and send the whole file");
	/* startxref, the offset of the cross-reference, then %%EOF. */
	const unsigned char *p = print_check_trim (data, end - 5);
	const unsigned char *digits = p;
	while (digits > data && digits[-1] >= '0' && digits[-1] <= '9')
		digits--;
	const unsigned char *kw = print_check_trim (data, digits);
	if (digits == p || kw - data < 9 || memcmp (kw - 9, "startxref", 9) != 0)
		return xstrdup ("the PDF has no startxref before its %%EOF: it is damaged; make it again");
	long offset = 0;
	for (const unsigned char *d = digits; d < p && offset < (long) size; d++)
		offset = offset * 10 + (*d - '0');
	if (offset >= (long) (kw - 9 - data))
		return xasprintf ("the PDF's startxref points at byte %ld, past its end: it is damaged or "
		    "cut and joined; make it again", offset);
	return NULL;
}

static const char *
print_check_what (enum print_format format)
{
	for (size_t i = 0; i < nitems (print_check_kinds); i++)
		if (print_check_kinds[i].format == format)
			return print_check_kinds[i].what;
	return "documents";
}

static const char *
print_check_where (enum print_format format)
{
	for (size_t i = 0; i < nitems (print_check_kinds); i++)
		if (print_check_kinds[i].format == format)
			return print_check_kinds[i].where;
	return "check which printer the configuration names";
}

int
print_check (const print_queue_t *queue, enum print_format format, const void *data, size_t size, char **cause)
{
	char *why = NULL;
	if (format != PRINT_FORMAT_ZPL && format != PRINT_FORMAT_PDF)
		why = xasprintf ("unknown print format %d", (int) format);
	else if (queue && queue->format != PRINT_FORMAT_ZPL && queue->format != PRINT_FORMAT_PDF)
		why = xasprintf ("printer queue '%s' does not say what it prints (no despatch-format option): "
		    "a supervisor marks it once with despatch-print format %s zpl (a label printer) or "
		    "despatch-print format %s pdf (a document printer)", queue->name, queue->name, queue->name);
	else if (queue && queue->format != (int) format)
		why = xasprintf ("printer queue '%s' prints %s, and this is %s: %s, or check which queue the "
		    "configuration names", queue->name, print_check_what ((enum print_format) queue->format),
		    format == PRINT_FORMAT_PDF ? "a PDF document" : "a ZPL label", print_check_where (format));
	else if (data == NULL || size == 0)
		why = xstrdup ("nothing to print: the document is empty");
	else if (format == PRINT_FORMAT_ZPL)
		why = print_check_zpl (data, size);
	else
		why = print_check_pdf (data, size);
	if (why == NULL)
		return 0;
	if (cause)
		*cause = why;
	else
		free (why);
	return -1;
}
