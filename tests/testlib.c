/* testlib.c: temp folders and a real hub process for the tests. */
#include "config.h"
#include "testlib.h"
#include "db.h"
#include "util.h"

#include <czmq.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

/* DSP_TEST_SLOW=N stretches the bounds on a hub's start and stop N times (under valgrind). */
static int
testlib_slow (void)
{
	const char *s = getenv ("DSP_TEST_SLOW");
	int n = s ? atoi (s) : 1;
	return n < 1 ? 1 : n > 100 ? 100 : n;
}

static struct testlib_hub *testlib_hubs[8];
static char testlib_dirs[8][256];
static int testlib_ndirs;

static void
testlib_cleanup (void)
{
	for (size_t i = 0; i < nitems (testlib_hubs); i++)
		if (testlib_hubs[i] && testlib_hubs[i]->pid > 0)
			testlib_hub_kill (testlib_hubs[i]);
	if (getenv ("DSP_KEEP_TMP"))
		return;
	for (int i = 0; i < testlib_ndirs; i++) {
		char *cmd = xasprintf ("rm -rf '%s'", testlib_dirs[i]);
		if (system (cmd) != 0)
			fprintf (stderr, "# could not remove %s\n", testlib_dirs[i]);
		free (cmd);
	}
}

void
testlib_tmpdir (char *dir, size_t n)
{
	const char *base = getenv ("TMPDIR");
	snprintf (dir, n, "%s/dsp-test-XXXXXX", base && *base ? base : "/tmp");
	if (mkdtemp (dir) == NULL) {
		perror ("mkdtemp");
		exit (99);
	}
	if (testlib_ndirs == 0)
		atexit (testlib_cleanup);
	if (testlib_ndirs < 8)
		util_strlcpy (testlib_dirs[testlib_ndirs++], dir, sizeof testlib_dirs[0]);
}

static const char *const *testlib_extra_saved[8];

static int
testlib_hub_spawn (struct testlib_hub *hub, const char *const *extra)
{
	const char *top = getenv ("top_builddir");
	const char *src = getenv ("top_srcdir");
	char *bin = xasprintf ("%s/hub/despatch-hub", top ? top : ".");
	char *demo = xasprintf ("%s/data/demo", src ? src : ".");
	char *log = xasprintf ("%s/hub.log", hub->dir);
	const char *argv[64];
	int n = 0;
	argv[n++] = bin;
	argv[n++] = "--endpoint";
	argv[n++] = hub->endpoint;
	argv[n++] = "--database";
	argv[n++] = hub->database;
	argv[n++] = "--demo-data";
	argv[n++] = demo;
	/* Plain sockets unless the test asked for CURVE (testlib_hub_start_curve). */
	char *keys_set = xasprintf ("security.keys_dir=%s", hub->keys);
	argv[n++] = "--set";
	argv[n++] = hub->keys[0] ? "security.curve=yes" : "security.curve=no";
	if (hub->keys[0]) {
		argv[n++] = "--set";
		argv[n++] = keys_set;
	}
	for (int i = 0; extra && extra[i] && n < 60; i++) {
		if (strncmp (extra[i], "--", 2) != 0) /* an option of its own ("--config=FILE") goes as it is */
			argv[n++] = "--set";
		argv[n++] = extra[i];
	}
	argv[n] = NULL;
	fflush (NULL);
	pid_t pid = fork ();
	if (pid == 0) {
#ifdef __linux__
		/* A test that crashes takes its hub with it, so the hub cannot hold make check's pipe open. */
		prctl (PR_SET_PDEATHSIG, SIGTERM);
#endif
		FILE *f = freopen (log, "a", stderr);
		(void) f;
		execv (bin, (char *const *) argv);
		perror ("execv despatch-hub");
		_exit (127);
	}
	free (bin);
	free (demo);
	free (log);
	free (keys_set);
	if (pid < 0)
		return -1;
	hub->pid = pid;
	/* Ready when it answers a PING; bounded to about 10 s. */
	char *probe_keys = xasprintf ("%s/terminals/test-probe", hub->keys);
	client_t *c = hub->keys[0] ? client_new_secure (hub->endpoint, "test-probe", probe_keys, NULL)
	                           : client_new (hub->endpoint, "test-probe", NULL);
	free (probe_keys);
	for (int i = 0; i < 50 * testlib_slow () && c; i++) {
		proto_msg_t *ping = proto_msg_new (PROTO_PING);
		proto_msg_set_seq (ping, (uint32_t) i + 1);
		proto_msg_t *r = client_call (c, ping, 200, 1);
		proto_msg_destroy (&ping);
		if (r) {
			proto_msg_destroy (&r);
			client_destroy (&c);
			return 0;
		}
		int status;
		if (waitpid (pid, &status, WNOHANG) == pid) {
			hub->pid = 0;
			break;
		}
	}
	client_destroy (&c);
	return -1;
}

