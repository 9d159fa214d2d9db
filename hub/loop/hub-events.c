/* hub-events.c: the shipment events feed, PUB socket and export files (see hub-events.h). */
#include "config.h"
#include "hub-events.h"
#include "hub/work/work-file.h"
#include "log.h"
#include "util.h"

#include <czmq.h>
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define HUB_EVENTS_CHUNK 200
#define HUB_EVENTS_RETRY_MS 5000

/* The audit actions that are shipment events, published under their own name. */
static const char *const hub_events_topics[] = {
	"receive", "pack", "label", "verify", "scanout", "closeout", "reopen", "track", "hold", "release", "undo",
};

/* One event read back, ready to go out. */
struct hub_events_row {
	int64_t id, at;
	const char *topic;
	char *json;
};

struct hub_events {
	zsock_t *pub;
	char *exports;
	work_t *files;        /* the exports' own file worker: appends keep their order */
	int64_t sent;         /* the last event id sent */
	int64_t retry_ms;     /* after a failed export write, not before this (monotonic) */
	char *error;          /* the export's last error, as recorded in events_feed (NULL: none) */
	/* The chunk at the file worker: its rows, the last id read, the appends not answered. */
	struct hub_events_row *rows;
	int nrows;
	int64_t last;
	int pending;
	bool failed;
};

static bool
hub_events_wanted (const char *action, const char **topic)
{
	for (size_t i = 0; i < nitems (hub_events_topics); i++)
		if (strcmp (hub_events_topics[i], action) == 0) {
			*topic = hub_events_topics[i];
			return true;
		}
	return false;
}

hub_events_t *
hub_events_new (db_t *db, const char *endpoint, const char *exports, hub_curve_t *curve, char **cause)
{
	hub_events_t *self = xcalloc (1, sizeof *self);
	bool on = (endpoint && *endpoint) || (exports && *exports);
	if (exports && *exports) {
		self->exports = xstrdup (exports);
		if (util_mkdirs (exports, 0755) != 0) {
			*cause = xasprintf ("cannot make the exports folder %s: %s. Check hub.exports", exports,
			    strerror (errno));
			hub_events_destroy (&self);
			return NULL;
		}
		if ((self->files = work_file_new (cause)) == NULL) {
			hub_events_destroy (&self);
			return NULL;
		}
	}
	if (endpoint && *endpoint) {
		self->pub = zsock_new (ZMQ_PUB);
		if (self->pub && curve && hub_curve_apply (curve, self->pub, HUB_CURVE_EVENTS, cause) != 0) {
			hub_events_destroy (&self);
			return NULL;
		}
		if (self->pub) {
			zsock_set_sndhwm (self->pub, 100000);
			zsock_set_linger (self->pub, 500);
		}
		if (self->pub == NULL || zsock_bind (self->pub, "%s", endpoint) < 0) {
			*cause = xasprintf ("cannot publish events on %s: %s. Choose another hub.events", endpoint,
			    zmq_strerror (zmq_errno ()));
			hub_events_destroy (&self);
			return NULL;
		}
		log_info ("events feed on %s%s", endpoint, curve ? " (CURVE)" : "");
	}
	/* Resume after the last event sent; after a time with the feed off, start at the newest. */
	if (on)
		db_exec (db, "UPDATE events_feed SET sent = (SELECT coalesce (max (id), 0) FROM events) WHERE active = 0;"
		    "UPDATE events_feed SET active = 1");
	else
		db_exec (db, "UPDATE events_feed SET active = 0");
	db_stmt_t *st = db_prepare (db, "SELECT sent, error FROM events_feed WHERE id = 1");
	if (st && db_step (st) == DB_ROW) {
		self->sent = db_col_int (st, 0);
		if (!db_col_is_null (st, 1))
			self->error = xstrdup (db_col_text (st, 1));
	}
	if (st)
		db_reset (st);
	if (self->exports)
		log_info ("events exported to %s", self->exports);
	return self;
}

void
hub_events_destroy (hub_events_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	hub_events_t *self = *self_p;
	work_destroy (&self->files);
	for (int i = 0; i < self->nrows; i++)
		free (self->rows[i].json);
	free (self->rows);
	zsock_destroy (&self->pub);
	free (self->exports);
	free (self->error);
	free (self);
	*self_p = NULL;
}

char *
hub_events_file (const char *exports, int64_t at_ms)
{
	time_t t = (time_t) (at_ms / 1000);
	struct tm tm;
	gmtime_r (&t, &tm);
	char day[16];
	strftime (day, sizeof day, "%Y-%m-%d", &tm);
	return xasprintf ("%s/events-%s.jsonl", exports, day);
}

