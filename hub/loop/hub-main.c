/* hub-main.c: despatch-hub, the command line and start-up. */
#include "config.h"
#include "conf.h"
#include "hub/store/hub-backup.h"
#include "hub/store/hub-demo.h"
#include "hub-notify.h"
#include "hub-reload.h"
#include "hub-server.h"
#include "hub/store/hub-store.h"
#include "log.h"
#include "proto.h"
#include "secret.h"
#include "util.h"

#include <czmq.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
				free (cause);
				conf_destroy (&overrides);
				return 2;
			}
			break;
		case 'D': demo_dir = optarg; break;
		case 'S': use_syslog = 1; break;
		case 'v': verbose = 1; break;
		case 'V':
			printf ("despatch-hub %s (protocol %d)\n", PACKAGE_VERSION, PROTO_VERSION);
			conf_destroy (&overrides);
			return 0;
		case 'h':
			hub_main_usage (stdout);
			conf_destroy (&overrides);
			return 0;
		default:
			hub_main_usage (stderr);
			conf_destroy (&overrides);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf (stderr, "despatch-hub: unexpected argument '%s'\n", argv[optind]);
		hub_main_usage (stderr);
		conf_destroy (&overrides);
		return 2;
	}
	/* The settings as a reload reads them (hub-reload.h): a file a running hub would refuse does not start one. */
	hub_reload_t *reload = hub_reload_new (config_path, &overrides, verbose);
	conf_t *conf = hub_reload_read (reload, &cause);
	if (conf == NULL) {
		fprintf (stderr, "despatch-hub: %s\n", cause);
		free (cause);
		hub_reload_destroy (&reload);
		return 2;
	}
	log_open ("despatch-hub", hub_reload_level (reload, conf), use_syslog || conf_get_bool (conf, "log.syslog", false));
	hub_reload_warn_unknown (conf);
	hub_notify_init ();

	/* The strings of opt point into conf, which lives until exit; the loop reads (and a reload
	 * replaces) a copy of its own. */
	struct hub_options opt = { .reload = reload };
	hub_reload_options (conf, &opt, true);
	opt.conf = conf_dup (conf);
	/* The keys live next to the database unless told otherwise (hub-curve.h). */
	const char *slash = strrchr (opt.database, '/');
	char *keys_dflt = slash ? xasprintf ("%.*s/keys", (int) (slash - opt.database), opt.database) : xstrdup ("keys");
	opt.keys_dir = conf_get (conf, "security.keys_dir", keys_dflt);
	/* A database the hub migrates is copied first, into the backup folder (store/hub-backup.h). */
	hub_backup_set_migration_dir (conf_get (conf, "backup.dir", NULL));
	int rc = 1;
	hub_server_t *hub = NULL;
	if (hub_reload_catch (reload, &cause) != 0) {
		log_error ("%s", cause);
		fprintf (stderr, "despatch-hub: %s\n", cause);
		free (cause);
		goto out;
	}
	if (secret_init () != 0) {
		log_error ("cannot initialise the password-hash library");
		goto out;
	}
	zsys_init ();
	zsys_set_logsystem (false);
	hub = hub_server_new (&opt, &cause);
	if (hub == NULL) {
		log_error ("%s", cause);
		fprintf (stderr, "despatch-hub: %s\n", cause);
		free (cause);
		goto out;
	}
	if (demo_dir && hub_demo_load (hub_server_db (hub), demo_dir, &cause) != 0) {
		log_error ("demo data not loaded: %s", cause);
		fprintf (stderr, "despatch-hub: demo data not loaded: %s\n", cause);
		free (cause);
		goto out;
	}
	rc = hub_server_run (hub);
out:
	hub_server_destroy (&hub);
	free (keys_dflt);
	conf_destroy (&opt.conf);
	conf_destroy (&conf);
	hub_reload_destroy (&reload);
	hub_backup_set_migration_dir (NULL);
	log_close ();
	return rc;
}
