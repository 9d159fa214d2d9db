/*
 * print-cups.c: the suite's one door to libcups (print.h says what it offers).
 * Everything is plain IPP on one http_t per print_t, so a job is one
 * Print-Job round trip with the document in its body: no temporary files,
 * no process per job.
 */
#include "config.h"
#include "print.h"
#include "util.h"

#include <cups/cups.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct print {
	http_t *http;
	char host[PRINT_TEXT_MAX]; /* host name or socket path */
	int port;
	char server[PRINT_TEXT_MAX + 8];
	int timeout_ms;
};

static const char *print_cups_queue_attrs[] = {
	"printer-name", "printer-state", "printer-state-reasons", "printer-state-message",
	"printer-is-accepting-jobs", "device-uri", "printer-info", "queued-job-count",
};

static const char *print_cups_job_attrs[] = {
	"job-id", "job-state", "job-state-reasons", "job-printer-uri", "job-name",
	"job-originating-user-name", "job-k-octets", "time-at-creation", "time-at-completed",
};

/* The socket and IPP backends of CUPS 2.4 report an unreachable printer with
 * one of these messages (C locale) and, for socket://, no state reason. */
static const char *print_cups_offline_messages[] = {
	"may not exist or is unavailable",
	"is unreachable",
	"is not responding",
	"Unable to locate printer",
	"Unable to connect",
	"Waiting for printer to become available",
	"is busy, down, or unreachable",
};

/* printer-state-reasons (without -report/-warning/-error) meaning "cannot reach it". */
static const char *print_cups_offline_reasons[] = {
	"offline", "connecting-to-device", "timed-out", "shutdown",
};

static const struct {
	enum print_format format;
	const char *name;
	const char *mime;
} print_cups_formats[] = {
	{ PRINT_FORMAT_ZPL, "zpl", "application/vnd.cups-raw" },
	{ PRINT_FORMAT_PDF, "pdf", "application/pdf" },
};

static const char *print_cups_job_state_names[] = {
	[PRINT_JOB_UNKNOWN] = "unknown",
	[PRINT_JOB_PENDING] = "pending",
	[PRINT_JOB_HELD] = "held",
	[PRINT_JOB_PROCESSING] = "processing",
	[PRINT_JOB_STOPPED] = "stopped",
	[PRINT_JOB_CANCELLED] = "cancelled",
	[PRINT_JOB_ABORTED] = "aborted",
	[PRINT_JOB_COMPLETED] = "completed",
};

static const char *print_cups_queue_state_names[] = {
	[PRINT_QUEUE_UNKNOWN] = "unknown",
	[PRINT_QUEUE_IDLE] = "idle",
	[PRINT_QUEUE_PROCESSING] = "processing",
	[PRINT_QUEUE_STOPPED] = "stopped",
};

static const char *print_cups_health_names[] = {
	[PRINT_OK] = "ok",
	[PRINT_OFFLINE] = "offline",
	[PRINT_REJECTING] = "rejecting",
	[PRINT_STOPPED] = "stopped",
};

static void
print_cups_cause (char **cause, const char *fmt, ...)
{
	if (cause == NULL)
		return;
	va_list ap;
	va_start (ap, fmt);
	*cause = xvasprintf (fmt, ap);
	va_end (ap);
}

static int
print_cups_on_timeout (http_t *http, void *arg)
{
	(void) http;
	(void) arg;
	return 0; /* give up: the caller gets an error, never a hang */
}

