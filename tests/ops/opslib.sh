# opslib.sh: what the operations tests share. Sourced, not run.
#
# A TAP producer, a temporary folder per test, and a record of every
# process a test starts so that the EXIT trap stops it. Waits poll with a
# bound; nothing asserts on time.

: "${top_builddir:?run through make check (top_builddir not set)}"
: "${top_srcdir:?run through make check (top_srcdir not set)}"

OPS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/dsp-ops.XXXXXX")
OPS_N=0
OPS_FAILED=0
OPS_PIDS=""
OPS_CUPS=""

ops_cleanup ()
{
	for p in $OPS_PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $OPS_PIDS; do
		wait "$p" 2>/dev/null
	done
	if [ -n "$OPS_CUPS" ]; then
		"$top_srcdir/printers/cups-private" stop "$OPS_CUPS" >/dev/null 2>&1
	fi
	if [ "$OPS_FAILED" -eq 0 ] && [ -z "${OPS_KEEP:-}" ]; then
		rm -rf "$OPS_DIR"
	else
		echo "# files kept in $OPS_DIR"
	fi
}
trap ops_cleanup EXIT
trap 'exit 1' INT TERM HUP

ops_skip_all ()
{
	echo "1..0 # SKIP $1"
	exit 0
}

ops_ok ()
{
	OPS_N=$((OPS_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $OPS_N - $2"
	else
		echo "not ok $OPS_N - $2"
		OPS_FAILED=1
	fi
}

# ops_run WANT "description" cmd...: one point from a command's exit status;
# its output is kept in $OPS_DIR/out and shown (as comments) when it fails.
ops_run ()
{
	want=$1 what=$2
	shift 2
	"$@" >"$OPS_DIR/out" 2>&1
	got=$?
	[ "$got" = "$want" ]
	ops_ok $? "$what (exit $got)"
	[ "$got" = "$want" ] || sed 's/^/#   /' "$OPS_DIR/out" | head -40
}

ops_done ()
{
	echo "1..$OPS_N"
	exit "$OPS_FAILED"
}

# ops_hub_start HUB DB ENDPOINT-SOCKET args...: start a hub in the background
# on ipc://SOCKET and wait (bounded) until it listens; its pid in OPS_HUB_PID.
ops_hub_start ()
{
	hub=$1 db=$2 sock=$3
	shift 3
	"$hub" --endpoint "ipc://$sock" --database "$db" "$@" 2>>"$OPS_DIR/hub.log" &
	OPS_HUB_PID=$!
	OPS_PIDS="$OPS_PIDS $OPS_HUB_PID"
	i=0
	while [ ! -S "$sock" ] && [ $i -lt 200 ] && kill -0 "$OPS_HUB_PID" 2>/dev/null; do
		sleep 0.05
		i=$((i + 1))
	done
	[ -S "$sock" ]
}

# ops_hub_stop: SIGTERM the hub and reap it; its exit status is returned.
ops_hub_stop ()
{
	kill "$OPS_HUB_PID" 2>/dev/null
	wait "$OPS_HUB_PID"
	rc=$?
	OPS_PIDS=$(echo "$OPS_PIDS" | sed "s/ $OPS_HUB_PID\b//")
	return $rc
}

# ops_wait_for CMD...: run CMD until it succeeds, at most ~10 s.
ops_wait_for ()
{
	i=0
	until "$@" >/dev/null 2>&1; do
		[ $i -ge 200 ] && return 1
		sleep 0.05
		i=$((i + 1))
	done
}

# ops_bounded OUT cmd...: run cmd (one that should end by itself) with its
# output in OUT; if it is still running after ~10 s it is killed and the
# status is 124. The status is in OPS_RC.
ops_bounded ()
{
	out=$1
	shift
	"$@" >"$out" 2>&1 &
	bp=$!
	OPS_PIDS="$OPS_PIDS $bp"
	i=0
	while kill -0 "$bp" 2>/dev/null && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	if kill -0 "$bp" 2>/dev/null; then
		kill "$bp" 2>/dev/null
		wait "$bp" 2>/dev/null
		OPS_RC=124
	else
		wait "$bp"
		OPS_RC=$?
	fi
	OPS_PIDS=$(echo "$OPS_PIDS" | sed "s/ $bp\b//")
}
