/* hub-reply.c: filling a request's reply (see hub-reply.h). */
#include "config.h"
#include "hub-reply.h"
#include "hub-req.h"
#include "util.h"

#include <stdarg.h>
#include <stdlib.h>

void
hub_reply (struct hub_req *req, int status, int reason, const char *fmt, ...)
{
	va_list ap;
	va_start (ap, fmt);
	char *text = xvasprintf (fmt, ap);
	va_end (ap);
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
