/* hub-scan.c: the step and command tables, and the permissions they give (see hub-scan.h). */
#include "config.h"
#include "hub-scan.h"
#include "hub/flow/flow-steps.h"
#include "hub/flow/flow-queue.h"
#include "hub/flow/flow-super.h"
#include "screens.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

#define ROLE_BENCH (ROLE_PACKER | ROLE_LEAD)

const struct hub_step hub_scan_steps[] = {
	{ "receive", ROLE_ANY, flow_receive, "scan a despatch ticket as it arrives", false },
	{ "locate", ROLE_ANY, flow_locate, "scan each line's location, then its item", false },
	{ "pack", ROLE_BENCH, flow_pack, "scan the ticket to pack and label a parcel", true },
	{ "verify", ROLE_BENCH, flow_pack_verify, "scan the printed label on the parcel", false },
	{ "cage", ROLE_BENCH, flow_scanout_cage, "scan the cage or van to load", false },
	{ "scanout", ROLE_BENCH, flow_scanout, "scan a parcel onto the cage", false },
	{ "enquiry", ROLE_ANY, flow_enquiry, "scan anything to see where it is", false },
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
	{ "queue-locate", ROLE_ANY, flow_queue_locate, NULL, "orders waiting to be located, oldest first" },
	{ "queue-pack", ROLE_ANY, flow_queue_pack, NULL, "orders ready to pack at this bench or its group" },
	{ "consolidation", ROLE_ANY, flow_queue_consolidation, "order", "where each line of an order is" },
	{ "pack-lines", ROLE_BENCH, flow_queue_pack_lines, "parcel lines", "which lines went into a parcel" },
	{ "queue-part", ROLE_LEAD, flow_super_queue_part, NULL, "orders waiting for a part-shipment decision" },
	{ "locked", ROLE_LEAD, flow_super_locked, NULL, "badges locked after wrong PINs" },
	{ "unlock", ROLE_LEAD, flow_super_unlock, "badge reason", "unlock a badge" },
	{ "job-list", ROLE_ANY, flow_super_job_list, NULL, "print jobs of any kind at a station" },
	{ "job-reprint", ROLE_BENCH, flow_super_job_reprint, "job", "print any job again" },
	{ "job-redirect", ROLE_BENCH, flow_super_job_redirect, "job printer", "send a waiting job to another printer" },
	{ "job-cancel", ROLE_LEAD, flow_super_job_cancel, "job", "cancel a job that has not printed" },
	{ "printers", ROLE_ANY, flow_super_printers, NULL, "the printers and what the hub last saw of each" },
	{ "manifests", ROLE_LEAD, flow_super_manifests, NULL, "the latest close-outs" },
	{ "ranges", ROLE_LEAD, flow_super_ranges, NULL, "carrier number ranges and what is left" },
	{ "range-add", ROLE_LEAD, flow_super_range_add, "carrier first last", "top up a carrier's number range" },
};
const int hub_scan_ncommands = (int) nitems (hub_scan_commands);

/* The terminal's screen where each step or command is done (common/screens.h),
 * for the refusals that send someone to a supervisor. */
static const struct {
	const char *name, *screen;
} hub_scan_screens[] = {
	{ "pack", SCREEN_PACK },
	{ "verify", SCREEN_PACK },
	{ "cage", SCREEN_SCANOUT },
	{ "scanout", SCREEN_SCANOUT },
	{ "hold", SCREEN_HOLD },
	{ "release", SCREEN_RELEASE },
	{ "price", SCREEN_PRICE },
	{ "release-part", SCREEN_IN_SUPER (SCREEN_PART) },
	{ "queue-part", SCREEN_IN_SUPER (SCREEN_PART) },
	{ "label", SCREEN_PACK },
	{ "closeout-preview", SCREEN_CLOSEOUT },
	{ "closeout", SCREEN_CLOSEOUT },
	{ "closeout-reopen", SCREEN_IN_SUPER (SCREEN_REOPEN) },
	{ "manifests", SCREEN_IN_SUPER (SCREEN_REOPEN) },
	{ "override", SCREEN_OVERRIDE },
	{ "reprint", SCREEN_REPRINT },
	{ "redirect", SCREEN_JOBS },
	{ "print-cancel", SCREEN_JOBS },
	{ "job-reprint", SCREEN_JOBS },
	{ "job-redirect", SCREEN_JOBS },
	{ "job-cancel", SCREEN_JOBS },
	{ "pack-lines", SCREEN_PACK },
	{ "locked", SCREEN_IN_SUPER (SCREEN_UNLOCK) },
	{ "unlock", SCREEN_IN_SUPER (SCREEN_UNLOCK) },
	{ "ranges", SCREEN_IN_SUPER (SCREEN_RANGES) },
	{ "range-add", SCREEN_IN_SUPER (SCREEN_RANGES) },
	{ "ticket", SCREEN_IN_SUPER (SCREEN_TICKET) },
};

const char *
hub_scan_screen (const char *name)
{
	for (size_t i = 0; i < nitems (hub_scan_screens); i++)
		if (strcmp (hub_scan_screens[i].name, name) == 0)
			return hub_scan_screens[i].screen;
	return NULL;
}

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
