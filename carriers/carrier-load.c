/*
 * carrier-load.c: carrier files and rules.conf read and checked (format in
 * doc/carriers.md), and the database brought into line with them.
 *
 * The format is INI-like so that every mistake has a line: "[section
 * argument]" opens a definition, "key = value" fills it, '#' starts a
 * comment. Each section kind has a table of keys (type, limits, where the
 * value goes); checks that need the whole file (a rate for an unknown zone,
 * a rule naming an unknown service) report the line of the key that refers.
 */
#include "config.h"
#include "carrier-int.h"
#include "carrier-manifest.h"
#include "labels/ident.h"
#include "labels/label.h"
#include "log.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <jansson.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>


/* ------------------------------------------------------------ key tables */

enum carrier_ktype {
	CK_TEXT,    /* any printable text */
	CK_WORD,    /* [a-z0-9._-] */
	CK_INT,     /* whole number in [min,max] */
	CK_TIME,    /* HH:MM -> minutes */
	CK_LIST,    /* words, or "*" when star is allowed */
	CK_BOOL,    /* yes / no */
	CK_ENUM,    /* one of the words in .choices */
};

struct carrier_key {
	const char *name;
	enum carrier_ktype type;
	size_t off, size;   /* where the value goes; size of the char array or of the integer */
	long long min, max;
	const char *choices; /* CK_ENUM: " a b c "; CK_LIST: "*" when "*" is allowed, "," for comma-separated
	                      * names that may hold spaces; CK_INT: the unit */
	bool required;
};

#define CK(st, key, type, member, min, max, choices, req) \
	{ key, type, offsetof (struct st, member), sizeof (((struct st *) 0)->member), min, max, choices, req }

static const struct carrier_key carrier_keys_carrier[] = {
	CK (carrier, "code", CK_WORD, code, 0, 0, NULL, true),
	CK (carrier, "name", CK_TEXT, name, 0, 0, NULL, true),
	CK (carrier, "scheme", CK_WORD, scheme, 0, 0, NULL, true),
	CK (carrier, "layout", CK_WORD, layout, 0, 0, NULL, true),
	CK (carrier, "manifest", CK_ENUM, manifest, 0, 0, " csv fixed route ", true),
	CK (carrier, "manifest-fields", CK_LIST, manifest_fields, 0, 0, NULL, true),
	CK (carrier, "cutoff", CK_TIME, cutoff_min, 0, 0, NULL, false),
	CK (carrier, "autoclose", CK_BOOL, autoclose, 0, 0, NULL, false),
	CK (carrier, "depot", CK_WORD, depot, 0, 0, NULL, false),
	CK (carrier, "origin", CK_WORD, origin, 0, 0, NULL, false),
	CK (carrier, "product", CK_WORD, product, 0, 0, NULL, false),
	CK (carrier, "piece-prefix", CK_WORD, piece_prefix, 0, 0, NULL, false),
	{ NULL, 0, 0, 0, 0, 0, NULL, false },
};

static const struct carrier_key carrier_keys_service[] = {
	CK (carrier_service, "name", CK_TEXT, name, 0, 0, NULL, true),
	CK (carrier_service, "label-code", CK_WORD, label_code, 0, 0, NULL, true),
	CK (carrier_service, "label-name", CK_TEXT, label_name, 0, 0, NULL, true),
	CK (carrier_service, "label-class", CK_WORD, label_class, 0, 0, NULL, false),
	CK (carrier_service, "days", CK_INT, days, 0, 30, "days", true),
	CK (carrier_service, "cutoff", CK_TIME, cutoff_min, 0, 0, NULL, false),
	CK (carrier_service, "countries", CK_LIST, countries, 0, 0, "*", true),
	CK (carrier_service, "requested", CK_LIST, requested, 0, 0, "*", true),
	CK (carrier_service, "max-weight", CK_INT, max_weight_g, 1, 1000000, "grams", true),
	CK (carrier_service, "max-length", CK_INT, max_length_mm, 1, 10000, "mm", false),
	CK (carrier_service, "rank", CK_INT, rank, 0, 100000, "", true),
	CK (carrier_service, "customs", CK_ENUM, customs, 0, 0, " none cn22 cn23 invoice ", false),
	CK (carrier_service, "customs-free", CK_LIST, customs_free, 0, 0, NULL, false),
	{ NULL, 0, 0, 0, 0, 0, NULL, false },
};

static const struct carrier_key carrier_keys_range[] = {
	CK (carrier_range, "scheme", CK_WORD, scheme, 0, 0, NULL, true),
	CK (carrier_range, "prefix", CK_WORD, prefix, 0, 0, NULL, false),
	CK (carrier_range, "first", CK_INT, first, 0, 999999999999LL, "", true),
	CK (carrier_range, "last", CK_INT, last, 0, 999999999999LL, "", true),
	CK (carrier_range, "low-water", CK_INT, low_water, 0, 999999999999LL, "", false),
	{ NULL, 0, 0, 0, 0, 0, NULL, false },
};

static const struct carrier_key carrier_keys_cage[] = {
	CK (carrier_cage, "name", CK_TEXT, name, 0, 0, NULL, true),
	{ NULL, 0, 0, 0, 0, 0, NULL, false },
};

static const struct carrier_key carrier_keys_zone[] = {
	CK (carrier_zone, "countries", CK_LIST, countries, 0, 0, "*", true),
	CK (carrier_zone, "postcodes", CK_LIST, postcodes, 0, 0, "*", false),
	{ NULL, 0, 0, 0, 0, 0, NULL, false },
};

static const struct carrier_key carrier_keys_surcharge[] = {
	CK (carrier_surcharge, "services", CK_LIST, services, 0, 0, "*", false),
	CK (carrier_surcharge, "zones", CK_LIST, zones, 0, 0, "*", false),
	CK (carrier_surcharge, "min-weight", CK_INT, min_weight_g, 0, 1000000, "grams", false),
	CK (carrier_surcharge, "min-value", CK_INT, min_value_pence, 0, 100000000, "pence", false),
	CK (carrier_surcharge, "pence", CK_INT, pence, 0, 1000000, "pence", false),
	CK (carrier_surcharge, "percent", CK_INT, percent, 0, 100, "percent", false),
	{ NULL, 0, 0, 0, 0, 0, NULL, false },
};

