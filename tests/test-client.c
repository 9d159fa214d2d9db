/*
 * test-client.c: the terminal's end of the wire (common/client.c, libzmq)
 * against real libzmq ROUTER sockets as the hub binds them, and against
 * peers that are not a hub: round trips over NULL and CURVE, ipc and tcp;
 * the reply size limit; a reply of several frames; heartbeats both ways (a
 * hub stopped with SIGSTOP is noticed with no request out); a restarted
 * peer; client_wait with the caller's own descriptor; and every way a
 * connection is refused, each with its status-line label and its reason in
 * words, and tried again no faster than once a second.
 */
#include "config.h"
#include "client.h"
#include "proto.h"
#include "tests/tap.h"
#include "tests/testlib.h"
#include "util.h"

#include <czmq.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define WAIT_MS 3000
/* What client.c sets as ZMQ_MAXMSGSIZE: the protocol's limit and 1 KiB. */
#define LIMIT (PROTO_MAX_MESSAGE + 1024)

static char dir[256];

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

/* A key folder as despatch keys enrol writes it: terminal.cert(_secret) and hub.cert. */
static char *
keys_dir (const char *name, zcert_t *own, zcert_t *hub)
{
	char *d = xasprintf ("%s/%s", dir, name);
	util_mkdirs (d, 0700);
	char *p = xasprintf ("%s/terminal.cert", d);
	zcert_save (own, p);
	free (p);
	p = xasprintf ("%s/hub.cert", d);
	zcert_save_public (hub, p);
	free (p);
	return d;
}

/* Until the client's label (or, label NULL, its words) says something, within ms. */
static bool
settle (client_t *c, bool want_label, int ms)
{
	int64_t end = util_mono_ms () + ms;
	while (util_mono_ms () < end) {
		proto_msg_t *r = client_recv (c, 20);
		proto_msg_destroy (&r);
		if (want_label ? client_refusal (c) != NULL : *client_error (c) != '\0')
			return true;
	}
	return false;
}

static proto_msg_t *
ping_msg (uint32_t seq)
{
	proto_msg_t *m = proto_msg_new (PROTO_PING);
	proto_msg_set_seq (m, seq);
	return m;
}

/* The hub's side of one request: [id][frame] in, a REPLY with its seq out; the id kept in *id_out. */
static bool
serve_once (zsock_t *router, zframe_t **id_out)
{
	zsock_set_rcvtimeo (router, WAIT_MS);
	zmsg_t *in = zmsg_recv (router);
	if (in == NULL)
		return false;
	zframe_t *id = zmsg_pop (in);
	zframe_t *body = zmsg_first (in);
	proto_msg_t *req = NULL;
	char err[128];
	bool good = id && body && proto_decode (zframe_data (body), zframe_size (body), &req, NULL, err, sizeof err) == 0;
	zmsg_destroy (&in);
	if (good) {
		proto_msg_t *r = proto_msg_new (PROTO_REPLY);
		proto_msg_set_seq (r, proto_msg_seq (req));
		proto_set_num (r, PROTO_REPLY_STATUS, PROTO_OK);
		proto_set_str (r, PROTO_REPLY_TEXT, "pong");
		size_t size;
		uint8_t *data = proto_encode (r, &size);
		zmsg_t *out = zmsg_new ();
		zmsg_append (out, &(zframe_t *) { zframe_dup (id) });
		zmsg_addmem (out, data, size);
		zmsg_send (&out, router);
		free (data);
		proto_msg_destroy (&r);
	}
	proto_msg_destroy (&req);
	if (id_out)
		*id_out = id;
	else
		zframe_destroy (&id);
	return good;
}

/* A PING through the client and its answer back; the connection's routing id in *id_out. */
static bool
round_trip (client_t *c, zsock_t *router, uint32_t seq, zframe_t **id_out)
{
	if (!client_writable (c, WAIT_MS))
		return false;
	proto_msg_t *m = ping_msg (seq);
	bool sent = client_send (c, m) == 0;
	proto_msg_destroy (&m);
	if (!sent || !serve_once (router, id_out))
		return false;
	proto_msg_t *r = client_recv (c, WAIT_MS);
	bool good = r && proto_msg_id (r) == PROTO_REPLY && proto_msg_seq (r) == seq;
	proto_msg_destroy (&r);
	return good;
}

