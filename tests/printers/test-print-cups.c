/*
 * test-print-cups.c: the printing library against a real private cupsd
 * and fake AppSocket printers: bytes arrive intact, job state is followed
 * to the end, an offline printer is reported and its label kept and
 * printed exactly once when it is back, a stopped queue is reported,
 * redirect, reprint and cancel; a job is found again by its identity in
 * every state, also once CUPS has unloaded it, and a job CUPS has forgotten
 * is never taken for one that was not sent.
 */
#include "config.h"
#include "printers/print.h"
#include "tests/tap.h"
#include "tests/printers/print-test.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static print_t *p;

/* Poll until the job is final; its last state. */
static enum print_job_state
test_print_cups_wait_final (int job, print_job_t *j)
{
	memset (j, 0, sizeof *j);
	for (int i = 0; i < PRINT_TEST_WAIT_STEPS; i++) {
		if (print_poll (p, job, j, NULL) == 0 && print_job_state_final (j->state))
			break;
		usleep (50 * 1000);
	}
	return j->state;
}

/* Poll until the job's printer shows health; false if it never does. */
static bool
test_print_cups_wait_health (int job, enum print_health health, print_job_t *j)
{
	for (int i = 0; i < PRINT_TEST_WAIT_STEPS; i++) {
		if (print_poll (p, job, j, NULL) == 0 && j->printer.health == health)
			return true;
		usleep (50 * 1000);
	}
	return false;
}

/* A call that must have failed with a message containing want; frees the message. */
static void
test_print_cups_refused (bool failed, char **cause, const char *want, const char *what)
{
	ok (failed && *cause && strstr (*cause, want), "%s: %s", what, *cause ? *cause : "(no message)");
	free (*cause);
	*cause = NULL;
}

/* A call that must have worked; frees any message. */
static void
test_print_cups_done (bool done, char **cause, const char *what)
{
	ok (done, "%s%s%s", what, *cause ? ": " : "", *cause ? *cause : "");
	free (*cause);
	*cause = NULL;
}

static bool
test_print_cups_same (const char *queue, int n, const char *ext, const char *want, size_t want_len)
{
	size_t len = 0;
	char *got = print_test_read (queue, n, ext, &len);
	bool same = got && len == want_len && memcmp (got, want, len) == 0;
	if (!same)
		diag ("%s job %d: %zu bytes, want %zu", queue, n, got ? len : 0, want_len);
	free (got);
	return same;
}

/*
 * A label with every byte value in it, so that nothing is filtered or
 * re-encoded: UTF-8 text after ^CI28 and a binary ^GFB graphic of all 256
 * bytes, both of which a Zebra printer takes.
 */
static char *
test_print_cups_label (const char *parcel, size_t *len)
{
	char head[256];
	int h = snprintf (head, sizeof head, "^XA^CI28^FO50,50^A0N,40,40^FD%s Zoë Łódź Ελλάδα 東京 ^FS"
	    "^FO50,120^GFB,256,256,16,", parcel);
	static const char foot[] = "^FS^XZ\n";
	*len = (size_t) h + 256 + sizeof foot - 1;
	char *buf = malloc (*len);
	memcpy (buf, head, (size_t) h);
	for (int i = 0; i < 256; i++)
		buf[h + i] = (char) i;
	memcpy (buf + h + 256, foot, sizeof foot - 1);
	return buf;
}

/* A small whole PDF: header, one empty page, cross-reference, startxref and %%EOF. */
static char *
test_print_cups_pdf (size_t *len)
{
	static const char body[] = "%PDF-1.4\n"
	                           "1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
	                           "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
	                           "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n";
	size_t xref = sizeof body - 1;
	char *pdf = xasprintf ("%sxref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n"
	    "0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\nstartxref\n%zu\n%%%%EOF\n", body, xref);
	*len = strlen (pdf);
	return pdf;
}

