# tests/: unit and end-to-end tests (TAP).
check_PROGRAMS += tests/test-proto tests/test-conf
tests_test_proto_SOURCES = tests/test-proto.c tests/tap.h
tests_test_proto_LDADD = $(COMMON_LIBS)
tests_test_conf_SOURCES = tests/test-conf.c tests/tap.h
tests_test_conf_LDADD = $(COMMON_LIBS)
TESTS += tests/test-proto tests/test-conf