/* tracking and sscc (the key's template) are carrier_load_symbol_key's. */
static const struct carrier_key carrier_keys_symbol[] = {
	CK (carrier_symbol, "name", CK_TEXT, name, 0, 0, NULL, true),
	CK (carrier_symbol, "match", CK_TEXT, match, 0, 0, NULL, false),
	CK (carrier_symbol, "ais", CK_LIST, ais, 0, 0, NULL, false),
	CK (carrier_symbol, "instead", CK_WORD, instead, 0, 0, NULL, false),
	{ NULL, 0, 0, 0, 0, 0, NULL, false },
};

static const struct carrier_key carrier_keys_rule[] = {
	CK (carrier_rule, "country", CK_LIST, country, 0, 0, NULL, false),
	CK (carrier_rule, "not-country", CK_LIST, not_country, 0, 0, NULL, false),
	CK (carrier_rule, "postcode", CK_LIST, postcode, 0, 0, NULL, false),
	CK (carrier_rule, "department", CK_LIST, department, 0, 0, ",", false),  /* names may hold spaces */
	CK (carrier_rule, "tier", CK_LIST, tier, 0, 0, NULL, false),
	CK (carrier_rule, "service", CK_LIST, service, 0, 0, NULL, false),
	CK (carrier_rule, "min-weight", CK_INT, min_weight_g, 0, 1000000, "grams", false),
	CK (carrier_rule, "max-weight", CK_INT, max_weight_g, 1, 1000000, "grams", false),
	CK (carrier_rule, "min-length", CK_INT, min_length_mm, 1, 10000, "mm", false),
	CK (carrier_rule, "min-value", CK_INT, min_value_pence, 0, 100000000, "pence", false),
	CK (carrier_rule, "max-value", CK_INT, max_value_pence, 0, 100000000, "pence", false),
	CK (carrier_rule, "meet-promise", CK_BOOL, meet_promise, 0, 0, NULL, false),
	{ NULL, 0, 0, 0, 0, 0, NULL, false },  /* promise, choose, among: carrier_load_rule_key */
};

/* ------------------------------------------------------------ the parser */

enum carrier_section {
	CS_NONE, CS_CARRIER, CS_SERVICE, CS_RANGE, CS_CAGE, CS_ZONE, CS_RATES, CS_SURCHARGE, CS_RULE, CS_SYMBOL
};

static const struct {
	const char *name;
	enum carrier_section kind;
	bool arg;             /* takes "[kind ARG]" */
	bool in_rules;        /* allowed in rules.conf */
	const struct carrier_key *keys;
} carrier_sections[] = {
	{ "carrier", CS_CARRIER, false, false, carrier_keys_carrier },
	{ "service", CS_SERVICE, true, false, carrier_keys_service },
	{ "range", CS_RANGE, false, false, carrier_keys_range },
	{ "cage", CS_CAGE, true, false, carrier_keys_cage },
	{ "zone", CS_ZONE, true, false, carrier_keys_zone },
	{ "rates", CS_RATES, true, false, NULL },
	{ "surcharge", CS_SURCHARGE, true, false, carrier_keys_surcharge },
	{ "rule", CS_RULE, true, true, carrier_keys_rule },
	{ "symbol", CS_SYMBOL, true, false, carrier_keys_symbol },
};

struct carrier_parse {
	carrier_set_t *set;
	const char *file;    /* owned by set */
	int line;
	bool rules_file;
	struct carrier *c;   /* the file's carrier (NULL in rules.conf) */
	enum carrier_section kind;
	void *obj;           /* the definition being filled */
	const struct carrier_key *keys;
	unsigned seen;       /* bit per key of keys */
	int section_line;
	char *cause;
};

static int
carrier_load_fail (struct carrier_parse *p, int line, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));

static int
carrier_load_fail (struct carrier_parse *p, int line, const char *fmt, ...)
{
	va_list ap;
	va_start (ap, fmt);
	char *msg = xvasprintf (fmt, ap);
	va_end (ap);
	free (p->cause);
	p->cause = xasprintf ("%s:%d: %s", p->file, line, msg);
	free (msg);
	return -1;
}

static bool
carrier_load_word_ok (const char *v)
{
	if (*v == '\0')
		return false;
	for (; *v; v++)
		if (!isalnum ((unsigned char) *v) && !strchr ("._-/", *v))
			return false;
	return true;
}

static int
carrier_load_value (struct carrier_parse *p, const struct carrier_key *k, const char *v)
{
	char *dst = (char *) p->obj + k->off;
	switch (k->type) {
	case CK_TEXT:
		if (*v == '\0' || strlen (v) >= k->size)
			return carrier_load_fail (p, p->line, "%s must be 1 to %zu characters", k->name, k->size - 1);
		for (const char *s = v; *s; s++)
			if ((unsigned char) *s < ' ')
				return carrier_load_fail (p, p->line, "%s holds a control character", k->name);
		util_strlcpy (dst, v, k->size);
		return 0;
	case CK_WORD:
		if (!carrier_load_word_ok (v) || strlen (v) >= k->size)
			return carrier_load_fail (p, p->line, "%s must be one word of 1 to %zu letters, digits, '.', '_', '-' "
			    "or '/', not '%s'", k->name, k->size - 1, v);
		util_strlcpy (dst, v, k->size);
		return 0;
	case CK_ENUM: {
		char pad[64];
		snprintf (pad, sizeof pad, " %s ", v);
		if (*v == '\0' || strchr (v, ' ') || strstr (k->choices, pad) == NULL)
			return carrier_load_fail (p, p->line, "%s must be one of%.*s, not '%s'", k->name,
			    (int) strlen (k->choices) - 1, k->choices, v);
		util_strlcpy (dst, v, k->size);
		return 0;
	}
	case CK_INT: {
		long x;
		if (!util_parse_long (v, (long) k->min, (long) k->max, &x))
			return carrier_load_fail (p, p->line, "%s must be a whole number%s%s from %lld to %lld, not '%s'", k->name,
			    *k->choices ? " of " : "", k->choices, k->min, k->max, v);
		if (k->size == sizeof (int64_t))
			*(int64_t *) (void *) dst = x;
		else
			*(int *) (void *) dst = (int) x;
		return 0;
	}
	case CK_TIME: {
		int h, m;
		char tail;
		if (sscanf (v, "%2d:%2d%c", &h, &m, &tail) != 2 || strlen (v) != 5 || h > 23 || m > 59 || h < 0 || m < 0)
			return carrier_load_fail (p, p->line, "%s must be a time like 17:30, not '%s'", k->name, v);
		*(int *) (void *) dst = h * 60 + m;
		return 0;
	}
	case CK_BOOL:
		if (strcmp (v, "yes") != 0 && strcmp (v, "no") != 0)
			return carrier_load_fail (p, p->line, "%s must be yes or no, not '%s'", k->name, v);
		*(bool *) (void *) dst = strcmp (v, "yes") == 0;
		return 0;
	case CK_LIST: {
		if (strcmp (v, "*") == 0) {
			if (k->choices == NULL || strcmp (k->choices, "*") != 0)
				return carrier_load_fail (p, p->line, "%s must list its values: '*' is not allowed here", k->name);
			util_strlcpy (dst, "*", k->size);
			return 0;
		}
		/* Words separated by spaces or commas; department names may hold spaces, so they use commas. */
		bool commas = strchr (v, ',') != NULL || (k->choices && strcmp (k->choices, ",") == 0);
		char out[CARRIER_LIST_MAX] = " ";
		size_t used = 1;
		const char *s = v;
		while (*s) {
			while (*s == ' ' || *s == ',')
				s++;
			if (*s == '\0')
				break;
			const char *e = s;
			while (*e && *e != ',' && (commas || *e != ' '))
				e++;
			size_t n = (size_t) (e - s);
			while (n && s[n - 1] == ' ')
				n--;
			if (used + n + 2 > sizeof out)
				return carrier_load_fail (p, p->line, "%s is too long (at most %d characters)", k->name,
				    CARRIER_LIST_MAX - 2);
			for (size_t i = 0; i < n; i++)
				out[used++] = s[i] == ' ' ? '_' : s[i];
			out[used++] = ' ';
			s = e;
		}
		out[used] = '\0';
		if (used == 1)
			return carrier_load_fail (p, p->line, "%s lists nothing", k->name);
		util_strlcpy (dst, out, k->size);
		return 0;
	}
	}
	return carrier_load_fail (p, p->line, "%s: unknown key type", k->name);
}

