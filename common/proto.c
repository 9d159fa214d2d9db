/* proto.c: the wire codec, one table of messages and one strict decoder. */
#include "config.h"
#include "proto.h"
#include "text.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum proto_type { T_U8, T_U16, T_U32, T_U64, T_STR, T_LSTR, T_HASH };

/* How a string field's bytes are checked: a request's as text (text.h) with
 * what the field allows; a reply's or event's only for NUL (the hub is its
 * writer, and a terminal must still be able to read an old stored reply). */
#define TEXT_UNCHECKED (~0u)

struct proto_field_def {
	const char *name;
	enum proto_type type;
	uint64_t max; /* numbers: largest value; strings: longest length; hash: most pairs */
	unsigned text; /* strings and hash values: text.h's allow bits, or TEXT_UNCHECKED */
};

/* What a message is: not a request, a request answered afresh, a stored request. */
enum { PROTO_NOT_REQUEST, PROTO_FRESH, PROTO_STORED };

struct proto_msg_def {
	int id;
	const char *name;
	int request;
	int nfields;
	struct proto_field_def fields[PROTO_MAX_FIELDS];
};

static const struct proto_msg_def proto_defs[] = {
	{ PROTO_HELLO, "HELLO", PROTO_FRESH, 3, {
		{ "station", T_STR, 64, 0 },
		{ "profile", T_STR, 16, 0 },
		{ "software", T_STR, 64, 0 } } },
	{ PROTO_LOGIN, "LOGIN", PROTO_STORED, 2, {
		{ "badge", T_STR, 64, 0 },
		{ "pin", T_STR, 32, 0 } } },
	{ PROTO_LOGOUT, "LOGOUT", PROTO_STORED, 0, { { 0 } } },
	{ PROTO_SCAN, "SCAN", PROTO_STORED, 4, {
		{ "step", T_STR, 32, 0 },
		{ "code", T_LSTR, 4096, TEXT_SCAN },
		{ "manual", T_U8, 1, 0 },
		{ "context", T_HASH, 32, 0 } } },
	{ PROTO_COMMAND, "COMMAND", PROTO_STORED, 2, {
		{ "name", T_STR, 32, 0 },
		{ "args", T_HASH, 64, 0 } } },
	{ PROTO_PING, "PING", PROTO_FRESH, 0, { { 0 } } },
	{ PROTO_REPLY, "REPLY", PROTO_NOT_REQUEST, 4, {
		{ "status", T_U8, PROTO_ALARM, 0 },
		{ "reason", T_U16, 999, 0 },
		{ "text", T_LSTR, PROTO_MAX_TEXT, TEXT_UNCHECKED },
		{ "data", T_HASH, PROTO_MAX_HASH, TEXT_UNCHECKED } } },
	{ PROTO_ERROR, "ERROR", PROTO_NOT_REQUEST, 2, {
		{ "reason", T_U16, 999, 0 },
		{ "text", T_LSTR, PROTO_MAX_TEXT, TEXT_UNCHECKED } } },
	{ PROTO_EVENT, "EVENT", PROTO_NOT_REQUEST, 2, {
		{ "topic", T_STR, 64, TEXT_UNCHECKED },
		{ "data", T_HASH, PROTO_MAX_HASH, TEXT_UNCHECKED } } },
};

