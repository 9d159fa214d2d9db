/*
 * hub-import.c: orders in from CSV and JSON (doc/orders.md). Both formats
 * become the same rows of named fields (one per order line), checked by one
 * set of rules, grouped into orders, compared with what the hub holds, and
 * written only when every row is good.
 */
#include "config.h"
#include "hub-import.h"
#include "hub-state.h"
#include "country.h"
#include "log.h"
#include "pan.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define IMP_MAX_ERRORS 200
#define IMP_MAX_FIELDS 32
#define IMP_MAX_FILE (64 * 1024 * 1024)

/* --- rows ---------------------------------------------------------------- */

struct hub_import_row {
	int lineno;
	int n;
	const char *k[IMP_MAX_FIELDS];
	char *v[IMP_MAX_FIELDS];
};

static const char *
hub_import_get (const struct hub_import_row *r, const char *key)
{
	for (int i = 0; i < r->n; i++)
		if (strcmp (r->k[i], key) == 0)
			return r->v[i];
	return "";
}

static void
hub_import_row_set (struct hub_import_row *r, const char *key, const char *value)
{
	if (r->n < IMP_MAX_FIELDS) {
		r->k[r->n] = key;
		r->v[r->n] = xstrdup (value);
		/* Every field passes here: a card number is masked before anything keeps it (pan.h). */
		if (pan_mask (r->v[r->n]) > 0)
			log_warn ("import: line %d: a card number in field '%s' was masked; card numbers are never stored, "
			    "ask the sender to leave them out", r->lineno, key);
		r->n++;
	}
}

static void
hub_import_row_clear (struct hub_import_row *r)
{
	for (int i = 0; i < r->n; i++)
		free (r->v[i]);
	r->n = 0;
}

/* The fields, in canonical order: the order's, then a line's. */
static const char *const hub_import_order_fields[] = {
	"order", "channel", "customer_name", "address_1", "address_2", "address_3", "town", "postcode", "country",
	"phone", "email", "loyalty", "service", "promise", "order_value",
};
static const char *const hub_import_line_fields[] = {
	"line", "sku", "description", "department", "quantity", "locations", "unit_weight_g", "line_value",
	"length_mm", "width_mm", "height_mm", "hs_code", "origin_country", "currency",
};
/* Line fields before the customs ones: an order without customs data keeps the hash it had. */
#define IMP_LINE_FIELDS_V4 11

/* --- the model ----------------------------------------------------------- */

struct hub_import_line {
	long no, quantity, weight_g, dims[3];
	int64_t value;
	char *f[nitems (hub_import_line_fields)];
};

struct hub_import_order {
	int lineno;
	int64_t value;
	char *f[nitems (hub_import_order_fields)];
	int nlines;
	struct hub_import_line *lines;
	bool bad;
	char hash[17];
};

struct hub_import_run {
	struct hub_import_report *rep;
	struct hub_import_order *orders;
	int n;
};

static void
hub_import_error (struct hub_import_run *imp, int lineno, const char *fmt, ...)
{
	struct hub_import_report *rep = imp->rep;
	if (rep->nerrors >= IMP_MAX_ERRORS)
		return;
	va_list ap;
	va_start (ap, fmt);
	char *why = xvasprintf (fmt, ap);
	va_end (ap);
	rep->errors = xrealloc (rep->errors, (size_t) (rep->nerrors + 1) * sizeof *rep->errors);
	rep->errors[rep->nerrors++] = lineno > 0 ? xasprintf ("line %d: %s", lineno, why) : xasprintf ("%s", why);
	free (why);
}

static void
hub_import_free (struct hub_import_run *imp)
{
	for (int i = 0; i < imp->n; i++) {
		struct hub_import_order *o = &imp->orders[i];
		for (size_t j = 0; j < nitems (o->f); j++)
			free (o->f[j]);
		for (int l = 0; l < o->nlines; l++)
			for (size_t j = 0; j < nitems (hub_import_line_fields); j++)
				free (o->lines[l].f[j]);
		free (o->lines);
	}
	free (imp->orders);
}

/* --- field rules --------------------------------------------------------- */

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

