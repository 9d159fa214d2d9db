/*
 * despatch-report.c: "despatch report carriers|exceptions|benches [--date
 * YYYY-MM-DD] [--format csv|pdf] [-o FILE] [-d DB]": a day's parcels per
 * carrier, its exceptions, and throughput per bench per hour, as CSV or as a
 * supervisor's PDF with a bar chart (labels/label-chart.h). Reads the
 * database only. Format in doc/carriers.md, Reports.
 */
#include "config.h"
#include "despatch.h"
#include "db.h"
#include "labels/label-chart.h"
#include "util.h"

#include <ctype.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A report as rows of text, the first row its heading. */
struct despatch_report_table {
	int ncols;
	char **cells;    /* nrows * ncols, row-major */
	int nrows;
};

static void
despatch_report_table_add (struct despatch_report_table *t, char *const *row)
{
	t->cells = xrealloc (t->cells, (size_t) (t->nrows + 1) * (size_t) t->ncols * sizeof *t->cells);
	for (int i = 0; i < t->ncols; i++)
		t->cells[t->nrows * t->ncols + i] = xstrdup (row[i] ? row[i] : "");
	t->nrows++;
}

static const char *
despatch_report_cell (const struct despatch_report_table *t, int row, int col)
{
	return t->cells[row * t->ncols + col];
}

static void
despatch_report_table_free (struct despatch_report_table *t)
{
	for (int i = 0; i < t->nrows * t->ncols; i++)
		free (t->cells[i]);
	free (t->cells);
}

/* Every row of sql (bound ?1 = day start ms, ?2 = day end ms, ?3 = the date) as text; 0 or -1. */
static int
despatch_report_query (db_t *db, const char *sql, int64_t from, int64_t to, const char *date, struct despatch_report_table *t)
{
	db_stmt_t *st = db_prepare (db, sql);
	if (st == NULL)
		return -1;
	db_bind_int (st, 1, from);
	db_bind_int (st, 2, to);
	db_bind_text (st, 3, date);
	int rc;
	char **row = xcalloc ((size_t) t->ncols, sizeof *row);
	while ((rc = db_step (st)) == DB_ROW) {
		for (int i = 0; i < t->ncols; i++)
			row[i] = (char *) db_col_text (st, i);
		despatch_report_table_add (t, row);
	}
	free (row);
	db_reset (st);
	return rc == DB_DONE ? 0 : -1;
}

/* Times in the reports are UTC, as ISO text without milliseconds. */
#define DESPATCH_REPORT_ISO(col) "strftime('%Y-%m-%dT%H:%M:%SZ', " col " / 1000, 'unixepoch')"

