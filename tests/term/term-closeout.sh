#!/bin/bash
# term-closeout.sh: close-out warns before it commits. At the bench (24 x 80)
# three DPD orders are packed and their labels, as read from what the fake
# printer received, checked: W1000005 in two parcels of which only one goes
# on the cage (an order split between this close-out and a parcel not
# scanned out), W1000001 whose parcel is on the cage and then held, and
# T1000010 whole on the cage. The supervisor's preview lists the split order
# and the held parcel ("take it off the cage"); F2 leaves the split order
# out; F1 closes; the lists stay on the screen with the manifest; the
# database and the manifest file hold only what was meant.
: "${top_srcdir:?run through make check}"
. "$top_srcdir/tests/term/termlib.sh"
. "$top_srcdir/tests/term/scanlib.sh"

ts_start
tl_ok $? "a private cupsd with fake printers and a hub printing to it start"
tl_term_start 24 80 --terminal bench-1-term --station bench-1 --profile bench
tl_login B3001 3333
tl_ok $? "supervisor logged in at the bench"
[ "$TL_FAILED" -eq 0 ] || tl_done

jobs=0
# Pack REF as N parcels, each label read from the printer and checked; $3.. the parcels to scan out.
tc_order ()
{
	local ref=$1 n=$2 k
	shift 2
	ts_locate "$ref" && ts_pack "$ref" "$n" || return 1
	for ((k = 1; k <= n; k++)); do
		jobs=$((jobs + 1))
		ts_wait_jobs "$jobs" && ts_decode "$ref-$k" "$(ts_job "$jobs")" dpd-uk && tl_wait "Label printed: $ref/$k" \
			&& tl_scan "$(cat "$TL_DIR/read-$ref-$k/parcel-barcode.txt")" || return 1
		if [ "$k" -lt "$n" ]; then
			tl_wait "Box type" && tl_scan M && tl_wait "Weight g" && tl_scan 800 && tl_wait "Scan printed label" \
				|| return 1
		fi
	done
	tl_wait "Scan ticket" && ts_menu && tl_keys "$(tl_menu Scan-out)" && tl_wait "Scan cage" && tl_scan CAGE-DPD \
		&& tl_wait "Scan parcel" || return 1
	for k in "$@"; do
		tl_scan "$(cat "$TL_DIR/read-$ref-$k/parcel-barcode.txt")" && ts_wait "$ref/$k on CAGE-DPD" || return 1
	done
	ts_menu
}

tc_order W1000005 2 1
tl_ok $? "W1000005 packed in two parcels, only parcel 1 on the cage"
tc_order W1000001 1 1
tl_ok $? "W1000001 packed and on the cage"
tc_order T1000010 1 1
tl_ok $? "T1000010 packed and on the cage"
tl_keys "$(tl_menu Hold)" && tl_wait "Scan to hold" && tl_scan "$(cat "$TL_DIR/read-W1000001-1/parcel-barcode.txt")" \
	&& tl_wait "Reason" && tl_scan "Address queried" && ts_wait "is on hold" && ts_menu
tl_ok $? "W1000001's parcel held, by the label as read, while it is on the cage"

tl_keys "$(tl_menu Close-out)" && tl_wait "Carrier or label" && tl_scan dpd && tl_wait "F1 Close"
tl_ok $? "close-out preview for DPD"
tl_wait "Split orders: 1" && ts_wait "W1000005: 1 here; not out: W1000005/2 verified"
tl_ok $? "the order split between this close-out and a parcel not scanned out is listed"
ts_wait "Take W1000001/1 off CAGE-DPD: held (Address queried)"
tl_ok $? "the held parcel on the cage: take it off"
tl_screen | grep -q "^!! dpd: 2 parcels ready"
tl_ok $? "the preview is a warning: 2 ready (the held one is not)"
tl_wait "F2 Excl" && tl_keys F2 && tl_wait "Ready: 1" && ts_wait "W1000005/2 verified (left out)"
tl_ok $? "F2 leaves the split order out: 1 ready"
[ "$(tl_sql "SELECT count(*) FROM manifests")" = 0 ]
tl_ok $? "nothing committed before F1"
tl_keys F1 && tl_wait "Manifest 1" && tl_wait "1 parcel"
tl_ok $? "F1 closes out: manifest 1, one parcel"
tl_wait "Receipt to docs" && ts_wait "printed on docs"
tl_ok $? "the collection receipt: which printer, and that it printed there"
ts_wait "Take W1000001/1 off CAGE-DPD: held (Address queried)" && ts_wait "W1000005/2 verified (left out)" \
	&& ts_wait "W1000005: 1 here; not out: W1000005/2 verified"
tl_ok $? "after close-out the lists the message refers to are still on the screen"
[ "$(tl_sql "SELECT group_concat(code || ' ' || status, ', ') FROM (SELECT code, status FROM parcels
	WHERE status <> 'void' ORDER BY code)")" = "T1000010/1 closed, W1000001/1 scanned_out, W1000005/1 scanned_out, W1000005/2 verified" ]
tl_ok $? "only T1000010 closed; the held parcel and the split order wait on the cage"
file=$(tl_sql "SELECT file FROM manifests WHERE id = 1")
[ -f "$file" ] && grep -q "$(tl_sql "SELECT tracking FROM parcels WHERE code = 'T1000010/1'")" "$file" \
	&& ! grep -q "$(tl_sql "SELECT tracking FROM parcels WHERE code = 'W1000005/1'")" "$file" \
	&& ! grep -q "$(tl_sql "SELECT tracking FROM parcels WHERE code = 'W1000001/1'")" "$file"
tl_ok $? "the manifest file holds T1000010's parcel only"
[ "$(tl_sql "SELECT count(*) FROM events WHERE action = 'closeout-exclude' AND order_ref = 'W1000005'")" = 1 ]
tl_ok $? "leaving W1000005 out is audited"

# The drill-down from a label: scan a parcel at close-out.
tl_wait "Next carrier" && tl_scan "$(cat "$TL_DIR/read-W1000005-2/parcel-barcode.txt")" \
	&& tl_wait "W1000005/2: verified" && tl_wait "Split orders: 1"
tl_ok $? "a parcel's label at close-out opens its carrier's, and says where that parcel stands"

tl_done
