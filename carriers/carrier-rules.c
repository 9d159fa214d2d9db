/*
 * carrier-rules.c: which services can take a parcel, what each costs, and
 * the ordered rule set that picks one, with the reasons written out so the
 * audit trail says why (doc/carriers.md "Rules").
 */
#include "config.h"
#include "carrier.h"
#include "util.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Append to a fixed buffer, cutting at the end. */
static void
carrier_rules_cat (char *buf, size_t n, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));

static void
carrier_rules_cat (char *buf, size_t n, const char *fmt, ...)
{
	size_t used = strlen (buf);
	if (used + 1 >= n)
		return;
	va_list ap;
	va_start (ap, fmt);
	vsnprintf (buf + used, n - used, fmt, ap);
	va_end (ap);
}

/* Does the postcode start with one of the prefixes ("IV KW PA2")? A prefix of
 * letters only must be followed by a digit, so "B" does not take "BT1". */
static bool
carrier_rules_postcode_in (const char *list, const char *postcode)
{
	if (strcmp (list, "*") == 0)
		return true;
	char pc[24];
	size_t j = 0;
	for (const char *s = postcode; *s && j + 1 < sizeof pc; s++)
		if (*s != ' ')
			pc[j++] = (char) toupper ((unsigned char) *s);
	pc[j] = '\0';
	for (const char *w = list; *w; ) {
		while (*w == ' ')
			w++;
		size_t n = strcspn (w, " ");
		if (n == 0)
			break;
		if (n <= j && strncasecmp (pc, w, n) == 0
		    && (isdigit ((unsigned char) w[n - 1]) || isdigit ((unsigned char) pc[n])))
			return true;
		w += n;
	}
	return false;
}

