#!/bin/sh
# status.sh: `despatch status` against a real hub and a private cupsd:
# all well (exit 0); a stopped printer named and exit 1; a quiet terminal;
# no backup; the hub stopped (exit 3); usage errors (exit 2).
. "$top_srcdir/tests/ops/opslib.sh"

HUB="$top_builddir/hub/despatch-hub"
DESPATCH="$top_builddir/admin/despatch"
[ -x "$top_builddir/printers/fake-printer" ] || ops_skip_all "fake printer not built"
command -v cupsd >/dev/null 2>&1 || [ -x /usr/sbin/cupsd ] || ops_skip_all "cupsd not installed"
command -v cupsdisable >/dev/null 2>&1 || ops_skip_all "cupsdisable not installed (cups-client)"

OPS_CUPS="$OPS_DIR/cups"
ops_run 0 "a private cupsd" "$top_srcdir/printers/cups-private" start "$OPS_CUPS" \
	--fake-printer "$top_builddir/printers/fake-printer"
. "$OPS_CUPS/env"
export CUPS_SERVER

DB="$OPS_DIR/hub.db"
CONF="$OPS_DIR/despatch.conf"
cat > "$CONF" <<CONF
[hub]
database = $DB
expiry_ms = 2000
[printer]
server = $DSP_CUPS_SOCKET
bench1.label = label
bench1.document = docs
group.benches.fallback = fallback
[station]
bench1.group = benches
[backup]
dir = $OPS_DIR/backups
[status]
backup_max_age_h = 26
CONF

ops_hub_start "$HUB" "$DB" "$OPS_DIR/hub.sock" --config "$CONF" --demo-data "$top_srcdir/data/demo"
ops_ok $? "a hub on a temporary database"

status () { "$DESPATCH" status --config "$CONF" "$@"; }

# Before any backup: attention.
ops_wait_for sh -c "\"$DESPATCH\" status --config \"$CONF\" | grep -q '^hub: .* up '"
ops_run 1 "no backup yet: attention" status
grep -q "^attention: backup: no backup in $OPS_DIR/backups" "$OPS_DIR/out"
ops_ok $? "it says there is no backup and where it looked"

mkdir -p "$OPS_DIR/backups"
if command -v sqlite3 >/dev/null 2>&1; then
	PATH="$top_builddir/admin:$PATH" "$top_builddir/data/despatch-backup" --config "$CONF" >/dev/null
else
	cp "$DB" "$OPS_DIR/backups/despatch-20000101T000000Z.db"
fi
ops_run 0 "all is well" status
grep -q "^all is well$" "$OPS_DIR/out"
ops_ok $? "it says all is well"
grep -q "^hub: *despatch-hub [0-9.]*, pid $OPS_HUB_PID, up " "$OPS_DIR/out"
ops_ok $? "it names the hub's version, pid and uptime"
for q in label docs fallback; do
	grep -q "^printer: *$q: ok " "$OPS_DIR/out"
	ops_ok $? "printer $q is ok"
done
grep -q "^terminals: *0 connected, 0 quiet" "$OPS_DIR/out" && grep -q "^scans: *0 in the last minute" "$OPS_DIR/out" \
	&& grep -q "^queues: *print jobs: none unsent" "$OPS_DIR/out" \
	&& grep -q "^database: *$DB, schema [0-9]*, " "$OPS_DIR/out" \
	&& grep -q "^backup: *$OPS_DIR/backups/despatch-.*\.db, .* ago" "$OPS_DIR/out"
ops_ok $? "terminals, scans, queues, database and backup are reported"
sed 's/^/#   /' "$OPS_DIR/out"

# One printer stopped.
cupsdisable -r "paper jam" label
ops_run 1 "a stopped printer: attention" status
grep -q "^attention: printer label is stopped" "$OPS_DIR/out"
ops_ok $? "it names the stopped printer"
grep -q "^printer: *label: stopped" "$OPS_DIR/out" && ! grep -q "^attention: printer docs" "$OPS_DIR/out"
ops_ok $? "and only that one"
sed -n '/label/s/^/#   /p' "$OPS_DIR/out"
ops_run 1 "--quiet prints only what needs attention" status --quiet
[ "$(grep -vc '^attention: ' "$OPS_DIR/out")" = 0 ] && grep -q "^attention: printer label" "$OPS_DIR/out"
ops_ok $? "only attention lines"
cupsenable label
ops_run 0 "printer resumed: all is well again" status

