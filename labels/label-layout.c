/*
 * label-layout.c: find, load and check layout files.
 *
 * A layout is checked completely when loaded (unknown keys, elements off the
 * page, unknown symbologies) so a designer's mistake shows up with
 * `despatch-label layouts` or the first preview, not at a packing bench.
 */
#include "config.h"
#include "label-int.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char **
label_layout_path (void)
{
	char **dirs = xcalloc (16, sizeof *dirs);
	size_t n = 0;
	const char *xdg = getenv ("XDG_DATA_HOME"), *home = getenv ("HOME");
	if (xdg && *xdg)
		dirs[n++] = xasprintf ("%s/despatch/layouts", xdg);
	else if (home && *home)
		dirs[n++] = xasprintf ("%s/.local/share/despatch/layouts", home);
	const char *sys = getenv ("DSP_LAYOUT_PATH");
	if (sys && *sys) {
		char *copy = xstrdup (sys), *save = NULL;
		for (char *d = strtok_r (copy, ":", &save); d && n < 15; d = strtok_r (NULL, ":", &save))
			dirs[n++] = xstrdup (d);
		free (copy);
	} else
		dirs[n++] = xstrdup (DSP_PKGDATADIR "/layouts");
	return dirs;
}

static void
label_layout_path_free (char **dirs)
{
	for (char **d = dirs; *d; d++)
		free (*d);
	free (dirs);
}

static int
label_layout_strcmp (const void *a, const void *b)
{
	return strcmp (*(char *const *) a, *(char *const *) b);
}

char **
label_layout_list (void)
{
	char **dirs = label_layout_path ();
	char **names = xcalloc (1, sizeof *names);
	size_t n = 0;
	for (char **d = dirs; *d; d++) {
		DIR *dir = opendir (*d);
		struct dirent *e;
		if (dir == NULL)
			continue;
		while ((e = readdir (dir)) != NULL) {
			size_t len = strlen (e->d_name);
			if (len < 6 || strcmp (e->d_name + len - 5, ".json") != 0 || e->d_name[0] == '.')
				continue;
			char *name = xstrndup (e->d_name, len - 5);
			bool dup = false;
			for (size_t i = 0; i < n; i++)
				dup = dup || strcmp (names[i], name) == 0;
			if (dup) {
				free (name);
				continue;
			}
			names = xrealloc (names, (n + 2) * sizeof *names);
			names[n++] = name;
			names[n] = NULL;
		}
		closedir (dir);
	}
	qsort (names, n, sizeof *names, label_layout_strcmp);
	label_layout_path_free (dirs);
	return names;
}

/* Carrier names become file names: keep them to what a file name can hold safely. */
static bool
label_layout_name_ok (const char *s)
{
	if (*s == '\0' || *s == '-')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return false;
	return true;
}

struct label_layout *
label_layout_load (const char *carrier, char **cause)
{
	if (!label_layout_name_ok (carrier)) {
		*cause = xasprintf ("unknown carrier '%s': names are lower-case letters, digits and '-'", carrier);
		return NULL;
	}
	char **dirs = label_layout_path ();
	struct label_layout *l = NULL;
	for (char **d = dirs; *d; d++) {
		char *path = xasprintf ("%s/%s.json", *d, carrier);
		if (access (path, F_OK) == 0) {
			l = label_layout_load_file (path, cause);
			free (path);
			label_layout_path_free (dirs);
			return l;
		}
		free (path);
	}
	char *where = xstrdup ("");
	for (char **d = dirs; *d; d++) {
		char *w = xasprintf ("%s%s%s", where, *where ? ", " : "", *d);
		free (where);
		where = w;
	}
	*cause = xasprintf ("unknown carrier '%s': no layout %s.json in %s", carrier, carrier, where);
	free (where);
	label_layout_path_free (dirs);
	return NULL;
}

/* Keys each element type takes; anything else is a typo worth reporting. */
static const struct label_layout_type {
	const char *name;
	enum label_element_type type;
	const char *keys;
} label_layout_types[] = {
	{ "box", LABEL_EL_BOX, " type name x y w h line fill abroad " },
	{ "line", LABEL_EL_LINE, " type name x y x2 y2 line " },
	{ "text", LABEL_EL_TEXT, " type name x y w h text font min_font align invert nowrap abroad " },
	{ "barcode", LABEL_EL_BARCODE, " type name x y w h symbology data primary module align " },
	{ "image", LABEL_EL_IMAGE, " type name x y w h file " },
	{ "table", LABEL_EL_TABLE, " type name x y w h rows columns font min_font line " },
};

