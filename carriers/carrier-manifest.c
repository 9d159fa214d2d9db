/*
 * carrier-manifest.c: a closed manifest written out in its carrier's
 * format (doc/carriers.md "Manifests"): CSV with a header line, fixed-width
 * records, or for the store's vans a route-planning export (CSV, one row
 * per parcel in postcode order with a drop number per order).
 *
 * The fields a carrier wants, and their order, are its manifest-fields;
 * what each field means is the table below.
 */
#include "config.h"
#include "carrier-manifest.h"
#include "util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum carrier_mcol {
	MC_TRACKING, MC_SSCC, MC_ORDER, MC_PARCEL, MC_PARCEL_NO, MC_WEIGHT_G, MC_SERVICE, MC_NAME, MC_ADDRESS1,
	MC_ADDRESS2, MC_ADDRESS3, MC_TOWN, MC_POSTCODE, MC_COUNTRY, MC_PHONE, MC_VALUE_PENCE, MC_CAGE, MC_MANIFEST,
	MC_CLOSED_AT,
	/* computed */
	MC_DATE, MC_CARRIER, MC_SERVICE_CODE, MC_WEIGHT_KG, MC_VALUE, MC_DROP,
};

static const struct {
	const char *name;
	enum carrier_mcol col;
	bool number;    /* fixed width: right-aligned, zero-filled */
	const char *help;
} carrier_manifest_fields[] = {
	{ "manifest", MC_MANIFEST, true, "manifest id" },
	{ "date", MC_DATE, false, "close-out date, YYYY-MM-DD (UTC)" },
	{ "carrier", MC_CARRIER, false, "carrier code" },
	{ "service", MC_SERVICE, false, "service code (as in the carrier file)" },
	{ "service_code", MC_SERVICE_CODE, false, "the carrier's own service code (label-code)" },
	{ "tracking", MC_TRACKING, false, "tracking number" },
	{ "sscc", MC_SSCC, true, "SSCC-18" },
	{ "order", MC_ORDER, false, "order reference" },
	{ "parcel", MC_PARCEL, false, "parcel code REF/N" },
	{ "parcel_no", MC_PARCEL_NO, true, "parcel number within the order" },
	{ "weight_g", MC_WEIGHT_G, true, "weight in grams" },
	{ "weight_kg", MC_WEIGHT_KG, false, "weight in kg, 3 decimals" },
	{ "name", MC_NAME, false, "recipient" },
	{ "address1", MC_ADDRESS1, false, "address line 1" },
	{ "address2", MC_ADDRESS2, false, "address line 2" },
	{ "address3", MC_ADDRESS3, false, "address line 3" },
	{ "town", MC_TOWN, false, "town" },
	{ "postcode", MC_POSTCODE, false, "postcode" },
	{ "country", MC_COUNTRY, false, "ISO 3166 alpha-2" },
	{ "phone", MC_PHONE, false, "recipient's phone" },
	{ "value", MC_VALUE, false, "order value, pounds with 2 decimals" },
	{ "value_pence", MC_VALUE_PENCE, true, "order value in pence" },
	{ "cage", MC_CAGE, false, "cage or van it was loaded on" },
	{ "drop", MC_DROP, true, "drop number on the route (route export: one per order, postcode order)" },
};

/* "tracking" or, for fixed, "tracking:20"; find the field and width. */
static int
carrier_manifest_lookup (const char *spec, bool fixed, int *width, char *why, size_t n)
{
	char name[48];
	const char *colon = strchr (spec, ':');
	size_t len = colon ? (size_t) (colon - spec) : strlen (spec);
	snprintf (name, sizeof name, "%.*s", (int) len, spec);
	*width = 0;
	if (fixed) {
		long w;
		if (colon == NULL || !util_parse_long (colon + 1, 1, 200, &w)) {
			snprintf (why, n, "fixed-width field '%s' needs a width, like %s:20", spec, name);
			return -1;
		}
		*width = (int) w;
	} else if (colon) {
		snprintf (why, n, "'%s': only fixed-width manifests give widths", spec);
		return -1;
	}
	for (size_t i = 0; i < nitems (carrier_manifest_fields); i++)
		if (strcmp (carrier_manifest_fields[i].name, name) == 0)
			return (int) i;
	snprintf (why, n, "unknown field '%s' (see doc/carriers.md, Manifests)", name);
	return -1;
}

bool
carrier_manifest_field_ok (const char *field, bool fixed, char *why, size_t n)
{
	int w;
	return carrier_manifest_lookup (field, fixed, &w, why, n) >= 0;
}

static void
carrier_manifest_csv (FILE *f, const char *v)
{
	if (strpbrk (v, ",\"\r\n") == NULL) {
		fputs (v, f);
		return;
	}
	fputc ('"', f);
	for (; *v; v++) {
		if (*v == '"')
			fputc ('"', f);
		fputc (*v, f);
	}
	fputc ('"', f);
}

/* Fixed width: text left-aligned and cut; numbers right-aligned, zero-filled. */
static void
carrier_manifest_fixed (FILE *f, const char *v, int width, bool number)
{
	int len = (int) strlen (v);
	if (number) {
		for (int i = len; i < width; i++)
			fputc ('0', f);
		fprintf (f, "%.*s", width, len > width ? v + len - width : v);
	} else {
		fprintf (f, "%-*.*s", width, width, v);
	}
}

