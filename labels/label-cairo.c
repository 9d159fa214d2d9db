/*
 * label-cairo.c: drawing through cairo, text through pango; the only file
 * that includes their headers.
 *
 * User space is printer dots for every format. Raster pages (ZPL, PNG) are
 * 1-bit (CAIRO_FORMAT_A1, "ink" is alpha) because a thermal printer has no
 * grey: what the preview shows is what the head burns. PDF pages are vector,
 * scaled so one unit is one dot at the chosen resolution, so bars still fall
 * on whole dots when the PDF is printed at that resolution.
 */
#include "config.h"
#include "label-int.h"
#include "util.h"

#include <cairo.h>
#include <cairo-pdf.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>
#include <pango/pangofc-fontmap.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct label_canvas_font {
	char *name;
	PangoFontDescription *desc;
};

struct label_canvas {
	enum label_format format;
	int dpi;
	int page_w, page_h;
	int ox, oy;
	cairo_surface_t *surface;
	cairo_t *cr;
	PangoContext *pango;
	PangoLayout *layout;
	struct label_canvas_font fonts[16];
	size_t nfonts;
	unsigned char *base;	/* raster: the page as saved by label_canvas_save_base */
	unsigned char *scratch;	/* raster: 16-bit pixels text is drawn on (label_canvas_show) */
	size_t scratch_size;
	struct label_buf doc;	/* PDF: the document so far */
};

static cairo_status_t
label_canvas_write (void *closure, const unsigned char *data, unsigned int len)
{
	label_buf_append (closure, data, len);
	return CAIRO_STATUS_SUCCESS;
}

static bool
label_canvas_raster (const struct label_canvas *c)
{
	return c->format != LABEL_FORMAT_PDF;
}

/*
 * The fonts: data/fonts.conf (installed as $(pkgdatadir)/fonts.conf, or
 * $DSP_FONTS_CONF), loaded into a fontconfig configuration of the library's
 * own, so a label is drawn by the same faces whatever FONTCONFIG_FILE or the
 * machine's own configuration says. The configuration is read once per
 * process and only read after; pango's font maps are not to be shared
 * between threads, so each thread gets its own over it.
 */
static struct {
	GOnce once;
	FcConfig *config;
	char *error;
} label_canvas_fc = { G_ONCE_INIT, NULL, NULL };

static GPrivate label_canvas_fontmap_key = G_PRIVATE_INIT (g_object_unref);

const char *
label_fonts_conf_path (void)
{
	const char *env = getenv ("DSP_FONTS_CONF");
	return env && *env ? env : DSP_PKGDATADIR "/fonts.conf";
}

static gpointer
label_canvas_fc_load (gpointer arg)
{
	(void) arg;
	const char *path = label_fonts_conf_path ();
	FcConfig *cfg = FcConfigCreate ();
	if (cfg == NULL || !FcConfigParseAndLoad (cfg, (const FcChar8 *) path, FcTrue)) {
		label_canvas_fc.error = xasprintf ("the label fonts configuration %s cannot be read: install "
		    "despatch-tools again, or point DSP_FONTS_CONF at data/fonts.conf", path);
		goto fail;
	}
	if (!FcConfigBuildFonts (cfg)) {
		label_canvas_fc.error = xasprintf ("fontconfig cannot build the font list of %s", path);
		goto fail;
	}
	FcFontSet *set = FcConfigGetFonts (cfg, FcSetSystem);
	if (set == NULL || set->nfont == 0) {
		label_canvas_fc.error = xasprintf ("no label font found through %s: install fonts-dejavu-core, "
		    "fonts-dejavu-extra, fonts-noto-core and fonts-noto-cjk", path);
		goto fail;
	}
	label_canvas_fc.config = cfg;
	return NULL;
fail:
	if (cfg)
		FcConfigDestroy (cfg);
	return NULL;
}

/* This thread's font map over the library's own configuration; NULL with *cause. */
static PangoFontMap *
label_canvas_fontmap (char **cause)
{
	g_once (&label_canvas_fc.once, label_canvas_fc_load, NULL);
	if (label_canvas_fc.config == NULL) {
		*cause = xstrdup (label_canvas_fc.error);
		return NULL;
	}
	PangoFontMap *fm = g_private_get (&label_canvas_fontmap_key);
	if (fm == NULL) {
		fm = pango_cairo_font_map_new_for_font_type (CAIRO_FONT_TYPE_FT);
		if (fm == NULL) {
			*cause = xstrdup ("pango has no FreeType font map: the label fonts cannot be used");
			return NULL;
		}
		pango_fc_font_map_set_config (PANGO_FC_FONT_MAP (fm), label_canvas_fc.config);
		g_private_set (&label_canvas_fontmap_key, fm);
	}
	return fm;
}

