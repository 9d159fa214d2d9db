#!/bin/bash
# term-super.sh: the supervisor's screens at 16 x 20, 8 x 40 and 24 x 80,
# against a real hub and a private cupsd with fake printers. At each size:
# an order short at locate and refused at pack, both telling the operator
# which screen a supervisor uses; the supervisor walks the menus to it,
# releases the part-shipment, and the order is packed, its label read back
# from what the fake printer received and scanned at the bench. A badge
# locked by wrong PINs is unlocked there and logs in. A carrier's numbers
# run out at pack, a supervisor tops the range up, and the parcel is
# labelled from the new range. The close-out's receipt, stuck at a
# handheld with no printer, is sent to the document printer from Print
# jobs and printed by the private cupsd; the close-out is reopened and
# closed again; a despatch ticket is reprinted and read back; the printers
# are listed. Then the other refusals that send someone to a supervisor
# (a hold, an undo others built on, a parcel no carrier takes) are walked
# to their screens too.
: "${top_srcdir:?run through make check}"
. "$top_srcdir/tests/term/termlib.sh"
. "$top_srcdir/tests/term/termprint.sh"

# Every screen a message may name, with the title it shows.
TS_SCREENS=(
	"Supervisor > Part-shipments:PART-SHIPMENTS"
	"Supervisor > Unlock badge:UNLOCK BADGE"
	"Supervisor > Number ranges:NUMBER RANGES"
	"Supervisor > Reprint ticket:REPRINT TICKET"
	"Supervisor > Reopen close-out:REOPEN CLOSE-OUT"
	"Supervisor > Printers:PRINTERS"
	"Print jobs:PRINT JOBS"
	"Override carrier:OVERRIDE"
	"Release:RELEASE"
	"Hold:HOLD"
)

# The screen the message on the screen names after "Ask a supervisor: ".
ts_asked ()
{
	local joined s
	joined=$(tl_main | tr '\n' ' ' | tr -s ' ')
	for s in "${TS_SCREENS[@]}"; do
		case "$joined" in
		*"Ask a supervisor: ${s%%:*}"*) echo "${s%%:*}"; return 0 ;;
		esac
	done
	return 1
}

# The title the named screen shows.
ts_title ()
{
	local s
	for s in "${TS_SCREENS[@]}"; do
		[ "${s%%:*}" = "$1" ] && echo "${s#*:}" && return 0
	done
	return 1
}


