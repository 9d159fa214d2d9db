# printers/: silent printing through CUPS.
# libprinters.a is the only part of the suite that links libcups, and
# print-cups.c the only file that includes cups/cups.h (print-check.c
# checks documents and print-map.c reads the station map, without CUPS).
noinst_LIBRARIES += printers/libprinters.a
printers_libprinters_a_SOURCES = \
	printers/print.h \
	printers/print-check.c \
	printers/print-cups.c \
	printers/print-map.c
printers_libprinters_a_CFLAGS = $(AM_CFLAGS) $(CUPS_CFLAGS)
PRINTERS_LIBS = printers/libprinters.a $(COMMON_LIBS) $(CUPS_LIBS)

bin_PROGRAMS += printers/despatch-print
printers_despatch_print_SOURCES = printers/despatch-print.c
printers_despatch_print_LDADD = $(PRINTERS_LIBS)
dist_man_MANS += printers/despatch-print.1

# The pretend AppSocket printer and the private cupsd script (demo and tests).
noinst_PROGRAMS += printers/fake-printer
printers_fake_printer_SOURCES = printers/fake-printer.c
EXTRA_DIST += printers/cups-private

# Tests: each starts and stops its own private cupsd (tests/printers/).
check_PROGRAMS += tests/printers/test-print-cups tests/printers/test-print-map tests/printers/test-print-stall \
	tests/printers/test-print-check
tests_printers_test_print_cups_SOURCES = tests/printers/test-print-cups.c tests/printers/print-test.h tests/tap.h
tests_printers_test_print_cups_LDADD = $(PRINTERS_LIBS)
tests_printers_test_print_map_SOURCES = tests/printers/test-print-map.c tests/tap.h
tests_printers_test_print_map_LDADD = $(PRINTERS_LIBS)
tests_printers_test_print_stall_SOURCES = tests/printers/test-print-stall.c tests/printers/print-test.h tests/tap.h
tests_printers_test_print_stall_LDADD = $(PRINTERS_LIBS) -lpthread
tests_printers_test_print_check_SOURCES = tests/printers/test-print-check.c tests/tap.h
tests_printers_test_print_check_LDADD = $(PRINTERS_LIBS)
dist_check_SCRIPTS += tests/printers/cups-private.sh tests/printers/despatch-print.sh tests/printers/print-find.sh
EXTRA_DIST += tests/printers/print-test.sh
TESTS += tests/printers/test-print-map tests/printers/test-print-check tests/printers/test-print-cups \
	tests/printers/test-print-stall \
	tests/printers/cups-private.sh tests/printers/despatch-print.sh tests/printers/print-find.sh

# Figures for bench/printers.sh.
noinst_PROGRAMS += printers/print-bench
printers_print_bench_SOURCES = printers/print-bench.c
printers_print_bench_LDADD = $(PRINTERS_LIBS)
EXTRA_DIST += bench/printers.sh
