/*
 * test-customs.c: customs papers for parcels leaving the UK, through a real
 * private cupsd. A US order with full customs data is labelled and its CN22
 * (Royal Mail International Tracked) reaches the bench's document printer
 * (pdftotext: the HS codes, the total); the same order with a line lacking
 * its HS code is refused naming that line and field, with no number taken;
 * an express US order gets a commercial invoice (DHL Express); a GB order
 * needs no paper. The import refuses a bad HS code, country or currency
 * with the line number.
 */
#include "config.h"
#include "tests/flow/flowlib.h"
#include "tests/printers/print-test.h"
#include "util.h"

#include <czmq.h>

#define HEAD "order,channel,customer_name,address_1,town,postcode,country,service,order_value,line,sku,description," \
	"department,quantity,locations,unit_weight_g,line_value,hs_code,origin_country,currency\n"

static const char orders[] = HEAD
    "U1,web,Uma Under,5 Main St,Boston,02110,US,standard,180.00,1,SK-U1-1,Leather shoes,Shoes,1,L-U1,900,120.00,"
    "6403990000,IT,GBP\n"
    "U1,web,Uma Under,5 Main St,Boston,02110,US,standard,180.00,2,SK-U1-2,Wool scarf,Accessories,2,L-U1,150,60.00,"
    "611710,GB,GBP\n"
    "U2,web,Val Vance,9 Elm St,Denver,80202,US,standard,95.00,1,SK-U2-1,Silk tie,Menswear,1,L-U2,100,35.00,"
    "621520,GB,GBP\n"
    "U2,web,Val Vance,9 Elm St,Denver,80202,US,standard,95.00,2,SK-U2-2,Shoes,Shoes,1,L-U2,800,60.00,,IT,GBP\n"
    "U3,web,Walt West,1 Bay Rd,Miami,33101,US,express,400.00,1,SK-U3-1,Cashmere coat,Womenswear,1,L-U3,1800,"
    "400.00,6202400000,GB,GBP\n"
    "G1,web,Gail Green,3 Oak Rd,Leeds,LS1 1AA,GB,standard,20.00,1,SK-G1-1,Mug,Kitchen,1,L-G1,500,20.00,,,\n";

static const char bad[] = HEAD
    "B1,web,Bea Bad,1 Rd,Paris,75001,FR,standard,10.00,1,SK-B1-1,Cup,Kitchen,1,L-B1,100,10.00,6403.99,IT,GBP\n"
    "B2,web,Bea Bad,1 Rd,Paris,75001,FR,standard,10.00,1,SK-B2-1,Cup,Kitchen,1,L-B2,100,10.00,640399,XX,GBP\n"
    "B3,web,Bea Bad,1 Rd,Paris,75001,FR,standard,10.00,1,SK-B3-1,Cup,Kitchen,1,L-B3,100,10.00,640399,IT,GBX\n";

static char *
write_file (const char *dir, const char *name, const char *text)
{
	char *path = xasprintf ("%s/%s", dir, name);
	FILE *f = fopen (path, "w");
	fputs (text, f);
	fclose (f);
	return path;
}

/* Receive ref, find its lines (all at L-ref), pack one parcel: the pack's reply. */
static proto_msg_t *
pack (struct fl_term *t, const char *ref, int lines, const char *weight)
{
	char loc[16], sku[24], no[8];
	snprintf (loc, sizeof loc, "L-%s", ref);
	fl_check (fl_scan (t, "receive", ref), PROTO_OK, PR_OK, NULL, ref);
	for (int i = 1; i <= lines; i++) {
		snprintf (sku, sizeof sku, "SK-%s-%d", ref, i);
		snprintf (no, sizeof no, "%d", i);
		fl_check (fl_scan (t, "locate", loc, "order", ref, "line", no), PROTO_OK, PR_OK, NULL, "location");
		/* One scan per unit: scanned until the line is found (at most 20). */
		for (int k = 0; k < 20; k++) {
			proto_msg_t *r = fl_expect (fl_scan (t, "locate", sku, "order", ref, "line", no), PROTO_OK, PR_OK, NULL,
			    "item");
			bool more = strcmp (fl_data (r, "next"), "item") == 0;
			proto_msg_destroy (&r);
			if (!more)
				break;
		}
	}
	return fl_scan (t, "pack", ref, "parcels", "1", "parcel", "1", "box", "S", "weight", weight);
}

static char *
pdf_text (struct testlib_hub *hub, int n)
{
	size_t len = 0;
	char *pdf = print_test_read ("docs", n, "pdf", &len);
	ok (pdf && len > 100 && memcmp (pdf, "%PDF", 4) == 0, "document %d is a PDF (%zu bytes)", n, len);
	char *file = xasprintf ("%s/customs-%d.pdf", hub->dir, n);
	FILE *f = fopen (file, "wb");
	if (f && pdf)
		fwrite (pdf, 1, len, f);
	if (f)
		fclose (f);
	free (pdf);
	char *cmd = xasprintf ("pdftotext -layout '%s' - 2>&1", file);
	char *text = testlib_run (cmd);
	free (cmd);
	free (file);
	return text;
}

