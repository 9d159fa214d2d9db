/* hub-server.c: the ROUTER loop with group commit, stored replies and the table of timed jobs (see hub-server.h). */
#include "config.h"
#include "hub-server.h"
#include "carriers/carrier.h"
#include "hub-checkpoint.h"
#include "hub-curve.h"
#include "hub-events.h"
#include "hub-chore.h"
#include "hub-feed.h"
#include "hub-flush.h"
#include "hub-held.h"
#include "hub-later.h"
#include "hub-metrics.h"
#include "hub-notify.h"
#include "hub-reload.h"
#include "hub-retention.h"
#include "hub-spool.h"
#include "hub/cmd/hub-cmd.h"
#include "hub/req/hub-after.h"
#include "hub/req/hub-ask.h"
#include "hub/req/hub-req.h"
#include "hub/store/hub-erase.h"
#include "hub/store/hub-store.h"
#include "hub/work/work.h"
#include "log.h"
#include "secret.h"
#include "util.h"

#include <czmq.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HUB_PRUNE_EVERY_MS (60 * 60 * 1000)
#define HUB_REPLY_KEEP_MS ((int64_t) 7 * 24 * 60 * 60 * 1000)
/* The print worker's answers are recorded with the next batch of requests,
 * or after this long when none comes: their own commit would be another
 * fsync on the loop for every label (two a label: taken, printed). A job
 * whose answer was not yet recorded at a crash is looked for by identity. */
#define HUB_SERVER_SPOOL_WAIT_MS 50
/* Moves and cancels for CUPS wait for the flush of the commands that asked them, at most this long. */
#define HUB_SERVER_MOVES_WAIT_MS 1000
/* A request that still needs something new after this many runs is refused
 * (unstored, so the terminal's retry starts afresh): its inputs keep moving. */
#define HUB_SERVER_RUNS_MAX 8

struct hub_server {
	struct hub_options opt;
	db_t *db;
	zsock_t *router;
	int64_t started_ms;
	hub_feed_t *feed; /* orders in: integration endpoint and inbox (hub-feed.c) */
	zhashx_t *routes; /* terminal id -> its routing frames (zmsg_t), for EVENTs */
	zhashx_t *steady; /* terminals heard twice on their route (the value is unused): EVENTs go to these */
	hub_held_t *held; /* EVENTs for terminals that cannot be reached now */
	zlistx_t *heard;  /* terminals with EVENTs held, heard from in this batch: theirs go after its replies */
	hub_curve_t *curve; /* CURVE and the ZAP allow-list; NULL with security.curve = no */
	hub_checkpoint_t *checkpoint;
	hub_events_t *events; /* shipment events out: PUB socket and export files (hub-events.c) */
	hub_after_t *after; /* what waits for the commit: renames, EVENTs (req/hub-after.h) */
	hub_spool_t *spool; /* print jobs to CUPS after their commit, through the print worker (hub-spool.c) */
	hub_flush_t *flush; /* the batches' flush, and the replies and EVENTs held behind it (hub-flush.h) */
	hub_later_t *later; /* requests waiting for the draw, PIN and file workers (hub-later.c) */
	int64_t spool_due;  /* monotonic ms by which the print worker's answers are recorded; 0: none waiting */
	/* The commit (hub_flush_committed's number) whose print marks and answers wait for its flush before the
	 * spooler settles them (hub_spool_committed); 0: none. Until then the spooler is asked nothing that writes. */
	uint64_t spool_wait;
	int64_t moves_left; /* monotonic ms since the follow has left moves and cancels for a flush; 0: none left */
	int64_t *tick_next; /* per tick of hub_server_ticks: when it is due (monotonic ms) */
	hub_erase_due_t *due;     /* retention looking for the orders due, a slice each turn of the loop (hub-erase.h) */
	hub_erase_sweep_t *sweep; /* retention under way, a slice each turn of the loop */
	int64_t sweep_ms;
	int *tick_every;    /* and how often, from the table or its setting */
	const char *autoclose_station; /* whose document printer takes the collection receipt */
	int64_t clock_offset_ms;       /* carriers.clock_offset_s: moves the autoclose clock, for tests */
	hub_chores_t *chores;          /* the thread for slow chores: metrics, file retention (hub-chore.h) */
	hub_metrics_t *metrics;        /* the metrics file (hub-metrics.h) */
	hub_retention_t *files;        /* old exports, manifests, inbox files, reports (hub-retention.h) */
	uint8_t digest_key[SECRET_DIGEST_KEY]; /* the stored requests' digests (hub_curve_digest_key) */
	/* The open batch: every request in a savepoint of its own (after a bare one failed), and whether one
	 * that ran without failed or waited, so that the batch is undone and run again (hub_server_batch_again). */
	bool batch_safe;
	bool batch_again;
};

/* One request of a batch: its envelope, who sent it and, once handled, its reply frame. */
struct hub_server_item {
	zmsg_t *envelope;   /* routing frames, kept for the reply (NULL once the request is parked) */
	zframe_t *payload;
	char *key_name;     /* the name the sender's key is enrolled as (ZAP's User-Id); NULL without CURVE */
	char *peer;         /* the sender in words, for the log: "key hh-01", "address 10.0.4.7" */
	uint8_t *reply;
	size_t reply_size;
	struct hub_later_req *later; /* a parked request run again (its routes take the reply), else NULL */
	proto_msg_t *sys_reply;      /* a parked request of the loop's own: its reply, and the dispatcher's rc */
	int sys_rc;
};

static void
hub_server_on_wal (void *arg, int frames, bool flushed)
{
	hub_server_t *self = arg;
	hub_checkpoint_wal (self->checkpoint, frames);
	if (flushed && self->flush)
		hub_flush_durable (self->flush);
}

/* Send an EVENT to a terminal (takes the message). One the hub cannot reach now (not heard from since it
 * started, its connection gone, or a connection it has spoken on only once) is held until it speaks again on
 * the same connection (hub-held.h). The after-commit list calls it. */
static void
hub_server_send_event (void *arg, const char *terminal, proto_msg_t **event_p)
{
	hub_server_t *self = arg;
	/* Behind a reply still waiting for its commit's flush, an EVENT waits too: it goes in its turn. */
	if (*event_p && self->flush && hub_flush_event (self->flush, terminal, event_p))
		return;
	proto_msg_t *ev = *event_p;
	*event_p = NULL;
	if (ev == NULL)
		return;
	if (*terminal == '\0') { /* a job no terminal asked for (a row of an older hub): nobody to tell */
		proto_msg_destroy (&ev);
		return;
	}
	zmsg_t *route = zhashx_lookup (self->routes, terminal);
	if (route == NULL || zhashx_lookup (self->steady, terminal) == NULL) {
		hub_held_keep (self->held, terminal, &ev, util_mono_ms ());
		return;
	}
	proto_msg_set_terminal (ev, terminal);
	size_t size;
	uint8_t *data = proto_encode (ev, &size);
	if (data == NULL) {
		proto_msg_destroy (&ev);
		return;
	}
	zmsg_t *out = zmsg_dup (route);
	zmsg_addmem (out, data, size);
	free (data);
	if (zmsg_send (&out, self->router) != 0) {
		/* Its connection is gone (ROUTER_MANDATORY): the route with it, learned again when it speaks. */
		log_debug ("terminal %s is not connected; event held for it", terminal);
		zhashx_delete (self->routes, terminal);
		zhashx_delete (self->steady, terminal);
		hub_held_keep (self->held, terminal, &ev, util_mono_ms ());
	}
	proto_msg_destroy (&ev);
	zmsg_destroy (&out);
}

/* An ERROR frame, for requests that were not applied (never stored). */
static uint8_t *
hub_server_error (const char *terminal, uint32_t seq, int reason, const char *text, size_t *size)
{
	proto_msg_t *m = proto_msg_new (PROTO_ERROR);
	proto_msg_set_terminal (m, terminal);
	proto_msg_set_seq (m, seq);
	proto_set_num (m, PROTO_ERROR_REASON, (uint64_t) reason);
	proto_set_str (m, PROTO_ERROR_TEXT, text);
	uint8_t *out = proto_encode (m, size);
	proto_msg_destroy (&m);
	return out;
}

