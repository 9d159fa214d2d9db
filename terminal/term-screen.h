/*
 * term-screen.h: the terminal's screen model. A screen says what it wants
 * shown (a term_view: title, body lines, prompt and field, the last answer,
 * the keys that act, a status line); term_screen_layout places that on a
 * grid of cells for the current window size. term-curses.c copies the grid
 * to the real terminal, and tests read it back as text, so the layout at
 * 16 x 20, 8 x 40 and 24 x 80 is checked without a terminal.
 *
 * A cell is a column: a character takes the columns wcwidth gives it in the
 * locale term_screen_locale sets (curses draws with the same), a Chinese one
 * two, an accent none (it rides on the letter before it). Text is laid out,
 * wrapped and cut by those columns, never inside a character.
 *
 * The view's strings stay the caller's; the screen copies what it draws.
 */
#ifndef DSP_TERM_SCREEN_H
#define DSP_TERM_SCREEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a cell means; the curses adapter turns these into colour or reverse video. */
enum term_attr {
	TA_NORMAL = 0,
	TA_TITLE,
	TA_OK,
	TA_WARN,
	TA_ERROR,
	TA_ALARM,
	TA_PROVISIONAL,
	TA_KEYS,
	TA_STATUS,
	TA_INPUT,
	TA_SELECT,
	TA_DIM,
	TA_COUNT
};
/* OR'ed into a body or side line's attribute: a list row whose first words
 * carry it (a quote's price and service) is cut at the width, not wrapped,
 * so the list stays one row per item. Every other line wraps. */
#define TA_NOWRAP 0x100

/* Message kinds, in increasing severity; the first four match proto_status. */
enum term_msg {
	TM_NONE = -1,
	TM_OK = 0,
	TM_WARN = 1,
	TM_REFUSED = 2,
	TM_ALARM = 3,
	TM_PROVISIONAL = 4, /* kept on the terminal, decided later by the hub */
	TM_INFO = 5,
};

/* Accents (zero-width characters) kept on one letter; more are not drawn. */
#define TERM_CELL_MARKS 3
/* The ch of a wide character's second column: curses draws nothing there. */
#define TERM_CELL_WIDE 0

struct term_cell {
	uint32_t ch;
	uint32_t marks[TERM_CELL_MARKS]; /* the accents drawn on ch, 0 after the last */
	uint8_t attr;
};

typedef struct term_screen {
	int rows, cols;
	struct term_cell *cells;
	int cursor_row, cursor_col; /* -1: hidden */
} term_screen_t;

struct term_line {
	const char *text;
	int attr;
};

#define TERM_VIEW_MAX_LINES 64

struct term_view {
	const char *title;
	bool working;                /* a request is out: show the sign */
	struct term_line body[TERM_VIEW_MAX_LINES];
	size_t nbody;
	int page;                    /* in: wanted page; out: the page shown */
	int pages;                   /* out */
	const char *prompt;          /* NULL: no field on this screen */
	/* What Enter alone takes ("Parcels (Enter=1)"), or an example of what
	 * to type ("Amount (e.g. 12.50)"): shown beside the prompt, or in the
	 * empty field when the prompt's row has no room. NULL: none. */
	const char *prompt_default;
	const char *prompt_example;
	const char *input;
	bool masked;                 /* PIN: show stars */
	enum term_msg msg;
	const char *msg_text;
	const char *keys[4];         /* labels for F1-F4; NULL keys are not shown */
	const char *keys_brief[4];   /* their short forms (NULL: the label): when a row cannot hold the labels;
	                              * where even those do not fit, the key line takes two rows */
	const char *operator;
	const char *station;
	const char *hub;             /* "HUB OK", "NO HUB"... */
	bool hub_ok;
	unsigned queued;             /* scans waiting in the journal */
	unsigned rejected;
	unsigned unprinted;          /* labels of this station the hub could not print yet */
	const char *side_title;      /* wide windows only, unless side_narrow */
	struct term_line side[TERM_VIEW_MAX_LINES];
	size_t nside;
	/* Narrow windows (no side panel): the side lines follow the body under
	 * side_title as a heading, paged with it, so they are never out of reach
	 * (the order's lines at Pack on a handheld). */
	bool side_narrow;
	/* What paging shows ("Lines"): the key line says "PgDn Lines" while the
	 * body has more than one page. NULL: nothing said. */
	const char *page_key;
};

/* The character set from the environment (LC_CTYPE only: numbers keep their
 * "."); when the environment names none (C, POSIX), C.UTF-8, the hub's. True
 * when it is UTF-8: else what it cannot show is drawn as '?'. */
bool term_screen_locale (void);

term_screen_t *term_screen_new (int rows, int cols);
void term_screen_destroy (term_screen_t **self_p);
void term_screen_resize (term_screen_t *self, int rows, int cols);
void term_screen_clear (term_screen_t *self);
/* Write UTF-8 text at row/col, at most width columns (a wide character that
 * would cross the edge is left out); returns columns used. */
int term_screen_put (term_screen_t *self, int row, int col, int width, int attr, const char *text);
/* Lay the view out for the screen's size (view->page and pages are updated). */
void term_screen_layout (term_screen_t *self, struct term_view *view);
/* Row as UTF-8 text without trailing blanks (caller frees): for tests and logs. */
char *term_screen_row_text (const term_screen_t *self, int row);
/* The whole screen, rows separated by newlines (caller frees). */
char *term_screen_text (const term_screen_t *self);
/* True when the view is laid out in two columns at this size. */
bool term_screen_is_wide (const term_screen_t *self);

/* The symbol that tells message kinds apart without colour. */
const char *term_screen_symbol (enum term_msg msg);

#endif
