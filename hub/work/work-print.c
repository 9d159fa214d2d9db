/* work-print.c: the print worker's thread and its CUPS calls (see work-print.h). */
#include "config.h"
#include "work-print.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* The thread's own: its CUPS connection, made at the first job and again after a failure. */
struct work_print_state {
	char *server; /* the worker's copy: a reload replaces the settings it came from */
	print_t *conn;
};

static void *
work_print_start (void *arg)
{
	struct work_print_state *s = xcalloc (1, sizeof *s);
	s->server = arg;
	return s;
}

static void
work_print_stop (void *state)
{
	struct work_print_state *s = state;
	print_destroy (&s->conn);
	free (s->server);
	free (s);
}

/*
 * Check and submit. The document is checked on its own, then against the
 * queue it goes to (printers/print.h: print_check): refused there, it never
 * reaches CUPS, and sending it again would not help.
 */
static int
work_print_submit (struct work_print_state *s, struct work_print_job *j)
{
	if (print_check (NULL, j->format, j->data, j->size, &j->cause) != 0) {
		j->rc = WORK_PRINT_REFUSED;
		return 0;
	}
	print_queue_t q;
	if (print_queue (s->conn, j->printer, &q, &j->cause) != 0) {
		/* Asked before anything was sent: CUPS has no job. */
		j->rc = WORK_PRINT_UNREACHED;
		return 0;
	}
	if (print_check (&q, j->format, j->data, j->size, &j->cause) != 0) {
		j->rc = WORK_PRINT_REFUSED;
		return 0;
	}
	j->cups_job = print_submit (s->conn, j->printer, j->format, j->title, j->data, j->size, &j->cause);
	if (j->cups_job == PRINT_SUBMIT_FAILED) {
		j->rc = WORK_PRINT_UNREACHED;
		return 0;
	}
	if (j->cups_job <= 0)
		return -1; /* unsure: it may be in CUPS, and is looked for before it is sent again */
	/* CUPS has it and the hub does not know yet: the crash that recovery must not print twice. */
	work_crash_point ("submit-taken");
	return 0;
}

static int
work_print_poll (struct work_print_state *s, struct work_print_job *j)
{
	work_crash_point ("follow-poll");
	int rc = print_poll (s->conn, j->cups_job, &j->state, &j->cause);
	if (rc == PRINT_POLL_GONE)
		j->left = WORK_PRINT_LEFT_GONE; /* CUPS answered: it is the job that is gone, not CUPS */
	return rc;
}

/*
 * A move or cancel CUPS refused: what it holds of the job now. A job that
 * already completed has printed, and sending it anew would print it twice;
 * the spooler decides from this, so it is read before anything else is done.
 */
static void
work_print_left (struct work_print_state *s, struct work_print_job *j)
{
	char *why = NULL;
	int rc = print_poll (s->conn, j->cups_job, &j->state, &why);
	if (rc == 0)
		j->left = print_job_state_final (j->state.state) ? WORK_PRINT_LEFT_FINISHED : WORK_PRINT_LEFT_LIVE;
	else
		j->left = rc == PRINT_POLL_GONE ? WORK_PRINT_LEFT_GONE : WORK_PRINT_LEFT_UNKNOWN;
	if (j->left == WORK_PRINT_LEFT_UNKNOWN) {
		char *both = xasprintf ("%s; its state: %s", j->cause ? j->cause : "refused", why ? why : "no answer");
		free (j->cause);
		j->cause = both;
	}
	free (why);
	/* CUPS finished the job before the hub's move or cancel, and the hub does not know yet. */
	if (j->left == WORK_PRINT_LEFT_FINISHED)
		work_crash_point ("finished-first");
}

static int
work_print_move (struct work_print_state *s, struct work_print_job *j)
{
	if (print_move (s->conn, j->cups_job, j->printer, &j->cause) == 0)
		return 0;
	work_print_left (s, j);
	return -1;
}

