/* term-input.c: turning wedge keystrokes into whole scans. */
#include "config.h"
#include "term-input.h"
#include "util.h"

#include <string.h>

void
term_input_init (struct term_input *self, int manual_gap_ms)
{
	memset (self, 0, sizeof *self);
	self->manual_gap_ms = manual_gap_ms > 0 ? manual_gap_ms : 60;
	self->one_char_keys = true;
}

void
term_input_clear (struct term_input *self)
{
	self->len = 0;
	self->buf[0] = '\0';
	self->max_gap_ms = 0;
	self->overflow = false;
}

static enum term_input_type
term_input_key (struct term_input_event *ev, int key)
{
	ev->type = TI_KEY;
	ev->key = key;
	ev->len = 0;
	ev->code[0] = '\0';
	return TI_KEY;
}

/* Enter or Tab: the entry is complete. */
static enum term_input_type
term_input_end (struct term_input *self, struct term_input_event *ev)
{
	if (self->len == 0)
		return term_input_key (ev, TK_ENTER);
	/* One character alone is a command (a digit for a function key, a menu
	 * choice): no code in this warehouse is one character long. */
	if (self->len == 1 && self->one_char_keys && !self->overflow) {
		int c = (unsigned char) self->buf[0];
		term_input_clear (self);
		return term_input_key (ev, c);
	}
	ev->type = TI_SCAN;
	ev->key = 0;
	ev->manual = self->max_gap_ms > self->manual_gap_ms;
	memcpy (ev->code, self->buf, self->len + 1);
	ev->len = self->len;
	term_input_clear (self);
	return TI_SCAN;
}

enum term_input_type
term_input_feed (struct term_input *self, int key, int64_t now_ms, struct term_input_event *ev)
{
	ev->type = TI_NONE;
	if (key == '\r' || key == '\n' || key == '\t' || key == TK_ENTER)
		return term_input_end (self, ev);
	if (key == TK_BACKSPACE || key == 0x7f || key == 0x08) {
		if (self->len == 0)
			return TI_NONE;
		self->buf[--self->len] = '\0';
		/* Editing is a person at the keys. */
		self->max_gap_ms = self->manual_gap_ms + 1;
		ev->type = TI_EDIT;
		return TI_EDIT;
	}
	if (key == TK_F2 && self->len > 0) {
		term_input_clear (self);
		ev->type = TI_EDIT;
		return TI_EDIT;
	}
	if (key > 0xff || key == 0x1b)
		return term_input_key (ev, key == 0x1b ? TK_ESC : key);
	if (key == 0)
		return TI_NONE; /* NUL cannot travel in a text field */
	if (self->immediate && self->len == 0 && key >= 0x20)
		return term_input_key (ev, key);
	if (self->len > 0 && now_ms - self->last_ms > self->max_gap_ms)
		self->max_gap_ms = now_ms - self->last_ms;
	self->last_ms = now_ms;
	if (self->len >= TERM_INPUT_MAX) {
		self->overflow = true;
		return TI_NONE;
	}
	self->buf[self->len++] = (char) key;
	self->buf[self->len] = '\0';
	ev->type = TI_EDIT;
	return TI_EDIT;
}

void
term_input_display (const struct term_input *self, char *out, size_t n)
{
	size_t i;
	for (i = 0; i < self->len && i + 1 < n; i++) {
		unsigned char c = (unsigned char) self->buf[i];
		out[i] = c < 0x20 ? '~' : (char) c;
	}
	out[i] = '\0';
}
