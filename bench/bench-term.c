/*
 * bench-term.c: figures for bench/terminal.sh. Runs despatch-term on a pty
 * (forkpty) as an operator's terminal and scanner would, and reads what it
 * draws.
 *
 *   bench-term screen N TERM ARGS...   start to login screen, RSS and private memory after login,
 *                                       then N scans: Enter to the answer on screen
 *   bench-term mini                    a minimal ncurses program (baseline for start)
 *   bench-term start-mini              start to first screen of "mini" on a pty
 *   bench-term rtt ENDPOINT N          the bare hub round trip of the same scans
 *                                       from a plain client (baseline for latency)
 *
 * Prints key=value lines; times in microseconds. Scans alternate between an
 * unknown code (answer "XX ...", refused) and an order already received
 * ("OK ..."), so the message line changes colour and is redrawn whole each
 * time: the answer's first characters then appear in the output in one run.
 */
#include "config.h"
#include "client.h"
#include "proto.h"
#include "util.h"

#include <curses.h>
#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define BENCH_TERM_WAIT_MS 10000
#define BENCH_TERM_ORDER "W1000001"

static int bench_term_fd = -1;
static pid_t bench_term_pid;
static char bench_term_buf[1 << 16];
static size_t bench_term_len;

/* Read the pty until text shows in what arrived since the last mark (or the wait ends). */
static bool
bench_term_wait (const char *text, int timeout_ms)
{
	int64_t end = util_mono_ms () + timeout_ms;
	for (;;) {
		bench_term_buf[bench_term_len] = '\0';
		if (memmem (bench_term_buf, bench_term_len, text, strlen (text)))
			return true;
		int64_t left = end - util_mono_ms ();
		if (left <= 0)
			return false;
		struct pollfd p = { bench_term_fd, POLLIN, 0 };
		if (poll (&p, 1, (int) left) <= 0)
			continue;
		if (bench_term_len > sizeof bench_term_buf - 4096) {
			/* Keep the tail: a match may straddle the cut. */
			memmove (bench_term_buf, bench_term_buf + bench_term_len - 256, 256);
			bench_term_len = 256;
		}
		ssize_t n = read (bench_term_fd, bench_term_buf + bench_term_len, sizeof bench_term_buf - bench_term_len - 1);
		if (n <= 0)
			return false;
		bench_term_len += (size_t) n;
	}
}

static void
bench_term_mark (void)
{
	bench_term_len = 0;
}

/* Whatever the terminal drew before the scan is not its answer. */
static void
bench_term_drain (void)
{
	struct pollfd p = { bench_term_fd, POLLIN, 0 };
	while (poll (&p, 1, 0) > 0 && read (bench_term_fd, bench_term_buf, sizeof bench_term_buf) > 0)
		;
	bench_term_mark ();
}

static void
bench_term_type (const char *s)
{
	size_t n = strlen (s);
	if (write (bench_term_fd, s, n) != (ssize_t) n)
		fprintf (stderr, "bench-term: write to the pty failed\n");
}

static int64_t
bench_term_spawn (char **argv)
{
	struct winsize ws = { .ws_row = 16, .ws_col = 20 };
	setenv ("TERM", "xterm", 1);
	int64_t t0 = util_mono_us ();
	bench_term_pid = forkpty (&bench_term_fd, NULL, NULL, &ws);
	if (bench_term_pid < 0) {
		perror ("forkpty");
		exit (1);
	}
	if (bench_term_pid == 0) {
		execv (argv[0], argv);
		_exit (127);
	}
	return t0;
}

static void
bench_term_stop (void)
{
	if (bench_term_pid > 0) {
		kill (bench_term_pid, SIGTERM);
		for (int i = 0; i < 100 && waitpid (bench_term_pid, NULL, WNOHANG) == 0; i++) {
			/* Drain so the child is never blocked writing. */
			char junk[4096];
			struct pollfd p = { bench_term_fd, POLLIN, 0 };
			if (poll (&p, 1, 20) > 0 && read (bench_term_fd, junk, sizeof junk) <= 0)
				usleep (20000);
		}
		if (waitpid (bench_term_pid, NULL, WNOHANG) == 0) {
			kill (bench_term_pid, SIGKILL);
			waitpid (bench_term_pid, NULL, 0);
		}
		bench_term_pid = 0;
	}
}

