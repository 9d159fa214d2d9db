/*
 * test-kill.c: nothing acknowledged is lost or doubled when the hub dies.
 * Eight simulated terminals (own ids, own sequence numbers, each logged in)
 * receive imported orders through the real protocol while the hub is
 * SIGKILLed at random moments and restarted on the same database. A terminal
 * resends an unanswered request with the same sequence number (as its
 * journal does). At the end every acknowledged scan is in the database
 * exactly once, nothing unacknowledged was lost either (all are resent until
 * answered), and PRAGMA integrity_check is ok. A despatch backup taken while
 * they scan is whole. Figures go out as TAP diag lines.
 * DSP_KILL_SEED=N repeats a run.
 */
#include "config.h"
#include "client.h"
#include "db.h"
#include "tests/tap.h"
#include "tests/testlib.h"
#include "util.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define NTERM 8
#define PER_TERM 40
#define KILLS 5

struct term {
	client_t *c;
	char id[16];
	uint32_t seq;        /* of the request in flight */
	int next;            /* next order to scan */
	bool waiting;        /* a scan sent, no answer yet */
	bool sent;           /* this round's send went out */
	int acked;
	uint32_t ack_seq[PER_TERM];
	int ack_order[PER_TERM];
};

static void
order_ref (char *buf, size_t n, int t, int i)
{
	snprintf (buf, n, "K%02d%04d", t, i);
}