print_t *
print_new (const char *server, char **cause)
{
	print_t *self = xcalloc (1, sizeof *self);
	self->timeout_ms = PRINT_TIMEOUT_MS;
	if (server == NULL || *server == '\0') {
		util_strlcpy (self->host, cupsServer (), sizeof self->host);
		self->port = ippPort ();
	} else if (server[0] == '/') {
		util_strlcpy (self->host, server, sizeof self->host);
		self->port = 0;
	} else {
		util_strlcpy (self->host, server, sizeof self->host);
		self->port = 631;
		char *colon = strrchr (self->host, ':');
		if (colon && strchr (self->host, ':') == colon) {
			long port;
			if (!util_parse_long (colon + 1, 1, 65535, &port)) {
				print_cups_cause (cause, "'%s' is not a CUPS server: give a socket path, host or host:port", server);
				free (self);
				return NULL;
			}
			*colon = '\0';
			self->port = (int) port;
		}
	}
	if (self->host[0] == '/')
		snprintf (self->server, sizeof self->server, "%s", self->host);
	else
		snprintf (self->server, sizeof self->server, "%s:%d", self->host, self->port);
	self->http = httpConnect2 (self->host, self->port, NULL, AF_UNSPEC, HTTP_ENCRYPTION_IF_REQUESTED,
	    1, self->timeout_ms, NULL);
	if (self->http == NULL) {
		print_cups_cause (cause, "cannot reach the CUPS server at %s; is cupsd running there? "
		    "(the server comes from --server, CUPS_SERVER or CUPS's client.conf)", self->server);
		free (self);
		return NULL;
	}
	httpSetTimeout (self->http, self->timeout_ms / 1000.0, print_cups_on_timeout, NULL);
	return self;
}

void
print_destroy (print_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	print_t *self = *self_p;
	httpClose (self->http);
	free (self);
	*self_p = NULL;
}

const char *
print_server (print_t *self)
{
	return self->server;
}

void
print_set_timeout (print_t *self, int msec)
{
	self->timeout_ms = msec > 0 ? msec : PRINT_TIMEOUT_MS;
	httpSetTimeout (self->http, self->timeout_ms / 1000.0, print_cups_on_timeout, NULL);
}

static void
print_cups_printer_uri (char *uri, size_t n, const char *queue)
{
	httpAssembleURIf (HTTP_URI_CODING_ALL, uri, (int) n, "ipp", NULL, "localhost", 0, "/printers/%s", queue);
}

static void
print_cups_job_uri (char *uri, size_t n, int job)
{
	httpAssembleURIf (HTTP_URI_CODING_ALL, uri, (int) n, "ipp", NULL, "localhost", 0, "/jobs/%d", job);
}

static ipp_t *
print_cups_new_request (ipp_op_t op)
{
	ipp_t *req = ippNewRequest (op);
	ippAddString (req, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL, cupsUser ());
	return req;
}

/* A queue name CUPS would accept: printable, no space, '/', '#' or quote. */
static bool
print_cups_valid_queue (const char *name)
{
	if (name == NULL || *name == '\0' || strlen (name) >= PRINT_NAME_MAX)
		return false;
	for (const unsigned char *p = (const unsigned char *) name; *p; p++)
		if (*p <= ' ' || *p == 127 || *p == '/' || *p == '#' || *p == '\'' || *p == '"' || *p == '\\')
			return false;
	return true;
}

/* Bring the connection back if the server dropped it (cupsd restarted, idle timeout). */
static void
print_cups_reconnect (print_t *self)
{
	if (httpGetFd (self->http) < 0)
		httpReconnect2 (self->http, self->timeout_ms, NULL);
}

/*
 * Send req (taken) to resource; the response (caller deletes), or NULL and
 * *cause. what names the action for the message.
 */
static ipp_t *
print_cups_do (print_t *self, ipp_t *req, const char *resource, const char *what, char **cause)
{
	print_cups_reconnect (self);
	ipp_t *resp = cupsDoRequest (self->http, req, resource);
	ipp_status_t status = cupsLastError ();
	if (resp != NULL && status <= IPP_STATUS_OK_EVENTS_COMPLETE)
		return resp;
	ippDelete (resp);
	if (status == IPP_STATUS_ERROR_SERVICE_UNAVAILABLE || status == IPP_STATUS_ERROR_INTERNAL)
		print_cups_cause (cause, "%s: the CUPS server at %s did not answer (%s); is cupsd running?",
		    what, self->server, cupsLastErrorString ());
	else
		print_cups_cause (cause, "%s: %s", what, cupsLastErrorString ());
	return NULL;
}

static ipp_attribute_t *
print_cups_find (ipp_t *resp, const char *name, ipp_tag_t tag)
{
	return ippFindAttribute (resp, name, tag);
}

