/*
 * label-page.c: where a label sits, for drawing it (label-render.c) and for
 * reading it back (label-verify.c): the stocks, resolutions and formats we
 * print, the page a layout takes on its stock, an element's box in printer
 * dots, and the data a barcode element carries for a shipment.
 */
#include "config.h"
#include "label-int.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct label_page_stock label_page_stocks[] = {
	{ "4x6", 101.6, 152.4 },
	{ "a6", 105.0, 148.0 },
	{ "100x150", 100.0, 150.0 },
	{ "a4", 210.0, 297.0 },
};

static const int label_page_dpis[] = { 203, 300, 600 };

static const char *const label_page_formats[] = {
	[LABEL_FORMAT_ZPL] = "zpl", [LABEL_FORMAT_PDF] = "pdf", [LABEL_FORMAT_PNG] = "png",
};

int
label_format_parse (const char *name)
{
	for (size_t i = 0; i < nitems (label_page_formats); i++)
		if (strcmp (label_page_formats[i], name) == 0)
			return (int) i;
	return -1;
}

const struct label_page_stock *
label_page_find (const char *name)
{
	for (size_t i = 0; i < nitems (label_page_stocks); i++)
		if (strcasecmp (label_page_stocks[i].name, name) == 0)
			return &label_page_stocks[i];
	return NULL;
}

int
label_options_check (const struct label_options *opt, char **cause)
{
	bool dpi_ok = false;
	for (size_t i = 0; i < nitems (label_page_dpis); i++)
		dpi_ok = dpi_ok || opt->dpi == label_page_dpis[i];
	if (!dpi_ok) {
		*cause = xasprintf ("resolution %d dpi is not one we print at (203, 300 or 600)", opt->dpi);
		return -1;
	}
	if (opt->stock && label_page_find (opt->stock) == NULL) {
		*cause = xasprintf ("unknown stock '%s' (4x6, a6, 100x150 or a4)", opt->stock);
		return -1;
	}
	if ((unsigned) opt->format >= nitems (label_page_formats)) {
		*cause = xstrdup ("unknown output format");
		return -1;
	}
	return 0;
}

double
label_page_dots (double mm, int dpi)
{
	return mm * dpi / 25.4;
}

double
label_page_snap (double mm, int dpi)
{
	return round (label_page_dots (mm, dpi));
}

void
label_page_place (const struct label_layout *l, const struct label_page_stock *stock, int dpi,
    struct label_page *page)
{
	page->width = (int) floor (label_page_dots (stock->w, dpi));
	page->height = (int) floor (label_page_dots (stock->h, dpi));
	/* A4 sheets carry the label in the top-left corner, where a label sheet's first label sits. */
	if (strcmp (stock->name, "a4") == 0) {
		page->ox = (int) label_page_dots (5, dpi);
		page->oy = (int) label_page_dots (5, dpi);
	} else {
		page->ox = (int) ((page->width - label_page_dots (l->width, dpi)) / 2);
		page->oy = (int) ((page->height - label_page_dots (l->height, dpi)) / 2);
	}
}

int
label_page_of (const struct label_layout *l, const struct label_options *opt, struct label_page *page,
    char **cause)
{
	if (label_options_check (opt, cause) < 0)
		return -1;
	const char *name = opt->stock ? opt->stock : l->stock;
	const struct label_page_stock *stock = label_page_find (name);
	if (stock == NULL) {
		*cause = xasprintf ("layout %s: unknown stock '%s'", l->name, name);
		return -1;
	}
	label_page_place (l, stock, opt->dpi, page);
	return 0;
}

void
label_page_box (const struct label_element *e, int dpi, int *x, int *y, int *w, int *h)
{
	*x = (int) label_page_snap (e->x, dpi);
	*y = (int) label_page_snap (e->y, dpi);
	*w = (int) label_page_snap (e->x + e->w, dpi) - *x;
	*h = (int) label_page_snap (e->y + e->h, dpi) - *y;
}

char *
label_page_data (const struct label_layout *l, const struct label_element *e, const json_t *shipment,
    const char *tmpl, char **cause)
{
	char *el = xasprintf ("barcode '%s' of layout %s", e->name, l->name);
	struct label_template_ctx ctx = { .shipment = shipment, .vars = l->vars, .element = el };
	char *s = label_template_expand (&ctx, tmpl, cause);
	free (ctx.fields);
	free (el);
	return s;
}
