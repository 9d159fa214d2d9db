/*
 * print-bench.c: figures for bench/printers.sh, through the same library
 * the hub uses.
 *
 *   print-bench submit SERVER QUEUE JOBS FILE
 *       submit JOBS copies of FILE as fast as one connection allows;
 *       prints "jobs_per_s N"
 *   print-bench latency SERVER QUEUE JOBS FILE OUTDIR
 *       one job at a time: time from print_submit to the job's file
 *       appearing complete in OUTDIR (the fake printer links it into place
 *       when the connection closes, after the last byte); prints
 *       "latency_ms N" per job
 *   print-bench stall SERVER QUEUE ROUNDS FILE TIMEOUT_MS
 *       against a server that does not answer (the caller stops cupsd
 *       first): how long print_submit, print_poll and print_queue take to
 *       give up; prints "stall_ms CALL N" per call and round
 *   print-bench find SERVER QUEUE JOBS FILE
 *       sends JOBS labels named dsp:bench-find:1..JOBS and waits until
 *       CUPS has unloaded them, then: print_poll of one job ("poll_ms N",
 *       20 times), print_find of the oldest of them, which reads every one
 *       ("find_cold_ms N" the first time, "find_ms N" after), and of a name
 *       never sent ("absent_ms N")
 */
#include "config.h"
#include "print.h"
#include "util.h"

#include <dirent.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PRINT_BENCH_MAX_JOBS 100000
#define PRINT_BENCH_WAIT_US (30 * 1000000L)

static char *
print_bench_read (const char *path, size_t *len)
{
	FILE *f = fopen (path, "rb");
	if (f == NULL) {
		fprintf (stderr, "print-bench: cannot open %s\n", path);
		return NULL;
	}
	char *buf = xmalloc (1 << 20);
	*len = fread (buf, 1, 1 << 20, f);
	fclose (f);
	return buf;
}

static int
print_bench_count (const char *dir)
{
	DIR *d = opendir (dir);
	if (d == NULL)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir (d)) != NULL)
		if (strncmp (e->d_name, "job-", 4) == 0)
			n++;
	closedir (d);
	return n;
}

static int
print_bench_submit (print_t *p, const char *queue, long jobs, const char *data, size_t len)
{
	int64_t t0 = util_mono_us ();
	for (long i = 0; i < jobs; i++) {
		char title[64], *cause = NULL;
		snprintf (title, sizeof title, "bench parcel %ld", i);
		if (print_submit (p, queue, PRINT_FORMAT_ZPL, title, data, len, &cause) < 0) {
			fprintf (stderr, "print-bench: %s\n", cause);
			free (cause);
			return 1;
		}
	}
	double s = (double) (util_mono_us () - t0) / 1e6;
	printf ("jobs_per_s %.1f\n", (double) jobs / s);
	return 0;
}

static int
print_bench_latency (print_t *p, const char *queue, long jobs, const char *data, size_t len, const char *dir)
{
	int have = print_bench_count (dir);
	if (have < 0) {
		fprintf (stderr, "print-bench: cannot read %s\n", dir);
		return 1;
	}
	for (long i = 0; i < jobs; i++) {
		char title[64], *cause = NULL;
		snprintf (title, sizeof title, "bench latency parcel %ld", i);
		int64_t t0 = util_mono_us ();
		if (print_submit (p, queue, PRINT_FORMAT_ZPL, title, data, len, &cause) < 0) {
			fprintf (stderr, "print-bench: %s\n", cause);
			free (cause);
			return 1;
		}
		while (print_bench_count (dir) <= have) {
			if (util_mono_us () - t0 > PRINT_BENCH_WAIT_US) {
				fprintf (stderr, "print-bench: job %ld never reached the printer in %s\n", i, dir);
				return 1;
			}
			usleep (200);
		}
		printf ("latency_ms %.3f\n", (double) (util_mono_us () - t0) / 1000.0);
		have++;
	}
	return 0;
}

static int
print_bench_stall (print_t *p, const char *queue, long rounds, const char *data, size_t len, const char *timeout)
{
	long ms;
	if (!util_parse_long (timeout, 1, PRINT_TIMEOUT_MAX_MS, &ms)) {
		fprintf (stderr, "print-bench: %s is not a timeout in ms\n", timeout);
		return 2;
	}
	print_set_timeout (p, (int) ms);
	for (long r = 0; r < rounds; r++) {
		char *cause = NULL;
		print_queue_t q;
		print_job_t j;
		int64_t t0 = util_mono_us ();
		bool sent = print_submit (p, queue, PRINT_FORMAT_ZPL, "dsp:bench-stall:1 label", data, len, &cause) > 0;
		int64_t t1 = util_mono_us ();
		free (cause);
		cause = NULL;
		bool polled = print_poll (p, 1, &j, &cause) == 0;
		int64_t t2 = util_mono_us ();
		free (cause);
		cause = NULL;
		bool asked = print_queue (p, queue, &q, &cause) == 0;
		int64_t t3 = util_mono_us ();
		free (cause);
		if (sent || polled || asked) {
			fprintf (stderr, "print-bench: the server answered; stop it first (kill -STOP)\n");
			return 1;
		}
		printf ("stall_ms print_submit %.1f\nstall_ms print_poll %.1f\nstall_ms print_queue %.1f\n",
		    (double) (t1 - t0) / 1000.0, (double) (t2 - t1) / 1000.0, (double) (t3 - t2) / 1000.0);
	}
	return 0;
}

