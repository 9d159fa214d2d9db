/*
 * test-hub-reply.c: a reply's text past the wire's limit (PROTO_MAX_TEXT)
 * is cut at a whole character and marked, so the reply is still sent; one
 * within it is left as it is.
 */
#include "config.h"
#include "hub/req/hub-reply.h"
#include "hub/req/hub-req.h"
#include "proto.h"
#include "tests/tap.h"
#include "text.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* n bytes of s repeated (s whole each time, the last cut at a whole character), NUL ended. */
static char *
filled (const char *s, size_t n)
{
	char *v = xmalloc (n + 1);
	size_t len = strlen (s);
	for (size_t i = 0; i < n; i++)
		v[i] = s[i % len];
	v[n] = '\0';
	return v;
}

/* The text of a reply made with hub_reply from text, once encoded and decoded as a terminal gets it (NULL: not
 * sent). */
static char *
sent (const char *text)
{
	proto_msg_t *reply = proto_msg_new (PROTO_REPLY);
	struct hub_req req = { .reply = reply };
	hub_reply (&req, PROTO_OK, PR_OK, "%s", text);
	size_t size = 0;
	uint8_t *wire = proto_encode (reply, &size);
	proto_msg_destroy (&reply);
	if (wire == NULL)
		return NULL;
	proto_msg_t *got = NULL;
	char err[256];
	char *v = proto_decode (wire, size, &got, NULL, err, sizeof err) == 0
	    ? xstrdup (proto_get_str (got, PROTO_REPLY_TEXT)) : NULL;
	proto_msg_destroy (&got);
	free (wire);
	return v;
}

int
main (void)
{
	static const struct {
		const char *fill; /* repeated */
		size_t bytes;
		bool cut;
		const char *what;
	} cases[] = {
		{ "a", PROTO_MAX_TEXT, false, "1,024 bytes of ASCII: as it is" },
		{ "a", PROTO_MAX_TEXT + 1, true, "1,025 bytes of ASCII" },
		{ "\xf0\x9d\x94\xb8", 400 * 4, true, "400 characters of four bytes" },
		{ "\xe6\x9f\xa5", 3 * 342, true, "342 characters of three bytes (1,026 bytes)" },
		{ "ab\xc3\xa9", 8000, true, "8,000 bytes of mixed widths" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *text = filled (cases[i].fill, cases[i].bytes);
		char *got = sent (text);
		size_t n = got ? strlen (got) : 0;
		if (!ok (got != NULL, "%s: the reply is sent", cases[i].what)) {
			free (text);
			continue;
		}
		if (!cases[i].cut) {
			ok (strcmp (got, text) == 0, "  its text whole");
		} else {
			ok (n <= PROTO_MAX_TEXT && n > PROTO_MAX_TEXT - 8, "  its text cut to %zu bytes", n);
			ok (text_utf8_whole (got, n) == n, "  at a whole character");
			ok (n >= 3 && strcmp (got + n - 3, "\xe2\x80\xa6") == 0 && strncmp (got, text, n - 3) == 0,
			    "  the start as it was, marked where it was cut");
		}
		free (got);
		free (text);
	}
	return tap_done ();
}
