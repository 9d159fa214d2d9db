#!/bin/sh
# bench/labels.sh: label rendering figures, run from the top build directory.
#
#   1. DPD UK 4x6 labels to ZPL at 203 dpi, one core: labels per second
#      (goal: at least 1,000); then the same job with text shrinking to fit and
#      every label read back (--verify), against it with neither (--no-shrink):
#      what the check before printing costs.
#   2. The same DPD labels as a PDF merge, side by side with glabels-3-batch
#      producing them from a CSV merge (goal: at least 20 times faster), and as
#      ZPL, plain and read back, against the same glabels merge.
#
# Prints a markdown table; each value is the median of RUNS runs with (min-max).
# Environment: N (labels for the ZPL figure, default 5000), NGL (merge sizes for
# the glabels comparison, default "200 2000": glabels slows down as a merge grows,
# so one size alone would flatter or wrong one side), RUNS (default 5) and RUNS_GL
# (runs of each glabels comparison, default 3: a 2000-label glabels merge takes a minute).
set -e
top_builddir=$(pwd)
top_srcdir=${top_srcdir:-$(sed -n 's/^abs_top_srcdir = //p' Makefile 2>/dev/null)}
top_srcdir=${top_srcdir:-.}
tool="$top_builddir/labels/despatch-label"
N=${N:-5000}
NGL=${NGL:-200 2000}
RUNS=${RUNS:-5}
RUNS_GL=${RUNS_GL:-3}
export DSP_LAYOUT_PATH="${DSP_LAYOUT_PATH:-$top_srcdir/data/layouts}"
[ -x "$tool" ] || { echo "bench/labels.sh: build labels/despatch-label first (make)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pin=""
command -v taskset >/dev/null 2>&1 && pin="taskset -c 0"

# n shipments as a JSON list and the same data as a CSV for glabels.
make_data () {
	n=$1 json=$2 csv=$3
	awk -v n="$n" -v q='"' '
	BEGIN {
		split("Zoë Ångström|Ольга Петрова|Siobhán Ní Bhriain|James O'"'"'Neill|Élodie Durand|Marek Łukasz", names, "|")
		split("SW1A 2AA|NW1 6XE|G1 3HL|EH2 2PR|LS1 1AA|M1 1AE|B1 1BB|CF10 1EP", pcs, "|")
		split("London|London|Glasgow|Edinburgh|Leeds|Manchester|Birmingham|Cardiff", towns, "|")
		print "[" > "/dev/stdout"
		for (i = 0; i < n; i++) {
			k = i % 6 + 1; p = i % 8 + 1
			trk = sprintf("1550%010d", 1234500000 + i)
			printf "%s{ %stracking%s: %s%s%s, %sservice%s: { %scode%s: %s101%s, %sname%s: %sNext Day%s },", \
			    (i ? ",\n" : ""), q, q, q, trk, q, q, q, q, q, q, q, q, q, q, q
			printf " %srouting%s: { %sdepot%s: %s0123%s, %ssort%s: %sS%02d%s },", q, q, q, q, q, q, q, q, q, i % 40, q
			printf " %sparcel%s: { %snumber%s: %d, %scount%s: 3, %sweight_kg%s: %.2f },", q, q, q, q, i % 3 + 1, q, q, q, q, 0.5 + (i % 40) / 4
			printf " %ssender%s: { %sname%s: %sDespatch, The Store%s, %saddress%s: [%s1 High Street%s], %stown%s: %sLondon%s, %spostcode%s: %sW1A 1AA%s, %scountry%s: %sGB%s },", q, q, q, q, q, q, q, q, q, q, q, q, q, q, q, q, q, q, q, q, q, q
			printf " %srecipient%s: { %sname%s: %s%s%s, %saddress%s: [%sFlat %d%s, %s%d Station Road%s], %stown%s: %s%s%s, %spostcode%s: %s%s%s, %scountry%s: %sGB%s, %scountry_numeric%s: %s826%s, %sphone%s: %s+44 20 7946 %04d%s },", \
			    q, q, q, q, q, names[k], q, q, q, q, i % 50 + 1, q, q, i % 200 + 1, q, q, q, q, towns[p], q, q, q, q, pcs[p], q, q, q, q, q, q, q, q, q, q, q, q, i % 10000, q
			printf " %sreference%s: %sORD-2026-%06d%s, %sdate%s: %s2026-11-22%s }", q, q, q, i, q, q, q, q, q
		}
		print "\n]"
	}' > "$json"
	# The CSV carries what the layout computes (grouped numbers, the DPD barcode), so
	# glabels draws the same text; the check character comes from our own tool.
	"$tool" render --carrier dpd-uk --data "$json" --format zpl -o /dev/null --list-barcodes > "$tmp/codes" 2>/dev/null || true
	awk -v n="$n" '
	BEGIN {
		split("Zoë Ångström|Ольга Петрова|Siobhán Ní Bhriain|James O'"'"'Neill|Élodie Durand|Marek Łukasz", names, "|")
		split("SW1A 2AA|NW1 6XE|G1 3HL|EH2 2PR|LS1 1AA|M1 1AE|B1 1BB|CF10 1EP", pcs, "|")
		split("London|London|Glasgow|Edinburgh|Leeds|Manchester|Birmingham|Cardiff", towns, "|")
		print "service,name,line1,line2,town,postcode,phone,depot,sort,n,count,weight,date,reference,tracking_hr,barcode,barcode_hr"
		for (i = 0; i < n; i++) {
			k = i % 6 + 1; p = i % 8 + 1
			trk = sprintf("1550%010d", 1234500000 + i)
			pc = pcs[p]; gsub(/ /, "", pc); while (length(pc) < 7) pc = "0" pc
			code = "%" pc trk "101826"
			printf "NEXT DAY,\"%s\",Flat %d,%d Station Road,%s,%s,+44 20 7946 %04d,0123,S%02d,%d,3,%.2f,2026-11-22,ORD-2026-%06d,%s %s %s %s,%s,%s %s %s %s %s %s %s %s\n", \
			    names[k], i % 50 + 1, i % 200 + 1, toupper(towns[p]), pcs[p], i % 10000, i % 40, i % 3 + 1, 0.5 + (i % 40) / 4, i, \
			    substr(trk, 1, 4), substr(trk, 5, 4), substr(trk, 9, 4), substr(trk, 13, 2), code, \
			    substr(pc, 1, 4), substr(pc, 5, 3), substr(trk, 1, 4), substr(trk, 5, 4), substr(trk, 9, 4), substr(trk, 13, 2), "101", "826"
		}
	}' > "$csv"
}

# Seconds (with ms) a command takes.
seconds () {
	s=$(date +%s%N)
	"$@" > /dev/null 2>&1 || { echo "bench/labels.sh: failed: $*" >&2; exit 1; }
	e=$(date +%s%N)
	echo "$(( (e - s) / 1000000 ))" | awk '{ printf "%.3f\n", $1 / 1000 }'
}

# median, min, max of numbers on stdin
stats () {
	sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%s %s %s\n", m, v[1], v[NR] }'
}

make_data "$N" "$tmp/ship.json" "$tmp/ship.csv"

# 1. ZPL throughput on one core (the process start and JSON parse are inside the time).
: > "$tmp/zpl"
i=0
while [ $i -lt "$RUNS" ]; do
	seconds $pin "$tool" render --carrier dpd-uk --data "$tmp/ship.json" --format zpl --dpi 203 -o "$tmp/out.zpl" >> "$tmp/zpl"
	i=$((i + 1))
done
set -- $(awk -v n="$N" '{ print n / $1 }' "$tmp/zpl" | stats)
zpl_med=$1 zpl_min=$2 zpl_max=$3
labels_in_job=$(grep -c '^\^XZ' "$tmp/out.zpl")

echo "| figure | value | baseline | baseline value | ratio |"
echo "| --- | --- | --- | --- | --- |"
printf '| DPD 4x6 ZPL 203 dpi, %s labels, one core (labels/s) | %.0f (%.0f-%.0f) | goal | 1000 | %.2f |\n' \
    "$labels_in_job" "$zpl_med" "$zpl_min" "$zpl_max" "$(echo "$zpl_med" | awk '{ print $1 / 1000 }')"

# 1b. The same job with every label read back (--verify) and text shrinking to fit, against
# the same without either (--no-shrink: text that does not fit is refused, nothing read back).
: > "$tmp/zplv"
: > "$tmp/zpln"
i=0
while [ $i -lt "$RUNS" ]; do
	seconds $pin "$tool" render --carrier dpd-uk --data "$tmp/ship.json" --format zpl --dpi 203 --verify -o "$tmp/outv.zpl" >> "$tmp/zplv"
	seconds $pin "$tool" render --carrier dpd-uk --data "$tmp/ship.json" --format zpl --dpi 203 --no-shrink -o "$tmp/outn.zpl" >> "$tmp/zpln"
	i=$((i + 1))
done
set -- $(awk -v n="$N" '{ print n / $1 }' "$tmp/zplv" | stats)
v_med=$1 v_min=$2 v_max=$3
set -- $(awk -v n="$N" '{ print n / $1 }' "$tmp/zpln" | stats)
n_med=$1 n_min=$2 n_max=$3

printf '| DPD 4x6 ZPL 203 dpi, shrink-to-fit and read back (--verify), one core (labels/s) | %.0f (%.0f-%.0f) | neither (--no-shrink) | %.0f (%.0f-%.0f) | %.2f |\n' \
    "$v_med" "$v_min" "$v_max" "$n_med" "$n_min" "$n_max" "$(echo "$v_med $n_med" | awk '{ print $1 / $2 }')"

# 2. Side by side with glabels-3-batch, same labels from the same data, PDF both.
if command -v glabels-3-batch >/dev/null 2>&1; then
	for ngl in $NGL; do
	make_data "$ngl" "$tmp/gl.json" "$tmp/gl.csv"
	sed -e "s|@CSV@|$tmp/gl.csv|" -e "s|@LOGO@|$top_srcdir/data/layouts/store-logo.png|" \
	    "$top_srcdir/bench/labels/dpd-uk.glabels.in" > "$tmp/dpd-uk.glabels"
	: > "$tmp/ours"
	: > "$tmp/theirs"
	: > "$tmp/ourszpl"
	: > "$tmp/oursv"
	i=0
	while [ $i -lt "$RUNS_GL" ]; do
		seconds $pin "$tool" render --carrier dpd-uk --data "$tmp/gl.json" --format pdf --dpi 203 -o "$tmp/ours.pdf" >> "$tmp/ours"
		seconds $pin "$tool" render --carrier dpd-uk --data "$tmp/gl.json" --format zpl --dpi 203 -o "$tmp/ours.zpl" >> "$tmp/ourszpl"
		seconds $pin "$tool" render --carrier dpd-uk --data "$tmp/gl.json" --format zpl --dpi 203 --verify -o "$tmp/oursv.zpl" >> "$tmp/oursv"
		seconds $pin glabels-3-batch -o "$tmp/theirs.pdf" "$tmp/dpd-uk.glabels" >> "$tmp/theirs"
		i=$((i + 1))
	done
	set -- $(stats < "$tmp/ours")
	o_med=$1 o_min=$2 o_max=$3
	set -- $(stats < "$tmp/ourszpl")
	z_med=$1 z_min=$2 z_max=$3
	set -- $(stats < "$tmp/oursv")
	v_med=$1 v_min=$2 v_max=$3
	set -- $(stats < "$tmp/theirs")
	t_med=$1 t_min=$2 t_max=$3
	pages=""
	command -v pdfinfo >/dev/null 2>&1 && pages=" ($(pdfinfo "$tmp/theirs.pdf" | awk '/^Pages:/ { print $2 }') vs $(pdfinfo "$tmp/ours.pdf" | awk '/^Pages:/ { print $2 }') pages)"
	printf '| DPD merge of %s labels to PDF%s (s) | %s (%s-%s) | glabels-3-batch CSV merge | %s (%s-%s) | %.1f |\n' \
	    "$ngl" "$pages" "$o_med" "$o_min" "$o_max" "$t_med" "$t_min" "$t_max" "$(echo "$t_med $o_med" | awk '{ print $1 / $2 }')"
	printf '| DPD merge of %s labels to ZPL (s) | %s (%s-%s) | glabels-3-batch CSV merge (PDF) | %s (%s-%s) | %.1f |\n' \
	    "$ngl" "$z_med" "$z_min" "$z_max" "$t_med" "$t_min" "$t_max" "$(echo "$t_med $z_med" | awk '{ print $1 / $2 }')"
	printf '| DPD merge of %s labels to ZPL, shrink-to-fit and read back (s) | %s (%s-%s) | glabels-3-batch CSV merge (PDF, nothing read back) | %s (%s-%s) | %.1f |\n' \
	    "$ngl" "$v_med" "$v_min" "$v_max" "$t_med" "$t_min" "$t_max" "$(echo "$t_med $v_med" | awk '{ print $1 / $2 }')"
	done
else
	echo "| glabels comparison | skipped | glabels-3-batch not installed (apt-get install glabels) | | |"
fi

# 3. The barcodes alone, against the zint command line: the DPD parcel barcodes (Code 128) of the
# labels above (as our tool computed them), encoded by libzint through the
# labels library in one process, by `zint --batch` in one process (text dump,
# no image), and by `zint` once per barcode, as a shell pipeline would call it.
if command -v zint >/dev/null 2>&1 && [ -x "$top_builddir/bench/bench-zint" ]; then
	# The N shipments' barcodes ten times over, so each side runs long enough to time.
	"$tool" render --carrier dpd-uk --data "$tmp/ship.json" --format zpl -o /dev/null --list-barcodes > "$tmp/codes"
	for k in 1 2 3 4 5 6 7 8 9 10; do
		awk -F '\t' '$1 == "parcel-barcode" && $2 == "code128" { print $3 }' "$tmp/codes"
	done > "$tmp/dpd.txt"
	nz=$(wc -l < "$tmp/dpd.txt")
	NZ1=${NZ1:-200}
	head -n "$NZ1" "$tmp/dpd.txt" > "$tmp/dpd1.txt"
	: > "$tmp/zlib"; : > "$tmp/zbatch"; : > "$tmp/zone"
	i=0
	while [ $i -lt "$RUNS" ]; do
		$pin "$top_builddir/bench/bench-zint" code128 "$tmp/dpd.txt" | sed -n 's/.*rate=//p' >> "$tmp/zlib"
		t=$(seconds $pin zint --batch -b CODE128 --dump -i "$tmp/dpd.txt")
		echo "$t" | awk -v n="$nz" '{ print n / $1 }' >> "$tmp/zbatch"
		s0=$(date +%s%N)
		while read -r code; do
			$pin zint -b CODE128 --dump -d "$code" > /dev/null 2>&1 || { echo "bench/labels.sh: zint refused $code" >&2; exit 1; }
		done < "$tmp/dpd1.txt"
		s1=$(date +%s%N)
		awk -v n="$NZ1" -v ns=$((s1 - s0)) 'BEGIN { printf "%.1f\n", n / (ns / 1e9) }' >> "$tmp/zone"
		i=$((i + 1))
	done
	set -- $(stats < "$tmp/zlib"); l_med=$1 l_min=$2 l_max=$3
	set -- $(stats < "$tmp/zbatch"); b_med=$1 b_min=$2 b_max=$3
	set -- $(stats < "$tmp/zone"); p_med=$1
	printf '| DPD parcel barcodes (Code 128) encoded/s, %s, libzint in process | %.0f (%.0f-%.0f) | zint --batch --dump, one process | %.0f (%.0f-%.0f) | %.2f |\n' \
	    "$nz" "$l_med" "$l_min" "$l_max" "$b_med" "$b_min" "$b_max" "$(echo "$l_med $b_med" | awk '{ print $1 / $2 }')"
	printf '| (same) | %.0f | zint, one process per barcode (%s) | %.0f | %.1f |\n' \
	    "$l_med" "$NZ1" "$p_med" "$(echo "$l_med $p_med" | awk '{ print $1 / $2 }')"
else
	echo "| zint comparison | skipped | zint not installed (apt-get install zint) | | |"
fi