/* Days since 1970-01-01 of a YYYY-MM-DD, or -1. */
static long
carrier_rules_day_of (const char *date)
{
	struct tm tm = { 0 };
	int y, m, d;
	if (sscanf (date, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	return (long) (timegm (&tm) / 86400);
}

static long
carrier_rules_delivery_day (const struct carrier *c, const struct carrier_service *s, int64_t now_ms)
{
	(void) c;
	int64_t secs = now_ms / 1000;
	long day = (long) (secs / 86400);
	int minute = (int) ((secs % 86400) / 60);
	if (s->cutoff_min >= 0 && minute > s->cutoff_min)
		day++;  /* past today's collection: goes tomorrow */
	return day + s->days;
}

void
carrier_rules_delivery_date (const struct carrier *c, const struct carrier_service *s, int64_t now_ms, char *out,
    size_t n)
{
	time_t t = (time_t) carrier_rules_delivery_day (c, s, now_ms) * 86400;
	struct tm tm;
	gmtime_r (&t, &tm);
	strftime (out, n, "%Y-%m-%d", &tm);
}

bool
carrier_rules_eligible (const struct carrier *c, const struct carrier_service *s, const struct carrier_order *o,
    bool promise, char *why, size_t n)
{
	if (!carrier_list_has (s->countries, o->country)) {
		snprintf (why, n, "does not go to %s", o->country);
		return false;
	}
	if (!carrier_list_has (s->requested, o->service)) {
		snprintf (why, n, "not offered for %s", o->service);
		return false;
	}
	if (o->weight_g > s->max_weight_g) {
		snprintf (why, n, "%d g is over its %d g limit", o->weight_g, s->max_weight_g);
		return false;
	}
	if (s->max_length_mm > 0 && o->length_mm > s->max_length_mm) {
		snprintf (why, n, "a %d mm item is over its %d mm length limit", o->length_mm, s->max_length_mm);
		return false;
	}
	if (promise && *o->promise) {
		long want = carrier_rules_day_of (o->promise);
		if (want >= 0 && carrier_rules_delivery_day (c, s, o->now_ms) > want) {
			char date[16];
			carrier_rules_delivery_date (c, s, o->now_ms, date, sizeof date);
			snprintf (why, n, "would deliver %s, after the promised %s", date, o->promise);
			return false;
		}
	}
	return true;
}

int64_t
carrier_rules_price (const struct carrier *c, const struct carrier_service *s, const struct carrier_order *o, char *why,
    size_t n)
{
	const struct carrier_zone *zone = NULL;
	for (int i = 0; i < c->nzones && zone == NULL; i++)
		if (carrier_list_has (c->zones[i].countries, o->country) && carrier_rules_postcode_in (c->zones[i].postcodes,
		        o->postcode))
			zone = &c->zones[i];
	if (zone == NULL) {
		snprintf (why, n, "no rate zone for %s %s", o->country, o->postcode);
		return -1;
	}
	const struct carrier_rate *rate = NULL;
	for (int i = 0; i < c->nrates && rate == NULL; i++)
		if (strcmp (c->rates[i].service, s->code) == 0 && strcmp (c->rates[i].zone, zone->name) == 0)
			rate = &c->rates[i];
	if (rate == NULL) {
		snprintf (why, n, "no rate for zone %s", zone->name);
		return -1;
	}
	int64_t base = -1;
	for (int i = 0; i < rate->nbands && base < 0; i++)
		if (o->weight_g <= rate->bands[i].max_g)
			base = rate->bands[i].pence;
	if (base < 0) {
		snprintf (why, n, "%d g is over the top rate band (%d g) for zone %s", o->weight_g,
		    rate->bands[rate->nbands - 1].max_g, zone->name);
		return -1;
	}
	int64_t total = base;
	for (int i = 0; i < c->nsurcharges; i++) {
		const struct carrier_surcharge *g = &c->surcharges[i];
		if (carrier_list_has (g->services, s->code) && carrier_list_has (g->zones, zone->name)
		    && o->weight_g >= g->min_weight_g && o->value_pence >= g->min_value_pence)
			total += g->pence + (base * g->percent + 50) / 100;
	}
	if (why && n)
		snprintf (why, n, "zone %s", zone->name);
	return total;
}

/* Does the rule's "when" hold for the order? */
static bool
carrier_rules_matches (const struct carrier_rule *r, const struct carrier_order *o)
{
	if (*r->country && !carrier_list_has (r->country, o->country))
		return false;
	if (*r->not_country && carrier_list_has (r->not_country, o->country))
		return false;
	if (*r->postcode && !carrier_rules_postcode_in (r->postcode, o->postcode))
		return false;
	if (*r->tier && !carrier_list_has (r->tier, *o->tier ? o->tier : "none"))
		return false;
	if (*r->service && !carrier_list_has (r->service, o->service))
		return false;
	if (*r->department) {
		bool any = false;
		for (const char *w = r->department; *w && !any; ) {
			while (*w == ' ')
				w++;
			size_t n = strcspn (w, " ");
			if (n == 0)
				break;
			char word[80];
			snprintf (word, sizeof word, "%.*s", (int) n, w);
			any = carrier_list_has (o->departments, word);
			w += n;
		}
		if (!any)
			return false;
	}
	if (r->min_weight_g && o->weight_g < r->min_weight_g)
		return false;
	if (r->max_weight_g && o->weight_g > r->max_weight_g)
		return false;
	if (r->min_length_mm && o->length_mm < r->min_length_mm)
		return false;
	if (r->min_value_pence && o->value_pence < r->min_value_pence)
		return false;
	if (r->max_value_pence && o->value_pence > r->max_value_pence)
		return false;
	if (r->promise >= 0 && (*o->promise != '\0') != (r->promise == 1))
		return false;
	return true;
}

/* Is carrier/service among the rule's candidates ("dpd" or "dpd/next-day")? */
static bool
carrier_rules_among (const struct carrier_rule *r, const struct carrier *c, const struct carrier_service *s)
{
	char both[80];
	snprintf (both, sizeof both, "%s/%s", c->code, s->code);
	return carrier_list_has (r->among, c->code) || carrier_list_has (r->among, both);
}

struct carrier_cand {
	const struct carrier *c;
	const struct carrier_service *s;
	int64_t pence;
	long day;
};

/* Is a better than b for the rule's pick? */
static bool
carrier_rules_better (enum carrier_pick pick, const struct carrier_cand *a, const struct carrier_cand *b)
{
	switch (pick) {
	case CARRIER_PICK_CHEAPEST:
		if (a->pence != b->pence)
			return a->pence < b->pence;
		break;
	case CARRIER_PICK_FASTEST:
		if (a->day != b->day)
			return a->day < b->day;
		if (a->pence >= 0 && b->pence >= 0 && a->pence != b->pence)
			return a->pence < b->pence;
		break;
	case CARRIER_PICK_RANK:
	case CARRIER_PICK_LIST:
		break;
	}
	return a->s->rank < b->s->rank;
}

static const char *const carrier_pick_names[] = { "first that fits", "cheapest", "fastest", "preferred" };

/* Try one rule that matched; true when it chose. */
static bool
carrier_rules_try (const carrier_set_t *set, const struct carrier_rule *r, const struct carrier_order *o,
    struct carrier_choice *ch, char *out, size_t outn)
{
	struct carrier_cand best = { 0 };
	char why[200];
	int tried = 0;
	if (r->pick == CARRIER_PICK_LIST) {
		for (const char *w = r->choose; *w && best.c == NULL; ) {
			while (*w == ' ')
				w++;
			size_t n = strcspn (w, " ");
			if (n == 0)
				break;
			char word[80], *slash;
			snprintf (word, sizeof word, "%.*s", (int) n, w);
			w += n;
			slash = strchr (word, '/');
			if (slash == NULL)
				continue;
			*slash++ = '\0';
			const struct carrier *c = carrier_find (set, word);
			const struct carrier_service *s = carrier_service_find (c, slash);
			if (s == NULL)
				continue;
			tried++;
			if (!carrier_rules_eligible (c, s, o, r->meet_promise, why, sizeof why)) {
				carrier_rules_cat (out, outn, "; %s/%s: %s", c->code, s->code, why);
				continue;
			}
			best = (struct carrier_cand) { c, s, carrier_rules_price (c, s, o, NULL, 0), 0 };
		}
	} else {
		for (int i = 0; i < carrier_set_count (set); i++) {
			const struct carrier *c = carrier_set_at (set, i);
			for (int j = 0; j < c->nservices; j++) {
				const struct carrier_service *s = &c->services[j];
				if (!carrier_rules_among (r, c, s))
					continue;
				tried++;
				if (!carrier_rules_eligible (c, s, o, r->meet_promise, why, sizeof why)) {
					carrier_rules_cat (out, outn, "; %s/%s: %s", c->code, s->code, why);
					continue;
				}
				struct carrier_cand cand = { c, s, carrier_rules_price (c, s, o, why, sizeof why),
					carrier_rules_delivery_day (c, s, o->now_ms) };
				if (r->pick == CARRIER_PICK_CHEAPEST && cand.pence < 0) {
					carrier_rules_cat (out, outn, "; %s/%s: %s", c->code, s->code, why);
					continue;
				}
				if (best.c == NULL || carrier_rules_better (r->pick, &cand, &best))
					best = cand;
			}
		}
	}
	if (best.c == NULL) {
		if (tried == 0)
			carrier_rules_cat (out, outn, "; no service is among its candidates");
		return false;
	}
	ch->carrier = best.c;
	ch->service = best.s;
	ch->pence = best.pence;
	snprintf (ch->rule, sizeof ch->rule, "rule '%s' (%s:%d)", r->name, r->at.file, r->at.line);
	return true;
}

static const char *
carrier_rules_base (const char *path)
{
	const char *base = strrchr (path, '/');
	return base ? base + 1 : path;
}

void
carrier_rules_choose (const carrier_set_t *set, const struct carrier_order *o, struct carrier_choice *ch)
{
	memset (ch, 0, sizeof *ch);
	ch->pence = -1;
	/* mine: what the rule being tried ruled out ("; a/b: why"); earlier: rules that matched but chose nothing. */
	char mine[1800], earlier[1800] = "";
	const struct carrier_rule *fired = NULL;
	for (int i = 0; i < carrier_set_nrules (set) && ch->carrier == NULL; i++) {
		const struct carrier_rule *r = carrier_set_rule (set, i);
		if (!carrier_rules_matches (r, o))
			continue;
		*mine = '\0';
		if (carrier_rules_try (set, r, o, ch, mine, sizeof mine))
			fired = r;
		else
			carrier_rules_cat (earlier, sizeof earlier, "%srule '%s' (%s:%d) could use none: %s", *earlier ? "; " : "",
			    r->name, carrier_rules_base (r->at.file), r->at.line, *mine ? mine + 2 : "no candidates");
	}
	if (fired) {
		char price[24] = "no rate";
		if (ch->pence >= 0)
			carrier_money (ch->pence, price, sizeof price);
		snprintf (ch->rule, sizeof ch->rule, "%s:%d %s", carrier_rules_base (fired->at.file), fired->at.line, fired->name);
		snprintf (ch->why, sizeof ch->why, "rule '%s' (%s:%d) chose %s/%s (%s, %s)%s%s%s%s", fired->name,
		    carrier_rules_base (fired->at.file), fired->at.line, ch->carrier->code, ch->service->code,
		    carrier_pick_names[fired->pick], price, *mine ? "; ruled out: " : "", *mine ? mine + 2 : "",
		    *earlier ? "; before it, " : "", earlier);
	} else {
		snprintf (ch->why, sizeof ch->why, "no rule chose a service for %d g to %s %s (%s)%s%s", o->weight_g,
		    o->country, o->postcode, o->service, *earlier ? ": " : "", earlier);
	}
}

int
carrier_rules_order (db_t *db, const char *ref, int weight_g, int64_t now_ms, struct carrier_order *o)
{
	memset (o, 0, sizeof *o);
	db_stmt_t *st = db_prepare (db,
	    "SELECT o.country, o.postcode, o.service, o.loyalty, o.promise, o.value_pence,"
	    " (SELECT coalesce (sum (quantity * unit_weight_g), 0) FROM order_lines l WHERE l.order_ref = o.ref),"
	    " (SELECT coalesce (max (max (coalesce (length_mm, 0), coalesce (width_mm, 0), coalesce (height_mm, 0))), 0)"
	    "  FROM order_lines l WHERE l.order_ref = o.ref),"
	    " (SELECT group_concat (department, '|') FROM (SELECT DISTINCT department FROM order_lines l"
	    "  WHERE l.order_ref = o.ref))"
	    " FROM orders o WHERE o.ref = ?1");
	db_bind_text (st, 1, ref);
	if (db_step (st) != DB_ROW) {
		db_reset (st);
		return 1;
	}
	util_strlcpy (o->ref, ref, sizeof o->ref);
	util_strlcpy (o->country, db_col_text (st, 0), sizeof o->country);
	text_strlcpy (o->postcode, db_col_text (st, 1), sizeof o->postcode);
	util_strlcpy (o->service, db_col_text (st, 2), sizeof o->service);
	text_strlcpy (o->tier, db_col_text (st, 3), sizeof o->tier);
	util_strlcpy (o->promise, db_col_text (st, 4), sizeof o->promise);
	o->value_pence = db_col_int (st, 5);
	o->weight_g = weight_g > 0 ? weight_g : (int) db_col_int (st, 6);
	o->length_mm = (int) db_col_int (st, 7);
	/* Departments as a list: " Fine_Art Menswear " (spaces in names become '_', as in the files). */
	const char *d = db_col_text (st, 8);
	size_t used = 0;
	o->departments[used++] = ' ';
	for (; *d && used + 2 < sizeof o->departments; d++)
		o->departments[used++] = *d == '|' ? ' ' : *d == ' ' ? '_' : *d;
	o->departments[used++] = ' ';
	o->departments[used] = '\0';
	o->now_ms = now_ms;
	db_reset (st);
	return 0;
}

static int
carrier_rules_quote_cmp (const void *a, const void *b)
{
	const struct carrier_quote *x = a, *y = b;
	if (x->eligible != y->eligible)
		return x->eligible ? -1 : 1;
	if ((x->pence < 0) != (y->pence < 0))
		return x->pence < 0 ? 1 : -1;
	if (x->pence != y->pence)
		return x->pence < y->pence ? -1 : 1;
	return x->s->rank - y->s->rank;
}

int
carrier_rules_quote_all (const carrier_set_t *set, const struct carrier_order *o, struct carrier_quote **out)
{
	int n = 0, cap = 0;
	*out = NULL;
	for (int i = 0; i < carrier_set_count (set); i++) {
		const struct carrier *c = carrier_set_at (set, i);
		for (int j = 0; j < c->nservices; j++) {
			if (n == cap)
				*out = xrealloc (*out, (size_t) (cap = cap ? cap * 2 : 16) * sizeof **out);
			struct carrier_quote *q = &(*out)[n++];
			memset (q, 0, sizeof *q);
			q->c = c;
			q->s = &c->services[j];
			q->pence = -1;
			carrier_rules_delivery_date (c, q->s, o->now_ms, q->date, sizeof q->date);
			q->eligible = carrier_rules_eligible (c, q->s, o, false, q->note, sizeof q->note);
			if (q->eligible) {
				q->pence = carrier_rules_price (c, q->s, o, q->note, sizeof q->note);
				if (q->pence >= 0 && *o->promise && strcmp (q->date, o->promise) > 0)
					carrier_rules_cat (q->note, sizeof q->note, "; after the promised %s", o->promise);
			}
		}
	}
	if (n)
		qsort (*out, (size_t) n, sizeof **out, carrier_rules_quote_cmp);
	return n;
}
