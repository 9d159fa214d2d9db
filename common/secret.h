/*
 * secret.h: libsodium adapter, the only file that includes sodium.h:
 * the hub's PIN hashes, the keyed digests of its stored requests, and
 * wiping a buffer that held a key or a PIN.
 *
 * Every buffer is the caller's.
 */
#ifndef DSP_SECRET_H
#define DSP_SECRET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 0 when the library is ready; safe to call more than once. */
int secret_init (void);

/* A malloc'd hash string for the PIN, or NULL when hashing failed. */
char *secret_pin_hash (const char *pin);
bool secret_pin_verify (const char *hash, const char *pin);

/* A keyed digest (BLAKE2b, 32 bytes) of size bytes: tells two inputs apart
 * without keeping either, and without the key says nothing about them (a
 * request that held a PIN cannot be guessed back from its digest). */
#define SECRET_DIGEST 32
#define SECRET_DIGEST_KEY 32
void secret_digest (const uint8_t key[SECRET_DIGEST_KEY], const void *data, size_t size, uint8_t out[SECRET_DIGEST]);

/* Wipes a buffer that held a key or a PIN (a store the compiler keeps). */
void secret_wipe (void *buf, size_t size);

#endif
