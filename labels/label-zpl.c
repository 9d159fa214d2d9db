/*
 * label-zpl.c: a 1-bit page as one ZPL II ^GF graphic field, ASCII-hex with
 * Zebra's run-length compression (":" repeats the row above, "," ends a row of
 * white, "!" ends a row of black, G..Y and g..z are repeat counts). Label
 * pages are mostly white and repeat rows inside bars, so this keeps jobs small
 * without the printer having to inflate Z64.
 */
#include "config.h"
#include "label-int.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char label_zpl_hex[] = "0123456789ABCDEF";

/* Append count repeats of hex digit h, as count letters then the digit. */
static char *
label_zpl_run (char *p, int count, char h)
{
	while (count > 0) {
		int n = count > 419 ? 419 : count;
		count -= n;
		if (n == 1) {
			*p++ = h;
			continue;
		}
		if (n >= 20)
			*p++ = (char) ('g' + n / 20 - 1);
		if (n % 20)
			*p++ = (char) ('G' + n % 20 - 1);
		*p++ = h;
	}
	return p;
}

/* Bit-reversed bytes, for pages whose first pixel is a byte's low bit. */
static unsigned char label_zpl_rev[256];

static void
label_zpl_rev_init (void)
{
	if (label_zpl_rev[1])
		return;
	for (int i = 0; i < 256; i++) {
		unsigned char r = 0;
		for (int b = 0; b < 8; b++)
			if (i & (1 << b))
				r |= (unsigned char) (0x80 >> b);
		label_zpl_rev[i] = r;
	}
}

void
label_zpl_page (const unsigned char *bits, int width, int height, int stride, bool lsb_first,
    struct label_buf *out)
{
	int row_bytes = (width + 7) / 8;
	int nibbles = row_bytes * 2;
	size_t total = (size_t) row_bytes * (size_t) height;
	char *head = xasprintf ("^XA\n^PW%d\n^LL%d\n^LH0,0\n^FO0,0^GFA,%zu,%zu,%d,", width, height,
	    total, total, row_bytes);
	label_buf_append (out, head, strlen (head));
	free (head);
	/* Worst case: every nibble stands alone, plus a row end. */
	char *body = label_buf_reserve (out, (size_t) height * (size_t) (nibbles + 1) + 64);
	char *p = body;
	unsigned char *row = xmalloc ((size_t) row_bytes);
	label_zpl_rev_init ();

	for (int y = 0; y < height; y++) {
		const unsigned char *src = bits + (size_t) y * (size_t) stride;
		if (y > 0 && memcmp (src, src - stride, (size_t) row_bytes) == 0) {
			*p++ = ':';
			continue;
		}
		if (lsb_first)
			for (int i = 0; i < row_bytes; i++)
				row[i] = label_zpl_rev[src[i]];
		else
			memcpy (row, src, (size_t) row_bytes);
#define LABEL_ZPL_NIB(i) ((i) & 1 ? row[(i) >> 1] & 15 : row[(i) >> 1] >> 4)
		int end = nibbles;
		while (end >= 2 && row[(end >> 1) - 1] == 0)
			end -= 2;
		while (end > 0 && LABEL_ZPL_NIB (end - 1) == 0)
			end--;
		char tail = end < nibbles ? ',' : 0;
		if (tail == 0) {
			while (end > 0 && LABEL_ZPL_NIB (end - 1) == 15)
				end--;
			tail = end < nibbles ? '!' : 0;
		}
		for (int i = 0; i < end;) {
			int v = LABEL_ZPL_NIB (i), j = i + 1;
			/* Whole bytes of white or black go by at a byte a step. */
			if ((v == 0 || v == 15) && (j & 1)) {
				if (j < end && LABEL_ZPL_NIB (j) == v) {
					j++;
					while (j + 1 < end && row[j >> 1] == (v ? 0xFF : 0))
						j += 2;
				}
			}
			while (j < end && LABEL_ZPL_NIB (j) == v)
				j++;
			p = label_zpl_run (p, j - i, label_zpl_hex[v]);
			i = j;
		}
#undef LABEL_ZPL_NIB
		if (tail)
			*p++ = tail;
	}
	label_buf_commit (out, (size_t) (p - body));
	free (row);
	static const char foot[] = "^FS\n^PQ1\n^XZ\n";
	label_buf_append (out, foot, sizeof foot - 1);
}