/* A hub killed at exit, and started again with the same extra by testlib_hub_restart. */
static int
testlib_hub_keep (struct testlib_hub *hub, const char *const *extra)
{
	for (size_t i = 0; i < nitems (testlib_hubs); i++)
		if (testlib_hubs[i] == NULL || testlib_hubs[i] == hub) {
			testlib_hubs[i] = hub;
			testlib_extra_saved[i] = extra;
			break;
		}
	return testlib_hub_spawn (hub, extra);
}

void
testlib_hub_folder (struct testlib_hub *hub)
{
	hub->keys[0] = '\0';
	testlib_tmpdir (hub->dir, sizeof hub->dir);
	snprintf (hub->endpoint, sizeof hub->endpoint, "ipc://%s/hub.sock", hub->dir);
	snprintf (hub->database, sizeof hub->database, "%s/despatch.db", hub->dir);
}

int
testlib_hub_start (struct testlib_hub *hub, const char *const *extra)
{
	testlib_hub_folder (hub);
	return testlib_hub_keep (hub, extra);
}

bool
testlib_hub_killed (struct testlib_hub *hub, int ms)
{
	for (int i = 0; i < ms / 10; i++) {
		int status;
		if (waitpid (hub->pid, &status, WNOHANG) == hub->pid) {
			hub->pid = 0;
			return WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL;
		}
		usleep (10000);
	}
	return false;
}

int
testlib_keys (struct testlib_hub *hub, const char *what, const char *name)
{
	const char *top = getenv ("top_builddir");
	char *cmd = xasprintf ("'%s/admin/despatch' keys %s '%s' %s >/dev/null", top ? top : ".", what, hub->keys,
	    name ? name : "");
	int rc = system (cmd);
	free (cmd);
	return WIFEXITED (rc) ? WEXITSTATUS (rc) : -1;
}

int
testlib_hub_start_curve (struct testlib_hub *hub, const char *const *extra)
{
	testlib_hub_folder (hub);
	snprintf (hub->keys, sizeof hub->keys, "%s/keys", hub->dir);
	if (testlib_keys (hub, "init", NULL) != 0 || testlib_keys (hub, "enrol", "test-probe") != 0)
		return -1;
	return testlib_hub_keep (hub, extra);
}

int
testlib_hub_start_at (struct testlib_hub *hub, const char *const *extra)
{
	return testlib_hub_keep (hub, extra);
}

int
testlib_hub_restart (struct testlib_hub *hub)
{
	for (size_t i = 0; i < nitems (testlib_hubs); i++)
		if (testlib_hubs[i] == hub)
			return testlib_hub_spawn (hub, testlib_extra_saved[i]);
	return testlib_hub_spawn (hub, NULL);
}

int
testlib_hub_stop (struct testlib_hub *hub)
{
	if (hub->pid <= 0)
		return -1;
	kill (hub->pid, SIGTERM);
	for (int i = 0; i < 1000 * testlib_slow (); i++) {
		int status;
		pid_t w = waitpid (hub->pid, &status, WNOHANG);
		if (w == hub->pid) {
			hub->pid = 0;
			return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
		}
		usleep (10000);
	}
	testlib_hub_kill (hub);
	return -1;
}

void
testlib_hub_kill (struct testlib_hub *hub)
{
	if (hub->pid <= 0)
		return;
	kill (hub->pid, SIGKILL);
	waitpid (hub->pid, NULL, 0);
	hub->pid = 0;
}

static proto_msg_t *
testlib_call (client_t *c, proto_msg_t *m, uint32_t seq)
{
	proto_msg_set_seq (m, seq);
	proto_msg_t *r = client_call (c, m, 2000, 3);
	proto_msg_destroy (&m);
	return r;
}

proto_msg_t *
testlib_hello (client_t *c, uint32_t seq, const char *station)
{
	proto_msg_t *m = proto_msg_new (PROTO_HELLO);
	proto_set_str (m, PROTO_HELLO_STATION, station);
	proto_set_str (m, PROTO_HELLO_PROFILE, "bench");
	proto_set_str (m, PROTO_HELLO_SOFTWARE, "tests");
	return testlib_call (c, m, seq);
}

