#!/bin/bash
# term-scan.sh: every barcode a label of this hub prints, scanned as a
# reader decodes it from the label the fake printer received. For each
# carrier of data/carriers a demo order is located and packed at the bench
# (24 x 80); the ZPL job the printer saved is cut into its symbols
# (tests/term/label-crop) and each is read by zbarimg, dmtxread or
# ZXingReader, one format at a time; exactly what the reader returned is
# typed into the terminal as a wedge types it (a burst, then Enter) at
# verify, and at scan-out on a handheld (16 x 20). Then what scanners really
# send: AIM identifiers, lower case, GS typed as ^], DPD's barcode without
# its '%' or with the check character of its printed text, a trailing
# degree sign, DHL's licence plate without its data identifier J (and one
# of another account's prefix, refused). A symbol that names no parcel (a routing or postcode
# barcode) is refused with the barcode to scan instead. Then a pack
# interrupted (F3 at verify, another label scanned, the terminal killed)
# and a parcel added to a packed order: every parcel checked once and
# every label of the order, as the reader reads it, saying the same N.
: "${top_srcdir:?run through make check}"
. "$top_srcdir/tests/term/termlib.sh"

. "$top_srcdir/tests/term/scanlib.sh"

ts_start
tl_ok $? "a private cupsd with fake printers and a hub printing to it start"
tl_term_start 24 80 --terminal bench-1-term --station bench-1 --profile bench
tl_login B3001 3333
tl_ok $? "supervisor logged in at the bench (24 x 80)"
[ "$TL_FAILED" -eq 0 ] || tl_done

# One demo order per carrier; UPS and FedEx by a supervisor's override.
declare -A TS_ORDER=([dpd]=W1000001 [store-van]=T1000002 [dhl-express]=H1000004 [royal-mail]=W1000009
	[parcelforce]=T1000007 [ups]=W1000006 [fedex]=W1000008
	[two-person]=F1000011 [fine-art]=A1000012 [london-sameday]=S1000013 [hanging-garment]=B1000014)
declare -A TS_OVERRIDE=([ups]=ups/standard [fedex]=fedex/international-priority
	[two-person]=two-person/room-of-choice [fine-art]=fine-art/signed-insured
	[london-sameday]=london-sameday/same-day-london [hanging-garment]=hanging-garment/on-hanger)
