# tests/: unit and end-to-end tests (TAP).
noinst_LIBRARIES += tests/libtestlib.a
tests_libtestlib_a_SOURCES = tests/testlib.c tests/testlib.h tests/tap.h
tests_libtestlib_a_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
TEST_LIBS = tests/libtestlib.a $(COMMON_LIBS)

check_PROGRAMS += tests/test-proto tests/test-conf tests/test-hub tests/test-text tests/test-log
tests_test_proto_SOURCES = tests/test-proto.c
tests_test_proto_LDADD = $(COMMON_LIBS)
tests_test_conf_SOURCES = tests/test-conf.c
tests_test_conf_LDADD = $(COMMON_LIBS)
tests_test_text_SOURCES = tests/test-text.c
tests_test_text_LDADD = $(COMMON_LIBS)
tests_test_log_SOURCES = tests/test-log.c
tests_test_log_LDADD = $(COMMON_LIBS)
tests_test_hub_SOURCES = tests/test-hub.c
tests_test_hub_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
tests_test_hub_LDADD = $(TEST_LIBS)
TESTS += tests/test-proto tests/test-conf tests/test-hub tests/test-text tests/test-log

# Fuzz harnesses: corpus replay in make check; libFuzzer with --enable-fuzzing.
check_PROGRAMS += tests/fuzz/fuzz-proto
tests_fuzz_fuzz_proto_SOURCES = tests/fuzz/fuzz-proto.c tests/fuzz/replay.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_proto_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"proto"'
tests_fuzz_fuzz_proto_LDADD = $(COMMON_LIBS)
TESTS += tests/fuzz/fuzz-proto
EXTRA_DIST += tests/fuzz/corpus
if FUZZING
noinst_PROGRAMS += tests/fuzz/libfuzzer-proto
tests_fuzz_libfuzzer_proto_SOURCES = tests/fuzz/fuzz-proto.c
tests_fuzz_libfuzzer_proto_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_libfuzzer_proto_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_libfuzzer_proto_LDADD = $(COMMON_LIBS)
endif

# Benchmarks: `make bench` (never part of make check).
noinst_PROGRAMS += bench/bench-hub
bench_bench_hub_SOURCES = bench/bench-hub.c
bench_bench_hub_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
bench_bench_hub_LDADD = $(COMMON_LIBS)
EXTRA_DIST += bench/run bench/port.sh bench/db-copy.sh bench/hub.sh bench/scale.sh bench/labels.sh bench/printers.sh
bench: all
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' $(SHELL) $(abs_top_srcdir)/bench/run
.PHONY: bench

# The hub printing through a private cupsd.
check_PROGRAMS += tests/test-hub-print
tests_test_hub_print_SOURCES = tests/test-hub-print.c tests/hub-print.h tests/flow/flowlib.h tests/printers/print-test.h
tests_test_hub_print_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
tests_test_hub_print_LDADD = $(TEST_LIBS)
TESTS += tests/test-hub-print

# A request of a batch that fails in the database: the others are kept.
check_PROGRAMS += tests/test-hub-batch
tests_test_hub_batch_SOURCES = tests/test-hub-batch.c tests/flow/flowlib.h
tests_test_hub_batch_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
tests_test_hub_batch_LDADD = $(TEST_LIBS)
TESTS += tests/test-hub-batch

# What becomes of a label moved or cancelled from another terminal, told to that terminal too.
check_PROGRAMS += tests/test-hub-asked
tests_test_hub_asked_SOURCES = tests/test-hub-asked.c tests/hub-print.h tests/flow/flowlib.h tests/printers/print-test.h
tests_test_hub_asked_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
tests_test_hub_asked_LDADD = $(TEST_LIBS)
TESTS += tests/test-hub-asked

