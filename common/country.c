/* country.c: a table of ISO 3166 codes. */
#include "config.h"
#include "country.h"
#include "util.h"

#include <strings.h>

static const struct {
	const char *alpha2, *numeric, *name;
} countries[] = {
	{ "AE", "784", "United Arab Emirates" }, { "AT", "040", "Austria" }, { "AU", "036", "Australia" },
	{ "BE", "056", "Belgium" }, { "BG", "100", "Bulgaria" }, { "BR", "076", "Brazil" },
	{ "CA", "124", "Canada" }, { "CH", "756", "Switzerland" }, { "CN", "156", "China" },
	{ "CY", "196", "Cyprus" }, { "CZ", "203", "Czechia" }, { "DE", "276", "Germany" },
	{ "DK", "208", "Denmark" }, { "EE", "233", "Estonia" }, { "EG", "818", "Egypt" },
	{ "ES", "724", "Spain" }, { "FI", "246", "Finland" }, { "FR", "250", "France" },
	{ "GB", "826", "United Kingdom" }, { "GG", "831", "Guernsey" }, { "GR", "300", "Greece" },
	{ "HK", "344", "Hong Kong" }, { "HR", "191", "Croatia" }, { "HU", "348", "Hungary" },
	{ "IE", "372", "Ireland" }, { "IL", "376", "Israel" }, { "IM", "833", "Isle of Man" },
	{ "IN", "356", "India" }, { "IS", "352", "Iceland" }, { "IT", "380", "Italy" },
	{ "JE", "832", "Jersey" }, { "JP", "392", "Japan" }, { "KR", "410", "Korea, Republic of" },
	{ "KW", "414", "Kuwait" }, { "LT", "440", "Lithuania" }, { "LU", "442", "Luxembourg" },
	{ "LV", "428", "Latvia" }, { "MC", "492", "Monaco" }, { "MT", "470", "Malta" },
	{ "MX", "484", "Mexico" }, { "MY", "458", "Malaysia" }, { "NL", "528", "Netherlands" },
	{ "NO", "578", "Norway" }, { "NZ", "554", "New Zealand" }, { "PL", "616", "Poland" },
	{ "PT", "620", "Portugal" }, { "QA", "634", "Qatar" }, { "RO", "642", "Romania" },
	{ "SA", "682", "Saudi Arabia" }, { "SE", "752", "Sweden" }, { "SG", "702", "Singapore" },
	{ "SI", "705", "Slovenia" }, { "SK", "703", "Slovakia" }, { "TH", "764", "Thailand" },
	{ "TR", "792", "Türkiye" }, { "TW", "158", "Taiwan" }, { "UA", "804", "Ukraine" },
	{ "US", "840", "United States" }, { "ZA", "710", "South Africa" },
};

static int
country_find (const char *alpha2)
{
	for (size_t i = 0; alpha2 && i < nitems (countries); i++)
		if (strcasecmp (countries[i].alpha2, alpha2) == 0)
			return (int) i;
	return -1;
}

const char *
country_numeric (const char *alpha2)
{
	int i = country_find (alpha2);
	return i < 0 ? NULL : countries[i].numeric;
}

const char *
country_name (const char *alpha2)
{
	int i = country_find (alpha2);
	return i < 0 ? NULL : countries[i].name;
}
