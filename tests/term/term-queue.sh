#!/bin/bash
# term-queue.sh: the work queues at 16 x 20, 8 x 40 and 24 x 80 against a
# real hub and a private cupsd. At each size two orders arrive; the Locate
# queue lists them oldest first, one row per department with where to go
# and the promise (a late one says so), keeps to one department on F2, and
# opens Locate on the oldest with F1 or on a row with its key. The
# Consolidation screen shows an order's lines from every department, where
# each was found and, once packed, the parcel it is in. The Pack queue
# names the order this bench takes next; F1 starts it at Pack, a row's key
# starts that one; each label is read back from what the fake printer
# received and scanned at the bench, and the order leaves the queue.
: "${top_srcdir:?run through make check}"
. "$top_srcdir/tests/term/termlib.sh"
. "$top_srcdir/tests/term/termprint.sh"


tq_menu ()
{
	local i=0
	while ! tl_row 0 | grep -q '^MENU' && [ $i -lt 6 ]; do
		tl_keys F3
		tl_wait_re '^MENU' 40
		i=$((i + 1))
	done
	tl_row 0 | grep -q '^MENU'
}

# The key of the list row that starts with text (the row's first line).
tq_row_key ()
{
	tl_main | sed -n "s/^\\(.\\) $1.*/\\1/p" | head -1
}

# tq_wait_row KEY CODE: wait (at most 20 s) for the list row under KEY to be the order CODE.
tq_wait_row ()
{
	local i=0
	while [ $i -lt 400 ]; do
		tl_main | grep -q "^$1 $2" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# The row number (from 0) of the first screen row holding text, or 99.
tq_row_of ()
{
	local n
	n=$(tl_main | grep -nF -- "$1" | head -1 | cut -d: -f1)
	echo $((${n:-100} - 1))
}

# Every key the screen says acts, each still saying what it does: "F1 Next" ... on the key line(s).
tq_keys_shown ()
{
	local joined k
	joined=$(tl_screen | tr '\n' ' ' | tr -s ' ')
	for k in "$@"; do
		case "$joined" in
		*"$k"*) ;;
		*) echo "# key not shown: $k"; return 1 ;;
		esac
	done
}

# Answer Pack's questions (one parcel, a box, a weight) until the label is asked for.
tq_pack_label ()
{
	local i=0 j asked
	while [ $i -lt 12 ]; do
		tl_screen | grep -q "Scan printed label" && return 0
		asked=
		if tl_screen | grep -q "Parcels"; then
			asked=Parcels && tl_keys Enter
		elif tl_screen | grep -q "Box type"; then
			# The box types of the configuration, offered as a list: 2 is the second.
			asked="Box type" && tl_wait_main "1 Small 2 Medium 3 Large 4 Tube" 40 && tl_scan 2
		elif tl_screen | grep -q "Weight g"; then
			asked="Weight g" && tl_scan 800
		else
			tl_wait_re "Parcels|Box type|Weight g|Scan printed label" 40
		fi
		# Until the screen moves on from the question answered (a loaded machine answers late).
		j=0
		while [ -n "$asked" ] && tl_screen | grep -qF "$asked" && [ $j -lt 400 ]; do
			sleep 0.05
			j=$((j + 1))
		done
		i=$((i + 1))
	done
	tl_screen | grep -q "Scan printed label"
}

tl_demo "$top_srcdir/tests/term/queue-orders.csv"
tp_start
tl_ok $? "a private cupsd with fake printers starts"
tl_hub_start --set "printer.server=$DSP_CUPS_SOCKET" --set printer.bench-1.label=label --set printer.bench-1.document=docs \
	--set station.bench-1.group=benches --set station.bench-2.group=benches --set printer.group.benches.fallback=fallback --set pack.boxes=Small,Medium,Large,Tube
tl_ok $? "hub starts with the test orders and the bench's printers"
[ "$TL_FAILED" -eq 0 ] || tl_done

