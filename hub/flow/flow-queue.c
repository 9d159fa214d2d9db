/*
 * flow-queue.c: the work queues (see flow-queue.h). A porter's list of
 * orders waiting to be located, a packer's list of orders ready at the
 * bench, and for an order whose lines come from several departments the
 * consolidation view: where each line is and which parcel it went into.
 *
 * Which parcel a line went into is recorded as audit events "pack-line"
 * (one per line, its line number and parcel), written by "pack-lines"; an
 * order with one parcel needs none. A parcel replaced by a relabelling
 * keeps its code before "~void", so the line follows it to its
 * replacement.
 */
#include "config.h"
#include "flow-queue.h"
#include "hub/req/flow.h"
#include "conf.h"
#include "screens.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FLOW_QUEUE_MAX 50

/* "2026-11-24" of a wall-clock time (UTC, as the promise dates are written). */
static void
flow_queue_day (int64_t ms, char *out, size_t n)
{
	char iso[32];
	util_iso_time (ms, iso, sizeof iso);
	snprintf (out, n, "%.10s", iso);
}

/* "late" when the promise (a date, maybe with a time) is before today, "today" on the day. */
static const char *
flow_queue_due (const char *promise, const char *today)
{
	if (promise == NULL || strlen (promise) < 10)
		return "";
	int c = strncmp (promise, today, 10);
	return c < 0 ? "late" : c == 0 ? "today" : "";
}

static void
flow_queue_iso (int64_t ms, char *out, size_t n)
{
	if (ms > 0)
		util_iso_time (ms, out, n);
	else if (n)
		*out = '\0';
}

int
flow_queue_locate (struct hub_req *req)
{
	const char *dept = flow_arg (req, "department"), *loc = flow_arg (req, "location");
	char today[16];
	flow_queue_day (req->now_ms, today, sizeof today);
	/* One row per order and department with lines still open: the first
	 * open line's first location in that department is where to go. */
	db_stmt_t *st = db_prepare (req->db,
	    "SELECT o.ref, l.department, min(l.line_no), count(*), coalesce(o.received_at, 0), o.promise,"
	    " EXISTS (SELECT 1 FROM holds h WHERE h.order_ref = o.ref AND h.released_at IS NULL AND h.parcel_id IS NULL),"
	    " sum(l.quantity - l.qty_found)"
	    " FROM orders o JOIN order_lines l ON l.order_ref = o.ref"
	    " WHERE o.status = 'received' AND l.status = 'open'"
	    " AND (?1 IS NULL OR l.department = ?1 COLLATE NOCASE)"
	    " AND (?2 IS NULL OR (';' || l.locations) LIKE ('%;' || ?2 || '%'))"
	    " GROUP BY o.ref, l.department ORDER BY o.received_at, o.ref, l.department LIMIT ?3");
	db_bind_text (st, 1, dept);
	db_bind_text (st, 2, loc);
	db_bind_int (st, 3, FLOW_QUEUE_MAX);
	struct row {
		char ref[FLOW_REF_MAX + 1], dept[TEXT_BYTES (TEXT_TOWN_MAX)], promise[32];
		long long first, lines, received, units;
		bool held;
	} *rows = NULL;
	int n = 0;
	while (db_step (st) == DB_ROW) {
		rows = xrealloc (rows, (size_t) (n + 1) * sizeof *rows);
		struct row *r = &rows[n++];
		util_strlcpy (r->ref, db_col_text (st, 0), sizeof r->ref);
		text_strlcpy (r->dept, db_col_text (st, 1), sizeof r->dept);
		r->first = db_col_int (st, 2);
		r->lines = db_col_int (st, 3);
		r->received = db_col_int (st, 4);
		util_strlcpy (r->promise, db_col_text (st, 5), sizeof r->promise);
		r->held = db_col_int (st, 6) != 0;
		r->units = db_col_int (st, 7);
	}
	db_reset (st);
	st = db_prepare (req->db, "SELECT locations FROM order_lines WHERE order_ref = ?1 AND line_no = ?2");
	for (int i = 0; i < n; i++) {
		struct row *r = &rows[i];
		db_bind_text (st, 1, r->ref);
		db_bind_int (st, 2, r->first);
		char where[64] = "";
		if (db_step (st) == DB_ROW) {
			const char *locs = db_col_text (st, 0);
			snprintf (where, sizeof where, "%.*s", (int) strcspn (locs, ";"), locs);
		}
		db_reset (st);
		char key[24], at[32];
		flow_queue_iso (r->received, at, sizeof at);
		snprintf (key, sizeof key, "locate.%d", i + 1);
		const char *flag = r->held ? "held" : flow_queue_due (r->promise, today);
		hub_reply_data (req, key, "%s|%s|%s|%lld|%lld|%s|%s|%s", r->ref, r->dept, where, r->lines, r->units, at,
		    r->promise, flag);
	}
	free (rows);
	hub_reply_data (req, "queue", "%d", n);
	if (n == 0)
		hub_reply (req, PROTO_OK, PR_OK, "Nothing waiting to be located%s%s", dept ? " in " : "", dept ? dept : "");
	else
		hub_reply (req, PROTO_OK, PR_OK, "%d to locate%s%s, oldest first", n, dept ? " in " : "", dept ? dept : "");
	return 0;
}

