/*
 * hub-held.h: EVENTs for a terminal the hub cannot reach now, held until
 * it speaks again.
 *
 * The hub reaches a terminal by the routing frames of its last request
 * (hub-server.c); a hub that has just started knows none, and a terminal
 * whose connection is gone (a handheld out of the Wi-Fi, a bench restarted)
 * cannot be sent to. What the print spooler then tells it (a label printed,
 * a printer offline) would be lost, and the terminal would show a label as
 * waiting that has printed, or say nothing of one that will not. So such
 * EVENTs are held here, in memory, oldest first, and sent when the terminal
 * is next heard from. Bounded: HUB_HELD_PER_TERMINAL each (the oldest go
 * first), HUB_HELD_MAX in all, none older than HUB_HELD_MAX_AGE_MS (a
 * terminal away that long reads the state from its screens). Lost with
 * the hub's process, as the routes are: a hub that stops has none to send.
 * Owned by the server, used from the loop's thread only.
 */
#ifndef DSP_HUB_HELD_H
#define DSP_HUB_HELD_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

#define HUB_HELD_PER_TERMINAL 32
#define HUB_HELD_MAX 1024
#define HUB_HELD_MAX_AGE_MS (15 * 60 * 1000)

typedef struct hub_held hub_held_t;

/* Takes an EVENT for terminal; the one sent to it. */
typedef void hub_held_send_fn (void *arg, const char *terminal, proto_msg_t **event_p);

hub_held_t *hub_held_new (void);
void hub_held_destroy (hub_held_t **self_p);
/* Hold the EVENT (taken) for terminal, at now_ms. */
void hub_held_keep (hub_held_t *self, const char *terminal, proto_msg_t **event_p, int64_t now_ms);
/* The terminal's EVENTs still held, oldest first, each given to send. */
void hub_held_release (hub_held_t *self, const char *terminal, int64_t now_ms, hub_held_send_fn *send, void *arg);
/* EVENTs held in all. */
size_t hub_held_count (const hub_held_t *self);

#endif
