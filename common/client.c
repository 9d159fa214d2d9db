/*
 * client.c: DEALER side of the wire protocol, on libzmq (zmq.h, not CZMQ:
 * the terminal links this, and CZMQ would add libsystemd, libuuid, liblz4
 * and libgcrypt for nothing it uses).
 *
 * libzmq connects, shakes hands (CURVE), answers heartbeats and reconnects
 * in its I/O thread. What this file adds: the endpoint checked in words
 * before libzmq sees it, the keys read from zcert's files, and the reason a
 * connection failed, read from the socket's monitor (zmq_socket_monitor):
 * each handshake failure is turned into a sentence and, when the hub turned
 * the terminal away, a short label. libzmq does not try again after a
 * refusal, so the socket is opened afresh CLIENT_REFUSED_RETRY_MS later.
 *
 * What the monitor leaves open: a peer that hangs up in the handshake
 * without a word. That is a CURVE hub that cannot open this terminal's
 * HELLO (another hub's hub.cert), a hub without CURVE, a plain terminal at
 * a CURVE hub, or the hub's PUB socket, which takes no DEALER; which side
 * notices first is a race. Short diagnosis connections (probes) tell them
 * apart by what they are let through as: a plain DEALER only by a hub
 * without CURVE, a SUB only by a publisher.
 */
#include "config.h"
#include "client.h"
#include "keyfile.h"
#include "secret.h"
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#define CLIENT_KEY_LEN 40    /* a CURVE key in Z85 */
#define CLIENT_ORPHAN_MS 250 /* a lost connection libzmq does not try again: reopen after this */
#define CLIENT_WAIT_MAX 8    /* the caller's descriptors client_wait takes */
/* The largest message the hub may send: a reply's limit and some room. */
#define CLIENT_MAX_MESSAGE (PROTO_MAX_MESSAGE + 1024)

#define CLIENT_EVENTS                                                                                         \
	(ZMQ_EVENT_CONNECTED | ZMQ_EVENT_CONNECT_RETRIED | ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_HANDSHAKE_SUCCEEDED \
	    | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)

/* A socket and the PAIR that reads its monitor's events. */
struct client_link {
	void *sock, *mon;
	int64_t connected_at; /* the current connection's TCP/ipc connect; 0 when none */
	bool reached;         /* a peer accepted since the last retry was scheduled */
	bool told;            /* a handshake event came for the current connection */
	bool up;              /* through the handshake, not lost since */
	int outcome;          /* a probe's: CP_* */
};

/* What a probe met. */
enum { CP_PENDING, CP_THROUGH, CP_REFUSED, CP_GONE };

/* The probes: a socket type, with or without CURVE, and what its getting
 * through shows the peer to be. */
enum client_found { CF_NOTHING, CF_PLAIN_HUB, CF_PUBLISHER, CF_GONE };

static const struct {
	int type;
	bool curve;
	enum client_found found;
} client_probes[] = {
	{ ZMQ_DEALER, false, CF_PLAIN_HUB },
	{ ZMQ_SUB, false, CF_PUBLISHER },
	{ ZMQ_SUB, true, CF_PUBLISHER },
};
#define CLIENT_PROBES (sizeof client_probes / sizeof client_probes[0])
#define CLIENT_PROBE_MS 1000 /* a probe's handshake time */

/* How the terminal's own connection failed, when it needs probes to tell. */
enum client_fail { CL_HUNG_UP, CL_MISMATCH, CL_DROPPED };

struct client {
	char *endpoint;
	char terminal[PROTO_MAX_TERMINAL + 1];
	bool secure; /* false: a plain socket (tests, benchmarks) */
	bool ipv6;   /* a bracketed IPv6 literal */
	char public_key[CLIENT_KEY_LEN + 1]; /* own CURVE keys, Z85 */
	char secret_key[CLIENT_KEY_LEN + 1];
	char hub_key[CLIENT_KEY_LEN + 1]; /* the hub's public key, Z85 */

	struct client_link link;
	struct client_link probes[CLIENT_PROBES]; /* only while telling refusals apart */
	enum client_fail fail;                    /* what the probes are for */
	int64_t probe_until;
	int64_t reopen_at; /* the socket is closed until then (0: open) */
	int64_t orphan_at; /* lost, and no retry announced by then: reopen (0: none) */

	char error[240];
	const char *refusal; /* CLIENT_REFUSED_*, or NULL */
};

/* One context for every client of the process: one I/O thread, not one each. */
static void *client_ctx;
static int client_nctx;
/* Names the monitors' inproc endpoints: never the same twice in the
 * process (a closed socket's monitor may still hold its name a moment). */
static unsigned client_monitors;

static void *
client_ctx_take (void)
{
	if (client_ctx == NULL)
		client_ctx = zmq_ctx_new ();
	if (client_ctx != NULL)
		client_nctx++;
	return client_ctx;
}