static void
test_print_cups_basics (void)
{
	print_queue_t *qs = NULL;
	size_t n = 0;
	char *cause = NULL;
	int rc = print_queues (p, &qs, &n, &cause);
	test_print_cups_done (rc == 0, &cause, "list queues");
	is_int (n, 3, "three queues: label, fallback, docs");
	int seen = 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp (qs[i].name, "label") == 0 && qs[i].state == PRINT_QUEUE_IDLE && qs[i].accepting
		    && qs[i].health == PRINT_OK)
			seen++;
	ok (seen == 1, "label queue is idle, accepting, healthy");
	free (qs);

	print_queue_t q;
	rc = print_queue (p, "nope", &q, &cause);
	test_print_cups_refused (rc != 0, &cause, "no printer queue 'nope'", "unknown queue");
	rc = print_submit (p, "nope", PRINT_FORMAT_ZPL, "x", "^XA^XZ", 6, &cause);
	test_print_cups_refused (rc < 0, &cause, "no printer queue 'nope'", "submit to an unknown queue");
	rc = print_submit (p, "label", PRINT_FORMAT_ZPL, "x", "", 0, &cause);
	test_print_cups_refused (rc < 0, &cause, "empty", "empty document");
	rc = print_submit (p, "bad/name", PRINT_FORMAT_ZPL, "x", "^XA^XZ", 6, &cause);
	test_print_cups_refused (rc < 0, &cause, "not a printer queue name", "bad queue name");
	print_job_t j;
	rc = print_poll (p, 987654, &j, &cause);
	test_print_cups_refused (rc != 0, &cause, "no job 987654", "unknown job");
	print_t *bad = print_new ("/nonexistent/cups.sock", &cause);
	test_print_cups_refused (bad == NULL, &cause, "cannot reach the CUPS server", "unreachable server");
	bad = print_new ("localhost:notaport", &cause);
	test_print_cups_refused (bad == NULL, &cause, "not a CUPS server", "bad server name");
	print_destroy (&bad);
}

static void
test_print_cups_bytes (void)
{
	size_t len;
	char *label = test_print_cups_label ("PARCEL-0001", &len);
	char *cause = NULL;
	int job = print_submit (p, "label", PRINT_FORMAT_ZPL, "parcel PARCEL-0001", label, len, &cause);
	test_print_cups_done (job > 0, &cause, "submit a label");
	print_job_t j;
	is_int (test_print_cups_wait_final (job, &j), PRINT_JOB_COMPLETED, "label job followed to completed");
	is_str (j.title, "parcel PARCEL-0001", "job title names the parcel");
	is_str (j.queue, "label", "job is on the label queue");
	ok (print_test_wait_count ("label", 1), "the fake printer received it");
	ok (test_print_cups_same ("label", 1, "zpl", label, len), "byte-for-byte the same label");

	size_t pdf_len;
	char *pdf = test_print_cups_pdf (&pdf_len);
	job = print_submit (p, "docs", PRINT_FORMAT_PDF, "customs PARCEL-0001", pdf, pdf_len, &cause);
	test_print_cups_done (job > 0, &cause, "submit a PDF");
	is_int (test_print_cups_wait_final (job, &j), PRINT_JOB_COMPLETED, "PDF job completed");
	ok (print_test_wait_count ("docs", 1) && test_print_cups_same ("docs", 1, "pdf", pdf, pdf_len),
	    "PDF arrives byte-for-byte as a .pdf file");
	free (pdf);

	print_job_t *js = NULL;
	size_t n = 0;
	int found = 0;
	int rc = print_jobs (p, NULL, true, &js, &n, &cause);
	test_print_cups_done (rc == 0, &cause, "list all jobs");
	for (size_t i = 0; i < n; i++)
		if (js[i].id == job || (strcmp (js[i].title, "parcel PARCEL-0001") == 0 && js[i].state == PRINT_JOB_COMPLETED))
			found++;
	ok (found == 2, "the label and PDF jobs are in the list");
	free (js);
	free (label);
}

