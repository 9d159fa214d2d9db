/* conf.c: INI-style configuration with section.key addressing. */
#include "config.h"
#include "conf.h"
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

void
conf_set (conf_t *self, const char *key, const char *value)
{
	struct conf_entry *e = conf_find (self, key);
	if (e) {
		free (e->value);
		e->value = xstrdup (value);
		return;
	}
	e = xcalloc (1, sizeof *e);
	e->key = xstrdup (key);
	e->value = xstrdup (value);
	*self->tail = e;
	self->tail = &e->next;
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

/* One line of a file; section is updated in place. */
static int
conf_parse_line (conf_t *self, char *line, char *section, size_t section_n, const char **why)
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
	conf_set (self, full, value);
	return 0;
}

int
conf_load_string (conf_t *self, const char *name, const char *text, char **cause)
{
	char section[CONF_MAX_KEY] = "";
	int lineno = 0;
	const char *p = text;
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
		const char *why = NULL;
		if (conf_parse_line (self, line, section, sizeof section, &why) != 0) {
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
		free (buf);
		*cause = xasprintf ("%s: contains a NUL byte; is this the right file?", path);
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
	conf_set (self, key, eq + 1);
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
conf_each (conf_t *self, conf_visit_fn *fn, void *arg)
{
	for (struct conf_entry *e = self->head; e; e = e->next)
		fn (e->key, e->value, arg);
}
