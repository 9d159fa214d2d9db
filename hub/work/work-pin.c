/* work-pin.c: PIN checks on threads of their own, each in a helper process of its own (see work-pin.h). */
#include "config.h"
#include "work-pin.h"
#include "secret.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define WORK_PIN_HELPERS_MAX 8
#define WORK_PIN_MSG 1024  /* a hash (about 100 bytes), a NUL, a PIN (4-12 digits), a NUL */
#define WORK_PIN_NICE 10

struct work_pin_helpers {
	int n;
	int fd[WORK_PIN_HELPERS_MAX];    /* the hub's end of each helper's socket */
	pid_t pid[WORK_PIN_HELPERS_MAX];
	pthread_mutex_t lock;            /* which helper the next thread takes */
	int taken;
};

/* The helper process: a hash and a PIN in, '1' or '0' out, until its socket closes. */
static void
work_pin_helper (int fd, int parent)
{
	prctl (PR_SET_NAME, "dsp-pin-check");
	prctl (PR_SET_PDEATHSIG, SIGKILL);
	if (getppid () != parent)
		_exit (0);
	signal (SIGINT, SIG_IGN); /* a ^C at the hub's terminal is the hub's to handle; the socket's end stops us */
	/* Below everything of the hub's: a burst of logins takes only the CPU the others leave. Niced, not
	 * SCHED_IDLE: with the helper busy at SCHED_IDLE the other terminals' p99 doubled on two cores
	 * (a spinning SCHED_IDLE process alone did the same), at nice 10 it stayed near the load's own. */
	(void) setpriority (PRIO_PROCESS, 0, WORK_PIN_NICE); /* a preference only */
	char buf[WORK_PIN_MSG];
	for (;;) {
		ssize_t n = recv (fd, buf, sizeof buf - 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		buf[n] = '\0';
		size_t hl = strlen (buf);
		char answer = '0';
		if ((ssize_t) hl + 1 < n && secret_pin_verify (buf, buf + hl + 1))
			answer = '1';
		secret_wipe (buf, sizeof buf);
		if (send (fd, &answer, 1, MSG_NOSIGNAL) != 1)
			break;
	}
	_exit (0);
}

work_pin_helpers_t *
work_pin_helpers_start (int n, char **cause)
{
	if (n < 1 || n > WORK_PIN_HELPERS_MAX) {
		*cause = xasprintf ("%d PIN helpers asked; 1 to %d may run", n, WORK_PIN_HELPERS_MAX);
		return NULL;
	}
	work_pin_helpers_t *self = xcalloc (1, sizeof *self);
	pthread_mutex_init (&self->lock, NULL);
	int parent = (int) getpid ();
	for (int i = 0; i < n; i++) {
		int sv[2];
		if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
			*cause = xasprintf ("cannot make a socket for a PIN helper: %s", strerror (errno));
			work_pin_helpers_destroy (&self);
			return NULL;
		}
		fflush (NULL);
		pid_t pid = fork ();
		if (pid < 0) {
			*cause = xasprintf ("cannot start a PIN helper: %s", strerror (errno));
			close (sv[0]);
			close (sv[1]);
			work_pin_helpers_destroy (&self);
			return NULL;
		}
		if (pid == 0) {
			/* Only its own end of its own socket: the others' ends would keep them from ever seeing EOF. */
			for (int k = 0; k < self->n; k++)
				close (self->fd[k]);
			close (sv[0]);
			work_pin_helper (sv[1], parent);
		}
		close (sv[1]);
		self->fd[self->n] = sv[0];
		self->pid[self->n] = pid;
		self->n++;
	}
	return self;
}

void
work_pin_helpers_destroy (work_pin_helpers_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	work_pin_helpers_t *self = *self_p;
	for (int i = 0; i < self->n; i++)
		close (self->fd[i]);
	for (int i = 0; i < self->n; i++)
		waitpid (self->pid[i], NULL, 0);
	pthread_mutex_destroy (&self->lock);
	free (self);
	*self_p = NULL;
}

/* A thread's own: the socket of the helper it took, or -1 (it checks on itself). */
struct work_pin_state {
	int fd;
};

static void *
work_pin_start (void *arg)
{
	work_pin_helpers_t *h = arg;
	struct work_pin_state *s = xcalloc (1, sizeof *s);
	s->fd = -1;
	if (h) {
		pthread_mutex_lock (&h->lock);
		if (h->taken < h->n)
			s->fd = h->fd[h->taken++];
		pthread_mutex_unlock (&h->lock);
	}
	return s;
}

static void
work_pin_stop (void *state)
{
	free (state);
}

/* The helper's answer: 1 match, 0 not, -1 the helper is gone. */
static int
work_pin_ask (int fd, const char *hash, const char *pin)
{
	char msg[WORK_PIN_MSG];
	size_t hl = strlen (hash), pl = strlen (pin);
	if (hl + pl + 2 > sizeof msg)
		return 0; /* no hash or PIN is that long: it cannot match */
	memcpy (msg, hash, hl + 1);
	memcpy (msg + hl + 1, pin, pl + 1);
	ssize_t sent = send (fd, msg, hl + pl + 2, MSG_NOSIGNAL);
	secret_wipe (msg, sizeof msg);
	if (sent != (ssize_t) (hl + pl + 2))
		return -1;
	char answer;
	ssize_t got;
	while ((got = recv (fd, &answer, 1, 0)) < 0 && errno == EINTR)
		;
	return got == 1 ? answer == '1' : -1;
}

static void
work_pin_run (void *state, struct work_job *job)
{
	struct work_pin_state *s = state;
	struct work_pin_job *j = (struct work_pin_job *) job;
	work_crash_point ("pin");
	int match = s->fd >= 0 ? work_pin_ask (s->fd, j->hash, j->pin) : -1;
	if (match < 0) {
		s->fd = -1; /* its helper is gone: from now on this thread checks on itself */
		match = secret_pin_verify (j->hash, j->pin);
	}
	j->match = match == 1;
}

static void
work_pin_free (struct work_job *job)
{
	struct work_pin_job *j = (struct work_pin_job *) job;
	work_pin_job_free (&j);
}

static const struct work_class work_pin_class = {
	.name = "dsp-pin",
	.nice = 5,
	.start = work_pin_start,
	.run = work_pin_run,
	.stop = work_pin_stop,
	.free = work_pin_free,
};

work_t *
work_pin_new (work_pin_helpers_t *helpers, int threads, char **cause)
{
	return work_new (&work_pin_class, helpers ? helpers->n : threads, helpers, cause);
}

struct work_pin_job *
work_pin_job_new (const char *hash, const char *pin)
{
	struct work_pin_job *j = xcalloc (1, sizeof *j);
	j->hash = xstrdup (hash);
	j->pin = xstrdup (pin);
	return j;
}

void
work_pin_job_free (struct work_pin_job **job_p)
{
	if (job_p == NULL || *job_p == NULL)
		return;
	struct work_pin_job *j = *job_p;
	secret_wipe (j->pin, strlen (j->pin));
	free (j->pin);
	free (j->hash);
	free (j);
	*job_p = NULL;
}
