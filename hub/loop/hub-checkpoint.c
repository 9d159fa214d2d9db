/* hub-checkpoint.c: a thread that checkpoints the WAL. */
#include "config.h"
#include "hub-checkpoint.h"
#include "db.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

/* Checkpoint at the latest this long after the last one. */
#define HUB_CHECKPOINT_MAX_MS (30 * 1000)
/* Passes of one checkpoint: the frames the writer added during a pass are
 * copied by the next, until at most HUB_CHECKPOINT_TAIL are left for the
 * loop (a long tail copied there held every terminal 40-50 ms). */
#define HUB_CHECKPOINT_PASSES 8
/* After this many checkpoints in a row whose tail was too long for the loop,
 * the loop copies the next one whatever its length: a writer that adds more
 * than the tail between every two turns would otherwise keep the WAL from
 * ever starting over, and it would grow without bound. */
#define HUB_CHECKPOINT_REFUSALS 8
/* The connection's busy timeout as db_open sets it, given back after a try at truncating without waiting. */
#define HUB_CHECKPOINT_BUSY "PRAGMA busy_timeout=5000"

struct hub_checkpoint {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;
	int every_ms;
	int frames;
	db_t *db;
	atomic_bool big;  /* the loop's last commit left `frames` frames or more */
	atomic_bool done; /* a checkpoint finished that the loop has not yet followed */
	atomic_int wal;    /* frames in the WAL after the loop's last commit */
	atomic_int copied; /* of those, in the database after the thread's last pass */
	atomic_bool asked;     /* the loop asked for a truncation the thread has not yet taken */
	atomic_bool truncated; /* a truncation asked for is done, and the loop has not yet been told */
	int refused;       /* the loop's: tails refused in a row (HUB_CHECKPOINT_REFUSALS) */
	long refusals;     /* and in all */
};

/* One try at PRAGMA wal_checkpoint(TRUNCATE) that waits for nothing: the
 * writer's lock is taken only if free, and given up at once when a reader
 * still uses the WAL. True when the WAL file is now empty. */
static bool
hub_checkpoint_try_truncate (hub_checkpoint_t *self)
{
	db_exec (self->db, "PRAGMA busy_timeout=0");
	db_stmt_t *st = db_prepare (self->db, "PRAGMA wal_checkpoint(TRUNCATE)");
	/* Its row: busy (1 when it could not finish), frames in the WAL, frames copied. */
	bool done = st != NULL && db_step (st) == DB_ROW && db_col_int (st, 0) == 0;
	if (st)
		db_reset (st);
	db_exec (self->db, HUB_CHECKPOINT_BUSY);
	return done;
}

