/* hub-erase.c: erase a customer's personal data (see hub-erase.h). */
#include "config.h"
#include "hub-erase.h"
#include "hub-import.h"
#include "log.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* Personal columns of orders, and what each becomes. */
static const struct {
	const char *column;
	const char *becomes;
} hub_erase_columns[] = {
	{ "customer_name", HUB_ERASED_NAME }, { "address1", "" }, { "address2", "" }, { "address3", "" },
	{ "town", "" }, { "postcode", "" }, { "phone", "" }, { "email", "" }, { "loyalty", "" },
};
/* Shorter strings are not searched for everywhere (a town "Ely" is in too many words)... */
#define HUB_ERASE_MIN 4
/* ...but where a row or line is the customer's, down to this. */
#define HUB_ERASE_BOUND_MIN 2
/* In a line of the customer's, a cut string (a fixed-width field) this long still counts. */
#define HUB_ERASE_PREFIX_MIN 8

/* The parcels of order ?1, for the queries below. */
#define HUB_ERASE_PARCELS "(SELECT id FROM parcels WHERE order_ref = ?1)"

/*
 * Columns of rows bound to order ?1, where every personal string is erased
 * (the town and short ones too). Everything else is searched only for the
 * distinctive strings (hub_erase_everywhere).
 */
static const struct {
	const char *table, *column, *where;
} hub_erase_bound_columns[] = {
	{ "events", "detail", "order_ref = ?1 OR parcel_id IN " HUB_ERASE_PARCELS },
	{ "label_jobs", "title", "order_ref = ?1 OR parcel_id IN " HUB_ERASE_PARCELS },
	{ "label_jobs", "error", "order_ref = ?1 OR parcel_id IN " HUB_ERASE_PARCELS },
	{ "order_lines", "description", "order_ref = ?1" }, /* "engraved: for Zoë" */
};

/*
 * Free text of order ?1's rows (what operators and carriers wrote about it:
 * notes, reasons, delivery details): it may say anything about the
 * customer, so it goes as a whole, after its words were taken to find the
 * copies in stored replies and files.
 */
static const struct {
	const char *table, *column, *where;
} hub_erase_free_text[] = {
	{ "notes", "text", "order_ref = ?1" },
	{ "holds", "reason", "order_ref = ?1" },
	{ "holds", "release_reason", "order_ref = ?1" },
	{ "events", "detail", "(order_ref = ?1 OR parcel_id IN " HUB_ERASE_PARCELS ") AND action IN ('note', 'hold',"
	  " 'release', 'release-part', 'override', 'reopen', 'ack', 'track')" },
	{ "tracking", "detail", "parcel_id IN " HUB_ERASE_PARCELS },
	{ "orders", "part_release", "ref = ?1" },
	{ "orders", "override_reason", "ref = ?1" },
};

static void
hub_erase_list_free (char **list, int n)
{
	for (int i = 0; i < n; i++)
		free (list[i]);
	free (list);
}

void
hub_erase_report_free (struct hub_erase_report *rep)
{
	hub_erase_list_free (rep->strings, rep->nstrings);
	hub_erase_list_free (rep->bound, rep->nbound);
	hub_erase_list_free (rep->keys, rep->nkeys);
	hub_erase_list_free (rep->pod_images, rep->npod_images);
	hub_erase_list_free (rep->printing, rep->nprinting);
	free (rep->changes);
	memset (rep, 0, sizeof *rep);
}

static void
hub_erase_note (struct hub_erase_report *rep, const char *what, int n)
{
	char *line = xasprintf ("%s%s: %d\n", rep->changes ? rep->changes : "", what, n);
	free (rep->changes);
	rep->changes = line;
}

/* Add s (trimmed) to a list unless it is shorter than min or there already (any case). */
static void
hub_erase_add (char ***list, int *n, const char *s, size_t min)
{
	while (*s == ' ')
		s++;
	size_t len = strlen (s);
	while (len > 0 && s[len - 1] == ' ')
		len--;
	if (len < min)
		return;
	for (int i = 0; i < *n; i++)
		if (strlen ((*list)[i]) == len && strncasecmp ((*list)[i], s, len) == 0)
			return;
	*list = xrealloc (*list, (size_t) (*n + 1) * sizeof **list);
	(*list)[(*n)++] = xstrndup (s, len);
}

