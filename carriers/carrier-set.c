/* carrier-set.c: a set of carriers once read (carrier-load.c fills it): what it holds, and freeing it. */
#include "config.h"
#include "carrier-int.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

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
		for (int j = 0; j < c->nsymbols; j++)
			carrier_symbol_free (&c->symbols[j]);
		free (c->symbols);
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
