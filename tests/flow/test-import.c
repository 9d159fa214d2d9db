/*
 * test-import.c: orders in, against a real hub: the despatch tool (CSV and
 * JSON; a half-bad file imports nothing and names each bad row; the same
 * file twice changes nothing; a change before receive updates, after
 * receive is refused, except the customs fields until the label, audited),
 * text checked at every door (a NUL, bytes that are not UTF-8, control
 * characters, country codes), an order's rows apart in the file, a big
 * file refused at its last row leaving nothing, the integration endpoint,
 * and the inbox folder: what stays of a file (a record, no card number
 * anywhere), a file named with a new line in the log, the hub answering
 * while a big file imports, and a file refused while it is written taken
 * back. One import at a time: despatch import of a file sharing orders
 * with one the hub writes and refuses late waits for it and then has all
 * its orders; the hub finding despatch import writing leaves its file in
 * the inbox (said once) and answers meanwhile, and a second despatch
 * import gives up saying who writes. A killed import whose run names a
 * live process is taken back all the same (the lock is free), and a
 * stopped hub whose run names no process here is left to finish. A file
 * named -dash.csv is a file; a FIFO, a folder or a device is refused at
 * once, each with one message.
 */
#include "config.h"
#include "flowlib.h"
#include "util.h"

#include "hub/store/hub-import.h"

#include <czmq.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct testlib_hub hub;

/* DSP_TEST_SLOW=N stretches the waits N times (under valgrind or a busy machine). */
static int
slow (void)
{
	const char *s = getenv ("DSP_TEST_SLOW");
	int n = s ? atoi (s) : 1;
	return n < 1 ? 1 : n > 100 ? 100 : n;
}

#define CHEAD_T "order,channel,customer_name,address_1,town,postcode,country,service,order_value,line,sku," \
	"description,department,quantity,locations,unit_weight_g,line_value,hs_code,origin_country,currency\n"
static char dir[256];

#define HEAD "order,channel,customer_name,address_1,town,postcode,country,service,order_value,line,sku,description," \
	"department,quantity,locations,unit_weight_g,line_value\n"

static void
write_bytes (const char *path, const char *text, size_t n)
{
	FILE *f = fopen (path, "wb");
	fwrite (text, 1, n, f);
	fclose (f);
}

static char *
read_file (const char *path)
{
	FILE *f = fopen (path, "r");
	if (f == NULL)
		return xstrdup ("");
	/* Whole, whatever its size (a kept copy can be big). */
	size_t cap = 65536, n = 0, got;
	char *buf = xmalloc (cap);
	while ((got = fread (buf + n, 1, cap - n - 1, f)) > 0)
		if ((n += got) == cap - 1)
			buf = xrealloc (buf, cap *= 2);
	buf[n] = '\0';
	fclose (f);
	return buf;
}

/* Run despatch import on n bytes written to name; exit status, stdout and stderr (caller frees). */
static int
despatch_import_n (const char *name, const char *text, size_t n, char **out, char **err)
{
	char path[512], outp[512], errp[512];
	snprintf (path, sizeof path, "%s/%s", dir, name);
	snprintf (outp, sizeof outp, "%s/out.txt", dir);
	snprintf (errp, sizeof errp, "%s/err.txt", dir);
	write_bytes (path, text, n);
	const char *top = getenv ("top_builddir");
	char *cmd = xasprintf ("'%s/admin/despatch' --database '%s' import '%s' >'%s' 2>'%s'", top ? top : ".",
	    hub.database, path, outp, errp);
	int st = system (cmd);
	free (cmd);
	*out = read_file (outp);
	*err = read_file (errp);
	return WIFEXITED (st) ? WEXITSTATUS (st) : -1;
}

static int
despatch_import (const char *name, const char *text, char **out, char **err)
{
	return despatch_import_n (name, text, strlen (text), out, err);
}