static void
client_ctx_drop (void)
{
	if (client_nctx > 0 && --client_nctx == 0) {
		zmq_ctx_term (client_ctx);
		client_ctx = NULL;
	}
}

/* --- what went wrong, in words ------------------------------------------- */

static void client_say (client_t *self, const char *refusal, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));

static void
client_say (client_t *self, const char *refusal, const char *fmt, ...)
{
	va_list ap;
	va_start (ap, fmt);
	vsnprintf (self->error, sizeof self->error, fmt, ap);
	va_end (ap);
	self->refusal = refusal;
}

/* The refusals, by what the monitor or the probe saw. */
enum client_why {
	CW_KEY,         /* ZAP said 400 */
	CW_KEY_CHECK,   /* ZAP could not decide (300, 500) */
	CW_HUB_KEY,     /* the hub cannot open this terminal's HELLO */
	CW_NEEDS_KEYS,  /* a plain socket, and a hub with CURVE */
	CW_HUNG_UP,     /* a plain socket, and a hub that hung up in the handshake */
	CW_NO_CURVE,    /* CURVE, and a hub without it */
	CW_OTHER_KIND,  /* a ZeroMQ socket a DEALER cannot talk to */
	CW_NOT_ZMTP,    /* no ZeroMQ there at all */
	CW_BROKE,       /* a handshake that broke the protocol */
	CW_GONE,        /* not refused: nothing there any more (no label) */
	CW_AGAIN,       /* not refused: the probe was let through, so try again (no label) */
};

/* Each text has one place, @, for the endpoint or (code) the number the hub or libzmq gave. */
static const struct {
	enum client_why why;
	const char *label;
	bool code;
	const char *text;
} client_whys[] = {
	{ CW_KEY, CLIENT_REFUSED_KEY, true,
	    "the hub refused this terminal's key (code @): is it enrolled (despatch keys enrol) and not revoked?" },
	{ CW_KEY_CHECK, CLIENT_REFUSED_KEY, true,
	    "the hub could not check this terminal's key (code @): see the hub's log; trying again" },
	{ CW_HUB_KEY, CLIENT_REFUSED_HUB_KEY, false,
	    "the hub ended the CURVE handshake at once: is hub.cert this hub's public key?" },
	{ CW_NEEDS_KEYS, CLIENT_REFUSED_NEEDS_KEYS, false, "the hub uses CURVE security: start the terminal with --keys" },
	{ CW_HUNG_UP, CLIENT_REFUSED_NEEDS_KEYS, false,
	    "the hub hung up during the handshake: it may use CURVE security (start the terminal with --keys)" },
	{ CW_NO_CURVE, CLIENT_REFUSED_NO_CURVE, false,
	    "the hub does not use CURVE security: turn it on at the hub, or start the terminal without --keys" },
	{ CW_OTHER_KIND, CLIENT_REFUSED_NOT_HUB, false,
	    "@ is a ZeroMQ socket of another kind (a publisher?), not a despatch hub: check the address" },
	{ CW_NOT_ZMTP, CLIENT_REFUSED_NOT_HUB, false, "@ does not speak ZeroMQ's protocol: is it a despatch hub?" },
	{ CW_BROKE, CLIENT_REFUSED_NOT_HUB, true, "the hub broke ZeroMQ's handshake (protocol error @): is it a despatch hub?" },
	{ CW_GONE, NULL, false, "cannot reach the hub at @: nothing answers there" },
	{ CW_AGAIN, NULL, false, "the hub at @ hung up during the handshake; trying again" },
};

/* Protocol errors the client itself saw in the handshake, and what they
 * mean (a mismatched mechanism is for the probes: client_on_protocol). */
static const struct {
	unsigned code;
	enum client_why secure, plain;
} client_protocol_errors[] = {
	{ ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC, CW_HUB_KEY, CW_BROKE },
	{ ZMQ_PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE, CW_HUB_KEY, CW_BROKE },
	{ ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_WELCOME, CW_HUB_KEY, CW_BROKE },
	{ ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_METADATA, CW_OTHER_KIND, CW_OTHER_KIND },
};

/* The probes' verdict: what the terminal's own connection saw, and what a
 * probe got through as (the first row that fits). */
static const struct {
	int secure; /* -1: either */
	int fail;   /* -1: any */
	enum client_found found;
	enum client_why why;
} client_verdicts[] = {
	{ -1, -1, CF_GONE, CW_GONE },
	{ -1, -1, CF_PUBLISHER, CW_OTHER_KIND },
	{ 1, -1, CF_PLAIN_HUB, CW_NO_CURVE },
	{ 0, -1, CF_PLAIN_HUB, CW_AGAIN },
	{ -1, CL_DROPPED, CF_NOTHING, CW_NOT_ZMTP },
	{ 1, CL_MISMATCH, CF_NOTHING, CW_NO_CURVE }, /* not CURVE, and not plain ZeroMQ either */
	{ 1, CL_HUNG_UP, CF_NOTHING, CW_HUB_KEY },
	{ 0, CL_MISMATCH, CF_NOTHING, CW_NEEDS_KEYS },
	{ 0, CL_HUNG_UP, CF_NOTHING, CW_HUNG_UP },
};

