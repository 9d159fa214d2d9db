# labels/: carrier label rendering and tracking-number schemes.
noinst_LIBRARIES += labels/liblabels.a
labels_liblabels_a_SOURCES = \
	labels/ident.c labels/ident.h \
	labels/label.h labels/label-int.h \
	labels/label-layout.c \
	labels/label-template.c \
	labels/label-page.c \
	labels/label-render.c \
	labels/label-buf.c \
	labels/label-zpl.c \
	labels/label-zint.c \
	labels/label-cairo.c \
	labels/label-text.c \
	labels/label-verify.c \
	labels/label-poppler.c \
	labels/label-png.c \
	labels/label-zxing.cc \
	labels/label-chart.c labels/label-chart.h
labels_liblabels_a_CFLAGS = $(AM_CFLAGS) $(CAIRO_CFLAGS) $(PANGO_CFLAGS) $(ICU_CFLAGS) $(POPPLER_CFLAGS) $(PNG_CFLAGS) $(JANSSON_CFLAGS)
labels_liblabels_a_CXXFLAGS = $(AM_CXXFLAGS) $(ZXING_CFLAGS) $(JANSSON_CFLAGS)
LABELS_LIBS = labels/liblabels.a $(COMMON_LIBS) $(ZINT_LIBS) $(PANGO_LIBS) $(ICU_LIBS) $(POPPLER_LIBS) $(PNG_LIBS) $(CAIRO_LIBS) $(JANSSON_LIBS) $(ZXING_LIBS) -lstdc++ -lm

bin_PROGRAMS += labels/despatch-label
labels_despatch_label_SOURCES = labels/despatch-label.c
labels_despatch_label_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
labels_despatch_label_LDADD = $(LABELS_LIBS)
dist_man_MANS += labels/despatch-label.1

# Benchmark helper (make bench, bench/labels.sh): the zint adapter in one process.
noinst_PROGRAMS += bench/bench-zint
bench_bench_zint_SOURCES = bench/bench-zint.c
bench_bench_zint_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/labels
bench_bench_zint_LDADD = $(LABELS_LIBS)

# Installed as $(pkgdatadir)/layouts/NAME, where label_layout_path looks.
labelslayoutsdir = $(pkgdatadir)/layouts
dist_labelslayouts_DATA = \
	data/layouts/dpd-uk.json \
	data/layouts/dhl-express.json \
	data/layouts/parcelforce.json \
	data/layouts/royal-mail.json \
	data/layouts/ups.json \
	data/layouts/fedex.json \
	data/layouts/store-van.json \
	data/layouts/specialist.json \
	data/layouts/ticket.json \
	data/layouts/receipt.json \
	data/layouts/two-person.json data/layouts/fine-art.json \
	data/layouts/london-sameday.json data/layouts/hanging-garment.json \
	data/layouts/cn22.json data/layouts/cn23.json data/layouts/invoice.json \
	data/layouts/store-logo.png

# Tests: identifiers in C; rendering decoded back with zbarimg and dmtxread.
check_PROGRAMS += tests/labels/test-ident tests/labels/test-label tests/labels/zpl-decode tests/labels/test-corpus \
	tests/labels/test-label-heap
tests_labels_test_ident_SOURCES = tests/labels/test-ident.c tests/tap.h
tests_labels_test_ident_LDADD = $(LABELS_LIBS)
tests_labels_test_label_SOURCES = tests/labels/test-label.c tests/labels/zpl-decode.h tests/tap.h
tests_labels_test_label_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
tests_labels_test_label_LDADD = $(LABELS_LIBS)
# Labels drawn again and again on one thread, and threads stopped, with the heap read between.
tests_labels_test_label_heap_SOURCES = tests/labels/test-label-heap.c tests/tap.h
tests_labels_test_label_heap_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
tests_labels_test_label_heap_LDADD = $(LABELS_LIBS) -lpthread
tests_labels_zpl_decode_SOURCES = tests/labels/zpl-decode.c tests/labels/zpl-decode.h
# The corpus in one process a layout: the library's reader (zxing) and two others (zbar, libdmtx).
tests_labels_test_corpus_SOURCES = tests/labels/test-corpus.c tests/labels/zpl-decode.h
tests_labels_test_corpus_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/labels
tests_labels_test_corpus_CFLAGS = $(AM_CFLAGS) $(PANGO_CFLAGS) $(JANSSON_CFLAGS) $(ZBAR_CFLAGS) $(DMTX_CFLAGS)
tests_labels_test_corpus_LDADD = $(LABELS_LIBS) $(ZBAR_LIBS) $(DMTX_LIBS)
TESTS += tests/labels/test-ident tests/labels/test-label tests/labels/test-label-heap \
	tests/labels/validate.sh tests/labels/render.sh tests/labels/decode.sh tests/labels/corpus.sh
dist_check_SCRIPTS += tests/labels/validate.sh tests/labels/render.sh tests/labels/decode.sh tests/labels/corpus.sh
# bench/labels/ by its file: the folder itself as a prerequisite is older than bench/labels.sh
# once that is edited, and make's built-in rule then writes the script over the folder.
EXTRA_DIST += tests/labels/shipments tests/labels/expect tests/labels/corpus doc/labels.md bench/labels.sh \
	bench/labels/dpd-uk.glabels.in
