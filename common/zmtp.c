/*
 * zmtp.c: ZMTP 3.0 with NULL and CURVE, client side (see zmtp.h).
 *
 * A connection goes IDLE -> CONNECTING -> GREETING -> HANDSHAKE -> READY,
 * and back to IDLE on any error, with the reason kept for zmtp_error.
 * The handshake's commands are handled by one table per mechanism.
 */
#include "config.h"
#include "zmtp.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define ZMTP_GREETING 64
#define ZMTP_FLAG_MORE 0x01
#define ZMTP_FLAG_LONG 0x02
#define ZMTP_FLAG_COMMAND 0x04
#define ZMTP_COOKIE 96
#define ZMTP_CURVE_EXTRA (16 + SECRET_MAC + 1) /* a MESSAGE's name, nonce, MAC and flags */
#define ZMTP_MAX_OUT (1024u * 1024)       /* queued for a hub that does not read: refuse more */
#define ZMTP_MAX_QUEUED (1024u * 1024)    /* taken from the hub and not yet read: stop reading */
#define ZMTP_READ_PER_STEP (512u * 1024)  /* one step never reads for ever from a streaming hub */
#define ZMTP_RESOLVE_MS 30000             /* a host name is looked up again at most this often */

enum zmtp_state { ZS_IDLE, ZS_CONNECTING, ZS_GREETING, ZS_HANDSHAKE, ZS_READY };

struct zmtp_buf {
	uint8_t *data;
	size_t off, len, cap; /* unread bytes are data[off..len) */
};

/* A frame taken from the hub, waiting for zmtp_recv. */
struct zmtp_in {
	struct zmtp_in *next;
	uint8_t *data;
	size_t size;
	bool more;
};

struct zmtp {
	char *endpoint;
	bool ipc;
	struct sockaddr_un un;    /* ipc:// */
	socklen_t un_len;
	char *host, *port;        /* tcp:// */
	size_t max_frame;
	bool curve;
	struct zmtp_keys keys;

	int fd;
	enum zmtp_state state;
	int64_t retry_at;
	int64_t deadline;         /* connect and handshake must be done by then */
	struct sockaddr_storage addr; /* tcp://: the host as last looked up */
	socklen_t addr_len;
	int64_t resolved_at;
	struct zmtp_buf in, out;
	struct zmtp_in *head, *tail; /* frames taken, oldest first */
	size_t queued;               /* their bytes */
	char error[200];
	const char *refusal; /* ZMTP_REFUSED_*, or NULL */

	/* CURVE, per connection: transient keys, the hub's transient key,
	 * the box key between them, and both sides' message counters. */
	uint8_t cn_public[SECRET_KEY], cn_secret[SECRET_KEY];
	uint8_t hub_cn[SECRET_KEY];
	uint8_t shared[SECRET_SHARED];
	bool welcomed;
	uint64_t nonce, peer_nonce;
};

/* --- buffers --- */

static void
zmtp_buf_reserve (struct zmtp_buf *b, size_t more)
{
	if (b->off > 0 && b->off == b->len)
		b->off = b->len = 0;
	if (b->len + more <= b->cap)
		return;
	if (b->off > 0) { /* slide the unread part down before growing */
		memmove (b->data, b->data + b->off, b->len - b->off);
		b->len -= b->off;
		b->off = 0;
		if (b->len + more <= b->cap)
			return;
	}
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->len + more)
		cap *= 2;
	b->data = xrealloc (b->data, cap);
	b->cap = cap;
}

static void
zmtp_buf_put (struct zmtp_buf *b, const void *p, size_t n)
{
	zmtp_buf_reserve (b, n);
	memcpy (b->data + b->len, p, n);
	b->len += n;
}

static void
zmtp_buf_clear (struct zmtp_buf *b)
{
	free (b->data);
	memset (b, 0, sizeof *b);
}

static size_t
zmtp_buf_unread (const struct zmtp_buf *b)
{
	return b->len - b->off;
}

static void
zmtp_put_u64 (uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t) v;
}

