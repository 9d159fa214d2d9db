/*
 * despatch-label: validate tracking identifiers, and render carrier labels
 * for people who design, check and preview them.
 *
 * Exit status: 0 done, 1 the input was refused (invalid identifier, bad
 * shipment), 2 usage error.
 */
#include "config.h"
#include "ident.h"
#include "label.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DESPATCH_LABEL_USAGE 2

struct despatch_label_cmd {
	const char *name;
	const char *args;
	int (*run) (int argc, char **argv);
};

static const struct despatch_label_cmd despatch_label_cmds[];

static void
despatch_label_schemes (FILE *f)
{
	fprintf (f, "schemes:");
	for (const char *const *n = ident_names (); *n; n++)
		fprintf (f, " %s", *n);
	fprintf (f, "\n");
}

static int
despatch_label_usage (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

static int
despatch_label_usage (const char *fmt, ...)
{
	if (fmt != NULL) {
		va_list ap;
		fprintf (stderr, "despatch-label: ");
		va_start (ap, fmt);
		vfprintf (stderr, fmt, ap);
		va_end (ap);
		fprintf (stderr, "\n");
	}
	fprintf (stderr, "usage:\n");
	for (const struct despatch_label_cmd *c = despatch_label_cmds; c->name; c++)
		fprintf (stderr, "  despatch-label %s %s\n", c->name, c->args);
	despatch_label_schemes (stderr);
	return DESPATCH_LABEL_USAGE;
}

static int
despatch_label_validate (int argc, char **argv)
{
	if (argc != 3)
		return despatch_label_usage ("validate takes a scheme and an identifier");
	if (ident_find (argv[1]) == NULL)
		return despatch_label_usage ("unknown scheme '%s'", argv[1]);
	char *cause = NULL;
	if (ident_validate (argv[1], argv[2], &cause)) {
		printf ("valid\n");
		return 0;
	}
	printf ("invalid: %s\n", cause);
	free (cause);
	return 1;
}

static int
despatch_label_check (int argc, char **argv)
{
	if (argc != 3)
		return despatch_label_usage ("check takes a scheme and the data before the check character");
	if (ident_find (argv[1]) == NULL)
		return despatch_label_usage ("unknown scheme '%s'", argv[1]);
	char *cause = NULL;
	char c = ident_check (argv[1], argv[2], &cause);
	if (c == 0) {
		printf ("invalid: %s\n", cause);
		free (cause);
		return 1;
	}
	printf ("%c\n", c);
	return 0;
}

static int
despatch_label_make (int argc, char **argv)
{
	if (argc != 4)
		return despatch_label_usage ("make takes a scheme, a range prefix and a serial");
	if (ident_find (argv[1]) == NULL)
		return despatch_label_usage ("unknown scheme '%s'", argv[1]);
	char *end;
	errno = 0;
	uint64_t serial = strtoull (argv[3], &end, 10);
	if (errno || *end || argv[3][0] < '0' || argv[3][0] > '9')
		return despatch_label_usage ("serial '%s' is not a whole number", argv[3]);
	char *cause = NULL;
	char *id = ident_make (argv[1], argv[2], serial, &cause);
	if (id == NULL) {
		printf ("invalid: %s\n", cause);
		free (cause);
		return 1;
	}
	printf ("%s\n", id);
	free (id);
	return 0;
}

static void
despatch_label_print_barcode (void *arg, const char *element, const char *symbology, const char *data)
{
	fprintf (arg, "%s\t%s\t%s\n", element, symbology, data);
}

/* Write buf to path through a temporary name, so a failed write leaves no file. */
static int
despatch_label_write (const char *path, const struct label_buf *buf)
{
	if (strcmp (path, "-") == 0)
		return fwrite (buf->data, 1, buf->len, stdout) == buf->len && fflush (stdout) == 0 ? 0 : -1;
	/* A device or a pipe (-o /dev/null, a printer port) is written in place:
	 * renaming over it would replace it with a file, and as root that
	 * replaces /dev/null for the whole machine. */
	struct stat sb;
	if (stat (path, &sb) == 0 && !S_ISREG (sb.st_mode)) {
		FILE *f = fopen (path, "wb");
		int rc = f && fwrite (buf->data, 1, buf->len, f) == buf->len ? 0 : -1;
		if (f && fclose (f) != 0)
			rc = -1;
		if (rc != 0)
			fprintf (stderr, "despatch-label: cannot write %s: %s\n", path, strerror (errno));
		return rc;
	}
	char *tmp = xasprintf ("%s.tmpXXXXXX", path);
	int fd = mkstemp (tmp);
	if (fd < 0) {
		fprintf (stderr, "despatch-label: cannot create %s: %s\n", path, strerror (errno));
		free (tmp);
		return -1;
	}
	/* mkstemp makes the file private; a label is no secret, so give it the usual mode. */
	mode_t mask = umask (0);
	umask (mask);
	fchmod (fd, 0666 & ~mask);
	FILE *f = fdopen (fd, "wb");
	int rc = 0;
	if (fwrite (buf->data, 1, buf->len, f) != buf->len)
		rc = -1;
	if (fclose (f) != 0)
		rc = -1;
	if (rc == 0 && rename (tmp, path) != 0)
		rc = -1;
	if (rc != 0) {
		fprintf (stderr, "despatch-label: cannot write %s: %s\n", path, strerror (errno));
		unlink (tmp);
	}
	free (tmp);
	return rc;
}

static int
despatch_label_render (int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "carrier", required_argument, NULL, 'c' },
		{ "layout", required_argument, NULL, 'l' },
		{ "data", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' },
		{ "dpi", required_argument, NULL, 'r' },
		{ "stock", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ "list-barcodes", no_argument, NULL, 'b' },
		{ "repeat", required_argument, NULL, 'n' },
		{ "verify", no_argument, NULL, 'V' },
		{ "no-shrink", no_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 }
	};
	const char *carrier = NULL, *layout_file = NULL, *data = NULL, *output = NULL;
	struct label_options opt = { .format = LABEL_FORMAT_PNG, .dpi = 203 };
	bool list = false, have_format = false;
	long repeat = 1;
	int ch;

	optind = 1;
	while ((ch = getopt_long (argc, argv, "c:l:d:f:r:s:o:bn:", longopts, NULL)) != -1) {
		long v;
		switch (ch) {
		case 'c':
			carrier = optarg;
			break;
		case 'l':
			layout_file = optarg;
			break;
		case 'd':
			data = optarg;
			break;
		case 'f':
			if (label_format_parse (optarg) < 0)
				return despatch_label_usage ("--format must be zpl, pdf or png, not '%s'", optarg);
			opt.format = (enum label_format) label_format_parse (optarg);
			have_format = true;
			break;
		case 'r':
			if (!util_parse_long (optarg, 1, 10000, &v))
				return despatch_label_usage ("--dpi '%s' is not a number", optarg);
			opt.dpi = (int) v;
			break;
		case 's':
			opt.stock = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'b':
			list = true;
			break;
		case 'V':
			opt.verify = true;
			break;
		case 'S':
			opt.no_shrink = true;
			break;
		case 'n':
			/* For benchmarks: render the same data n times, keep the last. */
			if (!util_parse_long (optarg, 1, 100000000, &repeat))
				return despatch_label_usage ("--repeat '%s' is not a count", optarg);
			break;
		default:
			return despatch_label_usage (NULL);
		}
	}
	if (optind != argc)
		return despatch_label_usage ("render takes no argument '%s'", argv[optind]);
	if ((carrier == NULL) == (layout_file == NULL))
		return despatch_label_usage ("render needs one of --carrier or --layout");
	if (data == NULL || output == NULL)
		return despatch_label_usage ("render needs --data and -o");
	if (!have_format)
		return despatch_label_usage ("render needs --format zpl, pdf or png");
	char *cause = NULL;
	if (label_options_check (&opt, &cause) < 0) {
		despatch_label_usage ("%s", cause);
		free (cause);
		return DESPATCH_LABEL_USAGE;
	}

	json_error_t jerr;
	json_t *shipment = strcmp (data, "-") == 0 ? json_loadf (stdin, JSON_DECODE_ANY, &jerr) : json_load_file (data, JSON_DECODE_ANY, &jerr);
	if (shipment == NULL) {
		fprintf (stderr, "despatch-label: %s: line %d: %s\n", data, jerr.line, jerr.text);
		return 1;
	}
	struct label_layout *layout = carrier ? label_layout_load (carrier, &cause)
	    : label_layout_load_file (layout_file, &cause);
	if (layout == NULL) {
		fprintf (stderr, "despatch-label: %s\n", cause);
		free (cause);
		json_decref (shipment);
		return 1;
	}
	if (list) {
		opt.on_barcode = despatch_label_print_barcode;
		opt.on_barcode_arg = strcmp (output, "-") == 0 ? stderr : stdout;
	}
	struct label_buf buf = { NULL, 0 };
	int rc = 0;
	for (long i = 0; i < repeat && rc == 0; i++) {
		free (buf.data);
		buf.data = NULL;
		rc = label_render (layout, shipment, &opt, &buf, &cause);
		opt.on_barcode = NULL;
	}
	if (rc < 0) {
		fprintf (stderr, "despatch-label: %s: %s\n", data, cause);
		free (cause);
		rc = 1;
	} else if (despatch_label_write (output, &buf) < 0)
		rc = 1;
	free (buf.data);
	label_layout_destroy (&layout);
	json_decref (shipment);
	label_shutdown ();
	return rc;
}

