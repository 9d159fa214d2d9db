/*
 * hub-scan.h: the despatch flow's registry (hub-scan.c): every scan step
 * and named command, who may use it and which handler runs it (hub/flow).
 * The dispatcher reads only these two tables; doc/protocol.md "Steps and
 * commands" documents them.
 */
#ifndef DSP_HUB_SCAN_H
#define DSP_HUB_SCAN_H

#include "hub/req/hub-req.h"

#include <stdbool.h>

/* A scan step ("receive", "locate", ...): who may scan it and what it does.
 * waits: its handler may ask the workers (req/hub-ask.h), as packing asks
 * for the label; the others run without a savepoint of their own
 * (hub_cmd_bare). */
struct hub_step {
	const char *name;
	int roles;
	hub_handler_fn *handle;
	const char *help; /* one line for menus and docs */
	bool waits;
};

/* A named COMMAND ("hold", "note", ...). roles ROLE_SYSTEM: the hub's own,
 * unknown to terminals and never listed among an operator's permissions. */
struct hub_command {
	const char *name;
	int roles;
	hub_handler_fn *handle;
	const char *args; /* required argument keys, space separated */
	const char *help;
};

extern const struct hub_step hub_scan_steps[];
extern const int hub_scan_nsteps;
extern const struct hub_command hub_scan_commands[];
extern const int hub_scan_ncommands;

/* The terminal's screen where a step or command is done ("Supervisor >
 * Unlock badge", common/screens.h), or NULL when none does it. */
const char *hub_scan_screen (const char *name);

/* Steps and commands the operator's role may use, space separated (caller frees). */
char *hub_scan_permissions (int role);

#endif