static const struct {
	int reason;
	const char *name;
} proto_reasons[] = {
	{ PR_OK, "OK" },
	{ PR_ALREADY_DONE, "ALREADY_DONE" },
	{ PR_SHORT, "SHORT" },
	{ PR_DAMAGED, "DAMAGED" },
	{ PR_RANGE_LOW, "RANGE_LOW" },
	{ PR_MALFORMED, "MALFORMED" },
	{ PR_BAD_VERSION, "BAD_VERSION" },
	{ PR_TOO_LARGE, "TOO_LARGE" },
	{ PR_UNKNOWN_COMMAND, "UNKNOWN_COMMAND" },
	{ PR_BAD_ARGUMENT, "BAD_ARGUMENT" },
	{ PR_BAD_SEQUENCE, "BAD_SEQUENCE" },
	{ PR_BAD_TEXT, "BAD_TEXT" },
	{ PR_SEQUENCE_REUSED, "SEQUENCE_REUSED" },
	{ PR_NOT_LOGGED_IN, "NOT_LOGGED_IN" },
	{ PR_BAD_LOGIN, "BAD_LOGIN" },
	{ PR_LOCKED_OUT, "LOCKED_OUT" },
	{ PR_FORBIDDEN, "FORBIDDEN" },
	{ PR_SESSION_EXPIRED, "SESSION_EXPIRED" },
	{ PR_WRONG_TERMINAL, "WRONG_TERMINAL" },
	{ PR_UNKNOWN_BARCODE, "UNKNOWN_BARCODE" },
	{ PR_WRONG_STEP, "WRONG_STEP" },
	{ PR_ON_HOLD, "ON_HOLD" },
	{ PR_WRONG_CARRIER, "WRONG_CARRIER" },
	{ PR_NOT_LABELLED, "NOT_LABELLED" },
	{ PR_INCOMPLETE, "INCOMPLETE" },
	{ PR_CONFLICT, "CONFLICT" },
	{ PR_CLOSED, "CLOSED" },
	{ PR_BAD_DATA, "BAD_DATA" },
	{ PR_WRONG_ITEM, "WRONG_ITEM" },
	{ PR_WRONG_LABEL, "WRONG_LABEL" },
	{ PR_WRONG_LOCATION, "WRONG_LOCATION" },
	{ PR_STORAGE, "STORAGE" },
	{ PR_INTERNAL, "INTERNAL" },
	{ PR_PRINTER, "PRINTER" },
	{ PR_RANGE_EXHAUSTED, "RANGE_EXHAUSTED" },
};

static const char *proto_statuses[] = { "ok", "warn", "refused", "alarm" };

struct proto_kv {
	char *key;
	char *value;
};

struct proto_value {
	uint64_t num;
	char *str;
	size_t nkv;
	struct proto_kv *kv;
};

struct proto_msg {
	const struct proto_msg_def *def;
	char terminal[PROTO_MAX_TERMINAL + 1];
	uint32_t seq;
	struct proto_value v[PROTO_MAX_FIELDS];
};

static const struct proto_msg_def *
proto_def (int id)
{
	for (size_t i = 0; i < nitems (proto_defs); i++)
		if (proto_defs[i].id == id)
			return &proto_defs[i];
	return NULL;
}

const char *
proto_id_name (int id)
{
	const struct proto_msg_def *d = proto_def (id);
	return d ? d->name : NULL;
}

int
proto_is_request (int id)
{
	const struct proto_msg_def *d = proto_def (id);
	return d ? d->request != PROTO_NOT_REQUEST : 0;
}

int
proto_is_stored (int id)
{
	const struct proto_msg_def *d = proto_def (id);
	return d ? d->request == PROTO_STORED : 0;
}

int
proto_seq_check (int id, uint32_t seq)
{
	const struct proto_msg_def *d = proto_def (id);
	if (d == NULL || d->request == PROTO_NOT_REQUEST)
		return 0;
	if (seq == 0 || (d->request == PROTO_STORED && seq > PROTO_SEQ_MAX))
		return PR_BAD_SEQUENCE;
	return 0;
}

const char *
proto_reason_name (int reason)
{
	for (size_t i = 0; i < nitems (proto_reasons); i++)
		if (proto_reasons[i].reason == reason)
			return proto_reasons[i].name;
	return NULL;
}

const char *
proto_status_name (int status)
{
	if (status < 0 || (size_t) status >= nitems (proto_statuses))
		return NULL;
	return proto_statuses[status];
}

proto_msg_t *
proto_msg_new (int id)
{
	const struct proto_msg_def *d = proto_def (id);
	if (d == NULL)
		return NULL;
	proto_msg_t *self = xcalloc (1, sizeof *self);
	self->def = d;
	return self;
}

proto_msg_t *
proto_msg_reply_to (const proto_msg_t *req, int id)
{
	proto_msg_t *self = proto_msg_new (id);
	if (self) {
		memcpy (self->terminal, req->terminal, sizeof self->terminal);
		self->seq = req->seq;
	}
	return self;
}

