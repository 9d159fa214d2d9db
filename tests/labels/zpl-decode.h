/*
 * zpl-decode.h: read a ZPL II job made of one ^GFA graphic field back into a
 * bitmap, for tests. Written from Zebra's description of the compression, not
 * from the encoder, so an encoder bug shows up as a decode failure or a wrong
 * picture: ":" repeats the previous row, "," fills the row with 0, "!" with 1,
 * G..Y count 1..19 and g..z count 20..400 of the hex digit that follows.
 */
#ifndef DSP_ZPL_DECODE_H
#define DSP_ZPL_DECODE_H

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct zpl_image {
	int width, height;	/* dots; width from ^PW, height from the field */
	int row_bytes;
	unsigned char *bits;	/* row_bytes * height, MSB first, 1 = dark */
};

static int
zpl_hexval (int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode the first ^GFA field of job; 0, or -1 with err filled. */
static int
zpl_decode (const char *job, struct zpl_image *img, char *err, size_t errlen)
{
	memset (img, 0, sizeof *img);
	if (strncmp (job, "^XA", 3) != 0 || strstr (job, "^XZ") == NULL) {
		snprintf (err, errlen, "not a ZPL label (no ^XA ... ^XZ)");
		return -1;
	}
	const char *pw = strstr (job, "^PW");
	const char *gf = strstr (job, "^GFA,");
	if (pw == NULL || gf == NULL) {
		snprintf (err, errlen, "no ^PW or no ^GFA field");
		return -1;
	}
	img->width = atoi (pw + 3);
	long total, total2, rb;
	int used;
	if (sscanf (gf, "^GFA,%ld,%ld,%ld,%n", &total, &total2, &rb, &used) != 3 || total != total2 || rb <= 0
	    || total % rb != 0) {
		snprintf (err, errlen, "bad ^GFA header");
		return -1;
	}
	if (rb * 8 < img->width || (rb - 1) * 8 >= img->width) {
		snprintf (err, errlen, "^GFA row of %ld bytes does not match ^PW%d", rb, img->width);
		return -1;
	}
	img->row_bytes = (int) rb;
	img->height = (int) (total / rb);
	img->bits = calloc ((size_t) total, 1);
	int nibbles = (int) rb * 2;
	unsigned char *nib = calloc ((size_t) nibbles, 1);
	const char *p = gf + used;
	int row = 0, col = 0, count = 0;
	for (; *p && *p != '^'; p++) {
		int c = (unsigned char) *p, v;
		if (c == '\n' || c == '\r')
			continue;
		if (c >= 'G' && c <= 'Y')
			count += c - 'G' + 1;
		else if (c >= 'g' && c <= 'z')
			count += (c - 'g' + 1) * 20;
		else if (c == ':' || c == ',' || c == '!') {
			if (count) {
				snprintf (err, errlen, "repeat count before '%c' at row %d", c, row);
				goto bad;
			}
			if (c == ':' && col == 0) {
				if (row == 0) {
					snprintf (err, errlen, "':' on the first row");
					goto bad;
				}
				/* nib still holds the previous row */
			} else if (c == ':') {
				snprintf (err, errlen, "':' in the middle of row %d", row);
				goto bad;
			} else
				for (; col < nibbles; col++)
					nib[col] = c == ',' ? 0 : 15;
			col = nibbles;
		} else if ((v = zpl_hexval (c)) >= 0) {
			int n = count ? count : 1;
			count = 0;
			if (col + n > nibbles) {
				snprintf (err, errlen, "row %d runs over its %d nibbles", row, nibbles);
				goto bad;
			}
			while (n--)
				nib[col++] = (unsigned char) v;
		} else {
			snprintf (err, errlen, "unexpected character '%c' in the field", c);
			goto bad;
		}
		if (col == nibbles) {
			if (row >= img->height) {
				snprintf (err, errlen, "more rows than the %d the header gives", img->height);
				goto bad;
			}
			for (int i = 0; i < (int) rb; i++)
				img->bits[(size_t) row * (size_t) rb + (size_t) i] = (unsigned char) (nib[2 * i] << 4 | nib[2 * i + 1]);
			row++;
			col = 0;
		}
	}
	if (row != img->height || col != 0 || count != 0) {
		snprintf (err, errlen, "field ends after %d of %d rows", row, img->height);
		goto bad;
	}
	if (strncmp (p, "^FS", 3) != 0) {
		snprintf (err, errlen, "field not closed by ^FS");
		goto bad;
	}
	free (nib);
	return 0;
bad:
	free (nib);
	free (img->bits);
	img->bits = NULL;
	return -1;
}

__attribute__ ((unused)) static int
zpl_pixel (const struct zpl_image *img, int x, int y)
{
	return (img->bits[(size_t) y * (size_t) img->row_bytes + (size_t) (x >> 3)] >> (7 - (x & 7))) & 1;
}

/* Read the ZPL job in the file at path and decode it as zpl_decode does; 0, or -1 with err filled. */
__attribute__ ((unused)) static int
zpl_decode_file (const char *path, struct zpl_image *img, char *err, size_t errlen)
{
	FILE *f = fopen (path, "rb");
	if (f == NULL) {
		snprintf (err, errlen, "cannot open it: %s", strerror (errno));
		return -1;
	}
	fseek (f, 0, SEEK_END);
	long n = ftell (f);
	rewind (f);
	char *job = n >= 0 ? calloc ((size_t) n + 1, 1) : NULL;
	int rc = job && fread (job, 1, (size_t) n, f) == (size_t) n ? 0 : -1;
	fclose (f);
	if (rc != 0)
		snprintf (err, errlen, "cannot read it: %s", job ? strerror (errno) : "out of memory");
	else
		rc = zpl_decode (job, img, err, errlen);
	free (job);
	return rc;
}

#endif
