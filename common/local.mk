# common/: what hub, terminal and tools share.
noinst_LIBRARIES += common/libcommon.a
common_libcommon_a_SOURCES = \
	common/util.c common/util.h \
	common/log.c common/log.h \
	common/conf.c common/conf.h \
	common/proto.c common/proto.h \
	common/db.c common/db.h \
	common/client.c common/client.h \
	common/keyfile.c common/keyfile.h \
	common/secret.c common/secret.h \
	common/country.c common/country.h \
	common/gs1.c common/gs1.h \
	common/pan.c common/pan.h \
	common/text.c common/text.h \
	common/screens.h
common_libcommon_a_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS) $(SODIUM_CFLAGS) $(ZMQ_CFLAGS)
# What libcommon itself needs: SQLite, libsodium (PIN hashes) and libzmq
# (client.c). Not CZMQ: the terminal links only this.
COMMON_OWN_LIBS = common/libcommon.a $(SQLITE_LIBS) $(SODIUM_LIBS) $(ZMQ_LIBS)
# The hub, tools and tests also use CZMQ, and have it from here.
COMMON_LIBS = $(COMMON_OWN_LIBS) $(CZMQ_LIBS)