/* Join the values of a keyword/text attribute with commas. */
static void
print_cups_join (ipp_attribute_t *attr, char *out, size_t n)
{
	out[0] = '\0';
	size_t len = 0;
	for (int i = 0; attr && i < ippGetCount (attr); i++) {
		const char *v = ippGetString (attr, i, NULL);
		if (v == NULL)
			continue;
		len += (size_t) snprintf (out + len, len < n ? n - len : 0, "%s%s", len ? "," : "", v);
		if (len >= n)
			break;
	}
}

static bool
print_cups_reason_offline (const char *reasons)
{
	char copy[PRINT_TEXT_MAX];
	util_strlcpy (copy, reasons, sizeof copy);
	char *save = NULL;
	for (char *r = strtok_r (copy, ",", &save); r; r = strtok_r (NULL, ",", &save))
		for (size_t i = 0; i < nitems (print_cups_offline_reasons); i++)
			if (strncmp (r, print_cups_offline_reasons[i], strlen (print_cups_offline_reasons[i])) == 0)
				return true;
	return false;
}

static enum print_health
print_cups_health (const print_queue_t *q)
{
	if (q->state == PRINT_QUEUE_STOPPED)
		return PRINT_STOPPED;
	if (!q->accepting)
		return PRINT_REJECTING;
	if (print_cups_reason_offline (q->reasons))
		return PRINT_OFFLINE;
	if (q->state == PRINT_QUEUE_PROCESSING)
		for (size_t i = 0; i < nitems (print_cups_offline_messages); i++)
			if (strstr (q->message, print_cups_offline_messages[i]) != NULL)
				return PRINT_OFFLINE;
	return PRINT_OK;
}

/* Fill q from the attributes between *attr and the next group separator; advances *attr. */
static void
print_cups_read_queue (ipp_attribute_t **attrp, ipp_t *resp, print_queue_t *q)
{
	memset (q, 0, sizeof *q);
	util_strlcpy (q->reasons, "none", sizeof q->reasons);
	ipp_attribute_t *a = *attrp;
	for (; a && ippGetName (a); a = ippNextAttribute (resp)) {
		const char *name = ippGetName (a);
		if (strcmp (name, "printer-name") == 0)
			util_strlcpy (q->name, ippGetString (a, 0, NULL), sizeof q->name);
		else if (strcmp (name, "printer-state") == 0)
			q->state = (enum print_queue_state) ippGetInteger (a, 0);
		else if (strcmp (name, "printer-state-reasons") == 0)
			print_cups_join (a, q->reasons, sizeof q->reasons);
		else if (strcmp (name, "printer-state-message") == 0)
			util_strlcpy (q->message, ippGetString (a, 0, NULL) ? ippGetString (a, 0, NULL) : "", sizeof q->message);
		else if (strcmp (name, "printer-is-accepting-jobs") == 0)
			q->accepting = ippGetBoolean (a, 0);
		else if (strcmp (name, "device-uri") == 0)
			util_strlcpy (q->device, ippGetString (a, 0, NULL), sizeof q->device);
		else if (strcmp (name, "printer-info") == 0)
			util_strlcpy (q->info, ippGetString (a, 0, NULL) ? ippGetString (a, 0, NULL) : "", sizeof q->info);
		else if (strcmp (name, "queued-job-count") == 0)
			q->queued = ippGetInteger (a, 0);
	}
	if (q->state != PRINT_QUEUE_IDLE && q->state != PRINT_QUEUE_PROCESSING && q->state != PRINT_QUEUE_STOPPED)
		q->state = PRINT_QUEUE_UNKNOWN;
	q->health = print_cups_health (q);
	*attrp = a;
}

