# common/: what hub, terminal and tools share.
noinst_LIBRARIES += common/libcommon.a
common_libcommon_a_SOURCES = \
	common/util.c common/util.h \
	common/log.c common/log.h \
	common/conf.c common/conf.h \
	common/proto.c common/proto.h \
	common/db.c common/db.h \
	common/client.c common/client.h \
	common/country.c common/country.h \
	common/gs1.c common/gs1.h \
	common/pan.c common/pan.h
common_libcommon_a_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS) $(ZMQ_CFLAGS)
# What libcommon itself needs: libzmq, not CZMQ (the terminal links only this).
COMMON_OWN_LIBS = common/libcommon.a $(SQLITE_LIBS) $(ZMQ_LIBS)
# Most programs and tests also use CZMQ, and have always had it from here.
COMMON_LIBS = $(COMMON_OWN_LIBS) $(CZMQ_LIBS)