/* Rule keys that are not plain values. */
static int
carrier_load_rule_key (struct carrier_parse *p, const char *key, const char *v)
{
	struct carrier_rule *r = p->obj;
	if (strcmp (key, "promise") == 0) {
		if (strcmp (v, "yes") != 0 && strcmp (v, "no") != 0)
			return carrier_load_fail (p, p->line, "promise must be yes (the order has a promised date) or no, not '%s'",
			    v);
		r->promise = strcmp (v, "yes") == 0;
		return 0;
	}
	if (strcmp (key, "choose") == 0) {
		static const struct { const char *word; enum carrier_pick pick; } picks[] = {
			{ "cheapest", CARRIER_PICK_CHEAPEST }, { "fastest", CARRIER_PICK_FASTEST }, { "rank", CARRIER_PICK_RANK },
		};
		for (size_t i = 0; i < nitems (picks); i++)
			if (strcmp (v, picks[i].word) == 0) {
				r->pick = picks[i].pick;
				return 0;
			}
		static const struct carrier_key k = CK (carrier_rule, "choose", CK_LIST, choose, 0, 0, NULL, false);
		r->pick = CARRIER_PICK_LIST;
		return carrier_load_value (p, &k, v);
	}
	if (strcmp (key, "among") == 0) {
		static const struct carrier_key k = CK (carrier_rule, "among", CK_LIST, among, 0, 0, NULL, false);
		return carrier_load_value (p, &k, v);
	}
	return 1;
}

/* A symbol's "tracking = TEMPLATE" or "sscc = TEMPLATE": letters, digits, '?', \N and (AI). */
static int
carrier_load_symbol_key (struct carrier_parse *p, const char *key, const char *v)
{
	struct carrier_symbol *sym = p->obj;
	bool tracking = strcmp (key, "tracking") == 0;
	if (!tracking && strcmp (key, "sscc") != 0)
		return 1;
	if (*sym->key)
		return carrier_load_fail (p, p->line, "a symbol reads one number: tracking or sscc, once");
	if (*v == '\0' || strlen (v) >= sizeof sym->key)
		return carrier_load_fail (p, p->line, "%s must be 1 to %zu characters", key, sizeof sym->key - 1);
	for (const char *c = v; *c; c++) {
		if (*c == '\\' && isdigit ((unsigned char) c[1])) {
			c++;
			continue;
		}
		if (*c == '(') {
			const char *close = strchr (c, ')');
			if (close == NULL || close == c + 1)
				return carrier_load_fail (p, p->line, "%s: '(' starts a GS1 AI like (00) and needs its ')'", key);
			for (const char *d = c + 1; d < close; d++)
				if (!isdigit ((unsigned char) *d))
					return carrier_load_fail (p, p->line, "%s: (%.*s) is not a GS1 AI (digits)", key,
					    (int) (close - c - 1), c + 1);
			c = close;
			continue;
		}
		if (!isalnum ((unsigned char) *c) && *c != '?')
			return carrier_load_fail (p, p->line, "%s: '%c' cannot be in a parcel's number (letters, digits, "
			    "'?' for one the symbol does not carry, \\N for a group of match, (AI) for a GS1 value)", key, *c);
	}
	util_strlcpy (sym->key, v, sizeof sym->key);
	sym->reads = tracking ? CARRIER_READS_TRACKING : CARRIER_READS_SSCC;
	return 0;
}

/* "2000:595 10000:795" into a rate's bands. */
static int
carrier_load_bands (struct carrier_parse *p, struct carrier_rate *r, const char *v)
{
	const char *s = v;
	int last = 0;
	while (*s) {
		while (*s == ' ')
			s++;
		if (*s == '\0')
			break;
		char word[48];
		size_t n = strcspn (s, " ");
		if (n >= sizeof word)
			return carrier_load_fail (p, p->line, "rate band '%.20s...' is too long", s);
		memcpy (word, s, n);
		word[n] = '\0';
		s += n;
		char *colon = strchr (word, ':');
		long g, pence;
		if (colon == NULL)
			return carrier_load_fail (p, p->line, "rate band '%s' must be GRAMS:PENCE, like 2000:595", word);
		*colon = '\0';
		if (!util_parse_long (word, 1, 1000000, &g) || !util_parse_long (colon + 1, 0, 100000000, &pence))
			return carrier_load_fail (p, p->line, "rate band '%s:%s' must be GRAMS:PENCE with grams 1 to 1000000",
			    word, colon + 1);
		if (g <= last)
			return carrier_load_fail (p, p->line, "rate bands must rise: %ld g comes after %d g", g, last);
		if (r->nbands == (int) nitems (r->bands))
			return carrier_load_fail (p, p->line, "at most %zu weight bands per zone", nitems (r->bands));
		r->bands[r->nbands].max_g = (int) g;
		r->bands[r->nbands].pence = pence;
		r->nbands++;
		last = (int) g;
	}
	if (r->nbands == 0)
		return carrier_load_fail (p, p->line, "a rate needs at least one GRAMS:PENCE band");
	return 0;
}

