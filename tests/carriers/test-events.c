/*
 * test-events.c: the events feed against a real hub (doc/protocol.md
 * "Events feed"): a SUB socket hears every shipment event of an order's
 * way out (receive to close-out), topic first, JSON after, only once the
 * batch committed; the same events are appended to the day's export file
 * in the same order; a refused scan sends nothing; after a restart the
 * feed resumes without sending anything again; with CURVE on, an enrolled
 * key hears the feed and an unknown key hears nothing.
 */
#include "config.h"
#include "tests/flow/flowlib.h"
#include "util.h"

#include <czmq.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct testlib_hub hub;
static char dir[256], events_ep[300], exports[300];

static const char orders[] =
    "order,channel,customer_name,address_1,address_2,town,postcode,country,phone,service,order_value,line,sku,"
    "description,department,quantity,locations,unit_weight_g,line_value\n"
    "E1,web,Ann Able,1 Acre Lane,,Leeds,LS1 1AA,GB,,next-day,20.00,1,SK-E1,Mug,Kitchen,1,L-E1,1250,20.00\n"
    "E2,web,Bob Baker,2 Bank St,,York,YO1 7AA,GB,,next-day,20.00,1,SK-E2,Mug,Kitchen,1,L-E2,800,20.00\n";

/* The next message on sub within a bounded wait: topic into topic, body parsed (caller decrefs); NULL if none. */
static json_t *
next_event (zsock_t *sub, char *topic, size_t n, int wait_ms)
{
	zpoller_t *p = zpoller_new (sub, NULL);
	json_t *j = NULL;
	if (zpoller_wait (p, wait_ms) == sub) {
		zmsg_t *m = zmsg_recv (sub);
		char *t = m ? zmsg_popstr (m) : NULL, *body = m ? zmsg_popstr (m) : NULL;
		snprintf (topic, n, "%s", t ? t : "");
		j = body ? json_loads (body, 0, NULL) : NULL;
		free (t);
		free (body);
		zmsg_destroy (&m);
	}
	zpoller_destroy (&p);
	return j;
}

/* Events until one with topic want (bounded); their topics joined into seen, ids into ids. */
static json_t *
wait_topic (zsock_t *sub, const char *want, char *seen, size_t n, long long *ids, int *nids)
{
	for (int i = 0; i < 100; i++) {
		char topic[32];
		json_t *j = next_event (sub, topic, sizeof topic, 200);
		if (j == NULL)
			continue;
		snprintf (seen + strlen (seen), n - strlen (seen), "%s%s", *seen ? " " : "", topic);
		if (ids && *nids < 64)
			ids[(*nids)++] = json_integer_value (json_object_get (j, "id"));
		if (strcmp (topic, want) == 0)
			return j;
		json_decref (j);
	}
	return NULL;
}

static const char *
jstr (json_t *o, const char *key)
{
	const char *s = json_string_value (json_object_get (o, key));
	return s ? s : "(null)";
}

static zsock_t *
subscribe (const char *endpoint)
{
	zsock_t *sub = zsock_new (ZMQ_SUB);
	zsock_set_subscribe (sub, "");
	zsock_connect (sub, "%s", endpoint);
	return sub;
}

/* Hold and release E2 until the subscriber hears the hold (its subscription reached the hub). */
static bool
sync_sub (zsock_t *sub, struct fl_term *sup)
{
	for (int i = 0; i < 20; i++) {
		fl_check (fl_cmd (sup, "hold", "code", "E2", "reason", "feed check"), PROTO_OK, PR_OK, NULL, "hold E2");
		fl_check (fl_cmd (sup, "release", "code", "E2", "reason", "feed check"), PROTO_OK, PR_OK, NULL,
		    "release E2");
		char topic[32];
		json_t *j;
		bool heard = false;
		while ((j = next_event (sub, topic, sizeof topic, 300)) != NULL) {
			heard = heard || strcmp (topic, "release") == 0;
			json_decref (j);
			if (heard)
				break;
		}
		if (heard)
			return true;
	}
	return false;
}

