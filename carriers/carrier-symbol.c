/*
 * carrier-symbol.c: what a scan of a carrier label's symbol names, by the
 * carrier file's [symbol ELEMENT] sections (carrier.h, doc/carriers.md).
 * The only file that includes regex.h: a symbol's match is a POSIX
 * extended regular expression, compiled once when the file is read.
 */
#include "config.h"
#include "carrier-int.h"
#include "gs1.h"
#include "util.h"

#include <ctype.h>
#include <regex.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The AIM symbology identifier letter (ISO/IEC 15424) a reader sends for what a layout draws. */
static const struct {
	const char *symbology;
	char aim;
} carrier_symbol_aims[] = {
	{ "code128", 'C' }, { "gs1-128", 'C' }, { "dpd", 'C' }, { "datamatrix", 'd' }, { "gs1-datamatrix", 'd' },
	{ "qr", 'Q' }, { "gs1-qr", 'Q' }, { "pdf417", 'L' }, { "maxicode", 'U' }, { "aztec", 'z' },
};

char
carrier_symbol_aim (const char *symbology)
{
	for (size_t i = 0; symbology && i < nitems (carrier_symbol_aims); i++)
		if (strcmp (carrier_symbol_aims[i].symbology, symbology) == 0)
			return carrier_symbol_aims[i].aim;
	return 0;
}

const struct carrier_symbol *
carrier_symbol_find (const struct carrier *c, const char *element)
{
	for (int i = 0; c && element && i < c->nsymbols; i++)
		if (strcmp (c->symbols[i].element, element) == 0)
			return &c->symbols[i];
	return NULL;
}

static int
carrier_symbol_hex (int c)
{
	return isdigit (c) ? c - '0' : isxdigit (c) ? tolower (c) - 'a' + 10 : -1;
}

/* The pattern with \xHH written as the byte: a file line holds no control characters, a symbol's data does. */
static char *
carrier_symbol_unescape (const char *in)
{
	char *out = xmalloc (strlen (in) + 1), *q = out;
	for (const char *p = in; *p; p++) {
		if (p[0] == '\\' && p[1] == 'x' && carrier_symbol_hex ((unsigned char) p[2]) >= 0
		    && carrier_symbol_hex ((unsigned char) p[3]) >= 0) {
			int v = carrier_symbol_hex ((unsigned char) p[2]) * 16 + carrier_symbol_hex ((unsigned char) p[3]);
			if (v != 0) {
				*q++ = (char) v;
				p += 3;
				continue;
			}
		}
		if (p[0] == '\\' && p[1] == '\\')
			*q++ = *p++;
		*q++ = *p;
	}
	*q = '\0';
	return out;
}

/* What a match may name of its carrier file, so that a number the label prints from the file is written once. */
static const struct {
	const char *name;
	size_t off;
} carrier_symbol_values[] = {
	{ "{piece-prefix}", offsetof (struct carrier, piece_prefix) },
};

/* The pattern with each {value} of carrier_symbol_values written as c's: NULL, why filled, when c has none. */
static char *
carrier_symbol_expand (const char *in, const struct carrier *c, char *why, size_t n)
{
	char *out = xstrdup (in);
	for (size_t i = 0; i < nitems (carrier_symbol_values); i++) {
		const char *name = carrier_symbol_values[i].name;
		char *at;
		while ((at = strstr (out, name)) != NULL) {
			const char *v = c ? (const char *) c + carrier_symbol_values[i].off : "";
			if (*v == '\0') {
				snprintf (why, n, "match names %s, but [carrier] gives no %.*s", name, (int) strlen (name) - 2,
				    name + 1);
				free (out);
				return NULL;
			}
			char *next = xasprintf ("%.*s%s%s", (int) (at - out), out, v, at + strlen (name));
			free (out);
			out = next;
		}
	}
	return out;
}

int
carrier_symbol_compile (struct carrier_symbol *s, const struct carrier *c, char *why, size_t n)
{
	carrier_symbol_free (s);
	if (*s->match == '\0')
		return 0;
	char *expanded = carrier_symbol_expand (s->match, c, why, n);
	if (expanded == NULL)
		return -1;
	char *pattern = carrier_symbol_unescape (expanded);
	free (expanded);
	regex_t *re = xmalloc (sizeof *re);
	int rc = regcomp (re, pattern, REG_EXTENDED | REG_ICASE);
	free (pattern);
	if (rc != 0) {
		char err[160];
		regerror (rc, re, err, sizeof err);
		snprintf (why, n, "match is not a regular expression: %s", err);
		free (re);
		return -1;
	}
	s->re = re;
	s->ngroups = (int) re->re_nsub;
	return 0;
}

