#!/bin/sh
# bench/erase.sh: despatch erase customer for a customer with many orders, in a
# database that holds OTHERS orders of other customers.
#   Each order has a parcel with a tracking number, a packing event whose detail
#   names the customer, a tracking event with who signed, a stored reply that
#   names the order and the customer, and a line in an events export file; every
#   third has a note with a phone number.
# Figures, medians of RUNS runs: the erase's wall time for SIZES orders of the one
# customer, against a VACUUM of the same database (the erase makes that pass too,
# so it is the least an erase can cost); and the time per order at the largest size
# over the smallest (goal: at most 1.5, an erase that grows with the customer's
# orders, not with their square). Run from the build folder (make bench does).
set -eu
B=${top_builddir:-.}
S=${top_srcdir:-.}
RUNS=${RUNS:-3}
SIZES=${SIZES-"100 1000 4000"}
OTHERS=${OTHERS:-20000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-erase.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT INT TERM
[ -x /usr/bin/time ] || { echo "| erase benchmark: needs GNU time (apt-get install time) | - | - | - | - |"; exit 0; }
command -v sqlite3 >/dev/null || { echo "| erase benchmark: needs sqlite3 (apt-get install sqlite3) | - | - | - | - |"; exit 0; }

# n orders of the customer among OTHERS of others, as a till export writes them.
gen() { # n file
	awk -v n="$1" -v m="$OTHERS" 'BEGIN {
	print "order,channel,customer_name,address_1,town,postcode,country,phone,service,order_value,line,sku,description,department,quantity,locations,unit_weight_g,line_value"
	for (i = 1; i <= n; i++)
		printf "E%07d,web,Ann Example,%d Quayside Terrace,Newcastle,NE1 3DX,GB,07700 900%03d,standard,25.00,1,SKU-%d,Item %d,Dept %d,1,LOC-%d,500,25.00\n", i, i % 90 + 1, i % 1000, i % 5000, i % 5000, i % 40, i % 900
	for (i = 1; i <= m; i++)
		printf "O%07d,web,Customer %d,%d High Street,London,SW1A 1AA,GB,07700 800%03d,standard,25.00,1,SKU-%d,Item %d,Dept %d,1,LOC-%d,500,25.00\n", i, i, i, i % 1000, i % 5000, i % 5000, i % 40, i % 900 }' >"$2"
}

# What a day's work leaves of every order: parcel, events, tracking, a stored reply, notes, an export line.
work() { # db exports-dir
	sqlite3 "$1" >/dev/null <<-EOF
	BEGIN;
	INSERT INTO parcels (order_ref, parcel_no, code, box, weight_g, carrier, service, tracking, status, packed_at, packed_by)
	  SELECT ref, 1, ref || '/1', 'M', 500, 'dpd', 'next-day', printf('15501234%06d', rowid), 'delivered', 0, 'P1001' FROM orders;
	INSERT INTO events (at, terminal, operator, action, order_ref, parcel_id, detail)
	  SELECT 0, 'bench-1', 'P1001', 'pack', p.order_ref, p.id, 'packed for ' || o.customer_name || ', ' || o.address1
	  FROM parcels p JOIN orders o ON o.ref = p.order_ref;
	INSERT INTO tracking (parcel_id, at, event, detail, location, signed_by)
	  SELECT p.id, 0, 'delivered', 'left with neighbour', 'Front door', o.customer_name
	  FROM parcels p JOIN orders o ON o.ref = p.order_ref;
	INSERT INTO notes (order_ref, text, by, at) SELECT ref, 'called ' || phone || ' about the delivery', 'S3001', 0
	  FROM orders WHERE rowid % 3 = 0;
	INSERT INTO requests (terminal, seq, at, reply)
	  SELECT 'bench-1', rowid, 0, CAST ('ok ' || ref || ' ' || customer_name || ' ' || address1 || ' ' || town AS BLOB) FROM orders;
	COMMIT;
	.mode csv
	.output $2/events.csv
	SELECT e.id, e.order_ref, e.action, e.detail FROM events e;
	.output stdout
	EOF
}

measure() { # -> wall seconds
	/usr/bin/time -f "%e" -o "$tmp/time" "$@" >"$tmp/out" 2>>"$tmp/err" || { cat "$tmp/err" "$tmp/out" >&2; return 1; }
	cat "$tmp/time"
}
stats() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {printf "%s %s %s\n", v[int((NR+1)/2)], v[1], v[NR]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
num() { printf '%s' "$1" | awk '{ n = $1; s = sprintf("%d", n); out = ""; while (length(s) > 3) { out = "," substr(s, length(s) - 2) out; s = substr(s, 1, length(s) - 3) } printf "%s%s", s, out }'; }

first_n=""; first_t=""; last_n=""; last_t=""
for n in $SIZES; do
	echo "bench: erase: $n orders of one customer among $OTHERS..." >&2
	gen "$n" "$tmp/orders.csv"
	rm -f "$tmp"/prep.db*
	rm -rf "$tmp/exports.prep"
	mkdir -p "$tmp/exports.prep"
	"$B/admin/despatch" --database "$tmp/prep.db" import "$tmp/orders.csv" >"$tmp/out" 2>&1 \
		|| { echo "bench: erase: import: $(cat "$tmp/out")" >&2; exit 1; }
	work "$tmp/prep.db" "$tmp/exports.prep"
	et="" vt=""
	r=0
	while [ $r -lt "$RUNS" ]; do
		rm -rf "$tmp"/run.db* "$tmp/exports"
		cp "$tmp/prep.db" "$tmp/run.db"
		cp -r "$tmp/exports.prep" "$tmp/exports"
		t=$(measure "$B/admin/despatch" --database "$tmp/run.db" erase customer "Ann Example" "exports=$tmp/exports")
		grep -q "^erased $n orders" "$tmp/out" || { echo "bench: erase: $(head -c 300 "$tmp/out")" >&2; exit 1; }
		# What was erased must be gone: a fast erase that leaves the data is no figure.
		left=$( (sqlite3 "$tmp/run.db" .dump; cat "$tmp/exports"/*) | grep -c -i "ann example\|quayside" || true)
		[ "$left" = 0 ] || { echo "bench: erase: $left lines still hold the customer's data" >&2; exit 1; }
		et="$et $t"
		rm -f "$tmp"/run.db*
		cp "$tmp/prep.db" "$tmp/run.db"
		vt="$vt $(measure sqlite3 "$tmp/run.db" VACUUM)"
		echo "bench: erase $n run $((r + 1)): erase$et s; vacuum$vt s" >&2
		r=$((r + 1))
	done
	set -- $(stats $et); e50=$1 emin=$2 emax=$3
	set -- $(stats $vt); v50=$1
	echo "| despatch erase customer, $(num "$n") of $(num "$((n + OTHERS))") orders | $e50 s ($emin-$emax) | VACUUM of the same database | $v50 s | $(ratio "$e50" "$v50") |"
	[ -n "$first_n" ] || { first_n=$n; first_t=$e50; }
	last_n=$n; last_t=$e50
done
[ -z "$first_n" ] || growth=$(awk -v a="$last_t" -v an="$last_n" -v b="$first_t" -v bn="$first_n" 'BEGIN { if (b > 0) printf "%.2f", (a / an) / (b / bn); else print "-" }')
[ -z "$first_n" ] || echo "| despatch erase: time per order at $(num "$last_n") over $(num "$first_n") | $growth | goal | 1.5 | $(ratio "$growth" 1.5) |"