int
main (void)
{
	zsys_init ();
	zsys_set_logsystem (false);
	(void) print_test_script;
	(void) print_test_cups_tool;
	(void) print_test_printer;
	if (!ok (print_test_start (), "a private cupsd with fake printers runs"))
		return tap_done ();
	char *server = xasprintf ("printer.server=%s", print_test_self.socket);
	const char *extra[] = { server, "printer.bench-1.label=label", "printer.bench-1.document=docs", NULL };
	struct testlib_hub hub;
	if (!ok (testlib_hub_start (&hub, extra) == 0, "hub starts with the bench's document printer configured"))
		return tap_done ();
	const char *bin = getenv ("top_builddir");

	/* The import checks the customs fields, with line numbers. */
	char *path = write_file (hub.dir, "bad.csv", bad);
	char *cmd = xasprintf ("%s/admin/despatch -d '%s' import '%s' 2>&1", bin, hub.database, path);
	char *out = testlib_run (cmd);
	ok (strstr (out, "line 2: B1: hs_code must be 6 to 10 digits") != NULL, "a dotted HS code is refused on line 2");
	ok (strstr (out, "line 3: B2: origin_country must be") != NULL, "an unknown origin country on line 3");
	ok (strstr (out, "line 4: B3: currency must be an ISO 4217 code") != NULL, "an unknown currency on line 4");
	if (strstr (out, "line 4") == NULL)
		diag ("%s", out);
	free (out);
	free (cmd);
	free (path);
	path = write_file (hub.dir, "orders.csv", orders);
	cmd = xasprintf ("%s/admin/despatch -d '%s' import '%s' >/dev/null", bin, hub.database, path);
	ok (system (cmd) == 0, "four orders with customs fields imported");
	free (cmd);
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM order_lines WHERE order_ref = 'U1' AND line_no = 1"
	    " AND hs_code = '6403990000' AND origin_country = 'IT' AND currency = 'GBP'"), 1, "the fields are kept");
	/* Imported again: unchanged. */
	cmd = xasprintf ("%s/admin/despatch -d '%s' import '%s' 2>&1", bin, hub.database, path);
	out = testlib_run (cmd);
	ok (strstr (out, "4 unchanged") != NULL, "the same file again changes nothing: %s", out);
	free (out);
	free (cmd);
	free (path);

	struct fl_term t;
	fl_term_open (&t, hub.endpoint, "bench-1-term", "bench-1", "B2001", "2222");

	/* Complete data: labelled, with a CN22. */
	proto_msg_t *r = fl_expect (pack (&t, "U1", 2, "1200"), PROTO_OK, PR_OK, "labelled", "U1 to the US");
	ok (*fl_data (r, "customs") != '\0', "the reply names the customs job: %s", fl_data (r, "customs"));
	ok (strncmp (fl_data (r, "tracking"), "RB", 2) == 0, "Royal Mail International Tracked: %s", fl_data (r, "tracking"));
	proto_msg_destroy (&r);
	ok (print_test_wait_count ("docs", 1), "a document arrived at the bench's document printer");
	char *text = pdf_text (&hub, 1);
	ok (strstr (text, "CN 22") != NULL, "it is a CN22");
	ok (strstr (text, "6403990000") && strstr (text, "611710"), "it shows both HS codes");
	ok (strstr (text, "Total value: 180.00 GBP") != NULL, "and the total value");
	ok (strstr (text, "Total weight: 1.200 kg") != NULL, "and the total weight");
	ok (strstr (text, "Uma Under") && strstr (text, "Signature"), "the recipient and a signature line");
	if (!strstr (text, "611710"))
		diag ("%s", text);
	free (text);

	/* A line without an HS code: refused before a number is taken. */
	long long before = testlib_sql_int (hub.database, "SELECT sum(next) FROM ranges");
	r = fl_expect (pack (&t, "U2", 2, "900"), PROTO_REFUSED, PR_BAD_DATA,
	    "line 2 (Shoes): no HS code. Add it to the order and pack again", "U2 lacks an HS code");
	is_str (fl_data (r, "line"), "2", "the reply names the line");
	is_str (fl_data (r, "missing"), "HS code", "and the field");
	proto_msg_destroy (&r);
	is_int (testlib_sql_int (hub.database, "SELECT sum(next) FROM ranges"), before, "no number was taken");
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM parcels WHERE order_ref = 'U2' AND tracking IS NOT NULL"),
	    0, "U2 has no tracking number");

	/* Express abroad: a courier, a commercial invoice. */
	r = fl_expect (pack (&t, "U3", 1, "1800"), PROTO_OK, PR_OK, "labelled", "U3 express to the US");
	ok (*fl_data (r, "customs") != '\0', "a customs job again");
	proto_msg_destroy (&r);
	ok (print_test_wait_count ("docs", 2), "a second document arrived");
	text = pdf_text (&hub, 2);
	ok (strstr (text, "COMMERCIAL INVOICE") && strstr (text, "6202400000") && strstr (text, "Total value: 400.00 GBP"),
	    "a commercial invoice with the HS code and total");
	free (text);

	/* Within the UK: no paper. */
	r = fl_expect (pack (&t, "G1", 1, "500"), PROTO_OK, PR_OK, "labelled", "G1 to Leeds");
	is_str (fl_data (r, "customs"), "", "no customs job");
	proto_msg_destroy (&r);
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM label_jobs WHERE kind = 'customs'"), 2,
	    "two customs jobs in all");
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM label_jobs WHERE kind = 'customs' AND format = 'pdf'"
	    " AND parcel_id IS NULL AND order_ref IN ('U1', 'U3') AND (title LIKE 'CN22 %' OR title LIKE 'commercial invoice %')"),
	    2, "order-level PDF jobs titled by paper");
	is_int (testlib_hub_stop (&hub), 0, "hub stops cleanly");
	client_destroy (&t.c);
	free (server);
	return tap_done ();
}
