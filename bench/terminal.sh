#!/bin/sh
# bench/terminal.sh: the terminal's figures, through a pty (bench/bench-term)
# against a real hub on this machine, CURVE on as in production (CURVE=no
# for plain sockets). Run from the build folder (make bench does). Prints
# markdown table rows.
#   scan to answer on screen: from the Enter keystroke to the answer drawn,
#     p50 and p99 (goal 30 ms; baseline: the bare hub round trip of the same
#     scans from a plain client)
#   memory of despatch-term after login, with OTHERS more terminals (3)
#     running on the machine, as a machine serving several sessions does:
#     private (Private_Clean + Private_Dirty of smaps_rollup: the pages no
#     other process maps, what one more terminal costs; goal 2 MB) and
#     resident (VmRSS, shared library pages included; the former 8 MB goal)
#   start to login screen (goal 150 ms; baseline: a minimal ncurses program)
# Every figure is the median of RUNS runs, with min and max.
set -eu
B=${top_builddir:-.}
S=${top_srcdir:-.}
RUNS=${RUNS:-3}
SCANS=${SCANS:-100}
OTHERS=${OTHERS:-3}
CURVE=${CURVE:-yes}
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

# CURVE: the hub's keys, and one enrolled key per terminal (and the baseline client).
security="-s security.curve=no"
term_keys="" rtt_keys=""
if [ "$CURVE" = yes ]; then
	"$B/hub/despatch" keys init "$tmp/keys" >/dev/null
	for t in bench-hh bench-term-rtt $(i=1; while [ $i -le "$OTHERS" ]; do echo bench-other-$i; i=$((i + 1)); done); do
		"$B/hub/despatch" keys enrol "$tmp/keys" "$t" >/dev/null
	done
	security="-s security.keys_dir=$tmp/keys"
	term_keys="--keys $tmp/keys/terminals/bench-hh"
	rtt_keys="$tmp/keys/terminals/bench-term-rtt"
fi

start_hub() {
	rm -f "$tmp"/hub.db*
	"$B/hub/despatch-hub" -e "$ep" -d "$tmp/hub.db" --demo-data "$S/data/demo" $security \
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

p50s="" p99s="" rss="" privs="" dirties="" starts="" rtt50s="" rtt99s="" minis=""
r=0
while [ $r -lt "$RUNS" ]; do
	start_hub
	rm -f "$tmp"/journal*
	# The others get bench-other-N's keys beside bench-hh's (bench-term does that).
	"$B/bench/bench-term" screen "$SCANS" "$OTHERS" "$B/terminal/despatch-term" --endpoint "$ep" --terminal bench-hh \
		--station BENCH $term_keys --journal "$tmp/journal.db" --log "$tmp/term.log" >"$tmp/screen.out"
	"$B/bench/bench-term" rtt "$ep" "$SCANS" $rtt_keys >"$tmp/rtt.out"
	stop_hub
	"$B/bench/bench-term" start-mini >"$tmp/mini.out"
	p50s="$p50s $(field "$tmp/screen.out" p50_us)"
	p99s="$p99s $(field "$tmp/screen.out" p99_us)"
	rss="$rss $(field "$tmp/screen.out" rss_kib)"
	privs="$privs $(field "$tmp/screen.out" private_kib)"
	dirties="$dirties $(field "$tmp/screen.out" private_dirty_kib)"
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
set -- $(stats $privs)
echo "| despatch-term private KiB after login, $((OTHERS + 1)) terminals running | $1 ($2-$3) | goal | 2048 | $(ratio $1 2048) |"
p1=$1
set -- $(stats $rss)
echo "| despatch-term resident KiB after login, shared library pages included | $1 ($2-$3) | former goal (resident) | 8192 | $(ratio $1 8192) |"
r1=$1
set -- $(stats $dirties)
echo "| (of the private) dirty KiB: heap, stacks, written pages | $1 ($2-$3) | its private KiB | $p1 | $(ratio $1 $p1) |"
echo "| (same private) | $p1 | its resident KiB | $r1 | $(ratio $p1 $r1) |"
set -- $(stats $starts); st=$1 stmin=$2 stmax=$3
set -- $(stats $minis); mini=$1
echo "| despatch-term start to login screen ms | $(ms $st) ($(ms $stmin)-$(ms $stmax)) | goal | 150 | $(ratio $st 150000) |"
echo "| (same) | $(ms $st) | minimal ncurses program start | $(ms $mini) | $(ratio $st $mini) |"