/* The stations of a group (station.NAME.group = group), each as " NAME ". */
struct flow_queue_group {
	const char *group;
	char stations[512];
};

static void
flow_queue_group_visit (const char *key, const char *value, void *arg)
{
	struct flow_queue_group *g = arg;
	size_t kl = strlen (key);
	if (strncmp (key, "station.", 8) != 0 || kl <= 14 || strcmp (key + kl - 6, ".group") != 0
	    || strcmp (value, g->group) != 0)
		return;
	size_t used = strlen (g->stations);
	snprintf (g->stations + used, sizeof g->stations - used, " %.*s ", (int) (kl - 14), key + 8);
}

/* The bench that has the order open: the station of the latest pack or
 * verify of its parcels (none: no bench has it yet). */
#define FLOW_QUEUE_BENCH \
	"coalesce ((SELECT e.station FROM events e WHERE e.order_ref = o.ref AND e.action IN ('pack', 'verify')" \
	" AND e.undone_at IS NULL ORDER BY e.id DESC LIMIT 1), '')"

int
flow_queue_pack (struct hub_req *req)
{
	const char *station = flow_arg (req, "station"), *group = flow_arg (req, "group"), *all = flow_arg (req, "all");
	bool everything = all && strcmp (all, "1") == 0;
	if (station == NULL)
		station = req->station ? req->station : "";
	struct flow_queue_group g = { .group = NULL, .stations = "" };
	if (group == NULL && *station) {
		char *key = xasprintf ("station.%s.group", station);
		group = conf_get (req->opt->conf, key, NULL);
		free (key);
	}
	if (group && *group) {
		g.group = group;
		conf_each (req->opt->conf, flow_queue_group_visit, &g);
	}
	char today[16];
	flow_queue_day (req->now_ms, today, sizeof today);
	/* Ready to pack: every line settled and packable (located), parcels
	 * still to pack (packing), parcels packed but not labelled (packed), or
	 * labels not yet checked at the bench (labelled with a parcel to verify). */
	db_stmt_t *st = db_prepare (req->db,
	    "SELECT o.ref, o.status, (SELECT count(*) FROM order_lines WHERE order_ref = o.ref),"
	    " (SELECT count(DISTINCT department) FROM order_lines WHERE order_ref = o.ref),"
	    " (SELECT count(*) FROM parcels WHERE order_ref = o.ref AND status <> 'void'), o.parcels_expected,"
	    " " FLOW_QUEUE_BENCH ","
	    " coalesce ((SELECT max(located_at) FROM order_lines WHERE order_ref = o.ref), o.received_at, 0), o.promise,"
	    " EXISTS (SELECT 1 FROM holds h WHERE h.order_ref = o.ref AND h.released_at IS NULL),"
	    " o.part_release IS NOT NULL"
	    " FROM orders o WHERE o.status IN ('located', 'packing', 'packed')"
	    " OR (o.status = 'labelled' AND EXISTS (SELECT 1 FROM parcels WHERE order_ref = o.ref AND status = 'labelled'))"
	    " ORDER BY 8, o.ref LIMIT 500");
	int n = 0;
	char next[FLOW_REF_MAX + 1] = "", free_next[FLOW_REF_MAX + 1] = "";
	while (db_step (st) == DB_ROW && n < FLOW_QUEUE_MAX) {
		const char *bench = db_col_text (st, 6);
		char pad[80];
		snprintf (pad, sizeof pad, " %s ", bench);
		bool mine = *bench && strcmp (bench, station) == 0;
		bool ours = mine || (*bench && g.group && strstr (g.stations, pad));
		if (!everything && *bench && !ours)
			continue; /* another bench's order */
		bool held = db_col_int (st, 9) != 0;
		const char *ref = db_col_text (st, 0), *promise = db_col_text (st, 8);
		if (!held && mine && !*next)
			util_strlcpy (next, ref, sizeof next);
		if (!held && !*bench && !*free_next)
			util_strlcpy (free_next, ref, sizeof free_next);
		char key[24], at[32];
		flow_queue_iso (db_col_int (st, 7), at, sizeof at);
		const char *flag = held ? "held" : db_col_int (st, 10) ? "part" : flow_queue_due (promise, today);
		snprintf (key, sizeof key, "pack.%d", ++n);
		hub_reply_data (req, key, "%s|%s|%lld|%lld|%lld|%lld|%s|%s|%s|%s", ref, db_col_text (st, 1),
		    (long long) db_col_int (st, 2), (long long) db_col_int (st, 3), (long long) db_col_int (st, 4),
		    (long long) db_col_int (st, 5), bench, at, promise, flag);
	}
	db_reset (st);
	hub_reply_data (req, "queue", "%d", n);
	/* What this bench should take: an order it has open, else the oldest no bench has. */
	const char *take = *next ? next : free_next;
	if (*take)
		hub_reply_data (req, "next", "%s", take);
	if (g.group)
		hub_reply_data (req, "group", "%s", g.group);
	if (n == 0)
		hub_reply (req, PROTO_OK, PR_OK, "Nothing ready to pack%s%s", *station ? " for " : "", station);
	else if (*take)
		hub_reply (req, PROTO_OK, PR_OK, "%d ready to pack. Next: %s", n, take);
	else
		hub_reply (req, PROTO_OK, PR_OK, "%d ready to pack, none free: each is held or at another bench", n);
	return 0;
}

