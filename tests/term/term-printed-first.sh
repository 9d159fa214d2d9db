#!/bin/bash
# term-printed-first.sh: a label CUPS printed while no hub ran, then
# redirected by a supervisor, seen on two real terminals: the bench that
# packed it (24 x 80) and the supervisor's handheld (16 x 20) that asked for
# the move. The hub kills itself once it has recorded the job CUPS took
# (DSP_HUB_CRASH_AT=submit-recorded); the label comes out of the bench
# printer with no hub running; cupsd is stopped (SIGSTOP) while the hub
# starts again, so the hub cannot learn that the job is done; the
# supervisor moves it to the fallback from Print jobs; cupsd goes on. Both
# terminals show the hub's sentence (it had already printed at label;
# reprint it to send a copy to fallback) as a warning, not "Label printed",
# whole on the handheld's message line and in the bench's recent answers;
# F4 at the handheld reprints it at the fallback, and that print, an
# ordinary one, says "Label printed".
: "${top_srcdir:?run through make check}"
. "$top_srcdir/tests/term/termlib.sh"
. "$top_srcdir/tests/term/termprint.sh"

TF_ORDER=T1000002
TF_PARCEL=$TF_ORDER/1
TF_SAID="The label for $TF_PARCEL had already printed at label; reprint it to send a copy to fallback"

# The recent answers of a wide screen (its right half), rows joined.
tf_side ()
{
	tl_screen | perl -CSD -ne 'chomp; print substr ($_, 41), "\n" if length ($_) > 41' | tr '\n' ' ' | tr -s ' '
}

