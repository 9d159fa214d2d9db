#!/bin/sh
# cups-private.sh: the private cupsd script starts cupsd, fake printers and
# queues (each marked with the format it takes), switches a fake printer off
# and on, restarts cupsd alone keeping its jobs, restarts everything, a
# stopped (SIGSTOP) cupsd included, and stops everything it started, safely
# twice.
. "${top_srcdir:-.}/tests/printers/print-test.sh"

print_test_start
ok $? "start a private cupsd"
D=$print_test_dir
check "its local socket exists" test -S "$DSP_CUPS_SOCKET"
lpstat -h "$DSP_CUPS_HOST" -r 2>/dev/null | grep -q "is running"
ok $? "it answers on its loopback port $DSP_CUPS_HOST"
lpstat -h "$DSP_CUPS_SOCKET" -v 2>/dev/null | grep -q "label: socket://127.0.0.1:$DSP_PORT_label"
ok $? "the label queue goes to its fake printer"
[ "$(lpstat -h "$DSP_CUPS_SOCKET" -p 2>/dev/null | grep -c '^printer')" = 3 ]
ok $? "three queues"
grep -q '^Browsing Off' "$D/cups/cupsd.conf"
ok $? "no browsing"
grep -q '^ *JobPrivateValues default' "$D/cups/cupsd.conf" && grep -q '^PreserveJobHistory Yes' "$D/cups/cupsd.conf"
ok $? "job names private to their owner, history kept (CUPS's defaults)"
marks=""
for q in label fallback docs; do
	marks="$marks $q=$(lpoptions -h "$DSP_CUPS_SOCKET" -p "$q" 2>/dev/null | tr ' ' '\n' | sed -n 's/^despatch-format=//p')"
done
[ "$marks" = " label=zpl fallback=zpl docs=pdf" ]
ok $? "each queue is marked with what it takes:$marks"
if [ "$(id -u)" = 0 ]; then
	[ "$(ps -o user= -p "$(cat "$D/run/cupsd.pid")")" = nobody ]
	ok $? "as root, cupsd runs as nobody"
else
	ok 0 "not root: cupsd runs as $(id -un) # SKIP not root"
fi

printf '^XA^FDcups-private^FS^XZ\n' > "$D/label.zpl"
lp -h "$DSP_CUPS_SOCKET" -d label "$D/label.zpl" >/dev/null 2>&1
ok $? "lp sends a job"
print_test_wait_count label 1 && cmp -s "$D/label.zpl" "$D/out/label/job-0001.zpl"
ok $? "the fake printer saved it byte-for-byte as job-0001.zpl"

pid=$(cat "$D/run/label.pid")
check "printer-down label" "$CUPS_PRIVATE" printer-down "$D" label
! print_test_alive "$pid"
ok $? "the label fake printer is gone"
check "printer-down again is harmless" "$CUPS_PRIVATE" printer-down "$D" label
check "printer-up label" "$CUPS_PRIVATE" printer-up "$D" label
[ "$(cat "$D/run/label.port")" = "$DSP_PORT_label" ]
ok $? "on the same port"
lp -h "$DSP_CUPS_SOCKET" -d label "$D/label.zpl" >/dev/null 2>&1
print_test_wait_count label 2 && cmp -s "$D/label.zpl" "$D/out/label/job-0002.zpl"
ok $? "numbering carries on after a restart: job-0002.zpl"
"$CUPS_PRIVATE" printer-down "$D" nope 2>"$D/err"
[ $? = 1 ] && grep -q "no queue 'nope'" "$D/err"
ok $? "an unknown queue is refused: $(cat "$D/err")"

port=$(cat "$D/run/cupsd.port") pid=$(cat "$D/run/cupsd.pid")
check "restart cupsd alone" "$CUPS_PRIVATE" restart "$D"
[ "$(cat "$D/run/cupsd.port")" = "$port" ] && [ "$(cat "$D/run/cupsd.pid")" != "$pid" ] && ! print_test_alive "$pid"
ok $? "a new cupsd on the same port"
lpstat -h "$DSP_CUPS_SOCKET" -W completed -o 2>/dev/null | grep -c '^label-' | grep -q '^2$'
ok $? "it still has the two completed jobs"
"$CUPS_PRIVATE" restart "$D/never" 2>"$D/err"
[ $? = 1 ] && grep -q "nothing to restart" "$D/err"
ok $? "restart of a folder never started is refused: $(cat "$D/err")"

old=$(cat "$D"/run/*.pid)
kill -STOP "$(cat "$D/run/cupsd.pid")"
check "start again restarts everything, a stopped cupsd too" "$CUPS_PRIVATE" start "$D" --fake-printer "$FAKE_PRINTER"
alive=0
for p in $old; do print_test_alive "$p" && alive=$((alive + 1)); done
ok $alive "the old processes are gone"

pids=$(cat "$D"/run/*.pid)
check "stop" "$CUPS_PRIVATE" stop "$D"
alive=0
for p in $pids; do print_test_alive "$p" && alive=$((alive + 1)); done
ok $alive "nothing it started is left running"
check "stop again is harmless" "$CUPS_PRIVATE" stop "$D"
check "stop on a folder never started is harmless" "$CUPS_PRIVATE" stop "$D/never"
"$CUPS_PRIVATE" 2>/dev/null
ok $([ $? = 2 ] && echo 0 || echo 1) "no arguments: usage, exit 2"
print_test_done
