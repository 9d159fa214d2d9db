/*
 * test-conf.c: configuration files, errors with line numbers, overrides,
 * and the table of known keys that unknown ones are warned against.
 */
#include "config.h"
#include "conf.h"
#include "util.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
load_fails (const char *text, const char *want)
{
	conf_t *c = conf_new ();
	char *cause = NULL;
	int rc = conf_load_string (c, "t.conf", text, &cause);
	int good = rc == -1 && cause && strstr (cause, want);
	if (!good)
		diag ("rc=%d cause='%s' wanted '%s'", rc, cause ? cause : "", want);
	free (cause);
	conf_destroy (&c);
	return good;
}

/* What conf_check_keys said, one message a line. */
struct warnings {
	char text[4096];
	int n;
};

static void
collect (const char *message, void *arg)
{
	struct warnings *w = arg;
	size_t len = strlen (w->text);
	snprintf (w->text + len, sizeof w->text - len, "%s\n", message);
	w->n++;
}

static int
check_text (const char *text, struct warnings *w)
{
	conf_t *c = conf_new ();
	char *cause = NULL;
	memset (w, 0, sizeof *w);
	if (conf_load_string (c, "site.conf", text, &cause) != 0) {
		diag ("did not load: %s", cause);
		free (cause);
		conf_destroy (&c);
		return -1;
	}
	int n = conf_check_keys (c, collect, w);
	conf_destroy (&c);
	return n;
}

static void
test_known_keys (void)
{
	struct warnings w;

	/* The table: every row found as itself, none hidden by another row. */
	size_t n = 0;
	const struct conf_key *keys = conf_keys (&n);
	ok (n > 40, "the table of known keys has its %zu rows", n);
	size_t shadowed = 0, bad_default = 0;
	for (size_t i = 0; i < n; i++) {
		char name[256];
		util_strlcpy (name, keys[i].name, sizeof name);
		for (char *s = strchr (name, '*'); s; s = strchr (s, '*'))
			*s = 'x';
		if (conf_key_find (name) != &keys[i]) {
			diag ("%s (as %s) is found as another row", keys[i].name, name);
			shadowed++;
		}
		if (keys[i].dflt == NULL || *keys[i].dflt == '\0') {
			diag ("%s has no default", keys[i].name);
			bad_default++;
		}
	}
	ok (shadowed == 0, "each row is found as itself (no pattern hides a fixed key)");
	ok (bad_default == 0, "each row gives its default");
	ok (conf_key_find ("printer.bench1.label") != NULL, "a station's label printer is known");
	ok (conf_key_find ("printer.group.benches.document-fallback") != NULL, "a group's document fallback is known");
	ok (conf_key_find ("station.goods.in.group") != NULL, "a station name may hold dots");
	ok (conf_key_find ("printer..label") == NULL, "the station part may not be empty");
	ok (conf_key_find ("hub.endpoints") == NULL, "a longer name is not a known one");
	is_str (conf_key_find ("hub.heartbeat_ms")->dflt, "5000", "a row's default");

	/* The warning of the example: a typo in a station's key, with where it was. */
	is_int (check_text ("[hub]\nendpoint = tcp://*:5570\n[printer]\nbench1.label = zebra\n"
	    "bench1.lable = zebra\n", &w), 1, "one unknown key among known ones");
	is_str (w.text, "site.conf:5: unknown key printer.bench1.lable; did you mean printer.bench1.label?\n",
	    "it names the file, the line, the key and the nearest known key");

	is_int (check_text ("[hub]\nhearbeat_ms = 100\n[securty]\ncurve = no\n[log]\nlevle = debug\n"
	    "[printer]\ngroup.benches.fallbak = spare\n[station]\nbench1.grup = benches\n", &w), 5,
	    "five typos, five warnings");
	ok (strstr (w.text, "site.conf:2: unknown key hub.hearbeat_ms; did you mean hub.heartbeat_ms?\n")
	    && strstr (w.text, "site.conf:4: unknown key securty.curve; did you mean security.curve?\n")
	    && strstr (w.text, "site.conf:6: unknown key log.levle; did you mean log.level?\n")
	    && strstr (w.text, "unknown key printer.group.benches.fallbak; did you mean printer.group.benches.fallback?\n")
	    && strstr (w.text, "site.conf:10: unknown key station.bench1.grup; did you mean station.bench1.group?\n"),
	    "a typo in a section, a key, a group's key and a station's key each get the right suggestion");
	if (w.n != 5)
		diag ("%s", w.text);

	is_int (check_text ("[metrics]\nwhatever = 1\n", &w), 1, "a key nothing is near");
	is_str (w.text, "site.conf:2: unknown key metrics.whatever: no part of the suite reads it "
	    "(see despatch.conf(5))\n", "it says so, without a guess");

	/* Overrides say they came from the command line; a program's own settings say nothing. */
	conf_t *c = conf_new ();
	char *cause = NULL;
	conf_set_arg (c, "hub.batchmax=64", &cause);
	conf_set (c, "log.levl", "info");
	memset (&w, 0, sizeof w);
	is_int (conf_check_keys (c, collect, &w), 2, "overrides and set keys are checked too");
	is_str (w.text, "--set: unknown key hub.batchmax; did you mean hub.batch_max?\n"
	    "unknown key log.levl; did you mean log.level?\n", "with where they came from, when known");
	/* A file setting replaced by an override is where the override is. */
	conf_load_string (c, "site.conf", "[hub]\nbatchmax = 1\n", &cause);
	memset (&w, 0, sizeof w);
	conf_check_keys (c, collect, &w);
	ok (strstr (w.text, "site.conf:2: unknown key hub.batchmax") != NULL, "a key set again is where it was last set");
	conf_destroy (&c);

	/* Every known key, set: no warning at all. */
	c = conf_new ();
	for (size_t i = 0; i < n; i++) {
		char name[256];
		util_strlcpy (name, keys[i].name, sizeof name);
		for (char *s = strchr (name, '*'); s; s = strchr (s, '*'))
			*s = 'q';
		conf_set (c, name, "1");
	}
	memset (&w, 0, sizeof w);
	is_int (conf_check_keys (c, collect, &w), 0, "a file of known keys only: no warning");
	conf_destroy (&c);

	/* The example configuration that ships is free of unknown keys. */
	const char *src = getenv ("top_srcdir");
	char *path = xasprintf ("%s/data/despatch.conf.example", src ? src : ".");
	c = conf_new ();
	if (conf_load (c, path, &cause) != 0) {
		ok (0, "the example configuration loads: %s", cause);
		free (cause);
	} else {
		memset (&w, 0, sizeof w);
		is_int (conf_check_keys (c, collect, &w), 0, "the shipped despatch.conf.example has no unknown key");
		if (w.n)
			diag ("%s", w.text);
	}
	conf_destroy (&c);
	free (path);
}

