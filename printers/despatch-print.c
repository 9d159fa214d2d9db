/*
 * despatch-print: printers and print jobs from the command line, through
 * the same library the hub uses (print.h). See despatch-print.1.
 *
 * Exit status: 0 done (find: found); 1 the operation failed (unknown
 * printer or job, a document refused, job ended without printing, printer
 * not usable, no answer in time); 2 usage; 3 the CUPS server cannot be
 * reached; 4 follow gave up waiting; 5 find cannot tell (CUPS forgot
 * jobs); 6 find: never sent.
 */
#include "config.h"
#include "print.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum {
	DESPATCH_PRINT_OK = 0,
	DESPATCH_PRINT_FAILED = 1,
	DESPATCH_PRINT_USAGE = 2,
	DESPATCH_PRINT_UNREACHABLE = 3,
	DESPATCH_PRINT_TIMEOUT = 4,
	DESPATCH_PRINT_UNSURE = 5,
	DESPATCH_PRINT_NEVER_SENT = 6,
};

#define DESPATCH_PRINT_MAX_FILE (64L * 1024 * 1024)
#define DESPATCH_PRINT_POLL_MS 200

struct despatch_print_opts {
	const char *server;
	const char *printer;
	const char *title;
	int format; /* -1: guess */
	int dpi;
	bool all;
	bool follow;
	long timeout_s;
	long within_s;
};

struct despatch_print_cmd {
	const char *name;
	int min_args, max_args;
	int (*fn) (print_t *, struct despatch_print_opts *, int, char **);
	const char *usage;
};

static void
despatch_print_usage (FILE *f);

static const char *
despatch_print_or (const char *s, const char *dflt)
{
	return s && *s ? s : dflt;
}

static int
despatch_print_list (print_t *p, struct despatch_print_opts *o, int argc, char **argv)
{
	(void) o;
	(void) argc;
	(void) argv;
	print_queue_t *qs;
	size_t n;
	char *cause = NULL;
	if (print_queues (p, &qs, &n, &cause) != 0) {
		fprintf (stderr, "despatch-print: %s\n", cause);
		free (cause);
		return DESPATCH_PRINT_FAILED;
	}
	if (n == 0)
		printf ("no printer queues on the CUPS server at %s\n", print_server (p));
	else
		printf ("%-20s %-6s %-10s %-9s %-9s %4s  %s\n", "PRINTER", "FORMAT", "STATE", "HEALTH", "ACCEPTING", "JOBS",
		    "REASONS / MESSAGE");
	for (size_t i = 0; i < n; i++)
		printf ("%-20s %-6s %-10s %-9s %-9s %4d  %s%s%s\n", qs[i].name,
		    qs[i].format < 0 ? "-" : print_format_name ((enum print_format) qs[i].format),
		    print_queue_state_name (qs[i].state), print_health_name (qs[i].health), qs[i].accepting ? "yes" : "no",
		    qs[i].queued, qs[i].reasons, qs[i].message[0] ? " / " : "", qs[i].message);
	free (qs);
	return DESPATCH_PRINT_OK;
}

static void
despatch_print_print_job_line (const print_job_t *j)
{
	char when[32] = "-";
	time_t t = (time_t) j->created;
	if (t) {
		struct tm tm;
		strftime (when, sizeof when, "%Y-%m-%d %H:%M:%S", localtime_r (&t, &tm));
	}
	printf ("%6d  %-16s %-10s %-19s %6ldk  %s\n", j->id, j->queue, print_job_state_name (j->state), when,
	    j->kbytes, j->title);
}

static int
despatch_print_jobs (print_t *p, struct despatch_print_opts *o, int argc, char **argv)
{
	(void) argc;
	(void) argv;
	print_job_t *js;
	size_t n;
	char *cause = NULL;
	if (print_jobs (p, o->printer, o->all, &js, &n, &cause) != 0) {
		fprintf (stderr, "despatch-print: %s\n", cause);
		free (cause);
		return DESPATCH_PRINT_FAILED;
	}
	if (n == 0)
		printf ("no %sjobs%s%s\n", o->all ? "" : "unfinished ", o->printer ? " on " : "", o->printer ? o->printer : "");
	else
		printf ("%6s  %-16s %-10s %-19s %7s  %s\n", "JOB", "PRINTER", "STATE", "SUBMITTED", "SIZE", "TITLE");
	for (size_t i = 0; i < n; i++)
		despatch_print_print_job_line (&js[i]);
	free (js);
	return DESPATCH_PRINT_OK;
}

