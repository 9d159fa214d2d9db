/*
 * work-file.h: the file worker: files for the outside world written and
 * synced off the loop: a carrier's manifest (written whole as PATH.part,
 * renamed by the loop once its close-out commits) and the events export
 * (lines appended to the day's file). One thread, so appends to one file
 * keep their order.
 */
#ifndef DSP_WORK_FILE_H
#define DSP_WORK_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "work.h"

enum work_file_op {
	WORK_FILE_WRITE,   /* create or replace path with the bytes */
	WORK_FILE_APPEND,  /* append the bytes to path (made if missing) */
};

struct work_file_job {
	struct work_job base;
	/* asked */
	enum work_file_op op;
	char *path;
	uint8_t *bytes;
	size_t size;
	/* answered */
	int rc;              /* 0 written and synced; -1 not: cause */
	char *cause;
};

work_t *work_file_new (char **cause);
/* path and bytes are copied. */
struct work_file_job *work_file_job_new (enum work_file_op op, const char *path, const void *bytes, size_t size);
void work_file_job_free (struct work_file_job **job_p);

#endif
