/* hub-store.c: schema, migrations and the loop's own queries. */
#include "config.h"
#include "hub-store.h"
#include "hub-backup.h"
#include "hub-role.h"
#include "hub/hub.h"
#include "log.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * Migrations: entry N takes a database from user_version N to N+1. Never
 * edit a shipped entry; append a new one and bump HUB_STORE_SCHEMA.
 */
/* A print job that waits unprinted, kept for a reprint or a redirect (the job states the terminal's P count counts,
 * hub-state.h): the partial index label_jobs_kept holds these alone. */
#define HUB_STORE_KEPT "status IN ('offline', 'no-printer', 'failed')"
#define HUB_STORE_KEPT_AS(t) t ".status IN ('offline', 'no-printer', 'failed')"

static const char *hub_store_migrations[] = {
	/* 0 -> 1: the walking skeleton. */
	"CREATE TABLE operators ("
	"  badge TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  role TEXT NOT NULL,"
	"  pin_hash TEXT NOT NULL,"
	"  failures INTEGER NOT NULL DEFAULT 0,"
	"  locked_until INTEGER NOT NULL DEFAULT 0,"
	"  active INTEGER NOT NULL DEFAULT 1);"
	"CREATE TABLE terminals ("
	"  terminal TEXT PRIMARY KEY,"
	"  station TEXT NOT NULL DEFAULT '',"
	"  profile TEXT NOT NULL DEFAULT '',"
	"  software TEXT NOT NULL DEFAULT '',"
	"  operator TEXT REFERENCES operators(badge),"
	"  last_seq INTEGER NOT NULL DEFAULT 0,"
	"  first_seen INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL,"
	"  last_active INTEGER NOT NULL DEFAULT 0,"
	"  login_at INTEGER);"
	"CREATE TABLE requests ("
	"  terminal TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  reply BLOB NOT NULL,"
	"  PRIMARY KEY (terminal, seq)) WITHOUT ROWID;"
	"CREATE INDEX requests_at ON requests(at);"
	"CREATE TABLE orders ("
	"  ref TEXT PRIMARY KEY,"
	"  channel TEXT NOT NULL DEFAULT 'till',"
	"  customer_name TEXT NOT NULL DEFAULT '',"
	"  status TEXT NOT NULL DEFAULT 'new',"
	"  created_at INTEGER NOT NULL,"
	"  received_at INTEGER,"
	"  received_by TEXT);"
	"CREATE TABLE scans ("
	"  id INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL,"
	"  terminal TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  operator TEXT,"
	"  station TEXT,"
	"  step TEXT NOT NULL,"
	"  code TEXT NOT NULL,"
	"  manual INTEGER NOT NULL DEFAULT 0,"
	"  status TEXT NOT NULL,"
	"  reason INTEGER NOT NULL,"
	"  order_ref TEXT);"
	"CREATE INDEX scans_order ON scans(order_ref);"
	"CREATE INDEX scans_code ON scans(code);",
	/* 1 -> 2: the despatch flow: orders in full, lines, parcels,
	 * holds, notes, audit events, carriers and number ranges, cages,
	 * manifests, label jobs, tracking. Carriers, ranges and cages are
	 * seeded with the demo set until carrier data files arrive. */
	"ALTER TABLE orders ADD COLUMN address1 TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE orders ADD COLUMN address2 TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE orders ADD COLUMN address3 TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE orders ADD COLUMN town TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE orders ADD COLUMN postcode TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE orders ADD COLUMN country TEXT NOT NULL DEFAULT 'GB';"
	"ALTER TABLE orders ADD COLUMN phone TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE orders ADD COLUMN email TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE orders ADD COLUMN loyalty TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE orders ADD COLUMN service TEXT NOT NULL DEFAULT 'standard';"
	"ALTER TABLE orders ADD COLUMN promise TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE orders ADD COLUMN value_pence INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE orders ADD COLUMN price_pence INTEGER;"
	"ALTER TABLE orders ADD COLUMN parcels_expected INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE orders ADD COLUMN part_release TEXT;"
	"ALTER TABLE orders ADD COLUMN content_hash TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE orders ADD COLUMN source TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE orders ADD COLUMN updated_at INTEGER;"
	"CREATE TABLE order_lines ("
	"  order_ref TEXT NOT NULL REFERENCES orders(ref),"
	"  line_no INTEGER NOT NULL,"
	"  sku TEXT NOT NULL,"
	"  description TEXT NOT NULL DEFAULT '',"
	"  department TEXT NOT NULL,"
	"  quantity INTEGER NOT NULL,"
	"  locations TEXT NOT NULL,"         /* ';' separated */
	"  unit_weight_g INTEGER NOT NULL,"
	"  value_pence INTEGER NOT NULL DEFAULT 0,"
	"  length_mm INTEGER, width_mm INTEGER, height_mm INTEGER,"
	"  status TEXT NOT NULL DEFAULT 'open',"  /* open found short damaged */
	"  qty_found INTEGER NOT NULL DEFAULT 0,"
	"  location_ok TEXT,"                 /* the location scanned for it */
	"  wrong_scans INTEGER NOT NULL DEFAULT 0,"
	"  located_at INTEGER, located_by TEXT,"
	"  PRIMARY KEY (order_ref, line_no));"
	"CREATE TABLE carriers ("
	"  code TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  scheme TEXT NOT NULL);"           /* tracking-number scheme, labels/ident.h */
	"CREATE TABLE services ("
	"  carrier TEXT NOT NULL REFERENCES carriers(code),"
	"  service TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  countries TEXT NOT NULL,"         /* ' GB IE ' or '*' */
	"  requested TEXT NOT NULL,"         /* ' standard next-day ' or '*' */
	"  max_weight_g INTEGER NOT NULL,"
	"  rank INTEGER NOT NULL,"
	"  PRIMARY KEY (carrier, service));"
	"CREATE TABLE ranges ("
	"  id INTEGER PRIMARY KEY,"
	"  carrier TEXT NOT NULL,"           /* a carrier code, or 'sscc' for the store's own SSCCs */
	"  scheme TEXT NOT NULL,"
	"  prefix TEXT NOT NULL,"
	"  first INTEGER NOT NULL,"
	"  next INTEGER NOT NULL,"
	"  last INTEGER NOT NULL,"
	"  low_water INTEGER NOT NULL DEFAULT 100);"
	"CREATE TABLE cages ("
	"  code TEXT PRIMARY KEY,"
	"  carrier TEXT NOT NULL REFERENCES carriers(code),"
	"  name TEXT NOT NULL);"
	"CREATE TABLE manifests ("
	"  id INTEGER PRIMARY KEY,"
	"  carrier TEXT NOT NULL,"
	"  cage TEXT,"
	"  closed_at INTEGER NOT NULL,"
	"  closed_by TEXT NOT NULL,"
	"  parcels INTEGER NOT NULL);"
	"CREATE TABLE parcels ("
	"  id INTEGER PRIMARY KEY,"
	"  order_ref TEXT NOT NULL REFERENCES orders(ref),"
	"  parcel_no INTEGER NOT NULL,"
	"  code TEXT NOT NULL UNIQUE,"        /* REF/N */
	"  box TEXT NOT NULL,"
	"  weight_g INTEGER NOT NULL,"
	"  carrier TEXT, service TEXT,"
	"  tracking TEXT UNIQUE, sscc TEXT UNIQUE,"
	"  status TEXT NOT NULL DEFAULT 'packed',"
	"  cage TEXT,"
	"  manifest_id INTEGER REFERENCES manifests(id),"
	"  packed_at INTEGER NOT NULL, packed_by TEXT NOT NULL,"
	"  labelled_at INTEGER, verified_at INTEGER, verified_by TEXT,"
	"  scanned_out_at INTEGER, scanned_out_by TEXT, closed_at INTEGER,"
	"  UNIQUE (order_ref, parcel_no));"
	"CREATE TABLE holds ("
	"  id INTEGER PRIMARY KEY,"
	"  order_ref TEXT NOT NULL,"
	"  parcel_id INTEGER,"                /* NULL: the whole order */
	"  reason TEXT NOT NULL,"
	"  held_by TEXT NOT NULL, held_at INTEGER NOT NULL,"
	"  released_by TEXT, released_at INTEGER, release_reason TEXT);"
	"CREATE INDEX holds_order ON holds(order_ref);"
	"CREATE TABLE notes ("
	"  id INTEGER PRIMARY KEY,"
	"  order_ref TEXT NOT NULL,"
	"  parcel_id INTEGER,"
	"  text TEXT NOT NULL,"
	"  by TEXT NOT NULL, at INTEGER NOT NULL, terminal TEXT, station TEXT);"
	"CREATE INDEX notes_order ON notes(order_ref);"
	"CREATE TABLE events ("               /* the audit trail: every change */
	"  id INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL,"
	"  terminal TEXT, seq INTEGER, operator TEXT, station TEXT,"
	"  action TEXT NOT NULL,"
	"  order_ref TEXT, parcel_id INTEGER, line_no INTEGER,"
	"  code TEXT, manual INTEGER NOT NULL DEFAULT 0,"
	"  detail TEXT NOT NULL DEFAULT '',"
	"  undoable INTEGER NOT NULL DEFAULT 0,"
	"  undone_at INTEGER);"
	"CREATE INDEX events_order ON events(order_ref);"
	"CREATE INDEX events_operator ON events(operator, undoable);"
	"CREATE TABLE label_jobs ("
	"  id INTEGER PRIMARY KEY,"
	"  parcel_id INTEGER NOT NULL REFERENCES parcels(id),"
	"  terminal TEXT, station TEXT,"
	"  status TEXT NOT NULL DEFAULT 'queued',"
	"  created_at INTEGER NOT NULL,"
	"  printer TEXT, error TEXT);"
	"CREATE TABLE tracking ("
	"  id INTEGER PRIMARY KEY,"
	"  parcel_id INTEGER NOT NULL REFERENCES parcels(id),"
	"  at INTEGER NOT NULL,"
	"  event TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '', source TEXT NOT NULL DEFAULT '');"
	"CREATE TABLE imports ("
	"  id INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL, source TEXT NOT NULL,"
	"  orders INTEGER NOT NULL, created INTEGER NOT NULL, updated INTEGER NOT NULL, unchanged INTEGER NOT NULL);"
	"INSERT INTO carriers VALUES"
	"  ('store-van', 'Store van', 'sscc'),"
	"  ('royal-mail', 'Royal Mail', 's10'),"
	"  ('dpd', 'DPD', 'dpd'),"
	"  ('parcelforce', 'Parcelforce', 's10'),"
	"  ('dhl-express', 'DHL Express', 'dhl-express'),"
	"  ('ups', 'UPS', 'ups'),"
	"  ('fedex', 'FedEx', 'fedex-express');"
	"INSERT INTO services VALUES"
	"  ('store-van', 'same-day', 'Store van same day', ' GB ', ' same-day ', 30000, 10),"
	"  ('royal-mail', 'tracked-48', 'Royal Mail Tracked 48', ' GB ', ' standard ', 2000, 20),"
	"  ('dpd', 'next-day', 'DPD Next Day', ' GB ', ' standard next-day same-day ', 30000, 30),"
	"  ('parcelforce', 'express-48', 'Parcelforce express48', ' GB ', '*', 70000, 40),"
	"  ('dhl-express', 'worldwide', 'DHL Express Worldwide', '*', ' express next-day same-day ', 70000, 50),"
	"  ('ups', 'standard', 'UPS Standard', ' IE FR DE NL BE LU ES PT IT AT DK SE FI PL CZ CH NO ', '*', 70000, 60),"
	"  ('fedex', 'international-priority', 'FedEx International Priority', '*', '*', 68000, 70);"
	"INSERT INTO ranges (carrier, scheme, prefix, first, next, last, low_water) VALUES"
	"  ('sscc', 'sscc', '05012345', 1, 1, 999999999, 1000),"
	"  ('store-van', 'sscc', '15012345', 1, 1, 999999999, 1000),"
	"  ('royal-mail', 's10', 'RBGB', 10000000, 10000000, 10999999, 1000),"
	"  ('dpd', 'dpd', '1550', 1000000, 1000000, 1999999, 1000),"
	"  ('parcelforce', 's10', 'PBGB', 20000000, 20000000, 20999999, 1000),"
	"  ('dhl-express', 'dhl-express', '', 331881000, 331881000, 331899999, 500),"
	"  ('ups', 'ups', '999AA101', 1000000, 1000000, 1999999, 1000),"
	"  ('fedex', 'fedex-express', '', 98657878000, 98657878000, 98657899999, 1000);"
	"INSERT INTO cages VALUES"
	"  ('CAGE-DPD', 'dpd', 'DPD cage'),"
	"  ('CAGE-RM', 'royal-mail', 'Royal Mail cage'),"
	"  ('CAGE-PF', 'parcelforce', 'Parcelforce cage'),"
	"  ('CAGE-DHL', 'dhl-express', 'DHL Express cage'),"
	"  ('CAGE-UPS', 'ups', 'UPS cage'),"
	"  ('CAGE-FEDEX', 'fedex', 'FedEx cage'),"
	"  ('VAN-1', 'store-van', 'Store van 1'),"
	"  ('VAN-2', 'store-van', 'Store van 2');",
	/* 2 -> 3: printing: the label itself is kept with its job until
	 * printed or cancelled; the CUPS job id follows it. */
	"ALTER TABLE label_jobs ADD COLUMN kind TEXT NOT NULL DEFAULT 'label';"
	"ALTER TABLE label_jobs ADD COLUMN format TEXT NOT NULL DEFAULT 'zpl';"
	"ALTER TABLE label_jobs ADD COLUMN title TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE label_jobs ADD COLUMN data BLOB;"
	"ALTER TABLE label_jobs ADD COLUMN cups_job INTEGER;"
	"ALTER TABLE label_jobs ADD COLUMN reprint_of INTEGER REFERENCES label_jobs(id);"
	"ALTER TABLE label_jobs ADD COLUMN requested_by TEXT;"
	"ALTER TABLE label_jobs ADD COLUMN updated_at INTEGER;"
	"ALTER TABLE label_jobs ADD COLUMN printed_at INTEGER;"
	"CREATE INDEX label_jobs_status ON label_jobs(status);"
	"CREATE INDEX label_jobs_parcel ON label_jobs(parcel_id);",
	/* 3 -> 4: operations: the hub's heartbeat row, read by
	 * despatch status (despatch-status.c), and an index so that scans per
	 * minute is a short range read. */
	"CREATE TABLE hub_status ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  version TEXT NOT NULL,"
	"  pid INTEGER NOT NULL,"
	"  endpoint TEXT NOT NULL DEFAULT '',"
	"  started_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  stopped_at INTEGER,"              /* set on a clean stop */
	"  beat_ms INTEGER NOT NULL,"
	"  expiry_ms INTEGER NOT NULL);"
	"CREATE INDEX scans_at ON scans(at);",
	/* 4 -> 5: carriers as data: a supervisor's carrier override
	 * per order, customs fields per line, manifests that can be reopened and
	 * know their file, tracking normalised with proof of delivery, and
	 * tracking numbers that matched no parcel. */
	"ALTER TABLE orders ADD COLUMN carrier_override TEXT;"
	"ALTER TABLE orders ADD COLUMN service_override TEXT;"
	"ALTER TABLE orders ADD COLUMN override_by TEXT;"
	"ALTER TABLE orders ADD COLUMN override_reason TEXT;"
	"ALTER TABLE orders ADD COLUMN override_at INTEGER;"
	"ALTER TABLE order_lines ADD COLUMN hs_code TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE order_lines ADD COLUMN origin_country TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE order_lines ADD COLUMN currency TEXT NOT NULL DEFAULT 'GBP';"
	"ALTER TABLE manifests ADD COLUMN status TEXT NOT NULL DEFAULT 'closed';"  /* closed, reopened */
	"ALTER TABLE manifests ADD COLUMN file TEXT;"
	"ALTER TABLE manifests ADD COLUMN weight_g INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE manifests ADD COLUMN reopened_by TEXT;"
	"ALTER TABLE manifests ADD COLUMN reopened_at INTEGER;"
	"ALTER TABLE manifests ADD COLUMN reopen_reason TEXT;"
	"ALTER TABLE tracking ADD COLUMN status TEXT;"        /* normalised: doc/carriers.md */
	"ALTER TABLE tracking ADD COLUMN carrier_at TEXT;"    /* the carrier's own time */
	"ALTER TABLE tracking ADD COLUMN location TEXT;"
	"ALTER TABLE tracking ADD COLUMN signed_by TEXT;"
	"ALTER TABLE tracking ADD COLUMN pod_image TEXT;"
	"CREATE INDEX tracking_parcel ON tracking(parcel_id);"
	"CREATE TABLE tracking_unknown ("
	"  id INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL,"
	"  source TEXT NOT NULL,"             /* file:line or the endpoint */
	"  tracking TEXT NOT NULL,"
	"  event TEXT NOT NULL DEFAULT '',"
	"  detail TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX parcels_manifest ON parcels(manifest_id);",
	/* 5 -> 6: print jobs for an order as well as a parcel (the despatch
	 * ticket at the sales desk, documents at close-out): parcel_id may be
	 * NULL when order_ref is set. SQLite cannot drop a NOT NULL, so the
	 * table is rebuilt with every row kept. */
	"CREATE TABLE label_jobs_v6 ("
	"  id INTEGER PRIMARY KEY,"
	"  parcel_id INTEGER REFERENCES parcels(id),"
	"  order_ref TEXT REFERENCES orders(ref),"
	"  terminal TEXT, station TEXT,"
	"  status TEXT NOT NULL DEFAULT 'queued',"
	"  created_at INTEGER NOT NULL,"
	"  printer TEXT, error TEXT,"
	"  kind TEXT NOT NULL DEFAULT 'label',"
	"  format TEXT NOT NULL DEFAULT 'zpl',"
	"  title TEXT NOT NULL DEFAULT '',"
	"  data BLOB,"
	"  cups_job INTEGER,"
	"  reprint_of INTEGER,"
	"  requested_by TEXT,"
	"  updated_at INTEGER,"
	"  printed_at INTEGER,"
	"  CHECK (parcel_id IS NOT NULL OR order_ref IS NOT NULL));"
	"INSERT INTO label_jobs_v6 (id, parcel_id, order_ref, terminal, station, status, created_at, printer, error,"
	"  kind, format, title, data, cups_job, reprint_of, requested_by, updated_at, printed_at)"
	" SELECT j.id, j.parcel_id, p.order_ref, j.terminal, j.station, j.status, j.created_at, j.printer, j.error,"
	"  j.kind, j.format, j.title, j.data, j.cups_job, j.reprint_of, j.requested_by, j.updated_at, j.printed_at"
	" FROM label_jobs j LEFT JOIN parcels p ON p.id = j.parcel_id;"
	"DROP TABLE label_jobs;"
	"ALTER TABLE label_jobs_v6 RENAME TO label_jobs;"
	"CREATE INDEX label_jobs_status ON label_jobs(status);"
	"CREATE INDEX label_jobs_parcel ON label_jobs(parcel_id);"
	"CREATE INDEX label_jobs_order ON label_jobs(order_ref);",
	/* 6 -> 7: the events feed (hub-events.c): the last audit event sent on
	 * the PUB socket and into the export files, so a restart resumes there;
	 * active = 0 while the feed is off (it then starts from the newest). */
	"CREATE TABLE events_feed ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  sent INTEGER NOT NULL,"
	"  active INTEGER NOT NULL DEFAULT 0);"
	"INSERT INTO events_feed (id, sent) SELECT 1, coalesce (max (id), 0) FROM events;",
	/* 7 -> 8: documents of a manifest (the collection receipt printed at
	 * close-out): a print job belongs to a parcel, an order or a manifest.
	 * The CHECK changes, so the table is rebuilt with every row kept. */
	"CREATE TABLE label_jobs_v8 ("
	"  id INTEGER PRIMARY KEY,"
	"  parcel_id INTEGER REFERENCES parcels(id),"
	"  order_ref TEXT REFERENCES orders(ref),"
	"  terminal TEXT, station TEXT,"
	"  status TEXT NOT NULL DEFAULT 'queued',"
	"  created_at INTEGER NOT NULL,"
	"  printer TEXT, error TEXT,"
	"  kind TEXT NOT NULL DEFAULT 'label',"
	"  format TEXT NOT NULL DEFAULT 'zpl',"
	"  title TEXT NOT NULL DEFAULT '',"
	"  data BLOB,"
	"  cups_job INTEGER,"
	"  reprint_of INTEGER,"
	"  requested_by TEXT,"
	"  updated_at INTEGER,"
	"  printed_at INTEGER,"
	"  manifest_id INTEGER REFERENCES manifests(id),"
	"  CHECK (parcel_id IS NOT NULL OR order_ref IS NOT NULL OR manifest_id IS NOT NULL));"
	"INSERT INTO label_jobs_v8 (id, parcel_id, order_ref, terminal, station, status, created_at, printer, error,"
	"  kind, format, title, data, cups_job, reprint_of, requested_by, updated_at, printed_at)"
	" SELECT id, parcel_id, order_ref, terminal, station, status, created_at, printer, error,"
	"  kind, format, title, data, cups_job, reprint_of, requested_by, updated_at, printed_at FROM label_jobs;"
	"DROP TABLE label_jobs;"
	"ALTER TABLE label_jobs_v8 RENAME TO label_jobs;"
	"CREATE INDEX label_jobs_status ON label_jobs(status);"
	"CREATE INDEX label_jobs_parcel ON label_jobs(parcel_id);"
	"CREATE INDEX label_jobs_order ON label_jobs(order_ref);"
	"CREATE INDEX label_jobs_manifest ON label_jobs(manifest_id);",
	/* 8 -> 9: the scans table is written on every scan and read by time only
	 * (despatch status, reports; scans_at); its indexes by order and by code
	 * served no query of the hub, yet each cost a page written per scan. An
	 * order's history is in events (events_order). */
	"DROP INDEX IF EXISTS scans_order;"
	"DROP INDEX IF EXISTS scans_code;",
	/* 9 -> 10: a repeat must be the same request: each stored reply keeps
	 * a keyed digest of the request it answered (NULL for the replies
	 * stored before, which are answered as they were), and the id of the
	 * key those digests were made with; the events feed keeps its last
	 * export error for despatch status. */
	"ALTER TABLE requests ADD COLUMN digest BLOB;"
	"CREATE TABLE request_digest_key ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  key_id TEXT NOT NULL);"
	"ALTER TABLE events_feed ADD COLUMN error TEXT;"
	"ALTER TABLE events_feed ADD COLUMN error_at INTEGER;",
	/* 10 -> 11: a print job's identity in CUPS (dsp:RUN:JOB, the first word
	 * of its CUPS job-name), kept from the moment it is marked submitting so
	 * that after a crash it is looked for by it; the title stays what the
	 * job is, for people. */
	"ALTER TABLE label_jobs ADD COLUMN ident TEXT;",
	/* 11 -> 12: an import's undo records in the hub's own database, each
	 * committed with the slice that wrote its order, so that an import cut
	 * short by a kill is taken back at the next start (store/hub-import.h).
	 * A run is one import that has written: its file, when, and the process
	 * writing it (boot id, pid, start time), and once its record is in
	 * imports, that record (its undo records are then only cleared). */
	"CREATE TABLE import_runs ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  source TEXT NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  owner TEXT NOT NULL,"
	"  import_id INTEGER);"                 /* imports.id once recorded */
	"CREATE TABLE import_undo ("
	"  run INTEGER NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  ref TEXT NOT NULL,"
	"  kind INTEGER NOT NULL,"           /* 2 replaced, 3 customs or label fields corrected, 5 made */
	"  hash TEXT NOT NULL,"              /* the content hash the import wrote */
	"  old BLOB,"                        /* what it replaced, or the orders made (hub-import.c) */
	"  PRIMARY KEY (run, seq)) WITHOUT ROWID;",
	/* 12 -> 13: a print job's document in a table of its own. A job's row
	 * is updated at each step of its printing (submitting, submitted,
	 * printed) and SQLite writes a row whole: with the document in it
	 * (20-25 KB for a label) each update wrote 12 pages to the WAL. */
	"CREATE TABLE label_docs ("
	"  job INTEGER PRIMARY KEY REFERENCES label_jobs(id),"
	"  data BLOB NOT NULL);"
	"INSERT INTO label_docs (job, data) SELECT id, data FROM label_jobs WHERE data IS NOT NULL;"
	"ALTER TABLE label_jobs DROP COLUMN data;",
	/* 13 -> 14: the stored replies in the order they were stored (a rowid
	 * table), found through a small unique index on (terminal, seq). Keyed
	 * by (terminal, seq) itself, each reply (about 400 bytes) lay in its
	 * terminal's own run of leaf pages, nine to a page: every batch wrote a
	 * leaf page per terminal and split them every few replies, 60% of the
	 * pages a receive wrote. Appended, a batch's replies share their pages;
	 * an index entry is a few bytes, so its leaves rarely split. */
	"CREATE TABLE requests_v14 ("
	"  id INTEGER PRIMARY KEY,"
	"  terminal TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  reply BLOB NOT NULL,"
	"  digest BLOB);"
	"INSERT INTO requests_v14 (terminal, seq, at, reply, digest)"
	"  SELECT terminal, seq, at, reply, digest FROM requests ORDER BY at, terminal, seq;"
	"DROP TABLE requests;"
	"ALTER TABLE requests_v14 RENAME TO requests;"
	"CREATE UNIQUE INDEX requests_key ON requests(terminal, seq);"
	"CREATE INDEX requests_at ON requests(at);",
	/* 14 -> 15: who asked for a print job's last redirect
	 * or cancel (a reprint closing a kept job is one): the terminal and the
	 * operator's badge. What CUPS then makes of it is decided later, by the
	 * spooler, and its EVENTs go to that terminal as well as to the one that
	 * queued the job. NULL: nobody but the job's own terminal asked. */
	"ALTER TABLE label_jobs ADD COLUMN asked_terminal TEXT;"
	"ALTER TABLE label_jobs ADD COLUMN asked_by TEXT;",
	/* 15 -> 16: which inbox file an import was (its device, inode, size and
	 * times) and its digest: a file imported whole that the hub had not yet
	 * moved out of the inbox when it stopped is known at the next start, and
	 * leaves the inbox with its record but no second import. The file is
	 * forgotten (NULL) once it has left; NULL too for what is not an inbox
	 * file, or was imported before this. */
	"ALTER TABLE imports ADD COLUMN file TEXT;"
	"ALTER TABLE imports ADD COLUMN sha1 TEXT;"
	"CREATE INDEX imports_file ON imports(source, file) WHERE file IS NOT NULL;",
	/* 16 -> 17: the audit events of a parcel that name no order, by parcel. The hub writes none (an event of
	 * a parcel names its order), so the index is empty and costs no write; it lets the erase find an order's
	 * events by its index of orders alone, where "or of its parcels" scanned every event (hub-erase.c). */
	"CREATE INDEX events_parcel_alone ON events(parcel_id) WHERE order_ref IS NULL AND parcel_id IS NOT NULL;",
	/* 17 -> 18: a terminal's print jobs kept unprinted, by terminal, for its HELLO (hub_store_terminal_unprinted).
	 * Only the jobs that wait are in it: the many printed ones cost no write. */
	"CREATE INDEX label_jobs_kept ON label_jobs(terminal) WHERE " HUB_STORE_KEPT ";",
};

