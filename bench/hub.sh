#!/bin/sh
# bench/hub.sh: the hub against its two baselines, through the real protocol.
# Run from the build folder (make bench does). Prints markdown table rows.
#   (a) bare echo: the same ROUTER/DEALER sockets, no storage (the network ceiling)
#   (b) naive durable: one insert and one synchronous=FULL commit per message
# and, with a bench's label printer on a private cupsd, another terminal's
# latency at an operator's pace while something slow happens (the workers):
# 30 terminals logging in at once, 40-parcel orders labelled as fast as the
# hub answers, one 40-parcel order labelled at a packer's pace (a parcel every
# PACK_PACE_MS), cupsd stopped for STALL_SECS with labels queued; each against
# the same load alone.
# Every figure is the median of RUNS runs, with min and max.
set -eu
B=${top_builddir:-.}
S=${top_srcdir:-.}
RUNS=${RUNS:-3}
SECS=${SECS:-3}
COUNTS=${COUNTS:-"1 16 256 1000"}
tmp=$(mktemp -d)
. "$S/bench/port.sh"
. "$S/bench/db-copy.sh"
port=$(bench_port)
ep="tcp://127.0.0.1:$port"
spid=""
stop_server() {
	if [ -n "$spid" ]; then kill "$spid" 2>/dev/null || true; wait "$spid" 2>/dev/null || true; spid=""; fi
}
cups="$tmp/cups"
cupsd_pid() { cat "$cups/run/cupsd.pid" 2>/dev/null || true; }
stop_cups() {
	[ -d "$cups" ] || return 0
	# A cupsd stopped by the stall run goes on before it is stopped; none left (its pid file
	# gone), nothing to do: under set -e a failing command here would end the script with 1.
	p=$(cupsd_pid)
	if [ -n "$p" ]; then kill -CONT "$p" 2>/dev/null || true; fi
	"$S/printers/cups-private" stop "$cups" >/dev/null 2>&1 || true
}
trap 'stop_server; stop_cups; rm -rf "$tmp"' EXIT INT TERM

# A hub database with the demo data and one logged-in session per simulated terminal.
"$B/hub/despatch-hub" -e "ipc://$tmp/prep.sock" -d "$tmp/hub-template.db" --demo-data "$S/data/demo" \
	-s security.curve=no 2>"$tmp/prep.log" &
spid=$!
for i in $(seq 1 100); do [ -S "$tmp/prep.sock" ] && break; sleep 0.1; done
stop_server
now=$(date +%s)000
{
	echo "BEGIN;"
	i=0
	while [ $i -lt 1000 ]; do
		printf "INSERT INTO terminals (terminal, station, operator, first_seen, last_seen, last_active) VALUES ('bench-%04d', 'bench', 'B2001', %s, %s, %s);\n" $i "$now" "$now" "$now"
		i=$((i + 1))
	done
	# The orders the simulated terminals receive: BENCH-<terminal>-<n>, as bench-hub names its scans,
	# so every scan is a real receive (order, scan row, audit event, stored reply).
	cat <<SQL
WITH RECURSIVE t(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM t WHERE i < 999),
  n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < 20000),
  want(i, k) AS (SELECT i, k FROM t, n WHERE k <= CASE WHEN i = 0 THEN 20000 WHEN i < 16 THEN 3000
                                                     WHEN i < 256 THEN 400 ELSE 120 END)
INSERT INTO orders (ref, channel, customer_name, status, created_at, town, postcode, country)
  SELECT printf('BENCH-bench-%04d-%d', i, k), 'web', 'Bench Customer', 'new', $now, 'London', 'SW1A 1AA', 'GB'
  FROM want;
INSERT INTO order_lines (order_ref, line_no, sku, department, quantity, locations, unit_weight_g)
  SELECT ref, 1, 'SKU-1', 'Bench', 1, 'LOC-1', 500 FROM orders WHERE ref LIKE 'BENCH-%';