void
carrier_symbol_free (struct carrier_symbol *s)
{
	if (s->re) {
		regfree (s->re);
		free (s->re);
		s->re = NULL;
	}
}

/* One whole match of text: groups into m (at least ngroups + 1). */
static bool
carrier_symbol_match (const struct carrier_symbol *s, const char *text, regmatch_t *m)
{
	size_t len = strlen (text);
	return regexec (s->re, text, (size_t) s->ngroups + 1, m, 0) == 0 && m[0].rm_so == 0
	    && (size_t) m[0].rm_eo == len;
}

/* Build the key from the template: letters, digits and '?' as written, \N a group, (AI) a GS1 value. */
static bool
carrier_symbol_key (const struct carrier_symbol *s, const char *text, const regmatch_t *m, const struct gs1_scan *gs1,
    char *key, size_t n)
{
	size_t j = 0;
	for (const char *p = s->key; *p; p++) {
		const char *part = NULL;
		size_t len = 0;
		char one[2] = { *p, '\0' };
		if (*p == '\\' && isdigit ((unsigned char) p[1])) {
			int g = p[1] - '0';
			p++;
			if (m == NULL || g > s->ngroups || m[g].rm_so < 0)
				return false;
			part = text + m[g].rm_so;
			len = (size_t) (m[g].rm_eo - m[g].rm_so);
		} else if (*p == '(') {
			const char *close = strchr (p, ')');
			char ai[8];
			if (close == NULL || gs1 == NULL || close - p - 1 >= (long) sizeof ai)
				return false;
			snprintf (ai, sizeof ai, "%.*s", (int) (close - p - 1), p + 1);
			part = gs1_get (gs1, ai);
			if (part == NULL)
				return false;
			len = strlen (part);
			p = close;
		} else {
			part = one;
			len = 1;
		}
		for (size_t i = 0; i < len; i++) {
			unsigned char c = (unsigned char) part[i];
			/* A key is letters and digits: anything else is no parcel's number. */
			if (!isalnum (c) && c != '?')
				return false;
			if (j + 1 >= n)
				return false;
			key[j++] = (char) toupper (c);
		}
	}
	key[j] = '\0';
	return j > 0;
}

/* Whether the scan's GS1 elements are exactly the symbol's AIs. */
static bool
carrier_symbol_ais (const struct carrier_symbol *s, const struct gs1_scan *gs1)
{
	if (gs1 == NULL || !gs1->gs1 || gs1->n == 0)
		return false;
	int want = 0;
	for (const char *w = s->ais; *w; ) {
		while (*w == ' ')
			w++;
		size_t len = strcspn (w, " ");
		if (len == 0)
			break;
		char ai[8];
		snprintf (ai, sizeof ai, "%.*s", (int) (len < 7 ? len : 7), w);
		if (gs1_get (gs1, ai) == NULL)
			return false;
		want++;
		w += len;
	}
	return want == gs1->n;
}

enum carrier_symbol_result
carrier_symbol_read (const struct carrier_symbol *s, const char *data, char aim, const struct gs1_scan *gs1, char *key,
    size_t n)
{
	if (aim && s->aim && toupper ((unsigned char) aim) != toupper ((unsigned char) s->aim))
		return CARRIER_SYMBOL_NO;
	regmatch_t m[10];
	bool is = false;
	const char *text = data;
	char *squeezed = NULL;
	if (*s->ais) {
		is = carrier_symbol_ais (s, gs1);
	} else if (s->re && s->ngroups < (int) nitems (m)) {
		is = carrier_symbol_match (s, data, m);
		if (!is) {
			/* Typed from the human-readable text: its groups of characters, in either case. */
			squeezed = xmalloc (strlen (data) + 1);
			size_t j = 0;
			for (const char *p = data; *p; p++)
				if (*p != ' ')
					squeezed[j++] = *p;
			squeezed[j] = '\0';
			text = squeezed;
			is = j != strlen (data) && carrier_symbol_match (s, squeezed, m);
		}
	}
	enum carrier_symbol_result r = CARRIER_SYMBOL_NO;
	if (is && s->reads == CARRIER_READS_NOTHING)
		r = CARRIER_SYMBOL_NOTHING;
	else if (is && carrier_symbol_key (s, text, *s->ais ? NULL : m, gs1, key, n))
		r = CARRIER_SYMBOL_KEY;
	free (squeezed);
	return r;
}
