/* hub-auth.c: libsodium adapter for PIN hashes. */
#include "config.h"
#include "hub-auth.h"
#include "util.h"

#include <ctype.h>
#include <sodium.h>
#include <string.h>

int
hub_auth_init (void)
{
	return sodium_init () < 0 ? -1 : 0;
}

char *
hub_auth_hash (const char *pin)
{
	char out[crypto_pwhash_STRBYTES];
	/* Interactive limits: a login costs tens of milliseconds, a stolen database years. */
	if (crypto_pwhash_str (out, pin, strlen (pin), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return NULL;
	return xstrdup (out);
}

bool
hub_auth_verify (const char *hash, const char *pin)
{
	if (hash == NULL || *hash == '\0')
		return false;
	return crypto_pwhash_str_verify (hash, pin, strlen (pin)) == 0;
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