carriers=$(ls "$top_srcdir"/data/carriers/*.conf | sed 's,.*/,,; s,\.conf$,,' | grep -v '^rules$')
jobs=0 docs=0
for c in $carriers; do
	ref=${TS_ORDER[$c]}
	if [ -z "$ref" ]; then
		tl_ok 1 "$c: a demo order for it (add one to TS_ORDER)"
		continue
	fi
	if [ -n "${TS_OVERRIDE[$c]}" ]; then
		ts_menu && tl_keys "$(tl_menu 'Override carrier')" && tl_wait "OVERRIDE" && tl_scan "$ref" \
			&& tl_wait "No. or carrier/svc" && tl_scan "${TS_OVERRIDE[$c]}" && tl_wait "Reason" \
			&& tl_scan "Customer asked for $c" && ts_wait "goes by"
		tl_ok $? "$c: $ref sent by $c (override)"
	fi
	[ "$ref" = H1000004 ] && TS_COUNT=" HM-CAND-0300 " || TS_COUNT=" "
	ts_locate "$ref"
	tl_ok $? "$c: $ref received and every unit of every line located${TS_COUNT# }"
	if [ "$ref" = H1000004 ]; then
		[ "$(tl_sql "SELECT count(*) FROM events WHERE order_ref = 'H1000004' AND action = 'locate' AND detail LIKE 'line 1 found (2 of 2%'")" = 1 ]
		tl_ok $? "$c: the two candles counted and confirmed, the line found"
	fi
	ts_pack "$ref"
	tl_ok $? "$c: $ref packed at the bench"
	[ "$(tl_sql "SELECT carrier FROM parcels WHERE order_ref = '$ref' AND status <> 'void'")" = "$c" ]
	tl_ok $? "$c: the parcel goes by $c"
	paper=$(tl_sql "SELECT title FROM label_jobs WHERE order_ref = '$ref' AND kind = 'customs'")
	if [ -n "$paper" ]; then
		docs=$((docs + 1))
		ts_wait "Papers: $paper on docs"
		tl_ok $? "$c: the bench screen names the customs paper ($paper) and its printer"
	fi
	jobs=$((jobs + 1))
	ts_wait_jobs "$jobs"
	tl_ok $? "$c: the label arrived at the bench printer"
	ts_decode "$c" "$(ts_job "$jobs")" "$(ts_layout "$c")"
	tl_ok $? "$c: the printed label cut into its symbols"
	instead=" $(ts_instead "$c" | tr '\n' ' ') "
	first=
	while read -r name sym file; do
		text=$(cat "$TL_DIR/read-$c/$name.txt")
		[ -n "$text" ]
		tl_ok $? "$c: the $sym '$name' reads back ($(printf '%s' "$text" | cat -v | head -c 60))"
		[ -z "$first" ] && [ -n "$text" ] && [ "${instead#* $name }" = "$instead" ] && first=$name
	done < "$TL_DIR/read-$c/list"
	tl_scan "$(cat "$TL_DIR/read-$c/$first.txt")" && ts_wait "Label right: parcel $ref/1"
	tl_ok $? "$c: '$first' as read verifies the label at the pack's label check"
	if [ -n "$paper" ]; then
		# In the recent answers, at the menu: at Pack the side column holds the order's lines, and the
		# label's own EVENT ("Label printed"), when it comes after the paper's, takes the message line.
		ts_menu && tl_wait_side "$paper printed on docs"
		tl_ok $? "$c: and says when it printed there (recent list)"
		[ "$(ls "$TS_DIR/out/docs" 2>/dev/null | grep -c '^job-')" -ge "$docs" ]
		tl_ok $? "$c: the paper arrived at the document printer"
	fi
	# Every symbol again at Verify label (the menu's, for any labelled parcel).
	ts_menu && tl_keys "$(tl_menu 'Verify label')" && tl_wait "VERIFY LABEL"
	while read -r name sym file; do
		text=$(cat "$TL_DIR/read-$c/$name.txt")
		[ -n "$text" ] || continue
		if [ "${instead#* $name }" != "$instead" ]; then
			tl_scan "$text" && ts_wait "names no parcel. Scan the"
			tl_ok $? "$c: '$name' at verify: it names no parcel, and the screen says which barcode to scan"
		else
			tl_scan "$text" && ts_wait "Label of $ref/1 already checked"
			tl_ok $? "$c: '$name' as read names the same parcel at verify"
		fi
	done < "$TL_DIR/read-$c/list"
	[ "$(tl_sql "SELECT count(*) FROM events e JOIN parcels p ON p.id = e.parcel_id WHERE p.order_ref = '$ref'
		AND e.action = 'verify'")" = 1 ]
	tl_ok $? "$c: the parcel checked once"
done

# What scanners really send, at verify.
ts_menu && tl_keys "$(tl_menu 'Verify label')" && tl_wait "VERIFY LABEL"
dpd=$(cat "$TL_DIR/read-dpd/parcel-barcode.txt")
check=$(ts_mod3736 "${dpd#%}")
for v in "]C0$dpd" "$(printf '%s' "$dpd" | tr 'A-Z' 'a-z')" "${dpd#%}" "${dpd}${check}" "${dpd#%}${check}" \
	"$dpd°" "$(printf '%s' "${dpd#%}$check" | sed 's/^\(....\)\(...\)\(....\)\(....\)\(....\)\(..\)\(...\)\(...\)\(.\)$/\1 \2 \3 \4 \5 \6 \7 \8 \9/')"; do
	tl_scan "$v" && ts_wait "Label of W1000001/1 already checked"
	tl_ok $? "DPD as sent '$v': the same parcel"
done
fedex=$(cat "$TL_DIR/read-fedex/pdf417.txt")
tl_scan "]L2$(printf '%s' "$fedex" | sed 's/\x1d/^]/g')" && ts_wait "Label of W1000008/1 already checked"
tl_ok $? "FedEx PDF417 with ]L2 and each GS typed as ^]"
ups=$(cat "$TL_DIR/read-ups/maxicode.txt")
tl_scan "]U2$(printf '%s' "$ups" | sed 's/\x1d/^]/g')" && ts_wait "Label of W1000006/1 already checked"
tl_ok $? "UPS MaxiCode with ]U2 and each GS typed as ^]"
rm=$(cat "$TL_DIR/read-royal-mail/mailmark.txt")
tl_scan "]d1$rm" && ts_wait "Label of W1000009/1 already checked"
tl_ok $? "Royal Mail DataMatrix with ]d1"
van=$(cat "$TL_DIR/read-store-van/qr.txt")
tl_scan "]Q1$(printf '%s' "$van" | tr 'A-Z' 'a-z')" && ts_wait "Label of T1000002/1 already checked"
tl_ok $? "store van QR with ]Q1, in lower case"
tl_scan "]C0$(cat "$TL_DIR/read-dhl-express/routing-barcode.txt")" \
	&& ts_wait "DHL Express's routing barcode (2L..., under the waybill): it names no parcel. Scan the WAYBILL barcode"
tl_ok $? "DHL's routing barcode with ]C0: the WAYBILL barcode to scan instead, never 'Unknown label'"
# DHL's licence plate as the reader read it: J, JD01, the carrier file's piece-prefix, the waybill.
plate=$(cat "$TL_DIR/read-dhl-express/licence-plate.txt")
prefix=$(sed -n 's/^piece-prefix *= *//p' "$top_srcdir/data/carriers/dhl-express.conf")
[ -n "$prefix" ] && [ "$plate" = "JJD01$prefix$(tl_sql "SELECT tracking FROM parcels WHERE order_ref = 'H1000004' AND status <> 'void'")" ]
tl_ok $? "DHL's licence plate as read is J + JD01 + the file's piece-prefix + the parcel's waybill ($plate)"
for v in "]C0$plate" "${plate#J}" "$(printf '%s' "$plate" | tr 'A-Z' 'a-z')" "]C0$(printf '%s' "${plate#J}" | tr 'A-Z' 'a-z')"; do
	tl_scan "$v" && ts_wait "Label of H1000004/1 already checked"
	tl_ok $? "DHL licence plate as sent '$v': the same parcel"
done
[ "$prefix" = 999999 ] && other=000000 || other=999999
tl_scan "]C0JJD01$other${plate#JJD01$prefix}" && ts_wait "Unknown label"
tl_ok $? "a licence plate of another account's prefix ending in our waybill: refused, names no parcel of ours"
[ "$(tl_sql "SELECT count(*) FROM events e JOIN parcels p ON p.id = e.parcel_id WHERE p.order_ref = 'H1000004'
	AND e.action = 'verify'")" = 1 ]
tl_ok $? "the DHL parcel still checked once"
tl_scan "]C1$(cat "$TL_DIR/read-ups/postal.txt")" && ts_wait "names no parcel. Scan the tracking barcode"
tl_ok $? "UPS's postal barcode as GS1-128 (]C1): the tracking barcode to scan instead"

# Scan-out on a handheld: every symbol that names the parcel, as read.
ts_menu
ts_menu
scanout_key=$(tl_menu Scan-out)
tl_resize 16 20
tl_wait MENU
for c in $carriers; do
	ref=${TS_ORDER[$c]}
	[ -n "$ref" ] || continue
	cage=$(ts_cage "$c")
	tl_keys "$scanout_key" && tl_wait "Scan cage" && tl_scan "$cage" && tl_wait "Scan parcel"
	tl_ok $? "$c: handheld at 16 x 20, cage $cage"
	instead=" $(ts_instead "$c" | tr '\n' ' ') "
	first=1
	while read -r name sym file; do
		text=$(cat "$TL_DIR/read-$c/$name.txt")
		[ -n "$text" ] || continue
		if [ "${instead#* $name }" != "$instead" ]; then
			tl_scan "$text" && ts_wait "names no parcel"
			tl_ok $? "$c: '$name' at scan-out: refused with the barcode to scan instead"
		elif [ $first = 1 ]; then
			tl_scan "$text" && ts_wait "$ref/1 on $cage" && tl_wait "On cage: "
			tl_ok $? "$c: '$name' as read puts the parcel on $cage"
			first=0
		else
			tl_scan "$text" && ts_wait "$ref/1 already on $cage"
			tl_ok $? "$c: '$name' as read names the same parcel at scan-out"
		fi
	done < "$TL_DIR/read-$c/list"
	[ "$(tl_sql "SELECT status || ' ' || cage FROM parcels WHERE order_ref = '$ref' AND status <> 'void'")" = "scanned_out $cage" ]
	tl_ok $? "$c: the parcel is on $cage"
	tl_keys F3 && tl_wait "Scan cage" && tl_keys F3 && tl_wait MENU
done
tl_keys "$scanout_key" && tl_wait "Scan cage" && tl_scan CAGE-DPD && tl_wait "Scan parcel" \
	&& tl_scan "$(printf '%s' "${dpd#%}$check" | tr 'A-Z' 'a-z')°" && ts_wait "W1000001/1 already on CAGE-DPD"
tl_ok $? "DPD at scan-out typed from its text in lower case, check character and degree sign"
tl_keys F3 && tl_wait "Scan cage" && tl_keys F3 && tl_wait MENU
tl_keys "$scanout_key" && tl_wait "Scan cage" && tl_scan CAGE-DHL && tl_wait "Scan parcel" \
	&& tl_scan "]C0$(printf '%s' "$plate" | tr 'A-Z' 'a-z')" && ts_wait "H1000004/1 already on CAGE-DHL"
tl_ok $? "DHL's licence plate at scan-out with ]C0, in lower case"
tl_scan "JD01$other${plate#JJD01$prefix}" && ts_wait "Unknown label"
tl_ok $? "and another account's plate refused there"
tl_keys F3 && tl_wait "Scan cage" && tl_keys F3 && tl_wait MENU

# A pack interrupted and resumed, then a parcel added: back at the bench.
tl_resize 24 80
tl_wait MENU
ref=W1000005
# By Parcelforce: its DataMatrix carries "n/N", so what the reader returns says which N each label prints.
ts_menu && tl_keys "$(tl_menu 'Override carrier')" && tl_wait "OVERRIDE" && tl_scan "$ref" \
	&& tl_wait "No. or carrier/svc" && tl_scan parcelforce/express-48 && tl_wait "Reason" && tl_scan "Heavy, Parcelforce" \
	&& ts_wait "goes by"
tl_ok $? "$ref to go by Parcelforce"
ts_locate "$ref" && ts_pack "$ref" 2
tl_ok $? "$ref packed as 1 of 2"
jobs=$((jobs + 1))
ts_wait_jobs "$jobs" && ts_decode p1 "$(ts_job "$jobs")" parcelforce && tl_wait "Label printed: $ref/1"
tl_ok $? "its first label printed and read"
tl_keys F3 && ts_wait "Parcel 1 of $ref not checked yet"
tl_ok $? "F3 at the label check: the screen says the parcel is not checked"
tl_scan "$ref" && tl_wait "Scan printed label" && ts_wait "Check parcel 1 of 2"
tl_ok $? "the ticket again: back at parcel 1's label check"
tl_scan "$(cat "$TL_DIR/read-p1/tracking.txt")" && tl_wait "Box type" && ts_wait "Parcel 2 of 2"
tl_ok $? "parcel 1's label as read: checked, now parcel 2"
tl_scan M && tl_wait "Weight g" && tl_scan 1100 && tl_wait "Scan printed label"
jobs=$((jobs + 1))
ts_wait_jobs "$jobs" && ts_decode p2 "$(ts_job "$jobs")" parcelforce && tl_wait "Label printed: $ref/2"
tl_ok $? "parcel 2 packed, its label printed and read"
tl_scan "$(cat "$TL_DIR/read-p1/tracking.txt")" && ts_wait "Label of $ref/1 already checked" \
	&& ts_wait "Now scan the label of parcel 2 of 2" && tl_wait "Scan printed label"
tl_ok $? "parcel 1's label scanned again: told so, and still waiting for parcel 2's"
tl_term_kill
tl_term_start 24 80 --terminal bench-1-term --station bench-1 --profile bench
tl_wait MENU || tl_login B3001 3333
tl_keys "$(tl_menu Pack)" && tl_wait PACK && tl_scan "$ref" && ts_wait "Check parcel 2 of 2"
tl_ok $? "terminal killed and restarted: the ticket resumes at parcel 2's label"
tl_scan "$(cat "$TL_DIR/read-p2/tracking.txt")" && tl_wait "Scan ticket"
tl_ok $? "parcel 2's label as read: the order is done at the bench"
tl_scan "$ref" && ts_wait "is packed: 2 of 2 parcels labelled and checked" && tl_wait "F4 Add"
tl_ok $? "the ticket of the packed order shows its parcels and offers Add, nothing made"
[ "$(tl_sql "SELECT count(*) FROM parcels WHERE order_ref = '$ref' AND status <> 'void'")" = 2 ]
tl_ok $? "still two parcels"
tl_keys F4 && ts_wait "Every label of $ref is then reprinted as n of 3" && tl_keys F1 && tl_wait "Box type"
tl_ok $? "Add is a choice, confirmed with F1"
tl_scan M && tl_wait "Weight g" && tl_scan 700 && ts_wait "Replace the old labels: 1, 2"
tl_ok $? "parcel 3 added: the packer is told which labels to replace"
jobs=$((jobs + 3))
ts_wait_jobs "$jobs" && tl_wait "Label printed: $ref/3"
tl_ok $? "three labels printed"
for k in 1 2 3; do
	ts_decode "n$k" "$(ts_job $((jobs - 3 + k)))" parcelforce
	n=$(sed 's/.*|//; s,/3,,' "$TL_DIR/read-n$k/datamatrix.txt")
	tl_scan "$(cat "$TL_DIR/read-n$k/tracking.txt")" && ts_wait "Label right: parcel $ref/$n"
	tl_ok $? "new label $k as read checks its parcel"
done
ts_menu && tl_keys "$(tl_menu 'Verify label')" && tl_wait "VERIFY LABEL" \
	&& tl_scan "$(cat "$TL_DIR/read-p1/tracking.txt")" && tl_wait "F1 Ack" && ts_wait "CANCELLED LABEL"
tl_ok $? "the old label of parcel 1 raises CANCELLED LABEL"
tl_keys F1 && tl_wait "cknowledged"
[ "$(tl_sql "SELECT count(*) FROM parcels WHERE order_ref = '$ref' AND status = 'verified'")" = 3 ] \
	&& [ "$(tl_sql "SELECT count(DISTINCT parcel_no) FROM parcels WHERE order_ref = '$ref' AND status = 'verified'")" = 3 ]
tl_ok $? "three parcels, each checked"
# Every label of the order says the same N, as the reader reads it: the DataMatrix's "n/N".
ts_counts () { local d; for d in "$@"; do sed 's/.*|//' "$TL_DIR/read-$d/datamatrix.txt"; echo; done | tr -s '\n' ' '; }
[ "$(ts_counts n1 n2 n3)" = "1/3 2/3 3/3 " ]
tl_ok $? "the three labels read 1/3, 2/3 and 3/3 ($(ts_counts n1 n2 n3))"
[ "$(ts_counts p1 p2)" = "1/2 2/2 " ]
tl_ok $? "the replaced ones had read 1/2 and 2/2"
[ "$(tl_sql "SELECT count(*) FROM events e JOIN parcels p ON p.id = e.parcel_id WHERE p.order_ref = '$ref'
	AND p.status = 'verified' AND e.action = 'verify'")" = 3 ]
tl_ok $? "each parcel of the order checked once"

tl_done
