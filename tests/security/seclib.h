/*
 * seclib.h: a peer for the security tests that speaks to the hub through
 * libzmq directly (a DEALER, CURVE with an enrolled key's folder or plain),
 * sends any frame, good or forged, and reads the reply to it.
 */
#ifndef DSP_SECLIB_H
#define DSP_SECLIB_H

#include "proto.h"
#include "tests/tap.h"
#include "util.h"

#include <czmq.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A DEALER to endpoint; over CURVE with keys (a KEYS/terminals/NAME folder) when not NULL. */
static inline zsock_t *
sec_peer (const char *endpoint, const char *keys)
{
	zsock_t *s = zsock_new (ZMQ_DEALER);
	zsock_set_linger (s, 0);
	zsock_set_rcvtimeo (s, 5000);
	zsock_set_sndtimeo (s, 5000);
	if (keys) {
		char *own = xasprintf ("%s/terminal.cert", keys);
		char *hub = xasprintf ("%s/hub.cert", keys);
		zcert_t *c = zcert_load (own);
		zcert_t *h = zcert_load (hub);
		if (c && h) {
			zcert_apply (c, s);
			zsock_set_curve_serverkey (s, zcert_public_txt (h));
		} else {
			diag ("cannot read the keys in %s", keys);
		}
		zcert_destroy (&c);
		zcert_destroy (&h);
		free (own);
		free (hub);
	}
	zsock_connect (s, "%s", endpoint);
	return s;
}

/* The next reply frame (EVENTs skipped), decoded; NULL after the socket's timeout. */
static inline proto_msg_t *
sec_recv (zsock_t *s)
{
	for (int i = 0; i < 20; i++) {
		zframe_t *f = zframe_recv (s);
		if (f == NULL)
			return NULL;
		proto_msg_t *m = NULL;
		char err[200];
		int rc = proto_decode (zframe_data (f), zframe_size (f), &m, NULL, err, sizeof err);
		zframe_destroy (&f);
		if (rc != 0) {
			diag ("a reply that does not decode: %s", err);
			return NULL;
		}
		if (proto_msg_id (m) != PROTO_EVENT)
			return m;
		proto_msg_destroy (&m);
	}
	return NULL;
}

/* Send the n bytes as one frame and read the answer. */
static inline proto_msg_t *
sec_call_raw (zsock_t *s, const void *data, size_t n)
{
	zframe_t *f = zframe_new (data, n);
	if (zframe_send (&f, s, 0) != 0) {
		zframe_destroy (&f);
		return NULL;
	}
	return sec_recv (s);
}

/* Send m (kept by the caller) as terminal with seq, and read the answer; the frame's bytes in *frame when asked. */
static inline proto_msg_t *
sec_call (zsock_t *s, proto_msg_t *m, const char *terminal, uint32_t seq)
{
	proto_msg_set_terminal (m, terminal);
	proto_msg_set_seq (m, seq);
	size_t n;
	uint8_t *d = proto_encode (m, &n);
	proto_msg_t *r = d ? sec_call_raw (s, d, n) : NULL;
	free (d);
	return r;
}

static inline proto_msg_t *
sec_hello (zsock_t *s, const char *terminal, uint32_t seq, const char *station)
{
	proto_msg_t *m = proto_msg_new (PROTO_HELLO);
	proto_set_str (m, PROTO_HELLO_STATION, station);
	proto_set_str (m, PROTO_HELLO_PROFILE, "handheld");
	proto_set_str (m, PROTO_HELLO_SOFTWARE, "tests");
	proto_msg_t *r = sec_call (s, m, terminal, seq);
	proto_msg_destroy (&m);
	return r;
}

static inline proto_msg_t *
sec_login (zsock_t *s, const char *terminal, uint32_t seq, const char *badge, const char *pin)
{
	proto_msg_t *m = proto_msg_new (PROTO_LOGIN);
	proto_set_str (m, PROTO_LOGIN_BADGE, badge);
	proto_set_str (m, PROTO_LOGIN_PIN, pin);
	proto_msg_t *r = sec_call (s, m, terminal, seq);
	proto_msg_destroy (&m);
	return r;
}

static inline proto_msg_t *
sec_scan (zsock_t *s, const char *terminal, uint32_t seq, const char *step, const char *code)
{
	proto_msg_t *m = proto_msg_new (PROTO_SCAN);
	proto_set_str (m, PROTO_SCAN_STEP, step);
	proto_set_str (m, PROTO_SCAN_CODE, code);
	proto_msg_t *r = sec_call (s, m, terminal, seq);
	proto_msg_destroy (&m);
	return r;
}

/* A COMMAND with args "key", "value", ..., NULL. */
static inline proto_msg_t *
sec_command (zsock_t *s, const char *terminal, uint32_t seq, const char *name, ...)
{
	proto_msg_t *m = proto_msg_new (PROTO_COMMAND);
	proto_set_str (m, PROTO_COMMAND_NAME, name);
	va_list ap;
	va_start (ap, name);
	const char *k;
	while ((k = va_arg (ap, const char *)) != NULL)
		proto_hash_set (m, PROTO_COMMAND_ARGS, k, va_arg (ap, const char *));
	va_end (ap);
	proto_msg_t *r = sec_call (s, m, terminal, seq);
	proto_msg_destroy (&m);
	return r;
}

static inline proto_msg_t *
sec_bare (zsock_t *s, int id, const char *terminal, uint32_t seq)
{
	proto_msg_t *m = proto_msg_new (id);
	proto_msg_t *r = sec_call (s, m, terminal, seq);
	proto_msg_destroy (&m);
	return r;
}

/* ERROR's reason, or -1 when r is not an ERROR. */
static inline int
sec_error (const proto_msg_t *r)
{
	return r && proto_msg_id (r) == PROTO_ERROR ? (int) proto_get_num (r, PROTO_ERROR_REASON) : -1;
}

static inline const char *
sec_text (const proto_msg_t *r)
{
	if (r == NULL)
		return "(no answer)";
	return proto_get_str (r, proto_msg_id (r) == PROTO_ERROR ? PROTO_ERROR_TEXT : PROTO_REPLY_TEXT);
}

/* How many times needle occurs in the file, byte by byte (any case when nocase). */
static inline long
sec_file_count (const char *path, const char *needle, bool nocase)
{
	FILE *f = fopen (path, "rb");
	if (f == NULL)
		return 0;
	size_t cap = 1 << 20, n = 0, got;
	char *buf = xmalloc (cap);
	while ((got = fread (buf + n, 1, cap - n, f)) > 0)
		if ((n += got) == cap)
			buf = xrealloc (buf, cap *= 2);
	fclose (f);
	long hits = 0;
	size_t k = strlen (needle);
	for (size_t i = 0; k && i + k <= n; i++)
		if ((nocase ? strncasecmp (buf + i, needle, k) : strncmp (buf + i, needle, k)) == 0)
			hits++;
	free (buf);
	return hits;
}

#endif
