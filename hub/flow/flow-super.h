/*
 * flow-super.h: the supervisor's commands (flow-super.c), registered in
 * cmd/hub-scan.c: for every refusal that says "ask a supervisor" there is
 * one here (or in flow-hold.c, flow-closeout.c, flow-print.c) and a screen
 * on the terminal (common/screens.h names them). doc/protocol.md
 * "Supervisor's commands" gives their rows and reasons.
 */
#ifndef DSP_FLOW_SUPER_H
#define DSP_FLOW_SUPER_H

#include "hub/req/hub-req.h"

/* "queue-part": orders waiting for a part-shipment decision (every line
 * settled, some short or damaged, none released), with what is short. */
int flow_super_queue_part (struct hub_req *req);
/* "locked": badges locked after wrong PINs, and badges with wrong PINs counted. */
int flow_super_locked (struct hub_req *req);
/* "unlock" badge reason: lift a lockout (audited). */
int flow_super_unlock (struct hub_req *req);
/* "job-list" [station] [done]: print jobs of any kind (labels, tickets,
 * receipts, customs papers) of a station, or of all ("*", supervisors). */
int flow_super_job_list (struct hub_req *req);
/* "job-reprint" job [printer]: a new copy of any job, byte for byte. */
int flow_super_job_reprint (struct hub_req *req);
/* "job-redirect" job printer: a job not yet printed to another printer. */
int flow_super_job_redirect (struct hub_req *req);
/* "job-cancel" job: a job not yet printed is cancelled. */
int flow_super_job_cancel (struct hub_req *req);
/* "printers": every printer the settings name, and what the hub last saw of it. */
int flow_super_printers (struct hub_req *req);
/* "manifests" [carrier]: the latest close-outs, for reopening one. */
int flow_super_manifests (struct hub_req *req);
/* "ranges" [carrier]: the number ranges and what is left of each. */
int flow_super_ranges (struct hub_req *req);
/* "range-add" carrier first last [scheme] [prefix] [low_water]: a new range
 * from the carrier, never overlapping one held (audited). */
int flow_super_range_add (struct hub_req *req);

#endif