#define CARRIER_GROW(arr, n) ((arr) = xrealloc ((arr), (size_t) ((n) + 1) * sizeof *(arr)), \
	memset (&(arr)[(n)], 0, sizeof *(arr)), &(arr)[(n)++])

/* Check what a section left unsaid, when it ends. */
static int
carrier_load_section_end (struct carrier_parse *p)
{
	if (p->keys == NULL)
		return 0;
	for (int i = 0; p->keys[i].name; i++)
		if (p->keys[i].required && !(p->seen & (1u << i)))
			return carrier_load_fail (p, p->section_line, "this section needs '%s'", p->keys[i].name);
	if (p->kind == CS_RANGE) {
		struct carrier_range *r = p->obj;
		if (ident_find (r->scheme) == NULL)
			return carrier_load_fail (p, p->section_line, "range scheme '%s' is not a known scheme", r->scheme);
		if (r->first > r->last)
			return carrier_load_fail (p, p->section_line, "range first %lld is after last %lld", (long long) r->first,
			    (long long) r->last);
		char *cause = NULL, *id = ident_make (r->scheme, r->prefix, (uint64_t) r->last, &cause);
		if (id == NULL) {
			carrier_load_fail (p, p->section_line, "range %s %s cannot number up to %lld: %s", r->scheme, r->prefix,
			    (long long) r->last, cause);
			free (cause);
			return -1;
		}
		free (id);
	}
	if (p->kind == CS_CARRIER) {
		const char *pp = p->c->piece_prefix;
		/* The licence plate prints it as is, and DHL's piece IDs are JD01 + 18 digits. */
		if (*pp && (strlen (pp) != 6 || strspn (pp, "0123456789") != 6))
			return carrier_load_fail (p, p->section_line, "piece-prefix must be the 6 digits DHL gave the account "
			    "(like 460012), not '%s'", pp);
	}
	if (p->kind == CS_SYMBOL) {
		struct carrier_symbol *sym = p->obj;
		if ((*sym->match == '\0') == (*sym->ais == '\0'))
			return carrier_load_fail (p, p->section_line, "symbol '%s' needs match (what a reader returns, as a "
			    "regular expression) or ais (the GS1 AIs it carries), one of them", sym->element);
		if ((*sym->key != '\0') == (*sym->instead != '\0'))
			return carrier_load_fail (p, p->section_line, "symbol '%s' needs tracking or sscc (how the parcel's "
			    "number is read from it), or instead (the symbol to scan when it names no parcel), one of them",
			    sym->element);
		if (*sym->instead)
			sym->reads = CARRIER_READS_NOTHING;
		char why[200];
		if (carrier_symbol_compile (sym, p->c, why, sizeof why) != 0)
			return carrier_load_fail (p, p->section_line, "symbol '%s': %s", sym->element, why);
		for (const char *c = sym->key; *c; c++)
			if (*c == '\\' && isdigit ((unsigned char) c[1]) && c[1] - '0' > sym->ngroups)
				return carrier_load_fail (p, p->section_line, "symbol '%s': %s names group \\%c, but match has %d",
				    sym->element, sym->reads == CARRIER_READS_SSCC ? "sscc" : "tracking", c[1], sym->ngroups);
			else if (*c == '(' && *sym->ais == '\0')
				return carrier_load_fail (p, p->section_line, "symbol '%s': a GS1 value (AI) needs ais, not match",
				    sym->element);
	}
	if (p->kind == CS_RULE) {
		struct carrier_rule *r = p->obj;
		if (r->pick == CARRIER_PICK_LIST && *r->choose == '\0')
			return carrier_load_fail (p, p->section_line, "rule '%s' needs 'choose' (services, cheapest, fastest or rank)",
			    r->name);
	}
	return 0;
}

