/*
 * hub-ask.h: what a request needs from a worker before it can be decided:
 * a document drawn and read back, a PIN checked against its hash, a file
 * written and synced. The request layer's side of "reply later".
 *
 * A handler asks through its request (req->ask) and gets one of three
 * answers: the result, a refusal with its cause, or "not known yet". Not
 * known yet, the handler goes on as if it had the result (so that one run
 * gathers every need), and the loop, seeing the request wait, rolls all of
 * it back (its savepoint, what it asked of req->after), keeps no reply,
 * hands the needs to the workers and, once every one is answered, runs the
 * whole request again, in a later batch, with the answers. In that run the
 * same asks find their answers; one whose inputs changed meanwhile (the
 * database moved on) is a new need, and the request waits again. So a
 * request's effects and its stored reply are always decided and committed
 * together, in one run that had every answer it needed; nothing of a
 * waiting request is in the database, and a hub killed while it waits
 * simply takes the terminal's retry as new.
 *
 * Answers belong to the ask, and through it to the request, until the
 * request is done; the loop owns the ask (hub_ask_new, hub_ask_destroy).
 */
#ifndef DSP_HUB_ASK_H
#define DSP_HUB_ASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hub_req;

typedef struct hub_ask hub_ask_t;

enum hub_ask_kind {
	HUB_ASK_DRAW,  /* layout, format, dpi, data (JSON) -> the document, read back */
	HUB_ASK_PIN,   /* hash, pin -> whether the PIN is the one hashed */
	HUB_ASK_FILE,  /* path, bytes -> written and synced */
};

/* One need: its inputs (all the answer depends on) and, once answered, the answer. */
struct hub_ask_need {
	enum hub_ask_kind kind;
	char *name;           /* DRAW: the layout; FILE: the path */
	char *format;         /* DRAW: "zpl" or "pdf" */
	int dpi;              /* DRAW */
	char *text;           /* DRAW: the data as JSON; PIN: the hash */
	char *secret;         /* PIN: the PIN (wiped when freed) */
	uint8_t *bytes;       /* FILE: what to write */
	size_t nbytes;
	bool asked;           /* handed to a worker */
	bool answered;
	bool ok;              /* drawn, matches, written */
	uint8_t *data;        /* DRAW: the document */
	size_t size;
	char *cause;          /* not ok: why, for a person */
};

/* A document drawn that did not read back as it should (its barcodes read
 * otherwise than the data they carry): its cause starts so, to tell it from
 * data that cannot be drawn. */
#define HUB_ASK_UNREADABLE "it does not read back: "

hub_ask_t *hub_ask_new (void);
/* Frees every need and answer (a PIN is wiped first). */
void hub_ask_destroy (hub_ask_t **self_p);

/*
 * For handlers. Each returns 1 with the result, 0 with *cause (the ask's),
 * or -1: not known yet, asked (the request waits and runs again). Every
 * request the loop makes carries an ask.
 */
/* The document drawn from layout with data (a JSON text: everything it shows)
 * as format ("zpl", "pdf") at dpi, every barcode read back; *data and *size
 * are the ask's until the request ends. */
int hub_ask_draw (struct hub_req *req, const char *layout, const char *format, int dpi, const char *json,
    const uint8_t **data, size_t *size, const char **cause);
/* Whether pin is the PIN that hash was made from (1 yes, 0 no). */
int hub_ask_pin (struct hub_req *req, const char *hash, const char *pin);
/* size bytes written to path (created or replaced) and synced. */
int hub_ask_file (struct hub_req *req, const char *path, const void *bytes, size_t size, const char **cause);

/* For the loop. */
/* Some need is not answered yet: the request waits. */
bool hub_ask_waiting (const hub_ask_t *self);
/* The needs, 0 to count - 1; the loop hands those not asked to workers and
 * fills in each answer (answered, ok, data, size, cause: the ask takes them). */
size_t hub_ask_count (const hub_ask_t *self);
struct hub_ask_need *hub_ask_need (hub_ask_t *self, size_t i);

#endif
