#!/bin/sh
# bench/scale.sh: the hub with a year's data in it against the same hub empty.
#   1,000,000 orders (one line each), 5,000,000 scan rows and as many audit events;
#   10,000 parcels scanned out onto the DPD cage.
# Figures: receive-scan latency (one terminal, scans one after another) with the data vs
# empty; enquiry on a parcel; close-out of the 10,000 parcels. Medians of RUNS runs.
# Run from the build folder (make bench does). Needs about 3 GB of free disk.
set -eu
B=${top_builddir:-.}
S=${top_srcdir:-.}
RUNS=${RUNS:-3}
ORDERS=${ORDERS:-1000000}
SCANS=${SCANS:-5000000}
PARCELS=${PARCELS:-10000}
N=${N:-2000}
tmp=$(mktemp -d)
. "$S/bench/port.sh"
. "$S/bench/db-copy.sh"
port=$(bench_port)
ep="tcp://127.0.0.1:$port"
spid=""
stop_hub() { if [ -n "$spid" ]; then kill "$spid" 2>/dev/null || true; wait "$spid" 2>/dev/null || true; spid=""; fi; }
trap 'stop_hub; rm -rf "$tmp"' EXIT INT TERM

start_hub() { # db
	"$B/hub/despatch-hub" -e "$ep" -d "$1" -s log.level=error -s security.curve=no 2>>"$tmp/hub.log" &
	spid=$!
	sleep 1
}

# A database made by the hub itself (schema, demo data), with sessions for the bench terminals.
make_db() { # path orders scans parcels
	"$B/hub/despatch-hub" -e "ipc://$tmp/prep.sock" -d "$1" --demo-data "$S/data/demo" -s security.curve=no \
		2>>"$tmp/prep.log" &
	spid=$!
	i=0; while [ $i -lt 100 ] && [ ! -S "$tmp/prep.sock" ]; do sleep 0.1; i=$((i + 1)); done
	sleep 0.5
	stop_hub
	rm -f "$tmp/prep.sock"
	now=$(date +%s)000
	sqlite3 "$1" >/dev/null <<SQL
PRAGMA journal_mode=WAL;
BEGIN;
INSERT INTO terminals (terminal, station, operator, first_seen, last_seen, last_active) VALUES
  ('scale-1', 'bench-1', 'B2001', $now, $now, $now), ('scale-lead', 'office', 'B3001', $now, $now, $now);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $2)
INSERT INTO orders (ref, channel, customer_name, status, created_at, address1, town, postcode, country)
  SELECT 'SC' || i, 'web', 'Customer ' || i, CASE WHEN i <= $4 THEN 'scanned_out' ELSE 'new' END, $now,
         i || ' High Street', 'London', 'SW1A 1AA', 'GB' FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $2)
INSERT INTO order_lines (order_ref, line_no, sku, department, quantity, locations, unit_weight_g, status, qty_found)
  SELECT 'SC' || i, 1, 'SKU-' || (i % 5000), 'Dept ' || (i % 40), 1, 'LOC-' || (i % 900), 500,
         CASE WHEN i <= $4 THEN 'found' ELSE 'open' END, CASE WHEN i <= $4 THEN 1 ELSE 0 END FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $3)
INSERT INTO scans (at, terminal, seq, operator, station, step, code, manual, status, reason, order_ref)
  SELECT $now - i * 1000, 'hist-' || (i % 300), i, 'B2001', 'bench-1', 'receive', 'SC' || (1 + i % $2), 0, 'ok', 0,
         'SC' || (1 + i % $2) FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $3)
INSERT INTO events (at, terminal, seq, operator, station, action, order_ref, code, detail)
  SELECT $now - i * 1000, 'hist-' || (i % 300), i, 'B2001', 'bench-1', 'receive', 'SC' || (1 + i % $2),
         'SC' || (1 + i % $2), '' FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $4)
INSERT INTO parcels (order_ref, parcel_no, code, box, weight_g, carrier, service, tracking, sscc, status, cage,
                     packed_at, packed_by, labelled_at, verified_at, verified_by, scanned_out_at, scanned_out_by)
  SELECT 'SC' || i, 1, 'SC' || i || '/1', 'M', 500, 'dpd', 'next-day', printf('1550%010d', i),
         printf('0501234%011d', i), 'scanned_out', 'CAGE-DPD', $now, 'B2001', $now, $now, 'B2001', $now, 'B2001' FROM n;
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
SQL
}

field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
stats() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {printf "%s %s %s\n", v[int((NR+1)/2)], v[1], v[NR]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

echo "bench: scale: building the databases ($ORDERS orders, $SCANS scans)..." >&2
small=$((N * RUNS + 10))
[ "$small" -ge "$PARCELS" ] || small=$PARCELS
make_db "$tmp/empty.db" "$small" 0 "$PARCELS"
make_db "$tmp/full.db" "$ORDERS" "$SCANS" $PARCELS
size=$(du -m "$tmp/full.db" | cut -f1)

run_set() { # db label
	p99s="" p50s="" enq="" close=""
	r=0
	while [ $r -lt "$RUNS" ]; do
		bench_db_copy "$1" "$tmp/run.db"
		start_hub "$tmp/run.db"
		# receive orders not yet received: a different slice each run
		line=$("$B/bench/bench-hub" scan1 "$ep" scale-1 receive "SC" "$N")
		p50s="$p50s $(field "$line" p50_us)"; p99s="$p99s $(field "$line" p99_us)"
		line=$("$B/bench/bench-hub" scan1 "$ep" scale-1 enquiry "SC" 1000 "/1")
		enq="$enq $(field "$line" p99_us)"
		line=$("$B/bench/bench-hub" cmd1 "$ep" scale-lead closeout carrier=dpd)
		close="$close $(field "$line" latency_us)"
		echo "bench: scale $2 run $((r + 1)): $line" >&2
		stop_hub
		rm -f "$tmp/run.db" "$tmp/run.db-wal" "$tmp/run.db-shm"
		r=$((r + 1))
	done
	echo "$2 $(stats $p50s) $(stats $p99s) $(stats $enq) $(stats $close)"
}
set -- $(run_set "$tmp/empty.db" empty | cut -d' ' -f2-)
e50=$1 e99=$4 e99min=$5 e99max=$6 eenq=$7 eclose=${10}
set -- $(run_set "$tmp/full.db" full | cut -d' ' -f2-)
f50=$1 f99=$4 f99min=$5 f99max=$6 fenq=$7 fenqmin=$8 fenqmax=$9 fclose=${10} fclosemin=${11} fclosemax=${12}
echo "| receive scan p99 us, $ORDERS orders + $SCANS scans ($size MB) | $f99 ($f99min-$f99max) | same hub, empty database | $e99 | $(ratio $f99 $e99) |"
echo "| receive scan p50 us, full database | $f50 | empty database | $e50 | $(ratio $f50 $e50) |"
echo "| enquiry on a parcel p99 us, full database | $fenq ($fenqmin-$fenqmax) | goal | 5000 | $(ratio $fenq 5000) |"
echo "| close-out of $PARCELS parcels us, full database | $fclose ($fclosemin-$fclosemax) | goal | 1000000 | $(ratio $fclose 1000000) |"
echo "| (close-out of $PARCELS parcels us, empty database) | $eclose | - | - | - |"
