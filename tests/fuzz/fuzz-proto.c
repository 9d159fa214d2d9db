/*
 * fuzz-proto.c: the wire decoder must refuse or accept any byte string
 * without crashing, and whatever it accepts must encode back to the
 * same bytes (the encoding is canonical).
 */
#include "config.h"
#include "fuzz.h"
#include "proto.h"

#include <stdlib.h>
#include <string.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
	proto_msg_t *m = NULL;
	char err[160];
	if (proto_decode (data, size, &m, NULL, err, sizeof err) == 0) {
		size_t n;
		uint8_t *again = proto_encode (m, &n);
		if (again == NULL || n != size || memcmp (again, data, size) != 0)
			abort ();
		free (again);
		proto_msg_destroy (&m);
	}
	return 0;
}
