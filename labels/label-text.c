/*
 * label-text.c: Unicode text for labels (case, characters, spaces, Latin
 * transliteration) through GLib and ICU; the only file that includes them.
 *
 * Shipment text arrives as UTF-8 (jansson checks it). Everything here works
 * on characters, never bytes, so no filter cuts a character in two.
 */
#include "config.h"
#include "label-int.h"
#include "util.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>

/* GLib hands back g_malloc'd strings; the library's callers free with free. */
static char *
label_text_own (gchar *g)
{
	char *s = xstrdup (g ? g : "");
	g_free (g);
	return s;
}

char *
label_text_upper (const char *s)
{
	return label_text_own (g_utf8_strup (s, -1));
}

char *
label_text_lower (const char *s)
{
	return label_text_own (g_utf8_strdown (s, -1));
}

size_t
label_text_chars (const char *s)
{
	return (size_t) g_utf8_strlen (s, -1);
}

const char *
label_text_skip (const char *s, size_t n)
{
	while (n-- > 0 && *s)
		s = g_utf8_next_char (s);
	return s;
}

char *
label_text_nospace (const char *s)
{
	char *out = xmalloc (strlen (s) + 1), *q = out;
	for (const char *p = s; *p; p = g_utf8_next_char (p)) {
		const char *next = g_utf8_next_char (p);
		if (!g_unichar_isspace (g_utf8_get_char (p))) {
			memcpy (q, p, (size_t) (next - p));
			q += next - p;
		}
	}
	*q = '\0';
	return out;
}

bool
label_text_is_ascii (const char *s)
{
	for (; *s; s++)
		if ((unsigned char) *s >= 0x80)
			return false;
	return true;
}

/*
 * Whether the text holds anything the bidi algorithm reorders: a right-to-left letter
 * (Hebrew, Arabic, Syriac, Thaana...), an Arabic-Indic digit, or an explicit embedding.
 * Text without any is laid out left to right whatever isolates it holds.
 */
bool
label_text_bidi (const char *s)
{
	if (label_text_is_ascii (s))
		return false;
	for (const char *p = s; *p; p = g_utf8_next_char (p)) {
		if ((unsigned char) *p < 0x80)
			continue;
		switch (u_charDirection ((UChar32) g_utf8_get_char (p))) {
		case U_RIGHT_TO_LEFT:
		case U_RIGHT_TO_LEFT_ARABIC:
		case U_ARABIC_NUMBER:
		case U_RIGHT_TO_LEFT_EMBEDDING:
		case U_RIGHT_TO_LEFT_OVERRIDE:
		case U_RIGHT_TO_LEFT_ISOLATE:
			return true;
		default:
			break;
		}
	}
	return false;
}

/*
 * Any script to Latin, then to ASCII, as a carrier's systems that take only
 * Latin letters expect it ("Москва" -> "Moskva", "Ελλάδα" -> "Ellada",
 * "東京" -> "dong jing"). The transliterator is costly to build and not to be
 * shared between threads: each thread keeps its own.
 */
static void
label_text_trans_free (gpointer t)
{
	utrans_close (t);
}

static GPrivate label_text_trans_key = G_PRIVATE_INIT (label_text_trans_free);

static UTransliterator *
label_text_trans (char **cause)
{
	UTransliterator *t = g_private_get (&label_text_trans_key);
	if (t)
		return t;
	/* The spacing modifier letters romanisation leaves for Arabic's ayn and hamza ("ʿAmmān") are
	 * signs a Latin-only system cannot take: they go, so what remains is plain letters. */
	static const char rules[] = "Any-Latin; Latin-ASCII; [\\u02B0-\\u02FF] Remove";
	UChar id[96];
	UErrorCode err = U_ZERO_ERROR;
	u_uastrcpy (id, rules);
	t = utrans_openU (id, -1, UTRANS_FORWARD, NULL, 0, NULL, &err);
	if (U_FAILURE (err) || t == NULL) {
		*cause = xasprintf ("ICU has no transliterator '%s' (%s): install libicu72", rules, u_errorName (err));
		return NULL;
	}
	g_private_set (&label_text_trans_key, t);
	return t;
}

char *
label_text_latin (const char *s, char **cause)
{
	if (label_text_is_ascii (s))
		return xstrdup (s);
	UTransliterator *t = label_text_trans (cause);
	if (t == NULL)
		return NULL;
	UErrorCode err = U_ZERO_ERROR;
	int32_t n = 0;
	u_strFromUTF8 (NULL, 0, &n, s, -1, &err);
	if (err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE (err)) {
		*cause = xasprintf ("is not UTF-8 text (%s)", u_errorName (err));
		return NULL;
	}
	/* Transliteration may lengthen text (one Han character is a syllable): room for it. */
	int32_t cap = n * 8 + 16, len = 0, limit;
	UChar *u = xmalloc ((size_t) cap * sizeof *u);
	err = U_ZERO_ERROR;
	u_strFromUTF8 (u, cap, &len, s, -1, &err);
	limit = len;
	utrans_transUChars (t, u, &len, cap, 0, &limit, &err);
	char *out = NULL;
	if (U_SUCCESS (err)) {
		int32_t bytes = 0;
		UErrorCode e2 = U_ZERO_ERROR;
		u_strToUTF8 (NULL, 0, &bytes, u, len, &e2);
		out = xmalloc ((size_t) bytes + 1);
		e2 = U_ZERO_ERROR;
		u_strToUTF8 (out, bytes + 1, NULL, u, len, &e2);
		out[bytes] = '\0';
	} else
		*cause = xasprintf ("cannot be written in Latin letters (%s)", u_errorName (err));
	free (u);
	if (out && !label_text_is_ascii (out)) {
		/* What has no Latin form (an emoji) is left as it was: refuse rather than print it. */
		*cause = xasprintf ("has characters with no Latin form (\"%s\")", out);
		free (out);
		return NULL;
	}
	return out;
}

void
label_text_shutdown (void)
{
	g_private_replace (&label_text_trans_key, NULL);
}
