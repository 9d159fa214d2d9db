/* client.c: DEALER side of the wire protocol. */
#include "config.h"
#include "client.h"
#include "util.h"

#include <czmq.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct client {
	char *endpoint;
	char terminal[PROTO_MAX_TERMINAL + 1];
	zsock_t *sock;
	zcert_t *cert;       /* own CURVE certificate; NULL: a plain socket (tests, benchmarks) */
	char hub_key[41];    /* the hub's public key, Z85 */
};

static int
client_connect (client_t *self, char **cause)
{
	self->sock = zsock_new (ZMQ_DEALER);
	if (self->sock == NULL) {
		if (cause)
			*cause = xasprintf ("cannot create a socket");
		return -1;
	}
	if (self->cert) {
		zcert_apply (self->cert, self->sock);
		zsock_set_curve_serverkey (self->sock, self->hub_key);
	}
	zsock_set_linger (self->sock, 0);
	zsock_set_maxmsgsize (self->sock, PROTO_MAX_MESSAGE + 1024);
	zsock_set_sndhwm (self->sock, 10000);
	zsock_set_rcvhwm (self->sock, 10000);
	/* Drop messages queued for a peer that is gone, rather than deliver them late. */
	zsock_set_immediate (self->sock, 1);
	if (zsock_connect (self->sock, "%s", self->endpoint) != 0) {
		if (cause)
			*cause = xasprintf ("cannot use hub address %s: %s", self->endpoint, zmq_strerror (zmq_errno ()));
		zsock_destroy (&self->sock);
		return -1;
	}
	return 0;
}

client_t *
client_new (const char *endpoint, const char *terminal, char **cause)
{
	client_t *self = xcalloc (1, sizeof *self);
	self->endpoint = xstrdup (endpoint);
	util_strlcpy (self->terminal, terminal, sizeof self->terminal);
	if (client_connect (self, cause) != 0) {
		client_destroy (&self);
		return NULL;
	}
	return self;
}

/* The terminal's own certificate (with its secret) and the hub's public one. */
static int
client_load_keys (client_t *self, const char *keys_dir, char **cause)
{
	char *own = xasprintf ("%s/terminal.cert", keys_dir);
	char *own_secret = xasprintf ("%s/terminal.cert_secret", keys_dir);
	char *hub = xasprintf ("%s/hub.cert", keys_dir);
	zcert_t *hub_cert = NULL;
	int rc = -1;
	if (access (own_secret, R_OK) != 0)
		*cause = xasprintf ("cannot read this terminal's secret key %s: %s (make it with despatch keys enrol "
		    "on the hub and copy the terminal's folder here)", own_secret, strerror (errno));
	else if ((self->cert = zcert_load (own)) == NULL)
		*cause = xasprintf ("%s is not a certificate", own_secret);
	else if ((hub_cert = zcert_load (hub)) == NULL)
		*cause = xasprintf ("cannot read the hub's public key %s: %s", hub, strerror (errno));
	else {
		util_strlcpy (self->hub_key, zcert_public_txt (hub_cert), sizeof self->hub_key);
		rc = 0;
	}
	zcert_destroy (&hub_cert);
	free (own);
	free (own_secret);
	free (hub);
	return rc;
}

client_t *
client_new_secure (const char *endpoint, const char *terminal, const char *keys_dir, char **cause)
{
	if (!zsys_has_curve ()) {
		if (cause)
			*cause = xasprintf ("this libzmq was built without CURVE security: cannot talk to a secure hub");
		return NULL;
	}
	client_t *self = xcalloc (1, sizeof *self);
	self->endpoint = xstrdup (endpoint);
	util_strlcpy (self->terminal, terminal, sizeof self->terminal);
	char *why = NULL;
	if (client_load_keys (self, keys_dir, &why) != 0 || client_connect (self, &why) != 0) {
		if (cause)
			*cause = why;
		else
			free (why);
		client_destroy (&self);
		return NULL;
	}
	return self;
}

void
client_destroy (client_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	client_t *self = *self_p;
	zsock_destroy (&self->sock);
	zcert_destroy (&self->cert);
	free (self->endpoint);
	free (self);
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
	zsock_destroy (&self->sock);
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
	zframe_t *f = zframe_new (data, size);
	free (data);
	/* Non-blocking: with ZMQ_IMMEDIATE and no hub, this fails instead of waiting. */
	int rc = zframe_send (&f, self->sock, ZFRAME_DONTWAIT);
	zframe_destroy (&f);
	return rc == 0 ? 0 : -1;
}

proto_msg_t *
client_recv (client_t *self, int timeout_ms)
{
	if (self->sock == NULL)
		return NULL;
	zmq_pollitem_t item = { zsock_resolve (self->sock), 0, ZMQ_POLLIN, 0 };
	if (!(zsock_events (self->sock) & ZMQ_POLLIN)) {
		int rc = zmq_poll (&item, 1, timeout_ms);
		if (rc <= 0)
			return NULL;
	}
	zframe_t *f = zframe_recv (self->sock);
	if (f == NULL)
		return NULL;
	proto_msg_t *msg = NULL;
	char err[160];
	if (proto_decode (zframe_data (f), zframe_size (f), &msg, NULL, err, sizeof err) != 0) {
		msg = proto_msg_new (PROTO_ERROR);
		proto_set_num (msg, PROTO_ERROR_REASON, PR_MALFORMED);
		proto_set_str (msg, PROTO_ERROR_TEXT, err);
	}
	zframe_destroy (&f);
	return msg;
}

bool
client_writable (client_t *self, int timeout_ms)
{
	if (self->sock == NULL)
		return false;
	zmq_pollitem_t item = { zsock_resolve (self->sock), 0, ZMQ_POLLOUT, 0 };
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
