/*
 * test-hub-undrawn.c: a label is reported only once it exists.
 *
 * An order comes in with a customer name the carrier's label cannot take
 * (60 characters; the Royal Mail layout prints at most 35). Packing it, the
 * packer is told the parcel is NOT labelled, which field and what to do,
 * and nothing says "Put the label on"; nothing reaches the printer, no
 * tracking number is used, the parcel stays packed. The order is put right
 * at its source and imported again (the recipient's fields may be
 * corrected until a parcel is labelled); the same pack scan then labels
 * the parcel, and its label prints, read back by zbarimg with the parcel's
 * tracking number. A label drawn that does not read back as it should (the
 * test seam DSP_HUB_DRAW_FAULT=misread has the check compare it with other
 * data) is refused the same way, the packer sent to a supervisor.
 */
#include "config.h"
#include "tests/hub-print.h"

#define LONG_NAME "Lady Annabelle Georgiana Featherstonehaugh-Cholmondeley"

static char *
order_csv (const char *name)
{
	return xasprintf (HP_CSV_HEAD "U0001,web,%s,7 Park Row,,Leeds,LS1 5AB,GB,,,,standard,,20.00,1,SKU-U-1,"
	    "Cotton towel,Home,1,BIN-U-1,400,20.00\n", name);
}

