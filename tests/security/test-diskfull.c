/*
 * test-diskfull.c: the hub's database on a tiny tmpfs (mounted here; root
 * only, skipped otherwise) is filled up while a terminal scans. The hub
 * refuses new work with a clear STORAGE error and no effect, goes on
 * answering, takes the same scan once space returns, and the database
 * passes PRAGMA integrity_check.
 */
#include "config.h"
#include "client.h"
#include "tests/tap.h"
#include "tests/testlib.h"
#include "util.h"

#include <czmq.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

static struct testlib_hub hub;
static char mnt[sizeof hub.dir + 16];

static void
unmount (void)
{
	testlib_hub_kill (&hub);
	umount2 (mnt, MNT_DETACH);
}

int
main (void)
{
	zsys_init ();
	zsys_set_logsystem (false);
	memset (&hub, 0, sizeof hub);
	testlib_tmpdir (hub.dir, sizeof hub.dir);
	snprintf (mnt, sizeof mnt, "%s/small", hub.dir);
	util_mkdirs (mnt, 0755);
	if (mount ("tmpfs", mnt, "tmpfs", 0, "size=6m") != 0) {
		printf ("1..0 # SKIP cannot mount a small tmpfs (needs root): %s\n", strerror (errno));
		return 0;
	}
	atexit (unmount);
	snprintf (hub.endpoint, sizeof hub.endpoint, "ipc://%s/hub.sock", hub.dir);
	snprintf (hub.database, sizeof hub.database, "%s/despatch.db", mnt);
	if (!ok (testlib_hub_restart (&hub) == 0, "hub starts with its database on a 6 MB tmpfs"))
		return tap_done ();
	client_t *c = client_new (hub.endpoint, "hh-full", NULL);
	proto_msg_t *r = testlib_hello (c, 1, "desk");
	proto_msg_destroy (&r);
	r = testlib_login (c, 2, "B1001", "1111");
	is_int (testlib_status (r), PROTO_OK, "logged in");
	proto_msg_destroy (&r);

	/* Fill the disk. */
	char *fill = xasprintf ("dd if=/dev/zero of='%s/filler' bs=64k >/dev/null 2>&1", mnt);
	if (system (fill) == -1)
		diag ("dd did not run");
	free (fill);
	r = testlib_scan (c, 3, "receive", "W1000001");
	int reason = testlib_reason (r);
	ok (r && proto_msg_id (r) == PROTO_ERROR && reason == PR_STORAGE, "disk full: the scan is refused as STORAGE: %s",
	    testlib_text (r));
	ok (r && strstr (testlib_text (r), "nothing was recorded") != NULL, "the message says nothing was recorded");
	proto_msg_destroy (&r);
	proto_msg_t *ping = proto_msg_new (PROTO_PING);
	proto_msg_set_seq (ping, 4);
	r = client_call (c, ping, 2000, 2);
	ok (r != NULL, "the hub still answers a PING while full");
	proto_msg_destroy (&r);
	proto_msg_destroy (&ping);

	/* Space returns: the same request (same sequence) is taken, once. */
	char *rm = xasprintf ("%s/filler", mnt);
	unlink (rm);
	free (rm);
	r = testlib_scan (c, 3, "receive", "W1000001");
	is_int (testlib_status (r), PROTO_OK, "space back: the same scan is taken: %s", testlib_text (r));
	proto_msg_destroy (&r);
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM scans WHERE code = 'W1000001'"), 1,
	    "stored exactly once");
	char *check = testlib_sql_text (hub.database, "PRAGMA integrity_check");
	is_str (check, "ok", "integrity_check ok");
	free (check);
	client_destroy (&c);
	is_int (testlib_hub_stop (&hub), 0, "the hub stops cleanly");
	return tap_done ();
}
