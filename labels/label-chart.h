/*
 * label-chart.h: a supervisor's report as an A4 PDF: a heading, a bar chart
 * from label/value pairs and a table of preformatted lines, drawn through
 * the labels library's canvas (label-cairo.c stays the only file that
 * speaks cairo). Used by "despatch report".
 */
#ifndef DSP_LABEL_CHART_H
#define DSP_LABEL_CHART_H

#include "label.h"

struct label_chart_bar {
	const char *label;    /* under the bar, e.g. "dpd" or "10:00" */
	double value;
};

struct label_chart_page {
	const char *title;          /* "Carriers, 2026-11-22" */
	const char *chart_title;    /* what the bars measure: "Parcels per carrier" */
	const struct label_chart_bar *bars;
	int nbars;                  /* 0: no chart */
	const char *const *lines;   /* the table: monospaced lines, the first its heading */
	int nlines;                 /* more than fit go on following pages under the same title */
};

/* Render the pages as one PDF into *out (caller frees out->data); 0, or -1 and *cause. */
int label_chart_pdf (const struct label_chart_page *pages, int npages, struct label_buf *out, char **cause);

#endif