static void client_close_link (struct client_link *l);
static void client_close_probes (client_t *self);
static void client_probe_start (client_t *self, enum client_fail fail);

/* The hub turned this terminal away: say why, close, try again in a while. */
static void
client_refuse (client_t *self, enum client_why why, unsigned code)
{
	for (size_t i = 0; i < nitems (client_whys); i++) {
		if (client_whys[i].why != why)
			continue;
		char num[16];
		snprintf (num, sizeof num, why == CW_BROKE ? "0x%x" : "%u", code);
		const char *text = client_whys[i].text, *at = strchr (text, '@');
		const char *arg = client_whys[i].code ? num : self->endpoint;
		if (at)
			snprintf (self->error, sizeof self->error, "%.*s%s%s", (int) (at - text), text, arg, at + 1);
		else
			util_strlcpy (self->error, text, sizeof self->error);
		self->refusal = client_whys[i].label;
	}
	client_close_link (&self->link);
	client_close_probes (self);
	self->orphan_at = 0;
	/* Not refused after all (gone, or let through): the next attempt at libzmq's pace. */
	self->reopen_at = util_mono_ms () + (self->refusal ? CLIENT_REFUSED_RETRY_MS : CLIENT_RETRY_MS);
}

/* --- sockets ----------------------------------------------------------- */

static void
client_setopt_int (void *sock, int option, int value)
{
	zmq_setsockopt (sock, option, &value, sizeof value);
}

static void
client_close_link (struct client_link *l)
{
	/* The monitor stops first: libzmq 4.3 does not free an event it could
	 * not send, so none may come once the reader is gone. */
	if (l->sock) {
		zmq_socket_monitor (l->sock, NULL, 0);
		zmq_close (l->sock);
	}
	if (l->mon)
		zmq_close (l->mon);
	memset (l, 0, sizeof *l);
}

/* A socket to the hub with its monitor: the terminal's DEALER, or a probe. */
static int
client_open_link (client_t *self, struct client_link *l, int type, bool curve, int handshake_ms, char **cause)
{
	memset (l, 0, sizeof *l);
	l->sock = zmq_socket (client_ctx, type);
	l->mon = zmq_socket (client_ctx, ZMQ_PAIR);
	if (l->sock == NULL || l->mon == NULL) {
		*cause = xasprintf ("cannot create a socket: %s", zmq_strerror (zmq_errno ()));
		client_close_link (l);
		return -1;
	}
	if (curve) {
		zmq_setsockopt (l->sock, ZMQ_CURVE_PUBLICKEY, self->public_key, CLIENT_KEY_LEN);
		zmq_setsockopt (l->sock, ZMQ_CURVE_SECRETKEY, self->secret_key, CLIENT_KEY_LEN);
		zmq_setsockopt (l->sock, ZMQ_CURVE_SERVERKEY, self->hub_key, CLIENT_KEY_LEN);
	}
	client_setopt_int (l->sock, ZMQ_LINGER, 0);
	client_setopt_int (l->mon, ZMQ_LINGER, 0);
	int64_t max = CLIENT_MAX_MESSAGE;
	zmq_setsockopt (l->sock, ZMQ_MAXMSGSIZE, &max, sizeof max);
	client_setopt_int (l->sock, ZMQ_SNDHWM, 10000);
	client_setopt_int (l->sock, ZMQ_RCVHWM, 10000);
	/* No queue for a hub that is not there: the journal keeps what must be sent. */
	client_setopt_int (l->sock, ZMQ_IMMEDIATE, 1);
	client_setopt_int (l->sock, ZMQ_RECONNECT_IVL, CLIENT_RETRY_MS);
	/* A hub that accepts and then says nothing must not hold the terminal for libzmq's 30 s. */
	client_setopt_int (l->sock, ZMQ_HANDSHAKE_IVL, handshake_ms);
	client_setopt_int (l->sock, ZMQ_CONNECT_TIMEOUT, CLIENT_HANDSHAKE_MS);
	/* A connection gone dead (Wi-Fi lost in a cage) is noticed without a request. */
	client_setopt_int (l->sock, ZMQ_HEARTBEAT_IVL, CLIENT_HEARTBEAT_MS);
	client_setopt_int (l->sock, ZMQ_HEARTBEAT_TIMEOUT, CLIENT_HEARTBEAT_TIMEOUT_MS);
	client_setopt_int (l->sock, ZMQ_IPV6, self->ipv6);
	/* The monitor's reader is connected before the socket is, so no event is missed. */
	char mon[96];
	snprintf (mon, sizeof mon, "inproc://despatch-client-monitor-%u", ++client_monitors);
	if (zmq_socket_monitor (l->sock, mon, CLIENT_EVENTS) != 0 || zmq_connect (l->mon, mon) != 0) {
		*cause = xasprintf ("cannot watch the connection: %s", zmq_strerror (zmq_errno ()));
		client_close_link (l);
		return -1;
	}
	if (zmq_connect (l->sock, self->endpoint) != 0) {
		*cause = xasprintf ("cannot use hub address %s: %s", self->endpoint, zmq_strerror (zmq_errno ()));
		client_close_link (l);
		return -1;
	}
	return 0;
}