int
main (void)
{
	struct testlib_hub hub;
	zsys_init ();
	zsys_set_logsystem (false);
	const char *top = getenv ("top_builddir") ? getenv ("top_builddir") : ".";
	unsigned seed = getenv ("DSP_KILL_SEED") ? (unsigned) atoi (getenv ("DSP_KILL_SEED")) : (unsigned) time (NULL);
	srand (seed);
	diag ("seed %u (DSP_KILL_SEED=%u repeats this run)", seed, seed);
	if (!ok (testlib_hub_start (&hub, NULL) == 0, "hub starts"))
		return tap_done ();

	/* The orders to receive: imported first. */
	char *csv = xasprintf ("%s/kill.csv", hub.dir);
	FILE *f = fopen (csv, "w");
	fprintf (f, "order,channel,customer_name,address_1,town,postcode,country,line,sku,department,quantity,locations,"
	    "unit_weight_g\n");
	for (int t = 0; t < NTERM; t++)
		for (int i = 0; i < PER_TERM; i++) {
			char ref[16];
			order_ref (ref, sizeof ref, t, i);
			fprintf (f, "%s,till,Test Customer,1 Test Road,Leeds,LS1 1AA,GB,1,SKU-%d,Menswear,1,MW-1,500\n", ref, i);
		}
	fclose (f);
	char *cmd = xasprintf ("'%s/admin/despatch' -d '%s' import '%s' >/dev/null", top, hub.database, csv);
	is_int (system (cmd), 0, "%d orders imported", NTERM * PER_TERM);
	free (cmd);

	struct term terms[NTERM];
	memset (terms, 0, sizeof terms);
	int logged = 0;
	for (int t = 0; t < NTERM; t++) {
		struct term *T = &terms[t];
		snprintf (T->id, sizeof T->id, "kt-%02d", t);
		T->c = client_new (hub.endpoint, T->id, NULL);
		proto_msg_t *r = testlib_hello (T->c, 1, T->id);
		proto_msg_destroy (&r);
		r = testlib_login (T->c, 2, "B1001", "1111");
		logged += testlib_status (r) == PROTO_OK;
		proto_msg_destroy (&r);
		T->seq = 2;
	}
	is_int (logged, NTERM, "%d terminals logged in", NTERM);

	int kills = 0, resends = 0, sends = 0, restarts_ok = 0, refused = 0, backups = 0;
	int total = NTERM * PER_TERM, done = 0;
	int64_t start = util_mono_ms (), deadline = start + 120000;
	/* Kill moments: after a random number of answered scans each. */
	int kill_at[KILLS];
	for (int k = 0; k < KILLS; k++)
		kill_at[k] = (total * (k + 1)) / (KILLS + 1) + rand () % 20 - 10;
	while (done < total && util_mono_ms () < deadline) {
		/* Every terminal with nothing in flight takes its next scan; the others resend theirs. */
		for (int t = 0; t < NTERM; t++) {
			struct term *T = &terms[t];
			if (T->next >= PER_TERM && !T->waiting)
				continue;
			if (!T->waiting) {
				T->seq++;
				T->waiting = true;
			} else
				resends++;
			char ref[16];
			order_ref (ref, sizeof ref, t, T->next);
			proto_msg_t *m = proto_msg_new (PROTO_SCAN);
			proto_msg_set_seq (m, T->seq);
			proto_set_str (m, PROTO_SCAN_STEP, "receive");
			proto_set_str (m, PROTO_SCAN_CODE, ref);
			/* With ZMQ_IMMEDIATE a send fails until the connection is up: wait for it a little. */
			T->sent = client_writable (T->c, 300) && client_send (T->c, m) == 0;
			sends += T->sent;
			proto_msg_destroy (&m);
		}
		/* A random kill, at a random moment within the round (requests in flight). */
		if (kills < KILLS && done >= kill_at[kills]) {
			usleep ((useconds_t) (rand () % 3000));
			testlib_hub_kill (&hub);
			kills++;
			restarts_ok += testlib_hub_restart (&hub) == 0;
		}
		/* Answers within the round; none means resend (Lazy Pirate: reconnect first). */
		for (int t = 0; t < NTERM; t++) {
			struct term *T = &terms[t];
			if (!T->waiting)
				continue;
			proto_msg_t *r;
			bool answered = false;
			int64_t until = util_mono_ms () + 400;
			while (!answered && (r = client_recv (T->c, (int) (until - util_mono_ms ()))) != NULL) {
				if (proto_msg_seq (r) == T->seq && proto_msg_id (r) == PROTO_REPLY) {
					answered = true;
					if (testlib_status (r) == PROTO_OK) {
						T->ack_seq[T->acked] = T->seq;
						T->ack_order[T->acked++] = T->next;
					} else {
						refused++;
						diag ("%s seq %u refused: %s", T->id, T->seq, testlib_text (r));
					}
					T->next++;
					T->waiting = false;
					done++;
				}
				proto_msg_destroy (&r);
				if (util_mono_ms () >= until)
					break;
			}
			if (!answered && T->sent)
				client_reconnect (T->c);
		}
		if (backups == 0 && done > total / 2) {
			cmd = xasprintf ("'%s/admin/despatch' backup dir='%s/backups' -d '%s' >/dev/null", top, hub.dir,
			    hub.database);
			backups += system (cmd) == 0;
			free (cmd);
		}
	}
	int64_t took = util_mono_ms () - start;
	is_int (done, total, "every scan answered in the end (%d of %d)", done, total);
	is_int (kills, KILLS, "the hub was SIGKILLed %d times", kills);
	is_int (restarts_ok, kills, "and came back each time");
	is_int (refused, 0, "no scan refused");

	/* Every acknowledged scan exactly once, under its own terminal and sequence. */
	char *cause = NULL;
	db_t *db = db_open (hub.database, DB_READONLY, &cause);
	int acked = 0, once = 0;
	for (int t = 0; t < NTERM && db; t++)
		for (int i = 0; i < terms[t].acked; i++) {
			char ref[16];
			order_ref (ref, sizeof ref, t, terms[t].ack_order[i]);
			db_stmt_t *st = db_prepare (db, "SELECT count(*), sum(code = ?3) FROM scans WHERE terminal = ?1 AND seq = ?2");
			db_bind_text (st, 1, terms[t].id);
			db_bind_int (st, 2, terms[t].ack_seq[i]);
			db_bind_text (st, 3, ref);
			if (db_step (st) == DB_ROW && db_col_int (st, 0) == 1 && db_col_int (st, 1) == 1)
				once++;
			db_reset (st);
			acked++;
		}
	is_int (once, acked, "every acknowledged scan is in the database exactly once (%d)", acked);
	long long rows = db ? db_query_int (db, "SELECT count(*) FROM scans WHERE terminal LIKE 'kt-%'", -1) : -1;
	is_int (rows, acked, "no scan stored twice or without an acknowledgement reaching the terminal (%lld rows)", rows);
	long long received = db ? db_query_int (db, "SELECT count(*) FROM orders WHERE ref LIKE 'K%' AND status = 'received'", -1) : -1;
	is_int (received, total, "every order received once");
	char *check = db ? db_query_text (db, "PRAGMA integrity_check") : NULL;
	is_str (check, "ok", "PRAGMA integrity_check after %d kills", kills);
	free (check);
	db_close (&db);
	free (cause);
	ok (backups == 1, "despatch backup taken while terminals scanned");
	cmd = xasprintf ("ls '%s'/backups/despatch-*.db >/dev/null 2>&1", hub.dir);
	is_int (system (cmd), 0, "the backup is where despatch status looks");
	free (cmd);
	diag ("figures: %d terminals, %d scans acknowledged, %d hub kills (SIGKILL), %d resends with the same sequence, "
	    "%d sends, %lld ms", NTERM, acked, kills, resends, sends, (long long) took);
	for (int t = 0; t < NTERM; t++)
		client_destroy (&terms[t].c);
	testlib_hub_stop (&hub);
	free (csv);
	return tap_done ();
}
