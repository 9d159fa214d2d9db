/*
 * hub-scan.c: the despatch flow's registry: every scan step and named
 * command, who may use it and which handler runs it (hub/flow-*.c).
 * hub-cmd.c reads only these two tables; doc/protocol.md "Steps and
 * commands" documents them.
 */
#include "config.h"
#include "carriers/carrier.h"
#include "flow.h"
#include "hub-print.h"
#include "util.h"

#define ROLE_BENCH (ROLE_PACKER | ROLE_LEAD)

const struct hub_step hub_scan_steps[] = {
	{ "receive", ROLE_ANY, flow_receive, "scan a despatch ticket as it arrives" },
	{ "locate", ROLE_ANY, flow_locate, "scan each line's location, then its item" },
	{ "pack", ROLE_BENCH, flow_pack, "scan the ticket to pack and label a parcel" },
	{ "verify", ROLE_BENCH, flow_verify, "scan the printed label on the parcel" },
	{ "cage", ROLE_BENCH, flow_cage, "scan the cage or van to load" },
	{ "scanout", ROLE_BENCH, flow_scanout, "scan a parcel onto the cage" },
	{ "enquiry", ROLE_ANY, flow_enquiry, "scan anything to see where it is" },
};
const int hub_scan_nsteps = (int) nitems (hub_scan_steps);

const struct hub_command hub_scan_commands[] = {
	{ "hold", ROLE_LEAD, flow_cmd_hold, "code reason", "hold an order or parcel" },
	{ "release", ROLE_LEAD, flow_cmd_release, "code reason", "lift a hold" },
	{ "ack", ROLE_ANY, flow_cmd_ack, "code", "acknowledge an alarm" },
	{ "note", ROLE_ANY, flow_cmd_note, "code text", "add a note to an order or parcel" },
	{ "price", ROLE_LEAD, flow_cmd_price, "order amount", "set the delivery charge" },
	{ "release-part", ROLE_LEAD, flow_cmd_release_part, "order reason", "allow a part-shipment" },
	{ "label", ROLE_BENCH, flow_cmd_label, "parcel", "label a packed parcel again" },
	{ "undo", ROLE_ANY, flow_cmd_undo, "reason", "undo your last step" },
	{ "closeout-preview", ROLE_LEAD, flow_cmd_closeout_preview, "carrier", "what a close-out would take" },
	{ "closeout", ROLE_LEAD, flow_cmd_closeout, "carrier", "close out a carrier's parcels into a manifest" },
	{ "closeout-reopen", ROLE_LEAD, flow_cmd_closeout_reopen, "manifest reason",
	  "reopen a closed manifest: its parcels go back on the cage" },
	{ "track", ROLE_LEAD, flow_cmd_track, "code event", "record a tracking event" },
	{ "override", ROLE_LEAD, flow_carrier_override, "order carrier service reason",
	  "choose an order's carrier and service instead of the rules" },
	{ "quote", ROLE_ANY, flow_carrier_quote, "order", "the price of every service for an order" },
	{ "reprint", ROLE_BENCH, hub_print_cmd_reprint, "parcel", "print a parcel's label again" },
	{ "redirect", ROLE_BENCH, hub_print_cmd_redirect, "parcel printer", "send a waiting label to another printer" },
	{ "print-cancel", ROLE_LEAD, hub_print_cmd_cancel, "parcel", "cancel a label job that has not printed" },
	{ "print-jobs", ROLE_ANY, hub_print_cmd_jobs, NULL, "labels not yet printed at this station" },
	{ "ticket", ROLE_ANY, hub_print_cmd_ticket, "order", "print an order's despatch ticket at a sales desk" },
};
const int hub_scan_ncommands = (int) nitems (hub_scan_commands);
