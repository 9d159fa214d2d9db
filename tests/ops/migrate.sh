#!/bin/sh
# migrate.sh: the real despatch-hub upgrades a database made by the previous
# schema in place, keeping its rows, and refuses one newer than it knows.
. "$top_srcdir/tests/ops/opslib.sh"

HUB="$top_builddir/hub/despatch-hub"
TM="$top_builddir/tests/ops/test-migrate"
DB="$OPS_DIR/old.db"
NOW=$(sed -n 's/^#define HUB_STORE_SCHEMA \([0-9]*\).*/\1/p' "$top_srcdir/hub/store/hub-store.h")
PREV=$((NOW - 1))

ops_run 0 "a database at the previous schema ($PREV), with rows" "$TM" make "$DB" "$PREV"
"$TM" rows "$DB" > "$OPS_DIR/before"
grep -q "^schema $PREV rows .*orders=2 .*scans=1" "$OPS_DIR/before"
ops_ok $? "it is at schema $PREV and holds rows"

# No migration without its backup: a backup folder that cannot be made refuses the start, changing nothing.
: >"$OPS_DIR/a-file"
cp "$DB" "$OPS_DIR/old-copy.db"
ops_bounded "$OPS_DIR/nobackup.out" "$HUB" --endpoint "ipc://$OPS_DIR/hub0.sock" --database "$DB" \
	--set backup.dir="$OPS_DIR/a-file/backups"
[ "$OPS_RC" = 1 ] && grep -q "not migrated, as no backup could be taken first: .*a-file/backups" "$OPS_DIR/nobackup.out"
ops_ok $? "a backup that cannot be taken: the hub does not migrate, and says why (exit $OPS_RC)"
sed -n '1,2s/^/#   /p' "$OPS_DIR/nobackup.out"
cmp -s "$DB" "$OPS_DIR/old-copy.db"
ops_ok $? "and the database is untouched"

ops_hub_start "$HUB" "$DB" "$OPS_DIR/hub.sock"
ops_ok $? "the hub starts on it"
ops_hub_stop
ops_ok $? "and stops cleanly"
grep -q "database $DB migrated to schema $NOW" "$OPS_DIR/hub.log"
ops_ok $? "its log says the database was migrated to schema $NOW"
# The copy taken first: at the old schema, whole, with the old rows, before the first step's line.
COPY=$(ls "$OPS_DIR/backups"/despatch-*-schema-$PREV.db 2>/dev/null | head -n 1)
[ -n "$COPY" ] && "$TM" rows "$COPY" | cmp -s - "$OPS_DIR/before"
ops_ok $? "a backup at schema $PREV with every row was taken before ($(basename "${COPY:-none}"))"
grep -n "backed up to $COPY\|migrated to schema" "$OPS_DIR/hub.log" | head -n 1 | grep -q "backed up to"
ops_ok $? "and logged before the first migration"
[ -n "$COPY" ] && [ ! -e "$COPY-wal" ] && [ ! -e "$COPY-shm" ] \
	&& [ "$(sqlite3 "$COPY" 'PRAGMA integrity_check' 2>/dev/null || echo ok)" = ok ]
ops_ok $? "one file, whole"
"$TM" rows "$DB" > "$OPS_DIR/after"
# Every table the old database had keeps its row count; carriers, services and cages are
# loaded afresh from the carrier files at every start, a carrier file newer than the old
# database brings its initial number range (ranges are kept, and may be more), a new
# schema may add tables, and the hub adds its own records to the audit trail (a run of
# file retention at start).
kept() {
	awk 'NR == FNR { for (i = 3; i <= NF; i++) { split ($i, kv, "="); old[kv[1]] = kv[2] }; next }
	     { for (i = 3; i <= NF; i++) { split ($i, kv, "="); new[kv[1]] = kv[2] } }
	     END { bad = 0
	           for (t in old) if (t !~ /^(carriers|services|cages)$/ && (t ~ /^(events|ranges)$/ ? new[t] < old[t] : new[t] != old[t])) {
	               print "lost rows: " t; bad = 1 }
	           exit bad }' "$1" "$2"
}
kept "$OPS_DIR/before" "$OPS_DIR/after" && grep -q "^schema $NOW " "$OPS_DIR/after"
ops_ok $? "in place: now schema $NOW, every row of every table kept (carrier definitions reloaded)"
sed 's/^/#   /' "$OPS_DIR/after"

ops_run 0 "the database made newer (schema $((NOW + 1)))" "$TM" bump "$DB" $((NOW + 1))
ops_bounded "$OPS_DIR/newer.out" "$HUB" --endpoint "ipc://$OPS_DIR/hub2.sock" --database "$DB"
rc=$OPS_RC
[ $rc = 1 ]
ops_ok $? "the hub refuses it (exit $rc)"
grep -q "schema version $((NOW + 1)) is newer than this hub knows ($NOW); run a newer despatch-hub or restore a backup" \
	"$OPS_DIR/newer.out"
ops_ok $? "saying which versions and what to do"
sed -n '1,3s/^/#   /p' "$OPS_DIR/newer.out"
"$TM" rows "$DB" | grep -q "^schema $((NOW + 1)) $(sed 's/^schema [0-9]* //' "$OPS_DIR/after")\$"
ops_ok $? "and leaves it untouched"
ops_done
