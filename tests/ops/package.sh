#!/bin/sh
# package.sh: build the Debian packages (make deb) and check what is in them.
# Slow (a full build from a dist tarball), so it runs only with
# DSP_TEST_PACKAGE=1. With DSP_TEST_PACKAGE_INSTALL=1 too (as root, on a
# machine you may change), it also installs them with dpkg -i, checks the
# user, state folder, configuration and units (systemd-analyze verify), and
# purges them again.
. "$top_srcdir/tests/ops/opslib.sh"

[ "${DSP_TEST_PACKAGE:-0}" = 1 ] || ops_skip_all "set DSP_TEST_PACKAGE=1 to build the Debian packages"
command -v dpkg-buildpackage >/dev/null 2>&1 || ops_skip_all "dpkg-buildpackage missing (apt-get install dpkg-dev debhelper fakeroot)"

ops_run 0 "make deb" make -C "$top_builddir" deb
VERSION=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$top_srcdir/debian/changelog")
ARCH=$(dpkg --print-architecture)
for p in hub terminal tools; do
	[ -f "$top_builddir/despatch-${p}_${VERSION}_${ARCH}.deb" ]
	ops_ok $? "built despatch-$p $VERSION"
done

# has PACKAGE PATH...: every path is in the package's file list.
has ()
{
	pkg=$1
	shift
	dpkg-deb -c "$top_builddir/${pkg}_${VERSION}_${ARCH}.deb" | awk '{ print $6 }' | sed 's|^\./|/|' \
		> "$OPS_DIR/$pkg.list"
	missing=""
	for f in "$@"; do
		grep -qx "$f" "$OPS_DIR/$pkg.list" || missing="$missing $f"
	done
	[ -z "$missing" ]
	ops_ok $? "$pkg holds $*"
	[ -z "$missing" ] || echo "#   missing:$missing"
}
has despatch-hub /usr/bin/despatch-hub /usr/bin/despatch /usr/sbin/despatch-backup
has despatch-hub /etc/despatch/despatch.conf
has despatch-hub /lib/systemd/system/despatch-hub.service /lib/systemd/system/despatch-backup.service \
	/lib/systemd/system/despatch-backup.timer
has despatch-hub /usr/share/man/man8/despatch-hub.8.gz /usr/share/man/man8/despatch.8.gz \
	/usr/share/man/man8/despatch-backup.8.gz /usr/share/man/man5/despatch.conf.5.gz
has despatch-hub /usr/share/despatch/data/demo/orders.csv /usr/share/doc/despatch-hub/despatch.conf.example
has despatch-terminal /usr/bin/despatch-term /usr/share/man/man1/despatch-term.1.gz
has despatch-tools /usr/bin/despatch-label /usr/bin/despatch-print /usr/share/man/man1/despatch-label.1.gz \
	/usr/share/man/man1/despatch-print.1.gz /usr/share/despatch/layouts/dpd-uk.json

HUB_DEB="$top_builddir/despatch-hub_${VERSION}_${ARCH}.deb"
dpkg-deb -f "$HUB_DEB" Depends | grep -q 'libczmq4.*libsqlite3-0.*adduser, sqlite3'
ops_ok $? "despatch-hub declares its library and tool dependencies"
dpkg-deb -e "$HUB_DEB" "$OPS_DIR/control"
grep -qx /etc/despatch/despatch.conf "$OPS_DIR/control/conffiles"
ops_ok $? "the configuration is a conffile (an edited copy survives upgrades)"
grep -q "deb-systemd-helper enable 'despatch-hub.service'" "$OPS_DIR/control/postinst"
ops_ok $? "postinst enables and starts the hub's unit"

if [ "${DSP_TEST_PACKAGE_INSTALL:-0}" != 1 ] || [ "$(id -u)" != 0 ]; then
	echo "ok $((OPS_N = OPS_N + 1)) - install and purge # SKIP set DSP_TEST_PACKAGE_INSTALL=1 and run as root"
	ops_done
fi
DEBS="$top_builddir/despatch-tools_${VERSION}_${ARCH}.deb $HUB_DEB $top_builddir/despatch-terminal_${VERSION}_${ARCH}.deb"
ops_run 0 "dpkg -i the three packages" dpkg -i $DEBS
getent passwd despatch >/dev/null
ops_ok $? "the system user despatch exists"
[ "$(stat -c %U:%a /var/lib/despatch)" = despatch:750 ]
ops_ok $? "/var/lib/despatch belongs to despatch, mode 750"
[ "$(stat -c %U:%G:%a /etc/despatch/despatch.conf)" = root:despatch:640 ]
ops_ok $? "the configuration is root:despatch 640"
if command -v systemd-analyze >/dev/null 2>&1; then
	ops_run 0 "systemd-analyze verify despatch-hub.service" systemd-analyze verify \
		/lib/systemd/system/despatch-hub.service
	ops_run 0 "systemd-analyze verify despatch-backup.timer" systemd-analyze verify \
		/lib/systemd/system/despatch-backup.timer /lib/systemd/system/despatch-backup.service
else
	echo "ok $((OPS_N = OPS_N + 1)) - systemd-analyze verify # SKIP systemd-analyze missing"
fi
ops_run 0 "the installed hub says its version" /usr/bin/despatch-hub --version
# A database as the service would make it, then a purge that keeps the data.
touch /var/lib/despatch/despatch.db && chown despatch:despatch /var/lib/despatch/despatch.db
ops_run 0 "dpkg --purge the three packages" dpkg --purge despatch-hub despatch-terminal despatch-tools
[ ! -e /usr/bin/despatch-hub ] && [ ! -e /etc/despatch ] && [ ! -e /lib/systemd/system/despatch-hub.service ]
ops_ok $? "purge removed the binaries, the configuration and the units"
[ -f /var/lib/despatch/despatch.db ]
ops_ok $? "purge kept the database (not asked to remove it)"
rm -rf /var/lib/despatch
ops_done