static void
proto_value_clear (struct proto_value *v)
{
	free (v->str);
	for (size_t i = 0; i < v->nkv; i++) {
		free (v->kv[i].key);
		free (v->kv[i].value);
	}
	free (v->kv);
	memset (v, 0, sizeof *v);
}

void
proto_msg_destroy (proto_msg_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	proto_msg_t *self = *self_p;
	for (int i = 0; i < PROTO_MAX_FIELDS; i++)
		proto_value_clear (&self->v[i]);
	free (self);
	*self_p = NULL;
}

int
proto_msg_id (const proto_msg_t *self)
{
	return self->def->id;
}

const char *
proto_msg_terminal (const proto_msg_t *self)
{
	return self->terminal;
}

uint32_t
proto_msg_seq (const proto_msg_t *self)
{
	return self->seq;
}

void
proto_msg_set_terminal (proto_msg_t *self, const char *terminal)
{
	util_strlcpy (self->terminal, terminal, sizeof self->terminal);
}

void
proto_msg_set_seq (proto_msg_t *self, uint32_t seq)
{
	self->seq = seq;
}

static struct proto_value *
proto_field (const proto_msg_t *self, int field, int want_hash)
{
	if (field < 0 || field >= self->def->nfields)
		return NULL;
	int is_hash = self->def->fields[field].type == T_HASH;
	if (is_hash != want_hash)
		return NULL;
	return (struct proto_value *) &self->v[field];
}

const char *
proto_get_str (const proto_msg_t *self, int field)
{
	struct proto_value *v = proto_field (self, field, 0);
	return v && v->str ? v->str : "";
}

uint64_t
proto_get_num (const proto_msg_t *self, int field)
{
	struct proto_value *v = proto_field (self, field, 0);
	return v ? v->num : 0;
}

void
proto_set_str (proto_msg_t *self, int field, const char *value)
{
	struct proto_value *v = proto_field (self, field, 0);
	if (v == NULL)
		return;
	free (v->str);
	v->str = xstrdup (value ? value : "");
}

void
proto_set_num (proto_msg_t *self, int field, uint64_t value)
{
	struct proto_value *v = proto_field (self, field, 0);
	if (v)
		v->num = value;
}

const char *
proto_hash_get (const proto_msg_t *self, int field, const char *key)
{
	struct proto_value *v = proto_field (self, field, 1);
	if (v == NULL)
		return NULL;
	for (size_t i = 0; i < v->nkv; i++)
		if (strcmp (v->kv[i].key, key) == 0)
			return v->kv[i].value;
	return NULL;
}

void
proto_hash_set (proto_msg_t *self, int field, const char *key, const char *value)
{
	struct proto_value *v = proto_field (self, field, 1);
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->nkv; i++)
		if (strcmp (v->kv[i].key, key) == 0) {
			free (v->kv[i].value);
			v->kv[i].value = xstrdup (value);
			return;
		}
	v->kv = xrealloc (v->kv, (v->nkv + 1) * sizeof *v->kv);
	v->kv[v->nkv].key = xstrdup (key);
	v->kv[v->nkv].value = xstrdup (value);
	v->nkv++;
}

void
proto_hash_setf (proto_msg_t *self, int field, const char *key, const char *fmt, ...)
{
	va_list ap;
	va_start (ap, fmt);
	char *s = xvasprintf (fmt, ap);
	va_end (ap);
	proto_hash_set (self, field, key, s);
	free (s);
}

size_t
proto_hash_size (const proto_msg_t *self, int field)
{
	struct proto_value *v = proto_field (self, field, 1);
	return v ? v->nkv : 0;
}

const char *
proto_hash_key (const proto_msg_t *self, int field, size_t i)
{
	struct proto_value *v = proto_field (self, field, 1);
	return v && i < v->nkv ? v->kv[i].key : NULL;
}

const char *
proto_hash_value (const proto_msg_t *self, int field, size_t i)
{
	struct proto_value *v = proto_field (self, field, 1);
	return v && i < v->nkv ? v->kv[i].value : NULL;
}

/* --- decoding ---------------------------------------------------------- */