static const char *const label_layout_aligns[] = {
	[LABEL_ALIGN_LEFT] = "left", [LABEL_ALIGN_CENTER] = "center", [LABEL_ALIGN_RIGHT] = "right",
};

struct label_layout_parse {
	const char *path;
	const char *el;
	char **cause;
};

static int
label_layout_num (struct label_layout_parse *p, json_t *o, const char *key, bool need, double def, double *out)
{
	json_t *v = json_object_get (o, key);
	if (v == NULL && !need) {
		*out = def;
		return 0;
	}
	if (!json_is_number (v)) {
		*p->cause = xasprintf ("%s: %s: '%s' must be a number (millimetres)", p->path, p->el, key);
		return -1;
	}
	*out = json_number_value (v);
	return 0;
}

/* A font size in points, within what a label can print legibly. */
static int
label_layout_points (struct label_layout_parse *p, json_t *o, const char *key, double def, double *out)
{
	json_t *v = json_object_get (o, key);
	if (v == NULL) {
		*out = def;
		return 0;
	}
	if (!json_is_number (v) || json_number_value (v) < 4 || json_number_value (v) > 72) {
		*p->cause = xasprintf ("%s: %s: '%s' must be a font size in points, from 4 to 72", p->path, p->el, key);
		return -1;
	}
	*out = json_number_value (v);
	return 0;
}

static int
label_layout_str (struct label_layout_parse *p, json_t *o, const char *key, bool need, const char *def,
    char **out)
{
	json_t *v = json_object_get (o, key);
	if (v == NULL && !need) {
		*out = def ? xstrdup (def) : NULL;
		return 0;
	}
	if (!json_is_string (v)) {
		*p->cause = xasprintf ("%s: %s: '%s' must be a string", p->path, p->el, key);
		return -1;
	}
	*out = xstrdup (json_string_value (v));
	return 0;
}

static int
label_layout_bool (struct label_layout_parse *p, json_t *o, const char *key, bool *out)
{
	json_t *v = json_object_get (o, key);
	if (v == NULL) {
		*out = false;
		return 0;
	}
	if (!json_is_boolean (v)) {
		*p->cause = xasprintf ("%s: %s: '%s' must be true or false", p->path, p->el, key);
		return -1;
	}
	*out = json_is_true (v);
	return 0;
}

static char *
label_layout_dirname (const char *path)
{
	const char *slash = strrchr (path, '/');
	return slash ? xstrndup (path, (size_t) (slash - path)) : xstrdup (".");
}

/* An image next to the layout, else in the search path (a user layout may use the shipped logo). */
static char *
label_layout_find_image (const char *layout_path, const char *file)
{
	if (file[0] == '/')
		return xstrdup (file);
	char *dir = label_layout_dirname (layout_path);
	char *p = xasprintf ("%s/%s", dir, file);
	free (dir);
	if (access (p, R_OK) == 0)
		return p;
	char **dirs = label_layout_path ();
	for (char **d = dirs; *d; d++) {
		char *q = xasprintf ("%s/%s", *d, file);
		if (access (q, R_OK) == 0) {
			free (p);
			p = q;
			break;
		}
		free (q);
	}
	label_layout_path_free (dirs);
	return p;
}

