/*
 * carrier-set.c: a set of carriers once read (carrier-load.c fills it):
 * lookups, the word lists its definitions keep, the hub's current set, and
 * freeing it.
 */
#include "config.h"
#include "carrier-int.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* The hub's set, read at start (carrier_hub_start); NULL before. */
static carrier_set_t *carrier_the_set;

bool
carrier_list_has (const char *list, const char *word)
{
	if (strcmp (list, "*") == 0)
		return true;
	size_t n = strlen (word);
	if (n == 0)
		return false;
	for (const char *s = list; (s = strstr (s, word)) != NULL; s++)
		if (s > list && s[-1] == ' ' && s[n] == ' ')
			return true;
	return false;
}

void
carrier_set_destroy (carrier_set_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	carrier_set_t *s = *self_p;
	for (int i = 0; i < s->ncarriers; i++) {
		struct carrier *c = &s->carriers[i];
		free (c->services);
		free (c->zones);
		free (c->rates);
		free (c->surcharges);
		free (c->ranges);
		free (c->cages);
	}
	free (s->carriers);
	free (s->rules);
	for (int i = 0; i < s->nfiles; i++)
		free (s->files[i]);
	free (s->files);
	free (s->file_list);
	free (s);
	*self_p = NULL;
}

int
carrier_set_count (const carrier_set_t *self)
{
	return self ? self->ncarriers : 0;
}

const struct carrier *
carrier_set_at (const carrier_set_t *self, int i)
{
	return self && i >= 0 && i < self->ncarriers ? &self->carriers[i] : NULL;
}

const struct carrier *
carrier_find (const carrier_set_t *self, const char *code)
{
	for (int i = 0; self && code && i < self->ncarriers; i++)
		if (strcmp (self->carriers[i].code, code) == 0)
			return &self->carriers[i];
	return NULL;
}

const struct carrier_service *
carrier_service_find (const struct carrier *c, const char *code)
{
	for (int i = 0; c && code && i < c->nservices; i++)
		if (strcmp (c->services[i].code, code) == 0)
			return &c->services[i];
	return NULL;
}

int
carrier_set_nrules (const carrier_set_t *self)
{
	return self ? self->nrules : 0;
}

const struct carrier_rule *
carrier_set_rule (const carrier_set_t *self, int i)
{
	return self && i >= 0 && i < self->nrules ? &self->rules[i] : NULL;
}

const char *
carrier_set_files (const carrier_set_t *self)
{
	return self && self->file_list ? self->file_list : "";
}

const carrier_set_t *
carrier_current (void)
{
	return carrier_the_set;
}

void
carrier_set_current (carrier_set_t *set)
{
	carrier_set_destroy (&carrier_the_set);
	carrier_the_set = set;
}