/* The reports: heading, the query, and which column the chart sums by which label (value -1: count rows). */
static const struct despatch_report_kind {
	const char *name, *title, *chart;
	const char *head;    /* CSV heading, comma-separated */
	const char *sql;
	int bar_label, bar_value;
} despatch_report_kinds[] = {
	{ "carriers", "Carriers", "Parcels per carrier",
	  "date,carrier,parcels,weight_kg,closed_out,open,manifests",
	  /* Parcels labelled that day per carrier; closed out when every one is on a closed manifest. */
	  "SELECT ?3, c, count(p.id), printf('%.3f', coalesce(sum(p.weight_g), 0) / 1000.0),"
	  " CASE WHEN count(p.id) = 0 THEN '' WHEN sum(p.id IS NOT NULL AND (m.id IS NULL OR m.status <> 'closed')) = 0"
	  "  THEN 'yes' ELSE 'no' END,"
	  " sum(p.id IS NOT NULL AND (m.id IS NULL OR m.status <> 'closed')),"
	  " (SELECT count(*) FROM manifests x WHERE x.carrier = c AND x.closed_at >= ?1 AND x.closed_at < ?2)"
	  " FROM (SELECT carrier AS c FROM parcels WHERE labelled_at >= ?1 AND labelled_at < ?2 AND carrier IS NOT NULL"
	  "  UNION SELECT carrier FROM manifests WHERE closed_at >= ?1 AND closed_at < ?2)"
	  " LEFT JOIN parcels p ON p.carrier = c AND p.labelled_at >= ?1 AND p.labelled_at < ?2 AND p.status <> 'void'"
	  " LEFT JOIN manifests m ON m.id = p.manifest_id GROUP BY c ORDER BY c",
	  1, 2 },
	{ "exceptions", "Exceptions", "Exceptions by kind",
	  "date,kind,order,parcel,since,detail",
	  /* Holds open at the day's end; parcels labelled by then and not scanned out; orders not delivered by their promise. */
	  "SELECT ?3, 'held', h.order_ref, coalesce(p.code, ''), " DESPATCH_REPORT_ISO ("h.held_at") ","
	  " h.reason || ' (' || h.held_by || ')' FROM holds h LEFT JOIN parcels p ON p.id = h.parcel_id"
	  " WHERE h.held_at < ?2 AND (h.released_at IS NULL OR h.released_at >= ?2)"
	  " UNION ALL SELECT ?3, 'not-scanned-out', p.order_ref, p.code, " DESPATCH_REPORT_ISO ("p.labelled_at") ","
	  " p.carrier || ' ' || coalesce(p.tracking, '') FROM parcels p WHERE p.labelled_at < ?2"
	  " AND (p.scanned_out_at IS NULL OR p.scanned_out_at >= ?2) AND p.status <> 'void'"
	  " UNION ALL SELECT ?3, 'late', o.ref, '', o.promise, 'promised ' || o.promise || ', ' || o.status"
	  " FROM orders o WHERE o.promise <> '' AND o.promise < ?3 AND o.status NOT IN ('delivered', 'cancelled')"
	  " ORDER BY 2, 3, 4",
	  1, -1 },
	{ "benches", "Benches", "Parcels packed per station",
	  "date,station,hour,scans,parcels",
	  /* Scans and parcels packed (not undone) per station per hour. */
	  "SELECT ?3, station, printf('%02d:00', hour), sum(scans), sum(parcels) FROM ("
	  " SELECT coalesce(station, '') AS station, (at - ?1) / 3600000 AS hour, 1 AS scans, 0 AS parcels FROM scans"
	  "  WHERE at >= ?1 AND at < ?2"
	  " UNION ALL SELECT coalesce(station, ''), (at - ?1) / 3600000, 0, 1 FROM events"
	  "  WHERE action = 'pack' AND undone_at IS NULL AND at >= ?1 AND at < ?2)"
	  " GROUP BY station, hour ORDER BY station, hour",
	  1, 4 },
};

static const struct despatch_report_kind *
despatch_report_kind (const char *name)
{
	for (size_t i = 0; i < nitems (despatch_report_kinds); i++)
		if (strcmp (despatch_report_kinds[i].name, name) == 0)
			return &despatch_report_kinds[i];
	return NULL;
}

/* RFC 4180: quoted when it holds a comma, a quote or a line break. */
static void
despatch_report_csv_field (FILE *f, const char *s)
{
	if (strpbrk (s, ",\"\r\n") == NULL) {
		fputs (s, f);
		return;
	}
	fputc ('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc ('"', f);
		fputc (*s, f);
	}
	fputc ('"', f);
}

static void
despatch_report_csv (FILE *f, const struct despatch_report_table *t)
{
	for (int r = 0; r < t->nrows; r++)
		for (int c = 0; c < t->ncols; c++) {
			despatch_report_csv_field (f, despatch_report_cell (t, r, c));
			fputs (c + 1 < t->ncols ? "," : "\r\n", f);
		}
}