db_t *
hub_store_open (const char *path, char **cause)
{
	return hub_store_open_at (path, HUB_STORE_SCHEMA, cause);
}

db_t *
hub_store_open_at (const char *path, int schema, char **cause)
{
	db_t *db = db_open (path, DB_READWRITE, cause);
	if (db == NULL)
		return NULL;
	int version = db_user_version (db);
	if (version < 0) {
		*cause = xasprintf ("%s: cannot read the schema version: %s", path, db_errmsg (db));
		db_close (&db);
		return NULL;
	}
	if (version > HUB_STORE_SCHEMA) {
		*cause = xasprintf ("%s: schema version %d is newer than this hub knows (%d); "
		    "run a newer despatch-hub or restore a backup", path, version, HUB_STORE_SCHEMA);
		db_close (&db);
		return NULL;
	}
	/* A database made before (not a new one) is copied before any step changes it (hub-backup.h). */
	if (version > 0 && version < schema && version < HUB_STORE_SCHEMA
	    && hub_backup_before_migration (db, path, version, cause) != 0) {
		db_close (&db);
		return NULL;
	}
	for (int v = version; v < schema && v < HUB_STORE_SCHEMA; v++) {
		if (db_begin (db) != DB_DONE || db_exec (db, hub_store_migrations[v]) != DB_DONE
		    || db_set_user_version (db, v + 1) != DB_DONE || db_commit (db) != DB_DONE) {
			*cause = xasprintf ("%s: migration from schema %d to %d failed: %s", path, v, v + 1, db_errmsg (db));
			db_rollback (db);
			db_close (&db);
			return NULL;
		}
		log_info ("database %s migrated to schema %d", path, v + 1);
	}
	return db;
}

