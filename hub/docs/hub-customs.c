/* hub-customs.c: customs papers for parcels leaving the UK (see hub-customs.h). */
#include "config.h"
#include "hub-customs.h"
#include "carriers/carrier.h"
#include "hub/req/flow.h"
#include "hub-label.h"
#include "hub-print.h"
#include "log.h"
#include "util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* The papers, by layout name. */
static const struct hub_customs_paper {
	const char *name;
	const char *title;
} hub_customs_papers[] = {
	{ "cn22", "CN22" },
	{ "cn23", "CN23" },
	{ "invoice", "commercial invoice" },
};

static const struct hub_customs_paper *
hub_customs_paper (const char *name)
{
	for (size_t i = 0; i < nitems (hub_customs_papers); i++)
		if (strcmp (hub_customs_papers[i].name, name) == 0)
			return &hub_customs_papers[i];
	return NULL;
}

/* What each line must carry: the column, and what is said when it is missing. */
enum { HC_DESCRIPTION, HC_HS_CODE, HC_ORIGIN, HC_VALUE, HC_CURRENCY, HC_WEIGHT, HC_SKU, HC_LINE, HC_QUANTITY };
#define HUB_CUSTOMS_LINES \
	"SELECT description, hs_code, origin_country, value_pence, currency, unit_weight_g, sku, line_no, quantity" \
	" FROM order_lines WHERE order_ref = ?1 ORDER BY line_no"
static const struct {
	int col;
	const char *missing;
} hub_customs_needs[] = {
	{ HC_DESCRIPTION, "no description" },
	{ HC_HS_CODE, "no HS code" },
	{ HC_ORIGIN, "no country of origin" },
	{ HC_VALUE, "no value" },
	{ HC_CURRENCY, "no currency" },
	{ HC_WEIGHT, "no weight" },
};

int
hub_customs_check (struct hub_req *req, const char *ref, const char *country, const char *carrier,
    const char *service, const char **paper)
{
	*paper = NULL;
	const struct carrier *c = carrier_find (carrier_current (), carrier);
	const struct carrier_service *s = c ? carrier_service_find (c, service) : NULL;
	if (s == NULL || strcmp (country, "GB") == 0 || *s->customs == '\0' || strcmp (s->customs, "none") == 0
	    || carrier_list_has (s->customs_free, country))
		return 0;
	db_stmt_t *st = db_prepare (req->db, HUB_CUSTOMS_LINES);
	db_bind_text (st, 1, ref);
	int64_t total = 0;
	int rc;
	while ((rc = db_step (st)) == DB_ROW) {
		total += db_col_int (st, HC_VALUE);
		for (size_t i = 0; i < nitems (hub_customs_needs); i++) {
			int col = hub_customs_needs[i].col;
			bool missing = col == HC_VALUE || col == HC_WEIGHT ? db_col_int (st, col) <= 0
			    : *db_col_text (st, col) == '\0';
			if (!missing)
				continue;
			const char *what = *db_col_text (st, HC_DESCRIPTION) ? db_col_text (st, HC_DESCRIPTION)
			    : db_col_text (st, HC_SKU);
			/* 60 bytes of the description, never part of a character. */
			hub_reply (req, PROTO_REFUSED, PR_BAD_DATA, "Customs (%s to %s): line %lld (%.*s): %s. "
			    "Add it to the order and pack again", s->customs, country, (long long) db_col_int (st, HC_LINE),
			    (int) text_utf8_whole (what, strnlen (what, 60)), what, hub_customs_needs[i].missing);
			hub_reply_data (req, "line", "%lld", (long long) db_col_int (st, HC_LINE));
			hub_reply_data (req, "missing", "%s", hub_customs_needs[i].missing + 3);
			db_reset (st);
			return 1;
		}
	}
	db_reset (st);
	if (rc != DB_DONE)
		return -1;
	*paper = strcmp (s->customs, "cn22") == 0 && total > HUB_CUSTOMS_CN22_LIMIT ? "cn23" : s->customs;
	return 0;
}

/* "1.250" kg from grams. */
static json_t *
hub_customs_kg (int64_t grams)
{
	return json_sprintf ("%lld.%03lld", (long long) (grams / 1000), (long long) (grams % 1000));
}

/* The first n characters of s (UTF-8), never a part of one: jansson takes only whole text. */
static json_t *
hub_customs_cut (const char *s, size_t n)
{
	const char *p = s;
	for (size_t i = 0; i < n && *p; i++)
		do
			p++;
		while (((unsigned char) *p & 0xC0) == 0x80);
	return json_stringn (s, (size_t) (p - s));
}

/*
 * The order's lines under "customs": "lines", one object a line (the papers' tables),
 * the same as columns (lists of strings, one entry a line), and the totals.
 */
