/* hub-erase.c: erase a customer's personal data (see hub-erase.h). */
#include "config.h"
#include "hub-erase.h"
#include "log.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Personal columns of orders, and what each becomes. */
static const struct {
	const char *column;
	const char *becomes;
} hub_erase_columns[] = {
	{ "customer_name", HUB_ERASED_NAME }, { "address1", "" }, { "address2", "" }, { "address3", "" },
	{ "town", "" }, { "postcode", "" }, { "phone", "" }, { "email", "" }, { "loyalty", "" },
};
/* Strings shorter than this are not searched for elsewhere (a town "Ely" is in too many words). */
#define HUB_ERASE_MIN 4

void
hub_erase_report_free (struct hub_erase_report *rep)
{
	for (int i = 0; i < rep->nstrings; i++)
		free (rep->strings[i]);
	free (rep->strings);
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

static void
hub_erase_string (struct hub_erase_report *rep, const char *s, bool town)
{
	if (town || strlen (s) < HUB_ERASE_MIN)
		return;
	for (int i = 0; i < rep->nstrings; i++)
		if (strcasecmp (rep->strings[i], s) == 0)
			return;
	rep->strings = xrealloc (rep->strings, (size_t) (rep->nstrings + 1) * sizeof *rep->strings);
	rep->strings[rep->nstrings++] = xstrdup (s);
}

int
hub_erase_find (db_t *db, const char *name, int by_ref, struct hub_erase_report *rep, char ***refs)
{
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
		(*refs)[n++] = xstrdup (db_col_text (st, 0));
		for (int c = 1; c <= 9; c++) {
			const char *v = db_col_text (st, c);
			hub_erase_string (rep, v, c == 5);
			/* "14 Elm Grove" is also written "Elm Grove". */
			if (c >= 2 && c <= 4 && isdigit ((unsigned char) *v)) {
				const char *rest = v + strspn (v, "0123456789abcdefABCDEF/-");
				if (*rest == ' ' || *rest == ',')
					hub_erase_string (rep, rest + strspn (rest, " ,"), false);
			}
		}
	}
	db_reset (st);
	return rc == DB_DONE ? n : -1;
}

/* Case-insensitive search in bytes. */
static unsigned char *
hub_erase_find_bytes (unsigned char *p, size_t n, const char *s)
{
	size_t k = strlen (s);
	for (size_t i = 0; k && i + k <= n; i++)
		if (strncasecmp ((char *) p + i, s, k) == 0)
			return p + i;
	return NULL;
}

/* Overwrite every occurrence with '*' (same length: encodings stay valid). */
static int
hub_erase_bytes (unsigned char *p, size_t n, struct hub_erase_report *rep)
{
	int found = 0;
	for (int i = 0; i < rep->nstrings; i++) {
		unsigned char *at = p;
		while ((at = hub_erase_find_bytes (at, n - (size_t) (at - p), rep->strings[i])) != NULL) {
			memset (at, '*', strlen (rep->strings[i]));
			found++;
		}
	}
	return found;
}

/* Every text column of every table: the strings replaced, or the whole value when the case differs. */
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
		for (int i = 0; i < rep->nstrings && rc == DB_DONE; i++) {
			char *sql = xasprintf ("UPDATE %s SET %s = replace(%s, ?1, '[erased]') WHERE typeof(%s) = 'text'"
			    " AND instr(%s, ?1) > 0", tab, col, col, col, col);
			char *sql2 = xasprintf ("UPDATE %s SET %s = '[erased]' WHERE typeof(%s) = 'text'"
			    " AND instr(lower(%s), lower(?1)) > 0", tab, col, col, col);
			/* Not cached: these run once per erase (db_exec_bound would be nicer). */
			db_stmt_t *u = db_prepare (db, sql);
			if (u) {
				db_bind_text (u, 1, rep->strings[i]);
				rc = db_step (u);
				changed += db_changes (db);
				db_reset (u);
			}
			db_stmt_t *u2 = rc == DB_DONE ? db_prepare (db, sql2) : NULL;
			if (u2) {
				db_bind_text (u2, 1, rep->strings[i]);
				rc = db_step (u2);
				changed += db_changes (db);
				db_reset (u2);
			}
			free (sql);
			free (sql2);
		}
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

