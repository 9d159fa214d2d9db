/*
 * test-import.c: orders in, against a real hub: the despatch tool (CSV and
 * JSON; a half-bad file imports nothing and names each bad row; the same
 * file twice changes nothing; a change before receive updates, after
 * receive is refused, except the customs fields until the label, audited),
 * the integration endpoint and the inbox folder.
 */
#include "config.h"
#include "flowlib.h"
#include "util.h"

#include <czmq.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static struct testlib_hub hub;
static char dir[256];

#define HEAD "order,channel,customer_name,address_1,town,postcode,country,service,order_value,line,sku,description," \
	"department,quantity,locations,unit_weight_g,line_value\n"

static void
write_file (const char *path, const char *text)
{
	FILE *f = fopen (path, "w");
	fputs (text, f);
	fclose (f);
}

static char *
read_file (const char *path)
{
	FILE *f = fopen (path, "r");
	if (f == NULL)
		return xstrdup ("");
	char *buf = xcalloc (1, 65536);
	size_t n = fread (buf, 1, 65535, f);
	buf[n] = '\0';
	fclose (f);
	return buf;
}

/* Run despatch import on text written to name; exit status, stderr into *err (caller frees). */
static int
despatch_import (const char *name, const char *text, char **out, char **err)
{
	char path[512], outp[512], errp[512];
	snprintf (path, sizeof path, "%s/%s", dir, name);
	snprintf (outp, sizeof outp, "%s/out.txt", dir);
	snprintf (errp, sizeof errp, "%s/err.txt", dir);
	write_file (path, text);
	const char *top = getenv ("top_builddir");
	char *cmd = xasprintf ("'%s/admin/despatch' import '%s' --database '%s' >'%s' 2>'%s'", top ? top : ".", path,
	    hub.database, outp, errp);
	int st = system (cmd);
	free (cmd);
	*out = read_file (outp);
	*err = read_file (errp);
	return WIFEXITED (st) ? WEXITSTATUS (st) : -1;
}

static long long
sql_int (const char *sql)
{
	return testlib_sql_int (hub.database, sql);
}

static const char *good_csv =
	HEAD
	"X1000001,web,Ann Smith,1 Long Road,York,YO1 7AA,GB,standard,30.00,1,KT-MUG-0001,Mug,Kitchen,2,KT-R1-A01,350,15.00\n"
	"X1000001,web,Ann Smith,1 Long Road,York,YO1 7AA,GB,standard,30.00,2,TY-BAL-0002,Ball,Toys,1,TY-R1-A02,200,0\n"
	"X1000002,till,\"Bob Jones, Jr.\",\"2 Short St, Flat 1\",Hull,HU1 1AA,GB,next-day,12.00,1,ST-PEN-0003,"
	"\"Pen, \"\"fine\"\"\",Stationery,1,ST-R1-A03;ST-STOCK-1,20,12.00\n"
	"X1000003,phone,Cara Diaz,3 Calle Mayor,Madrid,28013,ES,express,99.00,1,BT-CRM-0004,Cream,Beauty,1,BT-R1-A04,150,99.00\n";