k=0
for size in 16x20 8x40 24x80; do
	rows=${size%x*} cols=${size#*x}
	k=$((k + 1))
	a=Q300001$((2 * k - 1)) b=Q300001$((2 * k))
	profile=handheld
	[ "$cols" -ge 80 ] && profile=bench
	echo "# at $rows x $cols: $a (Toys and Stationery, promised in the past) and $b"
	tl_term_start "$rows" "$cols" --terminal tl-term --station bench-1 --profile $profile
	tl_login B1001 1111
	tl_ok $? "$size: porter logged in"
	tl_keys "$(tl_menu_key Receive)" && tl_wait "Scan ticket" && tl_scan $a && tl_wait_main "$a received" \
		&& tl_scan $b && tl_wait_main "$b received" && tq_menu
	tl_ok $? "$size: $a and $b received"

	# The locate queue.
	tl_keys "$(tl_menu_key 'Locate queue')" && tl_wait "TO LOCATE" && tl_wait_main "to locate, oldest first"
	tl_ok $? "$size: the Locate queue"
	tl_wait_main "$a Toys: TY-R1-C0$k, 1 line LATE" && tl_wait_main "$a Stationery: ST-R3-A0$k, 1 line LATE" \
		&& tl_wait_main "$b Stationery: ST-R3-B0$k, 1 line"
	tl_ok $? "$size: a row per order and department: where to go, how many lines, LATE where the promise has passed"
	[ "$(tq_row_of "$a Toys")" -lt "$(tq_row_of "$b Stat")" ]
	tl_ok $? "$size: oldest received first"
	! tl_main | tr '\n' ' ' | tr -s ' ' | grep -qF "$b Stationery: ST-R3-B0$k, 1 line LATE"
	tl_ok $? "$size: an order promised later is not marked late"
	tq_keys_shown "F1 Next" "F2 Dept" "F3 Back" "F4 R"
	tl_ok $? "$size: every key says what it does"
	tl_keys F2 && tl_wait "Department" && tl_wait_re "Enter=all" && tl_scan Toys && tl_wait "TO LOCATE: Toys" \
		&& tl_wait_main "$a Toys: TY-R1-C0$k" && ! tl_main | grep -q "Stationery:"
	tl_ok $? "$size: F2 keeps to one department (Enter alone: all)"
	tl_keys F2 && tl_wait "Department" && tl_keys Enter && tl_wait_main "$b Stationery"
	tl_ok $? "$size: and Enter alone shows every department again"
	tl_keys F1 && tl_wait "LOCATE" && tl_wait "Go to TY-R1-C0$k"
	tl_ok $? "$size: F1 opens Locate on the oldest order, at its first line"
	tl_scan TY-R1-C0$k && tl_wait "Scan item" && tl_scan TY-KIT-000$k && tl_wait "Go to ST-R3-A0$k" \
		&& tl_scan ST-R3-A0$k && tl_wait "Scan item" && tl_scan ST-PEN-000$k && tl_wait_main "Next: pack"
	tl_ok $? "$size: $a located"
	tq_menu && tl_keys "$(tl_menu_key 'Locate queue')" && tl_wait_main "$b Stationery" && ! tl_main | grep -q "$a"
	tl_ok $? "$size: $a left the queue"
	tl_keys "$(tq_row_key "$b")" && tl_wait "Go to ST-R3-B0$k" && tl_scan ST-R3-B0$k && tl_wait "Scan item" \
		&& tl_scan ST-INK-000$k && tl_wait_main "Next: pack"
	tl_ok $? "$size: a row's key opens Locate on that order; $b located"

	# Consolidation: where each line of a two-department order is.
	tq_menu && tl_keys "$(tl_menu_key Consolidation)" && tl_wait "Scan ticket" && tl_scan $a \
		&& tl_wait_main "$a: 2 lines from 2 departments, 2 found"
	tl_ok $? "$size: Consolidation of $a"
	tl_page_to "Toys: 1 found of 1" && tl_page_to "Stationery: 1 found of 1" \
		&& tl_page_to "1 TY-KIT-000$k x1 Toys found at TY-R1-C0$k"
	tl_ok $? "$size: each department, and each line where it was found"

	# The pack queue, at the bench.
	tq_menu && tl_logout && tl_login B2001 2222
	tl_keys "$(tl_menu_key 'Pack queue')" && tl_wait "TO PACK" && tl_wait_main "Next: $a"
	tl_ok $? "$size: the Pack queue names $a next (the oldest ready)"
	tl_wait_main "$a 2 lines, 2 depts LATE" && tl_wait_main "$b 1 line, 1 dept"
	tl_ok $? "$size: each order with its lines and departments"
	tq_keys_shown "F1 Next" "F2 All" "F3 Back" "F4 R"
	tl_ok $? "$size: every key says what it does"
	before=$(tp_count label)
	# Printed as the hub knows it (tl_wait_printed): its EVENT then comes before any later reply, never
	# over the Pack queue's or Consolidation's answer, nor over the menu's pages while a key is looked for.
	tl_keys F1 && tl_wait "PACK" && tq_pack_label && tp_wait_count label $((before + 1)) && tl_wait_printed "$a/1"
	tl_ok $? "$size: F1 (one key) starts $a at Pack; packed, its label printed"
	number=$(tp_decode "$(tp_latest label)" | grep -E '^[A-Z]{2}[0-9]{9}GB$' | head -1)
	[ -n "$number" ] && tl_scan "$number" && tl_wait "Scan ticket"
	tl_ok $? "$size: the label read back from the printer ($number) scanned at the bench"
	# The rows, not the message line: the EVENT that $a's label printed can come after the queue's
	# reply and take the message line's place. Read whole (tl_settle): a capture taken halfway
	# through the redraw can still hold the old rows.
	tq_menu && tl_keys "$(tl_menu_key 'Pack queue')" && tl_wait "TO PACK" && tq_wait_row 1 "$b" && tl_settle \
		&& ! tl_main | grep -q "^. $a"
	tl_ok $? "$size: $a left the queue; $b is next"
	before=$(tp_count label)
	# And $b's EVENT before Consolidation pages on a small screen, or a held one reaches the next size's
	# terminal (the same id) after its first answers.
	tl_keys "$(tq_row_key "$b")" && tl_wait "PACK" && tq_pack_label && tp_wait_count label $((before + 1)) \
		&& tl_wait_printed "$b/1"
	tl_ok $? "$size: $b's key starts it at Pack"
	number=$(tp_decode "$(tp_latest label)" | grep -E '^[A-Z]{2}[0-9]{9}GB$' | head -1)
	[ -n "$number" ] && tl_scan "$number" && tl_wait "Scan ticket"
	tl_ok $? "$size: $b packed and its label scanned ($number)"
	[ "$(tl_sql "SELECT count(*) FROM parcels WHERE order_ref IN ('$a', '$b') AND status = 'verified'")" = 2 ]
	tl_ok $? "$size: both parcels checked at the bench"
	[ "$(tl_sql "SELECT group_concat (DISTINCT box) FROM parcels WHERE order_ref IN ('$a', '$b')")" = Medium ]
	tl_ok $? "$size: packed in the box chosen by its number from the configured list (Medium)"
	tq_menu && tl_keys "$(tl_menu_key Consolidation)" && tl_wait "Scan ticket" && tl_scan $a \
		&& tl_page_to "in $a/1 label checked"
	tl_ok $? "$size: Consolidation says which parcel each line went into"
	tq_menu && tl_logout
done

tl_done