static void
test_print_cups_offline (void)
{
	size_t len;
	char *label = test_print_cups_label ("PARCEL-0002", &len);
	int before = print_test_count ("label");
	ok (print_test_printer ("label", false), "switch the label printer off");
	int job = print_submit (p, "label", PRINT_FORMAT_ZPL, "parcel PARCEL-0002", label, len, NULL);
	ok (job > 0, "a label is accepted while the printer is off");
	print_job_t j;
	bool offline = test_print_cups_wait_health (job, PRINT_OFFLINE, &j);
	ok (offline, "the printer is reported offline (reasons %s, message \"%s\")", j.printer.reasons, j.printer.message);
	ok (!print_job_state_final (j.state), "the job is kept (%s)", print_job_state_name (j.state));
	is_int (print_test_count ("label"), before, "nothing arrived");
	ok (print_test_printer ("label", true), "switch the label printer on");
	is_int (test_print_cups_wait_final (job, &j), PRINT_JOB_COMPLETED, "the kept job completes");
	ok (print_test_wait_count ("label", before + 1), "it arrived");
	ok (test_print_cups_same ("label", before + 1, "zpl", label, len), "byte-for-byte");
	/* Exactly once: a later job is the very next file, and the last. */
	int next = print_submit (p, "label", PRINT_FORMAT_ZPL, "parcel PARCEL-0003", "^XA^FDnext^FS^XZ\n", 17, NULL);
	is_int (test_print_cups_wait_final (next, &j), PRINT_JOB_COMPLETED, "a later label completes");
	ok (print_test_wait_count ("label", before + 2)
	    && test_print_cups_same ("label", before + 2, "zpl", "^XA^FDnext^FS^XZ\n", 17)
	    && print_test_count ("label") == before + 2, "the kept label arrived exactly once");
	free (label);
}

static void
test_print_cups_stopped (void)
{
	int before = print_test_count ("label");
	char *cause = NULL;
	ok (print_test_cups_tool ("cupsdisable", "label"), "stop the label queue");
	print_queue_t q;
	int rc = print_queue (p, "label", &q, NULL);
	ok (rc == 0 && q.health == PRINT_STOPPED && q.state == PRINT_QUEUE_STOPPED,
	    "a stopped queue is reported (%s)", print_health_name (q.health));
	int job = print_submit (p, "label", PRINT_FORMAT_ZPL, "parcel PARCEL-0004", "^XA^FDstopped^FS^XZ\n", 20, &cause);
	test_print_cups_done (job > 0, &cause, "a stopped queue still takes the job");
	print_job_t j;
	rc = print_poll (p, job, &j, NULL);
	ok (rc == 0 && j.state == PRINT_JOB_PENDING && j.printer.health == PRINT_STOPPED,
	    "the job waits, its printer is reported stopped (%s, %s)", print_job_state_name (j.state),
	    print_health_name (j.printer.health));
	rc = print_resume (p, "label", &cause);
	test_print_cups_done (rc == 0, &cause, "resume the queue");
	is_int (test_print_cups_wait_final (job, &j), PRINT_JOB_COMPLETED, "the job prints after resume");
	ok (print_test_wait_count ("label", before + 1), "it arrived");

	ok (print_test_cups_tool ("cupsreject", "label"), "make the label queue reject jobs");
	rc = print_queue (p, "label", &q, NULL);
	ok (rc == 0 && q.health == PRINT_REJECTING, "a rejecting queue is reported (%s)", print_health_name (q.health));
	rc = print_submit (p, "label", PRINT_FORMAT_ZPL, "x", "^XA^XZ", 6, &cause);
	test_print_cups_refused (rc < 0, &cause, "not accepting jobs", "submit to a rejecting queue");
	rc = print_resume (p, "label", &cause);
	test_print_cups_done (rc == 0, &cause, "resume");
	rc = print_queue (p, "label", &q, NULL);
	ok (rc == 0 && q.accepting && q.health == PRINT_OK, "it accepts again");
}

