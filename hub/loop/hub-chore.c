/* hub-chore.c: one thread for the loop's slow chores (see hub-chore.h). */
#include "config.h"
#include "hub-chore.h"
#include "util.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

struct hub_chores {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;
	struct hub_chore *todo, **todo_tail; /* posted, not yet run */
	struct hub_chore *done, **done_tail; /* run, not yet settled */
};

static void *
hub_chores_run (void *arg)
{
	hub_chores_t *self = arg;
	pthread_mutex_lock (&self->lock);
	while (!self->stop) {
		if (self->todo == NULL) {
			pthread_cond_wait (&self->wake, &self->lock);
			continue;
		}
		struct hub_chore *c = self->todo;
		self->todo = c->next;
		if (self->todo == NULL)
			self->todo_tail = &self->todo;
		pthread_mutex_unlock (&self->lock);
		c->next = NULL;
		c->run (c);
		pthread_mutex_lock (&self->lock);
		*self->done_tail = c;
		self->done_tail = &c->next;
	}
	pthread_mutex_unlock (&self->lock);
	return NULL;
}

hub_chores_t *
hub_chores_new (char **cause)
{
	hub_chores_t *self = xcalloc (1, sizeof *self);
	self->todo_tail = &self->todo;
	self->done_tail = &self->done;
	pthread_mutex_init (&self->lock, NULL);
	pthread_cond_init (&self->wake, NULL);
	/* Every signal blocked on the thread (its mask is inherited), then the loop's put back. */
	sigset_t all, old;
	sigfillset (&all);
	pthread_sigmask (SIG_SETMASK, &all, &old);
	int rc = pthread_create (&self->thread, NULL, hub_chores_run, self);
	pthread_sigmask (SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		*cause = xasprintf ("cannot start the hub's chore thread");
		pthread_cond_destroy (&self->wake);
		pthread_mutex_destroy (&self->lock);
		free (self);
		return NULL;
	}
	return self;
}

/* The chores of a list through their done callbacks. */
static void
hub_chores_finish (struct hub_chore *c, bool ran)
{
	while (c) {
		struct hub_chore *next = c->next;
		c->next = NULL;
		c->done (c, ran);
		c = next;
	}
}

void
hub_chores_destroy (hub_chores_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	hub_chores_t *self = *self_p;
	pthread_mutex_lock (&self->lock);
	self->stop = true;
	pthread_cond_signal (&self->wake);
	pthread_mutex_unlock (&self->lock);
	pthread_join (self->thread, NULL);
	hub_chores_finish (self->done, true);
	hub_chores_finish (self->todo, false);
	pthread_cond_destroy (&self->wake);
	pthread_mutex_destroy (&self->lock);
	free (self);
	*self_p = NULL;
}

void
hub_chores_post (hub_chores_t *self, struct hub_chore *chore)
{
	chore->next = NULL;
	pthread_mutex_lock (&self->lock);
	*self->todo_tail = chore;
	self->todo_tail = &chore->next;
	pthread_cond_signal (&self->wake);
	pthread_mutex_unlock (&self->lock);
}

void
hub_chores_settle (hub_chores_t *self)
{
	/* The lock is held by the thread only between chores, never while one runs. */
	pthread_mutex_lock (&self->lock);
	struct hub_chore *done = self->done;
	self->done = NULL;
	self->done_tail = &self->done;
	pthread_mutex_unlock (&self->lock);
	hub_chores_finish (done, true);
}
