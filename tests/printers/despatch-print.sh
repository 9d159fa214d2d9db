#!/bin/sh
# despatch-print.sh: the command-line tool against a private cupsd: list,
# test label, send, jobs, follow, cancel, move, resume, format, find, and a
# clear message and exit status for every bad input. Labels and documents
# despatch-label renders go through byte for byte; damaged ones, random
# bytes and a format the queue does not take are refused and nothing of
# them reaches a printer.
. "${top_srcdir:-.}/tests/printers/print-test.sh"
DP=$DESPATCH_PRINT
DL="${top_builddir:-.}/labels/despatch-label"
SHIP="${top_srcdir:-.}/tests/labels/shipments"
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
grep -q '^label  *zpl  *idle  *ok  *yes' "$D/out.txt" && grep -q '^docs  *pdf  *idle' "$D/out.txt"
ok $? "list shows the label queue for zpl, idle, ok, accepting, and docs for pdf"
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

# Labels and documents as despatch-label renders them.
"$DL" render --carrier dpd-uk --data "$SHIP/dpd-uk.json" --format zpl -o "$D/dpd.zpl" \
	&& "$DL" render --carrier royal-mail --data "$SHIP/royal-mail.json" --format zpl --dpi 300 -o "$D/rm.zpl" \
	&& "$DL" render --carrier dpd-uk --data "$SHIP/dpd-uk.json" --format pdf -o "$D/dpd.pdf"
ok $? "despatch-label renders a DPD label, a Royal Mail one at 300 dpi, and a PDF"
run 0 "send the DPD label" send "$D/dpd.zpl" --printer label --title "dsp:shell:1 label DPD" --follow
run 0 "send the Royal Mail label" send "$D/rm.zpl" --printer label --title "dsp:shell:2 label RM" --follow
print_test_wait_count label 5 && cmp -s "$D/dpd.zpl" "$D/out/label/job-0004.zpl" \
	&& cmp -s "$D/rm.zpl" "$D/out/label/job-0005.zpl"
ok $? "both arrived byte-for-byte"
run 0 "send the PDF (format guessed)" send "$D/dpd.pdf" --printer docs --follow
print_test_wait_count docs 1 && cmp -s "$D/dpd.pdf" "$D/out/docs/job-0001.pdf"
ok $? "the PDF arrived byte-for-byte"

# Refused, each with what was wrong and what to do, and nothing reaches a printer.
labels=$(print_test_count label) docs=$(print_test_count docs)
size=$(wc -c < "$D/dpd.zpl")
head -c $((size / 2)) "$D/dpd.zpl" > "$D/half.zpl"
run 1 "a label cut in half" send "$D/half.zpl" --printer label
grep -q "not sent: .*label 1 .*has no ^XZ: the ZPL is cut short" "$D/err.txt"
ok $? "says it is cut short: $(cat "$D/err.txt")"
sed '$d' "$D/dpd.zpl" > "$D/noxz.zpl"
tail -n 1 "$D/dpd.zpl" | grep -q '^^XZ$' && ! grep -q '\^XZ' "$D/noxz.zpl"
ok $? "a label with its last line (^XZ) taken off"
run 1 "a label without ^XZ" send "$D/noxz.zpl" --printer label
grep -q "has no ^XZ" "$D/err.txt"
ok $? "says it has no ^XZ"
head -c $((size - 40)) "$D/dpd.zpl" > "$D/short.zpl"
printf '^FS\n^XZ\n' >> "$D/short.zpl"
run 1 "a label whose graphic is cut short, though it ends in ^XZ" send "$D/short.zpl" --printer label
grep -q "the ^GF graphic holds .* rows its header says" "$D/err.txt"
ok $? "says the graphic is short: $(cat "$D/err.txt")"
head -c 4096 /dev/urandom > "$D/random.bin"
run 1 "4096 random bytes" send "$D/random.bin" --printer label --format zpl
grep -q "not sent: " "$D/err.txt"
ok $? "says what is wrong: $(cat "$D/err.txt")"
run 1 "a PDF sent to the ZPL queue" send "$D/dpd.pdf" --printer label
grep -q "printer queue 'label' prints ZPL labels, and this is a PDF document: send documents to a document printer" "$D/err.txt"
ok $? "says the label printer takes ZPL, and where PDFs go"
run 1 "ZPL sent to the PDF queue" send "$D/dpd.zpl" --printer docs
grep -q "printer queue 'docs' prints PDF documents, and this is a ZPL label: send labels to a label printer" "$D/err.txt"
ok $? "says the document printer takes PDF, and where labels go"
run 1 "a ZPL file said to be a PDF" send "$D/dpd.zpl" --printer docs --format pdf
grep -q "not a PDF: it starts with '^XA" "$D/err.txt"
ok $? "says it is not a PDF"
head -c $(($(wc -c < "$D/dpd.pdf") - 100)) "$D/dpd.pdf" > "$D/cut.pdf"
run 1 "a PDF cut short" send "$D/cut.pdf" --printer docs
grep -q "does not end with %%EOF: it is cut short" "$D/err.txt"
ok $? "says the PDF is cut short"
run 1 "the test label to the PDF queue" test --printer docs
grep -q "the test label not sent: printer queue 'docs' prints PDF documents" "$D/err.txt"
ok $? "says the document printer takes PDF"
sleep 1
[ "$(print_test_count label)" = "$labels" ] && [ "$(print_test_count docs)" = "$docs" ] \
	&& ! ls "$D/out/label" "$D/out/docs" | grep -q incoming
