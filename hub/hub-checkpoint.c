/* hub-checkpoint.c: a thread that checkpoints the WAL. */
#include "config.h"
#include "hub-checkpoint.h"
#include "db.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

/* Checkpoint when the WAL has grown this much, or this long after the last one:
 * each checkpoint fsyncs the database file, which slows the loop's own commits. */
#define HUB_CHECKPOINT_WAL_BYTES (8 * 1024 * 1024)
#define HUB_CHECKPOINT_MAX_MS (30 * 1000)

struct hub_checkpoint {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;
	int every_ms;
	db_t *db;
	char *wal_path;
};

static void *
hub_checkpoint_run (void *arg)
{
	hub_checkpoint_t *self = arg;
	int64_t last = util_mono_ms ();
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
		while (!self->stop && rc != ETIMEDOUT)
			rc = pthread_cond_timedwait (&self->wake, &self->lock, &until);
		if (self->stop)
			break;
		pthread_mutex_unlock (&self->lock);
		struct stat sb;
		int64_t now = util_mono_ms ();
		bool big = stat (self->wal_path, &sb) == 0 && sb.st_size >= HUB_CHECKPOINT_WAL_BYTES;
		if (big || now - last >= HUB_CHECKPOINT_MAX_MS) {
			/* PASSIVE: copy what no reader needs, never wait for the writer. */
			db_exec (self->db, "PRAGMA wal_checkpoint(PASSIVE)");
			last = now;
		}
		pthread_mutex_lock (&self->lock);
	}
	pthread_mutex_unlock (&self->lock);
	return NULL;
}

hub_checkpoint_t *
hub_checkpoint_new (const char *path, int every_ms, char **cause)
{
	hub_checkpoint_t *self = xcalloc (1, sizeof *self);
	self->every_ms = every_ms > 0 ? every_ms : 1000;
	self->db = db_open (path, DB_READWRITE, cause);
	if (self->db == NULL) {
		free (self);
		return NULL;
	}
	self->wal_path = xasprintf ("%s-wal", path);
	pthread_mutex_init (&self->lock, NULL);
	pthread_cond_init (&self->wake, NULL);
	if (pthread_create (&self->thread, NULL, hub_checkpoint_run, self) != 0) {
		*cause = xasprintf ("cannot start the checkpoint thread");
		db_close (&self->db);
		free (self->wal_path);
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
	free (self->wal_path);
	free (self);
	*self_p = NULL;
}
