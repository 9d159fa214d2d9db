/*
 * test-notify.c: what despatch-hub tells systemd, read without systemd:
 * the test is the service manager. It binds a unix datagram socket of its
 * own, starts the real hub with NOTIFY_SOCKET naming it (and
 * WATCHDOG_USEC, as systemd sets them), and reads what comes: READY=1
 * once the hub's socket answers and its database is there, STATUS lines,
 * WATCHDOG=1 while the loop turns and none while it is held (the test
 * holds the database's write lock while a request waits for it), then
 * RELOADING=1 and READY=1 around a SIGHUP, a refused reload's included,
 * and STOPPING=1 at the end. A NOTIFY_SOCKET nobody listens on changes
 * nothing.
 */
#include "config.h"
#include "client.h"
#include "db.h"
#include "tests/tap.h"
#include "tests/testlib.h"
#include "util.h"

#include <czmq.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[256], sock_path[300], endpoint[320], database[300], conf_path[300];
static pid_t hub_pid;
static int notify_fd = -1;

static void
stop_hub (void)
{
	if (hub_pid > 0) {
		kill (hub_pid, SIGKILL);
		waitpid (hub_pid, NULL, 0);
		hub_pid = 0;
	}
}

static pid_t
start_hub (const char *notify_socket)
{
	const char *top = getenv ("top_builddir"), *src = getenv ("top_srcdir");
	char *bin = xasprintf ("%s/hub/despatch-hub", top);
	char *demo = xasprintf ("%s/data/demo", src);
	char *log = xasprintf ("%s/hub.log", dir);
	char *config = xasprintf ("--config=%s", conf_path);
	fflush (NULL);
	pid_t pid = fork ();
	if (pid == 0) {
		setenv ("NOTIFY_SOCKET", notify_socket, 1);
		/* As systemd sets it for WatchdogSec=1s: the hub pings every half second. */
		setenv ("WATCHDOG_USEC", "1000000", 1);
		if (freopen (log, "a", stderr) == NULL)
			_exit (127);
		execl (bin, bin, config, "--endpoint", endpoint, "--database", database, "--demo-data", demo, "--set",
		    "security.curve=no", (char *) NULL);
		_exit (127);
	}
	free (bin);
	free (demo);
	free (log);
	free (config);
	return pid;
}

/* The next message the hub sent within ms, into buf; false when none came. */
static bool
next_message (char *buf, size_t n, int ms)
{
	struct pollfd p = { .fd = notify_fd, .events = POLLIN };
	if (poll (&p, 1, ms) != 1)
		return false;
	ssize_t got = recv (notify_fd, buf, n - 1, 0);
	if (got < 0)
		return false;
	buf[got] = '\0';
	return true;
}

/* Read messages until one starts with want (bounded by ms), copied into seen; the others are shown. */
static bool
wait_for (const char *want, int ms, char *seen, size_t n)
{
	int64_t until = util_mono_ms () + ms;
	char buf[1024];
	while (util_mono_ms () < until) {
		if (!next_message (buf, sizeof buf, (int) (until - util_mono_ms ())))
			continue;
		if (strncmp (buf, want, strlen (want)) == 0) {
			if (seen)
				util_strlcpy (seen, buf, n);
			return true;
		}
		diag ("(on the way: %s)", strtok (buf, "\n"));
	}
	return false;
}

/* How many WATCHDOG=1 came in ms; the other messages are dropped. */
static int
count_pings (int ms)
{
	int64_t until = util_mono_ms () + ms;
	int pings = 0;
	char buf[1024];
	while (util_mono_ms () < until)
		if (next_message (buf, sizeof buf, (int) (until - util_mono_ms ())) && strcmp (buf, "WATCHDOG=1") == 0)
			pings++;
	return pings;
}

/* The longest time without a WATCHDOG=1 within the next ms (from now to the first, between two, from the last to the end). */
static int64_t
longest_silence (int ms)
{
	int64_t start = util_mono_ms (), until = start + ms, last = start, longest = 0;
	char buf[1024];
	while (util_mono_ms () < until) {
		if (!next_message (buf, sizeof buf, (int) (until - util_mono_ms ())) || strcmp (buf, "WATCHDOG=1") != 0)
			continue;
		int64_t now = util_mono_ms ();
		if (now - last > longest)
			longest = now - last;
		last = now;
	}
	if (until - last > longest)
		longest = until - last;
	return longest;
}

static bool
ping_hub (void)
{
	client_t *c = client_new (endpoint, "test-notify", NULL);
	proto_msg_t *ping = proto_msg_new (PROTO_PING);
	proto_msg_set_seq (ping, 1);
	proto_msg_t *r = c ? client_call (c, ping, 1000, 2) : NULL;
	bool answered = r != NULL;
	proto_msg_destroy (&r);
	proto_msg_destroy (&ping);
	client_destroy (&c);
	return answered;
}

