/*
 * carrier.h: carriers as data, the carriers library. Each carrier is a file (format in
 * doc/carriers.md): services, limits, label codes, number range, cages,
 * manifest format, rate table; rules.conf holds the ordered rule set that
 * picks carrier and service per parcel.
 *
 * carrier-load.c reads and checks the files (every mistake is refused with
 * "file:line: reason") and brings the database's carriers, services, cages
 * and ranges into line with them; carrier-set.c owns a set once read,
 * carrier.c finds in it and keeps the hub's current one; carrier-rules.c
 * chooses and prices; carrier-manifest.c
 * writes manifests; carrier-track.c takes tracking files; carrier-autoclose.c
 * says which carriers close out by themselves; carrier-symbol.c reads a
 * scanned symbol of a carrier's label by the file's [symbol] sections. A
 * carrier_set is read at hub start and at a reload (which replaces the
 * current set whole, between batches); a set never changes once read;
 * nothing here blocks, and
 * nothing here knows the hub: the functions that touch the database take
 * its db_t and work inside the caller's transaction.
 */
#ifndef DSP_CARRIER_H
#define DSP_CARRIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "text.h"

#define CARRIER_CODE_MAX 24
#define CARRIER_LIST_MAX 768  /* space-separated words, kept as " A B C " or "*" */

/* Where a definition came from, for messages. */
struct carrier_where {
	const char *file;   /* owned by the set */
	int line;
};

struct carrier_service {
	char code[40];
	char name[80];
	char label_code[16], label_name[40], label_class[8];
	int days;             /* transit days after despatch */
	int cutoff_min;       /* minutes after midnight (UTC); -1: the carrier's */
	char countries[CARRIER_LIST_MAX];  /* " GB IE " or "*" */
	char requested[CARRIER_LIST_MAX];  /* requested services it serves, or "*" */
	int max_weight_g;
	int max_length_mm;    /* 0: no limit */
	int rank;             /* lower is preferred by "choose = rank" */
	char customs[12];     /* none, cn22, cn23, invoice */
	char customs_free[CARRIER_LIST_MAX];  /* destinations that need no papers ("" none) */
	struct carrier_where at;
};

struct carrier_zone {
	char name[32];
	char countries[CARRIER_LIST_MAX];
	char postcodes[CARRIER_LIST_MAX];  /* outward-code prefixes, or "*" */
	struct carrier_where at;
};

/* One weight band: up to max_g grams costs pence. */
struct carrier_band {
	int max_g;
	int64_t pence;
};

struct carrier_rate {
	char service[40];
	char zone[32];
	struct carrier_band bands[16];
	int nbands;
	struct carrier_where at;
};

struct carrier_surcharge {
	char name[40];
	char services[CARRIER_LIST_MAX];  /* or "*" */
	char zones[CARRIER_LIST_MAX];     /* or "*" */
	int min_weight_g;
	int64_t min_value_pence;
	int64_t pence;
	int percent;
	struct carrier_where at;
};

struct carrier_range {
	char scheme[24], prefix[24];
	int64_t first, last, low_water;
	struct carrier_where at;
};

struct carrier_cage {
	char code[33], name[65];
	struct carrier_where at;
};

/* What a symbol of the carrier's layout names. */
enum carrier_symbol_reads {
	CARRIER_READS_TRACKING,  /* the parcel's tracking number */
	CARRIER_READS_SSCC,      /* its SSCC */
	CARRIER_READS_NOTHING,   /* no parcel (a routing or postcode barcode): scan .instead */
};

/*
 * A [symbol ELEMENT] section: how the parcel is read out of what a reader
 * returns from the layout's barcode element ELEMENT (doc/carriers.md,
 * Scanning). Either match (a POSIX extended regular expression the whole
 * text must match, its \xHH escapes already turned into bytes and
 * {piece-prefix} into the carrier's) or ais (GS1
 * element strings with exactly these AIs); key builds the tracking number
 * or SSCC from the match: \N a group, (AI) an element's value, letters and
 * digits as written, '?' one character the symbol does not carry.
 */
