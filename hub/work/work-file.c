/* work-file.c: files written and synced on a thread of their own (see work-file.h). */
#include "config.h"
#include "work-file.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
work_file_run (void *state, struct work_job *job)
{
	(void) state;
	struct work_file_job *j = (struct work_file_job *) job;
	work_crash_point ("file");
	int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (j->op == WORK_FILE_APPEND ? O_APPEND : O_TRUNC);
	int fd = open (j->path, flags, 0644);
	if (fd < 0) {
		j->rc = -1;
		j->cause = xasprintf ("%s: cannot write: %s", j->path, strerror (errno));
		return;
	}
	size_t done = 0;
	while (done < j->size) {
		ssize_t n = write (fd, j->bytes + done, j->size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t) n;
	}
	int err = done < j->size ? (errno ? errno : EIO) : 0;
	if (err == 0 && fsync (fd) != 0)
		err = errno;
	if (close (fd) != 0 && err == 0)
		err = errno;
	j->rc = err ? -1 : 0;
	if (err)
		j->cause = xasprintf ("%s: cannot write: %s", j->path, strerror (err));
}

static void
work_file_free (struct work_job *job)
{
	struct work_file_job *j = (struct work_file_job *) job;
	work_file_job_free (&j);
}

static const struct work_class work_file_class = {
	.name = "dsp-file",
	.nice = 2,
	.run = work_file_run,
	.free = work_file_free,
};

work_t *
work_file_new (char **cause)
{
	return work_new (&work_file_class, 1, NULL, cause);
}

struct work_file_job *
work_file_job_new (enum work_file_op op, const char *path, const void *bytes, size_t size)
{
	struct work_file_job *j = xcalloc (1, sizeof *j);
	j->op = op;
	j->path = xstrdup (path);
	if (size) {
		j->bytes = xmalloc (size);
		memcpy (j->bytes, bytes, size);
		j->size = size;
	}
	return j;
}

void
work_file_job_free (struct work_file_job **job_p)
{
	if (job_p == NULL || *job_p == NULL)
		return;
	struct work_file_job *j = *job_p;
	free (j->path);
	free (j->bytes);
	free (j->cause);
	free (j);
	*job_p = NULL;
}
