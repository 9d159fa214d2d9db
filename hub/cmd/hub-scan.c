/* hub-scan.c: the step and command tables, and the permissions they give (see hub-scan.h). */
#include "config.h"
#include "hub-scan.h"
#include "hub/flow/flow-steps.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

#define ROLE_BENCH (ROLE_PACKER | ROLE_LEAD)

const struct hub_step hub_scan_steps[] = {
	{ "receive", ROLE_ANY, flow_receive, "scan a despatch ticket as it arrives" },
	{ "locate", ROLE_ANY, flow_locate, "scan each line's location, then its item" },
	{ "pack", ROLE_BENCH, flow_pack, "scan the ticket to pack and label a parcel" },
	{ "verify", ROLE_BENCH, flow_pack_verify, "scan the printed label on the parcel" },
	{ "cage", ROLE_BENCH, flow_scanout_cage, "scan the cage or van to load" },
	{ "scanout", ROLE_BENCH, flow_scanout, "scan a parcel onto the cage" },
	{ "enquiry", ROLE_ANY, flow_enquiry, "scan anything to see where it is" },
};
const int hub_scan_nsteps = (int) nitems (hub_scan_steps);

const struct hub_command hub_scan_commands[] = {
	{ "hold", ROLE_LEAD, flow_hold, "code reason", "hold an order or parcel" },
	{ "release", ROLE_LEAD, flow_hold_release, "code reason", "lift a hold" },
	{ "ack", ROLE_ANY, flow_hold_ack, "code", "acknowledge an alarm" },
	{ "note", ROLE_ANY, flow_hold_note, "code text", "add a note to an order or parcel" },
	{ "price", ROLE_LEAD, flow_hold_price, "order amount", "set the delivery charge" },
	{ "release-part", ROLE_LEAD, flow_hold_release_part, "order reason", "allow a part-shipment" },
	{ "label", ROLE_BENCH, flow_pack_label, "parcel", "label a packed parcel again" },
	{ "undo", ROLE_ANY, flow_undo, "reason", "undo your last step" },
	{ "closeout-preview", ROLE_LEAD, flow_closeout_preview, "carrier", "what a close-out would take" },
	{ "closeout", ROLE_LEAD, flow_closeout, "carrier", "close out a carrier's parcels into a manifest" },
	{ "closeout-reopen", ROLE_LEAD, flow_closeout_reopen, "manifest reason",
	  "reopen a closed manifest: its parcels go back on the cage" },
	{ "track", ROLE_LEAD, flow_closeout_track, "code event", "record a tracking event" },
	{ "override", ROLE_LEAD, flow_carrier_override, "order carrier service reason",
	  "choose an order's carrier and service instead of the rules" },
	{ "quote", ROLE_ANY, flow_carrier_quote, "order", "the price of every service for an order" },
	{ "reprint", ROLE_BENCH, flow_print_reprint, "parcel", "print a parcel's label again" },
	{ "redirect", ROLE_BENCH, flow_print_redirect, "parcel printer", "send a waiting label to another printer" },
	{ "print-cancel", ROLE_LEAD, flow_print_cancel, "parcel", "cancel a label job that has not printed" },
	{ "print-jobs", ROLE_ANY, flow_print_jobs, NULL, "labels not yet printed at this station" },
	{ "ticket", ROLE_ANY, flow_print_ticket, "order", "print an order's despatch ticket at a sales desk" },
	{ "autoclose", ROLE_SYSTEM, flow_closeout_auto, "carrier", "the hub's close-out of a carrier at its cut-off" },
};
const int hub_scan_ncommands = (int) nitems (hub_scan_commands);

char *
hub_scan_permissions (int role)
{
	size_t cap = 256, len = 0;
	char *out = xcalloc (1, cap);
	for (int pass = 0; pass < 2; pass++) {
		int n = pass == 0 ? hub_scan_nsteps : hub_scan_ncommands;
		for (int i = 0; i < n; i++) {
			const char *name = pass == 0 ? hub_scan_steps[i].name : hub_scan_commands[i].name;
			int roles = pass == 0 ? hub_scan_steps[i].roles : hub_scan_commands[i].roles;
			if (!(roles & role))
				continue;
			size_t need = strlen (name) + 2;
			if (len + need >= cap) {
				cap = (cap + need) * 2;
				out = xrealloc (out, cap);
			}
			len += (size_t) sprintf (out + len, "%s%s", len ? " " : "", name);
		}
	}
	return out;
}