struct carrier_symbol {
	char element[40];         /* the layout's barcode element */
	char name[120];           /* for people: "the parcel barcode under PARCEL" */
	char symbology[24];       /* the element's, from the layout ("" when the layout does not print it) */
	char aim;                 /* the AIM identifier letter a reader sends for it ('C', 'd', 'Q', 'L', 'U', 'z'), or 0 */
	char match[400];          /* as written in the file */
	char ais[64];             /* " 00 421 ", or "" */
	enum carrier_symbol_reads reads;
	char key[64];             /* the template for the tracking number or SSCC */
	char instead[40];         /* CARRIER_READS_NOTHING: the element to scan instead */
	void *re;                 /* the compiled match (regex_t), owned by the set */
	int ngroups;
	struct carrier_where at;
};

struct carrier {
	char code[CARRIER_CODE_MAX];
	char name[80];
	char scheme[24];          /* tracking-number scheme (labels/ident.h) */
	char layout[40];          /* label layout name */
	char manifest[12];        /* csv, fixed, route */
	char manifest_fields[CARRIER_LIST_MAX];
	int cutoff_min;           /* -1: none */
	bool autoclose;           /* close out by itself at the cut-off */
	char depot[16], origin[16], product[8];
	char piece_prefix[8];     /* DHL's piece-ID prefix (6 digits) for the licence plate, or "" */
	struct carrier_service *services;
	int nservices;
	struct carrier_zone *zones;
	int nzones;
	struct carrier_rate *rates;
	int nrates;
	struct carrier_surcharge *surcharges;
	int nsurcharges;
	struct carrier_range *ranges;
	int nranges;
	struct carrier_cage *cages;
	int ncages;
	struct carrier_symbol *symbols;
	int nsymbols;
	char uncovered[CARRIER_LIST_MAX];  /* barcodes of the layout with no [symbol] (" a b "), warned at load */
	struct carrier_where at;
};

/* What a rule asks for. */
enum carrier_pick { CARRIER_PICK_LIST, CARRIER_PICK_CHEAPEST, CARRIER_PICK_FASTEST, CARRIER_PICK_RANK };

struct carrier_rule {
	char name[48];
	/* Conditions; empty or 0 means "any". */
	char country[CARRIER_LIST_MAX], not_country[CARRIER_LIST_MAX], postcode[CARRIER_LIST_MAX];
	char department[CARRIER_LIST_MAX], tier[CARRIER_LIST_MAX], service[CARRIER_LIST_MAX];
	int min_weight_g, max_weight_g, min_length_mm;
	int64_t min_value_pence, max_value_pence;
	int promise;              /* -1 any, 0 no promise date, 1 has one */
	bool meet_promise;        /* rule out services that would deliver after the promised date */
	/* Choice. */
	enum carrier_pick pick;
	char choose[CARRIER_LIST_MAX];  /* CARRIER_PICK_LIST: " carrier/service ... " in order */
	char among[CARRIER_LIST_MAX];   /* candidates: carriers or carrier/service, or "*" */
	struct carrier_where at;
};

typedef struct carrier_set carrier_set_t;

/* ------------------------------------------------------------ loading (carrier-load.c) */

/*
 * Read every *.conf of the carrier path (rules.conf is the rule set):
 * dirs is a ':'-separated list; a file name in an earlier folder hides the
 * same name in a later one. NULL dirs means the default path: $DSP_CARRIER_PATH
 * if set, else the installed $(pkgdatadir)/carriers. Returns the set (caller
 * destroys), or NULL with *cause ("file:line: reason", caller frees).
 */
carrier_set_t *carrier_load (const char *dirs, char **cause);
/* Parse one file's text as if read from name, into a set (tests). */
carrier_set_t *carrier_load_text (const char *name, const char *text, char **cause);
/*
 * Make the database agree with the set, inside a transaction the caller
 * owns: carriers upserted, services replaced, cages upserted, and each
 * declared range inserted when no range of that scheme and prefix exists.
 * 0, or -1 with *cause.
 */
