/*
 * work-print.h: what the print spooler (loop/hub-spool.c) asks of CUPS, as
 * messages: submit a job, poll one, move one to another queue, cancel one,
 * list them all. work_print_t owns the CUPS connection (made on first use,
 * 3 s timeout) and nothing else: it never reads or writes the database;
 * the spooler turns each reply into the job's state.
 *
 * This is the part of printing that can be slow (an IPP call waits for its
 * timeout on a stopped cupsd). Today the spooler calls work_print_do on the
 * loop and waits for it; the print worker thread takes the same message
 * and sends back the same reply, so the spooler's handling of a reply does
 * not change (doc/architecture.md, Workers).
 */
#ifndef DSP_WORK_PRINT_H
#define DSP_WORK_PRINT_H

#include <stddef.h>
#include <stdint.h>

#include "printers/print.h"

enum work_print_op {
	WORK_PRINT_SUBMIT,  /* printer, format, title, data -> cups_job */
	WORK_PRINT_POLL,    /* cups_job -> state (the job and its printer's health) */
	WORK_PRINT_MOVE,    /* cups_job, printer */
	WORK_PRINT_CANCEL,  /* cups_job */
	WORK_PRINT_LIST,    /* -> list of every job CUPS keeps, finished ones too */
};

/* Loop to worker. The strings and data are the caller's, for the call. */
struct work_print_msg {
	enum work_print_op op;
	int64_t job;               /* the hub's job (label_jobs.id), carried back in the reply */
	int cups_job;
	const char *printer;
	enum print_format format;
	const char *title;
	const void *data;
	size_t size;
};

/* Worker to loop; free with work_print_reply_free. */
struct work_print_reply {
	enum work_print_op op;
	int64_t job;
	int rc;                    /* 0 done; -1 CUPS said no; -2 CUPS not reachable (nothing was tried) */
	char *cause;               /* why not, for a person */
	int cups_job;              /* SUBMIT */
	print_job_t state;         /* POLL */
	print_job_t *list;         /* LIST, count entries */
	size_t count;
};

typedef struct work_print work_print_t;

/* server: printer.server (a socket path, host or host:port), NULL or "" for CUPS's default. */
work_print_t *work_print_new (const char *server);
void work_print_destroy (work_print_t **self_p);
/* Do what m asks; r is filled (whatever happened). */
void work_print_do (work_print_t *self, const struct work_print_msg *m, struct work_print_reply *r);
void work_print_reply_free (struct work_print_reply *r);

#endif
