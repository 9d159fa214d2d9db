/* hub-server.c: ROUTER loop with group commit and stored replies. */
#include "config.h"
#include "hub-server.h"
#include "carriers/carrier.h"
#include "hub-checkpoint.h"
#include "hub-cmd.h"
#include "hub-curve.h"
#include "hub-erase.h"
#include "hub-events.h"
#include "hub-print.h"
#include "hub-integration.h"
#include "hub-store.h"
#include "log.h"
#include "util.h"

#include <czmq.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HUB_PRUNE_EVERY_MS (60 * 60 * 1000)
#define HUB_REPLY_KEEP_MS ((int64_t) 7 * 24 * 60 * 60 * 1000)

struct hub {
	struct hub_options opt;
	db_t *db;
	zsock_t *router;
	zpoller_t *poller;
	int64_t started_ms;
	int64_t next_prune_ms;
	hub_feed_t *feed; /* orders in: integration endpoint and inbox (hub-integration.c) */
	zhashx_t *routes; /* terminal id -> its routing frames (zmsg_t), for EVENTs */
	hub_curve_t *curve; /* CURVE and the ZAP allow-list; NULL with security.curve = no */
	hub_checkpoint_t *checkpoint;
	hub_events_t *events; /* shipment events out: PUB socket and export files (hub-events.c) */
	struct hub_file *files; /* renames waiting for the commit (hub_file_after_commit) */
	size_t nfiles;
};

struct hub_file {
	char *from, *to;
	bool discard; /* remove from if rolled back */
};

/* One request of a batch: its envelope and, once handled, its reply frame. */
struct hub_item {
	zmsg_t *envelope;   /* routing frames, kept for the reply */
	zframe_t *payload;
	uint8_t *reply;
	size_t reply_size;
};

static void
hub_server_on_wal (void *arg, int frames)
{
	hub_checkpoint_wal (arg, frames);
}

hub_t *
hub_new (const struct hub_options *opt, char **cause)
{
	hub_t *self = xcalloc (1, sizeof *self);
	self->opt = *opt;
	self->db = hub_store_open (opt->database, cause);
	if (self->db == NULL) {
		free (self);
		return NULL;
	}
	/* Carrier files (carriers/carrier.h): a bad one stops the hub here, naming file and line. */
	if (carrier_hub_start (self->db, opt->conf ? conf_get (opt->conf, "carriers.path", NULL) : NULL,
	        util_wall_ms (), cause) != 0) {
		hub_destroy (&self);
		return NULL;
	}
	if (opt->curve && (self->curve = hub_curve_new (opt->keys_dir,
	        opt->conf && conf_get_bool (opt->conf, "security.zap_log", false), cause)) == NULL) {
		hub_destroy (&self);
		return NULL;
	}
	if (!opt->curve)
		log_warn ("security.curve = no: anyone who can reach %s may connect; for tests and benchmarks only",
		    opt->endpoint);
	self->router = zsock_new (ZMQ_ROUTER);
	if (self->router == NULL) {
		*cause = xasprintf ("cannot create the ROUTER socket");
		hub_destroy (&self);
		return NULL;
	}
	if (self->curve && hub_curve_apply (self->curve, self->router, cause) != 0) {
		hub_destroy (&self);
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
		hub_destroy (&self);
		return NULL;
	}
	self->poller = zpoller_new (self->router, NULL);
	self->feed = hub_feed_new (opt->integration, opt->inbox, self->curve, cause);
	if (self->feed == NULL) {
		hub_destroy (&self);
		return NULL;
	}
	if (hub_feed_set_tracking (self->feed, opt->conf ? conf_get (opt->conf, "hub.tracking_inbox", NULL) : NULL,
	        cause) != 0) {
		hub_destroy (&self);
		return NULL;
	}
	if (hub_feed_sock (self->feed))
		zpoller_add (self->poller, hub_feed_sock (self->feed));
	self->events = hub_events_new (self->db, opt->conf ? conf_get (opt->conf, "hub.events", NULL) : NULL,
	    opt->conf ? conf_get (opt->conf, "hub.exports", NULL) : NULL, self->curve, cause);
	if (self->events == NULL) {
		hub_destroy (&self);
		return NULL;
	}
	self->started_ms = util_wall_ms ();
	self->routes = zhashx_new ();
	zhashx_set_destructor (self->routes, (zhashx_destructor_fn *) zmsg_destroy);
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
		hub_destroy (&self);
		return NULL;
	}
	/* No automatic checkpoints in a commit (one would hold a whole batch of
	 * terminals for an fsync of the database): each commit tells the thread. */
	db_on_wal_commit (self->db, hub_server_on_wal, self->checkpoint);
	return self;
}

