/*
 * test-print-stall.c: a print server that stops answering. The private
 * cupsd is stopped with SIGSTOP while two threads, each with its own print_t
 * and its own timeout (one on the local socket, one over loopback TCP),
 * call every print.h operation: each call fails within its own timeout with
 * a cause saying so, none hangs. A stopped cupsd whose listen queues are
 * full (as an overloaded one's are) does not let a connection hang either,
 * and a big document stuck half-written gives up too. After SIGCONT the same print_t
 * works again, and every submit that timed out is settled by print_find:
 * the fake printers hold exactly the jobs CUPS says it has.
 *
 * cupsd is always continued and stopped at exit, also on a failed check or
 * the watchdog alarm. Elapsed times are checked only as bounds (no faster
 * than the timeout, not more than a second over it); the figures are in
 * make bench.
 */
#include "config.h"
#include "printers/print.h"
#include "tests/tap.h"
#include "tests/printers/print-test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define TEST_PRINT_STALL_SLACK_MS 1000
#define TEST_PRINT_STALL_HOLD 200        /* idle connections: more than cupsd's listen queue (128 in CUPS 2.4) */
#define TEST_PRINT_STALL_BIG (40L << 20) /* a PDF too big to vanish into socket buffers */

static int test_print_stall_cupsd = -1;
static int64_t test_print_stall_since;
static int test_print_stall_done_job;

/* One call of the table against a print_t; false if it failed (as it must while cupsd is stopped). */
struct test_print_stall_call {
	const char *name;
	bool (*fn) (print_t *, const char *ident, char **cause);
};

static bool
test_print_stall_queue (print_t *p, const char *ident, char **cause)
{
	(void) ident;
	print_queue_t q;
	return print_queue (p, "label", &q, cause) == 0;
}

static bool
test_print_stall_queues (print_t *p, const char *ident, char **cause)
{
	(void) ident;
	print_queue_t *qs = NULL;
	size_t n = 0;
	bool done = print_queues (p, &qs, &n, cause) == 0;
	free (qs);
	return done;
}

static bool
test_print_stall_submit (print_t *p, const char *ident, char **cause)
{
	char title[PRINT_TEXT_MAX];
	snprintf (title, sizeof title, "%s label", ident);
	static const char zpl[] = "^XA^FO40,40^A0N,30,30^FDstalled^FS^XZ\n";
	return print_submit (p, "label", PRINT_FORMAT_ZPL, title, zpl, sizeof zpl - 1, cause) > 0;
}

static bool
test_print_stall_poll (print_t *p, const char *ident, char **cause)
{
	(void) ident;
	print_job_t j;
	return print_poll (p, test_print_stall_done_job, &j, cause) == 0;
}

static bool
test_print_stall_jobs (print_t *p, const char *ident, char **cause)
{
	(void) ident;
	print_job_t *js = NULL;
	size_t n = 0;
	bool done = print_jobs (p, NULL, true, &js, &n, cause) == 0;
	free (js);
	return done;
}

static bool
test_print_stall_find (print_t *p, const char *ident, char **cause)
{
	print_job_t j;
	return print_find (p, ident, test_print_stall_since, &j, cause) != PRINT_FIND_FAILED;
}

static bool
test_print_stall_cancel (print_t *p, const char *ident, char **cause)
{
	(void) ident;
	return print_cancel (p, test_print_stall_done_job, cause) == 0;
}

static bool
test_print_stall_move (print_t *p, const char *ident, char **cause)
{
	(void) ident;
	return print_move (p, test_print_stall_done_job, "fallback", cause) == 0;
}

static bool
test_print_stall_resume (print_t *p, const char *ident, char **cause)
{
	(void) ident;
	return print_resume (p, "label", cause) == 0;
}

static bool
test_print_stall_format (print_t *p, const char *ident, char **cause)
{
	(void) ident;
	return print_set_format (p, "label", PRINT_FORMAT_ZPL, cause) == 0;
}