static void
test_tool (struct fl_term *porter)
{
	char *out, *err;
	diag ("despatch import: a half-bad file imports nothing and names each bad row");
	const char *half_bad =
		HEAD
		"Y1000001,web,Ann Smith,1 Long Road,York,YO1 7AA,GB,standard,30.00,1,KT-MUG-0001,Mug,Kitchen,2,KT-R1-A01,350,15.00\n"
		"Y1000002,carrier-pigeon,Bob Jones,2 Short St,Hull,HU1 1AA,GB,standard,12.00,1,ST-PEN-0003,Pen,Stationery,1,ST-R1-A03,20,12.00\n"
		"Y1000003,web,Cara Diaz,3 Calle Mayor,Madrid,28013,ES,standard,99.00,1,BT-CRM-0004,Cream,Beauty,1,BT-R1-A04,150,99.00\n"
		"Y1000003,web,Cara Diaz,3 Calle Mayor,Madrid,28013,ES,standard,99.00,2,BT-CRM-0005,Cream,Beauty,0,BT-R1-A04,150,0\n"
		"Y1000004,web,Dan Evans,4 Hill Rd,Leeds,LS1 1AA,GB,standard,10.00,1,HW-CUP-0006,Cup,Homeware,1,,150,10.00\n"
		"Y1000005,web,Eve Fox,5 Vale,Derby,DE1 1AA,gb,standard,10.00,1,HW-CUP-0007,Cup,Homeware,1,HW-R1-A01,150,10.00\n"
		"Y1000006,web,Fay Gill,6 Dale,Hull,HU2 2AA,GB,standard,10.00,1,HW-CUP-0008,Cup,Homeware,1,HW-R1-A01,150\n";
	is_int (despatch_import ("half-bad.csv", half_bad, &out, &err), 1, "exit status 1");
	ok (strstr (err, "line 3: Y1000002: channel must be till, personal-shopper, phone or web") != NULL,
	    "line 3: bad channel named");
	ok (strstr (err, "line 5: Y1000003: quantity must be a whole number from 1 to 999") != NULL, "line 5: quantity 0");
	ok (strstr (err, "line 6: Y1000004: locations is missing") != NULL, "line 6: no locations");
	ok (strstr (err, "line 7: Y1000005: country must be a 2-letter ISO code") != NULL, "line 7: lower-case country");
	ok (strstr (err, "line 8: 16 fields where the header has 17") != NULL, "line 8: a field short");
	ok (strstr (err, "line 2:") == NULL && strstr (err, "line 4:") == NULL, "good rows are not blamed");
	ok (strstr (err, "nothing imported") != NULL, "and it says nothing was imported");
	diag ("%s", err);
	is_int (sql_int ("SELECT count(*) FROM orders WHERE ref LIKE 'Y%'"), 0, "no order of the file is in the hub");
	free (out);
	free (err);

	is_int (despatch_import ("bad-header.csv", "order,channel,colour\nX,web,red\n", &out, &err), 1, "a bad header");
	ok (strstr (err, "line 1: column 'colour' is not one of the import columns") != NULL
	        && strstr (err, "line 1: the required column 'customer_name' is missing") != NULL,
	    "names the unknown column and the missing ones");
	free (out);
	free (err);
	is_int (despatch_import ("quote.csv", HEAD "X9,web,\"Ann\n", &out, &err), 1, "an unclosed quote");
	ok (strstr (err, "line 2: a quoted field is not closed") != NULL, "names the line it starts on");
	free (out);
	free (err);

	diag ("a good file, then the same file again");
	int rc = despatch_import ("good.csv", good_csv, &out, &err);
	is_int (rc, 0, "good file imported: %s", out);
	ok (strstr (out, "imported 3 orders (3 new, 0 updated, 0 unchanged)") != NULL, "3 new orders");
	free (out);
	free (err);
	char *name = testlib_sql_text (hub.database, "SELECT customer_name || '|' || address1 FROM orders WHERE ref = 'X1000002'");
	is_str (name, "Bob Jones, Jr.|2 Short St, Flat 1", "quoted fields with commas");
	free (name);
	char *desc = testlib_sql_text (hub.database, "SELECT description || '|' || locations FROM order_lines WHERE order_ref = 'X1000002'");
	is_str (desc, "Pen, \"fine\"|ST-R1-A03;ST-STOCK-1", "doubled quotes and several locations");
	free (desc);
	long long updated_at = sql_int ("SELECT updated_at FROM orders WHERE ref = 'X1000001'");
	is_int (despatch_import ("good-again.csv", good_csv, &out, &err), 0, "the same file again");
	ok (strstr (out, "(0 new, 0 updated, 3 unchanged)") != NULL, "changes nothing: %s", out);
	is_int (sql_int ("SELECT updated_at FROM orders WHERE ref = 'X1000001'"), updated_at, "the order is untouched");
	is_int (sql_int ("SELECT count(*) FROM order_lines WHERE order_ref LIKE 'X%'"), 4, "still four lines");
	free (out);
	free (err);

	diag ("a change before receive updates; after receive it is refused");
	char *changed = xstrdup (good_csv);
	char *q = strstr (changed, "Mug,Kitchen,2,");
	q[strlen ("Mug,Kitchen,")] = '3';
	is_int (despatch_import ("changed.csv", changed, &out, &err), 0, "changed before receive");
	ok (strstr (out, "(0 new, 1 updated, 2 unchanged)") != NULL, "one updated: %s", out);
	is_int (sql_int ("SELECT quantity FROM order_lines WHERE order_ref = 'X1000001' AND line_no = 1"), 3,
	    "the new quantity is in the hub");
	free (out);
	free (err);
	fl_check (fl_scan (porter, "receive", "X1000001"), PROTO_OK, PR_OK, "2 lines from 2 departments",
	    "the imported order is received");
	q[strlen ("Mug,Kitchen,")] = '4';
	is_int (despatch_import ("changed-after.csv", changed, &out, &err), 1, "changed after receive is refused");
	ok (strstr (err, "line 2: X1000001 has changed, but despatch already has it (received)") != NULL,
	    "with the reason: %s", err);
	is_int (sql_int ("SELECT quantity FROM order_lines WHERE order_ref = 'X1000001' AND line_no = 1"), 3,
	    "the hub keeps what despatch has");
	free (out);
	free (err);
	free (changed);

	diag ("JSON");
	const char *top = getenv ("top_srcdir");
	char *json_path = xasprintf ("%s/data/demo/orders.json", top ? top : ".");
	char *json = read_file (json_path);
	free (json_path);
	rc = despatch_import ("orders.json", json, &out, &err);
	is_int (rc, 0, "the demo JSON imports: %s", out);
	is_int (sql_int ("SELECT count(*) FROM order_lines WHERE order_ref = 'W2000001'"), 2, "with its two lines");
	is_int (sql_int ("SELECT value_pence FROM order_lines WHERE order_ref = 'W2000001' AND line_no = 2"), 11000,
	    "a JSON number as a price");
	free (out);
	free (err);
	free (json);
	const char *bad_json =
		"{\"orders\": [\n"
		"  {\"ref\": \"J1\", \"channel\": \"web\", \"customer\": {\"name\": \"A\", \"address\": [\"1 Road\"],\n"
		"   \"postcode\": \"AB1 2CD\", \"country\": \"GB\"},\n"
		"   \"lines\": [{\"line\": 1, \"sku\": \"S1\", \"department\": \"D\", \"quantity\": 1, \"locations\": [\"L1\"],\n"
		"                \"unit_weight_g\": 100}]},\n"
		"  {\"ref\": \"J2\", \"channel\": \"web\", \"customer\": {\"name\": \"B\", \"address\": [\"2 Road\"],\n"
		"   \"postcode\": \"AB1 2CD\", \"country\": \"GB\"},\n"
		"   \"lines\": [{\"line\": 1, \"sku\": \"S2\", \"department\": \"D\", \"quantity\": 1, \"locations\": [\"L1\"],\n"
		"                \"unit_weight_g\": -5}]}\n"
		"]}\n";
	is_int (despatch_import ("bad.json", bad_json, &out, &err), 1, "a JSON file with one bad order");
	ok (strstr (err, "line 6: J2: unit_weight_g must be a whole number") != NULL, "names its line: %s", err);
	is_int (sql_int ("SELECT count(*) FROM orders WHERE ref IN ('J1', 'J2')"), 0, "and imports neither");
	free (out);
	free (err);
	is_int (despatch_import ("syntax.json", "{\"orders\": [\n{\"ref\": }\n]}", &out, &err), 1, "broken JSON");
	ok (strstr (err, "line 2: not valid JSON") != NULL, "with the line: %s", err);
	free (out);
	free (err);
}

