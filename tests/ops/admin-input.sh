#!/bin/sh
# admin-input.sh: despatch on input it cannot use says one clear message
# (what was wrong, what to do), exits non-zero and leaves what is stored as
# it was: an impossible --date, --format or report for report; a folder given as the database;
# a database on a read-only filesystem, and a backup to a folder that
# cannot be written.
. "$top_srcdir/tests/ops/opslib.sh"

DESPATCH="$top_builddir/admin/despatch"
DB="$OPS_DIR/hub.db"

# ops_said N "description" PATTERN: the output holds exactly N lines matching PATTERN.
ops_said ()
{
	n=$(grep -c -- "$3" "$OPS_DIR/out")
	[ "$n" = "$1" ]
	ops_ok $? "$2"
	[ "$n" = "$1" ] || sed 's/^/#   /' "$OPS_DIR/out" | head -20
}

ops_run 0 "a database with the demo orders" "$DESPATCH" -d "$DB" import "$top_srcdir/data/demo/orders.csv"
SUM=$(cksum < "$DB")

# report --date: a day of the calendar as YYYY-MM-DD, else said, exit 2, nothing written.
for d in 2026-13-45 2026-02-30 2026-1-5 yesterdayish 2025-02-29 2026-11-22x; do
	ops_run 2 "report --date $d is refused" "$DESPATCH" report carriers -d "$DB" --date "$d" -o "$OPS_DIR/r.csv"
	ops_said 1 "it says '$d' is not a real date and which form it wants" \
		"^despatch report: --date '$d' is not a real date: give the day as YYYY-MM-DD "
	[ "$(wc -l < "$OPS_DIR/out")" = 1 ] && [ ! -e "$OPS_DIR/r.csv" ]
	ops_ok $? "that line only (no usage text), and no report file"
done
# report --format and the report's name: one line each, what it takes, nothing written.
for f in xyz PDF csv2 ""; do
	ops_run 2 "report --format '$f' is refused" "$DESPATCH" report carriers -d "$DB" --format "$f" -o "$OPS_DIR/r.csv"
	ops_said 1 "it says '$f' is not a format it writes, and which it does" \
		"^despatch report: --format '$f' is not one it writes: give csv (a table for a spreadsheet) or pdf "
	[ "$(wc -l < "$OPS_DIR/out")" = 1 ] && [ ! -e "$OPS_DIR/r.csv" ]
	ops_ok $? "that line only, and no report file"
done
ops_run 2 "report carrier (a report that is not one) is refused" "$DESPATCH" report carrier -d "$DB" -o "$OPS_DIR/r.csv"
ops_said 1 "it says which reports there are" "^despatch report: 'carrier' is not a report: give carriers, exceptions or benches"
[ "$(wc -l < "$OPS_DIR/out")" = 1 ] && [ ! -e "$OPS_DIR/r.csv" ]
ops_ok $? "that line only, and no report file"
for d in 2026-11-22 2024-02-29 2000-02-29 2026-12-31; do
	ops_run 0 "report --date $d works" "$DESPATCH" report carriers -d "$DB" --date "$d"
	grep -q "^date,carrier," "$OPS_DIR/out"
	ops_ok $? "its heading is written"
done

# A folder given as the database: said once with what to give instead, exit 2, nothing made or moved.
DIR="$OPS_DIR/data"
mkdir "$DIR"
cp "$DB" "$OPS_DIR/copy.db"
listing () { (cd "$OPS_DIR" && ls -a . data); }
BEFORE=$(listing)
for c in status backup "report carriers" "import $top_srcdir/data/demo/orders.csv" "range list" "erase order R1" \
	"restore $OPS_DIR/copy.db"; do
	name=${c%% *}
	# shellcheck disable=SC2086 # the command's words
	ops_run 2 "$name on a folder is refused" "$DESPATCH" -d "$DIR" $c
	ops_said 1 "it says the folder is not a database file and what to give" \
		"^despatch $name: $DIR is a folder, not a database file: give the path of the hub's database (the hub's -d"
	[ "$(wc -l < "$OPS_DIR/out")" = 1 ]
	ops_ok $? "that line only"
	[ "$(listing)" = "$BEFORE" ]
	ops_ok $? "nothing made beside it or moved"
done
cp "$DB" "$DIR/despatch.db"
ops_run 2 "status on the hub's data folder is refused" "$DESPATCH" status -d "$DIR"
ops_said 1 "it names the database file in there" ", such as $DIR/despatch.db, which is there; nothing done\$"
cmp -s "$DB" "$DIR/despatch.db"
ops_ok $? "which is as it was"

# ops_skip N REASON: N points skipped, the reason said.
ops_skip ()
{
	k=0
	while [ $k -lt "$1" ]; do
		OPS_N=$((OPS_N + 1))
		echo "ok $OPS_N # SKIP $2"
		k=$((k + 1))
	done
}

