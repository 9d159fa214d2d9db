/*
 * client.h: a terminal's end of the wire: one libzmq DEALER connection to
 * the hub, sending encoded requests and reading decoded replies. Retries
 * are the caller's choice (the terminal journals and resends with the same
 * sequence number; the hub answers a repeat with its stored reply).
 *
 * Single-threaded for the caller (libzmq's own I/O thread does the
 * connecting, handshakes and heartbeats): an event loop sleeps in
 * client_wait with its own descriptors, then calls client_recv (0).
 *
 * It behaves as a DEALER with ZMQ_IMMEDIATE: a request is taken only while
 * a connection is up and through its handshake; what is queued goes with a
 * lost connection, which libzmq tries again every 100 ms. When the hub
 * turns the terminal away (its key refused, the wrong hub key, a mechanism
 * that does not match, something that is not a hub), the socket monitor
 * says why, and the next attempt is made after CLIENT_REFUSED_RETRY_MS.
 *
 * The client owns its sockets; messages passed to client_send stay the
 * caller's; replies from client_recv belong to the caller.
 */
#ifndef DSP_CLIENT_H
#define DSP_CLIENT_H

#include <poll.h>
#include <stdbool.h>

#include "proto.h"

#define CLIENT_RETRY_MS 100          /* libzmq's reconnect interval */
#define CLIENT_REFUSED_RETRY_MS 1000 /* after the hub turned this terminal away */
#define CLIENT_HANDSHAKE_MS 5000     /* connect and handshake, or try again (libzmq: 30 s) */
#define CLIENT_HEARTBEAT_MS 1000     /* ZMTP PING to the hub (ZMQ_HEARTBEAT_IVL) */
#define CLIENT_HEARTBEAT_TIMEOUT_MS 3000 /* no traffic this long: the connection is dead */

typedef struct client client_t;

/* NULL and *cause (caller frees) when the endpoint is unusable. */
client_t *client_new (const char *endpoint, const char *terminal, char **cause);
/* The same over CURVE: keys_dir holds terminal.cert_secret (this terminal's
 * key, mode 600: any other is refused with the chmod to run) and hub.cert
 * (the hub's public key), the folder despatch keys enrol makes under
 * KEYS/terminals/NAME. NULL and *cause too when libzmq has no CURVE. */
client_t *client_new_secure (const char *endpoint, const char *terminal, const char *keys_dir, char **cause);
void client_destroy (client_t **self_p);
const char *client_terminal (client_t *self);

/* Sends with the terminal id filled in; 0 or -1 (not connected, encode or socket failure). */
int client_send (client_t *self, proto_msg_t *msg);
/* Next reply within timeout_ms (-1 waits forever, 0 polls); NULL on timeout.
 * A frame that does not decode comes back as a local PROTO_ERROR message. */
proto_msg_t *client_recv (client_t *self, int timeout_ms);
/* Drop the socket and anything queued on it and connect afresh (Lazy Pirate). */
int client_reconnect (client_t *self);
/* True when a request can be sent now (a hub is connected), waiting up to timeout_ms. */
bool client_writable (client_t *self, int timeout_ms);
/* Connected and through the handshake, as last seen (does not wait). */
bool client_connected (client_t *self);
/* Sleep until the hub's connection has something for client_recv, or one
 * of the caller's fds is ready (revents set), or timeout_ms (-1: none) has
 * passed; the client's own timers (the next attempt) shorten it. Returns as
 * poll does: -1 with errno EINTR when a signal came. */
int client_wait (client_t *self, struct pollfd *fds, int nfds, int timeout_ms);
/* Why the last connection to the hub ended or was refused; "" when none did. */
const char *client_error (client_t *self);
/* A short label (CLIENT_REFUSED_*) while the hub turns this terminal away;
 * NULL when it is simply out of reach or connected. */
const char *client_refusal (client_t *self);

#define CLIENT_REFUSED_KEY "KEY REFUSED"        /* ZAP said no: not enrolled, or revoked */
#define CLIENT_REFUSED_HUB_KEY "WRONG HUB KEY"  /* hub.cert is another hub's */
#define CLIENT_REFUSED_NEEDS_KEYS "NEEDS KEYS"  /* a CURVE hub, and no --keys */
#define CLIENT_REFUSED_NO_CURVE "HUB NOT CURVE" /* keys, and a hub without CURVE */
#define CLIENT_REFUSED_NOT_HUB "NOT A HUB"      /* something else listens there */

/* One request and its reply, resending up to tries times, timeout_ms each. */
proto_msg_t *client_call (client_t *self, proto_msg_t *msg, int timeout_ms, int tries);

#endif
