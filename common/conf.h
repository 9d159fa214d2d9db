/*
 * conf.h: the suite's configuration file, INI style, plus command-line
 * overrides of the form section.key=value.
 *
 *   # comment
 *   [hub]
 *   endpoint = tcp://127.0.0.1:5570
 *
 * Keys are addressed as "section.key". Later settings replace earlier ones,
 * so load the file first and apply overrides after. Values returned by
 * conf_get belong to the conf object and live until it is destroyed.
 * Errors come back as a "file:line: reason" string the caller frees.
 */
#ifndef DSP_CONF_H
#define DSP_CONF_H

#include <stdbool.h>

typedef struct conf conf_t;

conf_t *conf_new (void);
void conf_destroy (conf_t **self_p);

/* Load a file; 0, or -1 and *cause (caller frees). */
int conf_load (conf_t *self, const char *path, char **cause);
/* Parse text as if it were a file named name (used by tests and embedded defaults). */
int conf_load_string (conf_t *self, const char *name, const char *text, char **cause);
/* Apply "section.key=value"; 0, or -1 and *cause. */
int conf_set_arg (conf_t *self, const char *arg, char **cause);
void conf_set (conf_t *self, const char *key, const char *value);

const char *conf_get (conf_t *self, const char *key, const char *dflt);
/* An integer within [min,max]; -1 and *cause when the value is not one. */
int conf_get_long (conf_t *self, const char *key, long dflt, long min, long max, long *out, char **cause);
bool conf_get_bool (conf_t *self, const char *key, bool dflt);

/* Visit every key in order of first setting. */
typedef void (conf_visit_fn) (const char *key, const char *value, void *arg);
void conf_each (conf_t *self, conf_visit_fn *fn, void *arg);

#endif
