/*
 * test-label.c: the label library through its public API: layout checks,
 * key/value rendering, and bars that land on whole printer dots with their
 * quiet zones, read back from the ZPL with our own decoder.
 */
#include "config.h"
#include "tests/tap.h"
#include "tests/labels/zpl-decode.h"
#include "labels/label.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char test_label_dir[] = "/tmp/test-label-XXXXXX";

static char *
test_label_write (const char *name, const char *text)
{
	char *path = NULL;
	if (asprintf (&path, "%s/%s.json", test_label_dir, name) < 0)
		abort ();
	FILE *f = fopen (path, "w");
	fputs (text, f);
	fclose (f);
	return path;
}

/* A layout that must be refused, and a word its message must hold. */
static void
test_label_bad_layout (const char *what, const char *text, const char *want)
{
	char *path = test_label_write ("bad", text), *cause = NULL;
	struct label_layout *l = label_layout_load_file (path, &cause);
	ok (l == NULL && cause && strstr (cause, want), "%s refused: %s", what, cause ? cause : "(loaded)");
	label_layout_destroy (&l);
	free (cause);
	unlink (path);
	free (path);
}

static void
test_label_layouts (void)
{
	test_label_bad_layout ("not JSON", "{ \"width\": ", "line");
	test_label_bad_layout ("no size", "{ \"elements\": [] }", "width");
	test_label_bad_layout ("unknown key",
	    "{ \"width\": 50, \"height\": 50, \"elements\": [ { \"type\": \"box\", \"x\": 1, \"y\": 1, \"w\": 5, \"h\": 5, \"colour\": 1 } ] }",
	    "colour");
	test_label_bad_layout ("element off the label",
	    "{ \"width\": 50, \"height\": 50, \"elements\": [ { \"type\": \"box\", \"name\": \"big\", \"x\": 1, \"y\": 1, \"w\": 55, \"h\": 5 } ] }",
	    "big");
	test_label_bad_layout ("unknown symbology",
	    "{ \"width\": 50, \"height\": 50, \"elements\": [ { \"type\": \"barcode\", \"x\": 1, \"y\": 1, \"w\": 40, \"h\": 20, \"symbology\": \"aztec\", \"data\": \"x\" } ] }",
	    "aztec");
	test_label_bad_layout ("maxicode without primary",
	    "{ \"width\": 50, \"height\": 50, \"elements\": [ { \"type\": \"barcode\", \"x\": 1, \"y\": 1, \"w\": 40, \"h\": 40, \"symbology\": \"maxicode\", \"data\": \"x\" } ] }",
	    "primary");
	test_label_bad_layout ("missing image",
	    "{ \"width\": 50, \"height\": 50, \"elements\": [ { \"type\": \"image\", \"x\": 1, \"y\": 1, \"w\": 40, \"h\": 40, \"file\": \"nothere.png\" } ] }",
	    "nothere.png");
	char *cause = NULL;
	ok (label_layout_load ("no-such-carrier", &cause) == NULL && cause && strstr (cause, "no-such-carrier"),
	    "unknown carrier named: %s", cause ? cause : "");
	free (cause);
	char **names = label_layout_list ();
	int n = 0;
	for (char **p = names; *p; p++, n++)
		free (*p);
	free (names);
	ok (n >= 8, "%d carrier layouts found", n);
}

struct test_label_seen {
	int count;
	char data[128];
};

static void
test_label_on_barcode (void *arg, const char *element, const char *symbology, const char *data)
{
	struct test_label_seen *s = arg;
	(void) element, (void) symbology;
	s->count++;
	snprintf (s->data, sizeof s->data, "%s", data);
}

/* Widths of the dark and light runs across row y between x0 and x1. */
static int
test_label_runs (const struct zpl_image *img, int y, int x0, int x1, int *runs, int max)
{
	int n = 0, len = 1;
	for (int x = x0 + 1; x < x1 && n < max; x++) {
		if (zpl_pixel (img, x, y) == zpl_pixel (img, x - 1, y)) {
			len++;
			continue;
		}
		runs[n++] = len;
		len = 1;
	}
	if (n < max)
		runs[n++] = len;
	return n;
}

