/*
 * test-print-check.c: print_check without CUPS: whole ZPL labels and PDFs
 * pass; truncated, joined, corrupted and random documents, and a format
 * that does not match the queue's, are refused with a message that says
 * what is wrong. Every cut of a label is refused.
 */
#include "config.h"
#include "printers/print.h"
#include "tests/tap.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

static const print_queue_t test_print_check_zpl_queue = { .name = "label", .format = PRINT_FORMAT_ZPL };
static const print_queue_t test_print_check_pdf_queue = { .name = "docs", .format = PRINT_FORMAT_PDF };
static const print_queue_t test_print_check_unmarked = { .name = "spare", .format = -1 };

/* A label the way labels/label-zpl.c writes one: a ^GFA field, 2 bytes a row, 5 rows. */
static const char test_print_check_label[] = "^XA\n^PW16\n^LL5\n^LH0,0\n^FO0,0^GFA,10,10,2,IF0:!,J8^FS\n^PQ1\n^XZ\n";

static void
test_print_check_pass (const print_queue_t *q, enum print_format format, const void *data, size_t size, const char *what)
{
	char *cause = NULL;
	int rc = print_check (q, format, data, size, &cause);
	ok (rc == 0, "passes: %s%s%s", what, cause ? ": " : "", cause ? cause : "");
	free (cause);
}

static void
test_print_check_refuse (const print_queue_t *q, enum print_format format, const void *data, size_t size,
    const char *want, const char *what)
{
	char *cause = NULL;
	int rc = print_check (q, format, data, size, &cause);
	ok (rc != 0 && cause && strstr (cause, want), "refused: %s: %s", what, cause ? cause : "(no message)");
	if (rc == 0 || !cause || !strstr (cause, want))
		diag ("wanted a message with '%s'", want);
	free (cause);
}

#define PASS_ZPL(s, what) test_print_check_pass (&test_print_check_zpl_queue, PRINT_FORMAT_ZPL, s, sizeof s - 1, what)
#define REFUSE_ZPL(s, want, what) test_print_check_refuse (&test_print_check_zpl_queue, PRINT_FORMAT_ZPL, s, sizeof s - 1, want, what)

static char *
test_print_check_pdf (const char *tail, size_t *len)
{
	static const char body[] = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
	                           "2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n";
	char *pdf = xasprintf ("%sxref\n0 3\n0000000000 65535 f \n0000000015 00000 n \n0000000060 00000 n \n"
	                       "trailer<</Size 3/Root 1 0 R>>\nstartxref\n%zu\n%%%%EOF%s", body, sizeof body - 1, tail);
	*len = strlen (pdf);
	return pdf;
}