static bool
despatch_print_parse_job (const char *s, int *job)
{
	/* Accept "12" and CUPS's own "queue-12". */
	const char *dash = strrchr (s, '-');
	long v;
	if (!util_parse_long (dash ? dash + 1 : s, 1, 0x7fffffff, &v)) {
		fprintf (stderr, "despatch-print: '%s' is not a job id (a number, as 'despatch-print jobs' shows)\n", s);
		return false;
	}
	*job = (int) v;
	return true;
}

/* Wait for the job to end, telling each change; the exit status. */
static int
despatch_print_follow_job (print_t *p, int job, long timeout_s)
{
	int64_t deadline = util_mono_ms () + timeout_s * 1000;
	enum print_job_state last = PRINT_JOB_UNKNOWN;
	enum print_health last_health = PRINT_OK;
	char last_message[PRINT_TEXT_MAX] = "";
	for (;;) {
		print_job_t j;
		char *cause = NULL;
		if (print_poll (p, job, &j, &cause) != 0) {
			fprintf (stderr, "despatch-print: %s\n", cause);
			free (cause);
			return DESPATCH_PRINT_FAILED;
		}
		if (j.state != last) {
			printf ("job %d on %s: %s\n", job, j.queue, print_job_state_name (j.state));
			last = j.state;
		}
		if (!print_job_state_final (j.state)
		    && (j.printer.health != last_health || strcmp (j.printer.message, last_message) != 0)) {
			if (j.printer.health != PRINT_OK)
				printf ("job %d: printer %s %s%s%s: the job is kept and prints when the printer is back; "
				    "or redirect it: despatch-print move %d QUEUE\n", job, j.queue,
				    print_health_name (j.printer.health), j.printer.message[0] ? ": " : "",
				    j.printer.message, job);
			last_health = j.printer.health;
			util_strlcpy (last_message, j.printer.message, sizeof last_message);
		}
		fflush (stdout);
		if (print_job_state_final (j.state))
			return j.state == PRINT_JOB_COMPLETED ? DESPATCH_PRINT_OK : DESPATCH_PRINT_FAILED;
		if (timeout_s > 0 && util_mono_ms () >= deadline) {
			fprintf (stderr, "despatch-print: job %d still %s after %ld s; it stays queued "
			    "(despatch-print cancel %d to drop it)\n", job, print_job_state_name (j.state), timeout_s, job);
			return DESPATCH_PRINT_TIMEOUT;
		}
		usleep (DESPATCH_PRINT_POLL_MS * 1000);
	}
}

static int
despatch_print_follow (print_t *p, struct despatch_print_opts *o, int argc, char **argv)
{
	(void) argc;
	int job;
	if (!despatch_print_parse_job (argv[0], &job))
		return DESPATCH_PRINT_USAGE;
	return despatch_print_follow_job (p, job, o->timeout_s);
}

static int
despatch_print_cancel (print_t *p, struct despatch_print_opts *o, int argc, char **argv)
{
	(void) o;
	int rc = DESPATCH_PRINT_OK;
	for (int i = 0; i < argc; i++) {
		int job;
		char *cause = NULL;
		if (!despatch_print_parse_job (argv[i], &job))
			return DESPATCH_PRINT_USAGE;
		if (print_cancel (p, job, &cause) != 0) {
			fprintf (stderr, "despatch-print: %s\n", cause);
			free (cause);
			rc = DESPATCH_PRINT_FAILED;
		} else
			printf ("job %d cancelled\n", job);
	}
	return rc;
}

static int
despatch_print_move (print_t *p, struct despatch_print_opts *o, int argc, char **argv)
{
	(void) o;
	(void) argc;
	int job;
	char *cause = NULL;
	if (!despatch_print_parse_job (argv[0], &job))
		return DESPATCH_PRINT_USAGE;
	if (print_move (p, job, argv[1], &cause) != 0) {
		fprintf (stderr, "despatch-print: %s\n", cause);
		free (cause);
		return DESPATCH_PRINT_FAILED;
	}
	printf ("job %d moved to %s\n", job, argv[1]);
	return DESPATCH_PRINT_OK;
}

