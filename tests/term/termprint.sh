# termprint.sh: what the tmux tests that print share, on top of termlib.sh.
# Sourced after it. A private cupsd with fake printers (printers/cups-private:
# queues label, fallback and docs, each saving what it receives under
# TP_DIR/out/QUEUE), stopped with everything else by the EXIT trap; and
# reading back what a fake printer received: a label's ZPL through the
# suite's own ZPL decoder and zbarimg, a PDF through pdftoppm and zbarimg.

TP_CUPS="$top_srcdir/printers/cups-private"
TP_FAKE="$top_builddir/printers/fake-printer"
TP_ZPL="$top_builddir/tests/labels/zpl-decode"
command -v cupsd >/dev/null 2>&1 || [ -x /usr/sbin/cupsd ] || tl_skip_all "cupsd not installed"
[ -x "$TP_FAKE" ] || tl_skip_all "fake-printer not built"
[ -x "$TP_ZPL" ] || tl_skip_all "tests/labels/zpl-decode not built"
command -v zbarimg >/dev/null 2>&1 || tl_skip_all "zbarimg not installed (zbar-tools)"

TP_DIR="$TL_DIR/cups"
tp_cleanup ()
{
	"$TP_CUPS" stop "$TP_DIR" >/dev/null 2>&1
	tl_cleanup
}
trap tp_cleanup EXIT

# Start the private cupsd; its settings for clients come into this shell.
tp_start ()
{
	"$TP_CUPS" start "$TP_DIR" --fake-printer "$TP_FAKE" >"$TL_DIR/cups.log" 2>&1 && . "$TP_DIR/env"
}

# How many jobs the fake printer behind queue $1 has saved.
tp_count ()
{
	ls "$TP_DIR/out/$1" 2>/dev/null | grep -c '^job-'
}

# Wait (bounded, 30 s) until queue $1 holds $2 jobs.
tp_wait_count ()
{
	local i=0
	while [ "$(tp_count "$1")" -lt "$2" ] && [ $i -lt 600 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	[ "$(tp_count "$1")" -ge "$2" ]
}

# The newest job queue $1 received (a path), or nothing.
tp_latest ()
{
	ls -t "$TP_DIR/out/$1"/job-* 2>/dev/null | head -1
}

# What the barcodes of a printed job read, one symbol a line: ZPL through
# zpl-decode, PDF through pdftoppm, both then through zbarimg.
tp_decode ()
{
	local job=$1 img="$TL_DIR/decode-$$.pbm"
	case "$job" in
	*.zpl) "$TP_ZPL" "$job" "$img" >/dev/null 2>&1 || return 1 ;;
	*.pdf)
		command -v pdftoppm >/dev/null 2>&1 || return 1
		pdftoppm -r 300 -gray -singlefile "$job" "${img%.pbm}" >/dev/null 2>&1 || return 1
		img="${img%.pbm}.pgm"
		;;
	*) return 1 ;;
	esac
	zbarimg -q --raw "$img" 2>/dev/null | sed '/^$/d'
	rm -f "$img"
}