struct proto_reader {
	const uint8_t *p, *end;
	const char *msg; /* the message's name, for the sentences */
	char *err;
	size_t errn;
};

/* Say why in err; returns reason, the code of this case. */
static int
proto_fail (struct proto_reader *r, int reason, const char *fmt, ...)
{
	va_list ap;
	va_start (ap, fmt);
	vsnprintf (r->err, r->errn, fmt, ap);
	va_end (ap);
	return reason;
}

static int
proto_read_num (struct proto_reader *r, int bytes, uint64_t *out)
{
	if (r->end - r->p < bytes)
		return -1;
	uint64_t v = 0;
	for (int i = 0; i < bytes; i++)
		v = (v << 8) | *r->p++;
	*out = v;
	return 0;
}

static int
proto_name_char_ok (uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
	    || c == '.' || c == '_' || c == '-';
}

/*
 * Read a string with a lenbytes length prefix into *out. A name (terminal
 * id, hash key) is restricted to [A-Za-z0-9._-]; other text is checked as
 * text (text.h) with what allow lets through, or only for NUL when allow is
 * TEXT_UNCHECKED. what names the field in the sentence. 0 or the reason.
 */
static int
proto_read_string (struct proto_reader *r, int lenbytes, uint64_t max, int name, unsigned allow, char **out,
    const char *what)
{
	uint64_t len;
	if (proto_read_num (r, lenbytes, &len) != 0)
		return proto_fail (r, PR_MALFORMED, "%s %s: the frame ends inside its length", r->msg, what);
	if (len > max)
		return proto_fail (r, PR_TOO_LARGE, "%s %s: %llu bytes, more than its limit of %llu", r->msg, what,
		    (unsigned long long) len, (unsigned long long) max);
	if ((uint64_t) (r->end - r->p) < len)
		return proto_fail (r, PR_MALFORMED, "%s %s: the frame ends inside its value", r->msg, what);
	if (name) {
		for (uint64_t i = 0; i < len; i++)
			if (!proto_name_char_ok (r->p[i]))
				return proto_fail (r, r->p[i] == 0 ? PR_BAD_TEXT : PR_MALFORMED,
				    "%s %s: the byte 0x%02X is not allowed (letters, digits, '.', '_' and '-' only)", r->msg,
				    what, r->p[i]);
	} else if (allow == TEXT_UNCHECKED) {
		if (memchr (r->p, 0, (size_t) len) != NULL)
			return proto_fail (r, PR_BAD_TEXT, "%s %s: a NUL byte inside", r->msg, what);
	} else {
		struct text_fault f;
		if (!text_check ((const char *) r->p, (size_t) len, allow, &f)) {
			char why[96];
			return proto_fail (r, PR_BAD_TEXT, "%s %s: %s", r->msg, what, text_fault_describe (&f, why, sizeof why));
		}
	}
	*out = xstrndup ((const char *) r->p, (size_t) len);
	r->p += len;
	return 0;
}

