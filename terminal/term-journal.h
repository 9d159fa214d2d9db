/*
 * term-journal.h: the terminal's local journal (SQLite through db.h). Every
 * scan is written here, with its sequence number, before it is sent, and
 * removed only when the hub has answered it. A terminal restarted after a
 * crash finds what was unsent here and resends it with the same numbers,
 * so the hub applies each once. The next sequence number lives here too.
 *
 * Scans only: a COMMAND (a note's text, a reason) or a LOGIN (a PIN) is
 * refused. A removed scan (or a cleared rejected list) leaves no trace in
 * the file or its WAL once term_journal_scrub has run: the terminal runs it
 * when the answer is on the screen, and close runs it too.
 *
 * Scans the hub refused after being kept offline move to a "rejected" list
 * that the operator must clear.
 *
 * Messages returned belong to the caller (proto_msg_destroy).
 */
#ifndef DSP_TERM_JOURNAL_H
#define DSP_TERM_JOURNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "proto.h"

typedef struct term_journal term_journal_t;

struct term_journal_rejected {
	uint32_t seq;
	int64_t at;
	char step[32];
	char code[128];
	char text[256];
};

/* NULL and *cause (caller frees) when the file cannot be used. */
term_journal_t *term_journal_open (const char *path, char **cause);
void term_journal_close (term_journal_t **self_p);

/* The next sequence number, never lower than at_least (HELLO's last_seq + 1). */
uint32_t term_journal_next_seq (term_journal_t *self);
int term_journal_seq_at_least (term_journal_t *self, uint32_t at_least);
/* Take a number for a request that is not journalled (LOGIN): kept, never reused. */
uint32_t term_journal_take_seq (term_journal_t *self);

/* Number a SCAN, keep it, all in one transaction; 0, or -1 when the disk
 * refused or msg is not a SCAN. */
int term_journal_add (term_journal_t *self, proto_msg_t *msg, bool provisional, int64_t at_ms);
/* Answered: gone (the scrub wipes its bytes from the files). */
int term_journal_remove (term_journal_t *self, uint32_t seq);
/* Something was removed since the last scrub. */
bool term_journal_scrub_due (term_journal_t *self);
/* Overwrite what was removed in the file and empty the WAL (a checkpoint
 * with TRUNCATE; two fsyncs, so not while an answer waits to be shown);
 * 0, or -1 when it could not finish (tried again next time). */
int term_journal_scrub (term_journal_t *self);
/* The oldest entry (NULL when empty), with whether it was kept offline. */
proto_msg_t *term_journal_head (term_journal_t *self, bool *provisional);
unsigned term_journal_count (term_journal_t *self);
/* True when the entry with this sequence number is still kept. */
bool term_journal_has (term_journal_t *self, uint32_t seq);
/* The hub is gone: what is kept can no longer be shown as answered soon. */
int term_journal_mark_provisional (term_journal_t *self);
/* Give an entry a fresh number (its old one has a refusal stored at the hub). */
int term_journal_renumber (term_journal_t *self, uint32_t seq, uint32_t *new_seq);

/* Move an entry to the rejected list with the hub's words. */
int term_journal_reject (term_journal_t *self, uint32_t seq, const char *text, int64_t at_ms);
unsigned term_journal_rejected_count (term_journal_t *self);
/* Up to max of the rejected list, oldest first; returns how many. */
unsigned term_journal_rejected_list (term_journal_t *self, struct term_journal_rejected *out, unsigned max);
int term_journal_rejected_clear (term_journal_t *self);

#endif
