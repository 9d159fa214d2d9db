/* work-print.c: the spooler's CUPS calls, one message each (see work-print.h). */
#include "config.h"
#include "work-print.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define WORK_PRINT_TIMEOUT_MS 3000

struct work_print {
	char *server;
	print_t *conn;
};

work_print_t *
work_print_new (const char *server)
{
	work_print_t *self = xcalloc (1, sizeof *self);
	self->server = server ? xstrdup (server) : NULL;
	return self;
}

void
work_print_destroy (work_print_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	work_print_t *self = *self_p;
	print_destroy (&self->conn);
	free (self->server);
	free (self);
	*self_p = NULL;
}

static int
work_print_submit (work_print_t *self, const struct work_print_msg *m, struct work_print_reply *r)
{
	r->cups_job = print_submit (self->conn, m->printer, m->format, m->title, m->data, m->size, &r->cause);
	return r->cups_job > 0 ? 0 : -1;
}

static int
work_print_poll (work_print_t *self, const struct work_print_msg *m, struct work_print_reply *r)
{
	return print_poll (self->conn, m->cups_job, &r->state, &r->cause);
}

static int
work_print_move (work_print_t *self, const struct work_print_msg *m, struct work_print_reply *r)
{
	return print_move (self->conn, m->cups_job, m->printer, &r->cause);
}

static int
work_print_cancel (work_print_t *self, const struct work_print_msg *m, struct work_print_reply *r)
{
	return print_cancel (self->conn, m->cups_job, &r->cause);
}

static int
work_print_list (work_print_t *self, const struct work_print_msg *m, struct work_print_reply *r)
{
	(void) m;
	return print_jobs (self->conn, NULL, true, &r->list, &r->count, &r->cause);
}

static int (*const work_print_ops[]) (work_print_t *, const struct work_print_msg *, struct work_print_reply *) = {
	[WORK_PRINT_SUBMIT] = work_print_submit,
	[WORK_PRINT_POLL] = work_print_poll,
	[WORK_PRINT_MOVE] = work_print_move,
	[WORK_PRINT_CANCEL] = work_print_cancel,
	[WORK_PRINT_LIST] = work_print_list,
};

void
work_print_do (work_print_t *self, const struct work_print_msg *m, struct work_print_reply *r)
{
	memset (r, 0, sizeof *r);
	r->op = m->op;
	r->job = m->job;
	if (self->conn == NULL) {
		self->conn = print_new (self->server ? self->server : getenv ("CUPS_SERVER"), &r->cause);
		if (self->conn == NULL) {
			r->rc = -2;
			return;
		}
		print_set_timeout (self->conn, WORK_PRINT_TIMEOUT_MS);
	}
	r->rc = work_print_ops[m->op] (self, m, r) == 0 ? 0 : -1;
}

void
work_print_reply_free (struct work_print_reply *r)
{
	free (r->cause);
	free (r->list);
	r->cause = NULL;
	r->list = NULL;
	r->count = 0;
}
