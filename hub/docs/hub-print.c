/* hub-print.c: print jobs queued inside a request (see hub-print.h). */
#include "config.h"
#include "hub-print.h"
#include "hub-label.h"
#include "hub/store/hub-state.h"
#include "log.h"
#include "printers/print.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* "shipment field 'recipient.name' is missing" -> "recipient.name": the field a refusal names, if any. */
/* A job's document, in a table of its own: the job's row is updated at every step of its printing, and
 * SQLite writes a row whole, so a document in it was written to the WAL again at each (12 pages a label). */
static int
hub_print_doc_put (db_t *db, int64_t job, const uint8_t *data, size_t size)
{
	db_stmt_t *st = db_prepare (db, "INSERT INTO label_docs (job, data) VALUES (?1, ?2)");
	if (st == NULL)
		return -1;
	db_bind_int (st, 1, job);
	db_bind_blob (st, 2, data, size);
	int rc = db_step (st);
	db_reset (st);
	return rc == DB_DONE ? 0 : -1;
}

static bool
hub_print_field (const char *cause, char *field, size_t n)
{
	const char *f = strstr (cause, "field '");
	if (f == NULL)
		return false;
	f += 7;
	size_t len = strcspn (f, "'");
	if (f[len] != '\'' || len == 0 || len >= n)
		return false;
	memcpy (field, f, len);
	field[len] = '\0';
	return true;
}

/* The label of the parcel cannot be drawn: the reply says why and what to do; nothing is queued. */
static void
hub_print_undrawn (struct hub_req *req, int64_t parcel_id, const char *cause)
{
	char code[48] = "";
	db_stmt_t *st = db_prepare (req->db, "SELECT code FROM parcels WHERE id = ?1");
	db_bind_int (st, 1, parcel_id);
	if (db_step (st) == DB_ROW)
		util_strlcpy (code, db_col_text (st, 0), sizeof code);
	db_reset (st);
	log_warn ("parcel %s: label not drawn: %s", code, cause);
	char field[64];
	if (strncmp (cause, HUB_ASK_UNREADABLE, strlen (HUB_ASK_UNREADABLE)) == 0) {
		/* The order is not at fault: the layout, the resolution or the renderer is. */
		hub_reply (req, PROTO_REFUSED, PR_BAD_DATA, "Parcel %s NOT labelled: its label was drawn but %s. Nothing "
		    "was printed. Tell a supervisor: the carrier's layout or this printer's resolution needs checking",
		    code, cause);
	} else if (hub_print_field (cause, field, sizeof field)) {
		hub_reply (req, PROTO_REFUSED, PR_BAD_DATA, "Parcel %s NOT labelled: its label cannot be drawn (%s). "
		    "Correct the order's %s and import it again, then pack again", code, cause, field);
		hub_reply_data (req, "field", "%s", field);
	} else {
		hub_reply (req, PROTO_REFUSED, PR_BAD_DATA, "Parcel %s NOT labelled: its label cannot be drawn (%s). "
		    "Correct the order and import it again, then pack again", code, cause);
	}
	hub_reply_data (req, "parcel", "%s", code);
	hub_reply_data (req, "why", "%.400s", cause);
}

int64_t
hub_print_label (struct hub_req *req, int64_t parcel_id, int64_t reprint_of, const char *printer)
{
	conf_t *conf = req->opt->conf;
	char *cause = NULL;
	int dpi = print_map_dpi (conf, req->station, &cause);
	if (dpi < 0) {
		log_warn ("station %s: %s; printing at 203 dpi", req->station, cause);
		free (cause);
		cause = NULL;
		dpi = 203;
	}
	uint8_t *kept = NULL;
	const uint8_t *data = NULL;
	size_t size = 0;
	if (reprint_of > 0) {
		/* A reprint is the same label, byte for byte. */
		db_stmt_t *st = db_prepare (req->db, "SELECT data FROM label_docs WHERE job = ?1");
		db_bind_int (st, 1, reprint_of);
		if (db_step (st) == DB_ROW) {
			const void *p = db_col_blob (st, 0, &size);
			data = kept = xmalloc (size);
			memcpy (kept, p, size);
		}
		db_reset (st);
	}
	/* Drawn and read back before anything says "labelled"; while it is being drawn this run is not kept. */
	if (data == NULL) {
		int drawn = hub_label_draw (req, parcel_id, dpi, &data, &size, &cause);
		if (drawn == 0) {
			hub_print_undrawn (req, parcel_id, cause);
			free (cause);
			return 0;
		}
		if (drawn < 0) {
			data = NULL;
			size = 0;
		}
	}
	db_stmt_t *st = db_prepare (req->db,
	    "INSERT INTO label_jobs (parcel_id, order_ref, terminal, station, status, created_at, updated_at, printer,"
	    " error, kind, format, title, reprint_of, requested_by)"
	    " SELECT ?1, p.order_ref, ?2, ?3, ?4, ?5, ?5, ?6, NULL, 'label', 'zpl',"
	    "  'label ' || p.code || ' ' || coalesce(p.tracking, ''), ?7, ?8 FROM parcels p WHERE p.id = ?1");
	db_bind_int (st, 1, parcel_id);
	db_bind_text (st, 2, proto_msg_terminal (req->msg));
	db_bind_text (st, 3, req->station);
	db_bind_text (st, 4, hub_state_job_name (JOB_QUEUED));
	db_bind_int (st, 5, req->now_ms);
	db_bind_text (st, 6, printer && *printer ? printer : NULL);
	if (reprint_of > 0)
		db_bind_int (st, 7, reprint_of);
	else
		db_bind_null (st, 7);
	db_bind_text (st, 8, req->operator_badge);
	int rc = db_step (st);
	db_reset (st);
	int64_t job = rc == DB_DONE ? db_last_rowid (req->db) : -1;
	if (job > 0 && data && hub_print_doc_put (req->db, job, data, size) != 0)
		job = -1;
	free (kept);
	return job;
}

int64_t
hub_print_document (struct hub_req *req, const struct hub_print_doc *doc)
{
	db_stmt_t *st = db_prepare (req->db,
	    "INSERT INTO label_jobs (order_ref, manifest_id, terminal, station, status, created_at, updated_at, printer,"
	    " error, kind, format, title, requested_by)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
	db_bind_text (st, 1, doc->order_ref);
	if (doc->manifest_id > 0)
		db_bind_int (st, 2, doc->manifest_id);
	else
		db_bind_null (st, 2);
	db_bind_text (st, 3, proto_msg_terminal (req->msg));
	db_bind_text (st, 4, doc->station && *doc->station ? doc->station : req->station);
	db_bind_text (st, 5, hub_state_job_name (doc->data ? JOB_QUEUED : JOB_FAILED));
	db_bind_int (st, 6, req->now_ms);
	db_bind_text (st, 7, doc->printer && *doc->printer ? doc->printer : NULL);
	db_bind_text (st, 8, doc->cause);
	db_bind_text (st, 9, doc->kind);
	db_bind_text (st, 10, doc->format);
	db_bind_text (st, 11, doc->title);
	db_bind_text (st, 12, req->operator_badge);
	int rc = db_step (st);
	db_reset (st);
	int64_t job = rc == DB_DONE ? db_last_rowid (req->db) : -1;
	if (job > 0 && doc->data && hub_print_doc_put (req->db, job, doc->data, doc->size) != 0)
		job = -1;
	return job;
}