int
carrier_manifest_text (db_t *db, const struct carrier *c, int64_t manifest_id, const char *outbox, char **path,
    char **text, size_t *len, int *rows, char **cause)
{
	bool fixed = strcmp (c->manifest, "fixed") == 0, route = strcmp (c->manifest, "route") == 0;
	char *dir = xasprintf ("%s/%s", outbox, c->code);
	if (util_mkdirs (dir, 0755) != 0) {
		*cause = xasprintf ("%s: cannot make the outbox folder: %s", dir, strerror (errno));
		free (dir);
		return -1;
	}
	db_stmt_t *st = db_prepare (db, "SELECT closed_at FROM manifests WHERE id = ?1");
	db_bind_int (st, 1, manifest_id);
	int64_t closed = db_step (st) == DB_ROW ? db_col_int (st, 0) : 0;
	db_reset (st);
	char date[16], day[16];
	time_t t = (time_t) (closed / 1000);
	struct tm tm;
	gmtime_r (&t, &tm);
	strftime (date, sizeof date, "%Y-%m-%d", &tm);
	strftime (day, sizeof day, "%Y%m%d", &tm);
	*path = xasprintf ("%s/%s-%s-%06" PRId64 "%s.%s", dir, c->code, day, manifest_id, route ? "-route" : "",
	    fixed ? "txt" : "csv");
	free (dir);
	/* Made in memory: the file is written (as PATH.part, named once the close-out commits) by the caller. */
	*text = NULL;
	*len = 0;
	FILE *f = open_memstream (text, len);
	if (f == NULL) {
		*cause = xasprintf ("%s: cannot be made: %s", *path, strerror (errno));
		free (*path);
		*path = NULL;
		return -1;
	}
	/* The fields, parsed once. */
	int idx[64], width[64], nf = 0;
	char why[160];
	for (const char *s = c->manifest_fields; *s && nf < (int) nitems (idx); ) {
		while (*s == ' ')
			s++;
		size_t n = strcspn (s, " ");
		if (n == 0)
			break;
		char spec[64];
		snprintf (spec, sizeof spec, "%.*s", (int) n, s);
		s += n;
		idx[nf] = carrier_manifest_lookup (spec, fixed, &width[nf], why, sizeof why);
		if (idx[nf] >= 0)
			nf++;
	}
	if (!fixed) {
		for (int i = 0; i < nf; i++)
			fprintf (f, "%s%s", i ? "," : "", carrier_manifest_fields[idx[i]].name);
		fputs ("\r\n", f);
	}
	st = db_prepare (db, route
	    ? "SELECT p.tracking, p.sscc, p.order_ref, p.code, p.parcel_no, p.weight_g, p.service, o.customer_name,"
	      " o.address1, o.address2, o.address3, o.town, o.postcode, o.country, o.phone, o.value_pence, p.cage,"
	      " p.manifest_id, 0 FROM parcels p JOIN orders o ON o.ref = p.order_ref WHERE p.manifest_id = ?1"
	      " ORDER BY o.postcode, p.order_ref, p.parcel_no"
	    : "SELECT p.tracking, p.sscc, p.order_ref, p.code, p.parcel_no, p.weight_g, p.service, o.customer_name,"
	      " o.address1, o.address2, o.address3, o.town, o.postcode, o.country, o.phone, o.value_pence, p.cage,"
	      " p.manifest_id, 0 FROM parcels p JOIN orders o ON o.ref = p.order_ref WHERE p.manifest_id = ?1"
	      " ORDER BY p.id");
	db_bind_int (st, 1, manifest_id);
	int drop = 0, n = 0;
	char last_order[40] = "";
	while (db_step (st) == DB_ROW) {
		if (strcmp (last_order, db_col_text (st, MC_ORDER)) != 0) {
			drop++;
			util_strlcpy (last_order, db_col_text (st, MC_ORDER), sizeof last_order);
		}
		for (int i = 0; i < nf; i++) {
			char buf[64];
			const char *v = buf;
			enum carrier_mcol col = carrier_manifest_fields[idx[i]].col;
			switch (col) {
			case MC_DATE: v = date; break;
			case MC_CARRIER: v = c->code; break;
			case MC_SERVICE_CODE: {
				const struct carrier_service *s = carrier_service_find (c, db_col_text (st, MC_SERVICE));
				v = s ? s->label_code : "";
				break;
			}
			case MC_WEIGHT_KG: {
				int64_t g = db_col_int (st, MC_WEIGHT_G);
				snprintf (buf, sizeof buf, "%" PRId64 ".%03" PRId64, g / 1000, g % 1000);
				break;
			}
			case MC_VALUE: carrier_money (db_col_int (st, MC_VALUE_PENCE), buf, sizeof buf); break;
			case MC_DROP: snprintf (buf, sizeof buf, "%d", drop); break;
			default: v = db_col_text (st, (int) col); break;
			}
			if (fixed)
				carrier_manifest_fixed (f, v, width[i], carrier_manifest_fields[idx[i]].number);
			else {
				if (i)
					fputc (',', f);
				carrier_manifest_csv (f, v);
			}
		}
		fputs ("\r\n", f);
		n++;
	}
	db_reset (st);
	if (fclose (f) != 0) {
		*cause = xasprintf ("%s: cannot be made: %s", *path, strerror (errno));
		free (*text);
		*text = NULL;
		free (*path);
		*path = NULL;
		return -1;
	}
	if (rows)
		*rows = n;
	return 0;
}

void
carrier_manifest_doc (FILE *f)
{
	for (size_t i = 0; i < nitems (carrier_manifest_fields); i++)
		fprintf (f, "| `%s` | %s | %s |\n", carrier_manifest_fields[i].name,
		    carrier_manifest_fields[i].number ? "number" : "text", carrier_manifest_fields[i].help);
}