struct label_canvas *
label_canvas_new (enum label_format format, int dpi, int page_w, int page_h, char **cause)
{
	PangoFontMap *fm = label_canvas_fontmap (cause);
	if (fm == NULL)
		return NULL;
	struct label_canvas *c = xcalloc (1, sizeof *c);
	c->format = format;
	c->dpi = dpi;
	c->page_w = page_w;
	c->page_h = page_h;
	if (label_canvas_raster (c))
		c->surface = cairo_image_surface_create (CAIRO_FORMAT_A1, page_w, page_h);
	else
		c->surface = cairo_pdf_surface_create_for_stream (label_canvas_write, &c->doc,
		    page_w * 72.0 / dpi, page_h * 72.0 / dpi);
	c->cr = cairo_create (c->surface);
	if (!label_canvas_raster (c))
		cairo_scale (c->cr, 72.0 / dpi, 72.0 / dpi);
	cairo_set_source_rgb (c->cr, 0, 0, 0);

	c->pango = pango_font_map_create_context (fm);
	pango_cairo_context_set_resolution (c->pango, dpi);
	cairo_font_options_t *fo = cairo_font_options_create ();
	/* Raster: hinted outlines keep small text legible on a 1-bit head; metrics stay linear
	 * so a line breaks in the same place in every format. */
	cairo_font_options_set_hint_metrics (fo, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_hint_style (fo, label_canvas_raster (c) ? CAIRO_HINT_STYLE_SLIGHT : CAIRO_HINT_STYLE_NONE);
	/* A thermal head has no grey: glyphs drawn 1-bit are what it would print anyway. */
	if (label_canvas_raster (c))
		cairo_font_options_set_antialias (fo, CAIRO_ANTIALIAS_NONE);
	pango_cairo_context_set_font_options (c->pango, fo);
	cairo_font_options_destroy (fo);
	c->layout = pango_layout_new (c->pango);
	return c;
}

void
label_canvas_destroy (struct label_canvas **self_p)
{
	struct label_canvas *c = *self_p;
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->nfonts; i++) {
		free (c->fonts[i].name);
		pango_font_description_free (c->fonts[i].desc);
	}
	g_object_unref (c->layout);
	g_object_unref (c->pango);
	cairo_destroy (c->cr);
	cairo_surface_destroy (c->surface);
	free (c->base);
	free (c->scratch);
	free (c->doc.data);
	free (c);
	*self_p = NULL;
}

void
label_canvas_origin (struct label_canvas *c, int x, int y)
{
	cairo_translate (c->cr, x - c->ox, y - c->oy);
	c->ox = x;
	c->oy = y;
}

void
label_canvas_save_base (struct label_canvas *c)
{
	if (!label_canvas_raster (c))
		return;
	cairo_surface_flush (c->surface);
	size_t n = (size_t) cairo_image_surface_get_stride (c->surface) * (size_t) c->page_h;
	free (c->base);
	c->base = xmalloc (n);
	memcpy (c->base, cairo_image_surface_get_data (c->surface), n);
}

void
label_canvas_restore_base (struct label_canvas *c)
{
	if (c->base == NULL)
		return;
	cairo_surface_flush (c->surface);
	size_t n = (size_t) cairo_image_surface_get_stride (c->surface) * (size_t) c->page_h;
	memcpy (cairo_image_surface_get_data (c->surface), c->base, n);
	cairo_surface_mark_dirty (c->surface);
}

static bool
label_canvas_little_endian (void)
{
	const uint16_t one = 1;
	return *(const unsigned char *) &one == 1;
}

/* Raster "white" is no ink (clear); PDF white is paint. */
static void
label_canvas_ink (struct label_canvas *c, bool dark)
{
	if (dark) {
		cairo_set_operator (c->cr, CAIRO_OPERATOR_OVER);
		cairo_set_source_rgb (c->cr, 0, 0, 0);
	} else if (label_canvas_raster (c)) {
		cairo_set_operator (c->cr, CAIRO_OPERATOR_CLEAR);
	} else {
		cairo_set_operator (c->cr, CAIRO_OPERATOR_OVER);
		cairo_set_source_rgb (c->cr, 1, 1, 1);
	}
}

