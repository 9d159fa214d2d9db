/* secret.c: libsodium adapter (PIN hashes, CurveZMQ boxes). */
#include "config.h"
#include "secret.h"
#include "util.h"

#include <sodium.h>
#include <string.h>

/* The sizes secret.h promises are libsodium's. */
_Static_assert (SECRET_KEY == crypto_box_PUBLICKEYBYTES && SECRET_KEY == crypto_box_SECRETKEYBYTES, "key size");
_Static_assert (SECRET_NONCE == crypto_box_NONCEBYTES, "nonce size");
_Static_assert (SECRET_MAC == crypto_box_MACBYTES, "MAC size");
_Static_assert (SECRET_SHARED == crypto_box_BEFORENMBYTES, "shared key size");

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
secret_keypair (uint8_t pub[SECRET_KEY], uint8_t sec[SECRET_KEY])
{
	crypto_box_keypair (pub, sec);
}

void
secret_random (void *buf, size_t size)
{
	randombytes_buf (buf, size);
}

void
secret_wipe (void *buf, size_t size)
{
	sodium_memzero (buf, size);
}

int
secret_box (uint8_t *out, const uint8_t *plain, size_t len, const uint8_t nonce[SECRET_NONCE],
    const uint8_t peer_pub[SECRET_KEY], const uint8_t own_sec[SECRET_KEY])
{
	return crypto_box_easy (out, plain, len, nonce, peer_pub, own_sec) == 0 ? 0 : -1;
}

int
secret_box_open (uint8_t *out, const uint8_t *box, size_t box_len, const uint8_t nonce[SECRET_NONCE],
    const uint8_t peer_pub[SECRET_KEY], const uint8_t own_sec[SECRET_KEY])
{
	if (box_len < SECRET_MAC)
		return -1;
	return crypto_box_open_easy (out, box, box_len, nonce, peer_pub, own_sec) == 0 ? 0 : -1;
}

int
secret_shared (uint8_t shared[SECRET_SHARED], const uint8_t peer_pub[SECRET_KEY], const uint8_t own_sec[SECRET_KEY])
{
	return crypto_box_beforenm (shared, peer_pub, own_sec) == 0 ? 0 : -1;
}

int
secret_box_shared (uint8_t *out, const uint8_t *plain, size_t len, const uint8_t nonce[SECRET_NONCE],
    const uint8_t shared[SECRET_SHARED])
{
	return crypto_box_easy_afternm (out, plain, len, nonce, shared) == 0 ? 0 : -1;
}

int
secret_box_open_shared (uint8_t *out, const uint8_t *box, size_t box_len, const uint8_t nonce[SECRET_NONCE],
    const uint8_t shared[SECRET_SHARED])
{
	if (box_len < SECRET_MAC)
		return -1;
	return crypto_box_open_easy_afternm (out, box, box_len, nonce, shared) == 0 ? 0 : -1;
}