static const struct test_print_stall_call test_print_stall_calls[] = {
	{ "print_queue", test_print_stall_queue },
	{ "print_queues", test_print_stall_queues },
	{ "print_submit", test_print_stall_submit },
	{ "print_poll", test_print_stall_poll },
	{ "print_jobs", test_print_stall_jobs },
	{ "print_find", test_print_stall_find },
	{ "print_cancel", test_print_stall_cancel },
	{ "print_move", test_print_stall_move },
	{ "print_resume", test_print_stall_resume },
	{ "print_set_format", test_print_stall_format },
};

#define TEST_PRINT_STALL_NCALLS (sizeof test_print_stall_calls / sizeof test_print_stall_calls[0])

/* What one thread saw: per call, whether it failed, how long it took, the cause. */
struct test_print_stall_run {
	print_t *p;
	const char *instance;
	int timeout_ms;
	bool failed[TEST_PRINT_STALL_NCALLS];
	int64_t ms[TEST_PRINT_STALL_NCALLS];
	char *cause[TEST_PRINT_STALL_NCALLS];
	char ident[TEST_PRINT_STALL_NCALLS][PRINT_IDENT_MAX];
};

static void *
test_print_stall_thread (void *arg)
{
	struct test_print_stall_run *r = arg;
	print_set_timeout (r->p, r->timeout_ms);
	for (size_t i = 0; i < TEST_PRINT_STALL_NCALLS; i++) {
		print_job_ident (r->ident[i], r->instance, (int64_t) (i + 1), NULL);
		int64_t t0 = util_mono_ms ();
		r->failed[i] = !test_print_stall_calls[i].fn (r->p, r->ident[i], &r->cause[i]);
		r->ms[i] = util_mono_ms () - t0;
	}
	return NULL;
}

/* Report a thread's calls: each failed, with its own timeout in the cause, within the bounds. */
static void
test_print_stall_report (struct test_print_stall_run *r, const char *how)
{
	char want[32];
	snprintf (want, sizeof want, "within %.1f s", r->timeout_ms / 1000.0);
	for (size_t i = 0; i < TEST_PRINT_STALL_NCALLS; i++) {
		const char *c = r->cause[i] ? r->cause[i] : "(no message)";
		ok (r->failed[i] && strstr (c, want) && r->ms[i] >= r->timeout_ms - 5
		    && r->ms[i] <= r->timeout_ms + TEST_PRINT_STALL_SLACK_MS,
		    "%s, %s, timeout %d ms: gave up after %lld ms: %s", how, test_print_stall_calls[i].name,
		    r->timeout_ms, (long long) r->ms[i], c);
	}
}

static void
test_print_stall_signal (int sig)
{
	if (test_print_stall_cupsd > 0)
		kill (test_print_stall_cupsd, sig);
}

/*
 * Open up to n connections that send nothing, over TCP (tcp) or the local
 * socket, to fill cupsd's listen queue; their fds in fds, how many in the
 * result. On the local socket the first one refused ends it (the queue is full).
 */
static int
test_print_stall_hold (bool tcp, int *fds, int n)
{
	struct sockaddr_storage ss;
	socklen_t len;
	memset (&ss, 0, sizeof ss);
	if (tcp) {
		struct sockaddr_in *sin = (struct sockaddr_in *) &ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons ((unsigned short) atoi (strrchr (print_test_self.host, ':') + 1));
		inet_pton (AF_INET, "127.0.0.1", &sin->sin_addr);
		len = sizeof *sin;
	} else {
		struct sockaddr_un *sun = (struct sockaddr_un *) &ss;
		sun->sun_family = AF_UNIX;
		if (strlen (print_test_self.socket) >= sizeof sun->sun_path)
			return 0;
		memcpy (sun->sun_path, print_test_self.socket, strlen (print_test_self.socket) + 1);
		len = sizeof *sun;
	}
	int opened = 0;
	for (int i = 0; i < n; i++) {
		fds[opened] = socket (tcp ? AF_INET : AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fds[opened] < 0)
			break;
		if (connect (fds[opened], (struct sockaddr *) &ss, len) != 0 && errno != EINPROGRESS) {
			close (fds[opened]);
			break;
		}
		opened++;
	}
	return opened;
}

