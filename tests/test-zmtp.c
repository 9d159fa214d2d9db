/*
 * test-zmtp.c: the terminal's own ZMTP (common/zmtp.c) against real libzmq
 * ROUTER sockets, as the hub binds them: NULL and CURVE round trips of
 * short, long and large frames, a reply of several frames, heartbeats
 * answered, a restarted peer, and every way a connection can be refused
 * or broken, each with its reason in words.
 */
#include "config.h"
#include "client.h"
#include "proto.h"
#include "tests/tap.h"
#include "tests/testlib.h"
#include "util.h"
#include "zmtp.h"

#include <czmq.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define WAIT_MS 3000

static char dir[256];

/* Drive the connection until it is ready (or, want false, until it has failed), within ms. */
static bool
drive_until (zmtp_t *z, bool want_ready, int ms)
{
	int64_t end = util_mono_ms () + ms;
	while (util_mono_ms () < end) {
		zmtp_step (z, util_mono_ms ());
		if (want_ready ? zmtp_ready (z) : *zmtp_error (z) != '\0')
			return true;
		struct pollfd p = { zmtp_fd (z), zmtp_events (z), 0 };
		poll (&p, p.fd >= 0 ? 1 : 0, 10);
	}
	return false;
}

/* The next frame from the peer, within ms; NULL when none came. */
static uint8_t *
next_frame (zmtp_t *z, size_t *size, bool *more, int ms)
{
	int64_t end = util_mono_ms () + ms;
	uint8_t *data = NULL;
	while (util_mono_ms () < end) {
		zmtp_step (z, util_mono_ms ());
		if (zmtp_recv (z, &data, size, more) == 1)
			return data;
		struct pollfd p = { zmtp_fd (z), zmtp_events (z), 0 };
		poll (&p, p.fd >= 0 ? 1 : 0, 10);
	}
	return NULL;
}

/* Server side: receive [routing id][frame] within ms, keep the id, echo the frame back. */
static zframe_t *
echo_once (zsock_t *router, size_t want_size, int ms)
{
	zsock_set_rcvtimeo (router, ms);
	zmsg_t *m = zmsg_recv (router);
	if (m == NULL)
		return NULL;
	zframe_t *id = zmsg_pop (m);
	zframe_t *body = zmsg_first (m);
	if (body == NULL || zframe_size (body) != want_size) {
		zmsg_destroy (&m);
		zframe_destroy (&id);
		return NULL;
	}
	zmsg_pushmem (m, zframe_data (id), zframe_size (id));
	zmsg_send (&m, router);
	return id;
}

/* One frame each way, of size bytes; true when it came back whole. */
static bool
round_trip (zmtp_t *z, zsock_t *router, size_t size, zframe_t **id_out)
{
	uint8_t *out = malloc (size ? size : 1);
	for (size_t i = 0; i < size; i++)
		out[i] = (uint8_t) (i * 7 + 3);
	bool good = zmtp_send (z, out, size) == 0;
	/* The client writes only inside its own calls: step it while the server reads. */
	for (int i = 0; good && i < 50; i++)
		zmtp_step (z, util_mono_ms ());
	zframe_t *id = good ? echo_once (router, size, WAIT_MS) : NULL;
	size_t got = 0;
	bool more = true;
	uint8_t *back = id ? next_frame (z, &got, &more, WAIT_MS) : NULL;
	good = back && got == size && !more && memcmp (back, out, size) == 0;
	free (back);
	free (out);
	if (id_out)
		*id_out = id;
	else
		zframe_destroy (&id);
	return good;
}

static zsock_t *
router_bind (const char *endpoint, zcert_t *server)
{
	zsock_t *r = zsock_new (ZMQ_ROUTER);
	if (server) {
		zcert_apply (server, r);
		zsock_set_curve_server (r, 1);
	}
	zsock_set_linger (r, 0);
	if (zsock_bind (r, "%s", endpoint) < 0)
		zsock_destroy (&r);
	return r;
}

