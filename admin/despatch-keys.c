/*
 * despatch-keys.c: "despatch keys", the hub's CURVE keys (hub-curve.h).
 *
 *   despatch keys init DIR                 the key folder and the hub's certificate
 *   despatch keys enrol DIR NAME           a key for terminal NAME
 *   despatch keys enrol DIR NAME --system  a key for system NAME (integration, events feed)
 *   despatch keys revoke DIR NAME          take NAME off its allow-list
 *   despatch keys rename DIR OLD NEW       the key enrolled as OLD is NEW from now on
 *   despatch keys list DIR                 who is enrolled, as what, who is revoked
 *
 * The running hub reads the allow-lists at each connection and drops the
 * connections of a kind within a second of a revocation or a rename, so no
 * restart is needed. A terminal key is a terminal: the hub takes a
 * message's terminal id from the key that sent it, so moving a device to
 * another id is this explicit rename, never a matter of the device saying
 * so. A system key is admitted on the events feed and the integration
 * endpoint only, a terminal key on the terminals' endpoint only.
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
	    "usage: despatch keys init DIR | enrol DIR NAME [--system] | revoke DIR NAME | rename DIR OLD NEW | "
	    "list DIR\n"
	    "  init DIR          make the key folder and the hub's certificate (kept when there is one)\n"
	    "  enrol DIR NAME    a certificate for terminal NAME; install the folder\n"
	    "                    DIR/terminals/NAME on it (despatch-term --keys DIR/terminals/NAME)\n"
	    "  enrol DIR NAME --system\n"
	    "                    a certificate for system NAME (an ERP pushing orders or tracking to\n"
	    "                    hub.integration, a subscriber to hub.events); install DIR/clients/NAME\n"
	    "                    on it (system.cert, system.cert_secret, hub.cert). Terminal keys are\n"
	    "                    refused there, system keys on the terminals' endpoint\n"
	    "  revoke DIR NAME   take NAME (either kind) off its allow-list; the hub drops its\n"
	    "                    connection at once\n"
	    "  rename DIR OLD NEW  the key enrolled as OLD becomes NEW, of the same kind (its folder\n"
	    "                    moves to DIR/terminals/NEW or DIR/clients/NEW); the hub drops its\n"
	    "                    connection, and from then on refuses its messages as OLD\n"
	    "  list DIR          enrolled and revoked names and their kinds\n"
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

/* enrol's words: DIR NAME, and --system (or --terminal, the default) anywhere among them. */
static int
despatch_keys_enrol (int argc, char **argv)
{
	const char *word[2] = { NULL, NULL };
	int words = 0;
	hub_curve_kind_t kind = HUB_CURVE_TERMINAL;
	for (int i = 0; i < argc; i++) {
		if (strcmp (argv[i], "--system") == 0)
			kind = HUB_CURVE_SYSTEM;
		else if (strcmp (argv[i], "--terminal") == 0)
			kind = HUB_CURVE_TERMINAL;
		else if (argv[i][0] == '-' && argv[i][1] == '-') {
			fprintf (stderr, "despatch keys: enrol takes --system or --terminal, not %s\n", argv[i]);
			return despatch_keys_usage (stderr, 2);
		} else if (words < 2)
			word[words++] = argv[i];
		else
			return despatch_keys_usage (stderr, 2);
	}
	if (words != 2)
		return despatch_keys_usage (stderr, 2);
	char *cause = NULL;
	if (hub_curve_enrol (word[0], word[1], kind, &cause) != 0) {
		fprintf (stderr, "despatch keys: %s\n", cause);
		free (cause);
		return 1;
	}
	if (kind == HUB_CURVE_SYSTEM)
		printf ("%s enrolled as a system: install %s/%s/%s on it (system.cert, system.cert_secret, hub.cert); "
		    "the events feed and the integration endpoint admit it, the terminals' endpoint does not\n", word[1],
		    word[0], hub_curve_kind_home (kind), word[1]);
	else
		printf ("%s enrolled as a terminal: install %s/%s/%s on it (despatch-term --keys that folder)\n", word[1],
		    word[0], hub_curve_kind_home (kind), word[1]);
	return 0;
}

static int
despatch_keys_revoke (int argc, char **argv)
{
	if (argc != 2)
		return despatch_keys_usage (stderr, 2);
	char *cause = NULL;
	int kind = hub_curve_kind_of (argv[0], argv[1]);
	if (hub_curve_revoke (argv[0], argv[1], &cause) != 0) {
		fprintf (stderr, "despatch keys: %s\n", cause);
		free (cause);
		return 1;
	}
	printf ("%s %s revoked: its key is refused from now on (kept in %s/revoked)\n",
	    hub_curve_kind_name ((hub_curve_kind_t) kind), argv[1], argv[0]);
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
	if (hub_curve_kind_of (argv[0], argv[2]) == HUB_CURVE_SYSTEM)
		printf ("system %s is now %s: it keeps its key (its folder is %s/%s/%s now)\n", argv[1], argv[2], argv[0],
		    hub_curve_kind_home (HUB_CURVE_SYSTEM), argv[2]);
	else
		printf ("%s is now %s: the device keeps its key; set its terminal id to %s (the hub refuses %s from now "
		    "on)\n", argv[1], argv[2], argv[2], argv[1]);
	return 0;
}

static int
despatch_keys_cmp (const void *a, const void *b)
{
	return strcmp (*(char *const *) a, *(char *const *) b);
}

/* One line for each NAME.cert in DIR/sub, by name: "STATE KIND NAME"; kind -1: from each revoked certificate. */
static void
despatch_keys_list_one (const char *dir, const char *sub, const char *state, int kind)
{
	char *path = xasprintf ("%s/%s", dir, sub);
	DIR *d = opendir (path);
	char **names = NULL;
	size_t count = 0;
	for (struct dirent *e; d && (e = readdir (d)) != NULL;) {
		size_t n = strlen (e->d_name);
		if (n > 5 && strcmp (e->d_name + n - 5, ".cert") == 0 && e->d_name[0] != '.') {
			names = xrealloc (names, (count + 1) * sizeof *names);
			names[count++] = xstrndup (e->d_name, n - 5);
		}
	}
	if (d)
		closedir (d);
	if (count > 1)
		qsort (names, count, sizeof *names, despatch_keys_cmp);
	for (size_t i = 0; i < count; i++) {
		hub_curve_kind_t k = (hub_curve_kind_t) kind;
		if (kind < 0) {
			char *file = xasprintf ("%s/%s.cert", path, names[i]);
			k = hub_curve_revoked_kind (file);
			free (file);
		}
		printf ("%-8s %-8s %s\n", state, hub_curve_kind_name (k), names[i]);
		free (names[i]);
	}
	free (names);
	free (path);
}

static int
despatch_keys_list (int argc, char **argv)
{
	if (argc != 1)
		return despatch_keys_usage (stderr, 2);
	despatch_keys_list_one (argv[0], hub_curve_kind_list (HUB_CURVE_TERMINAL), "enrolled", HUB_CURVE_TERMINAL);
	despatch_keys_list_one (argv[0], hub_curve_kind_list (HUB_CURVE_SYSTEM), "enrolled", HUB_CURVE_SYSTEM);
	despatch_keys_list_one (argv[0], "revoked", "revoked", -1);
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
	.usage = "init|enrol|revoke|rename|list DIR [NAME [NEW]] [--system]",
	.help = "the hub's CURVE keys: terminals' and systems' allow-lists (despatch keys --help)",
	.flags = DESPATCH_CMD_OPTIONS | DESPATCH_CMD_NO_DATABASE,
	.exec = despatch_keys_exec,
};