uint8_t *
hub_store_reply_get (db_t *db, const char *terminal, uint32_t seq, size_t *size, uint8_t digest[HUB_STORE_DIGEST],
    bool *has_digest)
{
	db_stmt_t *st = db_prepare (db, "SELECT reply, digest FROM requests WHERE terminal = ?1 AND seq = ?2");
	db_bind_text (st, 1, terminal);
	db_bind_int (st, 2, seq);
	uint8_t *copy = NULL;
	*has_digest = false;
	if (db_step (st) == DB_ROW) {
		size_t n;
		const void *p = db_col_blob (st, 0, &n);
		copy = xmalloc (n);
		memcpy (copy, p, n);
		*size = n;
		const void *d = db_col_blob (st, 1, &n);
		if (d && n == HUB_STORE_DIGEST) {
			memcpy (digest, d, HUB_STORE_DIGEST);
			*has_digest = true;
		}
	}
	db_reset (st);
	return copy;
}

int
hub_store_reply_put (db_t *db, const char *terminal, uint32_t seq, int64_t now_ms, const uint8_t *data, size_t size,
    const uint8_t digest[HUB_STORE_DIGEST])
{
	db_stmt_t *st = db_prepare (db,
	    "INSERT INTO requests (terminal, seq, at, reply, digest) VALUES (?1, ?2, ?3, ?4, ?5)");
	db_bind_text (st, 1, terminal);
	db_bind_int (st, 2, seq);
	db_bind_int (st, 3, now_ms);
	db_bind_blob (st, 4, data, size);
	db_bind_blob (st, 5, digest, HUB_STORE_DIGEST);
	int rc = db_step (st);
	db_reset (st);
	return rc == DB_DONE ? 0 : rc;
}