/* A run that waits for the workers: all it did is undone, and it is made again (files it had written stay). */
static void
hub_server_savepoint_wait (hub_server_t *self, struct hub_after_mark mark)
{
	db_exec (self->db, "ROLLBACK TO req");
	db_exec (self->db, "RELEASE req");
	hub_after_forget (self->after, mark);
}

/* End a request's savepoint: keep what it did (rc 0), or undo it and what it asked of the after-list. */
static void
hub_server_savepoint_end (hub_server_t *self, struct hub_after_mark mark, int rc)
{
	if (rc == 0) {
		db_exec (self->db, "RELEASE req");
		return;
	}
	db_exec (self->db, "ROLLBACK TO req");
	db_exec (self->db, "RELEASE req");
	hub_after_drop (self->after, mark);
}

/*
 * A stored request already answered under its (terminal, seq): true with
 * it->reply set when this is a repeat (the stored reply, byte for byte) or
 * another request under a number already used (refused, never applied and
 * never given the other's reply); false when the number is new.
 */
static bool
hub_server_repeat (hub_server_t *self, struct hub_server_item *it, const proto_msg_t *msg,
    const uint8_t digest[HUB_STORE_DIGEST])
{
	const char *terminal = proto_msg_terminal (msg);
	uint32_t seq = proto_msg_seq (msg);
	uint8_t was[HUB_STORE_DIGEST];
	bool has_digest;
	/* A terminal's next number, as nearly every request has, needs no search of the stored replies. */
	if (hub_store_reply_none (self->db, terminal, seq))
		return false;
	it->reply = hub_store_reply_get (self->db, terminal, seq, &it->reply_size, was, &has_digest);
	if (it->reply == NULL)
		return false;
	/* A reply stored before digests were kept cannot be compared: answered as it was. */
	if (!has_digest || memcmp (was, digest, HUB_STORE_DIGEST) == 0) {
		log_debug ("terminal %s seq %u: repeat, stored reply sent", terminal, seq);
		return true;
	}
	free (it->reply);
	uint32_t last = hub_store_terminal_last_seq (self->db, terminal);
	log_peer (LOG_LVL_WARN, it->peer, "terminal %s seq %u: a %s that is not the request stored under that number: "
	    "refused (SEQUENCE_REUSED)", terminal, seq, proto_id_name (proto_msg_id (msg)));
	char *text = xasprintf ("Sequence number %u was used by another request of this terminal: nothing was done. "
	    "Send it again with a new number (above %u)", seq, last);
	it->reply = hub_server_error (terminal, seq, PR_SEQUENCE_REUSED, text, &it->reply_size);
	free (text);
	return true;
}

/*
 * A terminal's request that must not run now: a retry of one that waits
 * for the workers (it takes the same answer, on this connection too), or a
 * state-changing request of a terminal with one waiting (it runs after it,
 * in its turn). True when it was taken so; nothing is sent for it now.
 */
static bool
hub_server_later_take (hub_server_t *self, struct hub_server_item *it, const char *terminal, uint32_t seq, int stored)
{
	struct hub_later_req *r = hub_later_find (self->later, terminal, seq);
	if (r && !zframe_eq (r->payload, it->payload)) {
		/* Another request under the number of one still being worked out: never given its answer. */
		log_peer (LOG_LVL_WARN, it->peer, "terminal %s seq %u: not the request waiting under that number: refused "
		    "(SEQUENCE_REUSED)", terminal, seq);
		char *text = xasprintf ("Sequence number %u is taken by another request of this terminal, still being "
		    "worked out: nothing was done. Send it again with a new number", seq);
		it->reply = hub_server_error (terminal, seq, PR_SEQUENCE_REUSED, text, &it->reply_size);
		free (text);
		return true;
	}
	if (r) {
		log_debug ("terminal %s seq %u: repeat of a request still being worked out; answered with it", terminal, seq);
		hub_later_route (r, &it->envelope);
		return true;
	}
	if (stored && hub_later_busy (self->later, terminal)) {
		hub_later_park (self->later, terminal, seq, &it->envelope, &it->payload, NULL);
		return true;
	}
	return false;
}

/*
 * Handle one decoded request of a terminal inside the batch transaction.
 * ask holds what earlier runs of it had answered (a parked request run
 * again). False when the run waits for the workers: nothing of it is kept
 * and it->reply stays NULL; the caller parks it.
 */
static bool
hub_server_apply (hub_server_t *self, struct hub_server_item *it, const proto_msg_t *msg, int64_t now_ms,
    hub_ask_t *ask)
{
	const char *terminal = proto_msg_terminal (msg);
	uint32_t seq = proto_msg_seq (msg);
	int stored = hub_cmd_is_stored (proto_msg_id (msg));
	/* What makes a repeat the same request: the whole frame, digested with
	 * the hub's own key (a LOGIN's PIN never lies unkeyed in the database). */
	uint8_t digest[HUB_STORE_DIGEST] = { 0 };
	if (stored) {
		/* A parked request run again has its frame with it. */
		zframe_t *frame = it->later ? it->later->payload : it->payload;
		secret_digest (self->digest_key, zframe_data (frame), zframe_size (frame), digest);
		if (hub_server_repeat (self, it, msg, digest))
			return true;
	}
	if (it->later == NULL && hub_server_later_take (self, it, terminal, seq, stored))
		return true;
	struct hub_after_mark mark = hub_after_mark (self->after);
	/* A scan that never asks the workers runs bare, without a savepoint:
	 * copying the pages it changes into a statement journal cost about a
	 * tenth of a receive. If it fails (or waits after all), nothing of it
	 * can be undone alone: its batch is undone and run again, each request
	 * in a savepoint of its own (hub_server_batch_again). */
	bool bare = !self->batch_safe && hub_cmd_bare (msg);
	if (!bare && db_exec (self->db, "SAVEPOINT req") != DB_DONE) {
		it->reply = hub_server_error (terminal, seq, PR_STORAGE,
		    "the hub cannot write its database; nothing was recorded, try again shortly", &it->reply_size);
		return true;
	}
	struct hub_req req = {
		.db = self->db,
		.opt = &self->opt,
		.after = self->after,
		.ask = ask,
		.msg = msg,
		.reply = proto_msg_reply_to (msg, PROTO_REPLY),
		.now_ms = now_ms,
		.store = stored,
	};
	int rc = hub_cmd_dispatch (&req);
	if (hub_ask_waiting (ask) && bare) {
		self->batch_again = true;
		proto_msg_destroy (&req.reply);
		return true;
	}
	if (hub_ask_waiting (ask)) {
		/* Nothing of a run that waits is kept: the request runs again, whole, with the answers. */
		hub_server_savepoint_wait (self, mark);
		proto_msg_destroy (&req.reply);
		return false;
	}
	uint8_t *out = proto_encode (req.reply, &it->reply_size);
	if (out == NULL) {
		log_error ("terminal %s seq %u: reply too large to encode", terminal, seq);
		rc = -1;
	}
	if (rc == 0 && stored && hub_store_reply_put (self->db, terminal, seq, now_ms, out, it->reply_size, digest) != 0)
		rc = -1;
	/* A stored reply without its number in last_seq would not be looked for again (hub_store_reply_none). */
	if (rc == 0 && hub_store_terminal_seen (self->db, terminal, stored ? seq : 0, now_ms) != 0)
		rc = -1;
	if (bare && rc != 0) {
		self->batch_again = true;
		free (out);
		proto_msg_destroy (&req.reply);
		return true;
	}
	if (!bare)
		hub_server_savepoint_end (self, mark, rc);
	if (rc == 0) {
		it->reply = out;
	} else {
		free (out);
		log_error ("terminal %s seq %u: not applied: %s", terminal, seq, db_errmsg (self->db));
		it->reply = hub_server_error (terminal, seq, PR_STORAGE,
		    "the hub could not record this; nothing was changed, try again shortly", &it->reply_size);
	}
	proto_msg_destroy (&req.reply);
	return true;
}

static bool
hub_server_route_same (zmsg_t *a, zmsg_t *b)
{
	if (zmsg_size (a) != zmsg_size (b))
		return false;
	for (zframe_t *fa = zmsg_first (a), *fb = zmsg_first (b); fa && fb; fa = zmsg_next (a), fb = zmsg_next (b))
		if (!zframe_eq (fa, fb))
			return false;
	return true;
}

/* The refusal of a message that names another terminal than its key: said
 * to the sender, logged (limited per sender, log.h) and audited under the
 * key's own name, so nothing of the other terminal is ever reached. */
