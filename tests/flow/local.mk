# tests/flow/: the despatch flow against a real hub.
check_PROGRAMS += tests/flow/test-flow tests/flow/test-gs1 tests/flow/test-import tests/flow/test-symbol
tests_flow_test_flow_SOURCES = tests/flow/test-flow.c tests/flow/flowlib.h
tests_flow_test_flow_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
tests_flow_test_flow_LDADD = $(TEST_LIBS)
tests_flow_test_gs1_SOURCES = tests/flow/test-gs1.c
tests_flow_test_gs1_LDADD = $(COMMON_LIBS)
tests_flow_test_import_SOURCES = tests/flow/test-import.c tests/flow/flowlib.h
tests_flow_test_import_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
tests_flow_test_import_LDADD = tests/libtestlib.a $(HUB_LIBS)
tests_flow_test_symbol_SOURCES = tests/flow/test-symbol.c tests/tap.h
tests_flow_test_symbol_LDADD = $(CARRIERS_LIBS)
TESTS += tests/flow/test-gs1 tests/flow/test-import tests/flow/test-flow tests/flow/test-symbol
# The work queues and the supervisor's commands.
check_PROGRAMS += tests/flow/test-queue
tests_flow_test_queue_SOURCES = tests/flow/test-queue.c tests/flow/flowlib.h
tests_flow_test_queue_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
tests_flow_test_queue_LDADD = $(TEST_LIBS)
TESTS += tests/flow/test-queue

# tests/carriers/: carriers as data, rules, quotes, close-out.
check_PROGRAMS += tests/carriers/test-carriers
tests_carriers_test_carriers_SOURCES = tests/carriers/test-carriers.c tests/flow/flowlib.h
tests_carriers_test_carriers_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
tests_carriers_test_carriers_LDADD = tests/libtestlib.a $(HUB_LIBS)
TESTS += tests/carriers/test-carriers
EXTRA_DIST += tests/carriers/specialist.conf
check_PROGRAMS += tests/carriers/test-rules
tests_carriers_test_rules_SOURCES = tests/carriers/test-rules.c
tests_carriers_test_rules_LDADD = $(TEST_LIBS)
TESTS += tests/carriers/test-rules
EXTRA_DIST += tests/carriers/orders-50.csv tests/carriers/rules-50.expected
check_PROGRAMS += tests/carriers/test-closeout
tests_carriers_test_closeout_SOURCES = tests/carriers/test-closeout.c tests/flow/flowlib.h
tests_carriers_test_closeout_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
tests_carriers_test_closeout_LDADD = $(TEST_LIBS)
TESTS += tests/carriers/test-closeout
# tests/carriers/test-events: the events feed, PUB socket and export files.
check_PROGRAMS += tests/carriers/test-events
tests_carriers_test_events_SOURCES = tests/carriers/test-events.c tests/flow/flowlib.h
tests_carriers_test_events_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS) $(JANSSON_CFLAGS)
tests_carriers_test_events_LDADD = $(TEST_LIBS) $(JANSSON_LIBS)
TESTS += tests/carriers/test-events
# tests/carriers/test-receipt: the collection receipt PDF at close-out, through a private cupsd.
check_PROGRAMS += tests/carriers/test-receipt
tests_carriers_test_receipt_SOURCES = tests/carriers/test-receipt.c tests/flow/flowlib.h tests/printers/print-test.h
tests_carriers_test_receipt_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
tests_carriers_test_receipt_LDADD = $(TEST_LIBS)
TESTS += tests/carriers/test-receipt
# tests/carriers/test-autoclose: automatic close-out at a carrier's cut-off (clock moved by a test setting).
check_PROGRAMS += tests/carriers/test-autoclose
tests_carriers_test_autoclose_SOURCES = tests/carriers/test-autoclose.c tests/flow/flowlib.h
tests_carriers_test_autoclose_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
tests_carriers_test_autoclose_LDADD = $(TEST_LIBS)
TESTS += tests/carriers/test-autoclose
# tests/carriers/test-track-in: tracking files in the hub's inbox and tracking pushes on the integration endpoint.
check_PROGRAMS += tests/carriers/test-track-in
tests_carriers_test_track_in_SOURCES = tests/carriers/test-track-in.c tests/flow/flowlib.h
tests_carriers_test_track_in_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS) $(JANSSON_CFLAGS)
tests_carriers_test_track_in_LDADD = $(TEST_LIBS) $(JANSSON_LIBS)
TESTS += tests/carriers/test-track-in
# tests/carriers/test-customs: customs papers (CN22, commercial invoice) for parcels leaving the UK.
check_PROGRAMS += tests/carriers/test-customs
tests_carriers_test_customs_SOURCES = tests/carriers/test-customs.c tests/flow/flowlib.h tests/printers/print-test.h
tests_carriers_test_customs_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
tests_carriers_test_customs_LDADD = $(TEST_LIBS)
TESTS += tests/carriers/test-customs
# tests/carriers/test-enquiry-track: enquiry shows the carrier's tracking status, events and POD.
check_PROGRAMS += tests/carriers/test-enquiry-track
tests_carriers_test_enquiry_track_SOURCES = tests/carriers/test-enquiry-track.c tests/flow/flowlib.h
tests_carriers_test_enquiry_track_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
tests_carriers_test_enquiry_track_LDADD = $(TEST_LIBS)
TESTS += tests/carriers/test-enquiry-track
# tests/carriers/test-report: despatch report carriers|exceptions|benches, CSV and PDF.
check_PROGRAMS += tests/carriers/test-report
tests_carriers_test_report_SOURCES = tests/carriers/test-report.c tests/flow/flowlib.h
tests_carriers_test_report_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
tests_carriers_test_report_LDADD = $(TEST_LIBS)
TESTS += tests/carriers/test-report