/* A raw frame of size bytes from the hub's side to the connection id. */
static void
send_raw (zsock_t *router, zframe_t *id, size_t size, int parts)
{
	uint8_t *big = calloc (1, size ? size : 1);
	memset (big, 'b', size);
	zmsg_t *m = zmsg_new ();
	zmsg_append (m, &(zframe_t *) { zframe_dup (id) });
	for (int i = 0; i < parts; i++)
		zmsg_addmem (m, big, size);
	zmsg_send (&m, router);
	free (big);
}

static void
check_mechanism (const char *name, zcert_t *server, const char *keys)
{
	char *ep = xasprintf ("ipc://%s/%s.sock", dir, name);
	zsock_t *router = router_bind (ep, server);
	char *cause = NULL;
	client_t *c = keys ? client_new_secure (ep, "t-1", keys, &cause) : client_new (ep, "t-1", &cause);
	ok (c != NULL, "%s: a client is made%s%s", name, cause ? ": " : "", cause ? cause : "");
	free (cause);
	if (c == NULL) {
		zsock_destroy (&router);
		free (ep);
		return;
	}
	ok (client_writable (c, WAIT_MS) && client_connected (c), "%s: connected through the handshake", name);
	ok (*client_error (c) == '\0' && client_refusal (c) == NULL, "%s: no error, no refusal", name);
	zframe_t *id = NULL;
	ok (round_trip (c, router, 1, &id), "%s: a request and its reply", name);
	bool all = true;
	for (uint32_t i = 2; i < 202 && all; i++)
		all = round_trip (c, router, i, NULL);
	ok (all, "%s: 200 requests in a row", name);

	/* Just inside the size limit: delivered (it is not DSP/1, so a local MALFORMED). */
	send_raw (router, id, PROTO_MAX_MESSAGE, 1);
	proto_msg_t *r = client_recv (c, WAIT_MS);
	ok (r && proto_msg_id (r) == PROTO_ERROR && proto_get_num (r, PROTO_ERROR_REASON) == PR_MALFORMED,
	    "%s: a %d KiB frame, inside the limit, reaches the decoder", name, PROTO_MAX_MESSAGE / 1024);
	proto_msg_destroy (&r);
	/* Two frames: one error, and the next message is still the real reply. */
	send_raw (router, id, 10, 2);
	r = client_recv (c, WAIT_MS);
	ok (r && proto_msg_id (r) == PROTO_ERROR && strstr (proto_get_str (r, PROTO_ERROR_TEXT), "more than one frame"),
	    "%s: a reply of two frames is one error: %s", name, r ? proto_get_str (r, PROTO_ERROR_TEXT) : "(none)");
	proto_msg_destroy (&r);
	ok (round_trip (c, router, 300, NULL), "%s: and the next reply is the real one", name);
	/* Over the limit: libzmq drops the connection (and does not try again itself). */
	send_raw (router, id, LIMIT + 4096, 1);
	bool lost = false, delivered = false;
	for (int64_t end = util_mono_ms () + 1000; !lost && util_mono_ms () < end;) {
		r = client_recv (c, 5);
		delivered |= r != NULL;
		proto_msg_destroy (&r);
		lost = strstr (client_error (c), "lost the hub") != NULL;
	}
	ok (!delivered, "%s: a frame over the limit is not delivered", name);
	ok (lost, "%s: the connection it came on is dropped: %s", name, client_error (c));
	zframe_t *id2 = NULL;
	ok (round_trip (c, router, 301, &id2) && !zframe_eq (id, id2), "%s: a new connection is made, and works", name);
	zframe_destroy (&id);
	zframe_destroy (&id2);

	/* The peer goes away and comes back. */
	zsock_destroy (&router);
	ok (settle (c, false, WAIT_MS) && !client_connected (c), "%s: a vanished peer is noticed: %s", name,
	    client_error (c));
	ok (client_refusal (c) == NULL, "%s: and it is not a refusal", name);
	proto_msg_t *m = ping_msg (400);
	is_int (client_send (c, m), -1, "%s: nothing is queued while there is no peer", name);
	proto_msg_destroy (&m);
	router = router_bind (ep, server);
	ok (round_trip (c, router, 401, NULL), "%s: connected again when the peer is back", name);
	client_destroy (&c);
	zsock_destroy (&router);
	free (ep);
}

