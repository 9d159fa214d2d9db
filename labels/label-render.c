/*
 * label-render.c: lay a shipment onto a layout and hand the page to an output.
 *
 * Millimetres become printer dots here. Barcodes are sized in whole dots per
 * module (the X-dimension rounded to the printer's grid) and placed on whole
 * dots, so no bar is a dot wider or narrower than its neighbours.
 *
 * For raster outputs the parts of a layout that do not depend on the shipment
 * (frames, rules, captions, the logo) are drawn once and kept; each label
 * starts from a copy of them. That is most of the page, and most of the time.
 */
#include "config.h"
#include "label-int.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* One raster canvas kept per layout, for the last format/dpi/stock used. */
struct label_cache {
	enum label_format format;
	int dpi;
	const struct label_page_stock *stock;
	struct label_canvas *canvas;
};

void
label_render_cache_free (struct label_layout *layout)
{
	if (layout->cache) {
		label_canvas_destroy (&layout->cache->canvas);
		free (layout->cache);
		layout->cache = NULL;
	}
}

struct label_render_job {
	struct label_layout *layout;
	const struct label_options *opt;
	struct label_canvas *canvas;
	const json_t *shipment;
	char **cause;
	int index;		/* label number in a batch, for messages */
};

static char *
label_render_expand (struct label_render_job *j, const struct label_element *e, const char *tmpl, char **fields)
{
	char *el = xasprintf ("%s '%s' of layout %s", e->type == LABEL_EL_BARCODE ? "barcode" : "text",
	    e->name, j->layout->name);
	struct label_template_ctx ctx = { .shipment = j->shipment, .vars = j->layout->vars, .element = el,
		.isolate = e->type == LABEL_EL_TEXT };
	char *s = label_template_expand (&ctx, tmpl, j->cause);
	if (fields)
		*fields = ctx.fields;
	else
		free (ctx.fields);
	free (el);
	return s;
}

/* Lines left empty by optional fields are dropped, so an address has no gaps. */
static void
label_render_drop_empty_lines (char *s)
{
	char *out = s;
	const char *p = s;
	while (*p) {
		const char *nl = strchr (p, '\n');
		size_t len = nl ? (size_t) (nl - p) : strlen (p);
		bool blank = true;
		for (size_t i = 0; i < len; i++)
			blank = blank && (p[i] == ' ' || p[i] == '\t');
		if (!blank) {
			if (out != s)
				*out++ = '\n';
			memmove (out, p, len);
			out += len;
		}
		p += len + (nl != NULL);
	}
	*out = '\0';
}

/* Text as a person reads it in a message: without the bidi isolates. */
static void
label_render_plain (char *s)
{
	char *q = s;
	for (const char *p = s; *p;) {
		if (strncmp (p, LABEL_FSI, 3) == 0 || strncmp (p, LABEL_PDI, 3) == 0) {
			p += 3;
			continue;
		}
		*q++ = *p++;
	}
	*q = '\0';
}

/*
 * The missing characters, each as 'X' (U+XXXX), and which of the fields
 * (comma-separated paths) hold them.
 */
static void
label_render_missing (const json_t *shipment, const char *fields, const char *missing, char **chars,
    char **where)
{
	struct { char *s; } c = { xstrdup ("") }, w = { xstrdup ("") };
	for (const char *p = missing; *p;) {
		size_t n = 1;
		while ((p[n] & 0xC0) == 0x80)
			n++;
		unsigned long cp = (unsigned char) p[0];
		if (n > 1) {
			cp &= 0xFFu >> (n + 1);
			for (size_t k = 1; k < n; k++)
				cp = (cp << 6) | ((unsigned char) p[k] & 0x3F);
		}
		char *t = xasprintf ("%s%s'%.*s' (U+%04lX)", c.s, *c.s ? ", " : "", (int) n, p, cp);
		free (c.s);
		c.s = t;
		p += n;
	}
	char *copy = xstrdup (fields ? fields : ""), *save = NULL;
	for (char *f = strtok_r (copy, ", ", &save); f; f = strtok_r (NULL, ", ", &save)) {
		char *v = label_template_value_at (shipment, f);
		bool has = false;
		for (const char *p = missing; v && *p && !has;) {
			size_t n = 1;
			while ((p[n] & 0xC0) == 0x80)
				n++;
			char one[8] = { 0 };
			memcpy (one, p, n);
			has = strstr (v, one) != NULL;
			p += n;
		}
		if (has && strstr (w.s, f) == NULL) {
			char *t = xasprintf ("%s%s%s", w.s, *w.s ? ", " : "", f);
			free (w.s);
			w.s = t;
		}
		free (v);
	}
	free (copy);
	*chars = c.s;
	*where = w.s;
}