static void
client_open (client_t *self)
{
	char *cause = NULL;
	self->reopen_at = 0;
	self->orphan_at = 0;
	if (client_open_link (self, &self->link, ZMQ_DEALER, self->secure, CLIENT_HANDSHAKE_MS, &cause) != 0) {
		client_say (self, NULL, "%s", cause);
		free (cause);
		self->reopen_at = util_mono_ms () + CLIENT_REFUSED_RETRY_MS;
	}
}

/* --- the monitor ------------------------------------------------------- */

/* The next event of a monitor, without waiting: 1, or 0 when none. */
static int
client_event (void *mon, uint16_t *event, uint32_t *value)
{
	if (mon == NULL)
		return 0;
	zmq_msg_t head, addr;
	zmq_msg_init (&head);
	if (zmq_msg_recv (&head, mon, ZMQ_DONTWAIT) < 0) {
		zmq_msg_close (&head);
		return 0;
	}
	int got = 0;
	if (zmq_msg_size (&head) >= 6) {
		const uint8_t *d = zmq_msg_data (&head);
		memcpy (event, d, sizeof *event);
		memcpy (value, d + 2, sizeof *value);
		got = 1;
	}
	/* The second frame names the endpoint: ours. */
	while (zmq_msg_more (&head)) {
		zmq_msg_init (&addr);
		int rc = zmq_msg_recv (&addr, mon, ZMQ_DONTWAIT);
		bool more = rc >= 0 && zmq_msg_more (&addr);
		zmq_msg_close (&addr);
		if (!more)
			break;
	}
	zmq_msg_close (&head);
	return got;
}

static void
client_on_connected (client_t *self, uint32_t value)
{
	(void) value;
	self->link.connected_at = util_mono_ms ();
	self->link.reached = true;
	self->link.told = false;
	self->orphan_at = 0;
}

static void
client_on_retried (client_t *self, uint32_t value)
{
	(void) value;
	self->orphan_at = 0; /* libzmq tries again: nothing for us to do */
	if (!self->link.reached)
		client_say (self, NULL, "cannot reach the hub at %s: nothing answers there", self->endpoint);
	self->link.reached = false;
}

static void
client_on_succeeded (client_t *self, uint32_t value)
{
	(void) value;
	self->link.told = self->link.up = true;
	client_say (self, NULL, "%s", "");
}

static void
client_on_auth (client_t *self, uint32_t status)
{
	self->link.told = true;
	client_refuse (self, status == 400 ? CW_KEY : CW_KEY_CHECK, status);
}

static void
client_on_protocol (client_t *self, uint32_t code)
{
	self->link.told = true;
	if (code == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH) {
		/* Not the mechanism this end speaks: a plain hub, a CURVE hub, or a CURVE publisher. */
		client_probe_start (self, CL_MISMATCH);
		return;
	}
	enum client_why why = CW_BROKE;
	for (size_t i = 0; i < nitems (client_protocol_errors); i++)
		if (client_protocol_errors[i].code == code)
			why = self->secure ? client_protocol_errors[i].secure : client_protocol_errors[i].plain;
	client_refuse (self, why, code);
}

static void
client_close_probes (client_t *self)
{
	for (size_t i = 0; i < CLIENT_PROBES; i++)
		client_close_link (&self->probes[i]);
	self->probe_until = 0;
}

/* The terminal's connection failed without saying why: close it (nothing
 * was sent on it) and send the probes. */
static void
client_probe_start (client_t *self, enum client_fail fail)
{
	client_close_link (&self->link);
	self->fail = fail;
	self->reopen_at = util_mono_ms () + CLIENT_REFUSED_RETRY_MS;
	bool any = false;
	for (size_t i = 0; i < CLIENT_PROBES; i++) {
		char *cause = NULL;
		if ((!client_probes[i].curve || self->secure)
		    && client_open_link (self, &self->probes[i], client_probes[i].type, client_probes[i].curve,
		           CLIENT_PROBE_MS, &cause) == 0)
			any = true;
		free (cause);
	}
	self->probe_until = util_mono_ms () + CLIENT_PROBE_MS + 500;
	if (!any) /* no socket for a probe: the likelier reading */
		client_refuse (self, self->secure ? CW_HUB_KEY : CW_HUNG_UP, 0);
}

static bool
client_probing (client_t *self)
{
	return self->probe_until != 0;
}