int
main (void)
{
	char *server = hp_begin ();
	if (server == NULL)
		return tap_done ();
	const char *extra[] = { server, "printer.bench-1.label=label", NULL };
	struct testlib_hub hub;
	if (!ok (testlib_hub_start (&hub, extra) == 0, "hub starts with the bench's label printer"))
		return tap_done ();
	char *csv = order_csv (LONG_NAME);
	ok (strlen (LONG_NAME) == 55 && hp_import (&hub, "orders.csv", csv) == 0,
	    "an order for a 55-character name imported (the importer takes up to 128)");
	free (csv);
	struct fl_term packer = { 0 };
	fl_term_open (&packer, hub.endpoint, "bench-1-term", "bench-1", "B2001", "2222");
	ok (hp_ready (&packer, "U", 1) == 0, "U0001 received and located");
	long long numbers = hp_sql_int (&hub, "SELECT sum(next) FROM ranges");

	proto_msg_t *r = hp_pack (&packer, "U0001");
	fl_expect (r, PROTO_REFUSED, PR_BAD_DATA, "NOT labelled", "the pack is refused");
	const char *text = testlib_text (r);
	ok (strstr (text, "recipient.name") && strstr (text, "at most 35") && strstr (text, "import it again"),
	    "the reply names the field, what is wrong and what to do: %s", text);
	ok (strstr (text, "Put the label on") == NULL && strstr (text, " labelled ") == NULL,
	    "and says nothing of a label to put on");
	is_str (fl_data (r, "field"), "recipient.name", "the field is in the reply's data");
	is_str (fl_data (r, "parcel"), "U0001/1", "and the parcel");
	ok (strcmp (fl_data (r, "next"), "verify") != 0, "the terminal is not sent on to verify (next: %s)",
	    fl_data (r, "next"));
	proto_msg_destroy (&r);
	char *state = hp_sql_text (&hub, "SELECT status || ' ' || coalesce(tracking, 'none') FROM parcels"
	    " WHERE order_ref = '%s'", "U0001");
	is_str (state, "packed none", "the parcel stays packed, with no tracking number");
	free (state);
	is_int (hp_sql_int (&hub, "SELECT sum(next) FROM ranges"), numbers, "no number was taken from any range");
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM label_jobs"), 0, "no print job");
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM events WHERE action = 'label-refused' AND order_ref = '%s'",
	    "U0001"), 1, "the refusal is audited");
	usleep (1500 * 1000);
	is_int (print_test_count ("label"), 0, "nothing reached the printer");

	/* Put right at the source and exported again, then the same pack scan. */
	csv = order_csv ("Lady A. Featherstonehaugh");
	ok (hp_import (&hub, "orders-corrected.csv", csv) == 0, "the corrected order is imported again");
	free (csv);
	char *name = hp_sql_text (&hub, "SELECT customer_name FROM orders WHERE ref = '%s'", "U0001");
	is_str (name, "Lady A. Featherstonehaugh", "the hub has the corrected name");
	free (name);
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM events WHERE action = 'corrected' AND order_ref = '%s'"
	                          " AND detail = 'customer_name'", "U0001"), 1, "the correction is audited by field name");
	r = hp_pack (&packer, "U0001");
	fl_expect (r, PROTO_OK, PR_OK, "labelled", "the same pack scan labels it now");
	char *tracking = hp_sql_text (&hub, "SELECT tracking FROM parcels WHERE order_ref = '%s'", "U0001");
	ok (tracking && strstr (testlib_text (r), tracking), "with its tracking number %s", tracking ? tracking : "-");
	proto_msg_destroy (&r);
	is_int (hp_sql_int (&hub, "SELECT count(*) FROM parcels WHERE order_ref = '%s'", "U0001"), 1,
	    "still one parcel");
	ok (print_test_wait_count ("label", 1), "the label printed");
	ok (hp_labels_once (&hub, "label", "p.order_ref = 'U0001'"), "once, read back by zbarimg with its tracking number");
	/* Labelled, the recipient can no longer change by an import. */
	csv = order_csv ("Someone Else");
	ok (hp_import (&hub, "orders-late.csv", csv) != 0, "a change after the label is refused");
	free (csv);
	free (tracking);

	/* A label drawn that does not read back as it should is never sent either: the check (label_verify)
	 * is made against other data than the label was drawn from (the test seam DSP_HUB_DRAW_FAULT). */
	csv = xasprintf (HP_CSV_HEAD "U0002,web,Ann Lee,8 Park Row,,Leeds,LS1 5AB,GB,,,,standard,,20.00,1,SKU-U-2,"
	    "Cotton towel,Home,1,BIN-U-2,400,20.00\n");
	ok (hp_import (&hub, "orders-2.csv", csv) == 0, "another order imported");
	free (csv);
	ok (hp_ready (&packer, "U", 2) == 0, "U0002 received and located");
	is_int (testlib_hub_stop (&hub), 0, "hub stopped to start again with DSP_HUB_DRAW_FAULT=misread");
	setenv ("DSP_HUB_DRAW_FAULT", "misread", 1);
	ok (testlib_hub_restart (&hub) == 0, "hub started, its labels to read back otherwise");
	unsetenv ("DSP_HUB_DRAW_FAULT");
	numbers = hp_sql_int (&hub, "SELECT sum(next) FROM ranges");
	r = hp_pack (&packer, "U0002");
	fl_expect (r, PROTO_REFUSED, PR_BAD_DATA, "does not read back", "a label that does not read back is refused");
	ok (strstr (testlib_text (r), "Tell a supervisor") && strstr (testlib_text (r), "import it again") == NULL,
	    "the packer is sent to a supervisor, not to the order: %s", testlib_text (r));
	proto_msg_destroy (&r);
	state = hp_sql_text (&hub, "SELECT status || ' ' || coalesce(tracking, 'none') FROM parcels"
	    " WHERE order_ref = '%s'", "U0002");
	is_str (state, "packed none", "that parcel stays packed too");
	free (state);
	is_int (hp_sql_int (&hub, "SELECT sum(next) FROM ranges"), numbers, "and takes no number");
	usleep (1500 * 1000);
	is_int (print_test_count ("label"), 1, "nothing more reached the printer");
	is_int (testlib_hub_stop (&hub), 0, "hub stopped to start again as it should be");
	ok (testlib_hub_restart (&hub) == 0, "hub started");
	r = hp_pack (&packer, "U0002");
	fl_check (r, PROTO_OK, PR_OK, "labelled", "the same pack scan labels it now");
	ok (print_test_wait_count ("label", 2), "and its label prints");
	ok (hp_labels_once (&hub, "label", "p.order_ref LIKE 'U%'"), "each label once, read back by zbarimg");

	is_int (testlib_hub_stop (&hub), 0, "hub stops cleanly");
	client_destroy (&packer.c);
	free (server);
	return tap_done ();
}