int
main (void)
{
	conf_t *c = conf_new ();
	char *cause = NULL;
	int rc = conf_load_string (c, "t.conf",
	    "# the hub\n"
	    "[hub]\n"
	    "endpoint = tcp://127.0.0.1:5570\n"
	    "  batch_max=64  \n"
	    "\n"
	    "; another comment\n"
	    "[printer.bench-1]\n"
	    "label = zebra-1\n"
	    "[log]\n"
	    "syslog = yes\n",
	    &cause);
	ok (rc == 0, "a good file loads");
	is_str (conf_get (c, "hub.endpoint", NULL), "tcp://127.0.0.1:5570", "value read");
	is_str (conf_get (c, "hub.batch_max", NULL), "64", "spaces trimmed");
	is_str (conf_get (c, "printer.bench-1.label", NULL), "zebra-1", "dotted section names");
	is_str (conf_get (c, "hub.missing", "dflt"), "dflt", "default for a missing key");
	ok (conf_get_bool (c, "log.syslog", false), "yes is true");
	long v = 0;
	ok (conf_get_long (c, "hub.batch_max", 1, 1, 100, &v, &cause) == 0 && v == 64, "number read");
	ok (conf_get_long (c, "hub.batch_max", 1, 1, 10, &v, &cause) == -1 && strstr (cause, "from 1 to 10"),
	    "number out of range named: %s", cause);
	free (cause);
	cause = NULL;
	conf_set (c, "hub.endpoint", "x");
	ok (conf_set_arg (c, "hub.endpoint=ipc:///tmp/h", &cause) == 0, "override accepted");
	is_str (conf_get (c, "hub.endpoint", NULL), "ipc:///tmp/h", "override wins");
	ok (conf_set_arg (c, "noequals", &cause) == -1 && strstr (cause, "section.key=value"), "override without = refused");
	free (cause);
	cause = NULL;
	ok (conf_set_arg (c, "nodot=1", &cause) == -1, "override without a section refused");
	free (cause);
	conf_destroy (&c);
	ok (c == NULL, "destroy clears the pointer");

	/* Saved as UTF-8 with a byte-order mark (some editors do): the mark is not part of the first key. */
	c = conf_new ();
	cause = NULL;
	ok (conf_load_string (c, "bom.conf", "\xef\xbb\xbf[hub]\ninbox = /srv/in\n", &cause) == 0,
	    "a file that starts with a UTF-8 byte-order mark loads: %s", cause ? cause : "");
	is_str (conf_get (c, "hub.inbox", NULL), "/srv/in", "  and its first section is read");
	conf_destroy (&c);
	ok (load_fails ("[hub]\n\xef\xbb\xbfinbox = x\n", "t.conf:2"), "a mark anywhere else is still refused");

	ok (load_fails ("[hub]\nendpoint\n", "t.conf:2: expected 'key = value'"), "missing = named with its line");
	ok (load_fails ("key = 1\n", "t.conf:1: a key must come after"), "key before a section refused");
	ok (load_fails ("[hub\n", "t.conf:1: a section header"), "broken section header refused");
	ok (load_fails ("[hub]\n\n\nbad key = 2\n", "t.conf:4:"), "bad key name refused on its line");
	/* Values are text: UTF-8, no control characters (tabs and a CRLF's CR are layout). */
	ok (load_fails ("[hub]\nexports = /srv/caf\xe9\n", "t.conf:2: not valid UTF-8 (byte 0xE9 at position 19); save the file as UTF-8"),
	    "a Latin-1 value refused, its line and byte named");
	ok (load_fails ("[hub]\n\nexports = /srv/\x1b[2Jx\n", "t.conf:3: the control character U+001B at position 16"),
	    "an escape sequence in a value refused");
	ok (load_fails ("[privacy]\nnote = a\xc2\x85" "b\n", "t.conf:2: the control character U+0085"), "a C1 control refused");
	c = conf_new ();
	cause = NULL;
	ok (conf_load_string (c, "t.conf", "[hub]\r\nexports\t= /srv/Zoë\r\n", &cause) == 0
	        && strcmp (conf_get (c, "hub.exports", ""), "/srv/Zoë") == 0,
	    "CRLF lines, a tab and UTF-8 letters are fine");
	cause = NULL;
	int set = conf_set_arg (c, "hub.exports=/srv/a\nb", &cause); /* before ok(): its message reads cause */
	ok (set == -1 && cause && strstr (cause, "--set hub.exports: the control character U+000A at position 7"),
	    "--set with a new line in the value refused: %s", cause ? cause : "");
	free (cause);
	cause = NULL;
	conf_destroy (&c);
	{
		char path[] = "test-conf-nul.XXXXXX";
		int fd = mkstemp (path);
		static const char text[] = "[hub]\nbatch_max = 5\n\0\nexports = x\n";
		ok (fd >= 0 && write (fd, text, sizeof text - 1) == (ssize_t) sizeof text - 1, "a file with a NUL on line 3");
		close (fd);
		c = conf_new ();
		int loaded = conf_load (c, path, &cause);
		ok (loaded == -1 && cause && strstr (cause, ":3: contains a NUL byte"), "refused, naming the line: %s",
		    cause ? cause : "");
		free (cause);
		cause = NULL;
		conf_destroy (&c);
		unlink (path);
	}
	c = conf_new ();
	ok (conf_load (c, "/nonexistent/despatch.conf", &cause) == -1 && strstr (cause, "cannot open"),
	    "a missing file is named");
	free (cause);
	conf_destroy (&c);

	test_known_keys ();
	return tap_done ();
}