static char *
integration_call (zsock_t *req, const char *text)
{
	zstr_send (req, text);
	return zstr_recv (req);
}

static void
test_integration (const char *endpoint, struct fl_term *porter)
{
	diag ("the integration endpoint");
	zsock_t *req = zsock_new_req (endpoint);
	zsock_set_rcvtimeo (req, 5000);
	const char *order =
		"{\"ref\": \"I1000001\", \"channel\": \"till\", \"customer\": {\"name\": \"Gil Hart\", \"address\": [\"9 Lane\"],"
		" \"town\": \"Kent\", \"postcode\": \"CT1 1AA\", \"country\": \"GB\"}, \"service\": \"next-day\","
		" \"lines\": [{\"line\": 1, \"sku\": \"GL-HAT-1\", \"description\": \"Hat\", \"department\": \"Hats\","
		" \"quantity\": 1, \"locations\": \"HT-R1-A01\", \"unit_weight_g\": 300, \"value\": 25.5}]}";
	char *r = integration_call (req, order);
	is_str (r, "{\"ok\":true,\"orders\":1,\"created\":1,\"updated\":0,\"unchanged\":0}", "a till pushes an order");
	zstr_free (&r);
	r = integration_call (req, order);
	is_str (r, "{\"ok\":true,\"orders\":1,\"created\":0,\"updated\":0,\"unchanged\":1}", "the same push changes nothing");
	zstr_free (&r);
	fl_check (fl_scan (porter, "receive", "I1000001"), PROTO_OK, PR_OK, "received", "the pushed order is received");
	char *changed = xstrdup (order);
	strstr (changed, "\"quantity\": 1")[12] = '2';
	r = integration_call (req, changed);
	ok (r && strstr (r, "\"ok\":false") && strstr (r, "I1000001 has changed, but despatch already has it"),
	    "a change after receive is refused: %s", r ? r : "(none)");
	zstr_free (&r);
	free (changed);
	r = integration_call (req, "not json at all");
	ok (r && strstr (r, "\"ok\":false") && strstr (r, "not valid JSON"), "junk is refused: %s", r ? r : "(none)");
	zstr_free (&r);
	zsock_destroy (&req);

	/* The endpoint's 16 MiB limit: an (empty) document of 15 MiB is read and
	 * answered; one of 17 MiB is dropped with its connection by libzmq before
	 * the hub reads a byte, and no answer comes; the hub goes on serving. */
	for (int mib = 15; mib <= 17; mib += 2) {
		zsock_t *big = zsock_new_req (endpoint);
		zsock_set_rcvtimeo (big, 3000);
		zsock_set_linger (big, 0);
		size_t size = (size_t) mib * 1024 * 1024;
		char *huge = xmalloc (size);
		memset (huge, ' ', size);
		huge[0] = '[';
		huge[size - 1] = ']';
		zframe_t *f = zframe_new (huge, size);
		free (huge);
		zframe_send (&f, big, 0);
		r = zstr_recv (big);
		if (mib == 15)
			ok (r != NULL, "a 15 MiB document is read and answered: %.80s", r ? r : "(none)");
		else
			ok (r == NULL, "a 17 MiB document gets no answer (the connection is dropped)");
		zstr_free (&r);
		zsock_destroy (&big);
	}
	req = zsock_new_req (endpoint);
	zsock_set_rcvtimeo (req, 5000);
	r = integration_call (req, order);
	is_str (r, "{\"ok\":true,\"orders\":1,\"created\":0,\"updated\":0,\"unchanged\":1}",
	    "after it, the endpoint still answers a push");
	zstr_free (&r);
	zsock_destroy (&req);
}