static uint64_t
zmtp_get_u64 (const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* --- endpoints --- */

static int
zmtp_parse_endpoint (zmtp_t *self, const char *endpoint, char **cause)
{
	const char *why = NULL;
	if (strncmp (endpoint, "ipc://", 6) == 0) {
		const char *path = endpoint + 6;
		size_t n = strlen (path);
		self->ipc = true;
		self->un.sun_family = AF_UNIX;
		if (n == 0)
			why = "no socket path after ipc://";
		else if (n >= sizeof self->un.sun_path)
			why = "the socket path is too long";
		else {
			memcpy (self->un.sun_path, path, n);
			if (path[0] == '@') /* libzmq's spelling of the abstract namespace */
				self->un.sun_path[0] = '\0';
			self->un_len = (socklen_t) (offsetof (struct sockaddr_un, sun_path) + n + (path[0] == '@' ? 0 : 1));
		}
	} else if (strncmp (endpoint, "tcp://", 6) == 0) {
		const char *h = endpoint + 6, *colon = strrchr (h, ':');
		if (colon == NULL || colon == h || colon[1] == '\0')
			why = "tcp:// needs HOST:PORT";
		else {
			long port;
			size_t hn = (size_t) (colon - h);
			if (h[0] == '[' && hn >= 2 && h[hn - 1] == ']') { /* [::1]:5555 */
				h++;
				hn -= 2;
			}
			if (!util_parse_long (colon + 1, 1, 65535, &port))
				why = "the port must be a number from 1 to 65535";
			else if (hn == 1 && *h == '*')
				why = "* is for binding: name the hub's host";
			else {
				self->host = xstrndup (h, hn);
				self->port = xstrdup (colon + 1);
			}
		}
	} else {
		why = "the address must start with tcp:// or ipc://";
	}
	if (why != NULL && cause != NULL)
		*cause = xasprintf ("cannot use hub address %s: %s", endpoint, why);
	return why ? -1 : 0;
}

/* --- connection --- */

static void
zmtp_close (zmtp_t *self)
{
	if (self->fd >= 0)
		close (self->fd);
	self->fd = -1;
	self->state = ZS_IDLE;
	self->in.off = self->in.len = 0;
	self->out.off = self->out.len = 0;
	secret_wipe (self->cn_secret, sizeof self->cn_secret);
	secret_wipe (self->shared, sizeof self->shared);
}

/* Frames taken but not yet read: dropped with a connection restarted on purpose. */
static void
zmtp_drop_queue (zmtp_t *self)
{
	while (self->head) {
		struct zmtp_in *f = self->head;
		self->head = f->next;
		free (f->data);
		free (f);
	}
	self->tail = NULL;
	self->queued = 0;
}

/* The connection is over: keep why (and, when the hub turned this terminal
 * away, the short label), and try again after delay_ms. What was already
 * taken from it stays readable. */
static void
zmtp_end (zmtp_t *self, const char *refusal, int delay_ms, const char *fmt, va_list ap)
{
	vsnprintf (self->error, sizeof self->error, fmt, ap);
	self->refusal = refusal;
	zmtp_close (self);
	self->retry_at = util_mono_ms () + delay_ms;
}

static void zmtp_fail (zmtp_t *self, int delay_ms, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));
static void
zmtp_fail (zmtp_t *self, int delay_ms, const char *fmt, ...)
{
	va_list ap;
	va_start (ap, fmt);
	zmtp_end (self, NULL, delay_ms, fmt, ap);
	va_end (ap);
}

/* The hub (or whatever listens there) said no: not worth trying every 100 ms. */
static void zmtp_refuse (zmtp_t *self, const char *label, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));
static void
zmtp_refuse (zmtp_t *self, const char *label, const char *fmt, ...)
{
	va_list ap;
	va_start (ap, fmt);
	zmtp_end (self, label, ZMTP_REFUSED_RETRY_MS, fmt, ap);
	va_end (ap);
}

static void
zmtp_frame (zmtp_t *self, uint8_t flags, const void *body, size_t size)
{
	uint8_t head[9];
	size_t hn;
	if (size > 255) {
		head[0] = flags | ZMTP_FLAG_LONG;
		zmtp_put_u64 (head + 1, size);
		hn = 9;
	} else {
		head[0] = flags;
		head[1] = (uint8_t) size;
		hn = 2;
	}
	zmtp_buf_put (&self->out, head, hn);
	if (size > 0)
		zmtp_buf_put (&self->out, body, size);
}

/* A property list (RFC 23 metadata): the socket type, and an empty identity
 * so that the hub's ROUTER names the connection itself. */
static size_t
zmtp_metadata (uint8_t *p)
{
	static const struct { const char *name, *value; } props[] = {
		{ "Socket-Type", "DEALER" },
		{ "Identity", "" },
	};
	size_t n = 0;
	for (size_t i = 0; i < sizeof props / sizeof props[0]; i++) {
		size_t nl = strlen (props[i].name), vl = strlen (props[i].value);
		p[n++] = (uint8_t) nl;
		memcpy (p + n, props[i].name, nl);
		n += nl;
		p[n++] = 0, p[n++] = 0, p[n++] = 0, p[n++] = (uint8_t) vl;
		memcpy (p + n, props[i].value, vl);
		n += vl;
	}
	return n;
}

