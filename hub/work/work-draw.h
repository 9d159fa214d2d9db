/*
 * work-draw.h: the draw worker: documents drawn from a layout and the data
 * they show (labels, despatch tickets, customs papers, collection
 * receipts), then read back: a label whose barcodes do not read back as
 * the data they should carry is refused here, so it is never reported
 * drawn and never sent to a printer.
 *
 * Each thread keeps its own cache of layouts (loaded on first use, kept
 * for the life of the hub) and frees it when it stops; the loop never
 * draws. Data comes as JSON text and the document goes back as bytes, so
 * the thread shares nothing with the loop.
 */
#ifndef DSP_WORK_DRAW_H
#define DSP_WORK_DRAW_H

#include <stddef.h>
#include <stdint.h>

#include "work.h"

struct work_draw_job {
	struct work_job base;
	/* asked */
	char *layout;        /* layout name (the carrier's, "ticket", "receipt", "cn22"...) */
	char *format;        /* "zpl", "pdf" or "png" */
	int dpi;
	char *json;          /* the shipment (or document) data */
	/* answered */
	int rc;              /* 0 drawn and read back; -1 not drawn (the data), -2 drawn but it does not read back: cause */
	uint8_t *data;
	size_t size;
	char *cause;
};

work_t *work_draw_new (int threads, char **cause);
/* The strings are copied. */
struct work_draw_job *work_draw_job_new (const char *layout, const char *format, int dpi, const char *json);
void work_draw_job_free (struct work_draw_job **job_p);

#endif
