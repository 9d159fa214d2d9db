#!/bin/bash
# term-print.sh: the bench terminal and its label printer, through a private
# cupsd with fake printers (printers/cups-private). After a pack the hub's
# EVENT says "printed"; with the printer off it says the label is kept and
# F4 sends it to the group's fallback printer, where it arrives; the Print
# jobs screen lists a kept label and redirects it; Reprint uses the reprint
# command. EVENTs never stand in for the answer to a scan. A label that
# prints while the hub restarts is told to the bench once it is back in touch;
# a terminal that restarts, or a hub that restarts between two PINGs, still
# counts what waits (the hub's HELLO answer lists it).
: "${top_srcdir:?run through make check}"
. "$top_srcdir/tests/term/termlib.sh"

TP_CUPS="$top_srcdir/printers/cups-private"
TP_FAKE="$top_builddir/printers/fake-printer"
command -v cupsd >/dev/null 2>&1 || [ -x /usr/sbin/cupsd ] || tl_skip_all "cupsd not installed"
[ -x "$TP_FAKE" ] || tl_skip_all "fake-printer not built"

TP_DIR="$TL_DIR/cups"
tp_cleanup ()
{
	"$TP_CUPS" stop "$TP_DIR" >/dev/null 2>&1
	tl_cleanup
}
trap tp_cleanup EXIT

# How many jobs the fake printer behind queue $1 has saved.
tp_count ()
{
	ls "$TP_DIR/out/$1" 2>/dev/null | grep -c '^job-'
}

