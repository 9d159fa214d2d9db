/* hub-reload.c: the hub's settings read and checked, at start and on SIGHUP (see hub-reload.h). */
#include "config.h"
#include "hub-reload.h"
#include "carriers/carrier.h"
#include "printers/print.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

struct hub_reload {
	char *config;       /* the file, or NULL */
	conf_t *overrides;  /* --set, --endpoint, --database */
	bool verbose;
	int sigfd;          /* SIGHUP's signalfd, -1 before hub_reload_catch */
};

/*
 * The numbers the hub reads, each with its range: a value outside it
 * refuses the file (at start: exit 2; at a reload: the old settings stay).
 * Those of struct hub_options are put there; the others are read where
 * they are used, from the same conf.
 */
static const struct hub_reload_number {
	const char *key;
	long dflt, min, max;
	size_t field; /* offsetof in struct hub_options, or HUB_RELOAD_ELSEWHERE */
} hub_reload_numbers[] = {
#define HUB_RELOAD_ELSEWHERE ((size_t) -1)
	{ "hub.heartbeat_ms", 5000, 100, 600000, offsetof (struct hub_options, heartbeat_ms) },
	{ "hub.expiry_ms", 30000, 100, 3600000, offsetof (struct hub_options, expiry_ms) },
	{ "hub.batch_max", 512, 1, 65536, offsetof (struct hub_options, batch_max) },
	{ "security.max_pin_failures", 5, 1, 100, offsetof (struct hub_options, max_failures) },
	{ "security.lockout_s", 900, 1, 86400, offsetof (struct hub_options, lockout_s) },
	{ "security.idle_logout_s", 3600, 0, 86400 * 7, offsetof (struct hub_options, idle_logout_s) },
	{ "privacy.retention_days", 0, 0, 36500, offsetof (struct hub_options, retention_days) },
	{ "carriers.autoclose_every_s", 60, 1, 3600, HUB_RELOAD_ELSEWHERE },
	{ "carriers.clock_offset_s", 0, -7L * 86400, 7L * 86400, HUB_RELOAD_ELSEWHERE },
	{ "metrics.every_s", 15, 1, 3600, HUB_RELOAD_ELSEWHERE },
	{ "retention.exports_days", 90, 0, 36500, HUB_RELOAD_ELSEWHERE },
	{ "retention.outbox_days", 400, 0, 36500, HUB_RELOAD_ELSEWHERE },
	{ "retention.inbox_days", 30, 0, 36500, HUB_RELOAD_ELSEWHERE },
	{ "retention.reports_days", 90, 0, 36500, HUB_RELOAD_ELSEWHERE },
	{ "retention.every_s", 3600, 1, 3600, HUB_RELOAD_ELSEWHERE },
	{ "retention.clock_offset_s", 0, 0, 3650L * 86400, HUB_RELOAD_ELSEWHERE },
};

/* Settings a running hub cannot change: a reload names them and a restart applies them. */
static const char *const hub_reload_restart_only[] = {
	"hub.endpoint", "hub.database", "hub.integration", "hub.inbox", "hub.inbox_keep_days", "hub.tracking_inbox",
	"hub.events", "hub.exports", "security.curve", "security.keys_dir", "security.zap_log", "printer.server", "log.syslog",
};

hub_reload_t *
hub_reload_new (const char *config, conf_t **overrides_p, bool verbose)
{
	hub_reload_t *self = xcalloc (1, sizeof *self);
	self->config = config ? xstrdup (config) : NULL;
	self->overrides = overrides_p && *overrides_p ? *overrides_p : conf_new ();
	if (overrides_p)
		*overrides_p = NULL;
	self->verbose = verbose;
	self->sigfd = -1;
	return self;
}

void
hub_reload_destroy (hub_reload_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	hub_reload_t *self = *self_p;
	if (self->sigfd >= 0)
		close (self->sigfd);
	conf_destroy (&self->overrides);
	free (self->config);
	free (self);
	*self_p = NULL;
}

/* A typo must not turn security off: only these words are taken. */
static bool
hub_reload_curve_word (const char *v)
{
	static const char *const words[] = { "yes", "true", "on", "1", "no", "false", "off", "0" };
	for (size_t i = 0; i < nitems (words); i++)
		if (strcmp (v, words[i]) == 0)
			return true;
	return false;
}

/* conf_check_keys's messages about printer keys, "; "-separated into *arg. */
static void
hub_reload_collect (const char *message, void *arg)
{
	char **all = arg;
	if (strstr (message, "unknown key printer.") == NULL)
		return;
	char *more = xasprintf ("%s%s%s", *all, **all ? "; " : "", message);
	free (*all);
	*all = more;
}