static int
despatch_label_read_file (const char *path, struct label_buf *buf)
{
	FILE *f = strcmp (path, "-") == 0 ? stdin : fopen (path, "rb");
	if (f == NULL) {
		fprintf (stderr, "despatch-label: cannot read %s: %s\n", path, strerror (errno));
		return -1;
	}
	size_t cap = 1 << 16;
	buf->data = xmalloc (cap);
	buf->len = 0;
	size_t n;
	while ((n = fread (buf->data + buf->len, 1, cap - buf->len, f)) > 0) {
		buf->len += n;
		if (buf->len == cap)
			buf->data = xrealloc (buf->data, cap *= 2);
	}
	int rc = ferror (f) ? -1 : 0;
	if (rc < 0)
		fprintf (stderr, "despatch-label: cannot read %s: %s\n", path, strerror (errno));
	if (f != stdin)
		fclose (f);
	return rc;
}

/* Read every barcode of a rendered label back and compare it with the shipment's data. */
static int
despatch_label_verify (int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "carrier", required_argument, NULL, 'c' },
		{ "layout", required_argument, NULL, 'l' },
		{ "data", required_argument, NULL, 'd' },
		{ "dpi", required_argument, NULL, 'r' },
		{ "stock", required_argument, NULL, 's' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 }
	};
	const char *carrier = NULL, *layout_file = NULL, *data = NULL;
	struct label_options opt = { .format = LABEL_FORMAT_PNG, .dpi = 203 };
	bool quiet = false;
	int ch;
	optind = 1;
	while ((ch = getopt_long (argc, argv, "c:l:d:r:s:q", longopts, NULL)) != -1) {
		long v;
		switch (ch) {
		case 'c':
			carrier = optarg;
			break;
		case 'l':
			layout_file = optarg;
			break;
		case 'd':
			data = optarg;
			break;
		case 'r':
			if (!util_parse_long (optarg, 1, 10000, &v))
				return despatch_label_usage ("--dpi '%s' is not a number", optarg);
			opt.dpi = (int) v;
			break;
		case 's':
			opt.stock = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		default:
			return despatch_label_usage (NULL);
		}
	}
	if (optind != argc - 1)
		return despatch_label_usage ("verify takes the label file to read");
	if ((carrier == NULL) == (layout_file == NULL) || data == NULL)
		return despatch_label_usage ("verify needs one of --carrier or --layout, and --data");
	char *cause = NULL;
	if (label_options_check (&opt, &cause) < 0) {
		despatch_label_usage ("%s", cause);
		free (cause);
		return DESPATCH_LABEL_USAGE;
	}
	json_error_t jerr;
	json_t *shipment = json_load_file (data, JSON_DECODE_ANY, &jerr);
	if (shipment == NULL) {
		fprintf (stderr, "despatch-label: %s: line %d: %s\n", data, jerr.line, jerr.text);
		return 1;
	}
	struct label_layout *layout = carrier ? label_layout_load (carrier, &cause)
	    : label_layout_load_file (layout_file, &cause);
	struct label_buf buf = { NULL, 0 };
	int rc = 1;
	if (layout == NULL)
		fprintf (stderr, "despatch-label: %s\n", cause);
	else if (despatch_label_read_file (argv[optind], &buf) == 0) {
		if (!quiet) {
			opt.on_barcode = despatch_label_print_barcode;
			opt.on_barcode_arg = stdout;
		}
		if (label_verify (layout, shipment, &opt, &buf, &cause) == 0)
			rc = 0;
		else
			fprintf (stderr, "despatch-label: %s: %s\n", argv[optind], cause);
	}
	free (cause);
	free (buf.data);
	label_layout_destroy (&layout);
	json_decref (shipment);
	label_shutdown ();
	return rc;
}