static void
hub_server_wrong_terminal (hub_server_t *self, struct hub_server_item *it, const proto_msg_t *msg, int64_t now_ms)
{
	const char *claimed = proto_msg_terminal (msg);
	const char *what = proto_id_name (proto_msg_id (msg));
	uint32_t seq = proto_msg_seq (msg);
	log_peer (LOG_LVL_WARN, it->peer, "sent %s seq %u as terminal %s: refused (WRONG_TERMINAL), its key is enrolled "
	    "as %s", what, seq, claimed, it->key_name);
	/* Every one audited: the log is limited per sender, the audit trail is the record. */
	char *detail = xasprintf ("%s seq %u naming terminal %s refused: the key is enrolled as %s", what, seq, claimed,
	    it->key_name);
	if (hub_store_audit_refusal (self->db, it->key_name, seq, "wrong-terminal", detail, now_ms) != 0)
		log_error ("the refusal of %s was not audited: %s", it->peer, db_errmsg (self->db));
	free (detail);
	char *text = xasprintf ("This device's key is enrolled as terminal %s, not %s: nothing was done. Set this "
	    "terminal's id to %s, or ask an administrator to move the key (despatch keys rename)", it->key_name, claimed,
	    it->key_name);
	it->reply = hub_server_error (claimed, seq, PR_WRONG_TERMINAL, text, &it->reply_size);
	free (text);
}

/*
 * The door every message passes before the dispatcher sees it: the frame
 * decodes (fields within their limits, text acceptable), it is a request,
 * names a terminal, the terminal is the one the sender's key is enrolled as,
 * and its sequence number is in range. Returns the message (caller
 * destroys), or NULL with it->reply set to the ERROR that refuses it; the
 * ERROR echoes the terminal and seq whenever the header could be read.
 */
static proto_msg_t *
hub_server_intake (hub_server_t *self, struct hub_server_item *it, int64_t now_ms)
{
	char err[200] = "";
	struct proto_head head;
	proto_msg_t *msg = NULL;
	int reason = proto_decode (zframe_data (it->payload), zframe_size (it->payload), &msg, &head, err, sizeof err);
	const char *terminal = head.terminal;
	uint32_t seq = head.has_ids ? head.seq : 0;
	if (reason == 0 && !proto_is_request (proto_msg_id (msg))) {
		reason = PR_UNKNOWN_COMMAND;
		snprintf (err, sizeof err, "a %s is the hub's to send, not a request", proto_id_name (proto_msg_id (msg)));
	} else if (reason == 0 && *terminal == '\0') {
		reason = PR_MALFORMED;
		snprintf (err, sizeof err, "the terminal id is missing");
	} else if (reason == 0 && it->key_name && strcmp (it->key_name, terminal) != 0) {
		hub_server_wrong_terminal (self, it, msg, now_ms);
		proto_msg_destroy (&msg);
		return NULL;
	} else if (reason == 0 && (reason = proto_seq_check (proto_msg_id (msg), seq)) != 0) {
		snprintf (err, sizeof err, "sequence number %u is out of range for %s (0 is never a request's; a stored "
		    "request's is at most %u)", seq, proto_id_name (proto_msg_id (msg)), PROTO_SEQ_MAX);
	}
	if (reason == 0)
		return msg;
	proto_msg_destroy (&msg);
	log_peer (LOG_LVL_WARN, it->peer, "message refused (%s): %s", proto_reason_name (reason), err);
	char *text = xasprintf ("message refused, nothing was done: %s", err);
	it->reply = hub_server_error (terminal, seq, reason, text, &it->reply_size);
	free (text);
	return NULL;
}

static void
hub_server_decode_and_apply (hub_server_t *self, struct hub_server_item *it, int64_t now_ms)
{
	proto_msg_t *msg = hub_server_intake (self, it, now_ms);
	if (msg == NULL)
		return;
	/* The latest routing frames of each terminal, so EVENTs can reach it (copied only when they change: a
	 * terminal keeps its connection). A connection is steady once the terminal speaks on it with anything but a HELLO: a terminal coming
	 * back tries HELLO on a fresh connection each time one goes unanswered (so what is sent to the one it
	 * has just left is lost), and sends anything else only once a HELLO is answered, on that connection.
	 * EVENTs go to a steady connection; until then they are held. */
	const char *term = proto_msg_terminal (msg);
	zmsg_t *known = zhashx_lookup (self->routes, term);
	bool fresh = known == NULL || !hub_server_route_same (known, it->envelope);
	if (fresh) {
		zhashx_update (self->routes, term, zmsg_dup (it->envelope));
		zhashx_delete (self->steady, term);
	}
	if (proto_msg_id (msg) != PROTO_HELLO && zhashx_lookup (self->steady, term) == NULL) {
		zhashx_insert (self->steady, term, (void *) self);
		if (hub_held_count (self->held) && zlistx_find (self->heard, (void *) term) == NULL)
			zlistx_add_end (self->heard, (void *) term);
	}
	hub_ask_t *ask = hub_ask_new ();
	if (!hub_server_apply (self, it, msg, now_ms, ask))
		hub_later_park (self->later, proto_msg_terminal (msg), proto_msg_seq (msg), &it->envelope, &it->payload,
		    &ask);
	hub_ask_destroy (&ask);
	proto_msg_destroy (&msg);
}

/* The sender in words for the log: its key's name, else its address, else its connection. */
static char *
hub_server_peer (const char *key_name, zframe_t *payload, zframe_t *routing)
{
	if (key_name)
		return xasprintf ("key %s", key_name);
	const char *address = zframe_meta (payload, "Peer-Address");
	if (address && *address)
		return xasprintf ("address %s", address);
	char *hex = routing ? zframe_strhex (routing) : NULL;
	char *peer = xasprintf ("connection %s", hex ? hex : "?");
	free (hex);
	return peer;
}

/* Read one waiting message into it; false when nothing (usable) is waiting. */
static bool
hub_server_read (hub_server_t *self, struct hub_server_item *it)
{
	/* ZMQ_EVENTS tells, without blocking, whether a whole message waits. */
	if (!(zsock_events (self->router) & ZMQ_POLLIN))
		return false;
	zmsg_t *m = zmsg_recv (self->router);
	if (m == NULL)
		return false;
	/* ROUTER gives [identity][payload], or [identity][empty][payload] from REQ peers. */
	zframe_t *payload = zmsg_last (m);
	if (zmsg_size (m) < 2 || payload == NULL) {
		zmsg_destroy (&m);
		return false;
	}
	zmsg_remove (m, payload); /* ours now, with the properties libzmq gave it */
	const char *user = zframe_meta (payload, "User-Id");
	it->key_name = user && *user ? xstrdup (user) : NULL;
	it->peer = hub_server_peer (it->key_name, payload, zmsg_first (m));
	it->envelope = m;
	it->payload = payload;
	it->reply = NULL;
	return true;
}

/*
 * The loop's own request (a timed job's COMMAND, as the operator "system"
 * at station) through the path of a terminal's, in a savepoint of the open
 * transaction: the dispatcher, then the commit and the files and EVENTs it
 * asked for. Nothing is stored for it and no terminal is recorded. Returns
 * the reply (caller destroys) and *rc, or NULL when it waits for the
 * workers (nothing of it kept).
 */
static proto_msg_t *
hub_server_system_run (hub_server_t *self, const proto_msg_t *msg, const char *station, int64_t now_ms,
    hub_ask_t *ask, int *rc)
{
	struct hub_req req = {
		.db = self->db,
		.opt = &self->opt,
		.after = self->after,
		.ask = ask,
		.msg = msg,
		.reply = proto_msg_reply_to (msg, PROTO_REPLY),
		.now_ms = now_ms,
		.operator_badge = "system",
		.role = ROLE_SYSTEM,
		.station = station,
		.system = true,
	};
	struct hub_after_mark mark = hub_after_mark (self->after);
	*rc = -1;
	if (db_exec (self->db, "SAVEPOINT req") == DB_DONE) {
		*rc = hub_cmd_dispatch (&req);
		if (hub_ask_waiting (ask)) {
			hub_server_savepoint_wait (self, mark);
			proto_msg_destroy (&req.reply);
			return NULL;
		}
		hub_server_savepoint_end (self, mark, *rc);
	}
	return req.reply;
}

