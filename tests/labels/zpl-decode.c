/* zpl-decode: turn a ZPL job (one ^GFA field) into a PBM image for zbarimg and dmtxread. */
#include "config.h"
#include "zpl-decode.h"

int
main (int argc, char **argv)
{
	if (argc != 3) {
		fprintf (stderr, "usage: zpl-decode JOB.zpl OUT.pbm\n");
		return 2;
	}
	struct zpl_image img;
	char err[200];
	if (zpl_decode_file (argv[1], &img, err, sizeof err) < 0) {
		fprintf (stderr, "zpl-decode: %s: %s\n", argv[1], err);
		return 1;
	}
	FILE *o = fopen (argv[2], "wb");
	if (o == NULL) {
		perror (argv[2]);
		return 1;
	}
	/* PBM rows are MSB first with 1 = black: the ^GF layout exactly. */
	fprintf (o, "P4\n%d %d\n", img.width, img.height);
	fwrite (img.bits, 1, (size_t) img.row_bytes * (size_t) img.height, o);
	fclose (o);
	free (img.bits);
	return 0;
}