/* What the probes found once each is done (or their time is up), and the verdict. */
static void
client_probe_verdict (client_t *self)
{
	enum client_found found = CF_NOTHING;
	bool all_gone = true, done = true;
	for (size_t i = 0; i < CLIENT_PROBES; i++) {
		const struct client_link *p = &self->probes[i];
		if (p->sock == NULL && p->outcome == CP_PENDING)
			continue; /* never opened */
		if (p->outcome == CP_PENDING)
			done = false;
		if (p->outcome != CP_GONE)
			all_gone = false;
		if (p->outcome == CP_THROUGH && found == CF_NOTHING)
			found = client_probes[i].found;
	}
	if (found == CF_NOTHING && !done && util_mono_ms () < self->probe_until)
		return;
	if (found == CF_NOTHING && all_gone)
		found = CF_GONE;
	for (size_t i = 0; i < nitems (client_verdicts); i++)
		if ((client_verdicts[i].secure < 0 || client_verdicts[i].secure == self->secure)
		    && (client_verdicts[i].fail < 0 || client_verdicts[i].fail == (int) self->fail)
		    && client_verdicts[i].found == found) {
			client_refuse (self, client_verdicts[i].why, 0);
			return;
		}
	client_refuse (self, self->secure ? CW_HUB_KEY : CW_HUNG_UP, 0);
}