/*
 * Raster pages: set or clear whole dots directly. pixman's general path for
 * 1-bit surfaces costs more than the rest of a label together, and every
 * shape here except text and images is a rectangle on whole dots.
 */
static bool
label_canvas_fill_bits (struct label_canvas *c, double x, double y, double w, double h, bool dark)
{
	if (!label_canvas_raster (c) || x != floor (x) || y != floor (y) || w != floor (w) || h != floor (h))
		return false;
	int x0 = (int) x + c->ox, y0 = (int) y + c->oy, x1 = x0 + (int) w, y1 = y0 + (int) h;
	if (x0 < 0)
		x0 = 0;
	if (y0 < 0)
		y0 = 0;
	if (x1 > c->page_w)
		x1 = c->page_w;
	if (y1 > c->page_h)
		y1 = c->page_h;
	if (x0 >= x1 || y0 >= y1)
		return true;
	cairo_surface_flush (c->surface);
	unsigned char *data = cairo_image_surface_get_data (c->surface);
	int stride = cairo_image_surface_get_stride (c->surface);
	bool le = label_canvas_little_endian ();
	/* Bytes wholly inside the span are set at once; the ragged ends bit by bit. */
	int fb = (x0 + 7) / 8, lb = x1 / 8;
	for (int yy = y0; yy < y1; yy++) {
		unsigned char *row = data + (size_t) yy * (size_t) stride;
		if (fb >= lb) {
			for (int xx = x0; xx < x1; xx++) {
				unsigned char bit = (unsigned char) (le ? 1u << (xx & 7) : 0x80u >> (xx & 7));
				row[xx >> 3] = dark ? row[xx >> 3] | bit : row[xx >> 3] & (unsigned char) ~bit;
			}
			continue;
		}
		for (int xx = x0; xx < fb * 8; xx++) {
			unsigned char bit = (unsigned char) (le ? 1u << (xx & 7) : 0x80u >> (xx & 7));
			row[xx >> 3] = dark ? row[xx >> 3] | bit : row[xx >> 3] & (unsigned char) ~bit;
		}
		memset (row + fb, dark ? 0xFF : 0, (size_t) (lb - fb));
		for (int xx = lb * 8; xx < x1; xx++) {
			unsigned char bit = (unsigned char) (le ? 1u << (xx & 7) : 0x80u >> (xx & 7));
			row[xx >> 3] = dark ? row[xx >> 3] | bit : row[xx >> 3] & (unsigned char) ~bit;
		}
	}
	cairo_surface_mark_dirty (c->surface);
	return true;
}

/* Raster: copy row y's dots between x0 and x1 into the h - 1 rows below it. */
static void
label_canvas_copy_down (struct label_canvas *c, int x0, int x1, int y, int h)
{
	x0 += c->ox, x1 += c->ox, y += c->oy;
	if (x0 < 0)
		x0 = 0;
	if (x1 > c->page_w)
		x1 = c->page_w;
	if (y < 0 || x0 >= x1 || h < 2)
		return;
	if (y + h > c->page_h)
		h = c->page_h - y;
	cairo_surface_flush (c->surface);
	unsigned char *data = cairo_image_surface_get_data (c->surface);
	int stride = cairo_image_surface_get_stride (c->surface);
	bool le = label_canvas_little_endian ();
	int fb = x0 / 8, lb = (x1 - 1) / 8;
	/* Masks of the span's bits in its first and last byte. */
	unsigned char fm = 0, lm = 0;
	for (int xx = x0; xx < x1 && xx < (fb + 1) * 8; xx++)
		fm |= (unsigned char) (le ? 1u << (xx & 7) : 0x80u >> (xx & 7));
	for (int xx = lb * 8 > x0 ? lb * 8 : x0; xx < x1; xx++)
		lm |= (unsigned char) (le ? 1u << (xx & 7) : 0x80u >> (xx & 7));
	const unsigned char *src = data + (size_t) y * (size_t) stride;
	for (int yy = y + 1; yy < y + h; yy++) {
		unsigned char *dst = data + (size_t) yy * (size_t) stride;
		dst[fb] = (unsigned char) ((dst[fb] & ~fm) | (src[fb] & fm));
		if (lb > fb) {
			if (lb > fb + 1)
				memcpy (dst + fb + 1, src + fb + 1, (size_t) (lb - fb - 1));
			dst[lb] = (unsigned char) ((dst[lb] & ~lm) | (src[lb] & lm));
		}
	}
	cairo_surface_mark_dirty (c->surface);
}