static void
test_print_cups_redirect_reprint_cancel (void)
{
	size_t len;
	char *label = test_print_cups_label ("PARCEL-0005", &len);
	int label_before = print_test_count ("label"), fallback_before = print_test_count ("fallback");
	print_job_t j;
	char *cause = NULL;

	/* Redirect: the bench printer is off, the job goes to the group's fallback. */
	ok (print_test_printer ("label", false), "label printer off");
	int job = print_submit (p, "label", PRINT_FORMAT_ZPL, "parcel PARCEL-0005", label, len, NULL);
	ok (test_print_cups_wait_health (job, PRINT_OFFLINE, &j), "offline reported");
	int rc = print_move (p, job, "fallback", &cause);
	test_print_cups_done (rc == 0, &cause, "redirect to the fallback printer");
	is_int (test_print_cups_wait_final (job, &j), PRINT_JOB_COMPLETED, "the redirected job completes");
	is_str (j.queue, "fallback", "on the fallback queue");
	ok (print_test_wait_count ("fallback", fallback_before + 1)
	    && test_print_cups_same ("fallback", fallback_before + 1, "zpl", label, len),
	    "the fallback printer received the label byte-for-byte");
	rc = print_move (p, job, "nope", &cause);
	test_print_cups_refused (rc != 0, &cause, "no printer queue", "redirect to an unknown queue");
	rc = print_move (p, job, "label", &cause);
	test_print_cups_refused (rc != 0, &cause, "already finished", "redirect a finished job");

	/* Reprint: asked for, so the same label prints again. */
	int again = print_submit (p, "fallback", PRINT_FORMAT_ZPL, "parcel PARCEL-0005 reprint", label, len, NULL);
	is_int (test_print_cups_wait_final (again, &j), PRINT_JOB_COMPLETED, "a reprint completes");
	ok (print_test_wait_count ("fallback", fallback_before + 2)
	    && test_print_cups_same ("fallback", fallback_before + 2, "zpl", label, len), "and arrives, identical");

	/* Cancel: a kept job a supervisor cancels never prints. */
	int doomed = print_submit (p, "label", PRINT_FORMAT_ZPL, "parcel PARCEL-0006", "^XA^FDcancel me^FS^XZ\n", 22, NULL);
	ok (test_print_cups_wait_health (doomed, PRINT_OFFLINE, &j), "offline again");
	rc = print_cancel (p, doomed, &cause);
	test_print_cups_done (rc == 0, &cause, "cancel the kept job");
	is_int (test_print_cups_wait_final (doomed, &j), PRINT_JOB_CANCELLED, "it is cancelled");
	rc = print_cancel (p, doomed, &cause);
	test_print_cups_refused (rc != 0, &cause, "already finished (cancelled)", "cancel it again");
	rc = print_cancel (p, 987654, &cause);
	test_print_cups_refused (rc != 0, &cause, "no job 987654", "cancel an unknown job");
	ok (print_test_printer ("label", true), "label printer on");
	int marker = print_submit (p, "label", PRINT_FORMAT_ZPL, "marker", "^XA^FDmarker^FS^XZ\n", 19, NULL);
	is_int (test_print_cups_wait_final (marker, &j), PRINT_JOB_COMPLETED, "a later job prints");
	ok (print_test_wait_count ("label", label_before + 1)
	    && test_print_cups_same ("label", label_before + 1, "zpl", "^XA^FDmarker^FS^XZ\n", 19)
	    && print_test_count ("label") == label_before + 1,
	    "neither the redirected nor the cancelled job printed on the bench printer");
	free (label);
}

/* print_find's answer for ident, with the job it found in *j. */
static int
test_print_cups_find_one (const char *ident, int64_t since, print_job_t *j)
{
	char *cause = NULL;
	memset (j, 0, sizeof *j);
	int rc = print_find (p, ident, since, j, &cause);
	if (cause)
		diag ("find %s: %s: %s", ident, print_found_name ((enum print_found) rc), cause);
	free (cause);
	return rc;
}

