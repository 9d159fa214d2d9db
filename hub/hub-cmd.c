/* hub-cmd.c: message table, sessions and permission checks. */
#include "config.h"
#include "hub-cmd.h"
#include "flow.h"
#include "hub-server.h"
#include "hub-store.h"
#include "log.h"
#include "pan.h"
#include "secret.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	int bit;
} hub_roles[] = {
	{ "porter", ROLE_PORTER },
	{ "packer", ROLE_PACKER },
	{ "supervisor", ROLE_SUPERVISOR },
	{ "admin", ROLE_ADMIN },
};

int
hub_role_parse (const char *name)
{
	for (size_t i = 0; i < nitems (hub_roles); i++)
		if (strcmp (name, hub_roles[i].name) == 0)
			return hub_roles[i].bit;
	return 0;
}

const char *
hub_role_name (int role)
{
	for (size_t i = 0; i < nitems (hub_roles); i++)
		if (role == hub_roles[i].bit)
			return hub_roles[i].name;
	return "none";
}

void
hub_reply (struct hub_req *req, int status, int reason, const char *fmt, ...)
{
	va_list ap;
	va_start (ap, fmt);
	char *text = xvasprintf (fmt, ap);
	va_end (ap);
	proto_set_num (req->reply, PROTO_REPLY_STATUS, (uint64_t) status);
	proto_set_num (req->reply, PROTO_REPLY_REASON, (uint64_t) reason);
	proto_set_str (req->reply, PROTO_REPLY_TEXT, text);
	free (text);
}

void
hub_reply_data (struct hub_req *req, const char *key, const char *fmt, ...)
{
	va_list ap;
	va_start (ap, fmt);
	char *v = xvasprintf (fmt, ap);
	va_end (ap);
	proto_hash_set (req->reply, PROTO_REPLY_DATA, key, v);
	free (v);
}

char *
hub_cmd_permissions (int role)
{
	size_t cap = 256, len = 0;
	char *out = xcalloc (1, cap);
	for (int pass = 0; pass < 2; pass++) {
		int n = pass == 0 ? hub_scan_nsteps : hub_scan_ncommands;
		for (int i = 0; i < n; i++) {
			const char *name = pass == 0 ? hub_scan_steps[i].name : hub_scan_commands[i].name;
			int roles = pass == 0 ? hub_scan_steps[i].roles : hub_scan_commands[i].roles;
			if (!(roles & role))
				continue;
			size_t need = strlen (name) + 2;
			if (len + need >= cap) {
				cap = (cap + need) * 2;
				out = xrealloc (out, cap);
			}
			len += (size_t) sprintf (out + len, "%s%s", len ? " " : "", name);
		}
	}
	return out;
}

/* --- message handlers -------------------------------------------------- */

static int
hub_cmd_hello (struct hub_req *req)
{
	const proto_msg_t *m = req->msg;
	const char *terminal = proto_msg_terminal (m);
	if (hub_store_terminal_hello (req->db, terminal, proto_get_str (m, PROTO_HELLO_STATION),
	        proto_get_str (m, PROTO_HELLO_PROFILE), proto_get_str (m, PROTO_HELLO_SOFTWARE), req->now_ms) != 0)
		return -1;
	const struct hub_options *o = hub_opts (req->hub);
	hub_reply (req, PROTO_OK, PR_OK, "Welcome to the despatch hub");
	hub_reply_data (req, "hub", "%s", HUB_VERSION);
	hub_reply_data (req, "protocol", "%d", PROTO_VERSION);
	hub_reply_data (req, "heartbeat_ms", "%d", o->heartbeat_ms);
	hub_reply_data (req, "expiry_ms", "%d", o->expiry_ms);
	hub_reply_data (req, "last_seq", "%u", hub_store_terminal_last_seq (req->db, terminal));
	if (req->operator_badge) {
		hub_reply_data (req, "operator", "%s", req->operator_badge);
		hub_reply_data (req, "role", "%s", hub_role_name (req->role));
		char *perms = hub_cmd_permissions (req->role);
		hub_reply_data (req, "permissions", "%s", perms);
		free (perms);
	}
	return 0;
}

