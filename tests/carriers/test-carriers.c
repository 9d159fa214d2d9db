/*
 * test-carriers.c: carrier files. Bad definitions are refused
 * with file, line and reason (unit, and a hub that will not start); the
 * shipped files load; a specialist courier added by a file alone is loaded
 * by the hub, chosen by its rule, labelled, and takes its own numbers.
 */
#include "config.h"
#include "carriers/carrier.h"
#include "tests/flow/flowlib.h"
#include "util.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static struct testlib_hub hub;

#define CARRIER_HEAD "[carrier]\ncode = x\nname = X\nscheme = dpd\nlayout = dpd-uk\nmanifest = csv\n" \
	"manifest-fields = tracking\n"
#define SERVICE_OK "[service s]\nname = S\nlabel-code = 1\nlabel-name = S\ndays = 1\ncountries = GB\n" \
	"requested = *\nmax-weight = 1000\nrank = 1\n"

static const struct {
	const char *name, *text, *want;
} bad[] = {
	{ "x.conf", "code = x\n", "x.conf:1: 'code' before any [section]" },
	{ "x.conf", "[carrier]\nname = X\n", "x.conf:1: this section needs 'code'" },
	{ "x.conf", "[lorry]\n", "x.conf:1: unknown section [lorry]" },
	{ "x.conf", CARRIER_HEAD "colour = red\n", "x.conf:8: unknown key 'colour' in this section" },
	{ "x.conf", CARRIER_HEAD "manifest = xml\n", "x.conf:8: 'manifest' given twice" },
	{ "x.conf", "[carrier]\ncode = x\nname = X\nscheme = dpd\nlayout = dpd-uk\nmanifest = xml\n",
	  "x.conf:6: manifest must be one of csv fixed route, not 'xml'" },
	{ "x.conf", CARRIER_HEAD SERVICE_OK "[service t]\nname = T\nmax-weight = heavy\n",
	  "x.conf:19: max-weight must be a whole number of grams from 1 to 1000000, not 'heavy'" },
	{ "x.conf", CARRIER_HEAD SERVICE_OK "cutoff = 25:00\n", "x.conf:17: cutoff must be a time like 17:30" },
	{ "x.conf", CARRIER_HEAD "[service s]\nname = S\n", "x.conf:8: this section needs 'label-code'" },
	{ "x.conf", CARRIER_HEAD, "x.conf:1: carrier x has no [service NAME]" },
	{ "x.conf", "[carrier]\ncode = x\nname = X\nscheme = morse\nlayout = dpd-uk\nmanifest = csv\n"
	  "manifest-fields = tracking\n" SERVICE_OK, "x.conf:1: scheme 'morse' is not a known tracking-number scheme" },
	{ "x.conf", "[carrier]\ncode = x\nname = X\nscheme = dpd\nlayout = nowhere\nmanifest = csv\n"
	  "manifest-fields = tracking\n" SERVICE_OK, "x.conf:1: layout 'nowhere' is not in the layout path" },
	{ "x.conf", "[carrier]\ncode = x\nname = X\nscheme = dpd\nlayout = dpd-uk\nmanifest = csv\n"
	  "manifest-fields = tracking postcode colour\n" SERVICE_OK, "x.conf:1: manifest-fields: unknown field 'colour'" },
	{ "x.conf", "[carrier]\ncode = x\nname = X\nscheme = dpd\nlayout = dpd-uk\nmanifest = fixed\n"
	  "manifest-fields = tracking\n" SERVICE_OK, "fixed-width field 'tracking' needs a width" },
	{ "x.conf", CARRIER_HEAD SERVICE_OK "[rates s]\nuk = 1000:100\n", "x.conf:18: rates for zone 'uk', which no [zone]" },
	{ "x.conf", CARRIER_HEAD SERVICE_OK "[zone uk]\ncountries = GB\n[rates s]\nuk = 1000:100 500:90\n",
	  "x.conf:20: rate bands must rise: 500 g comes after 1000 g" },
	{ "x.conf", CARRIER_HEAD SERVICE_OK "[zone uk]\ncountries = GB\n[rates s]\nuk = 1000-100\n",
	  "x.conf:20: rate band '1000-100' must be GRAMS:PENCE" },
	{ "x.conf", CARRIER_HEAD SERVICE_OK "[rates t]\n", "x.conf:17: [rates t]: no such service above" },
	{ "x.conf", CARRIER_HEAD SERVICE_OK "[range]\nscheme = dpd\nprefix = 1550\nfirst = 9\nlast = 1\n",
	  "x.conf:17: range first 9 is after last 1" },
	{ "x.conf", CARRIER_HEAD SERVICE_OK "[service s]\n", "x.conf:17: service 's' is defined twice (first at line 8)" },
	{ "x.conf", "[service s]\n", "x.conf:1: [service] before [carrier]" },
	{ "x.conf", CARRIER_HEAD SERVICE_OK "[surcharge fuel]\nzones = moon\npercent = 5\n",
	  "x.conf:17: surcharge 'fuel' names zone 'moon', which is not defined" },
	{ "rules.conf", "[carrier]\n", "rules.conf:1: rules.conf holds only [rule NAME] sections" },
	{ "rules.conf", "[rule r]\ncountry = GB\n", "rules.conf:1: rule 'r' needs 'choose'" },
	{ "rules.conf", "[rule r]\nchoose = cheapest\npromise = maybe\n", "rules.conf:3: promise must be yes" },
	{ "rules.conf", "[rule r]\nchoose = cheapest\n[rule r]\nchoose = rank\n", "rules.conf:3: rule 'r' is defined twice" },
};

