#!/bin/sh
# bench/import.sh: orders in, at scale, against baselines measured in the same run.
#   (a) despatch import of 10,000, 100,000 and 1,000,000 one-line orders (SIZES) into an
#       empty hub database: orders per second (wall and CPU) and the peak resident size,
#       against the same rows inserted into the same schema by a minimal sqlite3 program
#       in one transaction (bench/bench-import.c); and the CPU time per order at the
#       largest size over the smallest (goal: at most 1.5).
#   (b) the hub serving 256 terminals at an operator's pace (each one receive a second)
#       for LOAD_SECS from when its inbox begins on INBOX_ORDERS orders (a window inside
#       the import, which says how long it took), against the same load without it: the
#       other terminals' p99 and p999, and the hub's peak resident size.
# Medians of RUNS runs (min-max). Run from the build folder (make bench does). Needs
# about 2 GB of free disk and GNU time (/usr/bin/time).
set -eu
B=${top_builddir:-.}
S=${top_srcdir:-.}
# Run alone (not from bench/run) the hub still finds the carriers and layouts of the source tree.
DSP_LAYOUT_PATH=${DSP_LAYOUT_PATH:-$S/data/layouts}
DSP_CARRIER_PATH=${DSP_CARRIER_PATH:-$S/data/carriers}
export DSP_LAYOUT_PATH DSP_CARRIER_PATH
RUNS=${RUNS:-3}
SIZES=${SIZES-"10000 100000 1000000"}
INBOX_ORDERS=${INBOX_ORDERS:-100000}
LOAD_SECS=${LOAD_SECS:-5}
TERMS=${TERMS:-256}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-import.XXXXXX")
. "$S/bench/port.sh"
. "$S/bench/db-copy.sh"
port=$(bench_port)
ep="tcp://127.0.0.1:$port"
spid=""
stop_hub() { if [ -n "$spid" ]; then kill "$spid" 2>/dev/null || true; wait "$spid" 2>/dev/null || true; spid=""; fi; }
trap 'stop_hub; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT INT TERM
[ -x /usr/bin/time ] || { echo "| import benchmark: needs GNU time (apt-get install time) | - | - | - | - |"; exit 0; }

# n one-line orders with prefix p, as a till export writes them.
gen() { # n prefix file
	awk -v n="$1" -v p="$2" 'BEGIN {
	print "order,channel,customer_name,address_1,town,postcode,country,service,order_value,line,sku,description,department,quantity,locations,unit_weight_g,line_value"
	for (i = 1; i <= n; i++)
		printf "%s%07d,web,Customer %d,%d High Street,London,SW1A 1AA,GB,standard,25.00,1,SKU-%d,Item %d,Dept %d,1,LOC-%d;STOCK-%d,500,25.00\n", p, i, i, i, i % 5000, i % 5000, i % 40, i % 900, i % 30 }' >"$3"
}

# An empty database with the hub's schema: despatch makes it, the empty file is refused.
empty_db() { rm -f "$1" "$1-wal" "$1-shm"; "$B/admin/despatch" --database "$1" import /dev/null >/dev/null 2>&1 || true; }

# Run a command under GNU time: "wall_s cpu_s peak_kb".
measure() {
	/usr/bin/time -f "%e %U %S %M" -o "$tmp/time" "$@" >"$tmp/out" 2>>"$tmp/err" || { cat "$tmp/err" >&2; return 1; }
	awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$tmp/time"
}

stats() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {printf "%s %s %s\n", v[int((NR+1)/2)], v[1], v[NR]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "-" }'; }
us_per() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.2f", s * 1e6 / n }'; }
num() { printf '%s' "$1" | awk '{ n = $1; s = sprintf("%d", n); out = ""; while (length(s) > 3) { out = "," substr(s, length(s) - 2) out; s = substr(s, 1, length(s) - 3) } printf "%s%s", s, out }'; }

