/*
 * flowlib.h: helpers for the flow tests: a terminal with its own sequence
 * counter, scans with context, and one check of status, reason and text.
 */
#ifndef DSP_FLOWLIB_H
#define DSP_FLOWLIB_H

#include "client.h"
#include "db.h"
#include "proto.h"
#include "tests/tap.h"
#include "tests/testlib.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct fl_term {
	client_t *c;
	uint32_t seq;
	const char *name;
};

static inline void
fl_term_open (struct fl_term *t, const char *endpoint, const char *name, const char *station, const char *badge,
    const char *pin)
{
	char *cause = NULL;
	t->c = client_new (endpoint, name, &cause);
	t->seq = 0;
	t->name = name;
	proto_msg_t *r = testlib_hello (t->c, ++t->seq, station);
	proto_msg_destroy (&r);
	r = testlib_login (t->c, ++t->seq, badge, pin);
	ok (testlib_status (r) == PROTO_OK, "%s: %s logs in", name, badge);
	proto_msg_destroy (&r);
}

/* A SCAN with context pairs "key", "value", ..., NULL. */
static inline proto_msg_t *
fl_scan_msg (const char *step, const char *code, va_list ap)
{
	proto_msg_t *m = proto_msg_new (PROTO_SCAN);
	proto_set_str (m, PROTO_SCAN_STEP, step);
	proto_set_str (m, PROTO_SCAN_CODE, code);
	const char *k;
	while ((k = va_arg (ap, const char *)) != NULL)
		proto_hash_set (m, PROTO_SCAN_CONTEXT, k, va_arg (ap, const char *));
	return m;
}

static inline proto_msg_t *
fl_scan_ (struct fl_term *t, const char *step, const char *code, ...)
{
	va_list ap;
	va_start (ap, code);
	proto_msg_t *m = fl_scan_msg (step, code, ap);
	va_end (ap);
	proto_msg_set_seq (m, ++t->seq);
	proto_msg_t *r = client_call (t->c, m, 3000, 3);
	proto_msg_destroy (&m);
	return r;
}

/* The same request again with the sequence number of the last one. */
static inline proto_msg_t *
fl_scan_again_ (struct fl_term *t, const char *step, const char *code, ...)
{
	va_list ap;
	va_start (ap, code);
	proto_msg_t *m = fl_scan_msg (step, code, ap);
	va_end (ap);
	proto_msg_set_seq (m, t->seq);
	proto_msg_t *r = client_call (t->c, m, 3000, 3);
	proto_msg_destroy (&m);
	return r;
}

static inline proto_msg_t *
fl_cmd_ (struct fl_term *t, const char *name, ...)
{
	proto_msg_t *m = proto_msg_new (PROTO_COMMAND);
	proto_set_str (m, PROTO_COMMAND_NAME, name);
	va_list ap;
	va_start (ap, name);
	const char *k;
	while ((k = va_arg (ap, const char *)) != NULL)
		proto_hash_set (m, PROTO_COMMAND_ARGS, k, va_arg (ap, const char *));
	va_end (ap);
	proto_msg_set_seq (m, ++t->seq);
	proto_msg_t *r = client_call (t->c, m, 3000, 3);
	proto_msg_destroy (&m);
	return r;
}

/* The pair lists end with NULL whether or not the caller wrote one. */
#define fl_scan(t, step, ...) fl_scan_ ((t), (step), __VA_ARGS__, NULL)
#define fl_scan_again(t, step, ...) fl_scan_again_ ((t), (step), __VA_ARGS__, NULL)
#define fl_cmd(t, ...) fl_cmd_ ((t), __VA_ARGS__, NULL)

static inline const char *
fl_data (const proto_msg_t *r, const char *key)
{
	const char *v = r && proto_msg_id (r) == PROTO_REPLY ? proto_hash_get (r, PROTO_REPLY_DATA, key) : NULL;
	return v ? v : "";
}

/* Check status, reason and a piece of the text; keeps r for more checks and returns it. */
static inline proto_msg_t *
fl_expect (proto_msg_t *r, int status, int reason, const char *text, const char *what)
{
	const char *got = testlib_text (r);
	int good = testlib_status (r) == status && testlib_reason (r) == reason && (text == NULL || strstr (got, text));
	ok (good, "%s: %s %s \"%s\"", what, proto_status_name (testlib_status (r)) ? proto_status_name (testlib_status (r))
	    : "?", proto_reason_name (testlib_reason (r)) ? proto_reason_name (testlib_reason (r)) : "?", got);
	if (!good)
		diag ("wanted %s %s with \"%s\"", proto_status_name (status), proto_reason_name (reason), text ? text : "");
	return r;
}

/* fl_expect and destroy. */
static inline void
fl_check (proto_msg_t *r, int status, int reason, const char *text, const char *what)
{
	fl_expect (r, status, reason, text, what);
	proto_msg_destroy (&r);
}

/* Run SQL that changes the database (test set-up only: ranges). */
static inline int
fl_sql_exec (const char *database, const char *sql)
{
	char *cause = NULL;
	db_t *db = db_open (database, DB_READWRITE, &cause);
	if (db == NULL) {
		diag ("%s", cause);
		free (cause);
		return -1;
	}
	int rc = db_exec (db, sql);
	db_close (&db);
	return rc;
}

#endif
