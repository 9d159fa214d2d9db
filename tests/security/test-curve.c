/*
 * test-curve.c: a real hub with CURVE on (the default): an enrolled
 * terminal works; a plain socket, an unknown key, a terminal holding another
 * hub's key and a revoked terminal get no answer at all (ZAP refuses the
 * handshake), each told why; a secret key others may read is refused with
 * the chmod to run; revocation drops a live connection; the integration endpoint
 * is CURVE too (a system's key; test-systems.c has the kinds); a mistyped security.curve does not turn security off.
 */
#include "config.h"
#include "client.h"
#include "tests/tap.h"
#include "tests/testlib.h"
#include "util.h"

#include <czmq.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/wait.h>

static int
answers (client_t *c, uint32_t seq, int timeout_ms)
{
	if (c == NULL)
		return 0;
	proto_msg_t *m = proto_msg_new (PROTO_PING);
	proto_msg_set_seq (m, seq);
	proto_msg_t *r = client_call (c, m, timeout_ms, 1);
	proto_msg_destroy (&m);
	int got = r != NULL;
	proto_msg_destroy (&r);
	return got;
}

static int sh (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

static int
sh (const char *fmt, ...)
{
	va_list ap;
	va_start (ap, fmt);
	char *cmd = xvasprintf (fmt, ap);
	va_end (ap);
	int rc = system (cmd);
	free (cmd);
	return WIFEXITED (rc) ? WEXITSTATUS (rc) : -1;
}

int
main (void)
{
	struct testlib_hub hub;
	zsys_init ();
	zsys_set_logsystem (false);
	const char *top = getenv ("top_builddir") ? getenv ("top_builddir") : ".";
	char *integ = NULL;
	{
		char dir[256];
		testlib_tmpdir (dir, sizeof dir);
		integ = xasprintf ("hub.integration=ipc://%s/integ.sock", dir);
	}
	const char *extra[] = { integ, NULL };
	if (!ok (testlib_hub_start_curve (&hub, extra) == 0, "hub starts with CURVE and an allow-list")) {
		free (integ);
		return tap_done ();
	}
	char *cause = NULL;
	is_int (testlib_keys (&hub, "enrol", "hh-01"), 0, "despatch keys enrol hh-01");
	is_int (testlib_keys (&hub, "enrol", "hh-01"), 1, "enrolling the same name twice is refused");
	is_int (testlib_keys (&hub, "enrol", "../evil"), 1, "a name with a slash is refused");
	char *k1 = xasprintf ("%s/terminals/hh-01", hub.keys);
	client_t *c = client_new_secure (hub.endpoint, "hh-01", k1, &cause);
	ok (c != NULL, "enrolled terminal loads its keys%s%s", cause ? ": " : "", cause ? cause : "");
	proto_msg_t *r = testlib_hello (c, 1, "despatch-in");
	is_int (testlib_status (r), PROTO_OK, "enrolled terminal: HELLO answered over CURVE");
	proto_msg_destroy (&r);
	r = testlib_login (c, 2, "B1001", "1111");
	is_int (testlib_status (r), PROTO_OK, "and logs in: %s", testlib_text (r));
	proto_msg_destroy (&r);

	client_t *plain = client_new (hub.endpoint, "hh-plain", NULL);
	ok (!answers (plain, 1, 1500), "a plain (non-CURVE) socket gets no answer");
	ok (strstr (client_error (plain), "--keys") != NULL, "and the terminal is told why: %s", client_error (plain));
	client_destroy (&plain);

	/* A key the hub never enrolled, with the right hub key. */
	char *other = xasprintf ("%s/other", hub.dir);
	is_int (sh ("'%s/admin/despatch' keys init '%s' >/dev/null", top, other), 0, "a second key folder");
	is_int (sh ("'%s/admin/despatch' keys enrol '%s' stranger >/dev/null", top, other), 0, "a stranger's key in it");
	char *sk = xasprintf ("%s/terminals/stranger", other);
	char *hubcert = xasprintf ("%s/hub.cert", hub.keys);
	/* enrol gave it the second folder's hub key: give it this hub's, so only ZAP can say no. */
	is_int (sh ("cp '%s' '%s/hub.cert'", hubcert, sk), 0, "the stranger holds this hub's public key");
	client_t *stranger = client_new_secure (hub.endpoint, "stranger", sk, NULL);
	ok (!answers (stranger, 1, 1500), "unknown key (not in the allow-list, right hub key) refused");
	ok (strstr (client_error (stranger), "refused") != NULL, "and the terminal is told why: %s",
	    client_error (stranger));
	client_destroy (&stranger);
	/* An enrolled terminal's key aimed at a different hub's public key: no handshake. */
	char *k2 = xasprintf ("%s/terminals/hh-02", hub.keys);
	is_int (testlib_keys (&hub, "enrol", "hh-02"), 0, "hh-02 enrolled");
	is_int (sh ("cp '%s/hub.cert' '%s/hub.cert'", other, k2), 0, "hh-02 given the wrong hub's public key");
	client_t *wrong = client_new_secure (hub.endpoint, "hh-02", k2, NULL);
	ok (!answers (wrong, 1, 1500), "a terminal holding another hub's key gets no answer");
	ok (strstr (client_error (wrong), "hub.cert") != NULL, "and the terminal is told why: %s", client_error (wrong));
	client_destroy (&wrong);

	client_t *missing = client_new_secure (hub.endpoint, "hh-09", "/nonexistent/keys", &cause);
	ok (missing == NULL && cause && strstr (cause, "despatch keys enrol"), "missing keys: a clear message (%s)",
	    cause ? cause : "none");
	free (cause);
	cause = NULL;

	/* A secret key its group can read is refused, with the chmod to run; after it, taken. */
	char *loose = xasprintf ("%s/loose-hh-01", hub.dir);
	is_int (sh ("cp -r '%s' '%s' && chmod 640 '%s/terminal.cert_secret'", k1, loose, loose), 0,
	    "a copy of hh-01's keys, its secret key made readable by the group");
	client_t *lc = client_new_secure (hub.endpoint, "hh-01", loose, &cause);
	char *fix = xasprintf ("chmod 600 %s/terminal.cert_secret", loose);
	ok (lc == NULL && cause && strstr (cause, "can be read by its group") && strstr (cause, fix),
	    "refused, with the command to run: %s", cause ? cause : "(taken)");
	free (cause);
	cause = NULL;
	client_destroy (&lc);
	is_int (sh ("%s", fix), 0, "that command run");
	lc = client_new_secure (hub.endpoint, "hh-01", loose, &cause);
	ok (lc != NULL && answers (lc, 5, 3000), "then the key is taken and answered%s%s", cause ? ": " : "",
	    cause ? cause : "");
	free (cause);
	cause = NULL;
	client_destroy (&lc);
	free (fix);
	free (loose);

	/* Integration endpoint: CURVE too. */
	const char *ie = strchr (integ, '=') + 1;
	zsock_t *req = zsock_new (ZMQ_REQ);
	zsock_set_rcvtimeo (req, 1500);
	zsock_set_linger (req, 0);
	zsock_connect (req, "%s", ie);
	zstr_send (req, "{\"orders\": []}");
	char *ans = zstr_recv (req);
	ok (ans == NULL, "integration endpoint: a plain socket gets no answer");
	zstr_free (&ans);
	zsock_destroy (&req);
	is_int (testlib_keys (&hub, "enrol", "erp --system"), 0, "integration key enrolled, as a system");
	char *ek = xasprintf ("%s/clients/erp/system.cert", hub.keys);
	zcert_t *ecert = zcert_load (ek);
	zcert_t *hcert = zcert_load (hubcert);
	req = zsock_new (ZMQ_REQ);
	zsock_set_rcvtimeo (req, 3000);
	zsock_set_linger (req, 0);
	if (ecert && hcert) {
		zcert_apply (ecert, req);
		zsock_set_curve_serverkey (req, zcert_public_txt (hcert));
	}
	zsock_connect (req, "%s", ie);
	zstr_send (req, "{\"orders\": []}");
	ans = zstr_recv (req);
	ok (ans != NULL, "integration endpoint: an enrolled key is answered (%s)", ans ? ans : "nothing");
	zstr_free (&ans);
	zsock_destroy (&req);
	zcert_destroy (&ecert);
	zcert_destroy (&hcert);

	/* Revocation: the live connection is dropped, a new one is refused. */
	ok (answers (c, 10, 2000), "hh-01 answered before revocation");
	char *saved = xasprintf ("%s/saved-hh-01", hub.dir);
	is_int (sh ("cp -r '%s' '%s'", k1, saved), 0, "a copy of hh-01's keys, as the device still holds them");
	is_int (testlib_keys (&hub, "revoke", "hh-01"), 0, "despatch keys revoke hh-01");
	is_int (testlib_keys (&hub, "revoke", "hh-01"), 1, "revoking it again: not enrolled");
	usleep (2500 * 1000);
	ok (!answers (c, 11, 1500), "revoked terminal: its open connection gets no answer");
	client_destroy (&c);
	c = client_new_secure (hub.endpoint, "hh-01", saved, NULL);
	ok (c && !answers (c, 12, 1500), "revoked terminal: a new connection with its old key is refused");
	client_destroy (&c);
	c = client_new_secure (hub.endpoint, "hh-01", k1, &cause);
	ok (c == NULL, "revoked terminal: its secret key was removed from the hub's folder (%s)", cause ? cause : "none");
	free (cause);
	cause = NULL;
	client_destroy (&c);
	is_int (sh ("test -f '%s/revoked/%s.cert'", hub.keys, "hh-01"), 0, "revoked key kept in revoked/");

	/* The other terminals are not hurt by the revocation. */
	is_int (testlib_keys (&hub, "enrol", "hh-03"), 0, "hh-03 enrolled while the hub runs");
	char *k3 = xasprintf ("%s/terminals/hh-03", hub.keys);
	client_t *c3 = client_new_secure (hub.endpoint, "hh-03", k3, NULL);
	ok (answers (c3, 1, 3000), "a terminal enrolled while the hub runs gets in at once");
	client_destroy (&c3);
	ok (testlib_hub_stop (&hub) == 0, "hub stops cleanly");

	/* A mistyped switch is refused, not read as "off". */
	char *cmd = xasprintf ("'%s/hub/despatch-hub' --set security.curve=maybe -d '%s/x.db' 2>'%s/typo.log'", top,
	    hub.dir, hub.dir);
	int rc = system (cmd);
	free (cmd);
	is_int (WIFEXITED (rc) ? WEXITSTATUS (rc) : -1, 2, "security.curve = maybe: refused (exit 2)");

	free (k1);
	free (k2);
	free (k3);
	free (sk);
	free (ek);
	free (other);
	free (hubcert);
	free (saved);
	free (integ);
	return tap_done ();
}
