/*
 * test-label-heap.c: drawing labels does not grow the heap. The hub draws
 * every label on one worker thread for as long as it runs
 * (hub/work/work-draw.c), so what a label leaves behind adds up over the day.
 *
 * - rounds of every carrier's label (tests/labels/shipments, ZPL and PDF at
 *   203 dpi, each drawn and read back as the draw worker does) on one thread:
 *   the heap in use after round 50 (1,150 labels) is within a bound of what
 *   it was after round 30 (690), once the first labels have filled the caches;
 * - threads that each draw a round and stop as the draw worker stops
 *   (label_shutdown): the third leaves the heap where the first did, so a
 *   thread's font map and its caches go with it.
 *
 * The heap is glibc's count of bytes handed out (mallinfo2, every arena),
 * read at the end of a round, when the same labels have been drawn as at the
 * end of the one before. Bounded: 50 rounds and 3 threads, and the rounds
 * stop early past 120 seconds.
 */
#include "config.h"
#include "tests/tap.h"
#include "labels/label.h"
#include "util.h"

#include <jansson.h>
#include <malloc.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/*
 * What a round draws. Every carrier with a shipment in tests/labels/shipments, as a thermal
 * label and as a PDF; FedEx's PDF is left out: its recipient is in Chinese, and cairo 1.16
 * keeps 768 bytes of every PDF that embeds a CJK face (its CFF subsetter; doc/security.md,
 * Valgrind), which over the rounds measured would take up the whole bound.
 */
static const struct test_heap_row {
	const char *carrier;
	enum label_format format;
} test_heap_rows[] = {
	{ "dhl-express", LABEL_FORMAT_ZPL }, { "dhl-express", LABEL_FORMAT_PDF },
	{ "dpd-uk", LABEL_FORMAT_ZPL }, { "dpd-uk", LABEL_FORMAT_PDF },
	{ "fedex", LABEL_FORMAT_ZPL },
	{ "fine-art", LABEL_FORMAT_ZPL }, { "fine-art", LABEL_FORMAT_PDF },
	{ "hanging-garment", LABEL_FORMAT_ZPL }, { "hanging-garment", LABEL_FORMAT_PDF },
	{ "london-sameday", LABEL_FORMAT_ZPL }, { "london-sameday", LABEL_FORMAT_PDF },
	{ "parcelforce", LABEL_FORMAT_ZPL }, { "parcelforce", LABEL_FORMAT_PDF },
	{ "royal-mail", LABEL_FORMAT_ZPL }, { "royal-mail", LABEL_FORMAT_PDF },
	{ "specialist", LABEL_FORMAT_ZPL }, { "specialist", LABEL_FORMAT_PDF },
	{ "store-van", LABEL_FORMAT_ZPL }, { "store-van", LABEL_FORMAT_PDF },
	{ "two-person", LABEL_FORMAT_ZPL }, { "two-person", LABEL_FORMAT_PDF },
	{ "ups", LABEL_FORMAT_ZPL }, { "ups", LABEL_FORMAT_PDF },
};
#define TEST_HEAP_NROWS (sizeof test_heap_rows / sizeof test_heap_rows[0])

#define TEST_HEAP_FIRST 30	/* rounds before the first reading: caches filled */
#define TEST_HEAP_LAST 50	/* the round of the second reading */
#define TEST_HEAP_THREADS 3
#define TEST_HEAP_SECONDS 120
/*
 * What the heap may grow by between the two readings: 16 KB, 35 bytes a label over the
 * 460 between them. The PDFs' caches (cairo's fonts and glyphs, pango's font sets, what
 * the read-back keeps) fill slowly over the first 700 labels or so, by some 25 KB
 * between labels 90 and 550, and then stay: 2 KB over the 1,800 after. A label that kept
 * a font description for each size it tried its text at keeps about 90 bytes; one that
 * kept its pango layout, over a kilobyte.
 */
#define TEST_HEAP_GROWTH (16 * 1024)
/* What a thread may leave behind: a thread's font map over every carrier is about 300 KB. */
#define TEST_HEAP_THREAD_GROWTH (64 * 1024)

/* A carrier's layout and shipment, loaded once per thread (a layout is one thread's). */
struct test_heap_carrier {
	const char *name;
	struct label_layout *layout;
	json_t *shipment;
};

struct test_heap_run {
	int rounds;		/* rounds to draw */
	int read_at[2];		/* rounds after which the heap is read (0: not) */
	size_t heap[2];
	int rounds_done;
	int labels;
	char *error;		/* the first failure, if any */
};

static size_t
test_heap_in_use (void)
{
	struct mallinfo2 m = mallinfo2 ();
	return m.uordblks + m.hblkhd;
}

/*
 * The heap once pango's own matching threads are done: each new font pattern sends two,
 * and each holds the font map until it ends (pango_fc_patterns_new), so a font map let
 * go while one runs is freed a little later. Read until two readings 50 ms apart agree,
 * for at most two seconds.
 */
static size_t
test_heap_settled (void)
{
	size_t last = test_heap_in_use ();
	for (int i = 0; i < 40; i++) {
		usleep (50 * 1000);
		size_t now = test_heap_in_use ();
		if (now == last)
			break;
		last = now;
	}
	return last;
}

static int
test_heap_load (struct test_heap_carrier *c, const char *name, char **cause)
{
	c->name = name;
	c->layout = label_layout_load (name, cause);
	if (c->layout == NULL)
		return -1;
	const char *top = getenv ("top_srcdir");
	char path[512];
	snprintf (path, sizeof path, "%s/tests/labels/shipments/%s.json", top ? top : ".", name);
	json_error_t jerr;
	c->shipment = json_load_file (path, 0, &jerr);
	if (c->shipment == NULL) {
		if (asprintf (cause, "%s: %s", path, jerr.text) < 0)
			abort ();
		return -1;
	}
	return 0;
}

