/*
 * work-flush.h: the flush worker: the WAL of a batch committed unflushed
 * taken to the disk (fdatasync) off the loop, so that the loop runs the
 * next batch meanwhile (hub/loop/hub-flush.h holds what waits for it).
 * One thread at the loop's own priority: every reply waits for it. It has
 * its own descriptor of the WAL file, never the database connection.
 */
#ifndef DSP_WORK_FLUSH_H
#define DSP_WORK_FLUSH_H

#include <stdbool.h>
#include <stdint.h>

#include "work.h"

struct work_flush_job {
	struct work_job base;
	uint64_t upto;   /* asked: the commits made so far, all taken by this flush */
	bool marked;     /* asked: one of them marked print jobs or recorded the print worker's answers
	                  * (the crash point "flush-marked", for tests) */
	int err;         /* answered: 0 flushed, else the errno */
};

/* wal_path must outlive the worker. */
work_t *work_flush_new (const char *wal_path, char **cause);
struct work_flush_job *work_flush_job_new (uint64_t upto, bool marked);

#endif