/* The loop's own request is over, committed or not: what it did goes to the log. */
static void
hub_server_system_done (hub_server_t *self, const proto_msg_t *msg, const proto_msg_t *reply, bool committed)
{
	const char *name = proto_get_str (msg, PROTO_COMMAND_NAME);
	const char *code = proto_hash_get (msg, PROTO_COMMAND_ARGS, "carrier");
	const char *text = reply ? proto_get_str (reply, PROTO_REPLY_TEXT) : NULL;
	const char *manifest = reply ? proto_hash_get (reply, PROTO_REPLY_DATA, "manifest") : NULL;
	if (!committed) {
		log_error ("%s %s: not done: %s", name, code ? code : "", db_errmsg (self->db));
	} else if (manifest) {
		log_info ("%s: %s", name, text ? text : "");
		if ((int) proto_get_num (reply, PROTO_REPLY_STATUS) == PROTO_WARN)
			log_warn ("%s %s: labelled parcels were not on a cage and are not in manifest %s", name,
			    code ? code : "", manifest);
	}
}

/* A timed job's request (takes msg): run now in a transaction of its own, or parked until the workers answer. */
static void
hub_server_system (hub_server_t *self, proto_msg_t **msg_p, const char *station, int64_t now_ms)
{
	proto_msg_t *msg = *msg_p;
	hub_ask_t *ask = hub_ask_new ();
	int rc = -1;
	proto_msg_t *reply = NULL;
	struct hub_after_mark mark = hub_after_mark (self->after);
	bool began = db_begin (self->db) == DB_DONE;
	if (began && (reply = hub_server_system_run (self, msg, station, now_ms, ask, &rc)) == NULL) {
		/* Nothing of it is kept (it forgot its own after-commit entries): run again once answered. */
		db_rollback (self->db);
		hub_later_park_system (self->later, msg_p, station, &ask);
		return;
	}
	bool committed = began && rc == 0 && db_commit (self->db) == DB_DONE;
	if (began && !committed)
		db_rollback (self->db);
	/* What this request asked for goes, or only that is dropped (the spooler's EVENTs of this turn stay). */
	if (committed)
		hub_after_settle (self->after, true, hub_server_send_event, self);
	else
		hub_after_drop (self->after, mark);
	hub_server_system_done (self, msg, reply, committed);
	proto_msg_destroy (&reply);
	hub_ask_destroy (&ask);
	proto_msg_destroy (msg_p);
}

/* A parked request, its needs answered, run again in the batch. */
static void
hub_server_rerun (hub_server_t *self, struct hub_server_item *it, int64_t now_ms)
{
	struct hub_later_req *r = it->later;
	if (it->peer == NULL)
		it->peer = xasprintf ("terminal %s", *r->terminal ? r->terminal : "hub");
	if (r->ask == NULL)
		r->ask = hub_ask_new ();
	if (++r->runs > HUB_SERVER_RUNS_MAX) {
		log_warn ("terminal %s seq %u: still needed something new after %d runs; refused, unstored", r->terminal,
		    r->seq, HUB_SERVER_RUNS_MAX);
		if (r->msg == NULL)
			it->reply = hub_server_error (r->terminal, r->seq, PR_STORAGE, "the hub could not settle this now; "
			    "nothing was changed, try again", &it->reply_size);
		return;
	}
	if (r->msg) {
		/* The loop's own requests keep their clock (carriers.clock_offset_s moves it, for tests). */
		it->sys_reply = hub_server_system_run (self, r->msg, r->station, now_ms + self->clock_offset_ms, r->ask,
		    &it->sys_rc);
		if (it->sys_reply == NULL)
			hub_later_repark (self->later, &it->later);
		return;
	}
	char err[160];
	struct proto_head head;
	proto_msg_t *msg = NULL;
	if (proto_decode (zframe_data (r->payload), zframe_size (r->payload), &msg, &head, err, sizeof err) != 0) {
		it->reply = hub_server_error (r->terminal, r->seq, PR_MALFORMED, "message refused", &it->reply_size);
		return;
	}
	if (!hub_server_apply (self, it, msg, now_ms, r->ask))
		hub_later_repark (self->later, &it->later);
	proto_msg_destroy (&msg);
}

/* A parked request answered at last: to each connection it came on; the terminal's next one may go. */
static void
hub_server_later_send (hub_server_t *self, struct hub_server_item *it, bool committed)
{
	struct hub_later_req *r = it->later;
	if (r->msg)
		hub_server_system_done (self, r->msg, it->sys_reply, committed && it->sys_rc == 0);
	for (size_t k = 0; it->reply && k < r->nroutes; k++) {
		zmsg_t *out = zmsg_dup (r->routes[k]);
		zmsg_addmem (out, it->reply, it->reply_size);
		if (hub_flush_send (self->flush, &out) != 0)
			log_debug ("terminal %s: one of the connections a request came on has gone", r->terminal);
		zmsg_destroy (&out);
	}
	hub_later_done (self->later, &it->later);
}

/* ERROR STORAGE for a request of a batch that could not begin, echoing what its header says. */
static void
hub_server_unwritable (struct hub_server_item *it)
{
	if (it->later) {
		if (it->later->msg == NULL)
			it->reply = hub_server_error (it->later->terminal, it->later->seq, PR_STORAGE, "the hub cannot write "
			    "its database; nothing was recorded, try again shortly", &it->reply_size);
		return;
	}
	proto_msg_t *m = NULL;
	struct proto_head head;
	char err[16];
	proto_decode (zframe_data (it->payload), zframe_size (it->payload), &m, &head, err, sizeof err);
	proto_msg_destroy (&m);
	it->reply = hub_server_error (head.terminal, head.has_ids ? head.seq : 0, PR_STORAGE,
	    "the hub cannot write its database; nothing was recorded, try again shortly", &it->reply_size);
}

/* One request of the batch, in the open transaction (in_tx), else refused as unwritable. */
static void
hub_server_batch_one (hub_server_t *self, struct hub_server_item *it, bool in_tx, int64_t now_ms)
{
	if (in_tx && it->later)
		hub_server_rerun (self, it, now_ms);
	else if (in_tx)
		hub_server_decode_and_apply (self, it, now_ms);
	else
		hub_server_unwritable (it);
}

/* The print marks and answers of a commit once it is on the disk: the spooler settles them (its jobs go to the
 * print worker), and may be asked again. */
static void
hub_server_spool_settle (hub_server_t *self)
{
	if (self->spool_wait == 0 || !hub_flush_done (self->flush, self->spool_wait))
		return;
	self->spool_wait = 0;
	hub_spool_committed (self->spool, true);
	/* What it says of them (no printer, nothing drawn) goes now: their commit is on the disk, and the batch
	 * that may follow could still fail and drop them. */
	hub_after_settle (self->after, true, hub_server_send_event, self);
}

/*
 * A bare request of the batch (hub_cmd_bare) failed or waited, and what it
 * did cannot be undone alone: the whole transaction is undone, with the
 * EVENTs and files its requests asked for since start and the print
 * answers it recorded (the spooler records them again), and the first
 * upto requests run again, each in a savepoint of its own, as do the rest
 * of the batch. Those parked meanwhile (or routed to a parked one) left
 * nothing to undo and are not run again. Returns whether the new
 * transaction is open (else every request is refused as unwritable).
 */
static bool
hub_server_batch_again (hub_server_t *self, struct hub_server_item *items, int upto, struct hub_after_mark start,
    bool spool_answers, int64_t now_ms)
{
	log_warn ("a request failed or waited with no savepoint of its own: its batch is undone and its %d requests "
	    "run again, each in its own", upto);
	db_rollback (self->db);
	hub_after_drop (self->after, start);
	if (self->spool_wait == 0)
		hub_spool_committed (self->spool, false);
	self->batch_again = false;
	self->batch_safe = true;
	bool in_tx = db_begin (self->db) == DB_DONE;
	if (!in_tx)
		log_error ("cannot begin a transaction: %s", db_errmsg (self->db));
	if (in_tx && spool_answers)
		hub_spool_answer (self->spool, true);
	for (int i = 0; i < upto; i++) {
		struct hub_server_item *it = &items[i];
		if (it->later == NULL && it->envelope == NULL)
			continue; /* parked, or taken by the parked request it repeats */
		free (it->reply);
		it->reply = NULL;
		it->reply_size = 0;
		proto_msg_destroy (&it->sys_reply);
		if (it->later)
			it->later->runs--; /* the undone run does not count */
		hub_server_batch_one (self, it, in_tx, now_ms);
	}
	return in_tx;
}