/* Wait up to 10 s for path to exist. */
static bool
wait_for (const char *path)
{
	struct stat sb;
	for (int i = 0; i < 100; i++) {
		if (stat (path, &sb) == 0)
			return true;
		usleep (100000);
	}
	return false;
}

#define CHEAD "order,channel,customer_name,address_1,town,postcode,country,service,order_value,line,sku," \
	"description,department,quantity,locations,unit_weight_g,line_value,hs_code,origin_country,currency\n"
#define C1 "C1000001,web,Val Vance,9 Elm St,Denver,80202,US,standard,95.00,"
#define C1L1 C1 "1,SK-C1-1,Silk tie,Menswear,1,L-C1,100,35.00,621520,GB,GBP\n"

/* Customs data after receive: only the customs fields may change, until the order is labelled. */
static void
test_customs (struct fl_term *porter, struct fl_term *packer)
{
	char *out, *err;
	diag ("customs fields after receive: added by a re-import, nothing else");
	is_int (despatch_import ("c1.csv", CHEAD C1L1 C1 "2,SK-C1-2,Shoes,Shoes,1,L-C1,800,60.00,,IT,GBP\n", &out, &err), 0,
	    "an order to the US without line 2's HS code imports");
	free (out);
	free (err);
	fl_check (fl_scan (porter, "receive", "C1000001"), PROTO_OK, PR_OK, NULL, "received");
	for (int i = 1; i <= 2; i++) {
		char sku[16], no[4];
		snprintf (sku, sizeof sku, "SK-C1-%d", i);
		snprintf (no, sizeof no, "%d", i);
		fl_check (fl_scan (porter, "locate", "L-C1", "order", "C1000001", "line", no, NULL), PROTO_OK, PR_OK, NULL,
		    "location");
		fl_check (fl_scan (porter, "locate", sku, "order", "C1000001", "line", no, NULL), PROTO_OK, PR_OK, NULL, "item");
	}
	fl_check (fl_scan (packer, "pack", "C1000001", "parcels", "1", "parcel", "1", "box", "B1", "weight", "900", NULL),
	    PROTO_REFUSED, PR_BAD_DATA, "line 2 (Shoes): no HS code. Add it to the order and pack again",
	    "pack refused: customs");

	/* Anything but customs is still refused after receive, customs with it or not. */
	is_int (despatch_import ("c1-address.csv", CHEAD
	    "C1000001,web,Val Vance,11 Elm St,Denver,80202,US,standard,95.00,1,SK-C1-1,Silk tie,Menswear,1,L-C1,100,35.00,"
	    "621520,GB,GBP\n"
	    "C1000001,web,Val Vance,11 Elm St,Denver,80202,US,standard,95.00,"
	    "2,SK-C1-2,Shoes,Shoes,1,L-C1,800,60.00,6403990000,IT,GBP\n", &out, &err), 1,
	    "a re-import changing the address as well is refused");
	ok (strstr (err, "C1000001 has changed, but despatch already has it (") != NULL, "with the reason: %s", err);
	free (out);
	free (err);
	is_int (despatch_import ("c1-qty.csv", CHEAD C1L1 C1 "2,SK-C1-2,Shoes,Shoes,2,L-C1,800,60.00,6403990000,IT,GBP\n",
	    &out, &err), 1, "a re-import changing a quantity is refused");
	free (out);
	free (err);
	is_int (sql_int ("SELECT count(*) FROM order_lines WHERE order_ref = 'C1000001' AND coalesce (hs_code, '') = ''"
	    " AND quantity = 1"), 1, "the hub's order is untouched");
	is_int (sql_int ("SELECT count(*) FROM events WHERE action = 'customs'"), 0, "and nothing audited");

	const char *fixed = CHEAD C1L1 C1 "2,SK-C1-2,Shoes,Shoes,1,L-C1,800,60.00,6403990000,IT,GBP\n";
	is_int (despatch_import ("c1-hs.csv", fixed, &out, &err), 0, "a re-import adding only the HS code is taken");
	ok (strstr (out, "(0 new, 1 updated, 0 unchanged)") != NULL, "counted as updated: %s", out);
	free (out);
	free (err);
	is_int (sql_int ("SELECT count(*) FROM order_lines WHERE order_ref = 'C1000001' AND line_no = 2"
	    " AND hs_code = '6403990000' AND qty_found = 1"), 1, "the HS code is on the line, what was found kept");
	char *audit = testlib_sql_text (hub.database, "SELECT line_no || ' ' || code || ' ' || detail FROM events"
	    " WHERE action = 'customs' AND order_ref = 'C1000001'");
	ok (strstr (audit, "2 ") == audit && strstr (audit, "c1-hs.csv") && strstr (audit, "hs_code (none) -> 6403990000"),
	    "audited: %s", audit);
	free (audit);
	is_int (despatch_import ("c1-hs-again.csv", fixed, &out, &err), 0, "the same file again");
	ok (strstr (out, "(0 new, 0 updated, 1 unchanged)") != NULL, "is unchanged: %s", out);
	free (out);
	free (err);

	/* The parcel was packed before the refusal: packing it again, as the refusal said, labels it. */
	proto_msg_t *r = fl_expect (fl_scan (packer, "pack", "C1000001", "parcels", "1", "parcel", "1", "box", "B1",
	                                "weight", "900", NULL),
	    PROTO_OK, PR_OK, "labelled", "packing it again labels it, the HS code there");
	ok (*fl_data (r, "tracking") != '\0', "with a tracking number: %s", fl_data (r, "tracking"));
	proto_msg_destroy (&r);
	is_int (sql_int ("SELECT count(*) FROM parcels WHERE order_ref = 'C1000001' AND status <> 'void'"), 1,
	    "still one parcel");
	char *parcel = testlib_sql_text (hub.database, "SELECT code FROM parcels WHERE order_ref = 'C1000001'");
	r = fl_expect (fl_cmd (packer, "label", "parcel", parcel), PROTO_OK, PR_ALREADY_DONE, "already labelled",
	    "the label command then says it is done");
	free (parcel);
	proto_msg_destroy (&r);

	/* Labelled: even the customs fields are now fixed. */
	is_int (despatch_import ("c1-origin.csv", CHEAD C1L1 C1 "2,SK-C1-2,Shoes,Shoes,1,L-C1,800,60.00,6403990000,ES,GBP\n",
	    &out, &err), 1, "after the label, a customs change is refused too");
	free (out);
	free (err);
	is_int (sql_int ("SELECT count(*) FROM order_lines WHERE order_ref = 'C1000001' AND origin_country = 'IT'"), 1,
	    "the origin stays");
}

