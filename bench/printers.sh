#!/bin/sh
# bench/printers.sh: printing figures, run from the top build folder after
# `make`. Starts its own private cupsd and fake printers, then, side by side
# in each round on the same queue:
#   - jobs submitted per second through libprinters (one connection, one
#     Print-Job request per job) against `lp`, one process per job;
#   - time from print_submit to the label's last byte at the fake printer,
#     one job at a time (p50 and p99 of each round).
# Then, once: how long print_submit, print_poll and print_queue take to give
# up on a cupsd stopped with SIGSTOP, against the timeout set (STALL_ROUNDS
# rounds at 500 ms and at the hub's 3000 ms); and what print_find costs
# when it reads FIND_JOBS finished jobs, against one print_poll.
# Prints a markdown table: medians of ROUNDS rounds with min-max.
#   ROUNDS=5 JOBS=200 LATENCY_JOBS=100 STALL_ROUNDS=3 FIND_JOBS=500 sh bench/printers.sh
set -u
ROUNDS=${ROUNDS:-5}
JOBS=${JOBS:-200}
LATENCY_JOBS=${LATENCY_JOBS:-100}
STALL_ROUNDS=${STALL_ROUNDS:-3}
FIND_JOBS=${FIND_JOBS:-500}
B=$(pwd)
S=${top_srcdir:-$(sed -n 's/^abs_top_srcdir = //p' "$B/Makefile" 2>/dev/null)}
for f in "$B/printers/print-bench" "$B/printers/fake-printer" "$S/printers/cups-private"; do
	[ -x "$f" ] || { echo "bench/printers.sh: $f missing: run it from the top build folder after make" >&2; exit 1; }
done
command -v lp >/dev/null || { echo "bench/printers.sh: lp missing: apt-get install cups-client" >&2; exit 1; }

D=$(mktemp -d /tmp/dsp-bench-print-XXXXXX)
trap '"$S/printers/cups-private" stop "$D" >/dev/null 2>&1; rm -rf "$D"' EXIT
trap 'exit 1' INT TERM HUP
"$S/printers/cups-private" start "$D" --fake-printer "$B/printers/fake-printer" >/dev/null || exit 1
. "$D/env"
SOCK=$DSP_CUPS_SOCKET
OUT=$DSP_OUT_label

# A 304-byte ZPL label, the size the CUPS notes measured lp with.
{
	printf '^XA^CI28^PW812^LL1218\n^FO40,40^A0N,60,60^FDBENCH PARCEL^FS\n'
	printf '^FO40,140^BY3^BCN,160,Y,N,N^FD(00)012345678901234567^FS\n'
	printf '^FO40,400^A0N,40,40^FDRoyal Mail Tracked 24^FS\n^FO20,20^GB772,1178,4^FS\n'
	printf '^FO40,480^A0N,30,30^FD1 Example Street, Exampletown^FS\n'
} > "$D/label.zpl"
head -c 304 /dev/zero | tr '\0' ' ' | cat "$D/label.zpl" - | head -c 300 > "$D/l"
printf '^XZ\n' >> "$D/l"
mv "$D/l" "$D/label.zpl"

count () { ls "$OUT" | grep -c '^job-'; }
drain () { # wait (bounded) until the fake printer has $1 jobs
	i=0
	while [ "$(count)" -lt "$1" ] && [ $i -lt 2400 ]; do sleep 0.05; i=$((i + 1)); done
	[ "$(count)" -ge "$1" ] || { echo "bench/printers.sh: only $(count) of $1 jobs reached the printer" >&2; exit 1; }
}
now_ns () { date +%s%N; }

: > "$D/lib" ; : > "$D/lp" ; : > "$D/p50" ; : > "$D/p99"
expect=$(count)
for r in $(seq 1 "$ROUNDS"); do
	"$B/printers/print-bench" submit "$SOCK" label "$JOBS" "$D/label.zpl" | awk '{print $2}' >> "$D/lib" || exit 1
	expect=$((expect + JOBS)); drain $expect

	t0=$(now_ns)
	i=0
	while [ $i -lt "$JOBS" ]; do
		lp -h "$SOCK" -d label -t "bench parcel $i" "$D/label.zpl" >/dev/null || exit 1
		i=$((i + 1))
	done
	t1=$(now_ns)
	awk -v n="$JOBS" -v ns=$((t1 - t0)) 'BEGIN { printf "%.1f\n", n / (ns / 1e9) }' >> "$D/lp"
	expect=$((expect + JOBS)); drain $expect

	"$B/printers/print-bench" latency "$SOCK" label "$LATENCY_JOBS" "$D/label.zpl" "$OUT" \
		| awk '{print $2}' | sort -n > "$D/lat" || exit 1
	expect=$((expect + LATENCY_JOBS))
	awk '{ v[NR] = $1 } END { i = int(NR * 0.50 + 0.5); if (i < 1) i = 1; print v[i] }' "$D/lat" >> "$D/p50"
	awk '{ v[NR] = $1 } END { i = int(NR * 0.99 + 0.999); if (i > NR) i = NR; print v[i] }' "$D/lat" >> "$D/p99"
