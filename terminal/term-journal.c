/*
 * term-journal.c: the terminal's journal of unsent scans, over db.h.
 *
 * What an answered scan leaves: nothing. secure_delete overwrites a
 * removed row (and any page it frees) with zeros, and the scrub, a
 * checkpoint with TRUNCATE, then writes that page into the file and
 * empties the WAL, where the row's earlier copies were. The scrub costs
 * two fsyncs, so the terminal runs it once the answer is on the screen
 * (term_journal_scrub), not in the removal.
 */
#include "config.h"
#include "term-journal.h"
#include "db.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* 2: secure_delete, and a VACUUM once for what version 1 left in free pages. */
#define TERM_JOURNAL_VERSION 2

struct term_journal {
	db_t *db;
	bool scrub_due; /* a row was deleted since the last scrub */
};

static const char term_journal_schema[] =
	"CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS outbox ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  seq INTEGER NOT NULL UNIQUE,"
	"  at INTEGER NOT NULL,"
	"  provisional INTEGER NOT NULL DEFAULT 0,"
	"  step TEXT NOT NULL,"
	"  code TEXT NOT NULL,"
	"  request BLOB NOT NULL);"
	"CREATE TABLE IF NOT EXISTS rejected ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  seq INTEGER NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  step TEXT NOT NULL,"
	"  code TEXT NOT NULL,"
	"  text TEXT NOT NULL);"
	"INSERT OR IGNORE INTO meta (key, value) VALUES ('next_seq', 1);";

int
term_journal_scrub (term_journal_t *self)
{
	db_stmt_t *st = db_prepare (self->db, "PRAGMA wal_checkpoint(TRUNCATE)");
	/* One row: busy (1 when it could not finish), frames in the log, frames moved. */
	int rc = db_step (st) == DB_ROW && db_col_int (st, 0) == 0 ? 0 : -1;
	db_reset (st);
	if (rc == 0)
		self->scrub_due = false;
	return rc;
}

bool
term_journal_scrub_due (term_journal_t *self)
{
	return self->scrub_due;
}

term_journal_t *
term_journal_open (const char *path, char **cause)
{
	char *wal = xasprintf ("%s-wal", path);
	struct stat st;
	bool left_wal = stat (wal, &st) == 0 && st.st_size > 0;
	free (wal);
	db_t *db = db_open (path, DB_READWRITE, cause);
	if (db == NULL)
		return NULL;
	int version = db_user_version (db);
	if (version > TERM_JOURNAL_VERSION) {
		*cause = xasprintf ("journal %s is from a newer terminal (version %d)", path, version);
		db_close (&db);
		return NULL;
	}
	/* A journal holds a handful of rows: a small page cache and no mmap keep
	 * the handheld's memory for what it needs (db.h's defaults suit the hub). */
	if (db_exec (db, "PRAGMA cache_size=-64; PRAGMA mmap_size=0; PRAGMA secure_delete=ON") != 0
	    || db_exec (db, term_journal_schema) != 0
	    || (version == 1 && db_exec (db, "VACUUM") != 0) || db_set_user_version (db, TERM_JOURNAL_VERSION) != 0) {
		*cause = xasprintf ("journal %s: %s", path, db_errmsg (db));
		db_close (&db);
		return NULL;
	}
	term_journal_t *self = xcalloc (1, sizeof *self);
	self->db = db;
	/* A terminal that stopped before its last scrub (killed) left a WAL, and
	 * the VACUUM's pages are in the WAL yet: scrub now. A clean stop leaves
	 * no WAL, and then the two fsyncs are saved. */
	if (left_wal || version == 1)
		term_journal_scrub (self);
	return self;
}

void
term_journal_close (term_journal_t **self_p)
{
	if (self_p == NULL || *self_p == NULL)
		return;
	if ((*self_p)->scrub_due)
		term_journal_scrub (*self_p);
	db_close (&(*self_p)->db);
	free (*self_p);
	*self_p = NULL;
}

uint32_t
term_journal_next_seq (term_journal_t *self)
{
	return (uint32_t) db_query_int (self->db, "SELECT value FROM meta WHERE key = 'next_seq'", 1);
}

int
term_journal_seq_at_least (term_journal_t *self, uint32_t at_least)
{
	db_stmt_t *st = db_prepare (self->db, "UPDATE meta SET value = max(value, ?1) WHERE key = 'next_seq'");
	db_bind_int (st, 1, at_least);
	int rc = db_step (st);
	db_reset (st);
	return rc == DB_DONE ? 0 : -1;
}

/* Inside a transaction: the next number, and the counter moved past it. */
static uint32_t
term_journal_seq_bump (term_journal_t *self)
{
	uint32_t seq = term_journal_next_seq (self);
	if (term_journal_seq_at_least (self, seq + 1) != 0)
		return 0;
	return seq;
}

uint32_t
term_journal_take_seq (term_journal_t *self)
{
	if (db_begin (self->db) != 0)
		return 0;
	uint32_t seq = term_journal_seq_bump (self);
	if (seq == 0 || db_commit (self->db) != 0) {
		db_rollback (self->db);
		return 0;
	}
	return seq;
}

