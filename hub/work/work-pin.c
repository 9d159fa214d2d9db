/* work-pin.c: PIN checks on threads of their own (see work-pin.h). */
#include "config.h"
#include "work-pin.h"
#include "secret.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static void
work_pin_run (void *state, struct work_job *job)
{
	(void) state;
	struct work_pin_job *j = (struct work_pin_job *) job;
	work_crash_point ("pin");
	j->match = secret_pin_verify (j->hash, j->pin);
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
	.run = work_pin_run,
	.free = work_pin_free,
};

work_t *
work_pin_new (int threads, char **cause)
{
	return work_new (&work_pin_class, threads, NULL, cause);
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