/* The live parcel a line was packed into ("pack-line" events; a replaced
 * parcel's line follows its code), into code/state; false when none. */
static bool
flow_queue_line_parcel (struct hub_req *req, const char *ref, int line, char *code, size_t cn, char *state, size_t sn)
{
	db_stmt_t *st = db_prepare (req->db,
	    "SELECT p2.code, p2.status, coalesce (p2.cage, '') FROM events e JOIN parcels p ON p.id = e.parcel_id"
	    " JOIN parcels p2 ON p2.order_ref = e.order_ref AND p2.status <> 'void'"
	    "  AND p2.code = substr (p.code, 1, instr (p.code || '~', '~') - 1)"
	    " WHERE e.order_ref = ?1 AND e.line_no = ?2 AND e.action = 'pack-line' AND e.undone_at IS NULL"
	    " ORDER BY e.id DESC LIMIT 1");
	db_bind_text (st, 1, ref);
	db_bind_int (st, 2, line);
	bool found = db_step (st) == DB_ROW;
	if (found) {
		util_strlcpy (code, db_col_text (st, 0), cn);
		/* On a cage, the cage says where it is. */
		snprintf (state, sn, "%s%s%s", db_col_text (st, 1), *db_col_text (st, 2) ? " " : "", db_col_text (st, 2));
	}
	db_reset (st);
	return found;
}

