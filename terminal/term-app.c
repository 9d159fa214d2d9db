/*
 * term-app.c: the terminal's core. Keys become entries (term-input.c),
 * entries become requests, every SCAN and COMMAND goes into the journal
 * before it is sent, one request is out at a time (in journal order), and
 * answers come back to the screen that asked. When the hub stops answering
 * the journal keeps everything and is sent in order once HELLO is answered.
 */
#include "config.h"
#include "term.h"
#include "term-words.h"
#include "log.h"
#include "text.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Beeps by message kind: a single beep only ever means success. A flash
 * (the screen in reverse video for flash_ms) marks a refusal or an alarm. */
static const struct {
	enum term_msg msg;
	int beeps;
	int flash_ms;
	int gap_ms;
} term_app_sounds[] = {
	{ TM_OK, 1, 0, 0 },
	{ TM_WARN, 2, 0, 180 },
	{ TM_REFUSED, 3, 100, 150 },
	{ TM_ALARM, 5, 100, 120 },
	{ TM_PROVISIONAL, 2, 0, 400 },
};

/* Text that snprintf cut at its buffer's end: never part of a character (the screen would show '?'). */
static void
term_app_mend (char *s)
{
	s[text_utf8_whole (s, strlen (s))] = '\0';
}

/* A scan dropped during an alarm: the refusal's sound and flash, nothing sent. */
#define TERM_APP_DROPPED_BEEPS 3
#define TERM_APP_DROPPED_GAP_MS 120
#define TERM_APP_DROPPED_FLASH_MS 100

/* The screen the answer out goes to, and the one the latest scan came from. */
static const struct term_flow *term_app_inflight_flow, *term_app_scan_flow;

static void term_app_field (struct term *t);

int
term_app_init (struct term *t, const struct term_options *opt, char **cause)
{
	memset (t, 0, sizeof *t);
	t->opt = *opt;
	t->journal = term_journal_open (opt->journal, cause);
	if (t->journal == NULL)
		return -1;
	struct term_net_options no = {
		.endpoint = opt->endpoint,
		.terminal = opt->terminal,
		.station = opt->station,
		.profile = opt->profile,
		.reply_timeout_ms = opt->reply_timeout_ms,
		.keys = opt->keys,
	};
	t->net = term_net_new (&no, cause);
	if (t->net == NULL) {
		term_journal_close (&t->journal);
		return -1;
	}
	term_input_init (&t->input, opt->manual_gap_ms);
	t->scr = term_screen_new (24, 80);
	t->msg = TM_NONE;
	term_goto (t, "login");
	unsigned kept = term_journal_count (t->journal);
	if (kept > 0)
		term_message (t, TM_PROVISIONAL, "%u kept scans will be sent when the hub answers", kept);
	return 0;
}

void
term_app_free (struct term *t)
{
	proto_msg_destroy (&t->inflight);
	for (int i = 0; i < t->noutq; i++)
		proto_msg_destroy (&t->outq[i].msg);
	t->noutq = 0;
	term_net_destroy (&t->net);
	term_journal_close (&t->journal);
	term_screen_destroy (&t->scr);
}

/* --- small helpers for screens ------------------------------------------ */

const struct term_flow *
term_flow_find (struct term *t, const char *name)
{
	const struct term_flow_set *s = t->opt.flows;
	for (int i = 0; i < s->nflows; i++)
		if (strcmp (s->flows[i]->name, name) == 0)
			return s->flows[i];
	return NULL;
}

static void
term_app_field (struct term *t)
{
	struct term_view v;
	memset (&v, 0, sizeof v);
	t->field = TF_NONE;
	if (t->flow->view)
		t->flow->view (t, &v);
	t->input.immediate = t->field == TF_NONE;
	t->input.one_char_keys = t->field == TF_CODE;
	if (t->blocked) {
		/* A scan during an alarm must stay a scan (dropped), never a key that acknowledges. */
		t->input.immediate = false;
		t->input.one_char_keys = true;
	}
}

