#!/bin/sh
# bench/terminal.sh: the terminal's figures, through a pty (bench/bench-term)
# against a real hub on this machine. Run from the build folder (make bench
# does). Prints markdown table rows.
#   scan to answer on screen: from the Enter keystroke to the answer drawn,
#     p50 and p99 (goal 30 ms; baseline: the bare hub round trip of the same
#     scans from a plain client)
#   resident memory of despatch-term after login (goal 8 MB), and beside it
#     its private dirty memory (heap, stacks, written pages: what the
#     terminal alone costs, shared libraries' pages left out)
#   start to login screen (goal 150 ms; baseline: a minimal ncurses program)
# Every figure is the median of RUNS runs, with min and max.
set -eu
B=${top_builddir:-.}
S=${top_srcdir:-.}
RUNS=${RUNS:-3}
SCANS=${SCANS:-100}
: "${DSP_CARRIER_PATH:=$S/data/carriers}"
: "${DSP_LAYOUT_PATH:=$S/data/layouts}"
export DSP_CARRIER_PATH DSP_LAYOUT_PATH
tmp=$(mktemp -d)
ep="ipc://$tmp/hub.sock"
hpid=""
stop_hub() {
	if [ -n "$hpid" ]; then kill "$hpid" 2>/dev/null || true; wait "$hpid" 2>/dev/null || true; hpid=""; fi
}
trap 'stop_hub; rm -rf "$tmp"' EXIT INT TERM

start_hub() {
	rm -f "$tmp"/hub.db*
	"$B/hub/despatch-hub" -e "$ep" -d "$tmp/hub.db" --demo-data "$S/data/demo" -s security.curve=no \
		-s log.level=error 2>>"$tmp/hub.log" &
	hpid=$!
	i=0
	while [ ! -S "$tmp/hub.sock" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	[ -S "$tmp/hub.sock" ]
}

field() { # file key
	sed -n "s/^$2=//p" "$1" | head -1
}
stats() { # values... -> "median min max"
	printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {printf "%s %s %s\n", v[int((NR+1)/2)], v[1], v[NR]}'
}
ms() { awk -v v="$1" 'BEGIN { printf "%.2f", v / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

p50s="" p99s="" rss="" privs="" starts="" rtt50s="" rtt99s="" minis=""
r=0
while [ $r -lt "$RUNS" ]; do
	start_hub
	rm -f "$tmp"/journal*
	"$B/bench/bench-term" screen "$SCANS" "$B/terminal/despatch-term" --endpoint "$ep" --terminal bench-hh \
		--station BENCH --journal "$tmp/journal.db" --log "$tmp/term.log" >"$tmp/screen.out"
	"$B/bench/bench-term" rtt "$ep" "$SCANS" >"$tmp/rtt.out"
	stop_hub
	"$B/bench/bench-term" start-mini >"$tmp/mini.out"
	p50s="$p50s $(field "$tmp/screen.out" p50_us)"
	p99s="$p99s $(field "$tmp/screen.out" p99_us)"
	rss="$rss $(field "$tmp/screen.out" rss_kib)"
	privs="$privs $(field "$tmp/screen.out" private_kib)"
	starts="$starts $(field "$tmp/screen.out" start_us)"
	rtt50s="$rtt50s $(field "$tmp/rtt.out" p50_us)"
	rtt99s="$rtt99s $(field "$tmp/rtt.out" p99_us)"
	minis="$minis $(field "$tmp/mini.out" start_us)"
	r=$((r + 1))
done

set -- $(stats $p50s); p50=$1 p50min=$2 p50max=$3
set -- $(stats $p99s); p99=$1 p99min=$2 p99max=$3
set -- $(stats $rtt50s); b50=$1
set -- $(stats $rtt99s); b99=$1
echo "| terminal scan to answer on screen ms, p50 | $(ms $p50) ($(ms $p50min)-$(ms $p50max)) | bare hub round trip p50 | $(ms $b50) | $(ratio $p50 $b50) |"
echo "| terminal scan to answer on screen ms, p99 | $(ms $p99) ($(ms $p99min)-$(ms $p99max)) | goal | 30 | $(ratio $p99 30000) |"
echo "| (same, p99) | $(ms $p99) | bare hub round trip p99 | $(ms $b99) | $(ratio $p99 $b99) |"
set -- $(stats $rss)
echo "| despatch-term resident KiB after login | $1 ($2-$3) | goal | 8192 | $(ratio $1 8192) |"
r1=$1
set -- $(stats $privs)
echo "| despatch-term private dirty KiB after login | $1 ($2-$3) | its resident KiB | $r1 | $(ratio $1 $r1) |"
set -- $(stats $starts); st=$1 stmin=$2 stmax=$3
set -- $(stats $minis); mini=$1
echo "| despatch-term start to login screen ms | $(ms $st) ($(ms $stmin)-$(ms $stmax)) | goal | 150 | $(ratio $st 150000) |"
echo "| (same) | $(ms $st) | minimal ncurses program start | $(ms $mini) | $(ratio $st $mini) |"
