/*
 * hub-import.c: orders in from CSV and JSON (doc/orders.md), in steps
 * (hub-import.h). Both formats are read as they come by push parsers that
 * keep one record (CSV) or one order (JSON) at a time; their rows of named
 * fields are checked by one set of rules, grouped into orders in the
 * import's scratch database, then compared with what the hub holds and
 * written only when every row is good.
 */
#include "config.h"
#include "hub-import.h"
#include "hub-erase.h"
#include "hub-state.h"
#include "log.h"
#include "country.h"
#include "pan.h"
#include "text.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define IMP_CHUNK 4096            /* bytes read at a time: a slice of the hub looks at its clock this often */
#define IMP_FIELD_CAP 4096        /* bytes of one CSV field kept; the rules refuse far less */
#define IMP_VALUE_MAX 2048        /* a value longer than this is refused before anything reads it */
#define IMP_CSV_FIELDS 64         /* fields of one CSV record kept (more are counted) */
#define IMP_MAX_COLUMNS 32
#define IMP_JSON_ORDER_CAP (1 << 20) /* bytes of one JSON order */
#define IMP_SLICE 64              /* orders fetched from the scratch database at a time */
#define IMP_SCRATCH_ASIDE (4 << 20)  /* a scratch store this big is closed on a thread of its own */

/* --- fields ---------------------------------------------------------------- */

/* Every field, the order's first (in the order the content hash reads them), then a line's. */
enum hub_import_field {
	F_ORDER, F_CHANNEL, F_CUSTOMER_NAME, F_ADDRESS_1, F_ADDRESS_2, F_ADDRESS_3, F_TOWN, F_POSTCODE, F_COUNTRY,
	F_PHONE, F_EMAIL, F_LOYALTY, F_SERVICE, F_PROMISE, F_ORDER_VALUE,
	F_LINE, F_SKU, F_DESCRIPTION, F_DEPARTMENT, F_QUANTITY, F_LOCATIONS, F_UNIT_WEIGHT_G, F_LINE_VALUE,
	F_LENGTH_MM, F_WIDTH_MM, F_HEIGHT_MM, F_HS_CODE, F_ORIGIN_COUNTRY, F_CURRENCY,
	F_COUNT
};
#define IMP_ORDER_FIELDS F_LINE
#define IMP_LINE_FIELDS (F_COUNT - F_LINE)
/* Line fields before the customs ones: an order without customs data keeps the hash it had. */
#define IMP_LINE_FIELDS_V4 11
#define IMP_CUSTOMS0 (F_HS_CODE - F_LINE) /* the first customs field among a line's */

static const char *const hub_import_names[F_COUNT] = {
	"order", "channel", "customer_name", "address_1", "address_2", "address_3", "town", "postcode", "country",
	"phone", "email", "loyalty", "service", "promise", "order_value",
	"line", "sku", "description", "department", "quantity", "locations", "unit_weight_g", "line_value",
	"length_mm", "width_mm", "height_mm", "hs_code", "origin_country", "currency",
};

static const enum hub_import_field hub_import_required[] = {
	F_ORDER, F_CHANNEL, F_CUSTOMER_NAME, F_ADDRESS_1, F_POSTCODE, F_COUNTRY, F_LINE, F_SKU, F_DEPARTMENT,
	F_QUANTITY, F_LOCATIONS, F_UNIT_WEIGHT_G,
};

static char hub_import_empty[1];
static char hub_import_standard[] = "standard";

/* One order line as read: each value NUL-terminated, with its length (a NUL inside shows as len > strlen). */
struct hub_import_row {
	int lineno;
	char *v[F_COUNT];
	size_t len[F_COUNT];
};

static void
hub_import_row_init (struct hub_import_row *r, int lineno)
{
	r->lineno = lineno;
	for (int i = 0; i < F_COUNT; i++) {
		r->v[i] = hub_import_empty;
		r->len[i] = 0;
	}
}

/* --- a growing buffer ------------------------------------------------------ */

struct hub_import_buf {
	char *data;
	size_t len, cap;
};

static void
hub_import_buf_add (struct hub_import_buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->data = xrealloc (b->data, b->cap);
	}
	memcpy (b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void
hub_import_buf_str (struct hub_import_buf *b, const char *s)
{
	hub_import_buf_add (b, s, strlen (s) + 1); /* with its NUL */
}

/* --- the parsers ------------------------------------------------------------
 * Push parsers: bytes in as they come, a callback for each record (CSV) or
 * each order's text (JSON). The import and the erase of kept files share them.
 */

struct hub_import_csv {
	int state;         /* CSV_* */
	bool cr;           /* a record ended with '\r': a '\n' next belongs to it */
	bool any;          /* a byte of the current record was seen */
	int lineno, rec_line;
	struct hub_import_buf rec; /* the record's fields, each ending in NUL */
	size_t off[IMP_CSV_FIELDS], flen[IMP_CSV_FIELDS];
	int nf;            /* fields seen (may be more than kept) */
	size_t cur;        /* bytes of the current field kept */
	bool keep_raw;
	struct hub_import_buf raw; /* the record's bytes as they were, when keep_raw */
	void (*on_record) (void *arg, struct hub_import_csv *csv);
	void (*on_error) (void *arg, int lineno, const char *why);
	void *arg;
};
enum { CSV_START, CSV_PLAIN, CSV_QUOTED, CSV_QUOTE };

static void
hub_import_csv_field_end (struct hub_import_csv *c)
{
	if (c->nf < IMP_CSV_FIELDS) {
		c->flen[c->nf] = c->cur;
		hub_import_buf_add (&c->rec, "", 1);
	}
	c->nf++;
	c->cur = 0;
	if (c->nf < IMP_CSV_FIELDS)
		c->off[c->nf] = c->rec.len;
	c->state = CSV_START;
}

static void
hub_import_csv_record_end (struct hub_import_csv *c)
{
	hub_import_csv_field_end (c);
	c->on_record (c->arg, c);
	c->rec.len = 0;
	c->raw.len = 0;
	c->nf = 0;
	c->off[0] = 0;
	c->any = false;
}

static void
hub_import_csv_char (struct hub_import_csv *c, char ch)
{
	if (c->nf < IMP_CSV_FIELDS && c->cur < IMP_FIELD_CAP) {
		if (c->rec.len + 2 > c->rec.cap)
			hub_import_buf_add (&c->rec, &ch, 1);
		else {
			c->rec.data[c->rec.len++] = ch; /* the common case, without a call */
			c->rec.data[c->rec.len] = '\0';
		}
		c->cur++;
	}
}

static void
hub_import_csv_feed (struct hub_import_csv *c, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char ch = p[i];
		if (c->cr) {
			c->cr = false;
			if (ch == '\n')
				continue; /* "\r\n" ends one record */
		}
		if (!c->any) {
			c->any = true;
			c->rec_line = c->lineno;
		}
		if (c->keep_raw)
			hub_import_buf_add (&c->raw, &ch, 1);
		switch (c->state) {
		case CSV_START:
			if (ch == '"') {
				c->state = CSV_QUOTED;
				continue;
			}
			c->state = CSV_PLAIN;
			/* fall through */
		case CSV_PLAIN:
			break;
		case CSV_QUOTED:
			if (ch == '"')
				c->state = CSV_QUOTE;
			else {
				if (ch == '\n')
					c->lineno++;
				hub_import_csv_char (c, ch);
			}
			continue;
		case CSV_QUOTE:
			if (ch == '"') {
				hub_import_csv_char (c, '"');
				c->state = CSV_QUOTED;
				continue;
			}
			c->state = CSV_PLAIN; /* after the closing quote, the field goes on unquoted */
			break;
		}
		/* an unquoted byte */
		if (ch == ',')
			hub_import_csv_field_end (c);
		else if (ch == '\n' || ch == '\r') {
			c->lineno++;
			c->cr = ch == '\r';
			hub_import_csv_record_end (c);
		} else
			hub_import_csv_char (c, ch);
	}
}

/* The end of the bytes: the last record, or the quote it leaves open. */
static void
hub_import_csv_finish (struct hub_import_csv *c)
{
	if (c->state == CSV_QUOTED)
		c->on_error (c->arg, c->rec_line, "a quoted field is not closed before the end of the file");
	else if (c->any)
		hub_import_csv_record_end (c);
}

static void
hub_import_csv_free (struct hub_import_csv *c)
{
	free (c->rec.data);
	free (c->raw.data);
}

/* Field i of the record, trimmed of the spaces exports pad with, NUL-terminated in place; its length in *n. */
static char *
hub_import_csv_get (struct hub_import_csv *c, int i, size_t *n)
{
	char *s = c->rec.data + c->off[i];
	size_t len = c->flen[i];
	while (len > 0 && isspace ((unsigned char) *s))
		s++, len--;
	while (len > 0 && isspace ((unsigned char) s[len - 1]))
		len--;
	s[len] = '\0';
	*n = len;
	return s;
}

/*
 * JSON: a document holding {"orders": [order, ...]} (other keys ignored),
 * a list of orders, or one order object. The scanner follows the document's
 * outer structure and hands each order's text (at most IMP_JSON_ORDER_CAP)
 * to jansson, so no more than one order is ever held.
 */
struct hub_import_jval {
	int depth;
	bool started, str, esc, scalar;
};

struct hub_import_json {
	int state;      /* J_* */
	int lineno;
	bool root_list, orders_seen, failed;
	int index;      /* orders seen */
	int root_line;
	struct hub_import_buf root;  /* the root object's text, while it may be one order */
	bool root_over;
	char key[72];
	size_t keylen;
	bool key_esc;
	struct hub_import_jval v;
	struct hub_import_buf elem;  /* the order being read */
	bool elem_over;
	int elem_line;
	int after;      /* the state after the current value */
	void (*on_order) (void *arg, const char *text, size_t len, int lineno, int index);
	void (*on_error) (void *arg, int lineno, const char *why);
	void *arg;
};
enum {
	J_START, J_ROOT_KEY_OR_END, J_ROOT_KEY_REQ, J_ROOT_KEY, J_ROOT_COLON, J_ROOT_VALUE, J_ROOT_AFTER,
	J_LIST_FIRST, J_LIST_NEXT, J_LIST_AFTER, J_ELEM, J_SKIP, J_END
};

static bool
hub_import_json_ws (char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* One byte of a value: 0 more to come, 1 the value ended with it, 2 it ended before it (a scalar). */
static int
hub_import_jval_feed (struct hub_import_jval *v, char c)
{
	if (!v->started) {
		v->started = true;
		if (c == '{' || c == '[')
			v->depth = 1;
		else if (c == '"')
			v->str = true;
		else
			v->scalar = true;
		return 0;
	}
	if (v->scalar)
		return c == ',' || c == ']' || c == '}' || hub_import_json_ws (c) ? 2 : 0;
	if (v->str) {
		if (v->esc)
			v->esc = false;
		else if (c == '\\')
			v->esc = true;
		else if (c == '"') {
			v->str = false;
			if (v->depth == 0)
				return 1;
		}
		return 0;
	}
	if (c == '"')
		v->str = true;
	else if (c == '{' || c == '[')
		v->depth++;
	else if ((c == '}' || c == ']') && --v->depth == 0)
		return 1;
	return 0;
}

static void
hub_import_json_fail (struct hub_import_json *j, const char *why)
{
	char msg[160];
	snprintf (msg, sizeof msg, "not valid JSON: %s", why);
	j->on_error (j->arg, j->lineno, msg);
	j->failed = true;
}

static void
hub_import_json_elem_start (struct hub_import_json *j, char c, int after)
{
	memset (&j->v, 0, sizeof j->v);
	j->elem.len = 0;
	j->elem_over = false;
	j->elem_line = j->lineno;
	j->after = after;
	j->state = J_ELEM;
	hub_import_jval_feed (&j->v, c);
	hub_import_buf_add (&j->elem, &c, 1);
}

static void
hub_import_json_elem_done (struct hub_import_json *j)
{
	j->index++;
	if (j->elem_over) {
		char msg[120];
		snprintf (msg, sizeof msg, "order %d is larger than %d KiB of JSON: send fewer lines in one order", j->index,
		    IMP_JSON_ORDER_CAP / 1024);
		j->on_error (j->arg, j->elem_line, msg);
	} else {
		j->on_order (j->arg, j->elem.data, j->elem.len, j->elem_line, j->index);
	}
	j->state = j->after;
}

static void
hub_import_json_feed (struct hub_import_json *j, const char *p, size_t n)
{
	for (size_t i = 0; i < n && !j->failed; i++) {
		char c = p[i];
		if (j->state != J_START && j->state != J_END && !j->root_list && !j->orders_seen) {
			if (j->root.len < IMP_JSON_ORDER_CAP)
				hub_import_buf_add (&j->root, &c, 1);
			else
				j->root_over = true;
		}
	again:
		switch (j->state) {
		case J_ROOT_KEY:
			if (j->key_esc)
				j->key_esc = false;
			else if (c == '\\')
				j->key_esc = true;
			else if (c == '"') {
				j->key[j->keylen] = '\0';
				j->state = J_ROOT_COLON;
				break;
			}
			if (j->keylen + 1 < sizeof j->key)
				j->key[j->keylen++] = c;
			break;
		case J_ELEM:
		case J_SKIP: {
			int r = hub_import_jval_feed (&j->v, c);
			if (j->state == J_ELEM && r != 2) {
				if (j->elem.len < IMP_JSON_ORDER_CAP)
					hub_import_buf_add (&j->elem, &c, 1);
				else
					j->elem_over = true;
			}
			if (r == 0)
				break;
			if (j->state == J_ELEM)
				hub_import_json_elem_done (j);
			else
				j->state = J_ROOT_AFTER;
			if (r == 2)
				goto again;
			break;
		}
		default:
			if (hub_import_json_ws (c))
				break;
			switch (j->state) {
			case J_START:
				if (c == '[') {
					j->root_list = true;
					j->state = J_LIST_FIRST;
				} else if (c == '{') {
					hub_import_buf_add (&j->root, &c, 1);
					j->root_line = j->lineno;
					j->state = J_ROOT_KEY_OR_END;
				} else
					hub_import_json_fail (j, "expected { or [");
				break;
			case J_ROOT_KEY_OR_END:
			case J_ROOT_KEY_REQ:
				if (c == '"') {
					j->keylen = 0;
					j->key_esc = false;
					j->state = J_ROOT_KEY;
				} else if (c == '}' && j->state == J_ROOT_KEY_OR_END)
					goto root_end;
				else
					hub_import_json_fail (j, "expected a key in quotes");
				break;
			case J_ROOT_COLON:
				if (c == ':')
					j->state = J_ROOT_VALUE;
				else
					hub_import_json_fail (j, "expected ':' after a key");
				break;
			case J_ROOT_VALUE:
				if (strcmp (j->key, "orders") == 0) {
					if (j->orders_seen) {
						hub_import_json_fail (j, "the key \"orders\" appears twice");
						break;
					}
					j->orders_seen = true;
					if (c == '[')
						j->state = J_LIST_FIRST;
					else if (c == '{')
						hub_import_json_elem_start (j, c, J_ROOT_AFTER);
					else
						hub_import_json_fail (j, "\"orders\" must be a list of orders");
				} else {
					memset (&j->v, 0, sizeof j->v);
					hub_import_jval_feed (&j->v, c);
					j->state = J_SKIP;
				}
				break;
			case J_ROOT_AFTER:
				if (c == ',')
					j->state = J_ROOT_KEY_REQ;
				else if (c == '}')
					goto root_end;
				else
					hub_import_json_fail (j, "expected ',' or '}'");
				break;
			case J_LIST_FIRST:
				if (c == ']')
					goto list_end;
				hub_import_json_elem_start (j, c, J_LIST_AFTER);
				break;
			case J_LIST_NEXT:
				if (c == ']' || c == ',')
					hub_import_json_fail (j, "a value is missing in the list");
				else
					hub_import_json_elem_start (j, c, J_LIST_AFTER);
				break;
			case J_LIST_AFTER:
				if (c == ',')
					j->state = J_LIST_NEXT;
				else if (c == ']')
					goto list_end;
				else
					hub_import_json_fail (j, "expected ',' or ']' between orders");
				break;
			case J_END:
				hub_import_json_fail (j, "there is more after the end of the document");
				break;
			}
			break;
		list_end:
			j->state = j->root_list ? J_END : J_ROOT_AFTER;
			break;
		root_end:
			j->state = J_END;
			if (!j->orders_seen) {
				/* No "orders": the document is one order, or not an import at all. */
				if (j->root_over) {
					j->on_error (j->arg, 1, "expected {\"orders\": [...]}, a list of orders or one order (see "
					    "doc/orders.md)");
				} else {
					j->index++;
					j->on_order (j->arg, j->root.data, j->root.len, j->root_line, j->index);
				}
			}
			break;
		}
		if (c == '\n')
			j->lineno++;
	}
}

static void
hub_import_json_finish (struct hub_import_json *j)
{
	if (!j->failed && j->state != J_END)
		hub_import_json_fail (j, "the document ends too soon");
}

static void
hub_import_json_free (struct hub_import_json *j)
{
	free (j->root.data);
	free (j->elem.data);
}

/* The line of an order's "ref" key: the first key of that name one level into its text. */
static int
hub_import_json_ref_line (const char *t, size_t n, int line)
{
	int depth = 0;
	bool str = false, esc = false;
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		char c = t[i];
		if (c == '\n')
			line++;
		if (str) {
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"') {
				str = false;
				if (depth == 1 && i - start == 3 && memcmp (t + start, "ref", 3) == 0)
					return line;
			}
			continue;
		}
		if (c == '"') {
			str = true;
			start = i + 1;
		} else if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']')
			depth--;
	}
	return line;
}

/* --- the import ------------------------------------------------------------ */

enum { PH_READ, PH_CHECK, PH_WRITE, PH_RECORD, PH_CLEAR, PH_UNDO, PH_DONE };
static const char *const hub_import_phases[] = { "reading", "checking", "writing", "recording", "clearing", "undoing",
	"done" };

/* What an order is to the hub; an undo record's kind is one of these, stored (import_undo.kind). */
enum hub_import_what { IMP_NEW = 0, IMP_SAME = 1, IMP_UPDATE = 2, IMP_CUSTOMS = 3, IMP_REFUSED = 4 };

