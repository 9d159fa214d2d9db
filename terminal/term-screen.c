/* term-screen.c: the screen model and its layout for any window size. */
#include "config.h"
#include "term-screen.h"
#include "util.h"

#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* Cells hold code points and curses takes them as wchar_t: that needs wchar_t to be UCS-4. */
#ifndef __STDC_ISO_10646__
#error "wchar_t is not ISO 10646 here: term-screen.c and term-curses.c need it"
#endif

#define TERM_SCREEN_MAX_WRAP 32

/* Symbols first, so a monochrome screen (or a glance) tells them apart. */
static const struct {
	enum term_msg msg;
	const char *symbol;
	int attr;
} term_screen_msgs[] = {
	{ TM_OK, "OK", TA_OK },
	{ TM_WARN, "!!", TA_WARN },
	{ TM_REFUSED, "XX", TA_ERROR },
	{ TM_ALARM, "XX", TA_ALARM },
	{ TM_PROVISIONAL, "~~", TA_PROVISIONAL },
	{ TM_INFO, "--", TA_NORMAL },
};

const char *
term_screen_symbol (enum term_msg msg)
{
	for (size_t i = 0; i < nitems (term_screen_msgs); i++)
		if (term_screen_msgs[i].msg == msg)
			return term_screen_msgs[i].symbol;
	return "";
}

static int
term_screen_msg_attr (enum term_msg msg)
{
	for (size_t i = 0; i < nitems (term_screen_msgs); i++)
		if (term_screen_msgs[i].msg == msg)
			return term_screen_msgs[i].attr;
	return TA_NORMAL;
}

bool
term_screen_locale (void)
{
	const char *name = setlocale (LC_CTYPE, "");
	/* A session that sets no locale (a handheld's login often does not) still gets the hub's UTF-8. */
	if (name == NULL || strcmp (name, "C") == 0 || strcmp (name, "POSIX") == 0)
		setlocale (LC_CTYPE, "C.UTF-8");
	return strcmp (nl_langinfo (CODESET), "UTF-8") == 0;
}

term_screen_t *
term_screen_new (int rows, int cols)
{
	term_screen_t *self = xcalloc (1, sizeof *self);
	term_screen_resize (self, rows, cols);
	return self;
}

void
term_screen_destroy (term_screen_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	free ((*self_p)->cells);
	free (*self_p);
	*self_p = NULL;
}

void
term_screen_resize (term_screen_t *self, int rows, int cols)
{
	self->rows = rows < 1 ? 1 : rows;
	self->cols = cols < 1 ? 1 : cols;
	free (self->cells);
	self->cells = xcalloc ((size_t) self->rows * (size_t) self->cols, sizeof *self->cells);
	term_screen_clear (self);
}

void
term_screen_clear (term_screen_t *self)
{
	for (int i = 0; i < self->rows * self->cols; i++)
		self->cells[i] = (struct term_cell) { .ch = ' ', .attr = TA_NORMAL };
	self->cursor_row = self->cursor_col = -1;
}

bool
term_screen_is_wide (const term_screen_t *self)
{
	return self->cols >= 60 && self->rows >= 12;
}

/* Decode one UTF-8 sequence; invalid bytes come out as '?'. */
static uint32_t
term_screen_utf8 (const char **sp)
{
	const unsigned char *s = (const unsigned char *) *sp;
	uint32_t c = s[0];
	int n = 0;
	if (c < 0x80)
		n = 0;
	else if ((c & 0xe0) == 0xc0)
		n = 1, c &= 0x1f;
	else if ((c & 0xf0) == 0xe0)
		n = 2, c &= 0x0f;
	else if ((c & 0xf8) == 0xf0)
		n = 3, c &= 0x07;
	else {
		*sp += 1;
		return '?';
	}
	for (int i = 1; i <= n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*sp += i;
			return '?';
		}
		c = (c << 6) | (s[i] & 0x3f);
	}
	*sp += n + 1;
	if (c < 0x20 || (c >= 0x7f && c < 0xa0))
		return '~'; /* control bytes (GS...) keep their column */
	return c;
}

