/* hub-flush.c: the batches' flush, and what waits for it (see hub-flush.h). */
#include "config.h"
#include "hub-flush.h"
#include "log.h"
#include "util.h"
#include "hub/work/work-flush.h"

#include <stdlib.h>

/* One thing held, in the order it was sent: a reply, an EVENT, or the mark of a commit made unflushed
 * (what follows it waits until a flush has taken it). */
struct hub_flush_out {
	struct hub_flush_out *next;
	uint64_t commit;     /* a mark: the commit's number; 0 for a message */
	int64_t events;      /* a mark's: the last event its commit holds */
	zmsg_t *reply;
	char *terminal;      /* an EVENT's */
	proto_msg_t *event;
};

struct hub_flush {
	db_t *db;
	zsock_t *router;
	hub_flush_event_fn *event;
	void *arg;
	work_t *worker;
	char *wal_path;
	uint64_t made;       /* commits made unflushed, counted */
	uint64_t durable;    /* of those, how many are on the disk */
	int64_t durable_events; /* the last event of the last of them on the disk */
	int64_t made_events;    /* the last event of the last of them */
	uint64_t last_marked;   /* the last of them that marked print jobs */
	bool flushing;       /* a flush is under way */
	bool releasing;      /* sending what waited: the EVENT sender sends, never holds again */
	struct hub_flush_out *head, *tail;
};

hub_flush_t *
hub_flush_new (db_t *db, zsock_t *router, hub_flush_event_fn *event, void *arg, char **cause)
{
	hub_flush_t *self = xcalloc (1, sizeof *self);
	self->db = db;
	self->router = router;
	self->event = event;
	self->arg = arg;
	/* NULL: the journal is no WAL, SQLite syncs every commit itself and no commit is ever left to the worker. */
	self->wal_path = db_wal_path (db) ? xstrdup (db_wal_path (db)) : NULL;
	self->worker = work_flush_new (self->wal_path, cause);
	if (self->worker == NULL) {
		free (self->wal_path);
		free (self);
		return NULL;
	}
	return self;
}

static void
hub_flush_push (hub_flush_t *self, struct hub_flush_out *o)
{
	if (self->tail)
		self->tail->next = o;
	else
		self->head = o;
	self->tail = o;
}

/* What may go now goes, in order, up to the first commit not on the disk yet. */
static void
hub_flush_release (hub_flush_t *self)
{
	self->releasing = true;
	struct hub_flush_out *o;
	while ((o = self->head) != NULL && (o->commit == 0 || o->commit <= self->durable)) {
		self->head = o->next;
		if (self->head == NULL)
			self->tail = NULL;
		if (o->reply && zmsg_send (&o->reply, self->router) != 0)
			log_debug ("a reply could not be delivered: the terminal has gone");
		zmsg_destroy (&o->reply);
		if (o->event)
			self->event (self->arg, o->terminal, &o->event);
		proto_msg_destroy (&o->event);
		free (o->terminal);
		free (o);
	}
	self->releasing = false;
}

static void
hub_flush_ask (hub_flush_t *self)
{
	if (self->flushing || self->durable >= self->made)
		return;
	work_send (self->worker, &work_flush_job_new (self->made, self->last_marked > self->durable)->base);
	self->flushing = true;
}

uint64_t
hub_flush_committed (hub_flush_t *self, int64_t events, bool marked)
{
	struct hub_flush_out *o = xcalloc (1, sizeof *o);
	o->commit = ++self->made;
	o->events = events;
	self->made_events = events;
	if (marked)
		self->last_marked = o->commit;
	hub_flush_push (self, o);
	hub_flush_ask (self);
	return o->commit;
}

bool
hub_flush_done (const hub_flush_t *self, uint64_t commit)
{
	return commit <= self->durable;
}

void
hub_flush_durable (hub_flush_t *self)
{
	/* Sent at the next send or turn of the loop, not here: this is called inside SQLite's commit. */
	self->durable = self->made;
	self->durable_events = self->made_events;
}

void
hub_flush_now (hub_flush_t *self)
{
	if (self->durable < self->made) {
		db_flush (self->db);
		hub_flush_durable (self);
	}
	hub_flush_release (self);
}

int
hub_flush_send (hub_flush_t *self, zmsg_t **out_p)
{
	hub_flush_release (self);
	if (self->head == NULL)
		return zmsg_send (out_p, self->router);
	struct hub_flush_out *o = xcalloc (1, sizeof *o);
	o->reply = *out_p;
	*out_p = NULL;
	hub_flush_push (self, o);
	return 0;
}

bool
hub_flush_event (hub_flush_t *self, const char *terminal, proto_msg_t **event_p)
{
	if (self->releasing)
		return false;
	hub_flush_release (self);
	if (self->head == NULL)
		return false;
	struct hub_flush_out *o = xcalloc (1, sizeof *o);
	o->terminal = xstrdup (terminal);
	o->event = *event_p;
	*event_p = NULL;
	hub_flush_push (self, o);
	return true;
}

int
hub_flush_fd (hub_flush_t *self)
{
	return work_fd (self->worker);
}

void
hub_flush_answer (hub_flush_t *self)
{
	struct work_job *job;
	while ((job = work_take (self->worker)) != NULL) {
		struct work_flush_job *j = (struct work_flush_job *) job;
		if (j->err)
			db_flush_stop (self->wal_path, j->err); /* the commits are seen already and cannot be taken back */
		if (j->upto > self->durable)
			self->durable = j->upto;
		/* The marks it took are still held (released below): their events may go now. */
		for (struct hub_flush_out *o = self->head; o; o = o->next)
			if (o->commit && o->commit <= self->durable && o->events > self->durable_events)
				self->durable_events = o->events;
		self->flushing = false;
		free (j);
	}
	hub_flush_ask (self);
	hub_flush_release (self);
}

int64_t
hub_flush_events_upto (const hub_flush_t *self)
{
	return self->durable >= self->made ? INT64_MAX : self->durable_events;
}

uint64_t
hub_flush_waiting (const hub_flush_t *self)
{
	return self->made - self->durable;
}

void
hub_flush_destroy (hub_flush_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	hub_flush_t *self = *self_p;
	/* The flush under way (if any) ends first: the worker's threads are joined. */
	work_destroy (&self->worker);
	hub_flush_now (self);
	free (self->wal_path);
	free (self);
	*self_p = NULL;
}
