/*
 * client.c: DEALER side of the wire protocol, on libzmq itself. Not CZMQ:
 * the terminal links this, and CZMQ alone pulled in libsystemd, libuuid,
 * liblz4, libgcrypt and more, about 1.2 MB resident on a handheld.
 */
#include "config.h"
#include "client.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#define CLIENT_KEY_LEN 40 /* a CURVE key in Z85 */

struct client {
	char *endpoint;
	char terminal[PROTO_MAX_TERMINAL + 1];
	void *sock;
	bool secure;                              /* false: a plain socket (tests, benchmarks) */
	char public_key[CLIENT_KEY_LEN + 1];      /* own CURVE keys, Z85 */
	char secret_key[CLIENT_KEY_LEN + 1];
	char hub_key[CLIENT_KEY_LEN + 1];         /* the hub's public key, Z85 */
};

/* One context for every client of the process: one I/O thread, not one each. */
static void *client_ctx;
static int client_nctx;

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

static void
client_close (client_t *self)
{
	if (self->sock == NULL)
		return;
	zmq_close (self->sock);
	self->sock = NULL;
}

static void
client_setopt_int (void *sock, int option, int value)
{
	zmq_setsockopt (sock, option, &value, sizeof value);
}

static int
client_connect (client_t *self, char **cause)
{
	self->sock = zmq_socket (client_ctx, ZMQ_DEALER);
	if (self->sock == NULL) {
		if (cause)
			*cause = xasprintf ("cannot create a socket: %s", zmq_strerror (zmq_errno ()));
		return -1;
	}
	if (self->secure) {
		zmq_setsockopt (self->sock, ZMQ_CURVE_PUBLICKEY, self->public_key, CLIENT_KEY_LEN);
		zmq_setsockopt (self->sock, ZMQ_CURVE_SECRETKEY, self->secret_key, CLIENT_KEY_LEN);
		zmq_setsockopt (self->sock, ZMQ_CURVE_SERVERKEY, self->hub_key, CLIENT_KEY_LEN);
	}
	client_setopt_int (self->sock, ZMQ_LINGER, 0);
	int64_t max = PROTO_MAX_MESSAGE + 1024;
	zmq_setsockopt (self->sock, ZMQ_MAXMSGSIZE, &max, sizeof max);
	client_setopt_int (self->sock, ZMQ_SNDHWM, 10000);
	client_setopt_int (self->sock, ZMQ_RCVHWM, 10000);
	/* Drop messages queued for a peer that is gone, rather than deliver them late. */
	client_setopt_int (self->sock, ZMQ_IMMEDIATE, 1);
	if (zmq_connect (self->sock, self->endpoint) != 0) {
		if (cause)
			*cause = xasprintf ("cannot use hub address %s: %s", self->endpoint, zmq_strerror (zmq_errno ()));
		client_close (self);
		return -1;
	}
	return 0;
}

static client_t *
client_alloc (const char *endpoint, const char *terminal, char **cause)
{
	if (client_ctx_take () == NULL) {
		if (cause)
			*cause = xasprintf ("cannot start ZeroMQ: %s", zmq_strerror (zmq_errno ()));
		return NULL;
	}
	client_t *self = xcalloc (1, sizeof *self);
	self->endpoint = xstrdup (endpoint);
	util_strlcpy (self->terminal, terminal, sizeof self->terminal);
	return self;
}

client_t *
client_new (const char *endpoint, const char *terminal, char **cause)
{
	client_t *self = client_alloc (endpoint, terminal, cause);
	if (self && client_connect (self, cause) != 0)
		client_destroy (&self);
	return self;
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
		if (zmq_z85_decode (bin, out) == NULL)
			break;
		rc = 0;
	}
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

client_t *
client_new_secure (const char *endpoint, const char *terminal, const char *keys_dir, char **cause)
{
	if (!zmq_has ("curve")) {
		if (cause)
			*cause = xasprintf ("this libzmq was built without CURVE security: cannot talk to a secure hub");
		return NULL;
	}
	char *why = NULL;
	client_t *self = client_alloc (endpoint, terminal, &why);
	if (self) {
		self->secure = true;
		if (client_load_keys (self, keys_dir, &why) != 0 || client_connect (self, &why) != 0)
			client_destroy (&self);
	}
	if (cause)
		*cause = why;
	else
		free (why);
	return self;
}

void
client_destroy (client_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	client_t *self = *self_p;
	client_close (self);
	/* The secret key stays in memory no longer than the client. */
	memset (self->secret_key, 0, sizeof self->secret_key);
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

void *
client_sock (client_t *self)
{
	return self->sock;
}

int
client_reconnect (client_t *self)
{
	client_close (self);
	return client_connect (self, NULL);
}

int
client_send (client_t *self, proto_msg_t *msg)
{
	if (self->sock == NULL)
		return -1;
	proto_msg_set_terminal (msg, self->terminal);
	size_t size;
	uint8_t *data = proto_encode (msg, &size);
	if (data == NULL)
		return -1;
	/* Non-blocking: with ZMQ_IMMEDIATE and no hub, this fails instead of waiting. */
	int rc = zmq_send (self->sock, data, size, ZMQ_DONTWAIT);
	free (data);
	return rc == (int) size ? 0 : -1;
}

static bool
client_readable (client_t *self)
{
	int events = 0;
	size_t n = sizeof events;
	return zmq_getsockopt (self->sock, ZMQ_EVENTS, &events, &n) == 0 && (events & ZMQ_POLLIN);
}

proto_msg_t *
client_recv (client_t *self, int timeout_ms)
{
	if (self->sock == NULL)
		return NULL;
	if (!client_readable (self)) {
		zmq_pollitem_t item = { self->sock, 0, ZMQ_POLLIN, 0 };
		if (zmq_poll (&item, 1, timeout_ms) <= 0)
			return NULL;
	}
	zmq_msg_t frame;
	zmq_msg_init (&frame);
	if (zmq_msg_recv (&frame, self->sock, ZMQ_DONTWAIT) < 0) {
		zmq_msg_close (&frame);
		return NULL;
	}
	proto_msg_t *msg = NULL;
	char err[160];
	if (zmq_msg_more (&frame)) {
		/* The hub sends one frame; more is not DSP/1: drop the rest with it. */
		snprintf (err, sizeof err, "a reply of more than one frame");
		zmq_msg_t rest;
		zmq_msg_init (&rest);
		while (zmq_msg_recv (&rest, self->sock, ZMQ_DONTWAIT) >= 0 && zmq_msg_more (&rest))
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

bool
client_writable (client_t *self, int timeout_ms)
{
	if (self->sock == NULL)
		return false;
	zmq_pollitem_t item = { self->sock, 0, ZMQ_POLLOUT, 0 };
	return zmq_poll (&item, 1, timeout_ms) > 0;
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
