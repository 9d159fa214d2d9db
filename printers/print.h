/*
 * print.h: silent printing through CUPS, for the hub and despatch-print.
 * Only print-cups.c speaks libcups; everything here is in the suite's terms.
 *
 * A print_t is one connection to one CUPS server (a socket path, host:port,
 * or the default from CUPS_SERVER / client.conf). Every call is one or two
 * short IPP requests on that connection, bounded by a timeout (default 10 s),
 * and none waits for paper: print_submit returns the job id as soon as CUPS
 * has spooled the job; print_poll tells where it is. Calls reconnect by
 * themselves after the server went away. A print_t is not thread-safe.
 *
 * Errors: -1 (or NULL) and *cause, a sentence saying what was wrong and what
 * to do, which the caller frees. cause may be NULL if the caller does not care.
 *
 * Records (print_queue_t, print_job_t) are plain structs with fixed-size,
 * always-terminated strings: the caller owns them, nothing inside needs freeing.
 *
 * The hub's use: print_map_* (print-map.c) says which queue serves a station;
 * print_submit sends; print_poll every second or so until
 * print_job_state_final(); a job whose queue's health is not PRINT_OK is
 * "printer offline: label kept" and the hub may print_move it to the
 * fallback queue, print_cancel it, or leave it to print when the printer
 * is back. print_jobs (with a title) finds a job again after a restart.
 */
#ifndef DSP_PRINT_H
#define DSP_PRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PRINT_NAME_MAX 128
#define PRINT_TEXT_MAX 256
#define PRINT_TIMEOUT_MS 10000

typedef struct print print_t;

/* What is sent: ZPL goes raw (application/vnd.cups-raw), PDF as application/pdf. */
enum print_format {
	PRINT_FORMAT_ZPL,
	PRINT_FORMAT_PDF,
};

/* IPP printer-state values. */
enum print_queue_state {
	PRINT_QUEUE_UNKNOWN = 0,
	PRINT_QUEUE_IDLE = 3,
	PRINT_QUEUE_PROCESSING = 4,
	PRINT_QUEUE_STOPPED = 5,
};

/* IPP job-state values; CANCELLED, ABORTED and COMPLETED are final. */
enum print_job_state {
	PRINT_JOB_UNKNOWN = 0,
	PRINT_JOB_PENDING = 3,
	PRINT_JOB_HELD = 4,
	PRINT_JOB_PROCESSING = 5,
	PRINT_JOB_STOPPED = 6,
	PRINT_JOB_CANCELLED = 7,
	PRINT_JOB_ABORTED = 8,
	PRINT_JOB_COMPLETED = 9,
};

/*
 * What an operator must be told about a queue, worst first wins:
 *   STOPPED    the queue is stopped (cupsdisable, or the error policy
 *              stopped it after a failure): nothing prints until resumed
 *   REJECTING  the queue refuses new jobs (cupsreject)
 *   OFFLINE    the printer cannot be reached: a printer-state-reason such
 *              as offline-report, connecting-to-device or timed-out, or
 *              (CUPS 2.4's socket backend sets no reason) the backend's
 *              "cannot connect" message while the queue is processing
 *   OK         none of these
 */
enum print_health {
	PRINT_OK = 0,
	PRINT_OFFLINE,
	PRINT_REJECTING,
	PRINT_STOPPED,
};

typedef struct print_queue {
	char name[PRINT_NAME_MAX];
	enum print_queue_state state;
	bool accepting;
	char reasons[PRINT_TEXT_MAX]; /* printer-state-reasons, comma separated; "none" */
	char message[PRINT_TEXT_MAX]; /* printer-state-message, may be "" */
	char device[PRINT_TEXT_MAX];  /* device-uri (needs an admin-visible server) */
	char info[PRINT_TEXT_MAX];    /* printer-info */
	int queued;                   /* queued-job-count */
	enum print_health health;
} print_queue_t;

