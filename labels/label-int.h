/*
 * label-int.h: what the label modules share between themselves; callers
 * outside labels/ use label.h and ident.h only.
 *
 * Distances inside the renderer are printer dots; layouts are in millimetres
 * and label-render.c converts.
 */
#ifndef DSP_LABEL_INT_H
#define DSP_LABEL_INT_H

#include "label.h"

#include <stdbool.h>

/* A barcode as zint encoded it: one byte per module (1 dark), or a raster (MaxiCode). */
struct label_matrix {
	int cols, rows;
	unsigned char *dark;
	bool linear;		/* one row, stretched to the element's height */
	bool raster;		/* already at printer dots (hexagons), not modules */
	int quiet;		/* quiet zone, in modules (raster: dots) */
};

/* label-zint.c: the only file that includes zint.h. */
bool label_zint_known (const char *symbology);
/* The narrowest module (X-dimension, mm) the symbology may be printed at; 0 for MaxiCode (fixed size). */
double label_zint_min_module (const char *symbology);
/* Encode data (primary for MaxiCode, else NULL); size_dots sizes raster symbols. NULL-safe *cause. */
int label_zint_encode (const char *symbology, const char *data, const char *primary,
    int size_dots, struct label_matrix *m, char **cause);
void label_matrix_free (struct label_matrix *m);
int label_zint_version (void);

/* label-cairo.c: the only file that includes cairo or pango headers. */
struct label_canvas;
enum label_align { LABEL_ALIGN_LEFT, LABEL_ALIGN_CENTER, LABEL_ALIGN_RIGHT };

/* NULL with *cause when the label fonts cannot be had (label_fonts_conf_path). */
struct label_canvas *label_canvas_new (enum label_format format, int dpi, int page_w, int page_h, char **cause);
/* The fontconfig file the library draws with: $DSP_FONTS_CONF, else $(pkgdatadir)/fonts.conf. */
const char *label_fonts_conf_path (void);
void label_canvas_destroy (struct label_canvas **self_p);
/* Shift the label's origin on the page (to centre it on larger stock). */
void label_canvas_origin (struct label_canvas *c, int x, int y);
/* Raster formats: remember what is drawn so far; label_canvas_restore goes back to it. */
void label_canvas_save_base (struct label_canvas *c);
void label_canvas_restore_base (struct label_canvas *c);
void label_canvas_rect (struct label_canvas *c, double x, double y, double w, double h, bool dark);
void label_canvas_frame (struct label_canvas *c, double x, double y, double w, double h, double line);
void label_canvas_line (struct label_canvas *c, double x1, double y1, double x2, double y2, double width);
/*
 * Lay text out in a box w x h (wrapping at w) in font, shrinking the font's size as far as
 * min_pt points if it does not fit at its own; draw it at the largest size that fits.
 * Returns 0 (*pt the size drawn); LABEL_TEXT_TOO_BIG if it does not fit even at min_pt
 * (*need_w, *need_h the size it needed there); LABEL_TEXT_NO_GLYPH, drawing nothing, if a
 * character has no glyph in any label font (*missing holds each such character once, as
 * UTF-8; the caller frees it with free).
 */
enum { LABEL_TEXT_TOO_BIG = -1, LABEL_TEXT_NO_GLYPH = -2 };
int label_canvas_text (struct label_canvas *c, const char *text, const char *font, double min_pt,
    double x, double y, double w, double h, enum label_align align, bool invert, bool nowrap,
    double *pt, double *need_w, double *need_h, char **missing);
/* The size of font, in points. */
double label_canvas_font_size (struct label_canvas *c, const char *font);
/* One table cell: text wrapped at w in font at pt points; *height is what it takes. Drawn at
 * (x, y) if draw. 0, or LABEL_TEXT_NO_GLYPH with *missing as for label_canvas_text. */
int label_canvas_cell (struct label_canvas *c, const char *text, const char *font, double pt, double x, double y,
    double w, enum label_align align, bool draw, double *height, char **missing);
/* Modules at (x, y) whole dots, each mw x mh dots; quiet zone cleared around it. */
void label_canvas_matrix (struct label_canvas *c, const struct label_matrix *m, int x, int y,
    int mw, int mh, int height);