# --- (a) sizes ------------------------------------------------------------------------
first_cpu=""; first_n=""; last_cpu=""; last_n=""
for n in $SIZES; do
	echo "bench: import: $n orders..." >&2
	gen "$n" G "$tmp/orders.csv"
	iw="" ic="" im="" bw="" bc="" bm=""
	r=0
	while [ $r -lt "$RUNS" ]; do
		empty_db "$tmp/imp.db"
		set -- $(measure "$B/admin/despatch" --database "$tmp/imp.db" import "$tmp/orders.csv")
		iw="$iw $1"; ic="$ic $2"; im="$im $3"
		grep -q "imported $n orders ($n new" "$tmp/out" || { echo "bench: import: $(cat "$tmp/out")" >&2; exit 1; }
		empty_db "$tmp/base.db"
		set -- $(measure "$B/bench/bench-import" "$tmp/base.db" "$tmp/orders.csv")
		bw="$bw $1"; bc="$bc $2"; bm="$bm $3"
		grep -q "orders=$n " "$tmp/out" || { echo "bench: baseline: $(cat "$tmp/out")" >&2; exit 1; }
		echo "bench: import $n run $((r + 1)): despatch wall/cpu/kB$iw /$ic /$im; baseline$bw /$bc /$bm" >&2
		rm -f "$tmp"/imp.db* "$tmp"/base.db*
		r=$((r + 1))
	done
	set -- $(stats $iw); iw50=$1 iwmin=$2 iwmax=$3
	set -- $(stats $ic); ic50=$1
	set -- $(stats $im); im50=$1 immax=$3
	set -- $(stats $bw); bw50=$1
	set -- $(stats $bc); bc50=$1
	set -- $(stats $bm); bm50=$1
	echo "| despatch import, $(num "$n") orders: orders/s | $(num "$(rate "$n" "$iw50")") ($(num "$(rate "$n" "$iwmax")")-$(num "$(rate "$n" "$iwmin")")) | minimal sqlite3 program, same rows, one transaction | $(num "$(rate "$n" "$bw50")") | $(ratio "$bw50" "$iw50") |"
	echo "| (same), CPU per order | $(us_per "$n" "$ic50") us | minimal sqlite3 program | $(us_per "$n" "$bc50") us | $(ratio "$ic50" "$bc50") |"
	echo "| (same), peak resident | $((im50 / 1024)) MB (max $((immax / 1024))) | minimal sqlite3 program | $((bm50 / 1024)) MB | $(ratio "$im50" "$bm50") |"
	[ -n "$first_n" ] || { first_n=$n; first_cpu=$ic50; first_wall=$iw50; }
	last_n=$n; last_cpu=$ic50; last_wall=$iw50
done
[ -z "$first_n" ] || growth=$(awk -v a="$last_cpu" -v an="$last_n" -v b="$first_cpu" -v bn="$first_n" 'BEGIN { printf "%.2f", (a / an) / (b / bn) }')
[ -z "$first_n" ] || echo "| despatch import: CPU per order at $(num "$last_n") over $(num "$first_n") | $growth | goal | 1.5 | $(ratio "$growth" 1.5) |"
[ -z "$first_n" ] || wgrowth=$(awk -v a="$last_wall" -v an="$last_n" -v b="$first_wall" -v bn="$first_n" 'BEGIN { printf "%.2f", (a / an) / (b / bn) }')
[ -z "$first_n" ] || echo "| despatch import: wall time per order at $(num "$last_n") over $(num "$first_n") | $wgrowth | goal | 1.5 | $(ratio "$wgrowth" 1.5) |"

# --- (b) the hub's terminals while its inbox imports ------------------------------------
echo "bench: import: the hub's terminals while its inbox takes $INBOX_ORDERS orders..." >&2
"$B/hub/despatch-hub" -e "ipc://$tmp/prep.sock" -d "$tmp/template.db" --demo-data "$S/data/demo" \
	-s security.curve=no 2>"$tmp/prep.log" &
