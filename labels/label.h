/*
 * label.h: carrier labels from layout data files and shipment data.
 *
 * A layout (one JSON file per carrier label, format in doc/labels.md) is found
 * by carrier name in the search path: the user's directory
 * ($XDG_DATA_HOME/despatch/layouts, else ~/.local/share/despatch/layouts), then
 * $DSP_LAYOUT_PATH if set, else the installed $(pkgdatadir)/layouts.
 *
 * A shipment is a jansson object (schema in doc/labels.md). Rendering returns
 * the whole output in memory: a ZPL II job, a PDF document or a PNG image, at
 * the printer's resolution. Nothing is written unless every field fitted and
 * every barcode encoded; otherwise *cause names the element and field.
 *
 * A layout may be used for many renders (it caches what does not change
 * between labels) but by one thread at a time.
 */
#ifndef DSP_LABEL_H
#define DSP_LABEL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct label_layout;

enum label_format { LABEL_FORMAT_ZPL, LABEL_FORMAT_PDF, LABEL_FORMAT_PNG };

/* Called once per barcode drawn, with the data it encodes (for checks and previews). */
typedef void (label_barcode_fn) (void *arg, const char *element, const char *symbology, const char *data);

struct label_options {
	enum label_format format;
	int dpi;		/* 203, 300 or 600 */
	const char *stock;	/* "4x6", "a6", "100x150", "a4"; NULL for the layout's own */
	label_barcode_fn *on_barcode;	/* may be NULL */
	void *on_barcode_arg;
	bool verify;		/* read every barcode back (label_verify) before handing the label out */
	bool no_shrink;		/* text that does not fit at its own size is refused (benchmarks) */
};

/* Bytes the caller frees with free (data). */
struct label_buf {
	unsigned char *data;
	size_t len;
};

/* Load the layout for carrier (e.g. "dpd-uk") from the search path; NULL with *cause. */
struct label_layout *label_layout_load (const char *carrier, char **cause);
/* Load a layout from a file; NULL with *cause. */
struct label_layout *label_layout_load_file (const char *path, char **cause);
/*
 * Load a layout from len bytes of JSON in memory (need not end in NUL), as
 * if read from the file name (which names it in messages and is where an
 * image's relative file is looked for); NULL with *cause.
 */
struct label_layout *label_layout_load_text (const char *name, const char *text, size_t len, char **cause);
void label_layout_destroy (struct label_layout **self_p);
const char *label_layout_name (const struct label_layout *self);
const char *label_layout_title (const struct label_layout *self);

/*
 * The directories searched, in order, NULL-terminated; the caller frees
 * each string and the array.
 */
char **label_layout_path (void);
/* Carrier names with a layout in the search path, sorted, NULL-terminated; caller frees as above. */
char **label_layout_list (void);

/* "zpl", "pdf", "png" -> format; -1 if unknown. */
int label_format_parse (const char *name);
/* Whether dpi and stock are ones we render for; 0, or -1 with *cause. */
int label_options_check (const struct label_options *opt, char **cause);

/*
 * Render shipment (an object) or shipments (an array of objects: one label
 * each; ZPL jobs concatenated, PDF pages; PNG takes one only) into *out.
 * Returns 0, or -1 with *cause set and *out left empty.
 */
int label_render (struct label_layout *layout, const json_t *shipment,
    const struct label_options *opt, struct label_buf *out, char **cause);

/*
 * The same from key/value pairs ("recipient.name", "A. Smith", ..., NULL):
 * dotted keys become nested objects; for callers without jansson at hand.
 */
int label_render_kv (struct label_layout *layout, const char *const *pairs,
    const struct label_options *opt, struct label_buf *out, char **cause);

/*
 * Check a rendered label before it is printed: decode every barcode of the layout from
 * label (a PNG, a ZPL job of one ^GFA page per label, or a PDF, as label_render made it
 * for the same shipment or shipments, dpi and stock), each with a reader for its own
 * symbology on the box where the layout put it, and compare what was read with the data
 * the shipment asks the layout to carry. Returns 0 when every symbol of every label reads
 * back exactly; otherwise -1 with *cause naming the label, the barcode, what was read and
 * what should have been. opt->on_barcode, if set, is called with what each symbol read.
 *
 * The reader (zxing-cpp) is called one symbology at a time on a cropped box, the way that
 * cannot abort the process. The call keeps no state between calls and shares none: any
 * number of threads may verify at once, each with its own layout (a layout, as for
 * label_render, is used by one thread at a time). Its cost is a few milliseconds a label.
 */
int label_verify (struct label_layout *layout, const json_t *shipment, const struct label_options *opt,
    const struct label_buf *label, char **cause);

/*
 * Let go of the calling thread's font map (and the font sets, fonts and fontconfig
 * patterns it keeps) and its transliterator; call on each thread that drew, as it
 * stops (the thread's exit lets them go too). A thread that is killed instead
 * leaves them alive: a leak report of such a process lists them (doc/security.md,
 * Valgrind). The fonts configuration stays for the life of the process.
 */
void label_shutdown (void);

#endif
