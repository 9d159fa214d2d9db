# admin/: despatch, the administrator's tool: one table of commands
# (admin/despatch.h), each command a file, over the hub's database.
# The administrator's tool has a section-8 page: $(sbindir).
sbin_PROGRAMS += admin/despatch
admin_despatch_SOURCES = admin/despatch.c admin/despatch.h \
	admin/despatch-database.c \
	admin/despatch-import.c \
	admin/despatch-range.c \
	admin/despatch-carrier.c admin/despatch-carrier.h \
	admin/despatch-rules.c \
	admin/despatch-quote.c \
	admin/despatch-track.c \
	admin/despatch-status.c \
	admin/despatch-keys.c \
	admin/despatch-erase.c \
	admin/despatch-report.c \
	admin/despatch-backup.c
admin_despatch_CFLAGS = $(AM_CFLAGS) $(CZMQ_CFLAGS)
admin_despatch_LDADD = $(HUB_LIBS) $(PRINTERS_LIBS)
