# hub/: the despatch hub (one authority over SQLite, served over ZeroMQ).
noinst_LIBRARIES += hub/libhub.a
hub_libhub_a_SOURCES = \
	hub/hub.h \
	hub/hub-server.c hub/hub-server.h \
	hub/hub-store.c hub/hub-store.h \
	hub/hub-checkpoint.c hub/hub-checkpoint.h \
	hub/hub-cmd.c hub/hub-cmd.h \
	hub/hub-scan.c \
	hub/flow.h hub/flow-util.c \
	hub/flow-receive.c hub/flow-locate.c hub/flow-pack.c hub/flow-label.c \
	hub/flow-scanout.c hub/flow-closeout.c hub/flow-hold.c hub/flow-undo.c \
	hub/flow-enquiry.c \
	hub/hub-import.c hub/hub-import.h \
	hub/hub-integration.c hub/hub-integration.h \
	hub/hub-curve.c hub/hub-curve.h \
	hub/hub-erase.c hub/hub-erase.h \
	hub/hub-events.c hub/hub-events.h \
	hub/flow-carrier.c hub/hub-autoclose.c \
	hub/hub-label.c hub/hub-label.h \
	hub/hub-print.c hub/hub-print.h \
	hub/hub-ticket.c hub/hub-ticket.h \
	hub/hub-receipt.c hub/hub-receipt.h \
	hub/hub-customs.c hub/hub-customs.h \
	hub/hub-auth.c hub/hub-auth.h \
	hub/hub-demo.c hub/hub-demo.h
hub_libhub_a_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS) $(ZMQ_CFLAGS) $(SODIUM_CFLAGS) $(JANSSON_CFLAGS) $(CUPS_CFLAGS)
HUB_LIBS = hub/libhub.a $(CARRIERS_LIBS) $(LABELS_LIBS) $(PRINTERS_LIBS) $(COMMON_LIBS) $(CZMQ_LIBS) $(ZMQ_LIBS) $(SODIUM_LIBS) $(JANSSON_LIBS)

bin_PROGRAMS += hub/despatch-hub
hub_despatch_hub_SOURCES = hub/hub-main.c
hub_despatch_hub_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
hub_despatch_hub_LDADD = $(HUB_LIBS)

nobase_dist_pkgdata_DATA += data/demo/operators.csv data/demo/orders.csv data/demo/orders.json
