/*
 * hub-auth.h: what a PIN may be. PINs are hashed and checked with
 * secret_pin_hash and secret_pin_verify (common/secret.h, libsodium's
 * password hashing); a PIN is never stored or logged in clear.
 */
#ifndef DSP_HUB_AUTH_H
#define DSP_HUB_AUTH_H

#include <stdbool.h>

/* A PIN must be 4 to 12 digits. */
bool hub_auth_pin_ok (const char *pin);

#endif
