/*
 * label-zint.c: barcodes through libzint; the only file that includes zint.h.
 *
 * Symbols are taken as module grids (zint's raster at one pixel per module)
 * so the renderer can place every module on whole printer dots. MaxiCode's
 * hexagons cannot be a square grid, so it comes as a raster at the size asked.
 */
#include "config.h"
#include "label-int.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zint.h>

struct label_zint_sym {
	const char *name;
	int symbology;
	int input_mode;
	int option_3;
	bool linear;
	bool raster;
	int quiet;		/* modules either side (the symbology's minimum or more) */
	double min_module;	/* mm: the narrowest bar the symbology's users accept */
};

/*
 * GS1 data is written with its AIs in parentheses, "(00)395...", as on the human-readable line.
 * Text is taken as UTF-8 (UNICODE_MODE): where it is not all ISO 8859-1, zint puts in the
 * ECI of the smallest character set that holds it (ISO 8859-5 for Cyrillic, -7 Greek, -6
 * Arabic, -8 Hebrew, UTF-8 otherwise), so a reader gets back the text as written.
 * Narrowest bars: GS1-128 0.495 mm (GS1 General Specifications, logistic labels); other
 * symbols 0.25 mm, two dots of a 203 dpi head, the least the carriers' scanners read.
 */
static const struct label_zint_sym label_zint_syms[] = {
	{ "code128", BARCODE_CODE128, UNICODE_MODE, 0, true, false, 10, 0.25 },
	{ "gs1-128", BARCODE_GS1_128, GS1_MODE | GS1PARENS_MODE, 0, true, false, 10, 0.495 },
	{ "dpd", BARCODE_DPD, DATA_MODE, 0, true, false, 10, 0.25 },
	{ "datamatrix", BARCODE_DATAMATRIX, UNICODE_MODE, DM_SQUARE, false, false, 2, 0.25 },
	{ "gs1-datamatrix", BARCODE_DATAMATRIX, GS1_MODE | GS1PARENS_MODE, DM_SQUARE, false, false, 2, 0.25 },
	{ "qr", BARCODE_QRCODE, UNICODE_MODE, 0, false, false, 4, 0.25 },
	{ "pdf417", BARCODE_PDF417, UNICODE_MODE, 0, false, false, 2, 0.25 },
	{ "maxicode", BARCODE_MAXICODE, UNICODE_MODE, 0, false, true, 1, 0 },
};

static const struct label_zint_sym *
label_zint_find (const char *name)
{
	for (size_t i = 0; i < nitems (label_zint_syms); i++)
		if (strcmp (label_zint_syms[i].name, name) == 0)
			return &label_zint_syms[i];
	return NULL;
}

bool
label_zint_known (const char *symbology)
{
	return label_zint_find (symbology) != NULL;
}

double
label_zint_min_module (const char *symbology)
{
	const struct label_zint_sym *sym = label_zint_find (symbology);
	return sym ? sym->min_module : 0;
}

int
label_zint_version (void)
{
	return ZBarcode_Version ();
}

void
label_matrix_free (struct label_matrix *m)
{
	free (m->dark);
	m->dark = NULL;
}

/* MaxiCode is 1.11 x 1.054 in nominal; zint draws it about 299 dots wide at scale 1. */
#define LABEL_ZINT_MAXICODE_UNIT 299.0f

/*
 * ECIs tried, in order, for text that is not ASCII: the single-byte ISO 8859
 * sets (Latin, Cyrillic, Arabic, Greek, Hebrew...), then the double-byte sets of
 * Japanese, Chinese and Korean, then UTF-8. The first that holds the text
 * and fits the symbol wins: a Cyrillic town takes one byte a letter in ISO
 * 8859-5 where UTF-8 takes two, which is what lets it fit a MaxiCode.
 */
static const int label_zint_ecis[] = { 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 17, 18, 20, 29, 30, 26 };

/* One attempt at eci (0: zint's default, ISO 8859-1 without an ECI); the symbol, or NULL with rc set. */
static struct zint_symbol *
label_zint_try (const struct label_zint_sym *sym, const char *data, const char *primary, int size_dots,
    int eci, int *rc)
{
	struct zint_symbol *z = ZBarcode_Create ();
	if (z == NULL)
		return NULL;
	z->symbology = sym->symbology;
	z->input_mode = sym->input_mode;
	z->option_3 = sym->option_3;
	z->eci = eci;
	z->show_hrt = 0;
	z->output_options = OUT_BUFFER_INTERMEDIATE | BARCODE_NO_QUIET_ZONES;
	z->scale = 0.5f;	/* one pixel per module */
	if (sym->linear)
		z->height = 1.0f;
	if (sym->raster) {
		z->scale = (float) size_dots / LABEL_ZINT_MAXICODE_UNIT;
		if (z->scale < 0.5f)
			z->scale = 0.5f;
		z->option_1 = -1;
		if (primary != NULL)
			util_strlcpy (z->primary, primary, sizeof z->primary);
	}
	*rc = ZBarcode_Encode_and_Buffer (z, (const unsigned char *) data, (int) strlen (data), 0);
	return z;
}

int
label_zint_encode (const char *name, const char *data, const char *primary, int size_dots,
    struct label_matrix *m, char **cause)
{
	const struct label_zint_sym *sym = label_zint_find (name);
	memset (m, 0, sizeof *m);
	if (sym == NULL) {
		if (cause)
			*cause = xasprintf ("unknown symbology '%s'", name);
		return -1;
	}
	int rc = 0;
	struct zint_symbol *z = label_zint_try (sym, data, primary, size_dots, 0, &rc);
	bool eci = sym->input_mode == UNICODE_MODE && ZBarcode_Cap (sym->symbology, ZINT_CAP_ECI)
	    && !label_text_is_ascii (data);
	/* Not ISO 8859-1, or too long as zint chose: the ECIs in order. */
	for (size_t i = 0; z && eci && (rc >= ZINT_ERROR || rc == ZINT_WARN_USES_ECI) && i < nitems (label_zint_ecis); i++) {
		int r2 = 0;
		struct zint_symbol *z2 = label_zint_try (sym, data, primary, size_dots, label_zint_ecis[i], &r2);
		if (z2 && r2 < ZINT_ERROR) {
			ZBarcode_Delete (z);
			z = z2;
			rc = r2;
			break;
		}
		ZBarcode_Delete (z2);
	}
	if (z == NULL) {
		if (cause)
			*cause = xstrdup ("zint could not allocate a symbol");
		return -1;
	}
	if (rc >= ZINT_ERROR) {
		if (cause)
			*cause = xasprintf ("%s cannot encode \"%s\": %s", name, data, z->errtxt);
		ZBarcode_Delete (z);
		return -1;
	}
	m->linear = sym->linear;
	m->raster = sym->raster;
	m->quiet = sym->quiet;
	m->cols = z->bitmap_width;
	m->rows = sym->linear ? 1 : z->bitmap_height;
	m->dark = xmalloc ((size_t) m->cols * (size_t) m->rows);
	for (int r = 0; r < m->rows; r++)
		for (int c = 0; c < m->cols; c++)
			m->dark[r * m->cols + c] = z->bitmap[r * z->bitmap_width + c] == '1';
	ZBarcode_Delete (z);
	return 0;
}