static int
label_layout_element (struct label_layout *l, struct label_layout_parse *p, json_t *o,
    struct label_element *e)
{
	const char *key;
	json_t *v;
	const char *type = json_string_value (json_object_get (o, "type"));
	const struct label_layout_type *t = NULL;
	for (size_t i = 0; type && i < nitems (label_layout_types); i++)
		if (strcmp (label_layout_types[i].name, type) == 0)
			t = &label_layout_types[i];
	if (t == NULL) {
		*p->cause = xasprintf ("%s: %s: type must be box, line, text, barcode, image or table", p->path, p->el);
		return -1;
	}
	e->type = t->type;
	json_object_foreach (o, key, v) {
		char *k = xasprintf (" %s ", key);
		bool known = strstr (t->keys, k) != NULL;
		free (k);
		if (!known) {
			*p->cause = xasprintf ("%s: %s: a %s has no '%s'", p->path, p->el, type, key);
			return -1;
		}
	}
	if (label_layout_num (p, o, "x", true, 0, &e->x) < 0 || label_layout_num (p, o, "y", true, 0, &e->y) < 0)
		return -1;
	if (e->type == LABEL_EL_LINE) {
		if (label_layout_num (p, o, "x2", true, 0, &e->x2) < 0
		    || label_layout_num (p, o, "y2", true, 0, &e->y2) < 0
		    || label_layout_num (p, o, "line", false, 0.3, &e->line) < 0)
			return -1;
		e->w = e->x2 > e->x ? e->x2 - e->x : e->x - e->x2;
		e->h = e->y2 > e->y ? e->y2 - e->y : e->y - e->y2;
		e->is_static = true;
	} else if (label_layout_num (p, o, "w", true, 0, &e->w) < 0 || label_layout_num (p, o, "h", true, 0, &e->h) < 0)
		return -1;
	if (e->x < 0 || e->y < 0 || e->w < 0 || e->h < 0 || e->x + e->w > l->width + 1e-6
	    || e->y + e->h > l->height + 1e-6 || e->x2 > l->width + 1e-6 || e->y2 > l->height + 1e-6) {
		*p->cause = xasprintf ("%s: %s: lies outside the %gx%g mm label", p->path, p->el, l->width, l->height);
		return -1;
	}
	char *align = NULL;
	switch (e->type) {
	case LABEL_EL_BOX:
		if (label_layout_num (p, o, "line", false, 0.3, &e->line) < 0 || label_layout_bool (p, o, "fill", &e->fill) < 0
		    || label_layout_bool (p, o, "abroad", &e->abroad) < 0)
			return -1;
		e->is_static = !e->abroad;
		break;
	case LABEL_EL_LINE:
		break;
	case LABEL_EL_TEXT:
		if (label_layout_str (p, o, "text", true, NULL, &e->text) < 0
		    || label_layout_str (p, o, "font", false, "DejaVu Sans 9", &e->font) < 0
		    || label_layout_points (p, o, "min_font", l->min_font, &e->min_font) < 0
		    || label_layout_str (p, o, "align", false, "left", &align) < 0
		    || label_layout_bool (p, o, "invert", &e->invert) < 0
		    || label_layout_bool (p, o, "nowrap", &e->nowrap) < 0
		    || label_layout_bool (p, o, "abroad", &e->abroad) < 0)
			goto fail;
		e->is_static = label_template_is_static (e->text) && !e->abroad;
		break;
	case LABEL_EL_BARCODE:
		if (label_layout_str (p, o, "symbology", true, NULL, &e->symbology) < 0
		    || label_layout_str (p, o, "data", true, NULL, &e->data) < 0
		    || label_layout_str (p, o, "primary", false, NULL, &e->primary) < 0
		    || label_layout_num (p, o, "module", false, 0.25, &e->module) < 0
		    || label_layout_str (p, o, "align", false, "center", &align) < 0)
			goto fail;
		if (!label_zint_known (e->symbology)) {
			*p->cause = xasprintf ("%s: %s: unknown symbology '%s' (code128, gs1-128, dpd, datamatrix, "
			    "gs1-datamatrix, qr, pdf417, maxicode)", p->path, p->el, e->symbology);
			goto fail;
		}
		if ((e->primary != NULL) != (strcmp (e->symbology, "maxicode") == 0)) {
			*p->cause = xasprintf ("%s: %s: a maxicode needs a 'primary' message, and only a maxicode takes one",
			    p->path, p->el);
			goto fail;
		}
		if (e->module <= 0 || e->module > 5) {
			*p->cause = xasprintf ("%s: %s: module must be between 0 and 5 mm", p->path, p->el);
			goto fail;
		}
		if (e->module + 1e-9 < label_zint_min_module (e->symbology)) {
			*p->cause = xasprintf ("%s: %s: a %s's bars are at least %g mm wide (module), not %g",
			    p->path, p->el, e->symbology, label_zint_min_module (e->symbology), e->module);
			goto fail;
		}
		break;
	case LABEL_EL_TABLE: {
		json_t *cols = json_object_get (o, "columns");
		if (label_layout_str (p, o, "rows", true, NULL, &e->rows) < 0
		    || label_layout_str (p, o, "font", false, "DejaVu Sans 8", &e->font) < 0
		    || label_layout_points (p, o, "min_font", l->min_font, &e->min_font) < 0
		    || label_layout_num (p, o, "line", false, 0.2, &e->line) < 0)
			return -1;
		if (!json_is_array (cols) || json_array_size (cols) == 0 || json_array_size (cols) > 16) {
			*p->cause = xasprintf ("%s: %s: columns must be a list of {\"text\", \"w\", \"align\"}", p->path, p->el);
			return -1;
		}
		e->columns = xcalloc (json_array_size (cols), sizeof *e->columns);
		double sum = 0;
		size_t ci;
		json_t *co;
		json_array_foreach (cols, ci, co) {
			struct label_column *col = &e->columns[e->ncolumns++];
			char *calign = NULL;
			if (!json_is_object (co) || label_layout_str (p, co, "text", true, NULL, &col->text) < 0
			    || label_layout_num (p, co, "w", true, 0, &col->w) < 0
			    || label_layout_str (p, co, "align", false, "left", &calign) < 0)
				return -1;
			size_t k;
			for (k = 0; k < nitems (label_layout_aligns) && strcmp (label_layout_aligns[k], calign) != 0; k++)
				;
			free (calign);
			if (k == nitems (label_layout_aligns) || col->w <= 0) {
				*p->cause = xasprintf ("%s: %s: column %zu: align is left, center or right, w is millimetres",
				    p->path, p->el, ci + 1);
				return -1;
			}
			col->align = (enum label_align) k;
			sum += col->w;
		}
		if (sum > e->w + 1e-6) {
			*p->cause = xasprintf ("%s: %s: the columns are %g mm wide, the table %g mm", p->path, p->el, sum, e->w);
			return -1;
		}
		break;
	}
	case LABEL_EL_IMAGE: {
		char *file = NULL;
		if (label_layout_str (p, o, "file", true, NULL, &file) < 0)
			return -1;
		e->file = label_layout_find_image (l->path, file);
		free (file);
		if (access (e->file, R_OK) != 0) {
			*p->cause = xasprintf ("%s: %s: cannot read image %s: %s", p->path, p->el, e->file, strerror (errno));
			return -1;
		}
		e->is_static = true;
		break;
	}
	}
	/* A width beyond the label would overflow the renderer's dot arithmetic. */
	if ((e->type == LABEL_EL_BOX || e->type == LABEL_EL_LINE) && (e->line < 0 || e->line > 20)) {
		*p->cause = xasprintf ("%s: %s: line must be between 0 and 20 mm", p->path, p->el);
		goto fail;
	}
	/* A tracking number is printed only through its scheme's check: never a bad check digit. */
	const char *const tmpls[] = { e->text, e->data, e->primary };
	for (size_t i = 0; i < nitems (tmpls); i++)
		if (tmpls[i] && !label_template_ident_checked (tmpls[i], "tracking")) {
			*p->cause = xasprintf ("%s: %s: {tracking} must pass through its scheme's check "
			    "(|ident:SCHEME), so no label prints a bad check digit", p->path, p->el);
			goto fail;
		}
	if (align != NULL) {
		size_t i;
		for (i = 0; i < nitems (label_layout_aligns); i++)
			if (strcmp (label_layout_aligns[i], align) == 0)
				break;
		if (i == nitems (label_layout_aligns)) {
			*p->cause = xasprintf ("%s: %s: align must be left, center or right", p->path, p->el);
			goto fail;
		}
		e->align = (enum label_align) i;
		free (align);
	}
	return 0;
fail:
	free (align);
	return -1;
}

