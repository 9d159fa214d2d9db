/*
 * work.h: a worker: threads that take jobs from the loop and hand them
 * back done, so that nothing slow runs on the loop.
 *
 * A job is a struct of the worker's kind that starts with struct work_job;
 * it belongs to the loop until work_send, to the worker until it is done,
 * and to the loop again once work_take returns it. It holds copies of all
 * it needs (never a pointer into the database or the loop's state), so the
 * two sides share nothing but the two queues, each behind a mutex. The loop
 * polls work_fd (an eventfd, readable when jobs are done) with its
 * sockets; work_send never waits for a thread, so the loop never blocks on
 * a worker, however slow a job is.
 *
 * Each thread has state of its own that the class makes on the thread
 * (a CUPS connection, a cache of layouts) and frees there. Threads run at
 * a lower priority than the loop (nice), with every signal blocked (the
 * loop's thread takes SIGINT and SIGTERM), and never touch the database.
 */
#ifndef DSP_WORK_H
#define DSP_WORK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct work_job {
	struct work_job *next; /* the queue's */
	bool done;             /* set by the worker once run */
	uint64_t tag;          /* the sender's: whose job it is (the worker never reads them) */
	size_t index;
};

/* What a kind of worker does. */
struct work_class {
	const char *name;      /* names the threads ("dsp-print") and the worker in logs */
	int nice;              /* added to the loop's priority for these threads (0-19) */
	/* On the thread, before its first job: its own state (may return NULL). */
	void *(*start) (void *arg);
	/* On the thread: do the job and fill its answer in. */
	void (*run) (void *state, struct work_job *job);
	/* On the thread, after its last job. */
	void (*stop) (void *state);
	/* On the loop: free a job, done or not (at work_destroy, and for the caller). */
	void (*free) (struct work_job *job);
};

typedef struct work work_t;

/* threads (1-16) threads of cls, each started with arg (which must outlive
 * the worker). NULL and *cause (caller frees) when a thread cannot start. */
work_t *work_new (const struct work_class *cls, int threads, void *arg, char **cause);
/* Stops the threads after the job each is running (joined; a job blocked in
 * a slow call is waited for), then frees every job not yet taken. */
void work_destroy (work_t **self_p);
/* Hand a job to the worker (takes it until work_take gives it back). */
void work_send (work_t *self, struct work_job *job);
/* A done job, oldest first, or NULL when none is waiting (the loop's again). */
struct work_job *work_take (work_t *self);
/* Readable when jobs are done: for the loop's poll. */
int work_fd (work_t *self);
/* Jobs sent and not yet taken back. */
size_t work_pending (work_t *self);
const char *work_name (const work_t *self);

/*
 * A test seam for crash tests: when the environment variable
 * DSP_HUB_CRASH_AT names point, the hub kills itself there with SIGKILL
 * (as a power cut or the OOM killer would), from whichever thread is at
 * that point, after DSP_HUB_CRASH_DELAY_MS ms (none when unset): the rest
 * of the hub runs meanwhile, so a test can see what it did or did not let
 * out before the crash. Read once at start (work_crash_init); never set in use.
 */
void work_crash_init (void);
void work_crash_point (const char *point);
/* The other test seam: whether DSP_HUB_DRAW_FAULT names fault (read with it, once at start). */
bool work_fault (const char *fault);

#endif