/* Submit a small label named "IDENT what"; its job id. */
static int
test_print_cups_named (const char *queue, const char *ident, const char *what)
{
	char title[PRINT_TEXT_MAX], zpl[128];
	snprintf (title, sizeof title, "%s %s", ident, what);
	int n = snprintf (zpl, sizeof zpl, "^XA^FO40,40^A0N,30,30^FD%s^FS^XZ\n", what);
	char *cause = NULL;
	int job = print_submit (p, queue, PRINT_FORMAT_ZPL, title, zpl, (size_t) n, &cause);
	if (job < 0)
		diag ("submit %s: %s", title, cause);
	free (cause);
	return job;
}

/*
 * Wait until CUPS's job list (Get-Jobs, which does not make CUPS load a
 * finished job) shows job in state, and with no name if blank (CUPS drops
 * a finished job's attributes from memory soon after it ends, unless
 * someone asks for them); its listed title in title.
 */
static bool
test_print_cups_wait_listed (int job, enum print_job_state state, bool blank, char *title, size_t n)
{
	for (int i = 0; i < PRINT_TEST_WAIT_STEPS; i++) {
		print_job_t *js = NULL;
		size_t count = 0;
		bool seen = false;
		if (print_jobs (p, NULL, true, &js, &count, NULL) == 0)
			for (size_t k = 0; k < count; k++)
				if (js[k].id == job && js[k].state == state && (!blank || js[k].title[0] == '\0')) {
					snprintf (title, n, "%s", js[k].title);
					seen = true;
				}
		free (js);
		if (seen)
			return true;
		usleep (50 * 1000);
	}
	return false;
}

/*
 * A job is found by its identity in every state, also when CUPS's own job
 * list gives a finished job's name as empty (a finished job nobody has
 * asked about, as after a crash); a name never sent is absent; a job CUPS
 * has forgotten makes the answer "forgotten", never "absent".
 */