# Replies and events wait for the flush of their batch's commit; a crash in it tells nobody.
check_PROGRAMS += tests/test-hub-flush
tests_test_hub_flush_SOURCES = tests/test-hub-flush.c
tests_test_hub_flush_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
tests_test_hub_flush_LDADD = $(TEST_LIBS)
TESTS += tests/test-hub-flush

# EVENTs for a terminal the hub cannot reach, held until it speaks again.
check_PROGRAMS += tests/test-hub-held
tests_test_hub_held_SOURCES = tests/test-hub-held.c tests/hub-print.h tests/flow/flowlib.h tests/printers/print-test.h
tests_test_hub_held_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
tests_test_hub_held_LDADD = tests/libtestlib.a $(HUB_LIBS)
TESTS += tests/test-hub-held

# The hub's print worker against a cupsd stopped with SIGSTOP.
check_PROGRAMS += tests/test-hub-stall
tests_test_hub_stall_SOURCES = tests/test-hub-stall.c tests/hub-print.h tests/flow/flowlib.h tests/printers/print-test.h
tests_test_hub_stall_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
tests_test_hub_stall_LDADD = $(TEST_LIBS)
TESTS += tests/test-hub-stall

# The hub killed at each step of printing a label: printed once after the restart.
check_PROGRAMS += tests/test-hub-crash
tests_test_hub_crash_SOURCES = tests/test-hub-crash.c tests/hub-print.h tests/flow/flowlib.h tests/printers/print-test.h
tests_test_hub_crash_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
tests_test_hub_crash_LDADD = $(TEST_LIBS)
TESTS += tests/test-hub-crash

# Logins checked by the PIN worker: thirty at once delay nobody; exactly once.
check_PROGRAMS += tests/test-hub-login
tests_test_hub_login_SOURCES = tests/test-hub-login.c tests/flow/flowlib.h
tests_test_hub_login_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
tests_test_hub_login_LDADD = $(TEST_LIBS)
TESTS += tests/test-hub-login

# A label that cannot be drawn is refused to the packer, with the field; packed after the order is corrected.
check_PROGRAMS += tests/test-hub-undrawn
tests_test_hub_undrawn_SOURCES = tests/test-hub-undrawn.c tests/hub-print.h tests/flow/flowlib.h \
	tests/printers/print-test.h
tests_test_hub_undrawn_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
tests_test_hub_undrawn_LDADD = $(TEST_LIBS)
TESTS += tests/test-hub-undrawn

# A correction of an undrawn order's label fields taken back with its file, refused or the hub killed while it writes.
check_PROGRAMS += tests/test-hub-undrawn-undo
tests_test_hub_undrawn_undo_SOURCES = tests/test-hub-undrawn-undo.c tests/hub-print.h tests/flow/flowlib.h \
	tests/printers/print-test.h
tests_test_hub_undrawn_undo_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
tests_test_hub_undrawn_undo_LDADD = $(TEST_LIBS)
TESTS += tests/test-hub-undrawn-undo

# The WAL checkpoint thread under a writer that never pauses.
check_PROGRAMS += tests/test-checkpoint
tests_test_checkpoint_SOURCES = tests/test-checkpoint.c
tests_test_checkpoint_LDADD = tests/libtestlib.a $(HUB_LIBS)
TESTS += tests/test-checkpoint

# The terminal's end of the wire (common/client.c) against libzmq ROUTER sockets and peers that are not a hub.
check_PROGRAMS += tests/test-client
tests_test_client_SOURCES = tests/test-client.c
tests_test_client_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
tests_test_client_LDADD = $(TEST_LIBS)
TESTS += tests/test-client

