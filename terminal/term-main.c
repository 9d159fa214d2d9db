/* term-main.c: despatch-term, the ncurses terminal: options and the event loop. */
#include "config.h"
#include "conf.h"
#include "log.h"
#include "term-curses.h"
#include "term.h"
#include "util.h"

#include <getopt.h>
#include <langinfo.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TERM_DEFAULT_ENDPOINT "tcp://127.0.0.1:5570"

static void
term_main_usage (FILE *f)
{
	fprintf (f,
	    "usage: despatch-term [options]\n"
	    "  -e, --endpoint ADDR     hub address (default " TERM_DEFAULT_ENDPOINT ")\n"
	    "  -t, --terminal ID       this terminal's id (default term-HOSTNAME)\n"
	    "  -S, --station NAME      station shown and sent to the hub (default: the id)\n"
	    "  -p, --profile PROFILE   handheld or bench (default handheld)\n"
	    "  -j, --journal FILE      local journal (default ./despatch-term-ID.journal)\n"
	    "  -k, --keys DIR          CURVE keys: DIR/terminal.cert, terminal.cert_secret and the hub's\n"
	    "                          hub.cert (despatch keys enrol makes it); without it, a plain socket\n"
	    "  -c, --config FILE       read settings from FILE ([terminal] section)\n"
	    "  -s, --set SECTION.KEY=VALUE  override one setting\n"
	    "  -m, --mono              monochrome: reverse video and symbols only\n"
	    "  -l, --log FILE          write the log to FILE (default: syslog)\n"
	    "  -v, --verbose           log debug messages\n"
	    "  -V, --version           print the version and exit\n"
	    "  -h, --help              print this help and exit\n");
}

static int
term_main_int (conf_t *conf, const char *key, long dflt, long min, long max)
{
	long v;
	char *cause = NULL;
	if (conf_get_long (conf, key, dflt, min, max, &v, &cause) != 0) {
		fprintf (stderr, "despatch-term: %s\n", cause);
		free (cause);
		exit (2);
	}
	return (int) v;
}

static volatile sig_atomic_t term_main_stop;

static void
term_main_signal (int sig)
{
	(void) sig;
	term_main_stop = 1;
}

/* SIGINT and SIGTERM end the loop (zmq_poll returns EINTR), so the screen
 * is restored and the journal closed; no SA_RESTART for that reason. */
static void
term_main_signals (void)
{
	struct sigaction sa;
	memset (&sa, 0, sizeof sa);
	sa.sa_handler = term_main_signal;
	sigemptyset (&sa.sa_mask);
	sigaction (SIGINT, &sa, NULL);
	sigaction (SIGTERM, &sa, NULL);
}

/* Keys in a burst are read together, then the screen is drawn once. */
static void
term_main_loop (struct term *t)
{
	int rows = 0, cols = 0;
	bool flashed = false;
	while (!t->quit && !term_main_stop) {
		int64_t now = util_mono_ms ();
		term_app_tick (t, now);
		int r, c;
		term_curses_size (&r, &c);
		if (r != rows || c != cols) {
			rows = r, cols = c;
			term_screen_resize (t->scr, rows, cols);
			t->dirty = true;
		}
		/* The flash is drawn, and undrawn at its deadline: nothing waits for it. */
		bool flash = term_app_flashing (t, now);
		if (t->dirty || flash != flashed) {
			term_app_layout (t);
			term_curses_draw (t->scr, flash);
			t->dirty = false;
			flashed = flash;
		}
		/* Sound after the screen, so the answer never waits for it; then the journal's wiping. */
		while (term_app_beep_due (t, now))
			term_curses_beep ();
		term_app_idle (t);
		/* One sleep for the keyboard and the hub (zmq_poll, in client.c). */
		struct pollfd keys = { term_curses_fd (), POLLIN, 0 };
		term_net_wait (t->net, &keys, 1, term_app_timeout (t, util_mono_ms ()));
		int k;
		while ((k = term_curses_key ()) >= 0) {
			/* Ctrl-C still leaves in raw mode; unsent scans stay in the journal for next time. */
			if (k == 0x03) {
				t->quit = true;
				break;
			}
			term_app_key (t, k, util_mono_ms ());
		}
	}
}