void
hub_notify (hub_t *self, const char *terminal, proto_msg_t **event_p)
{
	proto_msg_t *ev = *event_p;
	*event_p = NULL;
	zmsg_t *route = zhashx_lookup (self->routes, terminal);
	if (route == NULL || ev == NULL) {
		proto_msg_destroy (&ev);
		return;
	}
	proto_msg_set_terminal (ev, terminal);
	size_t size;
	uint8_t *data = proto_encode (ev, &size);
	proto_msg_destroy (&ev);
	if (data == NULL)
		return;
	zmsg_t *out = zmsg_dup (route);
	zmsg_addmem (out, data, size);
	free (data);
	if (zmsg_send (&out, self->router) != 0)
		log_debug ("terminal %s is not connected; event dropped", terminal);
	zmsg_destroy (&out);
}

void
hub_file_after_commit (hub_t *self, const char *from, const char *to, bool discard)
{
	self->files = xrealloc (self->files, (self->nfiles + 1) * sizeof *self->files);
	self->files[self->nfiles++] = (struct hub_file) { xstrdup (from), xstrdup (to), discard };
}

/* Forget the renames asked for since mark: their transaction will not commit. */
static void
hub_server_files_drop (hub_t *self, size_t mark)
{
	while (self->nfiles > mark) {
		struct hub_file *f = &self->files[--self->nfiles];
		if (f->discard && unlink (f->from) != 0 && errno != ENOENT)
			log_warn ("%s not removed: %s", f->from, strerror (errno));
		free (f->from);
		free (f->to);
	}
}

void
hub_files_settle (hub_t *self, bool committed)
{
	if (!committed) {
		hub_server_files_drop (self, 0);
		return;
	}
	for (size_t i = 0; i < self->nfiles; i++) {
		struct hub_file *f = &self->files[i];
		/* Committed: the database names the file; hub_server_files_recover finishes it after a crash. */
		if (rename (f->from, f->to) != 0)
			log_error ("%s could not be renamed %s: %s; it is renamed at the next start", f->from, f->to,
			    strerror (errno));
		free (f->from);
		free (f->to);
	}
	self->nfiles = 0;
}

/* After a crash between a close-out's commit and its rename: every manifest
 * the database says was written, and is still closed, gets its file. */
static void
hub_server_files_recover (hub_t *self)
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
hub_destroy (hub_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	hub_t *self = *self_p;
	if (self->db)
		db_on_wal_commit (self->db, NULL, NULL); /* the hook's checkpoint goes first */
	hub_checkpoint_destroy (&self->checkpoint);
	if (self->db)
		hub_print_shutdown (self);
	zhashx_destroy (&self->routes);
	zpoller_destroy (&self->poller);
	hub_feed_destroy (&self->feed);
	hub_events_destroy (&self->events);
	zsock_destroy (&self->router);
	hub_curve_destroy (&self->curve); /* after the sockets: never an open door */
	hub_server_files_drop (self, 0);
	free (self->files);
	db_close (&self->db);
	carrier_set_current (NULL);
	free (self);
	*self_p = NULL;
}

db_t *
hub_db (hub_t *self)
{
	return self->db;
}

const struct hub_options *
hub_opts (hub_t *self)
{
	return &self->opt;
}

