/*
 * hub-state.h: the states of orders, order lines, parcels, print jobs and
 * manifests, as enums for the code and as the text the database keeps in
 * each status column (orders.status, order_lines.status, parcels.status,
 * label_jobs.status, manifests.status): one table of both (hub-state.c). The text values are
 * the schema's and the wire's (reply data "status", "parcel_status"); they
 * never change with the enums.
 *
 * A name the table does not know parses as the kind's UNKNOWN (-1), which
 * is none of its states; its name is "unknown".
 */
#ifndef DSP_HUB_STATE_H
#define DSP_HUB_STATE_H

/* An order, from its ticket's arrival to delivery (flow.c works it out from
 * its lines and parcels); in the order a despatch takes it. */
enum hub_order_state {
	ORDER_UNKNOWN = -1,
	ORDER_NEW,          /* imported, not yet in despatch */
	ORDER_RECEIVED,     /* its ticket scanned in despatch */
	ORDER_LOCATED,      /* every line found (or a part-shipment released) */
	ORDER_PACKING,      /* some of its parcels packed */
	ORDER_PACKED,       /* every parcel packed, not all labelled */
	ORDER_LABELLED,     /* every parcel labelled */
	ORDER_SCANNED_OUT,  /* every parcel on a cage */
	ORDER_CLOSED,       /* in a manifest */
	ORDER_IN_TRANSIT,
	ORDER_DELIVERED,
};

/* One line of an order, as the locate step leaves it. */
enum hub_line_state {
	LINE_UNKNOWN = -1,
	LINE_OPEN,
	LINE_FOUND,
	LINE_SHORT,
	LINE_DAMAGED,
};

/* A parcel, from packing to delivery; void when its packing was undone. */
enum hub_parcel_state {
	PARCEL_UNKNOWN = -1,
	PARCEL_PACKED,
	PARCEL_LABELLED,
	PARCEL_VERIFIED,     /* its printed label scanned at the bench */
	PARCEL_SCANNED_OUT,
	PARCEL_CLOSED,
	PARCEL_IN_TRANSIT,
	PARCEL_DELIVERED,
	PARCEL_VOID,
};

/* A print job (label_jobs): written queued or failed by the request that
 * makes it, then by the spooler alone; redirect and cancelling are asked
 * for by the print commands. */
enum hub_job_state {
	JOB_UNKNOWN = -1,
	JOB_QUEUED,
	JOB_SUBMITTING,      /* being sent: after a crash, looked for in CUPS by title */
	JOB_SUBMITTED,       /* CUPS has it */
	JOB_OFFLINE,         /* its printer is not taking jobs; kept */
	JOB_NO_PRINTER,      /* the station has no printer for it; kept */
	JOB_REDIRECT,        /* to move to another printer */
	JOB_CANCELLING,      /* to cancel in CUPS */
	JOB_CANCELLED,
	JOB_PRINTED,
	JOB_FAILED,          /* not drawn, or CUPS gave up on it; kept for a reprint */
};

/* A carrier's manifest, once written at close-out. */
enum hub_manifest_state {
	MANIFEST_UNKNOWN = -1,
	MANIFEST_CLOSED,
	MANIFEST_REOPENED,   /* its parcels back on the cage, its file set aside */
};

const char *hub_state_order_name (enum hub_order_state state);
enum hub_order_state hub_state_order_parse (const char *name);
const char *hub_state_line_name (enum hub_line_state state);
enum hub_line_state hub_state_line_parse (const char *name);
const char *hub_state_parcel_name (enum hub_parcel_state state);
enum hub_parcel_state hub_state_parcel_parse (const char *name);
const char *hub_state_job_name (enum hub_job_state state);
enum hub_job_state hub_state_job_parse (const char *name);
const char *hub_state_manifest_name (enum hub_manifest_state state);
enum hub_manifest_state hub_state_manifest_parse (const char *name);

#endif