/* A personal string: everywhere when distinctive, else only where bound to the customer. */
static void
hub_erase_string (struct hub_erase_report *rep, const char *s, bool distinctive)
{
	if (distinctive)
		hub_erase_add (&rep->strings, &rep->nstrings, s, HUB_ERASE_MIN);
	hub_erase_add (&rep->bound, &rep->nbound, s, HUB_ERASE_BOUND_MIN);
}

/* The columns hub_erase_find reads after the reference, in its order. */
static const char *const hub_erase_find_columns[] = { "customer_name", "address1", "address2", "address3", "town",
	"postcode", "phone", "email", "loyalty" };

static bool
hub_erase_has_digit (const char *s)
{
	for (; *s; s++)
		if (isdigit ((unsigned char) *s))
			return true;
	return false;
}

/* A personal value of an order (or of an import's undo record of it, the order as it was) into rep's strings:
 * the column says how. */
static void
hub_erase_take (struct hub_erase_report *rep, const char *column, const char *v)
{
	if (strcmp (column, "description") == 0)
		return; /* not the customer's as such: erased where it holds one of the customer's strings */
	/* A town is a common word; a loyalty tier ("gold") is not the customer's own. */
	bool distinctive = strcmp (column, "town") != 0 && !(strcmp (column, "loyalty") == 0 && !hub_erase_has_digit (v));
	hub_erase_string (rep, v, distinctive);
	/* "14 Elm Grove" is also written "Elm Grove". */
	if (strncmp (column, "address", 7) == 0 && isdigit ((unsigned char) *v)) {
		const char *rest = v + strspn (v, "0123456789abcdefABCDEF/-");
		if (*rest == ' ' || *rest == ',')
			hub_erase_string (rep, rest + strspn (rest, " ,"), true);
	}
	/* "Mrs Ellis called": the words of the name, in the customer's own rows. */
	if (strcmp (column, "customer_name") == 0) {
		char *words = xstrdup (v), *save = NULL;
		for (char *w = strtok_r (words, " ,.", &save); w; w = strtok_r (NULL, " ,.", &save))
			hub_erase_add (&rep->bound, &rep->nbound, w, 3);
		free (words);
	}
}

static const char *
hub_erase_undo_take (void *arg, const char *column, const char *value)
{
	hub_erase_take (arg, column, value);
	return NULL;
}

int
hub_erase_find (db_t *db, const char *name, int by_ref, struct hub_erase_report *rep, char ***refs)
{
	enum { C_REF, C_NAME, C_A1, C_A2, C_A3, C_TOWN, C_POSTCODE, C_PHONE, C_EMAIL, C_LOYALTY };
	db_stmt_t *st = db_prepare (db, by_ref
	    ? "SELECT ref, customer_name, address1, address2, address3, town, postcode, phone, email, loyalty"
	      " FROM orders WHERE ref = ?1"
	    : "SELECT ref, customer_name, address1, address2, address3, town, postcode, phone, email, loyalty"
	      " FROM orders WHERE lower(customer_name) = lower(?1) AND customer_name != '" HUB_ERASED_NAME "'");
	if (st == NULL)
		return -1;
	db_bind_text (st, 1, name);
	int n = 0, rc;
	*refs = NULL;
	while ((rc = db_step (st)) == DB_ROW) {
		*refs = xrealloc (*refs, (size_t) (n + 1) * sizeof **refs);
		(*refs)[n++] = xstrdup (db_col_text (st, C_REF));
		hub_erase_add (&rep->keys, &rep->nkeys, db_col_text (st, C_REF), 1);
		for (int c = C_NAME; c <= C_LOYALTY; c++)
			hub_erase_take (rep, hub_erase_find_columns[c - C_NAME], db_col_text (st, c));
	}
	db_reset (st);
	/* An import not yet recorded keeps the orders it changed as they were (import_undo): the customer's
	 * strings there are found, and erased, too. */
	for (int i = 0; i < n && rc == DB_DONE; i++)
		if (hub_import_undo_personal (db, (*refs)[i], hub_erase_undo_take, rep) < 0)
			rc = DB_ERROR;
	return rc == DB_DONE ? n : -1;
}

