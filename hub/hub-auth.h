/*
 * hub-auth.h: PIN hashing (libsodium's password hashing, through
 * secret.c). A PIN is never stored or logged in clear.
 */
#ifndef DSP_HUB_AUTH_H
#define DSP_HUB_AUTH_H

#include <stdbool.h>

/* 0 when the library is ready; call once at start. */
int hub_auth_init (void);
/* A malloc'd hash string for the PIN, or NULL when hashing failed. */
char *hub_auth_hash (const char *pin);
bool hub_auth_verify (const char *hash, const char *pin);
/* A PIN must be 4 to 12 digits. */
bool hub_auth_pin_ok (const char *pin);

#endif
