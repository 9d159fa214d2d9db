/* hub-integration.c: order and tracking pushes on the integration endpoint (see hub-integration.h). */
#include "config.h"
#include "hub-integration.h"
#include "hub/store/hub-import.h"
#include "carriers/carrier.h"
#include "log.h"
#include "util.h"

#include <czmq.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* A frame over this is dropped by libzmq with its connection, unread (doc/orders.md). */
#define HUB_INTEGRATION_MAX_FRAME (16 * 1024 * 1024)

struct hub_integration {
	zsock_t *rep;
	zmsg_t *push;        /* the order push being imported: its frame is the import's text */
	hub_import_t *imp;
	int64_t started_ms;
};

hub_integration_t *
hub_integration_new (const char *endpoint, hub_curve_t *curve, char **cause)
{
	hub_integration_t *self = xcalloc (1, sizeof *self);
	self->rep = zsock_new (ZMQ_REP);
	if (self->rep && curve && hub_curve_apply (curve, self->rep, HUB_CURVE_INTEGRATION, cause) != 0) {
		hub_integration_destroy (&self);
		return NULL;
	}
	if (self->rep) {
		zsock_set_maxmsgsize (self->rep, HUB_INTEGRATION_MAX_FRAME);
		zsock_set_linger (self->rep, 500);
	}
	if (self->rep == NULL || zsock_bind (self->rep, "%s", endpoint) < 0) {
		*cause = xasprintf ("cannot listen for integrations on %s: %s. Choose another hub.integration", endpoint,
		    zmq_strerror (zmq_errno ()));
		hub_integration_destroy (&self);
		return NULL;
	}
	log_info ("integration endpoint on %s%s", endpoint, curve ? " (CURVE)" : "");
	return self;
}

void
hub_integration_destroy (hub_integration_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	hub_integration_t *self = *self_p;
	hub_import_destroy (&self->imp);
	zmsg_destroy (&self->push);
	zsock_destroy (&self->rep);
	free (self);
	*self_p = NULL;
}

void *
hub_integration_sock (hub_integration_t *self)
{
	return self ? self->rep : NULL;
}

bool
hub_integration_busy (const hub_integration_t *self)
{
	return self && self->imp;
}

static void
hub_integration_send (hub_integration_t *self, json_t **out_p)
{
	char *text = json_dumps (*out_p, JSON_COMPACT);
	json_decref (*out_p);
	*out_p = NULL;
	zstr_send (self->rep, text ? text : "{\"ok\":false}");
	free (text);
}

static json_t *
hub_integration_list (char **items, int n)
{
	json_t *a = json_array ();
	for (int i = 0; i < n; i++)
		json_array_append_new (a, json_string (items[i]));
	return a;
}

/*
 * Is the document an object whose key "type" (one level in) is "tracking"?
 * Read without parsing it whole: an order push of 16 MiB is not loaded
 * twice. Keys and values are compared as they are written (no escapes).
 */
static bool
hub_integration_is_tracking (const char *p, size_t n)
{
	int depth = 0;
	bool str = false, esc = false, want_value = false, key_type = false;
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (str) {
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"') {
				str = false;
				size_t len = i - start;
				if (depth == 1 && want_value)
					return key_type && len == 8 && memcmp (p + start, "tracking", 8) == 0;
				if (depth == 1) {
					/* a key when a ':' follows */
					size_t k = i + 1;
					while (k < n && (p[k] == ' ' || p[k] == '\t' || p[k] == '\r' || p[k] == '\n'))
						k++;
					if (k < n && p[k] == ':') {
						key_type = len == 4 && memcmp (p + start, "type", 4) == 0;
						want_value = key_type;
						i = k;
					}
				}
			}
			continue;
		}
		if (c == '"') {
			str = true;
			start = i + 1;
		} else if (c == '{' || c == '[') {
			if (depth == 0 && c == '[')
				return false;
			depth++;
			want_value = false;
		} else if (c == '}' || c == ']') {
			depth--;
		} else if (depth == 1 && want_value && c != ' ' && c != '\t' && c != '\r' && c != '\n') {
			want_value = false; /* "type" is not a string */
		}
	}
	return false;
}

/* A tracking push ({"type": "tracking", "events": [...]}), taken in one transaction, and its answer. */
static json_t *
hub_integration_tracking (db_t *db, const char *text, size_t size)
{
	struct carrier_track_report rep;
	int rc;
	if (db_begin (db) != DB_DONE) {
		memset (&rep, 0, sizeof rep);
		rc = -1;
	} else {
		rc = carrier_track_json (db, "integration", text, size, util_wall_ms (), &rep);
		if (rc == 0 && db_commit (db) != DB_DONE)
			rc = -1;
		if (rc != 0)
			db_rollback (db);
	}
	json_t *out = json_object ();
	json_object_set_new (out, "ok", json_boolean (rc == 0));
	if (rc == 0) {
		json_object_set_new (out, "events", json_integer (rep.events));
		json_object_set_new (out, "matched", json_integer (rep.matched));
		json_object_set_new (out, "unknown", hub_integration_list (rep.unknown, rep.nunknown));
		json_object_set_new (out, "warnings", hub_integration_list (rep.warnings, rep.nwarnings));
		for (int i = 0; i < rep.nunknown; i++)
			log_warn ("tracking push: %s", rep.unknown[i]);
	} else {
		json_t *errors = hub_integration_list (rep.errors, rep.nerrors);
		if (rc < 0)
			json_array_append_new (errors, json_string ("the hub cannot write its database now; nothing was "
			    "taken, send again shortly"));
		json_object_set_new (out, "errors", errors);
		json_object_set_new (out, "retry", json_boolean (rc < 0));
	}
	log_info ("integration tracking push: %s (%d events, %d unknown)", rc == 0 ? "taken" : "refused", rep.events,
	    rep.nunknown);
	carrier_track_report_free (&rep);
	return out;
}

