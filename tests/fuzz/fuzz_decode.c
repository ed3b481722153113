/*
 * fuzz_decode.c: libFuzzer target for the transfer encodings and
 * format=flowed (src/mime/codec.c, src/mime/flowed.c).
 *
 * The first input byte picks the base64 line length, the flowed width and
 * a small buffer limit; the rest is the data. Every input goes through
 * all decoders (no crash, output no larger than it can be) and through
 * encode-then-decode round trips, which must give the data back: exactly
 * for base64 and quoted-printable, exactly for flowed text without quote
 * marks or trailing spaces, and stably (a second round changes nothing)
 * for any text. A full buffer must give -1 without exceeding its limit.
 * Any inconsistency aborts.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"

#define OUT_MAX	(16 * 1024 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
must(bool ok)
{
	if (!ok)
		abort();
}

static bool
same(const struct buf *b, const char *p, size_t n)
{
	return b->len == n && (n == 0 || memcmp(b->data, p, n) == 0);
}

static void
check_base64(const char *s, size_t n, size_t line_len)
{
	struct buf	enc, dec;
	size_t		i, col = 0;

	buf_init(&enc, OUT_MAX);
	buf_init(&dec, OUT_MAX);
	must(mime_base64_decode(s, n, &dec) == 0);
	must(dec.len <= n / 4 * 3 + 2);
	buf_reset(&dec);
	must(mime_base64_encode(s, n, line_len, &enc) == 0);
	for (i = 0; i < enc.len; i++) {
		if (enc.data[i] == '\n') {
			must(line_len > 0 && (col == line_len ||
			    i + 1 == enc.len));
			col = 0;
			continue;
		}
		must(memchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuv"
		    "wxyz0123456789+/=", enc.data[i], 65) != NULL);
		col++;
	}
	must(mime_base64_decode(buf_str(&enc), enc.len, &dec) == 0);
	must(same(&dec, s, n));
	buf_free(&enc);
	buf_free(&dec);
}

static void
check_qp(const char *s, size_t n)
{
	struct buf	enc, dec;
	size_t		i, col = 0;
	char		c;

	buf_init(&enc, OUT_MAX);
	buf_init(&dec, OUT_MAX);
	must(mime_qp_decode(s, n, &dec) == 0);
	must(dec.len <= n);
	buf_reset(&dec);
	must(mime_qp_encode(s, n, &enc) == 0);
	for (i = 0; i < enc.len; i++) {
		c = enc.data[i];
		if (c == '\n') {
			must(i == 0 || (enc.data[i - 1] != ' ' &&
			    enc.data[i - 1] != '\t'));
			col = 0;
			continue;
		}
		must(c == '\t' || (c >= ' ' && c < 0x7f));
		must(++col <= 76);
	}
	must(enc.len == 0 || (enc.data[enc.len - 1] != ' ' &&
	    enc.data[enc.len - 1] != '\t'));
	must(mime_qp_decode(buf_str(&enc), enc.len, &dec) == 0);
	must(same(&dec, s, n));
	buf_free(&enc);
	buf_free(&dec);
}

/* decode(encode(s)) into out. */
static void
flowed_round(const char *s, size_t n, size_t width, struct buf *out)
{
	struct buf	enc;

	buf_init(&enc, OUT_MAX);
	must(mime_flowed_encode(s, n, width, &enc) == 0);
	must(mime_flowed_decode(buf_str(&enc), enc.len, false, out) == 0);
	buf_free(&enc);
}

/* Text the round trip must keep exactly: no CR, no '>' opening a line,
 * no trailing spaces, a final LF. */
static void
plain_text(const char *s, size_t n, struct buf *out)
{
	size_t	i;
	bool	bol = true;
	char	c;

	for (i = 0; i < n; i++) {
		c = s[i] == '\r' ? 'r' : s[i];
		if (bol && c == '>')
			c = 'q';
		if (c == '\n')
			while (out->len > 0 && out->data[out->len - 1] == ' ')
				buf_truncate(out, out->len - 1);
		must(buf_append(out, &c, 1) == 0);
		bol = c == '\n';
	}
	while (out->len > 0 && out->data[out->len - 1] == ' ')
		buf_truncate(out, out->len - 1);
	if (out->len > 0 && out->data[out->len - 1] != '\n')
		must(buf_append(out, "\n", 1) == 0);
}

static void
check_flowed(const char *s, size_t n, size_t width)
{
	struct buf	a, b, plain;

	buf_init(&a, OUT_MAX);
	buf_init(&b, OUT_MAX);
	buf_init(&plain, OUT_MAX);
	must(mime_flowed_decode(s, n, false, &a) == 0);
	buf_reset(&a);
	must(mime_flowed_decode(s, n, true, &a) == 0);
	buf_reset(&a);
	flowed_round(s, n, width, &a);
	flowed_round(buf_str(&a), a.len, width, &b);
	must(same(&b, buf_str(&a), a.len));
	plain_text(s, n, &plain);
	buf_reset(&a);
	flowed_round(buf_str(&plain), plain.len, width, &a);
	must(same(&a, buf_str(&plain), plain.len));
	buf_free(&a);
	buf_free(&b);
	buf_free(&plain);
}

/* A small limit: -1 or 0, never more than the limit. */
static void
check_limit(const char *s, size_t n, size_t max)
{
	struct buf	b;
	int		r[7];
	size_t		i;

	buf_init(&b, max);
	r[0] = mime_base64_decode(s, n, &b);
	must(b.len <= max);
	r[1] = mime_base64_encode(s, n, 76, &b);
	must(b.len <= max);
	r[2] = mime_qp_decode(s, n, &b);
	must(b.len <= max);
	r[3] = mime_qp_encode(s, n, &b);
	must(b.len <= max);
	r[4] = mime_flowed_decode(s, n, true, &b);
	must(b.len <= max);
	r[5] = mime_flowed_encode(s, n, 20, &b);
	must(b.len <= max);
	buf_reset(&b);
	r[6] = mime_base64_encode(s, n, 0, &b);
	must(r[6] == 0 ? b.len == (n + 2) / 3 * 4 : b.len == max);
	for (i = 0; i < 7; i++)
		must(r[i] == 0 || r[i] == -1);
	buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*s = (const char *)data + 1;
	size_t		 n;

	if (size < 1)
		return 0;
	n = size - 1;
	check_base64(s, n, (size_t)(data[0] & 31) * 4);
	check_qp(s, n);
	check_flowed(s, n, data[0] & 0x80 ? 0 : (size_t)(data[0] & 0x7f));
	check_limit(s, n, (size_t)data[0] * 2);
	return 0;
}