# Security and reliability: CURVE/ZAP, erase, card numbers, crashes.
check_PROGRAMS += tests/security/test-curve
tests_security_test_curve_SOURCES = tests/security/test-curve.c
tests_security_test_curve_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
tests_security_test_curve_LDADD = $(TEST_LIBS)
TESTS += tests/security/test-curve
check_PROGRAMS += tests/security/test-systems
tests_security_test_systems_SOURCES = tests/security/test-systems.c tests/security/seclib.h
tests_security_test_systems_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
tests_security_test_systems_LDADD = $(TEST_LIBS)
TESTS += tests/security/test-systems
check_PROGRAMS += tests/security/test-identity
tests_security_test_identity_SOURCES = tests/security/test-identity.c tests/security/seclib.h
tests_security_test_identity_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
tests_security_test_identity_LDADD = $(TEST_LIBS)
TESTS += tests/security/test-identity
check_PROGRAMS += tests/security/test-repeat
tests_security_test_repeat_SOURCES = tests/security/test-repeat.c tests/security/seclib.h
tests_security_test_repeat_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
tests_security_test_repeat_LDADD = $(TEST_LIBS)
TESTS += tests/security/test-repeat
check_PROGRAMS += tests/security/test-door
tests_security_test_door_SOURCES = tests/security/test-door.c tests/security/seclib.h
tests_security_test_door_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
tests_security_test_door_LDADD = $(TEST_LIBS)
TESTS += tests/security/test-door
check_PROGRAMS += tests/security/test-erase
tests_security_test_erase_SOURCES = tests/security/test-erase.c tests/security/seclib.h tests/flow/flowlib.h
tests_security_test_erase_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
tests_security_test_erase_LDADD = $(TEST_LIBS)
TESTS += tests/security/test-erase
check_PROGRAMS += tests/security/test-keyfile
tests_security_test_keyfile_SOURCES = tests/security/test-keyfile.c
tests_security_test_keyfile_LDADD = $(TEST_LIBS)
TESTS += tests/security/test-keyfile
# The same erase with a real terminal in tmux: its journal and log searched too.
dist_check_SCRIPTS += tests/security/erase-term.sh
TESTS += tests/security/erase-term.sh
check_PROGRAMS += tests/security/test-pan
tests_security_test_pan_SOURCES = tests/security/test-pan.c
tests_security_test_pan_LDADD = $(COMMON_LIBS)
TESTS += tests/security/test-pan
check_PROGRAMS += tests/security/test-privacy
tests_security_test_privacy_SOURCES = tests/security/test-privacy.c
tests_security_test_privacy_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
tests_security_test_privacy_LDADD = $(TEST_LIBS)
TESTS += tests/security/test-privacy
check_PROGRAMS += tests/security/test-kill
tests_security_test_kill_SOURCES = tests/security/test-kill.c
tests_security_test_kill_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
tests_security_test_kill_LDADD = $(TEST_LIBS)
TESTS += tests/security/test-kill
check_PROGRAMS += tests/security/test-diskfull
tests_security_test_diskfull_SOURCES = tests/security/test-diskfull.c
tests_security_test_diskfull_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
tests_security_test_diskfull_LDADD = $(TEST_LIBS)
TESTS += tests/security/test-diskfull

# Fuzz harnesses for the parsers of outside input: the scan
# (GS1) parser, the order import (CSV and JSON), label layouts and carrier
# definitions. Same pattern as fuzz-proto above.
check_PROGRAMS += tests/fuzz/fuzz-gs1 tests/fuzz/fuzz-import tests/fuzz/fuzz-layout tests/fuzz/fuzz-carrier
tests_fuzz_fuzz_gs1_SOURCES = tests/fuzz/fuzz-gs1.c tests/fuzz/replay.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_gs1_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"gs1"'
tests_fuzz_fuzz_gs1_LDADD = $(COMMON_LIBS)
tests_fuzz_fuzz_import_SOURCES = tests/fuzz/fuzz-import.c tests/fuzz/replay.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_import_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"import"'
tests_fuzz_fuzz_import_LDADD = $(HUB_LIBS)
tests_fuzz_fuzz_layout_SOURCES = tests/fuzz/fuzz-layout.c tests/fuzz/replay.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_layout_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/labels $(JANSSON_CFLAGS) -DFUZZ_NAME='"layout"'
tests_fuzz_fuzz_layout_LDADD = $(LABELS_LIBS)
tests_fuzz_fuzz_carrier_SOURCES = tests/fuzz/fuzz-carrier.c tests/fuzz/replay.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_carrier_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_NAME='"carrier"'
tests_fuzz_fuzz_carrier_LDADD = $(CARRIERS_LIBS)
TESTS += tests/fuzz/fuzz-gs1 tests/fuzz/fuzz-import tests/fuzz/fuzz-layout tests/fuzz/fuzz-carrier
if FUZZING
noinst_PROGRAMS += tests/fuzz/libfuzzer-gs1 tests/fuzz/libfuzzer-import tests/fuzz/libfuzzer-layout \
	tests/fuzz/libfuzzer-carrier