/* One character as it is drawn: a code point, the accents after it, its columns. */
struct term_screen_glyph {
	uint32_t ch;
	uint32_t marks[TERM_CELL_MARKS];
	int width;  /* 1 or 2; 0 for accents with no letter before them (not drawn) */
};

/* The glyph at *sp, which moves past it and its accents. */
static void
term_screen_glyph (const char **sp, struct term_screen_glyph *g)
{
	memset (g, 0, sizeof *g);
	uint32_t c = term_screen_utf8 (sp);
	int w = wcwidth ((wchar_t) c);
	if (w < 0) {
		c = '?'; /* a character the locale cannot show: one column, so curses never places it otherwise */
		w = 1;
	}
	g->ch = c;
	g->width = w > 2 ? 2 : w;
	if (w == 0) {
		g->ch = ' ';
		g->marks[0] = c;
	}
	for (int n = w == 0; **sp;) {
		const char *p = *sp;
		uint32_t m = term_screen_utf8 (&p);
		if (wcwidth ((wchar_t) m) != 0)
			break;
		if (n < TERM_CELL_MARKS)
			g->marks[n++] = m;
		*sp = p;
	}
}

/* Columns of UTF-8 text. */
static int
term_screen_width (const char *s)
{
	int n = 0;
	while (*s) {
		struct term_screen_glyph g;
		term_screen_glyph (&s, &g);
		n += g.width;
	}
	return n;
}

/* Pointer to the first character at or after column col of s (or its end). */
static const char *
term_screen_skip (const char *s, int col)
{
	for (int n = 0; *s && n < col;) {
		struct term_screen_glyph g;
		term_screen_glyph (&s, &g);
		n += g.width;
	}
	return s;
}

/* Before a cell is written: the other half of a wide character it is part of becomes a blank. */
static void
term_screen_unsplit (term_screen_t *self, int row, int col)
{
	struct term_cell *line = &self->cells[row * self->cols];
	if (line[col].ch == TERM_CELL_WIDE && col > 0)
		line[col - 1] = (struct term_cell) { .ch = ' ', .attr = line[col - 1].attr };
	else if (col + 1 < self->cols && line[col + 1].ch == TERM_CELL_WIDE)
		line[col + 1] = (struct term_cell) { .ch = ' ', .attr = line[col + 1].attr };
}

int
term_screen_put (term_screen_t *self, int row, int col, int width, int attr, const char *text)
{
	if (row < 0 || row >= self->rows || col < 0 || text == NULL)
		return 0;
	if (col + width > self->cols)
		width = self->cols - col;
	int n = 0;
	while (*text && n < width) {
		struct term_screen_glyph g;
		term_screen_glyph (&text, &g);
		if (g.width == 0)
			continue;
		if (n + g.width > width)
			break;
		for (int k = 0; k < g.width; k++)
			term_screen_unsplit (self, row, col + n + k);
		struct term_cell *cell = &self->cells[row * self->cols + col + n];
		cell->ch = g.ch;
		memcpy (cell->marks, g.marks, sizeof cell->marks);
		cell->attr = (uint8_t) attr;
		if (g.width == 2)
			cell[1] = (struct term_cell) { .ch = TERM_CELL_WIDE, .attr = (uint8_t) attr };
		n += g.width;
	}
	return n;
}

static void
term_screen_fill (term_screen_t *self, int row, int col, int width, int attr)
{
	if (row < 0 || row >= self->rows)
		return;
	for (int i = col; i < col + width && i < self->cols; i++) {
		term_screen_unsplit (self, row, i);
		self->cells[row * self->cols + i] = (struct term_cell) { .ch = ' ', .attr = (uint8_t) attr };
	}
}

