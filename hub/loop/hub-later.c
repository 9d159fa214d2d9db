/* hub-later.c: parked requests and the workers that answer their needs (see hub-later.h). */
#include "config.h"
#include "hub-later.h"
#include "hub/work/work-draw.h"
#include "hub/work/work-file.h"
#include "hub/work/work-pin.h"
#include "log.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* Drawing: one thread, as the labels library's renderer is shared by the
 * threads of a process. PINs: as many threads as helper processes were
 * forked (hub-main.c), else two checking on themselves. */
#define HUB_LATER_DRAW_THREADS 1
#define HUB_LATER_PIN_THREADS 2

struct hub_later {
	work_t *draw, *pin, *file;
	struct hub_later_req *head, *tail;
	size_t count;
	uint64_t next_id;
};

hub_later_t *
hub_later_new (struct work_pin_helpers *pin_helpers, char **cause)
{
	hub_later_t *self = xcalloc (1, sizeof *self);
	if ((self->draw = work_draw_new (HUB_LATER_DRAW_THREADS, cause)) == NULL
	    || (self->pin = work_pin_new (pin_helpers, HUB_LATER_PIN_THREADS, cause)) == NULL
	    || (self->file = work_file_new (cause)) == NULL) {
		hub_later_destroy (&self);
		return NULL;
	}
	return self;
}

static void
hub_later_req_free (struct hub_later_req **r_p)
{
	struct hub_later_req *r = *r_p;
	if (r == NULL)
		return;
	zframe_destroy (&r->payload);
	for (size_t i = 0; i < r->nroutes; i++)
		zmsg_destroy (&r->routes[i]);
	free (r->routes);
	proto_msg_destroy (&r->msg);
	free (r->station);
	hub_ask_destroy (&r->ask);
	free (r);
	*r_p = NULL;
}

void
hub_later_destroy (hub_later_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	hub_later_t *self = *self_p;
	/* The workers first: a job they hold names a request freed below. */
	work_destroy (&self->draw);
	work_destroy (&self->pin);
	work_destroy (&self->file);
	if (self->count)
		log_info ("%zu requests waiting for a worker dropped unanswered: each is taken anew when sent again",
		    self->count);
	while (self->head) {
		struct hub_later_req *r = self->head;
		self->head = r->next;
		hub_later_req_free (&r);
	}
	free (self);
	*self_p = NULL;
}

struct hub_later_req *
hub_later_find (hub_later_t *self, const char *terminal, uint32_t seq)
{
	for (struct hub_later_req *r = self->head; r; r = r->next)
		if (r->seq == seq && *r->terminal && strcmp (r->terminal, terminal) == 0)
			return r;
	return NULL;
}

bool
hub_later_busy (hub_later_t *self, const char *terminal)
{
	for (struct hub_later_req *r = self->head; r; r = r->next)
		if (*r->terminal && strcmp (r->terminal, terminal) == 0)
			return true;
	return false;
}

static void
hub_later_append (hub_later_t *self, struct hub_later_req *r)
{
	r->next = NULL;
	if (self->tail)
		self->tail->next = r;
	else
		self->head = r;
	self->tail = r;
	self->count++;
}

/* Each need of r not yet with a worker goes to the worker of its kind. */
static void
hub_later_ask (hub_later_t *self, struct hub_later_req *r)
{
	r->ready = !r->blocked && !hub_ask_waiting (r->ask);
	for (size_t i = 0; i < hub_ask_count (r->ask); i++) {
		struct hub_ask_need *n = hub_ask_need (r->ask, i);
		if (n->asked || n->answered)
			continue;
		struct work_job *job = NULL;
		work_t *to = NULL;
		switch (n->kind) {
		case HUB_ASK_DRAW:
			job = &work_draw_job_new (n->name, n->format, n->dpi, n->text)->base;
			to = self->draw;
			break;
		case HUB_ASK_PIN:
			job = &work_pin_job_new (n->text, n->secret)->base;
			to = self->pin;
			break;
		case HUB_ASK_FILE:
			job = &work_file_job_new (WORK_FILE_WRITE, n->name, n->bytes, n->nbytes)->base;
			to = self->file;
			break;
		}
		job->tag = r->id;
		job->index = i;
		n->asked = true;
		work_send (to, job);
	}
}

void
hub_later_park (hub_later_t *self, const char *terminal, uint32_t seq, zmsg_t **envelope_p, zframe_t **payload_p,
    hub_ask_t **ask_p)
{
	struct hub_later_req *r = xcalloc (1, sizeof *r);
	r->id = ++self->next_id;
	util_strlcpy (r->terminal, terminal, sizeof r->terminal);
	r->seq = seq;
	r->payload = *payload_p;
	*payload_p = NULL;
	hub_later_route (r, envelope_p);
	if (ask_p) {
		r->ask = *ask_p;
		*ask_p = NULL;
	}
	r->blocked = r->ask == NULL;
	if (r->ask)
		r->runs = 1;
	hub_later_append (self, r);
	if (r->ask)
		hub_later_ask (self, r);
}

void
hub_later_park_system (hub_later_t *self, proto_msg_t **msg_p, const char *station, hub_ask_t **ask_p)
{
	struct hub_later_req *r = xcalloc (1, sizeof *r);
	r->id = ++self->next_id;
	r->msg = *msg_p;
	*msg_p = NULL;
	r->station = xstrdup (station ? station : "");
	r->ask = *ask_p;
	*ask_p = NULL;
	r->runs = 1;
	hub_later_append (self, r);
	hub_later_ask (self, r);
}