SQL
	# For the workers' runs: a packer at the bench with its label printer, and orders ready to pack
	# (located, every line found): BENCH-BIG-n of 40 parcels each, BENCH-STALL-n of one.
	printf "INSERT INTO terminals (terminal, station, operator, first_seen, last_seen, last_active) VALUES ('bench-pack', 'bench', 'B2001', %s, %s, %s);\n" "$now" "$now" "$now"
	cat <<SQL
WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < 40)
INSERT INTO orders (ref, channel, customer_name, address1, status, created_at, town, postcode, country, service)
  SELECT printf('BENCH-BIG-%d', k), 'web', 'Bench Customer', '1 Park Row', 'located', $now, 'Leeds', 'LS1 5AB', 'GB',
    'standard' FROM n
  UNION ALL SELECT printf('BENCH-STALL-%d', k), 'web', 'Bench Customer', '2 Park Row', 'located', $now, 'Leeds',
    'LS1 5AB', 'GB', 'standard' FROM n;
INSERT INTO order_lines (order_ref, line_no, sku, department, quantity, locations, unit_weight_g, status, qty_found)
  SELECT ref, 1, 'SKU-1', 'Bench', 1, 'LOC-1', 500, 'found', 1 FROM orders
  WHERE ref LIKE 'BENCH-BIG-%' OR ref LIKE 'BENCH-STALL-%';
SQL
	echo "COMMIT;"
} | sqlite3 "$tmp/hub-template.db" >/dev/null

start_server() { # kind
	rm -f "$tmp/run.db" "$tmp/run.db-wal" "$tmp/run.db-shm" "$tmp/naive.db"*
	case "$1" in
	echo) "$B/bench/bench-hub" echo "$ep" & ;;
	naive) "$B/bench/bench-hub" naive "$ep" "$tmp/naive.db" & ;;
	hub) bench_db_copy "$tmp/hub-template.db" "$tmp/run.db"
	     "$B/hub/despatch-hub" -e "$ep" -d "$tmp/run.db" -s log.level=error -s security.curve=no 2>>"$tmp/hub.log" & ;;
	print) bench_db_copy "$tmp/hub-template.db" "$tmp/run.db"
	     "$B/hub/despatch-hub" -e "$ep" -d "$tmp/run.db" -s log.level=error -s security.curve=no \
	         -s "printer.server=$DSP_CUPS_SOCKET" -s printer.bench.label=label 2>>"$tmp/hub.log" & ;;
	esac
	spid=$!
	sleep 0.5
}

field() { # line key
	echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}
stats() { # values... -> "median min max"
	printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {printf "%s %s %s\n", v[int((NR+1)/2)], v[1], v[NR]}'
}

for n in $COUNTS; do
	for kind in echo naive hub; do
		rates="" p50s="" p99s="" p999s="" rss=""
		r=0
		while [ $r -lt "$RUNS" ]; do
			start_server $kind
			sampler=""
			if [ "$kind" = hub ] && [ "$n" -ge 1000 ]; then
				( sleep $(( SECS / 2 + 1 )); grep VmRSS /proc/$spid/status | awk '{print $2}' >"$tmp/rss" ) &
				sampler=$!
			fi
			line=$("$B/bench/bench-hub" load "$ep" "$n" "$SECS")
			[ -n "$sampler" ] && wait "$sampler" 2>/dev/null
			stop_server
			rates="$rates $(field "$line" rate)"
			p50s="$p50s $(field "$line" p50_us)"
			p99s="$p99s $(field "$line" p99_us)"
			p999s="$p999s $(field "$line" p999_us)"
			[ -s "$tmp/rss" ] && rss="$rss $(cat "$tmp/rss")" && rm -f "$tmp/rss"
			r=$((r + 1))
		done
		echo "$kind $n rate $(stats $rates)" >>"$tmp/results"
		echo "$kind $n p50 $(stats $p50s)" >>"$tmp/results"
		echo "$kind $n p99 $(stats $p99s)" >>"$tmp/results"
		echo "$kind $n p999 $(stats $p999s)" >>"$tmp/results"
		[ -n "$rss" ] && echo "$kind $n rss $(stats $rss)" >>"$tmp/results"
	done
