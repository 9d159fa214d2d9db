/* hub-held.c: EVENTs held for terminals the hub cannot reach now (see hub-held.h). */
#include "config.h"
#include "hub-held.h"
#include "log.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

struct hub_held_event {
	struct hub_held_event *next;
	char terminal[PROTO_MAX_TERMINAL + 1];
	int64_t at_ms;
	proto_msg_t *event;
};

struct hub_held {
	struct hub_held_event *head; /* oldest first */
	size_t count;
	size_t dropped;              /* since the last line in the log about it */
	int64_t said_ms;             /* when that line was written (0: never) */
	int64_t releasing_at;        /* while an event is given back: when it was first held (kept if held again) */
};

/* Drops are said at most once a minute, counted: a terminal away for long must not fill the log. */
#define HUB_HELD_SAY_EVERY_MS 60000

hub_held_t *
hub_held_new (void)
{
	return xcalloc (1, sizeof (hub_held_t));
}

/* Unlink *link's event and free it. */
static void
hub_held_unlink (hub_held_t *self, struct hub_held_event **link)
{
	struct hub_held_event *e = *link;
	*link = e->next;
	proto_msg_destroy (&e->event);
	free (e);
	self->count--;
}

void
hub_held_destroy (hub_held_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	hub_held_t *self = *self_p;
	while (self->head)
		hub_held_unlink (self, &self->head);
	free (self);
	*self_p = NULL;
}

/* Events past their age go, and are counted as dropped. */
static void
hub_held_expire (hub_held_t *self, int64_t now_ms)
{
	while (self->head && now_ms - self->head->at_ms > HUB_HELD_MAX_AGE_MS) {
		hub_held_unlink (self, &self->head);
		self->dropped++;
	}
}

void
hub_held_keep (hub_held_t *self, const char *terminal, proto_msg_t **event_p, int64_t now_ms)
{
	proto_msg_t *ev = *event_p;
	*event_p = NULL;
	if (ev == NULL)
		return;
	hub_held_expire (self, now_ms);
	/* The terminal's own oldest goes when it has its share; else the oldest of all when the whole is full. */
	size_t mine = 0;
	struct hub_held_event **first_mine = NULL, **tail = &self->head;
	for (; *tail; tail = &(*tail)->next)
		if (strcmp ((*tail)->terminal, terminal) == 0 && mine++ == 0)
			first_mine = tail;
	if (mine >= HUB_HELD_PER_TERMINAL || self->count >= HUB_HELD_MAX) {
		struct hub_held_event **victim = mine >= HUB_HELD_PER_TERMINAL ? first_mine : &self->head;
		if (&(*victim)->next == tail)
			tail = victim; /* the last one goes: the new one takes its place */
		hub_held_unlink (self, victim);
		self->dropped++;
	}
	if (self->dropped && (self->said_ms == 0 || now_ms - self->said_ms >= HUB_HELD_SAY_EVERY_MS)) {
		log_warn ("events for terminals that cannot be reached: %zu dropped%s, the oldest first (at most %d a "
		    "terminal, %d in all, %d minutes each)", self->dropped, self->said_ms ? " in the last minute or more" : "",
		    HUB_HELD_PER_TERMINAL, HUB_HELD_MAX, HUB_HELD_MAX_AGE_MS / 60000);
		self->dropped = 0;
		self->said_ms = now_ms ? now_ms : 1;
	}
	struct hub_held_event *e = xcalloc (1, sizeof *e);
	util_strlcpy (e->terminal, terminal, sizeof e->terminal);
	/* Held again while it is given back (the terminal gone once more): its age goes on from the first time. */
	e->at_ms = self->releasing_at ? self->releasing_at : now_ms;
	e->event = ev;
	*tail = e;
	self->count++;
}

void
hub_held_release (hub_held_t *self, const char *terminal, int64_t now_ms, hub_held_send_fn *send, void *arg)
{
	hub_held_expire (self, now_ms);
	/* Taken out first: send may hold an event again (the terminal gone once more). */
	struct hub_held_event *mine = NULL, **mine_tail = &mine;
	for (struct hub_held_event **link = &self->head; *link;) {
		if (strcmp ((*link)->terminal, terminal) != 0) {
			link = &(*link)->next;
			continue;
		}
		struct hub_held_event *e = *link;
		*link = e->next;
		e->next = NULL;
		*mine_tail = e;
		mine_tail = &e->next;
		self->count--;
	}
	size_t n = 0;
	while (mine) {
		struct hub_held_event *e = mine;
		mine = e->next;
		self->releasing_at = e->at_ms ? e->at_ms : 1;
		send (arg, terminal, &e->event);
		self->releasing_at = 0;
		proto_msg_destroy (&e->event);
		free (e);
		n++;
	}
	if (n)
		log_info ("terminal %s: %zu events held for it sent", terminal, n);
}

size_t
hub_held_count (const hub_held_t *self)
{
	return self->count;
}
