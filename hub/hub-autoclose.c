/*
 * hub-autoclose.c: automatic close-out at a carrier's cut-off
 * (doc/carriers.md, `autoclose = yes`). The hub's loop calls
 * hub_autoclose_tick; once a minute (carriers.autoclose_every_s) it
 * looks at each carrier with autoclose and a cut-off: once the hub's clock
 * has passed today's cut-off and no automatic close-out of that carrier is
 * recorded since, it runs the close-out command as the operator "system"
 * at the station carriers.autoclose_station (whose document printer takes
 * the collection receipt), in its own transaction, audited as an
 * "autoclose" event (code = the carrier) besides the close-out's own.
 *
 * carriers.clock_offset_s moves only this clock, in seconds: for tests
 * (a cut-off reached without waiting for it), never for production.
 */
#include "config.h"
#include "carriers/carrier.h"
#include "flow.h"
#include "hub-server.h"
#include "log.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static int64_t hub_autoclose_next_ms;

/* One carrier's close-out as "system", in its own transaction. */
static void
hub_autoclose_run (hub_t *hub, const struct carrier *c, int64_t now_ms)
{
	db_t *db = hub_db (hub);
	conf_t *conf = hub_opts (hub)->conf;
	const char *station = conf ? conf_get (conf, "carriers.autoclose_station", "despatch") : "despatch";
	proto_msg_t *msg = proto_msg_new (PROTO_COMMAND);
	proto_msg_set_terminal (msg, "hub");
	proto_set_str (msg, PROTO_COMMAND_NAME, "closeout");
	proto_hash_set (msg, PROTO_COMMAND_ARGS, "carrier", c->code);
	proto_hash_set (msg, PROTO_COMMAND_ARGS, "code", c->code);
	struct hub_req req = {
		.hub = hub,
		.db = db,
		.msg = msg,
		.reply = proto_msg_reply_to (msg, PROTO_REPLY),
		.now_ms = now_ms,
		.operator_badge = "system",
		.role = ROLE_ADMIN,
		.station = station,
	};
	int rc = db_begin (db) == DB_DONE ? 0 : -1;
	if (rc == 0)
		rc = flow_cmd_closeout (&req);
	int status = (int) proto_get_num (req.reply, PROTO_REPLY_STATUS);
	const char *text = proto_get_str (req.reply, PROTO_REPLY_TEXT);
	const char *manifest = proto_hash_get (req.reply, PROTO_REPLY_DATA, "manifest");
	bool closed = rc == 0 && manifest != NULL;
	if (closed && flow_event (&req, "autoclose", NULL, 0, 0, false, "%s closed out at its cut-off %02d:%02d: %s",
	        c->code, c->cutoff_min / 60, c->cutoff_min % 60, text ? text : "") != 0)
		rc = -1;
	bool committed = rc == 0 && db_commit (db) == DB_DONE;
	hub_files_settle (hub, committed); /* the manifest file takes its name only now */
	if (committed) {
		if (closed)
			log_info ("autoclose: %s", text ? text : "");
		if (closed && status == PROTO_WARN)
			log_warn ("autoclose %s: labelled parcels were not on a cage and are not in manifest %s",
			    c->code, manifest);
	} else {
		log_error ("autoclose %s: not closed out: %s", c->code, db_errmsg (db));
		db_rollback (db);
	}
	proto_msg_destroy (&req.reply);
	proto_msg_destroy (&msg);
}

void
hub_autoclose_tick (hub_t *hub)
{
	int64_t mono = util_mono_ms ();
	if (mono < hub_autoclose_next_ms)
		return;
	conf_t *conf = hub_opts (hub)->conf;
	long every_s = 60, offset_s = 0;
	char *cause = NULL;
	if (conf && (conf_get_long (conf, "carriers.autoclose_every_s", 60, 1, 3600, &every_s, &cause) != 0
	        || conf_get_long (conf, "carriers.clock_offset_s", 0, -7L * 86400, 7L * 86400, &offset_s, &cause) != 0)) {
		log_error ("autoclose: %s", cause);
		free (cause);
		every_s = 60;
		offset_s = 0;
	}
	hub_autoclose_next_ms = mono + every_s * 1000;
	int64_t now_ms = util_wall_ms () + offset_s * 1000;
	const struct carrier *due[64];
	int n = carrier_autoclose_due (carrier_current (), hub_db (hub), now_ms, due, (int) nitems (due));
	for (int i = 0; i < n; i++)
		hub_autoclose_run (hub, due[i], now_ms);
}
