#!/bin/bash
# term-flow.sh: the despatch flow through the terminal against a real hub:
# receive and locate on a handheld (16 x 20, resized to 8 x 40 mid-screen),
# pack and verify at the bench (24 x 80), a held parcel at scan-out that
# blocks until acknowledged, then close-out by a supervisor.
: "${top_srcdir:?run through make check}"
. "$top_srcdir/tests/term/termlib.sh"

tl_hub_start
tl_ok $? "hub starts"
tl_term_start 16 20 --terminal hh-21 --station DESP1
tl_login B1001 1111
tl_ok $? "porter logged in at 16 x 20"

tl_keys 1 && tl_wait "Scan ticket" && tl_scan W1000001 && tl_wait "Go to WW-R3-B12"
tl_ok $? "receive tells where to go for the first line"
tl_wait "F4 Locate" && tl_keys F4 && tl_wait "Scan location"
tl_ok $? "F4 goes to locate with that line"
tl_scan WW-R3-B12 && tl_wait "Scan item"
tl_ok $? "right location: now the item"
tl_wait "F1 Lines F2 Dmgd" && tl_wait "F3 Back F4 Short"
tl_ok $? "item stage shows its keys (damaged, back, short)"
tl_resize 8 40
tl_wait "Scan item" && tl_row 0 | grep -q LOCATE && tl_row 7 | grep -q "HUB OK"
tl_ok $? "resized to 8 x 40 in the middle of locate: same stage, redrawn"
tl_scan WW-DRS-1042 && tl_wait "Go to BT-HOLD-1"
tl_ok $? "item found: the next line's location"
tl_scan BT-HOLD-1 && tl_wait "Scan item" && tl_scan BT-EDP-0050 && tl_wait "Next: pack"
tl_ok $? "last line found: next is pack"
tl_keys F3 && tl_wait "MENU" && tl_logout
tl_ok $? "porter logs out"

# The bench.
tl_resize 24 80
tl_login B2001 2222
tl_ok $? "packer logged in at 24 x 80"
tl_keys "$(tl_menu Pack)" && tl_wait "PACK" && tl_scan W1000001 && tl_wait "Order lines" && tl_wait "Parcels (Enter=1)"
tl_ok $? "pack: ticket scanned, parcels asked"
tl_wait "WW-DRS-1042" && tl_wait "BT-EDP-0050"
tl_ok $? "the bench shows the lines of all departments"
tl_keys Enter && tl_wait "Box type" && tl_scan M && tl_wait "Weight g" && tl_scan 800
tl_wait "Scan printed label"
tl_ok $? "packed: the label is printed, the packer must scan it"
tracking=$(tl_screen | sed -n 's/^[a-z-]* \([0-9A-Z]\{8,\}\) .*/\1/p' | head -1)
[ -n "$tracking" ]
tl_ok $? "the screen names the parcel's tracking number ($tracking)"
tl_scan "$tracking" && tl_wait "Scan ticket"
tl_ok $? "label verified: ready for the next order"
tl_keys F3 && tl_wait "MENU" && tl_logout

# A supervisor holds the parcel; scan-out raises the alarm.
tl_login B3001 3333
tl_ok $? "supervisor logged in"
tl_keys "$(tl_menu Hold)" && tl_wait "Scan to hold" && tl_scan "$tracking" && tl_wait "Reason" && tl_scan "Customer called"
tl_wait "Scan to hold" && tl_wait_re "^OK "
tl_ok $? "parcel put on hold"
tl_keys F3 && tl_wait MENU && tl_keys "$(tl_menu Scan-out)" && tl_wait "Scan cage" && tl_scan CAGE-DPD && tl_wait "Scan parcel"
tl_ok $? "scan-out: cage chosen once"
tl_scan "$tracking" && tl_wait "F1 Ack"
tl_ok $? "held parcel: alarm, only acknowledgement offered"
tl_screen | grep -q "^XX"
tl_ok $? "the alarm carries the XX symbol"
tl_scan "$tracking" && tl_wait "F1 Ack"
tl_ok $? "scanning is blocked while the alarm stands"
tl_keys F1 && tl_wait "cknowledged"
tl_ok $? "F1 acknowledges"
[ "$(tl_sql "SELECT count(*) FROM scans WHERE step = 'scanout' AND terminal = 'hh-21'")" = 1 ]
tl_ok $? "the scan during the alarm never reached the hub"
tl_keys F3 && tl_wait "Scan cage" && tl_keys F3 && tl_wait MENU && tl_keys "$(tl_menu Release)" && tl_wait "Scan to release"
tl_scan "$tracking" && tl_wait "Reason" && tl_scan "Cleared" && tl_wait "Scan to release"
tl_keys F3 && tl_wait MENU && tl_keys "$(tl_menu Scan-out)" && tl_scan CAGE-DPD && tl_wait "Scan parcel" && tl_scan "$tracking"
tl_wait "On cage: 1"
tl_ok $? "released parcel scanned out: running count 1"

tl_keys F3 && tl_wait "Scan cage" && tl_keys F3 && tl_wait MENU && tl_keys "$(tl_menu Close-out)" && tl_wait "Carrier"
tl_scan dpd && tl_wait "Ready: 1"
tl_ok $? "close-out preview: one parcel ready"
tl_wait "F1 Close" && tl_keys F1 && tl_wait "Manifest"
tl_ok $? "F1 confirms: manifest written"

# Delivery charge and undo, per the commands contract.
tl_keys F3 && tl_wait MENU && tl_keys "$(tl_menu 'Delivery charge')" && tl_wait "Scan ticket" \
	&& tl_scan W1000001 && tl_wait "Amount (e.g. 12.50)"
tl_ok $? "delivery charge: ticket, then the amount"
tl_scan 12,5 && tl_wait "XX Amount in pounds and pence"
tl_ok $? "an amount that is not pounds and pence is refused on the terminal"
tl_scan 12.50 && tl_wait "Scan ticket"
[ "$(tl_sql "SELECT count(*) FROM events WHERE action = 'price'")" = 1 ]
tl_ok $? "the charge is set at the hub"
tl_keys F3 && tl_wait MENU && tl_keys "$(tl_menu 'Undo last step')" && tl_wait "Undo your last step" \
	&& tl_wait "Reason"
tl_ok $? "undo asks only for a reason"
tl_scan "Typed the wrong charge" && tl_wait_re "(XX|OK) (Undone|Cannot undo|Nothing of yours|Your last step)"
tl_ok $? "the hub answers the undo (its words on the message line)"

tl_done