/*
 * Reading a page back, for label_verify: the same ^GFA field, inflated into
 * grey. Only what label_zpl_page writes is taken; anything else is refused
 * as a label this library did not make.
 */
static int
label_zpl_hexval (int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
label_zpl_read (const char *job, size_t len, size_t *used, struct label_grey *g, char **cause)
{
	memset (g, 0, sizeof *g);
	char *copy = xstrndup (job, len);
	char *end = strstr (copy, "^XZ"), *pw = strstr (copy, "^PW"), *gf = strstr (copy, "^GFA,");
	long total, total2, rb;
	int skip = 0;
	if (strncmp (copy, "^XA", 3) != 0 || end == NULL || pw == NULL || gf == NULL || pw > end || gf > end
	    || sscanf (gf, "^GFA,%ld,%ld,%ld,%n", &total, &total2, &rb, &skip) != 3 || skip == 0
	    || total != total2 || rb <= 0 || total % rb != 0 || total > 64L * 1024 * 1024) {
		*cause = xstrdup ("not a ZPL label of one ^GFA graphic field (^XA ^PW ^GFA ... ^XZ)");
		free (copy);
		return -1;
	}
	*used = (size_t) (end + 3 - copy);
	while (*used < len && (job[*used] == '\n' || job[*used] == '\r'))
		(*used)++;
	g->width = atoi (pw + 3);
	g->height = (int) (total / rb);
	if (g->width <= 0 || g->width > rb * 8) {
		*cause = xasprintf ("ZPL ^PW%d does not match its ^GFA rows of %ld bytes", g->width, rb);
		free (copy);
		return -1;
	}
	g->stride = g->width;
	g->pix = xmalloc ((size_t) g->width * (size_t) g->height);
	int nibbles = (int) rb * 2, row = 0, col = 0, count = 0;
	unsigned char *nib = xcalloc ((size_t) nibbles, 1);
	const char *p = gf + skip;
	for (; *p && *p != '^' && row <= g->height; p++) {
		int c = (unsigned char) *p, v;
		if (c == '\n' || c == '\r')
			continue;
		if (c >= 'G' && c <= 'Y')
			count += c - 'G' + 1;
		else if (c >= 'g' && c <= 'z')
			count += (c - 'g' + 1) * 20;
		else if ((c == ':' && col == 0 && row > 0) || c == ',' || c == '!') {
			if (c != ':')
				memset (nib + col, c == ',' ? 0 : 15, (size_t) (nibbles - col));
			col = nibbles;
			count = 0;
		} else if ((v = label_zpl_hexval (c)) >= 0) {
			int n = count ? count : 1;
			count = 0;
			if (col + n > nibbles)
				break;
			memset (nib + col, v, (size_t) n);
			col += n;
		} else
			break;
		if (col == nibbles && row < g->height) {
			unsigned char *dst = g->pix + (size_t) row * (size_t) g->stride;
			for (int x = 0; x < g->width; x++)
				dst[x] = (nib[x >> 2] >> (3 - (x & 3))) & 1 ? 0 : 255;
			row++;
			col = 0;
		}
	}
	bool closed = strncmp (p, "^FS", 3) == 0;
	free (nib);
	free (copy);
	if (row != g->height || !closed) {
		*cause = xasprintf ("ZPL graphic field is broken after row %d of %d", row, g->height);
		label_grey_free (g);
		return -1;
	}
	return 0;
}