static void
test_flow (zsock_t *sub, struct fl_term *porter, struct fl_term *packer, struct fl_term *sup)
{
	diag ("one order from receive to close-out: every shipment event on the feed, in order");
	char seen[400] = "";
	long long ids[64];
	int nids = 0;
	fl_check (fl_scan (packer, "verify", "E1"), PROTO_REFUSED, PR_WRONG_STEP, NULL, "a refused scan (not packed yet)");
	fl_check (fl_scan (porter, "receive", "E1"), PROTO_OK, PR_OK, "received", "receive");
	fl_check (fl_scan (porter, "locate", "L-E1", "order", "E1", "line", "1"), PROTO_OK, PR_OK, NULL, "location");
	fl_check (fl_scan (porter, "locate", "SK-E1", "order", "E1", "line", "1"), PROTO_OK, PR_OK, NULL, "item");
	proto_msg_t *r = fl_expect (fl_scan (packer, "pack", "E1", "parcels", "1", "parcel", "1", "box", "S", "weight",
	    "1250"), PROTO_OK, PR_OK, "labelled", "pack and label");
	char tracking[48];
	snprintf (tracking, sizeof tracking, "%s", fl_data (r, "tracking"));
	proto_msg_destroy (&r);
	fl_check (fl_scan (packer, "verify", tracking, "order", "E1"), PROTO_OK, PR_OK, NULL, "verify");
	fl_check (fl_scan (packer, "scanout", tracking, "cage", "CAGE-DPD"), PROTO_OK, PR_OK, NULL, "scan out");
	fl_check (fl_cmd (sup, "closeout", "carrier", "dpd"), PROTO_OK, PR_OK, "closed out", "close out");
	json_t *j = wait_topic (sub, "closeout", seen, sizeof seen, ids, &nids);
	ok (j != NULL, "the close-out was heard");
	const char *got = seen;
	is_str (got, "receive pack label verify scanout closeout", "topics in order, nothing refused among them");
	if (j) {
		is_str (jstr (j, "order"), "E1", "closeout: order");
		is_str (jstr (j, "carrier"), "dpd", "closeout: carrier");
		ok (strstr (jstr (j, "detail"), "manifest ") != NULL, "closeout: detail names the manifest: %s",
		    jstr (j, "detail"));
		is_str (jstr (j, "by"), "B3001", "closeout: by the supervisor");
	}
	json_decref (j);
	/* The label event, read back from the export file (same JSON as on the wire). */
	char *file = NULL;
	time_t now = time (NULL);
	struct tm tm;
	gmtime_r (&now, &tm);
	char day[16];
	strftime (day, sizeof day, "%Y-%m-%d", &tm);
	file = xasprintf ("%s/events-%s.jsonl", exports, day);
	FILE *f = fopen (file, "r");
	ok (f != NULL, "today's export file: %s", file);
	char line[4096];
	long long fids[128];
	int nf = 0;
	bool label_ok = false, all_json = true;
	while (f && fgets (line, sizeof line, f)) {
		json_t *o = json_loads (line, 0, NULL);
		if (o == NULL) {
			all_json = false;
			continue;
		}
		if (nf < 128)
			fids[nf++] = json_integer_value (json_object_get (o, "id"));
		if (strcmp (jstr (o, "event"), "label") == 0) {
			char at_day[16];
			snprintf (at_day, sizeof at_day, "%.10s", jstr (o, "at"));
			label_ok = strcmp (jstr (o, "order"), "E1") == 0 && strcmp (jstr (o, "parcel"), "E1/1") == 0
			    && strcmp (jstr (o, "tracking"), tracking) == 0 && strcmp (jstr (o, "carrier"), "dpd") == 0
			    && strcmp (jstr (o, "by"), "B2001") == 0 && strcmp (jstr (o, "station"), "bench-1") == 0
			    && strcmp (at_day, day) == 0 && jstr (o, "at")[19] == 'Z';
			if (!label_ok)
				diag ("label line: %s", line);
		}
		json_decref (o);
	}
	if (f)
		fclose (f);
	ok (all_json, "every line is one JSON document");
	ok (label_ok, "the label event: order, parcel, tracking, carrier, by, station, at (ISO 8601 UTC)");
	/* The file holds what the feed sent, in the same order (after the sync holds/releases). */
	bool same = nf >= nids;
	for (int i = 0; same && i < nids; i++)
		same = fids[nf - nids + i] == ids[i];
	ok (same, "the file ends with the %d events the subscriber heard, same ids, same order", nids);
	bool rising = true;
	for (int i = 1; i < nf; i++)
		rising = rising && fids[i] > fids[i - 1];
	ok (rising, "ids strictly rise: nothing written twice (%d lines)", nf);
	is_int (testlib_sql_int (hub.database, "SELECT sent FROM events_feed"), fids[nf - 1],
	    "the last id sent is recorded");
	free (file);

	diag ("a restart resumes after the last event sent");
	is_int (testlib_hub_stop (&hub), 0, "hub stops");
	ok (testlib_hub_restart (&hub) == 0, "hub restarts");
	zsock_t *sub2 = subscribe (events_ep);
	struct fl_term sup2;
	fl_term_open (&sup2, hub.endpoint, "hh-sup2", "office", "B3001", "3333");
	ok (sync_sub (sub2, &sup2), "a new subscriber hears the feed again");
	fl_check (fl_cmd (&sup2, "track", "code", tracking, "event", "delivered", "detail", "front door"), PROTO_OK,
	    PR_OK, "delivered", "a tracking event");
	seen[0] = '\0';
	j = wait_topic (sub2, "track", seen, sizeof seen, NULL, NULL);
	ok (j != NULL && strcmp (jstr (j, "tracking"), tracking) == 0 && strstr (jstr (j, "detail"), "delivered"),
	    "track: heard with its tracking number and detail");
	got = seen;
	is_str (got, "track", "nothing from before the restart is sent again");
	json_decref (j);
	zsock_destroy (&sub2);
	client_destroy (&sup2.c);
}

