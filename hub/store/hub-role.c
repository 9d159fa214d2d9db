/* hub-role.c: role names and bits (see hub-role.h). */
#include "config.h"
#include "hub-role.h"
#include "util.h"

#include <string.h>

static const struct {
	const char *name;
	int bit;
} hub_role_names[] = {
	{ "porter", ROLE_PORTER },
	{ "packer", ROLE_PACKER },
	{ "supervisor", ROLE_SUPERVISOR },
	{ "admin", ROLE_ADMIN },
};

int
hub_role_parse (const char *name)
{
	for (size_t i = 0; i < nitems (hub_role_names); i++)
		if (strcmp (name, hub_role_names[i].name) == 0)
			return hub_role_names[i].bit;
	return 0;
}

const char *
hub_role_name (int role)
{
	for (size_t i = 0; i < nitems (hub_role_names); i++)
		if (role == hub_role_names[i].bit)
			return hub_role_names[i].name;
	return "none";
}
