/*
 * term-flow.h: the screens, one const struct term_flow each, defined in
 * term-flow-*.c and listed in term-flow.c's table (menu order).
 */
#ifndef DSP_TERM_FLOW_H
#define DSP_TERM_FLOW_H

#include "term.h"

extern const struct term_flow term_flow_login;
extern const struct term_flow term_flow_menu;
extern const struct term_flow term_flow_super;
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
extern const struct term_flow term_flow_locateq;
extern const struct term_flow term_flow_packq;
extern const struct term_flow term_flow_consol;
extern const struct term_flow term_flow_partship;
extern const struct term_flow term_flow_unlock;
extern const struct term_flow term_flow_ticketre;
extern const struct term_flow term_flow_reopen;
extern const struct term_flow term_flow_ranges;
extern const struct term_flow term_flow_printers;

/* term-flow-print.c: an EVENT "print" from the hub (message line, F4 offer, P count). */
void term_flow_print_event (struct term *t, const proto_msg_t *ev);
/* A document the hub queued with a reply (data KEY = its job, KEY_title, KEY_state, KEY_printer,
 * KEY_error): said in the recent list and kept, so its print EVENTs name it. */
void term_flow_print_doc (struct term *t, const proto_msg_t *reply, const char *key);
/* F4 while an offer stands: send it; true when something was sent. */
bool term_flow_print_offer_take (struct term *t);
/* term-flow-jobs.c: a print EVENT came; the Print jobs list, when up, is asked again. */
void term_flow_jobs_changed (struct term *t);

/* Shared by screens: every reply data pair as a body line (enquiry, details), in words. */
void term_flow_data_lines (struct term *t, const proto_msg_t *reply, bool side);
/* A row the hub sends as KEY.N = a|b|c, split into its fields (the rest
 * empty), a void parcel's code put in words. */
#define TERM_FLOW_ROW_FIELDS 12
#define TERM_FLOW_FIELD_MAX TEXT_BYTES (TEXT_ORDER_MAX) /* a customer's name whole */
typedef char term_flow_row_t[TERM_FLOW_ROW_FIELDS][TERM_FLOW_FIELD_MAX];
void term_flow_row_split (const char *v, term_flow_row_t f);
/* Lists (term-flow.c): the reply's rows KEY.1 .. KEY.n (n in its data
 * key count) as body lines led by their keys (1-9, a-z), each row kept in
 * t->list; empty is the line shown when there is none. The number of rows. */
int term_flow_list_show (struct term *t, const proto_msg_t *r, const char *key, const char *count, const char *empty);
/* The row a key chooses, or -1; a row's field (from 0) as the hub sent it. */
int term_flow_list_pick (struct term *t, int key);
char term_flow_list_char (int i);
void term_flow_list_field (struct term *t, int i, int field, char *out, size_t n);
/* Open screen name as if code were scanned at its first question (a queue's order at Pack). */
void term_flow_start (struct term *t, const char *name, const char *code);

/* A row in words into out: its attribute (term-screen.h), or -1 when key
 * is no row (KEY.N). A row kind no table knows comes out as its fields. */
int term_flow_row_text (const char *key, const char *value, char *out, size_t len);

#endif