static const char *
label_layout_json_name (json_t *o, const char *def)
{
	const char *n = json_string_value (json_object_get (o, "name"));
	return n ? n : def;
}

/* Check a parsed layout and build it; takes root. path names it in messages. */
static struct label_layout *
label_layout_from_json (const char *path, json_t *root, char **cause)
{
	struct label_layout *l = xcalloc (1, sizeof *l);
	l->path = xstrdup (path);
	struct label_layout_parse p = { .path = path, .el = "layout", .cause = cause };
	const char *base = strrchr (path, '/') ? strrchr (path, '/') + 1 : path;
	char *def = xstrndup (base, strcspn (base, "."));
	json_t *els;

	if (!json_is_object (root)) {
		*cause = xasprintf ("%s: a layout is a JSON object", path);
		goto fail;
	}
	l->name = xstrdup (label_layout_json_name (root, def));
	if (label_layout_str (&p, root, "title", false, l->name, &l->title) < 0
	    || label_layout_num (&p, root, "width", true, 0, &l->width) < 0
	    || label_layout_num (&p, root, "height", true, 0, &l->height) < 0
	    || label_layout_str (&p, root, "stock", false, "4x6", &l->stock) < 0
	    || label_layout_points (&p, root, "min_font", LABEL_MIN_FONT_PT, &l->min_font) < 0)
		goto fail;
	if (l->width <= 0 || l->height <= 0 || l->width > 300 || l->height > 500) {
		*cause = xasprintf ("%s: width and height must be millimetres within an A4 page or a long label", path);
		goto fail;
	}
	l->vars = json_object_get (root, "vars");
	if (l->vars && !json_is_object (l->vars)) {
		*cause = xasprintf ("%s: vars must be an object of templates", path);
		goto fail;
	}
	json_incref (l->vars);
	const char *vname;
	json_t *vt;
	json_object_foreach (l->vars, vname, vt)
		if (json_is_string (vt) && !label_template_ident_checked (json_string_value (vt), "tracking")) {
			*cause = xasprintf ("%s: variable '%s': {tracking} must pass through its scheme's check "
			    "(|ident:SCHEME), so no label prints a bad check digit", path, vname);
			goto fail;
		}
	els = json_object_get (root, "elements");
	if (!json_is_array (els) || json_array_size (els) == 0) {
		*cause = xasprintf ("%s: elements must be a list of boxes, lines, text, barcodes and images", path);
		goto fail;
	}
	l->elements = xcalloc (json_array_size (els), sizeof *l->elements);
	size_t i;
	json_t *o;
	json_array_foreach (els, i, o) {
		char num[32];
		snprintf (num, sizeof num, "element %zu", i + 1);
		struct label_element *e = &l->elements[l->nelements++];
		e->name = xstrdup (json_is_object (o) ? label_layout_json_name (o, num) : num);
		p.el = e->name;
		if (!json_is_object (o)) {
			*cause = xasprintf ("%s: %s: an element is a JSON object", path, e->name);
			goto fail;
		}
		if (label_layout_element (l, &p, o, e) < 0)
			goto fail;
	}
	free (def);
	json_decref (root);
	return l;
fail:
	free (def);
	json_decref (root);
	label_layout_destroy (&l);
	return NULL;
}

