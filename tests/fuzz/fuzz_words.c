/*
 * fuzz_words.c: libFuzzer target for the text half of mime/ (charset.c,
 * words.c): RFC 2047 decoding, header values as display text, charset
 * conversion, the sanitizer, and encoding round trips.
 *
 * The first input byte picks a charset label from a list, or past its
 * end takes the label from the input up to the first LF; the rest is the
 * text. Invariants checked: every output is valid UTF-8, also when the
 * output buffer is too small; display text holds no control character
 * (C0, DEL, C1) and no bidi override or isolate, no blank at either end
 * and no two blanks in a row; the sanitizer keeps LF and TAB only when
 * asked; encoding valid UTF-8 gives printable ASCII in encoded words of
 * at most 75 characters, which decode back to the same text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"

#define OUT_MAX		(1024 * 1024)
#define LABEL_MAX	80

static const char *const charsets[] = {
	NULL, "", "utf-8", "us-ascii", "iso-8859-1", "windows-1252",
	"iso-8859-2", "iso-8859-15", "koi8-r", "gb2312", "gb18030", "big5",
	"shift_jis", "euc-jp", "iso-2022-jp", "euc-kr", "iso-2022-kr",
	"utf-7", "utf-16", "utf-32", "x-unknown", "macintosh", "tis-620",
	"iso-2022-cn", "euc-tw", "tcvn", "johab", "windows-1258", "ibm866",
	"viscii",
};
#define NCHARSETS	(sizeof(charsets) / sizeof(charsets[0]))

/* Valid UTF-8 without control characters (but LF and TAB if allowed),
 * C1 controls or bidi embeddings, overrides and isolates. */
static void
check_display(const char *s, size_t n, bool newlines)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i;

	if (!mime_utf8_valid(s, n))
		abort();
	for (i = 0; i < n; i++) {
		if (p[i] == '\n' || p[i] == '\t') {
			if (!newlines)
				abort();
			continue;
		}
		if (p[i] < 0x20 || p[i] == 0x7F)
			abort();
		if (p[i] == 0xC2 && i + 1 < n && p[i + 1] >= 0x80 &&
		    p[i + 1] <= 0x9F)
			abort();
		if (p[i] == 0xE2 && i + 2 < n && ((p[i + 1] == 0x80 &&
		    p[i + 2] >= 0xAA && p[i + 2] <= 0xAE) ||
		    (p[i + 1] == 0x81 && p[i + 2] >= 0xA6 && p[i + 2] <= 0xA9)))
			abort();
	}
}

static void
check_header_text(const char *in, size_t n, const char *cs)
{
	char	*t = mime_header_text(in, n, cs);
	size_t	 len = strlen(t);

	check_display(t, len, false);
	if (len > 0 && (t[0] == ' ' || t[len - 1] == ' '))
		abort();
	if (strstr(t, "  ") != NULL)
		abort();
	free(t);
}

static void
check_decode(const char *in, size_t n, const char *cs, size_t max)
{
	struct buf	b;
	int		r;

	buf_init(&b, max);
	r = mime_decode_words(in, n, cs, &b);
	if ((r != 0 && r != -1) || !mime_utf8_valid(buf_str(&b), b.len))
		abort();
	if (r == -1 && max == OUT_MAX)
		abort();
	buf_free(&b);
}

static void
check_convert(const char *in, size_t n, const char *cs, size_t max)
{
	struct buf	b;

	buf_init(&b, max);
	if (mime_to_utf8(cs, in, n, &b) < -1 ||
	    !mime_utf8_valid(buf_str(&b), b.len))
		abort();
	buf_free(&b);
}

static void
check_sanitize(const char *in, size_t n, bool keep)
{
	struct buf	b;

	buf_init(&b, OUT_MAX);
	if (mime_sanitize(in, n, keep, &b) != 0)
		abort();
	check_display(buf_str(&b), b.len, keep);
	buf_free(&b);
}

/* Printable ASCII, encoded words of at most 75 characters. */
static void
check_encoded(const char *enc)
{
	const char	*p, *word = NULL;

	for (p = enc;; p++) {
		if (*p == ' ' || *p == '\0') {
			if (word != NULL && p - word > 75)
				abort();
			word = NULL;
			if (*p == '\0')
				break;
			continue;
		}
		if ((unsigned char)*p < ' ' || (unsigned char)*p >= 0x7F)
			abort();
		if (word == NULL && (p == enc || p[-1] == ' ') &&
		    strncmp(p, "=?", 2) == 0)
			word = p;
	}
}

/* Encode the input made valid UTF-8 (without NUL), decode it back. */
static void
check_round_trip(const char *in, size_t n, bool phrase)
{
	struct buf	 u, d;
	char		*text, *enc;
	size_t		 len, i, j = 0;

	buf_init(&u, OUT_MAX);
	if (mime_to_utf8("utf-8", in, n, &u) < 0)
		abort();
	len = u.len;
	text = buf_take(&u);
	/* Drop NUL bytes: the encoder takes a C string. */
	for (i = 0; i < len; i++)
		if (text[i] != '\0')
			text[j++] = text[i];
	text[j] = '\0';
	enc = mime_encode_words(text, phrase);
	check_encoded(enc);
	buf_init(&d, OUT_MAX);
	if (mime_decode_words(enc, strlen(enc), NULL, &d) != 0 ||
	    strcmp(buf_str(&d), text) != 0)
		abort();
	buf_free(&d);
	free(enc);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*in = (const char *)data + 1, *cs, *nl;
	char		 label[LABEL_MAX];
	size_t		 n = size - 1, sel;

	if (size < 1)
		return 0;
	sel = data[0] % (NCHARSETS + 1);
	if (sel < NCHARSETS)
		cs = charsets[sel];
	else {
		nl = memchr(in, '\n', n);
		sel = nl == NULL ? 0 : (size_t)(nl - in);
		if (sel >= sizeof(label))
			sel = sizeof(label) - 1;
		memcpy(label, in, sel);
		label[sel] = '\0';
		cs = label;
		(void)mime_charset_canonical(cs);
	}
	check_decode(in, n, cs, OUT_MAX);
	check_decode(in, n, cs, (size_t)data[0] % 61);
	check_header_text(in, n, cs);
	check_convert(in, n, cs, OUT_MAX);
	check_convert(in, n, cs, (size_t)data[0] % 29);
	check_sanitize(in, n, data[0] & 1);
	check_round_trip(in, n, data[0] & 2);
	return 0;
}
