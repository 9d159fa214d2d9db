/*
 * test-systems.c: two kinds of key on a real hub with CURVE on. A
 * terminal's key (a handheld that can be lost) pushes no order into the
 * integration endpoint (no answer, nothing in the database) and hears no
 * event on the events feed while a system's key hears one; a system's key
 * gets no answer to a HELLO on the terminals' endpoint; a system's key
 * pushes an order that is imported and hears events; revoking it drops its
 * open connection; a renamed system keeps working under its new name; the
 * hub's log says what each refused key is and how to enrol the right kind;
 * despatch keys list shows both kinds.
 */
#include "config.h"
#include "client.h"
#include "tests/security/seclib.h"
#include "tests/tap.h"
#include "tests/testlib.h"
#include "util.h"

#include <czmq.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A socket of type to endpoint, CURVE with the certificate own (its secret
 * beside it) against the hub's public key in hub. */
static zsock_t *
peer (int type, const char *endpoint, const char *own, const char *hub, int timeout_ms)
{
	zsock_t *s = zsock_new (type);
	zsock_set_linger (s, 0);
	zsock_set_rcvtimeo (s, timeout_ms);
	zsock_set_sndtimeo (s, timeout_ms);
	zcert_t *c = zcert_load (own), *h = zcert_load (hub);
	if (c && h) {
		zcert_apply (c, s);
		zsock_set_curve_serverkey (s, zcert_public_txt (h));
	} else {
		diag ("cannot read %s or %s", own, hub);
	}
	zcert_destroy (&c);
	zcert_destroy (&h);
	if (type == ZMQ_SUB)
		zsock_set_subscribe (s, "");
	zsock_connect (s, "%s", endpoint);
	return s;
}

/* One order, ref, as an ERP pushes it. */
static char *
order_doc (const char *ref)
{
	return xasprintf ("{\"orders\": [{\"ref\": \"%s\", \"channel\": \"web\", \"customer\": {\"name\": \"Ngozi "
	                  "Adeyemi-Lindqvist\", \"address\": [\"Flat 4, 117 Rue du Faubourg Saint-Antoine\"], \"town\": "
	                  "\"Paris\", \"postcode\": \"75011\", \"country\": \"FR\"}, \"service\": \"standard\", \"value\": "
	                  "\"89.00\", \"lines\": [{\"line\": 1, \"sku\": \"HB-CLT-0220\", \"description\": \"Evening "
	                  "clutch, gold\", \"department\": \"Handbags\", \"quantity\": 1, \"locations\": [\"HB-R1-A05\"], "
	                  "\"unit_weight_g\": 350, \"value\": \"89.00\"}]}]}",
	    ref);
}

/* Push the document on req; the answer or NULL after the socket's timeout. */
static char *
push (zsock_t *req, const char *doc)
{
	if (zstr_send (req, doc) != 0)
		return NULL;
	return zstr_recv (req);
}

static long long
orders_named (const char *database, const char *ref)
{
	char *sql = xasprintf ("SELECT count(*) FROM orders WHERE ref = '%s'", ref);
	long long n = testlib_sql_int (database, sql);
	free (sql);
	return n;
}

/* Events heard on sub within wait_ms (at most 50). */
static int
heard (zsock_t *sub, int wait_ms)
{
	int n = 0;
	int64_t until = util_mono_ms () + wait_ms;
	zpoller_t *p = zpoller_new (sub, NULL);
	for (int64_t now = util_mono_ms (); now < until && n < 50; now = util_mono_ms ()) {
		if (zpoller_wait (p, (int) (until - now)) != sub)
			break;
		zmsg_t *m = zmsg_recv (sub);
		if (m)
			n++;
		zmsg_destroy (&m);
	}
	zpoller_destroy (&p);
	return n;
}

/* A hold and a release through the terminal: two events on the feed. */
static bool
make_events (client_t *c, uint32_t *seq)
{
	proto_msg_t *r = testlib_command (c, ++*seq, "hold", "code", "T1000002", "reason", "systems test", NULL);
	bool good = testlib_status (r) == PROTO_OK;
	proto_msg_destroy (&r);
	r = testlib_command (c, ++*seq, "release", "code", "T1000002", "reason", "systems test", NULL);
	good = good && testlib_status (r) == PROTO_OK;
	proto_msg_destroy (&r);
	return good;
}

