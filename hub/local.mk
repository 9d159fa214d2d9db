# hub/: the despatch hub (one authority over SQLite, served over ZeroMQ).
noinst_LIBRARIES += hub/libhub.a
hub_libhub_a_SOURCES = \
	hub/hub.h \
	hub/hub-server.c hub/hub-server.h \
	hub/hub-store.c hub/hub-store.h \
	hub/hub-cmd.c hub/hub-cmd.h \
	hub/hub-scan.c \
	hub/hub-auth.c hub/hub-auth.h \
	hub/hub-demo.c hub/hub-demo.h
hub_libhub_a_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS) $(ZMQ_CFLAGS) $(SODIUM_CFLAGS)
HUB_LIBS = hub/libhub.a $(COMMON_LIBS) $(CZMQ_LIBS) $(ZMQ_LIBS) $(SODIUM_LIBS)

bin_PROGRAMS += hub/despatch-hub
hub_despatch_hub_SOURCES = hub/hub-main.c
hub_despatch_hub_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
hub_despatch_hub_LDADD = $(HUB_LIBS)

nobase_dist_pkgdata_DATA += data/demo/operators.csv data/demo/orders.csv