void
label_canvas_rect (struct label_canvas *c, double x, double y, double w, double h, bool dark)
{
	if (label_canvas_fill_bits (c, x, y, w, h, dark))
		return;
	label_canvas_ink (c, dark);
	cairo_rectangle (c->cr, x, y, w, h);
	cairo_fill (c->cr);
	label_canvas_ink (c, true);
}

void
label_canvas_frame (struct label_canvas *c, double x, double y, double w, double h, double line)
{
	/* Four filled strips inside the box, so a frame is whole dots and never spills out. */
	if (label_canvas_raster (c)) {
		label_canvas_rect (c, x, y, w, line, true);
		label_canvas_rect (c, x, y + h - line, w, line, true);
		label_canvas_rect (c, x, y + line, line, h - 2 * line, true);
		label_canvas_rect (c, x + w - line, y + line, line, h - 2 * line, true);
		return;
	}
	label_canvas_ink (c, true);
	cairo_rectangle (c->cr, x, y, w, line);
	cairo_rectangle (c->cr, x, y + h - line, w, line);
	cairo_rectangle (c->cr, x, y + line, line, h - 2 * line);
	cairo_rectangle (c->cr, x + w - line, y + line, line, h - 2 * line);
	cairo_fill (c->cr);
}

void
label_canvas_line (struct label_canvas *c, double x1, double y1, double x2, double y2, double width)
{
	label_canvas_ink (c, true);
	cairo_set_line_width (c->cr, width);
	cairo_set_line_cap (c->cr, CAIRO_LINE_CAP_SQUARE);
	cairo_move_to (c->cr, x1, y1);
	cairo_line_to (c->cr, x2, y2);
	cairo_stroke (c->cr);
}

static PangoFontDescription *
label_canvas_font (struct label_canvas *c, const char *name)
{
	for (size_t i = 0; i < c->nfonts; i++)
		if (strcmp (c->fonts[i].name, name) == 0)
			return c->fonts[i].desc;
	/* A layout uses a handful of fonts; past the cache's size the last slot is reused. */
	if (c->nfonts == nitems (c->fonts)) {
		c->nfonts--;
		free (c->fonts[c->nfonts].name);
		pango_font_description_free (c->fonts[c->nfonts].desc);
	}
	c->fonts[c->nfonts].name = xstrdup (name);
	c->fonts[c->nfonts].desc = pango_font_description_from_string (name);
	return c->fonts[c->nfonts++].desc;
}

/* Lay text out at size pt (points; 0 keeps the font's own); true if it fits w x h. */
static bool
label_canvas_text_fits (struct label_canvas *c, PangoFontDescription *desc, double pt, double w, double h,
    double *lw, double *lh)
{
	PangoLayout *l = c->layout;
	if (pt > 0) {
		PangoFontDescription *d = pango_font_description_copy_static (desc);
		pango_font_description_set_size (d, (gint) lround (pt * PANGO_SCALE));
		pango_layout_set_font_description (l, d);
		pango_font_description_free (d);
	} else
		pango_layout_set_font_description (l, desc);
	PangoRectangle ink, logical;
	pango_layout_get_extents (l, &ink, &logical);
	*lw = (double) logical.width / PANGO_SCALE;
	*lh = (double) logical.height / PANGO_SCALE;
	return *lh <= h + 0.5 && *lw <= w + 0.5;
}

/* One dot of a raster page's row: set if dark (cleared instead when invert). */
static inline void
label_canvas_dot (unsigned char *row, int x, bool dark, bool invert, bool le)
{
	if (!dark)
		return;
	unsigned char bit = (unsigned char) (le ? 1u << (x & 7) : 0x80u >> (x & 7));
	row[x >> 3] = invert ? row[x >> 3] & (unsigned char) ~bit : row[x >> 3] | bit;
}