# Wait (bounded) until queue $1 holds $2 jobs.
tp_wait_count ()
{
	local i=0
	while [ "$(tp_count "$1")" -lt "$2" ] && [ $i -lt 600 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	[ "$(tp_count "$1")" -ge "$2" ]
}

# Receive and locate a one-line order (its item scanned as many times as there are: $4, default 1), then back to the menu.
tp_prepare ()
{
	local n=${4:-1} i=1
	tl_keys "$(tl_menu Receive)" && tl_wait "Scan ticket" && tl_scan "$1" && tl_wait "Go to $2" \
		&& tl_keys F4 && tl_wait "Scan location" && tl_scan "$2" && tl_wait "Scan item" || return 1
	while [ "$i" -lt "$n" ]; do
		tl_scan "$3" && tl_wait "$i of $n found" || return 1
		i=$((i + 1))
	done
	tl_scan "$3" && tl_wait "Next: pack" && tl_keys F3 && tl_wait MENU
}

# Pack a received, located order as one parcel.
tp_pack ()
{
	tl_keys "$(tl_menu Pack)" && tl_wait "PACK" && tl_scan "$1" && tl_wait "Parcels (Enter=1)" \
		&& tl_keys Enter && tl_wait "Box type" && tl_scan M && tl_wait "Weight g" && tl_scan 900 \
		&& tl_wait "Scan printed label"
}

"$TP_CUPS" start "$TP_DIR" --fake-printer "$TP_FAKE" >"$TL_DIR/cups.log" 2>&1
tl_ok $? "a private cupsd with fake printers starts"
. "$TP_DIR/env"
tl_hub_start --set "printer.server=$DSP_CUPS_SOCKET" --set printer.bench-1.label=label --set printer.bench-1.document=docs \
	--set station.bench-1.group=benches --set printer.group.benches.fallback=fallback
tl_ok $? "hub starts with the bench's printers"
tl_term_start 24 80 --terminal bench-1-term --station bench-1 --profile bench
tl_login B2001 2222
tl_ok $? "packer logged in at the bench"
[ "$TL_FAILED" -eq 0 ] || tl_done
[ -n "$(tl_menu 'Print jobs')" ]
tl_ok $? "the menu offers Print jobs to a packer"

# 1. Printed.
tp_prepare T1000002 MW-R1-A04 MW-SHT-2210
tl_ok $? "order received and located"
tp_pack T1000002
tl_ok $? "packed: the pack's own answer arrives (an EVENT is not mistaken for it)"
tl_wait "Label printed: T1000002/1"
tl_ok $? "the hub's EVENT: label printed"
tl_screen | grep -q "^OK Label printed"
tl_ok $? "shown as success (OK)"
tp_wait_count label 1
tl_ok $? "the label arrived at the bench printer"
tracking=$(tl_screen | sed -n 's/^[a-z-]* \([0-9A-Z]\{8,\}\) .*/\1/p' | head -1)
tl_scan "$tracking" && tl_wait "Scan ticket"
tl_ok $? "the label scanned at verify: the screen follows the answers, not the EVENTs"
tl_keys F3 && tl_wait MENU

# 2. Printer off: kept, F4 sends it to the fallback.
"$TP_CUPS" printer-down "$TP_DIR" label >>"$TL_DIR/cups.log" 2>&1
tl_ok $? "the bench printer is switched off"
tp_prepare W1000009 ST-R1-A03 ST-NTB-0011 3 && tp_pack W1000009
tl_ok $? "second order packed with the printer off"
tl_wait_joined "Printer offline: label kept"
tl_ok $? "the terminal says the printer is offline and the label kept"
tl_wait "reprint at fallback" && tl_wait "F4 Reprint"
tl_ok $? "and offers F4 to print it at the group's fallback"
tl_screen | grep -q "^!! Printer offline"
tl_ok $? "shown as a warning (!!)"
tl_wait "P1 HUB OK"
tl_ok $? "the status line counts one label not printed (P1)"
tl_keys F4 && tp_wait_count fallback 1
tl_ok $? "F4: the label arrives at the fallback printer"
[ "$(tl_sql "SELECT count(*) FROM events WHERE action = 'redirect'")" = 1 ]
tl_ok $? "the redirect is recorded by the hub"
tl_wait "Label printed: W1000009/1"
tl_ok $? "the terminal hears it printed"
! tl_screen | grep -q "P[0-9]* HUB OK"
tl_ok $? "nothing left unprinted (P count gone)"
[ "$(tp_count label)" = 1 ]
tl_ok $? "nothing more at the switched-off bench printer"
tl_keys F3 && tl_wait_joined "not checked yet" && tl_keys F3 && tl_wait MENU

# 3. The Print jobs screen: a kept label redirected from the list.
tp_prepare W1000006 WW-R1-A01 WW-SCF-0900 && tp_pack W1000006 && tl_wait_joined "Printer offline"
tl_ok $? "third order packed, its label kept"
tl_keys F3 && tl_wait_joined "not checked yet" && tl_keys F3 && tl_wait MENU && tl_keys "$(tl_menu 'Print jobs')" && tl_wait "PRINT JOBS"
tl_wait_main "label W1000006/1: printer offline"
tl_ok $? "Print jobs lists the kept label"
tl_keys 1 && tl_wait "F2 Redirect"
tl_ok $? "one chosen: reprint, redirect offered"
tl_keys F2 && tl_wait "Printer (Enter=fallback)" && tl_keys Enter && tp_wait_count fallback 2
tl_ok $? "redirected to the fallback from the list"
tl_wait "Nothing waiting"
tl_ok $? "the list is empty again"
tl_keys F3 && tl_wait MENU

# 4. Reprint uses the reprint command.
"$TP_CUPS" printer-up "$TP_DIR" label >>"$TL_DIR/cups.log" 2>&1
tl_keys "$(tl_menu 'Reprint label')" && tl_wait "Scan parcel" && tl_scan T1000002/1 && tp_wait_count label 2
tl_ok $? "reprint: the label comes out of the bench printer again"
[ "$(tl_sql "SELECT count(*) FROM events WHERE action = 'reprint'")" = 1 ]
tl_ok $? "sent as the reprint command (audited as a reprint)"
cmp -s "$(ls "$TP_DIR"/out/label/job-* | head -1)" "$(ls "$TP_DIR"/out/label/job-* | tail -1)"
tl_ok $? "the reprint is the same label, byte for byte"
tl_keys F3 && tl_wait MENU

# 5. The hub restarted while a label waits, and the label printed before the bench was back in touch:
# the bench hears it printed once it is, and its P count goes.
"$TP_CUPS" printer-down "$TP_DIR" label >>"$TL_DIR/cups.log" 2>&1
labels=$(tp_count label)
tp_prepare H1000004 HM-R5-D01 HM-CAND-0300 2 && tp_pack H1000004 && tl_wait_joined "Printer offline: label kept"
tl_ok $? "a fourth order packed, its label kept (printer off)"
tl_wait "P1 HUB OK"
tl_ok $? "P1 on the status line"
# Its customs paper (docs is on) heard printed before the hub stops: else the hub started again hears the
# label and the paper printed at once, and the paper's EVENT, told after the label's, takes the message
# line before "Label printed" is drawn (at Pack the side column holds the order's lines, not the recent answers).
tl_wait_sql "SELECT count(*) FROM label_jobs WHERE order_ref = 'H1000004' AND kind <> 'label' AND status <> 'printed'" 0
tl_ok $? "its papers, if any, printed at docs (the hub heard so) before it stops"
tl_hub_stop && tl_wait "NO HUB"
tl_ok $? "the hub stops: NO HUB"
"$TP_CUPS" printer-up "$TP_DIR" label >>"$TL_DIR/cups.log" 2>&1 && tp_wait_count label $((labels + 1))
tl_ok $? "the printer back, CUPS prints the label with no hub running"
tl_hub_start --set "printer.server=$DSP_CUPS_SOCKET" --set printer.bench-1.label=label --set printer.bench-1.document=docs \
	--set station.bench-1.group=benches --set printer.group.benches.fallback=fallback
tl_ok $? "the hub starts again"
tl_wait "Label printed: H1000004/1"
tl_ok $? "the bench, back in touch, hears the label printed"
tl_wait "HUB OK" && ! tl_screen | grep -q "P[0-9]* HUB OK"
tl_ok $? "and the P count is gone"
[ "$(tp_count label)" = $((labels + 1)) ]
tl_ok $? "the label printed once"
tl_keys F3 && tl_wait_joined "not checked yet" && tl_keys F3 && tl_wait MENU

# 6. The terminal restarts while a label waits: the EVENT that told it is gone with the old process, and the
# hub's answer to its HELLO says what waits, so P1 is back.
"$TP_CUPS" printer-down "$TP_DIR" label >>"$TL_DIR/cups.log" 2>&1
tp_prepare B1000014 BR-HOLD-1 BR-GWN-0010 && tp_pack B1000014 && tl_wait_joined "Printer offline: label kept"
tl_ok $? "a fifth order packed, its label kept (printer off)"
tl_wait "P1 HUB OK"
tl_ok $? "P1 on the status line"
tl_keys F3 && tl_wait_joined "not checked yet" && tl_keys F3 && tl_wait MENU
tl_term_start 24 80 --terminal bench-1-term --station bench-1 --profile bench
tl_wait MENU && tl_wait "P1 HUB OK"
tl_ok $? "the terminal started again, its session resumed: P1 from the hub's HELLO answer"

# 7. The hub restarts quicker than a PING goes unanswered (its heartbeat 5 s here), and what waited was dealt
# with meanwhile (here the job cancelled in the database, as though its EVENT were lost): the first PING the new
# hub answers says it started since, the terminal HELLOs again, and the P count goes.
tp_hub7 ()
{
	tl_hub_start --set "printer.server=$DSP_CUPS_SOCKET" --set printer.bench-1.label=label \
		--set printer.bench-1.document=docs --set station.bench-1.group=benches \
		--set printer.group.benches.fallback=fallback --set hub.heartbeat_ms=5000
}
tl_hub_stop && tl_wait "NO HUB" && tp_hub7 && tl_wait "P1 HUB OK"
tl_ok $? "a hub with a heartbeat of 5 s: the terminal back in touch, P1 still"
sqlite3 "$TL_DB" "UPDATE label_jobs SET status = 'cancelled' WHERE order_ref = 'B1000014'
	OR parcel_id IN (SELECT id FROM parcels WHERE order_ref = 'B1000014')"
lines=$(wc -l <"$TL_DIR/term.log")
tl_hub_stop && tp_hub7
tl_ok $? "the hub stopped and started again at once"
i=0
while { ! tl_screen | grep -q "HUB OK" || tl_screen | grep -q "P[0-9]* HUB OK"; } && [ $i -lt 300 ]; do
	sleep 0.05
	i=$((i + 1))
done
tl_screen | grep -q "HUB OK" && ! tl_screen | grep -q "P[0-9]* HUB OK"
tl_ok $? "the P count goes, the terminal having asked the hub started since"
# A PING sent in the moment the hub was down goes unanswered: the terminal then says NO HUB and HELLOs
# anyway. Otherwise it was the PING's answer that told it.
if tail -n +"$((lines + 1))" "$TL_DIR/term.log" | grep -q "hub unreachable"; then
	tl_ok 0 "(a PING fell in the restart: the terminal HELLOed after NO HUB)"
else
	tail -n +"$((lines + 1))" "$TL_DIR/term.log" | grep -q "the hub restarted since it answered HELLO: HELLO again"
	tl_ok $? "told by the first PING's answer: its log says it HELLOed again"
fi

tl_done