/* The order's parcels (their codes and numbers bind lines and replies to the
 * customer) and what its tracking says about the customer: who signed,
 * where it was, the image of the signature. */
static int
hub_erase_parcels (db_t *db, const char *ref, struct hub_erase_report *rep)
{
	db_stmt_t *st = db_prepare (db, "SELECT code, coalesce (tracking, ''), coalesce (sscc, '') FROM parcels"
	    " WHERE order_ref = ?1");
	if (st == NULL)
		return -1;
	db_bind_text (st, 1, ref);
	int rc;
	while ((rc = db_step (st)) == DB_ROW)
		for (int c = 0; c < 3; c++)
			hub_erase_add (&rep->keys, &rep->nkeys, db_col_text (st, c), 6);
	db_reset (st);
	if (rc != DB_DONE)
		return -1;
	st = db_prepare (db, "SELECT coalesce (signed_by, ''), coalesce (location, ''), coalesce (pod_image, '')"
	    " FROM tracking WHERE parcel_id IN " HUB_ERASE_PARCELS);
	if (st == NULL)
		return -1;
	db_bind_text (st, 1, ref);
	while ((rc = db_step (st)) == DB_ROW) {
		hub_erase_string (rep, db_col_text (st, 0), true);
		hub_erase_add (&rep->bound, &rep->nbound, db_col_text (st, 1), 3);
		if (*db_col_text (st, 2)) {
			hub_erase_add (&rep->bound, &rep->nbound, db_col_text (st, 2), 3);
			hub_erase_add (&rep->pod_images, &rep->npod_images, db_col_text (st, 2), 1);
		}
	}
	db_reset (st);
	return rc == DB_DONE ? 0 : -1;
}

/* The order's free text, taken into the bound strings (to find its copies). */
static int
hub_erase_free_text_take (db_t *db, const char *ref, struct hub_erase_report *rep)
{
	for (size_t i = 0; i < nitems (hub_erase_free_text); i++) {
		char *sql = xasprintf ("SELECT %s FROM %s WHERE (%s) AND typeof(%s) = 'text'", hub_erase_free_text[i].column,
		    hub_erase_free_text[i].table, hub_erase_free_text[i].where, hub_erase_free_text[i].column);
		db_stmt_t *st = db_prepare (db, sql);
		free (sql);
		if (st == NULL)
			return -1;
		db_bind_text (st, 1, ref);
		int rc;
		while ((rc = db_step (st)) == DB_ROW)
			if (strcmp (db_col_text (st, 0), "[erased]") != 0)
				hub_erase_add (&rep->bound, &rep->nbound, db_col_text (st, 0), HUB_ERASE_MIN);
		db_reset (st);
		if (rc != DB_DONE)
			return -1;
	}
	return 0;
}

/* One UPDATE with ?1 bound (and ?2 when two is not NULL); rows changed or -1. */
static int
hub_erase_exec (db_t *db, const char *sql, const char *one, const char *two)
{
	db_stmt_t *st = db_prepare (db, sql);
	if (st == NULL)
		return -1;
	db_bind_text (st, 1, one);
	if (two)
		db_bind_text (st, 2, two);
	int rc = db_step (st);
	int n = rc == DB_DONE ? db_changes (db) : -1;
	db_reset (st);
	return n;
}

/* In table.column where the row is order ref's: every bound string replaced,
 * or the whole value when it holds one in another case. Rows changed or -1. */