static void
test_print_cups_find (int64_t since)
{
	char done[PRINT_IDENT_MAX], cancelled[PRINT_IDENT_MAX], held[PRINT_IDENT_MAX], pending[PRINT_IDENT_MAX];
	char never[PRINT_IDENT_MAX], prefix[PRINT_IDENT_MAX], lost[PRINT_IDENT_MAX], listed[PRINT_TEXT_MAX];
	char *cause = NULL;
	int rc = print_job_ident (done, "hub-7f3a", 1001, &cause);
	test_print_cups_done (rc == 0 && strcmp (done, "dsp:hub-7f3a:1001") == 0, &cause, "an identity: dsp:hub-7f3a:1001");
	print_job_ident (cancelled, "hub-7f3a", 1002, NULL);
	print_job_ident (held, "hub-7f3a", 1003, NULL);
	print_job_ident (pending, "hub-7f3a", 1004, NULL);
	print_job_ident (prefix, "hub-7f3a", 100, NULL);
	print_job_ident (lost, "hub-7f3a", 1007, NULL);
	rc = print_job_ident (never, "bad name", 1, &cause);
	test_print_cups_refused (rc != 0, &cause, "not an instance name", "an instance name with a space");
	rc = print_job_ident (never, "hub-7f3a", 0, &cause);
	test_print_cups_refused (rc != 0, &cause, "not a job number", "job number 0");
	print_job_ident (never, "hub-7f3a", 1005, NULL);
	print_job_t j;
	rc = print_find (p, "two words", since, &j, &cause);
	test_print_cups_refused (rc == PRINT_FIND_FAILED, &cause, "not a print job identity", "find with a bad identity");

	/* Completed, and never asked about. */
	int before = print_test_count ("label");
	int done_job = test_print_cups_named ("label", done, "label T1000002/1");
	ok (print_test_wait_count ("label", before + 1), "a named label prints");
	ok (test_print_cups_wait_listed (done_job, PRINT_JOB_COMPLETED, true, listed, sizeof listed),
	    "CUPS lists it completed, and Get-Jobs gives its name as empty");
	/* Processing, then cancelled: kept while the printer is off. */
	ok (print_test_printer ("label", false), "label printer off");
	int cancelled_job = test_print_cups_named ("label", cancelled, "label T1000003/1");
	ok (test_print_cups_wait_listed (cancelled_job, PRINT_JOB_PROCESSING, false, listed, sizeof listed),
	    "its job waits for the printer");
	is_int (test_print_cups_find_one (cancelled, since, &j), PRINT_FIND_FOUND, "found while processing");
	ok (j.id == cancelled_job && j.state == PRINT_JOB_PROCESSING, "job %d, processing (%s)", cancelled_job,
	    print_job_state_name (j.state));
	ok (print_cancel (p, cancelled_job, NULL) == 0, "cancel it");
	ok (test_print_cups_wait_listed (cancelled_job, PRINT_JOB_CANCELLED, true, listed, sizeof listed),
	    "it is cancelled, and listed without its name");
	ok (print_test_printer ("label", true), "label printer on");
	/* Held, as lp -H sends it. */
	ok (print_test_shell ("printf '^XA^FDheld^FS^XZ\\n' > \"$PRINT_TEST_DIR/held.zpl\" && "
	                      "lp -h \"$PRINT_TEST_SOCK\" -d label -H indefinite -t 'dsp:hub-7f3a:1003 held label' "
	                      "\"$PRINT_TEST_DIR/held.zpl\" >/dev/null"), "a held job (lp -H indefinite)");
	/* Pending, on a stopped queue. */
	ok (print_test_cups_tool ("cupsdisable", "fallback"), "stop the fallback queue");
	int pending_job = test_print_cups_named ("fallback", pending, "label T1000004/1");
	ok (pending_job > 0, "a job waits on the stopped queue");

	is_int (test_print_cups_find_one (done, since, &j), PRINT_FIND_FOUND, "the completed job is found by name");
	ok (j.id == done_job && j.state == PRINT_JOB_COMPLETED && strcmp (j.queue, "label") == 0
	    && strcmp (j.title, "dsp:hub-7f3a:1001 label T1000002/1") == 0,
	    "job %d, completed, on label, its whole title (%d %s %s '%s')", done_job, j.id,
	    print_job_state_name (j.state), j.queue, j.title);
	is_int (test_print_cups_find_one (cancelled, since, &j), PRINT_FIND_FOUND, "the cancelled job is found");
	ok (j.id == cancelled_job && j.state == PRINT_JOB_CANCELLED, "job %d, cancelled (%s)", cancelled_job,
	    print_job_state_name (j.state));
	is_int (test_print_cups_find_one (held, since, &j), PRINT_FIND_FOUND, "the held job is found");
	ok (j.state == PRINT_JOB_HELD && strcmp (j.title, "dsp:hub-7f3a:1003 held label") == 0, "held (%s, '%s')",
	    print_job_state_name (j.state), j.title);
	is_int (test_print_cups_find_one (pending, since, &j), PRINT_FIND_FOUND, "the pending job is found");
	ok (j.id == pending_job && j.state == PRINT_JOB_PENDING, "job %d, pending (%s)", pending_job,
	    print_job_state_name (j.state));
	is_int (test_print_cups_find_one (never, since, &j), PRINT_FIND_ABSENT, "a name never sent is absent");
	is_int (test_print_cups_find_one (prefix, since, &j), PRINT_FIND_ABSENT,
	    "dsp:hub-7f3a:100 is not dsp:hub-7f3a:1001 (the identity is a whole word)");
	is_int (test_print_cups_find_one (never, (int64_t) time (NULL) + 3600, &j), PRINT_FIND_ABSENT,
	    "absent also when since is later than every job");
	ok (print_test_script ("restart"), "restart cupsd: its history is kept");
	is_int (test_print_cups_find_one (done, since, &j), PRINT_FIND_FOUND, "the completed job is found after it");
	ok (print_resume (p, "fallback", NULL) == 0, "resume the fallback queue");
	is_int (test_print_cups_wait_final (pending_job, &j), PRINT_JOB_COMPLETED, "the pending job prints");

	/* A queue without despatch-format takes nothing until it is marked. */
	char *add = xasprintf ("lpadmin -h \"$PRINT_TEST_SOCK\" -p spare -E -v socket://127.0.0.1:%d 2>/dev/null",
	    print_test_port ("fallback"));
	ok (print_test_shell (add), "a new queue 'spare', unmarked");
	free (add);
	print_queue_t q;
	ok (print_queue (p, "spare", &q, NULL) == 0 && q.format == -1, "it says no format (%d)", q.format);
	rc = print_submit (p, "spare", PRINT_FORMAT_ZPL, "x", "^XA^XZ\n", 7, &cause);
	test_print_cups_refused (rc < 0, &cause, "despatch-print format spare zpl", "a label for it is refused, saying how to mark it");
	rc = print_set_format (p, "spare", PRINT_FORMAT_ZPL, &cause);
	test_print_cups_done (rc == 0, &cause, "mark it zpl");
	ok (print_queue (p, "spare", &q, NULL) == 0 && q.format == PRINT_FORMAT_ZPL, "it says zpl");

	/* A job CUPS has forgotten: its queue is deleted, which takes its history along. */
	int lost_job = test_print_cups_named ("spare", lost, "label T1000007/1");
	is_int (test_print_cups_wait_final (lost_job, &j), PRINT_JOB_COMPLETED, "a label on 'spare' completes");
	int after = test_print_cups_named ("label", prefix, "label T1000008/1");
	is_int (test_print_cups_wait_final (after, &j), PRINT_JOB_COMPLETED, "and a later one on label");
	ok (print_test_shell ("lpadmin -h \"$PRINT_TEST_SOCK\" -x spare"), "delete queue 'spare'");
	rc = print_poll (p, lost_job, &j, &cause);
	test_print_cups_refused (rc != 0, &cause, "no job", "CUPS no longer knows the job");
	rc = print_find (p, lost, since, &j, &cause);
	ok (rc == PRINT_FIND_FORGOTTEN && cause && strstr (cause, "check the printer's output"),
	    "the forgotten job is 'forgotten', not 'absent': %s", cause ? cause : "");
	free (cause);
	cause = NULL;
	is_int (test_print_cups_find_one (never, since, &j), PRINT_FIND_FORGOTTEN,
	    "so is a name never sent: CUPS cannot vouch for that range");
	is_int (test_print_cups_find_one (never, (int64_t) time (NULL) + 3600, &j), PRINT_FIND_ABSENT,
	    "but absent when since is after the hole");
	is_int (test_print_cups_find_one (done, since, &j), PRINT_FIND_FOUND, "a job before the hole is still found");
	print_test_shell ("cancel -h \"$PRINT_TEST_SOCK\" -a >/dev/null 2>&1");
}

