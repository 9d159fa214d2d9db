/*
 * test-hub-login.c: logins wait for the PIN worker, and nobody waits for
 * them.
 *
 * Thirty terminals log in at once (each PIN an argon2id check of about a
 * tenth of a second; on the loop that was three seconds of everybody's
 * time) while another, logged-in terminal keeps asking for enquiries: each
 * enquiry is answered within despatch-term's own reply timeout (2 s; in
 * practice a few milliseconds), and every login is answered OK.
 *
 * A login that waits is still exactly once: a wrong PIN sent twice under
 * one sequence number counts one failure and gets one answer; a hub killed
 * while the PIN is being checked (DSP_HUB_CRASH_AT=pin) answers the
 * terminal's retry after its restart, with one session and no failure.
 */
#include "config.h"
#include "tests/flow/flowlib.h"
#include "util.h"

#include <czmq.h>
#include <signal.h>
#include <sys/wait.h>

#define BURST 30
#define REPLY_TIMEOUT_MS 2000 /* despatch-term's */

static proto_msg_t *
login_msg (uint32_t seq, const char *badge, const char *pin)
{
	proto_msg_t *m = proto_msg_new (PROTO_LOGIN);
	proto_set_str (m, PROTO_LOGIN_BADGE, badge);
	proto_set_str (m, PROTO_LOGIN_PIN, pin);
	proto_msg_set_seq (m, seq);
	return m;
}

/* The next reply to seq on c within ms, else NULL (EVENTs and other replies skipped). */
static proto_msg_t *
reply_to (client_t *c, uint32_t seq, int ms)
{
	int64_t end = util_mono_ms () + ms;
	while (util_mono_ms () < end) {
		proto_msg_t *r = client_recv (c, (int) (end - util_mono_ms ()));
		if (r && proto_msg_id (r) != PROTO_EVENT && proto_msg_seq (r) == seq)
			return r;
		proto_msg_destroy (&r);
	}
	return NULL;
}

