/*
 * conf.c: INI-style configuration with section.key addressing, and the
 * table of the keys the suite reads (conf_keys) that unknown keys are
 * checked against.
 */
#include "config.h"
#include "conf.h"
#include "text.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONF_MAX_LINE 1024
#define CONF_MAX_KEY 128

struct conf_entry {
	char *key;
	char *value;
	char *origin; /* "file:line", "--set", or NULL (set by a program) */
	struct conf_entry *next;
};

struct conf {
	struct conf_entry *head, **tail;
};

conf_t *
conf_new (void)
{
	conf_t *self = xcalloc (1, sizeof *self);
	self->tail = &self->head;
	return self;
}

void
conf_destroy (conf_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	conf_t *self = *self_p;
	struct conf_entry *e = self->head;
	while (e) {
		struct conf_entry *next = e->next;
		free (e->key);
		free (e->value);
		free (e->origin);
		free (e);
		e = next;
	}
	free (self);
	*self_p = NULL;
}

static struct conf_entry *
conf_find (conf_t *self, const char *key)
{
	for (struct conf_entry *e = self->head; e; e = e->next)
		if (strcmp (e->key, key) == 0)
			return e;
	return NULL;
}

/* Set key, remembering where (origin may be NULL). */
static void
conf_set_from (conf_t *self, const char *key, const char *value, const char *origin)
{
	struct conf_entry *e = conf_find (self, key);
	if (e == NULL) {
		e = xcalloc (1, sizeof *e);
		e->key = xstrdup (key);
		*self->tail = e;
		self->tail = &e->next;
	}
	free (e->value);
	free (e->origin);
	e->value = xstrdup (value);
	e->origin = origin ? xstrdup (origin) : NULL;
}

void
conf_set (conf_t *self, const char *key, const char *value)
{
	conf_set_from (self, key, value, NULL);
}

static char *
conf_trim (char *s)
{
	while (isspace ((unsigned char) *s))
		s++;
	char *end = s + strlen (s);
	while (end > s && isspace ((unsigned char) end[-1]))
		*--end = '\0';
	return s;
}

static bool
conf_valid_name (const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!isalnum ((unsigned char) *s) && *s != '_' && *s != '-' && *s != '.')
			return false;
	return true;
}

/* One line of a file; section is updated in place; origin is "file:line". */
static int
conf_parse_line (conf_t *self, char *line, char *section, size_t section_n, const char *origin,
    const char **why)
{
	char *s = conf_trim (line);
	if (*s == '\0' || *s == '#' || *s == ';')
		return 0;
	if (*s == '[') {
		char *end = strchr (s, ']');
		if (end == NULL || end[1] != '\0') {
			*why = "a section header must look like [name]";
			return -1;
		}
		*end = '\0';
		char *name = conf_trim (s + 1);
		if (!conf_valid_name (name)) {
			*why = "a section name may use letters, digits, '-', '_' and '.'";
			return -1;
		}
		util_strlcpy (section, name, section_n);
		return 0;
	}
	char *eq = strchr (s, '=');
	if (eq == NULL) {
		*why = "expected 'key = value'";
		return -1;
	}
	*eq = '\0';
	char *key = conf_trim (s);
	char *value = conf_trim (eq + 1);
	if (!conf_valid_name (key)) {
		*why = "a key may use letters, digits, '-', '_' and '.'";
		return -1;
	}
	if (*section == '\0') {
		*why = "a key must come after a [section] header";
		return -1;
	}
	char full[CONF_MAX_KEY * 2 + 2];
	snprintf (full, sizeof full, "%s.%s", section, key);
	conf_set_from (self, full, value, origin);
	return 0;
}