static int
despatch_print_resume (print_t *p, struct despatch_print_opts *o, int argc, char **argv)
{
	(void) o;
	(void) argc;
	char *cause = NULL;
	if (print_resume (p, argv[0], &cause) != 0) {
		fprintf (stderr, "despatch-print: %s\n", cause);
		free (cause);
		return DESPATCH_PRINT_FAILED;
	}
	printf ("printer %s resumed and accepting jobs\n", argv[0]);
	return DESPATCH_PRINT_OK;
}

static int
despatch_print_format (print_t *p, struct despatch_print_opts *o, int argc, char **argv)
{
	(void) o;
	(void) argc;
	int format = print_format_parse (argv[1]);
	if (format < 0) {
		fprintf (stderr, "despatch-print: a printer takes zpl (labels) or pdf (documents), not '%s'\n", argv[1]);
		return DESPATCH_PRINT_USAGE;
	}
	char *cause = NULL;
	if (print_set_format (p, argv[0], (enum print_format) format, &cause) != 0) {
		fprintf (stderr, "despatch-print: %s\n", cause);
		free (cause);
		return DESPATCH_PRINT_FAILED;
	}
	printf ("printer %s takes %s\n", argv[0], print_format_name ((enum print_format) format));
	return DESPATCH_PRINT_OK;
}

static int
despatch_print_find (print_t *p, struct despatch_print_opts *o, int argc, char **argv)
{
	(void) argc;
	print_job_t j;
	char *cause = NULL;
	int64_t since = (int64_t) time (NULL) - o->within_s;
	int rc = print_find (p, argv[0], since, &j, &cause);
	switch (rc) {
	case PRINT_FIND_FOUND:
		printf ("%s: found, job %d on %s, %s\n", argv[0], j.id, j.queue, print_job_state_name (j.state));
		return DESPATCH_PRINT_OK;
	case PRINT_FIND_ABSENT:
		printf ("%s: never sent (CUPS remembers every job of the last %ld s)\n", argv[0], o->within_s);
		return DESPATCH_PRINT_NEVER_SENT;
	case PRINT_FIND_FORGOTTEN:
		printf ("%s: cannot tell: %s\n", argv[0], cause);
		free (cause);
		return DESPATCH_PRINT_UNSURE;
	default:
		fprintf (stderr, "despatch-print: %s\n", cause);
		free (cause);
		return DESPATCH_PRINT_FAILED;
	}
}

/* Check, submit, say so, and follow if asked. what names the document for a refusal. */
static int
despatch_print_submit (print_t *p, struct despatch_print_opts *o, enum print_format format, const char *title,
    const void *data, size_t size, const char *what)
{
	char *cause = NULL;
	print_queue_t q;
	if (print_queue (p, o->printer, &q, &cause) != 0) {
		fprintf (stderr, "despatch-print: %s\n", cause);
		free (cause);
		return DESPATCH_PRINT_FAILED;
	}
	if (print_check (&q, format, data, size, &cause) != 0) {
		fprintf (stderr, "despatch-print: %s not sent: %s\n", what, cause);
		free (cause);
		return DESPATCH_PRINT_FAILED;
	}
	int job = print_submit (p, o->printer, format, title, data, size, &cause);
	if (job < 0) {
		fprintf (stderr, "despatch-print: %s\n", cause);
		free (cause);
		return DESPATCH_PRINT_FAILED;
	}
	printf ("job %d sent to %s (%s, %zu bytes, \"%s\")\n", job, o->printer, print_format_name (format), size, title);
	if (q.health == PRINT_STOPPED)
		printf ("warning: printer %s is stopped; the job waits until a supervisor resumes it "
		    "(despatch-print resume %s)\n", o->printer, o->printer);
	else if (q.health == PRINT_OFFLINE)
		printf ("warning: printer %s is offline%s%s; the job waits until it is back\n", o->printer,
		    q.message[0] ? ": " : "", q.message);
	fflush (stdout);
	return o->follow ? despatch_print_follow_job (p, job, o->timeout_s) : DESPATCH_PRINT_OK;
}

