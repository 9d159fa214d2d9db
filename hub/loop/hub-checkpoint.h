/*
 * hub-checkpoint.h: WAL checkpoints off the event loop. The loop's
 * connection has automatic checkpoints turned off (a checkpoint inside a
 * commit would hold one batch of terminals for the length of an fsync of
 * the whole database); this thread copies the WAL back into the database
 * with its own connection, without blocking the writer, and keeps the WAL
 * from growing without bound.
 *
 * The thread never catches up with a busy writer, and SQLite starts the WAL
 * over from its beginning only after a checkpoint that left nothing behind;
 * so once the thread is done, the loop copies the few frames written
 * meanwhile itself (hub_checkpoint_done). Without that the WAL grew by
 * some 200 MB a second under load, every write landing on new blocks.
 *
 * Starting the WAL over leaves its old frames in the file past the new
 * ones, and an erase of personal data must not leave the erased values
 * there: the loop then asks the thread for a truncating checkpoint
 * (hub_checkpoint_truncate). TRUNCATE takes the writer's lock and must
 * wait for every reader of the WAL to finish; the thread tries it without
 * waiting (busy timeout 0), right after its passive passes so that it has
 * next to nothing left to copy under that lock, and tries again every
 * turn until it succeeds. A reader that holds a transaction open for
 * minutes therefore delays the truncation, never the loop.
 */
#ifndef DSP_HUB_CHECKPOINT_H
#define DSP_HUB_CHECKPOINT_H

#include <stdbool.h>

typedef struct hub_checkpoint hub_checkpoint_t;

/* Checkpoint once the WAL holds this many frames (64 MB of 4 KiB pages):
 * each checkpoint fsyncs the database file, which slows the loop's own
 * commits, and copies a page once however often it changed meanwhile. At
 * 8 MB the hub took 10-20% fewer scans a second (doc/performance.md). */
#define HUB_CHECKPOINT_FRAMES 16384
/* The loop copies the tail only when the thread left at most this many
 * frames (1 MB): more would hold every terminal while it copies them. */
#define HUB_CHECKPOINT_TAIL 256

/* Start the thread for the database at path, looking every every_ms and
 * at once when a commit leaves frames or more (0: HUB_CHECKPOINT_FRAMES);
 * NULL and *cause on failure. */
hub_checkpoint_t *hub_checkpoint_new (const char *path, int every_ms, int frames, char **cause);
/* The loop's connection committed and the WAL now holds frames: the thread
 * starts at once when they are many (db_on_wal_commit calls this). */
void hub_checkpoint_wal (hub_checkpoint_t *self, int frames);
/* True once after each checkpoint of the thread when the WAL now holds at
 * most HUB_CHECKPOINT_TAIL frames it did not copy: the loop then runs
 * db_checkpoint_passive itself, between batches. With more, the thread is
 * sent again and this is false, at most 8 times in a row (then the loop
 * copies the tail whatever its length, so the WAL starts over). */
bool hub_checkpoint_done (hub_checkpoint_t *self);
/* The frames of the WAL its last checkpoint left for the loop, as the
 * loop's last commit counted them (at most HUB_CHECKPOINT_TAIL when
 * hub_checkpoint_done said true, but after 8 refusals in a row). */
int hub_checkpoint_left (hub_checkpoint_t *self);
/* How many tails hub_checkpoint_done refused to the loop since the start. */
long hub_checkpoint_refusals (hub_checkpoint_t *self);
/* Truncate the WAL soon (the loop erased personal data): the thread tries
 * at once and then every turn until no reader holds the WAL, then empties
 * the file. Never waits. */
void hub_checkpoint_truncate (hub_checkpoint_t *self);
/* True once after each truncation asked for is done (the loop logs it). */
bool hub_checkpoint_truncated (hub_checkpoint_t *self);
/* Stop it after a last full checkpoint. */
void hub_checkpoint_destroy (hub_checkpoint_t **self_p);

#endif