int
term_journal_add (term_journal_t *self, proto_msg_t *msg, bool provisional, int64_t at_ms)
{
	/* Scans only: other requests carry free text (notes, reasons) or a PIN. */
	if (proto_msg_id (msg) != PROTO_SCAN)
		return -1;
	if (db_begin (self->db) != 0)
		return -1;
	uint32_t seq = term_journal_seq_bump (self);
	if (seq == 0)
		goto fail;
	proto_msg_set_seq (msg, seq);
	size_t size;
	uint8_t *data = proto_encode (msg, &size);
	if (data == NULL)
		goto fail;
	db_stmt_t *st = db_prepare (self->db,
	    "INSERT INTO outbox (seq, at, provisional, step, code, request) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
	db_bind_int (st, 1, seq);
	db_bind_int (st, 2, at_ms);
	db_bind_int (st, 3, provisional);
	db_bind_text (st, 4, proto_get_str (msg, PROTO_SCAN_STEP));
	db_bind_text (st, 5, proto_get_str (msg, PROTO_SCAN_CODE));
	db_bind_blob (st, 6, data, size);
	int rc = db_step (st);
	db_reset (st);
	free (data);
	if (rc != DB_DONE || db_commit (self->db) != 0)
		goto fail;
	return 0;
fail:
	db_rollback (self->db);
	return -1;
}

static int
term_journal_delete (term_journal_t *self, uint32_t seq)
{
	db_stmt_t *st = db_prepare (self->db, "DELETE FROM outbox WHERE seq = ?1");
	db_bind_int (st, 1, seq);
	int rc = db_step (st);
	db_reset (st);
	if (rc == DB_DONE)
		self->scrub_due = true; /* also for a reject, whose request goes from the outbox */
	return rc == DB_DONE ? 0 : -1;
}

/*
 * The one write not synced to disk (synchronous=NORMAL): losing it in a
 * power cut only resends an answered request, which the hub answers from
 * its stored reply without applying it again. The scrub that follows
 * (term_journal_scrub) syncs the WAL and the file, and the next synced
 * commit (every add) makes it durable too, since the WAL is written in order.
 */
int
term_journal_remove (term_journal_t *self, uint32_t seq)
{
	if (db_exec (self->db, "PRAGMA synchronous=NORMAL") != 0)
		return -1;
	int rc = term_journal_delete (self, seq);
	if (db_exec (self->db, "PRAGMA synchronous=FULL") != 0)
		rc = -1;
	return rc;
}

bool
term_journal_has (term_journal_t *self, uint32_t seq)
{
	db_stmt_t *st = db_prepare (self->db, "SELECT 1 FROM outbox WHERE seq = ?1");
	db_bind_int (st, 1, seq);
	bool has = db_step (st) == DB_ROW;
	db_reset (st);
	return has;
}

proto_msg_t *
term_journal_head (term_journal_t *self, bool *provisional)
{
	db_stmt_t *st = db_prepare (self->db, "SELECT seq, provisional, request FROM outbox ORDER BY id LIMIT 1");
	proto_msg_t *msg = NULL;
	if (db_step (st) == DB_ROW) {
		size_t n;
		const void *data = db_col_blob (st, 2, &n);
		char err[128];
		if (proto_decode (data, n, &msg, NULL, err, sizeof err) == 0) {
			proto_msg_set_seq (msg, (uint32_t) db_col_int (st, 0));
			if (provisional)
				*provisional = db_col_int (st, 1) != 0;
		}
	}
	db_reset (st);
	return msg;
}

unsigned
term_journal_count (term_journal_t *self)
{
	return (unsigned) db_query_int (self->db, "SELECT count(*) FROM outbox", 0);
}

int
term_journal_mark_provisional (term_journal_t *self)
{
	return db_exec (self->db, "UPDATE outbox SET provisional = 1 WHERE provisional = 0");
}

int
term_journal_renumber (term_journal_t *self, uint32_t seq, uint32_t *new_seq)
{
	if (db_begin (self->db) != 0)
		return -1;
	uint32_t n = term_journal_seq_bump (self);
	db_stmt_t *st = db_prepare (self->db, "UPDATE outbox SET seq = ?2 WHERE seq = ?1");
	db_bind_int (st, 1, seq);
	db_bind_int (st, 2, n);
	int rc = db_step (st);
	db_reset (st);
	if (n == 0 || rc != DB_DONE || db_commit (self->db) != 0) {
		db_rollback (self->db);
		return -1;
	}
	*new_seq = n;
	return 0;
}

int
term_journal_reject (term_journal_t *self, uint32_t seq, const char *text, int64_t at_ms)
{
	if (db_begin (self->db) != 0)
		return -1;
	db_stmt_t *st = db_prepare (self->db,
	    "INSERT INTO rejected (seq, at, step, code, text) SELECT seq, ?2, step, code, ?3 FROM outbox WHERE seq = ?1");
	db_bind_int (st, 1, seq);
	db_bind_int (st, 2, at_ms);
	db_bind_text (st, 3, text);
	int rc = db_step (st);
	db_reset (st);
	if (rc != DB_DONE || term_journal_delete (self, seq) != 0 || db_commit (self->db) != 0) {
		db_rollback (self->db);
		return -1;
	}
	return 0;
}

unsigned
term_journal_rejected_count (term_journal_t *self)
{
	return (unsigned) db_query_int (self->db, "SELECT count(*) FROM rejected", 0);
}

unsigned
term_journal_rejected_list (term_journal_t *self, struct term_journal_rejected *out, unsigned max)
{
	db_stmt_t *st = db_prepare (self->db, "SELECT seq, at, step, code, text FROM rejected ORDER BY id");
	unsigned n = 0;
	while (n < max && db_step (st) == DB_ROW) {
		out[n].seq = (uint32_t) db_col_int (st, 0);
		out[n].at = db_col_int (st, 1);
		util_strlcpy (out[n].step, db_col_text (st, 2), sizeof out[n].step);
		util_strlcpy (out[n].code, db_col_text (st, 3), sizeof out[n].code);
		util_strlcpy (out[n].text, db_col_text (st, 4), sizeof out[n].text);
		n++;
	}
	db_reset (st);
	return n;
}

int
term_journal_rejected_clear (term_journal_t *self)
{
	if (db_exec (self->db, "DELETE FROM rejected") != 0)
		return -1;
	self->scrub_due = true;
	return 0;
}
