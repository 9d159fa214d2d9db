/*
 * test-report.c: despatch report carriers|exceptions|benches after a small
 * flow: two DPD parcels scanned out and closed out, a Royal Mail parcel
 * labelled and left on the bench, an order on hold, one late against its
 * promise. The CSV is checked field by field; the PDF exists and pdftotext
 * shows its headings.
 */
#include "config.h"
#include "tests/flow/flowlib.h"
#include "util.h"

#include <czmq.h>

static const char orders[] =
    "order,channel,customer_name,address_1,town,postcode,country,service,promise,order_value,line,sku,description,"
    "department,quantity,locations,unit_weight_g,line_value\n"
    "R1,web,Ann Able,1 Acre Lane,Leeds,LS1 1AA,GB,next-day,,20.00,1,SK-R1,Mug,Kitchen,1,L-R1,1250,20.00\n"
    "R2,web,Bob Baker,2 Bank St,York,YO1 7AA,GB,next-day,,20.00,1,SK-R2,Mug,Kitchen,1,L-R2,800,20.00\n"
    "R3,web,Cy Cole,3 Cob Rd,Bath,BA1 1AA,GB,standard,,10.00,1,SK-R3,Card,Stationery,1,L-R3,500,10.00\n"
    "R4,web,Di Dean,4 Dale Rd,Hull,HU1 1AA,GB,standard,,10.00,1,SK-R4,Card,Stationery,1,L-R4,300,10.00\n"
    "R5,web,Ed Eyre,5 Eel St,Ely,CB7 4AA,GB,standard,2026-01-02,10.00,1,SK-R5,Card,Stationery,1,L-R5,300,10.00\n";

static proto_msg_t *
pack (struct fl_term *t, const char *ref, const char *weight)
{
	char loc[16], sku[16];
	snprintf (loc, sizeof loc, "L-%s", ref);
	snprintf (sku, sizeof sku, "SK-%s", ref);
	fl_check (fl_scan (t, "receive", ref), PROTO_OK, PR_OK, NULL, ref);
	fl_check (fl_scan (t, "locate", loc, "order", ref, "line", "1"), PROTO_OK, PR_OK, NULL, "location");
	fl_check (fl_scan (t, "locate", sku, "order", ref, "line", "1"), PROTO_OK, PR_OK, NULL, "item");
	return fl_scan (t, "pack", ref, "parcels", "1", "parcel", "1", "box", "S", "weight", weight);
}

static void
to_cage (struct fl_term *t, const char *ref, const char *weight)
{
	proto_msg_t *r = fl_expect (pack (t, ref, weight), PROTO_OK, PR_OK, "labelled dpd", ref);
	char tracking[48];
	snprintf (tracking, sizeof tracking, "%s", fl_data (r, "tracking"));
	proto_msg_destroy (&r);
	fl_check (fl_scan (t, "verify", tracking, "order", ref), PROTO_OK, PR_OK, NULL, "verify");
	fl_check (fl_scan (t, "scanout", tracking, "cage", "CAGE-DPD"), PROTO_OK, PR_OK, NULL, "scan out");
}

/* The line of text that starts with prefix ("" when none), without its line end. */
static char *
line_of (const char *text, const char *prefix)
{
	for (const char *p = text; p && *p; p = strchr (p, '\n') ? strchr (p, '\n') + 1 : NULL)
		if (strncmp (p, prefix, strlen (prefix)) == 0)
			return xstrndup (p, strcspn (p, "\r\n"));
	return xstrdup ("");
}

static void
is_line (const char *csv, const char *prefix, const char *want, const char *what)
{
	char *got = line_of (csv, prefix);
	is_str ((const char *) got, want, "%s", what);
	free (got);
}

static char *
report (struct testlib_hub *hub, const char *args)
{
	char *cmd = xasprintf ("%s/admin/despatch report %s -d '%s'", getenv ("top_builddir"), args, hub->database);
	char *out = testlib_run (cmd);
	free (cmd);
	return out;
}