int64_t
hub_started_ms (hub_t *self)
{
	return self->started_ms;
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

/* Handle one decoded request inside the batch transaction. */
static void
hub_server_apply (hub_t *self, struct hub_item *it, const proto_msg_t *msg, int64_t now_ms)
{
	const char *terminal = proto_msg_terminal (msg);
	uint32_t seq = proto_msg_seq (msg);
	int stored = hub_cmd_is_stored (proto_msg_id (msg));

	if (stored) {
		it->reply = hub_store_reply_get (self->db, terminal, seq, &it->reply_size);
		if (it->reply) {
			log_debug ("terminal %s seq %u: repeat, stored reply sent", terminal, seq);
			return;
		}
	}
	size_t files_mark = self->nfiles;
	if (db_exec (self->db, "SAVEPOINT req") != DB_DONE) {
		it->reply = hub_server_error (terminal, seq, PR_STORAGE,
		    "the hub cannot write its database; nothing was recorded, try again shortly", &it->reply_size);
		return;
	}
	struct hub_req req = {
		.hub = self,
		.db = self->db,
		.msg = msg,
		.reply = proto_msg_reply_to (msg, PROTO_REPLY),
		.now_ms = now_ms,
		.store = stored,
	};
	int rc = hub_cmd_dispatch (&req);
	uint8_t *out = proto_encode (req.reply, &it->reply_size);
	if (out == NULL) {
		log_error ("terminal %s seq %u: reply too large to encode", terminal, seq);
		rc = -1;
	}
	if (rc == 0 && stored && hub_store_reply_put (self->db, terminal, seq, now_ms, out, it->reply_size) != 0)
		rc = -1;
	if (rc == 0) {
		hub_store_terminal_seen (self->db, terminal, stored ? seq : 0, now_ms);
		db_exec (self->db, "RELEASE req");
		it->reply = out;
	} else {
		free (out);
		db_exec (self->db, "ROLLBACK TO req");
		db_exec (self->db, "RELEASE req");
		hub_server_files_drop (self, files_mark);
		log_error ("terminal %s seq %u: not applied: %s", terminal, seq, db_errmsg (self->db));
		it->reply = hub_server_error (terminal, seq, PR_STORAGE,
		    "the hub could not record this; nothing was changed, try again shortly", &it->reply_size);
	}
	proto_msg_destroy (&req.reply);
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

static void
hub_server_decode_and_apply (hub_t *self, struct hub_item *it, int64_t now_ms)
{
	char err[160];
	int version;
	proto_msg_t *msg = NULL;
	if (proto_decode (zframe_data (it->payload), zframe_size (it->payload), &msg, &version, err, sizeof err) != 0) {
		int reason = version && version != PROTO_VERSION ? PR_BAD_VERSION : PR_MALFORMED;
		char text[256];
		snprintf (text, sizeof text, "message refused: %s", err);
		log_warn ("%s", text);
		it->reply = hub_server_error ("", 0, reason, text, &it->reply_size);
		return;
	}
	if (!proto_is_request (proto_msg_id (msg))) {
		it->reply = hub_server_error (proto_msg_terminal (msg), proto_msg_seq (msg), PR_MALFORMED,
		    "message refused: only requests may be sent to the hub", &it->reply_size);
	} else if (*proto_msg_terminal (msg) == '\0') {
		it->reply = hub_server_error ("", proto_msg_seq (msg), PR_MALFORMED,
		    "message refused: the terminal id is missing", &it->reply_size);
	} else {
		hub_server_apply (self, it, msg, now_ms);
		/* The latest routing frames of each terminal, so EVENTs can reach it
		 * (copied only when they change: a terminal keeps its connection). */
		zmsg_t *known = zhashx_lookup (self->routes, proto_msg_terminal (msg));
		if (known == NULL || !hub_server_route_same (known, it->envelope))
			zhashx_update (self->routes, proto_msg_terminal (msg), zmsg_dup (it->envelope));
	}
	proto_msg_destroy (&msg);
}

/* Read one waiting message into it; false when nothing (usable) is waiting. */
static bool
hub_server_read (hub_t *self, struct hub_item *it)
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
	payload = zframe_dup (payload);
	zframe_t *last = zmsg_last (m);
	zmsg_remove (m, last);
	zframe_destroy (&last);
	it->envelope = m;
	it->payload = payload;
	it->reply = NULL;
	return true;
}

static void
hub_server_batch (hub_t *self)
{
	int max = self->opt.batch_max > 0 ? self->opt.batch_max : 1;
	struct hub_item *items = xcalloc ((size_t) max, sizeof *items);
	int n = 0;
	while (n < max && hub_server_read (self, &items[n]))
		n++;
	if (n == 0) {
		free (items);
		return;
	}
	int64_t now_ms = util_wall_ms ();
	bool in_tx = db_begin (self->db) == DB_DONE;
	if (!in_tx)
		log_error ("cannot begin a transaction: %s", db_errmsg (self->db));
	for (int i = 0; i < n; i++) {
		if (in_tx)
			hub_server_decode_and_apply (self, &items[i], now_ms);
		else
			items[i].reply = hub_server_error ("", 0, PR_STORAGE,
			    "the hub cannot write its database; nothing was recorded, try again shortly",
			    &items[i].reply_size);
	}
	bool committed = in_tx && db_commit (self->db) == DB_DONE;
	hub_files_settle (self, committed);
	if (in_tx && !committed) {
		/* Nothing of this batch is durable: say so to every sender. */
		log_error ("commit of %d requests failed: %s", n, db_errmsg (self->db));
		db_rollback (self->db);
		for (int i = 0; i < n; i++) {
			proto_msg_t *m = NULL;
			int version;
			char err[16];
			const char *term = "";
			uint32_t seq = 0;
			if (proto_decode (zframe_data (items[i].payload), zframe_size (items[i].payload), &m, &version,
			        err, sizeof err) == 0) {
				term = proto_msg_terminal (m);
				seq = proto_msg_seq (m);
			}
			free (items[i].reply);
			items[i].reply = hub_server_error (term, seq, PR_STORAGE,
			    "the hub could not save this (database full or read-only); nothing was recorded, "
			    "it will be taken when you try again", &items[i].reply_size);
			proto_msg_destroy (&m);
		}
	}
	for (int i = 0; i < n; i++) {
		zmsg_t *out = items[i].envelope;
		if (items[i].reply)
			zmsg_addmem (out, items[i].reply, items[i].reply_size);
		if (items[i].reply && zmsg_send (&out, self->router) != 0)
			log_warn ("a reply could not be delivered: the terminal has gone");
		zmsg_destroy (&out);
		zframe_destroy (&items[i].payload);
		free (items[i].reply);
	}
	free (items);
	/* Labels of the batch just committed go to their printers now. */
	hub_print_pump (self);
}

/* privacy.retention_days: personal data of orders delivered longer ago is erased (hub-erase.h). */
static void
hub_server_retention (hub_t *self)
{
	if (self->opt.retention_days <= 0 || db_begin (self->db) != DB_DONE)
		return;
	int n = hub_erase_retention (self->db, self->opt.retention_days, util_wall_ms ());
	if (n < 0 || db_commit (self->db) != DB_DONE) {
		log_error ("retention: personal data not erased now: %s", db_errmsg (self->db));
		db_rollback (self->db);
		return;
	}
	if (n > 0) {
		log_info ("retention: erased the personal data of %d orders delivered more than %d days ago", n,
		    self->opt.retention_days);
		db_exec (self->db, "PRAGMA wal_checkpoint(TRUNCATE)");
	}
}

/* A certificate left the allow-list: drop every connection (unbind takes
 * them with it); each peer reconnects and is checked by ZAP again. */
static void
hub_server_rebind (hub_t *self)
{
	log_info ("the allow-list lost a certificate: reconnecting every terminal to check its key again");
	zsock_unbind (self->router, "%s", self->opt.endpoint);
	if (zsock_bind (self->router, "%s", self->opt.endpoint) < 0)
		log_error ("cannot listen on %s again: %s", self->opt.endpoint, zmq_strerror (zmq_errno ()));
}

int
hub_run (hub_t *self)
{
	log_info ("hub %s listening on %s, database %s", HUB_VERSION, self->opt.endpoint, db_path (self->db));
	self->next_prune_ms = util_mono_ms ();
	hub_print_recover (self);
	hub_server_files_recover (self);
	/* The heartbeat row despatch status reads (hub-store.c). */
	int64_t next_beat_ms = 0;
	while (!zsys_interrupted) {
		if (util_mono_ms () >= next_beat_ms) {
			if (hub_store_status_beat (self->db, self->opt.endpoint, self->opt.expiry_ms, self->started_ms,
			        util_wall_ms (), false) != 0)
				log_warn ("heartbeat not recorded: %s", db_errmsg (self->db));
			next_beat_ms = util_mono_ms () + HUB_STORE_BEAT_MS;
		}
		void *which = zpoller_wait (self->poller, 250);
		if (which == self->router)
			hub_server_batch (self);
		else if (which && which == hub_feed_sock (self->feed))
			hub_feed_handle (self->feed, self->db);
		else if (zpoller_terminated (self->poller))
			break;
		else
			hub_print_pump (self);
		hub_feed_tick (self->feed, self->db);
		hub_autoclose_tick (self);
		/* Whatever the batch, a push or the inbox committed goes out now (never before the commit). */
		hub_events_flush (self->events, self->db);
		if (hub_curve_revoked (self->curve))
			hub_server_rebind (self);
		/* The checkpoint thread has caught up to within a few frames: copy
		 * those here, between batches, and the next commit starts the WAL over. */
		if (hub_checkpoint_done (self->checkpoint))
			db_checkpoint_passive (self->db);
		int64_t now = util_mono_ms ();
		if (now >= self->next_prune_ms) {
			int n = hub_store_reply_prune (self->db, util_wall_ms () - HUB_REPLY_KEEP_MS);
			if (n > 0)
				log_info ("forgot %d stored replies older than 7 days", n);
			hub_server_retention (self);
			self->next_prune_ms = now + HUB_PRUNE_EVERY_MS;
		}
	}
	log_info ("hub stopping");
	hub_events_flush (self->events, self->db);
	hub_store_status_beat (self->db, self->opt.endpoint, self->opt.expiry_ms, self->started_ms, util_wall_ms (),
	    true);
	return 0;
}