/* Draw test_heap_rows' every row once, each read back as the draw worker does; 0, or -1 with *cause. */
static int
test_heap_round (struct test_heap_carrier *cs, size_t ncs, int *labels, char **cause)
{
	for (size_t i = 0; i < TEST_HEAP_NROWS; i++) {
		const struct test_heap_row *row = &test_heap_rows[i];
		struct test_heap_carrier *c = NULL;
		for (size_t k = 0; k < ncs && c == NULL; k++)
			if (strcmp (cs[k].name, row->carrier) == 0)
				c = &cs[k];
		struct label_options opt = { .format = row->format, .dpi = 203 };
		struct label_buf out = { 0 };
		char *why = NULL;
		int rc = label_render (c->layout, c->shipment, &opt, &out, &why);
		if (rc == 0)
			rc = label_verify (c->layout, c->shipment, &opt, &out, &why);
		free (out.data);
		if (rc != 0) {
			if (asprintf (cause, "%s (%s): %s", row->carrier, row->format == LABEL_FORMAT_PDF ? "pdf" : "zpl",
			    why ? why : "not drawn") < 0)
				abort ();
			free (why);
			return -1;
		}
		(*labels)++;
	}
	return 0;
}

/* A drawing thread: the carriers loaded, the rounds drawn, and stopped as work_draw_stop stops. */
static void *
test_heap_thread (void *arg)
{
	struct test_heap_run *run = arg;
	struct test_heap_carrier cs[TEST_HEAP_NROWS];
	size_t ncs = 0;
	memset (cs, 0, sizeof cs);
	for (size_t i = 0; i < TEST_HEAP_NROWS && run->error == NULL; i++) {
		bool have = false;
		for (size_t k = 0; k < ncs; k++)
			have = have || strcmp (cs[k].name, test_heap_rows[i].carrier) == 0;
		if (!have && test_heap_load (&cs[ncs++], test_heap_rows[i].carrier, &run->error) != 0)
			break;
	}
	int64_t t0 = util_mono_ms ();
	while (run->error == NULL && run->rounds_done < run->rounds) {
		if (util_mono_ms () - t0 > TEST_HEAP_SECONDS * 1000) {
			if (asprintf (&run->error, "%d rounds took over %d s", run->rounds_done, TEST_HEAP_SECONDS) < 0)
				abort ();
			break;
		}
		if (test_heap_round (cs, ncs, &run->labels, &run->error) != 0)
			break;
		run->rounds_done++;
		for (int k = 0; k < 2; k++)
			if (run->read_at[k] == run->rounds_done)
				run->heap[k] = test_heap_settled ();
	}
	for (size_t k = 0; k < ncs; k++) {
		label_layout_destroy (&cs[k].layout);
		json_decref (cs[k].shipment);
	}
	label_shutdown ();
	return NULL;
}

static void
test_heap_start (struct test_heap_run *run)
{
	pthread_t t;
	if (pthread_create (&t, NULL, test_heap_thread, run) != 0)
		abort ();
	pthread_join (t, NULL);
}

static void
test_heap_rounds (void)
{
	struct test_heap_run run = { .rounds = TEST_HEAP_LAST, .read_at = { TEST_HEAP_FIRST, TEST_HEAP_LAST } };
	test_heap_start (&run);
	if (!ok (run.error == NULL && run.rounds_done == TEST_HEAP_LAST, "%d rounds of %zu labels drawn and read back",
	    run.rounds_done, TEST_HEAP_NROWS))
		diag ("%s", run.error ? run.error : "stopped early");
	long long growth = (long long) run.heap[1] - (long long) run.heap[0];
	diag ("heap in use after %d labels: %zu bytes; after %d: %zu bytes (%+lld)", TEST_HEAP_FIRST * (int) TEST_HEAP_NROWS,
	    run.heap[0], TEST_HEAP_LAST * (int) TEST_HEAP_NROWS, run.heap[1], growth);
	ok (run.error == NULL && growth <= TEST_HEAP_GROWTH, "the heap grew by %lld bytes over %d labels (at most %d)", growth,
	    (TEST_HEAP_LAST - TEST_HEAP_FIRST) * (int) TEST_HEAP_NROWS, TEST_HEAP_GROWTH);
	free (run.error);
}

static void
test_heap_threads (void)
{
	size_t after[TEST_HEAP_THREADS];
	bool drawn = true;
	for (int i = 0; i < TEST_HEAP_THREADS; i++) {
		struct test_heap_run run = { .rounds = 1 };
		test_heap_start (&run);
		if (run.error) {
			diag ("thread %d: %s", i + 1, run.error);
			free (run.error);
			drawn = false;
		}
		after[i] = test_heap_settled ();
		diag ("heap in use after thread %d stopped: %zu bytes", i + 1, after[i]);
	}
	long long growth = (long long) after[TEST_HEAP_THREADS - 1] - (long long) after[0];
	ok (drawn && growth <= TEST_HEAP_THREAD_GROWTH,
	    "%d threads drew a round each and stopped; the last left %+lld bytes more than the first (at most %d)",
	    TEST_HEAP_THREADS, growth, TEST_HEAP_THREAD_GROWTH);
}

int
main (void)
{
	test_heap_rounds ();
	test_heap_threads ();
	return tap_done ();
}
