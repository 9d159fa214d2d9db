/*
 * carrier-autoclose.c: which carriers close out by themselves now
 * (doc/carriers.md, `autoclose = yes`). A carrier is due once the clock has
 * passed today's cut-off (UTC), something of its own is on a cage, and no
 * automatic close-out of it is recorded since that cut-off (an "autoclose"
 * event whose code is the carrier). The hub's loop asks once a minute and
 * runs each close-out as a request of its own.
 */
#include "config.h"
#include "carrier.h"
#include "util.h"

#define CARRIER_AUTOCLOSE_DAY_MS ((int64_t) 24 * 60 * 60 * 1000)

/* Closed out automatically since since_ms? */
static bool
carrier_autoclose_done (db_t *db, const char *carrier, int64_t since_ms)
{
	db_stmt_t *st = db_prepare (db, "SELECT 1 FROM events WHERE action = 'autoclose' AND code = ?1 AND at >= ?2"
	    " LIMIT 1");
	db_bind_text (st, 1, carrier);
	db_bind_int (st, 2, since_ms);
	bool done = db_step (st) == DB_ROW;
	db_reset (st);
	return done;
}

/* Is anything of the carrier's on a cage? (nothing: no close-out, no noise) */
static bool
carrier_autoclose_ready (db_t *db, const char *carrier)
{
	db_stmt_t *st = db_prepare (db, "SELECT 1 FROM parcels WHERE carrier = ?1 AND status = 'scanned_out' LIMIT 1");
	db_bind_text (st, 1, carrier);
	bool ready = db_step (st) == DB_ROW;
	db_reset (st);
	return ready;
}

int
carrier_autoclose_due (const carrier_set_t *set, db_t *db, int64_t now_ms, const struct carrier **due, int max)
{
	int64_t midnight = now_ms - now_ms % CARRIER_AUTOCLOSE_DAY_MS; /* UTC */
	int n = 0;
	for (int i = 0; i < carrier_set_count (set) && n < max; i++) {
		const struct carrier *c = carrier_set_at (set, i);
		if (!c->autoclose || c->cutoff_min < 0)
			continue;
		int64_t cutoff_ms = midnight + (int64_t) c->cutoff_min * 60 * 1000;
		if (now_ms < cutoff_ms || carrier_autoclose_done (db, c->code, cutoff_ms) || !carrier_autoclose_ready (db, c->code))
			continue;
		due[n++] = c;
	}
	return n;
}
