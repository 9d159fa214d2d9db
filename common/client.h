/*
 * client.h: a terminal's end of the wire: one DEALER connection to the hub
 * (zmtp.c, no libzmq), sending encoded requests and reading decoded replies. Retries are the
 * caller's choice (the terminal journals and resends with the same
 * sequence number; the hub answers a repeat with its stored reply).
 *
 * Single-threaded: the connection only moves inside these calls, so an
 * event loop polls client_fd and then calls client_recv (0).
 *
 * The client owns its connection; messages passed to client_send stay the
 * caller's; replies from client_recv belong to the caller.
 */
#ifndef DSP_CLIENT_H
#define DSP_CLIENT_H

#include <stdbool.h>

#include "proto.h"

typedef struct client client_t;

/* NULL and *cause (caller frees) when the endpoint is unusable. */
client_t *client_new (const char *endpoint, const char *terminal, char **cause);
/* The same over CURVE: keys_dir holds terminal.cert + terminal.cert_secret
 * (this terminal's key) and hub.cert (the hub's public key), the folder
 * despatch keys enrol makes under KEYS/terminals/NAME. A hub that does not
 * know the key never answers (ZAP refuses the handshake). */
client_t *client_new_secure (const char *endpoint, const char *terminal, const char *keys_dir, char **cause);
void client_destroy (client_t **self_p);
const char *client_terminal (client_t *self);

/* Sends with the terminal id filled in; 0 or -1 (encode or socket failure). */
int client_send (client_t *self, proto_msg_t *msg);
/* Next reply within timeout_ms (-1 waits forever, 0 polls); NULL on timeout.
 * A frame that does not decode comes back as a local PROTO_ERROR message. */
proto_msg_t *client_recv (client_t *self, int timeout_ms);
/* Drop the socket and anything queued on it and connect afresh (Lazy Pirate). */
int client_reconnect (client_t *self);
/* True when a request can be sent now (a hub is connected), waiting up to timeout_ms. */
bool client_writable (client_t *self, int timeout_ms);
/* The socket to poll and its *events (-1 while not connected: then wait at
 * most client_timeout_ms before calling client_recv again). */
int client_fd (client_t *self, short *events);
int client_timeout_ms (client_t *self);
/* Why the last connection to the hub ended or was refused; "" when none did. */
const char *client_error (client_t *self);
/* A short label (zmtp.h's ZMTP_REFUSED_*) while the hub turns this terminal
 * away; NULL when it is simply out of reach or connected. */
const char *client_refusal (client_t *self);

/* One request and its reply, resending up to tries times, timeout_ms each. */
proto_msg_t *client_call (client_t *self, proto_msg_t *msg, int timeout_ms, int tries);

#endif
