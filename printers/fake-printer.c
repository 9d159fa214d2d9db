/*
 * fake-printer.c: a pretend AppSocket (port 9100 style) printer for the demo
 * and the tests. It listens on a loopback port and saves every connection's
 * bytes as one job: DIR/.incoming-PID-N while it arrives, then, when the
 * sender closes, DIR/job-NNNN.EXT (linked into place, so a reader never sees
 * half a job and an existing file is never overwritten). Numbering carries on
 * after a restart. A connection that sends nothing is not a job.
 *
 * Bounded: at most FAKE_PRINTER_MAX_CONN connections at once and
 * FAKE_PRINTER_MAX_JOB bytes per job (a larger job is dropped and logged).
 * SIGTERM or SIGINT makes it exit; a job still arriving is then discarded,
 * as a real printer that is switched off would lose it.
 *
 *   fake-printer -d DIR [-a ADDR] [-p PORT] [-x EXT] [-P PORTFILE]
 *   fake-printer --free-port     print a free loopback port and exit
 */
#include "config.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define FAKE_PRINTER_MAX_CONN 16
#define FAKE_PRINTER_MAX_JOB (64L * 1024 * 1024)
#define FAKE_PRINTER_BUF 65536

struct fake_printer_conn {
	int fd;          /* socket, -1 when the slot is free */
	int out;         /* temporary file */
	long bytes;
	bool dropped;    /* too large: read and discard the rest */
	char tmp[PATH_MAX];
};

struct fake_printer {
	int listen_fd;
	const char *dir;
	const char *ext;
	unsigned long serial;  /* for temporary names */
	unsigned long next_job;
	struct fake_printer_conn conns[FAKE_PRINTER_MAX_CONN];
};

static volatile sig_atomic_t fake_printer_stop;

static void
fake_printer_on_signal (int sig)
{
	(void) sig;
	fake_printer_stop = 1;
}

static void
fake_printer_usage (FILE *f)
{
	fprintf (f,
	    "usage: fake-printer -d DIR [-a ADDR] [-p PORT] [-x EXT] [-P PORTFILE]\n"
	    "       fake-printer --free-port\n"
	    "  -d DIR       save each job as DIR/job-NNNN.EXT\n"
	    "  -a ADDR      IPv4 address to listen on (default 127.0.0.1)\n"
	    "  -p PORT      TCP port (default 9100; 0 picks a free one)\n"
	    "  -x EXT       file name extension (default bin)\n"
	    "  -P PORTFILE  write the port listened on to PORTFILE once ready\n"
	    "SIGTERM or SIGINT stops it.\n");
}

/* The highest job number already in dir, so that a restart carries on. */
static unsigned long
fake_printer_last_job (const char *dir)
{
	unsigned long last = 0;
	DIR *d = opendir (dir);
	if (d == NULL)
		return 0;
	struct dirent *e;
	while ((e = readdir (d)) != NULL) {
		unsigned long n;
		if (sscanf (e->d_name, "job-%lu.", &n) == 1 && n > last)
			last = n;
	}
	closedir (d);
	return last;
}

static int
fake_printer_listen (const char *addr, int port, int *bound)
{
	struct sockaddr_in sin;
	memset (&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons ((unsigned short) port);
	if (inet_pton (AF_INET, addr, &sin.sin_addr) != 1) {
		fprintf (stderr, "fake-printer: %s is not an IPv4 address\n", addr);
		return -1;
	}
	int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf (stderr, "fake-printer: socket: %s\n", strerror (errno));
		return -1;
	}
	int one = 1;
	setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind (fd, (struct sockaddr *) &sin, sizeof sin) != 0 || listen (fd, 64) != 0) {
		fprintf (stderr, "fake-printer: cannot listen on %s:%d: %s\n", addr, port, strerror (errno));
		close (fd);
		return -1;
	}
	socklen_t len = sizeof sin;
	getsockname (fd, (struct sockaddr *) &sin, &len);
	*bound = ntohs (sin.sin_port);
	return fd;
}

static void
fake_printer_conn_discard (struct fake_printer_conn *c)
{
	if (c->fd >= 0)
		close (c->fd);
	if (c->out >= 0) {
		close (c->out);
		unlink (c->tmp);
	}
	c->fd = c->out = -1;
}

/* The sender closed: the job is complete; link it into place under the next free number. */
static void
fake_printer_conn_finish (struct fake_printer *self, struct fake_printer_conn *c)
{
	if (c->dropped || c->bytes == 0) {
		fake_printer_conn_discard (c);
		return;
	}
	close (c->out);
	c->out = -1;
	close (c->fd);
	c->fd = -1;
	char path[PATH_MAX];
	for (int tries = 0; tries < 100000; tries++) {
		snprintf (path, sizeof path, "%s/job-%04lu.%s", self->dir, ++self->next_job, self->ext);
		if (link (c->tmp, path) == 0)
			break;
		if (errno != EEXIST) {
			fprintf (stderr, "fake-printer: cannot save %s: %s\n", path, strerror (errno));
			break;
		}
	}
	unlink (c->tmp);
}

