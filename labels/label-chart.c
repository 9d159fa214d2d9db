/* label-chart.c: reports as PDF pages with a bar chart (see label-chart.h); drawn on the canvas of label-cairo.c. */
#include "config.h"
#include "label-chart.h"
#include "label-int.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A4 at 300 dpi, in dots; 15 mm margins. */
#define LC_DPI 300
#define LC_MM(x) ((x) * LC_DPI / 25.4)
#define LC_PAGE_W 2480
#define LC_PAGE_H 3508

static const struct {
	const char *title, *chart, *label, *table;
	double title_h, chart_h, line_h;
} label_chart_style = {
	"DejaVu Sans Bold 18", "DejaVu Sans Bold 11", "DejaVu Sans 7", "DejaVu Sans Mono 8",
	12, 85, 3.6,
};

/* One value as the bar's caption: whole numbers plain, others to one place. */
static void
label_chart_number (double v, char *out, size_t n)
{
	if (v == (double) (long long) v)
		snprintf (out, n, "%lld", (long long) v);
	else
		snprintf (out, n, "%.1f", v);
}

static int
label_chart_text (struct label_canvas *c, const char *text, const char *font, double x, double y, double w, double h,
    enum label_align align, char **cause)
{
	double pt, nw, nh;
	char *missing = NULL;
	int rc = label_canvas_text (c, text, font, LABEL_MIN_FONT_PT, LC_MM (x), LC_MM (y), LC_MM (w), LC_MM (h),
	    align, false, true, &pt, &nw, &nh, &missing);
	if (rc == 0)
		return 0;
	if (rc == LABEL_TEXT_NO_GLYPH)
		*cause = xasprintf ("report text \"%s\" has characters no label font can print: %s", text, missing);
	else
		*cause = xasprintf ("report text does not fit: \"%s\"", text);
	free (missing);
	return -1;
}

/* The bars in a box at (x, y) w x h mm: the tallest fills it, each captioned with its value and label. */
static int
label_chart_bars (struct label_canvas *c, const struct label_chart_page *p, double x, double y, double w, double h,
    char **cause)
{
	if (label_chart_text (c, p->chart_title ? p->chart_title : "", label_chart_style.chart, x, y, w, 6,
	    LABEL_ALIGN_LEFT, cause) != 0)
		return -1;
	double top = y + 10, base = y + h - 8, max = 0;
	for (int i = 0; i < p->nbars; i++)
		if (p->bars[i].value > max)
			max = p->bars[i].value;
	label_canvas_line (c, LC_MM (x), LC_MM (base), LC_MM (x + w), LC_MM (base), LC_MM (0.3));
	double slot = w / p->nbars, bw = slot * 0.6 > 30 ? 30 : slot * 0.6;
	for (int i = 0; i < p->nbars; i++) {
		double bx = x + i * slot + (slot - bw) / 2;
		double bh = max > 0 ? (base - top - 5) * p->bars[i].value / max : 0;
		if (bh > 0)
			label_canvas_rect (c, LC_MM (bx), LC_MM (base - bh), LC_MM (bw), LC_MM (bh), true);
		char num[32], label[24];
		label_chart_number (p->bars[i].value, num, sizeof num);
		snprintf (label, sizeof label, "%.*s", slot < 12 ? 5 : 14, p->bars[i].label);
		if (label_chart_text (c, num, label_chart_style.label, x + i * slot, base - bh - 4, slot, 4,
		    LABEL_ALIGN_CENTER, cause) != 0
		    || label_chart_text (c, label, label_chart_style.label, x + i * slot, base + 1, slot, 4,
		    LABEL_ALIGN_CENTER, cause) != 0)
			return -1;
	}
	return 0;
}

int
label_chart_pdf (const struct label_chart_page *pages, int npages, struct label_buf *out, char **cause)
{
	struct label_canvas *c = label_canvas_new (LABEL_FORMAT_PDF, LC_DPI, LC_PAGE_W, LC_PAGE_H, cause);
	if (c == NULL) {
		out->data = NULL;
		out->len = 0;
		return -1;
	}
	const double left = 15, width = 180, bottom = 282;
	int rc = 0;
	for (int pi = 0; pi < npages && rc == 0; pi++) {
		const struct label_chart_page *p = &pages[pi];
		int next = 1;   /* lines[0] is the table's heading, repeated on every page it runs over */
		bool first = true;
		do {
			double y = 15, lh = label_chart_style.line_h;
			rc = label_chart_text (c, p->title, label_chart_style.title, left, y, width, label_chart_style.title_h,
			    LABEL_ALIGN_LEFT, cause);
			y += label_chart_style.title_h + 2;
			label_canvas_line (c, LC_MM (left), LC_MM (y), LC_MM (left + width), LC_MM (y), LC_MM (0.5));
			y += 4;
			if (rc == 0 && first && p->nbars > 0) {
				rc = label_chart_bars (c, p, left, y, width, label_chart_style.chart_h, cause);
				y += label_chart_style.chart_h + 6;
			}
			if (rc == 0 && p->nlines > 0) {
				rc = label_chart_text (c, p->lines[0], label_chart_style.table, left, y, width, lh, LABEL_ALIGN_LEFT,
				    cause);
				y += lh;
			}
			for (; rc == 0 && next < p->nlines && y + lh <= bottom; next++, y += lh)
				rc = label_chart_text (c, p->lines[next], label_chart_style.table, left, y, width, lh,
				    LABEL_ALIGN_LEFT, cause);
			if (rc == 0)
				rc = label_canvas_page (c, out, cause);
			first = false;
		} while (rc == 0 && next < p->nlines);
	}
	if (rc == 0)
		rc = label_canvas_finish (c, out, cause);
	label_canvas_destroy (&c);
	return rc;
}