int label_canvas_image (struct label_canvas *c, const char *path, double x, double y, double w, double h,
    char **cause);
/* End the page (PDF: next page starts; raster: the page is encoded and appended to out). */
int label_canvas_page (struct label_canvas *c, struct label_buf *out, char **cause);
/* Finish the document (PDF) into out. */
int label_canvas_finish (struct label_canvas *c, struct label_buf *out, char **cause);

/* label-zpl.c: a 1-bit page (1 = dark, stride bytes a row; first pixel in the high bit unless
 * lsb_first) as a ZPL II job. */
void label_zpl_page (const unsigned char *bits, int width, int height, int stride, bool lsb_first,
    struct label_buf *out);

/* label-text.c: Unicode text (GLib, ICU); the only file that includes them. Strings handed
 * back are the caller's to free. */
char *label_text_upper (const char *s);
char *label_text_lower (const char *s);
char *label_text_nospace (const char *s);
size_t label_text_chars (const char *s);
/* s after its first n characters (or its end). */
const char *label_text_skip (const char *s, size_t n);
bool label_text_is_ascii (const char *s);
/* Whether s holds right-to-left letters, Arabic digits or embeddings: text without them needs no bidi
 * isolates. */
bool label_text_bidi (const char *s);
/* s in Latin letters, as ASCII; NULL with *cause (what cannot be, e.g. an emoji). */
char *label_text_latin (const char *s, char **cause);
void label_text_shutdown (void);

/* label-template.c: "{path|filter:arg}" substitution against a shipment. */
struct label_template_ctx {
	const json_t *shipment;
	const json_t *vars;	/* layout "vars": {"name": template}, used as {@name} */
	const char *element;	/* for messages */
	bool isolate;		/* text: each field's lines in bidi isolates (LABEL_FSI .. LABEL_PDI) */
	char *fields;		/* shipment paths used, comma-separated (caller frees) */
};
/* Expand tmpl; NULL with *cause naming the field and filter that failed. */
char *label_template_expand (struct label_template_ctx *ctx, const char *tmpl, char **cause);
/* U+2068 FIRST STRONG ISOLATE and U+2069 POP DIRECTIONAL ISOLATE, as UTF-8. */
#define LABEL_FSI "\xE2\x81\xA8"
#define LABEL_PDI "\xE2\x81\xA9"
/* A shipment field's value as text (NULL if missing or an object); for messages. */
char *label_template_value_at (const json_t *shipment, const char *path);
/* The JSON value at a dotted path, or NULL. */
const json_t *label_template_lookup_at (const json_t *shipment, const char *path);
bool label_template_is_static (const char *tmpl);
/* Whether every use of field in tmpl passes through an ident: filter. */
bool label_template_ident_checked (const char *tmpl, const char *field);

/* The smallest text a layout shrinks to when it declares none: legible on a 203 dpi head. */
#define LABEL_MIN_FONT_PT 6.0

/* label-layout.c: a layout file as loaded and checked. */
enum label_element_type { LABEL_EL_BOX, LABEL_EL_LINE, LABEL_EL_TEXT, LABEL_EL_BARCODE, LABEL_EL_IMAGE, LABEL_EL_TABLE };

/* A table's column: a template over one row's object, its width (mm) and alignment. */
struct label_column {
	char *text;
	double w;
	enum label_align align;
};

struct label_element {
	enum label_element_type type;
	char *name;
	double x, y, w, h;	/* mm; a line's ends are (x, y) and (x2, y2) */
	double x2, y2;
	double line;		/* box frame or line width, mm */
	bool fill, invert, nowrap;
	bool abroad;		/* drawn only when the recipient's country is not the sender's */
	enum label_align align;
	char *text;		/* text template */
	char *font;
	double min_font;	/* points: text shrinks to fit, down to this size, before it is refused */
	char *symbology;
	char *data;		/* barcode data template */
	char *primary;		/* MaxiCode primary message template */
	double module;		/* barcode X-dimension, mm */
	char *file;		/* image, resolved path */
	char *rows;		/* table: shipment path of the list of row objects */
	struct label_column *columns;
	size_t ncolumns;
	bool is_static;		/* nothing in it comes from the shipment */
};

struct label_cache;

