/*
 * test-corpus: render every address of the corpus (tests/labels/corpus/addresses.json:
 * Latin with diacritics, Cyrillic, Greek, Arabic, Hebrew, CJK, long UK business
 * addresses) on one layout as PNG, ZPL and PDF, in one process, and read every
 * barcode back with two independent readers: the library's own check
 * (label_verify, zxing-cpp) and, for the symbols they read, zbar (Code 128,
 * GS1-128, QR) and libdmtx (DataMatrix). What they read must be what the
 * shipment asked for. The PDF is written for pdftotext (corpus.sh).
 *
 *   test-corpus LAYOUT SHIPMENT.json ADDRESSES.json OUTDIR [--hash-only]
 *
 * Prints TAP, and OUTDIR/LAYOUT.hashes: one line per label and format with a
 * hash of the bytes, so two runs under different fontconfig setups can be
 * compared; --hash-only renders without reading back (the second run).
 */
#include "config.h"
#include "label-int.h"
#include "util.h"
#include "zpl-decode.h"

#include <dmtx.h>
#include <stdarg.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	s->data = strdup (data);
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
	for (int i = 0; i < want->n; i++) {
		const char *sy = want->s[i].symbology;
		if (strcmp (sy, "code128") && strcmp (sy, "gs1-128") && strcmp (sy, "dpd") && strcmp (sy, "qr"))
			continue;
		w[nw] = strdup (want->s[i].data);
		if (strcmp (sy, "gs1-128") == 0)
			corpus_drop (w[nw], "()");
		nw++;
	}
	if (nw == 0)
		return 0;
	zbar_image_scanner_t *sc = zbar_image_scanner_create ();
	zbar_image_scanner_set_config (sc, 0, ZBAR_CFG_ENABLE, 0);
	zbar_image_scanner_set_config (sc, ZBAR_CODE128, ZBAR_CFG_ENABLE, 1);
	zbar_image_scanner_set_config (sc, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
	/* Every third row and column is plenty for symbols drawn at 0.25 mm and more. */
	zbar_image_scanner_set_config (sc, 0, ZBAR_CFG_X_DENSITY, 3);
	zbar_image_scanner_set_config (sc, 0, ZBAR_CFG_Y_DENSITY, 3);
	zbar_image_t *img = zbar_image_create ();
	zbar_image_set_format (img, zbar_fourcc ('Y', '8', '0', '0'));
	zbar_image_set_size (img, (unsigned) g->width, (unsigned) g->height);
	zbar_image_set_data (img, g->pix, (unsigned long) g->width * (unsigned long) g->height, NULL);
	zbar_scan_image (sc, img);
	for (const zbar_symbol_t *s = zbar_image_first_symbol (img); s && ng < 32; s = zbar_symbol_next (s)) {
		got[ng] = strdup (zbar_symbol_get_data (s));
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
	if (rc < 0 && asprintf (why, "zbar read %d symbol(s) (first \"%s\"), the layout drew %d (first \"%s\")", ng,
	    ng ? got[0] : "", nw, w[0]) < 0)
		abort ();
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
		label_render_box (e, dpi, &x, &y, &w, &h);
		x += page->ox - m, y += page->oy - m, w += 2 * m, h += 2 * m;
		unsigned char *crop = malloc ((size_t) w * (size_t) h);
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
			got = strndup ((const char *) msg->output, msg->outputIdx);
			corpus_drop (got, "\x1d\xe8");
			dmtxMessageDestroy (&msg);
		}
		if (reg)
			dmtxRegionDestroy (&reg);
		dmtxDecodeDestroy (&dec);
		dmtxImageDestroy (&img);
		free (crop);
		char *exp = strdup (want->s[i].data);
		if (strstr (want->s[i].symbology, "gs1"))
			corpus_drop (exp, "()");
		int bad = got == NULL || strcmp (got, exp) != 0;
		if (bad && asprintf (why, "dmtx read \"%s\" in '%s', the layout drew \"%s\"", got ? got : "(nothing)",
		    want->s[i].element, exp) < 0)
			abort ();
		free (got);
		free (exp);
		if (bad)
			return -1;
	}
	return 0;
}

