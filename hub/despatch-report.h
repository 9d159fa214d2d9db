/*
 * despatch-report.h: "despatch report carriers|exceptions|benches [--date
 * YYYY-MM-DD] [--format csv|pdf] [-o FILE] [-d DB]" (issue 7): a day's
 * parcels per carrier, its exceptions, and throughput per bench per hour,
 * as CSV or as a supervisor's PDF with a bar chart (labels/label-chart.h).
 * Reads the database only. Format in doc/carriers.md, Reports.
 */
#ifndef DSP_DESPATCH_REPORT_H
#define DSP_DESPATCH_REPORT_H

/* argv[0] is "report"; 0 written, 1 nothing could be written, 2 usage or database error. */
int despatch_report_main (int argc, char **argv);

#endif
