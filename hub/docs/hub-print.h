/*
 * hub-print.h: print jobs, as a request queues them.
 *
 * A label is drawn (by the draw worker, before the request that labels the
 * parcel is decided) and stored in label_jobs inside the transaction that
 * labels the parcel, so it is never lost and never reported before it
 * exists; it is sent to CUPS only after that
 * transaction has committed (by the print spooler, loop/hub-spool.h), so a
 * label is never printed for a parcel that was rolled back. Documents
 * (despatch tickets, customs papers, collection receipts) are queued the
 * same way. Job states are written here (queued, or failed when a document
 * could not be drawn) and from then on by the spooler alone; the print commands
 * (flow/flow-print.c) ask it for a reprint, a redirect or a cancel by
 * changing a job's state in the request's transaction.
 */
#ifndef DSP_HUB_PRINT_H
#define DSP_HUB_PRINT_H

#include <stdint.h>

#include "hub/req/hub-req.h"

/* Queue a parcel's label for the requesting station (inside the request's
 * transaction), drawn and read back first (the draw worker: the request
 * runs again once it is drawn). reprint_of: the job this one repeats, or 0.
 * Returns the job id; 0 when the label cannot be drawn (nothing queued, and
 * the reply is filled: REFUSED BAD_DATA naming the field and what to do);
 * -1 on a database failure. */
int64_t hub_print_label (struct hub_req *req, int64_t parcel_id, int64_t reprint_of, const char *printer);
/* A document job that belongs to an order or a manifest (despatch ticket, customs
 * paper, collection receipt). data NULL means it could not be drawn: the job is
 * kept as failed with cause, for a reprint. Strings are copied. */
struct hub_print_doc {
	const char *order_ref;  /* the order it belongs to, or NULL */
	int64_t manifest_id;    /* or the manifest, or 0 */
	const char *kind;       /* "ticket", "customs", "receipt" */
	const char *format;     /* "zpl" (label printer) or "pdf" (document printer) */
	const char *title;      /* names it in CUPS */
	const char *station;    /* NULL: the requesting terminal's */
	const char *printer;    /* NULL: the station's printer for the format */
	const uint8_t *data;
	size_t size;
	const char *cause;
};
/* Queue it inside the request's transaction; the job id, or -1 on a database failure. */
int64_t hub_print_document (struct hub_req *req, const struct hub_print_doc *doc);

#endif