done

# Latency at an operator's pace: 256 terminals, each scanning once a second,
# for PACED_SECS (a p99 wants a few thousand scans, not a few hundred).
PACED=${PACED:-256}
PACED_SECS=${PACED_SECS:-10}
for kind in echo hub; do
	p50s="" p99s="" p999s=""
	r=0
	while [ $r -lt "$RUNS" ]; do
		start_server $kind
		line=$("$B/bench/bench-hub" load "$ep" "$PACED" "$PACED_SECS" receive 1000)
		stop_server
		p50s="$p50s $(field "$line" p50_us)"
		p99s="$p99s $(field "$line" p99_us)"
		p999s="$p999s $(field "$line" p999_us)"
		r=$((r + 1))
	done
	echo "$kind paced p50 $(stats $p50s)" >>"$tmp/results"
	echo "$kind paced p99 $(stats $p99s)" >>"$tmp/results"
	echo "$kind paced p999 $(stats $p999s)" >>"$tmp/results"
done

# The workers: another terminal's latency at an operator's pace (PACED terminals x 1 scan/s) while
# something slow happens, against the same load on the same hub with nothing else. The hub prints
# to a bench label printer on a private cupsd with a fake AppSocket printer.
WORK_SECS=${WORK_SECS:-10}
STALL_SECS=${STALL_SECS:-60}
STALL_RUNS=${STALL_RUNS:-1}
BIG_ORDERS=${BIG_ORDERS:-10}
PACK_PACE_MS=${PACK_PACE_MS:-250}
STALL_LABELS=${STALL_LABELS:-20}
"$S/printers/cups-private" start "$cups" --fake-printer "$B/printers/fake-printer" >"$tmp/cups.log" 2>&1
. "$cups/env"
labels() { ls "$cups/out/label" 2>/dev/null | grep -c '^job-' || true; }
paced() { # seconds -> the load line
	"$B/bench/bench-hub" load "$ep" "$PACED" "$1" receive 1000
}
r=0
while [ $r -lt "$RUNS" ]; do
	start_server print
	line=$(paced "$WORK_SECS")
	stop_server
	echo "work base $(field "$line" p99_us)" >>"$tmp/work"

	start_server print
	"$B/bench/bench-hub" login "$ep" 30 "$WORK_SECS" B1001 1111 >"$tmp/login.out" &
	burst=$!
	line=$(paced "$WORK_SECS")
	wait "$burst"
	stop_server
	echo "work login $(field "$line" p99_us)" >>"$tmp/work"
	echo "work login-bursts $(field "$(cat "$tmp/login.out")" bursts)" >>"$tmp/work"

	start_server print
	before=$(labels)
	orders=""
	i=1
	while [ $i -le "$BIG_ORDERS" ]; do orders="$orders BENCH-BIG-$i"; i=$((i + 1)); done
	"$B/bench/bench-hub" pack "$ep" bench-pack 40 $orders >"$tmp/pack.out" 2>>"$tmp/hub.log" &
	packer=$!
	line=$(paced "$WORK_SECS")
	wait "$packer" || echo "bench: packing the 40-parcel orders failed" >&2
	stop_server
	echo "work big $(field "$line" p99_us)" >>"$tmp/work"
	echo "work big-packs $(field "$(cat "$tmp/pack.out")" packs)" >>"$tmp/work"
	echo "work big-pack-p50 $(field "$(cat "$tmp/pack.out")" p50_us)" >>"$tmp/work"

	start_server print
	"$B/bench/bench-hub" pack "$ep" bench-pack "40@$PACK_PACE_MS" BENCH-BIG-1 >"$tmp/pace.out" 2>>"$tmp/hub.log" &
	packer=$!
	line=$(paced "$WORK_SECS")
	wait "$packer" || echo "bench: packing the 40-parcel order at a packer's pace failed" >&2
	stop_server
	echo "work pace $(field "$line" p99_us)" >>"$tmp/work"
	echo "work pace-packs $(field "$(cat "$tmp/pace.out")" packs)" >>"$tmp/work"
	echo "work pace-pack-p50 $(field "$(cat "$tmp/pace.out")" p50_us)" >>"$tmp/work"
	r=$((r + 1))
