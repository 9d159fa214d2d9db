/*
 * hub-checkpoint.h: WAL checkpoints off the event loop. The loop's
 * connection has automatic checkpoints turned off (a checkpoint inside a
 * commit would hold one batch of terminals for the length of an fsync of
 * the whole database); this thread copies the WAL back into the database
 * with its own connection, without blocking the writer, and keeps the WAL
 * from growing without bound.
 */
#ifndef DSP_HUB_CHECKPOINT_H
#define DSP_HUB_CHECKPOINT_H

typedef struct hub_checkpoint hub_checkpoint_t;

/* Start the thread for the database at path; NULL and *cause on failure. */
hub_checkpoint_t *hub_checkpoint_new (const char *path, int every_ms, char **cause);
/* Stop it after a last full checkpoint. */
void hub_checkpoint_destroy (hub_checkpoint_t **self_p);

#endif