static void
keys_of (struct zmtp_keys *k, zcert_t *own, zcert_t *hub)
{
	memcpy (k->public_key, zcert_public_key (own), 32);
	memcpy (k->secret_key, zcert_secret_key (own), 32);
	memcpy (k->hub_key, zcert_public_key (hub), 32);
}

/* Round trips of every frame length class over one mechanism. */
static void
check_mechanism (const char *name, zcert_t *server, const struct zmtp_keys *keys)
{
	char *ep = xasprintf ("ipc://%s/%s.sock", dir, name);
	zsock_t *router = router_bind (ep, server);
	char *cause = NULL;
	zmtp_t *z = zmtp_new (ep, keys, 300 * 1024, &cause);
	ok (z != NULL, "%s: a connection is made%s%s", name, cause ? ": " : "", cause ? cause : "");
	ok (drive_until (z, true, WAIT_MS), "%s: the handshake with libzmq completes", name);
	ok (round_trip (z, router, 10, NULL), "%s: a short frame goes and comes back", name);
	ok (round_trip (z, router, 0, NULL), "%s: an empty frame too", name);
	ok (round_trip (z, router, 300, NULL), "%s: a frame over 255 bytes (long size)", name);
	ok (round_trip (z, router, 200 * 1024, NULL), "%s: a 200 KiB frame", name);
	bool all = true;
	for (int i = 0; i < 200 && all; i++)
		all = round_trip (z, router, (size_t) (i * 13) % 700, NULL);
	ok (all, "%s: 200 frames in a row (the message counters keep step)", name);

	/* A message of several frames from the peer: the parts come in order with "more". */
	zframe_t *id = NULL;
	round_trip (z, router, 4, &id);
	zmsg_t *m = zmsg_new ();
	zmsg_append (m, &(zframe_t *) { zframe_dup (id) });
	zmsg_addstr (m, "first");
	zmsg_addstr (m, "second");
	zmsg_send (&m, router);
	size_t n = 0;
	bool more = false;
	uint8_t *a = next_frame (z, &n, &more, WAIT_MS);
	ok (a && n == 5 && memcmp (a, "first", 5) == 0 && more, "%s: first of two frames, with more", name);
	free (a);
	a = next_frame (z, &n, &more, WAIT_MS);
	ok (a && n == 6 && memcmp (a, "second", 6) == 0 && !more, "%s: then the last", name);
	free (a);
	zframe_destroy (&id);

	/* The peer goes away and comes back: sends fail while it is gone, then work again. */
	zsock_destroy (&router);
	drive_until (z, false, WAIT_MS);
	ok (!zmtp_ready (z) && *zmtp_error (z), "%s: a vanished peer is noticed: %s", name, zmtp_error (z));
	is_int (zmtp_send (z, "x", 1), -1, "%s: nothing is queued while there is no peer", name);
	router = router_bind (ep, server);
	ok (drive_until (z, true, WAIT_MS), "%s: connected again when the peer is back", name);
	ok (round_trip (z, router, 64, NULL), "%s: and frames flow", name);

	zmtp_destroy (&z);
	zsock_destroy (&router);
	free (ep);
}

/* A peer that sends a heartbeat PING every 100 ms and drops the connection
 * when no PONG comes within 300 ms. */
static void
check_heartbeat (const char *name, zcert_t *server, const struct zmtp_keys *keys)
{
	char *ep = xasprintf ("ipc://%s/hb-%s.sock", dir, name);
	zsock_t *router = zsock_new (ZMQ_ROUTER);
	if (server) {
		zcert_apply (server, router);
		zsock_set_curve_server (router, 1);
	}
	zsock_set_heartbeat_ivl (router, 100);
	zsock_set_heartbeat_timeout (router, 300);
	zsock_bind (router, "%s", ep);
	zmtp_t *z = zmtp_new (ep, keys, 4096, NULL);
	drive_until (z, true, WAIT_MS);
	zframe_t *id1 = NULL, *id2 = NULL;
	round_trip (z, router, 8, &id1);
	drive_until (z, false, 1200); /* 1.2 s of heartbeats, answered in zmtp_step */
	ok (*zmtp_error (z) == '\0', "%s: heartbeats are answered, the connection stays%s%s", name,
	    *zmtp_error (z) ? ": " : "", zmtp_error (z));
	round_trip (z, router, 8, &id2);
	ok (id1 && id2 && zframe_eq (id1, id2), "%s: the same connection after the heartbeats", name);
	zframe_destroy (&id1);
	zframe_destroy (&id2);
	zmtp_destroy (&z);
	zsock_destroy (&router);
	free (ep);
}

