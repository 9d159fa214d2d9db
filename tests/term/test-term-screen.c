/*
 * test-term-screen.c: the screen model laid out at the sizes the terminals
 * have (16 x 20 and 8 x 40 handhelds, 24 x 80 bench) and read back as
 * text: every body line is on some page (nothing cut off without paging),
 * the message line is always visible, the field, the keys and the status
 * line keep their places; the hub's longest print warnings are whole at 16 x 20;
 * names in Chinese, Greek, with combining accents and of 128 characters take
 * the columns a terminal gives them (wcwidth), never more, never half a
 * character, on the enquiry screen as the terminal builds it.
 */
#include "config.h"
#include "tests/tap.h"
#include "terminal/term-flow.h"
#include "terminal/term-screen.h"
#include "proto.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <locale.h>
#define term_screen_locale() (setlocale (LC_CTYPE, "C.UTF-8") != NULL)

static const int sizes[][2] = { { 16, 20 }, { 8, 40 }, { 24, 80 } };

static char body_text[40][32];

static void
view_fill (struct term_view *v, size_t nbody, const char *msg)
{
	memset (v, 0, sizeof *v);
	v->title = "LOCATE";
	for (size_t i = 0; i < nbody; i++) {
		snprintf (body_text[i], sizeof body_text[i], "L%02zu SKU-%zu", i + 1, i + 1);
		v->body[i] = (struct term_line) { body_text[i], TA_NORMAL };
	}
	v->nbody = nbody;
	v->prompt = "Scan item";
	v->input = "WW-DRS";
	v->msg = TM_REFUSED;
	v->msg_text = msg;
	v->keys[0] = "Ack";
	v->keys[2] = "Back";
	v->operator = "B1001";
	v->station = "DESP1";
	v->hub = "HUB OK";
	v->hub_ok = true;
	v->queued = 3;
}

static bool
screen_has (const term_screen_t *s, const char *text)
{
	char *all = term_screen_text (s);
	bool found = strstr (all, text) != NULL;
	free (all);
	return found;
}

/* The row holding text, or -1. */
static int
screen_row (const term_screen_t *s, const char *text)
{
	for (int r = 0; r < s->rows; r++) {
		char *row = term_screen_row_text (s, r);
		bool found = strstr (row, text) != NULL;
		free (row);
		if (found)
			return r;
	}
	return -1;
}

/* The first thing wrong with a row as a terminal draws it (each character
 * its wcwidth), or NULL: more than cols columns, a byte that is no UTF-8, a
 * '?' or U+FFFD for a character cut, an accent without its letter. With
 * divider >= 0 the side panel's '|' must be at that column. */
static const char *
row_fault (const char *row, int cols, int divider)
{
	mbstate_t ms;
	memset (&ms, 0, sizeof ms);
	int col = 0;
	bool divided = divider < 0;
	wchar_t prev = L' ';
	for (const char *p = row; *p;) {
		wchar_t wc;
		size_t n = mbrtowc (&wc, p, strlen (p), &ms);
		if (n == (size_t) -1 || n == (size_t) -2 || n == 0)
			return "not UTF-8";
		if (wc == L'?' || wc == 0xfffd)
			return "a character shown as '?'";
		int w = wcwidth (wc);
		if (w < 0)
			return "a character no terminal can show";
		if (w == 0 && prev == L' ')
			return "an accent apart from its letter";
		if (col == divider && wc == L'|')
			divided = true;
		col += w;
		prev = wc;
		p += n;
	}
	if (col > cols)
		return "wider than the screen";
	return divided ? NULL : "the side panel's '|' is not at its column";
}

/* Every row of the screen sound (row_fault); the fault and its row in why. */
static bool
screen_sound (const term_screen_t *s, char *why, size_t n)
{
	int mainw = term_screen_is_wide (s) ? s->cols / 2 : -1;
	for (int r = 0; r < s->rows; r++) {
		char *row = term_screen_row_text (s, r);
		/* The divider runs from under the title to above the key line. */
		const char *fault = row_fault (row, s->cols, r >= 1 && r < s->rows - 2 ? mainw : -1);
		if (fault)
			snprintf (why, n, "row %d: %s: '%s'", r, fault, row);
		free (row);
		if (fault)
			return false;
	}
	return true;
}