int
hub_store_digest_key (db_t *db, const char *key_id)
{
	db_stmt_t *st = db_prepare (db, "SELECT key_id FROM request_digest_key WHERE id = 1");
	if (st == NULL)
		return -1;
	int rc = db_step (st);
	bool same = rc == DB_ROW && strcmp (db_col_text (st, 0), key_id) == 0;
	bool first = rc == DB_DONE;
	db_reset (st);
	if (same)
		return 0;
	/* Digests made with another key cannot be compared: the replies stay,
	 * answered as replies stored before digests were. */
	if (db_begin (db) != DB_DONE)
		return -1;
	int changed = 0;
	if (!first && db_exec (db, "UPDATE requests SET digest = NULL WHERE digest IS NOT NULL") == DB_DONE)
		changed = db_changes (db);
	st = db_prepare (db, "INSERT INTO request_digest_key (id, key_id) VALUES (1, ?1)"
	    " ON CONFLICT (id) DO UPDATE SET key_id = ?1");
	db_bind_text (st, 1, key_id);
	rc = db_step (st);
	db_reset (st);
	if (rc != DB_DONE || db_commit (db) != DB_DONE) {
		db_rollback (db);
		return -1;
	}
	return first ? 0 : changed > 0 ? changed : 0;
}

int
hub_store_audit_refusal (db_t *db, const char *terminal, uint32_t seq, const char *action, const char *detail,
    int64_t now_ms)
{
	db_stmt_t *st = db_prepare (db,
	    "INSERT INTO events (at, terminal, seq, action, detail) VALUES (?1, ?2, ?3, ?4, ?5)");
	if (st == NULL)
		return DB_ERROR;
	db_bind_int (st, 1, now_ms);
	db_bind_text (st, 2, terminal);
	db_bind_int (st, 3, seq);
	db_bind_text (st, 4, action);
	db_bind_text (st, 5, detail);
	int rc = db_step (st);
	db_reset (st);
	return rc == DB_DONE ? 0 : rc;
}