/* The hub's heartbeats are answered (the connection stays); the client's own
 * notice a hub that stopped (SIGSTOP) with nothing sent. */
static void
check_heartbeats (zcert_t *hub_cert, const char *keys)
{
	char *ep = xasprintf ("ipc://%s/hb.sock", dir);
	zsock_t *router = zsock_new (ZMQ_ROUTER);
	zcert_apply (hub_cert, router);
	zsock_set_curve_server (router, 1);
	zsock_set_heartbeat_ivl (router, 100);
	zsock_set_heartbeat_timeout (router, 300);
	zsock_bind (router, "%s", ep);
	client_t *c = client_new_secure (ep, "t-hb", keys, NULL);
	zframe_t *id1 = NULL, *id2 = NULL;
	round_trip (c, router, 1, &id1);
	settle (c, false, 1200); /* 1.2 s of the peer's heartbeats every 100 ms */
	ok (*client_error (c) == '\0', "the hub's heartbeats are answered: the connection stays%s%s",
	    *client_error (c) ? ": " : "", client_error (c));
	round_trip (c, router, 2, &id2);
	ok (id1 && id2 && zframe_eq (id1, id2), "the same connection after 1.2 s of heartbeats");
	zframe_destroy (&id1);
	zframe_destroy (&id2);
	client_destroy (&c);
	zsock_destroy (&router);
	free (ep);

	struct testlib_hub hub;
	if (!ok (testlib_hub_start (&hub, NULL) == 0, "a real hub for the stopped-hub case"))
		return;
	c = client_new (hub.endpoint, "t-stop", NULL);
	proto_msg_t *r = testlib_hello (c, 0xF0000001u, "hb");
	is_int (testlib_status (r), PROTO_OK, "HELLO answered");
	proto_msg_destroy (&r);
	kill (hub.pid, SIGSTOP);
	int64_t t0 = util_mono_ms ();
	bool lost = false;
	while (!lost && util_mono_ms () - t0 < CLIENT_HEARTBEAT_TIMEOUT_MS + 2000) {
		r = client_recv (c, 50);
		proto_msg_destroy (&r);
		lost = strstr (client_error (c), "lost the hub") != NULL;
	}
	int64_t took = util_mono_ms () - t0;
	ok (lost && took >= CLIENT_HEARTBEAT_TIMEOUT_MS - 500,
	    "a stopped hub is noticed by heartbeats alone after %lld ms (timeout %d ms): %s", (long long) took,
	    CLIENT_HEARTBEAT_TIMEOUT_MS, client_error (c));
	kill (hub.pid, SIGCONT);
	r = testlib_hello (c, 0xF0000002u, "hb");
	is_int (testlib_status (r), PROTO_OK, "the hub continued: answered again");
	proto_msg_destroy (&r);
	client_destroy (&c);
	testlib_hub_stop (&hub);
}

/* A listener on dir/NAME that is not ZeroMQ: it accepts, says junk (or
 * nothing), and counts the connections it was offered. */
struct fake {
	int l;
	const char *say; /* NULL: silent */
	atomic_int accepted;
	int fds[64];
	pthread_t thread;
	char *endpoint;
};

static void *
fake_run (void *arg)
{
	struct fake *f = arg;
	for (;;) {
		int c = accept (f->l, NULL, NULL);
		if (c < 0)
			return NULL;
		int n = atomic_fetch_add (&f->accepted, 1);
		if (f->say && write (c, f->say, strlen (f->say)) < 0)
			diag ("write: %s", strerror (errno));
		if (n < 64)
			f->fds[n] = c; /* kept open: a silent peer holds the connection */
		else
			close (c);
	}
}

