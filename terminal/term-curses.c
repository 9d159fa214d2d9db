/* term-curses.c: the terminal's one curses file. */
#include "config.h"
#include "term-curses.h"
#include "term-input.h"
#include "util.h"

#include <curses.h>
#include <stdlib.h>
#include <unistd.h>
#include <wchar.h>

static bool term_curses_colour;

/* What each cell kind looks like in colour and on a monochrome screen. */
static const struct {
	int attr;
	short fg, bg;
	attr_t colour, mono;
} term_curses_attrs[] = {
	{ TA_NORMAL, -1, -1, A_NORMAL, A_NORMAL },
	{ TA_TITLE, COLOR_WHITE, COLOR_BLUE, A_BOLD, A_REVERSE },
	{ TA_OK, COLOR_BLACK, COLOR_GREEN, A_BOLD, A_BOLD },
	{ TA_WARN, COLOR_BLACK, COLOR_YELLOW, A_BOLD, A_REVERSE },
	{ TA_ERROR, COLOR_WHITE, COLOR_RED, A_BOLD, A_REVERSE | A_BOLD },
	{ TA_ALARM, COLOR_YELLOW, COLOR_RED, A_BOLD | A_BLINK, A_REVERSE | A_BOLD | A_BLINK },
	{ TA_PROVISIONAL, COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_UNDERLINE },
	{ TA_KEYS, COLOR_BLACK, COLOR_WHITE, A_NORMAL, A_REVERSE },
	{ TA_STATUS, COLOR_WHITE, COLOR_BLACK, A_REVERSE, A_REVERSE },
	{ TA_INPUT, -1, -1, A_UNDERLINE, A_UNDERLINE },
	{ TA_SELECT, -1, -1, A_BOLD, A_BOLD },
	{ TA_DIM, -1, -1, A_DIM, A_DIM },
};

/* Keys beyond bytes, as term-input.h names them. */
static const struct {
	int curses;
	int key;
} term_curses_keys[] = {
	{ KEY_F (1), TK_F1 },
	{ KEY_F (2), TK_F2 },
	{ KEY_F (3), TK_F3 },
	{ KEY_F (4), TK_F4 },
	{ KEY_UP, TK_UP },
	{ KEY_DOWN, TK_DOWN },
	{ KEY_PPAGE, TK_PGUP },
	{ KEY_NPAGE, TK_PGDN },
	{ KEY_BACKSPACE, TK_BACKSPACE },
	{ KEY_ENTER, TK_ENTER },
	{ KEY_RESIZE, TK_RESIZE },
};

int
term_curses_init (bool mono)
{
	/* A bare Esc (back) must not wait a second for a sequence that never comes. */
	set_escdelay (25);
	if (initscr () == NULL)
		return -1;
	raw (); /* every byte, GS (0x1D) included, reaches the scan buffer */
	noecho ();
	nonl ();
	keypad (stdscr, TRUE);
	nodelay (stdscr, TRUE);
	meta (stdscr, TRUE);
	term_curses_colour = !mono && has_colors ();
	if (term_curses_colour) {
		start_color ();
		use_default_colors ();
		for (size_t i = 0; i < nitems (term_curses_attrs); i++)
			init_pair ((short) (i + 1), term_curses_attrs[i].fg, term_curses_attrs[i].bg);
	}
	return 0;
}

void
term_curses_end (void)
{
	endwin ();
}

void
term_curses_size (int *rows, int *cols)
{
	getmaxyx (stdscr, *rows, *cols);
}

int
term_curses_fd (void)
{
	return STDIN_FILENO;
}

int
term_curses_key (void)
{
	for (;;) {
		int c = getch ();
		if (c == ERR)
			return -1;
		if (c >= 0 && c <= 0xff)
			return c;
		for (size_t i = 0; i < nitems (term_curses_keys); i++)
			if (term_curses_keys[i].curses == c)
				return term_curses_keys[i].key;
		/* other keys do nothing here */
	}
}

static attr_t
term_curses_attr (int attr, bool flash)
{
	for (size_t i = 0; i < nitems (term_curses_attrs); i++) {
		if (term_curses_attrs[i].attr != attr)
			continue;
		attr_t a = term_curses_colour ? term_curses_attrs[i].colour | COLOR_PAIR ((int) i + 1)
		                              : term_curses_attrs[i].mono;
		/* A flash turns every cell over, in colour and on monochrome alike. */
		return flash ? a ^ A_REVERSE : a;
	}
	return flash ? A_REVERSE : A_NORMAL;
}

/* Not curses' flash(): its terminfo padding sleeps 100 ms inside the call. */
void
term_curses_draw (const term_screen_t *scr, bool flash)
{
	int rows, cols;
	getmaxyx (stdscr, rows, cols);
	wchar_t run[1024];
	for (int r = 0; r < scr->rows && r < rows; r++) {
		/* The bottom-right cell cannot be written without scrolling on some terminals. */
		int end = scr->cols < cols ? scr->cols : cols;
		if (r == rows - 1 && end == cols)
			end--;
		const struct term_cell *line = &scr->cells[r * scr->cols];
		int c = 0;
		while (c < end) {
			int attr = line[c].attr, start = c, n = 0;
			/* A wide character takes its two columns (curses moves on by its wcwidth, as the
			 * screen counted); its second cell draws nothing, its accents follow it. */
			for (; c < end && line[c].attr == attr && n < 1024 - 1 - TERM_CELL_MARKS; c++) {
				if (line[c].ch == TERM_CELL_WIDE)
					continue;
				bool wide = c + 1 < scr->cols && line[c + 1].ch == TERM_CELL_WIDE;
				if (wide && c + 1 >= end) {
					run[n++] = L' '; /* its second column is off the window */
					continue;
				}
				run[n++] = (wchar_t) line[c].ch;
				for (int k = 0; k < TERM_CELL_MARKS && line[c].marks[k]; k++)
					run[n++] = (wchar_t) line[c].marks[k];
			}
			run[n] = L'\0';
			attrset (term_curses_attr (attr, flash));
			if (n > 0)
				mvaddnwstr (r, start, run, n);
		}
	}
	attrset (A_NORMAL);
	if (scr->cursor_row >= 0 && scr->cursor_row < rows && scr->cursor_col < cols) {
		curs_set (1);
		move (scr->cursor_row, scr->cursor_col);
	} else {
		curs_set (0);
	}
	refresh ();
}

void
term_curses_beep (void)
{
	beep ();
}
