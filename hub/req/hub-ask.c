/* hub-ask.c: a request's needs of the workers and their answers (see hub-ask.h). */
#include "config.h"
#include "hub-ask.h"
#include "hub-req.h"
#include "secret.h"
#include "util.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

struct hub_ask {
	struct hub_ask_need *needs;
	size_t count, cap;
};

hub_ask_t *
hub_ask_new (void)
{
	return xcalloc (1, sizeof (hub_ask_t));
}

static void
hub_ask_need_free (struct hub_ask_need *n)
{
	if (n->secret) {
		secret_wipe (n->secret, strlen (n->secret));
		free (n->secret);
	}
	free (n->name);
	free (n->format);
	free (n->text);
	free (n->bytes);
	free (n->data);
	free (n->cause);
}

void
hub_ask_destroy (hub_ask_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	hub_ask_t *self = *self_p;
	for (size_t i = 0; i < self->count; i++)
		hub_ask_need_free (&self->needs[i]);
	free (self->needs);
	free (self);
	*self_p = NULL;
}

static bool
hub_ask_same (const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp (a, b) == 0);
}

/* The need with these inputs, made if there is none yet. */
static struct hub_ask_need *
hub_ask_find (hub_ask_t *self, const struct hub_ask_need *want)
{
	for (size_t i = 0; i < self->count; i++) {
		struct hub_ask_need *n = &self->needs[i];
		if (n->kind == want->kind && n->dpi == want->dpi && hub_ask_same (n->name, want->name)
		    && hub_ask_same (n->format, want->format) && hub_ask_same (n->text, want->text)
		    && hub_ask_same (n->secret, want->secret) && n->nbytes == want->nbytes
		    && (n->nbytes == 0 || memcmp (n->bytes, want->bytes, n->nbytes) == 0))
			return n;
	}
	if (self->count == self->cap) {
		self->cap = self->cap ? self->cap * 2 : 4;
		self->needs = xrealloc (self->needs, self->cap * sizeof *self->needs);
	}
	struct hub_ask_need *n = &self->needs[self->count++];
	*n = (struct hub_ask_need) {
		.kind = want->kind,
		.name = want->name ? xstrdup (want->name) : NULL,
		.format = want->format ? xstrdup (want->format) : NULL,
		.dpi = want->dpi,
		.text = want->text ? xstrdup (want->text) : NULL,
		.secret = want->secret ? xstrdup (want->secret) : NULL,
		.nbytes = want->nbytes,
	};
	if (want->nbytes) {
		n->bytes = xmalloc (want->nbytes);
		memcpy (n->bytes, want->bytes, want->nbytes);
	}
	return n;
}

/* 1 or 0 from an answered need, -1 while it waits. */
static int
hub_ask_result (const struct hub_ask_need *n, const char **cause)
{
	if (!n->answered)
		return -1;
	if (!n->ok && cause)
		*cause = n->cause ? n->cause : "the worker gave no reason";
	return n->ok ? 1 : 0;
}

int
hub_ask_draw (struct hub_req *req, const char *layout, const char *format, int dpi, const char *json,
    const uint8_t **data, size_t *size, const char **cause)
{
	assert (req->ask != NULL);
	struct hub_ask_need want = { .kind = HUB_ASK_DRAW, .name = (char *) layout, .format = (char *) format,
		.dpi = dpi, .text = (char *) json };
	struct hub_ask_need *n = hub_ask_find (req->ask, &want);
	int rc = hub_ask_result (n, cause);
	if (rc == 1) {
		*data = n->data;
		*size = n->size;
	}
	return rc;
}

int
hub_ask_pin (struct hub_req *req, const char *hash, const char *pin)
{
	assert (req->ask != NULL);
	struct hub_ask_need want = { .kind = HUB_ASK_PIN, .text = (char *) hash, .secret = (char *) pin };
	return hub_ask_result (hub_ask_find (req->ask, &want), NULL);
}

int
hub_ask_file (struct hub_req *req, const char *path, const void *bytes, size_t size, const char **cause)
{
	assert (req->ask != NULL);
	struct hub_ask_need want = { .kind = HUB_ASK_FILE, .name = (char *) path, .bytes = (uint8_t *) bytes,
		.nbytes = size };
	return hub_ask_result (hub_ask_find (req->ask, &want), cause);
}

bool
hub_ask_waiting (const hub_ask_t *self)
{
	for (size_t i = 0; self && i < self->count; i++)
		if (!self->needs[i].answered)
			return true;
	return false;
}

size_t
hub_ask_count (const hub_ask_t *self)
{
	return self ? self->count : 0;
}

struct hub_ask_need *
hub_ask_need (hub_ask_t *self, size_t i)
{
	return i < self->count ? &self->needs[i] : NULL;
}