done
r=0
while [ $r -lt "$STALL_RUNS" ]; do
	start_server print
	line=$(paced "$STALL_SECS")
	stop_server
	echo "work stall-base $(field "$line" p99_us)" >>"$tmp/work"

	start_server print
	before=$(labels)
	kill -STOP "$(cupsd_pid)"
	orders=""
	i=1
	while [ $i -le "$STALL_LABELS" ]; do orders="$orders BENCH-STALL-$i"; i=$((i + 1)); done
	"$B/bench/bench-hub" pack "$ep" bench-pack 1 $orders >"$tmp/stall-pack.out" 2>>"$tmp/hub.log" || true
	line=$(paced "$STALL_SECS")
	kill -CONT "$(cupsd_pid)"
	t0=$(date +%s%N)
	i=0
	while [ $(( $(labels) - before )) -lt "$STALL_LABELS" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
	t1=$(date +%s%N)
	stop_server
	echo "work stall $(field "$line" p99_us)" >>"$tmp/work"
	echo "work stall-printed $(( $(labels) - before ))" >>"$tmp/work"
	echo "work stall-after-ms $(( (t1 - t0) / 1000000 ))" >>"$tmp/work"
	echo "work stall-pack-max $(field "$(cat "$tmp/stall-pack.out")" max_us)" >>"$tmp/work"
	r=$((r + 1))
done
stop_cups
for k in base login big pace stall-base stall login-bursts big-packs big-pack-p50 pace-packs pace-pack-p50 stall-printed \
	stall-after-ms stall-pack-max; do
	v=$(awk -v k="$k" '$2 == k {print $3}' "$tmp/work")
	[ -n "$v" ] && echo "work $k $(stats $v)" >>"$tmp/results"
done

# The disk's own price of durability: a 4 KiB append and fdatasync, as a WAL commit does.
f50s="" f99s=""
r=0
while [ $r -lt "$RUNS" ]; do
	line=$("$B/bench/bench-hub" fsync "$tmp/fsync.test" 2000)
	f50s="$f50s $(field "$line" p50_us)"
	f99s="$f99s $(field "$line" p99_us)"
	r=$((r + 1))
done
echo "disk fsync p50 $(stats $f50s)" >>"$tmp/results"
echo "disk fsync p99 $(stats $f99s)" >>"$tmp/results"

get() { awk -v k="$1" -v n="$2" -v m="$3" '$1==k && $2==n && $3==m {print $4, $5, $6}' "$tmp/results"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
for n in $COUNTS; do
	set -- $(get hub $n rate); h=$1 hmin=$2 hmax=$3
	set -- $(get naive $n rate); b=$1
	set -- $(get echo $n rate); a=$1
	echo "| hub scans/s, $n terminals, durable acks | $h ($hmin-$hmax) | naive durable (b) | $b | $(ratio $h $b) |"
	echo "| hub scans/s, $n terminals, durable acks | $h ($hmin-$hmax) | bare echo (a) | $a | $(ratio $h $a) |"
	set -- $(get hub $n p50); hp50=$1
	set -- $(get hub $n p99); hp99=$1 p99min=$2 p99max=$3
	set -- $(get hub $n p999); hp999=$1
	set -- $(get echo $n p99); ep99=$1
	echo "| hub latency us, $n terminals: p50 $hp50, p99 $hp99 ($p99min-$p99max), p999 $hp999 | $hp99 | bare echo p99 | $ep99 | $(ratio $hp99 $ep99) |"
done
set -- $(get hub paced p50); pp50=$1
set -- $(get hub paced p99); pp99=$1 ppmin=$2 ppmax=$3
set -- $(get hub paced p999); pp999=$1
set -- $(get echo paced p99); ep=$1
echo "| hub latency us at an operator's pace ($PACED terminals x 1 scan/s): p50 $pp50, p99 $pp99 ($ppmin-$ppmax), p999 $pp999 | $pp99 | goal p99 | 5000 | $(ratio $pp99 5000) |"
echo "| (same, bare echo p99) | $ep | - | - | - |"
set -- $(get disk fsync p50); d50=$1 d50min=$2 d50max=$3
set -- $(get disk fsync p99); d99=$1
set -- $(get naive 1 rate)
if [ -n "${1:-}" ]; then
	per=$(awk -v r="$1" 'BEGIN { if (r > 0) printf "%.0f", 1e6 / r; else print 0 }')
	echo "| disk: 4 KiB append + fdatasync us, p50 (p99 $d99) | $d50 ($d50min-$d50max) | naive durable (b), us per message, 1 terminal | $per | $(ratio $d50 $per) |"
else
	echo "| disk: 4 KiB append + fdatasync us, p50 (p99 $d99) | $d50 ($d50min-$d50max) | - | - | - |"
fi
if grep -q "^hub 1000 rss" "$tmp/results"; then
	set -- $(get hub 1000 rss)
	echo "| hub resident KiB, 1000 terminals connected | $1 ($2-$3) | goal | 65536 | $(ratio $1 65536) |"
fi
# The workers' rows: each disturbance against the same load alone; goal within 2x and under 5 ms.
if grep -q "^work base" "$tmp/results"; then
	wget() { awk -v k="$1" '$1 == "work" && $2 == k {print $3, $4, $5}' "$tmp/results"; }
	set -- $(wget base); wb=$1
	set -- $(wget login); wl=$1 wlmin=$2 wlmax=$3
	set -- $(wget login-bursts); bursts=$1
	echo "| p99 us of $PACED terminals x 1 scan/s while 30 terminals log in at once ($bursts bursts in ${WORK_SECS} s) | $wl ($wlmin-$wlmax) | same load alone, p99 | $wb | $(ratio $wl $wb) |"
	set -- $(wget big); wg=$1 wgmin=$2 wgmax=$3
	set -- $(wget big-packs); packs=$1
	set -- $(wget big-pack-p50); pp=$1
	echo "| p99 us of the same load while 40-parcel orders are labelled as fast as the hub answers ($packs labels, pack p50 $pp us) | $wg ($wgmin-$wgmax) | same load alone, p99 | $wb | $(ratio $wg $wb) |"
	set -- $(wget pace); wp=$1 wpmin=$2 wpmax=$3
	set -- $(wget pace-packs); ppk=$1
	set -- $(wget pace-pack-p50); ppp=$1
	echo "| p99 us of the same load while one 40-parcel order is labelled at a packer's pace, a parcel every $PACK_PACE_MS ms ($ppk labels, pack p50 $ppp us) | $wp ($wpmin-$wpmax) | same load alone, p99 | $wb | $(ratio $wp $wb) |"
	st=""
	if grep -q "^work stall " "$tmp/results"; then # STALL_RUNS=0 leaves the stopped cupsd out
		set -- $(wget stall-base); sb=$1
		set -- $(wget stall); st=$1 stmin=$2 stmax=$3
		set -- $(wget stall-printed); sp=$1
		set -- $(wget stall-after-ms); sa=$1
		set -- $(wget stall-pack-max); sm=$1
		echo "| p99 us of the same load for ${STALL_SECS} s while cupsd is stopped with $STALL_LABELS labels queued (packs max $sm us; $sp printed ${sa} ms after SIGCONT) | $st ($stmin-$stmax) | same load alone ${STALL_SECS} s, p99 | $sb | $(ratio $st $sb) |"
	fi
	worst=$(printf '%s\n' "$wl" "$wg" "$wp" $st | sort -n | tail -1)
	echo "| worst of those p99s, us | $worst | goal | 5000 | $(ratio $worst 5000) |"
fi