static int
hub_erase_bound_column (db_t *db, const char *table, const char *column, const char *where, const char *ref,
    struct hub_erase_report *rep)
{
	int changed = 0;
	char *sql = xasprintf ("UPDATE %s SET %s = replace(%s, ?2, '[erased]') WHERE (%s) AND typeof(%s) = 'text'"
	    " AND instr(%s, ?2) > 0", table, column, column, where, column, column);
	char *sql2 = xasprintf ("UPDATE %s SET %s = '[erased]' WHERE (%s) AND typeof(%s) = 'text'"
	    " AND instr(lower(%s), lower(?2)) > 0", table, column, where, column, column);
	for (int i = 0; i < rep->nbound && changed >= 0; i++) {
		int a = hub_erase_exec (db, sql, ref, rep->bound[i]);
		int b = a < 0 ? -1 : hub_erase_exec (db, sql2, ref, rep->bound[i]);
		changed = a < 0 || b < 0 ? -1 : changed + a + b;
	}
	free (sql);
	free (sql2);
	return changed;
}

/* Every text column of every table but the orders, stored replies and
 * operators: the distinctive strings replaced, or the whole value when the case differs. */
static int
hub_erase_everywhere (db_t *db, struct hub_erase_report *rep)
{
	db_stmt_t *st = db_prepare (db, "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p"
	    " WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT IN ('requests', 'orders', 'operators')"
	    " AND (p.type = '' OR p.type LIKE '%TEXT%' OR p.type LIKE '%CHAR%') ORDER BY m.name, p.cid");
	if (st == NULL)
		return -1;
	char **cols = NULL;
	int ncols = 0, rc;
	while ((rc = db_step (st)) == DB_ROW) {
		cols = xrealloc (cols, (size_t) (ncols + 1) * sizeof *cols);
		cols[ncols++] = xasprintf ("\"%s\"\t\"%s\"", db_col_text (st, 0), db_col_text (st, 1));
	}
	db_reset (st);
	for (int c = 0; c < ncols && rc == DB_DONE; c++) {
		char *tab = xstrdup (cols[c]);
		char *col = strchr (tab, '\t');
		*col++ = '\0';
		int changed = 0;
		char *sql = xasprintf ("UPDATE %s SET %s = replace(%s, ?1, '[erased]') WHERE typeof(%s) = 'text'"
		    " AND instr(%s, ?1) > 0", tab, col, col, col, col);
		char *sql2 = xasprintf ("UPDATE %s SET %s = '[erased]' WHERE typeof(%s) = 'text'"
		    " AND instr(lower(%s), lower(?1)) > 0", tab, col, col, col);
		for (int i = 0; i < rep->nstrings && rc == DB_DONE; i++) {
			int a = hub_erase_exec (db, sql, rep->strings[i], NULL);
			int b = a < 0 ? -1 : hub_erase_exec (db, sql2, rep->strings[i], NULL);
			if (a < 0 || b < 0)
				rc = DB_ERROR;
			else
				changed += a + b;
		}
		free (sql);
		free (sql2);
		if (changed > 0) {
			char *what = xasprintf ("%s.%s", tab, col);
			for (char *q; (q = strchr (what, '"')) != NULL;)
				memmove (q, q + 1, strlen (q));
			hub_erase_note (rep, what, changed);
			free (what);
			rep->rows += changed;
		}
		free (tab);
	}
	for (int c = 0; c < ncols; c++)
		free (cols[c]);
	free (cols);
	return rc == DB_DONE ? 0 : -1;
}

/* Case-insensitive (ASCII) search in bytes. */
static unsigned char *
hub_erase_find_bytes (unsigned char *p, size_t n, const char *s, size_t k)
{
	for (size_t i = 0; k && i + k <= n; i++)
		if (strncasecmp ((char *) p + i, s, k) == 0)
			return p + i;
	return NULL;
}

/* Overwrite every occurrence of each string of list in p with '*' (same
 * length: encodings stay valid); with prefixes, a cut copy of 8 bytes or
 * more too. Returns how many were overwritten. */
static int
hub_erase_bytes (unsigned char *p, size_t n, char **list, int nlist, bool prefixes)
{
	int found = 0;
	for (int i = 0; i < nlist; i++) {
		size_t len = strlen (list[i]);
		size_t shortest = prefixes && len > HUB_ERASE_PREFIX_MIN ? HUB_ERASE_PREFIX_MIN : len;
		for (size_t k = len; k >= shortest && k > 0; k--) {
			unsigned char *at = p;
			while ((at = hub_erase_find_bytes (at, n - (size_t) (at - p), list[i], k)) != NULL) {
				memset (at, '*', k);
				found++;
			}
		}
	}
	return found;
}