/* A batch: the requests waiting, answered ones first, in one transaction
 * with what the spooler has to write (the print worker's answers when
 * spool_answers, the marks of jobs to send), so the turn pays one commit. */
static void
hub_server_batch (hub_server_t *self, bool spool_answers)
{
	/* An earlier commit's print marks and answers not settled yet: this batch leaves the spooler alone. */
	hub_server_spool_settle (self);
	bool spool_free = self->spool_wait == 0;
	spool_answers = spool_answers && spool_free;
	int max = self->opt.batch_max > 0 ? self->opt.batch_max : 1;
	struct hub_server_item *items = xcalloc ((size_t) max, sizeof *items);
	int n = 0;
	/* Requests the workers have answered go first: they came before anything waiting on the socket. */
	struct hub_later_req *r;
	while (n < max && (r = hub_later_next (self->later)) != NULL)
		items[n++].later = r;
	while (n < max && hub_server_read (self, &items[n]))
		n++;
	if (n == 0) {
		free (items);
		if (spool_answers)
			hub_spool_answer (self->spool, false);
		return;
	}
	int64_t now_ms = util_wall_ms ();
	struct hub_after_mark start = hub_after_mark (self->after);
	self->batch_safe = false;
	self->batch_again = false;
	bool in_tx = db_begin (self->db) == DB_DONE;
	if (!in_tx)
		log_error ("cannot begin a transaction: %s", db_errmsg (self->db));
	if (spool_answers && in_tx) {
		hub_spool_answer (self->spool, true);
	} else if (spool_answers) {
		/* In a transaction of their own, its EVENTs settled with it, not dropped with the batch. */
		hub_spool_answer (self->spool, false);
		hub_after_settle (self->after, true, hub_server_send_event, self);
	}
	for (int i = 0; i < n; i++) {
		hub_server_batch_one (self, &items[i], in_tx, now_ms);
		if (self->batch_again)
			in_tx = hub_server_batch_again (self, items, i + 1, start, spool_answers, now_ms);
	}
	/* The jobs this batch queued are marked in its commit and go to the worker once it is on the disk. */
	if (in_tx && spool_free)
		hub_spool_mark (self->spool);
	/* A batch that renames no file leaves its flush to the flush worker and runs the next batch meanwhile:
	 * its replies and EVENTs wait for the flush, and so do the print jobs it marked (hub-flush.h). A rename
	 * cannot wait: it is done right after the commit, which must be on the disk first. */
	bool unflushed = in_tx && !hub_after_has_files (self->after);
	bool spooled = in_tx && spool_free && !hub_spool_settles_nothing (self->spool);
	bool wrote = false;
	bool committed = in_tx && (unflushed ? db_commit_unflushed (self->db, &wrote) : db_commit (self->db)) == DB_DONE;
	uint64_t commit = 0;
	if (committed && unflushed && wrote)
		commit = hub_flush_committed (self->flush, hub_events_enabled (self->events)
		    ? db_query_int (self->db, "SELECT max(id) FROM events", 0) : 0, spooled);
	hub_after_settle (self->after, committed, hub_server_send_event, self);
	/* After the settle: what the spooler says of the jobs it marked goes out after this batch's replies. */
	if (spooled && commit > 0)
		self->spool_wait = commit;
	else if (in_tx && spool_free)
		hub_spool_committed (self->spool, committed);
	if (in_tx && !committed) {
		/* Nothing of this batch is durable: say so to every sender. */
		log_error ("commit of %d requests failed: %s", n, db_errmsg (self->db));
		db_rollback (self->db);
		for (int i = 0; i < n; i++) {
			if (items[i].reply == NULL)
				continue; /* parked: nothing of it was in the batch */
			proto_msg_t *m = NULL;
			struct proto_head head;
			char err[16];
			const char *term = "";
			uint32_t seq = 0;
			if (items[i].later) {
				term = items[i].later->terminal;
				seq = items[i].later->seq;
			} else {
				proto_decode (zframe_data (items[i].payload), zframe_size (items[i].payload), &m, &head, err,
				    sizeof err);
				term = head.terminal;
				seq = head.has_ids ? head.seq : 0;
			}
			free (items[i].reply);
			items[i].reply = hub_server_error (term, seq,
			    PR_STORAGE, "the hub could not save this (database full or read-only); nothing was recorded, "
			    "it will be taken when you try again", &items[i].reply_size);
			proto_msg_destroy (&m);
		}
	}
	for (int i = 0; i < n; i++) {
		if (items[i].later) {
			hub_server_later_send (self, &items[i], committed);
		} else if (items[i].envelope) {
			zmsg_t *out = items[i].envelope;
			items[i].envelope = NULL;
			if (items[i].reply)
				zmsg_addmem (out, items[i].reply, items[i].reply_size);
			if (items[i].reply && hub_flush_send (self->flush, &out) != 0)
				log_warn ("a reply could not be delivered: the terminal has gone");
			zmsg_destroy (&out);
		}
		zmsg_destroy (&items[i].envelope);
		zframe_destroy (&items[i].payload);
		proto_msg_destroy (&items[i].sys_reply);
		free (items[i].reply);
		free (items[i].key_name);
		free (items[i].peer);
	}
	free (items);
	/* After the replies: a terminal that has just come back takes its HELLO's answer first, and until then
	 * would drop an EVENT as none of its business. */
	for (char *t = zlistx_first (self->heard); t; t = zlistx_next (self->heard))
		hub_held_release (self->held, t, util_mono_ms (), hub_server_send_event, self);
	zlistx_purge (self->heard);
}

/* --- the timed jobs ------------------------------------------------------- */

static void
hub_server_tick_print_submit (hub_server_t *self)
{
	/* Labels a batch queued and did not mark go to their printers now. While commits wait for their flush the
	 * next batch marks them (its commit leaves the flush to the worker; this one's own would flush on the loop). */
	hub_server_spool_settle (self);
	if (self->spool_wait == 0 && hub_flush_waiting (self->flush) == 0)
		hub_spool_submit (self->spool);
}

static void
hub_server_tick_print_follow (hub_server_t *self)
{
	/* A move or cancel it asks of CUPS follows from a command committed: none goes before that commit is on the
	 * disk. While commits wait for their flush they are left; under a load that keeps one always waiting, the
	 * loop flushes itself once they have been left HUB_SERVER_MOVES_WAIT_MS. */
	bool waiting = hub_flush_waiting (self->flush) > 0;
	int64_t now = util_mono_ms ();
	if (waiting && self->moves_left > 0 && now - self->moves_left >= HUB_SERVER_MOVES_WAIT_MS) {
		hub_flush_now (self->flush);
		waiting = false;
	}
	hub_server_spool_settle (self);
	int left = hub_spool_follow (self->spool, !waiting);
	if (left == 0)
		self->moves_left = 0;
	else if (left > 0 && self->moves_left == 0)
		self->moves_left = now;
}

static void
hub_server_tick_inbox (hub_server_t *self)
{
	hub_feed_inbox (self->feed, self->db);
}

/* A slice of each import under way (inbox file, integration push): a few ms between batches. */
static void
hub_server_tick_feed (hub_server_t *self)
{
	hub_feed_step (self->feed, self->db);
}

/* Each carrier due to close out by itself (carriers/carrier.h) is closed out
 * by the system command "autoclose" (flow/flow-closeout.c). */
static void
hub_server_tick_autoclose (hub_server_t *self)
{
	int64_t now_ms = util_wall_ms () + self->clock_offset_ms;
	const struct carrier *due[64];
	int n = carrier_autoclose_due (carrier_current (), self->db, now_ms, due, (int) nitems (due));
	for (int i = 0; i < n; i++) {
		const char *code = due[i]->code;
		proto_msg_t *msg = proto_msg_new (PROTO_COMMAND);
		proto_msg_set_terminal (msg, "hub");
		proto_set_str (msg, PROTO_COMMAND_NAME, "autoclose");
		proto_hash_set (msg, PROTO_COMMAND_ARGS, "carrier", code);
		proto_hash_set (msg, PROTO_COMMAND_ARGS, "code", code);
		hub_server_system (self, &msg, self->autoclose_station, now_ms);
	}
}