struct label_layout *
label_layout_load_file (const char *path, char **cause)
{
	json_error_t jerr;
	json_t *root = json_load_file (path, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		*cause = xasprintf ("%s: line %d: %s", path, jerr.line, jerr.text);
		return NULL;
	}
	return label_layout_from_json (path, root, cause);
}

struct label_layout *
label_layout_load_text (const char *name, const char *text, size_t len, char **cause)
{
	json_error_t jerr;
	json_t *root = json_loadb (text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		*cause = xasprintf ("%s: line %d: %s", name, jerr.line, jerr.text);
		return NULL;
	}
	return label_layout_from_json (name, root, cause);
}

void
label_layout_destroy (struct label_layout **self_p)
{
	struct label_layout *l = *self_p;
	if (l == NULL)
		return;
	label_render_cache_free (l);
	for (size_t i = 0; i < l->nelements; i++) {
		struct label_element *e = &l->elements[i];
		free (e->name);
		free (e->text);
		free (e->font);
		free (e->symbology);
		free (e->data);
		free (e->primary);
		free (e->file);
		free (e->rows);
		for (size_t k = 0; k < e->ncolumns; k++)
			free (e->columns[k].text);
		free (e->columns);
	}
	free (l->elements);
	json_decref (l->vars);
	free (l->name);
	free (l->title);
	free (l->path);
	free (l->stock);
	free (l);
	*self_p = NULL;
}

const char *
label_layout_name (const struct label_layout *self)
{
	return self->name;
}

const char *
label_layout_title (const struct label_layout *self)
{
	return self->title;
}
