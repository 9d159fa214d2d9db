/*
 * hub-label.c: parcel rows to shipment JSON, drawn by the draw worker.
 *
 * The label-specific codes of each carrier (layout, service and routing
 * codes) come from its carrier file (carriers/carrier.h, doc/carriers.md); the sort
 * code is the recipient's outward postcode, which is what the carriers' own
 * sortation keys on for UK addresses.
 */
#include "config.h"
#include "hub-label.h"
#include "carriers/carrier.h"
#include "country.h"
#include "hub/req/hub-req.h"
#include "log.h"
#include "text.h"
#include "util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* "SW1A 2AA" -> "SW1A": the outward code. */
static void
hub_label_outward (const char *postcode, char *out, size_t n)
{
	size_t len = strcspn (postcode, " ");
	if (len >= n)
		len = text_utf8_whole (postcode, n - 1);
	memcpy (out, postcode, len);
	out[len] = '\0';
}

static json_t *
hub_label_address (const char *a1, const char *a2, const char *a3)
{
	json_t *a = json_array ();
	const char *lines[] = { a1, a2, a3 };
	for (size_t i = 0; i < nitems (lines); i++)
		if (lines[i] && *lines[i])
			json_array_append_new (a, json_string (lines[i]));
	return a;
}

json_t *
hub_label_shipment (db_t *db, conf_t *conf, int64_t parcel_id, const struct carrier **carrier_out, char **cause)
{
	db_stmt_t *st = db_prepare (db,
	    "SELECT p.parcel_no, p.weight_g, p.carrier, p.service, p.tracking, p.sscc, p.code,"
	    " o.ref, o.customer_name, o.address1, o.address2, o.address3, o.town, o.postcode, o.country, o.phone,"
	    " p.service,"
	    " max(o.parcels_expected, (SELECT count(*) FROM parcels q WHERE q.order_ref = o.ref AND q.status != 'void')),"
	    " o.promise, o.value_pence,"
	    " (SELECT min(currency) FROM order_lines l WHERE l.order_ref = o.ref)"
	    " FROM parcels p JOIN orders o ON o.ref = p.order_ref WHERE p.id = ?1");
	db_bind_int (st, 1, parcel_id);
	if (db_step (st) != DB_ROW) {
		db_reset (st);
		*cause = xasprintf ("parcel %lld not found", (long long) parcel_id);
		return NULL;
	}
	const struct carrier *c = carrier_find (carrier_current (), db_col_text (st, 2));
	const struct carrier_service *s = carrier_service_find (c, db_col_text (st, 3));
	if (c == NULL || s == NULL) {
		*cause = xasprintf ("carrier '%s' service '%s' is not in the carrier files", db_col_text (st, 2),
		    db_col_text (st, 3));
		db_reset (st);
		return NULL;
	}
	*carrier_out = c;
	const char *country = db_col_text (st, 14);
	const char *postcode = db_col_text (st, 13);
	char outward[TEXT_BYTES (TEXT_POSTCODE_MAX)], sort[40], date[32];
	hub_label_outward (postcode, outward, sizeof outward);
	util_iso_time (util_wall_ms (), date, sizeof date);
	date[10] = '\0';

	json_t *sh = json_object ();
	json_object_set_new (sh, "tracking", json_string (db_col_text (st, 4)));
	json_object_set_new (sh, "sscc", json_string (db_col_text (st, 5)));
	json_object_set_new (sh, "reference", json_string (db_col_text (st, 7)));
	json_object_set_new (sh, "date", json_string (date));

	json_t *carrier = json_object ();
	json_object_set_new (carrier, "code", json_string (c->code));
	json_object_set_new (carrier, "name", json_string (c->name));
	if (*c->piece_prefix)
		json_object_set_new (carrier, "piece_prefix", json_string (c->piece_prefix));
	json_object_set_new (sh, "carrier", carrier);

	json_t *service = json_object ();
	json_object_set_new (service, "code", json_string (s->label_code));
	json_object_set_new (service, "name", json_string (s->label_name));
	if (*s->label_class)
		json_object_set_new (service, "class", json_string (s->label_class));
	json_object_set_new (sh, "service", service);

	json_t *routing = json_object ();
	/* Four bytes of the outward code, never part of a character: jansson takes only whole text. */
	snprintf (sort, sizeof sort, "%.*s", (int) text_utf8_whole (outward, strnlen (outward, 4)), outward);
	json_object_set_new (routing, "sort", json_string (sort));
	if (*c->depot) {
		char key[64];
		snprintf (key, sizeof key, "carrier.%s.depot", c->code);
		json_object_set_new (routing, "depot", json_string (conf_get (conf, key, c->depot)));
	}
	if (*c->origin)
		json_object_set_new (routing, "origin", json_string (c->origin));
	if (*c->product)
		json_object_set_new (routing, "product", json_string (c->product));
	json_object_set_new (routing, "route", json_string (outward));
	json_object_set_new (routing, "drop", json_integer ((json_int_t) (parcel_id % 40) + 1));
	json_object_set_new (sh, "routing", routing);

	json_t *parcel = json_object ();
	json_object_set_new (parcel, "number", json_integer (db_col_int (st, 0)));
	json_object_set_new (parcel, "count", json_integer (db_col_int (st, 17) > 0 ? db_col_int (st, 17) : 1));
	json_object_set_new (parcel, "weight_kg", json_real ((double) db_col_int (st, 1) / 1000.0));
	json_object_set_new (sh, "parcel", parcel);

	json_t *sender = json_object ();
	json_object_set_new (sender, "name", json_string (conf_get (conf, "store.name", "Despatch, The Store")));
	json_object_set_new (sender, "address",
	    hub_label_address (conf_get (conf, "store.address", "1 High Street"), NULL, NULL));
	json_object_set_new (sender, "town", json_string (conf_get (conf, "store.town", "London")));
	json_object_set_new (sender, "postcode", json_string (conf_get (conf, "store.postcode", "W1A 1AA")));
	json_object_set_new (sender, "country", json_string ("GB"));
	json_object_set_new (sh, "sender", sender);

	json_t *rcpt = json_object ();
	json_object_set_new (rcpt, "name", json_string (db_col_text (st, 8)));
	json_object_set_new (rcpt, "address",
	    hub_label_address (db_col_text (st, 9), db_col_text (st, 10), db_col_text (st, 11)));
	json_object_set_new (rcpt, "town", json_string (db_col_text (st, 12)));
	json_object_set_new (rcpt, "postcode", json_string (postcode));
	json_object_set_new (rcpt, "country", json_string (country));
	const char *num = country_numeric (country), *cname = country_name (country);
	if (num)
		json_object_set_new (rcpt, "country_numeric", json_string (num));
	if (cname)
		json_object_set_new (rcpt, "country_name", json_string (cname));
	if (*db_col_text (st, 15))
		json_object_set_new (rcpt, "phone", json_string (db_col_text (st, 15)));
	json_object_set_new (sh, "recipient", rcpt);

	json_t *shipper = json_object ();
	json_object_set_new (shipper, "account", json_string (conf_get (conf, "carrier.ups.account", "999AA1")));
	json_object_set_new (sh, "shipper", shipper);
	json_t *delivery = json_object ();
	json_object_set_new (delivery, "slot", json_string (*db_col_text (st, 18) ? db_col_text (st, 18) : "any time"));
	json_object_set_new (sh, "delivery", delivery);
	/* What the order is declared at, for couriers that insure it and print it. */
	json_t *declared = json_object ();
	json_object_set_new (declared, "value", json_real ((double) db_col_int (st, 19) / 100.0));
	json_object_set_new (declared, "currency", json_string (*db_col_text (st, 20) ? db_col_text (st, 20) : "GBP"));
	json_object_set_new (sh, "declared", declared);
	db_reset (st);
	return sh;
}

char *
hub_label_json (const json_t *data)
{
	char *text = json_dumps (data, JSON_COMPACT | JSON_SORT_KEYS);
	return text ? text : xstrdup ("{}");
}

int
hub_label_draw (struct hub_req *req, int64_t parcel_id, int dpi, const uint8_t **data, size_t *size, char **cause)
{
	const struct carrier *c = NULL;
	json_t *sh = hub_label_shipment (req->db, req->opt->conf, parcel_id, &c, cause);
	if (sh == NULL)
		return 0;
	char *json = hub_label_json (sh);
	json_decref (sh);
	const char *why = NULL;
	int rc = hub_ask_draw (req, c->layout, "zpl", dpi, json, data, size, &why);
	free (json);
	if (rc == 0)
		*cause = xstrdup (why);
	return rc;
}
