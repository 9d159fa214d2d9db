#!/bin/sh
# hub-threads.sh: the hub's threads under a race detector (make check-threads; too slow for make
# check: a few minutes). A hub with a bench label printer on a private cupsd and the events export
# on, run under valgrind's helgrind (TOOL=drd for DRD), is made to use every worker: labels drawn
# and printed, labels queued while cupsd is stopped (SIGSTOP) then printed when it goes on
# (SIGCONT), logins checked by the PIN worker, enquiries, a close-out preview, the export written;
# then it is stopped. Sessions are seeded in the database so the tool need not run argon2 for
# them. Exit 1 when the tool reports an error in the hub (tests/helgrind.supp leaves out what
# libzmq, SQLite, fontconfig, pango, GLib and libcups do between their own threads, which the tool
# cannot follow), or when the hub did not do the work.
set -u
S=${top_srcdir:-.}
B=${top_builddir:-.}
TOOL=${TOOL:-helgrind}
export DSP_LAYOUT_PATH="${DSP_LAYOUT_PATH:-$S/data/layouts}" DSP_CARRIER_PATH="${DSP_CARRIER_PATH:-$S/data/carriers}"
export FONTCONFIG_FILE="${FONTCONFIG_FILE:-$S/data/fonts.conf}" DSP_FONTS_CONF="${DSP_FONTS_CONF:-$S/data/fonts.conf}"
command -v valgrind >/dev/null || { echo "hub-threads: valgrind is not installed (Debian package valgrind)"; exit 1; }
tmp=$(mktemp -d)
hp=""
finish() {
	[ -n "$hp" ] && kill "$hp" 2>/dev/null && wait "$hp" 2>/dev/null
	[ -f "$tmp/cups/run/cupsd.pid" ] && kill -CONT "$(cat "$tmp/cups/run/cupsd.pid")" 2>/dev/null
	"$S/printers/cups-private" stop "$tmp/cups" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap finish EXIT INT TERM
"$S/printers/cups-private" start "$tmp/cups" --fake-printer "$B/printers/fake-printer" >/dev/null 2>&1 ||
	{ echo "hub-threads: the private cupsd did not start"; exit 1; }
. "$tmp/cups/env"

# The database: the demo data, four sessions (the enquiries and the command on terminals of their own, as
# each numbers its requests from the clock's second), four orders ready to pack.
"$B/hub/despatch-hub" -e "ipc://$tmp/prep.sock" -d "$tmp/h.db" --demo-data "$S/data/demo" -s security.curve=no \
	2>"$tmp/prep.log" &
p=$!
i=0; while [ ! -S "$tmp/prep.sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
kill $p; wait $p
now=$(date +%s)000
sqlite3 "$tmp/h.db" <<SQL
INSERT INTO terminals (terminal, station, operator, first_seen, last_seen, last_active)
  VALUES ('th-pack', 'bench', 'B2001', $now, $now, $now), ('th-pack2', 'bench', 'B2001', $now, $now, $now),
  ('th-look', 'office', 'B3001', $now, $now, $now), ('th-desk', 'office', 'B3001', $now, $now, $now);
WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < 4)
INSERT INTO orders (ref, channel, customer_name, address1, status, created_at, town, postcode, country, service)
  SELECT printf('TH-%d', k), 'web', 'Thread Customer', '1 Park Row', 'located', $now, 'Leeds', 'LS1 5AB', 'GB',
    'standard' FROM n;
INSERT INTO order_lines (order_ref, line_no, sku, department, quantity, locations, unit_weight_g, status, qty_found)
  SELECT ref, 1, 'SKU-1', 'Bench', 1, 'LOC-1', 500, 'found', 1 FROM orders WHERE ref LIKE 'TH-%';
SQL

valgrind --tool="$TOOL" --suppressions="$S/tests/helgrind.supp" --log-file="$tmp/tool.%p.log" \
	"$B/hub/despatch-hub" -e "ipc://$tmp/hub.sock" -d "$tmp/h.db" -s security.curve=no \
	-s "printer.server=$DSP_CUPS_SOCKET" -s printer.bench.label=label -s "hub.exports=$tmp/exports" 2>"$tmp/hub.log" &
hp=$!
i=0; while [ ! -S "$tmp/hub.sock" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
ep="ipc://$tmp/hub.sock"
cupsd=$(cat "$tmp/cups/run/cupsd.pid")
"$B/bench/bench-hub" pack "$ep" th-pack 3 TH-1 TH-2
kill -STOP "$cupsd"
"$B/bench/bench-hub" pack "$ep" th-pack2 2 TH-3
# One burst of two logins: each PIN check takes seconds under the tool, in the helper process too.
"$B/bench/bench-hub" login "$ep" 2 1 B1001 1111 300 >"$tmp/login.out"
cat "$tmp/login.out"
"$B/bench/bench-hub" scan1 "$ep" th-look enquiry TH- 4 /1
kill -CONT "$cupsd"
"$B/bench/bench-hub" cmd1 "$ep" th-desk closeout-preview carrier=royal-mail
i=0; while [ "$(ls "$tmp/cups/out/label" | grep -c '^job-')" -lt 8 ] && [ $i -lt 1200 ]; do sleep 0.2; i=$((i + 1)); done
labels=$(ls "$tmp/cups/out/label" | grep -c '^job-')
lines=$(cat "$tmp/exports"/*.jsonl 2>/dev/null | wc -l)
kill $hp
wait $hp
stopped=$?
hp=""
errors=$(cat "$tmp"/tool.*.log | sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' | awk '{s += $1} END {print s + 0}')
echo "hub-threads: $TOOL: $errors errors; $labels labels printed (of 8), $lines events exported; the hub exited $stopped"
[ "$errors" -eq 0 ] || { cat "$tmp"/tool.*.log | grep -v "^==[0-9]*== *$" | head -80; exit 1; }
grep -q '^bursts=1 logins=2 refused=0 ' "$tmp/login.out" || { echo "hub-threads: the logins were not answered"; exit 1; }
[ "$labels" -eq 8 ] && [ "$lines" -gt 0 ] && [ "$stopped" -eq 0 ] || { tail -20 "$tmp/hub.log"; exit 1; }
exit 0