int carrier_load_sync (const carrier_set_t *self, db_t *db, int64_t now_ms, char **cause);
/*
 * At hub start and at a reload: read the set from dirs (NULL: the default path), bring the
 * database into line in its own transaction, and make it current. 0, or -1
 * with *cause ("carrier definitions refused: file:line: reason").
 */
int carrier_load_hub (db_t *db, const char *dirs, int64_t now_ms, char **cause);

/* ------------------------------------------------------------ a set (carrier-set.c) */

void carrier_set_destroy (carrier_set_t **self_p);
int carrier_set_count (const carrier_set_t *self);
const struct carrier *carrier_set_at (const carrier_set_t *self, int i);
int carrier_set_nrules (const carrier_set_t *self);
const struct carrier_rule *carrier_set_rule (const carrier_set_t *self, int i);
/* The files read, one per line (for logs). */
const char *carrier_set_files (const carrier_set_t *self);

/* ------------------------------------------------------------ lookups (carrier.c) */

const struct carrier *carrier_find (const carrier_set_t *self, const char *code);
const struct carrier_service *carrier_service_find (const struct carrier *c, const char *code);
/* Whether word is in a list kept as " A B " (or the list is "*"). */
bool carrier_list_has (const char *list, const char *word);
/* "12.50" from pence. */
void carrier_money (int64_t pence, char *out, size_t n);
/* The hub's set, read at start and at each reload (carrier_load_hub); NULL before. The set
 * belongs to carrier.c: carrier_current_set takes it and frees the old one. */
const carrier_set_t *carrier_current (void);
void carrier_current_set (carrier_set_t *set);

/* ------------------------------------------------------------ symbols (carrier-symbol.c) */

struct gs1_scan;

enum carrier_symbol_result {
	CARRIER_SYMBOL_NO,        /* the scan is not this symbol */
	CARRIER_SYMBOL_KEY,       /* it is: key holds the tracking number or SSCC ('?' where unknown) */
	CARRIER_SYMBOL_NOTHING,   /* it is, and the symbol names no parcel (s->instead) */
};

/*
 * Read a scan as symbol s: data is the scan without its AIM identifier,
 * aim the identifier's letter (0 when the scanner sent none), gs1 the scan
 * read as GS1 element strings (NULL when it is not GS1). The key is upper
 * case, at most n - 1 characters.
 */
enum carrier_symbol_result carrier_symbol_read (const struct carrier_symbol *s, const char *data, char aim,
    const struct gs1_scan *gs1, char *key, size_t n);
/* A symbol of carrier c by its element name, or NULL. */
const struct carrier_symbol *carrier_symbol_find (const struct carrier *c, const char *element);
/* The AIM identifier letter readers send for a layout symbology ("code128" 'C'), or 0. */
char carrier_symbol_aim (const char *symbology);
/* Compile s->match into s->re (the loader), {piece-prefix} written as c's; 0, or -1 with why filled. */
int carrier_symbol_compile (struct carrier_symbol *s, const struct carrier *c, char *why, size_t n);
/* Free s->re. */
void carrier_symbol_free (struct carrier_symbol *s);

/* ------------------------------------------------------------ auto-close (carrier-autoclose.c) */

/*
 * The carriers with autoclose = yes that should close out now (now_ms: the
 * hub's clock): the cut-off of today (UTC) has passed, something of theirs
 * is on a cage, and no "autoclose" event with the carrier as its code is
 * recorded since the cut-off. Up to max into due; returns how many.
 */
int carrier_autoclose_due (const carrier_set_t *set, db_t *db, int64_t now_ms, const struct carrier **due, int max);

/* ------------------------------------------------------------ rules (carrier-rules.c) */