/* A plain space at s (not one that carries an accent): where a line may break. */
static bool
term_screen_is_break (const char *s)
{
	if (*s != ' ')
		return false;
	const char *p = s + 1;
	return *p == '\0' || wcwidth ((wchar_t) term_screen_utf8 (&p)) != 0;
}

/*
 * Word-wrap text to width columns: up to max lines, each an offset and a
 * byte length into text, each the whole characters that fit in its columns.
 * Returns the number of lines needed (which may be more than max).
 */
static int
term_screen_wrap (const char *text, int width, const char **starts, size_t *lens, int max)
{
	int n = 0;
	const char *s = text;
	if (width < 1)
		return 0;
	while (*s) {
		while (term_screen_is_break (s))
			s++;
		if (*s == '\0')
			break;
		const char *start = s, *p = s, *brk = NULL, *brk_next = NULL;
		int col = 0;
		while (*p && *p != '\n') {
			if (term_screen_is_break (p)) {
				brk = p;
				brk_next = p + 1;
			}
			const char *q = p;
			struct term_screen_glyph g;
			term_screen_glyph (&q, &g);
			if (col + g.width > width)
				break;
			col += g.width;
			p = q;
		}
		const char *end;
		if (*p == '\0' || *p == '\n' || term_screen_is_break (p)) {
			end = p;
			s = *p ? p + 1 : p;
		} else if (brk != NULL && brk > start) {
			end = brk;
			s = brk_next;
		} else if (p > start) {
			end = p; /* a word longer than the line: break it between characters */
			s = p;
		} else {
			struct term_screen_glyph g;
			term_screen_glyph (&p, &g); /* wider than the line itself: taken, and left out when drawn */
			end = s = p;
		}
		if (n < max) {
			starts[n] = start;
			lens[n] = (size_t) (end - start);
		}
		n++;
	}
	return n;
}

static void
term_screen_put_n (term_screen_t *self, int row, int col, int width, int attr, const char *text, size_t len)
{
	char *copy = xstrndup (text, len);
	term_screen_put (self, row, col, width, attr, copy);
	free (copy);
}

/* A body or side line as the rows it takes at a width: word-wrapped, the
 * continuation rows one column in, so a long line (an address, an item's
 * description) is never cut at 20 columns; the pages count these rows. */
struct term_screen_row {
	const char *start;
	size_t len;
	int attr;
	bool cont;
};

/* Rows one line may take: the longest text of an order (a name of 128
 * Chinese characters, 256 columns) whole under its label at 20 columns. */
#define TERM_SCREEN_ROWS_PER_LINE 16

static int
term_screen_rows (const struct term_line *lines, size_t nlines, int width, struct term_screen_row *out, int max)
{
	int n = 0;
	for (size_t i = 0; i < nlines && n < max; i++) {
		const char *text = lines[i].text ? lines[i].text : "";
		int attr = lines[i].attr & ~TA_NOWRAP;
		const char *starts[TERM_SCREEN_ROWS_PER_LINE];
		size_t lens[TERM_SCREEN_ROWS_PER_LINE];
		int k = term_screen_width (text) <= width || (lines[i].attr & TA_NOWRAP) ? 1
		    : term_screen_wrap (text, width - 1, starts, lens, TERM_SCREEN_ROWS_PER_LINE);
		if (k <= 1 || width < 2) {
			out[n++] = (struct term_screen_row) { text, strlen (text), attr, false };
			continue;
		}
		if (k > TERM_SCREEN_ROWS_PER_LINE)
			k = TERM_SCREEN_ROWS_PER_LINE; /* longer still (a note): the last row is cut */
		for (int j = 0; j < k && n < max; j++)
			out[n++] = (struct term_screen_row) { starts[j], lens[j], attr, j > 0 };
	}
	return n;
}