/* The table as padded lines, the chart's bars summed by label; render as PDF. */
static int
despatch_report_pdf (FILE *f, const struct despatch_report_kind *k, const char *date, const struct despatch_report_table *t, char **cause)
{
	enum { DESPATCH_REPORT_CELL_MAX = 40 };
	int width[16] = { 0 };
	for (int r = 0; r < t->nrows; r++)
		for (int c = 0; c < t->ncols && c < 16; c++) {
			int n = (int) strlen (despatch_report_cell (t, r, c));
			if (n > width[c])
				width[c] = n > DESPATCH_REPORT_CELL_MAX ? DESPATCH_REPORT_CELL_MAX : n;
		}
	char **lines = xcalloc ((size_t) t->nrows, sizeof *lines);
	/* The date is in the title: the table leaves its column out. */
	for (int r = 0; r < t->nrows; r++) {
		char buf[512];
		size_t len = 0;
		for (int c = 1; c < t->ncols && len < sizeof buf; c++)
			len += (size_t) snprintf (buf + len, sizeof buf - len, "%-*.*s  ", width[c], DESPATCH_REPORT_CELL_MAX,
			    despatch_report_cell (t, r, c));
		lines[r] = xstrdup (buf);
	}
	struct label_chart_bar *bars = xcalloc ((size_t) t->nrows, sizeof *bars);
	int nbars = 0;
	for (int r = 1; r < t->nrows; r++) {
		const char *label = despatch_report_cell (t, r, k->bar_label);
		double v = k->bar_value < 0 ? 1 : strtod (despatch_report_cell (t, r, k->bar_value), NULL);
		int b = 0;
		while (b < nbars && strcmp (bars[b].label, label) != 0)
			b++;
		if (b == nbars)
			bars[nbars++].label = *label ? label : "(none)";
		bars[b].value += v;
	}
	char *title = xasprintf ("%s, %s", k->title, date);
	struct label_chart_page page = { title, k->chart, bars, nbars, (const char *const *) lines, t->nrows };
	struct label_buf out = { 0 };
	int rc = label_chart_pdf (&page, 1, &out, cause);
	if (rc == 0 && fwrite (out.data, 1, out.len, f) != out.len) {
		*cause = xasprintf ("cannot write the PDF");
		rc = -1;
	}
	free (out.data);
	free (title);
	free (bars);
	for (int r = 0; r < t->nrows; r++)
		free (lines[r]);
	free (lines);
	return rc;
}

/* "2026-11-22" to the day's first millisecond (UTC); false if it is not a day of the calendar in
 * that form (timegm alone would take 2026-02-30 for 2 March and 2026-13-45 for a day in 2027). */
static bool
despatch_report_day (const char *date, int64_t *from)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	for (int i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? date[i] != '-' : !isdigit ((unsigned char) date[i]))
			return false;
	if (date[10] != '\0')
		return false;
	int y = atoi (date), m = atoi (date + 5), d = atoi (date + 8);
	bool leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > days[m - 1] + (m == 2 && leap))
		return false;
	struct tm tm = { .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d };
	*from = (int64_t) timegm (&tm) * 1000;
	return true;
}

static void
despatch_report_usage (FILE *f)
{
	fprintf (f, "usage: despatch report carriers|exceptions|benches [--date YYYY-MM-DD] [--format csv|pdf] [-o FILE]"
	    " [-d DB]\n"
	    "  carriers     per carrier: parcels labelled that day, weight, closed out or not, manifests\n"
	    "  exceptions   holds open, parcels labelled but not scanned out, orders late against their promise\n"
	    "  benches      scans and parcels packed per station per hour\n"
	    "  --date       the day (UTC; default today)   --format  csv (default) or pdf (a chart and the table)\n"
	    "  -o FILE      write there (default standard output)\n");
}