int
hub_store_reply_prune (db_t *db, int64_t before_ms)
{
	db_stmt_t *st = db_prepare (db, "DELETE FROM requests WHERE at < ?1");
	db_bind_int (st, 1, before_ms);
	int rc = db_step (st);
	db_reset (st);
	return rc == DB_DONE ? db_changes (db) : rc;
}

/* A terminal's row made after replies were stored for it (a refusal before
 * its HELLO) starts at the last of them: last_seq is never below a stored
 * number (hub_store_reply_none). */
#define HUB_STORE_LAST_STORED "coalesce ((SELECT max (seq) FROM requests WHERE terminal = ?1), 0)"

int
hub_store_terminal_hello (db_t *db, const char *terminal, const char *station, const char *profile,
    const char *software, int64_t now_ms)
{
	db_stmt_t *st = db_prepare (db,
	    "INSERT INTO terminals (terminal, station, profile, software, first_seen, last_seen, last_seq)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?5, " HUB_STORE_LAST_STORED ")"
	    " ON CONFLICT(terminal) DO UPDATE SET station = ?2, profile = ?3, software = ?4, last_seen = ?5");
	db_bind_text (st, 1, terminal);
	db_bind_text (st, 2, station);
	db_bind_text (st, 3, profile);
	db_bind_text (st, 4, software);
	db_bind_int (st, 5, now_ms);
	int rc = db_step (st);
	db_reset (st);
	return rc == DB_DONE ? 0 : rc;
}