/* A probe's events: the first that settles it. */
static void
client_probe_events (client_t *self)
{
	for (size_t i = 0; i < CLIENT_PROBES; i++) {
		struct client_link *p = &self->probes[i];
		uint16_t ev;
		uint32_t value;
		while (p->mon && p->outcome == CP_PENDING && client_event (p->mon, &ev, &value)) {
			if (ev == ZMQ_EVENT_CONNECTED)
				p->reached = true;
			else if (ev == ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
				p->outcome = CP_THROUGH;
			else if (ev == ZMQ_EVENT_CONNECT_RETRIED && !p->reached)
				p->outcome = CP_GONE;
			else if (ev != ZMQ_EVENT_CONNECT_RETRIED)
				p->outcome = CP_REFUSED; /* any failure, or dropped */
		}
		if (p->outcome != CP_PENDING && p->sock) {
			/* Settled: close it (the outcome stays). */
			int outcome = p->outcome;
			client_close_link (p);
			p->outcome = outcome;
		}
	}
	if (client_probing (self))
		client_probe_verdict (self);
}

/* The peer hung up in the handshake and said nothing. */
static void
client_on_no_detail (client_t *self, uint32_t err)
{
	(void) err;
	self->link.told = true;
	if (util_mono_ms () - self->link.connected_at >= CLIENT_HANDSHAKE_MS - 500) {
		/* libzmq gave up waiting: not a refusal, and it tries again itself. */
		client_say (self, NULL, "the hub at %s did not complete the handshake within %d s", self->endpoint,
		    CLIENT_HANDSHAKE_MS / 1000);
		return;
	}
	client_probe_start (self, CL_HUNG_UP);
}

static void
client_on_disconnected (client_t *self, uint32_t value)
{
	(void) value;
	if (self->link.up) {
		self->link.up = false;
		client_say (self, NULL, "lost the hub at %s: the connection closed", self->endpoint);
		/* libzmq announces its next attempt at once, unless it gave up (a
		 * protocol error, such as a message over the size limit). */
		self->orphan_at = util_mono_ms () + CLIENT_ORPHAN_MS;
	} else if (!self->link.told) {
		/* Closed in the handshake by libzmq itself, with no event: not ZMTP 3,
		 * or a socket type a DEALER cannot talk to. */
		client_probe_start (self, CL_DROPPED);
	}
}

typedef void (*client_event_fn) (client_t *, uint32_t);

static const struct {
	uint16_t event;
	client_event_fn fn;
} client_handlers[] = {
	{ ZMQ_EVENT_CONNECTED, client_on_connected },
	{ ZMQ_EVENT_CONNECT_RETRIED, client_on_retried },
	{ ZMQ_EVENT_HANDSHAKE_SUCCEEDED, client_on_succeeded },
	{ ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, client_on_auth },
	{ ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, client_on_protocol },
	{ ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, client_on_no_detail },
	{ ZMQ_EVENT_DISCONNECTED, client_on_disconnected },
};

static bool
client_readable (void *sock)
{
	int events = 0;
	size_t n = sizeof events;
	return sock && zmq_getsockopt (sock, ZMQ_EVENTS, &events, &n) == 0 && (events & ZMQ_POLLIN);
}

/* Everything the monitors said, and the timers that are due. */
static void
client_service (client_t *self)
{
	uint16_t ev;
	uint32_t value;
	while (self->link.mon && client_event (self->link.mon, &ev, &value))
		for (size_t i = 0; i < nitems (client_handlers); i++)
			if (client_handlers[i].event == ev)
				client_handlers[i].fn (self, value);
	client_probe_events (self);
	int64_t now = util_mono_ms ();
	/* What the lost connection had delivered is read first. */
	if (self->orphan_at && now >= self->orphan_at && !client_readable (self->link.sock)) {
		client_close_link (&self->link);
		client_open (self);
	}
	if (self->link.sock == NULL && !client_probing (self) && now >= self->reopen_at)
		client_open (self);
}

/* ms until client_service has a timer to act on; -1 when none. */
static int
client_timer_ms (client_t *self)
{
	int64_t at = -1;
	if (self->link.sock == NULL)
		at = client_probing (self) ? self->probe_until : self->reopen_at;
	if (self->orphan_at && (at < 0 || self->orphan_at < at))
		at = self->orphan_at;
	if (at < 0)
		return -1;
	int64_t t = at - util_mono_ms ();
	return t <= 0 ? 0 : t > CLIENT_HANDSHAKE_MS ? CLIENT_HANDSHAKE_MS : (int) t;
}

/* --- addresses and keys ------------------------------------------------ */

/* The hub's address, checked before libzmq sees it: libzmq takes some
 * mistakes (a port of 99999) and then fails quietly for ever. */
static int
client_check_endpoint (client_t *self, const char *endpoint, char **cause)
{
	const char *why = NULL;
	if (strncmp (endpoint, "ipc://", 6) == 0) {
		size_t n = strlen (endpoint + 6);
		if (n == 0)
			why = "no socket path after ipc://";
		else if (n >= 108) /* sockaddr_un's sun_path */
			why = "the socket path is too long";
	} else if (strncmp (endpoint, "tcp://", 6) == 0) {
		const char *h = endpoint + 6, *colon = strrchr (h, ':');
		long port;
		if (colon == NULL || colon == h || colon[1] == '\0')
			why = "tcp:// needs HOST:PORT";
		else if (!util_parse_long (colon + 1, 1, 65535, &port))
			why = "the port must be a number from 1 to 65535";
		else if (colon - h == 1 && *h == '*')
			why = "* is for binding: name the hub's host";
		else
			self->ipv6 = h[0] == '[';
	} else {
		why = "the address must start with tcp:// or ipc://";
	}
	if (why != NULL && cause != NULL)
		*cause = xasprintf ("cannot use hub address %s: %s", endpoint, why);
	return why ? -1 : 0;
}

/*
 * A key from a certificate file as CZMQ's zcert_save writes it (ZPL: a
 * top-level "curve" section, indented `public-key = "Z85"` and
 * `secret-key = "Z85"`). 0 when found and 40 valid Z85 characters.
 */
static int
client_cert_key (const char *path, const char *name, char out[CLIENT_KEY_LEN + 1])
{
	FILE *f = fopen (path, "r");
	if (f == NULL)
		return -1;
	setvbuf (f, NULL, _IONBF, 0); /* no stdio buffer left holding a secret key */
	char line[512];
	bool in_curve = false;
	int rc = -1;
	while (rc != 0 && fgets (line, sizeof line, f)) {
		char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '#' || *p == '\n' || *p == '\r' || *p == '\0')
			continue;
		size_t n = strcspn (p, " \t=\r\n#");
		if (p == line) { /* a top-level section */
			in_curve = n == 5 && strncmp (p, "curve", 5) == 0;
			continue;
		}
		if (!in_curve || n != strlen (name) || strncmp (p, name, n) != 0)
			continue;
		p += n;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p++ != '=')
			continue;
		while (*p == ' ' || *p == '\t')
			p++;
		/* Quoted (what zcert writes) or bare: Z85 has '#' but no quote characters. */
		size_t len;
		if (*p == '"' || *p == '\'') {
			char q = *p++;
			char *end = strchr (p, q);
			len = end ? (size_t) (end - p) : 0;
		} else {
			len = strcspn (p, " \t\r\n");
		}
		uint8_t bin[32];
		if (len != CLIENT_KEY_LEN)
			break;
		memcpy (out, p, CLIENT_KEY_LEN);
		out[CLIENT_KEY_LEN] = '\0';
		bool valid = zmq_z85_decode (bin, out) != NULL;
		secret_wipe (bin, sizeof bin);
		if (!valid)
			break;
		rc = 0;
	}
	secret_wipe (line, sizeof line);
	fclose (f);
	return rc;
}

/* The terminal's own certificate (with its secret) and the hub's public one. */
static int
client_load_keys (client_t *self, const char *keys_dir, char **cause)
{
	char *own_secret = xasprintf ("%s/terminal.cert_secret", keys_dir);
	char *hub = xasprintf ("%s/hub.cert", keys_dir);
	int rc = -1;
	if (access (own_secret, R_OK) != 0)
		*cause = xasprintf ("cannot read this terminal's secret key %s: %s (make it with despatch keys enrol "
		    "on the hub and copy the terminal's folder here)", own_secret, strerror (errno));
	else if (keyfile_check_secret (own_secret, cause) != 0)
		; /* *cause says what to run */
	else if (client_cert_key (own_secret, "public-key", self->public_key) != 0
	    || client_cert_key (own_secret, "secret-key", self->secret_key) != 0)
		*cause = xasprintf ("%s is not a certificate", own_secret);
	else if (client_cert_key (hub, "public-key", self->hub_key) != 0)
		*cause = xasprintf ("cannot read the hub's public key %s: %s", hub,
		    access (hub, R_OK) != 0 ? strerror (errno) : "not a certificate");
	else
		rc = 0;
	free (own_secret);
	free (hub);
	return rc;
}