done

# A stopped cupsd: every call gives up at its deadline (cupsd always continued after).
CUPSD=$(cat "$D/run/cupsd.pid")
: > "$D/stall"
for t in 500 3000; do
	kill -STOP "$CUPSD"
	"$B/printers/print-bench" stall "$SOCK" label "$STALL_ROUNDS" "$D/label.zpl" $t | sed "s/^/$t /" >> "$D/stall"
	rc=$?
	kill -CONT "$CUPSD"
	[ $rc = 0 ] || exit 1
done

# print_find over finished jobs CUPS has unloaded, against one print_poll.
expect=$((expect + FIND_JOBS))
"$B/printers/print-bench" find "$SOCK" label "$FIND_JOBS" "$D/label.zpl" > "$D/find" || exit 1
drain $expect

# median, min and max of a file of numbers
stat3 () { sort -n "$1" | awk '{ v[NR] = $1 } END { printf "%s %s %s\n", v[int((NR + 1) / 2)], v[1], v[NR] }'; }
set -- $(stat3 "$D/lib"); lib=$1 libmin=$2 libmax=$3
set -- $(stat3 "$D/lp"); lp=$1 lpmin=$2 lpmax=$3
set -- $(stat3 "$D/p50"); p50=$1 p50min=$2 p50max=$3
set -- $(stat3 "$D/p99"); p99=$1 p99min=$2 p99max=$3

echo "Printing through a private cupsd (CUPS $(cups-config --version 2>/dev/null)), $(nproc) CPUs;"
echo "$ROUNDS rounds of $JOBS jobs each way and $LATENCY_JOBS one-at-a-time jobs; 304-byte ZPL label; median (min-max)."
echo
echo "| figure | value | baseline | baseline value | ratio |"
echo "| --- | --- | --- | --- | --- |"
awk -v a="$lib" -v b="$lp" -v amin="$libmin" -v amax="$libmax" -v bmin="$lpmin" -v bmax="$lpmax" 'BEGIN {
	printf "| jobs submitted per second, libprinters | %.0f (%.0f-%.0f) | lp, one process per job | %.0f (%.0f-%.0f) | %.1fx |\n", a, amin, amax, b, bmin, bmax, a / b }'
awk -v a="$p50" -v amin="$p50min" -v amax="$p50max" 'BEGIN {
	printf "| submit to last byte at the printer, p50 | %.1f ms (%.1f-%.1f) | goal | 500 ms | %.3f |\n", a, amin, amax, a / 500 }'
awk -v a="$p99" -v amin="$p99min" -v amax="$p99max" 'BEGIN {
	printf "| submit to last byte at the printer, p99 | %.1f ms (%.1f-%.1f) | goal | 500 ms | %.3f |\n", a, amin, amax, a / 500 }'
for t in 500 3000; do
	for call in print_submit print_poll print_queue; do
		awk -v t=$t -v c=$call '$1 == t && $3 == c { print $4 }' "$D/stall" > "$D/s"
		set -- $(stat3 "$D/s")
		awk -v t=$t -v c=$call -v a="$1" -v amin="$2" -v amax="$3" 'BEGIN {
			printf "| %s against a stopped cupsd, gives up after | %.0f ms (%.0f-%.0f) | timeout set | %d ms | %.3f |\n",
			    c, a, amin, amax, t, a / t }'
	done
done
grep '^poll_ms' "$D/find" | awk '{ print $2 }' > "$D/s"; set -- $(stat3 "$D/s"); poll=$1
grep '^find_ms' "$D/find" | awk '{ print $2 }' > "$D/s"; set -- $(stat3 "$D/s"); find=$1 findmin=$2 findmax=$3
grep '^absent_ms' "$D/find" | awk '{ print $2 }' > "$D/s"; set -- $(stat3 "$D/s"); absent=$1
cold=$(sed -n 's/^find_cold_ms //p' "$D/find")
awk -v n="$FIND_JOBS" -v p="$poll" -v f="$find" -v fmin="$findmin" -v fmax="$findmax" -v c="$cold" -v a="$absent" 'BEGIN {
	printf "| print_find, %d finished jobs CUPS has unloaded (each read with Get-Job-Attributes) | %.0f ms | %d x print_poll | %.0f ms | %.2f |\n",
	    n, c, n, n * p, c / (n * p)
	printf "| print_find again, CUPS holding them (names in its job list) | %.0f ms (%.0f-%.0f) | one print_poll | %.2f ms | %.1f |\n",
	    f, fmin, fmax, p, f / p
	printf "| print_find of a name never sent, %d jobs walked | %.0f ms | one print_poll | %.2f ms | %.1f |\n", n, a, p, a / p }'
