/* label-buf.c: the output buffer every output (ZPL, PDF, PNG) writes its page into, and the grey
 * page a reader hands back (label-int.h). */
#include "config.h"
#include "label-int.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* Buffers grow in powers of two from a label-sized start (a ZPL page is some tens of kB),
 * so the capacity follows from the length and needs no field of its own. */
static size_t
label_buf_cap (size_t len)
{
	size_t c = (size_t) 1 << 15;
	while (c < len)
		c *= 2;
	return c;
}

char *
label_buf_reserve (struct label_buf *b, size_t n)
{
	size_t have = b->data ? label_buf_cap (b->len) : 0;
	if (b->len + n > have)
		b->data = xrealloc (b->data, label_buf_cap (b->len + n));
	return (char *) b->data + b->len;
}

void
label_buf_commit (struct label_buf *b, size_t used)
{
	b->len += used;
}

void
label_buf_append (struct label_buf *b, const void *data, size_t len)
{
	memcpy (label_buf_reserve (b, len), data, len);
	b->len += len;
}

void
label_grey_free (struct label_grey *g)
{
	free (g->pix);
	g->pix = NULL;
}
