/*
 * print.h: silent printing through CUPS, for the hub and despatch-print.
 * Only print-cups.c speaks libcups; print-check.c checks documents and
 * print-map.c reads the station map, both without CUPS. Everything here is
 * in the suite's terms.
 *
 * A print_t is one connection to one CUPS server (a socket path, host:port,
 * or the default from CUPS_SERVER / client.conf). Every call is one or a
 * few short IPP requests on that connection, and the whole call is bounded
 * by the print_t's timeout (default 10 s, print_set_timeout): connecting,
 * writing and reading all give up at the same deadline, so a print server
 * that stops answering (stopped, overloaded, a dead link) costs a caller
 * that long and no longer, with a cause saying so. None waits for paper:
 * print_submit returns the job id as soon as CUPS has spooled the job;
 * print_poll tells where it is. A call after a failure connects afresh.
 *
 * Threads: a print_t belongs to one thread at a time (one per worker
 * thread; it holds its own connection, deadline and last status, and
 * nothing in print-cups.c is process-wide). libcups's own per-thread state
 * (the last IPP error, the user name, the password callback, which this
 * library sets to "never ask") is per thread too. The one process-wide
 * effect is libcups's: the first connection sets SIGPIPE to SIG_IGN.
 *
 * Errors: -1 (or NULL) and *cause, a sentence saying what was wrong and what
 * to do, which the caller frees. cause may be NULL if the caller does not care.
 *
 * Records (print_queue_t, print_job_t) are plain structs with fixed-size,
 * always-terminated strings: the caller owns them, nothing inside needs freeing.
 *
 * The hub's use: print_map_* (print-map.c) says which queue serves a station;
 * print_job_ident names the job so that it can be found again; print_submit
 * checks the document (print_check) and sends it; print_poll every second
 * or so until print_job_state_final(); a job whose queue's health is not
 * PRINT_OK is "printer offline: label kept" and the hub may print_move it
 * to the fallback queue, print_cancel it, or leave it to print when the
 * printer is back. After a crash, print_find says whether a job was sent.
 */
#ifndef DSP_PRINT_H
#define DSP_PRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PRINT_NAME_MAX 128
#define PRINT_TEXT_MAX 256
#define PRINT_TIMEOUT_MS 10000
#define PRINT_TIMEOUT_MAX_MS 600000
#define PRINT_IDENT_MAX 64

typedef struct print print_t;

/*
 * What is sent: ZPL goes raw (application/vnd.cups-raw), PDF as
 * application/pdf. A queue says which one it takes with the CUPS option
 * despatch-format (see print_set_format); a queue without it takes neither.
 */
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
	int format;                   /* enum print_format it is marked for, -1 if unmarked */
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
/*
 * Bound for each call as a whole, in milliseconds (1 to
 * PRINT_TIMEOUT_MAX_MS; 0 or less: the default). A call that reaches it
 * fails saying where it was: the server "did not take a connection", "did
 * not take the request" or "did not answer within N s". print_new itself
 * connects within PRINT_TIMEOUT_MS.
 */
void print_set_timeout (print_t *self, int msec);

/* Every queue; *queues is an array of *count the caller frees with free(). */
int print_queues (print_t *self, print_queue_t **queues, size_t *count, char **cause);
/* One queue; -1 and *cause if there is no such queue. */
int print_queue (print_t *self, const char *name, print_queue_t *out, char **cause);
/*
 * Mark a queue as taking format (the CUPS option despatch-format, kept in
 * printers.conf: lpadmin -p QUEUE -o despatch-format-default=zpl does the
 * same). Needs the rights lpadmin needs.
 */
int print_set_format (print_t *self, const char *queue, enum print_format format, char **cause);

/*
 * Check a document before it is sent, without CUPS and without any global
 * state (safe from any thread): data must be one whole document of format,
 * and queue (NULL to skip this part) must be marked for that format.
 *   ZPL: after optional whitespace, one or more labels ^XA ... ^XZ with only
 *        whitespace between and after them; inside, printable ASCII, tab, CR
 *        and LF, UTF-8 text once ^CI28 has selected it, every ^ and ~ a
 *        command, and each ^GF graphic whole: ASCII hex with Zebra's
 *        compression (or :Z64:/:B64:) holding exactly the bytes its header
 *        says, or B/C binary of exactly its byte count.
 *   PDF: starts with %PDF-N.N and ends with startxref, an offset inside the
 *        file, and %%EOF (whitespace after it allowed).
 * 0 if it may be sent; -1 and *cause saying what is wrong and what to do.
 */
int print_check (const print_queue_t *queue, enum print_format format, const void *data, size_t size, char **cause);

