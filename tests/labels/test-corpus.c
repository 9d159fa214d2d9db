/*
 * test-corpus: render every address of the corpus (tests/labels/corpus/addresses.json:
 * Latin with diacritics, Cyrillic, Greek, Arabic, Hebrew, the scripts of South and
 * South-East Asia and Ethiopia, CJK, long UK business addresses) on one layout, in one
 * process, and read it back. An address marked "no_latin_form" (Sinhala, Khmer, Lao:
 * ICU has no romanisation for them) must be refused, saying so, by a layout whose
 * barcode takes Latin letters alone (UPS's MaxiCode), and drawn by every other:
 *
 * - carrier labels as PNG, ZPL and PDF (all the corpus as one PDF, a page a label):
 *   every barcode by two independent readers, the library's own check (label_verify,
 *   zxing-cpp) and zbar (Code 128, GS1-128, QR) or libdmtx (DataMatrix) on the very
 *   pixels zxing read; the ZPL also through the tests' own decoder (zpl-decode.h),
 *   which must give the PNG's page dot for dot;
 * - customs papers (a layout with a table: CN22, CN23, the invoice) as the hub draws
 *   them, a PDF at 300 dpi, from a shipment whose customs lines are built as
 *   hub-customs.c builds them (descriptions cut at 40 characters) from
 *   tests/labels/corpus/items.json, long descriptions in the address's own script;
 * - every PDF through pdftotext -bbox, once: each page names its recipient and town
 *   (each word, in either direction, for right-to-left text); on customs papers each
 *   item's quantity, HS code, origin, value and weight stand on the first line of its
 *   description, and its description stays inside its own row even where it wraps.
 *
 *   test-corpus LAYOUT SHIPMENT.json ADDRESSES.json OUTDIR [--items ITEMS.json] [--hash-only]
 *
 * Prints TAP, and OUTDIR/LAYOUT.hashes (OUTDIR/LAYOUT-2.hashes with --hash-only): a
 * digest of every label in every format and of the PDF, so two runs under different
 * fontconfig setups can be compared; --hash-only renders them without reading back.
 */
#include "config.h"
#include "label-int.h"
#include "util.h"
#include "zpl-decode.h"

#include <dmtx.h>
#include <glib.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zbar.h>

static int corpus_n, corpus_failed;

