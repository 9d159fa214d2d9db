# tests/ops/: install, package, migration and status tests.
dist_check_SCRIPTS += tests/ops/install.sh
EXTRA_DIST += tests/ops/opslib.sh
TESTS += tests/ops/install.sh
dist_check_SCRIPTS += tests/ops/package.sh
TESTS += tests/ops/package.sh