static void
hub_integration_refuse (hub_integration_t *self, const char *why)
{
	json_t *out = json_object ();
	json_object_set_new (out, "ok", json_false ());
	json_t *errors = json_array ();
	json_array_append_new (errors, json_string (why));
	json_object_set_new (out, "errors", errors);
	json_object_set_new (out, "retry", json_false ());
	hub_integration_send (self, &out);
	log_info ("integration push: refused (%s)", why);
}

void
hub_integration_handle (hub_integration_t *self, db_t *db)
{
	(void) db;
	if (self->imp)
		return; /* one at a time: REP has none to give until this one is answered */
	zmsg_t *m = zmsg_recv (self->rep);
	if (m == NULL)
		return;
	zframe_t *f = zmsg_first (m);
	const char *p = f ? (const char *) zframe_data (f) : NULL;
	size_t n = f ? zframe_size (f) : 0, i = 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	if (f == NULL || zmsg_size (m) != 1 || i == n || (p[i] != '{' && p[i] != '[')) {
		zmsg_destroy (&m);
		hub_integration_refuse (self, "not valid JSON: send one frame holding one JSON document (an order, a list "
		    "of orders or {\"orders\": [...]}, see doc/orders.md)");
		return;
	}
	if (hub_integration_is_tracking (p + i, n - i)) {
		json_t *out = hub_integration_tracking (db, p + i, n - i);
		zmsg_destroy (&m);
		hub_integration_send (self, &out);
		return;
	}
	char *cause = NULL;
	self->imp = hub_import_new ("integration", util_wall_ms (), HUB_IMPORT_ON_LOOP, &cause);
	if (self->imp == NULL) {
		zmsg_destroy (&m);
		log_error ("integration push: %s", cause);
		json_t *out = json_object ();
		json_object_set_new (out, "ok", json_false ());
		json_t *errors = json_array ();
		json_array_append_new (errors, json_string ("the hub cannot take a push now; nothing was imported, send "
		    "again shortly"));
		json_object_set_new (out, "errors", errors);
		json_object_set_new (out, "retry", json_true ());
		hub_integration_send (self, &out);
		free (cause);
		return;
	}
	self->push = m;
	self->started_ms = util_mono_ms ();
	hub_import_source_text (self->imp, p, n);
	log_info ("integration push: importing %zu bytes", n);
}

/* The push is imported or refused: its answer. */
static void
hub_integration_answer (hub_integration_t *self)
{
	const struct hub_import_report *rep = hub_import_report (self->imp);
	int rc = hub_import_outcome (self->imp);
	json_t *out = json_object ();
	json_object_set_new (out, "ok", json_boolean (rc == 0));
	if (rc == 0) {
		json_object_set_new (out, "orders", json_integer (rep->orders));
		json_object_set_new (out, "created", json_integer (rep->created));
		json_object_set_new (out, "updated", json_integer (rep->updated));
		json_object_set_new (out, "unchanged", json_integer (rep->unchanged));
	} else {
		json_t *errors = hub_integration_list (rep->errors, rep->nerrors);
		if (rep->more_errors)
			json_array_append_new (errors, json_string ("more problems follow: the rest of the document was not "
			    "read"));
		if (rc < 0)
			json_array_append_new (errors, json_string ("the hub cannot write its database now; nothing was "
			    "imported, send again shortly"));
		json_object_set_new (out, "errors", errors);
		json_object_set_new (out, "retry", json_boolean (rc < 0));
	}
	if (rep->nwarnings > 0)
		json_object_set_new (out, "warnings", hub_integration_list (rep->warnings, rep->nwarnings));
	hub_integration_send (self, &out);
	if (rc == 0)
		log_info ("integration push: imported %ld orders (%ld new, %ld updated, %ld unchanged) in %lld ms",
		    rep->orders, rep->created, rep->updated, rep->unchanged,
		    (long long) (util_mono_ms () - self->started_ms));
	else
		log_info ("integration push: %s (%d problems)", rc < 0 ? "not imported, the database failed" : "refused",
		    rep->nerrors);
	if (rep->nwarnings)
		log_info ("integration push: %d warnings (answered with them)", rep->nwarnings);
	hub_import_destroy (&self->imp);
	zmsg_destroy (&self->push);
}

bool
hub_integration_step (hub_integration_t *self, db_t *db, int budget_ms)
{
	if (self == NULL || self->imp == NULL)
		return false;
	if (hub_import_step (self->imp, db, budget_ms))
		return true;
	hub_integration_answer (self);
	return false;
}