int
print_queues (print_t *self, print_queue_t **queues, size_t *count, char **cause)
{
	*queues = NULL;
	*count = 0;
	ipp_t *req = print_cups_new_request (IPP_OP_CUPS_GET_PRINTERS);
	ippAddStrings (req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
	    (int) nitems (print_cups_queue_attrs), NULL, print_cups_queue_attrs);
	char *why = NULL;
	ipp_t *resp = print_cups_do (self, req, "/", "listing printers", &why);
	if (resp == NULL) {
		/* CUPS answers "not found" when there are no queues at all. */
		if (cupsLastError () == IPP_STATUS_ERROR_NOT_FOUND) {
			free (why);
			return 0;
		}
		if (cause)
			*cause = why;
		else
			free (why);
		return -1;
	}
	size_t cap = 0;
	for (ipp_attribute_t *a = ippFirstAttribute (resp); a; a = ippNextAttribute (resp)) {
		if (ippGetGroupTag (a) != IPP_TAG_PRINTER)
			continue;
		if (*count == cap) {
			cap = cap ? cap * 2 : 8;
			*queues = xrealloc (*queues, cap * sizeof **queues);
		}
		print_cups_read_queue (&a, resp, &(*queues)[*count]);
		if ((*queues)[*count].name[0])
			(*count)++;
		if (a == NULL)
			break;
	}
	ippDelete (resp);
	return 0;
}

int
print_queue (print_t *self, const char *name, print_queue_t *out, char **cause)
{
	if (!print_cups_valid_queue (name)) {
		print_cups_cause (cause, "'%s' is not a printer queue name", name ? name : "");
		return -1;
	}
	char uri[HTTP_MAX_URI];
	print_cups_printer_uri (uri, sizeof uri, name);
	ipp_t *req = print_cups_new_request (IPP_OP_GET_PRINTER_ATTRIBUTES);
	ippAddString (req, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, uri);
	ippAddStrings (req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
	    (int) nitems (print_cups_queue_attrs), NULL, print_cups_queue_attrs);
	char *why = NULL;
	ipp_t *resp = print_cups_do (self, req, "/", "asking for printer state", &why);
	if (resp == NULL) {
		if (cupsLastError () == IPP_STATUS_ERROR_NOT_FOUND) {
			free (why);
			print_cups_cause (cause, "no printer queue '%s' on the CUPS server at %s; "
			    "check the name (despatch-print list shows the queues)", name, self->server);
		} else if (cause)
			*cause = why;
		else
			free (why);
		return -1;
	}
	ipp_attribute_t *a = ippFirstAttribute (resp);
	while (a && ippGetGroupTag (a) != IPP_TAG_PRINTER)
		a = ippNextAttribute (resp);
	print_cups_read_queue (&a, resp, out);
	ippDelete (resp);
	if (out->name[0] == '\0')
		util_strlcpy (out->name, name, sizeof out->name);
	return 0;
}

