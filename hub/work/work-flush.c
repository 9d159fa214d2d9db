/* work-flush.c: the WAL flushed on a thread of its own (see work-flush.h). */
#include "config.h"
#include "work-flush.h"
#include "db.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

struct work_flush_state {
	const char *wal_path;
	int fd;
};

static void *
work_flush_start (void *arg)
{
	struct work_flush_state *st = xcalloc (1, sizeof *st);
	st->wal_path = arg;
	st->fd = -1;
	return st;
}

static void
work_flush_run (void *state, struct work_job *job)
{
	struct work_flush_state *st = state;
	struct work_flush_job *j = (struct work_flush_job *) job;
	/* A crash here: the batch is committed, not known to be on the disk, and nobody has been told of it. */
	work_crash_point ("flush");
	if (j->marked)
		work_crash_point ("flush-marked");
	/* The other seam: a disk that takes a second to flush, the loop going on meanwhile. */
	if (work_fault ("slow-flush"))
		usleep (1000 * 1000);
	if (st->wal_path == NULL)
		j->err = 0; /* no WAL: each commit was synced by SQLite */
	else
		j->err = db_wal_fd_flush (st->wal_path, &st->fd) == 0 ? 0 : errno ? errno : EIO;
}

static void
work_flush_stop (void *state)
{
	struct work_flush_state *st = state;
	if (st->fd >= 0)
		close (st->fd);
	free (st);
}

static void
work_flush_free (struct work_job *job)
{
	free (job);
}

static const struct work_class work_flush_class = {
	.name = "dsp-flush",
	.nice = 0,
	.start = work_flush_start,
	.run = work_flush_run,
	.stop = work_flush_stop,
	.free = work_flush_free,
};

work_t *
work_flush_new (const char *wal_path, char **cause)
{
	return work_new (&work_flush_class, 1, (void *) wal_path, cause);
}

struct work_flush_job *
work_flush_job_new (uint64_t upto, bool marked)
{
	struct work_flush_job *j = xcalloc (1, sizeof *j);
	j->upto = upto;
	j->marked = marked;
	return j;
}
