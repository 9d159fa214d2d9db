/* hub-state.c: state names as the database keeps them (see hub-state.h). */
#include "config.h"
#include "hub-state.h"
#include "util.h"

#include <string.h>

enum hub_state_kind { HUB_STATE_ORDER, HUB_STATE_LINE, HUB_STATE_PARCEL, HUB_STATE_JOB, HUB_STATE_MANIFEST };

static const struct {
	enum hub_state_kind kind;
	int state;
	const char *name;
} hub_state_names[] = {
	{ HUB_STATE_ORDER, ORDER_NEW, "new" },
	{ HUB_STATE_ORDER, ORDER_RECEIVED, "received" },
	{ HUB_STATE_ORDER, ORDER_LOCATED, "located" },
	{ HUB_STATE_ORDER, ORDER_PACKING, "packing" },
	{ HUB_STATE_ORDER, ORDER_PACKED, "packed" },
	{ HUB_STATE_ORDER, ORDER_LABELLED, "labelled" },
	{ HUB_STATE_ORDER, ORDER_SCANNED_OUT, "scanned_out" },
	{ HUB_STATE_ORDER, ORDER_CLOSED, "closed" },
	{ HUB_STATE_ORDER, ORDER_IN_TRANSIT, "in_transit" },
	{ HUB_STATE_ORDER, ORDER_DELIVERED, "delivered" },
	{ HUB_STATE_LINE, LINE_OPEN, "open" },
	{ HUB_STATE_LINE, LINE_FOUND, "found" },
	{ HUB_STATE_LINE, LINE_SHORT, "short" },
	{ HUB_STATE_LINE, LINE_DAMAGED, "damaged" },
	{ HUB_STATE_PARCEL, PARCEL_PACKED, "packed" },
	{ HUB_STATE_PARCEL, PARCEL_LABELLED, "labelled" },
	{ HUB_STATE_PARCEL, PARCEL_VERIFIED, "verified" },
	{ HUB_STATE_PARCEL, PARCEL_SCANNED_OUT, "scanned_out" },
	{ HUB_STATE_PARCEL, PARCEL_CLOSED, "closed" },
	{ HUB_STATE_PARCEL, PARCEL_IN_TRANSIT, "in_transit" },
	{ HUB_STATE_PARCEL, PARCEL_DELIVERED, "delivered" },
	{ HUB_STATE_PARCEL, PARCEL_VOID, "void" },
	{ HUB_STATE_JOB, JOB_QUEUED, "queued" },
	{ HUB_STATE_JOB, JOB_SUBMITTING, "submitting" },
	{ HUB_STATE_JOB, JOB_SUBMITTED, "submitted" },
	{ HUB_STATE_JOB, JOB_OFFLINE, "offline" },
	{ HUB_STATE_JOB, JOB_NO_PRINTER, "no-printer" },
	{ HUB_STATE_JOB, JOB_REDIRECT, "redirect" },
	{ HUB_STATE_JOB, JOB_CANCELLING, "cancelling" },
	{ HUB_STATE_JOB, JOB_CANCELLED, "cancelled" },
	{ HUB_STATE_JOB, JOB_PRINTED, "printed" },
	{ HUB_STATE_JOB, JOB_FAILED, "failed" },
	{ HUB_STATE_MANIFEST, MANIFEST_CLOSED, "closed" },
	{ HUB_STATE_MANIFEST, MANIFEST_REOPENED, "reopened" },
};

static const char *
hub_state_name (enum hub_state_kind kind, int state)
{
	for (size_t i = 0; i < nitems (hub_state_names); i++)
		if (hub_state_names[i].kind == kind && hub_state_names[i].state == state)
			return hub_state_names[i].name;
	return "unknown";
}

static int
hub_state_parse (enum hub_state_kind kind, const char *name)
{
	for (size_t i = 0; name && i < nitems (hub_state_names); i++)
		if (hub_state_names[i].kind == kind && strcmp (hub_state_names[i].name, name) == 0)
			return hub_state_names[i].state;
	return -1; /* the kind's UNKNOWN */
}

const char *
hub_state_order_name (enum hub_order_state state)
{
	return hub_state_name (HUB_STATE_ORDER, (int) state);
}

enum hub_order_state
hub_state_order_parse (const char *name)
{
	return (enum hub_order_state) hub_state_parse (HUB_STATE_ORDER, name);
}

const char *
hub_state_line_name (enum hub_line_state state)
{
	return hub_state_name (HUB_STATE_LINE, (int) state);
}

enum hub_line_state
hub_state_line_parse (const char *name)
{
	return (enum hub_line_state) hub_state_parse (HUB_STATE_LINE, name);
}

const char *
hub_state_parcel_name (enum hub_parcel_state state)
{
	return hub_state_name (HUB_STATE_PARCEL, (int) state);
}

enum hub_parcel_state
hub_state_parcel_parse (const char *name)
{
	return (enum hub_parcel_state) hub_state_parse (HUB_STATE_PARCEL, name);
}

const char *
hub_state_job_name (enum hub_job_state state)
{
	return hub_state_name (HUB_STATE_JOB, (int) state);
}

enum hub_job_state
hub_state_job_parse (const char *name)
{
	return (enum hub_job_state) hub_state_parse (HUB_STATE_JOB, name);
}

const char *
hub_state_manifest_name (enum hub_manifest_state state)
{
	return hub_state_name (HUB_STATE_MANIFEST, (int) state);
}

enum hub_manifest_state
hub_state_manifest_parse (const char *name)
{
	return (enum hub_manifest_state) hub_state_parse (HUB_STATE_MANIFEST, name);
}