static void
fake_start (struct fake *f, const char *name, const char *say)
{
	memset (f, 0, sizeof *f);
	char *path = xasprintf ("%s/%s", dir, name);
	f->l = socket (AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	util_strlcpy (un.sun_path, path, sizeof un.sun_path);
	if (bind (f->l, (struct sockaddr *) &un, sizeof un) != 0 || listen (f->l, 16) != 0)
		diag ("cannot listen on %s: %s", path, strerror (errno));
	f->say = say;
	f->endpoint = xasprintf ("ipc://%s", path);
	free (path);
	pthread_create (&f->thread, NULL, fake_run, f);
}

static void
fake_stop (struct fake *f)
{
	shutdown (f->l, SHUT_RDWR);
	close (f->l);
	pthread_join (f->thread, NULL);
	int n = atomic_load (&f->accepted);
	for (int i = 0; i < n && i < 64; i++)
		close (f->fds[i]);
	free (f->endpoint);
}

/* Connect to ep and wait for a refusal; true when its label is want and its words hold says. */
static bool
refused_as (const char *what, const char *ep, const char *keys, const char *want, const char *says)
{
	client_t *c = keys ? client_new_secure (ep, "t-r", keys, NULL) : client_new (ep, "t-r", NULL);
	bool got = c && settle (c, true, WAIT_MS);
	const char *label = c ? client_refusal (c) : NULL;
	const char *words = c ? client_error (c) : "";
	bool good = got && tap_str_eq (label, want) && strstr (words, says) != NULL;
	ok (good, "%s: %s: %s", what, label ? label : "(no label)", words);
	client_destroy (&c);
	return good;
}

static void
check_refusals (zcert_t *hub, const char *keys, const char *wrong_keys, zcert_t *term)
{
	char *plain_ep = xasprintf ("ipc://%s/r-plain.sock", dir), *curve_ep = xasprintf ("ipc://%s/r-curve.sock", dir);
	zsock_t *plain = router_bind (plain_ep, NULL), *curve = router_bind (curve_ep, hub);
	/* Each several times: two of them are told apart by a second connection, whose race must not matter. */
	for (int i = 0; i < 3; i++) {
		refused_as ("no keys for a CURVE hub", curve_ep, NULL, CLIENT_REFUSED_NEEDS_KEYS, "--keys");
		refused_as ("keys for a hub without CURVE", plain_ep, keys, CLIENT_REFUSED_NO_CURVE, "does not use CURVE");
		refused_as ("another hub's public key", curve_ep, wrong_keys, CLIENT_REFUSED_HUB_KEY, "hub.cert");
	}
	/* A publisher at the address (the hub's PUB socket, with CURVE as the hub has it, or plain). */
	char *pub_ep = xasprintf ("ipc://%s/r-pub.sock", dir), *cpub_ep = xasprintf ("ipc://%s/r-cpub.sock", dir);
	zsock_t *pub = zsock_new_pub (pub_ep), *cpub = zsock_new (ZMQ_PUB);
	zcert_apply (hub, cpub);
	zsock_set_curve_server (cpub, 1);
	zsock_bind (cpub, "%s", cpub_ep);
	for (int i = 0; i < 3; i++) {
		refused_as ("the hub's CURVE PUB socket", cpub_ep, keys, CLIENT_REFUSED_NOT_HUB, "not a despatch hub");
		refused_as ("a plain PUB socket, with keys", pub_ep, keys, CLIENT_REFUSED_NOT_HUB, "not a despatch hub");
		refused_as ("a plain PUB socket, without", pub_ep, NULL, CLIENT_REFUSED_NOT_HUB, "not a despatch hub");
	}
	zsock_destroy (&pub);
	zsock_destroy (&cpub);
	free (cpub_ep);

	struct fake junk;
	fake_start (&junk, "r-http.sock", "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\nand more words to pass 64 bytes");
	client_t *c = client_new_secure (junk.endpoint, "t-r", keys, NULL);
	settle (c, true, WAIT_MS);
	is_str (client_refusal (c), CLIENT_REFUSED_NOT_HUB, "a listener that is not ZeroMQ: %s", client_error (c));
	ok (strstr (client_error (c), "does not speak ZeroMQ") != NULL, "in words");
	/* Refused: tried again once a second (the connection and its probes), not at libzmq's 100 ms. */
	int before = atomic_load (&junk.accepted);
	int64_t t0 = util_mono_ms ();
	while (util_mono_ms () - t0 < 3000) {
		proto_msg_t *r = client_recv (c, 50);
		proto_msg_destroy (&r);
	}
	int tries = atomic_load (&junk.accepted) - before;
	ok (tries >= 2 && tries <= 4 * 4, "after a refusal, %d connections in 3 s (at most 4 a second)", tries);
	client_destroy (&c);
	fake_stop (&junk);

	char *nobody = xasprintf ("ipc://%s/r-nobody.sock", dir);
	c = client_new_secure (nobody, "t-r", keys, NULL);
	ok (settle (c, false, WAIT_MS) && strstr (client_error (c), "cannot reach the hub"), "nothing listening: %s",
	    client_error (c));
	ok (client_refusal (c) == NULL, "out of reach is not a refusal (NO HUB)");
	client_destroy (&c);
	free (nobody);

	/* A peer that accepts and never speaks: given up after the handshake time, and tried again. */
	struct fake silent;
	fake_start (&silent, "r-silent.sock", NULL);
	c = client_new_secure (silent.endpoint, "t-r", keys, NULL);
	t0 = util_mono_ms ();
	settle (c, false, CLIENT_HANDSHAKE_MS + WAIT_MS);
	int64_t took = util_mono_ms () - t0;
	ok (strstr (client_error (c), "did not complete the handshake") && took >= CLIENT_HANDSHAKE_MS - 600,
	    "a silent peer is given up after %lld ms: %s", (long long) took, client_error (c));
	ok (client_refusal (c) == NULL, "and it is not a refusal");
	before = atomic_load (&silent.accepted);
	t0 = util_mono_ms ();
	while (atomic_load (&silent.accepted) == before && util_mono_ms () - t0 < 2000) {
		proto_msg_t *r = client_recv (c, 20);
		proto_msg_destroy (&r);
	}
	ok (atomic_load (&silent.accepted) > before, "and a new connection is tried");
	client_destroy (&c);
	fake_stop (&silent);

	/* The hub's ZAP says no (400): KEY REFUSED; enrolled meanwhile, the terminal gets in by itself. */
	char *allowed = xasprintf ("%s/allowed", dir);
	util_mkdirs (allowed, 0700);
	zactor_t *auth = zactor_new (zauth, NULL);
	zstr_sendx (auth, "CURVE", allowed, NULL);
	zsock_wait (auth);
	c = client_new_secure (curve_ep, "t-r", keys, NULL);
	settle (c, true, WAIT_MS);
	is_str (client_refusal (c), CLIENT_REFUSED_KEY, "a key the hub does not know: %s", client_error (c));
	ok (strstr (client_error (c), "code 400") && strstr (client_error (c), "despatch keys enrol"),
	    "in words, with the ZAP code and the command that enrols it");
	/* libzmq would not try again after a refusal; the client does, once a second. */
	zactor_t *watch = zactor_new (zmonitor, curve);
	zstr_sendx (watch, "LISTEN", "ACCEPTED", NULL);
	zstr_sendx (watch, "START", NULL);
	zsock_wait (watch);
	int accepted = 0;
	for (int64_t end = util_mono_ms () + 3000; util_mono_ms () < end;) {
		proto_msg_t *r = client_recv (c, 20);
		proto_msg_destroy (&r);
		zsock_set_rcvtimeo (watch, 0);
		zmsg_t *e;
		while ((e = zmsg_recv (watch)) != NULL) {
			accepted++;
			zmsg_destroy (&e);
		}
	}
	zactor_destroy (&watch);
	ok (accepted >= 2 && accepted <= 4, "refused: the hub saw %d attempts in 3 s (one a second)", accepted);
	char *cert = xasprintf ("%s/t-r.cert", allowed);
	zcert_save_public (term, cert);
	t0 = util_mono_ms ();
	bool in = client_writable (c, CLIENT_REFUSED_RETRY_MS + WAIT_MS);
	ok (in && round_trip (c, curve, 9, NULL), "enrolled meanwhile: in by itself %lld ms later, and answered",
	    (long long) (util_mono_ms () - t0));
	ok (client_refusal (c) == NULL && *client_error (c) == '\0', "and the refusal is gone");
	client_destroy (&c);
	zactor_destroy (&auth);
	free (cert);
	free (allowed);
	zsock_destroy (&curve);
	zsock_destroy (&plain);
	free (plain_ep);
	free (curve_ep);
	free (pub_ep);
}

/* client_wait sleeps on the caller's descriptor and the hub's socket at once. */
static void
check_wait (void)
{
	char *ep = xasprintf ("ipc://%s/wait.sock", dir);
	zsock_t *router = router_bind (ep, NULL);
	client_t *c = client_new (ep, "t-w", NULL);
	zframe_t *id = NULL;
	round_trip (c, router, 1, &id);
	int p[2];
	if (pipe (p) != 0)
		diag ("pipe: %s", strerror (errno));
	struct pollfd fd = { p[0], POLLIN, 0 };
	int64_t t0 = util_mono_ms ();
	int rc = client_wait (c, &fd, 1, 200);
	ok (rc == 0 && fd.revents == 0 && util_mono_ms () - t0 >= 190, "nothing to do: client_wait sleeps its timeout");
	if (write (p[1], "k", 1) != 1)
		diag ("write: %s", strerror (errno));
	t0 = util_mono_ms ();
	rc = client_wait (c, &fd, 1, 5000);
	ok (rc > 0 && (fd.revents & POLLIN) && util_mono_ms () - t0 < 1000, "a key on the caller's descriptor wakes it");
	char k;
	if (read (p[0], &k, 1) != 1)
		diag ("read: %s", strerror (errno));
	proto_msg_t *r = proto_msg_new (PROTO_EVENT);
	proto_set_str (r, PROTO_EVENT_TOPIC, "print");
	size_t size;
	uint8_t *data = proto_encode (r, &size);
	zmsg_t *m = zmsg_new ();
	zmsg_append (m, &id);
	zmsg_addmem (m, data, size);
	free (data);
	proto_msg_destroy (&r);
	zmsg_send (&m, router);
	t0 = util_mono_ms ();
	rc = client_wait (c, &fd, 1, 5000);
	r = client_recv (c, 0);
	ok (rc > 0 && fd.revents == 0 && r && proto_msg_id (r) == PROTO_EVENT && util_mono_ms () - t0 < 1000,
	    "a message from the hub wakes it, and client_recv (0) has it");
	proto_msg_destroy (&r);
	close (p[0]);
	close (p[1]);
	client_destroy (&c);
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
	for (size_t i = 0; i < nitems (bad); i++) {
		char *cause = NULL;
		client_t *c = client_new (bad[i].endpoint, "t-bad", &cause);
		ok (c == NULL && cause && strstr (cause, bad[i].says), "%s is refused: %s", bad[i].endpoint,
		    cause ? cause : "(no reason)");
		free (cause);
		client_destroy (&c);
	}

	zcert_t *hub = zcert_new (), *term = zcert_new (), *other = zcert_new ();
	char *keys = keys_dir ("keys", term, hub), *wrong = keys_dir ("wrong", term, other);

	check_mechanism ("plain", NULL, NULL);
	check_mechanism ("curve", hub, keys);

	/* Over TCP on loopback too (a port the kernel picks), by address and by name. */
	{
		zsock_t *router = zsock_new (ZMQ_ROUTER);
		zcert_apply (hub, router);
		zsock_set_curve_server (router, 1);
		int port = zsock_bind (router, "tcp://127.0.0.1:*");
		const char *hosts[] = { "127.0.0.1", "localhost" };
		for (size_t i = 0; i < nitems (hosts); i++) {
			char *ep = xasprintf ("tcp://%s:%d", hosts[i], port);
			client_t *c = client_new_secure (ep, "t-tcp", keys, NULL);
			ok (c && round_trip (c, router, 7, NULL), "CURVE over tcp:// to %s", ep);
			client_destroy (&c);
			free (ep);
		}
		zsock_destroy (&router);
	}

	check_heartbeats (hub, keys);
	check_refusals (hub, keys, wrong, term);
	check_wait ();

	free (keys);
	free (wrong);
	zcert_destroy (&hub);
	zcert_destroy (&term);
	zcert_destroy (&other);
	return tap_done ();
}