/*
 * Draw the canvas's layout with its top-left corner at (x, y): dark, or clearing dots when
 * invert. A PDF takes it as vector text. A raster page has it drawn on a 16-bit scratch
 * of the text's own extent and then set dot by dot: pixman composites 1-bit glyphs onto a
 * 1-bit page only through its general path, scanline by scanline, which cost more than
 * the rest of a label; onto 16-bit it has a fast path. Glyphs are 1-bit either way
 * (antialiasing off), so the dots set are the same.
 */
static void
label_canvas_show (struct label_canvas *c, double x, double y, bool invert)
{
	PangoLayout *l = c->layout;
	if (!label_canvas_raster (c)) {
		cairo_move_to (c->cr, x, y);
		pango_cairo_show_layout (c->cr, l);
		return;
	}
	PangoRectangle ink, logical;
	pango_layout_get_pixel_extents (l, &ink, &logical);
	if (ink.width <= 0 || ink.height <= 0)
		return;
	/* In page dots, with room for what hinting moves by a dot or two. */
	const int margin = 4;
	int x0 = (int) floor (c->ox + x + ink.x) - margin, y0 = (int) floor (c->oy + y + ink.y) - margin;
	int x1 = (int) ceil (c->ox + x + ink.x + ink.width) + margin;
	int y1 = (int) ceil (c->oy + y + ink.y + ink.height) + margin;
	x0 = x0 < 0 ? 0 : x0;
	y0 = y0 < 0 ? 0 : y0;
	x1 = x1 > c->page_w ? c->page_w : x1;
	y1 = y1 > c->page_h ? c->page_h : y1;
	if (x0 >= x1 || y0 >= y1)
		return;
	int w = x1 - x0, h = y1 - y0;
	int stride = cairo_format_stride_for_width (CAIRO_FORMAT_RGB16_565, w);
	size_t need = (size_t) stride * (size_t) h;
	if (need > c->scratch_size) {
		free (c->scratch);
		c->scratch = xmalloc (need);
		c->scratch_size = need;
	}
	memset (c->scratch, 0xFF, need);
	cairo_surface_t *s = cairo_image_surface_create_for_data (c->scratch, CAIRO_FORMAT_RGB16_565, w, h, stride);
	cairo_surface_set_device_offset (s, -x0, -y0);
	cairo_t *cr = cairo_create (s);
	cairo_translate (cr, c->ox, c->oy);
	cairo_set_source_rgb (cr, 0, 0, 0);
	cairo_move_to (cr, x, y);
	pango_cairo_show_layout (cr, l);
	cairo_destroy (cr);
	cairo_surface_finish (s);
	cairo_surface_destroy (s);

	cairo_surface_flush (c->surface);
	unsigned char *data = cairo_image_surface_get_data (c->surface);
	int pstride = cairo_image_surface_get_stride (c->surface);
	bool le = label_canvas_little_endian ();
	/* Dark where the green's top bit is clear (under half its light); eight dots a byte of the
	 * page where the span covers whole bytes, the ends dot by dot. */
	for (int yy = 0; yy < h; yy++) {
		const uint16_t *src = (const uint16_t *) (const void *) (c->scratch + (size_t) yy * (size_t) stride);
		unsigned char *row = data + (size_t) (y0 + yy) * (size_t) pstride;
		int px = x0;
		for (; px < x1 && (px & 7); px++)
			label_canvas_dot (row, px, !(src[px - x0] & 0x0400), invert, le);
		for (; px + 8 <= x1; px += 8) {
			/* Most of a text's box is paper: eight white dots are two words of ones. */
			uint64_t paper[2];
			memcpy (paper, src + (px - x0), sizeof paper);
			if ((paper[0] & paper[1]) == UINT64_MAX)
				continue;
			unsigned char bits = 0;
			for (int k = 0; k < 8; k++)
				if (!(src[px - x0 + k] & 0x0400))
					bits |= (unsigned char) (le ? 1u << k : 0x80u >> k);
			row[px >> 3] = invert ? row[px >> 3] & (unsigned char) ~bits : row[px >> 3] | bits;
		}
		for (; px < x1; px++)
			label_canvas_dot (row, px, !(src[px - x0] & 0x0400), invert, le);
	}
	cairo_surface_mark_dirty (c->surface);
}

