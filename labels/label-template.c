/*
 * label-template.c: fill a layout's text and barcode templates from a shipment.
 *
 *   {recipient.name}          a shipment field (dotted path; arrays join with newlines)
 *   {?recipient.company}      optional: empty if missing
 *   {@dpd}                    a layout variable (a template itself)
 *   {parcel.weight_kg|fixed:1}  filters, left to right (table below)
 *   {{ and }}                 literal braces
 */
#include "config.h"
#include "label-int.h"
#include "ident.h"
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct label_template_str {
	char *s;
	size_t len, cap;
};

static void
label_template_put (struct label_template_str *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xrealloc (b->s, b->cap);
	}
	memcpy (b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

typedef char *(label_template_filter_fn) (const char *value, const char *arg, char **why);

/* Case in every script: "Kraków" -> "KRAKÓW", "Łódź" -> "ŁÓDŹ", "straße" -> "STRASSE". */
static char *
label_template_upper (const char *v, const char *arg, char **why)
{
	(void) arg, (void) why;
	return label_text_upper (v);
}

static char *
label_template_lower (const char *v, const char *arg, char **why)
{
	(void) arg, (void) why;
	return label_text_lower (v);
}

static char *
label_template_nospace (const char *v, const char *arg, char **why)
{
	(void) arg, (void) why;
	return label_text_nospace (v);
}

/* Letters and digits only (a DPD barcode's postcode field: "00-916" -> "00916"). */
static char *
label_template_alnum (const char *v, const char *arg, char **why)
{
	(void) arg, (void) why;
	char *s = xstrdup (v), *q = s;
	for (const char *p = v; *p; p++)
		if (isalnum ((unsigned char) *p) || ((unsigned char) *p & 0x80))
			*q++ = *p;
	*q = '\0';
	return s;
}

/* Latin letters for a carrier whose systems take no other script. */
static char *
label_template_latin (const char *v, const char *arg, char **why)
{
	(void) arg;
	char *cause = NULL, *s = label_text_latin (v, &cause);
	if (s == NULL)
		*why = cause;
	return s;
}

/* "N" or "N:C": the width and the pad character (space by default). */
static int
label_template_pad_arg (const char *arg, char *pad, char **why)
{
	char *end;
	long n = arg ? strtol (arg, &end, 10) : -1;
	if (arg == NULL || end == arg || n < 0 || n > 1000 || (*end && (*end != ':' || end[1] == '\0'))) {
		*why = xasprintf ("pad filter needs a width, as in lpad:7:0");
		return -1;
	}
	*pad = *end == ':' ? end[1] : ' ';
	return (int) n;
}

static char *
label_template_lpad (const char *v, const char *arg, char **why)
{
	char pad;
	int n = label_template_pad_arg (arg, &pad, why);
	if (n < 0)
		return NULL;
	size_t chars = label_text_chars (v), len = strlen (v);
	if (chars >= (size_t) n)
		return xstrdup (v);
	size_t fill = (size_t) n - chars;
	char *s = xmalloc (fill + len + 1);
	memset (s, pad, fill);
	memcpy (s + fill, v, len + 1);
	return s;
}

static char *
label_template_rpad (const char *v, const char *arg, char **why)
{
	char pad;
	int n = label_template_pad_arg (arg, &pad, why);
	if (n < 0)
		return NULL;
	size_t chars = label_text_chars (v), len = strlen (v);
	if (chars >= (size_t) n)
		return xstrdup (v);
	size_t fill = (size_t) n - chars;
	char *s = xmalloc (len + fill + 1);
	memcpy (s, v, len);
	memset (s + len, pad, fill);
	s[len + fill] = '\0';
	return s;
}

static char *
label_template_max (const char *v, const char *arg, char **why)
{
	long n;
	if (arg == NULL || !util_parse_long (arg, 0, 100000, &n)) {
		*why = xstrdup ("max filter needs a length, as in max:35");
		return NULL;
	}
	/* Characters, not bytes: a Cyrillic name counts as many letters as it has. */
	if (label_text_chars (v) > (size_t) n) {
		*why = xasprintf ("is %zu characters, at most %ld fit", label_text_chars (v), n);
		return NULL;
	}
	return xstrdup (v);
}

/* The first N characters (MaxiCode's mode 3 postcode takes six). */
static char *
label_template_trunc (const char *v, const char *arg, char **why)
{
	long n;
	if (arg == NULL || !util_parse_long (arg, 0, 100000, &n)) {
		*why = xstrdup ("trunc filter needs a length, as in trunc:6");
		return NULL;
	}
	return xstrndup (v, (size_t) (label_text_skip (v, (size_t) n) - v));
}

static char *
label_template_fixed (const char *v, const char *arg, char **why)
{
	long n;
	char *end;
	if (arg == NULL || !util_parse_long (arg, 0, 6, &n)) {
		*why = xstrdup ("fixed filter needs a number of decimals, as in fixed:2");
		return NULL;
	}
	double d = strtod (v, &end);
	if (end == v || *end) {
		*why = xasprintf ("'%s' is not a number", v);
		return NULL;
	}
	return xasprintf ("%.*f", (int) n, d);
}

static char *
label_template_digits (const char *v, const char *arg, char **why)
{
	(void) arg;
	if (*v == '\0')
		goto bad;
	for (const char *p = v; *p; p++)
		if (!isdigit ((unsigned char) *p))
			goto bad;
	return xstrdup (v);
bad:
	*why = xasprintf ("'%s' must be digits", v);
	return NULL;
}

static char *
label_template_check (const char *v, const char *arg, char **why)
{
	char *cause = NULL;
	if (arg == NULL || ident_find (arg) == NULL) {
		*why = xasprintf ("check filter needs a scheme, not '%s'", arg ? arg : "");
		return NULL;
	}
	char c = ident_check (arg, v, &cause);
	if (c == 0) {
		*why = cause;
		return NULL;
	}
	return xasprintf ("%c", c);
}

/* ident:SCHEME[,SCHEME...]: the value must validate under one of them (FedEx Express or Ground). */
static char *
label_template_ident (const char *v, const char *arg, char **why)
{
	if (arg == NULL || *arg == '\0') {
		*why = xstrdup ("ident filter needs a scheme, as in ident:s10");
		return NULL;
	}
	char *schemes = xstrdup (arg), *save = NULL, *first = NULL;
	bool ok = false;
	for (char *sc = strtok_r (schemes, ",", &save); sc && !ok; sc = strtok_r (NULL, ",", &save)) {
		char *cause = NULL;
		if (ident_find (sc) == NULL) {
			*why = xasprintf ("ident filter needs a scheme, not '%s'", sc);
			free (first);
			free (schemes);
			return NULL;
		}
		/* A DPD parcel number has no check of its own: DPD's check character covers the
		 * whole barcode (check:dpd), so ident:dpd takes its 14 digits as they are. */
		ok = strcmp (sc, "dpd") == 0 && strlen (v) == 14 && strspn (v, "0123456789") == 14 ? true
		    : ident_validate (sc, v, &cause);
		if (!ok && first == NULL)
			first = xasprintf ("'%s' is not a valid %s identifier: %s", v, sc, cause);
		free (cause);
	}
	free (schemes);
	if (!ok) {
		*why = first;
		return NULL;
	}
	free (first);
	return xstrdup (v);
}

/* skip:N drops the first N characters (UPS's MaxiCode carries 1Z and the last eight of a 1Z number). */
static char *
label_template_skip (const char *v, const char *arg, char **why)
{
	long n;
	if (arg == NULL || !util_parse_long (arg, 0, 100000, &n)) {
		*why = xstrdup ("skip filter needs a length, as in skip:10");
		return NULL;
	}
	return xstrdup (label_text_skip (v, (size_t) n));
}

/* Kilograms as whole pounds, rounded up (UPS's MaxiCode weight, at most 999). */
static char *
label_template_pounds (const char *v, const char *arg, char **why)
{
	(void) arg;
	char *end;
	double kg = strtod (v, &end);
	if (end == v || *end || kg < 0 || kg > 453) {
		*why = xasprintf ("'%s' is not a weight in kilograms up to 453", v);
		return NULL;
	}
	long lb = (long) (kg / 0.45359237);
	if (lb * 0.45359237 < kg - 1e-9)
		lb++;
	return xasprintf ("%ld", lb < 1 ? 1 : lb);
}

/* A date YYYY-MM-DD as its day of the year, three digits (UPS's pickup day). */
static char *
label_template_julian (const char *v, const char *arg, char **why)
{
	(void) arg;
	static const int before[] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
	int y, m, d;
	char tail;
	if (sscanf (v, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 || d < 1 || d > 31) {
		*why = xasprintf ("'%s' is not a date YYYY-MM-DD", v);
		return NULL;
	}
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return xasprintf ("%03d", before[m - 1] + d + (leap && m > 2));
}

/* group:4,3,4 puts a space after 4 characters, then 3, then 4; the rest follows. */
static char *
label_template_group (const char *v, const char *arg, char **why)
{
	struct label_template_str b = { 0 };
	const char *p = v, *a = arg;
	if (arg == NULL || !isdigit ((unsigned char) *arg)) {
		*why = xstrdup ("group filter needs sizes, as in group:4,3,4");
		return NULL;
	}
	label_template_put (&b, "", 0);
	while (*p) {
		long n = a && *a ? strtol (a, (char **) &a, 10) : (long) label_text_chars (p);
		if (a && *a == ',')
			a++;
		const char *end = label_text_skip (p, n > 0 ? (size_t) n : 0);
		if (b.len)
			label_template_put (&b, " ", 1);
		label_template_put (&b, p, (size_t) (end - p));
		p = end;
		if (n <= 0)
			break;
	}
	return b.s;
}

static char *
label_template_default (const char *v, const char *arg, char **why)
{
	(void) why;
	return xstrdup (*v ? v : (arg ? arg : ""));
}

static const struct label_template_filter {
	const char *name;
	label_template_filter_fn *fn;
} label_template_filters[] = {
	{ "upper", label_template_upper },
	{ "latin", label_template_latin },
	{ "alnum", label_template_alnum },
	{ "julian", label_template_julian },
	{ "skip", label_template_skip },
	{ "pounds", label_template_pounds },
	{ "lower", label_template_lower },
	{ "nospace", label_template_nospace },
	{ "lpad", label_template_lpad },
	{ "rpad", label_template_rpad },
	{ "max", label_template_max },
	{ "trunc", label_template_trunc },
	{ "fixed", label_template_fixed },
	{ "digits", label_template_digits },
	{ "check", label_template_check },
	{ "ident", label_template_ident },
	{ "group", label_template_group },
	{ "default", label_template_default },
};

/* A JSON value as text; NULL for objects (a layout bug or a wrong field). */
static char *
label_template_value (const json_t *v)
{
	switch (json_typeof (v)) {
	case JSON_STRING:
		return xstrdup (json_string_value (v));
	case JSON_INTEGER:
		return xasprintf ("%lld", (long long) json_integer_value (v));
	case JSON_REAL:
		return xasprintf ("%g", json_real_value (v));
	case JSON_TRUE:
		return xstrdup ("yes");
	case JSON_FALSE:
		return xstrdup ("no");
	case JSON_NULL:
		return xstrdup ("");
	case JSON_ARRAY: {
		struct label_template_str b = { 0 };
		size_t i;
		json_t *e;
		label_template_put (&b, "", 0);
		json_array_foreach (v, i, e) {
			char *s = label_template_value (e);
			if (s == NULL) {
				free (b.s);
				return NULL;
			}
			if (i)
				label_template_put (&b, "\n", 1);
			label_template_put (&b, s, strlen (s));
			free (s);
		}
		return b.s;
	}
	default:
		return NULL;
	}
}

static const json_t *
label_template_lookup (const json_t *root, const char *path)
{
	const json_t *v = root;
	char *copy = xstrdup (path), *save = NULL;
	for (char *k = strtok_r (copy, ".", &save); k && v; k = strtok_r (NULL, ".", &save)) {
		if (json_is_array (v) && isdigit ((unsigned char) *k))
			v = json_array_get (v, strtoul (k, NULL, 10));
		else
			v = json_is_object (v) ? json_object_get (v, k) : NULL;
	}
	free (copy);
	return v;
}

const json_t *
label_template_lookup_at (const json_t *shipment, const char *path)
{
	return label_template_lookup (shipment, path);
}

char *
label_template_value_at (const json_t *shipment, const char *path)
{
	const json_t *v = label_template_lookup (shipment, path);
	return v ? label_template_value (v) : NULL;
}

static void
label_template_used (struct label_template_ctx *ctx, const char *path)
{
	char *old = ctx->fields;
	ctx->fields = old ? xasprintf ("%s, %s", old, path) : xstrdup (path);
	free (old);
}

static char *label_template_run (struct label_template_ctx *ctx, const char *tmpl, int depth, char **cause);

/* One "{...}" body: path, optional marker, filters. */
static char *
label_template_field (struct label_template_ctx *ctx, const char *body, int depth, char **cause)
{
	char *spec = xstrdup (body), *save = NULL;
	char *name = strtok_r (spec, "|", &save);
	char *value = NULL;
	if (name == NULL) {
		*cause = xasprintf ("%s: empty {} in the layout", ctx->element);
		goto out;
	}
	if (name[0] == '@') {
		const json_t *t = ctx->vars ? json_object_get (ctx->vars, name + 1) : NULL;
		if (!json_is_string (t) || depth > 8) {
			*cause = xasprintf ("%s: layout variable '%s' is not defined", ctx->element, name + 1);
			goto out;
		}
		value = label_template_run (ctx, json_string_value (t), depth + 1, cause);
		if (value == NULL)
			goto out;
	} else {
		bool optional = name[0] == '?';
		const char *path = name + optional;
		const json_t *v = label_template_lookup (ctx->shipment, path);
		label_template_used (ctx, path);
		if (v == NULL || json_is_null (v)) {
			if (!optional) {
				*cause = xasprintf ("shipment field '%s' is missing (needed by %s)", path, ctx->element);
				goto out;
			}
			value = xstrdup ("");
		} else if ((value = label_template_value (v)) == NULL) {
			*cause = xasprintf ("shipment field '%s' is an object, %s needs text or a number",
			    path, ctx->element);
			goto out;
		}
	}
	for (char *f = strtok_r (NULL, "|", &save); f; f = strtok_r (NULL, "|", &save)) {
		char *arg = strchr (f, ':');
		if (arg)
			*arg++ = '\0';
		const struct label_template_filter *flt = NULL;
		for (size_t i = 0; i < nitems (label_template_filters); i++)
			if (strcmp (label_template_filters[i].name, f) == 0)
				flt = &label_template_filters[i];
		if (flt == NULL) {
			*cause = xasprintf ("%s: unknown filter '%s' in the layout", ctx->element, f);
			free (value);
			value = NULL;
			goto out;
		}
		char *why = NULL, *next = flt->fn (value, arg, &why);
		free (value);
		value = next;
		if (value == NULL) {
			*cause = xasprintf ("shipment field '%s' (%s): %s", name[0] == '?' ? name + 1 : name,
			    ctx->element, why);
			free (why);
			goto out;
		}
	}
	if (ctx->isolate && depth == 0 && name[0] != '@' && value && *value) {
		/* Each line of a field in its own bidi isolate (FSI .. PDI): a phone number or a
		 * postcode keeps its order inside right-to-left text, and an Arabic name stays
		 * right-to-left inside a left-to-right line. */
		struct label_template_str b = { 0 };
		label_template_put (&b, "", 0);
		for (const char *p = value; *p;) {
			size_t len = strcspn (p, "\n");
			label_template_put (&b, LABEL_FSI, strlen (LABEL_FSI));
			label_template_put (&b, p, len);
			label_template_put (&b, LABEL_PDI, strlen (LABEL_PDI));
			p += len;
			if (*p == '\n')
				label_template_put (&b, p++, 1);
		}
		free (value);
		value = b.s;
	}
out:
	free (spec);
	return value;
}

static char *
label_template_run (struct label_template_ctx *ctx, const char *tmpl, int depth, char **cause)
{
	struct label_template_str b = { 0 };
	label_template_put (&b, "", 0);
	for (const char *p = tmpl; *p;) {
		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			label_template_put (&b, p, 1);
			p += 2;
			continue;
		}
		if (*p != '{') {
			const char *q = p;
			while (*q && *q != '{' && !(q[0] == '}' && q[1] == '}'))
				q++;
			label_template_put (&b, p, (size_t) (q - p));
			p = q;
			continue;
		}
		const char *end = strchr (p, '}');
		if (end == NULL) {
			*cause = xasprintf ("%s: '{' without '}' in the layout", ctx->element);
			free (b.s);
			return NULL;
		}
		char *body = xstrndup (p + 1, (size_t) (end - p - 1));
		char *v = label_template_field (ctx, body, depth, cause);
		free (body);
		if (v == NULL) {
			free (b.s);
			return NULL;
		}
		label_template_put (&b, v, strlen (v));
		free (v);
		p = end + 1;
	}
	return b.s;
}

char *
label_template_expand (struct label_template_ctx *ctx, const char *tmpl, char **cause)
{
	return label_template_run (ctx, tmpl, 0, cause);
}

bool
label_template_ident_checked (const char *tmpl, const char *field)
{
	size_t n = strlen (field);
	for (const char *p = strchr (tmpl, '{'); p; p = strchr (p + 1, '{')) {
		const char *body = p + 1 + (p[1] == '?');
		const char *end = strchr (body, '}');
		if (end == NULL || strncmp (body, field, n) != 0 || (body[n] != '|' && body[n] != '}'))
			continue;
		char *f = xstrndup (body, (size_t) (end - body));
		bool ok = strstr (f, "|ident:") != NULL;
		free (f);
		if (!ok)
			return false;
	}
	return true;
}

bool
label_template_is_static (const char *tmpl)
{
	for (const char *p = tmpl; *p; p++) {
		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			p++;
			continue;
		}
		if (*p == '{')
			return false;
	}
	return true;
}
