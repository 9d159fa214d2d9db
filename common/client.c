/*
 * client.c: DEALER side of the wire protocol, on zmtp.c's own ZMTP: the
 * terminal links this, and neither CZMQ (libsystemd, libuuid, liblz4,
 * libgcrypt: 1.2 MB resident) nor libzmq (libstdc++, Kerberos, NORM, PGM
 * and two threads: over 3 MB) fits a handheld's memory.
 */
#include "config.h"
#include "client.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <unistd.h>

#include "zmtp.h"

#define CLIENT_KEY_LEN 40 /* a CURVE key in Z85 */

struct client {
	char terminal[PROTO_MAX_TERMINAL + 1];
	zmtp_t *wire;
	bool skipping; /* the rest of a many-frame message is still coming: drop it */
};

/* The largest frame the hub may send: a reply's limit and some room. */
#define CLIENT_MAX_FRAME (PROTO_MAX_MESSAGE + 1024)

static client_t *
client_open (const char *endpoint, const char *terminal, const struct zmtp_keys *keys, char **cause)
{
	zmtp_t *wire = zmtp_new (endpoint, keys, CLIENT_MAX_FRAME, cause);
	if (wire == NULL)
		return NULL;
	client_t *self = xcalloc (1, sizeof *self);
	self->wire = wire;
	util_strlcpy (self->terminal, terminal, sizeof self->terminal);
	return self;
}

client_t *
client_new (const char *endpoint, const char *terminal, char **cause)
{
	return client_open (endpoint, terminal, NULL, cause);
}

/* Z85 (ZeroMQ RFC 32), as zcert writes keys: 5 characters for 4 bytes. */
static int
client_z85_decode (uint8_t *out, const char *text, size_t len)
{
	static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
	if (len % 5 != 0)
		return -1;
	for (size_t i = 0; i < len; i += 5) {
		uint64_t v = 0;
		for (size_t k = 0; k < 5; k++) {
			const char *d = text[i + k] ? strchr (digits, text[i + k]) : NULL;
			if (d == NULL)
				return -1;
			v = v * 85 + (uint64_t) (d - digits);
		}
		if (v > 0xFFFFFFFFu)
			return -1;
		for (int k = 3; k >= 0; k--, v >>= 8)
			out[i / 5 * 4 + (size_t) k] = (uint8_t) v;
	}
	return 0;
}

/*
 * A key from a certificate file as CZMQ's zcert_save writes it (ZPL: a
 * top-level "curve" section, indented `public-key = "Z85"` and
 * `secret-key = "Z85"`). 0 when found and 40 valid Z85 characters.
 */
static int
client_cert_key (const char *path, const char *name, uint8_t out[SECRET_KEY])
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
		if (len != CLIENT_KEY_LEN || client_z85_decode (out, p, len) != 0)
			break;
		rc = 0;
	}
	secret_wipe (line, sizeof line);
	fclose (f);
	return rc;
}

/* The terminal's own certificate (with its secret) and the hub's public one. */
static int
client_load_keys (struct zmtp_keys *keys, const char *keys_dir, char **cause)
{
	char *own_secret = xasprintf ("%s/terminal.cert_secret", keys_dir);
	char *hub = xasprintf ("%s/hub.cert", keys_dir);
	int rc = -1;
	if (access (own_secret, R_OK) != 0)
		*cause = xasprintf ("cannot read this terminal's secret key %s: %s (make it with despatch keys enrol "
		    "on the hub and copy the terminal's folder here)", own_secret, strerror (errno));
	else if (client_cert_key (own_secret, "public-key", keys->public_key) != 0
	    || client_cert_key (own_secret, "secret-key", keys->secret_key) != 0)
		*cause = xasprintf ("%s is not a certificate", own_secret);
	else if (client_cert_key (hub, "public-key", keys->hub_key) != 0)
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
	struct zmtp_keys keys;
	char *why = NULL;
	client_t *self = NULL;
	if (client_load_keys (&keys, keys_dir, &why) == 0)
		self = client_open (endpoint, terminal, &keys, &why);
	secret_wipe (&keys, sizeof keys); /* the secret key lives on only inside the connection */
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
	zmtp_destroy (&self->wire);
	free (self);
	*self_p = NULL;
}

const char *
client_terminal (client_t *self)
{
	return self->terminal;
}

int
client_fd (client_t *self, short *events)
{
	*events = zmtp_events (self->wire);
	return zmtp_fd (self->wire);
}

int
client_timeout_ms (client_t *self)
{
	return zmtp_timeout_ms (self->wire, util_mono_ms ());
}

const char *
client_error (client_t *self)
{
	return zmtp_error (self->wire);
}

const char *
client_refusal (client_t *self)
{
	return zmtp_refusal (self->wire);
}

int
client_reconnect (client_t *self)
{
	zmtp_restart (self->wire);
	self->skipping = false;
	return 0;
}

int
client_send (client_t *self, proto_msg_t *msg)
{
	if (!zmtp_ready (self->wire))
		zmtp_step (self->wire, util_mono_ms ());
	if (!zmtp_ready (self->wire))
		return -1; /* as ZMQ_IMMEDIATE: no hub, no queue */
	proto_msg_set_terminal (msg, self->terminal);
	size_t size;
	uint8_t *data = proto_encode (msg, &size);
	if (data == NULL)
		return -1;
	int rc = zmtp_send (self->wire, data, size);
	secret_wipe (data, size); /* a login carries a PIN */
	free (data);
	return rc;
}

/* Wait for the socket (or the next connection attempt), at most ms (-1: no limit). */
static void
client_wait (client_t *self, int ms)
{
	short events;
	int fd = client_fd (self, &events);
	int retry = client_timeout_ms (self);
	if (retry >= 0 && (ms < 0 || retry < ms))
		ms = retry;
	struct pollfd p = { fd, events, 0 };
	poll (&p, fd >= 0 ? 1 : 0, ms);
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

static proto_msg_t *
client_decode (uint8_t *data, size_t size, bool more)
{
	proto_msg_t *msg = NULL;
	char err[160];
	if (more)
		/* The hub sends one frame; more is not DSP/1. */
		snprintf (err, sizeof err, "a reply of more than one frame");
	else if (proto_decode (data, size, &msg, NULL, err, sizeof err) == 0)
		return msg;
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
		zmtp_step (self->wire, util_mono_ms ());
		uint8_t *data;
		size_t size;
		bool more;
		while (zmtp_recv (self->wire, &data, &size, &more) == 1) {
			if (self->skipping) { /* the tail of a message already answered for */
				self->skipping = more;
				free (data);
				continue;
			}
			proto_msg_t *msg = client_decode (data, size, more);
			free (data);
			self->skipping = more;
			return msg;
		}
		int left = client_left (deadline);
		if (left == 0)
			return NULL;
		client_wait (self, left);
	}
}

bool
client_writable (client_t *self, int timeout_ms)
{
	int64_t deadline = timeout_ms < 0 ? -1 : util_mono_ms () + timeout_ms;
	for (;;) {
		zmtp_step (self->wire, util_mono_ms ());
		if (zmtp_ready (self->wire))
			return true;
		int left = client_left (deadline);
		if (left == 0)
			return false;
		client_wait (self, left);
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
