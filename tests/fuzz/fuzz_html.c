/*
 * fuzz_html.c: libFuzzer target for the HTML renderer (src/mime/html.c).
 *
 * The first input byte picks the output limit: small (to hit the -1 path
 * anywhere) or 16 MiB. On success the output must have the promised
 * shape: no NUL, no blank before a line end, no blank line first or last,
 * a final LF, no run of blank lines outside <pre>, valid UTF-8 when the
 * input is, and the same bytes on a second run. Any breach aborts.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
must(bool ok)
{
	if (!ok)
		abort();
}

/* Strict UTF-8: no overlongs, surrogates or values past U+10FFFF. */
static bool
utf8_ok(const unsigned char *s, size_t n)
{
	size_t		i = 0, len, k;
	uint32_t	cp;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf)
			len = 2;
		else if (s[i] >= 0xe0 && s[i] <= 0xef)
			len = 3;
		else if (s[i] >= 0xf0 && s[i] <= 0xf4)
			len = 4;
		else
			return false;
		if (n - i < len)
			return false;
		cp = s[i] & (0x7f >> len);
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

static bool
has_ci(const uint8_t *s, size_t n, const char *word)
{
	size_t	i, len = strlen(word);

	for (i = 0; i + len <= n; i++)
		if (mem_has_prefix_ci(s + i, n - i, word))
			return true;
	return false;
}

static void
check_shape(const uint8_t *in, size_t n, const struct buf *b)
{
	const char	*o = buf_str(b);
	size_t		 i;

	if (b->len == 0)
		return;
	must(memchr(o, '\0', b->len) == NULL);
	must(o[0] != '\n' && o[b->len - 1] == '\n');
	must(b->len < 2 || o[b->len - 2] != '\n');
	for (i = 1; i < b->len; i++)
		if (o[i] == '\n')
			must(o[i - 1] != ' ' && o[i - 1] != '\t');
	if (!has_ci(in, n, "pre") && !has_ci(in, n, "listing"))
		must(mem_find(o, b->len, "\n\n\n", 3) == NULL);
	if (utf8_ok(in, n))
		must(utf8_ok((const unsigned char *)o, b->len));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf	 a, b;
	const char	*s = (const char *)data + 1;
	size_t		 n, max;
	int		 r;

	if (size < 1)
		return 0;
	n = size - 1;
	max = data[0] & 1 ? (size_t)data[0] * 8 : 16 * 1024 * 1024;
	buf_init(&a, max);
	buf_init(&b, max);
	r = mime_html_to_text(s, n, &a);
	must(r == 0 || r == -1);
	must(a.len <= max);
	if (r == 0)
		check_shape(data + 1, n, &a);
	must(mime_html_to_text(s, n, &b) == r);
	must(a.len == b.len && memcmp(buf_str(&a), buf_str(&b), a.len) == 0);
	buf_free(&a);
	buf_free(&b);
	return 0;
}