/* The characters drawn from column c0 to c1 of rows r0 to r1 - 1 (the body
 * or the side panel), without spaces, appended to out: a wrapped name read whole. */
static void
screen_region (const term_screen_t *s, int r0, int r1, int c0, int c1, char *out, size_t n)
{
	size_t o = strlen (out);
	for (int r = r0; r < r1; r++) {
		char *row = term_screen_row_text (s, r);
		mbstate_t ms;
		memset (&ms, 0, sizeof ms);
		int col = 0;
		for (const char *p = row; *p;) {
			wchar_t wc;
			size_t len = mbrtowc (&wc, p, strlen (p), &ms);
			if (len == (size_t) -1 || len == (size_t) -2 || len == 0)
				break;
			if (col >= c0 && col < c1 && wc != L' ' && o + len < n) {
				memcpy (out + o, p, len);
				o += len;
			}
			int w = wcwidth (wc);
			col += w > 0 ? w : 0;
			p += len;
		}
		free (row);
	}
	out[o] = '\0';
}

/* s without its spaces (caller frees). */
static char *
unspaced (const char *s)
{
	char *out = xstrdup (s), *o = out;
	for (; *s; s++)
		if (*s != ' ')
			*o++ = *s;
	*o = '\0';
	return out;
}

/* n copies of the UTF-8 character c (caller frees). */
static char *
repeat (const char *c, size_t n)
{
	size_t len = strlen (c);
	char *s = xmalloc (len * n + 1);
	for (size_t i = 0; i < n; i++)
		memcpy (s + i * len, c, len);
	s[len * n] = '\0';
	return s;
}

/*
 * The enquiry screen as the terminal builds it (term-flow-scan.c: the reply's
 * data as body lines, in words), with name as the customer, the message, the
 * field and the operator, and a list row cut at the width (TA_NOWRAP). Every
 * page is sound, and the name is whole in the body, read over its pages.
 */
static void
test_names (int rows, int cols, const char *what, const char *name)
{
	term_screen_t *s = term_screen_new (rows, cols);
	struct term *t = xcalloc (1, sizeof *t);
	proto_msg_t *r = proto_msg_new (PROTO_REPLY);
	proto_set_num (r, PROTO_REPLY_STATUS, PROTO_OK);
	proto_hash_set (r, PROTO_REPLY_DATA, "order", "M1000001");
	proto_hash_set (r, PROTO_REPLY_DATA, "status", "received");
	proto_hash_set (r, PROTO_REPLY_DATA, "customer", name);
	term_flow_data_lines (t, r, false);
	term_flow_data_lines (t, r, true);
	char *part = xasprintf ("M1000001|1|1|0|2026-11-24|%s|2026-11-23T10:00:00Z|1 SK-1 0/1 short", name);
	char row[TERM_LINE_MAX], listed[TERM_LINE_MAX + 8];
	term_flow_row_text ("part.1", part, row, sizeof row);
	snprintf (listed, sizeof listed, "1 %s", row);
	char *msg = xasprintf ("M1000001: received for %s", name);

	struct term_view v;
	memset (&v, 0, sizeof v);
	v.title = "ENQUIRY";
	for (int i = 0; i < t->nbody; i++)
		v.body[i] = (struct term_line) { t->body[i], t->body_attr[i] };
	v.body[t->nbody] = (struct term_line) { listed, TA_WARN | TA_NOWRAP };
	v.nbody = (size_t) t->nbody + 1;
	for (int i = 0; i < t->nside; i++)
		v.side[i] = (struct term_line) { t->side[i], t->side_attr[i] };
	v.nside = (size_t) t->nside;
	v.side_title = "Details";
	v.prompt = "Scan anything";
	v.input = name;
	v.msg = TM_OK;
	v.msg_text = msg;
	v.keys[2] = "Back";
	v.operator = name;
	v.station = "DESP1";
	v.hub = "HUB OK";
	v.hub_ok = true;

	char why[512] = "", body[8192] = "", side[8192] = "";
	bool sound = true;
	int mainw = term_screen_is_wide (s) ? cols / 2 : cols;
	for (int p = 0; p < 64; p++) {
		v.page = p;
		term_screen_layout (s, &v);
		if (v.page != p)
			break;
		if (sound && !screen_sound (s, why, sizeof why)) {
			sound = false;
			diag ("%dx%d %s, page %d:", rows, cols, what, p + 1);
			for (int k = 0; k < rows; k++) {
				char *line = term_screen_row_text (s, k);
				diag ("%s", line);
				free (line);
			}
		}
		/* The body ends above the field's prompt (beside it from 30 columns). */
		screen_region (s, 1, s->cursor_row - (mainw >= 30 ? 0 : 1), 0, mainw, body, sizeof body);
		if (p == 0 && term_screen_is_wide (s))
			screen_region (s, 1, rows - 1, mainw + 1, cols, side, sizeof side);
	}
	ok (sound, "%dx%d: %s: nothing wider than its column, nothing cut inside a character%s%s", rows, cols, what,
	    sound ? "" : ": ", why);
	char *want = unspaced (name);
	ok (strstr (body, want) != NULL, "%dx%d: %s: the name whole in the body, over %d page%s", rows, cols, what, v.pages,
	    v.pages == 1 ? "" : "s");
	if (term_screen_is_wide (s))
		ok (strstr (side, want) != NULL, "%dx%d: %s: and whole in the side panel", rows, cols, what);
	free (want);
	free (msg);
	free (part);
	proto_msg_destroy (&r);
	free (t);
	term_screen_destroy (&s);
}

