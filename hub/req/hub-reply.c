/* hub-reply.c: filling a request's reply (see hub-reply.h). */
#include "config.h"
#include "hub-reply.h"
#include "hub-req.h"
#include "text.h"
#include "util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void
hub_reply (struct hub_req *req, int status, int reason, const char *fmt, ...)
{
	va_list ap;
	va_start (ap, fmt);
	char *text = xvasprintf (fmt, ap);
	va_end (ap);
	/* A text past the wire's limit would leave the reply unsent and the request undone: what a user wrote
	 * (a reason, a name, a carrier's detail) can make one that long, so the end goes, marked, whole
	 * characters only. What was cut is in the reply's data when it matters (a hold's reason). */
	if (strlen (text) > PROTO_MAX_TEXT) {
		static const char more[] = "\u2026";
		size_t n = text_utf8_whole (text, PROTO_MAX_TEXT - (sizeof more - 1));
		memcpy (text + n, more, sizeof more);
	}
	proto_set_num (req->reply, PROTO_REPLY_STATUS, (uint64_t) status);
	proto_set_num (req->reply, PROTO_REPLY_REASON, (uint64_t) reason);
	proto_set_str (req->reply, PROTO_REPLY_TEXT, text);
	free (text);
}

void
hub_reply_data (struct hub_req *req, const char *key, const char *fmt, ...)
{
	va_list ap;
	va_start (ap, fmt);
	char *v = xvasprintf (fmt, ap);
	va_end (ap);
	proto_hash_set (req->reply, PROTO_REPLY_DATA, key, v);
	free (v);
}
