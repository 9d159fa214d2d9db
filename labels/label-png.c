/*
 * label-png.c: PNG pages written and read through libpng; the only file that
 * includes png.h.
 *
 * A label page is 1-bit, so it is written as 1-bit grey. Rows go unfiltered
 * and zlib runs at its fastest level: a label is mostly white and repeats its
 * rows inside bars, which even the fastest level finds, and the filters
 * libpng would otherwise try on every row cost more than the whole drawing.
 * Reading takes any PNG and hands back 8-bit grey on white.
 */
#include "config.h"
#include "label-int.h"
#include "util.h"

#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

struct label_png_io {
	const unsigned char *data;
	size_t len, at;
	struct label_buf *out;
	char error[160];
};

static void
label_png_error (png_structp png, png_const_charp msg)
{
	struct label_png_io *io = png_get_error_ptr (png);
	util_strlcpy (io->error, msg, sizeof io->error);
	png_longjmp (png, 1);
}

static void
label_png_warning (png_structp png, png_const_charp msg)
{
	(void) png, (void) msg;
}

static void
label_png_put (png_structp png, png_bytep data, size_t len)
{
	struct label_png_io *io = png_get_io_ptr (png);
	label_buf_append (io->out, data, len);
}

static void
label_png_flush (png_structp png)
{
	(void) png;
}

/* A nibble's four bits in the other order, for pages whose first dot is a byte's low bit. */
static const unsigned char label_png_rev4[16] = { 0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15 };

int
label_png_write (const unsigned char *bits, int width, int height, int stride, bool lsb_first,
    struct label_buf *out, char **cause)
{
	struct label_png_io io = { .out = out };
	png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, &io, label_png_error, label_png_warning);
	png_infop info = png ? png_create_info_struct (png) : NULL;
	/* One row at a time as PNG has it: 1 is white, the first dot in the high bit. */
	size_t row_bytes = ((size_t) width + 7) / 8;
	unsigned char *row = xmalloc (row_bytes);
	size_t start = out->len;
	if (info == NULL || setjmp (png_jmpbuf (png))) {
		*cause = xasprintf ("PNG output failed: %s", info ? io.error : "out of memory");
		png_destroy_write_struct (&png, info ? &info : NULL);
		free (row);
		out->len = start;
		return -1;
	}
	png_set_write_fn (png, &io, label_png_put, label_png_flush);
	png_set_IHDR (png, info, (png_uint_32) width, (png_uint_32) height, 1, PNG_COLOR_TYPE_GRAY,
	    PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_set_filter (png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);
	png_set_compression_level (png, Z_BEST_SPEED);
	png_write_info (png, info);
	for (int y = 0; y < height; y++) {
		const unsigned char *src = bits + (size_t) y * (size_t) stride;
		for (size_t i = 0; i < row_bytes; i++) {
			unsigned char b = src[i];
			if (lsb_first)
				b = (unsigned char) (label_png_rev4[b & 15] << 4 | label_png_rev4[b >> 4]);
			row[i] = (unsigned char) ~b;
		}
		png_write_row (png, row);
	}
	png_write_end (png, info);
	png_destroy_write_struct (&png, &info);
	free (row);
	return 0;
}

static void
label_png_get (png_structp png, png_bytep data, size_t len)
{
	struct label_png_io *io = png_get_io_ptr (png);
	if (io->len - io->at < len)
		png_error (png, "the image ends too soon");
	memcpy (data, io->data + io->at, len);
	io->at += len;
}

int
label_png_read (const unsigned char *data, size_t len, struct label_grey *g, char **cause)
{
	memset (g, 0, sizeof *g);
	if (len < 8 || png_sig_cmp (data, 0, 8) != 0) {
		*cause = xstrdup ("not a PNG image");
		return -1;
	}
	struct label_png_io io = { .data = data, .len = len };
	png_structp png = png_create_read_struct (PNG_LIBPNG_VER_STRING, &io, label_png_error, label_png_warning);
	png_infop info = png ? png_create_info_struct (png) : NULL;
	/* volatile: set between setjmp and a longjmp that may come back to it. */
	unsigned char *volatile pix = NULL;
	png_bytep *volatile rows = NULL;
	if (info == NULL || setjmp (png_jmpbuf (png))) {
		*cause = xasprintf ("not a PNG image that can be read: %s", info ? io.error : "out of memory");
		png_destroy_read_struct (&png, info ? &info : NULL, NULL);
		free (pix);
		free (rows);
		return -1;
	}
	png_set_read_fn (png, &io, label_png_get);
	png_read_info (png, info);
	png_uint_32 w = png_get_image_width (png, info), h = png_get_image_height (png, info);
	if (w == 0 || h == 0 || w > 20000 || h > 20000)
		png_error (png, "the image is empty or larger than any label");
	/* Whatever it holds, as 8-bit grey on white: what a reader sees. */
	int type = png_get_color_type (png, info);
	png_set_strip_16 (png);
	png_set_packing (png);
	if (type == PNG_COLOR_TYPE_PALETTE)
		png_set_palette_to_rgb (png);
	if (type == PNG_COLOR_TYPE_GRAY)
		png_set_expand_gray_1_2_4_to_8 (png);
	if (type & PNG_COLOR_MASK_COLOR)
		png_set_rgb_to_gray_fixed (png, 1, -1, -1);
	if ((type & PNG_COLOR_MASK_ALPHA) || png_get_valid (png, info, PNG_INFO_tRNS)) {
		png_color_16 white = { .red = 255, .green = 255, .blue = 255, .gray = 255 };
		png_set_background (png, &white, PNG_BACKGROUND_GAMMA_SCREEN, 0, 1.0);
	}
	png_set_interlace_handling (png);
	png_read_update_info (png, info);
	if (png_get_rowbytes (png, info) != w)
		png_error (png, "its pixels do not come out as grey");
	pix = xmalloc ((size_t) w * (size_t) h);
	rows = xmalloc ((size_t) h * sizeof *rows);
	for (png_uint_32 y = 0; y < h; y++)
		rows[y] = pix + (size_t) y * w;
	png_read_image (png, rows);
	png_read_end (png, NULL);
	free (rows);
	rows = NULL;
	png_destroy_read_struct (&png, &info, NULL);
	g->width = (int) w;
	g->height = (int) h;
	g->stride = (int) w;
	g->pix = pix;
	return 0;
}
