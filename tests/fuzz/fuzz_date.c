/*
 * fuzz_date.c: libFuzzer target for dates (src/mime/date.c). The input is
 * a Date value. When it parses, the time lies in the years 0 to 9999, its
 * ISO 8601 form is 20 characters, and its RFC 5322 form, in UTC and in a
 * zone the input picks, parses back to the same time.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"

#define T_MIN	INT64_C(-62167219200)	/* 0000-01-01T00:00:00Z */
#define T_MAX	INT64_C(253402300799)	/* 9999-12-31T23:59:59Z */

static void
round_trip(int64_t t, int tz)
{
	char	buf[64];
	int64_t	back;

	mime_date_rfc5322(t, tz, buf, sizeof(buf));
	if (mime_date_parse(buf, strlen(buf), &back) != 0 || back != t)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	iso[32];
	int64_t	t, local;
	int	tz;

	if (mime_date_parse((const char *)data, size, &t) != 0)
		return 0;
	if (t < T_MIN || t > T_MAX)
		abort();
	mime_date_iso(t, iso, 21);
	if (strlen(iso) != 20 || iso[19] != 'Z')
		abort();
	round_trip(t, 0);
	/* A zone from the input; the local time must stay within the years
	 * 0 to 9999 for its four-digit year to be written. */
	tz = size > 1 ? (int)((data[0] << 8 | data[size - 1]) % 11999) - 5999 :
	    60;
	local = t + (int64_t)tz * 60;
	if (local >= T_MIN && local <= T_MAX)
		round_trip(t, tz);
	return 0;
}