static int
proto_read_field (struct proto_reader *r, const struct proto_field_def *f, struct proto_value *v)
{
	static const int num_bytes[] = { [T_U8] = 1, [T_U16] = 2, [T_U32] = 4, [T_U64] = 8 };
	switch (f->type) {
	case T_U8:
	case T_U16:
	case T_U32:
	case T_U64:
		if (proto_read_num (r, num_bytes[f->type], &v->num) != 0)
			return proto_fail (r, PR_MALFORMED, "%s %s: missing (the frame ends)", r->msg, f->name);
		if (v->num > f->max)
			return proto_fail (r, PR_TOO_LARGE, "%s %s: %llu is above its limit of %llu", r->msg, f->name,
			    (unsigned long long) v->num, (unsigned long long) f->max);
		return 0;
	case T_STR:
		return proto_read_string (r, 1, f->max, 0, f->text, &v->str, f->name);
	case T_LSTR:
		return proto_read_string (r, 4, f->max, 0, f->text, &v->str, f->name);
	case T_HASH: {
		uint64_t n;
		if (proto_read_num (r, 2, &n) != 0)
			return proto_fail (r, PR_MALFORMED, "%s %s: missing (the frame ends)", r->msg, f->name);
		if (n > f->max)
			return proto_fail (r, PR_TOO_LARGE, "%s %s: %llu pairs, more than its limit of %llu", r->msg,
			    f->name, (unsigned long long) n, (unsigned long long) f->max);
		/* Each pair takes at least 6 bytes: a count beyond what is left is refused before allocating. */
		if (n > (uint64_t) (r->end - r->p) / 6)
			return proto_fail (r, PR_MALFORMED, "%s %s: %llu pairs, but the frame ends first", r->msg, f->name,
			    (unsigned long long) n);
		v->kv = xcalloc ((size_t) n, sizeof *v->kv);
		for (uint64_t i = 0; i < n; i++) {
			struct proto_kv *kv = &v->kv[i];
			v->nkv = (size_t) i + 1;
			char what[PROTO_MAX_HASH_KEY + 48];
			snprintf (what, sizeof what, "%s key %llu", f->name, (unsigned long long) i + 1);
			int rc = proto_read_string (r, 1, PROTO_MAX_HASH_KEY, 1, 0, &kv->key, what);
			if (rc != 0)
				return rc;
			if (*kv->key == '\0')
				return proto_fail (r, PR_MALFORMED, "%s %s: an empty key", r->msg, f->name);
			for (uint64_t j = 0; j < i; j++)
				if (strcmp (v->kv[j].key, kv->key) == 0)
					return proto_fail (r, PR_MALFORMED, "%s %s: the key '%s' is repeated", r->msg, f->name,
					    kv->key);
			snprintf (what, sizeof what, "%s '%s'", f->name, kv->key);
			if ((rc = proto_read_string (r, 4, PROTO_MAX_HASH_VALUE, 0, f->text, &kv->value, what)) != 0)
				return rc;
		}
		return 0;
	}
	}
	return proto_fail (r, PR_MALFORMED, "%s %s: unknown type", r->msg, f->name);
}

int
proto_decode (const uint8_t *data, size_t size, proto_msg_t **out, struct proto_head *head, char *err, size_t errn)
{
	struct proto_head h = { .version = -1, .id = -1 };
	struct proto_reader r = { data, data + size, "message", err, errn };
	*out = NULL;
	int rc = 0;
	if (size > PROTO_MAX_MESSAGE) {
		rc = proto_fail (&r, PR_TOO_LARGE, "a message of %zu bytes is larger than the limit of %d", size,
		    PROTO_MAX_MESSAGE);
		goto refused;
	}
	if (size < 4 || data[0] != 'D' || data[1] != 'S') {
		rc = proto_fail (&r, PR_MALFORMED, "not a despatch message (it must start \"DS\", version, id)");
		goto refused;
	}
	h.version = data[2];
	h.id = data[3];
	if (data[2] != PROTO_VERSION) {
		rc = proto_fail (&r, PR_BAD_VERSION, "protocol version %d; this end speaks %d", data[2], PROTO_VERSION);
		goto refused;
	}
	/* The header (terminal, seq) comes before the fields of every message:
	 * read it first, so that even an unknown message can be answered in kind. */
	r.p = data + 4;
	const struct proto_msg_def *d = proto_def (data[3]);
	char *terminal = NULL;
	uint64_t seq;
	if ((rc = proto_read_string (&r, 1, PROTO_MAX_TERMINAL, 1, 0, &terminal, "terminal")) == 0) {
		util_strlcpy (h.terminal, terminal, sizeof h.terminal);
		free (terminal);
		if (proto_read_num (&r, 4, &seq) == 0) {
			h.seq = (uint32_t) seq;
			h.has_ids = true;
		} else {
			rc = proto_fail (&r, PR_MALFORMED, "message seq: missing (the frame ends)");
		}
	}
	/* An unknown message is that, whatever follows its id. */
	if (d == NULL)
		rc = proto_fail (&r, PR_UNKNOWN_COMMAND, "unknown message id %d", data[3]);
	if (rc != 0)
		goto refused;
	r.msg = d->name;

	proto_msg_t *self = xcalloc (1, sizeof *self);
	self->def = d;
	util_strlcpy (self->terminal, h.terminal, sizeof self->terminal);
	self->seq = h.seq;
	for (int i = 0; i < d->nfields; i++)
		if ((rc = proto_read_field (&r, &d->fields[i], &self->v[i])) != 0) {
			proto_msg_destroy (&self);
			goto refused;
		}
	if (r.p != r.end) {
		rc = proto_fail (&r, PR_MALFORMED, "%zu bytes of trailing garbage after %s", (size_t) (r.end - r.p),
		    d->name);
		proto_msg_destroy (&self);
		goto refused;
	}
	*out = self;
refused:
	if (head)
		*head = h;
	return rc;
}