# Wait (bounded, 20 s) until the recent answers hold fixed text.
tf_wait_side ()
{
	local i=0
	while [ $i -lt 400 ]; do
		tf_side | grep -qF -- "$1" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# Wait (bounded, 20 s) for the hub started last to have died; true when SIGKILL ended it (status 137).
tf_hub_killed ()
{
	local i=0 rc
	while kill -0 "$TL_HUB_PID" 2>/dev/null && [ $i -lt 400 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	kill -0 "$TL_HUB_PID" 2>/dev/null && return 1
	wait "$TL_HUB_PID" 2>/dev/null
	rc=$?
	TL_HUB_PID=
	[ "$rc" = 137 ]
}

tp_start
tl_ok $? "a private cupsd with fake printers starts"
tf_printers=(--set "printer.server=$DSP_CUPS_SOCKET" --set printer.bench-1.label=label
	--set station.bench-1.group=benches --set printer.group.benches.fallback=fallback)
# Nothing prints before the pack: the first job CUPS takes is the one the hub dies on.
DSP_HUB_CRASH_AT=submit-recorded tl_hub_start "${tf_printers[@]}"
tl_ok $? "hub starts, to die once it has recorded a job CUPS took"
tl_term_start 24 80 --terminal bench-1-term --station bench-1 --profile bench
tl_login B2001 2222
tl_ok $? "packer logged in at the bench (24 x 80)"
[ "$TL_FAILED" -eq 0 ] || tl_done

# Received, located and packed at the bench.
tl_keys "$(tl_menu Receive)" && tl_wait "Scan ticket" && tl_scan $TF_ORDER && tl_wait "Go to MW-R1-A04" \
	&& tl_keys F4 && tl_wait "Scan location" && tl_scan MW-R1-A04 && tl_wait "Scan item" && tl_scan MW-SHT-2210 \
	&& tl_wait "Next: pack" && tl_keys F3 && tl_wait MENU
tl_ok $? "$TF_ORDER received and located"
tl_keys "$(tl_menu Pack)" && tl_wait "PACK" && tl_scan $TF_ORDER && tl_wait "Parcels (Enter=1)" \
	&& tl_keys Enter && tl_wait "Box type" && tl_scan M && tl_wait "Weight g" && tl_scan 900
tl_ok $? "$TF_ORDER packed"
tf_hub_killed && grep -q "killed at submit-recorded" "$TL_DIR/hub.log"
tl_ok $? "the hub killed itself (SIGKILL) once it had recorded the job CUPS took"
tp_wait_count label 1
tl_ok $? "with no hub running, the label came out of the bench printer"
i=0
while [ -n "$(lpstat -h "$DSP_CUPS_SOCKET" -o label 2>&1)" ] && [ $i -lt 200 ]; do
	sleep 0.05
	i=$((i + 1))
done
[ -z "$(lpstat -h "$DSP_CUPS_SOCKET" -o label 2>&1)" ]
tl_ok $? "and CUPS has finished the job"
cupsd=$(cat "$TP_DIR/run/cupsd.pid" 2>/dev/null)
[ -n "$cupsd" ] && kill -STOP "$cupsd"
tl_ok $? "cupsd stopped (SIGSTOP): the hub cannot learn the job is done"
rm -f "$TL_DIR/hub.sock"
tl_hub_start "${tf_printers[@]}"
tl_ok $? "the hub starts again"
tl_wait "HUB OK" && tl_wait "Scan printed label"
tl_ok $? "the bench is back with the hub, its pack answered"
[ "$(tl_sql "SELECT j.status || ' ' || j.printer FROM label_jobs j JOIN parcels p ON p.id = j.parcel_id
	WHERE p.order_ref = '$TF_ORDER'")" = "submitted label" ]
tl_ok $? "the hub still has the job as submitted at label (CUPS has not said)"

# The supervisor, on a handheld, moves it to the fallback from Print jobs.
tl_use office
tl_term_start 16 20 --terminal office-term --station office --profile handheld
tl_login B3001 3333
tl_ok $? "supervisor logged in on a handheld (16 x 20)"
tl_keys "$(tl_menu_key 'Print jobs')" && tl_wait "PRINT JOBS: ALL" && tl_wait_main "1 label $TF_PARCEL"
tl_ok $? "Print jobs lists every station's jobs, the bench's label among them"
# At 20 columns the keys go by their short forms (F2 Redir).
tl_keys 1 && tl_wait "F2 Redir" && tl_keys F2 && tl_wait_re "^Printer" && tl_scan fallback \
	&& tl_wait_main "goes to fallback"
tl_ok $? "the supervisor redirects it to the fallback: the hub takes the move"
kill -CONT "$cupsd"
tl_ok $? "cupsd goes on (SIGCONT)"

# What the supervisor sees: the hub's sentence, whole, as a warning, with F4.
tl_wait_main "$TF_SAID" 600
tl_ok $? "the handheld shows the hub's sentence, whole across its rows"
tl_settle
echo "# the handheld:" && tl_screen | sed 's/^/#   |/'
tl_main | grep -q '^!! The label for'
tl_ok $? "  as a warning (!!), not as OK"
! tl_main | tr '\n' ' ' | tr -s ' ' | grep -qF "Label printed: $TF_PARCEL"
tl_ok $? "  and nowhere 'Label printed: $TF_PARCEL'"
tl_wait_main "F4 reprint" 40 && tl_wait_main "F4 Reprint" 40
tl_ok $? "  F4 offered to reprint it"
grep -F "terminal bench-1-term and office-term: label job" "$TL_DIR/hub.log" | grep -qF "($TF_PARCEL) printed: $TF_SAID"
tl_ok $? "the hub told both terminals"

# What the bench sees: the same sentence as a warning, then in its recent answers.
tl_use dsp
tl_wait_main "$TF_SAID" 200
tl_ok $? "the bench shows the hub's sentence"
tl_main | grep -q '^!! The label for'
tl_ok $? "  as a warning (!!)"
tl_screen | tr '\n' ' ' | tr -s ' ' | grep -qF "F4 Reprint"
tl_ok $? "  F4 offered to the packer too"
tl_keys F3 && tl_wait_joined "not checked yet" && tl_keys F3 && tl_wait MENU && tf_wait_side "Recent"
tl_ok $? "back at the menu, the recent answers show"
tf_wait_side "!! $TF_SAID" && ! tf_side | grep -qF "OK Label printed: $TF_PARCEL"
tl_ok $? "  with the hub's sentence as a warning, and no 'Label printed'"
[ "$(tp_count fallback)" = 0 ] && [ "$(tp_count label)" = 1 ]
tl_ok $? "nothing was sent to the fallback: the label printed once, at label"

# F4 at the handheld: the copy the supervisor asked for, an ordinary print.
tl_use office
tl_keys F4 && tp_wait_count fallback 1
tl_ok $? "F4 at the handheld: a copy comes out of the fallback printer"
[ "$(tl_sql "SELECT count(*) FROM events WHERE action = 'reprint'")" = 1 ]
tl_ok $? "  sent as a reprint (audited)"
tl_wait_main "Label printed: $TF_PARCEL"
tl_ok $? "  and that print, an ordinary one, says 'Label printed: $TF_PARCEL'"
tl_main | grep -q "^OK Label printed:"
tl_ok $? "  as OK"

tl_done