static void *
hub_checkpoint_run (void *arg)
{
	hub_checkpoint_t *self = arg;
	int64_t last = util_mono_ms ();
	bool truncate = false; /* asked for and not yet done: tried every turn */
	pthread_mutex_lock (&self->lock);
	while (!self->stop) {
		struct timespec until;
		clock_gettime (CLOCK_REALTIME, &until);
		until.tv_sec += self->every_ms / 1000;
		until.tv_nsec += (long) (self->every_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		int rc = 0;
		while (!self->stop && !self->big && !self->asked && rc != ETIMEDOUT)
			rc = pthread_cond_timedwait (&self->wake, &self->lock, &until);
		if (self->stop)
			break;
		pthread_mutex_unlock (&self->lock);
		if (atomic_exchange (&self->asked, false))
			truncate = true;
		int64_t now = util_mono_ms ();
		if (self->big || truncate || now - last >= HUB_CHECKPOINT_MAX_MS) {
			/* PASSIVE: copy what no reader needs, never wait for the writer. */
			self->big = false;
			int copied = -1;
			for (int pass = 0; pass < HUB_CHECKPOINT_PASSES; pass++)
				if (db_checkpoint_passive (self->db, &copied) || copied < 0
				    || self->wal - copied <= HUB_CHECKPOINT_TAIL)
					break;
			/* Then the truncation, with almost nothing left to copy under the
			 * writer's lock. Done, it leaves the loop no tail: the WAL is empty. */
			if (truncate && copied >= 0 && hub_checkpoint_try_truncate (self)) {
				truncate = false;
				self->truncated = true;
			} else {
				self->copied = copied;
				self->done = copied >= 0;
			}
			last = now;
		}
		pthread_mutex_lock (&self->lock);
	}
	pthread_mutex_unlock (&self->lock);
	return NULL;
}

void
hub_checkpoint_wal (hub_checkpoint_t *self, int frames)
{
	self->wal = frames;
	if (frames < self->frames || self->big || self->done)
		return;
	pthread_mutex_lock (&self->lock);
	self->big = true;
	pthread_cond_signal (&self->wake);
	pthread_mutex_unlock (&self->lock);
}

bool
hub_checkpoint_done (hub_checkpoint_t *self)
{
	if (!atomic_exchange (&self->done, false))
		return false;
	if (self->wal - self->copied <= HUB_CHECKPOINT_TAIL || self->refused >= HUB_CHECKPOINT_REFUSALS) {
		self->refused = 0;
		return true;
	}
	self->refused++;
	self->refusals++;
	/* The writer got too far ahead meanwhile: the thread goes again, the loop copies nothing now. */
	pthread_mutex_lock (&self->lock);
	self->big = true;
	pthread_cond_signal (&self->wake);
	pthread_mutex_unlock (&self->lock);
	return false;
}

void
hub_checkpoint_truncate (hub_checkpoint_t *self)
{
	pthread_mutex_lock (&self->lock);
	self->asked = true;
	pthread_cond_signal (&self->wake);
	pthread_mutex_unlock (&self->lock);
}

bool
hub_checkpoint_truncated (hub_checkpoint_t *self)
{
	return atomic_exchange (&self->truncated, false);
}

long
hub_checkpoint_refusals (hub_checkpoint_t *self)
{
	return self->refusals;
}

int
hub_checkpoint_left (hub_checkpoint_t *self)
{
	return self->wal - self->copied;
}

hub_checkpoint_t *
hub_checkpoint_new (const char *path, int every_ms, int frames, char **cause)
{
	hub_checkpoint_t *self = xcalloc (1, sizeof *self);
	self->every_ms = every_ms > 0 ? every_ms : 1000;
	self->frames = frames > 0 ? frames : HUB_CHECKPOINT_FRAMES;
	self->db = db_open (path, DB_READWRITE, cause);
	if (self->db == NULL) {
		free (self);
		return NULL;
	}
	pthread_mutex_init (&self->lock, NULL);
	pthread_cond_init (&self->wake, NULL);
	/* Every signal blocked on the thread: SIGINT and SIGTERM are the loop's thread's to take. */
	sigset_t all, old;
	sigfillset (&all);
	pthread_sigmask (SIG_SETMASK, &all, &old);
	int rc = pthread_create (&self->thread, NULL, hub_checkpoint_run, self);
	pthread_sigmask (SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		*cause = xasprintf ("cannot start the checkpoint thread");
		db_close (&self->db);
		free (self);
		return NULL;
	}
	return self;
}

void
hub_checkpoint_destroy (hub_checkpoint_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	hub_checkpoint_t *self = *self_p;
	pthread_mutex_lock (&self->lock);
	self->stop = true;
	pthread_cond_signal (&self->wake);
	pthread_mutex_unlock (&self->lock);
	pthread_join (self->thread, NULL);
	/* On a clean stop, leave an empty WAL behind. */
	if (db_exec (self->db, "PRAGMA wal_checkpoint(TRUNCATE)") != DB_DONE)
		log_warn ("last checkpoint incomplete: %s", db_errmsg (self->db));
	db_close (&self->db);
	pthread_cond_destroy (&self->wake);
	pthread_mutex_destroy (&self->lock);
	free (self);
	*self_p = NULL;
}