/*
 * A queue whose policy wants the job's owner authenticated to cancel or
 * move a job (as CUPS's default policy does): on the local socket the
 * library answers CUPS's 401 with the peer's credentials and goes on; over
 * TCP there is no password to give, and it says so instead of asking.
 */
static void
test_print_cups_auth (void)
{
	char *cause = NULL;
	ok (print_test_shell ("lpadmin -h \"$PRINT_TEST_SOCK\" -p label -o printer-op-policy=authenticated"),
	    "the label queue wants its job's owner, authenticated, to cancel or move a job");
	print_t *tcp = print_new (print_test_self.host, &cause);
	test_print_cups_done (tcp != NULL, &cause, "a second connection, over TCP");
	if (tcp == NULL)
		return;
	int fallback_before = print_test_count ("fallback");
	ok (print_test_printer ("label", false), "label printer off");
	print_job_t j;
	int a = print_submit (p, "label", PRINT_FORMAT_ZPL, "dsp:auth:1 label", "^XA^FDa^FS^XZ\n", 14, NULL);
	int b = print_submit (tcp, "label", PRINT_FORMAT_ZPL, "dsp:auth:2 label", "^XA^FDb^FS^XZ\n", 14, NULL);
	ok (a > 0 && b > 0 && test_print_cups_wait_health (b, PRINT_OFFLINE, &j), "two jobs wait for the printer");
	int rc = print_cancel (p, a, &cause);
	test_print_cups_done (rc == 0, &cause, "cancel on the local socket: authenticated by the peer's credentials");
	is_int (test_print_cups_wait_final (a, &j), PRINT_JOB_CANCELLED, "it is cancelled");
	rc = print_cancel (tcp, b, &cause);
	test_print_cups_refused (rc != 0, &cause, "without a password", "cancel over TCP: no password to give, and it says so");
	rc = print_poll (tcp, b, &j, &cause);
	test_print_cups_done (rc == 0 && j.state == PRINT_JOB_PROCESSING, &cause, "the job is still there, and the connection still works");
	rc = print_move (p, b, "fallback", &cause);
	test_print_cups_done (rc == 0, &cause, "move it on the local socket");
	is_int (test_print_cups_wait_final (b, &j), PRINT_JOB_COMPLETED, "it prints on the fallback");
	ok (print_test_wait_count ("fallback", fallback_before + 1), "and arrives there");
	ok (print_test_printer ("label", true), "label printer on");
	ok (print_test_shell ("lpadmin -h \"$PRINT_TEST_SOCK\" -p label -o printer-op-policy=default"), "back to the default policy");
	print_destroy (&tcp);
}

