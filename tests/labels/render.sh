#!/bin/sh
# render.sh: `despatch-label render` refuses bad input with a message naming the
# field and leaves no output file; good input comes out at every resolution and stock.
srcdir="${top_srcdir:-.}/tests/labels"
tool="${top_builddir:-.}/labels/despatch-label"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
fail=0
good="$srcdir/shipments/dpd-uk.json"

ok () {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi
}

# refuse WANT_RC PATTERN DESCRIPTION -- render args (output is $tmp/out)
refuse () {
	want=$1 pat=$2 what=$3
	shift 3
	rm -f "$tmp/out"
	"$tool" render "$@" -o "$tmp/out" > "$tmp/msg" 2>&1
	rc=$?
	[ "$rc" = "$want" ] && grep -q -- "$pat" "$tmp/msg" && [ ! -e "$tmp/out" ] && ! ls "$tmp"/out.tmp* >/dev/null 2>&1
	ok $? "$what (exit $rc, no output file)"
	[ "$rc" = "$want" ] && grep -q -- "$pat" "$tmp/msg" || sed 's/^/#   /' "$tmp/msg"
}

# A shipment with one field changed: edit JSON with sed on the sample file.
variant () {
	sed "$1" "$good" > "$tmp/ship.json"
}

refuse 1 "unknown carrier 'hermes'" "unknown carrier" --carrier hermes --data "$good" --format zpl
refuse 1 "unknown carrier" "carrier name with a path refused" --carrier ../dpd-uk --data "$good" --format zpl
variant 's/"postcode": "SW1A 2AA"/"postal_code": "SW1A 2AA"/'
refuse 1 "recipient.postcode' is missing" "missing field named" --carrier dpd-uk --data "$tmp/ship.json" --format zpl
variant 's/"name": "Zoë Ångström-Łukasiewicz"/"name": "Zoë Ångström-Łukasiewicz Von Und Zu Irgendwo Mit Sehr Langem Namen"/'
refuse 1 "recipient.name" "name too long for its field is named" --carrier dpd-uk --data "$tmp/ship.json" --format png
# A six-line business address fits: the box's text shrinks until it does.
variant 's/"Flat 2", "10 Downing Street"/"Flat 2", "Building 7", "Staircase C", "Floor 4", "10 Downing Street", "Westminster"/'
for f in pdf zpl png; do
	rm -f "$tmp/out"
	"$tool" render --carrier dpd-uk --data "$tmp/ship.json" --format $f -o "$tmp/out" > "$tmp/msg" 2>&1
	[ $? = 0 ] && [ -s "$tmp/out" ]
	ok $? "a six-line address shrinks to fit its box ($f)"
	sed 's/^/#   /' "$tmp/msg"
done
# Past the floor (6 pt) it is refused, naming the box and the smallest size tried.
variant 's/"Flat 2", "10 Downing Street"/"Flat 2", "Building 7", "Staircase C", "Floor 4", "Wing A", "Block 9", "Court 3", "Yard 5", "Gate 2", "Lane 8", "Row 6", "Hall 4", "Unit 1", "10 Downing Street", "Westminster"/'
refuse 1 "too long for text box 'recipient' of layout dpd-uk even at its smallest size, 6 pt" "address too long for its box even at 6 pt is named" --carrier dpd-uk --data "$tmp/ship.json" --format pdf
variant 's/"code": "101"/"code": "1O1"/'
refuse 1 "service.code" "service code that is not digits is named" --carrier dpd-uk --data "$tmp/ship.json" --format zpl
sed 's/1Z999AA10123456784/1Z999AA10123456785/' "$srcdir/shipments/ups.json" > "$tmp/ups.json"
refuse 1 "not a valid ups identifier" "tracking number with a bad check digit refused" --carrier ups --data "$tmp/ups.json" --format zpl
ticket () {
	printf '{"reference": "%s", "service": {"name": "Next day"}, "recipient": {"name": "A. Smith", "town": "London", "postcode": "SW1A 2AA", "country": "GB"}, "order": {"lines": 2, "departments": "Shoes"}, "date": "2026-11-22"}' "$1" > "$tmp/ticket.json"
}
ticket "ORD-Ω-42"
refuse 1 "cannot go in barcode 'order'" "data Code 128 cannot encode is refused" --carrier ticket --data "$tmp/ticket.json" --format png
ticket "ORDER-abcdefghijklmn"
printf '{"name": "narrow", "width": 100, "height": 148, "elements": [{"type": "barcode", "name": "order", "symbology": "code128", "x": 2, "y": 2, "w": 30, "h": 20, "data": "{reference}"}]}' > "$tmp/narrow.json"
refuse 1 "reference is too long for barcode 'order'" "reference too long for its barcode is named" --layout "$tmp/narrow.json" --data "$tmp/ticket.json" --format png
# A character no label font has is refused in every format, naming the field and the character:
# never drawn as a box.
sed 's/"town": "London",/"town": "ལྷ་ས",/' "$good" > "$tmp/ship.json"
for f in zpl pdf png; do
	refuse 1 "shipment field recipient.town holds characters that no label font can print, 'ལ' (U+0F63)" \
	    "a Tibetan town (no label font has it) is refused ($f)" --carrier dpd-uk --data "$tmp/ship.json" --format $f