/* Whether the bytes hold one of the customer's keys (whole: not inside a longer word). */
static bool
hub_erase_bound_bytes (const unsigned char *p, size_t n, const struct hub_erase_report *rep, bool whole)
{
	for (int i = 0; i < rep->nkeys; i++) {
		size_t k = strlen (rep->keys[i]);
		for (size_t j = 0; k && j + k <= n; j++) {
			if (memcmp (p + j, rep->keys[i], k) != 0)
				continue;
			if (!whole || ((j == 0 || !isalnum (p[j - 1])) && (j + k == n || !isalnum (p[j + k]))))
				return true;
		}
	}
	return false;
}

/* Stored replies (encoded frames): rewritten byte for byte, every personal
 * string in those that name one of the customer's keys, the distinctive ones in the rest. */
static int
hub_erase_replies (db_t *db, struct hub_erase_report *rep)
{
	db_stmt_t *sel = db_prepare (db, "SELECT terminal, seq, reply FROM requests");
	if (sel == NULL)
		return -1;
	struct hit { char *terminal; int64_t seq; unsigned char *data; size_t n; } *hits = NULL;
	int nhits = 0, rc;
	while ((rc = db_step (sel)) == DB_ROW) {
		size_t n;
		const void *b = db_col_blob (sel, 2, &n);
		if (b == NULL || n == 0)
			continue;
		unsigned char *copy = xmalloc (n);
		memcpy (copy, b, n);
		bool bound = hub_erase_bound_bytes (copy, n, rep, false);
		if ((bound ? hub_erase_bytes (copy, n, rep->bound, rep->nbound, false)
		           : hub_erase_bytes (copy, n, rep->strings, rep->nstrings, false)) == 0) {
			free (copy);
			continue;
		}
		hits = xrealloc (hits, (size_t) (nhits + 1) * sizeof *hits);
		hits[nhits++] = (struct hit) { xstrdup (db_col_text (sel, 0)), db_col_int (sel, 1), copy, n };
	}
	db_reset (sel);
	for (int i = 0; i < nhits; i++) {
		db_stmt_t *up = db_prepare (db, "UPDATE requests SET reply = ?3 WHERE terminal = ?1 AND seq = ?2");
		db_bind_text (up, 1, hits[i].terminal);
		db_bind_int (up, 2, hits[i].seq);
		db_bind_blob (up, 3, hits[i].data, hits[i].n);
		if (rc == DB_DONE)
			rc = db_step (up);
		db_reset (up);
		free (hits[i].terminal);
		free (hits[i].data);
	}
	free (hits);
	rep->replies += nhits;
	if (nhits)
		hub_erase_note (rep, "requests.reply", nhits);
	return rc == DB_DONE ? 0 : -1;
}

/* Print jobs of the order already handed to CUPS: their data is in CUPS's spool until printed. */
static int
hub_erase_printing (db_t *db, const char *ref, struct hub_erase_report *rep)
{
	db_stmt_t *st = db_prepare (db, "SELECT id, coalesce (cups_job, 0), coalesce (printer, '') FROM label_jobs"
	    " WHERE (order_ref = ?1 OR parcel_id IN " HUB_ERASE_PARCELS ") AND status IN ('submitting', 'submitted',"
	    " 'printing', 'offline') AND id IN (SELECT job FROM label_docs)");
	if (st == NULL)
		return -1;
	db_bind_text (st, 1, ref);
	int rc;
	while ((rc = db_step (st)) == DB_ROW) {
		char *what = xasprintf ("print job %lld: CUPS job %lld on %s", (long long) db_col_int (st, 0),
		    (long long) db_col_int (st, 1), *db_col_text (st, 2) ? db_col_text (st, 2) : "(no printer yet)");
		hub_erase_add (&rep->printing, &rep->nprinting, what, 1);
		free (what);
	}
	db_reset (st);
	return rc == DB_DONE ? 0 : -1;
}