static void
test_inbox (const char *inbox)
{
	diag ("the inbox folder");
	char tmp[512], final[512], done[512];
	/* Write under a name the hub ignores, then rename: the hub never sees half a file. */
	snprintf (tmp, sizeof tmp, "%s/.part-erp.csv", inbox);
	snprintf (final, sizeof final, "%s/erp-0001.csv", inbox);
	snprintf (done, sizeof done, "%s/done/erp-0001.csv", inbox);
	write_file (tmp, HEAD "N1000001,web,Ivy Lane,1 Road,Bath,BA1 1AA,GB,standard,5.00,1,SK-1,Sock,Hosiery,1,HS-1,50,5.00\n");
	rename (tmp, final);
	ok (wait_for (done), "a good file moves to done/");
	is_int (sql_int ("SELECT count(*) FROM orders WHERE ref = 'N1000001'"), 1, "and its order is in the hub");
	snprintf (tmp, sizeof tmp, "%s/.part-bad.csv", inbox);
	snprintf (final, sizeof final, "%s/erp-0002.csv", inbox);
	snprintf (done, sizeof done, "%s/failed/erp-0002.csv.errors", inbox);
	write_file (tmp, HEAD "N1000002,web,Ivy Lane,1 Road,Bath,BA1 1AA,GB,standard,5.00,1,SK-1,Sock,Hosiery,1,HS-1,50,5.00\n"
	    "N1000003,web,Ivy Lane,1 Road,Bath,BA1 1AA,GB,standard,5.00,1,SK-1,Sock,Hosiery,1000,HS-1,50,5.00\n");
	rename (tmp, final);
	ok (wait_for (done), "a bad file moves to failed/ with its errors");
	char *errors = read_file (done);
	ok (strstr (errors, "erp-0002.csv: line 3: N1000003: quantity must be") != NULL, "naming the row: %s", errors);
	free (errors);
	is_int (sql_int ("SELECT count(*) FROM orders WHERE ref IN ('N1000002', 'N1000003')"), 0, "and nothing of it imported");
}