static void
test_print_check_zpl (void)
{
	PASS_ZPL ("^XA^XZ", "the smallest label");
	PASS_ZPL (" \r\n\t^XA^FO10,10^A0N,30,30^FDParcel 1 of 2^FS^XZ\n\n", "whitespace around a label");
	PASS_ZPL ("^XA^FDone^FS^XZ\n^XA^FDtwo^FS^XZ\r\n", "two labels in one job");
	PASS_ZPL ("^XA^CI28^FO10,10^A0N,30,30^FDZoë Łódź Ελλάδα 東京 🙂^FS^XZ", "UTF-8 text after ^CI28");
	PASS_ZPL ("^XA~SD20^FO10,10^A@N,30,30,E:ARIAL.TTF^FDx^FS^XZ", "a ~ command, and ^A@");
	PASS_ZPL (test_print_check_label, "a ^GFA graphic with Zebra's compression (repeat, ':', '!', ',')");
	PASS_ZPL ("^XA^GFA,4,4,2,FFF0,^FS^XZ", "a ',' row of white at a row's start");
	PASS_ZPL ("^XA^GFA,4,4,2,FF\r\nF0,^FS^XZ", "line breaks inside graphic data");
	PASS_ZPL ("^XA^GFA,8,8,4,:Z64:eJzLSM3JyVcozy/KSQEAGgQEXQ==:3A1B^FS^XZ", "a :Z64: graphic");
	static const char bin[] = "^XA^GFB,8,8,2,\x00\x01^~\xff\x80\r\n^FS^XZ";
	PASS_ZPL (bin, "a ^GFB graphic of raw bytes (NUL, ^, ~, 0xFF)");

	REFUSE_ZPL ("   \n", "empty", "only whitespace");
	REFUSE_ZPL ("^XA^FO10,10^FDno end^FS", "has no ^XZ", "a label without ^XZ");
	REFUSE_ZPL ("^XA^FO10,10^FDcut", "has no ^XZ", "a label cut short");
	REFUSE_ZPL ("^XA^FDone^FS^XA^FDtwo^FS^XZ", "before the next ^XA", "a label cut short, then another");
	REFUSE_ZPL ("^XA^XZ^FDstray^FS", "outside any ^XA", "commands after the last ^XZ");
	REFUSE_ZPL ("^XA^XZ^XZ", "outside any ^XA", "^XZ without ^XA");
	REFUSE_ZPL ("hello ^XA^XZ", "starts with 'hello ^XA^XZ'", "text before ^XA");
	REFUSE_ZPL ("~JA^XA^XZ", "not ^XA", "a ~ command before the first ^XA");
	REFUSE_ZPL ("^XA\x01^XZ", "byte 0x01", "a control byte");
	REFUSE_ZPL ("^XA^FDZo\xc3\xab^FS^XZ", "byte 0xC3", "UTF-8 without ^CI28");
	REFUSE_ZPL ("^XA^CI28^FDZo\xc3(^FS^XZ", "byte 0xC3", "broken UTF-8 after ^CI28");
	REFUSE_ZPL ("^XA^CI28^CI0^FDZo\xc3\xab^FS^XZ", "byte 0xC3", "UTF-8 after ^CI28 was replaced");
	REFUSE_ZPL ("^XA^1A^XZ", "not a ZPL command", "^ followed by a digit");
	REFUSE_ZPL ("^XA^", "has no ^XZ", "a lone ^ at the end");
	REFUSE_ZPL ("^XA^GFA,10,10,2,IF0:!^FS^XZ", "holds 3 of the 5 rows", "a ^GF graphic a row short");
	REFUSE_ZPL ("^XA^GFA,10,10,2,IF0:!,J8,^FS^XZ", "more than the 5 rows", "a ^GF graphic a row long");
	REFUSE_ZPL ("^XA^GFA,4,4,2,FF0^FS^XZ", "holds 0 of the 2 rows", "a ^GF row cut short");
	REFUSE_ZPL ("^XA^GFA,4,4,2,MF,^FS^XZ", "longer than its 2", "a ^GF run longer than its row");
	REFUSE_ZPL ("^XA^GFA,4,4,2,FFZ0,^FS^XZ", "is not ZPL graphic data", "a letter that is no hex digit or count");
	REFUSE_ZPL ("^XA^GFA,4,4,2,FFG,,^FS^XZ", "is not ZPL graphic data", "a repeat count with no digit");
	REFUSE_ZPL ("^XA^GFA,4,6,2,FFF0,,,^FS^XZ", "says it sends 4 bytes of a 6-byte field", "byte count and field size differ");
	REFUSE_ZPL ("^XA^GFA,5,5,2,FF^FS^XZ", "not whole rows", "a field size that is not whole rows");
	REFUSE_ZPL ("^XA^GFA,4,4^FS^XZ", "has no field size", "a ^GF header cut short");
	REFUSE_ZPL ("^XA^GFX,4,4,2,FFF0,^FS^XZ", "does not say whether", "an unknown ^GF kind");
	REFUSE_ZPL ("^XA^GFB,64,64,2,\x01\x02^FS^XZ", "only 8 follow", "a ^GFB graphic cut short");
	REFUSE_ZPL ("^XA^GFA,99999999999,4,2,FF^FS^XZ", "over", "a ^GF count beyond any label");

	/* Random bytes, as a file that is not a label at all. */
	unsigned char junk[4096];
	unsigned int x = 12345;
	for (size_t i = 0; i < sizeof junk; i++) {
		x = x * 1103515245u + 12345u;
		junk[i] = (unsigned char) (x >> 16);
	}
	test_print_check_refuse (&test_print_check_zpl_queue, PRINT_FORMAT_ZPL, junk, sizeof junk, "not a ZPL label", "4096 random bytes");
	memcpy (junk, "^XA", 3);
	test_print_check_refuse (&test_print_check_zpl_queue, PRINT_FORMAT_ZPL, junk, sizeof junk, "label 1", "random bytes after ^XA");

	/* Every cut of a label is refused, up to its ^XZ. */
	size_t n = sizeof test_print_check_label - 1, last = (size_t) (strstr (test_print_check_label, "^XZ") - test_print_check_label) + 3;
	size_t passed = 0;
	for (size_t len = 0; len < last; len++)
		passed += print_check (NULL, PRINT_FORMAT_ZPL, test_print_check_label, len, NULL) == 0;
	is_int (passed, 0, "each of the %zu cuts of a %zu-byte label before its ^XZ is refused", last, n);
	/* And so is every label with one byte changed to a control byte. */
	char copy[sizeof test_print_check_label];
	passed = 0;
	for (size_t i = 0; i < last; i++) {
		memcpy (copy, test_print_check_label, sizeof copy);
		copy[i] = '\x02';
		passed += print_check (NULL, PRINT_FORMAT_ZPL, copy, n, NULL) == 0;
	}
	is_int (passed, 0, "each of its %zu bytes made a control byte is refused", last);
}

