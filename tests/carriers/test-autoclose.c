/*
 * test-autoclose.c: automatic close-out at a carrier's cut-off, against a
 * real hub whose autoclose clock is moved (carriers.clock_offset_s, a test
 * setting) to just after DPD's 17:30 cut-off and checked every second: a
 * DPD parcel scanned out is closed into a manifest by "system", audited,
 * its collection receipt queued for the configured station; Royal Mail
 * (autoclose = no) is left on its cage; a DPD parcel scanned out after the
 * automatic close-out waits for a person (once per cut-off).
 */
#include "config.h"
#include "tests/flow/flowlib.h"
#include "util.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct testlib_hub hub;

static const char orders[] =
    "order,channel,customer_name,address_1,address_2,town,postcode,country,phone,service,order_value,line,sku,"
    "description,department,quantity,locations,unit_weight_g,line_value\n"
    "A1,web,Ann Able,1 Acre Lane,,Leeds,LS1 1AA,GB,,next-day,20.00,1,SK-A1,Mug,Kitchen,1,L-A1,1250,20.00\n"
    "A2,web,Bob Baker,2 Bank St,,York,YO1 7AA,GB,,next-day,20.00,1,SK-A2,Mug,Kitchen,1,L-A2,800,20.00\n"
    "A3,web,Eve Eden,5 Eden Way,,Derby,DE1 1AA,GB,,standard,8.00,1,SK-A3,Card,Stationery,1,L-A3,300,8.00\n";

static void
to_cage (struct fl_term *t, const char *ref, const char *weight, const char *cage)
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
	fl_check (fl_scan (t, "scanout", tracking, "cage", cage), PROTO_OK, PR_OK, NULL, "scan out");
}

static long long
sql_int (const char *sql)
{
	return testlib_sql_int (hub.database, sql);
}

int
main (void)
{
	zsys_init ();
	zsys_set_logsystem (false);
	char dir[256];
	testlib_tmpdir (dir, sizeof dir);
	/* DPD with autoclose = yes, in a folder listed before the shipped carriers. */
	char *src = xasprintf ("%s/data/carriers", getenv ("top_srcdir"));
	char *cmd = xasprintf ("mkdir -p '%s/carriers' && sed 's/^autoclose = no/autoclose = yes/' '%s/dpd.conf'"
	    " > '%s/carriers/dpd.conf' && grep -q '^autoclose = yes' '%s/carriers/dpd.conf'", dir, src, dir, dir);
	ok (system (cmd) == 0, "a DPD carrier file with autoclose = yes (cut-off 17:30)");
	free (cmd);
	/* The autoclose clock reads 17:30:30 today (UTC). */
	time_t now = time (NULL);
	long offset = 17L * 3600 + 30 * 60 + 30 - (long) (now % 86400);
	char *set_path = xasprintf ("carriers.path=%s/carriers:%s", dir, src);
	char *set_offset = xasprintf ("carriers.clock_offset_s=%ld", offset);
	const char *extra[] = { set_path, set_offset, "carriers.autoclose_every_s=1", "carriers.autoclose_station=office",
		NULL };
	if (!ok (testlib_hub_start (&hub, extra) == 0, "hub starts, its autoclose clock just past 17:30"))
		return tap_done ();
	char *path = xasprintf ("%s/autoclose.csv", hub.dir);
	FILE *f = fopen (path, "w");
	fputs (orders, f);
	fclose (f);
	cmd = xasprintf ("%s/admin/despatch -d '%s' import '%s' >/dev/null", getenv ("top_builddir"), hub.database, path);
	ok (system (cmd) == 0, "three orders imported");
	free (cmd);
	free (path);
	struct fl_term packer, sup;
	fl_term_open (&packer, hub.endpoint, "bench-01", "bench-1", "B2001", "2222");
	fl_term_open (&sup, hub.endpoint, "hh-sup", "office", "B3001", "3333");

	to_cage (&packer, "A3", "300", "CAGE-RM");
	to_cage (&packer, "A1", "1250", "CAGE-DPD");
	long long closed = 0;
	for (int i = 0; i < 200 && closed == 0; i++) {
		closed = sql_int ("SELECT count(*) FROM parcels WHERE code = 'A1/1' AND status = 'closed'");
		if (closed == 0)
			usleep (50 * 1000);
	}
	is_int (closed, 1, "A1's parcel is closed out without anyone asking");
	is_int (sql_int ("SELECT count(*) FROM manifests WHERE carrier = 'dpd' AND closed_by = 'system' AND parcels = 1"), 1,
	    "into a DPD manifest closed by system");
	is_int (sql_int ("SELECT count(*) FROM events WHERE action = 'autoclose' AND code = 'dpd' AND operator = 'system'"
	    " AND detail LIKE 'dpd closed out at its cut-off 17:30: %'"), 1, "audited as autoclose, naming the cut-off");
	is_int (sql_int ("SELECT count(*) FROM events WHERE action = 'closeout' AND order_ref = 'A1'"
	    " AND operator = 'system'"), 1, "the order's close-out event is system's");
	is_int (sql_int ("SELECT count(*) FROM label_jobs j JOIN manifests m ON m.id = j.manifest_id WHERE"
	    " m.carrier = 'dpd' AND j.kind = 'receipt' AND j.station = 'office'"), 1,
	    "its collection receipt is queued for the configured station");
	char *file = testlib_sql_text (hub.database, "SELECT file FROM manifests WHERE carrier = 'dpd'");
	f = file ? fopen (file, "r") : NULL;
	ok (f != NULL, "the manifest file is in the outbox: %s", file ? file : "(none)");
	if (f)
		fclose (f);
	free (file);
	is_int (sql_int ("SELECT count(*) FROM parcels WHERE code = 'A3/1' AND status = 'scanned_out'"), 1,
	    "Royal Mail (autoclose = no) stays on its cage");

	diag ("once per cut-off: a parcel scanned out afterwards waits for a person");
	to_cage (&packer, "A2", "800", "CAGE-DPD");
	/* The hub's own command is not a terminal's: unknown to a supervisor, and nothing is closed. */
	fl_check (fl_cmd (&sup, "autoclose", "carrier", "dpd", "code", "dpd"), PROTO_REFUSED, PR_UNKNOWN_COMMAND,
	    "Unknown command", "a supervisor cannot send the hub's autoclose");
	is_int (sql_int ("SELECT count(*) FROM parcels WHERE code = 'A2/1' AND status = 'scanned_out'"), 1,
	    "A2 is still on its cage");
	proto_msg_t *r = fl_expect (fl_cmd (&sup, "closeout", "carrier", "dpd"), PROTO_OK, PR_OK, "closed out",
	    "the supervisor closes out the late parcel");
	is_str (fl_data (r, "count"), "1", "one parcel: A2");
	proto_msg_destroy (&r);
	is_int (sql_int ("SELECT count(*) FROM events WHERE action = 'autoclose'"), 1, "still one automatic close-out");
	is_int (testlib_hub_stop (&hub), 0, "hub stops cleanly");
	client_destroy (&packer.c);
	client_destroy (&sup.c);
	free (src);
	free (set_path);
	free (set_offset);
	return tap_done ();
}