static int
label_render_text (struct label_render_job *j, const struct label_element *e)
{
	int dpi = j->opt->dpi;
	char *fields = NULL;
	char *text = label_render_expand (j, e, e->text, &fields);
	if (text == NULL) {
		free (fields);
		return -1;
	}
	label_render_drop_empty_lines (text);
	/* Isolates keep numbers in order inside right-to-left text; where there is none they change
	 * nothing but cost the layout its time. */
	if (!label_text_bidi (text))
		label_render_plain (text);
	double pt, need_w, need_h, x = label_page_snap (e->x, dpi), y = label_page_snap (e->y, dpi);
	double w = label_page_snap (e->x + e->w, dpi) - x, h = label_page_snap (e->y + e->h, dpi) - y;
	char *missing = NULL;
	int rc = label_canvas_text (j->canvas, text, e->font, j->opt->no_shrink ? 72 : e->min_font, x, y, w, h,
	    e->align, e->invert, e->nowrap, &pt, &need_w, &need_h, &missing);
	label_render_plain (text);
	if (rc == LABEL_TEXT_NO_GLYPH) {
		char *chars, *where;
		label_render_missing (j->shipment, fields, missing, &chars, &where);
		*j->cause = xasprintf ("%s%s %s characters that no label font can print, %s, in text box '%s' "
		    "of layout %s: write them another way (letters, not emoji or symbols) or leave them out: \"%s\"",
		    *where ? "shipment field " : "", *where ? where : "the layout's own text", *where && strchr (where, ',')
		    ? "hold" : "holds", chars, e->name, j->layout->name, text);
		free (chars);
		free (where);
	} else if (rc < 0)
		*j->cause = xasprintf ("%s%s too long for text box '%s' of layout %s even at its smallest "
		    "size, %g pt (needs %.1f x %.1f mm, the box is %.1f x %.1f mm): \"%s\"",
		    fields ? "shipment field " : "", fields ? fields : "static text is", e->name, j->layout->name,
		    e->min_font, need_w * 25.4 / dpi, need_h * 25.4 / dpi, e->w, e->h, text);
	free (missing);
	free (fields);
	free (text);
	return rc;
}

/*
 * A table: one row per object of the list at e->rows, each column's template
 * filled from its row and wrapped at the column's width; a row is as tall as
 * its tallest cell, so every cell of an item stays on that item's row. The
 * whole table shrinks in quarter points, down to its floor, until it fits.
 */
static int
label_render_table_pass (struct label_render_job *j, const struct label_element *e, const json_t *rows, double pt,
    bool draw, double *total, char **fail)
{
	int dpi = j->opt->dpi;
	double x0 = label_page_snap (e->x, dpi), y = label_page_snap (e->y, dpi), pad = fmax (1, dpi / 127.0);
	/* Cells keep 0.8 mm from their column's edges, so a right-aligned quantity never reads as the
	 * first digit of the HS code beside it. */
	double padx = fmax (1, label_page_snap (0.8, dpi));
	double line = fmax (1, label_page_snap (e->line, dpi));
	size_t i;
	json_t *row;
	*total = 0;
	json_array_foreach (rows, i, row) {
		double rh = 0, x = x0;
		for (int pass = 0; pass < (draw ? 2 : 1); pass++) {
			x = x0;
			for (size_t c = 0; c < e->ncolumns; c++) {
				const struct label_column *col = &e->columns[c];
				struct label_template_ctx ctx = { .shipment = row, .vars = j->layout->vars, .element = e->name,
					.isolate = true };
				char *cause = NULL, *text = label_template_expand (&ctx, col->text, &cause);
				free (ctx.fields);
				if (text == NULL) {
					*fail = xasprintf ("table '%s' of layout %s, row %zu: %s", e->name, j->layout->name, i + 1, cause);
					free (cause);
					return -1;
				}
				if (!label_text_bidi (text))
					label_render_plain (text);
				double w = label_page_snap (col->w, dpi), h = 0;
				char *missing = NULL;
				int rc = label_canvas_cell (j->canvas, text, e->font, pt, x + padx, y + *total + pad, w - 2 * padx,
				    col->align, pass == 1, &h, &missing);
				if (rc < 0) {
					label_render_plain (text);
					*fail = xasprintf ("table '%s' of layout %s, row %zu (%s): characters that no label font "
					    "can print: \"%s\"", e->name, j->layout->name, i + 1, e->rows, text);
					free (missing);
					free (text);
					return -1;
				}
				free (text);
				rh = fmax (rh, h + 2 * pad);
				x += w;
			}
		}
		*total += rh;
		if (draw)
			label_canvas_rect (j->canvas, x0, y + *total - line, x - x0, line, true);
	}
	return 0;
}

