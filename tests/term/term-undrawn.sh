#!/bin/bash
# term-undrawn.sh: a label that cannot be drawn, at the bench. An order is
# imported with a 55-character name, more than the Royal Mail label's name
# box takes. Packed, the bench screen gives the refusal with the field and
# what to do (correct the order and import it again), never "Put the label
# on"; nothing reaches the printer and the screen asks for the parcel
# again. The order is put right and imported again while the hub runs; the
# parcel then packs, the label prints, and what a reader decodes from the
# printed label is what verify takes.
: "${top_srcdir:?run through make check}"
. "$top_srcdir/tests/term/termlib.sh"
. "$top_srcdir/tests/term/termprint.sh"

TU_HEAD="order,channel,customer_name,address_1,address_2,town,postcode,country,phone,email,loyalty,service,promise,order_value,line,sku,description,department,quantity,locations,unit_weight_g,line_value"
# tu_import NAME FILE: order U0001 for NAME into FILE, imported by despatch import beside the running hub.
tu_import ()
{
	printf '%s\nU0001,web,%s,7 Park Row,,Leeds,LS1 5AB,GB,,,,standard,,20.00,1,SKU-U-1,Cotton towel,Home,1,BIN-U-1,400,20.00\n' \
		"$TU_HEAD" "$1" >"$2" && "$top_builddir/admin/despatch" --database "$TL_DB" import "$2" >>"$TL_DIR/import.log" 2>&1
}

tp_start
tl_ok $? "a private cupsd with fake printers starts"
tl_hub_start --set "printer.server=$DSP_CUPS_SOCKET" --set printer.bench-1.label=label --set printer.bench-1.document=docs
tl_ok $? "hub starts with the bench's printers"
long="Lady Araminta Featherstonehaugh-Cholmondeley of Wexford"
tu_import "$long" "$TL_DIR/orders.csv"
tl_ok $? "an order for a ${#long}-character name imported"
tl_term_start 24 80 --terminal bench-1-term --station bench-1 --profile bench
tl_login B2001 2222
tl_ok $? "packer logged in at the bench"
[ "$TL_FAILED" -eq 0 ] || tl_done

tl_keys "$(tl_menu Receive)" && tl_wait "Scan ticket" && tl_scan U0001 && tl_wait "Go to BIN-U-1" \
	&& tl_keys F4 && tl_wait "Scan location" && tl_scan BIN-U-1 && tl_wait "Scan item" && tl_scan SKU-U-1 \
	&& tl_wait "Next: pack" && tl_keys F3 && tl_wait MENU
tl_ok $? "received and located"

tl_keys "$(tl_menu Pack)" && tl_wait "PACK" && tl_scan U0001 && tl_wait "Parcels (Enter=1)" \
	&& tl_keys Enter && tl_wait "Box type" && tl_scan M && tl_wait "Weight g" && tl_scan 700 \
	&& tl_wait_joined "import it again"
tl_ok $? "packed: the bench hears the label cannot be drawn and what to do"
tl_settle
tl_screen | tr '\n' ' ' | tr -s ' ' | grep -q "recipient.name"
tl_ok $? "the refusal names the field"
! tl_screen | tr '\n' ' ' | tr -s ' ' | grep -q -e "Put the label on" -e " labelled "
tl_ok $? "and nothing says the label is on its way"
! tl_screen | grep -q "Scan printed label" && tl_screen | grep -q "^Box type >"
tl_ok $? "the packer is not sent on to verify: the parcel is asked for again"
[ "$(tl_sql "SELECT count(*) FROM label_jobs")" = 0 ] && [ "$(tp_count label)" = 0 ]
tl_ok $? "no print job was made and nothing reached the label printer"
[ "$(tl_sql "SELECT status || ' ' || coalesce (tracking, 'none') FROM parcels WHERE order_ref = 'U0001'")" = "packed none" ]
tl_ok $? "the parcel stays packed, with no tracking number"

tu_import "Lady A. Featherstonehaugh" "$TL_DIR/orders-corrected.csv"
tl_ok $? "the order, put right at its source, imported again while the hub runs"
tl_wait "Box type >" && tl_scan M && tl_wait "Weight g" && tl_scan 700 && tl_wait "Scan printed label"
tl_ok $? "the same parcel, still on the screen, packs now"
tp_wait_count label 1
tl_ok $? "the label printed"
job=$(tp_latest label)
decoded=$(tp_decode "$job" | grep -E '^[A-Z]{2}[0-9]{9}GB$' | head -1)
[ -n "$decoded" ] && [ "$decoded" = "$(tl_sql "SELECT tracking FROM parcels WHERE order_ref = 'U0001'")" ]
tl_ok $? "a reader decodes the Royal Mail number from the printed label ($decoded)"
tl_scan "$decoded" && tl_wait "Scan ticket"
tl_ok $? "the decoded number scanned at verify"
[ "$(tl_sql "SELECT status FROM parcels WHERE order_ref = 'U0001'")" = verified ]
tl_ok $? "the parcel is verified"
[ "$(tp_count label)" = 1 ]
tl_ok $? "one label printed in all"

tl_done