int
flow_queue_consolidation (struct hub_req *req)
{
	struct flow_target t;
	const char *code = flow_arg (req, "order");
	int rc = flow_resolve (req, code, &t);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (t.kind != FLOW_ORDER && t.kind != FLOW_PARCEL) {
		hub_reply (req, PROTO_REFUSED, PR_UNKNOWN_BARCODE, "No order known by %.40s. Scan its ticket or a parcel "
		    "label", t.code);
		return 0;
	}
	const struct flow_order *o = &t.order;
	flow_data_order (req, o);
	/* The one parcel of a single-parcel order holds every line with goods. */
	db_stmt_t *st = db_prepare (req->db,
	    "SELECT count(*), min(code), min(status), coalesce (min(cage), '') FROM parcels WHERE order_ref = ?1"
	    " AND status <> 'void'");
	db_bind_text (st, 1, o->ref);
	int64_t nparcels = 0;
	char only[48] = "", only_state[64] = "";
	if (db_step (st) == DB_ROW) {
		nparcels = db_col_int (st, 0);
		if (nparcels == 1) {
			util_strlcpy (only, db_col_text (st, 1), sizeof only);
			snprintf (only_state, sizeof only_state, "%s%s%s", db_col_text (st, 2), *db_col_text (st, 3) ? " " : "",
			    db_col_text (st, 3));
		}
	}
	db_reset (st);
	st = db_prepare (req->db,
	    "SELECT line_no, sku, quantity, qty_found, department, status, coalesce (location_ok, ''), locations,"
	    " replace (description, '|', '/') FROM order_lines WHERE order_ref = ?1 ORDER BY line_no LIMIT 100");
	db_bind_text (st, 1, o->ref);
	struct line {
		int no;
		long long qty, found;
		char sku[TEXT_BYTES (TEXT_SKU_MAX)], dept[TEXT_BYTES (TEXT_TOWN_MAX)], status[16], where[64];
		char description[TEXT_BYTES (TEXT_ORDER_MAX)];
	} *lines = NULL;
	int n = 0;
	while (db_step (st) == DB_ROW) {
		lines = xrealloc (lines, (size_t) (n + 1) * sizeof *lines);
		struct line *l = &lines[n++];
		l->no = (int) db_col_int (st, 0);
		text_strlcpy (l->sku, db_col_text (st, 1), sizeof l->sku);
		l->qty = db_col_int (st, 2);
		l->found = db_col_int (st, 3);
		text_strlcpy (l->dept, db_col_text (st, 4), sizeof l->dept);
		util_strlcpy (l->status, db_col_text (st, 5), sizeof l->status);
		const char *locs = db_col_text (st, 7);
		if (*db_col_text (st, 6))
			util_strlcpy (l->where, db_col_text (st, 6), sizeof l->where);
		else
			snprintf (l->where, sizeof l->where, "%.*s", (int) strcspn (locs, ";"), locs);
		text_strlcpy (l->description, db_col_text (st, 8), sizeof l->description);
	}
	db_reset (st);
	/* Of an order of several parcels, a line whose parcel was not said is
	 * in one of them ("?") until every parcel packed has its lines said;
	 * then it is in none yet. */
	bool all_said = false;
	if (nparcels > 0) {
		st = db_prepare (req->db,
		    "SELECT count(*) FROM parcels p WHERE p.order_ref = ?1 AND p.status <> 'void' AND NOT EXISTS (SELECT 1"
		    " FROM events e JOIN parcels q ON q.id = e.parcel_id WHERE e.order_ref = p.order_ref"
		    " AND e.action = 'pack-line' AND e.undone_at IS NULL"
		    " AND substr (q.code, 1, instr (q.code || '~', '~') - 1) = p.code)");
		db_bind_text (st, 1, o->ref);
		all_said = db_step (st) == DB_ROW && db_col_int (st, 0) == 0;
		db_reset (st);
	}
	int counts[4] = { 0 }; /* found, short, damaged, missing */
	for (int i = 0; i < n; i++) {
		struct line *l = &lines[i];
		enum hub_line_state ls = hub_state_line_parse (l->status);
		/* An open line is what the consolidation still misses. */
		const char *state = ls == LINE_OPEN ? "missing" : l->status;
		counts[ls == LINE_FOUND ? 0 : ls == LINE_SHORT ? 1 : ls == LINE_DAMAGED ? 2 : 3]++;
		char parcel[48] = "", pstate[64] = "";
		bool goods = ls != LINE_OPEN && ls != LINE_DAMAGED && l->found > 0;
		if (goods && !flow_queue_line_parcel (req, o->ref, l->no, parcel, sizeof parcel, pstate, sizeof pstate)) {
			if (nparcels == 1 && o->parcels_expected <= 1) {
				util_strlcpy (parcel, only, sizeof parcel);
				util_strlcpy (pstate, only_state, sizeof pstate);
			} else if (nparcels > 0 && !all_said) {
				util_strlcpy (parcel, "?", sizeof parcel);
			}
		}
		char key[24];
		snprintf (key, sizeof key, "cons.%d", i + 1);
		hub_reply_data (req, key, "%d|%s|%lld|%lld|%s|%s|%s|%s|%s|%s", l->no, l->sku, l->qty, l->found, l->dept,
		    state, l->where, parcel, pstate, l->description);
	}
	hub_reply_data (req, "lines", "%d", n);
	/* Per department, in the order the lines name them. */
	int ndept = 0;
	for (int i = 0; i < n; i++) {
		bool seen = false;
		for (int j = 0; j < i && !seen; j++)
			seen = strcmp (lines[j].dept, lines[i].dept) == 0;
		if (seen)
			continue;
		int c[4] = { 0 }, all = 0;
		for (int j = i; j < n; j++) {
			if (strcmp (lines[j].dept, lines[i].dept) != 0)
				continue;
			enum hub_line_state ls = hub_state_line_parse (lines[j].status);
			c[ls == LINE_FOUND ? 0 : ls == LINE_SHORT ? 1 : ls == LINE_DAMAGED ? 2 : 3]++;
			all++;
		}
		char key[24];
		snprintf (key, sizeof key, "dept.%d", ++ndept);
		hub_reply_data (req, key, "%s|%d|%d|%d|%d|%d", lines[i].dept, all, c[0], c[1], c[2], c[3]);
	}
	hub_reply_data (req, "departments", "%d", ndept);
	hub_reply_data (req, "parcels", "%lld", (long long) nparcels);
	free (lines);
	char tail[160] = "";
	if (counts[1])
		snprintf (tail + strlen (tail), sizeof tail - strlen (tail), ", %d short", counts[1]);
	if (counts[2])
		snprintf (tail + strlen (tail), sizeof tail - strlen (tail), ", %d damaged", counts[2]);
	if (counts[3])
		snprintf (tail + strlen (tail), sizeof tail - strlen (tail), ", %d missing", counts[3]);
	hub_reply (req, counts[1] || counts[2] ? PROTO_WARN : PROTO_OK, PR_OK, "%s: %d line%s from %d department%s, %d "
	    "found%s", o->ref, n, n == 1 ? "" : "s", ndept, ndept == 1 ? "" : "s", counts[0], tail);
	return 0;
}