static char *
hub_log (const struct testlib_hub *h)
{
	char *path = xasprintf ("%s/hub.log", h->dir);
	FILE *f = fopen (path, "r");
	free (path);
	if (f == NULL)
		return xstrdup ("");
	fseek (f, 0, SEEK_END);
	long size = ftell (f);
	rewind (f);
	char *buf = xmalloc ((size_t) size + 1);
	size_t got = fread (buf, 1, (size_t) size, f);
	buf[got] = '\0';
	fclose (f);
	return buf;
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

/* despatch's own options go before the command; every word after it is the command's. */
static void
test_words (void)
{
	diag ("despatch -d DB import: a file named -dash.csv is a file, not -d ash.csv");
	static const char one[] = HEAD "WD000001,web,Ann Smith,1 Long Road,York,YO1 7AA,GB,standard,30.00,1,KT-MUG-0001,"
	    "Mug,Kitchen,2,KT-R1-A01,350,15.00\n";
	static const char two[] = HEAD "WD000002,web,Bob Jones,2 Short St,Hull,HU1 1AA,GB,standard,12.00,1,ST-PEN-0003,Pen,"
	    "Stationery,1,ST-R1-A03,20,12.00\n";
	const char *top = getenv ("top_builddir"); /* absolute: the commands run in a folder of their own */
	char *tool = xasprintf ("%s/admin/despatch", top ? top : ".");
	char *words = xasprintf ("%s/words", dir);
	util_mkdirs (words, 0755);
	char path[600];
	snprintf (path, sizeof path, "%s/ok.csv", words);
	write_bytes (path, one, sizeof one - 1);
	snprintf (path, sizeof path, "%s/-dash.csv", words);
	write_bytes (path, two, sizeof two - 1);
	char *cmd = xasprintf ("cd '%s' && '%s' -d '%s' import ok.csv -dash.csv 2>&1; echo \"exit $?\"", words, tool,
	    hub.database);
	char *out = testlib_run (cmd);
	ok (strstr (out, "-dash.csv: imported 1 orders (1 new") != NULL && strstr (out, "exit 0") != NULL,
	    "both files imported: %s", out);
	is_int (sql_int ("SELECT count(*) FROM orders WHERE ref IN ('WD000001', 'WD000002')"), 2,
	    "into the database given before the command");
	snprintf (path, sizeof path, "%s/ash.csv", words);
	ok (access (path, F_OK) != 0, "and no database named ash.csv was made");
	free (out);
	free (cmd);

	cmd = xasprintf ("cd '%s' && '%s' -d '%s' import -- -dash.csv 2>&1; echo \"exit $?\"", words, tool, hub.database);
	out = testlib_run (cmd);
	ok (strstr (out, "-dash.csv: imported 1 orders (0 new, 0 updated, 1 unchanged)") != NULL
	        && strstr (out, "exit 0") != NULL, "-- before a file is taken too: %s", out);
	free (out);
	free (cmd);

	diag ("--database after the command is refused, nothing imported anywhere");
	cmd = xasprintf ("cd '%s' && '%s' import ok.csv --database '%s' 2>&1; echo \"exit $?\"", words, tool,
	    hub.database);
	out = testlib_run (cmd);
	ok (strstr (out, "--database goes before the command's name (despatch --database DB import ...)") != NULL
	        && strstr (out, "exit 2") != NULL, "with where it goes: %s", out);
	snprintf (path, sizeof path, "%s/despatch.db", words);
	ok (access (path, F_OK) != 0, "and no ./despatch.db was made for it");
	free (out);
	free (cmd);
	free (words);
	free (tool);
}

/* What is not a file is refused at once, with what to do, before the import lock is taken. */
static void
test_not_files (void)
{
	diag ("despatch import of a FIFO, a folder, a device: refused at once, nothing else said");
	const char *top = getenv ("top_builddir");
	char *fifo = xasprintf ("%s/pipe.csv", dir), *folder = xasprintf ("%s/orders.d", dir);
	ok (mkfifo (fifo, 0600) == 0, "a FIFO named pipe.csv");
	util_mkdirs (folder, 0755);
	/* Bounded: a FIFO with no writer used to be waited on for ever. */
	char *cmd = xasprintf ("timeout 20 '%s/admin/despatch' -d '%s' import '%s' wait=0 2>&1; echo \"exit $?\"", top ? top : ".",
	    hub.database, fifo);
	char *out = testlib_run (cmd);
	ok (strstr (out, "pipe.csv: it is a FIFO, not a file: export to a file and import that\n") != NULL
	        && strstr (out, "pipe.csv: nothing imported\n") != NULL && strstr (out, "exit 1") != NULL,
	    "the FIFO: %s", out);
	free (out);
	free (cmd);
	cmd = xasprintf ("'%s/admin/despatch' -d '%s' import '%s' /dev/null 2>&1; echo \"exit $?\"", top ? top : ".",
	    hub.database, folder);
	out = testlib_run (cmd);
	ok (strstr (out, "orders.d: it is a folder, not a file: name the files in it") != NULL
	        && strstr (out, "/dev/null: it is a device, not a file") != NULL && strstr (out, "exit 1") != NULL,
	    "the folder and the device: %s", out);
	ok (strstr (out, "Is a directory") == NULL && strstr (out, "the file is empty") == NULL, "one message each");
	free (out);
	free (cmd);
	unlink (fifo);
	rmdir (folder);
	free (fifo);
	free (folder);
}

#define T1 "TD000001,web,Ann Smith,1 Long Road,York,YO1 7AA,GB,standard,30.00,1,KT-MUG-0001,Mug,Kitchen,2,KT-R1-A01,350,15.00\n"

/* Every way text can be wrong at the tool's door: refused, naming file, line and field; nothing stored. */
static void
test_doors (void)
{
	char *out, *err;
	diag ("text at the tool's door: a NUL, bytes that are not UTF-8, control characters");
	static const char nul[] = HEAD T1 "TD000002,web,Bo\0b Jones,2 Short St,Hull,HU1 1AA,GB,standard,12.00,1,ST-PEN-0003,"
	    "Pen,Stationery,1,ST-R1-A03,20,12.00\n";
	is_int (despatch_import_n ("nul.csv", nul, sizeof nul - 1, &out, &err), 1, "a NUL in a field refuses the file");
	ok (strstr (err, "nul.csv: line 3: TD000002: customer_name: a NUL byte at position 3") != NULL,
	    "naming the file, the line, the field and where: %s", err);
	ok (strstr (err, "nul.csv: nothing imported") != NULL, "and that nothing was imported");
	free (out);
	free (err);
	const char *latin1 = HEAD T1 "TD000003,web,Zo\xe9 Martin,3 Rue,Caf\xe9,75001,FR,standard,9.00,1,SK-1,Cup,Homeware,1,L1,"
	    "100,9.00\n";
	is_int (despatch_import ("latin1.csv", latin1, &out, &err), 1, "a Latin-1 file is refused");
	ok (strstr (err, "line 3: TD000003: customer_name: not valid UTF-8 (byte 0xE9 at position 3); send the text as "
	        "UTF-8") != NULL, "the first bad field named, with what to do: %s", err);
	free (out);
	free (err);
	const char *esc = HEAD T1 "TD000004,web,Al Roy,4 Way,Leeds,LS1 1AA,GB,standard,9.00,1,SK-1,\"Cup \x1b[31mred\","
	    "Homeware,1,L1,100,9.00\n";
	is_int (despatch_import ("escape.csv", esc, &out, &err), 1, "an escape sequence is refused");
	ok (strstr (err, "line 3: TD000004: description: the control character U+001B at position 5") != NULL,
	    "the control character named: %s", err);
	free (out);
	free (err);
	const char *newline = HEAD T1 "TD000005,web,Al Roy,\"4 Way\nFlat 2\",Leeds,LS1 1AA,GB,standard,9.00,1,SK-1,Cup,"
	    "Homeware,1,L1,100,9.00\n";
	is_int (despatch_import ("newline.csv", newline, &out, &err), 1, "a line break in an address is refused");
	ok (strstr (err, "line 3: TD000005: address_1: the control character U+000A") != NULL, "%s", err);
	free (out);
	free (err);
	const char *json_ctl =
	    "{\"orders\": [{\"ref\": \"TJ000001\", \"channel\": \"web\", \"customer\": {\"name\": \"A\\u0007B\","
	    " \"address\": [\"1 Road\"], \"postcode\": \"AB1 2CD\", \"country\": \"GB\"}, \"lines\": [{\"line\": 1,"
	    " \"sku\": \"S1\", \"department\": \"D\", \"quantity\": 1, \"locations\": [\"L1\"], \"unit_weight_g\": 100}]}]}\n";
	is_int (despatch_import ("ctl.json", json_ctl, &out, &err), 1, "a control character escaped in JSON is refused");
	ok (strstr (err, "ctl.json: line 1: TJ000001: customer_name: the control character U+0007 at position 2") != NULL,
	    "%s", err);
	free (out);
	free (err);
	const char *json_nul = "[{\"ref\": \"TJ000002\", \"customer\": {\"name\": \"A\\u0000B\"}}]";
	is_int (despatch_import ("nul.json", json_nul, &out, &err), 1, "a NUL escaped in JSON is refused");
	ok (strstr (err, "nul.json: line 1: TJ000002: customer.name: a NUL byte at position 2 (\\u0000); remove it and "
	        "send again") != NULL, "naming the field by its keys: %s", err);
	free (out);
	free (err);
	const char *json_latin1 = "{\"orders\": [\n{\"ref\": \"TJ000003\", \"lines\": [{\"line\": 1},\n"
	    " {\"line\": 2, \"description\": \"Caf\xe9 cup\"}]}]}\n";
	is_int (despatch_import ("latin1.json", json_latin1, &out, &err), 1, "a Latin-1 byte in JSON is refused");
	ok (strstr (err, "latin1.json: line 3: TJ000003: lines[2].description: not valid UTF-8 (byte 0xE9 at position 4);"
	        " send the text as UTF-8") != NULL, "naming the line and the field: %s", err);
	free (out);
	free (err);
	const char *json_escaped = "[{\"ref\": \"TJ000004\", \"channel\": \"web\", \"customer\": {\"name\": \"A \\\\u0000 B\","
	    " \"address\": [\"1 Road\"], \"postcode\": \"AB1 2CD\", \"country\": \"GB\"}, \"lines\": [{\"line\": 1,"
	    " \"sku\": \"S1\", \"department\": \"D\", \"quantity\": 1, \"locations\": [\"L1\"], \"unit_weight_g\": 100}]}]";
	is_int (despatch_import ("backslash.json", json_escaped, &out, &err), 0, "a backslash before u0000 is no NUL: %s",
	    err);
	free (out);
	free (err);
	char *bs = testlib_sql_text (hub.database, "SELECT customer_name FROM orders WHERE ref = 'TJ000004'");
	is_str (bs, "A \\u0000 B", "and is kept as it was");
	free (bs);
	is_int (sql_int ("SELECT count(*) FROM orders WHERE ref LIKE 'TD%' OR (ref LIKE 'TJ%' AND ref <> 'TJ000004')"), 0,
	    "nothing of any of them is stored");

	diag ("country codes: ISO 3166-1 alpha-2, UK taken as GB");
	const char *uk = HEAD "U1000001,web,Ann Smith,1 Long Road,York,YO1 7AA,UK,standard,30.00,1,KT-MUG-0001,Mug,Kitchen,2,"
	    "KT-R1-A01,350,15.00\n"
	    "U1000001,web,Ann Smith,1 Long Road,York,YO1 7AA,UK,standard,30.00,2,KT-MUG-0002,Mug,Kitchen,1,KT-R1-A01,350,15.00\n";
	is_int (despatch_import ("uk.csv", uk, &out, &err), 0, "an order to UK imports: %s", out);
	ok (strstr (err, "uk.csv: warning: line 2: U1000001: country UK is taken as GB (United Kingdom's ISO code)") != NULL
	        && strstr (err, "line 3:") == NULL, "with one warning for the order: %s", err);
	free (out);
	free (err);
	char *c = testlib_sql_text (hub.database, "SELECT country FROM orders WHERE ref = 'U1000001'");
	is_str (c, "GB", "and the hub keeps GB");
	free (c);
	const char *top = getenv ("top_builddir");
	char *cmd = xasprintf ("'%s/admin/despatch' --database '%s' quote U1000001 2>&1", top ? top : ".", hub.database);
	char *quote = testlib_run (cmd);
	ok (strstr (quote, "to GB YO1 7AA") && strstr (quote, "zone mainland") && !strstr (quote, "zone world"),
	    "so it is quoted as a parcel within Great Britain: %.300s", quote);
	free (quote);
	free (cmd);
	is_int (despatch_import ("uk.csv", uk, &out, &err), 0, "the same file again");
	ok (strstr (out, "(0 new, 0 updated, 1 unchanged)") != NULL, "is unchanged: %s", out);
	free (out);
	free (err);
	const char *qq = HEAD "U1000002,web,Ann Smith,1 Long Road,York,YO1 7AA,QQ,standard,30.00,1,KT-MUG-0001,Mug,Kitchen,2,"
	    "KT-R1-A01,350,15.00\n";
	is_int (despatch_import ("qq.csv", qq, &out, &err), 1, "QQ is refused");
	ok (strstr (err, "line 2: U1000002: country QQ is not an ISO 3166 country code") != NULL, "%s", err);
	free (out);
	free (err);
	const char *origin = CHEAD_T "U1000003,web,Val Vance,9 Elm St,Denver,80202,US,standard,95.00,1,SK-1,Tie,Menswear,1,L1,"
	    "100,35.00,621520,UK,GBP\n"
	    "U1000004,web,Val Vance,9 Elm St,Denver,80202,US,standard,95.00,1,SK-1,Tie,Menswear,1,L1,100,35.00,621520,QQ,GBP\n";
	is_int (despatch_import ("origin.csv", origin, &out, &err), 1, "an origin of QQ refuses the file");
	ok (strstr (err, "line 3: U1000004: origin_country must be an ISO 3166") != NULL
	        && strstr (err, "csv: line 2: U1000003") == NULL,
	    "and UK as an origin is not a problem: %s", err);
	free (out);
	free (err);

	diag ("an order's rows apart in the file");
	const char *apart = HEAD
	    "A1000001,web,Ann Smith,1 Long Road,York,YO1 7AA,GB,standard,30.00,1,KT-MUG-0001,Mug,Kitchen,2,KT-R1-A01,350,15.00\n"
	    "A1000002,web,Bob Jones,2 Short St,Hull,HU1 1AA,GB,standard,12.00,1,ST-PEN-0003,Pen,Stationery,1,ST-R1-A03,20,12.00\n"
	    "A1000001,web,Ann Smith,1 Long Road,York,YO1 7AA,GB,standard,30.00,2,TY-BAL-0002,Ball,Toys,1,TY-R1-A02,200,0\n";
	is_int (despatch_import ("apart.csv", apart, &out, &err), 0, "imported: %s%s", out, err);
	ok (strstr (out, "imported 2 orders (2 new") != NULL, "two orders");
	free (out);
	free (err);
	is_int (sql_int ("SELECT count(*) FROM order_lines WHERE order_ref = 'A1000001'"), 2, "the first has both its lines");
	const char *apart_bad = HEAD
	    "A2000001,web,Ann Smith,1 Long Road,York,YO1 7AA,GB,standard,30.00,1,KT-MUG-0001,Mug,Kitchen,2,KT-R1-A01,350,15.00\n"
	    "A2000002,web,Bob Jones,2 Short St,Hull,HU1 1AA,GB,standard,12.00,1,ST-PEN-0003,Pen,Stationery,1,ST-R1-A03,20,12.00\n"
	    "A2000001,web,Ann Smith,9 Long Road,York,YO1 7AA,GB,standard,30.00,2,TY-BAL-0002,Ball,Toys,1,TY-R1-A02,200,0\n"
	    "A2000002,web,Bob Jones,2 Short St,Hull,HU1 1AA,GB,standard,12.00,1,ST-PEN-0004,Pen,Stationery,1,ST-R1-A03,20,12.00\n";
	is_int (despatch_import ("apart-bad.csv", apart_bad, &out, &err), 1, "rows apart that disagree are refused");
	ok (strstr (err, "line 4: A2000001: address_1 differs from the same order's line 2") != NULL
	        && strstr (err, "line 5: A2000002: line 1 appears twice") != NULL, "%s", err);
	free (out);
	free (err);
	const char *twice = "[{\"ref\": \"A3000001\", \"channel\": \"web\", \"customer\": {\"name\": \"A\", \"address\": \"1 Road\","
	    " \"postcode\": \"AB1 2CD\", \"country\": \"GB\"}, \"lines\": [{\"line\": 1, \"sku\": \"S1\", \"department\": \"D\","
	    " \"quantity\": 1, \"locations\": \"L1\", \"unit_weight_g\": 100}]},\n"
	    " {\"ref\": \"A3000001\", \"channel\": \"web\", \"customer\": {\"name\": \"A\", \"address\": \"1 Road\","
	    " \"postcode\": \"AB1 2CD\", \"country\": \"GB\"}, \"lines\": [{\"line\": 2, \"sku\": \"S1\", \"department\": \"D\","
	    " \"quantity\": 1, \"locations\": \"L1\", \"unit_weight_g\": 100}]}]";
	is_int (despatch_import ("twice.json", twice, &out, &err), 1, "a JSON order twice is refused");
	ok (strstr (err, "line 2: A3000001 appears twice in the file") != NULL, "%s", err);
	free (out);
	free (err);
	is_int (sql_int ("SELECT count(*) FROM orders WHERE ref LIKE 'A2%' OR ref LIKE 'A3%'"), 0, "none of them stored");
}

/* n one-line orders PREFIX0000001...; bad: the last row's quantity is 0. */
static char *
big_csv (const char *prefix, int n, bool bad, size_t *len)
{
	size_t cap = (size_t) n * 160 + 512;
	char *t = xmalloc (cap);
	size_t k = (size_t) snprintf (t, cap, "%s", HEAD);
	for (int i = 1; i <= n; i++)
		k += (size_t) snprintf (t + k, cap - k, "%s%07d,web,Customer %d,%d High Street,London,SW1A 1AA,GB,standard,"
		    "25.00,1,SKU-%d,Item,Dept %d,%d,LOC-%d,500,25.00\n", prefix, i, i, i, i % 5000, i % 40,
		    bad && i == n ? 0 : 1, i % 900);
	*len = k;
	return t;
}

static void
test_big (void)
{
	char *out, *err;
	size_t len;
	diag ("a big file refused at its last row leaves nothing behind; the same file good imports whole");
	char *t = big_csv ("B", 30000, true, &len);
	is_int (despatch_import_n ("big-bad.csv", t, len, &out, &err), 1, "30,000 orders, the last one bad");
	ok (strstr (err, "line 30001: B0030000: quantity must be a whole number from 1 to 999") != NULL, "named: %.200s", err);
	free (out);
	free (err);
	free (t);
	is_int (sql_int ("SELECT count(*) FROM orders WHERE ref LIKE 'B00%'"), 0, "no order of it is in the hub");
	is_int (sql_int ("SELECT count(*) FROM imports WHERE source = 'big-bad.csv'"), 0, "nor a record of an import");
	t = big_csv ("B", 30000, false, &len);
	is_int (despatch_import_n ("big.csv", t, len, &out, &err), 0, "the same without the bad row: %s", out);
	ok (strstr (out, "imported 30000 orders (30000 new, 0 updated, 0 unchanged)") != NULL, "every order new");
	free (out);
	free (err);
	free (t);
	is_int (sql_int ("SELECT count(*) FROM orders WHERE ref LIKE 'B00%'"), 30000, "all of them in the hub");
	is_int (sql_int ("SELECT count(*) FROM order_lines WHERE order_ref LIKE 'B00%'"), 30000, "with their lines");
	is_int (sql_int ("SELECT orders FROM imports WHERE source = 'big.csv'"), 30000, "and one record of the import");
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

	diag ("text at the endpoint: control characters, bytes that are not UTF-8, country codes");
	const char *ctl = "{\"ref\": \"I1000002\", \"channel\": \"till\", \"customer\": {\"name\": \"Gil\\u001bHart\","
	    " \"address\": [\"9 Lane\"], \"postcode\": \"CT1 1AA\", \"country\": \"GB\"}, \"lines\": [{\"line\": 1,"
	    " \"sku\": \"GL-HAT-1\", \"department\": \"Hats\", \"quantity\": 1, \"locations\": \"HT-R1-A01\","
	    " \"unit_weight_g\": 300}]}";
	r = integration_call (req, ctl);
	ok (r && strstr (r, "\"ok\":false") && strstr (r, "I1000002: customer_name: the control character U+001B at "
	    "position 4") && strstr (r, "\"retry\":false"), "a control character is refused, naming the field: %s",
	    r ? r : "(none)");
	zstr_free (&r);
	char *latin = xstrdup (ctl);
	memcpy (strstr (latin, "\\u001b"), "\xe9\xe9\xe9\xe9\xe9\xe9", 6);
	r = integration_call (req, latin);
	ok (r && strstr (r, "\"ok\":false") && strstr (r, "line 1: I1000002: customer.name: not valid UTF-8 (byte 0xE9 at "
	    "position 4); send the text as UTF-8"), "bytes that are not UTF-8 are refused, naming the field: %s",
	    r ? r : "(none)");
	zstr_free (&r);
	free (latin);
	char *uk = xstrdup (ctl);
	memcpy (strstr (uk, "\\u001b"), "      ", 6);
	memcpy (strstr (uk, "\"GB\""), "\"UK\"", 4);
	r = integration_call (req, uk);
	ok (r && strstr (r, "\"ok\":true") && strstr (r, "\"warnings\":[\"line 1: I1000002: country UK is taken as GB"),
	    "UK is taken as GB, with a warning in the answer: %s", r ? r : "(none)");
	zstr_free (&r);
	memcpy (strstr (uk, "\"UK\""), "\"QQ\"", 4);
	r = integration_call (req, uk);
	ok (r && strstr (r, "\"ok\":false") && strstr (r, "country QQ is not an ISO 3166 country code"), "QQ is refused: %s",
	    r ? r : "(none)");
	zstr_free (&r);
	free (uk);
	is_int (sql_int ("SELECT count(*) FROM orders WHERE ref = 'I1000002' AND country = 'GB'"), 1, "the hub keeps GB");

	diag ("a big push is imported in slices: the hub answers meanwhile");
	size_t cap = 40000 * 330 + 64, len = 0;
	char *doc = xmalloc (cap);
	len += (size_t) snprintf (doc + len, cap - len, "{\"orders\": [");
	for (int i = 1; i <= 40000; i++)
		len += (size_t) snprintf (doc + len, cap - len, "%s{\"ref\": \"P%07d\", \"channel\": \"web\", \"customer\":"
		    " {\"name\": \"Pat %d\", \"address\": \"%d Lane\", \"postcode\": \"CT1 1AA\", \"country\": \"GB\"},"
		    " \"lines\": [{\"line\": 1, \"sku\": \"SK-%d\", \"department\": \"Hats\", \"quantity\": 1,"
		    " \"locations\": \"L1\", \"unit_weight_g\": 300}]}", i > 1 ? ",\n" : "\n", i, i, i, i % 100);
	len += (size_t) snprintf (doc + len, cap - len, "]}\n");
	zsock_t *pusher = zsock_new_req (endpoint);
	zframe_t *frame = zframe_new (doc, len);
	free (doc);
	zframe_send (&frame, pusher, 0);
	client_t *c = client_new (hub.endpoint, "probe-push", NULL);
	int answered = 0;
	char *answer = NULL;
	for (int i = 0; i < 3000 * slow () && answer == NULL; i++) {
		/* Counted only when the hub had begun the import before the ping went, and had not answered it after. */
		char *log = hub_log (&hub);
		bool started = strstr (log, "integration push: importing") != NULL;
		free (log);
		proto_msg_t *ping = proto_msg_new (PROTO_PING);
		proto_msg_set_seq (ping, (uint32_t) i + 1);
		proto_msg_t *pr = client_call (c, ping, 2000, 1);
		proto_msg_destroy (&ping);
		zpoller_t *poller = zpoller_new (pusher, NULL);
		if (zpoller_wait (poller, 20) == pusher)
			answer = zstr_recv (pusher);
		else if (pr && started)
			answered++;
		zpoller_destroy (&poller);
		proto_msg_destroy (&pr);
	}
	client_destroy (&c);
	ok (answer && strcmp (answer, "{\"ok\":true,\"orders\":40000,\"created\":40000,\"updated\":0,\"unchanged\":0}") == 0,
	    "40,000 orders in one push: %.100s", answer ? answer : "(no answer)");
	ok (answered >= 10, "and %d pings were answered before its answer came", answered);
	zstr_free (&answer);
	zsock_destroy (&pusher);
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
	for (int i = 0; i < 100 * slow (); i++) {
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
	fl_check (fl_scan (packer, "pack", "C1000001", "parcels", "1", "parcel", "1", "box", "S", "weight", "900", NULL),
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
	proto_msg_t *r = fl_expect (fl_scan (packer, "pack", "C1000001", "parcels", "1", "parcel", "1", "box", "S",
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

/* Drop a file into the inbox under a name it ignores, then rename it: the hub never sees half of it. */
static void
drop (const char *inbox, const char *name, const char *text, size_t n)
{
	char *tmp = xasprintf ("%s/.part-%d", inbox, (int) getpid ());
	char *final = xasprintf ("%s/%s", inbox, name);
	write_bytes (tmp, text, n);
	rename (tmp, final);
	free (tmp);
	free (final);
}

/* Does any file under top (its folders too) hold needle? The first that does into *where. */
static bool
tree_holds (const char *top, const char *needle, char *where, size_t n)
{
	DIR *d = opendir (top);
	struct dirent *e;
	bool found = false;
	while (d && !found && (e = readdir (d)) != NULL) {
		if (strcmp (e->d_name, ".") == 0 || strcmp (e->d_name, "..") == 0)
			continue;
		char *path = xasprintf ("%s/%s", top, e->d_name);
		struct stat sb;
		if (stat (path, &sb) == 0 && S_ISDIR (sb.st_mode))
			found = tree_holds (path, needle, where, n);
		else {
			FILE *f = fopen (path, "rb");
			char *buf = xmalloc ((size_t) sb.st_size + 1);
			size_t got = f ? fread (buf, 1, (size_t) sb.st_size, f) : 0;
			buf[got] = '\0';
			for (size_t i = 0; !found && i + strlen (needle) <= got; i++)
				found = memcmp (buf + i, needle, strlen (needle)) == 0;
			if (found)
				util_strlcpy (where, path, n);
			free (buf);
			if (f)
				fclose (f);
		}
		free (path);
	}
	if (d)
		closedir (d);
	return found;
}

#define PAN "4111 1111 1111 1111"
#define PAN_DIGITS "4111111111111111"

static void
test_inbox (const char *inbox)
{
	diag ("the inbox folder: a record of each file, the file itself not kept");
	char path[600];
	const char *good = HEAD "N1000001,web,Ivy Lane,1 Road,Bath,BA1 1AA,GB,standard,5.00,1,SK-1,Sock,Hosiery,1,HS-1,50,5.00\n";
	drop (inbox, "erp-0001.csv", good, strlen (good));
	snprintf (path, sizeof path, "%s/done/erp-0001.csv.record", inbox);
	ok (wait_for (path), "a good file leaves a record in done/");
	char *rec = read_file (path);
	ok (strstr (rec, "file: erp-0001.csv\n") && strstr (rec, "outcome: imported\n") && strstr (rec, "bytes: ")
	        && strstr (rec, "orders: 1 (1 new, 0 updated, 0 unchanged)") && strstr (rec, "kept: no copy"),
	    "naming it, its size, its counts: %s", rec);
	char *sha = testlib_run ("printf 'order,channel,customer_name,address_1,town,postcode,country,service,order_value,"
	    "line,sku,description,department,quantity,locations,unit_weight_g,line_value\\nN1000001,web,Ivy Lane,1 Road,Bath,"
	    "BA1 1AA,GB,standard,5.00,1,SK-1,Sock,Hosiery,1,HS-1,50,5.00\\n' | sha1sum | cut -c1-40");
	sha[strcspn (sha, "\n")] = '\0';
	ok (*sha && strstr (rec, sha) != NULL, "and the file's SHA-1 (%s)", sha);
	free (sha);
	free (rec);
	is_int (sql_int ("SELECT count(*) FROM orders WHERE ref = 'N1000001'"), 1, "its order is in the hub");
	snprintf (path, sizeof path, "%s/erp-0001.csv", inbox);
	ok (access (path, F_OK) != 0, "the file has left the inbox");
	snprintf (path, sizeof path, "%s/done/erp-0001.csv", inbox);
	ok (access (path, F_OK) != 0, "and no copy is kept (hub.inbox_keep_days is 0)");

	const char *bad = HEAD "N1000002,web,Ivy Lane,1 Road,Bath,BA1 1AA,GB,standard,5.00,1,SK-1,Sock,Hosiery,1,HS-1,50,5.00\n"
	    "N1000003,web,Ivy Lane,1 Road,Bath,BA1 1AA,GB,standard,5.00,1,SK-1,Sock,Hosiery,1000,HS-1,50,5.00\n";
	drop (inbox, "erp-0002.csv", bad, strlen (bad));
	snprintf (path, sizeof path, "%s/failed/erp-0002.csv.errors", inbox);
	ok (wait_for (path), "a bad file leaves its errors in failed/");
	char *errors = read_file (path);
	ok (strstr (errors, "erp-0002.csv: line 3: N1000003: quantity must be") != NULL, "naming the row: %s", errors);
	free (errors);
	snprintf (path, sizeof path, "%s/failed/erp-0002.csv.record", inbox);
	rec = read_file (path);
	ok (strstr (rec, "outcome: refused, nothing imported") && strstr (rec, "problems: see erp-0002.csv.errors"),
	    "and a record: %s", rec);
	free (rec);
	is_int (sql_int ("SELECT count(*) FROM orders WHERE ref IN ('N1000002', 'N1000003')"), 0, "nothing of it imported");

	diag ("card numbers: none in any file under the inbox, nor in the log");
	const char *pan_good = HEAD "N1000004,web,Ivy Lane,1 Road,Bath,BA1 1AA,GB,standard,5.00,1,SK-1,\"Card " PAN "\","
	    "Hosiery,1,HS-1,50,5.00\n";
	const char *pan_bad = HEAD "N1000005,web,Ivy Lane,1 Road " PAN_DIGITS ",Bath,BA1 1AA,GB,standard,5.00,1,SK-1,Sock,"
	    "Hosiery,0,HS-1,50,5.00\n";
	drop (inbox, "erp-0003.csv", pan_good, strlen (pan_good));
	drop (inbox, "erp-0004.csv", pan_bad, strlen (pan_bad));
	snprintf (path, sizeof path, "%s/failed/erp-0004.csv.record", inbox);
	ok (wait_for (path), "a file with a card number imported, another refused");
	snprintf (path, sizeof path, "%s/done/erp-0003.csv.record", inbox);
	ok (wait_for (path), "both have their records");
	rec = read_file (path);
	ok (strstr (rec, "warning: line 2: N1000004: a card number in description was masked") != NULL,
	    "the record says a card number was masked: %s", rec);
	free (rec);
	char *desc = testlib_sql_text (hub.database, "SELECT description FROM order_lines WHERE order_ref = 'N1000004'");
	is_str (desc, "Card **** **** **** 1111", "the hub keeps it masked");
	free (desc);
	char where[600] = "";
	ok (!tree_holds (inbox, PAN, where, sizeof where) && !tree_holds (inbox, PAN_DIGITS, where, sizeof where),
	    "no full card number in any file under the inbox %s", where);
	char *log = hub_log (&hub);
	ok (strstr (log, PAN) == NULL && strstr (log, PAN_DIGITS) == NULL, "nor in the hub's log");
	ok (strstr (log, "Ivy Lane") == NULL && strstr (log, "1 Road") == NULL, "which names no customer either");
	free (log);
}

/* The loop goes on while a big file imports, and a file refused while it is written is taken back. */
static void
test_inbox_big (const char *inbox)
{
	diag ("a big file in the inbox: the hub answers meanwhile");
	size_t len;
	char *t = big_csv ("H", 40000, false, &len);
	char rec[600];
	snprintf (rec, sizeof rec, "%s/done/hub-big.csv.record", inbox);
	drop (inbox, "hub-big.csv", t, len);
	free (t);
	client_t *c = client_new (hub.endpoint, "probe-big", NULL);
	int answered = 0, tries = 0;
	bool done_first = false;
	char *log = NULL;
	/* Pings until the import is over (bounded: 60 s); each answered while the record is not there yet counts. */
	for (int i = 0; i < 3000 * slow () && !done_first; i++) {
		/* Counted only when the import had begun before the ping went and was not over when it came back. */
		free (log);
		log = hub_log (&hub);
		bool started = strstr (log, "inbox hub-big.csv: taking it") != NULL;
		proto_msg_t *ping = proto_msg_new (PROTO_PING);
		proto_msg_set_seq (ping, (uint32_t) i + 1);
		proto_msg_t *r = client_call (c, ping, 2000, 1);
		proto_msg_destroy (&ping);
		bool imported = access (rec, F_OK) == 0;
		if (r && started && !imported)
			answered++;
		tries++;
		proto_msg_destroy (&r);
		done_first = imported;
		usleep (20000);
	}
	client_destroy (&c);
	ok (done_first, "the file is imported (%d pings)", tries);
	ok (answered >= 10, "and %d pings were answered while it was being imported", answered);
	ok (log && strstr (log, "inbox hub-big.csv: writing") != NULL, "it was written in slices");
	free (log);
	is_int (sql_int ("SELECT count(*) FROM orders WHERE ref LIKE 'H00%'"), 40000, "all 40,000 orders");

	diag ("a file refused while it is written: what it wrote is taken back");
	/* R0000001 is new in the hub; the file changes it in its last row. Received once the file is being
	 * written, the change is refused then, and the file's other orders go again. */
	const char *r1 = HEAD "R0000001,web,Rae Dunn,1 Road,Bath,BA1 1AA,GB,standard,5.00,1,SK-1,Sock,Hosiery,1,HS-1,50,5.00\n";
	char *out, *err;
	is_int (despatch_import ("r1.csv", r1, &out, &err), 0, "an order, not yet received");
	free (out);
	free (err);
	t = big_csv ("W", 40000, false, &len);
	t = xrealloc (t, len + 256);
	len += (size_t) snprintf (t + len, 256, "R0000001,web,Rae Dunn,1 Road,Bath,BA1 1AA,GB,standard,5.00,1,SK-1,Sock,"
	    "Hosiery,7,HS-1,50,5.00\n");
	drop (inbox, "race.csv", t, len);
	free (t);
	struct fl_term porter;
	fl_term_open (&porter, hub.endpoint, "hh-race", "despatch-in", "B1001", "1111");
	bool writing = false;
	for (int i = 0; i < 3000 * slow () && !writing; i++) {
		log = hub_log (&hub);
		writing = strstr (log, "inbox race.csv: writing") != NULL;
		free (log);
		if (!writing)
			usleep (10000);
	}
	ok (writing, "the file is checked and being written");
	fl_check (fl_scan (&porter, "receive", "R0000001"), PROTO_OK, PR_OK, NULL, "then despatch receives R0000001");
	client_destroy (&porter.c);
	snprintf (rec, sizeof rec, "%s/failed/race.csv.errors", inbox);
	ok (wait_for (rec) || wait_for (rec), "the file is refused");
	char *errors = read_file (rec);
	ok (strstr (errors, "line 40002: R0000001 has changed, but despatch already has it (received), since the file was "
	        "checked") != NULL, "for the order received meanwhile: %.300s", errors);
	free (errors);
	is_int (sql_int ("SELECT count(*) FROM orders WHERE ref LIKE 'W00%'"), 0, "none of the orders it wrote is left");
	is_int (sql_int ("SELECT quantity FROM order_lines WHERE order_ref = 'R0000001'"), 1, "R0000001 as despatch has it");
	is_int (sql_int ("SELECT count(*) FROM imports WHERE source = 'race.csv'"), 0, "and no import recorded");
	log = hub_log (&hub);
	ok (strstr (log, "inbox race.csv: undoing") != NULL && strstr (log, "what it wrote was taken back") != NULL,
	    "the log says it was taken back");
	free (log);
}

/* The hub killed while it writes a big file: at its next start the file is taken again, whole. */
static void
test_inbox_crash (const char *inbox)
{
	diag ("the hub killed while it writes a file: the file is taken again, whole");
	size_t len;
	char *t = big_csv ("C", 40000, false, &len);
	drop (inbox, "crash.csv", t, len);
	free (t);
	bool writing = false;
	for (int i = 0; i < 3000 * slow () && !writing; i++) {
		char *log = hub_log (&hub);
		writing = strstr (log, "inbox crash.csv: writing") != NULL;
		free (log);
		if (!writing)
			usleep (10000);
	}
	ok (writing, "the file is being written");
	/* Killed at its first committed slice, not after a fixed wait: a fast machine writes the whole file in
	 * less time than any wait that is long enough for a slow one. */
	bool begun = false;
	for (int i = 0; i < 3000 * slow () && !begun; i++) {
		begun = sql_int ("SELECT count(*) FROM orders WHERE ref LIKE 'C00%'") > 0;
		if (!begun)
			usleep (2000);
	}
	testlib_hub_kill (&hub);
	long long part = sql_int ("SELECT count(*) FROM orders WHERE ref LIKE 'C00%'");
	ok (begun && part < 40000, "killed with %lld of its 40,000 orders written", part);
	char path[600];
	snprintf (path, sizeof path, "%s/crash.csv", inbox);
	ok (access (path, F_OK) == 0, "the file is still in the inbox");
	ok (testlib_hub_restart (&hub) == 0, "the hub starts again");
	snprintf (path, sizeof path, "%s/done/crash.csv.record", inbox);
	ok (wait_for (path) || wait_for (path) || wait_for (path), "the file is taken again");
	char *rec = read_file (path);
	ok (strstr (rec, "orders: 40000 (") != NULL, "whole: %s", rec);
	free (rec);
	is_int (sql_int ("SELECT count(*) FROM orders WHERE ref LIKE 'C00%'"), 40000, "every order once");
	is_int (sql_int ("SELECT count(*) FROM order_lines WHERE order_ref LIKE 'C00%'"), 40000, "with its line");
	is_int (sql_int ("SELECT count(*) FROM imports WHERE source = 'crash.csv'"), 1, "one import recorded");
	snprintf (path, sizeof path, "%s/crash.csv", inbox);
	ok (access (path, F_OK) != 0, "and the file has left the inbox");
	snprintf (path, sizeof path, "%s/.taking", inbox);
	DIR *d = opendir (path);
	int left = 0;
	struct dirent *e;
	while (d && (e = readdir (d)) != NULL)
		left += e->d_name[0] != '.';
	if (d)
		closedir (d);
	is_int (left, 0, "no half copy is left behind");
}

/* The hub killed once a file's import is recorded, before the file leaves the inbox: at its next start the file
 * leaves with its record and is not imported a second time; the same bytes dropped again are imported. */
static void
test_inbox_recorded (const char *inbox)
{
	diag ("the hub killed after a file's import is recorded, before the file has left the inbox");
	is_int (testlib_hub_stop (&hub), 0, "hub stopped to start again with DSP_HUB_CRASH_AT=inbox-recorded");
	setenv ("DSP_HUB_CRASH_AT", "inbox-recorded", 1);
	int started = testlib_hub_restart (&hub);
	unsetenv ("DSP_HUB_CRASH_AT");
	if (!ok (started == 0, "hub started, to die once an inbox file's import is recorded"))
		return;
	size_t len;
	char *t = big_csv ("D", 300, false, &len);
	char src[600];
	snprintf (src, sizeof src, "%s/recorded.src", dir);
	write_bytes (src, t, len);
	char *cmd = xasprintf ("sha1sum < '%s' | cut -d' ' -f1", src);
	char *sha1 = testlib_run (cmd);
	free (cmd);
	if (sha1 && strchr (sha1, '\n'))
		*strchr (sha1, '\n') = '\0';
	drop (inbox, "recorded.csv", t, len);
	bool died = false;
	for (int i = 0; i < 3000 * slow () && !died; i++) { /* bounded: 30 s */
		int status;
		if (waitpid (hub.pid, &status, WNOHANG) == hub.pid) {
			hub.pid = 0;
			died = WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL;
			break;
		}
		usleep (10000);
	}
	ok (died, "the hub killed itself once the import was recorded");
	if (hub.pid > 0)
		testlib_hub_kill (&hub);
	char path[600];
	snprintf (path, sizeof path, "%s/recorded.csv", inbox);
	ok (access (path, F_OK) == 0, "the file is still in the inbox");
	is_int (sql_int ("SELECT count(*) FROM imports WHERE source = 'recorded.csv'"), 1, "its import is recorded");
	is_int (sql_int ("SELECT count(*) FROM orders WHERE ref LIKE 'D00%'"), 300, "with its 300 orders");
	is_int (sql_int ("SELECT count(*) FROM imports WHERE source = 'recorded.csv' AND file IS NOT NULL"), 1,
	    "naming the file, which has not left the inbox");
	ok (testlib_hub_restart (&hub) == 0, "the hub starts again");
	snprintf (path, sizeof path, "%s/done/recorded.csv.record", inbox);
	ok (wait_for (path) || wait_for (path), "the file leaves the inbox with its record");
	char *rec = read_file (path);
	ok (strstr (rec, "the hub stopped before the file left the inbox, and it was not imported again")
	        && strstr (rec, "orders: 300 (300 new, 0 updated, 0 unchanged)"), "which says so: %s", rec);
	char *want = xasprintf ("sha1: %s\n", sha1 ? sha1 : "?");
	ok (strstr (rec, want) != NULL, "with the file's digest (%s)", sha1 ? sha1 : "?");
	free (want);
	free (rec);
	snprintf (path, sizeof path, "%s/recorded.csv", inbox);
	ok (access (path, F_OK) != 0, "the file has left the inbox");
	is_int (sql_int ("SELECT count(*) FROM imports WHERE source = 'recorded.csv'"), 1, "still one import recorded");
	char *held = testlib_sql_text (hub.database, "SELECT sha1 FROM imports WHERE source = 'recorded.csv'");
	is_str (held, sha1 ? sha1 : "?", "the import holds the file's digest");
	free (held);
	is_int (sql_int ("SELECT count(*) FROM orders WHERE ref LIKE 'D00%'"), 300, "and every order once");
	is_int (sql_int ("SELECT count(*) FROM imports WHERE source = 'recorded.csv' AND file IS NULL"), 1,
	    "the record forgets the file once it has left (a later file may take its inode)");
	char *log = hub_log (&hub);
	ok (log && strstr (log, "inbox recorded.csv: imported before the hub stopped (import ") != NULL,
	    "the log says it was imported before the hub stopped");
	free (log);

	diag ("the same bytes dropped again are another file: imported");
	drop (inbox, "recorded.csv", t, len);
	free (t);
	bool again = false;
	for (int i = 0; i < 300 * slow () && !again; i++) {
		again = sql_int ("SELECT count(*) FROM imports WHERE source = 'recorded.csv'") == 2;
		if (!again)
			usleep (100000);
	}
	ok (again, "a second import is recorded");
	/* The second file's record goes beside the first's, under a number: neither takes the other's place. */
	snprintf (path, sizeof path, "%s/done/recorded.2.csv.record", inbox);
	ok (wait_for (path) || wait_for (path), "its record is recorded.2.csv.record, beside the first");
	rec = read_file (path);
	for (int i = 0; i < 100 * slow () && strstr (rec, "300 unchanged") == NULL; i++) {
		free (rec);
		usleep (100000);
		rec = read_file (path);
	}
	ok (strstr (rec, "outcome: imported\n") && strstr (rec, "orders: 300 (0 new, 0 updated, 300 unchanged)"),
	    "its record: %s", rec);
	ok (strstr (rec, "file: recorded.csv\n") != NULL, "naming the file as it was named");
	is_int (sql_int ("SELECT count(*) FROM imports WHERE source = 'recorded.csv' AND file IS NOT NULL"), 0,
	    "no import names a file that has left the inbox");
	free (rec);
	snprintf (path, sizeof path, "%s/done/recorded.csv.record", inbox);
	rec = read_file (path);
	ok (rec && strstr (rec, "the hub stopped before the file left the inbox"), "and the first file's record is as it was");
	free (rec);
	free (sha1);
}

/* A hub that keeps masked copies; a file named with a new line; the erase of a customer from the copies. */
static void
test_inbox_kept (void)
{
	diag ("hub.inbox_keep_days: masked copies, and what an erase takes out of them");
	struct testlib_hub h2;
	char inbox[600], set_inbox[640];
	snprintf (inbox, sizeof inbox, "%s/inbox2", dir);
	snprintf (set_inbox, sizeof set_inbox, "hub.inbox=%s", inbox);
	const char *extra[] = { set_inbox, "hub.inbox_keep_days=7", NULL };
	if (!ok (testlib_hub_start (&h2, extra) == 0, "a second hub keeps copies for 7 days"))
		return;
	const char *two = HEAD
	    "K1000001,web,Kay Nash,5 Mews " PAN_DIGITS ",Bath,BA1 1AA,GB,standard,5.00,1,SK-1,Sock,Hosiery,1,HS-1,50,5.00\n"
	    "K1000002,web,Lee Park,6 Mews,Bath,BA1 1AA,GB,standard,5.00,1,SK-1,Sock,Hosiery,1,HS-1,50,5.00\n";
	drop (inbox, "kept.csv", two, strlen (two));
	const char *evil = "evil\n2026-12-01T00:00:00Z despatch-hub[error] forged.csv";
	const char *one = HEAD "K1000003,web,Mo Reed,7 Mews,Bath,BA1 1AA,GB,standard,5.00,1,SK-1,Sock,Hosiery,1,HS-1,50,5.00\n";
	drop (inbox, evil, one, strlen (one));
	char path[700];
	snprintf (path, sizeof path, "%s/done/%s.record", inbox, evil);
	ok (wait_for (path), "a file named with a new line is taken");
	snprintf (path, sizeof path, "%s/done/kept.csv", inbox);
	ok (wait_for (path), "a copy of the good file is kept");
	char *copy = read_file (path);
	ok (strstr (copy, "5 Mews ************1111,") != NULL && strstr (copy, PAN_DIGITS) == NULL,
	    "with the card number masked: %.400s", copy);
	free (copy);
	snprintf (path, sizeof path, "%s/done/kept.csv.record", inbox);
	char *rec = read_file (path);
	ok (strstr (rec, "kept: a copy with card numbers masked, until ") != NULL, "the record says until when: %s", rec);
	free (rec);
	char *log = hub_log (&h2);
	bool forged = false;
	for (const char *l = log; l && *l; l = strchr (l, '\n') ? strchr (l, '\n') + 1 : NULL)
		if (strncmp (l, "2026-12-01T00:00:00Z despatch-hub[error] forged.csv", 51) == 0)
			forged = true;
	ok (!forged, "no line of the log is the forged one");
	ok (strstr (log, "inbox evil\\n2026-12-01T00:00:00Z despatch-hub[error] forged.csv: 1 orders") != NULL,
	    "the name is in the log with its new line escaped");
	free (log);
	snprintf (path, sizeof path, "%s/done/%s.record", inbox, evil);
	rec = read_file (path);
	ok (strstr (rec, "file: evil\\n2026-12-01T00:00:00Z") != NULL && strstr (rec, "\n2026-12-01") == NULL,
	    "and so in its record: %s", rec);
	free (rec);

	char *refs[] = { "K1000001" };
	int files = 0;
	char *cause = NULL;
	long n = hub_import_kept_erase (inbox, refs, 1, &files, &cause);
	is_int (n, 1, "the erase of K1000001 takes its row out of the kept copies");
	is_int (files, 1, "from one file");
	snprintf (path, sizeof path, "%s/done/kept.csv", inbox);
	copy = read_file (path);
	ok (strstr (copy, "Kay Nash") == NULL && strstr (copy, "K1000002,web,Lee Park") != NULL
	        && strncmp (copy, "order,channel", 13) == 0, "the other order stays, with the header: %s", copy);
	free (copy);
	char *refs2[] = { "K1000002", "K1000003" };
	n = hub_import_kept_erase (inbox, refs2, 2, &files, &cause);
	is_int (n, 2, "then the other two");
	ok (access (path, F_OK) != 0, "a copy with no order left is removed");

	/* A field of 300,000 digits, then a card number: the copy is written as the file is read (the run held until
	 * it ends, and looked at once), the card number masked. */
	size_t rl = 300000;
	char *run = xmalloc (rl + 512);
	size_t k = (size_t) snprintf (run, 512, HEAD "K1000006,web,Mo Reed,7 Mews,Bath,BA1 1AA,GB,standard,5.00,1,SK-1,");
	memset (run + k, '7', rl);
	k += rl;
	k += (size_t) snprintf (run + k, 256, ";card %s,Hosiery,1,HS-1,50,5.00\n", PAN);
	drop (inbox, "long-run.csv", run, k);
	free (run);
	snprintf (path, sizeof path, "%s/failed/long-run.csv", inbox);
	ok (wait_for (path) || wait_for (path), "a file with a field of 300,000 digits is refused, its copy kept");
	char *lr = read_file (path);
	ok (lr && strlen (lr) == k && strstr (lr, "**** **** **** 1111") && !strstr (lr, PAN),
	    "the copy is the whole file, its card number masked (%zu of %zu bytes; its end: %s)", lr ? strlen (lr) : 0, k,
	    lr && strlen (lr) > 40 ? lr + strlen (lr) - 40 : "");
	free (lr);

	/* An empty file, with copies kept: refused as empty (the copy has nothing to hold), and the hub goes on. */
	drop (inbox, "empty.csv", "", 0);
	snprintf (path, sizeof path, "%s/failed/empty.csv.errors", inbox);
	ok (wait_for (path) || wait_for (path), "an empty file is refused");
	char *empty = read_file (path);
	ok (empty && strstr (empty, "the file is empty") != NULL, "  as empty: %s", empty);
	free (empty);
	const char *e2 = HEAD "K1000004,web,Mo Reed,7 Mews,Bath,BA1 1AA,GB,standard,5.00,1,SK-1,Sock,Hosiery,1,HS-1,50,5.00\n";
	drop (inbox, "after-empty.csv", e2, strlen (e2));
	snprintf (path, sizeof path, "%s/done/after-empty.csv", inbox);
	ok (wait_for (path) || wait_for (path), "and the hub, still up, keeps the next file's copy");

	/* A copy older than hub.inbox_keep_days goes at the hub's next look; its record stays. */
	drop (inbox, "old.csv", one, strlen (one));
	snprintf (path, sizeof path, "%s/done/old.csv", inbox);
	ok (wait_for (path), "another copy kept");
	is_int (testlib_hub_stop (&h2), 0, "the second hub stops");
	struct timeval eight_days[2] = { { time (NULL) - 8 * 86400, 0 }, { time (NULL) - 8 * 86400, 0 } };
	utimes (path, eight_days);
	ok (testlib_hub_restart (&h2) == 0, "and starts again, a week and a day later for that copy");
	bool gone = false;
	for (int i = 0; i < 100 * slow () && !gone; i++) {
		gone = access (path, F_OK) != 0;
		usleep (100000);
	}
	ok (gone, "the copy is removed");
	snprintf (path, sizeof path, "%s/done/old.csv.record", inbox);
	ok (access (path, F_OK) == 0, "its record stays");
	is_int (testlib_hub_stop (&h2), 0, "the second hub stops cleanly");
}


static bool log_wait (const char *needle, int secs);

/* Order rows for the inbox tests below: one order REF with its weight. */
static char *
one_order (const char *ref, const char *weight)
{
	return xasprintf (HEAD "%s,web,Ona Vale,2 Lane,Bath,BA1 1AA,GB,standard,5.00,1,SK-1,Sock,Hosiery,1,HS-1,%s,5.00\n", ref,
	    weight);
}

/*
 * What senders put in an inbox besides whole files: a link to a file elsewhere, a FIFO, a folder named like a
 * file (never opened, set aside in failed/, the feed goes on); a file still being written (taken once still,
 * whole); another file renamed in under the name of one being imported, and a file appended to while it is
 * read (never removed unread: each order of it arrives).
 */
static void
test_inbox_odd (const char *inbox)
{
	diag ("entries that are not files, files still written, a file replaced while it is read");
	char path[700], target[700];
	/* A link to a file of orders elsewhere: not followed, so neither read nor copied. */
	snprintf (target, sizeof target, "%s/outside.csv", dir);
	char *o = one_order ("O1000001", "50");
	write_bytes (target, o, strlen (o));
	snprintf (path, sizeof path, "%s/link.csv", inbox);
	ok (symlink (target, path) == 0, "a link link.csv -> a file of orders outside the inbox");
	snprintf (path, sizeof path, "%s/failed/link.csv.errors", inbox);
	ok (wait_for (path) || wait_for (path), "it is set aside in failed/ with its errors");
	char *errors = read_file (path);
	ok (errors && strstr (errors, "link.csv: it is a symbolic link, not a file") != NULL, "saying what it is: %s",
	    errors);
	free (errors);
	struct stat sb;
	snprintf (path, sizeof path, "%s/failed/link.csv", inbox);
	ok (lstat (path, &sb) == 0 && S_ISLNK (sb.st_mode), "the link itself moved, not a copy of what it names");
	is_int (sql_int ("SELECT count(*) FROM orders WHERE ref = 'O1000001'"), 0, "nothing of what it names imported");
	char *still = read_file (target);
	is_str (still, o, "and the file it names is as it was");
	free (still);
	free (o);

	/* A FIFO would hold the loop for as long as nobody writes to it; a folder cannot be read. */
	snprintf (path, sizeof path, "%s/pipe.csv", inbox);
	ok (mkfifo (path, 0644) == 0, "a FIFO pipe.csv in the inbox");
	snprintf (path, sizeof path, "%s/folder.csv", inbox);
	ok (mkdir (path, 0755) == 0, "and a folder folder.csv");
	snprintf (path, sizeof path, "%s/failed/pipe.csv.errors", inbox);
	ok (wait_for (path) || wait_for (path), "the FIFO is set aside unread");
	errors = read_file (path);
	ok (errors && strstr (errors, "it is a FIFO") != NULL, "  %s", errors);
	free (errors);
	snprintf (path, sizeof path, "%s/failed/folder.csv.errors", inbox);
	ok (wait_for (path), "and so is the folder");
	client_t *c = client_new (hub.endpoint, "probe-odd", NULL);
	proto_msg_t *ping = proto_msg_new (PROTO_PING);
	proto_msg_set_seq (ping, 1);
	proto_msg_t *r = client_call (c, ping, 2000, 1);
	ok (r != NULL, "the hub answers meanwhile");
	proto_msg_destroy (&r);
	proto_msg_destroy (&ping);
	client_destroy (&c);
	char *p1 = one_order ("P1000001", "50");
	drop (inbox, "after-odd.csv", p1, strlen (p1));
	free (p1);
	snprintf (path, sizeof path, "%s/done/after-odd.csv.record", inbox);
	ok (wait_for (path) || wait_for (path), "and a file after them is taken as ever");

	/* A name too long to take ".record" beside it (250 bytes and ".csv"): its record and errors are written
	 * under a shorter name that says the whole one inside. */
	char longname[300];
	memset (longname, 'n', 250);
	strcpy (longname + 250, ".csv");
	char *l1 = one_order ("L1000001", "0");
	drop (inbox, longname, l1, strlen (l1));
	free (l1);
	bool refused = false;
	char *found = NULL;
	for (int i = 0; i < 200 * slow () && !refused; i++) {
		snprintf (path, sizeof path, "%s/failed", inbox);
		DIR *fd = opendir (path);
		struct dirent *fe;
		while (fd && (fe = readdir (fd)) != NULL)
			if (strncmp (fe->d_name, "nnnnnnnn", 8) == 0 && strstr (fe->d_name, ".csv.errors")) {
				refused = true;
				free (found);
				found = xasprintf ("%s/%s", path, fe->d_name);
			}
		if (fd)
			closedir (fd);
		if (!refused)
			usleep (100000);
	}
	ok (refused, "a file named with 254 bytes, refused: its errors are written beside it (%s)",
	    found ? strrchr (found, '/') + 1 : "none");
	errors = found ? read_file (found) : NULL;
	ok (errors && strstr (errors, longname) && strstr (errors, "unit_weight_g"), "naming the whole name and the row's "
	    "problem");
	free (errors);
	if (found)
		strcpy (found + strlen (found) - strlen (".errors"), ".record");
	char *lrec = found ? read_file (found) : NULL;
	ok (lrec && strstr (lrec, longname) && strstr (lrec, "outcome: refused"), "and its record beside them");
	free (lrec);
	free (found);

	/* Written in two goes, its last row cut (a writer between two writes): not taken until it is whole. */
	snprintf (path, sizeof path, "%s/torn.csv", inbox);
	char *t1 = one_order ("T1000001", "1500");
	size_t cut = strlen (t1) - strlen ("500,5.00\n");
	write_bytes (path, t1, cut);
	ok (log_wait ("inbox torn.csv: still being written", 10), "a file whose last row has no end yet waits");
	usleep (3000 * 1000);
	is_int (sql_int ("SELECT count(*) FROM orders WHERE ref = 'T1000001'"), 0, "3 s on, nothing of it imported");
	ok (access (path, F_OK) == 0, "and it is still in the inbox");
	FILE *f = fopen (path, "ab");
	ok (f && fputs (t1 + cut, f) >= 0 && fclose (f) == 0, "the rest of it written");
	free (t1);
	snprintf (path, sizeof path, "%s/done/torn.csv.record", inbox);
	ok (wait_for (path) || wait_for (path), "then it is taken");
	is_int (sql_int ("SELECT unit_weight_g FROM order_lines WHERE order_ref = 'T1000001'"), 1500,
	    "whole: its weight is 1500 g, not the 1 g of the cut row");

	/* Another file renamed in under the name of one being imported: the one there now stays, and is taken. */
	size_t len;
	char *big = big_csv ("E", 40000, false, &len);
	drop (inbox, "same.csv", big, len);
	free (big);
	ok (log_wait ("inbox same.csv: taking it", 30), "a file of 40,000 orders is being taken");
	char *s1 = one_order ("S1000001", "50");
	drop (inbox, "same.csv", s1, strlen (s1));
	free (s1);
	ok (log_wait ("inbox same.csv: another file was put under its name", 60),
	    "one of one order renamed in under its name meanwhile is not removed with it");
	bool both = false;
	for (int i = 0; i < 200 * slow () && !both; i++) {
		both = sql_int ("SELECT count(*) FROM orders WHERE ref = 'S1000001'") == 1;
		if (!both)
			usleep (100000);
	}
	ok (both, "it is taken as a file of its own: its order is in the hub");
	is_int (sql_int ("SELECT count(*) FROM orders WHERE ref LIKE 'E00%'"), 40000, "and so are the first file's 40,000");

	/* Appended to while it is read: the order appended arrives, whether the hub saw the change while reading
	 * (nothing of it imported, taken again) or after (it stays in the inbox and is taken again). */
	big = big_csv ("F", 40000, false, &len);
	drop (inbox, "grow.csv", big, len);
	free (big);
	ok (log_wait ("inbox grow.csv: taking it", 30), "a file of 40,000 orders is being taken");
	snprintf (path, sizeof path, "%s/grow.csv", inbox);
	char *g1 = xasprintf ("F9000001,web,Ona Vale,2 Lane,Bath,BA1 1AA,GB,standard,5.00,1,SK-1,Sock,Hosiery,1,HS-1,"
	    "50,5.00\n");
	f = fopen (path, "ab");
	ok (f && fputs (g1, f) >= 0 && fclose (f) == 0, "a row appended to it meanwhile");
	free (g1);
	bool arrived = false;
	for (int i = 0; i < 300 * slow () && !arrived; i++) {
		arrived = sql_int ("SELECT count(*) FROM orders WHERE ref = 'F9000001'") == 1 && access (path, F_OK) != 0;
		if (!arrived)
			usleep (100000);
	}
	ok (arrived, "the appended order is in the hub and the file has left the inbox");
	char *log = hub_log (&hub);
	ok (strstr (log, "inbox grow.csv: it changed while it was read") != NULL
	        || strstr (log, "inbox grow.csv: another file was put under its name, or it changed") != NULL,
	    "the log says the file changed");
	free (log);
	is_int (sql_int ("SELECT count(*) FROM orders WHERE ref LIKE 'F00%'"), 40000, "with the file's other 40,000");
}

/* --- one import at a time ------------------------------------------------------------ */

/* despatch import of path in the background, with args (NULL-ended, at most 4), its output into out; its pid. */
static pid_t
tool_spawn (const char *path, const char *out, const char *arg)
{
	const char *top = getenv ("top_builddir");
	char *tool = xasprintf ("%s/admin/despatch", top ? top : ".");
	pid_t pid = fork ();
	if (pid == 0) {
		int fd = open (out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0) {
			dup2 (fd, 1);
			dup2 (fd, 2);
		}
		if (arg)
			execl (tool, tool, "--database", hub.database, "import", path, arg, (char *) NULL);
		else
			execl (tool, tool, "--database", hub.database, "import", path, (char *) NULL);
		_exit (127);
	}
	free (tool);
	return pid;
}

/* Its exit status once it ends (bounded: secs), -1 when it had to be killed. */
static int
tool_wait (pid_t pid, int secs)
{
	return testlib_child_wait (pid, secs * 1000 * slow ());
}

/* Wait (bounded: secs) until the hub's log holds needle. */
static bool
log_wait (const char *needle, int secs)
{
	for (int i = 0; i < secs * 100 * slow (); i++) {
		char *log = hub_log (&hub);
		bool has = strstr (log, needle) != NULL;
		free (log);
		if (has)
			return true;
		usleep (10000);
	}
	return false;
}

static int
count_in (const char *text, const char *needle)
{
	int n = 0;
	for (const char *p = text; (p = strstr (p, needle)) != NULL; p += strlen (needle))
		n++;
	return n;
}

/* Orders with names in several scripts, each the way the till writes it. */
static const char *const scripts[][3] = {
	{ "Ευαγγελία Παπαδοπούλου", "Οδός Ερμού 24", "Αθήνα" },
	{ "فاطمة الزهراء الهاشمي", "شارع الملك فهد 12", "الرياض" },
	{ "王秀英", "朝阳区建国路88号", "北京" },
};

static char *
script_row (const char *ref, int i)
{
	return xasprintf ("%s,web,%s,%s,%s,SW1A 1AA,GB,standard,8.00,1,SK-%s,Tea,Grocery,1,TEA-%d,100,8.00\n", ref,
	    scripts[i % 3][0], scripts[i % 3][1], scripts[i % 3][2], ref, i);
}

/* The rows of big_csv's orders first..last (their text exactly). */
static char *
big_rows (const char *prefix, int first, int last)
{
	size_t len;
	char *all = big_csv (prefix, last, false, &len);
	char from[16];
	snprintf (from, sizeof from, "\n%s%07d,", prefix, first);
	char *at = strstr (all, from);
	char *rows = xstrdup (at ? at + 1 : "");
	free (all);
	return rows;
}

/* Two imports at once: the hub's feed writing a file refused at its end and despatch import of a file that shares
 * orders with it; then the feed finding despatch import writing. */
static void
test_one_at_a_time (const char *inbox, struct fl_term *porter)
{
	diag ("two imports at once: a file refused late while another is imported beside it");
	char *out, *err;
	const char *q = HEAD "Q0000001,web,Quin Oyelaran,9 Lane,Ely,CB7 4AA,GB,standard,5.00,1,SK-Q,Sock,Hosiery,1,HS-Q,50,"
	    "5.00\n";
	is_int (despatch_import ("q1.csv", q, &out, &err), 0, "an order, not yet received");
	free (out);
	free (err);
	size_t len;
	char *t = big_csv ("V", 100000, false, &len);
	t = xrealloc (t, len + 256);
	len += (size_t) snprintf (t + len, 256, "Q0000001,web,Quin Oyelaran,9 Lane,Ely,CB7 4AA,GB,standard,5.00,1,SK-Q,Sock,"
	    "Hosiery,7,HS-Q,50,5.00\n");
	/* The other file: the first 50 orders of the big one, as it has them, and three of its own. */
	char *b = xstrdup (HEAD), *rows = big_rows ("V", 1, 50);
	for (int i = 0; i < 3; i++) {
		char ref[16];
		snprintf (ref, sizeof ref, "O000000%d", i + 1);
		char *row = script_row (ref, i), *next = xasprintf ("%s%s", b, row);
		free (row);
		free (b);
		b = next;
	}
	char *bfile = xasprintf ("%s%s", b, rows);
	free (b);
	free (rows);
	char bpath[600], bout[600];
	snprintf (bpath, sizeof bpath, "%s/overlap-b.csv", dir);
	snprintf (bout, sizeof bout, "%s/overlap-b.out", dir);
	write_bytes (bpath, bfile, strlen (bfile));
	free (bfile);
	drop (inbox, "overlap-a.csv", t, len);
	free (t);
	ok (log_wait ("inbox overlap-a.csv: writing", 60), "the hub is writing the big file");
	bool begun = false;
	for (int i = 0; i < 3000 * slow () && !begun; i++) {
		begun = sql_int ("SELECT count(*) FROM orders WHERE ref BETWEEN 'V0000001' AND 'V0000050'") == 50;
		if (!begun)
			usleep (10000);
	}
	ok (begun, "its first slices have written the 50 orders the other file shares");
	pid_t tool = tool_spawn (bpath, bout, "wait=120");
	/* Until despatch import either waits or is done (bounded: 10 s). */
	bool waiting = false, ended = false;
	int status = -1;
	for (int i = 0; i < 1000 * slow () && !waiting && !ended; i++) {
		char *o = read_file (bout);
		waiting = strstr (o, "waiting up to 120 s") != NULL;
		free (o);
		int st;
		if (!waiting && waitpid (tool, &st, WNOHANG) == tool) {
			ended = true;
			status = WIFEXITED (st) ? WEXITSTATUS (st) : -1;
		}
		usleep (10000);
	}
	char *o = read_file (bout);
	ok (waiting && strstr (o, "overlap-b.csv: another import is writing into this database (the hub (pid ")
	        && strstr (o, ", overlap-a.csv): waiting up to 120 s for it"),
	    "despatch import waits for the hub's file, naming it: %.300s", o);
	free (o);
	fl_check (fl_scan (porter, "receive", "Q0000001"), PROTO_OK, PR_OK, NULL, "then despatch receives Q0000001");
	char rec[600];
	snprintf (rec, sizeof rec, "%s/failed/overlap-a.csv.errors", inbox);
	ok (wait_for (rec) || wait_for (rec) || wait_for (rec), "the big file is refused at its last row");
	if (!ended)
		status = tool_wait (tool, 120);
	o = read_file (bout);
	is_int (status, 0, "despatch import of the other file ends well: %.400s", o);
	ok (strstr (o, "overlap-b.csv: imported 53 orders (53 new, 0 updated, 0 unchanged)") != NULL,
	    "after the big file was taken back, every one of its orders new");
	free (o);
	is_int (sql_int ("SELECT count(*) FROM orders WHERE ref BETWEEN 'V0000001' AND 'V0000050'"), 50,
	    "the 50 orders both files have are there");
	is_int (sql_int ("SELECT count(*) FROM order_lines WHERE order_ref BETWEEN 'V0000001' AND 'V0000050'"), 50,
	    "with their lines");
	is_int (sql_int ("SELECT count(*) FROM orders WHERE ref > 'V0000050' AND ref LIKE 'V%'"), 0,
	    "none of the rest of the refused file");
	for (int i = 0; i < 3; i++) {
		char *sql = xasprintf ("SELECT customer_name || '|' || address1 || '|' || town FROM orders WHERE ref = "
		    "'O000000%d'", i + 1);
		char *got = testlib_sql_text (hub.database, sql);
		char *want = xasprintf ("%s|%s|%s", scripts[i][0], scripts[i][1], scripts[i][2]);
		is_str (got, want, "O000000%d as its file has it", i + 1);
		free (want);
		free (got);
		free (sql);
	}
	is_int (sql_int ("SELECT count(*) FROM imports WHERE source = 'overlap-b.csv' AND orders = 53"), 1,
	    "its import recorded");
	is_int (sql_int ("SELECT count(*) FROM import_runs"), 0, "no run left");
	is_int (sql_int ("SELECT count(*) FROM import_undo"), 0, "no undo record left");

	diag ("the hub's feed finds despatch import writing: the file waits in the inbox, the hub answers");
	/* The lock held as despatch import holds it while it writes slow.csv, for as long as the test needs:
	 * despatch import reads regular files only, so no file of its can be made to last. */
	char spath[600], fout[600];
	snprintf (spath, sizeof spath, "%s/slow.csv", dir);
	snprintf (fout, sizeof fout, "%s/slow.out", dir);
	const char *head = HEAD "T0000001,web,Θεοδώρα Κωνσταντινίδου,Λεωφόρος Συγγρού 7,Αθήνα,SW1A 1AA,GB,standard,5.00,1,SK-T,"
	    "Sock,Hosiery,1,HS-T,50,5.00\n";
	write_bytes (spath, head, strlen (head));
	char *cause = NULL, *holder = NULL;
	db_t *lockdb = db_open (hub.database, DB_READWRITE, &cause);
	hub_import_lock_t *held = lockdb ? hub_import_lock_new (lockdb, "despatch import", &cause) : NULL;
	ok (held && hub_import_lock_take (held, "slow.csv", 10000, &holder, &cause) == 0,
	    "the import lock held as despatch import holds it for slow.csv");
	free (holder);
	free (cause);
	const char *w = HEAD "T0000002,web,王芳,浦东新区世纪大道100号,上海,SW1A 1AA,GB,standard,5.00,1,SK-T2,Sock,Hosiery,1,HS-T2,50,"
	    "5.00\n";
	drop (inbox, "waits.csv", w, strlen (w));
	ok (log_wait ("imports: another import is writing into the database (despatch import (pid ", 30),
	    "the hub says another import is writing");
	client_t *c = client_new (hub.endpoint, "probe-lock", NULL);
	int answered = 0;
	for (int i = 0; i < 30; i++) {
		proto_msg_t *ping = proto_msg_new (PROTO_PING);
		proto_msg_set_seq (ping, (uint32_t) i + 1);
		proto_msg_t *r = client_call (c, ping, 2000, 1);
		answered += r != NULL;
		proto_msg_destroy (&ping);
		proto_msg_destroy (&r);
		usleep (100000); /* 3 s: the inbox is looked at again meanwhile */
	}
	client_destroy (&c);
	is_int (answered, 30, "the hub answers meanwhile");
	char path[600];
	snprintf (path, sizeof path, "%s/waits.csv", inbox);
	ok (access (path, F_OK) == 0, "the file stays in the inbox");
	is_int (sql_int ("SELECT count(*) FROM orders WHERE ref = 'T0000002'"), 0, "nothing of it is written");
	char *log = hub_log (&hub);
	is_int (count_in (log, "imports: another import is writing into the database (despatch import (pid "), 1,
	    "said once in the log");
	ok (strstr (log, "waits.csv waits for it, the file stays in the inbox") != NULL, "naming the file");
	free (log);
	const char *x = HEAD "T0000003,web,Ahmed Al-Farsi,1 Way,Ely,CB7 4AA,GB,standard,5.00,1,SK-T3,Sock,Hosiery,1,HS-T3,50,"
	    "5.00\n";
	char xpath[600], xout[600];
	snprintf (xpath, sizeof xpath, "%s/second.csv", dir);
	snprintf (xout, sizeof xout, "%s/second.out", dir);
	write_bytes (xpath, x, strlen (x));
	is_int (tool_wait (tool_spawn (xpath, xout, "wait=1"), 30), 2, "a second despatch import gives up after 1 s");
	o = read_file (xout);
	ok (strstr (o, "second.csv: another import is still writing into this database after 1 s (despatch import (pid ")
	        && strstr (o, "slow.csv). Nothing of this file was written: run despatch import again once it is done")
	        && strstr (o, "second.csv: nothing imported"), "saying who writes, that nothing was written, what to do: %s",
	    o);
	free (o);
	is_int (sql_int ("SELECT count(*) FROM orders WHERE ref = 'T0000003'"), 0, "and nothing of it is written");
	hub_import_lock_destroy (&held);
	db_close (&lockdb);
	status = tool_wait (tool_spawn (spath, fout, "wait=30"), 60);
	o = read_file (fout);
	is_int (status, 0, "the lock dropped, despatch import of slow.csv ends well: %s", o);
	free (o);
	snprintf (path, sizeof path, "%s/done/waits.csv.record", inbox);
	ok (wait_for (path) || wait_for (path), "then the hub takes the file from its inbox");
	ok (log_wait ("imports: the other import is done; the hub imports again", 10), "and says so");
	is_int (sql_int ("SELECT count(*) FROM orders WHERE ref IN ('T0000001', 'T0000002')"), 2, "both orders are in");
}

/* The machine's boot id and this process's start time (/proc), as an import run's owner names a process. */
static char *
owner_of_self (void)
{
	char boot[64] = "-", buf[1024];
	FILE *f = fopen ("/proc/sys/kernel/random/boot_id", "r");
	if (f && fgets (boot, sizeof boot, f))
		boot[strcspn (boot, "\n")] = '\0';
	if (f)
		fclose (f);
	f = fopen ("/proc/self/stat", "r");
	size_t n = f ? fread (buf, 1, sizeof buf - 1, f) : 0;
	if (f)
		fclose (f);
	buf[n] = '\0';
	char *p = strrchr (buf, ')');
	for (int field = 2; field < 22 && p; field++)
		p = strchr (p + 1, ' ');
	return xasprintf ("%s %d %lld", boot, (int) getpid (), p ? atoll (p + 1) : -1LL);
}

/* Run sql on the hub's database now, not waiting for its write lock: true when it was written. */
static bool
sql_now (const char *sql)
{
	char *cause = NULL;
	db_t *db = db_open (hub.database, DB_READWRITE, &cause);
	free (cause);
	if (db == NULL)
		return false;
	db_exec (db, "PRAGMA busy_timeout=0");
	bool done = db_exec (db, sql) == DB_DONE;
	db_close (&db);
	return done;
}

/* Whether a run is orphaned is the lock's to say, not the owner's text: a process in another pid namespace
 * (a container) has numbers that mean nothing here. */
static void
test_owner (const char *inbox)
{
	diag ("despatch import killed, its run naming a process that is alive here: taken back all the same");
	size_t len;
	char *t = big_csv ("G", 40000, false, &len);
	char gpath[600], gout[600];
	snprintf (gpath, sizeof gpath, "%s/g.csv", dir);
	snprintf (gout, sizeof gout, "%s/g.out", dir);
	write_bytes (gpath, t, len);
	free (t);
	pid_t tool = tool_spawn (gpath, gout, NULL);
	bool begun = false;
	for (int i = 0; i < 6000 * slow () && !begun; i++) {
		begun = sql_int ("SELECT count(*) FROM orders WHERE ref LIKE 'G00%'") > 0;
		if (!begun)
			usleep (10000);
	}
	kill (tool, SIGKILL);
	waitpid (tool, NULL, 0);
	long long part = sql_int ("SELECT count(*) FROM orders WHERE ref LIKE 'G00%'");
	ok (begun && part < 40000, "despatch import killed with %lld of its 40,000 orders written", part);
	/* As one in a container would: its pid, here, is a process alive since then (this test). */
	char *owner = owner_of_self ();
	char *sql = xasprintf ("UPDATE import_runs SET owner = '%s' WHERE source = 'g.csv'", owner);
	ok (sql_now (sql), "its run names a live process here (%s)", owner);
	free (sql);
	free (owner);
	const char *n1 = HEAD "N0000001,web,Νικόλαος Γεωργίου,Οδός Πατησίων 3,Αθήνα,SW1A 1AA,GB,standard,5.00,1,SK-N,Sock,"
	    "Hosiery,1,HS-N,50,5.00\n";
	drop (inbox, "after-g.csv", n1, strlen (n1));
	char path[600];
	snprintf (path, sizeof path, "%s/done/after-g.csv.record", inbox);
	ok (wait_for (path) || wait_for (path), "the hub takes a file from its inbox");
	is_int (sql_int ("SELECT count(*) FROM orders WHERE ref LIKE 'G00%'"), 0,
	    "having first taken back every order of the killed import, the lock being free");
	is_int (sql_int ("SELECT count(*) FROM import_runs WHERE source = 'g.csv'"), 0, "its run is gone");
	ok (log_wait ("import g.csv: what it wrote before it was cut short was taken back", 10), "the log says so");
	is_int (sql_int ("SELECT count(*) FROM orders WHERE ref = 'N0000001'"), 1, "and the file is imported");

	diag ("the hub stopped while it writes, its run naming no process here: left to it");
	t = big_csv ("J", 40000, false, &len);
	drop (inbox, "stopped.csv", t, len);
	free (t);
	begun = false;
	for (int i = 0; i < 30000 * slow () && !begun; i++) {
		begun = sql_int ("SELECT count(*) FROM import_runs WHERE source = 'stopped.csv'") > 0;
		if (!begun)
			usleep (2000);
	}
	/* Stopped as soon as it writes, between two slices, its run made to name a pid that is no process here. The
	 * test takes the write lock first (at a gap between slices, so the hub holds no write transaction), then
	 * stops the hub: a hub stopped inside a slice would keep the lock, and retrying that could last until
	 * the import ends. The hub waits out a busy lock (5 s), so its next slice only waits meanwhile. */
	bool forged = false;
	char *cause = NULL;
	db_t *lockdb = begun ? db_open (hub.database, DB_READWRITE, &cause) : NULL;
	free (cause);
	if (lockdb != NULL) {
		db_exec (lockdb, "PRAGMA busy_timeout=0");
		bool locked = false;
		for (int i = 0; i < 200000 && !locked; i++) { /* bounded: the hub leaves a gap between every slice */
			locked = db_exec (lockdb, "BEGIN IMMEDIATE") == DB_DONE;
			if (!locked)
				usleep (50);
		}
		if (locked) {
			kill (hub.pid, SIGSTOP);
			forged = db_exec (lockdb, "UPDATE import_runs SET owner = '- 4194303 1' WHERE source = 'stopped.csv'")
			    == DB_DONE;
			forged = db_exec (lockdb, "COMMIT") == DB_DONE && forged;
		}
		db_close (&lockdb);
	}
	part = sql_int ("SELECT count(*) FROM orders WHERE ref LIKE 'J00%'");
	snprintf (path, sizeof path, "%s/done/stopped.csv.record", inbox);
	ok (forged && part > 0 && part < 40000 && access (path, F_OK) != 0,
	    "the hub stopped while it writes a big file (%lld of 40,000 written), its run naming pid 4194303", part);
	const char *n2 = HEAD "N0000002,web,李娜,海淀区中关村大街1号,北京,SW1A 1AA,GB,standard,5.00,1,SK-N2,Sock,Hosiery,1,HS-N2,50,"
	    "5.00\n";
	char npath[600], nout[600];
	snprintf (npath, sizeof npath, "%s/beside.csv", dir);
	snprintf (nout, sizeof nout, "%s/beside.out", dir);
	write_bytes (npath, n2, strlen (n2));
	int rc = tool_wait (tool_spawn (npath, nout, "wait=1"), 30);
	char *o = read_file (nout);
	is_int (rc, 2, "despatch import beside it gives up: %s", o);
	ok (strstr (o, "(the hub (pid ") && strstr (o, "stopped.csv). Nothing of this file was written"),
	    "as the hub still writes its file");
	free (o);
	is_int (sql_int ("SELECT count(*) FROM orders WHERE ref LIKE 'J00%'"), part, "and took none of the hub's back");
	kill (hub.pid, SIGCONT);
	snprintf (path, sizeof path, "%s/done/stopped.csv.record", inbox);
	bool finished = false;
	for (int i = 0; i < 12 && !finished; i++) /* bounded: 2 minutes */
		finished = wait_for (path);
	ok (finished, "the hub goes on and finishes the file");
	is_int (sql_int ("SELECT count(*) FROM orders WHERE ref LIKE 'J00%'"), 40000, "all of its 40,000 orders");
	is_int (sql_int ("SELECT count(*) FROM order_lines WHERE order_ref LIKE 'J00%'"), 40000, "with their lines");
	is_int (sql_int ("SELECT count(*) FROM import_runs"), 0, "no run left");
	is_int (tool_wait (tool_spawn (npath, nout, NULL), 60), 0, "despatch import of the other file, run again");
	is_int (sql_int ("SELECT count(*) FROM orders WHERE ref = 'N0000002'"), 1, "imports it");
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
	test_words ();
	test_not_files ();
	struct fl_term packer;
	fl_term_open (&packer, hub.endpoint, "bench-1-term", "bench-1", "B2001", "2222");
	test_customs (&porter, &packer);
	client_destroy (&packer.c);
	test_doors ();
	test_big ();
	test_integration (endpoint, &porter);
	test_inbox (inbox);
	test_inbox_big (inbox);
	test_inbox_crash (inbox);
	test_inbox_recorded (inbox);
	test_one_at_a_time (inbox, &porter);
	test_owner (inbox);
	test_inbox_odd (inbox);
	test_inbox_kept ();
	is_int (testlib_hub_stop (&hub), 0, "hub stops cleanly");
	client_destroy (&porter.c);
	return tap_done ();
}