# A read-only filesystem: a read-only bind mount of a folder holding a copy (unmounted before the
# folder is removed). status, report and backup read it; a backup into one is refused.
RO_SRC="$OPS_DIR/ro-src" RO="$OPS_DIR/ro" RO_BK="$OPS_DIR/ro-backups"
mkdir "$RO_SRC" "$RO" "$RO_BK"
cp "$DB" "$RO_SRC/hub.db"
MOUNTS=""
admin_umount () { for m in $MOUNTS; do umount "$m" 2>/dev/null; done; }
trap 'admin_umount; ops_cleanup' EXIT
if mount --bind -o ro "$RO_SRC" "$RO" 2>/dev/null && MOUNTS="$RO" && ! touch "$RO/probe" 2>/dev/null \
	&& mount --bind -o ro "$RO_BK" "$RO_BK" 2>/dev/null && MOUNTS="$MOUNTS $RO_BK"; then
	ops_run 3 "status of a database on a read-only filesystem reads it (no hub: exit 3)" \
		"$DESPATCH" status -d "$RO/hub.db"
	grep -q "^database: *$RO/hub.db, schema [0-9]*, " "$OPS_DIR/out"
	ops_ok $? "it reports the database"
	ops_run 0 "report reads it" "$DESPATCH" report carriers -d "$RO/hub.db" --date 2026-11-22
	ops_run 0 "backup copies it" "$DESPATCH" backup -d "$RO/hub.db" --dir "$OPS_DIR/backups" --no-keys
	ls "$OPS_DIR"/backups/despatch-*.db >/dev/null 2>&1
	ops_ok $? "and the backup is there"
	[ "$(ls -A "$RO_SRC")" = hub.db ] && cmp -s "$DB" "$RO_SRC/hub.db"
	ops_ok $? "nothing was made beside it, and it is as it was"

	ops_run 1 "a backup into a read-only folder is refused" \
		"$DESPATCH" backup -d "$DB" --dir "$RO_BK" --no-keys
	ops_said 1 "it names the folder and why, and what to do" \
		"^despatch backup: cannot write the backup into $RO_BK: Read-only file system: give --dir (or backup.dir) a folder this user may write; no backup made\$"
	[ "$(wc -l < "$OPS_DIR/out")" = 1 ] && [ -z "$(ls -A "$RO_BK")" ]
	ops_ok $? "that line only, and nothing left there"

	# A WAL with changes in it needs the -shm index made beside it, which a read-only folder cannot take.
	umount "$RO"
	printf 'not yet checkpointed' > "$RO_SRC/hub.db-wal"
	mount --bind -o ro "$RO_SRC" "$RO"
	for c in status backup; do
		ops_run 2 "$c of a read-only database whose WAL holds changes is refused" "$DESPATCH" $c -d "$RO/hub.db"
		ops_said 1 "it says the WAL cannot be read there and what to do" \
			"^despatch $c: $RO/hub.db: its WAL $RO/hub.db-wal holds changes not yet in it, and $RO is on a read-only filesystem, .*: mount it read-write, or copy the database with its -wal"
		[ "$(wc -l < "$OPS_DIR/out")" = 1 ]
		ops_ok $? "that line only"
	done
	cmp -s "$DB" "$RO_SRC/hub.db"
	ops_ok $? "the database is as it was"
else
	ops_skip 16 "no read-only bind mount here (mount --bind -o ro needs root and a mount namespace that allows it)"
fi
admin_umount
MOUNTS=""

# A folder this user may not write, as nobody (a 0444 database in a 0555 folder): status reads it; a
# backup into such a folder is refused.
AS_NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"
if [ "$(id -u)" = 0 ] && $AS_NOBODY true 2>/dev/null; then
	chmod 0755 "$OPS_DIR"
	mkdir "$OPS_DIR/locked" "$OPS_DIR/locked-backups"
	cp "$DB" "$OPS_DIR/locked/hub.db"
	chmod 0444 "$OPS_DIR/locked/hub.db"
	chmod 0555 "$OPS_DIR/locked" "$OPS_DIR/locked-backups"
	ops_run 3 "status as nobody of a database in a folder it may not write reads it (no hub: exit 3)" \
		$AS_NOBODY "$DESPATCH" status -d "$OPS_DIR/locked/hub.db"
	grep -q "^database: *$OPS_DIR/locked/hub.db, schema [0-9]*, " "$OPS_DIR/out"
	ops_ok $? "it reports the database"
	ops_run 1 "a backup as nobody into a folder it may not write is refused" \
		$AS_NOBODY "$DESPATCH" backup -d "$OPS_DIR/locked/hub.db" --dir "$OPS_DIR/locked-backups" --no-keys
	ops_said 1 "it names the folder and why, and what to do" \
		"^despatch backup: cannot write the backup into $OPS_DIR/locked-backups: Permission denied: give --dir (or backup.dir) a folder this user may write; no backup made\$"
	[ "$(wc -l < "$OPS_DIR/out")" = 1 ] && [ "$(ls -A "$OPS_DIR/locked")" = hub.db ] \
		&& [ -z "$(ls -A "$OPS_DIR/locked-backups")" ] && cmp -s "$DB" "$OPS_DIR/locked/hub.db"
	ops_ok $? "that line only; nothing made in either folder, and the database is as it was"
	chmod 0755 "$OPS_DIR/locked" "$OPS_DIR/locked-backups"
else
	ops_skip 5 "not root, or setpriv cannot run as nobody: no user to lack the write permission"
fi

[ "$(cksum < "$DB")" = "$SUM" ]
ops_ok $? "the database is as it was"
ops_done