/* A JSON value: the text, or null when empty. */
static json_t *
hub_events_str (const char *s)
{
	return s && *s ? json_string (s) : json_null ();
}

/* Read up to HUB_EVENTS_CHUNK events after self->sent; *last is the last id read (published or not). */
static int
hub_events_read (hub_events_t *self, db_t *db, int64_t upto, struct hub_events_row **rows_p, int64_t *last)
{
	db_stmt_t *st = db_prepare (db,
	    "SELECT e.id, e.at, e.action, coalesce (e.order_ref, p.order_ref, ''), coalesce (p.code, ''),"
	    " coalesce (p.tracking, ''), coalesce (p.carrier, (SELECT q.carrier FROM parcels q WHERE"
	    " q.order_ref = e.order_ref AND q.carrier IS NOT NULL AND q.status != 'void' ORDER BY q.parcel_no LIMIT 1),"
	    " ''), coalesce (e.operator, ''), coalesce (e.station, ''), e.detail"
	    " FROM events e LEFT JOIN parcels p ON p.id = e.parcel_id WHERE e.id > ?1 AND e.id <= ?3 ORDER BY e.id LIMIT ?2");
	if (st == NULL)
		return -1;
	db_bind_int (st, 1, self->sent);
	db_bind_int (st, 2, HUB_EVENTS_CHUNK);
	db_bind_int (st, 3, upto);
	struct hub_events_row *rows = NULL;
	int n = 0;
	*last = self->sent;
	int rc;
	while ((rc = db_step (st)) == DB_ROW) {
		*last = db_col_int (st, 0);
		const char *topic;
		if (!hub_events_wanted (db_col_text (st, 2), &topic))
			continue;
		rows = xrealloc (rows, (size_t) (n + 1) * sizeof *rows);
		struct hub_events_row *r = &rows[n++];
		r->id = db_col_int (st, 0);
		r->at = db_col_int (st, 1);
		r->topic = topic;
		char iso[32];
		util_iso_time (r->at, iso, sizeof iso);
		json_t *o = json_object ();
		json_object_set_new (o, "id", json_integer (r->id));
		json_object_set_new (o, "event", json_string (topic));
		json_object_set_new (o, "order", hub_events_str (db_col_text (st, 3)));
		json_object_set_new (o, "parcel", hub_events_str (db_col_text (st, 4)));
		json_object_set_new (o, "tracking", hub_events_str (db_col_text (st, 5)));
		json_object_set_new (o, "carrier", hub_events_str (db_col_text (st, 6)));
		json_object_set_new (o, "at", json_string (iso));
		json_object_set_new (o, "by", hub_events_str (db_col_text (st, 7)));
		json_object_set_new (o, "station", hub_events_str (db_col_text (st, 8)));
		json_object_set_new (o, "detail", json_string (db_col_text (st, 9)));
		r->json = json_dumps (o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref (o);
		if (r->json == NULL)
			r->json = xstrdup ("{}");
	}
	db_reset (st);
	if (rc != DB_DONE) {
		for (int i = 0; i < n; i++)
			free (rows[i].json);
		free (rows);
		rows = NULL;
		n = -1;
	}
	*rows_p = rows;
	return n;
}

/* The rows to their day's files: one append (synced by the file worker) per file. */
static void
hub_events_export (hub_events_t *self)
{
	for (int i = 0; i < self->nrows;) {
		char *name = hub_events_file (self->exports, self->rows[i].at);
		size_t cap = 4096, len = 0;
		char *buf = xmalloc (cap);
		for (; i < self->nrows; i++) {
			char *other = hub_events_file (self->exports, self->rows[i].at);
			bool same = strcmp (other, name) == 0;
			free (other);
			if (!same)
				break;
			size_t n = strlen (self->rows[i].json);
			if (len + n + 2 > cap)
				buf = xrealloc (buf, cap = (len + n + 2) * 2);
			memcpy (buf + len, self->rows[i].json, n);
			len += n;
			buf[len++] = '\n';
		}
		work_send (self->files, &work_file_job_new (WORK_FILE_APPEND, name, buf, len)->base);
		self->pending++;
		free (name);
		free (buf);
	}
}

/* The chunk is out (in the files, when exported): recorded, then published, then forgotten. */
static void
hub_events_sent (hub_events_t *self, db_t *db)
{
	if (self->last != self->sent) {
		/* Recorded before it goes on the wire: the files are the durable copy, the PUB is for who listens.
		 * Not flushed on its own (the next flushed commit takes it to the disk): a power cut may take it
		 * back, and the events after it are then sent again, under the same ids, as after any crash
		 * between the export and this record. A flush of its own was a flush on the loop each turn. */
		db_lazy_commits (db, true);
		db_stmt_t *st = db_prepare (db, "UPDATE events_feed SET sent = ?1 WHERE id = 1");
		db_bind_int (st, 1, self->last);
		if (db_step (st) != DB_DONE)
			log_warn ("events feed: last event sent (%lld) not recorded: %s", (long long) self->last,
			    db_errmsg (db));
		db_reset (st);
		db_lazy_commits (db, false);
	}
	for (int i = 0; self->pub && i < self->nrows; i++) {
		zmsg_t *m = zmsg_new ();
		zmsg_addstr (m, self->rows[i].topic);
		zmsg_addstr (m, self->rows[i].json);
		if (zmsg_send (&m, self->pub) != 0)
			zmsg_destroy (&m);
	}
	self->sent = self->last;
}

static void
hub_events_forget (hub_events_t *self)
{
	for (int i = 0; i < self->nrows; i++)
		free (self->rows[i].json);
	free (self->rows);
	self->rows = NULL;
	self->nrows = 0;
	self->failed = false;
}

/* The export's last error for despatch status (NULL: it works again); said once per change. */
static void
hub_events_error (hub_events_t *self, db_t *db, const char *why)
{
	if ((why == NULL) == (self->error == NULL) && (why == NULL || strcmp (why, self->error) == 0))
		return;
	db_stmt_t *st = db_prepare (db, "UPDATE events_feed SET error = ?1, error_at = ?2 WHERE id = 1");
	if (st == NULL)
		return;
	db_bind_text (st, 1, why);
	if (why)
		db_bind_int (st, 2, util_wall_ms ());
	else
		db_bind_null (st, 2);
	if (db_step (st) == DB_DONE) {
		free (self->error);
		self->error = why ? xstrdup (why) : NULL;
		if (why == NULL)
			log_info ("events exported to %s again", self->exports);
	}
	db_reset (st);
}

bool
hub_events_enabled (const hub_events_t *self)
{
	return self && (self->pub || self->exports);
}

void
hub_events_flush (hub_events_t *self, db_t *db, int64_t upto)
{
	if (self == NULL || (self->pub == NULL && self->exports == NULL) || self->pending > 0
	    || util_mono_ms () < self->retry_ms)
		return;
	for (;;) {
		struct hub_events_row *rows = NULL;
		int64_t last;
		int n = hub_events_read (self, db, upto, &rows, &last);
		if (n < 0) {
			log_error ("events feed: cannot read the audit trail: %s", db_errmsg (db));
			self->retry_ms = util_mono_ms () + HUB_EVENTS_RETRY_MS;
			return;
		}
		self->rows = rows;
		self->nrows = n;
		self->last = last;
		if (n > 0 && self->exports) {
			/* Published once the file worker says the lines are in their files (hub_events_answer). */
			hub_events_export (self);
			return;
		}
		bool more = last != self->sent;
		hub_events_sent (self, db);
		hub_events_forget (self);
		if (!more)
			return;
	}
}

int
hub_events_fd (hub_events_t *self)
{
	return self && self->files ? work_fd (self->files) : -1;
}

void
hub_events_answer (hub_events_t *self, db_t *db)
{
	struct work_job *wj;
	while (self->files && (wj = work_take (self->files)) != NULL) {
		struct work_file_job *j = (struct work_file_job *) wj;
		if (j->rc != 0 && !self->failed) {
			log_error ("events not exported to %s; trying again shortly (nothing is lost)", j->cause);
			/* For despatch status: the first error of the chunk. */
			hub_events_error (self, db, j->cause);
			self->failed = true;
		}
		work_file_job_free (&j);
		self->pending--;
	}
	if (self->pending > 0 || self->rows == NULL)
		return;
	if (self->failed) {
		self->retry_ms = util_mono_ms () + HUB_EVENTS_RETRY_MS;
	} else {
		hub_events_error (self, db, NULL);
		hub_events_sent (self, db);
	}
	hub_events_forget (self);
}

void
hub_events_drain (hub_events_t *self, db_t *db, int timeout_ms)
{
	int64_t end = util_mono_ms () + timeout_ms;
	while (self && self->pending > 0 && util_mono_ms () < end) {
		struct pollfd p = { .fd = work_fd (self->files), .events = POLLIN };
		poll (&p, 1, 100);
		hub_events_answer (self, db);
	}
}
