/*
 * hub-later.h: requests that wait for the workers ("reply later").
 *
 * A request whose run asked the workers for something (req/hub-ask.h: a
 * document to draw, a PIN to check, a file to write) is parked here with
 * nothing of it in the database and no reply sent; its needs go to the
 * worker of each kind (hub/work/), which this module owns: the draw, PIN
 * and file workers. When every need is answered the request is ready, and
 * the loop runs it again, whole, in its next batch; if that run needs
 * something new it is parked again. Only the run that needed nothing more
 * is committed, with its stored reply, and answered.
 *
 * The terminal's order is kept: a terminal's state-changing requests that
 * come while one of its requests is parked wait behind it (blocked), and
 * run after it, in the order they came. A retry of a parked request (the
 * same terminal and sequence) is not run twice: its connection is added to
 * the request's, and the one answer goes to each. Requests that change
 * nothing (PING, HELLO) never wait. When the hub stops, what is parked is
 * dropped unanswered: it never touched the database, so the terminal's
 * retry, after the restart, is taken as new.
 */
#ifndef DSP_HUB_LATER_H
#define DSP_HUB_LATER_H

#include <czmq.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hub/req/hub-ask.h"
#include "proto.h"

typedef struct hub_later hub_later_t;

/* One parked request. */
struct hub_later_req {
	struct hub_later_req *next;  /* the module's list */
	uint64_t id;
	char terminal[PROTO_MAX_TERMINAL + 1]; /* "" for the loop's own requests */
	uint32_t seq;
	zframe_t *payload;           /* a terminal's request as it came */
	zmsg_t **routes;             /* each connection it came on (a retry adds one) */
	size_t nroutes;
	proto_msg_t *msg;            /* the loop's own request (a timed job's COMMAND), else NULL */
	char *station;               /* and the station it runs for */
	hub_ask_t *ask;              /* its needs and their answers */
	int runs;                    /* how many times it was run */
	bool blocked;                /* waits behind an earlier request of its terminal; never run yet */
	bool ready;                  /* every need answered (or no longer blocked): run it again */
};

struct work_pin_helpers;
/* Starts the draw, PIN and file workers (the PIN threads on the helper
 * processes given, or checking on themselves when NULL); NULL and *cause
 * when one cannot start. */
hub_later_t *hub_later_new (struct work_pin_helpers *pin_helpers, char **cause);
/* Stops the workers and drops every parked request, unanswered. */
void hub_later_destroy (hub_later_t **self_p);

/* The terminal's parked request with this sequence number, or NULL. */
struct hub_later_req *hub_later_find (hub_later_t *self, const char *terminal, uint32_t seq);
/* Whether the terminal has requests parked (its later state-changing ones wait behind them). */
bool hub_later_busy (hub_later_t *self, const char *terminal);
/* A new request of a terminal: parked waiting for its ask (whose needs go to
 * the workers) or, with ask NULL, blocked behind the terminal's others.
 * Takes the envelope, the payload and the ask. */
void hub_later_park (hub_later_t *self, const char *terminal, uint32_t seq, zmsg_t **envelope_p,
    zframe_t **payload_p, hub_ask_t **ask_p);
/* A new request of the loop's own (takes msg and ask). */
void hub_later_park_system (hub_later_t *self, proto_msg_t **msg_p, const char *station, hub_ask_t **ask_p);
/* A retry of r on another (or the same) connection: the answer goes there too (takes it). */
void hub_later_route (struct hub_later_req *r, zmsg_t **envelope_p);

/* The oldest ready request, taken out of the module (the caller's now), or NULL. */
struct hub_later_req *hub_later_next (hub_later_t *self);
bool hub_later_has_ready (const hub_later_t *self);
/* A request taken by hub_later_next that waits again: back in, its new needs to the workers. */
void hub_later_repark (hub_later_t *self, struct hub_later_req **r_p);
/* A request taken by hub_later_next is done: the next blocked one of its terminal is ready. Frees it. */
void hub_later_done (hub_later_t *self, struct hub_later_req **r_p);
/* How many are parked (waiting, blocked or ready). */
size_t hub_later_count (const hub_later_t *self);

/* The workers' eventfds, for the loop's poll; how many (at most max). */
size_t hub_later_fds (hub_later_t *self, int *fds, size_t max);
/* Take the workers' answers into their requests' asks; a request with all of them is ready. */
void hub_later_answer (hub_later_t *self);

#endif
