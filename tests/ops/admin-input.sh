#!/bin/sh
# admin-input.sh: despatch on input it cannot use says one clear message
# (what was wrong, what to do), exits non-zero and leaves what is stored as
# it was: an impossible --date for report; a folder given as the database;
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

[ "$(cksum < "$DB")" = "$SUM" ]
ops_ok $? "the database is as it was"
ops_done