static json_t *
hub_customs_contents (db_t *db, const char *ref)
{
	static const char *const cols[] = { "description", "quantity", "hs_code", "origin", "value", "weight_kg" };
	json_t *customs = json_object ();
	json_t *list[nitems (cols)], *lines = json_array ();
	json_object_set_new (customs, "lines", lines);
	for (size_t i = 0; i < nitems (cols); i++) {
		list[i] = json_array ();
		json_object_set_new (customs, cols[i], list[i]);
	}
	db_stmt_t *st = db_prepare (db, HUB_CUSTOMS_LINES);
	db_bind_text (st, 1, ref);
	int64_t value = 0, grams = 0, items = 0;
	char currency[8] = "", money[32];
	while (db_step (st) == DB_ROW) {
		int64_t g = db_col_int (st, HC_WEIGHT) * db_col_int (st, HC_QUANTITY);
		carrier_money (db_col_int (st, HC_VALUE), money, sizeof money);
		json_array_append_new (list[0], hub_customs_cut (db_col_text (st, HC_DESCRIPTION), 40));
		json_array_append_new (list[1], json_sprintf ("%lld", (long long) db_col_int (st, HC_QUANTITY)));
		json_array_append_new (list[2], json_string (db_col_text (st, HC_HS_CODE)));
		json_array_append_new (list[3], json_string (db_col_text (st, HC_ORIGIN)));
		json_array_append_new (list[4], json_sprintf ("%s %s", money, db_col_text (st, HC_CURRENCY)));
		json_array_append_new (list[5], hub_customs_kg (g));
		json_t *row = json_object ();
		for (size_t i = 0; i < nitems (cols); i++)
			json_object_set (row, cols[i], json_array_get (list[i], json_array_size (list[i]) - 1));
		json_array_append_new (lines, row);
		if (*currency == '\0')
			util_strlcpy (currency, db_col_text (st, HC_CURRENCY), sizeof currency);
		else if (strcmp (currency, db_col_text (st, HC_CURRENCY)) != 0)
			log_warn ("order %s: lines in more than one currency; the customs total is in %s", ref, currency);
		value += db_col_int (st, HC_VALUE);
		grams += g;
		items += db_col_int (st, HC_QUANTITY);
	}
	db_reset (st);
	carrier_money (value, money, sizeof money);
	json_object_set_new (customs, "total_value", json_string (money));
	json_object_set_new (customs, "currency", json_string (currency));
	json_object_set_new (customs, "total_weight_kg", hub_customs_kg (grams));
	json_object_set_new (customs, "items", json_integer ((json_int_t) items));
	return customs;
}

int
hub_customs_draw (struct hub_req *req, int64_t parcel_id, const char *paper, const uint8_t **data, size_t *size,
    char **cause)
{
	const struct hub_customs_paper *p = hub_customs_paper (paper);
	if (p == NULL) {
		*cause = xasprintf ("no customs paper called '%s'", paper);
		return 0;
	}
	const struct carrier *c = NULL;
	json_t *sh = hub_label_shipment (req->db, req->opt->conf, parcel_id, &c, cause);
	if (sh == NULL)
		return 0;
	json_object_set_new (sh, "customs", hub_customs_contents (req->db, json_string_value (json_object_get (sh,
	    "reference"))));
	/* The exporter's numbers on the invoice: store.eori, store.vat in despatch.conf. */
	json_t *sender = json_object_get (sh, "sender");
	const char *eori = conf_get (req->opt->conf, "store.eori", "");
	const char *vat = conf_get (req->opt->conf, "store.vat", "");
	if (*eori)
		json_object_set_new (sender, "eori", json_string (eori));
	if (*vat)
		json_object_set_new (sender, "vat", json_string (vat));
	char *json = hub_label_json (sh);
	json_decref (sh);
	const char *why = NULL;
	int rc = hub_ask_draw (req, p->name, "pdf", 300, json, data, size, &why);
	free (json);
	if (rc == 0)
		*cause = xstrdup (why);
	return rc;
}

int64_t
hub_customs_queue (struct hub_req *req, int64_t parcel_id, const char *paper)
{
	const uint8_t *data = NULL;
	size_t size = 0;
	char *cause = NULL;
	int drawn = hub_customs_draw (req, parcel_id, paper, &data, &size, &cause);
	if (drawn == 0)
		log_error ("parcel %lld: customs %s not drawn: %s", (long long) parcel_id, paper, cause);
	else if (drawn < 0)
		data = NULL; /* being drawn: this run is not kept */
	const struct hub_customs_paper *p = hub_customs_paper (paper);
	struct flow_parcel parcel;
	int64_t job = -1;
	if (flow_parcel_get (req, parcel_id, &parcel) == 0) {
		char *title = xasprintf ("%s %s %s", p ? p->title : paper, parcel.code, parcel.tracking);
		/* The order's job, not the parcel's: a parcel's reprint stays its label. */
		struct hub_print_doc doc = { .order_ref = parcel.order, .kind = "customs", .format = "pdf",
			.title = title, .data = data, .size = size, .cause = data ? NULL : cause ? cause : "being drawn" };
		job = hub_print_document (req, &doc);
		free (title);
	}
	free (cause);
	return job;
}
