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

/* The orders being erased (hub_erase_orders puts them there) and their parcels, for the queries below:
 * one statement does all of a customer's orders, so a customer with a thousand costs one pass, not a
 * thousand. */
#define HUB_ERASE_REFS "(SELECT ref FROM temp.hub_erase_refs)"
#define HUB_ERASE_PARCELS "(SELECT id FROM parcels WHERE order_ref IN " HUB_ERASE_REFS ")"
/* The orders' audit events: those of a parcel name its order, and the few that do not are found by their own
 * index (events_parcel_alone, hub-store.c), so neither part reads every event. */
#define HUB_ERASE_EVENTS "order_ref IN " HUB_ERASE_REFS " OR rowid IN (SELECT rowid FROM events INDEXED BY" \
	" events_parcel_alone WHERE order_ref IS NULL AND parcel_id IS NOT NULL AND parcel_id IN " HUB_ERASE_PARCELS ")"
/* The name of the SQL function that erases a value (hub_erase_sql). */
#define HUB_ERASE_FN "hub_erase"

/*
 * Columns of rows bound to the orders, where every personal string is erased
 * (the town and short ones too). Everything else is searched only for the
 * distinctive strings (hub_erase_everywhere).
 */
static const struct {
	const char *table, *column, *where;
} hub_erase_bound_columns[] = {
	{ "events", "detail", HUB_ERASE_EVENTS },
	{ "label_jobs", "title", "order_ref IN " HUB_ERASE_REFS " OR parcel_id IN " HUB_ERASE_PARCELS },
	{ "label_jobs", "error", "order_ref IN " HUB_ERASE_REFS " OR parcel_id IN " HUB_ERASE_PARCELS },
	{ "order_lines", "description", "order_ref IN " HUB_ERASE_REFS }, /* "engraved: for Zoë" */
};

/*
 * Free text of the orders' rows (what operators and carriers wrote about it:
 * notes, reasons, delivery details): it may say anything about the
 * customer, so it goes as a whole, after its words were taken to find the
 * copies in stored replies and files.
 */
static const struct {
	const char *table, *column, *where;
} hub_erase_free_text[] = {
	{ "notes", "text", "order_ref IN " HUB_ERASE_REFS },
	{ "holds", "reason", "order_ref IN " HUB_ERASE_REFS },
	{ "holds", "release_reason", "order_ref IN " HUB_ERASE_REFS },
	{ "events", "detail", "(" HUB_ERASE_EVENTS ") AND action IN"
	  " ('note', 'hold', 'release', 'release-part', 'override', 'reopen', 'ack', 'track')" },
	{ "tracking", "detail", "parcel_id IN " HUB_ERASE_PARCELS },
	{ "orders", "part_release", "ref IN " HUB_ERASE_REFS },
	{ "orders", "override_reason", "ref IN " HUB_ERASE_REFS },
};

/*
 * The orders' own rows in the tables their strings are taken from (the
 * parcels' codes, who signed, the notes and reasons). A sweep in steps
 * leaves them to its last step: rewritten by an early step and the sweep
 * then cut short, the sweep begun again would take what was left of them,
 * and the strings already starred there would go unsearched in the tables
 * still to do.
 */
static const struct {
	const char *table, *where;
} hub_erase_own[] = {
	{ "events", HUB_ERASE_EVENTS },
	{ "holds", "order_ref IN " HUB_ERASE_REFS },
	{ "notes", "order_ref IN " HUB_ERASE_REFS },
	{ "parcels", "order_ref IN " HUB_ERASE_REFS },
	{ "tracking", "parcel_id IN " HUB_ERASE_PARCELS },
};

/*
 * A list's strings found in a text in one pass. They are filed by their
 * first two bytes (ASCII case folded), so each byte of a text is compared
 * with the few strings that could start there, not with all of them: a
 * customer with a thousand orders has thousands of keys, and every stored
 * reply and line of a file is searched for each.
 */
#define HUB_ERASE_BUCKETS 65536
struct hub_erase_set {
	char **list;     /* the report's, longest first */
	size_t *len;
	int *first;      /* HUB_ERASE_BUCKETS + 1 offsets into at */
	int *at;         /* string numbers, bucket after bucket, each in list order */
};

struct hub_erase_index {
	struct hub_erase_set strings, bound, keys;
};

static inline unsigned
hub_erase_fold (unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + 32u : c;
}

/* The bucket of the bytes at p, n of them left. A one-byte string is in every bucket of its byte. */
static inline unsigned
hub_erase_bucket (const unsigned char *p, size_t n)
{
	return hub_erase_fold (p[0]) << 8 | (n > 1 ? hub_erase_fold (p[1]) : 0);
}

static void
hub_erase_set_build (struct hub_erase_set *set, char **list, int n)
{
	set->list = list;
	set->len = xmalloc ((size_t) (n > 0 ? n : 1) * sizeof *set->len);
	set->first = xcalloc (HUB_ERASE_BUCKETS + 1, sizeof *set->first);
	size_t entries = 0;
	for (int j = 0; j < n; j++) {
		set->len[j] = strlen (list[j]);
		const unsigned char *s = (const unsigned char *) list[j];
		if (set->len[j] == 1) {
			for (unsigned x = 0; x < 256; x++)
				set->first[(hub_erase_fold (s[0]) << 8 | x) + 1]++;
			entries += 256;
		} else if (set->len[j] > 1) {
			set->first[hub_erase_bucket (s, set->len[j]) + 1]++;
			entries++;
		}
	}
	for (unsigned b = 0; b < HUB_ERASE_BUCKETS; b++)
		set->first[b + 1] += set->first[b];
	set->at = xmalloc ((entries ? entries : 1) * sizeof *set->at);
	int *fill = xmalloc (HUB_ERASE_BUCKETS * sizeof *fill);
	memcpy (fill, set->first, HUB_ERASE_BUCKETS * sizeof *fill);
	for (int j = 0; j < n; j++) {
		const unsigned char *s = (const unsigned char *) list[j];
		if (set->len[j] == 1)
			for (unsigned x = 0; x < 256; x++)
				set->at[fill[hub_erase_fold (s[0]) << 8 | x]++] = j;
		else if (set->len[j] > 1)
			set->at[fill[hub_erase_bucket (s, set->len[j])]++] = j;
	}
	free (fill);
}

static void
hub_erase_set_free (struct hub_erase_set *set)
{
	free (set->len);
	free (set->first);
	free (set->at);
}

/* How many bytes at p (n left) are the start of s (len bytes): the same, or in any ASCII case. */
static inline size_t
hub_erase_common (const unsigned char *p, size_t n, const char *s, size_t len, bool exact)
{
	const unsigned char *q = (const unsigned char *) s;
	size_t k = 0;
	if (exact)
		while (k < len && k < n && p[k] == q[k])
			k++;
	else
		while (k < len && k < n && hub_erase_fold (p[k]) == hub_erase_fold (q[k]))
			k++;
	return k;
}

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
	if (rep->index) {
		hub_erase_set_free (&rep->index->strings);
		hub_erase_set_free (&rep->index->bound);
		hub_erase_set_free (&rep->index->keys);
		free (rep->index);
	}
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

