/*
 * test-enquiry-track.c: enquiry shows a parcel's tracking: after a carrier
 * tracking file (in transit, then delivered with a signature and a POD
 * image) the enquiry of the parcel, and of its order, answers the latest
 * normalised status, the events as track.N and the proof of delivery.
 */
#include "config.h"
#include "tests/flow/flowlib.h"
#include "util.h"

#include <czmq.h>

static const char orders[] =
    "order,channel,customer_name,address_1,town,postcode,country,service,order_value,line,sku,description,"
    "department,quantity,locations,unit_weight_g,line_value\n"
    "E1,web,Eve East,4 Fen Rd,Ely,CB7 4AA,GB,next-day,20.00,1,SK-E1,Mug,Kitchen,1,L-E1,700,20.00\n";

static char *
write_file (const char *dir, const char *name, const char *text)
{
	char *path = xasprintf ("%s/%s", dir, name);
	FILE *f = fopen (path, "w");
	fputs (text, f);
	fclose (f);
	return path;
}

int
main (void)
{
	zsys_init ();
	zsys_set_logsystem (false);
	struct testlib_hub hub;
	if (!ok (testlib_hub_start (&hub, NULL) == 0, "hub starts"))
		return tap_done ();
	const char *bin = getenv ("top_builddir");
	char *path = write_file (hub.dir, "orders.csv", orders);
	char *cmd = xasprintf ("%s/admin/despatch -d '%s' import '%s' >/dev/null", bin, hub.database, path);
	ok (system (cmd) == 0, "an order imported");
	free (cmd);
	free (path);
	struct fl_term t;
	fl_term_open (&t, hub.endpoint, "bench-1-term", "bench-1", "B2001", "2222");
	fl_check (fl_scan (&t, "receive", "E1"), PROTO_OK, PR_OK, NULL, "receive");
	fl_check (fl_scan (&t, "locate", "L-E1", "order", "E1", "line", "1"), PROTO_OK, PR_OK, NULL, "location");
	fl_check (fl_scan (&t, "locate", "SK-E1", "order", "E1", "line", "1"), PROTO_OK, PR_OK, NULL, "item");
	proto_msg_t *r = fl_expect (fl_scan (&t, "pack", "E1", "parcels", "1", "parcel", "1", "box", "S", "weight",
	    "700"), PROTO_OK, PR_OK, "labelled", "pack");
	char tracking[48];
	snprintf (tracking, sizeof tracking, "%s", fl_data (r, "tracking"));
	proto_msg_destroy (&r);

	/* Before any carrier news: no status, no POD. */
	r = fl_expect (fl_scan (&t, "enquiry", tracking), PROTO_OK, PR_OK, "labelled", "enquiry before tracking");
	is_str (fl_data (r, "tracking_status"), "", "no tracking status yet");
	is_str (fl_data (r, "pod_signed_by"), "", "no POD yet");
	proto_msg_destroy (&r);

	char *csv = xasprintf ("tracking,time,status,location,detail,signed_by,pod_image\n"
	    "%s,2026-11-23T09:10:00Z,collected,Leeds hub,,,\n"
	    "%s,2026-11-24T11:42:00Z,Delivered,Ely,Left with customer,E EAST,https://pod.example/e1.png\n", tracking,
	    tracking);
	path = write_file (hub.dir, "track.csv", csv);
	free (csv);
	cmd = xasprintf ("%s/admin/despatch -d '%s' track '%s' >/dev/null", bin, hub.database, path);
	ok (system (cmd) == 0, "two tracking events taken");
	free (cmd);
	free (path);

	r = fl_expect (fl_scan (&t, "enquiry", tracking), PROTO_OK, PR_OK, NULL, "enquiry of the parcel");
	is_str (fl_data (r, "tracking_status"), "delivered", "the latest status, normalised");
	is_str (fl_data (r, "tracking_at"), "2026-11-24T11:42:00Z", "at the carrier's time");
	is_str (fl_data (r, "tracking_location"), "Ely", "and place");
	is_str (fl_data (r, "pod_signed_by"), "E EAST", "POD: who signed");
	is_str (fl_data (r, "pod_at"), "2026-11-24T11:42:00Z", "POD: when");
	is_str (fl_data (r, "pod_image"), "https://pod.example/e1.png", "POD: the image");
	is_str (fl_data (r, "tracks"), "2", "two events");
	const char *t1 = fl_data (r, "track.1"), *t2 = fl_data (r, "track.2");
	ok (strstr (t1, "|delivered|") && strstr (t1, "|2026-11-24T11:42:00Z|Ely"), "track.1 is the delivery: %s", t1);
	ok (strstr (t2, "|in_transit|") && strstr (t2, "|2026-11-23T09:10:00Z|Leeds hub"), "track.2 the collection: %s",
	    t2);
	proto_msg_destroy (&r);

	r = fl_expect (fl_scan (&t, "enquiry", "E1"), PROTO_OK, PR_OK, "E1", "enquiry of the order");
	is_str (fl_data (r, "tracking_status"), "delivered", "the order's one parcel: its status");
	is_str (fl_data (r, "pod_signed_by"), "E EAST", "and its POD");
	proto_msg_destroy (&r);

	is_int (testlib_hub_stop (&hub), 0, "hub stops cleanly");
	client_destroy (&t.c);
	return tap_done ();
}
