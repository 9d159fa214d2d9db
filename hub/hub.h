/*
 * hub.h: the despatch hub's shared types. The hub is single-threaded: one
 * event loop (hub-server.c) owns the ROUTER socket and the one SQLite
 * connection (hub-store.c); handlers (hub-cmd.c and the flow files) run
 * inside the loop's transaction and must not block.
 */
#ifndef DSP_HUB_H
#define DSP_HUB_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "db.h"
#include "proto.h"

#define HUB_VERSION PACKAGE_VERSION

/* Roles as bits, so a table entry can name every role that may act. */
enum hub_role {
	ROLE_PORTER = 1 << 0,
	ROLE_PACKER = 1 << 1,
	ROLE_SUPERVISOR = 1 << 2,
	ROLE_ADMIN = 1 << 3,
};
#define ROLE_ANY (ROLE_PORTER | ROLE_PACKER | ROLE_SUPERVISOR | ROLE_ADMIN)
#define ROLE_LEAD (ROLE_SUPERVISOR | ROLE_ADMIN)

typedef struct hub hub_t;

struct hub_options {
	const char *endpoint;   /* ROUTER bind */
	const char *database;   /* SQLite file */
	int heartbeat_ms;       /* how often terminals should PING */
	int expiry_ms;          /* a terminal silent this long is "quiet" */
	int batch_max;          /* requests applied in one transaction */
	int max_failures;       /* PIN failures before lockout */
	int lockout_s;          /* lockout length */
	int idle_logout_s;      /* session idle limit; 0 = never */
	const char *integration; /* REP endpoint for order pushes; NULL = off */
	const char *inbox;      /* folder of order files to import; NULL = off */
	bool curve;             /* CURVE + ZAP allow-list on every socket (hub-curve.c) */
	const char *keys_dir;   /* hub certificate and allowed/ terminal certificates */
	int retention_days;     /* erase personal data this long after delivery; 0 = keep (hub-erase.h) */
	conf_t *conf;           /* every setting, for the parts that read their own (printers) */
};

/* One request being handled, inside the batch transaction. */
struct hub_req {
	hub_t *hub;
	db_t *db;
	const proto_msg_t *msg;
	proto_msg_t *reply; /* a PROTO_REPLY the handler fills */
	int64_t now_ms;     /* wall clock at the batch start */
	/* The session of the terminal, when logged in. */
	const char *operator_badge;
	int role;
	const char *station;
	bool store;         /* keep the reply for retries (state-changing requests) */
};

/* Fill req->reply's status, reason and text. */
void hub_reply (struct hub_req *req, int status, int reason, const char *fmt, ...)
	__attribute__ ((format (printf, 4, 5)));
void hub_reply_data (struct hub_req *req, const char *key, const char *fmt, ...)
	__attribute__ ((format (printf, 3, 4)));

/* Role names <-> bits. */
int hub_role_parse (const char *name);
const char *hub_role_name (int role);

#endif