int
conf_load_string (conf_t *self, const char *name, const char *text, char **cause)
{
	char section[CONF_MAX_KEY] = "";
	int lineno = 0;
	const char *p = text;
	/* A byte-order mark, as some editors on other systems save UTF-8: not part of the first key. */
	if (strncmp (p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (*p) {
		const char *nl = strchr (p, '\n');
		size_t len = nl ? (size_t) (nl - p) : strlen (p);
		lineno++;
		if (len >= CONF_MAX_LINE) {
			*cause = xasprintf ("%s:%d: line longer than %d characters", name, lineno, CONF_MAX_LINE - 1);
			return -1;
		}
		char line[CONF_MAX_LINE];
		memcpy (line, p, len);
		line[len] = '\0';
		if (memchr (p, '\0', len) != NULL) {
			*cause = xasprintf ("%s:%d: NUL byte in line", name, lineno);
			return -1;
		}
		/* Values go into file names, logs and labels: UTF-8 text only (a CR ends a CRLF line). */
		struct text_fault fault;
		size_t body = len > 0 && p[len - 1] == '\r' ? len - 1 : len;
		if (!text_check (p, body, TEXT_TAB, &fault)) {
			char why[96];
			*cause = xasprintf ("%s:%d: %s; %s", name, lineno, text_fault_describe (&fault, why, sizeof why),
			    fault.kind == TEXT_FAULT_UTF8 ? "save the file as UTF-8" : "remove it");
			return -1;
		}
		const char *why = NULL;
		char origin[CONF_MAX_LINE];
		snprintf (origin, sizeof origin, "%s:%d", name, lineno);
		if (conf_parse_line (self, line, section, sizeof section, origin, &why) != 0) {
			*cause = xasprintf ("%s:%d: %s", name, lineno, why);
			return -1;
		}
		p += len + (nl ? 1 : 0);
	}
	return 0;
}

int
conf_load (conf_t *self, const char *path, char **cause)
{
	FILE *f = fopen (path, "r");
	if (f == NULL) {
		*cause = xasprintf ("%s: cannot open: %s", path, strerror (errno));
		return -1;
	}
	size_t cap = 4096, len = 0;
	char *buf = xmalloc (cap);
	size_t n;
	while ((n = fread (buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len < 2) {
			cap *= 2;
			buf = xrealloc (buf, cap);
		}
		if (len > 1024 * 1024) {
			fclose (f);
			free (buf);
			*cause = xasprintf ("%s: larger than 1 MiB; is this the right file?", path);
			return -1;
		}
	}
	buf[len] = '\0';
	fclose (f);
	if (strlen (buf) != len) {
		int line = 1;
		for (const char *q = buf; *q; q++)
			line += *q == '\n';
		free (buf);
		*cause = xasprintf ("%s:%d: contains a NUL byte; is this the right file?", path, line);
		return -1;
	}
	int rc = conf_load_string (self, path, buf, cause);
	free (buf);
	return rc;
}

int
conf_set_arg (conf_t *self, const char *arg, char **cause)
{
	const char *eq = strchr (arg, '=');
	const char *dot = strchr (arg, '.');
	if (eq == NULL || dot == NULL || dot > eq || dot == arg || dot + 1 == eq) {
		*cause = xasprintf ("'%s': an override must look like section.key=value", arg);
		return -1;
	}
	char *key = xstrndup (arg, (size_t) (eq - arg));
	if (!conf_valid_name (key)) {
		*cause = xasprintf ("'%s': a key may use letters, digits, '-', '_' and '.'", key);
		free (key);
		return -1;
	}
	char *bad = text_check_field (key, eq + 1, strlen (eq + 1), 0);
	if (bad) {
		*cause = xasprintf ("--set %s", bad);
		free (bad);
		free (key);
		return -1;
	}
	conf_set_from (self, key, eq + 1, "--set");
	free (key);
	return 0;
}

const char *
conf_get (conf_t *self, const char *key, const char *dflt)
{
	struct conf_entry *e = conf_find (self, key);
	return e ? e->value : dflt;
}

int
conf_get_long (conf_t *self, const char *key, long dflt, long min, long max, long *out, char **cause)
{
	const char *v = conf_get (self, key, NULL);
	if (v == NULL) {
		*out = dflt;
		return 0;
	}
	if (!util_parse_long (v, min, max, out)) {
		*cause = xasprintf ("%s = '%s': expected a whole number from %ld to %ld", key, v, min, max);
		return -1;
	}
	return 0;
}

bool
conf_get_bool (conf_t *self, const char *key, bool dflt)
{
	const char *v = conf_get (self, key, NULL);
	if (v == NULL)
		return dflt;
	return strcmp (v, "yes") == 0 || strcmp (v, "true") == 0 || strcmp (v, "on") == 0
	    || strcmp (v, "1") == 0;
}

void
conf_merge (conf_t *self, conf_t *from)
{
	for (struct conf_entry *e = from->head; e; e = e->next)
		conf_set_from (self, e->key, e->value, e->origin);
}

conf_t *
conf_dup (conf_t *self)
{
	conf_t *copy = conf_new ();
	conf_merge (copy, self);
	return copy;
}

void
conf_swap (conf_t *a, conf_t *b)
{
	struct conf t = *a;
	*a = *b;
	*b = t;
	/* An empty list's tail points at its own head. */
	if (a->head == NULL)
		a->tail = &a->head;
	if (b->head == NULL)
		b->tail = &b->head;
}

void
conf_each (conf_t *self, conf_visit_fn *fn, void *arg)
{
	for (struct conf_entry *e = self->head; e; e = e->next)
		fn (e->key, e->value, arg);
}

/*
 * Every key a program of the suite reads, with its default as
 * despatch.conf(5) words it. A key read anywhere has its row here (the
 * manual's test finds the readers in the code and holds them to this
 * table and the table to the page).
 */
static const struct conf_key conf_key_table[] = {
	/* despatch-hub, despatch status, despatch-backup */
	{ "hub.endpoint", "tcp://127.0.0.1:5570" },
	{ "hub.database", "despatch.db" },
	{ "hub.heartbeat_ms", "5000" },
	{ "hub.expiry_ms", "30000" },
	{ "hub.batch_max", "512" },
	{ "hub.integration", "unset" },
	{ "hub.inbox", "unset" },
	{ "hub.inbox_keep_days", "0" },
	{ "hub.tracking_inbox", "unset" },
	{ "hub.events", "unset" },
	{ "hub.exports", "unset" },
	{ "security.curve", "yes" },
	{ "security.keys_dir", "keys beside the database" },
	{ "security.zap_log", "no" },
	{ "security.max_pin_failures", "5" },
	{ "security.lockout_s", "900" },
	{ "security.idle_logout_s", "3600" },
	{ "privacy.retention_days", "0" },
	{ "log.level", "info" },
	{ "log.syslog", "no" },
	{ "printer.server", "the CUPS default" },
	{ "printer.*.label", "unset" },
	{ "printer.*.document", "unset" },
	{ "printer.*.dpi", "203" },
	{ "printer.group.*.fallback", "unset" },
	{ "printer.group.*.document-fallback", "unset" },
	{ "station.*.group", "unset" },
	{ "pack.boxes", "S M L XL" },
	{ "carriers.path", "the installed carriers folder" },
	{ "carriers.outbox", "outbox beside the database" },
	{ "carriers.autoclose_station", "despatch" },
	{ "carriers.autoclose_every_s", "60" },
	{ "carriers.clock_offset_s", "0" },
	{ "carrier.*.depot", "the carrier file's depot" },
	{ "carrier.ups.account", "999AA1" },
	{ "store.name", "Despatch, The Store" },
	{ "store.address", "1 High Street" },
	{ "store.town", "London" },
	{ "store.postcode", "W1A 1AA" },
	{ "store.eori", "unset" },
	{ "store.vat", "unset" },
	{ "backup.dir", "backups beside the database" },
	{ "backup.keep", "14" },
	{ "status.backup_max_age_h", "26" },
	{ "status.queue_max_age_s", "600" },
	{ "status.quiet_max", "0" },
	{ "metrics.path", "unset" },
	{ "metrics.every_s", "15" },
	{ "retention.exports_days", "90" },
	{ "retention.outbox_days", "400" },
	{ "retention.inbox_days", "30" },
	{ "retention.reports", "unset" },
	{ "retention.reports_days", "90" },
	{ "retention.every_s", "3600" },
	{ "retention.clock_offset_s", "0" },
	/* despatch-term, from its own file's [terminal] section */
	{ "terminal.endpoint", "tcp://127.0.0.1:5570" },
	{ "terminal.id", "term-HOSTNAME" },
	{ "terminal.station", "the terminal id" },
	{ "terminal.profile", "handheld" },
	{ "terminal.journal", "despatch-term-ID.journal" },
	{ "terminal.keys", "unset" },
	{ "terminal.mono", "no" },
	{ "terminal.manual_gap_ms", "60" },
	{ "terminal.reply_timeout_ms", "2000" },
	{ "terminal.bench_stats", "no" },
};

const struct conf_key *
conf_keys (size_t *n)
{
	*n = nitems (conf_key_table);
	return conf_key_table;
}

/* Glob match where '*' matches one or more characters. */
static bool
conf_key_match (const char *pattern, const char *key)
{
	for (; *pattern; pattern++, key++) {
		if (*pattern == '*') {
			if (*key == '\0')
				return false;
			for (const char *k = key + 1;; k++) {
				if (conf_key_match (pattern + 1, k))
					return true;
				if (*k == '\0')
					return false;
			}
		}
		if (*pattern != *key)
			return false;
	}
	return *key == '\0';
}

const struct conf_key *
conf_key_find (const char *key)
{
	for (size_t i = 0; i < nitems (conf_key_table); i++)
		if (conf_key_match (conf_key_table[i].name, key))
			return &conf_key_table[i];
	return NULL;
}

/* Optimal string alignment distance: edits, with a swap of two neighbours as one. */
static size_t
conf_distance (const char *a, const char *b)
{
	size_t n = strlen (a), m = strlen (b);
	size_t *rows = xcalloc (3 * (m + 1), sizeof *rows);
	size_t *prev2 = rows, *prev = rows + m + 1, *cur = rows + 2 * (m + 1);
	for (size_t j = 0; j <= m; j++)
		prev[j] = j;
	for (size_t i = 1; i <= n; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= m; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t d = prev[j] + 1;
			if (cur[j - 1] + 1 < d)
				d = cur[j - 1] + 1;
			if (prev[j - 1] + cost < d)
				d = prev[j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < d)
				d = prev2[j - 2] + 1;
			cur[j] = d;
		}
		size_t *t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	size_t d = prev[m];
	free (rows);
	return d;
}

/*
 * The known key a name would be if its site-chosen part were kept: for
 * "printer.*.label" and "printer.bench1.lable", "printer.bench1.label".
 * The components before and after the '*' are taken from the pattern, the
 * ones between from key. NULL when key has too few components. Caller frees.
 */
static char *
conf_key_instance (const char *pattern, const char *key)
{
	const char *star = strchr (pattern, '*');
	if (star == NULL)
		return xstrdup (pattern);
	size_t before = 0, after = 0, parts = 1;
	for (const char *p = pattern; p < star; p++)
		before += *p == '.';
	for (const char *p = star; *p; p++)
		after += *p == '.';
	for (const char *k = key; *k; k++)
		parts += *k == '.';
	if (parts < before + after + 1)
		return NULL;
	/* The middle of key: skip `before` components, drop `after` from the end. */
	const char *from = key;
	for (size_t i = 0; i < before; i++)
		from = strchr (from, '.') + 1;
	const char *to = key + strlen (key);
	for (size_t i = 0; i < after; i++)
		while (*--to != '.')
			;
	return xasprintf ("%.*s%.*s%s", (int) (star - pattern), pattern, (int) (to - from), from, star + 1);
}

/* The nearest known key to an unknown one, if one is close enough to be a typo (caller frees). */
static char *
conf_key_nearest (const char *key)
{
	char *best = NULL;
	size_t best_d = (size_t) -1;
	for (size_t i = 0; i < nitems (conf_key_table); i++) {
		char *cand = conf_key_instance (conf_key_table[i].name, key);
		if (cand == NULL)
			continue;
		size_t d = conf_distance (key, cand);
		size_t len = strlen (cand), limit = len / 4 > 2 ? len / 4 : 2;
		if (d <= limit && d < best_d) {
			free (best);
			best = cand;
			best_d = d;
		} else
			free (cand);
	}
	return best;
}

int
conf_check_keys (conf_t *self, conf_warn_fn *fn, void *arg)
{
	int unknown = 0;
	for (struct conf_entry *e = self->head; e; e = e->next) {
		if (conf_key_find (e->key))
			continue;
		unknown++;
		char *near = conf_key_nearest (e->key);
		char *msg = near
		    ? xasprintf ("%s%sunknown key %s; did you mean %s?", e->origin ? e->origin : "",
		          e->origin ? ": " : "", e->key, near)
		    : xasprintf ("%s%sunknown key %s: no part of the suite reads it (see despatch.conf(5))",
		          e->origin ? e->origin : "", e->origin ? ": " : "", e->key);
		fn (msg, arg);
		free (msg);
		free (near);
	}
	return unknown;
}