static int
work_print_cancel (struct work_print_state *s, struct work_print_job *j)
{
	if (print_cancel (s->conn, j->cups_job, &j->cause) == 0)
		return 0;
	work_print_left (s, j);
	return -1;
}

/* Whether the job whose identity is its title's first word reached CUPS, in any state CUPS keeps. */
static int
work_print_find (struct work_print_state *s, struct work_print_job *j)
{
	char ident[PRINT_IDENT_MAX];
	util_strlcpy (ident, j->title, sizeof ident);
	ident[strcspn (ident, " ")] = '\0';
	print_job_t found;
	int f = print_find (s->conn, ident, j->since, &found, &j->cause);
	static const enum work_print_found map[] = {
		[PRINT_FIND_ABSENT] = WORK_PRINT_FIND_ABSENT,
		[PRINT_FIND_FOUND] = WORK_PRINT_FIND_FOUND,
		[PRINT_FIND_FORGOTTEN] = WORK_PRINT_FIND_FORGOTTEN,
	};
	if (f < 0 || (size_t) f >= nitems (map)) {
		j->found = WORK_PRINT_FIND_FAILED;
		return -1;
	}
	j->found = map[f];
	if (f == PRINT_FIND_FOUND)
		j->cups_job = found.id;
	return 0;
}

static int (*const work_print_ops[]) (struct work_print_state *, struct work_print_job *) = {
	[WORK_PRINT_SUBMIT] = work_print_submit,
	[WORK_PRINT_POLL] = work_print_poll,
	[WORK_PRINT_MOVE] = work_print_move,
	[WORK_PRINT_CANCEL] = work_print_cancel,
	[WORK_PRINT_FIND] = work_print_find,
};

static void
work_print_run (void *state, struct work_job *job)
{
	struct work_print_state *s = state;
	struct work_print_job *j = (struct work_print_job *) job;
	j->rc = WORK_PRINT_DONE;
	if (j->op == WORK_PRINT_FIND)
		j->found = WORK_PRINT_FIND_FAILED;
	j->left = WORK_PRINT_LEFT_UNASKED;
	if (s->conn == NULL) {
		s->conn = print_new (s->server && *s->server ? s->server : getenv ("CUPS_SERVER"), &j->cause);
		if (s->conn == NULL) {
			j->rc = WORK_PRINT_UNREACHED;
			return;
		}
		print_set_timeout (s->conn, WORK_PRINT_TIMEOUT_MS);
	}
	if (work_print_ops[j->op] (s, j) != 0 && j->rc == WORK_PRINT_DONE)
		j->rc = WORK_PRINT_NO;
}

static void
work_print_free (struct work_job *job)
{
	struct work_print_job *j = (struct work_print_job *) job;
	work_print_job_free (&j);
}

static const struct work_class work_print_class = {
	.name = "dsp-print",
	.nice = 2,
	.start = work_print_start,
	.run = work_print_run,
	.stop = work_print_stop,
	.free = work_print_free,
};

work_t *
work_print_new (const char *server, char **cause)
{
	/* The thread takes the copy once it runs; no thread, no one to take it. */
	char *copy = xstrdup (server ? server : "");
	work_t *w = work_new (&work_print_class, 1, copy, cause);
	if (w == NULL)
		free (copy);
	return w;
}

struct work_print_job *
work_print_job_new (enum work_print_op op, int64_t job, const void *data, size_t size)
{
	struct work_print_job *j = xcalloc (1, sizeof *j);
	j->op = op;
	j->job = job;
	if (data && size) {
		j->data = xmalloc (size);
		memcpy (j->data, data, size);
		j->size = size;
	}
	return j;
}

void
work_print_job_free (struct work_print_job **job_p)
{
	if (job_p == NULL || *job_p == NULL)
		return;
	struct work_print_job *j = *job_p;
	free (j->data);
	free (j->cause);
	free (j);
	*job_p = NULL;
}