int
main (void)
{
	/* As a handheld's session that names no locale: the terminal takes UTF-8 all the same. */
	setenv ("LC_ALL", "C", 1);
	ok (term_screen_locale (), "the terminal's character set is UTF-8 (wcwidth counts columns)");

	for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
		int rows = sizes[z][0], cols = sizes[z][1];
		term_screen_t *s = term_screen_new (rows, cols);
		struct term_view v;

		/* A short screen: everything on one page. */
		view_fill (&v, 2, "Wrong item");
		term_screen_layout (s, &v);
		is_int (v.pages, 1, "%dx%d: two body lines fit one page", rows, cols);
		ok (screen_row (s, "LOCATE") == 0, "%dx%d: title on the first row", rows, cols);
		ok (screen_has (s, "L01 SKU-1") && screen_has (s, "L02 SKU-2"), "%dx%d: the body is shown", rows, cols);
		ok (screen_row (s, "XX Wrong item") > 0, "%dx%d: the message with its symbol", rows, cols);
		ok (screen_row (s, "HUB OK") == rows - 1, "%dx%d: hub state on the last row", rows, cols);
		ok (screen_row (s, "Q3") == rows - 1, "%dx%d: the queue on the status line", rows, cols);
		ok (screen_row (s, "F1") == rows - 2 && screen_row (s, "F3") == rows - 2, "%dx%d: the keys above the status",
		    rows, cols);
		ok (screen_row (s, "F2") < 0 && screen_row (s, "F4") < 0, "%dx%d: keys that do nothing are not shown", rows,
		    cols);
		int in = screen_row (s, ">WW-DRS");
		ok (in > 0 && s->cursor_row == in, "%dx%d: the field shows the input, the cursor on it", rows, cols);
		char *status = term_screen_row_text (s, rows - 1);
		ok ((int) strlen (status) < cols, "%dx%d: the bottom-right cell stays blank", rows, cols);
		free (status);

		/* A long body: paged, and every line on exactly one page. */
		view_fill (&v, 40, "Short recorded; next line");
		int seen[40] = { 0 };
		int pages = 0;
		bool msg_always = true, field_always = true;
		for (int p = 0; p < 64; p++) {
			v.page = p;
			term_screen_layout (s, &v);
			if (v.page != p)
				break;
			pages = v.pages;
			for (int i = 0; i < 40; i++)
				if (screen_has (s, body_text[i]))
					seen[i]++;
			msg_always = msg_always && screen_row (s, "XX Short") > 0;
			field_always = field_always && screen_row (s, ">WW-DRS") > 0;
		}
		int once = 0;
		for (int i = 0; i < 40; i++)
			once += seen[i] == 1;
		ok (pages > 1, "%dx%d: 40 lines are paged (%d pages)", rows, cols, pages);
		is_int (once, 40, "%dx%d: every body line is on exactly one page: nothing cut off", rows, cols);
		ok (msg_always, "%dx%d: the message line is visible on every page", rows, cols);
		ok (field_always, "%dx%d: the field is on every page", rows, cols);
		char page_sign[16];
		v.page = 0;
		term_screen_layout (s, &v);
		snprintf (page_sign, sizeof page_sign, "1/%d", v.pages);
		ok (screen_row (s, page_sign) == 0, "%dx%d: the title shows the page (%s)", rows, cols, page_sign);
		v.page = 999;
		term_screen_layout (s, &v);
		is_int (v.page, v.pages - 1, "%dx%d: a page past the end shows the last", rows, cols);

		/* A long message: wrapped, never hidden; cut with '>' only when the screen is full. */
		char longmsg[400];
		snprintf (longmsg, sizeof longmsg, "Wrong cage: this parcel belongs on CAGE-DPD. Take it there and scan "
		                                   "it again; the supervisor has been told about it and will check");
		view_fill (&v, 40, longmsg);
		term_screen_layout (s, &v);
		int first = screen_row (s, "XX Wrong");
		ok (first > 0, "%dx%d: a long message starts on screen", rows, cols);
		ok (screen_has (s, "Take") || screen_has (s, ">"), "%dx%d: it wraps (or says it is cut)", rows, cols);
		ok (screen_row (s, "HUB OK") == rows - 1, "%dx%d: the status line stays", rows, cols);

		/* Working sign and the alarm kind. */
		view_fill (&v, 1, "Held: customer called");
		v.msg = TM_ALARM;
		v.working = true;
		term_screen_layout (s, &v);
		ok (screen_row (s, "...") == 0, "%dx%d: the working sign in the title bar", rows, cols);
		int mr = screen_row (s, "XX Held");
		ok (mr > 0 && s->cells[mr * cols].attr == TA_ALARM, "%dx%d: an alarm is drawn as an alarm", rows, cols);

		/* A menu: no field, the message still shown. */
		view_fill (&v, 12, "Logged in");
		v.prompt = NULL;
		v.msg = TM_OK;
		term_screen_layout (s, &v);
		ok (screen_row (s, "OK Logged in") > 0 && s->cursor_row < 0, "%dx%d: a menu has no field, still the message",
		    rows, cols);

		/* A body line wider than the screen wraps onto the next rows, one
		 * column in; a list row marked TA_NOWRAP is cut instead. */
		view_fill (&v, 2, "ok");
		v.body[0] = (struct term_line) { "Customer: Siobhan Ni Bhriain-Okonkwo of Kilkenny", TA_NORMAL };
		v.body[1] = (struct term_line) { "5.46 dpd/next-day DPD Next Day and more words", TA_NORMAL | TA_NOWRAP };
		term_screen_layout (s, &v);
		int cr = screen_row (s, "Customer:");
		ok (cr > 0 && screen_has (s, "Kilkenny") && screen_has (s, "Siobhan"), "%dx%d: a long line is shown whole",
		    rows, cols);
		if (cols < 48) {
			char *next = term_screen_row_text (s, cr + 1);
			ok (next[0] == ' ' && next[1] != ' ', "%dx%d: its continuation is one column in: '%s'", rows, cols, next);
			free (next);
		}
		int qr = screen_row (s, "5.46 dpd");
		ok (qr > 0 && (cols >= 45 || !screen_has (s, "more words")), "%dx%d: a TA_NOWRAP row keeps one row", rows,
		    cols);
		ok (qr > 0 && s->cells[qr * cols].attr == TA_NORMAL, "%dx%d: and its colour is its own (flag not drawn)", rows,
		    cols);

		/* Side panel only where there is room. */
		view_fill (&v, 2, "ok");
		v.side_title = "Order lines";
		v.side[0] = (struct term_line) { "found WW-DRS-1042", TA_NORMAL };
		v.nside = 1;
		term_screen_layout (s, &v);
		ok (term_screen_is_wide (s) == screen_has (s, "Order lines"), "%dx%d: side panel %s", rows, cols,
		    term_screen_is_wide (s) ? "shown" : "left out");

		/* side_narrow: where there is no panel the side lines follow the body, every one on some
		 * page, and the key line says PgDn while there is a page to go to. */
		static char side_text[10][48];
		for (int i = 0; i < 10; i++) {
			snprintf (side_text[i], sizeof side_text[i], "SKU-%d x1 jumper", i + 1);
			v.side[i] = (struct term_line) { side_text[i], TA_NORMAL };
		}
		v.nside = 10;
		v.side_narrow = true;
		v.page_key = "Lines";
		v.page = 0;
		term_screen_layout (s, &v);
		int npages = v.pages, nseen = 0;
		bool heading = false, pgdn = screen_has (s, "PgDn Lines");
		for (int p = 0; p < npages; p++) {
			v.page = p;
			term_screen_layout (s, &v);
			heading = heading || screen_has (s, "Order lines");
			for (int i = 0; i < 10; i++)
				nseen += screen_has (s, side_text[i]) ? 1 : 0;
		}
		if (term_screen_is_wide (s)) {
			ok (npages == 1 && nseen == 10 && !pgdn, "%dx%d: side_narrow keeps the lines in the panel", rows, cols);
		} else {
			ok (heading && nseen >= 10, "%dx%d: side_narrow: the heading and all 10 side lines on the body's %d pages",
			    rows, cols, npages);
			ok (npages > 1 && pgdn, "%dx%d: and the key line says PgDn Lines", rows, cols);
		}
		v.nbody = 0;
		v.nside = 1;
		v.page = 0;
		term_screen_layout (s, &v);
		ok (v.pages == 1 && screen_has (s, side_text[0]) && !screen_has (s, "PgDn"), "%dx%d: one page: no PgDn on the key line", rows, cols);
		term_screen_destroy (&s);
		ok (s == NULL, "%dx%d: destroy clears the pointer", rows, cols);
	}

	/* Resize keeps a usable screen, even absurdly small. */
	term_screen_t *s = term_screen_new (24, 80);
	struct term_view v;
	view_fill (&v, 5, "Tiny");
	term_screen_resize (s, 3, 10);
	term_screen_layout (s, &v);
	ok (screen_row (s, "XX") >= 0 || screen_row (s, "HUB") >= 0, "3x10: laid out without overrun");
	term_screen_resize (s, 16, 20);
	term_screen_layout (s, &v);
	ok (screen_row (s, "XX Tiny") > 0, "resized back to 16x20: the message is there");

	/* The hub's longest print sentences (a label printed before the cancel or redirect reached it), as a
	 * warning at 16x20 with a field and a body: whole on the message line, never cut with '>'. */
	static const char *const late[] = {
		"The label for T1000002/1 had already printed at label, so it was not cancelled: take it from there, or "
		"destroy it if it is not wanted",
		"The label for T1000002/1 had already printed at label; reprint it to send a copy to fallback \xe2\x80\x94 F4 "
		"reprint",
	};
	for (size_t i = 0; i < sizeof late / sizeof late[0]; i++) {
		view_fill (&v, 5, late[i]);
		v.msg = TM_WARN;
		v.keys[0] = NULL;
		v.keys[3] = "Reprint";
		term_screen_layout (s, &v);
		char *all = term_screen_text (s);
		/* The rows joined as a reader reads them: a row's end is a space, and blanks count as one. */
		char squeezed[4096];
		size_t o = 0;
		for (const char *c = all; *c && o + 1 < sizeof squeezed; c++) {
			char ch = *c == '\n' ? ' ' : *c;
			if (!(ch == ' ' && o > 0 && squeezed[o - 1] == ' '))
				squeezed[o++] = ch;
		}
		squeezed[o] = '\0';
		char want[256];
		snprintf (want, sizeof want, "!! %s", late[i]);
		ok (strstr (squeezed, want) != NULL && strstr (all, ">\n") == NULL, "16x20: the late print's warning %zu whole",
		    i + 1);
		if (strstr (squeezed, want) == NULL)
			diag ("%s", all);
		free (all);
	}

	/* UTF-8 counted by characters; control bytes keep their column. */
	term_screen_clear (s);
	is_int (term_screen_put (s, 1, 0, 20, TA_NORMAL, "Caf\xc3\xa9 \xe2\x80\x94 \x1d!"), 9, "UTF-8 and GS: one column each");
	char *row = term_screen_row_text (s, 1);
	is_str (row, "Caf\xc3\xa9 \xe2\x80\x94 ~!", "read back as UTF-8, GS as '~'");
	free (row);

	/* Columns, not code points: a Chinese character takes two, an accent none. */
	term_screen_clear (s);
	is_int (term_screen_put (s, 2, 0, 20, TA_NORMAL, "\xe7\x8e\x8b\xe7\xa7\x80"), 4, "two Chinese characters: four columns");
	is_int (term_screen_put (s, 3, 0, 3, TA_NORMAL, "\xe7\x8e\x8b\xe7\xa7\x80"), 2, "in three columns only the first fits");
	row = term_screen_row_text (s, 3);
	is_str (row, "\xe7\x8e\x8b", "and the second is not cut in half");
	free (row);
	is_int (term_screen_put (s, 4, 0, 20, TA_NORMAL, "Nguye\xcc\x82\xcc\x83n"), 6, "e with two accents: one column");
	row = term_screen_row_text (s, 4);
	is_str (row, "Nguye\xcc\x82\xcc\x83n", "read back with its accents");
	free (row);
	term_screen_put (s, 5, 0, 20, TA_NORMAL, "\xe7\x8e\x8b!");
	term_screen_put (s, 5, 1, 1, TA_NORMAL, "x");
	row = term_screen_row_text (s, 5);
	is_str (row, " x!", "writing over half a wide character blanks the other half");
	free (row);
	term_screen_destroy (&s);
	term_screen_destroy (&s);
	ok (1, "destroy twice is harmless");

	/* Names of every script at every size. */
	static const char *const han[] = { "王", "秀", "英", "张", "伟", "李", "娜", "刘", "洋", "陈" };
	char chinese[200] = "";
	for (int i = 0; i < 40; i++)
		strcat (chinese, han[i % 10]);
	char *eth = repeat ("\xc3\x90", 128), *han128 = xstrdup ("\xf0\xa0\x80\x80"); /* U+20000 */
	for (int i = 1; i < 128; i++) {
		char *more = xasprintf ("%s%s", han128, han[i % 10]);
		free (han128);
		han128 = more;
	}
	static const char greek[] = "Αικατερίνη Παπαδοπούλου-Χατζηγεωργίου του Κωνσταντίνου";
	static const char marks[] = "Zoe\xcc\x88 Ste\xcc\x81phanie Nguye\xcc\x82\xcc\x83n-Bra\xcc\x8athe\xcc\x81n";
	for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
		int rows = sizes[z][0], cols = sizes[z][1];
		test_names (rows, cols, "40 Chinese characters", chinese);
		test_names (rows, cols, "Greek", greek);
		test_names (rows, cols, "combining accents", marks);
		test_names (rows, cols, "128 x U+00D0", eth);
		test_names (rows, cols, "128 Chinese characters, one of four bytes", han128);
	}
	free (eth);
	free (han128);
	return tap_done ();
}
