/* hub-cmd.c: the message table, sessions, permission and argument checks (see hub-cmd.h). */
#include "config.h"
#include "hub-cmd.h"
#include "hub-scan.h"
#include "hub-session.h"
#include "hub/req/flow.h"
#include "hub/store/hub-store.h"
#include "log.h"
#include "pan.h"
#include "screens.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Not this role's: a supervisor does it, and the words say on which screen. */
static void
hub_cmd_forbidden (struct hub_req *req, const char *what)
{
	const char *screen = hub_scan_screen (what);
	hub_reply (req, PROTO_REFUSED, PR_FORBIDDEN, "A %s may not %s. %s%s", hub_role_name (req->role), what,
	    screen ? SCREEN_ASK : "Ask a supervisor", screen ? screen : "");
}

static int
hub_cmd_scan (struct hub_req *req)
{
	const char *step = proto_get_str (req->msg, PROTO_SCAN_STEP);
	/* A card number is never a despatch code: refused, and kept only masked (flow_scan_done). */
	if (pan_find (proto_get_str (req->msg, PROTO_SCAN_CODE))) {
		hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT,
		    "That was a payment card number: it was not kept. Never scan cards; scan the despatch ticket");
		hub_reply_data (req, "warning", "card-number");
		return flow_scan_done (req, NULL, 0);
	}
	for (int i = 0; i < hub_scan_nsteps; i++) {
		const struct hub_step *s = &hub_scan_steps[i];
		if (strcmp (s->name, step) != 0)
			continue;
		if (!(s->roles & req->role)) {
			hub_cmd_forbidden (req, step);
			return 0;
		}
		return s->handle (req);
	}
	hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT, "Unknown step '%s'. Update the terminal software", step);
	return 0;
}

static int
hub_cmd_command (struct hub_req *req)
{
	const char *name = proto_get_str (req->msg, PROTO_COMMAND_NAME);
	for (int i = 0; i < hub_scan_ncommands; i++) {
		const struct hub_command *c = &hub_scan_commands[i];
		if (strcmp (c->name, name) != 0 || ((c->roles & ROLE_SYSTEM) && !req->system))
			continue;
		if (!(c->roles & req->role)) {
			hub_cmd_forbidden (req, name);
			return 0;
		}
		/* Arguments are checked once, here, before any handler runs. */
		char *need = xstrdup (c->args ? c->args : "");
		char *save = NULL;
		for (char *k = strtok_r (need, " ", &save); k; k = strtok_r (NULL, " ", &save)) {
			const char *v = proto_hash_get (req->msg, PROTO_COMMAND_ARGS, k);
			if (v == NULL || *v == '\0') {
				hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT, "%s needs '%s'. Fill it in and send again",
				    name, k);
				free (need);
				return 0;
			}
		}
		free (need);
		return c->handle (req);
	}
	hub_reply (req, PROTO_REFUSED, PR_UNKNOWN_COMMAND, "Unknown command '%s'. Update the terminal software", name);
	return 0;
}

/* needs_session: refuse unless an operator is logged in on this terminal. */
static const struct {
	int id;
	int stored;
	int needs_session;
	hub_handler_fn *handle;
} hub_cmd_messages[] = {
	{ PROTO_HELLO, 0, 0, hub_session_hello },
	{ PROTO_LOGIN, 1, 0, hub_session_login },
	{ PROTO_LOGOUT, 1, 0, hub_session_logout },
	{ PROTO_SCAN, 1, 1, hub_cmd_scan },
	{ PROTO_COMMAND, 1, 1, hub_cmd_command },
	{ PROTO_PING, 0, 0, hub_session_ping },
};

int
hub_cmd_is_stored (int id)
{
	for (size_t i = 0; i < nitems (hub_cmd_messages); i++)
		if (hub_cmd_messages[i].id == id)
			return hub_cmd_messages[i].stored;
	return 0;
}