int
print_submit (print_t *self, const char *queue, enum print_format format,
    const char *title, const void *data, size_t size, char **cause)
{
	if ((unsigned) format >= nitems (print_cups_formats)) {
		print_cups_cause (cause, "unknown print format %d", (int) format);
		return -1;
	}
	if (size == 0) {
		print_cups_cause (cause, "nothing to print: the document is empty");
		return -1;
	}
	if (!print_cups_valid_queue (queue)) {
		print_cups_cause (cause, "'%s' is not a printer queue name", queue ? queue : "");
		return -1;
	}
	/* IPP names are at most 255 octets: cut a longer title at a character boundary. */
	char name[256];
	util_strlcpy (name, title && *title ? title : "despatch", sizeof name);
	size_t nlen = strlen (name);
	if (title && strlen (title) > nlen)
		while (nlen > 0 && ((unsigned char) title[nlen] & 0xc0) == 0x80)
			name[--nlen] = '\0';
	char uri[HTTP_MAX_URI], resource[PRINT_NAME_MAX + 16];
	print_cups_printer_uri (uri, sizeof uri, queue);
	snprintf (resource, sizeof resource, "/printers/%s", queue);
	ipp_t *req = print_cups_new_request (IPP_OP_PRINT_JOB);
	ippAddString (req, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, uri);
	ippAddString (req, IPP_TAG_OPERATION, IPP_TAG_NAME, "job-name", NULL, name);
	ippAddString (req, IPP_TAG_OPERATION, IPP_TAG_MIMETYPE, "document-format", NULL,
	    print_cups_formats[format].mime);

	print_cups_reconnect (self);
	/* The length cupsSendRequest wants is the whole body: request and document. */
	http_status_t st = cupsSendRequest (self->http, req, resource, ippLength (req) + size);
	if (st == HTTP_STATUS_CONTINUE)
		st = cupsWriteRequestData (self->http, data, size);
	ipp_t *resp = NULL;
	if (st == HTTP_STATUS_CONTINUE)
		resp = cupsGetResponse (self->http, resource);
	else
		httpFlush (self->http);
	ippDelete (req);
	ipp_status_t status = cupsLastError ();
	if (resp == NULL || status > IPP_STATUS_OK_EVENTS_COMPLETE) {
		ippDelete (resp);
		if (status == IPP_STATUS_ERROR_NOT_FOUND)
			print_cups_cause (cause, "no printer queue '%s' on the CUPS server at %s; "
			    "check the name (despatch-print list shows the queues)", queue, self->server);
		else if (status == IPP_STATUS_ERROR_NOT_ACCEPTING_JOBS)
			print_cups_cause (cause, "printer queue '%s' is not accepting jobs; "
			    "a supervisor can resume it (despatch-print resume %s) or send to another printer", queue, queue);
		else if (status == IPP_STATUS_ERROR_DOCUMENT_FORMAT_NOT_SUPPORTED)
			print_cups_cause (cause, "printer queue '%s' does not take %s documents; "
			    "check which printer this station's configuration names", queue, print_cups_formats[format].name);
		else
			print_cups_cause (cause, "cannot send the job to '%s' on the CUPS server at %s: %s",
			    queue, self->server, cupsLastErrorString ());
		return -1;
	}
	ipp_attribute_t *a = print_cups_find (resp, "job-id", IPP_TAG_INTEGER);
	int id = a ? ippGetInteger (a, 0) : -1;
	ippDelete (resp);
	if (id <= 0)
		print_cups_cause (cause, "the CUPS server at %s took the job for '%s' but gave no job id", self->server, queue);
	return id > 0 ? id : -1;
}

static void
print_cups_read_job (ipp_attribute_t **attrp, ipp_t *resp, print_job_t *j)
{
	memset (j, 0, sizeof *j);
	ipp_attribute_t *a = *attrp;
	for (; a && ippGetName (a); a = ippNextAttribute (resp)) {
		const char *name = ippGetName (a);
		const char *s = ippGetValueTag (a) == IPP_TAG_INTEGER || ippGetValueTag (a) == IPP_TAG_ENUM
		    || ippGetValueTag (a) == IPP_TAG_NOVALUE ? NULL : ippGetString (a, 0, NULL);
		if (strcmp (name, "job-id") == 0)
			j->id = ippGetInteger (a, 0);
		else if (strcmp (name, "job-state") == 0)
			j->state = (enum print_job_state) ippGetInteger (a, 0);
		else if (strcmp (name, "job-state-reasons") == 0)
			print_cups_join (a, j->reasons, sizeof j->reasons);
		else if (strcmp (name, "job-printer-uri") == 0 && s) {
			const char *slash = strrchr (s, '/');
			util_strlcpy (j->queue, slash ? slash + 1 : s, sizeof j->queue);
		} else if (strcmp (name, "job-name") == 0 && s)
			util_strlcpy (j->title, s, sizeof j->title);
		else if (strcmp (name, "job-originating-user-name") == 0 && s)
			util_strlcpy (j->user, s, sizeof j->user);
		else if (strcmp (name, "job-k-octets") == 0)
			j->kbytes = ippGetInteger (a, 0);
		else if (strcmp (name, "time-at-creation") == 0 && ippGetValueTag (a) == IPP_TAG_INTEGER)
			j->created = ippGetInteger (a, 0);
		else if (strcmp (name, "time-at-completed") == 0 && ippGetValueTag (a) == IPP_TAG_INTEGER)
			j->completed = ippGetInteger (a, 0);
	}
	if (j->state < PRINT_JOB_PENDING || j->state > PRINT_JOB_COMPLETED)
		j->state = PRINT_JOB_UNKNOWN;
	*attrp = a;
}