/* Run a command; its output (stdout and stderr) into out; exit status back. */
static int
run (char *out, size_t n, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));

static int
run (char *out, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start (ap, fmt);
	char *cmd = xvasprintf (fmt, ap);
	va_end (ap);
	char *full = xasprintf ("%s 2>&1", cmd);
	FILE *p = popen (full, "r");
	size_t got = p ? fread (out, 1, n - 1, p) : 0;
	out[got] = '\0';
	int st = p ? pclose (p) : -1;
	free (cmd);
	free (full);
	return st != -1 && WIFEXITED (st) ? WEXITSTATUS (st) : -1;
}

static void
write_file (const char *path, const char *text)
{
	FILE *f = fopen (path, "w");
	fputs (text, f);
	fclose (f);
}

static void
test_bad_definitions (void)
{
	diag ("bad definitions are refused with file, line and reason");
	for (size_t i = 0; i < nitems (bad); i++) {
		char *cause = NULL;
		carrier_set_t *set = carrier_load_text (bad[i].name, bad[i].text, &cause);
		ok (set == NULL && cause && strstr (cause, bad[i].want), "refused: %s", cause ? cause : "(loaded!)");
		if (!(set == NULL && cause && strstr (cause, bad[i].want)))
			diag ("wanted \"%s\"", bad[i].want);
		carrier_set_destroy (&set);
		free (cause);
	}
	char *cause = NULL;
	carrier_set_t *set = carrier_load_text ("x.conf", CARRIER_HEAD SERVICE_OK, &cause);
	ok (set != NULL, "a minimal carrier file loads%s%s", cause ? ": " : "", cause ? cause : "");
	carrier_set_destroy (&set);
	free (cause);
}

static void
test_shipped (void)
{
	diag ("the shipped carrier files");
	char *cause = NULL;
	carrier_set_t *set = carrier_load (NULL, &cause);
	if (!ok (set != NULL, "data/carriers loads%s%s", cause ? ": " : "", cause ? cause : "")) {
		free (cause);
		return;
	}
	is_int (carrier_set_count (set), 11, "eleven carriers: seven parcel carriers, four specialist couriers");
	static const char *const codes[] = { "dpd", "dhl-express", "parcelforce", "royal-mail", "ups", "fedex", "store-van",
		"two-person", "fine-art", "london-sameday", "hanging-garment" };
	for (size_t i = 0; i < nitems (codes); i++)
		ok (carrier_find (set, codes[i]) != NULL, "carrier %s defined", codes[i]);
	ok (carrier_set_nrules (set) >= 5, "the rule set has %d rules", carrier_set_nrules (set));
	const struct carrier_service *s = carrier_service_find (carrier_find (set, "dpd"), "next-day");
	ok (s && strcmp (s->label_code, "101") == 0 && s->cutoff_min == 17 * 60 + 30,
	    "dpd next-day: label code 101, cut-off 17:30 from the carrier");
	carrier_set_destroy (&set);
}