static json_t *
corpus_shipment (const json_t *base, const json_t *addr)
{
	json_t *s = json_deep_copy (base);
	json_t *r = json_deep_copy (addr);
	json_object_set_new (s, "recipient", r);
	return s;
}

int
main (int argc, char **argv)
{
	if (argc < 5) {
		fprintf (stderr, "usage: test-corpus LAYOUT SHIPMENT.json ADDRESSES.json OUTDIR [--hash-only]\n");
		return 2;
	}
	bool hash_only = argc > 5 && strcmp (argv[5], "--hash-only") == 0;
	char *cause = NULL;
	struct label_layout *l = label_layout_load (argv[1], &cause);
	json_error_t jerr;
	json_t *base = json_load_file (argv[2], 0, &jerr), *corpus = json_load_file (argv[3], 0, &jerr);
	if (l == NULL || base == NULL || corpus == NULL) {
		printf ("Bail out! %s\n", l ? jerr.text : cause);
		return 1;
	}
	char path[4096];
	snprintf (path, sizeof path, "%s/%s%s.hashes", argv[4], argv[1], hash_only ? "-2" : "");
	FILE *hashes = fopen (path, "w");
	const int dpi = 203;
	struct label_page page;
	struct label_options popt = { .format = LABEL_FORMAT_PNG, .dpi = dpi };
	label_render_page (l, &popt, &page, &cause);
	json_t *all = json_array ();
	const char *family;
	json_t *addrs;
	json_object_foreach (corpus, family, addrs) {
		static const enum label_format fmts[] = { LABEL_FORMAT_PNG, LABEL_FORMAT_ZPL };
		static const char *const names[] = { "png", "zpl" };
		/* The PNG page of each label, which its ZPL page must equal dot for dot. */
		struct label_grey pngs[64] = { { 0 } };
		for (size_t f = 0; f < (hash_only ? 1 : 2); f++) {
			int bad = 0;
			char *first = NULL;
			size_t i;
			json_t *a;
			json_array_foreach (addrs, i, a) {
				json_t *s = corpus_shipment (base, a);
				if (f == 0)
					json_array_append (all, s);
				struct corpus_syms syms = { .n = 0 };
				struct label_options opt = { .format = fmts[f], .dpi = dpi, .on_barcode = corpus_collect,
					.on_barcode_arg = &syms };
				struct label_buf out = { 0 };
				char *why = NULL;
				int rc = label_render (l, s, &opt, &out, &why);
				if (rc == 0)
					fprintf (hashes, "%s %zu %s %016llx\n", family, i, names[f],
					    (unsigned long long) corpus_hash (out.data, out.len));
				if (rc == 0 && !hash_only) {
					struct label_options vopt = { .format = fmts[f], .dpi = dpi };
					rc = label_verify (l, s, &vopt, &out, &why);
				}
				if (rc == 0 && !hash_only) {
					struct label_grey g = { 0 };
					if (fmts[f] == LABEL_FORMAT_PNG)
						rc = label_canvas_read_png (out.data, out.len, &g, &why);
					else {
						/* The ZPL through the tests' own decoder, written apart from the library's. */
						char err[200];
						struct zpl_image z;
						char *job = strndup ((const char *) out.data, out.len);
						rc = zpl_decode (job, &z, err, sizeof err);
						free (job);
						if (rc == 0) {
							g.width = g.stride = z.width;
							g.height = z.height;
							g.pix = malloc ((size_t) z.width * (size_t) z.height);
							for (int yy = 0; yy < z.height; yy++)
								for (int xx = 0; xx < z.width; xx++)
									g.pix[(size_t) yy * (size_t) z.width + (size_t) xx] =
									    zpl_pixel (&z, xx, yy) ? 0 : 255;
							free (z.bits);
						} else
							why = strdup (err);
					}
					if (rc == 0 && f == 1 && i < nitems (pngs) && pngs[i].pix) {
						/* The ZPL page is the PNG page, so what zbar and dmtx read there holds here. */
						bool same = pngs[i].width == g.width && pngs[i].height == g.height;
						for (int yy = 0; same && yy < g.height; yy++)
							same = memcmp (pngs[i].pix + (size_t) yy * (size_t) pngs[i].stride,
							    g.pix + (size_t) yy * (size_t) g.stride, (size_t) g.width) == 0;
						if (!same) {
							rc = -1;
							why = strdup ("the ZPL page differs from the PNG page");
						}
					} else {
						if (rc == 0)
							rc = corpus_zbar (&g, &syms, &why);
						if (rc == 0)
							rc = corpus_dmtx (l, &page, dpi, &g, &syms, &why);
					}
					if (f == 0 && i < nitems (pngs)) {
						pngs[i] = g;
						g.pix = NULL;
					}
					free (g.pix);
				}
				if (rc != 0) {
					bad++;
					if (first == NULL && asprintf (&first, "%s %zu (%s): %s", family, i,
					    json_string_value (json_object_get (a, "name")), why) < 0)
						abort ();
				}
				free (why);
				free (out.data);
				corpus_syms_free (&syms);
				json_decref (s);
			}
			corpus_ok (bad == 0, "%s %s %s: %zu labels rendered%s", argv[1], family, names[f],
			    json_array_size (addrs), hash_only ? "" : f == 0 ? ", every barcode read back by zxing and zbar/dmtx"
			    : ", every barcode read back by zxing, every page the PNG's dot for dot");
			if (first)
				printf ("#   %d failed; the first: %s\n", bad, first);
			free (first);
		}
		for (size_t i = 0; i < nitems (pngs); i++)
			free (pngs[i].pix);
	}
	/* The whole corpus as one PDF, a page a label: read back page by page. */
	struct corpus_syms syms = { .n = 0 };
	struct label_options opt = { .format = LABEL_FORMAT_PDF, .dpi = dpi };
	struct label_buf pdf = { 0 };
	char *why = NULL;
	int rc = hash_only ? 0 : label_render (l, all, &opt, &pdf, &why);
	if (rc == 0 && !hash_only)
		rc = label_verify (l, all, &opt, &pdf, &why);
	int bad2 = 0;
	char *first = NULL;
	for (size_t i = 0; rc == 0 && !hash_only && i < json_array_size (all); i++) {
		struct label_grey g = { 0 };
		char *w2 = NULL;
		struct label_options copt = { .format = LABEL_FORMAT_PNG, .dpi = dpi, .on_barcode = corpus_collect,
			.on_barcode_arg = &syms };
		struct label_buf png = { 0 };
		/* What the page must carry: the same label drawn again, listing its barcodes. */
		int r2 = label_render (l, json_array_get (all, i), &copt, &png, &w2);
		free (png.data);
		if (r2 == 0)
			r2 = label_pdf_read (pdf.data, pdf.len, (int) i, dpi, &g, &w2);
		if (r2 == 0)
			r2 = corpus_zbar (&g, &syms, &w2);
		if (r2 == 0)
			r2 = corpus_dmtx (l, &page, dpi, &g, &syms, &w2);
		if (r2 != 0 && bad2++ == 0 && asprintf (&first, "page %zu: %s", i + 1, w2) < 0)
			abort ();
		free (w2);
		free (g.pix);
		corpus_syms_free (&syms);
	}
	if (!hash_only)
		corpus_ok (rc == 0 && bad2 == 0, "%s pdf: %zu pages rendered, every barcode read back by zxing and "
		    "zbar/dmtx", argv[1], json_array_size (all));
	if (rc != 0)
		printf ("#   %s\n", why);
	if (first)
		printf ("#   %d failed; the first: %s\n", bad2, first);
	if (rc == 0 && !hash_only) {
		snprintf (path, sizeof path, "%s/%s%s.pdf", argv[4], argv[1], hash_only ? "-2" : "");
		FILE *f = fopen (path, "wb");
		fwrite (pdf.data, 1, pdf.len, f);
		fclose (f);
	}
	free (first);
	free (why);
	free (pdf.data);
	fclose (hashes);
	json_decref (all);
	json_decref (base);
	json_decref (corpus);
	label_layout_destroy (&l);
	label_shutdown ();
	printf ("1..%d\n", corpus_n);
	return corpus_failed;
}
