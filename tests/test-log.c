/*
 * test-log.c: what reaches the log (common/log.c). Text from outside can
 * never forge a line: a file name with a new line and a fake time stamp,
 * escape sequences and bytes that are not UTF-8 come out escaped on the one
 * line; warnings about one peer are written a few at a time with a count of
 * the rest, named by the peer, while another peer's still get through.
 */
#include "config.h"
#include "log.h"
#include "tap.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[64];

/* The log so far, and its number of lines. */
static char *
log_text (int *lines)
{
	fflush (stderr);
	FILE *f = fopen (path, "rb");
	static char buf[1 << 16];
	size_t n = f ? fread (buf, 1, sizeof buf - 1, f) : 0;
	buf[n] = '\0';
	if (f)
		fclose (f);
	*lines = 0;
	for (size_t i = 0; i < n; i++)
		*lines += buf[i] == '\n';
	return buf;
}

static int
count_of (const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr (p, needle)) != NULL; p++)
		n++;
	return n;
}

struct heard {
	char peer[96];
	long count;
	int calls;
};

static void
on_flush (const char *peer, long count, void *arg)
{
	struct heard *h = arg;
	util_strlcpy (h->peer, peer, sizeof h->peer);
	h->count += count;
	h->calls++;
}

int
main (void)
{
	snprintf (path, sizeof path, "test-log.%ld.out", (long) getpid ());
	FILE *saved = fdopen (dup (fileno (stderr)), "w");
	if (freopen (path, "w", stderr) == NULL)
		return 1;
	log_open ("despatch-hub", LOG_LVL_INFO, 0);
	int lines;

	log_warn ("inbox file %s refused", "evil\n2026-12-01T00:00:00Z despatch-hub[error] forged.csv");
	char *t = log_text (&lines);
	is_int (lines, 1, "a file name with a new line is one line");
	ok (strstr (t, "evil\\n2026-12-01T00:00:00Z despatch-hub[error] forged.csv refused") != NULL,
	    "and the new line shows as \\n");
	ok (strncmp (t, "2026-12-01T00:00:00Z", 20) != 0 && count_of (t, "\n2026-12-01T00:00:00Z") == 0,
	    "no line starts with the forged time stamp");

	log_info ("code %s", "\x1b]0;owned\x07\x1b[2J caf\xe9 \r done");
	t = log_text (&lines);
	is_int (lines, 2, "escape sequences, CR and Latin-1 stay on one line");
	ok (strstr (t, "code \\x1B]0;owned\\x07\\x1B[2J caf\\xE9 \\r done") != NULL, "each shown escaped");
	log_info ("Zoë in Łódź, 東京");
	t = log_text (&lines);
	ok (strstr (t, "Zoë in Łódź, 東京\n") != NULL, "valid UTF-8 is written as it is");

	/* One peer floods; another speaks once. */
	log_peer_limits (5, 300);
	int written = 0, counted = 0;
	for (int i = 0; i < 10000; i++) {
		int rc = log_peer (LOG_LVL_WARN, "key hh-07", "message refused: frame %d malformed", i);
		if (rc >= 0)
			written++;
		else
			counted++;
	}
	is_int (written, 5, "10,000 warnings about one peer: 5 written");
	is_int (counted, 9995, "and the rest counted");
	ok (log_peer (LOG_LVL_WARN, "address 10.0.4.9", "message refused: bad signature") == 0,
	    "another peer's warning still goes through");
	t = log_text (&lines);
	is_int (count_of (t, "key hh-07: message refused"), 5, "the lines name the peer");
	ok (strstr (t, "address 10.0.4.9: message refused: bad signature") != NULL, "so do the other peer's");
	struct heard h = { "", 0, 0 };
	log_peer_flush (on_flush, &h);
	is_int (h.calls, 0, "inside the window nothing is summed up yet");
	usleep (350 * 1000);
	log_peer_flush (on_flush, &h);
	t = log_text (&lines);
	ok (strstr (t, "key hh-07: 9995 more warnings were not logged") != NULL, "after the window: one line with the count");
	ok (h.calls == 1 && h.count == 9995 && strcmp (h.peer, "key hh-07") == 0, "and the caller hears peer and count");
	int before = lines;
	log_peer_flush (on_flush, &h);
	log_text (&lines);
	is_int (lines, before, "said once");

	/* A new window carries the count on its first line when nobody flushed. */
	for (int i = 0; i < 8; i++)
		log_peer (LOG_LVL_WARN, "key hh-08", "forged terminal %d", i);
	usleep (350 * 1000);
	is_int (log_peer (LOG_LVL_WARN, "key hh-08", "forged terminal again"), 3, "the next window's first line: 3 not logged before");
	t = log_text (&lines);
	ok (strstr (t, "key hh-08: forged terminal again (and 3 more like it before, not logged)") != NULL, "and says so");
	log_peer (LOG_LVL_WARN, "key\nfake", "x");
	t = log_text (&lines);
	ok (strstr (t, "key\\nfake: x") != NULL, "a peer name is escaped too");

	fclose (stderr);
	unlink (path);
	stderr = saved;
	return tap_done ();
}
