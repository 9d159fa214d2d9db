# tests/ops/: install, package, migration and status tests.