static void
hub_server_tick_events (hub_server_t *self)
{
	/* Whatever the batch, a push or the inbox committed goes out now (never before the commit, nor before the
	 * commit is on the disk). */
	hub_events_flush (self->events, self->db, hub_flush_events_upto (self->flush));
}

/* A certificate left the allow-list: drop every connection (unbind takes
 * them with it); each peer reconnects and is checked by ZAP again. */
static void
hub_server_rebind (hub_server_t *self)
{
	log_info ("the allow-list lost a certificate: reconnecting every terminal to check its key again");
	zsock_unbind (self->router, "%s", self->opt.endpoint);
	if (zsock_bind (self->router, "%s", self->opt.endpoint) < 0)
		log_error ("cannot listen on %s again: %s", self->opt.endpoint, zmq_strerror (zmq_errno ()));
}

static void
hub_server_tick_revoked (hub_server_t *self)
{
	if (hub_curve_revoked (self->curve))
		hub_server_rebind (self);
}

static void
hub_server_tick_checkpoint (hub_server_t *self)
{
	/* The checkpoint thread has caught up to within a few frames (at most
	 * HUB_CHECKPOINT_TAIL): copy those here, between batches, and the next
	 * commit starts the WAL over. */
	if (hub_checkpoint_done (self->checkpoint)) {
		log_debug ("checkpoint: the loop copies the %d frames the thread left", hub_checkpoint_left (self->checkpoint));
		db_checkpoint_passive (self->db, NULL);
	}
	if (hub_checkpoint_truncated (self->checkpoint))
		log_info ("retention: the WAL truncated, the erased data is gone from it too");
}

/* The heartbeat row despatch status reads (store/hub-store.h). */
static void
hub_server_tick_beat (hub_server_t *self)
{
	if (hub_store_status_beat (self->db, self->opt.endpoint, self->opt.expiry_ms, self->started_ms, util_wall_ms (),
	        false) != 0)
		log_warn ("heartbeat not recorded: %s", db_errmsg (self->db));
}

/* Warnings about one sender that were counted and not written: their count, once the sender's window is over. */
static void
hub_server_tick_peers (hub_server_t *self)
{
	(void) self;
	log_peer_flush (NULL, NULL);
}

static void
hub_server_tick_prune (hub_server_t *self)
{
	int n = hub_store_reply_prune (self->db, util_wall_ms () - HUB_REPLY_KEEP_MS);
	if (n > 0)
		log_info ("forgot %d stored replies older than 7 days", n);
}

/* privacy.retention_days: personal data of orders delivered longer ago is erased (hub-erase.h), a slice of
 * the database at a time (hub_server_tick_retention_step): finding the orders due, then searching every table,
 * would hold the loop for seconds in a year's database. */
static void
hub_server_tick_retention (hub_server_t *self)
{
	if (self->opt.retention_days <= 0 || self->sweep || self->due)
		return;
	self->due = hub_erase_due_new (self->db, self->opt.retention_days, util_wall_ms (), HUB_ERASE_DUE_SLICE_ORDERS);
	if (self->due == NULL)
		log_error ("retention: personal data not erased now (looked for again within the hour): %s",
		    db_errmsg (self->db));
	self->sweep_ms = util_mono_ms ();
}

/* A slice of the orders searched for those due; once all are (or a pass's worth found), their sweep begins. */
static void
hub_server_tick_retention_due (hub_server_t *self)
{
	int rc = hub_erase_due_step (self->due, self->db);
	if (rc > 0)
		return;
	int n = -1, steps = hub_erase_due_steps (self->due);
	if (rc == 0 && db_begin (self->db) == DB_DONE) {
		self->sweep = hub_erase_sweep_new_due (self->db, &self->due, HUB_ERASE_SLICE_ROWS, &n);
		db_commit (self->db); /* it only read, and wrote its own temporary table */
	}
	hub_erase_due_destroy (&self->due);
	if (n < 0)
		log_error ("retention: personal data not erased now (looked for again within the hour): %s",
		    db_errmsg (self->db));
	else if (n == 0)
		log_debug ("retention: no order due (%d steps, %lld ms)", steps, (long long) (util_mono_ms () - self->sweep_ms));
}

static void
hub_server_tick_retention_step (hub_server_t *self)
{
	if (self->due) {
		hub_server_tick_retention_due (self);
		return;
	}
	if (self->sweep == NULL || db_begin (self->db) != DB_DONE)
		return;
	int rc = hub_erase_sweep_step (self->sweep);
	if (rc < 0 || db_commit (self->db) != DB_DONE) {
		log_error ("retention: personal data not erased now (begun again within the hour): %s", db_errmsg (self->db));
		db_rollback (self->db);
		hub_erase_sweep_destroy (&self->sweep);
		return;
	}
	if (rc > 0)
		return;
	log_info ("retention: erased the personal data of %d orders delivered more than %d days ago (%d steps, %lld ms)",
	    hub_erase_sweep_orders (self->sweep), self->opt.retention_days, hub_erase_sweep_steps (self->sweep),
	    (long long) (util_mono_ms () - self->sweep_ms));
	hub_erase_sweep_destroy (&self->sweep);
	/* The erased values must leave the WAL too; truncating it waits for
	 * readers and fsyncs, so the checkpoint thread does it (hub-checkpoint.h). */
	hub_checkpoint_truncate (self->checkpoint);
}

static void hub_server_ticks_settings (hub_server_t *self);

/* SIGHUP: the settings read again between batches (hub-reload.h); the intervals follow them. */
static void
hub_server_tick_reload (hub_server_t *self)
{
	if (!hub_reload_asked (self->opt.reload))
		return;
	hub_notify_reloading ();
	bool taken = hub_reload_run (self->opt.reload, self->db, self->opt.conf, &self->opt, util_wall_ms ()) == 0;
	if (taken)
		hub_server_ticks_settings (self);
	hub_notify_ready (taken ? "settings reloaded" : "reload refused: running with the previous settings");
}

/* The loop turned: the service manager's watchdog is fed from here only (hub-notify.h). */
static void
hub_server_tick_watchdog (hub_server_t *self)
{
	(void) self;
	hub_notify_watchdog (util_mono_ms ());
}

/* The line systemctl status shows. */
static void
hub_server_tick_service (hub_server_t *self)
{
	hub_notify_serving (self->db, self->opt.expiry_ms, util_wall_ms ());
}

/* The metrics file, written on the chore thread (hub-metrics.h). */
static void
hub_server_tick_metrics (hub_server_t *self)
{
	hub_metrics_tick (self->metrics, self->opt.conf);
}

/* Old files pruned, on the chore thread (hub-retention.h). */
static void
hub_server_tick_files (hub_server_t *self)
{
	hub_retention_tick (self->files, self->opt.conf);
}

/* What the chore thread has done: logged and recorded here, on the loop. */
static void
hub_server_tick_chores (hub_server_t *self)
{
	hub_chores_settle (self->chores);
}

/*
 * The loop's timed jobs, run between batches in this order, each when due:
 * every turn (every_ms 0), or every every_ms; setting names one that sets
 * the interval in seconds instead (1 to 3600). All are due at start.
 */
static const struct hub_server_tick {
	const char *name;
	int every_ms;
	const char *setting;
	void (*run) (hub_server_t *self);
} hub_server_ticks[] = {
	{ "heartbeat", HUB_STORE_BEAT_MS, NULL, hub_server_tick_beat },
	{ "reload", 0, NULL, hub_server_tick_reload },
	{ "watchdog", 0, NULL, hub_server_tick_watchdog },
	{ "service status", HUB_STORE_BEAT_MS, NULL, hub_server_tick_service },
	{ "print submit", 0, NULL, hub_server_tick_print_submit },
	{ "print follow", HUB_SPOOL_FOLLOW_MS, NULL, hub_server_tick_print_follow },
	{ "order feed", HUB_FEED_INBOX_EVERY_MS, NULL, hub_server_tick_inbox },
	{ "import slices", 0, NULL, hub_server_tick_feed },
	{ "auto-close", 60 * 1000, "carriers.autoclose_every_s", hub_server_tick_autoclose },
	{ "events flush", 0, NULL, hub_server_tick_events },
	{ "key revocation", 0, NULL, hub_server_tick_revoked },
	{ "checkpoint", 0, NULL, hub_server_tick_checkpoint },
	{ "peer warnings", 1000, NULL, hub_server_tick_peers },
	{ "reply pruning", HUB_PRUNE_EVERY_MS, NULL, hub_server_tick_prune },
	{ "retention", HUB_PRUNE_EVERY_MS, NULL, hub_server_tick_retention },
	{ "retention slices", 0, NULL, hub_server_tick_retention_step },
	{ "metrics", 15 * 1000, "metrics.every_s", hub_server_tick_metrics },
	{ "file retention", HUB_PRUNE_EVERY_MS, "retention.every_s", hub_server_tick_files },
	{ "chores", 0, NULL, hub_server_tick_chores },
};