# From the main menu, down the path ("Supervisor > Unlock badge") to its screen.
ts_walk ()
{
	local path=$1 seg key title
	title=$(ts_title "$path") || return 1
	while [ -n "$path" ]; do
		seg=${path%% > *}
		key=$(tl_menu_key "$seg") || { echo "# no menu item $seg"; return 1; }
		tl_keys "$key"
		if [ "$seg" = "$path" ]; then
			path=
		else
			path=${path#* > }
			tl_wait SUPERVISOR || return 1
		fi
	done
	tl_wait_re "^$title" 
}

# Back to the main menu from anywhere.
ts_menu ()
{
	local i=0
	while ! tl_row 0 | grep -q '^MENU' && [ $i -lt 6 ]; do
		tl_keys F3
		tl_wait_re '^(MENU|SUPERVISOR)' 40
		i=$((i + 1))
	done
	tl_row 0 | grep -q '^MENU'
}

ts_as ()
{
	ts_menu && tl_logout && tl_login "$1" "$2"
}

# Answer Pack's questions (one parcel, a box, a weight) until what is asked for shows.
ts_pack_until ()
{
	local want=$1 weight=${2:-900} i=0 j asked
	while [ $i -lt 12 ]; do
		tl_main | tr '\n' ' ' | tr -s ' ' | grep -qF -- "$want" && return 0
		asked=
		if tl_main | grep -q "Parcels"; then
			asked=Parcels && tl_keys Enter
		elif tl_main | grep -q "Box type"; then
			asked="Box type" && tl_scan M
		elif tl_main | grep -q "Weight g"; then
			asked="Weight g" && tl_scan "$weight"
		else
			tl_wait_re "Parcels|Box type|Weight g|$want" 40
		fi
		# Until the screen moves on from the question answered: a loaded machine answers late,
		# and the same answer twice would be a second request.
		j=0
		while [ -n "$asked" ] && tl_main | grep -qF "$asked" && [ $j -lt 400 ]; do
			sleep 0.05
			j=$((j + 1))
		done
		i=$((i + 1))
	done
	tl_main | tr '\n' ' ' | tr -s ' ' | grep -qF -- "$want"
}

# The Royal Mail number a reader decodes from the newest label at queue label.
ts_label_number ()
{
	tp_decode "$(tp_latest label)" | grep -E '^[A-Z]{2}[0-9]{9}GB$' | head -1
}

# Printers, asked again (F1) until TEXT shows: a job just sent is printing until the spooler hears it printed.
ts_printers_until ()
{
	local i=0
	while [ $i -lt 40 ]; do
		tl_page_to "$1" && return 0
		tl_keys F1 && tl_wait_re "^PRINTERS" 40 && tl_keys PgUp && tl_keys PgUp && tl_keys PgUp
		i=$((i + 1))
	done
	return 1
}

# After F1 at Close-out: manifest N made at the hub, and its line on the screen (paged to: a
# warning can leave a small screen's body a row).
ts_closed_out ()
{
	local i=0
	while [ "$(tl_sql "SELECT count(*) FROM manifests WHERE id = $1")" != 1 ] && [ $i -lt 400 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	tl_page_to "Manifest $1"
}

# ts_wait_main_any TEXT...: wait (at most 20 s) until the main column, joined, holds one of the fixed TEXTs:
# a command's answer, or the EVENT that follows it onto the message line (a paper printed).
ts_wait_main_any ()
{
	local i=0 joined t
	while [ $i -lt 400 ]; do
		joined=$(tl_main | tr '\n' ' ' | tr -s ' ')
		for t in "$@"; do
			case "$joined" in
			*"$t"*) return 0 ;;
			esac
		done
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# Locate every line of an order at Locate (the lines given as LOCATION:SKU).
ts_locate ()
{
	local order=$1 pair
	shift
	tl_keys "$(tl_menu_key Locate)" && tl_wait "Scan ticket" && tl_scan "$order" || return 1
	for pair in "$@"; do
		tl_wait "Go to ${pair%%:*}" && tl_scan "${pair%%:*}" && tl_wait "Scan item" && tl_scan "${pair#*:}" || return 1
	done
	tl_wait_main "Next: pack" && ts_menu
}

# Pack one parcel of order $1 at the bench, scan the printed label: the number scanned.
ts_pack_verify ()
{
	local before n
	before=$(tp_count label)
	tl_keys "$(tl_menu_key Pack)" && tl_wait "Scan ticket" && tl_scan "$1" && ts_pack_until "Scan printed label" \
		&& tp_wait_count label $((before + 1)) && tl_wait_main "Label printed: $1/" || return 1
	n=$(ts_label_number)
	[ -n "$n" ] || return 1
	tl_scan "$n" && tl_wait "Scan ticket" && ts_menu && echo "$n"
}

tl_demo "$top_srcdir/tests/term/queue-orders.csv"
tp_start
tl_ok $? "a private cupsd with fake printers starts"
tl_hub_start --set "printer.server=$DSP_CUPS_SOCKET" --set printer.bench-1.label=label --set printer.bench-1.document=docs \
	--set station.bench-1.group=benches --set printer.group.benches.fallback=fallback
tl_ok $? "hub starts with the test orders and the bench's printers"
[ "$TL_FAILED" -eq 0 ] || tl_done

for size in 16x20 8x40 24x80; do
	rows=${size%x*} cols=${size#*x}
	k=$((${k:-0} + 1))
	profile=handheld
	[ "$cols" -ge 80 ] && profile=bench
	echo "# at $rows x $cols"
	tl_term_start "$rows" "$cols" --terminal tl-term --station bench-1 --profile $profile
	tl_login B1001 1111
	tl_ok $? "$size: porter logged in"

	# A part-shipment: short at locate, refused at pack, released by a supervisor, packed.
	order=Q300000$k
	tl_keys "$(tl_menu_key Locate)" && tl_wait "Scan ticket" && tl_scan $order && tl_wait "Go to KT-R1-A0$k" \
		&& tl_scan KT-R1-A0$k && tl_wait "Scan item" && tl_scan KT-MUG-000$k && tl_wait "Go to BK-R2-B0$k" \
		&& tl_scan BK-R2-B0$k && tl_wait "Scan item" && tl_keys F4 && tl_wait "Qty found" && tl_scan 0 \
		&& tl_wait_main "Part-shipment?"
	tl_ok $? "$size: line 2 of $order short at locate"
	[ "$(ts_asked)" = "Supervisor > Part-shipments" ]
	tl_ok $? "$size: the warning names the screen where a supervisor decides: $(ts_asked)"
	ts_as B2001 2222
	tl_keys "$(tl_menu_key Pack)" && tl_wait "Scan ticket" && tl_scan $order && tl_wait_main "Ask a supervisor" \
		&& ! tl_main | grep -qE "Parcels|Box type|Weight g"
	tl_ok $? "$size: pack refuses $order at its ticket while the short line is undecided, before asking parcels, box or weight"
	[ "$(ts_asked)" = "Supervisor > Part-shipments" ]
	tl_ok $? "$size: and names the same screen: $(ts_asked)"
	ts_as B3001 3333
	ts_walk "Supervisor > Part-shipments"
	tl_ok $? "$size: the supervisor walks the menus to Part-shipments"
	tl_page_to "$order"
	tl_ok $? "$size: $order waits there for the decision"
	tl_keys "$(tl_main | sed -n "s/^\(.\) $order .*/\1/p" | head -1)" && tl_wait_main "Short: 2 BK-ATL-000$k 0/1 short" \
		&& tl_wait "F1 Release"
	tl_ok $? "$size: chosen: what is short, and F1 Release"
	tl_keys F1 && tl_wait "Reason" && tl_scan "customer agreed by phone" && tl_wait_main "released for part-shipment"
	tl_ok $? "$size: released with the reason"
	[ "$(tl_sql "SELECT part_release FROM orders WHERE ref = '$order'")" = "customer agreed by phone" ]
	tl_ok $? "$size: the hub holds the release and its reason"
	! tl_main | grep -q "^. $order "
	tl_ok $? "$size: no longer in the list"
	ts_as B2001 2222
	number=$(ts_pack_verify $order)
	tl_ok $? "$size: $order packed, its label read back ($number) and scanned at the bench"
	[ "$(tl_sql "SELECT status FROM parcels WHERE order_ref = '$order'")" = verified ]
	tl_ok $? "$size: the parcel of the part-shipment is checked"

	# A badge locked after five wrong PINs, unlocked by a supervisor, then logged in.
	ts_menu && tl_logout
	for i in 4 3 2 1 0; do
		want="($i left)"
		[ $i = 0 ] && want="Badge locked"
		tl_wait "Scan badge" && tl_scan B1001 && tl_wait "PIN" && tl_scan 0000 && tl_wait_main "$want" || break
	done
	tl_wait_main "Badge locked after 5 wrong PINs"
	tl_ok $? "$size: the fifth wrong PIN locks B1001"
	[ "$(ts_asked)" = "Supervisor > Unlock badge" ]
	tl_ok $? "$size: the refusal names the screen: $(ts_asked)"
	tl_scan B1001 && tl_wait "PIN" && tl_scan 1111 && tl_wait_main "Badge locked"
	tl_ok $? "$size: the right PIN is refused while locked"
	tl_login B3001 3333
	ts_walk "Supervisor > Unlock badge" && tl_page_to "B1001 Ada Porter: locked"
	tl_ok $? "$size: Unlock badge lists B1001, locked"
	tl_keys "$(tl_main | sed -n 's/^\(.\) B1001 .*/\1/p' | head -1)" && tl_wait "Reason" && tl_scan "new PIN card $k" \
		&& tl_wait_main "unlocked: they can log in now"
	tl_ok $? "$size: unlocked with a reason"
	[ "$(tl_sql "SELECT count(*) FROM events WHERE action = 'unlock' AND operator = 'B3001' AND detail LIKE '%new PIN card $k%'")" = 1 ]
	tl_ok $? "$size: the unlock is in the audit trail, with who and why"
	ts_as B1001 1111
	tl_ok $? "$size: B1001 logs in"

	# A carrier's numbers used up at pack; a supervisor tops the range up; the parcel is labelled.
	order=Q300003$k
	ts_locate $order HW-R4-D0$k:HW-TEA-000$k
	tl_ok $? "$size: $order located"
	sqlite3 "$TL_DB" "UPDATE ranges SET next = last + 1 WHERE carrier = 'royal-mail'"
	ts_as B2001 2222
	tl_keys "$(tl_menu_key Pack)" && tl_wait "Scan ticket" && tl_scan $order && ts_pack_until "Ask a supervisor"
	tl_ok $? "$size: no Royal Mail number left: the parcel is packed, not labelled"
	[ "$(ts_asked)" = "Supervisor > Number ranges" ]
	tl_ok $? "$size: the refusal names the screen: $(ts_asked)"
	ts_as B3001 3333
	ts_walk "Supervisor > Number ranges" && tl_page_to "royal-mail RBGB: 0 left USED UP"
	tl_ok $? "$size: Number ranges lists Royal Mail's range"
	last=$(tl_sql "SELECT max(last) FROM ranges WHERE carrier = 'royal-mail'")
	tl_keys "$(tl_main | sed -n 's/^\(.\) royal-mail RBGB.*/\1/p' | tail -1)" && tl_wait "First" \
		&& tl_wait_main "Enter=$((last + 1))" && tl_keys Enter && tl_wait "Last" && tl_scan $((last + 1000)) \
		&& tl_wait_main "1000 numbers added"
	tl_ok $? "$size: topped up from $((last + 1)) (offered) to $((last + 1000))"
	[ "$(tl_sql "SELECT count(*) FROM ranges WHERE carrier = 'royal-mail' AND first = $((last + 1)) AND last = $((last + 1000))")" = 1 ]
	tl_ok $? "$size: the hub holds the new range"
	ts_as B2001 2222
	number=$(ts_pack_verify $order)
	tl_ok $? "$size: the parcel is labelled from the new range and its label scanned ($number)"
	[ "$(tl_sql "SELECT count(*) FROM parcels WHERE order_ref = '$order' AND status = 'verified' AND tracking = '$number'")" = 1 ] \
		&& [ "$((10#$(echo "$number" | cut -c3-10)))" -gt "$last" ]
	tl_ok $? "$size: its number ($number) is the new range's"

	# The close-out at a handheld with no printer: its receipt is stuck until a supervisor sends it on.
	rm_order=$order rm_number=$number
	tl_keys "$(tl_menu_key Scan-out)" && tl_wait "Scan cage" && tl_scan CAGE-RM && tl_wait "Scan parcel" \
		&& tl_scan "$rm_number" && tl_wait_main "On cage: 1" && ts_menu
	tl_ok $? "$size: $rm_order's parcel onto Royal Mail's cage"
	ts_menu && tl_logout
	tl_term_start "$rows" "$cols" --terminal tl-term --station handheld-1 --profile $profile
	tl_login B3001 3333
	tl_ok $? "$size: the supervisor at a handheld with no printer"
	jobs_before=$(tp_count docs)
	was=$(tl_sql "SELECT coalesce (max (id), 0) FROM manifests")
	tl_keys "$(tl_menu_key Close-out)" && tl_wait "Carrier" && tl_scan royal-mail && tl_wait "F1 Close" \
		&& tl_keys F1 && ts_closed_out "$((was + 1))"
	tl_ok $? "$size: Royal Mail closed out"
	manifest=$(tl_sql "SELECT max(id) FROM manifests")
	tl_wait_main "kept: no printer here. Send it on: Print jobs"
	tl_ok $? "$size: the receipt is kept, and the words say where to send it on (not 'when the printer is back')"
	ts_menu && tl_keys "$(tl_menu_key 'Print jobs')" && tl_wait "PRINT JOBS: ALL" \
		&& tl_page_to "receipt manifest $manifest: no printer, handheld-1"
	tl_ok $? "$size: Print jobs lists the stuck receipt, of any station"
	job=$(tl_sql "SELECT max(id) FROM label_jobs WHERE kind = 'receipt' AND manifest_id = $manifest")
	# The answer, or the receipt's EVENT that it printed on docs: that takes the message line from the answer.
	tl_keys "$(tl_main | sed -n "s/^\(.\) $job .*/\1/p" | head -1)" && tl_wait "F2 Redir" \
		&& tl_keys F2 && tl_wait_main "docs (document, bench-1)" && tl_scan 1 \
		&& ts_wait_main_any "The collection receipt for manifest $manifest goes to docs" \
			"manifest $manifest printed on docs"
	tl_ok $? "$size: F2 redirects it to the document printer, chosen from the hub's list"
	# Heard printed at the hub too: its EVENT then comes before the answers that follow (Reopen's).
	tp_wait_count docs $((jobs_before + 1)) && tl_wait_sql "SELECT status FROM label_jobs WHERE id = $job" printed
	tl_ok $? "$size: the private cupsd printed it on docs, and the hub heard so"
	[ "$(tp_decode "$(tp_latest docs)" | head -1)" = "$(printf '%06d' "$manifest")" ]
	tl_ok $? "$size: the fake printer's file is manifest $manifest's receipt (its Code 128 read back)"
	[ "$(tl_sql "SELECT count(*) FROM events WHERE action = 'redirect' AND detail LIKE 'receipt job % to docs'")" = $k ]
	tl_ok $? "$size: the redirect is in the audit trail"

	# Reopened, then closed again.
	ts_menu && ts_walk "Supervisor > Reopen close-out" && tl_page_to "$manifest royal-mail"
	tl_ok $? "$size: Reopen close-out lists manifest $manifest"
	tl_keys "$(tl_main | sed -n "s/^\(.\) $manifest royal-mail.*/\1/p" | head -1)" && tl_wait "Reason" \
		&& tl_scan "driver left parcel $k behind" && tl_wait_main "reopened"
	tl_ok $? "$size: reopened with the reason"
	[ "$(tl_sql "SELECT status || ' ' || reopen_reason FROM manifests WHERE id = $manifest")" = "reopened driver left parcel $k behind" ] \
		&& [ "$(tl_sql "SELECT status FROM parcels WHERE order_ref = '$rm_order'")" = scanned_out ]
	tl_ok $? "$size: the hub holds it reopened; the parcel is back on the cage"
	ts_menu && tl_keys "$(tl_menu_key Close-out)" && tl_wait "Carrier" && tl_scan royal-mail && tl_wait "F1 Close" \
		&& tl_keys F1 && ts_closed_out "$((manifest + 1))"
	tl_ok $? "$size: closed out again"
	[ "$(tl_sql "SELECT manifest_id FROM parcels WHERE order_ref = '$rm_order'")" -gt "$manifest" ]
	tl_ok $? "$size: the parcel is in the new manifest"

	# A despatch ticket, reprinted at the bench's label printer from the handheld.
	tickets_before=$(tp_count label)
	# The line the answer adds to the body, not the answer: the ticket's EVENT, once it printed, takes the message line.
	ts_menu && ts_walk "Supervisor > Reprint ticket" && tl_keys F2 && tl_wait_main "label (label, bench-1)" \
		&& tl_keys "$(tl_main | sed -n 's/^\(.\) label (label.*/\1/p' | head -1)" && tl_wait_main "Printer: label" \
		&& tl_scan Q300000$k && tl_wait_main "Ticket Q300000$k: print job"
	tl_ok $? "$size: Reprint ticket, to the printer chosen"
	tp_wait_count label $((tickets_before + 1)) && [ "$(tp_decode "$(tp_latest label)")" = "Q300000$k" ]
	tl_ok $? "$size: the ticket the fake printer received reads Q300000$k"
	if [ "$cols" -ge 60 ]; then
		# Told as a ticket, not as a label to scan onto a parcel (the recent answers, at the menu).
		tl_wait_sql "SELECT count(*) FROM label_jobs WHERE kind = 'ticket' AND order_ref = 'Q300000$k' AND status = 'printed'" 1 \
			&& ts_menu && tl_wait_side "Printed: despatch ticket Q300000$k on label" \
			&& ! tl_side | grep -qF "Label printed: Q300000$k"
		tl_ok $? "$size: the handheld hears the despatch ticket printed, called a ticket, not a label"
	fi

	# The printers, as the hub last saw them.
	ts_menu && ts_walk "Supervisor > Printers" && ts_printers_until "label (label, bench-1): ok" \
		&& tl_page_to "docs (document, bench-1): ok" && tl_page_to "fallback (label, group benches): no jobs yet"
	tl_ok $? "$size: Printers lists every printer with its state"
	ts_menu && tl_logout
	tl_term_start "$rows" "$cols" --terminal tl-term --station bench-1 --profile $profile
done

tl_done
