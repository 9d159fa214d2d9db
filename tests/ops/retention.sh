#!/bin/sh
# retention.sh: a real hub prunes the files it leaves behind after their
# days: the events exports, the outbox's manifests, the inboxes' done/ and
# failed/, a reports folder; and nothing else. Dates are faked two ways:
# file times set back (touch -d), which alone must not make a file old
# that the hub has just moved (a file copied into the inbox with an old
# time counts from when the hub took it), and the clock the retention
# reads moved forward (retention.clock_offset_s, for tests only), taken at
# a reload. Each run is logged and recorded; despatch status shows the last.
. "$top_srcdir/tests/ops/opslib.sh"

HUB="$top_builddir/hub/despatch-hub"
DESPATCH="$top_builddir/admin/despatch"
D=$OPS_DIR
DB=$D/hub.db
CONF=$D/despatch.conf
DAY=86400

mkdir -p "$D/exports" "$D/outbox/dpd" "$D/outbox/ups" "$D/inbox" "$D/track/done" "$D/track/failed" "$D/reports"

# conf OUTBOX_DAYS OFFSET_S: the configuration, written whole. The inboxes keep
# (masked) copies of the files they take for a year, so that what removes them
# here is retention's 30 days.
conf ()
{
	cat >"$CONF" <<CONF
[hub]
exports = $D/exports
inbox = $D/inbox
inbox_keep_days = 365
tracking_inbox = $D/track
[carriers]
outbox = $D/outbox
[retention]
exports_days = 90
outbox_days = $1
inbox_days = 30
reports = $D/reports
reports_days = 60
every_s = 1
clock_offset_s = $2
CONF
}

# runs: how many retention runs the hub has recorded.
runs ()
{
	sqlite3 "$DB" ".timeout 5000" "SELECT count(*) FROM events WHERE action = 'retention'" 2>/dev/null || echo 0
}

# wait_runs N: until at least N runs are recorded (bounded).
wait_runs ()
{
	i=0
	while [ "$(runs)" -lt "$1" ] && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	[ "$(runs)" -ge "$1" ]
}

command -v sqlite3 >/dev/null 2>&1 || ops_skip_all "sqlite3 not installed"

# Files, each with a time set back 200 days: by that alone every one is old.
old="200 days ago"
for f in exports/events-2020-01-01.jsonl exports/events-young.jsonl exports/notes.txt exports/.events-hidden.jsonl \
	outbox/dpd/dpd-20200101-000001.csv outbox/dpd/young.csv outbox/dpd/dpd-20200102-000002.csv.part \
	outbox/ups/ups-20200101-000003.csv outbox/top.csv track/done/t1.csv track/failed/t2.csv reports/day.pdf \
	inbox/README.txt; do
	echo "$f" >"$D/$f"
	touch -d "$old" "$D/$f"
done
nl_name="$D/track/done/order
new.csv"
echo "a file named with a new line" >"$nl_name"
touch -d "$old" "$nl_name"
mkdir "$D/exports/events-dir.jsonl"
echo "outside" >"$D/outside.jsonl"
touch -d "$old" "$D/outside.jsonl"
ln -s "$D/outside.jsonl" "$D/exports/events-link.jsonl"
# An order file copied in as cp -p would, with its old time; not a valid order file, so it goes to failed/.
printf 'not,an,order\n' >"$D/inbox/copied.csv"
touch -d "$old" "$D/inbox/copied.csv"

conf 50 0
ops_hub_start "$HUB" "$DB" "$D/hub.sock" --config "$CONF" --set security.curve=no --demo-data "$top_srcdir/data/demo"
ops_ok $? "a hub with file retention every second"
ops_wait_for test -f "$D/inbox/failed/copied.csv"
ops_ok $? "the copied order file is taken and refused into failed/"
n=$(runs)
wait_runs $((n + 2))
ops_ok $? "retention runs and is recorded ($(runs) runs)"
left=0
for f in exports/events-2020-01-01.jsonl outbox/dpd/dpd-20200101-000001.csv track/done/t1.csv reports/day.pdf \
	inbox/failed/copied.csv; do
	[ -f "$D/$f" ] || { left=1; echo "# gone: $f"; }
done
ops_ok $left "times set back alone make nothing old: each file counts from its last change"
grep -q "retention: removed" "$D/hub.log"
ops_ok $([ $? = 1 ]; echo $?) "nothing is logged as removed"