/* Stored replies (encoded frames) holding a string: rewritten byte for byte. */
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
		if (hub_erase_bytes (copy, n, rep) == 0) {
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

static int
hub_erase_one (db_t *db, const char *ref, struct hub_erase_report *rep)
{
	char *set = xstrdup ("");
	for (size_t i = 0; i < nitems (hub_erase_columns); i++) {
		char *n = xasprintf ("%s%s%s = '%s'", set, i ? ", " : "", hub_erase_columns[i].column,
		    hub_erase_columns[i].becomes);
		free (set);
		set = n;
	}
	char *sql = xasprintf ("UPDATE orders SET %s, content_hash = '' WHERE ref = ?1", set);
	free (set);
	db_stmt_t *st = db_prepare (db, sql);
	free (sql);
	if (st == NULL)
		return -1;
	db_bind_text (st, 1, ref);
	int rc = db_step (st);
	db_reset (st);
	/* Rendered labels print the name: dropped; one still waiting is cancelled with the reason. */
	st = db_prepare (db, "UPDATE label_jobs SET data = NULL,"
	    " status = CASE WHEN status IN ('queued', 'held') THEN 'cancelled' ELSE status END,"
	    " error = CASE WHEN status IN ('queued', 'held') THEN 'customer data erased' ELSE error END"
	    " WHERE data IS NOT NULL AND parcel_id IN (SELECT id FROM parcels WHERE order_ref = ?1)");
	if (rc == DB_DONE && st) {
		db_bind_text (st, 1, ref);
		rc = db_step (st);
		rep->labels += db_changes (db);
		db_reset (st);
	}
	/* Who signed for it is personal too (tracking.signed_by, when the carriers' schema has it). */
	st = db_prepare (db, "UPDATE tracking SET signed_by = NULL, pod_image = NULL"
	    " WHERE (signed_by IS NOT NULL OR pod_image IS NOT NULL)"
	    " AND parcel_id IN (SELECT id FROM parcels WHERE order_ref = ?1)");
	if (rc == DB_DONE && st) {
		db_bind_text (st, 1, ref);
		rc = db_step (st);
		rep->rows += db_changes (db);
		db_reset (st);
	}
	rep->orders++;
	return rc == DB_DONE ? 0 : -1;
}

int
hub_erase_orders (db_t *db, char **refs, int nrefs, struct hub_erase_report *rep)
{
	db_exec (db, "PRAGMA secure_delete = ON");
	for (int i = 0; i < nrefs; i++)
		if (hub_erase_one (db, refs[i], rep) != 0)
			return -1;
	if (rep->labels)
		hub_erase_note (rep, "label_jobs.data (labels dropped)", rep->labels);
	if (rep->nstrings == 0)
		return 0;
	if (hub_erase_everywhere (db, rep) != 0 || hub_erase_replies (db, rep) != 0)
		return -1;
	return 0;
}

int
hub_erase_file (const char *path, struct hub_erase_report *rep)
{
	FILE *f = fopen (path, "rb");
	if (f == NULL)
		return -1;
	size_t cap = 65536, n = 0;
	unsigned char *buf = xmalloc (cap);
	size_t got;
	while ((got = fread (buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap)
			buf = xrealloc (buf, cap *= 2);
	}
	fclose (f);
	int rc = 0;
	if (hub_erase_bytes (buf, n, rep) > 0) {
		char *tmp = xasprintf ("%s.erase-tmp", path);
		FILE *o = fopen (tmp, "wb");
		if (o == NULL || fwrite (buf, 1, n, o) != n || fclose (o) != 0 || rename (tmp, path) != 0) {
			if (o)
				unlink (tmp);
			rc = -1;
		} else {
			rc = 1;
			rep->files++;
		}
		free (tmp);
	}
	free (buf);
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
