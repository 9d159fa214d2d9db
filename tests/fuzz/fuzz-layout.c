/*
 * fuzz-layout.c: the label layout loader must refuse or take any JSON a
 * designer could write without crashing; a layout it takes is rendered as
 * ZPL for a fixed shipment, so the templates and barcodes it names run too
 * (a render may refuse: a field that does not fit, data a symbology cannot
 * encode).
 */
#include "config.h"
#include "fuzz.h"
#include "label.h"

#include <stdlib.h>

static const char *const fuzz_layout_shipment[] = {
	"tracking", "1Z999AA10123456784",
	"sscc", "395123451234567895",
	"service.code", "ND", "service.name", "Next Day",
	"routing.sort", "LHR-7", "routing.product", "P",
	"parcel.number", "1", "parcel.count", "2", "parcel.weight_kg", "2.5",
	"sender.name", "Despatch, The Store", "sender.town", "London", "sender.postcode", "W1A 1AA",
	"sender.country", "GB",
	"recipient.name", "A. Smith", "recipient.town", "Leeds", "recipient.postcode", "LS1 4AP",
	"recipient.country", "GB", "recipient.phone", "0113 496 0000",
	"recipient.address", "12 Park Row", "recipient.country_numeric", "826",
	"recipient.country_name", "United Kingdom", "sender.address", "1 High Street",
	"reference", "SO-1001", "order.channel", "web", "order.lines", "2", "order.departments", "garden",
	"carrier.name", "Fuzz Parcels", "shipper.account", "123456", "date", "2024-05-01",
	"routing.depot", "0123", "routing.drop", "07", "routing.origin", "GB", "routing.route", "LS",
	NULL,
};

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	char *cause = NULL;
	struct label_layout *l = label_layout_load_text ("fuzz.json", (const char *) data, size, &cause);
	if (l == NULL) {
		if (cause == NULL)
			abort ();
		free (cause);
		return 0;
	}
	struct label_options opt = { .format = LABEL_FORMAT_ZPL, .dpi = 203 };
	struct label_buf out = { NULL, 0 };
	if (label_render_kv (l, fuzz_layout_shipment, &opt, &out, &cause) == 0)
		free (out.data);
	else
		free (cause);
	label_layout_destroy (&l);
	return 0;
}
