/*
 * fuzz-gs1.c: the scan parser must take any string a scanner or a person
 * could send without crashing, and what it reads as GS1 must read the same
 * when written back in the bracketed form a person would type.
 */
#include "config.h"
#include "fuzz.h"
#include "gs1.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	/* A scan arrives as a string: a NUL ends it. */
	char *raw = malloc (size + 1);
	memcpy (raw, data, size);
	raw[size] = '\0';
	struct gs1_scan scan, again;
	char err[160];
	if (gs1_parse (raw, &scan, err, sizeof err) == 0 && scan.gs1) {
		char text[GS1_MAX_CODE + 1] = "";
		size_t n = 0;
		bool typable = true;
		for (int i = 0; i < scan.n; i++) {
			if (strlen (scan.el[i].value) > GS1_MAX_VALUE || gs1_get (&scan, scan.el[i].ai) != scan.el[i].value)
				abort ();
			typable = typable && strchr (scan.el[i].value, '(') == NULL;
			n += (size_t) snprintf (text + n, sizeof text - n, "(%s)%s", scan.el[i].ai, scan.el[i].value);
		}
		if (n >= sizeof text)
			abort ();
		if (typable) {
			if (gs1_parse (text, &again, err, sizeof err) != 0 || !again.gs1 || again.n != scan.n)
				abort ();
			for (int i = 0; i < scan.n; i++)
				if (strcmp (again.el[i].ai, scan.el[i].ai) != 0 || strcmp (again.el[i].value, scan.el[i].value) != 0)
					abort ();
		}
		const char *sscc = gs1_get (&scan, "00");
		if (sscc && !gs1_sscc_valid (sscc))
			abort ();
	}
	free (raw);
	return 0;
}