uint32_t
hub_store_terminal_last_seq (db_t *db, const char *terminal)
{
	db_stmt_t *st = db_prepare (db, "SELECT last_seq FROM terminals WHERE terminal = ?1");
	db_bind_text (st, 1, terminal);
	uint32_t seq = db_step (st) == DB_ROW ? (uint32_t) db_col_int (st, 0) : 0;
	db_reset (st);
	return seq;
}

int
hub_store_terminal_unprinted (db_t *db, const char *terminal, char (*codes)[HUB_STORE_CODE_MAX], int max)
{
	db_stmt_t *st = db_prepare (db, "SELECT coalesce (p.code, j.order_ref, 'manifest ' || j.manifest_id)"
	    " FROM label_jobs j INDEXED BY label_jobs_kept LEFT JOIN parcels p ON p.id = j.parcel_id"
	    " WHERE j.terminal = ?1 AND " HUB_STORE_KEPT_AS ("j") " ORDER BY j.id DESC LIMIT ?2");
	if (st == NULL)
		return -1;
	db_bind_text (st, 1, terminal);
	db_bind_int (st, 2, max);
	int n = 0, rc;
	while ((rc = db_step (st)) == DB_ROW && n < max)
		util_strlcpy (codes[n++], db_col_text (st, 0), HUB_STORE_CODE_MAX);
	db_reset (st);
	return rc == DB_DONE || rc == DB_ROW ? n : -1;
}

