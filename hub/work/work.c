/* work.c: worker threads with a queue in, a queue out and an eventfd for the loop (see work.h). */
#include "config.h"
#include "work.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define WORK_THREADS_MAX 16

/* A FIFO of jobs, linked through job->next. */
struct work_fifo {
	struct work_job *head, *tail;
};

struct work {
	const struct work_class *cls;
	void *arg;
	pthread_mutex_t lock;       /* guards both queues, stopping and pending */
	pthread_cond_t wake;        /* a job came in, or stop */
	struct work_fifo in, out;
	bool stopping;
	size_t pending;
	int fd;                     /* eventfd: written once per job done */
	int threads;
	pthread_t thread[WORK_THREADS_MAX];
};

static void
work_fifo_push (struct work_fifo *q, struct work_job *job)
{
	job->next = NULL;
	if (q->tail)
		q->tail->next = job;
	else
		q->head = job;
	q->tail = job;
}

static struct work_job *
work_fifo_pop (struct work_fifo *q)
{
	struct work_job *job = q->head;
	if (job) {
		q->head = job->next;
		if (q->head == NULL)
			q->tail = NULL;
		job->next = NULL;
	}
	return job;
}

static void *
work_thread (void *arg)
{
	work_t *self = arg;
	/* Below the loop: a burst of PIN checks or drawings takes what the loop leaves. */
	if (self->cls->nice > 0)
		(void) setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), self->cls->nice); /* a preference only */
	void *state = self->cls->start ? self->cls->start (self->arg) : NULL;
	pthread_mutex_lock (&self->lock);
	for (;;) {
		while (!self->stopping && self->in.head == NULL)
			pthread_cond_wait (&self->wake, &self->lock);
		if (self->stopping)
			break;
		struct work_job *job = work_fifo_pop (&self->in);
		pthread_mutex_unlock (&self->lock);
		self->cls->run (state, job);
		pthread_mutex_lock (&self->lock);
		job->done = true;
		work_fifo_push (&self->out, job);
		/* Inside the lock, so the loop's drain (read, then take all) never misses one. */
		uint64_t one = 1;
		if (write (self->fd, &one, sizeof one) != (ssize_t) sizeof one)
			(void) 0; /* the counter is only full after 2^64 - 1 jobs untaken */
	}
	pthread_mutex_unlock (&self->lock);
	if (self->cls->stop)
		self->cls->stop (state);
	return NULL;
}

work_t *
work_new (const struct work_class *cls, int threads, void *arg, char **cause)
{
	if (threads < 1 || threads > WORK_THREADS_MAX) {
		*cause = xasprintf ("%s: %d threads asked; 1 to %d may run", cls->name, threads, WORK_THREADS_MAX);
		return NULL;
	}
	work_t *self = xcalloc (1, sizeof *self);
	self->cls = cls;
	self->arg = arg;
	pthread_mutex_init (&self->lock, NULL);
	pthread_cond_init (&self->wake, NULL);
	self->fd = eventfd (0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (self->fd < 0) {
		*cause = xasprintf ("%s: cannot make its eventfd: %s", cls->name, strerror (errno));
		work_destroy (&self);
		return NULL;
	}
	/* Every signal blocked on the threads (they inherit the mask): the loop's thread takes them. */
	sigset_t all, old;
	sigfillset (&all);
	pthread_sigmask (SIG_SETMASK, &all, &old);
	for (int i = 0; i < threads; i++) {
		int rc = pthread_create (&self->thread[i], NULL, work_thread, self);
		if (rc != 0) {
			*cause = xasprintf ("%s: cannot start a thread: %s", cls->name, strerror (rc));
			break;
		}
		self->threads++;
		char name[16];
		snprintf (name, sizeof name, "%.12s", cls->name);
		pthread_setname_np (self->thread[i], name);
	}
	pthread_sigmask (SIG_SETMASK, &old, NULL);
	if (self->threads < threads) {
		work_destroy (&self);
		return NULL;
	}
	return self;
}

void
work_destroy (work_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	work_t *self = *self_p;
	pthread_mutex_lock (&self->lock);
	self->stopping = true;
	pthread_cond_broadcast (&self->wake);
	pthread_mutex_unlock (&self->lock);
	for (int i = 0; i < self->threads; i++)
		pthread_join (self->thread[i], NULL);
	struct work_job *job;
	while ((job = work_fifo_pop (&self->in)) != NULL)
		self->cls->free (job);
	while ((job = work_fifo_pop (&self->out)) != NULL)
		self->cls->free (job);
	if (self->fd >= 0)
		close (self->fd);
	pthread_cond_destroy (&self->wake);
	pthread_mutex_destroy (&self->lock);
	free (self);
	*self_p = NULL;
}

void
work_send (work_t *self, struct work_job *job)
{
	job->done = false;
	pthread_mutex_lock (&self->lock);
	work_fifo_push (&self->in, job);
	self->pending++;
	pthread_cond_signal (&self->wake);
	pthread_mutex_unlock (&self->lock);
}

struct work_job *
work_take (work_t *self)
{
	pthread_mutex_lock (&self->lock);
	struct work_job *job = work_fifo_pop (&self->out);
	if (job)
		self->pending--;
	else {
		/* Nothing left: the counter starts over (a thread writes it under this lock). */
		uint64_t n;
		if (read (self->fd, &n, sizeof n) < 0)
			(void) 0; /* EAGAIN: it was zero */
	}
	pthread_mutex_unlock (&self->lock);
	return job;
}

int
work_fd (work_t *self)
{
	return self->fd;
}

size_t
work_pending (work_t *self)
{
	pthread_mutex_lock (&self->lock);
	size_t n = self->pending;
	pthread_mutex_unlock (&self->lock);
	return n;
}

const char *
work_name (const work_t *self)
{
	return self->cls->name;
}

/* --- the test seams ------------------------------------------------------ */

static char work_crash_at[64], work_fault_is[64];
static long work_crash_delay_ms;

void
work_crash_init (void)
{
	const char *at = getenv ("DSP_HUB_CRASH_AT");
	util_strlcpy (work_crash_at, at ? at : "", sizeof work_crash_at);
	const char *delay = getenv ("DSP_HUB_CRASH_DELAY_MS");
	work_crash_delay_ms = delay ? strtol (delay, NULL, 10) : 0;
	const char *fault = getenv ("DSP_HUB_DRAW_FAULT");
	util_strlcpy (work_fault_is, fault ? fault : "", sizeof work_fault_is);
}

bool
work_fault (const char *fault)
{
	return *work_fault_is && strcmp (work_fault_is, fault) == 0;
}

void
work_crash_point (const char *point)
{
	if (*work_crash_at == '\0' || strcmp (work_crash_at, point) != 0)
		return;
	if (work_crash_delay_ms > 0)
		usleep ((useconds_t) (work_crash_delay_ms > 10000 ? 10000 : work_crash_delay_ms) * 1000);
	/* Straight to stderr: the log may be buffered, and this is the last word. */
	static const char msg[] = "despatch-hub: DSP_HUB_CRASH_AT: killed at ";
	if (write (STDERR_FILENO, msg, sizeof msg - 1) < 0 || write (STDERR_FILENO, point, strlen (point)) < 0
	    || write (STDERR_FILENO, "\n", 1) < 0)
		(void) 0;
	kill (getpid (), SIGKILL);
}
