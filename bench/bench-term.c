/*
 * bench-term.c: figures for bench/terminal.sh. Runs despatch-term on a pty
 * (forkpty) as an operator's terminal and scanner would, and reads what it
 * draws.
 *
 *   bench-term screen N K TERM ARGS... K other terminals started first and left at their
 *                                       login screen (as on a machine serving several
 *                                       sessions: library pages are shared); then start
 *                                       to login screen, resident and private memory after
 *                                       login, then N scans: Enter to the answer on screen
 *   bench-term mini                    a minimal ncurses program (baseline for start)
 *   bench-term start-mini              start to first screen of "mini" on a pty
 *   bench-term rtt ENDPOINT N [KEYS]   the bare hub round trip of the same scans
 *                                       from a plain client (baseline for latency),
 *                                       over CURVE with the key folder KEYS
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

#define BENCH_TERM_MAX_OTHERS 16

static int bench_term_fd = -1;
static pid_t bench_term_pid;
static char bench_term_buf[1 << 16];
static size_t bench_term_len;

/* The other terminals on the machine: their ptys are read and thrown away, so none blocks writing. */
static int bench_term_others_fd[BENCH_TERM_MAX_OTHERS];
static pid_t bench_term_others_pid[BENCH_TERM_MAX_OTHERS];
static int bench_term_nothers;

static void
bench_term_drain_others (void)
{
	char junk[4096];
	for (int i = 0; i < bench_term_nothers; i++) {
		struct pollfd p = { bench_term_others_fd[i], POLLIN, 0 };
		while (poll (&p, 1, 0) > 0 && read (bench_term_others_fd[i], junk, sizeof junk) > 0)
			;
	}
}

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
		struct pollfd p[1 + BENCH_TERM_MAX_OTHERS] = { { bench_term_fd, POLLIN, 0 } };
		for (int i = 0; i < bench_term_nothers; i++)
			p[1 + i] = (struct pollfd) { bench_term_others_fd[i], POLLIN, 0 };
		if (poll (p, (nfds_t) (1 + bench_term_nothers), (int) left) <= 0)
			continue;
		bench_term_drain_others ();
		if (!(p[0].revents & (POLLIN | POLLHUP)))
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
	bench_term_drain_others ();
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
bench_term_spawn_on (char **argv, pid_t *pid, int *fd)
{
	struct winsize ws = { .ws_row = 16, .ws_col = 20 };
	setenv ("TERM", "xterm", 1);
	int64_t t0 = util_mono_us ();
	*pid = forkpty (fd, NULL, NULL, &ws);
	if (*pid < 0) {
		perror ("forkpty");
		exit (1);
	}
	if (*pid == 0) {
		execv (argv[0], argv);
		_exit (127);
	}
	return t0;
}

static int64_t
bench_term_spawn (char **argv)
{
	return bench_term_spawn_on (argv, &bench_term_pid, &bench_term_fd);
}

/* K other terminals from the same command line, each with its own id,
 * journal and (with --keys DIR/NAME) key folder DIR/ID (later options
 * win), left at the login screen once the hub answers. */
static bool
bench_term_others (int k, char **argv)
{
	int argc = 0;
	while (argv[argc])
		argc++;
	const char *journal = "bench-other", *keys = NULL;
	for (int i = 0; i + 1 < argc; i++) {
		if (strcmp (argv[i], "--journal") == 0)
			journal = argv[i + 1];
		if (strcmp (argv[i], "--keys") == 0)
			keys = argv[i + 1];
	}
	char **av = calloc ((size_t) argc + 7, sizeof *av);
	memcpy (av, argv, (size_t) argc * sizeof *av);
	bool good = true;
	for (int i = 0; good && i < k && i < BENCH_TERM_MAX_OTHERS; i++) {
		char id[32], path[512], kdir[512];
		snprintf (id, sizeof id, "bench-other-%d", i + 1);
		snprintf (path, sizeof path, "%s.other-%d", journal, i + 1);
		av[argc] = (char *) "--terminal";
		av[argc + 1] = id;
		av[argc + 2] = (char *) "--journal";
		av[argc + 3] = path;
		if (keys) {
			const char *slash = strrchr (keys, '/');
			snprintf (kdir, sizeof kdir, "%.*s%s", slash ? (int) (slash - keys + 1) : 0, keys, id);
			av[argc + 4] = (char *) "--keys";
			av[argc + 5] = kdir;
		}
		bench_term_spawn_on (av, &bench_term_others_pid[i], &bench_term_others_fd[i]);
		bench_term_nothers++;
		/* Its screen, read on its own pty until the hub answers it. */
		char screen[8192];
		size_t len = 0;
		int64_t end = util_mono_ms () + BENCH_TERM_WAIT_MS;
		bool up = false;
		while (!up && util_mono_ms () < end) {
			struct pollfd p = { bench_term_others_fd[i], POLLIN, 0 };
			if (poll (&p, 1, 100) <= 0)
				continue;
			if (len > sizeof screen - 1024)
				len = 0;
			ssize_t n = read (bench_term_others_fd[i], screen + len, sizeof screen - len - 1);
			if (n <= 0)
				break;
			len += (size_t) n;
			up = memmem (screen, len, "HUB OK", 6) != NULL;
		}
		if (!up) {
			fprintf (stderr, "bench-term: other terminal %d does not reach the hub\n", i + 1);
			good = false;
		}
	}
	free (av);
	return good;
}