/* One key of the key line: "F2 Dmgd", or the paging key "PgDn Lines" (k = 4). */
static size_t
term_screen_key_put (const struct term_view *v, int k, bool brief, char *out, size_t room, bool first)
{
	if (k == 4)
		return (size_t) snprintf (out, room, "%sPgDn %s", first ? "" : " ", v->page_key);
	const char *label = brief && v->keys_brief[k] ? v->keys_brief[k] : v->keys[k];
	return (size_t) snprintf (out, room, "%sF%d %s", first ? "" : " ", k + 1, label);
}

/*
 * The key line: only the keys that act ("F1 Lines F3 Back"), and PgDn when
 * paging is said (paged). Every active key always says what it does: the
 * labels if one row holds them, else their short forms, else the keys split
 * over two rows (at 20 columns: two keys a row, "F1 Lines F2 Dmgd" over
 * "F3 Back F4 Short"). Returns the rows it takes (0-2), the text of each in
 * lines.
 */
static int
term_screen_key_lines (const term_screen_t *self, const struct term_view *v, bool paged, char lines[2][256])
{
	int act[5], n = 0;
	for (int k = 0; k < 4; k++)
		if (v->keys[k])
			act[n++] = k;
	if (paged && v->page_key)
		act[n++] = 4;
	if (n == 0)
		return 0;
	/* Keys from..to-1 of act into out, with labels or short forms. */
	for (int rowsplit = 1; rowsplit <= 2; rowsplit++) {
		if (rowsplit == 2 && (self->rows < 10 || n < 2))
			break;
		int per = (n + rowsplit - 1) / rowsplit;
		bool fits = true;
		for (int r = 0; r < rowsplit; r++) {
			bool row_fits = false;
			for (int brief = 0; brief <= 1 && !row_fits; brief++) {
				size_t len = 0;
				lines[r][0] = '\0';
				for (int i = r * per; i < n && i < (r + 1) * per; i++) {
					len += term_screen_key_put (v, act[i], brief, lines[r] + len, 256 - len, len == 0);
					if (len >= 256)
						len = 255;
				}
				row_fits = term_screen_width (lines[r]) <= self->cols;
			}
			fits = fits && row_fits;
		}
		if (fits)
			return rowsplit;
	}
	/* Too narrow even for that: one row of short forms, cut at the edge. */
	size_t len = 0;
	lines[0][0] = '\0';
	for (int i = 0; i < n; i++) {
		len += term_screen_key_put (v, act[i], true, lines[0] + len, 256 - len, len == 0);
		if (len >= 256)
			len = 255;
	}
	return 1;
}

static void
term_screen_keys (term_screen_t *self, char lines[2][256], int nrows, int row)
{
	for (int r = 0; r < nrows; r++) {
		term_screen_fill (self, row + r, 0, self->cols, TA_KEYS);
		term_screen_put (self, row + r, 0, self->cols, TA_KEYS, lines[r]);
	}
}

/* Operator and station on the left; queue and hub state always on the right. */
static void
term_screen_status (term_screen_t *self, const struct term_view *v, int row)
{
	char right[64];
	size_t n = 0;
	right[0] = '\0';
	if (v->rejected)
		n += (size_t) snprintf (right + n, sizeof right - n, "R%u ", v->rejected);
	if (v->unprinted)
		n += (size_t) snprintf (right + n, sizeof right - n, "P%u ", v->unprinted);
	if (v->queued)
		n += (size_t) snprintf (right + n, sizeof right - n, "Q%u ", v->queued);
	snprintf (right + n, sizeof right - n, "%s", v->hub ? v->hub : "");
	char *left = xasprintf ("%s %s", v->operator && *v->operator ? v->operator : "-", v->station ? v->station : "");
	term_screen_fill (self, row, 0, self->cols, TA_STATUS);
	/* The bottom-right cell stays blank: many terminals scroll when it is written. */
	int rw = term_screen_width (right);
	if (rw > self->cols - 1)
		rw = self->cols - 1;
	term_screen_put (self, row, 0, self->cols - rw - 2, TA_STATUS, left);
	free (left);
	term_screen_put (self, row, self->cols - rw - 1, rw, v->hub_ok ? TA_STATUS : TA_ERROR, right);
}