/* --- the interface ----------------------------------------------------- */

static client_t *
client_make (const char *endpoint, const char *terminal, const char *keys_dir, char **cause)
{
	client_t *self = xcalloc (1, sizeof *self);
	self->endpoint = xstrdup (endpoint);
	util_strlcpy (self->terminal, terminal, sizeof self->terminal);
	self->secure = keys_dir != NULL;
	if (client_check_endpoint (self, endpoint, cause) != 0 || (keys_dir && client_load_keys (self, keys_dir, cause) != 0)) {
		secret_wipe (self->secret_key, sizeof self->secret_key);
		free (self->endpoint);
		free (self);
		return NULL;
	}
	if (client_ctx_take () == NULL) {
		*cause = xasprintf ("cannot start ZeroMQ: %s", zmq_strerror (zmq_errno ()));
		free (self->endpoint);
		free (self);
		return NULL;
	}
	if (client_open_link (self, &self->link, ZMQ_DEALER, self->secure, CLIENT_HANDSHAKE_MS, cause) != 0) {
		client_destroy (&self);
		return NULL;
	}
	return self;
}

static client_t *
client_new_with (const char *endpoint, const char *terminal, const char *keys_dir, char **cause)
{
	char *why = NULL;
	client_t *self = client_make (endpoint, terminal, keys_dir, &why);
	if (cause)
		*cause = why;
	else
		free (why);
	return self;
}

client_t *
client_new (const char *endpoint, const char *terminal, char **cause)
{
	return client_new_with (endpoint, terminal, NULL, cause);
}

client_t *
client_new_secure (const char *endpoint, const char *terminal, const char *keys_dir, char **cause)
{
	if (!zmq_has ("curve")) {
		if (cause)
			*cause = xasprintf ("this libzmq was built without CURVE security: cannot talk to a secure hub");
		return NULL;
	}
	return client_new_with (endpoint, terminal, keys_dir, cause);
}

void
client_destroy (client_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	client_t *self = *self_p;
	client_close_link (&self->link);
	client_close_probes (self);
	/* The secret key stays in this memory no longer than the client. */
	secret_wipe (self->secret_key, sizeof self->secret_key);
	free (self->endpoint);
	free (self);
	client_ctx_drop ();
	*self_p = NULL;
}

const char *
client_terminal (client_t *self)
{
	return self->terminal;
}

const char *
client_error (client_t *self)
{
	client_service (self);
	return self->error;
}

const char *
client_refusal (client_t *self)
{
	return self->refusal;
}

bool
client_connected (client_t *self)
{
	return self->link.sock != NULL && self->link.up;
}

int
client_reconnect (client_t *self)
{
	client_close_link (&self->link);
	client_close_probes (self);
	client_open (self);
	return self->link.sock ? 0 : -1;
}

int
client_send (client_t *self, proto_msg_t *msg)
{
	client_service (self);
	if (self->link.sock == NULL)
		return -1;
	proto_msg_set_terminal (msg, self->terminal);
	size_t size;
	uint8_t *data = proto_encode (msg, &size);
	if (data == NULL)
		return -1;
	/* Non-blocking: with ZMQ_IMMEDIATE and no hub, this fails instead of waiting. */
	int rc = zmq_send (self->link.sock, data, size, ZMQ_DONTWAIT);
	secret_wipe (data, size); /* a login carries a PIN */
	free (data);
	return rc == (int) size ? 0 : -1;
}

int
client_wait (client_t *self, struct pollfd *fds, int nfds, int timeout_ms)
{
	/* zmq_poll's flags are not poll's: map them both ways. */
	static const struct {
		short poll;
		short zmq;
	} flags[] = { { POLLIN, ZMQ_POLLIN }, { POLLOUT, ZMQ_POLLOUT }, { POLLPRI, ZMQ_POLLPRI }, { POLLERR, ZMQ_POLLERR } };
	zmq_pollitem_t items[CLIENT_WAIT_MAX + 2 + CLIENT_PROBES];
	int n = 0;
	if (nfds > CLIENT_WAIT_MAX)
		nfds = CLIENT_WAIT_MAX;
	for (int i = 0; i < nfds; i++) {
		items[n] = (zmq_pollitem_t) { NULL, fds[i].fd, 0, 0 };
		for (size_t k = 0; k < nitems (flags); k++)
			if (fds[i].events & flags[k].poll)
				items[n].events |= flags[k].zmq;
		fds[i].revents = 0;
		n++;
	}
	void *socks[2 + CLIENT_PROBES] = { self->link.sock, self->link.mon };
	for (size_t i = 0; i < CLIENT_PROBES; i++)
		socks[2 + i] = self->probes[i].mon;
	for (size_t i = 0; i < nitems (socks); i++)
		if (socks[i])
			items[n++] = (zmq_pollitem_t) { socks[i], 0, ZMQ_POLLIN, 0 };
	int timer = client_timer_ms (self);
	if (timer >= 0 && (timeout_ms < 0 || timer < timeout_ms))
		timeout_ms = timer;
	int rc = zmq_poll (items, n, timeout_ms);
	for (int i = 0; i < nfds && rc > 0; i++)
		for (size_t k = 0; k < nitems (flags); k++)
			if (items[i].revents & flags[k].zmq)
				fds[i].revents |= flags[k].poll;
	return rc;
}