static void
test_curve (void)
{
	diag ("CURVE: an enrolled key hears the feed, an unknown key hears nothing");
	struct testlib_hub sec;
	char sdir[256];
	testlib_tmpdir (sdir, sizeof sdir);
	char *ep = xasprintf ("hub.events=ipc://%s/events.sock", sdir);
	const char *extra[] = { ep, NULL };
	if (!ok (testlib_hub_start_curve (&sec, extra) == 0, "a hub with CURVE on"))
		return;
	ok (testlib_keys (&sec, "enrol", "erp-feed --system") == 0 && testlib_keys (&sec, "enrol", "hh-sec") == 0,
	    "keys enrolled for the feed's subscriber (a system) and a terminal");
	char *kd = xasprintf ("%s/clients/erp-feed", sec.keys);
	char *own = xasprintf ("%s/system.cert", kd), *hubc = xasprintf ("%s/hub.cert", kd);
	zcert_t *mine = zcert_load (own), *server = zcert_load (hubc), *stranger = zcert_new ();
	zsock_t *good = zsock_new (ZMQ_SUB), *bad = zsock_new (ZMQ_SUB);
	zcert_apply (mine, good);
	zsock_set_curve_serverkey (good, zcert_public_txt (server));
	zcert_apply (stranger, bad);
	zsock_set_curve_serverkey (bad, zcert_public_txt (server));
	zsock_set_subscribe (good, "");
	zsock_set_subscribe (bad, "");
	zsock_connect (good, "ipc://%s/events.sock", sdir);
	zsock_connect (bad, "ipc://%s/events.sock", sdir);
	char *tkeys = xasprintf ("%s/terminals/hh-sec", sec.keys), *cause = NULL;
	struct fl_term sup = { .seq = 0, .name = "hh-sec" };
	sup.c = client_new_secure (sec.endpoint, "hh-sec", tkeys, &cause);
	ok (sup.c != NULL, "a secure terminal connects%s%s", cause ? ": " : "", cause ? cause : "");
	if (sup.c) {
		proto_msg_t *r = testlib_hello (sup.c, ++sup.seq, "office");
		proto_msg_destroy (&r);
		r = testlib_login (sup.c, ++sup.seq, "B3001", "3333");
		proto_msg_destroy (&r);
		/* The demo data holds T1000002; a hold on it is a shipment event. */
		bool heard = false;
		for (int i = 0; i < 20 && !heard; i++) {
			fl_check (fl_cmd (&sup, "hold", "code", "T1000002", "reason", "curve"), PROTO_OK, PR_OK, NULL, "hold");
			fl_check (fl_cmd (&sup, "release", "code", "T1000002", "reason", "curve"), PROTO_OK, PR_OK, NULL,
			    "release");
			char topic[32];
			json_t *j;
			while (!heard && (j = next_event (good, topic, sizeof topic, 300)) != NULL) {
				heard = strcmp (topic, "release") == 0;
				json_decref (j);
			}
		}
		ok (heard, "the enrolled subscriber hears holds and releases");
		char topic[32];
		json_t *j = next_event (bad, topic, sizeof topic, 500);
		ok (j == NULL, "the unknown key hears nothing");
		json_decref (j);
		client_destroy (&sup.c);
	}
	free (cause);
	zsock_destroy (&good);
	zsock_destroy (&bad);
	zcert_destroy (&mine);
	zcert_destroy (&server);
	zcert_destroy (&stranger);
	free (own);
	free (hubc);
	free (kd);
	free (tkeys);
	is_int (testlib_hub_stop (&sec), 0, "the secure hub stops");
	free (ep);
}