static int
hub_cmd_login (struct hub_req *req)
{
	const char *badge = proto_get_str (req->msg, PROTO_LOGIN_BADGE);
	const char *pin = proto_get_str (req->msg, PROTO_LOGIN_PIN);
	const char *terminal = proto_msg_terminal (req->msg);
	const struct hub_options *o = hub_opts (req->hub);
	struct hub_operator op;

	if (hub_store_operator_get (req->db, badge, &op) != 0 || !op.active) {
		hub_reply (req, PROTO_REFUSED, PR_BAD_LOGIN, "Badge or PIN not recognised. Scan your badge again");
		log_info ("terminal %s: login refused for unknown badge", terminal);
		return 0;
	}
	if (op.locked_until_ms > req->now_ms) {
		hub_reply (req, PROTO_REFUSED, PR_LOCKED_OUT,
		    "Badge locked after %d wrong PINs. Try again in %lld min or ask a supervisor", o->max_failures,
		    (long long) ((op.locked_until_ms - req->now_ms + 59999) / 60000));
		return 0;
	}
	if (!secret_pin_verify (op.pin_hash, pin)) {
		int failures = op.failures + 1;
		int64_t until = 0;
		if (failures >= o->max_failures) {
			until = req->now_ms + (int64_t) o->lockout_s * 1000;
			failures = 0;
			log_warn ("terminal %s: badge %s locked out after repeated wrong PINs", terminal, badge);
		}
		if (hub_store_operator_failures (req->db, badge, failures, until) != 0)
			return -1;
		if (until)
			hub_reply (req, PROTO_REFUSED, PR_LOCKED_OUT,
			    "Badge locked after %d wrong PINs. Ask a supervisor", o->max_failures);
		else
			hub_reply (req, PROTO_REFUSED, PR_BAD_LOGIN, "Badge or PIN not recognised. Try again (%d left)",
			    o->max_failures - failures);
		return 0;
	}
	if (hub_store_operator_failures (req->db, badge, 0, 0) != 0
	    || hub_store_session_set (req->db, terminal, badge, req->now_ms) != 0)
		return -1;
	hub_reply (req, PROTO_OK, PR_OK, "Hello %s", op.name);
	hub_reply_data (req, "operator", "%s", op.badge);
	hub_reply_data (req, "name", "%s", op.name);
	hub_reply_data (req, "role", "%s", hub_role_name (op.role));
	char *perms = hub_cmd_permissions (op.role);
	hub_reply_data (req, "permissions", "%s", perms);
	free (perms);
	log_info ("terminal %s: operator %s (%s) logged in", terminal, op.badge, hub_role_name (op.role));
	return 0;
}

static int
hub_cmd_logout (struct hub_req *req)
{
	if (hub_store_session_set (req->db, proto_msg_terminal (req->msg), NULL, req->now_ms) != 0)
		return -1;
	hub_reply (req, PROTO_OK, PR_OK, "Logged out");
	return 0;
}

static int
hub_cmd_ping (struct hub_req *req)
{
	hub_reply (req, PROTO_OK, PR_OK, "pong");
	hub_reply_data (req, "time_ms", "%lld", (long long) req->now_ms);
	return 0;
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
			hub_reply (req, PROTO_REFUSED, PR_FORBIDDEN, "A %s may not %s. Ask a supervisor",
			    hub_role_name (req->role), step);
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
		if (strcmp (c->name, name) != 0)
			continue;
		if (!(c->roles & req->role)) {
			hub_reply (req, PROTO_REFUSED, PR_FORBIDDEN, "A %s may not %s. Ask a supervisor",
			    hub_role_name (req->role), name);
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
	{ PROTO_HELLO, 0, 0, hub_cmd_hello },
	{ PROTO_LOGIN, 1, 0, hub_cmd_login },
	{ PROTO_LOGOUT, 1, 0, hub_cmd_logout },
	{ PROTO_SCAN, 1, 1, hub_cmd_scan },
	{ PROTO_COMMAND, 1, 1, hub_cmd_command },
	{ PROTO_PING, 0, 0, hub_cmd_ping },
};

int
hub_cmd_is_stored (int id)
{
	for (size_t i = 0; i < nitems (hub_cmd_messages); i++)
		if (hub_cmd_messages[i].id == id)
			return hub_cmd_messages[i].stored;
	return 0;
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
	char *station = NULL;
	int64_t last_ms = 0;
	int role = 0;
	char *badge = hub_store_session_get (req->db, terminal, &role, &station, &last_ms);
	req->operator_badge = badge;
	req->role = role;
	req->station = station ? station : "";
	int rc = 0;

	for (size_t i = 0; i < nitems (hub_cmd_messages); i++) {
		if (hub_cmd_messages[i].id != id)
			continue;
		const struct hub_options *o = hub_opts (req->hub);
		if (hub_cmd_messages[i].needs_session && badge && o->idle_logout_s > 0
		    && req->now_ms - last_ms > (int64_t) o->idle_logout_s * 1000) {
			if (hub_store_session_set (req->db, terminal, NULL, req->now_ms) != 0)
				rc = -1;
			hub_reply (req, PROTO_REFUSED, PR_SESSION_EXPIRED,
			    "Logged out after %d min idle. Scan your badge to log in again", o->idle_logout_s / 60);
		} else if (hub_cmd_messages[i].needs_session && badge == NULL) {
			hub_reply (req, PROTO_REFUSED, PR_NOT_LOGGED_IN, "Nobody is logged in here. Scan your badge");
		} else {
			rc = hub_cmd_messages[i].handle (req);
		}
		goto out;
	}
	hub_reply (req, PROTO_REFUSED, PR_UNKNOWN_COMMAND, "Unknown request");
out:
	hub_cmd_log_event (req, badge);
	free (badge);
	free (station);
	req->operator_badge = NULL;
	req->station = NULL;
	return rc;
}
