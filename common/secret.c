/* secret.c: libsodium adapter (PIN hashes, wiping). */
#include "config.h"
#include "secret.h"
#include "util.h"

#include <sodium.h>
#include <string.h>

int
secret_init (void)
{
	return sodium_init () < 0 ? -1 : 0;
}

char *
secret_pin_hash (const char *pin)
{
	char out[crypto_pwhash_STRBYTES];
	/* Interactive limits: a login costs tens of milliseconds, a stolen database years. */
	if (crypto_pwhash_str (out, pin, strlen (pin), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return NULL;
	return xstrdup (out);
}

bool
secret_pin_verify (const char *hash, const char *pin)
{
	if (hash == NULL || *hash == '\0')
		return false;
	return crypto_pwhash_str_verify (hash, pin, strlen (pin)) == 0;
}

void
secret_digest (const uint8_t key[SECRET_DIGEST_KEY], const void *data, size_t size, uint8_t out[SECRET_DIGEST])
{
	crypto_generichash (out, SECRET_DIGEST, data, size, key, SECRET_DIGEST_KEY);
}

void
secret_wipe (void *buf, size_t size)
{
	sodium_memzero (buf, size);
}