spid=$!
i=0; while [ $i -lt 100 ] && [ ! -S "$tmp/prep.sock" ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.5
stop_hub
now=$(date +%s)000
per=$((LOAD_SECS + 5))
{
	echo "BEGIN;"
	echo "WITH RECURSIVE t(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM t WHERE i < $TERMS - 1)"
	echo "INSERT INTO terminals (terminal, station, operator, first_seen, last_seen, last_active)"
	echo "  SELECT printf('bench-%04d', i), 'bench', 'B2001', $now, $now, $now FROM t;"
	echo "WITH RECURSIVE t(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM t WHERE i < $TERMS - 1),"
	echo "  n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < $per)"
	echo "INSERT INTO orders (ref, channel, customer_name, status, created_at, town, postcode, country)"
	echo "  SELECT printf('BENCH-bench-%04d-%d', i, k), 'web', 'Bench Customer', 'new', $now, 'London', 'SW1A 1AA', 'GB' FROM t, n;"
	echo "INSERT INTO order_lines (order_ref, line_no, sku, department, quantity, locations, unit_weight_g)"
	echo "  SELECT ref, 1, 'SKU-1', 'Bench', 1, 'LOC-1', 500 FROM orders WHERE ref LIKE 'BENCH-%';"
	echo "COMMIT;"
} | sqlite3 "$tmp/template.db" >/dev/null
gen "$INBOX_ORDERS" N "$tmp/inbox-file.csv"

load_run() { # with_import(0/1) -> "p50 p99 p999 import_ms"
	rm -rf "$tmp/run.db"* "$tmp/inbox"
	mkdir -p "$tmp/inbox"
	bench_db_copy "$tmp/template.db" "$tmp/run.db"
	: >"$tmp/hub.log"
	"$B/hub/despatch-hub" -e "$ep" -d "$tmp/run.db" -s security.curve=no -s "hub.inbox=$tmp/inbox" \
		2>>"$tmp/hub.log" &
	spid=$!
	i=0; while [ $i -lt 200 ] && ! grep -q "listening on" "$tmp/hub.log"; do sleep 0.05; i=$((i + 1)); done
	# A hub that did not start would be measured as a load of no scans: say why instead.
	grep -q "listening on" "$tmp/hub.log" || { echo "bench: import: the hub did not start:" >&2; cat "$tmp/hub.log" >&2; stop_hub; exit 1; }
	if [ "$1" = 1 ]; then
		# The file is written under a name the inbox ignores, then renamed; the load starts once the hub
		# has begun on it, so the whole window (LOAD_SECS, shorter than the import) is during the import.
		cp "$tmp/inbox-file.csv" "$tmp/inbox/.part"
		mv "$tmp/inbox/.part" "$tmp/inbox/backfill.csv"
		i=0; while [ $i -lt 100 ] && ! grep -q "inbox backfill.csv: taking it" "$tmp/hub.log"; do sleep 0.05; i=$((i + 1)); done
	fi
	line=$("$B/bench/bench-hub" load "$ep" "$TERMS" "$LOAD_SECS" receive 1000)
	# The import goes on after the window; its time is in the log once it ends.
	i=0; while [ "$1" = 1 ] && [ $i -lt 1200 ] && ! grep -q "inbox backfill.csv: [0-9]* orders" "$tmp/hub.log"; do
		sleep 0.1; i=$((i + 1)); done
	ms="-"
	if [ "$1" = 1 ]; then
		ms=$(sed -n 's/.*inbox backfill.csv: [0-9]* orders .* in \([0-9]*\) ms.*/\1/p' "$tmp/hub.log" | tail -1)
		[ -n "$ms" ] || ms="unfinished"
	fi
	# The hub's peak resident size over the run: what the import added to it (it streams the file).
	hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$spid/status" 2>/dev/null || true)
	stop_hub
	echo "bench: import load (import $1): $line import_ms=$ms hwm_kb=${hwm:-?}" >&2
	p50=$(echo "$line" | tr ' ' '\n' | sed -n 's/^p50_us=//p')
	p99=$(echo "$line" | tr ' ' '\n' | sed -n 's/^p99_us=//p')
	p999=$(echo "$line" | tr ' ' '\n' | sed -n 's/^p999_us=//p')
	echo "$p50 $p99 $p999 $ms ${hwm:-0}"
}
a99="" a999="" b99="" b999="" bms="" ahwm="" bhwm=""
r=0
while [ $r -lt "$RUNS" ]; do
	line=$(load_run 0) || exit 1
	set -- $line; a99="$a99 $2"; a999="$a999 $3"; ahwm="$ahwm $5"
	line=$(load_run 1) || exit 1
	set -- $line; b99="$b99 $2"; b999="$b999 $3"; bms="$bms $4"; bhwm="$bhwm $5"
	r=$((r + 1))
done
set -- $(stats $a99); a99m=$1
set -- $(stats $a999); a999m=$1
set -- $(stats $b99); b99m=$1 b99min=$2 b99max=$3
set -- $(stats $b999); b999m=$1
ms=$(stats $bms | cut -d' ' -f1)
ms_f=$(awk -v m="$ms" 'BEGIN { if (m + 0 > 0) printf "%.1f s", m / 1000; else print m }')
echo "| hub: another terminal's p99 ($TERMS terminals x 1 scan/s, $LOAD_SECS s) while the inbox imports $(num "$INBOX_ORDERS") orders (in $ms_f) | $(awk -v v="$b99m" 'BEGIN{printf "%.2f", v/1000}') ms ($(awk -v v="$b99min" 'BEGIN{printf "%.2f", v/1000}')-$(awk -v v="$b99max" 'BEGIN{printf "%.2f", v/1000}')) | same load, no import | $(awk -v v="$a99m" 'BEGIN{printf "%.2f", v/1000}') ms | $(ratio "$b99m" "$a99m") |"
echo "| (same), p999 | $(awk -v v="$b999m" 'BEGIN{printf "%.2f", v/1000}') ms | same load, no import | $(awk -v v="$a999m" 'BEGIN{printf "%.2f", v/1000}') ms | $(ratio "$b999m" "$a999m") |"
set -- $(stats $ahwm); ahwmm=$1
set -- $(stats $bhwm); bhwmm=$1 bhwmmax=$3
echo "| hub: peak resident, the same run with its inbox importing $(num "$INBOX_ORDERS") orders | $((bhwmm / 1024)) MB (max $((bhwmmax / 1024))) | same load, no import | $((ahwmm / 1024)) MB | $(ratio "$bhwmm" "$ahwmm") |"