static int
label_render_table (struct label_render_job *j, const struct label_element *e)
{
	int dpi = j->opt->dpi;
	const json_t *rows = label_template_lookup_at (j->shipment, e->rows);
	if (!json_is_array (rows)) {
		*j->cause = xasprintf ("shipment field '%s' (table '%s' of layout %s) must be a list of rows", e->rows,
		    e->name, j->layout->name);
		return -1;
	}
	double h = label_page_snap (e->y + e->h, dpi) - label_page_snap (e->y, dpi), total = 0;
	char *fail = NULL;
	double pt = label_canvas_font_size (j->canvas, e->font);
	for (; pt >= e->min_font - 1e-9; pt -= 0.25) {
		if (label_render_table_pass (j, e, rows, pt, false, &total, &fail) < 0) {
			*j->cause = fail;
			return -1;
		}
		if (total <= h || j->opt->no_shrink)
			break;
	}
	if (total > h) {
		*j->cause = xasprintf ("shipment field %s: %zu rows too long for table '%s' of layout %s even at its "
		    "smallest size, %g pt (needs %.1f mm, the table is %.1f mm)", e->rows, json_array_size (rows), e->name,
		    j->layout->name, e->min_font, total * 25.4 / dpi, e->h);
		return -1;
	}
	if (label_render_table_pass (j, e, rows, pt, true, &total, &fail) < 0) {
		*j->cause = fail;
		return -1;
	}
	return 0;
}

static int
label_render_barcode (struct label_render_job *j, const struct label_element *e)
{
	int dpi = j->opt->dpi;
	char *fields = NULL;
	char *data = label_render_expand (j, e, e->data, &fields);
	char *primary = NULL;
	int rc = -1;
	struct label_matrix m = { 0 };
	if (data == NULL)
		goto out;
	if (e->primary && (primary = label_render_expand (j, e, e->primary, NULL)) == NULL)
		goto out;
	int x = (int) label_page_snap (e->x, dpi), y = (int) label_page_snap (e->y, dpi);
	int w = (int) label_page_snap (e->x + e->w, dpi) - x, h = (int) label_page_snap (e->y + e->h, dpi) - y;
	char *why = NULL;
	if (label_zint_encode (e->symbology, data, primary, w < h ? w : h, &m, &why) < 0) {
		*j->cause = xasprintf ("shipment field %s cannot go in barcode '%s' of layout %s: %s",
		    fields ? fields : "(none)", e->name, j->layout->name, why);
		free (why);
		goto out;
	}
	int md = m.raster ? 1 : (int) lround (label_page_dots (e->module, dpi));
	if (md < 1)
		md = 1;
	/* Rounding to the dot grid never takes a bar below the symbology's narrowest. */
	while (!m.raster && md * 25.4 / dpi + 1e-9 < label_zint_min_module (e->symbology))
		md++;
	int q = m.quiet * md;
	int sym_w = m.cols * md, sym_h = m.linear ? h : m.rows * md;
	int need_w = sym_w + 2 * q, need_h = m.linear ? h : sym_h + 2 * q;
	if (need_w > w || need_h > h) {
		*j->cause = xasprintf ("shipment field %s is too long for barcode '%s' of layout %s: the %s "
		    "needs %.1f x %.1f mm with its quiet zone, the box is %.1f x %.1f mm",
		    fields ? fields : "(none)", e->name, j->layout->name, e->symbology,
		    need_w * 25.4 / dpi, need_h * 25.4 / dpi, e->w, e->h);
		goto out;
	}
	int bx = x + q, by = m.linear ? y : y + (h - sym_h) / 2;
	if (e->align == LABEL_ALIGN_CENTER)
		bx = x + (w - sym_w) / 2;
	else if (e->align == LABEL_ALIGN_RIGHT)
		bx = x + w - q - sym_w;
	label_canvas_matrix (j->canvas, &m, bx, by, md, md, h);
	if (j->opt->on_barcode)
		j->opt->on_barcode (j->opt->on_barcode_arg, e->name, e->symbology, data);
	rc = 0;
out:
	label_matrix_free (&m);
	free (fields);
	free (data);
	free (primary);
	return rc;
}

