# tests/ops/: install, package, migration and status tests.
dist_check_SCRIPTS += tests/ops/install.sh
EXTRA_DIST += tests/ops/opslib.sh
TESTS += tests/ops/install.sh
dist_check_SCRIPTS += tests/ops/package.sh
TESTS += tests/ops/package.sh

# Upgrades: every older schema migrates in place; a newer one is refused.
check_PROGRAMS += tests/ops/test-migrate
tests_ops_test_migrate_SOURCES = tests/ops/test-migrate.c tests/tap.h
tests_ops_test_migrate_CPPFLAGS = $(AM_CPPFLAGS)
tests_ops_test_migrate_LDADD = $(HUB_LIBS)
dist_check_SCRIPTS += tests/ops/migrate.sh
TESTS += tests/ops/test-migrate tests/ops/migrate.sh

# despatch status against a real hub and a private cupsd.
dist_check_SCRIPTS += tests/ops/status.sh
TESTS += tests/ops/status.sh

# despatch on input it cannot use: one message saying what and what to do, nothing stored harmed.
dist_check_SCRIPTS += tests/ops/admin-input.sh
TESTS += tests/ops/admin-input.sh

# The manuals against the code: configuration keys (the code's readers,
# common/conf.c's table, despatch.conf(5)) and despatch's commands (its
# tables, --help, despatch(8)).
check_PROGRAMS += tests/ops/conf-keys
tests_ops_conf_keys_SOURCES = tests/ops/conf-keys.c
tests_ops_conf_keys_LDADD = $(COMMON_OWN_LIBS)
dist_check_SCRIPTS += tests/ops/manual.sh
TESTS += tests/ops/manual.sh

# No circle in the includes, nor between files through what they use.
dist_check_SCRIPTS += tests/ops/include-cycles.sh
TESTS += tests/ops/include-cycles.sh

# SIGHUP: settings, printer map, carriers and rules read again; bad files refused.
check_PROGRAMS += tests/ops/test-reload
tests_ops_test_reload_SOURCES = tests/ops/test-reload.c tests/flow/flowlib.h tests/printers/print-test.h
tests_ops_test_reload_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
tests_ops_test_reload_LDADD = $(TEST_LIBS)
TESTS += tests/ops/test-reload

# sd_notify without systemd: READY, STATUS, WATCHDOG from the loop, RELOADING, STOPPING.
check_PROGRAMS += tests/ops/test-notify
tests_ops_test_notify_SOURCES = tests/ops/test-notify.c
tests_ops_test_notify_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
tests_ops_test_notify_LDADD = $(TEST_LIBS)
TESTS += tests/ops/test-notify

# The metrics file for node_exporter's textfile collector, parsed and checked against what the test did.
check_PROGRAMS += tests/ops/test-metrics
tests_ops_test_metrics_SOURCES = tests/ops/test-metrics.c tests/flow/flowlib.h tests/printers/print-test.h
tests_ops_test_metrics_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
tests_ops_test_metrics_LDADD = $(TEST_LIBS) -lm
TESTS += tests/ops/test-metrics

# File retention: exports, outbox, inboxes' done/ and failed/, reports; fake dates two ways.
dist_check_SCRIPTS += tests/ops/retention.sh
TESTS += tests/ops/retention.sh

# A backup of a live hub with its keys, restored after the disk is lost; despatch-backup's rotation.
check_PROGRAMS += tests/ops/test-backup
tests_ops_test_backup_SOURCES = tests/ops/test-backup.c tests/flow/flowlib.h
tests_ops_test_backup_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
tests_ops_test_backup_LDADD = $(TEST_LIBS) -lpthread
TESTS += tests/ops/test-backup

# The fuzz corpus's copies of the shipped carrier files, layouts and demo
# orders are those files as they are now.
dist_check_SCRIPTS += tests/ops/fuzz-seeds.sh
TESTS += tests/ops/fuzz-seeds.sh
