/*
 * test-symbol: a carrier file's [symbol] sections (carriers/carrier-symbol.c,
 * doc/carriers.md Scanning): each mistake refused with its line and what to
 * write; then the shipped files read what real readers returned from their
 * labels (zbarimg, dmtxread and ZXingReader on labels the hub printed, as
 * tests/term/term-scan.sh decodes them) and what scanners send besides.
 */
#include "config.h"
#include "carriers/carrier.h"
#include "gs1.h"
#include "tests/tap.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* A [carrier] section after its first line, and a whole head. */
#define REST "code = x\nname = X\nscheme = dhl-express\nlayout = dhl-express\nmanifest = csv\n" \
	"manifest-fields = tracking\n[service s]\nname = S\nlabel-code = 1\nlabel-name = S\ndays = 1\n" \
	"countries = GB\nrequested = *\nmax-weight = 1000\nrank = 1\n"
#define HEAD "[carrier]\n" REST
#define WAYBILL "[symbol waybill]\nname = waybill\nmatch = ([0-9]{10})\ntracking = \\1\n"

static const struct {
	const char *text, *want;
} bad[] = {
	{ HEAD "[symbol nowhere]\nname = N\nmatch = (x)\ntracking = \\1\n",
	  "x.conf:17: [symbol nowhere]: layout 'dhl-express' prints no barcode named 'nowhere'" },
	{ HEAD "[symbol waybill]\nname = W\ntracking = \\1\n", "x.conf:17: symbol 'waybill' needs match" },
	{ HEAD "[symbol waybill]\nname = W\nmatch = (x)\nais = 00\ntracking = \\1\n", "needs match (what a reader" },
	{ HEAD "[symbol waybill]\nname = W\nmatch = ([0-9]{10})\n", "x.conf:17: symbol 'waybill' needs tracking or sscc" },
	{ HEAD "[symbol waybill]\nname = W\nmatch = ([0-9]{10})\ntracking = \\1\ninstead = waybill\n",
	  "needs tracking or sscc" },
	{ HEAD "[symbol waybill]\nname = W\nmatch = ([0-9]{10}\ntracking = \\1\n",
	  "x.conf:17: symbol 'waybill': match is not a regular expression" },
	{ HEAD "[symbol waybill]\nname = W\nmatch = ([0-9]{10})\ntracking = \\2\n",
	  "x.conf:17: symbol 'waybill': tracking names group \\2, but match has 1" },
	{ HEAD "[symbol waybill]\nname = W\nmatch = ([0-9]{10})\ntracking = 1-\\1\n",
	  "x.conf:20: tracking: '-' cannot be in a parcel's number" },
	{ HEAD "[symbol waybill]\nname = W\nmatch = ([0-9]{10})\ntracking = (00)\n",
	  "a GS1 value (AI) needs ais, not match" },
	{ HEAD "[symbol waybill]\nname = W\nmatch = ([0-9]{10})\ntracking = \\1\nsscc = \\1\n",
	  "x.conf:21: a symbol reads one number" },
	{ HEAD WAYBILL "[symbol routing-barcode]\nname = R\nmatch = 2L.*\ninstead = nothing\n",
	  "x.conf:21: [symbol routing-barcode]: instead must name a [symbol] of this file that reads the parcel" },
	{ HEAD WAYBILL "[symbol waybill]\nname = again\n", "x.conf:21: symbol 'waybill' is defined twice" },
	{ HEAD "[symbol]\n", "x.conf:17: [symbol] needs a name" },
	{ HEAD "[symbol waybill]\nname = W\nmatch = J?JD01{piece-prefix}([0-9]{10})\ntracking = \\1\n",
	  "x.conf:17: symbol 'waybill': match names {piece-prefix}, but [carrier] gives no piece-prefix" },
	{ "[carrier]\npiece-prefix = 46001\n" REST, "x.conf:1: piece-prefix must be the 6 digits DHL gave the account" },
	{ "[carrier]\npiece-prefix = 46001x\n" REST, "(like 460012), not '46001x'" },
	{ "[carrier]\npiece-prefix = 4600123\n" REST, "not '4600123'" },
};

/* What one carrier's symbols make of a scan: "element key", "element -" (names no parcel) or "". */
static void
read_as (const carrier_set_t *set, const char *carrier, const char *raw, char *out, size_t n)
{
	struct gs1_scan g;
	char err[160];
	bool gs1 = gs1_parse (raw, &g, err, sizeof err) == 0 && g.gs1;
	if (gs1_parse (raw, &g, err, sizeof err) != 0) /* garbled as GS1: the data is still there */
		gs1 = false;
	char aim = g.symbology[0] == ']' ? g.symbology[1] : 0;
	const struct carrier *c = carrier_find (set, carrier);
	*out = '\0';
	for (int i = 0; c && i < c->nsymbols; i++) {
		char key[64];
		enum carrier_symbol_result r = carrier_symbol_read (&c->symbols[i], g.data, aim, gs1 ? &g : NULL, key,
		    sizeof key);
		if (r == CARRIER_SYMBOL_KEY) {
			snprintf (out, n, "%s %s", c->symbols[i].element, key);
			return;
		}
		if (r == CARRIER_SYMBOL_NOTHING) {
			snprintf (out, n, "%s -", c->symbols[i].element);
			return;
		}
	}
}