int
main (void)
{
	zsys_init ();
	zsys_set_logsystem (false);
	testlib_tmpdir (dir, sizeof dir);
	snprintf (events_ep, sizeof events_ep, "ipc://%s/events.sock", dir);
	snprintf (exports, sizeof exports, "%s/exports", dir);
	char *set_ep = xasprintf ("hub.events=%s", events_ep), *set_ex = xasprintf ("hub.exports=%s", exports);
	const char *extra[] = { set_ep, set_ex, NULL };
	if (!ok (testlib_hub_start (&hub, extra) == 0, "hub starts with hub.events and hub.exports"))
		return tap_done ();
	char *path = xasprintf ("%s/events.csv", hub.dir);
	FILE *f = fopen (path, "w");
	fputs (orders, f);
	fclose (f);
	char *cmd = xasprintf ("%s/admin/despatch -d '%s' import '%s' >/dev/null", getenv ("top_builddir"), hub.database,
	    path);
	ok (system (cmd) == 0, "two orders imported");
	free (cmd);
	free (path);
	zsock_t *sub = subscribe (events_ep);
	struct fl_term porter, packer, sup;
	fl_term_open (&porter, hub.endpoint, "hh-01", "despatch-in", "B1001", "1111");
	fl_term_open (&packer, hub.endpoint, "bench-01", "bench-1", "B2001", "2222");
	fl_term_open (&sup, hub.endpoint, "hh-sup", "office", "B3001", "3333");
	if (ok (sync_sub (sub, &sup), "the subscriber hears a hold and a release"))
		test_flow (sub, &porter, &packer, &sup);
	zsock_destroy (&sub);
	client_destroy (&porter.c);
	client_destroy (&packer.c);
	client_destroy (&sup.c);
	is_int (testlib_hub_stop (&hub), 0, "hub stops cleanly");
	test_curve ();
	free (set_ep);
	free (set_ex);
	return tap_done ();
}