done
variant 's/"name": "Zoë Ångström-Łukasiewicz"/"name": "Zoë 🦩 Ångström"/'
refuse 1 "recipient.name holds characters that no label font can print, '🦩' (U+1F9A9)" \
    "an emoji no label font has is refused, naming it" --carrier dpd-uk --data "$tmp/ship.json" --format zpl
# A layout that prints a tracking number without its scheme's check is refused when it loads,
# and so is one asking for bars narrower than the symbology's minimum.
sed 's/{tracking|ident:dpd|group:4,4,4,2}/{tracking|group:4,4,4,2}/' "${top_srcdir:-.}/data/layouts/dpd-uk.json" > "$tmp/noident.json"
refuse 1 "{tracking} must pass through its scheme's check" "a layout printing {tracking} without ident: is refused" \
    --layout "$tmp/noident.json" --data "$good" --format zpl
sed '/"name": "sscc"/s/"module": 0.5/"module": 0.375/' "${top_srcdir:-.}/data/layouts/specialist.json" > "$tmp/thin.json"
refuse 1 "a gs1-128's bars are at least 0.495 mm wide (module), not 0.375" "GS1-128 bars under 0.495 mm are refused" \
    --layout "$tmp/thin.json" --data "$srcdir/shipments/specialist.json" --format zpl

