/*
 * hub-store.h: the hub's database: schema, migrations and the queries the
 * loop itself needs (stored replies, terminals, sessions, operators).
 * The flow files run their own queries through db.h on the same db_t.
 */
#ifndef DSP_HUB_STORE_H
#define DSP_HUB_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"

#define HUB_STORE_SCHEMA 18

/* Open (creating or migrating) the hub database; NULL and *cause on failure. */
db_t *hub_store_open (const char *path, char **cause);
/* The same, migrating no further than schema (tests: a database of an older hub). */
db_t *hub_store_open_at (const char *path, int schema, char **cause);

/*
 * The hub's heartbeat row (table hub_status), for despatch status: written
 * at start, every HUB_STORE_BEAT_MS by the loop, and with stopping set on a
 * clean stop. 0 or a DB_* error.
 */
#define HUB_STORE_BEAT_MS 5000
int hub_store_status_beat (db_t *db, const char *endpoint, int expiry_ms, int64_t started_ms, int64_t now_ms,
    bool stopping);

/*
 * Stored replies, keyed by (terminal, seq), each with the digest of the
 * request it answered (HUB_STORE_DIGEST bytes, made by the loop) so that a
 * repeat can be told from another request under the same number.
 * reply_get returns a malloc'd copy the caller frees, or NULL; *has_digest
 * is false for a reply stored before digests were kept (or under a key
 * since changed), which cannot be compared.
 */
#define HUB_STORE_DIGEST 32
uint8_t *hub_store_reply_get (db_t *db, const char *terminal, uint32_t seq, size_t *size, uint8_t digest[HUB_STORE_DIGEST],
    bool *has_digest);
int hub_store_reply_put (db_t *db, const char *terminal, uint32_t seq, int64_t now_ms, const uint8_t *data, size_t size,
    const uint8_t digest[HUB_STORE_DIGEST]);
/* The id of the key the digests are made with, checked at start (outside a
 * transaction): when it changed, the digests made with the old key are
 * dropped. Returns how many were dropped, or -1. */
int hub_store_digest_key (db_t *db, const char *key_id);
/* An audit event (events) for a request refused before any handler saw it
 * (a terminal sending as another): who really sent it, action and detail. */
int hub_store_audit_refusal (db_t *db, const char *terminal, uint32_t seq, const char *action, const char *detail,
    int64_t now_ms);
/* Forget stored replies older than before_ms; returns rows removed. */
int hub_store_reply_prune (db_t *db, int64_t before_ms);

/* Terminal registry: HELLO updates it; last_seq is the highest stored sequence. */
int hub_store_terminal_hello (db_t *db, const char *terminal, const char *station, const char *profile,
    const char *software, int64_t now_ms);
uint32_t hub_store_terminal_last_seq (db_t *db, const char *terminal);
/* The parcels (codes; an order's reference for its ticket, "manifest N" for a manifest's paper) whose label or
 * paper a terminal packed or asked for waits unprinted: its printer offline, none there, or failed. The newest
 * first, at most max, into codes; how many, or -1. What the terminal's P count counts, told at HELLO. */
#define HUB_STORE_CODE_MAX 64
int hub_store_terminal_unprinted (db_t *db, const char *terminal, char (*codes)[HUB_STORE_CODE_MAX], int max);
/* True when no reply can be stored under (terminal, seq): the terminal is
 * known and seq is above its last_seq (a stored reply and the terminal's
 * last_seq are written in the same savepoint, hub_store_terminal_seen; a
 * row made later starts at the last stored number; last_seq never goes
 * down). False says nothing: look the reply up. */
bool hub_store_reply_none (db_t *db, const char *terminal, uint32_t seq);
/* A request of the terminal was applied (seq: its stored number, 0 for one not stored); 0 or the SQLite code. */
int hub_store_terminal_seen (db_t *db, const char *terminal, uint32_t seq, int64_t now_ms);

/* The session of a terminal: operator badge (caller frees), role and station; NULL when nobody. */
char *hub_store_session_get (db_t *db, const char *terminal, int *role, char **station, int64_t *last_ms);
int hub_store_session_set (db_t *db, const char *terminal, const char *badge, int64_t now_ms);

/* Operators. */
struct hub_operator {
	char badge[65];
	char name[129];
	int role;
	char pin_hash[256];
	int failures;
	int64_t locked_until_ms;
	int active;
};
int hub_store_operator_get (db_t *db, const char *badge, struct hub_operator *op);
int hub_store_operator_put (db_t *db, const char *badge, const char *name, int role, const char *pin_hash);
int hub_store_operator_failures (db_t *db, const char *badge, int failures, int64_t locked_until_ms);

#endif
