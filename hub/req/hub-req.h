/*
 * hub-req.h: the request layer: one request as a handler sees it; the
 * reply it fills (hub-reply.h) and what waits for its commit (hub-after.h)
 * come with it.
 *
 * The loop (loop/hub-server.c) makes a request of every message of a batch,
 * and of its own timed jobs (ROLE_SYSTEM), inside the batch's transaction
 * and in a savepoint of its own; the dispatcher (cmd/hub-cmd.c) fills in
 * the session and calls the handler. Everything a handler needs comes with
 * the request: the database, the settings, the batch's clock, the session,
 * and the list of what must wait for the commit. So a handler never calls
 * the loop: it reads, writes through req->db, fills req->reply, and asks
 * req->after for what may happen only once the batch is durable. It never
 * commits and never waits on anything slow: what is slow (drawing, a PIN's
 * hash, a file) it asks of the workers through req->ask, and the request
 * is run again once they have answered.
 *
 * flow.h adds the despatch flow's own vocabulary (scanned codes, orders,
 * parcels, holds, the audit trail) on top of this.
 */
#ifndef DSP_HUB_REQ_H
#define DSP_HUB_REQ_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"
#include "hub-after.h"
#include "hub-ask.h"
#include "hub-reply.h"
#include "hub/hub.h"
#include "hub/store/hub-role.h"
#include "proto.h"

struct hub_req {
	db_t *db;                      /* the hub's one connection, inside the batch's transaction */
	const struct hub_options *opt; /* the hub's settings; opt->conf holds every setting */
	hub_after_t *after;            /* what waits for the commit: files to rename, EVENTs to send */
	hub_ask_t *ask;                /* what it needs of the workers, and their answers (hub-ask.h) */
	const proto_msg_t *msg;
	proto_msg_t *reply;            /* a PROTO_REPLY the handler fills */
	int64_t now_ms;                /* wall clock at the batch start */
	/* The session of the terminal, when logged in (the dispatcher's). */
	const char *operator_badge;
	int role;
	const char *station;
	bool store;                    /* keep the reply for retries (state-changing requests) */
	bool system;                   /* the loop's own request: session given, nothing stored */
};

/* A handler: 0 with req->reply filled, or -1 when the database failed (its
 * effects, and what it asked of req->after, are then rolled back). */
typedef int (hub_handler_fn) (struct hub_req *req);

#endif