bool
hub_store_reply_none (db_t *db, const char *terminal, uint32_t seq)
{
	/* The terminals table is small and hot; the stored replies are neither. */
	db_stmt_t *st = db_prepare (db, "SELECT last_seq FROM terminals WHERE terminal = ?1");
	db_bind_text (st, 1, terminal);
	bool none = db_step (st) == DB_ROW && (int64_t) seq > db_col_int (st, 0);
	db_reset (st);
	return none;
}

int
hub_store_terminal_seen (db_t *db, const char *terminal, uint32_t seq, int64_t now_ms)
{
	db_stmt_t *st = db_prepare (db,
	    "UPDATE terminals SET last_seen = ?3, last_seq = max(last_seq, ?2),"
	    " last_active = CASE WHEN ?2 > 0 THEN ?3 ELSE last_active END WHERE terminal = ?1");
	db_bind_text (st, 1, terminal);
	db_bind_int (st, 2, seq);
	db_bind_int (st, 3, now_ms);
	int rc = db_step (st);
	db_reset (st);
	return rc == DB_DONE ? 0 : rc;
}

char *
hub_store_session_get (db_t *db, const char *terminal, int *role, char **station, int64_t *last_ms)
{
	db_stmt_t *st = db_prepare (db,
	    "SELECT t.operator, o.role, t.station, t.last_active FROM terminals t"
	    " JOIN operators o ON o.badge = t.operator WHERE t.terminal = ?1 AND o.active = 1");
	db_bind_text (st, 1, terminal);
	char *badge = NULL;
	if (db_step (st) == DB_ROW) {
		badge = xstrdup (db_col_text (st, 0));
		*role = hub_role_parse (db_col_text (st, 1));
		if (station)
			*station = xstrdup (db_col_text (st, 2));
		if (last_ms)
			*last_ms = db_col_int (st, 3);
	}
	db_reset (st);
	return badge;
}