conf_t *
hub_reload_read (hub_reload_t *self, char **cause)
{
	conf_t *conf = conf_new ();
	if (self->config && conf_load (conf, self->config, cause) != 0) {
		conf_destroy (&conf);
		return NULL;
	}
	/* Command-line settings win over the file. */
	conf_merge (conf, self->overrides);
	for (size_t i = 0; i < nitems (hub_reload_numbers); i++) {
		const struct hub_reload_number *n = &hub_reload_numbers[i];
		long v;
		if (conf_get_long (conf, n->key, n->dflt, n->min, n->max, &v, cause) != 0) {
			conf_destroy (&conf);
			return NULL;
		}
	}
	const char *level = conf_get (conf, "log.level", "info");
	if (log_level_parse (level) < 0) {
		*cause = xasprintf ("log.level = '%s': expected error, warn, info or debug", level);
		conf_destroy (&conf);
		return NULL;
	}
	const char *curve = conf_get (conf, "security.curve", "yes");
	if (!hub_reload_curve_word (curve)) {
		*cause = xasprintf ("security.curve = '%s': expected yes or no", curve);
		conf_destroy (&conf);
		return NULL;
	}
	char *why = NULL;
	if (print_map_check (conf, &why) != 0) {
		/* A misspelt key is the likely cause: say which known key it is near. */
		char *near = xstrdup ("");
		conf_check_keys (conf, hub_reload_collect, &near);
		*cause = xasprintf ("the printer map: %s%s%s", why, *near ? "; " : "", near);
		free (near);
		free (why);
		conf_destroy (&conf);
		return NULL;
	}
	return conf;
}

enum log_level
hub_reload_level (const hub_reload_t *self, conf_t *conf)
{
	if (self->verbose)
		return LOG_LVL_DEBUG;
	int lvl = log_level_parse (conf_get (conf, "log.level", "info"));
	return lvl < 0 ? LOG_LVL_INFO : (enum log_level) lvl;
}

void
hub_reload_options (conf_t *conf, struct hub_options *opt, bool strings)
{
	for (size_t i = 0; i < nitems (hub_reload_numbers); i++) {
		const struct hub_reload_number *n = &hub_reload_numbers[i];
		long v = n->dflt;
		char *cause = NULL;
		if (n->field == HUB_RELOAD_ELSEWHERE)
			continue;
		if (conf_get_long (conf, n->key, n->dflt, n->min, n->max, &v, &cause) != 0)
			free (cause); /* checked by hub_reload_read: cannot happen */
		*(int *) ((char *) opt + n->field) = (int) v;
	}
	if (!strings)
		return;
	opt->endpoint = conf_get (conf, "hub.endpoint", HUB_DEFAULT_ENDPOINT);
	opt->database = conf_get (conf, "hub.database", HUB_DEFAULT_DATABASE);
	opt->integration = conf_get (conf, "hub.integration", NULL);
	opt->inbox = conf_get (conf, "hub.inbox", NULL);
	opt->curve = conf_get_bool (conf, "security.curve", true);
}

static void
hub_reload_warn (const char *message, void *arg)
{
	(void) arg;
	log_warn ("%s", message);
}

int
hub_reload_warn_unknown (conf_t *conf)
{
	return conf_check_keys (conf, hub_reload_warn, NULL);
}

