/*
 * label-verify.c: read a rendered label's barcodes back and compare each
 * with what the shipment asks it to carry (label_verify in label.h).
 *
 * Each barcode element is read on its own box (its quiet zone and a margin
 * around it) with a reader for its own symbology only: zxing-cpp 1.4 can
 * abort when asked for every format on a whole page, and a box holds one
 * symbol. Nothing is kept between calls.
 */
#include "config.h"
#include "label-int.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Around the box, in mm: a symbol drawn to the box's edge keeps some white round it. */
#define LABEL_VERIFY_MARGIN_MM 1.5

enum label_verify_kind { LABEL_VERIFY_PNG, LABEL_VERIFY_ZPL, LABEL_VERIFY_PDF };

static int
label_verify_kind (const struct label_buf *b, enum label_verify_kind *kind, char **cause)
{
	static const struct {
		const char *magic;
		enum label_verify_kind kind;
	} kinds[] = {
		{ "\x89PNG", LABEL_VERIFY_PNG }, { "^XA", LABEL_VERIFY_ZPL }, { "%PDF", LABEL_VERIFY_PDF },
	};
	for (size_t i = 0; i < nitems (kinds); i++)
		if (b->len >= strlen (kinds[i].magic) && memcmp (b->data, kinds[i].magic, strlen (kinds[i].magic)) == 0) {
			*kind = kinds[i].kind;
			return 0;
		}
	*cause = xstrdup ("the label is neither PNG, ZPL nor PDF");
	return -1;
}

/*
 * What a reader hands back for data the layout wrote. GS1 element strings
 * come back as AI and value run together, without the parentheses the
 * layouts write (and FNC1 separators, which are dropped before comparing); a
 * MaxiCode's structured carrier message comes back with its primary message
 * (postcode, country, service) set into the secondary after the "[)>RS01GS96"
 * header, as ISO/IEC 16023 says a reader transmits it.
 */
/* s without the characters in drop. */
static void
label_verify_drop (char *s, const char *drop)
{
	char *q = s;
	for (const char *p = s; *p; p++)
		if (strchr (drop, *p) == NULL)
			*q++ = *p;
	*q = '\0';
}

static bool
label_verify_gs1 (const char *symbology)
{
	return strncmp (symbology, "gs1-", 4) == 0;
}

static char *
label_verify_want (const char *symbology, const char *data, const char *primary)
{
	if (label_verify_gs1 (symbology)) {
		char *s = xstrdup (data);
		label_verify_drop (s, "()");
		return s;
	}
	if (strcmp (symbology, "maxicode") != 0 || primary == NULL)
		return xstrdup (data);
	size_t plen = strlen (primary);
	/* primary: postcode (9 digits in mode 2, else up to 6 characters), 3 country, 3 service. */
	char *post = xstrndup (primary, plen >= 6 ? plen - 6 : 0);
	char *country = xstrndup (primary + (plen >= 6 ? plen - 6 : 0), plen >= 6 ? 3 : 0);
	const char *service = plen >= 3 ? primary + plen - 3 : "";
	static const char head[] = "[)>\x1e" "01\x1d";
	char *s;
	if (strncmp (data, head, strlen (head)) == 0 && strlen (data) >= strlen (head) + 2)
		s = xasprintf ("%.*s%s\x1d%s\x1d%s\x1d%s", (int) strlen (head) + 2, data, post, country, service,
		    data + strlen (head) + 2);
	else
		s = xasprintf ("%s\x1d%s\x1d%s\x1d%s", post, country, service, data);
	free (post);
	free (country);
	return s;
}

/* Control characters shown, so a message says where two strings differ. */
static char *
label_verify_show (const char *s)
{
	size_t n = strlen (s);
	char *out = xmalloc (n * 4 + 1), *q = out;
	for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
		if (*p < 0x20)
			q += sprintf (q, "<%02X>", *p);
		else
			*q++ = (char) *p;
	}
	*q = '\0';
	return out;
}

struct label_verify_job {
	struct label_layout *layout;
	const struct label_options *opt;
	struct label_page page;
	const struct label_grey *grey;
	const json_t *shipment;
	const char *where;	/* "label 2 of 3: " or "" */
};

