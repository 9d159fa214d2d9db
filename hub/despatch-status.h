/*
 * despatch-status.h: "despatch status", the hub's health for the people who
 * run it and for monitoring. It opens the hub's database read-only (never
 * changing it), asks CUPS about the configured printers, prints a report,
 * and lists everything that needs attention.
 *
 * Exit status (DESPATCH_STATUS_*): 0 all is well, 1 something needs
 * attention, 2 usage error or the configuration/database cannot be read,
 * 3 the hub is not running (no heartbeat, a stale one, or its process gone).
 */
#ifndef DSP_DESPATCH_STATUS_H
#define DSP_DESPATCH_STATUS_H

enum {
	DESPATCH_STATUS_OK = 0,
	DESPATCH_STATUS_ATTENTION = 1,
	DESPATCH_STATUS_USAGE = 2,
	DESPATCH_STATUS_DOWN = 3,
};

/* argv[0] is "status"; options follow (see despatch(8)). Returns the exit status. */
int despatch_status_main (int argc, char **argv);

#endif
