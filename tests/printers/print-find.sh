#!/bin/sh
# print-find.sh: when CUPS forgets. A private cupsd that keeps few jobs
# (MaxJobs 4, so at most 3 in its history): a label sent and then dropped
# from the history is "cannot tell" (exit 5), never "never sent"; so is a
# name never sent while CUPS cannot vouch for that time; the newest is
# found; a window that starts after the history's newest job is "never
# sent" (exit 6).
. "${top_srcdir:-.}/tests/printers/print-test.sh"
DP=$DESPATCH_PRINT
D=$print_test_dir

CUPS_PRIVATE_MAXJOBS=4
export CUPS_PRIVATE_MAXJOBS
print_test_start
ok $? "start a private cupsd with MaxJobs 4"
grep -q '^MaxJobs 4$' "$D/cups/cupsd.conf"
ok $? "its configuration says so"

run () {
	want=$1 what=$2
	shift 2
	"$DP" "$@" >"$D/out.txt" 2>"$D/err.txt"
	got=$?
	[ $got = "$want" ]
	ok $? "$what (exit $got)"
	[ $got = "$want" ] || sed 's/^/# /' "$D/out.txt" "$D/err.txt"
}

printf '^XA^FO40,40^A0N,30,30^FDparcel^FS^XZ\n' > "$D/l.zpl"
i=1
while [ $i -le 6 ]; do
	"$DP" send "$D/l.zpl" --printer label --title "dsp:find-test:$i label" --follow >/dev/null 2>&1 || break
	i=$((i + 1))
done
[ $i = 7 ]
ok $? "six labels sent and completed"
print_test_wait_count label 6
ok $? "all six printed"
run 0 "jobs --all" jobs --all
[ "$(grep -c '^ *[0-9]' "$D/out.txt")" = 3 ]
ok $? "CUPS remembers three of them"

run 0 "the newest is found" find dsp:find-test:6
grep -q "found, job 6 on label, completed" "$D/out.txt"
ok $? "as job 6, completed"
run 0 "so is the oldest CUPS remembers" find dsp:find-test:4
run 5 "one CUPS has forgotten: cannot tell" find dsp:find-test:1
grep -q "cannot tell: .*CUPS remembers no job from before then.*check the printer's output" "$D/out.txt"
ok $? "says CUPS may have forgotten it, and to check the printer"
run 5 "a name never sent, while CUPS cannot vouch for the time: cannot tell" find dsp:find-test:99
sleep 2
run 6 "a name never sent, asked about the last second only: never sent" find dsp:find-test:99 --within 1
grep -q "never sent" "$D/out.txt"
ok $? "says never sent"
run 1 "a bad identity" find "dsp:find test"
grep -q "is not a print job identity" "$D/err.txt"
ok $? "says it is not an identity"
print_test_done