static int
label_verify_element (struct label_verify_job *j, const struct label_element *e, char **cause)
{
	int dpi = j->opt->dpi;
	char *data = label_page_data (j->layout, e, j->shipment, e->data, cause);
	char *primary = NULL, *want = NULL, *got = NULL, *why = NULL;
	int rc = -1;
	if (data == NULL)
		goto out;
	if (e->primary && (primary = label_page_data (j->layout, e, j->shipment, e->primary, cause)) == NULL)
		goto out;
	want = label_verify_want (e->symbology, data, primary);

	/* MaxiCode is read as the whole image (zxing finds it no other way): its box alone. */
	int x, y, w, h, m = strcmp (e->symbology, "maxicode") == 0 ? 0 : (int) (LABEL_VERIFY_MARGIN_MM * dpi / 25.4);
	label_page_box (e, dpi, &x, &y, &w, &h);
	x += j->page.ox - m;
	y += j->page.oy - m;
	w += 2 * m;
	h += 2 * m;
	if (x < 0)
		w += x, x = 0;
	if (y < 0)
		h += y, y = 0;
	if (x + w > j->grey->width)
		w = j->grey->width - x;
	if (y + h > j->grey->height)
		h = j->grey->height - y;
	if (w <= 0 || h <= 0) {
		*cause = xasprintf ("%sbarcode '%s' of layout %s is not on the page that was read (%dx%d dots)",
		    j->where, e->name, j->layout->name, j->grey->width, j->grey->height);
		goto out;
	}
	const unsigned char *crop = j->grey->pix + (size_t) y * (size_t) j->grey->stride + (size_t) x;
	if (label_zxing_read (e->symbology, crop, w, h, j->grey->stride, &got, &why) < 0) {
		char *s = label_verify_show (want);
		*cause = xasprintf ("%sbarcode '%s' (%s) of layout %s does not read back: %s; it must carry \"%s\"",
		    j->where, e->name, e->symbology, j->layout->name, why, s);
		free (s);
		goto out;
	}
	if (label_verify_gs1 (e->symbology))
		label_verify_drop (got, "\x1d");
	if (strcmp (got, want) != 0) {
		char *g = label_verify_show (got), *s = label_verify_show (want);
		*cause = xasprintf ("%sbarcode '%s' (%s) of layout %s reads \"%s\", but it must carry \"%s\"",
		    j->where, e->name, e->symbology, j->layout->name, g, s);
		free (g);
		free (s);
		goto out;
	}
	if (j->opt->on_barcode)
		j->opt->on_barcode (j->opt->on_barcode_arg, e->name, e->symbology, got);
	rc = 0;
out:
	free (data);
	free (primary);
	free (want);
	free (got);
	free (why);
	return rc;
}

static int
label_verify_page (struct label_verify_job *j, char **cause)
{
	if (j->grey->width < j->page.width || j->grey->height < j->page.height) {
		*cause = xasprintf ("%sthe page read is %dx%d dots, layout %s at %d dpi on its stock is %dx%d",
		    j->where, j->grey->width, j->grey->height, j->layout->name, j->opt->dpi, j->page.width,
		    j->page.height);
		return -1;
	}
	for (size_t i = 0; i < j->layout->nelements; i++) {
		const struct label_element *e = &j->layout->elements[i];
		if (e->type == LABEL_EL_BARCODE && label_verify_element (j, e, cause) < 0)
			return -1;
	}
	return 0;
}

int
label_verify_pages (struct label_layout *layout, const json_t *shipment, const struct label_options *opt,
    const struct label_buf *label, label_page_fn *on_page, void *on_page_arg, char **cause)
{
	struct label_verify_job j = { .layout = layout, .opt = opt, .where = "" };
	enum label_verify_kind kind;
	if (label_page_of (layout, opt, &j.page, cause) < 0 || label_verify_kind (label, &kind, cause) < 0)
		return -1;
	size_t n = json_is_array (shipment) ? json_array_size (shipment) : 1;
	size_t at = 0;
	struct label_pdf *pdf = NULL;
	if (kind == LABEL_VERIFY_PDF && (pdf = label_pdf_open (label->data, label->len, cause)) == NULL)
		return -1;
	int pages = pdf ? label_pdf_pages (pdf) : kind == LABEL_VERIFY_PNG ? 1 : -1;
	if (pages >= 0 && (size_t) pages != n) {
		*cause = xasprintf ("the label has %d page%s for %zu shipment%s", pages, pages == 1 ? "" : "s", n,
		    n == 1 ? "" : "s");
		label_pdf_close (&pdf);
		return -1;
	}
	/* A page without barcodes (a customs paper) has nothing to read back. */
	bool barcodes = false;
	for (size_t i = 0; i < layout->nelements; i++)
		barcodes = barcodes || layout->elements[i].type == LABEL_EL_BARCODE;
	if (!barcodes && on_page == NULL && kind != LABEL_VERIFY_ZPL) {
		label_pdf_close (&pdf);
		return 0;
	}
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct label_grey g = { 0 };
		char where[64] = "";
		if (n > 1)
			snprintf (where, sizeof where, "label %zu of %zu: ", i + 1, n);
		j.where = where;
		j.shipment = json_is_array (shipment) ? json_array_get (shipment, i) : shipment;
		if (kind == LABEL_VERIFY_PNG)
			rc = label_png_read (label->data, label->len, &g, cause);
		else if (kind == LABEL_VERIFY_PDF)
			rc = label_pdf_read (pdf, (int) i, opt->dpi, &g, cause);
		else {
			size_t used = 0;
			if (at >= label->len) {
				*cause = xasprintf ("the ZPL job holds %zu label%s for %zu shipments", i, i == 1 ? "" : "s", n);
				rc = -1;
				break;
			}
			rc = label_zpl_read ((const char *) label->data + at, label->len - at, &used, &g, cause);
			at += used;
		}
		if (rc == 0 && on_page)
			on_page (on_page_arg, i, &g);
		if (rc == 0) {
			j.grey = &g;
			rc = label_verify_page (&j, cause);
		}
		label_grey_free (&g);
	}
	label_pdf_close (&pdf);
	if (rc == 0 && kind == LABEL_VERIFY_ZPL && at < label->len) {
		*cause = xasprintf ("the ZPL job holds more labels than the %zu shipment%s", n, n == 1 ? "" : "s");
		return -1;
	}
	return rc;
}

int
label_verify (struct label_layout *layout, const json_t *shipment, const struct label_options *opt,
    const struct label_buf *label, char **cause)
{
	return label_verify_pages (layout, shipment, opt, label, NULL, NULL, cause);
}