tests_fuzz_libfuzzer_gs1_SOURCES = tests/fuzz/fuzz-gs1.c
tests_fuzz_libfuzzer_gs1_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_libfuzzer_gs1_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_libfuzzer_gs1_LDADD = $(COMMON_LIBS)
tests_fuzz_libfuzzer_import_SOURCES = tests/fuzz/fuzz-import.c
tests_fuzz_libfuzzer_import_CPPFLAGS = $(AM_CPPFLAGS)
tests_fuzz_libfuzzer_import_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_libfuzzer_import_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_libfuzzer_import_LDADD = $(HUB_LIBS)
tests_fuzz_libfuzzer_layout_SOURCES = tests/fuzz/fuzz-layout.c
tests_fuzz_libfuzzer_layout_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/labels $(JANSSON_CFLAGS)
tests_fuzz_libfuzzer_layout_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_libfuzzer_layout_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_libfuzzer_layout_LDADD = $(LABELS_LIBS)
tests_fuzz_libfuzzer_carrier_SOURCES = tests/fuzz/fuzz-carrier.c
tests_fuzz_libfuzzer_carrier_CPPFLAGS = $(AM_CPPFLAGS)
tests_fuzz_libfuzzer_carrier_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_libfuzzer_carrier_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_libfuzzer_carrier_LDADD = $(CARRIERS_LIBS)
endif

# Valgrind suppressions for libraries outside the suite (doc/security.md).
EXTRA_DIST += tests/valgrind.supp

# The hub's threads under helgrind (TOOL=drd for DRD): make check-threads, a few minutes.
EXTRA_DIST += tests/hub-threads.sh tests/helgrind.supp
check-threads: all bench/bench-hub printers/fake-printer
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' $(SHELL) $(abs_top_srcdir)/tests/hub-threads.sh
.PHONY: check-threads

# A frame over ZMQ_MAXMSGSIZE is dropped by libzmq; the hub answers on.
check_PROGRAMS += tests/security/test-maxmsg
tests_security_test_maxmsg_SOURCES = tests/security/test-maxmsg.c
tests_security_test_maxmsg_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
tests_security_test_maxmsg_LDADD = $(TEST_LIBS)
TESTS += tests/security/test-maxmsg

check_PROGRAMS += tests/security/test-erase-many
tests_security_test_erase_many_SOURCES = tests/security/test-erase-many.c
tests_security_test_erase_many_LDADD = tests/libtestlib.a $(HUB_LIBS)
TESTS += tests/security/test-erase-many

check_PROGRAMS += tests/ops/test-db-immutable
tests_ops_test_db_immutable_SOURCES = tests/ops/test-db-immutable.c
tests_ops_test_db_immutable_LDADD = $(TEST_LIBS)
TESTS += tests/ops/test-db-immutable

check_PROGRAMS += tests/test-hub-reply
tests_test_hub_reply_SOURCES = tests/test-hub-reply.c
tests_test_hub_reply_LDADD = tests/libtestlib.a $(HUB_LIBS)
TESTS += tests/test-hub-reply