static int
print_bench_find (print_t *p, const char *queue, long jobs, const char *data, size_t len)
{
	int64_t since = (int64_t) time (NULL) - 1;
	int last = 0;
	char ident[PRINT_IDENT_MAX], title[PRINT_TEXT_MAX], *cause = NULL;
	for (long i = 1; i <= jobs; i++) {
		print_job_ident (ident, "bench-find", i, NULL);
		snprintf (title, sizeof title, "%s bench label", ident);
		if ((last = print_submit (p, queue, PRINT_FORMAT_ZPL, title, data, len, &cause)) < 0) {
			fprintf (stderr, "print-bench: %s\n", cause);
			free (cause);
			return 1;
		}
	}
	/* Until every one is finished, without asking for any of them (which would load it). */
	for (int64_t t0 = util_mono_us (); util_mono_us () - t0 < PRINT_BENCH_WAIT_US; usleep (100 * 1000)) {
		print_job_t *js = NULL;
		size_t n = 0, open = 0;
		if (print_jobs (p, queue, false, &js, &n, NULL) == 0)
			open = n;
		free (js);
		if (open == 0)
			break;
	}
	sleep (2); /* CUPS drops a finished job's attributes from memory soon after it ends */
	print_job_t j;
	for (int i = 0; i < 20; i++) {
		int64_t t0 = util_mono_us ();
		if (print_poll (p, last, &j, NULL) != 0)
			return 1;
		printf ("poll_ms %.3f\n", (double) (util_mono_us () - t0) / 1000.0);
	}
	print_job_ident (ident, "bench-find", 1, NULL);
	for (int i = 0; i < 5; i++) {
		int64_t t0 = util_mono_us ();
		int rc = print_find (p, ident, since, &j, &cause);
		double ms = (double) (util_mono_us () - t0) / 1000.0;
		if (rc != PRINT_FIND_FOUND) {
			fprintf (stderr, "print-bench: %s not found (%s): %s\n", ident, print_found_name ((enum print_found) rc),
			    cause ? cause : "");
			free (cause);
			return 1;
		}
		printf ("%s %.3f\n", i == 0 ? "find_cold_ms" : "find_ms", ms);
	}
	print_job_ident (ident, "bench-find", jobs + 1, NULL);
	for (int i = 0; i < 5; i++) {
		int64_t t0 = util_mono_us ();
		int rc = print_find (p, ident, since, &j, &cause);
		double ms = (double) (util_mono_us () - t0) / 1000.0;
		if (rc != PRINT_FIND_ABSENT) {
			fprintf (stderr, "print-bench: %s is %s: %s\n", ident, print_found_name ((enum print_found) rc),
			    cause ? cause : "");
			free (cause);
			return 1;
		}
		printf ("absent_ms %.3f\n", ms);
	}
	return 0;
}

int
main (int argc, char **argv)
{
	long jobs;
	const char *mode = argc > 1 ? argv[1] : "";
	bool seven = strcmp (mode, "latency") == 0 || strcmp (mode, "stall") == 0;
	bool six = strcmp (mode, "submit") == 0 || strcmp (mode, "find") == 0;
	if (argc < 6 || !util_parse_long (argv[4], 1, PRINT_BENCH_MAX_JOBS, &jobs) || (seven && argc != 7)
	    || (six && argc != 6) || (!six && !seven)) {
		fprintf (stderr, "usage: print-bench submit SERVER QUEUE JOBS FILE\n"
		                 "       print-bench latency SERVER QUEUE JOBS FILE OUTDIR\n"
		                 "       print-bench stall SERVER QUEUE ROUNDS FILE TIMEOUT_MS\n"
		                 "       print-bench find SERVER QUEUE JOBS FILE\n");
		return 2;
	}
	size_t len;
	char *data = print_bench_read (argv[5], &len);
	if (data == NULL)
		return 1;
	char *cause = NULL;
	print_t *p = print_new (argv[2], &cause);
	if (p == NULL) {
		fprintf (stderr, "print-bench: %s\n", cause);
		free (cause);
		free (data);
		return 3;
	}
	int rc;
	if (strcmp (mode, "submit") == 0)
		rc = print_bench_submit (p, argv[3], jobs, data, len);
	else if (strcmp (mode, "latency") == 0)
		rc = print_bench_latency (p, argv[3], jobs, data, len, argv[6]);
	else if (strcmp (mode, "stall") == 0)
		rc = print_bench_stall (p, argv[3], jobs, data, len, argv[6]);
	else
		rc = print_bench_find (p, argv[3], jobs, data, len);
	print_destroy (&p);
	free (data);
	return rc;
}
