/*
 * flow.h: the request layer's despatch vocabulary (flow.c), what the
 * handlers (hub/flow/flow-*.c) and the documents (hub/docs) share: reading
 * a scanned code into an order, parcel or cage; the order and parcel rows;
 * holds; the audit trail; the order status worked out from its lines and
 * parcels; and the reply data every step gives. Every function runs inside
 * the loop's batch transaction on req->db and binds every value (never SQL
 * from scanned text). Functions returning int give 0, or -1 when the
 * database failed.
 */
#ifndef DSP_HUB_FLOW_H
#define DSP_HUB_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "carriers/carrier.h"
#include "gs1.h"
#include "hub-req.h"
#include "text.h"
#include "hub/store/hub-state.h"

#define FLOW_REF_MAX 32

/* FLOW_SYMBOL: a symbol of a carrier's label that names no parcel (a routing or postcode barcode). */
enum flow_kind { FLOW_NONE, FLOW_ORDER, FLOW_PARCEL, FLOW_CAGE, FLOW_SYMBOL };

struct flow_order {
	char ref[FLOW_REF_MAX + 1];
	enum hub_order_state state;
	char channel[24];
	char customer[TEXT_BYTES (TEXT_ORDER_MAX)];
	char country[3];
	char postcode[TEXT_BYTES (TEXT_POSTCODE_MAX)];
	char service[24];
	int parcels_expected;
	bool part_release;
	int64_t received_at;
	char received_by[65];
};

struct flow_parcel {
	int64_t id;
	char order[FLOW_REF_MAX + 1];
	int no;
	char code[48];
	enum hub_parcel_state state;
	char carrier[24];
	char service[40];
	char tracking[40];
	char sscc[20];
	char cage[33];
	int weight_g;
	char box[17];
	char last_by[65];   /* who did the parcel's last step */
	int64_t last_at;
};

/* What a scanned code names. */
struct flow_target {
	enum flow_kind kind;
	char code[GS1_MAX_CODE + 1];  /* the code as read (no identifier) */
	struct flow_order order;      /* FLOW_ORDER and FLOW_PARCEL */
	struct flow_parcel parcel;    /* FLOW_PARCEL */
	char cage[33], cage_carrier[24], cage_name[65];
	/* Read through a carrier file's [symbol] (carriers/carrier.h): the carrier and symbol, and the
	 * number it gave; with FLOW_NONE, a parcel number of that carrier no parcel here has. */
	const struct carrier *carrier;
	const struct carrier_symbol *symbol;
	char key[48];
};

/*
 * Read raw into t: what the scanner sent (its AIM identifier, GS as 0x1D or
 * as the "^]" a wedge types, a trailing degree sign, either case), as an
 * order ticket, a parcel code, a tracking number or SSCC, a cage, or any
 * symbol a carrier file's [symbol] sections say how to read. Returns 0
 * (t->kind may be FLOW_NONE: nothing known), 1 when the code is garbled
 * GS1 that no carrier's symbol reads (the reply is filled: BAD_DATA), -1
 * on a database failure.
 */
int flow_resolve (struct hub_req *req, const char *raw, struct flow_target *t);
/*
 * When t was read as a carrier symbol that names no parcel (FLOW_SYMBOL),
 * or as a carrier's parcel number no parcel here has, fill the refusal
 * (which barcode of the label to scan instead; or that the hub did not
 * label it) and return true; false otherwise (the caller says "unknown").
 */
bool flow_refuse_symbol (struct hub_req *req, const struct flow_target *t);

/* Rows by key: 0 found, 1 not found. */
int flow_order_get (struct hub_req *req, const char *ref, struct flow_order *o);
int flow_parcel_get (struct hub_req *req, int64_t id, struct flow_parcel *p);
int flow_parcel_by_code (struct hub_req *req, const char *code, struct flow_parcel *p);

/* An open hold on the order (parcel_id 0) or on the parcel or its order: true and reason/by. */
bool flow_on_hold (struct hub_req *req, const char *order, int64_t parcel_id, char *reason, size_t rn, char *by,
    size_t bn);
/* Fill the reply with ALARM ON_HOLD when held; returns true then. */
bool flow_on_hold_alarm (struct hub_req *req, const char *order, int64_t parcel_id, const char *what);

/* Audit: one row per change, with who, when, terminal, station and raw code. */
int flow_event (struct hub_req *req, const char *action, const char *order, int64_t parcel_id, int line_no,
    bool undoable, const char *fmt, ...) __attribute__ ((format (printf, 7, 8)));

/* Record the scan itself (every SCAN, whatever the outcome) and return rc. */
int flow_scan_done (struct hub_req *req, const char *order_ref, int rc);

/* Work out and store the order's state from lines and parcels; the new state into *out (NULL: not wanted). */
int flow_order_update (struct hub_req *req, const char *ref, enum hub_order_state *out);
/* The step the terminal should offer next for this order. */
const char *flow_next (struct hub_req *req, const char *ref, enum hub_order_state state);

/* Reply data: order header, a parcel, the order's lines. */
void flow_data_order (struct hub_req *req, const struct flow_order *o);
/* The same with the next step already known (saves flow_next's query). */
void flow_data_order_next (struct hub_req *req, const struct flow_order *o, const char *next);
void flow_data_parcel (struct hub_req *req, const struct flow_parcel *p);
void flow_data_lines (struct hub_req *req, const char *ref);
/* The first open line into line/sku/... keys; false when none is open. */
bool flow_data_next_line (struct hub_req *req, const char *ref);
/* flow_data_lines then flow_data_next_line, from one read of the lines. */
bool flow_data_lines_next (struct hub_req *req, const char *ref);

/* A context (SCAN) or argument (COMMAND) value; NULL when absent or empty. */
const char *flow_ctx (struct hub_req *req, const char *key);
const char *flow_arg (struct hub_req *req, const char *key);
/* A whole number in [min,max] from the context; false and a BAD_ARGUMENT reply otherwise. */
bool flow_ctx_long (struct hub_req *req, const char *key, long dflt, long min, long max, long *out);

/* A reason (a hold, a release, an override, a reopen, an undo, an unlock) is at most FLOW_REASON_CHARS
 * characters, as a note's limit is in characters so that every script gets the same room; every buffer
 * that shows one holds FLOW_REASON_BYTES. */
#define FLOW_REASON_CHARS 200
#define FLOW_REASON_BYTES TEXT_BYTES (FLOW_REASON_CHARS)
/* Whether reason (NULL: none) is within the limit; false after a BAD_ARGUMENT reply that says so. */
bool flow_reason_fits (struct hub_req *req, const char *reason);
/* The same, of a tracking event's detail (what a carrier or a supervisor says of it), with the same limit. */
bool flow_detail_fits (struct hub_req *req, const char *detail);
/* Characters (UTF-8 code points) in s; a byte that is not valid UTF-8 counts as one. */
size_t flow_chars (const char *s);

/* "12:03" from a wall-clock time; the operator's name for a badge. */
void flow_hhmm (int64_t ms, char *buf, size_t n);
void flow_who (struct hub_req *req, const char *badge, char *buf, size_t n);

#endif
