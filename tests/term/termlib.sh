# termlib.sh: what the tmux-driven terminal tests share. Sourced, not run.
#
# Each test gets a temporary folder, a real despatch-hub from the build tree
# on an ipc:// endpoint in it, and despatch-term in a tmux server of its own
# (-L) at a fixed size. Keys go in as a wedge scanner sends them (a burst of
# characters then Enter); the screen is read back with capture-pane. Waits
# poll the screen with a bound, never a fixed sleep. Everything started here
# is stopped by the EXIT trap.

: "${top_builddir:?run through make check (top_builddir not set)}"
: "${top_srcdir:?run through make check (top_srcdir not set)}"

TL_HUB="$top_builddir/hub/despatch-hub"
TL_TERM="$top_builddir/terminal/despatch-term"
TL_DIR=$(mktemp -d "${TMPDIR:-/tmp}/dsp-term.XXXXXX")
TL_SOCK="dsp-term-$$"
TL_ENDPOINT="ipc://$TL_DIR/hub.sock"
TL_DB="$TL_DIR/hub.db"
TL_HUB_PID=
TL_TARGET=dsp # the tmux session the tl_ helpers drive (tl_use)
TL_N=0
TL_FAILED=0

tl_cleanup ()
{
	tmux -L "$TL_SOCK" kill-server 2>/dev/null
	if [ -n "$TL_HUB_PID" ]; then
		kill "$TL_HUB_PID" 2>/dev/null
		wait "$TL_HUB_PID" 2>/dev/null
	fi
	if [ "$TL_FAILED" -eq 0 ] && [ -z "$TL_KEEP" ]; then
		rm -rf "$TL_DIR"
	else
		echo "# files kept in $TL_DIR"
	fi
}
trap tl_cleanup EXIT
trap 'exit 1' INT TERM

tl_skip_all ()
{
	echo "1..0 # SKIP $1"
	exit 0
}

command -v tmux >/dev/null 2>&1 || tl_skip_all "tmux not installed"
[ -x "$TL_HUB" ] || tl_skip_all "hub not built"
[ -x "$TL_TERM" ] || tl_skip_all "terminal not built"