/* Text from the hub goes into logs and onto screens: printable ASCII only. */
static void
zmtp_clean (char *out, size_t out_size, const uint8_t *p, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n && k + 1 < out_size; i++)
		out[k++] = p[i] >= 0x20 && p[i] < 0x7F ? (char) p[i] : '?';
	out[k] = '\0';
}

/* The hub's metadata must name a socket a DEALER may talk to. */
static int
zmtp_check_metadata (zmtp_t *self, const uint8_t *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t nl = p[i++];
		if (i + nl + 4 > n)
			break;
		const uint8_t *name = p + i;
		i += nl;
		uint32_t vl = (uint32_t) p[i] << 24 | (uint32_t) p[i + 1] << 16 | (uint32_t) p[i + 2] << 8 | p[i + 3];
		i += 4;
		if (vl > n - i)
			break;
		if (nl == 11 && strncasecmp ((const char *) name, "Socket-Type", 11) == 0) {
			if ((vl == 6 && memcmp (p + i, "ROUTER", 6) == 0) || (vl == 6 && memcmp (p + i, "DEALER", 6) == 0))
				return 0;
			char type[32];
			zmtp_clean (type, sizeof type, p + i, vl);
			zmtp_refuse (self, ZMTP_REFUSED_NOT_HUB, "%s is a %s socket, not a despatch hub", self->endpoint, type);
			return -1;
		}
		i += vl;
	}
	zmtp_fail (self, ZMTP_RETRY_MS, "the hub's handshake has no socket type");
	return -1;
}

static void
zmtp_greet (zmtp_t *self)
{
	uint8_t g[ZMTP_GREETING] = { 0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 3, 0 };
	memcpy (g + 12, self->curve ? "CURVE" : "NULL", self->curve ? 5 : 4);
	/* g[32] as-server = 0: the hub is the server. */
	zmtp_buf_put (&self->out, g, sizeof g);
	self->state = ZS_GREETING;
}

/* tcp://: the hub's address, looked up again only when the last look-up is
 * old (a name server that is slow or down would otherwise hold the screen
 * every 100 ms). IPv4, as libzmq's hub listens by default, unless the
 * address is an IPv6 literal. */
