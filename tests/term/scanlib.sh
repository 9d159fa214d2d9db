# scanlib.sh: what the tests that scan printed labels share (sourced after termlib.sh, not run):
# a private cupsd whose fake label printer saves every job, the jobs it saved, each label cut
# into its symbols (tests/term/label-crop) and read by zbarimg, dmtxread or ZXingReader one
# format at a time, and the bench's moves (locate an order, pack it, back to the menu).
TS_CUPS="$top_srcdir/printers/cups-private"
TS_FAKE="$top_builddir/printers/fake-printer"
TS_CROP="$top_builddir/tests/term/label-crop"
command -v cupsd >/dev/null 2>&1 || [ -x /usr/sbin/cupsd ] || tl_skip_all "cupsd not installed"
[ -x "$TS_FAKE" ] || tl_skip_all "fake-printer not built"
[ -x "$TS_CROP" ] || tl_skip_all "label-crop not built"
for r in zbarimg dmtxread ZXingReader sqlite3; do
	command -v "$r" >/dev/null 2>&1 || tl_skip_all "$r not installed (zbar-tools, dmtx-utils, zxing-cpp-tools, sqlite3)"
done

TS_DIR="$TL_DIR/cups"
ts_cleanup ()
{
	"$TS_CUPS" stop "$TS_DIR" >/dev/null 2>&1
	tl_cleanup
}
trap ts_cleanup EXIT

ts_jobs () { ls "$TS_DIR/out/label" 2>/dev/null | grep -c '^job-'; }
ts_wait_jobs ()
{
	local i=0
	while [ "$(ts_jobs)" -lt "$1" ] && [ $i -lt 600 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	[ "$(ts_jobs)" -ge "$1" ]
}
# The fake printer's N-th job (in the order it arrived).
ts_job () { ls "$TS_DIR"/out/label/job-* | sort | sed -n "${1}p"; }

# What a reader returns for one cut-out symbol, byte for byte.
ts_read ()
{
	case $2 in
	code128 | gs1-128 | dpd | qr) zbarimg -q --raw "$1" 2>/dev/null | head -c 2000 ;;
	datamatrix | gs1-datamatrix) timeout 30 dmtxread -m 8000 -N 1 "$1" 2>/dev/null ;;
	pdf417) timeout 30 ZXingReader -bytes -format PDF417 "$1" 2>/dev/null ;;
	maxicode) timeout 30 ZXingReader -bytes -ispure -format MaxiCode "$1" 2>/dev/null ;;
	aztec) timeout 30 ZXingReader -bytes -format Aztec "$1" 2>/dev/null ;;
	esac
}

# The symbols of a carrier file that name no parcel ("[symbol X]" with "instead").
ts_instead ()
{
	awk '/^\[symbol /{ s = $2; sub(/\]$/, "", s) } /^instead *=/{ print s }' "$top_srcdir/data/carriers/$1.conf"
}

ts_layout () { sed -n 's/^layout *= *//p' "$top_srcdir/data/carriers/$1.conf"; }
ts_cage () { sed -n 's/^\[cage \(.*\)\]$/\1/p' "$top_srcdir/data/carriers/$1.conf" | head -1; }