/* Room for one more in a list of n: its room doubles when n reaches a power of two. */
static void
hub_erase_room (char ***list, int n)
{
	if ((n & (n - 1)) == 0)
		*list = xrealloc (*list, (size_t) (n ? 2 * n : 1) * sizeof **list);
}

/* Add s (trimmed) to a list unless it is shorter than min. The lists of strings and keys are
 * sorted and rid of repeats once complete (hub_erase_settle), not at each addition: a customer
 * with many orders adds thousands. */
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
	hub_erase_room (list, *n);
	(*list)[(*n)++] = xstrndup (s, len);
}

/* Add s to a short list shown to the user, unless it is there already. */
static void
hub_erase_add_once (char ***list, int *n, const char *s)
{
	for (int i = 0; i < *n; i++)
		if (strcmp ((*list)[i], s) == 0)
			return;
	hub_erase_add (list, n, s, 1);
}

/* Longest first (a note is found whole before a street inside it is starred), then by bytes. */
static int
hub_erase_longer (const void *a, const void *b)
{
	const char *sa = *(char *const *) a, *sb = *(char *const *) b;
	size_t la = strlen (sa), lb = strlen (sb);
	return la < lb ? 1 : la > lb ? -1 : strcmp (sa, sb);
}

/* A list sorted, each string once (a string in two cases stays twice: each is replaced where it is). */
static void
hub_erase_unique (char ***list, int *n)
{
	if (*n < 2)
		return;
	qsort (*list, (size_t) *n, sizeof **list, hub_erase_longer);
	int kept = 1;
	for (int i = 1; i < *n; i++) {
		if (strcmp ((*list)[i], (*list)[kept - 1]) == 0)
			free ((*list)[i]);
		else
			(*list)[kept++] = (*list)[i];
	}
	*n = kept;
	/* The room hub_erase_room expects for kept. */
	int room = 1;
	while (room < kept)
		room *= 2;
	*list = xrealloc (*list, (size_t) room * sizeof **list);
}