/* Where each page of the body starts (rows brows from 0, bodyrows a page): a
 * page starts at a line's first row, so a line that fits on a page is never
 * cut between two (a row of a list read whole); a longer one is cut by page. */
enum { TERM_SCREEN_MAX_PAGES = 256 };

static int
term_screen_pages (const struct term_screen_row *brows, int nbrows, int bodyrows, int pstart[TERM_SCREEN_MAX_PAGES + 1])
{
	int pages = 1;
	pstart[0] = 0;
	for (int r = 0; bodyrows > 0 && r < nbrows;) {
		int len = 1;
		while (r + len < nbrows && brows[r + len].cont)
			len++;
		int used = r - pstart[pages - 1];
		if (used > 0 && used + len > bodyrows && len <= bodyrows && pages < TERM_SCREEN_MAX_PAGES)
			pstart[pages++] = r;
		while (r + len - pstart[pages - 1] > bodyrows && pages < TERM_SCREEN_MAX_PAGES) {
			pstart[pages] = pstart[pages - 1] + bodyrows;
			pages++;
		}
		r += len;
	}
	pstart[pages] = nbrows;
	return pages;
}

void
term_screen_layout (term_screen_t *self, struct term_view *v)
{
	term_screen_clear (self);
	int rows = self->rows, cols = self->cols;
	bool wide = term_screen_is_wide (self);
	int mainw = wide ? cols / 2 : cols;

	/* A narrow window with side_narrow: the side lines follow the body, under their heading. */
	struct term_line lines[2 * TERM_VIEW_MAX_LINES + 1];
	size_t nlines = 0;
	for (size_t i = 0; i < v->nbody && i < TERM_VIEW_MAX_LINES; i++)
		lines[nlines++] = v->body[i];
	if (!wide && v->side_narrow && v->nside > 0) {
		lines[nlines++] = (struct term_line) { v->side_title ? v->side_title : "", TA_TITLE };
		for (size_t i = 0; i < v->nside && i < TERM_VIEW_MAX_LINES; i++)
			lines[nlines++] = v->side[i];
	}
	struct term_screen_row brows[(2 * TERM_VIEW_MAX_LINES + 1) * TERM_SCREEN_ROWS_PER_LINE];
	int nbrows = term_screen_rows (lines, nlines, mainw, brows, (int) nitems (brows));

	/* The key line says PgDn only when there is a page to go to: laid out
	 * with it first, and again without it when one page holds everything
	 * (a row freed can only keep it so). */
	char keylines[2][256];
	const char *starts[TERM_SCREEN_MAX_WRAP];
	size_t lens[TERM_SCREEN_MAX_WRAP];
	char msg[1024] = "";
	int keyrows = 0, inrows = 0, msglines = 0, need = 0, bodyrows = 0, top = 1, bottom = rows - 1, pages = 1;
	int pstart[TERM_SCREEN_MAX_PAGES + 1] = { 0 };
	for (int pass = v->page_key ? 0 : 1; pass < 2; pass++) {
		keyrows = term_screen_key_lines (self, v, pass == 0, keylines);

		/* Fixed rows: title, status, keys; the field takes one row, or two when narrow. */
		bottom = rows - 1 - keyrows;
		inrows = v->prompt == NULL ? 0 : (mainw >= 30 ? 1 : 2);
		int avail = bottom - top - inrows;
		if (avail < 0) {
			inrows = v->prompt ? 1 : 0;
			avail = bottom - top - inrows;
			if (avail < 0)
				avail = 0;
		}

		/* The answer first: it is what the operator looks at after a scan. */
		msglines = need = 0;
		if (v->msg != TM_NONE && v->msg_text) {
			snprintf (msg, sizeof msg, "%s %s", term_screen_symbol (v->msg), v->msg_text);
			need = term_screen_wrap (msg, mainw, starts, lens, TERM_SCREEN_MAX_WRAP);
			/* The body keeps a row (and its page count) whatever the message: the rest is the message's. */
			int maxmsg = avail - (nlines > 0 ? 1 : 0);
			if (maxmsg < 1)
				maxmsg = avail;
			msglines = need < maxmsg ? need : maxmsg;
			if (msglines > TERM_SCREEN_MAX_WRAP)
				msglines = TERM_SCREEN_MAX_WRAP;
		}
		bodyrows = avail - msglines;

		/* Body, wrapped to the width and paged. */
		pages = term_screen_pages (brows, nbrows, bodyrows, pstart);
		if (pages > 1)
			break;
	}
	if (v->page >= pages)
		v->page = pages - 1;
	if (v->page < 0)
		v->page = 0;
	v->pages = pages;

	/* Title bar: name on the left, working sign and page on the right. */
	char right[32] = "";
	snprintf (right, sizeof right, "%s%s", pages > 1 ? "" : "", v->working ? " ..." : "");
	if (pages > 1)
		snprintf (right, sizeof right, "%d/%d%s", v->page + 1, pages, v->working ? " ..." : "");
	term_screen_fill (self, 0, 0, cols, TA_TITLE);
	int rw = term_screen_width (right);
	term_screen_put (self, 0, 0, cols - rw - 1, TA_TITLE, v->title ? v->title : "");
	term_screen_put (self, 0, cols - rw, rw, TA_TITLE, right);

	int row = top;
	for (int i = 0; i < bodyrows; i++, row++) {
		int k = pstart[v->page] + i;
		if (k < pstart[v->page + 1])
			term_screen_put_n (self, row, brows[k].cont ? 1 : 0, mainw - (brows[k].cont ? 1 : 0), brows[k].attr,
			    brows[k].start, brows[k].len);
	}

	/* The field: prompt and what has been typed; the tail when too long. */
	if (inrows > 0) {
		char shown[TERM_VIEW_MAX_LINES * 8 + 600];
		const char *in = v->input ? v->input : "";
		if (v->masked) {
			int n = term_screen_width (in);
			memset (shown, '*', (size_t) n);
			shown[n] = '\0';
		} else
			util_strlcpy (shown, in, sizeof shown);
		int col = 0;
		/* A default reads "(Enter=1)", an example "(e.g. 12.50)": never the one for the other. */
		char hint[96] = "", prompt[TERM_VIEW_MAX_LINES * 4];
		if (v->prompt_default && *v->prompt_default)
			snprintf (hint, sizeof hint, "(Enter=%s)", v->prompt_default);
		else if (v->prompt_example && *v->prompt_example)
			snprintf (hint, sizeof hint, "(e.g. %s)", v->prompt_example);
		snprintf (prompt, sizeof prompt, "%s%s%s", v->prompt, *hint ? " " : "", hint);
		/* No room beside the prompt: the hint waits in the empty field instead. */
		int prompt_cols = term_screen_width (prompt) + (inrows == 2 ? 0 : 3);
		bool in_field = *hint && prompt_cols > mainw;
		if (in_field)
			snprintf (prompt, sizeof prompt, "%s", v->prompt);
		if (inrows == 2) {
			term_screen_put (self, row, 0, mainw, TA_NORMAL, prompt);
			row++;
		} else {
			col = term_screen_put (self, row, 0, mainw, TA_NORMAL, prompt);
			col += term_screen_put (self, row, col, mainw - col, TA_NORMAL, " ");
		}
		term_screen_put (self, row, col, mainw - col, TA_INPUT, ">");
		col++;
		int room = mainw - col - 1; /* one column for the cursor */
		int w = term_screen_width (shown);
		const char *tail = w > room ? term_screen_skip (shown, w - room) : shown;
		term_screen_fill (self, row, col, room + 1, TA_INPUT);
		int n = term_screen_put (self, row, col, room, TA_INPUT, tail);
		if (in_field && *shown == '\0')
			term_screen_put (self, row, col + 1, room - 1, TA_DIM, hint);
		self->cursor_row = row;
		self->cursor_col = col + n;
		row++;
	}

	/* The message, its colour and symbol by kind; cut lines end in '>'. */
	int mattr = term_screen_msg_attr (v->msg);
	for (int i = 0; i < msglines; i++, row++) {
		term_screen_fill (self, row, 0, mainw, mattr);
		term_screen_put_n (self, row, 0, mainw, mattr, starts[i], lens[i]);
		if (i == msglines - 1 && need > msglines)
			term_screen_put (self, row, mainw - 1, 1, mattr, ">");
	}

	/* Wide windows: a side panel (order lines, parcels, recent scans). */
	if (wide) {
		int sc = mainw + 1, sw = cols - sc;
		for (int r = 1; r < bottom; r++)
			term_screen_put (self, r, mainw, 1, TA_DIM, "|");
		int r = 1;
		if (v->side_title)
			term_screen_put (self, r++, sc, sw, TA_TITLE, v->side_title);
		struct term_screen_row srows[TERM_VIEW_MAX_LINES * TERM_SCREEN_ROWS_PER_LINE];
		int nsrows = term_screen_rows (v->side, v->nside, sw, srows, (int) nitems (srows));
		for (int i = 0; i < nsrows && r < bottom; i++, r++)
			term_screen_put_n (self, r, sc + (srows[i].cont ? 1 : 0), sw - (srows[i].cont ? 1 : 0), srows[i].attr,
			    srows[i].start, srows[i].len);
	}

	if (keyrows)
		term_screen_keys (self, keylines, keyrows, rows - 1 - keyrows);
	term_screen_status (self, v, rows - 1);
}

