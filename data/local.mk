# data/: configuration example, service files and man pages for the hub
# (operations), and what the suite installs for a site's administrator.

# The example configuration is installed as the live one; not overwriting
# an edited copy on upgrade is the package's job (dpkg conffiles).
# The copy under $(docdir) stays pristine for comparison.
despatchconfdir = $(sysconfdir)/despatch
nodist_despatchconf_DATA = data/despatch.conf
dist_doc_DATA += data/despatch.conf.example
data/despatch.conf: data/despatch.conf.example
	$(AM_V_GEN)$(MKDIR_P) data && cp $(top_srcdir)/data/despatch.conf.example $@

# The fonts labels are drawn with (fontconfig; the units and the tests set FONTCONFIG_FILE to it).
dist_pkgdata_DATA += data/fonts.conf

# systemd units, with the install folders substituted at make time.
systemdunitdir = $(prefix)/lib/systemd/system
nodist_systemdunit_DATA = data/despatch-hub.service data/despatch-backup.service
dist_systemdunit_DATA = data/despatch-backup.timer
sbin_SCRIPTS = data/despatch-backup
EXTRA_DIST += data/despatch-hub.service.in data/despatch-backup.service.in data/despatch-backup.in

data_edit = sed \
	-e 's|@bindir[@]|$(bindir)|g' \
	-e 's|@sbindir[@]|$(sbindir)|g' \
	-e 's|@sysconfdir[@]|$(sysconfdir)|g' \
	-e 's|@localstatedir[@]|$(localstatedir)|g' \
	-e 's|@pkgdatadir[@]|$(pkgdatadir)|g' \
	-e 's|@PACKAGE_VERSION[@]|$(PACKAGE_VERSION)|g'
data/despatch-hub.service data/despatch-backup.service data/despatch-backup: Makefile
	$(AM_V_GEN)$(MKDIR_P) data && rm -f $@ $@.tmp && \
	$(data_edit) $(top_srcdir)/$@.in > $@.tmp && \
	{ case $@ in *-backup) chmod +x $@.tmp ;; esac; } && mv $@.tmp $@
data/despatch-hub.service: $(top_srcdir)/data/despatch-hub.service.in
data/despatch-backup.service: $(top_srcdir)/data/despatch-backup.service.in
data/despatch-backup: $(top_srcdir)/data/despatch-backup.in
CLEANFILES += data/despatch.conf data/despatch-hub.service data/despatch-backup.service data/despatch-backup

# Man pages: the hub and the admin tools (8), the configuration file (5).
dist_man_MANS += data/man/despatch-hub.8 data/man/despatch.8 data/man/despatch-backup.8 \
	data/man/despatch.conf.5

# The documentation and the licence, in $(docdir) beside the example configuration.
dist_doc_DATA += doc/architecture.md doc/carriers.md doc/labels.md doc/operations.md doc/orders.md \
	doc/performance.md doc/printing.md doc/protocol.md doc/security.md doc/terminal.md \
	LICENSE

# The Debian packaging (debian/) travels in the tarball, and so does m4/
# (its placeholder), so that autoreconf runs cleanly in an unpacked tarball.
EXTRA_DIST += debian m4/.keep

# The Debian packages, built from a fresh dist tarball in a scratch folder so
# the source tree is never configured in place: the source package and the
# .changes (what lintian reads) stay in deb-build/, the .deb files are
# copied here. The build skips make check (nocheck: the suite's tests run
# beside it, in make check and CI) unless DSP_DEB_CHECK=yes; the caller's
# DEB_BUILD_OPTIONS are added.
deb: dist
	$(AM_V_GEN)rm -rf deb-build && $(MKDIR_P) deb-build && \
	tar -C deb-build -xzf $(distdir).tar.gz && \
	cd deb-build/$(distdir) && \
	nocheck=$$(test "$${DSP_DEB_CHECK:-no}" = yes || echo nocheck) && \
	DEB_BUILD_OPTIONS="$$nocheck parallel=$$(nproc 2>/dev/null || echo 1) $${DEB_BUILD_OPTIONS:-}" \
	  dpkg-buildpackage -us -uc $${nocheck:+-P$$nocheck} $(DEB_FLAGS) && \
	cd ../.. && rm -f despatch*.deb && cp deb-build/*.deb . && ls -1 *.deb
.PHONY: deb
clean-local:
	rm -rf deb-build despatch-*.deb
