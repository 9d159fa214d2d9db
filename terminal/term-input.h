/*
 * term-input.h: keyboard-wedge assembly. A scanner types a whole code in a
 * few milliseconds and ends it with Enter or Tab; a person types the same
 * characters slowly. Keys are fed one at a time with their arrival time and
 * come out as whole events: a scan (every byte kept, GS 0x1D and symbology
 * identifiers included), a command key, or an edit of the field.
 *
 * No curses here: term-curses.c translates its key codes to these.
 */
#ifndef DSP_TERM_INPUT_H
#define DSP_TERM_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TERM_INPUT_MAX 512

/* Keys beyond the byte range 0-255. */
enum term_key {
	TK_F1 = 0x1001,
	TK_F2,
	TK_F3,
	TK_F4,
	TK_UP,
	TK_DOWN,
	TK_PGUP,
	TK_PGDN,
	TK_BACKSPACE,
	TK_ENTER,
	TK_ESC,
	TK_RESIZE,
};

enum term_input_type {
	TI_NONE = 0,
	TI_SCAN,  /* code holds the entry; manual tells whether a person typed it */
	TI_KEY,   /* key holds a command key (TK_F1...), or a one-character entry */
	TI_EDIT,  /* the field changed: redraw it */
};

struct term_input_event {
	enum term_input_type type;
	int key;
	bool manual;
	size_t len;
	char code[TERM_INPUT_MAX + 1];
};

struct term_input {
	char buf[TERM_INPUT_MAX + 1];
	size_t len;
	int64_t last_ms;     /* arrival of the previous character */
	int64_t max_gap_ms;  /* the longest gap inside this entry */
	int manual_gap_ms;   /* a gap longer than this means typed by hand */
	bool immediate;      /* menus: every printable key is an event at once */
	bool one_char_keys;  /* a one-character entry is a command (code fields) */
	bool overflow;       /* the entry was longer than the buffer */
};

void term_input_init (struct term_input *self, int manual_gap_ms);
void term_input_clear (struct term_input *self);
/* Feed one key (a byte 0-255 or a TK_ key) that arrived at now_ms. Returns
 * the event type and fills ev (TI_NONE: nothing to do). */
enum term_input_type term_input_feed (struct term_input *self, int key, int64_t now_ms, struct term_input_event *ev);
/* The field for display: control bytes shown as '~' so the width is kept. */
void term_input_display (const struct term_input *self, char *out, size_t n);

#endif