static void
test_label_whole_dots (int dpi, double module_mm, int want_dots)
{
	char *layout;
	if (asprintf (&layout, "{ \"width\": 100, \"height\": 40, \"elements\": ["
	    " { \"type\": \"box\", \"x\": 0, \"y\": 0, \"w\": 100, \"h\": 40, \"line\": 0.5 },"
	    " { \"type\": \"barcode\", \"name\": \"bars\", \"symbology\": \"code128\", \"x\": 2, \"y\": 5, \"w\": 96, \"h\": 30,"
	    "   \"module\": %g, \"data\": \"{parcel}\" } ] }", module_mm) < 0)
		abort ();
	char *path = test_label_write ("bars", layout), *cause = NULL;
	struct label_layout *l = label_layout_load_file (path, &cause);
	ok (l != NULL, "bar layout loads%s%s", cause ? ": " : "", cause ? cause : "");
	if (l == NULL)
		goto out;
	static const char *const kv[] = { "parcel", "ABC-12345", NULL };
	struct test_label_seen seen = { 0 };
	struct label_options opt = { .format = LABEL_FORMAT_ZPL, .dpi = dpi, .stock = "4x6",
		.on_barcode = test_label_on_barcode, .on_barcode_arg = &seen };
	struct label_buf buf = { 0 };
	ok (label_render_kv (l, kv, &opt, &buf, &cause) == 0, "kv render at %d dpi", dpi);
	is_int (seen.count, 1, "one barcode reported");
	is_str (seen.data, "ABC-12345", "with the data asked for");
	char *job = calloc (buf.len + 1, 1);
	memcpy (job, buf.data, buf.len);
	struct zpl_image img;
	char err[200];
	int dec = zpl_decode (job, &img, err, sizeof err);
	ok (dec == 0, "ZPL decodes (%s)", dec ? err : "ok");
	if (img.bits) {
		/* Middle of the bar box; the label is centred on the 4x6 page. */
		int oy = (img.height - (int) (40 * dpi / 25.4)) / 2, ox = (img.width - (int) (100 * dpi / 25.4)) / 2;
		int y = oy + (int) (20 * dpi / 25.4);
		int x0 = ox + (int) (2 * dpi / 25.4) + 2, x1 = ox + (int) (98 * dpi / 25.4) - 2;
		int runs[400], n = test_label_runs (&img, y, x0, x1, runs, 400);
		/* Runs: light margin, then bars and spaces, then light margin. */
		bool whole = n > 3;
		int narrow = 1 << 30;
		for (int i = 1; i < n - 1; i++) {
			whole = whole && runs[i] % want_dots == 0;
			if (runs[i] < narrow)
				narrow = runs[i];
		}
		ok (whole, "every bar and space at %d dpi is a whole number of %d-dot modules", dpi, want_dots);
		is_int (narrow, want_dots, "narrowest element at %d dpi is one module", dpi);
		ok (runs[0] >= 10 * want_dots - 2 && runs[n - 1] >= 10 * want_dots - 2,
		    "quiet zones at %d dpi: %d and %d dots", dpi, runs[0], runs[n - 1]);
		free (img.bits);
	}
	free (job);
	free (buf.data);
	static const char *const bad[] = { "parcel", "ABC\xce\xa9", NULL };
	buf.data = NULL;
	ok (label_render_kv (l, bad, &opt, &buf, &cause) < 0 && buf.data == NULL && cause && strstr (cause, "parcel"),
	    "data code128 cannot take is refused, naming the field: %s", cause ? cause : "");
	free (cause);
	cause = NULL;
	static const char *const none[] = { NULL };
	ok (label_render_kv (l, none, &opt, &buf, &cause) < 0 && cause && strstr (cause, "'parcel' is missing"),
	    "missing field named: %s", cause ? cause : "");
	free (cause);
	label_layout_destroy (&l);
	ok (l == NULL, "destroy nulls the pointer");
out:
	unlink (path);
	free (path);
	free (layout);
}

int
main (void)
{
	if (mkdtemp (test_label_dir) == NULL)
		return 1;
	if (getenv ("DSP_LAYOUT_PATH") == NULL)
		setenv ("DSP_LAYOUT_PATH", DSP_PKGDATADIR "/layouts", 1);
	test_label_layouts ();
	test_label_whole_dots (203, 0.25, 2);
	test_label_whole_dots (300, 0.25, 3);
	test_label_whole_dots (600, 0.25, 6);
	test_label_whole_dots (203, 0.375, 3);
	rmdir (test_label_dir);
	label_shutdown ();
	return tap_done ();
}
