/*
 * print-map.c: which printer serves which station, from the configuration
 * (keys in print.h and doc/printing.md). No CUPS here: a queue named in the
 * configuration is checked against the server only when it is used.
 */
#include "config.h"
#include "print.h"
#include "conf.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	enum print_role role;
	const char *key;      /* printer.<station>.KEY */
	const char *fallback; /* printer.group.<group>.FALLBACK */
	const char *what;
} print_map_roles[] = {
	{ PRINT_ROLE_LABEL, "label", "fallback", "label printer" },
	{ PRINT_ROLE_DOCUMENT, "document", "document-fallback", "document printer" },
};

/* Per-station keys under printer.<station>. */
static const char *print_map_station_keys[] = { "label", "document", "dpi" };

static void
print_map_cause (char **cause, const char *fmt, ...)
{
	if (cause == NULL)
		return;
	va_list ap;
	va_start (ap, fmt);
	*cause = xvasprintf (fmt, ap);
	va_end (ap);
}

const char *
print_map_queue (conf_t *conf, const char *station, enum print_role role, char **cause)
{
	if ((unsigned) role >= nitems (print_map_roles)) {
		print_map_cause (cause, "unknown printer role %d", (int) role);
		return NULL;
	}
	char key[256];
	snprintf (key, sizeof key, "printer.%s.%s", station, print_map_roles[role].key);
	const char *q = conf_get (conf, key, NULL);
	if (q == NULL || *q == '\0') {
		print_map_cause (cause, "station %s has no %s: set %s = QUEUE in the [printer] section "
		    "of the configuration", station, print_map_roles[role].what, key + strlen ("printer."));
		return NULL;
	}
	return q;
}

const char *
print_map_fallback (conf_t *conf, const char *station, enum print_role role)
{
	if ((unsigned) role >= nitems (print_map_roles))
		return NULL;
	char key[256];
	snprintf (key, sizeof key, "station.%s.group", station);
	const char *group = conf_get (conf, key, NULL);
	if (group == NULL || *group == '\0')
		return NULL;
	snprintf (key, sizeof key, "printer.group.%s.%s", group, print_map_roles[role].fallback);
	const char *q = conf_get (conf, key, NULL);
	return q && *q ? q : NULL;
}

int
print_map_dpi (conf_t *conf, const char *station, char **cause)
{
	char key[256];
	snprintf (key, sizeof key, "printer.%s.dpi", station);
	const char *v = conf_get (conf, key, NULL);
	if (v == NULL)
		return 203;
	if (strcmp (v, "203") == 0 || strcmp (v, "300") == 0)
		return atoi (v);
	print_map_cause (cause, "%s = %s: a label printer is 203 or 300 dpi", key, v);
	return -1;
}

struct print_map_check {
	conf_t *conf;
	char *cause;
};

static void
print_map_check_key (const char *key, const char *value, void *arg)
{
	struct print_map_check *c = arg;
	if (c->cause || strncmp (key, "printer.", 8) != 0)
		return;
	const char *rest = key + 8;
	if (strcmp (rest, "server") == 0)
		return;
	if (strncmp (rest, "group.", 6) == 0) {
		const char *dot = strrchr (rest + 6, '.');
		if (dot == NULL || dot == rest + 6
		    || (strcmp (dot, ".fallback") != 0 && strcmp (dot, ".document-fallback") != 0))
			c->cause = xasprintf ("%s: expected printer.group.GROUP.fallback or "
			    ".document-fallback = QUEUE", key);
		else if (*value == '\0')
			c->cause = xasprintf ("%s is empty: name the group's fallback queue", key);
		return;
	}
	const char *dot = strrchr (rest, '.');
	if (dot == NULL || dot == rest) {
		c->cause = xasprintf ("%s: expected printer.STATION.label, .document or .dpi", key);
		return;
	}
	for (size_t i = 0; i < nitems (print_map_station_keys); i++)
		if (strcmp (dot + 1, print_map_station_keys[i]) == 0) {
			if (strcmp (dot + 1, "dpi") == 0) {
				char station[128];
				snprintf (station, sizeof station, "%.*s", (int) (dot - rest), rest);
				if (print_map_dpi (c->conf, station, &c->cause) < 0)
					return;
			} else if (*value == '\0')
				c->cause = xasprintf ("%s is empty: name a printer queue", key);
			return;
		}
	c->cause = xasprintf ("%s: unknown key; a station has .label, .document and .dpi", key);
}

int
print_map_check (conf_t *conf, char **cause)
{
	struct print_map_check c = { conf, NULL };
	conf_each (conf, print_map_check_key, &c);
	if (c.cause == NULL)
		return 0;
	if (cause)
		*cause = c.cause;
	else
		free (c.cause);
	return -1;
}