/* Whether the parcel leaves the sender's country (GB unless the shipment says otherwise). */
static bool
label_render_abroad (const json_t *shipment)
{
	const char *to = json_string_value (json_object_get (json_object_get (shipment, "recipient"), "country"));
	const char *from = json_string_value (json_object_get (json_object_get (shipment, "sender"), "country"));
	return to && strcasecmp (to, from ? from : "GB") != 0;
}

static int
label_render_element (struct label_render_job *j, const struct label_element *e)
{
	int dpi = j->opt->dpi;
	if (e->abroad && !label_render_abroad (j->shipment))
		return 0;
	double x = label_page_snap (e->x, dpi), y = label_page_snap (e->y, dpi);
	double w = label_page_snap (e->x + e->w, dpi) - x, h = label_page_snap (e->y + e->h, dpi) - y;
	double line = fmax (1, label_page_snap (e->line, dpi));
	switch (e->type) {
	case LABEL_EL_BOX:
		if (e->fill)
			label_canvas_rect (j->canvas, x, y, w, h, true);
		else
			label_canvas_frame (j->canvas, x, y, w, h, line);
		return 0;
	case LABEL_EL_LINE: {
		double x1 = label_page_snap (e->x, dpi), y1 = label_page_snap (e->y, dpi);
		double x2 = label_page_snap (e->x2, dpi), y2 = label_page_snap (e->y2, dpi);
		double half = floor (line / 2);
		/* Rules along an axis are rectangles of whole dots, centred on the line. */
		if (y1 == y2)
			label_canvas_rect (j->canvas, fmin (x1, x2), y1 - half, fabs (x2 - x1), line, true);
		else if (x1 == x2)
			label_canvas_rect (j->canvas, x1 - half, fmin (y1, y2), line, fabs (y2 - y1), true);
		else
			label_canvas_line (j->canvas, x1, y1, x2, y2, line);
		return 0;
	}
	case LABEL_EL_TEXT:
		return label_render_text (j, e);
	case LABEL_EL_BARCODE:
		return label_render_barcode (j, e);
	case LABEL_EL_IMAGE:
		return label_canvas_image (j->canvas, e->file, x, y, w, h, j->cause);
	case LABEL_EL_TABLE:
		return label_render_table (j, e);
	}
	return 0;
}

/* Draw the elements whose static flag is 'which'. */
static int
label_render_pass (struct label_render_job *j, bool which)
{
	for (size_t i = 0; i < j->layout->nelements; i++) {
		const struct label_element *e = &j->layout->elements[i];
		if (e->is_static == which && label_render_element (j, e) < 0)
			return -1;
	}
	return 0;
}

/* The canvas for this format/dpi/stock: the cached raster one, or a new one. */
static struct label_canvas *
label_render_canvas (struct label_render_job *j, const struct label_page_stock *stock, bool *fresh,
    char **cause)
{
	struct label_layout *l = j->layout;
	const struct label_options *opt = j->opt;
	struct label_cache *c = l->cache;
	*fresh = false;
	if (opt->format != LABEL_FORMAT_PDF && c && c->format == opt->format && c->dpi == opt->dpi
	    && c->stock == stock)
		return c->canvas;
	if (stock->w + 1e-6 < l->width || stock->h + 1e-6 < l->height) {
		*cause = xasprintf ("layout %s is %gx%g mm and does not fit %s stock (%gx%g mm)", l->name,
		    l->width, l->height, stock->name, stock->w, stock->h);
		return NULL;
	}
	struct label_page page;
	label_page_place (l, stock, opt->dpi, &page);
	struct label_canvas *canvas = label_canvas_new (opt->format, opt->dpi, page.width, page.height, cause);
	if (canvas == NULL)
		return NULL;
	label_canvas_origin (canvas, page.ox, page.oy);
	*fresh = true;
	if (opt->format == LABEL_FORMAT_PDF)
		return canvas;
	label_render_cache_free (l);
	l->cache = xcalloc (1, sizeof *l->cache);
	l->cache->format = opt->format;
	l->cache->dpi = opt->dpi;
	l->cache->stock = stock;
	l->cache->canvas = canvas;
	return canvas;
}

