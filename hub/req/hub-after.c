/* hub-after.c: files and EVENTs waiting for a commit (see hub-after.h). */
#include "config.h"
#include "hub-after.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct hub_after_file {
	char *from, *to;
	bool discard; /* remove from if rolled back */
};

struct hub_after_event {
	char *terminal;
	proto_msg_t *event;
};

struct hub_after {
	struct hub_after_file *files;
	size_t nfiles, files_cap;
	struct hub_after_event *events;
	size_t nevents, events_cap;
};

bool
hub_after_has_files (const hub_after_t *self)
{
	return self->nfiles > 0;
}

hub_after_t *
hub_after_new (void)
{
	return xcalloc (1, sizeof (hub_after_t));
}

void
hub_after_destroy (hub_after_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	hub_after_t *self = *self_p;
	hub_after_drop (self, (struct hub_after_mark) { 0, 0 });
	free (self->files);
	free (self->events);
	free (self);
	*self_p = NULL;
}

void
hub_after_file (hub_after_t *self, const char *from, const char *to, bool discard)
{
	if (self->nfiles == self->files_cap) {
		self->files_cap = self->files_cap ? self->files_cap * 2 : 8;
		self->files = xrealloc (self->files, self->files_cap * sizeof *self->files);
	}
	self->files[self->nfiles++] = (struct hub_after_file) { xstrdup (from), xstrdup (to), discard };
}

void
hub_after_event (hub_after_t *self, const char *terminal, proto_msg_t **event_p)
{
	proto_msg_t *ev = *event_p;
	*event_p = NULL;
	if (ev == NULL)
		return;
	if (self->nevents == self->events_cap) {
		self->events_cap = self->events_cap ? self->events_cap * 2 : 16;
		self->events = xrealloc (self->events, self->events_cap * sizeof *self->events);
	}
	self->events[self->nevents++] = (struct hub_after_event) { xstrdup (terminal), ev };
}

struct hub_after_mark
hub_after_mark (hub_after_t *self)
{
	return (struct hub_after_mark) { self->nfiles, self->nevents };
}

static void
hub_after_undo (hub_after_t *self, struct hub_after_mark mark, bool keep_files)
{
	while (self->nfiles > mark.files) {
		struct hub_after_file *f = &self->files[--self->nfiles];
		if (f->discard && !keep_files && unlink (f->from) != 0 && errno != ENOENT)
			log_warn ("%s not removed: %s", f->from, strerror (errno));
		free (f->from);
		free (f->to);
	}
	while (self->nevents > mark.events) {
		struct hub_after_event *e = &self->events[--self->nevents];
		proto_msg_destroy (&e->event);
		free (e->terminal);
	}
}

void
hub_after_drop (hub_after_t *self, struct hub_after_mark mark)
{
	hub_after_undo (self, mark, false);
}

void
hub_after_forget (hub_after_t *self, struct hub_after_mark mark)
{
	hub_after_undo (self, mark, true);
}

void
hub_after_settle (hub_after_t *self, bool committed, hub_after_send_fn *send, void *arg)
{
	if (!committed) {
		hub_after_drop (self, (struct hub_after_mark) { 0, 0 });
		return;
	}
	for (size_t i = 0; i < self->nfiles; i++) {
		struct hub_after_file *f = &self->files[i];
		/* Committed: the database names the file, so a rename that fails is finished at the next start. */
		if (rename (f->from, f->to) != 0)
			log_error ("%s could not be renamed %s: %s; it is renamed at the next start", f->from, f->to,
			    strerror (errno));
		free (f->from);
		free (f->to);
	}
	self->nfiles = 0;
	for (size_t i = 0; i < self->nevents; i++) {
		struct hub_after_event *e = &self->events[i];
		send (arg, e->terminal, &e->event);
		proto_msg_destroy (&e->event);
		free (e->terminal);
	}
	self->nevents = 0;
}