/* What the rules look at: one parcel of one order. */
struct carrier_order {
	char ref[33];
	char country[3];
	char postcode[TEXT_BYTES (TEXT_POSTCODE_MAX)];
	char service[24];        /* requested: standard, next-day, express, same-day */
	char tier[TEXT_BYTES (TEXT_POSTCODE_MAX)]; /* loyalty tier */
	char promise[11];        /* YYYY-MM-DD or "" */
	char departments[CARRIER_LIST_MAX];
	int64_t value_pence;
	int weight_g;
	int length_mm;           /* the longest line dimension */
	int64_t now_ms;          /* for cut-offs and the promise */
};

/* Read order ref's facts for one parcel of weight_g (0: the order's whole weight); 0, 1 no such order. */
int carrier_rules_order (db_t *db, const char *ref, int weight_g, int64_t now_ms, struct carrier_order *o);

struct carrier_choice {
	const struct carrier *carrier;      /* NULL: nothing eligible */
	const struct carrier_service *service;
	int64_t pence;                      /* -1 when no rate */
	char rule[200];                     /* "rule 'heavy' (rules.conf:12)" */
	char why[4096];                     /* the rule, the choice and every service ruled out */
};

/* Run the rule set; always fills choice (carrier NULL and why when nothing fits). */
void carrier_rules_choose (const carrier_set_t *set, const struct carrier_order *o, struct carrier_choice *choice);

/*
 * Whether service s of c can take the parcel: true, or false with a reason
 * for a person ("30000 g is over its 2000 g limit").
 */
bool carrier_rules_eligible (const struct carrier *c, const struct carrier_service *s, const struct carrier_order *o,
    bool promise, char *why, size_t n);

/* The price of a service for the parcel from the rate table: pence, or -1 (and why) when it has no rate. */
int64_t carrier_rules_price (const struct carrier *c, const struct carrier_service *s, const struct carrier_order *o,
    char *why, size_t n);

/* The date the service would deliver (YYYY-MM-DD) when despatched at o->now_ms. */
void carrier_rules_delivery_date (const struct carrier *c, const struct carrier_service *s, int64_t now_ms, char *out,
    size_t n);

/* One line of a quote: every service, eligible ones first, cheapest first. */
struct carrier_quote {
	const struct carrier *c;
	const struct carrier_service *s;
	bool eligible;
	int64_t pence;          /* -1: no rate */
	char date[11];          /* delivery date if despatched now */
	char note[160];         /* the zone, or why it cannot take the parcel */
};
/* Quote every service for the parcel; returns the count, *out (caller frees). */
int carrier_rules_quote_all (const carrier_set_t *set, const struct carrier_order *o, struct carrier_quote **out);

/* ------------------------------------------------------------ tracking (carrier-track.c) */

struct carrier_track_report {
	int events, matched;
	char **errors;    /* "file:7: status is not a known carrier status ..." (the file is refused) */
	int nerrors;
	char **unknown;   /* "file:9: tracking number X matches no parcel ..." (kept, reported) */
	int nunknown;
	char **warnings;
	int nwarnings;
};

/*
 * Take a tracking CSV (header: tracking,time,status[,location,detail,signed_by,pod_image])
 * named name, inside the caller's transaction (text is modified). Returns 0
 * taken, 1 refused (rep->errors; roll back), -1 the database failed.
 */
int carrier_track_text (db_t *db, const char *name, char *text, int64_t now_ms, struct carrier_track_report *rep);
/* The same from JSON: a list of objects with those keys as text, or
 * {"events": [...]}; "name:N" in messages is the N-th event. */
int carrier_track_json (db_t *db, const char *name, const char *json, size_t size, int64_t now_ms,
    struct carrier_track_report *rep);
/*
 * The same from a file (CSV, or JSON when it starts with '{' or '['), at
 * most CARRIER_TRACK_MAX_FILE bytes: a file that cannot be read, is larger,
 * or holds anything but UTF-8 text (a NUL, a control character other than
 * tab and line ends) is refused naming its line, before any row is taken.
 * name is for messages.
 */
#define CARRIER_TRACK_MAX_FILE (16 * 1024 * 1024)
int carrier_track_file (db_t *db, const char *path, const char *name, int64_t now_ms, struct carrier_track_report *rep);
void carrier_track_report_free (struct carrier_track_report *rep);

#endif