int
main (void)
{
	zsys_init ();
	zsys_set_logsystem (false);
	testlib_tmpdir (dir, sizeof dir);
	char inbox[300], endpoint[300], set_inbox[320], set_int[320];
	snprintf (inbox, sizeof inbox, "%s/inbox", dir);
	snprintf (endpoint, sizeof endpoint, "ipc://%s/integration.sock", dir);
	snprintf (set_inbox, sizeof set_inbox, "hub.inbox=%s", inbox);
	snprintf (set_int, sizeof set_int, "hub.integration=%s", endpoint);
	const char *extra[] = { set_inbox, set_int, NULL };
	if (!ok (testlib_hub_start (&hub, extra) == 0, "hub starts with an inbox and an integration endpoint"))
		return tap_done ();
	struct fl_term porter;
	fl_term_open (&porter, hub.endpoint, "hh-01", "despatch-in", "B1001", "1111");
	test_tool (&porter);
	struct fl_term packer;
	fl_term_open (&packer, hub.endpoint, "bench-1-term", "bench-1", "B2001", "2222");
	test_customs (&porter, &packer);
	client_destroy (&packer.c);
	test_integration (endpoint, &porter);
	test_inbox (inbox);
	is_int (testlib_hub_stop (&hub), 0, "hub stops cleanly");
	client_destroy (&porter.c);
	return tap_done ();
}