# Read back before printing: every carrier's label verifies in every format, listing what it read;
# a label read against another shipment, or where the layout's box holds no symbol, is refused.
for s in "$srcdir"/shipments/*.json; do
	c=$(basename "$s" .json)
	for f in zpl png pdf; do
		rm -f "$tmp/v.$f"
		"$tool" render --carrier "$c" --data "$s" --format $f --verify -o "$tmp/v.$f" > "$tmp/msg" 2>&1 \
		    && "$tool" verify --carrier "$c" --data "$s" "$tmp/v.$f" > "$tmp/read" 2>> "$tmp/msg" \
		    && [ "$(wc -l < "$tmp/read")" = "$(wc -l < "$srcdir/expect/$c.txt")" ]
		rc=$?
		ok $rc "$c: render --verify and despatch-label verify read every barcode back ($f)"
		[ $rc = 0 ] || sed 's/^/#   /' "$tmp/msg"
	done
done
"$tool" render --carrier ups --data "$srcdir/shipments/ups.json" --format zpl -o "$tmp/ups.zpl"
sed 's/1Z999AA10123456784/1Z5R89390357567127/' "$srcdir/shipments/ups.json" > "$tmp/other.json"
"$tool" verify --carrier ups --data "$tmp/other.json" "$tmp/ups.zpl" > /dev/null 2> "$tmp/msg"
rc=$?
[ $rc = 1 ] && grep -q "of layout ups reads \".*1Z23456784.*\", but it must carry \".*1Z57567127" "$tmp/msg"
ok $? "a label verified against another parcel's shipment is refused, saying what it read (exit $rc)"
[ $rc = 1 ] || sed 's/^/#   /' "$tmp/msg"
sed '/"name": "tracking"/s/"y": 106/"y": 49/' "${top_srcdir:-.}/data/layouts/ups.json" > "$tmp/moved.json"
"$tool" verify --layout "$tmp/moved.json" --data "$srcdir/shipments/ups.json" "$tmp/ups.zpl" > /dev/null 2> "$tmp/msg"
rc=$?
[ $rc = 1 ] && grep -q "barcode 'tracking' (code128) of layout ups does not read back" "$tmp/msg"
ok $? "a barcode not where the layout puts it does not read back (exit $rc)"
[ $rc = 1 ] || sed 's/^/#   /' "$tmp/msg"

printf '{ "tracking": ' > "$tmp/broken.json"
refuse 1 "line" "broken JSON refused" --carrier dpd-uk --data "$tmp/broken.json" --format zpl
printf '"just text"' > "$tmp/str.json"
refuse 1 "JSON object" "a JSON string is refused" --carrier dpd-uk --data "$tmp/str.json" --format zpl
refuse 2 "203, 300 or 600" "unsupported resolution is a usage error" --carrier dpd-uk --data "$good" --format zpl --dpi 150
refuse 2 "zpl, pdf or png" "unknown format is a usage error" --carrier dpd-uk --data "$good" --format bmp
refuse 2 "unknown stock" "unknown stock is a usage error" --carrier dpd-uk --data "$good" --format zpl --stock a5
refuse 2 "needs --data" "missing --data is a usage error" --carrier dpd-uk --format zpl
printf '[%s,%s]' "$(cat "$good")" "$(cat "$good")" > "$tmp/two.json"
refuse 1 "PNG holds one label" "two shipments in one PNG refused" --carrier dpd-uk --data "$tmp/two.json" --format png

# Good input at every resolution and stock: ZPL page size in dots, PNG size, PDF magic.
for dpi in 203 300 600; do
	for stock in 4x6:4:6 a6:105:148 100x150:100:150 a4:210:297; do
		name=${stock%%:*}
		rest=${stock#*:}
		w=${rest%%:*}
		h=${rest#*:}
		case $name in
		4x6) pw=$((w * dpi)); ph=$((h * dpi)) ;;
		*) pw=$((w * dpi * 10 / 254)); ph=$((h * dpi * 10 / 254)) ;;
		esac
		"$tool" render --carrier dpd-uk --data "$good" --format zpl --dpi $dpi --stock $name -o "$tmp/l.zpl"
		grep -q "^\^PW$pw\$" "$tmp/l.zpl" && grep -q "^\^LL$ph\$" "$tmp/l.zpl"
		ok $? "ZPL at $dpi dpi on $name stock is $pw x $ph dots"
	done
	"$tool" render --carrier dpd-uk --data "$good" --format png --dpi $dpi -o "$tmp/l.png"
	size=$(od -An -tu1 -j16 -N8 "$tmp/l.png" | awk '{ print $1*16777216+$2*65536+$3*256+$4 "x" $5*16777216+$6*65536+$7*256+$8 }')
	[ "$size" = "$((4 * dpi))x$((6 * dpi))" ]
	ok $? "PNG at $dpi dpi is $size"
	"$tool" render --carrier dpd-uk --data "$good" --format pdf --dpi $dpi -o "$tmp/l.pdf"
	head -c 5 "$tmp/l.pdf" | grep -q '%PDF-'
	ok $? "PDF at $dpi dpi"
done
"$tool" render --carrier dpd-uk --data "$tmp/two.json" --format zpl -o "$tmp/two.zpl"
[ "$(grep -c '^\^XZ' "$tmp/two.zpl")" = 2 ]
ok $? "two shipments make two ZPL labels in one job"
"$tool" render --carrier dpd-uk --data "$tmp/two.json" --format pdf -o "$tmp/two.pdf"
if command -v pdfinfo >/dev/null 2>&1; then
	pdfinfo "$tmp/two.pdf" | grep -q '^Pages: *2'
	ok $? "two shipments make a two-page PDF"
fi

# A user's layout directory comes before the system one.
mkdir -p "$tmp/xdg/despatch/layouts"
sed 's/"text": "dpd"/"text": "usr"/' "${top_srcdir:-.}/data/layouts/dpd-uk.json" > "$tmp/xdg/despatch/layouts/dpd-uk.json"
XDG_DATA_HOME="$tmp/xdg" "$tool" render --carrier dpd-uk --data "$good" --format pdf -o "$tmp/user.pdf"
ok $? "user layout overrides the installed one (and finds the installed logo)"
XDG_DATA_HOME="$tmp/xdg" "$tool" layouts | grep -q "^dpd-uk"
ok $? "layouts lists the carriers"
[ "$("$tool" layouts | grep -vc '^#')" -ge 8 ]
ok $? "eight carrier layouts are installed"
"$tool" layouts > "$tmp/layouts"
! grep -q broken "$tmp/layouts"
ok $? "no layout is broken"
grep broken "$tmp/layouts" | sed 's/^/#   /'
# An output that is not a regular file (a pipe here; /dev/null or a printer
# port in use) is written in place, never replaced by a renamed file.
mkfifo "$tmp/pipe"
timeout 10 cat "$tmp/pipe" > "$tmp/from-pipe" & # bounded: a replaced pipe never gets a writer
reader=$!
"$tool" render --carrier dpd-uk --data "$good" --format zpl -o "$tmp/pipe"
rc=$?
wait $reader
[ "$rc" = 0 ] && [ -p "$tmp/pipe" ] && grep -q '^^XA' "$tmp/from-pipe" && ! ls "$tmp"/pipe.tmp* >/dev/null 2>&1
ok $? "a pipe as output stays a pipe and gets the label"

echo "1..$n"
exit $fail
