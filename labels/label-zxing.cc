/*
 * label-zxing.cc: reading barcodes back through zxing-cpp; the only file that
 * includes its headers, behind the C interface of label-int.h.
 *
 * zxing-cpp 1.4 can abort the whole process when it is asked for every
 * format at once on a label that holds several symbols; asked for one format
 * on the part of the page where the layout put that symbol it does not, so
 * that is the only way this file asks. Nothing here is shared between calls:
 * any thread may read while another does.
 */
#define ZX_USE_UTF8 1
#include "config.h"

#include <ZXing/ReadBarcode.h>

#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>

extern "C" {
#include "label-int.h"
}

namespace {

struct label_zxing_format {
	const char *symbology;
	ZXing::BarcodeFormat format;
	bool pure;		/* zxing finds this one only as the whole image, square to it */
};

const label_zxing_format label_zxing_formats[] = {
	{ "code128", ZXing::BarcodeFormat::Code128, false },
	{ "gs1-128", ZXing::BarcodeFormat::Code128, false },
	{ "dpd", ZXing::BarcodeFormat::Code128, false },
	{ "datamatrix", ZXing::BarcodeFormat::DataMatrix, false },
	{ "gs1-datamatrix", ZXing::BarcodeFormat::DataMatrix, false },
	{ "qr", ZXing::BarcodeFormat::QRCode, false },
	{ "pdf417", ZXing::BarcodeFormat::PDF417, false },
	{ "maxicode", ZXing::BarcodeFormat::MaxiCode, true },
};

char *
label_zxing_strdup (const std::string &s)
{
	char *p = static_cast<char *> (std::malloc (s.size () + 1));
	if (p == nullptr)
		std::abort ();
	std::memcpy (p, s.data (), s.size ());
	p[s.size ()] = '\0';
	return p;
}

}

extern "C" int
label_zxing_read (const char *symbology, const unsigned char *grey, int width, int height, int stride,
    char **text, char **cause)
{
	*text = nullptr;
	const label_zxing_format *f = nullptr;
	for (const auto &e : label_zxing_formats)
		if (std::strcmp (e.symbology, symbology) == 0)
			f = &e;
	if (f == nullptr) {
		*cause = label_zxing_strdup (std::string ("no reader for symbology '") + symbology + "'");
		return -1;
	}
	try {
		ZXing::ImageView img (grey, width, height, ZXing::ImageFormat::Lum, stride);
		ZXing::DecodeHints hints;
		hints.setFormats (f->format);
		hints.setTryHarder (true);
		hints.setTryRotate (false);
		hints.setMaxNumberOfSymbols (1);
		hints.setIsPure (f->pure);
		ZXing::Result r = ZXing::ReadBarcode (img, hints);
		if (!r.isValid ()) {
			*cause = label_zxing_strdup (r.error () ? "the symbol is damaged: " + r.error ().msg ()
			    : std::string ("no symbol found where the layout put it"));
			return -1;
		}
		/* GS1 symbols come back as AI and value run together (label-verify.c compares so). */
		*text = label_zxing_strdup (r.text ());
		return 0;
	} catch (const std::exception &e) {
		*cause = label_zxing_strdup (std::string ("the reader failed: ") + e.what ());
	} catch (...) {
		*cause = label_zxing_strdup ("the reader failed");
	}
	return -1;
}