int
main (void)
{
	zsys_init ();
	zsys_set_logsystem (false);
	struct testlib_hub hub;
	if (!ok (testlib_hub_start (&hub, NULL) == 0, "hub starts"))
		return tap_done ();
	char *path = xasprintf ("%s/orders.csv", hub.dir);
	FILE *f = fopen (path, "w");
	fputs (orders, f);
	fclose (f);
	char *cmd = xasprintf ("%s/admin/despatch -d '%s' import '%s' >/dev/null", getenv ("top_builddir"), hub.database,
	    path);
	ok (system (cmd) == 0, "five orders imported");
	free (cmd);
	free (path);
	struct fl_term packer, sup;
	fl_term_open (&packer, hub.endpoint, "bench-1-term", "bench-1", "B2001", "2222");
	fl_term_open (&sup, hub.endpoint, "office-term", "office", "B3001", "3333");
	to_cage (&packer, "R1", "1250");
	to_cage (&packer, "R2", "800");
	fl_check (fl_cmd (&sup, "closeout", "carrier", "dpd"), PROTO_OK, PR_OK, "closed out", "DPD closed out");
	proto_msg_t *r = fl_expect (pack (&packer, "R3", "500"), PROTO_OK, PR_OK, "labelled royal-mail", "R3 left");
	proto_msg_destroy (&r);
	fl_check (fl_cmd (&sup, "hold", "code", "R4", "reason", "address check"), PROTO_OK, PR_OK, NULL, "R4 held");

	char date[32];
	util_iso_time (util_wall_ms (), date, sizeof date);
	date[10] = '\0';
	char *want, *args = xasprintf ("carriers --date %s", date);
	char *csv = report (&hub, args);
	free (args);
	is_line (csv, "date,", "date,carrier,parcels,weight_kg,closed_out,open,manifests", "carriers: the heading");
	want = xasprintf ("%s,dpd,2,2.050,yes,0,1", date);
	is_line (csv, want, want, "carriers: DPD, 2 parcels, 2.050 kg, closed out, one manifest");
	free (want);
	want = xasprintf ("%s,royal-mail,1,0.500,no,1,0", date);
	is_line (csv, want, want, "carriers: Royal Mail, 1 parcel, 0.500 kg, not closed out");
	free (want);
	ok (strstr (csv, "\r\n") != NULL, "CSV lines end in CRLF (RFC 4180)");
	if (strstr (csv, "royal-mail") == NULL)
		diag ("%s", csv);
	free (csv);
	args = xasprintf ("carriers --date 2001-01-01");
	csv = report (&hub, args);
	free (args);
	is_str ((const char *) csv, "date,carrier,parcels,weight_kg,closed_out,open,manifests\r\n",
	    "another day: the heading only");
	free (csv);

	args = xasprintf ("exceptions --date %s", date);
	csv = report (&hub, args);
	free (args);
	is_line (csv, "date,", "date,kind,order,parcel,since,detail", "exceptions: the heading");
	want = xasprintf ("%s,held,R4,,", date);
	char *got = line_of (csv, want);
	ok (*got && strstr (got, ",address check (B3001)"), "exceptions: R4 held, why and by whom: %s", got);
	free (got);
	free (want);
	want = xasprintf ("%s,not-scanned-out,R3,R3/1,", date);
	got = line_of (csv, want);
	ok (*got && strstr (got, "Z,royal-mail RB"), "exceptions: R3/1 labelled, not scanned out: %s", got);
	free (got);
	free (want);
	want = xasprintf ("%s,late,R5,,2026-01-02,\"promised 2026-01-02, new\"", date);
	is_line (csv, want, want, "exceptions: R5 late against its promise (quoted: it holds a comma)");
	free (want);
	want = xasprintf ("%s,not-scanned-out,R1", date);
	is_line (csv, want, "", "R1, scanned out, is no exception");
	free (want);
	free (csv);

	args = xasprintf ("benches --date %s", date);
	csv = report (&hub, args);
	free (args);
	is_line (csv, "date,", "date,station,hour,scans,parcels", "benches: the heading");
	/* Sum bench-1's hours (the test may cross an hour). */
	long scans = 0, parcels = 0;
	want = xasprintf ("%s,bench-1,", date);
	for (const char *p = csv; (p = strstr (p, want)) != NULL; p++) {
		int h = 0, s = 0, n = 0;
		if (sscanf (p + strlen (want), "%d:00,%d,%d", &h, &s, &n) == 3) {
			scans += s;
			parcels += n;
		}
	}
	free (want);
	is_int (scans, testlib_sql_int (hub.database, "SELECT count(*) FROM scans WHERE station = 'bench-1'"),
	    "benches: every scan at bench-1 counted (%ld)", scans);
	is_int (parcels, 3, "benches: three parcels packed at bench-1");
	free (csv);

	static const struct {
		const char *kind, *title, *chart, *column;
	} pdfs[] = {
		{ "carriers", "Carriers, ", "Parcels per carrier", "weight_kg" },
		{ "exceptions", "Exceptions, ", "Exceptions by kind", "not-scanned-out" },
		{ "benches", "Benches, ", "Parcels packed per station", "bench-1" },
	};
	for (size_t i = 0; i < nitems (pdfs); i++) {
		char *file = xasprintf ("%s/%s.pdf", hub.dir, pdfs[i].kind);
		args = xasprintf ("%s --date %s --format pdf -o '%s'", pdfs[i].kind, date, file);
		free (report (&hub, args));
		free (args);
		cmd = xasprintf ("pdftotext -layout '%s' - 2>&1", file);
		char *text = testlib_run (cmd);
		free (cmd);
		ok (strstr (text, pdfs[i].title) && strstr (text, pdfs[i].chart) && strstr (text, pdfs[i].column),
		    "%s PDF: title, chart heading and table", pdfs[i].kind);
		if (!strstr (text, pdfs[i].chart))
			diag ("%s", text);
		free (text);
		free (file);
	}
	cmd = xasprintf ("%s/admin/despatch report nonsense -d '%s' 2>/dev/null", getenv ("top_builddir"), hub.database);
	int st = system (cmd);
	free (cmd);
	is_int (WIFEXITED (st) ? WEXITSTATUS (st) : -1, 2, "an unknown report is a usage error");
	is_int (testlib_hub_stop (&hub), 0, "hub stops cleanly");
	client_destroy (&packer.c);
	client_destroy (&sup.c);
	return tap_done ();
}