int
main (void)
{
	zsys_init ();
	zsys_set_logsystem (false);
	struct testlib_hub hub;
	if (!ok (testlib_hub_start (&hub, NULL) == 0, "hub starts"))
		return tap_done ();
	struct fl_term watcher = { 0 };
	fl_term_open (&watcher, hub.endpoint, "office-term", "office", "B3001", "3333");

	client_t *t[BURST];
	char name[BURST][32];
	for (int i = 0; i < BURST; i++) {
		snprintf (name[i], sizeof name[i], "hand-%02d", i);
		t[i] = client_new (hub.endpoint, name[i], NULL);
		proto_msg_t *r = testlib_hello (t[i], 1, "goods-in");
		proto_msg_destroy (&r);
	}
	/* All thirty at once; the enquiries go on meanwhile. */
	for (int i = 0; i < BURST; i++) {
		proto_msg_t *m = login_msg (2, i % 2 ? "B1001" : "B2001", i % 2 ? "1111" : "2222");
		client_send (t[i], m);
		proto_msg_destroy (&m);
	}
	int64_t worst = 0;
	int asked = 0, answered = 0;
	for (int64_t end = util_mono_ms () + 1500; util_mono_ms () < end; asked++) {
		proto_msg_t *m = proto_msg_new (PROTO_SCAN);
		proto_set_str (m, PROTO_SCAN_STEP, "enquiry");
		proto_set_str (m, PROTO_SCAN_CODE, "W1000001");
		proto_msg_set_seq (m, ++watcher.seq);
		int64_t t0 = util_mono_ms ();
		proto_msg_t *r = client_call (watcher.c, m, REPLY_TIMEOUT_MS, 1);
		int64_t took = util_mono_ms () - t0;
		answered += testlib_status (r) == PROTO_OK;
		worst = took > worst ? took : worst;
		proto_msg_destroy (&m);
		proto_msg_destroy (&r);
	}
	ok (answered == asked && worst < REPLY_TIMEOUT_MS,
	    "%d of %d enquiries during %d logins answered, each within the terminal's %d ms (worst %lld ms)", answered,
	    asked, BURST, REPLY_TIMEOUT_MS, (long long) worst);
	int logged = 0;
	for (int i = 0; i < BURST; i++) {
		proto_msg_t *r = reply_to (t[i], 2, 20000);
		logged += testlib_status (r) == PROTO_OK;
		proto_msg_destroy (&r);
	}
	is_int (logged, BURST, "every one of the %d logins is answered OK", BURST);
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM terminals WHERE terminal LIKE 'hand-%'"
	                                       " AND operator IS NOT NULL"), BURST, "and each terminal has its session");

	/* A wrong PIN sent twice under one sequence number: one failure, one answer. */
	client_t *w = t[0];
	proto_msg_t *m = login_msg (3, "B9001", "0000");
	client_send (w, m);
	client_send (w, m);
	proto_msg_destroy (&m);
	proto_msg_t *r = reply_to (w, 3, 10000);
	is_int (testlib_reason (r), PR_BAD_LOGIN, "the wrong PIN is refused: %s", testlib_text (r));
	ok (r && strstr (testlib_text (r), "4 left"), "as the first failure");
	proto_msg_destroy (&r);
	r = reply_to (w, 3, 1000);
	ok (r == NULL || strstr (testlib_text (r), "4 left"), "the retry is answered the same, if at all");
	proto_msg_destroy (&r);
	is_int (testlib_sql_int (hub.database, "SELECT failures FROM operators WHERE badge = 'B9001'"), 1,
	    "one failure is counted, not two");

	/* A terminal's requests keep their order: a scan sent right behind a login that waits for the
	 * PIN worker runs after it (logged in), not before (refused: nobody logged in). */
	client_t *o = t[2];
	r = testlib_command (o, 3, "print-jobs", NULL);
	proto_msg_destroy (&r);
	m = proto_msg_new (PROTO_LOGOUT);
	proto_msg_set_seq (m, 4);
	r = client_call (o, m, 3000, 3);
	is_int (testlib_status (r), PROTO_OK, "a terminal logs out");
	proto_msg_destroy (&r);
	proto_msg_destroy (&m);
	m = login_msg (5, "B2001", "2222");
	client_send (o, m);
	proto_msg_destroy (&m);
	m = proto_msg_new (PROTO_SCAN);
	proto_set_str (m, PROTO_SCAN_STEP, "enquiry");
	proto_set_str (m, PROTO_SCAN_CODE, "W1000001");
	proto_msg_set_seq (m, 6);
	client_send (o, m);
	proto_msg_destroy (&m);
	proto_msg_t *first = NULL, *second = NULL;
	for (int64_t end = util_mono_ms () + 20000; util_mono_ms () < end && second == NULL;) {
		proto_msg_t *x = client_recv (o, 500);
		if (x && proto_msg_id (x) != PROTO_EVENT && first == NULL)
			first = x;
		else if (x && proto_msg_id (x) != PROTO_EVENT)
			second = x;
		else
			proto_msg_destroy (&x);
	}
	ok (first && second && proto_msg_seq (first) == 5 && proto_msg_seq (second) == 6,
	    "the login is answered first, then the scan sent behind it");
	is_int (testlib_status (first), PROTO_OK, "the login: %s", testlib_text (first));
	is_int (testlib_status (second), PROTO_OK, "the scan runs logged in: %s", testlib_text (second));
	proto_msg_destroy (&first);
	proto_msg_destroy (&second);

	/* Killed while the PIN is checked: the retry after the restart is answered, once. */
	is_int (testlib_hub_stop (&hub), 0, "hub stopped to start again with DSP_HUB_CRASH_AT=pin");
	setenv ("DSP_HUB_CRASH_AT", "pin", 1);
	int started = testlib_hub_restart (&hub);
	unsetenv ("DSP_HUB_CRASH_AT");
	ok (started == 0, "hub started, to die in the PIN worker");
	client_t *late = client_new (hub.endpoint, "hand-late", NULL);
	r = testlib_hello (late, 1, "goods-in");
	proto_msg_destroy (&r);
	m = login_msg (2, "B9001", "9999");
	client_writable (late, 2000);
	client_send (late, m);
	bool died = false;
	for (int i = 0; i < 2000 && !died; i++) {
		int status;
		if (waitpid (hub.pid, &status, WNOHANG) == hub.pid) {
			died = WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL;
			hub.pid = 0;
		}
		usleep (10000);
	}
	ok (died, "the hub killed itself while the PIN was being checked");
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM terminals WHERE terminal = 'hand-late'"
	                                       " AND operator IS NOT NULL"), 0, "nothing of that login was recorded");
	ok (testlib_hub_restart (&hub) == 0, "the hub starts again");
	r = client_call (late, m, 3000, 3);
	is_int (testlib_status (r), PROTO_OK, "the terminal's retry logs in: %s", testlib_text (r));
	proto_msg_destroy (&r);
	proto_msg_destroy (&m);
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM terminals WHERE terminal = 'hand-late'"
	                                       " AND operator = 'B9001'"), 1, "one session");
	is_int (testlib_sql_int (hub.database, "SELECT failures FROM operators WHERE badge = 'B9001'"), 0,
	    "and the right PIN clears the failures");

	is_int (testlib_hub_stop (&hub), 0, "hub stops cleanly");
	for (int i = 0; i < BURST; i++)
		client_destroy (&t[i]);
	client_destroy (&late);
	client_destroy (&watcher.c);
	return tap_done ();
}
