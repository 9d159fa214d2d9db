/*
 * work-pin.h: the PIN worker: a PIN checked against its stored hash
 * (argon2id through common/secret.h, about a tenth of a second and 64 MB
 * on purpose), so that a burst of logins costs the loop nothing.
 *
 * The check itself runs in a helper process of its own, one per worker
 * thread, forked when the hub starts (work_pin_helpers_start, while the
 * process still has one thread): argon2id maps, fills and unmaps 64 MB for
 * every check, and in the hub's own address space that holds every other
 * thread's memory calls (the kernel's lock of the address space) for tens
 * of milliseconds at a time. The thread hands the hash and the PIN to its
 * helper over a socket and waits for the answer; a helper that is gone is
 * replaced by checking on the thread. The PIN is wiped wherever it was.
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

typedef struct work_pin_helpers work_pin_helpers_t;

/* n (1-8) helper processes, forked now: call before any thread starts.
 * NULL and *cause (caller frees) when one cannot be made. */
work_pin_helpers_t *work_pin_helpers_start (int n, char **cause);
/* Their sockets closed (each helper exits) and the helpers waited for. */
void work_pin_helpers_destroy (work_pin_helpers_t **self_p);

/* One thread per helper (helpers NULL: threads threads checking on themselves). */
work_t *work_pin_new (work_pin_helpers_t *helpers, int threads, char **cause);
/* The strings are copied. */
struct work_pin_job *work_pin_job_new (const char *hash, const char *pin);
void work_pin_job_free (struct work_pin_job **job_p);

#endif
