/*
 * term-net.h: the terminal's link to the hub over client.h: HELLO on every
 * (re)connection, PING when idle, and the decision that the hub is
 * unreachable (no answer within reply_timeout_ms), after which the socket
 * is closed and reopened (Lazy Pirate) and HELLO is tried again every
 * heartbeat. It does not retry requests itself: the caller keeps them (in
 * its journal) and sends them again once term_net_up says so.
 *
 * HELLO and PING are not stored by the hub, so they are numbered from
 * TERM_NET_VOLATILE_SEQ up, apart from the journal's numbers.
 */
#ifndef DSP_TERM_NET_H
#define DSP_TERM_NET_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "proto.h"

#define TERM_NET_VOLATILE_SEQ 0xF0000000u

typedef struct term_net term_net_t;

enum term_net_state {
	TN_CONNECTING, /* never answered yet */
	TN_UP,
	TN_DOWN,       /* answered once, now silent */
};

enum term_net_event {
	TN_EV_NONE = 0,
	TN_EV_UP,     /* a HELLO was answered: reply in *out */
	TN_EV_DOWN,   /* the hub stopped answering */
	TN_EV_REPLY,  /* an answer to a numbered request: in *out */
	TN_EV_EVENT,  /* an EVENT the hub sent unasked (print results...): in *out */
	TN_EV_REFUSED, /* the hub turned this terminal away, for a new reason: term_net_why */
};

struct term_net_options {
	const char *endpoint;
	const char *terminal;
	const char *station;
	const char *profile;
	const char *keys;     /* CURVE key folder (client_new_secure); NULL or "": plain socket */
	int reply_timeout_ms; /* no answer this long: unreachable */
};

term_net_t *term_net_new (const struct term_net_options *opt, char **cause);
void term_net_destroy (term_net_t **self_p);
enum term_net_state term_net_state (term_net_t *self);
bool term_net_up (term_net_t *self);
/* Sleep until the hub's connection or one of fds (the keyboard) has
 * something, or timeout_ms; as client_wait. */
int term_net_wait (term_net_t *self, struct pollfd *fds, int nfds, int timeout_ms);

/* Send a numbered request; 0, or -1 when it could not go now (keep it). */
int term_net_send (term_net_t *self, proto_msg_t *msg, int64_t now_ms);
/* Nothing is outstanding any more (the answer to the last request came). */
void term_net_answered (term_net_t *self);
/* Timers and input; returns an event, with a reply in *out (caller destroys). */
enum term_net_event term_net_poll (term_net_t *self, int64_t now_ms, proto_msg_t **out);
/* While the hub turns this terminal away: a short label for the status line
 * ("KEY REFUSED"...); NULL when it is up or simply out of reach. */
const char *term_net_refusal (term_net_t *self);
/* Why the hub cannot be reached, in words ("" when nothing is known). */
const char *term_net_why (term_net_t *self);
/* Milliseconds until term_net_poll has timer work to do. */
int term_net_timeout (term_net_t *self, int64_t now_ms);

#endif
