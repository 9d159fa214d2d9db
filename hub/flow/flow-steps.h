/*
 * flow-steps.h: the handlers, one file per step or family of commands
 * (hub/flow/flow-*.c), each a hub_handler_fn (req/hub-req.h) registered in
 * the tables of cmd/hub-scan.c. They use the request layer (req/hub-req.h,
 * req/flow.h) and the print jobs and documents (hub/docs), never the loop.
 */
#ifndef DSP_FLOW_STEPS_H
#define DSP_FLOW_STEPS_H

#include <stdbool.h>
#include <stdint.h>

#include "hub/req/hub-req.h"

/* flow-receive.c: step "receive", the despatch ticket arrives. */
int flow_receive (struct hub_req *req);
/* flow-locate.c: step "locate", each line's location and item. */
int flow_locate (struct hub_req *req);
/* flow-pack.c: steps "pack" and "verify", command "label". */
int flow_pack (struct hub_req *req);
int flow_pack_verify (struct hub_req *req);
int flow_pack_label (struct hub_req *req);
/* flow-scanout.c: steps "cage" and "scanout". */
int flow_scanout_cage (struct hub_req *req);
int flow_scanout (struct hub_req *req);
/* flow-enquiry.c: step "enquiry". */
int flow_enquiry (struct hub_req *req);
/* flow-hold.c: commands "hold", "release", "ack", "note", "price", "release-part". */
int flow_hold (struct hub_req *req);
int flow_hold_release (struct hub_req *req);
int flow_hold_ack (struct hub_req *req);
int flow_hold_note (struct hub_req *req);
int flow_hold_price (struct hub_req *req);
int flow_hold_release_part (struct hub_req *req);
/* flow-undo.c: command "undo". */
int flow_undo (struct hub_req *req);
/* flow-closeout.c: commands "closeout-preview", "closeout", "closeout-reopen", "track". */
int flow_closeout_preview (struct hub_req *req);
int flow_closeout (struct hub_req *req);
int flow_closeout_reopen (struct hub_req *req);
int flow_closeout_track (struct hub_req *req);
/* The system command "autoclose" carrier (code = the carrier): the hub's own
 * close-out at the carrier's cut-off, audited as an "autoclose" event. */
int flow_closeout_auto (struct hub_req *req);
/* flow-carrier.c: "override" order carrier service reason, a supervisor's
 * choice for the order (carrier "rules" clears it); "quote" order [weight],
 * every service's price, eligible and cheapest first, as quote.N data. */
int flow_carrier_override (struct hub_req *req);
int flow_carrier_quote (struct hub_req *req);
/* flow-print.c and flow-super.c: a redirect, cancel or replacing reprint records who asked
 * for it with the job, so that what becomes of it is told to that terminal too
 * (loop/hub-spool.c). FLOW_PRINT_ASKED goes in the UPDATE's SET, with no other
 * parameter at 8 or 9; flow_print_bind_asked binds them (terminal, badge). */
#define FLOW_PRINT_ASKED "asked_terminal = ?8, asked_by = ?9, "
void flow_print_bind_asked (struct hub_req *req, db_stmt_t *st);
/* The status a cancel leaves a job in, as an UPDATE's value: "cancelling" wherever CUPS has it or may have it
 * (a CUPS job, or sent under a name and not yet answered: the spooler cancels it there, or looks for it by
 * name first), else "cancelled". A job marked cancelled while CUPS holds it would print all the same. */
/* And the status a redirect leaves it in: "redirect" wherever CUPS has it or may have it (the spooler moves it
 * there, or looks for it by name first), else "queued", to be sent anew. */
#define FLOW_PRINT_REDIRECT_STATUS \
	"CASE WHEN coalesce (cups_job, 0) > 0 AND status IN ('submitted', 'offline') THEN 'redirect'" \
	" WHEN status = 'submitting' AND coalesce (ident, '') <> '' THEN 'redirect' ELSE 'queued' END"
#define FLOW_PRINT_CANCEL_STATUS \
	"CASE WHEN coalesce (cups_job, 0) > 0 AND status NOT IN ('failed') THEN 'cancelling'" \
	" WHEN status = 'submitting' AND coalesce (ident, '') <> '' THEN 'cancelling' ELSE 'cancelled' END"
/* A copy that replaces the job kept unprinted: it stays kept's terminal's, asked for by req's (when another). */
int flow_print_copy_owner (struct hub_req *req, int64_t kept, int64_t copy);
/* flow-print.c: commands "reprint", "redirect", "print-cancel", "print-jobs", "ticket". */
int flow_print_reprint (struct hub_req *req);
int flow_print_redirect (struct hub_req *req);
int flow_print_cancel (struct hub_req *req);
int flow_print_jobs (struct hub_req *req);
int flow_print_ticket (struct hub_req *req);

/* flow-label.c: choose carrier/service, allocate SSCC and tracking number,
 * issue the label (pack and label use it). 0 labelled, 1 refused (reply
 * filled: RANGE_EXHAUSTED or no service), -1 database. *low is set when a
 * range ran low. */
int flow_label_parcel (struct hub_req *req, int64_t parcel_id, bool *low);
/* A document job queued by this request (customs paper, receipt) into the reply as KEY_title,
 * KEY_state (queued, or failed with KEY_error), KEY_printer (the station's document printer). */
void flow_label_document (struct hub_req *req, int64_t job, const char *key);

#endif
