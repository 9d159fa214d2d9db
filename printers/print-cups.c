/*
 * print-cups.c: the suite's one door to libcups (print.h says what it offers).
 * Everything is plain IPP on one http_t per print_t, so a job is one
 * Print-Job round trip with the document in its body: no temporary files,
 * no process per job.
 */
#include "config.h"
#include "print.h"
#include "text.h"
#include "util.h"

#include <cups/cups.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Waits inside libcups are cut into slices this long, each ending in a look at the call's deadline. */
#define PRINT_CUPS_SLICE_MS 50
/* At most this many jobs' attributes are read by one print_find. */
#define PRINT_CUPS_FIND_MAX 100000

struct print {
	http_t *http;              /* NULL until connected, and after a failed request */
	http_addrlist_t *addrs;    /* the server's addresses, looked up once */
	char host[PRINT_TEXT_MAX]; /* host name or socket path */
	int port;
	char server[PRINT_TEXT_MAX + 8];
	int timeout_ms;
	int64_t deadline;          /* monotonic ms: the current call gives up then */
	bool expired;              /* the deadline passed inside libcups */
	ipp_status_t status;       /* the last request's IPP status (a transport failure: SERVICE_UNAVAILABLE) */
	char message[PRINT_TEXT_MAX]; /* and its status-message */
	char auth[512];            /* the Authorization a 401 led to, sent on later connections too */
	bool unsure;               /* the last request failed after some of it may have reached the server */
};

static const char *print_cups_queue_attrs[] = {
	"printer-name", "printer-state", "printer-state-reasons", "printer-state-message",
	"printer-is-accepting-jobs", "device-uri", "printer-info", "queued-job-count",
	"despatch-format-default",
};

static const char *print_cups_job_attrs[] = {
	"job-id", "job-state", "job-state-reasons", "job-printer-uri", "job-name",
	"job-originating-user-name", "job-k-octets", "time-at-creation", "time-at-completed",
};

/* What print_find asks Get-Jobs for: CUPS fills the name only for unfinished jobs. */
static const char *print_cups_find_attrs[] = { "job-id", "job-name", "time-at-creation" };

/* The CUPS printer option that says what a queue takes (print_set_format). */
#define PRINT_CUPS_FORMAT_ATTR "despatch-format-default"

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

