/* hub-ticket.c: an order's rows to its despatch ticket. */
#include "config.h"
#include "hub-ticket.h"
#include "hub-label.h"
#include "hub/req/hub-req.h"
#include "util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>


/* "Beauty, Womenswear": the order's departments, each once, in line order. */
static char *
hub_ticket_departments (db_t *db, const char *ref, int *lines)
{
	db_stmt_t *st = db_prepare (db, "SELECT department FROM order_lines WHERE order_ref = ?1 ORDER BY line_no");
	db_bind_text (st, 1, ref);
	size_t cap = 128, len = 0;
	char *out = xcalloc (1, cap);
	*lines = 0;
	while (db_step (st) == DB_ROW) {
		const char *d = db_col_text (st, 0);
		(*lines)++;
		char *seen = strstr (out, d);
		size_t dl = strlen (d);
		if (seen && (seen[dl] == '\0' || seen[dl] == ','))
			continue;
		if (len + dl + 3 > cap) {
			cap = (len + dl + 3) * 2;
			out = xrealloc (out, cap);
		}
		len += (size_t) snprintf (out + len, cap - len, "%s%s", len ? ", " : "", d);
	}
	db_reset (st);
	return out;
}

int
hub_ticket_render (struct hub_req *req, const char *order_ref, int dpi, uint8_t **data, size_t *size, char **cause)
{
	db_t *db = req->db;
	db_stmt_t *st = db_prepare (db,
	    "SELECT ref, channel, customer_name, town, postcode, country, service, promise FROM orders WHERE ref = ?1");
	db_bind_text (st, 1, order_ref);
	if (db_step (st) != DB_ROW) {
		db_reset (st);
		*cause = xasprintf ("order %s not found", order_ref);
		return -1;
	}
	char date[32];
	util_iso_time (util_wall_ms (), date, sizeof date);
	date[10] = '\0';
	json_t *t = json_object ();
	json_object_set_new (t, "reference", json_string (db_col_text (st, 0)));
	json_object_set_new (t, "date", json_string (date));
	json_t *service = json_object ();
	json_object_set_new (service, "name", json_string (db_col_text (st, 6)));
	json_object_set_new (t, "service", service);
	json_t *rcpt = json_object ();
	json_object_set_new (rcpt, "name", json_string (db_col_text (st, 2)));
	json_object_set_new (rcpt, "town", json_string (db_col_text (st, 3)));
	json_object_set_new (rcpt, "postcode", json_string (db_col_text (st, 4)));
	json_object_set_new (rcpt, "country", json_string (db_col_text (st, 5)));
	json_object_set_new (t, "recipient", rcpt);
	json_t *delivery = json_object ();
	if (*db_col_text (st, 7))
		json_object_set_new (delivery, "slot", json_string (db_col_text (st, 7)));
	json_object_set_new (t, "delivery", delivery);
	json_t *order = json_object ();
	json_object_set_new (order, "channel", json_string (db_col_text (st, 1)));
	db_reset (st);
	int lines = 0;
	char *departments = hub_ticket_departments (db, order_ref, &lines);
	json_object_set_new (order, "departments", json_string (departments));
	json_object_set_new (order, "lines", json_integer (lines));
	json_object_set_new (t, "order", order);
	free (departments);

	char *json = hub_label_json (t);
	json_decref (t);
	const uint8_t *drawn = NULL;
	const char *why = NULL;
	int rc = hub_ask_draw (req, "ticket", "zpl", dpi, json, &drawn, size, &why);
	free (json);
	if (rc != 1) {
		*cause = xstrdup (rc == 0 ? why : "being drawn");
		return -1;
	}
	*data = xmalloc (*size);
	memcpy (*data, drawn, *size);
	return 0;
}
