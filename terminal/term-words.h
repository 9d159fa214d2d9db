/*
 * term-words.h: what the terminal shows for the hub's words, from one
 * table (term-words.c): the labels of the function keys (and their short
 * forms for a 20-column key line), the keys of the hub's answer data (and
 * whether a side panel shows them), and the states and kinds the hub
 * names in its rows ("scanned_out", "no-printer", "receipt"). Nothing a
 * screen shows is the hub's wire form: a row (a|b|c) is put in words by
 * term-flow.c's row table, through these.
 */
#ifndef DSP_TERM_WORDS_H
#define DSP_TERM_WORDS_H

#include <stdbool.h>
#include <stddef.h>

enum term_word_kind {
	TW_KEY,    /* a function key's label: "Damaged", short "Dmgd" */
	TW_DATA,   /* a key of the hub's answer data: "next" is "Next step" */
	TW_STATE,  /* a state, outcome or kind in the hub's rows: "scanned_out" is "scanned out" */
};

struct term_word {
	enum term_word_kind kind;
	const char *id;      /* as the hub (or a screen, for keys) says it */
	const char *label;   /* as shown; NULL for data keys shown by their rows, never by themselves */
	const char *brief;   /* at most 5 columns, for tight places; NULL: label */
	bool side;           /* data keys: shown in a side panel too */
	int attr;            /* data keys and states: the line's attribute (term-screen.h) */
};

/* The entry for id, or NULL when the table does not know it. */
const struct term_word *term_word_find (enum term_word_kind kind, const char *id);
/* Its label; an unknown id as it came (with '_' read as a space), "" for NULL. */
const char *term_word (enum term_word_kind kind, const char *id);
/* Its short form (a key line at 20 columns), else the label. */
const char *term_word_brief (enum term_word_kind kind, const char *id);

/* Codes as people read them: a parcel of an undone pack keeps its number
 * with "~void" and an id in the hub ("P1000003/3~void17"), shown as
 * "P1000003/3 (void)". term_word_text does it over free text (the hub's
 * words on the message line), term_word_code over one code; in is copied
 * into out (n bytes). */
void term_word_code (const char *in, char *out, size_t n);
void term_word_text (const char *in, char *out, size_t n);

#endif
