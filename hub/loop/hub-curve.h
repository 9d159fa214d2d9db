/*
 * hub-curve.h: CurveZMQ on the hub's sockets and the key folder.
 *
 * The key folder (security.keys_dir, default "keys" next to the database):
 *
 *   hub.cert              the hub's public certificate (give it to terminals)
 *   hub.cert_secret       the hub's secret certificate (0600, never copied)
 *   allowed/NAME.cert     public certificates of enrolled terminals: the
 *                         terminals' allow-list
 *   terminals/NAME/       what to install on terminal NAME: terminal.cert,
 *                         terminal.cert_secret and hub.cert (despatch-term --keys)
 *   systems/NAME.cert     public certificates of enrolled systems (an ERP, a
 *                         carrier's tracking bridge, an events subscriber)
 *   clients/NAME/         what to install on system NAME: system.cert,
 *                         system.cert_secret and hub.cert
 *   revoked/NAME.cert     revoked certificates of both kinds, kept for the record
 *
 * A key is of one kind, and each socket admits one kind: the terminals'
 * ROUTER terminal keys only, the events feed and the integration endpoint
 * system keys only, so that a handheld's key (a device that can be lost)
 * cannot push orders or hear every event, and a system's key cannot speak
 * as a terminal. A name is enrolled once, as one kind.
 *
 * hub_curve_new starts the ZAP handler (RFC 27), a thread that accepts a
 * CURVE client only when its public key is in the allow-list of the
 * socket's kind and then gives the connection the name it was enrolled as:
 * libzmq hands that name to the hub with every message as its "User-Id"
 * property, so the hub knows which terminal sent a message from the key,
 * not from what the message says. It also loads the hub's certificate
 * (creating the folder and certificate on first use, as sshd makes its
 * host keys: nobody is allowed in until enrolled).
 * hub_curve_apply makes a socket a CURVE server in the ZAP domain of its
 * door (one domain per socket, each with its kind's list) with
 * ZMQ_ZAP_ENFORCE_DOMAIN set, so that without a ZAP handler nobody
 * connects (libzmq's default for CURVE without a handler is to let
 * everyone in). Call it before bind.
 */
#ifndef DSP_HUB_CURVE_H
#define DSP_HUB_CURVE_H

#include <stdbool.h>
#include <stdint.h>

typedef struct hub_curve hub_curve_t;

/* The two kinds of key. */
typedef enum {
	HUB_CURVE_TERMINAL,
	HUB_CURVE_SYSTEM,
	HUB_CURVE_KINDS
} hub_curve_kind_t;

/* The hub's CURVE sockets; each admits the keys of one kind. */
typedef enum {
	HUB_CURVE_TERMINALS,   /* the terminals' ROUTER: terminal keys */
	HUB_CURVE_EVENTS,      /* the events PUB: system keys */
	HUB_CURVE_INTEGRATION, /* the integration REP: system keys */
	HUB_CURVE_DOORS
} hub_curve_door_t;

/* NULL and *cause (caller frees) when libzmq lacks CURVE or the folder is unusable. */
hub_curve_t *hub_curve_new (const char *keys_dir, bool verbose, char **cause);
void hub_curve_destroy (hub_curve_t **self_p);
/* Make a zsock_t a CURVE server behind door's allow-list; 0 or -1 and *cause.
 * A system socket is remembered (until hub_curve_destroy, which comes after
 * the sockets') so that hub_curve_revoked can drop its connections. */
int hub_curve_apply (hub_curve_t *self, void *zsock, hub_curve_door_t door, char **cause);
/* The hub's public key (Z85) and the key folder. */
const char *hub_curve_public (hub_curve_t *self);
const char *hub_curve_dir (hub_curve_t *self);
/* At most once a second: true when a terminal key the ZAP handler let in is
 * no longer what it was let in as (revoked, renamed, replaced), however soon
 * after its enrolment that happened: the caller drops the ROUTER's
 * connections (unbind, bind) so that each peer is checked again (the
 * handler has read the lists again before this returns). When a system key
 * went so, the system sockets given to hub_curve_apply are bound again here,
 * in the caller's thread (theirs). */
bool hub_curve_revoked (hub_curve_t *self);
/* The key of the stored requests' digests (32 bytes), made from the hub's
 * secret key so that a copy of the database cannot be checked against
 * guesses (a LOGIN's PIN); all zero when self is NULL (security.curve = no). */
void hub_curve_digest_key (hub_curve_t *self, uint8_t key[32]);

/* The key folder and the hub's certificate, when missing; 0, 1 (already
 * there) or -1 and *cause. Used by the hub on first start and despatch keys init. */
int hub_curve_init_dir (const char *keys_dir, char **cause);
/* A new certificate for NAME of kind: its folder under terminals/ (clients/
 * for a system) and its public part in allowed/ (systems/); 0 or -1 and
 * *cause (refused when NAME is already enrolled, as either kind). */
int hub_curve_enrol (const char *keys_dir, const char *name, hub_curve_kind_t kind, char **cause);
/* The kind NAME is enrolled as; -1 when it is not. */
int hub_curve_kind_of (const char *keys_dir, const char *name);
/* "terminal" or "system". */
const char *hub_curve_kind_name (hub_curve_kind_t kind);
/* The folder of kind's allow-list ("allowed", "systems") and of its install folders ("terminals", "clients"). */
const char *hub_curve_kind_list (hub_curve_kind_t kind);
const char *hub_curve_kind_home (hub_curve_kind_t kind);
/* The kind a certificate in revoked/ was enrolled as (from its metadata). */
hub_curve_kind_t hub_curve_revoked_kind (const char *cert_path);
/* Move NAME's public certificate from its allow-list to revoked/ and delete
 * its secret; 0 or -1 and *cause (NAME not enrolled). */
int hub_curve_revoke (const char *keys_dir, const char *name, char **cause);
/* Move the key enrolled as from to the id to, of the same kind:
 * allowed/from.cert becomes allowed/to.cert in one rename, terminals/from/
 * becomes terminals/to/ (the same keys, named to; systems/ and clients/
 * for a system). The running hub drops the device's connection; it
 * reconnects as to, and is refused as from. 0 or -1 and *cause (from not
 * enrolled, to enrolled already). */
int hub_curve_rename (const char *keys_dir, const char *from, const char *to, char **cause);
/* True when NAME is a usable terminal or system name ([A-Za-z0-9._-], 1-32). */
bool hub_curve_name_ok (const char *name);

#endif
