/* hub-integration.c: the integration endpoint and the inbox (see hub-integration.h). */
#include "config.h"
#include "hub-integration.h"
#include "hub-import.h"
#include "log.h"
#include "util.h"

#include <czmq.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define HUB_FEED_INBOX_EVERY_MS 2000

struct hub_feed {
	zsock_t *rep;
	char *inbox;
	int64_t next_inbox_ms;
};

hub_feed_t *
hub_feed_new (const char *endpoint, const char *inbox, hub_curve_t *curve, char **cause)
{
	hub_feed_t *self = xcalloc (1, sizeof *self);
	if (inbox && *inbox) {
		self->inbox = xstrdup (inbox);
		if (util_mkdirs (inbox, 0755) != 0) {
			*cause = xasprintf ("cannot make the inbox folder %s: %s", inbox, strerror (errno));
			hub_feed_destroy (&self);
			return NULL;
		}
	}
	if (endpoint && *endpoint) {
		self->rep = zsock_new (ZMQ_REP);
		if (self->rep && curve && hub_curve_apply (curve, self->rep, cause) != 0) {
			hub_feed_destroy (&self);
			return NULL;
		}
		zsock_set_maxmsgsize (self->rep, 16 * 1024 * 1024);
		zsock_set_linger (self->rep, 500);
		if (self->rep == NULL || zsock_bind (self->rep, "%s", endpoint) < 0) {
			*cause = xasprintf ("cannot listen for integrations on %s: %s. Choose another hub.integration",
			    endpoint, zmq_strerror (zmq_errno ()));
			hub_feed_destroy (&self);
			return NULL;
		}
		log_info ("integration endpoint on %s%s", endpoint, curve ? " (CURVE)" : "");
	}
	return self;
}

void
hub_feed_destroy (hub_feed_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	hub_feed_t *self = *self_p;
	zsock_destroy (&self->rep);
	free (self->inbox);
	free (self);
	*self_p = NULL;
}

void *
hub_feed_sock (hub_feed_t *self)
{
	return self ? self->rep : NULL;
}

void
hub_feed_handle (hub_feed_t *self, db_t *db)
{
	zmsg_t *m = zmsg_recv (self->rep);
	if (m == NULL)
		return;
	zframe_t *f = zmsg_first (m);
	struct hub_import_report rep = { 0 };
	int rc;
	const char *p = f ? (const char *) zframe_data (f) : NULL;
	size_t n = f ? zframe_size (f) : 0, i = 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	if (f == NULL || zmsg_size (m) != 1 || i == n || (p[i] != '{' && p[i] != '[')) {
		rc = 1;
		rep.errors = xcalloc (1, sizeof *rep.errors);
		rep.errors[rep.nerrors++] = xstrdup ("not valid JSON: send one frame holding one JSON document "
		    "(an order, a list of orders or {\"orders\": [...]}, see doc/orders.md)");
	} else if (db_begin (db) != DB_DONE) {
		rc = -1;
	} else {
		rc = hub_import_text (db, "integration", (const char *) zframe_data (f), zframe_size (f), util_wall_ms (),
		    &rep);
		if (rc == 0 && db_commit (db) != DB_DONE)
			rc = -1;
		if (rc != 0)
			db_rollback (db);
	}
	zmsg_destroy (&m);
	json_t *out = json_object ();
	json_object_set_new (out, "ok", json_boolean (rc == 0));
	if (rc == 0) {
		json_object_set_new (out, "orders", json_integer (rep.orders));
		json_object_set_new (out, "created", json_integer (rep.created));
		json_object_set_new (out, "updated", json_integer (rep.updated));
		json_object_set_new (out, "unchanged", json_integer (rep.unchanged));
	} else {
		json_t *errors = json_array ();
		for (int e = 0; e < rep.nerrors; e++)
			json_array_append_new (errors, json_string (rep.errors[e]));
		if (rc < 0 && rep.nerrors == 0)
			json_array_append_new (errors, json_string ("the hub cannot write its database now; nothing was "
			    "imported, send again shortly"));
		json_object_set_new (out, "errors", errors);
		json_object_set_new (out, "retry", json_boolean (rc < 0));
	}
	char *text = json_dumps (out, JSON_COMPACT);
	json_decref (out);
	zstr_send (self->rep, text ? text : "{\"ok\":false}");
	free (text);
	log_info ("integration push: %s", rc == 0 ? "imported" : "refused");
	hub_import_report_free (&rep);
}

void
hub_feed_tick (hub_feed_t *self, db_t *db)
{
	if (self == NULL || self->inbox == NULL)
		return;
	int64_t now = util_mono_ms ();
	if (now < self->next_inbox_ms)
		return;
	self->next_inbox_ms = now + HUB_FEED_INBOX_EVERY_MS;
	hub_import_inbox (db, self->inbox);
}
