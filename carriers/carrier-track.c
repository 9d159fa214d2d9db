/*
 * carrier-track.c: carrier tracking files (doc/carriers.md "Tracking").
 * A CSV file of events, one per line, is matched to parcels by tracking
 * number; each carrier status word is normalised to a small set; proof of
 * delivery (who signed, where the image is) is kept with the event. A
 * number that matches no parcel is kept in tracking_unknown and reported,
 * never dropped. The whole file is taken in the caller's transaction.
 */
#include "config.h"
#include "carrier.h"
#include "text.h"
#include "util.h"

#include <ctype.h>
#include <jansson.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Carrier words -> the normalised status. */
static const struct {
	const char *word;
	const char *status;
} carrier_track_words[] = {
	{ "in_transit", "in_transit" }, { "in transit", "in_transit" }, { "collected", "in_transit" },
	{ "at hub", "in_transit" }, { "departed", "in_transit" }, { "arrived", "in_transit" },
	{ "out_for_delivery", "out_for_delivery" }, { "out for delivery", "out_for_delivery" }, { "ofd", "out_for_delivery" },
	{ "delivered", "delivered" }, { "pod", "delivered" },
	{ "exception", "exception" }, { "failed delivery", "exception" }, { "carded", "exception" },
	{ "damaged", "exception" }, { "returned", "returned" }, { "return to sender", "returned" },
};

static const char *
carrier_track_status (const char *word)
{
	for (size_t i = 0; i < nitems (carrier_track_words); i++)
		if (strcasecmp (carrier_track_words[i].word, word) == 0)
			return carrier_track_words[i].status;
	return NULL;
}

static void
carrier_track_add (struct carrier_track_report *rep, char ***list, int *n, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));

static void
carrier_track_add (struct carrier_track_report *rep, char ***list, int *n, const char *fmt, ...)
{
	(void) rep;
	va_list ap;
	va_start (ap, fmt);
	*list = xrealloc (*list, (size_t) (*n + 1) * sizeof **list);
	(*list)[(*n)++] = xvasprintf (fmt, ap);
	va_end (ap);
}

/* Split one CSV line (quotes allowed) into at most max fields, in place. */
static int
carrier_track_split (char *s, char **f, int max)
{
	int n = 0;
	while (n < max) {
		if (*s == '"') {
			char *w = ++s, *o = s;
			while (*s && !(*s == '"' && s[1] != '"')) {
				if (*s == '"')
					s++;
				*o++ = *s++;
			}
			if (*s)
				s++;
			*o = '\0';
			f[n++] = w;
		} else {
			f[n++] = s;
			s += strcspn (s, ",");
		}
		if (*s != ',')
			break;
		*s++ = '\0';
	}
	return n;
}

