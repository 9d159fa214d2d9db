#!/bin/sh
# despatch-print.sh: the command-line tool against a private cupsd: list,
# test label, send, jobs, follow, cancel, move, resume, and a clear message
# and exit status for every bad input.
. "${top_srcdir:-.}/tests/printers/print-test.sh"
DP=$DESPATCH_PRINT
D=$print_test_dir

print_test_start
ok $? "start a private cupsd"

# run EXPECTED-STATUS "description" args...: output in $D/out.txt, errors in $D/err.txt
run () {
	want=$1 what=$2
	shift 2
	"$DP" "$@" >"$D/out.txt" 2>"$D/err.txt"
	got=$?
	[ $got = "$want" ]
	ok $? "$what (exit $got)"
	[ $got = "$want" ] || sed 's/^/# /' "$D/out.txt" "$D/err.txt"
}

run 0 "list" list
grep -q '^label  *idle  *ok  *yes' "$D/out.txt"
ok $? "list shows the label queue idle, ok, accepting"
run 0 "list over loopback TCP" --server "$DSP_CUPS_HOST" list
run 3 "unreachable server" --server /nonexistent/sock list
grep -q "cannot reach the CUPS server at /nonexistent/sock" "$D/err.txt"
ok $? "says which server it could not reach"

run 0 "test label, followed" test --printer label --follow
grep -q "completed" "$D/out.txt" && print_test_wait_count label 1 \
	&& grep -q "despatch-print test label" "$D/out/label/job-0001.zpl"
ok $? "the test label arrived"
run 0 "a 300 dpi test label" test --printer label --dpi 300
run 2 "test without a printer" test
grep -q "needs --printer" "$D/err.txt"
ok $? "says --printer is needed"
run 2 "a bad dpi" test --printer label --dpi 600

printf '^XA^FO20,20^FDparcel P-1^FS^XZ\n' > "$D/p1.zpl"
run 0 "send a ZPL file, followed" send "$D/p1.zpl" --printer label --title "parcel P-1" --follow
print_test_wait_count label 3 && cmp -s "$D/p1.zpl" "$D/out/label/job-0003.zpl"
ok $? "it arrived byte-for-byte"
printf '%%PDF-1.4\n%%%%EOF\n' > "$D/doc.pdf"
run 0 "send a PDF (format guessed)" send "$D/doc.pdf" --printer docs --follow
print_test_wait_count docs 1 && cmp -s "$D/doc.pdf" "$D/out/docs/job-0001.pdf"
ok $? "the PDF arrived byte-for-byte"
run 1 "a ZPL file sent as PDF" send "$D/p1.zpl" --printer docs --format pdf
grep -q "does not start with %PDF-" "$D/err.txt"
ok $? "says it is not a PDF"
run 1 "a missing file" send "$D/missing.zpl" --printer label
grep -q "cannot open $D/missing.zpl" "$D/err.txt"
ok $? "says which file is missing"
: > "$D/empty.zpl"
run 1 "an empty file" send "$D/empty.zpl" --printer label
run 1 "an unknown printer" send "$D/p1.zpl" --printer nope
grep -q "no printer queue 'nope'" "$D/err.txt"
ok $? "says the printer is unknown"
run 2 "a bad format" send "$D/p1.zpl" --printer label --format ps
run 2 "an unknown command" frobnicate
run 2 "a bad job id" cancel abc
run 2 "follow without a job" follow

# The printer off: the job is kept, reported, cancelled or redirected.
"$CUPS_PRIVATE" printer-down "$D" label
run 0 "send while the printer is off" send "$D/p1.zpl" --printer label --title "parcel P-2"
job=$(sed -n 's/^job \([0-9]*\) sent.*/\1/p' "$D/out.txt")
run 4 "follow gives up waiting for a printer that is off" follow "$job" --timeout 5
grep -q "printer label offline" "$D/out.txt"
ok $? "follow says the printer is offline and the job kept"
run 0 "jobs lists it" jobs
grep -q "^ *$job  *label  *processing .*parcel P-2" "$D/out.txt"
ok $? "as processing, with its title"
run 0 "cancel it" cancel "$job"
run 1 "follow a cancelled job" follow "$job"
grep -q "cancelled" "$D/out.txt"
ok $? "follow says cancelled"
run 1 "cancel it again" cancel "$job"
grep -q "already finished (cancelled)" "$D/err.txt"
ok $? "says it has already finished"
run 0 "send another while off" send "$D/p1.zpl" --printer label --title "parcel P-3"
job=$(sed -n 's/^job \([0-9]*\) sent.*/\1/p' "$D/out.txt")
run 0 "redirect it to the fallback printer" move "label-$job" fallback
run 0 "follow it to completed" follow "$job"
print_test_wait_count fallback 1 && cmp -s "$D/p1.zpl" "$D/out/fallback/job-0001.zpl"
ok $? "it arrived at the fallback printer"
run 1 "redirect to an unknown printer" move "$job" nope
"$CUPS_PRIVATE" printer-up "$D" label

# A stopped queue.
cupsdisable -h "$DSP_CUPS_SOCKET" label
run 0 "list" list
grep -q '^label  *stopped  *stopped' "$D/out.txt"
ok $? "list shows the label queue stopped"
run 0 "send to a stopped queue" send "$D/p1.zpl" --printer label
grep -q "warning: printer label is stopped" "$D/out.txt"
ok $? "warns that the queue is stopped"
run 0 "resume it" resume label
run 0 "jobs --all" jobs --all --printer label
run 1 "jobs on an unknown printer" jobs --printer nope
print_test_wait_count label 4
ok $? "the held job printed after resume"
print_test_done