/* What a personal field of an import's undo record becomes: what the erase makes of the order's. */
struct hub_erase_undo {
	struct hub_erase_report *rep;
	char *buf;
};

static const char *
hub_erase_undo_scrub (void *arg, const char *column, const char *value)
{
	struct hub_erase_undo *u = arg;
	for (size_t i = 0; i < nitems (hub_erase_columns); i++)
		if (strcmp (column, hub_erase_columns[i].column) == 0)
			return hub_erase_columns[i].becomes;
	/* A line's description: as order_lines.description, each bound string replaced, or all of it when one is
	 * there in another case. */
	free (u->buf);
	u->buf = xstrdup (value);
	for (int b = 0; b < u->rep->nbound; b++) {
		const char *s = u->rep->bound[b];
		size_t k = strlen (s);
		for (size_t from = 0; k;) {
			char *at = strstr (u->buf + from, s);
			if (at == NULL)
				break;
			size_t off = (size_t) (at - u->buf);
			char *next = xasprintf ("%.*s[erased]%s", (int) off, u->buf, at + k);
			free (u->buf);
			u->buf = next;
			from = off + strlen ("[erased]");
		}
		for (size_t j = 0; k && j + k <= strlen (u->buf); j++)
			if (strncasecmp (u->buf + j, s, k) == 0) {
				free (u->buf);
				u->buf = xstrdup ("[erased]");
				break;
			}
	}
	return u->buf;
}

static int
hub_erase_one (db_t *db, const char *ref, struct hub_erase_report *rep)
{
	if (hub_erase_printing (db, ref, rep) != 0)
		return -1;
	char *set = xstrdup ("");
	for (size_t i = 0; i < nitems (hub_erase_columns); i++) {
		char *n = xasprintf ("%s%s%s = '%s'", set, i ? ", " : "", hub_erase_columns[i].column,
		    hub_erase_columns[i].becomes);
		free (set);
		set = n;
	}
	char *sql = xasprintf ("UPDATE orders SET %s, content_hash = '' WHERE ref = ?1", set);
	free (set);
	int rc = hub_erase_exec (db, sql, ref, NULL) < 0 ? -1 : 0;
	free (sql);
	/* The order as an import not yet recorded found it, kept to take the import back: the same fields go. */
	if (rc == 0) {
		struct hub_erase_undo u = { rep, NULL };
		int n = hub_import_undo_personal (db, ref, hub_erase_undo_scrub, &u);
		free (u.buf);
		if (n < 0)
			rc = -1;
		else if (n > 0) {
			hub_erase_note (rep, "import_undo.old (orders as an import not yet recorded found them)", n);
			rep->rows += n;
		}
	}
	/* Rendered labels and tickets print the name: dropped; one still waiting is cancelled with the reason. */
	int n = rc ? -1 : hub_erase_exec (db, "UPDATE label_jobs SET"
	    " status = CASE WHEN status IN ('queued', 'held') THEN 'cancelled' ELSE status END,"
	    " error = CASE WHEN status IN ('queued', 'held') THEN 'customer data erased' ELSE error END"
	    " WHERE id IN (SELECT job FROM label_docs) AND (order_ref = ?1 OR parcel_id IN " HUB_ERASE_PARCELS ")",
	    ref, NULL);
	if (n >= 0)
		n = hub_erase_exec (db, "DELETE FROM label_docs WHERE job IN (SELECT id FROM label_jobs"
		    " WHERE order_ref = ?1 OR parcel_id IN " HUB_ERASE_PARCELS ")", ref, NULL);
	if (n < 0)
		rc = -1;
	else
		rep->labels += n;
	/* Who signed, where and the image of it: the customer's (after the strings were taken from them). */
	n = rc ? -1 : hub_erase_exec (db, "UPDATE tracking SET signed_by = NULL, pod_image = NULL, location = NULL"
	    " WHERE (signed_by IS NOT NULL OR pod_image IS NOT NULL OR location IS NOT NULL)"
	    " AND parcel_id IN " HUB_ERASE_PARCELS, ref, NULL);
	if (n < 0)
		rc = -1;
	else if (n > 0) {
		rep->rows += n;
		hub_erase_note (rep, "tracking.signed_by, location, pod_image", n);
	}
	for (size_t i = 0; i < nitems (hub_erase_free_text) && rc == 0; i++) {
		char *wipe = xasprintf ("UPDATE %s SET %s = '[erased]' WHERE (%s) AND typeof(%s) = 'text' AND %s != ''"
		    " AND %s != '[erased]'", hub_erase_free_text[i].table, hub_erase_free_text[i].column,
		    hub_erase_free_text[i].where, hub_erase_free_text[i].column, hub_erase_free_text[i].column,
		    hub_erase_free_text[i].column);
		n = hub_erase_exec (db, wipe, ref, NULL);
		free (wipe);
		if (n < 0) {
			rc = -1;
		} else if (n > 0) {
			char *what = xasprintf ("%s.%s (the order's, as a whole)", hub_erase_free_text[i].table,
			    hub_erase_free_text[i].column);
			hub_erase_note (rep, what, n);
			free (what);
			rep->rows += n;
		}
	}
	for (size_t i = 0; i < nitems (hub_erase_bound_columns) && rc == 0; i++) {
		n = hub_erase_bound_column (db, hub_erase_bound_columns[i].table, hub_erase_bound_columns[i].column,
		    hub_erase_bound_columns[i].where, ref, rep);
		if (n < 0) {
			rc = -1;
		} else if (n > 0) {
			char *what = xasprintf ("%s.%s (the order's)", hub_erase_bound_columns[i].table,
			    hub_erase_bound_columns[i].column);
			hub_erase_note (rep, what, n);
			free (what);
			rep->rows += n;
		}
	}
	rep->orders++;
	return rc;
}