# ISO 7064 Mod 37,36: the check character DPD prints after its barcode's text.
ts_mod3736 ()
{
	local a=0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ s=$1 p=36 i v
	for ((i = 0; i < ${#s}; i++)); do
		v=${a%%"${s:i:1}"*}
		v=${#v}
		p=$((p + v))
		[ $p -gt 36 ] && p=$((p - 36))
		p=$((p * 2))
		[ $p -gt 36 ] && p=$((p - 37))
	done
	v=$((37 - p))
	[ $v -eq 36 ] && v=0
	echo "${a:v:1}"
}

# Wait (bounded) for TEXT in the screen's left part joined across its rows: the message line wraps
# there, beside the side panel of a bench screen.
ts_wait ()
{
	local i=0 cols
	cols=$(tmux -L "$TL_SOCK" display-message -p -t dsp '#{pane_width}')
	[ "$cols" -ge 60 ] && cols=40
	while [ $i -lt 200 ]; do
		tl_screen | cut -c1-"$cols" | tr '\n' ' ' | tr -s ' ' | grep -qF -- "$1" && return 0
		# or in the recent answers, when an EVENT has taken the message line since
		tl_screen | grep -qF -- "$1" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# Back to the menu from wherever the screen is (F3 steps back; on the menu it would log out).
ts_menu ()
{
	local i
	for i in 1 2 3 4; do
		tl_row 0 | grep -q '^MENU' && return 0
		tl_keys F3
		tl_wait MENU && tl_row 0 | grep -q '^MENU' && return 0
	done
	return 1
}

# Start the private cupsd and a hub printing to it for station bench-1 (extra hub options passed on).
ts_start ()
{
	"$TS_CUPS" start "$TS_DIR" --fake-printer "$TS_FAKE" >"$TL_DIR/cups.log" 2>&1 || return 1
	. "$TS_DIR/env"
	tl_hub_start --set "printer.server=$DSP_CUPS_SOCKET" --set printer.bench-1.label=label \
		--set printer.bench-1.document=docs "$@"
}

# Receive an order and locate every line (each unit of each line scanned; the SKUs in TS_COUNT,
# " A B ", counted with F4 and confirmed with F1 instead).
TS_COUNT=" "
ts_locate ()
{
	local ref=$1 no loc sku qty i
	ts_menu && tl_keys "$(tl_menu Receive)" && tl_wait "Scan ticket" && tl_scan "$ref" \
		&& tl_wait "Go to " && tl_keys F4 && tl_wait "Scan location" || return 1
	while IFS='|' read -r no loc sku qty; do
		tl_wait "$ref line $no" && tl_wait "Scan location" && tl_scan "${loc%%;*}" && tl_wait "Scan item" || return 1
		if [ "$qty" -gt 1 ] && [ "${TS_COUNT#* $sku }" != "$TS_COUNT" ]; then
			# Counted instead of scanned: F4 Count, the quantity, F1 confirms.
			tl_wait "F4 Count" && tl_keys F4 && tl_wait "Qty found" && tl_scan "$qty" && tl_wait "F1 confirms" \
				&& tl_keys F1 && tl_wait_re "found: $qty of $qty|Line $no found" || return 1
			continue
		fi
		for ((i = 1; i < qty; i++)); do
			tl_scan "$sku" && tl_wait "$i of $qty found" || return 1
		done
		tl_scan "$sku" && tl_wait_re "found: |Line $no found" || return 1
	done < <(tl_sql "SELECT line_no, locations, sku, quantity FROM order_lines WHERE order_ref = '$ref' ORDER BY line_no")
	tl_wait "Next: pack"
}

# Pack an order at the bench as N parcels (default 1); ends at the label check.
ts_pack ()
{
	ts_menu && tl_keys "$(tl_menu Pack)" && tl_wait "PACK" && tl_scan "$1" && tl_wait "Parcels (Enter=1)" \
		&& tl_scan "${2:-1}" && tl_wait "Box type" && tl_scan M && tl_wait "Weight g" && tl_scan 900 \
		&& tl_wait "Scan printed label"
}

# Cut the newest label into its symbols and read each: lines "NAME SYMBOLOGY FILE" in $TL_DIR/read-$1/list,
# the text each reader returned in $TL_DIR/read-$1/NAME.txt.
ts_decode ()
{
	local tag=$1 job=$2 layout=$3 d="$TL_DIR/read-$1" name sym file
	rm -rf "$d" && mkdir -p "$d"
	"$TS_CROP" "$job" "$top_srcdir/data/layouts/$layout.json" 203 "$d" > "$d/list" || return 1
	while read -r name sym file; do
		ts_read "$file" "$sym" > "$d/$name.txt"
	done < "$d/list"
}