static bool
hub_later_same_route (zmsg_t *a, zmsg_t *b)
{
	if (zmsg_size (a) != zmsg_size (b))
		return false;
	for (zframe_t *fa = zmsg_first (a), *fb = zmsg_first (b); fa && fb; fa = zmsg_next (a), fb = zmsg_next (b))
		if (!zframe_eq (fa, fb))
			return false;
	return true;
}

void
hub_later_route (struct hub_later_req *r, zmsg_t **envelope_p)
{
	zmsg_t *env = *envelope_p;
	*envelope_p = NULL;
	if (env == NULL)
		return;
	/* A retry on the connection it came on takes one answer, not two. */
	for (size_t i = 0; i < r->nroutes; i++)
		if (hub_later_same_route (r->routes[i], env)) {
			zmsg_destroy (&env);
			return;
		}
	r->routes = xrealloc (r->routes, (r->nroutes + 1) * sizeof *r->routes);
	r->routes[r->nroutes++] = env;
}

bool
hub_later_has_ready (const hub_later_t *self)
{
	for (struct hub_later_req *r = self->head; r; r = r->next)
		if (r->ready)
			return true;
	return false;
}

struct hub_later_req *
hub_later_next (hub_later_t *self)
{
	struct hub_later_req *prev = NULL;
	for (struct hub_later_req *r = self->head; r; prev = r, r = r->next) {
		if (!r->ready)
			continue;
		if (prev)
			prev->next = r->next;
		else
			self->head = r->next;
		if (self->tail == r)
			self->tail = prev;
		self->count--;
		r->next = NULL;
		return r;
	}
	return NULL;
}

void
hub_later_repark (hub_later_t *self, struct hub_later_req **r_p)
{
	struct hub_later_req *r = *r_p;
	*r_p = NULL;
	r->blocked = false;
	/* Ahead of the terminal's blocked ones, which came after it. */
	struct hub_later_req **at = &self->head;
	while (*at && !(*r->terminal && strcmp ((*at)->terminal, r->terminal) == 0))
		at = &(*at)->next;
	r->next = *at;
	*at = r;
	if (r->next == NULL)
		self->tail = r;
	self->count++;
	hub_later_ask (self, r);
}

void
hub_later_done (hub_later_t *self, struct hub_later_req **r_p)
{
	struct hub_later_req *r = *r_p;
	if (r == NULL)
		return;
	if (*r->terminal)
		for (struct hub_later_req *q = self->head; q; q = q->next)
			if (q->blocked && strcmp (q->terminal, r->terminal) == 0) {
				q->blocked = false;
				q->ready = true;
				break;
			}
	hub_later_req_free (r_p);
}

size_t
hub_later_count (const hub_later_t *self)
{
	return self->count;
}

size_t
hub_later_fds (hub_later_t *self, int *fds, size_t max)
{
	work_t *w[] = { self->draw, self->pin, self->file };
	size_t n = 0;
	for (size_t i = 0; i < nitems (w) && n < max; i++)
		fds[n++] = work_fd (w[i]);
	return n;
}

static struct hub_later_req *
hub_later_by_id (hub_later_t *self, uint64_t id)
{
	for (struct hub_later_req *r = self->head; r; r = r->next)
		if (r->id == id)
			return r;
	return NULL;
}

/* The answer of one job into its need (the need takes what the job found). */
static void
hub_later_fill (struct hub_ask_need *n, struct work_job *job)
{
	n->answered = true;
	switch (n->kind) {
	case HUB_ASK_DRAW: {
		struct work_draw_job *j = (struct work_draw_job *) job;
		n->ok = j->rc == 0;
		n->data = j->data;
		n->size = j->size;
		n->cause = j->rc == -2 ? xasprintf ("%s%s", HUB_ASK_UNREADABLE, j->cause) : j->cause;
		if (j->rc == -2)
			free (j->cause);
		j->data = NULL;
		j->cause = NULL;
		break;
	}
	case HUB_ASK_PIN:
		n->ok = ((struct work_pin_job *) job)->match;
		break;
	case HUB_ASK_FILE: {
		struct work_file_job *j = (struct work_file_job *) job;
		n->ok = j->rc == 0;
		n->cause = j->cause;
		j->cause = NULL;
		break;
	}
	}
}

static void
hub_later_free_job (enum hub_ask_kind kind, struct work_job *job)
{
	switch (kind) {
	case HUB_ASK_DRAW: {
		struct work_draw_job *j = (struct work_draw_job *) job;
		work_draw_job_free (&j);
		break;
	}
	case HUB_ASK_PIN: {
		struct work_pin_job *j = (struct work_pin_job *) job;
		work_pin_job_free (&j);
		break;
	}
	case HUB_ASK_FILE: {
		struct work_file_job *j = (struct work_file_job *) job;
		work_file_job_free (&j);
		break;
	}
	}
}

void
hub_later_answer (hub_later_t *self)
{
	static const enum hub_ask_kind kinds[] = { HUB_ASK_DRAW, HUB_ASK_PIN, HUB_ASK_FILE };
	work_t *w[] = { self->draw, self->pin, self->file };
	for (size_t k = 0; k < nitems (w); k++) {
		struct work_job *job;
		while ((job = work_take (w[k])) != NULL) {
			struct hub_later_req *r = hub_later_by_id (self, job->tag);
			struct hub_ask_need *n = r ? hub_ask_need (r->ask, job->index) : NULL;
			if (n && n->kind == kinds[k] && !n->answered)
				hub_later_fill (n, job);
			hub_later_free_job (kinds[k], job);
			if (r && !r->blocked && !hub_ask_waiting (r->ask))
				r->ready = true;
		}
	}
}