/* Longest first: a note is found whole before a street inside it is starred. */
static int
hub_erase_longer (const void *a, const void *b)
{
	size_t la = strlen (*(char *const *) a), lb = strlen (*(char *const *) b);
	return la < lb ? 1 : la > lb ? -1 : 0;
}

int
hub_erase_orders (db_t *db, char **refs, int nrefs, struct hub_erase_report *rep)
{
	db_exec (db, "PRAGMA secure_delete = ON");
	/* Every order's keys and strings first: a note on one may name another's town. */
	for (int i = 0; i < nrefs; i++)
		if (hub_erase_parcels (db, refs[i], rep) != 0 || hub_erase_free_text_take (db, refs[i], rep) != 0)
			return -1;
	if (rep->nstrings > 1)
		qsort (rep->strings, (size_t) rep->nstrings, sizeof *rep->strings, hub_erase_longer);
	if (rep->nbound > 1)
		qsort (rep->bound, (size_t) rep->nbound, sizeof *rep->bound, hub_erase_longer);
	for (int i = 0; i < nrefs; i++)
		if (hub_erase_one (db, refs[i], rep) != 0)
			return -1;
	if (rep->labels)
		hub_erase_note (rep, "label_docs (labels and tickets dropped)", rep->labels);
	if (rep->nstrings == 0 && rep->nbound == 0)
		return 0;
	if (hub_erase_everywhere (db, rep) != 0 || hub_erase_replies (db, rep) != 0)
		return -1;
	return 0;
}

/* Write the bytes of now that differ from was back where they were read, in place. */
static int
hub_erase_write_back (int fd, const unsigned char *was, const unsigned char *now, size_t n)
{
	for (size_t i = 0; i < n;) {
		if (was[i] == now[i]) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < n && was[j] != now[j])
			j++;
		if (pwrite (fd, now + i, j - i, (off_t) i) != (ssize_t) (j - i))
			return -1;
		i = j;
	}
	return fsync (fd);
}