static const struct {
	enum print_found found;
	const char *name;
} print_cups_found_names[] = {
	{ PRINT_FIND_FAILED, "failed" },
	{ PRINT_FIND_ABSENT, "absent" },
	{ PRINT_FIND_FOUND, "found" },
	{ PRINT_FIND_FORGOTTEN, "forgotten" },
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

/* Hand why to the caller (or free it). */
static void
print_cups_give (char **cause, char *why)
{
	if (cause)
		*cause = why;
	else
		free (why);
}

/*
 * Every public call starts here: the deadline for the whole call, and no
 * password prompt (libcups would read one from the terminal; a worker
 * thread must fail instead). The callback is per thread in libcups.
 */
static const char *
print_cups_no_password (const char *prompt, http_t *http, const char *method, const char *resource, void *arg)
{
	(void) prompt;
	(void) http;
	(void) method;
	(void) resource;
	(void) arg;
	return NULL;
}

static void
print_cups_begin (print_t *self)
{
	cupsSetPasswordCB2 (print_cups_no_password, NULL);
	self->deadline = util_mono_ms () + self->timeout_ms;
	self->expired = false;
	self->status = IPP_STATUS_OK;
	self->message[0] = '\0';
}

static int
print_cups_remaining (const print_t *self)
{
	int64_t left = self->deadline - util_mono_ms ();
	return left > 0 ? (int) left : 0;
}

/* libcups asks at the end of each slice of a wait: go on (1) until the deadline. */
static int
print_cups_on_timeout (http_t *http, void *arg)
{
	(void) http;
	print_t *self = arg;
	if (util_mono_ms () < self->deadline)
		return 1;
	self->expired = true;
	return 0;
}

static void
print_cups_drop (print_t *self)
{
	httpClose (self->http);
	self->http = NULL;
}

/* An idle connection the server has not closed (cupsd restarted, idle timeout)? */
static bool
print_cups_alive (print_t *self)
{
	int fd = httpGetFd (self->http);
	if (fd < 0 || httpGetState (self->http) != HTTP_STATE_WAITING)
		return false;
	char ch;
	ssize_t n = recv (fd, &ch, 1, MSG_PEEK | MSG_DONTWAIT);
	return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

/* Where a request was when its deadline passed. */
enum print_cups_phase {
	PRINT_CUPS_CONNECTING,
	PRINT_CUPS_SENDING,
	PRINT_CUPS_WAITING,
};

static const char *print_cups_phase_names[] = {
	[PRINT_CUPS_CONNECTING] = "did not take a connection",
	[PRINT_CUPS_SENDING] = "did not take the request",
	[PRINT_CUPS_WAITING] = "did not answer",
};

static void
print_cups_timed_out (print_t *self, enum print_cups_phase phase, const char *what, char **cause)
{
	print_cups_cause (cause, "%s: the CUPS server at %s %s within %.1f s; is cupsd running (a stopped or "
	    "overloaded print server, or a dead link, looks like this)? Try again later",
	    what, self->server, print_cups_phase_names[phase], self->timeout_ms / 1000.0);
}

/*
 * Why a local socket refuses a connection. libcups says "host is down" for
 * every failure; a full listen queue (EAGAIN: the server is stopped or
 * overloaded) must be told from no server at all (ENOENT, ECONNREFUSED).
 */
static int
print_cups_local_errno (print_t *self)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t n = strlen (self->host);
	if (n >= sizeof sun.sun_path)
		return ENAMETOOLONG;
	memcpy (sun.sun_path, self->host, n + 1);
	int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	int err = connect (fd, (struct sockaddr *) &sun, sizeof sun) == 0 ? EAGAIN : errno;
	close (fd);
	return err;
}

/*
 * A connection ready for a request, made within what is left of the
 * deadline; libcups's own reconnects (30 s) are never reached, as a
 * connection that failed is thrown away.
 */
static bool
print_cups_ready (print_t *self, const char *what, char **cause)
{
	if (self->http && print_cups_alive (self))
		return true;
	print_cups_drop (self);
	int ms = print_cups_remaining (self);
	if (ms <= 0) {
		print_cups_timed_out (self, PRINT_CUPS_CONNECTING, what, cause);
		return false;
	}
	http_t *http = httpConnect2 (self->host, self->port, self->addrs, AF_UNSPEC, HTTP_ENCRYPTION_IF_REQUESTED,
	    1, 0, NULL);
	if (http == NULL) {
		print_cups_cause (cause, "%s: cannot set up a connection to the CUPS server at %s", what, self->server);
		return false;
	}
	httpSetTimeout (http, PRINT_CUPS_SLICE_MS / 1000.0, print_cups_on_timeout, self);
	int err = 0;
	while (httpReconnect2 (http, ms, NULL) != 0) {
		/* A full listen queue on a local socket fails at once (a TCP one just waits): wait the same way. */
		err = self->host[0] == '/' ? print_cups_local_errno (self) : httpError (http);
		ms = print_cups_remaining (self);
		if ((err != EAGAIN && err != EWOULDBLOCK) || ms <= 0)
			break;
		usleep ((useconds_t) (ms < PRINT_CUPS_SLICE_MS ? ms : PRINT_CUPS_SLICE_MS) * 1000);
		ms = print_cups_remaining (self);
		if (ms <= 0)
			break;
		err = 0;
	}
	if (err != 0 || print_cups_remaining (self) <= 0 || httpGetFd (http) < 0) {
		httpClose (http);
		if (print_cups_remaining (self) <= 0)
			print_cups_timed_out (self, PRINT_CUPS_CONNECTING, what, cause);
		else
			print_cups_cause (cause, "%s: cannot reach the CUPS server at %s (%s); is cupsd running there? "
			    "(the server comes from --server, printer.server, CUPS_SERVER or CUPS's client.conf)",
			    what, self->server, err ? strerror (err) : "no answer");
		return false;
	}
	self->http = http;
	return true;
}

/* An IPP response is read whole into memory, then parsed from there. */
#define PRINT_CUPS_RESPONSE_MAX (64L * 1024 * 1024)

struct print_cups_mem {
	const unsigned char *p;
	size_t left;
};

static ssize_t
print_cups_mem_read (void *arg, ipp_uchar_t *buf, size_t len)
{
	struct print_cups_mem *m = arg;
	size_t n = len < m->left ? len : m->left;
	memcpy (buf, m->p, n);
	m->p += n;
	m->left -= n;
	return (ssize_t) n;
}

/*
 * The body of the response whose status and fields httpUpdate has read,
 * into *body (caller frees) of *len bytes; false if it did not all come.
 * httpRead2 waits in slices that ask the deadline; ippRead on the
 * connection would not (it waits a slice once and calls a slow server's
 * pause the end).
 */
static bool
print_cups_body (http_t *http, unsigned char **body, size_t *len)
{
	size_t cap = 8192;
	unsigned char *buf = xmalloc (cap);
	*len = 0;
	ssize_t n;
	while ((n = httpRead2 (http, (char *) buf + *len, cap - *len)) > 0) {
		*len += (size_t) n;
		if (*len > PRINT_CUPS_RESPONSE_MAX)
			break;
		if (cap - *len < 4096)
			buf = xrealloc (buf, cap *= 2);
	}
	if (n < 0 || *len > PRINT_CUPS_RESPONSE_MAX || httpGetState (http) != HTTP_STATE_WAITING) {
		free (buf);
		return false;
	}
	*body = buf;
	return true;
}

/* Keep what authentication libcups set up on this connection, for the next ones. */
static void
print_cups_keep_auth (print_t *self)
{
	const char *auth = httpGetAuthString (self->http);
	util_strlcpy (self->auth, auth ? auth : "", sizeof self->auth);
}

/*
 * One IPP request and its response, with size bytes of document after it,
 * by hand rather than through cupsSendRequest and cupsGetResponse: those
 * wait a fixed second for "100 Continue", reconnect with a fixed 30 s
 * timeout, and read the response with waits that do not ask the deadline.
 * Here every wait is a slice that does. A 401 is answered once, through
 * cupsDoAuthentication (local peer credentials or certificate; never a
 * password prompt). Returns the response when CUPS answered with a success
 * status; else NULL and *cause (the generic message: callers replace it for
 * statuses they know, self->status). req stays the caller's.
 */
static ipp_t *
print_cups_exchange (print_t *self, ipp_t *req, const char *resource, const void *data, size_t size,
    const char *what, char **cause)
{
	ipp_t *resp = NULL;
	http_status_t hs = HTTP_STATUS_ERROR;
	enum print_cups_phase phase = PRINT_CUPS_CONNECTING;
	bool refused_auth = false;
	self->unsure = false;
	self->status = IPP_STATUS_ERROR_SERVICE_UNAVAILABLE;
	util_strlcpy (self->message, "no answer", sizeof self->message);
	for (int attempt = 0; attempt < 2 && resp == NULL; attempt++) {
		phase = PRINT_CUPS_CONNECTING;
		if (!print_cups_ready (self, what, cause))
			return NULL;
		http_t *http = self->http;
		phase = PRINT_CUPS_SENDING;
		httpClearFields (http);
		httpSetField (http, HTTP_FIELD_CONTENT_TYPE, "application/ipp");
		if (self->auth[0])
			httpSetField (http, HTTP_FIELD_AUTHORIZATION, self->auth);
		httpSetLength (http, ippLength (req) + size);
		bool sent = httpPost (http, resource) == 0;
		if (sent) {
			ippSetState (req, IPP_STATE_IDLE);
			ipp_state_t st;
			while ((st = ippWrite (http, req)) != IPP_STATE_DATA)
				if (st == IPP_STATE_ERROR) {
					sent = false;
					break;
				}
		}
		if (sent && size > 0 && httpWrite2 (http, data, size) < 0)
			sent = false;
		if (!sent)
			break;
		phase = PRINT_CUPS_WAITING;
		/* The status line and fields; "100 Continue" may come first. */
		for (int i = 0; i < 8; i++)
			if ((hs = httpUpdate (http)) != HTTP_STATUS_CONTINUE || print_cups_remaining (self) <= 0)
				break;
		if (hs != HTTP_STATUS_OK && hs != HTTP_STATUS_UNAUTHORIZED)
			break;
		unsigned char *body;
		size_t len;
		if (!print_cups_body (http, &body, &len)) {
			hs = HTTP_STATUS_ERROR;
			break;
		}
		if (hs == HTTP_STATUS_UNAUTHORIZED) {
			free (body);
			/* Once: local peer credentials or a certificate; the password callback says no. */
			if (attempt > 0 || cupsDoAuthentication (http, "POST", resource) != 0) {
				refused_auth = true;
				break;
			}
			print_cups_keep_auth (self);
			continue;
		}
		struct print_cups_mem mem = { body, len };
		resp = ippNew ();
		ipp_state_t st;
		while ((st = ippReadIO (&mem, print_cups_mem_read, 1, NULL, resp)) != IPP_STATE_DATA)
			if (st == IPP_STATE_ERROR)
				break;
		free (body);
		if (st != IPP_STATE_DATA) {
			ippDelete (resp);
			resp = NULL;
			hs = HTTP_STATUS_ERROR;
			util_strlcpy (self->message, "its answer is not IPP", sizeof self->message);
			break;
		}
	}
	if (resp == NULL) {
		int err = self->http ? httpError (self->http) : 0;
		print_cups_drop (self);
		/* Refused by the server, it made nothing; cut off once sending began, it may have. */
		self->unsure = phase != PRINT_CUPS_CONNECTING && !refused_auth && hs < HTTP_STATUS_BAD_REQUEST;
		if (refused_auth || hs == HTTP_STATUS_FORBIDDEN) {
			self->status = hs == HTTP_STATUS_FORBIDDEN ? IPP_STATUS_ERROR_FORBIDDEN : IPP_STATUS_ERROR_NOT_AUTHORIZED;
			print_cups_cause (cause, "%s: the CUPS server at %s does not allow this for user %s without a "
			    "password; run it as a user CUPS trusts for it (on the print server, over its local socket, "
			    "a member of its SystemGroup) or ask the print server's administrator", what,
			    self->server, cupsUser ());
		} else if (self->expired || print_cups_remaining (self) <= 0)
			print_cups_timed_out (self, phase, what, cause);
		else if (hs >= HTTP_STATUS_BAD_REQUEST) {
			print_cups_cause (cause, "%s: the CUPS server at %s refused the request (HTTP %d %s)", what,
			    self->server, (int) hs, httpStatus (hs));
		} else
			print_cups_cause (cause, "%s: lost the connection to the CUPS server at %s (%s); is cupsd "
			    "running? Try again", what, self->server, err ? strerror (err) : "connection closed");
		return NULL;
	}
	self->status = ippGetStatusCode (resp);
	ipp_attribute_t *msg = ippFindAttribute (resp, "status-message", IPP_TAG_TEXT);
	util_strlcpy (self->message, msg && ippGetString (msg, 0, NULL) ? ippGetString (msg, 0, NULL)
	    : ippErrorString (self->status), sizeof self->message);
	/* Keep the connection only if the server keeps it too. */
	const char *conn = httpGetField (self->http, HTTP_FIELD_CONNECTION);
	if (conn && strcasecmp (conn, "close") == 0)
		print_cups_drop (self);
	if (self->status <= IPP_STATUS_OK_EVENTS_COMPLETE)
		return resp;
	ippDelete (resp);
	print_cups_cause (cause, "%s: %s", what, self->message);
	return NULL;
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
	char service[16];
	snprintf (service, sizeof service, "%d", self->port);
	self->addrs = httpAddrGetList (self->host, AF_UNSPEC, service);
	if (self->addrs == NULL) {
		print_cups_cause (cause, "cannot find the CUPS server %s (no such host name or socket path); "
		    "check --server, printer.server or CUPS_SERVER", self->server);
		free (self);
		return NULL;
	}
	print_cups_begin (self);
	char *why = NULL;
	if (!print_cups_ready (self, "connecting", &why)) {
		print_cups_give (cause, why);
		httpAddrFreeList (self->addrs);
		free (self);
		return NULL;
	}
	return self;
}

void
print_destroy (print_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	print_t *self = *self_p;
	httpClose (self->http);
	httpAddrFreeList (self->addrs);
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
	self->timeout_ms = msec <= 0 ? PRINT_TIMEOUT_MS : msec > PRINT_TIMEOUT_MAX_MS ? PRINT_TIMEOUT_MAX_MS : msec;
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

/*
 * Send req (taken) to resource; the response (caller deletes), or NULL and
 * *cause. what names the action for the message.
 */
static ipp_t *
print_cups_do (print_t *self, ipp_t *req, const char *resource, const char *what, char **cause)
{
	ipp_t *resp = print_cups_exchange (self, req, resource, NULL, 0, what, cause);
	ippDelete (req);
	return resp;
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

static const char *
print_cups_string (ipp_attribute_t *a)
{
	const char *s = ippGetString (a, 0, NULL);
	return s ? s : "";
}

/* Fill q from the attributes between *attr and the next group separator; advances *attr. */
static void
print_cups_read_queue (ipp_attribute_t **attrp, ipp_t *resp, print_queue_t *q)
{
	memset (q, 0, sizeof *q);
	q->format = -1;
	util_strlcpy (q->reasons, "none", sizeof q->reasons);
	ipp_attribute_t *a = *attrp;
	for (; a && ippGetName (a); a = ippNextAttribute (resp)) {
		const char *name = ippGetName (a);
		if (strcmp (name, "printer-name") == 0)
			util_strlcpy (q->name, print_cups_string (a), sizeof q->name);
		else if (strcmp (name, "printer-state") == 0)
			q->state = (enum print_queue_state) ippGetInteger (a, 0);
		else if (strcmp (name, "printer-state-reasons") == 0)
			print_cups_join (a, q->reasons, sizeof q->reasons);
		else if (strcmp (name, "printer-state-message") == 0)
			util_strlcpy (q->message, print_cups_string (a), sizeof q->message);
		else if (strcmp (name, "printer-is-accepting-jobs") == 0)
			q->accepting = ippGetBoolean (a, 0);
		else if (strcmp (name, "device-uri") == 0)
			util_strlcpy (q->device, print_cups_string (a), sizeof q->device);
		else if (strcmp (name, "printer-info") == 0)
			util_strlcpy (q->info, print_cups_string (a), sizeof q->info);
		else if (strcmp (name, "queued-job-count") == 0)
			q->queued = ippGetInteger (a, 0);
		else if (strcmp (name, PRINT_CUPS_FORMAT_ATTR) == 0)
			q->format = print_format_parse (print_cups_string (a));
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
	print_cups_begin (self);
	ipp_t *req = print_cups_new_request (IPP_OP_CUPS_GET_PRINTERS);
	ippAddStrings (req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
	    (int) nitems (print_cups_queue_attrs), NULL, print_cups_queue_attrs);
	char *why = NULL;
	ipp_t *resp = print_cups_do (self, req, "/", "listing printers", &why);
	if (resp == NULL) {
		/* CUPS answers "not found" when there are no queues at all. */
		if (self->status == IPP_STATUS_ERROR_NOT_FOUND) {
			free (why);
			return 0;
		}
		print_cups_give (cause, why);
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

/* print_queue inside a call already begun. */
static int
print_cups_queue (print_t *self, const char *name, print_queue_t *out, char **cause)
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
		if (self->status == IPP_STATUS_ERROR_NOT_FOUND) {
			free (why);
			print_cups_cause (cause, "no printer queue '%s' on the CUPS server at %s; "
			    "check the name (despatch-print list shows the queues)", name, self->server);
		} else
			print_cups_give (cause, why);
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
print_queue (print_t *self, const char *name, print_queue_t *out, char **cause)
{
	print_cups_begin (self);
	return print_cups_queue (self, name, out, cause);
}

int
print_set_format (print_t *self, const char *queue, enum print_format format, char **cause)
{
	if ((unsigned) format >= nitems (print_cups_formats)) {
		print_cups_cause (cause, "unknown print format %d", (int) format);
		return -1;
	}
	print_cups_begin (self);
	print_queue_t q;
	if (print_cups_queue (self, queue, &q, cause) != 0)
		return -1;
	char uri[HTTP_MAX_URI];
	print_cups_printer_uri (uri, sizeof uri, queue);
	ipp_t *req = print_cups_new_request (IPP_OP_CUPS_ADD_MODIFY_PRINTER);
	ippAddString (req, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, uri);
	ippAddString (req, IPP_TAG_PRINTER, IPP_TAG_NAME, PRINT_CUPS_FORMAT_ATTR, NULL, print_cups_formats[format].name);
	ipp_t *resp = print_cups_do (self, req, "/admin/", "marking the printer's format", cause);
	if (resp == NULL)
		return -1;
	ippDelete (resp);
	return 0;
}

int
print_submit (print_t *self, const char *queue, enum print_format format,
    const char *title, const void *data, size_t size, char **cause)
{
	if ((unsigned) format >= nitems (print_cups_formats)) {
		print_cups_cause (cause, "unknown print format %d", (int) format);
		return PRINT_SUBMIT_FAILED;
	}
	if (!print_cups_valid_queue (queue)) {
		print_cups_cause (cause, "'%s' is not a printer queue name", queue ? queue : "");
		return PRINT_SUBMIT_FAILED;
	}
	/* The document first, without CUPS: a damaged one is refused even when the server is down. */
	if (print_check (NULL, format, data, size, cause) != 0)
		return PRINT_SUBMIT_FAILED;
	print_cups_begin (self);
	print_queue_t q;
	char *why = NULL;
	if (print_cups_queue (self, queue, &q, &why) != 0) {
		/* Asked before the job goes: no answer here means nothing was sent. */
		if (self->status == IPP_STATUS_ERROR_SERVICE_UNAVAILABLE) {
			print_cups_cause (cause, "%s (the job for '%s' was not sent)", why, queue);
			free (why);
		} else
			print_cups_give (cause, why);
		return PRINT_SUBMIT_FAILED;
	}
	if (print_check (&q, format, data, size, cause) != 0)
		return PRINT_SUBMIT_FAILED;
	/* IPP names are at most 255 octets: cut a longer title at a character boundary. */
	char name[256];
	text_strlcpy (name, title && *title ? title : "despatch", sizeof name);
	char uri[HTTP_MAX_URI], resource[PRINT_NAME_MAX + 16];
	print_cups_printer_uri (uri, sizeof uri, queue);
	snprintf (resource, sizeof resource, "/printers/%s", queue);
	ipp_t *req = print_cups_new_request (IPP_OP_PRINT_JOB);
	ippAddString (req, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, uri);
	ippAddString (req, IPP_TAG_OPERATION, IPP_TAG_NAME, "job-name", NULL, name);
	ippAddString (req, IPP_TAG_OPERATION, IPP_TAG_MIMETYPE, "document-format", NULL,
	    print_cups_formats[format].mime);
	ipp_t *resp = print_cups_exchange (self, req, resource, data, size, "sending the job", &why);
	ippDelete (req);
	if (resp == NULL) {
		if (self->status == IPP_STATUS_ERROR_NOT_FOUND)
			print_cups_cause (cause, "no printer queue '%s' on the CUPS server at %s; "
			    "check the name (despatch-print list shows the queues)", queue, self->server);
		else if (self->status == IPP_STATUS_ERROR_NOT_ACCEPTING_JOBS)
			print_cups_cause (cause, "printer queue '%s' is not accepting jobs; "
			    "a supervisor can resume it (despatch-print resume %s) or send to another printer", queue, queue);
		else if (self->status == IPP_STATUS_ERROR_DOCUMENT_FORMAT_NOT_SUPPORTED)
			print_cups_cause (cause, "printer queue '%s' does not take %s documents; "
			    "check which printer this station's configuration names", queue, print_cups_formats[format].name);
		else if (self->unsure) {
			print_cups_cause (cause, "%s (the job for '%s' may or may not have reached CUPS: find it "
			    "before sending it again)", why, queue);
			free (why);
			return PRINT_SUBMIT_UNSURE;
		} else if (self->status == IPP_STATUS_ERROR_SERVICE_UNAVAILABLE || self->status == IPP_STATUS_ERROR_NOT_AUTHORIZED
		    || self->status == IPP_STATUS_ERROR_FORBIDDEN) {
			print_cups_cause (cause, "%s (the job for '%s' was not sent)", why, queue);
			free (why);
			return PRINT_SUBMIT_FAILED;
		} else
			print_cups_cause (cause, "cannot send the job to '%s' on the CUPS server at %s: %s",
			    queue, self->server, self->message);
		free (why);
		return PRINT_SUBMIT_FAILED;
	}
	ipp_attribute_t *a = ippFindAttribute (resp, "job-id", IPP_TAG_INTEGER);
	int id = a ? ippGetInteger (a, 0) : -1;
	ippDelete (resp);
	if (id <= 0) {
		print_cups_cause (cause, "the CUPS server at %s took the job for '%s' but gave no job id: find it "
		    "before sending it again", self->server, queue);
		return PRINT_SUBMIT_UNSURE;
	}
	return id;
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

/* Get-Job-Attributes inside a call already begun; printer not filled. */
static int
print_cups_job (print_t *self, int job, print_job_t *out, char **cause)
{
	char uri[HTTP_MAX_URI];
	print_cups_job_uri (uri, sizeof uri, job);
	ipp_t *req = print_cups_new_request (IPP_OP_GET_JOB_ATTRIBUTES);
	ippAddString (req, IPP_TAG_OPERATION, IPP_TAG_URI, "job-uri", NULL, uri);
	ippAddStrings (req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
	    (int) nitems (print_cups_job_attrs), NULL, print_cups_job_attrs);
	char *why = NULL;
	ipp_t *resp = print_cups_do (self, req, "/jobs/", "asking for job state", &why);
	if (resp == NULL) {
		if (self->status == IPP_STATUS_ERROR_NOT_FOUND) {
			free (why);
			print_cups_cause (cause, "no job %d on the CUPS server at %s (never submitted, "
			    "or so old that CUPS forgot it)", job, self->server);
		} else
			print_cups_give (cause, why);
		return -1;
	}
	ipp_attribute_t *a = ippFirstAttribute (resp);
	while (a && ippGetGroupTag (a) != IPP_TAG_JOB)
		a = ippNextAttribute (resp);
	print_cups_read_job (&a, resp, out);
	ippDelete (resp);
	if (out->id == 0)
		out->id = job;
	return 0;
}

int
print_poll (print_t *self, int job, print_job_t *out, char **cause)
{
	if (job <= 0) {
		print_cups_cause (cause, "%d is not a job id", job);
		return -1;
	}
	print_cups_begin (self);
	if (print_cups_job (self, job, out, cause) != 0)
		return self->status == IPP_STATUS_ERROR_NOT_FOUND ? PRINT_POLL_GONE : -1;
	if (out->queue[0] && print_cups_queue (self, out->queue, &out->printer, NULL) != 0)
		util_strlcpy (out->printer.name, out->queue, sizeof out->printer.name);
	return 0;
}

/* Get-Jobs for queue (NULL: all) with the given attributes; the response, or NULL and *cause. */
static ipp_t *
print_cups_get_jobs (print_t *self, const char *queue, const char *which, const char *const *attrs,
    size_t nattrs, char **cause)
{
	char uri[HTTP_MAX_URI];
	if (queue) {
		if (!print_cups_valid_queue (queue)) {
			print_cups_cause (cause, "'%s' is not a printer queue name", queue);
			return NULL;
		}
		print_cups_printer_uri (uri, sizeof uri, queue);
	} else
		util_strlcpy (uri, "ipp://localhost/", sizeof uri);
	ipp_t *req = print_cups_new_request (IPP_OP_GET_JOBS);
	ippAddString (req, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, uri);
	ippAddString (req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "which-jobs", NULL, which);
	ippAddStrings (req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", (int) nattrs, NULL, attrs);
	char *why = NULL;
	ipp_t *resp = print_cups_do (self, req, "/", "listing jobs", &why);
	if (resp == NULL) {
		if (self->status == IPP_STATUS_ERROR_NOT_FOUND && queue) {
			free (why);
			print_cups_cause (cause, "no printer queue '%s' on the CUPS server at %s; "
			    "check the name (despatch-print list shows the queues)", queue, self->server);
		} else if (self->status == IPP_STATUS_ERROR_NOT_FOUND) {
			free (why);
			return ippNew (); /* no jobs at all */
		} else
			print_cups_give (cause, why);
		return NULL;
	}
	return resp;
}

/* Every job record in a Get-Jobs response; *jobs (free()) has *count entries. */
static void
print_cups_read_jobs (ipp_t *resp, print_job_t **jobs, size_t *count)
{
	size_t cap = 0;
	*jobs = NULL;
	*count = 0;
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
}

static int
print_cups_by_id_desc (const void *a, const void *b)
{
	int x = ((const print_job_t *) a)->id, y = ((const print_job_t *) b)->id;
	return x < y ? 1 : x > y ? -1 : 0;
}

int
print_jobs (print_t *self, const char *queue, bool all, print_job_t **jobs, size_t *count, char **cause)
{
	*jobs = NULL;
	*count = 0;
	print_cups_begin (self);
	ipp_t *resp = print_cups_get_jobs (self, queue, all ? "all" : "not-completed", print_cups_job_attrs,
	    nitems (print_cups_job_attrs), cause);
	if (resp == NULL)
		return -1;
	print_cups_read_jobs (resp, jobs, count);
	ippDelete (resp);
	if (*count > 1)
		qsort (*jobs, *count, sizeof **jobs, print_cups_by_id_desc);
	return 0;
}

/* A word CUPS keeps in a job-name: 1 to PRINT_IDENT_MAX - 1 printable ASCII bytes, no space. */
static bool
print_cups_valid_ident (const char *ident)
{
	size_t n = ident ? strlen (ident) : 0;
	if (n == 0 || n >= PRINT_IDENT_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char) ident[i] <= ' ' || (unsigned char) ident[i] >= 0x7f)
			return false;
	return true;
}

int
print_job_ident (char out[PRINT_IDENT_MAX], const char *instance, int64_t job, char **cause)
{
	size_t n = instance ? strlen (instance) : 0;
	bool good = n >= 1 && n <= 32;
	for (size_t i = 0; good && i < n; i++)
		good = (instance[i] >= 'a' && instance[i] <= 'z') || (instance[i] >= 'A' && instance[i] <= 'Z')
		    || (instance[i] >= '0' && instance[i] <= '9') || instance[i] == '_' || instance[i] == '-';
	if (!good) {
		print_cups_cause (cause, "'%s' is not an instance name for print jobs: 1 to 32 letters, digits, "
		    "'_' or '-'", instance ? instance : "");
		return -1;
	}
	if (job <= 0) {
		print_cups_cause (cause, "%lld is not a job number for a print job's identity (> 0)", (long long) job);
		return -1;
	}
	snprintf (out, PRINT_IDENT_MAX, "dsp:%s:%lld", instance, (long long) job);
	return 0;
}

/* Does a job-name carry ident (as its whole, or its first word)? */
static bool
print_cups_name_is (const char *name, const char *ident)
{
	size_t n = strlen (ident);
	return strncmp (name, ident, n) == 0 && (name[n] == '\0' || name[n] == ' ');
}

int
print_find (print_t *self, const char *ident, int64_t since, print_job_t *out, char **cause)
{
	if (!print_cups_valid_ident (ident)) {
		print_cups_cause (cause, "'%s' is not a print job identity (print_job_ident makes one)", ident ? ident : "");
		return PRINT_FIND_FAILED;
	}
	print_cups_begin (self);
	ipp_t *resp = print_cups_get_jobs (self, NULL, "all", print_cups_find_attrs, nitems (print_cups_find_attrs), cause);
	if (resp == NULL)
		return PRINT_FIND_FAILED;
	print_job_t *list;
	size_t count;
	print_cups_read_jobs (resp, &list, &count);
	ippDelete (resp);
	if (count > 1)
		qsort (list, count, sizeof *list, print_cups_by_id_desc);

	/*
	 * Newest first. A job CUPS still lists with its name (an unfinished
	 * one) is compared as it is; a finished one needs Get-Job-Attributes
	 * for its name and its creation time. A job whose name CUPS hides
	 * belongs to another user (CUPS shows its owner the name).
	 */
	int rc = PRINT_FIND_FORGOTTEN, gap_at = 0, read = 0;
	bool complete = false;
	for (size_t i = 0; i < count; i++) {
		print_job_t j = list[i];
		if (print_cups_remaining (self) <= 0) {
			print_cups_cause (cause, "looking for %s: %zu of the %zu jobs CUPS holds read in %.1f s without "
			    "reaching one from before then; give it a longer timeout, or a later since", ident, i, count,
			    self->timeout_ms / 1000.0);
			free (list);
			return PRINT_FIND_FAILED;
		}
		if (i > 0 && list[i - 1].id - j.id > 1 && gap_at == 0)
			gap_at = list[i - 1].id - 1;
		if (j.title[0] == '\0' || j.created == 0) {
			if (++read > PRINT_CUPS_FIND_MAX) {
				print_cups_cause (cause, "looking for %s: CUPS holds more jobs than %d since then; "
				    "look again with an earlier job's time", ident, PRINT_CUPS_FIND_MAX);
				free (list);
				return PRINT_FIND_FAILED;
			}
			char *why = NULL;
			if (print_cups_job (self, j.id, &j, &why) != 0) {
				if (self->status == IPP_STATUS_ERROR_NOT_FOUND) {
					/* Purged while we looked: a hole like any other. */
					free (why);
					if (gap_at == 0)
						gap_at = j.id;
					continue;
				}
				print_cups_cause (cause, "looking for %s (%zu of %zu jobs read): %s", ident, i, count, why);
				free (why);
				free (list);
				return PRINT_FIND_FAILED;
			}
		}
		if (print_cups_name_is (j.title, ident)) {
			/* Named in the list (unfinished): read the whole record. It was sent, even if it is gone now. */
			char *why = NULL;
			print_job_t whole;
			if (j.state == PRINT_JOB_UNKNOWN && print_cups_job (self, j.id, &whole, &why) == 0)
				j = whole;
			else if (why && self->status != IPP_STATUS_ERROR_NOT_FOUND) {
				print_cups_cause (cause, "looking for %s, found as job %d: %s", ident, j.id, why);
				free (why);
				free (list);
				return PRINT_FIND_FAILED;
			}
			free (why);
			if (out)
				*out = j;
			rc = PRINT_FIND_FOUND;
			break;
		}
		if ((j.created > 0 && j.created < since) || j.id == 1) {
			complete = true;
			break;
		}
	}
	free (list);
	if (rc == PRINT_FIND_FOUND)
		return rc;
	if (complete && gap_at == 0)
		return PRINT_FIND_ABSENT;
	if (gap_at)
		print_cups_cause (cause, "%s is not among the jobs CUPS remembers, but CUPS has forgotten job %d "
		    "(MaxJobs, PreserveJobHistory, or a purge): it may have printed; check the printer's output "
		    "before printing it again", ident, gap_at);
	else
		print_cups_cause (cause, "%s is not among the jobs CUPS remembers, but CUPS remembers no job from "
		    "before then (its history is shorter: MaxJobs, PreserveJobHistory, or a new spool): it may "
		    "have printed; check the printer's output before printing it again", ident);
	return PRINT_FIND_FORGOTTEN;
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
	if (self->status == IPP_STATUS_ERROR_NOT_FOUND) {
		print_cups_cause (cause, "%s: no job %d on the CUPS server at %s", what, job, self->server);
	} else if (self->status == IPP_STATUS_ERROR_NOT_POSSIBLE) {
		char message[PRINT_TEXT_MAX];
		util_strlcpy (message, self->message, sizeof message);
		print_job_t j;
		if (print_cups_job (self, job, &j, NULL) == 0 && print_job_state_final (j.state))
			print_cups_cause (cause, "%s: job %d has already finished (%s)", what, job,
			    print_job_state_name (j.state));
		else
			print_cups_cause (cause, "%s: not possible for job %d now: %s", what, job, message);
	} else {
		print_cups_give (cause, why);
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
	print_cups_begin (self);
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
	print_cups_begin (self);
	print_queue_t q;
	if (print_cups_queue (self, queue, &q, cause) != 0)
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
	print_cups_begin (self);
	print_queue_t q;
	if (print_cups_queue (self, queue, &q, cause) != 0)
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

const char *
print_found_name (enum print_found found)
{
	for (size_t i = 0; i < nitems (print_cups_found_names); i++)
		if (print_cups_found_names[i].found == found)
			return print_cups_found_names[i].name;
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