/* print_submit's failures: whether CUPS can have the job. */
#define PRINT_SUBMIT_FAILED (-1) /* nothing of it reached CUPS, or CUPS refused it: CUPS has no job */
#define PRINT_SUBMIT_UNSURE (-2) /* sent, in part or whole, and no answer came: CUPS may have the job */

/*
 * Submit size bytes of data as one job with the given title, after
 * print_check against the queue (so a damaged document, or a PDF for a
 * label printer, never reaches CUPS). The title is the CUPS job-name: start
 * it with the job's print_job_ident so that print_find can find it, then say
 * what it is ("dsp:4f1c0a:1042 label T1000002/1"); a title over 255 octets
 * is cut. Returns the job id (> 0), or PRINT_SUBMIT_FAILED and *cause (bad
 * document, no such or unmarked queue, queue rejecting jobs, server down or
 * not answering before the job was sent), or PRINT_SUBMIT_UNSURE and *cause
 * (the job was on its way when the server stopped answering: print_find
 * before sending it again). A stopped queue accepts the job and holds it:
 * check print_queue first, or print_poll after, to tell the operator.
 */
int print_submit (print_t *self, const char *queue, enum print_format format,
    const char *title, const void *data, size_t size, char **cause);

/* The job's state and its queue's state now; -1 and *cause if unknown;
 * PRINT_POLL_GONE and *cause when CUPS answered that it has no such job
 * (never sent, purged, or so old that CUPS forgot it). */
#define PRINT_POLL_GONE (-2)
int print_poll (print_t *self, int job, print_job_t *out, char **cause);

/*
 * Jobs on queue (NULL: all queues), unfinished ones only unless all;
 * *jobs (free()) has *count entries, newest first. printer is not filled.
 * CUPS's Get-Jobs leaves the title empty for a finished job: to find a job
 * again by its name use print_find.
 */
int print_jobs (print_t *self, const char *queue, bool all, print_job_t **jobs, size_t *count, char **cause);

/*
 * A job's identity, the first word of its title: "dsp:INSTANCE:JOB", where
 * INSTANCE names the sender (1-32 of A-Z a-z 0-9 _ -; the hub's own id,
 * made once with its database and made anew when a backup is restored) and
 * JOB is the sender's job number, never reused (> 0). Unique across hubs
 * sharing a print server, and kept by CUPS for as long as it keeps the job.
 * 0, or -1 and *cause; out holds PRINT_IDENT_MAX.
 */
int print_job_ident (char out[PRINT_IDENT_MAX], const char *instance, int64_t job, char **cause);

/* What print_find concluded. */
enum print_found {
	PRINT_FIND_FAILED = -1,   /* could not ask, or not within the timeout: *cause; ask again later, send nothing */
	PRINT_FIND_ABSENT = 0,    /* CUPS remembers every job since `since` and none is this one: it was never sent */
	PRINT_FIND_FOUND = 1,     /* *out is the job (the newest, if several carry the identity) */
	PRINT_FIND_FORGOTTEN = 2, /* not found, and CUPS has forgotten jobs since `since`: it may have printed; *cause */
};

/*
 * Find the job whose title starts with ident (a print_job_ident, followed by
 * a space or nothing) in every state CUPS keeps (pending, held, processing,
 * stopped, completed, cancelled, aborted), on every queue. since is a wall
 * clock second at or before the job could have been submitted (the time the
 * caller marked it "sending", less a margin for the print server's clock):
 * CUPS's list is walked from the newest job down, reading each job's
 * attributes (Get-Job-Attributes has the name that Get-Jobs leaves out for
 * finished jobs), until a job created before since. Bounded by the timeout
 * as a whole. The answer is ABSENT only when CUPS provably forgot nothing in
 * that range: a job older than since (or CUPS's first job, id 1) was reached
 * and the job ids from there up are unbroken; otherwise FORGOTTEN. The
 * lookup is as the user print_submit sends as (CUPS shows a job's name to
 * its owner). out may be NULL; out->printer is not filled.
 */
int print_find (print_t *self, const char *ident, int64_t since, print_job_t *out, char **cause);

/* Cancel a job that has not finished; cancelling a finished one is an error. */
int print_cancel (print_t *self, int job, char **cause);
/* Move an unfinished job to another queue (redirect); it keeps its id. */
int print_move (print_t *self, int job, const char *queue, char **cause);
/* Resume a stopped queue and let it accept jobs (cupsenable + cupsaccept). */
int print_resume (print_t *self, const char *queue, char **cause);

bool print_job_state_final (enum print_job_state state);
/* Names for messages and the CLI: "completed", "stopped", "offline", "zpl", "found". */
const char *print_job_state_name (enum print_job_state state);
const char *print_queue_state_name (enum print_queue_state state);
const char *print_health_name (enum print_health health);
const char *print_format_name (enum print_format format);
const char *print_found_name (enum print_found found);
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