static void
test_print_check_pdf_docs (void)
{
	size_t len;
	char *pdf = test_print_check_pdf ("\n", &len);
	test_print_check_pass (&test_print_check_pdf_queue, PRINT_FORMAT_PDF, pdf, len, "a whole PDF");
	test_print_check_refuse (&test_print_check_pdf_queue, PRINT_FORMAT_PDF, pdf, len - 4, "does not end with %%EOF",
	    "a PDF cut short");
	test_print_check_refuse (&test_print_check_pdf_queue, PRINT_FORMAT_PDF, pdf, len / 2, "does not end with %%EOF",
	    "a PDF cut in half");
	test_print_check_refuse (&test_print_check_pdf_queue, PRINT_FORMAT_PDF, pdf + 1, len - 1, "not a PDF", "a PDF without its first byte");
	free (pdf);
	pdf = test_print_check_pdf ("\r\n \n", &len);
	test_print_check_pass (&test_print_check_pdf_queue, PRINT_FORMAT_PDF, pdf, len, "whitespace after %%EOF");
	free (pdf);
	pdf = test_print_check_pdf ("\ngarbage\n", &len);
	test_print_check_refuse (&test_print_check_pdf_queue, PRINT_FORMAT_PDF, pdf, len, "does not end with %%EOF", "bytes after %%EOF");
	free (pdf);
	static const char noxref[] = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
	test_print_check_refuse (&test_print_check_pdf_queue, PRINT_FORMAT_PDF, noxref, sizeof noxref - 1, "no startxref", "no startxref");
	static const char far[] = "%PDF-1.4\n1 0 obj<<>>endobj\nstartxref\n99999\n%%EOF\n";
	test_print_check_refuse (&test_print_check_pdf_queue, PRINT_FORMAT_PDF, far, sizeof far - 1, "past its end",
	    "a startxref beyond the file");
	static const char ver[] = "%PDF-x.4\nstartxref\n0\n%%EOF\n";
	test_print_check_refuse (&test_print_check_pdf_queue, PRINT_FORMAT_PDF, ver, sizeof ver - 1, "not a PDF", "a header without a version");
	test_print_check_refuse (&test_print_check_pdf_queue, PRINT_FORMAT_PDF, test_print_check_label, sizeof test_print_check_label - 1,
	    "not a PDF", "a ZPL label said to be a PDF");
}

static void
test_print_check_kinds (void)
{
	size_t len;
	char *pdf = test_print_check_pdf ("\n", &len);
	test_print_check_refuse (&test_print_check_zpl_queue, PRINT_FORMAT_PDF, pdf, len, "prints ZPL labels, and this is a PDF",
	    "a PDF for a label printer");
	test_print_check_refuse (&test_print_check_pdf_queue, PRINT_FORMAT_ZPL, test_print_check_label, sizeof test_print_check_label - 1,
	    "prints PDF documents, and this is a ZPL label", "a label for a document printer");
	test_print_check_refuse (&test_print_check_unmarked, PRINT_FORMAT_ZPL, test_print_check_label, sizeof test_print_check_label - 1,
	    "despatch-print format spare zpl", "a queue that does not say what it prints");
	test_print_check_pass (NULL, PRINT_FORMAT_PDF, pdf, len, "no queue: the document alone");
	test_print_check_refuse (&test_print_check_zpl_queue, PRINT_FORMAT_ZPL, "", 0, "empty", "an empty document");
	test_print_check_refuse (NULL, (enum print_format) 7, pdf, len, "unknown print format", "an unknown format");
	ok (print_check (&test_print_check_pdf_queue, PRINT_FORMAT_ZPL, test_print_check_label, sizeof test_print_check_label - 1, NULL) != 0,
	    "a refusal without a cause pointer");
	free (pdf);
}

int
main (void)
{
	test_print_check_zpl ();
	test_print_check_pdf_docs ();
	test_print_check_kinds ();
	return tap_done ();
}