/* Intervals and the autoclose settings, at start and after a reload; a bad one is said and the default kept. */
static void
hub_server_ticks_settings (hub_server_t *self)
{
	conf_t *conf = self->opt.conf;
	long offset_s = 0;
	char *cause = NULL;
	for (size_t i = 0; i < nitems (hub_server_ticks); i++) {
		const struct hub_server_tick *t = &hub_server_ticks[i];
		long every_s;
		self->tick_every[i] = t->every_ms;
		if (t->setting == NULL || conf == NULL)
			continue;
		if (conf_get_long (conf, t->setting, t->every_ms / 1000, 1, 3600, &every_s, &cause) == 0) {
			self->tick_every[i] = (int) every_s * 1000;
		} else {
			log_error ("%s: %s", t->name, cause);
			free (cause);
			cause = NULL;
		}
	}
	if (conf && conf_get_long (conf, "carriers.clock_offset_s", 0, -7L * 86400, 7L * 86400, &offset_s, &cause) != 0) {
		log_error ("auto-close: %s", cause);
		free (cause);
		offset_s = 0;
	}
	self->clock_offset_ms = (int64_t) offset_s * 1000;
	self->autoclose_station = conf ? conf_get (conf, "carriers.autoclose_station", "despatch") : "despatch";
}

static void
hub_server_ticks_init (hub_server_t *self)
{
	self->tick_next = xcalloc (nitems (hub_server_ticks), sizeof *self->tick_next);
	self->tick_every = xcalloc (nitems (hub_server_ticks), sizeof *self->tick_every);
	hub_server_ticks_settings (self);
}

/* Every tick that is due; then the EVENTs they queued go out (their writes are committed as they go). */
static void
hub_server_ticks_run (hub_server_t *self)
{
	for (size_t i = 0; i < nitems (hub_server_ticks); i++) {
		int64_t now = util_mono_ms ();
		if (now < self->tick_next[i])
			continue;
		self->tick_next[i] = now + self->tick_every[i];
		hub_server_ticks[i].run (self);
	}
	hub_after_settle (self->after, true, hub_server_send_event, self);
}

/* The key of the stored requests' digests, and its id in the database:
 * digests made with another key (a new hub certificate) are dropped. */
static int
hub_server_digest_init (hub_server_t *self, char **cause)
{
	hub_curve_digest_key (self->curve, self->digest_key);
	uint8_t id[SECRET_DIGEST];
	secret_digest (self->digest_key, "key id", 6, id);
	char hex[17];
	for (int i = 0; i < 8; i++)
		snprintf (hex + 2 * i, 3, "%02x", id[i]);
	int dropped = hub_store_digest_key (self->db, hex);
	if (dropped < 0) {
		*cause = xasprintf ("%s: cannot record the request digest key: %s", db_path (self->db), db_errmsg (self->db));
		return -1;
	}
	if (dropped > 0)
		log_warn ("the hub's key changed: %d stored replies made under the old one are answered as they were, "
		    "without checking that a repeat is the same request", dropped);
	return 0;
}

hub_server_t *
hub_server_new (const struct hub_options *opt, char **cause)
{
	hub_server_t *self = xcalloc (1, sizeof *self);
	self->opt = *opt;
	self->opt.started_ms = util_wall_ms ();
	self->db = hub_store_open (opt->database, cause);
	if (self->db == NULL) {
		free (self);
		return NULL;
	}
	/* Carrier files (carriers/carrier.h): a bad one stops the hub here, naming file and line. */
	if (carrier_load_hub (self->db, opt->conf ? conf_get (opt->conf, "carriers.path", NULL) : NULL,
	        util_wall_ms (), cause) != 0) {
		hub_server_destroy (&self);
		return NULL;
	}
	if (opt->curve && (self->curve = hub_curve_new (opt->keys_dir,
	        opt->conf && conf_get_bool (opt->conf, "security.zap_log", false), cause)) == NULL) {
		hub_server_destroy (&self);
		return NULL;
	}
	if (!opt->curve)
		log_warn ("security.curve = no: anyone who can reach %s may connect, as any terminal id; for tests and "
		    "benchmarks only", opt->endpoint);
	if (hub_server_digest_init (self, cause) != 0) {
		hub_server_destroy (&self);
		return NULL;
	}
	self->router = zsock_new (ZMQ_ROUTER);
	if (self->router == NULL) {
		*cause = xasprintf ("cannot create the ROUTER socket");
		hub_server_destroy (&self);
		return NULL;
	}
	if (self->curve && hub_curve_apply (self->curve, self->router, HUB_CURVE_TERMINALS, cause) != 0) {
		hub_server_destroy (&self);
		return NULL;
	}
	zsock_set_router_mandatory (self->router, 1);
	zsock_set_maxmsgsize (self->router, PROTO_MAX_MESSAGE + 1024);
	zsock_set_rcvhwm (self->router, 100000);
	zsock_set_sndhwm (self->router, 100000);
	zsock_set_linger (self->router, 500);
	/* After a hub restart every terminal reconnects at once: a connection
	 * beyond the listen backlog (libzmq's default is 100) waits a whole SYN
	 * retry, about a second, before its first scan can get through. */
	zsock_set_backlog (self->router, 1024);
	zsock_set_heartbeat_ivl (self->router, 5000);
	zsock_set_heartbeat_timeout (self->router, 15000);
	if (zsock_bind (self->router, "%s", opt->endpoint) < 0) {
		*cause = xasprintf ("cannot listen on %s: %s; is another hub running there? "
		    "Choose another with --endpoint", opt->endpoint, zmq_strerror (zmq_errno ()));
		hub_server_destroy (&self);
		return NULL;
	}
	self->feed = hub_feed_new (opt->integration, opt->inbox, self->curve, cause);
	if (self->feed == NULL) {
		hub_server_destroy (&self);
		return NULL;
	}
	if (hub_feed_configure (self->feed, opt->conf, cause) != 0) {
		hub_server_destroy (&self);
		return NULL;
	}
	self->events = hub_events_new (self->db, opt->conf ? conf_get (opt->conf, "hub.events", NULL) : NULL,
	    opt->conf ? conf_get (opt->conf, "hub.exports", NULL) : NULL, self->curve, cause);
	if (self->events == NULL) {
		hub_server_destroy (&self);
		return NULL;
	}
	self->started_ms = util_wall_ms ();
	self->routes = zhashx_new ();
	zhashx_set_destructor (self->routes, (zhashx_destructor_fn *) zmsg_destroy);
	self->steady = zhashx_new ();
	self->held = hub_held_new ();
	self->heard = zlistx_new ();
	zlistx_set_duplicator (self->heard, (zlistx_duplicator_fn *) strdup);
	zlistx_set_destructor (self->heard, (zlistx_destructor_fn *) zstr_free);
	zlistx_set_comparator (self->heard, (zlistx_comparator_fn *) strcmp);
	/* Each request runs in a savepoint, which copies the pages it changes
	 * into a statement journal: in memory, not a temporary file written for
	 * every request (it was three times the WAL's own bytes). */
	db_exec (self->db, "PRAGMA temp_store=MEMORY");
	/* Memory: with 1,000 terminals libzmq alone holds about 35 MB (pipes and
	 * buffers of each connection). A mapped database counts every page the
	 * scans touch as resident (70 MB of a 60 MB database and its neighbours
	 * in 3 seconds), so the hub reads through an 8 MB page cache instead;
	 * at 256 terminals the rate is the same within the noise (doc/performance.md). */
	db_exec (self->db, "PRAGMA mmap_size=0");
	db_exec (self->db, "PRAGMA cache_size=-8192");
	self->checkpoint = hub_checkpoint_new (opt->database, 1000, 0, cause);
	if (self->checkpoint == NULL) {
		hub_server_destroy (&self);
		return NULL;
	}
	/* No automatic checkpoints in a commit (one would hold a whole batch of
	 * terminals for an fsync of the database): each commit tells the thread. */
	if (db_flush_own (self->db, cause) != 0) {
		hub_server_destroy (&self);
		return NULL;
	}
	db_on_wal_commit (self->db, hub_server_on_wal, self);
	self->flush = hub_flush_new (self->db, self->router, hub_server_send_event, self, cause);
	if (self->flush == NULL) {
		hub_server_destroy (&self);
		return NULL;
	}
	self->after = hub_after_new ();
	work_crash_init ();
	self->spool = hub_spool_new (self->db, opt->conf, self->after, cause);
	self->later = self->spool ? hub_later_new (opt->pin_helpers, cause) : NULL;
	if (self->later == NULL) {
		hub_server_destroy (&self);
		return NULL;
	}
	if ((self->chores = hub_chores_new (cause)) == NULL) {
		hub_server_destroy (&self);
		return NULL;
	}
	self->metrics = hub_metrics_new (self->chores, opt->database);
	self->files = hub_retention_new (self->chores, self->db);
	hub_server_ticks_init (self);
	return self;
}