int
main (void)
{
	zsys_init ();
	zsys_set_logsystem (false);
	atexit (stop_hub);
	testlib_tmpdir (dir, sizeof dir);
	snprintf (sock_path, sizeof sock_path, "%s/notify.sock", dir);
	snprintf (endpoint, sizeof endpoint, "ipc://%s/hub.sock", dir);
	snprintf (database, sizeof database, "%s/despatch.db", dir);
	snprintf (conf_path, sizeof conf_path, "%s/despatch.conf", dir);
	FILE *f = fopen (conf_path, "w");
	fputs ("[log]\nlevel = info\n", f);
	fclose (f);

	notify_fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	util_strlcpy (sa.sun_path, sock_path, sizeof sa.sun_path);
	ok (notify_fd >= 0 && bind (notify_fd, (struct sockaddr *) &sa, sizeof sa) == 0,
	    "a datagram socket stands in for systemd's");

	hub_pid = start_hub (sock_path);
	char ready[1024] = "";
	const char *slow = getenv ("DSP_TEST_SLOW");
	bool got_ready = wait_for ("READY=1", 15000 * (slow && atoi (slow) > 0 ? atoi (slow) : 1), ready, sizeof ready);
	/* Looked at the moment READY came: the socket and the database must be there already. */
	struct stat sb;
	char *hub_sock = xasprintf ("%s/hub.sock", dir);
	bool bound = stat (hub_sock, &sb) == 0 && S_ISSOCK (sb.st_mode), opened = stat (database, &sb) == 0;
	free (hub_sock);
	ok (got_ready, "READY=1 comes");
	ok (bound && opened, "by then the hub's socket is bound and its database there");
	ok (ping_hub (), "and the hub answers a PING");
	ok (strstr (ready, "\nSTATUS=listening on ipc://") != NULL, "READY carries a STATUS line: %s",
	    strchr (ready, '\n') ? strchr (ready, '\n') + 1 : ready);

	char status[1024] = "";
	bool serving = wait_for ("STATUS=serving ", 8000, status, sizeof status);
	ok (serving, "a STATUS line says what it serves: %s", status);

	/* The loop turns: pings at half of WATCHDOG_USEC. */
	int pings = count_pings (2500);
	ok (pings >= 3 && pings <= 8, "WATCHDOG=1 while the loop turns (%d in 2.5 s, every 0.5 s asked)", pings);

	/* The loop held: a request waits for the database's write lock, which the test keeps. */
	char *cause = NULL;
	db_t *lock = db_open (database, DB_READWRITE, &cause);
	ok (lock && db_begin (lock) == DB_DONE, "the test takes the database's write lock");
	client_t *c = client_new (endpoint, "test-notify-2", NULL);
	proto_msg_t *ping = proto_msg_new (PROTO_PING);
	proto_msg_set_seq (ping, 1);
	ok (c && client_writable (c, 5000) && client_send (c, ping) == 0,
	    "a request goes to the hub, which must wait for the lock");
	proto_msg_destroy (&ping);
	/* The loop's pings stop while it waits (a ping already on its way, or a turn before it read the
	 * request, may still come first): over 3 s, the longest silence must be most of it. */
	int64_t gap = longest_silence (3000);
	ok (gap >= 2000, "no WATCHDOG=1 while the loop is held: %lld ms without one, against every 500 ms asked "
	    "(systemd would restart it)", (long long) gap);
	db_rollback (lock);
	db_close (&lock);
	pings = count_pings (2500);
	ok (pings >= 3, "the pings come again once the lock is let go (%d)", pings);
	proto_msg_t *r = client_recv (c, 5000);
	ok (r != NULL, "and the waiting request is answered");
	proto_msg_destroy (&r);
	client_destroy (&c);

	/* A reload, taken and refused: RELOADING=1, then READY=1. */
	kill (hub_pid, SIGHUP);
	ok (wait_for ("RELOADING=1", 5000, NULL, 0), "SIGHUP: RELOADING=1");
	char after[1024] = "";
	bool again = wait_for ("READY=1", 5000, after, sizeof after);
	ok (again && strstr (after, "\nSTATUS=settings reloaded"), "then READY=1 when the settings are taken (%s)",
	    strchr (after, '\n') ? strchr (after, '\n') + 1 : after);
	f = fopen (conf_path, "w");
	fputs ("[log]\nlevel = loud\n", f);
	fclose (f);
	kill (hub_pid, SIGHUP);
	ok (wait_for ("RELOADING=1", 5000, NULL, 0), "SIGHUP with a bad file: RELOADING=1");
	again = wait_for ("READY=1", 5000, after, sizeof after);
	ok (again && strstr (after, "\nSTATUS=reload refused"), "then READY=1, the file refused (%s)",
	    strchr (after, '\n') ? strchr (after, '\n') + 1 : after);
	ok (ping_hub (), "the hub serves on");

	/* The end. */
	kill (hub_pid, SIGTERM);
	ok (wait_for ("STOPPING=1", 10000, NULL, 0), "SIGTERM: STOPPING=1");
	int st = -1;
	waitpid (hub_pid, &st, 0);
	hub_pid = 0;
	ok (WIFEXITED (st) && WEXITSTATUS (st) == 0, "the hub stops cleanly");

	/* NOTIFY_SOCKET that nobody listens on: nothing changes. */
	f = fopen (conf_path, "w");
	fputs ("[log]\nlevel = info\n", f);
	fclose (f);
	char *nobody = xasprintf ("%s/nobody.sock", dir);
	hub_pid = start_hub (nobody);
	bool served = false;
	for (int i = 0; i < 50 && !served; i++)
		served = ping_hub ();
	ok (served, "with nobody on NOTIFY_SOCKET the hub starts and serves all the same");
	kill (hub_pid, SIGTERM);
	waitpid (hub_pid, &st, 0);
	hub_pid = 0;
	ok (WIFEXITED (st) && WEXITSTATUS (st) == 0, "and stops cleanly");
	free (nobody);
	close (notify_fd);
	return tap_done ();
}