static int
label_render_one (struct label_render_job *j, struct label_buf *out)
{
	bool raster = j->opt->format != LABEL_FORMAT_PDF;
	if (raster)
		label_canvas_restore_base (j->canvas);
	else if (label_render_pass (j, true) < 0)
		return -1;
	if (label_render_pass (j, false) < 0)
		return -1;
	return label_canvas_page (j->canvas, out, j->cause);
}

int
label_render (struct label_layout *layout, const json_t *shipment, const struct label_options *opt,
    struct label_buf *out, char **cause)
{
	out->data = NULL;
	out->len = 0;
	if (label_options_check (opt, cause) < 0)
		return -1;
	const char *stock_name = opt->stock ? opt->stock : layout->stock;
	const struct label_page_stock *stock = label_page_find (stock_name);
	if (stock == NULL) {
		*cause = xasprintf ("layout %s: unknown stock '%s'", layout->name, stock_name);
		return -1;
	}
	size_t n = json_is_array (shipment) ? json_array_size (shipment) : 1;
	if (!json_is_object (shipment) && !(json_is_array (shipment) && n > 0)) {
		*cause = xstrdup ("a shipment is a JSON object (or a non-empty list of them)");
		return -1;
	}
	if (opt->format == LABEL_FORMAT_PNG && n > 1) {
		*cause = xasprintf ("a PNG holds one label, and %zu shipments were given: use pdf or zpl", n);
		return -1;
	}
	struct label_render_job j = { .layout = layout, .opt = opt, .cause = cause };
	bool fresh;
	j.canvas = label_render_canvas (&j, stock, &fresh, cause);
	if (j.canvas == NULL)
		return -1;
	if (fresh && opt->format != LABEL_FORMAT_PDF) {
		/* Static elements need no shipment; an empty one makes any stray field an error. */
		json_t *empty = json_object ();
		j.shipment = empty;
		int rc = label_render_pass (&j, true);
		json_decref (empty);
		if (rc < 0) {
			label_render_cache_free (layout);
			return -1;
		}
		label_canvas_save_base (j.canvas);
	}
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		j.shipment = json_is_array (shipment) ? json_array_get (shipment, i) : shipment;
		j.index = (int) i;
		if (!json_is_object (j.shipment)) {
			*cause = xasprintf ("shipment %zu of %zu is not a JSON object", i + 1, n);
			rc = -1;
			break;
		}
		rc = label_render_one (&j, out);
		if (rc < 0 && n > 1) {
			char *c = xasprintf ("shipment %zu of %zu: %s", i + 1, n, *cause);
			free (*cause);
			*cause = c;
		}
	}
	if (rc == 0 && opt->format == LABEL_FORMAT_PDF)
		rc = label_canvas_finish (j.canvas, out, cause);
	if (opt->format == LABEL_FORMAT_PDF)
		label_canvas_destroy (&j.canvas);
	if (rc == 0 && opt->verify) {
		/* What was drawn is read back before anyone may print it. */
		struct label_options vopt = *opt;
		vopt.verify = false;
		vopt.on_barcode = NULL;
		rc = label_verify (layout, shipment, &vopt, out, cause);
	}
	if (rc < 0) {
		free (out->data);
		out->data = NULL;
		out->len = 0;
	}
	return rc;
}

int
label_render_kv (struct label_layout *layout, const char *const *pairs, const struct label_options *opt,
    struct label_buf *out, char **cause)
{
	json_t *root = json_object ();
	for (const char *const *p = pairs; p[0] && p[1]; p += 2) {
		json_t *o = root;
		char *key = xstrdup (p[0]), *save = NULL;
		char *part = strtok_r (key, ".", &save);
		while (part) {
			char *next = strtok_r (NULL, ".", &save);
			if (next == NULL) {
				json_object_set_new (o, part, json_string (p[1]));
				break;
			}
			json_t *child = json_object_get (o, part);
			if (!json_is_object (child)) {
				child = json_object ();
				json_object_set_new (o, part, child);
			}
			o = child;
			part = next;
		}
		free (key);
	}
	int rc = label_render (layout, root, opt, out, cause);
	json_decref (root);
	return rc;
}
