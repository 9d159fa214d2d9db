/* hub-auth.c: PIN hashes and the PIN rule (the hashing itself is secret.c's). */
#include "config.h"
#include "hub-auth.h"
#include "secret.h"
#include "util.h"

#include <ctype.h>
#include <string.h>

int
hub_auth_init (void)
{
	return secret_init ();
}

char *
hub_auth_hash (const char *pin)
{
	return secret_pin_hash (pin);
}

bool
hub_auth_verify (const char *hash, const char *pin)
{
	return secret_pin_verify (hash, pin);
}

bool
hub_auth_pin_ok (const char *pin)
{
	size_t n = strlen (pin);
	if (n < 4 || n > 12)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isdigit ((unsigned char) pin[i]))
			return false;
	return true;
}
