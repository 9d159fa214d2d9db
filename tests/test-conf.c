/* test-conf.c: configuration files, errors with line numbers, overrides. */
#include "config.h"
#include "conf.h"
#include "tap.h"

#include <stdlib.h>

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

	ok (load_fails ("[hub]\nendpoint\n", "t.conf:2: expected 'key = value'"), "missing = named with its line");
	ok (load_fails ("key = 1\n", "t.conf:1: a key must come after"), "key before a section refused");
	ok (load_fails ("[hub\n", "t.conf:1: a section header"), "broken section header refused");
	ok (load_fails ("[hub]\n\n\nbad key = 2\n", "t.conf:4:"), "bad key name refused on its line");
	c = conf_new ();
	ok (conf_load (c, "/nonexistent/despatch.conf", &cause) == -1 && strstr (cause, "cannot open"),
	    "a missing file is named");
	free (cause);
	conf_destroy (&c);
	return tap_done ();
}