/* ms left until deadline (-1: none). */
static int
client_left (int64_t deadline)
{
	if (deadline < 0)
		return -1;
	int64_t left = deadline - util_mono_ms ();
	return left <= 0 ? 0 : left > 1000000 ? 1000000 : (int) left;
}

/* One message from the hub, if one has come: decoded, or a local ERROR. */
static proto_msg_t *
client_take (client_t *self)
{
	if (self->link.sock == NULL)
		return NULL;
	zmq_msg_t frame;
	zmq_msg_init (&frame);
	if (zmq_msg_recv (&frame, self->link.sock, ZMQ_DONTWAIT) < 0) {
		zmq_msg_close (&frame);
		return NULL;
	}
	proto_msg_t *msg = NULL;
	char err[160];
	if (zmq_msg_more (&frame)) {
		/* The hub sends one frame; more is not DSP/1: drop the rest with it
		 * (libzmq delivers a message whole, so the rest is here). */
		snprintf (err, sizeof err, "a reply of more than one frame");
		zmq_msg_t rest;
		zmq_msg_init (&rest);
		while (zmq_msg_recv (&rest, self->link.sock, ZMQ_DONTWAIT) >= 0 && zmq_msg_more (&rest))
			;
		zmq_msg_close (&rest);
	} else if (proto_decode (zmq_msg_data (&frame), zmq_msg_size (&frame), &msg, NULL, err, sizeof err) == 0) {
		zmq_msg_close (&frame);
		return msg;
	}
	zmq_msg_close (&frame);
	msg = proto_msg_new (PROTO_ERROR);
	proto_set_num (msg, PROTO_ERROR_REASON, PR_MALFORMED);
	proto_set_str (msg, PROTO_ERROR_TEXT, err);
	return msg;
}

proto_msg_t *
client_recv (client_t *self, int timeout_ms)
{
	int64_t deadline = timeout_ms < 0 ? -1 : util_mono_ms () + timeout_ms;
	for (;;) {
		proto_msg_t *msg = client_take (self);
		if (msg)
			return msg;
		client_service (self);
		if ((msg = client_take (self)) != NULL)
			return msg;
		int left = client_left (deadline);
		if (left == 0)
			return NULL;
		client_wait (self, NULL, 0, left);
	}
}

bool
client_writable (client_t *self, int timeout_ms)
{
	int64_t deadline = timeout_ms < 0 ? -1 : util_mono_ms () + timeout_ms, writable_at = 0;
	for (;;) {
		client_service (self);
		int events = 0;
		size_t n = sizeof events;
		if (self->link.sock && zmq_getsockopt (self->link.sock, ZMQ_EVENTS, &events, &n) == 0
		    && (events & ZMQ_POLLOUT)) {
			/* The socket can be writable a moment before the monitor's word that the handshake
			 * succeeded is read: wait a little for it, so a caller sees the link up with it. */
			if (writable_at == 0)
				writable_at = util_mono_ms ();
			if (self->link.up || util_mono_ms () - writable_at >= 250)
				return true;
		}
		int left = client_left (deadline);
		if (left == 0)
			return writable_at != 0;
		/* Writable comes with the handshake, which the monitor reports. */
		client_wait (self, NULL, 0, left < 20 ? left : 20);
	}
}

proto_msg_t *
client_call (client_t *self, proto_msg_t *msg, int timeout_ms, int tries)
{
	for (int t = 0; t < tries; t++) {
		int64_t deadline = util_mono_ms () + timeout_ms;
		/* With ZMQ_IMMEDIATE a send fails until the connection is up: wait for it. */
		if (!client_writable (self, timeout_ms) || client_send (self, msg) != 0)
			continue;
		for (;;) {
			int64_t left = deadline - util_mono_ms ();
			if (left <= 0)
				break;
			proto_msg_t *r = client_recv (self, (int) left);
			if (r == NULL)
				break;
			if (proto_msg_seq (r) == proto_msg_seq (msg))
				return r;
			proto_msg_destroy (&r); /* a late answer to an earlier request */
		}
		client_reconnect (self);
	}
	return NULL;
}
