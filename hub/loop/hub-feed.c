/* hub-feed.c: orders and tracking in: the integration endpoint and the inbox folders (see hub-feed.h). */
#include "config.h"
#include "hub-feed.h"
#include "hub/store/hub-import.h"
#include "carriers/carrier.h"
#include "log.h"
#include "util.h"

#include <czmq.h>
#include <dirent.h>
#include <errno.h>
#include <strings.h>
#include <sys/stat.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

struct hub_feed {
	zsock_t *rep;
	char *inbox;
	char *tracking_inbox; /* carrier tracking files (CSV, JSON), setting hub.tracking_inbox */
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
	free (self->tracking_inbox);
	free (self);
	*self_p = NULL;
}

int
hub_feed_set_tracking (hub_feed_t *self, const char *dir, char **cause)
{
	if (dir == NULL || *dir == '\0')
		return 0;
	if (util_mkdirs (dir, 0755) != 0) {
		*cause = xasprintf ("cannot make the tracking inbox folder %s: %s. Check hub.tracking_inbox", dir,
		    strerror (errno));
		return -1;
	}
	free (self->tracking_inbox);
	self->tracking_inbox = xstrdup (dir);
	return 0;
}

/* Take tracking events (CSV text, or JSON when json) in one transaction; 0 taken, 1 refused, -1 database. */
static int
hub_feed_track (db_t *db, const char *name, char *text, size_t size, bool json, struct carrier_track_report *rep)
{
	if (db_begin (db) != DB_DONE) {
		memset (rep, 0, sizeof *rep);
		return -1;
	}
	int rc = json ? carrier_track_json (db, name, text, size, util_wall_ms (), rep)
	    : carrier_track_text (db, name, text, util_wall_ms (), rep);
	if (rc == 0 && db_commit (db) != DB_DONE)
		rc = -1;
	if (rc != 0)
		db_rollback (db);
	return rc;
}

/* Write lines into path (one per line); best effort, logged. */
static void
hub_feed_write_lines (const char *path, char **lines, int n)
{
	FILE *f = fopen (path, "w");
	for (int i = 0; f && i < n; i++)
		fprintf (f, "%s\n", lines[i]);
	if (f == NULL || fclose (f) != 0)
		log_error ("cannot write %s: %s", path, strerror (errno));
}

/* One look at the tracking inbox: each *.csv or *.json file taken whole (moved to done/, unknown numbers
 * listed beside it in NAME.unknown) or refused (moved to failed/ with NAME.errors). */
static void
hub_feed_tracking_inbox (hub_feed_t *self, db_t *db)
{
	DIR *d = opendir (self->tracking_inbox);
	if (d == NULL)
		return;
	struct dirent *e;
	while ((e = readdir (d)) != NULL) {
		size_t nl = strlen (e->d_name);
		bool csv = nl > 4 && strcasecmp (e->d_name + nl - 4, ".csv") == 0;
		bool json = nl > 5 && strcasecmp (e->d_name + nl - 5, ".json") == 0;
		if ((!csv && !json) || e->d_name[0] == '.')
			continue;
		char *path = xasprintf ("%s/%s", self->tracking_inbox, e->d_name);
		struct stat sb;
		FILE *f = stat (path, &sb) == 0 && S_ISREG (sb.st_mode) ? fopen (path, "rb") : NULL;
		if (f == NULL) {
			free (path);
			continue;
		}
		size_t cap = (size_t) sb.st_size + 1, len = 0, got;
		char *text = xmalloc (cap + 1);
		while (len < cap && (got = fread (text + len, 1, cap - len, f)) > 0)
			len += got;
		text[len] = '\0';
		fclose (f);
		struct carrier_track_report rep;
		int rc = hub_feed_track (db, e->d_name, text, len, json, &rep);
		free (text);
		if (rc < 0) {
			log_error ("tracking inbox %s: not taken, will retry: %s", path, db_errmsg (db));
		} else {
			char *sub = xasprintf ("%s/%s", self->tracking_inbox, rc == 0 ? "done" : "failed");
			char *dest = xasprintf ("%s/%s", sub, e->d_name);
			util_mkdirs (sub, 0755);
			if (rename (path, dest) != 0)
				log_error ("tracking inbox: cannot move %s to %s: %s", path, dest, strerror (errno));
			if (rc == 0) {
				log_info ("tracking inbox %s: %d events, %d matched, %d unknown", e->d_name, rep.events,
				    rep.matched, rep.nunknown);
				for (int i = 0; i < rep.nunknown; i++)
					log_warn ("tracking inbox %s", rep.unknown[i]);
				if (rep.nunknown) {
					char *upath = xasprintf ("%s.unknown", dest);
					hub_feed_write_lines (upath, rep.unknown, rep.nunknown);
					free (upath);
				}
			} else {
				char *epath = xasprintf ("%s.errors", dest);
				hub_feed_write_lines (epath, rep.errors, rep.nerrors);
				log_warn ("tracking inbox %s: refused, nothing taken (%d problems, see %s)", e->d_name,
				    rep.nerrors, epath);
				free (epath);
			}
			free (sub);
			free (dest);
		}
		carrier_track_report_free (&rep);
		free (path);
	}
	closedir (d);
}

