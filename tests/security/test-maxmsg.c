/*
 * test-maxmsg.c: a frame over the hub's ZMQ_MAXMSGSIZE (PROTO_MAX_MESSAGE
 * plus the envelope allowance) never reaches the hub's decoder: libzmq
 * drops the connection that sent it (the sender's monitor sees it
 * disconnected), the hub keeps running and answers the next request, on
 * the same socket once it has reconnected and on a new one. A frame just
 * inside the limit does reach the decoder and is answered MALFORMED, so the
 * two differ only by size.
 */
#include "config.h"
#include "client.h"
#include "tests/tap.h"
#include "tests/testlib.h"

#include <czmq.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

/* Send size bytes of junk from raw: a PING's header (our version, so not
 * BAD_VERSION), then junk where a PING has nothing: MALFORMED. */
static void
maxmsg_send_junk (zsock_t *raw, size_t size)
{
	uint8_t *junk = malloc (size);
	memset (junk, 'x', size);
	static const uint8_t ping[] = { 'D', 'S', PROTO_VERSION, PROTO_PING, 1, 't', 0, 0, 0, 1 };
	memcpy (junk, ping, sizeof ping);
	zframe_t *f = zframe_new (junk, size);
	free (junk);
	zframe_send (&f, raw, 0);
}

/* The reason of the ERROR raw receives next, or -1 when none comes. */
static int
maxmsg_error_reason (zsock_t *raw)
{
	zframe_t *f = zframe_recv (raw);
	proto_msg_t *e = NULL;
	char err[160];
	int reason = -1;
	if (f && proto_decode (zframe_data (f), zframe_size (f), &e, NULL, err, sizeof err) == 0
	    && proto_msg_id (e) == PROTO_ERROR)
		reason = (int) proto_get_num (e, PROTO_ERROR_REASON);
	proto_msg_destroy (&e);
	zframe_destroy (&f);
	return reason;
}

/* The name of the next event the monitor reports ("CONNECTED"...); caller frees; NULL when none comes. */
static char *
maxmsg_event (zactor_t *monitor)
{
	zmsg_t *m = zmsg_recv (monitor);
	char *name = m ? zmsg_popstr (m) : NULL;
	zmsg_destroy (&m);
	return name;
}

int
main (void)
{
	struct testlib_hub hub;
	zsys_init ();
	zsys_set_logsystem (false);
	if (!ok (testlib_hub_start (&hub, NULL) == 0, "hub starts and answers"))
		return tap_done ();

	/* The monitor starts before the socket connects, so it sees every event. */
	zsock_t *raw = zsock_new (ZMQ_DEALER);
	zsock_set_rcvtimeo (raw, 5000);
	zsock_set_sndtimeo (raw, 5000);
	zactor_t *monitor = zactor_new (zmonitor, raw);
	zstr_sendx (monitor, "LISTEN", "DISCONNECTED", "CONNECTED", NULL);
	zstr_sendx (monitor, "START", NULL);
	zsock_wait (monitor);
	zsock_set_rcvtimeo (monitor, 10000);
	zsock_connect (raw, "%s", hub.endpoint);

	/* Wait until the connection is up, so the frame below goes over it. */
	char *event = maxmsg_event (monitor);
	ok (event && strcmp (event, "CONNECTED") == 0, "the raw socket connects: %s", event ? event : "(no event)");
	free (event);

	maxmsg_send_junk (raw, PROTO_MAX_MESSAGE);
	is_int (maxmsg_error_reason (raw), PR_MALFORMED, "%d bytes of junk (inside the limit) reach the decoder: MALFORMED",
	    PROTO_MAX_MESSAGE);

	maxmsg_send_junk (raw, PROTO_MAX_MESSAGE + 64 * 1024);
	event = maxmsg_event (monitor);
	ok (event && strcmp (event, "DISCONNECTED") == 0,
	    "%d bytes (over ZMQ_MAXMSGSIZE): libzmq drops the connection: %s", PROTO_MAX_MESSAGE + 64 * 1024,
	    event ? event : "(no event)");
	free (event);
	ok (kill (hub.pid, 0) == 0, "the hub is still running");

	/* The same socket reconnects by itself; junk now is answered again. */
	event = maxmsg_event (monitor);
	ok (event && strcmp (event, "CONNECTED") == 0, "the raw socket reconnects: %s", event ? event : "(no event)");
	free (event);
	maxmsg_send_junk (raw, 16);
	is_int (maxmsg_error_reason (raw), PR_MALFORMED, "after reconnecting, the same socket is answered again");

	char *cause = NULL;
	client_t *c = client_new (hub.endpoint, "hh-01", &cause);
	if (ok (c != NULL, "a new terminal connects: %s", cause ? cause : "")) {
		proto_msg_t *r = testlib_hello (c, 1, "despatch-in");
		is_int (testlib_status (r), PROTO_OK, "a new terminal's HELLO is answered");
		proto_msg_destroy (&r);
		client_destroy (&c);
	}
	free (cause);

	zactor_destroy (&monitor);
	zsock_destroy (&raw);
	is_int (testlib_hub_stop (&hub), 0, "hub stops cleanly");
	return tap_done ();
}