/* The lists complete: sorted, without repeats, and filed for the search (hub_erase_set). */
static void
hub_erase_settle (struct hub_erase_report *rep)
{
	if (rep->index)
		return;
	hub_erase_unique (&rep->strings, &rep->nstrings);
	hub_erase_unique (&rep->bound, &rep->nbound);
	hub_erase_unique (&rep->keys, &rep->nkeys);
	rep->index = xcalloc (1, sizeof *rep->index);
	hub_erase_set_build (&rep->index->strings, rep->strings, rep->nstrings);
	hub_erase_set_build (&rep->index->bound, rep->bound, rep->nbound);
	hub_erase_set_build (&rep->index->keys, rep->keys, rep->nkeys);
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

/* The orders' parcels (their codes and numbers bind lines and replies to the
 * customer) and what their tracking says about the customer: who signed,
 * where it was, the image of the signature. */
static int
hub_erase_parcels (db_t *db, struct hub_erase_report *rep)
{
	db_stmt_t *st = db_prepare (db, "SELECT code, coalesce (tracking, ''), coalesce (sscc, '') FROM parcels"
	    " WHERE order_ref IN " HUB_ERASE_REFS);
	if (st == NULL)
		return -1;
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
	while ((rc = db_step (st)) == DB_ROW) {
		hub_erase_string (rep, db_col_text (st, 0), true);
		hub_erase_add (&rep->bound, &rep->nbound, db_col_text (st, 1), 3);
		if (*db_col_text (st, 2)) {
			hub_erase_add (&rep->bound, &rep->nbound, db_col_text (st, 2), 3);
			hub_erase_add_once (&rep->pod_images, &rep->npod_images, db_col_text (st, 2));
		}
	}
	db_reset (st);
	return rc == DB_DONE ? 0 : -1;
}

/* The orders' free text, taken into the bound strings (to find its copies). */
static int
hub_erase_free_text_take (db_t *db, struct hub_erase_report *rep)
{
	for (size_t i = 0; i < nitems (hub_erase_free_text); i++) {
		char *sql = xasprintf ("SELECT %s FROM %s WHERE (%s) AND typeof(%s) = 'text'", hub_erase_free_text[i].column,
		    hub_erase_free_text[i].table, hub_erase_free_text[i].where, hub_erase_free_text[i].column);
		db_stmt_t *st = db_prepare (db, sql);
		free (sql);
		if (st == NULL)
			return -1;
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

/* One UPDATE (with ?1 bound when one is not NULL); rows changed or -1. */
static int
hub_erase_exec (db_t *db, const char *sql, const char *one)
{
	db_stmt_t *st = db_prepare (db, sql);
	if (st == NULL)
		return -1;
	if (one)
		db_bind_text (st, 1, one);
	int rc = db_step (st);
	int n = rc == DB_DONE ? db_changes (db) : -1;
	db_reset (st);
	return n;
}

/* A match of one of a set's strings in a value. */
struct hub_erase_hit {
	size_t at, len;
	int str;     /* which string: the set's order, longest first */
	bool exact;  /* in the same case */
};

static int
hub_erase_hit_order (const void *a, const void *b)
{
	const struct hub_erase_hit *x = a, *y = b;
	if (x->str != y->str)
		return x->str < y->str ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

/*
 * A byte of a word: an ASCII letter or digit. A character past ASCII is an
 * edge, whatever it is: a quote (“ ’), a no-break space, a dash or the
 * "…" that marks a cut reply must not hide a name beside it, and in
 * Chinese or Japanese a name stands against the next word with no space
 * ("山田太郎様"). Erasing inside a word with a letter past ASCII next to it
 * is the lesser harm.
 */
static inline bool
hub_erase_word_byte (unsigned char c)
{
	return c < 0x80 && isalnum (c);
}

/*
 * Whether len bytes at i of p[0..n) are not part of a longer word: a
 * string that starts (ends) with a letter or digit must not have one
 * before (after) it, or erasing "Customer 1" would damage "Customer 12",
 * and "Quayside Ter" (a cut copy) "Quayside Terminal". Only the end is
 * looked at when !start: in a stored reply a value's first byte follows
 * its length, a byte that may read as a letter.
 */
static inline bool
hub_erase_at_edges (const unsigned char *p, size_t n, size_t i, size_t len, bool start)
{
	if (start && i > 0 && hub_erase_word_byte (p[i - 1]) && hub_erase_word_byte (p[i]))
		return false;
	return i + len >= n || !hub_erase_word_byte (p[i + len]) || !hub_erase_word_byte (p[i + len - 1]);
}

/* Whether none of len bytes at at was replaced already. */
static bool
hub_erase_untouched (const unsigned char *mark, size_t at, size_t len)
{
	for (size_t i = at; i < at + len; i++)
		if (mark[i])
			return false;
	return true;
}

/*
 * A value as the erase makes it, or NULL when none of set's strings is in
 * it: string after string, longest first, replaced by "[erased]" where it
 * is in the same case, and the whole value "[erased]" when one is there in
 * another case (as SQLite's replace and instr with lower did, string by
 * string), in one pass over the value for all the strings; *len its bytes
 * (a NUL in the value stays, and what follows it).
 */
static char *
hub_erase_text (const struct hub_erase_set *set, const char *text, size_t n, size_t *len)
{
	const unsigned char *p = (const unsigned char *) text;
	struct hub_erase_hit *hits = NULL;
	size_t nhits = 0, cap = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned b = hub_erase_bucket (p + i, n - i);
		for (int c = set->first[b]; c < set->first[b + 1]; c++) {
			int j = set->at[c];
			size_t len = set->len[j];
			if (hub_erase_common (p + i, n - i, set->list[j], len, false) != len || !hub_erase_at_edges (p, n, i, len, true))
				continue;
			if (nhits == cap)
				hits = xrealloc (hits, (cap = cap ? 2 * cap : 16) * sizeof *hits);
			hits[nhits++] = (struct hub_erase_hit) { i, len, j, memcmp (p + i, set->list[j], len) == 0 };
		}
	}
	if (nhits == 0)
		return NULL;
	qsort (hits, nhits, sizeof *hits, hub_erase_hit_order);
	/* mark: 1 where a replaced run starts, 2 inside it. */
	unsigned char *mark = xcalloc (n, 1);
	bool whole = false;
	size_t runs = 0;
	for (size_t g = 0, e; g < nhits && !whole; g = e) {
		for (e = g; e < nhits && hits[e].str == hits[g].str; e++)
			if (hits[e].exact && hub_erase_untouched (mark, hits[e].at, hits[e].len)) {
				mark[hits[e].at] = 1;
				memset (mark + hits[e].at + 1, 2, hits[e].len - 1);
				runs++;
			}
		/* What the replacements left of this string, in another case. */
		for (size_t h = g; h < e && !whole; h++)
			whole = !hits[h].exact && hub_erase_untouched (mark, hits[h].at, hits[h].len);
	}
	char *out;
	if (whole) {
		out = xstrdup ("[erased]");
		*len = strlen (out);
	} else {
		out = xmalloc (n + runs * strlen ("[erased]") + 1);
		size_t o = 0;
		for (size_t i = 0; i < n; i++) {
			if (mark[i] == 1) {
				memcpy (out + o, "[erased]", strlen ("[erased]"));
				o += strlen ("[erased]");
			} else if (mark[i] == 0) {
				out[o++] = text[i];
			}
		}
		out[o] = '\0';
		*len = o;
	}
	free (mark);
	free (hits);
	return out;
}

/* The SQL function hub_erase(value, k): the value erased with set's strings, or NULL when it holds none; for
 * k >= 0, changed[k] counts the values changed (a column's, when k names it). */
struct hub_erase_sql {
	const struct hub_erase_set *set;
	int *changed;
};

static char *
hub_erase_sql (void *arg, const char *text, size_t n, int64_t k, size_t *len)
{
	struct hub_erase_sql *q = arg;
	if (q->set == NULL)
		return NULL; /* its erase is over (hub_erase_sql_end) */
	char *now = hub_erase_text (q->set, text, n, len);
	if (now && k >= 0)
		q->changed[k]++;
	return now;
}

/* The function's argument for the erase's length; registered on db, or NULL (a database error). */
static struct hub_erase_sql *
hub_erase_sql_begin (db_t *db)
{
	struct hub_erase_sql *q = xcalloc (1, sizeof *q);
	if (db_text_function (db, HUB_ERASE_FN, hub_erase_sql, q) != 0) {
		free (q);
		return NULL;
	}
	return q;
}

/* The function removed, and q with it. A function cannot be removed while a statement runs: it is then left
 * in place, erasing nothing, and q with it (a few bytes), for a value read later must not reach a freed q. */
static void
hub_erase_sql_end (db_t *db, struct hub_erase_sql *q)
{
	if (q == NULL)
		return;
	q->set = NULL;
	q->changed = NULL;
	if (db_text_function (db, HUB_ERASE_FN, NULL, NULL) != 0) {
		log_warn ("erase: its SQL function could not be removed (%s): left in place, erasing nothing", db_errmsg (db));
		return;
	}
	free (q);
}

/* In the orders' rows of table.column, every bound string erased (hub_erase_text). Rows changed or -1. */
static int
hub_erase_bound_column (db_t *db, struct hub_erase_sql *q, const char *table, const char *column,
    const char *where)
{
	char *sql = xasprintf ("UPDATE %s SET %s = coalesce (" HUB_ERASE_FN " (%s, 0), %s) WHERE (%s)"
	    " AND " HUB_ERASE_FN " (%s, -1) IS NOT NULL", table, column, column, column, where, column);
	int changed = 0;
	q->changed = &changed;
	int n = hub_erase_exec (db, sql, NULL);
	q->changed = NULL; /* changed is this call's */
	free (sql);
	return n < 0 ? -1 : changed;
}

/* A table and its text columns. */
struct hub_erase_table {
	char *name;
	char **cols;
	int ncols;
	bool rowid;    /* a rowid table, swept in slices (one WITHOUT ROWID is taken whole) */
	int *changed;  /* values changed, per column */
	const char *own;   /* where its rows are the orders' own (hub_erase_own), or NULL */
	int64_t swept;     /* a sweep's: rowids swept up to here, the rows written after are the last step's */
};

static void
hub_erase_tables_free (struct hub_erase_table *tabs, int ntabs)
{
	for (int i = 0; i < ntabs; i++) {
		for (int c = 0; c < tabs[i].ncols; c++)
			free (tabs[i].cols[c]);
		free (tabs[i].cols);
		free (tabs[i].name);
		free (tabs[i].changed);
	}
	free (tabs);
}

/* Every table but the orders, stored replies and operators, with its text columns; -1 on error. */
static int
hub_erase_tables (db_t *db, struct hub_erase_table **tabs_p)
{
	db_stmt_t *st = db_prepare (db, "SELECT m.name, p.name, coalesce ((SELECT NOT t.wr FROM pragma_table_list t"
	    " WHERE t.schema = 'main' AND t.name = m.name), 1) FROM sqlite_master m, pragma_table_info(m.name) p"
	    " WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT IN ('requests', 'orders', 'operators')"
	    " AND (p.type = '' OR p.type LIKE '%TEXT%' OR p.type LIKE '%CHAR%') ORDER BY m.name, p.cid");
	if (st == NULL)
		return -1;
	struct hub_erase_table *tabs = NULL;
	int ntabs = 0, rc;
	while ((rc = db_step (st)) == DB_ROW) {
		if (ntabs == 0 || strcmp (tabs[ntabs - 1].name, db_col_text (st, 0)) != 0) {
			tabs = xrealloc (tabs, (size_t) (ntabs + 1) * sizeof *tabs);
			tabs[ntabs++] = (struct hub_erase_table) { .name = xstrdup (db_col_text (st, 0)),
				.rowid = db_col_int (st, 2) != 0 };
		}
		struct hub_erase_table *t = &tabs[ntabs - 1];
		t->cols = xrealloc (t->cols, (size_t) (t->ncols + 1) * sizeof *t->cols);
		t->cols[t->ncols++] = xstrdup (db_col_text (st, 1));
	}
	db_reset (st);
	for (int i = 0; i < ntabs; i++) {
		tabs[i].changed = xcalloc ((size_t) tabs[i].ncols, sizeof *tabs[i].changed);
		for (size_t k = 0; k < nitems (hub_erase_own); k++)
			if (strcmp (tabs[i].name, hub_erase_own[k].table) == 0)
				tabs[i].own = hub_erase_own[k].where;
	}
	if (rc != DB_DONE) {
		hub_erase_tables_free (tabs, ntabs);
		return -1;
	}
	*tabs_p = tabs;
	return ntabs;
}

/* A table's or column's name as SQL reads it whatever it holds: in double quotes, those in it doubled. */
static char *
hub_erase_quoted (const char *name)
{
	char *q = xmalloc (2 * strlen (name) + 3), *o = q;
	*o++ = '"';
	for (; *name; name++)
		if ((*o++ = *name) == '"')
			*o++ = '"';
	*o++ = '"';
	*o = '\0';
	return q;
}

/* In table t, the distinctive strings erased (hub_erase_text) in every text column, in one statement: of the
 * rows where says (NULL: all), with ?1 and ?2 bound to lo and hi when lo >= 0. 0 or -1. */
static int
hub_erase_table_sweep (db_t *db, struct hub_erase_sql *q, struct hub_erase_table *t, const char *which, int64_t lo,
    int64_t hi)
{
	/* UPDATE "t" SET "a" = coalesce (hub_erase ("a", 0), "a"), ... WHERE (hub_erase ("a", -1) IS NOT NULL OR ...) */
	char *set = xstrdup (""), *where = xstrdup ("");
	for (int c = 0; c < t->ncols; c++) {
		char *col = hub_erase_quoted (t->cols[c]);
		char *s2 = xasprintf ("%s%s%s = coalesce (" HUB_ERASE_FN " (%s, %d), %s)", set, c ? ", " : "", col, col, c, col);
		char *w2 = xasprintf ("%s%s" HUB_ERASE_FN " (%s, -1) IS NOT NULL", where, c ? " OR " : "", col);
		free (col);
		free (set);
		free (where);
		set = s2;
		where = w2;
	}
	char *name = hub_erase_quoted (t->name);
	char *sql = xasprintf ("UPDATE %s SET %s WHERE %s%s%s(%s)", name, set, which ? "(" : "", which ? which : "",
	    which ? ") AND " : "", where);
	free (name);
	free (set);
	free (where);
	q->changed = t->changed;
	db_stmt_t *st = db_prepare (db, sql);
	free (sql);
	int rc = DB_ERROR;
	if (st) {
		if (lo >= 0) {
			db_bind_int (st, 1, lo);
			db_bind_int (st, 2, hi);
		}
		rc = db_step (st);
		db_reset (st);
	}
	q->changed = NULL;
	return rc == DB_DONE ? 0 : -1;
}

/* What was changed in t, into the report's lines. */
static void
hub_erase_table_note (struct hub_erase_report *rep, const struct hub_erase_table *t)
{
	for (int c = 0; c < t->ncols; c++) {
		if (t->changed[c] == 0)
			continue;
		char *what = xasprintf ("%s.%s", t->name, t->cols[c]);
		hub_erase_note (rep, what, t->changed[c]);
		free (what);
		rep->rows += t->changed[c];
	}
}

/* Every text column of every table but the orders, stored replies and
 * operators: the distinctive strings erased (hub_erase_text), a table in one pass. */
static int
hub_erase_everywhere (db_t *db, struct hub_erase_sql *q, struct hub_erase_report *rep)
{
	struct hub_erase_table *tabs = NULL;
	int ntabs = hub_erase_tables (db, &tabs), rc = ntabs < 0 ? -1 : 0;
	for (int i = 0; i < ntabs && rc == 0; i++)
		if ((rc = hub_erase_table_sweep (db, q, &tabs[i], NULL, -1, 0)) == 0)
			hub_erase_table_note (rep, &tabs[i]);
	if (ntabs > 0)
		hub_erase_tables_free (tabs, ntabs);
	return rc;
}

/* Whether the hub's cut mark ("…", hub-reply.c) is at p[at]. */
static inline bool
hub_erase_cut_mark (const unsigned char *p, size_t n, size_t at)
{
	return at + 3 <= n && memcmp (p + at, "\xe2\x80\xa6", 3) == 0;
}

/* Overwrite every occurrence of each of set's strings in p with '*', in any
 * ASCII case (same length: encodings stay valid); with prefixes, a cut copy
 * of 8 bytes or more too, and always one the hub cut (a reply's text past
 * the wire's limit ends in "…", hub-reply.c); with edges, none inside a
 * longer word (by its end alone: hub_erase_at_edges). Occurrences are
 * found in the bytes as they were, so two that overlap both go. Returns how
 * many were overwritten. */
static int
hub_erase_bytes (unsigned char *p, size_t n, const struct hub_erase_set *set, bool prefixes, bool edges)
{
	if (n == 0)
		return 0;
	unsigned char *was = xmalloc (n);
	memcpy (was, p, n);
	int found = 0;
	size_t starred = 0; /* p is starred up to here */
	for (size_t i = 0; i < n; i++) {
		unsigned b = hub_erase_bucket (was + i, n - i);
		size_t best = 0;
		for (int c = set->first[b]; c < set->first[b + 1]; c++) {
			int j = set->at[c];
			size_t len = set->len[j];
			size_t k = hub_erase_common (was + i, n - i, set->list[j], len, false);
			bool cut = k < len && k >= HUB_ERASE_PREFIX_MIN && (prefixes || hub_erase_cut_mark (was, n, i + k));
			if ((k == len || cut) && k > best && (!edges || hub_erase_at_edges (was, n, i, k, false)))
				best = k;
		}
		if (best == 0)
			continue;
		memset (p + i, '*', best);
		if (i + best > starred) {
			found++;
			starred = i + best;
		}
	}
	free (was);
	return found;
}

/* Whether the bytes hold one of the customer's keys, not inside a longer word (hub_erase_at_edges, start as it
 * says): "O0001" does not bind a reply to "O00012". */
static bool
hub_erase_bound_bytes (const unsigned char *p, size_t n, const struct hub_erase_set *keys, bool start)
{
	for (size_t i = 0; i < n; i++) {
		unsigned b = hub_erase_bucket (p + i, n - i);
		for (int c = keys->first[b]; c < keys->first[b + 1]; c++) {
			int j = keys->at[c];
			size_t k = keys->len[j];
			if (k <= n - i && memcmp (p + i, keys->list[j], k) == 0 && hub_erase_at_edges (p, n, i, k, start))
				return true;
		}
	}
	return false;
}

/* Stored replies (encoded frames), those with rowid in (lo, hi] or all when lo < 0: rewritten byte for byte,
 * every personal string in those that name one of the customer's keys, the distinctive ones in the rest.
 * How many, or -1. */
static int
hub_erase_replies_in (db_t *db, struct hub_erase_report *rep, int64_t lo, int64_t hi)
{
	db_stmt_t *sel = db_prepare (db, lo >= 0 ? "SELECT rowid, reply FROM requests WHERE rowid > ?1 AND rowid <= ?2"
	    : "SELECT rowid, reply FROM requests");
	if (sel == NULL)
		return -1;
	if (lo >= 0) {
		db_bind_int (sel, 1, lo);
		db_bind_int (sel, 2, hi);
	}
	struct hit { int64_t id; unsigned char *data; size_t n; } *hits = NULL;
	int nhits = 0, rc;
	while ((rc = db_step (sel)) == DB_ROW) {
		size_t n;
		const void *b = db_col_blob (sel, 1, &n);
		if (b == NULL || n == 0)
			continue;
		unsigned char *copy = xmalloc (n);
		memcpy (copy, b, n);
		bool bound = hub_erase_bound_bytes (copy, n, &rep->index->keys, false);
		if (hub_erase_bytes (copy, n, bound ? &rep->index->bound : &rep->index->strings, false, true) == 0) {
			free (copy);
			continue;
		}
		hits = xrealloc (hits, (size_t) (nhits + 1) * sizeof *hits);
		hits[nhits++] = (struct hit) { db_col_int (sel, 0), copy, n };
	}
	db_reset (sel);
	for (int i = 0; i < nhits; i++) {
		db_stmt_t *up = rc == DB_DONE ? db_prepare (db, "UPDATE requests SET reply = ?2 WHERE rowid = ?1") : NULL;
		if (up) {
			db_bind_int (up, 1, hits[i].id);
			db_bind_blob (up, 2, hits[i].data, hits[i].n);
			rc = db_step (up);
			db_reset (up);
		} else {
			rc = DB_ERROR;
		}
		free (hits[i].data);
	}
	free (hits);
	rep->replies += nhits;
	return rc == DB_DONE ? nhits : -1;
}

static int
hub_erase_replies (db_t *db, struct hub_erase_report *rep)
{
	int n = hub_erase_replies_in (db, rep, -1, 0);
	if (n > 0)
		hub_erase_note (rep, "requests.reply", n);
	return n < 0 ? -1 : 0;
}

/* Print jobs of the orders already handed to CUPS: their data is in CUPS's spool until printed. */
static int
hub_erase_printing (db_t *db, struct hub_erase_report *rep)
{
	db_stmt_t *st = db_prepare (db, "SELECT id, coalesce (cups_job, 0), coalesce (printer, '') FROM label_jobs"
	    " WHERE (order_ref IN " HUB_ERASE_REFS " OR parcel_id IN " HUB_ERASE_PARCELS ") AND status IN ('submitting',"
	    " 'submitted', 'printing', 'offline') AND id IN (SELECT job FROM label_docs)");
	if (st == NULL)
		return -1;
	int rc;
	while ((rc = db_step (st)) == DB_ROW) {
		char *what = xasprintf ("print job %lld: CUPS job %lld on %s", (long long) db_col_int (st, 0),
		    (long long) db_col_int (st, 1), *db_col_text (st, 2) ? db_col_text (st, 2) : "(no printer yet)");
		hub_erase_add_once (&rep->printing, &rep->nprinting, what);
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
	/* A line's description: as order_lines.description. */
	free (u->buf);
	size_t len;
	u->buf = hub_erase_text (&u->rep->index->bound, value, strlen (value), &len);
	return u->buf ? u->buf : value;
}

/* What the erase does to the orders themselves and the rows bound to them. */
static int
hub_erase_rows (db_t *db, char **refs, int nrefs, struct hub_erase_sql *q, struct hub_erase_report *rep)
{
	if (hub_erase_printing (db, rep) != 0)
		return -1;
	char *set = xstrdup ("");
	for (size_t i = 0; i < nitems (hub_erase_columns); i++) {
		char *n = xasprintf ("%s%s%s = '%s'", set, i ? ", " : "", hub_erase_columns[i].column,
		    hub_erase_columns[i].becomes);
		free (set);
		set = n;
	}
	char *sql = xasprintf ("UPDATE orders SET %s, content_hash = '' WHERE ref IN " HUB_ERASE_REFS, set);
	free (set);
	int rc = hub_erase_exec (db, sql, NULL) < 0 ? -1 : 0;
	free (sql);
	/* The orders as an import not yet recorded found them, kept to take the import back: the same fields go. */
	for (int i = 0; i < nrefs && rc == 0; i++) {
		struct hub_erase_undo u = { rep, NULL };
		int n = hub_import_undo_personal (db, refs[i], hub_erase_undo_scrub, &u);
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
	    " WHERE id IN (SELECT job FROM label_docs) AND (order_ref IN " HUB_ERASE_REFS
	    " OR parcel_id IN " HUB_ERASE_PARCELS ")", NULL);
	if (n >= 0)
		n = hub_erase_exec (db, "DELETE FROM label_docs WHERE job IN (SELECT id FROM label_jobs"
		    " WHERE order_ref IN " HUB_ERASE_REFS " OR parcel_id IN " HUB_ERASE_PARCELS ")", NULL);
	if (n < 0)
		rc = -1;
	else
		rep->labels += n;
	/* Who signed, where and the image of it: the customer's (after the strings were taken from them). */
	n = rc ? -1 : hub_erase_exec (db, "UPDATE tracking SET signed_by = NULL, pod_image = NULL, location = NULL"
	    " WHERE (signed_by IS NOT NULL OR pod_image IS NOT NULL OR location IS NOT NULL)"
	    " AND parcel_id IN " HUB_ERASE_PARCELS, NULL);
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
		n = hub_erase_exec (db, wipe, NULL);
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
	q->set = &rep->index->bound;
	for (size_t i = 0; i < nitems (hub_erase_bound_columns) && rc == 0; i++) {
		n = hub_erase_bound_column (db, q, hub_erase_bound_columns[i].table, hub_erase_bound_columns[i].column,
		    hub_erase_bound_columns[i].where);
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
	rep->orders += nrefs;
	return rc;
}

/* The orders into temp.hub_erase_refs, which the statements above read. */
static int
hub_erase_refs_put (db_t *db, char **refs, int nrefs)
{
	if (db_exec (db, "CREATE TEMP TABLE IF NOT EXISTS hub_erase_refs (ref TEXT PRIMARY KEY)") != DB_DONE
	    || db_exec (db, "DELETE FROM temp.hub_erase_refs") != DB_DONE)
		return -1;
	db_stmt_t *st = db_prepare (db, "INSERT OR IGNORE INTO temp.hub_erase_refs (ref) VALUES (?1)");
	if (st == NULL)
		return -1;
	int rc = DB_DONE;
	for (int i = 0; i < nrefs && rc == DB_DONE; i++) {
		db_bind_text (st, 1, refs[i]);
		rc = db_step (st);
		db_reset (st);
	}
	return rc == DB_DONE ? 0 : -1;
}

static int
hub_erase_orders_in (db_t *db, char **refs, int nrefs, struct hub_erase_sql *q, struct hub_erase_report *rep)
{
	/* Every order's keys and strings first: a note on one may name another's town. */
	if (hub_erase_refs_put (db, refs, nrefs) != 0 || hub_erase_parcels (db, rep) != 0
	    || hub_erase_free_text_take (db, rep) != 0)
		return -1;
	hub_erase_settle (rep);
	if (hub_erase_rows (db, refs, nrefs, q, rep) != 0)
		return -1;
	if (rep->labels)
		hub_erase_note (rep, "label_docs (labels and tickets dropped)", rep->labels);
	if (rep->nstrings == 0 && rep->nbound == 0)
		return 0;
	q->set = &rep->index->strings;
	if (hub_erase_everywhere (db, q, rep) != 0 || hub_erase_replies (db, rep) != 0)
		return -1;
	return 0;
}

int
hub_erase_orders (db_t *db, char **refs, int nrefs, struct hub_erase_report *rep)
{
	db_exec (db, "PRAGMA secure_delete = ON");
	struct hub_erase_sql *q = hub_erase_sql_begin (db);
	if (q == NULL)
		return -1;
	int rc = hub_erase_orders_in (db, refs, nrefs, q, rep);
	hub_erase_sql_end (db, q);
	if (rc == 0 && db_exec (db, "DELETE FROM temp.hub_erase_refs") != DB_DONE)
		rc = -1;
	return rc;
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

/* The customer's strings in buf, line by line (a line with one of the customer's keys is the customer's); how many.
 * Inside words too: a fixed-width manifest puts one field against the next, so a word's edge there says nothing. */
static int
hub_erase_lines (unsigned char *buf, size_t n, struct hub_erase_report *rep)
{
	hub_erase_settle (rep);
	int found = 0;
	for (size_t start = 0; start < n;) {
		unsigned char *nl = memchr (buf + start, '\n', n - start);
		size_t end = nl ? (size_t) (nl - buf) + 1 : n;
		unsigned char *line = buf + start;
		size_t len = end - start;
		if (hub_erase_bound_bytes (line, len, &rep->index->keys, true))
			found += hub_erase_bytes (line, len, &rep->index->bound, true, false);
		else
			found += hub_erase_bytes (line, len, &rep->index->strings, false, false);
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

/*
 * Retention in steps. A search of every table of a year's database takes
 * seconds, and the hub's loop must not hold the database that long: the
 * sweep takes the orders' strings once (hub_erase_sweep_new), then each
 * step erases them from slice_rows rows of one table, or of the stored
 * replies, in the caller's transaction, leaving the orders' own rows
 * (hub_erase_own); the last step erases those, what was written since the
 * sweep passed by, and the orders themselves with the rows bound to them.
 * Until then the orders and their own rows keep their data, so a sweep cut
 * short (an error, a stop) is only begun again, and finds the same strings.
 */
struct hub_erase_sweep {
	db_t *db;          /* the connection its SQL function is registered on, from new to destroy */
	struct hub_erase_report rep;
	struct hub_erase_sql *q;
	char **refs;
	int nrefs;
	int days;          /* retention's, to ask again at the end which orders are still due */
	int64_t now_ms;
	struct hub_erase_table *tabs;
	int ntabs;
	int at;            /* tabs[at] being swept; ntabs: the stored replies; ntabs + 1: the orders' own rows */
	int64_t from;      /* rowids swept up to here */
	int64_t last;      /* the highest rowid when the sweep of this table began; -1 not read yet */
	int64_t replies_swept; /* the stored replies' rowids swept up to here */
	int64_t slice_rows;
	int steps;
	int replies;
};

/* The orders of retention: every parcel delivered, the last more than ?1 ms ago (the cutoff), not yet erased. */
#define HUB_ERASE_DUE_SELECT "SELECT o.ref FROM orders o WHERE o.customer_name != '" HUB_ERASED_NAME "'"
#define HUB_ERASE_DUE_WHERE \
	" AND EXISTS (SELECT 1 FROM parcels p WHERE p.order_ref = o.ref)" \
	" AND NOT EXISTS (SELECT 1 FROM parcels p WHERE p.order_ref = o.ref AND p.status != 'delivered')" \
	" AND (SELECT max(t.at) FROM tracking t JOIN parcels p ON p.id = t.parcel_id" \
	"      WHERE p.order_ref = o.ref AND t.event = 'delivered') < ?1"
/* The most orders one retention pass erases. */
#define HUB_ERASE_DUE_MAX 100

/* The orders due into *refs (appended to its n, up to HUB_ERASE_DUE_MAX): of all the orders (sql as
 * HUB_ERASE_DUE_ALL), the one order ?2 (HUB_ERASE_DUE_ONE) or the orders with rowid in (?2, ?3]
 * (HUB_ERASE_DUE_SLICE). The count, or -1. */
#define HUB_ERASE_DUE_ALL HUB_ERASE_DUE_SELECT HUB_ERASE_DUE_WHERE " LIMIT ?4"
#define HUB_ERASE_DUE_ONE HUB_ERASE_DUE_SELECT " AND o.ref = ?2" HUB_ERASE_DUE_WHERE " LIMIT ?4"
#define HUB_ERASE_DUE_SLICE HUB_ERASE_DUE_SELECT " AND o.rowid > ?2 AND o.rowid <= ?3" HUB_ERASE_DUE_WHERE " LIMIT ?4"
static int
hub_erase_due_query (db_t *db, const char *sql, int days, int64_t now_ms, const char *ref, int64_t lo, int64_t hi,
    char ***refs, int *n)
{
	db_stmt_t *st = db_prepare (db, sql);
	if (st == NULL)
		return -1;
	db_bind_int (st, 1, now_ms - (int64_t) days * 86400 * 1000);
	if (ref)
		db_bind_text (st, 2, ref);
	else {
		db_bind_int (st, 2, lo);
		db_bind_int (st, 3, hi);
	}
	db_bind_int (st, 4, HUB_ERASE_DUE_MAX - *n);
	int rc;
	while ((rc = db_step (st)) == DB_ROW) {
		*refs = xrealloc (*refs, (size_t) (*n + 1) * sizeof **refs);
		(*refs)[(*n)++] = xstrdup (db_col_text (st, 0));
	}
	db_reset (st);
	return rc == DB_DONE ? *n : -1;
}

/* Whether the order ref is still due (1, 0 or -1). */
static int
hub_erase_due_still (db_t *db, int days, int64_t now_ms, const char *ref)
{
	char **refs = NULL;
	int n = 0, rc = hub_erase_due_query (db, HUB_ERASE_DUE_ONE, days, now_ms, ref, 0, 0, &refs, &n);
	hub_erase_list_free (refs, n);
	return rc;
}

/* The orders due found a slice of the orders at a time: in a year's database the search of every order is a
 * second, which the hub's loop must not be held for (hub_erase_due_new). */
struct hub_erase_due {
	int days;
	int64_t now_ms;
	int64_t from, last;  /* orders' rowids searched up to from, of those up to last */
	int64_t slice_rows;
	char **refs;
	int nrefs;
	int steps;
};

/* The highest rowid of a table, 0 when empty, -1 on error. */
static int64_t
hub_erase_max_rowid (db_t *db, const char *table)
{
	char *name = hub_erase_quoted (table);
	char *sql = xasprintf ("SELECT coalesce (max (rowid), 0) FROM %s", name);
	free (name);
	db_stmt_t *st = db_prepare (db, sql);
	free (sql);
	int64_t v = st && db_step (st) == DB_ROW ? db_col_int (st, 0) : -1;
	if (st)
		db_reset (st);
	return v;
}

hub_erase_due_t *
hub_erase_due_new (db_t *db, int days, int64_t now_ms, int slice_rows)
{
	if (days <= 0)
		return NULL;
	int64_t last = hub_erase_max_rowid (db, "orders");
	if (last < 0)
		return NULL;
	hub_erase_due_t *self = xcalloc (1, sizeof *self);
	*self = (struct hub_erase_due) { .days = days, .now_ms = now_ms, .last = last,
		.slice_rows = slice_rows > 0 ? slice_rows : 1 };
	return self;
}

/* The rowid that ends a slice of rows rows of table after rowid from (the last row's when fewer are left): from
 * when none is, -1 on error. By the rows there are, not by rowids, which may leave gaps of any size. */
static int64_t
hub_erase_slice_end (db_t *db, const char *table, int64_t from, int64_t rows)
{
	char *name = hub_erase_quoted (table);
	char *sql = xasprintf ("SELECT coalesce (max (rowid), ?1) FROM (SELECT rowid FROM %s WHERE rowid > ?1"
	    " ORDER BY rowid LIMIT ?2)", name);
	free (name);
	db_stmt_t *st = db_prepare (db, sql);
	free (sql);
	if (st == NULL)
		return -1;
	db_bind_int (st, 1, from);
	db_bind_int (st, 2, rows);
	int64_t hi = db_step (st) == DB_ROW ? db_col_int (st, 0) : -1;
	db_reset (st);
	return hi;
}

int
hub_erase_due_step (hub_erase_due_t *self, db_t *db)
{
	if (self->from >= self->last || self->nrefs >= HUB_ERASE_DUE_MAX)
		return 0;
	self->steps++;
	int64_t hi = hub_erase_slice_end (db, "orders", self->from, self->slice_rows);
	if (hi < 0)
		return -1;
	if (hi == self->from)
		return 0; /* no order past it */
	if (hub_erase_due_query (db, HUB_ERASE_DUE_SLICE, self->days, self->now_ms, NULL, self->from, hi, &self->refs,
	        &self->nrefs) < 0)
		return -1;
	self->from = hi;
	return self->from < self->last && self->nrefs < HUB_ERASE_DUE_MAX ? 1 : 0;
}

int
hub_erase_due_steps (const hub_erase_due_t *self)
{
	return self->steps;
}

void
hub_erase_due_destroy (hub_erase_due_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	hub_erase_list_free ((*self_p)->refs, (*self_p)->nrefs);
	free (*self_p);
	*self_p = NULL;
}

void
hub_erase_sweep_destroy (hub_erase_sweep_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	hub_erase_sweep_t *self = *self_p;
	/* Registered once for the whole sweep: registering a function expires every statement the connection
	 * has prepared, and the hub's loop prepares the same few dozen for every request. */
	if (self->db) {
		hub_erase_sql_end (self->db, self->q);
		db_exec (self->db, "DELETE FROM temp.hub_erase_refs");
	}
	hub_erase_report_free (&self->rep);
	hub_erase_list_free (self->refs, self->nrefs);
	if (self->ntabs > 0)
		hub_erase_tables_free (self->tabs, self->ntabs);
	free (self);
	*self_p = NULL;
}

/* The strings of the sweep's orders into its report, filed for the search; the orders into temp.hub_erase_refs,
 * where they stay until the sweep ends (each step leaves their own rows). 0 or -1. */
static int
hub_erase_sweep_take (hub_erase_sweep_t *self, db_t *db)
{
	/* The orders in one erase: its search of every table is one for all of them, not one each. The strings of
	 * one order are then erased in the others' rows too: rows of orders whose data goes all the same. */
	for (int i = 0; i < self->nrefs; i++) {
		char **one = NULL;
		int k = hub_erase_find (db, self->refs[i], 1, &self->rep, &one);
		if (one)
			free (one[0]);
		free (one);
		if (k < 0)
			return -1;
	}
	if (hub_erase_refs_put (db, self->refs, self->nrefs) != 0 || hub_erase_parcels (db, &self->rep) != 0
	    || hub_erase_free_text_take (db, &self->rep) != 0)
		return -1;
	hub_erase_settle (&self->rep);
	return 0;
}

/* The sweep of the orders refs (its own from here), found due (found: how many, or -1 if finding them failed). */
static hub_erase_sweep_t *
hub_erase_sweep_begin (db_t *db, int days, int64_t now_ms, int slice_rows, char **refs, int found, int *n)
{
	hub_erase_sweep_t *self = xcalloc (1, sizeof *self);
	self->slice_rows = slice_rows > 0 ? slice_rows : 1;
	self->last = -1;
	self->days = days;
	self->now_ms = now_ms;
	self->refs = refs;
	self->nrefs = found > 0 ? found : 0;
	if (found > 0 && hub_erase_sweep_take (self, db) != 0)
		found = -1;
	if (found > 0 && (self->ntabs = hub_erase_tables (db, &self->tabs)) < 0)
		found = -1;
	if (found > 0 && (self->q = hub_erase_sql_begin (db)) == NULL)
		found = -1;
	self->db = found != 0 ? db : NULL; /* none due: nothing was put, nothing registered */
	if (found <= 0) {
		self->ntabs = self->ntabs < 0 ? 0 : self->ntabs;
		hub_erase_sweep_destroy (&self);
		*n = found;
		return NULL;
	}
	self->q->set = &self->rep.index->strings;
	*n = self->nrefs;
	return self;
}

hub_erase_sweep_t *
hub_erase_sweep_new (db_t *db, int days, int64_t now_ms, int slice_rows, int *n)
{
	*n = 0;
	if (days <= 0)
		return NULL;
	char **refs = NULL;
	int got = 0, found = hub_erase_due_query (db, HUB_ERASE_DUE_ALL, days, now_ms, NULL, 0, 0, &refs, &got);
	if (found < 0) {
		hub_erase_list_free (refs, got);
		refs = NULL;
	}
	return hub_erase_sweep_begin (db, days, now_ms, slice_rows, refs, found, n);
}

hub_erase_sweep_t *
hub_erase_sweep_new_due (db_t *db, hub_erase_due_t **due_p, int slice_rows, int *n)
{
	*n = 0;
	hub_erase_due_t *due = *due_p;
	if (due == NULL)
		return NULL;
	hub_erase_sweep_t *self = hub_erase_sweep_begin (db, due->days, due->now_ms, slice_rows, due->refs, due->nrefs, n);
	due->refs = NULL;
	due->nrefs = 0;
	hub_erase_due_destroy (due_p);
	return self;
}


/* Of table t, the rows with rowid in (?1, ?2] but the orders' own: a slice, or what was written after it. The
 * own clause is NULL for an event of no order ("order_ref IN" a NULL): coalesce makes it false, so the row is
 * searched. */
static int
hub_erase_sweep_range (hub_erase_sweep_t *self, struct hub_erase_table *t, int64_t lo, int64_t hi)
{
	char *which = t->own ? xasprintf ("rowid > ?1 AND rowid <= ?2 AND NOT coalesce ((%s), 0)", t->own)
	                     : xstrdup ("rowid > ?1 AND rowid <= ?2");
	int rc = hub_erase_table_sweep (self->db, self->q, t, which, lo, hi);
	free (which);
	return rc;
}

/* One slice of the table or replies the sweep is at; true when that one is done. 0 or -1. */
static int
hub_erase_sweep_slice (hub_erase_sweep_t *self, db_t *db, bool *done)
{
	bool replies = self->at == self->ntabs;
	struct hub_erase_table *t = replies ? NULL : &self->tabs[self->at];
	if (t && !t->rowid) {
		*done = true;
		char *which = t->own ? xasprintf ("NOT coalesce ((%s), 0)", t->own) : NULL;
		int rc = hub_erase_table_sweep (db, self->q, t, which, -1, 0);
		free (which);
		return rc;
	}
	const char *table = replies ? "requests" : t->name;
	if (self->last < 0 && (self->last = hub_erase_max_rowid (db, table)) < 0)
		return -1;
	int64_t hi = self->from < self->last ? hub_erase_slice_end (db, table, self->from, self->slice_rows) : self->from;
	if (hi < 0)
		return -1;
	if (hi == self->from) {
		*done = true; /* no row left of those there were when it began */
		return 0;
	}
	int rc;
	if (replies) {
		int k = hub_erase_replies_in (db, &self->rep, self->from, hi);
		rc = k < 0 ? -1 : 0;
		self->replies += k > 0 ? k : 0;
	} else {
		rc = hub_erase_sweep_range (self, t, self->from, hi);
	}
	/* Rows written after the sweep began are past last: the last step's (hub_erase_sweep_end). */
	*done = hi >= self->last;
	if (rc == 0) {
		self->from = hi;
		/* Not hi: a row written later takes the next rowid past last, which may be under hi. */
		int64_t swept = hi < self->last ? hi : self->last;
		if (replies)
			self->replies_swept = swept;
		else
			t->swept = swept;
	}
	return rc;
}

/* Which of the orders are still due, now at the end: one whose parcel came back meanwhile keeps its data.
 * How many are, or -1. */
static int
hub_erase_sweep_still_due (hub_erase_sweep_t *self, db_t *db)
{
	/* Every order asked first, the list changed only then: a database error leaves it whole (destroy frees it). */
	bool *still = xcalloc ((size_t) self->nrefs + 1, sizeof *still);
	for (int i = 0; i < self->nrefs; i++) {
		int due = hub_erase_due_still (db, self->days, self->now_ms, self->refs[i]);
		if (due < 0) {
			free (still);
			return -1;
		}
		still[i] = due > 0;
	}
	int kept = 0;
	for (int i = 0; i < self->nrefs; i++) {
		if (still[i])
			self->refs[kept++] = self->refs[i];
		else
			free (self->refs[i]);
	}
	free (still);
	int dropped = self->nrefs - kept;
	self->nrefs = kept;
	if (dropped == 0 || kept == 0)
		return kept;
	/* The strings are those of the orders still due alone from here, or the last step's searches would erase
	 * the data of an order that keeps it. */
	self->q->set = NULL; /* erases nothing while its index is built again */
	hub_erase_report_free (&self->rep);
	if (hub_erase_sweep_take (self, db) != 0)
		return -1;
	self->q->set = &self->rep.index->strings;
	return kept;
}

/* The last step: the orders' own rows searched, and what was written after each table or the replies were
 * swept (an enquiry answered meanwhile names the order), then the orders and the rows bound to them. */
static int
hub_erase_sweep_end (hub_erase_sweep_t *self, db_t *db)
{
	db_exec (db, "PRAGMA secure_delete = ON");
	int due = hub_erase_sweep_still_due (self, db);
	if (due < 0 || hub_erase_refs_put (db, self->refs, self->nrefs) != 0)
		return -1;
	if (due == 0)
		return 0;
	int rc = 0;
	for (int i = 0; i < self->ntabs && rc == 0; i++) {
		struct hub_erase_table *t = &self->tabs[i];
		if (t->own)
			rc = hub_erase_table_sweep (db, self->q, t, t->own, -1, 0);
		if (rc == 0 && t->rowid)
			rc = hub_erase_sweep_range (self, t, t->swept, INT64_MAX);
		if (rc == 0)
			hub_erase_table_note (&self->rep, t);
	}
	int k = rc ? -1 : hub_erase_replies_in (db, &self->rep, self->replies_swept, INT64_MAX);
	if (k < 0)
		return -1;
	if (self->replies + k)
		hub_erase_note (&self->rep, "requests.reply", self->replies + k);
	if (hub_erase_rows (db, self->refs, self->nrefs, self->q, &self->rep) != 0
	    || db_exec (db, "DELETE FROM temp.hub_erase_refs") != DB_DONE)
		return -1;
	if (self->rep.labels)
		hub_erase_note (&self->rep, "label_docs (labels and tickets dropped)", self->rep.labels);
	return 0;
}

int
hub_erase_sweep_step (hub_erase_sweep_t *self)
{
	db_t *db = self->db;
	self->steps++;
	if (self->at > self->ntabs)
		return hub_erase_sweep_end (self, db);
	bool done = false;
	int rc = hub_erase_sweep_slice (self, db, &done);
	if (rc == 0 && done) {
		self->at++;
		self->from = 0;
		self->last = -1;
	}
	return rc == 0 ? 1 : -1;
}

int
hub_erase_sweep_steps (const hub_erase_sweep_t *self)
{
	return self->steps;
}

int
hub_erase_sweep_orders (const hub_erase_sweep_t *self)
{
	return self->nrefs;
}

int
hub_erase_retention (db_t *db, int days, int64_t now_ms)
{
	int n;
	hub_erase_sweep_t *sweep = hub_erase_sweep_new (db, days, now_ms, HUB_ERASE_SLICE_ROWS, &n);
	int rc = 1;
	while (sweep && rc > 0)
		rc = hub_erase_sweep_step (sweep);
	if (sweep && rc == 0)
		n = hub_erase_sweep_orders (sweep);
	hub_erase_sweep_destroy (&sweep);
	return n <= 0 ? n : rc == 0 ? n : -1;
}