/*
 * The characters no face of the configuration has (each once, as UTF-8), or NULL when every
 * one is drawn by a real glyph. pango marks a character it found no font for with
 * PANGO_GLYPH_UNKNOWN_FLAG and the character itself: that glyph would print as a box.
 */
static char *
label_canvas_missing (PangoLayout *l)
{
	if (pango_layout_get_unknown_glyphs_count (l) == 0)
		return NULL;
	GString *out = g_string_new (NULL);
	PangoLayoutIter *it = pango_layout_get_iter (l);
	do {
		PangoLayoutRun *run = pango_layout_iter_get_run_readonly (it);
		for (int i = 0; run && i < run->glyphs->num_glyphs && out->len < 64; i++) {
			PangoGlyph g = run->glyphs->glyphs[i].glyph;
			if (!(g & PANGO_GLYPH_UNKNOWN_FLAG))
				continue;
			char u[8] = { 0 };
			g_unichar_to_utf8 (g & ~PANGO_GLYPH_UNKNOWN_FLAG, u);
			if (strstr (out->str, u) == NULL)
				g_string_append (out, u);
		}
	} while (pango_layout_iter_next_run (it));
	pango_layout_iter_free (it);
	return g_string_free (out, FALSE);
}

int
label_canvas_text (struct label_canvas *c, const char *text, const char *font, double min_pt, double x,
    double y, double w, double h, enum label_align align, bool invert, bool nowrap, double *pt,
    double *need_w, double *need_h, char **missing)
{
	static const PangoAlignment aligns[] = {
		[LABEL_ALIGN_LEFT] = PANGO_ALIGN_LEFT,
		[LABEL_ALIGN_CENTER] = PANGO_ALIGN_CENTER,
		[LABEL_ALIGN_RIGHT] = PANGO_ALIGN_RIGHT,
	};
	PangoLayout *l = c->layout;
	PangoFontDescription *desc = label_canvas_font (c, font);
	pango_layout_set_width (l, nowrap ? -1 : (int) (w * PANGO_SCALE));
	pango_layout_set_wrap (l, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_alignment (l, aligns[align]);
	pango_layout_set_text (l, text, -1);
	double lw, lh, size = (double) pango_font_description_get_size (desc) / PANGO_SCALE;
	*pt = size;
	bool fits = label_canvas_text_fits (c, desc, 0, w, h, &lw, &lh);
	*need_w = lw;
	*need_h = lh;
	if ((*missing = label_canvas_missing (l)) != NULL)
		return LABEL_TEXT_NO_GLYPH;
	if (!fits) {
		/* Too big at its own size: the largest size, in quarter points down to the floor,
		 * that fits. Wrapping makes fit all but monotonic in the size, so halving is safe. */
		if (size <= min_pt || !label_canvas_text_fits (c, desc, min_pt, w, h, &lw, &lh)) {
			*need_w = lw;
			*need_h = lh;
			return LABEL_TEXT_TOO_BIG;
		}
		double lo = min_pt, hi = size;
		while (hi - lo > 0.25) {
			double mid = (lo + hi) / 2;
			if (label_canvas_text_fits (c, desc, mid, w, h, &lw, &lh))
				lo = mid;
			else
				hi = mid;
		}
		label_canvas_text_fits (c, desc, lo, w, h, &lw, &lh);
		*pt = lo;
	}
	*need_w = lw;
	*need_h = lh;
	if (invert) {
		label_canvas_rect (c, x, y, w, h, true);
		label_canvas_ink (c, false);
	}
	double dx = 0, dy = invert ? (h - lh) / 2 : 0;
	if (nowrap && align == LABEL_ALIGN_CENTER)
		dx = (w - lw) / 2;
	else if (nowrap && align == LABEL_ALIGN_RIGHT)
		dx = w - lw;
	label_canvas_show (c, x + dx, y + dy, invert);
	label_canvas_ink (c, true);
	return 0;
}

double
label_canvas_font_size (struct label_canvas *c, const char *font)
{
	return (double) pango_font_description_get_size (label_canvas_font (c, font)) / PANGO_SCALE;
}

int
label_canvas_cell (struct label_canvas *c, const char *text, const char *font, double pt, double x, double y,
    double w, enum label_align align, bool draw, double *height, char **missing)
{
	static const PangoAlignment aligns[] = {
		[LABEL_ALIGN_LEFT] = PANGO_ALIGN_LEFT,
		[LABEL_ALIGN_CENTER] = PANGO_ALIGN_CENTER,
		[LABEL_ALIGN_RIGHT] = PANGO_ALIGN_RIGHT,
	};
	PangoLayout *l = c->layout;
	PangoFontDescription *desc = label_canvas_font (c, font);
	pango_layout_set_width (l, (int) (w * PANGO_SCALE));
	pango_layout_set_wrap (l, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_alignment (l, aligns[align]);
	pango_layout_set_text (l, text, -1);
	double lw;
	label_canvas_text_fits (c, desc, pt, w, 1e9, &lw, height);
	if ((*missing = label_canvas_missing (l)) != NULL)
		return LABEL_TEXT_NO_GLYPH;
	if (draw)
		label_canvas_show (c, x, y, false);
	return 0;
}

void
label_canvas_matrix (struct label_canvas *c, const struct label_matrix *m, int x, int y, int mw, int mh,
    int height)
{
	int qx = m->quiet * mw, qy = m->linear ? 0 : m->quiet * mh;
	int sym_w = m->cols * mw, sym_h = m->linear ? height : m->rows * mh;
	label_canvas_rect (c, x - qx, y - qy, sym_w + 2 * qx, sym_h + 2 * qy, false);
	if (label_canvas_raster (c)) {
		for (int r = 0; r < m->rows; r++) {
			const unsigned char *row = m->dark + (size_t) r * (size_t) m->cols;
			int ry = y + r * mh, rh = m->linear ? 1 : mh;
			for (int i = 0; i < m->cols;) {
				int j = i;
				while (j < m->cols && row[j] == row[i])
					j++;
				if (row[i])
					label_canvas_fill_bits (c, x + i * mw, ry, (j - i) * mw, rh, true);
				i = j;
			}
		}
		/* A linear symbol's rows are all alike: draw one, copy it down. */
		if (m->linear)
			label_canvas_copy_down (c, x - qx, x + sym_w + qx, y, height);
		return;
	}
	label_canvas_ink (c, true);
	cairo_save (c->cr);
	if (m->raster) {
		/* A raster symbol (MaxiCode's hexagons) is a stencil of its dots: as rectangles it would be
		 * thousands of them, which cost the PDF more than the rest of the label. */
		cairo_surface_t *mask = cairo_image_surface_create (CAIRO_FORMAT_A8, m->cols, m->rows);
		cairo_surface_flush (mask);
		unsigned char *d = cairo_image_surface_get_data (mask);
		int ds = cairo_image_surface_get_stride (mask);
		for (int r = 0; r < m->rows; r++)
			for (int i = 0; i < m->cols; i++)
				d[(size_t) r * (size_t) ds + (size_t) i] = m->dark[(size_t) r * (size_t) m->cols + (size_t) i] ? 255 : 0;
		cairo_surface_mark_dirty (mask);
		cairo_translate (c->cr, x, y);
		cairo_scale (c->cr, mw, mh);
		cairo_pattern_t *pat = cairo_pattern_create_for_surface (mask);
		cairo_pattern_set_filter (pat, CAIRO_FILTER_NEAREST);
		cairo_mask (c->cr, pat);
		cairo_pattern_destroy (pat);
		cairo_surface_destroy (mask);
		cairo_restore (c->cr);
		return;
	}
	cairo_set_antialias (c->cr, CAIRO_ANTIALIAS_NONE);
	for (int r = 0; r < m->rows; r++) {
		const unsigned char *row = m->dark + (size_t) r * (size_t) m->cols;
		int ry = y + r * mh, rh = m->linear ? height : mh;
		for (int i = 0; i < m->cols;) {
			if (!row[i]) {
				i++;
				continue;
			}
			int j = i;
			while (j < m->cols && row[j])
				j++;
			cairo_rectangle (c->cr, x + i * mw, ry, (j - i) * mw, rh);
			i = j;
		}
	}
	cairo_fill (c->cr);
	cairo_restore (c->cr);
}

int
label_canvas_image (struct label_canvas *c, const char *path, double x, double y, double w, double h,
    char **cause)
{
	cairo_surface_t *img = cairo_image_surface_create_from_png (path);
	if (cairo_surface_status (img) != CAIRO_STATUS_SUCCESS) {
		*cause = xasprintf ("cannot read image %s: %s", path,
		    cairo_status_to_string (cairo_surface_status (img)));
		cairo_surface_destroy (img);
		return -1;
	}
	/* Dark pixels become ink: a logo prints as a mask of its luminance. */
	int iw = cairo_image_surface_get_width (img), ih = cairo_image_surface_get_height (img);
	cairo_surface_t *mask = cairo_image_surface_create (CAIRO_FORMAT_A8, iw, ih);
	cairo_surface_t *argb = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, iw, ih);
	cairo_t *t = cairo_create (argb);
	cairo_set_source_rgb (t, 1, 1, 1);
	cairo_paint (t);
	cairo_set_source_surface (t, img, 0, 0);
	cairo_paint (t);
	cairo_destroy (t);
	cairo_surface_flush (argb);
	cairo_surface_flush (mask);
	const unsigned char *src = cairo_image_surface_get_data (argb);
	unsigned char *dst = cairo_image_surface_get_data (mask);
	int ss = cairo_image_surface_get_stride (argb), ds = cairo_image_surface_get_stride (mask);
	for (int yy = 0; yy < ih; yy++)
		for (int xx = 0; xx < iw; xx++) {
			uint32_t px;
			memcpy (&px, src + yy * ss + xx * 4, 4);
			unsigned lum = (((px >> 16) & 255) * 77 + ((px >> 8) & 255) * 150 + (px & 255) * 29) >> 8;
			dst[yy * ds + xx] = (unsigned char) (255 - lum);
		}
	cairo_surface_mark_dirty (mask);
	double s = w / iw < h / ih ? w / iw : h / ih;
	cairo_save (c->cr);
	cairo_translate (c->cr, x + (w - iw * s) / 2, y + (h - ih * s) / 2);
	cairo_scale (c->cr, s, s);
	label_canvas_ink (c, true);
	cairo_mask_surface (c->cr, mask, 0, 0);
	cairo_restore (c->cr);
	cairo_surface_destroy (mask);
	cairo_surface_destroy (argb);
	cairo_surface_destroy (img);
	return 0;
}

int
label_canvas_page (struct label_canvas *c, struct label_buf *out, char **cause)
{
	if (c->format == LABEL_FORMAT_PDF) {
		cairo_show_page (c->cr);
		return 0;
	}
	cairo_surface_flush (c->surface);
	/* cairo's A1 puts the first pixel in the low bit on little-endian machines. */
	if (c->format == LABEL_FORMAT_PNG)
		return label_png_write (cairo_image_surface_get_data (c->surface), c->page_w, c->page_h,
		    cairo_image_surface_get_stride (c->surface), label_canvas_little_endian (), out, cause);

	/* cairo's A1 puts the first pixel in the low bit on little-endian machines. */
	label_zpl_page (cairo_image_surface_get_data (c->surface), c->page_w, c->page_h,
	    cairo_image_surface_get_stride (c->surface), label_canvas_little_endian (), out);
	return 0;
}

int
label_canvas_finish (struct label_canvas *c, struct label_buf *out, char **cause)
{
	if (c->format != LABEL_FORMAT_PDF)
		return 0;
	cairo_surface_finish (c->surface);
	cairo_status_t st = cairo_surface_status (c->surface);
	if (st != CAIRO_STATUS_SUCCESS) {
		*cause = xasprintf ("PDF output failed: %s", cairo_status_to_string (st));
		return -1;
	}
	*out = c->doc;
	c->doc.data = NULL;
	c->doc.len = 0;
	return 0;
}

void
label_shutdown (void)
{
	/* This thread's font map and its caches; the configuration lives until exit. */
	g_private_replace (&label_canvas_fontmap_key, NULL);
	label_text_shutdown ();
}

/*
 * fontconfig keeps its configuration until exit and frees it only in FcFini,
 * which pango does not expose; cairo 1.16's CFF subsetter (a CJK face in a PDF,
 * while cairo_surface_finish writes it) keeps 768 bytes of every such PDF and
 * never frees them (doc/security.md, Valgrind). Tell LeakSanitizer (when
 * built with it) that neither is ours to free: the stack it records ends in the
 * library itself (built without frame pointers), so only the library's name can
 * say so.
 */
const char *__lsan_default_suppressions (void);

const char *
__lsan_default_suppressions (void)
{
	return "leak:libfontconfig.so\nleak:libcairo.so\n";
}