static void
bench_term_stop_one (pid_t pid, int fd)
{
	kill (pid, SIGTERM);
	for (int i = 0; i < 100 && waitpid (pid, NULL, WNOHANG) == 0; i++) {
		/* Drain so the child is never blocked writing. */
		char junk[4096];
		struct pollfd p = { fd, POLLIN, 0 };
		if (poll (&p, 1, 20) > 0 && read (fd, junk, sizeof junk) <= 0)
			usleep (20000);
	}
	if (waitpid (pid, NULL, WNOHANG) == 0) {
		kill (pid, SIGKILL);
		waitpid (pid, NULL, 0);
	}
	close (fd);
}

static void
bench_term_stop (void)
{
	if (bench_term_pid > 0) {
		bench_term_stop_one (bench_term_pid, bench_term_fd);
		bench_term_pid = 0;
	}
	for (int i = 0; i < bench_term_nothers; i++)
		bench_term_stop_one (bench_term_others_pid[i], bench_term_others_fd[i]);
	bench_term_nothers = 0;
}

/* Fields of /proc/PID/FILE summed ("VmRSS:" of status; "Private_Clean:" and
 * "Private_Dirty:" of smaps_rollup), in KiB; -1 when none was found. */
static long
bench_term_proc_kib (pid_t pid, const char *file, const char *key, const char *key2)
{
	char path[64], line[256];
	snprintf (path, sizeof path, "/proc/%d/%s", (int) pid, file);
	FILE *f = fopen (path, "r");
	long kib = -1;
	while (f && fgets (line, sizeof line, f))
		for (const char *k = key; k; k = k == key ? key2 : NULL)
			if (strncmp (line, k, strlen (k)) == 0)
				kib = (kib < 0 ? 0 : kib) + atol (line + strlen (k));
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
bench_term_screen (int n, int others, char **argv)
{
	if (!bench_term_others (others, argv)) {
		bench_term_stop ();
		return 1;
	}
	printf ("others=%d\n", bench_term_nothers);
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
	bench_term_drain_others ();
	/* Resident: every page mapped in, shared libraries' included. Private
	 * (clean and dirty): the pages no other process maps, which is what
	 * one more terminal costs the machine; the others keep the libraries'
	 * shared pages from counting here. */
	printf ("rss_kib=%ld\n", bench_term_proc_kib (bench_term_pid, "status", "VmRSS:", NULL));
	printf ("private_kib=%ld\n", bench_term_proc_kib (bench_term_pid, "smaps_rollup", "Private_Clean:", "Private_Dirty:"));
	printf ("private_dirty_kib=%ld\n", bench_term_proc_kib (bench_term_pid, "smaps_rollup", "Private_Dirty:", NULL));
	printf ("pss_kib=%ld\n", bench_term_proc_kib (bench_term_pid, "smaps_rollup", "Pss:", NULL));
	printf ("anon_kib=%ld\n", bench_term_proc_kib (bench_term_pid, "smaps_rollup", "Anonymous:", NULL));
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
bench_term_rtt (const char *endpoint, int n, const char *keys)
{
	char *cause = NULL;
	client_t *c = keys ? client_new_secure (endpoint, "bench-term-rtt", keys, &cause)
	                   : client_new (endpoint, "bench-term-rtt", &cause);
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
	if (argc >= 5 && strcmp (argv[1], "screen") == 0)
		return bench_term_screen (atoi (argv[2]), atoi (argv[3]), argv + 4);
	if (argc == 2 && strcmp (argv[1], "mini") == 0)
		return bench_term_mini ();
	if (argc == 2 && strcmp (argv[1], "start-mini") == 0)
		return bench_term_start_mini (argv[0]);
	if ((argc == 4 || argc == 5) && strcmp (argv[1], "rtt") == 0)
		return bench_term_rtt (argv[2], atoi (argv[3]), argc == 5 ? argv[4] : NULL);
	fprintf (stderr, "usage: bench-term screen N K TERM [ARGS...] | mini | start-mini | rtt ENDPOINT N [KEYS]\n");
	return 2;
}