/* Text no longer than max, without control characters. */
static bool
hub_import_text_ok (const char *s, size_t max)
{
	if (strlen (s) > max)
		return false;
	for (; *s; s++)
		if ((unsigned char) *s < 0x20 || *s == 0x7f)
			return false;
	return true;
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
hub_import_check_customs (const struct hub_import_row *r)
{
	const char *hs = hub_import_get (r, "hs_code");
	size_t n = strlen (hs);
	if (*hs && (n < 6 || n > 10 || strspn (hs, "0123456789") != n))
		return "hs_code must be 6 to 10 digits (the tariff code, without dots or spaces)";
	const char *c = hub_import_get (r, "origin_country");
	if (*c && (strlen (c) != 2 || !isupper ((unsigned char) c[0]) || !isupper ((unsigned char) c[1])
	    || country_name (c) == NULL))
		return "origin_country must be an ISO 3166 2-letter code in capitals, like GB or CN";
	const char *cur = hub_import_get (r, "currency");
	char word[8];
	snprintf (word, sizeof word, " %.3s ", cur);
	if (*cur && (strlen (cur) != 3 || strspn (cur, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3
	    || strstr (hub_import_currencies, word) == NULL))
		return "currency must be an ISO 4217 code in capitals, like GBP, EUR or USD";
	return NULL;
}

/* The first thing wrong with the order part of a row, or NULL. why is a buffer for the text. */
static const char *
hub_import_check_order (const struct hub_import_row *r, char *why, size_t n, int64_t *value)
{
	static const struct {
		const char *field;
		size_t max;
		bool required;
	} texts[] = {
		{ "customer_name", 128, true }, { "address_1", 128, true }, { "address_2", 128, false },
		{ "address_3", 128, false }, { "town", 64, false }, { "postcode", 16, true }, { "phone", 32, false },
		{ "email", 128, false }, { "loyalty", 16, false },
	};
	if (!hub_import_ref_ok (hub_import_get (r, "order")))
		return "the order reference must be 1 to 32 letters, digits, '-' or '_'";
	if (!hub_import_in (hub_import_get (r, "channel"), hub_import_channels))
		return "channel must be till, personal-shopper, phone or web";
	for (size_t i = 0; i < nitems (texts); i++) {
		const char *v = hub_import_get (r, texts[i].field);
		if (texts[i].required && *v == '\0') {
			snprintf (why, n, "%s is missing", texts[i].field);
			return why;
		}
		if (!hub_import_text_ok (v, texts[i].max)) {
			snprintf (why, n, "%s is longer than %zu characters or holds control characters", texts[i].field,
			    texts[i].max);
			return why;
		}
	}
	const char *c = hub_import_get (r, "country");
	if (strlen (c) != 2 || !isupper ((unsigned char) c[0]) || !isupper ((unsigned char) c[1]))
		return "country must be a 2-letter ISO code in capitals, like GB";
	const char *e = hub_import_get (r, "email");
	if (*e && strchr (e, '@') == NULL)
		return "email has no '@'";
	const char *s = hub_import_get (r, "service");
	if (*s && !hub_import_in (s, hub_import_services))
		return "service must be standard, next-day, express or same-day";
	if (!hub_import_date_ok (hub_import_get (r, "promise")))
		return "promise must be a date like 2026-11-24";
	if (!hub_import_money (hub_import_get (r, "order_value"), value))
		return "order_value must be an amount in pounds like 129.99";
	return NULL;
}

static const char *
hub_import_check_line (const struct hub_import_row *r, char *why, size_t n, struct hub_import_line *l)
{
	static const struct {
		const char *field;
		long min, max;
		bool required;
		size_t off;
	} nums[] = {
		{ "line", 1, 999, true, offsetof (struct hub_import_line, no) },
		{ "quantity", 1, 999, true, offsetof (struct hub_import_line, quantity) },
		{ "unit_weight_g", 1, 100000, true, offsetof (struct hub_import_line, weight_g) },
		{ "length_mm", 1, 5000, false, offsetof (struct hub_import_line, dims[0]) },
		{ "width_mm", 1, 5000, false, offsetof (struct hub_import_line, dims[1]) },
		{ "height_mm", 1, 5000, false, offsetof (struct hub_import_line, dims[2]) },
	};
	for (size_t i = 0; i < nitems (nums); i++) {
		const char *v = hub_import_get (r, nums[i].field);
		long *out = (long *) ((char *) l + nums[i].off);
		*out = 0;
		if (*v == '\0' && !nums[i].required)
			continue;
		if (!util_parse_long (v, nums[i].min, nums[i].max, out)) {
			snprintf (why, n, "%s must be a whole number from %ld to %ld%s", nums[i].field, nums[i].min,
			    nums[i].max, *v ? "" : " (it is missing)");
			return why;
		}
	}
	const char *sku = hub_import_get (r, "sku");
	if (*sku == '\0' || !hub_import_text_ok (sku, 32) || strpbrk (sku, ";|"))
		return "sku must be 1 to 32 characters, without ';' or '|'";
	if (!hub_import_text_ok (hub_import_get (r, "description"), 128) || strchr (hub_import_get (r, "description"), '|'))
		return "description is longer than 128 characters or holds '|' or control characters";
	const char *dept = hub_import_get (r, "department");
	if (*dept == '\0' || !hub_import_text_ok (dept, 64) || strchr (dept, '|'))
		return "department must be 1 to 64 characters, without '|'";
	const char *locs = hub_import_get (r, "locations");
	if (*locs == '\0')
		return "locations is missing: say where the goods are (e.g. HOS-B12;STOCK-3)";
	int nloc = 0;
	for (const char *p = locs; *p;) {
		size_t len = strcspn (p, ";");
		if (len == 0 || len > 32 || ++nloc > 8)
			return "locations must be up to 8 codes of 1 to 32 characters, separated by ';'";
		p += len;
		if (*p == ';' && *++p == '\0')
			return "locations ends with ';'";
	}
	if (!hub_import_text_ok (locs, 300) || strchr (locs, '|'))
		return "locations holds '|' or control characters";
	if (!hub_import_money (hub_import_get (r, "line_value"), &l->value))
		return "line_value must be an amount in pounds like 49.50";
	return hub_import_check_customs (r);
}

/* Take one row (one order line) into the model. */
static void
hub_import_take_row (struct hub_import_run *imp, const struct hub_import_row *r)
{
	char buf[160];
	int64_t value = 0;
	const char *why = hub_import_check_order (r, buf, sizeof buf, &value);
	const char *ref = hub_import_get (r, "order");
	struct hub_import_order *o = NULL;
	for (int i = imp->n - 1; i >= 0 && why == NULL; i--)
		if (strcmp (imp->orders[i].f[0], ref) == 0) {
			o = &imp->orders[i];
			break;
		}
	if (why) {
		bool named = *ref && hub_import_ref_ok (ref);
		hub_import_error (imp, r->lineno, "%s%s%s", named ? ref : "", named ? ": " : "", why);
		for (int i = 0; i < imp->n; i++)
			if (strcmp (imp->orders[i].f[0], ref) == 0)
				imp->orders[i].bad = true;
		return;
	}
	if (o == NULL) {
		imp->orders = xrealloc (imp->orders, (size_t) (imp->n + 1) * sizeof *imp->orders);
		o = &imp->orders[imp->n++];
		memset (o, 0, sizeof *o);
		o->lineno = r->lineno;
		o->value = value;
		for (size_t j = 0; j < nitems (hub_import_order_fields); j++)
			o->f[j] = xstrdup (hub_import_get (r, hub_import_order_fields[j]));
		if (*o->f[12] == '\0') {
			free (o->f[12]);
			o->f[12] = xstrdup ("standard");
		}
	} else {
		for (size_t j = 0; j < nitems (hub_import_order_fields); j++) {
			const char *v = hub_import_get (r, hub_import_order_fields[j]);
			if (j == 12 && *v == '\0')
				v = "standard";
			if (strcmp (o->f[j], v) != 0) {
				hub_import_error (imp, r->lineno, "%s: %s differs from the same order's line %d", ref,
				    hub_import_order_fields[j], o->lineno);
				o->bad = true;
				return;
			}
		}
	}
	struct hub_import_line l;
	memset (&l, 0, sizeof l);
	if ((why = hub_import_check_line (r, buf, sizeof buf, &l)) != NULL) {
		hub_import_error (imp, r->lineno, "%s: %s", ref, why);
		o->bad = true;
		return;
	}
	for (int i = 0; i < o->nlines; i++)
		if (o->lines[i].no == l.no) {
			hub_import_error (imp, r->lineno, "%s: line %ld appears twice", ref, l.no);
			o->bad = true;
			return;
		}
	for (size_t j = 0; j < nitems (hub_import_line_fields); j++)
		l.f[j] = xstrdup (hub_import_get (r, hub_import_line_fields[j]));
	o->lines = xrealloc (o->lines, (size_t) (o->nlines + 1) * sizeof *o->lines);
	o->lines[o->nlines++] = l;
}

/* --- CSV (RFC 4180) ------------------------------------------------------ */

/* One record into fields; 1 a record, 0 the end, -1 an unterminated quote. */
static int
hub_import_csv_record (const char *t, size_t len, size_t *pos, int *lineno, char ***fields, int *nf)
{
	size_t p = *pos;
	*nf = 0;
	if (p >= len)
		return 0;
	size_t cap = 256, n = 0;
	char *buf = xmalloc (cap);
	for (;;) {
		/* one field */
		n = 0;
		bool quoted = p < len && t[p] == '"';
		if (quoted) {
			p++;
			for (;;) {
				if (p >= len) {
					free (buf);
					return -1;
				}
				if (t[p] == '"') {
					if (p + 1 < len && t[p + 1] == '"') {
						p += 2;
						if (n + 1 >= cap)
							buf = xrealloc (buf, cap *= 2);
						buf[n++] = '"';
						continue;
					}
					p++;
					break;
				}
				if (t[p] == '\n')
					(*lineno)++;
				if (n + 1 >= cap)
					buf = xrealloc (buf, cap *= 2);
				buf[n++] = t[p++];
			}
		}
		while (p < len && t[p] != ',' && t[p] != '\n' && t[p] != '\r') {
			if (n + 1 >= cap)
				buf = xrealloc (buf, cap *= 2);
			buf[n++] = t[p++];
		}
		buf[n] = '\0';
		*fields = xrealloc (*fields, (size_t) (*nf + 1) * sizeof **fields);
		(*fields)[(*nf)++] = xstrdup (buf);
		if (p < len && t[p] == ',') {
			p++;
			continue;
		}
		if (p < len && t[p] == '\r')
			p++;
		if (p < len && t[p] == '\n')
			p++;
		(*lineno)++;
		break;
	}
	free (buf);
	*pos = p;
	return 1;
}

static void
hub_import_csv_free (char **f, int n)
{
	for (int i = 0; i < n; i++)
		free (f[i]);
}

/* Trim spaces around a field (exports pad them). */
static char *
hub_import_trim (char *s)
{
	while (isspace ((unsigned char) *s))
		s++;
	size_t n = strlen (s);
	while (n > 0 && isspace ((unsigned char) s[n - 1]))
		s[--n] = '\0';
	return s;
}

static void
hub_import_csv (struct hub_import_run *imp, const char *t, size_t len)
{
	static const char *const required[] = { "order", "channel", "customer_name", "address_1", "postcode",
		"country", "line", "sku", "department", "quantity", "locations", "unit_weight_g" };
	size_t pos = 0;
	int lineno = 1, nf = 0, nh = 0, start;
	char **fields = NULL, **head = NULL;
	const char *cols[IMP_MAX_FIELDS];
	if (len >= 3 && memcmp (t, "\xef\xbb\xbf", 3) == 0)
		pos = 3; /* a byte-order mark from spreadsheet exports */
	/* Header: the first record that is not a comment. */
	for (;;) {
		start = lineno;
		int r = hub_import_csv_record (t, len, &pos, &lineno, &head, &nh);
		if (r <= 0) {
			hub_import_error (imp, start, r < 0 ? "a quoted field is not closed" : "the file is empty: expected a header "
			    "line naming the columns (see doc/orders.md)");
			hub_import_csv_free (head, nh);
			free (head);
			return;
		}
		if (nh > 0 && head[0][0] != '#')
			break;
		hub_import_csv_free (head, nh);
	}
	int nhead = nh; /* what to free: nh may be cut to IMP_MAX_FIELDS below */
	if (nh > IMP_MAX_FIELDS) {
		hub_import_error (imp, start, "more than %d columns", IMP_MAX_FIELDS);
		nh = IMP_MAX_FIELDS;
	}
	int header_line = start;
	for (int i = 0; i < nh; i++) {
		char *c = hub_import_trim (head[i]);
		cols[i] = NULL;
		for (size_t j = 0; j < nitems (hub_import_order_fields); j++)
			if (strcmp (c, hub_import_order_fields[j]) == 0)
				cols[i] = hub_import_order_fields[j];
		for (size_t j = 0; j < nitems (hub_import_line_fields); j++)
			if (strcmp (c, hub_import_line_fields[j]) == 0)
				cols[i] = hub_import_line_fields[j];
		if (cols[i] == NULL)
			hub_import_error (imp, header_line, "column '%.40s' is not one of the import columns (see doc/orders.md)", c);
		for (int k = 0; k < i; k++)
			if (cols[i] && cols[k] == cols[i])
				hub_import_error (imp, header_line, "column '%s' appears twice", c);
	}
	for (size_t j = 0; j < nitems (required); j++) {
		int i;
		for (i = 0; i < nh; i++)
			if (cols[i] && strcmp (cols[i], required[j]) == 0)
				break;
		if (i == nh)
			hub_import_error (imp, header_line, "the required column '%s' is missing", required[j]);
	}
	if (imp->rep->nerrors == 0) {
		for (;;) {
			start = lineno;
			int r = hub_import_csv_record (t, len, &pos, &lineno, &fields, &nf);
			if (r == 0)
				break;
			if (r < 0) {
				hub_import_error (imp, start, "a quoted field is not closed before the end of the file");
				hub_import_csv_free (fields, nf); /* the fields before the open quote */
				break;
			}
			bool blank = nf == 1 && *hub_import_trim (fields[0]) == '\0';
			if (!blank && fields[0][0] != '#') {
				if (nf != nh) {
					hub_import_error (imp, start, "%d fields where the header has %d", nf, nh);
				} else {
					struct hub_import_row row = { .lineno = start };
					for (int i = 0; i < nf; i++)
						hub_import_row_set (&row, cols[i], hub_import_trim (fields[i]));
					hub_import_take_row (imp, &row);
					hub_import_row_clear (&row);
				}
			}
			hub_import_csv_free (fields, nf);
		}
	}
	free (fields);
	hub_import_csv_free (head, nhead);
	free (head);
}

/* --- JSON ---------------------------------------------------------------- */

/* A JSON scalar as import text (strings as they are, numbers in plain form). */
static bool
hub_import_json_text (json_t *v, char *buf, size_t n)
{
	if (v == NULL || json_is_null (v))
		buf[0] = '\0';
	else if (json_is_string (v))
		util_strlcpy (buf, json_string_value (v), n);
	else if (json_is_integer (v))
		snprintf (buf, n, "%lld", (long long) json_integer_value (v));
	else if (json_is_real (v))
		snprintf (buf, n, "%.2f", json_real_value (v));
	else
		return false;
	return true;
}

/* The line where the k-th order object's "ref" key appears (1-based), for messages. */
static int
hub_import_json_lineno (const char *t, size_t len, int k)
{
	int line = 1, seen = 0;
	for (size_t i = 0; i + 5 <= len; i++) {
		if (t[i] == '\n')
			line++;
		else if (memcmp (t + i, "\"ref\"", 5) == 0 && ++seen == k)
			return line;
	}
	return 0;
}

static void
hub_import_json_order (struct hub_import_run *imp, json_t *o, int lineno, int index)
{
	char buf[1024];
	struct hub_import_row head = { .lineno = lineno };
	if (!json_is_object (o)) {
		hub_import_error (imp, lineno, "order %d is not a JSON object", index);
		return;
	}
	static const struct {
		const char *field, *key, *sub;
	} map[] = {
		{ "order", "ref", NULL }, { "channel", "channel", NULL }, { "customer_name", "customer", "name" },
		{ "town", "customer", "town" }, { "postcode", "customer", "postcode" },
		{ "country", "customer", "country" }, { "phone", "customer", "phone" },
		{ "email", "customer", "email" }, { "loyalty", "customer", "loyalty" },
		{ "service", "service", NULL }, { "promise", "promise", NULL }, { "order_value", "value", NULL },
	};
	for (size_t i = 0; i < nitems (map); i++) {
		json_t *v = json_object_get (o, map[i].key);
		if (map[i].sub)
			v = json_is_object (v) ? json_object_get (v, map[i].sub) : NULL;
		if (!hub_import_json_text (v, buf, sizeof buf)) {
			hub_import_error (imp, lineno, "order %d: %s must be a string or a number", index, map[i].sub ? map[i].sub
			    : map[i].key);
			hub_import_row_clear (&head); /* the fields read before this one */
			return;
		}
		hub_import_row_set (&head, map[i].field, buf);
	}
	json_t *addr = json_object_get (json_object_get (o, "customer"), "address");
	if (json_is_string (addr))
		hub_import_row_set (&head, "address_1", json_string_value (addr));
	else if (json_is_array (addr)) {
		static const char *const lines[] = { "address_1", "address_2", "address_3" };
		if (json_array_size (addr) > 3) {
			hub_import_error (imp, lineno, "order %d: address has more than 3 lines (put the town in \"town\")", index);
			hub_import_row_clear (&head);
			return;
		}
		for (size_t i = 0; i < json_array_size (addr); i++)
			if (hub_import_json_text (json_array_get (addr, i), buf, sizeof buf))
				hub_import_row_set (&head, lines[i], buf);
	}
	json_t *lines = json_object_get (o, "lines");
	if (!json_is_array (lines) || json_array_size (lines) == 0) {
		hub_import_error (imp, lineno, "order %d (%s): \"lines\" must be a list of at least one line", index,
		    hub_import_get (&head, "order"));
		hub_import_row_clear (&head);
		return;
	}
	for (size_t i = 0; i < json_array_size (lines); i++) {
		json_t *l = json_array_get (lines, i);
		struct hub_import_row row = head;
		/* The head's values are shared, not copied: clear only what is added. */
		int base = row.n;
		static const struct {
			const char *field, *key;
		} lmap[] = {
			{ "line", "line" }, { "sku", "sku" }, { "description", "description" },
			{ "department", "department" }, { "quantity", "quantity" }, { "unit_weight_g", "unit_weight_g" },
			{ "line_value", "value" }, { "hs_code", "hs_code" }, { "origin_country", "origin_country" },
			{ "currency", "currency" },
		};
		bool ok = json_is_object (l);
		for (size_t j = 0; ok && j < nitems (lmap); j++)
			if ((ok = hub_import_json_text (json_object_get (l, lmap[j].key), buf, sizeof buf)))
				hub_import_row_set (&row, lmap[j].field, buf);
		json_t *locs = ok ? json_object_get (l, "locations") : NULL;
		if (ok && json_is_array (locs)) {
			size_t n = 0;
			buf[0] = '\0';
			for (size_t j = 0; j < json_array_size (locs) && n < sizeof buf - 40; j++) {
				char one[64];
				if (!hub_import_json_text (json_array_get (locs, j), one, sizeof one))
					ok = false;
				n += (size_t) snprintf (buf + n, sizeof buf - n, "%s%s", j ? ";" : "", one);
			}
			hub_import_row_set (&row, "locations", buf);
		} else if (ok && hub_import_json_text (locs, buf, sizeof buf)) {
			hub_import_row_set (&row, "locations", buf);
		}
		json_t *dims = ok ? json_object_get (l, "dimensions_mm") : NULL;
		static const char *const dnames[] = { "length_mm", "width_mm", "height_mm" };
		for (size_t j = 0; ok && json_is_array (dims) && j < 3 && j < json_array_size (dims); j++)
			if (hub_import_json_text (json_array_get (dims, j), buf, sizeof buf))
				hub_import_row_set (&row, dnames[j], buf);
		if (!ok)
			hub_import_error (imp, lineno, "order %d (%s): line %zu is not an object of strings and numbers", index,
			    hub_import_get (&head, "order"), i + 1);
		else
			hub_import_take_row (imp, &row);
		for (int j = base; j < row.n; j++)
			free (row.v[j]);
	}
	hub_import_row_clear (&head);
}

static void
hub_import_json (struct hub_import_run *imp, const char *t, size_t len)
{
	json_error_t err;
	json_t *root = json_loadb (t, len, JSON_REJECT_DUPLICATES, &err);
	if (root == NULL) {
		hub_import_error (imp, err.line, "not valid JSON: %s", err.text);
		return;
	}
	json_t *orders = root;
	if (json_is_object (root) && json_object_get (root, "orders"))
		orders = json_object_get (root, "orders");
	if (json_is_object (orders) && json_object_get (orders, "ref")) {
		hub_import_json_order (imp, orders, hub_import_json_lineno (t, len, 1), 1);
	} else if (json_is_array (orders)) {
		for (size_t i = 0; i < json_array_size (orders); i++)
			hub_import_json_order (imp, json_array_get (orders, i), hub_import_json_lineno (t, len, (int) i + 1), (int) i + 1);
	} else {
		hub_import_error (imp, 1, "expected {\"orders\": [...]}, a list of orders or one order (see doc/orders.md)");
	}
	json_decref (root);
}

/* --- compare and write --------------------------------------------------- */

static int
hub_import_line_cmp (const void *a, const void *b)
{
	const struct hub_import_line *x = a, *y = b;
	return (x->no > y->no) - (x->no < y->no);
}

/* FNV-1a over the order's canonical fields: what "changed" means. */
static void
hub_import_hash (struct hub_import_order *o)
{
	uint64_t h = 1469598103934665603ULL;
	qsort (o->lines, (size_t) o->nlines, sizeof *o->lines, hub_import_line_cmp);
	for (int part = -1; part < o->nlines; part++) {
		char **f = part < 0 ? o->f : o->lines[part].f;
		size_t nf = part < 0 ? nitems (hub_import_order_fields) : nitems (hub_import_line_fields);
		for (size_t i = 0; i < nf; i++) {
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

/*
 * A received order whose copy differs from the hub's only in the lines'
 * customs fields (hs_code, origin_country, currency), and that has no label
 * yet: true. The copy is hashed with the hub's customs values in place of its
 * own; the same hash as the hub's means nothing else changed.
 */
static bool
hub_import_customs_only (db_t *db, struct hub_import_order *o, const char *stored_hash)
{
	db_stmt_t *st = db_prepare (db, "SELECT count(*) FROM parcels WHERE order_ref = ?1 AND status != 'void'"
	    " AND labelled_at IS NOT NULL");
	db_bind_text (st, 1, o->f[0]);
	bool labelled = db_step (st) != DB_ROW || db_col_int (st, 0) > 0;
	db_reset (st);
	if (labelled)
		return false;
	char *(*mine)[3] = xcalloc ((size_t) o->nlines + 1, sizeof *mine);
	char hash[sizeof o->hash], stored[sizeof o->hash];
	util_strlcpy (stored, stored_hash, sizeof stored);
	bool found = true;
	int n = 0;
	st = db_prepare (db, "SELECT coalesce (hs_code, ''), coalesce (origin_country, ''), coalesce (currency, '')"
	    " FROM order_lines WHERE order_ref = ?1 AND line_no = ?2");
	for (; n < o->nlines && found; n++) {
		struct hub_import_line *l = &o->lines[n];
		db_bind_text (st, 1, o->f[0]);
		db_bind_int (st, 2, l->no);
		found = db_step (st) == DB_ROW;
		for (int k = 0; k < 3; k++) {
			mine[n][k] = l->f[IMP_LINE_FIELDS_V4 + k];
			l->f[IMP_LINE_FIELDS_V4 + k] = xstrdup (found ? db_col_text (st, k) : "");
		}
		db_reset (st);
	}
	util_strlcpy (hash, o->hash, sizeof hash);
	hub_import_hash (o); /* the lines are in order already: the sort keeps them */
	bool same = found && n == o->nlines && strcmp (o->hash, stored) == 0;
	for (int i = 0; i < n; i++)
		for (int k = 0; k < 3; k++) {
			free (o->lines[i].f[IMP_LINE_FIELDS_V4 + k]);
			o->lines[i].f[IMP_LINE_FIELDS_V4 + k] = mine[i][k];
		}
	free (mine);
	util_strlcpy (o->hash, hash, sizeof o->hash);
	return same;
}

/* The customs fields of a received order's lines, each change an event in the audit trail. */
static int
hub_import_write_customs (db_t *db, struct hub_import_order *o, const char *source, int64_t now_ms)
{
	static const char *const names[3] = { "hs_code", "origin_country", "currency" };
	db_stmt_t *get = db_prepare (db, "SELECT coalesce (hs_code, ''), coalesce (origin_country, ''),"
	    " coalesce (currency, '') FROM order_lines WHERE order_ref = ?1 AND line_no = ?2");
	for (int i = 0; i < o->nlines; i++) {
		struct hub_import_line *l = &o->lines[i];
		char detail[400] = "", was[3][64];
		db_bind_text (get, 1, o->f[0]);
		db_bind_int (get, 2, l->no);
		if (db_step (get) != DB_ROW) {
			db_reset (get);
			return -1;
		}
		for (int k = 0; k < 3; k++)
			util_strlcpy (was[k], db_col_text (get, k), sizeof was[k]);
		db_reset (get);
		for (int k = 0; k < 3; k++) {
			const char *now = l->f[IMP_LINE_FIELDS_V4 + k];
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
		db_bind_text (st, 1, o->f[0]);
		db_bind_int (st, 2, l->no);
		for (int k = 0; k < 3; k++)
			db_bind_text (st, 3 + k, l->f[IMP_LINE_FIELDS_V4 + k]);
		int rc = db_step (st);
		db_reset (st);
		if (rc != DB_DONE)
			return -1;
		st = db_prepare (db, "INSERT INTO events (at, action, order_ref, line_no, code, detail)"
		    " VALUES (?1, 'customs', ?2, ?3, ?4, ?5)");
		db_bind_int (st, 1, now_ms);
		db_bind_text (st, 2, o->f[0]);
		db_bind_int (st, 3, l->no);
		db_bind_text (st, 4, source);
		db_bind_text (st, 5, detail);
		rc = db_step (st);
		db_reset (st);
		if (rc != DB_DONE)
			return -1;
	}
	db_stmt_t *st = db_prepare (db, "UPDATE orders SET content_hash = ?2, source = ?3, updated_at = ?4 WHERE ref = ?1");
	db_bind_text (st, 1, o->f[0]);
	db_bind_text (st, 2, o->hash);
	db_bind_text (st, 3, source);
	db_bind_int (st, 4, now_ms);
	int rc = db_step (st);
	db_reset (st);
	return rc == DB_DONE ? 0 : -1;
}

static int
hub_import_write_order (db_t *db, struct hub_import_order *o, bool update, const char *source, int64_t now_ms)
{
	db_stmt_t *st;
	if (update) {
		st = db_prepare (db, "DELETE FROM order_lines WHERE order_ref = ?1");
		db_bind_text (st, 1, o->f[0]);
		if (db_step (st) != DB_DONE)
			return -1;
		db_reset (st);
	}
	st = db_prepare (db,
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
	st = db_prepare (db,
	    "INSERT INTO order_lines (order_ref, line_no, sku, description, department, quantity, locations,"
	    " unit_weight_g, value_pence, length_mm, width_mm, height_mm, hs_code, origin_country, currency)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)");
	for (int i = 0; i < o->nlines; i++) {
		struct hub_import_line *l = &o->lines[i];
		db_reset (st);
		db_bind_text (st, 1, o->f[0]);
		db_bind_int (st, 2, l->no);
		db_bind_text (st, 3, l->f[1]);
		db_bind_text (st, 4, l->f[2]);
		db_bind_text (st, 5, l->f[3]);
		db_bind_int (st, 6, l->quantity);
		db_bind_text (st, 7, l->f[5]);
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
			db_bind_text (st, 13 + k, l->f[IMP_LINE_FIELDS_V4 + k]);
		rc = db_step (st);
		if (rc != DB_DONE)
			return -1;
	}
	db_reset (st);
	return 0;
}

int
hub_import_text (db_t *db, const char *name, const char *text, size_t len, int64_t now_ms,
    struct hub_import_report *rep)
{
	memset (rep, 0, sizeof *rep);
	struct hub_import_run imp = { .rep = rep };
	size_t i = 0;
	while (i < len && isspace ((unsigned char) text[i]))
		i++;
	if (i < len && (text[i] == '{' || text[i] == '['))
		hub_import_json (&imp, text, len);
	else
		hub_import_csv (&imp, text, len);
	if (rep->nerrors == 0 && imp.n == 0)
		hub_import_error (&imp, 0, "no orders in the file");

	/* What each order is to the hub: new, unchanged, an update, or refused. */
	enum { IMP_NEW, IMP_SAME, IMP_UPDATE, IMP_CUSTOMS } *what = xcalloc ((size_t) imp.n + 1, sizeof *what);
	for (int k = 0; k < imp.n; k++) {
		struct hub_import_order *o = &imp.orders[k];
		if (o->bad)
			continue;
		hub_import_hash (o);
		db_stmt_t *st = db_prepare (db, "SELECT status, content_hash FROM orders WHERE ref = ?1");
		db_bind_text (st, 1, o->f[0]);
		if (db_step (st) == DB_ROW) {
			if (strcmp (db_col_text (st, 1), o->hash) == 0)
				what[k] = IMP_SAME;
			else if (hub_state_order_parse (db_col_text (st, 0)) == ORDER_NEW)
				what[k] = IMP_UPDATE;
			else if (hub_import_customs_only (db, o, db_col_text (st, 1)))
				what[k] = IMP_CUSTOMS; /* customs data after receive: allowed until labelled */
			else
				hub_import_error (&imp, o->lineno, "%s has changed, but despatch already has it (%s): the change is "
				    "refused. Tell despatch; a supervisor can hold it", o->f[0], db_col_text (st, 0));
		}
		db_reset (st);
		for (int j = 0; j < k; j++)
			if (strcmp (imp.orders[j].f[0], o->f[0]) == 0 && !imp.orders[j].bad)
				hub_import_error (&imp, o->lineno, "%s appears twice in the file", o->f[0]);
	}
	rep->orders = imp.n;
	int rc = 0;
	if (rep->nerrors > 0) {
		rc = 1;
	} else if (db_exec (db, "SAVEPOINT import") != DB_DONE) {
		rc = -1;
	} else {
		for (int k = 0; k < imp.n && rc == 0; k++) {
			if (what[k] == IMP_SAME) {
				rep->unchanged++;
				continue;
			}
			if (what[k] == IMP_CUSTOMS ? hub_import_write_customs (db, &imp.orders[k], name, now_ms) != 0
			    : hub_import_write_order (db, &imp.orders[k], what[k] == IMP_UPDATE, name, now_ms) != 0)
				rc = -1;
			else if (what[k] == IMP_UPDATE || what[k] == IMP_CUSTOMS)
				rep->updated++;
			else
				rep->created++;
		}
		if (rc == 0) {
			db_stmt_t *st = db_prepare (db, "INSERT INTO imports (at, source, orders, created, updated, unchanged)"
			    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
			db_bind_int (st, 1, now_ms);
			db_bind_text (st, 2, name);
			db_bind_int (st, 3, rep->orders);
			db_bind_int (st, 4, rep->created);
			db_bind_int (st, 5, rep->updated);
			db_bind_int (st, 6, rep->unchanged);
			if (db_step (st) != DB_DONE)
				rc = -1;
			db_reset (st);
		}
		if (rc != 0) {
			log_error ("import of %s failed: %s", name, db_errmsg (db));
			hub_import_error (&imp, 0, "the hub could not write its database (%s); nothing was imported", db_errmsg (db));
			db_exec (db, "ROLLBACK TO import");
			rep->created = rep->updated = rep->unchanged = 0;
		}
		db_exec (db, "RELEASE import");
	}
	free (what);
	hub_import_free (&imp);
	return rc;
}

int
hub_import_file (db_t *db, const char *path, int64_t now_ms, struct hub_import_report *rep)
{
	FILE *f = fopen (path, "rb");
	memset (rep, 0, sizeof *rep);
	struct hub_import_run imp = { .rep = rep };
	if (f == NULL) {
		hub_import_error (&imp, 0, "%s: %s", path, strerror (errno));
		return 1;
	}
	size_t cap = 65536, len = 0, n;
	char *buf = xmalloc (cap);
	while ((n = fread (buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap) {
			if (cap >= IMP_MAX_FILE)
				break;
			buf = xrealloc (buf, cap *= 2);
		}
	}
	bool err = ferror (f) != 0, big = len >= IMP_MAX_FILE;
	fclose (f);
	if (err || big) {
		hub_import_error (&imp, 0, "%s: %s", path, big ? "larger than 64 MiB: split the export" : strerror (errno));
		free (buf);
		return 1;
	}
	const char *base = strrchr (path, '/');
	int rc = hub_import_text (db, base ? base + 1 : path, buf, len, now_ms, rep);
	free (buf);
	return rc;
}

void
hub_import_report_free (struct hub_import_report *rep)
{
	for (int i = 0; i < rep->nerrors; i++)
		free (rep->errors[i]);
	free (rep->errors);
	memset (rep, 0, sizeof *rep);
}

/* --- the inbox ----------------------------------------------------------- */

static bool
hub_import_inbox_name_ok (const char *name)
{
	size_t n = strlen (name);
	if (name[0] == '.')
		return false;
	return (n > 4 && strcmp (name + n - 4, ".csv") == 0) || (n > 5 && strcmp (name + n - 5, ".json") == 0);
}

int
hub_import_inbox (db_t *db, const char *dir)
{
	DIR *d = opendir (dir);
	if (d == NULL)
		return 0;
	int taken = 0;
	struct dirent *e;
	while ((e = readdir (d)) != NULL) {
		if (!hub_import_inbox_name_ok (e->d_name))
			continue;
		char *path = xasprintf ("%s/%s", dir, e->d_name);
		struct stat sb;
		if (stat (path, &sb) != 0 || !S_ISREG (sb.st_mode) || db_begin (db) != DB_DONE) {
			free (path);
			continue;
		}
		struct hub_import_report rep;
		int rc = hub_import_file (db, path, util_wall_ms (), &rep);
		if (rc == 0 && db_commit (db) != DB_DONE)
			rc = -1;
		if (rc != 0)
			db_rollback (db);
		if (rc < 0) {
			/* The database, not the file: leave it for the next look. */
			log_error ("inbox %s: not imported, will retry: %s", path, db_errmsg (db));
		} else {
			const char *to = rc == 0 ? "done" : "failed";
			char *sub = xasprintf ("%s/%s", dir, to);
			char *dest = xasprintf ("%s/%s", sub, e->d_name);
			util_mkdirs (sub, 0755);
			if (rename (path, dest) != 0)
				log_error ("inbox: cannot move %s to %s: %s", path, dest, strerror (errno));
			if (rc == 0) {
				log_info ("inbox %s: %d orders (%d new, %d updated, %d unchanged)", e->d_name, rep.orders,
				    rep.created, rep.updated, rep.unchanged);
			} else {
				char *epath = xasprintf ("%s.errors", dest);
				FILE *f = fopen (epath, "w");
				for (int i = 0; f && i < rep.nerrors; i++)
					fprintf (f, "%s: %s\n", e->d_name, rep.errors[i]);
				if (f)
					fclose (f);
				log_warn ("inbox %s: refused, nothing imported (%d problems, see %s)", e->d_name, rep.nerrors,
				    epath);
				free (epath);
			}
			free (sub);
			free (dest);
			taken++;
		}
		hub_import_report_free (&rep);
		free (path);
	}
	closedir (d);
	return taken;
}