/* One field of /proc/PID/FILE ("VmRSS:" of status, "Private_Dirty:" of smaps_rollup), in KiB. */
static long
bench_term_proc_kib (pid_t pid, const char *file, const char *key)
{
	char path[64], line[256];
	snprintf (path, sizeof path, "/proc/%d/%s", (int) pid, file);
	FILE *f = fopen (path, "r");
	long kib = -1;
	size_t n = strlen (key);
	while (f && fgets (line, sizeof line, f))
		if (strncmp (line, key, n) == 0)
			kib = atol (line + n);
	if (f)
		fclose (f);
	return kib;
}

static int
bench_term_cmp (const void *a, const void *b)
{
	int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
	return x < y ? -1 : x > y;
}

static void
bench_term_percentiles (int64_t *v, int n)
{
	qsort (v, (size_t) n, sizeof v[0], bench_term_cmp);
	printf ("p50_us=%lld\np99_us=%lld\nmax_us=%lld\n", (long long) v[n / 2], (long long) v[(n * 99) / 100],
	    (long long) v[n - 1]);
}

static int
bench_term_screen (int n, char **argv)
{
	int64_t t0 = bench_term_spawn (argv);
	if (!bench_term_wait ("Scan badge", BENCH_TERM_WAIT_MS)) {
		fprintf (stderr, "bench-term: no login screen\n");
		bench_term_stop ();
		return 1;
	}
	printf ("start_us=%lld\n", (long long) (util_mono_us () - t0));
	if (!bench_term_wait ("HUB OK", BENCH_TERM_WAIT_MS)) {
		fprintf (stderr, "bench-term: the hub does not answer\n");
		bench_term_stop ();
		return 1;
	}
	bench_term_mark ();
	bench_term_type ("B1001\r");
	bench_term_wait ("PIN", BENCH_TERM_WAIT_MS);
	bench_term_type ("1111\r");
	if (!bench_term_wait ("MENU", BENCH_TERM_WAIT_MS)) {
		fprintf (stderr, "bench-term: login failed\n");
		bench_term_stop ();
		return 1;
	}
	usleep (200 * 1000); /* settle before sampling memory */
	/* Resident: every page mapped in, shared libraries' included. Private
	 * dirty: what the terminal alone costs (heap, stacks, written pages). */
	printf ("rss_kib=%ld\n", bench_term_proc_kib (bench_term_pid, "status", "VmRSS:"));
	printf ("private_kib=%ld\n", bench_term_proc_kib (bench_term_pid, "smaps_rollup", "Private_Dirty:"));
	printf ("anon_kib=%ld\n", bench_term_proc_kib (bench_term_pid, "smaps_rollup", "Anonymous:"));
	bench_term_mark ();
	bench_term_type ("1"); /* Receive: first in every role's menu */
	if (!bench_term_wait ("Scan ticket", BENCH_TERM_WAIT_MS)) {
		fprintf (stderr, "bench-term: no receive screen\n");
		bench_term_stop ();
		return 1;
	}
	bench_term_mark ();
	bench_term_type (BENCH_TERM_ORDER "\r");
	bench_term_wait ("OK", BENCH_TERM_WAIT_MS);
	int64_t *lat = calloc ((size_t) n, sizeof *lat);
	int done = 0;
	for (int i = 0; i < n; i++) {
		char code[64];
		const char *want;
		if (i % 2 == 0) {
			snprintf (code, sizeof code, "ZB%06d\r", i);
			want = "XX";
		} else {
			snprintf (code, sizeof code, "%s\r", BENCH_TERM_ORDER);
			want = "OK " BENCH_TERM_ORDER;
		}
		/* An operator's pace: the screen and its sounds are idle when the scan comes
		 * (a refusal's beeps and its 100 ms flash are over). */
		usleep (250 * 1000);
		bench_term_drain ();
		int64_t t = util_mono_us ();
		bench_term_type (code);
		if (!bench_term_wait (want, BENCH_TERM_WAIT_MS)) {
			fprintf (stderr, "bench-term: no answer to scan %d\n", i);
			break;
		}
		lat[done++] = util_mono_us () - t;
	}
	bench_term_stop ();
	if (done == 0)
		return 1;
	printf ("scans=%d\n", done);
	bench_term_percentiles (lat, done);
	free (lat);
	return done == n ? 0 : 1;
}