/* The order being read: consecutive rows of one reference. */
struct hub_import_group {
	bool open, bad;
	int lineno;
	char ref[40];
	struct hub_import_buf of;    /* the order's fields, each ending in NUL */
	const char *f[IMP_ORDER_FIELDS];
	struct hub_import_buf lines; /* each line: its row's number, then its fields, each ending in NUL */
	int nlines;
	uint8_t seen[128];           /* line numbers taken, 1-999 */
};

struct hub_import {
	char *name;
	char *file, *sha1;  /* imports.file and .sha1: which inbox file it is (hub_import_source_file), or NULL */
	int64_t now_ms;
	unsigned flags;
	int phase;
	int outcome;
	bool dbfail;        /* the refusal is the database's: say -1 */
	bool scratch_failed; /* the scratch store failed: said once, nothing more read from it or written */
	struct hub_import_report rep;
	db_t *scratch;
	/* source */
	hub_import_read_fn *read_fn;
	void *read_arg;
	const char *text;
	size_t text_len, text_pos;
	char *chunk;
	bool detected, json, stop;
	bool bom_checked;
	int lead_lines;     /* new lines before the first byte that says the format */
	struct hub_import_csv csv;
	struct hub_import_json js;
	/* CSV header */
	bool have_header;
	int ncols;
	int col[IMP_CSV_FIELDS];   /* field of each column, or -1 */
	/* JSON values, one buffer per field */
	char (*jv)[IMP_FIELD_CAP];
	struct hub_import_group g;
	/* check, write, undo */
	int64_t cursor;     /* the last scratch order done */
	int64_t run;        /* import_runs.id once a slice has written an undo record, else 0 */
	int64_t useq;       /* the run's last undo record */
	char *owner;        /* a recovery: the process that wrote the run (hub_import_owner) */
	bool recovering;    /* a recovery of a run cut short (hub_import_recover) */
	struct hub_import_buf kept_refs; /* a recovery: the orders kept, for its audit event */
	struct hub_import_buf made; /* the slice's orders made so far, each ref and hash: one undo record (IMP_UNDO_MADE) */
	db_stmt_t *st[6];   /* the statements run for every order, prepared once (HUB_IMPORT_ST_*) */
	db_t *st_db[6];
	bool savepoint;     /* HUB_IMPORT_CALLER_TX: the write's savepoint is open */
};

static void
hub_import_vmsg (char ***list, int *n, long *more, int lineno, const char *fmt, va_list ap)
{
	if (*n >= HUB_IMPORT_MAX_ERRORS) {
		(*more)++;
		return;
	}
	char *why = xvasprintf (fmt, ap);
	*list = xrealloc (*list, (size_t) (*n + 1) * sizeof **list);
	(*list)[(*n)++] = lineno > 0 ? xasprintf ("line %d: %s", lineno, why) : xstrdup (why);
	free (why);
}

