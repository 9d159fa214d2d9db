/*
 * test-identity.c: a key is a terminal. A real hub with CURVE on and two
 * enrolled keys: the supervisor's terminal hh-sup and a porter's device
 * hh-port, whose key then lies about its id. Every request it sends as
 * hh-sup (HELLO, LOGIN, SCAN, COMMAND, LOGOUT) is refused WRONG_TERMINAL,
 * echoing what it claimed, logged with the key's name and audited; none of
 * hh-sup's session, stored replies or state is reached or changed, and the
 * real hh-sup goes on unaffected at its own sequence numbers. Moving a key
 * to another id is "despatch keys rename", which drops the device's
 * connection; afterwards it is the new id and only that.
 */
#include "config.h"
#include "tests/security/seclib.h"
#include "tests/tap.h"
#include "tests/testlib.h"
#include "util.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *
keys_of (struct testlib_hub *hub, const char *name)
{
	return xasprintf ("%s/terminals/%s", hub->keys, name);
}

/* A refusal as hh-sup: ERROR WRONG_TERMINAL, echoing the claim, naming the key's own id. */
static void
forged (proto_msg_t *r, uint32_t seq, const char *what)
{
	is_int (sec_error (r), PR_WRONG_TERMINAL, "forged %s: ERROR WRONG_TERMINAL: %s", what, sec_text (r));
	ok (r && strcmp (proto_msg_terminal (r), "hh-sup") == 0 && proto_msg_seq (r) == seq,
	    "  echoing the terminal and seq it claimed");
	ok (r && strstr (sec_text (r), "enrolled as terminal hh-port") != NULL, "  and saying which id the key is");
	ok (r && strstr (sec_text (r), "B3001") == NULL && strstr (sec_text (r), "Jo Supervisor") == NULL,
	    "  nothing of hh-sup's session in it");
}

