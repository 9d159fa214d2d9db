/* hub-scan.c: scan steps and named commands (the despatch flow). */
#include "config.h"
#include "hub-cmd.h"
#include "hub-store.h"
#include "log.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Every scan is kept with its outcome: who, when, where, the raw code. */
static int
hub_scan_record (struct hub_req *req, const char *order_ref)
{
	db_stmt_t *st = db_prepare (req->db,
	    "INSERT INTO scans (at, terminal, seq, operator, station, step, code, manual, status, reason, order_ref)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
	db_bind_int (st, 1, req->now_ms);
	db_bind_text (st, 2, proto_msg_terminal (req->msg));
	db_bind_int (st, 3, proto_msg_seq (req->msg));
	db_bind_text (st, 4, req->operator_badge);
	db_bind_text (st, 5, req->station);
	db_bind_text (st, 6, proto_get_str (req->msg, PROTO_SCAN_STEP));
	db_bind_text (st, 7, proto_get_str (req->msg, PROTO_SCAN_CODE));
	db_bind_int (st, 8, (int64_t) proto_get_num (req->msg, PROTO_SCAN_MANUAL));
	db_bind_text (st, 9, proto_status_name ((int) proto_get_num (req->reply, PROTO_REPLY_STATUS)));
	db_bind_int (st, 10, (int64_t) proto_get_num (req->reply, PROTO_REPLY_REASON));
	db_bind_text (st, 11, order_ref);
	int rc = db_step (st);
	db_reset (st);
	return rc == DB_DONE ? 0 : -1;
}

/* The code as scanned, less a leading symbology identifier ("]C0", "]Q1"...). */
static void
hub_scan_clean (const char *raw, char *out, size_t n)
{
	if (raw[0] == ']' && raw[1] && raw[2] && isalnum ((unsigned char) raw[1]))
		raw += 3;
	while (isspace ((unsigned char) *raw))
		raw++;
	util_strlcpy (out, raw, n);
	size_t len = strlen (out);
	while (len > 0 && isspace ((unsigned char) out[len - 1]))
		out[--len] = '\0';
}

static int
hub_scan_receive (struct hub_req *req)
{
	char code[128];
	hub_scan_clean (proto_get_str (req->msg, PROTO_SCAN_CODE), code, sizeof code);
	db_stmt_t *st = db_prepare (req->db,
	    "SELECT o.status, o.received_at, coalesce(p.name, o.received_by, '')"
	    " FROM orders o LEFT JOIN operators p ON p.badge = o.received_by WHERE o.ref = ?1");
	db_bind_text (st, 1, code);
	int found = db_step (st) == DB_ROW;
	char status[32] = "", by[129] = "";
	int64_t at = 0;
	if (found) {
		util_strlcpy (status, db_col_text (st, 0), sizeof status);
		at = db_col_int (st, 1);
		util_strlcpy (by, db_col_text (st, 2), sizeof by);
	}
	db_reset (st);

	const char *order_ref = NULL;
	if (!found) {
		hub_reply (req, PROTO_REFUSED, PR_UNKNOWN_BARCODE,
		    "Unknown ticket %.40s. Check it is a despatch ticket, or enquire at the desk", code);
	} else if (strcmp (status, "new") != 0) {
		char when[32];
		util_iso_time (at, when, sizeof when);
		order_ref = code;
		hub_reply (req, PROTO_OK, PR_ALREADY_DONE, "%s already received %.5s by %s", code, when + 11, by);
		hub_reply_data (req, "order", "%s", code);
		hub_reply_data (req, "status", "%s", status);
	} else {
		st = db_prepare (req->db,
		    "UPDATE orders SET status = 'received', received_at = ?2, received_by = ?3 WHERE ref = ?1");
		db_bind_text (st, 1, code);
		db_bind_int (st, 2, req->now_ms);
		db_bind_text (st, 3, req->operator_badge);
		int rc = db_step (st);
		db_reset (st);
		if (rc != DB_DONE)
			return -1;
		order_ref = code;
		hub_reply (req, PROTO_OK, PR_OK, "%s received", code);
		hub_reply_data (req, "order", "%s", code);
		hub_reply_data (req, "status", "received");
	}
	return hub_scan_record (req, order_ref);
}

static int
hub_scan_enquiry (struct hub_req *req)
{
	char code[128];
	hub_scan_clean (proto_get_str (req->msg, PROTO_SCAN_CODE), code, sizeof code);
	db_stmt_t *st = db_prepare (req->db,
	    "SELECT status, channel, (SELECT count(*) FROM scans s WHERE s.order_ref = o.ref)"
	    " FROM orders o WHERE ref = ?1");
	db_bind_text (st, 1, code);
	if (db_step (st) == DB_ROW) {
		hub_reply (req, PROTO_OK, PR_OK, "%s: %s", code, db_col_text (st, 0));
		hub_reply_data (req, "order", "%s", code);
		hub_reply_data (req, "status", "%s", db_col_text (st, 0));
		hub_reply_data (req, "channel", "%s", db_col_text (st, 1));
		hub_reply_data (req, "scans", "%lld", (long long) db_col_int (st, 2));
	} else {
		hub_reply (req, PROTO_REFUSED, PR_UNKNOWN_BARCODE, "Nothing known by %.40s", code);
	}
	db_reset (st);
	return 0;
}

const struct hub_step hub_scan_steps[] = {
	{ "receive", ROLE_ANY, hub_scan_receive, "scan a despatch ticket as it arrives" },
	{ "enquiry", ROLE_ANY, hub_scan_enquiry, "scan anything to see where it is" },
};
const int hub_scan_nsteps = (int) nitems (hub_scan_steps);

const struct hub_command hub_scan_commands[] = {
	{ NULL, 0, NULL, NULL, NULL },
};
const int hub_scan_ncommands = 0;