int
print_poll (print_t *self, int job, print_job_t *out, char **cause)
{
	if (job <= 0) {
		print_cups_cause (cause, "%d is not a job id", job);
		return -1;
	}
	char uri[HTTP_MAX_URI];
	print_cups_job_uri (uri, sizeof uri, job);
	ipp_t *req = print_cups_new_request (IPP_OP_GET_JOB_ATTRIBUTES);
	ippAddString (req, IPP_TAG_OPERATION, IPP_TAG_URI, "job-uri", NULL, uri);
	ippAddStrings (req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
	    (int) nitems (print_cups_job_attrs), NULL, print_cups_job_attrs);
	char *why = NULL;
	ipp_t *resp = print_cups_do (self, req, "/jobs/", "asking for job state", &why);
	if (resp == NULL) {
		if (cupsLastError () == IPP_STATUS_ERROR_NOT_FOUND) {
			free (why);
			print_cups_cause (cause, "no job %d on the CUPS server at %s (never submitted, "
			    "or so old that CUPS forgot it)", job, self->server);
		} else if (cause)
			*cause = why;
		else
			free (why);
		return -1;
	}
	ipp_attribute_t *a = ippFirstAttribute (resp);
	while (a && ippGetGroupTag (a) != IPP_TAG_JOB)
		a = ippNextAttribute (resp);
	print_cups_read_job (&a, resp, out);
	ippDelete (resp);
	if (out->id == 0)
		out->id = job;
	if (out->queue[0] && print_queue (self, out->queue, &out->printer, NULL) != 0)
		util_strlcpy (out->printer.name, out->queue, sizeof out->printer.name);
	return 0;
}

int
print_jobs (print_t *self, const char *queue, bool all, print_job_t **jobs, size_t *count, char **cause)
{
	*jobs = NULL;
	*count = 0;
	char uri[HTTP_MAX_URI];
	if (queue) {
		if (!print_cups_valid_queue (queue)) {
			print_cups_cause (cause, "'%s' is not a printer queue name", queue);
			return -1;
		}
		print_cups_printer_uri (uri, sizeof uri, queue);
	} else
		util_strlcpy (uri, "ipp://localhost/", sizeof uri);
	ipp_t *req = print_cups_new_request (IPP_OP_GET_JOBS);
	ippAddString (req, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, uri);
	ippAddString (req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "which-jobs", NULL, all ? "all" : "not-completed");
	ippAddStrings (req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
	    (int) nitems (print_cups_job_attrs), NULL, print_cups_job_attrs);
	char *why = NULL;
	ipp_t *resp = print_cups_do (self, req, "/", "listing jobs", &why);
	if (resp == NULL) {
		if (cupsLastError () == IPP_STATUS_ERROR_NOT_FOUND && queue)
			print_cups_cause (cause, "no printer queue '%s' on the CUPS server at %s; "
			    "check the name (despatch-print list shows the queues)", queue, self->server);
		else if (cupsLastError () == IPP_STATUS_ERROR_NOT_FOUND) {
			free (why);
			return 0;
		} else if (cause) {
			*cause = why;
			why = NULL;
		}
		free (why);
		return -1;
	}
	size_t cap = 0;
	for (ipp_attribute_t *a = ippFirstAttribute (resp); a; a = ippNextAttribute (resp)) {
		if (ippGetGroupTag (a) != IPP_TAG_JOB)
			continue;
		if (*count == cap) {
			cap = cap ? cap * 2 : 16;
			*jobs = xrealloc (*jobs, cap * sizeof **jobs);
		}
		print_cups_read_job (&a, resp, &(*jobs)[*count]);
		if ((*jobs)[*count].id > 0)
			(*count)++;
		if (a == NULL)
			break;
	}
	ippDelete (resp);
	return 0;
}

/* A job operation (cancel, move) with the usual messages for a missing or finished job. */
static int
print_cups_job_op (print_t *self, ipp_t *req, int job, const char *what, char **cause)
{
	char *why = NULL;
	ipp_t *resp = print_cups_do (self, req, "/jobs/", what, &why);
	if (resp) {
		ippDelete (resp);
		return 0;
	}
	ipp_status_t status = cupsLastError ();
	if (status == IPP_STATUS_ERROR_NOT_FOUND) {
		print_cups_cause (cause, "%s: no job %d on the CUPS server at %s", what, job, self->server);
	} else if (status == IPP_STATUS_ERROR_NOT_POSSIBLE) {
		print_job_t j;
		if (print_poll (self, job, &j, NULL) == 0 && print_job_state_final (j.state))
			print_cups_cause (cause, "%s: job %d has already finished (%s)", what, job,
			    print_job_state_name (j.state));
		else
			print_cups_cause (cause, "%s: not possible for job %d now: %s", what, job, why);
	} else if (cause) {
		*cause = why;
		why = NULL;
	}
	free (why);
	return -1;
}