void
term_goto (struct term *t, const char *name)
{
	const struct term_flow *f = term_flow_find (t, name);
	if (f == NULL)
		return;
	/* An error or warning from an earlier turn belongs to the screen left;
	 * an alarm still waiting for F1 stays, and so do news of kept scans. */
	bool stale = t->msg == TM_WARN || t->msg == TM_REFUSED || t->msg == TM_ALARM;
	if (stale && !t->blocked && t->msg_turn != t->turn) {
		t->msg = TM_NONE;
		t->msg_text[0] = '\0';
		t->offer.command[0] = '\0';
	}
	t->flow = f;
	t->stage = 0;
	t->page = 0;
	memset (t->ctx, 0, sizeof t->ctx);
	term_body_clear (t);
	term_side_clear (t);
	term_input_clear (&t->input);
	if (f->enter)
		f->enter (t);
	term_app_field (t);
	t->dirty = true;
}

bool
term_may (struct term *t, const char *permission)
{
	if (permission == NULL)
		return true;
	size_t n = strlen (permission);
	for (const char *p = t->permissions; (p = strstr (p, permission)) != NULL; p += n)
		if ((p == t->permissions || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return true;
	return false;
}

void
term_ctx_set (struct term *t, const char *key, const char *value)
{
	int free_slot = -1;
	for (int i = 0; i < TERM_CTX_MAX; i++) {
		if (strcmp (t->ctx[i][0], key) == 0) {
			text_strlcpy (t->ctx[i][1], value ? value : "", sizeof t->ctx[i][1]);
			return;
		}
		if (free_slot < 0 && t->ctx[i][0][0] == '\0')
			free_slot = i;
	}
	if (free_slot >= 0) {
		util_strlcpy (t->ctx[free_slot][0], key, sizeof t->ctx[free_slot][0]);
		text_strlcpy (t->ctx[free_slot][1], value ? value : "", sizeof t->ctx[free_slot][1]);
	}
}

const char *
term_ctx_get (struct term *t, const char *key)
{
	for (int i = 0; i < TERM_CTX_MAX; i++)
		if (t->ctx[i][0][0] && strcmp (t->ctx[i][0], key) == 0)
			return t->ctx[i][1];
	return "";
}

void
term_body_clear (struct term *t)
{
	t->nbody = 0;
	t->page = 0;
}

void
term_body_add (struct term *t, int attr, const char *fmt, ...)
{
	if (t->nbody >= TERM_BODY_MAX)
		return;
	va_list ap;
	va_start (ap, fmt);
	vsnprintf (t->body[t->nbody], TERM_LINE_MAX, fmt, ap);
	va_end (ap);
	term_app_mend (t->body[t->nbody]);
	t->body_attr[t->nbody++] = attr;
	t->dirty = true;
}

void
term_side_clear (struct term *t)
{
	t->nside = 0;
}

void
term_side_add (struct term *t, int attr, const char *fmt, ...)
{
	if (t->nside >= TERM_BODY_MAX)
		return;
	va_list ap;
	va_start (ap, fmt);
	vsnprintf (t->side[t->nside], TERM_LINE_MAX, fmt, ap);
	va_end (ap);
	term_app_mend (t->side[t->nside]);
	t->side_attr[t->nside++] = attr;
	t->dirty = true;
}

const char *
term_data (const proto_msg_t *reply, const char *key)
{
	const char *v = proto_msg_id (reply) == PROTO_REPLY ? proto_hash_get (reply, PROTO_REPLY_DATA, key) : NULL;
	return v ? v : "";
}

static void
term_app_history (struct term *t, enum term_msg kind, bool provisional, const char *text)
{
	if (text == NULL || *text == '\0')
		return;
	memmove (&t->history[1], &t->history[0], sizeof t->history[0] * (TERM_HISTORY - 1));
	t->history[0].msg = kind;
	t->history[0].provisional = provisional;
	text_strlcpy (t->history[0].text, text, sizeof t->history[0].text);
	if (t->nhistory < TERM_HISTORY)
		t->nhistory++;
}

void
term_history_add (struct term *t, enum term_msg kind, const char *text)
{
	term_app_history (t, kind, false, text);
}

void
term_message (struct term *t, enum term_msg kind, const char *fmt, ...)
{
	/* An F4 offer belongs to the message that made it. */
	t->offer.command[0] = '\0';
	va_list ap;
	va_start (ap, fmt);
	vsnprintf (t->msg_text, sizeof t->msg_text, fmt, ap);
	term_app_mend (t->msg_text);
	va_end (ap);
	t->msg = kind;
	t->msg_turn = t->turn;
	t->dirty = true;
	for (size_t i = 0; i < nitems (term_app_sounds); i++) {
		if (term_app_sounds[i].msg != kind)
			continue;
		t->beeps = term_app_sounds[i].beeps;
		t->beep_gap_ms = term_app_sounds[i].gap_ms;
		t->beep_at = 0;
		t->flash_until = term_app_sounds[i].flash_ms ? util_mono_ms () + term_app_sounds[i].flash_ms : 0;
	}
	if (kind == TM_ALARM) {
		t->blocked = true;
		term_input_clear (&t->input);
		if (t->flow)
			term_app_field (t);
	}
}

void
term_show_reply (struct term *t, const proto_msg_t *reply)
{
	if (proto_msg_id (reply) != PROTO_REPLY) {
		term_message (t, TM_REFUSED, "%s", proto_get_str (reply, PROTO_ERROR_TEXT));
		return;
	}
	int status = (int) proto_get_num (reply, PROTO_REPLY_STATUS);
	if (status < TM_OK || status > TM_ALARM)
		status = TM_REFUSED;
	char text[1100];
	term_word_text (proto_get_str (reply, PROTO_REPLY_TEXT), text, sizeof text); /* codes as people read them */
	if (status == TM_ALARM)
		term_message (t, TM_ALARM, "%s. F1 to acknowledge", text);
	else
		term_message (t, (enum term_msg) status, "%s", text);
}

/* --- requests ------------------------------------------------------------- */

bool
term_busy (struct term *t)
{
	return (t->inflight && !t->inflight_provisional) || t->noutq > 0;
}

static void term_app_pump (struct term *t, int64_t now_ms);

/* A scan: journal it (numbering it), then send when it is its turn. */
static int
term_app_journal (struct term *t, proto_msg_t *msg, const char *what)
{
	bool up = term_net_up (t->net);
	if (term_journal_add (t->journal, msg, !up, util_wall_ms ()) != 0) {
		term_message (t, TM_REFUSED, "Not saved: the terminal's journal cannot be written. Call a supervisor");
		log_error ("journal write failed");
		return -1;
	}
	if (!up) {
		term_message (t, TM_PROVISIONAL, "Kept: %s. Hub not reachable; it will be sent later", what);
		term_app_history (t, TM_PROVISIONAL, true, what);
	} else {
		term_app_scan_flow = t->flow;
		term_app_pump (t, util_mono_ms ());
	}
	t->dirty = true;
	return 0;
}

/* Queue a request that is not journalled, at the back (or, front: at the
 * front, for one the hub did not answer); numbered now when number is set. */
static int
term_app_queue (struct term *t, proto_msg_t *m, const struct term_flow *flow, bool number, bool front)
{
	if (t->noutq >= TERM_OUTQ_MAX + (front ? 1 : 0)) {
		term_message (t, TM_REFUSED, "Too many requests waiting for the hub. Wait for the answers, then try again");
		proto_msg_destroy (&m);
		return -1;
	}
	if (number) {
		uint32_t seq = term_journal_take_seq (t->journal);
		if (seq == 0) {
			term_message (t, TM_REFUSED, "The terminal's journal cannot be written. Call a supervisor");
			proto_msg_destroy (&m);
			return -1;
		}
		proto_msg_set_seq (m, seq);
	}
	if (front) {
		memmove (&t->outq[1], &t->outq[0], (size_t) t->noutq * sizeof t->outq[0]);
		t->outq[0] = (struct term_out) { m, flow };
	} else {
		t->outq[t->noutq] = (struct term_out) { m, flow };
	}
	t->noutq++;
	t->dirty = true;
	return 0;
}

static void
term_app_ctx_args (proto_msg_t *m, int field, va_list ap)
{
	const char *k;
	while ((k = va_arg (ap, const char *)) != NULL) {
		const char *v = va_arg (ap, const char *);
		if (v && *v)
			proto_hash_set (m, field, k, v);
	}
}

int
term_send_scan (struct term *t, const char *step, const struct term_input_event *ev, ...)
{
	if (!term_net_up (t->net) && !t->flow->offline_ok) {
		term_message (t, TM_REFUSED, "Hub not reachable: %s needs an answer. Try again when it is back", step);
		return -1;
	}
	proto_msg_t *m = proto_msg_new (PROTO_SCAN);
	proto_msg_set_terminal (m, t->opt.terminal);
	proto_set_str (m, PROTO_SCAN_STEP, step);
	proto_set_str (m, PROTO_SCAN_CODE, ev->code);
	proto_set_num (m, PROTO_SCAN_MANUAL, ev->manual ? 1 : 0);
	va_list ap;
	va_start (ap, ev);
	term_app_ctx_args (m, PROTO_SCAN_CONTEXT, ap);
	va_end (ap);
	char what[80];
	snprintf (what, sizeof what, "%s %.60s", step, ev->code);
	term_app_mend (what);
	int rc = term_app_journal (t, m, what);
	proto_msg_destroy (&m);
	return rc;
}

int
term_send_command (struct term *t, const char *name, ...)
{
	if (!term_net_up (t->net)) {
		term_message (t, TM_REFUSED, "Hub not reachable: %s not done. Try again when it is back", name);
		return -1;
	}
	proto_msg_t *m = proto_msg_new (PROTO_COMMAND);
	proto_msg_set_terminal (m, t->opt.terminal);
	proto_set_str (m, PROTO_COMMAND_NAME, name);
	va_list ap;
	va_start (ap, name);
	term_app_ctx_args (m, PROTO_COMMAND_ARGS, ap);
	va_end (ap);
	/* Numbered now, so it goes in its turn among the scans journalled beside it. */
	if (term_app_queue (t, m, t->detached ? NULL : t->flow, true, false) != 0)
		return -1;
	term_app_pump (t, util_mono_ms ());
	return 0;
}

/* LOGIN and LOGOUT are numbered when they go (term_app_pump), not now: a
 * LOGIN typed before the first HELLO is answered must get a number above
 * the hub's last_seq. A new one takes the place of one still waiting. */
static void
term_app_pending (struct term *t, proto_msg_t *m)
{
	proto_msg_set_seq (m, 0);
	for (int i = 0; i < t->noutq; i++)
		if (proto_msg_seq (t->outq[i].msg) == 0) {
			proto_msg_destroy (&t->outq[i].msg);
			memmove (&t->outq[i], &t->outq[i + 1], (size_t) (t->noutq - i - 1) * sizeof t->outq[0]);
			t->noutq--;
			break;
		}
	if (term_app_queue (t, m, t->flow, false, false) == 0)
		term_app_pump (t, util_mono_ms ());
	t->dirty = true;
}

void
term_send_login (struct term *t, const char *badge, const char *pin)
{
	/* Sent when the hub answers; a PIN is never written to the journal. */
	if (!term_net_up (t->net))
		term_message (t, TM_INFO, "Waiting for the hub to check the PIN...");
	proto_msg_t *m = proto_msg_new (PROTO_LOGIN);
	proto_set_str (m, PROTO_LOGIN_BADGE, badge);
	proto_set_str (m, PROTO_LOGIN_PIN, pin);
	term_app_pending (t, m);
}

void
term_send_logout (struct term *t)
{
	t->logged_in = false;
	t->session_ok = false;
	t->operator[0] = t->name[0] = t->role[0] = t->permissions[0] = '\0';
	if (term_net_up (t->net) && term_journal_count (t->journal) == 0)
		term_app_pending (t, proto_msg_new (PROTO_LOGOUT));
	/* With scans still kept the hub session stays, so they can be sent. */
	if (term_journal_count (t->journal) > 0)
		t->session_ok = true;
	term_goto (t, "login");
}

/* The next request to go: the journal's oldest scan, or the queue's first,
 * whichever was numbered first (an unnumbered LOGIN waits for the scans). */
static void
term_app_pump (struct term *t, int64_t now_ms)
{
	if (!term_net_up (t->net) || t->inflight != NULL || now_ms < t->retry_at)
		return;
	bool provisional = false;
	proto_msg_t *m = t->session_ok ? term_journal_head (t->journal, &provisional) : NULL;
	proto_msg_t *q = t->noutq > 0 ? t->outq[0].msg : NULL;
	if (m && q && proto_msg_seq (q) != 0 && proto_msg_seq (q) < proto_msg_seq (m))
		proto_msg_destroy (&m); /* the command came first */
	if (m != NULL) {
		if (term_net_send (t->net, m, now_ms) != 0) {
			proto_msg_destroy (&m);
			return;
		}
		t->inflight = m;
		term_app_inflight_flow = term_app_scan_flow;
		t->inflight_journal = true;
		t->inflight_provisional = provisional;
	} else if (q != NULL) {
		if (proto_msg_seq (q) == 0) {
			uint32_t seq = term_journal_take_seq (t->journal);
			if (seq == 0) {
				term_message (t, TM_REFUSED, "The terminal's journal cannot be written. Call a supervisor");
				return;
			}
			proto_msg_set_seq (q, seq);
		}
		if (term_net_send (t->net, q, now_ms) != 0)
			return;
		t->inflight = q;
		term_app_inflight_flow = t->outq[0].flow;
		memmove (&t->outq[0], &t->outq[1], (size_t) (t->noutq - 1) * sizeof t->outq[0]);
		t->noutq--;
		t->inflight_journal = false;
		t->inflight_provisional = false;
	}
	t->dirty = true;
}

static void
term_app_session (struct term *t, const proto_msg_t *r)
{
	util_strlcpy (t->operator, term_data (r, "operator"), sizeof t->operator);
	util_strlcpy (t->role, term_data (r, "role"), sizeof t->role);
	util_strlcpy (t->permissions, term_data (r, "permissions"), sizeof t->permissions);
	if (*term_data (r, "name"))
		text_strlcpy (t->name, term_data (r, "name"), sizeof t->name);
	t->logged_in = t->session_ok = true;
}

/* The labels the hub says wait unprinted for this terminal, for the P count: the EVENTs that told of them may
 * have been lost (held by a hub that stopped since, or sent before this terminal started). A hub that does not
 * say leaves the count as the EVENTs made it. */
static void
term_app_unprinted (struct term *t, const proto_msg_t *r)
{
	long n;
	if (!util_parse_long (term_data (r, "unprinted"), 0, 1000, &n))
		return;
	t->nunprinted = 0;
	for (long i = 1; i <= n && t->nunprinted < TERM_PRINT_WATCH; i++) {
		char key[32];
		snprintf (key, sizeof key, "unprinted.%ld", i);
		if (*term_data (r, key))
			text_strlcpy (t->unprinted[t->nunprinted++], term_data (r, key), sizeof t->unprinted[0]);
	}
}

/* A HELLO answered: numbers, session, then what is kept goes in order. */
static void
term_app_up (struct term *t, const proto_msg_t *r)
{
	long last = 0;
	util_parse_long (term_data (r, "last_seq"), 0, 0xEFFFFFFFL, &last);
	term_journal_seq_at_least (t->journal, (uint32_t) last + 1);
	term_app_unprinted (t, r);
	if (*term_data (r, "operator")) {
		bool was = t->logged_in;
		term_app_session (t, r);
		if (!was && strcmp (t->flow->name, "login") == 0) {
			term_goto (t, "menu");
			term_message (t, TM_INFO, "Resumed: %s (%s)", t->operator, t->role);
		}
	} else {
		t->session_ok = false;
		if (t->logged_in) {
			t->logged_in = false;
			term_goto (t, "login");
			term_message (t, TM_REFUSED, "The hub has no session for this terminal. Log in again");
		}
	}
	unsigned kept = term_journal_count (t->journal);
	if (kept > 0 && t->session_ok)
		term_message (t, TM_INFO, "Hub back: sending %u kept scans", kept);
	else if (t->msg == TM_PROVISIONAL || t->msg == TM_NONE)
		term_message (t, TM_INFO, "Hub reachable");
	log_info ("hub answered HELLO: last_seq %ld, %u kept", last, kept);
}

static void
term_app_down (struct term *t)
{
	bool live = t->inflight && !t->inflight_provisional;
	if (t->inflight && !t->inflight_journal) {
		/* Resent first, with its number, when the hub is back: the hub answers a repeat from its stored reply. */
		term_app_queue (t, t->inflight, term_app_inflight_flow, false, true);
		t->inflight = NULL;
	}
	proto_msg_destroy (&t->inflight);
	term_journal_mark_provisional (t->journal);
	unsigned kept = term_journal_count (t->journal);
	if (live && kept > 0)
		term_message (t, TM_PROVISIONAL, "Hub not answering. %u scans kept; they will be sent when it is back",
		    kept);
	else
		term_message (t, TM_WARN, "Hub not answering. Scans are kept and sent later");
	t->dirty = true;
}

static void
term_app_reply (struct term *t, proto_msg_t *r, int64_t now_ms)
{
	if (t->inflight == NULL || proto_msg_seq (r) != proto_msg_seq (t->inflight))
		return; /* a late answer to something already settled */
	term_net_answered (t->net);
	proto_msg_t *req = t->inflight;
	t->inflight = NULL;
	bool journal = t->inflight_journal, provisional = t->inflight_provisional;
	uint32_t seq = proto_msg_seq (req);
	int id = proto_msg_id (r);
	int status = id == PROTO_REPLY ? (int) proto_get_num (r, PROTO_REPLY_STATUS) : PROTO_REFUSED;
	int reason = (int) proto_get_num (r, id == PROTO_REPLY ? PROTO_REPLY_REASON : PROTO_ERROR_REASON);
	const char *text = proto_get_str (r, id == PROTO_REPLY ? PROTO_REPLY_TEXT : PROTO_ERROR_TEXT);
	bool mine = !provisional && t->flow == term_app_inflight_flow;

	if (journal && id == PROTO_ERROR && reason == PR_STORAGE) {
		/* Not applied: the same number again in a moment. */
		t->retry_at = now_ms + 1000;
		term_message (t, TM_WARN, "Hub cannot save just now; retrying");
	} else if (reason == PR_NOT_LOGGED_IN || reason == PR_SESSION_EXPIRED) {
		/* Not applied, and the refusal is stored under that number: a scan is
		 * renumbered and waits for the login; a command is not kept (the
		 * message says why: it is done again after logging in). */
		uint32_t n;
		if (journal)
			term_journal_renumber (t->journal, seq, &n);
		t->session_ok = t->logged_in = false;
		term_goto (t, "login");
		term_message (t, TM_REFUSED, "%s", text);
	} else if (journal && provisional && status >= PROTO_REFUSED) {
		char what[96];
		text_strlcpy (what, text, sizeof what);
		term_journal_reject (t->journal, seq, what, util_wall_ms ());
		term_app_history (t, TM_ALARM, false, text);
		term_message (t, TM_ALARM, "LATE REJECT: a kept scan was refused. F1 to see the list");
		log_warn ("kept request %u refused by the hub: %s", seq, text);
	} else {
		if (journal)
			term_journal_remove (t->journal, seq);
		if (proto_msg_id (req) == PROTO_LOGIN && status == PROTO_OK)
			term_app_session (t, r);
		char h[80];
		char words[73];
		term_word_text (text, words, sizeof words);
		snprintf (h, sizeof h, "%s%s", provisional ? "sent: " : "", words);
		term_app_history (t, status < 0 || status > 3 ? TM_REFUSED : (enum term_msg) status, false, h);
		if (mine && t->flow->reply)
			t->flow->reply (t, req, r);
		else if (mine || !provisional)
			term_show_reply (t, r);
		else if (term_journal_count (t->journal) == 0 && t->msg == TM_INFO)
			term_message (t, TM_INFO, "All kept scans sent");
		if (status == PROTO_ALARM && proto_msg_id (req) == PROTO_SCAN)
			util_strlcpy (t->alarm_code, proto_get_str (req, PROTO_SCAN_CODE), sizeof t->alarm_code);
	}
	if (t->opt.bench_stats && mine && t->scan_us) {
		log_info ("latency_us %lld", (long long) (util_mono_us () - t->scan_us));
		t->scan_us = 0;
	}
	proto_msg_destroy (&req);
	term_app_field (t);
	t->dirty = true;
}

/* Unasked news from the hub: never an answer, whatever its number. */
static void
term_app_event (struct term *t, const proto_msg_t *ev)
{
	const char *topic = proto_get_str (ev, PROTO_EVENT_TOPIC);
	if (strcmp (topic, "print") == 0)
		t->opt.flows->print_event (t, ev);
	else
		log_debug ("event %s ignored", topic);
}

void
term_app_tick (struct term *t, int64_t now_ms)
{
	proto_msg_t *r = NULL;
	for (int i = 0; i < 64; i++) {
		enum term_net_event ev = term_net_poll (t->net, now_ms, &r);
		if (ev == TN_EV_NONE)
			break;
		t->turn++;
		if (ev == TN_EV_UP)
			term_app_up (t, r);
		else if (ev == TN_EV_DOWN)
			term_app_down (t);
		else if (ev == TN_EV_REPLY)
			term_app_reply (t, r, now_ms);
		else if (ev == TN_EV_EVENT)
			term_app_event (t, r);
		else if (ev == TN_EV_REFUSED) /* not the network: somebody has to act */
			term_message (t, TM_WARN, "No hub: %s", term_net_why (t->net));
		proto_msg_destroy (&r);
		t->dirty = true;
	}
	if (t->logged_in && !t->blocked && term_journal_rejected_count (t->journal) > 0
	    && strcmp (t->flow->name, "rejected") != 0)
		term_goto (t, "rejected");
	term_app_pump (t, now_ms);
}

void
term_app_idle (struct term *t)
{
	/* Between answers, never in a burst of them (the next goes out first). */
	if (t->inflight == NULL && term_journal_scrub_due (t->journal) && term_journal_scrub (t->journal) != 0)
		log_warn ("journal: answered scans not yet wiped from its files (tried again after the next answer)");
}

int
term_app_timeout (struct term *t, int64_t now_ms)
{
	int ms = term_net_timeout (t->net, now_ms);
	if (t->beeps > 0) {
		int64_t b = t->beep_at - now_ms;
		if (b < ms)
			ms = b < 0 ? 0 : (int) b;
	}
	if (t->retry_at > now_ms && t->retry_at - now_ms < ms)
		ms = (int) (t->retry_at - now_ms);
	/* The flash ends on the poll's timeout, not by sleeping. */
	if (t->flash_until > now_ms && t->flash_until - now_ms < ms)
		ms = (int) (t->flash_until - now_ms);
	return ms;
}

bool
term_app_flashing (struct term *t, int64_t now_ms)
{
	return now_ms < t->flash_until;
}

bool
term_app_beep_due (struct term *t, int64_t now_ms)
{
	if (t->beeps <= 0 || now_ms < t->beep_at)
		return false;
	t->beeps--;
	t->beep_at = now_ms + t->beep_gap_ms;
	return true;
}

/* --- keys ------------------------------------------------------------------ */

static void
term_app_ack (struct term *t)
{
	t->blocked = false;
	if (t->alarm_code[0] && term_net_up (t->net))
		term_send_command (t, "ack", "code", t->alarm_code, NULL);
	t->alarm_code[0] = '\0';
	term_message (t, TM_INFO, "Acknowledged. Scan again");
	term_app_field (t);
}

static bool
term_app_page (struct term *t, int key)
{
	if (key == TK_PGDN || key == '+' || key == TK_DOWN) {
		t->page++;
		t->dirty = true;
		return true;
	}
	if (key == TK_PGUP || key == '-' || key == TK_UP) {
		if (t->page > 0)
			t->page--;
		t->dirty = true;
		return true;
	}
	return false;
}

/* Function keys also as a digit entered alone (1-4), and Esc for back. */
static int
term_app_fkey (int key)
{
	if (key >= '1' && key <= '4')
		return TK_F1 + (key - '1');
	if (key == TK_ESC)
		return TK_F3;
	return key;
}

void
term_app_key (struct term *t, int key, int64_t now_ms)
{
	if (key == TK_RESIZE) {
		t->dirty = true;
		return;
	}
	struct term_input_event ev;
	enum term_input_type type = term_input_feed (&t->input, key, now_ms, &ev);
	if (type == TI_NONE)
		return;
	t->turn++;
	t->dirty = true;
	if (type == TI_EDIT)
		return;
	if (type == TI_SCAN) {
		t->scan_us = util_mono_us ();
		if (t->blocked) {
			/* Cannot scan past an alarm: the code is dropped, the alarm stays. */
			t->beeps = TERM_APP_DROPPED_BEEPS;
			t->beep_gap_ms = TERM_APP_DROPPED_GAP_MS;
			t->beep_at = 0;
			t->flash_until = now_ms + TERM_APP_DROPPED_FLASH_MS;
			return;
		}
		if (t->flow->entry)
			t->flow->entry (t, &ev);
		term_app_field (t);
		return;
	}
	int k = ev.key;
	if (t->blocked) {
		if (k == TK_F1 || k == '1')
			term_app_ack (t);
		return;
	}
	if (term_app_page (t, k))
		return;
	if (t->field == TF_CODE || t->field == TF_NONE)
		k = t->field == TF_NONE && k >= '1' && k <= '9' ? k : term_app_fkey (k);
	else if (k == TK_ESC)
		k = TK_F3;
	if (k == TK_F4 && t->offer.command[0] && t->opt.flows->offer_take (t)) {
		term_app_field (t);
		return;
	}
	if (t->flow->key && t->flow->key (t, k)) {
		term_app_field (t);
		return;
	}
	/* Back: to the menu that lists the screen. */
	if (k == TK_F3 && t->logged_in && strcmp (t->flow->name, "menu") != 0)
		term_goto (t, t->flow->within ? t->flow->within : "menu");
	term_app_field (t);
}

/* --- layout ------------------------------------------------------------------ */

void
term_app_layout (struct term *t)
{
	struct term_view v;
	memset (&v, 0, sizeof v);
	v.title = t->flow->title;
	if (t->flow->view)
		t->flow->view (t, &v);
	for (int i = 0; i < t->nbody; i++)
		v.body[i] = (struct term_line) { t->body[i], t->body_attr[i] };
	v.nbody = (size_t) t->nbody;
	v.page = t->page;
	char shown[TERM_INPUT_MAX + 1];
	term_input_display (&t->input, shown, sizeof shown);
	v.input = shown;
	v.masked = t->field == TF_PIN;
	if (t->field == TF_NONE)
		v.prompt = NULL;
	v.msg = t->msg;
	v.msg_text = t->msg_text;
	if (t->blocked) {
		memset (v.keys, 0, sizeof v.keys);
		v.keys[0] = "Ack";
	} else if (t->offer.command[0]) {
		v.keys[3] = "Reprint";
	}
	/* Every key's short form from the one table, for a key line that cannot hold the labels. */
	for (int k = 0; k < 4; k++)
		v.keys_brief[k] = v.keys[k] ? term_word_brief (TW_KEY, v.keys[k]) : NULL;
	v.working = term_busy (t);
	v.operator = t->logged_in ? t->operator : "-";
	v.station = t->opt.station;
	enum term_net_state ns = term_net_state (t->net);
	v.hub_ok = ns == TN_UP;
	const char *refusal = term_net_refusal (t->net);
	v.hub = ns == TN_UP ? "HUB OK" : refusal ? refusal : ns == TN_CONNECTING ? "HUB ?" : "NO HUB";
	v.queued = term_journal_count (t->journal);
	v.rejected = term_journal_rejected_count (t->journal);
	v.unprinted = (unsigned) t->nunprinted;

	/* Wide windows: the screen's own panel, else the recent answers. */
	char hist[TERM_HISTORY][TERM_HISTORY_TEXT + 8];
	if (t->nside > 0) {
		for (int i = 0; i < t->nside; i++)
			v.side[i] = (struct term_line) { t->side[i], t->side_attr[i] };
		v.nside = (size_t) t->nside;
		if (v.side_title == NULL)
			v.side_title = "Details";
	} else {
		v.side_title = "Recent";
		v.side_narrow = false; /* the recent answers are for wide windows only */
		for (int i = 0; i < t->nhistory; i++) {
			snprintf (hist[i], sizeof hist[i], "%s %s", t->history[i].provisional ? "~~" : term_screen_symbol (t->history[i].msg),
			    t->history[i].text);
			v.side[i] = (struct term_line) { hist[i], t->history[i].provisional ? TA_PROVISIONAL : TA_NORMAL };
		}
		v.nside = (size_t) t->nhistory;
	}
	term_screen_layout (t->scr, &v);
	t->page = v.page;
}
