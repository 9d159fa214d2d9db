/*
 * hub-cmd.h: the dispatcher: what the hub does with each request. The loop
 * calls hub_cmd_dispatch for every request of a batch (and for its own,
 * req->system), inside the batch's transaction; the dispatcher finds the
 * terminal's session, checks it (logged in, not idle too long) and the
 * operator's role against the tables (hub-scan.h), checks a command's
 * arguments once, runs the handler, and writes one log line per scan or
 * command. Messages, steps and commands are tables.
 */
#ifndef DSP_HUB_CMD_H
#define DSP_HUB_CMD_H

#include "hub/req/hub-req.h"
#include "proto.h"

#include <stdbool.h>

/* Whether replies to this message id are kept for retries (state-changing messages). */
int hub_cmd_is_stored (int id);
/* Whether this request can never ask the workers: a scan of a step that
 * does not wait (hub-scan.h). The loop runs such a request without a
 * savepoint of its own, and undoes its whole batch should it fail. */
bool hub_cmd_bare (const proto_msg_t *msg);
/* Fill req->reply; 0, or -1 when the database failed (the caller rolls back). */
int hub_cmd_dispatch (struct hub_req *req);

#endif