/* The reason a connection to ep fails, within the wait. */
static char *
refusal (const char *ep, const struct zmtp_keys *keys, size_t max_frame)
{
	zmtp_t *z = zmtp_new (ep, keys, max_frame, NULL);
	drive_until (z, false, WAIT_MS);
	char *why = xstrdup (zmtp_error (z));
	zmtp_destroy (&z);
	return why;
}

/* A listening socket at dir/NAME and the zmtp_t connecting to it; *c gets the accepted end. */
static int
fake_listen (const char *name, zmtp_t **z, const struct zmtp_keys *keys, int *c)
{
	char *path = xasprintf ("%s/%s", dir, name);
	int l = socket (AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	util_strlcpy (un.sun_path, path, sizeof un.sun_path);
	if (bind (l, (struct sockaddr *) &un, sizeof un) != 0 || listen (l, 4) != 0)
		diag ("cannot listen on %s: %s", path, strerror (errno));
	char *ep = xasprintf ("ipc://%s", path);
	*z = zmtp_new (ep, keys, 4096, NULL);
	*c = -1;
	for (int i = 0; i < 100 && *c < 0; i++) {
		zmtp_step (*z, util_mono_ms ());
		struct pollfd p = { l, POLLIN, 0 };
		if (poll (&p, 1, 20) > 0)
			*c = accept (l, NULL, NULL);
	}
	free (ep);
	free (path);
	return l;
}

static void
fake_say (int c, const void *p, size_t n)
{
	if (c >= 0 && write (c, p, n) != (ssize_t) n)
		diag ("write: %s", strerror (errno));
}

/* Peers that are not a despatch hub, or not well: each ends with a reason in words. */
static void
check_not_zmtp (void)
{
	zmtp_t *z;
	int c, l = fake_listen ("http.sock", &z, NULL, &c);
	static const char junk[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\nand some more words to pass 64 bytes";
	fake_say (c, junk, sizeof junk);
	drive_until (z, false, WAIT_MS);
	ok (strstr (zmtp_error (z), "does not speak ZMTP") != NULL, "a listener that is not ZeroMQ: %s", zmtp_error (z));
	ok (!zmtp_ready (z), "and nothing is sent to it");
	zmtp_destroy (&z);
	close (c);
	close (l);

	/* A ZMTP peer of the wrong kind, naming itself with an escape sequence. */
	l = fake_listen ("pub.sock", &z, NULL, &c);
	uint8_t g[64] = { 0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 3, 0, 'N', 'U', 'L', 'L' };
	fake_say (c, g, sizeof g);
	static const uint8_t ready[] = { 0x04, 30, 5, 'R', 'E', 'A', 'D', 'Y', 11, 'S', 'o', 'c', 'k', 'e', 't', '-', 'T',
		'y', 'p', 'e', 0, 0, 0, 8, 'P', 'U', 'B', 0x1b, '[', '2', 'J', '!' };
	fake_say (c, ready, sizeof ready);
	drive_until (z, false, WAIT_MS);
	ok (strstr (zmtp_error (z), "PUB?[2J! socket, not a despatch hub") != NULL && !strchr (zmtp_error (z), 0x1b),
	    "a PUB socket is refused, its name shown without control characters: %s", zmtp_error (z));
	zmtp_destroy (&z);
	close (c);
	close (l);

	/* A peer that accepts and never speaks: given up after the handshake time, and tried again. */
	l = fake_listen ("silent.sock", &z, NULL, &c);
	int64_t t0 = util_mono_ms ();
	ok (zmtp_timeout_ms (z, t0) > 0 && zmtp_timeout_ms (z, t0) <= ZMTP_HANDSHAKE_MS,
	    "while the handshake is out, the caller is told when to look again (%d ms)", zmtp_timeout_ms (z, t0));
	drive_until (z, false, ZMTP_HANDSHAKE_MS + WAIT_MS);
	int64_t took = util_mono_ms () - t0;
	ok (strstr (zmtp_error (z), "did not complete the handshake") != NULL && took >= ZMTP_HANDSHAKE_MS - 100,
	    "a silent peer is given up after %lld ms: %s", (long long) took, zmtp_error (z));
	struct pollfd p = { l, POLLIN, 0 };
	for (int i = 0; i < 100 && poll (&p, 1, 0) == 0; i++) {
		zmtp_step (z, util_mono_ms ());
		poll (&p, 1, 20);
	}
	ok (p.revents & POLLIN, "and a new connection is tried");
	zmtp_destroy (&z);
	close (c);
	close (l);
}

/* client.c over it: a reply of two frames is one MALFORMED answer, and its
 * second frame is not taken for the next reply. */
static void
check_client_frames (void)
{
	char *ep = xasprintf ("ipc://%s/client.sock", dir);
	zsock_t *router = router_bind (ep, NULL);
	char *cause = NULL;
	client_t *c = client_new (ep, "t-frames", &cause);
	ok (c && client_writable (c, WAIT_MS), "client.c connects%s%s", cause ? ": " : "", cause ? cause : "");
	proto_msg_t *m = proto_msg_new (PROTO_PING);
	proto_msg_set_seq (m, 5);
	ok (c && client_send (c, m) == 0, "and sends a request");
	proto_msg_destroy (&m);
	zsock_set_rcvtimeo (router, WAIT_MS);
	zmsg_t *in = zmsg_recv (router);
	zframe_t *id = in ? zmsg_pop (in) : NULL;
	zmsg_destroy (&in);
	if (id) {
		zmsg_t *two = zmsg_new ();
		zmsg_append (two, &(zframe_t *) { zframe_dup (id) });
		zmsg_addstr (two, "first part");
		zmsg_addstr (two, "second part");
		zmsg_send (&two, router);
		proto_msg_t *r = proto_msg_new (PROTO_REPLY);
		proto_msg_set_seq (r, 5);
		proto_set_num (r, PROTO_REPLY_STATUS, PROTO_OK);
		size_t size;
		uint8_t *data = proto_encode (r, &size);
		zmsg_t *one = zmsg_new ();
		zmsg_append (one, &id);
		zmsg_addmem (one, data, size);
		zmsg_send (&one, router);
		free (data);
		proto_msg_destroy (&r);
	}
	proto_msg_t *a = c ? client_recv (c, WAIT_MS) : NULL;
	ok (a && proto_msg_id (a) == PROTO_ERROR && strstr (proto_get_str (a, PROTO_ERROR_TEXT), "more than one frame"),
	    "a reply of two frames comes back as one error: %s", a ? proto_get_str (a, PROTO_ERROR_TEXT) : "(none)");
	proto_msg_t *b = c ? client_recv (c, WAIT_MS) : NULL;
	ok (b && proto_msg_id (b) == PROTO_REPLY && proto_msg_seq (b) == 5, "and the next message is the real reply");
	proto_msg_destroy (&a);
	proto_msg_destroy (&b);
	client_destroy (&c);
	zframe_destroy (&id);
	zsock_destroy (&router);
	free (ep);
}

int
main (void)
{
	zsys_init ();
	zsys_set_logsystem (false);
	testlib_tmpdir (dir, sizeof dir);

	/* Addresses that cannot work say why at once. */
	static const struct {
		const char *endpoint, *says;
	} bad[] = {
		{ "udp://127.0.0.1:5555", "tcp:// or ipc://" },
		{ "tcp://127.0.0.1", "HOST:PORT" },
		{ "tcp://127.0.0.1:99999", "1 to 65535" },
		{ "tcp://*:5555", "binding" },
		{ "ipc://", "no socket path" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *cause = NULL;
		zmtp_t *z = zmtp_new (bad[i].endpoint, NULL, 4096, &cause);
		ok (z == NULL && cause && strstr (cause, bad[i].says), "%s is refused: %s", bad[i].endpoint,
		    cause ? cause : "(no reason)");
		free (cause);
	}

	zcert_t *hub = zcert_new (), *term = zcert_new (), *other = zcert_new ();
	struct zmtp_keys keys, wrong_hub;
	keys_of (&keys, term, hub);
	keys_of (&wrong_hub, term, other);

	check_mechanism ("null", NULL, NULL);
	check_mechanism ("curve", hub, &keys);
	check_heartbeat ("null", NULL, NULL);
	check_heartbeat ("curve", hub, &keys);

	/* Over TCP on loopback too (a port the kernel picks). */
	{
		zsock_t *router = zsock_new (ZMQ_ROUTER);
		zcert_apply (hub, router);
		zsock_set_curve_server (router, 1);
		int port = zsock_bind (router, "tcp://127.0.0.1:*");
		char *ep = xasprintf ("tcp://127.0.0.1:%d", port);
		zmtp_t *z = zmtp_new (ep, &keys, 4096, NULL);
		ok (drive_until (z, true, WAIT_MS) && round_trip (z, router, 100, NULL), "CURVE over tcp:// to %s", ep);
		zmtp_destroy (&z);
		free (ep);
		ep = xasprintf ("tcp://localhost:%d", port);
		z = zmtp_new (ep, &keys, 4096, NULL);
		ok (drive_until (z, true, WAIT_MS) && round_trip (z, router, 100, NULL), "and by host name, %s", ep);
		zmtp_destroy (&z);
		free (ep);
		zsock_destroy (&router);
	}

	/* Refusals, each with its reason. */
	char *null_ep = xasprintf ("ipc://%s/r-null.sock", dir), *curve_ep = xasprintf ("ipc://%s/r-curve.sock", dir);
	zsock_t *null_router = router_bind (null_ep, NULL), *curve_router = router_bind (curve_ep, hub);
	char *why = refusal (curve_ep, NULL, 4096);
	ok (strstr (why, "CURVE") && strstr (why, "--keys"), "no keys for a CURVE hub: %s", why);
	free (why);
	why = refusal (null_ep, &keys, 4096);
	ok (strstr (why, "not use CURVE") != NULL, "keys for a hub without CURVE: %s", why);
	free (why);
	why = refusal (curve_ep, &wrong_hub, 4096);
	ok (strstr (why, "hub.cert") != NULL, "another hub's public key: %s", why);
	free (why);
	char *nobody = xasprintf ("ipc://%s/nobody.sock", dir);
	why = refusal (nobody, NULL, 4096);
	ok (strstr (why, "cannot reach the hub") != NULL, "nothing listening: %s", why);
	free (why);
	free (nobody);

	/* A frame over the limit ends the connection; the next one is fine again. */
	{
		zmtp_t *z = zmtp_new (null_ep, NULL, 1000, NULL);
		drive_until (z, true, WAIT_MS);
		zframe_t *id = NULL;
		round_trip (z, null_router, 10, &id);
		zmsg_t *m = zmsg_new ();
		zmsg_append (m, &(zframe_t *) { zframe_dup (id) });
		char big[5000];
		memset (big, 'b', sizeof big);
		zmsg_addmem (m, big, sizeof big);
		zmsg_send (&m, null_router);
		size_t n;
		bool more;
		uint8_t *got = next_frame (z, &n, &more, 1000);
		ok (got == NULL && strstr (zmtp_error (z), "over the limit"), "a frame over the limit is not taken: %s",
		    zmtp_error (z));
		free (got);
		ok (drive_until (z, true, WAIT_MS) && round_trip (z, null_router, 500, NULL),
		    "the connection is made again and works");
		zframe_destroy (&id);
		zmtp_destroy (&z);
	}

	check_not_zmtp ();
	check_client_frames ();

	zsock_destroy (&null_router);
	zsock_destroy (&curve_router);
	free (null_ep);
	free (curve_ep);
	zcert_destroy (&hub);
	zcert_destroy (&term);
	zcert_destroy (&other);
	return tap_done ();
}