static int
despatch_label_layouts (int argc, char **argv)
{
	(void) argv;
	if (argc != 1)
		return despatch_label_usage ("layouts takes no arguments");
	char **path = label_layout_path ();
	for (char **p = path; *p; p++) {
		printf ("# %s\n", *p);
		free (*p);
	}
	free (path);
	char **names = label_layout_list ();
	for (char **n = names; *n; n++) {
		char *cause = NULL;
		struct label_layout *l = label_layout_load (*n, &cause);
		if (l) {
			printf ("%s\t%s\n", *n, label_layout_title (l));
			label_layout_destroy (&l);
		} else {
			printf ("%s\tbroken: %s\n", *n, cause);
			free (cause);
		}
		free (*n);
	}
	free (names);
	label_shutdown ();
	return 0;
}

static const struct despatch_label_cmd despatch_label_cmds[] = {
	{ "validate", "SCHEME ID", despatch_label_validate },
	{ "check", "SCHEME DATA", despatch_label_check },
	{ "make", "SCHEME PREFIX SERIAL", despatch_label_make },
	{ "render", "--carrier C|--layout FILE --data SHIPMENT.json --format zpl|pdf|png [--dpi N] [--stock S] [--verify] -o FILE", despatch_label_render },
	{ "verify", "--carrier C|--layout FILE --data SHIPMENT.json [--dpi N] [--stock S] FILE", despatch_label_verify },
	{ "layouts", "", despatch_label_layouts },
	{ NULL, NULL, NULL }
};

int
main (int argc, char **argv)
{
	if (argc < 2)
		return despatch_label_usage (NULL);
	if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0) {
		despatch_label_usage (NULL);
		return 0;
	}
	for (const struct despatch_label_cmd *c = despatch_label_cmds; c->name; c++)
		if (strcmp (c->name, argv[1]) == 0)
			return c->run (argc - 1, argv + 1);
	return despatch_label_usage ("unknown command '%s'", argv[1]);
}