/* Everything after the options; the caller destroys both settings. Its exit status. */
static int
term_main_run (conf_t *overrides, conf_t *conf, const char *config_path, const char *log_path, bool verbose)
{
	char *cause = NULL;
	if (config_path && conf_load (conf, config_path, &cause) != 0) {
		fprintf (stderr, "despatch-term: %s\n", cause);
		free (cause);
		return 2;
	}
	/* Command-line settings win over the file (looked up first, below). */
	char host[64] = "unknown", dflt_id[80], dflt_journal[160];
	gethostname (host, sizeof host - 1);
	snprintf (dflt_id, sizeof dflt_id, "term-%s", host);

	struct term_options opt = { .flows = &term_flow_table };
	opt.endpoint = conf_get (overrides, "terminal.endpoint", conf_get (conf, "terminal.endpoint", TERM_DEFAULT_ENDPOINT));
	opt.terminal = conf_get (overrides, "terminal.id", conf_get (conf, "terminal.id", dflt_id));
	opt.station = conf_get (overrides, "terminal.station", conf_get (conf, "terminal.station", opt.terminal));
	opt.profile = conf_get (overrides, "terminal.profile", conf_get (conf, "terminal.profile", "handheld"));
	snprintf (dflt_journal, sizeof dflt_journal, "despatch-term-%s.journal", opt.terminal);
	opt.journal = conf_get (overrides, "terminal.journal", conf_get (conf, "terminal.journal", dflt_journal));
	opt.keys = conf_get (overrides, "terminal.keys", conf_get (conf, "terminal.keys", NULL));
	opt.mono = conf_get_bool (overrides, "terminal.mono", conf_get_bool (conf, "terminal.mono", false));
	opt.bench_stats = conf_get_bool (overrides, "terminal.bench_stats", false);
	long gap = term_main_int (overrides, "terminal.manual_gap_ms", term_main_int (conf, "terminal.manual_gap_ms", 60, 5, 5000), 5, 5000);
	long rto = term_main_int (overrides, "terminal.reply_timeout_ms",
	    term_main_int (conf, "terminal.reply_timeout_ms", 2000, 100, 600000), 100, 600000);
	opt.manual_gap_ms = (int) gap;
	opt.reply_timeout_ms = (int) rto;
	if (strcmp (opt.profile, "handheld") != 0 && strcmp (opt.profile, "bench") != 0) {
		fprintf (stderr, "despatch-term: profile must be handheld or bench, not '%s'\n", opt.profile);
		return 2;
	}
	if (strlen (opt.terminal) == 0 || strlen (opt.terminal) > PROTO_MAX_TERMINAL) {
		fprintf (stderr, "despatch-term: the terminal id must be 1-%d characters\n", PROTO_MAX_TERMINAL);
		return 2;
	}

	/* The screen is the terminal: logs go to a file or syslog, never to it. */
	if (log_path && freopen (log_path, "a", stderr) == NULL) {
		fprintf (stderr, "despatch-term: cannot write log %s\n", log_path);
		return 2;
	}
	setvbuf (stderr, NULL, _IOLBF, 0);
	log_open ("despatch-term", verbose ? LOG_LVL_DEBUG : LOG_LVL_INFO, log_path == NULL);
	/* Before curses starts: the screen counts columns in this character set, as curses draws them. */
	if (!term_screen_locale ())
		log_warn ("the locale's character set is %s, not UTF-8: names it cannot show are drawn as '?'",
		    nl_langinfo (CODESET));
	term_main_signals ();
	/* One malloc arena: libzmq's two threads allocate little, and an arena
	 * each costs private memory a handheld does not have to spare. */
	mallopt (M_ARENA_MAX, 1);

	struct term t;
	if (term_app_init (&t, &opt, &cause) != 0) {
		fprintf (stderr, "despatch-term: %s\n", cause);
		free (cause);
		return 1;
	}
	if (term_curses_init (opt.mono) != 0) {
		fprintf (stderr, "despatch-term: cannot use this terminal (TERM=%s)\n", getenv ("TERM") ? getenv ("TERM") : "");
		term_app_free (&t);
		return 1;
	}
	log_info ("terminal %s (%s, %s) to %s, journal %s", opt.terminal, opt.station, opt.profile, opt.endpoint,
	    opt.journal);
	if (opt.keys == NULL || *opt.keys == '\0')
		log_warn ("no --keys (terminal.keys): a plain socket; a hub with CURVE on (its default) will not answer");
	term_main_loop (&t);
	term_curses_end ();
	term_app_free (&t);
	log_close ();
	return 0;
}

int
main (int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "endpoint", required_argument, NULL, 'e' },
		{ "terminal", required_argument, NULL, 't' },
		{ "station", required_argument, NULL, 'S' },
		{ "profile", required_argument, NULL, 'p' },
		{ "journal", required_argument, NULL, 'j' },
		{ "keys", required_argument, NULL, 'k' },
		{ "config", required_argument, NULL, 'c' },
		{ "set", required_argument, NULL, 's' },
		{ "mono", no_argument, NULL, 'm' },
		{ "log", required_argument, NULL, 'l' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	conf_t *overrides = conf_new ();
	const char *config_path = NULL, *log_path = NULL;
	bool verbose = false;
	char *cause = NULL;
	int c;
	while ((c = getopt_long (argc, argv, "e:t:S:p:j:k:c:s:ml:vVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'e': conf_set (overrides, "terminal.endpoint", optarg); break;
		case 't': conf_set (overrides, "terminal.id", optarg); break;
		case 'S': conf_set (overrides, "terminal.station", optarg); break;
		case 'p': conf_set (overrides, "terminal.profile", optarg); break;
		case 'j': conf_set (overrides, "terminal.journal", optarg); break;
		case 'k': conf_set (overrides, "terminal.keys", optarg); break;
		case 'c': config_path = optarg; break;
		case 'm': conf_set (overrides, "terminal.mono", "true"); break;
		case 'l': log_path = optarg; break;
		case 'v': verbose = true; break;
		case 's':
			if (conf_set_arg (overrides, optarg, &cause) != 0) {
				fprintf (stderr, "despatch-term: %s\n", cause);
				free (cause);
				conf_destroy (&overrides);
				return 2;
			}
			break;
		case 'V':
			printf ("despatch-term %s\n", PACKAGE_VERSION);
			conf_destroy (&overrides);
			return 0;
		case 'h':
			term_main_usage (stdout);
			conf_destroy (&overrides);
			return 0;
		default:
			term_main_usage (stderr);
			conf_destroy (&overrides);
			return 2;
		}
	}
	if (optind != argc) {
		term_main_usage (stderr);
		conf_destroy (&overrides);
		return 2;
	}
	conf_t *conf = conf_new ();
	int rc = term_main_run (overrides, conf, config_path, log_path, verbose);
	conf_destroy (&conf);
	conf_destroy (&overrides);
	return rc;
}
