/*
 * hub-print.h: label jobs from the hub to the station printers.
 *
 * A label is rendered and stored in label_jobs inside the transaction that
 * labels the parcel, so it is never lost; it is sent to CUPS only after that
 * transaction has committed (hub_print_pump, run by the loop), so a label is
 * never printed for a parcel that was rolled back. Each job is followed to
 * its end; what happens to it reaches the terminal that asked as an EVENT
 * (topic "print"). A job that fails is kept until it is reprinted,
 * redirected or cancelled by a supervisor; a label prints again only when
 * someone asks for a reprint.
 */
#ifndef DSP_HUB_PRINT_H
#define DSP_HUB_PRINT_H

#include <stdint.h>

#include "hub.h"

/* Queue a parcel's label for the requesting station (inside the request's transaction).
 * reprint_of: the job this one repeats, or 0. Returns the job id, or -1 on a database failure. */
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

/* Send what waits, follow what is out; run outside any transaction. */
void hub_print_pump (hub_t *hub);
/* At start: jobs caught between "submitting" and a job id are found again by title. */
void hub_print_recover (hub_t *hub);
void hub_print_shutdown (hub_t *hub);

/* Commands (registered in hub-scan.c's table). */
int hub_print_cmd_reprint (struct hub_req *req);
int hub_print_cmd_redirect (struct hub_req *req);
int hub_print_cmd_cancel (struct hub_req *req);
int hub_print_cmd_jobs (struct hub_req *req);
int hub_print_cmd_ticket (struct hub_req *req);

#endif
