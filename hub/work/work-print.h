/*
 * work-print.h: the print worker: what the spooler (loop/hub-spool.c) asks
 * of CUPS, as jobs on a thread of its own (work.h): check and submit a
 * document, poll a job, move one to another queue, cancel one, find one
 * again by its identity after a crash. A move or cancel that CUPS refuses
 * is followed, in the same job, by a read of that job's state (as POLL
 * does): the spooler must know whether it printed before it sends it again.
 *
 * The thread owns its CUPS connection (print_t, made on the thread at its
 * first job, every call bounded by WORK_PRINT_TIMEOUT_MS); it never reads
 * or writes the database: the spooler turns each answer into the job's
 * state. A stopped or unreachable cupsd costs this thread the timeout per
 * call and the loop nothing.
 */
#ifndef DSP_WORK_PRINT_H
#define DSP_WORK_PRINT_H

#include <stddef.h>
#include <stdint.h>

#include "printers/print.h"
#include "work.h"

#define WORK_PRINT_TIMEOUT_MS 3000

enum work_print_op {
	WORK_PRINT_SUBMIT,  /* printer, format, title, data -> cups_job */
	WORK_PRINT_POLL,    /* cups_job -> state (the job and its printer's health) */
	WORK_PRINT_MOVE,    /* cups_job, printer */
	WORK_PRINT_CANCEL,  /* cups_job */
	WORK_PRINT_FIND,    /* title (its first word is the identity), since -> found, cups_job */
};

/* The answer's rc. */
enum work_print_rc {
	WORK_PRINT_DONE = 0,
	WORK_PRINT_NO = -1,        /* CUPS said no, or did not answer in time: cause */
	WORK_PRINT_UNREACHED = -2, /* CUPS could not be reached: nothing was sent */
	WORK_PRINT_REFUSED = -3,   /* SUBMIT: the document or the queue is wrong for it; never sent */
};

/* What FIND concluded (printers/print.h's print_find). */
enum work_print_found {
	WORK_PRINT_FIND_FAILED = -1,   /* could not ask: ask again later, send nothing */
	WORK_PRINT_FIND_ABSENT = 0,    /* never reached CUPS: send it */
	WORK_PRINT_FIND_FOUND = 1,     /* cups_job is it */
	WORK_PRINT_FIND_FORGOTTEN = 2, /* CUPS forgot jobs since `since`: it may have printed */
};

/* What CUPS holds of a job whose MOVE or CANCEL failed, read back at once (state). */
enum work_print_left {
	WORK_PRINT_LEFT_UNASKED = 0, /* the move or cancel went through, or CUPS was not reached */
	WORK_PRINT_LEFT_UNKNOWN,     /* CUPS did not say: nothing may be sent again yet */
	WORK_PRINT_LEFT_LIVE,        /* not finished: the call failed for another reason (cause) */
	WORK_PRINT_LEFT_FINISHED,    /* completed, cancelled or aborted; state.queue is where it was */
	WORK_PRINT_LEFT_GONE,        /* CUPS has no such job */
};

/* One job for the print worker; everything in it is its own. */
struct work_print_job {
	struct work_job base;
	/* asked */
	enum work_print_op op;
	int64_t job;                   /* the hub's job (label_jobs.id), carried back */
	int cups_job;                  /* POLL, MOVE, CANCEL; the answer of SUBMIT and FIND */
	char printer[PRINT_NAME_MAX];  /* SUBMIT, MOVE */
	enum print_format format;      /* SUBMIT */
	char title[PRINT_TEXT_MAX];    /* SUBMIT: the CUPS job-name; FIND: its first word is looked for */
	int64_t since;                 /* FIND: wall-clock second at or before the job could have been sent */
	uint8_t *data;                 /* SUBMIT */
	size_t size;
	/* answered */
	enum work_print_rc rc;
	char *cause;                   /* why not, for a person */
	print_job_t state;             /* POLL; MOVE and CANCEL that failed, when left is LIVE or FINISHED */
	enum work_print_found found;   /* FIND */
	enum work_print_left left;     /* MOVE, CANCEL */
};

/* The worker: one thread on server (printer.server: a socket path, host or
 * host:port; NULL or "" for CUPS's default), which must outlive it. */
work_t *work_print_new (const char *server, char **cause);
/* A job to fill and work_send; data, if any, is copied. */
struct work_print_job *work_print_job_new (enum work_print_op op, int64_t job, const void *data, size_t size);
void work_print_job_free (struct work_print_job **job_p);

#endif