# The clock moved 100 days on, at a reload; the young ones' times moved on too (5 days old then).
for f in exports/events-young.jsonl outbox/dpd/young.csv; do
	touch -d "+95 days" "$D/$f"
done
conf 0 $((100 * DAY))
n=$(runs)
kill -HUP "$OPS_HUB_PID"
wait_runs $((n + 2))
ops_ok $? "after a reload with the clock 100 days on, retention runs again"
gone=""
for f in exports/events-2020-01-01.jsonl inbox/failed/copied.csv inbox/failed/copied.csv.errors \
	track/done/t1.csv track/failed/t2.csv reports/day.pdf; do
	[ -e "$D/$f" ] && gone="$gone $f"
done
[ ! -e "$nl_name" ] || gone="$gone (the file named with a new line)"
[ -z "$gone" ]
ops_ok $? "old exports, inbox files taken or refused, tracking files and reports are removed"
[ -z "$gone" ] || echo "# still there:$gone"
kept=""
for f in exports/events-young.jsonl exports/notes.txt exports/.events-hidden.jsonl exports/events-dir.jsonl \
	outbox/dpd/dpd-20200101-000001.csv outbox/ups/ups-20200101-000003.csv outbox/dpd/dpd-20200102-000002.csv.part \
	outbox/top.csv inbox/README.txt outside.jsonl; do
	[ -e "$D/$f" ] || kept="$kept $f"
done
[ -L "$D/exports/events-link.jsonl" ] || kept="$kept exports/events-link.jsonl"
[ -z "$kept" ]
ops_ok $? "kept: young files, other names, hidden files, folders, links and what they point at, files being written, the inbox itself, and the outbox (0 days: kept for ever)"
[ -z "$kept" ] || echo "# removed:$kept"
grep -q "retention: removed 1 file (.* bytes) last changed more than 90 days ago from $D/exports (exports)" "$D/hub.log" \
	&& grep -q "retention: removed 1 file (.* bytes) last changed more than 60 days ago from $D/reports (reports)" \
		"$D/hub.log" \
	&& grep -q "retention: removed 3 files (.* bytes) last changed more than 30 days ago from $D/track (tracking inbox)" \
		"$D/hub.log"
ops_ok $? "each folder's removals are logged"
grep "retention: removed" "$D/hub.log" | sed 's/^/#   /'

conf 50 $((100 * DAY))
n=$(runs)
kill -HUP "$OPS_HUB_PID"
wait_runs $((n + 2))
[ ! -e "$D/outbox/dpd/dpd-20200101-000001.csv" ] && [ ! -e "$D/outbox/ups/ups-20200101-000003.csv" ] \
	&& [ -e "$D/outbox/dpd/young.csv" ] && [ -e "$D/outbox/top.csv" ] \
	&& [ -e "$D/outbox/dpd/dpd-20200102-000002.csv.part" ]
ops_ok $? "with outbox_days 50, each carrier's old manifests go, the young one and the files beside the carriers stay"

detail=$(sqlite3 "$DB" "SELECT code || ': ' || detail FROM events WHERE action = 'retention'
	AND detail LIKE '%outbox 2 (50 days)%'")
[ -n "$detail" ]
ops_ok $? "the run is recorded with what it removed ($detail)"
ops_run 0 "despatch status" "$DESPATCH" status --database "$DB" --set status.backup_max_age_h=0
grep -q "^retention: *last run .* ago: removed " "$OPS_DIR/out"
ops_ok $? "despatch status shows the last run"

# A file the hub may not remove (not as root, who may remove anything): said, and attention.
if [ "$(id -u)" != 0 ]; then
	echo "stuck" >"$D/reports/stuck.pdf"
	touch -d "$old" "$D/reports/stuck.pdf"
	chmod 555 "$D/reports"
	n=$(runs)
	wait_runs $((n + 2))
	chmod 755 "$D/reports"
	grep -q "retention: $D/reports/stuck.pdf: cannot remove it: Permission denied" "$D/hub.log"
	ops_ok $? "a file it cannot remove is named in the log"
	ops_run 1 "and despatch status asks for attention" "$DESPATCH" status --database "$DB" \
		--set status.backup_max_age_h=0
else
	echo "ok $((OPS_N = OPS_N + 1)) - a file it cannot remove # SKIP run as root, who may remove anything"
	echo "ok $((OPS_N = OPS_N + 1)) - and despatch status asks for attention # SKIP run as root"
fi

kill -0 "$OPS_HUB_PID"
ops_ok $? "the hub runs on"
ops_hub_stop
ops_ok $? "and stops cleanly"
ops_done