ok $? "nothing of any of them reached a printer ($labels labels, $docs documents)"
run 0 "jobs --all" jobs --all
[ "$(grep -c '^ *[0-9]' "$D/out.txt")" = "$((labels + docs))" ]
ok $? "and CUPS holds no job for them"

# A queue that does not say what it takes, then marked.
lpadmin -h "$DSP_CUPS_SOCKET" -p spare -E -v "socket://127.0.0.1:$DSP_PORT_fallback" 2>/dev/null
run 0 "a new queue, unmarked" list
grep -q '^spare  *-  *idle' "$D/out.txt"
ok $? "list shows it without a format"
run 1 "a label to it" send "$D/p1.zpl" --printer spare
grep -q "does not say what it prints .*despatch-print format spare zpl" "$D/err.txt"
ok $? "is refused, saying how to mark it"
run 2 "format with a bad format" format spare ps
run 1 "format on an unknown queue" format nope zpl
run 0 "mark it zpl" format spare zpl
run 0 "the label to it now" send "$D/p1.zpl" --printer spare --follow
print_test_wait_count fallback 1 && cmp -s "$D/p1.zpl" "$D/out/fallback/job-0001.zpl"
ok $? "it arrived"
lpadmin -h "$DSP_CUPS_SOCKET" -x spare

# find: by the identity that starts a title.
run 0 "find a label sent" find dsp:shell:1
grep -q "dsp:shell:1: found, job [0-9]* on label, completed" "$D/out.txt"
ok $? "says where it is"
run 6 "find a label never sent" find dsp:shell:3
grep -q "never sent" "$D/out.txt"
ok $? "says it was never sent"
run 2 "find with a bad window" find dsp:shell:1 --within 0
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
print_test_wait_count fallback 2 && cmp -s "$D/p1.zpl" "$D/out/fallback/job-0002.zpl"
ok $? "it arrived at the fallback printer"
run 1 "redirect to an unknown printer" move "$job" nope
"$CUPS_PRIVATE" printer-up "$D" label

# A stopped queue.
cupsdisable -h "$DSP_CUPS_SOCKET" label
run 0 "list" list
grep -q '^label  *zpl  *stopped  *stopped' "$D/out.txt"
ok $? "list shows the label queue stopped"
run 0 "send to a stopped queue" send "$D/p1.zpl" --printer label
grep -q "warning: printer label is stopped" "$D/out.txt"
ok $? "warns that the queue is stopped"
run 0 "resume it" resume label
run 0 "jobs --all" jobs --all --printer label
run 1 "jobs on an unknown printer" jobs --printer nope
print_test_wait_count label $((labels + 1))
ok $? "the held job printed after resume"
print_test_done
