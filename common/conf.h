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
 * Each key remembers where it was last set (file:line, or --set), for
 * conf_check_keys's warnings.
 */
#ifndef DSP_CONF_H
#define DSP_CONF_H

#include <stdbool.h>
#include <stddef.h>

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

/* Exchange the settings of a and b (each keeps its own address): a reload
 * puts the settings it read into the object every part holds, and frees
 * the old ones with the other. Values conf_get returned before belong to
 * the object they now live in. */
void conf_swap (conf_t *a, conf_t *b);

/* A copy of self, each key with where it was set. */
conf_t *conf_dup (conf_t *self);
/* Every key of from set in self as from has it (later settings win). */
void conf_merge (conf_t *self, conf_t *from);

/* Visit every key in order of first setting. */
typedef void (conf_visit_fn) (const char *key, const char *value, void *arg);
void conf_each (conf_t *self, conf_visit_fn *fn, void *arg);

/*
 * The keys the suite reads: one table (conf.c) for every program, each key
 * with its default as despatch.conf(5) gives it. In a name, '*' stands for
 * a name the site chooses (a station, a group, a carrier). The manual's
 * test (tests/ops/manual.sh) holds the code's readers, this table and the
 * page to each other, so a key read anywhere must have its row here.
 */
struct conf_key {
	const char *name;  /* "hub.endpoint", "printer.*.label" */
	const char *dflt;  /* the default, in the manual's words: "5000", "unset" */
};
/* The table, and its length in *n. Static; never freed. */
const struct conf_key *conf_keys (size_t *n);
/* The row whose name matches key ('*' matching one or more characters), or NULL. */
const struct conf_key *conf_key_find (const char *key);

/*
 * Each key set in self that no part of the suite reads, in the order set,
 * as one message for fn: where it was set (file:line, or --set) when known,
 * and the nearest known key when one is close:
 *   despatch.conf:12: unknown key printer.bench1.lable; did you mean printer.bench1.label?
 * The message is fn's only for the call. Returns how many keys were unknown.
 * Loading a file never fails for an unknown key: a program warns with this.
 */
typedef void (conf_warn_fn) (const char *message, void *arg);
int conf_check_keys (conf_t *self, conf_warn_fn *fn, void *arg);

#endif