int
main (void)
{
	for (size_t i = 0; i < nitems (bad); i++) {
		char *cause = NULL;
		carrier_set_t *set = carrier_load_text ("x.conf", bad[i].text, &cause);
		ok (set == NULL && cause && strstr (cause, bad[i].want), "refused: %s", cause ? cause : "(loaded)");
		if (set == NULL && cause && !strstr (cause, bad[i].want))
			diag ("wanted: %s", bad[i].want);
		carrier_set_destroy (&set);
		free (cause);
	}
	char *cause = NULL;
	carrier_set_t *set = carrier_load_text ("x.conf", HEAD WAYBILL, &cause);
	ok (set != NULL, "a file that leaves a barcode unread loads (%s)", cause ? cause : "no cause");
	ok (set && strcmp (carrier_set_at (set, 0)->uncovered, " routing-barcode licence-plate ") == 0,
	    "and says which barcodes no section reads (%s)", set ? carrier_set_at (set, 0)->uncovered : "");
	carrier_set_destroy (&set);
	free (cause);

	const char *dirs = getenv ("DSP_CARRIER_PATH");
	set = carrier_load (dirs, &cause);
	ok (set != NULL, "data/carriers loads: %s", cause ? cause : "");
	for (int i = 0; set && i < carrier_set_count (set); i++)
		ok (*carrier_set_at (set, i)->uncovered == '\0', "%s: every barcode of layout %s has a [symbol]%s",
		    carrier_set_at (set, i)->code, carrier_set_at (set, i)->layout, carrier_set_at (set, i)->uncovered);
	/* What the readers returned from labels the hub printed, and what scanners send. */
	static const struct {
		const char *carrier, *scan, *want;
	} reads[] = {
		{ "dpd", "%SW1A2AA15501234567890101826", "parcel-barcode 15501234567890" },
		{ "dpd", "]C0%SW1A2AA15501234567890101826", "parcel-barcode 15501234567890" },
		{ "dpd", "SW1A2AA15501234567890101826", "parcel-barcode 15501234567890" },
		{ "dpd", "%sw1a2aa15501234567890101826", "parcel-barcode 15501234567890" },
		{ "dpd", "SW1A 2AA 1550 1234 5678 90 101 826 X", "parcel-barcode 15501234567890" },
		{ "dpd", "]d1%SW1A2AA15501234567890101826", "" },
		{ "ups", "1Z999AA10123456784", "tracking 1Z999AA10123456784" },
		{ "ups", "[)>\x1e" "01\x1d" "96NW16XE\x1d" "826\x1d" "011\x1d" "1Z23456784\x1dUPSN\x1d" "999AA1\x1d" "326\x1d\x1d"
		  "1/1\x1d" "10\x1dN\x1d\x1dLONDON\x1d\x1e\x04", "maxicode 1Z999AA1??23456784" },
		{ "ups", "]U2[)>\x1e" "01\x1d" "96NW16XE\x1d" "826\x1d" "011\x1d" "1Z999AA10123456784\x1dUPSN\x1d" "999AA1\x1d"
		  "2026-11-22\x1d" "1/1\x1d" "4.2\x1dN\x1d\x1dLONDON\x1d\x1e\x04", "maxicode 1Z999AA1??23456784" },
		{ "ups", "]C1421826NW16XE", "postal -" },
		{ "fedex", "[)>\x1e" "01\x1d" "02200001\x1d" "156\x1d" "001\x1d" "986578788855\x1d" "FDEB\x1d" "1/1\x1d" "3.0KG\x1d"
		  "SHANGHAI\x1e\x04", "pdf417 986578788855" },
		{ "royal-mail", "JGB TPN RB123456785GB EH22PR  1/2", "mailmark RB123456785GB" },
		{ "royal-mail", "]d1jgb tpn rb123456785gb eh22pr  1/2", "mailmark RB123456785GB" },
		{ "parcelforce", "CP123456785GB|G13HL|SND|1/1", "datamatrix CP123456785GB" },
		{ "dhl-express", "3318810025", "waybill 3318810025" },
		{ "dhl-express", "2LFR75009+P", "routing-barcode -" },
		{ "dhl-express", "]C02LAE00000+P", "routing-barcode -" },
		/* The licence plate as zbarimg read it from a printed label, with its data identifier J or without,
		 * with ]C0, in lower case, typed from its text; another account's prefix names no parcel of ours. */
		{ "dhl-express", "JJD014600123318810025", "licence-plate 3318810025" },
		{ "dhl-express", "JD014600123318810025", "licence-plate 3318810025" },
		{ "dhl-express", "]C0JJD014600123318810025", "licence-plate 3318810025" },
		{ "dhl-express", "]C0jjd014600123318810025", "licence-plate 3318810025" },
		{ "dhl-express", "jd014600123318810025", "licence-plate 3318810025" },
		{ "dhl-express", "(J) JD01 460012 33 1881 0025", "licence-plate 3318810025" },
		{ "dhl-express", "JJD019999993318810025", "" },
		{ "dhl-express", "JJD004600123318810025", "" },
		{ "dhl-express", "JJD01460012331881002", "" },
		{ "dhl-express", "]d1JJD014600123318810025", "" },
		{ "store-van", "150123450000000012|T1000002|W85DL|1/1", "qr 150123450000000012" },
		{ "store-van", "]Q1150123450000000012|T1000002|W85DL|1/1", "qr 150123450000000012" },
	};
	for (size_t i = 0; set && i < nitems (reads); i++) {
		char got[128];
		read_as (set, reads[i].carrier, reads[i].scan, got, sizeof got);
		ok (strcmp (got, reads[i].want) == 0, "%s reads %s as '%s'", reads[i].carrier,
		    *reads[i].want ? reads[i].want : "no symbol of its own", got);
	}
	carrier_set_destroy (&set);
	free (cause);
	return tap_done ();
}
