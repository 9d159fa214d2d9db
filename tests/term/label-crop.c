/*
 * label-crop: cut each barcode of a printed label out of the ZPL job the
 * fake printer received, so the real readers (zbarimg, dmtxread,
 * ZXingReader) each read one symbol of one format. zxing-cpp 1.4 can abort
 * on a whole label of several symbols, and finds a MaxiCode only as a
 * whole image square to it; so each symbol gets a grey image of its own box
 * from the layout (with a white margin, except a MaxiCode's exact box).
 *
 *   label-crop JOB LAYOUT.json DPI OUTDIR
 *
 * writes OUTDIR/ELEMENT.SYMBOLOGY.pgm for every barcode element of the
 * layout and prints one line "ELEMENT SYMBOLOGY FILE" for each. The page
 * is decoded from the ZPL by tests/labels/zpl-decode.h; the layout is placed
 * on it as the labels library places it (centred on a roll's label).
 */
#include "config.h"
#include "tests/labels/zpl-decode.h"

#include <jansson.h>
#include <math.h>
#include <stdbool.h>

#define LABEL_CROP_MARGIN_MM 2.0

static int
label_crop_write (const char *path, const struct zpl_image *img, int x, int y, int w, int h, int quiet)
{
	FILE *o = fopen (path, "wb");
	if (o == NULL) {
		perror (path);
		return -1;
	}
	int ow = w + 2 * quiet, oh = h + 2 * quiet;
	fprintf (o, "P5\n%d %d\n255\n", ow, oh);
	for (int r = 0; r < oh; r++)
		for (int c = 0; c < ow; c++) {
			int px = x + c - quiet, py = y + r - quiet;
			bool dark = px >= 0 && py >= 0 && px < img->width && py < img->height
			    && c >= quiet && c < quiet + w && r >= quiet && r < quiet + h
			    && (img->bits[(size_t) py * (size_t) img->row_bytes + (size_t) (px >> 3)] >> (7 - (px & 7))) & 1;
			fputc (dark ? 0 : 255, o);
		}
	return fclose (o) == 0 ? 0 : -1;
}

static long
label_crop_snap (double mm, int dpi)
{
	return lround (mm * dpi / 25.4);
}

int
main (int argc, char **argv)
{
	if (argc != 5) {
		fprintf (stderr, "usage: label-crop JOB.zpl LAYOUT.json DPI OUTDIR\n");
		return 2;
	}
	int dpi = atoi (argv[3]);
	if (dpi <= 0) {
		fprintf (stderr, "label-crop: DPI must be a positive number, not '%s'\n", argv[3]);
		return 1;
	}
	struct zpl_image img;
	char err[200];
	if (zpl_decode_file (argv[1], &img, err, sizeof err) < 0) {
		fprintf (stderr, "label-crop: %s: %s\n", argv[1], err);
		return 1;
	}
	json_error_t jerr;
	json_t *layout = json_load_file (argv[2], 0, &jerr);
	if (layout == NULL) {
		fprintf (stderr, "label-crop: %s:%d: %s\n", argv[2], jerr.line, jerr.text);
		return 1;
	}
	/* Where the layout sits on the page: centred, as label_render places it on a roll. */
	double lw = json_number_value (json_object_get (layout, "width"));
	double lh = json_number_value (json_object_get (layout, "height"));
	int ox = (int) ((img.width - lw * dpi / 25.4) / 2), oy = (int) ((img.height - lh * dpi / 25.4) / 2);
	size_t i;
	json_t *e;
	int rc = 0;
	json_array_foreach (json_object_get (layout, "elements"), i, e) {
		const char *type = json_string_value (json_object_get (e, "type"));
		const char *name = json_string_value (json_object_get (e, "name"));
		const char *sym = json_string_value (json_object_get (e, "symbology"));
		if (type == NULL || strcmp (type, "barcode") != 0 || name == NULL || sym == NULL)
			continue;
		double ex = json_number_value (json_object_get (e, "x")), ey = json_number_value (json_object_get (e, "y"));
		double ew = json_number_value (json_object_get (e, "w")), eh = json_number_value (json_object_get (e, "h"));
		int x = (int) label_crop_snap (ex, dpi), y = (int) label_crop_snap (ey, dpi);
		int w = (int) label_crop_snap (ex + ew, dpi) - x, h = (int) label_crop_snap (ey + eh, dpi) - y;
		bool pure = strcmp (sym, "maxicode") == 0;
		int m = pure ? 0 : (int) (LABEL_CROP_MARGIN_MM * dpi / 25.4);
		x += ox - m;
		y += oy - m;
		w += 2 * m;
		h += 2 * m;
		char path[4096];
		snprintf (path, sizeof path, "%s/%s.%s.pgm", argv[4], name, sym);
		/* A quiet zone round the cut-out: dmtxread and zbar look for the symbol's edge. */
		if (label_crop_write (path, &img, x, y, w, h, pure ? 0 : 16) != 0)
			rc = 1;
		else
			printf ("%s %s %s\n", name, sym, path);
	}
	json_decref (layout);
	free (img.bits);
	return rc;
}
