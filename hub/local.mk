# hub/: the despatch hub (one authority over SQLite, served over ZeroMQ).
# Its folders are its layers (hub/hub.h, doc/architecture.md); each uses
# only those listed after it.
noinst_LIBRARIES += hub/libhub.a
hub_libhub_a_SOURCES = \
	hub/hub.h \
	hub/loop/hub-server.c hub/loop/hub-server.h \
	hub/loop/hub-spool.c hub/loop/hub-spool.h \
	hub/loop/hub-flush.c hub/loop/hub-flush.h \
	hub/loop/hub-later.c hub/loop/hub-later.h \
	hub/loop/hub-held.c hub/loop/hub-held.h \
	hub/loop/hub-feed.c hub/loop/hub-feed.h \
	hub/loop/hub-integration.c hub/loop/hub-integration.h \
	hub/loop/hub-events.c hub/loop/hub-events.h \
	hub/loop/hub-checkpoint.c hub/loop/hub-checkpoint.h \
	hub/loop/hub-curve.c hub/loop/hub-curve.h \
	hub/loop/hub-reload.c hub/loop/hub-reload.h \
	hub/loop/hub-notify.c hub/loop/hub-notify.h \
	hub/loop/hub-chore.c hub/loop/hub-chore.h \
	hub/loop/hub-metrics.c hub/loop/hub-metrics.h \
	hub/loop/hub-retention.c hub/loop/hub-retention.h \
	hub/cmd/hub-cmd.c hub/cmd/hub-cmd.h \
	hub/cmd/hub-session.c hub/cmd/hub-session.h \
	hub/cmd/hub-scan.c hub/cmd/hub-scan.h \
	hub/flow/flow-steps.h \
	hub/flow/flow-receive.c hub/flow/flow-locate.c hub/flow/flow-pack.c hub/flow/flow-label.c \
	hub/flow/flow-scanout.c hub/flow/flow-closeout.c hub/flow/flow-hold.c hub/flow/flow-undo.c \
	hub/flow/flow-enquiry.c hub/flow/flow-carrier.c hub/flow/flow-print.c \
	hub/flow/flow-queue.c hub/flow/flow-queue.h hub/flow/flow-super.c hub/flow/flow-super.h \
	hub/docs/hub-print.c hub/docs/hub-print.h \
	hub/docs/hub-label.c hub/docs/hub-label.h \
	hub/docs/hub-ticket.c hub/docs/hub-ticket.h \
	hub/docs/hub-receipt.c hub/docs/hub-receipt.h \
	hub/docs/hub-customs.c hub/docs/hub-customs.h \
	hub/docs/hub-manifest.c hub/docs/hub-manifest.h \
	hub/req/hub-req.h \
	hub/req/hub-reply.c hub/req/hub-reply.h \
	hub/req/hub-after.c hub/req/hub-after.h \
	hub/req/hub-ask.c hub/req/hub-ask.h \
	hub/req/flow.c hub/req/flow.h \
	hub/store/hub-store.c hub/store/hub-store.h \
	hub/store/hub-role.c hub/store/hub-role.h \
	hub/store/hub-state.c hub/store/hub-state.h \
	hub/store/hub-import.c hub/store/hub-import.h \
	hub/store/hub-erase.c hub/store/hub-erase.h \
	hub/store/hub-auth.c hub/store/hub-auth.h \
	hub/store/hub-demo.c hub/store/hub-demo.h \
	hub/store/hub-backup.c hub/store/hub-backup.h \
	hub/work/work.c hub/work/work.h \
	hub/work/work-print.c hub/work/work-print.h \
	hub/work/work-draw.c hub/work/work-draw.h \
	hub/work/work-pin.c hub/work/work-pin.h \
	hub/work/work-file.c hub/work/work-file.h \
	hub/work/work-flush.c hub/work/work-flush.h
hub_libhub_a_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS) $(ZMQ_CFLAGS) $(SODIUM_CFLAGS) $(JANSSON_CFLAGS) $(CUPS_CFLAGS) \
	$(SYSTEMD_CFLAGS)
HUB_LIBS = hub/libhub.a $(CARRIERS_LIBS) $(LABELS_LIBS) $(PRINTERS_LIBS) $(COMMON_LIBS) $(CZMQ_LIBS) $(ZMQ_LIBS) $(SODIUM_LIBS) $(JANSSON_LIBS) \
	$(SYSTEMD_LIBS)

# The daemon has a section-8 page: $(sbindir), as Debian and the FHS want.
sbin_PROGRAMS += hub/despatch-hub
hub_despatch_hub_SOURCES = hub/loop/hub-main.c
hub_despatch_hub_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
hub_despatch_hub_LDADD = $(HUB_LIBS)

nobase_dist_pkgdata_DATA += data/demo/operators.csv data/demo/orders.csv data/demo/orders.json

# The import benchmark's baseline (bench/import.sh): the same rows by a minimal sqlite3 program.
noinst_PROGRAMS += bench/bench-import
bench_bench_import_SOURCES = bench/bench-import.c
bench_bench_import_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
bench_bench_import_LDADD = $(SQLITE_LIBS)
EXTRA_DIST += bench/import.sh bench/erase.sh