int
print_cancel (print_t *self, int job, char **cause)
{
	if (job <= 0) {
		print_cups_cause (cause, "%d is not a job id", job);
		return -1;
	}
	char uri[HTTP_MAX_URI];
	print_cups_job_uri (uri, sizeof uri, job);
	ipp_t *req = print_cups_new_request (IPP_OP_CANCEL_JOB);
	ippAddString (req, IPP_TAG_OPERATION, IPP_TAG_URI, "job-uri", NULL, uri);
	return print_cups_job_op (self, req, job, "cancelling", cause);
}

int
print_move (print_t *self, int job, const char *queue, char **cause)
{
	if (job <= 0) {
		print_cups_cause (cause, "%d is not a job id", job);
		return -1;
	}
	print_queue_t q;
	if (print_queue (self, queue, &q, cause) != 0)
		return -1;
	char uri[HTTP_MAX_URI], dest[HTTP_MAX_URI];
	print_cups_job_uri (uri, sizeof uri, job);
	print_cups_printer_uri (dest, sizeof dest, queue);
	ipp_t *req = print_cups_new_request (IPP_OP_CUPS_MOVE_JOB);
	ippAddString (req, IPP_TAG_OPERATION, IPP_TAG_URI, "job-uri", NULL, uri);
	ippAddString (req, IPP_TAG_JOB, IPP_TAG_URI, "job-printer-uri", NULL, dest);
	return print_cups_job_op (self, req, job, "moving", cause);
}

int
print_resume (print_t *self, const char *queue, char **cause)
{
	print_queue_t q;
	if (print_queue (self, queue, &q, cause) != 0)
		return -1;
	static const ipp_op_t ops[] = { IPP_OP_RESUME_PRINTER, IPP_OP_CUPS_ACCEPT_JOBS };
	for (size_t i = 0; i < nitems (ops); i++) {
		char uri[HTTP_MAX_URI];
		print_cups_printer_uri (uri, sizeof uri, queue);
		ipp_t *req = print_cups_new_request (ops[i]);
		ippAddString (req, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, uri);
		ipp_t *resp = print_cups_do (self, req, "/admin/", "resuming", cause);
		if (resp == NULL)
			return -1;
		ippDelete (resp);
	}
	return 0;
}

bool
print_job_state_final (enum print_job_state state)
{
	return state == PRINT_JOB_CANCELLED || state == PRINT_JOB_ABORTED || state == PRINT_JOB_COMPLETED;
}

const char *
print_job_state_name (enum print_job_state state)
{
	if ((unsigned) state >= nitems (print_cups_job_state_names) || print_cups_job_state_names[state] == NULL)
		return "unknown";
	return print_cups_job_state_names[state];
}

const char *
print_queue_state_name (enum print_queue_state state)
{
	if ((unsigned) state >= nitems (print_cups_queue_state_names) || print_cups_queue_state_names[state] == NULL)
		return "unknown";
	return print_cups_queue_state_names[state];
}

const char *
print_health_name (enum print_health health)
{
	if ((unsigned) health >= nitems (print_cups_health_names))
		return "unknown";
	return print_cups_health_names[health];
}

const char *
print_format_name (enum print_format format)
{
	for (size_t i = 0; i < nitems (print_cups_formats); i++)
		if (print_cups_formats[i].format == format)
			return print_cups_formats[i].name;
	return "unknown";
}

int
print_format_parse (const char *name)
{
	for (size_t i = 0; name && i < nitems (print_cups_formats); i++)
		if (strcasecmp (name, print_cups_formats[i].name) == 0)
			return (int) print_cups_formats[i].format;
	return -1;
}
