/*
 * test-term-input.c: keyboard-wedge assembly without a terminal. A burst
 * of characters and Enter at scanner speed is one scan, every byte kept
 * (GS, symbology identifiers); Tab ends a scan too; typing slowly or
 * editing marks the entry manual; nothing is merged or split.
 */
#include "config.h"
#include "tests/tap.h"
#include "terminal/term-input.h"

#include <string.h>

/* Feed text one byte every gap_ms from *now, then end (Enter unless 0);
 * returns the last event's type, with the event in *ev. */
static enum term_input_type
feed (struct term_input *in, const char *text, size_t len, int gap_ms, int end, int64_t *now,
    struct term_input_event *ev, int *scans)
{
	enum term_input_type type = TI_NONE;
	for (size_t i = 0; i < len; i++) {
		*now += gap_ms;
		type = term_input_feed (in, (unsigned char) text[i], *now, ev);
		if (type == TI_SCAN && scans)
			(*scans)++;
	}
	if (end) {
		*now += gap_ms;
		type = term_input_feed (in, end, *now, ev);
		if (type == TI_SCAN && scans)
			(*scans)++;
	}
	return type;
}

int
main (void)
{
	struct term_input in;
	struct term_input_event ev;
	int64_t now = 1000;
	int scans = 0;

	term_input_init (&in, 60);
	enum term_input_type type = feed (&in, "W1000001", 8, 2, '\r', &now, &ev, &scans);
	is_int (type, TI_SCAN, "a burst then Enter is a scan");
	is_int (scans, 1, "exactly one scan for the burst");
	is_str (ev.code, "W1000001", "every character kept, in order");
	ok (!ev.manual, "at scanner speed it is not manual");

	/* The characters before Enter are field edits, never scans. */
	term_input_clear (&in);
	ok (term_input_feed (&in, 'A', now += 2, &ev) == TI_EDIT, "a character alone is an edit of the field");

	/* GS1 with a symbology identifier and GS (0x1D) separators. */
	term_input_init (&in, 60);
	const char gs1[] = "]C1" "0109506000134352" "\x1d" "10ABC123" "\x1d" "400REF-9";
	scans = 0;
	type = feed (&in, gs1, sizeof gs1 - 1, 3, '\r', &now, &ev, &scans);
	is_int (type, TI_SCAN, "GS1 data is one scan");
	is_int (ev.len, sizeof gs1 - 1, "its length is kept");
	ok (memcmp (ev.code, gs1, sizeof gs1 - 1) == 0, "GS separators and the ]C1 identifier are kept byte for byte");
	is_int (scans, 1, "GS does not end or split the scan");

	/* Shown with '~' in place of GS, same width. */
	feed (&in, gs1, sizeof gs1 - 1, 3, 0, &now, &ev, NULL);
	char shown[TERM_INPUT_MAX + 1];
	term_input_display (&in, shown, sizeof shown);
	is_int (strlen (shown), sizeof gs1 - 1, "the field shows every character");
	ok (strchr (shown, 0x1d) == NULL && strchr (shown, '~') != NULL, "GS is shown as '~'");
	term_input_clear (&in);

	/* Tab ends a scan as Enter does. */
	type = feed (&in, "CAGE-DPD", 8, 2, '\t', &now, &ev, NULL);
	is_int (type, TI_SCAN, "Tab ends a scan");
	is_str (ev.code, "CAGE-DPD", "the Tab is not part of the code");

	/* Two codes in one burst: two scans, neither merged nor split. */
	const char two[] = "W1000001\rT1000002\r";
	scans = 0;
	int64_t t0 = now;
	char first[TERM_INPUT_MAX + 1] = "";
	for (size_t i = 0; i < sizeof two - 1; i++) {
		if (term_input_feed (&in, (unsigned char) two[i], ++t0, &ev) == TI_SCAN) {
			if (++scans == 1)
				snprintf (first, sizeof first, "%s", ev.code);
		}
	}
	now = t0;
	is_int (scans, 2, "two codes in one burst are two scans");
	is_str (first, "W1000001", "the first is whole");
	is_str (ev.code, "T1000002", "the second is whole");

	/* A person typing: gaps longer than manual_gap_ms. */
	type = feed (&in, "W1000001", 8, 150, '\r', &now, &ev, NULL);
	is_int (type, TI_SCAN, "typed by hand, Enter ends the entry");
	ok (ev.manual, "typing slowly marks it manual");
	type = feed (&in, "W1000001", 8, 60, '\r', &now, &ev, NULL);
	ok (!ev.manual, "gaps of exactly manual_gap_ms still count as the scanner");

	/* One slow gap in a fast entry is enough. */
	feed (&in, "W100", 4, 2, 0, &now, &ev, NULL);
	now += 500;
	type = feed (&in, "0001", 4, 2, '\r', &now, &ev, NULL);
	ok (ev.manual, "one long pause inside the entry marks it manual");

	/* Editing is a person. */
	feed (&in, "W1000002", 8, 2, 0, &now, &ev, NULL);
	ok (term_input_feed (&in, TK_BACKSPACE, now += 2, &ev) == TI_EDIT, "backspace edits the field");
	type = feed (&in, "1", 1, 2, '\r', &now, &ev, NULL);
	is_str (ev.code, "W1000001", "backspace removed one character");
	ok (ev.manual, "an edited entry is manual");

	/* Keys: one character alone on a code field, Enter alone, function keys. */
	type = feed (&in, "3", 1, 2, '\r', &now, &ev, NULL);
	ok (type == TI_KEY && ev.key == '3', "one character then Enter is a key on a code field");
	in.one_char_keys = false;
	type = feed (&in, "3", 1, 2, '\r', &now, &ev, NULL);
	ok (type == TI_SCAN && strcmp (ev.code, "3") == 0, "and an entry on a text field");
	in.one_char_keys = true;
	type = term_input_feed (&in, '\r', now += 2, &ev);
	ok (type == TI_KEY && ev.key == TK_ENTER, "Enter on an empty field is the Enter key");
	type = term_input_feed (&in, TK_F1, now += 2, &ev);
	ok (type == TI_KEY && ev.key == TK_F1, "F1 is a key");
	type = term_input_feed (&in, 0x1b, now += 2, &ev);
	ok (type == TI_KEY && ev.key == TK_ESC, "Esc is a key");
	in.immediate = true;
	type = term_input_feed (&in, '5', now += 2, &ev);
	ok (type == TI_KEY && ev.key == '5', "on a menu a character acts at once");
	in.immediate = false;

	/* Longer than the buffer: cut at TERM_INPUT_MAX, never overrun, still one scan. */
	char big[TERM_INPUT_MAX + 100];
	memset (big, 'A', sizeof big);
	scans = 0;
	type = feed (&in, big, sizeof big, 1, '\r', &now, &ev, &scans);
	is_int (scans, 1, "an over-long burst is still one scan");
	is_int (ev.len, TERM_INPUT_MAX, "kept up to the field's size");
	type = feed (&in, "W1000003", 8, 2, '\r', &now, &ev, NULL);
	is_str (ev.code, "W1000003", "the next scan is clean");
	return tap_done ();
}
