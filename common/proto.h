/*
 * proto.h: the despatch wire protocol, version 1 (doc/protocol.md is the
 * spec). One ZeroMQ frame per message, after the ROUTER envelope:
 *
 *   "DS" version:u8 id:u8 terminal:str seq:u32 fields...
 *
 * Bump PROTO_VERSION if any message, field or type below changes meaning.
 * The codec is table-driven (proto.c) and strict: anything it does not
 * fully understand is refused as a whole, never half-decoded, with the one
 * reason code that case has (doc/protocol.md, section 3). Every text field
 * of a request must be acceptable text (text.h): valid UTF-8 without NUL or
 * control characters, but for the GS, RS and EOT a scanned code may hold.
 *
 * Ownership: proto_msg_new returns a message the caller destroys with
 * proto_msg_destroy. Strings passed to setters are copied; strings
 * returned by getters belong to the message.
 */
#ifndef DSP_PROTO_H
#define DSP_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROTO_VERSION 1
#define PROTO_MAX_MESSAGE (256 * 1024) /* also ZMQ_MAXMSGSIZE */
#define PROTO_MAX_TERMINAL 64
#define PROTO_MAX_FIELDS 6
#define PROTO_MAX_HASH 256
#define PROTO_MAX_HASH_KEY 64
#define PROTO_MAX_HASH_VALUE 8192
/* A REPLY's or ERROR's text, in bytes: what a handheld's screen can show and more. */
#define PROTO_MAX_TEXT 1024
/* The most unprinted labels a HELLO reply lists (its data unprinted.1...), as many as a terminal watches. */
#define PROTO_MAX_UNPRINTED 16
/* Sequence numbers: 0 is the EVENTs' (never a request's); a stored request
 * (LOGIN, LOGOUT, SCAN, COMMAND) uses 1-PROTO_SEQ_MAX; HELLO and PING any
 * number from 1 up (despatch-term takes them from PROTO_SEQ_MAX + 1 up, so
 * their replies are never taken for a stored request's). */
#define PROTO_SEQ_MAX 0xEFFFFFFFu

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
	PR_BAD_SEQUENCE = 205,   /* seq 0, or a stored request's above PROTO_SEQ_MAX */
	PR_BAD_TEXT = 206,       /* a text field not valid UTF-8, or holding a control character */
	PR_SEQUENCE_REUSED = 207, /* another request under a (terminal, seq) already used */
	PR_NOT_LOGGED_IN = 300,
	PR_BAD_LOGIN = 301,
	PR_LOCKED_OUT = 302,
	PR_FORBIDDEN = 303,
	PR_SESSION_EXPIRED = 304,
	PR_WRONG_TERMINAL = 305, /* the message names a terminal its key is not enrolled as */
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

/* What could be read of a frame's header, even when the rest is refused. */
struct proto_head {
	int version;   /* the version byte; -1 when the signature was wrong or missing */
	int id;        /* the message id byte; -1 when not reached */
	bool has_ids;  /* terminal and seq below were both read (version 1 only) */
	char terminal[PROTO_MAX_TERMINAL + 1]; /* "" when it could not be read */
	uint32_t seq;
};

/*
 * Decode one frame. Returns 0 and *out (caller destroys), or the reason
 * code of the refusal (PR_MALFORMED, PR_BAD_VERSION, PR_TOO_LARGE,
 * PR_UNKNOWN_COMMAND, PR_BAD_TEXT) with a sentence naming the message and
 * field in err. head (may be NULL) gets what the header held, so a refusal
 * can echo the terminal and seq whenever they were readable.
 */
int proto_decode (const uint8_t *data, size_t size, proto_msg_t **out, struct proto_head *head, char *err,
    size_t errn);
/* Encode; returns a buffer the caller frees, or NULL if a field is too long. */
uint8_t *proto_encode (const proto_msg_t *self, size_t *size);

/* Names for logs and docs: "SCAN", "ALREADY_DONE". NULL when unknown. */
const char *proto_id_name (int id);
const char *proto_reason_name (int reason);
const char *proto_status_name (int status);
/* True for message ids a terminal may send. */
int proto_is_request (int id);
/* True for requests whose reply the hub stores under (terminal, seq). */
int proto_is_stored (int id);
/* 0 when seq is in the range of message id (above), else PR_BAD_SEQUENCE. */
int proto_seq_check (int id, uint32_t seq);

#endif
