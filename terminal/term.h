/*
 * term.h: the terminal's state and what its screens (term-flow-*.c) may
 * call. term-app.c owns requests, the journal and feedback; the screens
 * say what to ask the hub and what to show. Nothing here knows curses.
 */
#ifndef DSP_TERM_H
#define DSP_TERM_H

#include <stdbool.h>
#include <stdint.h>

#include "proto.h"
#include "term-input.h"
#include "term-journal.h"
#include "term-net.h"
#include "term-screen.h"
#include "text.h"

#define TERM_BODY_MAX TERM_VIEW_MAX_LINES
/* A body line, a list's row: room for the longest text of an order whole, and the rest of its row. */
#define TERM_LINE_MAX (2 * TEXT_BYTES (TEXT_ORDER_MAX))
#define TERM_CTX_MAX 16
#define TERM_HISTORY 20
#define TERM_OUTQ_MAX 16 /* commands waiting to go, beside the journal */

struct term;

/* What kind of entry the field takes. */
enum term_field {
	TF_NONE = 0, /* no field: keys only (menus) */
	TF_CODE,     /* scanned or typed code; a lone digit is a function key */
	TF_NUMBER,
	TF_TEXT,
	TF_PIN,      /* masked */
};

/* One screen of the flow: a table entry in term-flow.c. */
struct term_flow {
	const char *name;       /* "receive" */
	const char *title;      /* shown in the title bar */
	const char *permission; /* step or command the role needs to see it in the menu; NULL: everyone */
	const char *menu;       /* menu label; NULL: not in the menu */
	const char *within;     /* the menu screen that lists it ("super"); NULL: the main menu */
	bool offline_ok;        /* scans here may be kept and decided by the hub later */
	void (*enter) (struct term *);
	/* A whole entry from the field. */
	void (*entry) (struct term *, const struct term_input_event *);
	/* A key (TK_F1..., a menu character); true when it acted. */
	bool (*key) (struct term *, int key);
	/* The hub's answer to a request this screen made (not for kept scans replayed later). */
	void (*reply) (struct term *, const proto_msg_t *req, const proto_msg_t *reply);
	/* Prompt, keys and field kind for the current stage. */
	void (*view) (struct term *, struct term_view *);
};

/* The screens, and what takes the hub's print EVENTs: term-flow-table.c's
 * term_flow_table, handed to term_app_init in the options so that
 * term-app.c and the menu, which the screens call, never name a screen. */
struct term_flow_set {
	const struct term_flow *const *flows;  /* menu order */
	int nflows;
	/* An EVENT "print" from the hub (message line, F4 offer, P count). */
	void (*print_event) (struct term *, const proto_msg_t *ev);
	/* F4 while an offer stands: send it; true when something was sent. */
	bool (*offer_take) (struct term *);
};

struct term_options {
	const struct term_flow_set *flows;
	const char *endpoint;
	const char *terminal;
	const char *station;
	const char *profile;     /* handheld or bench */
	const char *journal;
	const char *keys;        /* CURVE key folder (terminal.cert[_secret], hub.cert); NULL: plain */
	int manual_gap_ms;
	int reply_timeout_ms;
	bool mono;
	bool bench_stats;        /* log scan-to-screen times (bench/terminal.sh) */
};

/* One of the recent answers; room for the hub's longest sentences (a label printed before its cancel reached it). */
#define TERM_HISTORY_TEXT 192
struct term_history {
	enum term_msg msg;
	bool provisional;
	char text[TERM_HISTORY_TEXT];
};

/* What F4 does after a print EVENT (redirect to the fallback, or reprint). */
struct term_print_offer {
	char command[16];   /* "" when nothing is offered */
	char parcel[64];
	char printer[64];   /* "" for the station's own printer */
};

#define TERM_PRINT_WATCH PROTO_MAX_UNPRINTED
#define TERM_LIST_MAX 32

struct term {
	struct term_options opt;
	term_net_t *net;
	term_journal_t *journal;
	term_screen_t *scr;
	struct term_input input;

	/* Session, as the hub told it. */
	bool logged_in;
	char operator[32], name[64], role[32];
	char permissions[512];

	/* The current screen and its stage. */
	const struct term_flow *flow;
	int stage;
	enum term_field field;
	char ctx[TERM_CTX_MAX][2][TEXT_BYTES (TEXT_ORDER_MAX)]; /* key/value pairs the screen keeps (a department typed) */
	char body[TERM_BODY_MAX][TERM_LINE_MAX];
	int body_attr[TERM_BODY_MAX];
	int nbody;
	int page;
	char side[TERM_BODY_MAX][TERM_LINE_MAX];
	int side_attr[TERM_BODY_MAX];
	int nside;