int
hub_reload_catch (hub_reload_t *self, char **cause)
{
	sigset_t set;
	sigemptyset (&set);
	sigaddset (&set, SIGHUP);
	/* Blocked here, before any thread starts, so every thread inherits it. */
	if (pthread_sigmask (SIG_BLOCK, &set, NULL) != 0
	    || (self->sigfd = signalfd (-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
		*cause = xasprintf ("cannot take SIGHUP for reloads: %s", strerror (errno));
		return -1;
	}
	return 0;
}

bool
hub_reload_asked (hub_reload_t *self)
{
	if (self == NULL || self->sigfd < 0)
		return false;
	struct signalfd_siginfo si;
	bool asked = false;
	/* Several SIGHUPs before the loop looked are one reload. */
	while (read (self->sigfd, &si, sizeof si) == (ssize_t) sizeof si)
		asked = true;
	return asked;
}

static bool
hub_reload_is_restart_only (const char *key)
{
	for (size_t i = 0; i < nitems (hub_reload_restart_only); i++)
		if (strcmp (hub_reload_restart_only[i], key) == 0)
			return true;
	return false;
}

struct hub_reload_diff {
	conf_t *other;
	int changed, restart;
	bool added;         /* visiting the new settings (else the old ones) */
};

/* One key: logged when it differs between the two settings. */
static void
hub_reload_diff_key (const char *key, const char *value, void *arg)
{
	struct hub_reload_diff *d = arg;
	const char *other = conf_get (d->other, key, NULL);
	if (!d->added && other != NULL)
		return; /* a key in both was seen with the new settings */
	if (other && strcmp (other, value) == 0)
		return;
	const struct conf_key *known = conf_key_find (key);
	bool restart = hub_reload_is_restart_only (key);
	d->changed++;
	d->restart += restart;
	const char *later = restart ? ": takes effect at the next restart" : "";
	if (!d->added)
		log_info ("reload: %s removed (was %s; now the default, %s)%s", key, value,
		    known ? known->dflt : "unset", later);
	else if (other == NULL)
		log_info ("reload: %s = %s (was the default, %s)%s", key, value, known ? known->dflt : "unset", later);
	else
		log_info ("reload: %s = %s (was %s)%s", key, value, other, later);
}

/* The codes of a carrier set, " A B C " (caller frees). */
static char *
hub_reload_carrier_codes (const carrier_set_t *set)
{
	char *codes = xstrdup (" ");
	for (int i = 0; set && i < carrier_set_count (set); i++) {
		char *more = xasprintf ("%s%s ", codes, carrier_set_at (set, i)->code);
		free (codes);
		codes = more;
	}
	return codes;
}

/* The words of a that b lacks, ", "-separated, or "none" (caller frees). */
static char *
hub_reload_missing (const char *a, const char *b)
{
	char *out = xstrdup ("");
	char *copy = xstrdup (a);
	for (char *save = NULL, *w = strtok_r (copy, " ", &save); w; w = strtok_r (NULL, " ", &save)) {
		char *needle = xasprintf (" %s ", w);
		if (strstr (b, needle) == NULL) {
			char *more = xasprintf ("%s%s%s", out, *out ? ", " : "", w);
			free (out);
			out = more;
		}
		free (needle);
	}
	free (copy);
	if (*out == '\0') {
		free (out);
		out = xstrdup ("none");
	}
	return out;
}

/* The reload in the audit trail, for despatch status and the metrics. */
static void
hub_reload_record (db_t *db, int64_t now_ms, bool ok, const char *detail)
{
	db_stmt_t *st = db_prepare (db, "INSERT INTO events (at, operator, action, code, detail)"
	                                " VALUES (?1, 'system', 'reload', ?2, ?3)");
	if (st == NULL)
		return;
	db_bind_int (st, 1, now_ms);
	db_bind_text (st, 2, ok ? "ok" : "refused");
	db_bind_text (st, 3, detail);
	if (db_step (st) != DB_DONE)
		log_warn ("reload: not recorded in the database: %s", db_errmsg (db));
	db_reset (st);
}

static int
hub_reload_refuse (db_t *db, int64_t now_ms, char *cause)
{
	log_error ("reload refused, the hub keeps its settings: %s", cause);
	hub_reload_record (db, now_ms, false, cause);
	free (cause);
	return -1;
}

int
hub_reload_run (hub_reload_t *self, db_t *db, conf_t *conf, struct hub_options *opt, int64_t now_ms)
{
	const char *from = self->config ? self->config : "the command line (no --config)";
	int64_t began = util_mono_us ();
	log_info ("reload: reading the settings from %s", from);
	char *cause = NULL;
	conf_t *fresh = hub_reload_read (self, &cause);
	if (fresh == NULL)
		return hub_reload_refuse (db, now_ms, cause);
	hub_reload_warn_unknown (fresh);

	/* The carriers last: they change the database, so nothing may fail after them. */
	const carrier_set_t *old_set = carrier_current ();
	char *before = hub_reload_carrier_codes (old_set);
	int rules_before = old_set ? carrier_set_nrules (old_set) : 0;
	if (carrier_load_hub (db, conf_get (fresh, "carriers.path", NULL), now_ms, &cause) != 0) {
		free (before);
		conf_destroy (&fresh);
		return hub_reload_refuse (db, now_ms, cause);
	}
	char *after = hub_reload_carrier_codes (carrier_current ());
	char *added = hub_reload_missing (after, before), *removed = hub_reload_missing (before, after);

	struct hub_reload_diff d = { .other = conf, .added = true };
	conf_each (fresh, hub_reload_diff_key, &d);
	d.other = fresh;
	d.added = false;
	conf_each (conf, hub_reload_diff_key, &d);
	conf_swap (conf, fresh);
	conf_destroy (&fresh);
	hub_reload_options (conf, opt, false);
	log_set_level (hub_reload_level (self, conf));

	char restart[80] = "";
	if (d.restart > 0)
		snprintf (restart, sizeof restart, " (%d of them at the next restart)", d.restart);
	char *summary = xasprintf ("%d setting%s changed%s; %d carriers (added: %s; removed: %s), %d rules (were %d)",
	    d.changed, d.changed == 1 ? "" : "s", restart, carrier_set_count (carrier_current ()), added, removed,
	    carrier_set_nrules (carrier_current ()), rules_before);
	log_info ("reload: done from %s in %.1f ms on the loop: %s", from, (double) (util_mono_us () - began) / 1000.0,
	    summary);
	hub_reload_record (db, now_ms, true, summary);
	free (summary);
	free (before);
	free (after);
	free (added);
	free (removed);
	return 0;
}
