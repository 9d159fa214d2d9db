/* work-draw.c: the draw worker's threads: layouts cached per thread, documents drawn and read back (see work-draw.h). */
#include "config.h"
#include "work-draw.h"
#include "labels/label.h"
#include "util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define WORK_DRAW_LAYOUTS 32

/* The thread's own layouts: a layout is used by one thread at a time (labels/label.h). */
struct work_draw_state {
	struct {
		char name[64];
		struct label_layout *layout;
	} cache[WORK_DRAW_LAYOUTS];
};

static void *
work_draw_start (void *arg)
{
	(void) arg;
	return xcalloc (1, sizeof (struct work_draw_state));
}

static void
work_draw_stop (void *state)
{
	struct work_draw_state *s = state;
	for (size_t i = 0; i < nitems (s->cache); i++)
		label_layout_destroy (&s->cache[i].layout);
	free (s);
	/* The renderer's font map is this thread's: it is let go here. */
	label_shutdown ();
}

static struct label_layout *
work_draw_layout (struct work_draw_state *s, const char *name, char **cause)
{
	size_t i;
	for (i = 0; i < nitems (s->cache) && s->cache[i].layout; i++)
		if (strcmp (s->cache[i].name, name) == 0)
			return s->cache[i].layout;
	struct label_layout *l = label_layout_load (name, cause);
	/* With the cache full (more layouts than any carrier set has) it is drawn with, then let go. */
	if (l && i < nitems (s->cache) && strlen (name) < sizeof s->cache[i].name) {
		util_strlcpy (s->cache[i].name, name, sizeof s->cache[i].name);
		s->cache[i].layout = l;
	}
	return l;
}

static bool
work_draw_cached (const struct work_draw_state *s, const struct label_layout *l)
{
	for (size_t i = 0; i < nitems (s->cache); i++)
		if (s->cache[i].layout == l)
			return true;
	return false;
}

/*
 * The check before a document is reported drawn: every barcode of the layout
 * read back from what was drawn (labels/label.h: label_verify, zxing-cpp on
 * the box the layout gave it) and compared with the data it should carry.
 * With the test seam DSP_HUB_DRAW_FAULT=misread (work_crash_init reads it),
 * the check is made against the data with another recipient's postcode, as
 * when a label reads back otherwise than it was drawn to.
 */
static int
work_draw_verify (struct label_layout *layout, const json_t *data, const struct label_options *opt,
    const struct label_buf *out, char **cause)
{
	if (out->len == 0) {
		*cause = xasprintf ("nothing was drawn");
		return -1;
	}
	json_t *to = json_object_get (data, "recipient");
	if (!work_fault ("misread") || !json_is_object (to))
		return label_verify (layout, data, opt, out, cause);
	json_t *other = json_deep_copy (data);
	json_object_set_new (json_object_get (other, "recipient"), "postcode", json_string ("ZZ9 9ZZ"));
	int rc = label_verify (layout, other, opt, out, cause);
	json_decref (other);
	return rc;
}

static void
work_draw_run (void *state, struct work_job *job)
{
	struct work_draw_state *s = state;
	struct work_draw_job *j = (struct work_draw_job *) job;
	j->rc = -1;
	int format = label_format_parse (j->format);
	if (format < 0) {
		j->cause = xasprintf ("no document format '%s'", j->format);
		return;
	}
	json_error_t jerr;
	json_t *data = json_loads (j->json, 0, &jerr);
	if (data == NULL) {
		j->cause = xasprintf ("the document's data is not JSON: %s", jerr.text);
		return;
	}
	work_crash_point ("draw");
	struct label_layout *layout = work_draw_layout (s, j->layout, &j->cause);
	if (layout) {
		struct label_options opt = { .format = (enum label_format) format, .dpi = j->dpi };
		struct label_buf out = { 0 };
		if (label_render (layout, data, &opt, &out, &j->cause) == 0) {
			char *why = NULL;
			if (work_draw_verify (layout, data, &opt, &out, &why) == 0) {
				j->rc = 0;
				j->data = out.data;
				j->size = out.len;
			} else {
				/* Drawn, but it does not read as it should: told apart from data that cannot be drawn. */
				j->rc = -2;
				j->cause = why ? why : xstrdup ("a barcode did not read back");
				free (out.data);
			}
		}
		if (!work_draw_cached (s, layout))
			label_layout_destroy (&layout);
	}
	json_decref (data);
}

static void
work_draw_free (struct work_job *job)
{
	struct work_draw_job *j = (struct work_draw_job *) job;
	work_draw_job_free (&j);
}

static const struct work_class work_draw_class = {
	.name = "dsp-draw",
	.nice = 5,
	.start = work_draw_start,
	.run = work_draw_run,
	.stop = work_draw_stop,
	.free = work_draw_free,
};

work_t *
work_draw_new (int threads, char **cause)
{
	return work_new (&work_draw_class, threads, NULL, cause);
}

struct work_draw_job *
work_draw_job_new (const char *layout, const char *format, int dpi, const char *json)
{
	struct work_draw_job *j = xcalloc (1, sizeof *j);
	j->layout = xstrdup (layout);
	j->format = xstrdup (format);
	j->dpi = dpi;
	j->json = xstrdup (json);
	return j;
}

void
work_draw_job_free (struct work_draw_job **job_p)
{
	if (job_p == NULL || *job_p == NULL)
		return;
	struct work_draw_job *j = *job_p;
	free (j->layout);
	free (j->format);
	free (j->json);
	free (j->data);
	free (j->cause);
	free (j);
	*job_p = NULL;
}
