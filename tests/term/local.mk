# tests/term/: terminals driven through tmux against a real hub.
dist_check_SCRIPTS += tests/term/term-skeleton.sh tests/term/term-offline.sh tests/term/term-flow.sh tests/term/term-print.sh tests/term/term-quote.sh \
	tests/term/term-short.sh tests/term/term-refused.sh tests/term/term-journal.sh tests/term/term-scan.sh tests/term/term-closeout.sh
TESTS += tests/term/term-skeleton.sh tests/term/term-offline.sh tests/term/term-flow.sh tests/term/term-print.sh tests/term/term-quote.sh \
	tests/term/term-short.sh tests/term/term-refused.sh tests/term/term-journal.sh tests/term/term-scan.sh tests/term/term-closeout.sh
EXTRA_DIST += tests/term/termlib.sh tests/term/scanlib.sh
# label-crop: each barcode of a label the fake printer received, cut out for the readers.
check_PROGRAMS += tests/term/label-crop
tests_term_label_crop_SOURCES = tests/term/label-crop.c tests/labels/zpl-decode.h
tests_term_label_crop_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
tests_term_label_crop_LDADD = $(JANSSON_LIBS) -lm
# The work queues and the supervisor's screens, at every size, against a real hub and a private cupsd.
dist_check_SCRIPTS += tests/term/term-queue.sh tests/term/term-super.sh
TESTS += tests/term/term-queue.sh tests/term/term-super.sh
# The pack screen on a handheld: the order's lines paged, the parcel count, a new order and old messages.
dist_check_SCRIPTS += tests/term/term-pack.sh
TESTS += tests/term/term-pack.sh
EXTRA_DIST += tests/term/termprint.sh tests/term/queue-orders.csv
# A label that cannot be drawn, at the bench: the refusal on screen, nothing printed, packed once the order is put right.
dist_check_SCRIPTS += tests/term/term-undrawn.sh
TESTS += tests/term/term-undrawn.sh
# A label CUPS printed while no hub ran, redirected by a supervisor: the bench and the supervisor's handheld say so.
dist_check_SCRIPTS += tests/term/term-printed-first.sh
TESTS += tests/term/term-printed-first.sh