bool
hub_cmd_bare (const proto_msg_t *msg)
{
	if (proto_msg_id (msg) != PROTO_SCAN)
		return false;
	const char *step = proto_get_str (msg, PROTO_SCAN_STEP);
	for (int i = 0; step && i < hub_scan_nsteps; i++)
		if (strcmp (hub_scan_steps[i].name, step) == 0)
			return !hub_scan_steps[i].waits;
	return false;
}

/*
 * One log line per scan or command: terminal, operator, station, what, the
 * order and parcel the reply names, and the outcome. Never the scanned code
 * itself (a scanner reads anything, a card number included) and never a PIN.
 */
static void
hub_cmd_log_event (const struct hub_req *req, const char *badge)
{
	int id = proto_msg_id (req->msg);
	const char *what = id == PROTO_SCAN ? proto_get_str (req->msg, PROTO_SCAN_STEP)
	    : id == PROTO_COMMAND ? proto_get_str (req->msg, PROTO_COMMAND_NAME) : NULL;
	if (what == NULL)
		return;
	const char *order = proto_hash_get (req->reply, PROTO_REPLY_DATA, "order");
	const char *parcel = proto_hash_get (req->reply, PROTO_REPLY_DATA, "parcel");
	int status = (int) proto_get_num (req->reply, PROTO_REPLY_STATUS);
	int reason = (int) proto_get_num (req->reply, PROTO_REPLY_REASON);
	char where[160] = "";
	if (order && *order)
		snprintf (where, sizeof where, " order %s", order);
	if (parcel && *parcel)
		snprintf (where + strlen (where), sizeof where - strlen (where), " parcel %s", parcel);
	char line[512];
	snprintf (line, sizeof line, "terminal %s operator %s station %s: %s %s%s: %s%s%s", proto_msg_terminal (req->msg),
	    badge ? badge : "-", req->station && *req->station ? req->station : "-", id == PROTO_SCAN ? "scan" : "command",
	    what, where, proto_status_name (status), reason ? " " : "", reason ? proto_reason_name (reason) : "");
	if (status >= PROTO_REFUSED)
		log_warn ("%s", line);
	else
		log_info ("%s", line);
}

int
hub_cmd_dispatch (struct hub_req *req)
{
	int id = proto_msg_id (req->msg);
	const char *terminal = proto_msg_terminal (req->msg);
	char *badge = NULL, *station = NULL;
	int64_t last_ms = 0;
	/* The loop's own requests come with their session; a terminal's is looked up. */
	if (!req->system) {
		int role = 0;
		badge = hub_store_session_get (req->db, terminal, &role, &station, &last_ms);
		req->operator_badge = badge;
		req->role = role;
		req->station = station ? station : "";
	}
	int rc = 0;

	for (size_t i = 0; i < nitems (hub_cmd_messages); i++) {
		if (hub_cmd_messages[i].id != id)
			continue;
		const struct hub_options *o = req->opt;
		if (hub_cmd_messages[i].needs_session && !req->system && badge && o->idle_logout_s > 0
		    && req->now_ms - last_ms > (int64_t) o->idle_logout_s * 1000) {
			if (hub_store_session_set (req->db, terminal, NULL, req->now_ms) != 0)
				rc = -1;
			hub_reply (req, PROTO_REFUSED, PR_SESSION_EXPIRED,
			    "Logged out after %d min idle. Scan your badge to log in again", o->idle_logout_s / 60);
		} else if (hub_cmd_messages[i].needs_session && req->operator_badge == NULL) {
			hub_reply (req, PROTO_REFUSED, PR_NOT_LOGGED_IN, "Nobody is logged in here. Scan your badge");
		} else {
			rc = hub_cmd_messages[i].handle (req);
		}
		goto out;
	}
	hub_reply (req, PROTO_REFUSED, PR_UNKNOWN_COMMAND, "Unknown request");
out:
	/* A run that waits for the workers is not kept: the run that is logs it. */
	if (!hub_ask_waiting (req->ask))
		hub_cmd_log_event (req, req->operator_badge);
	if (!req->system) {
		req->operator_badge = NULL;
		req->station = NULL;
	}
	free (badge);
	free (station);
	return rc;
}
