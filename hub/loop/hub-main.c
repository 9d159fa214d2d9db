/* hub-main.c: despatch-hub, the command line and start-up. */
#include "config.h"
#include "conf.h"
#include "hub/store/hub-demo.h"
#include "hub-server.h"
#include "hub/store/hub-store.h"
#include "hub/work/work-pin.h"
#include "log.h"
#include "proto.h"
#include "secret.h"
#include "util.h"

#include <czmq.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HUB_DEFAULT_ENDPOINT "tcp://127.0.0.1:5570"
#define HUB_DEFAULT_DATABASE "despatch.db"

/* PIN checking processes: one check at a time. Each fills 64 MB as fast as memory goes, and on a
 * 2-core machine a second one at once doubles what every other process loses to it, for half the wait. */
#define HUB_MAIN_PIN_HELPERS 1

static void
hub_main_usage (FILE *f)
{
	fprintf (f,
	    "usage: despatch-hub [options]\n"
	    "  -c, --config FILE       read settings from FILE (see despatch.conf(5))\n"
	    "  -e, --endpoint ADDR     ROUTER endpoint (default " HUB_DEFAULT_ENDPOINT ")\n"
	    "  -d, --database FILE     SQLite database (default ./" HUB_DEFAULT_DATABASE ")\n"
	    "  -s, --set SECTION.KEY=VALUE  override one setting\n"
	    "      --demo-data DIR     load the demo operators and orders into an empty database\n"
	    "      --syslog            log to syslog instead of standard error\n"
	    "  -v, --verbose           log debug messages\n"
	    "  -V, --version           print the version and exit\n"
	    "  -h, --help              print this help and exit\n");
}

static void
hub_main_override (const char *key, const char *value, void *arg)
{
	conf_set ((conf_t *) arg, key, value);
}

/* A numeric setting, or exit with a message that names it. */
static int
hub_main_int (conf_t *conf, const char *key, long dflt, long min, long max)
{
	long v;
	char *cause = NULL;
	if (conf_get_long (conf, key, dflt, min, max, &v, &cause) != 0) {
		fprintf (stderr, "despatch-hub: %s\n", cause);
		free (cause);
		exit (2);
	}
	return (int) v;
}

