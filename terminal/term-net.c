/* term-net.c: HELLO, heartbeats and reachability over one DEALER socket. */
#include "config.h"
#include "term-net.h"
#include "client.h"
#include "log.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define TERM_NET_CONNECT_POLL_MS 50

struct term_net {
	client_t *client;
	char *station, *profile;
	enum term_net_state state;
	int heartbeat_ms;
	int reply_timeout_ms;
	uint32_t volatile_seq;
	uint32_t hello_seq, ping_seq;
	int64_t hello_at;       /* last HELLO sent */
	int64_t heard_at;       /* last answer of any kind */
	int64_t waiting_since;  /* oldest unanswered send while up; 0 when none */
	char said[200];         /* the last reason logged for not reaching the hub */
	char hub_said[1025];    /* the hub's ERROR to our HELLO, while it refuses this terminal */
	char hub_started[24];   /* when the hub that answered our HELLO started (its started_ms), "" not told */
};

term_net_t *
term_net_new (const struct term_net_options *opt, char **cause)
{
	client_t *client = opt->keys && *opt->keys ? client_new_secure (opt->endpoint, opt->terminal, opt->keys, cause)
	                                           : client_new (opt->endpoint, opt->terminal, cause);
	if (client == NULL)
		return NULL;
	term_net_t *self = xcalloc (1, sizeof *self);
	self->client = client;
	self->station = xstrdup (opt->station);
	self->profile = xstrdup (opt->profile);
	self->heartbeat_ms = 1000; /* until the hub says */
	self->reply_timeout_ms = opt->reply_timeout_ms > 0 ? opt->reply_timeout_ms : 2000;
	self->volatile_seq = TERM_NET_VOLATILE_SEQ;
	self->state = TN_CONNECTING;
	return self;
}

void
term_net_destroy (term_net_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	term_net_t *self = *self_p;
	client_destroy (&self->client);
	free (self->station);
	free (self->profile);
	free (self);
	*self_p = NULL;
}

enum term_net_state
term_net_state (term_net_t *self)
{
	return self->state;
}

bool
term_net_up (term_net_t *self)
{
	return self->state == TN_UP;
}

int
term_net_wait (term_net_t *self, struct pollfd *fds, int nfds, int timeout_ms)
{
	return client_wait (self->client, fds, nfds, timeout_ms);
}

static uint32_t
term_net_volatile (term_net_t *self)
{
	if (++self->volatile_seq < TERM_NET_VOLATILE_SEQ)
		self->volatile_seq = TERM_NET_VOLATILE_SEQ + 1;
	return self->volatile_seq;
}

int
term_net_send (term_net_t *self, proto_msg_t *msg, int64_t now_ms)
{
	if (self->state != TN_UP)
		return -1;
	/* A send that cannot go (no peer) counts as unanswered: the hub may be gone. */
	if (self->waiting_since == 0)
		self->waiting_since = now_ms;
	return client_send (self->client, msg) == 0 ? 0 : -1;
}

void
term_net_answered (term_net_t *self)
{
	self->waiting_since = 0;
}

/* HELLO is retried at least every second: scans are waiting to be sent. */
static int
term_net_retry_ms (term_net_t *self)
{
	return self->heartbeat_ms < 1000 ? self->heartbeat_ms : 1000;
}

/* Why the hub cannot be reached (refused key, wrong hub key, nothing
 * listening), logged once each time the reason changes; true when the
 * new reason is that the hub turned this terminal away. */
static bool
term_net_say_why (term_net_t *self)
{
	const char *why = client_error (self->client);
	if (*why == '\0' || strcmp (why, self->said) == 0)
		return false;
	log_warn ("no hub: %s", why);
	util_strlcpy (self->said, why, sizeof self->said);
	return client_refusal (self->client) != NULL;
}

const char *
term_net_refusal (term_net_t *self)
{
	return self->state == TN_UP ? NULL : client_refusal (self->client);
}

const char *
term_net_why (term_net_t *self)
{
	return *self->hub_said ? self->hub_said : client_error (self->client);
}

static void
term_net_hello (term_net_t *self, int64_t now_ms)
{
	proto_msg_t *m = proto_msg_new (PROTO_HELLO);
	self->hello_seq = term_net_volatile (self);
	proto_msg_set_seq (m, self->hello_seq);
	proto_set_str (m, PROTO_HELLO_STATION, self->station);
	proto_set_str (m, PROTO_HELLO_PROFILE, self->profile);
	proto_set_str (m, PROTO_HELLO_SOFTWARE, "despatch-term " PACKAGE_VERSION);
	/* With ZMQ_IMMEDIATE this fails until a hub is connected: try again shortly. */
	if (client_send (self->client, m) == 0) {
		self->hello_at = now_ms;
	} else {
		self->hello_seq = 0;
		self->hello_at = now_ms - term_net_retry_ms (self) + TERM_NET_CONNECT_POLL_MS;
	}
	proto_msg_destroy (&m);
}

static void
term_net_ping (term_net_t *self, int64_t now_ms)
{
	proto_msg_t *m = proto_msg_new (PROTO_PING);
	self->ping_seq = term_net_volatile (self);
	proto_msg_set_seq (m, self->ping_seq);
	client_send (self->client, m);
	if (self->waiting_since == 0)
		self->waiting_since = now_ms;
	proto_msg_destroy (&m);
}

