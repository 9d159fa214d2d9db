#!/bin/sh
# corpus.sh: the address corpus (corpus/addresses.json, at least 20 addresses in each
# script family) on every carrier layout as PNG, ZPL and PDF, and on the customs papers
# (CN22, CN23, the invoice) as the hub draws them, with customs lines from corpus/items.json;
# every barcode read back by zxing and by zbar or libdmtx, every PDF's text and the papers'
# rows checked with pdftotext (tests/labels/test-corpus.c, one process a layout). Then the
# same corpus drawn again under a second fontconfig setup, the machine's own with every font
# it has (the declared fonts and others) instead of data/fonts.conf: every label, every PDF
# must come out byte for byte the same.
srcdir="${top_srcdir:-.}/tests/labels"
corpus="${top_builddir:-.}/tests/labels/test-corpus"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
fail=0
ok () {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi
}
layouts="dpd-uk dhl-express parcelforce royal-mail ups fedex store-van specialist"
for s in "$srcdir"/shipments/*.json; do
	l=$(basename "$s" .json)
	case " $layouts " in *" $l "*) ;; *) layouts="$layouts $l" ;; esac
done
papers="cn22 cn23 invoice"

# One layout's corpus run: LAYOUT OUT [--hash-only]
run () {
	l=$1 out=$2
	shift 2
	case " $papers " in
	*" $l "*) "$corpus" "$l" "$srcdir/corpus/customs-shipment.json" "$srcdir/corpus/addresses.json" "$tmp" \
	    --items "$srcdir/corpus/items.json" "$@" > "$out" 2>&1 ;;
	*) "$corpus" "$l" "$srcdir/shipments/$l.json" "$srcdir/corpus/addresses.json" "$tmp" "$@" > "$out" 2>&1 ;;
	esac
}

# Every layout, two at a time (the machine has two cores): SUFFIX of the TAP files, and $extra
# given to each run.
pairs () {
	suffix=$1
	set -- $layouts $papers
	while [ $# -gt 0 ]; do
		run "$1" "$tmp/$1$suffix.tap" $extra &
		if [ $# -gt 1 ]; then
			run "$2" "$tmp/$2$suffix.tap" $extra
			shift
		fi
		wait
		shift
	done
}

extra=""
pairs ""
for l in $layouts $papers; do
	while IFS= read -r line; do
		case "$line" in
		"not ok "*) ok 1 "$(echo "$line" | sed 's/^not ok [0-9]* - //')" ;;
		"ok "*"# SKIP"*) n=$((n + 1)); echo "ok $n - $(echo "$line" | sed 's/^ok [0-9]* - //')" ;;
		"ok "*) ok 0 "$(echo "$line" | sed 's/^ok [0-9]* - //')" ;;
		"Bail"*) ok 1 "$l: $line" ;;
		"#"*) echo "$line" ;;
		esac
	done < "$tmp/$l.tap"
	grep -q '^1\.\.' "$tmp/$l.tap" || { ok 1 "$l: the corpus program ran to its end"; tail -3 "$tmp/$l.tap" | sed 's/^/#   /'; }
done

# The second setup: the system's configuration and every font directory of the machine.
cat > "$tmp/others.conf" <<EOF
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>/usr/share/fonts</dir>
  <dir>/usr/local/share/fonts</dir>
  <cachedir>$tmp/fc-cache</cachedir>
</fontconfig>
EOF
if command -v fc-list >/dev/null 2>&1; then
	declared=$(FONTCONFIG_FILE="${top_srcdir:-.}/data/fonts.conf" fc-list | wc -l)
	others=$(FONTCONFIG_FILE="$tmp/others.conf" fc-list | wc -l)
	[ "$others" -gt "$declared" ]
	ok $? "the second fontconfig setup holds more faces ($others) than the declared ones ($declared)"
fi
(
	extra="--hash-only"
	FONTCONFIG_FILE="$tmp/others.conf"
	export FONTCONFIG_FILE
	pairs "-2"
)
for l in $layouts $papers; do
	cmp -s "$tmp/$l.hashes" "$tmp/$l-2.hashes" && [ -s "$tmp/$l.hashes" ]
	ok $? "$l: $(wc -l < "$tmp/$l.hashes") outputs drawn byte for byte the same with the machine's fonts visible as with data/fonts.conf"
	cmp -s "$tmp/$l.hashes" "$tmp/$l-2.hashes" || diff "$tmp/$l.hashes" "$tmp/$l-2.hashes" | head -4 | sed 's/^/#   /'
done
echo "1..$n"
exit $fail