/* A hub whose carrier folder holds a bad file does not start, and says where. */
static void
test_hub_refuses (const char *dir)
{
	diag ("a hub with a bad carrier file refuses to start");
	char *extra = xasprintf ("%s/bad", dir), *path = xasprintf ("%s/zz-bad.conf", extra);
	util_mkdirs (extra, 0755);
	write_file (path, "# a carrier with a typo\n[carrier]\ncode = bad\nname = Bad\nscheme = dpd\nlayout = dpd-uk\n"
	    "manifest = csv\nmanifest-fields = tracking\n[service s]\nname = S\nlabel-code = 1\nlabel-name = S\n"
	    "days = one\n");
	char out[4096];
	int rc = run (out, sizeof out, "DSP_CARRIER_PATH='%s:%s' %s/hub/despatch-hub -d '%s/bad.db' -e 'ipc://%s/bad.ipc'"
	    " -s security.curve=no", getenv ("DSP_CARRIER_PATH"), extra, getenv ("top_builddir"), dir, dir);
	ok (rc != 0, "the hub exits with status %d", rc);
	char *want = xasprintf ("%s:13: days must be a whole number of days from 0 to 30, not 'one'", path);
	ok (strstr (out, want) != NULL, "and names file, line and reason");
	if (!strstr (out, want))
		diag ("got: %s", out);
	free (want);
	free (path);
	free (extra);
}

static void
test_specialist (struct fl_term *porter, struct fl_term *packer, const char *extra)
{
	diag ("a specialist courier added by a file alone");
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM carriers WHERE code = 'art-couriers'"), 1,
	    "the hub knows the carrier");
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM services WHERE carrier = 'art-couriers'"), 1,
	    "and its service");
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM ranges WHERE carrier = 'art-couriers'"
	    " AND prefix = '25012345' AND next = 1"), 1, "its initial number range was inserted");
	is_int (testlib_sql_int (hub.database, "SELECT count(*) FROM cages WHERE code = 'CAGE-ART'"), 1, "and its cage");

	char *orders = xasprintf ("%s/art.csv", extra), out[4096];
	write_file (orders, "order,channel,customer_name,address_1,town,postcode,country,service,order_value,line,sku,"
	    "description,department,quantity,locations,unit_weight_g,line_value\n"
	    "A1000001,phone,Nell Gwyn,1 Drury Lane,London,WC2B 5JF,GB,standard,2500.00,1,FA-OIL-0001,Oil on canvas,"
	    "Fine Art,1,FA-VAULT-1,8000,2500.00\n");
	int rc = run (out, sizeof out, "%s/admin/despatch -d '%s' import '%s'", getenv ("top_builddir"), hub.database,
	    orders);
	ok (rc == 0, "a Fine Art order is imported: %s", out);
	free (orders);

	fl_check (fl_scan (porter, "receive", "A1000001"), PROTO_OK, PR_OK, "received", "receive the painting");
	fl_check (fl_scan (porter, "locate", "FA-VAULT-1", "order", "A1000001", "line", "1"), PROTO_OK, PR_OK,
	    "Now scan the item", "its location");
	fl_check (fl_scan (porter, "locate", "FA-OIL-0001", "order", "A1000001", "line", "1"), PROTO_OK, PR_OK, "found",
	    "the painting");
	proto_msg_t *r = fl_expect (fl_scan (packer, "pack", "A1000001", "parcels", "1", "parcel", "1", "box", "XL",
	    "weight", "9500"), PROTO_OK, PR_OK, "labelled art-couriers", "pack: the specialist's rule fires");
	is_str (fl_data (r, "carrier"), "art-couriers", "carrier art-couriers");
	is_str (fl_data (r, "service"), "white-glove", "service white-glove");
	ok (strncmp (fl_data (r, "tracking"), "25012345", 8) == 0, "a number from its own range: %s",
	    fl_data (r, "tracking"));
	proto_msg_destroy (&r);
	char *why = testlib_sql_text (hub.database, "SELECT detail FROM events WHERE action = 'choice'"
	    " AND order_ref = 'A1000001'");
	ok (why && strstr (why, "rule 'fine-art' (specialist.conf:") && strstr (why, "chose art-couriers/white-glove"),
	    "the audit trail says which rule chose it: %s", why ? why : "(none)");
	free (why);
	char *err = testlib_sql_text (hub.database, "SELECT CASE WHEN d.data IS NOT NULL THEN 'rendered' ELSE j.error END FROM label_jobs j"
	    " LEFT JOIN label_docs d ON d.job = j.id JOIN parcels p ON p.id = j.parcel_id WHERE p.order_ref = 'A1000001' AND j.kind = 'label'");
	is_str (err, "rendered", "its label was rendered with its layout");
	free (err);
}

