/* hub-auth.c: the PIN rule (hashing and checking a PIN are secret.c's). */
#include "config.h"
#include "hub-auth.h"

#include <ctype.h>
#include <string.h>

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