/* The customer's strings in buf, line by line (a line with one of the customer's keys is the customer's); how many. */
static int
hub_erase_lines (unsigned char *buf, size_t n, struct hub_erase_report *rep)
{
	int found = 0;
	for (size_t start = 0; start < n;) {
		unsigned char *nl = memchr (buf + start, '\n', n - start);
		size_t end = nl ? (size_t) (nl - buf) + 1 : n;
		unsigned char *line = buf + start;
		size_t len = end - start;
		if (hub_erase_bound_bytes (line, len, rep, true))
			found += hub_erase_bytes (line, len, rep->bound, rep->nbound, true);
		else
			found += hub_erase_bytes (line, len, rep->strings, rep->nstrings, false);
		start = end;
	}
	return found;
}

int
hub_erase_file_holds (const char *path, struct hub_erase_report *rep)
{
	FILE *f = fopen (path, "rb");
	if (f == NULL)
		return -1;
	size_t cap = 65536, n = 0, got;
	unsigned char *buf = xmalloc (cap);
	while ((got = fread (buf + n, 1, cap - n, f)) > 0)
		if ((n += got) == cap)
			buf = xrealloc (buf, cap *= 2);
	fclose (f);
	int found = hub_erase_lines (buf, n, rep);
	free (buf);
	return found;
}

int
hub_erase_file (const char *path, struct hub_erase_report *rep)
{
	/* In place, never a new file: the owner and mode stay (an erase run as
	 * root leaves the hub able to write its exports), and what the hub
	 * appends while this runs is after the bytes read here, so it stays. */
	int fd = open (path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	struct stat sb;
	if (fstat (fd, &sb) != 0 || !S_ISREG (sb.st_mode)) {
		close (fd);
		errno = EINVAL;
		return -1;
	}
	size_t cap = sb.st_size > 0 ? (size_t) sb.st_size : 4096, n = 0;
	unsigned char *buf = xmalloc (cap);
	ssize_t got;
	while (n < cap && (got = pread (fd, buf + n, cap - n, (off_t) n)) > 0)
		n += (size_t) got;
	unsigned char *was = xmalloc (n ? n : 1);
	memcpy (was, buf, n);
	int found = hub_erase_lines (buf, n, rep);
	int rc = 0;
	if (found > 0) {
		if (hub_erase_write_back (fd, was, buf, n) != 0) {
			rc = -1;
		} else {
			rc = 1;
			rep->files++;
		}
	}
	int saved = errno;
	close (fd);
	errno = saved;
	free (buf);
	free (was);
	return rc;
}

int
hub_erase_retention (db_t *db, int days, int64_t now_ms)
{
	if (days <= 0)
		return 0;
	/* Orders whose every parcel was delivered, the last more than days ago. */
	db_stmt_t *st = db_prepare (db, "SELECT o.ref FROM orders o WHERE o.customer_name != '" HUB_ERASED_NAME "'"
	    " AND EXISTS (SELECT 1 FROM parcels p WHERE p.order_ref = o.ref)"
	    " AND NOT EXISTS (SELECT 1 FROM parcels p WHERE p.order_ref = o.ref AND p.status != 'delivered')"
	    " AND (SELECT max(t.at) FROM tracking t JOIN parcels p ON p.id = t.parcel_id"
	    "      WHERE p.order_ref = o.ref AND t.event = 'delivered') < ?1 LIMIT 100");
	if (st == NULL)
		return -1;
	db_bind_int (st, 1, now_ms - (int64_t) days * 86400 * 1000);
	char **refs = NULL;
	int n = 0;
	while (db_step (st) == DB_ROW) {
		refs = xrealloc (refs, (size_t) (n + 1) * sizeof *refs);
		refs[n++] = xstrdup (db_col_text (st, 0));
	}
	db_reset (st);
	int done = 0;
	for (int i = 0; i < n; i++) {
		struct hub_erase_report rep = { 0 };
		char **one = NULL;
		if (hub_erase_find (db, refs[i], 1, &rep, &one) == 1 && hub_erase_orders (db, one, 1, &rep) == 0)
			done++;
		if (one)
			free (one[0]);
		free (one);
		hub_erase_report_free (&rep);
		free (refs[i]);
	}
	free (refs);
	return done;
}
