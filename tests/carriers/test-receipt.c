/*
 * test-receipt.c: the collection receipt at close-out, through a real
 * private cupsd: closing out DPD at the office queues a PDF job on the
 * office's document printer (the raw "docs" queue); the PDF that arrives
 * names the carrier, the parcel count and the total weight (pdftotext), and
 * its Code 128 reads back as the manifest id (pdftoppm + zbarimg); the job
 * is recorded as printed and belongs to the manifest.
 */
#include "config.h"
#include "tests/flow/flowlib.h"
#include "tests/printers/print-test.h"
#include "util.h"

#include <czmq.h>

static const char orders[] =
    "order,channel,customer_name,address_1,address_2,town,postcode,country,phone,service,order_value,line,sku,"
    "description,department,quantity,locations,unit_weight_g,line_value\n"
    "R1,web,Ann Able,1 Acre Lane,,Leeds,LS1 1AA,GB,,next-day,20.00,1,SK-R1,Mug,Kitchen,1,L-R1,1250,20.00\n"
    "R2,web,Bob Baker,2 Bank St,,York,YO1 7AA,GB,,next-day,20.00,1,SK-R2,Mug,Kitchen,1,L-R2,800,20.00\n";

static void
to_cage (struct fl_term *t, const char *ref, const char *weight)
{
	char loc[16], sku[16];
	snprintf (loc, sizeof loc, "L-%s", ref);
	snprintf (sku, sizeof sku, "SK-%s", ref);
	fl_check (fl_scan (t, "receive", ref), PROTO_OK, PR_OK, NULL, ref);
	fl_check (fl_scan (t, "locate", loc, "order", ref, "line", "1"), PROTO_OK, PR_OK, NULL, "location");
	fl_check (fl_scan (t, "locate", sku, "order", ref, "line", "1"), PROTO_OK, PR_OK, NULL, "item");
	proto_msg_t *r = fl_expect (fl_scan (t, "pack", ref, "parcels", "1", "parcel", "1", "box", "S", "weight",
	    weight), PROTO_OK, PR_OK, "labelled", "pack");
	char tracking[48];
	snprintf (tracking, sizeof tracking, "%s", fl_data (r, "tracking"));
	proto_msg_destroy (&r);
	fl_check (fl_scan (t, "verify", tracking, "order", ref), PROTO_OK, PR_OK, NULL, "verify");
	fl_check (fl_scan (t, "scanout", tracking, "cage", "CAGE-DPD"), PROTO_OK, PR_OK, NULL, "scan out");
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
	const char *extra[] = { server, "printer.bench-1.label=label", "printer.office.document=docs", NULL };
	struct testlib_hub hub;
	if (!ok (testlib_hub_start (&hub, extra) == 0, "hub starts with the office's document printer configured"))
		return tap_done ();
	char *path = xasprintf ("%s/receipt.csv", hub.dir);
	FILE *f = fopen (path, "w");
	fputs (orders, f);
	fclose (f);
	char *cmd = xasprintf ("%s/admin/despatch -d '%s' import '%s' >/dev/null", getenv ("top_builddir"), hub.database,
	    path);
	ok (system (cmd) == 0, "two orders imported");
	free (cmd);
	free (path);
	struct fl_term packer, sup;
	fl_term_open (&packer, hub.endpoint, "bench-1-term", "bench-1", "B2001", "2222");
	fl_term_open (&sup, hub.endpoint, "office-term", "office", "B3001", "3333");
	to_cage (&packer, "R1", "1250");
	to_cage (&packer, "R2", "800");
	proto_msg_t *r = fl_expect (fl_cmd (&sup, "closeout", "carrier", "dpd"), PROTO_OK, PR_OK, "closed out",
	    "close out DPD at the office");
	char manifest[24], receipt[24];
	snprintf (manifest, sizeof manifest, "%s", fl_data (r, "manifest"));
	snprintf (receipt, sizeof receipt, "%s", fl_data (r, "receipt"));
	proto_msg_destroy (&r);
	ok (*receipt != '\0', "the reply names the receipt's print job: %s", receipt);
	ok (print_test_wait_count ("docs", 1), "a document arrived at the office's document printer");
	size_t len = 0;
	char *pdf = print_test_read ("docs", 1, "pdf", &len);
	ok (pdf && len > 100 && memcmp (pdf, "%PDF", 4) == 0, "it is a PDF (%zu bytes)", len);
	char *file = xasprintf ("%s/receipt.pdf", hub.dir);
	f = fopen (file, "wb");
	if (f && pdf)
		fwrite (pdf, 1, len, f);
	if (f)
		fclose (f);
	free (pdf);
	cmd = xasprintf ("pdftotext -layout '%s' - 2>&1", file);
	char *text = testlib_run (cmd);
	free (cmd);
	ok (strstr (text, "COLLECTION RECEIPT") && strstr (text, "DPD"), "it names the carrier");
	ok (strstr (text, "Parcels: 2") != NULL, "the parcel count: 2");
	ok (strstr (text, "Total weight: 2.050 kg") != NULL, "the total weight: 2.050 kg");
	ok (strstr (text, "Driver's name") && strstr (text, "Signature"), "lines for the driver's name and signature");
	if (!strstr (text, "Parcels: 2"))
		diag ("%s", text);
	free (text);
	cmd = xasprintf ("pdftoppm -r 300 -png -singlefile '%s' '%s/receipt' && zbarimg -q --raw '%s/receipt.png'"
	    " 2>/dev/null", file, hub.dir, hub.dir);
	char *code = testlib_run (cmd);
	free (cmd);
	code[strcspn (code, "\n")] = '\0';
	char want[24];
	snprintf (want, sizeof want, "%06ld", strtol (manifest, NULL, 10));
	is_str ((const char *) code, (const char *) want, "the barcode reads back as manifest %s", manifest);
	free (code);
	free (file);
	/* Bounded wait for the pump to see CUPS finish the job. */
	char *sql = xasprintf ("SELECT count(*) FROM label_jobs WHERE id = %ld AND status = 'printed' AND kind = 'receipt'"
	    " AND format = 'pdf' AND printer = 'docs' AND manifest_id = %ld AND parcel_id IS NULL AND order_ref IS NULL",
	    strtol (receipt, NULL, 10), strtol (manifest, NULL, 10));
	long long printed = 0;
	for (int i = 0; i < 200 && printed == 0; i++) {
		printed = testlib_sql_int (hub.database, sql);
		if (printed == 0)
			usleep (50 * 1000);
	}
	free (sql);
	is_int (printed, 1, "the job is recorded as printed, on docs, as the manifest's receipt");
	is_int (print_test_count ("label") >= 2, 1, "the labels went to the bench's label printer, not the documents");
	is_int (testlib_hub_stop (&hub), 0, "hub stops cleanly");
	client_destroy (&packer.c);
	client_destroy (&sup.c);
	free (server);
	return tap_done ();
}
