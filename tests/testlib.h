/*
 * testlib.h: what the end-to-end C tests share: a temporary folder, a real
 * hub process on an ipc:// endpoint in it, and a few request helpers.
 * Every process a test starts is stopped by testlib_hub_stop (also called
 * from an atexit handler, so a failing test leaves nothing running).
 */
#ifndef DSP_TESTLIB_H
#define DSP_TESTLIB_H

#include <stdint.h>
#include <sys/types.h>

#include "client.h"
#include "proto.h"

struct testlib_hub {
	char dir[256];      /* temporary folder, removed at exit */
	char endpoint[300];
	char database[300];
	pid_t pid;
	char keys[300];     /* CURVE key folder when started by testlib_hub_start_curve, else "" */
};

/* A fresh temp folder (under $TMPDIR) for this test; path into dir. */
void testlib_tmpdir (char *dir, size_t n);
/* Start despatch-hub from $top_builddir with the demo data, plus extra "--set k=v" args
 * (NULL-terminated; an extra that starts with "--", such as "--config=FILE", is passed as it is); returns 0 once it answers a PING, -1 otherwise (after about 10 s,
 * times $DSP_TEST_SLOW if set, for a hub run under valgrind). */
int testlib_hub_start (struct testlib_hub *hub, const char *const *extra);
/* Hubs from testlib_hub_start run with security.curve=no (plain sockets);
 * this one runs with CURVE on: keys made by despatch keys init in DIR/keys,
 * "test-probe" enrolled for the readiness probe. Connect with
 * client_new_secure (endpoint, id, "KEYS/terminals/NAME") after testlib_keys
 * ("enrol", NAME). */
int testlib_hub_start_curve (struct testlib_hub *hub, const char *const *extra);
/* Run "despatch keys WHAT hub->keys NAME"; its exit status. */
int testlib_keys (struct testlib_hub *hub, const char *what, const char *name);
/* SIGTERM, wait up to 10 s (times $DSP_TEST_SLOW), then SIGKILL; returns the exit status or -1. */
int testlib_hub_stop (struct testlib_hub *hub);
/* SIGKILL at once (crash tests). */
void testlib_hub_kill (struct testlib_hub *hub);
/* Start on the folder, endpoint and database the caller put in hub (a
 * database on a disk of its own), with extra as testlib_hub_start. */
int testlib_hub_start_at (struct testlib_hub *hub, const char *const *extra);
/* A fresh folder for a hub, its endpoint and database in it, no keys (as testlib_hub_start makes): for a
 * caller that names files in it before testlib_hub_start_at. */
void testlib_hub_folder (struct testlib_hub *hub);
/* Wait at most ms for a hub that is to kill itself (a crash point): true once it has died of SIGKILL. */
bool testlib_hub_killed (struct testlib_hub *hub, int ms);
/* Restart on the same folder, endpoint and database. */
int testlib_hub_restart (struct testlib_hub *hub);

/* Requests; each returns the reply (caller destroys) or NULL after 3 tries of 2 s. */
proto_msg_t *testlib_hello (client_t *c, uint32_t seq, const char *station);
proto_msg_t *testlib_login (client_t *c, uint32_t seq, const char *badge, const char *pin);
proto_msg_t *testlib_scan (client_t *c, uint32_t seq, const char *step, const char *code);
/* A COMMAND with args given as "key", "value", ..., NULL. */
proto_msg_t *testlib_command (client_t *c, uint32_t seq, const char *name, ...);

/* Reply helpers: status/reason (or -1 for a NULL or non-REPLY). */
int testlib_status (const proto_msg_t *r);
int testlib_reason (const proto_msg_t *r);
const char *testlib_text (const proto_msg_t *r);

/* Run one SQL query in the database file read-only; the first column of the first row as int. */
long long testlib_sql_int (const char *database, const char *sql);

/* A child's exit status once it ends, waited for at most ms (then SIGKILLed and reaped: -1; -1 too when a
 * signal ended it). */
int testlib_child_wait (pid_t pid, int ms);

/* Run a shell command and return its standard output, at most 64 KiB (caller frees). */
char *testlib_run (const char *cmd);
/* How many lines of the hub's log (DIR/hub.log, where testlib_hub_start sends its stderr) contain text. */
int testlib_hub_log_count (const struct testlib_hub *hub, const char *text);
/* The last line of the hub's log that holds text (caller frees), NULL when none. */
char *testlib_hub_log_line (const struct testlib_hub *hub, const char *text);

/* The same, as text (caller frees; NULL when no row). */
char *testlib_sql_text (const char *database, const char *sql);

#endif
