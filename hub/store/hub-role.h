/*
 * hub-role.h: operators' roles, as bits so that a table entry (cmd/hub-scan.c)
 * can name every role that may act, and as the names the database and the
 * replies use ("porter", "packer", "supervisor", "admin"): one table of
 * both (hub-role.c).
 */
#ifndef DSP_HUB_ROLE_H
#define DSP_HUB_ROLE_H

enum hub_role {
	ROLE_PORTER = 1 << 0,
	ROLE_PACKER = 1 << 1,
	ROLE_SUPERVISOR = 1 << 2,
	ROLE_ADMIN = 1 << 3,
	/* The hub's own requests (the loop's timed jobs): no operator has it,
	 * it has no name, and what only it may do is unknown to terminals. */
	ROLE_SYSTEM = 1 << 4,
};
#define ROLE_ANY (ROLE_PORTER | ROLE_PACKER | ROLE_SUPERVISOR | ROLE_ADMIN)
#define ROLE_LEAD (ROLE_SUPERVISOR | ROLE_ADMIN)

/* The bit of a role's name, or 0 when it is none of the four. */
int hub_role_parse (const char *name);
/* The name of one role bit; "none" for anything else. */
const char *hub_role_name (int role);

#endif
