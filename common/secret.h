/*
 * secret.h: libsodium adapter, the only file that includes sodium.h.
 * PIN hashes for the hub, and the boxes, keys and random bytes that
 * CurveZMQ needs on the terminal's end of the wire (zmtp.c).
 *
 * Every buffer is the caller's. A box is always SECRET_MAC + plaintext
 * bytes (the MAC first, as NaCl's crypto_box after its zero padding).
 */
#ifndef DSP_SECRET_H
#define DSP_SECRET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SECRET_KEY 32   /* a public or secret Curve25519 key */
#define SECRET_NONCE 24
#define SECRET_MAC 16
#define SECRET_SHARED 32 /* a precomputed box key */

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

/* A fresh key pair (a CurveZMQ connection's transient keys). */
void secret_keypair (uint8_t pub[SECRET_KEY], uint8_t sec[SECRET_KEY]);
void secret_random (void *buf, size_t size);
/* Wipes a buffer that held a key. */
void secret_wipe (void *buf, size_t size);

/* Box and open with the two keys; open returns -1 when the box is forged. */
int secret_box (uint8_t *out, const uint8_t *plain, size_t len, const uint8_t nonce[SECRET_NONCE],
    const uint8_t peer_pub[SECRET_KEY], const uint8_t own_sec[SECRET_KEY]);
int secret_box_open (uint8_t *out, const uint8_t *box, size_t box_len, const uint8_t nonce[SECRET_NONCE],
    const uint8_t peer_pub[SECRET_KEY], const uint8_t own_sec[SECRET_KEY]);
/* The same with a key precomputed once per connection. */
int secret_shared (uint8_t shared[SECRET_SHARED], const uint8_t peer_pub[SECRET_KEY], const uint8_t own_sec[SECRET_KEY]);
int secret_box_shared (uint8_t *out, const uint8_t *plain, size_t len, const uint8_t nonce[SECRET_NONCE],
    const uint8_t shared[SECRET_SHARED]);
int secret_box_open_shared (uint8_t *out, const uint8_t *box, size_t box_len, const uint8_t nonce[SECRET_NONCE],
    const uint8_t shared[SECRET_SHARED]);

#endif