/* After a crash between a close-out's commit and its rename: every manifest
 * the database says was written, and is still closed, gets its file. */
static void
hub_server_files_recover (hub_server_t *self)
{
	db_stmt_t *st = db_prepare (self->db, "SELECT file FROM manifests WHERE status = 'closed' AND file IS NOT NULL"
	    " AND file <> '' AND closed_at > ?1");
	if (st == NULL)
		return;
	db_bind_int (st, 1, util_wall_ms () - HUB_REPLY_KEEP_MS);
	while (db_step (st) == DB_ROW) {
		const char *file = db_col_text (st, 0);
		char *part = xasprintf ("%s.part", file);
		if (access (file, F_OK) != 0 && access (part, F_OK) == 0) {
			if (rename (part, file) == 0)
				log_info ("manifest file %s: written before a stop, named now", file);
			else
				log_error ("manifest file %s: cannot rename %s: %s", file, part, strerror (errno));
		}
		free (part);
	}
	db_reset (st);
}

void
hub_server_destroy (hub_server_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	hub_server_t *self = *self_p;
	/* What waits for a flush goes before the sockets close. */
	hub_flush_destroy (&self->flush);
	if (self->db)
		db_on_wal_commit (self->db, NULL, NULL); /* the hook's checkpoint goes first */
	hub_checkpoint_destroy (&self->checkpoint);
	hub_chores_destroy (&self->chores); /* before what its chores report to */
	hub_metrics_destroy (&self->metrics);
	hub_retention_destroy (&self->files);
	/* The workers stop after the job each is on (a CUPS call waits out its timeout at most). */
	hub_later_destroy (&self->later);
	hub_spool_destroy (&self->spool);
	zhashx_destroy (&self->routes);
	zhashx_destroy (&self->steady);
	hub_held_destroy (&self->held);
	zlistx_destroy (&self->heard);
	hub_feed_destroy (&self->feed);
	hub_erase_due_destroy (&self->due);
	hub_erase_sweep_destroy (&self->sweep);
	hub_events_destroy (&self->events);
	zsock_destroy (&self->router);
	hub_curve_destroy (&self->curve); /* after the sockets: never an open door */
	hub_after_destroy (&self->after);
	free (self->tick_next);
	free (self->tick_every);
	db_close (&self->db);
	carrier_current_set (NULL);
	free (self);
	*self_p = NULL;
}

db_t *
hub_server_db (hub_server_t *self)
{
	return self->db;
}

/* What the workers answered, into the parked requests (the print worker's
 * answers are recorded in the batch that follows, hub_server_batch). */
static void
hub_server_answers (hub_server_t *self)
{
	hub_later_answer (self->later);
	hub_events_answer (self->events, self->db);
	hub_after_settle (self->after, true, hub_server_send_event, self);
}

int
hub_server_run (hub_server_t *self)
{
	log_info ("hub %s listening on %s, database %s", HUB_VERSION, self->opt.endpoint, db_path (self->db));
	hub_server_files_recover (self);
	char *listening = xasprintf ("listening on %s", self->opt.endpoint);
	hub_notify_ready (listening);
	free (listening);
	while (!zsys_interrupted) {
		hub_server_ticks_run (self);
		/* The terminals, the order feed and every worker's answers, in one poll. */
		zmq_pollitem_t items[10];
		int n = 0, feed = -1, workers;
		items[n++] = (zmq_pollitem_t) { zsock_resolve (self->router), 0, ZMQ_POLLIN, 0 };
		if (hub_feed_sock (self->feed)) {
			feed = n;
			items[n++] = (zmq_pollitem_t) { zsock_resolve (hub_feed_sock (self->feed)), 0, ZMQ_POLLIN, 0 };
		}
		workers = n;
		int fds[6];
		size_t nfds = hub_later_fds (self->later, fds, nitems (fds) - 3);
		int flushfd = hub_flush_fd (self->flush);
		fds[nfds++] = flushfd;
		if (hub_events_fd (self->events) >= 0)
			fds[nfds++] = hub_events_fd (self->events);
		for (size_t i = 0; i < nfds; i++)
			items[n++] = (zmq_pollitem_t) { NULL, fds[i], ZMQ_POLLIN, 0 };
		/* The print worker's answers wait (see HUB_SERVER_SPOOL_WAIT_MS): its fd is left out meanwhile. */
		int spool = -1;
		if (self->spool_due == 0) {
			spool = n;
			items[n++] = (zmq_pollitem_t) { NULL, hub_spool_fd (self->spool), ZMQ_POLLIN, 0 };
		}
		/* Answered requests wait for no one, nor does an import's next slice or retention's: poll without waiting. */
		long wait_ms = hub_later_has_ready (self->later) || hub_feed_busy (self->feed) || self->sweep || self->due ? 0 : 250;
		if (self->spool_due > 0) {
			int64_t left = self->spool_due - util_mono_ms ();
			wait_ms = left < 0 ? 0 : left < wait_ms ? (long) left : wait_ms;
		}
		int rc = zmq_poll (items, n, wait_ms);
		if (rc < 0 && zmq_errno () != EINTR)
			break;
		bool answered = false, flushed = false;
		for (int i = workers; rc > 0 && i < n; i++) {
			bool in = (items[i].revents & ZMQ_POLLIN) != 0;
			if (items[i].fd == flushfd && i != spool)
				flushed = flushed || in;
			else
				answered = answered || (i != spool && in);
		}
		/* First: the replies a flush has freed go before anything this turn does. */
		if (flushed)
			hub_flush_answer (self->flush);
		hub_server_spool_settle (self);
		if ((spool >= 0 && rc > 0 && (items[spool].revents & ZMQ_POLLIN))
		    || (self->spool_due == 0 && hub_spool_answer_waits (self->spool)))
			self->spool_due = util_mono_ms () + HUB_SERVER_SPOOL_WAIT_MS;
		if (answered)
			hub_server_answers (self);
		bool requests = (rc > 0 && (items[0].revents & ZMQ_POLLIN)) || hub_later_has_ready (self->later);
		bool spool_now = self->spool_due > 0 && (requests || util_mono_ms () >= self->spool_due);
		if (requests || spool_now) {
			if (spool_now)
				self->spool_due = 0;
			hub_server_batch (self, spool_now);
		}
		if (feed >= 0 && rc > 0 && (items[feed].revents & ZMQ_POLLIN))
			hub_feed_handle (self->feed, self->db);
	}
	/* What waited for a flush is taken to the disk and sent, the print jobs it marked with it; then answers of
	 * the print worker not yet recorded are recorded now, not looked for at the next start. */
	hub_flush_now (self->flush);
	hub_server_spool_settle (self);
	if (self->spool_due > 0)
		hub_spool_answer (self->spool, false);
	log_peer_flush_all ();
	log_info ("hub stopping");
	hub_notify_stopping ();
	hub_events_drain (self->events, self->db, 5000);
	hub_events_flush (self->events, self->db, INT64_MAX);
	hub_events_drain (self->events, self->db, 5000);
	hub_store_status_beat (self->db, self->opt.endpoint, self->opt.expiry_ms, self->started_ms, util_wall_ms (),
	    true);
	return 0;
}
