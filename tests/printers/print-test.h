/*
 * print-test.h: a private cupsd for one C test, started with
 * printers/cups-private and stopped at exit (also on a fatal signal).
 * Waits are bounded in count; nothing asserts on time.
 */
#ifndef DSP_PRINT_TEST_H
#define DSP_PRINT_TEST_H

#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"

#define PRINT_TEST_WAIT_STEPS 1200 /* x 50 ms: a minute at most per wait */

struct print_test {
	char dir[PATH_MAX];
	char socket[PATH_MAX];
	char host[64];
	char script[PATH_MAX];
	char fake[PATH_MAX];
};

static struct print_test print_test_self;
static bool print_test_started;

static void
print_test_stop (void)
{
	if (!print_test_started)
		return;
	print_test_started = false;
	char *cmd = xasprintf ("'%s' stop '%s' >/dev/null 2>&1; rm -rf '%s'", print_test_self.script,
	    print_test_self.dir, print_test_self.dir);
	if (system (cmd) != 0)
		fprintf (stderr, "print-test: stopping the private cupsd failed\n");
	free (cmd);
}

static void
print_test_on_signal (int sig)
{
	print_test_stop ();
	signal (sig, SIG_DFL);
	raise (sig);
}

/* Value of KEY='value' in the env file. */
static inline bool
print_test_env (const char *key, char *out, size_t n)
{
	char path[PATH_MAX + 8], line[2 * PATH_MAX];
	snprintf (path, sizeof path, "%s/env", print_test_self.dir);
	FILE *f = fopen (path, "r");
	if (f == NULL)
		return false;
	bool found = false;
	size_t klen = strlen (key);
	while (!found && fgets (line, sizeof line, f)) {
		if (strncmp (line, key, klen) != 0 || line[klen] != '=' || line[klen + 1] != '\'')
			continue;
		char *v = line + klen + 2, *end = strchr (v, '\'');
		if (end) {
			*end = '\0';
			snprintf (out, n, "%s", v);
			found = true;
		}
	}
	fclose (f);
	return found;
}

/* Start cupsd, fake printers and queues (label, fallback, docs); false on failure. */
static inline bool
print_test_start (void)
{
	struct print_test *t = &print_test_self;
	const char *src = getenv ("top_srcdir"), *build = getenv ("top_builddir");
	snprintf (t->script, sizeof t->script, "%s/printers/cups-private", src ? src : ".");
	snprintf (t->fake, sizeof t->fake, "%s/printers/fake-printer", build ? build : ".");
	snprintf (t->dir, sizeof t->dir, "/tmp/dsp-print-XXXXXX");
	if (mkdtemp (t->dir) == NULL)
		return false;
	print_test_started = true;
	atexit (print_test_stop);
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGABRT, SIGSEGV };
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		signal (sigs[i], print_test_on_signal);
	char *cmd = xasprintf ("'%s' start '%s' --fake-printer '%s' >/dev/null", t->script, t->dir, t->fake);
	int rc = system (cmd);
	free (cmd);
	if (rc != 0)
		return false;
	return print_test_env ("DSP_CUPS_SOCKET", t->socket, sizeof t->socket)
	    && print_test_env ("DSP_CUPS_HOST", t->host, sizeof t->host);
}

/* Switch the fake printer behind queue off or on. */
static inline bool
print_test_printer (const char *queue, bool up)
{
	char *cmd = xasprintf ("'%s' printer-%s '%s' '%s'", print_test_self.script, up ? "up" : "down",
	    print_test_self.dir, queue);
	int rc = system (cmd);
	free (cmd);
	return rc == 0;
}

/* Run cups-private's stop or start on this test's folder. */
static inline bool
print_test_script (const char *command)
{
	char *cmd = xasprintf ("'%s' %s '%s' --fake-printer '%s' >/dev/null", print_test_self.script, command,
	    print_test_self.dir, print_test_self.fake);
	int rc = system (cmd);
	free (cmd);
	return rc == 0;
}

/* Run a CUPS command-line tool against the private server ("cupsdisable label"). */
static inline bool
print_test_cups_tool (const char *tool, const char *queue)
{
	char *cmd = xasprintf ("%s -h '%s' '%s' >/dev/null 2>&1", tool, print_test_self.socket, queue);
	int rc = system (cmd);
	free (cmd);
	return rc == 0;
}

/* cupsd's pid (to stop it with SIGSTOP and let it go on with SIGCONT), or -1. */
static inline int
print_test_cupsd_pid (void)
{
	char path[PATH_MAX + 32];
	snprintf (path, sizeof path, "%s/run/cupsd.pid", print_test_self.dir);
	FILE *f = fopen (path, "r");
	int pid = -1;
	if (f && fscanf (f, "%d", &pid) != 1)
		pid = -1;
	if (f)
		fclose (f);
	return pid;
}

/* The loopback port of the fake printer behind queue, or -1. */
static inline int
print_test_port (const char *queue)
{
	char key[PATH_MAX], value[32];
	snprintf (key, sizeof key, "DSP_PORT_%s", queue);
	return print_test_env (key, value, sizeof value) ? atoi (value) : -1;
}

/* Run a shell command with PRINT_TEST_SOCK and PRINT_TEST_DIR set; true if it exits 0. */
static inline bool
print_test_shell (const char *command)
{
	char *cmd = xasprintf ("PRINT_TEST_SOCK='%s' PRINT_TEST_DIR='%s'; %s", print_test_self.socket,
	    print_test_self.dir, command);
	int rc = system (cmd);
	free (cmd);
	return rc == 0;
}

/* How many jobs the fake printer behind queue has saved. */
static inline int
print_test_count (const char *queue)
{
	char path[PATH_MAX + 64];
	snprintf (path, sizeof path, "%s/out/%s", print_test_self.dir, queue);
	DIR *d = opendir (path);
	if (d == NULL)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir (d)) != NULL)
		if (strncmp (e->d_name, "job-", 4) == 0)
			n++;
	closedir (d);
	return n;
}

/* Job number n (1-based) the fake printer behind queue saved; caller frees. */
static inline char *
print_test_read (const char *queue, int n, const char *ext, size_t *len)
{
	char path[PATH_MAX + 64];
	snprintf (path, sizeof path, "%s/out/%s/job-%04d.%s", print_test_self.dir, queue, n, ext);
	FILE *f = fopen (path, "rb");
	if (f == NULL)
		return NULL;
	size_t cap = 4096;
	char *buf = malloc (cap);
	*len = 0;
	size_t r;
	while (buf && (r = fread (buf + *len, 1, cap - *len, f)) > 0) {
		*len += r;
		if (*len == cap)
			buf = realloc (buf, cap *= 2);
	}
	fclose (f);
	return buf;
}

/* Wait until the fake printer behind queue has saved want jobs; false if it never does. */
static inline bool
print_test_wait_count (const char *queue, int want)
{
	for (int i = 0; i < PRINT_TEST_WAIT_STEPS; i++) {
		if (print_test_count (queue) >= want)
			return true;
		usleep (50 * 1000);
	}
	return false;
}

#endif
