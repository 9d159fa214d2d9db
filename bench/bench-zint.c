/*
 * bench-zint.c: barcodes through the labels library's zint adapter, in one
 * process, for the row of bench/labels.sh that sets it against the zint
 * command line.
 *
 *   bench-zint SYMBOLOGY FILE   encode every line of FILE (a symbology name
 *                               of labels/label-zint.c: dpd, code128, ...);
 *                               prints "symbols=N seconds=S rate=R"
 */
#include "config.h"
#include "label-int.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
main (int argc, char **argv)
{
	if (argc != 3) {
		fprintf (stderr, "usage: bench-zint SYMBOLOGY FILE\n");
		return 2;
	}
	FILE *f = fopen (argv[2], "r");
	if (f == NULL) {
		fprintf (stderr, "bench-zint: cannot read %s\n", argv[2]);
		return 1;
	}
	/* Read everything first: the time is the encoding, not the file. */
	size_t n = 0, cap = 1024;
	char **lines = xmalloc (cap * sizeof *lines);
	char buf[512];
	while (fgets (buf, sizeof buf, f)) {
		buf[strcspn (buf, "\r\n")] = '\0';
		if (*buf == '\0')
			continue;
		if (n == cap)
			lines = xrealloc (lines, (cap *= 2) * sizeof *lines);
		lines[n++] = xstrdup (buf);
	}
	fclose (f);
	int rc = 0;
	int64_t t0 = util_mono_us ();
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct label_matrix m;
		char *cause = NULL;
		if (label_zint_encode (argv[1], lines[i], NULL, 0, &m, &cause) != 0) {
			fprintf (stderr, "bench-zint: line %zu: %s\n", i + 1, cause ? cause : "not encoded");
			free (cause);
			rc = 1;
		}
		label_matrix_free (&m);
	}
	double secs = (double) (util_mono_us () - t0) / 1e6;
	if (rc == 0)
		printf ("symbols=%zu seconds=%.3f rate=%.0f\n", n, secs, secs > 0 ? (double) n / secs : 0.0);
	for (size_t i = 0; i < n; i++)
		free (lines[i]);
	free (lines);
	return rc;
}