static int
carrier_load_section_start (struct carrier_parse *p, char *head)
{
	if (carrier_load_section_end (p) != 0)
		return -1;
	if (p->kind == CS_RATES)
		free (p->obj);
	p->kind = CS_NONE;
	p->obj = NULL;
	char *arg = strchr (head, ' ');
	if (arg) {
		*arg++ = '\0';
		while (*arg == ' ')
			arg++;
	}
	size_t i;
	for (i = 0; i < nitems (carrier_sections); i++)
		if (strcmp (carrier_sections[i].name, head) == 0)
			break;
	if (i == nitems (carrier_sections))
		return carrier_load_fail (p, p->line, "unknown section [%s]: expected carrier, service, range, cage, zone, "
		    "rates, surcharge, rule or symbol", head);
	if (carrier_sections[i].arg && (arg == NULL || !carrier_load_word_ok (arg) || strlen (arg) > 32))
		return carrier_load_fail (p, p->line, "[%s] needs a name: one word, like [%s %s]", head, head,
		    carrier_sections[i].kind == CS_CAGE ? "CAGE-DPD" : "next-day");
	if (!carrier_sections[i].arg && arg && *arg)
		return carrier_load_fail (p, p->line, "[%s] takes no name", head);
	p->kind = carrier_sections[i].kind;
	p->keys = carrier_sections[i].keys;
	p->seen = 0;
	p->section_line = p->line;
	struct carrier_where at = { p->file, p->line };
	if (p->rules_file && !carrier_sections[i].in_rules)
		return carrier_load_fail (p, p->line, "rules.conf holds only [rule NAME] sections, not [%s]", head);
	if (p->kind != CS_RULE && p->kind != CS_CARRIER && (p->c == NULL || *p->c->code == '\0'))
		return carrier_load_fail (p, p->line, "[%s] before [carrier]: a carrier file starts with [carrier]", head);
	struct carrier *c = p->c;
	switch (p->kind) {
	case CS_CARRIER:
		if (p->c == NULL || p->rules_file)
			return carrier_load_fail (p, p->line, "only one [carrier] per file");
		if (p->c->at.line)
			return carrier_load_fail (p, p->line, "only one [carrier] per file (the first is at line %d)", p->c->at.line);
		c->at = at;
		p->obj = c;
		return 0;
	case CS_SERVICE: {
		for (int j = 0; j < c->nservices; j++)
			if (strcmp (c->services[j].code, arg) == 0)
				return carrier_load_fail (p, p->line, "service '%s' is defined twice (first at line %d)", arg,
				    c->services[j].at.line);
		struct carrier_service *s = CARRIER_GROW (c->services, c->nservices);
		util_strlcpy (s->code, arg, sizeof s->code);
		s->cutoff_min = -1;
		util_strlcpy (s->customs, "none", sizeof s->customs);
		s->at = at;
		p->obj = s;
		return 0;
	}
	case CS_RANGE: {
		struct carrier_range *r = CARRIER_GROW (c->ranges, c->nranges);
		r->low_water = 1000;
		r->at = at;
		p->obj = r;
		return 0;
	}
	case CS_CAGE: {
		struct carrier_cage *g = CARRIER_GROW (c->cages, c->ncages);
		util_strlcpy (g->code, arg, sizeof g->code);
		g->at = at;
		p->obj = g;
		return 0;
	}
	case CS_ZONE: {
		for (int j = 0; j < c->nzones; j++)
			if (strcmp (c->zones[j].name, arg) == 0)
				return carrier_load_fail (p, p->line, "zone '%s' is defined twice (first at line %d)", arg,
				    c->zones[j].at.line);
		struct carrier_zone *z = CARRIER_GROW (c->zones, c->nzones);
		util_strlcpy (z->name, arg, sizeof z->name);
		util_strlcpy (z->postcodes, "*", sizeof z->postcodes);
		z->at = at;
		p->obj = z;
		return 0;
	}
	case CS_RATES:
		if (carrier_service_find (c, arg) == NULL)
			return carrier_load_fail (p, p->line, "[rates %s]: no such service above (define [service %s] first)", arg,
			    arg);
		p->obj = xstrdup (arg);  /* the service; each key is a zone */
		return 0;
	case CS_SURCHARGE: {
		struct carrier_surcharge *s = CARRIER_GROW (c->surcharges, c->nsurcharges);
		util_strlcpy (s->name, arg, sizeof s->name);
		util_strlcpy (s->services, "*", sizeof s->services);
		util_strlcpy (s->zones, "*", sizeof s->zones);
		s->at = at;
		p->obj = s;
		return 0;
	}
	case CS_SYMBOL: {
		if (carrier_symbol_find (c, arg))
			return carrier_load_fail (p, p->line, "symbol '%s' is defined twice (first at line %d)", arg,
			    carrier_symbol_find (c, arg)->at.line);
		struct carrier_symbol *sym = CARRIER_GROW (c->symbols, c->nsymbols);
		util_strlcpy (sym->element, arg, sizeof sym->element);
		sym->at = at;
		p->obj = sym;
		return 0;
	}
	case CS_RULE: {
		carrier_set_t *set = p->set;
		for (int j = 0; j < set->nrules; j++)
			if (strcmp (set->rules[j].name, arg) == 0)
				return carrier_load_fail (p, p->line, "rule '%s' is defined twice (first at %s:%d)", arg,
				    set->rules[j].at.file, set->rules[j].at.line);
		struct carrier_rule *r = CARRIER_GROW (set->rules, set->nrules);
		util_strlcpy (r->name, arg, sizeof r->name);
		util_strlcpy (r->among, "*", sizeof r->among);
		r->promise = -1;
		r->at = at;
		p->obj = r;
		return 0;
	}
	case CS_NONE:
		break;
	}
	return 0;
}

