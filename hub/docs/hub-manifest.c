/* hub-manifest.c: a manifest's text, written by the file worker, named at commit (see hub-manifest.h). */
#include "config.h"
#include "hub-manifest.h"
#include "carriers/carrier-manifest.h"
#include "util.h"

#include <stdlib.h>

int
hub_manifest_write (struct hub_req *req, const struct carrier *c, int64_t manifest, const char *outbox,
    char **path, int *rows, char **cause)
{
	char *text = NULL;
	size_t len = 0;
	if (carrier_manifest_text (req->db, c, manifest, outbox, path, &text, &len, rows, cause) != 0)
		return -1;
	char *part = xasprintf ("%s.part", *path);
	const char *why = NULL;
	int written = hub_ask_file (req, part, text, len, &why);
	free (text);
	if (written == 0) {
		*cause = xstrdup (why);
		free (part);
		free (*path);
		*path = NULL;
		return -1;
	}
	/* Written: it takes its name when this commits (removed if it is rolled back). While it is
	 * being written this run is not kept, and nothing is asked of the after-commit list. */
	if (written == 1)
		hub_after_file (req->after, part, *path, true);
	free (part);
	return 0;
}