/* A call on p, from a fresh connection, must give up connecting within timeout_ms. */
static void
test_print_stall_connect (print_t *p, int timeout_ms, const char *how)
{
	char *cause = NULL, want[64];
	print_queue_t q;
	snprintf (want, sizeof want, "did not take a connection within %.1f s", timeout_ms / 1000.0);
	print_set_timeout (p, timeout_ms);
	int64_t t0 = util_mono_ms ();
	int rc = print_queue (p, "label", &q, &cause);
	int64_t ms = util_mono_ms () - t0;
	ok (rc != 0 && cause && strstr (cause, want) && ms >= timeout_ms - 5 && ms <= timeout_ms + TEST_PRINT_STALL_SLACK_MS,
	    "%s: connecting gives up after %lld ms: %s", how, (long long) ms, cause ? cause : "(no message)");
	free (cause);
}

/* A whole PDF of about size bytes (one stream of filler). */
static char *
test_print_stall_pdf (long size, size_t *len)
{
	char *pdf = xmalloc ((size_t) size + 1024);
	int h = sprintf (pdf, "%%PDF-1.4\n1 0 obj<</Length %ld>>stream\n", size);
	memset (pdf + h, 'x', (size_t) size);
	size_t n = (size_t) h + (size_t) size;
	n += (size_t) sprintf (pdf + n, "\nendstream endobj\n");
	size_t xref = n;
	n += (size_t) sprintf (pdf + n, "xref\n0 2\n0000000000 65535 f \n0000000009 00000 n \n"
	                                "trailer<</Size 2>>\nstartxref\n%zu\n%%%%EOF\n", xref);
	*len = n;
	return pdf;
}

struct test_print_stall_big {
	print_t *p;
	const char *data;
	size_t len;
	char ident[PRINT_IDENT_MAX];
	int job;
	int64_t ms;
	char *cause;
};

static void *
test_print_stall_big_thread (void *arg)
{
	struct test_print_stall_big *b = arg;
	char title[PRINT_TEXT_MAX];
	snprintf (title, sizeof title, "%s customs", b->ident);
	int64_t t0 = util_mono_ms ();
	b->job = print_submit (b->p, "docs", PRINT_FORMAT_PDF, title, b->data, b->len, &b->cause);
	b->ms = util_mono_ms () - t0;
	return NULL;
}