struct label_layout {
	char *name, *title, *path;
	double width, height;	/* mm */
	char *stock;
	double min_font;	/* points: the smallest any text box shrinks to, unless it says otherwise */
	json_t *vars;
	struct label_element *elements;
	size_t nelements;
	struct label_cache *cache;	/* label-render.c: canvases kept between renders */
};

/* label-render.c */
void label_render_cache_free (struct label_layout *layout);
/* label-page.c: where a label sits, for drawing it and for reading it back. */
struct label_page_stock {
	const char *name;
	double w, h;		/* mm */
};
/* The stock called name (4x6, a6, 100x150, a4; any case), or NULL. */
const struct label_page_stock *label_page_find (const char *name);
/* Millimetres as printer dots, and rounded to whole dots. */
double label_page_dots (double mm, int dpi);
double label_page_snap (double mm, int dpi);
/* A page as rendered: its size and where the label's top-left corner sits on it, in dots. */
struct label_page {
	int width, height, ox, oy;
};
void label_page_place (const struct label_layout *l, const struct label_page_stock *stock, int dpi,
    struct label_page *page);
/* The page for opt's dpi and stock (the layout's own if none); 0, or -1 with *cause. */
int label_page_of (const struct label_layout *l, const struct label_options *opt, struct label_page *page,
    char **cause);
/* An element's box in dots from the label's corner, as the renderer snaps it. */
void label_page_box (const struct label_element *e, int dpi, int *x, int *y, int *w, int *h);
/* A barcode template of e filled from shipment; NULL with *cause. */
char *label_page_data (const struct label_layout *l, const struct label_element *e, const json_t *shipment,
    const char *tmpl, char **cause);

/* A grey page read back from a rendered label: 0 is black, 255 white. */
struct label_grey {
	int width, height, stride;
	unsigned char *pix;
};
/* label-buf.c */
void label_grey_free (struct label_grey *g);
/* label-png.c, the only file that includes png.h: a 1-bit page (1 = dark, as label_zpl_page takes it)
 * appended to out as a PNG; and any PNG read back as grey. 0, or -1 with *cause. */
int label_png_write (const unsigned char *bits, int width, int height, int stride, bool lsb_first,
    struct label_buf *out, char **cause);
int label_png_read (const unsigned char *data, size_t len, struct label_grey *g, char **cause);
/* label-zpl.c: the ^GFA page of one ZPL label (^XA .. ^XZ) starting at job; *used is its length. */
int label_zpl_read (const char *job, size_t len, size_t *used, struct label_grey *g, char **cause);
/* label-poppler.c, the only file that includes poppler: a PDF opened once (NULL with *cause; the data
 * must outlive it), its pages, and page index (from 0) drawn at dpi as grey (0, or -1 with *cause). */
struct label_pdf;
struct label_pdf *label_pdf_open (const unsigned char *data, size_t len, char **cause);
void label_pdf_close (struct label_pdf **self_p);
int label_pdf_pages (const struct label_pdf *pdf);
int label_pdf_read (struct label_pdf *pdf, int index, int dpi, struct label_grey *g, char **cause);
/*
 * label-verify.c: label_verify, handing each page it reads (index from 0, the grey it read) to on_page
 * if not NULL before its barcodes are compared: a second reader gets the very pixels zxing got.
 */
typedef void (label_page_fn) (void *arg, size_t index, const struct label_grey *g);
int label_verify_pages (struct label_layout *layout, const json_t *shipment, const struct label_options *opt,
    const struct label_buf *label, label_page_fn *on_page, void *on_page_arg, char **cause);

/* label-zxing.cc: the one symbol of symbology in a grey image, read with zxing-cpp (one format,
 * so it cannot abort); *text is the caller's to free. 0, or -1 with *cause. */
int label_zxing_read (const char *symbology, const unsigned char *grey, int width, int height, int stride,
    char **text, char **cause);

/* label-buf.c: the output buffer */
void label_buf_append (struct label_buf *b, const void *data, size_t len);
/* Room for n more bytes at the end; label_buf_commit says how many were used. */
char *label_buf_reserve (struct label_buf *b, size_t n);
void label_buf_commit (struct label_buf *b, size_t used);

#endif
