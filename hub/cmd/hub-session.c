/* hub-session.c: HELLO, LOGIN, LOGOUT and PING (see hub-session.h). */
#include "config.h"
#include "hub-session.h"
#include "hub-scan.h"
#include "hub/store/hub-store.h"
#include "log.h"
#include "screens.h"

#include <stdio.h>
#include <stdlib.h>

int
hub_session_hello (struct hub_req *req)
{
	const proto_msg_t *m = req->msg;
	const char *terminal = proto_msg_terminal (m);
	if (hub_store_terminal_hello (req->db, terminal, proto_get_str (m, PROTO_HELLO_STATION),
	        proto_get_str (m, PROTO_HELLO_PROFILE), proto_get_str (m, PROTO_HELLO_SOFTWARE), req->now_ms) != 0)
		return -1;
	const struct hub_options *o = req->opt;
	hub_reply (req, PROTO_OK, PR_OK, "Welcome to the despatch hub");
	hub_reply_data (req, "hub", "%s", HUB_VERSION);
	hub_reply_data (req, "protocol", "%d", PROTO_VERSION);
	hub_reply_data (req, "heartbeat_ms", "%d", o->heartbeat_ms);
	hub_reply_data (req, "expiry_ms", "%d", o->expiry_ms);
	hub_reply_data (req, "last_seq", "%u", hub_store_terminal_last_seq (req->db, terminal));
	hub_reply_data (req, "seq_max", "%u", PROTO_SEQ_MAX);
	hub_reply_data (req, "started_ms", "%lld", (long long) o->started_ms);
	/* What its P count counts, from the database: the EVENTs that told it were held in the memory of a hub that
	 * has since stopped, or went to a terminal that has since restarted. */
	char codes[PROTO_MAX_UNPRINTED][HUB_STORE_CODE_MAX];
	int n = hub_store_terminal_unprinted (req->db, terminal, codes, PROTO_MAX_UNPRINTED);
	if (n < 0)
		return -1;
	hub_reply_data (req, "unprinted", "%d", n);
	for (int i = 0; i < n; i++) {
		char key[32];
		snprintf (key, sizeof key, "unprinted.%d", i + 1);
		hub_reply_data (req, key, "%s", codes[i]);
	}
	if (req->operator_badge) {
		hub_reply_data (req, "operator", "%s", req->operator_badge);
		hub_reply_data (req, "role", "%s", hub_role_name (req->role));
		char *perms = hub_scan_permissions (req->role);
		hub_reply_data (req, "permissions", "%s", perms);
		free (perms);
	}
	return 0;
}

int
hub_session_login (struct hub_req *req)
{
	const char *badge = proto_get_str (req->msg, PROTO_LOGIN_BADGE);
	const char *pin = proto_get_str (req->msg, PROTO_LOGIN_PIN);
	const char *terminal = proto_msg_terminal (req->msg);
	const struct hub_options *o = req->opt;
	struct hub_operator op;

	if (hub_store_operator_get (req->db, badge, &op) != 0 || !op.active) {
		hub_reply (req, PROTO_REFUSED, PR_BAD_LOGIN, "Badge or PIN not recognised. Scan your badge again");
		log_info ("terminal %s: login refused for unknown badge", terminal);
		return 0;
	}
	if (op.locked_until_ms > req->now_ms) {
		hub_reply (req, PROTO_REFUSED, PR_LOCKED_OUT,
		    "Badge locked after %d wrong PINs. Try again in %lld min. " SCREEN_ASK SCREEN_IN_SUPER (SCREEN_UNLOCK),
		    o->max_failures,
		    (long long) ((op.locked_until_ms - req->now_ms + 59999) / 60000));
		return 0;
	}
	/* argon2id takes a tenth of a second on purpose: the PIN worker checks it, and this run is not kept. */
	int match = hub_ask_pin (req, op.pin_hash, pin);
	if (match < 0)
		return 0;
	if (!match) {
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
			    "Badge locked after %d wrong PINs. " SCREEN_ASK SCREEN_IN_SUPER (SCREEN_UNLOCK),
			    o->max_failures);
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
	char *perms = hub_scan_permissions (op.role);
	hub_reply_data (req, "permissions", "%s", perms);
	free (perms);
	log_info ("terminal %s: operator %s (%s) logged in", terminal, op.badge, hub_role_name (op.role));
	return 0;
}

int
hub_session_logout (struct hub_req *req)
{
	if (hub_store_session_set (req->db, proto_msg_terminal (req->msg), NULL, req->now_ms) != 0)
		return -1;
	hub_reply (req, PROTO_OK, PR_OK, "Logged out");
	return 0;
}

int
hub_session_ping (struct hub_req *req)
{
	hub_reply (req, PROTO_OK, PR_OK, "pong");
	hub_reply_data (req, "time_ms", "%lld", (long long) req->now_ms);
	hub_reply_data (req, "started_ms", "%lld", (long long) req->opt->started_ms);
	return 0;
}
