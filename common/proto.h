/*
 * proto.h: the despatch wire protocol, version 1 (doc/protocol.md is the
 * spec). One ZeroMQ frame per message, after the ROUTER envelope:
 *
 *   "DS" version:u8 id:u8 terminal:str seq:u32 fields...
 *
 * Bump PROTO_VERSION if any message, field or type below changes meaning.
 * The codec is table-driven (proto.c) and strict: anything it does not
 * fully understand is "malformed", never half-decoded.
 *
 * Ownership: proto_msg_new returns a message the caller destroys with
 * proto_msg_destroy. Strings passed to setters are copied; strings
 * returned by getters belong to the message.
 */
#ifndef DSP_PROTO_H
#define DSP_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define PROTO_VERSION 1
#define PROTO_MAX_MESSAGE (256 * 1024) /* also ZMQ_MAXMSGSIZE */
#define PROTO_MAX_TERMINAL 64
#define PROTO_MAX_FIELDS 6
#define PROTO_MAX_HASH 256

/* Message ids: requests 1-19, replies 20-39, broadcasts 40-59. */
enum proto_id {
	PROTO_HELLO = 1,
	PROTO_LOGIN = 2,
	PROTO_LOGOUT = 3,
	PROTO_SCAN = 4,
	PROTO_COMMAND = 5,
	PROTO_PING = 6,
	PROTO_REPLY = 20,
	PROTO_ERROR = 21,
	PROTO_EVENT = 40,
};

/* Field indices per message, in wire order. */
enum { PROTO_HELLO_STATION, PROTO_HELLO_PROFILE, PROTO_HELLO_SOFTWARE };
enum { PROTO_LOGIN_BADGE, PROTO_LOGIN_PIN };
enum { PROTO_SCAN_STEP, PROTO_SCAN_CODE, PROTO_SCAN_MANUAL, PROTO_SCAN_CONTEXT };
enum { PROTO_COMMAND_NAME, PROTO_COMMAND_ARGS };
enum { PROTO_REPLY_STATUS, PROTO_REPLY_REASON, PROTO_REPLY_TEXT, PROTO_REPLY_DATA };
enum { PROTO_ERROR_REASON, PROTO_ERROR_TEXT };
enum { PROTO_EVENT_TOPIC, PROTO_EVENT_DATA };

/* Reply status: what the operator must be told, in increasing severity. */
enum proto_status {
	PROTO_OK = 0,      /* done */
	PROTO_WARN = 1,    /* done, but look (short pick, range running low) */
	PROTO_REFUSED = 2, /* not done; the text says why and what to do */
	PROTO_ALARM = 3,   /* not done; the terminal blocks until acknowledged */
};

/* Reason codes: one table in proto.c gives each a name. */
enum proto_reason {
	PR_OK = 0,
	PR_ALREADY_DONE = 100,
	PR_SHORT = 101,      /* done: line recorded short */
	PR_DAMAGED = 102,    /* done: line recorded damaged */
	PR_RANGE_LOW = 103,  /* done: carrier number range running low */
	PR_MALFORMED = 200,
	PR_BAD_VERSION = 201,
	PR_TOO_LARGE = 202,
	PR_UNKNOWN_COMMAND = 203,
	PR_BAD_ARGUMENT = 204,
	PR_NOT_LOGGED_IN = 300,
	PR_BAD_LOGIN = 301,
	PR_LOCKED_OUT = 302,
	PR_FORBIDDEN = 303,
	PR_SESSION_EXPIRED = 304,
	PR_UNKNOWN_BARCODE = 400,
	PR_WRONG_STEP = 401,
	PR_ON_HOLD = 402,
	PR_WRONG_CARRIER = 403,
	PR_NOT_LABELLED = 404,
	PR_INCOMPLETE = 405,
	PR_CONFLICT = 406,
	PR_CLOSED = 407,
	PR_BAD_DATA = 408,
	PR_WRONG_ITEM = 409,
	PR_WRONG_LABEL = 410,
	PR_WRONG_LOCATION = 411,
	PR_STORAGE = 500,
	PR_INTERNAL = 501,
	PR_PRINTER = 502,
	PR_RANGE_EXHAUSTED = 503,
};

typedef struct proto_msg proto_msg_t;

proto_msg_t *proto_msg_new (int id);
void proto_msg_destroy (proto_msg_t **self_p);
/* A reply to req: same terminal and sequence. */
proto_msg_t *proto_msg_reply_to (const proto_msg_t *req, int id);

int proto_msg_id (const proto_msg_t *self);
const char *proto_msg_terminal (const proto_msg_t *self);
uint32_t proto_msg_seq (const proto_msg_t *self);
void proto_msg_set_terminal (proto_msg_t *self, const char *terminal);
void proto_msg_set_seq (proto_msg_t *self, uint32_t seq);

/* Field access by index; a string field never reads as NULL (empty instead). */
const char *proto_get_str (const proto_msg_t *self, int field);
uint64_t proto_get_num (const proto_msg_t *self, int field);
void proto_set_str (proto_msg_t *self, int field, const char *value);
void proto_set_num (proto_msg_t *self, int field, uint64_t value);

/* Hash fields: ordered key/value pairs; set replaces an existing key. */
const char *proto_hash_get (const proto_msg_t *self, int field, const char *key);
void proto_hash_set (proto_msg_t *self, int field, const char *key, const char *value);
void proto_hash_setf (proto_msg_t *self, int field, const char *key, const char *fmt, ...)
	__attribute__ ((format (printf, 4, 5)));
size_t proto_hash_size (const proto_msg_t *self, int field);
const char *proto_hash_key (const proto_msg_t *self, int field, size_t i);
const char *proto_hash_value (const proto_msg_t *self, int field, size_t i);

/*
 * Decode one frame. Returns 0 and *out (caller destroys), or -1 when the
 * frame is malformed, with a short reason in err. *version gets the version
 * byte when the signature was right (so a peer on another version can be
 * told which one this end speaks), else 0.
 */
int proto_decode (const uint8_t *data, size_t size, proto_msg_t **out, int *version, char *err, size_t errn);
/* Encode; returns a buffer the caller frees, or NULL if a field is too long. */
uint8_t *proto_encode (const proto_msg_t *self, size_t *size);

/* Names for logs and docs: "SCAN", "ALREADY_DONE". NULL when unknown. */
const char *proto_id_name (int id);
const char *proto_reason_name (int reason);
const char *proto_status_name (int status);
/* True for message ids a terminal may send. */
int proto_is_request (int id);

#endif
