/*
 * hub-import.h: orders in, from till and ERP exports (CSV or JSON, see
 * doc/orders.md), the inbox folder and the integration endpoint.
 *
 * An import runs in steps, so that the hub's loop serves its terminals
 * between them and a file of any size is never held: the source is read
 * as it goes, each row checked and the orders kept in the import's own
 * scratch database (a temporary file of SQLite's, never the hub's, gone
 * when the import is), so memory stays the same whatever the size.
 *
 *   read   the source, every row checked by the field rules, rows grouped
 *          into orders (an order's rows need not follow one another);
 *   check  every order against the hub's database, reading only: new,
 *          unchanged, changed while still "new", customs data only, or a
 *          change despatch refuses;
 *   write  only when nothing was wrong: in slices, each its own
 *          transaction, each order decided again as it is written, each
 *          with its undo record in the same transaction (the hub's table
 *          import_undo, under the import's run in import_runs);
 *   record the import in imports, which finishes its run; its undo
 *          records are then cleared, in slices;
 *   undo   when a slice finds an order refused after all (despatch
 *          received it since the check) or the database fails: what the
 *          earlier slices wrote is taken back, newest first.
 *
 * So a file is imported whole or not at all: a file with any bad row
 * writes nothing, and one refused while it is written is taken back. The
 * undo records outlive the process: an import cut short by a kill or a
 * stop is taken back from them by hub_import_recover at the next start of
 * the hub or of despatch import, before anything else imports, so the file
 * taken again is imported or refused on its own. While a big file is
 * written its orders appear slice by slice. An order the floor has already
 * begun when an import is taken back stays as it is (the refusal, or the
 * recovery, names it).
 *
 * One import writes into a database at a time, whichever process runs
 * it: the caller takes the import lock (below) before an import's first
 * step and drops it after its last, and takes back what imports cut short
 * wrote (hub_import_recover) each time it takes it, before anything else.
 * So no import's take-back or recovery ever acts on orders another is
 * writing, and no two interleave their slices.
 *
 * An import is one thread's at a time; its scratch database is its own.
 */
#ifndef DSP_HUB_IMPORT_H
#define DSP_HUB_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "db.h"

/* Problems and warnings listed, each: more are counted, not listed. */
#define HUB_IMPORT_MAX_ERRORS 200

struct hub_import_report {
	long rows;      /* order lines read */
	long orders, created, updated, unchanged;
	int nerrors;
	char **errors;  /* "line 7: X1: quantity must be a whole number from 1 to 999" */
	int nwarnings;
	char **warnings; /* "line 4: X2: country UK taken as GB ..."; the import goes on */
	long more_errors, more_warnings; /* beyond the lists */
	long undone;    /* orders taken back after a refusal while writing */
	long kept;      /* of those, orders the floor had begun, left as they were */
};

typedef struct hub_import hub_import_t;

/* Where an import's bytes come from: up to size bytes into buf; how many,
 * 0 at the end, or -1 with errno set. */
typedef ssize_t (hub_import_read_fn) (void *arg, char *buf, size_t size);

enum {
	/* The steps run inside the caller's transaction (savepoints, no
	 * commits); nothing can change between check and write, so nothing is
	 * ever undone. For whole imports in one call (hub_import_text). */
	HUB_IMPORT_CALLER_TX = 1 << 0,
	/* The caller is a loop that must not wait on the file system: a big
	 * import's scratch database is closed on a thread of its own. */
	HUB_IMPORT_ON_LOOP = 1 << 1,
};

/* An import named name (in messages, the audit and imports.source) at
 * now_ms; NULL and *cause (caller frees) when its scratch database cannot
 * be made. Then give it one source. */
hub_import_t *hub_import_new (const char *name, int64_t now_ms, unsigned flags, char **cause);
void hub_import_destroy (hub_import_t **self_p);
/* Which file the import is and its digest once read (either NULL: kept as
 * it was), recorded with it (imports.file, .sha1): the inbox, looking at a
 * file again after a stop, knows one it had imported whole. */
void hub_import_source_file (hub_import_t *self, const char *file, const char *sha1);
/* Read through fn (called from the steps only). */
void hub_import_source (hub_import_t *self, hub_import_read_fn *fn, void *arg);
/* Read text, which the caller keeps unchanged until the import is destroyed. */
void hub_import_source_text (hub_import_t *self, const char *text, size_t len);

/*
 * One step: work for about budget_ms (0: to the end) and return true
 * while there is more to do. Without HUB_IMPORT_CALLER_TX a step that
 * writes begins (BEGIN IMMEDIATE) and commits its own transaction, and
 * must be called with none open.
 */
bool hub_import_step (hub_import_t *self, db_t *db, int budget_ms);
/* What the import is doing now, for logs: "reading", "checking", "writing", "recording", "clearing",
 * "undoing", "done". */
const char *hub_import_phase (const hub_import_t *self);
/* Once the steps are done: 0 imported, 1 refused (the report says why),
 * -1 the database failed (nothing imported: take the file again later). */
int hub_import_outcome (const hub_import_t *self);
/* The report so far; the import's, valid until it is destroyed. */
const struct hub_import_report *hub_import_report (const hub_import_t *self);
/* Its name (the file's, or "integration"). */
const char *hub_import_name (const hub_import_t *self);