/* carrier_track_text with the header on line first (0 for JSON: event N is "line" N). */
static int
carrier_track_text_at (db_t *db, const char *name, char *text, int first, int64_t now_ms,
    struct carrier_track_report *rep)
{
	memset (rep, 0, sizeof *rep);
	static const char *const cols[] = { "tracking", "time", "status", "location", "detail", "signed_by", "pod_image" };
	int idx[nitems (cols)];
	int lineno = first - 1;
	bool header = false;
	for (char *line = text, *next; line && *line; line = next) {
		next = strchr (line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		line[strcspn (line, "\r")] = '\0';
		if (*line == '\0' || *line == '#')
			continue;
		char *f[16];
		int nf = carrier_track_split (line, f, 16);
		if (!header) {
			for (size_t c = 0; c < nitems (cols); c++) {
				idx[c] = -1;
				for (int i = 0; i < nf; i++)
					if (strcmp (f[i], cols[c]) == 0)
						idx[c] = i;
			}
			if (idx[0] < 0 || idx[1] < 0 || idx[2] < 0) {
				carrier_track_add (rep, &rep->errors, &rep->nerrors, "%s:%d: the header must name tracking, time "
				    "and status (and may name location, detail, signed_by, pod_image)", name, lineno);
				return 1;
			}
			header = true;
			continue;
		}
		const char *v[nitems (cols)];
		char *fault = NULL;
		for (size_t c = 0; c < nitems (cols); c++) {
			v[c] = idx[c] >= 0 && idx[c] < nf ? f[idx[c]] : "";
			if (fault == NULL)
				fault = text_check_field (cols[c], v[c], strlen (v[c]), 0);
		}
		if (fault) {
			/* Text the carrier sent with a control character in it is not a tracking event: nothing is taken. */
			carrier_track_add (rep, &rep->errors, &rep->nerrors, "%s:%d: %s", name, lineno, fault);
			free (fault);
			continue;
		}
		char number[48];
		size_t j = 0;
		for (const char *s = v[0]; *s && j + 1 < sizeof number; s++)
			if (*s != ' ')
				number[j++] = (char) toupper ((unsigned char) *s);
		number[j] = '\0';
		const char *status = carrier_track_status (v[2]);
		if (*number == '\0' || status == NULL || *v[1] == '\0') {
			carrier_track_add (rep, &rep->errors, &rep->nerrors, "%s:%d: %s", name, lineno, *number == '\0'
			    ? "tracking is empty" : *v[1] == '\0' ? "time is empty" : "status is not a known carrier status "
			    "(in transit, out for delivery, delivered, exception, returned, ...)");
			continue;
		}
		if (strcmp (status, "delivered") == 0 && *v[5] == '\0')
			carrier_track_add (rep, &rep->warnings, &rep->nwarnings, "%s:%d: %s delivered without signed_by",
			    name, lineno, number);
		db_stmt_t *st = db_prepare (db, "SELECT id, order_ref FROM parcels WHERE tracking = ?1");
		db_bind_text (st, 1, number);
		int64_t parcel = 0;
		char order[40] = "";
		if (db_step (st) == DB_ROW) {
			parcel = db_col_int (st, 0);
			util_strlcpy (order, db_col_text (st, 1), sizeof order);
		}
		db_reset (st);
		char *source = xasprintf ("%s:%d", name, lineno);
		int rc;
		if (parcel == 0) {
			st = db_prepare (db, "INSERT INTO tracking_unknown (at, source, tracking, event, detail)"
			    " VALUES (?1, ?2, ?3, ?4, ?5)");
			db_bind_int (st, 1, now_ms);
			db_bind_text (st, 2, source);
			db_bind_text (st, 3, number);
			db_bind_text (st, 4, status);
			db_bind_text (st, 5, v[4]);
			rc = db_step (st);
			db_reset (st);
			carrier_track_add (rep, &rep->unknown, &rep->nunknown, "%s: tracking number %s matches no parcel "
			    "(kept for a supervisor)", source, number);
		} else {
			st = db_prepare (db, "INSERT INTO tracking (parcel_id, at, event, detail, source, status, carrier_at,"
			    " location, signed_by, pod_image) VALUES (?1, ?2, ?3, ?4, ?5, ?3, ?6, ?7, ?8, ?9)");
			db_bind_int (st, 1, parcel);
			db_bind_int (st, 2, now_ms);
			db_bind_text (st, 3, status);
			db_bind_text (st, 4, v[4]);
			db_bind_text (st, 5, source);
			db_bind_text (st, 6, v[1]);
			db_bind_text (st, 7, v[3]);
			db_bind_text (st, 8, *v[5] ? v[5] : NULL);
			db_bind_text (st, 9, *v[6] ? v[6] : NULL);
			rc = db_step (st);
			db_reset (st);
			/* The parcel moves on (never back from delivered); the order follows its parcels. */
			const char *pstatus = strcmp (status, "delivered") == 0 ? "delivered" : "in_transit";
			st = db_prepare (db, "UPDATE parcels SET status = ?2 WHERE id = ?1 AND status IN ('closed', 'in_transit')");
			db_bind_int (st, 1, parcel);
			db_bind_text (st, 2, pstatus);
			if (rc == DB_DONE)
				rc = db_step (st);
			db_reset (st);
			st = db_prepare (db, "UPDATE orders SET status = CASE WHEN NOT EXISTS (SELECT 1 FROM parcels"
			    " WHERE order_ref = ?1 AND status NOT IN ('delivered', 'void')) THEN 'delivered' ELSE 'in_transit' END"
			    " WHERE ref = ?1 AND status IN ('closed', 'in_transit')");
			db_bind_text (st, 1, order);
			if (rc == DB_DONE)
				rc = db_step (st);
			db_reset (st);
			st = db_prepare (db, "INSERT INTO events (at, action, order_ref, parcel_id, code, detail)"
			    " VALUES (?1, 'track', ?2, ?3, ?4, ?5)");
			char *detail = xasprintf ("%s %s%s%s%s%s (%s)", status, v[1], *v[3] ? " at " : "", v[3],
			    *v[5] ? ", signed by " : "", v[5], source);
			db_bind_int (st, 1, now_ms);
			db_bind_text (st, 2, order);
			db_bind_int (st, 3, parcel);
			db_bind_text (st, 4, number);
			db_bind_text (st, 5, detail);
			if (rc == DB_DONE)
				rc = db_step (st);
			db_reset (st);
			free (detail);
			rep->matched++;
		}
		free (source);
		if (rc != DB_DONE)
			return -1;
		rep->events++;
	}
	if (!header)
		carrier_track_add (rep, &rep->errors, &rep->nerrors, "%s: empty: no header line", name);
	return rep->nerrors ? 1 : 0;
}

int
carrier_track_text (db_t *db, const char *name, char *text, int64_t now_ms, struct carrier_track_report *rep)
{
	return carrier_track_text_at (db, name, text, 1, now_ms, rep);
}

/* Append s to the CSV line as one quoted field (quotes doubled, line breaks made spaces). */
static void
carrier_track_csv_field (char **buf, size_t *len, size_t *cap, const char *s, bool first)
{
	size_t need = *len + 2 * strlen (s) + 4;
	if (need > *cap) {
		*cap = need * 2;
		*buf = xrealloc (*buf, *cap);
	}
	char *o = *buf + *len;
	if (!first)
		*o++ = ',';
	*o++ = '"';
	for (; *s; s++) {
		if (*s == '"')
			*o++ = '"';
		*o++ = *s == '\n' || *s == '\r' ? ' ' : *s;
	}
	*o++ = '"';
	*o = '\0';
	*len = (size_t) (o - *buf);
}

int
carrier_track_json (db_t *db, const char *name, const char *json, size_t size, int64_t now_ms,
    struct carrier_track_report *rep)
{
	static const char *const cols[] = { "tracking", "time", "status", "location", "detail", "signed_by", "pod_image" };
	memset (rep, 0, sizeof *rep);
	json_error_t jerr;
	json_t *root = json_loadb (json, size, 0, &jerr);
	json_t *list = json_is_array (root) ? root : json_object_get (root, "events");
	if (!json_is_array (list)) {
		carrier_track_add (rep, &rep->errors, &rep->nerrors, "%s: %s", name, root == NULL ? jerr.text
		    : "expected a list of tracking events, or {\"events\": [...]}");
		json_decref (root);
		return 1;
	}
	size_t cap = 4096, len = 0;
	char *text = xmalloc (cap);
	text[0] = '\0';
	for (size_t c = 0; c < nitems (cols); c++)
		carrier_track_csv_field (&text, &len, &cap, cols[c], c == 0);
	size_t i;
	json_t *ev;
	json_array_foreach (list, i, ev) {
		if (len + 2 > cap)
			text = xrealloc (text, cap *= 2);
		text[len++] = '\n';
		text[len] = '\0';
		if (!json_is_object (ev)) {
			carrier_track_add (rep, &rep->errors, &rep->nerrors, "%s:%zu: an event must be an object", name, i + 1);
			continue;
		}
		for (size_t c = 0; c < nitems (cols); c++) {
			json_t *v = json_object_get (ev, cols[c]);
			if (v != NULL && !json_is_string (v) && !json_is_null (v))
				carrier_track_add (rep, &rep->errors, &rep->nerrors, "%s:%zu: %s must be text", name, i + 1,
				    cols[c]);
			carrier_track_csv_field (&text, &len, &cap, json_is_string (v) ? json_string_value (v) : "", c == 0);
		}
	}
	json_decref (root);
	int rc = rep->nerrors ? 1 : carrier_track_text_at (db, name, text, 0, now_ms, rep);
	free (text);
	return rc;
}

int
carrier_track_file (db_t *db, const char *path, const char *name, int64_t now_ms, struct carrier_track_report *rep)
{
	memset (rep, 0, sizeof *rep);
	char *shown = text_escape (name, strlen (name));
	FILE *f = fopen (path, "rb");
	if (f == NULL) {
		carrier_track_add (rep, &rep->errors, &rep->nerrors, "%s: cannot read it: %s", shown, strerror (errno));
		free (shown);
		return 1;
	}
	size_t cap = 65536, len = 0, got;
	char *text = xmalloc (cap + 1);
	while ((got = fread (text + len, 1, cap - len, f)) > 0) {
		len += got;
		if (len == cap) {
			if (cap > CARRIER_TRACK_MAX_FILE)
				break;
			text = xrealloc (text, (cap *= 2) + 1);
		}
	}
	bool err = ferror (f) != 0;
	fclose (f);
	text[len] = '\0';
	int rc = 1;
	/* A NUL would end the text early and a byte that is not UTF-8 would be stored: neither is taken. Other
	 * control characters are found field by field, with the field's name. */
	struct text_fault fault = { .kind = TEXT_FAULT_NONE };
	for (size_t off = 0; off < len && text_check (text + off, len - off, TEXT_TAB | TEXT_NEWLINE, &fault) == false;) {
		fault.offset += off;
		if (fault.kind != TEXT_FAULT_CONTROL)
			break;
		off = fault.offset + 1;
		fault.kind = TEXT_FAULT_NONE;
	}
	if (err || len > CARRIER_TRACK_MAX_FILE) {
		carrier_track_add (rep, &rep->errors, &rep->nerrors, "%s: %s", shown, err ? strerror (errno)
		    : "larger than 16 MiB: split it into several files");
	} else if (fault.kind != TEXT_FAULT_NONE) {
		int line = 1;
		size_t start = 0;
		for (size_t i = 0; i < fault.offset; i++)
			if (text[i] == '\n') {
				line++;
				start = i + 1;
			}
		fault.offset -= start; /* the position in its line */
		char what[96];
		carrier_track_add (rep, &rep->errors, &rep->nerrors, "%s:%d: %s; send the file as UTF-8 text", shown, line,
		    text_fault_describe (&fault, what, sizeof what));
	} else {
		size_t i = 0;
		while (i < len && isspace ((unsigned char) text[i]))
			i++;
		if (i < len && (text[i] == '{' || text[i] == '['))
			rc = carrier_track_json (db, shown, text, len, now_ms, rep);
		else
			rc = carrier_track_text (db, shown, text, now_ms, rep);
	}
	free (text);
	free (shown);
	return rc;
}

void
carrier_track_report_free (struct carrier_track_report *rep)
{
	char **lists[] = { rep->errors, rep->warnings, rep->unknown };
	int ns[] = { rep->nerrors, rep->nwarnings, rep->nunknown };
	for (size_t l = 0; l < nitems (lists); l++) {
		for (int i = 0; i < ns[l]; i++)
			free (lists[l][i]);
		free (lists[l]);
	}
	memset (rep, 0, sizeof *rep);
}