int
main (void)
{
	struct testlib_hub hub;
	zsys_init ();
	zsys_set_logsystem (false);
	char dir[256];
	testlib_tmpdir (dir, sizeof dir);
	char *integ = xasprintf ("ipc://%s/integ.sock", dir), *events = xasprintf ("ipc://%s/events.sock", dir);
	char *set_integ = xasprintf ("hub.integration=%s", integ), *set_events = xasprintf ("hub.events=%s", events);
	const char *extra[] = { set_integ, set_events, NULL };
	if (!ok (testlib_hub_start_curve (&hub, extra) == 0, "hub starts with CURVE, integration and events")) {
		free (integ);
		return tap_done ();
	}
	is_int (testlib_keys (&hub, "enrol", "hh-3"), 0, "terminal hh-3 enrolled");
	is_int (testlib_keys (&hub, "enrol", "erp --system"), 0, "system erp enrolled (--system)");
	is_int (testlib_keys (&hub, "enrol", "erp"), 1, "erp again, as a terminal: refused (one name, one kind)");
	is_int (testlib_keys (&hub, "enrol", "hh-3 --system"), 1, "hh-3 again, as a system: refused");
	char *hubcert = xasprintf ("%s/hub.cert", hub.keys);
	char *tcert = xasprintf ("%s/terminals/hh-3/terminal.cert", hub.keys);
	char *scert = xasprintf ("%s/clients/erp/system.cert", hub.keys);
	/* Each key as the log names it (the system's folder is gone once it is revoked). */
	char tkey[41] = "", skey[41] = "";
	zcert_t *tc = zcert_load (tcert), *sc = zcert_load (scert);
	if (tc && sc) {
		snprintf (tkey, sizeof tkey, "%s", zcert_public_txt (tc));
		snprintf (skey, sizeof skey, "%s", zcert_public_txt (sc));
	}
	zcert_destroy (&tc);
	zcert_destroy (&sc);
	char *cmd = xasprintf ("'%s/admin/despatch' keys list '%s'", getenv ("top_builddir") ? getenv ("top_builddir")
	                                                                                    : ".", hub.keys);
	char *list = testlib_run (cmd);
	ok (list && strstr (list, "enrolled terminal hh-3\n") && strstr (list, "enrolled system   erp\n"),
	    "despatch keys list shows both kinds:\n%s", list ? list : "(nothing)");
	free (list);

	/* The terminal, logged in, makes events; it also shows the ROUTER still admits terminal keys. */
	char *tkeys = xasprintf ("%s/terminals/hh-3", hub.keys), *cause = NULL;
	client_t *term = client_new_secure (hub.endpoint, "hh-3", tkeys, &cause);
	uint32_t seq = 0;
	proto_msg_t *r = term ? testlib_hello (term, ++seq, "office") : NULL;
	is_int (testlib_status (r), PROTO_OK, "terminal key on the terminals' endpoint: HELLO answered%s%s",
	    cause ? ": " : "", cause ? cause : "");
	proto_msg_destroy (&r);
	r = term ? testlib_login (term, ++seq, "B3001", "3333") : NULL;
	is_int (testlib_status (r), PROTO_OK, "and a supervisor logs in");
	proto_msg_destroy (&r);

	/* A handheld's key on the integration endpoint: no answer, no order. */
	zsock_t *treq = peer (ZMQ_REQ, integ, tcert, hubcert, 2500);
	char *doc = order_doc ("Q7000001");
	char *ans = push (treq, doc);
	ok (ans == NULL, "terminal key pushing an order to the integration endpoint: no answer (%s)",
	    ans ? ans : "none");
	zstr_free (&ans);
	free (doc);
	zsock_destroy (&treq);
	is_int (orders_named (hub.database, "Q7000001"), 0, "and the order is not in the database");

	/* Events: the system hears them, the terminal's key does not, in the same window. */
	zsock_t *ssub = peer (ZMQ_SUB, events, scert, hubcert, 1000);
	zsock_t *tsub = peer (ZMQ_SUB, events, tcert, hubcert, 1000);
	int sys_heard = 0, term_heard = 0;
	bool made = true;
	for (int i = 0; i < 15 && sys_heard == 0; i++) {
		made = make_events (term, &seq) && made;
		sys_heard += heard (ssub, 300);
		term_heard += heard (tsub, 0);
	}
	term_heard += heard (tsub, 500);
	ok (made, "holds and releases of T1000002 made events");
	ok (sys_heard > 0, "system key on the events feed: hears events (%d)", sys_heard);
	is_int (term_heard, 0, "terminal key on the events feed: hears nothing in the same window");
	zsock_destroy (&tsub);

	/* A system's key on the terminals' ROUTER: no reply to a HELLO. */
	zsock_t *sdealer = peer (ZMQ_DEALER, hub.endpoint, scert, hubcert, 2000);
	r = sec_hello (sdealer, "erp", 1, "office");
	ok (r == NULL, "system key on the terminals' endpoint: no reply to a HELLO (%s)", sec_text (r));
	proto_msg_destroy (&r);
	zsock_destroy (&sdealer);

	/* The system's key pushes an order: imported. */
	zsock_t *sreq = peer (ZMQ_REQ, integ, scert, hubcert, 10000);
	doc = order_doc ("Q7000002");
	ans = push (sreq, doc);
	ok (ans && strstr (ans, "\"ok\":true"), "system key on the integration endpoint: answered (%s)",
	    ans ? ans : "none");
	zstr_free (&ans);
	free (doc);
	is_int (orders_named (hub.database, "Q7000002"), 1, "and the order is imported");

	/* Revoked: the open connection's next push goes unanswered, its feed goes quiet. */
	is_int (testlib_keys (&hub, "revoke", "erp"), 0, "despatch keys revoke erp");
	usleep (2500 * 1000);
	heard (ssub, 0);
	zsock_set_rcvtimeo (sreq, 2500);
	doc = order_doc ("Q7000003");
	ans = push (sreq, doc);
	ok (ans == NULL, "revoked system: its open connection's next push goes unanswered (%s)", ans ? ans : "none");
	zstr_free (&ans);
	free (doc);
	zsock_destroy (&sreq);
	is_int (orders_named (hub.database, "Q7000003"), 0, "and that order is not imported");
	make_events (term, &seq);
	is_int (heard (ssub, 1500), 0, "revoked system: its open subscription hears nothing more");
	zsock_destroy (&ssub);
	r = term ? testlib_command (term, ++seq, "hold", "code", "T1000002", "reason", "after", NULL) : NULL;
	is_int (testlib_status (r), PROTO_OK, "the terminal is not hurt by the system's revocation");
	proto_msg_destroy (&r);
	client_destroy (&term);
	cmd = (free (cmd), xasprintf ("'%s/admin/despatch' keys list '%s'", getenv ("top_builddir")
	                                                                        ? getenv ("top_builddir") : ".", hub.keys));
	list = testlib_run (cmd);
	ok (list && strstr (list, "revoked  system   erp\n") && !strstr (list, "enrolled system   erp"),
	    "despatch keys list shows erp revoked, as a system");
	free (list);

	/* Rename works for a system too: its folder moves, its key keeps working under the new name. */
	is_int (testlib_keys (&hub, "enrol", "wms --system"), 0, "system wms enrolled");
	is_int (testlib_keys (&hub, "rename", "wms wms-2"), 0, "despatch keys rename wms wms-2");
	is_int (testlib_keys (&hub, "rename", "hh-3 wms-2"), 1, "renaming a terminal onto the system's name: refused");
	char *wcert = xasprintf ("%s/clients/wms-2/system.cert", hub.keys);
	char *wold = xasprintf ("%s/clients/wms/system.cert", hub.keys);
	ok (access (wcert, R_OK) == 0 && access (wold, F_OK) != 0, "its folder is clients/wms-2 now");
	zsock_t *wreq = peer (ZMQ_REQ, integ, wcert, hubcert, 10000);
	doc = order_doc ("Q7000004");
	ans = push (wreq, doc);
	ok (ans && strstr (ans, "\"ok\":true"), "the renamed system's key is answered (%s)", ans ? ans : "none");
	zstr_free (&ans);
	free (doc);
	zsock_destroy (&wreq);
	is_int (orders_named (hub.database, "Q7000004"), 1, "and its order is imported");
	free (wcert);
	free (wold);
	cmd = (free (cmd), xasprintf ("'%s/admin/despatch' keys list '%s'", getenv ("top_builddir")
	                                                                        ? getenv ("top_builddir") : ".", hub.keys));
	list = testlib_run (cmd);
	ok (list && strstr (list, "enrolled system   wms-2\n") && !strstr (list, " wms\n"),
	    "despatch keys list shows wms-2, a system, and no wms");
	free (list);

	/* The log says what each refused key is and what to do. */
	ok (testlib_hub_stop (&hub) == 0, "hub stops cleanly");
	char *log = xasprintf ("%s/hub.log", hub.dir);
	char *tname = xasprintf ("key %s is enrolled as terminal hh-3, not as a system: the integration endpoint "
	                         "admits system keys (despatch keys enrol DIR NAME --system)", tkey);
	char *sname = xasprintf ("key %s is enrolled as system erp, not as a terminal: the terminals' endpoint admits "
	                         "terminal keys (despatch keys enrol DIR NAME)", skey);
	is_int (sec_file_count (log, tname, false), 1, "the log: the terminal key on the integration "
	                                                             "endpoint, once");
	ok (sec_file_count (log, "enrolled as terminal hh-3, not as a system: the events feed admits system keys",
	        false) == 1, "the log: the terminal key on the events feed, once a minute (it retried)");
	is_int (sec_file_count (log, sname, false), 1, "the log: the system key on the terminals' endpoint");
	ok (sec_file_count (log, "was revoked (system erp)", false) >= 1, "the log: the revoked system key named");
	char *grep = xasprintf ("grep -F 'refused' '%s'", log);
	char *lines = testlib_run (grep);
	diag ("the refusals logged:\n%s", lines ? lines : "");
	free (lines);
	free (grep);
	free (tname);
	free (sname);
	free (log);
	free (cmd);
	free (tkeys);
	free (hubcert);
	free (tcert);
	free (scert);
	free (integ);
	free (events);
	free (set_integ);
	free (set_events);
	return tap_done ();
}