# A queue marked for the other format, then not marked at all: named, with the command that mends it.
PRINT="$top_builddir/printers/despatch-print"
"$PRINT" format label pdf >/dev/null
ops_run 1 "a label queue marked for PDF: attention" status
grep -q "^attention: printer label (bench1.label) is marked for pdf, but zpl is sent to it" "$OPS_DIR/out"
ops_ok $? "it names the queue, the station's key and both formats"
lpadmin -h "$CUPS_SERVER" -p label -R despatch-format-default 2>/dev/null
ops_run 1 "a label queue with no format: attention" status
grep -q "^attention: printer label (bench1.label) does not say what it prints, so every job sent to it is refused: mark it with despatch-print format label zpl$" "$OPS_DIR/out"
ops_ok $? "it says so and gives the command"
cmd=$(sed -n 's/^attention: printer label .*: mark it with \(despatch-print format label zpl\)$/\1/p' "$OPS_DIR/out")
set -- $cmd
[ "$1" = despatch-print ] && shift && "$PRINT" "$@" >/dev/null
ops_run 0 "after the command it gives: all is well" status

# A terminal with an operator logged in that went quiet (as the hub records it).
if command -v sqlite3 >/dev/null 2>&1; then
	sqlite3 "$DB" ".timeout 5000" "INSERT INTO terminals (terminal, station, operator, first_seen, last_seen)
		VALUES ('hh-9', 'goods-in', 'B1001', 0, 0)"
	ops_run 1 "a quiet terminal: attention" status
	grep -q "^attention: terminals: 1 gone quiet with an operator logged in: hh-9 (station goods-in, operator B1001" \
		"$OPS_DIR/out"
	ops_ok $? "it names the terminal, station and operator"
	ops_run 0 "status.quiet_max=1 tolerates one" status --set status.quiet_max=1
else
	echo "ok $((OPS_N = OPS_N + 1)) - quiet terminal # SKIP sqlite3 not installed"
fi

# Usage errors and the hub stopped.
ops_run 2 "an unknown option" status --bogus
ops_run 2 "an unreadable configuration" status --config "$OPS_DIR/missing.conf"
ops_run 2 "no database there: it cannot be read" "$DESPATCH" status --config "$CONF" --database "$OPS_DIR/none.db"
grep -q "no database at $OPS_DIR/none.db" "$OPS_DIR/out" && [ ! -e "$OPS_DIR/none.db" ]
ops_ok $? "it names the path it looked at, and makes no database there"
ops_run 0 "the database before the command: despatch --database DB status" "$DESPATCH" --database "$DB" status \
	--set status.quiet_max=1 \
	--config "$CONF" --quiet
ops_run 2 "and a missing one there too" "$DESPATCH" --database "$OPS_DIR/none.db" status --config "$CONF"
ops_run 0 "the database before report, and its own -d after its kind" "$DESPATCH" --database "$OPS_DIR/none.db" \
	report carriers -d "$DB"
head -n 1 "$OPS_DIR/out" | grep -q "^date,carrier,"
ops_ok $? "the report's heading is printed"
"$top_builddir/admin/despatch" keys init "$OPS_DIR/keys" >/dev/null
ops_run 0 "keys works on no database: one given before it is left out" "$DESPATCH" --database "$DB" keys list \
	"$OPS_DIR/keys"
ops_hub_stop
ops_ok $? "the hub stops cleanly"
ops_run 3 "the hub stopped: exit 3" status
grep -q "^attention: hub: not running (stopped cleanly" "$OPS_DIR/out"
ops_ok $? "it says the hub stopped"
# A hub that died without stopping: its heartbeat row is left, its process gone.
ops_hub_start "$HUB" "$DB" "$OPS_DIR/hub.sock" --config "$CONF"
ops_wait_for sh -c "\"$DESPATCH\" status --config \"$CONF\" | grep -q '^hub: .* pid $OPS_HUB_PID, up '"
kill -KILL "$OPS_HUB_PID"
ops_hub_stop
ops_run 3 "the hub killed: exit 3" status
grep -q "^attention: hub: not running: its process is gone" "$OPS_DIR/out"
ops_ok $? "it says the hub's process is gone"
ops_done