static int
despatch_print_test (print_t *p, struct despatch_print_opts *o, int argc, char **argv)
{
	(void) argc;
	(void) argv;
	if (o->printer == NULL) {
		fprintf (stderr, "despatch-print: test needs --printer QUEUE (despatch-print list shows the queues)\n");
		return DESPATCH_PRINT_USAGE;
	}
	char when[32];
	time_t now = time (NULL);
	struct tm tm;
	strftime (when, sizeof when, "%Y-%m-%d %H:%M:%S", localtime_r (&now, &tm));
	/* A 4x6 inch label: 812x1218 dots at 203 dpi, 1200x1800 at 300. */
	int w = o->dpi == 300 ? 1200 : 812, h = o->dpi == 300 ? 1800 : 1218, s = o->dpi == 300 ? 3 : 2;
	char *zpl = xasprintf ("^XA^CI28^PW%d^LL%d\n"
	                       "^FO40,40^A0N,%d,%d^FDdespatch-print test label^FS\n"
	                       "^FO40,%d^A0N,%d,%d^FDprinter %s, %d dpi^FS\n"
	                       "^FO40,%d^A0N,%d,%d^FD%s^FS\n"
	                       "^FO40,%d^BY%d^BCN,%d,Y,N,N^FDTEST%ld^FS\n"
	                       "^FO20,20^GB%d,%d,4^FS\n"
	                       "^XZ\n",
	    w, h, 30 * s, 30 * s, 60 * s, 20 * s, 20 * s, o->printer, o->dpi, 100 * s, 20 * s, 20 * s, when,
	    160 * s, s, 80 * s, (long) now, w - 40, h - 40);
	char title[PRINT_TEXT_MAX];
	snprintf (title, sizeof title, "%s", despatch_print_or (o->title, "despatch-print test label"));
	int rc = despatch_print_submit (p, o, PRINT_FORMAT_ZPL, title, zpl, strlen (zpl), "the test label");
	free (zpl);
	return rc;
}

