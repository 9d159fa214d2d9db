/* replay.c: run a fuzz harness over its stored corpus, one TAP point per file. */
#include "config.h"
#include "fuzz.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
replay_name_cmp (const void *a, const void *b)
{
	return strcmp (*(char *const *) a, *(char *const *) b);
}

int
main (int argc, char **argv)
{
	const char *src = getenv ("top_srcdir");
	char dir[1024];
	if (argc > 1)
		snprintf (dir, sizeof dir, "%s", argv[1]);
	else
		snprintf (dir, sizeof dir, "%s/tests/fuzz/corpus/%s", src ? src : ".", FUZZ_NAME);
	DIR *d = opendir (dir);
	if (d == NULL) {
		printf ("Bail out! cannot open corpus %s\n", dir);
		return 1;
	}
	char *names[4096];
	int n = 0;
	struct dirent *e;
	while ((e = readdir (d)) != NULL && n < 4096)
		if (e->d_name[0] != '.')
			names[n++] = strdup (e->d_name);
	closedir (d);
	qsort (names, (size_t) n, sizeof names[0], replay_name_cmp);
	for (int i = 0; i < n; i++) {
		char path[2048];
		snprintf (path, sizeof path, "%s/%s", dir, names[i]);
		FILE *f = fopen (path, "rb");
		if (f == NULL) {
			printf ("not ok %d - %s: cannot open\n", i + 1, names[i]);
			continue;
		}
		static uint8_t buf[1 << 20];
		size_t size = fread (buf, 1, sizeof buf, f);
		fclose (f);
		/* A copy of exactly size bytes, so ASan sees any overread. */
		uint8_t *copy = malloc (size ? size : 1);
		memcpy (copy, buf, size);
		LLVMFuzzerTestOneInput (copy, size);
		free (copy);
		printf ("ok %d - %s %s (%zu bytes) handled\n", i + 1, FUZZ_NAME, names[i], size);
		free (names[i]);
	}
	printf ("1..%d\n", n);
	return n > 0 ? 0 : 1;
}