tl_ok ()
{
	TL_N=$((TL_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $TL_N - $2"
	else
		echo "not ok $TL_N - $2"
		TL_FAILED=1
		echo "# screen:"
		tl_screen | sed 's/^/#   |/'
	fi
}

tl_done ()
{
	# Whatever the suite did, no hub row reached the screen in its wire form (tl_screen).
	TL_N=$((TL_N + 1))
	if [ -s "$TL_DIR/wire" ]; then
		echo "not ok $TL_N - no hub row on any screen in its wire form ('|'-joined fields, a '~void' suffix)"
		sort -u "$TL_DIR/wire" | head -20 | sed 's/^/#   |/'
		TL_FAILED=1
	else
		echo "ok $TL_N - no hub row on any screen in its wire form ($(cat "$TL_DIR/captures" 2>/dev/null || echo 0) captures read)"
	fi
	echo "1..$TL_N"
	exit "$TL_FAILED"
}

# Start (or restart) the hub on the same endpoint and database; extra args passed on.
# Its demo data is data/demo, or the folder TL_DEMO names (tl_demo).
# CURVE is on, as in production: hub keys made once, the terminal enrolled as tl-term.
TL_KEYS="$TL_DIR/keys"
tl_hub_start ()
{
	if [ ! -d "$TL_KEYS/terminals/tl-term" ]; then
		"$top_builddir/admin/despatch" keys init "$TL_KEYS" >/dev/null &&
			"$top_builddir/admin/despatch" keys enrol "$TL_KEYS" tl-term >/dev/null || return 1
	fi
	"$TL_HUB" --endpoint "$TL_ENDPOINT" --database "$TL_DB" --demo-data "${TL_DEMO:-$top_srcdir/data/demo}" \
		--set security.keys_dir="$TL_KEYS" --set hub.heartbeat_ms=300 "$@" 2>>"$TL_DIR/hub.log" &
	TL_HUB_PID=$!
	local i=0
	while [ ! -S "$TL_DIR/hub.sock" ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	[ -S "$TL_DIR/hub.sock" ]
}

# tl_demo ORDERS.CSV: the hub's demo data is the demo operators with these orders instead.
tl_demo ()
{
	TL_DEMO="$TL_DIR/demo"
	mkdir -p "$TL_DEMO" && cp "$top_srcdir/data/demo/operators.csv" "$TL_DEMO/" && cp "$1" "$TL_DEMO/orders.csv"
}

tl_hub_stop ()
{
	if [ -n "$TL_HUB_PID" ]; then
		kill "$TL_HUB_PID" 2>/dev/null
		wait "$TL_HUB_PID" 2>/dev/null
		TL_HUB_PID=
	fi
}

# tl_term_start ROWS COLS [terminal options...]: the terminal in a fresh tmux window.
# Its keys are those enrolled as its --terminal id (enrolled here when new: the
# hub takes the id from the key), or the folder in TL_TERM_KEYS (empty: no --keys at all).
tl_term_start ()
{
	local rows=$1 cols=$2
	shift 2
	local id=tl-term prev= a
	for a in "$@"; do
		[ "$prev" = --terminal ] && id=$a
		prev=$a
	done
	if [ -z "${TL_TERM_KEYS+set}" ] && [ ! -d "$TL_KEYS/terminals/$id" ]; then
		"$top_builddir/admin/despatch" keys enrol "$TL_KEYS" "$id" >/dev/null || return 1
	fi
	local keys=${TL_TERM_KEYS-$TL_KEYS/terminals/$id}
	# A second terminal (tl_use) keeps a journal and a log of its own.
	local own=
	[ "$TL_TARGET" = dsp ] || own="-$TL_TARGET"
	local cmd="'$TL_TERM' --endpoint '$TL_ENDPOINT' ${keys:+--keys '$keys'} --journal '$TL_DIR/journal$own.db' --log '$TL_DIR/term$own.log' $*"
	if tmux -L "$TL_SOCK" has-session -t "=$TL_TARGET" 2>/dev/null; then
		tmux -L "$TL_SOCK" resize-window -t "$TL_TARGET" -x "$cols" -y "$rows"
		tmux -L "$TL_SOCK" respawn-pane -k -t "$TL_TARGET" "$cmd"
	else
		tmux -L "$TL_SOCK" -f /dev/null new-session -d -s "$TL_TARGET" -x "$cols" -y "$rows" "$cmd"
		tmux -L "$TL_SOCK" set-option -g remain-on-exit on >/dev/null
	fi
}

# tl_use NAME: drive the terminal in tmux session NAME from here on (tl_term_start opens it;
# dsp is the first). Two terminals side by side: one asks, the other hears.
tl_use ()
{
	TL_TARGET=$1
}

# Kill the terminal process hard (as a crash or a pulled battery would).
tl_term_kill ()
{
	local pid
	pid=$(tmux -L "$TL_SOCK" display-message -p -t "$TL_TARGET" '#{pane_pid}')
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	local i=0
	while [ "$(tmux -L "$TL_SOCK" display-message -p -t "$TL_TARGET" '#{pane_dead}')" != 1 ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
}

tl_resize ()
{
	tmux -L "$TL_SOCK" resize-window -t "$TL_TARGET" -x "$2" -y "$1"
}

# Every capture of the screen goes through here, and every one is checked:
# no row of the hub's answers may reach the screen in its wire form (fields
# joined by '|', a void parcel's '~void17' suffix). The side panel's
# divider (the '|' down the middle column of a screen of 60 columns and 12
# rows or more, terminal/term-screen.c) is not a row. Lines seen go into
# TL_DIR/wire; tl_done fails the suite on them.
tl_screen ()
{
	local out size
	out=$(tmux -L "$TL_SOCK" capture-pane -p -t "$TL_TARGET" 2>/dev/null) || return 1
	printf '%s\n' "$out"
	size=$(tmux -L "$TL_SOCK" display-message -p -t "$TL_TARGET" '#{pane_width} #{pane_height}' 2>/dev/null)
	# perl, as it counts characters (an accented name) where awk counts bytes.
	printf '%s\n' "$out" | perl -CSD -e '
		my ($size, $wire, $count) = @ARGV;
		my ($w, $h) = split / /, $size;
		my $m = int ($w / 2);
		my $n = 0;
		my @bad;
		while (my $line = <STDIN>) {
			chomp $line;
			my $seen = $line;
			substr ($seen, $m, 1) = " " if $w >= 60 && $h >= 12 && $. > 1 && length ($seen) > $m
			    && substr ($seen, $m, 1) eq "|";
			push @bad, $line if $seen =~ /\|/ || $seen =~ /[^ ~]~[A-Za-z0-9]/;
		}
		if (@bad) {
			open my $f, ">>", $wire or die;
			print $f "$_\n" for @bad;
		}
		if (open my $c, "<", $count) { $n = <$c> + 0; }
		open my $c, ">", $count or die;
		print $c $n + 1, "\n";' "$size" "$TL_DIR/wire" "$TL_DIR/captures"
}

# tl_wait TEXT [TRIES]: poll the screen (every 50 ms, 400 tries by default: a loaded machine can take seconds to show what an idle one shows at once) for fixed TEXT.
tl_wait ()
{
	local i=0 tries=${2:-400}
	while [ $i -lt "$tries" ]; do
		tl_screen | grep -qF -- "$1" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# The same, for the joined screen (text wrapped over lines at narrow widths).
tl_wait_joined ()
{
	local i=0 tries=${2:-400}
	while [ $i -lt "$tries" ]; do
		tl_screen | tr '\n' ' ' | tr -s ' ' | grep -qF -- "$1" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# The same for an extended regular expression, line by line.
tl_wait_re ()
{
	local i=0 tries=${2:-400}
	while [ $i -lt "$tries" ]; do
		tl_screen | grep -qE -- "$1" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# tl_settle: wait (at most 40 tries of 50 ms) until two captures 100 ms apart agree, so a
# screen is read whole and not halfway through a redraw.
tl_settle ()
{
	local i=0 a b
	a=$(tl_screen)
	while [ $i -lt 40 ]; do
		sleep 0.1
		b=$(tl_screen)
		[ "$a" = "$b" ] && return 0
		a=$b
		i=$((i + 1))
	done
	return 1
}

# tl_page_to TEXT: page down (PgDn, at most 24 pages) through a list until fixed TEXT shows.
tl_page_to ()
{
	local i before j
	for i in $(seq 1 24); do
		tl_wait_main "$1" 10 && return 0
		before=$(tl_row 0)
		tl_keys PgDn
		j=0
		while [ "$(tl_row 0)" = "$before" ] && [ $j -lt 20 ]; do
			sleep 0.05
			j=$((j + 1))
		done
		[ "$(tl_row 0)" = "$before" ] && break # the last page
	done
	tl_wait_main "$1" 10
}

tl_row ()
{
	tl_screen | sed -n "$(($1 + 1))p"
}

# A wedge scan: the whole code in one burst, then Enter.
tl_scan ()
{
	tmux -L "$TL_SOCK" send-keys -t "$TL_TARGET" -l "$1" \; send-keys -t "$TL_TARGET" Enter
}

# Several scans in one burst: codes separated by Enter, as a fast scanner delivers them.
tl_scan_burst ()
{
	local args=() c
	for c in "$@"; do
		args+=(send-keys -t "$TL_TARGET" -l "$c" \; send-keys -t "$TL_TARGET" Enter \;)
	done
	unset 'args[${#args[@]}-1]'
	tmux -L "$TL_SOCK" "${args[@]}"
}

tl_keys ()
{
	tmux -L "$TL_SOCK" send-keys -t "$TL_TARGET" "$@"
}

# Count in the hub's database (read-only, through the sqlite3 CLI if present, else the hub's own test helper).
tl_sql ()
{
	sqlite3 -readonly "$TL_DB" "$1"
}

# tl_wait_sql QUERY WANT [TRIES]: poll the hub's database (every 50 ms, 400 tries by default) until QUERY gives WANT.
tl_wait_sql ()
{
	local i=0 tries=${3:-400}
	while [ $i -lt "$tries" ]; do
		[ "$(tl_sql "$1")" = "$2" ] && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# tl_wait_printed PARCEL: wait (at most 20 s) until the hub has recorded a label of PARCEL printed. Its
# EVENT ("Label printed") has then gone out, ahead of the reply to anything asked from here on, so it
# can no longer take the message line from that reply (nor shift a small screen's pages under a wait).
tl_wait_printed ()
{
	tl_wait_sql "SELECT count(*) > 0 FROM label_jobs j JOIN parcels p ON p.id = j.parcel_id
		WHERE p.code = '$1' AND j.kind = 'label' AND j.status = 'printed'" 1
}

# The menu character of an item, read off the screen ("" when not shown).
tl_menu ()
{
	tl_screen | sed -n "s/^\\(.\\) $1\\( .*\\)\\{0,1\\}\$/\\1/p" | head -1
}

# From the menu: log out (F3 asks, F1 says yes) and wait for the badge prompt.
tl_logout ()
{
	tl_keys F3 && tl_wait "F1 Logout" && tl_keys F1 && tl_wait "Scan badge"
}

# tl_menu_key NAME: the key of a menu item, paging through the menu (PgDn,
# at most 24 pages: a warning can leave a small screen one row a page) until it shows; "" and 1 when no page has it.
tl_menu_key ()
{
	local k before i j
	for i in $(seq 1 24); do
		k=$(tl_menu "$1")
		[ -n "$k" ] && echo "$k" && return 0
		before=$(tl_row 0)
		tl_keys PgDn
		j=0
		while [ "$(tl_row 0)" = "$before" ] && [ $j -lt 20 ]; do
			sleep 0.05
			j=$((j + 1))
		done
		[ "$(tl_row 0)" = "$before" ] && break # the last page
	done
	k=$(tl_menu "$1")
	[ -n "$k" ] && echo "$k"
}

# The screen's main column, without the side panel of a wide screen
# (60 columns and 12 rows or more: the panel starts after the middle).
tl_main ()
{
	local size
	size=$(tmux -L "$TL_SOCK" display-message -p -t "$TL_TARGET" '#{pane_width} #{pane_height}' 2>/dev/null)
	tl_screen | perl -CSD -ne 'BEGIN { ($w, $h) = split / /, shift @ARGV }
		chomp; print ((($w >= 60 && $h >= 12) ? substr ($_, 0, int ($w / 2)) : $_), "\n")' "$size"
}

# The side column of a wide screen (60 columns and 12 rows or more: what is right of the middle),
# its rows joined; empty on a narrow screen. On the menu, and on any screen with no panel of its own,
# it holds the recent answers, newest first: what an EVENT took off the message line is still there.
tl_side ()
{
	local size
	size=$(tmux -L "$TL_SOCK" display-message -p -t "$TL_TARGET" '#{pane_width} #{pane_height}' 2>/dev/null)
	tl_screen | perl -CSD -ne 'BEGIN { ($w, $h) = split / /, shift @ARGV; $m = int ($w / 2) }
		chomp; print substr ($_, $m + 1), "\n" if $w >= 60 && $h >= 12 && $. > 1 && length ($_) > $m + 1' "$size" \
		| tr '\n' ' ' | tr -s ' '
}

# tl_wait_side TEXT [TRIES]: like tl_wait_main, on the side column (a wide screen only).
tl_wait_side ()
{
	local i=0 tries=${2:-400}
	while [ $i -lt "$tries" ]; do
		tl_side | grep -qF -- "$1" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# tl_wait_main TEXT [TRIES]: like tl_wait_joined, on the main column alone.
tl_wait_main ()
{
	local i=0 tries=${2:-400}
	while [ $i -lt "$tries" ]; do
		tl_main | tr '\n' ' ' | tr -s ' ' | grep -qF -- "$1" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# Log in as badge/pin and wait for the menu.
tl_login ()
{
	tl_wait "Scan badge" && tl_wait "HUB OK" && tl_scan "$1" && tl_wait "PIN" && tl_scan "$2" && tl_wait "MENU"
}
