/*
 * term-flow.h: the screens, one const struct term_flow each, defined in
 * term-flow-*.c and listed in term-flow.c's table (menu order).
 */
#ifndef DSP_TERM_FLOW_H
#define DSP_TERM_FLOW_H

#include "term.h"

extern const struct term_flow term_flow_login;
extern const struct term_flow term_flow_menu;
extern const struct term_flow term_flow_rejected;
extern const struct term_flow term_flow_receive;
extern const struct term_flow term_flow_locate;
extern const struct term_flow term_flow_pack;
extern const struct term_flow term_flow_verify;
extern const struct term_flow term_flow_scanout;
extern const struct term_flow term_flow_closeout;
extern const struct term_flow term_flow_enquiry;
extern const struct term_flow term_flow_hold;
extern const struct term_flow term_flow_release;
extern const struct term_flow term_flow_note;
extern const struct term_flow term_flow_reprint;
extern const struct term_flow term_flow_printjobs;
extern const struct term_flow term_flow_price;
extern const struct term_flow term_flow_undo;
extern const struct term_flow term_flow_quote;
extern const struct term_flow term_flow_override;

/* term-flow-print.c: an EVENT "print" from the hub (message line, F4 offer, P count). */
void term_flow_print_event (struct term *t, const proto_msg_t *ev);
/* A document the hub queued with a reply (data KEY = its job, KEY_title, KEY_state, KEY_printer,
 * KEY_error): said in the recent list and kept, so its print EVENTs name it. */
void term_flow_print_doc (struct term *t, const proto_msg_t *reply, const char *key);
/* F4 while an offer stands: send it; true when something was sent. */
bool term_flow_print_offer_take (struct term *t);

/* Shared by screens: every reply data pair as a body line (enquiry, details). */
void term_flow_data_lines (struct term *t, const proto_msg_t *reply, bool side);
/* A row the hub sends as KEY.N = a|b|c, split into at most 8 fields (the
 * rest empty). */
#define TERM_FLOW_ROW_FIELDS 8
typedef char term_flow_row_t[TERM_FLOW_ROW_FIELDS][96];
void term_flow_row_split (const char *v, term_flow_row_t f);

#endif