/* A title longer than IPP allows is cut, not refused; a restarted cupsd is reconnected. */
static void
test_print_cups_long_title_and_restart (void)
{
	char title[400];
	memset (title, 'x', sizeof title - 3);
	memcpy (title + 254, "\xc3\xa9", 2); /* an e-acute across the 255-octet limit */
	title[sizeof title - 1] = '\0';
	char *cause = NULL;
	int job = print_submit (p, "label", PRINT_FORMAT_ZPL, title, "^XA^XZ\n", 7, &cause);
	test_print_cups_done (job > 0, &cause, "a 399-octet title is accepted");
	print_job_t j;
	int rc = print_poll (p, job, &j, &cause);
	test_print_cups_done (rc == 0 && strlen (j.title) == 254, &cause, "cut to 254 octets, before the split character");

	ok (print_test_script ("stop"), "stop the private cupsd");
	print_queue_t q;
	rc = print_queue (p, "label", &q, &cause);
	test_print_cups_refused (rc != 0, &cause, "cannot reach the CUPS server", "a server that is gone");
	ok (print_test_script ("start"), "start it again");
	rc = print_queue (p, "label", &q, &cause);
	test_print_cups_done (rc == 0 && q.health == PRINT_OK, &cause, "the same connection works again");
}

int
main (void)
{
	int64_t since = (int64_t) time (NULL) - 2;
	if (!print_test_start ()) {
		printf ("1..0 # SKIP cannot start a private cupsd (is cups-daemon installed?)\n");
		return 0;
	}
	char *cause = NULL;
	p = print_new (print_test_self.socket, &cause);
	test_print_cups_done (p != NULL, &cause, "connect to the private cupsd on its socket");
	if (p == NULL)
		return tap_done ();
	print_t *tcp = print_new (print_test_self.host, &cause);
	test_print_cups_done (tcp != NULL, &cause, "connect over loopback TCP too");
	print_destroy (&tcp);
	ok (tcp == NULL, "destroy nulls the pointer");

	test_print_cups_basics ();
	test_print_cups_bytes ();
	test_print_cups_offline ();
	test_print_cups_stopped ();
	test_print_cups_redirect_reprint_cancel ();
	test_print_cups_find (since);
	test_print_cups_auth ();
	test_print_cups_long_title_and_restart ();
	print_destroy (&p);
	return tap_done ();
}
