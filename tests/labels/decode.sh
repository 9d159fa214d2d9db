#!/bin/sh
# decode.sh: render every carrier's label at 203 dpi as PNG, ZPL and PDF, read the
# barcodes back with real decoders (zbarimg for 1D and QR, dmtxread for DataMatrix)
# and compare with what the shipment asked for (expect/CARRIER.txt, as listed by
# --list-barcodes). The ZPL goes through our own decoder (zpl-decode) first, the
# PDF through pdftoppm. MaxiCode and PDF417 have no free decoder here: their data
# is checked against the expectation list only.
srcdir="${top_srcdir:-.}/tests/labels"
tool="${top_builddir:-.}/labels/despatch-label"
zpldec="${top_builddir:-.}/tests/labels/zpl-decode"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
fail=0

ok () {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi
}
skip () {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}
have () { command -v "$1" >/dev/null 2>&1; }

for shipment in "$srcdir"/shipments/*.json; do
	carrier=$(basename "$shipment" .json)
	expect="$srcdir/expect/$carrier.txt"
	"$tool" render --carrier "$carrier" --data "$shipment" --format png --dpi 203 -o "$tmp/$carrier.png" \
	    --list-barcodes > "$tmp/$carrier.list"
	ok $? "$carrier: renders to PNG"
	cmp -s "$tmp/$carrier.list" "$expect"
	ok $? "$carrier: barcodes carry the shipment's data (expect/$carrier.txt)"
	[ $? = 0 ] || diff "$expect" "$tmp/$carrier.list" | sed 's/^/#   /'

	# What the decoders should read: GS1 data without the parentheses around AIs.
	awk -F'\t' '$2 ~ /^(code128|gs1-128|qr|dpd)$/ { d = $3; if ($2 ~ /gs1/) gsub(/[()]/, "", d); print d }' \
	    "$expect" | LC_ALL=C sort > "$tmp/$carrier.want1d"
	awk -F'\t' '$2 ~ /datamatrix/ { d = $3; if ($2 ~ /gs1/) gsub(/[()]/, "", d); print d }' \
	    "$expect" > "$tmp/$carrier.wantdm"

	"$tool" render --carrier "$carrier" --data "$shipment" --format zpl --dpi 203 -o "$tmp/$carrier.zpl"
	ok $? "$carrier: renders to ZPL"
	"$zpldec" "$tmp/$carrier.zpl" "$tmp/$carrier-zpl.pbm"
	ok $? "$carrier: ZPL decodes back to a bitmap"
	"$tool" render --carrier "$carrier" --data "$shipment" --format pdf --dpi 203 -o "$tmp/$carrier.pdf"
	ok $? "$carrier: renders to PDF"
	images="png:$tmp/$carrier.png zpl:$tmp/$carrier-zpl.pbm"
	if have pdftoppm; then
		pdftoppm -r 203 -gray -singlefile "$tmp/$carrier.pdf" "$tmp/$carrier-pdf" && images="$images pdf:$tmp/$carrier-pdf.pgm"
	else
		skip "$carrier: PDF rasterised" "pdftoppm not installed (poppler-utils)"
	fi

	for img in $images; do
		kind=${img%%:*}
		file=${img#*:}
		if [ -s "$tmp/$carrier.want1d" ]; then
			if have zbarimg; then
				zbarimg -q --raw "$file" 2>/dev/null | sed '/^$/d' | LC_ALL=C sort > "$tmp/got1d"
				cmp -s "$tmp/got1d" "$tmp/$carrier.want1d"
				ok $? "$carrier $kind: zbarimg reads every 1D/QR barcode as asked"
				cmp -s "$tmp/got1d" "$tmp/$carrier.want1d" || diff "$tmp/$carrier.want1d" "$tmp/got1d" | sed 's/^/#   /'
			else
				skip "$carrier $kind: 1D/QR decode" "zbarimg not installed (zbar-tools)"
			fi
		fi
		if [ -s "$tmp/$carrier.wantdm" ]; then
			if have dmtxread; then
				count=$(wc -l < "$tmp/$carrier.wantdm")
				dmtxread -N "$count" -m 20000 "$file" 2>/dev/null | tr -d '\035' > "$tmp/gotdm"
				echo >> "$tmp/gotdm"
				sed '/^$/d' "$tmp/gotdm" > "$tmp/gotdm2"
				cmp -s "$tmp/gotdm2" "$tmp/$carrier.wantdm"
				ok $? "$carrier $kind: dmtxread reads the DataMatrix as asked"
				cmp -s "$tmp/gotdm2" "$tmp/$carrier.wantdm" || diff "$tmp/$carrier.wantdm" "$tmp/gotdm2" | sed 's/^/#   /'
			else
				skip "$carrier $kind: DataMatrix decode" "dmtxread not installed (dmtx-utils)"
			fi
		fi
	done
done
echo "1..$n"
exit $fail
