/*
 * work-pin.h: the PIN worker: a PIN checked against its stored hash
 * (argon2id through common/secret.h, about a tenth of a second and tens of
 * megabytes each, on purpose), on threads of their own so that a burst of
 * logins costs the loop nothing. The PIN is wiped when the job is freed.
 */
#ifndef DSP_WORK_PIN_H
#define DSP_WORK_PIN_H

#include <stdbool.h>

#include "work.h"

struct work_pin_job {
	struct work_job base;
	char *hash;          /* asked */
	char *pin;
	bool match;          /* answered */
};

work_t *work_pin_new (int threads, char **cause);
/* The strings are copied. */
struct work_pin_job *work_pin_job_new (const char *hash, const char *pin);
void work_pin_job_free (struct work_pin_job **job_p);

#endif