	/* The message line. */
	enum term_msg msg;
	char msg_text[512];
	bool blocked;             /* an alarm waits for acknowledgement */
	/* Which turn (a key, an answer or event from the hub) wrote the message:
	 * a screen change in a later turn takes an old error or warning away,
	 * while the answer to the step just done, written in this turn, stays. */
	unsigned turn, msg_turn;
	char alarm_code[128];     /* what the alarm was about, for COMMAND ack */

	/* The one request out. */
	proto_msg_t *inflight;    /* a copy of what was sent */
	bool inflight_journal;
	bool inflight_provisional;
	/* Requests never journalled, in the order they go: LOGIN and LOGOUT (a
	 * PIN stays off disk), and every COMMAND (notes, reasons and other
	 * free text stay off disk too; a command needs the hub, so it is only
	 * made while the hub answers). */
	struct term_out {
		proto_msg_t *msg;             /* seq 0: numbered when it goes (LOGIN, LOGOUT) */
		const struct term_flow *flow; /* the screen its answer goes to (NULL: the message line) */
	} outq[TERM_OUTQ_MAX + 1]; /* + the one out, put back when the hub stops answering */
	int noutq;
	bool session_ok;          /* the hub holds a session: journal may be sent */
	int64_t retry_at;         /* after ERROR STORAGE: wait before sending again */

	/* Printing, as the hub's EVENTs told it. */
	struct term_print_offer offer;
	char fallback[64];                          /* the group's fallback label printer, when known */
	char unprinted[TERM_PRINT_WATCH][64];       /* parcels whose label waits (offline, failed...) */
	int nunprinted;
	bool detached;                              /* the next request's answer goes to the message line, not the screen */

	/* A list screen's items (print jobs, queues): the hub's row each body line stands for. */
	char list[TERM_LIST_MAX][TERM_LINE_MAX];
	int nlist;
	char chosen[TERM_LINE_MAX]; /* the row chosen from such a list, while the screen acts on it */

	struct term_history history[TERM_HISTORY];
	int nhistory;

	/* Feedback: beeps still to sound and when; the flash's end (monotonic ms). */
	int beeps;
	int64_t beep_at;
	int beep_gap_ms;
	int64_t flash_until;

	bool dirty;
	bool quit;
	int64_t scan_us;          /* when the last scan was complete (latency figures) */
};

/* --- term-app.c ---------------------------------------------------------- */
int term_app_init (struct term *t, const struct term_options *opt, char **cause);
void term_app_free (struct term *t);
/* One key from the keyboard or scanner, with its arrival time. */
void term_app_key (struct term *t, int key, int64_t now_ms);
/* Network and timers; call after every wake-up. */
void term_app_tick (struct term *t, int64_t now_ms);
/* True when a beep is due now (one beep each call). */
bool term_app_beep_due (struct term *t, int64_t now_ms);
/* True while the screen should be shown flashed (reverse video). */
bool term_app_flashing (struct term *t, int64_t now_ms);
/* Work that waits until the screen is drawn and nothing is out: wiping
 * answered scans from the journal's files. */
void term_app_idle (struct term *t);
/* Milliseconds until term_app_tick has timer work. */
int term_app_timeout (struct term *t, int64_t now_ms);
/* Lay the current screen out on t->scr (the caller has set its size). */
void term_app_layout (struct term *t);

/* For screens: switch screen (resets stage, context, body, field). */
void term_goto (struct term *t, const char *name);
const struct term_flow *term_flow_find (struct term *t, const char *name);
/* Message line with its sound; TM_ALARM also blocks scanning. */
void term_message (struct term *t, enum term_msg kind, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));
/* Send a SCAN of this step for code (journalled first); ctx pairs "k", "v"..., NULL. */
int term_send_scan (struct term *t, const char *step, const struct term_input_event *ev, ...);
/* Send a COMMAND with args "k", "v", ..., NULL (journalled; refused offline). */
int term_send_command (struct term *t, const char *name, ...);
/* LOGIN / LOGOUT (kept in memory only). */
void term_send_login (struct term *t, const char *badge, const char *pin);
void term_send_logout (struct term *t);
/* A request is out for the current screen. */
bool term_busy (struct term *t);
bool term_may (struct term *t, const char *permission);

void term_ctx_set (struct term *t, const char *key, const char *value);
const char *term_ctx_get (struct term *t, const char *key); /* "" when unset */
void term_body_clear (struct term *t);
void term_body_add (struct term *t, int attr, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));
void term_side_clear (struct term *t);
void term_side_add (struct term *t, int attr, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));
/* Reply data value or "". */
const char *term_data (const proto_msg_t *reply, const char *key);
/* Show the reply's text on the message line with its status. */
void term_show_reply (struct term *t, const proto_msg_t *reply);
/* Add a line to the recent answers (side panel). */
void term_history_add (struct term *t, enum term_msg kind, const char *text);

/* --- term-flow-table.c --------------------------------------------------- */
extern const struct term_flow_set term_flow_table;

#endif