int
hub_store_session_set (db_t *db, const char *terminal, const char *badge, int64_t now_ms)
{
	/* A LOGIN before any HELLO still registers the terminal. */
	db_stmt_t *st = db_prepare (db,
	    "INSERT INTO terminals (terminal, operator, login_at, first_seen, last_seen, last_active, last_seq)"
	    " VALUES (?1, ?2, ?3, ?4, ?4, ?4, " HUB_STORE_LAST_STORED ")"
	    " ON CONFLICT(terminal) DO UPDATE SET operator = ?2, login_at = ?3, last_active = ?4");
	db_bind_text (st, 1, terminal);
	db_bind_text (st, 2, badge);
	if (badge)
		db_bind_int (st, 3, now_ms);
	else
		db_bind_null (st, 3);
	db_bind_int (st, 4, now_ms);
	int rc = db_step (st);
	db_reset (st);
	return rc == DB_DONE ? 0 : rc;
}

int
hub_store_operator_get (db_t *db, const char *badge, struct hub_operator *op)
{
	db_stmt_t *st = db_prepare (db,
	    "SELECT badge, name, role, pin_hash, failures, locked_until, active FROM operators WHERE badge = ?1");
	db_bind_text (st, 1, badge);
	int found = db_step (st) == DB_ROW;
	if (found) {
		util_strlcpy (op->badge, db_col_text (st, 0), sizeof op->badge);
		util_strlcpy (op->name, db_col_text (st, 1), sizeof op->name);
		op->role = hub_role_parse (db_col_text (st, 2));
		util_strlcpy (op->pin_hash, db_col_text (st, 3), sizeof op->pin_hash);
		op->failures = (int) db_col_int (st, 4);
		op->locked_until_ms = db_col_int (st, 5);
		op->active = (int) db_col_int (st, 6);
	}
	db_reset (st);
	return found ? 0 : -1;
}

int
hub_store_operator_put (db_t *db, const char *badge, const char *name, int role, const char *pin_hash)
{
	db_stmt_t *st = db_prepare (db,
	    "INSERT INTO operators (badge, name, role, pin_hash) VALUES (?1, ?2, ?3, ?4)"
	    " ON CONFLICT(badge) DO UPDATE SET name = ?2, role = ?3, pin_hash = ?4, failures = 0, locked_until = 0");
	db_bind_text (st, 1, badge);
	db_bind_text (st, 2, name);
	db_bind_text (st, 3, hub_role_name (role));
	db_bind_text (st, 4, pin_hash);
	int rc = db_step (st);
	db_reset (st);
	return rc == DB_DONE ? 0 : rc;
}

int
hub_store_operator_failures (db_t *db, const char *badge, int failures, int64_t locked_until_ms)
{
	db_stmt_t *st = db_prepare (db, "UPDATE operators SET failures = ?2, locked_until = ?3 WHERE badge = ?1");
	db_bind_text (st, 1, badge);
	db_bind_int (st, 2, failures);
	db_bind_int (st, 3, locked_until_ms);
	int rc = db_step (st);
	db_reset (st);
	return rc == DB_DONE ? 0 : rc;
}

int
hub_store_status_beat (db_t *db, const char *endpoint, int expiry_ms, int64_t started_ms, int64_t now_ms,
    bool stopping)
{
	db_stmt_t *st = db_prepare (db,
	    "INSERT INTO hub_status (id, version, pid, endpoint, started_at, updated_at, stopped_at, beat_ms, expiry_ms)"
	    " VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (id) DO UPDATE SET version = ?1, pid = ?2,"
	    " endpoint = ?3, started_at = ?4, updated_at = ?5, stopped_at = ?6, beat_ms = ?7, expiry_ms = ?8");
	if (st == NULL)
		return DB_ERROR;
	db_bind_text (st, 1, HUB_VERSION);
	db_bind_int (st, 2, (int64_t) getpid ());
	db_bind_text (st, 3, endpoint);
	db_bind_int (st, 4, started_ms);
	db_bind_int (st, 5, now_ms);
	if (stopping)
		db_bind_int (st, 6, now_ms);
	else
		db_bind_null (st, 6);
	db_bind_int (st, 7, HUB_STORE_BEAT_MS);
	db_bind_int (st, 8, expiry_ms);
	int rc = db_step (st);
	db_reset (st);
	return rc == DB_DONE ? 0 : rc;
}