static char *
carrier_load_trim (char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen (s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

static int
carrier_load_line (struct carrier_parse *p, char *line)
{
	char *hash = strchr (line, '#');
	if (hash)
		*hash = '\0';
	char *s = carrier_load_trim (line);
	if (*s == '\0')
		return 0;
	if (*s == '[') {
		char *end = strchr (s, ']');
		if (end == NULL || end[1] != '\0')
			return carrier_load_fail (p, p->line, "a section header is [kind] or [kind name], alone on its line");
		*end = '\0';
		return carrier_load_section_start (p, carrier_load_trim (s + 1));
	}
	char *eq = strchr (s, '=');
	if (eq == NULL)
		return carrier_load_fail (p, p->line, "expected 'key = value' or a [section], not '%.40s'", s);
	*eq = '\0';
	char *key = carrier_load_trim (s), *v = carrier_load_trim (eq + 1);
	if (p->kind == CS_NONE)
		return carrier_load_fail (p, p->line, "'%s' before any [section]", key);
	if (p->kind == CS_RATES) {
		struct carrier *c = p->c;
		int z;
		for (z = 0; z < c->nzones; z++)
			if (strcmp (c->zones[z].name, key) == 0)
				break;
		if (z == c->nzones)
			return carrier_load_fail (p, p->line, "rates for zone '%s', which no [zone] above defines", key);
		for (int j = 0; j < c->nrates; j++)
			if (strcmp (c->rates[j].service, (char *) p->obj) == 0 && strcmp (c->rates[j].zone, key) == 0)
				return carrier_load_fail (p, p->line, "%s rates for zone '%s' given twice (first at line %d)",
				    (char *) p->obj, key, c->rates[j].at.line);
		struct carrier_rate *r = CARRIER_GROW (c->rates, c->nrates);
		util_strlcpy (r->service, p->obj, sizeof r->service);
		util_strlcpy (r->zone, key, sizeof r->zone);
		r->at = (struct carrier_where) { p->file, p->line };
		return carrier_load_bands (p, r, v);
	}
	int i;
	for (i = 0; p->keys[i].name; i++)
		if (strcmp (p->keys[i].name, key) == 0)
			break;
	if (p->keys[i].name == NULL) {
		if (p->kind == CS_RULE || p->kind == CS_SYMBOL) {
			int rc = p->kind == CS_RULE ? carrier_load_rule_key (p, key, v) : carrier_load_symbol_key (p, key, v);
			if (rc <= 0)
				return rc;
		}
		return carrier_load_fail (p, p->line, "unknown key '%s' in this section", key);
	}
	if (p->seen & (1u << i))
		return carrier_load_fail (p, p->line, "'%s' given twice in one section", key);
	p->seen |= 1u << i;
	return carrier_load_value (p, &p->keys[i], v);
}

/*
 * The [symbol] sections against the barcodes the layout prints: each names
 * one of them (and takes its symbology), an instead names a symbol of the
 * file that reads a parcel, and a barcode no section reads is kept in
 * c->uncovered for the loader's warning.
 */
static int
carrier_load_symbols_check (struct carrier_parse *p, struct carrier *c, const char *layout)
{
	json_error_t jerr;
	json_t *root = json_load_file (layout, 0, &jerr);
	json_t *elements = root ? json_object_get (root, "elements") : NULL;
	size_t i;
	json_t *e;
	json_array_foreach (elements, i, e) {
		const char *type = json_string_value (json_object_get (e, "type"));
		const char *name = json_string_value (json_object_get (e, "name"));
		const char *symbology = json_string_value (json_object_get (e, "symbology"));
		if (type == NULL || strcmp (type, "barcode") != 0 || name == NULL)
			continue;
		struct carrier_symbol *sym = (struct carrier_symbol *) carrier_symbol_find (c, name);
		if (sym) {
			util_strlcpy (sym->symbology, symbology ? symbology : "", sizeof sym->symbology);
			sym->aim = carrier_symbol_aim (symbology);
		} else if (strlen (c->uncovered) + strlen (name) + 3 < sizeof c->uncovered) {
			if (*c->uncovered == '\0')
				util_strlcpy (c->uncovered, " ", sizeof c->uncovered);
			strcat (c->uncovered, name);
			strcat (c->uncovered, " ");
		}
	}
	json_decref (root);
	for (int k = 0; k < c->nsymbols; k++) {
		const struct carrier_symbol *sym = &c->symbols[k];
		if (*sym->symbology == '\0')
			return carrier_load_fail (p, sym->at.line, "[symbol %s]: layout '%s' prints no barcode named '%s'",
			    sym->element, c->layout, sym->element);
		if (sym->reads == CARRIER_READS_NOTHING) {
			const struct carrier_symbol *to = carrier_symbol_find (c, sym->instead);
			if (to == NULL || to->reads == CARRIER_READS_NOTHING)
				return carrier_load_fail (p, sym->at.line, "[symbol %s]: instead must name a [symbol] of this "
				    "file that reads the parcel, not '%s'", sym->element, sym->instead);
		}
	}
	return 0;
}

/* Whole-file checks once the carrier is read. */
static int
carrier_load_check (struct carrier_parse *p, struct carrier *c)
{
	if (c->at.line == 0)
		return carrier_load_fail (p, 1, "no [carrier] section: a carrier file starts with [carrier] and its code");
	if (ident_find (c->scheme) == NULL)
		return carrier_load_fail (p, c->at.line, "scheme '%s' is not a known tracking-number scheme", c->scheme);
	if (c->nservices == 0)
		return carrier_load_fail (p, c->at.line, "carrier %s has no [service NAME]", c->code);
	for (int i = 0; i < p->set->ncarriers; i++)
		if (&p->set->carriers[i] != c && strcmp (p->set->carriers[i].code, c->code) == 0)
			return carrier_load_fail (p, c->at.line, "carrier code '%s' is already defined in %s", c->code,
			    p->set->carriers[i].at.file);
	/* Manifest fields are checked against carrier-manifest.c's table. */
	const char *s = c->manifest_fields;
	char field[64], why[160];
	while (*s) {
		while (*s == ' ')
			s++;
		size_t n = strcspn (s, " ");
		if (n == 0)
			break;
		snprintf (field, sizeof field, "%.*s", (int) n, s);
		s += n;
		if (!carrier_manifest_field_ok (field, strcmp (c->manifest, "fixed") == 0, why, sizeof why))
			return carrier_load_fail (p, c->at.line, "manifest-fields: %s", why);
	}
	/* The layout must be there now, not at the first label. */
	char **dirs = label_layout_path ();
	char *layout = NULL;
	for (char **d = dirs; *d; d++) {
		char *path = xasprintf ("%s/%s.json", *d, c->layout);
		struct stat sb;
		if (layout == NULL && stat (path, &sb) == 0)
			layout = path;
		else
			free (path);
		free (*d);
	}
	free (dirs);
	if (layout == NULL)
		return carrier_load_fail (p, c->at.line, "layout '%s' is not in the layout path (see despatch-label --list)",
		    c->layout);
	int lrc = carrier_load_symbols_check (p, c, layout);
	free (layout);
	if (lrc != 0)
		return -1;
	for (int i = 0; i < c->nservices; i++)
		if (c->services[i].cutoff_min < 0 && c->cutoff_min >= 0)
			c->services[i].cutoff_min = c->cutoff_min;
	for (int i = 0; i < c->nsurcharges; i++) {
		const struct carrier_surcharge *g = &c->surcharges[i];
		if (g->pence == 0 && g->percent == 0)
			return carrier_load_fail (p, g->at.line, "surcharge '%s' needs pence or percent", g->name);
		for (const char *w = g->zones; strcmp (g->zones, "*") != 0 && *w; ) {
			while (*w == ' ')
				w++;
			size_t n = strcspn (w, " ");
			if (n == 0)
				break;
			int z;
			for (z = 0; z < c->nzones; z++)
				if (strlen (c->zones[z].name) == n && strncmp (c->zones[z].name, w, n) == 0)
					break;
			if (z == c->nzones)
				return carrier_load_fail (p, g->at.line, "surcharge '%s' names zone '%.*s', which is not defined",
				    g->name, (int) n, w);
			w += n;
		}
	}
	return 0;
}

static int
carrier_load_parse (carrier_set_t *set, const char *file, const char *text, bool rules_file, char **cause)
{
	set->files = xrealloc (set->files, (size_t) (set->nfiles + 1) * sizeof *set->files);
	set->files[set->nfiles++] = xstrdup (file);
	struct carrier_parse p = { .set = set, .file = set->files[set->nfiles - 1], .rules_file = rules_file };
	if (!rules_file) {
		p.c = CARRIER_GROW (set->carriers, set->ncarriers);
		p.c->cutoff_min = -1;
	}
	int rc = 0;
	const char *s = text;
	while (rc == 0 && *s) {
		size_t n = strcspn (s, "\n");
		char *line = xstrndup (s, n);
		p.line++;
		if (strlen (line) != n)
			rc = carrier_load_fail (&p, p.line, "the line holds a NUL byte");
		else
			rc = carrier_load_line (&p, line);
		free (line);
		s += n;
		if (*s == '\n')
			s++;
	}
	if (rc == 0)
		rc = carrier_load_section_end (&p);
	if (p.kind == CS_RATES)
		free (p.obj);  /* a [rates] section keeps its service's name in obj */
	if (rc == 0 && !rules_file)
		rc = carrier_load_check (&p, p.c);
	if (rc != 0) {
		*cause = p.cause;
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ files and path */

static char *
carrier_load_read_file (const char *path, char **cause)
{
	FILE *f = fopen (path, "rb");
	if (f == NULL) {
		*cause = xasprintf ("%s: cannot read: %s", path, strerror (errno));
		return NULL;
	}
	size_t cap = 4096, len = 0;
	char *buf = xmalloc (cap);
	size_t got;
	while ((got = fread (buf + len, 1, cap - len - 1, f)) > 0) {
		len += got;
		if (len + 1 >= cap)
			buf = xrealloc (buf, cap *= 2);
		if (len > 4 * 1024 * 1024) {
			fclose (f);
			free (buf);
			*cause = xasprintf ("%s: larger than 4 MB; not a carrier file", path);
			return NULL;
		}
	}
	fclose (f);
	buf[len] = '\0';
	return buf;
}

static int
carrier_load_name_cmp (const void *a, const void *b)
{
	/* By file name alone: which rule is tried first must not depend on where
	 * a folder happens to live. */
	const char *pa = *(char *const *) a, *pb = *(char *const *) b;
	const char *ba = strrchr (pa, '/'), *bb = strrchr (pb, '/');
	return strcmp (ba ? ba + 1 : pa, bb ? bb + 1 : pb);
}

carrier_set_t *
carrier_load_text (const char *name, const char *text, char **cause)
{
	carrier_set_t *set = xcalloc (1, sizeof *set);
	const char *base = strrchr (name, '/');
	base = base ? base + 1 : name;
	if (carrier_load_parse (set, name, text, strcmp (base, "rules.conf") == 0, cause) != 0) {
		carrier_set_destroy (&set);
		return NULL;
	}
	set->file_list = xstrdup (name);
	return set;
}

/* Check what refers across files: rules naming carriers and services. */
static int
carrier_load_check_set (carrier_set_t *set, char **cause)
{
	for (int i = 0; i < set->nrules; i++) {
		const struct carrier_rule *r = &set->rules[i];
		const char *lists[] = { r->choose, strcmp (r->among, "*") ? r->among : "" };
		for (size_t l = 0; l < nitems (lists); l++) {
			for (const char *w = lists[l]; *w; ) {
				while (*w == ' ')
					w++;
				size_t n = strcspn (w, " ");
				if (n == 0)
					break;
				char word[80], *slash;
				snprintf (word, sizeof word, "%.*s", (int) n, w);
				w += n;
				slash = strchr (word, '/');
				if (slash)
					*slash++ = '\0';
				const struct carrier *c = carrier_find (set, word);
				if (c == NULL) {
					*cause = xasprintf ("%s:%d: rule '%s' names carrier '%s', which no carrier file defines",
					    r->at.file, r->at.line, r->name, word);
					return -1;
				}
				if (slash && carrier_service_find (c, slash) == NULL) {
					*cause = xasprintf ("%s:%d: rule '%s' names service '%s/%s', which %s does not define",
					    r->at.file, r->at.line, r->name, word, slash, c->at.file);
					return -1;
				}
				if (slash == NULL && l == 0) {
					*cause = xasprintf ("%s:%d: rule '%s': choose lists services as CARRIER/SERVICE, not '%s'",
					    r->at.file, r->at.line, r->name, word);
					return -1;
				}
			}
		}
	}
	/* A cage belongs to one carrier. */
	for (int i = 0; i < set->ncarriers; i++)
		for (int g = 0; g < set->carriers[i].ncages; g++)
			for (int j = 0; j < i; j++)
				for (int h = 0; h < set->carriers[j].ncages; h++)
					if (strcmp (set->carriers[i].cages[g].code, set->carriers[j].cages[h].code) == 0) {
						*cause = xasprintf ("%s:%d: cage %s is already %s's (%s)", set->carriers[i].at.file,
						    set->carriers[i].cages[g].at.line, set->carriers[i].cages[g].code,
						    set->carriers[j].code, set->carriers[j].at.file);
						return -1;
					}
	return 0;
}

carrier_set_t *
carrier_load (const char *dirs, char **cause)
{
	if (dirs == NULL)
		dirs = getenv ("DSP_CARRIER_PATH");
	if (dirs == NULL || *dirs == '\0')
		dirs = DSP_PKGDATADIR "/carriers";
	carrier_set_t *set = xcalloc (1, sizeof *set);
	char **names = NULL, **paths = NULL;
	size_t n = 0;
	char *copy = xstrdup (dirs), *save = NULL;
	for (char *d = strtok_r (copy, ":", &save); d; d = strtok_r (NULL, ":", &save)) {
		DIR *dir = opendir (d);
		if (dir == NULL) {
			*cause = xasprintf ("%s: cannot read the carrier folder: %s", d, strerror (errno));
			goto fail;
		}
		struct dirent *e;
		while ((e = readdir (dir)) != NULL) {
			size_t len = strlen (e->d_name);
			if (len < 6 || strcmp (e->d_name + len - 5, ".conf") != 0 || e->d_name[0] == '.')
				continue;
			bool hidden = false;
			for (size_t i = 0; i < n; i++)
				if (strcmp (names[i], e->d_name) == 0)
					hidden = true;
			if (hidden)
				continue;
			names = xrealloc (names, (n + 1) * sizeof *names);
			paths = xrealloc (paths, (n + 1) * sizeof *paths);
			names[n] = xstrdup (e->d_name);
			paths[n] = xasprintf ("%s/%s", d, e->d_name);
			n++;
		}
		closedir (dir);
	}
	/* Files in name order (rules.conf last, so rules can name every carrier). */
	qsort (paths, n, sizeof *paths, carrier_load_name_cmp);
	size_t total = 1;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n; i++) {
			const char *base = strrchr (paths[i], '/') + 1;
			bool rules = strcmp (base, "rules.conf") == 0;
			if (rules != (pass == 1))
				continue;
			char *text = carrier_load_read_file (paths[i], cause);
			if (text == NULL || carrier_load_parse (set, paths[i], text, rules, cause) != 0) {
				free (text);
				goto fail;
			}
			free (text);
			total += strlen (paths[i]) + 1;
		}
	if (set->ncarriers == 0) {
		*cause = xasprintf ("%s: no carrier files (*.conf) found; set DSP_CARRIER_PATH or hub carriers.path",
		    dirs);
		goto fail;
	}
	if (carrier_load_check_set (set, cause) != 0)
		goto fail;
	set->file_list = xcalloc (1, total);
	for (int i = 0; i < set->nfiles; i++) {
		strcat (set->file_list, set->files[i]);
		strcat (set->file_list, "\n");
	}
	for (size_t i = 0; i < n; i++) {
		free (names[i]);
		free (paths[i]);
	}
	free (names);
	free (paths);
	free (copy);
	return set;
fail:
	for (size_t i = 0; i < n; i++) {
		free (names[i]);
		free (paths[i]);
	}
	free (names);
	free (paths);
	free (copy);
	carrier_set_destroy (&set);
	return NULL;
}

/* ------------------------------------------------------------ the database */

static int
carrier_load_sync_step (db_stmt_t *st, db_t *db, const char *what, char **cause)
{
	int rc = db_step (st);
	db_reset (st);
	if (rc != DB_DONE) {
		*cause = xasprintf ("cannot record %s: %s", what, db_errmsg (db));
		return -1;
	}
	return 0;
}

int
carrier_load_sync (const carrier_set_t *self, db_t *db, int64_t now_ms, char **cause)
{
	(void) now_ms;
	if (db_exec (db, "DELETE FROM services") != DB_DONE) {
		*cause = xasprintf ("cannot replace the services: %s", db_errmsg (db));
		return -1;
	}
	for (int i = 0; i < self->ncarriers; i++) {
		const struct carrier *c = &self->carriers[i];
		db_stmt_t *st = db_prepare (db, "INSERT INTO carriers (code, name, scheme) VALUES (?1, ?2, ?3)"
		    " ON CONFLICT (code) DO UPDATE SET name = ?2, scheme = ?3");
		db_bind_text (st, 1, c->code);
		db_bind_text (st, 2, c->name);
		db_bind_text (st, 3, c->scheme);
		if (carrier_load_sync_step (st, db, "a carrier", cause) != 0)
			return -1;
		for (int j = 0; j < c->nservices; j++) {
			const struct carrier_service *s = &c->services[j];
			st = db_prepare (db, "INSERT INTO services (carrier, service, name, countries, requested, max_weight_g,"
			    " rank) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
			db_bind_text (st, 1, c->code);
			db_bind_text (st, 2, s->code);
			db_bind_text (st, 3, s->name);
			db_bind_text (st, 4, s->countries);
			db_bind_text (st, 5, s->requested);
			db_bind_int (st, 6, s->max_weight_g);
			db_bind_int (st, 7, s->rank);
			if (carrier_load_sync_step (st, db, "a service", cause) != 0)
				return -1;
		}
		for (int j = 0; j < c->ncages; j++) {
			st = db_prepare (db, "INSERT INTO cages (code, carrier, name) VALUES (?1, ?2, ?3)"
			    " ON CONFLICT (code) DO UPDATE SET carrier = ?2, name = ?3");
			db_bind_text (st, 1, c->cages[j].code);
			db_bind_text (st, 2, c->code);
			db_bind_text (st, 3, c->cages[j].name);
			if (carrier_load_sync_step (st, db, "a cage", cause) != 0)
				return -1;
		}
		for (int j = 0; j < c->nranges; j++) {
			const struct carrier_range *r = &c->ranges[j];
			st = db_prepare (db, "SELECT count(*) FROM ranges WHERE scheme = ?1 AND prefix = ?2");
			db_bind_text (st, 1, r->scheme);
			db_bind_text (st, 2, r->prefix);
			bool have = db_step (st) == DB_ROW && db_col_int (st, 0) > 0;
			db_reset (st);
			if (have)
				continue;
			st = db_prepare (db, "INSERT INTO ranges (carrier, scheme, prefix, first, next, last, low_water)"
			    " VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6)");
			db_bind_text (st, 1, c->code);
			db_bind_text (st, 2, r->scheme);
			db_bind_text (st, 3, r->prefix);
			db_bind_int (st, 4, r->first);
			db_bind_int (st, 5, r->last);
			db_bind_int (st, 6, r->low_water);
			if (carrier_load_sync_step (st, db, "a number range", cause) != 0)
				return -1;
			log_info ("%s: range %s %s %lld-%lld added from %s:%d", c->code, r->scheme, r->prefix,
			    (long long) r->first, (long long) r->last, r->at.file, r->at.line);
		}
	}
	return 0;
}

int
carrier_load_hub (db_t *db, const char *dirs, int64_t now_ms, char **cause)
{
	char *why = NULL;
	carrier_set_t *set = carrier_load (dirs, &why);
	if (set == NULL) {
		*cause = xasprintf ("carrier definitions refused: %s", why);
		free (why);
		return -1;
	}
	if (db_begin (db) != DB_DONE) {
		*cause = xasprintf ("cannot record the carriers: %s", db_errmsg (db));
		carrier_set_destroy (&set);
		return -1;
	}
	if (carrier_load_sync (set, db, now_ms, &why) != 0 || db_commit (db) != DB_DONE) {
		*cause = xasprintf ("cannot record the carriers: %s", why ? why : db_errmsg (db));
		free (why);
		db_rollback (db);
		carrier_set_destroy (&set);
		return -1;
	}
	for (int i = 0; i < set->ncarriers; i++)
		if (*set->carriers[i].uncovered)
			log_warn ("%s: layout %s prints barcodes (%s) that no [symbol] section reads: a scan of them is refused as "
			    "unknown (doc/carriers.md, Scanning)", set->carriers[i].at.file, set->carriers[i].layout,
			    set->carriers[i].uncovered + 1);
	log_info ("%d carriers, %d rules from %s", set->ncarriers, set->nrules, dirs ? dirs
	    : getenv ("DSP_CARRIER_PATH") ? getenv ("DSP_CARRIER_PATH") : DSP_PKGDATADIR "/carriers");
	carrier_current_set (set);
	return 0;
}