static int
despatch_print_send (print_t *p, struct despatch_print_opts *o, int argc, char **argv)
{
	(void) argc;
	const char *path = argv[0];
	if (o->printer == NULL) {
		fprintf (stderr, "despatch-print: send needs --printer QUEUE (despatch-print list shows the queues)\n");
		return DESPATCH_PRINT_USAGE;
	}
	FILE *f = fopen (path, "rb");
	if (f == NULL) {
		fprintf (stderr, "despatch-print: cannot open %s: %s\n", path, strerror (errno));
		return DESPATCH_PRINT_FAILED;
	}
	size_t cap = 65536, len = 0, n;
	char *buf = xmalloc (cap);
	while ((n = fread (buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len > DESPATCH_PRINT_MAX_FILE) {
			fprintf (stderr, "despatch-print: %s is larger than %ld MiB; not a label or a despatch document\n",
			    path, DESPATCH_PRINT_MAX_FILE >> 20);
			fclose (f);
			free (buf);
			return DESPATCH_PRINT_FAILED;
		}
		if (len == cap)
			buf = xrealloc (buf, cap *= 2);
	}
	bool bad = ferror (f);
	fclose (f);
	if (bad || len == 0) {
		fprintf (stderr, "despatch-print: %s: %s\n", path, bad ? "read error" : "the file is empty; nothing to print");
		free (buf);
		return DESPATCH_PRINT_FAILED;
	}
	/* Guessed from the file; print_check then holds it to the format and to the queue's. */
	int format = o->format;
	if (format < 0)
		format = len >= 5 && memcmp (buf, "%PDF-", 5) == 0 ? PRINT_FORMAT_PDF : PRINT_FORMAT_ZPL;
	const char *base = strrchr (path, '/');
	int rc = despatch_print_submit (p, o, (enum print_format) format, despatch_print_or (o->title, base ? base + 1 : path),
	    buf, len, path);
	free (buf);
	return rc;
}

static const struct despatch_print_cmd despatch_print_cmds[] = {
	{ "list", 0, 0, despatch_print_list, "list                      printers, their state and health" },
	{ "test", 0, 0, despatch_print_test, "test --printer Q [--dpi N] [--follow]   send a test label (ZPL)" },
	{ "send", 1, 1, despatch_print_send, "send FILE --printer Q [--title T] [--format zpl|pdf] [--follow]" },
	{ "jobs", 0, 0, despatch_print_jobs, "jobs [--printer Q] [--all]   unfinished (or all) jobs" },
	{ "follow", 1, 1, despatch_print_follow, "follow JOB [--timeout S]   wait until the job ends" },
	{ "cancel", 1, 64, despatch_print_cancel, "cancel JOB...             cancel unfinished jobs" },
	{ "move", 2, 2, despatch_print_move, "move JOB QUEUE            redirect an unfinished job" },
	{ "resume", 1, 1, despatch_print_resume, "resume QUEUE              restart a stopped queue" },
	{ "format", 2, 2, despatch_print_format, "format QUEUE zpl|pdf      mark what a queue takes" },
	{ "find", 1, 1, despatch_print_find, "find IDENT [--within S]   was the job with this identity sent?" },
};

static void
despatch_print_usage (FILE *f)
{
	fprintf (f, "usage: despatch-print [--server S] COMMAND [ARGS]\n");
	for (size_t i = 0; i < nitems (despatch_print_cmds); i++)
		fprintf (f, "  %s\n", despatch_print_cmds[i].usage);
	fprintf (f, "--server S: a CUPS socket path, host or host:port (default: CUPS_SERVER, then CUPS's default)\n"
	            "exit status: 0 done (find: found), 1 failed, 2 usage, 3 CUPS unreachable, 4 follow timed out,\n"
	            "5 find cannot tell, 6 find: never sent\n");
}

int
main (int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "printer", required_argument, NULL, 'p' },
		{ "title", required_argument, NULL, 't' },
		{ "format", required_argument, NULL, 'f' },
		{ "dpi", required_argument, NULL, 'd' },
		{ "all", no_argument, NULL, 'a' },
		{ "follow", no_argument, NULL, 'F' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "within", required_argument, NULL, 'W' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct despatch_print_opts o = { .format = -1, .dpi = 203, .timeout_s = 600, .within_s = 86400 };
	int ch;
	long v;
	while ((ch = getopt_long (argc, argv, "s:p:t:f:d:aFT:W:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 's': o.server = optarg; break;
		case 'p': o.printer = optarg; break;
		case 't': o.title = optarg; break;
		case 'a': o.all = true; break;
		case 'F': o.follow = true; break;
		case 'h': despatch_print_usage (stdout); return DESPATCH_PRINT_OK;
		case 'f':
			if ((o.format = print_format_parse (optarg)) < 0) {
				fprintf (stderr, "despatch-print: --format is zpl or pdf, not '%s'\n", optarg);
				return DESPATCH_PRINT_USAGE;
			}
			break;
		case 'd':
			if (!util_parse_long (optarg, 203, 300, &v) || (v != 203 && v != 300)) {
				fprintf (stderr, "despatch-print: --dpi is 203 or 300, not '%s'\n", optarg);
				return DESPATCH_PRINT_USAGE;
			}
			o.dpi = (int) v;
			break;
		case 'T':
			if (!util_parse_long (optarg, 0, 86400, &v)) {
				fprintf (stderr, "despatch-print: --timeout is seconds (0-86400; 0 waits for ever), not '%s'\n", optarg);
				return DESPATCH_PRINT_USAGE;
			}
			o.timeout_s = v;
			break;
		case 'W':
			if (!util_parse_long (optarg, 1, 366L * 86400, &v)) {
				fprintf (stderr, "despatch-print: --within is seconds (1 to a year), not '%s'\n", optarg);
				return DESPATCH_PRINT_USAGE;
			}
			o.within_s = v;
			break;
		default: despatch_print_usage (stderr); return DESPATCH_PRINT_USAGE;
		}
	}
	const char *name = optind < argc ? argv[optind++] : "list";
	const struct despatch_print_cmd *cmd = NULL;
	for (size_t i = 0; i < nitems (despatch_print_cmds); i++)
		if (strcmp (despatch_print_cmds[i].name, name) == 0)
			cmd = &despatch_print_cmds[i];
	if (cmd == NULL) {
		fprintf (stderr, "despatch-print: unknown command '%s'\n", name);
		despatch_print_usage (stderr);
		return DESPATCH_PRINT_USAGE;
	}
	int nargs = argc - optind;
	if (nargs < cmd->min_args || nargs > cmd->max_args) {
		fprintf (stderr, "despatch-print: usage: despatch-print %s\n", cmd->usage);
		return DESPATCH_PRINT_USAGE;
	}
	char *cause = NULL;
	print_t *p = print_new (o.server, &cause);
	if (p == NULL) {
		fprintf (stderr, "despatch-print: %s\n", cause);
		free (cause);
		return DESPATCH_PRINT_UNREACHABLE;
	}
	int rc = cmd->fn (p, &o, nargs, argv + optind);
	print_destroy (&p);
	return rc;
}