static void
test_override_and_quote (struct fl_term *porter, struct fl_term *packer, struct fl_term *sup)
{
	diag ("a supervisor overrides the rules; quotes");
	proto_msg_t *r = fl_expect (fl_cmd (packer, "quote", "order", "W1000009"), PROTO_OK, PR_OK, "services can take it",
	    "quote for an order");
	ok (strncmp (fl_data (r, "quote.1"), "royal-mail/tracked-48|", 22) == 0, "cheapest first: %s",
	    fl_data (r, "quote.1"));
	ok (atoi (fl_data (r, "quotes")) >= 8, "every service listed (%s)", fl_data (r, "quotes"));
	proto_msg_destroy (&r);
	fl_check (fl_cmd (packer, "quote", "order", "NOPE"), PROTO_REFUSED, PR_UNKNOWN_BARCODE, "No order NOPE",
	    "quote for an unknown order");

	fl_check (fl_cmd (packer, "override", "order", "W1000009", "carrier", "dpd", "service", "next-day", "reason", "x"),
	    PROTO_REFUSED, PR_FORBIDDEN, NULL, "a packer may not override");
	fl_check (fl_cmd (sup, "override", "order", "W1000009", "carrier", "dpd", "service", "warp", "reason", "x"),
	    PROTO_REFUSED, PR_BAD_ARGUMENT, "dpd/warp is not in the carrier files", "an unknown service is refused");
	fl_check (fl_cmd (sup, "override", "order", "W1000009", "carrier", "ups", "service", "standard", "reason", "x"),
	    PROTO_REFUSED, PR_BAD_DATA, "ups/standard cannot take order W1000009: does not go to GB",
	    "a service that cannot take it is refused, with why");
	fl_check (fl_cmd (sup, "override", "order", "W1000009", "carrier", "dpd", "service", "next-day", "reason",
	    "customer paid for next day by phone"), PROTO_OK, PR_OK, "goes by DPD Next Day", "the supervisor overrides");

	fl_check (fl_scan (porter, "receive", "W1000009"), PROTO_OK, PR_OK, "received", "receive W1000009");
	fl_check (fl_scan (porter, "locate", "ST-R1-A03", "order", "W1000009", "line", "1"), PROTO_OK, PR_OK,
	    "Now scan the item", "its location");
	fl_check (fl_scan (porter, "locate", "ST-NTB-0011", "order", "W1000009", "line", "1", "count", "3"), PROTO_OK,
	    PR_OK, "found", "its three items, counted");
	r = fl_expect (fl_scan (packer, "pack", "W1000009", "parcels", "1", "parcel", "1", "box", "S", "weight", "600"),
	    PROTO_OK, PR_OK, "labelled dpd", "pack: the override wins over the rules (Royal Mail)");
	proto_msg_destroy (&r);
	char *why = testlib_sql_text (hub.database, "SELECT detail FROM events WHERE action = 'choice'"
	    " AND order_ref = 'W1000009'");
	ok (why && strstr (why, "dpd/next-day: override by B3001: customer paid for next day by phone"),
	    "the choice records the override: %s", why ? why : "(none)");
	free (why);
	why = testlib_sql_text (hub.database, "SELECT operator || ' ' || detail FROM events WHERE action = 'override'"
	    " AND order_ref = 'W1000009'");
	is_str (why, "B3001 dpd/next-day: customer paid for next day by phone", "the override is audited");
	free (why);
}

int
main (void)
{
	zsys_init ();
	zsys_set_logsystem (false);
	test_bad_definitions ();
	test_shipped ();

	char dir[256];
	testlib_tmpdir (dir, sizeof dir);
	test_hub_refuses (dir);

	/* The specialist's file sits in a folder of its own, after the shipped ones. */
	char *extra = xasprintf ("%s/extra", dir), *src = xasprintf ("%s/tests/carriers/specialist.conf",
	    getenv ("top_srcdir")), out[512];
	util_mkdirs (extra, 0755);
	run (out, sizeof out, "cp '%s' '%s/specialist.conf'", src, extra);
	char *path = xasprintf ("%s:%s", getenv ("DSP_CARRIER_PATH"), extra);
	setenv ("DSP_CARRIER_PATH", path, 1);
	if (ok (testlib_hub_start (&hub, NULL) == 0, "hub starts with the specialist's file added")) {
		struct fl_term porter, packer, sup;
		fl_term_open (&porter, hub.endpoint, "hh-01", "despatch-in", "B1001", "1111");
		fl_term_open (&packer, hub.endpoint, "bench-01", "bench-1", "B2001", "2222");
		fl_term_open (&sup, hub.endpoint, "hh-sup", "office", "B3001", "3333");
		test_specialist (&porter, &packer, extra);
		test_override_and_quote (&porter, &packer, &sup);
		is_int (testlib_hub_stop (&hub), 0, "hub stops cleanly");
		client_destroy (&porter.c);
		client_destroy (&packer.c);
		client_destroy (&sup.c);
	}
	free (path);
	free (src);
	free (extra);
	return tap_done ();
}
