/*
 * hub-cmd.h: what the hub does with each request. Messages, scan steps and
 * named commands are tables; the loop calls hub_cmd_dispatch inside the
 * batch transaction. A handler fills req->reply and returns 0, or returns -1
 * when the database failed (its effects are then rolled back).
 */
#ifndef DSP_HUB_CMD_H
#define DSP_HUB_CMD_H

#include "hub.h"

typedef int (hub_handler_fn) (struct hub_req *req);

/* A scan step ("receive", "locate", ...): who may scan it and what it does. */
struct hub_step {
	const char *name;
	int roles;
	hub_handler_fn *handle;
	const char *help; /* one line for menus and docs */
};

/* A named COMMAND ("hold", "note", ...). */
struct hub_command {
	const char *name;
	int roles;
	hub_handler_fn *handle;
	const char *args; /* required argument keys, space separated */
	const char *help;
};

int hub_cmd_is_stored (int id);
int hub_cmd_dispatch (struct hub_req *req);

/* Steps and commands the operator's role may use, space separated (caller frees). */
char *hub_cmd_permissions (int role);

/* Provided by hub-scan.c. */
extern const struct hub_step hub_scan_steps[];
extern const int hub_scan_nsteps;
extern const struct hub_command hub_scan_commands[];
extern const int hub_scan_ncommands;

#endif
