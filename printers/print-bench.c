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
 */
#include "config.h"
#include "print.h"
#include "util.h"

#include <dirent.h>
#include <stdio.h>
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

int
main (int argc, char **argv)
{
	long jobs;
	if (argc < 6 || !util_parse_long (argv[4], 1, PRINT_BENCH_MAX_JOBS, &jobs)
	    || (strcmp (argv[1], "latency") == 0 && argc != 7) || (strcmp (argv[1], "submit") == 0 && argc != 6)) {
		fprintf (stderr, "usage: print-bench submit SERVER QUEUE JOBS FILE\n"
		                 "       print-bench latency SERVER QUEUE JOBS FILE OUTDIR\n");
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
	int rc = strcmp (argv[1], "submit") == 0 ? print_bench_submit (p, argv[3], jobs, data, len)
	    : print_bench_latency (p, argv[3], jobs, data, len, argv[6]);
	print_destroy (&p);
	free (data);
	return rc;
}
