/*
 * flow-queue.h: the work queues (flow-queue.c), handlers registered in
 * cmd/hub-scan.c like those of flow-steps.h: what waits to be located, what
 * waits to be packed, and one order's lines brought together from every
 * department (consolidation). They only read, except "pack-lines", which
 * records which lines went into a parcel. doc/protocol.md "Work queues"
 * gives their rows.
 */
#ifndef DSP_FLOW_QUEUE_H
#define DSP_FLOW_QUEUE_H

#include "hub/req/hub-req.h"

/* "queue-locate" [department] [location]: orders in despatch with lines
 * still to find, one row per order and department, oldest first. */
int flow_queue_locate (struct hub_req *req);
/* "queue-pack" [station] [group] [all]: orders ready to pack (every line
 * found, or a part-shipment released) and orders a bench has open, for this
 * bench or its station group, oldest first; "next" names the one to take. */
int flow_queue_pack (struct hub_req *req);
/* "consolidation" order: each line's department, state, where it is and the
 * parcel it went into; a summary per department. */
int flow_queue_consolidation (struct hub_req *req);
/* "pack-lines" parcel lines: the lines (numbers, space separated) packed
 * into a parcel of a multi-parcel order, recorded in the audit trail. */
int flow_queue_pack_lines (struct hub_req *req);

#endif
