/*
 * hub-reply.h: filling a request's reply (hub-reply.c): its status, reason
 * and text, and the keys of its data. The reply belongs to the request
 * (req->reply, made and sent by the loop); a handler only fills it.
 */
#ifndef DSP_HUB_REPLY_H
#define DSP_HUB_REPLY_H

struct hub_req;

/* Fill req->reply's status, reason and text. */
void hub_reply (struct hub_req *req, int status, int reason, const char *fmt, ...)
	__attribute__ ((format (printf, 4, 5)));
/* One key of the reply's data. */
void hub_reply_data (struct hub_req *req, const char *key, const char *fmt, ...)
	__attribute__ ((format (printf, 3, 4)));

#endif