static void
corpus_ok (int ok, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

static void
corpus_ok (int ok, const char *fmt, ...)
{
	va_list ap;
	printf ("%s %d - ", ok ? "ok" : "not ok", ++corpus_n);
	va_start (ap, fmt);
	vprintf (fmt, ap);
	va_end (ap);
	printf ("\n");
	if (!ok)
		corpus_failed = 1;
}

/* The first failure of a group, kept for the TAP diagnostic. */
struct corpus_fails {
	int n;
	char *first;
};

static void
corpus_fail (struct corpus_fails *f, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

static void
corpus_fail (struct corpus_fails *f, const char *fmt, ...)
{
	if (f->n++ > 0)
		return;
	va_list ap;
	va_start (ap, fmt);
	if (vasprintf (&f->first, fmt, ap) < 0)
		abort ();
	va_end (ap);
}

static void
corpus_report (struct corpus_fails *f)
{
	if (f->n)
		printf ("#   %d failed; the first: %s\n", f->n, f->first);
	free (f->first);
	f->first = NULL;
	f->n = 0;
}

/* What the layout drew: element, symbology, data; in drawing order. */
struct corpus_sym {
	char element[64], symbology[32];
	char *data;
};
struct corpus_syms {
	struct corpus_sym s[16];
	int n;
};

static void
corpus_collect (void *arg, const char *element, const char *symbology, const char *data)
{
	struct corpus_syms *c = arg;
	if (c->n == 16)
		return;
	struct corpus_sym *s = &c->s[c->n++];
	snprintf (s->element, sizeof s->element, "%s", element);
	snprintf (s->symbology, sizeof s->symbology, "%s", symbology);
	s->data = xstrdup (data);
}

static void
corpus_syms_free (struct corpus_syms *c)
{
	for (int i = 0; i < c->n; i++)
		free (c->s[i].data);
	c->n = 0;
}

static uint64_t
corpus_hash (const unsigned char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

/* A PDF's digest without its /CreationDate, the one thing that differs between two runs. */
static uint64_t
corpus_hash_pdf (const struct label_buf *b)
{
	const char *data = (const char *) b->data, *d = memmem (data, b->len, "/CreationDate (", 15);
	if (d == NULL)
		return corpus_hash (b->data, b->len);
	const char *e = memchr (d, ')', b->len - (size_t) (d - data));
	e = e ? e + 1 : data + b->len;
	uint64_t h1 = corpus_hash (b->data, (size_t) (d - data));
	return h1 ^ (corpus_hash ((const unsigned char *) e, b->len - (size_t) (e - data)) * 31);
}

static void
corpus_drop (char *s, const char *drop)
{
	char *q = s;
	for (char *p = s; *p; p++)
		if (strchr (drop, *p) == NULL)
			*q++ = *p;
	*q = '\0';
}

static int
corpus_cmp (const void *a, const void *b)
{
	return strcmp (*(char *const *) a, *(char *const *) b);
}

/* zbar over the whole page: the 1D and QR symbols it finds, as a sorted list, must be the layout's. */
static int
corpus_zbar (const struct label_grey *g, const struct corpus_syms *want, char **why)
{
	char *w[16], *got[32];
	int nw = 0, ng = 0;
	bool qr = false;
	for (int i = 0; i < want->n; i++) {
		const char *sy = want->s[i].symbology;
		if (strcmp (sy, "code128") && strcmp (sy, "gs1-128") && strcmp (sy, "dpd") && strcmp (sy, "qr"))
			continue;
		qr = qr || strcmp (sy, "qr") == 0;
		w[nw] = xstrdup (want->s[i].data);
		if (strcmp (sy, "gs1-128") == 0)
			corpus_drop (w[nw], "()");
		nw++;
	}
	if (nw == 0)
		return 0;
	zbar_image_scanner_t *sc = zbar_image_scanner_create ();
	zbar_image_scanner_set_config (sc, 0, ZBAR_CFG_ENABLE, 0);
	zbar_image_scanner_set_config (sc, ZBAR_CODE128, ZBAR_CFG_ENABLE, 1);
	zbar_image_scanner_set_config (sc, ZBAR_QRCODE, ZBAR_CFG_ENABLE, qr);
	/* The layouts' bars stand upright and are at least 15 mm tall: a scan line every 4 rows
	 * crosses each many times. Columns are scanned only for a QR code, whose finder needs both. */
	zbar_image_scanner_set_config (sc, 0, ZBAR_CFG_X_DENSITY, qr ? 3 : 0);
	zbar_image_scanner_set_config (sc, 0, ZBAR_CFG_Y_DENSITY, qr ? 3 : 4);
	zbar_image_t *img = zbar_image_create ();
	zbar_image_set_format (img, zbar_fourcc ('Y', '8', '0', '0'));
	zbar_image_set_size (img, (unsigned) g->width, (unsigned) g->height);
	zbar_image_set_data (img, g->pix, (unsigned long) g->width * (unsigned long) g->height, NULL);
	zbar_scan_image (sc, img);
	for (const zbar_symbol_t *s = zbar_image_first_symbol (img); s && ng < 32; s = zbar_symbol_next (s)) {
		got[ng] = xstrdup (zbar_symbol_get_data (s));
		corpus_drop (got[ng], "\x1d");
		ng++;
	}
	zbar_image_destroy (img);
	zbar_image_scanner_destroy (sc);
	qsort (w, (size_t) nw, sizeof *w, corpus_cmp);
	qsort (got, (size_t) ng, sizeof *got, corpus_cmp);
	int rc = 0;
	if (nw != ng)
		rc = -1;
	for (int i = 0; rc == 0 && i < nw; i++)
		rc = strcmp (w[i], got[i]) == 0 ? 0 : -1;
	if (rc < 0)
		*why = xasprintf ("zbar read %d symbol(s) (first \"%s\"), the layout drew %d (first \"%s\")", ng,
		    ng ? got[0] : "", nw, w[0]);
	for (int i = 0; i < nw; i++)
		free (w[i]);
	for (int i = 0; i < ng; i++)
		free (got[i]);
	return rc;
}

/* libdmtx on each DataMatrix element's box (a whole page takes it seconds). */
static int
corpus_dmtx (const struct label_layout *l, const struct label_page *page, int dpi, const struct label_grey *g,
    const struct corpus_syms *want, char **why)
{
	for (int i = 0; i < want->n; i++) {
		if (strstr (want->s[i].symbology, "datamatrix") == NULL)
			continue;
		const struct label_element *e = NULL;
		for (size_t k = 0; k < l->nelements; k++)
			if (strcmp (l->elements[k].name, want->s[i].element) == 0)
				e = &l->elements[k];
		int x, y, w, h, m = dpi / 10;
		label_page_box (e, dpi, &x, &y, &w, &h);
		x += page->ox - m, y += page->oy - m, w += 2 * m, h += 2 * m;
		unsigned char *crop = xmalloc ((size_t) w * (size_t) h);
		for (int r = 0; r < h; r++)
			memcpy (crop + (size_t) r * (size_t) w, g->pix + (size_t) (y + r) * (size_t) g->stride + (size_t) x,
			    (size_t) w);
		DmtxImage *img = dmtxImageCreate (crop, w, h, DmtxPack8bppK);
		DmtxDecode *dec = dmtxDecodeCreate (img, 1);
		DmtxTime t = dmtxTimeAdd (dmtxTimeNow (), 3000);
		DmtxRegion *reg = dmtxRegionFindNext (dec, &t);
		DmtxMessage *msg = reg ? dmtxDecodeMatrixRegion (dec, reg, DmtxUndefined) : NULL;
		char *got = NULL;
		if (msg) {
			got = xstrndup ((const char *) msg->output, msg->outputIdx);
			corpus_drop (got, "\x1d\xe8");
			dmtxMessageDestroy (&msg);
		}
		if (reg)
			dmtxRegionDestroy (&reg);
		dmtxDecodeDestroy (&dec);
		dmtxImageDestroy (&img);
		free (crop);
		char *exp = xstrdup (want->s[i].data);
		if (strstr (want->s[i].symbology, "gs1"))
			corpus_drop (exp, "()");
		int bad = got == NULL || strcmp (got, exp) != 0;
		if (bad)
			*why = xasprintf ("dmtx read \"%s\" in '%s', the layout drew \"%s\"", got ? got : "(nothing)",
			    want->s[i].element, exp);
		free (got);
		free (exp);
		if (bad)
			return -1;
	}
	return 0;
}

/* The corpus run of one layout. */
struct corpus {
	const char *name;
	struct label_layout *l;
	const struct label_element *table;	/* customs papers: the table of lines, else NULL */
	bool hash_only;
	int dpi;
	struct label_page page;
	FILE *hashes;
	json_t *all;			/* every shipment that rendered, in order: the PDF's pages */
	struct corpus_syms *syms;	/* what each of them drew */
	size_t nall;
};

/* A page read back: zbar and dmtx read the same pixels zxing did. */
struct corpus_read {
	struct corpus *c;
	const struct corpus_syms *syms;	/* one label's, or NULL: the PDF's, by page */
	struct label_grey keep;		/* a copy of the page (PNG), for the ZPL to be compared with */
	bool want_copy;
	size_t pages;			/* how many the check handed over: a second reader saw each */
	struct corpus_fails *fails;
	const char *what;
};

static void
corpus_read_page (void *arg, size_t index, const struct label_grey *g)
{
	struct corpus_read *r = arg;
	r->pages++;
	const struct corpus_syms *syms = r->syms ? r->syms : index < r->c->nall ? &r->c->syms[index] : NULL;
	char *why = NULL;
	if (syms && (corpus_zbar (g, syms, &why) < 0 || corpus_dmtx (r->c->l, &r->c->page, r->c->dpi, g, syms, &why) < 0)) {
		corpus_fail (r->fails, "%s, page %zu: %s", r->what, index + 1, why);
		free (why);
	}
	if (r->want_copy) {
		r->keep.width = g->width;
		r->keep.height = g->height;
		r->keep.stride = g->width;
		r->keep.pix = xmalloc ((size_t) g->width * (size_t) g->height);
		for (int y = 0; y < g->height; y++)
			memcpy (r->keep.pix + (size_t) y * (size_t) g->width, g->pix + (size_t) y * (size_t) g->stride,
			    (size_t) g->width);
	}
}

/* A ZPL job through the tests' own decoder, as grey. */
static int
corpus_zpl_grey (const struct label_buf *out, struct label_grey *g, char **why)
{
	char err[200];
	struct zpl_image z;
	char *job = xstrndup ((const char *) out->data, out->len);
	int rc = zpl_decode (job, &z, err, sizeof err);
	free (job);
	if (rc < 0) {
		*why = xstrdup (err);
		return -1;
	}
	g->width = g->stride = z.width;
	g->height = z.height;
	g->pix = xmalloc ((size_t) z.width * (size_t) z.height);
	for (int y = 0; y < z.height; y++)
		for (int x = 0; x < z.width; x++)
			g->pix[(size_t) y * (size_t) z.width + (size_t) x] = zpl_pixel (&z, x, y) ? 0 : 255;
	free (z.bits);
	return 0;
}

static bool
corpus_same (const struct label_grey *a, const struct label_grey *b)
{
	if (a->pix == NULL || b->pix == NULL || a->width != b->width || a->height != b->height)
		return false;
	for (int y = 0; y < a->height; y++)
		if (memcmp (a->pix + (size_t) y * (size_t) a->stride, b->pix + (size_t) y * (size_t) b->stride,
		    (size_t) a->width) != 0)
			return false;
	return true;
}

/*
 * The customs lines of an order as hub-customs.c puts them in a shipment: one object a line
 * (description cut at 40 characters, quantity, HS code, origin, "value CURRENCY", weight_kg
 * as "k.ggg"), the same as columns, and the totals. Items from the address's own script.
 */
static json_t *
corpus_customs (const json_t *items, size_t index)
{
	static const char *const origins[] = { "GB", "CN", "IT", "PT", "IN", "TR", "FR" };
	size_t nitem = json_array_size (items), nlines = 2 + index % 4;
	json_t *customs = json_object (), *lines = json_array ();
	static const char *const cols[] = { "description", "quantity", "hs_code", "origin", "value", "weight_kg" };
	json_t *list[6];
	for (size_t c = 0; c < 6; c++) {
		list[c] = json_array ();
		json_object_set_new (customs, cols[c], list[c]);
	}
	long long pence = 0, grams = 0, count = 0;
	for (size_t k = 0; k < nlines && k < nitem; k++) {
		const json_t *it = json_array_get (items, (index + k) % nitem);
		const char *d = json_string_value (json_object_get (it, "description"));
		long long q = (long long) k + 1, v = 1000LL * ((long long) index + 1) + 137LL * (long long) k + 99;
		long long g = (150LL + 37LL * (long long) k + (long long) index) * q;
		json_t *row = json_object ();
		json_object_set_new (row, "description", json_stringn (d, (size_t) (label_text_skip (d, 40) - d)));
		json_object_set_new (row, "quantity", json_sprintf ("%lld", q));
		json_object_set (row, "hs_code", json_object_get (it, "hs_code"));
		json_object_set_new (row, "origin", json_string (origins[(index + k) % nitems (origins)]));
		json_object_set_new (row, "value", json_sprintf ("%lld.%02lld GBP", v / 100, v % 100));
		json_object_set_new (row, "weight_kg", json_sprintf ("%lld.%03lld", g / 1000, g % 1000));
		for (size_t c = 0; c < 6; c++)
			json_array_append (list[c], json_object_get (row, cols[c]));
		json_array_append_new (lines, row);
		pence += v;
		grams += g;
		count += q;
	}
	json_object_set_new (customs, "lines", lines);
	json_object_set_new (customs, "total_value", json_sprintf ("%lld.%02lld", pence / 100, pence % 100));
	json_object_set_new (customs, "currency", json_string ("GBP"));
	json_object_set_new (customs, "total_weight_kg", json_sprintf ("%lld.%03lld", grams / 1000, grams % 1000));
	json_object_set_new (customs, "items", json_integer (count));
	return customs;
}

static json_t *
corpus_shipment (const json_t *base, const json_t *addr, const json_t *items, size_t index)
{
	json_t *s = json_deep_copy (base);
	json_t *to = json_deep_copy (addr);
	json_object_del (to, "no_latin_form"); /* the corpus's own mark, not an address field */
	json_object_set_new (s, "recipient", to);
	if (items)
		json_object_set_new (s, "customs", corpus_customs (items, index));
	return s;
}

/* One label in PNG then ZPL, each read back; what it drew goes to syms. 0 if the PNG rendered (so
 * the label has a page in the PDF), else -1. */
static int
corpus_label (struct corpus *c, const json_t *s, const char *family, size_t i, struct corpus_syms *syms,
    struct corpus_fails *fp, struct corpus_fails *fz, bool no_latin, int *refused)
{
	const char *who = json_string_value (json_object_get (json_object_get (s, "recipient"), "name"));
	struct label_options opt = { .format = LABEL_FORMAT_PNG, .dpi = c->dpi, .on_barcode = corpus_collect,
		.on_barcode_arg = syms };
	struct label_buf out = { 0 };
	char *why = NULL;
	struct corpus_read r = { .c = c, .syms = syms, .want_copy = true, .fails = fp, .what = "png" };
	if (label_render (c->l, s, &opt, &out, &why) < 0) {
		/* A script with no Latin form (ICU has none for Sinhala, Khmer, Lao) on a layout whose barcode takes
		 * Latin letters alone: refused, saying so, is the right answer; any other refusal is a failure. */
		if (no_latin && why && strstr (why, "has characters with no Latin form")) {
			(*refused)++;
			free (why);
			return -1;
		}
		corpus_fail (fp, "%s %zu (%s): %s", family, i, who, why);
		corpus_fail (fz, "%s %zu (%s): no PNG to compare with", family, i, who);
		free (why);
		return -1;
	}
	fprintf (c->hashes, "%s %zu png %016llx\n", family, i, (unsigned long long) corpus_hash (out.data, out.len));
	struct label_options vopt = { .format = LABEL_FORMAT_PNG, .dpi = c->dpi };
	if (!c->hash_only && label_verify_pages (c->l, s, &vopt, &out, corpus_read_page, &r, &why) < 0) {
		corpus_fail (fp, "%s %zu (%s): %s", family, i, who, why);
		free (why);
		why = NULL;
	} else if (!c->hash_only && r.pages != 1)
		corpus_fail (fp, "%s %zu (%s): the check read %zu pages of the PNG's one", family, i, who, r.pages);
	free (out.data);
	out.data = NULL;

	opt.format = vopt.format = LABEL_FORMAT_ZPL;
	opt.on_barcode = NULL;
	int rc = label_render (c->l, s, &opt, &out, &why);
	if (rc == 0)
		fprintf (c->hashes, "%s %zu zpl %016llx\n", family, i, (unsigned long long) corpus_hash (out.data, out.len));
	if (rc == 0 && !c->hash_only)
		rc = label_verify (c->l, s, &vopt, &out, &why);
	struct label_grey g = { 0 };
	if (rc == 0 && !c->hash_only && (rc = corpus_zpl_grey (&out, &g, &why)) == 0 && !corpus_same (&g, &r.keep)) {
		rc = -1;
		why = xstrdup ("its page, read by the tests' own ZPL decoder, differs from the PNG page");
	}
	if (rc < 0)
		corpus_fail (fz, "%s %zu (%s): %s", family, i, who, why);
	free (why);
	free (g.pix);
	free (r.keep.pix);
	free (out.data);
	return 0;
}

/* pdftotext -bbox of a file: its output (the caller frees), or NULL. Run without a shell. */
static char *
corpus_pdftotext (const char *path)
{
	int fd[2];
	if (pipe (fd) < 0)
		return NULL;
	pid_t pid = fork ();
	if (pid == 0) {
		dup2 (fd[1], 1);
		close (fd[0]);
		close (fd[1]);
		execlp ("pdftotext", "pdftotext", "-bbox", "-enc", "UTF-8", path, "-", (char *) NULL);
		_exit (127);
	}
	close (fd[1]);
	struct label_buf b = { 0 };
	char chunk[65536];
	ssize_t n;
	while (pid > 0 && (n = read (fd[0], chunk, sizeof chunk)) > 0)
		label_buf_append (&b, chunk, (size_t) n);
	close (fd[0]);
	int st = 0;
	if (pid < 0 || waitpid (pid, &st, 0) < 0 || !WIFEXITED (st) || WEXITSTATUS (st) != 0) {
		free (b.data);
		return NULL;
	}
	label_buf_append (&b, "", 1);
	return (char *) b.data;
}

/* A word of a page, as pdftotext -bbox gives it (points from the top left). */
struct corpus_word {
	double x0, y0, x1, y1;
	char *text;
	int line;
};
struct corpus_pdfpage {
	struct corpus_word *w;
	size_t n;
};

static void
corpus_unescape (char *s)
{
	static const struct {
		const char *ent, *ch;
	} ents[] = { { "&amp;", "&" }, { "&lt;", "<" }, { "&gt;", ">" }, { "&quot;", "\"" }, { "&apos;", "'" } };
	char *q = s;
	for (char *p = s; *p;) {
		size_t k;
		for (k = 0; k < nitems (ents) && strncmp (p, ents[k].ent, strlen (ents[k].ent)) != 0; k++)
			;
		if (k < nitems (ents)) {
			*q++ = *ents[k].ch;
			p += strlen (ents[k].ent);
		} else
			*q++ = *p++;
	}
	*q = '\0';
}

/* Only marks (a shadda, a vowel point) make no word of their own: pdftotext boxes them apart. */
static bool
corpus_only_marks (const char *s)
{
	for (const char *p = s; *p; p = g_utf8_next_char (p)) {
		GUnicodeType t = g_unichar_type (g_utf8_get_char (p));
		if (t != G_UNICODE_NON_SPACING_MARK && t != G_UNICODE_SPACING_MARK && t != G_UNICODE_ENCLOSING_MARK)
			return false;
	}
	return true;
}

static int
corpus_word_cmp (const void *a, const void *b)
{
	const struct corpus_word *x = a, *y = b;
	if (x->line != y->line)
		return x->line - y->line;
	return x->x0 < y->x0 ? -1 : x->x0 > y->x0;
}

/* The pages of pdftotext -bbox output, each word on a line (words overlapping by half their height). */
static struct corpus_pdfpage *
corpus_pdf_words (char *xml, size_t *npages)
{
	struct corpus_pdfpage *pages = NULL;
	size_t np = 0;
	for (char *p = strstr (xml, "<page "); p; p = strstr (p, "<page ")) {
		char *end = strstr (p, "</page>");
		if (end == NULL)
			break;
		*end = '\0';
		pages = xrealloc (pages, (np + 1) * sizeof *pages);
		struct corpus_pdfpage *pg = &pages[np++];
		memset (pg, 0, sizeof *pg);
		for (char *w = strstr (p, "<word "); w; w = strstr (w + 1, "<word ")) {
			struct corpus_word cw = { 0 };
			int off = 0;
			if (sscanf (w, "<word xMin=\"%lf\" yMin=\"%lf\" xMax=\"%lf\" yMax=\"%lf\">%n", &cw.x0, &cw.y0, &cw.x1,
			    &cw.y1, &off) != 4 || off == 0)
				continue;
			char *t = w + off, *te = strstr (t, "</word>");
			if (te == NULL)
				continue;
			cw.text = xstrndup (t, (size_t) (te - t));
			corpus_unescape (cw.text);
			if (corpus_only_marks (cw.text)) {
				free (cw.text);
				continue;
			}
			pg->w = xrealloc (pg->w, (pg->n + 1) * sizeof *pg->w);
			pg->w[pg->n++] = cw;
		}
		/* Lines: a word joins the first line whose first word it overlaps by half a height. */
		int nlines = 0;
		double (*lines)[2] = NULL;
		for (size_t i = 0; i < pg->n; i++) {
			struct corpus_word *w = &pg->w[i];
			int k;
			for (k = 0; k < nlines; k++) {
				double top = fmax (lines[k][0], w->y0), bottom = fmin (lines[k][1], w->y1);
				if (bottom - top > 0.5 * fmin (lines[k][1] - lines[k][0], w->y1 - w->y0))
					break;
			}
			if (k == nlines) {
				lines = xrealloc (lines, (size_t) (nlines + 1) * sizeof *lines);
				lines[nlines][0] = w->y0;
				lines[nlines][1] = w->y1;
				nlines++;
			}
			w->line = k;
		}
		/* Lines in page order, top to bottom. */
		int *rank = xcalloc ((size_t) nlines + 1, sizeof *rank);
		for (int a = 0; a < nlines; a++)
			for (int b = 0; b < nlines; b++)
				rank[a] += lines[b][0] < lines[a][0] || (lines[b][0] == lines[a][0] && b < a);
		for (size_t i = 0; i < pg->n; i++)
			pg->w[i].line = rank[pg->w[i].line];
		free (rank);
		free (lines);
		qsort (pg->w, pg->n, sizeof *pg->w, corpus_word_cmp);
		p = end + 1;
	}
	*npages = np;
	return pages;
}

static void
corpus_pdf_free (struct corpus_pdfpage *pages, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < pages[i].n; k++)
			free (pages[i].w[k].text);
		free (pages[i].w);
	}
	free (pages);
}

/*
 * Text as compared: NFKC, case folded, letters and digits only, without marks. A lam-alef
 * ligature is one glyph whose two letters pdftotext hands back in logical order inside text
 * it otherwise gives left to right: a lam and an alef side by side read as alef then lam,
 * whichever comes first.
 */
static char *
corpus_norm (const char *s)
{
	gchar *n = g_utf8_normalize (s, -1, G_NORMALIZE_NFKC), *f = g_utf8_casefold (n ? n : "", -1);
	glong len = 0;
	gunichar *u = g_utf8_to_ucs4_fast (f, -1, &len), *q = u;
	for (glong i = 0; i < len; i++) {
		GUnicodeType t = g_unichar_type (u[i]);
		if (t != G_UNICODE_NON_SPACING_MARK && t != G_UNICODE_SPACING_MARK && t != G_UNICODE_ENCLOSING_MARK
		    && g_unichar_isalnum (u[i]))
			*q++ = u[i];
	}
	len = q - u;
	for (glong i = 0; i + 1 < len; i++) {
		bool a0 = u[i] == 0x0627 || u[i] == 0x0623 || u[i] == 0x0625 || u[i] == 0x0622;
		bool a1 = u[i + 1] == 0x0627 || u[i + 1] == 0x0623 || u[i + 1] == 0x0625 || u[i + 1] == 0x0622;
		if ((u[i] == 0x0644 && a1) || (a0 && u[i + 1] == 0x0644)) {
			gunichar alef = a0 ? u[i] : u[i + 1];
			u[i] = alef;
			u[i + 1] = 0x0644;
			i++;
		}
	}
	gchar *out = g_ucs4_to_utf8 (u, len, NULL, NULL, NULL);
	char *r = xstrdup (out ? out : "");
	g_free (out);
	g_free (u);
	g_free (f);
	g_free (n);
	return r;
}

static char *
corpus_reverse (const char *s)
{
	gchar *r = g_utf8_strreverse (s, -1);
	char *o = xstrdup (r);
	g_free (r);
	return o;
}

/* The normalised text of a page's words that keep takes (all if NULL), line by line, each left to right. */
static char *
corpus_text (const struct corpus_pdfpage *pg, bool (*keep) (const struct corpus_word *, void *), void *arg)
{
	GString *s = g_string_new (NULL);
	for (size_t i = 0; i < pg->n; i++)
		if (keep == NULL || keep (&pg->w[i], arg)) {
			g_string_append (s, pg->w[i].text);
			g_string_append_c (s, ' ');
		}
	char *n = corpus_norm (s->str);
	g_string_free (s, TRUE);
	return n;
}

/* Every word of value is in text, as written or (right-to-left text read back left to right) reversed. */
static bool
corpus_has_words (const char *text, const char *value, char **missing)
{
	gchar *n = g_utf8_normalize (value, -1, G_NORMALIZE_NFKC);
	bool ok = true;
	for (const char *p = n; *p && ok;) {
		while (*p && !g_unichar_isalnum (g_utf8_get_char (p)))
			p = g_utf8_next_char (p);
		const char *start = p;
		while (*p) {
			gunichar c = g_utf8_get_char (p);
			GUnicodeType t = g_unichar_type (c);
			if (!g_unichar_isalnum (c) && t != G_UNICODE_NON_SPACING_MARK && t != G_UNICODE_SPACING_MARK)
				break;
			p = g_utf8_next_char (p);
		}
		if (p == start)
			break;
		char *w = xstrndup (start, (size_t) (p - start)), *wn = corpus_norm (w), *raw = corpus_reverse (w),
		    *rn = corpus_norm (raw);
		ok = *wn == '\0' || strstr (text, wn) || strstr (text, rn);
		if (!ok)
			*missing = xstrdup (w);
		free (w);
		free (wn);
		free (raw);
		free (rn);
	}
	g_free (n);
	return ok;
}

/* A table's column, in the page's points. */
struct corpus_band {
	double x0, x1, y0, y1;
};

static bool
corpus_in_band (const struct corpus_word *w, void *arg)
{
	const struct corpus_band *b = arg;
	double cx = (w->x0 + w->x1) / 2, cy = (w->y0 + w->y1) / 2;
	return cx >= b->x0 && cx < b->x1 && cy >= b->y0 && cy < b->y1;
}

/* The word in column band starting with text, nearest the top of the band; NULL if none. */
static const struct corpus_word *
corpus_find (const struct corpus_pdfpage *pg, const struct corpus_band *b, const char *text)
{
	const struct corpus_word *best = NULL;
	for (size_t i = 0; i < pg->n; i++)
		if (corpus_in_band (&pg->w[i], (void *) b) && strcmp (pg->w[i].text, text) == 0
		    && (best == NULL || pg->w[i].y0 < best->y0))
			best = &pg->w[i];
	return best;
}

/*
 * The rows of a customs table on one page: each row's HS code found in its column; its
 * quantity, origin, value and weight on the same line; its description's first line there
 * too, and its whole description between its own top and the next row's. *wrapped counts
 * the descriptions of more than one line.
 */
static int
corpus_rows (const struct corpus *c, const struct corpus_pdfpage *pg, const json_t *lines, int *wrapped, char **why)
{
	const struct label_element *e = c->table;
	double pt = 72.0 / 25.4, ox = c->page.ox * 72.0 / c->dpi, oy = c->page.oy * 72.0 / c->dpi;
	struct corpus_band col[16];
	double x = ox + e->x * pt;
	for (size_t k = 0; k < e->ncolumns && k < 16; k++) {
		col[k] = (struct corpus_band) { x, x + e->columns[k].w * pt, oy + e->y * pt, oy + (e->y + e->h) * pt };
		x += e->columns[k].w * pt;
	}
	static const char *const keys[] = { "description", "quantity", "hs_code", "origin", "value", "weight_kg" };
	if (e->ncolumns != nitems (keys)) {
		*why = xstrdup ("the table's columns are not description, quantity, HS code, origin, value, weight");
		return -1;
	}
	size_t n = json_array_size (lines);
	double *top = xcalloc (n + 1, sizeof *top), *bottom = xcalloc (n + 1, sizeof *bottom);
	int rc = 0;
	for (size_t j = 0; j < n && rc == 0; j++) {
		const char *hs = json_string_value (json_object_get (json_array_get (lines, j), "hs_code"));
		const struct corpus_word *w = corpus_find (pg, &col[2], hs);
		if (w == NULL || (j > 0 && w->y0 <= top[j - 1])) {
			*why = xasprintf ("row %zu: HS code %s %s", j + 1, hs, w ? "above the row before it" : "not in its column");
			rc = -1;
			break;
		}
		top[j] = w->y0;
		bottom[j] = w->y1;
	}
	top[n] = col[0].y1;
	for (size_t j = 0; j < n && rc == 0; j++) {
		const json_t *row = json_array_get (lines, j);
		for (size_t k = 1; k < nitems (keys) && rc == 0; k++) {
			char *want = xstrdup (json_string_value (json_object_get (row, keys[k])));
			want[strcspn (want, " ")] = '\0';
			struct corpus_band b = col[k];
			b.y0 = top[j] - 1;
			b.y1 = top[j + 1] - 1;
			const struct corpus_word *w = corpus_find (pg, &b, want);
			/* On the description's first line: the same line as the HS code. */
			if (w == NULL || w->y1 < top[j] || w->y0 > bottom[j]) {
				*why = xasprintf ("row %zu: %s %s is not on its item's line", j + 1, keys[k], want);
				rc = -1;
			}
			free (want);
		}
		if (rc < 0)
			break;
		/* The description: between this row's top and the next's, its first line level with the HS code. */
		struct corpus_band b = col[0];
		b.y0 = top[j] - 1;
		b.y1 = top[j + 1] - 1;
		double first = 1e9;
		int lmin = 1 << 30, lmax = -1;
		for (size_t i = 0; i < pg->n; i++)
			if (corpus_in_band (&pg->w[i], &b)) {
				first = fmin (first, pg->w[i].y0);
				lmin = pg->w[i].line < lmin ? pg->w[i].line : lmin;
				lmax = pg->w[i].line > lmax ? pg->w[i].line : lmax;
			}
		const char *desc = json_string_value (json_object_get (row, "description"));
		char *text = corpus_text (pg, corpus_in_band, &b), *missing = NULL;
		if (first > bottom[j] || !corpus_has_words (text, desc, &missing)) {
			*why = xasprintf ("row %zu: description \"%s\" %s%s", j + 1, desc,
			    first > bottom[j] ? "does not start on its row's line" : "is not all inside its row: missing ",
			    missing ? missing : "");
			rc = -1;
		}
		*wrapped += lmax > lmin;
		free (missing);
		free (text);
	}
	free (top);
	free (bottom);
	return rc;
}

/* The PDF through pdftotext: names, towns; customs rows. */
static void
corpus_pdf_text (struct corpus *c, const char *path)
{
	char *xml = corpus_pdftotext (path);
	if (xml == NULL) {
		printf ("ok %d - %s pdf: pdftotext # SKIP pdftotext did not run (poppler-utils)\n", ++corpus_n, c->name);
		return;
	}
	size_t np = 0;
	struct corpus_pdfpage *pages = corpus_pdf_words (xml, &np);
	struct corpus_fails f = { 0 }, rows = { 0 };
	int wrapped = 0, nrows = 0;
	for (size_t i = 0; i < c->nall; i++) {
		const json_t *s = json_array_get (c->all, i), *r = json_object_get (s, "recipient");
		if (i >= np) {
			corpus_fail (&f, "the PDF has %zu pages for %zu labels", np, c->nall);
			break;
		}
		char *text = corpus_text (&pages[i], NULL, NULL);
		static const char *const fields[] = { "name", "town" };
		for (size_t k = 0; k < nitems (fields); k++) {
			const char *v = json_string_value (json_object_get (r, fields[k]));
			char *missing = NULL;
			if (v && !corpus_has_words (text, v, &missing))
				corpus_fail (&f, "page %zu: %s \"%s\" (its word \"%s\")", i + 1, fields[k], v, missing);
			free (missing);
		}
		/* The exporter's numbers on a paper whose layout prints them. */
		const json_t *sender = json_object_get (s, "sender");
		static const char *const ids[] = { "eori", "vat" };
		for (size_t k = 0; c->table && k < nitems (ids); k++) {
			char key[32], *missing = NULL;
			snprintf (key, sizeof key, "sender.%s", ids[k]);
			const char *v = json_string_value (json_object_get (sender, ids[k]));
			bool printed = false;
			for (size_t e = 0; e < c->l->nelements; e++)
				printed = printed || (c->l->elements[e].text && strstr (c->l->elements[e].text, key));
			if (printed && v && !corpus_has_words (text, v, &missing))
				corpus_fail (&f, "page %zu: the exporter's %s %s is not on it", i + 1, ids[k], v);
			free (missing);
		}
		free (text);
		if (c->table) {
			char *why = NULL;
			const json_t *lines = json_object_get (json_object_get (s, "customs"), "lines");
			nrows += (int) json_array_size (lines);
			if (corpus_rows (c, &pages[i], lines, &wrapped, &why) < 0)
				corpus_fail (&rows, "page %zu (%s): %s", i + 1, json_string_value (json_object_get (r, "name")), why);
			free (why);
		}
	}
	corpus_ok (f.n == 0, "%s pdf: pdftotext finds every recipient's name and town on its page", c->name);
	corpus_report (&f);
	if (c->table) {
		corpus_ok (rows.n == 0 && wrapped > 0, "%s pdf: %d items, %d descriptions wrapped; each item's quantity, HS "
		    "code, origin, value and weight on its description's first line, the description inside its row",
		    c->name, nrows, wrapped);
		corpus_report (&rows);
	}
	corpus_pdf_free (pages, np);
	free (xml);
}

int
main (int argc, char **argv)
{
	if (argc < 5) {
		fprintf (stderr, "usage: test-corpus LAYOUT SHIPMENT.json ADDRESSES.json OUTDIR [--items ITEMS.json] "
		    "[--hash-only]\n");
		return 2;
	}
	struct corpus c = { .name = argv[1], .dpi = 203 };
	json_t *items = NULL;
	json_error_t jerr;
	for (int i = 5; i < argc; i++) {
		if (strcmp (argv[i], "--hash-only") == 0)
			c.hash_only = true;
		else if (strcmp (argv[i], "--items") == 0 && i + 1 < argc && (items = json_load_file (argv[++i], 0, &jerr)) == NULL) {
			printf ("Bail out! %s: %s\n", argv[i], jerr.text);
			return 1;
		}
	}
	char *cause = NULL;
	c.l = label_layout_load (argv[1], &cause);
	json_t *base = json_load_file (argv[2], 0, &jerr), *corpus = base ? json_load_file (argv[3], 0, &jerr) : NULL;
	if (c.l == NULL || base == NULL || corpus == NULL) {
		printf ("Bail out! %s\n", c.l ? jerr.text : cause);
		return 1;
	}
	for (size_t k = 0; k < c.l->nelements; k++)
		if (c.l->elements[k].type == LABEL_EL_TABLE)
			c.table = &c.l->elements[k];
	if (c.table && items == NULL) {
		printf ("Bail out! layout %s has a table: give its rows with --items\n", argv[1]);
		return 1;
	}
	/* Customs papers are PDF documents, drawn at 300 dpi as the hub draws them. */
	if (c.table)
		c.dpi = 300;
	char path[4096];
	snprintf (path, sizeof path, "%s/%s%s.hashes", argv[4], argv[1], c.hash_only ? "-2" : "");
	c.hashes = fopen (path, "w");
	struct label_options popt = { .format = LABEL_FORMAT_PDF, .dpi = c.dpi };
	label_page_of (c.l, &popt, &c.page, &cause);
	c.all = json_array ();
	c.syms = xcalloc (1, sizeof *c.syms);

	const char *family;
	json_t *addrs;
	json_object_foreach (corpus, family, addrs) {
		struct corpus_fails fp = { 0 }, fz = { 0 };
		size_t i;
		json_t *a;
		int refused = 0;
		json_array_foreach (addrs, i, a) {
			json_t *s = corpus_shipment (base, a, c.table ? json_object_get (items, family) : NULL, i);
			struct corpus_syms syms = { .n = 0 };
			bool no_latin = json_is_true (json_object_get (a, "no_latin_form"));
			if (!c.table && corpus_label (&c, s, family, i, &syms, &fp, &fz, no_latin, &refused) < 0) {
				corpus_syms_free (&syms);
				json_decref (s);
				continue;
			}
			c.syms = xrealloc (c.syms, (c.nall + 1) * sizeof *c.syms);
			c.syms[c.nall++] = syms;
			json_array_append_new (c.all, s);
		}
		if (c.table)
			continue;
		char also[96] = "";
		if (refused)
			snprintf (also, sizeof also, " (%d more refused for a barcode of Latin letters: no Latin form)", refused);
		corpus_ok (fp.n == 0, "%s %s png: %zu labels rendered%s%s", argv[1], family, json_array_size (addrs)
		    - (size_t) refused, also, c.hash_only ? "" : ", every barcode read back by zxing and, on the same pixels, zbar/dmtx");
		corpus_report (&fp);
		corpus_ok (fz.n == 0, "%s %s zpl: %zu labels rendered%s", argv[1], family, json_array_size (addrs) - (size_t) refused,
		    c.hash_only ? "" : ", every barcode read back by zxing, every page the PNG's dot for dot");
		corpus_report (&fz);
	}

	/* Everything that rendered as one PDF, a page a label: read back page by page. */
	struct label_options opt = { .format = LABEL_FORMAT_PDF, .dpi = c.dpi };
	struct label_buf pdf = { 0 };
	char *why = NULL;
	struct corpus_fails fpdf = { 0 };
	int rc = label_render (c.l, c.all, &opt, &pdf, &why);
	if (rc == 0)
		fprintf (c.hashes, "all %zu pdf %016llx\n", c.nall, (unsigned long long) corpus_hash_pdf (&pdf));
	struct corpus_read r = { .c = &c, .fails = &fpdf, .what = "pdf" };
	/* A paper without barcodes has nothing for a second reader: the check alone. */
	if (rc == 0 && !c.hash_only)
		rc = label_verify_pages (c.l, c.all, &opt, &pdf, c.table ? NULL : corpus_read_page, &r, &why);
	if (rc == 0 && !c.hash_only && !c.table && r.pages != c.nall)
		corpus_fail (&fpdf, "the check read %zu pages of the PDF's %zu", r.pages, c.nall);
	if (!c.hash_only) {
		if (c.table)
			corpus_ok (rc == 0, "%s pdf: %zu pages rendered at %d dpi, as the hub draws the paper", argv[1], c.nall, c.dpi);
		else
			corpus_ok (rc == 0 && fpdf.n == 0, "%s pdf: %zu pages rendered, every barcode read back by zxing and, on "
			    "the same pixels, zbar/dmtx", argv[1], c.nall);
		if (rc != 0)
			printf ("#   %s\n", why);
		corpus_report (&fpdf);
	}
	if (rc == 0 && !c.hash_only) {
		snprintf (path, sizeof path, "%s/%s.pdf", argv[4], argv[1]);
		FILE *f = fopen (path, "wb");
		bool written = f && fwrite (pdf.data, 1, pdf.len, f) == pdf.len;
		if (f && fclose (f) != 0)
			written = false;
		if (written)
			corpus_pdf_text (&c, path);
		else
			corpus_ok (0, "%s pdf: written to %s for pdftotext", argv[1], path);
	}
	free (why);
	free (pdf.data);
	fclose (c.hashes);
	for (size_t i = 0; i < c.nall; i++)
		corpus_syms_free (&c.syms[i]);
	free (c.syms);
	json_decref (c.all);
	json_decref (base);
	json_decref (corpus);
	json_decref (items);
	label_layout_destroy (&c.l);
	label_shutdown ();
	printf ("1..%d\n", corpus_n);
	return corpus_failed;
}
