# carriers/: carriers as data (doc/carriers.md): the carrier files and the
# rule set read and checked, eligibility, prices and quotes, manifests,
# tracking files, and which carriers close out by themselves. A library of
# the hub and of the despatch tool; it knows the database, not the hub.
noinst_LIBRARIES += carriers/libcarriers.a
carriers_libcarriers_a_SOURCES = \
	carriers/carrier.h carriers/carrier-int.h \
	carriers/carrier.c \
	carriers/carrier-set.c \
	carriers/carrier-load.c \
	carriers/carrier-rules.c \
	carriers/carrier-manifest.c carriers/carrier-manifest.h \
	carriers/carrier-track.c \
	carriers/carrier-autoclose.c \
	carriers/carrier-symbol.c
carriers_libcarriers_a_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
CARRIERS_LIBS = carriers/libcarriers.a $(LABELS_LIBS) $(COMMON_LIBS) $(JANSSON_LIBS)

# Carrier definitions (doc/carriers.md): read by the hub at start from
# $(pkgdatadir)/carriers unless DSP_CARRIER_PATH or carriers.path says otherwise.
carriersdir = $(pkgdatadir)/carriers
dist_carriers_DATA = data/carriers/dhl-express.conf data/carriers/dpd.conf data/carriers/fedex.conf \
	data/carriers/parcelforce.conf data/carriers/royal-mail.conf data/carriers/rules.conf \
	data/carriers/store-van.conf data/carriers/ups.conf \
	data/carriers/two-person.conf data/carriers/fine-art.conf data/carriers/london-sameday.conf \
	data/carriers/hanging-garment.conf