/* --- encoding ---------------------------------------------------------- */

struct proto_writer {
	uint8_t *buf;
	size_t len, cap;
};

static void
proto_put (struct proto_writer *w, const void *p, size_t n)
{
	if (n == 0)
		return; /* an empty string may come as NULL */
	if (w->len + n > w->cap) {
		while (w->len + n > w->cap)
			w->cap = w->cap ? w->cap * 2 : 256;
		w->buf = xrealloc (w->buf, w->cap);
	}
	memcpy (w->buf + w->len, p, n);
	w->len += n;
}

static void
proto_put_num (struct proto_writer *w, int bytes, uint64_t v)
{
	uint8_t b[8];
	for (int i = bytes - 1; i >= 0; i--) {
		b[i] = (uint8_t) (v & 0xff);
		v >>= 8;
	}
	proto_put (w, b, (size_t) bytes);
}

static int
proto_put_string (struct proto_writer *w, int lenbytes, uint64_t max, const char *s)
{
	size_t len = s ? strlen (s) : 0;
	if (len > max)
		return -1;
	proto_put_num (w, lenbytes, len);
	proto_put (w, s, len);
	return 0;
}

/* Names (terminal id, hash keys) are checked here as the decoder checks them. */
static int
proto_put_name (struct proto_writer *w, uint64_t max, const char *s, int allow_empty)
{
	if (!allow_empty && (s == NULL || *s == '\0'))
		return -1;
	for (const char *p = s; p && *p; p++)
		if (!proto_name_char_ok ((uint8_t) *p))
			return -1;
	return proto_put_string (w, 1, max, s);
}

uint8_t *
proto_encode (const proto_msg_t *self, size_t *size)
{
	static const int num_bytes[] = { [T_U8] = 1, [T_U16] = 2, [T_U32] = 4, [T_U64] = 8 };
	struct proto_writer w = { 0 };
	const struct proto_msg_def *d = self->def;
	uint8_t head[4] = { 'D', 'S', PROTO_VERSION, (uint8_t) d->id };
	proto_put (&w, head, sizeof head);
	if (proto_put_name (&w, PROTO_MAX_TERMINAL, self->terminal, 1) != 0)
		goto toolong;
	proto_put_num (&w, 4, self->seq);
	for (int i = 0; i < d->nfields; i++) {
		const struct proto_field_def *f = &d->fields[i];
		const struct proto_value *v = &self->v[i];
		switch (f->type) {
		case T_U8:
		case T_U16:
		case T_U32:
		case T_U64:
			if (v->num > f->max)
				goto toolong;
			proto_put_num (&w, num_bytes[f->type], v->num);
			break;
		case T_STR:
			if (proto_put_string (&w, 1, f->max, v->str) != 0)
				goto toolong;
			break;
		case T_LSTR:
			if (proto_put_string (&w, 4, f->max, v->str) != 0)
				goto toolong;
			break;
		case T_HASH:
			if (v->nkv > f->max)
				goto toolong;
			proto_put_num (&w, 2, v->nkv);
			for (size_t k = 0; k < v->nkv; k++) {
				if (proto_put_name (&w, PROTO_MAX_HASH_KEY, v->kv[k].key, 0) != 0
				    || proto_put_string (&w, 4, PROTO_MAX_HASH_VALUE, v->kv[k].value) != 0)
					goto toolong;
			}
			break;
		}
	}
	if (w.len > PROTO_MAX_MESSAGE)
		goto toolong;
	*size = w.len;
	return w.buf;
toolong:
	free (w.buf);
	return NULL;
}
