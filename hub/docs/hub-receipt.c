/* hub-receipt.c: a manifest's rows to its collection receipt (see hub-receipt.h). */
#include "config.h"
#include "hub-receipt.h"
#include "hub-print.h"
#include "hub-label.h"
#include "log.h"
#include "util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

int
hub_receipt_draw (struct hub_req *req, int64_t manifest, const uint8_t **data, size_t *size, char **cause)
{
	db_t *db = req->db;
	db_stmt_t *st = db_prepare (db,
	    "SELECT m.carrier, coalesce (c.name, m.carrier), coalesce (m.cage, ''), m.closed_at, m.closed_by,"
	    " coalesce (o.name, m.closed_by), (SELECT count (*) FROM parcels WHERE manifest_id = m.id),"
	    " (SELECT coalesce (sum (weight_g), 0) FROM parcels WHERE manifest_id = m.id)"
	    " FROM manifests m LEFT JOIN carriers c ON c.code = m.carrier LEFT JOIN operators o ON o.badge = m.closed_by"
	    " WHERE m.id = ?1");
	db_bind_int (st, 1, manifest);
	if (db_step (st) != DB_ROW) {
		db_reset (st);
		*cause = xasprintf ("manifest %lld not found", (long long) manifest);
		return 0;
	}
	char iso[32], id[24], kg[32];
	util_iso_time (db_col_int (st, 3), iso, sizeof iso);
	snprintf (id, sizeof id, "%lld", (long long) manifest);
	int64_t grams = db_col_int (st, 7);
	snprintf (kg, sizeof kg, "%lld.%03lld", (long long) (grams / 1000), (long long) (grams % 1000));
	json_t *r = json_object ();
	json_t *carrier = json_object ();
	json_object_set_new (carrier, "code", json_string (db_col_text (st, 0)));
	json_object_set_new (carrier, "name", json_string (db_col_text (st, 1)));
	json_object_set_new (r, "carrier", carrier);
	if (*db_col_text (st, 2))
		json_object_set_new (r, "cage", json_string (db_col_text (st, 2)));
	json_object_set_new (r, "time", json_sprintf ("%.5s UTC", iso + 11));
	iso[10] = '\0';
	json_object_set_new (r, "date", json_string (iso));
	json_object_set_new (r, "closed_by", json_string (db_col_text (st, 5)));
	json_object_set_new (r, "parcels", json_integer (db_col_int (st, 6)));
	json_object_set_new (r, "weight_kg", json_string (kg));
	json_object_set_new (r, "manifest", json_string (id));
	db_reset (st);
	char *json = hub_label_json (r);
	json_decref (r);
	const char *why = NULL;
	int rc = hub_ask_draw (req, "receipt", "pdf", 300, json, data, size, &why);
	free (json);
	if (rc == 0)
		*cause = xstrdup (why);
	return rc;
}

int64_t
hub_receipt_queue (struct hub_req *req, int64_t manifest)
{
	const uint8_t *data = NULL;
	size_t size = 0;
	char *cause = NULL;
	int drawn = hub_receipt_draw (req, manifest, &data, &size, &cause);
	if (drawn == 0)
		log_error ("manifest %lld: collection receipt not drawn: %s", (long long) manifest, cause);
	else if (drawn < 0)
		data = NULL; /* being drawn: this run is not kept */
	char *carrier = NULL;
	db_stmt_t *st = db_prepare (req->db, "SELECT carrier FROM manifests WHERE id = ?1");
	db_bind_int (st, 1, manifest);
	if (db_step (st) == DB_ROW)
		carrier = xstrdup (db_col_text (st, 0));
	db_reset (st);
	int64_t job = -1;
	if (carrier) {
		char *title = xasprintf ("collection receipt %s manifest %lld", carrier, (long long) manifest);
		struct hub_print_doc doc = { .manifest_id = manifest, .kind = "receipt", .format = "pdf", .title = title,
			.data = data, .size = size, .cause = data ? NULL : cause ? cause : "being drawn" };
		job = hub_print_document (req, &doc);
		free (title);
		free (carrier);
	}
	free (cause);
	return job;
}