proto_msg_t *
testlib_login (client_t *c, uint32_t seq, const char *badge, const char *pin)
{
	proto_msg_t *m = proto_msg_new (PROTO_LOGIN);
	proto_set_str (m, PROTO_LOGIN_BADGE, badge);
	proto_set_str (m, PROTO_LOGIN_PIN, pin);
	return testlib_call (c, m, seq);
}

proto_msg_t *
testlib_scan (client_t *c, uint32_t seq, const char *step, const char *code)
{
	proto_msg_t *m = proto_msg_new (PROTO_SCAN);
	proto_set_str (m, PROTO_SCAN_STEP, step);
	proto_set_str (m, PROTO_SCAN_CODE, code);
	return testlib_call (c, m, seq);
}

proto_msg_t *
testlib_command (client_t *c, uint32_t seq, const char *name, ...)
{
	proto_msg_t *m = proto_msg_new (PROTO_COMMAND);
	proto_set_str (m, PROTO_COMMAND_NAME, name);
	va_list ap;
	va_start (ap, name);
	const char *k;
	while ((k = va_arg (ap, const char *)) != NULL) {
		const char *v = va_arg (ap, const char *);
		proto_hash_set (m, PROTO_COMMAND_ARGS, k, v);
	}
	va_end (ap);
	return testlib_call (c, m, seq);
}

int
testlib_child_wait (pid_t pid, int ms)
{
	int status = 0;
	for (int i = 0; i < ms / 10; i++) {
		if (waitpid (pid, &status, WNOHANG) == pid)
			return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
		usleep (10000);
	}
	kill (pid, SIGKILL);
	waitpid (pid, NULL, 0);
	return -1;
}

int
testlib_status (const proto_msg_t *r)
{
	if (r == NULL || proto_msg_id (r) != PROTO_REPLY)
		return -1;
	return (int) proto_get_num (r, PROTO_REPLY_STATUS);
}

int
testlib_reason (const proto_msg_t *r)
{
	if (r == NULL)
		return -1;
	if (proto_msg_id (r) == PROTO_ERROR)
		return (int) proto_get_num (r, PROTO_ERROR_REASON);
	return (int) proto_get_num (r, PROTO_REPLY_REASON);
}

const char *
testlib_text (const proto_msg_t *r)
{
	if (r == NULL)
		return "(no reply)";
	return proto_get_str (r, proto_msg_id (r) == PROTO_ERROR ? PROTO_ERROR_TEXT : PROTO_REPLY_TEXT);
}

long long
testlib_sql_int (const char *database, const char *sql)
{
	char *cause = NULL;
	db_t *db = db_open (database, DB_READONLY, &cause);
	if (db == NULL) {
		fprintf (stderr, "# %s\n", cause);
		free (cause);
		return -1;
	}
	long long v = db_query_int (db, sql, -1);
	db_close (&db);
	return v;
}

char *
testlib_sql_text (const char *database, const char *sql)
{
	char *cause = NULL;
	db_t *db = db_open (database, DB_READONLY, &cause);
	if (db == NULL) {
		fprintf (stderr, "# %s\n", cause);
		free (cause);
		return NULL;
	}
	char *v = db_query_text (db, sql);
	db_close (&db);
	return v;
}

int
testlib_hub_log_count (const struct testlib_hub *hub, const char *text)
{
	char *path = xasprintf ("%s/hub.log", hub->dir);
	FILE *f = fopen (path, "r");
	free (path);
	if (f == NULL)
		return 0;
	int n = 0;
	char line[4096];
	while (fgets (line, sizeof line, f))
		if (strstr (line, text))
			n++;
	fclose (f);
	return n;
}

char *
testlib_hub_log_line (const struct testlib_hub *hub, const char *text)
{
	char *path = xasprintf ("%s/hub.log", hub->dir);
	FILE *f = fopen (path, "r");
	free (path);
	char line[4096], *last = NULL;
	while (f && fgets (line, sizeof line, f))
		if (strstr (line, text)) {
			free (last);
			last = xstrdup (line);
		}
	if (f)
		fclose (f);
	return last;
}

char *
testlib_run (const char *cmd)
{
	FILE *p = popen (cmd, "r");
	char *buf = xcalloc (1, 1 << 16);
	size_t n = p ? fread (buf, 1, (1 << 16) - 1, p) : 0;
	buf[n] = '\0';
	if (p)
		pclose (p);
	return buf;
}