int
main (void)
{
	struct testlib_hub hub;
	zsys_init ();
	zsys_set_logsystem (false);
	if (!ok (testlib_hub_start_curve (&hub, NULL) == 0, "a hub with CURVE on"))
		return tap_done ();
	ok (testlib_keys (&hub, "enrol", "hh-sup") == 0 && testlib_keys (&hub, "enrol", "hh-port") == 0,
	    "two keys enrolled: hh-sup and hh-port");
	char *ksup = keys_of (&hub, "hh-sup"), *kport = keys_of (&hub, "hh-port");
	zsock_t *sup = sec_peer (hub.endpoint, ksup);
	zsock_t *port = sec_peer (hub.endpoint, kport);

	/* The real supervisor terminal: logged in, a stored reply at seq 2. */
	proto_msg_t *r = sec_hello (sup, "hh-sup", 0xF0000001u, "office");
	is_int (testlib_status (r), PROTO_OK, "hh-sup: HELLO answered");
	proto_msg_destroy (&r);
	r = sec_login (sup, "hh-sup", 2, "B3001", "3333");
	is_int (testlib_status (r), PROTO_OK, "hh-sup: the supervisor logs in");
	proto_msg_destroy (&r);
	r = sec_scan (sup, "hh-sup", 3, "enquiry", "W1000001");
	is_int (testlib_status (r), PROTO_OK, "hh-sup: an enquiry about W1000001 (a stored reply with the customer)");
	proto_msg_destroy (&r);
	long long events_before = testlib_sql_int (hub.database, "SELECT count(*) FROM events");
	long long requests_before = testlib_sql_int (hub.database, "SELECT count(*) FROM requests");

	/* The porter's key, as itself: fine, and nobody logged in there. */
	r = sec_hello (port, "hh-port", 0xF0000001u, "dock");
	ok (testlib_status (r) == PROTO_OK && proto_hash_get (r, PROTO_REPLY_DATA, "operator") == NULL,
	    "hh-port as itself: HELLO answered, no operator");
	proto_msg_destroy (&r);

	/* The porter's key lying about its id. */
	r = sec_hello (port, "hh-sup", 0xF0000002u, "office");
	forged (r, 0xF0000002u, "HELLO");
	ok (r && proto_msg_id (r) == PROTO_ERROR, "  no REPLY: no operator, role or last_seq of hh-sup");
	proto_msg_destroy (&r);
	r = sec_login (port, "hh-sup", 4, "B1001", "1111");
	forged (r, 4, "LOGIN");
	proto_msg_destroy (&r);
	r = sec_command (port, "hh-sup", 5, "hold", "code", "W1000001", "reason", "forged hold", NULL);
	forged (r, 5, "COMMAND hold");
	proto_msg_destroy (&r);
	r = sec_scan (port, "hh-sup", 3, "enquiry", "W1000001");
	forged (r, 3, "SCAN under hh-sup's used seq 3");
	ok (r && strstr (sec_text (r), "Margaret") == NULL && proto_msg_id (r) == PROTO_ERROR,
	    "  hh-sup's stored reply is not given out");
	proto_msg_destroy (&r);
	r = sec_bare (port, PROTO_LOGOUT, "hh-sup", 6);
	forged (r, 6, "LOGOUT");
	proto_msg_destroy (&r);
	r = sec_bare (port, PROTO_PING, "hh-sup", 0xF0000003u);
	forged (r, 0xF0000003u, "PING");
	proto_msg_destroy (&r);

	/* Nothing of hh-sup reached or changed. */
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM holds"), 0, "no hold was set");
	char *op = testlib_sql_text (hub.database, "SELECT operator FROM terminals WHERE terminal = 'hh-sup'");
	is_str (op, "B3001", "hh-sup's session stays the supervisor's");
	free (op);
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM requests"), requests_before, "no reply was stored");
	char *station = testlib_sql_text (hub.database, "SELECT station FROM terminals WHERE terminal = 'hh-sup'");
	is_str (station, "office", "hh-sup's station unchanged by the forged HELLO");
	free (station);
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM events WHERE action = 'wrong-terminal'"), 6,
	    "each of the six refusals audited");
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM events WHERE action = 'wrong-terminal'"
	                                       " AND terminal = 'hh-port' AND detail LIKE '%naming terminal hh-sup%'"), 6,
	    "  under the key's own id, naming the terminal it claimed");
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM events") - events_before, 6,
	    "  and nothing else was written to the audit trail");
	char *logf = xasprintf ("%s/hub.log", hub.dir);
	ok (sec_file_count (logf, "key hh-port: sent LOGIN seq 4 as terminal hh-sup: refused (WRONG_TERMINAL)", false) == 1,
	    "the hub's log names the key and what it claimed");

	/* The real terminal, unaffected, at its own next numbers. */
	r = sec_command (sup, "hh-sup", 4, "hold", "code", "W1000001", "reason", "customer called", NULL);
	is_int (testlib_status (r), PROTO_OK, "hh-sup's own hold at seq 4 (the number the forger used) is applied: %s",
	    testlib_text (r));
	proto_msg_destroy (&r);
	char *by = testlib_sql_text (hub.database, "SELECT held_by || '|' || reason FROM holds");
	is_str (by, "B3001|customer called", "  by the supervisor, with the supervisor's reason");
	free (by);
	r = sec_hello (sup, "hh-sup", 0xF0000002u, "office");
	is_str (r ? proto_hash_get (r, PROTO_REPLY_DATA, "operator") : NULL, "B3001", "hh-sup's HELLO: still logged in");
	is_str (r ? proto_hash_get (r, PROTO_REPLY_DATA, "last_seq") : NULL, "4", "  last_seq 4: the forger moved nothing");
	proto_msg_destroy (&r);

	/* Moving a key to another id: an explicit command; the connection is dropped and the new id is the key's. */
	is_int (testlib_keys (&hub, "rename", "hh-port hh-sup"), 1, "keys rename onto an enrolled id is refused");
	is_int (testlib_keys (&hub, "rename", "hh-nobody hh-x"), 1, "keys rename of an id never enrolled is refused");
	is_int (testlib_keys (&hub, "rename", "hh-port hh-pack"), 0, "despatch keys rename hh-port hh-pack");
	ok (access (kport, F_OK) != 0, "the old folder is gone");
	char *kpack = keys_of (&hub, "hh-pack");
	char *cert = xasprintf ("%s/allowed/hh-pack.cert", hub.keys);
	ok (access (cert, F_OK) == 0 && access (kpack, F_OK) == 0, "allowed/hh-pack.cert and terminals/hh-pack made");
	free (cert);
	/* The device keeps its key; after the drop its connection is the new id's (bounded wait). */
	int moved = 0;
	for (int i = 0; i < 40 && !moved; i++) {
		r = sec_hello (port, "hh-pack", 0xF0000010u + (uint32_t) i, "dock");
		moved = testlib_status (r) == PROTO_OK;
		proto_msg_destroy (&r);
		if (!moved)
			usleep (100 * 1000);
	}
	ok (moved, "the same key is answered as hh-pack once the hub dropped its connection");
	r = sec_hello (port, "hh-port", 0xF0000100u, "dock");
	is_int (sec_error (r), PR_WRONG_TERMINAL, "and as hh-port it is refused now: %s", sec_text (r));
	proto_msg_destroy (&r);
	r = sec_hello (sup, "hh-sup", 0xF0000003u, "office");
	is_str (r ? proto_hash_get (r, PROTO_REPLY_DATA, "operator") : NULL, "B3001", "hh-sup is still logged in");
	proto_msg_destroy (&r);

	/* A key never enrolled: no answer, and its refusal logged once a minute with its key, not at each try. */
	char *other = xasprintf ("%s/other-keys", hub.dir);
	char *mk = xasprintf ("'%s/admin/despatch' keys init '%s' >/dev/null && '%s/admin/despatch' keys enrol '%s' "
	    "stranger >/dev/null && cp '%s/hub.cert' '%s/terminals/stranger/hub.cert'", getenv ("top_builddir") ?
	    getenv ("top_builddir") : ".", other, getenv ("top_builddir") ? getenv ("top_builddir") : ".", other, hub.keys,
	    other);
	is_int (system (mk), 0, "a stranger's key, with this hub's public key beside it");
	free (mk);
	char *sk = xasprintf ("%s/terminals/stranger", other);
	int answered = 0;
	for (int i = 0; i < 3; i++) {
		zsock_t *st = sec_peer (hub.endpoint, sk);
		zsock_set_rcvtimeo (st, 700);
		r = sec_hello (st, "stranger", 0xF0000001u, "dock");
		answered += r != NULL;
		proto_msg_destroy (&r);
		zsock_destroy (&st);
	}
	is_int (answered, 0, "three tries of an unknown key: no answer");
	char *stranger = xasprintf ("%s/terminals/stranger/terminal.cert", other);
	zcert_t *sc = zcert_load (stranger);
	char *line = xasprintf ("refused: key %s is not enrolled", sc ? zcert_public_txt (sc) : "?");
	is_int (sec_file_count (logf, line, false), 1, "the hub logged its refusal once, with its key");
	zcert_destroy (&sc);
	free (line);
	free (stranger);
	free (sk);
	free (other);

	zsock_destroy (&sup);
	zsock_destroy (&port);
	free (ksup);
	free (kport);
	free (kpack);
	free (logf);
	is_int (testlib_hub_stop (&hub), 0, "hub stops cleanly");

	/* The hub's own secret key must be private to its owner, as the terminal's. */
	char *secret = xasprintf ("%s/hub.cert_secret", hub.keys);
	chmod (secret, 0640);
	const char *top = getenv ("top_builddir") ? getenv ("top_builddir") : ".";
	char *cmd = xasprintf ("timeout 20 '%s/hub/despatch-hub' -e 'ipc://%s/again.sock' -d '%s' --set "
	    "security.keys_dir='%s' 2>&1; echo \"exit $?\"", top, hub.dir, hub.database, hub.keys);
	char *out = testlib_run (cmd);
	free (cmd);
	ok (out && strstr (out, "can be read by its group") && strstr (out, "chmod 600") && strstr (out, "hub.cert_secret")
	        && strstr (out, "exit 0") == NULL && strstr (out, "exit 124") == NULL,
	    "a hub whose secret key its group may read does not start, and says the chmod to run: %s", out ? out : "");
	free (out);
	chmod (secret, 0600);
	free (secret);
	return tap_done ();
}
