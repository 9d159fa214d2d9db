/*
 * zmtp.h: the terminal's end of one ZeroMQ connection, spoken directly:
 * ZMTP 3.0 framing with the NULL or CURVE mechanism (RFC 23 and RFC 26),
 * a DEALER to the hub's ROUTER, over tcp:// or ipc://. Not libzmq: on a
 * handheld, libzmq and what Debian builds it with (libstdc++, Kerberos,
 * NORM, PGM, two threads) were over 3 MB of the terminal's 8 MB.
 *
 * Non-blocking and single-threaded: the caller polls zmtp_fd for
 * zmtp_events (or sleeps zmtp_timeout_ms while there is no connection)
 * and then calls zmtp_step, which connects, shakes hands, writes and reads
 * as far as it can without waiting.
 *
 * It behaves as a libzmq DEALER with ZMQ_IMMEDIATE: a message is taken
 * only while a connection is up and through its handshake; what is queued
 * goes with a lost connection, which is tried again every ZMTP_RETRY_MS.
 *
 * The connection owns its socket and buffers; a frame from zmtp_recv is
 * the caller's to free. Keys passed to zmtp_new are copied (and wiped
 * again by zmtp_destroy).
 */
#ifndef DSP_ZMTP_H
#define DSP_ZMTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "secret.h"

#define ZMTP_RETRY_MS 100       /* libzmq's ZMQ_RECONNECT_IVL */
#define ZMTP_REFUSED_RETRY_MS 1000 /* after the hub said no (an ERROR command) */
#define ZMTP_HANDSHAKE_MS 5000     /* connect and handshake, or try again (libzmq: 30 s) */

typedef struct zmtp zmtp_t;

/* CURVE: this terminal's key pair and the hub's public key, binary. */
struct zmtp_keys {
	uint8_t public_key[SECRET_KEY];
	uint8_t secret_key[SECRET_KEY];
	uint8_t hub_key[SECRET_KEY];
};

/* keys NULL: the NULL mechanism. max_frame: the largest message either way
 * (a larger one from the hub drops the connection, as ZMQ_MAXMSGSIZE; a
 * larger one to send is refused). NULL and *cause
 * (caller frees) when the endpoint cannot be used. */
zmtp_t *zmtp_new (const char *endpoint, const struct zmtp_keys *keys, size_t max_frame, char **cause);
void zmtp_destroy (zmtp_t **self_p);

/* Drop the connection and anything queued, and connect afresh now. */
void zmtp_restart (zmtp_t *self);
/* Do what can be done without waiting; now_ms from util_mono_ms. */
void zmtp_step (zmtp_t *self, int64_t now_ms);

/* The socket to poll (-1 while there is none) and for what (POLLIN, POLLOUT). */
int zmtp_fd (zmtp_t *self);
short zmtp_events (zmtp_t *self);
/* ms until zmtp_step has something to do without the socket (the next
 * attempt, or the end of a handshake's time); -1 when connected. */
int zmtp_timeout_ms (zmtp_t *self, int64_t now_ms);

/* Connected and through the handshake: messages can be sent. */
bool zmtp_ready (zmtp_t *self);
/* Queue one single-frame message and write what can be written; 0, or -1
 * when not ready (nothing is kept) or the message is too large. */
int zmtp_send (zmtp_t *self, const void *data, size_t size);
/* 1 and the next frame (malloc'd; *more when another frame of the same
 * message follows), or 0 when none has arrived whole. */
int zmtp_recv (zmtp_t *self, uint8_t **data, size_t *size, bool *more);

/* Why the last connection ended or was refused, in words; "" when none did. */
const char *zmtp_error (zmtp_t *self);

/* Short labels for a status line, when the far end turned this terminal
 * away rather than being out of reach. */
#define ZMTP_REFUSED_KEY "KEY REFUSED"        /* ZAP said no: not enrolled, or revoked */
#define ZMTP_REFUSED_HUB_KEY "WRONG HUB KEY"  /* hub.cert is another hub's */
#define ZMTP_REFUSED_NEEDS_KEYS "NEEDS KEYS"  /* a CURVE hub, and no --keys */
#define ZMTP_REFUSED_NO_CURVE "HUB NOT CURVE" /* keys, and a hub without CURVE */
#define ZMTP_REFUSED_NOT_HUB "NOT A HUB"      /* something else listens there */
/* One of those while the last attempt was refused; NULL otherwise (also
 * when the hub is simply out of reach). */
const char *zmtp_refusal (zmtp_t *self);

#endif