static int
despatch_report_exec (db_t *none, int argc, char **argv)
{
	(void) none; /* it opens its own, read-only, from its options */
	static const struct option longopts[] = {
		{ "database", required_argument, NULL, 'd' },
		{ "date", required_argument, NULL, 'D' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *database = "despatch.db", *output = NULL, *format = "csv";
	char today[32];
	util_iso_time (util_wall_ms (), today, sizeof today);
	today[10] = '\0';
	const char *date = today;
	int c;
	optind = 1;
	while ((c = getopt_long (argc, argv, "d:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': database = optarg; break;
		case 'D': date = optarg; break;
		case 'f': format = optarg; break;
		case 'o': output = optarg; break;
		case 'h': despatch_report_usage (stdout); return 0;
		default: despatch_report_usage (stderr); return 2;
		}
	}
	/* Said on its own, not as the usage: the usage names the form, not which word broke it. */
	int64_t from;
	if (!despatch_report_day (date, &from)) {
		fprintf (stderr, "despatch report: --date '%s' is not a real date: give the day as YYYY-MM-DD "
		    "(e.g. %s, today in UTC); nothing written\n", date, today);
		return 2;
	}
	if (strcmp (format, "csv") != 0 && strcmp (format, "pdf") != 0) {
		fprintf (stderr, "despatch report: --format '%s' is not one it writes: give csv (a table for a spreadsheet) "
		    "or pdf (a chart and the table); nothing written\n", format);
		return 2;
	}
	const struct despatch_report_kind *k = optind < argc ? despatch_report_kind (argv[optind]) : NULL;
	if (k == NULL && optind + 1 == argc) {
		fprintf (stderr, "despatch report: '%s' is not a report: give carriers, exceptions or benches; nothing "
		    "written\n", argv[optind]);
		return 2;
	}
	if (k == NULL || optind + 1 != argc) {
		despatch_report_usage (stderr);
		return 2;
	}
	if (despatch_database_folder ("report", database))
		return 2;
	char *cause = NULL;
	db_t *db = db_open (database, DB_READONLY, &cause);
	if (db == NULL) {
		fprintf (stderr, "despatch report: %s\n", cause);
		free (cause);
		return 2;
	}
	struct despatch_report_table t = { .ncols = 1 };
	for (const char *p = k->head; *p; p++)
		t.ncols += *p == ',';
	char *head = xstrdup (k->head), *save = NULL, **row = xcalloc ((size_t) t.ncols, sizeof *row);
	int i = 0;
	for (char *w = strtok_r (head, ",", &save); w; w = strtok_r (NULL, ",", &save))
		row[i++] = w;
	despatch_report_table_add (&t, row);
	free (row);
	free (head);
	int rc = despatch_report_query (db, k->sql, from, from + 86400000, date, &t);
	if (rc != 0)
		fprintf (stderr, "despatch report: cannot read %s: %s\n", database, db_errmsg (db));
	else if (db_changed_unlocked (db)) {
		fprintf (stderr, "despatch report: %s changed while it was read (a hub is writing it?): it was read without "
		    "a lock, as its folder cannot be written, so the figures may be wrong and none are given: run it again as "
		    "a user who may write the folder (root or the hub's user)\n", database);
		rc = 2;
	}
	db_close (&db);
	FILE *f = rc != 0 ? NULL : output ? fopen (output, "wb") : stdout;
	if (rc == 0 && f == NULL) {
		fprintf (stderr, "despatch report: cannot write %s\n", output);
		rc = 1;
	} else if (rc == 0 && strcmp (format, "pdf") == 0) {
		if (despatch_report_pdf (f, k, date, &t, &cause) != 0) {
			fprintf (stderr, "despatch report: %s\n", cause);
			free (cause);
			rc = 1;
		}
	} else if (rc == 0) {
		despatch_report_csv (f, &t);
	}
	if (f && f != stdout && fclose (f) != 0 && rc == 0) {
		fprintf (stderr, "despatch report: cannot write %s\n", output);
		rc = 1;
	}
	despatch_report_table_free (&t);
	return rc < 0 ? 2 : rc;
}

const struct despatch_cmd_entry despatch_report_entry = {
	.name = "report",
	.usage = "carriers|exceptions|benches [--date YYYY-MM-DD] [--format csv|pdf] [-o FILE] [-d DB]",
	.help = "a day's parcels per carrier, exceptions, or throughput per bench per hour",
	.flags = DESPATCH_CMD_OPTIONS,
	.exec = despatch_report_exec,
};
