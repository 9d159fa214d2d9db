/*
 * hub-chore.h: a thread for the loop's chores that touch files and take
 * their time: the metrics file (hub-metrics.c) and file retention
 * (hub-retention.c). The loop hands a chore over and never waits; the
 * thread runs chores one at a time, in order; the loop takes each back,
 * done, at its next turn, to log and record what it did.
 *
 * A chore is a struct of its module's that starts with struct hub_chore.
 * It belongs to the loop until hub_chores_post, to the thread while it
 * runs, and to the loop again in its done callback, which frees it. It
 * holds copies of all it needs: the thread never reads the loop's
 * settings or its database connection (a chore that reads the database
 * opens a read-only connection of its own). The thread blocks every
 * signal, so SIGINT, SIGTERM and SIGHUP stay the loop's.
 */
#ifndef DSP_HUB_CHORE_H
#define DSP_HUB_CHORE_H

#include <stdbool.h>

struct hub_chore {
	struct hub_chore *next;                    /* the queues' */
	void (*run) (struct hub_chore *self);       /* on the thread */
	void (*done) (struct hub_chore *self, bool ran); /* on the loop; frees it (ran: false at shutdown) */
};

typedef struct hub_chores hub_chores_t;

/* NULL and *cause (caller frees) when the thread cannot start. */
hub_chores_t *hub_chores_new (char **cause);
/* Waits for the chore running now, hands back the others unrun (done with ran = false). */
void hub_chores_destroy (hub_chores_t **self_p);
/* Queue a chore (takes it). Never waits. */
void hub_chores_post (hub_chores_t *self, struct hub_chore *chore);
/* Every chore done since the last call, through its done callback. Never waits. */
void hub_chores_settle (hub_chores_t *self);

#endif