/* Lazy Pirate: a silent hub gets a fresh socket, and HELLO again. */
static void
term_net_lost (term_net_t *self, int64_t now_ms)
{
	client_reconnect (self->client);
	self->waiting_since = 0;
	self->ping_seq = 0;
	self->hello_at = now_ms;
	/* No reason here: the last one may be from an older connection. The
	 * next attempt's, if any, is logged by term_net_say_why. */
	log_info ("hub unreachable: reconnecting");
}

enum term_net_event
term_net_poll (term_net_t *self, int64_t now_ms, proto_msg_t **out)
{
	*out = NULL;
	proto_msg_t *r;
	while ((r = client_recv (self->client, 0)) != NULL) {
		uint32_t seq = proto_msg_seq (r);
		self->heard_at = now_ms;
		/* An EVENT is no answer: its number (0) must never settle a PING or a
		 * request, and it says nothing about the request still out. */
		if (proto_msg_id (r) == PROTO_EVENT) {
			if (self->state != TN_UP) {
				proto_msg_destroy (&r);
				continue;
			}
			*out = r;
			return TN_EV_EVENT;
		}
		if (self->hello_seq != 0 && seq == self->hello_seq && proto_msg_id (r) == PROTO_REPLY) {
			self->hello_seq = 0;
			self->hub_said[0] = '\0';
			self->waiting_since = 0;
			self->state = TN_UP;
			self->said[0] = '\0';
			const char *started = proto_hash_get (r, PROTO_REPLY_DATA, "started_ms");
			util_strlcpy (self->hub_started, started ? started : "", sizeof self->hub_started);
			const char *hb = proto_hash_get (r, PROTO_REPLY_DATA, "heartbeat_ms");
			long v;
			if (hb && util_parse_long (hb, 50, 600000, &v))
				self->heartbeat_ms = (int) v;
			*out = r;
			return TN_EV_UP;
		}
		/* The hub refused our HELLO (a key enrolled as another terminal id):
		 * not the network, and its words say what to do. */
		if (self->hello_seq != 0 && seq == self->hello_seq && proto_msg_id (r) == PROTO_ERROR) {
			const char *text = proto_get_str (r, PROTO_ERROR_TEXT);
			bool news = strcmp (text, self->hub_said) != 0;
			util_strlcpy (self->hub_said, text, sizeof self->hub_said);
			proto_msg_destroy (&r);
			if (news) {
				log_warn ("the hub refused this terminal: %s", self->hub_said);
				return TN_EV_REFUSED;
			}
			continue;
		}
		if (self->ping_seq != 0 && seq == self->ping_seq) {
			self->ping_seq = 0;
			self->waiting_since = 0;
			/* Answered by a hub started since our HELLO (a restart quicker than a PING goes unanswered): what
			 * the one before held for us is gone, so HELLO again, to hear what it knows (term-app.c). */
			const char *started = proto_hash_get (r, PROTO_REPLY_DATA, "started_ms");
			if (started && *self->hub_started && strcmp (started, self->hub_started) != 0 && self->hello_seq == 0) {
				log_info ("the hub restarted since it answered HELLO: HELLO again");
				util_strlcpy (self->hub_started, started, sizeof self->hub_started);
				term_net_hello (self, now_ms);
			}
			proto_msg_destroy (&r);
			continue;
		}
		if (seq >= TERM_NET_VOLATILE_SEQ || self->state != TN_UP) {
			proto_msg_destroy (&r); /* a late answer from before a reconnect */
			continue;
		}
		*out = r;
		return TN_EV_REPLY;
	}

	if (self->state == TN_UP) {
		if (self->waiting_since && now_ms - self->waiting_since >= self->reply_timeout_ms) {
			self->state = TN_DOWN;
			term_net_lost (self, now_ms);
			return TN_EV_DOWN;
		}
		if (self->waiting_since == 0 && now_ms - self->heard_at >= self->heartbeat_ms)
			term_net_ping (self, now_ms);
	} else if (self->hello_at == 0 || now_ms - self->hello_at >= term_net_retry_ms (self)
	    || (self->hello_seq == 0 && client_connected (self->client))) {
		/* Not answered within a heartbeat: fresh socket, then HELLO again. A
		 * connection just through its handshake gets its HELLO at once. */
		if (self->hello_seq != 0)
			client_reconnect (self->client);
		bool refused = term_net_say_why (self);
		term_net_hello (self, now_ms);
		if (refused)
			return TN_EV_REFUSED;
	}
	return TN_EV_NONE;
}

int
term_net_timeout (term_net_t *self, int64_t now_ms)
{
	int64_t at;
	if (self->state == TN_UP)
		at = self->waiting_since ? self->waiting_since + self->reply_timeout_ms : self->heard_at + self->heartbeat_ms;
	else
		at = self->hello_at + term_net_retry_ms (self);
	/* The client's own timers (its next attempt) shorten the wait in client_wait. */
	int64_t t = at - now_ms;
	return t < 0 ? 0 : t > 1000 ? 1000 : (int) t;
}