static int
zmtp_resolve (zmtp_t *self, int64_t now_ms)
{
	if (self->addr_len > 0 && now_ms - self->resolved_at < ZMTP_RESOLVE_MS)
		return 0;
	struct addrinfo hints = { .ai_family = strchr (self->host, ':') ? AF_INET6 : AF_INET,
		.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *ai = NULL;
	int rc = getaddrinfo (self->host, self->port, &hints, &ai);
	if (rc != 0 || ai == NULL || ai->ai_addrlen > sizeof self->addr) {
		if (ai)
			freeaddrinfo (ai);
		if (self->addr_len > 0)
			return 0; /* keep using the address it had */
		zmtp_fail (self, ZMTP_RETRY_MS, "cannot find hub host %s: %s", self->host,
		    rc != 0 ? gai_strerror (rc) : "no IPv4 address");
		return -1;
	}
	memcpy (&self->addr, ai->ai_addr, ai->ai_addrlen);
	self->addr_len = ai->ai_addrlen;
	self->resolved_at = now_ms;
	freeaddrinfo (ai);
	return 0;
}

static int
zmtp_connect (zmtp_t *self, int64_t now_ms)
{
	const struct sockaddr *sa = (const struct sockaddr *) &self->un;
	socklen_t sa_len = self->un_len;
	if (!self->ipc) {
		if (zmtp_resolve (self, now_ms) != 0)
			return -1;
		sa = (const struct sockaddr *) &self->addr;
		sa_len = self->addr_len;
	}
	self->fd = socket (sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (self->fd < 0) {
		zmtp_fail (self, ZMTP_RETRY_MS, "cannot create a socket: %s", strerror (errno));
		return -1;
	}
	if (!self->ipc) {
		int one = 1; /* requests are small and wait for their answer: no Nagle */
		setsockopt (self->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	}
	/* A hub that accepts and then says nothing must not hold the terminal. */
	self->deadline = now_ms + ZMTP_HANDSHAKE_MS;
	if (connect (self->fd, sa, sa_len) == 0) {
		zmtp_greet (self);
	} else if (errno == EINPROGRESS || errno == EINTR) { /* both go on in the background */
		self->state = ZS_CONNECTING;
	} else {
		int err = errno;
		self->resolved_at = 0; /* look the name up again next time */
		zmtp_fail (self, ZMTP_RETRY_MS, "cannot reach the hub at %s: %s", self->endpoint, strerror (err));
		return -1;
	}
	return 0;
}

/* --- the handshake --- */

/* HELLO: a fresh transient key, and a box of zeros only the hub can open. */
static void
zmtp_curve_hello (zmtp_t *self)
{
	secret_keypair (self->cn_public, self->cn_secret);
	self->nonce = 1;
	self->peer_nonce = 0;
	self->welcomed = false;
	uint8_t cmd[200] = "\x05HELLO\x01\x00", nonce[SECRET_NONCE] = "CurveZMQHELLO---", zeros[64] = { 0 };
	/* cmd[8..80): anti-amplification padding */
	memcpy (cmd + 80, self->cn_public, SECRET_KEY);
	zmtp_put_u64 (nonce + 16, self->nonce++);
	memcpy (cmd + 112, nonce + 16, 8);
	secret_box (cmd + 120, zeros, sizeof zeros, nonce, self->keys.hub_key, self->cn_secret);
	zmtp_frame (self, ZMTP_FLAG_COMMAND, cmd, sizeof cmd);
}

static void
zmtp_null_ready (zmtp_t *self)
{
	uint8_t cmd[64] = "\x05READY";
	size_t n = 6 + zmtp_metadata (cmd + 6);
	zmtp_frame (self, ZMTP_FLAG_COMMAND, cmd, n);
}

/* WELCOME: the hub's transient key and cookie; answered with INITIATE, which
 * vouches for the transient key with this terminal's long-term key. */
static int
zmtp_curve_welcome (zmtp_t *self, const uint8_t *body, size_t n)
{
	if (self->welcomed || n != 168) {
		zmtp_fail (self, ZMTP_RETRY_MS, "the hub's WELCOME is malformed");
		return -1;
	}
	uint8_t nonce[SECRET_NONCE] = "WELCOME-", plain[128];
	memcpy (nonce + 8, body + 8, 16);
	if (secret_box_open (plain, body + 24, 144, nonce, self->keys.hub_key, self->cn_secret) != 0) {
		zmtp_refuse (self, ZMTP_REFUSED_HUB_KEY,
		    "the hub's WELCOME does not open with the hub key this terminal has (wrong hub.cert?)");
		return -1;
	}
	memcpy (self->hub_cn, plain, SECRET_KEY);
	if (secret_shared (self->shared, self->hub_cn, self->cn_secret) != 0) {
		secret_wipe (plain, sizeof plain);
		zmtp_fail (self, ZMTP_RETRY_MS, "the hub's WELCOME carries an unusable key");
		return -1;
	}

	uint8_t vouch_plain[64], vouch_nonce[SECRET_NONCE] = "VOUCH---", vouch[80];
	memcpy (vouch_plain, self->cn_public, SECRET_KEY);
	memcpy (vouch_plain + 32, self->keys.hub_key, SECRET_KEY);
	secret_random (vouch_nonce + 8, 16);
	secret_box (vouch, vouch_plain, sizeof vouch_plain, vouch_nonce, self->hub_cn, self->keys.secret_key);

	uint8_t box_plain[128 + 64], cmd[9 + ZMTP_COOKIE + 8 + SECRET_MAC + sizeof box_plain];
	memcpy (box_plain, self->keys.public_key, SECRET_KEY);
	memcpy (box_plain + 32, vouch_nonce + 8, 16);
	memcpy (box_plain + 48, vouch, sizeof vouch);
	size_t plain_len = 128 + zmtp_metadata (box_plain + 128);
	uint8_t nonce2[SECRET_NONCE] = "CurveZMQINITIATE";
	zmtp_put_u64 (nonce2 + 16, self->nonce++);
	memcpy (cmd, "\x08INITIATE", 9);
	memcpy (cmd + 9, plain + 32, ZMTP_COOKIE);
	memcpy (cmd + 105, nonce2 + 16, 8);
	secret_box_shared (cmd + 113, box_plain, plain_len, nonce2, self->shared);
	zmtp_frame (self, ZMTP_FLAG_COMMAND, cmd, 113 + SECRET_MAC + plain_len);
	secret_wipe (plain, sizeof plain);
	self->welcomed = true;
	return 0;
}

static int
zmtp_null_ready_in (zmtp_t *self, const uint8_t *body, size_t n)
{
	if (zmtp_check_metadata (self, body + 6, n - 6) != 0)
		return -1;
	self->state = ZS_READY;
	self->refusal = NULL;
	return 0;
}

static int
zmtp_curve_ready_in (zmtp_t *self, const uint8_t *body, size_t n)
{
	if (!self->welcomed || n < 6 + 8 + SECRET_MAC) {
		zmtp_fail (self, ZMTP_RETRY_MS, "the hub's READY is malformed");
		return -1;
	}
	uint8_t nonce[SECRET_NONCE] = "CurveZMQREADY---";
	memcpy (nonce + 16, body + 6, 8);
	size_t plain_len = n - 14 - SECRET_MAC;
	uint8_t *plain = xmalloc (plain_len + 1);
	int rc = secret_box_open_shared (plain, body + 14, n - 14, nonce, self->shared);
	if (rc != 0)
		zmtp_fail (self, ZMTP_RETRY_MS, "the hub's READY does not open");
	else if ((rc = zmtp_check_metadata (self, plain, plain_len)) == 0) {
		self->peer_nonce = zmtp_get_u64 (body + 6);
		self->state = ZS_READY;
		self->refusal = NULL;
	}
	free (plain);
	return rc;
}

/* ERROR: the hub refused the handshake (ZAP said no to this key). */
static int
zmtp_error_in (zmtp_t *self, const uint8_t *body, size_t n)
{
	size_t rl = n > 6 ? body[6] : 0;
	if (rl > n - 7)
		rl = n > 7 ? n - 7 : 0;
	char reason[64];
	zmtp_clean (reason, sizeof reason, body + 7, rl);
	zmtp_refuse (self, ZMTP_REFUSED_KEY,
	    "the hub refused this terminal's key (code %s): is it enrolled (despatch keys enrol) and not revoked?", reason);
	return -1;
}

typedef int (*zmtp_command_fn) (zmtp_t *, const uint8_t *, size_t);

static const struct zmtp_command {
	bool curve;
	const char *name; /* with its length byte, as on the wire */
	zmtp_command_fn fn;
} zmtp_commands[] = {
	{ false, "\x05READY", zmtp_null_ready_in },
	{ false, "\x05" "ERROR", zmtp_error_in },
	{ true, "\x07WELCOME", zmtp_curve_welcome },
	{ true, "\x05READY", zmtp_curve_ready_in },
	{ true, "\x05" "ERROR", zmtp_error_in },
};

static int
zmtp_handshake_command (zmtp_t *self, uint8_t flags, const uint8_t *body, size_t n)
{
	if (flags & ZMTP_FLAG_COMMAND) {
		for (size_t i = 0; i < sizeof zmtp_commands / sizeof zmtp_commands[0]; i++) {
			const struct zmtp_command *c = &zmtp_commands[i];
			size_t cl = 1 + (size_t) (unsigned char) c->name[0];
			if (c->curve == self->curve && n >= cl && memcmp (body, c->name, cl) == 0)
				return c->fn (self, body, n);
		}
	}
	zmtp_fail (self, ZMTP_RETRY_MS, "the hub sent something unexpected during the handshake");
	return -1;
}

static int
zmtp_greeting_in (zmtp_t *self, const uint8_t *g)
{
	if (g[0] != 0xFF || (g[9] & 1) == 0 || g[10] < 3) {
		zmtp_refuse (self, ZMTP_REFUSED_NOT_HUB, "%s does not speak ZMTP 3: is it a despatch hub?", self->endpoint);
		return -1;
	}
	char mech[21];
	zmtp_clean (mech, sizeof mech, g + 12, strnlen ((const char *) g + 12, 20));
	if (strcmp (mech, self->curve ? "CURVE" : "NULL") != 0) {
		zmtp_refuse (self, self->curve ? ZMTP_REFUSED_NO_CURVE : ZMTP_REFUSED_NEEDS_KEYS,
		    self->curve ? "the hub does not use CURVE security (it uses %s)"
		                                                    : "the hub uses %s security: start the terminal with --keys",
		    mech);
		return -1;
	}
	self->state = ZS_HANDSHAKE;
	if (self->curve)
		zmtp_curve_hello (self);
	else
		zmtp_null_ready (self);
	return 0;
}

/* The next whole frame in the input, or false. A frame over max_frame ends the connection. */
static bool
zmtp_next_frame (zmtp_t *self, uint8_t *flags, const uint8_t **body, size_t *size)
{
	const uint8_t *p = self->in.data + self->in.off;
	size_t avail = zmtp_buf_unread (&self->in), hn = 2, n;
	if (avail < 2)
		return false;
	if (p[0] & ZMTP_FLAG_LONG) {
		hn = 9;
		if (avail < 9)
			return false;
		uint64_t v = zmtp_get_u64 (p + 1);
		n = v > SIZE_MAX / 2 ? SIZE_MAX / 2 : (size_t) v;
	} else {
		n = p[1];
	}
	/* The limit is on the message; a CURVE MESSAGE boxes it with 33 bytes more.
	 * The handshake's commands are all far smaller. */
	if (n > self->max_frame && n - self->max_frame > (self->curve ? ZMTP_CURVE_EXTRA : 0)) {
		zmtp_fail (self, ZMTP_RETRY_MS, "the hub sent a frame of %zu bytes, over the limit of %zu", n,
		    self->max_frame);
		return false;
	}
	if (avail < hn + n)
		return false;
	*flags = p[0];
	*body = p + hn;
	*size = n;
	self->in.off += hn + n;
	return true;
}

/* Greeting and handshake, as far as the input goes. */
static void
zmtp_shake (zmtp_t *self)
{
	while (self->state == ZS_GREETING || self->state == ZS_HANDSHAKE) {
		if (self->state == ZS_GREETING) {
			if (zmtp_buf_unread (&self->in) < ZMTP_GREETING)
				return;
			const uint8_t *g = self->in.data + self->in.off;
			self->in.off += ZMTP_GREETING;
			if (zmtp_greeting_in (self, g) != 0)
				return;
			continue;
		}
		uint8_t flags;
		const uint8_t *body;
		size_t n;
		if (!zmtp_next_frame (self, &flags, &body, &n))
			return;
		if (zmtp_handshake_command (self, flags, body, n) != 0)
			return;
	}
}

static void zmtp_take (zmtp_t *self);

/* --- I/O --- */

static void
zmtp_flush (zmtp_t *self)
{
	while (self->fd >= 0 && self->state != ZS_CONNECTING && zmtp_buf_unread (&self->out) > 0) {
		ssize_t w = send (self->fd, self->out.data + self->out.off, zmtp_buf_unread (&self->out),
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w > 0) {
			self->out.off += (size_t) w;
		} else if (w < 0 && errno == EINTR) {
			continue;
		} else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return;
		} else {
			zmtp_fail (self, ZMTP_RETRY_MS, "lost the hub: %s", strerror (errno));
			return;
		}
	}
}

static void
zmtp_fill (zmtp_t *self)
{
	size_t got = 0;
	while (self->fd >= 0 && self->state != ZS_CONNECTING && got < ZMTP_READ_PER_STEP
	    && self->queued < ZMTP_MAX_QUEUED) {
		zmtp_buf_reserve (&self->in, 16384);
		ssize_t r = recv (self->fd, self->in.data + self->in.len, self->in.cap - self->in.len, MSG_DONTWAIT);
		if (r > 0) {
			self->in.len += (size_t) r;
			got += (size_t) r;
			zmtp_shake (self);
			zmtp_take (self);
		} else if (r < 0 && errno == EINTR) {
			continue;
		} else if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return;
		} else if (r == 0 && self->state == ZS_GREETING) {
			/* libzmq hangs up on a greeting with another mechanism before sending its own. */
			zmtp_refuse (self, self->curve ? ZMTP_REFUSED_NO_CURVE : ZMTP_REFUSED_NEEDS_KEYS, self->curve
			        ? "the hub hung up during the greeting: it may not use CURVE security"
			        : "the hub hung up during the greeting: it may use CURVE security (start the terminal "
			          "with --keys)");
			return;
		} else if (r == 0 && self->curve && self->state == ZS_HANDSHAKE && !self->welcomed) {
			/* libzmq hangs up on a HELLO it cannot open. */
			zmtp_refuse (self, ZMTP_REFUSED_HUB_KEY,
			    "the hub ended the CURVE handshake at once: is hub.cert this hub's public key?");
			return;
		} else {
			zmtp_fail (self, ZMTP_RETRY_MS, r == 0 ? "the hub closed the connection" : "lost the hub: %s",
			    strerror (errno));
			return;
		}
	}
}

/* A non-blocking connect has finished: see how. */
static void
zmtp_connected (zmtp_t *self)
{
	struct pollfd p = { self->fd, POLLOUT, 0 };
	if (poll (&p, 1, 0) <= 0)
		return;
	int err = 0;
	socklen_t len = sizeof err;
	if (getsockopt (self->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		err = errno;
	if (err != 0)
		zmtp_fail (self, ZMTP_RETRY_MS, "cannot reach the hub at %s: %s", self->endpoint, strerror (err));
	else
		zmtp_greet (self);
}

void
zmtp_step (zmtp_t *self, int64_t now_ms)
{
	if (self->fd < 0 && now_ms >= self->retry_at && zmtp_connect (self, now_ms) != 0)
		return;
	if (self->state == ZS_CONNECTING)
		zmtp_connected (self);
	if (self->fd >= 0 && self->state != ZS_READY && now_ms >= self->deadline) {
		zmtp_fail (self, ZMTP_RETRY_MS, "the hub at %s did not complete the handshake within %d s", self->endpoint,
		    ZMTP_HANDSHAKE_MS / 1000);
		return;
	}
	zmtp_flush (self);
	zmtp_fill (self);
	zmtp_flush (self); /* what the handshake queued */
}

/* --- messages --- */

static void
zmtp_pong (zmtp_t *self, const uint8_t *ping, size_t n);

/* A command after the handshake: PING is answered, the rest ignored. */
static void
zmtp_ready_command (zmtp_t *self, const uint8_t *body, size_t n)
{
	if (n >= 7 && memcmp (body, "\x04PING", 5) == 0)
		zmtp_pong (self, body, n);
}

/* One frame as sent: boxed into a MESSAGE under CURVE (a data frame, as libzmq sends it). */
static int
zmtp_put_message (zmtp_t *self, uint8_t flags, const void *data, size_t size)
{
	if (!self->curve) {
		zmtp_frame (self, flags, data, size);
		return 0;
	}
	uint8_t *plain = xmalloc (size + 1), *msg = xmalloc (16 + SECRET_MAC + size + 1);
	uint8_t nonce[SECRET_NONCE] = "CurveZMQMESSAGEC";
	plain[0] = flags & (ZMTP_FLAG_MORE | 0x02); /* inside the box, 0x02 marks a command */
	if (size)
		memcpy (plain + 1, data, size);
	zmtp_put_u64 (nonce + 16, self->nonce++);
	memcpy (msg, "\x07MESSAGE", 8);
	memcpy (msg + 8, nonce + 16, 8);
	int rc = secret_box_shared (msg + 16, plain, size + 1, nonce, self->shared);
	if (rc == 0)
		zmtp_frame (self, 0, msg, 16 + SECRET_MAC + size + 1);
	secret_wipe (plain, size + 1); /* a login carries a PIN */
	free (plain);
	free (msg);
	return rc;
}

static void
zmtp_pong (zmtp_t *self, const uint8_t *ping, size_t n)
{
	if (zmtp_buf_unread (&self->out) > ZMTP_MAX_OUT)
		return; /* a hub that pings and never reads gets no more */
	uint8_t pong[5 + 16] = "\x04PONG";
	size_t ctx = n - 7 > 16 ? 16 : n - 7; /* PING: name, TTL (2), context */
	memcpy (pong + 5, ping + 7, ctx);
	if (self->curve)
		zmtp_put_message (self, 0x02, pong, 5 + ctx);
	else
		zmtp_frame (self, ZMTP_FLAG_COMMAND, pong, 5 + ctx);
}

int
zmtp_send (zmtp_t *self, const void *data, size_t size)
{
	if (self->state != ZS_READY || size > self->max_frame || zmtp_buf_unread (&self->out) > ZMTP_MAX_OUT)
		return -1;
	if (zmtp_put_message (self, 0, data, size) != 0)
		return -1;
	zmtp_flush (self);
	return 0;
}

static void
zmtp_queue (zmtp_t *self, uint8_t *data, size_t size, bool more)
{
	struct zmtp_in *f = xmalloc (sizeof *f);
	*f = (struct zmtp_in) { NULL, data, size, more };
	self->queued += size + sizeof *f;
	if (self->tail)
		self->tail->next = f;
	else
		self->head = f;
	self->tail = f;
}

/* Every whole frame that has come in since the handshake: commands (PING)
 * answered at once, messages opened and queued for zmtp_recv. */
static void
zmtp_take (zmtp_t *self)
{
	uint8_t flags;
	const uint8_t *body;
	size_t n;
	while (self->state == ZS_READY && zmtp_next_frame (self, &flags, &body, &n)) {
		/* Under CURVE every frame is a boxed MESSAGE, with the command bit or not:
		 * nothing in clear is believed. */
		if (!self->curve && (flags & ZMTP_FLAG_COMMAND)) {
			zmtp_ready_command (self, body, n);
			continue;
		}
		if (!self->curve) {
			uint8_t *data = xmalloc (n + 1);
			memcpy (data, body, n);
			zmtp_queue (self, data, n, (flags & ZMTP_FLAG_MORE) != 0);
			continue;
		}
		if (n < ZMTP_CURVE_EXTRA || memcmp (body, "\x07MESSAGE", 8) != 0) {
			zmtp_fail (self, ZMTP_RETRY_MS, "the hub sent a message that is not a CURVE MESSAGE");
			return;
		}
		uint64_t seq = zmtp_get_u64 (body + 8);
		uint8_t nonce[SECRET_NONCE] = "CurveZMQMESSAGES";
		memcpy (nonce + 16, body + 8, 8);
		uint8_t *plain = xmalloc (n - 16 - SECRET_MAC + 1);
		/* Every box is opened, and its counter must grow: no replays. */
		if (seq <= self->peer_nonce || secret_box_open_shared (plain, body + 16, n - 16, nonce, self->shared) != 0) {
			free (plain);
			zmtp_fail (self, ZMTP_RETRY_MS, "a message from the hub does not open (replayed or forged)");
			return;
		}
		self->peer_nonce = seq;
		size_t len = n - 16 - SECRET_MAC - 1;
		if (plain[0] & 0x02) {
			zmtp_ready_command (self, plain + 1, len);
			free (plain);
			continue;
		}
		bool more = (plain[0] & ZMTP_FLAG_MORE) != 0;
		memmove (plain, plain + 1, len);
		zmtp_queue (self, plain, len, more);
	}
}

int
zmtp_recv (zmtp_t *self, uint8_t **data, size_t *size, bool *more)
{
	struct zmtp_in *f = self->head;
	if (f == NULL)
		return 0;
	self->head = f->next;
	if (self->head == NULL)
		self->tail = NULL;
	*data = f->data;
	*size = f->size;
	*more = f->more;
	self->queued -= f->size + sizeof *f;
	free (f);
	return 1;
}

/* --- the rest of the interface --- */

zmtp_t *
zmtp_new (const char *endpoint, const struct zmtp_keys *keys, size_t max_frame, char **cause)
{
	if (keys != NULL && secret_init () != 0) {
		if (cause)
			*cause = xasprintf ("cannot start libsodium for CURVE security");
		return NULL;
	}
	zmtp_t *self = xcalloc (1, sizeof *self);
	self->fd = -1;
	self->endpoint = xstrdup (endpoint);
	self->max_frame = max_frame;
	if (keys != NULL) {
		self->curve = true;
		self->keys = *keys;
	}
	if (zmtp_parse_endpoint (self, endpoint, cause) != 0) {
		zmtp_destroy (&self);
		return NULL;
	}
	zmtp_step (self, util_mono_ms ());
	return self;
}

void
zmtp_destroy (zmtp_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	zmtp_t *self = *self_p;
	zmtp_close (self);
	zmtp_drop_queue (self);
	secret_wipe (&self->keys, sizeof self->keys);
	zmtp_buf_clear (&self->in);
	zmtp_buf_clear (&self->out);
	free (self->endpoint);
	free (self->host);
	free (self->port);
	free (self);
	*self_p = NULL;
}

void
zmtp_restart (zmtp_t *self)
{
	zmtp_close (self);
	zmtp_drop_queue (self);
	self->retry_at = 0;
	zmtp_step (self, util_mono_ms ());
}

int
zmtp_fd (zmtp_t *self)
{
	return self->fd;
}

short
zmtp_events (zmtp_t *self)
{
	if (self->fd < 0)
		return 0;
	if (self->state == ZS_CONNECTING)
		return POLLOUT;
	short in = self->queued < ZMTP_MAX_QUEUED ? POLLIN : 0; /* a full queue waits for zmtp_recv */
	return (short) (in | (zmtp_buf_unread (&self->out) > 0 ? POLLOUT : 0));
}

int
zmtp_timeout_ms (zmtp_t *self, int64_t now_ms)
{
	if (self->fd >= 0 && self->state == ZS_READY)
		return -1;
	int64_t t = (self->fd >= 0 ? self->deadline : self->retry_at) - now_ms;
	return t < 0 ? 0 : t > ZMTP_HANDSHAKE_MS ? ZMTP_HANDSHAKE_MS : (int) t;
}

bool
zmtp_ready (zmtp_t *self)
{
	return self->state == ZS_READY;
}

const char *
zmtp_error (zmtp_t *self)
{
	return self->error;
}

const char *
zmtp_refusal (zmtp_t *self)
{
	return self->refusal;
}