/* A tracking push ({"type": "tracking", "events": [...]}) and its JSON answer. */
static json_t *
hub_feed_tracking_push (db_t *db, const char *text, size_t size)
{
	struct carrier_track_report rep;
	char *copy = xmalloc (size + 1);
	memcpy (copy, text, size);
	copy[size] = '\0';
	int rc = hub_feed_track (db, "integration", copy, size, true, &rep);
	free (copy);
	json_t *out = json_object ();
	json_object_set_new (out, "ok", json_boolean (rc == 0));
	if (rc == 0) {
		json_object_set_new (out, "events", json_integer (rep.events));
		json_object_set_new (out, "matched", json_integer (rep.matched));
		json_t *unknown = json_array (), *warnings = json_array ();
		for (int i = 0; i < rep.nunknown; i++)
			json_array_append_new (unknown, json_string (rep.unknown[i]));
		for (int i = 0; i < rep.nwarnings; i++)
			json_array_append_new (warnings, json_string (rep.warnings[i]));
		json_object_set_new (out, "unknown", unknown);
		json_object_set_new (out, "warnings", warnings);
		for (int i = 0; i < rep.nunknown; i++)
			log_warn ("tracking push: %s", rep.unknown[i]);
	} else {
		json_t *errors = json_array ();
		for (int i = 0; i < rep.nerrors; i++)
			json_array_append_new (errors, json_string (rep.errors[i]));
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

void *
hub_feed_sock (hub_feed_t *self)
{
	return self ? self->rep : NULL;
}

/* Is the document an object with "type": "tracking"? */
static bool
hub_feed_is_tracking (const char *p, size_t n)
{
	if (n == 0 || *p != '{')
		return false;
	json_t *root = json_loadb (p, n, 0, NULL);
	const char *type = json_string_value (json_object_get (root, "type"));
	bool yes = type && strcmp (type, "tracking") == 0;
	json_decref (root);
	return yes;
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
	} else if (hub_feed_is_tracking (p + i, n - i)) {
		json_t *out = hub_feed_tracking_push (db, p + i, n - i);
		char *text = json_dumps (out, JSON_COMPACT);
		json_decref (out);
		zstr_send (self->rep, text ? text : "{\"ok\":false}");
		free (text);
		zmsg_destroy (&m);
		return;
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
hub_feed_inbox (hub_feed_t *self, db_t *db)
{
	if (self == NULL)
		return;
	if (self->inbox)
		hub_import_inbox (db, self->inbox);
	if (self->tracking_inbox)
		hub_feed_tracking_inbox (self, db);
}