static size_t
term_screen_utf8_put (char *out, uint32_t c)
{
	if (c < 0x80) {
		out[0] = (char) c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char) (0xc0 | (c >> 6));
		out[1] = (char) (0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char) (0xe0 | (c >> 12));
		out[1] = (char) (0x80 | ((c >> 6) & 0x3f));
		out[2] = (char) (0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (char) (0xf0 | (c >> 18));
	out[1] = (char) (0x80 | ((c >> 12) & 0x3f));
	out[2] = (char) (0x80 | ((c >> 6) & 0x3f));
	out[3] = (char) (0x80 | (c & 0x3f));
	return 4;
}

/* Bytes of UTF-8 a row of the screen may take: 4 for each character and each of its accents. */
#define TERM_SCREEN_CELL_BYTES (4 * (1 + TERM_CELL_MARKS))

char *
term_screen_row_text (const term_screen_t *self, int row)
{
	char *out = xmalloc ((size_t) self->cols * TERM_SCREEN_CELL_BYTES + 1);
	size_t n = 0, keep = 0;
	for (int c = 0; c < self->cols && row >= 0 && row < self->rows; c++) {
		const struct term_cell *cell = &self->cells[row * self->cols + c];
		if (cell->ch == TERM_CELL_WIDE)
			continue;
		n += term_screen_utf8_put (out + n, cell->ch);
		for (int k = 0; k < TERM_CELL_MARKS && cell->marks[k]; k++)
			n += term_screen_utf8_put (out + n, cell->marks[k]);
		if (cell->ch != ' ' || cell->marks[0])
			keep = n;
	}
	out[keep] = '\0';
	return out;
}

char *
term_screen_text (const term_screen_t *self)
{
	size_t cap = (size_t) self->rows * ((size_t) self->cols * TERM_SCREEN_CELL_BYTES + 1) + 1, n = 0;
	char *out = xmalloc (cap);
	for (int r = 0; r < self->rows; r++) {
		char *line = term_screen_row_text (self, r);
		n += (size_t) snprintf (out + n, cap - n, "%s\n", line);
		free (line);
	}
	return out;
}