static void hub_import_error (hub_import_t *self, int lineno, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));
static void hub_import_warn (hub_import_t *self, int lineno, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

static void
hub_import_error (hub_import_t *self, int lineno, const char *fmt, ...)
{
	va_list ap;
	va_start (ap, fmt);
	hub_import_vmsg (&self->rep.errors, &self->rep.nerrors, &self->rep.more_errors, lineno, fmt, ap);
	va_end (ap);
	/* Past the list, the file is refused anyway: reading on would only count. */
	if (self->rep.more_errors > 0)
		self->stop = true;
}

static void
hub_import_warn (hub_import_t *self, int lineno, const char *fmt, ...)
{
	va_list ap;
	va_start (ap, fmt);
	hub_import_vmsg (&self->rep.warnings, &self->rep.nwarnings, &self->rep.more_warnings, lineno, fmt, ap);
	va_end (ap);
}

/* The scratch store failed (its folder full, most often): said once, for after a failed write it is
 * corrupt and every statement on it would fail again; the file is not at fault, so the refusal is
 * the database's (a file in the inbox stays, to be taken again). The hub's database is not touched. */
static void
hub_import_scratch_failed (hub_import_t *self)
{
	if (!self->scratch_failed)
		hub_import_error (self, 0, "the import's scratch store in %s failed (%s); nothing was imported and the "
		    "database is untouched: free space in %s (or point TMPDIR at a folder with room)%s", db_temp_dir (),
		    db_errmsg (self->scratch), db_temp_dir (), self->flags & HUB_IMPORT_ON_LOOP ? "" : ", then import the file "
		    "again");
	self->scratch_failed = self->stop = self->dbfail = true;
}

/* The statements run for every order: db_prepare finds a statement by its text, which costs more than
 * running it; these are looked up once per import (and again if the database is another). */
enum { HUB_IMPORT_ST_GROUP, HUB_IMPORT_ST_NEXT, HUB_IMPORT_ST_DECIDE, HUB_IMPORT_ST_ORDER, HUB_IMPORT_ST_LINE,
	HUB_IMPORT_ST_UNDO };

static db_stmt_t *
hub_import_prep (hub_import_t *self, db_t *db, int slot, const char *sql)
{
	if (self == NULL)
		return db_prepare (db, sql);
	if (self->st[slot] == NULL || self->st_db[slot] != db) {
		self->st[slot] = db_prepare (db, sql);
		self->st_db[slot] = db;
	}
	return self->st[slot];
}

/* --- field rules ----------------------------------------------------------- */

static bool
hub_import_money (const char *s, int64_t *pence)
{
	int64_t whole = 0, frac = 0;
	int digits = 0, fdigits = 0;
	const char *p = s;
	if (*p == '\0') {
		*pence = 0;
		return true;
	}
	for (; isdigit ((unsigned char) *p) && digits < 9; p++, digits++)
		whole = whole * 10 + (*p - '0');
	if (digits == 0)
		return false;
	if (*p == '.') {
		for (p++; isdigit ((unsigned char) *p) && fdigits < 2; p++, fdigits++)
			frac = frac * 10 + (*p - '0');
		if (fdigits == 0)
			return false;
		if (fdigits == 1)
			frac *= 10;
	}
	*pence = whole * 100 + frac;
	return *p == '\0';
}

static bool
hub_import_ref_ok (const char *s)
{
	size_t n = strlen (s);
	if (n == 0 || n > 32)
		return false;
	for (; *s; s++)
		if (!isalnum ((unsigned char) *s) && *s != '-' && *s != '_')
			return false;
	return true;
}

static bool
hub_import_in (const char *s, const char *const *set)
{
	for (int i = 0; set[i]; i++)
		if (strcmp (s, set[i]) == 0)
			return true;
	return false;
}

static bool
hub_import_date_ok (const char *s)
{
	if (*s == '\0')
		return true;
	if (strlen (s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit ((unsigned char) s[i]))
			return false;
	int month = (s[5] - '0') * 10 + (s[6] - '0'), day = (s[8] - '0') * 10 + (s[9] - '0');
	return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/* Characters (not bytes) of text already checked to be UTF-8. */
static size_t
hub_import_chars (const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char) *s & 0xc0) != 0x80;
	return n;
}

static const char *const hub_import_channels[] = { "till", "personal-shopper", "phone", "web", NULL };
static const char *const hub_import_services[] = { "standard", "next-day", "express", "same-day", NULL };

/* ISO 4217 codes in use (2026). */
static const char hub_import_currencies[] =
    " AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF"
    " CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD"
    " HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD"
    " MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN"
    " PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY"
    " TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG ";

/* The customs fields of a line (all optional here; the label checks them for parcels leaving the UK). */
static const char *
hub_import_check_customs (char *const *v)
{
	const char *hs = v[F_HS_CODE];
	size_t n = strlen (hs);
	if (*hs && (n < 6 || n > 10 || strspn (hs, "0123456789") != n))
		return "hs_code must be 6 to 10 digits (the tariff code, without dots or spaces)";
	const char *c = v[F_ORIGIN_COUNTRY];
	if (*c && country_canonical (c, NULL) == NULL)
		return "origin_country must be an ISO 3166 2-letter code in capitals, like GB or CN";
	const char *cur = v[F_CURRENCY];
	char word[8];
	snprintf (word, sizeof word, " %.3s ", cur);
	if (*cur && (strlen (cur) != 3 || strspn (cur, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3
	    || strstr (hub_import_currencies, word) == NULL))
		return "currency must be an ISO 4217 code in capitals, like GBP, EUR or USD";
	return NULL;
}

/* The first thing wrong with the order part of a row, or NULL. why is a buffer for the text. */
static const char *
hub_import_check_order (char *const *v, char *why, size_t n, int64_t *value)
{
	static const struct {
		enum hub_import_field field;
		size_t max;
		bool required;
	} texts[] = {
		{ F_CUSTOMER_NAME, TEXT_ORDER_MAX, true }, { F_ADDRESS_1, TEXT_ORDER_MAX, true },
		{ F_ADDRESS_2, TEXT_ORDER_MAX, false }, { F_ADDRESS_3, TEXT_ORDER_MAX, false }, { F_TOWN, TEXT_TOWN_MAX, false },
		{ F_POSTCODE, TEXT_POSTCODE_MAX, true }, { F_PHONE, TEXT_SKU_MAX, false }, { F_EMAIL, TEXT_ORDER_MAX, false },
		{ F_LOYALTY, TEXT_POSTCODE_MAX, false },
	};
	if (!hub_import_ref_ok (v[F_ORDER]))
		return "the order reference must be 1 to 32 letters, digits, '-' or '_'";
	if (!hub_import_in (v[F_CHANNEL], hub_import_channels))
		return "channel must be till, personal-shopper, phone or web";
	for (size_t i = 0; i < nitems (texts); i++) {
		const char *s = v[texts[i].field];
		if (texts[i].required && *s == '\0') {
			snprintf (why, n, "%s is missing", hub_import_names[texts[i].field]);
			return why;
		}
		if (hub_import_chars (s) > texts[i].max) {
			snprintf (why, n, "%s is longer than %zu characters", hub_import_names[texts[i].field], texts[i].max);
			return why;
		}
	}
	const char *c = v[F_COUNTRY];
	if (strlen (c) != 2 || !isupper ((unsigned char) c[0]) || !isupper ((unsigned char) c[1]))
		return "country must be a 2-letter ISO code in capitals, like GB";
	if (country_canonical (c, NULL) == NULL) {
		snprintf (why, n, "country %s is not an ISO 3166 country code (GB, FR, US, ...)", c);
		return why;
	}
	const char *e = v[F_EMAIL];
	if (*e && strchr (e, '@') == NULL)
		return "email has no '@'";
	const char *s = v[F_SERVICE];
	if (*s && !hub_import_in (s, hub_import_services))
		return "service must be standard, next-day, express or same-day";
	if (!hub_import_date_ok (v[F_PROMISE]))
		return "promise must be a date like 2026-11-24";
	if (!hub_import_money (v[F_ORDER_VALUE], value))
		return "order_value must be an amount in pounds like 129.99";
	return NULL;
}

/* A line's numbers, read from its fields (already checked when from outside). */
struct hub_import_line {
	int row;           /* the file's line the row was on */
	long no, quantity, weight_g, dims[3];
	int64_t value;
	const char *f[IMP_LINE_FIELDS];
};

static const char *
hub_import_check_line (char *const *v, char *why, size_t n)
{
	static const struct {
		enum hub_import_field field;
		long min, max;
		bool required;
	} nums[] = {
		{ F_LINE, 1, 999, true }, { F_QUANTITY, 1, 999, true }, { F_UNIT_WEIGHT_G, 1, 100000, true },
		{ F_LENGTH_MM, 1, 5000, false }, { F_WIDTH_MM, 1, 5000, false }, { F_HEIGHT_MM, 1, 5000, false },
	};
	for (size_t i = 0; i < nitems (nums); i++) {
		const char *s = v[nums[i].field];
		long out;
		if (*s == '\0' && !nums[i].required)
			continue;
		if (!util_parse_long (s, nums[i].min, nums[i].max, &out)) {
			snprintf (why, n, "%s must be a whole number from %ld to %ld%s", hub_import_names[nums[i].field],
			    nums[i].min, nums[i].max, *s ? "" : " (it is missing)");
			return why;
		}
	}
	const char *sku = v[F_SKU];
	if (*sku == '\0' || hub_import_chars (sku) > TEXT_SKU_MAX || strpbrk (sku, ";|")) {
		snprintf (why, n, "sku must be 1 to %d characters, without ';' or '|'", TEXT_SKU_MAX);
		return why;
	}
	const char *desc = v[F_DESCRIPTION];
	if (hub_import_chars (desc) > TEXT_ORDER_MAX || strchr (desc, '|')) {
		snprintf (why, n, "description is longer than %d characters or holds '|'", TEXT_ORDER_MAX);
		return why;
	}
	const char *dept = v[F_DEPARTMENT];
	if (*dept == '\0' || hub_import_chars (dept) > TEXT_TOWN_MAX || strchr (dept, '|')) {
		snprintf (why, n, "department must be 1 to %d characters, without '|'", TEXT_TOWN_MAX);
		return why;
	}
	const char *locs = v[F_LOCATIONS];
	if (*locs == '\0')
		return "locations is missing: say where the goods are (e.g. HOS-B12;STOCK-3)";
	int nloc = 0;
	for (const char *p = locs; *p;) {
		size_t len = strcspn (p, ";");
		if (len == 0 || len > TEXT_LOCATION_MAX || ++nloc > TEXT_LOCATIONS_MAX)
			return "locations must be up to 8 codes of 1 to 32 characters, separated by ';'";
		p += len;
		if (*p == ';' && *++p == '\0')
			return "locations ends with ';'";
	}
	if (strchr (locs, '|'))
		return "locations holds '|'";
	int64_t pence;
	if (!hub_import_money (v[F_LINE_VALUE], &pence))
		return "line_value must be an amount in pounds like 49.50";
	return hub_import_check_customs (v);
}

/* --- rows into orders --------------------------------------------------------- */

static void
hub_import_group_reset (struct hub_import_group *g)
{
	g->open = g->bad = false;
	g->of.len = g->lines.len = 0;
	g->nlines = 0;
	memset (g->seen, 0, sizeof g->seen);
}

static void
hub_import_group_fields (struct hub_import_group *g)
{
	const char *p = g->of.data;
	for (int i = 0; i < IMP_ORDER_FIELDS; i++) {
		g->f[i] = p;
		p += strlen (p) + 1;
	}
}

/* The line numbers of packed lines into seen; false when one is there already. */
static bool
hub_import_lines_mark (const char *p, size_t len, int nlines, uint8_t *seen, long *dup)
{
	const char *end = p + len;
	for (int l = 0; l < nlines && p < end; l++) {
		p += strlen (p) + 1; /* the row's number */
		long no = atol (p);
		for (int k = 0; k < IMP_LINE_FIELDS; k++)
			p += strlen (p) + 1;
		if (no > 0 && no < 1000) {
			if (seen[no / 8] & (1 << (no % 8))) {
				*dup = no;
				return false;
			}
			seen[no / 8] |= (uint8_t) (1 << (no % 8));
		}
	}
	return true;
}

/* An order whose rows came earlier in the file: its lines join it (CSV) or it is there twice (JSON). */
static void
hub_import_group_merge (hub_import_t *self, struct hub_import_group *g)
{
	db_stmt_t *st = db_prepare (self->scratch, "SELECT lineno, f, lines, nlines FROM o WHERE ref = ?1");
	db_bind_text (st, 1, g->ref);
	int rc = db_step (st);
	if (rc != DB_ROW) {
		db_reset (st);
		if (rc != DB_DONE)
			hub_import_scratch_failed (self);
		return;
	}
	int first = (int) db_col_int (st, 0);
	size_t flen, llen;
	const char *f = db_col_blob (st, 1, &flen);
	const char *lines = db_col_blob (st, 2, &llen);
	int nlines = (int) db_col_int (st, 3);
	bool bad = g->bad || f == NULL;
	if (self->json && f != NULL) {
		hub_import_error (self, g->lineno, "%s appears twice in the file", g->ref);
		bad = true;
	}
	if (!bad) {
		const char *p = f;
		for (int i = 0; i < IMP_ORDER_FIELDS && !bad; i++) {
			if (strcmp (p, g->f[i]) != 0) {
				hub_import_error (self, g->lineno, "%s: %s differs from the same order's line %d", g->ref,
				    hub_import_names[i], first);
				bad = true;
			}
			p += strlen (p) + 1;
		}
	}
	long dup = 0;
	if (!bad) {
		uint8_t seen[128] = { 0 };
		if (!hub_import_lines_mark (lines, llen, nlines, seen, &dup)
		    || !hub_import_lines_mark (g->lines.data, g->lines.len, g->nlines, seen, &dup)) {
			hub_import_error (self, g->lineno, "%s: line %ld appears twice", g->ref, dup);
			bad = true;
		}
	}
	db_reset (st);
	if (bad) {
		st = db_prepare (self->scratch, "UPDATE o SET f = NULL, lines = NULL WHERE ref = ?1");
		db_bind_text (st, 1, g->ref);
	} else {
		st = db_prepare (self->scratch, "UPDATE o SET lines = lines || ?2, nlines = nlines + ?3 WHERE ref = ?1");
		db_bind_text (st, 1, g->ref);
		db_bind_blob (st, 2, g->lines.data, g->lines.len);
		db_bind_int (st, 3, g->nlines);
	}
	if (db_step (st) != DB_DONE)
		hub_import_scratch_failed (self);
	db_reset (st);
}

/* The order read so far goes to the scratch database. */
static void
hub_import_group_flush (hub_import_t *self)
{
	struct hub_import_group *g = &self->g;
	if (!g->open || self->scratch_failed) {
		hub_import_group_reset (g);
		return;
	}
	db_stmt_t *st = hub_import_prep (self, self->scratch, HUB_IMPORT_ST_GROUP,
	    "INSERT INTO o (ref, lineno, f, lines, nlines) VALUES (?1, ?2, ?3, ?4, ?5)");
	db_bind_text (st, 1, g->ref);
	db_bind_int (st, 2, g->lineno);
	if (g->bad) {
		db_bind_null (st, 3);
		db_bind_null (st, 4);
	} else {
		db_bind_blob (st, 3, g->of.data, g->of.len);
		db_bind_blob (st, 4, g->lines.data, g->lines.len);
	}
	db_bind_int (st, 5, g->nlines);
	int rc = db_step (st);
	db_reset (st);
	if (rc == DB_DONE)
		self->rep.orders++;
	else if (rc == DB_CONSTRAINT)
		hub_import_group_merge (self, g);
	else
		hub_import_scratch_failed (self);
	hub_import_group_reset (g);
}

static void
hub_import_group_open (hub_import_t *self, const struct hub_import_row *r, bool bad)
{
	struct hub_import_group *g = &self->g;
	hub_import_group_flush (self);
	g->open = true;
	g->bad = bad;
	g->lineno = r->lineno;
	util_strlcpy (g->ref, r->v[F_ORDER], sizeof g->ref);
	for (int i = 0; i < IMP_ORDER_FIELDS; i++)
		hub_import_buf_str (&g->of, r->v[i]);
	hub_import_group_fields (g);
}

/* A country field as the hub keeps it: "UK" becomes "GB", said as a warning. */
static void
hub_import_country (hub_import_t *self, struct hub_import_row *r, enum hub_import_field f, bool say)
{
	bool alias;
	const char *code = country_canonical (r->v[f], &alias);
	if (code && alias) {
		if (say)
			hub_import_warn (self, r->lineno, "%s: %s %s is taken as %s (%s's ISO code)", r->v[F_ORDER],
		    hub_import_names[f], r->v[f], code, country_name (code));
		memcpy (r->v[f], code, 2); /* both are two letters */
	}
}

/* Take one row (one order line). */
static void
hub_import_take_row (hub_import_t *self, struct hub_import_row *r)
{
	char buf[200];
	struct hub_import_group *g = &self->g;
	self->rep.rows++;
	const char *ref = r->v[F_ORDER];
	bool named = hub_import_ref_ok (ref);
	/* Text first: a NUL, bytes that are not UTF-8 or a control character refuse the row, naming the field. */
	for (int i = 0; i < F_COUNT; i++) {
		if (r->len[i] == 0)
			continue;
		char *fault = NULL;
		if (r->len[i] > IMP_VALUE_MAX)
			fault = xasprintf ("%s is longer than %d bytes", hub_import_names[i], IMP_VALUE_MAX);
		else
			fault = text_check_field (hub_import_names[i], r->v[i], r->len[i], 0);
		if (fault) {
			hub_import_error (self, r->lineno, "%s%s%s", i != F_ORDER && named ? ref : "",
			    i != F_ORDER && named ? ": " : "", fault);
			free (fault);
			if (i != F_ORDER && named) {
				if (g->open && strcmp (g->ref, ref) == 0)
					g->bad = true;
				else
					hub_import_group_open (self, r, true);
			}
			return;
		}
	}
	/* Every field passes here: a card number is masked before anything keeps it (pan.h). */
	for (int i = 0; i < F_COUNT; i++)
		if (r->len[i] && pan_mask (r->v[i]) > 0)
			hub_import_warn (self, r->lineno, "%s%sa card number in %s was masked: card numbers are never stored; ask "
			    "the sender to leave them out", named ? ref : "", named ? ": " : "", hub_import_names[i]);
	if (*r->v[F_SERVICE] == '\0')
		r->v[F_SERVICE] = hub_import_standard;
	hub_import_country (self, r, F_COUNTRY, !(g->open && strcmp (g->ref, ref) == 0));
	hub_import_country (self, r, F_ORIGIN_COUNTRY, true);
	int64_t value;
	const char *why = hub_import_check_order (r->v, buf, sizeof buf, &value);
	if (why) {
		hub_import_error (self, r->lineno, "%s%s%s", named ? ref : "", named ? ": " : "", why);
		if (named) {
			if (g->open && strcmp (g->ref, ref) == 0)
				g->bad = true;
			else
				hub_import_group_open (self, r, true);
		}
		return;
	}
	if (g->open && strcmp (g->ref, ref) == 0) {
		for (int i = 0; i < IMP_ORDER_FIELDS && !g->bad; i++)
			if (strcmp (g->f[i], r->v[i]) != 0) {
				hub_import_error (self, r->lineno, "%s: %s differs from the same order's line %d", ref,
				    hub_import_names[i], g->lineno);
				g->bad = true;
			}
		if (g->bad)
			return;
	} else {
		hub_import_group_open (self, r, false);
	}
	if ((why = hub_import_check_line (r->v, buf, sizeof buf)) != NULL) {
		hub_import_error (self, r->lineno, "%s: %s", ref, why);
		g->bad = true;
		return;
	}
	long no = atol (r->v[F_LINE]);
	if (g->seen[no / 8] & (1 << (no % 8))) {
		hub_import_error (self, r->lineno, "%s: line %ld appears twice", ref, no);
		g->bad = true;
		return;
	}
	g->seen[no / 8] |= (uint8_t) (1 << (no % 8));
	if (g->bad)
		return;
	char row[16];
	snprintf (row, sizeof row, "%d", r->lineno);
	hub_import_buf_str (&g->lines, row);
	for (int i = F_LINE; i < F_COUNT; i++)
		hub_import_buf_str (&g->lines, r->v[i]);
	g->nlines++;
}

/* --- CSV records ----------------------------------------------------------- */

static void
hub_import_csv_header (hub_import_t *self, struct hub_import_csv *c)
{
	int line = c->rec_line;
	int n = c->nf < IMP_CSV_FIELDS ? c->nf : IMP_CSV_FIELDS;
	if (c->nf > IMP_MAX_COLUMNS) {
		hub_import_error (self, line, "more than %d columns", IMP_MAX_COLUMNS);
		n = IMP_MAX_COLUMNS;
	}
	self->ncols = c->nf;
	for (int i = 0; i < IMP_CSV_FIELDS; i++)
		self->col[i] = -1;
	bool have[F_COUNT] = { false };
	for (int i = 0; i < n; i++) {
		size_t len;
		char *name = hub_import_csv_get (c, i, &len);
		int f = -1;
		for (int k = 0; k < F_COUNT && len == strlen (name); k++)
			if (strcmp (name, hub_import_names[k]) == 0)
				f = k;
		if (f < 0) {
			char *shown = text_escape (name, len < 40 ? len : 40);
			hub_import_error (self, line, "column '%s' is not one of the import columns (see doc/orders.md)", shown);
			free (shown);
		} else if (have[f]) {
			hub_import_error (self, line, "column '%s' appears twice", name);
		} else {
			have[f] = true;
			self->col[i] = f;
		}
	}
	for (size_t j = 0; j < nitems (hub_import_required); j++)
		if (!have[hub_import_required[j]])
			hub_import_error (self, line, "the required column '%s' is missing", hub_import_names[hub_import_required[j]]);
	self->have_header = true;
	if (self->rep.nerrors > 0)
		self->stop = true; /* the rows cannot be read without their columns */
}

static void
hub_import_on_csv (void *arg, struct hub_import_csv *c)
{
	hub_import_t *self = arg;
	if (self->stop)
		return;
	bool blank = c->nf == 1 && c->flen[0] == 0;
	if (c->nf == 1 && !blank) {
		size_t n;
		hub_import_csv_get (c, 0, &n);
		blank = n == 0;
	}
	if (blank || c->rec.data[c->off[0]] == '#')
		return;
	if (!self->have_header) {
		hub_import_csv_header (self, c);
		return;
	}
	if (c->nf != self->ncols) {
		hub_import_error (self, c->rec_line, "%d fields where the header has %d", c->nf, self->ncols);
		return;
	}
	struct hub_import_row r;
	hub_import_row_init (&r, c->rec_line);
	for (int i = 0; i < c->nf && i < IMP_CSV_FIELDS; i++)
		if (self->col[i] >= 0)
			r.v[self->col[i]] = hub_import_csv_get (c, i, &r.len[self->col[i]]);
	hub_import_take_row (self, &r);
}

static void
hub_import_on_parse_error (void *arg, int lineno, const char *why)
{
	hub_import_error (arg, lineno, "%s", why);
}

/* --- JSON orders ----------------------------------------------------------- */

/* A JSON scalar as import text into buf (strings as they are, numbers in plain form); false for others. */
static bool
hub_import_json_text (json_t *v, char *buf, size_t n)
{
	if (v == NULL || json_is_null (v))
		buf[0] = '\0';
	else if (json_is_string (v)) {
		/* At most n - 1 bytes, never half a character: a long value is refused for its length. */
		size_t len = json_string_length (v);
		const char *s = json_string_value (v);
		if (len >= n)
			len = text_utf8_whole (s, n - 1);
		memcpy (buf, s, len);
		buf[len] = '\0';
	} else if (json_is_integer (v))
		snprintf (buf, n, "%lld", (long long) json_integer_value (v));
	else if (json_is_real (v))
		snprintf (buf, n, "%.2f", json_real_value (v));
	else
		return false;
	return true;
}

static void
hub_import_json_set (hub_import_t *self, struct hub_import_row *r, enum hub_import_field f, json_t *v, bool *ok)
{
	if (!hub_import_json_text (v, self->jv[f], IMP_FIELD_CAP)) {
		*ok = false;
		return;
	}
	r->v[f] = self->jv[f];
	r->len[f] = strlen (self->jv[f]);
}

static void
hub_import_json_order (hub_import_t *self, json_t *o, int lineno, int index)
{
	struct hub_import_row head;
	hub_import_row_init (&head, lineno);
	static const struct {
		enum hub_import_field field;
		const char *key, *sub;
	} map[] = {
		{ F_ORDER, "ref", NULL }, { F_CHANNEL, "channel", NULL }, { F_CUSTOMER_NAME, "customer", "name" },
		{ F_TOWN, "customer", "town" }, { F_POSTCODE, "customer", "postcode" },
		{ F_COUNTRY, "customer", "country" }, { F_PHONE, "customer", "phone" },
		{ F_EMAIL, "customer", "email" }, { F_LOYALTY, "customer", "loyalty" },
		{ F_SERVICE, "service", NULL }, { F_PROMISE, "promise", NULL }, { F_ORDER_VALUE, "value", NULL },
	};
	for (size_t i = 0; i < nitems (map); i++) {
		json_t *v = json_object_get (o, map[i].key);
		if (map[i].sub)
			v = json_is_object (v) ? json_object_get (v, map[i].sub) : NULL;
		bool ok = true;
		hub_import_json_set (self, &head, map[i].field, v, &ok);
		if (!ok) {
			hub_import_error (self, lineno, "order %d: %s must be a string or a number", index,
			    map[i].sub ? map[i].sub : map[i].key);
			return;
		}
	}
	json_t *addr = json_object_get (json_object_get (o, "customer"), "address");
	static const enum hub_import_field alines[] = { F_ADDRESS_1, F_ADDRESS_2, F_ADDRESS_3 };
	if (json_is_string (addr)) {
		bool ok = true;
		hub_import_json_set (self, &head, F_ADDRESS_1, addr, &ok);
	} else if (json_is_array (addr)) {
		if (json_array_size (addr) > 3) {
			hub_import_error (self, lineno, "order %d: address has more than 3 lines (put the town in \"town\")", index);
			return;
		}
		for (size_t i = 0; i < json_array_size (addr); i++) {
			bool ok = true;
			hub_import_json_set (self, &head, alines[i], json_array_get (addr, i), &ok);
			if (!ok) {
				hub_import_error (self, lineno, "order %d: address lines must be strings", index);
				return;
			}
		}
	}
	json_t *lines = json_object_get (o, "lines");
	if (!json_is_array (lines) || json_array_size (lines) == 0) {
		hub_import_error (self, lineno, "order %d (%s): \"lines\" must be a list of at least one line", index,
		    hub_import_ref_ok (head.v[F_ORDER]) ? head.v[F_ORDER] : "?");
		return;
	}
	static const struct {
		enum hub_import_field field;
		const char *key;
	} lmap[] = {
		{ F_LINE, "line" }, { F_SKU, "sku" }, { F_DESCRIPTION, "description" },
		{ F_DEPARTMENT, "department" }, { F_QUANTITY, "quantity" }, { F_UNIT_WEIGHT_G, "unit_weight_g" },
		{ F_LINE_VALUE, "value" }, { F_HS_CODE, "hs_code" }, { F_ORIGIN_COUNTRY, "origin_country" },
		{ F_CURRENCY, "currency" },
	};
	static const enum hub_import_field dnames[] = { F_LENGTH_MM, F_WIDTH_MM, F_HEIGHT_MM };
	for (size_t i = 0; i < json_array_size (lines) && !self->stop; i++) {
		json_t *l = json_array_get (lines, i);
		struct hub_import_row row = head;
		for (int f = F_LINE; f < F_COUNT; f++) {
			row.v[f] = hub_import_empty;
			row.len[f] = 0;
		}
		bool ok = json_is_object (l);
		for (size_t j = 0; ok && j < nitems (lmap); j++)
			hub_import_json_set (self, &row, lmap[j].field, json_object_get (l, lmap[j].key), &ok);
		json_t *locs = ok ? json_object_get (l, "locations") : NULL;
		if (ok && json_is_array (locs)) {
			char *buf = self->jv[F_LOCATIONS];
			size_t n = 0;
			buf[0] = '\0';
			for (size_t j = 0; j < json_array_size (locs) && n < IMP_FIELD_CAP - 80; j++) {
				char one[64];
				if (!hub_import_json_text (json_array_get (locs, j), one, sizeof one))
					ok = false;
				n += (size_t) snprintf (buf + n, IMP_FIELD_CAP - n, "%s%s", j ? ";" : "", one);
			}
			row.v[F_LOCATIONS] = buf;
			row.len[F_LOCATIONS] = strlen (buf);
		} else if (ok) {
			hub_import_json_set (self, &row, F_LOCATIONS, locs, &ok);
		}
		json_t *dims = ok ? json_object_get (l, "dimensions_mm") : NULL;
		for (size_t j = 0; ok && json_is_array (dims) && j < 3 && j < json_array_size (dims); j++)
			hub_import_json_set (self, &row, dnames[j], json_array_get (dims, j), &ok);
		if (!ok)
			hub_import_error (self, lineno, "order %d (%s): line %zu is not an object of strings and numbers", index,
			    hub_import_ref_ok (head.v[F_ORDER]) ? head.v[F_ORDER] : "?", i + 1);
		else
			hub_import_take_row (self, &row);
	}
	/* One JSON order is one order: the same reference again is the same order twice. */
	hub_import_group_flush (self);
}

/* Where a fault at byte off of an order's JSON text lies (hub_import_json_refuse_text). */
struct hub_import_json_at {
	char path[128];   /* the keys down to the string holding it: "customer.name", "lines[2].description" */
	size_t str;       /* that string's first byte, or SIZE_MAX when off is outside any string */
	size_t nul;       /* the first \u0000 escape inside a string, or SIZE_MAX */
	char nul_path[128];
	char ref[40];     /* the order's "ref" when it is a plain reference, else "" */
};

#define HUB_IMPORT_JSON_DEPTH 16

/* The path of keys and list positions at the scanner's depth into buf. */
static void
hub_import_json_path (char keys[][36], const int *index, const char *kind, int depth, char *buf, size_t n)
{
	size_t len = 0;
	buf[0] = '\0';
	for (int d = 1; d <= depth && d < HUB_IMPORT_JSON_DEPTH && len + 40 < n; d++) {
		if (kind[d] == '[')
			len += (size_t) snprintf (buf + len, n - len, "[%d]", index[d] + 1);
		else if (keys[d][0] != '\0')
			len += (size_t) snprintf (buf + len, n - len, "%s%s", len ? "." : "", keys[d]);
	}
}

/* The same for the string being read: a value names its key's path, a key the object it is in. */
static void
hub_import_json_where (char keys[][36], const int *index, const char *kind, int depth, bool value, char *buf,
    size_t n)
{
	if (value || depth <= 0 || depth >= HUB_IMPORT_JSON_DEPTH || kind[depth] != '{') {
		hub_import_json_path (keys, index, kind, depth, buf, n);
		return;
	}
	char parent[96];
	hub_import_json_path (keys, index, kind, depth - 1, parent, sizeof parent);
	snprintf (buf, n, "a key%s%s", parent[0] ? " in " : "", parent);
}

/* One pass over an order's text: the string holding off, the first \u0000, the order's "ref". */
static void
hub_import_json_locate (const char *t, size_t n, size_t off, struct hub_import_json_at *at)
{
	char keys[HUB_IMPORT_JSON_DEPTH][36];
	int index[HUB_IMPORT_JSON_DEPTH] = { 0 };
	char kind[HUB_IMPORT_JSON_DEPTH] = { 0 };
	int depth = 0;
	bool str = false, esc = false, value = false;
	size_t start = 0, last = SIZE_MAX, last_len = 0;
	memset (keys, 0, sizeof keys);
	at->str = at->nul = SIZE_MAX;
	at->path[0] = at->nul_path[0] = at->ref[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		char c = t[i];
		if (str) {
			if (i == off && at->str == SIZE_MAX) {
				at->str = start;
				hub_import_json_where (keys, index, kind, depth, value, at->path, sizeof at->path);
			}
			if (esc)
				esc = false;
			else if (c == '\\') {
				esc = true;
				if (at->nul == SIZE_MAX && n - i >= 6 && memcmp (t + i + 1, "u0000", 5) == 0) {
					at->nul = i;
					hub_import_json_where (keys, index, kind, depth, value, at->nul_path, sizeof at->nul_path);
				}
			} else if (c == '"') {
				str = false;
				last = start;
				last_len = i - start;
				if (value && depth == 1 && strcmp (keys[1], "ref") == 0 && last_len < sizeof at->ref) {
					memcpy (at->ref, t + start, last_len);
					at->ref[last_len] = '\0';
					if (!hub_import_ref_ok (at->ref))
						at->ref[0] = '\0';
				}
				value = false;
			}
			continue;
		}
		if (c == '"') {
			str = true;
			start = i + 1;
		} else if (c == ':' && last != SIZE_MAX && depth > 0 && depth < HUB_IMPORT_JSON_DEPTH) {
			/* The string before a ':' is a key; the next string is its value. */
			value = true;
			bool plain = last_len < sizeof keys[0];
			for (size_t k = 0; plain && k < last_len; k++)
				plain = t[last + k] > ' ' && t[last + k] < 0x7f && t[last + k] != '\\';
			snprintf (keys[depth], sizeof keys[depth], "%.*s", plain ? (int) last_len : 1, plain ? t + last : "?");
		} else if (c == ',') {
			value = false;
			if (depth > 0 && depth < HUB_IMPORT_JSON_DEPTH && kind[depth] == '[')
				index[depth]++;
		} else if (c == '{' || c == '[') {
			value = false;
			depth++;
			if (depth < HUB_IMPORT_JSON_DEPTH) {
				kind[depth] = c;
				index[depth] = 0;
				keys[depth][0] = '\0';
			}
		} else if ((c == '}' || c == ']') && depth > 0) {
			depth--;
		}
		if (c != '"' && c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != ':')
			last = SIZE_MAX;
	}
}

/*
 * Text the JSON reader would refuse in its own words (bytes that are not
 * UTF-8, a raw control character, a NUL escaped as \u0000): refused here as
 * every other door refuses text, naming the line, the order, the field
 * (by its JSON keys) and what to do. True when the order was refused.
 */
static bool
hub_import_json_refuse_text (hub_import_t *self, const char *text, size_t len, int lineno)
{
	struct text_fault f;
	bool bad = !text_check (text, len, TEXT_TAB | TEXT_NEWLINE, &f);
	if (!bad && memmem (text, len, "\\u0000", 6) == NULL)
		return false;
	struct hub_import_json_at at;
	hub_import_json_locate (text, len, bad ? f.offset : SIZE_MAX, &at);
	size_t off = bad ? f.offset : at.nul;
	if (off == SIZE_MAX)
		return false; /* a "\\u0000" that is a backslash and then text: nothing wrong */
	int line = lineno;
	size_t bol = 0;
	for (size_t i = 0; i < off; i++)
		if (text[i] == '\n') {
			line++;
			bol = i + 1;
		}
	char ref[48] = "";
	if (at.ref[0] != '\0')
		snprintf (ref, sizeof ref, "%s: ", at.ref);
	if (!bad) {
		hub_import_json_locate (text, len, at.nul, &at); /* again, for the string that holds it */
		struct text_fault nul = { TEXT_FAULT_NUL, at.nul - at.str, 0 };
		char what[96];
		hub_import_error (self, line, "%s%s: %s (\\u0000); remove it and send again", ref,
		    at.nul_path[0] ? at.nul_path : "a string", text_fault_describe (&nul, what, sizeof what));
		return true;
	}
	if (at.str != SIZE_MAX) {
		char *why = text_check_field (at.path[0] ? at.path : "a string", text + at.str, len - at.str,
		    TEXT_TAB | TEXT_NEWLINE);
		hub_import_error (self, line, "%s%s", ref, why ? why : "?");
		free (why);
	} else {
		char what[96];
		f.offset -= bol;
		hub_import_error (self, line, "%s%s, between the fields; %s", ref, text_fault_describe (&f, what, sizeof what),
		    f.kind == TEXT_FAULT_UTF8 ? "send the text as UTF-8" : "remove it and send again");
	}
	return true;
}

static void
hub_import_on_json (void *arg, const char *text, size_t len, int lineno, int index)
{
	hub_import_t *self = arg;
	if (self->stop)
		return;
	json_error_t err;
	if (hub_import_json_refuse_text (self, text, len, lineno))
		return;
	json_t *o = json_loadb (text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
	if (o == NULL) {
		hub_import_error (self, lineno + (err.line > 0 ? err.line - 1 : 0), "not valid JSON: %s", err.text);
		return;
	}
	if (!json_is_object (o))
		hub_import_error (self, lineno, "order %d is not a JSON object", index);
	else
		hub_import_json_order (self, o, hub_import_json_ref_line (text, len, lineno), index);
	json_decref (o);
}

/* --- reading ---------------------------------------------------------------- */

static void
hub_import_feed (hub_import_t *self, const char *p, size_t n)
{
	if (!self->bom_checked) {
		self->bom_checked = true;
		if (n >= 3 && memcmp (p, "\xef\xbb\xbf", 3) == 0)
			p += 3, n -= 3; /* a byte-order mark from spreadsheet exports */
	}
	if (!self->detected) {
		while (n > 0 && isspace ((unsigned char) *p)) {
			if (*p == '\n')
				self->lead_lines++;
			p++, n--;
		}
		if (n == 0)
			return;
		self->detected = true;
		self->json = *p == '{' || *p == '[';
		self->csv.lineno = self->js.lineno = 1 + self->lead_lines;
	}
	if (self->json)
		hub_import_json_feed (&self->js, p, n);
	else
		hub_import_csv_feed (&self->csv, p, n);
}

/* The end of the source: what is left of the last record or order, then the verdict on reading. */
static void
hub_import_read_end (hub_import_t *self)
{
	if (!self->stop && self->detected) {
		if (self->json)
			hub_import_json_finish (&self->js);
		else
			hub_import_csv_finish (&self->csv);
	}
	hub_import_group_flush (self);
	if (!self->detected)
		hub_import_error (self, 0, "the file is empty: expected a header line naming the columns, or JSON (see "
		    "doc/orders.md)");
	else if (!self->json && !self->have_header && self->rep.nerrors == 0)
		hub_import_error (self, 0, "the file is empty: expected a header line naming the columns (see doc/orders.md)");
	else if (self->rep.nerrors == 0 && self->rep.orders == 0)
		hub_import_error (self, 0, "no orders in the file");
}

static bool
hub_import_over (int64_t deadline_us)
{
	return deadline_us > 0 && util_mono_us () >= deadline_us;
}

static void
hub_import_step_read (hub_import_t *self, int64_t deadline)
{
	if (db_exec (self->scratch, "BEGIN") != DB_DONE)
		hub_import_scratch_failed (self);
	bool end = false;
	while (!end && !self->stop) {
		if (self->read_fn) {
			ssize_t got = self->read_fn (self->read_arg, self->chunk, IMP_CHUNK);
			if (got < 0) {
				hub_import_error (self, 0, "cannot read it: %s", strerror (errno));
				self->stop = true;
			} else if (got == 0)
				end = true;
			else
				hub_import_feed (self, self->chunk, (size_t) got);
		} else {
			size_t n = self->text_len - self->text_pos;
			if (n > IMP_CHUNK)
				n = IMP_CHUNK;
			if (n == 0)
				end = true;
			else {
				hub_import_feed (self, self->text + self->text_pos, n);
				self->text_pos += n;
			}
		}
		if (hub_import_over (deadline))
			break;
	}
	bool last = end || self->stop;
	if (last)
		hub_import_read_end (self);
	/* The slice's orders reach the scratch store's file here once they outgrow its cache. */
	if (!self->scratch_failed && db_exec (self->scratch, "COMMIT") != DB_DONE)
		hub_import_scratch_failed (self);
	if (last || self->scratch_failed) {
		if (self->rep.more_errors > 0 || self->scratch_failed)
			self->phase = PH_DONE; /* the list is full, or the store failed: refused without comparing */
		else
			self->phase = PH_CHECK;
		self->cursor = 0;
	}
}

/* --- orders from the scratch database ------------------------------------------ */

struct hub_import_order {
	int64_t seq;
	int lineno;
	char *fbuf, *lbuf;
	const char *f[IMP_ORDER_FIELDS];
	int64_t value;
	int nlines;
	struct hub_import_line *lines;
	char hash[17];
	char source[256];   /* for a restore: the source and time it had */
	int64_t updated_at;
};

static void
hub_import_order_free (struct hub_import_order *o)
{
	free (o->fbuf);
	free (o->lbuf);
	free (o->lines);
	memset (o, 0, sizeof *o);
}

static int
hub_import_line_cmp (const void *a, const void *b)
{
	const struct hub_import_line *x = a, *y = b;
	return (x->no > y->no) - (x->no < y->no);
}

/* The numbers of a line from its fields. */
static void
hub_import_line_numbers (struct hub_import_line *l)
{
	l->no = atol (l->f[0]);
	l->quantity = atol (l->f[F_QUANTITY - F_LINE]);
	l->weight_g = atol (l->f[F_UNIT_WEIGHT_G - F_LINE]);
	for (int d = 0; d < 3; d++)
		l->dims[d] = atol (l->f[F_LENGTH_MM - F_LINE + d]);
	if (!hub_import_money (l->f[F_LINE_VALUE - F_LINE], &l->value))
		l->value = 0;
}

/* FNV-1a over the order's canonical fields, lines in order: what "changed" means. */
static void
hub_import_hash (struct hub_import_order *o)
{
	uint64_t h = 1469598103934665603ULL;
	qsort (o->lines, (size_t) o->nlines, sizeof *o->lines, hub_import_line_cmp);
	for (int part = -1; part < o->nlines; part++) {
		const char *const *f = part < 0 ? o->f : o->lines[part].f;
		int nf = part < 0 ? IMP_ORDER_FIELDS : IMP_LINE_FIELDS;
		for (int i = 0; i < nf; i++) {
			if (part >= 0 && i >= IMP_LINE_FIELDS_V4 && *f[i] == '\0')
				continue;
			for (const char *p = f[i]; *p; p++) {
				h ^= (unsigned char) *p;
				h *= 1099511628211ULL;
			}
			h ^= 0x1f;
			h *= 1099511628211ULL;
		}
		h ^= 0x1e;
		h *= 1099511628211ULL;
	}
	snprintf (o->hash, sizeof o->hash, "%016llx", (unsigned long long) h);
}

/* An order from packed fields (taken: the buffers become the order's). */
static void
hub_import_order_unpack (struct hub_import_order *o, char *fbuf, char *lbuf, size_t llen, int nlines, bool rows)
{
	o->fbuf = fbuf;
	o->lbuf = lbuf;
	const char *p = fbuf;
	for (int i = 0; i < IMP_ORDER_FIELDS; i++) {
		o->f[i] = p;
		p += strlen (p) + 1;
	}
	if (!hub_import_money (o->f[F_ORDER_VALUE], &o->value))
		o->value = 0;
	o->lines = xcalloc ((size_t) nlines + 1, sizeof *o->lines);
	o->nlines = 0;
	const char *q = lbuf, *end = lbuf + llen;
	for (int l = 0; l < nlines && q < end; l++) {
		struct hub_import_line *line = &o->lines[o->nlines++];
		if (rows) {
			line->row = atoi (q);
			q += strlen (q) + 1;
		}
		for (int k = 0; k < IMP_LINE_FIELDS; k++) {
			line->f[k] = q;
			q += strlen (q) + 1;
		}
		hub_import_line_numbers (line);
	}
	hub_import_hash (o);
}

static char *
hub_import_blob_copy (db_stmt_t *st, int col, size_t *n)
{
	const char *p = db_col_blob (st, col, n);
	char *copy = xmalloc (*n + 1);
	if (*n)
		memcpy (copy, p, *n);
	copy[*n] = '\0';
	return copy;
}

/* The next good order after the cursor; false when there is none. */
static bool
hub_import_next (hub_import_t *self, struct hub_import_order *o)
{
	db_stmt_t *st = hub_import_prep (self, self->scratch, HUB_IMPORT_ST_NEXT, "SELECT seq, lineno, f, lines, nlines FROM o"
	    " WHERE seq > ?1 AND f IS NOT NULL ORDER BY seq LIMIT 1");
	db_bind_int (st, 1, self->cursor);
	int rc = db_step (st);
	if (rc != DB_ROW) {
		db_reset (st);
		if (rc != DB_DONE)
			hub_import_scratch_failed (self); /* not the end: the orders after it are not lost */
		return false;
	}
	memset (o, 0, sizeof *o);
	o->seq = db_col_int (st, 0);
	o->lineno = (int) db_col_int (st, 1);
	size_t fn, ln;
	char *f = hub_import_blob_copy (st, 2, &fn);
	char *l = hub_import_blob_copy (st, 3, &ln);
	int nlines = (int) db_col_int (st, 4);
	db_reset (st);
	hub_import_order_unpack (o, f, l, ln, nlines, true);
	return true;
}

/* --- compare ---------------------------------------------------------------- */

/*
 * The recipient's fields a label prints, which a received order whose label
 * could not be drawn may still correct until it is labelled (the refusal
 * names the field; the order is put right at its source and sent again).
 */
static const struct {
	enum hub_import_field field;
	const char *column;     /* in orders */
} hub_import_label_fields[] = {
	{ F_CUSTOMER_NAME, "customer_name" }, { F_ADDRESS_1, "address1" }, { F_ADDRESS_2, "address2" },
	{ F_ADDRESS_3, "address3" }, { F_TOWN, "town" }, { F_POSTCODE, "postcode" }, { F_PHONE, "phone" },
};
#define IMP_LABEL_FIELDS nitems (hub_import_label_fields)

/* The hub's values of the label fields of order ref, into was (caller frees each); false if no such order. */
static bool
hub_import_label_get (db_t *db, const char *ref, char *was[IMP_LABEL_FIELDS])
{
	db_stmt_t *st = db_prepare (db, "SELECT customer_name, address1, address2, address3, town, postcode, phone"
	    " FROM orders WHERE ref = ?1");
	db_bind_text (st, 1, ref);
	bool found = db_step (st) == DB_ROW;
	for (size_t k = 0; k < IMP_LABEL_FIELDS; k++)
		was[k] = xstrdup (found ? db_col_text (st, (int) k) : "");
	db_reset (st);
	return found;
}

/* Whether a label of the order was refused because it could not be drawn: then its label fields may be put right. */
static bool
hub_import_label_refused (db_t *db, const char *ref)
{
	db_stmt_t *st = db_prepare (db, "SELECT count(*) FROM events WHERE order_ref = ?1 AND action = 'label-refused'"
	    " AND detail LIKE '%cannot be drawn%'");
	db_bind_text (st, 1, ref);
	bool refused = db_step (st) == DB_ROW && db_col_int (st, 0) > 0;
	db_reset (st);
	return refused;
}

/*
 * A received order whose copy differs from the hub's only in the lines'
 * customs fields (hs_code, origin_country, currency), and, once a label of
 * it could not be drawn, in the recipient's fields a label prints (name,
 * address, town, postcode, phone), and that has no label yet: true. The
 * copy is hashed with the hub's values in place of its own; the same hash
 * as the hub's means nothing else changed.
 */
static bool
hub_import_customs_only (db_t *db, struct hub_import_order *o, const char *stored_hash)
{
	db_stmt_t *st = db_prepare (db, "SELECT count(*) FROM parcels WHERE order_ref = ?1 AND status != 'void'"
	    " AND labelled_at IS NOT NULL");
	db_bind_text (st, 1, o->f[F_ORDER]);
	bool labelled = db_step (st) != DB_ROW || db_col_int (st, 0) > 0;
	db_reset (st);
	if (labelled)
		return false;
	const char *(*mine)[3] = xcalloc ((size_t) o->nlines + 1, sizeof *mine);
	char (*hub)[3][64] = xcalloc ((size_t) o->nlines + 1, sizeof *hub);
	char hash[sizeof o->hash];
	bool found = true;
	int n = 0;
	st = db_prepare (db, "SELECT coalesce (hs_code, ''), coalesce (origin_country, ''), coalesce (currency, '')"
	    " FROM order_lines WHERE order_ref = ?1 AND line_no = ?2");
	for (; n < o->nlines && found; n++) {
		struct hub_import_line *l = &o->lines[n];
		db_bind_text (st, 1, o->f[F_ORDER]);
		db_bind_int (st, 2, l->no);
		found = db_step (st) == DB_ROW;
		for (int k = 0; k < 3; k++) {
			mine[n][k] = l->f[IMP_CUSTOMS0 + k];
			util_strlcpy (hub[n][k], found ? db_col_text (st, k) : "", sizeof hub[n][k]);
			l->f[IMP_CUSTOMS0 + k] = hub[n][k];
		}
		db_reset (st);
	}
	char *hubs[IMP_LABEL_FIELDS];
	const char *theirs[IMP_LABEL_FIELDS];
	bool label = hub_import_label_refused (db, o->f[F_ORDER]);
	found = hub_import_label_get (db, o->f[F_ORDER], hubs) && found;
	for (size_t k = 0; k < IMP_LABEL_FIELDS; k++) {
		theirs[k] = o->f[hub_import_label_fields[k].field];
		if (label)
			o->f[hub_import_label_fields[k].field] = hubs[k];
	}
	util_strlcpy (hash, o->hash, sizeof hash);
	hub_import_hash (o); /* the lines are in order already: the sort keeps them */
	bool same = found && n == o->nlines && strcmp (o->hash, stored_hash) == 0;
	for (int i = 0; i < n; i++)
		for (int k = 0; k < 3; k++)
			o->lines[i].f[IMP_CUSTOMS0 + k] = mine[i][k];
	for (size_t k = 0; k < IMP_LABEL_FIELDS; k++) {
		o->f[hub_import_label_fields[k].field] = theirs[k];
		free (hubs[k]);
	}
	free (mine);
	free (hub);
	util_strlcpy (o->hash, hash, sizeof o->hash);
	return same;
}

/* What the order is to the hub now; a refusal goes into the report. */
static enum hub_import_what
hub_import_decide (hub_import_t *self, db_t *db, struct hub_import_order *o, bool writing)
{
	enum hub_import_what what = IMP_NEW;
	db_stmt_t *st = hub_import_prep (self, db, HUB_IMPORT_ST_DECIDE, "SELECT status, content_hash FROM orders WHERE ref = ?1");
	db_bind_text (st, 1, o->f[F_ORDER]);
	if (db_step (st) == DB_ROW) {
		char status[32], stored[20];
		util_strlcpy (status, db_col_text (st, 0), sizeof status);
		util_strlcpy (stored, db_col_text (st, 1), sizeof stored);
		db_reset (st);
		if (strcmp (stored, o->hash) == 0)
			what = IMP_SAME;
		else if (hub_state_order_parse (status) == ORDER_NEW)
			what = IMP_UPDATE;
		else if (hub_import_customs_only (db, o, stored))
			what = IMP_CUSTOMS; /* customs data, and label data a label was refused for, after receive: until labelled */
		else {
			hub_import_error (self, o->lineno, "%s has changed, but despatch already has it (%s)%s: the change is "
			    "refused. Tell despatch; a supervisor can hold it", o->f[F_ORDER], status,
			    writing ? ", since the file was checked" : "");
			what = IMP_REFUSED;
		}
	}
	db_reset (st);
	return what;
}

/* --- write ------------------------------------------------------------------- */

static int
hub_import_write_order (hub_import_t *self, db_t *db, const struct hub_import_order *o, bool update, const char *source,
    int64_t now_ms)
{
	db_stmt_t *st;
	if (update) {
		st = db_prepare (db, "DELETE FROM order_lines WHERE order_ref = ?1");
		db_bind_text (st, 1, o->f[F_ORDER]);
		int rc = db_step (st);
		db_reset (st);
		if (rc != DB_DONE)
			return -1;
	}
	st = hub_import_prep (self, db, HUB_IMPORT_ST_ORDER,
	    "INSERT INTO orders (ref, channel, customer_name, address1, address2, address3, town, postcode, country,"
	    " phone, email, loyalty, service, promise, value_pence, content_hash, source, created_at, updated_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?18)"
	    " ON CONFLICT(ref) DO UPDATE SET channel = ?2, customer_name = ?3, address1 = ?4, address2 = ?5,"
	    " address3 = ?6, town = ?7, postcode = ?8, country = ?9, phone = ?10, email = ?11, loyalty = ?12,"
	    " service = ?13, promise = ?14, value_pence = ?15, content_hash = ?16, source = ?17, updated_at = ?18");
	for (int i = 0; i < 14; i++)
		db_bind_text (st, i + 1, o->f[i]);
	db_bind_int (st, 15, o->value);
	db_bind_text (st, 16, o->hash);
	db_bind_text (st, 17, source);
	db_bind_int (st, 18, now_ms);
	int rc = db_step (st);
	db_reset (st);
	if (rc != DB_DONE)
		return -1;
	st = hub_import_prep (self, db, HUB_IMPORT_ST_LINE,
	    "INSERT INTO order_lines (order_ref, line_no, sku, description, department, quantity, locations,"
	    " unit_weight_g, value_pence, length_mm, width_mm, height_mm, hs_code, origin_country, currency)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)");
	for (int i = 0; i < o->nlines; i++) {
		const struct hub_import_line *l = &o->lines[i];
		db_bind_text (st, 1, o->f[F_ORDER]);
		db_bind_int (st, 2, l->no);
		db_bind_text (st, 3, l->f[F_SKU - F_LINE]);
		db_bind_text (st, 4, l->f[F_DESCRIPTION - F_LINE]);
		db_bind_text (st, 5, l->f[F_DEPARTMENT - F_LINE]);
		db_bind_int (st, 6, l->quantity);
		db_bind_text (st, 7, l->f[F_LOCATIONS - F_LINE]);
		db_bind_int (st, 8, l->weight_g);
		db_bind_int (st, 9, l->value);
		for (int d = 0; d < 3; d++) {
			if (l->dims[d])
				db_bind_int (st, 10 + d, l->dims[d]);
			else
				db_bind_null (st, 10 + d);
		}
		/* No currency given is none: customs asks for it rather than assume pounds. */
		for (int k = 0; k < 3; k++)
			db_bind_text (st, 13 + k, l->f[IMP_CUSTOMS0 + k]);
		rc = db_step (st);
		db_reset (st);
		if (rc != DB_DONE)
			return -1;
	}
	return 0;
}

/*
 * The recipient's label fields of a received order: written, and an event
 * "corrected" naming them (not their values: the audit trail keeps no
 * address); its id into *first and *last as the customs events' are.
 */
static int
hub_import_write_label (db_t *db, const struct hub_import_order *o, const char *source, int64_t now_ms,
    int64_t *first, int64_t *last)
{
	char *was[IMP_LABEL_FIELDS], detail[256] = "";
	hub_import_label_get (db, o->f[F_ORDER], was);
	int rc = 0;
	for (size_t k = 0; k < IMP_LABEL_FIELDS && rc == 0; k++) {
		const char *now = o->f[hub_import_label_fields[k].field];
		if (strcmp (was[k], now) == 0)
			continue;
		size_t used = strlen (detail);
		snprintf (detail + used, sizeof detail - used, "%s%s", used ? ", " : "",
		    hub_import_names[hub_import_label_fields[k].field]);
		char *sql = xasprintf ("UPDATE orders SET %s = ?2 WHERE ref = ?1", hub_import_label_fields[k].column);
		db_stmt_t *st = db_prepare (db, sql);
		free (sql);
		db_bind_text (st, 1, o->f[F_ORDER]);
		db_bind_text (st, 2, now);
		rc = st && db_step (st) == DB_DONE ? 0 : -1;
		if (st)
			db_reset (st);
	}
	for (size_t k = 0; k < IMP_LABEL_FIELDS; k++)
		free (was[k]);
	if (rc != 0 || *detail == '\0')
		return rc;
	db_stmt_t *st = db_prepare (db, "INSERT INTO events (at, action, order_ref, code, detail)"
	    " VALUES (?1, 'corrected', ?2, ?3, ?4)");
	db_bind_int (st, 1, now_ms);
	db_bind_text (st, 2, o->f[F_ORDER]);
	db_bind_text (st, 3, source);
	db_bind_text (st, 4, detail);
	rc = db_step (st) == DB_DONE ? 0 : -1;
	db_reset (st);
	if (rc == 0) {
		*last = db_last_rowid (db);
		if (*first == 0)
			*first = *last;
	}
	return rc;
}

/* The customs fields of a received order's lines, each change an event in the audit trail, and its
 * label fields (hub_import_write_label); the events' ids from *first to *last (0 when none). */
static int
hub_import_write_customs (db_t *db, const struct hub_import_order *o, const char *source, int64_t now_ms,
    int64_t *first, int64_t *last)
{
	static const char *const names[3] = { "hs_code", "origin_country", "currency" };
	*first = *last = 0;
	db_stmt_t *get = db_prepare (db, "SELECT coalesce (hs_code, ''), coalesce (origin_country, ''),"
	    " coalesce (currency, '') FROM order_lines WHERE order_ref = ?1 AND line_no = ?2");
	for (int i = 0; i < o->nlines; i++) {
		const struct hub_import_line *l = &o->lines[i];
		char detail[400] = "", was[3][64];
		db_bind_text (get, 1, o->f[F_ORDER]);
		db_bind_int (get, 2, l->no);
		if (db_step (get) != DB_ROW) {
			db_reset (get);
			return -1;
		}
		for (int k = 0; k < 3; k++)
			util_strlcpy (was[k], db_col_text (get, k), sizeof was[k]);
		db_reset (get);
		for (int k = 0; k < 3; k++) {
			const char *now = l->f[IMP_CUSTOMS0 + k];
			if (strcmp (was[k], now) != 0) {
				size_t used = strlen (detail);
				snprintf (detail + used, sizeof detail - used, "%s%s %s -> %s", used ? ", " : "", names[k],
				    *was[k] ? was[k] : "(none)", *now ? now : "(none)");
			}
		}
		if (*detail == '\0')
			continue;
		db_stmt_t *st = db_prepare (db, "UPDATE order_lines SET hs_code = ?3, origin_country = ?4, currency = ?5"
		    " WHERE order_ref = ?1 AND line_no = ?2");
		db_bind_text (st, 1, o->f[F_ORDER]);
		db_bind_int (st, 2, l->no);
		for (int k = 0; k < 3; k++)
			db_bind_text (st, 3 + k, l->f[IMP_CUSTOMS0 + k]);
		int rc = db_step (st);
		db_reset (st);
		if (rc != DB_DONE)
			return -1;
		st = db_prepare (db, "INSERT INTO events (at, action, order_ref, line_no, code, detail)"
		    " VALUES (?1, 'customs', ?2, ?3, ?4, ?5)");
		db_bind_int (st, 1, now_ms);
		db_bind_text (st, 2, o->f[F_ORDER]);
		db_bind_int (st, 3, l->no);
		db_bind_text (st, 4, source);
		db_bind_text (st, 5, detail);
		rc = db_step (st);
		db_reset (st);
		if (rc != DB_DONE)
			return -1;
		*last = db_last_rowid (db);
		if (*first == 0)
			*first = *last;
	}
	if (hub_import_write_label (db, o, source, now_ms, first, last) != 0)
		return -1;
	db_stmt_t *st = db_prepare (db, "UPDATE orders SET content_hash = ?2, source = ?3, updated_at = ?4 WHERE ref = ?1");
	db_bind_text (st, 1, o->f[F_ORDER]);
	db_bind_text (st, 2, o->hash);
	db_bind_text (st, 3, source);
	db_bind_int (st, 4, now_ms);
	int rc = db_step (st);
	db_reset (st);
	return rc == DB_DONE ? 0 : -1;
}

/* --- the import lock --------------------------------------------------------------
 * One import writes into a database at a time: an open file description lock (F_OFD_SETLK) on the file
 * DATABASE-import.lock, held for the whole write of one file. The kernel drops it with the last descriptor of
 * its holder, however that ends (a kill, a container stopped), and it does not care which pid namespace the
 * holder is in: so a run left unfinished while the lock is free is orphaned for sure. The holder writes who
 * it is into the file, for the messages of those who find it held.
 */
struct hub_import_lock {
	char *path;
	char *who;     /* "despatch import", "the hub" */
	int fd;        /* -1: a database no other process can open (in memory, temporary) */
	bool held;
	bool ofd;      /* F_OFD_SETLK; false where the kernel has it not (flock then) */
};

hub_import_lock_t *
hub_import_lock_new (db_t *db, const char *who, char **cause)
{
	hub_import_lock_t *self = xcalloc (1, sizeof *self);
	self->who = xstrdup (who);
	self->fd = -1;
	self->ofd = true;
	const char *dbpath = db_path (db);
	if (dbpath == NULL || *dbpath == '\0' || strcmp (dbpath, ":memory:") == 0)
		return self;
	self->path = xasprintf ("%s-import.lock", dbpath);
	/* Made like SQLite makes its -wal and -shm files: the database's mode, and its owner when root makes it,
	 * so that the hub's user can take a lock that despatch import run as root made. */
	struct stat sb;
	mode_t mode = stat (dbpath, &sb) == 0 ? (sb.st_mode & 0666) : 0600;
	bool made = false;
	self->fd = open (self->path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (self->fd < 0 && errno == ENOENT) {
		self->fd = open (self->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, mode);
		made = self->fd >= 0;
	}
	if (self->fd < 0) {
		*cause = xasprintf ("cannot open the import lock %s: %s; run this as the user that owns the database",
		    self->path, strerror (errno));
		hub_import_lock_destroy (&self);
		return NULL;
	}
	if (made) {
		fchmod (self->fd, mode); /* not the umask's */
		if (geteuid () == 0 && stat (dbpath, &sb) == 0 && fchown (self->fd, sb.st_uid, sb.st_gid) != 0)
			log_warn ("import lock %s: cannot give it the database's owner: %s", self->path, strerror (errno));
	}
	return self;
}

void
hub_import_lock_destroy (hub_import_lock_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	hub_import_lock_t *self = *self_p;
	hub_import_lock_drop (self);
	if (self->fd >= 0)
		close (self->fd);
	free (self->path);
	free (self->who);
	free (self);
	*self_p = NULL;
}

/* One try: 0 taken, 1 held by another, -1 errno. */
static int
hub_import_lock_try (hub_import_lock_t *self)
{
	if (self->ofd) {
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
		if (fcntl (self->fd, F_OFD_SETLK, &fl) == 0)
			return 0;
		if (errno == EAGAIN || errno == EACCES)
			return 1;
		if (errno != EINVAL)
			return -1;
		self->ofd = false;
	}
	if (flock (self->fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	return errno == EWOULDBLOCK ? 1 : -1;
}

/* What the holder wrote of itself, or NULL. */
static char *
hub_import_lock_holder (const hub_import_lock_t *self)
{
	char buf[512];
	ssize_t n = pread (self->fd, buf, sizeof buf - 1, 0);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	buf[strcspn (buf, "\n")] = '\0';
	return *buf ? text_escape (buf, strlen (buf)) : NULL;
}

int
hub_import_lock_take (hub_import_lock_t *self, const char *what, int wait_ms, char **holder, char **cause)
{
	*holder = NULL;
	*cause = NULL;
	if (self->held)
		return 0;
	if (self->fd < 0) {
		self->held = true;
		return 0;
	}
	int64_t until = util_mono_ms () + (wait_ms > 0 ? wait_ms : 0);
	int rc;
	while ((rc = hub_import_lock_try (self)) == 1 && util_mono_ms () < until)
		usleep (20000);
	if (rc < 0) {
		*cause = xasprintf ("cannot take the import lock %s: %s", self->path, strerror (errno));
		return -1;
	}
	if (rc == 1) {
		*holder = hub_import_lock_holder (self);
		return 1;
	}
	self->held = true;
	char when[32];
	util_iso_time (util_wall_ms (), when, sizeof when);
	char *shown = text_escape (what ? what : "", what ? strlen (what) : 0); /* a file's name may hold a new line */
	char *me = xasprintf ("%s (pid %ld) since %s, %s\n", self->who, (long) getpid (), when, shown);
	free (shown);
	if (ftruncate (self->fd, 0) != 0 || pwrite (self->fd, me, strlen (me), 0) < 0)
		log_warn ("import lock %s: cannot say who holds it: %s", self->path, strerror (errno));
	free (me);
	return 0;
}

void
hub_import_lock_drop (hub_import_lock_t *self)
{
	if (self == NULL || !self->held)
		return;
	self->held = false;
	if (self->fd < 0)
		return;
	if (self->ofd) {
		struct flock fl = { .l_type = F_UNLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
		fcntl (self->fd, F_OFD_SETLK, &fl);
	} else {
		flock (self->fd, LOCK_UN);
	}
}

bool
hub_import_lock_held (const hub_import_lock_t *self)
{
	return self && self->held;
}

/* --- runs: the undo records' owner ------------------------------------------------
 * An import's undo records are the hub database's (import_undo), each written in the transaction of the
 * slice that wrote its order, under the import's run (import_runs). A run is taken back by the process
 * writing it when the file is refused while it is written, and otherwise at the next start of the hub
 * or of despatch import once that process is gone: so the owner names the process by what outlives no
 * reuse of its number, the machine's boot id, its pid and its start time. That is for messages only: whether
 * the process is gone is the import lock's to say (a run left while no one holds it is orphaned).
 */

/* Runs being written by imports alive in this process: a run of this process not among them was left
 * by an import that ended without finishing (its undo failed): taken back as a dead process's is. */
static pthread_mutex_t hub_import_live_lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t *hub_import_live;
static size_t hub_import_nlive;
static bool hub_import_left;  /* an import was destroyed with its run open since hub_import_orphaned */

static void
hub_import_live_set (int64_t run, bool live)
{
	pthread_mutex_lock (&hub_import_live_lock);
	size_t i = 0;
	while (i < hub_import_nlive && hub_import_live[i] != run)
		i++;
	if (live && i == hub_import_nlive) {
		hub_import_live = xrealloc (hub_import_live, (hub_import_nlive + 1) * sizeof *hub_import_live);
		hub_import_live[hub_import_nlive++] = run;
	} else if (!live && i < hub_import_nlive) {
		hub_import_live[i] = hub_import_live[--hub_import_nlive];
	}
	pthread_mutex_unlock (&hub_import_live_lock);
}

static bool
hub_import_live_has (int64_t run)
{
	pthread_mutex_lock (&hub_import_live_lock);
	bool has = false;
	for (size_t i = 0; i < hub_import_nlive && !has; i++)
		has = hub_import_live[i] == run;
	pthread_mutex_unlock (&hub_import_live_lock);
	return has;
}

/* A process's start time in clock ticks since boot (/proc/PID/stat, field 22), or -1; -2 for a process that
 * has ended but is not yet reaped (a zombie writes nothing more). */
static long long
hub_import_started (long pid)
{
	char path[48], buf[1024];
	snprintf (path, sizeof path, "/proc/%ld/stat", pid);
	FILE *f = fopen (path, "r");
	if (f == NULL)
		return -1;
	size_t n = fread (buf, 1, sizeof buf - 1, f);
	fclose (f);
	buf[n] = '\0';
	char *p = strrchr (buf, ')'); /* the command's name may hold anything */
	if (p == NULL)
		return -1;
	p++;
	if (p[0] == ' ' && (p[1] == 'Z' || p[1] == 'X'))
		return -2;
	for (int field = 2; field < 21 && p; field++)
		p = strchr (p + 1, ' ');
	return p ? atoll (p + 1) : -1;
}

static void
hub_import_boot_id (char *buf, size_t n)
{
	*buf = '\0';
	FILE *f = fopen ("/proc/sys/kernel/random/boot_id", "r");
	if (f == NULL)
		return;
	if (fgets (buf, (int) n, f) == NULL)
		*buf = '\0';
	buf[strcspn (buf, "\n ")] = '\0';
	fclose (f);
}

/* This process as a run's owner: "BOOT-ID PID START". */
static char *
hub_import_owner_self (void)
{
	char boot[64];
	hub_import_boot_id (boot, sizeof boot);
	long pid = (long) getpid ();
	return xasprintf ("%s %ld %lld", *boot ? boot : "-", pid, hub_import_started (pid));
}

/* The pid in an owner, for messages. */
static long
hub_import_owner_pid (const char *owner)
{
	long pid = 0;
	const char *sp = owner ? strchr (owner, ' ') : NULL;
	if (sp)
		pid = atol (sp + 1);
	return pid;
}

/* The run of this import, made in the slice's transaction at its first undo record. */
static int
hub_import_run_open (hub_import_t *self, db_t *db)
{
	char *owner = hub_import_owner_self ();
	db_stmt_t *st = db_prepare (db, "INSERT INTO import_runs (source, at, owner) VALUES (?1, ?2, ?3)");
	db_bind_text (st, 1, self->name);
	db_bind_int (st, 2, self->now_ms);
	db_bind_text (st, 3, owner);
	int rc = st ? db_step (st) : DB_ERROR;
	if (st)
		db_reset (st);
	free (owner);
	if (rc != DB_DONE)
		return -1;
	self->run = db_last_rowid (db);
	self->useq = 0;
	hub_import_live_set (self->run, true);
	return 0;
}

/*
 * Undo records, in the slice's own transaction:
 *   IMP_UNDO_MADE  orders the slice created, many in one record (a row each
 *                  would cost the import a fifth of its time): old holds
 *                  each one's ref and the hash written, in the order made;
 *   IMP_UPDATE     old holds the order as it was (hash, source, updated_at,
 *                  fields, then each line's fields) to write back;
 *   IMP_CUSTOMS    old holds hash, source, updated_at, the audit events'
 *                  first and last id, the recipient's label fields, then
 *                  each line's number and customs fields.
 * A file holds each order once, so records of one run never name the same
 * order twice and may be taken back in any order (newest first).
 */
#define IMP_UNDO_MADE 5
#define IMP_UNDO_MADE_CAP (64 << 10) /* bytes of refs kept before they go into a record of their own */

static int
hub_import_undo_put (hub_import_t *self, db_t *db, const char *ref, int kind, const char *hash,
    const struct hub_import_buf *old)
{
	if (self->run == 0 && hub_import_run_open (self, db) != 0)
		return -1;
	db_stmt_t *st = hub_import_prep (self, db, HUB_IMPORT_ST_UNDO,
	    "INSERT INTO import_undo (run, seq, ref, kind, hash, old) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
	db_bind_int (st, 1, self->run);
	db_bind_int (st, 2, self->useq + 1);
	db_bind_text (st, 3, ref);
	db_bind_int (st, 4, kind);
	db_bind_text (st, 5, hash);
	if (old)
		db_bind_blob (st, 6, old->data, old->len);
	else
		db_bind_null (st, 6);
	int rc = db_step (st);
	db_reset (st);
	if (rc != DB_DONE)
		return -1;
	self->useq++;
	return 0;
}

/* The orders the slice made so far, as one record. */
static int
hub_import_undo_made (hub_import_t *self, db_t *db)
{
	if (self->made.len == 0)
		return 0;
	int rc = hub_import_undo_put (self, db, "", IMP_UNDO_MADE, "", &self->made);
	self->made.len = 0;
	return rc;
}

static int
hub_import_undo_add (hub_import_t *self, db_t *db, const struct hub_import_order *o, int kind,
    const struct hub_import_buf *old)
{
	if (kind != IMP_NEW)
		return hub_import_undo_put (self, db, o->f[F_ORDER], kind, o->hash, old);
	hub_import_buf_str (&self->made, o->f[F_ORDER]);
	hub_import_buf_str (&self->made, o->hash);
	return self->made.len >= IMP_UNDO_MADE_CAP ? hub_import_undo_made (self, db) : 0;
}

static void
hub_import_buf_int (struct hub_import_buf *b, int64_t v)
{
	char n[24];
	snprintf (n, sizeof n, "%lld", (long long) v);
	hub_import_buf_str (b, n);
}

/* Money as the import writes it: "12.50" from pence, so a restore reads it back the same. */
static void
hub_import_buf_money (struct hub_import_buf *b, int64_t pence)
{
	char n[32];
	snprintf (n, sizeof n, "%lld.%02lld", (long long) (pence / 100), (long long) (pence % 100));
	hub_import_buf_str (b, n);
}

/* The hub's copy of an order (before an update) as an undo record's old. */
static int
hub_import_old_order (db_t *db, const char *ref, struct hub_import_buf *old, int *nlines)
{
	db_stmt_t *st = db_prepare (db, "SELECT content_hash, source, coalesce (updated_at, created_at), channel,"
	    " customer_name, address1, address2, address3, town, postcode, country, phone, email, loyalty, service,"
	    " promise, value_pence FROM orders WHERE ref = ?1");
	db_bind_text (st, 1, ref);
	if (db_step (st) != DB_ROW) {
		db_reset (st);
		return -1;
	}
	hub_import_buf_str (old, db_col_text (st, 0));
	hub_import_buf_str (old, db_col_text (st, 1));
	hub_import_buf_int (old, db_col_int (st, 2));
	hub_import_buf_str (old, ref);
	for (int i = 3; i < 16; i++)
		hub_import_buf_str (old, db_col_text (st, i));
	hub_import_buf_money (old, db_col_int (st, 16));
	db_reset (st);
	st = db_prepare (db, "SELECT line_no, sku, description, department, quantity, locations, unit_weight_g,"
	    " value_pence, coalesce (length_mm, ''), coalesce (width_mm, ''), coalesce (height_mm, ''),"
	    " coalesce (hs_code, ''), coalesce (origin_country, ''), coalesce (currency, '')"
	    " FROM order_lines WHERE order_ref = ?1 ORDER BY line_no");
	db_bind_text (st, 1, ref);
	*nlines = 0;
	int rc;
	while ((rc = db_step (st)) == DB_ROW) {
		for (int i = 0; i < IMP_LINE_FIELDS; i++) {
			if (i == F_LINE_VALUE - F_LINE)
				hub_import_buf_money (old, db_col_int (st, i));
			else
				hub_import_buf_str (old, db_col_text (st, i));
		}
		(*nlines)++;
	}
	db_reset (st);
	return rc == DB_DONE ? 0 : -1;
}

/* The hub's customs fields of an order's lines (before a customs change) as an undo record's old. */
static int
hub_import_old_customs (db_t *db, const char *ref, struct hub_import_buf *old)
{
	db_stmt_t *st = db_prepare (db, "SELECT content_hash, source, coalesce (updated_at, created_at) FROM orders"
	    " WHERE ref = ?1");
	db_bind_text (st, 1, ref);
	if (db_step (st) != DB_ROW) {
		db_reset (st);
		return -1;
	}
	hub_import_buf_str (old, db_col_text (st, 0));
	hub_import_buf_str (old, db_col_text (st, 1));
	hub_import_buf_int (old, db_col_int (st, 2));
	db_reset (st);
	hub_import_buf_str (old, "0"); /* first and last event: filled in after the write */
	hub_import_buf_str (old, "0");
	char *was[IMP_LABEL_FIELDS];
	hub_import_label_get (db, ref, was);
	for (size_t k = 0; k < IMP_LABEL_FIELDS; k++) {
		hub_import_buf_str (old, was[k]);
		free (was[k]);
	}
	st = db_prepare (db, "SELECT line_no, coalesce (hs_code, ''), coalesce (origin_country, ''),"
	    " coalesce (currency, '') FROM order_lines WHERE order_ref = ?1 ORDER BY line_no");
	db_bind_text (st, 1, ref);
	int rc;
	while ((rc = db_step (st)) == DB_ROW)
		for (int i = 0; i < 4; i++)
			hub_import_buf_str (old, db_col_text (st, i));
	db_reset (st);
	return rc == DB_DONE ? 0 : -1;
}

/* Write one order as decided; 0, or -1 (the database failed). */
static int
hub_import_write_one (hub_import_t *self, db_t *db, struct hub_import_order *o, enum hub_import_what what)
{
	bool undo = !(self->flags & HUB_IMPORT_CALLER_TX);
	struct hub_import_buf old = { 0 };
	int rc = 0, nlines = 0;
	if (what == IMP_SAME) {
		self->rep.unchanged++;
	} else if (what == IMP_NEW) {
		rc = hub_import_write_order (self, db, o, false, self->name, self->now_ms);
		if (rc == 0 && undo)
			rc = hub_import_undo_add (self, db, o, IMP_NEW, NULL);
		self->rep.created++;
	} else if (what == IMP_UPDATE) {
		if (undo)
			rc = hub_import_old_order (db, o->f[F_ORDER], &old, &nlines);
		if (rc == 0)
			rc = hub_import_write_order (self, db, o, true, self->name, self->now_ms);
		if (rc == 0 && undo) {
			char n[16];
			snprintf (n, sizeof n, "%d", nlines);
			hub_import_buf_str (&old, n);
			rc = hub_import_undo_add (self, db, o, IMP_UPDATE, &old);
		}
		self->rep.updated++;
	} else if (what == IMP_CUSTOMS) {
		int64_t first, last;
		if (undo)
			rc = hub_import_old_customs (db, o->f[F_ORDER], &old);
		if (rc == 0)
			rc = hub_import_write_customs (db, o, self->name, self->now_ms, &first, &last);
		if (rc == 0 && undo) {
			/* The event ids go in the fourth and fifth fields: rebuild the record's head. */
			struct hub_import_buf rec = { 0 };
			const char *p = old.data;
			for (int i = 0; i < 3; i++) {
				hub_import_buf_str (&rec, p);
				p += strlen (p) + 1;
			}
			hub_import_buf_int (&rec, first);
			hub_import_buf_int (&rec, last);
			p += strlen (p) + 1;
			p += strlen (p) + 1;
			hub_import_buf_add (&rec, p, (size_t) (old.data + old.len - p));
			rc = hub_import_undo_add (self, db, o, IMP_CUSTOMS, &rec);
			free (rec.data);
		}
		self->rep.updated++;
	}
	free (old.data);
	return rc;
}

static int
hub_import_record (hub_import_t *self, db_t *db)
{
	db_stmt_t *st = db_prepare (db, "INSERT INTO imports (at, source, orders, created, updated, unchanged, file,"
	    " sha1) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
	db_bind_int (st, 1, self->now_ms);
	db_bind_text (st, 2, self->name);
	db_bind_int (st, 3, self->rep.orders);
	db_bind_int (st, 4, self->rep.created);
	db_bind_int (st, 5, self->rep.updated);
	db_bind_int (st, 6, self->rep.unchanged);
	if (self->file)
		db_bind_text (st, 7, self->file);
	if (self->sha1)
		db_bind_text (st, 8, self->sha1);
	int rc = db_step (st);
	db_reset (st);
	return rc == DB_DONE ? 0 : -1;
}

/* What to do about a database that failed, by its DB_* code. */
static const struct hub_import_db_advice_row {
	int code;
	const char *advice;
} hub_import_db_advice[] = {
	{ DB_FULL, "free space on the disk that holds it (or see to that disk)" },
	{ DB_BUSY, "another process held it too long" },
	{ DB_RO, "check that it and its folder can be written by the user that imports" },
};

static void
hub_import_db_failed (hub_import_t *self, db_t *db)
{
	const char *advice = "see to its disk (despatch status checks the database)";
	for (size_t i = 0; i < nitems (hub_import_db_advice); i++)
		if (hub_import_db_advice[i].code == db_errcode (db))
			advice = hub_import_db_advice[i].advice;
	/* The hub takes an inbox file again by itself; a tool's user runs it again. */
	hub_import_error (self, 0, "the hub could not write its database %s (%s); nothing was imported: %s%s", db_path (db),
	    db_errmsg (db), advice, self->flags & HUB_IMPORT_ON_LOOP ? "" : ", then import the file again");
	self->dbfail = true;
}

/* --- the steps ------------------------------------------------------------------ */

static void
hub_import_step_check (hub_import_t *self, db_t *db, int64_t deadline)
{
	bool own = !(self->flags & HUB_IMPORT_CALLER_TX);
	if (own)
		db_exec (db, "BEGIN"); /* one read snapshot for the slice */
	struct hub_import_order o;
	bool more;
	while ((more = hub_import_next (self, &o))) {
		self->cursor = o.seq;
		hub_import_decide (self, db, &o, false);
		hub_import_order_free (&o);
		if (self->stop || hub_import_over (deadline))
			break;
	}
	if (own)
		db_exec (db, "COMMIT");
	if (!more || self->stop) {
		self->cursor = 0;
		self->phase = self->rep.nerrors > 0 ? PH_DONE : PH_WRITE;
	}
}

/* The counts of a slice that did not commit go back to what they were. */
struct hub_import_counts {
	long created, updated, unchanged;
	int64_t cursor, run, useq;
};

static void
hub_import_step_write (hub_import_t *self, db_t *db, int64_t deadline)
{
	bool own = !(self->flags & HUB_IMPORT_CALLER_TX);
	struct hub_import_counts was = { self->rep.created, self->rep.updated, self->rep.unchanged, self->cursor, self->run,
		self->useq };
	if (own) {
		/* A slice need not be on the disk before the next: the last step's commit, with the connection's
		 * full sync, takes every slice before it there too, and until then the source is still where it
		 * was, to be taken again after a power cut (a slice lost takes its undo records with it: they
		 * are one transaction). So slices cost no fsync of their own. */
		db_lazy_commits (db, true);
		if (db_begin (db) != DB_DONE) {
			db_lazy_commits (db, false);
			hub_import_db_failed (self, db);
			self->phase = PH_UNDO;
			return;
		}
	} else if (!self->savepoint) {
		if (db_exec (db, "SAVEPOINT import") != DB_DONE) {
			hub_import_db_failed (self, db);
			self->phase = PH_DONE;
			return;
		}
		self->savepoint = true;
	}
	struct hub_import_order o;
	bool more, failed = false, refused = false;
	while ((more = hub_import_next (self, &o))) {
		enum hub_import_what what = hub_import_decide (self, db, &o, own);
		if (what == IMP_REFUSED)
			refused = true;
		else if (hub_import_write_one (self, db, &o, what) != 0)
			failed = true;
		int64_t seq = o.seq;
		hub_import_order_free (&o);
		if (refused || failed)
			break;
		self->cursor = seq;
		if (hub_import_over (deadline))
			break;
	}
	if (self->scratch_failed)
		refused = true; /* the orders after the cursor could not be read: the slice goes, and what came before */
	if (!own && !more && !refused && !failed && hub_import_record (self, db) != 0)
		failed = true;
	if (own) {
		if (!refused && !failed && hub_import_undo_made (self, db) != 0)
			failed = true;
		self->made.len = 0;
		if (!refused && !failed && db_commit (db) != DB_DONE)
			failed = true;
		if (refused || failed)
			db_rollback (db);
		db_lazy_commits (db, false);
		if (refused || failed) {
			/* The slice's undo records went with it; a run it began too. */
			if (self->run != was.run)
				hub_import_live_set (self->run, false);
			self->rep.created = was.created;
			self->rep.updated = was.updated;
			self->rep.unchanged = was.unchanged;
			self->cursor = was.cursor;
			self->run = was.run;
			self->useq = was.useq;
			if (failed)
				hub_import_db_failed (self, db);
			self->phase = PH_UNDO;
			return;
		}
	} else if (refused || failed) {
		db_exec (db, "ROLLBACK TO import");
		db_exec (db, "RELEASE import");
		self->savepoint = false;
		if (failed)
			hub_import_db_failed (self, db);
		self->phase = PH_DONE;
		return;
	}
	if (!more) {
		if (self->savepoint) {
			db_exec (db, "RELEASE import");
			self->savepoint = false;
		}
		self->phase = own ? PH_RECORD : PH_DONE;
	}
}

/* The run is finished by the import's record: its undo records are then only cleared. */
static int
hub_import_run_finish (hub_import_t *self, db_t *db)
{
	if (self->run == 0)
		return 0;
	db_stmt_t *st = db_prepare (db, "UPDATE import_runs SET import_id = ?2 WHERE id = ?1");
	db_bind_int (st, 1, self->run);
	db_bind_int (st, 2, db_last_rowid (db));
	int rc = st ? db_step (st) : DB_ERROR;
	if (st)
		db_reset (st);
	return rc == DB_DONE ? 0 : -1;
}

/* The import's record, in a transaction of its own that reaches the disk, and every slice before it. */
static void
hub_import_step_record (hub_import_t *self, db_t *db)
{
	if (db_begin (db) != DB_DONE || hub_import_record (self, db) != 0 || hub_import_run_finish (self, db) != 0
	    || db_commit (db) != DB_DONE) {
		db_rollback (db);
		hub_import_db_failed (self, db);
		self->phase = PH_UNDO;
		return;
	}
	self->phase = self->run ? PH_CLEAR : PH_DONE;
}

/* A slice of the undo records of a finished run cleared, the run with the last; a failure leaves them to the
 * next start (a finished run is only ever cleared). */
#define IMP_CLEAR_ROWS 1024
static void
hub_import_step_clear (hub_import_t *self, db_t *db, int64_t deadline)
{
	db_lazy_commits (db, true); /* lost with a power cut, it is done again */
	bool ok = db_begin (db) == DB_DONE, more = true;
	db_stmt_t *st = ok ? db_prepare (db, "DELETE FROM import_undo WHERE run = ?1 AND seq IN (SELECT seq FROM"
	    " import_undo WHERE run = ?1 ORDER BY seq LIMIT ?2)") : NULL;
	ok = st != NULL;
	while (ok && more) {
		db_bind_int (st, 1, self->run);
		db_bind_int (st, 2, IMP_CLEAR_ROWS);
		ok = db_step (st) == DB_DONE;
		db_reset (st);
		more = ok && db_changes (db) == IMP_CLEAR_ROWS;
		if (more && hub_import_over (deadline))
			break;
	}
	if (ok && !more) {
		st = db_prepare (db, "DELETE FROM import_runs WHERE id = ?1");
		db_bind_int (st, 1, self->run);
		ok = st && db_step (st) == DB_DONE;
		if (st)
			db_reset (st);
	}
	if (!ok || db_commit (db) != DB_DONE) {
		db_rollback (db);
		more = false;
	} else if (!more) {
		hub_import_live_set (self->run, false);
		self->run = 0;
	}
	db_lazy_commits (db, false);
	if (!more)
		self->phase = PH_DONE;
}

/* Nothing but the import refers to the order: no hold, note, audit event or scan. */
static bool
hub_import_untouched (db_t *db, const char *ref)
{
	db_stmt_t *st = db_prepare (db, "SELECT EXISTS (SELECT 1 FROM holds WHERE order_ref = ?1)"
	    " OR EXISTS (SELECT 1 FROM notes WHERE order_ref = ?1) OR EXISTS (SELECT 1 FROM events WHERE order_ref = ?1)"
	    " OR EXISTS (SELECT 1 FROM scans WHERE order_ref = ?1)");
	db_bind_text (st, 1, ref);
	bool touched = db_step (st) != DB_ROW || db_col_int (st, 0) != 0;
	db_reset (st);
	return !touched;
}

/* The order's customer was erased (store/hub-erase.h): nothing of the file is written back into it. */
static bool
hub_import_erased (db_t *db, const char *ref)
{
	db_stmt_t *st = db_prepare (db, "SELECT customer_name = '" HUB_ERASED_NAME "' FROM orders WHERE ref = ?1");
	db_bind_text (st, 1, ref);
	bool erased = st && db_step (st) == DB_ROW && db_col_int (st, 0) != 0;
	if (st)
		db_reset (st);
	return erased;
}

/* Take one written order back; 1 done, 0 left as it is (the floor has it), -1 the database failed. */
static int
hub_import_undo_one (db_t *db, const char *ref, int kind, const char *hash, const char *old,
    size_t oldlen)
{
	db_stmt_t *st = db_prepare (db, "SELECT status, content_hash FROM orders WHERE ref = ?1");
	db_bind_text (st, 1, ref);
	if (db_step (st) != DB_ROW) {
		db_reset (st);
		return 1; /* gone already */
	}
	bool same = strcmp (db_col_text (st, 1), hash) == 0;
	bool fresh = hub_state_order_parse (db_col_text (st, 0)) == ORDER_NEW;
	db_reset (st);
	if (!same || (kind != IMP_CUSTOMS && !fresh))
		return 0;
	if (kind == IMP_CUSTOMS) {
		/* Once a parcel is labelled its papers carry the new values: they stay. */
		st = db_prepare (db, "SELECT count(*) FROM parcels WHERE order_ref = ?1 AND status != 'void'"
		    " AND labelled_at IS NOT NULL");
		db_bind_text (st, 1, ref);
		bool labelled = db_step (st) != DB_ROW || db_col_int (st, 0) > 0;
		db_reset (st);
		if (labelled)
			return 0;
	}
	if (db_exec (db, "SAVEPOINT undo") != DB_DONE)
		return -1;
	int rc = 0;
	if (kind == IMP_NEW) {
		if (!hub_import_untouched (db, ref))
			rc = 1; /* kept */
		else {
			st = db_prepare (db, "DELETE FROM order_lines WHERE order_ref = ?1");
			db_bind_text (st, 1, ref);
			rc = db_step (st) == DB_DONE ? 0 : -1;
			db_reset (st);
			if (rc == 0) {
				st = db_prepare (db, "DELETE FROM orders WHERE ref = ?1");
				db_bind_text (st, 1, ref);
				int d = db_step (st);
				db_reset (st);
				rc = d == DB_DONE ? 0 : d == DB_CONSTRAINT ? 1 : -1; /* a parcel or a job refers to it */
			}
		}
	} else if (kind == IMP_UPDATE) {
		/* old: hash, source, updated_at, the 15 fields, the lines' fields, then the count of lines */
		const char *p = old, *end = old + oldlen;
		struct hub_import_order o;
		memset (&o, 0, sizeof o);
		util_strlcpy (o.hash, p, sizeof o.hash);
		p += strlen (p) + 1;
		util_strlcpy (o.source, p, sizeof o.source);
		p += strlen (p) + 1;
		o.updated_at = atoll (p);
		p += strlen (p) + 1;
		for (int i = 0; i < IMP_ORDER_FIELDS; i++) {
			o.f[i] = p;
			p += strlen (p) + 1;
		}
		if (!hub_import_money (o.f[F_ORDER_VALUE], &o.value))
			o.value = 0;
		/* the count is the last field */
		const char *last = end - 1;
		while (last > old && last[-1] != '\0')
			last--;
		int nlines = atoi (last);
		o.lines = xcalloc ((size_t) nlines + 1, sizeof *o.lines);
		for (int l = 0; l < nlines && p < last; l++) {
			for (int k = 0; k < IMP_LINE_FIELDS; k++) {
				o.lines[l].f[k] = p;
				p += strlen (p) + 1;
			}
			hub_import_line_numbers (&o.lines[l]);
			o.nlines++;
		}
		rc = hub_import_write_order (NULL, db, &o, true, o.source, o.updated_at);
		/* write_order takes the hash it is given: the old one */
		free (o.lines);
	} else {
		/* old: hash, source, updated_at, first and last event, the label fields, then line number and three
		 * customs fields each */
		const char *p = old, *end = old + oldlen;
		const char *ohash = p;
		p += strlen (p) + 1;
		const char *source = p;
		p += strlen (p) + 1;
		int64_t at = atoll (p);
		p += strlen (p) + 1;
		int64_t first = atoll (p);
		p += strlen (p) + 1;
		int64_t lastev = atoll (p);
		p += strlen (p) + 1;
		for (size_t k = 0; k < IMP_LABEL_FIELDS && p < end && rc == 0; k++) {
			char *sql = xasprintf ("UPDATE orders SET %s = ?2 WHERE ref = ?1", hub_import_label_fields[k].column);
			st = db_prepare (db, sql);
			free (sql);
			db_bind_text (st, 1, ref);
			db_bind_text (st, 2, p);
			rc = st && db_step (st) == DB_DONE ? 0 : -1;
			if (st)
				db_reset (st);
			p += strlen (p) + 1;
		}
		while (p < end && rc == 0) {
			const char *f[4];
			for (int i = 0; i < 4; i++) {
				f[i] = p;
				p += strlen (p) + 1;
			}
			st = db_prepare (db, "UPDATE order_lines SET hs_code = ?3, origin_country = ?4, currency = ?5"
			    " WHERE order_ref = ?1 AND line_no = ?2");
			db_bind_text (st, 1, ref);
			db_bind_int (st, 2, atol (f[0]));
			for (int k = 0; k < 3; k++)
				db_bind_text (st, 3 + k, f[1 + k]);
			rc = db_step (st) == DB_DONE ? 0 : -1;
			db_reset (st);
		}
		if (rc == 0 && first > 0) {
			st = db_prepare (db, "DELETE FROM events WHERE id BETWEEN ?1 AND ?2 AND action IN ('customs', 'corrected')"
			    " AND order_ref = ?3");
			db_bind_int (st, 1, first);
			db_bind_int (st, 2, lastev);
			db_bind_text (st, 3, ref);
			rc = db_step (st) == DB_DONE ? 0 : -1;
			db_reset (st);
		}
		if (rc == 0) {
			st = db_prepare (db, "UPDATE orders SET content_hash = ?2, source = ?3, updated_at = ?4 WHERE ref = ?1");
			db_bind_text (st, 1, ref);
			db_bind_text (st, 2, ohash);
			db_bind_text (st, 3, source);
			db_bind_int (st, 4, at);
			rc = db_step (st) == DB_DONE ? 0 : -1;
			db_reset (st);
		}
	}
	if (rc == 0) {
		db_exec (db, "RELEASE undo");
		return 1;
	}
	db_exec (db, "ROLLBACK TO undo");
	db_exec (db, "RELEASE undo");
	return rc > 0 ? 0 : -1;
}

/* --- the erase of a customer ----------------------------------------------------------
 * An undo record of an order changed holds the order as it was: for an erase, its personal fields are the
 * customer's as much as the order's own. Each record's fields, by column in orders (a line's description is
 * "description"), or NULL for those that are not personal.
 */
static const char *
hub_import_undo_column (int kind, int i, int nfields)
{
	static const struct {
		enum hub_import_field field;
		const char *column;
	} personal[] = {
		{ F_CUSTOMER_NAME, "customer_name" }, { F_ADDRESS_1, "address1" }, { F_ADDRESS_2, "address2" },
		{ F_ADDRESS_3, "address3" }, { F_TOWN, "town" }, { F_POSTCODE, "postcode" }, { F_PHONE, "phone" },
		{ F_EMAIL, "email" }, { F_LOYALTY, "loyalty" },
	};
	if (kind == IMP_UPDATE) {
		/* hash, source, updated_at, the order's fields, each line's, then the count */
		int f = i - 3;
		if (f >= 0 && f < IMP_ORDER_FIELDS) {
			for (size_t k = 0; k < nitems (personal); k++)
				if ((int) personal[k].field == f)
					return personal[k].column;
			return NULL;
		}
		if (f >= IMP_ORDER_FIELDS && i < nfields - 1 && (f - IMP_ORDER_FIELDS) % IMP_LINE_FIELDS
		        == F_DESCRIPTION - F_LINE)
			return "description";
		return NULL;
	}
	/* IMP_CUSTOMS: hash, source, updated_at, first and last event, the label fields, then the lines' */
	int f = i - 5;
	return f >= 0 && f < (int) IMP_LABEL_FIELDS ? hub_import_label_fields[f].column : NULL;
}

int
hub_import_undo_personal (db_t *db, const char *ref, hub_import_personal_fn *fn, void *arg)
{
	db_stmt_t *st = db_prepare (db, "SELECT run, seq, kind, old FROM import_undo WHERE ref = ?1 AND kind IN (?2, ?3)"
	    " AND old IS NOT NULL");
	if (st == NULL)
		return -1;
	db_bind_text (st, 1, ref);
	db_bind_int (st, 2, IMP_UPDATE);
	db_bind_int (st, 3, IMP_CUSTOMS);
	struct rec { int64_t run, seq; struct hub_import_buf old; } *recs = NULL;
	size_t nrecs = 0;
	int rc;
	while ((rc = db_step (st)) == DB_ROW) {
		size_t n;
		char *old = hub_import_blob_copy (st, 3, &n);
		int kind = (int) db_col_int (st, 2), nfields = 0;
		for (size_t k = 0; k < n; k++)
			nfields += old[k] == '\0';
		struct hub_import_buf now = { 0 };
		bool changed = false;
		const char *p = old;
		for (int i = 0; i < nfields; i++, p += strlen (p) + 1) {
			const char *column = hub_import_undo_column (kind, i, nfields);
			const char *to = column ? fn (arg, column, p) : NULL;
			if (to && strcmp (to, p) != 0) {
				hub_import_buf_str (&now, to);
				changed = true;
			} else {
				hub_import_buf_str (&now, p);
			}
		}
		free (old);
		if (!changed) {
			free (now.data);
			continue;
		}
		/* The hash of the order as it was is of those fields too: it goes as the order's does. */
		size_t hl = strlen (now.data);
		memmove (now.data, now.data + hl, now.len - hl);
		now.len -= hl;
		recs = xrealloc (recs, (nrecs + 1) * sizeof *recs);
		recs[nrecs++] = (struct rec) { db_col_int (st, 0), db_col_int (st, 1), now };
	}
	db_reset (st);
	int done = 0;
	for (size_t k = 0; k < nrecs; k++) {
		db_stmt_t *up = rc == DB_DONE ? db_prepare (db, "UPDATE import_undo SET old = ?3 WHERE run = ?1 AND seq = ?2")
		    : NULL;
		if (up) {
			db_bind_int (up, 1, recs[k].run);
			db_bind_int (up, 2, recs[k].seq);
			db_bind_blob (up, 3, recs[k].old.data, recs[k].old.len);
			if (db_step (up) != DB_DONE)
				rc = DB_ERROR;
			db_reset (up);
			done++;
		} else {
			rc = DB_ERROR;
		}
		free (recs[k].old.data);
	}
	free (recs);
	return rc == DB_DONE ? done : -1;
}

/* A recovery's record in the audit trail: what was taken back of the file, and the orders kept. */
static int
hub_import_recovery_event (hub_import_t *self, db_t *db, long undone, long kept)
{
	char *detail = xasprintf ("%ld orders written before the import was cut short (process %ld stopped) taken back%s%s",
	    undone, hub_import_owner_pid (self->owner), kept ? "; kept, as despatch began them: " : "",
	    kept ? self->kept_refs.data : "");
	db_stmt_t *st = db_prepare (db, "INSERT INTO events (at, operator, action, code, detail)"
	    " VALUES (?1, 'system', 'import-taken-back', ?2, ?3)");
	db_bind_int (st, 1, util_wall_ms ());
	db_bind_text (st, 2, self->name);
	db_bind_text (st, 3, detail);
	int rc = st ? db_step (st) : DB_ERROR;
	if (st)
		db_reset (st);
	free (detail);
	return rc == DB_DONE ? 0 : -1;
}

/* A slice of the undo: the run's records newest first, each removed with what it takes back; the run with its
 * last. The import that wrote it runs it when the file is refused while it is written, a recovery (hub_import_recover)
 * when the process writing it is gone. */
static void
hub_import_step_undo (hub_import_t *self, db_t *db, int64_t deadline)
{
	if (self->run == 0) {
		self->phase = PH_DONE; /* no slice wrote an undo record */
		return;
	}
	if (db_begin (db) != DB_DONE) {
		self->dbfail = true;
		self->phase = PH_DONE;
		return;
	}
	bool more = true, failed = false;
	long undone = 0, kept = 0;
	size_t refs_was = self->kept_refs.len;
	db_stmt_t *del = db_prepare (db, "DELETE FROM import_undo WHERE run = ?1 AND seq = ?2");
	failed = del == NULL;
	while (!failed) {
		db_stmt_t *st = db_prepare (db, "SELECT seq, ref, kind, hash, old FROM import_undo WHERE run = ?1"
		    " ORDER BY seq DESC LIMIT 1");
		db_bind_int (st, 1, self->run);
		if (db_step (st) != DB_ROW) {
			db_reset (st);
			more = false;
			break;
		}
		int64_t seq = db_col_int (st, 0);
		char ref[40], hash[20];
		util_strlcpy (ref, db_col_text (st, 1), sizeof ref);
		int kind = (int) db_col_int (st, 2);
		util_strlcpy (hash, db_col_text (st, 3), sizeof hash);
		size_t oldlen;
		char *old = hub_import_blob_copy (st, 4, &oldlen);
		db_reset (st);
		/* One record or, for the orders a slice made, each of them, the last first; a record taken back in part
		 * keeps the rest. */
		size_t left = oldlen;
		bool one = kind != IMP_UNDO_MADE;
		while (!failed && (one || left > 0)) {
			const char *r = ref, *h = hash;
			if (!one) {
				size_t e = left - 1, hs = e; /* the hash's NUL, then its start */
				while (hs > 0 && old[hs - 1] != '\0')
					hs--;
				size_t rs = hs > 0 ? hs - 1 : 0;
				while (rs > 0 && old[rs - 1] != '\0')
					rs--;
				r = old + rs;
				h = old + hs;
				left = rs;
			}
			int res = hub_import_undo_one (db, r, one ? kind : IMP_NEW, h, old, oldlen);
			if (res < 0)
				failed = true;
			else if (res == 0) {
				kept++;
				if (hub_import_erased (db, r))
					hub_import_error (self, 0, "%s stays as it is: its customer's personal data was erased after this "
					    "file wrote it", r);
				else
					hub_import_error (self, 0, "%s stays as this file wrote it: despatch began it before the file "
					    "could be taken back", r);
				if (self->recovering && self->kept_refs.len < 400) {
					if (self->kept_refs.len)
						hub_import_buf_add (&self->kept_refs, ", ", 2);
					hub_import_buf_add (&self->kept_refs, r, strlen (r));
				}
			} else
				undone++;
			if (one || hub_import_over (deadline))
				break;
		}
		if (!failed && !one && left > 0) {
			db_stmt_t *up = db_prepare (db, "UPDATE import_undo SET old = ?3 WHERE run = ?1 AND seq = ?2");
			db_bind_int (up, 1, self->run);
			db_bind_int (up, 2, seq);
			db_bind_blob (up, 3, old, left);
			failed = up == NULL || db_step (up) != DB_DONE;
			if (up)
				db_reset (up);
		} else if (!failed) {
			db_bind_int (del, 1, self->run);
			db_bind_int (del, 2, seq);
			failed = db_step (del) != DB_DONE;
			db_reset (del);
		}
		free (old);
		if (hub_import_over (deadline))
			break;
	}
	if (!failed && !more) {
		db_stmt_t *st = db_prepare (db, "DELETE FROM import_runs WHERE id = ?1");
		db_bind_int (st, 1, self->run);
		failed = st == NULL || db_step (st) != DB_DONE;
		if (st)
			db_reset (st);
		if (!failed && self->recovering)
			failed = hub_import_recovery_event (self, db, self->rep.undone - self->rep.kept + undone,
			    self->rep.kept + kept) != 0;
	}
	if (failed || db_commit (db) != DB_DONE) {
		db_rollback (db);
		self->kept_refs.len = refs_was;
		hub_import_error (self, 0, "the hub could not take back what the file wrote (%s): its orders written so far "
		    "stay until the next import or start takes them back", db_errmsg (db));
		self->dbfail = true;
		self->phase = PH_DONE;
		return;
	}
	self->rep.undone += undone + kept;
	self->rep.kept += kept;
	if (!more) {
		hub_import_live_set (self->run, false);
		self->run = 0;
		self->phase = PH_DONE;
	}
}

/* --- the import's life ------------------------------------------------------------ */

hub_import_t *
hub_import_new (const char *name, int64_t now_ms, unsigned flags, char **cause)
{
	db_t *scratch = db_open ("", DB_READWRITE, cause);
	if (scratch == NULL)
		return NULL;
	/* A private temporary file, in memory until it outgrows its cache: nothing to make durable. */
	if (db_exec (scratch, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-2048;"
	        " CREATE TABLE o (seq INTEGER PRIMARY KEY, ref TEXT NOT NULL UNIQUE, lineno INTEGER, f BLOB, lines BLOB,"
	        " nlines INTEGER);") != DB_DONE) {
		*cause = xasprintf ("cannot make the import's scratch store: %s", db_errmsg (scratch));
		db_close (&scratch);
		return NULL;
	}
	hub_import_t *self = xcalloc (1, sizeof *self);
	self->name = xstrdup (name);
	self->now_ms = now_ms;
	self->flags = flags;
	self->scratch = scratch;
	self->chunk = xmalloc (IMP_CHUNK);
	self->jv = xcalloc (F_COUNT, sizeof *self->jv);
	self->csv.on_record = hub_import_on_csv;
	self->csv.on_error = hub_import_on_parse_error;
	self->csv.arg = self;
	self->js.on_order = hub_import_on_json;
	self->js.on_error = hub_import_on_parse_error;
	self->js.arg = self;
	return self;
}

static void *
hub_import_scratch_close (void *arg)
{
	db_t *scratch = arg;
	db_close (&scratch);
	return NULL;
}

/* The scratch store of a big file is a temporary file of hundreds of MB: its close frees those blocks,
 * a tenth of a second and more that a loop would wait. So for a loop's import a big one is closed on a
 * thread of its own (nothing else uses it by then); a small one, or a tool's, here. */
static void
hub_import_scratch_drop (db_t **scratch_p, bool aside)
{
	db_t *scratch = *scratch_p;
	if (scratch == NULL)
		return;
	*scratch_p = NULL;
	if (!aside) {
		db_close (&scratch);
		return;
	}
	db_stmt_t *st = db_prepare (scratch, "SELECT page_count * page_size FROM pragma_page_count, pragma_page_size");
	int64_t bytes = st && db_step (st) == DB_ROW ? db_col_int (st, 0) : 0;
	if (st)
		db_reset (st);
	pthread_attr_t attr;
	pthread_t t;
	if (bytes >= IMP_SCRATCH_ASIDE && pthread_attr_init (&attr) == 0) {
		pthread_attr_setdetachstate (&attr, PTHREAD_CREATE_DETACHED);
		int rc = pthread_create (&t, &attr, hub_import_scratch_close, scratch);
		pthread_attr_destroy (&attr);
		if (rc == 0)
			return;
	}
	db_close (&scratch);
}

void
hub_import_destroy (hub_import_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	hub_import_t *self = *self_p;
	/* A run still open here (a stop, or an undo the database refused) is taken back by the next recovery. */
	if (self->run) {
		hub_import_live_set (self->run, false);
		pthread_mutex_lock (&hub_import_live_lock);
		hub_import_left = true;
		pthread_mutex_unlock (&hub_import_live_lock);
	}
	hub_import_report_free (&self->rep);
	hub_import_scratch_drop (&self->scratch, (self->flags & HUB_IMPORT_ON_LOOP) != 0);
	hub_import_csv_free (&self->csv);
	hub_import_json_free (&self->js);
	free (self->g.of.data);
	free (self->g.lines.data);
	free (self->jv);
	free (self->chunk);
	free (self->kept_refs.data);
	free (self->made.data);
	free (self->owner);
	free (self->name);
	free (self->file);
	free (self->sha1);
	free (self);
	*self_p = NULL;
}

hub_import_t *
hub_import_recover (db_t *db, const hub_import_lock_t *lock, unsigned flags, char **cause)
{
	*cause = NULL;
	if (!hub_import_lock_held (lock)) {
		*cause = xstrdup ("the imports cut short are taken back only under the import lock");
		return NULL;
	}
	db_stmt_t *st = db_prepare (db, "SELECT id, source, at, owner, import_id IS NOT NULL FROM import_runs ORDER BY id");
	if (st == NULL) {
		*cause = xasprintf ("cannot read the imports cut short: %s", db_errmsg (db));
		return NULL;
	}
	hub_import_t *self = NULL;
	int rc = DB_DONE;
	while (self == NULL && (rc = db_step (st)) == DB_ROW) {
		int64_t run = db_col_int (st, 0);
		bool finished = db_col_int (st, 4) != 0;
		/* Under the lock no other process writes: every run is orphaned but one an import of ours still has
		 * (a recovery under way). An unfinished one is taken back, a finished one's records only cleared. The
		 * owner's text is for messages: a pid of another pid namespace (a container) means nothing here. */
		if (hub_import_live_has (run))
			continue;
		self = xcalloc (1, sizeof *self);
		self->name = xstrdup (db_col_text (st, 1));
		self->now_ms = db_col_int (st, 2);
		self->owner = xstrdup (db_col_text (st, 3));
		self->flags = flags & ~HUB_IMPORT_CALLER_TX;
		self->run = run;
		self->recovering = !finished;
		self->phase = finished ? PH_CLEAR : PH_UNDO;
		hub_import_live_set (run, true);
	}
	if (self == NULL && rc != DB_DONE)
		*cause = xasprintf ("cannot read the imports cut short: %s", db_errmsg (db));
	db_reset (st);
	return self;
}

bool
hub_import_orphaned (void)
{
	pthread_mutex_lock (&hub_import_live_lock);
	bool left = hub_import_left;
	hub_import_left = false;
	pthread_mutex_unlock (&hub_import_live_lock);
	return left;
}

bool
hub_import_taking_back (const hub_import_t *self)
{
	return self->recovering;
}

const char *
hub_import_name (const hub_import_t *self)
{
	return self->name;
}

long
hub_import_owner (const hub_import_t *self)
{
	return hub_import_owner_pid (self->owner);
}

void
hub_import_source_file (hub_import_t *self, const char *file, const char *sha1)
{
	if (file) {
		free (self->file);
		self->file = xstrdup (file);
	}
	if (sha1) {
		free (self->sha1);
		self->sha1 = xstrdup (sha1);
	}
}

void
hub_import_source (hub_import_t *self, hub_import_read_fn *fn, void *arg)
{
	self->read_fn = fn;
	self->read_arg = arg;
}

void
hub_import_source_text (hub_import_t *self, const char *text, size_t len)
{
	self->read_fn = NULL;
	self->text = text;
	self->text_len = len;
	self->text_pos = 0;
}

bool
hub_import_step (hub_import_t *self, db_t *db, int budget_ms)
{
	int64_t deadline = budget_ms > 0 ? util_mono_us () + (int64_t) budget_ms * 1000 : 0;
	switch (self->phase) {
	case PH_READ:
		hub_import_step_read (self, deadline);
		break;
	case PH_CHECK:
		hub_import_step_check (self, db, deadline);
		break;
	case PH_WRITE:
		hub_import_step_write (self, db, deadline);
		break;
	case PH_RECORD:
		hub_import_step_record (self, db);
		break;
	case PH_CLEAR:
		hub_import_step_clear (self, db, deadline);
		break;
	case PH_UNDO:
		hub_import_step_undo (self, db, deadline);
		break;
	default:
		break;
	}
	if (self->phase == PH_DONE) {
		if (self->dbfail)
			self->outcome = -1;
		else
			self->outcome = self->rep.nerrors > 0 || self->rep.more_errors > 0 ? 1 : 0;
		if (self->outcome != 0)
			self->rep.created = self->rep.updated = self->rep.unchanged = 0;
		return false;
	}
	return true;
}

const char *
hub_import_phase (const hub_import_t *self)
{
	return hub_import_phases[self->phase];
}

int
hub_import_outcome (const hub_import_t *self)
{
	return self->outcome;
}

const struct hub_import_report *
hub_import_report (const hub_import_t *self)
{
	return &self->rep;
}

static ssize_t
hub_import_read_file (void *arg, char *buf, size_t size)
{
	FILE *f = arg;
	size_t n = fread (buf, 1, size, f);
	return n == 0 && ferror (f) ? -1 : (ssize_t) n;
}

/* A whole import in the caller's transaction, from text or from f. */
static int
hub_import_whole (db_t *db, const char *name, const char *text, size_t len, FILE *f, int64_t now_ms,
    struct hub_import_report *rep)
{
	memset (rep, 0, sizeof *rep);
	char *cause = NULL;
	hub_import_t *imp = hub_import_new (name, now_ms, HUB_IMPORT_CALLER_TX, &cause);
	if (imp == NULL) {
		rep->errors = xcalloc (1, sizeof *rep->errors);
		rep->errors[rep->nerrors++] = cause;
		return -1;
	}
	if (f)
		hub_import_source (imp, hub_import_read_file, f);
	else
		hub_import_source_text (imp, text, len);
	while (hub_import_step (imp, db, 0))
		;
	int rc = hub_import_outcome (imp);
	*rep = imp->rep; /* the lists become the caller's */
	memset (&imp->rep, 0, sizeof imp->rep);
	hub_import_destroy (&imp);
	return rc;
}

int
hub_import_text (db_t *db, const char *name, const char *text, size_t len, int64_t now_ms,
    struct hub_import_report *rep)
{
	return hub_import_whole (db, name, text, len, NULL, now_ms, rep);
}

/* What is not a file, and what to do instead. */
static const struct hub_import_not_file {
	mode_t type;
	const char *what, *advice;
} hub_import_not_files[] = {
	{ S_IFIFO, "a FIFO", "export to a file and import that" },
	{ S_IFDIR, "a folder", "name the files in it (FOLDER/*.csv)" },
	{ S_IFCHR, "a device", "export to a file and import that" },
	{ S_IFBLK, "a device", "export to a file and import that" },
	{ S_IFSOCK, "a socket", "export to a file and import that" },
};

FILE *
hub_import_open (const char *path, char **cause)
{
	/* Without O_NONBLOCK, opening a FIFO waits for a writer, for ever, and the import lock with it. */
	int fd = open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat sb;
	FILE *f = NULL;
	if (fd < 0 || fstat (fd, &sb) != 0) {
		*cause = xasprintf ("cannot read it: %s", strerror (errno));
	} else if (!S_ISREG (sb.st_mode)) {
		const struct hub_import_not_file *k = NULL;
		for (size_t i = 0; i < nitems (hub_import_not_files); i++)
			if ((sb.st_mode & S_IFMT) == hub_import_not_files[i].type)
				k = &hub_import_not_files[i];
		*cause = xasprintf ("it is %s, not a file: %s", k ? k->what : "not a regular file",
		    k ? k->advice : "export to a file and import that");
	} else if (fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) & ~O_NONBLOCK) != 0 || (f = fdopen (fd, "rb")) == NULL) {
		*cause = xasprintf ("cannot read it: %s", strerror (errno));
	}
	if (f == NULL && fd >= 0)
		close (fd);
	return f;
}

int
hub_import_file (db_t *db, const char *path, int64_t now_ms, struct hub_import_report *rep)
{
	char *cause = NULL;
	FILE *f = hub_import_open (path, &cause);
	if (f == NULL) {
		memset (rep, 0, sizeof *rep);
		rep->errors = xcalloc (1, sizeof *rep->errors);
		rep->errors[rep->nerrors++] = cause;
		return 1;
	}
	const char *base = strrchr (path, '/');
	int rc = hub_import_whole (db, base ? base + 1 : path, NULL, 0, f, now_ms, rep);
	fclose (f);
	return rc;
}

void
hub_import_report_free (struct hub_import_report *rep)
{
	for (int i = 0; i < rep->nerrors; i++)
		free (rep->errors[i]);
	free (rep->errors);
	for (int i = 0; i < rep->nwarnings; i++)
		free (rep->warnings[i]);
	free (rep->warnings);
	memset (rep, 0, sizeof *rep);
}

/* --- kept files -------------------------------------------------------------------- */

struct hub_import_erase {
	char *const *refs;
	int nrefs;
	FILE *out;
	bool failed;     /* the file could not be read as an import */
	bool header;     /* CSV: the header has gone by */
	int ref_col;     /* CSV: the order column */
	long dropped, kept;
	bool first;      /* JSON: no order written yet */
};

static bool
hub_import_erase_match (const struct hub_import_erase *e, const char *ref)
{
	for (int i = 0; i < e->nrefs; i++)
		if (strcmp (e->refs[i], ref) == 0)
			return true;
	return false;
}

static void
hub_import_erase_error (void *arg, int lineno, const char *why)
{
	(void) lineno;
	(void) why;
	((struct hub_import_erase *) arg)->failed = true;
}

/* A CSV record kept as it was (one line ending for all), or dropped when it is an erased order's row. */
static void
hub_import_erase_csv (void *arg, struct hub_import_csv *c)
{
	struct hub_import_erase *e = arg;
	size_t n = c->raw.len;
	while (n > 0 && (c->raw.data[n - 1] == '\n' || c->raw.data[n - 1] == '\r'))
		n--;
	bool blank = n == 0 || c->rec.data[c->off[0]] == '#';
	if (!blank && !e->header) {
		e->header = true;
		e->ref_col = -1;
		for (int i = 0; i < c->nf && i < IMP_CSV_FIELDS; i++) {
			size_t len;
			if (strcmp (hub_import_csv_get (c, i, &len), "order") == 0)
				e->ref_col = i;
		}
		if (e->ref_col < 0)
			e->failed = true;
	} else if (!blank && e->ref_col >= 0 && e->ref_col < c->nf && e->ref_col < IMP_CSV_FIELDS) {
		size_t len;
		if (hub_import_erase_match (e, hub_import_csv_get (c, e->ref_col, &len))) {
			e->dropped++;
			return;
		}
		e->kept++;
	}
	fwrite (c->raw.data, 1, n, e->out);
	fputc ('\n', e->out);
}

static void
hub_import_erase_json (void *arg, const char *text, size_t len, int lineno, int index)
{
	(void) lineno;
	(void) index;
	struct hub_import_erase *e = arg;
	json_t *o = json_loadb (text, len, JSON_DECODE_ANY, NULL);
	const char *ref = json_string_value (json_object_get (o, "ref"));
	if (o == NULL)
		e->failed = true;
	else if (ref && hub_import_erase_match (e, ref))
		e->dropped++;
	else {
		fputs (e->first ? "\n" : ",\n", e->out);
		fwrite (text, 1, len, e->out);
		e->first = false;
		e->kept++;
	}
	json_decref (o);
}

/* Does the file hold any of the references at all (for a file that does not read as an import)? */
static bool
hub_import_erase_grep (FILE *f, char *const *refs, int nrefs)
{
	char buf[IMP_CHUNK + 64];
	size_t keep = 0, got;
	rewind (f);
	while ((got = fread (buf + keep, 1, IMP_CHUNK, f)) > 0) {
		size_t n = keep + got;
		for (int i = 0; i < nrefs; i++) {
			size_t rl = strlen (refs[i]);
			for (size_t k = 0; rl > 0 && k + rl <= n; k++)
				if (memcmp (buf + k, refs[i], rl) == 0)
					return true;
		}
		keep = n < 40 ? n : 40; /* a reference is at most 32 bytes: keep a tail that may hold its start */
		memmove (buf, buf + n - keep, keep);
	}
	return false;
}

/* One kept file: rewritten without the orders, removed when nothing else is left; rows dropped, or -1. */
static long
hub_import_erase_file (const char *path, char *const *refs, int nrefs, char **cause)
{
	FILE *in = fopen (path, "rb");
	if (in == NULL) {
		*cause = xasprintf ("%s: %s", path, strerror (errno));
		return -1;
	}
	struct stat sb;
	fstat (fileno (in), &sb);
	char *tmp = xasprintf ("%s.erase-XXXXXX", path);
	int fd = mkstemp (tmp);
	FILE *out = fd >= 0 ? fdopen (fd, "wb") : NULL;
	if (out == NULL) {
		*cause = xasprintf ("%s: cannot write beside it: %s", path, strerror (errno));
		if (fd >= 0)
			close (fd);
		free (tmp);
		fclose (in);
		return -1;
	}
	/* The rewritten file is the same person's as before, with the same mode (an erase may run as root). */
	if (fchown (fd, sb.st_uid, sb.st_gid) != 0 || fchmod (fd, sb.st_mode & 07777) != 0) {
		/* Neither root nor the file's owner: the copy stays this process's, as any file it writes. */
	}
	struct hub_import_erase e = { .refs = refs, .nrefs = nrefs, .out = out, .first = true };
	struct hub_import_csv csv = { .keep_raw = true, .lineno = 1, .on_record = hub_import_erase_csv,
		.on_error = hub_import_erase_error, .arg = &e };
	struct hub_import_json js = { .lineno = 1, .on_order = hub_import_erase_json, .on_error = hub_import_erase_error,
		.arg = &e };
	char *buf = xmalloc (IMP_CHUNK);
	size_t got;
	bool detected = false, json = false;
	while ((got = fread (buf, 1, IMP_CHUNK, in)) > 0 && !e.failed) {
		const char *p = buf;
		size_t n = got;
		if (!detected) {
			if (n >= 3 && memcmp (p, "\xef\xbb\xbf", 3) == 0)
				p += 3, n -= 3;
			size_t k = 0;
			while (k < n && isspace ((unsigned char) p[k]))
				k++;
			if (k == n)
				continue;
			detected = true;
			json = p[k] == '{' || p[k] == '[';
			if (json) {
				fputs ("{\"orders\": [", out);
				p += k, n -= k;
			}
		}
		if (json)
			hub_import_json_feed (&js, p, n);
		else
			hub_import_csv_feed (&csv, p, n);
	}
	if (detected && !e.failed) {
		if (json)
			hub_import_json_finish (&js);
		else
			hub_import_csv_finish (&csv);
	}
	if (json)
		fputs ("\n]}\n", out);
	free (buf);
	hub_import_csv_free (&csv);
	hub_import_json_free (&js);
	long rc = e.dropped;
	if (e.failed) {
		/* Not readable as orders: it goes whole when it names one of them. */
		rc = hub_import_erase_grep (in, refs, nrefs) ? 1 : 0;
		e.kept = 0;
	}
	fclose (in);
	bool ok = fflush (out) == 0 && fsync (fileno (out)) == 0;
	fclose (out);
	if (rc > 0 && e.kept == 0) {
		unlink (tmp);
		if (unlink (path) != 0) {
			*cause = xasprintf ("%s: cannot remove it: %s", path, strerror (errno));
			rc = -1;
		}
	} else if (rc > 0) {
		if (!ok || rename (tmp, path) != 0) {
			*cause = xasprintf ("%s: cannot rewrite it: %s", path, strerror (errno));
			unlink (tmp);
			rc = -1;
		}
	} else {
		unlink (tmp);
	}
	free (tmp);
	return rc;
}

long
hub_import_kept_erase (const char *inbox, char *const *refs, int nrefs, int *files, char **cause)
{
	static const char *const subs[] = { "done", "failed" };
	long total = 0;
	*files = 0;
	if (inbox == NULL || *inbox == '\0' || nrefs == 0)
		return 0;
	for (size_t s = 0; s < nitems (subs); s++) {
		char *dir = xasprintf ("%s/%s", inbox, subs[s]);
		DIR *d = opendir (dir);
		struct dirent *de;
		while (d && (de = readdir (d)) != NULL) {
			size_t nl = strlen (de->d_name);
			bool order_file = (nl > 4 && strcmp (de->d_name + nl - 4, ".csv") == 0)
			    || (nl > 5 && strcmp (de->d_name + nl - 5, ".json") == 0);
			if (!order_file || de->d_name[0] == '.')
				continue;
			char *path = xasprintf ("%s/%s", dir, de->d_name);
			long n = hub_import_erase_file (path, refs, nrefs, cause);
			free (path);
			if (n < 0) {
				closedir (d);
				free (dir);
				return -1;
			}
			if (n > 0) {
				total += n;
				(*files)++;
			}
		}
		if (d)
			closedir (d);
		free (dir);
	}
	return total;
}
