/* term-flow-table.c: every screen, in menu order, and what takes the hub's print EVENTs (term.h, term_flow_set). */
#include "config.h"
#include "term-flow.h"
#include "util.h"

/* Menu order. */
static const struct term_flow *const term_flows[] = {
	&term_flow_login,
	&term_flow_menu,
	&term_flow_rejected,
	&term_flow_receive,
	&term_flow_locate,
	&term_flow_pack,
	&term_flow_verify,
	&term_flow_scanout,
	&term_flow_closeout,
	&term_flow_enquiry,
	&term_flow_hold,
	&term_flow_release,
	&term_flow_note,
	&term_flow_reprint,
	&term_flow_printjobs,
	&term_flow_price,
	&term_flow_undo,
	&term_flow_quote,
	&term_flow_override,
	&term_flow_locateq,
	&term_flow_packq,
	&term_flow_consol,
	&term_flow_super,
	&term_flow_partship,
	&term_flow_unlock,
	&term_flow_ticketre,
	&term_flow_reopen,
	&term_flow_ranges,
	&term_flow_printers,
};
const struct term_flow_set term_flow_table = {
	.flows = term_flows,
	.nflows = (int) nitems (term_flows),
	.print_event = term_flow_print_event,
	.offer_take = term_flow_print_offer_take,
};