/* The smallest curses program that draws a login-like screen and waits. */
static int
bench_term_mini (void)
{
	initscr ();
	cbreak ();
	noecho ();
	mvaddstr (0, 0, "LOG IN");
	mvaddstr (1, 0, "Scan badge >");
	refresh ();
	getch ();
	endwin ();
	return 0;
}

static int
bench_term_start_mini (const char *self)
{
	char *argv[] = { (char *) self, (char *) "mini", NULL };
	int64_t t0 = bench_term_spawn (argv);
	bool ok = bench_term_wait ("Scan badge", BENCH_TERM_WAIT_MS);
	printf ("start_us=%lld\n", (long long) (util_mono_us () - t0));
	bench_term_type ("q");
	bench_term_stop ();
	return ok ? 0 : 1;
}

/* The same scans straight to the hub: HELLO, LOGIN, then one SCAN at a time. */
static int
bench_term_rtt (const char *endpoint, int n)
{
	char *cause = NULL;
	client_t *c = client_new (endpoint, "bench-term-rtt", &cause);
	if (c == NULL) {
		fprintf (stderr, "bench-term: %s\n", cause);
		return 1;
	}
	uint32_t seq = (uint32_t) (util_wall_ms () / 1000);
	proto_msg_t *m = proto_msg_new (PROTO_HELLO);
	proto_msg_set_seq (m, 0xF0000001u);
	proto_set_str (m, PROTO_HELLO_STATION, "bench");
	proto_set_str (m, PROTO_HELLO_PROFILE, "handheld");
	proto_set_str (m, PROTO_HELLO_SOFTWARE, "bench-term");
	proto_msg_t *r = NULL;
	for (int i = 0; i < 100 && r == NULL; i++) {
		client_send (c, m);
		r = client_recv (c, 100);
	}
	proto_msg_destroy (&m);
	proto_msg_destroy (&r);
	m = proto_msg_new (PROTO_LOGIN);
	proto_msg_set_seq (m, seq++);
	proto_set_str (m, PROTO_LOGIN_BADGE, "B1001");
	proto_set_str (m, PROTO_LOGIN_PIN, "1111");
	client_send (c, m);
	proto_msg_destroy (&m);
	r = client_recv (c, BENCH_TERM_WAIT_MS);
	proto_msg_destroy (&r);
	int64_t *lat = calloc ((size_t) n, sizeof *lat);
	int done = 0;
	for (int i = 0; i < n; i++) {
		char code[64];
		if (i % 2 == 0)
			snprintf (code, sizeof code, "ZB%06d", i);
		else
			snprintf (code, sizeof code, "%s", BENCH_TERM_ORDER);
		m = proto_msg_new (PROTO_SCAN);
		proto_msg_set_seq (m, seq++);
		proto_set_str (m, PROTO_SCAN_STEP, "receive");
		proto_set_str (m, PROTO_SCAN_CODE, code);
		proto_set_num (m, PROTO_SCAN_MANUAL, 0);
		usleep (20 * 1000);
		int64_t t = util_mono_us ();
		client_send (c, m);
		proto_msg_destroy (&m);
		r = client_recv (c, BENCH_TERM_WAIT_MS);
		if (r == NULL)
			break;
		lat[done++] = util_mono_us () - t;
		proto_msg_destroy (&r);
	}
	client_destroy (&c);
	if (done == 0)
		return 1;
	printf ("scans=%d\n", done);
	bench_term_percentiles (lat, done);
	free (lat);
	return 0;
}

int
main (int argc, char **argv)
{
	signal (SIGPIPE, SIG_IGN);
	if (argc >= 4 && strcmp (argv[1], "screen") == 0)
		return bench_term_screen (atoi (argv[2]), argv + 3);
	if (argc == 2 && strcmp (argv[1], "mini") == 0)
		return bench_term_mini ();
	if (argc == 2 && strcmp (argv[1], "start-mini") == 0)
		return bench_term_start_mini (argv[0]);
	if (argc == 4 && strcmp (argv[1], "rtt") == 0)
		return bench_term_rtt (argv[2], atoi (argv[3]));
	fprintf (stderr, "usage: bench-term screen N TERM [ARGS...] | mini | start-mini | rtt ENDPOINT N\n");
	return 2;
}
