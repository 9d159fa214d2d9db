/*
 * secret.h: libsodium adapter, the only file that includes sodium.h:
 * the hub's PIN hashes, and wiping a buffer that held a key or a PIN.
 *
 * Every buffer is the caller's.
 */
#ifndef DSP_SECRET_H
#define DSP_SECRET_H

#include <stdbool.h>
#include <stddef.h>

/* 0 when the library is ready; safe to call more than once. */
int secret_init (void);

/* A malloc'd hash string for the PIN, or NULL when hashing failed. */
char *secret_pin_hash (const char *pin);
bool secret_pin_verify (const char *hash, const char *pin);

/* Wipes a buffer that held a key or a PIN (a store the compiler keeps). */
void secret_wipe (void *buf, size_t size);

#endif
