/*
 * label-poppler.c: PDF pages back to pixels through poppler, for
 * label_verify; the only file that includes poppler. poppler draws onto a
 * cairo surface, so this file names cairo too, for that alone.
 */
#include "config.h"
#include "label-int.h"
#include "util.h"

#include <cairo.h>
#include <poppler.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* An RGB24 surface as grey (luminance), 0 black. */
static void
label_pdf_grey (cairo_surface_t *rgb, struct label_grey *g)
{
	int w = cairo_image_surface_get_width (rgb), h = cairo_image_surface_get_height (rgb);
	int ss = cairo_image_surface_get_stride (rgb);
	const unsigned char *src = cairo_image_surface_get_data (rgb);
	g->width = w;
	g->height = h;
	g->stride = w;
	g->pix = xmalloc ((size_t) w * (size_t) h);
	for (int y = 0; y < h; y++) {
		const unsigned char *row = src + (size_t) y * (size_t) ss;
		unsigned char *dst = g->pix + (size_t) y * (size_t) w;
		for (int x = 0; x < w; x++) {
			uint32_t px;
			memcpy (&px, row + 4 * x, 4);
			dst[x] = (unsigned char) ((((px >> 16) & 255) * 77 + ((px >> 8) & 255) * 150 + (px & 255) * 29) >> 8);
		}
	}
}

/* A PDF opened once for all its pages. */
struct label_pdf {
	GBytes *bytes;
	PopplerDocument *doc;
};

struct label_pdf *
label_pdf_open (const unsigned char *data, size_t len, char **cause)
{
	GBytes *bytes = g_bytes_new (data, len);
	GError *err = NULL;
	PopplerDocument *doc = poppler_document_new_from_bytes (bytes, NULL, &err);
	if (doc == NULL) {
		*cause = xasprintf ("not a PDF that can be read: %s", err ? err->message : "unknown error");
		if (err)
			g_error_free (err);
		g_bytes_unref (bytes);
		return NULL;
	}
	struct label_pdf *pdf = xcalloc (1, sizeof *pdf);
	pdf->bytes = bytes;
	pdf->doc = doc;
	return pdf;
}

void
label_pdf_close (struct label_pdf **self_p)
{
	struct label_pdf *pdf = *self_p;
	if (pdf == NULL)
		return;
	g_object_unref (pdf->doc);
	g_bytes_unref (pdf->bytes);
	free (pdf);
	*self_p = NULL;
}

int
label_pdf_pages (const struct label_pdf *pdf)
{
	return poppler_document_get_n_pages (pdf->doc);
}

int
label_pdf_read (struct label_pdf *pdf, int index, int dpi, struct label_grey *g, char **cause)
{
	PopplerPage *page = poppler_document_get_page (pdf->doc, index);
	if (page == NULL) {
		*cause = xasprintf ("the PDF has no page %d", index + 1);
		return -1;
	}
	double pw, ph;
	poppler_page_get_size (page, &pw, &ph);
	/* The page at the printer's resolution: one dot a pixel, as the label was laid out. */
	int w = (int) (pw * dpi / 72.0 + 0.5), h = (int) (ph * dpi / 72.0 + 0.5);
	cairo_surface_t *rgb = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
	cairo_t *cr = cairo_create (rgb);
	cairo_set_source_rgb (cr, 1, 1, 1);
	cairo_paint (cr);
	cairo_scale (cr, dpi / 72.0, dpi / 72.0);
	poppler_page_render_for_printing (page, cr);
	cairo_destroy (cr);
	cairo_surface_flush (rgb);
	label_pdf_grey (rgb, g);
	cairo_surface_destroy (rgb);
	g_object_unref (page);
	return 0;
}
