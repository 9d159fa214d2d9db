/*
 * test-print-cups.c: the printing library against a real private cupsd
 * and fake AppSocket printers: bytes arrive intact, job state is followed
 * to the end, an offline printer is reported and its label kept and
 * printed exactly once when it is back, a stopped queue is reported,
 * redirect, reprint and cancel.
 */
#include "config.h"
#include "printers/print.h"
#include "tests/tap.h"
#include "tests/printers/print-test.h"

#include <stdlib.h>
#include <string.h>
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

/* A label with every byte value in it, so that nothing is filtered or re-encoded. */
static char *
test_print_cups_label (const char *parcel, size_t *len)
{
	char head[128];
	int h = snprintf (head, sizeof head, "^XA^FO50,50^A0N,40,40^FD%s^FS^FX", parcel);
	*len = (size_t) h + 256 + 4;
	char *buf = malloc (*len);
	memcpy (buf, head, (size_t) h);
	for (int i = 0; i < 256; i++)
		buf[h + i] = (char) i;
	memcpy (buf + h + 256, "^XZ\n", 4);
	return buf;
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

	static const char pdf[] = "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
	                          "2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";
	job = print_submit (p, "docs", PRINT_FORMAT_PDF, "customs PARCEL-0001", pdf, sizeof pdf - 1, &cause);
	test_print_cups_done (job > 0, &cause, "submit a PDF");
	is_int (test_print_cups_wait_final (job, &j), PRINT_JOB_COMPLETED, "PDF job completed");
	ok (print_test_wait_count ("docs", 1) && test_print_cups_same ("docs", 1, "pdf", pdf, sizeof pdf - 1),
	    "PDF arrives byte-for-byte as a .pdf file");

	print_job_t *js = NULL;
	size_t n = 0;
	int found = 0;
	int rc = print_jobs (p, NULL, true, &js, &n, &cause);
	test_print_cups_done (rc == 0, &cause, "list all jobs");
	for (size_t i = 0; i < n; i++)
		if (strcmp (js[i].title, "parcel PARCEL-0001") == 0 && js[i].state == PRINT_JOB_COMPLETED)
			found++;
	ok (found == 1, "the label job is found again by its title");
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
	test_print_cups_refused (rc != 0, &cause, "did not answer", "a server that is gone");
	ok (print_test_script ("start"), "start it again");
	rc = print_queue (p, "label", &q, &cause);
	test_print_cups_done (rc == 0 && q.health == PRINT_OK, &cause, "the same connection works again");
}

int
main (void)
{
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
	test_print_cups_long_title_and_restart ();
	print_destroy (&p);
	return tap_done ();
}
