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

/* A nibble's four bits in the other order, for pages whose first pixel is a byte's low bit. */
static const unsigned char label_zpl_rev4[16] = { 0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15 };

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
	/* The row as one nibble a byte, first dot first, so runs are found a byte (or eight) a step. */
	unsigned char *nib = xmalloc ((size_t) nibbles + 1);

	for (int y = 0; y < height; y++) {
		const unsigned char *src = bits + (size_t) y * (size_t) stride;
		if (y > 0 && memcmp (src, src - stride, (size_t) row_bytes) == 0) {
			*p++ = ':';
			continue;
		}
		int end = nibbles;
		while (end >= 2 && src[(end >> 1) - 1] == 0)
			end -= 2;
		if (lsb_first)
			for (int i = 0; i < end / 2; i++) {
				nib[2 * i] = label_zpl_rev4[src[i] & 15];
				nib[2 * i + 1] = label_zpl_rev4[src[i] >> 4];
			}
		else
			for (int i = 0; i < end / 2; i++) {
				nib[2 * i] = (unsigned char) (src[i] >> 4);
				nib[2 * i + 1] = src[i] & 15;
			}
		while (end > 0 && nib[end - 1] == 0)
			end--;
		char tail = end < nibbles ? ',' : 0;
		if (tail == 0) {
			while (end > 0 && nib[end - 1] == 15)
				end--;
			tail = end < nibbles ? '!' : 0;
		}
		/* A nibble no run can take ends the row, so a run is found without counting to its end. */
		nib[end] = 16;
		for (int i = 0; i < end;) {
			unsigned char v = nib[i];
			int j = i + 1;
			while (nib[j] == v)
				j++;
			p = label_zpl_run (p, j - i, label_zpl_hex[v]);
			i = j;
		}
		if (tail)
			*p++ = tail;
	}
	label_buf_commit (out, (size_t) (p - body));
	free (nib);
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

/* The first occurrence of the NUL-terminated word in [p, end), or NULL. */
static const char *
label_zpl_find (const char *p, const char *end, const char *word)
{
	return memmem (p, (size_t) (end - p), word, strlen (word));
}

/* A page of grey from 4 dots a nibble: each nibble's four dots at once. */
static void
label_zpl_grey_row (const unsigned char *nib, int width, unsigned char *dst)
{
	static const unsigned char dots[16][4] = {
		{ 255, 255, 255, 255 }, { 255, 255, 255, 0 }, { 255, 255, 0, 255 }, { 255, 255, 0, 0 },
		{ 255, 0, 255, 255 }, { 255, 0, 255, 0 }, { 255, 0, 0, 255 }, { 255, 0, 0, 0 },
		{ 0, 255, 255, 255 }, { 0, 255, 255, 0 }, { 0, 255, 0, 255 }, { 0, 255, 0, 0 },
		{ 0, 0, 255, 255 }, { 0, 0, 255, 0 }, { 0, 0, 0, 255 }, { 0, 0, 0, 0 },
	};
	int whole = width / 4;
	for (int i = 0; i < whole; i++)
		memcpy (dst + 4 * i, dots[nib[i]], 4);
	for (int x = whole * 4; x < width; x++)
		dst[x] = dots[nib[x >> 2]][x & 3];
}

int
label_zpl_read (const char *job, size_t len, size_t *used, struct label_grey *g, char **cause)
{
	memset (g, 0, sizeof *g);
	/* Only this label's bytes are looked at (a job holds many): up to its own ^XZ. */
	const char *end = len >= 3 ? label_zpl_find (job, job + len, "^XZ") : NULL;
	const char *pw = end ? label_zpl_find (job, end, "^PW") : NULL;
	const char *gf = end ? label_zpl_find (job, end, "^GFA,") : NULL;
	char head[96] = "";
	if (gf)
		memcpy (head, gf, (size_t) (end - gf) < sizeof head - 1 ? (size_t) (end - gf) : sizeof head - 1);
	long total, total2, rb;
	int skip = 0;
	if (end == NULL || strncmp (job, "^XA", 3) != 0 || pw == NULL || gf == NULL
	    || sscanf (head, "^GFA,%ld,%ld,%ld,%n", &total, &total2, &rb, &skip) != 3 || skip == 0
	    || total != total2 || rb <= 0 || total % rb != 0 || total > 64L * 1024 * 1024) {
		*cause = xstrdup ("not a ZPL label of one ^GFA graphic field (^XA ^PW ^GFA ... ^XZ)");
		return -1;
	}
	*used = (size_t) (end + 3 - job);
	while (*used < len && (job[*used] == '\n' || job[*used] == '\r'))
		(*used)++;
	char pwtext[16] = "";
	memcpy (pwtext, pw + 3, (size_t) (end - pw - 3) < sizeof pwtext - 1 ? (size_t) (end - pw - 3) : sizeof pwtext - 1);
	g->width = atoi (pwtext);
	g->height = (int) (total / rb);
	if (g->width <= 0 || g->width > rb * 8) {
		*cause = xasprintf ("ZPL ^PW%d does not match its ^GFA rows of %ld bytes", g->width, rb);
		return -1;
	}
	g->stride = g->width;
	g->pix = xmalloc ((size_t) g->width * (size_t) g->height);
	int nibbles = (int) rb * 2, row = 0, col = 0, count = 0;
	unsigned char *nib = xcalloc ((size_t) nibbles, 1);
	const char *p = gf + skip;
	for (; p < end && *p != '^' && row <= g->height; p++) {
		int c = (unsigned char) *p, v;
		bool again = false;
		if (c == '\n' || c == '\r')
			continue;
		if (c >= 'G' && c <= 'Y')
			count += c - 'G' + 1;
		else if (c >= 'g' && c <= 'z')
			count += (c - 'g' + 1) * 20;
		else if ((c == ':' && col == 0 && row > 0) || c == ',' || c == '!') {
			if (c != ':')
				memset (nib + col, c == ',' ? 0 : 15, (size_t) (nibbles - col));
			again = c == ':';
			col = nibbles;
			count = 0;
		} else if ((v = label_zpl_hexval (c)) >= 0) {
			int n = count ? count : 1;
			count = 0;
			if (col + n > nibbles)
				break;
			if (n > 8)
				memset (nib + col, v, (size_t) n);
			else
				for (int k = 0; k < n; k++)
					nib[col + k] = (unsigned char) v;
			col += n;
		} else
			break;
		if (col == nibbles && row < g->height) {
			unsigned char *dst = g->pix + (size_t) row * (size_t) g->stride;
			/* ":" repeats the row above: its dots are already there. */
			if (again)
				memcpy (dst, dst - g->stride, (size_t) g->width);
			else
				label_zpl_grey_row (nib, g->width, dst);
			row++;
			col = 0;
		}
	}
	bool closed = (size_t) (end - p) >= 3 && strncmp (p, "^FS", 3) == 0;
	free (nib);
	if (row != g->height || !closed) {
		*cause = xasprintf ("ZPL graphic field is broken after row %d of %d", row, g->height);
		label_grey_free (g);
		return -1;
	}
	return 0;
}