typedef struct print_job {
	int id;
	enum print_job_state state;
	char queue[PRINT_NAME_MAX];
	char title[PRINT_TEXT_MAX];
	char user[PRINT_NAME_MAX];
	char reasons[PRINT_TEXT_MAX]; /* job-state-reasons, comma separated */
	long kbytes;                  /* job-k-octets */
	int64_t created;              /* wall-clock seconds */
	int64_t completed;            /* wall-clock seconds, 0 until final */
	print_queue_t printer;        /* print_poll only: the job's queue now */
} print_job_t;

/*
 * Connect to server: NULL or "" for the default, "/path/to/sock",
 * "host" or "host:port". NULL and *cause when it cannot be reached.
 */
print_t *print_new (const char *server, char **cause);
void print_destroy (print_t **self_p);
/* The server as connected to, for messages. */
const char *print_server (print_t *self);
/* Bound for each request, in milliseconds. */
void print_set_timeout (print_t *self, int msec);

/* Every queue; *queues is an array of *count the caller frees with free(). */
int print_queues (print_t *self, print_queue_t **queues, size_t *count, char **cause);
/* One queue; -1 and *cause if there is no such queue. */
int print_queue (print_t *self, const char *name, print_queue_t *out, char **cause);

/*
 * Submit size bytes of data as one job with the given title (name the
 * parcel in it: it is how a job is found again). Returns the job id (> 0),
 * or -1 and *cause (no such queue, queue rejecting jobs, server down).
 * A stopped queue accepts the job and holds it: check print_queue first,
 * or print_poll after, to tell the operator.
 */
int print_submit (print_t *self, const char *queue, enum print_format format,
    const char *title, const void *data, size_t size, char **cause);

/* The job's state and its queue's state now; -1 and *cause if unknown. */
int print_poll (print_t *self, int job, print_job_t *out, char **cause);

/*
 * Jobs on queue (NULL: all queues), unfinished ones only unless all;
 * *jobs (free()) has *count entries, newest first. printer is not filled.
 */
int print_jobs (print_t *self, const char *queue, bool all, print_job_t **jobs, size_t *count, char **cause);

/* Cancel a job that has not finished; cancelling a finished one is an error. */
int print_cancel (print_t *self, int job, char **cause);
/* Move an unfinished job to another queue (redirect); it keeps its id. */
int print_move (print_t *self, int job, const char *queue, char **cause);
/* Resume a stopped queue and let it accept jobs (cupsenable + cupsaccept). */
int print_resume (print_t *self, const char *queue, char **cause);

bool print_job_state_final (enum print_job_state state);
/* Names for messages and the CLI: "completed", "stopped", "offline", "zpl". */
const char *print_job_state_name (enum print_job_state state);
const char *print_queue_state_name (enum print_queue_state state);
const char *print_health_name (enum print_health health);
const char *print_format_name (enum print_format format);
/* "zpl" or "pdf" (any case); -1 if neither. */
int print_format_parse (const char *name);

/*
 * Station -> printer map (print-map.c), read from the suite's configuration:
 *   [printer]
 *   bench1.label = zebra-bench1      # the bench's label printer
 *   bench1.document = laser-despatch # its A4 document printer
 *   bench1.dpi = 203                 # label printer resolution (203 or 300)
 *   group.benches.fallback = zebra-spare          # label fallback of the group
 *   group.benches.document-fallback = laser-office
 *   [station]
 *   bench1.group = benches
 */
enum print_role {
	PRINT_ROLE_LABEL,
	PRINT_ROLE_DOCUMENT,
};

struct conf;

/* The queue configured for station and role; NULL (and *cause) if none. */
const char *print_map_queue (struct conf *conf, const char *station, enum print_role role, char **cause);
/* The fallback queue for role of the station's group; NULL if none. */
const char *print_map_fallback (struct conf *conf, const char *station, enum print_role role);
/* The label printer's dpi (203 unless configured); -1 and *cause if bad. */
int print_map_dpi (struct conf *conf, const char *station, char **cause);
/* Check every printer.* and station.*.group key; 0, or -1 and *cause. */
int print_map_check (struct conf *conf, char **cause);

#endif