int
main (int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "endpoint", required_argument, NULL, 'e' },
		{ "database", required_argument, NULL, 'd' },
		{ "set", required_argument, NULL, 's' },
		{ "demo-data", required_argument, NULL, 'D' },
		{ "syslog", no_argument, NULL, 'S' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	conf_t *conf = conf_new ();
	conf_t *overrides = conf_new ();
	const char *config_path = NULL, *demo_dir = NULL;
	int use_syslog = 0, verbose = 0, c;
	char *cause = NULL;

	while ((c = getopt_long (argc, argv, "c:e:d:s:vVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': config_path = optarg; break;
		case 'e': conf_set (overrides, "hub.endpoint", optarg); break;
		case 'd': conf_set (overrides, "hub.database", optarg); break;
		case 's':
			if (conf_set_arg (overrides, optarg, &cause) != 0) {
				fprintf (stderr, "despatch-hub: %s\n", cause);
				return 2;
			}
			break;
		case 'D': demo_dir = optarg; break;
		case 'S': use_syslog = 1; break;
		case 'v': verbose = 1; break;
		case 'V':
			printf ("despatch-hub %s (protocol %d)\n", PACKAGE_VERSION, PROTO_VERSION);
			conf_destroy (&conf);
			conf_destroy (&overrides);
			return 0;
		case 'h':
			hub_main_usage (stdout);
			conf_destroy (&conf);
			conf_destroy (&overrides);
			return 0;
		default:
			hub_main_usage (stderr);
			conf_destroy (&conf);
			conf_destroy (&overrides);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf (stderr, "despatch-hub: unexpected argument '%s'\n", argv[optind]);
		hub_main_usage (stderr);
		return 2;
	}
	if (config_path && conf_load (conf, config_path, &cause) != 0) {
		fprintf (stderr, "despatch-hub: %s\n", cause);
		return 2;
	}
	/* Command-line settings win over the file. */
	conf_each (overrides, hub_main_override, conf);
	conf_destroy (&overrides);

	const char *level = conf_get (conf, "log.level", verbose ? "debug" : "info");
	int lvl = log_level_parse (level);
	if (lvl < 0) {
		fprintf (stderr, "despatch-hub: log.level = '%s': expected error, warn, info or debug\n", level);
		return 2;
	}
	log_open ("despatch-hub", verbose ? LOG_LVL_DEBUG : (enum log_level) lvl,
	    use_syslog || conf_get_bool (conf, "log.syslog", false));

	struct hub_options opt = {
		.endpoint = conf_get (conf, "hub.endpoint", HUB_DEFAULT_ENDPOINT),
		.database = conf_get (conf, "hub.database", HUB_DEFAULT_DATABASE),
		.heartbeat_ms = hub_main_int (conf, "hub.heartbeat_ms", 5000, 100, 600000),
		.expiry_ms = hub_main_int (conf, "hub.expiry_ms", 30000, 100, 3600000),
		.batch_max = hub_main_int (conf, "hub.batch_max", 512, 1, 65536),
		.max_failures = hub_main_int (conf, "security.max_pin_failures", 5, 1, 100),
		.lockout_s = hub_main_int (conf, "security.lockout_s", 900, 1, 86400),
		.idle_logout_s = hub_main_int (conf, "security.idle_logout_s", 3600, 0, 86400 * 7),
		.integration = conf_get (conf, "hub.integration", NULL),
		.inbox = conf_get (conf, "hub.inbox", NULL),
		.curve = conf_get_bool (conf, "security.curve", true),
		.retention_days = hub_main_int (conf, "privacy.retention_days", 0, 0, 36500),
		.conf = conf,
	};
	/* The keys live next to the database unless told otherwise (hub-curve.h). */
	const char *slash = strrchr (opt.database, '/');
	char *keys_dflt = slash ? xasprintf ("%.*s/keys", (int) (slash - opt.database), opt.database) : xstrdup ("keys");
	opt.keys_dir = conf_get (conf, "security.keys_dir", keys_dflt);
	/* A typo must not turn security off: only these words are taken. */
	const char *curve = conf_get (conf, "security.curve", "yes");
	if (!strstr (" yes true on 1 no false off 0 ", curve) || strchr (curve, ' ') || !*curve) {
		fprintf (stderr, "despatch-hub: security.curve = '%s': expected yes or no\n", curve);
		free (keys_dflt);
		conf_destroy (&conf);
		return 2;
	}
	if (secret_init () != 0) {
		log_error ("cannot initialise the password-hash library");
		return 1;
	}
	/* The PIN checkers are processes of their own, forked while this one has a single thread. */
	opt.pin_helpers = work_pin_helpers_start (HUB_MAIN_PIN_HELPERS, &cause);
	if (opt.pin_helpers == NULL) {
		log_error ("%s", cause);
		fprintf (stderr, "despatch-hub: %s\n", cause);
		free (cause);
		free (keys_dflt);
		conf_destroy (&conf);
		return 1;
	}
	zsys_init ();
	zsys_set_logsystem (false);
	hub_server_t *hub = hub_server_new (&opt, &cause);
	if (hub == NULL) {
		log_error ("%s", cause);
		fprintf (stderr, "despatch-hub: %s\n", cause);
		free (cause);
		work_pin_helpers_destroy (&opt.pin_helpers);
		free (keys_dflt);
		conf_destroy (&conf);
		return 1;
	}
	if (demo_dir && hub_demo_load (hub_server_db (hub), demo_dir, &cause) != 0) {
		log_error ("demo data not loaded: %s", cause);
		fprintf (stderr, "despatch-hub: demo data not loaded: %s\n", cause);
		free (cause);
		hub_server_destroy (&hub);
		work_pin_helpers_destroy (&opt.pin_helpers);
		free (keys_dflt);
		conf_destroy (&conf);
		return 1;
	}
	int rc = hub_server_run (hub);
	hub_server_destroy (&hub);
	work_pin_helpers_destroy (&opt.pin_helpers);
	free (keys_dflt);
	conf_destroy (&conf);
	log_close ();
	return rc;
}
