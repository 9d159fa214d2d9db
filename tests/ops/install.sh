#!/bin/sh
# install.sh: `make install DESTDIR=...` from the build tree puts binaries,
# data, the example configuration, systemd units and man pages in their
# places; the installed hub and tools run from there; `make uninstall`
# takes it all away again.
. "$top_srcdir/tests/ops/opslib.sh"

DEST="$OPS_DIR/dest"
ops_run 0 "make install DESTDIR" make -C "$top_builddir" install DESTDIR="$DEST"

# Where the configured prefix put things, found under DEST.
ops_find () { find "$DEST" -path "*/$1" -print | head -n 1; }
PREFIX=$(dirname "$(dirname "$(ops_find bin/despatch-term)")")
BIN=$PREFIX/bin
SBIN=$PREFIX/sbin

# The hub and the administrator's tools (section 8) in sbin, the others in bin.
for f in sbin/despatch-hub sbin/despatch sbin/despatch-backup bin/despatch-term bin/despatch-label \
	bin/despatch-print; do
	[ -x "$PREFIX/$f" ]
	ops_ok $? "installed $f"
done
[ ! -e "$BIN/despatch-hub" ] && [ ! -e "$BIN/despatch" ]
ops_ok $? "nothing of section 8 left in bin"
CONF=$(ops_find etc/despatch/despatch.conf)
[ -f "$CONF" ]
ops_ok $? "installed the configuration as \$(sysconfdir)/despatch/despatch.conf"
for f in lib/systemd/system/despatch-hub.service lib/systemd/system/despatch-backup.service \
	lib/systemd/system/despatch-backup.timer share/despatch/layouts/dpd-uk.json \
	share/doc/despatch/despatch.conf.example share/doc/despatch/operations.md share/doc/despatch/protocol.md \
	share/doc/despatch/architecture.md \
	share/doc/despatch/LICENSE share/despatch/carriers/rules.conf share/despatch/fonts.conf \
	share/despatch/data/demo/orders.csv \
	share/man/man8/despatch-hub.8 share/man/man8/despatch.8 share/man/man8/despatch-backup.8 \
	share/man/man5/despatch.conf.5 share/man/man1/despatch-term.1 share/man/man1/despatch-label.1 \
	share/man/man1/despatch-print.1; do
	[ -f "$PREFIX/$f" ]
	ops_ok $? "installed $f"
done
grep -q "^ExecStart=${PREFIX#$DEST}/sbin/despatch-hub --config .*/despatch/despatch.conf --syslog$" \
	"$PREFIX/lib/systemd/system/despatch-hub.service"
ops_ok $? "the unit starts the installed hub with the installed configuration"
! grep -q '@[a-z]*@' "$PREFIX/lib/systemd/system/despatch-hub.service" "$SBIN/despatch-backup"
ops_ok $? "no unsubstituted @dir@ left in the unit or the backup script"

# The units as systemd reads them (with their programs where DESTDIR put them): no word of warning.
if command -v systemd-analyze >/dev/null 2>&1; then
	mkdir "$OPS_DIR/units"
	for u in despatch-hub.service despatch-backup.service despatch-backup.timer; do
		sed "s|^\(Exec[A-Za-z]*=\)${PREFIX#$DEST}/|\1$PREFIX/|" "$PREFIX/lib/systemd/system/$u" >"$OPS_DIR/units/$u"
	done
	systemd-analyze verify --man=no "$OPS_DIR/units/despatch-hub.service" "$OPS_DIR/units/despatch-backup.service" \
		"$OPS_DIR/units/despatch-backup.timer" >"$OPS_DIR/verify" 2>&1
	rc=$?
	[ $rc = 0 ] && [ ! -s "$OPS_DIR/verify" ]
	ops_ok $? "systemd-analyze verify: the three units, silent (exit $rc)"
	sed 's/^/#   /' "$OPS_DIR/verify"
	grep -q '^Type=notify$' "$OPS_DIR/units/despatch-hub.service" \
		&& grep -q '^WatchdogSec=[1-9]' "$OPS_DIR/units/despatch-hub.service" \
		&& grep -q '^ExecReload=/bin/kill -HUP \$MAINPID$' "$OPS_DIR/units/despatch-hub.service"
	ops_ok $? "the hub's unit waits for READY=1, has a watchdog and reloads with SIGHUP"
else
	echo "ok $((OPS_N = OPS_N + 1)) - systemd-analyze verify # SKIP systemd-analyze missing"
	echo "ok $((OPS_N = OPS_N + 1)) - the hub's unit # SKIP systemd-analyze missing"
fi

if command -v man >/dev/null 2>&1; then
	bad=0
	for m in "$PREFIX"/share/man/man*/despatch*; do
		warn=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$m" 2>&1 >/dev/null)
		if [ -n "$warn" ]; then
			echo "# $m: $warn"
			bad=1
		fi
	done
	ops_ok $bad "every installed man page formats without a warning"
else
	echo "ok $((OPS_N = OPS_N + 1)) - man pages # SKIP man not installed"
fi

# The installed tools run from DEST.
ops_run 0 "installed despatch --help" "$SBIN/despatch" --help
ops_run 0 "installed despatch-term --help" "$BIN/despatch-term" --help
ops_run 0 "installed despatch-print --help" "$BIN/despatch-print" --help
ops_run 0 "installed despatch-hub --version" "$SBIN/despatch-hub" --version
grep -q "despatch-hub [0-9]" "$OPS_DIR/out"
ops_ok $? "it names its version"
SSCC=$("$BIN/despatch-label" make sscc 05012345 42 2>/dev/null)
ops_run 0 "installed despatch-label validate ($SSCC)" "$BIN/despatch-label" validate sscc "$SSCC"
ops_run 0 "installed layouts load" env DSP_LAYOUT_PATH="$PREFIX/share/despatch/layouts" \
	"$BIN/despatch-label" layouts

# The installed hub, with the installed example configuration, in a temp dir.
DB="$OPS_DIR/hub.db"
ops_hub_start "$SBIN/despatch-hub" "$DB" "$OPS_DIR/hub.sock" --config "$CONF" --set log.syslog=no
ops_ok $? "the installed hub starts with the example configuration"
ops_wait_for "$SBIN/despatch" status --config "$CONF" --database "$DB" --set status.backup_max_age_h=0
ops_run 0 "installed despatch status says all is well" "$SBIN/despatch" status --config "$CONF" \
	--database "$DB" --set status.backup_max_age_h=0
if command -v sqlite3 >/dev/null 2>&1; then
	ops_run 0 "installed despatch-backup copies the live database" "$SBIN/despatch-backup" \
		--config "$CONF" --database "$DB" --dir "$OPS_DIR/backups" --keep 2
	ls "$OPS_DIR/backups" | grep -q '^despatch-[0-9TZ]*\.db$'
	ops_ok $? "the copy is named despatch-TIME.db"
	ops_run 0 "and despatch status now finds it" "$SBIN/despatch" status --config "$CONF" --database "$DB" \
		--set backup.dir="$OPS_DIR/backups"
else
	echo "ok $((OPS_N = OPS_N + 1)) - despatch-backup # SKIP sqlite3 not installed"
fi
ops_hub_stop
ops_ok $? "the installed hub stops cleanly on SIGTERM"

ops_run 0 "make uninstall DESTDIR" make -C "$top_builddir" uninstall DESTDIR="$DEST"
left=$(find "$DEST" -type f | sed "s|^$DEST||")
[ -z "$left" ]
ops_ok $? "uninstall leaves no files"
[ -z "$left" ] || echo "$left" | sed 's/^/#   left: /'
ops_done
