/* test-print-map.c: the station -> printer map read from configuration. */
#include "config.h"
#include "printers/print.h"
#include "common/conf.h"
#include "tests/tap.h"

#include <stdlib.h>

static const char test_print_map_conf[] =
	"[printer]\n"
	"server = /run/cups/cups.sock\n"
	"bench1.label = zebra-bench1\n"
	"bench1.document = laser-despatch\n"
	"bench1.dpi = 300\n"
	"bench2.label = zebra-bench2\n"
	"group.benches.fallback = zebra-spare\n"
	"group.benches.document-fallback = laser-office\n"
	"[station]\n"
	"bench1.group = benches\n"
	"bench2.group = benches\n"
	"desk1.group = desks\n";

static void
test_print_map_bad (const char *text, const char *want, const char *what)
{
	conf_t *conf = conf_new ();
	char *cause = NULL;
	int rc = conf_load_string (conf, "bad.conf", text, &cause);
	if (rc == 0)
		rc = print_map_check (conf, &cause);
	ok (rc != 0 && cause && strstr (cause, want), "%s: %s", what, cause ? cause : "");
	free (cause);
	conf_destroy (&conf);
}

int
main (void)
{
	conf_t *conf = conf_new ();
	char *cause = NULL;
	int rc = conf_load_string (conf, "test.conf", test_print_map_conf, &cause);
	ok (rc == 0, "configuration loads %s", cause ? cause : "");
	rc = print_map_check (conf, &cause);
	ok (rc == 0, "and checks %s", cause ? cause : "");
	is_str (print_map_queue (conf, "bench1", PRINT_ROLE_LABEL, NULL), "zebra-bench1", "bench1 label printer");
	is_str (print_map_queue (conf, "bench1", PRINT_ROLE_DOCUMENT, NULL), "laser-despatch", "bench1 document printer");
	is_int (print_map_dpi (conf, "bench1", NULL), 300, "bench1 is 300 dpi");
	is_int (print_map_dpi (conf, "bench2", NULL), 203, "bench2 defaults to 203 dpi");
	is_str (print_map_fallback (conf, "bench2", PRINT_ROLE_LABEL), "zebra-spare", "label fallback of the group");
	is_str (print_map_fallback (conf, "bench2", PRINT_ROLE_DOCUMENT), "laser-office", "document fallback of the group");
	ok (print_map_fallback (conf, "desk1", PRINT_ROLE_LABEL) == NULL, "a group without a fallback");
	ok (print_map_fallback (conf, "ghost", PRINT_ROLE_LABEL) == NULL, "a station without a group");
	const char *q = print_map_queue (conf, "bench2", PRINT_ROLE_DOCUMENT, &cause);
	ok (q == NULL && cause && strstr (cause, "bench2.document"), "missing document printer: %s", cause ? cause : "");
	free (cause);
	conf_destroy (&conf);

	test_print_map_bad ("[printer]\nbench1.lable = z\n", "unknown key", "misspelt key");
	test_print_map_bad ("[printer]\nbench1.dpi = 600\n", "203 or 300", "bad dpi");
	test_print_map_bad ("[printer]\nbench1.label =\n", "is empty", "empty queue");
	test_print_map_bad ("[printer]\ngroup.benches.spare = z\n", "fallback", "bad group key");
	return tap_done ();
}