static void
fake_printer_accept (struct fake_printer *self)
{
	int fd = accept4 (self->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	struct fake_printer_conn *c = NULL;
	for (size_t i = 0; i < FAKE_PRINTER_MAX_CONN && c == NULL; i++)
		if (self->conns[i].fd < 0)
			c = &self->conns[i];
	if (c == NULL) {
		/* Busy, as a real printer would be; the sender retries. */
		close (fd);
		return;
	}
	snprintf (c->tmp, sizeof c->tmp, "%s/.incoming-%ld-%lu", self->dir, (long) getpid (), ++self->serial);
	c->out = open (c->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (c->out < 0) {
		fprintf (stderr, "fake-printer: cannot create %s: %s\n", c->tmp, strerror (errno));
		close (fd);
		return;
	}
	c->fd = fd;
	c->bytes = 0;
	c->dropped = false;
}

static void
fake_printer_read (struct fake_printer *self, struct fake_printer_conn *c)
{
	static char buf[FAKE_PRINTER_BUF];
	ssize_t n = read (c->fd, buf, sizeof buf);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n < 0) {
		fake_printer_conn_discard (c);
		return;
	}
	if (n == 0) {
		fake_printer_conn_finish (self, c);
		return;
	}
	if (c->dropped)
		return;
	if (c->bytes + n > FAKE_PRINTER_MAX_JOB) {
		fprintf (stderr, "fake-printer: job larger than %ld bytes dropped\n", FAKE_PRINTER_MAX_JOB);
		c->dropped = true;
		return;
	}
	for (ssize_t off = 0; off < n;) {
		ssize_t w = write (c->out, buf + off, (size_t) (n - off));
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			fprintf (stderr, "fake-printer: cannot write %s: %s\n", c->tmp, strerror (errno));
			fake_printer_conn_discard (c);
			return;
		}
		off += w;
	}
	c->bytes += n;
}

static int
fake_printer_run (struct fake_printer *self)
{
	struct pollfd pfd[FAKE_PRINTER_MAX_CONN + 1];
	while (!fake_printer_stop) {
		size_t n = 0;
		pfd[n].fd = self->listen_fd;
		pfd[n++].events = POLLIN;
		for (size_t i = 0; i < FAKE_PRINTER_MAX_CONN; i++) {
			pfd[n].fd = self->conns[i].fd; /* negative fds are ignored */
			pfd[n++].events = POLLIN;
		}
		int r = poll (pfd, n, 1000);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf (stderr, "fake-printer: poll: %s\n", strerror (errno));
			return -1;
		}
		for (size_t i = 0; i < FAKE_PRINTER_MAX_CONN; i++)
			if (self->conns[i].fd >= 0 && (pfd[i + 1].revents & (POLLIN | POLLHUP | POLLERR)))
				fake_printer_read (self, &self->conns[i]);
		if (pfd[0].revents & POLLIN)
			fake_printer_accept (self);
	}
	return 0;
}

static int
fake_printer_free_port (void)
{
	int port;
	int fd = fake_printer_listen ("127.0.0.1", 0, &port);
	if (fd < 0)
		return 1;
	close (fd);
	printf ("%d\n", port);
	return 0;
}

int
main (int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "address", required_argument, NULL, 'a' },
		{ "port", required_argument, NULL, 'p' },
		{ "ext", required_argument, NULL, 'x' },
		{ "port-file", required_argument, NULL, 'P' },
		{ "free-port", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL, *addr = "127.0.0.1", *ext = "bin", *portfile = NULL;
	long port = 9100;
	int ch;
	while ((ch = getopt_long (argc, argv, "d:a:p:x:P:Fh", longopts, NULL)) != -1) {
		char *end;
		switch (ch) {
		case 'd': dir = optarg; break;
		case 'a': addr = optarg; break;
		case 'x': ext = optarg; break;
		case 'P': portfile = optarg; break;
		case 'F': return fake_printer_free_port ();
		case 'h': fake_printer_usage (stdout); return 0;
		case 'p':
			port = strtol (optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || port < 0 || port > 65535) {
				fprintf (stderr, "fake-printer: -p wants a port number 0-65535, not '%s'\n", optarg);
				return 2;
			}
			break;
		default: fake_printer_usage (stderr); return 2;
		}
	}
	if (dir == NULL || optind != argc) {
		fake_printer_usage (stderr);
		return 2;
	}
	if (strchr (ext, '/') != NULL || *ext == '\0') {
		fprintf (stderr, "fake-printer: -x wants a plain extension such as bin or zpl\n");
		return 2;
	}
	struct stat st;
	if (stat (dir, &st) != 0 || !S_ISDIR (st.st_mode)) {
		fprintf (stderr, "fake-printer: %s is not a folder; create it first\n", dir);
		return 2;
	}

	struct sigaction sa;
	memset (&sa, 0, sizeof sa);
	sa.sa_handler = fake_printer_on_signal;
	sigaction (SIGTERM, &sa, NULL);
	sigaction (SIGINT, &sa, NULL);
	signal (SIGPIPE, SIG_IGN);

	struct fake_printer self = { .dir = dir, .ext = ext };
	for (size_t i = 0; i < FAKE_PRINTER_MAX_CONN; i++)
		self.conns[i].fd = self.conns[i].out = -1;
	self.next_job = fake_printer_last_job (dir);
	int bound;
	self.listen_fd = fake_printer_listen (addr, (int) port, &bound);
	if (self.listen_fd < 0)
		return 1;
	if (portfile) {
		char tmp[PATH_MAX];
		snprintf (tmp, sizeof tmp, "%s.tmp", portfile);
		FILE *f = fopen (tmp, "w");
		if (f == NULL || fprintf (f, "%d\n", bound) < 0 || fclose (f) != 0 || rename (tmp, portfile) != 0) {
			fprintf (stderr, "fake-printer: cannot write %s: %s\n", portfile, strerror (errno));
			return 1;
		}
	}
	int rc = fake_printer_run (&self);
	for (size_t i = 0; i < FAKE_PRINTER_MAX_CONN; i++)
		fake_printer_conn_discard (&self.conns[i]);
	close (self.listen_fd);
	return rc == 0 ? 0 : 1;
}
