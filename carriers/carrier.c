/*
 * carrier.c: the carriers library's core: a carrier and a service by code,
 * the word lists the definitions keep, money as text, and the hub's current
 * set (read at start and at each reload by carrier_load_hub, then only read).
 */
#include "config.h"
#include "carrier-int.h"
#include "util.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

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

void
carrier_money (int64_t pence, char *out, size_t n)
{
	snprintf (out, n, "%s%" PRId64 ".%02" PRId64, pence < 0 ? "-" : "", (pence < 0 ? -pence : pence) / 100,
	    (pence < 0 ? -pence : pence) % 100);
}

const carrier_set_t *
carrier_current (void)
{
	return carrier_the_set;
}

void
carrier_current_set (carrier_set_t *set)
{
	carrier_set_destroy (&carrier_the_set);
	carrier_the_set = set;
}
