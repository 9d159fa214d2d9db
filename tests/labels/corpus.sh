#!/bin/sh
# corpus.sh: the address corpus (corpus/addresses.json, at least 20 addresses in each
# script family) on every carrier layout as PNG, ZPL and PDF, every barcode read back by
# zxing (the library's check) and zbar or libdmtx (tests/labels/test-corpus.c); the PDF's
# text checked with pdftotext; then the same corpus drawn again with the machine's own
# fontconfig setup (the declared fonts and whatever else is installed) instead of
# data/fonts.conf: every label must come out byte for byte the same.
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

# Two layouts at a time: the machine has two cores.
set -- $layouts
while [ $# -gt 0 ]; do
	"$corpus" "$1" "$srcdir/shipments/$1.json" "$srcdir/corpus/addresses.json" "$tmp" > "$tmp/$1.tap" 2>&1 &
	if [ $# -gt 1 ]; then
		"$corpus" "$2" "$srcdir/shipments/$2.json" "$srcdir/corpus/addresses.json" "$tmp" > "$tmp/$2.tap" 2>&1
		shift
	fi
	wait
	shift
done
for l in $layouts; do
	sed -n 's/^\(not \)\{0,1\}ok [0-9]* - \(.*\)/\1ok \2/p; /^#/p; /^Bail/p' "$tmp/$l.tap" | while IFS= read -r line; do
		echo "$line"
	done > "$tmp/$l.res"
	while IFS= read -r line; do
		case "$line" in
		"not ok "*) ok 1 "${line#not ok }" ;;
		"ok "*) ok 0 "${line#ok }" ;;
		"Bail"*) ok 1 "$l: $line" ;;
		*) echo "$line" ;;
		esac
	done < "$tmp/$l.res"
	grep -q '^1\.\.' "$tmp/$l.tap" || ok 1 "$l: the corpus program ran to its end"
done

# pdftotext: each page names its recipient and town (bidi isolates and spaces aside).
if command -v pdftotext >/dev/null 2>&1; then
	python3 - "$srcdir/corpus/addresses.json" "$tmp" $layouts <<'PY' > "$tmp/text.tap"
import json, subprocess, sys, unicodedata
corpus = json.load(open(sys.argv[1]))
addrs = [a for fam in corpus.values() for a in fam]
def norm(s):
    s = unicodedata.normalize("NFKC", s)
    return "".join(c for c in s.casefold() if c.isalnum())
for l in sys.argv[3:]:
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", "%s/%s.pdf" % (sys.argv[2], l), "-"],
                          capture_output=True, text=True).stdout.split("\f")
    bad = []
    for i, a in enumerate(addrs):
        page = norm(text[i]) if i < len(text) else ""
        rev = norm(text[i][::-1]) if i < len(text) else ""
        for field in ("name", "town"):
            w = norm(a[field])
            if w not in page and w not in rev:
                bad.append("page %d: %s %r" % (i + 1, field, a[field]))
    print("%s %s: pdftotext finds every recipient's name and town on its page" % ("ok" if not bad else "not ok", l))
    for b in bad[:3]:
        print("#   missing " + b)
PY
	while IFS= read -r line; do
		case "$line" in
		"not ok "*) ok 1 "${line#not ok }" ;;
		"ok "*) ok 0 "${line#ok }" ;;
		*) echo "$line" ;;
		esac
	done < "$tmp/text.tap"
fi

# The machine's own fonts visible too: the library still draws with data/fonts.conf only.
for l in $layouts; do
	env -u FONTCONFIG_FILE "$corpus" "$l" "$srcdir/shipments/$l.json" "$srcdir/corpus/addresses.json" "$tmp" --hash-only > "$tmp/$l-2.tap" 2>&1
	cmp -s "$tmp/$l.hashes" "$tmp/$l-2.hashes"
	ok $? "$l: the corpus is drawn the same with the machine's fontconfig setup as with data/fonts.conf"
	cmp -s "$tmp/$l.hashes" "$tmp/$l-2.hashes" || diff "$tmp/$l.hashes" "$tmp/$l-2.hashes" | head -4 | sed 's/^/#   /'
done
echo "1..$n"
exit $fail
