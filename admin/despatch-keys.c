/*
 * despatch-keys.c: "despatch keys", the hub's CURVE keys (hub-curve.h).
 *
 *   despatch keys init DIR            the key folder and the hub's certificate
 *   despatch keys enrol DIR NAME      a key for terminal (or integration) NAME
 *   despatch keys revoke DIR NAME     take NAME off the allow-list
 *   despatch keys rename DIR OLD NEW  the key enrolled as OLD is terminal NEW from now on
 *   despatch keys list DIR            who is enrolled, who is revoked
 *
 * The running hub reads the allow-list at each connection and drops every
 * connection within a second of a revocation or a rename, so no restart is
 * needed. A key is a terminal: the hub takes a message's terminal id from
 * the key that sent it, so moving a device to another id is this explicit
 * rename, never a matter of the device saying so.
 */
#include "config.h"
#include "despatch.h"
#include "hub/loop/hub-curve.h"
#include "util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
despatch_keys_usage (FILE *f, int rc)
{
	fprintf (f,
	    "usage: despatch keys init DIR | enrol DIR NAME | revoke DIR NAME | rename DIR OLD NEW | list DIR\n"
	    "  init DIR          make the key folder and the hub's certificate (kept when there is one)\n"
	    "  enrol DIR NAME    a certificate for terminal or integration NAME; install the folder\n"
	    "                    DIR/terminals/NAME on it (despatch-term --keys DIR/terminals/NAME)\n"
	    "  revoke DIR NAME   take NAME off the allow-list; the hub drops its connection at once\n"
	    "  rename DIR OLD NEW  the key enrolled as OLD becomes terminal NEW (its folder moves to\n"
	    "                    DIR/terminals/NEW); the hub drops its connection, and from then on\n"
	    "                    refuses its messages as OLD\n"
	    "  list DIR          enrolled and revoked names\n"
	    "DIR is the hub's security.keys_dir. Exit status: 0 done, 1 refused, 2 usage.\n");
	return rc;
}

static int
despatch_keys_init (int argc, char **argv)
{
	if (argc != 1)
		return despatch_keys_usage (stderr, 2);
	char *cause = NULL;
	int rc = hub_curve_init_dir (argv[0], &cause);
	if (rc < 0) {
		fprintf (stderr, "despatch keys: %s\n", cause);
		free (cause);
		return 1;
	}
	printf ("%s: hub certificate %s (%s/hub.cert)\n", argv[0], rc == 0 ? "made" : "already there, kept", argv[0]);
	return 0;
}

static int
despatch_keys_enrol (int argc, char **argv)
{
	if (argc != 2)
		return despatch_keys_usage (stderr, 2);
	char *cause = NULL;
	if (hub_curve_enrol (argv[0], argv[1], &cause) != 0) {
		fprintf (stderr, "despatch keys: %s\n", cause);
		free (cause);
		return 1;
	}
	printf ("%s enrolled: install %s/terminals/%s on it (despatch-term --keys that folder)\n", argv[1], argv[0],
	    argv[1]);
	return 0;
}

static int
despatch_keys_revoke (int argc, char **argv)
{
	if (argc != 2)
		return despatch_keys_usage (stderr, 2);
	char *cause = NULL;
	if (hub_curve_revoke (argv[0], argv[1], &cause) != 0) {
		fprintf (stderr, "despatch keys: %s\n", cause);
		free (cause);
		return 1;
	}
	printf ("%s revoked: its key is refused from now on (kept in %s/revoked)\n", argv[1], argv[0]);
	return 0;
}

static int
despatch_keys_rename (int argc, char **argv)
{
	if (argc != 3)
		return despatch_keys_usage (stderr, 2);
	char *cause = NULL;
	if (hub_curve_rename (argv[0], argv[1], argv[2], &cause) != 0) {
		fprintf (stderr, "despatch keys: %s\n", cause);
		free (cause);
		return 1;
	}
	printf ("%s is now %s: the device keeps its key; set its terminal id to %s (the hub refuses %s from now on)\n",
	    argv[1], argv[2], argv[2], argv[1]);
	return 0;
}

static void
despatch_keys_list_one (const char *dir, const char *what)
{
	char *path = xasprintf ("%s/%s", dir, what);
	DIR *d = opendir (path);
	for (struct dirent *e; d && (e = readdir (d)) != NULL;) {
		size_t n = strlen (e->d_name);
		if (n > 5 && strcmp (e->d_name + n - 5, ".cert") == 0)
			printf ("%-8s %.*s\n", what, (int) (n - 5), e->d_name);
	}
	if (d)
		closedir (d);
	free (path);
}

static int
despatch_keys_list (int argc, char **argv)
{
	if (argc != 1)
		return despatch_keys_usage (stderr, 2);
	despatch_keys_list_one (argv[0], "allowed");
	despatch_keys_list_one (argv[0], "revoked");
	return 0;
}

static const struct {
	const char *name;
	int (*run) (int argc, char **argv);
} despatch_keys_commands[] = {
	{ "init", despatch_keys_init },
	{ "enrol", despatch_keys_enrol },
	{ "enroll", despatch_keys_enrol },
	{ "revoke", despatch_keys_revoke },
	{ "rename", despatch_keys_rename },
	{ "list", despatch_keys_list },
};

static int
despatch_keys_exec (db_t *none, int argc, char **argv)
{
	(void) none; /* the key folder, never the database */
	if (argc >= 2 && (strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "--help") == 0))
		return despatch_keys_usage (stdout, 0);
	for (size_t i = 0; argc >= 2 && i < nitems (despatch_keys_commands); i++)
		if (strcmp (argv[1], despatch_keys_commands[i].name) == 0)
			return despatch_keys_commands[i].run (argc - 2, argv + 2);
	return despatch_keys_usage (stderr, 2);
}

const struct despatch_cmd_entry despatch_keys_entry = {
	.name = "keys",
	.usage = "init|enrol|revoke|rename|list DIR [NAME [NEW]]",
	.help = "the hub's CURVE keys and terminal allow-list (despatch keys --help)",
	.flags = DESPATCH_CMD_OPTIONS | DESPATCH_CMD_NO_DATABASE,
	.exec = despatch_keys_exec,
};