int
flow_queue_pack_lines (struct hub_req *req)
{
	struct flow_target t;
	int rc = flow_resolve (req, flow_arg (req, "parcel"), &t);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (t.kind != FLOW_PARCEL || t.parcel.state == PARCEL_VOID) {
		hub_reply (req, PROTO_REFUSED, PR_UNKNOWN_BARCODE, "No parcel in use is known by %.40s. Scan the parcel's "
		    "label", t.code);
		return 0;
	}
	const struct flow_parcel *p = &t.parcel;
	const char *list = flow_arg (req, "lines");
	hub_reply_data (req, "order", "%s", p->order);
	hub_reply_data (req, "parcel", "%s", p->code);
	/* Every number first: nothing is recorded unless all of them are lines with goods. */
	long nos[100];
	int n = 0;
	const char *s = list;
	while (*s) {
		s += strspn (s, " ,");
		if (*s == '\0')
			break;
		size_t len = strcspn (s, " ,");
		char word[16];
		snprintf (word, sizeof word, "%.*s", (int) (len < sizeof word ? len : sizeof word - 1), s);
		s += len;
		long no;
		if (n == (int) nitems (nos) || !util_parse_long (word, 1, 9999, &no)) {
			hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT, "'%.15s' is not a line number. Type the numbers of the "
			    "lines in this parcel, like 1 3", word);
			return 0;
		}
		db_stmt_t *st = db_prepare (req->db,
		    "SELECT status, qty_found FROM order_lines WHERE order_ref = ?1 AND line_no = ?2");
		db_bind_text (st, 1, p->order);
		db_bind_int (st, 2, no);
		bool line = db_step (st) == DB_ROW;
		enum hub_line_state ls = line ? hub_state_line_parse (db_col_text (st, 0)) : LINE_UNKNOWN;
		int64_t found = line ? db_col_int (st, 1) : 0;
		db_reset (st);
		if (!line) {
			hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT, "%s has no line %ld. See its lines on the "
			    SCREEN_CONSOLIDATION " screen", p->order, no);
			return 0;
		}
		if (ls == LINE_OPEN || ls == LINE_DAMAGED || found == 0) {
			hub_reply (req, PROTO_REFUSED, PR_INCOMPLETE, "Line %ld of %s is %s: nothing of it to pack", no, p->order,
			    ls == LINE_OPEN ? "not found yet" : ls == LINE_DAMAGED ? "damaged" : "short with none found");
			return 0;
		}
		nos[n++] = no;
	}
	if (n == 0) {
		hub_reply (req, PROTO_REFUSED, PR_BAD_ARGUMENT, "Which lines are in %s? Type their numbers, like 1 3", p->code);
		return 0;
	}
	char said[400] = "";
	for (int i = 0; i < n; i++) {
		if (flow_event (req, "pack-line", p->order, p->id, (int) nos[i], false, "line %ld in %s", nos[i], p->code) != 0)
			return -1;
		snprintf (said + strlen (said), sizeof said - strlen (said), "%s%ld", i ? ", " : "", nos[i]);
	}
	hub_reply (req, PROTO_OK, PR_OK, "%s %s in %s", n == 1 ? "Line" : "Lines", said, p->code);
	return 0;
}