int
main (void)
{
	test_print_stall_since = (int64_t) time (NULL) - 2;
	if (!print_test_start ()) {
		printf ("1..0 # SKIP cannot start a private cupsd (is cups-daemon installed?)\n");
		return 0;
	}
	/* Whatever happens, cupsd is continued and stopped (print_test_stop, cups-private stop). */
	signal (SIGALRM, print_test_on_signal);
	alarm (300);
	test_print_stall_cupsd = print_test_cupsd_pid ();
	ok (test_print_stall_cupsd > 0, "cupsd runs as pid %d", test_print_stall_cupsd);

	char *cause = NULL;
	print_t *sock = print_new (print_test_self.socket, &cause);
	print_t *tcp = print_new (print_test_self.host, &cause);
	if (!ok (sock && tcp, "two connections, socket and TCP%s%s", cause ? ": " : "", cause ? cause : ""))
		return tap_done ();
	int before = print_test_count ("label");
	test_print_stall_done_job = print_submit (sock, "label", PRINT_FORMAT_ZPL, "dsp:stall-live:1 label",
	    "^XA^FDlive^FS^XZ\n", 17, NULL);
	ok (test_print_stall_done_job > 0 && print_test_wait_count ("label", before + 1), "a label prints while cupsd runs");
	print_queue_t q;
	ok (print_queue (tcp, "label", &q, NULL) == 0, "TCP connection answers too");

	/* Stopped: every call from both threads gives up at its own print_t's deadline. */
	test_print_stall_signal (SIGSTOP);
	struct test_print_stall_run a = { .p = sock, .instance = "stall-sock", .timeout_ms = 1000 };
	struct test_print_stall_run b = { .p = tcp, .instance = "stall-tcp", .timeout_ms = 1500 };
	pthread_t ta, tb;
	bool threads = pthread_create (&ta, NULL, test_print_stall_thread, &a) == 0;
	threads = threads && pthread_create (&tb, NULL, test_print_stall_thread, &b) == 0;
	if (!ok (threads, "two threads call every operation at once")) {
		test_print_stall_signal (SIGCONT);
		return tap_done ();
	}
	pthread_join (ta, NULL);
	pthread_join (tb, NULL);
	test_print_stall_report (&a, "socket thread");
	test_print_stall_report (&b, "TCP thread");

	/* Full listen queues: the connection itself must give up, on either kind of socket. */
	static int held_tcp[TEST_PRINT_STALL_HOLD], held_sock[TEST_PRINT_STALL_HOLD];
	int ntcp = test_print_stall_hold (true, held_tcp, TEST_PRINT_STALL_HOLD);
	int nsock = test_print_stall_hold (false, held_sock, TEST_PRINT_STALL_HOLD);
	ok (ntcp == TEST_PRINT_STALL_HOLD && nsock > 0 && nsock < TEST_PRINT_STALL_HOLD,
	    "idle connections fill the stopped cupsd's listen queues (%d over TCP, %d on its socket until it refused)",
	    ntcp, nsock);
	test_print_stall_connect (tcp, 1200, "TCP");
	test_print_stall_connect (sock, 800, "local socket");
	int rc = print_submit (tcp, "label", PRINT_FORMAT_ZPL, "dsp:stall-nc:1 label", "^XA^XZ\n", 7, &cause);
	ok (rc == PRINT_SUBMIT_FAILED && cause && strstr (cause, "was not sent"),
	    "a submit that could not connect says nothing was sent (%d): %s", rc, cause ? cause : "");
	free (cause);
	cause = NULL;
	test_print_stall_signal (SIGCONT);
	for (int i = 0; i < ntcp; i++)
		close (held_tcp[i]);
	for (int i = 0; i < nsock; i++)
		close (held_sock[i]);

	/* Back: the same print_t's work again. */
	ok (print_queue (sock, "label", &q, &cause) == 0 && q.health == PRINT_OK, "after SIGCONT the socket print_t "
	    "works again%s%s", cause ? ": " : "", cause ? cause : "");
	free (cause);
	cause = NULL;
	ok (print_queue (tcp, "label", &q, &cause) == 0, "and the TCP one%s%s", cause ? ": " : "", cause ? cause : "");
	free (cause);
	cause = NULL;

	/* A big document stuck half-written: stopped while its body is on its way. */
	size_t big_len;
	char *big = test_print_stall_pdf (TEST_PRINT_STALL_BIG, &big_len);
	int docs_before = print_test_count ("docs");
	struct test_print_stall_big bg = { .p = sock, .data = big, .len = big_len };
	print_set_timeout (sock, 1500);
	bool write_seen = false;
	for (int attempt = 0; attempt < 5 && !write_seen; attempt++) {
		pthread_t t;
		free (bg.cause);
		bg.cause = NULL;
		print_job_ident (bg.ident, "stall-big", attempt + 1, NULL);
		if (pthread_create (&t, NULL, test_print_stall_big_thread, &bg) != 0)
			break;
		usleep ((useconds_t) (2000 + attempt * 3000));
		test_print_stall_signal (SIGSTOP);
		pthread_join (t, NULL);
		test_print_stall_signal (SIGCONT);
		write_seen = bg.job < 0 && bg.cause && strstr (bg.cause, "did not take the request within 1.5 s");
		diag ("attempt %d: %s after %lld ms: %s", attempt + 1, bg.job > 0 ? "sent" : "failed", (long long) bg.ms,
		    bg.cause ? bg.cause : "");
		if (bg.job > 0) {
			/* It got through before the stop: let it print, try again. */
			print_job_t j;
			for (int i = 0; i < PRINT_TEST_WAIT_STEPS; i++) {
				if (print_poll (sock, bg.job, &j, NULL) == 0 && print_job_state_final (j.state))
					break;
				usleep (50 * 1000);
			}
			docs_before = print_test_count ("docs");
		}
	}
	ok (write_seen && bg.job == PRINT_SUBMIT_UNSURE && bg.ms >= 1495 && bg.ms <= 1500 + TEST_PRINT_STALL_SLACK_MS,
	    "writing a %ld MB PDF to a stopped cupsd gives up after %lld ms: %s", TEST_PRINT_STALL_BIG >> 20,
	    (long long) bg.ms, bg.cause ? bg.cause : "");
	free (bg.cause);
	free (big);

	/* Every identity a stopped cupsd was sent is settled: found or absent, never unknown. */
	int found = 0, absent = 0, other = 0;
	struct test_print_stall_run *runs[] = { &a, &b };
	for (size_t r = 0; r < 2; r++)
		for (size_t i = 0; i < TEST_PRINT_STALL_NCALLS; i++) {
			if (test_print_stall_calls[i].fn != test_print_stall_submit)
				continue;
			print_job_t j;
			rc = print_find (sock, runs[r]->ident[i], test_print_stall_since, &j, &cause);
			diag ("%s: %s%s%s", runs[r]->ident[i], print_found_name ((enum print_found) rc), cause ? ": " : "",
			    cause ? cause : "");
			free (cause);
			cause = NULL;
			found += rc == PRINT_FIND_FOUND;
			absent += rc == PRINT_FIND_ABSENT;
			other += rc != PRINT_FIND_FOUND && rc != PRINT_FIND_ABSENT;
		}
	rc = print_find (sock, bg.ident, test_print_stall_since, NULL, &cause);
	ok (rc == PRINT_FIND_ABSENT, "the half-written PDF never became a job (%s)", print_found_name ((enum print_found) rc));
	free (cause);
	cause = NULL;
	ok (other == 0 && found + absent == 2, "each timed-out submit is found or absent (%d found, %d absent)", found, absent);

	/* The fake printers hold exactly what CUPS has: the live label, any found one, and a new one. */
	int job = print_submit (sock, "label", PRINT_FORMAT_ZPL, "dsp:stall-live:2 label", "^XA^FDafter^FS^XZ\n", 18, &cause);
	ok (job > 0, "a label after SIGCONT is sent%s%s", cause ? ": " : "", cause ? cause : "");
	free (cause);
	cause = NULL;
	print_job_t j;
	for (int i = 0; i < PRINT_TEST_WAIT_STEPS; i++) {
		if (print_poll (sock, job, &j, NULL) == 0 && print_job_state_final (j.state))
			break;
		usleep (50 * 1000);
	}
	ok (print_test_wait_count ("label", before + 2 + found), "it prints");
	usleep (500 * 1000);
	is_int (print_test_count ("label"), before + 2 + found, "the label printer holds exactly the jobs CUPS has");
	is_int (print_test_count ("docs"), docs_before, "and nothing of the half-written PDF reached the document printer");

	for (size_t i = 0; i < TEST_PRINT_STALL_NCALLS; i++) {
		free (a.cause[i]);
		free (b.cause[i]);
	}
	print_destroy (&sock);
	print_destroy (&tcp);
	alarm (0);
	return tap_done ();
}