/*
 * The import lock of a database: an open file description lock on the
 * file beside it, DATABASE-import.lock (made with the database's mode and
 * owner), held for the whole write of one file. The kernel drops it when
 * its holder ends, however it ends and in whatever pid namespace it runs:
 * a run left unfinished while no one holds it is orphaned for sure. who
 * names the taker in what the file says of its holder ("despatch import",
 * "the hub"). A database in memory needs none: its lock is always free.
 * NULL and *cause (caller frees) when the file cannot be opened or made.
 */
typedef struct hub_import_lock hub_import_lock_t;
hub_import_lock_t *hub_import_lock_new (db_t *db, const char *who, char **cause);
/* Drops it if held. */
void hub_import_lock_destroy (hub_import_lock_t **self_p);
/*
 * Take it for what (the file's name, for others' messages), trying for up
 * to wait_ms (0: once, never waiting: the hub's loop): 0 taken (or held
 * already); 1 another holds it, *holder what it says of itself ("despatch
 * import (pid 4242) since 2026-12-01T10:00:00Z, orders.csv", escaped) or
 * NULL; -1 the system refused, *cause. The caller frees both.
 */
int hub_import_lock_take (hub_import_lock_t *self, const char *what, int wait_ms, char **holder, char **cause);
void hub_import_lock_drop (hub_import_lock_t *self);
bool hub_import_lock_held (const hub_import_lock_t *self);

/*
 * The next import that a process left unfinished in db (one gone, as the
 * lock held says: no other process writes meanwhile; or an import of this
 * process destroyed before it was whole), as an import to step to its end with hub_import_step like any
 * other. NULL when there is none left (*cause NULL), or when db cannot be
 * read (*cause, caller frees). Call it until NULL before anything else
 * imports (the hub's feed, despatch import): otherwise the file taken
 * again would find its own orders there, unchanged, and their later take
 * back would leave it short. Only with lock held (hub_import_lock_take):
 * NULL and *cause otherwise.
 *
 * One cut short while writing is taken back from its undo records, newest
 * first, exactly as a file refused while it is written: the report's
 * undone and kept count the orders, an error names each kept (the floor
 * began it), and one audit event 'import-taken-back' (operator system,
 * code the file) records it. Its outcome: 0 all taken back, 1 some kept,
 * -1 the database failed (call again later). One cut short after its
 * record only has its undo records cleared (hub_import_taking_back false).
 */
hub_import_t *hub_import_recover (db_t *db, const hub_import_lock_t *lock, unsigned flags, char **cause);
bool hub_import_taking_back (const hub_import_t *self);
/* An import of this process was destroyed before it was whole or taken back since the last call (its run is
 * then one for hub_import_recover). */
bool hub_import_orphaned (void);
/* A recovery's: the pid of the process that wrote it. */
long hub_import_owner (const hub_import_t *self);

/* A whole import of text in one call, inside a transaction the caller
 * owns: 0 imported, 1 refused, -1 database; *rep is the caller's to free
 * with hub_import_report_free. */
int hub_import_text (db_t *db, const char *name, const char *text, size_t len, int64_t now_ms,
    struct hub_import_report *rep);
/* The file at path to import, opened for reading (caller closes); NULL and
 * *cause (caller frees; what is wrong and what to do, to follow the file's
 * name) when it cannot be read or is no regular file (a FIFO, a device, a
 * folder), refused without waiting for a FIFO's writer. */
FILE *hub_import_open (const char *path, char **cause);
/* The same for a file (the demo data); one that cannot be opened is refused with the reason. */
int hub_import_file (db_t *db, const char *path, int64_t now_ms, struct hub_import_report *rep);
void hub_import_report_free (struct hub_import_report *rep);

/*
 * For the erase of a customer (store/hub-erase.h): the undo records of
 * order ref that hold it as it was before an import changed it (until the
 * import is recorded or taken back). Each personal field in them goes to
 * fn with its column in orders (customer_name, address1, address2,
 * address3, town, postcode, phone, email, loyalty; a line's description
 * as "description"); fn returns what the field becomes (fn keeps it), or
 * NULL to keep it. A record with a field changed is rewritten, the hash
 * of the order as it was emptied as the erase empties the order's.
 * Returns the records rewritten, or -1 (the database failed).
 */
typedef const char *(hub_import_personal_fn) (void *arg, const char *column, const char *value);
int hub_import_undo_personal (db_t *db, const char *ref, hub_import_personal_fn *fn, void *arg);

/*
 * Kept order files (doc/orders.md, hub.inbox_keep_days): the copies in the
 * inbox folder's done/ and failed/. Each one holding a row (CSV) or an
 * order (JSON) whose reference is one of refs is rewritten without them,
 * keeping its owner and mode; a file left with no order, or one that does
 * not read as orders but names one of them, is removed. For the erase of a
 * customer (store/hub-erase.h). Returns the rows and orders taken out, and
 * in *files how many files changed; -1 and *cause (caller frees) when a
 * file could not be rewritten (those before it are done).
 */
long hub_import_kept_erase (const char *inbox, char *const *refs, int nrefs, int *files, char **cause);

#endif
